"""The one table from the library's errors to what the command line prints and exits with.

The library speaks of parameters (`as_of`) and facts; here they become flags (`--as-of`), remedies
(`run ledger init`) and the documented exit codes. No CLI framework is imported here: the Typer commands
(`app.reports_errors`) and the fast entry point (`entry.py`) both report through `report`, so an error
reads the same whichever path answered.
"""

from __future__ import annotations

import os
import re
import sys

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
# What `ledger --help` says of each exit code, in short (docs/CLI.md says it at length).
EXIT_CODE_SUMMARY: tuple[tuple[int, str], ...] = (
    (OK, "ok"),
    (
        OTHER,
        "any other error: no schema (run `ledger init`), a database unreachable or read-only, an "
        "unknown entity, a file that cannot be read or written",
    ),
    (USAGE, "usage: a malformed option or argument"),
    (
        INVALID_INPUT,
        "invalid input: bad JSON, an unknown type or field, a dangling reference, a malformed key, "
        "checkpoint or proof; nothing was written",
    ),
    (
        CONFLICT,
        "conflict: --expect failed, an id reused with other content, --restore into a non-empty "
        "ledger; nothing was written",
    ),
    (INTEGRITY, "integrity failure, found by verify, rebuild --check, a restore or a proof's check"),
    (BEHIND, "import: the events are stored, the projections behind; `ledger rebuild` or any query finishes"),
    (INTERRUPTED, "interrupted; the unfinished transaction wrote nothing"),
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
    "out": "--out",
    "format": "--format",
    "depth": "--depth",
    "after": "--after",
    "shell": "SHELL",
}
# The API parameter a key, checkpoint, proof or exported event came in -> the flag that carries its file.
SOURCES = {
    "event": "--event",
    "proof": "--proof",
    "checkpoint": "--checkpoint",
    "key": "--key",
    "sign": "--sign",
}
# What click's echo strips from a line that does not go to a terminal; kept so both paths print the same.
_ANSI = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")


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


def fail(text: str, code: int) -> int:
    """Write one `error:` line on stderr; returns the exit code to leave with."""
    line = f"error: {text}\n"
    stream = sys.stderr
    stream.write(line if stream.isatty() else _ANSI.sub("", line))
    stream.flush()
    return code


def report(error: BaseException, url: str) -> int:
    """Say what went wrong in one `error:` line on stderr, never a traceback (but for a bug with
    LEDGER_DEBUG=1), and return the documented exit code. `url` is the database's, masked wherever it
    could show."""
    if isinstance(error, lib.LedgerError):
        return fail(message(error), exit_code(error))
    if isinstance(error, BrokenPipeError):
        # `ledger export | head`: the reader left; not an error of ours.
        sys.stderr.close()
        return OK
    if isinstance(error, KeyboardInterrupt):
        return fail("interrupted; nothing was written by the unfinished transaction", INTERRUPTED)
    return _unexpected(error, url)


def _unexpected(error: BaseException, url: str) -> int:
    """A bug or an unforeseen fault: one line (the traceback with LEDGER_DEBUG=1), no password."""
    from ledger.store.urls import redact

    if os.environ.get("LEDGER_DEBUG"):
        import traceback

        trace = "".join(traceback.format_exception(error))
        sys.stderr.write(redact(trace, url) if url else trace)
        return OTHER
    text = str(error).splitlines()[0] if str(error) else ""
    text = redact(text, url) if url else text
    return fail(f"unexpected {type(error).__name__}: {text} (set LEDGER_DEBUG=1 for details)", OTHER)
