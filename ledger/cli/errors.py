"""The one table from the library's errors to what the command line prints and exits with.

The library speaks of parameters (`as_of`) and facts; here they become flags (`--as-of`), remedies
(`run ledger init`) and the documented exit codes.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from ledger import errors as lib

# The exit codes, as `ledger --help` and docs/CLI.md list them.
OK, OTHER, USAGE, INVALID_INPUT, CONFLICT, INTEGRITY = 0, 1, 2, 3, 4, 5
BEHIND = 6  # the events are stored; the projections are behind them until a query or `rebuild`
INTERRUPTED = 130
EXIT_CODES: tuple[tuple[type[lib.LedgerError], int], ...] = (
    (lib.ProjectionsBehind, BEHIND),
    (lib.InvalidArgument, USAGE),
    (lib.InvalidEvent, INVALID_INPUT),
    (lib.InvalidDocument, INVALID_INPUT),  # a malformed key, checkpoint, proof or exported event
    (lib.Conflict, CONFLICT),  # ExpectationFailed and NotEmpty too
    (lib.IntegrityFailure, INTEGRITY),  # ProofFailed, Unreadable too: a damaged file is an integrity failure
    # Every other error is OTHER (1): StorageError (ReadOnly, MissingDriver), OutputError, NotInitialised…
)
# API parameter -> the flag or argument that carries it.
FLAGS = {
    "as_of": "--as-of",
    "known_at": "--known-at",
    "expect": "--expect",
    "head": "--head",
    "entity_id": "ENTITY",
    "kind": "KIND",
    "status": "--status",
    "story": "--story",
    "vocabulary": "--vocabulary",
    "type": "TYPE",
    "event": "EVENT_ID|POSITION",
    "position": "EVENT_ID|POSITION",
    "size": "--size",
    "consistency": "--consistency",
    "origin": "--origin",
    "sign": "--sign",
    "keys": "--key",
    "name": "NAME",
    "since": "--since",
    "until": "--until",
    "entities": "ENTITY",
    "limit": "--limit",
    "types": "--type",
    "source": "--source",
    "by": "--by",
    "stale": "--stale",
    "recorded_since": "--recorded-since",
    "recorded_until": "--recorded-until",
    "occurred_since": "--occurred-since",
    "occurred_until": "--occurred-until",
}
# The API parameter a key, checkpoint, proof or exported event came in -> the flag that carries its file.
SOURCES = {
    "event": "--event",
    "proof": "--proof",
    "checkpoint": "--checkpoint",
    "key": "--key",
    "sign": "--sign",
}


def exit_code(error: lib.LedgerError) -> int:
    return next((code for kind, code in EXIT_CODES if isinstance(error, kind)), OTHER)


def message(error: lib.LedgerError) -> str:
    """The error as one line, in the command line's words."""
    if isinstance(error, lib.InvalidArgument):
        return f"{FLAGS.get(error.parameter, error.parameter)}: {error.message}"
    if isinstance(error, lib.InvalidDocument | lib.ProofFailed):
        text = error.message if isinstance(error, lib.InvalidDocument) else error.detail
        return f"{SOURCES.get(error.source, error.source)}: {text}"
    if isinstance(error, lib.ExpectationFailed):
        return (
            f"--expect {error.entity_id}@{error.expected} failed: the latest event naming "
            f"{error.entity_id} is at position {error.latest}; nothing was written"
        )
    if isinstance(error, lib.NotEmpty):
        return "--restore needs an empty ledger; this one already holds events"
    if isinstance(error, lib.NotInitialised):
        return f"{error}; run `ledger init`"
    if isinstance(error, lib.ProjectionsBehind):
        return (
            f"the events are stored (do not import them again), but the projections could not be brought up "
            f"to date: {error.cause}; run `ledger rebuild`, or any query, to finish"
        )
    return str(error)


def fail(text: str, code: int) -> typer.Exit:
    """Write one `error:` line on stderr and return the Exit to raise."""
    typer.echo(f"error: {text}", err=True)
    return typer.Exit(code)


F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(command: F) -> F:
    """Turn the ledger's errors into one `error:` line and the documented exit code, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except typer.Exit:
            raise
        except lib.LedgerError as e:
            raise fail(message(e), exit_code(e)) from None
        except BrokenPipeError:
            # `ledger export | head`: the reader left; not an error of ours.
            sys.stderr.close()
            raise typer.Exit(OK) from None
        except KeyboardInterrupt:
            raise fail(
                "interrupted; nothing was written by the unfinished transaction", INTERRUPTED
            ) from None
        except Exception as e:
            raise _unexpected(e, args, kwargs) from None

    return wrapper  # type: ignore[return-value]


def _unexpected(error: Exception, args: tuple[Any, ...], kwargs: dict[str, Any]) -> typer.Exit:
    """A bug or an unforeseen fault: one line (the traceback with LEDGER_DEBUG=1), no password."""
    from ledger.store.urls import redact

    # typer hands commands its click context, of which typer.Context is only a subclass.
    ctx = next((a for a in (*args, *kwargs.values()) if hasattr(a, "find_root")), None)
    root = ctx.find_root() if ctx is not None else None
    url = root.obj.db if root is not None and root.obj is not None else ""
    if os.environ.get("LEDGER_DEBUG"):
        trace = "".join(traceback.format_exception(error))
        sys.stderr.write(redact(trace, url) if url else trace)
        return typer.Exit(OTHER)
    text = str(error).splitlines()[0] if str(error) else ""
    text = redact(text, url) if url else text
    return fail(f"unexpected {type(error).__name__}: {text} (set LEDGER_DEBUG=1 for details)", OTHER)
