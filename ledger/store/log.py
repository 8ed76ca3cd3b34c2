"""The log's tables: events, their entity index and their references. Rows go in, never change."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ledger.events import StoredEvent
from ledger.store.entity_streams import EntityStreams
from ledger.store.history_pages import HistoryPages
from ledger.store.index_moves import IndexMoves
from ledger.store.index_reads import IndexReads
from ledger.store.ordered_reads import OrderedReads
from ledger.store.related import RelatedReads
from ledger.store.rows import (
    BODY_KEYS,
    COLUMNS,
    E_COLUMNS,
    EVENT_COLUMNS,
    GROUP_INDEX_TYPES,
    INDEXED,
    event_of,
    stored_event,
)
from ledger.store.sql import Sql

__all__ = [
    "BODY_KEYS",
    "EVENT_COLUMNS",
    "EventFilter",
    "EventRow",
    "Head",
    "LogTables",
    "event_of",
    "stored_event",
]


PROBES = 32  # positions read per round trip when looking for the last event recorded by a moment
ANALYZE_FROM = 5_000  # events inserted in one transaction before the planner is told (PostgreSQL)


if TYPE_CHECKING:  # for annotations only: typing_extensions is not loaded to answer a query
    from typing_extensions import TypedDict

    class EventFilter(TypedDict, total=False):
        """Which stored events `LogTables.select` returns (each key optional)."""

        entity: str | None  # indexed under this entity id
        event_type: str | None
        since: int  # after this position
        until: int | None  # up to this position
        occurred_from: int | None  # world-time key (occurred_key) at or after this
        occurred_to: int | None  # world-time key at or before this
        names: Sequence[tuple[str, int]]  # (normalized name, role bits): found by each in `event_names`
        limit: int | None
        reverse: bool  # newest first


@dataclass(frozen=True, slots=True)
class Head:
    position: int
    hash: str
    recorded_at: str | None


@dataclass(frozen=True, slots=True)
class EventRow:
    """An event ready to insert: the store fields already assigned."""

    position: int
    id: str
    type: str
    occurred_at: str
    occurred_key: int
    recorded_at: str
    body: bytes
    prev_hash: str
    hash: str
    entities: Sequence[str]
    ref_positions: Sequence[int]
    names: Sequence[tuple[str, int]] = ()  # (normalized name, roles): `ledger.names.event_names`


class LogTables(OrderedReads, RelatedReads, IndexReads, IndexMoves, HistoryPages, EntityStreams):
    """Appending to and reading the log inside one transaction."""

    def __init__(self, sql: Sql) -> None:
        self.sql = sql
        self._planned_rows: int | None = None  # events the planner knows of (PostgreSQL)
        self._unplanned_rows = 0  # events inserted since it last learnt

    # -- the head -----------------------------------------------------------------------------------------
    def head(self) -> Head:
        rows = self.sql.rows("SELECT position, hash, recorded_at FROM events ORDER BY position DESC LIMIT 1")
        if not rows:
            from ledger.hashing import GENESIS_HASH  # here: a query need not load hashlib

            return Head(0, GENESIS_HASH, None)
        return Head(int(rows[0][0]), rows[0][1], rows[0][2])

    def known_by(self, recorded_at: str, head: Head) -> int:
        """The last position recorded at or before `recorded_at` (0: none). recorded_at never goes back
        along the log (the writer, a restore and verify hold to it), so what was recorded by a moment is a
        prefix of the positions: found by probing up to PROBES positions a round trip, by primary key."""
        if head.recorded_at is None or head.recorded_at <= recorded_at:
            return head.position
        low, high = 0, head.position - 1  # the answer lies in [low, high]
        while low < high:
            step = max(1, (high - low) // PROBES)
            probes = list(range(low + step, high + 1, step))[:PROBES]
            found = dict(
                self.sql.rows_in(
                    "SELECT position, recorded_at FROM events WHERE position IN ({keys})", probes
                )
            )
            for position in probes:
                if found.get(position, "") <= recorded_at:
                    low = position
                else:
                    high = position - 1
                    break
        return low

    def recorded_at(self, position: int) -> str | None:
        """When the event at `position` was recorded (None: no such event)."""
        rows = self.sql.rows("SELECT recorded_at FROM events WHERE position = ?", (position,))
        return rows[0][0] if rows else None

    def count(self) -> int:
        return int(self.sql.rows("SELECT COUNT(*) FROM events")[0][0])

    # -- appending ----------------------------------------------------------------------------------------
    def insert(self, rows: Sequence[EventRow]) -> None:
        """Insert events with their index and reference rows (positions already assigned)."""
        if not rows:
            return
        self.sql.insert(
            "events",
            "position, id, type, occurred_at, occurred_key, recorded_at, body, prev_hash, hash",
            [
                (
                    r.position,
                    r.id,
                    r.type,
                    r.occurred_at,
                    r.occurred_key,
                    r.recorded_at,
                    r.body.decode(),
                    r.prev_hash,
                    r.hash,
                )
                for r in rows
            ],
        )
        entity_rows = [(entity, r.position) for r in rows for entity in r.entities]
        if entity_rows:
            self.sql.insert("event_entities", "entity_id, position", entity_rows)
        group_rows = [(e, r.position) for r in rows if r.type in GROUP_INDEX_TYPES for e in r.entities]
        if group_rows:
            self.sql.insert("group_index", "entity_id, position", group_rows)
        ref_rows = [(r.position, ref) for r in rows for ref in r.ref_positions]
        if ref_rows:
            self.sql.insert("event_refs", "position, ref_position", ref_rows)
        self.insert_names([(name, r.position, role) for r in rows for name, role in r.names])
        if self.sql.dialect == "postgresql":
            self._keep_statistics(len(rows))

    def insert_names(self, rows: Sequence[tuple[str, int, int]]) -> None:
        """(normalized name, position, roles) rows of `event_names`."""
        if rows:
            self.sql.insert("event_names", "name, position, role", rows)

    def named(self, name: str, role: int, after: int = 0, limit: int | None = None) -> list[int]:
        """Positions after `after` of the events in which this normalized name has `role` (`event_names`),
        in order, at most `limit`."""
        sql = (
            "SELECT position FROM event_names WHERE name = ? AND position > ? AND (role & ?) <> 0 "
            "ORDER BY position"
        )
        params: list[object] = [name, after, role]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [int(row[0]) for row in self.sql.rows(sql, params)]

    def refs_from(self, positions: Sequence[int]) -> dict[int, list[int]]:
        """The positions each of these events references."""
        found: dict[int, list[int]] = {p: [] for p in positions}
        for position, ref in self.sql.rows_in(
            "SELECT position, ref_position FROM event_refs WHERE position IN ({keys})", list(positions)
        ):
            found[int(position)].append(int(ref))
        return found

    def names_indexed(self) -> bool:
        """Whether `event_names` holds any row (a ledger from before it has none: `ledger init` fills it)."""
        return bool(self.sql.rows("SELECT 1 FROM event_names LIMIT 1"))

    def _keep_statistics(self, inserted: int) -> None:
        """PostgreSQL plans from statistics that autovacuum gathers only after a commit, so within one long
        import the planner takes the growing log for the empty one it last saw and answers look-ups with
        whole-table scans (226 scans reading 33 million index rows in an import of 100,000 events). ANALYZE,
        which counts the transaction's own rows, each time the log has grown by half since it last ran."""
        if self._planned_rows is None:
            estimate = self.sql.rows("SELECT reltuples FROM pg_class WHERE oid = 'events'::regclass")
            self._planned_rows = max(int(estimate[0][0]), 0) if estimate else 0
        self._unplanned_rows += inserted
        if self._unplanned_rows >= max(ANALYZE_FROM, self._planned_rows // 2):
            self.sql.run("ANALYZE events, event_entities, event_refs, event_names, group_index")
            self._planned_rows += self._unplanned_rows
            self._unplanned_rows = 0

    # -- lookups by id and position -----------------------------------------------------------------------
    def events_by_id(self, ids: Iterable[str]) -> dict[str, StoredEvent]:
        wanted = list(dict.fromkeys(ids))
        rows = self.sql.rows_in(f"SELECT {COLUMNS} FROM events WHERE id IN ({{keys}})", wanted)
        return {row[1]: stored_event(row) for row in rows}

    def locate(self, ids: Iterable[str]) -> dict[str, tuple[int, str]]:
        """(position, type) of the events with these ids that exist, without decoding them."""
        wanted = list(dict.fromkeys(ids))
        rows = self.sql.rows_in("SELECT id, position, type FROM events WHERE id IN ({keys})", wanted)
        return {event_id: (int(position), event_type) for event_id, position, event_type in rows}

    def current_entities(self, positions: Sequence[int]) -> dict[int, set[str]]:
        """The entities each event is indexed under now (corrections may have moved it)."""
        result: dict[int, set[str]] = {p: set() for p in positions}
        for entity, position in self.sql.rows_in(
            "SELECT x.entity_id, x.position FROM event_entities x "
            f"WHERE x.position IN ({{keys}}) AND {INDEXED}",
            positions,
        ):
            result[int(position)].add(entity)
        return result

    def latest_position_of(self, entity_id: str) -> int:
        rows = self.sql.rows(
            f"SELECT MAX(x.position) FROM event_entities x WHERE x.entity_id = ? AND {INDEXED}", (entity_id,)
        )
        return int(rows[0][0] or 0)

    def select(
        self,
        *,
        entity: str | None = None,
        event_type: str | None = None,
        since: int = 0,
        until: int | None = None,
        occurred_from: int | None = None,
        occurred_to: int | None = None,
        names: Sequence[tuple[str, int]] = (),
        limit: int | None = None,
        reverse: bool = False,
    ) -> list[StoredEvent]:
        """Events in position order (`EventFilter`), read from the most selective index given: the entity
        index, the names, world time, else positions."""
        where: list[str] = []
        params: list[object] = []
        if entity is not None:
            # From the entity's index rows to their events, whatever other filter is given (CROSS JOIN
            # keeps SQLite from starting at, say, every event of a type).
            source, order_by = (
                "event_entities x CROSS JOIN events e",
                "x.position",
            )  # the index order: no sort
            where += ["x.entity_id = ?", "x.position > ?", "e.position = x.position", INDEXED]
            params += [entity, since]
        elif names:
            source, order_by = "event_names n CROSS JOIN events e", "n.position"
            where += ["n.name = ?", "(n.role & ?) <> 0", "n.position > ?", "e.position = n.position"]
            params += [*names[0], since]
            names = names[1:]
        else:
            source, order_by = "events e", "e.position"
            if since or (occurred_from is None and occurred_to is None):
                where.append("e.position > ?")
                params.append(since)
        for condition, value in (
            ("e.position <= ?", until),
            ("e.type = ?", event_type),
            ("e.occurred_key >= ?", occurred_from),
            ("e.occurred_key <= ?", occurred_to),
        ):
            if value is not None:
                where.append(condition)
                params.append(value)
        for named in names:  # by the names' primary key, event by event
            where.append(
                "EXISTS (SELECT 1 FROM event_names m WHERE m.name = ? AND m.position = e.position "
                "AND (m.role & ?) <> 0)"
            )
            params += named
        sql = (
            f"SELECT {E_COLUMNS} FROM {source} WHERE {' AND '.join(where)} "
            f"ORDER BY {order_by} {'DESC' if reverse else 'ASC'}"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [stored_event(row) for row in self.sql.rows(sql, params)]

    # -- by entity ------------------------------------------------------------------------------------------
    def entity_events(self, entity_id: str) -> list[StoredEvent]:
        """Events ever indexed under the entity, plus the events they reference (a correction's target
        may name the entity only through the correction): what a fold reads. Pairs a correction took
        away are included, so a fold as the ledger knew it before the correction sees them; the fold
        decides by the data in view which still name the entity."""
        if self.sql.dialect == "postgresql":
            # Index rows, then events by position: as one join, PostgreSQL hashed every event for an
            # entity of a few percent of the log (a busy company's 600 rows at 30,000 events).
            positions = self.sql.rows(
                "SELECT position FROM event_entities WHERE entity_id = ? ORDER BY position", (entity_id,)
            )
            rows = sorted(
                self.sql.rows_in(
                    f"SELECT {COLUMNS} FROM events WHERE position IN ({{keys}})", [p for (p,) in positions]
                ),
                key=lambda row: row[0],
            )
        else:
            rows = self.sql.rows(
                f"SELECT {E_COLUMNS} FROM event_entities x CROSS JOIN events e "
                "WHERE x.entity_id = ? AND e.position = x.position ORDER BY x.position",
                (entity_id,),
            )
        return self.with_referenced([stored_event(row) for row in rows])

    def with_referenced(self, events: list[StoredEvent]) -> list[StoredEvent]:
        """`events` plus the events they reference that are not among them."""
        have = {e.id for e in events}
        missing = {ref for e in events for ref in e.refs if ref not in have}
        if missing:
            events = events + list(self.events_by_id(missing).values())
        return events

    def entities_between(self, since: int, until: int) -> set[str]:
        """The entities indexed under the events after position `since`, up to `until`."""
        # Not DISTINCT: SQLite would then walk the whole index in entity order to deduplicate, instead of
        # the few rows of the range.
        rows = self.sql.rows(
            "SELECT entity_id FROM event_entities WHERE position > ? AND position <= ?", (since, until)
        )
        return {row[0] for row in rows}

    def co_indexed(self, entity_ids: Iterable[str]) -> set[str]:
        """Every entity indexed under an event that one of `entity_ids` is indexed under (themselves too):
        what a change to facts about them may change."""
        rows = self.sql.rows_in(
            "SELECT DISTINCT b.entity_id FROM event_entities a "
            "JOIN event_entities b ON b.position = a.position WHERE a.entity_id IN ({keys})",
            sorted(set(entity_ids)),
        )
        return {row[0] for row in rows} | set(entity_ids)
