"""JSON Lines in and out: the interchange format of `import` and `export`."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

import orjson

from ledger.errors import InvalidEvent
from ledger.events import MAX_LINE_BYTES, NewEvent, StoredEvent
from ledger.jsonl_ahead import AHEAD_FROM, validated_ahead
from ledger.validation import validate_event
from ledger.vocabulary.registry import CURRENT_VERSION

ParsedLine = tuple[int, NewEvent, dict[str, Any] | None]  # line number, event, the decoded line
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')  # a JSON string literal, escapes included
_SPACED_COLON = re.compile(rb'"[ \t\r\n]+:')


def loads(text: bytes | str) -> Any:
    """Decode JSON, refusing an object with a key twice: last-key-wins would let two readers see two
    events (orjson keeps the last). InvalidEvent names the duplicate key."""
    value = orjson.loads(text)
    if isinstance(value, dict | list):
        raw = text.encode() if isinstance(text, str) else text
        if _names_a_key_twice(raw, value):
            raise InvalidEvent(f"duplicate key {_duplicate(raw)!r}: an object may name each key once")
    return value


def _names_a_key_twice(raw: bytes, value: Any) -> bool:
    """Whether the text names more keys than the decoded value kept.

    Fast path, where no key has white space before its colon and no string uses a \\u escape: each key
    of the text accounts for one `":`, and so does each `\\":` inside a string, in the text and in orjson's
    encoding of the value alike; the text's strings can only add more (those of a dropped duplicate).
    So as many `":` in the text as in the value's encoding proves there is no duplicate. Otherwise
    count the colons outside strings, each of which follows a key, against the keys kept.
    """
    if b"\\u" not in raw and not _SPACED_COLON.search(raw):
        try:
            if raw.count(b'":') == orjson.dumps(value).count(b'":'):
                return False
        except orjson.JSONEncodeError:  # nested deeper than orjson writes: count the slow way
            pass
    return _STRING.sub(b"", raw).count(b":") != _key_count(value)


def _key_count(value: Any) -> int:
    """Keys of every object in a decoded value (iterative: input may nest 1,000 levels deep)."""
    count = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            count += len(item)
            stack.extend(v for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, dict | list))
    return count


def _duplicate(raw: bytes) -> str:
    """The first key an object of `raw` names twice (the slow path, once the fast one found one)."""
    found: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in items]
        if not found and len(set(keys)) != len(keys):
            found.append(next(k for i, k in enumerate(keys) if k in keys[:i]))
        return dict(items)

    json.loads(raw, object_pairs_hook=pairs)
    return found[0] if found else "?"


def parse_line(
    line: bytes | str, number: int | None = None, *, version: int = CURRENT_VERSION, restore: bool = False
) -> tuple[NewEvent, dict[str, Any]]:
    """Decode and validate one event (at its `v`, else `version`); errors name the line and the field."""
    size = len(line.rstrip(b"\r\n") if isinstance(line, bytes) else line.rstrip("\r\n"))  # not its newline
    if size > MAX_LINE_BYTES:
        raise InvalidEvent(f"event is {size} bytes; the limit is {MAX_LINE_BYTES}", line=number)
    try:
        raw = loads(line)
    except orjson.JSONDecodeError as e:
        raise InvalidEvent(f"invalid JSON: {e}", line=number) from None
    except InvalidEvent as e:
        raise e.at_line(number) if number is not None else e from None
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
    keep_raw: bool = True,
) -> Iterator[ParsedLine]:
    """Validated events of a JSONL stream, with their line numbers and (`keep_raw`, else None) the
    decoded line; blank lines are skipped.

    Lines are read with a bound, so one endless line cannot exhaust memory. A long input is validated
    ahead in a second process (`validated_ahead`) while the caller writes what came before.
    """
    lines = numbered_lines(stream, on_bytes)
    for number, line in itertools.islice(lines, AHEAD_FROM):
        parsed = parse_numbered(number, line, version=version, restore=restore)
        if parsed is not None:
            yield parsed if keep_raw else (parsed[0], parsed[1], None)
    yield from validated_ahead(lines, version=version, restore=restore, keep_raw=keep_raw)


def numbered_lines(
    stream: BinaryIO | Iterable[bytes], on_bytes: Callable[[int], None] | None = None
) -> Iterator[tuple[int, bytes]]:
    """The stream's lines with their numbers, each read with a bound (at most one byte over the limit
    and its newline): one endless line cannot exhaust memory."""
    reader = stream.readline if hasattr(stream, "readline") else iter(stream).__next__
    bounded = hasattr(stream, "readline")
    number = 0
    while True:
        try:
            line = reader(MAX_LINE_BYTES + 2) if bounded else reader()
        except StopIteration:
            return
        if not line:
            return
        number += 1
        if on_bytes is not None:
            on_bytes(len(line))
        yield number, line


def parse_numbered(number: int, line: bytes, *, version: int, restore: bool) -> ParsedLine | None:
    """One line of `numbered_lines` validated (None for a blank line); errors name the line."""
    if len(line.rstrip(b"\r\n")) > MAX_LINE_BYTES:
        raise InvalidEvent(f"line is longer than the {MAX_LINE_BYTES}-byte limit", line=number)
    if not line.strip():
        return None
    event, raw = parse_line(line, number, version=version, restore=restore)
    return number, event, raw


def dump_event(event: StoredEvent) -> bytes:
    """One exported line: every field the hash covers, plus the hash."""
    return orjson.dumps(event.to_json()) + b"\n"
