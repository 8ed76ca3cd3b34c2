"""Checking the log: recompute every event's hash from its stored content and follow the chain.

The chain is built in `ledger.writer` (through `ledger.hashing`); this is the other half, which trusts
nothing but the hash function: each hash is recomputed from the exported form of the stored row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from ledger.errors import InvalidArgument
from ledger.hashing import GENESIS_HASH, event_hash
from ledger.store.connection import Transaction
from ledger.store.log import BODY_KEYS, event_of


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The outcome of `verify`: ok, or the first bad position and what is wrong there."""

    ok: bool
    events: int
    head_hash: str
    first_bad_position: int | None
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "head_hash": self.head_hash,
            "first_bad_position": self.first_bad_position,
        }


def parse_head(head: str) -> tuple[str, int]:
    """HASH@POSITION, as saved from an earlier `verify`."""
    digest, sep, position = head.partition("@")
    if not sep or not position.isdigit() or len(digest) != 64:
        raise InvalidArgument(
            f"expected HASH@POSITION (64 hex digits @ a position), got {head!r}", parameter="head"
        )
    return digest.lower(), int(position)


def _recomputed_hash(row: Any) -> str | None:
    """The hash the row's content should have, or None if its body cannot be an event's: not JSON, or
    holding what the exported form would not show (an unknown key, a null note)."""
    try:
        body = orjson.loads(row[5])
        if not isinstance(body, dict) or not BODY_KEYS.issuperset(body) or body.get("note", "") is None:
            return None
        return event_hash(event_of(row, body).hashed_form())
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


def verify_chain(tx: Transaction, expected_head: tuple[str, int] | None) -> VerifyReport:
    """Recompute the chain from position 1; with `expected_head` also check that head is still held."""
    # Read before the events: on PostgreSQL each statement sees what is committed when it starts, and
    # the checkpoint never passes the committed head, so a concurrent writer cannot make it look ahead.
    built = tx.projections.checkpoint()
    prev_hash, last_recorded, count = GENESIS_HASH, "", 0
    bad: tuple[int, str] | None = None
    held: str | None = None
    for row in tx.log.rows():
        position, recorded_at, stored_prev, stored_hash = row[0], row[4], row[6], row[7]
        if bad is None:
            expected = count + 1
            if position != expected:
                bad = (expected, f"position {expected} is missing (found {position})")
            elif stored_prev != prev_hash:
                bad = (position, "prev_hash does not match the previous event's hash")
            elif recorded_at < last_recorded:
                bad = (position, "recorded_at goes back in time")
            elif _recomputed_hash(row) != stored_hash:
                bad = (position, "hash does not match the event's content")
        count += 1
        prev_hash, last_recorded = stored_hash, recorded_at
        if expected_head and position == expected_head[1]:
            held = stored_hash
    head_hash = prev_hash
    if bad is None and built > count:
        # A tripwire, not a proof (whoever cuts the log can rewind this too; `--head` is the proof).
        bad = (count + 1, f"position {count + 1} is missing: the projections were built from {built} events")
    if bad is None and expected_head is not None and held != expected_head[0]:
        bad = (
            expected_head[1],
            f"the ledger no longer holds head {expected_head[0][:12]}… at position {expected_head[1]}",
        )
    if bad is None:
        return VerifyReport(True, count, head_hash, None)
    return VerifyReport(False, count, head_hash, bad[0], bad[1])
