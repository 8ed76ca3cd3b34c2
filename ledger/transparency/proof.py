"""Checking inclusion and consistency proofs, and the text form of an inclusion proof (c2sp.org/tlog-proof).

The checks follow RFC 9162's iterative algorithms (sections 2.1.3.2 and 2.1.4.2), not the recursive
definitions `ledger.transparency.merkle` builds proofs with, so each side checks the other. They give the
verdicts of transparency-dev/merkle's public test probes (tests/data/transparency-dev-merkle): every
hash of a proof and the leaf hash must be 32 bytes; a consistency proof from the empty tree is refused;
two trees of the same size are consistent when their roots are the same bytes and the proof is empty.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

from ledger.transparency.merkle import HASH_SIZE, node_hash

TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1"


class ProofError(ValueError):
    """A proof does not check out, or cannot be read; the message says which."""


def _check_hashes(hashes: Sequence[bytes], what: str) -> None:
    for i, h in enumerate(hashes):
        if len(h) != HASH_SIZE:
            raise ProofError(f"{what}[{i}] is {len(h)} bytes, not {HASH_SIZE}")


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that an inclusion proof of the leaf hash `leaf` at `index` leads to (RFC 9162 2.1.3.2)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not below the tree size {size}")
    if len(leaf) != HASH_SIZE:
        raise ProofError(f"the leaf hash is {len(leaf)} bytes, not {HASH_SIZE}")
    _check_hashes(proof, "proof")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("the proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the proof is shorter than the path to the root")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Raise ProofError unless `proof` proves the leaf hash `leaf` is leaf `index` of the tree of `size`
    leaves whose root is `root`."""
    if root_from_inclusion(index, size, leaf, proof) != root:
        raise ProofError(f"the inclusion proof of leaf {index} does not lead to the root of size {size}")


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> None:
    """Raise ProofError unless `proof` proves the tree of `old` leaves with root `old_root` is a prefix of
    the tree of `new` leaves with root `new_root` (RFC 9162 2.1.4.2)."""
    if old <= 0:
        raise ProofError("a consistency proof from the empty tree proves nothing")
    if new < old:
        raise ProofError(f"the new size {new} is smaller than the old size {old}")
    if old == new:
        if proof:
            raise ProofError("trees of the same size need an empty proof")
        if old_root != new_root:
            raise ProofError(f"two different roots for the same size {old}")
        return
    if not proof:
        raise ProofError("the proof is empty")
    _check_hashes(proof, "proof")
    path = list(proof)
    if old & (old - 1) == 0:  # the old tree is a complete subtree: its root starts the path
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the proof is shorter than the path to the root")
    if fr != old_root:
        raise ProofError(f"the proof does not lead to the old root (size {old})")
    if sr != new_root:
        raise ProofError(f"the proof does not lead to the new root (size {new})")


# -- c2sp.org/tlog-proof ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TlogProof:
    """An inclusion proof with the checkpoint it is against, as c2sp.org/tlog-proof writes it."""

    index: int  # zero-based: the event at position index + 1
    hashes: tuple[bytes, ...]
    checkpoint: str  # the signed checkpoint note, verbatim
    extra: bytes | None = None

    def text(self) -> str:
        lines = [TLOG_PROOF_HEADER]
        if self.extra is not None:
            lines.append("extra " + base64.b64encode(self.extra).decode())
        lines.append(f"index {self.index}")
        lines += [base64.b64encode(h).decode() for h in self.hashes]
        return "\n".join(lines) + "\n\n" + self.checkpoint


def b64_hash(text: str, what: str) -> bytes:
    """A base64 hash as the formats write it: standard alphabet, padded, 32 bytes."""
    try:
        value = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ProofError(f"{what} is not base64: {text[:60]!r}") from None
    if base64.b64encode(value).decode() != text:
        raise ProofError(f"{what} is not canonical base64: {text[:60]!r}")
    if len(value) != HASH_SIZE:
        raise ProofError(f"{what} is {len(value)} bytes, not a {HASH_SIZE}-byte hash")
    return value


def decimal(text: str, what: str) -> int:
    """A non-negative ASCII decimal without leading zeroes, as the C2SP formats write sizes and indexes."""
    if not text.isascii() or not text.isdigit() or (len(text) > 1 and text[0] == "0") or len(text) > 20:
        raise ProofError(f"{what} is not a decimal number without leading zeroes: {text[:40]!r}")
    return int(text)


def parse_tlog_proof(text: str) -> TlogProof:
    """Read a c2sp.org/tlog-proof; the checkpoint after its blank line is kept verbatim (not checked)."""
    head, blank, checkpoint = text.partition("\n\n")
    if not blank:
        raise ProofError("no blank line between the proof and its checkpoint")
    lines = head.split("\n")
    if lines[0] != TLOG_PROOF_HEADER:
        raise ProofError(f"line 1 is not {TLOG_PROOF_HEADER!r}")
    at = 1
    extra = None
    if at < len(lines) and lines[at].startswith("extra "):
        try:
            extra = base64.b64decode(lines[at][len("extra ") :], validate=True)
        except (binascii.Error, ValueError):
            raise ProofError(f"line {at + 1}: the extra data is not base64") from None
        at += 1
    if at >= len(lines) or not lines[at].startswith("index "):
        raise ProofError(f"line {at + 1} is not `index N`")
    index = decimal(lines[at][len("index ") :], f"line {at + 1}: the index")
    hashes = tuple(b64_hash(line, f"line {at + 2 + i}") for i, line in enumerate(lines[at + 1 :]))
    return TlogProof(index, hashes, checkpoint, extra)
