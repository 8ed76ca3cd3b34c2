"""The public API: open a ledger by URL, then append, import, read, query and verify.

Each method is one transaction. Writes take the single-writer lock; queries first bring the
projections up to the head (under the same lock, only when they are behind), so no caller ever sees
stale state.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from ledger.api_proofs import Proofs
from ledger.api_queries import Queries
from ledger.bulk import fewer_collections
from ledger.errors import InvalidArgument, LedgerError, NotEmpty, ProjectionsBehind
from ledger.store.connection import EventStore
from ledger.vocabulary.terms import CURRENT_VERSION

# What writes, imports, verify and proofs need (the validator, the vocabulary, the projections, the
# Merkle tree) the methods import: a query loads only the store and what it reads (docs/ARCHITECTURE.md).
if TYPE_CHECKING:
    from pathlib import Path

    from ledger.advice import OnWarning
    from ledger.events import StoredEvent
    from ledger.progress import OnProgress
    from ledger.read_model import sync
    from ledger.store.connection import Transaction
    from ledger.store.log import Head
    from ledger.transparency.note import Verifier
    from ledger.verify import VerifyReport
    from ledger.writer import Appended

IMPORT_CHUNK = 2000


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did: events read, appended and skipped as already present."""

    read: int
    appended: int
    skipped: int
    head: Head
    dry_run: bool = False


def parse_expect(expect: str) -> tuple[str, int]:
    """ENTITY@POSITION: the form `expect` takes as text."""
    entity, sep, position = expect.rpartition("@")
    if not sep or not position.isdigit() or not entity:
        raise InvalidArgument(f"expected ENTITY@POSITION, got {expect!r}", parameter="expect")
    return entity, int(position)


class Ledger(Queries, Proofs):
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
        from ledger import reindex, tree
        from ledger.read_model import sync
        from ledger.store.migrations import HEAD_REVISION
        from ledger.writer import backfill_names

        folder = os.path.dirname(self.store.sqlite_path() or "")
        if folder:
            os.makedirs(folder, exist_ok=True)
        previous = self.store.stored_revision()
        self.store.upgrade_schema()
        with self.store.writing() as tx:
            tx.guards.restore()  # a guard dropped, disabled or altered since: put back as installed
            if not tx.log.index_changed():  # a ledger from before the index followed corrections
                reindex.backfill(tx)
            elif previous is not None and previous < "0009":  # before it moved corrections along too
                reindex.repair(tx)
            tree.backfill(tx)  # a ledger from before the Merkle tree (schema 0004): build it from the log
            if not tx.log.names_indexed():  # a ledger from before the names events are found by (0008)
                backfill_names(tx)
            sync.catch_up(tx, self._folder(tx))
        return HEAD_REVISION

    # -- writing -----------------------------------------------------------------------------------------
    def append(
        self,
        event: dict[str, Any],
        *,
        expect: str | tuple[str, int] | None = None,
        strict: bool = False,
        on_warning: OnWarning | None = None,
    ) -> Appended:
        """Validate and append one event; returns its position and id (an existing identical one is
        returned as is). `strict` and `on_warning` as for `append_many`."""
        return self.append_many([event], expect=expect, strict=strict, on_warning=on_warning)[0]

    def append_many(
        self,
        events: Iterable[dict[str, Any]],
        *,
        expect: str | tuple[str, int] | None = None,
        strict: bool = False,
        on_warning: OnWarning | None = None,
    ) -> list[Appended]:
        """Append events in order, all or nothing.

        Warnings (`ledger.advice`) go to `on_warning`, else to Python's `warnings`; `strict` makes the
        first one an `InvalidEvent`, and nothing is written."""
        from ledger.advice import Advisor
        from ledger.read_model import sync
        from ledger.validation import validate_event
        from ledger.writer import Appended, Appender

        validated = [(None, validate_event(e), e) for e in events]
        self.store.require_schema()
        with self.store.writing() as tx:
            appender = Appender(tx, advisor=Advisor(tx, on_warning, strict=strict))
            if expect is not None:
                appender.expect(*(parse_expect(expect) if isinstance(expect, str) else expect))
            appender.add(validated)
            appender.finish()
            sync.catch_up(tx)
            found = {a.id for a in appender.stats.appended}
            result = list(appender.stats.appended)
            if len(result) < len(validated):  # idempotent re-appends report the stored event
                # Read in the same transaction: nothing after the commit can fail a committed append.
                stored = tx.log.events_by_id(e.id for _, e, _ in validated if e.id and e.id not in found)
                result += [Appended(s.position, s.id) for s in stored.values()]
                result.sort(key=lambda a: a.position)
        return result

    @fewer_collections()
    def import_jsonl(
        self,
        stream: BinaryIO | Iterable[bytes],
        *,
        dry_run: bool = False,
        restore: bool = False,
        vocabulary: int = CURRENT_VERSION,
        on_bytes: Callable[[int], None] | None = None,
        strict: bool = False,
        on_warning: OnWarning | None = None,
        head: str | None = None,
        progress: OnProgress | None = None,
    ) -> ImportResult:
        """Import a JSONL stream as one transaction: all of it or, on any error, none of it.

        `restore` loads an export into an empty ledger keeping its positions, times, hashes and each
        event's `v` (or its absence: such an event predates versions and is read as v1). `vocabulary` is
        the version of other lines without `v` (they are stored with it). `dry_run` does all the checks,
        then rolls back. `strict` and `on_warning` as for `append_many` (a restore gives no warnings).
        `head` (HASH@POSITION, with `restore`) is the head the export must end at: a truncated export
        fails (IntegrityFailure) and restores nothing. `progress` (`ledger.progress`): EVENTS read and
        written, COMMIT, the PROJECTIONS caught up after it, COMMIT.

        An event without an id gets one derived from its content (`events.with_content_id`), so importing
        the same file again adds nothing. If the events commit but the projections cannot be brought up
        to date after them, `ProjectionsBehind` says so, carrying this result: the events are stored.
        """
        from ledger.advice import Advisor
        from ledger.events import with_content_id
        from ledger.jsonl import read_lines
        from ledger.progress import COMMIT, EVENTS
        from ledger.verify import parse_head, require_head
        from ledger.vocabulary.terms import VERSIONS
        from ledger.writer import Appender

        if vocabulary not in VERSIONS:
            raise InvalidArgument(
                f"unknown vocabulary version {vocabulary}: expected one of {', '.join(map(str, VERSIONS))}",
                parameter="vocabulary",
            )
        expected_head = parse_head(head) if head is not None else None
        if expected_head is not None and not restore:
            raise InvalidArgument("a head is checked by a restore (--restore)", parameter="head")
        self.store.require_schema()
        read = 0

        class _DryRun(Exception):
            pass

        result: ImportResult | None = None
        try:
            with self.store.writing() as tx:
                if restore and tx.log.count():
                    raise NotEmpty
                advisor = Advisor(tx, on_warning, strict=strict, bulk=True)
                appender = Appender(tx, restore=restore, keep_appended=False, advisor=advisor)
                chunk = []
                version = 1 if restore else vocabulary
                if progress is not None:
                    progress(EVENTS, 0, None)
                for item in read_lines(stream, on_bytes, version=version, restore=restore, keep_raw=restore):
                    if item[1].id is None:  # an id from its content: importing it again finds it there
                        item = (item[0], with_content_id(item[1]), item[2])
                    chunk.append(item)
                    read += 1
                    if len(chunk) >= IMPORT_CHUNK:
                        appender.add(chunk)
                        chunk = []
                        if progress is not None:
                            progress(EVENTS, read, None)
                appender.add(chunk)
                if progress is not None:
                    progress(EVENTS, read, read)
                    progress(COMMIT, 0, None)
                appender.finish()
                result = ImportResult(
                    read, appender.count, appender.stats.skipped, tx.log.head(), dry_run=dry_run
                )
                if expected_head is not None:
                    require_head(result.head, expected_head)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            assert result is not None
            return result
        assert result is not None
        if result.appended:
            # The events are committed: whatever goes wrong now must not read as a failed import.
            try:
                self.catch_up(progress)
            except (Exception, KeyboardInterrupt) as e:
                raise ProjectionsBehind(result, self._cause(e)) from e
        return result

    def _cause(self, error: BaseException) -> str:
        """What went wrong, in one line, for a message (never the URL's password)."""
        from ledger.store.urls import redact

        if isinstance(error, KeyboardInterrupt):
            return "interrupted"
        if isinstance(error, LedgerError):
            return str(error)
        text = str(error).splitlines()[0] if str(error) else ""
        return redact(f"unexpected {type(error).__name__}: {text}", self.url)

    # -- reading -----------------------------------------------------------------------------------------
    def head(self) -> Head:
        self.store.require_schema()
        with self.store.reading() as tx:
            return tx.log.head()

    def read(self, since: int = 0) -> Iterator[StoredEvent]:
        """Every event after `since`, in position order (streamed)."""
        self.store.require_schema()
        with self.store.reading() as tx:
            yield from tx.log.read(since)

    @fewer_collections()
    def export(self, out: BinaryIO, *, progress: OnProgress | None = None) -> int:
        """Write every event with its store fields as JSONL; returns the count. `progress` hears of the
        events written (EVENTS, of the head's position): `ledger.progress`."""
        from ledger.jsonl import dump_event
        from ledger.progress import EVENTS, EVERY

        self.store.require_schema()
        count = 0
        with self.store.reading() as tx:
            total = tx.log.head().position if progress is not None else None
            for event in tx.log.read():
                out.write(dump_event(event))
                count += 1
                if progress is not None and count % EVERY == 0:
                    progress(EVENTS, count, total)
        if progress is not None:
            progress(EVENTS, count, count)
        return count

    def export_file(
        self, path: str | Path, *, force: bool = False, progress: OnProgress | None = None
    ) -> int:
        """`export` into a file, safely (`ledger.output`): never the ledger's own database, never over an
        existing file unless `force`, never half of it; returns the count."""
        from pathlib import Path

        from ledger import output

        write = functools.partial(self.export, progress=progress)
        return output.write_file(Path(path), write, force=force, protected=self.database_files())

    def database_files(self) -> list[Path]:
        """The files of a SQLite ledger (the database and its journals; none for PostgreSQL): what no
        output file may be."""
        from pathlib import Path  # here: a query's start-up does without pathlib

        database = self.store.sqlite_path()
        return (
            [Path(f"{database}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")] if database else []
        )

    @fewer_collections()
    def verify(
        self,
        head: str | None = None,
        *,
        checkpoint: str | None = None,
        keys: Sequence[str | Verifier] = (),
        progress: OnProgress | None = None,
    ) -> VerifyReport:
        """Recompute the hash chain from position 1 and the Merkle tree from it; with `head` (HASH@POSITION)
        also check the ledger still holds that head there; with `checkpoint` (a signed note, as `checkpoint`
        printed it) that it still holds the tree the checkpoint names, consistent with its tree now. With
        `keys` (verifier keys), the checkpoint must carry a valid signature by one of them (else
        `ProofFailed`, before the log is read). `progress` hears of the events checked (EVENTS) and of the
        checks of what derives from them (DERIVED): `ledger.progress`."""
        from ledger import offline
        from ledger.verify import parse_head, verify_chain

        expected_head = parse_head(head) if head else None
        if keys and checkpoint is None:
            raise InvalidArgument("verifier keys check a checkpoint; give one", parameter="keys")
        named, signed_by = None, ()
        if checkpoint is not None:
            named, signed_by = offline.read_checkpoint(checkpoint, offline.verifiers(keys))
        self.store.require_schema()
        with self.store.reading(snapshot=True) as tx:
            return verify_chain(tx, expected_head, named, signed_by, url=self.store.url, progress=progress)

    # -- projections and queries ---------------------------------------------------------------------------
    @fewer_collections()
    def catch_up(self, progress: OnProgress | None = None) -> None:
        """Bring the projections up to the head if a write left them behind (`progress`: PROJECTIONS,
        COMMIT)."""
        with self.store.reading() as tx:
            if tx.projections.checkpoint() >= tx.log.head().position:
                return
        from ledger.progress import COMMIT
        from ledger.read_model import sync

        with self.store.writing() as tx:
            sync.catch_up(tx, self._folder(tx), progress)
            if progress is not None:
                progress(COMMIT, 0, None)

    def _folder(self, tx: Transaction) -> sync.Folder:
        """How to fold every entity in this transaction, whose log must be committed up to its head:
        in worker processes when the log is large (see ledger.read_model.workers)."""
        from ledger.read_model import workers

        return workers.folder(self.url, tx.log.head().position)

    @fewer_collections()
    def rebuild(self, *, check: bool = False, progress: OnProgress | None = None) -> sync.RebuildReport:
        """Rebuild every projection from the log; with `check`, rebuild aside and compare instead.

        `check` first catches up with the head, as every query does: projections merely behind (an
        import between its two transactions, or killed between them) are not a difference. `progress`
        (`ledger.progress`): the entities folded (PROJECTIONS), then COMMIT or, with `check`, COMPARE."""
        from ledger.progress import COMMIT
        from ledger.read_model import sync

        self.store.require_schema()
        with self.store.writing() as tx:
            folder = self._folder(tx)
            if check:
                sync.catch_up(tx, folder)
                return sync.check(tx, folder, progress)
            report = sync.rebuild(tx, folder, progress)
            if progress is not None:
                progress(COMMIT, 0, None)
            return report
