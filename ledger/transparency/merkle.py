"""The RFC 9162 (RFC 6962) Merkle tree over the log: its hashes, the tree grown one leaf at a time, and
which complete subtrees make up a root or a proof.

Leaf i is the event at position i + 1; its input is the event's 32-byte hash. A *node* is a complete
subtree, named `(level, index)`: the 2**level leaves from leaf `index * 2**level` on. It is complete once
the tree holds `(index + 1) * 2**level` leaves, which is where the store keeps it (`completed_at`), so
the nodes of a tree are exactly those completed at or before its size, and a grown tree only adds
nodes. Any root, and any element of a proof, is the Merkle hash of a range of leaves that splits into a
few such nodes (`subtrees`), so a proof never needs more than O(log n) stored nodes.

The proofs are built here by RFC 6962's recursive definitions (PATH, SUBPROOF); they are checked by
`ledger.transparency.proof`, written from RFC 9162's iterative algorithms instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()  # the root of the tree of no leaves

Node = tuple[int, int]  # (level, index)
Range = tuple[int, int]  # leaves [start, end)
NodeRow = tuple[int, int, bytes]  # (completed_at, level, hash): a node as the store keeps it


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def completed_at(node: Node) -> int:
    """The tree size at which the node becomes complete (where the store keeps it)."""
    level, index = node
    return (index + 1) << level


def largest_power_of_two_below(n: int) -> int:
    """k of RFC 6962: the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def subtrees(start: int, end: int) -> list[Node]:
    """The complete subtrees that make up leaves [start, end), left to right, largest first. `start` is
    a multiple of a power of two at least `end - start`, as every range of RFC 6962's splits is."""
    nodes = []
    while start < end:
        level = (end - start).bit_length() - 1
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """The Merkle hash of a range from the hashes of its `subtrees`: RFC 6962 splits a range at its
    largest power of two, so the right-hand part folds first."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def frontier(size: int) -> list[Node]:
    """The complete subtrees of a tree of `size` leaves, largest first: what it takes to append to it,
    and to compute its root."""
    return subtrees(0, size)


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The ranges whose Merkle hashes are the inclusion proof of leaf `index` in a tree of `size` leaves
    (RFC 6962 PATH), from the leaf's sibling up to the root's child."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    ranges = []
    start, end = 0, size
    while end - start > 1:
        k = largest_power_of_two_below(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    return ranges[::-1]


def consistency_ranges(old: int, new: int) -> list[Range]:
    """The ranges whose Merkle hashes are the consistency proof from the tree of `old` leaves to the tree
    of `new` leaves (RFC 6962 PROOF, by SUBPROOF). Empty when old == new; old == 0 has no proof."""
    if not 0 < old <= new:
        raise ValueError(f"no consistency proof from size {old} to size {new}")
    ranges = []
    start, end, m, whole = 0, new, old, True
    while m != end - start:
        k = largest_power_of_two_below(end - start)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        ranges.append((start, end))
    return ranges[::-1]


def nodes_of(ranges: Iterable[Range]) -> set[Node]:
    """Every stored node it takes to hash these ranges."""
    return {node for start, end in ranges for node in subtrees(start, end)}


def hash_ranges(ranges: Iterable[Range], nodes: Mapping[Node, bytes]) -> list[bytes]:
    """The Merkle hash of each range, from the hashes of its subtrees (KeyError if one is missing)."""
    return [fold([nodes[node] for node in subtrees(start, end)]) for start, end in ranges]


class Tree:
    """A tree kept by its frontier alone: appending leaves yields the nodes each one completes.

    O(log n) memory: the nodes still waiting for a right sibling. Appending n leaves hashes each leaf once
    and completes at most n - 1 inner nodes."""

    def __init__(self, size: int = 0, frontier_hashes: Sequence[bytes] = ()) -> None:
        """A tree of `size` leaves, from the hashes of `frontier(size)`, largest first."""
        nodes = frontier(size)
        if len(nodes) != len(frontier_hashes):
            raise ValueError(f"a tree of {size} leaves has {len(nodes)} frontier nodes")
        self.size = size
        self._waiting = {level: h for (level, _), h in zip(nodes, frontier_hashes, strict=True)}

    def extend(self, leaves: Iterable[bytes], leaves_too: bool = True) -> list[NodeRow]:
        """Append leaves (their inputs); returns the nodes completed, in order, as the store keeps them
        (without the leaves' own, level 0, unless `leaves_too`)."""
        sha256 = hashlib.sha256
        waiting = self._waiting
        size = self.size
        completed: list[NodeRow] = []
        add = completed.append
        for leaf in leaves:
            digest = sha256(b"\x00" + leaf).digest()
            index, level = size, 0
            size += 1
            if leaves_too:
                add((size, 0, digest))
            while index & 1:  # a right child: its left sibling is waiting
                digest = sha256(b"\x01" + waiting.pop(level) + digest).digest()
                index >>= 1
                level += 1
                add((size, level, digest))
            waiting[level] = digest
        self.size = size
        return completed

    def root(self) -> bytes:
        return fold([self._waiting[level] for level in sorted(self._waiting, reverse=True)])


def root_of(leaves: Sequence[bytes]) -> bytes:
    """MTH of RFC 6962, straight from its recursive definition (for checking the rest)."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    k = largest_power_of_two_below(len(leaves))
    return node_hash(root_of(leaves[:k]), root_of(leaves[k:]))
