"""Validating a long JSONL input in a second process, ahead of the one that writes it.

An import spends about 13 µs a line decoding and validating it, and the rest of its time building rows
and writing them. With a core to spare, a helper process validates batches of lines ahead while this
one writes the batches before. Each batch comes back as one JSON document of the validated events:
orjson reads it in about 3 µs a line, where unpickling the same dataclasses costs twice that.

Nothing changes for the caller: the same events in the same order. A batch holding an invalid line
comes back as None and is validated again here, line by line, so the first error is raised by the same
code with the same message and line number as without the helper.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

import orjson

from ledger.bulk import WORKERS
from ledger.errors import LedgerError
from ledger.events import NewEvent

if TYPE_CHECKING:
    from ledger.jsonl import ParsedLine

AHEAD_FROM = 20_000  # lines validated here first: a shorter input is done before a process would start
BATCH = 2_000  # lines per batch sent to the helper
IN_FLIGHT = 4  # batches sent ahead: bounded memory, and the helper never waits for work
ENABLED = WORKERS > 1  # LEDGER_WORKERS=1 keeps all work in one process (ledger.bulk)

Batch = list[tuple[int, bytes]]


def validated_ahead(
    lines: Iterator[tuple[int, bytes]], *, version: int, restore: bool, keep_raw: bool = True
) -> Iterator[ParsedLine]:
    """The validated events of numbered `lines` (as `ledger.jsonl.read_lines` yields them), validated by a
    helper process when more than a batch remains."""
    from ledger.jsonl import parse_numbered

    first = list(itertools.islice(lines, BATCH))
    if not ENABLED or len(first) < BATCH:
        for number, line in itertools.chain(first, lines):
            parsed = parse_numbered(number, line, version=version, restore=restore)
            if parsed is not None:
                yield parsed if keep_raw else (parsed[0], parsed[1], None)
        return

    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from ledger.bulk import start_worker

    # spawn, not fork: the writer's database connection must never be shared with a child.
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=start_worker)
    try:
        pending: deque[tuple[Batch, Future[bytes | None]]] = deque()
        batch = first
        while batch or pending:
            while batch and len(pending) < IN_FLIGHT:
                pending.append((batch, pool.submit(_validate_batch, batch, version, restore, keep_raw)))
                batch = list(itertools.islice(lines, BATCH))
            sent, future = pending.popleft()
            encoded = future.result()
            if encoded is None:  # an invalid line: raise its error here, from the same code
                for number, line in sent:
                    parse_numbered(number, line, version=version, restore=restore)
                raise AssertionError("the helper refused a batch that validates here")  # pragma: no cover
            for number, fields, raw in orjson.loads(encoded):
                yield number, NewEvent(*fields), raw
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _validate_batch(batch: Batch, version: int, restore: bool, keep_raw: bool) -> bytes | None:
    """In the helper: a batch's validated events as JSON ([number, NewEvent's fields, the decoded line
    or null]), or None if a line is invalid."""
    from ledger.jsonl import parse_numbered

    out: list[tuple[int, tuple[Any, ...], dict[str, Any] | None]] = []
    try:
        for number, line in batch:
            parsed = parse_numbered(number, line, version=version, restore=restore)
            if parsed is not None:
                number, event, raw = parsed
                fields = (
                    event.id,
                    event.type,
                    event.occurred_at,
                    event.data,
                    event.sources,
                    event.refs,
                    event.note,
                    event.v,
                )
                out.append((number, fields, raw if keep_raw else None))
    except LedgerError:
        return None
    return orjson.dumps(out)
