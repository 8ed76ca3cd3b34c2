"""Keeps the projection tables equal to a fold of the log: catch up, rebuild, check.

Every entity's document is `projections.fold` of the events indexed under it, so bringing the tables up
to date after an append, rebuilding them from scratch and answering a past moment all run the same
pure code. Runs inside a write transaction: the tables, the checkpoint and the log always agree.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import orjson

from ledger.doc_changes import way_back
from ledger.entities import entity_kind
from ledger.errors import IntegrityFailure
from ledger.names import entity_terms
from ledger.progress import COMPARE, EVERY, PROJECTIONS, OnProgress
from ledger.projections import EntityView, cyclic_gc_paused, fold
from ledger.projections.context import GROUP_TYPES, Context
from ledger.projections.order import world_key
from ledger.projections.reach import widened_by
from ledger.read_model.documents import operators_of, stored_claim_doc, stored_entity
from ledger.store.connection import Transaction
from ledger.store.projection_tables import ClaimDoc, EntityDoc
from ledger.vocabulary.entity_fields import first_entity

CATCH_UP_LIMIT = 20_000  # more new events than this: a full rebuild is cheaper than refolding
WRITE_BATCH = 2_000

EntityRows = tuple[EntityDoc, list[ClaimDoc]]  # an entity's document and the claims it owns
Folder = Callable[[Transaction], Iterable[EntityRows]]  # every entity's rows, from the log tx reads


@dataclass(frozen=True, slots=True)
class RebuildReport:
    """What a rebuild (or a check that found no difference) covered."""

    events: int
    entities: int
    claims: int


def _owner(claim: dict) -> str | None:
    """The entity whose fold writes a claim's row: the first entity its current data names."""
    return first_entity(claim["type"], claim["data"])


def _rows(entity_id: str, view: EntityView) -> EntityRows:
    # The fold is deterministic, key order included: documents keep the projection's own field order.
    state = view.state
    doc = (entity_id, entity_kind(entity_id), stored_entity(state), entity_terms(entity_id, state))
    events = view.events
    claims = [
        (
            claim["position"],
            claim["status"],
            stored_claim_doc(claim, events[claim["position"]].data),
            claim["type"],
            claim["origins"],
            int(claim["anonymous_only"]),
            last_key(claim),
        )
        for claim in view.claims
        if _owner(claim) == entity_id
    ]
    return doc, claims


def last_key(claim: dict) -> int:
    """The latest world time of a claim and the statements about it (what `claims --stale` reads)."""
    return max([world_key(claim["occurred_at"]), *(world_key(s["occurred_at"]) for s in claim["statements"])])


def entity_rows(
    tx: Transaction,
    first: str | None = None,
    last: str | None = None,
    context: Context | None = None,
    *,
    skip_types: Sequence[str] = (),
    named: Sequence[str] = (),
    on_view: Callable[[EntityView], None] | None = None,
) -> Iterator[EntityRows]:
    """The projection rows (entity doc, claims it owns) of every entity in the log, or of those from
    `first` to `last`, folded one entity at a time. `context` may carry what earlier ranges of the
    same log already read about other entities (a worker folds many ranges of one log). `skip_types`:
    events the folds do without (what the context says of them instead), and `named` the entities
    folded even if no other event names them; `on_view` sees each view."""
    if context is None:
        context = Context.over(tx.log)
        context.preload_groups(tx.log.claims_of_types(GROUP_TYPES))
    folded: set[str] = set()  # of the stream, when `named` asks
    # Taken once the stream is done: the named entities it did not give, folded from no events.
    unstreamed = ((entity_id, []) for entity_id in named if entity_id not in folded)
    # A fold allocates containers by the million and makes no cycles: the cyclic collector would
    # rescan the live objects again and again (a tenth of a rebuild's time).
    # Only the events indexed under each entity, not those they reference: a claim a statement or a
    # correction is about, indexed elsewhere, names the entity in none of its data (a correction that
    # makes it name one moves its index there), so the fold skips it for the state and the claims and
    # reads it only for the history, which these rows do not hold. Reading them was 7% of a rebuild.
    with cyclic_gc_paused():
        for entity_id, events in itertools.chain(tx.log.entity_stream(first, last, skip_types), unstreamed):
            if named:
                folded.add(entity_id)
            view = fold(entity_id, events, context=context)
            if view is not None:
                if on_view is not None:
                    on_view(view)
                yield _rows(entity_id, view)


def catch_up(tx: Transaction, folder: Folder = entity_rows, progress: OnProgress | None = None) -> None:
    """Refold the entities that events after the checkpoint touched (`folder`: see `rebuild`; `progress`:
    the entities folded, PROJECTIONS)."""
    head = tx.log.head().position
    checkpoint = tx.projections.checkpoint()
    if checkpoint >= head:
        return
    if head - checkpoint > CATCH_UP_LIMIT:
        if checkpoint and tx.versions.is_moment(checkpoint):  # keep what it changes, as a catch-up does
            tx.versions.set_aside()
            rebuild(tx, folder, progress, start_kept=False)
            _keep_replaced(tx, head)
        else:
            rebuild(tx, folder, progress)
        return
    docs, claims, gone = [], [], []
    context = Context.over(tx.log)
    entities = sorted(touched(tx, checkpoint, head, context))
    queued = set(entities)
    operated_by = operators_of(tx, [e for e in entities if e.startswith("plant:")])
    for done, entity_id in enumerate(entities):  # grows as plants are found to have changed hands
        if progress is not None and done % EVERY == 0:
            progress(PROJECTIONS, done, len(entities))
        view = fold(entity_id, tx.log.entity_events(entity_id), context=context)
        if entity_id in operated_by and (view is None or view.state["operator"] != operated_by[entity_id]):
            # The plant changed hands: its operators before and after list it, or no longer do.
            now = None if view is None else view.state["operator"]
            more = sorted({o for o in (operated_by[entity_id], now) if o is not None} - queued)
            entities += more
            queued.update(more)
        if view is None:
            gone.append(entity_id)
            continue
        doc, owned = _rows(entity_id, view)
        docs.append(doc)
        claims.extend(owned)
    _keep_versions(tx, checkpoint, head, docs, gone, claims)
    tx.projections.delete_entities(gone)
    tx.projections.replace_entities(docs)
    tx.projections.replace_claims(claims)
    tx.projections.set_checkpoint(head)
    if progress is not None:
        progress(PROJECTIONS, len(entities), len(entities))


def _keep_versions(
    tx: Transaction,
    checkpoint: int,
    head: int,
    docs: list[EntityDoc],
    gone: list[str],
    claims: list[ClaimDoc],
) -> None:
    """Keep what this catch-up from `checkpoint` to `head` changes (`store.projection_versions`): of each
    entity document that differs, the way back to the old one; of each claim row, the old one. At 0
    nothing was known: whatever the tables hold then is of an older format, not what was known."""
    # A write to the tables that went unkept, or tables of an older document format (checkpoint 0):
    # what was kept before says nothing of what follows. Start again from here.
    if checkpoint == 0 or not tx.versions.is_moment(checkpoint):
        tx.versions.clear()
        tx.versions.add_moment(checkpoint)
    old = tx.projections.entity_docs_of([d[0] for d in docs] + gone) if checkpoint else {}
    entities = [
        (entity_id, _way_back(old.get(entity_id), doc))
        for entity_id, _kind, doc, _terms in docs
        if entity_id not in old or old[entity_id].encode() != doc
    ]
    entities += [(e, _way_back(old[e], None)) for e in gone if e in old]
    was = tx.projections.claim_docs_at([c[0] for c in claims]) if checkpoint else {}
    changed = [(p, was.get(p)) for p, _status, doc, *_filtered in claims if was.get(p) != doc.decode()]
    tx.versions.keep(head, entities, changed)
    tx.versions.add_moment(head)


def _keep_replaced(tx: Transaction, head: int) -> None:
    """Keep what a rebuild that caught up from a moment to `head` changed, compared with the tables it
    replaced (`ProjectionVersions.set_aside`), as `_keep_versions` keeps a catch-up's."""
    entities = [(e, _way_back(before, now)) for e, before, now in tx.versions.replaced_entities()]
    tx.versions.keep(head, entities, tx.versions.replaced_claims())
    tx.versions.drop_aside()
    tx.versions.add_moment(head)


def _way_back(before: str | None, now: str | bytes | None) -> str | None:
    """What is kept of an entity document a write replaced (`doc_changes.way_back`): None if there was
    none before; the old document whole if there is none now."""
    if before is None:
        return None
    old = orjson.loads(before)
    return orjson.dumps({"whole": old} if now is None else way_back(old, orjson.loads(now))).decode()


def touched(tx: Transaction, since: int, until: int, context: Context) -> set[str]:
    """The entities whose fold the events after position `since`, up to `until`, may change: those the
    events are indexed under, and those whose claims hang on facts they change (a parent company, a
    partnership's parties, a plant's operator: `widened_by`, asked of `context`)."""
    found = tx.log.entities_between(since, until)
    widen: set[str] = set()
    for event in tx.log.read_between(since, until):
        widen |= widened_by(event, context, tx.log.events_by_id)
    if widen:
        found |= tx.log.co_indexed(widen)
    return found


def rebuild(
    tx: Transaction,
    folder: Folder = entity_rows,
    progress: OnProgress | None = None,
    *,
    start_kept: bool = True,
) -> RebuildReport:
    """Drop and refill every projection table from the log, one entity in memory at a time.

    `folder` gives every entity's rows: folded here by default, from this transaction's view of the log;
    or by worker processes (`ledger.read_model.workers`) when the log is committed up to the head.
    `progress` hears of the entities folded (PROJECTIONS; how many there are is not known beforehand).
    `start_kept`: what catch-ups kept starts again from here (unless the caller keeps what this changes)."""
    head = tx.log.head().position
    if progress is not None:
        progress(PROJECTIONS, 0, None)
    # A folder that gives one kind of entity last (the workers: companies, a tenth of the rows) has the
    # indexes made when that kind starts, while it still folds, instead of after the last row.
    last_kind = getattr(folder, "last_kind", None)
    with tx.projections.refilling() as make_indexes:
        docs: list[EntityDoc] = []
        claims: list[ClaimDoc] = []
        entity_count = claim_count = 0
        for doc, owned in folder(tx):
            if doc[1] == last_kind:
                _write_fresh(tx, docs, claims)
                docs, claims, last_kind = [], [], None
                make_indexes()
            docs.append(doc)
            claims.extend(owned)
            entity_count += 1
            claim_count += len(owned)
            if progress is not None and entity_count % EVERY == 0:
                progress(PROJECTIONS, entity_count, None)
            if len(docs) >= WRITE_BATCH:
                tx.projections.replace_entities(docs, fresh=True)
                docs = []
            if len(claims) >= WRITE_BATCH:
                tx.projections.replace_claims(claims, fresh=True)
                claims = []
        _write_fresh(tx, docs, claims)
    tx.projections.set_checkpoint(head)
    if start_kept:  # what changed before is not known from here: versions start again
        tx.versions.clear()
        tx.versions.add_moment(head)
    if progress is not None:
        progress(PROJECTIONS, entity_count, entity_count)
    return RebuildReport(head, entity_count, claim_count)


def _write_fresh(tx: Transaction, docs: list[EntityDoc], claims: list[ClaimDoc]) -> None:
    """Write rows of a refill (the tables hold nothing of theirs)."""
    tx.projections.replace_entities(docs, fresh=True)
    tx.projections.replace_claims(claims, fresh=True)


def _digest(doc: bytes | str) -> bytes:
    data = doc.encode() if isinstance(doc, str) else doc
    return hashlib.blake2b(data, digest_size=16).digest()


def _differences(expected: dict, stored: Iterable[tuple[object, str]], what: str) -> list[str]:
    found = []
    seen = set()
    for key, doc in stored:
        seen.add(key)
        want = expected.get(key)
        if want is None:
            found.append(f"{what} {key} is in the projection but not in the log")
        elif want != _digest(doc):
            found.append(f"{what} {key} differs from a rebuild")
    found += [f"{what} {key} is missing from the projection" for key in expected.keys() - seen]
    return found


def check(tx: Transaction, folder: Folder = entity_rows, progress: OnProgress | None = None) -> RebuildReport:
    """Rebuild aside (nothing written) and compare with the stored projections; IntegrityFailure
    naming the first difference if there is one. `progress` hears of the entities folded (PROJECTIONS),
    then of the comparison (COMPARE)."""
    head = tx.log.head().position
    entities: dict[str, bytes] = {}
    claims: dict[int, bytes] = {}
    if progress is not None:
        progress(PROJECTIONS, 0, None)
    for doc, owned in folder(tx):
        entities[doc[0]] = _digest(doc[2])
        for position, _status, claim_doc, *_filtered in owned:
            claims[position] = _digest(claim_doc)
        if progress is not None and len(entities) % EVERY == 0:
            progress(PROJECTIONS, len(entities), None)
    if progress is not None:
        progress(PROJECTIONS, len(entities), len(entities))
        progress(COMPARE, 0, None)
    differences = []
    if tx.projections.checkpoint() != head:
        differences.append(f"checkpoint is at {tx.projections.checkpoint()}, the log's head at {head}")
    differences += _differences(entities, ((e, d) for e, _k, d in tx.projections.entity_docs()), "entity")
    differences += _differences(
        claims, ((p, d) for p, _s, d in tx.projections.claim_docs()), "claim at position"
    )
    if differences:
        more = f" (and {len(differences) - 1} more)" if len(differences) > 1 else ""
        raise IntegrityFailure(f"projections differ from a rebuild: {differences[0]}{more}")
    from ledger.read_model.kept_check import kept_differences

    kept = kept_differences(tx)
    if kept:
        more = f" (and {len(kept) - 1} more)" if len(kept) > 1 else ""
        raise IntegrityFailure(
            f"what catch-ups kept does not hold together: {kept[0]}{more}; run `ledger rebuild`"
        )
    return RebuildReport(head, len(entities), len(claims))
