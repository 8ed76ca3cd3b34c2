"""The append-only guards against every SQL path to a stored row, on both backends (issue 13, item 3).

Each statement below is run on a plain driver connection with the driver's default settings, as anyone
holding the database file or the owner's credentials would run it. Each must be refused, and every row of
every append-only table must be as it was. `verify` reports a guard that is missing, disabled or altered,
and `ledger init` puts it back.
"""

from __future__ import annotations

import json
import shutil

import pytest
from reliability.support import Probe, probe
from support.databases import create_pg_database, drop_pg_database, pg_url
from support.factories import EVERY_TYPE, correction, talks
from support.runner import jsonl, ledger_cli, one_error_line

import ledger
from ledger.store.guards import KEY_ONLY

APPEND_ONLY = (
    "events",
    "event_entities",
    "event_refs",
    "event_names",
    "group_index",
    "index_changes",
    "tree_nodes",
    "checkpoints",
)
# Each table's key and a column that is not part of it.
KEYS = {
    "events": ("position", "body"),
    "event_entities": ("entity_id, position", "entity_id"),
    "event_refs": ("position, ref_position", "ref_position"),
    "event_names": ("name, position, role", "role"),
    "group_index": ("entity_id, position", "entity_id"),
    "index_changes": ("entity_id, position, at_position", "present"),
    "tree_nodes": ("tree_size, level", "hash"),
    "checkpoints": ("seq", "note"),
}
EVENT_COLUMNS = "position, id, type, occurred_at, occurred_key, recorded_at, body, prev_hash, hash"

SQLITE_PATHS = {
    # An event rewritten in place: the old row is deleted by the conflict, without a DELETE trigger.
    "INSERT OR REPLACE rewrites an event": (
        "INSERT OR REPLACE INTO events SELECT position, id, type, occurred_at, occurred_key, recorded_at, "
        "replace(body, 'Nissan', 'Nissam'), prev_hash, hash FROM events WHERE position = 1"
    ),
    # A new position with an old id: REPLACE deletes the tail's last event to make room.
    "REPLACE INTO removes the tail": (
        f"REPLACE INTO events ({EVENT_COLUMNS}) SELECT position + 1000, id, type, occurred_at, "
        "occurred_key, recorded_at, body, prev_hash, hash FROM events "
        "WHERE position = (SELECT MAX(position) FROM events)"
    ),
    "UPDATE OR REPLACE": "UPDATE OR REPLACE events SET position = 1 WHERE position = 2",
    **{
        f"INSERT OR REPLACE on {table}": f"INSERT OR REPLACE INTO {table} SELECT * FROM {table}"
        for table in APPEND_ONLY
        if table not in KEY_ONLY
    },
    **{
        f"REPLACE INTO {table}": f"REPLACE INTO {table} SELECT * FROM {table}"
        for table in APPEND_ONLY
        if table not in KEY_ONLY
    },
    **{
        f"upsert DO UPDATE on {table}": (
            f"INSERT INTO {table} SELECT * FROM {table} WHERE true "
            f"ON CONFLICT ({KEYS[table][0]}) DO UPDATE SET {KEYS[table][1]} = excluded.{KEYS[table][1]}"
        )
        for table in APPEND_ONLY
    },
    **{f"DELETE from {table}": f"DELETE FROM {table}" for table in APPEND_ONLY},
    **{
        f"UPDATE of {table}": f"UPDATE {table} SET {KEYS[table][1]} = {KEYS[table][1]}"
        for table in APPEND_ONLY
    },
}
POSTGRESQL_PATHS = {
    **{
        f"upsert DO UPDATE on {table}": (
            f"INSERT INTO {table} SELECT * FROM {table} "
            f"ON CONFLICT ({KEYS[table][0]}) DO UPDATE SET {KEYS[table][1]} = excluded.{KEYS[table][1]}"
        )
        for table in APPEND_ONLY
    },
    **{
        f"MERGE deleting from {table}": (
            f"MERGE INTO {table} t USING {table} s ON "
            + " AND ".join(f"t.{k} = s.{k}" for k in KEYS[table][0].split(", "))
            + " WHEN MATCHED THEN DELETE"
        )
        for table in APPEND_ONLY
    },
    **{f"TRUNCATE {table} CASCADE": f"TRUNCATE {table} CASCADE" for table in APPEND_ONLY},
    # A superuser's session that skips ordinary triggers (and foreign keys): the guards fire always.
    **{
        f"DELETE from {table} as a replica": f"SET session_replication_role = replica; DELETE FROM {table}"
        for table in APPEND_ONLY
    },
    "UPDATE of events as a replica": (
        "SET session_replication_role = replica; UPDATE events SET body = replace(body, 'Nissan', 'Nissam')"
    ),
}


# Tables made only of their key: a REPLACE removes a row and puts the same row back. Not refused (no
# trigger guards it: see ledger.store.guards.KEY_ONLY), and nothing changes.
KEY_ONLY_REPLACES = [(table, verb) for table in KEY_ONLY for verb in ("INSERT OR REPLACE", "REPLACE")]


def every_row(p: Probe) -> dict[str, list[tuple]]:
    return {
        table: [tuple(r) for r in p.connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]
        for table in APPEND_ONLY
    }


def fill(url: str) -> str:
    """Give every append-only table rows: every type, a correction that moved the index, a checkpoint."""
    claim = talks(partnership="partnership:first-name")
    moved = correction(claim, {**claim["data"], "partnership": "partnership:second-name"})
    assert ledger_cli(url, "import", "-", input=jsonl([*EVERY_TYPE, claim, moved])).exit_code == 0
    assert ledger_cli(url, "checkpoint").exit_code == 0
    return url


@pytest.fixture
def full(db_url: str) -> str:
    return fill(db_url)


@pytest.fixture(scope="module")
def shared(request, tmp_path_factory):
    """One filled ledger per backend for the whole table of statements: each is refused, so each finds
    the ledger as the last one left it (a statement that got through fails its own case and the next)."""
    made: dict[str, str] = {}

    def get(backend: str) -> str:
        if backend not in made:
            if backend == "sqlite":
                path = tmp_path_factory.mktemp("guards") / "ledger.db"
                shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
                made[backend] = fill(f"sqlite:///{path}")
            else:
                admin = request.getfixturevalue("pg_admin")
                name = create_pg_database(admin, template=request.getfixturevalue("pg_template"))
                request.addfinalizer(lambda: drop_pg_database(admin, name))
                made[backend] = fill(pg_url(name))
        return made[backend]

    return get


CASES = [
    pytest.param(backend, sql, id=f"{backend}: {name}")
    for backend, paths in (("sqlite", SQLITE_PATHS), ("postgresql", POSTGRESQL_PATHS))
    for name, sql in paths.items()
]


@pytest.mark.parametrize(("backend", "sql"), CASES, indirect=["backend"])
def test_every_sql_path_to_a_stored_row_is_refused_and_changes_nothing(backend, shared, sql):
    url = shared(backend)
    with probe(url) as p:
        before = every_row(p)
        with pytest.raises(Exception, match="append-only"):
            for statement in sql.split("; "):
                p.connection.execute(statement)
    with probe(url) as p:
        assert every_row(p) == before


@pytest.mark.parametrize(
    ("table", "verb"), KEY_ONLY_REPLACES, ids=[f"{v} on {t}" for t, v in KEY_ONLY_REPLACES]
)
def test_a_replace_on_a_table_made_only_of_its_key_changes_nothing(shared, table, verb):
    url = shared("sqlite")
    with probe(url) as p:
        before = every_row(p)
        assert before[table], "the table has rows to replace"
        p.connection.execute(f"{verb} INTO {table} SELECT * FROM {table}")
    with probe(url) as p:
        assert every_row(p) == before
    assert ledger_cli(url, "verify").exit_code == 0


# -- a guard missing, disabled or altered ---------------------------------------------------------------
def _drop_a_guard(p: Probe) -> str:
    if p.dialect == "sqlite":
        p.connection.execute("DROP TRIGGER event_entities_no_delete")
        return "event_entities_no_delete"
    p.connection.execute("DROP TRIGGER event_entities_append_only ON event_entities")
    return "event_entities_append_only"


def _disable_a_guard(p: Probe) -> str:
    if p.dialect == "sqlite":  # SQLite cannot disable a trigger: drop it and create a harmless one instead
        p.connection.execute("DROP TRIGGER events_no_replace")
        p.connection.execute(
            "CREATE TRIGGER events_no_replace BEFORE INSERT ON events WHEN 0 BEGIN SELECT 1; END"
        )
        return "events_no_replace"
    p.connection.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")
    return "events_append_only"


def _alter_a_guard(p: Probe) -> str:
    if p.dialect == "sqlite":
        p.connection.execute("DROP TRIGGER tree_nodes_no_update")
        p.connection.execute(
            "CREATE TRIGGER tree_nodes_no_update BEFORE UPDATE ON tree_nodes WHEN NEW.level > 99 "
            "BEGIN SELECT RAISE(ABORT, 'ledger log is append-only: UPDATE on tree_nodes refused'); END"
        )
        return "tree_nodes_no_update"
    p.connection.execute(
        "CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RETURN NEW; END $$"
    )
    return "ledger_refuse_change"


@pytest.mark.parametrize("how", [_drop_a_guard, _disable_a_guard, _alter_a_guard], ids=lambda f: f.__name__)
def test_verify_reports_a_missing_disabled_or_altered_guard_and_init_restores_it(full, how):
    with probe(full) as p:
        name = how(p)

    result = ledger_cli(full, "verify")
    report = json.loads(ledger_cli(full, "verify", "--json").stdout)

    assert result.exit_code == 5
    line = one_error_line(result)
    assert line.startswith("error: integrity failure: the append-only guard ") and name in line, line
    assert (report["ok"], report["check"], report["first_bad_position"]) == (False, "guards", None)
    assert name in report["problem"]

    restored = ledger_cli(full, "init")
    assert restored.exit_code == 0, restored.stderr
    assert ledger_cli(full, "verify").exit_code == 0
    with probe(full) as p, pytest.raises(Exception, match="append-only"):
        p.connection.execute("DELETE FROM events")


def test_a_fresh_ledger_has_every_guard(db_url):
    with ledger.open(db_url) as lg:
        assert lg.verify().ok
