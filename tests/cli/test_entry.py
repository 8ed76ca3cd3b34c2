"""The console script's entry point (ledger/cli/entry.py): `ledger --help`, the read commands and
`checkpoint` are answered without Typer, and print the same bytes with the same exit code as the Typer
app, on success and on every error; anything else is handed to the app, so usage errors and help stay
its own. The entry runs in a subprocess, as the console script does; the app through CliRunner."""

from __future__ import annotations

import importlib.metadata
import inspect
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest
from support.databases import pg_url
from support.runner import ledger_cli
from typer.testing import CliRunner

from ledger.cli import bodies
from ledger.cli.app import COMMANDS as TYPER_COMMANDS
from ledger.cli.app import app
from ledger.cli.entry import COMMANDS, Command

SEED = resources.files("ledger") / "data" / "seed.jsonl"
OPPAMA, PARTNERSHIP, PLAN = "plant:nissan-oppama", "partnership:nissan-foxconn-oppama", "plan:re-nissan"
# The entry, run as the console script runs it, then the modules it loaded written where the test says.
ENTRY = textwrap.dedent(
    """
    import os, sys
    from ledger.cli.entry import main
    try:
        main()
    finally:
        with open(os.environ["LEDGER_TEST_MODULES"], "w") as out:
            out.write("\\n".join(sorted(sys.modules)))
    """
)
FRAMEWORKS = ("typer", "click", "rich", "pydantic")
# Never needed by a read: the validator, the vocabulary's models (a fold reads entity_fields.json), the
# schema's tooling.
HEAVY = ("ledger.validation", "ledger.vocabulary.registry", "msgspec", "sqlalchemy", "alembic")
FOLD = ("ledger.projections",)  # only for what folds the log


@dataclass
class Answer:
    exit_code: int
    stdout: bytes
    stderr: bytes
    modules: frozenset[str] = frozenset()

    def loaded(self, name: str) -> bool:
        return any(m == name or m.startswith(f"{name}.") for m in self.modules)


Entry = Callable[..., Answer]


@pytest.fixture
def entry(tmp_path: Path) -> Entry:
    """`ledger ARGS...` through the entry point in a fresh interpreter, in `tmp_path` unless told."""

    def run(*args: str, env: dict[str, str] | None = None, cwd: Path = tmp_path) -> Answer:
        modules = tmp_path / "modules.txt"
        environment = {
            k: v for k, v in os.environ.items() if k not in ("LEDGER_DB", "LEDGER_DEBUG", "COLUMNS")
        }
        environment |= {"LEDGER_TEST_MODULES": str(modules), **(env or {})}
        done = subprocess.run(
            [sys.executable, "-c", ENTRY, *args],
            capture_output=True,
            env=environment,
            cwd=cwd,
            timeout=120,
        )
        return Answer(done.returncode, done.stdout, done.stderr, frozenset(modules.read_text().split()))

    return run


def typer_app(*args: str, env: dict[str, str] | None = None) -> Answer:
    # Help laid out as in the subprocess, which has no terminal: 80 columns less click's 2 (CliRunner would
    # force 80).
    result = CliRunner().invoke(app, list(args), env=env, terminal_width=78)
    return Answer(result.exit_code, result.stdout_bytes, result.stderr_bytes)


def same(fast: Answer, typer: Answer) -> None:
    assert (fast.exit_code, fast.stdout.decode(), fast.stderr.decode()) == (
        typer.exit_code,
        typer.stdout.decode(),
        typer.stderr.decode(),
    )


@pytest.fixture
def seeded(db_url: str, tmp_path: Path) -> str:
    """The seed story, and a signer key in tmp_path/news.key (a file that is no key beside it)."""
    with resources.as_file(SEED) as path:
        assert ledger_cli(db_url, "import", str(path)).exit_code == 0
    generated = ledger_cli(db_url, "key", "generate", "example.com/news", "--out", str(tmp_path / "news.key"))
    assert generated.exit_code == 0, generated.stderr
    (tmp_path / "not.key").write_text("not a key\n")
    return db_url


ANSWERED = [
    ("show", OPPAMA),
    ("show", OPPAMA, "--json"),
    ("show", PARTNERSHIP, "--as-of", "2025-07-06", "--json"),
    ("show", PLAN, "--known-at=2030-01-01"),
    ("history", PARTNERSHIP),
    ("history", PARTNERSHIP, "--json", "--as-of", "2025-07-07"),
    ("claims",),
    ("claims", PARTNERSHIP, "--json"),
    ("claims", "--status", "reported"),
    ("list", "plants"),
    ("list", "companies", "--json"),
    ("list", "authorities"),
    ("events",),
    ("events", "--entity", OPPAMA, "-n", "2", "--reverse", "--json"),
    ("events", "--type", "plant.registered", "--since=3", "--limit", "5"),
    ("show", OPPAMA, "--format", "csv"),
    ("show", OPPAMA, "--format", "table"),
    ("history", PARTNERSHIP, "--format", "table", "--ledger-time"),
    ("history", PARTNERSHIP, "--oneline", "--no-pager"),
    ("history", PARTNERSHIP, "-n", "2", "--reverse", "--format", "nl"),
    ("history", PARTNERSHIP, "--since", "2025-07", "--until=2025-07-07", "--type", "report.no_comment"),
    ("history", PARTNERSHIP, "--after", "7", "--limit", "1", "--format", "tsv"),
    ("history", OPPAMA, "--all", "--json"),
    (
        "claims",
        "--status",
        "reported",
        "--status",
        "announced",
        "--type",
        "talks.reported",
        "--format",
        "csv",
    ),
    ("claims", "--source", "Nikkei", "--origin", "nikkei", "--by", "company:nissan", "--single-origin"),
    ("claims", "--anonymous-only", "--resolved", "--as-of", "2025-07-07", "--known-at", "@9", "-n", "3"),
    ("claims", PARTNERSHIP, "--stale", "90d", "--format", "table"),
    ("list", "plants", "--format", "nl"),
    ("events", "--recorded-since", "@3", "--recorded-until", "@9", "--format", "csv"),
    ("events", "--occurred-since", "2025-07", "--occurred-until", "2025-07-07", "--source", "Kyodo News"),
    ("events", "--by", "company:foxconn", "--format", "table"),
    ("changes", "--since", "@5"),
    ("changes", "--since", "@5", "--until", "@9", OPPAMA, PARTNERSHIP, "--json"),
    ("changes", "--since=@0", "--kind", "plants", "--format", "table"),
    ("search", "nissan"),
    ("search", "oppama", "--kind", "plants", "-n", "1", "--format", "csv"),
    ("checkpoint",),
    ("checkpoint", "--origin", "example.com/log"),
    ("checkpoint", "--sign", "news.key"),
    # The library's errors, each in its one line and exit code.
    ("show", "plant:nowhere"),
    ("show", "not-an-id"),
    ("show", OPPAMA, "--as-of", "yesterday"),
    ("history", OPPAMA, "--known-at", "2025-13-01"),
    ("history", "plant:nowhere", "--json"),
    ("claims", OPPAMA, "--status", "maybe"),
    ("claims", "company:nowhere"),
    ("list", "widgets"),
    ("events", "--entity", "plant:nowhere"),
    ("show", OPPAMA, "--format", "xml"),
    ("claims", "--json", "--format", "csv"),
    ("claims", "--stale", "soon"),
    ("history", OPPAMA, "--after", "99"),
    ("history", OPPAMA, "--all", "-n", "3"),
    ("history", OPPAMA, "--oneline", "--json"),
    ("events", "--recorded-since", "tomorrow"),
    ("changes", "--since", "@99"),
    ("search", "oppama", "--kind", "widgets"),
    ("checkpoint", "--sign", "missing.key"),
    ("checkpoint", "--sign", "not.key"),
    ("checkpoint", "--origin", ""),
    ("checkpoint", "--origin", "two\tlines"),
]


@pytest.mark.parametrize("args", ANSWERED, ids=" ".join)
def test_the_entry_answers_with_the_typer_apps_bytes_and_exit_code(
    seeded: str, entry: Entry, args: tuple[str, ...], tmp_path: Path, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # the key files are named relative to it, as in the subprocess
    fast = entry("--db", seeded, *args)
    same(fast, typer_app("--db", seeded, *args))
    assert not fast.loaded("typer"), "the entry handed an answerable command line to the Typer app"


def test_checkpoint_json_is_the_same_but_for_its_sequence_and_time(seeded: str, entry: Entry):
    fast = entry("--db", seeded, "checkpoint", "--json")
    typer = typer_app("--db", seeded, "checkpoint", "--json")
    assert (fast.exit_code, fast.stderr) == (typer.exit_code, typer.stderr) == (0, b"")
    first, second = json.loads(fast.stdout), json.loads(typer.stdout)
    assert second.pop("seq") == first.pop("seq") + 1
    assert first.pop("issued_at") <= second.pop("issued_at")
    assert first == second


def test_the_database_comes_from_ledger_db_or_the_default_as_in_the_app(
    seeded: str, entry: Entry, tmp_path: Path, monkeypatch
):
    from_env = entry("show", OPPAMA, env={"LEDGER_DB": seeded})
    same(from_env, typer_app("show", OPPAMA, env={"LEDGER_DB": seeded}))
    assert from_env.exit_code == 0 and not from_env.loaded("typer")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # no --db and LEDGER_DB empty: ./ledger.db, which is not there
    default = entry("show", OPPAMA, env={"LEDGER_DB": ""}, cwd=elsewhere)
    same(default, typer_app("show", OPPAMA, env={"LEDGER_DB": ""}))
    assert default.exit_code == 1 and b"ledger init" in default.stderr


def test_a_ledger_without_schema_is_the_same_error(blank_db_url: str, entry: Entry):
    for args in (("show", OPPAMA), ("list", "plants", "--json"), ("checkpoint",)):
        fast = entry(f"--db={blank_db_url}", *args)
        same(fast, typer_app(f"--db={blank_db_url}", *args))
        assert fast.exit_code == 1 and b"run `ledger init`" in fast.stderr


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////nonexistent-folder/ledger.db",
        "sqlite:///relative/missing.db",
        "sqlite:///x.db?cache=shared",  # a parameter the ledger does not read
        "mysql://somewhere/db",
    ],
)
def test_a_database_that_is_not_there_is_the_same_error(url: str, entry: Entry, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fast = entry("--db", url, "history", OPPAMA)
    same(fast, typer_app("--db", url, "history", OPPAMA))
    assert fast.exit_code == 1 and fast.stderr.startswith(b"error: ")


def test_a_postgresql_database_that_is_not_there_is_the_same_error(pg_admin, entry: Entry):
    url = pg_url("ledger_test_never_created")
    fast = entry("--db", url, "show", OPPAMA)
    same(fast, typer_app("--db", url, "show", OPPAMA))
    assert fast.exit_code == 1 and fast.stderr.startswith(b"error: ")


HANDED_ON = [
    ("show",),  # a missing argument
    ("show", OPPAMA, "extra"),
    ("show", OPPAMA, "--bogus"),  # an unknown option
    ("show", OPPAMA, "--json=yes"),
    ("show", OPPAMA, "--as-of"),  # an option without its value
    ("show", OPPAMA, "--as-of", "--json"),
    ("show", OPPAMA, "--as-of", "2025", "--as-of", "2026"),
    ("show", "--help"),
    ("history", OPPAMA, "-h"),
    ("events", "--limit", "0"),  # out of its range
    ("events", "-n", "x"),
    ("events", "-n5"),
    ("events", "--since", "-1"),
    ("events", "--since", "+3"),
    ("claims", "--", OPPAMA),
    ("changes", OPPAMA),  # a required option missing
    ("history", OPPAMA, "--after", "0"),
    ("search", "--help"),
    ("types",),  # commands the entry does not answer
    ("verify",),
    ("frobnicate",),
    (),
]


@pytest.mark.parametrize("args", HANDED_ON, ids=lambda a: " ".join(a) or "(nothing)")
def test_what_the_entry_does_not_fully_understand_goes_to_the_typer_app(
    sqlite_template: Path, entry: Entry, args: tuple[str, ...], tmp_path: Path
):
    path = tmp_path / "ledger.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    fast = entry("--db", url, *args)
    same(fast, typer_app("--db", url, *args))
    assert fast.loaded("typer")


@pytest.mark.parametrize("root", [("--db",), ("--db", "--json"), ("--db=a", "--db=b"), ("--verbose",)])
def test_root_options_it_does_not_understand_go_to_the_typer_app(entry: Entry, root: tuple[str, ...]):
    fast = entry(*root, "show", OPPAMA)
    same(fast, typer_app(*root, "show", OPPAMA))
    assert fast.loaded("typer")


@pytest.mark.parametrize("columns", ["20", "60", "79", "80", "100", "200"])
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_root_help_is_the_typer_apps_at_every_width_without_typer(entry: Entry, columns: str, flag: str):
    fast = entry(flag, env={"COLUMNS": columns})
    typer = subprocess.run(
        [sys.executable, "-c", "from ledger.cli.app import main; main()", flag],
        capture_output=True,
        env={k: v for k, v in os.environ.items() if k != "LEDGER_DB"} | {"COLUMNS": columns},
        timeout=120,
    )
    assert (fast.exit_code, fast.stdout.decode(), fast.stderr) == (
        typer.returncode,
        typer.stdout.decode(),
        typer.stderr,
    )
    assert fast.stdout.startswith(b"Usage: ledger [OPTIONS] COMMAND [ARGS]...")
    assert not any(fast.loaded(name) for name in (*FRAMEWORKS, "ledger.api"))


READS = [
    (("show", OPPAMA), ()),
    (("show", OPPAMA, "--json"), ()),
    (("list", "plants"), ()),
    (("events", "--entity", OPPAMA), ()),
    (("claims",), ()),
    (("checkpoint", "--sign", "news.key"), ()),
    (("history", PARTNERSHIP), FOLD),  # a fold of the entity's events
    (("claims", PARTNERSHIP), FOLD),
    (("search", "oppama"), ()),
    (("changes", "--since", "@5"), FOLD),  # the entities folded at both moments
    (("claims", "--format", "csv"), ()),
    (("show", PLAN, "--as-of", "2025-07-06"), FOLD),
]


@pytest.mark.parametrize(("args", "needed"), READS, ids=[" ".join(args) for args, _ in READS])
def test_a_read_loads_no_cli_framework_nor_the_validator(
    seeded: str, entry: Entry, args: tuple[str, ...], needed: tuple[str, ...]
):
    answer = entry("--db", seeded, *args)
    assert answer.exit_code == 0, answer.stderr
    unwanted = [*FRAMEWORKS, *HEAVY, *(name for name in FOLD if name not in needed)]
    assert [name for name in unwanted if answer.loaded(name)] == []


# What a read's start-up does without, though pathlib and urllib are a tenth of it: a file path is a string
# until a write needs more.
STARTUP = ("pathlib", "urllib", "calendar")
STARTUP_READS = [args for args, _needed in READS if args[0] != "checkpoint"]


@pytest.mark.parametrize("backend", ["sqlite"])  # psycopg's own import loads them
@pytest.mark.parametrize("args", STARTUP_READS, ids=[" ".join(args) for args in STARTUP_READS])
def test_a_read_starts_without_pathlib_or_urllib(seeded: str, tmp_path: Path, args: tuple[str, ...]):
    # As from an installed wheel: `-S` skips site's .pth files, whose editable-install finder (the
    # checkout's) imports pathlib itself; the checkout and site-packages are given as the path instead.
    import sysconfig

    modules = tmp_path / "startup.txt"
    environment = {k: v for k, v in os.environ.items() if k not in ("LEDGER_DB", "LEDGER_DEBUG")}
    environment |= {
        "LEDGER_TEST_MODULES": str(modules),
        "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[2]), sysconfig.get_paths()["purelib"]]),
    }
    done = subprocess.run(
        [sys.executable, "-S", "-c", ENTRY, "--db", seeded, *args],
        capture_output=True,
        env=environment,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    answer = Answer(done.returncode, done.stdout, done.stderr, frozenset(modules.read_text().split()))
    assert [name for name in STARTUP if answer.loaded(name)] == []


def declared(command: str) -> tuple[list[tuple[str, bool]], dict[str, tuple[object, ...]]]:
    """A Typer command's (arguments, options) as the entry declares them."""
    import typer.main

    params = typer.main.get_command(app).commands[command].params
    arguments = [(p.name, p.required) for p in params if p.param_type_name == "argument"]
    options = {
        p.name: (
            tuple(sorted([*p.opts, *p.secondary_opts])),
            p.is_flag,
            p.multiple,
            p.type_descriptor.annotation is int,
            getattr(p, "min", None),
        )
        for p in params
        if p.param_type_name == "option"
    }
    return arguments, options


def spec(command: Command) -> tuple[list[tuple[str, bool]], dict[str, tuple[object, ...]]]:
    options = {
        o.dest: (tuple(sorted(o.names)), o.flag, o.repeatable, o.integer, o.minimum) for o in command.options
    }
    return list(command.arguments), options


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_entrys_declarations_are_the_typer_commands(name: str):
    assert name in TYPER_COMMANDS
    assert spec(COMMANDS[name]) == declared(name)
    # ... and the body both paths call takes exactly those parameters, after the database URL.
    parameters = list(inspect.signature(getattr(bodies, COMMANDS[name].body)).parameters)
    arguments, options = declared(name)
    assert parameters == ["db", *(dest for dest, _ in arguments), *options]


def test_the_console_script_starts_at_the_entry():
    (script,) = importlib.metadata.entry_points(group="console_scripts", name="ledger")
    assert script.value == "ledger.cli.entry:main"
