"""The tree and its proofs against transparency-dev/merkle's public vectors
(tests/data/transparency-dev-merkle): every probe gets its expected verdict, the 8-leaf reference tree
has the published root at every size, and the proofs this code builds for that tree are accepted,
while any flipped bit is refused."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from ledger.transparency import merkle
from ledger.transparency.proof import ProofError, verify_consistency, verify_inclusion

DATA = Path(__file__).resolve().parents[1] / "data" / "transparency-dev-merkle"
INCLUSION = sorted((DATA / "testdata" / "inclusion").rglob("*.json"))
CONSISTENCY = sorted((DATA / "testdata" / "consistency").rglob("*.json"))


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def name(path: Path) -> str:
    return str(path.relative_to(DATA / "testdata"))


def test_every_probe_is_there():
    assert len(INCLUSION) + len(CONSISTENCY) == 196


@pytest.mark.parametrize("path", INCLUSION, ids=name)
def test_inclusion_probe_gets_its_verdict(path: Path):
    probe = json.loads(path.read_text())
    proof = [b64(p) for p in probe["proof"] or []]
    args = (probe["leafIdx"], probe["treeSize"], b64(probe["leafHash"]), proof, b64(probe["root"]))
    if probe["wantErr"]:
        with pytest.raises(ProofError):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)


@pytest.mark.parametrize("path", CONSISTENCY, ids=name)
def test_consistency_probe_gets_its_verdict(path: Path):
    probe = json.loads(path.read_text())
    proof = [b64(p) for p in probe["proof"] or []]
    args = (probe["size1"], probe["size2"], b64(probe["root1"]), b64(probe["root2"]), proof)
    if probe["wantErr"]:
        with pytest.raises(ProofError):
            verify_consistency(*args)
    else:
        verify_consistency(*args)


def _reference() -> tuple[list[bytes], list[list[bytes]], list[bytes]]:
    """The leaf inputs, node hashes by level and roots by size of testonly/constants.go."""
    source = (DATA / "testonly" / "constants.go").read_text()

    def hexes(function: str) -> str:
        return source.split(f"func {function}()", 1)[1].split("\n}\n", 1)[0]

    leaves = [bytes.fromhex(h) for h in re.findall(r'hd\("([0-9a-f]*)"\)', hexes("LeafInputs"))]
    levels = [
        [bytes.fromhex(h) for h in re.findall(r'hd\("([0-9a-f]+)"\)', block)]
        for block in hexes("NodeHashes").split("}, {")
    ]
    roots = [merkle.EMPTY_ROOT] + [
        bytes.fromhex(h) for h in re.findall(r'hd\("([0-9a-f]+)"\)', hexes("RootHashes"))
    ]
    empty = re.search(r'func EmptyRootHash\(\) \[\]byte \{\n\treturn hd\("([0-9a-f]+)"\)', source)
    assert empty and bytes.fromhex(empty.group(1)) == merkle.EMPTY_ROOT
    return leaves, levels, roots


LEAVES, LEVELS, ROOTS = _reference()


def test_the_reference_tree_is_read_whole():
    assert (len(LEAVES), [len(level) for level in LEVELS], len(ROOTS)) == (8, [8, 4, 2, 1], 9)


@pytest.mark.parametrize("size", range(9))
def test_the_root_of_every_prefix_of_the_reference_tree(size: int):
    tree = merkle.Tree()
    tree.extend(LEAVES[:size])
    assert tree.root() == ROOTS[size]
    assert merkle.root_of(LEAVES[:size]) == ROOTS[size]


def test_the_tree_completes_the_reference_nodes_in_order():
    completed = merkle.Tree().extend(LEAVES)
    for size, level, digest in completed:
        index = (size >> level) - 1
        assert LEVELS[level][index] == digest, (level, index)
    assert len(completed) == sum(len(level) for level in LEVELS)


def _stored() -> dict[merkle.Node, bytes]:
    return {(level, index): h for level, hashes in enumerate(LEVELS) for index, h in enumerate(hashes)}


def _inclusion(index: int, size: int) -> list[bytes]:
    return merkle.hash_ranges(merkle.inclusion_ranges(index, size), _stored())


def _consistency(old: int, new: int) -> list[bytes]:
    return merkle.hash_ranges(merkle.consistency_ranges(old, new), _stored())


def test_every_inclusion_proof_of_the_reference_tree_verifies():
    for size in range(1, 9):
        for index in range(size):
            leaf = merkle.leaf_hash(LEAVES[index])
            verify_inclusion(index, size, leaf, _inclusion(index, size), ROOTS[size])


def test_every_consistency_proof_of_the_reference_tree_verifies():
    for new in range(1, 9):
        for old in range(1, new + 1):
            verify_consistency(old, new, ROOTS[old], ROOTS[new], _consistency(old, new))


def _flip(value: bytes, bit: int) -> bytes:
    flipped = bytearray(value)
    flipped[bit // 8] ^= 1 << (bit % 8)
    return bytes(flipped)


def test_flipping_any_bit_of_an_inclusion_proof_its_leaf_or_its_root_fails_it():
    index, size = 2, 7
    proof, leaf, root = _inclusion(index, size), merkle.leaf_hash(LEAVES[index]), ROOTS[size]
    for bit in range(256):
        for i in range(len(proof)):
            bad = [*proof[:i], _flip(proof[i], bit), *proof[i + 1 :]]
            with pytest.raises(ProofError):
                verify_inclusion(index, size, leaf, bad, root)
        with pytest.raises(ProofError):
            verify_inclusion(index, size, _flip(leaf, bit), proof, root)
        with pytest.raises(ProofError):
            verify_inclusion(index, size, leaf, proof, _flip(root, bit))
    # A size whose path has the same shape (6 or 8 here) leads to the same root: the size is bound by the
    # signed checkpoint the root comes from, not by the path.
    for other_index, other_size in ((index ^ 1, size), (index, size * 2), (index, size // 2 + 1), (index, 3)):
        with pytest.raises(ProofError):
            verify_inclusion(other_index, other_size, leaf, proof, root)


def test_flipping_any_bit_of_a_consistency_proof_or_its_roots_fails_it():
    old, new = 3, 7
    proof = _consistency(old, new)
    for bit in range(256):
        for i in range(len(proof)):
            bad = [*proof[:i], _flip(proof[i], bit), *proof[i + 1 :]]
            with pytest.raises(ProofError):
                verify_consistency(old, new, ROOTS[old], ROOTS[new], bad)
        with pytest.raises(ProofError):
            verify_consistency(old, new, _flip(ROOTS[old], bit), ROOTS[new], proof)
        with pytest.raises(ProofError):
            verify_consistency(old, new, ROOTS[old], _flip(ROOTS[new], bit), proof)
    for other_old, other_new in ((old + 1, new), (old - 1, new), (old, new * 2), (old, 4)):
        with pytest.raises(ProofError):
            verify_consistency(other_old, other_new, ROOTS[old], ROOTS[new], proof)
