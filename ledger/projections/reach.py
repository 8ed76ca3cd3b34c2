"""Which entities an arriving event may change beyond those it names: what the catch-up after a write
(`read_model/sync.touched`) and `changes` refold, because folds read facts of other entities through the
context (`context.py`): a company's group, a partnership's parties, a plant's operator."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ledger.events import StoredEvent
from ledger.projections.company import absorbed_through
from ledger.projections.context import GROUP_TYPES, PLANT_NAMING, Context
from ledger.vocabulary.entity_fields import CATEGORIES, entities_in
from ledger.vocabulary.upcasters import upcast

# What a change of which event type may change in the folds of entities other than those it names.
_STRUCTURE_TYPES = frozenset(GROUP_TYPES)  # groups and mergers
_PLANT_OPERATOR_TYPES = frozenset(PLANT_NAMING)
_OPERATOR_TYPES = _PLANT_OPERATOR_TYPES | {"company.spun_off", "company.merged"}


def widened_by(
    event: StoredEvent, context: Context, lookup: Callable[[list[str]], dict[str, StoredEvent]]
) -> set[str]:
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
