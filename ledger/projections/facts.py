"""A claim as another entity's fold sees it (`Fact`): its data as corrected, and its status from the
statements about it and their corrections, each judged by the claim's own parties only (the group rule
never applies to the facts it is decided by)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger.claims import claim_status, corrected
from ledger.events import StoredEvent
from ledger.projections.order import STRENGTH, world_key
from ledger.vocabulary.entity_fields import CATEGORIES, STANCES, parties_of
from ledger.vocabulary.terms import APPLICABLE_STATUSES
from ledger.vocabulary.upcasters import upcast

_start_key = world_key


@dataclass(frozen=True, slots=True)
class Fact:
    """A claim as seen from another entity: its world-time order key, type, current data and status."""

    key: int
    strength: int
    position: int
    type: str
    data: dict[str, Any]
    status: str
    occurred_at: str

    @property
    def applies(self) -> bool:
        return self.status in APPLICABLE_STATUSES

    @property
    def order(self) -> tuple[int, int, int]:
        return (self.key, self.strength, self.position)


def facts_of(events: list[StoredEvent], known_at: int | None) -> list[Fact]:
    """The facts of the claims among `events` (with the statements and corrections about them), as
    known at position `known_at` (None: now), in world-time order."""
    # Once each: a statement about two of the claims read comes with each of them.
    events = [
        e for e in {e.position: e for e in events}.values() if known_at is None or e.position <= known_at
    ]
    corrections: dict[str, list[StoredEvent]] = {}
    statements: dict[str, list[tuple[int, int, StoredEvent]]] = {}
    for event in sorted(events, key=lambda e: e.position):
        category = CATEGORIES[event.type]
        if category == "correction":
            corrections.setdefault(event.refs[0], []).append(event)
        elif category == "statement":
            for ref in event.refs:
                statements.setdefault(ref, []).append((_start_key(event.occurred_at), event.position, event))
    facts = []
    for event in events:
        if CATEGORIES[event.type] != "claim":
            continue
        data, voided = corrected(event, corrections.get(event.id, ()))
        data = upcast(event.type, event.v, data)
        parties = set(parties_of(event.type, data))
        trail = []
        for _key, _position, said in sorted(statements.get(event.id, ()), key=lambda s: s[:2]):
            said_data, said_voided = corrected(said, corrections.get(said.id, ()))
            stance = STANCES[said.type]
            trail.append(
                {
                    "by": said_data["by"],
                    "stance": stance,
                    "voided": said_voided,
                    "counts": said_data["by"] in parties or stance == "retracted",
                }
            )
        status = claim_status(event.sources, trail, voided=voided)
        key = _start_key(event.occurred_at)
        facts.append(
            Fact(key, STRENGTH.get(status, 0), event.position, event.type, data, status, event.occurred_at)
        )
    facts.sort(key=lambda f: f.order)
    return facts
