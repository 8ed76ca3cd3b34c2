"""Least privilege on PostgreSQL (issue 5): the CLI runs as a role that may only INSERT and SELECT the
log's tables, with exactly the grants docs/GUARANTEES.md gives (the test runs the SQL from the doc);
that role cannot change or remove a logged row, nor switch the guard off. (That the append-only
triggers hold for the tables' owner too is tested in tests/integration/test_store.py.)
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from support.factories import EVERY_TYPE
from support.runner import jsonl, ledger_cli

from reliability.support import APPEND_COMPANY, REPO_ROOT

GUARANTEES = REPO_ROOT / "docs" / "GUARANTEES.md"
DOC_ROLE = "ledger_app"

pytestmark = pytest.mark.parametrize("backend", ["postgresql"])


def documented_grants() -> str:
    """The SQL block of the least-privilege section of docs/GUARANTEES.md."""
    text = GUARANTEES.read_text()
    block = re.search(r"<!-- least-privilege-sql -->\s*```sql\n(.*?)```", text, re.S)
    assert block, f"no least-privilege SQL block in {GUARANTEES}"
    return block[1]


def _connect(url: str, role: str | None = None) -> psycopg.Connection:
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    if role:
        conninfo = conninfo.replace("postgres@", f"{role}@", 1)
    return psycopg.connect(conninfo, autocommit=True)


@pytest.fixture
def app_role(db_url: str, pg_admin) -> Iterator[tuple[str, str]]:
    """A login role with the documented grants on this ledger's database; (role, its URL)."""
    role = f"ledger_app_{uuid.uuid4().hex[:8]}"
    database = db_url.rsplit("/", 1)[1]
    sql = documented_grants().replace(DOC_ROLE, role).replace("ledger_db", database)
    with _connect(db_url) as owner:
        for statement in filter(str.strip, sql.split(";")):
            owner.execute(statement)
    try:
        yield role, db_url.replace("postgres@", f"{role}@", 1)
    finally:
        with _connect(db_url) as owner:
            owner.execute(f"DROP OWNED BY {role}")
        pg_admin.execute(f"DROP ROLE {role}")


def test_the_documented_role_runs_every_command_but_init(db_url, app_role, tmp_path: Path):
    _role, url = app_role
    events = tmp_path / "events.jsonl"
    events.write_text(jsonl(EVERY_TYPE))
    for args in (
        ("import", str(events)),
        APPEND_COMPANY,
        ("verify",),
        ("rebuild",),
        ("rebuild", "--check"),
        ("show", "plant:nissan-oppama"),
        ("history", "company:nissan"),
        ("claims",),
        ("export",),
        ("checkpoint",),
        ("prove", "1"),
        ("prove", "--consistency", "1"),
    ):
        result = ledger_cli(url, *args)
        assert result.exit_code == 0, (args, result.stderr)
    assert ledger_cli(db_url, "verify").stdout.startswith(f"ok: {len(EVERY_TYPE) + 1} events")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE events SET type = 'mou.signed' WHERE position = 1",
        "DELETE FROM events WHERE position = 1",
        "DELETE FROM event_entities",
        "UPDATE event_refs SET ref_position = 1",
        "UPDATE tree_nodes SET hash = hash WHERE level = 0",
        "DELETE FROM checkpoints",
        "TRUNCATE tree_nodes",
        "TRUNCATE events CASCADE",
        "ALTER TABLE events DISABLE TRIGGER USER",
        "DROP TABLE events CASCADE",
        "CREATE TABLE decoy (x int)",
    ],
)
def test_the_documented_role_cannot_change_remove_or_unguard_the_log(db_url, app_role, sql):
    role, url = app_role
    assert ledger_cli(url, "import", "-", input=jsonl(EVERY_TYPE)).exit_code == 0
    assert ledger_cli(url, "checkpoint").exit_code == 0
    before = ledger_cli(db_url, "export").stdout
    with _connect(db_url, role) as connection, pytest.raises(psycopg.errors.InsufficientPrivilege):
        connection.execute(sql)
    assert ledger_cli(db_url, "export").stdout == before


def test_init_as_the_documented_role_fails_with_one_line(blank_db_url, pg_admin):
    """Creating the schema is the owner's job: the application role gets a clear refusal."""
    role = f"ledger_app_{uuid.uuid4().hex[:8]}"
    database = blank_db_url.rsplit("/", 1)[1]
    pg_admin.execute(f"CREATE ROLE {role} LOGIN")
    pg_admin.execute(f"GRANT CONNECT ON DATABASE {database} TO {role}")
    try:
        result = ledger_cli(blank_db_url.replace("postgres@", f"{role}@", 1), "init")
        assert result.exit_code == 1
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
        assert "permission denied" in result.stderr
    finally:
        pg_admin.execute(f"REVOKE ALL ON DATABASE {database} FROM {role}")
        pg_admin.execute(f"DROP ROLE {role}")
