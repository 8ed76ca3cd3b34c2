"""The company projection: its reference facts and the plants, partnerships and plans it is part of."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.vocabulary.terms import APPLICABLE_STATUSES

REGISTERED_FIELDS = ("name", "country", "aliases")


def project(company_id: str, claims: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Fold the claims naming the company (claim JSON, world-time order); the latest applicable one sets a
    field.

    Plants are those it operates (by an applicable registration naming it operator) or took a stake in.
    Only events naming this company are seen here, so a plant re-registered to another operator stays
    listed until the registration naming this company stops applying.
    """
    fields: dict[str, Any] = dict.fromkeys(REGISTERED_FIELDS)
    plants: set[str] = set()
    partnerships: set[str] = set()
    plans: set[str] = set()
    for claim in claims:
        data = claim["data"]
        if "partnership" in data:
            # Listed while not voided, even if denied: the user can open it and read its trail.
            if claim["status"] != "voided":
                partnerships.add(data["partnership"])
            continue
        if claim["status"] not in APPLICABLE_STATUSES:
            continue
        kind = claim["type"]
        if kind == "company.registered":
            if data["company"] == company_id:
                for name in REGISTERED_FIELDS:
                    if name in data:
                        fields[name] = data[name]
        elif kind == "plant.registered":
            if data["operator"] == company_id:
                plants.add(data["plant"])
        elif kind == "plant.stake_transferred":
            if data["to"] == company_id:
                plants.add(data["plant"])
        elif kind == "plan.announced" and data["company"] == company_id:
            plans.add(data["plan"])
    aliases = fields["aliases"]
    return {
        "id": company_id,
        "kind": "company",
        "name": fields["name"],
        "country": fields["country"],
        "aliases": None if aliases is None else list(aliases),
        "plants": sorted(plants),
        "partnerships": sorted(partnerships),
        "plans": sorted(plans),
    }
