"""Checkpoints of the log's Merkle tree and proofs against them, inside one transaction: issuing (and
recording) a checkpoint, an event's inclusion proof against a checkpoint the ledger issued, and a
consistency proof between two sizes. Every proof is checked with `ledger.transparency.proof` before it
is handed out.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ledger import tree
from ledger.errors import IntegrityFailure, InvalidArgument, InvalidDocument, NoCheckpoint, UnknownEvent
from ledger.store.connection import Transaction
from ledger.store.tree import IssuedCheckpoint
from ledger.times import next_recorded_at
from ledger.transparency import merkle, note
from ledger.transparency.checkpoint import Checkpoint, CheckpointError, check_origin
from ledger.transparency.proof import ProofError, TlogProof, verify_consistency, verify_inclusion

DEFAULT_ORIGIN = "ledger"  # the origin of an unsigned checkpoint issued without one


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


@dataclass(frozen=True, slots=True)
class InclusionProof:
    """An event's inclusion proof against a checkpoint the ledger issued."""

    position: int
    event_id: str
    event_hash: str
    hashes: tuple[bytes, ...]
    checkpoint: IssuedCheckpoint

    def tlog_proof(self) -> str:
        """The proof in c2sp.org/tlog-proof form, its checkpoint as issued."""
        return TlogProof(self.position - 1, self.hashes, self.checkpoint.note).text()

    def to_json(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "index": self.position - 1,
            "event_id": self.event_id,
            "event_hash": self.event_hash,
            "tree_size": self.checkpoint.tree_size,
            "root": _b64(self.checkpoint.root),
            "proof": [_b64(h) for h in self.hashes],
            "checkpoint": self.checkpoint.note,
        }


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    """A consistency proof from the tree of `old_size` events to that of `new_size`, with the checkpoints
    the ledger issued at those sizes, if any."""

    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    hashes: tuple[bytes, ...]
    old_checkpoint: str | None
    new_checkpoint: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "old_size": self.old_size,
            "new_size": self.new_size,
            "old_root": _b64(self.old_root),
            "new_root": _b64(self.new_root),
            "proof": [_b64(h) for h in self.hashes],
            "old_checkpoint": self.old_checkpoint,
            "new_checkpoint": self.new_checkpoint,
        }


def _log_size(tx: Transaction) -> int:
    size = tx.log.head().position
    last = tx.tree.last_node()
    if size not in tree.covered(last):
        message = f"the Merkle tree stops at {last} of the log's {size} events"
        raise IntegrityFailure(message, position=min(last, size) + 1)
    return size


def issue(
    tx: Transaction, signers: Sequence[note.Signer] = (), origin: str | None = None
) -> IssuedCheckpoint:
    """Issue a checkpoint of the whole log, signed by `signers` (none: the bare checkpoint text), and
    record it. The origin defaults to the first signer's key name. Refuses to sign while the tree no
    longer holds the last checkpoint the ledger issued (c2sp.org/tlog-checkpoint: a log never signs
    two inconsistent checkpoints)."""
    size = _log_size(tx)
    latest = tx.tree.latest_checkpoint()
    if latest is not None and (latest.tree_size > size or tree.root(tx, latest.tree_size) != latest.root):
        raise IntegrityFailure(
            f"the log no longer holds the tree of checkpoint {latest.seq} (size {latest.tree_size}), "
            "issued earlier: no checkpoint is signed over a rewritten log",
            position=min(latest.tree_size, size + 1),
        )
    chosen = origin if origin is not None else (signers[0].name if signers else DEFAULT_ORIGIN)
    try:
        check_origin(chosen)
    except CheckpointError as e:
        raise InvalidArgument(str(e), parameter="origin") from None
    root = tree.root(tx, size)
    text = Checkpoint(chosen, size, root).text()
    printed = note.sign(text, signers).render() if signers else text
    issued_at = next_recorded_at(latest.issued_at if latest is not None else None)
    seq = tx.tree.record_checkpoint(chosen, size, root, printed, issued_at)
    return IssuedCheckpoint(seq, chosen, size, root, printed, issued_at)


def _position(tx: Transaction, event: str | int, head: int) -> int:
    if isinstance(event, int) or event.isdigit():
        position = int(event)
        if not 1 <= position <= head:
            raise UnknownEvent(f"no event at position {position} (the log holds {head})")
        return position
    located = tx.log.locate([event.lower()])
    if not located:
        raise UnknownEvent(f"no event has id {event}")
    return next(iter(located.values()))[0]


def prove_inclusion(tx: Transaction, event: str | int, size: int | None = None) -> InclusionProof:
    """The inclusion proof of `event` (an id or a position) against the latest checkpoint the ledger
    issued, or the latest of tree size `size`."""
    position = _position(tx, event, _log_size(tx))
    issued = tx.tree.latest_checkpoint(size)
    if issued is None:
        which = f"of size {size}" if size is not None else "yet"
        raise NoCheckpoint(f"no checkpoint {which} has been issued; `ledger checkpoint` issues one")
    if position > issued.tree_size:
        raise NoCheckpoint(
            f"the event at position {position} came after the checkpoint of size {issued.tree_size}; "
            "`ledger checkpoint` issues one that holds it"
        )
    hashes = tree.inclusion_proof(tx, position, issued.tree_size)
    found = tx.log.id_and_hash(position)
    if found is None:
        raise IntegrityFailure(f"position {position} is missing", position=position)
    event_id, event_hash = found
    try:  # the tree must still hold the root the ledger signed
        leaf = merkle.leaf_hash(bytes.fromhex(event_hash))
        verify_inclusion(position - 1, issued.tree_size, leaf, hashes, issued.root)
    except ProofError as e:
        raise IntegrityFailure(f"checkpoint {issued.seq}: {e}", position=position) from None
    return InclusionProof(position, event_id, event_hash, tuple(hashes), issued)


def prove_consistency(tx: Transaction, old: int, new: int | None = None) -> ConsistencyProof:
    """The consistency proof from the tree of the first `old` events to the first `new` (default: all)."""
    size = _log_size(tx)
    new = size if new is None else new
    if not 0 <= new <= size:
        raise InvalidArgument(
            f"the log holds {size} events; there is no tree of size {new}", parameter="size"
        )
    if not 1 <= old <= new:
        raise InvalidArgument(f"expected an old size from 1 to {new}, got {old}", parameter="consistency")
    hashes = tree.consistency_proof(tx, old, new)
    old_root, new_root = tree.root(tx, old), tree.root(tx, new)
    try:
        verify_consistency(old, new, old_root, new_root, hashes)
    except ProofError as e:
        raise IntegrityFailure(f"the stored tree: {e}", position=old) from None
    old_issued, new_issued = tx.tree.latest_checkpoint(old), tx.tree.latest_checkpoint(new)
    return ConsistencyProof(
        old,
        new,
        old_root,
        new_root,
        tuple(hashes),
        old_issued.note if old_issued is not None and old_issued.root == old_root else None,
        new_issued.note if new_issued is not None and new_issued.root == new_root else None,
    )


def read_signer(text: str, source: str = "sign") -> note.Signer:
    """A signer key as `ledger key generate` writes it."""
    try:
        return note.parse_signer(text)
    except note.NoteError as e:
        raise InvalidDocument(str(e), source=source) from None
