"""The root `ledger` app: the global --db option, error reporting, and the commands' registration.

Only typer is imported here; each command imports the library when it runs, so `ledger --help` starts
fast.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import typer

DEFAULT_DB = "sqlite:///ledger.db"

app = typer.Typer(
    name="ledger",
    help="An append-only, hash-chained ledger of corporate actions and of what was reported about them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class Settings:
    db: str
    db_given: bool


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str,
        typer.Option(
            "--db",
            envvar="LEDGER_DB",
            help="Database URL: sqlite:///FILE or postgresql+psycopg://user@host:port/dbname.",
            show_default=True,
        ),
    ] = DEFAULT_DB,
) -> None:
    """Append events, import and export them, rebuild projections and answer audit queries.

    Exit codes: 0 ok, 1 other error, 2 usage, 3 invalid input (nothing written), 4 conflict (nothing
    written), 5 integrity failure.
    """
    source = ctx.get_parameter_source("db")
    ctx.obj = Settings(db, source is not None and source.name != "DEFAULT")


F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int) -> typer.Exit:
    """Write one `error:` line on stderr and return the Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def reports_errors(command: F) -> F:
    """Turn the ledger's errors into one `error:` line and the documented exit code, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ledger.errors import LedgerError

        try:
            return command(*args, **kwargs)
        except typer.Exit:
            raise
        except LedgerError as e:
            raise fail(str(e), e.exit_code) from None
        except BrokenPipeError:
            # `ledger export | head`: the reader left; not an error of ours.
            sys.stderr.close()
            raise typer.Exit(0) from None
        except KeyboardInterrupt:
            raise fail("interrupted; nothing was written by the unfinished transaction", 130) from None
        except Exception as e:
            from ledger.urls import redact

            # typer hands commands its click context, of which typer.Context is only a subclass.
            ctx = next((a for a in (*args, *kwargs.values()) if hasattr(a, "find_root")), None)
            root = ctx.find_root() if ctx is not None else None
            url = root.obj.db if root is not None and root.obj is not None else ""
            if os.environ.get("LEDGER_DEBUG"):
                # The traceback, for a developer; still no password from the database URL.
                trace = "".join(traceback.format_exception(e))
                sys.stderr.write(redact(trace, url) if url else trace)
                raise typer.Exit(1) from None
            text = str(e).splitlines()[0] if str(e) else ""
            text = redact(text, url) if url else text
            raise fail(f"unexpected {type(e).__name__}: {text} (set LEDGER_DEBUG=1 for details)", 1) from None

    return wrapper  # type: ignore[return-value]


def command(name: str, **kwargs: Any) -> Callable[[F], F]:
    """Register a command on the root app, wrapped in the error reporting."""

    def register(function: F) -> F:
        app.command(name, **kwargs)(reports_errors(function))
        return function

    return register


def settings(ctx: typer.Context) -> Settings:
    return ctx.find_root().obj


if __name__ == "__main__":
    # `python -m cli.main` runs this file as a second module, `__main__`; importing the commands from it
    # would be circular. Hand over to `cli.main`, the module the commands register on.
    from cli.main import main as _main

    _main()

# Commands register themselves on import.
from cli import log_commands, query_commands  # noqa: E402, F401


def main() -> None:
    """Console-script entry point."""
    app()
