"""SQL over a DB-API connection, the same for both backends: placeholders, rows, bulk inserts, lookups
by many keys, and streams of large results."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

CHUNK = 200  # keys per IN (...) lookup: far below SQLite's and PostgreSQL's parameter limits
_IN_KEYS = "IN ({keys})"  # where a lookup by many keys puts them
_CURSOR_NAMES = itertools.count()  # server-side cursors need distinct names: two streams can be open at once


class Sql:
    """Runs the store's hand-written SQL (written with `?` placeholders) on one connection."""

    def __init__(self, connection: Any, dialect: str) -> None:
        self.connection = connection  # the driver's own (DB-API) connection
        self.dialect = dialect
        self._ph = "?" if dialect == "sqlite" else "%s"

    def run(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.connection.execute(sql.replace("?", self._ph), tuple(params))

    def ddl(self, sql: str) -> None:
        """A schema statement, sent as it is (no placeholders: a PostgreSQL function body may hold `%`)."""
        self.connection.execute(sql)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]:
        return list(self.connection.execute(sql.replace("?", self._ph), tuple(params)).fetchall())

    def rows_in(self, sql: str, keys: Sequence[Any], after: Sequence[Any] = ()) -> Iterator[Sequence[Any]]:
        """Rows of `sql`, whose `IN ({keys})` tests a column against `keys`, run chunk by chunk of `keys`;
        `after` are the parameters of the placeholders after it in `sql`."""
        for chunk in _chunks(keys):
            text, params = self._in(sql, chunk)
            yield from self.rows(text, [*params, *after])

    def run_in(self, sql: str, keys: Sequence[Any]) -> None:
        """`sql`, whose `IN ({keys})` tests a column against `keys`, run chunk by chunk of `keys`."""
        for chunk in _chunks(keys):
            self.run(*self._in(sql, chunk))

    def _in(self, sql: str, chunk: list[Any]) -> tuple[str, list[Any]]:
        """`sql` with its `IN ({keys})` made a test against `chunk`: a list of placeholders on SQLite, one
        array parameter on PostgreSQL. There the planner costs `IN (list)` as a hashed filter cheap
        enough to scan a table of tens of thousands of rows for a few hundred keys (9 ms at 50,000
        events where the index answers in 1.2 ms); `= ANY(array)` keeps it on the index."""
        if _IN_KEYS not in sql:
            raise ValueError(f"expected {_IN_KEYS} in {sql!r}")
        if self.dialect == "postgresql":
            return sql.replace(_IN_KEYS, "= ANY(?)"), [chunk]
        return sql.replace(_IN_KEYS, f"IN ({','.join('?' * len(chunk))})"), chunk

    def insert(self, table: str, columns: str, rows: Sequence[Sequence[Any]]) -> None:
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
        cursor = self.connection.cursor()
        try:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
        finally:
            cursor.close()

    def stream(self, sql: str, params: Sequence[Any] = (), batch: int = 10_000) -> Iterator[Sequence[Any]]:
        """Rows of a large query without holding them all: SQLite steps its cursor, PostgreSQL uses a
        server-side cursor."""
        for rows in self.batches(sql, params, batch):
            yield from rows

    def batches(self, sql: str, params: Sequence[Any] = (), batch: int = 10_000) -> Iterator[list[Any]]:
        """`stream`, `batch` rows at a time."""
        if self.dialect == "postgresql":
            cursor = self.connection.cursor(name=f"ledger_stream_{next(_CURSOR_NAMES)}")
            cursor.itersize = batch
        else:
            cursor = self.connection.cursor()
        try:
            cursor.execute(sql.replace("?", self._ph), tuple(params))
            while rows := cursor.fetchmany(batch):
                yield rows
        finally:
            cursor.close()


def _chunks(keys: Sequence[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(keys), size):
        yield list(keys[start : start + size])
