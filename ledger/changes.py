"""What changed between two ledger moments: the projections known at each, compared.

Entities added or gone, each field old -> new with its basis (a list's as the items that went and
came: `ledger.doc_changes`), claims added and claims whose status or data changed, each with the
statements and corrections of the window about it. Applied to the state known at `since`, the changes
give the state known at `until`.

Between two moments the tables were caught up at, since the last rebuild, the answer is read from what
each catch-up kept (`store.projection_versions`): its cost is what changed. Otherwise the entities the
window may change are folded at both moments (`ledger.changes_folded`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import orjson

from ledger.bulk import cyclic_gc_paused
from ledger.claim_json import whole_claim
from ledger.doc_changes import list_change
from ledger.entities import entity_kind
from ledger.events import StoredEvent
from ledger.queries import unknown
from ledger.read_model import documents
from ledger.store.connection import Transaction
from ledger.vocabulary.entity_fields import CATEGORIES, entities_in

_NOT_FIELDS = ("id", "kind", "claims")  # never change, or compared claim by claim
# What can be why a claim changed (`_about`): statements, corrections and voids.
_SAID = tuple(sorted(t for t, category in CATEGORIES.items() if category in ("statement", "correction")))


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
    from ledger.changes_folded import folded_changes  # (what only a fold needs, loaded only then)

    return folded_changes(tx, since, until, entity_ids, kind)


def _kept(tx: Transaction, since: int, until: int) -> bool:
    """Whether the tables were caught up at both moments since the last rebuild, so that what changed
    between them was kept (`store.projection_versions`)."""
    return documents.is_kept_moment(tx, since) and (since == until or documents.is_kept_moment(tx, until))


def kept_changes(
    tx: Transaction, since: int, until: int, entity_ids: Sequence[str] = (), kind: str | None = None
) -> dict[str, Any]:
    """`changes` between two moments the tables were caught up at, read from what each catch-up between
    them replaced (`store.projection_versions`) instead of folded: the same answer, at the cost of what
    changed rather than of the entities' histories."""
    wanted = wanted_among(entity_ids, kind)
    ways: dict[str, list[dict[str, Any] | None]] = {}  # each entity's ways back in the window, latest first
    for entity_id, way in tx.versions.entity_ways(since, until):
        if wanted(entity_id):
            ways.setdefault(entity_id, []).append(None if way is None else orjson.loads(way))
    ids = sorted(ways)
    # Changed once, and neither came nor went: its way back says what changed, without its document.
    once = {
        e for e, kept in ways.items() if len(kept) == 1 and kept[0] is not None and "whole" not in kept[0]
    }
    now = documents.fields_then(tx, [e for e in dict.fromkeys([*ids, *entity_ids]) if e not in once], until)
    for entity_id in sorted(set(entity_ids)):  # asked for: known at one moment at least
        # (the oldest way back of one that changed says whether it had a document at `since`)
        known = entity_id in once or now[entity_id] is not None or ways.get(entity_id, [None])[-1] is not None
        if not known:
            raise unknown(tx, entity_id, at_a_moment=True)
    entities = []
    for entity_id in ids:
        if entity_id in once:
            change = _change_kept(entity_id, ways[entity_id][0])  # type: ignore[arg-type]
        elif now[entity_id] is None and ways[entity_id][-1] is None:  # came and went in the window
            continue
        else:
            change = entity_change(
                entity_id, documents.went_back_through(now[entity_id], ways[entity_id]), now[entity_id]
            )
        if change is not None:
            entities.append(change)

    was = tx.versions.claims_changed(since, until)
    is_now = documents.claim_rows_then(tx, sorted(was), until)
    events = tx.log.events_at(is_now)
    before_claims, after_claims = {}, {}
    for position in sorted(is_now):
        after = whole_claim(orjson.loads(is_now[position]), events[position])
        if not any(map(wanted, entities_in(after["type"], after["data"]))):
            continue
        after_claims[after["id"]] = after
        if was[position] is not None:
            before_claims[after["id"]] = whole_claim(orjson.loads(was[position]), events[position])
    window = {e.position: e for e in tx.log.events_between_of(since, until, _SAID)}
    return {
        "since": moment(tx, since),
        "until": moment(tx, until),
        "entities": entities,
        "claims": claim_changes(since, None, before_claims, after_claims, window),
    }


def wanted_among(entity_ids: Sequence[str], kind: str | None) -> Callable[[str], bool]:
    """Whether an entity is among those asked about."""
    if entity_ids:
        asked = set(entity_ids)
        return lambda e: e in asked and (kind is None or entity_kind(e) == kind)
    return (lambda _e: True) if kind is None else (lambda e: entity_kind(e) == kind)


def moment(tx: Transaction, position: int) -> dict[str, Any]:
    return {"position": position, "recorded_at": tx.log.recorded_at(position) if position else None}


def entity_change(
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


def _change_kept(entity_id: str, way: dict[str, Any]) -> dict[str, Any] | None:
    """As `entity_change`, of an entity one catch-up changed, from the way back it kept alone
    (`doc_changes.way_back`: which fields changed, their old and new values, a list's change)."""
    state = way["now"]  # the new values of the fields that changed, and what their basis reads
    fields = []
    for key in way["fields"]:
        if key in _NOT_FIELDS:
            continue
        if key in way["lists"]:
            removed, added = way["lists"][key]
            fields.append({"field": key, "removed": removed, "added": added, "basis": basis(state, key)})
        else:
            fields.append(_field(state, key, way["was"][key]))
    if not fields:
        return None
    return {"id": entity_id, "kind": entity_kind(entity_id), "change": "changed", "fields": fields}


def _field(state: dict[str, Any], key: str, old: Any) -> dict[str, Any]:
    """A field's change: old -> new, or for a list that was one before, the items taken out and put in
    (`ledger.doc_changes`: an authority's approvals run to thousands)."""
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


def claim_changes(
    since: int,
    then_of: Callable[[dict[str, Any]], dict[str, Any] | None] | None,
    before: dict[str, dict[str, Any]],
    after: dict[str, dict[str, Any]],
    window: dict[int, StoredEvent],
) -> list[dict[str, Any]]:
    about = _about(window.values(), after)
    found = []
    for claim_id, now in after.items():
        added = now["position"] > since
        then = before.get(claim_id)
        if then is None and not added and then_of is not None:  # it came from other entities' folds
            then = then_of(now)
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
