"""Whether what the catch-ups kept (`store.projection_versions`) still holds together, for `ledger rebuild
--check`: `changes` and the past at a caught-up moment are read from it, so a damaged row would answer
wrong without a word.

Each entity's document is taken back from the tables through every way back kept, the latest first, and
each way must fit the document it is taken back from: the new values it says, and the items a list's
change says came, where it says. Where the kept versions start at the empty ledger (position 0), nothing
may be left at the end, and every claim row must have been kept as new once. (What each moment's
documents were cannot be checked short of folding the log at every moment.)
"""

from __future__ import annotations

from typing import Any

import orjson

from ledger.doc_changes import went_back
from ledger.store.connection import Transaction


def kept_differences(tx: Transaction) -> list[str]:
    """What does not hold together, one line each (none: all of it does)."""
    checkpoint = tx.projections.checkpoint()
    first = tx.versions.first_moment()
    if first is None or not tx.versions.is_moment(checkpoint):
        return []
    ways: dict[str, list[dict[str, Any] | None]] = {}
    for entity_id, way in tx.versions.entity_ways(first, checkpoint):
        ways.setdefault(entity_id, []).append(None if way is None else orjson.loads(way))
    if first == 0:  # every entity, to find any the kept changes do not take back to nothing
        docs = {e: orjson.loads(d) for e, _kind, d in tx.projections.entity_docs()}
    else:
        docs = {e: orjson.loads(d) for e, d in tx.projections.entity_docs_of(sorted(ways)).items()}
    found = []
    for entity_id in sorted(set(ways) | set(docs)):
        problem = _taken_back(entity_id, docs.get(entity_id), ways.get(entity_id, []), first)
        if problem is not None:
            found.append(problem)
    if first == 0:
        kept_new = {p for p, doc in tx.versions.claims_changed(0, checkpoint).items() if doc is None}
        found += [
            f"claim at position {p} was never kept as new"
            for p, _s, _d in tx.projections.claim_docs()
            if p not in kept_new
        ]
    return found


def _taken_back(
    entity_id: str, doc: dict[str, Any] | None, ways: list[dict[str, Any] | None], first: int
) -> str | None:
    """What is wrong with an entity's ways back (None: nothing)."""
    for way in ways:
        if way is not None and "whole" in way:
            doc = way["whole"]
            continue
        if doc is None:
            return f"entity {entity_id}: a change was kept where it had no document"
        if way is None:
            doc = None
            continue
        now = way["now"]
        lists = way["lists"]
        if any(doc.get(key) != value for key, value in now.items()) or any(
            len(doc.get(key, [])) <= item["at"] or doc[key][item["at"]] != item["value"]
            for key, (_removed, added) in lists.items()
            for item in added
        ):
            return f"entity {entity_id}: a kept change does not fit the document it was kept from"
        doc = went_back(doc, way)
    if first == 0 and doc is not None:
        return f"entity {entity_id}: taken back to the empty ledger, a document is left"
    return None
