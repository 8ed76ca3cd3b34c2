"""Opening a SQLite ledger file: for writing (WAL, full sync), or read-only — asked for (`?mode=ro`) or
because the file or its folder cannot be written (an archive, a mounted backup, read-only media).

A WAL database read-only still needs its `-shm` file, which SQLite cannot create in a read-only folder;
when no `-wal` file holds transactions beyond the main file, SQLite can read the file as immutable
instead. With committed transactions only in a `-wal` file nothing can read them without writing, and
the error says so.
"""

from __future__ import annotations

import os
import sqlite3

from ledger.errors import StorageError

# sqlite3's result codes for a file it could not open, or open for writing.
_CANNOT_WRITE = ("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH")


def connect(path: str, busy_timeout_s: float) -> sqlite3.Connection:
    """A connection that may write: WAL, every commit synced, foreign keys on."""
    # isolation_level=None: the store, not the sqlite3 module, decides where transactions begin.
    connection = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False)
    try:
        for pragma in (
            "journal_mode=WAL",
            f"busy_timeout={int(busy_timeout_s * 1000)}",
            "synchronous=FULL",  # a committed event survives power loss
            "foreign_keys=ON",
            "cache_size=-65536",  # 64 MiB: index inserts stay in memory
        ):
            connection.execute(f"PRAGMA {pragma}")
    except BaseException:
        connection.close()
        raise
    return connection


def cannot_write(error: sqlite3.Error, path: str) -> bool:
    """Whether opening an existing ledger for writing failed because it, or its folder, is read-only."""
    name = getattr(error, "sqlite_errorname", "") or ""
    return os.path.exists(path) and name.startswith(_CANNOT_WRITE)


def connect_read_only(path: str, busy_timeout_s: float) -> sqlite3.Connection:
    """A connection that can only read: `mode=ro`, or, where the folder is read-only too and nothing waits
    in a `-wal` file, the file as immutable."""
    uri = f"file:{_uri_path(path)}?mode=ro"
    try:
        return _opened(uri, busy_timeout_s)
    except sqlite3.OperationalError as e:
        if (getattr(e, "sqlite_errorname", "") or "") != "SQLITE_CANTOPEN" or not os.path.exists(path):
            raise
    wal = f"{path}-wal"
    if os.path.exists(wal) and os.path.getsize(wal) > 0:
        raise StorageError(
            f"cannot read {path}: its write-ahead log {os.path.basename(wal)} holds transactions and the "
            "folder is read-only; copy the ledger file with its -wal file somewhere writable"
        )
    return _opened(f"{uri}&immutable=1", busy_timeout_s)


def _opened(uri: str, busy_timeout_s: float) -> sqlite3.Connection:
    connection = sqlite3.connect(
        uri, uri=True, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
    )
    try:
        connection.execute("PRAGMA schema_version").fetchone()  # opening is lazy: fail here, not later
        connection.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
    except BaseException:
        connection.close()
        raise
    return connection


_URI_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~/")


def _uri_path(path: str) -> str:
    """The path as a `file:` URI writes it: percent-encoded (a `?`, `#` or `%` in it would end or
    escape). A plain path is left as it is, as `quote` leaves it, without importing urllib (a read
    command's start-up)."""
    if _URI_SAFE.issuperset(path):
        return path
    from urllib.parse import quote

    return quote(path)
