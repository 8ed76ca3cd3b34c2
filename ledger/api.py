"""The public API: open a ledger by URL, then append, import, read, query and verify.

Each method is one transaction. Writes take the single-writer lock; queries first bring the
projections up to the head (under the same lock, only when they are behind), so no caller ever sees
stale state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import orjson

from ledger import projector, queries
from ledger.errors import Conflict, IntegrityFailure, UsageError
from ledger.events import StoredEvent, validate_event
from ledger.hashing import GENESIS_HASH, event_hash
from ledger.jsonl import dump_event, read_lines
from ledger.store import EventStore, Head, Transaction
from ledger.times import bound_key
from ledger.writer import Appended, Appender

IMPORT_CHUNK = 2000


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did: events read, appended and skipped as already present."""

    read: int
    appended: int
    skipped: int
    head: Head
    dry_run: bool = False


@dataclass(frozen=True, slots=True)
class VerifyReport:
    ok: bool
    events: int
    head_hash: str
    first_bad_position: int | None
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "head_hash": self.head_hash,
            "first_bad_position": self.first_bad_position,
        }


def _parse_head(head: str) -> tuple[str, int]:
    digest, sep, position = head.partition("@")
    if not sep or not position.isdigit() or len(digest) != 64:
        raise UsageError(
            f"expected HASH@POSITION (64 hex digits @ a position), got {head!r}", option="--head"
        )
    return digest.lower(), int(position)


def parse_expect(expect: str) -> tuple[str, int]:
    """ENTITY@POSITION, as `--expect` takes it."""
    entity, sep, position = expect.rpartition("@")
    if not sep or not position.isdigit() or not entity:
        raise UsageError(f"expected ENTITY@POSITION, got {expect!r}", option="--expect")
    return entity, int(position)


def _time_bound(value: str | None, option: str) -> int | None:
    if value is None:
        return None
    try:
        return bound_key(value)
    except ValueError as e:
        raise UsageError(str(e), option=option) from None


class Ledger:
    """A corporate-actions ledger in a SQLite file or a PostgreSQL database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.store = EventStore(url)

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    # -- schema ------------------------------------------------------------------------------------------
    def init(self) -> str:
        """Create or upgrade the schema to the head migration (idempotent); returns the revision."""
        from ledger.migrations import HEAD_REVISION

        path = self.store.sqlite_path()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.store.upgrade_schema()
        with self.store.writing() as tx:
            projector.catch_up(tx, self._folder(tx))
        return HEAD_REVISION

    # -- writing -----------------------------------------------------------------------------------------
    def append(self, event: dict[str, Any], *, expect: str | tuple[str, int] | None = None) -> Appended:
        """Validate and append one event; returns its position and id (an existing identical one is
        returned as is)."""
        return self.append_many([event], expect=expect)[0]

    def append_many(
        self, events: Iterable[dict[str, Any]], *, expect: str | tuple[str, int] | None = None
    ) -> list[Appended]:
        """Append events in order, all or nothing."""
        validated = [(None, validate_event(e), e) for e in events]
        self.store.require_schema()
        with self.store.writing() as tx:
            appender = Appender(tx)
            if expect is not None:
                appender.expect(*(parse_expect(expect) if isinstance(expect, str) else expect))
            appender.add(validated)
            projector.catch_up(tx)
        found = {a.id for a in appender.stats.appended}
        result = list(appender.stats.appended)
        if len(result) < len(validated):  # idempotent re-appends report the stored event
            with self.store.reading() as tx:
                stored = tx.events_by_id(e.id for _, e, _ in validated if e.id and e.id not in found)
            result += [Appended(s.position, s.id) for s in stored.values()]
            result.sort(key=lambda a: a.position)
        return result

    def import_jsonl(
        self,
        stream: BinaryIO | Iterable[bytes],
        *,
        dry_run: bool = False,
        restore: bool = False,
        on_bytes: Callable[[int], None] | None = None,
    ) -> ImportResult:
        """Import a JSONL stream as one transaction: all of it or, on any error, none of it.

        `restore` loads an export into an empty ledger keeping its positions, times and hashes.
        `dry_run` does all the checks, then rolls back.
        """
        self.store.require_schema()
        read = 0

        class _DryRun(Exception):
            pass

        result: ImportResult | None = None
        try:
            with self.store.writing() as tx:
                if restore and tx.count():
                    raise Conflict("--restore needs an empty ledger; this one already holds events")
                appender = Appender(tx, restore=restore, keep_appended=False)
                chunk = []
                for item in read_lines(stream, on_bytes):
                    chunk.append(item)
                    read += 1
                    if len(chunk) >= IMPORT_CHUNK:
                        appender.add(chunk)
                        chunk = []
                appender.add(chunk)
                result = ImportResult(
                    read, appender.count, appender.stats.skipped, tx.head(), dry_run=dry_run
                )
                if dry_run:
                    raise _DryRun
        except _DryRun:
            assert result is not None
            return result
        assert result is not None
        if result.appended:
            self.catch_up()
        return result

    # -- reading -----------------------------------------------------------------------------------------
    def head(self) -> Head:
        self.store.require_schema()
        with self.store.reading() as tx:
            return tx.head()

    def read(self, since: int = 0) -> Iterator[StoredEvent]:
        """Every event after `since`, in position order (streamed)."""
        self.store.require_schema()
        with self.store.reading() as tx:
            yield from tx.read(since)

    def export(self, out: BinaryIO) -> int:
        """Write every event with its store fields as JSONL; returns the count."""
        count = 0
        for event in self.read():
            out.write(dump_event(event))
            count += 1
        return count

    def events(
        self,
        *,
        entity: str | None = None,
        event_type: str | None = None,
        since: int = 0,
        limit: int | None = None,
        reverse: bool = False,
    ) -> list[StoredEvent]:
        self.store.require_schema()
        with self.store.reading() as tx:
            return tx.select(entity=entity, event_type=event_type, since=since, limit=limit, reverse=reverse)

    def verify(self, head: str | None = None) -> VerifyReport:
        """Recompute the hash chain from position 1; with `head` (HASH@POSITION) also check the ledger
        still holds that head there."""
        expected_head = _parse_head(head) if head else None
        self.store.require_schema()
        with self.store.reading() as tx:
            return _verify(tx, expected_head)

    # -- projections and queries ---------------------------------------------------------------------------
    def catch_up(self) -> None:
        """Bring the projections up to the head if a write left them behind."""
        with self.store.reading() as tx:
            if tx.checkpoint() >= tx.head().position:
                return
        with self.store.writing() as tx:
            projector.catch_up(tx, self._folder(tx))

    def _folder(self, tx: Transaction) -> projector.Folder:
        """How to fold every entity in this transaction, whose log must be committed up to its head:
        in worker processes when the log is large (see ledger.fold_pool)."""
        from ledger import fold_pool

        return fold_pool.folder(self.url, tx.head().position)

    def rebuild(self, *, check: bool = False) -> projector.RebuildReport:
        """Rebuild every projection from the log; with `check`, rebuild aside and compare instead.

        `check` first catches up with the head, as every query does: projections merely behind (an
        import between its two transactions, or killed between them) are not a difference."""
        self.store.require_schema()
        with self.store.writing() as tx:
            folder = self._folder(tx)
            if check:
                projector.catch_up(tx, folder)
                return projector.check(tx, folder)
            return projector.rebuild(tx, folder)

    def _query(self) -> Any:
        self.store.require_schema()
        self.catch_up()
        return self.store.reading()

    def show(
        self, entity_id: str, *, as_of: str | None = None, known_at: str | None = None
    ) -> dict[str, Any]:
        bounds = _time_bound(as_of, "--as-of"), _time_bound(known_at, "--known-at")
        with self._query() as tx:
            return queries.show(tx, entity_id, *bounds)

    def history(
        self, entity_id: str, *, as_of: str | None = None, known_at: str | None = None
    ) -> list[dict[str, Any]]:
        bounds = _time_bound(as_of, "--as-of"), _time_bound(known_at, "--known-at")
        with self._query() as tx:
            return queries.history(tx, entity_id, *bounds)

    def list(self, kind: str) -> list[dict[str, Any]]:
        with self._query() as tx:
            return queries.list_entities(tx, kind)

    def claims(self, entity_id: str | None = None, *, status: str | None = None) -> list[dict[str, Any]]:
        with self._query() as tx:
            return queries.claims(tx, entity_id, status)


def _verify(tx: Transaction, expected_head: tuple[str, int] | None) -> VerifyReport:
    # Read before the events: on PostgreSQL each statement sees what is committed when it starts, and
    # the checkpoint never passes the committed head, so a concurrent writer cannot make it look ahead.
    built = tx.checkpoint()
    prev_hash, last_recorded, count = GENESIS_HASH, "", 0
    bad: tuple[int, str] | None = None
    held: str | None = None
    for (
        position,
        event_id,
        event_type,
        occurred_at,
        recorded_at,
        body,
        stored_prev,
        stored_hash,
    ) in tx.read_raw():
        if bad is None:
            expected = count + 1
            try:
                payload = orjson.loads(body)
                exported = {"id": event_id, "type": event_type, "occurred_at": occurred_at, **payload}
                exported.update(position=position, recorded_at=recorded_at, prev_hash=stored_prev)
                digest = event_hash(exported)
            except (orjson.JSONDecodeError, TypeError, ValueError):
                digest = None
            if position != expected:
                bad = (expected, f"position {expected} is missing (found {position})")
            elif stored_prev != prev_hash:
                bad = (position, "prev_hash does not match the previous event's hash")
            elif recorded_at < last_recorded:
                bad = (position, "recorded_at goes back in time")
            elif digest != stored_hash:
                bad = (position, "hash does not match the event's content")
        count += 1
        prev_hash, last_recorded = stored_hash, recorded_at
        if expected_head and position == expected_head[1]:
            held = stored_hash
    head_hash = prev_hash
    if bad is None and built > count:
        # A tripwire, not a proof (whoever cuts the log can rewind this too; `--head` is the proof).
        bad = (count + 1, f"position {count + 1} is missing: the projections were built from {built} events")
    if bad is None and expected_head is not None and held != expected_head[0]:
        bad = (
            expected_head[1],
            f"the ledger no longer holds head {expected_head[0][:12]}… at position {expected_head[1]}",
        )
    if bad is None:
        return VerifyReport(True, count, head_hash, None)
    return VerifyReport(False, count, head_hash, bad[0], bad[1])


def ensure_ok(report: VerifyReport) -> VerifyReport:
    if not report.ok:
        raise IntegrityFailure(
            f"chain broken at position {report.first_bad_position}: {report.problem}",
            position=report.first_bad_position,
        )
    return report
