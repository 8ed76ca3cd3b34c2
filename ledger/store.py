"""The event store: the only module that speaks SQL.

Writers serialise on one lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory
lock), read the head under it, and assign positions head+1, head+2, ... in the same transaction, so
positions are gapless in commit order whatever the number of writer processes. Everything a caller
does inside one `writing()` block commits or rolls back as one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from ledger.errors import NotInitialised, StorageError
from ledger.events import StoredEvent
from ledger.hashing import GENESIS_HASH

BUSY_TIMEOUT_S = float(os.environ.get("LEDGER_BUSY_TIMEOUT", "60"))
_PG_WRITE_LOCK = 0x1ED6E7  # advisory lock key shared by every ledger writer
_EVENT_COLUMNS = "position, id, type, occurred_at, recorded_at, body, prev_hash, hash"
_CHUNK = 500  # ids per IN (...) lookup


def safe_url(url: str) -> str:
    """The URL with any password masked, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable database URL>"


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


def _translate(error: DBAPIError, url: str) -> Exception:
    """One place that turns driver errors into the ledger's own."""
    message = str(error.orig) if error.orig is not None else str(error)
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
        return StorageError(f"refused by the database: {first}")
    return StorageError(f"database error on {safe_url(url)}: {first}")


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_S})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record) -> None:
            # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
            cursor.execute("PRAGMA synchronous=FULL")  # a committed event survives power loss
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: index inserts stay in memory
            cursor.execute("PRAGMA mmap_size=1073741824")  # reads of a large log without copies
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Connection) -> None:
            # Writers take the write lock up front, so two never deadlock upgrading a read lock.
            immediate = connection.info.get("ledger_write", False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(parsed, pool_pre_ping=False)
    raise StorageError(f"unsupported database URL {safe_url(url)}: use sqlite:/// or postgresql+psycopg://")


class Transaction:
    """SQL for one transaction on the store; created by `EventStore.reading()` / `writing()`."""

    def __init__(self, connection: Connection, dialect: str) -> None:
        self.connection = connection
        self.dialect = dialect
        self._ph = "?" if dialect == "sqlite" else "%s"

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]:
        return list(self.connection.exec_driver_sql(sql.replace("?", self._ph), tuple(params)).fetchall())

    def _in(self, values: Sequence[Any]) -> str:
        return ",".join([self._ph] * len(values))

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
        ph = self._ph
        run = self.connection.exec_driver_sql
        run(
            f"INSERT INTO events (position, id, type, occurred_at, occurred_key, recorded_at, body, "
            f"prev_hash, hash) VALUES ({', '.join([ph] * 9)})",
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
            run(f"INSERT INTO event_entities (entity_id, position) VALUES ({ph}, {ph})", entity_rows)
        ref_rows = [(r.position, ref) for r in rows for ref in r.ref_positions]
        if ref_rows:
            run(f"INSERT INTO event_refs (position, ref_position) VALUES ({ph}, {ph})", ref_rows)

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
                "SELECT r.ref_position, x.entity_id FROM event_refs r "
                "JOIN events e ON e.position = r.position "
                "JOIN event_entities x ON x.position = r.position "
                f"WHERE r.ref_position IN ({marks}) AND e.type = 'entry.corrected'",
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
        where, params = ["e.position > ?"], [since]
        join = ""
        if entity is not None:
            join = " JOIN event_entities x ON x.position = e.position"
            where.append("x.entity_id = ?")
            params.append(entity)
        if event_type is not None:
            where.append("e.type = ?")
            params.append(event_type)
        order = "DESC" if reverse else "ASC"
        sql = (
            f"SELECT {', '.join('e.' + c for c in _EVENT_COLUMNS.split(', '))} FROM events e{join} "
            f"WHERE {' AND '.join(where)} ORDER BY e.position {order}"
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

    def entity_stream(self) -> Iterator[tuple[str, list[StoredEvent]]]:
        """(entity id, its events) for every entity, in entity id order; one entity in memory at a time."""
        columns = ", ".join("e." + c for c in _EVENT_COLUMNS.split(", "))
        rows = self.stream(
            f"SELECT x.entity_id, {columns} FROM event_entities x "
            "JOIN events e ON e.position = x.position ORDER BY x.entity_id, x.position"
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

    def stream(self, sql: str, batch: int = 10_000) -> Iterator[Sequence[Any]]:
        """Rows of a large query without holding them all: SQLite steps its cursor, PostgreSQL uses a
        server-side cursor. Straight on the driver: SQLAlchemy's per-row fetch costs more than the row."""
        dbapi = self.connection.connection.dbapi_connection
        assert dbapi is not None
        if self.dialect == "postgresql":
            cursor = dbapi.cursor(name=f"ledger_stream_{id(self)}")
            cursor.itersize = batch
        else:
            cursor = dbapi.cursor()
        try:
            cursor.execute(sql)
            while rows := cursor.fetchmany(batch):
                yield from rows
        finally:
            cursor.close()

    def entities_since(self, position: int) -> set[str]:
        return {
            row[0]
            for row in self._rows(
                "SELECT DISTINCT entity_id FROM event_entities WHERE position > ?", (position,)
            )
        }

    # -- projections -------------------------------------------------------------------------------------
    def checkpoint(self) -> int:
        rows = self._rows("SELECT position FROM projection_checkpoint WHERE name = 'all'")
        return int(rows[0][0]) if rows else 0

    def set_checkpoint(self, position: int) -> None:
        self.connection.exec_driver_sql(
            f"DELETE FROM projection_checkpoint WHERE name = {self._ph}", ("all",)
        )
        self.connection.exec_driver_sql(
            f"INSERT INTO projection_checkpoint (name, position) VALUES ({self._ph}, {self._ph})",
            ("all", position),
        )

    def clear_projections(self) -> None:
        self.connection.exec_driver_sql("DELETE FROM projected_entities")
        self.connection.exec_driver_sql("DELETE FROM projected_claims")

    def replace_entities(self, docs: Sequence[tuple[str, str, bytes]], *, fresh: bool = False) -> None:
        """Write (entity id, kind, doc JSON) rows, replacing what was there unless the table is `fresh`."""
        if not docs:
            return
        ph = self._ph
        if not fresh:
            ids = [d[0] for d in docs]
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                self.connection.exec_driver_sql(
                    f"DELETE FROM projected_entities WHERE entity_id IN ({self._in(chunk)})", tuple(chunk)
                )
        self.connection.exec_driver_sql(
            f"INSERT INTO projected_entities (entity_id, kind, doc) VALUES ({ph}, {ph}, {ph})",
            [(entity, kind, doc.decode()) for entity, kind, doc in docs],
        )

    def delete_entities(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), _CHUNK):
            chunk = list(ids[start : start + _CHUNK])
            self.connection.exec_driver_sql(
                f"DELETE FROM projected_entities WHERE entity_id IN ({self._in(chunk)})", tuple(chunk)
            )

    def replace_claims(self, claims: Sequence[tuple[int, str, bytes]], *, fresh: bool = False) -> None:
        """Write (claim position, status, doc JSON) rows."""
        if not claims:
            return
        ph = self._ph
        if not fresh:
            positions = [c[0] for c in claims]
            for start in range(0, len(positions), _CHUNK):
                chunk = positions[start : start + _CHUNK]
                self.connection.exec_driver_sql(
                    f"DELETE FROM projected_claims WHERE position IN ({self._in(chunk)})", tuple(chunk)
                )
        self.connection.exec_driver_sql(
            f"INSERT INTO projected_claims (position, status, doc) VALUES ({ph}, {ph}, {ph})",
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
    """A ledger database: opens connections and hands out read and write transactions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.dialect = self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def sqlite_path(self) -> Path | None:
        if self.dialect != "sqlite":
            return None
        database = make_url(self.url).database
        return Path(database) if database and database != ":memory:" else None

    def require_schema(self) -> None:
        """Raise NotInitialised unless the schema is at the head migration."""
        from ledger.migrations import HEAD_REVISION, current_revision

        path = self.sqlite_path()
        if path is not None and not path.exists():
            raise NotInitialised(f"no ledger at {path}; run `ledger init` first")
        try:
            revision = current_revision(self.engine)
        except DBAPIError as e:
            raise _translate(e, self.url) from None
        if revision is None:
            raise NotInitialised(f"{safe_url(self.url)} has no ledger schema; run `ledger init`")
        if revision != HEAD_REVISION:
            raise NotInitialised(
                f"{safe_url(self.url)} has schema {revision}, this ledger needs {HEAD_REVISION}; "
                "run `ledger init`"
            )

    @contextmanager
    def reading(self) -> Iterator[Transaction]:
        try:
            with self.engine.connect() as connection, connection.begin():
                yield Transaction(connection, self.dialect)
        except (OperationalError, ProgrammingError, DBAPIError) as e:
            raise _translate(e, self.url) from None

    @contextmanager
    def writing(self) -> Iterator[Transaction]:
        """A transaction holding the single-writer lock; commits on success, rolls back on any error."""
        try:
            with self.engine.connect() as connection:
                connection.info["ledger_write"] = True
                try:
                    with connection.begin():
                        if self.dialect == "postgresql":
                            connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(BUSY_TIMEOUT_S)}s'")
                            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_WRITE_LOCK})")
                        yield Transaction(connection, self.dialect)
                finally:
                    connection.info["ledger_write"] = False
        except (OperationalError, ProgrammingError, DBAPIError) as e:
            raise _translate(e, self.url) from None
