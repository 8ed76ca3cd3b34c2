"""Approval entries, shared by the projections of authorities, partnerships and plants.

An entry is {authority, subject, decision, conditions, scope, since, basis}: `approval.sought` alone
makes one with decision `sought`; a later applicable `approval.decided` on the same authority and
subject replaces it, and so does a later `approval.sought` (a new application after a refusal).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ledger.vocabulary.terms import APPLICABLE_STATUSES

APPROVAL_TYPES = frozenset({"approval.sought", "approval.decided"})


def approvals_of(
    claims: Sequence[dict[str, Any]], belongs: Callable[[dict[str, Any]], bool]
) -> list[dict[str, Any]]:
    """The approval entries of the applicable approval claims whose data `belongs`, in world-time order
    of their latest claim."""
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for claim in claims:
        if claim["type"] not in APPROVAL_TYPES or claim["status"] not in APPLICABLE_STATUSES:
            continue
        data = claim["data"]
        if not belongs(data):
            continue
        key = (data["authority"], data["subject"])
        decided = claim["type"] == "approval.decided"
        entries.pop(key, None)
        entries[key] = {
            "authority": data["authority"],
            "subject": data["subject"],
            "decision": data["decision"] if decided else "sought",
            "conditions": list(data.get("conditions", ())),
            "scope": data.get("scope"),
            "since": claim["occurred_at"],
            "basis": claim["status"],
        }
    return list(entries.values())
