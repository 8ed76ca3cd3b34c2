"""`changes` where nothing was kept between the two moments (an `@POSITION` inside a write
transaction, or a moment before the last rebuild): the entities the window may change are folded as the
ledger knew them at both moments and compared.

Those the window's events are indexed under, and those whose claims hang on facts it changes
(`read_model.sync.touched`), are folded at both moments; up to now, an entity's state is its
projection, and only the claims the window speaks about can have changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from ledger.changes import claim_changes, entity_change, moment, wanted_among
from ledger.claims_then import claim_at, spoken_about
from ledger.entities import entity_kind
from ledger.events import StoredEvent
from ledger.projections import EntityView, fold
from ledger.projections.context import GROUP_TYPES, Context
from ledger.projections.reach import cached_lookup, facts_changed
from ledger.queries import unknown
from ledger.read_model import documents
from ledger.read_model.shared_reads import SharedReads
from ledger.store.connection import Transaction
from ledger.vocabulary.entity_fields import first_entity

# Entities to fold from which every company-structure claim is read at once (as a rebuild does), rather
# than those of the companies each fold asks about, fold by fold.
PRELOAD_FROM = 50
# An entity asked for with fewer index rows than this is folded at both moments, which costs less than
# finding out whether the window touches it (a plant of ten events: 0.4 ms, against ~40 ms at 1M).
FOLD_UNDER = 100


def folded_changes(
    tx: Transaction,
    since: int,
    until: int,
    entity_ids: Sequence[str] = (),
    kind: str | None = None,
) -> dict[str, Any]:
    """`changes` (same arguments), folded."""
    shared = SharedReads(tx.log)
    before_context, after_context = Context.over(shared, since), Context.over(shared, until)
    widened: set[str] = set()
    small = {e for e in entity_ids if tx.log.index_size(e, FOLD_UNDER) < FOLD_UNDER}
    among = set(entity_ids) - small if entity_ids else None
    if since == until or among == set():
        candidates = set()
    else:
        candidates, widened = _touched(tx, since, until, (before_context, after_context, shared), among)
    unknown_ids: set[str] = set()  # of those asked, those known at neither moment
    if entity_ids:
        candidates |= small
        # One the window does not touch folds the same at both moments: nothing changed, if it exists.
        untouched = set(entity_ids) - candidates
        if until == tx.log.head().position:
            unknown_ids |= untouched - set(tx.projections.entity_docs_of(sorted(untouched)))
        else:
            candidates = set(entity_ids)  # (whether it exists then takes a fold)
    if kind is not None:
        candidates = {e for e in candidates if entity_kind(e) == kind}
    if len(candidates) >= PRELOAD_FROM:  # folds of many entities ask about many companies' groups
        group_claims = tx.log.claims_of_types(GROUP_TYPES)
        before_context.preload_groups(group_claims)
        after_context.preload_groups(group_claims)
    # Now, an entity's state is its projection, and only the claims the window speaks about can have
    # changed (unless a fact it hangs on changed: those are folded and compared whole).
    from_tables = until == tx.log.head().position and not entity_ids
    if from_tables:
        # What the window does not touch folds alike at both moments: a plant outside it was operated
        # then by whom its projection names now (a busy company asks about thousands of plants).
        before_context.known_operators = partial(_operators_now, tx, frozenset(candidates))

    entities: list[dict[str, Any]] = []
    before_claims: dict[str, dict[str, Any]] = {}
    after_claims: dict[str, dict[str, Any]] = {}
    window: dict[int, StoredEvent] = {}  # the window's events the folds read, by position
    for entity_id in sorted(candidates):
        events = tx.log.entity_events(entity_id)
        before = fold(entity_id, events, known_at=since, context=before_context)
        if from_tables and entity_id not in widened:
            now = documents.fields_of(tx, entity_id)
        else:
            after = fold(entity_id, events, known_at=until, context=after_context)
            now = None if after is None else after.state
            _collect(entity_id, after, after_claims)
        if before is None and now is None:
            if entity_ids:
                unknown_ids.add(entity_id)
            continue
        window.update((e.position, e) for e in events if since < e.position <= until)
        _collect(entity_id, before, before_claims)
        change = entity_change(entity_id, None if before is None else before.state, now)
        if change is not None:
            entities.append(change)
    if unknown_ids:
        raise unknown(tx, min(unknown_ids), at_a_moment=True)
    if from_tables:
        for claim in documents.claims_at(tx, spoken_about(tx, window.values())).values():
            after_claims[claim["id"]] = claim  # as its owner's fold has it

    def then_of(now: dict[str, Any]) -> dict[str, Any] | None:  # a claim as it stood in its owner's fold
        return claim_at(
            tx, now, lambda e: fold(e, tx.log.entity_events(e), known_at=since, context=before_context)
        )

    claims = claim_changes(since, then_of, before_claims, after_claims, window)
    if entity_ids or kind is not None:  # the claims about those asked (their folds read others too)
        wanted = wanted_among(entity_ids, kind)
        claims = [claim for claim in claims if any(map(wanted, claim["entities"]))]
    return {
        "since": moment(tx, since),
        "until": moment(tx, until),
        "entities": entities,
        "claims": claims,
    }


def _operators_now(tx: Transaction, touched: frozenset[str], plants: list[str]) -> dict[str, str | None]:
    """The operators the projection tables hold now of `plants` outside `touched`."""
    untouched = [p for p in plants if p not in touched and p.startswith("plant:")]
    return documents.operators_of(tx, untouched) if untouched else {}


def _touched(
    tx: Transaction,
    since: int,
    until: int,
    contexts: tuple[Context, Context, SharedReads],
    among: set[str] | None = None,
) -> tuple[set[str], set[str]]:
    """The entities the window's events are indexed under, and those whose claims hang on a fact the
    window changed (compared at both moments, where a catch-up, which cannot compare, widens by every
    fact the events may change: `read_model.sync.touched`): what shares an event with a company whose
    group or mergers changed, or with one below it; with a partnership whose parties changed; a plant's
    operators before and after, when its operator changed. Returns (all of them, those widened to).

    With `among`, only those of `among`: a partnership or a plant that shares no event with one of them
    cannot touch it, and is not compared."""
    found = tx.log.entities_between(since, until)
    if among is not None:
        found &= among
        if found == among:
            return found, set()
        near_of = {e: tx.log.co_indexed({e}) for e in among - found}  # what shares an event with each
        near = set().union(*near_of.values())
    before, after, shared = contexts
    window = list(tx.log.read_between(since, until))
    lookup = cached_lookup(window, tx.log.events_by_id)
    keep = None if among is None else near.__contains__
    facts = facts_changed(window, before, after, lookup, shared.read_ahead, keep)
    changed = facts.below | facts.partnerships
    found |= {o for o in facts.operators if among is None or o in among}
    if among is not None:
        widened = {e for e, shared in near_of.items() if shared & changed}
        return found | widened, widened
    widened = tx.log.co_indexed(changed) if changed else set()
    return found | widened, widened


def _collect(entity_id: str, view: EntityView | None, into: dict[str, dict[str, Any]]) -> None:
    """The claims of an entity's view, each as its owner's fold has it (the first entity its data names:
    what `claims` reads) when that fold is among those read, else as the first fold read has it."""
    if view is not None:
        for claim in view.claims:
            if first_entity(claim["type"], claim["data"]) == entity_id:
                into[claim["id"]] = claim
            else:
                into.setdefault(claim["id"], claim)
