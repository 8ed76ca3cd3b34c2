"""The partnership projection: who is talking to whom, about what, how far it got, at what price and
with which approvals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ledger.projections.approvals import approvals_of
from ledger.projections.order import Held, applicable

if TYPE_CHECKING:
    from ledger.projections.context import Context

STAGES = {
    "talks.reported": "talks",
    "mou.signed": "mou",
    "agreement.signed": "agreement",
    "deal.completed": "completed",
    "talks.ended": "ended",
}
IDENTITY = ("parties", "plant", "scope")  # what the deal is, as opposed to how far it got


def project(partnership_id: str, claims: Sequence[dict[str, Any]], context: Context) -> dict[str, Any]:
    """Fold the claims naming the partnership (claim JSON, world-time order); the latest applicable one
    sets a field (ties: `ledger.projections.order`).

    `claims` lists every one of them with its trail, so a partnership whose only claim was denied still
    shows why its stage is null. Its identity (parties, plant, scope) then comes from the latest claim
    that is not voided, and `not_applicable` names the fields that did.
    """
    mine = [c for c in claims if c["data"].get("partnership") == partnership_id]
    identity = {name: Held() for name in IDENTITY}
    stage, price, conditions, long_stop = Held(), Held(), Held(), Held()
    acquisition: dict[str, Any] | None = None
    for claim in applicable(mine):
        data = claim["data"]
        kind = claim["type"]
        if kind in STAGES:
            stage.set(STAGES[kind], claim)
            if "scope" in data:  # an acquisition's scope stays in `acquisition`
                identity["scope"].set(data["scope"], claim)
        elif kind == "acquisition.explored":
            acquisition = claim
        for name in ("parties", "plant"):
            if name in data:
                identity[name].set(data[name], claim)
        if "price" in data and kind != "acquisition.explored":
            price.set(data["price"], claim)
        if kind == "agreement.signed":
            conditions.set(list(data.get("conditions", ())), claim)
            long_stop.set(data.get("long_stop"), claim)
    not_applicable = []
    for name, field in identity.items():
        if field.claim is None:
            fallback = _latest_naming(mine, name)
            if fallback is not None:
                field.value = fallback
                not_applicable.append(name)
    parties = identity["parties"].value
    return {
        "id": partnership_id,
        "kind": "partnership",
        "parties": None if parties is None else list(parties),
        "plant": identity["plant"].value,
        "scope": identity["scope"].value,
        "not_applicable": not_applicable,
        "stage": stage.value,
        "stage_basis": stage.basis,
        "stage_since": stage.since,
        "price": price.value,
        "conditions": conditions.value or [],
        "long_stop": long_stop.value,
        "acquisition": None if acquisition is None else _acquisition(acquisition),
        "approvals": approvals_of(claims, lambda data: data["subject"] == partnership_id),
        "claims": list(claims),
    }


def _latest_naming(claims: Sequence[dict[str, Any]], name: str) -> Any:
    """The field as the latest claim not voided gives it, whatever its status (`scope` from a stage)."""
    for claim in reversed(claims):
        if claim["status"] == "voided" or name not in claim["data"]:
            continue
        if name == "scope" and claim["type"] not in STAGES:
            continue
        return claim["data"][name]
    return None


def _acquisition(claim: dict[str, Any]) -> dict[str, Any]:
    data = claim["data"]
    return {
        "acquirer": data["acquirer"],
        "percent": data.get("percent"),
        "stake_text": data.get("stake_text"),
        "price": data.get("price"),
        "plant": data.get("plant"),
        "scope": data.get("scope"),
        "since": claim["occurred_at"],
        "basis": claim["status"],
    }
