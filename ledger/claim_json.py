"""A claim's JSON, the one shape `claims --json`, `history` and a partnership's `claims` print, and the
smaller form the projection tables keep of it.

The stored form holds only what the fold decided (status, origins, trail, corrections, and the data if
a correction or an upcast changed it); the rest is the claim's event, which the log already holds.
Re-reading the event to make the whole claim costs a lookup by position; storing it twice made the
projections three times the log's size.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ledger.events import StoredEvent
from ledger.times import precision

# A claim's `precision` from its occurred_at; the same dates repeat across events.
precision_of = lru_cache(maxsize=1 << 12)(precision)

# What the fold decides about a claim, in the order the claim's JSON has them.
DECIDED = ("status", "origins", "anonymous_only", "statements", "corrections")


def claim_json(
    event: StoredEvent,
    data: dict[str, Any],
    status: str,
    origins: int,
    anonymous_only: bool,
    statements: list[dict[str, Any]],
    corrections: list[dict[str, Any]],
) -> dict[str, Any]:
    """The claim made by `event`, as it reads now (`data`: current, in today's vocabulary)."""
    return {
        "id": event.id,
        "type": event.type,
        "occurred_at": event.occurred_at,
        "precision": precision_of(event.occurred_at),
        "recorded_at": event.recorded_at,
        "position": event.position,
        "status": status,
        "data": data,
        "sources": event.sources,
        "origins": origins,
        "anonymous_only": anonymous_only,
        "statements": statements,
        "corrections": corrections,
    }


def stored_claim(claim: dict[str, Any], recorded_data: dict[str, Any]) -> dict[str, Any]:
    """What the projection tables keep of a claim whose event recorded `recorded_data`."""
    stored = {key: claim[key] for key in DECIDED}
    if claim["data"] is not recorded_data:  # corrected or upcast (equal data may differ in key order)
        stored["data"] = claim["data"]
    return stored


def whole_claim(stored: dict[str, Any], event: StoredEvent) -> dict[str, Any]:
    """The claim's JSON from its stored form and its event (the inverse of `stored_claim`)."""
    return claim_json(
        event,
        stored.get("data", event.data),
        stored["status"],
        stored["origins"],
        stored["anonymous_only"],
        stored["statements"],
        stored["corrections"],
    )
