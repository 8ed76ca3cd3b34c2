"""The plant projection: what a plant is, who runs it, what is said to be happening to it, and the deals
and approvals it is the subject of."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.projections.approvals import approvals_of
from ledger.projections.context import Context
from ledger.projections.order import Held, applicable, world_key
from ledger.projections.partnership import STAGES

STATUSES = {
    "plant.registered": "operating",
    "plant.reopened": "operating",
    "plant.closure_considered": "closure_considered",
    "plant.closure_announced": "closure_announced",
    "plant.closed": "closed",
}
PLAN_TYPES = ("plan.announced", "plan.revised")


def project(plant_id: str, claims: Sequence[dict[str, Any]], context: Context) -> dict[str, Any]:
    """Fold the claims naming the plant (claim JSON, world-time order); the latest applicable claim
    sets a field (ties: `ledger.projections.order`).

    Status follows the latest applicable status claim whatever its type, so a registration dated after
    a closure claim reads as operating again: date a registration when the plant was known to operate.
    """
    held = {name: Held() for name in ("name", "operator", "location", "employees", "products", "capacity")}
    status = Held()
    closure_effective_by = None
    producers: dict[tuple[str, str | None], dict[str, Any]] = {}
    stakes: list[dict[str, Any]] = []
    deals: dict[str, Held] = {}
    plans: set[str] = set()
    for claim in claims:  # deals are listed while not voided, even if denied: their trail says why
        data = claim["data"]
        if "partnership" in data and data.get("plant") == plant_id and claim["status"] != "voided":
            deals.setdefault(data["partnership"], Held())
    for claim in applicable(claims):
        data = claim["data"]
        kind = claim["type"]
        if kind in STAGES:
            if data.get("plant") == plant_id:
                deals[data["partnership"]].set(STAGES[kind], claim)
            continue
        if kind in PLAN_TYPES:
            if plant_id in data.get("plants", ()):
                plans.add(data["plan"])
            continue
        if kind == "company.spun_off":
            if plant_id in data.get("plants", ()):
                held["operator"].set(data["company"], claim)
            continue
        if data.get("plant") != plant_id:
            continue
        if "plan" in data and kind != "plant.workforce_changed":
            plans.add(data["plan"])  # a closure event naming the plan it belongs to
        if kind in STATUSES:
            status.set(STATUSES[kind], claim)
        if kind == "plant.registered":
            for name, field in held.items():
                if name in data:
                    field.set(data[name], claim)
        elif kind in ("plant.operator_changed", "plant.reopened") and "operator" in data:
            held["operator"].set(data["operator"], claim)
        elif kind == "plant.closure_announced" and "effective_by" in data:
            closure_effective_by = data["effective_by"]
        elif kind == "plant.production_started":
            if status.value == "closed":
                status.set("operating", claim)
            key = (data["producer"], data.get("product"))
            producers.pop(key, None)  # reported again: one entry, at its latest place
            producers[key] = {
                "company": data["producer"],
                "product": data.get("product"),
                "since": claim["occurred_at"],
                "basis": claim["status"],
            }
        elif kind == "plant.production_ended":
            producers.pop((data["producer"], data.get("product")), None)
        elif kind == "plant.converted":
            held["products"].set(list(data["products"]), claim)
        elif kind == "plant.capacity_changed":
            held["capacity"].set(data["capacity"], claim)
        elif kind == "plant.workforce_changed":
            _workforce(held["employees"], data, claim)
        elif kind == "plant.stake_transferred":
            stakes.append(_stake(data, claim))
            if data.get("percent") == 100:
                held["operator"].set(data["to"], claim)
    _follow_mergers(held["operator"], context)
    location, products = held["location"].value, held["products"].value
    return {
        "id": plant_id,
        "kind": "plant",
        "name": held["name"].value,
        "operator": held["operator"].value,
        "operator_since": held["operator"].since,
        "location": None if location is None else dict(location),
        "employees": held["employees"].value,
        "products": None if products is None else list(products),
        "capacity": held["capacity"].value,
        "status": status.value,
        "status_basis": status.basis,
        "status_since": status.since,
        # A closure date belongs to the closure: a plant operating again has none.
        "closure_effective_by": None if status.value == "operating" else closure_effective_by,
        "producers": list(producers.values()),
        "stakes": stakes,
        "partnerships": sorted(deals),
        "deals": [
            {"partnership": p, "stage": deal.value, "basis": deal.basis, "since": deal.since}
            for p, deal in sorted(deals.items())
        ],
        "plans": sorted(plans),
        "approvals": approvals_of(claims, lambda data: data["subject"] == plant_id),
    }


def _workforce(employees: Held, data: dict[str, Any], claim: dict[str, Any]) -> None:
    """A new headcount, or a signed change to the one known (a change to an unknown one is not a
    headcount, so it is left in the claim)."""
    if "employees" in data:
        employees.set(data["employees"], claim)
    elif "change" in data and employees.value is not None:
        employees.set(max(0, employees.value + data["change"]), claim)


def _stake(data: dict[str, Any], claim: dict[str, Any]) -> dict[str, Any]:
    return {
        "from": data["from"],
        "to": data["to"],
        "percent": data.get("percent"),
        "share_text": data.get("share_text"),
        "price": data.get("price"),
        "since": claim["occurred_at"],
        "basis": claim["status"],
    }


def _follow_mergers(operator: Held, context: Context) -> None:
    """A merger after the operator took the plant hands the plant to the company that absorbed it."""
    if operator.value is None or operator.claim is None:
        return
    absorbed = context.absorbed_by(operator.value, world_key(operator.claim["occurred_at"]))
    if absorbed is not None:
        into, merger = absorbed
        operator.set(into, {"occurred_at": merger.occurred_at, "status": merger.status})
