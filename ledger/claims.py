"""The claim rules: a claim's status from its sources, its statements and the ledger's corrections.

Pure functions over values already read from the log. This module decides what a claim's status *is*;
the projections decide what a status means for state (`APPLICABLE_STATUSES`).

Statements are taken as they appear in a claim's trail: mappings with `by`, `stance`, `voided` and
`counts` (whether the statement counts for this claim: `counts_for`), in world-time order (occurred_at,
then position), so "a speaker's latest statement" is the last one seen.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from ledger.events import StoredEvent

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


# -- sources and origins -----------------------------------------------------------------------------
def origin_of(source: Mapping[str, Any]) -> str:
    """Where a source's story comes from: the source it republishes (`derived_from`), else itself."""
    return source.get("derived_from") or source["name"]


def named_origins(sources: Iterable[Mapping[str, Any]]) -> set[str]:
    """The origins of the named (non-anonymous) sources: who can retract the claim."""
    return {origin_of(s) for s in sources if s["kind"] != "anonymous"}


def anonymous_only(sources: Sequence[Mapping[str, Any]]) -> bool:
    """True when every source is anonymous or republishes an anonymous source of the same claim."""
    named = [s for s in sources if s["kind"] != "anonymous"]
    if not named:
        return bool(sources)
    if not all("derived_from" in s for s in named):  # the common case: a named source of its own
        return False
    anonymous = {s["name"] for s in sources if s["kind"] == "anonymous"}
    return all(s["derived_from"] in anonymous for s in named)


def source_summary(sources: Sequence[Mapping[str, Any]]) -> tuple[int, bool]:
    """(distinct origins, anonymous_only) in one pass: a claim's JSON needs both, for every claim folded.
    Five outlets copying one wire story are one origin; each anonymous source is one of its own, and so
    are the outlets that say they repeat it."""
    distinct: set[str] = set()
    derived = named = False
    for source in sources:
        distinct.add(origin_of(source))
        derived = derived or "derived_from" in source
        named = named or source["kind"] != "anonymous"
    if not named:
        return len(distinct), bool(sources)
    return len(distinct), derived and anonymous_only(sources)


def basis(sources: Iterable[Mapping[str, Any]]) -> str:
    """announced if the company itself said it (a source of kind company), otherwise reported."""
    for source in sources:
        if source["kind"] == "company":
            return "announced"
    return "reported"


# -- statements ----------------------------------------------------------------------------------------
def counts_for(
    stance: str,
    by: str,
    parties: Collection[str],
    origins: Collection[str],
    in_group: Callable[[str], bool] | None = None,
) -> bool:
    """Whether a statement counts for a claim.

    A retraction counts when its speaker is an origin of the claim. Any other stance counts when the
    speaker is a party, or `in_group(by)` says it belongs to a party's group (parent chain or below).
    """
    if stance == "retracted":
        return by in origins
    return by in parties or (in_group is not None and in_group(by))


def party_verdict(statements: Iterable[Mapping[str, Any]]) -> str | None:
    """confirmed / denied / disputed from each counting speaker's latest confirm-or-deny, or None if
    none spoke.

    Only statements that count say anything: a rival denying a deal it is not part of says nothing
    about whether the deal's parties agreed to it.
    """
    latest: dict[str, str] = {}
    for statement in statements:
        if statement["stance"] in _DECIDING and statement["counts"] and not statement["voided"]:
            latest[statement["by"]] = statement["stance"]
    stances = set(latest.values())
    if not stances:
        return None
    return "disputed" if len(stances) > 1 else stances.pop()


def is_retracted(sources: Iterable[Mapping[str, Any]], statements: Iterable[Mapping[str, Any]]) -> bool:
    """True if every named origin withdrew the claim: a retraction by X withdraws every source whose
    origin is X (a wire's retraction withdraws the outlets that copied it).

    Anonymous sources cannot retract anything, so they neither block nor make a retraction; a claim with
    only anonymous sources is never retracted.
    """
    named = named_origins(sources)
    if not named:
        return False
    withdrawn = {s["by"] for s in statements if s["stance"] == "retracted" and not s["voided"]}
    return named <= withdrawn


def claim_status(
    sources: Sequence[Mapping[str, Any]],
    statements: Sequence[Mapping[str, Any]] = (),
    *,
    voided: bool = False,
) -> str:
    """The claim's status, first rule that holds: voided, retracted, the parties' verdict, basis.

    A retraction outranks the parties: once every origin has withdrawn the story, nobody reports it
    any more, whatever a party said about it. `report.unconfirmed` and `report.no_comment` never
    change the status.
    """
    if voided:
        return "voided"
    if statements:
        if is_retracted(sources, statements):
            return "retracted"
        verdict = party_verdict(statements)
        if verdict is not None:
            return verdict
    return basis(sources)
