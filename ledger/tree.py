"""The Merkle tree over the log, kept by the store: grown in the same transaction as the events it covers,
read for roots and proofs (O(log n) nodes each, two queries), and rebuilt from the log to check it.

The leaves are the events in position order, each leaf's input the event's 32-byte hash
(`ledger.transparency.merkle` has the math). The store keeps the inner nodes, every complete subtree of
two leaves or more; a leaf's hash is SHA-256(0x00 ‖ the event's hash), read from the log itself (storing
it too would double the rows an import writes). Inner nodes complete at every even size, so a tree that
covers n events has its last node at n - n % 2: `Appender` grows the tree with the log, and `ledger init`
builds it for a ledger from before it (`backfill`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from ledger.errors import IntegrityFailure, InvalidArgument, NotInitialised
from ledger.store.connection import Transaction
from ledger.transparency import merkle
from ledger.transparency.merkle import Node, NodeRow, Range

PAGE = 4096  # leaves hashed and nodes compared per step of a rebuild or a check


def covered(last_node: int) -> tuple[int, int]:
    """The sizes of the log a tree whose last stored node completed at `last_node` can cover."""
    return last_node, last_node + 1


def _inner(rows: list[NodeRow]) -> list[NodeRow]:
    return [row for row in rows if row[1] > 0]


def _hashes(tx: Transaction, nodes: Iterable[Node]) -> dict[Node, bytes]:
    """The hashes of these nodes: leaves from the log's event hashes, inner nodes from the tree's table."""
    wanted = set(nodes)
    leaves = sorted(index + 1 for level, index in wanted if level == 0)
    found = {
        (0, position - 1): merkle.leaf_hash(bytes.fromhex(h)) for position, h in tx.log.hashes_at(leaves)
    }
    inner = {node: (merkle.completed_at(node), node[0]) for node in wanted if node[0] > 0}
    stored = tx.tree.nodes(inner.values())
    found |= {node: stored[key] for node, key in inner.items() if key in stored}
    missing = sorted(wanted - found.keys())
    if missing:
        level, index = missing[0]
        raise IntegrityFailure(
            f"the Merkle tree has lost its node at level {level}, index {index}",
            position=merkle.completed_at(missing[0]),
        )
    return found


def _ranges(tx: Transaction, ranges: list[Range]) -> list[bytes]:
    return merkle.hash_ranges(ranges, _hashes(tx, merkle.nodes_of(ranges)))


def _check_size(tx: Transaction, size: int, parameter: str) -> None:
    held = tx.log.head().position
    if not 0 <= size <= held:
        message = f"the log holds {held} events; there is no tree of size {size}"
        raise InvalidArgument(message, parameter=parameter)


def root(tx: Transaction, size: int) -> bytes:
    """The root of the tree of the first `size` events, from at most log2(size) nodes."""
    _check_size(tx, size, "size")
    return merkle.fold(_ranges(tx, [(0, size)]) if size else [])


def inclusion_proof(tx: Transaction, position: int, size: int) -> list[bytes]:
    """The inclusion proof of the event at `position` in the tree of the first `size` events."""
    _check_size(tx, size, "size")
    if not 1 <= position <= size:
        raise InvalidArgument(f"position {position} is not in the tree of size {size}", parameter="position")
    return _ranges(tx, merkle.inclusion_ranges(position - 1, size))


def consistency_proof(tx: Transaction, old: int, new: int) -> list[bytes]:
    """The consistency proof from the tree of the first `old` events to that of the first `new`."""
    _check_size(tx, new, "size")
    if not 1 <= old <= new:
        raise InvalidArgument(f"expected an old size from 1 to {new}, got {old}", parameter="consistency")
    return _ranges(tx, merkle.consistency_ranges(old, new))


def _frontier(tx: Transaction, size: int) -> merkle.Tree:
    nodes = merkle.frontier(size)
    hashes = _hashes(tx, nodes)
    return merkle.Tree(size, [hashes[node] for node in nodes])


class TreeWriter:
    """Grows the stored tree as `Appender` inserts events, in its transaction. The frontier (the
    complete subtrees still waiting for a right sibling) is read once, at the first append."""

    def __init__(self, tx: Transaction, log_size: int) -> None:
        self.tx = tx
        self.log_size = log_size
        self._tree: merkle.Tree | None = None

    def _open(self) -> merkle.Tree:
        last = self.tx.tree.last_node()
        if self.log_size not in covered(last):
            if last < self.log_size:
                raise NotInitialised(f"the Merkle tree stops at {last} of the log's {self.log_size} events")
            message = f"the Merkle tree goes on to {last} events; the log holds {self.log_size}"
            raise IntegrityFailure(message, position=self.log_size + 1)
        return _frontier(self.tx, self.log_size)

    def append(self, event_hashes: Iterable[str]) -> None:
        """Add the events (by their hex hashes), in position order, as the next leaves."""
        if self._tree is None:
            self._tree = self._open()
        self.tx.tree.insert(_inner(self._tree.extend([bytes.fromhex(h) for h in event_hashes])))


def backfill(tx: Transaction) -> int:
    """Build the part of the tree the log is ahead by (all of it, for a ledger from before the tree): the
    events are read, never rewritten. Returns how many leaves were added."""
    last = tx.tree.last_node()
    tree = _frontier(tx, last)
    added = 0
    hashes = tx.log.hashes(since=last)
    while page := list(islice(hashes, PAGE)):
        tx.tree.insert(_inner(tree.extend([bytes.fromhex(h) for _, h in page])))
        added += len(page)
    return added


class TreeCheck:
    """Rebuilds the tree from the events' hashes as a check reads them in position order, and compares
    every stored node with the rebuilt one; O(log n) memory. Keeps the rebuilt root at the sizes asked for.

    The stored nodes compared are those present when the check starts; on PostgreSQL a writer may commit
    more events (with their nodes) while the log is read, and those are only checked to have their nodes
    (`finish`)."""

    def __init__(self, tx: Transaction, roots_at: Iterable[int] = ()) -> None:
        self._tx = tx
        self._last = tx.tree.last_node()
        self._stored: Iterator[list[NodeRow]] = tx.tree.stream(upto=self._last)
        self._read: list[NodeRow] = []  # stored nodes read and not yet compared, from `_next`
        self._next = 0
        self._tree = merkle.Tree()
        self._pending: list[bytes] = []
        self._wanted = set(roots_at)
        self.roots: dict[int, bytes] = {0: merkle.EMPTY_ROOT} if 0 in self._wanted else {}
        self.problem: tuple[int, str] | None = None  # (position, what is wrong)

    @property
    def size(self) -> int:
        return self._tree.size + len(self._pending)

    def add(self, event_hash: str) -> None:
        self._pending.append(bytes.fromhex(event_hash))
        if len(self._pending) >= PAGE or self.size in self._wanted:
            self._flush()

    def add_leaves(self, leaves: Sequence[bytes]) -> None:
        """`add` for many events at once, their hashes already bytes: the same steps, a slice at a time."""
        start = 0
        while start < len(leaves):
            size = self.size
            later = [w for w in self._wanted if w > size]  # the next size whose root is kept ends a step
            take = min(PAGE - len(self._pending), (min(later) - size) if later else PAGE)
            self._pending += leaves[start : start + take]
            start += take
            if len(self._pending) >= PAGE or self.size in self._wanted:
                self._flush()

    def _flush(self) -> None:
        if self.problem is None and self._pending:
            rebuilt = self._tree.extend(self._pending, leaves_too=False)
            if self._tree.size > self._last:
                rebuilt = [row for row in rebuilt if row[0] <= self._last]
            stored = self._stored_nodes(len(rebuilt))
            if stored != rebuilt:  # compared in C; the usual case
                for i, expected in enumerate(rebuilt):
                    found = stored[i] if i < len(stored) else None
                    if found != expected:
                        self.problem = _difference(expected, found)
                        break
            if self.problem is None and self._tree.size in self._wanted:
                self.roots[self._tree.size] = self._tree.root()
        self._pending = []

    def _stored_nodes(self, count: int) -> list[NodeRow]:
        """The next `count` stored nodes (fewer at the end)."""
        while len(self._read) - self._next < count:
            batch = next(self._stored, None)
            if batch is None:
                break
            self._read = self._read[self._next :] + batch
            self._next = 0
        found = self._read[self._next : self._next + count]
        self._next += len(found)
        return found

    def finish(self) -> tuple[int, str] | None:
        """The first difference between the stored tree and the one rebuilt from the log, or None."""
        self._flush()
        if self.problem is None:
            extra = next(iter(self._stored_nodes(1)), None)
            if extra is not None:
                self.problem = (
                    extra[0],
                    f"the Merkle tree holds a node completed at position {extra[0]}, past the log's "
                    f"{self._tree.size} events",
                )
        if self.problem is None and self._tree.size > self._last + 1:
            last = self._tx.tree.last_node()  # committed since the check began, with their events?
            events = self._tree.size
            if last < events - events % 2:
                self.problem = (last + 1, f"the Merkle tree stops at {last} of the log's {events} events")
        return self.problem

    def root(self) -> bytes:
        return self._tree.root()


def _difference(expected: NodeRow, stored: NodeRow | None) -> tuple[int, str]:
    position, level = expected[0], expected[1]
    if stored is None or stored[:2] != expected[:2]:
        return position, f"the Merkle tree lacks its node at level {level} completed at position {position}"
    return position, (
        f"the Merkle tree's node at level {level} completed at position {position} does not match the log"
    )
