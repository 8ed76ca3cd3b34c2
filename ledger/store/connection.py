"""Connections and transactions: the store's one door.

Writers serialise on one lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory
lock), read the head under it, and assign positions head+1, head+2, ... in the same transaction, so
positions are gapless in commit order whatever the number of writer processes. Everything a caller does
inside one `writing()` block commits or rolls back as one.

The store talks to the database through its DB-API driver (sqlite3, psycopg 3): every statement is
hand-written SQL, and a query command should not pay SQLAlchemy's import (~150 ms) before its first row.
SQLAlchemy and Alembic own the schema (`engine`, used by `init`).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from typing import TYPE_CHECKING, Any

from ledger.errors import NotInitialised, StorageError
from ledger.store import sqlite
from ledger.store.errors import driver_errors, psycopg_module, read_only, translate
from ledger.store.log import LogTables
from ledger.store.projection_tables import ProjectionTables
from ledger.store.sql import Sql
from ledger.store.tree import TreeTables
from ledger.store.urls import parse_url, redact, safe_url, sqlalchemy_url

if TYPE_CHECKING:
    from ledger.store.guards import Guards
    from ledger.store.projection_versions import ProjectionVersions

BUSY_TIMEOUT_S = float(os.environ.get("LEDGER_BUSY_TIMEOUT", "60"))  # how long a writer waits for the lock
_PG_WRITE_LOCK = 0x1ED6E7  # advisory lock key shared by every ledger writer


class Transaction:
    """One transaction on the store: the log's tables, the Merkle tree's and the projection tables, on one
    connection."""

    def __init__(self, connection: Any, dialect: str) -> None:
        self.sql = Sql(connection, dialect)
        self.log = LogTables(self.sql)
        self.tree = TreeTables(self.sql)
        self.projections = ProjectionTables(self.sql)

    @property
    def versions(self) -> ProjectionVersions:
        """What the catch-ups kept of the projections they replaced (`changes`, the past at a moment the
        tables were caught up at; loaded only then)."""
        from ledger.store.projection_versions import ProjectionVersions

        return ProjectionVersions(self.sql)

    @property
    def guards(self) -> Guards:
        """The append-only guards, for what checks or restores them (their patterns are not compiled for a
        query)."""
        from ledger.store.guards import Guards

        return Guards(self.sql)

    @property
    def connection(self) -> Any:
        """The driver's own connection (for tests and administration)."""
        return self.sql.connection

    def schema_revision(self) -> str | None:
        """The Alembic revision the database is at, or None without a ledger schema."""
        if self.sql.dialect == "sqlite":
            found = self.sql.rows(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            )
        else:
            found = self.sql.rows(
                "SELECT 1 FROM pg_tables WHERE tablename = 'alembic_version' "
                "AND schemaname = ANY (current_schemas(false))"
            )
        if not found:
            return None
        rows = self.sql.rows("SELECT version_num FROM alembic_version")
        return rows[0][0] if rows else None


class EventStore:
    """A ledger database: opens connections and hands out read and write transactions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.target = parse_url(url)
        self.dialect = self.target.dialect
        self._errors = driver_errors(self.dialect)
        self._idle: list[Any] = []  # open connections not in a transaction (nested blocks get another)
        self._engine: Any = None
        self._schema_checked = False
        # Read-only: asked for in the URL, or found out (a SQLite file or folder that cannot be written).
        self.read_only = self.target.read_only

    def close(self) -> None:
        while self._idle:
            self._idle.pop().close()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @property
    def engine(self) -> Any:
        """A SQLAlchemy engine on the same database, for migrations and administration. On SQLite its
        connections are the store's own, and a transaction begins IMMEDIATE (holding the write lock), so
        that two processes migrating at once take turns."""
        if self._engine is None:
            from sqlalchemy import create_engine, event

            if self.dialect != "sqlite":
                self._engine = create_engine(sqlalchemy_url(self.url))
                return self._engine
            path = self.target.sqlite_path or ":memory:"
            engine = create_engine("sqlite://", creator=lambda: sqlite.connect(path, BUSY_TIMEOUT_S))
            event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN IMMEDIATE"))
            self._engine = engine
        return self._engine

    def sqlite_path(self) -> str | None:
        """The ledger file's path (None: PostgreSQL, or SQLite in memory). A string, not a `Path`: every
        command opens the store, and pathlib's import is a tenth of a read command's start-up."""
        path = self.target.sqlite_path
        return path if path and path != ":memory:" else None

    def _connect(self) -> Any:
        if self._idle:
            return self._idle.pop()
        if self.dialect != "sqlite":
            return psycopg_module().connect(self.target.conninfo or "", autocommit=True, connect_timeout=10)
        path = self.sqlite_path()
        if path is None:
            return sqlite.connect(":memory:", BUSY_TIMEOUT_S)
        folder = os.path.dirname(path)
        if not os.path.isdir(folder or "."):
            raise StorageError(f"no folder {folder} for the ledger file {path}")
        if self.read_only:
            return sqlite.connect_read_only(path, BUSY_TIMEOUT_S)
        try:
            return sqlite.connect(path, BUSY_TIMEOUT_S)
        except sqlite3.Error as e:
            if not sqlite.cannot_write(e, path):
                raise
        self.read_only = True  # read-only media, or a file this user may not write: read it as it is
        return sqlite.connect_read_only(path, BUSY_TIMEOUT_S)

    def _refuse_writes(self) -> None:
        if self.read_only:
            raise read_only(self.url)

    def require_schema(self) -> None:
        """Raise NotInitialised unless the schema is at the head migration (checked once per store)."""
        if self._schema_checked:
            return
        from ledger.store.migrations import HEAD_REVISION

        path = self.sqlite_path()
        if path is not None and not os.path.exists(path):
            raise NotInitialised(f"no ledger at {path}")
        with self.reading() as tx:
            revision = tx.schema_revision()
        if revision is None:
            raise NotInitialised(f"{safe_url(self.url)} has no ledger schema")
        if revision != HEAD_REVISION:
            raise NotInitialised(
                f"{safe_url(self.url)} has schema {revision}, this ledger needs {HEAD_REVISION}"
            )
        self._schema_checked = True

    def stored_revision(self) -> str | None:
        """The revision the database is at, before any migration (None: no ledger schema, or no file)."""
        path = self.sqlite_path()
        if path is not None and not os.path.exists(path):
            return None
        with self.reading() as tx:
            return tx.schema_revision()

    def upgrade_schema(self) -> None:
        """Run the migrations up to head; driver errors reported as everywhere else."""
        from sqlalchemy.exc import ArgumentError, DBAPIError

        from ledger.store.migrations import upgrade

        self._refuse_writes()
        path = self.sqlite_path()
        if path is not None and os.path.exists(path):
            self._connect_once()  # a read-only file is found out here, before Alembic tries to write it
            self._refuse_writes()

        try:
            engine = self.engine
        except (ArgumentError, ValueError) as e:  # SQLAlchemy parses the URL itself: a bad port, say
            message = f"not a valid database URL: {safe_url(self.url)} ({redact(str(e), self.url)})"
            raise StorageError(message) from None
        try:
            upgrade(engine, lock=_PG_WRITE_LOCK)
        except DBAPIError as e:
            raise translate(e.orig if e.orig is not None else e, self.url, BUSY_TIMEOUT_S) from None

    @contextmanager
    def _transaction(self, write: bool, snapshot: bool = False) -> Iterator[Transaction]:
        if write:
            self._refuse_writes()
        try:
            connection = self._connect()
        except self._errors as e:
            raise translate(e, self.url, BUSY_TIMEOUT_S) from None
        if write and self.read_only:  # found out while connecting
            self._idle.append(connection)
            self._refuse_writes()
        reusable = False
        try:
            if self.dialect == "sqlite":
                # Writers take the write lock up front, so two never deadlock upgrading a read lock.
                connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            else:
                # A snapshot: every statement sees the same commits (read committed: each its latest).
                connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" if snapshot else "BEGIN")
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
            # A read ends in ROLLBACK: nothing to commit, and SQLite fails a COMMIT after reading a
            # damaged page, which would turn the report of the damage into a bare database error.
            connection.execute("COMMIT" if write else "ROLLBACK")
            reusable = True
        except self._errors as e:
            raise translate(e, self.url, BUSY_TIMEOUT_S) from None
        finally:
            if reusable:
                self._idle.append(connection)
            else:
                _close_quietly(connection)

    def _connect_once(self) -> None:
        try:
            self._idle.append(self._connect())
        except self._errors as e:
            raise translate(e, self.url, BUSY_TIMEOUT_S) from None

    def reading(self, *, snapshot: bool = False) -> AbstractContextManager[Transaction]:
        """A read transaction: a consistent snapshot on SQLite; on PostgreSQL read committed, or with
        `snapshot` one snapshot for every statement (what a check comparing several tables needs)."""
        return self._transaction(write=False, snapshot=snapshot)

    def writing(self) -> AbstractContextManager[Transaction]:
        """A transaction holding the single-writer lock; commits on success, rolls back on any error."""
        return self._transaction(write=True)


def _close_quietly(connection: Any) -> None:
    with suppress(Exception):  # the connection is already broken; closing is best effort
        connection.close()
