"""What each catch-up replaced in the projection tables, kept for `ledger changes` (migration 0010).

The tables hold the projections known at the checkpoint. Each catch-up to a new head `h` keeps here, under
`h`, and `h` as a moment:
- of each claim row it changed, the document before (None: there was none). The claim known at a moment
  `m` is the one kept under the first position after `m` at which it changed, else the table's;
- of each entity document it changed, the way back from the new document to the old one
  (`ledger.doc_changes.way_back`: the fields that changed; None: there was none). The document known
  at `m` is the table's taken back through the ways kept after `m`, the latest first.
So from the last rebuild on, reading the past costs what changed since, not what the ledger holds.
Derived data: `ledger rebuild` clears it (a rebuild that catches up keeps what it changed, found by
comparing the tables it replaced, set aside, with those it wrote).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ledger.store.sql import Sql

# (entity id, the way back to its document before, None if there was none) and (claim position, its
# document before, None if there was none)
EntityVersion = tuple[str, str | None]
ClaimVersion = tuple[int, str | None]


class ProjectionVersions:
    """Reading and writing the kept versions inside one transaction."""

    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    def clear(self) -> None:
        for table in ("projection_moments", "entity_versions", "claim_versions"):
            self.sql.run(f"DELETE FROM {table}")

    def is_moment(self, position: int) -> bool:
        """Whether the tables were caught up at `position` since the last rebuild."""
        return bool(self.sql.rows("SELECT 1 FROM projection_moments WHERE position = ?", (position,)))

    def first_moment(self) -> int | None:
        """Where what is kept starts (None: nothing is)."""
        rows = self.sql.rows("SELECT MIN(position) FROM projection_moments")
        return None if rows[0][0] is None else int(rows[0][0])

    def add_moment(self, position: int) -> None:
        self.sql.insert("projection_moments", "position", [(position,)])

    def keep(self, until: int, entities: Sequence[EntityVersion], claims: Sequence[ClaimVersion]) -> None:
        """Keep the documents a catch-up to `until` replaced, as they were."""
        if entities:
            self.sql.insert(
                "entity_versions", "until_position, entity_id, doc", [(until, e, d) for e, d in entities]
            )
        if claims:
            self.sql.insert(
                "claim_versions", "until_position, position, doc", [(until, p, d) for p, d in claims]
            )

    # -- across a rebuild that catches up (`read_model.sync.catch_up`): the tables before, set aside --------
    def set_aside(self) -> None:
        """Copy the projection tables' documents aside (temporary tables of this session), to compare
        with what the rebuild writes (`replaced_entities`, `replaced_claims`)."""
        self.sql.run("CREATE TEMPORARY TABLE entities_before (entity_id TEXT PRIMARY KEY, doc TEXT NOT NULL)")
        self.sql.run("INSERT INTO entities_before SELECT entity_id, doc FROM projected_entities")
        self.sql.run("CREATE TEMPORARY TABLE claims_before (position BIGINT PRIMARY KEY, doc TEXT NOT NULL)")
        self.sql.run("INSERT INTO claims_before SELECT position, doc FROM projected_claims")

    def replaced_entities(self, page: int = 500) -> Iterator[tuple[str, str | None, str | None]]:
        """(entity id, document before, document now) of each entity whose document the rebuild changed, a
        page at a time: before is None for one it added (whose document is not read), now None for one
        it dropped."""
        after = ""
        while True:
            rows = self.sql.rows(
                "SELECT o.entity_id, o.doc, n.doc FROM entities_before o "
                "LEFT JOIN projected_entities n ON n.entity_id = o.entity_id "
                "WHERE o.entity_id > ? AND (n.doc IS NULL OR n.doc <> o.doc) ORDER BY o.entity_id LIMIT ?",
                (after, page),
            )
            yield from ((entity_id, before, now) for entity_id, before, now in rows)
            if len(rows) < page:
                break
            after = rows[-1][0]
        rows = self.sql.rows(
            "SELECT n.entity_id FROM projected_entities n LEFT JOIN entities_before o "
            "ON o.entity_id = n.entity_id WHERE o.entity_id IS NULL"
        )
        yield from ((entity_id, None, None) for (entity_id,) in rows)

    def replaced_claims(self) -> list[tuple[int, str | None]]:
        """(position, row before or None) of each claim row the rebuild changed."""
        changed = self.sql.rows(
            "SELECT o.position, o.doc FROM claims_before o LEFT JOIN projected_claims n "
            "ON n.position = o.position WHERE n.doc IS NULL OR n.doc <> o.doc"
        )
        new = self.sql.rows(
            "SELECT n.position FROM projected_claims n LEFT JOIN claims_before o "
            "ON o.position = n.position WHERE o.position IS NULL"
        )
        return [(int(p), doc) for p, doc in changed] + [(int(p), None) for (p,) in new]

    def drop_aside(self) -> None:
        self.sql.run("DROP TABLE entities_before")
        self.sql.run("DROP TABLE claims_before")

    def entity_ways(self, since: int, until: int) -> list[tuple[str, str | None]]:
        """(entity id, the way back it was kept with: `doc_changes.way_back`, None if it had no
        document before) of each change after position `since` up to `until` (both moments), the
        latest first."""
        rows = self.sql.rows(
            "SELECT entity_id, doc FROM entity_versions WHERE until_position > ? AND until_position <= ? "
            "ORDER BY until_position DESC",
            (since, until),
        )
        return [(entity_id, doc) for entity_id, doc in rows]

    def claims_changed(self, since: int, until: int) -> dict[int, str | None]:
        """The claims whose row changed after `since`, up to `until` (both moments), each with its
        document known at `since` (None: it had none), by position."""
        rows = self.sql.rows(
            "SELECT position, doc FROM claim_versions WHERE until_position > ? AND until_position <= ? "
            "ORDER BY until_position DESC",
            (since, until),
        )
        return {int(position): doc for position, doc in rows}

    def entity_ways_of(self, ids: Sequence[str], moment: int) -> dict[str, list[str | None]]:
        """The ways back (as `entity_ways`) of these entities' changes after `moment`, the latest first,
        by id (those that changed)."""
        found: dict[str, list[str | None]] = {}
        for entity_id, doc in self._kept_after("entity_versions", "entity_id", ids, moment):
            found.setdefault(entity_id, []).append(doc)
        return found

    def claim_docs_at(self, positions: Sequence[int], moment: int) -> dict[int, str | None]:
        """Of the claims at these positions, those whose row changed after `moment`: each with its
        document known at `moment` (None: it had none). The others' documents are the table's."""
        # the earliest change after `moment` comes last, and keeps what was known then
        return {int(p): doc for p, doc in self._kept_after("claim_versions", "position", positions, moment)}

    def _kept_after(self, table: str, key: str, keys: Sequence[Any], moment: int) -> Iterator[Sequence[Any]]:
        """(key, doc) of what `table` kept of these keys after `moment`, the latest first per key."""
        return self.sql.rows_in(
            f"SELECT {key}, doc FROM {table} WHERE {key} IN ({{keys}}) AND until_position > ? "
            "ORDER BY until_position DESC",
            keys,
            (moment,),
        )
