"""Driver errors turned into the ledger's own, in one place: by exception class and code.

PostgreSQL gives each error a SQLSTATE (psycopg maps them to classes); SQLite gives a result code.
SQLite has no code of its own for a missing table (it is plain SQLITE_ERROR), so that one case is read
from the message, which SQLite has spelt the same way for decades.
"""

from __future__ import annotations

import sqlite3

from ledger.errors import LedgerError, MissingDriver, NotInitialised, StorageError
from ledger.store.urls import redact, safe_url

_PG_UNDEFINED_TABLE = "42P01"
_PG_LOCK_NOT_AVAILABLE = "55P03"
_PG_INSUFFICIENT_PRIVILEGE = "42501"  # also what the append-only trigger raises


def driver_errors(dialect: str) -> tuple[type[Exception], ...]:
    """The exception classes of a backend's driver (MissingDriver if it is not installed)."""
    if dialect == "sqlite":
        return (sqlite3.Error,)
    return (psycopg_module().Error,)


def psycopg_module():
    try:
        import psycopg
    except ImportError:
        raise MissingDriver(
            "a PostgreSQL URL needs the psycopg driver: pip install 'corporate-actions-ledger[postgres]'",
            extra="postgres",
        ) from None
    return psycopg


def _kind(error: Exception) -> str:
    """'missing schema', 'locked', 'refused' or 'other'."""
    if isinstance(error, sqlite3.Error):
        name = getattr(error, "sqlite_errorname", "") or ""
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return "locked"
        if name == "SQLITE_CONSTRAINT_TRIGGER":
            return "refused"
        if isinstance(error, sqlite3.OperationalError) and str(error).startswith("no such table"):
            return "missing schema"
        return "other"
    sqlstate = getattr(error, "sqlstate", None)
    return {
        _PG_UNDEFINED_TABLE: "missing schema",
        _PG_LOCK_NOT_AVAILABLE: "locked",
        _PG_INSUFFICIENT_PRIVILEGE: "refused",
    }.get(sqlstate or "", "other")


def translate(error: Exception, url: str, busy_timeout_s: float) -> LedgerError:
    """The ledger's error for a driver's, its message free of the URL's secrets."""
    message = str(error).strip()
    first = message.splitlines()[0] if message else type(error).__name__
    kind = _kind(error)
    if kind == "missing schema":
        return NotInitialised(f"{safe_url(url)} has no ledger schema")
    if kind == "locked":
        return StorageError(
            f"{safe_url(url)} stayed locked by another writer for {busy_timeout_s:.0f} s "
            "(LEDGER_BUSY_TIMEOUT); nothing was written"
        )
    if kind == "refused":
        return StorageError(f"refused by the database: {redact(first, url)}")
    return StorageError(f"database error on {safe_url(url)}: {redact(first, url)}")
