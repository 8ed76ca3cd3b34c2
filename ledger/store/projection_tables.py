"""The projection tables: each entity's document, each claim's document, and the checkpoint that says
up to which position of the log they are folded. Derived data: cleared and refilled at will."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from ledger.store.sql import Sql

# The checkpoint's name says which format the documents are in. Change it whenever a projection's
# document changes shape: an upgraded ledger then refolds on its next command ("all" was vocabulary v1's).
DOC_FORMAT = "v4"

# Each document as its row holds it (`ledger.read_model.documents` writes and reads them):
# (entity id, kind, the entity's `show --json` object with its claims by position, its search terms:
# (normalized name, rank))
EntityDoc = tuple[str, str, bytes, Sequence[tuple[str, int]]]
# (claim position, status, what the fold decided of the claim (status, trail, ...), what `claims`
# filters on: type, origins, anonymous only (0 or 1), the latest world time of the claim and its
# statements)
ClaimDoc = tuple[int, str, bytes, str, int, int, int]


SORT_CACHE = -16384  # KiB (negative: a size, not pages): the page cache while SQLite sorts an index
_FILTERED = ("status", "type", "origins", "anonymous_only")  # the columns `claim_positions` reads


class ProjectionTables:
    """Reading and writing the projections inside one transaction."""

    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    def checkpoint(self) -> int:
        """The position the tables are folded to, in today's document format (0: none, or an older
        format, which the next catch-up replaces by refolding)."""
        rows = self.sql.rows("SELECT position FROM projection_checkpoint WHERE name = ?", (DOC_FORMAT,))
        return int(rows[0][0]) if rows else 0

    def set_checkpoint(self, position: int) -> None:
        self.sql.run("DELETE FROM projection_checkpoint")
        self.sql.run(
            "INSERT INTO projection_checkpoint (name, position) VALUES (?, ?)", (DOC_FORMAT, position)
        )

    def clear(self) -> None:
        self.sql.run("DELETE FROM projected_entities")
        self.sql.run("DELETE FROM projected_claims")
        self.sql.run("DELETE FROM search_terms")

    @contextmanager
    def refilling(self) -> Iterator[Callable[[], None]]:
        """Empty the tables for a refill (a rebuild), and on SQLite drop their secondary indexes for its
        duration and make them again at the end, in the same transaction: building an index from the
        filled table sorts once, where keeping the claims' five filter indexes up to date row by row made
        the writer's inserts two thirds of its time (a 1M-event rebuild: 78 s -> 61 s). Unique indexes
        stay (they guard the refill). PostgreSQL keeps them all: there DROP INDEX would lock out readers,
        who see the old projections until the commit.

        Gives a function that makes the indexes at once, for a writer that knows the rows still to come
        are few: the rest of the refill then keeps them up to date, and the sort is not left to the end."""
        self.clear()
        dropped = _secondary_indexes() if self.sql.dialect == "sqlite" else []

        def make_indexes() -> None:
            if not dropped:
                return
            # SQLite sorts an index's keys in memory up to the page cache's size, then merges runs from
            # a temporary file: with a smaller cache for the sort, the writer's peak stops growing with
            # the claims table (a 1M-event rebuild's writer: see bench/README.md), at no measurable cost.
            (cache_size,) = self.sql.rows("PRAGMA cache_size")[0]
            self.sql.run(f"PRAGMA cache_size={SORT_CACHE}")
            try:
                while dropped:
                    name, table, columns = dropped.pop(0)
                    self.sql.run(f"CREATE INDEX {name} ON {table} ({', '.join(columns)})")
            finally:
                self.sql.run(f"PRAGMA cache_size={int(cache_size)}")

        for name, *_made_of in dropped:
            self.sql.run(f"DROP INDEX {name}")
        yield make_indexes
        make_indexes()

    def replace_entities(self, docs: Sequence[EntityDoc], *, fresh: bool = False) -> None:
        """Write entity documents and their search terms, replacing what was there unless the tables are
        `fresh`."""
        if not docs:
            return
        if not fresh:
            self.delete_entities([d[0] for d in docs])
        self.sql.insert(
            "projected_entities",
            "entity_id, kind, doc",
            [(entity, kind, doc.decode()) for entity, kind, doc, _terms in docs],
        )
        terms = [(rank, term, entity) for entity, _kind, _doc, found in docs for term, rank in found]
        if terms:
            self.sql.insert("search_terms", "rank, term, entity_id", terms)

    def delete_entities(self, ids: Sequence[str]) -> None:
        self.sql.run_in("DELETE FROM projected_entities WHERE entity_id IN ({keys})", ids)
        self.sql.run_in("DELETE FROM search_terms WHERE entity_id IN ({keys})", ids)

    def replace_claims(self, claims: Sequence[ClaimDoc], *, fresh: bool = False) -> None:
        """Write claim documents, replacing what was there unless the table is `fresh`."""
        if not claims:
            return
        if not fresh:
            self.sql.run_in("DELETE FROM projected_claims WHERE position IN ({keys})", [c[0] for c in claims])
        self.sql.insert(
            "projected_claims",
            "position, status, doc, type, origins, anonymous_only, last_key",
            [(p, status, doc.decode(), *filtered) for p, status, doc, *filtered in claims],
        )

    def entity_doc(self, entity_id: str) -> bytes | None:
        rows = self.sql.rows("SELECT doc FROM projected_entities WHERE entity_id = ?", (entity_id,))
        return rows[0][0].encode() if rows else None

    def entity_docs_of(self, ids: Sequence[str]) -> dict[str, str]:
        """The documents of these entities (those that exist), by id, as the text they are stored as."""
        rows = self.sql.rows_in(
            "SELECT entity_id, doc FROM projected_entities WHERE entity_id IN ({keys})", ids
        )
        return dict(rows)

    def search_terms(
        self,
        rank: int,
        low: str,
        high: str,
        kind: str | None,
        limit: int,
        after: tuple[str, str] | None = None,
    ) -> list[tuple[str, str]]:
        """(term, entity id) of the search index's terms of `rank` from `low` (inclusive) to `high`
        (exclusive), of entities of `kind` if given, after `after` if given, in (term, entity id) order."""
        where, params = ["rank = ?", "term >= ?", "term < ?"], [rank, low, high]
        if kind is not None:
            where += ["entity_id > ?", "entity_id < ?"]
            params += [f"{kind}:", f"{kind};"]  # ids of the kind, as a range (';' follows ':')
        if after is not None:
            where.append("(term > ? OR (term = ? AND entity_id > ?))")
            params += [after[0], after[0], after[1]]
        rows = self.sql.rows(
            f"SELECT term, entity_id FROM search_terms WHERE {' AND '.join(where)} "
            "ORDER BY rank, term, entity_id LIMIT ?",
            [*params, limit],
        )
        return [(term, entity_id) for term, entity_id in rows]

    def entity_docs(self, kind: str | None = None) -> list[tuple[str, str, str]]:
        """(entity id, kind, document) in entity id order, of one kind or all."""
        if kind is None:
            rows = self.sql.rows("SELECT entity_id, kind, doc FROM projected_entities ORDER BY entity_id")
        else:
            rows = self.sql.rows(
                "SELECT entity_id, kind, doc FROM projected_entities WHERE kind = ? ORDER BY entity_id",
                (kind,),
            )
        return [(entity_id, entity_kind, doc) for entity_id, entity_kind, doc in rows]

    def claim_docs_at(self, positions: Sequence[int]) -> dict[int, str]:
        """The documents of the claims at these positions (those that are claims), by position."""
        rows = self.sql.rows_in(
            "SELECT position, doc FROM projected_claims WHERE position IN ({keys})", positions
        )
        return {int(position): doc for position, doc in rows}

    def claim_positions(
        self, column: str, values: Sequence[object], after: int = 0, limit: int | None = None
    ) -> list[int]:
        """Positions after `after` of the claims whose `column` (status, type, origins, anonymous_only) is
        one of `values`, in position order, at most `limit`."""
        if column not in _FILTERED:
            raise ValueError(f"claims are not filtered on {column!r}")
        if not values:
            return []
        marks = ", ".join("?" * len(values))
        sql = (
            f"SELECT position FROM projected_claims WHERE {column} IN ({marks}) AND position > ? "
            "ORDER BY position"
        )
        return self._positions(sql, [*values, after], limit)

    def claim_positions_upto(self, position: int, after: int = 0, limit: int | None = None) -> list[int]:
        """Positions of the claims after `after`, at or before `position`, in order, at most `limit`."""
        sql = "SELECT position FROM projected_claims WHERE position > ? AND position <= ? ORDER BY position"
        return self._positions(sql, [after, position], limit)

    def _positions(self, sql: str, params: list[object], limit: int | None) -> list[int]:
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [int(row[0]) for row in self.sql.rows(sql, params)]

    def quiet_claims(
        self, statuses: Sequence[str], last_key: int, after: int = 0, limit: int | None = None
    ) -> list[int]:
        """Positions after `after` of the claims of `statuses` about which nothing happened after world
        time `last_key` (the claim and its statements), in position order, at most `limit`."""
        marks = ", ".join("?" * len(statuses))
        sql = (
            f"SELECT position FROM projected_claims WHERE status IN ({marks}) AND last_key <= ? "
            "AND position > ? ORDER BY position"
        )
        return self._positions(sql, [*statuses, last_key, after], limit)

    def claim_docs(self, status: str | None = None) -> list[tuple[int, str, str]]:
        """(position, status, document) in position order, of one status or all."""
        if status is None:
            rows = self.sql.rows("SELECT position, status, doc FROM projected_claims ORDER BY position")
        else:
            rows = self.sql.rows(
                "SELECT position, status, doc FROM projected_claims WHERE status = ? ORDER BY position",
                (status,),
            )
        return [(int(position), claim_status, doc) for position, claim_status, doc in rows]


def _secondary_indexes() -> list[tuple[str, str, tuple[str, ...]]]:
    """The projection tables' indexes that are neither keys nor unique, as the schema declares them:
    (name, table, columns). Read here, not at import: the schema loads SQLAlchemy, which a query never
    needs."""
    from ledger.store.schema import projected_claims, projected_entities, search_terms

    return [
        (str(index.name), table.name, tuple(column.name for column in index.columns))
        for table in (projected_entities, projected_claims, search_terms)
        for index in sorted(table.indexes, key=lambda index: str(index.name))
        if not index.unique
    ]
