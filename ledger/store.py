"""The event store: the only module that speaks SQL.

Writers serialise on one lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory
lock), read the head under it, and assign positions head+1, head+2, ... in the same transaction, so
positions are gapless in commit order whatever the number of writer processes. Everything a caller
does inside one `writing()` block commits or rolls back as one.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ledger.errors import NotInitialised, StorageError
from ledger.events import StoredEvent
from ledger.hashing import GENESIS_HASH
from ledger.urls import parse_url, redact, safe_url, sqlalchemy_url

BUSY_TIMEOUT_S = float(os.environ.get("LEDGER_BUSY_TIMEOUT", "60"))
_PG_WRITE_LOCK = 0x1ED6E7  # advisory lock key shared by every ledger writer
_EVENT_COLUMNS = "position, id, type, occurred_at, recorded_at, body, prev_hash, hash"
_CHUNK = 500  # ids per IN (...) lookup


@dataclass(frozen=True, slots=True)
class Head:
    position: int
    hash: str
    recorded_at: str | None


@dataclass(frozen=True, slots=True)
class EventRow:
    """An event ready to insert: the store fields already assigned."""

    position: int
    id: str
    type: str
    occurred_at: str
    occurred_key: int
    recorded_at: str
    body: bytes
    prev_hash: str
    hash: str
    entities: Sequence[str]
    ref_positions: Sequence[int]


def stored_event(row: Sequence[Any]) -> StoredEvent:
    """Decode a row selected with _EVENT_COLUMNS."""
    position, event_id, event_type, occurred_at, recorded_at, body, prev_hash, hash_ = row
    payload = orjson.loads(body)
    return StoredEvent(
        position,
        event_id,
        event_type,
        occurred_at,
        recorded_at,
        payload["data"],
        payload["sources"],
        payload["refs"],
        payload.get("note"),
        prev_hash,
        hash_,
    )


def _driver_errors(dialect: str) -> tuple[type[Exception], ...]:
    if dialect == "sqlite":
        return (sqlite3.Error,)
    import psycopg

    return (psycopg.Error,)


def _translate(error: Exception, url: str) -> Exception:
    """One place that turns driver errors into the ledger's own."""
    message = str(error)
    first = message.strip().splitlines()[0] if message.strip() else type(error).__name__
    lowered = message.lower()
    if "no such table" in lowered or ("relation" in lowered and "does not exist" in lowered):
        return NotInitialised(f"{safe_url(url)} has no ledger schema; run `ledger init`")
    if "database is locked" in lowered or "lock timeout" in lowered:
        return StorageError(
            f"{safe_url(url)} stayed locked by another writer for {BUSY_TIMEOUT_S:.0f} s "
            "(LEDGER_BUSY_TIMEOUT); nothing was written"
        )
    if "append-only" in lowered:
        return StorageError(f"refused by the database: {redact(first, url)}")
    return StorageError(f"database error on {safe_url(url)}: {redact(first, url)}")


def _connect_sqlite(path: str) -> sqlite3.Connection:
    # isolation_level=None: the store, not the sqlite3 module, decides where transactions begin.
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    for pragma in (
        "journal_mode=WAL",
        f"busy_timeout={int(BUSY_TIMEOUT_S * 1000)}",
        "synchronous=FULL",  # a committed event survives power loss
        "foreign_keys=ON",
        "cache_size=-65536",  # 64 MiB: index inserts stay in memory
    ):
        connection.execute(f"PRAGMA {pragma}")
    return connection


def _connect_postgresql(conninfo: str) -> Any:
    import psycopg

    return psycopg.connect(conninfo, autocommit=True, connect_timeout=10)


class Transaction:
    """SQL for one transaction on the store; created by `EventStore.reading()` / `writing()`."""

    def __init__(self, connection: Any, dialect: str) -> None:
        self.connection = connection  # the driver's own (DB-API) connection
        self.dialect = dialect
        self._ph = "?" if dialect == "sqlite" else "%s"

    def _run(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.connection.execute(sql.replace("?", self._ph), tuple(params))

    def _run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        cursor = self.connection.cursor()
        try:
            cursor.executemany(sql.replace("?", self._ph), rows)
        finally:
            cursor.close()

    def _insert(self, table: str, columns: str, rows: Sequence[Sequence[Any]]) -> None:
        """Insert many rows: COPY on PostgreSQL (several times executemany's rate), executemany on SQLite."""
        if self.dialect == "postgresql":
            with (
                self.connection.cursor() as cursor,
                cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" * (columns.count(",") + 1))
        self._run_many(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]:
        return list(self.connection.execute(sql.replace("?", self._ph), tuple(params)).fetchall())

    def _in(self, values: Sequence[Any]) -> str:
        return ",".join("?" * len(values))

    def schema_revision(self) -> str | None:
        """The Alembic revision the database is at, or None without a ledger schema."""
        if self.dialect == "sqlite":
            found = self._rows(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            )
        else:
            found = self._rows(
                "SELECT 1 FROM pg_tables WHERE tablename = 'alembic_version' "
                "AND schemaname = ANY (current_schemas(false))"
            )
        if not found:
            return None
        rows = self._rows("SELECT version_num FROM alembic_version")
        return rows[0][0] if rows else None

    # -- the head and the log ----------------------------------------------------------------------------
    def head(self) -> Head:
        rows = self._rows("SELECT position, hash, recorded_at FROM events ORDER BY position DESC LIMIT 1")
        if not rows:
            return Head(0, GENESIS_HASH, None)
        return Head(int(rows[0][0]), rows[0][1], rows[0][2])

    def count(self) -> int:
        return int(self._rows("SELECT COUNT(*) FROM events")[0][0])

    def insert(self, rows: Sequence[EventRow]) -> None:
        """Insert events with their index and reference rows (positions already assigned)."""
        if not rows:
            return
        self._insert(
            "events",
            "position, id, type, occurred_at, occurred_key, recorded_at, body, prev_hash, hash",
            [
                (
                    r.position,
                    r.id,
                    r.type,
                    r.occurred_at,
                    r.occurred_key,
                    r.recorded_at,
                    r.body.decode(),
                    r.prev_hash,
                    r.hash,
                )
                for r in rows
            ],
        )
        entity_rows = [(entity, r.position) for r in rows for entity in r.entities]
        if entity_rows:
            self._insert("event_entities", "entity_id, position", entity_rows)
        ref_rows = [(r.position, ref) for r in rows for ref in r.ref_positions]
        if ref_rows:
            self._insert("event_refs", "position, ref_position", ref_rows)

    def events_by_id(self, ids: Iterable[str]) -> dict[str, StoredEvent]:
        wanted = list(dict.fromkeys(ids))
        found: dict[str, StoredEvent] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            for row in self._rows(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE id IN ({self._in(chunk)})", chunk
            ):
                found[row[1]] = stored_event(row)
        return found

    def locate(self, ids: Iterable[str]) -> dict[str, tuple[int, str]]:
        """(position, type) of the events with these ids that exist, without decoding them."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, tuple[int, str]] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            sql = f"SELECT id, position, type FROM events WHERE id IN ({self._in(chunk)})"
            for event_id, position, event_type in self._rows(sql, chunk):
                found[event_id] = (int(position), event_type)
        return found

    def current_entities(self, positions: Sequence[int]) -> dict[int, set[str]]:
        """Entities each event is indexed under, plus those its corrections added (its current names)."""
        result: dict[int, set[str]] = {p: set() for p in positions}
        for start in range(0, len(positions), _CHUNK):
            chunk = list(positions[start : start + _CHUNK])
            marks = self._in(chunk)
            for entity, position in self._rows(
                f"SELECT entity_id, position FROM event_entities WHERE position IN ({marks})", chunk
            ):
                result[int(position)].add(entity)
            for target, entity in self._rows(
                # CROSS JOIN fixes the join order on SQLite: from the few references to these events,
                # never from every correction in the log (the planner's pick without statistics,
                # 56 of 125 s of a 1M-event import). PostgreSQL plans it as the inner join it is.
                "SELECT r.ref_position, x.entity_id FROM event_refs r "
                "CROSS JOIN events e CROSS JOIN event_entities x "
                f"WHERE r.ref_position IN ({marks}) AND e.position = r.position "
                "AND e.type = 'entry.corrected' AND x.position = r.position",
                chunk,
            ):
                result[int(target)].add(entity)
        return result

    def latest_position_of(self, entity_id: str) -> int:
        rows = self._rows("SELECT MAX(position) FROM event_entities WHERE entity_id = ?", (entity_id,))
        return int(rows[0][0] or 0)

    def read(self, since: int = 0, until: int | None = None, batch: int = 5000) -> Iterator[StoredEvent]:
        """Every event after position `since`, in position order, fetched in keyset pages."""
        last = since
        while True:
            bound = "" if until is None else f" AND position <= {int(until)}"
            rows = self._rows(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE position > ?{bound} ORDER BY position LIMIT ?",
                (last, batch),
            )
            if not rows:
                return
            for row in rows:
                yield stored_event(row)
            last = int(rows[-1][0])

    def read_raw(self, since: int = 0, batch: int = 5000) -> Iterator[Sequence[Any]]:
        """Rows of _EVENT_COLUMNS, undecoded (verify and export decode them their own way)."""
        last = since
        while True:
            rows = self._rows(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?",
                (last, batch),
            )
            if not rows:
                return
            yield from rows
            last = int(rows[-1][0])

    def select(
        self,
        *,
        entity: str | None = None,
        event_type: str | None = None,
        since: int = 0,
        limit: int | None = None,
        reverse: bool = False,
    ) -> list[StoredEvent]:
        columns = ", ".join("e." + c for c in _EVENT_COLUMNS.split(", "))
        if entity is None:
            source, where, params = "events e", ["e.position > ?"], [since]
        else:
            # From the entity's index rows to their events, whatever other filter is given (CROSS JOIN
            # keeps SQLite from starting at, say, every event of a type).
            source = "event_entities x CROSS JOIN events e"
            where = ["x.entity_id = ?", "x.position > ?", "e.position = x.position"]
            params = [entity, since]
        if event_type is not None:
            where.append("e.type = ?")
            params.append(event_type)
        order_by = "e.position" if entity is None else "x.position"  # the index order: no sort
        sql = (
            f"SELECT {columns} FROM {source} WHERE {' AND '.join(where)} "
            f"ORDER BY {order_by} {'DESC' if reverse else 'ASC'}"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [stored_event(row) for row in self._rows(sql, params)]

    def entity_events(self, entity_id: str) -> list[StoredEvent]:
        """Events indexed under the entity, plus the events they reference (a correction's target
        may name the entity only through the correction)."""
        return self.with_referenced(self.select(entity=entity_id))

    def with_referenced(self, events: list[StoredEvent]) -> list[StoredEvent]:
        """`events` plus the events they reference that are not among them."""
        have = {e.id for e in events}
        missing = {ref for e in events for ref in e.refs if ref not in have}
        if missing:
            events = events + list(self.events_by_id(missing).values())
        return events

    def entity_stream(
        self, first: str | None = None, last: str | None = None
    ) -> Iterator[tuple[str, list[StoredEvent]]]:
        """(entity id, its events) for every entity (from `first` to `last` inclusive, if given), in
        entity id order; one entity in memory at a time."""
        columns = ", ".join("e." + c for c in _EVENT_COLUMNS.split(", "))
        where, params = [], []
        if first is not None:
            where.append("x.entity_id >= ?")
            params.append(first)
        if last is not None:
            where.append("x.entity_id <= ?")
            params.append(last)
        rows = self.stream(
            f"SELECT x.entity_id, {columns} FROM event_entities x CROSS JOIN events e "
            f"WHERE {' AND '.join([*where, 'e.position = x.position'])} ORDER BY x.entity_id, x.position",
            params,
        )
        current: str | None = None
        bucket: list[StoredEvent] = []
        for row in rows:
            if row[0] != current:
                if current is not None:
                    yield current, bucket
                current, bucket = row[0], []
            bucket.append(stored_event(row[1:]))
        if current is not None:
            yield current, bucket

    def entity_sizes(self) -> Iterator[tuple[str, int]]:
        """(entity id, number of index rows) for every entity, in entity id order."""
        return self.stream(
            "SELECT entity_id, COUNT(*) FROM event_entities GROUP BY entity_id ORDER BY entity_id"
        )

    def stream(self, sql: str, params: Sequence[Any] = (), batch: int = 10_000) -> Iterator[Sequence[Any]]:
        """Rows of a large query without holding them all: SQLite steps its cursor, PostgreSQL uses a
        server-side cursor."""
        if self.dialect == "postgresql":
            cursor = self.connection.cursor(name=f"ledger_stream_{id(self)}")
            cursor.itersize = batch
        else:
            cursor = self.connection.cursor()
        try:
            cursor.execute(sql.replace("?", self._ph), tuple(params))
            while rows := cursor.fetchmany(batch):
                yield from rows
        finally:
            cursor.close()

    def entities_since(self, position: int) -> set[str]:
        # Not DISTINCT: SQLite would then walk the whole index in entity order to deduplicate, instead of
        # the few rows after the checkpoint.
        return {
            row[0]
            for row in self._rows("SELECT entity_id FROM event_entities WHERE position > ?", (position,))
        }

    # -- projections -------------------------------------------------------------------------------------
    def checkpoint(self) -> int:
        rows = self._rows("SELECT position FROM projection_checkpoint WHERE name = 'all'")
        return int(rows[0][0]) if rows else 0

    def set_checkpoint(self, position: int) -> None:
        self._run("DELETE FROM projection_checkpoint WHERE name = ?", ("all",))
        self._run("INSERT INTO projection_checkpoint (name, position) VALUES (?, ?)", ("all", position))

    def clear_projections(self) -> None:
        self._run("DELETE FROM projected_entities")
        self._run("DELETE FROM projected_claims")

    def replace_entities(self, docs: Sequence[tuple[str, str, bytes]], *, fresh: bool = False) -> None:
        """Write (entity id, kind, doc JSON) rows, replacing what was there unless the table is `fresh`."""
        if not docs:
            return
        if not fresh:
            ids = [d[0] for d in docs]
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                self._run(f"DELETE FROM projected_entities WHERE entity_id IN ({self._in(chunk)})", chunk)
        self._insert(
            "projected_entities",
            "entity_id, kind, doc",
            [(entity, kind, doc.decode()) for entity, kind, doc in docs],
        )

    def delete_entities(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), _CHUNK):
            chunk = list(ids[start : start + _CHUNK])
            self._run(f"DELETE FROM projected_entities WHERE entity_id IN ({self._in(chunk)})", chunk)

    def replace_claims(self, claims: Sequence[tuple[int, str, bytes]], *, fresh: bool = False) -> None:
        """Write (claim position, status, doc JSON) rows."""
        if not claims:
            return
        if not fresh:
            positions = [c[0] for c in claims]
            for start in range(0, len(positions), _CHUNK):
                chunk = positions[start : start + _CHUNK]
                self._run(f"DELETE FROM projected_claims WHERE position IN ({self._in(chunk)})", chunk)
        self._insert(
            "projected_claims",
            "position, status, doc",
            [(position, status, doc.decode()) for position, status, doc in claims],
        )

    def entity_doc(self, entity_id: str) -> bytes | None:
        rows = self._rows("SELECT doc FROM projected_entities WHERE entity_id = ?", (entity_id,))
        return rows[0][0].encode() if rows else None

    def entity_docs(self, kind: str | None = None) -> Iterator[tuple[str, str, str]]:
        if kind is None:
            rows = self._rows("SELECT entity_id, kind, doc FROM projected_entities ORDER BY entity_id")
        else:
            rows = self._rows(
                "SELECT entity_id, kind, doc FROM projected_entities WHERE kind = ? ORDER BY entity_id",
                (kind,),
            )
        for row in rows:
            yield row[0], row[1], row[2]

    def claim_docs(self, status: str | None = None) -> Iterator[tuple[int, str, str]]:
        if status is None:
            rows = self._rows("SELECT position, status, doc FROM projected_claims ORDER BY position")
        else:
            rows = self._rows(
                "SELECT position, status, doc FROM projected_claims WHERE status = ? ORDER BY position",
                (status,),
            )
        for row in rows:
            yield int(row[0]), row[1], row[2]


class EventStore:
    """A ledger database: opens connections and hands out read and write transactions.

    The store talks to the database through its DB-API driver (sqlite3, psycopg 3): every statement is
    hand-written SQL already, and a query command should not pay SQLAlchemy's import (~150 ms) before
    its first row. SQLAlchemy and Alembic own the schema (`engine`, used by `ledger init`).
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.target = parse_url(url)
        self.dialect = self.target.dialect
        self._errors = _driver_errors(self.dialect)
        self._idle: list[Any] = []  # open connections not in a transaction (nested blocks get another)
        self._engine: Any = None
        self._schema_checked = False

    def close(self) -> None:
        while self._idle:
            self._idle.pop().close()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @property
    def engine(self) -> Any:
        """A SQLAlchemy engine on the same database, for migrations and administration."""
        if self._engine is None:
            from sqlalchemy import create_engine

            self._engine = create_engine(sqlalchemy_url(self.url))
        return self._engine

    def sqlite_path(self) -> Path | None:
        path = self.target.sqlite_path
        return Path(path) if path and path != ":memory:" else None

    def _connect(self) -> Any:
        if self._idle:
            return self._idle.pop()
        if self.dialect == "sqlite":
            path = self.sqlite_path()
            if path is not None and not path.parent.is_dir():
                raise StorageError(f"no folder {path.parent} for the ledger file {path}")
            return _connect_sqlite(self.target.sqlite_path or ":memory:")
        return _connect_postgresql(self.target.conninfo or "")

    def require_schema(self) -> None:
        """Raise NotInitialised unless the schema is at the head migration (checked once per store)."""
        if self._schema_checked:
            return
        from ledger.migrations import HEAD_REVISION

        path = self.sqlite_path()
        if path is not None and not path.exists():
            raise NotInitialised(f"no ledger at {path}; run `ledger init` first")
        with self.reading() as tx:
            revision = tx.schema_revision()
        if revision is None:
            raise NotInitialised(f"{safe_url(self.url)} has no ledger schema; run `ledger init`")
        if revision != HEAD_REVISION:
            raise NotInitialised(
                f"{safe_url(self.url)} has schema {revision}, this ledger needs {HEAD_REVISION}; "
                "run `ledger init`"
            )
        self._schema_checked = True

    def upgrade_schema(self) -> None:
        """Run the migrations up to head (`ledger init`); driver errors reported as everywhere else."""
        from sqlalchemy.exc import ArgumentError, DBAPIError

        from ledger.migrations import upgrade

        try:
            engine = self.engine
        except (ArgumentError, ValueError) as e:  # SQLAlchemy parses the URL itself: a bad port, say
            message = f"not a valid database URL: {safe_url(self.url)} ({redact(str(e), self.url)})"
            raise StorageError(message) from None
        try:
            upgrade(engine)
        except DBAPIError as e:
            raise _translate(e.orig if e.orig is not None else e, self.url) from None

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[Transaction]:
        try:
            connection = self._connect()
        except self._errors as e:
            raise _translate(e, self.url) from None
        reusable = False
        try:
            if self.dialect == "sqlite":
                # Writers take the write lock up front, so two never deadlock upgrading a read lock.
                connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            else:
                connection.execute("BEGIN")
                if write:
                    connection.execute(f"SET LOCAL lock_timeout = '{int(BUSY_TIMEOUT_S)}s'")
                    connection.execute(f"SELECT pg_advisory_xact_lock({_PG_WRITE_LOCK})")
            try:
                yield Transaction(connection, self.dialect)
            except BaseException:
                try:
                    connection.execute("ROLLBACK")
                    reusable = True
                except Exception:  # a broken connection: it is closed below, the first error stands
                    pass
                raise
            connection.execute("COMMIT")
            reusable = True
        except self._errors as e:
            raise _translate(e, self.url) from None
        finally:
            if reusable:
                self._idle.append(connection)
            else:
                _close_quietly(connection)

    def reading(self) -> Any:
        """A read transaction (a consistent snapshot on SQLite; read committed on PostgreSQL)."""
        return self._transaction(write=False)

    def writing(self) -> Any:
        """A transaction holding the single-writer lock; commits on success, rolls back on any error."""
        return self._transaction(write=True)


def _close_quietly(connection: Any) -> None:
    with suppress(Exception):  # the connection is already broken; closing is best effort
        connection.close()
