"""The fold: an entity's events in, what users see out (its state, its claims and its history).

`fold` is the one entry point the read model (rebuild, catch-up) and the queries (show, history, claims)
call. It is pure and order-independent: the same set of events gives the same view, whether they were
appended one by one or rebuilt from scratch. One pass buckets the events, claims are resolved into their
JSON (status and trail, `ledger.claims`), then the entity kind's projection reads them in world-time
order. Each projection reads only claim JSON, so what it shows is what the trail shows.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any

from ledger.bulk import cyclic_gc_paused
from ledger.claim_json import claim_json
from ledger.claims import claim_status, corrected, counts_for, named_origins, source_summary
from ledger.entities import ENTITY_KINDS, entity_kind
from ledger.events import StoredEvent
from ledger.projections.authority import project as project_authority
from ledger.projections.company import project as project_company
from ledger.projections.context import Context, no_context
from ledger.projections.history import Trail
from ledger.projections.order import world_key
from ledger.projections.partnership import project as project_partnership
from ledger.projections.plan import project as project_plan
from ledger.projections.plant import project as project_plant
from ledger.times import end_key
from ledger.vocabulary.entity_fields import CATEGORIES, STANCES, names, naming_fields, parties_of
from ledger.vocabulary.terms import CURRENT_VERSION
from ledger.vocabulary.upcasters import upcast

# An entity kind's projection: (entity id, its claims as claim JSON in world-time order) -> its state.
Projection = Callable[[str, Sequence[dict[str, Any]], Context], dict[str, Any]]

PROJECTIONS: dict[str, Projection] = {
    "company": project_company,
    "plant": project_plant,
    "partnership": project_partnership,
    "plan": project_plan,
    "authority": project_authority,
}
assert set(PROJECTIONS) == set(ENTITY_KINDS), "every entity kind has a projection"
_CATEGORY = CATEGORIES
# Per entity kind, per event type: the (data key, is a list) fields that can name an entity of that kind.
_NAMING = {kind: naming_fields(kind) for kind in ENTITY_KINDS}
# The same occurred_at is parsed once per entity an event names; dates repeat across events too.
_start_key = world_key
_end_key = lru_cache(maxsize=1 << 16)(end_key)


@dataclass(eq=False, slots=True)
class EntityView:
    """One entity as of a point on both time axes: `state` is what `ledger show ENTITY --json` prints.

    `claims` are the claims naming the entity (by their current data) as claim JSON, in world-time
    order; `history` every event that names it or speaks about one that does, in world-time order.
    `state` and `history` are worked out when first read, within the reader's transaction: `history`
    never needs the state (for a company, which plants it operates costs a fold of each candidate plant).
    """

    claims: list[dict[str, Any]]
    _trail: Trail = field(repr=False)
    _project: Callable[[], dict[str, Any]] = field(repr=False)
    _state: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def state(self) -> dict[str, Any]:
        if self._state is None:
            self._state = self._project()
        return self._state

    @property
    def history(self) -> list[dict[str, Any]]:
        return self._trail.entries()

    @property
    def events(self) -> dict[int, StoredEvent]:
        """The events folded, by position (a claim's own event among them)."""
        return self._trail.events

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, EntityView)
            and self.state == other.state
            and self.claims == other.claims
            and self._trail == other._trail
        )

    __hash__ = None  # type: ignore[assignment]


def fold(
    entity_id: str,
    events: Iterable[StoredEvent],
    *,
    as_of: int | None = None,
    known_at: int | None = None,
    context: Context | None = None,
    decided: Mapping[int, dict[str, Any]] | None = None,
) -> EntityView | None:
    """The entity's view from its events (and the events they reference), or None if none names it.

    `context` answers what the fold needs from other entities (groups, a partnership's parties,
    mergers, plant operators); without one, the fold knows only these events.

    `as_of` bounds world time (inclusive; a period must have ended by it) for claims and statements;
    `known_at` bounds ledger time for every event: the last position known (inclusive). Corrections
    are facts about the ledger, not the world: they apply whatever their occurred_at.

    `decided`: claim JSON already worked out for this moment (the projection tables' claims, for the
    present), by position; those claims are taken as given instead of resolving their trails again.
    """
    kind = entity_kind(entity_id)
    if context is None:
        context = no_context()
    if not gc.isenabled():  # paused by the caller already (a rebuild): no context manager per entity
        return _fold(entity_id, kind, events, as_of, known_at, context, decided)
    with cyclic_gc_paused():
        return _fold(entity_id, kind, events, as_of, known_at, context, decided)


def _fold(
    entity_id: str,
    kind: str,
    events: Iterable[StoredEvent],
    as_of: int | None,
    known_at: int | None,
    context: Context,
    decided: Mapping[int, dict[str, Any]] | None = None,
) -> EntityView | None:
    naming = _NAMING[kind]
    unique = {event.position: event for event in events}
    if kind == "partnership":
        context.know_parties(entity_id, unique.values())

    # One pass in position order: filter and bucket by category, claims and statements with their
    # world-time order (start key, position) so that sorting them needs no key function.
    claim_items: list[tuple[int, int, StoredEvent]] = []
    statement_items: list[tuple[int, int, StoredEvent]] = []
    correction_events: list[StoredEvent] = []
    for position in sorted(unique):
        event = unique[position]
        if known_at is not None and position > known_at:
            break  # in position order: nothing after it was known either
        category = _CATEGORY[event.type]
        if category == "correction":
            correction_events.append(event)
            continue
        key = _start_key(event.occurred_at)
        # A period (2021-10) is in view once it has ended; a day or an instant from its start.
        if as_of is not None and (key > as_of or _end_key(event.occurred_at) > as_of):
            continue
        if category == "claim":
            claim_items.append((key, position, event))
        else:
            statement_items.append((key, position, event))
    # World-time order from here on: trails fill in order and claims come out in order.
    claim_items.sort()
    statement_items.sort()

    corrections: dict[str, list[StoredEvent]] = {}
    if correction_events:
        kept = {item[2].id for items in (claim_items, statement_items) for item in items}
        for event in correction_events:
            target = event.refs[0]
            if target in kept:  # a correction of an event outside the bounds has nothing to correct
                corrections.setdefault(target, []).append(event)

    statements: list[dict[str, Any]] = []
    said_about: dict[str, list[tuple[int, dict[str, Any]]]] = {}  # claim id -> (world key, statement)
    speaks = False  # a statement by the entity (a company) names it even if its claims are out of view
    for key, _, event in statement_items:
        fixes = corrections.get(event.id)
        data, voided = (event.data, False) if fixes is None else corrected(event, fixes)
        said = {
            "id": event.id,
            "by": data["by"],
            "stance": STANCES[event.type],
            "occurred_at": event.occurred_at,
            "position": event.position,
            "quote": data.get("quote"),
            "voided": voided,
        }
        statements.append(said)
        for ref in event.refs:
            said_about.setdefault(ref, []).append((key, said))
        if not speaks and kind == "company":
            speaks = data["by"] == entity_id or event.data["by"] == entity_id

    if decided is None and len(statements) > PREFETCH_FROM:
        _prefetch(claim_items, statements, said_about, context)

    claims: list[dict[str, Any]] = []  # claims whose current data names the entity
    moved: set[str] = set()  # claims a correction took away from it: their corrections stay in its history
    for _, _, event in claim_items:
        event_id = event.id
        event_type = event.type
        fixes = corrections.get(event_id)
        # Read for meaning in the current vocabulary's shape; the event itself stays as written.
        if fixes is None:
            data = event.data if event.v == CURRENT_VERSION else upcast(event_type, event.v, event.data)
            voided = False
            names_now = names(naming[event_type], data, entity_id)
            if not names_now:
                continue  # only here because a statement about it also names one of ours
        else:
            data, voided = corrected(event, fixes)
            data = upcast(event_type, event.v, data)
            names_now = names(naming[event_type], data, entity_id)
            if not names_now:
                if names(naming[event_type], upcast(event_type, event.v, event.data), entity_id):
                    moved.add(event_id)
                continue
        if decided is not None and event.position in decided:
            claims.append(decided[event.position])
            continue
        trail = _trail(event_type, data, event.sources, said_about.get(event_id, ()), context)
        origins, only_anonymous = source_summary(event.sources)
        claim = claim_json(
            event,
            data,
            claim_status(event.sources, trail, voided=voided),
            origins,
            only_anonymous,
            trail,
            [] if fixes is None else [_correction(c) for c in fixes],
        )
        claims.append(claim)

    if not claims and not speaks:
        links = context.company_links  # a company named only by claims its fold left out
        if links is None or kind != "company" or entity_id not in links.named:
            return None
    trail_of = Trail(entity_id, unique, claims, statements, correction_events, moved)
    return EntityView(claims, trail_of, partial(PROJECTIONS[kind], entity_id, claims, context))


PREFETCH_FROM = 16  # statements in a fold from which the facts they need are read in bulk


def _prefetch(
    claim_items: list[tuple[int, int, StoredEvent]],
    statements: list[dict[str, Any]],
    said_about: dict[str, list[tuple[int, dict[str, Any]]]],
    context: Context,
) -> None:
    """Read in bulk what deciding who counts will ask the context: the groups of the companies that
    spoke and of the claims' parties, the parties of the partnerships whose claims name none."""
    companies: set[str] = set()
    partnerships = set()
    for _, _, event in claim_items:
        said = said_about.get(event.id)
        if not said:
            continue
        data = event.data
        parties = parties_of(event.type, data)
        speakers = {s["by"] for _, s in said if s["stance"] != "retracted" and s["by"] not in parties}
        if not speakers:
            continue  # every speaker a party (or an origin retracting): nothing to look up
        companies.update(s for s in speakers if s.startswith("company:"))
        companies.update(p for p in parties if p.startswith("company:"))
        if "partnership" in data and "parties" not in data:
            partnerships.add(data["partnership"])
    context.prefetch(sorted(companies), sorted(partnerships))


def _trail(
    event_type: str,
    data: dict[str, Any],
    sources: list[dict[str, Any]],
    said: Iterable[tuple[int, dict[str, Any]]],
    context: Context,
) -> list[dict[str, Any]]:
    """The claim's statements, each with whether it `counts` for this claim (`statement_counts`)."""
    parties: list[set[str]] = []  # worked out once, for the first statement that needs them
    return [
        {**statement, "counts": statement_counts(statement, key, event_type, data, sources, context, parties)}
        for key, statement in said
    ]


def statement_counts(
    statement: dict[str, Any],
    key: int,
    claim_type: str,
    data: dict[str, Any],
    sources: list[dict[str, Any]],
    context: Context,
    parties_memo: list[set[str]] | None = None,
) -> bool:
    """Whether a statement (`by`, `stance`) made at world time `key` counts for a claim (`ledger.claims`):
    by a party or a party's group then, or, for a retraction, by an origin of the claim."""
    by, stance = statement["by"], statement["stance"]
    if stance == "retracted":
        return by in named_origins(sources)
    if not by.startswith(_SPEAKING_KINDS):
        return False  # a source's name is never a party: nothing to look up
    if parties_memo:
        parties = parties_memo[0]
    else:
        parties = set(parties_of(claim_type, data))
        if parties_memo is not None:
            parties_memo.append(parties)
    if by in parties:
        return True  # a party: what the context knows cannot change that (and costs a look-up)
    if "partnership" in data and "parties" not in data:  # the partnership's parties are its parties too
        parties = parties | set(context.partnership_parties(data["partnership"], key))
    return counts_for(stance, by, parties, (), partial(_in_group, context, parties, key))


_SPEAKING_KINDS = ("company:", "authority:")  # the ids a party can have


def _in_group(context: Context, parties: set[str], key: int, speaker: str) -> bool:
    return any(context.grouped(speaker, party, key) for party in parties)


def _correction(event: StoredEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "type": event.type,
        "reason": event.data["reason"],
        "position": event.position,
        "recorded_at": event.recorded_at,
    }
