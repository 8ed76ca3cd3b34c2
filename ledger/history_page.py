"""A page of an entity's present history read on its own: the first page of a busy company's history
reads that page's events, not the company's tens of thousands.

Why it can: in the present every event the entity index holds under an entity is an entry of its history
(a claim naming it, a statement by it or about such a claim, a correction of either or of a claim
corrected away from it), so the page is the index's events in world-time order, cut by SQL. Each entry is
then worked out by the same fold as the whole history, over the page's events, the events they
reference and every correction of those; the claims' trails are the projection tables'. Should a page
event not come out as an entry, the caller reads the whole history instead (`queries.history`).
"""

from __future__ import annotations

from collections.abc import Sequence
from math import isqrt
from typing import TYPE_CHECKING, Any

from ledger.events import StoredEvent
from ledger.read_model import documents
from ledger.times import start_key
from ledger.vocabulary.entity_fields import CATEGORIES

if TYPE_CHECKING:
    from ledger.store.connection import Transaction

PAGE_FROM = 1_000  # indexed events from which a page is read on its own (below, the whole is as cheap)


def present_page(
    tx: Transaction,
    entity_id: str,
    limit: int,
    *,
    since: int | None,
    until: int | None,
    types: Sequence[str],
    reverse: bool,
    after: int | None,
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]] | None:
    """(the page's entries, the claims in view by id) as `queries.history` would cut them from the
    whole history, or None when the whole history must decide (a small entity, an `after` that is not
    an entry of this history, an entry the page alone cannot place)."""
    # Counted only as far as the choices below need (an exact count of a busy company's 50,000 rows was
    # 69 ms of a 78 ms page on PostgreSQL).
    head = tx.log.head().position
    count = tx.log.index_size(entity_id, max(PAGE_FROM, isqrt(limit * head) + 1))
    if count < PAGE_FROM:
        return None
    after_key = None
    if after is not None:
        found = tx.log.events_at([after]).get(after)
        key = None if found is None else start_key(found.occurred_at)  # the log's occurred_key
        if key is None or not _is_entry(tx, entity_id, found, key, since, until, types):
            return None  # the whole history names what is wrong with it
        after_key = (key, after)
    # Walking the log's world-time index finds the page after about limit * log / count rows: cheaper
    # than sorting the entity's own rows once it holds more than sqrt(limit * log) of them.
    walk = count * count > limit * head
    positions = tx.log.world_page(
        entity_id, limit, since=since, until=until, types=types, reverse=reverse, after=after_key, walk=walk
    )
    if not positions:
        return [], {}
    from ledger.projections import fold
    from ledger.projections.context import Context

    page = tx.log.events_at(positions)
    events = tx.log.with_referenced(list(page.values()))
    loaded = {e.position for e in events}
    referencing = {p for found in tx.log.referencing(sorted(loaded)).values() for p in found}
    corrections = [
        e for e in tx.log.events_at(referencing - loaded).values() if CATEGORIES[e.type] == "correction"
    ]
    events += corrections
    view = fold(entity_id, events, context=Context.over(tx.log), decided=documents.claims_of(tx, events))
    if view is None:
        return None
    entries = {entry["position"]: entry for entry in view.history}
    if any(position not in entries for position in positions):
        return None
    return [entries[p] for p in positions], {c["id"]: c for c in view.claims}


def _is_entry(
    tx: Transaction,
    entity_id: str,
    event: StoredEvent,
    key: int,
    since: int | None,
    until: int | None,
    types: Sequence[str],
) -> bool:
    if (since is not None and key < since) or (until is not None and key > until):
        return False
    if types and event.type not in types:
        return False
    return tx.log.is_indexed(entity_id, event.position)
