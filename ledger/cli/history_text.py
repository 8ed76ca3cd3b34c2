"""`history` for people: one header line per event (position, world time, type, status, who), what it
says on indented lines below, wrapped to the width of the terminal without ever splitting an id; or one
line per event (`--oneline`). Plain text: no table library.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ledger.cli.render import flat
from ledger.cli.tables import about, gist, standing, who
from ledger.entities import ENTITY_ID_RE

INDENT = "    "
_WORDS = re.compile(r"(\s*)(\S+)")
_HANG = INDENT + "  "  # a wrapped payload line
# A word that is an id (of an entity or an event), maybe with punctuation around it: never split.
_ID = re.compile(
    rf"\W*(?:{ENTITY_ID_RE}|[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}})\W*"
)


def wrap(text: str, width: int, first: str, hang: str) -> list[str]:
    """`text` in lines of at most `width` characters, the first starting with `first`, the others with
    `hang`, broken between words (spaces between words kept, a line break one space); a word too long for
    a line has one of its own and, unless it is an id, is cut at the width."""
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
        while len(word) > width - len(line) > 0 and _ID.fullmatch(word) is None:
            cut = width - len(line)
            lines.append(line + word[:cut])
            line, word = hang, word[cut:]
        line, empty = line + word, False
    lines.append(line)
    return lines


def header(entry: dict[str, Any], ledger_time: bool) -> str:
    times = (
        f"{entry['occurred_at']}  recorded {entry['recorded_at']}" if ledger_time else entry["occurred_at"]
    )
    status = standing(entry)
    return "  ".join(
        part for part in (str(entry["position"]), times, entry["type"], status, who(entry)) if part
    )


def body(entry: dict[str, Any], entity: str) -> Iterator[str]:
    """What an entry says, as `label: text` lines: a claim its current data but the entity's own id, a
    statement the claims it is about and its quote, a correction what it corrects and how."""
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
        yield f"of: {about(entry)}"
        for key, value in entry["data"].items():
            yield f"{key}: {gist(value) if key == 'replacement' else flat(value)}"
    if entry.get("note"):
        yield f"note: {entry['note']}"


def lines(entity: str, entries: list[dict[str, Any]], width: int, ledger_time: bool = False) -> Iterator[str]:
    """The default layout: a header line per entry, its body indented below, a blank line between."""
    for index, entry in enumerate(entries):
        if index:
            yield ""
        yield from wrap(header(entry, ledger_time), width, "", INDENT)
        for said in body(entry, entity):
            yield from wrap(said, width, INDENT, _HANG)


def oneline(
    entity: str, entries: list[dict[str, Any]], width: int, ledger_time: bool = False
) -> Iterator[str]:
    """One line per entry: its header and the gist of its body, cut (between words) at the width."""
    for entry in entries:
        text = header(entry, ledger_time) + "  " + "; ".join(body(entry, entity))
        first = wrap(text, width, "", "")
        yield first[0] if len(first) == 1 else _cut(first[0], width)


def _cut(line: str, width: int) -> str:
    """A line that goes on: what fits with an ellipsis after it, ending between words."""
    while len(line) > width - 1 and " " in line:
        line = line.rsplit(" ", 1)[0]
    return line[: width - 1] + "…"
