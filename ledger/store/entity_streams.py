"""Reads of every entity's events, entity by entity, for a rebuild's folds: the stream of each one's
events and the index's size per entity (what cuts a rebuild into tasks). Part of `LogTables`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ledger.events import StoredEvent
from ledger.store.rows import E_FOLD_COLUMNS, stored_event
from ledger.store.sql import Sql


class EntityStreams:
    """Entity-ordered reads of the log, on the transaction's connection (`sql`)."""

    sql: Sql

    def entity_stream(
        self, first: str | None = None, last: str | None = None, skip_types: Sequence[str] = ()
    ) -> Iterator[tuple[str, list[StoredEvent]]]:
        """(entity id, its events but those of `skip_types`) for every entity (from `first` to `last`
        inclusive, if given), in entity id order; one entity in memory at a time. For folding: the events'
        hashes are left empty."""
        where, params = ["e.position = x.position"], []
        if skip_types:
            where.append(f"e.type NOT IN ({', '.join('?' * len(skip_types))})")
            params.extend(skip_types)
        if first is not None:
            where.append("x.entity_id >= ?")
            params.append(first)
        if last is not None:
            where.append("x.entity_id <= ?")
            params.append(last)
        rows = self.sql.stream(
            f"SELECT x.entity_id, {E_FOLD_COLUMNS} FROM event_entities x CROSS JOIN events e "
            f"WHERE {' AND '.join(where)} ORDER BY x.entity_id, x.position",
            params,
        )
        current: str | None = None
        bucket: list[StoredEvent] = []
        for row in rows:
            if row[0] != current:
                if current is not None:
                    yield current, bucket
                current, bucket = row[0], []
            bucket.append(stored_event(row[1:]))
        if current is not None:
            yield current, bucket

    def entity_sizes(self, low: str = "", high: str | None = None) -> Iterator[tuple[str, int]]:
        """(entity id, number of index rows) for every entity from `low` (inclusive) up to `high`
        (exclusive; None: no end), in entity id order."""
        where, params = "entity_id >= ?", [low]
        if high is not None:
            where += " AND entity_id < ?"
            params.append(high)
        rows = self.sql.stream(
            f"SELECT entity_id, COUNT(*) FROM event_entities WHERE {where} GROUP BY entity_id "
            "ORDER BY entity_id",
            params,
        )
        return ((entity_id, int(count)) for entity_id, count in rows)
