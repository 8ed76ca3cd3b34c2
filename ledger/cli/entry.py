"""The `ledger` console script. It answers `ledger --help` and the commands a reader runs most — show,
history, claims, list, events, changes, search, checkpoint — itself, parsing argv with the standard
library, and hands every other command line to the Typer app (`app.py`) untouched.

Why: importing Typer, and its parsing (pydantic adapters for every parameter), took ~200 ms before a
query that takes under 1 ms; here such a command loads the store, the query and what the answer needs.

The rule: this entry answers only a command line it understands completely: `--db URL` (or
`--db=URL`) at most once before the command, then one of COMMANDS with its declared arguments and
options, each option at most once unless repeatable, every value not starting with `-`, integers as plain
digits within their bounds. Anything else (`--help` of a command, an unknown or malformed option, a
missing or extra argument, another command) goes to the Typer app, so usage errors and help stay Typer's
own. The declarations below mirror the Typer commands' parameters (tests/cli/test_entry.py compares
them), and both paths call the same bodies (`bodies.py`) and report errors the same way (`errors.py`).
"""

from __future__ import annotations

import os
import sys

# Only the standard library at the top (no dataclasses or typing either: `ledger --help` needs neither).


class Option:
    """An option as the Typer command declares it."""

    __slots__ = ("dest", "flag", "integer", "minimum", "names", "repeatable", "required")

    def __init__(
        self,
        names: tuple[str, ...],
        dest: str,
        *,
        flag: bool = False,
        repeatable: bool = False,
        integer: bool = False,
        minimum: int | None = None,
        required: bool = False,
    ) -> None:
        self.names = names  # its spellings
        self.dest = dest  # the Typer parameter's name, which is also the body's
        self.flag = flag  # takes no value
        self.repeatable = repeatable
        self.integer = integer  # its value is a whole number ...
        self.minimum = minimum  # ... of at least this
        self.required = required  # without it, the command line goes to the Typer app (its usage error)


class Command:
    """A command the entry answers: the function of `bodies` that does, its arguments and options."""

    __slots__ = ("arguments", "body", "options", "variadic")

    def __init__(
        self,
        body: str,
        arguments: tuple[tuple[str, bool], ...],
        options: tuple[Option, ...],
        *,
        variadic: bool = False,
    ) -> None:
        self.body = body
        self.arguments = arguments  # (dest, required), in order
        self.options = options
        self.variadic = variadic  # its last argument takes every positional left, as a list


AS_OF = Option(("--as-of",), "as_of")
KNOWN_AT = Option(("--known-at",), "known_at")
FORMAT = Option(("--format",), "output")
AS_JSON = Option(("--json",), "as_json", flag=True)
LIMIT = Option(("--limit", "-n"), "limit", integer=True, minimum=1)
REVERSE = Option(("--reverse",), "reverse", flag=True)
SOURCE = Option(("--source",), "source")
BY = Option(("--by",), "by")
KIND = Option(("--kind",), "kind")
COMMANDS = {
    "show": Command("show", (("entity", True),), (AS_OF, KNOWN_AT, FORMAT, AS_JSON)),
    "history": Command(
        "history",
        (("entity", True),),
        (
            AS_OF,
            KNOWN_AT,
            Option(("--since",), "since"),
            Option(("--until",), "until"),
            Option(("--type",), "types", repeatable=True),
            REVERSE,
            LIMIT,
            Option(("--after",), "after", integer=True, minimum=1),
            Option(("--all",), "everything", flag=True),
            Option(("--oneline",), "oneline", flag=True),
            Option(("--ledger-time",), "ledger_time", flag=True),
            Option(("--no-pager",), "no_pager", flag=True),
            FORMAT,
            AS_JSON,
        ),
    ),
    "claims": Command(
        "claims",
        (("entity", False),),
        (
            Option(("--status",), "status", repeatable=True),
            Option(("--type",), "types", repeatable=True),
            SOURCE,
            Option(("--origin",), "origin"),
            BY,
            Option(("--anonymous-only",), "anonymous_only", flag=True),
            Option(("--single-origin",), "single_origin", flag=True),
            Option(("--stale",), "stale"),
            Option(("--resolved",), "resolved", flag=True),
            AS_OF,
            KNOWN_AT,
            LIMIT,
            FORMAT,
            AS_JSON,
        ),
    ),
    "list": Command("list_", (("kind", True),), (FORMAT, AS_JSON)),
    "events": Command(
        "events",
        (),
        (
            Option(("--entity",), "entity"),
            Option(("--type",), "event_type"),
            Option(("--since",), "since", integer=True, minimum=0),
            LIMIT,
            REVERSE,
            Option(("--recorded-since",), "recorded_since"),
            Option(("--recorded-until",), "recorded_until"),
            Option(("--occurred-since",), "occurred_since"),
            Option(("--occurred-until",), "occurred_until"),
            SOURCE,
            BY,
            FORMAT,
            AS_JSON,
        ),
    ),
    "changes": Command(
        "changes",
        (("entities", False),),
        (
            Option(("--since",), "since", required=True),
            Option(("--until",), "until"),
            KIND,
            FORMAT,
            AS_JSON,
        ),
        variadic=True,
    ),
    "search": Command("search", (("text", True),), (KIND, LIMIT, FORMAT, AS_JSON)),
    "checkpoint": Command(
        "checkpoint", (), (Option(("--sign",), "sign"), Option(("--origin",), "origin"), AS_JSON)
    ),
}
HELP = ("--help", "-h")
COMPLETE_VAR = "_LEDGER_COMPLETE"  # completion.COMPLETE_VAR, which this module cannot import


def parse(argv: list[str]) -> tuple[str, Command, dict[str, object]] | None:
    """(the database URL, the command, its parameters) that `argv` asks for, or None when the Typer app
    must handle it."""
    db, rest = _root(argv)
    if rest is None or not rest or rest[0] not in COMMANDS:
        return None
    command = COMMANDS[rest[0]]
    values = _arguments(command, rest[1:])
    if values is None:
        return None
    if db is None:
        from ledger.cli.context import db_from_environment

        db = db_from_environment()
    return db, command, values


def _root(argv: list[str]) -> tuple[str | None, list[str] | None]:
    """--db before the command: (its value or None, the rest), or (None, None) when not understood."""
    db = None
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        arg = argv[i]
        if db is not None:
            return None, None
        if arg.startswith("--db="):
            db, i = arg[len("--db=") :], i + 1
        elif arg == "--db" and i + 1 < len(argv) and not argv[i + 1].startswith("-"):
            db, i = argv[i + 1], i + 2
        else:
            return None, None
    return db, argv[i:]


def _arguments(command: Command, args: list[str]) -> dict[str, object] | None:
    """The command's parameters from its arguments and options, or None when not understood."""
    by_name = {name: option for option in command.options for name in option.names}
    values: dict[str, object] = {}
    positional: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if not arg.startswith("-"):
            positional.append(arg)
            continue
        name, equals, given = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        option = by_name.get(name)
        if option is None or (option.dest in values and not option.repeatable):
            return None
        if option.flag:
            if equals:
                return None
            values[option.dest] = True
            continue
        if not equals:
            if i >= len(args) or args[i].startswith("-"):
                return None
            given, i = args[i], i + 1
        value = _value(option, given)
        if value is None:
            return None
        if option.repeatable:
            values[option.dest] = [*values.get(option.dest, []), value]  # type: ignore[misc]
        else:
            values[option.dest] = value
    if any(option.required and option.dest not in values for option in command.options):
        return None
    if command.variadic:
        *single, (last, _) = command.arguments
        values[last] = positional[len(single) :] or None
        positional = positional[: len(single)]
        arguments = tuple(single)
    else:
        arguments = command.arguments
    if len(positional) > len(arguments):
        return None
    for index, (dest, required) in enumerate(arguments):
        if index < len(positional):
            values[dest] = positional[index]
        elif required:
            return None
    return values


def _value(option: Option, text: str) -> str | int | None:
    if not option.integer:
        return text
    if not (text.isascii() and text.isdigit()):
        return None  # signs, spaces, underscores: what the Typer app accepts or refuses is its own
    number = int(text)
    return number if option.minimum is None or number >= option.minimum else None


def main() -> None:
    """Console-script entry point."""
    argv = sys.argv[1:]
    if argv == ["--version"]:
        from ledger.cli.version import version_line

        sys.stdout.write(version_line())
        return
    if COMPLETE_VAR in os.environ:  # a shell asking for completions: the Typer app answers (completion.py)
        from ledger.cli.app import main as typer_main

        typer_main()
        return
    if len(argv) == 1 and argv[0] in HELP:
        from ledger.cli.root_help import render, terminal_width

        sys.stdout.write(render(terminal_width()))
        sys.stdout.flush()
        return
    call = parse(argv)
    if call is None:
        from ledger.cli.app import main as typer_main

        typer_main()
        return
    db, command, values = call
    from ledger.cli import bodies
    from ledger.cli.errors import report

    try:
        getattr(bodies, command.body)(db, **values)
    except (Exception, KeyboardInterrupt) as e:
        sys.exit(report(e, db))
