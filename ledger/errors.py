"""The ledger's errors. Each maps to one CLI exit code (see docs/CLI.md)."""

from __future__ import annotations


class LedgerError(Exception):
    """Base of every error the ledger reports to its user; carries the CLI exit code."""

    exit_code = 1


class InvalidEvent(LedgerError):
    """Raised when input is not a valid event (bad JSON, unknown type, bad field, dangling ref)."""

    exit_code = 3

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


class UsageError(LedgerError):
    """Raised when an option or argument is malformed (a bad --as-of date, ENTITY@POSITION, an entity id)."""

    exit_code = 2

    def __init__(self, message: str, *, option: str) -> None:
        super().__init__(f"{option}: {message}")


class Conflict(LedgerError):
    """Raised when an --expect condition fails, an id is reused with other content, or a restore
    target is not empty."""

    exit_code = 4


class IntegrityFailure(LedgerError):
    """Raised when the hash chain or the projections do not match the log."""

    exit_code = 5

    def __init__(self, message: str, *, position: int | None = None) -> None:
        self.position = position
        super().__init__(message)


class NotInitialised(LedgerError):
    """Raised when a command meets a database whose schema is missing or behind; `ledger init` fixes it."""

    exit_code = 1


class StorageError(LedgerError):
    """Raised when the database cannot be reached or stays locked past the busy timeout."""

    exit_code = 1
