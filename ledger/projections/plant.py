"""The plant projection: what a plant is, who runs it, what is said to be happening to it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.vocabulary.terms import APPLICABLE_STATUSES

STATUSES = {
    "plant.registered": "operating",
    "plant.closure_considered": "closure_considered",
    "plant.closure_announced": "closure_announced",
    "plant.closed": "closed",
}
REGISTERED_FIELDS = ("name", "operator", "location", "employees", "products")


def project(plant_id: str, claims: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Fold the claims naming the plant (claim JSON, world-time order); the latest applicable sets a field.

    Status follows the latest applicable status claim whatever its type, so a registration dated after
    a closure claim reads as operating again: date a registration when the plant was known to operate.
    """
    fields: dict[str, Any] = dict.fromkeys(REGISTERED_FIELDS)
    status: dict[str, Any] | None = None
    closure_effective_by = None
    producers: dict[tuple[str, str | None], dict[str, Any]] = {}
    stakes: list[dict[str, Any]] = []
    partnerships: set[str] = set()
    plans: set[str] = set()
    for claim in claims:
        data = claim["data"]
        if "partnership" in data:
            # Listed while not voided, even if denied: the user can open it and read its trail.
            if data.get("plant") == plant_id and claim["status"] != "voided":
                partnerships.add(data["partnership"])
            continue
        if claim["status"] not in APPLICABLE_STATUSES:
            continue
        kind = claim["type"]
        if kind == "plan.announced":
            if plant_id in data.get("plants", ()):
                plans.add(data["plan"])
            continue
        if data.get("plant") != plant_id:
            continue
        if kind in STATUSES:
            status = claim
        if kind == "plant.registered":
            for name in REGISTERED_FIELDS:
                if name in data:
                    fields[name] = data[name]
        elif kind == "plant.closure_announced" and "effective_by" in data:
            closure_effective_by = data["effective_by"]
        elif kind == "plant.production_started":
            key = (data["producer"], data.get("product"))
            producers.pop(key, None)  # reported again: one entry, at its latest place
            producers[key] = {
                "company": data["producer"],
                "product": data.get("product"),
                "since": claim["occurred_at"],
                "basis": claim["status"],
            }
        elif kind == "plant.stake_transferred":
            stakes.append(
                {
                    "from": data["from"],
                    "to": data["to"],
                    "share": data.get("share"),
                    "since": claim["occurred_at"],
                    "basis": claim["status"],
                }
            )
    location = fields["location"]
    products = fields["products"]
    return {
        "id": plant_id,
        "kind": "plant",
        "name": fields["name"],
        "operator": fields["operator"],
        "location": None if location is None else dict(location),
        "employees": fields["employees"],
        "products": None if products is None else list(products),
        "status": None if status is None else STATUSES[status["type"]],
        "status_basis": None if status is None else status["status"],
        "status_since": None if status is None else status["occurred_at"],
        "closure_effective_by": closure_effective_by,
        "producers": list(producers.values()),
        "stakes": stakes,
        "partnerships": sorted(partnerships),
        "plans": sorted(plans),
    }
