"""The two time axes as sortable integers (microseconds since the Unix epoch, UTC).

World time (`occurred_at`) may be a date or an RFC 3339 timestamp; a zone-less time is UTC. A date as
`occurred_at` means the start of that day, a date given as a bound (`--as-of`, `--known-at`) its end.
Since vocabulary v2 it may also be a period (`2021`, `2021-H2`, `2021-Q4`, `2021-10`) when a report is
no more precise: it sorts by its start and is past a bound only once it has ended (`end_key`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

# Matched whole (re.fullmatch): a `$` anchor would also accept a final "\n".
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})?")

PERIOD_RE = re.compile(r"(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])|H([12])))?")

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


def check_world_time(text: str) -> str:
    """`check_time`, or a period: YYYY, YYYY-Hn, YYYY-Qn, YYYY-MM."""
    if PERIOD_RE.fullmatch(text):
        return text
    try:
        return check_time(text)
    except ValueError:
        raise ValueError(
            "expected a date (YYYY-MM-DD), an RFC 3339 timestamp or a period (YYYY, YYYY-Hn, YYYY-Qn, "
            f"YYYY-MM), got {text!r}"
        ) from None


def _period(text: str) -> tuple[date, date, str] | None:
    """(first day, day after the last, precision) of a period; None if `text` is not one."""
    match = PERIOD_RE.fullmatch(text)
    if match is None:
        return None
    year, month, quarter, half = match.groups()
    y = int(year)
    if month:
        first, months, precision = int(month), 1, "month"
    elif quarter:
        first, months, precision = 3 * int(quarter) - 2, 3, "quarter"
    elif half:
        first, months, precision = 6 * int(half) - 5, 6, "half"
    else:
        first, months, precision = 1, 12, "year"
    after = first + months
    end = date(y + 1, 1, 1) if after > 12 else date(y, after, 1)
    return date(y, first, 1), end, precision


def precision(text: str) -> str:
    """How precise a world time is: instant, day, month, quarter, half or year."""
    if len(text) == 10 and DATE_RE.fullmatch(text):
        return "day"
    period = _period(text)
    return period[2] if period else "instant"


def start_key(text: str) -> int:
    """Sort key of a world time: a date or a period means its start."""
    if len(text) == 10:
        return _to_micros(datetime.fromisoformat(text).replace(tzinfo=UTC))
    if len(text) <= 7:
        period = _period(text)
        if period is not None:
            return _to_micros(datetime.combine(period[0], datetime.min.time(), UTC))
    return _to_micros(_parse_timestamp(text))


def end_key(text: str) -> int:
    """The key a world time must not pass to lie at or before a bound: a period's last microsecond;
    a day or an instant its start, as v1 had it (a day counts from its start)."""
    if len(text) <= 7:
        period = _period(text)
        if period is not None:
            return _to_micros(datetime.combine(period[1], datetime.min.time(), UTC)) - 1
    return start_key(text)


def bound_key(text: str) -> int:
    """Key of an inclusive upper bound: a date means the end of that day, a period its end."""
    check_world_time(text)
    return _bound_key(text)


def _bound_key(text: str) -> int:
    if len(text) <= 7:
        return end_key(text)
    if len(text) == 10:
        return start_key(text) + _DAY_US - 1
    return start_key(text)


POSITION_RE = re.compile(r"@([0-9]{1,18})")


@dataclass(frozen=True, slots=True)
class LedgerTime:
    """A moment of ledger time as given: right after the event at `position` (`@POSITION`), or once
    everything recorded by the time `key` (`bound_key`: a date means its end) was."""

    position: int | None = None
    key: int | None = None


def ledger_time(text: str) -> LedgerTime:
    """`@POSITION`, or a time as `bound_key` reads it; ValueError otherwise."""
    if text.startswith("@"):
        match = POSITION_RE.fullmatch(text)
        if match is None:
            raise ValueError(f"expected @POSITION (a whole number after @), got {text!r}")
        return LedgerTime(position=int(match.group(1)))
    try:
        check_world_time(text)
    except ValueError:
        raise ValueError(
            "expected a date (YYYY-MM-DD), an RFC 3339 timestamp, a period (YYYY, YYYY-Hn, YYYY-Qn, "
            f"YYYY-MM) or @POSITION, got {text!r}"
        ) from None
    return LedgerTime(key=_bound_key(text))


def format_recorded_at(moment: datetime) -> str:
    """Ledger time as stored and exported: UTC, microseconds, fixed width so text order is time order."""
    m = moment.astimezone(UTC)
    day = f"{m.year:04d}-{m.month:02d}-{m.day:02d}"
    return f"{day}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}.{m.microsecond:06d}Z"


def recorded_key(text: str) -> int:
    return _to_micros(_parse_timestamp(text))


RECORDED_AT_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")  # what format_recorded_at writes


def is_recorded_at(text: object) -> bool:
    """Whether `text` is a ledger time as the store writes it: a real UTC moment, to the microsecond."""
    if not isinstance(text, str) or not RECORDED_AT_RE.fullmatch(text):
        return False
    try:
        recorded_key(text)
    except ValueError:
        return False
    return True


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


DURATION_RE = re.compile(r"([0-9]{1,5})([dwmy])")
_DURATION_UNITS = {"d": "days", "w": "weeks", "m": "months", "y": "years"}


def check_duration(text: str) -> str:
    """A span of world time: a whole number of days, weeks, months or years (`90d`, `6w`, `3m`, `1y`)."""
    if DURATION_RE.fullmatch(text) is None:
        raise ValueError(
            f"expected a duration like 90d, 6w, 3m or 1y (days, weeks, months, years), got {text!r}"
        )
    return text


def key_before(key: int, duration: str) -> int:
    """The world-time key `duration` (see `check_duration`) before `key`; months and years by the
    calendar (a month before 31 March is the last day of February)."""
    match = DURATION_RE.fullmatch(check_duration(duration))
    assert match is not None
    count, unit = int(match.group(1)), match.group(2)
    if unit in "dw":
        return key - count * (7 if unit == "w" else 1) * _DAY_US
    moment = _EPOCH + timedelta(microseconds=key)
    months = moment.year * 12 + moment.month - 1 - count * (12 if unit == "y" else 1)
    year, month = divmod(months, 12)
    if year < 1:
        return _to_micros(datetime(1, 1, 1, tzinfo=UTC))
    import calendar  # here: its import (and locale's) would be on every command's start-up

    last_day = calendar.monthrange(year, month + 1)[1]
    return _to_micros(moment.replace(year=year, month=month + 1, day=min(moment.day, last_day)))
