"""Checking what the ledger hands out, with no ledger at all: a signed checkpoint (its text and its
signatures) and an exported event's inclusion proof against it. Reads no database and imports no store:
this is what `ledger check-proof` runs, and what anyone else can redo (docs/TRANSPARENCY.md).

Malformed input raises `InvalidDocument` naming the parameter it came in (exit 3 on the command line); a
proof or a signature that does not check out raises `ProofFailed` (exit 5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from ledger.errors import InvalidArgument, InvalidDocument, ProofFailed
from ledger.hashing import event_hash
from ledger.transparency import merkle, note
from ledger.transparency.checkpoint import Checkpoint, CheckpointError, parse_checkpoint
from ledger.transparency.proof import ProofError, b64_hash, parse_tlog_proof, verify_inclusion


def read_verifiers(texts: Sequence[str], source: str = "key") -> list[note.Verifier]:
    """Verifier keys, as `ledger key generate` prints them."""
    try:
        return [note.parse_verifier(text) for text in texts]
    except note.NoteError as e:
        raise InvalidDocument(str(e), source=source) from None


def verifiers(keys: Sequence[str | note.Verifier]) -> list[note.Verifier]:
    """Verifier keys given as objects or as text (`read_verifiers`), the objects first."""
    return [k for k in keys if isinstance(k, note.Verifier)] + read_verifiers(
        [k for k in keys if isinstance(k, str)]
    )


def read_checkpoint(
    text: str, verifiers: Sequence[note.Verifier] = (), source: str = "checkpoint"
) -> tuple[Checkpoint, tuple[str, ...]]:
    """The checkpoint a signed note (or, without `verifiers`, a bare checkpoint text) holds, and the names
    of the `verifiers` whose signatures on it verified. With verifiers, at least one must have signed it,
    and no signature by one of them may fail (c2sp.org/signed-note)."""
    parsed: note.Note | None = None
    try:
        if "\n\n" in text:
            parsed = note.parse_note(text)
        checkpoint = parse_checkpoint(parsed.text if parsed is not None else text)
    except (note.NoteError, CheckpointError) as e:
        raise InvalidDocument(str(e), source=source) from None
    if not verifiers:
        return checkpoint, ()
    if parsed is None:
        raise ProofFailed("the checkpoint carries no signature", source=source)
    try:
        verified = note.verify(parsed, verifiers)
    except note.NoteError as e:
        raise ProofFailed(str(e), source=source) from None
    return checkpoint, tuple(v.name for v in verified)


@dataclass(frozen=True, slots=True)
class Inclusion:
    """What a checked inclusion proof established: the event at `position` is in the tree `checkpoint`
    names, which the keys `signed_by` signed."""

    position: int
    event_id: str
    event_hash: str
    checkpoint: Checkpoint
    signed_by: tuple[str, ...]


def _event(data: bytes) -> tuple[dict[str, Any], str, int]:
    """An exported event, its hash recomputed from its content, and its position."""
    try:
        event = orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise InvalidDocument(f"not one JSON object: {e}", source="event") from None
    if not isinstance(event, dict):
        raise InvalidDocument(
            "not a JSON object (an exported event, one line of `ledger export`)", source="event"
        )
    position, claimed = event.get("position"), event.get("hash")
    if type(position) is not int or position < 1 or not isinstance(claimed, str):
        raise InvalidDocument("an exported event has a `position` and a `hash`", source="event")
    digest = event_hash({k: v for k, v in event.items() if k != "hash"})
    if digest != claimed:
        raise ProofFailed("the event's content does not hash to its `hash`: it was changed", source="event")
    return event, digest, position


def _proof(text: str) -> tuple[int, list[bytes], str]:
    """(leaf index, hashes, the checkpoint it came with) of a tlog-proof or of `prove --json`."""
    try:
        if text.lstrip().startswith("{"):
            data = orjson.loads(text)
            index, hashes, embedded = data["index"], data["proof"], data["checkpoint"]
            if type(index) is not int or not isinstance(hashes, list) or not isinstance(embedded, str):
                raise ProofError("`index` is a number, `proof` a list, `checkpoint` a string")
            return index, [b64_hash(h, f"proof[{i}]") for i, h in enumerate(hashes)], embedded
        parsed = parse_tlog_proof(text)
        return parsed.index, list(parsed.hashes), parsed.checkpoint
    except (ProofError, orjson.JSONDecodeError, KeyError, TypeError) as e:
        reason = f"missing {e}" if isinstance(e, KeyError) else str(e)
        raise InvalidDocument(
            f"not a tlog-proof nor `prove --json` output: {reason}", source="proof"
        ) from None


def check_inclusion(
    event: bytes, proof: str, checkpoint: str | None, verifiers: Sequence[note.Verifier]
) -> Inclusion:
    """Check that the exported `event` is in the tree a checkpoint signed by one of `verifiers` names:
    `checkpoint` if given (it must name the tree the proof is for), else the one the proof carries."""
    if not verifiers:
        raise InvalidArgument(
            "give at least one verifier key: a checkpoint is worth its signer", parameter="keys"
        )
    exported, digest, position = _event(event)
    index, hashes, embedded = _proof(proof)
    if checkpoint is None:
        named, signed_by = read_checkpoint(embedded, verifiers, source="proof")
    else:
        named, signed_by = read_checkpoint(checkpoint, verifiers)
        carried, _ = read_checkpoint(embedded, (), source="proof")
        if carried.size != named.size:
            raise ProofFailed(
                f"the proof is for the tree of size {carried.size}; the checkpoint names size {named.size} "
                f"(ask for `ledger prove {position} --size {named.size}`)",
                source="proof",
            )
        if carried.root != named.root:
            raise ProofFailed(
                f"the proof's checkpoint and the given one name two different trees of size {named.size}",
                source="proof",
            )
    if index != position - 1:
        raise ProofFailed(
            f"the proof is for the event at position {index + 1}; this event is at position {position}",
            source="proof",
        )
    try:
        verify_inclusion(index, named.size, merkle.leaf_hash(bytes.fromhex(digest)), hashes, named.root)
    except ProofError as e:
        raise ProofFailed(str(e), source="proof") from None
    return Inclusion(position, str(exported.get("id")), digest, named, signed_by)
