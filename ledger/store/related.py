"""Reads of the log that follow references and types: what decides a claim's status (the statements
and corrections about it), registrations, and whole classes of claims. Part of `LogTables`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import orjson

from ledger.events import StoredEvent
from ledger.store.rows import COLUMNS, E_COLUMNS, GROUP_INDEX_TYPES, stored_event
from ledger.store.sql import Sql


class RelatedReads:
    """Reads by reference and by type, on the transaction's connection (`sql`)."""

    sql: Sql

    def registrations(
        self, entity_ids: Sequence[str], types: Sequence[str]
    ) -> Iterator[tuple[str, int, str, dict[str, Any]]]:
        """(entity id, position, type, data) of the events of `types` indexed under these entities."""
        rows = self.sql.rows_in(
            "SELECT x.entity_id, e.position, e.type, e.body FROM event_entities x CROSS JOIN events e "
            f"WHERE x.entity_id IN ({{keys}}) AND e.position = x.position AND e.type IN ({_marks(types)})",
            list(entity_ids),
            types,
        )
        for entity_id, position, event_type, body in rows:
            yield entity_id, int(position), event_type, orjson.loads(body)["data"]

    def statements_about(self, positions: Sequence[int]) -> dict[int, list[int]]:
        """Positions of the statements that reference each of these events."""
        result: dict[int, list[int]] = {p: [] for p in positions}
        for target, position in self.sql.rows_in(
            "SELECT r.ref_position, r.position FROM event_refs r CROSS JOIN events e "
            "WHERE r.ref_position IN ({keys}) AND e.position = r.position "
            "AND e.type > 'report.' AND e.type < 'report/'",  # the statements' types, as a range
            positions,
        ):
            result[int(target)].append(int(position))
        return result

    def index_size(self, entity_id: str, upto: int) -> int:
        """How many index rows the entity has, counted up to `upto` (then: at least that many)."""
        rows = self.sql.rows(
            "SELECT COUNT(*) FROM (SELECT 1 FROM event_entities WHERE entity_id = ? LIMIT ?) AS x",
            (entity_id, upto),
        )
        return int(rows[0][0])

    def named_targets(self, name: str, role: int) -> list[int]:
        """Positions the events in which this normalized name has `role` (`event_names`) reference, and
        those these reference in turn (a corrected statement's claims), in order: one join."""
        return sorted(self.targets_of_names([name], role))

    def targets_of_names(self, names: Sequence[str], role: int) -> set[int]:
        """`named_targets` of each of these names, together."""
        rows = self.sql.rows_in(
            "SELECT r.ref_position, b.ref_position FROM event_names n CROSS JOIN event_refs r "
            "LEFT JOIN event_refs b ON b.position = r.ref_position "
            "WHERE n.name IN ({keys}) AND (n.role & ?) <> 0 AND r.position = n.position",
            sorted(set(names)),
            (role,),
        )
        return _targets_and_behind(list(rows))  # read here, where the lookup is made

    def positions_under(self, entity_ids: Sequence[str]) -> set[int]:
        """Positions of the events indexed under these entities."""
        rows = self.sql.rows_in(
            "SELECT position FROM event_entities WHERE entity_id IN ({keys})", sorted(set(entity_ids))
        )
        return {int(row[0]) for row in rows}

    def targets_under(self, entity_ids: Sequence[str]) -> set[int]:
        """Positions the events indexed under these entities reference, and those these reference in
        turn (what their statements are about, and a corrected statement's claims)."""
        rows = self.sql.rows_in(
            "SELECT r.ref_position, b.ref_position FROM event_entities x CROSS JOIN event_refs r "
            "LEFT JOIN event_refs b ON b.position = r.ref_position "
            "WHERE x.entity_id IN ({keys}) AND r.position = x.position",
            sorted(set(entity_ids)),
        )
        return _targets_and_behind(list(rows))

    def referencing(self, positions: Sequence[int]) -> dict[int, list[int]]:
        """Positions of the events that reference each of these (statements of a claim, corrections of
        an event)."""
        found: dict[int, list[int]] = {p: [] for p in positions}
        for target, position in self.sql.rows_in(
            "SELECT ref_position, position FROM event_refs WHERE ref_position IN ({keys})", list(positions)
        ):
            found[int(target)].append(int(position))
        return found

    def events_at(self, positions: Iterable[int]) -> dict[int, StoredEvent]:
        wanted = sorted(set(positions))
        rows = self.sql.rows_in(f"SELECT {COLUMNS} FROM events WHERE position IN ({{keys}})", wanted)
        return {int(row[0]): stored_event(row) for row in rows}

    def events_between_of(self, since: int, until: int, types: Sequence[str]) -> list[StoredEvent]:
        """The events of these types after position `since`, up to `until`, in position order."""
        marks = ", ".join("?" * len(types))
        rows = self.sql.rows(
            f"SELECT {COLUMNS} FROM events WHERE position > ? AND position <= ? AND type IN ({marks}) "
            "ORDER BY position",
            [since, until, *types],
        )
        return [stored_event(row) for row in rows]

    def corrections(self) -> Iterator[StoredEvent]:
        """Every entry.corrected, in position order."""
        rows = self.sql.rows(f"SELECT {COLUMNS} FROM events WHERE type = 'entry.corrected' ORDER BY position")
        return map(stored_event, rows)

    def corrections_of(self, positions: Sequence[int]) -> dict[int, list[StoredEvent]]:
        """The entry.corrected events of each of these events, in position order."""
        found: dict[int, list[StoredEvent]] = {p: [] for p in positions}
        rows = self.sql.rows_in(
            f"SELECT r.ref_position, {E_COLUMNS} FROM event_refs r CROSS JOIN events e "
            "WHERE r.ref_position IN ({keys}) AND e.position = r.position AND e.type = 'entry.corrected'",
            list(positions),
        )
        for row in sorted(rows, key=lambda r: int(r[1])):
            found[int(row[0])].append(stored_event(row[1:]))
        return found

    def fixes_of(self, positions: Sequence[int]) -> dict[int, list[StoredEvent]]:
        """The corrections and voids (entry.*) of each of these events, in position order."""
        found: dict[int, list[StoredEvent]] = {p: [] for p in positions}
        rows = self.sql.rows_in(
            f"SELECT r.ref_position, {E_COLUMNS} FROM event_refs r CROSS JOIN events e "
            "WHERE r.ref_position IN ({keys}) AND e.position = r.position "
            "AND e.type > 'entry.' AND e.type < 'entry/'",  # the corrections' types, as a range
            list(positions),
        )
        for row in sorted(rows, key=lambda r: int(r[1])):
            found[int(row[0])].append(stored_event(row[1:]))
        return found

    def claims_about(self, entity_id: str, types: Sequence[str]) -> list[StoredEvent]:
        """The events of `types` ever indexed under the entity, with the statements and corrections that
        reference them (what decides their status)."""
        return self.claims_about_many([entity_id], types)[entity_id]

    def claims_about_many(
        self, entity_ids: Sequence[str], types: Sequence[str], *, rare: bool = False
    ) -> dict[str, list[StoredEvent]]:
        """`claims_about` of many entities in a few queries: their claims of `types`, and what is said
        about them, by entity. `rare`: few events of the log have these types, so find them by type
        first (a busy company has tens of thousands of events, of which a handful set its group)."""
        found: dict[str, list[StoredEvent]] = {e: [] for e in entity_ids}
        # Index rows, then events by position: each a lookup by keys on one table. As one join,
        # PostgreSQL hashed every event of the types (a quarter of the log for a partnership's) or the
        # whole index rather than probe a few thousand rows by key (32 ms, now 15, for 226 partnerships
        # at 50,000 events).
        named: dict[int, list[str]] = {}
        for entity_id, position in self._index_rows(entity_ids, types, rare):
            named.setdefault(int(position), []).append(entity_id)
        claims = self.sql.rows_in(
            f"SELECT {COLUMNS} FROM events WHERE position IN ({{keys}}) AND type IN ({_marks(types)})",
            sorted(named),
            after=types,
        )
        positions = []
        for row in claims:
            event = stored_event(row)
            positions.append(event.position)
            for entity_id in named[event.position]:
                found[entity_id].append(event)
        for target, said in self._said_about(positions):
            for entity_id in named[target]:
                found[entity_id].append(said)
        return found

    def _index_rows(self, entity_ids: Sequence[str], types: Sequence[str], rare: bool) -> list[Sequence[Any]]:
        """(entity id, position) of the index rows of these entities: of `group_index` when it holds every
        event of `types`, else by entity, or with `rare` among the rows of every event of `types` (the
        few percent of the log they are, read by design)."""
        if set(types) <= set(GROUP_INDEX_TYPES):
            sql = "SELECT entity_id, position FROM group_index WHERE entity_id IN ({keys})"
            return list(self.sql.rows_in(sql, list(entity_ids)))
        if not rare:
            sql = "SELECT entity_id, position FROM event_entities WHERE entity_id IN ({keys})"
            return list(self.sql.rows_in(sql, list(entity_ids)))
        positions = self.sql.rows(f"SELECT position FROM events WHERE type IN ({_marks(types)})", types)
        wanted = set(entity_ids)
        rows = self.sql.rows_in(
            "SELECT entity_id, position FROM event_entities WHERE position IN ({keys})",
            [int(p) for (p,) in positions],
        )
        return [row for row in rows if row[0] in wanted]

    def claims_of_types(self, types: Sequence[str]) -> list[StoredEvent]:
        """Every event of `types`, with the statements and corrections that reference them."""
        rows = self.sql.rows(
            f"SELECT {COLUMNS} FROM events WHERE type IN ({_marks(types)}) ORDER BY position", types
        )
        claims = [stored_event(row) for row in rows]
        return self._with_what_is_said(claims)

    def _with_what_is_said(self, claims: list[StoredEvent]) -> list[StoredEvent]:
        """`claims` and the statements and corrections that reference them."""
        return claims + [said for _, said in self._said_about([c.position for c in claims])]

    def _said_about(self, positions: Sequence[int]) -> list[tuple[int, StoredEvent]]:
        """(target position, event) of every event that references one at `positions`, and of every
        correction of those that are statements (filed under the statement's target): a voided denial no
        longer decides the claim it denied."""
        found = self._referencing_events(positions)
        statements: dict[int, list[int]] = {}  # statement position -> the targets it was found for
        for target, event in found:
            if event.type.startswith("report."):  # a statement (its type, as `statements_about` reads it)
                statements.setdefault(event.position, []).append(target)
        if statements:
            found += [
                (target, fix)
                for statement, fix in self._referencing_events(sorted(statements))
                for target in statements[statement]
            ]
        return found

    def _referencing_events(self, positions: Sequence[int]) -> list[tuple[int, StoredEvent]]:
        rows = self.sql.rows_in(
            f"SELECT r.ref_position, {E_COLUMNS} FROM event_refs r CROSS JOIN events e "
            "WHERE r.ref_position IN ({keys}) AND e.position = r.position",
            positions,
        )
        return [(int(row[0]), stored_event(row[1:])) for row in rows]


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def _targets_and_behind(rows: Iterable[Sequence[Any]]) -> set[int]:
    """The positions of (referenced position, the position it references or NULL) rows."""
    found: set[int] = set()
    for target, behind in rows:
        found.add(int(target))
        if behind is not None:
            found.add(int(behind))
    return found
