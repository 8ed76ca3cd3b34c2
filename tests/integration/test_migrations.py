"""The schema: models and migrations agree, `ledger init` is idempotent and works from an installed wheel."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.config import Config
from sqlalchemy import create_engine, inspect
from support.factories import EVERY_TYPE, TALKS
from support.runner import jsonl, ledger_cli, one_error_line, state
from support.v1_ledger import v1_ledger

import ledger
from alembic import command
from ledger.store import migrations

REPO = Path(__file__).resolve().parents[2]
LOG_TABLES = {"events", "event_entities", "event_refs", "index_changes"}


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        return migrations.current_revision(engine)
    finally:
        engine.dispose()


def test_the_models_and_the_migrations_agree(lg):
    migrations.check(lg.store.engine)


def test_init_creates_the_schema_and_says_where(blank_db_url):
    result = ledger_cli(blank_db_url, "init")

    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("ledger ready at ") and result.stderr.endswith(
        f" (schema {migrations.HEAD_REVISION})\n"
    )
    assert tables(blank_db_url) >= LOG_TABLES
    assert revision(blank_db_url) == migrations.HEAD_REVISION


def test_init_twice_changes_nothing_and_keeps_the_events(blank_db_url):
    ledger_cli(blank_db_url, "init")
    ledger_cli(blank_db_url, "import", "-", input=jsonl(EVERY_TYPE))
    before = state(blank_db_url)

    again = ledger_cli(blank_db_url, "init")

    assert again.exit_code == 0, again.stderr
    assert state(blank_db_url) == before
    assert ledger_cli(blank_db_url, "verify").exit_code == 0


def test_init_upgrades_a_ledger_one_revision_behind(blank_db_url):
    engine = create_engine(blank_db_url)
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", migrations.script_location())
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    engine.dispose()
    assert f"needs {migrations.HEAD_REVISION}; run `ledger init`" in one_error_line(
        ledger_cli(blank_db_url, "verify")
    )

    assert ledger_cli(blank_db_url, "init").exit_code == 0
    assert ledger_cli(blank_db_url, "verify").exit_code == 0


UNINITIALISED = {
    "append": ["append", "--file", "-"],
    "import": ["import", "-"],
    "export": ["export"],
    "events": ["events"],
    "verify": ["verify"],
    "show": ["show", "plant:nissan-oppama"],
    "history": ["history", "plant:nissan-oppama"],
    "claims": ["claims"],
    "list": ["list", "plants"],
    "rebuild": ["rebuild"],
}


@pytest.mark.parametrize("args", UNINITIALISED.values(), ids=UNINITIALISED.keys())
def test_commands_on_an_uninitialised_database_say_to_run_ledger_init(blank_db_url, args):
    result = ledger_cli(blank_db_url, *args, input=jsonl([TALKS]))

    assert result.exit_code == 1
    assert "; run `ledger init`" in one_error_line(result)
    assert not tables(blank_db_url)


def test_an_empty_sqlite_file_is_not_a_ledger_yet(tmp_path):
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()

    result = ledger_cli(f"sqlite:///{path}", "verify")

    assert result.exit_code == 1
    assert one_error_line(result) == f"error: sqlite:///{path} has no ledger schema; run `ledger init`"


# -- the installed package ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The project built as a wheel (from a copy of the checkout, so the build leaves nothing in it) and
    installed into a folder of its own."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "tests",
            "build",
            "*.egg-info",
            "__pycache__",
            "*.db*",
            ".*cache",
            "bench",
            "docs",
        ),
    )
    target = base / "target"
    pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(base), str(source))
    [wheel] = base.glob("*.whl")
    pip("install", "--no-deps", "--target", str(target), str(wheel))
    return target


def pip(*args: str) -> None:
    argv = [sys.executable, "-m", "pip", *args, "--disable-pip-version-check", "--no-input", "-q"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"pip {args[0]} failed:\n{done.stdout}{done.stderr}"


def test_the_installed_package_creates_the_schema_from_any_folder(installed, blank_db_url, tmp_path):
    script = (
        "import sys, ledger._alembic, ledger.store.migrations; "
        "print(*ledger._alembic.__path__, ledger.store.migrations.script_location(), sep='\\n'); "
        f"sys.argv = ['ledger', '--db', {blank_db_url!r}, 'init']; "
        "from ledger.cli.app import main; main()"
    )
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    env = {**os.environ, "PYTHONPATH": str(installed)}

    run = subprocess.run(
        [sys.executable, "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )

    assert run.returncode == 0, run.stderr
    assert run.stderr.startswith("ledger ready at ")
    packaged = (installed / "ledger" / "_alembic").resolve()
    assert [Path(p).resolve() for p in run.stdout.split()] == [packaged, packaged]
    assert tables(blank_db_url) >= LOG_TABLES
    assert revision(blank_db_url) == migrations.HEAD_REVISION
    with ledger.open(blank_db_url) as lg:
        assert lg.append(TALKS).position == 1


def test_the_installed_package_carries_the_html_page_of_the_pictures(installed):
    assert (installed / "ledger" / "pictures" / "page.html.mako").is_file()


def test_the_installed_package_prints_its_help_without_typer(installed, tmp_path):
    """`ledger --help` is rendered from ledger/cli/root_help.json, which the wheel must carry."""
    script = (
        "import sys; sys.argv = ['ledger', '--help']; from ledger.cli.entry import main; main(); "
        "import ledger.cli.root_help as shown; "
        "sys.stderr.write(shown.DATA.as_posix() + ' ' + str('typer' in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(installed)}
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Usage: ledger [OPTIONS] COMMAND [ARGS]...")
    assert run.stderr == f"{(installed / 'ledger' / 'cli' / 'root_help.json').as_posix()} False"


def test_the_development_checkout_runs_its_own_migrations():
    assert Path(migrations.script_location()) == REPO / "alembic"


def test_upgrading_a_ledger_with_events_keeps_them_and_rebuilds_its_projections(blank_db_url):
    """0003 recreates a projection table and 0004 clears the projections; the log is untouched and the
    next command sees full state."""
    v1_ledger(blank_db_url, revision="0002")
    with ledger.open(blank_db_url) as lg:
        lg.store._schema_checked = True
        before = lg.head()

    assert ledger_cli(blank_db_url, "init").exit_code == 0

    with ledger.open(blank_db_url) as lg:
        assert lg.head() == before
        assert lg.show("partnership:nissan-foxconn-oppama")["stage_basis"] == "reported"
    assert ledger_cli(blank_db_url, "rebuild", "--check").exit_code == 0


def schema(url: str) -> dict[str, list[str]]:
    """Each table's columns and indexes, as the database describes them."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found = inspect(connection)
            return {
                table: sorted(
                    [f"column {c['name']} {c['type']}" for c in found.get_columns(table)]
                    + [f"index {i['name']}" for i in found.get_indexes(table)]
                )
                for table in found.get_table_names()
            }
    finally:
        engine.dispose()


def test_every_migration_downgrades_and_upgrades_again_to_the_same_schema(blank_db_url):
    config = Config()
    config.set_main_option("script_location", migrations.script_location())
    assert ledger_cli(blank_db_url, "init").exit_code == 0
    at_head = schema(blank_db_url)

    engine = create_engine(blank_db_url)
    try:
        for target in ("0002", "0001", "base"):
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                command.downgrade(config, target)
            assert revision(blank_db_url) == (None if target == "base" else target)
        assert tables(blank_db_url) <= {"alembic_version"}
    finally:
        engine.dispose()

    assert ledger_cli(blank_db_url, "init").exit_code == 0
    assert schema(blank_db_url) == at_head
    assert ledger_cli(blank_db_url, "import", "-", input=jsonl(EVERY_TYPE)).exit_code == 0


# -- inits at once (issue 13, item 8) -------------------------------------------------------------------
RACER = """
import sys, time
from pathlib import Path
from ledger.cli.app import main
import ledger.api, ledger.store.migrations, sqlalchemy, alembic.command  # loaded before the start line
go = Path(sys.argv[2])
Path(sys.argv[3]).touch()
while not go.exists():
    time.sleep(0.001)
sys.argv = ["ledger", "--db", sys.argv[1], "init"]
main()
"""


def test_inits_at_once_take_turns_one_migrates_and_every_one_reports_the_same(blank_db_url, tmp_path):
    go = tmp_path / "go"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, blank_db_url, str(go), str(tmp_path / f"ready-{i}")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for i in range(3)
    ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)  # until every racer has its modules loaded and waits at the line
    go.touch()
    outcomes = [(r.wait(timeout=120), r.stderr.read() if r.stderr else "") for r in racers]

    expected = f"ledger ready at {blank_db_url} (schema {migrations.HEAD_REVISION})\n"
    assert outcomes == [(0, expected)] * 3
    assert revision(blank_db_url) == migrations.HEAD_REVISION
    assert ledger_cli(blank_db_url, "verify").exit_code == 0
