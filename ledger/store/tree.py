"""The Merkle tree's tables: its inner nodes (`tree_nodes`) and the checkpoints issued (`checkpoints`).

A node is kept at (tree_size, level): the size at which it became complete, and its height (1 and up:
leaves are the log's own hashes). Rows only go in, in tree order; the tree of any size is the rows up to
that size.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from ledger.store.sql import Sql

NodeKey = tuple[int, int]  # (tree_size, level)


@dataclass(frozen=True, slots=True)
class IssuedCheckpoint:
    """A checkpoint as the ledger recorded it when it printed it."""

    seq: int
    origin: str
    tree_size: int
    root: bytes
    note: str
    issued_at: str


class TreeTables:
    """Reading and growing the tree, and recording checkpoints, inside one transaction."""

    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    def last_node(self) -> int:
        """The tree size at which the last stored node became complete (0: none); the tree then covers
        that many events, or one more."""
        rows = self.sql.rows("SELECT MAX(tree_size) FROM tree_nodes")
        return int(rows[0][0] or 0)

    def insert(self, nodes: Sequence[tuple[int, int, bytes]]) -> None:
        """Add (tree_size, level, hash) rows: COPY on PostgreSQL, executemany on SQLite."""
        if nodes:
            self.sql.insert("tree_nodes", "tree_size, level, hash", nodes)

    def nodes(self, keys: Iterable[NodeKey]) -> dict[NodeKey, bytes]:
        """The hashes of the nodes at these keys that exist (a few per proof: one query)."""
        wanted = set(keys)
        if not wanted:
            return {}
        sizes = sorted({size for size, _ in wanted})
        found = {}
        for size, level, digest in self.sql.rows_in(
            "SELECT tree_size, level, hash FROM tree_nodes WHERE tree_size IN ({keys})", sizes
        ):
            key = (int(size), int(level))
            if key in wanted:
                found[key] = bytes(digest)
        return found

    def stream(self, upto: int) -> Iterator[list[tuple[int, int, bytes]]]:
        """Every node completed at or before tree size `upto`, in tree order (by size, then level), a
        batch at a time, without holding them all."""
        for rows in self.sql.batches(
            "SELECT tree_size, level, hash FROM tree_nodes WHERE tree_size <= ? ORDER BY tree_size, level",
            (upto,),
        ):
            yield [(int(size), int(level), bytes(digest)) for size, level, digest in rows]

    # -- checkpoints ---------------------------------------------------------------------------------------
    def record_checkpoint(self, origin: str, tree_size: int, root: bytes, note: str, issued_at: str) -> int:
        """Record an issued checkpoint (under the write lock: the next seq is max + 1); returns its seq."""
        seq = int(self.sql.rows("SELECT COALESCE(MAX(seq), 0) FROM checkpoints")[0][0]) + 1
        self.sql.run(
            "INSERT INTO checkpoints (seq, origin, tree_size, root, note, issued_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (seq, origin, tree_size, root, note, issued_at),
        )
        return seq

    def issued(self) -> list[tuple[int, int, bytes]]:
        """(seq, tree size, root) of every checkpoint issued, in the order they were."""
        rows = self.sql.rows("SELECT seq, tree_size, root FROM checkpoints ORDER BY seq")
        return [(int(seq), int(size), bytes(root)) for seq, size, root in rows]

    def latest_checkpoint(self, tree_size: int | None = None) -> IssuedCheckpoint | None:
        """The checkpoint issued last (of that tree size, if given)."""
        columns = "seq, origin, tree_size, root, note, issued_at"
        if tree_size is None:
            rows = self.sql.rows(f"SELECT {columns} FROM checkpoints ORDER BY seq DESC LIMIT 1")
        else:
            rows = self.sql.rows(
                f"SELECT {columns} FROM checkpoints WHERE tree_size = ? ORDER BY seq DESC LIMIT 1",
                (tree_size,),
            )
        if not rows:
            return None
        seq, origin, size, root, note, issued_at = rows[0]
        return IssuedCheckpoint(int(seq), origin, int(size), bytes(root), note, issued_at)
