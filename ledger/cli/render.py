"""Output: JSON for programs, tables for people. Data goes to stdout, messages to stderr."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Any

import orjson


def json_document(value: Any) -> None:
    """One JSON document on stdout."""
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode() + "\n")


def json_lines(values: Iterable[Any]) -> None:
    """A JSONL stream on stdout."""
    out = sys.stdout
    for value in values:
        out.write(orjson.dumps(value).decode() + "\n")


FORMATS = ("table", "json", "nl", "csv", "tsv")


def output_format(chosen: str | None, as_json: bool = False) -> str:
    """The format a command that prints records writes: `--format`, `--json` (its alias for json), else
    a table on a terminal and tab-separated values when piped."""
    if chosen is not None and chosen not in FORMATS:
        from ledger.errors import InvalidArgument

        raise InvalidArgument(f"expected one of {', '.join(FORMATS)}, got {chosen!r}", parameter="format")
    if as_json:
        if chosen not in (None, "json"):
            from ledger.errors import InvalidArgument

            raise InvalidArgument(f"--json is --format json, got --format {chosen} too", parameter="format")
        return "json"
    if chosen is not None:
        return chosen
    return "table" if sys.stdout.isatty() else "tsv"


def delimited(columns: Sequence[str], rows: Iterable[Sequence[Any]], delimiter: str) -> None:
    """CSV or TSV as Python's csv module writes and reads it: one header row, then one row per record;
    a cell holding the delimiter, a quote or a line break is quoted (a whole row is, if a cell holds a
    carriage return, which the module does not quote on its own); lines end in \\n."""
    import csv

    out = sys.stdout
    minimal = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    everything = csv.writer(out, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_ALL)
    minimal.writerow(columns)
    for row in rows:
        cells = ["" if v is None else str(v) for v in row]
        (everything if any("\r" in c for c in cells) else minimal).writerow(cells)


def records(
    chosen: str,
    title: str | None,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    values: Any,
) -> None:
    """Records in the format chosen (`output_format`): `values` is what json prints (a list, one per line
    with nl), `columns` and `rows` what a table, csv and tsv print."""
    if chosen == "json":
        json_document(values)
    elif chosen == "nl":
        json_lines(values if isinstance(values, list) else [values])
    elif chosen in ("csv", "tsv"):
        delimited(columns, rows, "," if chosen == "csv" else "\t")
    else:
        boxed(title, columns, rows)


def message(text: str) -> None:
    sys.stderr.write(text + "\n")


class Warnings:
    """Collects `ledger.advice` warnings and, once the command has stored its events, prints them on
    stderr, one `warning: …` line each: the first `shown`, then how many more (a bulk import can have
    thousands). A command that fails prints only its error: nothing it warned about was stored."""

    def __init__(self, shown: int = 20) -> None:
        self.shown = shown
        self.lines: list[str] = []
        self.count = 0

    def __call__(self, advice: Any) -> None:
        self.count += 1
        if self.count <= self.shown:
            self.lines.append(f"warning: {advice.describe()}\n")

    def summary(self) -> None:
        for line in self.lines:
            sys.stderr.write(line)
        hidden = self.count - self.shown
        if hidden > 0:
            sys.stderr.write(
                f"warning: {hidden} more warnings not shown ({self.count} in all; the events are stored; "
                "--strict refuses them)\n"
            )


def console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A table: boxed with rich on a terminal; piped, a `# title` line, then tab-separated lines."""
    if not sys.stdout.isatty():
        if title:
            sys.stdout.write(f"# {title}\n")
        sys.stdout.write("\t".join(columns) + "\n")
        for row in rows:
            sys.stdout.write("\t".join("" if v is None else str(v) for v in row) + "\n")
        return
    boxed(title, columns, rows)


def boxed(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A table boxed with rich (as wide as the terminal, or COLUMNS, or 80 columns when piped)."""
    from rich.table import Table

    grid = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        grid.add_column(column, overflow="fold")
    for row in rows:
        grid.add_row(*("" if v is None else str(v) for v in row))
    console().print(grid)


def fields(title: str, pairs: Iterable[tuple[str, Any]]) -> None:
    """A two-column key/value block."""
    table(title, ("field", "value"), ((k, flat(v)) for k, v in pairs))


def flat(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        joiner = " | " if any(isinstance(v, dict) for v in value) else ", "
        return joiner.join(flat(v) for v in value) if value else "-"
    if isinstance(value, dict):
        return "; ".join(f"{k}={flat(v)}" for k, v in value.items() if v is not None)
    return str(value)


def sources(items: Sequence[dict[str, Any]]) -> str:
    return ", ".join(f"{s['name']} ({s['kind']})" for s in items)
