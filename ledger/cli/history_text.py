"""`history` for people: one header line per event (position, world time, type, status, who), what it
says on indented lines below, wrapped to the width of the terminal without ever splitting an id; or one
line per event (`--oneline`). Plain text: no table library.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ledger.cli.render import flat
from ledger.cli.tables import about, gist, standing, summary, who
from ledger.entities import ENTITY_ID_RE

INDENT = "    "
_WORDS = re.compile(r"(\s*)(\S+)")
_HANG = INDENT + "  "  # a wrapped payload line
# An id (of an entity or an event) and the punctuation right after it: never split.
_ID = re.compile(
    rf"(?:{ENTITY_ID_RE}|[0-9a-f]{{8}}(?:-[0-9a-f]{{4}}){{3}}-[0-9a-f]{{12}})(?![a-z0-9-])[^\w\s]*"
)


def wrap(text: str, width: int, first: str, hang: str) -> list[str]:
    """`text` in lines of at most `width` characters, the first starting with `first`, the others with
    `hang`, broken between words (spaces between words kept, a line break one space). A word too long
    for a line starts one of its own and is cut where it must be, never inside an id (a line is longer
    than `width` only for an id that is)."""
    lines: list[str] = []
    line, empty = first, True
    for spacing, word in _WORDS.findall(text):
        gap = " " * len(spacing) if spacing.strip(" ") == "" and spacing else " "
        room = width - len(line) - (0 if empty else len(gap))
        if len(word) <= room:
            line, empty = line + ("" if empty else gap) + word, False
            continue
        if not empty:
            lines.append(line)
            line, empty = hang, True
        for piece, whole in _pieces(word):
            if len(piece) > width - len(line) and not empty:
                lines.append(line)
                line = hang
            while not whole and len(piece) > width - len(line) > 0:
                cut = width - len(line)
                lines.append(line + piece[:cut])
                line, piece = hang, piece[cut:]
            line, empty = line + piece, False
    lines.append(line)
    return lines


def _pieces(word: str) -> list[tuple[str, bool]]:
    """A word as (piece, is an id) pieces: the ids in it, with the punctuation right after each, and the
    text between them."""
    found: list[tuple[str, bool]] = []
    at = 0
    for match in _ID.finditer(word):
        if match.start() > at:
            found.append((word[at : match.start()], False))
        found.append((match.group(), True))
        at = match.end()
    if at < len(word):
        found.append((word[at:], False))
    return found


def header(entry: dict[str, Any], ledger_time: bool) -> str:
    times = (
        f"{entry['occurred_at']}  recorded {entry['recorded_at']}" if ledger_time else entry["occurred_at"]
    )
    status = standing(entry)
    return "  ".join(
        part for part in (str(entry["position"]), times, entry["type"], status, who(entry)) if part
    )


def body(entry: dict[str, Any], entity: str, listed: dict[str, dict[str, Any]]) -> Iterator[str]:
    """What an entry says, as `label: text` lines: a claim its current data but the entity's own id, a
    statement the claims it is about and its quote, a correction what it corrects (by position and type
    if `listed` has it, else by id) and how."""
    category = entry["category"]
    if category == "claim":
        for key, value in entry.get("current_data", entry["data"]).items():
            if value != entity:
                yield f"{key}: {gist(value)}"
    elif category == "statement":
        yield f"about: {about(entry)}"
        quote = entry["data"].get("quote")
        if quote:
            yield f'"{quote}"'
    else:
        yield "of: " + ", ".join(
            f"{listed[ref]['position']} {listed[ref]['type']}" if ref in listed else ref
            for ref in entry["refs"]
        )
        for key, value in entry["data"].items():
            yield f"{key}: {summary(value, entity) if key == 'replacement' else flat(value)}"
    if entry.get("note"):
        yield f"note: {entry['note']}"


def lines(entity: str, entries: list[dict[str, Any]], width: int, ledger_time: bool = False) -> Iterator[str]:
    """The default layout: a header line per entry, its body indented below, a blank line between."""
    listed = {e["id"]: e for e in entries}
    for index, entry in enumerate(entries):
        if index:
            yield ""
        yield from wrap(header(entry, ledger_time), width, "", INDENT)
        for said in body(entry, entity, listed):
            yield from wrap(said, width, INDENT, _HANG)


def oneline(
    entity: str, entries: list[dict[str, Any]], width: int, ledger_time: bool = False
) -> Iterator[str]:
    """One line per entry: its header and the gist of its body, cut (between words) at the width."""
    listed = {e["id"]: e for e in entries}
    for entry in entries:
        text = header(entry, ledger_time) + "  " + "; ".join(body(entry, entity, listed))
        first = wrap(text, width, "", "")
        yield first[0] if len(first) == 1 else _cut(first[0], width)


def _cut(line: str, width: int) -> str:
    """A line that goes on: what fits with an ellipsis after it, ending between words."""
    while len(line) > width - 1 and " " in line:
        line = line.rsplit(" ", 1)[0]
    return line[: width - 1] + "…"
