"""The partnership projection: who is talking to whom, about what, and how far it got."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.vocabulary.terms import APPLICABLE_STATUSES

STAGES = {
    "talks.reported": "talks",
    "mou.signed": "mou",
    "agreement.signed": "agreement",
    "deal.completed": "completed",
    "talks.ended": "ended",
}


def project(partnership_id: str, claims: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Fold the claims naming the partnership (claim JSON, world-time order); the latest applicable one
    sets a field.

    `claims` lists every one of them with its trail, so a partnership whose only claim was denied still
    shows why its stage is null.
    """
    parties = plant = scope = None
    stage: dict[str, Any] | None = None
    acquisition: dict[str, Any] | None = None
    for claim in claims:
        data = claim["data"]
        if claim["status"] not in APPLICABLE_STATUSES or data.get("partnership") != partnership_id:
            continue
        kind = claim["type"]
        if kind in STAGES:
            stage = claim
        elif kind == "acquisition.explored":
            acquisition = claim
        if "parties" in data:
            parties = data["parties"]
        if "plant" in data:
            plant = data["plant"]
        if "scope" in data and kind in STAGES:  # an acquisition's scope stays in `acquisition`
            scope = data["scope"]
    return {
        "id": partnership_id,
        "kind": "partnership",
        "parties": None if parties is None else list(parties),
        "plant": plant,
        "scope": scope,
        "stage": None if stage is None else STAGES[stage["type"]],
        "stage_basis": None if stage is None else stage["status"],
        "stage_since": None if stage is None else stage["occurred_at"],
        "acquisition": None if acquisition is None else _acquisition(acquisition),
        "claims": list(claims),
    }


def _acquisition(claim: dict[str, Any]) -> dict[str, Any]:
    data = claim["data"]
    return {
        "acquirer": data["acquirer"],
        "stake": data.get("stake"),
        "plant": data.get("plant"),
        "scope": data.get("scope"),
        "since": claim["occurred_at"],
        "basis": claim["status"],
    }
