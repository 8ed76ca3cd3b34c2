"""The documents the projection tables hold, written and read back whole.

A claim's row keeps what the fold decided (`projections.claim_json.stored_claim`); its event, read by
position, gives the rest. An entity's document lists its claims (a partnership's `claims`) by position:
each claim is stored once, in its owner's row, not again in every entity that names it. Reading puts the
whole documents back together, so every query sees exactly what a fold gives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import orjson

from ledger.claim_json import stored_claim, whole_claim
from ledger.errors import IntegrityFailure
from ledger.events import StoredEvent
from ledger.store.connection import Transaction
from ledger.vocabulary.entity_fields import CATEGORIES

_CHUNK = 500  # positions per read


def stored_entity(state: dict[str, Any]) -> bytes:
    """An entity document as its row holds it: embedded claims as their positions."""
    if "claims" not in state:
        return orjson.dumps(state)
    return orjson.dumps({**state, "claims": [claim["position"] for claim in state["claims"]]})


def stored_claim_doc(claim: dict[str, Any], recorded_data: dict[str, Any]) -> bytes:
    return orjson.dumps(stored_claim(claim, recorded_data))


def claims_at(tx: Transaction, positions: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The claims at these positions (those that are claims), whole, by position."""
    return _completed(tx, sorted(set(positions)), tx.log.events_at)


def claims_of(tx: Transaction, events: Iterable[StoredEvent]) -> dict[int, dict[str, Any]]:
    """The claims among `events` as the tables hold them now, whole, by position (the events given
    are not read again)."""
    by_position = {event.position: event for event in events if CATEGORIES[event.type] == "claim"}
    return _completed(tx, sorted(by_position), lambda _found: by_position)


def _completed(
    tx: Transaction,
    positions: list[int],
    events_at: Callable[[list[int]], Mapping[int, StoredEvent]],
) -> dict[int, dict[str, Any]]:
    """The stored claims at `positions` (sorted), each made whole with its event from `events_at`
    (given the positions the tables hold claims at), a chunk of positions at a time."""
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(positions), _CHUNK):
        stored = tx.projections.claim_docs_at(positions[start : start + _CHUNK])
        if not stored:
            continue
        events = events_at(list(stored))
        for position, doc in stored.items():
            found[position] = whole_claim(orjson.loads(doc), events[position])
    return found


def state(tx: Transaction, entity_id: str) -> dict[str, Any] | None:
    """An entity's document now (what `show --json` prints), or None if no event names it."""
    doc = tx.projections.entity_doc(entity_id)
    return None if doc is None else _whole(tx, [orjson.loads(doc)])[0]


def fields_of(tx: Transaction, entity_id: str) -> dict[str, Any] | None:
    """An entity's document now with its claims as positions, not put back (every other field whole), or
    None if no event names it."""
    doc = tx.projections.entity_doc(entity_id)
    return None if doc is None else orjson.loads(doc)


def operators_of(tx: Transaction, plants: Sequence[str]) -> dict[str, str | None]:
    """Who operates each of these plants (those that exist) as the tables hold them now, by id."""
    return {p: orjson.loads(doc)["operator"] for p, doc in tx.projections.entity_docs_of(plants).items()}


def states_of(tx: Transaction, entity_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The documents of these entities (those that exist), by id."""
    docs = tx.projections.entity_docs_of(entity_ids)
    return {doc["id"]: doc for doc in _whole(tx, [orjson.loads(d) for d in docs.values()])}


def states(tx: Transaction, kind: str) -> list[dict[str, Any]]:
    """The documents of every entity of one kind, in id order."""
    return _whole(tx, [orjson.loads(doc) for _id, _kind, doc in tx.projections.entity_docs(kind)])


def _whole(tx: Transaction, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Documents with the claims they list by position put back, in place."""
    listing = [doc for doc in docs if "claims" in doc]
    if listing:
        claims = claims_at(tx, (p for doc in listing for p in doc["claims"]))
        for doc in listing:
            doc["claims"] = [claims[p] for p in doc["claims"]]
    return docs


# -- as the ledger knew them at a moment its tables were caught up at (`store.projection_versions`) ------
def is_kept_moment(tx: Transaction, moment: int) -> bool:
    """Whether the documents known at `moment` can be read from the tables and what the catch-ups since
    kept: the tables were caught up at it, since the last rebuild, and are now at such a moment too."""
    checkpoint = tx.projections.checkpoint()
    return moment <= checkpoint and tx.versions.is_moment(moment) and tx.versions.is_moment(checkpoint)


def state_then(tx: Transaction, entity_id: str, moment: int) -> dict[str, Any] | None:
    """An entity's document known at `moment` (`is_kept_moment`), with its claims as they were then; None
    if no event named it then."""
    doc = fields_then(tx, [entity_id], moment)[entity_id]
    if doc is not None and "claims" in doc:
        claims = claims_then(tx, doc["claims"], moment)
        doc["claims"] = [claims[p] for p in doc["claims"]]
    return doc


def claims_then(tx: Transaction, positions: Sequence[int], moment: int) -> dict[int, dict[str, Any]]:
    """The claims at these positions known at `moment` (`is_kept_moment`), whole, by position."""
    rows = claim_rows_then(tx, positions, moment)
    events = tx.log.events_at(rows)
    return {p: whole_claim(orjson.loads(doc), events[p]) for p, doc in rows.items()}


def claim_rows_then(tx: Transaction, positions: Sequence[int], moment: int) -> dict[int, str]:
    """The rows (as stored) of the claims at these positions known at `moment` (`is_kept_moment`), of
    those that had one then: the tables', or the one kept under the first change after `moment`."""
    kept = {} if moment == tx.projections.checkpoint() else tx.versions.claim_docs_at(positions, moment)
    rows = tx.projections.claim_docs_at([p for p in positions if p not in kept])
    rows.update((p, doc) for p, doc in kept.items() if doc is not None)
    return rows


def fields_then(tx: Transaction, ids: Sequence[str], moment: int) -> dict[str, dict[str, Any] | None]:
    """The documents (claims as positions, as `fields_of`) of these entities known at `moment`, a moment
    the tables were caught up at (`is_kept_moment`; None: none): the tables' taken back through what
    each catch-up since kept (`store.projection_versions`)."""
    found: dict[str, dict[str, Any] | None] = dict.fromkeys(ids)
    found.update((e, orjson.loads(doc)) for e, doc in tx.projections.entity_docs_of(ids).items())
    if moment != tx.projections.checkpoint():
        for entity_id, ways in tx.versions.entity_ways_of(ids, moment).items():
            parsed = [None if way is None else orjson.loads(way) for way in ways]
            found[entity_id] = went_back_through(found[entity_id], parsed)
    return found


def went_back_through(doc: dict[str, Any] | None, ways: list[dict[str, Any] | None]) -> dict[str, Any] | None:
    """`doc` taken back through `ways` (`doc_changes.way_back`, the latest first; None: it had none)."""
    for way in ways:
        if way is None:
            doc = None
        elif "whole" in way:
            doc = way["whole"]
        elif doc is None:
            raise IntegrityFailure("the kept versions of the projections are damaged: run `ledger rebuild`")
        else:
            from ledger.doc_changes import went_back  # (only the past reads ways back)

            doc = went_back(doc, way)
    return doc
