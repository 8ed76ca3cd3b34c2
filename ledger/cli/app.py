"""The root `ledger` app: the global --db option and the commands, registered once, each wrapped in
the error reporting of `ledger.cli.errors`.

Only typer is imported at the top of the command modules; each command imports the library when it
runs. The console script starts in `entry.py`, which answers the read commands, `checkpoint` and
`ledger --help` without this app, and hands everything else to it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from ledger.cli import (
    analyst_commands,
    completion,
    demo,
    log_commands,
    picture_commands,
    query_commands,
    transparency_commands,
    vocabulary_commands,
)
from ledger.cli.context import DB_ENVVAR, DEFAULT_DB, Settings
from ledger.cli.errors import report
from ledger.cli.params import LedgerCommand, LedgerGroup

app = typer.Typer(
    name="ledger",
    help="An append-only, hash-chained ledger of corporate actions and of what was reported about them.",
    no_args_is_help=True,
    add_completion=False,  # `ledger completion SHELL` prints the script instead (completion.py)
    cls=LedgerGroup,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    from ledger.cli.version import version_line

    if value:
        typer.echo(version_line(), nl=False)
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str,
        typer.Option(
            "--db",
            envvar=DB_ENVVAR,
            metavar="URL",
            help="Database URL: sqlite:///FILE or postgresql+psycopg://user@host:port/dbname.",
            show_default=True,
        ),
    ] = DEFAULT_DB,
    _version: Annotated[
        bool,
        typer.Option(
            "--version",
            is_eager=True,
            expose_value=False,
            callback=_print_version,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """The root options; the app's help (with the exit codes, `params.LedgerGroup`) is `app`'s."""
    source = ctx.get_parameter_source("db")
    ctx.obj = Settings(db, source is not None and source.name != "DEFAULT")


F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(command: F) -> F:
    """Turn the ledger's errors into one `error:` line and the documented exit code, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except typer.Exit:
            raise
        except (Exception, KeyboardInterrupt) as e:
            raise typer.Exit(report(e, _url(args, kwargs))) from None

    return wrapper  # type: ignore[return-value]


def _url(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """The database URL of the command's context, if it has one (`check-proof` and `key` have none)."""
    # typer hands commands its click context, of which typer.Context is only a subclass.
    ctx = next((a for a in (*args, *kwargs.values()) if hasattr(a, "find_root")), None)
    root = ctx.find_root() if ctx is not None else None
    return root.obj.db if root is not None and root.obj is not None else ""


COMMANDS = {
    "init": log_commands.init,
    "append": log_commands.append,
    "import": log_commands.import_,
    "export": log_commands.export,
    "events": query_commands.events,
    "verify": log_commands.verify,
    "rebuild": query_commands.rebuild,
    "show": query_commands.show,
    "list": query_commands.list_,
    "history": query_commands.history,
    "claims": query_commands.claims,
    "changes": analyst_commands.changes,
    "search": analyst_commands.search,
    "timeline": picture_commands.timeline,
    "graph": picture_commands.graph,
    "checkpoint": transparency_commands.checkpoint,
    "prove": transparency_commands.prove,
    "check-proof": transparency_commands.check_proof,
    "types": vocabulary_commands.types,
    "demo": demo.demo,
    "completion": completion.completion,
}
# Commands grouped under a noun: `ledger key generate`.
GROUPS = {"key": transparency_commands.key_app}
for _name, _command in COMMANDS.items():
    app.command(_name, cls=LedgerCommand)(reports_errors(_command))
for _name, _group in GROUPS.items():
    for _info in _group.registered_commands:
        _info.callback = reports_errors(_info.callback)
        _info.cls = LedgerCommand
    app.add_typer(_group, name=_name)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="ledger")
