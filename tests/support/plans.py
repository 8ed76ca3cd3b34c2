"""Query plans of the SQL the store really runs: every statement on a log table is recorded with its
parameters and the function that sent it, then EXPLAINed in the transaction that ran it, on its
connection, once that transaction has done its work and before it commits.

There the planner sees the tables as large as the transaction made them, with the statistics it found
or left: for an import on PostgreSQL, statistics only from `LogTables._keep_statistics`, whose ANALYZE
runs each time the log has grown by half, so the log is up to half again as large as the planner was
last told. Each statement is planned with each of its runs at the largest log it met in the transaction:
every run of a query, the last chunk's of an import. (A run sent while the import's log was still small
may be planned as a scan of that small log; it is not judged.)

The store sends every statement through `ledger.store.sql.Sql` (`rows`, `stream`, `run`; `rows_in` and
`run_in` call them) inside `EventStore._transaction`, so patching those four sees them all.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import ledger
from ledger.store.connection import EventStore
from ledger.store.sql import Sql

LOG_TABLES = ("events", "event_entities", "event_refs", "event_names")  # what grows with the log
_LEDGER = Path(ledger.__file__).resolve().parent
_NOT_SENDERS = {str(_LEDGER / "store" / "sql.py"), __file__}
_EXPLAINABLE = ("SELECT", "WITH", "DELETE", "UPDATE")
_KEY_LIST = re.compile(r"\?(?:,\s*\?)+")  # SQLite's IN (?,?,...) of a lookup by many keys
# A log table after FROM or JOIN, and the alias it goes by (SQLite's plan names the alias).
_TABLE_REF = re.compile(
    r"\b(?:FROM|JOIN)\s+(" + "|".join(LOG_TABLES) + r")\b(?:\s+(?:AS\s+)?(?!(?:WHERE|ON|CROSS|JOIN|LEFT|"
    r"INNER|ORDER|GROUP|LIMIT)\b)(\w+))?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Sent:
    """One statement as the store sent it."""

    phase: str  # what the test was doing (`import`, `show --as-of`, ...)
    origin: str  # the function that sent it, e.g. "LogTables.entity_events"
    callers: tuple[str, ...]  # the ledger functions above it, innermost first
    sql: str  # as sent, in the backend's placeholders
    params: tuple[Any, ...]
    log_size: int  # the last position of the log the transaction saw as it sent it


@dataclass(frozen=True)
class Planned:
    """A run of a statement (sent `runs` times in its transaction) and its plan."""

    sent: Sent
    runs: int
    plan: str  # the plan as the backend printed it
    scans: tuple[str, ...]  # log tables the plan reads whole

    def describe(self) -> str:
        s = self.sent
        shown = [_short(repr(v), 60) for v in s.params[:6]] + [f"({len(s.params)} in all)"]
        chain = " <- ".join((s.origin, *s.callers[:4]))
        plan = "\n    ".join(_short(line, 160) for line in self.plan.splitlines())
        return (
            f"[{s.phase}] {chain}: scans {', '.join(self.scans)} (run {self.runs} times)\n"
            f"  {_short(s.sql, 300)}\n  params {', '.join(shown)}\n  plan:\n    {plan}"
        )


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass
class PlanRecorder:
    """Collects a `Planned` for every statement the store runs while it is installed."""

    phase: str = "setup"
    planned: list[Planned] = field(default_factory=list)
    _open: dict[int, list[Sent]] = field(default_factory=dict)  # by id of a transaction's Sql

    @contextmanager
    def during(self, phase: str) -> Iterator[None]:
        before, self.phase = self.phase, phase
        try:
            yield
        finally:
            self.phase = before

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Wrap the store's doors to the driver and its transactions (see the module's docstring)."""
        for name in ("rows", "stream", "run"):
            monkeypatch.setattr(Sql, name, self._sending(getattr(Sql, name)))
        monkeypatch.setattr(EventStore, "_transaction", self._transacting(EventStore._transaction))

    def _sending(self, method: Any) -> Any:
        recorder = self

        def sending(sql_: Sql, sql: str, params: Sequence[Any] = (), *args: Any, **kwargs: Any) -> Any:
            if sql.lstrip().upper().startswith(_EXPLAINABLE) and _TABLE_REF.search(sql):
                origin, callers = _origin(sys._getframe(1))
                text = sql.replace("?", "?" if sql_.dialect == "sqlite" else "%s")
                (size,) = sql_.connection.execute("SELECT MAX(position) FROM events").fetchone()
                sent = Sent(recorder.phase, origin, callers, text, tuple(params), size or 0)
                recorder._open[id(sql_)].append(sent)
            return method(sql_, sql, params, *args, **kwargs)

        return sending

    def _transacting(self, method: Any) -> Any:
        recorder = self

        @contextmanager
        def transaction(store: EventStore, *args: Any, **kwargs: Any) -> Iterator[Any]:
            with method(store, *args, **kwargs) as tx:
                sent = recorder._open[id(tx.sql)] = []
                try:
                    yield tx
                    recorder._explain(tx.sql, sent)  # its work done, before it commits
                finally:
                    del recorder._open[id(tx.sql)]

        return transaction

    def _explain(self, sql_: Sql, sent: list[Sent]) -> None:
        """Plan each statement of a transaction (a lookup by many keys counts as one, whatever their
        number) with the parameters of each of its runs at the largest log it met there: all of a
        query's, the last chunk's of an import."""
        runs: dict[str, list[Sent]] = {}
        for s in sent:
            runs.setdefault(_KEY_LIST.sub("?", s.sql), []).append(s)
        for same in runs.values():
            largest = max(s.log_size for s in same)
            distinct = {repr((s.sql, s.params)): s for s in same if s.log_size == largest}
            for s in distinct.values():
                plan, scans = explain(sql_, s.sql, s.params)
                self.planned.append(Planned(s, len(same), plan, scans))


def explain(sql_: Sql, text: str, params: tuple[Any, ...]) -> tuple[str, tuple[str, ...]]:
    """(the plan as text, the log tables it scans whole) of `text`, on `sql_`'s connection."""
    if sql_.dialect == "sqlite":
        rows = sql_.connection.execute("EXPLAIN QUERY PLAN " + text, params).fetchall()
        return "\n".join(row[3] for row in rows), sqlite_scans(text, [row[3] for row in rows])
    # With the parameters bound server-side, as psycopg runs the statement: a plan for these values.
    (document,) = sql_.connection.execute("EXPLAIN (FORMAT JSON) " + text, params).fetchone()
    root = document[0]["Plan"]
    return _pg_text(root), tuple(sorted(set(_pg_scans(root))))


def sqlite_scans(sql: str, details: Sequence[str]) -> tuple[str, ...]:
    """Log tables a SQLite plan reads whole: SCAN walks the table or one of its indexes end to end
    (either grows with the log), where SEARCH looks up keys."""
    aliases = {}
    for table, alias in _TABLE_REF.findall(sql):
        aliases[table.lower()] = table.lower()
        if alias:
            aliases[alias] = table.lower()
    found = []
    for detail in details:
        words = detail.split()
        # An automatic index is built by reading the whole table, for this statement alone.
        if len(words) >= 2 and words[1] in aliases and (words[0] == "SCAN" or "AUTOMATIC" in words):
            found.append(aliases[words[1]])
    return tuple(sorted(set(found)))


def _pg_scans(node: dict[str, Any], limited: bool = False) -> Iterator[str]:
    """Log tables a PostgreSQL plan reads whole: a Seq Scan, or an index walked end to end (no Index
    Cond) other than straight under a Limit."""
    table = node.get("Relation Name")
    whole_index = node["Node Type"] in ("Index Scan", "Index Only Scan") and "Index Cond" not in node
    if table in LOG_TABLES and (node["Node Type"] == "Seq Scan" or (whole_index and not limited)):
        yield table
    for child in node.get("Plans", ()):
        yield from _pg_scans(child, limited=node["Node Type"] == "Limit")


def _pg_text(node: dict[str, Any], depth: int = 0) -> str:
    what = node["Node Type"]
    if "Relation Name" in node:
        what += f" on {node['Relation Name']}" + (
            f" using {node['Index Name']}" if "Index Name" in node else ""
        )
    for key in ("Index Cond", "Filter", "Hash Cond", "Join Filter"):
        if key in node:
            what += f" [{key}: {node[key]}]"
    lines = ["  " * depth + f"{what} (rows={node.get('Plan Rows')})"]
    lines += [_pg_text(child, depth + 1) for child in node.get("Plans", ())]
    return "\n".join(lines)


def _origin(frame: Any) -> tuple[str, tuple[str, ...]]:
    """The function that sent the statement (the first frame outside sql.py and this module), and the
    ledger functions above it; a comprehension or generator expression counts as the function it is
    written in."""
    chain: list[str] = []
    while frame is not None:
        path = frame.f_code.co_filename
        if path not in _NOT_SENDERS and (not chain or path.startswith(str(_LEDGER))):
            name = frame.f_code.co_qualname.split(".<locals>")[0]
            if not chain or chain[-1] != name:
                chain.append(name)
        frame = frame.f_back
    return chain[0], tuple(chain[1:])
