"""Tampering as the database's owner (or a superuser) could: the append-only guards out of the way for a
while, then put back exactly as they were, so that only what the change left in the data can give it away."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ledger.store.guards import APPEND_ONLY, PG_TRIGGERS


@contextmanager
def unguarded(db: Any) -> Iterator[None]:
    """The guards (and on PostgreSQL the foreign keys) off while the block runs on `db`'s connection (a
    `reliability.support.Probe` or a transaction's `sql`), restored after it."""
    connection = db.connection
    if db.dialect == "sqlite":
        saved = connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
        for name, _sql in saved:
            connection.execute(f"DROP TRIGGER {name}")
        try:
            yield
        finally:
            for _name, sql in saved:
                connection.execute(sql)
        return
    connection.execute("SET session_replication_role = replica")  # foreign keys' triggers too
    for table in APPEND_ONLY:
        connection.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        for name, (table, _tgtype, _timing) in PG_TRIGGERS.items():
            connection.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {name}")
        connection.execute("RESET session_replication_role")
