"""A page of an entity's events in world-time order, read without reading the rest: what the first page
of a busy company's history costs. Part of `LogTables`."""

from __future__ import annotations

from collections.abc import Sequence

from ledger.store.sql import Sql


class HistoryPages:
    """Positions of an entity's indexed events by world time, on the transaction's connection (`sql`)."""

    sql: Sql

    def indexed_count(self, entity_id: str) -> int:
        """How many events the entity index holds under `entity_id`."""
        rows = self.sql.rows("SELECT COUNT(*) FROM event_entities WHERE entity_id = ?", (entity_id,))
        return int(rows[0][0])

    def is_indexed(self, entity_id: str, position: int) -> bool:
        rows = self.sql.rows(
            "SELECT 1 FROM event_entities WHERE entity_id = ? AND position = ?", (entity_id, position)
        )
        return bool(rows)

    def world_page(
        self,
        entity_id: str,
        limit: int,
        *,
        since: int | None = None,
        until: int | None = None,
        types: Sequence[str] = (),
        reverse: bool = False,
        after: tuple[int, int] | None = None,
        walk: bool = False,
    ) -> list[int]:
        """Positions of the first `limit` events indexed under the entity in (world-time key, position)
        order (`reverse`: the last, newest first), of `types`, with keys from `since` to `until`, after
        the (key, position) `after` in that order.

        `walk`: read the log's world-time index in order and keep the entity's events, which stops after
        `limit` of them (a busy entity: a few thousand rows for the first page); otherwise sort the
        entity's own rows (cost: the entity's size)."""
        where, params = [], []
        if since is not None:
            where.append("e.occurred_key >= ?")
            params.append(since)
        if until is not None:
            where.append("e.occurred_key <= ?")
            params.append(until)
        if types:
            where.append(f"e.type IN ({', '.join('?' * len(types))})")
            params += list(types)
        if after is not None:
            beyond = "<" if reverse else ">"
            where.append(f"(e.occurred_key {beyond} ? OR (e.occurred_key = ? AND e.position {beyond} ?))")
            params += [after[0], after[0], after[1]]
        order = " DESC" if reverse else ""
        tail = (
            "".join(f" AND {w}" for w in where)
            + f" ORDER BY e.occurred_key{order}, e.position{order} LIMIT ?"
        )
        if walk:
            return self._walked(entity_id, tail, [*params, limit])
        return self._sorted(entity_id, tail, [*params, limit])

    def _walked(self, entity_id: str, tail: str, params: list[object]) -> list[int]:
        sql = (
            "SELECT e.position FROM events e WHERE EXISTS (SELECT 1 FROM event_entities ix "
            "WHERE ix.entity_id = ? AND ix.position = e.position)"
        )
        return [int(row[0]) for row in self.sql.rows(sql + tail, [entity_id, *params])]

    def _sorted(self, entity_id: str, tail: str, params: list[object]) -> list[int]:
        sql = (
            "SELECT e.position FROM event_entities ix CROSS JOIN events e "
            "WHERE ix.entity_id = ? AND e.position = ix.position"
        )
        return [int(row[0]) for row in self.sql.rows(sql + tail, [entity_id, *params])]
