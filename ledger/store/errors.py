"""Driver errors turned into the ledger's own, in one place: by exception class and code.

PostgreSQL gives each error a SQLSTATE (psycopg maps them to classes); SQLite gives a result code.
SQLite has no code of its own for a missing table (it is plain SQLITE_ERROR), so that one case is read
from the message, which SQLite has spelt the same way for decades.
"""

from __future__ import annotations

import sqlite3

from ledger.errors import IntegrityFailure, LedgerError, MissingDriver, NotInitialised, ReadOnly, StorageError
from ledger.store.urls import redact, safe_url

_PG_UNDEFINED_TABLE = "42P01"
_PG_LOCK_NOT_AVAILABLE = "55P03"
_PG_INSUFFICIENT_PRIVILEGE = "42501"  # also what the append-only trigger raises
_PG_READ_ONLY = "25006"  # read_only_sql_transaction: a standby, or default_transaction_read_only
# data_corrupted, index_corrupted, character_not_in_repertoire: what PostgreSQL reads back is damaged
_PG_DAMAGED = frozenset({"XX001", "XX002", "22021"})


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


def is_damage(error: BaseException) -> bool:
    """Whether a driver error says the stored data cannot be read back: a damaged page or file, text that
    is not UTF-8."""
    if isinstance(error, sqlite3.Error):
        name = getattr(error, "sqlite_errorname", "") or ""
        if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
            return True
        # sqlite3 reports text it cannot decode with no code of its own; its message has not changed.
        return isinstance(error, sqlite3.OperationalError) and str(error).startswith("Could not decode")
    return getattr(error, "sqlstate", None) in _PG_DAMAGED


def damage(error: BaseException) -> str:
    """What a damage error says, in a few words (never the undecodable text itself)."""
    if isinstance(error, sqlite3.OperationalError) and str(error).startswith("Could not decode"):
        return "a stored text is not valid UTF-8"
    first = str(error).strip().splitlines()
    return first[0] if first else type(error).__name__


def _kind(error: Exception) -> str:
    """'missing schema', 'locked', 'refused', 'read-only', 'damaged' or 'other'."""
    if is_damage(error):
        return "damaged"
    if isinstance(error, sqlite3.Error):
        name = getattr(error, "sqlite_errorname", "") or ""
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return "locked"
        if name == "SQLITE_CONSTRAINT_TRIGGER":
            return "refused"
        if name.startswith("SQLITE_READONLY"):
            return "read-only"
        if isinstance(error, sqlite3.OperationalError) and str(error).startswith("no such table"):
            return "missing schema"
        return "other"
    sqlstate = getattr(error, "sqlstate", None)
    return {
        _PG_UNDEFINED_TABLE: "missing schema",
        _PG_LOCK_NOT_AVAILABLE: "locked",
        _PG_INSUFFICIENT_PRIVILEGE: "refused",
        _PG_READ_ONLY: "read-only",
    }.get(sqlstate or "", "other")


def read_only(url: str) -> ReadOnly:
    """The error for a write to a ledger that can only be read."""
    return ReadOnly(
        f"{safe_url(url)} is read-only (?mode=ro, read-only media or a read-only database); "
        "nothing was written"
    )


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
    if kind == "read-only":
        return read_only(url)
    if kind == "damaged":
        return IntegrityFailure(f"the database cannot be read back: {redact(damage(error), url)}")
    return StorageError(f"database error on {safe_url(url)}: {redact(first, url)}")
