"""What every command gets from the root: the database URL, and the ledger opened on it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from ledger.api import Ledger

DEFAULT_DB = "sqlite:///ledger.db"


@dataclass
class Settings:
    db: str
    db_given: bool  # --db or LEDGER_DB was given (the demo then writes there, not to a temporary file)


def settings(ctx: typer.Context) -> Settings:
    return ctx.find_root().obj


@contextmanager
def open_ledger(ctx: typer.Context) -> Iterator[Ledger]:
    """The ledger at --db, closed when the command is done with it."""
    import ledger

    opened = ledger.open(settings(ctx).db)
    try:
        yield opened
    finally:
        opened.close()
