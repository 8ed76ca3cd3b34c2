"""Event factories for the pure rules: a `log` that hands out positions and ledger times like the store.

Tests take the `log` fixture rather than importing from here, so they run however pytest imports them.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from ledger.events import StoredEvent
from ledger.projections import EntityView, fold
from ledger.projections.context import Context
from ledger.times import bound_key, from_key, start_key
from ledger.validation import validate_event, validate_replacement
from ledger.vocabulary.registry import entities_in, upcast

NIKKEI = {"name": "Nikkei", "kind": "press"}
PARTNERSHIP = "partnership:nissan-foxconn-oppama"

_LEDGER_EPOCH = start_key("2025-08-01")  # the ledger learns of everything after it happened


def a_stored_event(
    type: str,
    data: dict[str, Any],
    *,
    position: int,
    occurred_at: str = "2025-07-07",
    recorded_at: str | None = None,
    sources: list[dict[str, Any]] | None = None,
    refs: list[str] | None = None,
    note: str | None = None,
    v: int | None = 2,
) -> StoredEvent:
    """A stored event (of the current vocabulary unless `v` says otherwise; None: from before
    versions); its id and recorded_at follow from its position unless given."""
    return StoredEvent(
        position=position,
        id=str(uuid.uuid5(uuid.NAMESPACE_OID, str(position))),
        type=type,
        occurred_at=occurred_at,
        recorded_at=recorded_at or from_key(_LEDGER_EPOCH + position * 1_000_000),
        data=data,
        sources=[NIKKEI] if sources is None else sources,
        refs=refs or [],
        note=note,
        prev_hash="0" * 64,
        hash="0" * 64,
        v=v,
    )


class Log:
    """An in-memory log: appends get the next position and a later recorded_at, as in the store.

    Each event goes through the vocabulary's validation first, so tests only fold events a user could
    actually append.
    """

    def __init__(self) -> None:
        self.events: list[StoredEvent] = []

    def add(self, type: str, data: dict[str, Any], **fields: Any) -> StoredEvent:
        raw = {"type": type, "occurred_at": fields.get("occurred_at", "2025-07-07"), "data": data}
        raw |= {"sources": fields.get("sources", [NIKKEI]), "refs": fields.get("refs", [])}
        if fields.get("v") is not None:
            raw["v"] = fields["v"]
        valid = validate_event(raw)
        if type == "entry.corrected":
            target = next(e for e in self.events if e.id == valid.refs[0])
            validate_replacement(target.type, data["replacement"], version=target.v or 1)
        fields["v"] = valid.v if fields.get("v", 2) is not None else None
        event = a_stored_event(type, valid.data, position=len(self.events) + 1, **fields)
        self.events.append(event)
        return event

    def says(
        self, stance: str, by: str, *claims: StoredEvent, quote: str | None = None, **fields: Any
    ) -> StoredEvent:
        data = {"by": by} if quote is None else {"by": by, "quote": quote}
        fields.setdefault("sources", [{"name": "statement", "kind": "other"}])
        return self.add(f"report.{stance}", data, refs=[c.id for c in claims], **fields)

    def correct(self, event: StoredEvent, replacement: dict[str, Any], **fields: Any) -> StoredEvent:
        data = {"reason": "wrong in the entry", "replacement": replacement}
        return self.add("entry.corrected", data, refs=[event.id], sources=[], **fields)

    def void(self, event: StoredEvent, **fields: Any) -> StoredEvent:
        data = {"reason": "entered by mistake"}
        return self.add("entry.voided", data, refs=[event.id], sources=[], **fields)

    def indexed(self, entity_id: str) -> list[StoredEvent]:
        """The events the store would index under the entity: those whose data names it, and the
        statements and corrections about them (as recorded: what the store indexes at append time)."""
        naming = {
            e.id
            for e in self.events
            if not e.refs and entity_id in entities_in(e.type, upcast(e.type, e.v, e.data))
        }
        return [e for e in self.events if e.id in naming or not naming.isdisjoint(e.refs)]

    def fold(self, entity_id: str, *, as_of: str | None = None, known_at: int | None = None) -> EntityView:
        bound = None if as_of is None else bound_key(as_of)
        context = Context(self.indexed, known_at)
        view = fold(entity_id, self.events, as_of=bound, known_at=known_at, context=context)
        assert view is not None, f"nothing names {entity_id}"
        return view

    def claim(self, event: StoredEvent, entity_id: str = PARTNERSHIP, **bounds: Any) -> dict[str, Any]:
        """The claim JSON of `event` as seen from `entity_id`."""
        return next(c for c in self.fold(entity_id, **bounds).claims if c["id"] == event.id)

    def status(self, event: StoredEvent, entity_id: str = PARTNERSHIP, **bounds: Any) -> str:
        return self.claim(event, entity_id, **bounds)["status"]


@pytest.fixture
def log() -> Log:
    return Log()
