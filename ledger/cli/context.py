"""What every command gets from the root: the database URL, and the ledger opened on it.

Typer is named here only in annotations: the fast entry point (`entry.py`) opens ledgers through this
module without importing it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

    from ledger.api import Ledger

DEFAULT_DB = "sqlite:///ledger.db"
DB_ENVVAR = "LEDGER_DB"


@dataclass
class Settings:
    db: str
    db_given: bool  # --db or LEDGER_DB was given (the demo then writes there, not to a temporary file)


def settings(ctx: typer.Context) -> Settings:
    return ctx.find_root().obj


def db_from_environment() -> str:
    """The URL when no --db is given: LEDGER_DB unless unset or empty (as click reads it), else the
    default."""
    return os.environ.get(DB_ENVVAR) or DEFAULT_DB


@contextmanager
def open_ledger(url: str) -> Iterator[Ledger]:
    """The ledger at `url`, closed when the command is done with it."""
    import ledger

    opened = ledger.open(url)
    try:
        yield opened
    finally:
        opened.close()
