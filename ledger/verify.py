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

import orjson

from ledger import tree
from ledger.errors import IntegrityFailure, InvalidArgument
from ledger.hashing import GENESIS_HASH, event_hash
from ledger.store.connection import Transaction
from ledger.store.log import BODY_KEYS, event_of
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
    """The outcome of `verify`: ok, or the first bad position and what is wrong there."""

    ok: bool
    events: int
    head_hash: str
    first_bad_position: int | None  # None when ok, or when a checkpoint's tree is no longer held
    problem: str | None = None
    tree_root: bytes | None = None  # the root of the Merkle tree rebuilt from the log
    checkpoint: CheckpointCheck | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "head_hash": self.head_hash,
            "first_bad_position": self.first_bad_position,
            "problem": self.problem,
            "tree_root": base64.b64encode(self.tree_root).decode() if self.tree_root is not None else None,
            "checkpoint": self.checkpoint.to_json() if self.checkpoint is not None else None,
        }


def parse_head(head: str) -> tuple[str, int]:
    """HASH@POSITION, as saved from an earlier `verify`."""
    digest, sep, position = head.partition("@")
    if not sep or not position.isdigit() or len(digest) != 64:
        raise InvalidArgument(
            f"expected HASH@POSITION (64 hex digits @ a position), got {head!r}", parameter="head"
        )
    return digest.lower(), int(position)


def _recomputed_hash(row: Any) -> str | None:
    """The hash the row's content should have, or None if its body cannot be an event's: not JSON, or
    holding what the exported form would not show (an unknown key, a null note)."""
    try:
        body = orjson.loads(row[5])
        if not isinstance(body, dict) or not BODY_KEYS.issuperset(body) or body.get("note", "") is None:
            return None
        return event_hash(event_of(row, body).hashed_form())
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


def verify_chain(
    tx: Transaction,
    expected_head: tuple[str, int] | None,
    checkpoint: Checkpoint | None = None,
    signed_by: tuple[str, ...] = (),
) -> VerifyReport:
    """Recompute the chain from position 1 and the Merkle tree from its hashes; with `expected_head` also
    check that head is still held, with `checkpoint` that the tree it names still is (`signed_by`: the
    keys whose signatures on it were verified, for the report)."""
    # Read before the events: on PostgreSQL each statement sees what is committed when it starts, and
    # the checkpoint never passes the committed head, so a concurrent writer cannot make it look ahead.
    built = tx.projections.checkpoint()
    prev_hash, last_recorded, count = GENESIS_HASH, "", 0
    bad: tuple[int, str] | None = None
    held: str | None = None
    rebuilt = tree.TreeCheck(tx, roots_at=[checkpoint.size] if checkpoint is not None else [])
    for row in tx.log.rows():
        position, recorded_at, stored_prev, stored_hash = row[0], row[4], row[6], row[7]
        if bad is None:
            expected = count + 1
            if position != expected:
                bad = (expected, f"position {expected} is missing (found {position})")
            elif stored_prev != prev_hash:
                bad = (position, "prev_hash does not match the previous event's hash")
            elif recorded_at < last_recorded:
                bad = (position, "recorded_at goes back in time")
            elif _recomputed_hash(row) != stored_hash:
                bad = (position, "hash does not match the event's content")
        count += 1
        rebuilt.add(stored_hash)
        prev_hash, last_recorded = stored_hash, recorded_at
        if expected_head and position == expected_head[1]:
            held = stored_hash
    head_hash = prev_hash
    if bad is None and built > count:
        # A tripwire, not a proof (whoever cuts the log can rewind this too; `--head` is the proof).
        bad = (count + 1, f"position {count + 1} is missing: the projections were built from {built} events")
    if bad is None:
        bad = rebuilt.finish()
    if bad is None and expected_head is not None and held != expected_head[0]:
        bad = (
            expected_head[1],
            f"the ledger no longer holds head {expected_head[0][:12]}… at position {expected_head[1]}",
        )
    found: CheckpointCheck | None = None
    if checkpoint is not None:
        problem = None if bad is not None else _checkpoint_problem(tx, checkpoint, rebuilt)
        found = CheckpointCheck(checkpoint, bad is None and problem is None, signed_by)
        if bad is None and problem is not None:
            bad = problem
    root = rebuilt.root() if rebuilt.problem is None else None
    if bad is None:
        return VerifyReport(True, count, head_hash, None, None, root, found)
    return VerifyReport(False, count, head_hash, bad[0], bad[1], root, found)


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
