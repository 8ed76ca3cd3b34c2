"""Reads of the entity index, the references, the index changes and the names as they are stored, row for
row, for the check that recomputes them from the events (`ledger.index_check`). Part of `LogTables`."""

from __future__ import annotations

from collections.abc import Sequence

from ledger.store.sql import Sql

SEPARATOR = "\x1f"  # between the entity ids of one event in `indexed_in` (no entity id holds it)
NAMES_SEPARATOR, NAME_ROLE = "\x1e", "\x1f"  # in `names_in` (no normalized name holds either)


def joined_names(rows: Sequence[tuple[str, int]]) -> str:
    """(name, roles) rows, sorted by name, as `names_in` gives them."""
    return NAMES_SEPARATOR.join(f"{name}{NAME_ROLE}{role}" for name, role in rows)


def split_names(joined: str) -> list[tuple[str, int]]:
    """The rows `joined_names` made `joined` of."""
    return [
        (name, int(role)) for name, _, role in (p.partition(NAME_ROLE) for p in joined.split(NAMES_SEPARATOR))
    ]


# (table, column) pairs that must name a position of the log
_POSITIONS = (
    ("event_entities", "position"),
    ("event_refs", "position"),
    ("event_refs", "ref_position"),
    ("index_changes", "position"),
    ("index_changes", "at_position"),
    ("event_names", "position"),
    ("group_index", "position"),
)


class IndexReads:
    """Stored index, reference and index-change rows, on the transaction's connection (`sql`)."""

    sql: Sql

    def index_changes(self) -> list[tuple[str, int, int, bool]]:
        """Every (entity, event position, correction position, present) row, by correction position."""
        rows = self.sql.rows(
            "SELECT entity_id, position, at_position, present FROM index_changes ORDER BY at_position"
        )
        return [(entity, int(p), int(at), bool(present)) for entity, p, at, present in rows]

    def indexed_in(self, first: int, last: int, table: str = "event_entities") -> dict[int, str]:
        """position -> its stored entity ids, sorted and joined by SEPARATOR, for positions first..last
        (one row per event: the comparison happens on strings, not on a set per row); of `group_index`
        with `table`."""
        if self.sql.dialect == "sqlite":  # the covering index on (position, entity_id) gives that order
            aggregate = f"group_concat(entity_id, '{SEPARATOR}')"
        else:
            aggregate = f"string_agg(entity_id, '{SEPARATOR}' ORDER BY entity_id)"
        return dict(
            self.sql.rows(
                f"SELECT position, {aggregate} FROM {table} WHERE position BETWEEN ? AND ? GROUP BY position",
                (first, last),
            )
        )

    def references_in(self, first: int, last: int) -> list[tuple[int, int, str | None]]:
        """(position, referenced position, the id there, if any) of the reference rows of first..last."""
        refs = [
            (int(p), int(ref))
            for p, ref in self.sql.rows(
                "SELECT position, ref_position FROM event_refs WHERE position BETWEEN ? AND ?", (first, last)
            )
        ]
        # The ids by key, not by a join: PostgreSQL hashed the whole log for each page's references
        # (here and in `referenced_index_in`), which a verify does page after page.
        ids = dict(
            self.sql.rows_in(
                "SELECT position, id FROM events WHERE position IN ({keys})", sorted({ref for _, ref in refs})
            )
        )
        return [(p, ref, ids.get(ref)) for p, ref in refs]

    def referenced_index_in(self, first: int, last: int) -> list[tuple[int, str]]:
        """(referenced position, entity) of every stored index row of the events first..last reference
        (once per reference: an event referenced twice comes twice)."""
        refs = [
            int(ref)
            for (ref,) in self.sql.rows(
                "SELECT ref_position FROM event_refs WHERE position BETWEEN ? AND ?", (first, last)
            )
        ]
        stored: dict[int, list[str]] = {}
        for p, entity in self.sql.rows_in(
            "SELECT position, entity_id FROM event_entities WHERE position IN ({keys})", sorted(set(refs))
        ):
            stored.setdefault(int(p), []).append(entity)
        return [(ref, entity) for ref in refs for entity in stored.get(ref, ())]

    def names_in(self, first: int, last: int) -> dict[int, str]:
        """position -> its stored `event_names` rows as one string (`joined_names`: name and roles, in
        name order), for positions first..last (only those that have any). One row per event, compared
        as a string: a row per name cost a verify a tenth of its time in Python."""
        pair = f"name || '{NAME_ROLE}' || CAST(role AS TEXT)"
        if self.sql.dialect == "sqlite":
            sql = (
                f"SELECT position, group_concat(pair, '{NAMES_SEPARATOR}') FROM (SELECT position, {pair} "
                "AS pair FROM event_names WHERE position BETWEEN ? AND ? ORDER BY position, name) "
                "GROUP BY position"
            )
        else:  # byte order, as Python sorts names (the database's collation may not)
            sql = (
                f"SELECT position, string_agg({pair}, '{NAMES_SEPARATOR}' ORDER BY name COLLATE \"C\") "
                "FROM event_names WHERE position BETWEEN ? AND ? GROUP BY position"
            )
        return {int(position): joined for position, joined in self.sql.rows(sql, (first, last))}

    def index_pairs(self, positions: Sequence[int]) -> list[tuple[str, int]]:
        """Every stored (entity, position) index row of these events, whatever corrections did since."""
        return [
            (entity, int(p))
            for entity, p in self.sql.rows_in(
                "SELECT entity_id, position FROM event_entities WHERE position IN ({keys})", list(positions)
            )
        ]

    def positions_outside(self, head: int) -> list[tuple[int, str]]:
        """(position, table) of rows of the index, the references and the index changes that name a
        position the log (of `head` events) does not hold: the lowest past the end, the highest below 1."""
        found = []
        for table, column in _POSITIONS:
            rows = self.sql.rows(f"SELECT MIN({column}) FROM {table} WHERE {column} > ?", (head,))
            rows += self.sql.rows(f"SELECT MAX({column}) FROM {table} WHERE {column} < 1")
            found += [(int(row[0]), table) for row in rows if row[0] is not None]
        return found
