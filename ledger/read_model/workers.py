"""Folding the log's entities in worker processes, for rebuilds of large logs.

A rebuild's time is reading and folding, entity by entity, and entities fold independently: the
entity index is cut into ranges of about `TASK_ROWS` index rows, worker processes fold the ranges
from their own read transactions, and the writer inserts the rows in range order as they come back
(a few ranges in flight, so memory stays bounded). Workers read the committed log, so this serves
only when the log is committed up to the head: `ledger rebuild`, `rebuild --check`, and the catch-up
after an import. The rows are the same as a fold in one process (`rebuild --check` compares them).

Plants go first and companies last: a company's fold asks who operates each plant it ever named, which
otherwise costs a fold of each of those plants again (a tenth of a 1M rebuild's folding). The plants'
own documents say it; once every plant is back, the writer hands their operators to the company tasks
through a file, read once per worker.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor

import orjson

from ledger.bulk import WORKERS, start_worker
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
    return lambda tx: _rows_from_workers(url, tx)


def entity_ranges(tx: Transaction, task_rows: int = TASK_ROWS) -> list[tuple[str, str]]:
    """Consecutive (first, last) entity ids covering the index, about `task_rows` rows each, each of one
    kind of entity."""
    ranges: list[tuple[str, str]] = []
    first: str | None = None
    last = ""
    size = 0
    for entity_id, rows in tx.log.entity_sizes():
        if first is not None and _kind(entity_id) != _kind(first):
            ranges.append((first, last))
            first, size = None, 0
        if first is None:
            first = entity_id
        last = entity_id
        size += rows
        if size >= task_rows:
            ranges.append((first, last))
            first, size = None, 0
    if first is not None:
        ranges.append((first, last))
    return ranges


def _kind(entity_id: str) -> str:
    return entity_id.partition(":")[0]


def fold_order(ranges: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The ranges in the order they are folded: plants first, companies last, the rest between."""
    rank = {"plant": 0, "company": 2}
    return sorted(ranges, key=lambda r: rank.get(_kind(r[0]), 1))  # stable: id order within a rank


def _rows_from_workers(url: str, tx: Transaction) -> Iterator[EntityRows]:
    ranges = fold_order(entity_ranges(tx))
    plant_tasks = sum(1 for first, _last in ranges if _kind(first) == "plant")
    operators: dict[str, str | None] = {}  # of every plant, once all plant tasks are back
    context = multiprocessing.get_context("spawn")  # no fork: never share the writer's connection
    with (
        tempfile.TemporaryDirectory(prefix="ledger-rebuild-") as scratch,
        ProcessPoolExecutor(WORKERS, mp_context=context, initializer=start_worker) as pool,
    ):
        handed_to_workers = os.path.join(scratch, "operators.json")
        queue = iter(ranges)
        in_flight: deque[tuple[bool, Future[list[EntityRows]]]] = deque()
        plants_back = 0

        def submit() -> None:
            task = next(queue, None)
            if task is None:
                return
            known = None
            if _kind(task[0]) == "company" and plants_back == plant_tasks:
                if not os.path.exists(handed_to_workers):
                    with open(handed_to_workers, "wb") as out:
                        out.write(orjson.dumps(operators))
                known = handed_to_workers
            in_flight.append((_kind(task[0]) == "plant", pool.submit(_fold_range, url, *task, known)))

        for _ in range(2 * WORKERS):
            submit()
        while in_flight:
            of_plants, future = in_flight.popleft()
            rows = future.result()
            if of_plants:
                for doc, _claims in rows:
                    operators[doc[0]] = orjson.loads(doc[2])["operator"]
                plants_back += 1
            submit()
            yield from rows


_stores: dict[str, EventStore] = {}  # a worker's store, opened on its first task
# What a worker has read about other entities (groups, partnerships), kept across the ranges of one log
# at one head: every range of a rebuild reads the same committed log.
_contexts: dict[tuple[str, int], Context] = {}


def _fold_range(url: str, first: str, last: str, operators: str | None = None) -> list[EntityRows]:
    """The rows of the entities from `first` to `last`; `operators`: a file of every plant's operator."""
    store = _stores.get(url)
    if store is None:
        store = _stores[url] = EventStore(url)
    with store.reading() as tx:
        key = (url, tx.log.head().position)
        context = _contexts.get(key)
        if context is None:
            _contexts.clear()
            _operators_read.clear()
            context = _contexts[key] = Context.over(tx.log)
            context.preload_groups(tx.log.claims_of_types(GROUP_TYPES))
        if operators is not None and operators not in _operators_read:
            with open(operators, "rb") as found:
                known = orjson.loads(found.read())
            context.known_operators = lambda plants: {p: known[p] for p in plants if p in known}
            _operators_read.add(operators)
        context.read_through(tx.log)  # this task's transaction
        return list(entity_rows(tx, first, last, context))


_operators_read: set[str] = set()  # the operator files this worker has taken in
