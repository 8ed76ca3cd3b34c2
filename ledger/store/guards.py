"""The append-only guards: the triggers that make the database itself refuse any change to a logged row,
on every SQL path, whoever connects. One definition, used by the migrations that install them, by
`verify` (which reports a guard missing, disabled or altered) and by `init` (which restores it).

SQLite: BEFORE UPDATE and BEFORE DELETE triggers, and a BEFORE INSERT trigger that refuses a row whose key
is already stored. The last closes `INSERT OR REPLACE`, `REPLACE INTO` and the REPLACE conflict policy,
which delete the conflicting row without firing DELETE triggers (unless the connection turned
`recursive_triggers` on, which an attacker's does not). Tables made only of their key (`KEY_ONLY`) need
no such trigger: what a REPLACE removes there, it puts back unchanged.
PostgreSQL: one function raising `insufficient_privilege`, fired BEFORE UPDATE OR DELETE for each row and
BEFORE TRUNCATE, enabled ALWAYS, so a superuser's `session_replication_role = replica` does not skip it.
Upserts and MERGE that would change a row fire the UPDATE or DELETE trigger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ledger.store.sql import Sql

# Each append-only table and its keys (a REPLACE conflicts on any of them).
APPEND_ONLY: dict[str, tuple[tuple[str, ...], ...]] = {
    "events": (("position",), ("id",)),
    "event_entities": (("entity_id", "position"),),
    "event_refs": (("position", "ref_position"),),
    "event_names": (("name", "position", "role"),),
    "group_index": (("entity_id", "position"),),
    "index_changes": (("entity_id", "position", "at_position"),),
    "tree_nodes": (("tree_size", "level"),),
    "checkpoints": (("seq",),),
}
# Tables whose every column is their key: a REPLACE can only put back the very row it removed, so it
# changes nothing, and a BEFORE INSERT trigger would only cost each of the million rows an import
# writes an extra look-up (2.7 s of a 1M import). UPDATE and DELETE stay refused.
KEY_ONLY = ("event_entities", "event_refs", "event_names", "group_index")
_REFUSED = "ledger log is append-only"


def _sqlite_refusal(table: str, action: str) -> str:
    return (
        f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{_REFUSED}: {action} on {table} refused'); END"
    )


def sqlite_no_replace(table: str) -> str:
    """The trigger that refuses an INSERT over a stored row of `table` (migration 0006 installed it on
    every append-only table; 0007 dropped it from the KEY_ONLY ones)."""
    keys = " OR ".join(
        "(" + " AND ".join(f"{column} = NEW.{column}" for column in key) + ")" for key in APPEND_ONLY[table]
    )
    return (
        f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
        f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {keys}) "
        f"BEGIN SELECT RAISE(ABORT, '{_REFUSED}: INSERT over a stored row of {table} refused'); END"
    )


# name -> (table, CREATE TRIGGER statement), exactly as sqlite_master keeps it.
SQLITE_TRIGGERS: dict[str, tuple[str, str]] = {
    f"{table}_no_{kind}": (table, sql)
    for table in APPEND_ONLY
    for kind, sql in (
        ("update", _sqlite_refusal(table, "UPDATE")),
        ("delete", _sqlite_refusal(table, "DELETE")),
        *([] if table in KEY_ONLY else [("replace", sqlite_no_replace(table))]),
    )
}

PG_FUNCTION = "ledger_refuse_change"
PG_FUNCTION_BODY = """
BEGIN
    RAISE EXCEPTION 'ledger log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
"""
_PG_ROW_UPDATE_DELETE = 1 | 2 | 8 | 16  # pg_trigger.tgtype: ROW, BEFORE, DELETE, UPDATE
_PG_BEFORE_TRUNCATE = 2 | 32  # BEFORE, TRUNCATE (for each statement)
# name -> (table, tgtype, what it fires on)
PG_TRIGGERS: dict[str, tuple[str, int, str]] = {
    name: (table, tgtype, timing)
    for table in APPEND_ONLY
    for name, tgtype, timing in (
        (f"{table}_append_only", _PG_ROW_UPDATE_DELETE, "BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW"),
        (f"{table}_no_truncate", _PG_BEFORE_TRUNCATE, "BEFORE TRUNCATE ON {table} FOR EACH STATEMENT"),
    )
}


def pg_function_sql() -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS "
        f"$${PG_FUNCTION_BODY}$$"
    )


def pg_trigger_sql(name: str) -> list[str]:
    """The statements that (re)create one PostgreSQL guard, enabled ALWAYS."""
    table, _tgtype, timing = PG_TRIGGERS[name]
    return [
        f"DROP TRIGGER IF EXISTS {name} ON {table}",
        f"CREATE TRIGGER {name} {timing.format(table=table)} EXECUTE FUNCTION {PG_FUNCTION}()",
        f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {name}",
    ]


# The append-only tables' oids, in the schema the ledger's statements resolve them in.
_LOG_OIDS = "WITH log(oid) AS (SELECT to_regclass(t)::oid FROM unnest(?::text[]) AS t)"


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True, slots=True)
class GuardProblem:
    """A guard that is not as installed: its name (a trigger, the function, or a rule that must not be
    there) and what is wrong, as a sentence."""

    name: str
    problem: str

    @classmethod
    def of(cls, name: str, table: str | None, state: str) -> GuardProblem:
        where = f" on {table}" if table else ""
        return cls(name, f"the append-only guard {name}{where} is {state}")


class Guards:
    """Checking and restoring the guards, inside one transaction."""

    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    def problems(self) -> list[GuardProblem]:
        """Every guard that is missing, disabled or altered (empty: all in place)."""
        return self._sqlite_problems() if self.sql.dialect == "sqlite" else self._pg_problems()

    def restore(self) -> list[GuardProblem]:
        """Put back every guard `problems` finds (the owner's privileges needed); returns what it fixed."""
        found = self.problems()
        if not found:
            return found
        if self.sql.dialect == "sqlite":
            for problem in found:
                self.sql.ddl(f"DROP TRIGGER IF EXISTS {problem.name}")
                self.sql.ddl(SQLITE_TRIGGERS[problem.name][1])
            return found
        if PG_FUNCTION in {p.name for p in found}:
            self.sql.ddl(pg_function_sql())
        for problem in found:
            if problem.name in PG_TRIGGERS:
                for statement in pg_trigger_sql(problem.name):
                    self.sql.ddl(statement)
            elif problem.name.startswith("rule "):
                rule, table = problem.name.removeprefix("rule ").split(" on ")
                self.sql.ddl(f"DROP RULE IF EXISTS {rule} ON {table}")
        return found

    def _sqlite_problems(self) -> list[GuardProblem]:
        stored = {
            name: (table, sql)
            for name, table, sql in self.sql.rows(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
            )
        }
        found = []
        for name, (table, create) in SQLITE_TRIGGERS.items():
            if name not in stored:
                found.append(GuardProblem.of(name, table, "missing"))
            elif stored[name][0] != table or _squeezed(stored[name][1] or "") != _squeezed(create):
                found.append(GuardProblem.of(name, table, "altered"))
        return found

    def _pg_problems(self) -> list[GuardProblem]:
        found = []
        functions = self.sql.rows(
            "SELECT p.prosrc, l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang "
            "WHERE p.oid = to_regprocedure(?)",
            (f"{PG_FUNCTION}()",),
        )
        if not functions:
            found.append(GuardProblem.of(PG_FUNCTION, None, "missing"))
        elif _squeezed(functions[0][0]) != _squeezed(PG_FUNCTION_BODY) or functions[0][1] != "plpgsql":
            found.append(GuardProblem.of(PG_FUNCTION, None, "altered"))
        stored = {
            (name, table): (tgtype, enabled, function)
            for name, table, tgtype, enabled, function in self.sql.rows(
                f"{_LOG_OIDS} SELECT t.tgname, c.relname, t.tgtype, t.tgenabled, "
                "t.tgfoid = to_regprocedure(?) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND c.oid IN (SELECT oid FROM log)",
                (list(APPEND_ONLY), f"{PG_FUNCTION}()"),
            )
        }
        for name, (table, tgtype, _timing) in PG_TRIGGERS.items():
            held = stored.get((name, table))
            if held is None:
                found.append(GuardProblem.of(name, table, "missing"))
            elif held[0] != tgtype or not held[2]:
                found.append(GuardProblem.of(name, table, "altered"))
            elif held[1] != "A":
                found.append(GuardProblem.of(name, table, "disabled"))
        # A rule can rewrite a statement on a log table into another (or into nothing) before any trigger.
        for rule, table in self.sql.rows(
            f"{_LOG_OIDS} SELECT r.rulename, c.relname FROM pg_rewrite r "
            "JOIN pg_class c ON c.oid = r.ev_class WHERE c.oid IN (SELECT oid FROM log)",
            (list(APPEND_ONLY),),
        ):
            found.append(
                GuardProblem(f"rule {rule} on {table}", f"the rule {rule} rewrites statements on {table}")
            )
        return found
