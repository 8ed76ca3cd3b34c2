"""Rows of the events table: the columns read, and how a row becomes a `StoredEvent`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from ledger.events import StoredEvent

EVENT_COLUMNS = ("position", "id", "type", "occurred_at", "recorded_at", "body", "prev_hash", "hash")
COLUMNS = ", ".join(EVENT_COLUMNS)
E_COLUMNS = ", ".join("e." + c for c in EVENT_COLUMNS)
# E_COLUMNS without the chain hashes, empty in their place: what a rebuild's fold reads. It never looks at
# them, and at 4.25 index rows per event they were a tenth of the rows' bytes it streams.
E_FOLD_COLUMNS = E_COLUMNS.replace("e.prev_hash, e.hash", "'', ''")
# An index pair (x.entity_id, x.position) holds unless a correction took it away and none put it back.
INDEXED = (
    "NOT EXISTS (SELECT 1 FROM index_changes c WHERE c.entity_id = x.entity_id AND c.position = x.position "
    "AND c.present = 0 AND NOT EXISTS (SELECT 1 FROM index_changes d WHERE d.entity_id = c.entity_id "
    "AND d.position = c.position AND d.at_position > c.at_position))"
)
EventRowTuple = Sequence[Any]  # a row selected with EVENT_COLUMNS


# The event types whose entity index rows `group_index` repeats: those that set a company's group or
# mergers (`ledger.projections.context.GROUP_TYPES`; a test holds the two equal).
GROUP_INDEX_TYPES = ("company.registered", "company.parent_changed", "company.spun_off", "company.merged")

BODY_KEYS = frozenset({"data", "sources", "refs", "note", "v"})  # what the `body` column holds


def stored_event(row: EventRowTuple) -> StoredEvent:
    """Decode a row selected with EVENT_COLUMNS."""
    return event_of(row, orjson.loads(row[5]))


def event_of(row: EventRowTuple, body: dict[str, Any]) -> StoredEvent:
    """The event of a row selected with EVENT_COLUMNS, its `body` column already decoded."""
    position, event_id, event_type, occurred_at, recorded_at, _, prev_hash, hash_ = row
    return StoredEvent(
        position,
        event_id,
        event_type,
        occurred_at,
        recorded_at,
        body["data"],
        body["sources"],
        body["refs"],
        body.get("note"),
        prev_hash,
        hash_,
        body.get("v"),
    )
