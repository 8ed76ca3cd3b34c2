"""What changed between two ledger moments: the projections known at each, compared.

Each entity that the events after `since` (up to `until`) may have changed — those they are indexed
under, and those whose claims hang on facts they change (`read_model.sync.touched`) — is folded as the
ledger knew it at both moments, and the two views compared: entities added or gone, each field old ->
new with its basis, claims added and claims whose status or data changed, each with the statements and
corrections of the window about it. Applied to the state known at `since`, the changes give the state
known at `until`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

import orjson

from ledger.claim_json import whole_claim
from ledger.claims_then import claim_at, spoken_about
from ledger.doc_changes import list_change, went_back
from ledger.entities import entity_kind
from ledger.errors import IntegrityFailure
from ledger.events import StoredEvent
from ledger.projections import EntityView, cyclic_gc_paused, fold
from ledger.projections.context import GROUP_TYPES, Context
from ledger.projections.reach import cached_lookup, facts_changed
from ledger.queries import unknown
from ledger.read_model import documents
from ledger.read_model.shared_reads import SharedReads
from ledger.store.connection import Transaction
from ledger.vocabulary.entity_fields import CATEGORIES, entities_in, first_entity

_NOT_FIELDS = ("id", "kind", "claims")  # never change, or compared claim by claim
# What can be why a claim changed (`_about`): statements, corrections and voids.
_SAID = tuple(sorted(t for t, category in CATEGORIES.items() if category in ("statement", "correction")))
# Entities to fold from which every company-structure claim is read at once (as a rebuild does), rather
# than those of the companies each fold asks about, fold by fold.
PRELOAD_FROM = 50
# An entity asked for with fewer index rows than this is folded at both moments, which costs less than
# finding out whether the window touches it (a plant of ten events: 0.4 ms, against ~40 ms at 1M).
FOLD_UNDER = 100


def changes(
    tx: Transaction,
    since: int,
    until: int,
    entity_ids: Sequence[str] = (),
    kind: str | None = None,
) -> dict[str, Any]:
    """The difference between the projections known at positions `since` and `until` (since <= until):
    of `entity_ids` only when given, of entities of `kind` only when given."""
    if _kept(tx, since, until):
        with cyclic_gc_paused():  # (a large answer is many containers, and no cycles)
            return kept_changes(tx, since, until, entity_ids, kind)
    shared = SharedReads(tx.log)
    before_context, after_context = Context.over(shared, since), Context.over(shared, until)
    widened: set[str] = set()
    small = {e for e in entity_ids if tx.log.index_size(e, FOLD_UNDER) < FOLD_UNDER}
    among = set(entity_ids) - small if entity_ids else None
    if since == until or among == set():
        candidates = set()
    else:
        candidates, widened = _touched(tx, since, until, (before_context, after_context, shared), among)
    if entity_ids:
        candidates |= small
        # One the window does not touch folds the same at both moments: nothing changed, if it exists.
        untouched = set(entity_ids) - candidates
        if until == tx.log.head().position:
            existing = tx.projections.entity_docs_of(sorted(untouched))
            missing = sorted(untouched - set(existing))
            if missing:
                raise unknown(tx, missing[0], at_a_moment=True)
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
                raise unknown(tx, entity_id, at_a_moment=True)
            continue
        window.update((e.position, e) for e in events if since < e.position <= until)
        _collect(entity_id, before, before_claims)
        change = _entity_change(entity_id, None if before is None else before.state, now)
        if change is not None:
            entities.append(change)
    if from_tables:
        for claim in documents.claims_at(tx, spoken_about(tx, window.values())).values():
            after_claims[claim["id"]] = claim  # as its owner's fold has it

    claims = _claim_changes(tx, since, before_context, before_claims, after_claims, window)
    if entity_ids or kind is not None:  # the claims about those asked (their folds read others too)
        wanted = _wanted(entity_ids, kind)
        claims = [claim for claim in claims if any(map(wanted, claim["entities"]))]
    return {
        "since": _moment(tx, since),
        "until": _moment(tx, until),
        "entities": entities,
        "claims": claims,
    }


def _kept(tx: Transaction, since: int, until: int) -> bool:
    """Whether the tables were caught up at both moments since the last rebuild, so that what changed
    between them was kept (`store.projection_versions`)."""
    return tx.versions.is_moment(since) and (since == until or tx.versions.is_moment(until))


def kept_changes(
    tx: Transaction, since: int, until: int, entity_ids: Sequence[str] = (), kind: str | None = None
) -> dict[str, Any]:
    """`changes` between two moments the tables were caught up at, read from what each catch-up between
    them replaced (`store.projection_versions`) instead of folded: the same answer, at the cost of what
    changed rather than of the entities' histories."""
    wanted = _wanted(entity_ids, kind)
    ways: dict[str, list[str | None]] = {}  # each entity's ways back over the window, the latest first
    for entity_id, way in tx.versions.entity_ways(since, until):
        if wanted(entity_id):
            ways.setdefault(entity_id, []).append(way)
    ids = sorted(ways)
    now = _entity_docs_at(tx, [*ids, *(e for e in entity_ids if e not in ways)], until)
    for entity_id in sorted(set(entity_ids) - set(ways)) + ids:  # asked for: known at one moment at least
        # (the oldest way back of one that changed says whether it had a document at `since`)
        if entity_ids and now[entity_id] is None and ways.get(entity_id, [None])[-1] is None:
            raise unknown(tx, entity_id, at_a_moment=True)
    entities = []
    for entity_id in ids:
        state, kept = now[entity_id], ways[entity_id]
        if state is None and kept[-1] is None:  # came and went in the window
            continue
        way = orjson.loads(kept[0]) if len(kept) == 1 and kept[0] is not None and state is not None else None
        if way is not None and "whole" not in way:  # changed once: the way back is the change
            change = _change_kept(entity_id, state, way)  # type: ignore[arg-type]
        else:
            change = _entity_change(entity_id, _went_back(state, kept), state)
        if change is not None:
            entities.append(change)

    was = tx.versions.claims_changed(since, until)
    positions = sorted(was)
    is_now: dict[int, str | None] = dict.fromkeys(positions)
    later = {} if until == tx.projections.checkpoint() else tx.versions.claim_docs_at(positions, until)
    is_now.update(tx.projections.claim_docs_at([p for p in positions if p not in later]))
    is_now.update(later)
    events = tx.log.events_at(p for p in positions if is_now[p] is not None)
    before_claims, after_claims = {}, {}
    for position in positions:
        if is_now[position] is None:
            continue
        after = whole_claim(orjson.loads(is_now[position]), events[position])
        if not any(map(wanted, entities_in(after["type"], after["data"]))):
            continue
        after_claims[after["id"]] = after
        if was[position] is not None:
            before_claims[after["id"]] = whole_claim(orjson.loads(was[position]), events[position])
    window = {e.position: e for e in tx.log.events_between_of(since, until, _SAID)}
    return {
        "since": _moment(tx, since),
        "until": _moment(tx, until),
        "entities": entities,
        "claims": _claim_changes(tx, since, None, before_claims, after_claims, window),
    }


def _wanted(entity_ids: Sequence[str], kind: str | None) -> Callable[[str], bool]:
    """Whether an entity is among those asked about."""
    if entity_ids:
        asked = set(entity_ids)
        return lambda e: e in asked and (kind is None or entity_kind(e) == kind)
    return (lambda _e: True) if kind is None else (lambda e: entity_kind(e) == kind)


def _entity_docs_at(tx: Transaction, ids: list[str], moment: int) -> dict[str, dict[str, Any] | None]:
    """The documents of these entities known at `moment`, a moment the tables were caught up at (None:
    none): the tables' taken back through what changed after `moment`."""
    found: dict[str, dict[str, Any] | None] = dict.fromkeys(ids)
    found.update((e, orjson.loads(doc)) for e, doc in tx.projections.entity_docs_of(ids).items())
    if moment != tx.projections.checkpoint():
        for entity_id, ways in tx.versions.entity_ways_of(ids, moment).items():
            found[entity_id] = _went_back(found[entity_id], ways)
    return found


def _went_back(doc: dict[str, Any] | None, ways: list[str | None]) -> dict[str, Any] | None:
    """`doc` taken back through `ways` (`doc_changes.way_back`, the latest first; None: it had none)."""
    for way in ways:
        if way is None:
            doc = None
            continue
        back = orjson.loads(way)
        if doc is None and "whole" not in back:
            raise IntegrityFailure("the kept versions of the projections are damaged: run `ledger rebuild`")
        doc = back["whole"] if "whole" in back else went_back(doc, back)  # type: ignore[arg-type]
    return doc


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


def _moment(tx: Transaction, position: int) -> dict[str, Any]:
    return {"position": position, "recorded_at": tx.log.recorded_at(position) if position else None}


def _collect(entity_id: str, view: EntityView | None, into: dict[str, dict[str, Any]]) -> None:
    """The claims of an entity's view, each as its owner's fold has it (the first entity its data names:
    what `claims` reads) when that fold is among those read, else as the first fold read has it."""
    if view is not None:
        for claim in view.claims:
            if first_entity(claim["type"], claim["data"]) == entity_id:
                into[claim["id"]] = claim
            else:
                into.setdefault(claim["id"], claim)


def _entity_change(
    entity_id: str, old: dict[str, Any] | None, state: dict[str, Any] | None
) -> dict[str, Any] | None:
    change: dict[str, Any] = {"id": entity_id, "kind": entity_kind(entity_id)}
    if state is None:
        return {**change, "change": "removed", "fields": []}
    if old is None:
        fields = [_field(state, key, None) for key in state if key not in _NOT_FIELDS]
        return {**change, "change": "added", "fields": fields}
    fields = [
        _field(state, key, old.get(key))
        for key in state
        if key not in _NOT_FIELDS and old.get(key) != state[key]
    ]
    return {**change, "change": "changed", "fields": fields} if fields else None


def _change_kept(entity_id: str, state: dict[str, Any], way: dict[str, Any]) -> dict[str, Any] | None:
    """As `_entity_change`, of an entity changed by one catch-up, from the way back it kept
    (`doc_changes.way_back`: the old value of each field that changed, a list's as its change)."""
    fields = []
    for key in state:
        if key in _NOT_FIELDS:
            continue
        if key in way["lists"]:
            removed, added = way["lists"][key]
            fields.append({"field": key, "removed": removed, "added": added, "basis": basis(state, key)})
        elif key in way["was"]:
            fields.append(_field(state, key, way["was"][key]))
    if not fields:
        return None
    return {"id": entity_id, "kind": entity_kind(entity_id), "change": "changed", "fields": fields}


def _field(state: dict[str, Any], key: str, old: Any) -> dict[str, Any]:
    """A field's change: old -> new, or for a list that was one before, the items taken out and put in
    (`ledger.list_changes`: an authority's approvals run to thousands)."""
    new = state[key]
    if isinstance(old, list) and isinstance(new, list):
        removed, added = list_change(old, new)
        return {"field": key, "removed": removed, "added": added, "basis": basis(state, key)}
    return {"field": key, "old": old, "new": new, "basis": basis(state, key)}


def basis(state: dict[str, Any], key: str) -> str | None:
    """The basis of a field's value: its own `*_basis` (a plant's status, a partnership's stage), else the
    entity's `basis` (a plan's), if it has one."""
    if f"{key}_basis" in state:
        return state[f"{key}_basis"]
    if key == "basis" or key.endswith(("_basis", "_since")):
        return None
    return state.get("basis")


def _claim_changes(
    tx: Transaction,
    since: int,
    before_context: Context | None,
    before: dict[str, dict[str, Any]],
    after: dict[str, dict[str, Any]],
    window: dict[int, StoredEvent],
) -> list[dict[str, Any]]:
    about = _about(window.values(), after)
    found = []
    for claim_id, now in after.items():
        added = now["position"] > since
        then = before.get(claim_id)
        if then is None and not added and before_context is not None:
            # it came to these entities from others: as it stood there
            then = claim_at(
                tx, now, lambda e: fold(e, tx.log.entity_events(e), known_at=since, context=before_context)
            )
        if not added and then is not None and then["status"] == now["status"] and then["data"] == now["data"]:
            continue
        found.append(
            {
                "id": claim_id,
                "position": now["position"],
                "type": now["type"],
                "occurred_at": now["occurred_at"],
                "entities": entities_in(now["type"], now["data"]),
                "added": added,
                "old_status": None if then is None else then["status"],
                "status": now["status"],
                "corrected": then is not None and then["data"] != now["data"],
                "because": [_cause(e) for e in about.get(claim_id, ())],
            }
        )
    found.sort(key=lambda c: c["position"])
    return found


def _about(events: Iterable[StoredEvent], claims: dict[str, dict[str, Any]]) -> dict[str, list[StoredEvent]]:
    """The window's statements about each claim, and its corrections (of it or of one of its statements),
    in position order."""
    statement_of: dict[str, list[str]] = {}  # statement id -> the claims it is about (of `claims`)
    for claim_id, claim in claims.items():
        for said in claim["statements"]:
            statement_of.setdefault(said["id"], []).append(claim_id)
    found: dict[str, list[StoredEvent]] = {}
    for event in sorted(events, key=lambda e: e.position):
        category = CATEGORIES[event.type]
        if category == "statement":
            targets = [ref for ref in event.refs if ref in claims]
        elif category == "correction":
            target = event.refs[0]
            targets = [target] if target in claims else statement_of.get(target, [])
        else:
            continue
        for claim_id in targets:
            found.setdefault(claim_id, []).append(event)
    return found


def _cause(event: StoredEvent) -> dict[str, Any]:
    return {
        "position": event.position,
        "id": event.id,
        "type": event.type,
        "occurred_at": event.occurred_at,
        "by": event.data.get("by"),
    }
