"""Which entities an arriving event may change beyond those it names: what the catch-up after a write
(`read_model/sync.touched`) and `changes` refold, because folds read facts of other entities through the
context (`context.py`): a company's group, a partnership's parties, a plant's operator. And, between two
ledger moments, which of those facts did change (`facts_changed`: `changes`, `claims` at a past moment)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ledger.events import StoredEvent
from ledger.projections.company import absorbed_through
from ledger.projections.context import GROUP_TYPES, PARTY_NAMING, PLANT_NAMING, Context
from ledger.vocabulary.entity_fields import CATEGORIES, entities_in
from ledger.vocabulary.upcasters import upcast

Lookup = Callable[[list[str]], dict[str, StoredEvent]]  # events by id (those found)
ReadAhead = Callable[[Sequence[str], Sequence[str]], None]  # read these entities' claims of these types

# What a change of which event type may change in the folds of entities other than those it names.
_STRUCTURE_TYPES = frozenset(GROUP_TYPES)  # groups and mergers
_PLANT_OPERATOR_TYPES = frozenset(PLANT_NAMING)
_OPERATOR_TYPES = _PLANT_OPERATOR_TYPES | {"company.spun_off", "company.merged"}


def widened_by(event: StoredEvent, context: Context, lookup: Lookup) -> set[str]:
    """The entities whose co-indexed entities must be refolded because `event` arrived: the companies
    whose group it may change (and everything below them), the partnership whose parties it may name,
    the plants whose operator it may change. A statement widens by the claims it is about (a denial can
    undo a change of operator), a correction by its target, before and after."""
    category = CATEGORIES[event.type]
    if category == "statement":
        found: set[str] = set()
        for claim in lookup(list(event.refs)).values():
            found |= widened_by(claim, context, lookup)
        return found
    if category == "correction":
        target = lookup([event.refs[0]]).get(event.refs[0])
        if target is not None and CATEGORIES[target.type] == "statement":
            return widened_by(target, context, lookup)  # a voided denial no longer undoes its claim
        if target is None or CATEGORIES[target.type] != "claim":
            return set()
        found = widened_by(target, context, lookup)
        if event.type == "entry.corrected":
            found |= widened_by(replace(target, data=event.data["replacement"]), context, lookup)
        return found
    if CATEGORIES[event.type] != "claim":
        return set()
    data = upcast(event.type, event.v, event.data)
    found = set()
    named = entities_in(event.type, data)
    if event.type in _STRUCTURE_TYPES:
        for company in named:
            if company.startswith("company:"):
                found |= context.subtree(company)
    if "parties" in data and "partnership" in data:
        found.add(data["partnership"])
    if event.type in _OPERATOR_TYPES:
        # A claim about a plant widens by the plant: the companies it names are indexed under it, and
        # whoever operated the plant before is found by comparing (`read_model.sync.catch_up`,
        # `changes`). Widening by those companies refolded all a busy company shares events with (37 s
        # for one statement at 1M). Mergers and spin-offs move many plants: they widen by the companies.
        kinds = ("plant:",) if event.type in _PLANT_OPERATOR_TYPES else ("plant:", "company:")
        found.update(e for e in named if e.startswith(kinds))
    if event.type == "company.merged":  # the plants of what they had absorbed follow them
        found |= absorbed_through({e for e in named if e.startswith("company:")}, context)
    return found


@dataclass(frozen=True, slots=True)
class FactChanges:
    """What changed, between two ledger moments, in the facts folds read of other entities."""

    regrouped: frozenset[str]  # companies whose group or mergers changed
    below: frozenset[str]  # those and every company below them, at either moment
    partnerships: frozenset[str]  # whose parties changed
    operators: frozenset[str]  # who operated a plant at either moment, when its operator changed


def facts_changed(
    window: list[StoredEvent],
    before: Context,
    after: Context,
    lookup: Lookup,
    read_ahead: ReadAhead | None = None,
    keep: Callable[[str], bool] | None = None,
    operators: bool = True,
    compare_parties: bool = True,
) -> FactChanges:
    """What the facts folds read of other entities changed between two ledger moments, `before` and
    `after` (contexts known at each), given the events recorded between them (`window`): companies'
    groups and mergers, partnerships' parties, and with `operators` plants' operators. `keep`: the
    partnerships and plants worth comparing (default all); `read_ahead`: read in bulk what the contexts
    will ask. Without `compare_parties`, every partnership whose parties the window may change counts as
    changed (for a caller to whom a few more cost less than comparing)."""
    if read_ahead is not None:  # their subtrees
        named = {
            e
            for event in window
            if event.type in GROUP_TYPES
            for e in entities_in(event.type, upcast(event.type, event.v, event.data))
        }
        read_ahead(sorted(e for e in named if e.startswith("company:")), GROUP_TYPES)
    candidates: set[str] = set()
    for event in window:
        candidates |= widened_by(event, after, lookup)
    if read_ahead is not None:  # in a few queries
        read_ahead([e for e in candidates if e.startswith("company:")], GROUP_TYPES)
        if compare_parties:
            read_ahead([e for e in candidates if e.startswith("partnership:")], PARTY_NAMING)
    regrouped: set[str] = set()
    below: set[str] = set()
    partnerships: set[str] = set()
    operated: set[str] = set()
    for entity_id in sorted(candidates):
        if entity_id.startswith("company:"):
            if group_facts(before, entity_id) != group_facts(after, entity_id):
                regrouped.add(entity_id)
                below |= before.subtree(entity_id) | after.subtree(entity_id)
        elif keep is not None and not keep(entity_id):
            continue
        elif entity_id.startswith("partnership:"):
            if not compare_parties or party_facts(before, entity_id) != party_facts(after, entity_id):
                partnerships.add(entity_id)
        elif operators and entity_id.startswith("plant:"):
            found = {before.operator(entity_id), after.operator(entity_id)}
            if len(found) > 1:
                operated |= {o for o in found if o is not None}
    return FactChanges(frozenset(regrouped), frozenset(below), frozenset(partnerships), frozenset(operated))


def group_facts(context: Context, company: str) -> list[tuple[Any, ...]]:
    """What a company's group and mergers are read from (`Context.parent`, `absorbed_by`): its parent and
    merger claims in order, with whether each applies. A registration that names no parent says nothing."""
    return [
        (f.order, f.type, f.applies, *(f.data.get(k) for k in ("company", "parent", "companies", "into")))
        for f in context.facts(company, GROUP_TYPES)
        if f.type != "company.registered" or "parent" in f.data
    ]


def party_facts(context: Context, partnership: str) -> list[tuple[Any, ...]]:
    """What a partnership's parties are read from (`Context.partnership_parties`)."""
    return [
        (f.order, f.applies, f.status == "voided", f.data.get("partnership"), f.data.get("parties"))
        for f in context.facts(partnership, PARTY_NAMING)
        if "parties" in f.data
    ]


def cached_lookup(window: Iterable[StoredEvent], lookup: Lookup) -> Lookup:
    """`lookup`, with the window's events and those they reference read at once (a statement or a
    correction asks for its targets: one query each otherwise)."""
    known = {event.id: event for event in window}
    wanted = sorted({ref for event in known.values() for ref in event.refs} - known.keys())
    known.update(lookup(wanted) if wanted else {})

    def found(ids: list[str]) -> dict[str, StoredEvent]:
        missing = [i for i in ids if i not in known]
        if missing:
            known.update(lookup(missing))
        return {i: known[i] for i in ids if i in known}

    return found
