"""Folding the log's entities in worker processes, for rebuilds of large logs.

A rebuild's time is reading and folding, entity by entity, and entities fold independently: the
entity index is cut into ranges of about `TASK_ROWS` index rows, worker processes fold the ranges
from their own read transactions, and the writer inserts the rows of each range as it comes back (a
few ranges in flight, so memory stays bounded). Workers read the committed log, so this serves
only when the log is committed up to the head: `ledger rebuild`, `rebuild --check`, and the catch-up
after an import. The rows are the same as a fold in one process (`rebuild --check` compares them).

Plants go first and companies last: a company's fold asks who operates each plant it ever named, which
otherwise costs a fold of each of those plants again (a tenth of a 1M rebuild's folding). The plants'
own documents say it. And of the deal and plant claims that name a company, its document only needs
that they name it and which partnership they are about: the plants' and partnerships' folds gather that
(`ledger.projections.company_links`), and the company's fold leaves those claims out, half its index
rows. Once every other range is back, the writer hands both to the company tasks through a file, read
once per worker.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass

import orjson

from ledger.bulk import WORKERS, start_worker
from ledger.projections.company_links import NAMED_ONLY, CompanyLinks
from ledger.projections.context import GROUP_TYPES, Context
from ledger.read_model.sync import EntityRows, Folder, entity_rows
from ledger.store.connection import EventStore, Transaction
from ledger.store.urls import parse_url

PARALLEL_FROM = 50_000  # events in the log; below, starting workers (~0.3 s) costs more than it saves
TASK_ROWS = 20_000  # entity index rows per task


def folder(url: str, head: int) -> Folder:
    """How to fold a log of `head` events at `url`: in workers when it is large enough to pay."""
    if WORKERS < 2 or head < PARALLEL_FROM or parse_url(url).sqlite_path == ":memory:":
        return entity_rows
    return WorkerFolder(url)


@dataclass(frozen=True, slots=True)
class WorkerFolder:
    """Every entity's rows, folded by worker processes from the log committed at `url`."""

    url: str
    last_kind: str = "company"  # the kind whose rows come last (`fold_order`)

    def __call__(self, tx: Transaction) -> Iterator[EntityRows]:
        return _rows_from_workers(self.url, tx)


def entity_ranges(
    tx: Transaction, task_rows: int = TASK_ROWS, low: str = "", high: str | None = None
) -> list[tuple[str, str]]:
    """Consecutive (first, last) entity ids covering the index (from `low` up to `high`, if given), about
    `task_rows` rows each, each of one kind of entity."""
    return [(first, last) for first, last, _rows in _sized_ranges(tx, task_rows, low, high)]


def _sized_ranges(
    tx: Transaction, task_rows: int = TASK_ROWS, low: str = "", high: str | None = None
) -> list[tuple[str, str, int]]:
    """`entity_ranges`, each with its number of index rows."""
    ranges: list[tuple[str, str, int]] = []
    first: str | None = None
    last = ""
    size = 0
    for entity_id, rows in tx.log.entity_sizes(low, high):
        if first is not None and _kind(entity_id) != _kind(first):
            ranges.append((first, last, size))
            first, size = None, 0
        if first is None:
            first = entity_id
        last = entity_id
        size += rows
        if size >= task_rows:
            ranges.append((first, last, size))
            first, size = None, 0
    if first is not None:
        ranges.append((first, last, size))
    return ranges


def _kind(entity_id: str) -> str:
    return entity_id.partition(":")[0]


PLANTS = ("plant:", "plant;")  # the ids of plants, as a range (';' follows ':')


def _after_plants(tx: Transaction) -> Iterator[tuple[str, str]]:
    """The ranges of every entity but the plants, in `fold_order` and, within a kind, the largest first
    (a busy company's range alone can take a tenth of the rebuild: started last, the other worker would
    wait for it). Cut all at once, on the first pull: no cursor stays open while the writer inserts."""
    sized = _sized_ranges(tx, high=PLANTS[0]) + _sized_ranges(tx, low=PLANTS[1])
    largest_first = [(first, last) for first, last, _rows in sorted(sized, key=lambda r: -r[2])]
    yield from fold_order(largest_first)


def fold_order(ranges: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The ranges in the order they are folded: plants first, companies last, the rest between."""
    rank = {"plant": 0, "company": 2}
    return sorted(ranges, key=lambda r: rank.get(_kind(r[0]), 1))  # stable: id order within a rank


def _rows_from_workers(url: str, tx: Transaction) -> Iterator[EntityRows]:
    # The plants' ranges first, and the others' once the workers fold them: cutting the whole index into
    # ranges is a scan of it (1.5 s at 1M events) during which the workers would wait.
    plants = entity_ranges(tx, low=PLANTS[0], high=PLANTS[1])
    operators: dict[str, str | None] = {}  # of every plant
    links = CompanyLinks()  # what the other folds found for the companies'
    context = multiprocessing.get_context("spawn")  # no fork: never share the writer's connection
    with (
        tempfile.TemporaryDirectory(prefix="ledger-rebuild-") as scratch,
        ProcessPoolExecutor(WORKERS, mp_context=context, initializer=start_worker) as pool,
    ):
        handoff = os.path.join(scratch, "handoff.json")
        queue = itertools.chain(plants, _after_plants(tx))
        waiting: list[tuple[str, str]] = []  # the next range, a company's, until every other is back
        in_flight: dict[Future[Folded], str] = {}  # each task, and the kind of entity it folds

        def submit() -> bool:
            task = waiting.pop() if waiting else next(queue, None)
            if task is None:
                return False
            kind = _kind(task[0])
            handed = None
            if kind == "company":
                if any(k != "company" for k in in_flight.values()):
                    waiting.append(task)  # a company's fold takes what every other fold found
                    return False
                if not os.path.exists(handoff):
                    with open(handoff, "wb") as out:
                        out.write(orjson.dumps({"operators": operators, "links": links.to_json()}))
                handed = handoff
            in_flight[pool.submit(_fold_range, url, *task, handed)] = kind
            return True

        while len(in_flight) < 2 * WORKERS and submit():
            pass
        # Rows are taken as tasks finish, not in the order they were sent: a large task at the head of the
        # queue no longer holds back the next tasks while a worker waits for them.
        while in_flight:
            done, _running = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=list(in_flight).index):
                kind = in_flight.pop(future)
                rows, found = future.result()
                if kind == "plant":
                    for doc, _claims in rows:
                        operators[doc[0]] = orjson.loads(doc[2])["operator"]
                if found is not None:
                    links.update(CompanyLinks.from_json(found))
                while len(in_flight) < 2 * WORKERS and submit():
                    pass
                yield from rows


Folded = tuple[list[EntityRows], dict | None]  # a range's rows, and what it found for the companies'
_stores: dict[str, EventStore] = {}  # a worker's store, opened on its first task
# What a worker has read about other entities (groups, partnerships), kept across the ranges of one log
# at one head: every range of a rebuild reads the same committed log.
_contexts: dict[tuple[str, int], Context] = {}


def _fold_range(url: str, first: str, last: str, handoff: str | None = None) -> Folded:
    """The rows of the entities from `first` to `last`, and, unless they are companies, what their folds
    found for the companies' (`CompanyLinks`, as JSON). `handoff`: a file of every plant's operator and
    of those links, for companies: their folds then leave out the claims the links stand for."""
    store = _stores.get(url)
    if store is None:
        store = _stores[url] = EventStore(url)
    with store.reading() as tx:
        key = (url, tx.log.head().position)
        context = _contexts.get(key)
        if context is None:
            _contexts.clear()
            _handoffs_read.clear()
            context = _contexts[key] = Context.over(tx.log)
            context.preload_groups(tx.log.claims_of_types(GROUP_TYPES))
        if handoff is not None and handoff not in _handoffs_read:
            with open(handoff, "rb") as found:
                handed = orjson.loads(found.read())
            known = handed["operators"]
            context.known_operators = lambda plants: {p: known[p] for p in plants if p in known}
            context.company_links = CompanyLinks.from_json(handed["links"])
            _handoffs_read.add(handoff)
        context.read_through(tx.log)  # this task's transaction
        if _kind(first) == "company":
            if context.company_links is None:
                return list(entity_rows(tx, first, last, context)), None
            named = sorted(c for c in context.company_links.named if first <= c <= last)
            return list(entity_rows(tx, first, last, context, skip_types=NAMED_ONLY, named=named)), None
        links = CompanyLinks()
        rows = list(entity_rows(tx, first, last, context, on_view=lambda view: links.take(view.claims)))
        return rows, links.to_json()


_handoffs_read: set[str] = set()  # the handoff files this worker has taken in
