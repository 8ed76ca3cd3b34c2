"""Appending: ids, references, the entity index, positions and the hash chain, chunk by chunk.

An `Appender` lives inside one write transaction (`EventStore.writing()`), so everything it adds
commits or rolls back together. It keeps only one chunk in memory: references to events added by
earlier chunks are looked up in the database, where the same transaction already sees them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import lru_cache
from typing import Any

import orjson

from ledger import reindex
from ledger.advice import Advisor, Inserted
from ledger.errors import Conflict, ExpectationFailed, IntegrityFailure, InvalidEvent
from ledger.events import MAX_LINE_BYTES, NewEvent, StoredEvent
from ledger.hashing import canonical_json, chain_hash, event_hash
from ledger.jsonl import dump_event
from ledger.names import event_names
from ledger.store.connection import Transaction
from ledger.store.log import EventRow, stored_event
from ledger.times import format_recorded_at, is_recorded_at, next_recorded_at, now_utc, start_key
from ledger.tree import TreeWriter
from ledger.validation import may_hold_floats, validate_replacement
from ledger.vocabulary.registry import category, entities_in, upcast

_SORTED = orjson.OPT_SORT_KEYS
# An event's export line is its stored body plus id, type, times, position and hashes (~400 bytes) and
# numbers spelled by orjson rather than RFC 8785; below this margin under the limit it always fits.
_EXPORT_OVERHEAD = 2048
_start_key = lru_cache(maxsize=1 << 16)(start_key)  # dates repeat across events
RESTORE_CLOCK_SKEW_S = 60  # how far ahead of this machine's clock an export's recorded_at may be


@dataclass(slots=True)
class _Target:
    """What a statement or a correction needs to know about the event it references."""

    position: int
    type: str
    entities: set[str]
    version: int | None = None  # its vocabulary version, read only when a correction needs it
    version_known: bool = False


@dataclass(frozen=True, slots=True)
class Appended:
    position: int
    id: str


@dataclass(slots=True)
class AppendStats:
    appended: list[Appended] = field(default_factory=list)
    skipped: int = 0


def _body(data: bytes, sources: bytes, refs: bytes, note: str | None, v: int | None) -> bytes:
    """Canonical JSON of {data, note?, refs, sources, v?}, spliced from canonical parts."""
    note_part = b',"note":' + orjson.dumps(note) if note is not None else b""
    v_part = b',"v":' + str(v).encode() if v is not None else b""
    return b'{"data":' + data + note_part + b',"refs":' + refs + b',"sources":' + sources + v_part + b"}"


class Appender:
    """Adds validated events to the log inside one write transaction."""

    def __init__(
        self,
        tx: Transaction,
        *,
        restore: bool = False,
        keep_appended: bool = True,
        advisor: Advisor | None = None,
    ) -> None:
        self.tx = tx
        self.advisor = None if restore else advisor  # an export is restored as it is, without advice
        head = tx.log.head()
        self.position = head.position
        self.prev_hash = head.hash
        self.tree = TreeWriter(tx, head.position)  # the Merkle tree grows with the log, in this transaction
        self.recorded_at = next_recorded_at(head.recorded_at)
        self.restore = restore
        self.keep_appended = keep_appended
        self.stats = AppendStats()
        self.count = 0
        self._last_restored = ""
        # A restored event's recorded_at must not be later than now (a minute allowed for another clock).
        self._restore_clock = format_recorded_at(now_utc() + timedelta(seconds=RESTORE_CLOCK_SKEW_S))

    def expect(self, entity_id: str, position: int) -> None:
        """Fail unless the latest event naming `entity_id` is at `position` (0: none yet)."""
        latest = self.tx.log.latest_position_of(entity_id)
        if latest != position:
            raise ExpectationFailed(entity_id, position, latest)

    def add(self, chunk: Sequence[tuple[int | None, NewEvent, dict[str, Any] | None]]) -> None:
        """Append a chunk of (line number, event, the raw object for --restore) in order."""
        given = [event.id for _, event, _ in chunk if event.id is not None]
        refs = [ref for _, event, _ in chunk for ref in event.refs]
        located = self.tx.log.locate(given + refs)
        # Only ids seen before need their content, to tell a harmless re-import from a reused id.
        known = self.tx.log.events_by_id(i for i in given if i in located) if given else {}
        targets: dict[str, _Target] = {}
        referenced = [(r, *located[r]) for r in dict.fromkeys(refs) if r in located]
        if referenced:
            current = self.tx.log.current_entities([position for _, position, _ in referenced])
            for ref, position, event_type in referenced:
                targets[ref] = _Target(position, event_type, current[position])
        added_here: dict[str, NewEvent] = {}  # for duplicates within the chunk

        rows: list[EventRow] = []
        appended: list[Inserted] = []  # for the advisor
        for line, event, raw in chunk:
            try:
                added = self._row(event, raw, known, targets, added_here)
            except (InvalidEvent, Conflict, IntegrityFailure) as e:
                raise e.at_line(line) if line is not None else e from None
            if added is not None:
                row, data, named = added
                rows.append(row)
                if self.advisor is not None:
                    indexed = tuple(targets[ref].entities for ref in event.refs)
                    appended.append(Inserted(line, _stored(row, event), data, named, indexed))
                if event.type == "entry.corrected":
                    # The index follows the correction: write what came before, then move the
                    # target (and its statements) to the entities of the corrected data.
                    self._insert(rows)
                    rows = []
                    self._follow(event, row.position, targets)
        self._insert(rows)
        if self.advisor is not None:
            self.advisor.check(appended)

    def _insert(self, rows: list[EventRow]) -> None:
        if rows:
            self.tx.log.insert(rows)
            self.tree.append([row.hash for row in rows])

    def finish(self) -> None:
        """Before the transaction commits: what the advisor judges once every event is in."""
        if self.advisor is not None:
            self.advisor.finish()

    def _follow(self, correction: NewEvent, position: int, targets: dict[str, _Target]) -> None:
        target_id = correction.refs[0]
        target = self.tx.log.events_by_id([target_id])[target_id]
        moved = reindex.moves(self.tx, target, correction.data["replacement"], position)
        self.tx.log.move_index(reindex.changes(moved, position))
        for known in targets.values():  # later events of this chunk see the moved index
            if known.position in moved:
                known.entities = set(moved[known.position][1])

    def _row(
        self,
        event: NewEvent,
        raw: dict[str, Any] | None,
        known: dict[str, StoredEvent],
        targets: dict[str, _Target],
        added_here: dict[str, NewEvent],
    ) -> tuple[EventRow, dict[str, Any], list[str]] | None:
        """The event's row, its data in the current shape and the entities that data names (None: an
        identical event is already stored)."""
        event_id = event.id or str(uuid.uuid4())
        kind = category(event.type)

        # Resolve references: they must name earlier events of the right kind.
        ref_positions: list[int] = []
        entities: dict[str, None] = {}
        for index, ref in enumerate(event.refs):
            target = targets.get(ref)
            if target is None:
                raise InvalidEvent(f"no earlier event has id {ref}", field=f"refs[{index}]")
            target_kind = category(target.type)
            if kind == "statement" and target_kind != "claim":
                raise InvalidEvent(
                    f"a statement must reference claims; {ref} is a {target_kind}", field=f"refs[{index}]"
                )
            if kind == "correction" and target_kind == "correction":
                raise InvalidEvent(
                    "a correction cannot itself be corrected or voided", field=f"refs[{index}]"
                )
            ref_positions.append(target.position)
            entities.update(dict.fromkeys(sorted(target.entities)))
        if event.type == "entry.corrected":
            target = targets[event.refs[0]]
            if not target.version_known:
                target.version = self.tx.log.events_by_id([event.refs[0]])[event.refs[0]].v
                target.version_known = True
            version = target.version or 1
            replacement = validate_replacement(target.type, event.data["replacement"], version=version)
            event = replace(event, data={**event.data, "replacement": replacement})
            added = entities_in(target.type, upcast(target.type, version, replacement))
            entities.update(dict.fromkeys(added))
        data_now = upcast(event.type, event.v, event.data)  # in the current vocabulary's shape
        named = entities_in(event.type, data_now)
        entities.update(dict.fromkeys(named))

        # Idempotency: a known id with identical content is skipped, with other content refused.
        previous = added_here.get(event_id)
        if previous is not None or event_id in known:
            if previous is not None:
                stored = canonical_json(previous.content(event_id))
            else:
                stored = canonical_json(known[event_id].content())
            if stored != canonical_json(event.content(event_id)) and not (
                # an event stored before versions, given again without `v`, is the same event
                previous is None
                and known[event_id].v is None
                and stored == canonical_json(replace(event, v=None).content(event_id))
            ):
                raise Conflict(f"id {event_id} is already used by an event with other content")
            self.stats.skipped += 1
            return None

        # orjson writes JSON exactly as RFC 8785 does, except non-integer numbers (see ledger.hashing).
        data = (
            canonical_json(event.data)
            if event.type in may_hold_floats()
            else orjson.dumps(event.data, option=_SORTED)
        )
        sources = orjson.dumps(event.sources, option=_SORTED)
        refs = orjson.dumps(event.refs)
        self.position += 1
        if self.restore:
            assert raw is not None
            recorded_at = self._check_restored(raw)
        else:
            recorded_at = self.recorded_at
        digest = chain_hash(
            event_id=event_id,
            event_type=event.type,
            occurred_at=event.occurred_at,
            data=data,
            sources=sources,
            refs=refs,
            note=event.note,
            position=self.position,
            recorded_at=recorded_at,
            prev_hash=self.prev_hash,
            v=event.v,
        )
        if self.restore:
            if digest != raw["hash"]:
                raise IntegrityFailure(
                    f"the export's chain does not verify at position {self.position}: hash mismatch",
                    position=self.position,
                )
            self._check_as_given(raw)
        body = _body(data, sources, refs, event.note, event.v)
        if len(body) > MAX_LINE_BYTES - _EXPORT_OVERHEAD:  # only then can its export line be too long
            exported = StoredEvent(
                self.position,
                event_id,
                event.type,
                event.occurred_at,
                recorded_at,
                orjson.loads(data),
                event.sources,
                event.refs,
                event.note,
                self.prev_hash,
                digest,
                event.v,
            )
            size = len(dump_event(exported)) - 1  # the line without its newline, as `import` counts
            if size > MAX_LINE_BYTES:  # `import` could not read its line back from an export
                raise InvalidEvent(
                    f"event is {size} bytes as exported (with its position, time and hashes); "
                    f"the limit is {MAX_LINE_BYTES}"
                )
        row = EventRow(
            self.position,
            event_id,
            event.type,
            event.occurred_at,
            _start_key(event.occurred_at),
            recorded_at,
            body,
            self.prev_hash,
            digest,
            list(entities),
            ref_positions,
            event_names(event.type, event.data, event.sources),
        )
        self.prev_hash = digest
        self.count += 1
        if event.id is not None:
            added_here[event_id] = event
        if self.keep_appended:
            self.stats.appended.append(Appended(self.position, event_id))
        # What the event is indexed under, as `current_entities` reads it back for later chunks: a
        # correction of a statement then lands under the entities the statement speaks about.
        targets[event_id] = _Target(self.position, event.type, set(entities), event.v, version_known=True)
        return row, data_now, named

    def _check_restored(self, raw: dict[str, Any]) -> str:
        """An exported event keeps its store fields if they continue the chain and its recorded_at is a
        ledger time no earlier than the previous one and not in the future (its hash is checked by the
        caller, against the validated content and against the line as it stands)."""
        position, recorded_at, prev_hash = raw.get("position"), raw.get("recorded_at"), raw.get("prev_hash")
        where = f"at position {self.position}"
        if type(position) is not int or position != self.position:
            raise IntegrityFailure(
                f"the export's chain does not verify {where}: found position {position!r}",
                position=self.position,
            )
        if prev_hash != self.prev_hash or not isinstance(raw.get("hash"), str):
            raise IntegrityFailure(
                f"the export's chain does not verify {where}: prev_hash does not match",
                position=self.position,
            )
        if not is_recorded_at(recorded_at) or recorded_at < self._last_restored:
            raise IntegrityFailure(
                f"the export's chain does not verify {where}: recorded_at missing, not a ledger time "
                "(YYYY-MM-DDTHH:MM:SS.ffffffZ) or going back in time",
                position=self.position,
            )
        if recorded_at > self._restore_clock:
            raise IntegrityFailure(
                f"the export's chain does not verify {where}: recorded_at {recorded_at} is in the future",
                position=self.position,
            )
        self._last_restored = recorded_at
        return recorded_at

    def _check_as_given(self, raw: dict[str, Any]) -> None:
        """The line as it stands, not only its validated content, must hash to its hash: RFC 8785 of the
        line without its hash, no normalisation (a null, an upper-case id would hash otherwise)."""
        try:
            as_given = event_hash({k: v for k, v in raw.items() if k != "hash"})
        except (TypeError, ValueError):
            as_given = None
        if as_given != raw["hash"]:
            raise IntegrityFailure(
                f"the export's line does not verify at position {self.position}: its hash is not that of "
                "the line as it stands (RFC 8785); a field is written otherwise than the export writes it",
                position=self.position,
            )


def _stored(row: EventRow, event: NewEvent) -> StoredEvent:
    """The event as the log now holds it (for the advisor, which reads it like any stored event)."""
    return StoredEvent(
        row.position,
        row.id,
        row.type,
        row.occurred_at,
        row.recorded_at,
        event.data,
        event.sources,
        event.refs,
        event.note,
        row.prev_hash,
        row.hash,
        event.v,
    )


def backfill_names(tx: Transaction) -> int:
    """Fill `event_names` from the log, for a ledger whose events were stored before it existed (schema
    0008); returns the number of events read."""
    count = 0
    for page in tx.log.pages():
        events = [stored_event(row) for row in page]
        tx.log.insert_names(
            [
                (name, e.position, role)
                for e in events
                for name, role in event_names(e.type, e.data, e.sources)
            ]
        )
        count += len(events)
    return count
