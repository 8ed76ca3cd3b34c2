"""How the app's commands present their parameters: help that names each value by what it is, the exit
codes at the root, and the completion of values (`completion.py`).

Typer 0.29 prints a parameter's Python type beside it (`--source <list[str]>`, `TYPE <str>`,
`--depth <int range>`): here an argument shows its metavar alone (ENTITY, TYPE, FILE|-), and an option
without a metavar of its own gets its name (`--limit LIMIT`), so no help page shows a Python type. Every
command of the app is made with `LedgerCommand`, the root with `LedgerGroup`.
"""

from __future__ import annotations

from typing import Any

import typer.core

from ledger.cli import completion
from ledger.cli.errors import EXIT_CODE_SUMMARY


def _name_values(params: list[Any]) -> None:
    for param in params:
        if param.param_type_name == "option" and not param.is_flag and param.metavar is None:
            param.metavar = param.name.upper()
        completer = completion.for_parameter(param)
        if completer is not None:
            param._custom_shell_complete = completer  # Typer's hook for a parameter's completion


class LedgerCommand(typer.core.TyperCommand):
    """A command whose help names values by what they are, and whose values complete."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _name_values(self.params)

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                shown = param.display_type_rich(ctx)  # the `<str>` Typer adds after the metavar
                name = record[0].removesuffix(f" {shown}") if shown else record[0]
                arguments.append((name, record[1]))
            else:
                options.append(record)
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        if options:
            with formatter.section("Options"):
                formatter.write_dl(options)


class LedgerGroup(typer.core.TyperGroup):
    """The root: its help ends with the exit codes (`errors.EXIT_CODE_SUMMARY`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _name_values(self.params)

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        with formatter.section("Exit codes"):
            formatter.write_dl([(str(code), text) for code, text in EXIT_CODE_SUMMARY])
        super().format_epilog(ctx, formatter)
