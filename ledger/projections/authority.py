"""The authority projection: a government, regulator, court or agency, and the approvals it was asked
for or gave."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ledger.projections.approvals import approvals_of
from ledger.vocabulary.terms import APPLICABLE_STATUSES

if TYPE_CHECKING:
    from ledger.projections.context import Context

REGISTERED_FIELDS = ("name", "jurisdiction", "category")


def project(authority_id: str, claims: Sequence[dict[str, Any]], context: Context) -> dict[str, Any]:
    """Fold the claims naming the authority (claim JSON, world-time order); the latest applicable
    registration sets its fields."""
    fields: dict[str, Any] = dict.fromkeys(REGISTERED_FIELDS)
    for claim in claims:
        data = claim["data"]
        registers = claim["type"] == "authority.registered" and data["authority"] == authority_id
        if registers and claim["status"] in APPLICABLE_STATUSES:
            fields.update({name: data.get(name) for name in REGISTERED_FIELDS})
    return {
        "id": authority_id,
        "kind": "authority",
        **fields,
        "approvals": approvals_of(claims, lambda data: data["authority"] == authority_id),
    }
