"""Properties of the tree, in memory, over random sizes: grown in random chunks it is the tree built at
once and has the root of RFC 6962's recursive definition; every inclusion and consistency proof made from
its complete subtrees checks out with the RFC 9162 verifier, and none checks out for another leaf or root."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.transparency import merkle
from ledger.transparency.proof import ProofError, verify_consistency, verify_inclusion


def leaves_of(n: int) -> list[bytes]:
    return [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(n)]


def grown(chunks: list[int]) -> tuple[list[bytes], merkle.Tree, list[merkle.NodeRow]]:
    leaves = leaves_of(sum(chunks))
    tree, rows, at = merkle.Tree(), [], 0
    for n in chunks:
        # each chunk starts from the frontier alone, as a new transaction does from the stored nodes
        frontier = {(level, (size >> level) - 1): h for size, level, h in rows}
        tree = merkle.Tree(at, [frontier[node] for node in merkle.frontier(at)])
        rows += tree.extend(leaves[at : at + n])
        at += n
    return leaves, tree, rows


def stored(rows: list[merkle.NodeRow]) -> dict[merkle.Node, bytes]:
    return {(level, (size >> level) - 1): h for size, level, h in rows}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=6))
def test_a_tree_grown_in_chunks_is_the_tree_built_at_once(chunks):
    leaves, tree, rows = grown(chunks)

    assert rows == merkle.Tree().extend(leaves)
    assert tree.root() == merkle.root_of(leaves)
    assert len(rows) == 2 * len(leaves) - bin(len(leaves)).count("1")  # every complete subtree, once


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=130), st.data())
def test_every_proof_from_stored_subtrees_checks_out_and_no_other(size, data):
    leaves, _, rows = grown([size])
    nodes = stored(rows)
    roots = [merkle.root_of(leaves[:n]) for n in range(size + 1)]
    tree_size = data.draw(st.integers(min_value=1, max_value=size), label="tree size")

    for index in range(tree_size):
        proof = merkle.hash_ranges(merkle.inclusion_ranges(index, tree_size), nodes)
        verify_inclusion(index, tree_size, merkle.leaf_hash(leaves[index]), proof, roots[tree_size])
        assert len(proof) <= (tree_size - 1).bit_length()
        other = (index + 1) % tree_size
        if other != index:
            try:
                verify_inclusion(index, tree_size, merkle.leaf_hash(leaves[other]), proof, roots[tree_size])
            except ProofError:
                pass
            else:
                raise AssertionError(f"leaf {other} passed as leaf {index}")
    for old in range(1, tree_size + 1):
        proof = merkle.hash_ranges(merkle.consistency_ranges(old, tree_size), nodes)
        verify_consistency(old, tree_size, roots[old], roots[tree_size], proof)
        if old < tree_size:
            try:
                verify_consistency(
                    old, tree_size, roots[old - 1] if old > 1 else b"\0" * 32, roots[tree_size], proof
                )
            except ProofError:
                pass
            else:
                raise AssertionError(f"another old root passed for size {old}")
