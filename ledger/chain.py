"""The hash chain, checked row by row as `verify` reads the log: each row decoded, its hash recomputed
from its stored content, its link to the row before followed. One process follows the whole log with
`Chain.add`; a worker (`ledger.verify_workers`) follows a stretch of it from its first row, and
`Chain.join` checks that row's link to the stretch before, in the same order `add` checks a row.
"""

from __future__ import annotations

from typing import Any

import orjson

from ledger.events import StoredEvent
from ledger.hashing import GENESIS_HASH, event_hash, may_hold_floats
from ledger.store.log import BODY_KEYS, event_of
from ledger.times import is_recorded_at

Break = tuple[int, str]  # (the first bad position, what is wrong)
# The first row of a stretch, what `Chain.join` checks against the stretch before: (position, prev_hash,
# recorded_at, whether its hash matches its content).
Opening = tuple[int, str, str, bool]
HASH_MISMATCH = "hash does not match the event's content"


def decoded(row: Any) -> StoredEvent | None:
    """The event of a row, or None if its body cannot be an event's: not JSON, or holding what the
    exported form would not show (an unknown key, a null note)."""
    try:
        body = orjson.loads(row[5])
        if not isinstance(body, dict) or not BODY_KEYS.issuperset(body) or body.get("note", "") is None:
            return None
        return event_of(row, body)
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


def recomputed_hash(row: Any, event: StoredEvent | None) -> str | None:
    """The hash the content of the row's event should have (None: no event, or content no hash can be
    made of). Only the body can hold a float (the other columns are text and an integer)."""
    if event is None:
        return None
    try:
        return event_hash(event.hashed_form(), floats=may_hold_floats(row[5]))
    except (TypeError, ValueError):
        return None


def opening(row: Any, event: StoredEvent | None) -> Opening:
    return row[0], row[6], row[4], recomputed_hash(row, event) == row[7]


class Chain:
    """Follows the hash chain row by row; keeps the first break. Starts at the genesis, or (in a worker)
    after the first row of a stretch, whose link is left to `join`."""

    def __init__(self, count: int = 0, prev_hash: str = GENESIS_HASH, last_recorded: str = "") -> None:
        self.prev_hash, self.last_recorded, self.count = prev_hash, last_recorded, count
        self.problem: Break | None = None

    def _link(self, position: int, stored_prev: str, recorded_at: str) -> Break | None:
        expected = self.count + 1
        if position != expected:
            return expected, f"position {expected} is missing (found {position})"
        if stored_prev != self.prev_hash:
            return position, "prev_hash does not match the previous event's hash"
        if recorded_at != self.last_recorded and not is_recorded_at(recorded_at):
            return position, "recorded_at is not a ledger time (YYYY-MM-DDTHH:MM:SS.ffffffZ)"
        if recorded_at < self.last_recorded:
            return position, "recorded_at goes back in time"
        return None

    def add(self, row: Any, event: StoredEvent | None) -> None:
        position, recorded_at, stored_prev, stored_hash = row[0], row[4], row[6], row[7]
        if self.problem is None:
            self.problem = self._link(position, stored_prev, recorded_at)
            if self.problem is None and recomputed_hash(row, event) != stored_hash:
                self.problem = (position, HASH_MISMATCH)
        self.count += 1
        self.prev_hash, self.last_recorded = stored_hash, recorded_at

    def join(self, first: Opening, rows: int, last: tuple[str, str], problem: Break | None) -> None:
        """Take in a stretch of `rows` rows checked elsewhere: its first row `first` (checked here, as
        `add` would), its last row's (hash, recorded_at), and the first break after its first row."""
        position, stored_prev, recorded_at, hash_matches = first
        if self.problem is None:
            self.problem = self._link(position, stored_prev, recorded_at)
            if self.problem is None:
                self.problem = (position, HASH_MISMATCH) if not hash_matches else problem
        self.count += rows
        self.prev_hash, self.last_recorded = last
