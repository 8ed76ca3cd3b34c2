"""The entity index following corrections: the changes a correction makes to it, recorded (never a row
rewritten), and whether any was. Part of `LogTables`."""

from __future__ import annotations

from collections.abc import Sequence

from ledger.store.rows import GROUP_INDEX_TYPES
from ledger.store.sql import Sql


class IndexMoves:
    """Recording index changes, on the transaction's connection (`sql`)."""

    sql: Sql

    def move_index(self, changes: Sequence[tuple[str, int, int, bool]]) -> None:
        """Record (entity, event position, correction position, present) changes of the index: a pair
        added joins `event_entities` if it was never there, a pair taken away stays there, and
        `index_changes` says which holds from the correction on."""
        if not changes:
            return
        added = sorted({(e, p) for e, p, _at, present in changes if present})
        if added:
            have = {
                (e, int(p))
                for e, p in self.sql.rows_in(
                    "SELECT entity_id, position FROM event_entities WHERE position IN ({keys})",
                    sorted({p for _e, p in added}),
                )
            }
            new = [pair for pair in added if pair not in have]
            self.sql.insert("event_entities", "entity_id, position", new)
            grouped = {
                int(p)
                for (p,) in self.sql.rows_in(
                    f"SELECT position FROM events WHERE position IN ({{keys}}) "
                    f"AND type IN ({', '.join('?' * len(GROUP_INDEX_TYPES))})",
                    sorted({p for _e, p in new}),
                    after=GROUP_INDEX_TYPES,
                )
            }
            self.sql.insert("group_index", "entity_id, position", [(e, p) for e, p in new if p in grouped])
        self.sql.insert(
            "index_changes",
            "entity_id, position, at_position, present",
            [(e, p, at, int(present)) for e, p, at, present in changes],
        )

    def index_changed(self) -> bool:
        """Whether any correction has changed the index yet."""
        return bool(self.sql.rows("SELECT 1 FROM index_changes LIMIT 1"))
