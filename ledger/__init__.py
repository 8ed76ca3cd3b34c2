"""An event-sourced, hash-chained ledger of corporate actions and of what was reported about them.

    import ledger
    with ledger.open("sqlite:///ledger.db") as lg:
        lg.append({...})
        lg.show("plant:nissan-oppama", as_of="2025-07-07")

The path of an event: `events` validates it, `writer` gives it a position and a hash through `store`,
`projector` folds it into the projections (`projections`, `claims`), `queries` answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ledger.errors import (
    Conflict,
    IntegrityFailure,
    InvalidEvent,
    LedgerError,
    NotInitialised,
    StorageError,
)

if TYPE_CHECKING:
    from ledger.api import Ledger

DEFAULT_URL = "sqlite:///ledger.db"

__all__ = [
    "DEFAULT_URL",
    "Conflict",
    "IntegrityFailure",
    "InvalidEvent",
    "Ledger",
    "LedgerError",
    "NotInitialised",
    "StorageError",
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
