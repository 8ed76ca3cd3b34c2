"""The plan projection: a company's announced plan, its measures and the plants it concerns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ledger.projections.order import Held, applicable

if TYPE_CHECKING:
    from ledger.projections.context import Context

PLAN_TYPES = ("plan.announced", "plan.revised")
CLOSURE_STATUSES = {
    "plant.closure_considered": "closure_considered",
    "plant.closure_announced": "closure_announced",
}


def project(plan_id: str, claims: Sequence[dict[str, Any]], context: Context) -> dict[str, Any]:
    """Fold the claims naming the plan (claim JSON, world-time order): the latest applicable
    `plan.announced` or `plan.revised` gives its measures (a revision replaces the list).

    `plants` are those the plan names and those whose closure events name the plan, each with the
    status the latest of those closure events gives it. A revision that leaves out the optional
    `plants` keeps the plants an earlier one named.
    """
    held = {name: Held() for name in ("company", "title", "measures", "plants")}
    latest: dict[str, Any] | None = None
    announced: dict[str, Any] | None = None
    closures: dict[str, Held] = {}
    for claim in applicable(claims):
        data = claim["data"]
        kind = claim["type"]
        if kind in PLAN_TYPES and data["plan"] == plan_id:
            latest = claim
            if kind == "plan.announced":
                announced = claim
            for name, field in held.items():
                if name in data:
                    field.set(data[name], claim)
        elif kind in CLOSURE_STATUSES and data.get("plan") == plan_id:
            closures.setdefault(data["plant"], Held()).set(CLOSURE_STATUSES[kind], claim)
    named = list(held["plants"].value or [])
    plants = [*named, *(p for p in closures if p not in named)]
    measures = held["measures"].value
    return {
        "id": plan_id,
        "kind": "plan",
        "company": held["company"].value,
        "title": held["title"].value,
        "measures": None if measures is None else [dict(m) for m in measures],
        "plants": [{"plant": p, "status": closures[p].value if p in closures else None} for p in plants],
        "basis": None if latest is None else latest["status"],
        "announced_at": None if announced is None else announced["occurred_at"],
        "revised_at": None if latest is None or latest is announced else latest["occurred_at"],
    }
