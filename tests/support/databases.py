"""Throwaway PostgreSQL databases for tests: the server to use, and creating and dropping databases."""

from __future__ import annotations

import os
import uuid

PG_ADMIN_URL = os.environ.get("LEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pg_connect(dbname: str | None = None):
    import psycopg

    conninfo = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    if dbname:
        conninfo = conninfo.rsplit("/", 1)[0] + "/" + dbname
    return psycopg.connect(conninfo, autocommit=True, connect_timeout=3)


def pg_url(dbname: str) -> str:
    base = PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    return base.rsplit("/", 1)[0] + "/" + dbname


def create_pg_database(admin, template: str | None = None) -> str:
    name = f"ledger_test_{uuid.uuid4().hex[:12]}"
    # FILE_COPY: a third of the default WAL_LOG strategy's time for a small template.
    admin.execute(
        f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else "")
    )
    return name


def drop_pg_database(admin, name: str) -> None:
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
