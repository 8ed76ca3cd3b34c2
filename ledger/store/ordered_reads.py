"""Reading the log in position order: rows and pages for verify and export (a row the database cannot
read back is reported by position, not raised as a driver error), hashes for the Merkle tree, and decoded
events. Part of `LogTables` (ledger/store/log.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ledger.errors import Unreadable
from ledger.events import StoredEvent
from ledger.store.errors import damage, is_damage
from ledger.store.rows import COLUMNS, EventRowTuple, stored_event
from ledger.store.sql import Sql


class _Damaged(Exception):
    """A read the database could not answer: its data is damaged (the message says how)."""


class OrderedReads:
    """The log's events in position order, inside the transaction of `sql`."""

    sql: Sql

    def rows(self, since: int = 0, batch: int = 5000) -> Iterator[EventRowTuple]:
        """Rows of EVENT_COLUMNS after position `since`, undecoded, in keyset pages (verify decodes them
        itself, to report a damaged row rather than fail on it)."""
        for page in self.pages(since, batch):
            yield from page

    def pages(
        self, since: int = 0, batch: int = 5000, upto: int | None = None
    ) -> Iterator[list[EventRowTuple]]:
        """`rows`, a page at a time (up to position `upto`, if given). A row the database cannot read back (a
        damaged page, text that is not UTF-8) raises IntegrityFailure naming the first position that cannot
        be read."""
        last = since
        bound = "" if upto is None else f" AND position <= {int(upto)}"
        while True:
            try:
                sql = f"SELECT {COLUMNS} FROM events WHERE position > ?{bound} ORDER BY position LIMIT ?"
                page = self._readable(sql, (last, batch))
            except _Damaged as e:
                position, readable = self._first_unreadable(last, batch, bound)
                if readable:
                    yield readable
                raise Unreadable(position, str(e)) from None
            if not page:
                return
            yield page
            last = int(page[-1][0])

    def last_position(self) -> int | None:
        """The highest position held (0 for an empty log), or None if the database cannot read it back."""
        try:
            return int(self._readable("SELECT COALESCE(MAX(position), 0) FROM events", ())[0][0])
        except _Damaged:
            return None

    def _readable(self, sql: str, params: Sequence[object]) -> list[Sequence[Any]]:
        """Rows of `sql`, or _Damaged if the database cannot read them back (PostgreSQL: under a savepoint,
        so the transaction goes on)."""
        savepoint = self.sql.dialect == "postgresql"
        if savepoint:
            self.sql.run("SAVEPOINT ledger_read")
        try:
            rows = self.sql.rows(sql, params)
        except Exception as e:
            if not is_damage(e):
                raise
            if savepoint:
                self.sql.run("ROLLBACK TO SAVEPOINT ledger_read")
            raise _Damaged(damage(e)) from None
        if savepoint:
            self.sql.run("RELEASE SAVEPOINT ledger_read")
        return rows

    def _first_unreadable(self, last: int, batch: int, bound: str) -> tuple[int, list[EventRowTuple]]:
        """The first position after `last` whose row cannot be read back, and the rows before it that can,
        trying them one by one."""
        readable: list[EventRowTuple] = []
        for _ in range(batch):
            try:
                sql = f"SELECT position FROM events WHERE position > ?{bound} ORDER BY position LIMIT 1"
                found = self._readable(sql, (last,))
            except _Damaged:
                return last + 1, readable
            if not found:
                return last + 1, readable
            position = int(found[0][0])
            try:
                readable += self._readable(f"SELECT {COLUMNS} FROM events WHERE position = ?", (position,))
            except _Damaged:
                return position, readable
            last = position
        return last + 1, readable

    def hashes(self, since: int = 0) -> Iterator[tuple[int, str]]:
        """(position, hash) of every event after `since`, in position order, streamed."""
        rows = self.sql.stream(
            "SELECT position, hash FROM events WHERE position > ? ORDER BY position", (since,)
        )
        return ((int(position), digest) for position, digest in rows)

    def id_and_hash(self, position: int) -> tuple[str, str] | None:
        """The id and hash of the event at `position`, without decoding it."""
        rows = self.sql.rows("SELECT id, hash FROM events WHERE position = ?", (position,))
        return (rows[0][0], rows[0][1]) if rows else None

    def hashes_at(self, positions: Sequence[int]) -> Iterator[tuple[int, str]]:
        """(position, hash) of the events at these positions (a few: the leaves of a proof)."""
        rows = self.sql.rows_in("SELECT position, hash FROM events WHERE position IN ({keys})", positions)
        return ((int(position), digest) for position, digest in rows)

    def read(self, since: int = 0) -> Iterator[StoredEvent]:
        """Every event after position `since`, in position order."""
        return map(stored_event, self.rows(since))

    def read_between(self, since: int, until: int) -> Iterator[StoredEvent]:
        """The events after position `since`, up to `until`, in position order."""
        for page in self.pages(since, max(1, min(5000, until - since))):
            for row in page:
                if int(row[0]) > until:
                    return
                yield stored_event(row)
