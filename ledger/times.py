"""The two time axes as sortable integers (microseconds since the Unix epoch, UTC).

World time (`occurred_at`) may be a date or an RFC 3339 timestamp; a zone-less time is UTC. A date as
`occurred_at` means the start of that day, a date given as a bound (`--as-of`, `--known-at`) its end.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

# Matched whole (re.fullmatch): a `$` anchor would also accept a final "\n".
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})?")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY_US = 86_400_000_000


def _to_micros(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _parse_timestamp(text: str) -> datetime:
    # fromisoformat copes with at most 6 fractional digits; RFC 3339 allows more, which we truncate.
    head, dot, rest = text.partition(".")
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = head + "." + rest[: min(digits, 6)] + rest[digits:]
    if text[-1] in "zZ":
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def check_time(text: str) -> str:
    """Return `text` if it is a real date or RFC 3339 timestamp; raise ValueError otherwise."""
    if DATE_RE.fullmatch(text):
        date.fromisoformat(text)
    elif TIMESTAMP_RE.fullmatch(text):
        _parse_timestamp(text)
    else:
        raise ValueError(f"expected a date (YYYY-MM-DD) or an RFC 3339 timestamp, got {text!r}")
    return text


def start_key(text: str) -> int:
    """Sort key of a world time: a date means the start of that day."""
    if len(text) == 10:
        return _to_micros(datetime.fromisoformat(text).replace(tzinfo=UTC))
    return _to_micros(_parse_timestamp(text))


def bound_key(text: str) -> int:
    """Key of an inclusive upper bound: a date means the end of that day."""
    check_time(text)
    if len(text) == 10:
        return start_key(text) + _DAY_US - 1
    return start_key(text)


def format_recorded_at(moment: datetime) -> str:
    """Ledger time as stored and exported: UTC, microseconds, fixed width so text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def recorded_key(text: str) -> int:
    return _to_micros(_parse_timestamp(text))


def now_utc() -> datetime:
    return datetime.now(UTC)


def next_recorded_at(previous: str | None) -> str:
    """The store's clock: now, but never earlier than the previous event's recorded_at."""
    now = format_recorded_at(now_utc())
    if previous is not None and now < previous:
        return previous
    return now


def from_key(key: int) -> str:
    return format_recorded_at(_EPOCH + timedelta(microseconds=key))
