"""The claim rules: a claim's status from its sources, its statements and the ledger's corrections.

Pure functions over values already read from the log. This module decides what a claim's status *is*;
the projections decide what a status means for state (`APPLICABLE_STATUSES`).

Statements are taken as they appear in a claim's trail: mappings with `by`, `stance` and `voided`, in
world-time order (occurred_at, then position), so "a party's latest statement" is the last one seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ledger.events import StoredEvent
from ledger.vocabulary.registry import parties_of

_DECIDING = frozenset({"confirmed", "denied"})


def corrected(event: StoredEvent, corrections: Iterable[StoredEvent]) -> tuple[dict[str, Any], bool]:
    """The event's current data and whether it is voided, given the entry.* events naming it.

    `corrections` must come in position order: the last `entry.corrected` wins. Any `entry.voided`
    voids for good; a later correction changes the data shown in the trail but does not revive it.
    """
    data = event.data
    voided = False
    for correction in corrections:
        if correction.type == "entry.voided":
            voided = True
        else:
            data = correction.data["replacement"]
    return data, voided


def party_verdict(parties: Iterable[str], statements: Iterable[Mapping[str, Any]]) -> str | None:
    """confirmed / denied / disputed from each party's latest confirm-or-deny, or None if none spoke.

    Only statements whose `by` is a party count: a rival denying a deal it is not part of says nothing
    about whether the deal's parties agreed to it.
    """
    members = set(parties)
    latest: dict[str, str] = {}
    for statement in statements:
        by = statement["by"]
        if by in members and statement["stance"] in _DECIDING and not statement["voided"]:
            latest[by] = statement["stance"]
    stances = set(latest.values())
    if not stances:
        return None
    return "disputed" if len(stances) > 1 else stances.pop()


def is_retracted(sources: Iterable[Mapping[str, Any]], statements: Iterable[Mapping[str, Any]]) -> bool:
    """True if every named (non-anonymous) source withdrew the claim.

    Anonymous sources cannot retract anything, so they neither block nor make a retraction; a claim with
    only anonymous sources is never retracted.
    """
    named = {s["name"] for s in sources if s["kind"] != "anonymous"}
    if not named:
        return False
    withdrawn = {s["by"] for s in statements if s["stance"] == "retracted" and not s["voided"]}
    return named <= withdrawn


def origin(sources: Iterable[Mapping[str, Any]]) -> str:
    """announced if the company itself said it (a source of kind company), otherwise reported."""
    for source in sources:
        if source["kind"] == "company":
            return "announced"
    return "reported"


def claim_status(
    event_type: str,
    data: dict[str, Any],
    sources: Sequence[Mapping[str, Any]],
    statements: Sequence[Mapping[str, Any]] = (),
    *,
    voided: bool = False,
) -> str:
    """The claim's status, first rule that holds: voided, the parties' verdict, retracted, origin.

    A party's confirmation or denial outranks a reporter's retraction: once a company has said what
    happened, a newspaper withdrawing its story does not change what the parties said.
    `report.unconfirmed` and `report.no_comment` never change the status.
    """
    if voided:
        return "voided"
    if statements:
        stances = {s["stance"] for s in statements if not s["voided"]}
        if not stances.isdisjoint(_DECIDING):  # only then is it worth finding the parties
            verdict = party_verdict(parties_of(event_type, data), statements)
            if verdict is not None:
                return verdict
        if "retracted" in stances and is_retracted(sources, statements):
            return "retracted"
    return origin(sources)
