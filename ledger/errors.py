"""The ledger's errors: what went wrong, in the API's own terms (parameter names, facts).

Each class says when it is raised. None of them knows about command-line flags or exit codes: the CLI
maps them to those in one table (`ledger/cli/errors.py`).
"""

from __future__ import annotations

from collections.abc import Sequence


class LedgerError(Exception):
    """Base of every error the ledger reports to its user."""


class InvalidArgument(LedgerError):
    """Raised when an argument of an API call is malformed: a bad time bound, ENTITY@POSITION, an entity
    id, a kind or a status. `parameter` is the API parameter's name."""

    def __init__(self, message: str, *, parameter: str) -> None:
        self.message = message
        self.parameter = parameter
        super().__init__(f"{parameter}: {message}")


class InvalidEvent(LedgerError):
    """Raised when input is not a valid event (bad JSON, unknown type, bad field, dangling ref)."""

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None) -> None:
        self.message = message
        self.line = line
        self.field = field
        super().__init__(self.describe())

    def describe(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(self.field)
        return f"{': '.join(where)}: {self.message}" if where else self.message

    def at_line(self, line: int) -> InvalidEvent:
        return InvalidEvent(self.message, line=line, field=self.field)


class UnknownEntity(LedgerError):
    """Raised when no event (up to the given moment) names the entity asked about."""

    def __init__(self, entity_id: str, *, at_a_moment: bool = False, suggestions: Sequence[str] = ()) -> None:
        self.entity_id = entity_id
        self.suggestions = list(suggestions)  # ids like it that events do name ("did you mean")
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"no event names {entity_id}{' at that moment' if at_a_moment else ''}{hint}")


class Conflict(LedgerError):
    """Raised when an append would contradict the ledger: an id reused with other content (`line` is the
    input line, when there is one). Nothing was written."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(message if line is None else f"line {line}: {message}")

    def at_line(self, line: int) -> Conflict:
        return Conflict(self.message, line=line)


class ExpectationFailed(Conflict):
    """Raised when `expect=(entity, position)` does not hold: the latest event naming the entity is
    elsewhere. Nothing was written."""

    def __init__(self, entity_id: str, expected: int, latest: int) -> None:
        self.entity_id = entity_id
        self.expected = expected
        self.latest = latest
        super().__init__(
            f"expected the latest event naming {entity_id} at position {expected}; it is at {latest}"
        )


class NotEmpty(Conflict):
    """Raised when a restore (`import_jsonl(restore=True)`) meets a ledger that already holds events."""

    def __init__(self) -> None:
        super().__init__("a restore needs an empty ledger; this one already holds events")


class IntegrityFailure(LedgerError):
    """Raised when the hash chain or the projections do not match the log; `position` is the first bad
    one, when known."""

    def __init__(self, message: str, *, position: int | None = None, line: int | None = None) -> None:
        self.message = message
        self.position = position
        self.line = line
        super().__init__(message if line is None else f"line {line}: {message}")

    def at_line(self, line: int) -> IntegrityFailure:
        return IntegrityFailure(self.message, position=self.position, line=line)


class Unreadable(IntegrityFailure):
    """Raised when the database cannot read a stored row back (a damaged page or file, text that is not
    UTF-8); `position` is the first event that cannot be read, `reason` what the database said."""

    def __init__(self, position: int, reason: str) -> None:
        super().__init__(f"position {position} of the log cannot be read back: {reason}", position=position)
        self.reason = reason


class NotInitialised(LedgerError):
    """Raised when a database has no ledger schema, or one behind this release; `Ledger.init()` (the
    `init` command) creates or upgrades it."""


class ProjectionsBehind(LedgerError):
    """Raised when a write's events committed but bringing the projections up to date after them failed.
    The events are stored: do not write them again. `result` is what the write returned (an
    `ImportResult`); `cause` says what failed. The projections catch up at the next query, or `rebuild`."""

    def __init__(self, result: object, cause: str) -> None:
        self.result = result
        self.cause = cause
        super().__init__(f"the events are stored, but the projections are behind them: {cause}")


class StorageError(LedgerError):
    """Raised when the database cannot be reached, refuses a statement, or stays locked past the busy
    timeout."""


class ReadOnly(StorageError):
    """Raised when a write meets a ledger opened read-only (`?mode=ro`, read-only media, a read-only
    PostgreSQL transaction or standby). Nothing was written."""


class MissingDriver(StorageError):
    """Raised when a database URL needs a driver that is not installed; `extra` is the package extra
    that brings it."""

    def __init__(self, message: str, *, extra: str) -> None:
        self.extra = extra
        super().__init__(message)


class OutputError(LedgerError):
    """Raised when a file cannot be written where asked (`export --out`): it is the ledger's own
    database, it exists (and replacing it was not asked for), its folder is missing, the disk is full.
    Nothing was written there, and no partial file is left."""


class UnknownEvent(LedgerError):
    """Raised when no event has the id or position asked about."""


class InvalidDocument(LedgerError):
    """Raised when a key, a checkpoint, a signed note, a proof or an exported event handed to the ledger is
    malformed; `source` names where it came from (the API parameter, e.g. `checkpoint`)."""

    def __init__(self, message: str, *, source: str) -> None:
        self.message = message
        self.source = source
        super().__init__(f"{source}: {message}")


class NoCheckpoint(LedgerError):
    """Raised when a proof needs a checkpoint the ledger has not issued (of that size, or holding that
    event)."""


class ProofFailed(IntegrityFailure):
    """Raised when a proof, a checkpoint's signature or a checkpoint's tree does not check out; `source`
    names what failed (the API parameter)."""

    def __init__(self, message: str, *, source: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.detail = message


class MissingTool(LedgerError):
    """Raised when a picture needs a library or a program that is not installed (the `pictures` extra,
    Graphviz's `dot`); the message says what to install. Nothing was written."""
