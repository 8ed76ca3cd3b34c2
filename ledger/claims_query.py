"""`claims`: the claims of one entity or of the whole ledger, filtered (`ledger.claim_filters`), now, at
a world time or as the ledger knew it.

Of one entity, the claims are its fold's (at the moment asked). Of the whole ledger now, they are read
from the projection tables through one index that narrows the candidates (the speaker's, a source's
name, staleness, anonymity, type, status or number of origins, in that order of preference), and the
filter decides. At a past moment, the candidates are those of the present that what never changes (type,
sources, speakers ever named) allows; a claim whose document may differ then (statements or corrections
out of view, statuses that hang on what the ledger learnt later) is refolded from its owner's events.

As the ledger knew it at a moment its tables were caught up at (what a time names), the claim rows
changed since are read from what the catch-ups kept, as they were then (`claims_then.Moments`); at
another recent moment, the claims whose documents may differ are found at once from the events recorded
since (`Moments.changed_since`) and refolded. Every other claim is as the tables hold it, so a status is
then also looked up through the status index, with the changed claims beside it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from ledger.claim_filters import (
    OPEN_STATUSES,
    RESOLVED_STATUSES,
    ClaimFilter,
    last_event,
    resolution,
    world_key,
)
from ledger.claims_then import Moments, out_of_view
from ledger.entities import entity_kind
from ledger.names import ORIGIN, SOURCE, SPEAKER
from ledger.queries import check_entity, unknown
from ledger.read_model import documents
from ledger.store.connection import Transaction
from ledger.vocabulary.entity_fields import names, naming_fields

_CHUNK = 500  # documents read at a time
_AHEAD = 50  # claims at a past moment judged at once (and what refolding them reads, read at once)


def claims(
    tx: Transaction,
    entity_id: str | None,
    wanted: ClaimFilter,
    as_of: int | None = None,
    known_at: int | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    moments = Moments(tx, as_of, known_at)
    if entity_id is not None and as_of is None and known_at is None:
        check_entity(entity_id)
        now = _claims_now(tx, entity_id)
        if now is None:
            raise unknown(tx, entity_id)
        found: Iterator[dict[str, Any]] = iter(now)
    elif entity_id is not None:
        check_entity(entity_id)
        view = moments.view(entity_id)
        if view is None:
            raise unknown(tx, entity_id, at_a_moment=True)
        found = iter(view.claims)
    elif as_of is None and known_at is None:
        found = _present(tx, _candidates(tx, wanted, None, past=False))
    else:
        found = _past(tx, moments, _candidates(tx, wanted, known_at, past=True, moments=moments))
    result = []
    for claim in found:
        if wanted.matches(claim, moments.final):
            result.append(_reported(claim, wanted))
            if limit is not None and len(result) >= limit:
                break
    return result


def _claims_now(tx: Transaction, entity_id: str) -> list[dict[str, Any]] | None:
    """The claims whose data names the entity now, in world-time order, as the tables hold them (a claim's
    document is the same in the fold of every entity it names); None if no event names the entity."""
    if tx.projections.entity_doc(entity_id) is None:
        return None
    # The index follows corrections: a claim corrected to name the entity is indexed under it.
    positions = tx.log.positions_under([entity_id])
    fields = naming_fields(entity_kind(entity_id))
    found = [
        claim
        for claim in documents.claims_at(tx, positions).values()
        if names(fields[claim["type"]], claim["data"], entity_id)
    ]
    found.sort(key=lambda claim: (world_key(claim["occurred_at"]), claim["position"]))
    return found


def _reported(claim: dict[str, Any], wanted: ClaimFilter) -> dict[str, Any]:
    """The claim, with what a resolution or staleness filter found about it."""
    if wanted.resolved:
        claim = {**claim, "resolution": resolution(claim)}
    if wanted.stale_before is not None:
        claim = {**claim, "last_event_at": last_event(claim)[1]}
    return claim


Pages = Callable[[int, int], list[int]]  # (after, at most) -> the next candidate positions, in order


def _candidates(
    tx: Transaction, wanted: ClaimFilter, upto: int | None, *, past: bool, moments: Moments | None = None
) -> Pages:
    """The positions that may match, page by page, from one index (at most `upto`). At a past moment
    only what a claim never changes may narrow them: its type and sources, and every speaker ever named
    about it; and its status, when the claims whose status may have changed since are known (`moments`),
    with them beside it."""
    if wanted.by is not None:
        # What its statements are about, and what the statements whose corrections name it are about.
        return _listed(tx.log.named_targets(wanted.by, SPEAKER))
    if wanted.source is not None:
        return partial(tx.log.named, wanted.source, SOURCE)
    if wanted.origin is not None:
        return partial(tx.log.named, wanted.origin, ORIGIN)
    if wanted.anonymous_only:
        return partial(tx.projections.claim_positions, "anonymous_only", [1])
    if wanted.types:
        return partial(tx.projections.claim_positions, "type", sorted(wanted.types))
    if wanted.single_origin:
        return partial(tx.projections.claim_positions, "origins", [1])
    if not past and wanted.stale_before is not None:
        return partial(tx.projections.quiet_claims, sorted(OPEN_STATUSES), wanted.stale_before)
    changed = moments.changed_since() if past and moments is not None else None
    if (wanted.statuses or wanted.resolved) and (not past or changed is not None):
        statuses = set(wanted.statuses or RESOLVED_STATUSES)
        if wanted.resolved:
            statuses &= RESOLVED_STATUSES
        by_status = partial(tx.projections.claim_positions, "status", sorted(statuses))
        return by_status if changed is None else _beside(by_status, sorted(changed))
    return partial(tx.projections.claim_positions_upto, upto if upto is not None else 2**62)


def _listed(positions: list[int]) -> Pages:
    def page(after: int, size: int) -> list[int]:
        start = bisect_right(positions, after)
        return positions[start : start + size]

    return page


def _beside(pages: Pages, more: list[int]) -> Pages:
    """The positions `pages` gives and those of `more` (sorted), in order."""
    listed = _listed(more)

    def page(after: int, size: int) -> list[int]:
        return sorted(set(pages(after, size)) | set(listed(after, size)))[:size]

    return page


def _present(tx: Transaction, pages: Pages, upto: int | None = None) -> Iterator[dict[str, Any]]:
    """The documents of the candidates (at most `upto`), in position order, a page at a time."""
    for docs in _present_pages(tx, pages, upto):
        yield from docs


def _present_pages(tx: Transaction, pages: Pages, upto: int | None = None) -> Iterator[list[dict[str, Any]]]:
    after = 0
    while True:
        page = pages(after, _CHUNK)
        chunk = [p for p in page if upto is None or p <= upto]
        if not chunk:
            return
        docs = documents.claims_at(tx, chunk)
        yield [docs[position] for position in chunk if position in docs]
        after = page[-1]


def _past(tx: Transaction, moments: Moments, pages: Pages) -> Iterator[dict[str, Any]]:
    for docs in _present_pages(tx, pages, moments.known_at):
        # A few at a time: what refolding them reads is read for them together (on PostgreSQL each
        # read is a round trip), and a query that wants few claims judges few more.
        for start in range(0, len(docs), _AHEAD):
            claims = [
                c
                for c in docs[start : start + _AHEAD]
                if moments.as_of is None or not out_of_view(c["occurred_at"], moments.as_of)
            ]
            refold = {c["position"] for c in claims if not moments.same_then(c)}
            moments.read_ahead([c for c in claims if c["position"] in refold])
            for claim in claims:
                if claim["position"] not in refold:
                    yield claim
                    continue
                then = moments.claim(claim)
                if then is not None:
                    yield then
