"""Throwaway PostgreSQL databases for the benchmarks (always named with a `bench_` prefix).

Why a module: the harness, the COPY baseline and the eventsourcing baseline each need a fresh database
and must drop it afterwards, whatever happened in between.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
_NAME = re.compile(r"^bench_[a-z0-9_]{1,50}$")


def conninfo(dbname: str = "postgres") -> str:
    """libpq connection string (trust auth: no password)."""
    return f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={dbname}"


def ledger_url(dbname: str) -> str:
    """The ledger's SQLAlchemy URL for a database."""
    return f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}"


def _check(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"refusing to touch database {name!r}: bench databases are named bench_*")
    return name


def create_db(name: str) -> None:
    """Create an empty database, dropping a leftover of the same name first."""
    import psycopg

    with psycopg.connect(conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{_check(name)}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_db(name: str) -> None:
    import psycopg

    with psycopg.connect(conninfo(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{_check(name)}" WITH (FORCE)')


@contextmanager
def scratch_db(name: str, keep: bool = False) -> Iterator[str]:
    """A fresh database for the duration of the block; dropped afterwards unless `keep`."""
    create_db(name)
    try:
        yield name
    finally:
        if not keep:
            drop_db(name)


def server_notes() -> dict[str, str]:
    """Version and the settings that decide write speed, for the machine notes."""
    import psycopg

    notes: dict[str, str] = {}
    with psycopg.connect(conninfo(), autocommit=True) as conn:
        row = conn.execute("SELECT version()").fetchone()
        notes["version"] = str(row[0]) if row else "?"
        for setting in ("shared_buffers", "synchronous_commit", "fsync", "wal_level", "max_wal_size"):
            row = conn.execute(f"SHOW {setting}").fetchone()
            notes[setting] = str(row[0]) if row else "?"
    return notes
