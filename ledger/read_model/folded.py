"""The projections of a ledger that can only be read, when its tables are behind the log: folded from the
log in memory for one query, since they cannot be caught up on disk. Answers the reads queries make of
`ProjectionTables` exactly as the tables would after a rebuild (`sync.entity_rows` folds both)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from ledger.read_model import sync
from ledger.store.connection import EventStore, Transaction


@contextmanager
def folded_reading(store: EventStore) -> Iterator[Transaction]:
    """A read transaction whose projections are folded from its log in memory."""
    with store.reading() as tx:
        tx.projections = FoldedProjections(tx)  # type: ignore[assignment]
        yield tx


class FoldedProjections:
    """The projection tables' reads, answered from a fold of the whole log this transaction sees."""

    def __init__(self, tx: Transaction) -> None:
        self._head = tx.log.head().position
        self._entities: dict[str, tuple[str, str]] = {}  # entity id -> (kind, document)
        self._claims: dict[int, tuple[str, str]] = {}  # position -> (status, document)
        self._filtered: dict[int, tuple[object, ...]] = {}  # position -> (status, type, origins, ...)
        self._terms: list[tuple[int, str, str]] = []  # (rank, term, entity id), sorted
        for (entity_id, kind, doc, terms), owned in sync.entity_rows(tx):
            self._entities[entity_id] = (kind, doc.decode())
            self._terms += [(rank, term, entity_id) for term, rank in terms]
            for position, status, claim, *filtered in owned:
                self._claims[position] = (status, claim.decode())
                self._filtered[position] = (status, *filtered)
        # As the table's primary key orders them: by bytes, which is code point order in Python.
        self._terms.sort()

    def checkpoint(self) -> int:
        return self._head

    def entity_doc(self, entity_id: str) -> bytes | None:
        found = self._entities.get(entity_id)
        return found[1].encode() if found else None

    def entity_docs_of(self, ids: Sequence[str]) -> dict[str, bytes]:
        return {e: self._entities[e][1].encode() for e in ids if e in self._entities}

    def search_terms(
        self,
        rank: int,
        low: str,
        high: str,
        kind: str | None,
        limit: int,
        after: tuple[str, str] | None = None,
    ) -> list[tuple[str, str]]:
        found = []
        for term_rank, term, entity_id in self._terms[bisect_left(self._terms, (rank, low, "")) :]:
            if term_rank != rank or term >= high or len(found) >= limit:
                break
            if kind is not None and not entity_id.startswith(f"{kind}:"):
                continue
            if after is None or (term, entity_id) > after:
                found.append((term, entity_id))
        return found

    def entity_docs(self, kind: str | None = None) -> list[tuple[str, str, str]]:
        return [
            (entity_id, entity_kind, doc)
            for entity_id, (entity_kind, doc) in sorted(self._entities.items())
            if kind is None or entity_kind == kind
        ]

    def claim_docs_at(self, positions: Sequence[int]) -> dict[int, str]:
        return {p: self._claims[p][1] for p in positions if p in self._claims}

    def claim_positions(
        self, column: str, values: Sequence[object], after: int = 0, limit: int | None = None
    ) -> list[int]:
        index = ("status", "type", "origins", "anonymous_only").index(column)
        found = sorted(p for p, row in self._filtered.items() if row[index] in values and p > after)
        return found[:limit]

    def claim_positions_upto(self, position: int, after: int = 0, limit: int | None = None) -> list[int]:
        return sorted(p for p in self._claims if after < p <= position)[:limit]

    def quiet_claims(
        self, statuses: Sequence[str], last_key: int, after: int = 0, limit: int | None = None
    ) -> list[int]:
        found = [p for p, row in self._filtered.items() if row[0] in statuses and p > after]
        return sorted(p for p in found if self._filtered[p][4] <= last_key)[:limit]  # type: ignore[operator]

    def claim_docs(self, status: str | None = None) -> list[tuple[int, str, str]]:
        return [
            (position, claim_status, doc)
            for position, (claim_status, doc) in sorted(self._claims.items())
            if status is None or claim_status == status
        ]
