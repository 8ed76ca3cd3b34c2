"""Append-time help, never silent: warnings about events that are valid but probably not what was meant.

- An id of a company, plant or authority that no earlier event registers (with "did you mean" when a
  registered id of that kind is close): partnerships and plans need no registration, their first claim
  creates them; a spin-off introduces its new company.
- A statement whose speaker does not count for a claim it references (not a party, nor in a party's
  group at the statement's world time; for a retraction, not an origin of the claim).

The event is stored all the same, unless the caller is strict: then the first warning is an
`InvalidEvent` and nothing is written. Registrations are checked after each chunk is inserted, so
"earlier" means an earlier position, in the log or in the same import. Statements are judged once all
the events of the call are in, still inside its transaction (`finish`): with what the whole import says
about groups and partnerships, as the projections will show them. A statement by one of the claim's
parties counts whatever else is known, and is told apart as it arrives, from the entities the claim is
indexed under; only the others are looked up, in bulk.
"""

from __future__ import annotations

import difflib
import pickle
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from ledger.errors import InvalidEvent
from ledger.events import StoredEvent
from ledger.projections.context import GROUP_TYPES, Context
from ledger.projections.fold import statement_counts
from ledger.search import suggest
from ledger.store.connection import Transaction
from ledger.times import start_key
from ledger.vocabulary.registry import STANCES, category, parties_of, upcast

REGISTERS = {  # which type registers which kind, and the field that names the registered entity
    "company.registered": "company",
    "plant.registered": "plant",
    "authority.registered": "authority",
    "company.spun_off": "company",
}
REGISTERED_KINDS = ("company", "plant", "authority")
_REGISTERED_PREFIXES = tuple(f"{kind}:" for kind in REGISTERED_KINDS)
_PARTY_KINDS = ("company:", "authority:")  # the kinds of id a claim's parties have


class LedgerWarning(UserWarning):
    """Issued (through Python's `warnings`) for a valid event that is probably a mistake."""


@dataclass(frozen=True, slots=True)
class Warning_:
    """One warning: what and where, like an `InvalidEvent`'s message."""

    message: str
    field: str | None = None
    line: int | None = None

    def describe(self) -> str:
        return InvalidEvent(self.message, line=self.line, field=self.field).describe()


OnWarning = Callable[[Warning_], None]


@dataclass(frozen=True, slots=True)
class Inserted:
    """An event the appender just inserted, as the advisor reads it."""

    line: int | None  # of the import, if any
    event: StoredEvent
    data: dict[str, Any]  # its data in the current vocabulary's shape
    named: list[str]  # the entities that data names
    ref_entities: tuple[set[str], ...] = ()  # for each event it references, what that event is indexed under


@dataclass(frozen=True, slots=True)
class _Said:
    """A statement about a claim that may not count: judged by `Advisor.finish`."""

    line: int | None
    by: str
    stance: str
    key: int  # the statement's world time
    ref_index: int
    claim_id: str


JUDGED_AT_ONCE = 5_000  # statements judged together: their look-ups are read in bulk


class _SetAside:
    """The statements set aside, in the order they came: a batch in memory, the batches before it in a
    temporary file. An import of a million events sets aside about 400,000, which held in memory to its
    end were most of what its peak grew by from 100k events to 1M."""

    def __init__(self) -> None:
        self._batch: list[_Said] = []
        self._spilled: IO[bytes] | None = None

    def __bool__(self) -> bool:
        return bool(self._batch) or self._spilled is not None

    def append(self, said: _Said) -> None:
        self._batch.append(said)
        if len(self._batch) >= JUDGED_AT_ONCE:
            if self._spilled is None:
                # Closed by `batches`, or when collected (an import that fails); unlinked already.
                self._spilled = tempfile.TemporaryFile(prefix="ledger-statements-")  # noqa: SIM115
            pickle.dump(self._batch, self._spilled, protocol=pickle.HIGHEST_PROTOCOL)
            self._batch = []

    def batches(self) -> Iterator[list[_Said]]:
        """Every batch (at most JUDGED_AT_ONCE each), in order; what is read is no longer set aside."""
        spilled, self._spilled = self._spilled, None
        batch, self._batch = self._batch, []
        if spilled is not None:
            with spilled:
                spilled.seek(0)
                while True:
                    try:
                        yield pickle.load(spilled)  # written by this process, a moment ago
                    except EOFError:
                        break
        if batch:
            yield batch


def warn_python(warning: Warning_) -> None:
    """The default: a Python warning (a notebook shows it once per place)."""
    warnings.warn(LedgerWarning(warning.describe()), stacklevel=4)


class Advisor:
    """Checks appended events, chunk by chunk, within one write transaction; `finish` before it commits."""

    def __init__(
        self, tx: Transaction, on_warning: OnWarning | None, *, strict: bool = False, bulk: bool = False
    ) -> None:
        """`bulk`: many events will come (an import): read every company-structure claim at once rather
        than one company at a time."""
        self.tx = tx
        self.on_warning = on_warning or warn_python
        self.strict = strict
        self.bulk = bulk
        self._registered: dict[str, int] = {}  # entity id -> position of its first registration
        self._unregistered: set[str] = set()
        self._said = _SetAside()  # statements to judge

    def check(self, appended: Sequence[Inserted]) -> None:
        """Warn about the ids of a chunk just inserted; set aside its statements that need judging."""
        named: dict[str, None] = {}
        claims = []
        for item in appended:
            kind = category(item.event.type)
            if kind == "claim":
                named.update(dict.fromkeys(item.named))
                claims.append(item)
            elif kind == "statement":
                self._set_aside(item)
        self._look_up([e for e in named if e.split(":", 1)[0] in REGISTERED_KINDS])
        for item in claims:
            self._unregistered_ids(item)

    def finish(self) -> None:
        """Judge the statements set aside, in order of their lines."""
        said, self._said = self._said, _SetAside()
        if not said:
            return
        context = Context.over(self.tx.log)
        if self.bulk:
            context.preload_groups(self.tx.log.claims_of_types(GROUP_TYPES))
        for batch in said.batches():
            self._judge(batch, context)

    # -- ids no earlier event registers --------------------------------------------------------------
    def _look_up(self, entity_ids: list[str]) -> None:
        wanted = [e for e in entity_ids if e not in self._registered and e not in self._unregistered]
        if not wanted:
            return
        found = self.tx.log.registrations(wanted, tuple(REGISTERS))
        for entity_id, position, event_type, data in found:
            field = REGISTERS[event_type]
            if data.get(field) == entity_id:
                self._registered[entity_id] = min(position, self._registered.get(entity_id, position))
        self._unregistered.update(e for e in wanted if e not in self._registered)

    def _unregistered_ids(self, item: Inserted) -> None:
        event, data = item.event, item.data
        registers = data.get(REGISTERS.get(event.type, ""))
        registered, position = self._registered, event.position
        for entity in item.named:
            first = registered.get(entity)
            if (first is not None and first < position) or entity == registers:
                continue
            if entity.startswith(_REGISTERED_PREFIXES):  # one missing at least: say where, field by field
                self._say_unregistered(item, registers)
                break
        if registers is not None and registers not in registered:
            registered[registers] = position
            self._unregistered.discard(registers)

    def _say_unregistered(self, item: Inserted, registers: str | None) -> None:
        position = item.event.position
        for field, entity in _named_with_fields(item.event.type, item.data):
            first = self._registered.get(entity)
            if entity == registers or not entity.startswith(_REGISTERED_PREFIXES):
                continue
            if first is None or first >= position:
                message = f"{entity} is registered by no earlier event"
                near = self._nearest(entity)
                self._emit(message + (f"; did you mean {near}?" if near else ""), f"data.{field}", item.line)

    def _nearest(self, entity: str) -> str | None:
        # From indexes, not a walk of every registration: those this write has met (the projections do
        # not hold them yet) and the search index's own suggestions (the ledger before this write).
        kind = entity.split(":", 1)[0] + ":"
        met = [e for e in self._registered if e.startswith(kind)]
        near = difflib.get_close_matches(entity, [*met, *suggest(self.tx, entity)], n=1, cutoff=0.8)
        return near[0] if near else None

    # -- statements that do not count ----------------------------------------------------------------
    def _set_aside(self, item: Inserted) -> None:
        event = item.event
        by, stance = event.data["by"], STANCES[event.type]
        key = 0
        for index, (ref, indexed) in enumerate(zip(event.refs, item.ref_entities, strict=True)):
            if stance != "retracted" and by in indexed and by.startswith(_PARTY_KINDS):
                continue  # a party of the claim (its parties are the companies and authorities it names)
            key = key or start_key(event.occurred_at)
            self._said.append(_Said(item.line, by, stance, key, index, ref))

    def _judge(self, said: list[_Said], context: Context) -> None:
        claims = self._claims({s.claim_id for s in said})
        self._prefetch(said, claims, context)
        for statement in said:
            claim, data = claims[statement.claim_id]
            judged = {"by": statement.by, "stance": statement.stance}
            if statement_counts(judged, statement.key, claim.type, data, claim.sources, context):
                continue
            where = f"refs[{statement.ref_index}]"
            if statement.stance == "retracted":
                why = f"{statement.by!r} is not an origin of the claim at {where}"
            else:
                why = f"{statement.by} is not a party of the claim at {where}, nor in a party's group"
            self._emit(
                f"{why}: the statement stays in the trail but does not count", "data.by", statement.line
            )

    def _claims(self, ids: set[str]) -> dict[str, tuple[StoredEvent, dict[str, Any]]]:
        """The claims with these ids, each with its current data (corrections applied, upcast)."""
        stored = self.tx.log.events_by_id(ids)
        # By the claims' own references: what is read grows with the claims judged, not with the log.
        fixes = self.tx.log.corrections_of([c.position for c in stored.values()])
        current = {}
        for claim_id, claim in stored.items():
            data = fixes[claim.position][-1].data["replacement"] if fixes.get(claim.position) else claim.data
            current[claim_id] = (claim, upcast(claim.type, claim.v, data))
        return current

    @staticmethod
    def _prefetch(
        said: list[_Said], claims: dict[str, tuple[StoredEvent, dict[str, Any]]], context: Context
    ) -> None:
        """Read in bulk the group and party facts these statements will ask about."""
        companies: set[str] = set()
        partnerships = set()
        for statement in said:
            if statement.stance == "retracted":
                continue  # counts by the claim's origins alone
            claim, data = claims[statement.claim_id]
            if statement.by.startswith("company:"):
                companies.add(statement.by)
            companies.update(p for p in parties_of(claim.type, data) if p.startswith("company:"))
            if "partnership" in data and "parties" not in data:
                partnerships.add(data["partnership"])
        context.prefetch(sorted(companies), sorted(partnerships))

    def _emit(self, message: str, field: str, line: int | None) -> None:
        if self.strict:
            raise InvalidEvent(f"{message} (--strict)", field=field, line=line)
        self.on_warning(Warning_(message, field, line))


def _named_with_fields(event_type: str, data: dict) -> list[tuple[str, str]]:
    """(field path, entity id) of each entity the data names, in field order."""
    from ledger.vocabulary.registry import ENTITY_FIELDS

    found = []
    for key, _kinds, is_list in ENTITY_FIELDS[event_type]:
        value = data.get(key)
        if value is None:
            continue
        if is_list:
            found += [(f"{key}[{i}]", item) for i, item in enumerate(value)]
        else:
            found.append((key, value))
    return found
