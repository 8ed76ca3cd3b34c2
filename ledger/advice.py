"""Append-time help, never silent: warnings about events that are valid but probably not what was meant.

- An id of a company, plant or authority that no earlier event registers (with "did you mean" when a
  registered id of that kind is close): partnerships and plans need no registration, their first claim
  creates them; a spin-off introduces its new company.
- A statement whose speaker does not count for a claim it references (not a party, nor in a party's
  group at the statement's world time; for a retraction, not an origin of the claim).

The event is stored all the same, unless the caller is strict: then the first warning is an
`InvalidEvent` and nothing is written. Checks run after each chunk is inserted, inside the transaction,
so "earlier" means an earlier position, in the log or in the same import.
"""

from __future__ import annotations

import difflib
import warnings
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.errors import InvalidEvent
from ledger.events import StoredEvent
from ledger.projections.context import GROUP_TYPES, Context
from ledger.projections.fold import statement_counts
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
RECENT_CLAIMS = 20_000  # claims the advisor keeps at hand for the statements that follow them


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


def warn_python(warning: Warning_) -> None:
    """The default: a Python warning (a notebook shows it once per place)."""
    warnings.warn(LedgerWarning(warning.describe()), stacklevel=4)


class Advisor:
    """Checks appended events, chunk by chunk, within one write transaction."""

    def __init__(
        self, tx: Transaction, on_warning: OnWarning | None, *, strict: bool = False, bulk: bool = False
    ) -> None:
        """`bulk`: many events will come (an import): read every company-structure claim once up front
        rather than one company at a time."""
        self.tx = tx
        self.on_warning = on_warning or warn_python
        self.strict = strict
        self._registered: dict[str, int] = {}  # entity id -> position of its first registration
        self._unregistered: set[str] = set()
        self._known_by_kind: dict[str, list[str]] = {}
        self._corrected: set[str] | None = None  # ids of the events an entry.corrected targets
        # Claims appended lately, with their data in the current shape: statements cite them.
        self._recent: OrderedDict[str, tuple[StoredEvent, dict[str, Any]]] = OrderedDict()
        self.context = Context.over(tx.log)
        if bulk:
            self.context.preload_groups(tx.log.claims_of_types(GROUP_TYPES))

    def check(self, appended: Sequence[Inserted]) -> None:
        """Warn about each event of a chunk just inserted."""
        named: dict[str, None] = {}
        for item in appended:
            named.update(dict.fromkeys(item.named))
        self.context.learn([item.event for item in appended])  # what they may have changed
        if self._corrected is not None:
            self._corrected.update(i.event.refs[0] for i in appended if i.event.type == "entry.corrected")
        self._look_up([e for e in named if e.split(":", 1)[0] in REGISTERED_KINDS])
        claims = [item for item in appended if category(item.event.type) == "claim"]
        for item in claims:
            self._unregistered_ids(item)
        self._statements([item for item in appended if category(item.event.type) == "statement"])
        for item in claims:  # remembered after the chunk's statements are checked
            self._recent[item.event.id] = (item.event, item.data)
        while len(self._recent) > RECENT_CLAIMS:
            self._recent.popitem(last=False)

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
        if any(self._unregistered_at(entity, registers, event.position) for entity in item.named):
            for field, entity in _named_with_fields(event.type, data):  # say where, field by field
                if self._unregistered_at(entity, registers, event.position):
                    message = f"{entity} is registered by no earlier event"
                    near = self._nearest(entity)
                    self._emit(
                        message + (f"; did you mean {near}?" if near else ""), f"data.{field}", item.line
                    )
        if registers is not None and registers not in self._registered:
            self._registered[registers] = event.position
            self._unregistered.discard(registers)

    def _unregistered_at(self, entity: str, registers: str | None, position: int) -> bool:
        """Whether `entity`, named by the event at `position`, is of a kind that needs registering and
        registered by no earlier event (the event that registers it names it too)."""
        if entity == registers or entity.split(":", 1)[0] not in REGISTERED_KINDS:
            return False
        first = self._registered.get(entity)
        return first is None or first >= position

    def _nearest(self, entity: str) -> str | None:
        kind = entity.split(":", 1)[0]
        known = self._known_by_kind.get(kind)
        if known is None:
            known = self._known_by_kind[kind] = self.tx.log.registered_ids(kind, tuple(REGISTERS))
        near = difflib.get_close_matches(entity, known, n=1, cutoff=0.8)
        return near[0] if near else None

    # -- statements that do not count ----------------------------------------------------------------
    def _statements(self, said: Sequence[Inserted]) -> None:
        if not said:
            return
        refs = {ref for item in said for ref in item.event.refs}
        recent = {ref: self._recent[ref] for ref in refs if ref in self._recent}
        stored = self.tx.log.events_by_id(refs.difference(recent))
        if self._corrected is None:
            self._corrected = self.tx.log.corrected_ids()
        claims = [c for c, _ in recent.values()] + list(stored.values())
        fixes = self.tx.log.corrections_of([c.position for c in claims if c.id in self._corrected])
        current: dict[str, tuple[StoredEvent, dict[str, Any]]] = {}
        for claim_id, (claim, data) in recent.items():
            if fixes.get(claim.position):
                data = upcast(claim.type, claim.v, fixes[claim.position][-1].data["replacement"])
            current[claim_id] = (claim, data)
        for claim_id, claim in stored.items():
            data = fixes[claim.position][-1].data["replacement"] if fixes.get(claim.position) else claim.data
            current[claim_id] = (claim, upcast(claim.type, claim.v, data))
        self.context.forget((), [claim for claim, _ in current.values()])  # their status may change
        self._prefetch(said, current)
        for item in said:
            self._not_counting(item, current)

    def _prefetch(
        self, said: Sequence[Inserted], claims: dict[str, tuple[StoredEvent, dict[str, Any]]]
    ) -> None:
        """Read in bulk the group and party facts the chunk's statements will ask about: those whose
        speaker is not a party of the claim (a party counts whatever the context knows)."""
        companies: set[str] = set()
        partnerships = set()
        for item in said:
            event = item.event
            by = event.data["by"]
            if STANCES[event.type] == "retracted":
                continue  # counts by the claim's origins alone
            for ref in event.refs:
                if ref not in claims:
                    continue
                claim, data = claims[ref]
                parties = parties_of(claim.type, data)
                if by in parties:
                    continue
                if by.startswith("company:"):
                    companies.add(by)
                companies.update(p for p in parties if p.startswith("company:"))
                if "partnership" in data and "parties" not in data:
                    partnerships.add(data["partnership"])
        self.context.prefetch(sorted(companies), sorted(partnerships))

    def _not_counting(self, item: Inserted, claims: dict[str, tuple[StoredEvent, dict[str, Any]]]) -> None:
        event = item.event
        said = {"by": event.data["by"], "stance": STANCES[event.type]}
        key = start_key(event.occurred_at)
        for index, ref in enumerate(event.refs):
            if ref not in claims:
                continue
            claim, data = claims[ref]
            if statement_counts(said, key, claim.type, data, claim.sources, self.context):
                continue
            if said["stance"] == "retracted":
                why = f"{said['by']!r} is not an origin of the claim at refs[{index}]"
            else:
                why = f"{said['by']} is not a party of the claim at refs[{index}], nor in a party's group"
            self._emit(f"{why}: the statement stays in the trail but does not count", "data.by", item.line)

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
