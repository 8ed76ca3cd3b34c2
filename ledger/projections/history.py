"""An entity's history: every event in view that names it or speaks about a claim that does, worked out
from a fold (`fold.py`) only when a query reads it (a rebuild never does)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger.bulk import cyclic_gc_paused
from ledger.claim_json import precision_of
from ledger.events import StoredEvent
from ledger.projections.order import world_key

_start_key = world_key


@dataclass(eq=False, slots=True)
class Trail:
    """What the history needs, kept so that folds which never read it (the rebuild) do not build it."""

    entity_id: str
    events: dict[int, StoredEvent]  # by position
    claims: list[dict[str, Any]]  # claim JSON of every claim in view whose current data names the entity
    statements: list[dict[str, Any]]  # trail JSON of every statement in view
    corrections: list[StoredEvent]
    moved: set[str]  # ids of claims corrected away from the entity
    _entries: list[dict[str, Any]] | None = None

    def entries(self) -> list[dict[str, Any]]:
        if self._entries is None:
            with cyclic_gc_paused():
                self._entries = history(self)
        return self._entries

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Trail) and self.entries() == other.entries()

    __hash__ = None  # type: ignore[assignment]


def history(trail: Trail) -> list[dict[str, Any]]:
    """Every event in view that names the entity or speaks about one that does, in world-time order.

    Events passed in only because something references them (the other claim a statement also names)
    stay out. `data` is the data as recorded; the correction entries show what replaced it.
    """
    events = trail.events
    relevant_ids = {claim["id"] for claim in trail.claims}
    entries: list[tuple[int, int, dict[str, Any]]] = []
    for claim in trail.claims:
        event = events[claim["position"]]
        extra = {"status": claim["status"], "statements": claim["statements"]}
        entries.append((_start_key(event.occurred_at), event.position, _entry(event, "claim", extra)))
    entity_id = trail.entity_id
    for said in trail.statements:
        event = events[said["position"]]
        by_entity = said["by"] == entity_id or event.data["by"] == entity_id
        if by_entity or not relevant_ids.isdisjoint(event.refs):
            relevant_ids.add(event.id)
            extra = {"stance": said["stance"], "voided": said["voided"]}
            entries.append((_start_key(event.occurred_at), event.position, _entry(event, "statement", extra)))
    for event in trail.corrections:
        if event.refs[0] in relevant_ids or event.refs[0] in trail.moved:
            entry = _entry(event, "correction", {"reason": event.data["reason"]})
            entries.append((_start_key(event.occurred_at), event.position, entry))
    entries.sort()  # (start key, position) is unique, so the entries themselves are never compared
    return [entry for _, _, entry in entries]


def _entry(event: StoredEvent, category: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "position": event.position,
        "id": event.id,
        "type": event.type,
        "category": category,
        "occurred_at": event.occurred_at,
        "precision": precision_of(event.occurred_at),
        "recorded_at": event.recorded_at,
        "sources": event.sources,
        "refs": event.refs,
        "data": event.data,
        "note": event.note,
        **extra,
    }
