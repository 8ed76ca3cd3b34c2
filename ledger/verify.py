"""Checking the log: recompute every event's hash from its stored content and follow the chain, rebuild
the Merkle tree from those hashes and compare it with the stored one, and check an old checkpoint's tree
against the log.

The chain is built in `ledger.writer` (through `ledger.hashing`); this is the other half, which trusts
nothing but the hash function: each hash is recomputed from the exported form of the stored row.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from ledger import tree, verify_workers
from ledger.chain import Chain, decoded
from ledger.errors import IntegrityFailure, InvalidArgument, Unreadable
from ledger.index_check import IndexCheck
from ledger.progress import DERIVED, EVENTS, OnProgress
from ledger.store.connection import Transaction
from ledger.store.log import Head
from ledger.transparency.checkpoint import Checkpoint
from ledger.transparency.proof import ProofError, verify_consistency


@dataclass(frozen=True, slots=True)
class CheckpointCheck:
    """What `verify` found of a checkpoint: the tree it names, whether this ledger still holds it (and a
    consistency proof from it to the ledger's tree checks out), and whose signatures on it verified."""

    checkpoint: Checkpoint
    consistent: bool
    signed_by: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "origin": self.checkpoint.origin,
            "tree_size": self.checkpoint.size,
            "root": base64.b64encode(self.checkpoint.root).decode(),
            "consistent": self.consistent,
            "signed_by": list(self.signed_by),
        }


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The outcome of `verify`: ok, or what failed (`check`), where (the first bad position, when there is
    one) and how."""

    ok: bool
    events: int
    head_hash: str
    first_bad_position: int | None  # None when ok, or when what failed has no position (a guard, a root)
    problem: str | None = None
    tree_root: bytes | None = None  # the root of the Merkle tree rebuilt from the log
    checkpoint: CheckpointCheck | None = None
    check: str | None = None  # what failed: one of CHECKS

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "head_hash": self.head_hash,
            "first_bad_position": self.first_bad_position,
            "problem": self.problem,
            "check": self.check,
            "tree_root": base64.b64encode(self.tree_root).decode() if self.tree_root is not None else None,
            "checkpoint": self.checkpoint.to_json() if self.checkpoint is not None else None,
        }


# What verify checks, in the order a failure is reported: the log itself, then what is derived from it.
CHECKS = ("chain", "projections", "tree", "index", "refs", "names", "head", "checkpoint", "issued", "guards")
Failure = tuple[str, int | None, str]  # (check, position, what is wrong)


def parse_head(head: str) -> tuple[str, int]:
    """HASH@POSITION, as saved from an earlier `verify`."""
    digest, sep, position = head.partition("@")
    if not sep or not position.isdigit() or len(digest) != 64:
        raise InvalidArgument(
            f"expected HASH@POSITION (64 hex digits @ a position), got {head!r}", parameter="head"
        )
    return digest.lower(), int(position)


def require_head(held: Head, expected: tuple[str, int]) -> None:
    """IntegrityFailure unless `held` is the head `expected` (HASH, POSITION): what a restore told to end
    at a head checks once it has read every line."""
    if (held.hash, held.position) != expected:
        raise IntegrityFailure(
            f"the export ends at position {held.position} (head {held.hash[:12]}…), not at "
            f"{expected[0][:12]}…@{expected[1]}: it is truncated, or not the export --head names; "
            "nothing was restored",
            position=held.position + 1 if held.position < expected[1] else expected[1],
        )


def verify_chain(
    tx: Transaction,
    expected_head: tuple[str, int] | None,
    checkpoint: Checkpoint | None = None,
    signed_by: tuple[str, ...] = (),
    url: str | None = None,
    progress: OnProgress | None = None,
) -> VerifyReport:
    """Recompute the chain from position 1, the Merkle tree from its hashes and the entity index and
    references from its events; check the projections' checkpoint, the checkpoints issued and the
    append-only guards. With `expected_head` also check that head is still held, with `checkpoint` that
    the tree it names still is (`signed_by`: the keys whose signatures on it were verified, for the
    report). With `url` (the database `tx` reads) a large log is read by worker processes, each a
    stretch of it (`ledger.verify_workers`), with the same outcome. `progress` hears of the events
    checked (EVENTS), then of the checks of what derives from them (DERIVED)."""
    # Read before the events: on PostgreSQL each statement sees what is committed when it starts, and
    # the checkpoint never passes the committed head, so a concurrent writer cannot make it look ahead.
    built = tx.projections.checkpoint()
    issued = tx.tree.issued()
    sizes = [size for _seq, size, _root in issued] + ([checkpoint.size] if checkpoint is not None else [])
    head = tx.log.last_position() if url is not None or progress is not None else None  # None: unreadable
    if progress is not None:
        progress(EVENTS, 0, head)
    if url is not None and head is not None and verify_workers.in_workers(url, head):
        chain, held, rebuilt, index = _walk_in_workers(tx, url, head, expected_head, sizes, progress)
    else:
        chain, held, rebuilt, index = _walk(tx, expected_head, sizes, progress, head)
    count, head_hash = chain.count, chain.prev_hash
    if progress is not None:
        progress(EVENTS, count, count)
        progress(DERIVED, 0, None)
    failures: list[Failure] = []
    if chain.problem is not None:
        failures.append(("chain", *chain.problem))
    elif built > count:
        # A tripwire, not a proof (whoever cuts the log can rewind this too; `--head` is the proof).
        failures.append(
            (
                "projections",
                count + 1,
                f"position {count + 1} is missing: the projections were built from {built} events",
            )
        )
    if not failures:
        problem = rebuilt.finish()
        if problem is not None:
            failures.append(("tree", *problem))
    if not failures:
        problem = index.finish(count)
        if problem is not None:
            failures.append(problem)
    if not failures and expected_head is not None and held != expected_head[0]:
        failures.append(
            (
                "head",
                expected_head[1],
                f"the ledger no longer holds head {expected_head[0][:12]}… at position {expected_head[1]}",
            )
        )
    found: CheckpointCheck | None = None
    if checkpoint is not None:
        problem = None if failures else _checkpoint_problem(tx, checkpoint, rebuilt)
        found = CheckpointCheck(checkpoint, not failures and problem is None, signed_by)
        if problem is not None:
            failures.append(("checkpoint", *problem))
    if not failures:
        failures += _issued_problems(issued, rebuilt)
    if not failures:
        failures += [("guards", None, p.problem) for p in tx.guards.problems()[:1]]
    root = rebuilt.root() if rebuilt.problem is None else None
    if not failures:
        return VerifyReport(True, count, head_hash, None, None, root, found)
    check, position, problem_text = failures[0]
    return VerifyReport(False, count, head_hash, position, problem_text, root, found, check)


Walked = tuple[Chain, str | None, tree.TreeCheck, IndexCheck]  # the chain, the held head's hash, the rest


def _walk(
    tx: Transaction,
    expected_head: tuple[str, int] | None,
    sizes: list[int],
    progress: OnProgress | None = None,
    head: int | None = None,
) -> Walked:
    """Read the log in this process, page by page: the chain, the tree's leaves and the index
    (`progress`: the events read of `head`)."""
    chain, held = Chain(), None
    rebuilt = tree.TreeCheck(tx, roots_at=sizes)
    index = IndexCheck(tx)
    try:
        for page in tx.log.pages():
            events = []
            for row in page:
                event = decoded(row)
                chain.add(row, event)
                rebuilt.add(row[7])
                if expected_head and row[0] == expected_head[1]:
                    held = row[7]
                if event is not None:
                    events.append(event)
            if chain.problem is None:  # the index of a broken chain is not worth comparing
                index.page(events)
            if progress is not None:
                progress(EVENTS, chain.count, head)
    except Unreadable as e:  # a row the database cannot read back
        if chain.problem is None:
            chain.problem = (e.position, f"the row cannot be read back: {e.reason}")
    return chain, held, rebuilt, index


def _walk_in_workers(
    tx: Transaction,
    url: str,
    head: int,
    expected_head: tuple[str, int] | None,
    sizes: list[int],
    progress: OnProgress | None = None,
) -> Walked:
    """`_walk`, with the stretches of positions 1..head read and checked by workers and joined here in
    position order; this process rebuilds the tree. Rows past `head` (committed since) are not read,
    as `tx`'s snapshot would not show them."""
    chain, held, last_read = Chain(), None, 0
    rebuilt = tree.TreeCheck(tx, roots_at=sizes)
    index = IndexCheck(tx)
    held_at = expected_head[1] if expected_head else None
    for stretch in verify_workers.stretches(url, head, held_at):
        if stretch.opening is not None:
            chain.join(stretch.opening, stretch.rows, stretch.end[1:], stretch.problem)
            rebuilt.add_leaves(stretch.leaves)
            if stretch.held is not None:
                held = stretch.held
            if not stretch.stale:
                index.took(stretch.index_problem, stretch.corrections)
            elif chain.problem is None:  # (else the chain's break is what is reported)
                _index_again(tx, index, stretch.first, stretch.end[0])
            last_read = stretch.end[0]
            if progress is not None:
                progress(EVENTS, last_read, head)
        if stretch.unreadable is not None:
            if stretch.opening is None and last_read + 1 != stretch.first:
                # Which position one process would name depends on the rows before: read it all here.
                return _walk(tx, expected_head, sizes, progress, head)
            if chain.problem is None:
                position, reason = stretch.unreadable
                chain.problem = (position, f"the row cannot be read back: {reason}")
            break
    return chain, held, rebuilt, index


def _index_again(tx: Transaction, index: IndexCheck, first: int, last: int) -> None:
    """Check the index of positions first..last in this transaction (a worker saw a later snapshot)."""
    for page in tx.log.pages(since=first - 1, upto=last):
        index.page([event for event in map(decoded, page) if event is not None])


def _issued_problems(issued: list[tuple[int, int, bytes]], rebuilt: tree.TreeCheck) -> list[Failure]:
    """The first checkpoint the ledger recorded as issued whose tree the log no longer holds."""
    for seq, size, root in issued:
        if size > rebuilt.size:
            return [
                (
                    "issued",
                    rebuilt.size + 1,
                    f"the checkpoint issued as #{seq} names {size} events; the ledger holds {rebuilt.size}",
                )
            ]
        if rebuilt.roots.get(size) != root:
            return [
                (
                    "issued",
                    None,
                    f"the checkpoint issued as #{seq} (of {size} events) does not match the log's tree "
                    "at that size",
                )
            ]
    return []


def _checkpoint_problem(
    tx: Transaction, checkpoint: Checkpoint, rebuilt: tree.TreeCheck
) -> tuple[int | None, str] | None:
    """Why the ledger does not hold the tree `checkpoint` names (its log and stored tree already agree),
    or None: the root rebuilt from the log at its size must be its root, and a consistency proof from
    it to the whole tree, read from the stored nodes, must check out."""
    size, events = checkpoint.size, rebuilt.size
    named = f"the checkpoint {checkpoint.origin}@{size}"
    if size > events:
        return events + 1, f"{named} names {size} events; the ledger holds {events}: events were removed"
    if rebuilt.roots.get(size) != checkpoint.root:
        return None, (
            f"the ledger no longer holds the tree {named} names: some of its first {size} events "
            "were rewritten or replaced"
        )
    if size == 0:
        return None
    try:
        proof = tree.consistency_proof(tx, size, events)
        verify_consistency(size, events, checkpoint.root, rebuilt.root(), proof)
    except (ProofError, IntegrityFailure) as e:
        return None, f"no consistency proof from {named} to this ledger checks out: {e}"
    return None
