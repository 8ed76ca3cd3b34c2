"""The log's tables: events, their entity index and their references. Rows go in, never change."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from typing_extensions import TypedDict

from ledger.events import StoredEvent
from ledger.hashing import GENESIS_HASH
from ledger.store.sql import Sql

EVENT_COLUMNS = ("position", "id", "type", "occurred_at", "recorded_at", "body", "prev_hash", "hash")
_COLUMNS = ", ".join(EVENT_COLUMNS)
_E_COLUMNS = ", ".join("e." + c for c in EVENT_COLUMNS)
# An index pair (x.entity_id, x.position) holds unless a correction took it away and none put it back.
_INDEXED = (
    "NOT EXISTS (SELECT 1 FROM index_changes c WHERE c.entity_id = x.entity_id AND c.position = x.position "
    "AND c.present = 0 AND NOT EXISTS (SELECT 1 FROM index_changes d WHERE d.entity_id = c.entity_id "
    "AND d.position = c.position AND d.at_position > c.at_position))"
)
EventRowTuple = Sequence[Any]  # a row selected with EVENT_COLUMNS


class EventFilter(TypedDict, total=False):
    """Which stored events `LogTables.select` returns (each key optional)."""

    entity: str | None  # indexed under this entity id
    event_type: str | None
    since: int  # after this position
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


BODY_KEYS = frozenset({"data", "sources", "refs", "note", "v"})  # what the `body` column holds


def stored_event(row: EventRowTuple) -> StoredEvent:
    """Decode a row selected with EVENT_COLUMNS."""
    return event_of(row, orjson.loads(row[5]))


def event_of(row: EventRowTuple, body: dict[str, Any]) -> StoredEvent:
    """The event of a row selected with EVENT_COLUMNS, its `body` column already decoded."""
    position, event_id, event_type, occurred_at, recorded_at, _, prev_hash, hash_ = row
    return StoredEvent(
        position,
        event_id,
        event_type,
        occurred_at,
        recorded_at,
        body["data"],
        body["sources"],
        body["refs"],
        body.get("note"),
        prev_hash,
        hash_,
        body.get("v"),
    )


class LogTables:
    """Appending to and reading the log inside one transaction."""

    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    # -- the head -----------------------------------------------------------------------------------------
    def head(self) -> Head:
        rows = self.sql.rows("SELECT position, hash, recorded_at FROM events ORDER BY position DESC LIMIT 1")
        if not rows:
            return Head(0, GENESIS_HASH, None)
        return Head(int(rows[0][0]), rows[0][1], rows[0][2])

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
        ref_rows = [(r.position, ref) for r in rows for ref in r.ref_positions]
        if ref_rows:
            self.sql.insert("event_refs", "position, ref_position", ref_rows)

    # -- lookups by id and position -----------------------------------------------------------------------
    def events_by_id(self, ids: Iterable[str]) -> dict[str, StoredEvent]:
        wanted = list(dict.fromkeys(ids))
        rows = self.sql.rows_in(f"SELECT {_COLUMNS} FROM events WHERE id IN ({{keys}})", wanted)
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
            f"WHERE x.position IN ({{keys}}) AND {_INDEXED}",
            positions,
        ):
            result[int(position)].add(entity)
        return result

    def latest_position_of(self, entity_id: str) -> int:
        rows = self.sql.rows(
            f"SELECT MAX(x.position) FROM event_entities x WHERE x.entity_id = ? AND {_INDEXED}", (entity_id,)
        )
        return int(rows[0][0] or 0)

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
            self.sql.insert(
                "event_entities", "entity_id, position", [pair for pair in added if pair not in have]
            )
        self.sql.insert(
            "index_changes",
            "entity_id, position, at_position, present",
            [(e, p, at, int(present)) for e, p, at, present in changes],
        )

    def registrations(
        self, entity_ids: Sequence[str], types: Sequence[str]
    ) -> Iterator[tuple[str, int, str, dict[str, Any]]]:
        """(entity id, position, type, data) of the events of `types` indexed under these entities."""
        marks = ", ".join("?" * len(types))
        for chunk_start in range(0, len(entity_ids), 400):
            chunk = list(entity_ids[chunk_start : chunk_start + 400])
            rows = self.sql.rows(
                f"SELECT x.entity_id, e.position, e.type, e.body FROM event_entities x CROSS JOIN events e "
                f"WHERE x.entity_id IN ({', '.join('?' * len(chunk))}) AND e.position = x.position "
                f"AND e.type IN ({marks})",
                [*chunk, *types],
            )
            for entity_id, position, event_type, body in rows:
                yield entity_id, int(position), event_type, orjson.loads(body)["data"]

    def registered_ids(self, kind: str, types: Sequence[str]) -> list[str]:
        """Ids of `kind` indexed under an event of `types` (candidates for "did you mean")."""
        marks = ", ".join("?" * len(types))
        rows = self.sql.rows(
            f"SELECT DISTINCT x.entity_id FROM events e CROSS JOIN event_entities x "
            f"WHERE e.type IN ({marks}) AND x.position = e.position AND x.entity_id > ? AND x.entity_id < ?",
            [*types, f"{kind}:", f"{kind};"],  # ids of the kind, as a range (';' follows ':')
        )
        return sorted(row[0] for row in rows)

    def index_changed(self) -> bool:
        """Whether any correction has changed the index yet."""
        return bool(self.sql.rows("SELECT 1 FROM index_changes LIMIT 1"))

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

    def events_at(self, positions: Iterable[int]) -> dict[int, StoredEvent]:
        wanted = sorted(set(positions))
        rows = self.sql.rows_in(f"SELECT {_COLUMNS} FROM events WHERE position IN ({{keys}})", wanted)
        return {int(row[0]): stored_event(row) for row in rows}

    def corrections(self) -> Iterator[StoredEvent]:
        """Every entry.corrected, in position order."""
        rows = self.sql.rows(
            f"SELECT {_COLUMNS} FROM events WHERE type = 'entry.corrected' ORDER BY position"
        )
        return map(stored_event, rows)

    def corrections_of(self, positions: Sequence[int]) -> dict[int, list[StoredEvent]]:
        """The entry.corrected events of each of these events, in position order."""
        found: dict[int, list[StoredEvent]] = {p: [] for p in positions}
        rows = self.sql.rows_in(
            f"SELECT r.ref_position, {_E_COLUMNS} FROM event_refs r CROSS JOIN events e "
            "WHERE r.ref_position IN ({keys}) AND e.position = r.position AND e.type = 'entry.corrected'",
            list(positions),
        )
        for row in sorted(rows, key=lambda r: int(r[1])):
            found[int(row[0])].append(stored_event(row[1:]))
        return found

    def rows(self, since: int = 0, batch: int = 5000) -> Iterator[EventRowTuple]:
        """Rows of EVENT_COLUMNS after position `since`, undecoded, in keyset pages (verify decodes them
        itself, to report a damaged row rather than fail on it)."""
        last = since
        while True:
            page = self.sql.rows(
                f"SELECT {_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?", (last, batch)
            )
            if not page:
                return
            yield from page
            last = int(page[-1][0])

    def read(self, since: int = 0) -> Iterator[StoredEvent]:
        """Every event after position `since`, in position order."""
        return map(stored_event, self.rows(since))

    def select(
        self,
        *,
        entity: str | None = None,
        event_type: str | None = None,
        since: int = 0,
        limit: int | None = None,
        reverse: bool = False,
    ) -> list[StoredEvent]:
        if entity is None:
            source, where, params = "events e", ["e.position > ?"], [since]
        else:
            # From the entity's index rows to their events, whatever other filter is given (CROSS JOIN
            # keeps SQLite from starting at, say, every event of a type).
            source = "event_entities x CROSS JOIN events e"
            where = ["x.entity_id = ?", "x.position > ?", "e.position = x.position", _INDEXED]
            params = [entity, since]
        if event_type is not None:
            where.append("e.type = ?")
            params.append(event_type)
        order_by = "e.position" if entity is None else "x.position"  # the index order: no sort
        sql = (
            f"SELECT {_E_COLUMNS} FROM {source} WHERE {' AND '.join(where)} "
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
        rows = self.sql.rows(
            f"SELECT {_E_COLUMNS} FROM event_entities x CROSS JOIN events e "
            "WHERE x.entity_id = ? AND e.position = x.position ORDER BY x.position",
            (entity_id,),
        )
        return self.with_referenced([stored_event(row) for row in rows])

    def claims_about(self, entity_id: str, types: Sequence[str]) -> list[StoredEvent]:
        """The events of `types` ever indexed under the entity, with the statements and corrections that
        reference them (what decides their status)."""
        marks = ", ".join("?" * len(types))
        claims = [
            stored_event(row)
            for row in self.sql.rows(
                f"SELECT {_E_COLUMNS} FROM event_entities x CROSS JOIN events e WHERE x.entity_id = ? "
                f"AND e.position = x.position AND e.type IN ({marks})",
                [entity_id, *types],
            )
        ]
        if not claims:
            return claims
        about = self.sql.rows_in(
            f"SELECT {_E_COLUMNS} FROM event_refs r CROSS JOIN events e "
            "WHERE r.ref_position IN ({keys}) AND e.position = r.position",
            [c.position for c in claims],
        )
        return claims + [stored_event(row) for row in about]

    def claims_of_types(self, types: Sequence[str]) -> list[StoredEvent]:
        """Every event of `types`, with the statements and corrections that reference them."""
        marks = ", ".join("?" * len(types))
        rows = self.sql.rows(
            f"SELECT {_COLUMNS} FROM events WHERE type IN ({marks}) ORDER BY position", types
        )
        claims = [stored_event(row) for row in rows]
        if not claims:
            return claims
        about = self.sql.rows_in(
            f"SELECT {_E_COLUMNS} FROM event_refs r CROSS JOIN events e "
            "WHERE r.ref_position IN ({keys}) AND e.position = r.position",
            [c.position for c in claims],
        )
        return claims + [stored_event(row) for row in about]

    def with_referenced(self, events: list[StoredEvent]) -> list[StoredEvent]:
        """`events` plus the events they reference that are not among them."""
        have = {e.id for e in events}
        missing = {ref for e in events for ref in e.refs if ref not in have}
        if missing:
            events = events + list(self.events_by_id(missing).values())
        return events

    def entity_stream(
        self, first: str | None = None, last: str | None = None
    ) -> Iterator[tuple[str, list[StoredEvent]]]:
        """(entity id, its events) for every entity (from `first` to `last` inclusive, if given), in
        entity id order; one entity in memory at a time."""
        where, params = ["e.position = x.position"], []
        if first is not None:
            where.append("x.entity_id >= ?")
            params.append(first)
        if last is not None:
            where.append("x.entity_id <= ?")
            params.append(last)
        rows = self.sql.stream(
            f"SELECT x.entity_id, {_E_COLUMNS} FROM event_entities x CROSS JOIN events e "
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

    def entity_sizes(self) -> Iterator[tuple[str, int]]:
        """(entity id, number of index rows) for every entity, in entity id order."""
        rows = self.sql.stream(
            "SELECT entity_id, COUNT(*) FROM event_entities GROUP BY entity_id ORDER BY entity_id"
        )
        return ((entity_id, int(count)) for entity_id, count in rows)

    def entities_since(self, position: int) -> set[str]:
        # Not DISTINCT: SQLite would then walk the whole index in entity order to deduplicate, instead of
        # the few rows after the checkpoint.
        rows = self.sql.rows("SELECT entity_id FROM event_entities WHERE position > ?", (position,))
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
