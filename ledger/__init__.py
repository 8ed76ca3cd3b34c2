"""An event-sourced, hash-chained ledger of corporate actions and of what was reported about them.

    import ledger
    with ledger.open("sqlite:///ledger.db") as lg:
        lg.append({...})
        lg.show("plant:nissan-oppama", as_of="2025-07-07")

The path of an event: `validation` checks it against the `vocabulary`, `writer` gives it a position and
a hash and hands it to the `store`, the `read_model` folds it into the projection tables
(`projections`, `claims`), `queries` answer. docs/ARCHITECTURE.md walks it module by module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ledger.errors import (
    Conflict,
    ExpectationFailed,
    IntegrityFailure,
    InvalidArgument,
    InvalidDocument,
    InvalidEvent,
    LedgerError,
    MissingDriver,
    NoCheckpoint,
    NotEmpty,
    NotInitialised,
    OutputError,
    ProjectionsBehind,
    ProofFailed,
    ReadOnly,
    StorageError,
    UnknownEntity,
    UnknownEvent,
    Unreadable,
)

if TYPE_CHECKING:
    from ledger.api import Ledger

DEFAULT_URL = "sqlite:///ledger.db"

__all__ = [
    "DEFAULT_URL",
    "Conflict",
    "ExpectationFailed",
    "IntegrityFailure",
    "InvalidArgument",
    "InvalidDocument",
    "InvalidEvent",
    "Ledger",
    "LedgerError",
    "MissingDriver",
    "NoCheckpoint",
    "NotEmpty",
    "NotInitialised",
    "OutputError",
    "ProjectionsBehind",
    "ProofFailed",
    "ReadOnly",
    "StorageError",
    "UnknownEntity",
    "UnknownEvent",
    "Unreadable",
    "init",
    "open",
]


def open(url: str = DEFAULT_URL) -> Ledger:
    """Open the ledger at a database URL (run `init` once first)."""
    from ledger.api import Ledger

    return Ledger(url)


def init(url: str = DEFAULT_URL) -> Ledger:
    """Create or upgrade the schema, then return the opened ledger."""
    from ledger.api import Ledger

    opened = Ledger(url)
    opened.init()
    return opened


def __getattr__(name: str):  # the API class without importing SQLAlchemy at `import ledger`
    if name == "Ledger":
        from ledger.api import Ledger

        return Ledger
    raise AttributeError(name)
