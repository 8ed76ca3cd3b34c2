"""The plan projection: a company's announced plan, its measures and the plants it names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.vocabulary.terms import APPLICABLE_STATUSES

FIELDS = ("company", "title", "measures", "plants")


def project(plan_id: str, claims: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Fold the plan.announced claims for the plan (claim JSON, world-time order); the latest applicable
    one wins.

    A revision that leaves out the optional `plants` keeps the plants an earlier applicable one named.
    """
    fields: dict[str, Any] = dict.fromkeys(FIELDS)
    latest: dict[str, Any] | None = None
    for claim in claims:
        data = claim["data"]
        if claim["type"] != "plan.announced" or data["plan"] != plan_id:
            continue
        if claim["status"] not in APPLICABLE_STATUSES:
            continue
        latest = claim
        for name in FIELDS:
            if name in data:
                fields[name] = data[name]
    measures = fields["measures"]
    plants = fields["plants"]
    return {
        "id": plan_id,
        "kind": "plan",
        "company": fields["company"],
        "title": fields["title"],
        "measures": None if measures is None else [dict(m) for m in measures],
        "plants": None if plants is None else list(plants),
        "basis": None if latest is None else latest["status"],
        "announced_at": None if latest is None else latest["occurred_at"],
    }
