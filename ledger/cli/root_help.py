"""`ledger --help` without the CLI framework: the Typer app's own root help, rendered from what
root_help.json holds of it (generated from the app by scripts/regenerate_docs.py; tests/unit/test_docs.py
fails when it is stale) with click's layout rules, so the bytes are Typer's at every terminal width.

Importing Typer and building the app takes longer than the target for `ledger --help` on its own.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("root_help.json")
# click's layout: a definition list's first column is at most this wide, and this far from the second.
COLUMN_MAX, COLUMN_SPACING, INDENT = 30, 2, 2


def terminal_width() -> int:
    """The width click lays help out in: the terminal's (or COLUMNS), at most 78 and at least 50."""
    return max(min(shutil.get_terminal_size().columns, 80) - 2, 50)


def render(width: int) -> str:
    """The root help as `ledger --help` prints it at `width` (50 or more) columns."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    prefix = f"Usage: {data['prog']} "
    out = [_wrap(data["usage"], width, prefix, " " * len(prefix)), "\n"]
    if data["help"]:
        out += ["\n", _wrap(data["help"], width, " " * INDENT, " " * INDENT, paragraphs=True), "\n"]
    out += ["\nOptions:\n", *_definitions(data["options"], width)]
    commands = data["commands"]
    limit = width - 6 - max(len(name) for name, _ in commands)  # as click's Group.format_commands
    rows = [(name, short_help(text, limit)) for name, text in commands]
    out += ["\nCommands:\n", *_definitions(rows, width)]
    out += ["\nExit codes:\n", *_definitions(data["exit_codes"], width)]
    return "".join(out).rstrip("\n") + "\n"


def short_help(text: str, limit: int) -> str:
    """A command's help cut to its first sentence, or to `limit` characters with '...' (click's rule)."""
    paragraph_end = text.find("\n\n")
    words = (text[:paragraph_end] if paragraph_end != -1 else text).split()
    if words and words[0] == "\b":
        words = words[1:]
    if not words:
        return ""
    total, last = 0, len(words) - 1
    for i, word in enumerate(words):
        total += len(word) + (i > 0)
        if total > limit:
            break
        if word[-1] == ".":
            return " ".join(words[: i + 1])
        if total == limit and i != last:
            break
    else:
        return " ".join(words)
    total += len("...")
    while i > 0:
        total -= len(words[i]) + (i > 0)
        if total <= limit:
            break
        i -= 1
    return (" ".join(words[:i]) + "...").strip()


def _definitions(rows: list[Any], width: int) -> list[str]:
    """A definition list (click's HelpFormatter.write_dl), indented one step."""
    first_col = min(max(len(first) for first, _ in rows), COLUMN_MAX) + COLUMN_SPACING
    out = []
    for first, second in rows:
        out.append(" " * INDENT + first)
        if not second:
            out.append("\n")
            continue
        if len(first) <= first_col - COLUMN_SPACING:
            out.append(" " * (first_col - len(first)))
        else:
            out.append("\n" + " " * (first_col + INDENT))
        lines = _wrap(second, max(width - first_col - 2, 10), paragraphs=True).splitlines() or [""]
        out.append(lines[0] + "\n")
        out += [" " * (first_col + INDENT) + line + "\n" for line in lines[1:]]
    return out


class _Wrapper(textwrap.TextWrapper):
    """click's wrapper: a word longer than the line is cut where the line ends, not after a hyphen."""

    def _handle_long_word(
        self, reversed_chunks: list[str], cur_line: list[str], cur_len: int, width: int
    ) -> None:
        space_left = max(width - cur_len, 1)
        last = reversed_chunks[-1]
        cur_line.append(last[:space_left])
        reversed_chunks[-1] = last[space_left:]


def _wrap(
    text: str, width: int, initial_indent: str = "", subsequent_indent: str = "", paragraphs: bool = False
) -> str:
    """click's wrap_text: with `paragraphs`, each paragraph (blank-line separated) is filled on its own at
    its own indentation, and one opening with a \\b line is kept as written."""
    text = text.expandtabs()
    if not paragraphs:
        return _Wrapper(
            width,
            initial_indent=initial_indent,
            subsequent_indent=subsequent_indent,
            replace_whitespace=False,
        ).fill(text)
    found: list[tuple[int, bool, str]] = []
    lines: list[str] = []
    indent: int | None = None

    def flush() -> None:
        if lines:
            raw = lines[0].strip() == "\b"
            found.append((indent or 0, raw, "\n".join(lines[1:]) if raw else " ".join(lines)))
            lines.clear()

    for line in text.splitlines():
        if not line:
            flush()
            indent = None
            continue
        if indent is None:
            indent = len(line) - len(line.lstrip())
            line = line.lstrip()
        lines.append(line)
    flush()
    out = []
    for extra, raw, paragraph in found:
        first, rest = initial_indent + " " * extra, subsequent_indent + " " * extra
        if raw:
            kept = paragraph.splitlines()
            out.append("\n".join((first if i == 0 else rest) + line for i, line in enumerate(kept)))
        else:
            out.append(
                _Wrapper(width, initial_indent=first, subsequent_indent=rest, replace_whitespace=False).fill(
                    paragraph
                )
            )
    return "\n\n".join(out)
