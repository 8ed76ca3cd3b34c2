"""JSON Lines in and out: the interchange format of `import` and `export`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

import orjson

from ledger.errors import InvalidEvent
from ledger.events import MAX_LINE_BYTES, NewEvent, StoredEvent
from ledger.validation import validate_event
from ledger.vocabulary.registry import CURRENT_VERSION

ParsedLine = tuple[int, NewEvent, dict[str, Any]]


def parse_line(
    line: bytes | str, number: int | None = None, *, version: int = CURRENT_VERSION, restore: bool = False
) -> tuple[NewEvent, dict[str, Any]]:
    """Decode and validate one event (at its `v`, else `version`); errors name the line and the field."""
    size = len(line.rstrip(b"\r\n") if isinstance(line, bytes) else line.rstrip("\r\n"))  # not its newline
    if size > MAX_LINE_BYTES:
        raise InvalidEvent(f"event is {size} bytes; the limit is {MAX_LINE_BYTES}", line=number)
    try:
        raw = orjson.loads(line)
    except orjson.JSONDecodeError as e:
        raise InvalidEvent(f"invalid JSON: {e}", line=number) from None
    try:
        return validate_event(raw, version=version, restore=restore), raw
    except InvalidEvent as e:
        raise e.at_line(number) if number is not None else e from None


def read_lines(
    stream: BinaryIO | Iterable[bytes],
    on_bytes: Callable[[int], None] | None = None,
    *,
    version: int = CURRENT_VERSION,
    restore: bool = False,
) -> Iterator[ParsedLine]:
    """Validated events of a JSONL stream, with their line numbers; blank lines are skipped.

    Lines are read with a bound, so one endless line cannot exhaust memory.
    """
    reader = stream.readline if hasattr(stream, "readline") else iter(stream).__next__
    number = 0
    while True:
        try:
            line = reader(MAX_LINE_BYTES + 2) if hasattr(stream, "readline") else reader()
        except StopIteration:
            return
        if not line:
            return
        number += 1
        if on_bytes is not None:
            on_bytes(len(line))
        if len(line.rstrip(b"\r\n")) > MAX_LINE_BYTES:
            raise InvalidEvent(f"line is longer than the {MAX_LINE_BYTES}-byte limit", line=number)
        if not line.strip():
            continue
        event, raw = parse_line(line, number, version=version, restore=restore)
        yield number, event, raw


def dump_event(event: StoredEvent) -> bytes:
    """One exported line: every field the hash covers, plus the hash."""
    return orjson.dumps(event.to_json()) + b"\n"
