"""Which claims an analyst asks for, decided on the claim JSON alone: by status, type, source, origin,
speaker, anonymity, number of origins, staleness and resolution.

Pure: `ClaimFilter.matches` is the one definition of every filter, whatever read the candidates (an
index of the projection tables, a fold of one entity, a fold of the past); the store only narrows the
candidates down. `resolution` and `last_event` say what `--resolved` and `--stale` report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ledger.claims import claim_status, origin_of
from ledger.errors import InvalidArgument
from ledger.names import normalize
from ledger.times import format_recorded_at, key_before, now_utc, start_key
from ledger.vocabulary.entity_fields import CATEGORIES, entities_in
from ledger.vocabulary.terms import CLAIM_STATUSES

OPEN_STATUSES = frozenset({"reported", "announced", "confirmed", "disputed"})  # what can go stale
RESOLVED_STATUSES = frozenset({"confirmed", "denied", "retracted"})  # what `--resolved` went to
FINAL_STAGES = {
    "partnership": ("stage", frozenset({"completed", "ended"})),
    "plant": ("status", frozenset({"closed"})),
}
_DAY_US = 86_400_000_000
world_key = lru_cache(maxsize=1 << 12)(start_key)  # occurred_at's order key, parsed once per value

Finality = Callable[[str], bool]  # whether an entity's stage or status is final (at the bound asked)


@dataclass(frozen=True, slots=True)
class ClaimFilter:
    """Every condition given must hold; names are compared normalized (`ledger.names.normalize`)."""

    statuses: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    source: str | None = None  # a source has this name
    origin: str | None = None  # a source's origin (what it republishes, else itself) has this name
    by: str | None = None  # a statement about it (not voided) by this speaker
    anonymous_only: bool = False
    single_origin: bool = False
    stale_before: int | None = None  # open, not final, and no event about it after this world-time key
    resolved: bool = False

    def matches(self, claim: dict[str, Any], final: Finality) -> bool:
        if self.statuses and claim["status"] not in self.statuses:
            return False
        if self.types and claim["type"] not in self.types:
            return False
        if self.source is not None and all(normalize(s["name"]) != self.source for s in claim["sources"]):
            return False
        if self.origin is not None and all(normalize(origin_of(s)) != self.origin for s in claim["sources"]):
            return False
        if self.by is not None and not any(
            normalize(s["by"]) == self.by and not s["voided"] for s in claim["statements"]
        ):
            return False
        if self.anonymous_only and not claim["anonymous_only"]:
            return False
        if self.single_origin and claim["origins"] != 1:
            return False
        if self.resolved and resolution(claim) is None:
            return False
        if self.stale_before is not None:
            return _stale(claim, self.stale_before, final)
        return True

    @property
    def names_immutable_only(self) -> bool:
        """Whether only what a claim never changes is asked (its type and sources): then the claims of the
        present are the candidates of any moment."""
        return not (self.statuses or self.by or self.stale_before is not None or self.resolved)


def _stale(claim: dict[str, Any], before: int, final: Finality) -> bool:
    if claim["status"] not in OPEN_STATUSES or last_event(claim)[0] > before:
        return False
    return not any(
        final(e) for e in entities_in(claim["type"], claim["data"]) if e.split(":")[0] in FINAL_STAGES
    )


def is_final(state: dict[str, Any]) -> bool:
    """Whether an entity's stage (a partnership's) or status (a plant's) is final: completed, ended or
    closed."""
    field, final = FINAL_STAGES.get(state.get("kind", ""), ("", frozenset()))
    return state.get(field) in final


def last_event(claim: dict[str, Any]) -> tuple[int, str]:
    """(world-time key, occurred_at) of the latest of the claim and the statements about it."""
    return max(
        [(world_key(claim["occurred_at"]), claim["occurred_at"])]
        + [(world_key(s["occurred_at"]), s["occurred_at"]) for s in claim["statements"]]
    )


def resolution(claim: dict[str, Any]) -> dict[str, Any] | None:
    """How a claim first reported went to confirmed, denied or retracted, and the days it took: the
    statement from which its status has been what it is, replaying its trail in world-time order. None
    unless it was reported, and is now confirmed, denied or retracted."""
    status, trail = claim["status"], claim["statements"]
    if status not in RESOLVED_STATUSES or claim_status(claim["sources"]) != "reported":
        return None
    settled = None
    for index, statement in enumerate(trail):
        now = claim_status(claim["sources"], trail[: index + 1])
        if now != status:
            settled = None
        elif settled is None:
            settled = statement
    if settled is None:  # its status comes from no statement (cannot happen: reported needs one to move)
        return None
    took = world_key(settled["occurred_at"]) - world_key(claim["occurred_at"])
    days = took / _DAY_US
    return {
        "status": status,
        "by": settled["by"],
        "statement": {k: settled[k] for k in ("id", "position", "occurred_at")},
        "days": int(days) if days == int(days) else round(days, 2),
    }


def _one_or_many(value: str | Sequence[str] | None) -> list[str]:
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def name_argument(value: str | None, parameter: str) -> str | None:
    """A name given to filter by, normalized; InvalidArgument if nothing is left of it."""
    if value is None:
        return None
    found = normalize(value)
    if not found:
        raise InvalidArgument(f"expected a name with a letter or digit, got {value!r}", parameter=parameter)
    return found


def claim_filter(
    status: str | Sequence[str] | None,
    types: str | Sequence[str] | None,
    source: str | None,
    origin: str | None,
    by: str | None,
    anonymous_only: bool,
    single_origin: bool,
    stale: str | None,
    resolved: bool,
    as_of: int | None,
) -> ClaimFilter:
    """The filter of `Ledger.claims`, each argument checked."""
    statuses, wanted_types = _one_or_many(status), _one_or_many(types)
    for given in statuses:
        if given not in CLAIM_STATUSES:
            raise InvalidArgument(
                f"expected one of {', '.join(CLAIM_STATUSES)}, got {given!r}", parameter="status"
            )
    for given in wanted_types:
        if CATEGORIES.get(given) != "claim":
            from ledger.vocabulary.registry import nearest_type  # the models: only to say what was meant

            near = nearest_type(given)
            hint = f"; did you mean {near!r}?" if near and CATEGORIES[near] == "claim" else ""
            raise InvalidArgument(f"expected a claim type, got {given!r}{hint}", parameter="types")
    stale_before = None
    if stale is not None:
        try:
            stale_before = key_before(
                as_of if as_of is not None else start_key(format_recorded_at(now_utc())), stale
            )
        except ValueError as e:
            raise InvalidArgument(str(e), parameter="stale") from None
    return ClaimFilter(
        statuses=frozenset(statuses),
        types=frozenset(wanted_types),
        source=name_argument(source, "source"),
        origin=name_argument(origin, "origin"),
        by=name_argument(by, "by"),
        anonymous_only=anonymous_only,
        single_origin=single_origin,
        stale_before=stale_before,
        resolved=resolved,
    )
