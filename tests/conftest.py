"""Backends for every storage test: a SQLite file and a throwaway PostgreSQL database.

`db_url` is parametrised over both, so each storage or CLI test runs on each. PostgreSQL databases are
cloned from one migrated template (CREATE DATABASE ... TEMPLATE) and dropped afterwards. Without a
server the PostgreSQL cases skip with the reason; under CI=true a missing server fails them instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_ADMIN_URL = os.environ.get("LEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _pg_connect(dbname: str | None = None):
    import psycopg

    conninfo = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    if dbname:
        conninfo = conninfo.rsplit("/", 1)[0] + "/" + dbname
    return psycopg.connect(conninfo, autocommit=True, connect_timeout=3)


def pg_url(dbname: str) -> str:
    base = PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    return base.rsplit("/", 1)[0] + "/" + dbname


@pytest.fixture(scope="session")
def pg_admin():
    """A superuser connection to the server, or a skip (a failure under CI) with the reason."""
    try:
        connection = _pg_connect()
    except Exception as e:  # any reason the server cannot be reached
        reason = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {str(e).splitlines()[0]}"
        if IN_CI:
            pytest.fail(f"CI=true requires PostgreSQL: {reason}")
        pytest.skip(reason)
    yield connection
    connection.close()


def create_pg_database(admin, template: str | None = None) -> str:
    name = f"ledger_test_{uuid.uuid4().hex[:12]}"
    # FILE_COPY: a third of the default WAL_LOG strategy's time for a small template.
    admin.execute(
        f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else "")
    )
    return name


def drop_pg_database(admin, name: str) -> None:
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_template(pg_admin) -> Iterator[str]:
    import ledger

    name = create_pg_database(pg_admin)
    ledger.init(pg_url(name)).close()
    yield name
    drop_pg_database(pg_admin, name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    import ledger

    path = tmp_path_factory.mktemp("template") / "ledger.db"
    ledger.init(f"sqlite:///{path}").close()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def db_url(backend, request, tmp_path) -> Iterator[str]:
    """An initialised, empty ledger on each backend."""
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "ledger.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    admin = request.getfixturevalue("pg_admin")
    name = create_pg_database(admin, template=request.getfixturevalue("pg_template"))
    yield pg_url(name)
    drop_pg_database(admin, name)


@pytest.fixture
def blank_db_url(backend, request, tmp_path) -> Iterator[str]:
    """A database with no ledger schema yet, on each backend."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    admin = request.getfixturevalue("pg_admin")
    name = create_pg_database(admin)
    yield pg_url(name)
    drop_pg_database(admin, name)


@pytest.fixture
def lg(db_url):
    """The opened ledger on `db_url`."""
    import ledger

    opened = ledger.open(db_url)
    yield opened
    opened.close()
