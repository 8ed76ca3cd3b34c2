"""Folding the log's entities in worker processes, for rebuilds of large logs.

A rebuild's time is reading and folding, entity by entity, and entities fold independently: the
entity index is cut into ranges of about `TASK_ROWS` index rows, worker processes fold the ranges
from their own read transactions, and the writer inserts the rows in range order as they come back
(a few ranges in flight, so memory stays bounded). Workers read the committed log, so this serves
only when the log is committed up to the head: `ledger rebuild`, `rebuild --check`, and the catch-up
after an import. The rows are the same as a fold in one process (`rebuild --check` compares them).
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor

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
    """Consecutive (first, last) entity ids covering the index, about `task_rows` rows each."""
    ranges: list[tuple[str, str]] = []
    first: str | None = None
    last = ""
    size = 0
    for entity_id, rows in tx.log.entity_sizes():
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


def _rows_from_workers(url: str, tx: Transaction) -> Iterator[EntityRows]:
    ranges = iter(entity_ranges(tx))
    context = multiprocessing.get_context("spawn")  # no fork: never share the writer's connection
    with ProcessPoolExecutor(WORKERS, mp_context=context, initializer=start_worker) as pool:
        in_flight: deque[Future[list[EntityRows]]] = deque()

        def submit() -> None:
            task = next(ranges, None)
            if task is not None:
                in_flight.append(pool.submit(_fold_range, url, *task))

        for _ in range(2 * WORKERS):
            submit()
        while in_flight:
            rows = in_flight.popleft().result()
            submit()
            yield from rows


_stores: dict[str, EventStore] = {}  # a worker's store, opened on its first task
# What a worker has read about other entities (groups, partnerships), kept across the ranges of one log
# at one head: every range of a rebuild reads the same committed log.
_contexts: dict[tuple[str, int], Context] = {}


def _fold_range(url: str, first: str, last: str) -> list[EntityRows]:
    store = _stores.get(url)
    if store is None:
        store = _stores[url] = EventStore(url)
    with store.reading() as tx:
        key = (url, tx.log.head().position)
        context = _contexts.get(key)
        if context is None:
            _contexts.clear()
            context = _contexts[key] = Context.over(tx.log)
            context.preload_groups(tx.log.claims_of_types(GROUP_TYPES))
        context.read_through(tx.log)  # this task's transaction
        return list(entity_rows(tx, first, last, context))
