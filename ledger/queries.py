"""The query side: show, list, history and claims.

The present is read from the projection tables; a past moment (`as_of`, `known_at`) is folded from the
entity's own events, read through the entity index, so it costs what the entity has, not the log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ledger.entities import PLURALS, describe_id_format, is_entity_id
from ledger.errors import InvalidArgument, UnknownEntity
from ledger.history_page import present_page
from ledger.read_model import documents
from ledger.times import from_key, start_key

if TYPE_CHECKING:
    from ledger.projections import EntityView
    from ledger.store.connection import Transaction
    from ledger.times import LedgerTime


def known_position(tx: Transaction, moment: LedgerTime | None, parameter: str = "known_at") -> int | None:
    """The last position the ledger had recorded at `moment` (None: no bound). `@POSITION` names it;
    a time means everything recorded by then (every event of one write transaction shares its time)."""
    if moment is None:
        return None
    head = tx.log.head()
    if moment.position is not None:
        if moment.position > head.position:
            raise InvalidArgument(
                f"no event at position {moment.position}: the ledger's head is at {head.position}",
                parameter=parameter,
            )
        return moment.position
    assert moment.key is not None
    return tx.log.known_by(from_key(moment.key), head)


def check_entity(entity_id: str, parameter: str = "entity_id") -> None:
    if not is_entity_id(entity_id):
        raise InvalidArgument(f"expected {describe_id_format()}, got {entity_id!r}", parameter=parameter)


def parse_kind(kind: str) -> str:
    """An entity kind, given as `ledger list` takes it (`plants`) or singular (`plant`)."""
    entity_kind = PLURALS.get(kind, kind)
    if entity_kind not in PLURALS.values():
        raise InvalidArgument(f"expected one of {', '.join(PLURALS)}, got {kind!r}", parameter="kind")
    return entity_kind


def unknown(tx: Transaction, entity_id: str, at_a_moment: bool = False) -> UnknownEntity:
    """The error for an entity no event names (then): with the ids like it that events name now, unless
    it is one of them."""
    from ledger.search import suggest

    if tx.projections.entity_doc(entity_id) is not None:
        return UnknownEntity(entity_id, at_a_moment=at_a_moment)
    return UnknownEntity(entity_id, at_a_moment=at_a_moment, suggestions=suggest(tx, entity_id))


def _view(
    tx: Transaction, entity_id: str, as_of: int | None, known_at: int | None, *, tables: bool = False
) -> EntityView:
    """The entity's fold at the moment asked. `tables`: for the present, take its claims as the
    projection tables hold them rather than resolving each trail again (a busy company's history)."""
    from ledger.projections import fold  # the present is read from the tables: only a fold needs these
    from ledger.projections.context import Context

    check_entity(entity_id)
    context = Context.over(tx.log, known_at)
    events = context.load(entity_id)
    present = tables and as_of is None and known_at is None
    decided = documents.claims_of(tx, events) if present else None
    view = fold(entity_id, events, as_of=as_of, known_at=known_at, context=context, decided=decided)
    if view is None:
        raise unknown(tx, entity_id, at_a_moment=as_of is not None or known_at is not None)
    return view


def show(tx: Transaction, entity_id: str, as_of: int | None, known_at: int | None) -> dict[str, Any]:
    if as_of is None and known_at is None:
        check_entity(entity_id)
        state = documents.state(tx, entity_id)
        if state is None:
            raise unknown(tx, entity_id)
        return state
    if as_of is None and known_at is not None and documents.is_kept_moment(tx, known_at):
        check_entity(entity_id)
        state = documents.state_then(tx, entity_id, known_at)  # read, not folded
        if state is None:
            raise unknown(tx, entity_id, at_a_moment=True)
        return state
    return _view(tx, entity_id, as_of, known_at).state


def history(
    tx: Transaction,
    entity_id: str,
    as_of: int | None,
    known_at: int | None,
    *,
    since: int | None = None,
    until: int | None = None,
    types: Sequence[str] = (),
    reverse: bool = False,
    limit: int | None = None,
    after: int | None = None,
) -> list[dict[str, Any]]:
    """The entity's history (`EntityView.history`), each entry saying more: a claim its current data and
    whether it was corrected or voided, a statement the claims it is about. Only entries whose world time
    (as it sorts: a period by its start) is from `since` to `until`, of `types` if given; newest first
    with `reverse`; only those after the entry at position `after`, in that order; at most `limit` (after
    `reverse`: the latest).

    The page rule: which entries belong is decided on the whole history first (an entry belongs because
    of what it names or of the claim it speaks about, wherever that claim falls), then the order, `after`
    and `limit` cut the page out of it; each entry is then annotated from the whole view."""
    if as_of is None and known_at is None and limit is not None:
        check_entity(entity_id)
        page = present_page(
            tx, entity_id, limit, since=since, until=until, types=types, reverse=reverse, after=after
        )
        if page is not None:
            return _annotated(tx, *page)
    view = _view(tx, entity_id, as_of, known_at, tables=True)
    entries = [
        e
        for e in view.history
        if (since is None or start_key(e["occurred_at"]) >= since)
        and (until is None or start_key(e["occurred_at"]) <= until)
        and (not types or e["type"] in types)
    ]
    if reverse:
        entries.reverse()
    if after is not None:
        index = next((i for i, e in enumerate(entries) if e["position"] == after), None)
        if index is None:
            raise InvalidArgument(f"no entry at position {after} in this history", parameter="after")
        entries = entries[index + 1 :]
    if limit is not None:
        entries = entries[:limit]
    return _annotated(tx, entries, {c["id"]: c for c in view.claims})


def _annotated(
    tx: Transaction, entries: list[dict[str, Any]], claims: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    listed = {e["id"]: e for e in entries if e["category"] == "claim"}
    missing = {ref for e in entries if e["category"] == "statement" for ref in e["refs"] if ref not in listed}
    located = tx.log.locate(missing) if missing else {}
    found = []
    for entry in entries:
        if entry["category"] == "claim":
            claim = claims[entry["id"]]
            corrected = any(c["type"] == "entry.corrected" for c in claim["corrections"])
            extra = {
                "current_data": claim["data"],
                "corrected": corrected,
                "voided": claim["status"] == "voided",
            }
        elif entry["category"] == "statement":
            extra = {"about": [_about(ref, listed, located) for ref in entry["refs"]]}
        else:
            extra = {}
        found.append({**entry, **extra})
    return found


def _about(
    ref: str, listed: dict[str, dict[str, Any]], located: dict[str, tuple[int, str]]
) -> dict[str, Any]:
    if ref in listed:
        return {"id": ref, "position": listed[ref]["position"], "type": listed[ref]["type"]}
    position, event_type = located.get(ref, (None, None))
    return {"id": ref, "position": position, "type": event_type}


def list_entities(tx: Transaction, kind: str) -> list[dict[str, Any]]:
    """Every entity of a kind (`plants` or `plant`), in id order."""
    return documents.states(tx, parse_kind(kind))
