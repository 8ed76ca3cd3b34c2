"""Checking a large log's stretches in worker processes, for `verify`.

Rows below the head never change, so a worker reading positions first..last in its own read transaction
reads the rows `verify`'s own transaction would. Each worker runs the per-row checks of `ledger.chain` and
the entity index check of `ledger.index_check` over its stretch and hands back a `Stretch`: the first
row's link (which needs the stretch before, so `verify` checks it), the first break after it, the first
index problem, and the event hashes, from which `verify` rebuilds the Merkle tree in position order. The
stretches come back in position order, so the first problem of the first stretch that has one is the
log's first problem, as when one process reads it all.

Only the index could differ between snapshots: a correction committed after `verify` began adds index
rows for older positions. A worker that sees another head says so (`stale`), and `verify` checks that
stretch's index again in its own transaction.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from ledger.bulk import WORKERS, start_worker
from ledger.chain import Break, Chain, Opening, decoded, opening
from ledger.errors import Unreadable
from ledger.index_check import IndexCheck, Problem
from ledger.store.connection import EventStore, Transaction
from ledger.store.urls import parse_url

PARALLEL_FROM = 100_000  # events in the log; below, starting workers (~0.4 s) costs more than it saves
STRETCH = 50_000  # positions per task: a multiple of the log's page (5,000 rows), so pages line up


@dataclass(frozen=True, slots=True)
class Stretch:
    """What a worker found in positions first..last (`rows` of them read, in order)."""

    first: int
    last: int
    rows: int
    opening: Opening | None  # None: no row read
    end: tuple[int, str, str]  # the last row read: (position, hash, recorded_at)
    problem: Break | None  # the first break after the first row
    unreadable: tuple[int, str] | None  # the row that ended the reading: (position, what the database said)
    index_problem: Problem | None
    corrections: tuple[int, ...]  # the corrections whose index changes were checked
    leaves: list[bytes]  # the stored hashes, as bytes, in position order
    held: str | None  # the stored hash at the position `--head` names, if read here
    stale: bool  # the worker's snapshot holds another head: its index result does not count


def in_workers(url: str, head: int) -> bool:
    """Whether a log of `head` events at `url` is checked in workers (never an in-memory database, which
    no other process can open)."""
    return WORKERS > 1 and head >= PARALLEL_FROM and parse_url(url).sqlite_path != ":memory:"


def stretches(url: str, head: int, held_at: int | None) -> Iterator[Stretch]:
    """The stretches of positions 1..head, checked in workers, in position order (a few in flight)."""
    tasks = iter(range(1, head + 1, STRETCH))
    context = multiprocessing.get_context("spawn")  # no fork: never share this process's connection
    with ProcessPoolExecutor(WORKERS, mp_context=context, initializer=start_worker) as pool:
        in_flight: deque[Future[Stretch]] = deque()

        def submit() -> None:
            first = next(tasks, None)
            if first is not None:
                last = min(first + STRETCH - 1, head)
                in_flight.append(pool.submit(_check_in_worker, url, first, last, head, held_at))

        for _ in range(2 * WORKERS):
            submit()
        try:
            while in_flight:
                stretch = in_flight.popleft().result()
                submit()
                yield stretch
        finally:
            pool.shutdown(cancel_futures=True)


_stores: dict[str, EventStore] = {}  # a worker's store, opened on its first task


def _check_in_worker(url: str, first: int, last: int, head: int, held_at: int | None) -> Stretch:
    store = _stores.get(url)
    if store is None:
        store = _stores[url] = EventStore(url)
    with store.reading(snapshot=True) as tx:
        return check_stretch(tx, first, last, head, held_at)


def check_stretch(tx: Transaction, first: int, last: int, head: int, held_at: int | None) -> Stretch:
    """Check positions first..last of a log whose head was `head` when `verify` began."""
    stale = tx.log.last_position() != head
    index = IndexCheck(tx)
    chain: Chain | None = None
    first_row: Opening | None = None
    leaves: list[bytes] = []
    held, unreadable, end = None, None, (first - 1, "", "")
    try:
        for page in tx.log.pages(since=first - 1, upto=last):
            events = []
            for row in page:
                event = decoded(row)
                if chain is None:
                    first_row = opening(row, event)
                    chain = Chain(row[0], row[7], row[4])
                else:
                    chain.add(row, event)
                leaves.append(bytes.fromhex(row[7]))
                if row[0] == held_at:
                    held = row[7]
                if event is not None:
                    events.append(event)
            if page:
                end = (page[-1][0], page[-1][7], page[-1][4])
            if chain is not None and chain.problem is None and first_row is not None and first_row[3]:
                index.page(events)  # the index of a broken chain is not worth comparing
    except Unreadable as e:
        unreadable = (e.position, e.reason)
    return Stretch(
        first,
        last,
        len(leaves),
        first_row,
        end,
        chain.problem if chain is not None else None,
        unreadable,
        index.problem,
        tuple(sorted(index.corrections_seen)),
        leaves,
        held,
        stale,
    )
