"""Backends for every storage test: a SQLite file and a throwaway PostgreSQL database.

`db_url` is parametrised over both, so each storage or CLI test runs on each. PostgreSQL databases are
cloned from one migrated template (CREATE DATABASE ... TEMPLATE) and dropped afterwards. Without a
server the PostgreSQL cases skip with the reason; under CI=true a missing server fails them instead.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from support.databases import (
    IN_CI,
    PG_ADMIN_URL,
    create_pg_database,
    drop_pg_database,
    pg_connect,
    pg_url,
)

import ledger
from ledger.api import Ledger


@pytest.fixture(scope="session")
def pg_admin():
    """A superuser connection to the server, or a skip (a failure under CI) with the reason."""
    try:
        connection = pg_connect()
    except Exception as e:  # any reason the server cannot be reached
        reason = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {str(e).splitlines()[0]}"
        if IN_CI:
            pytest.fail(f"CI=true requires PostgreSQL: {reason}")
        pytest.skip(reason)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def pg_template(pg_admin) -> Iterator[str]:
    name = create_pg_database(pg_admin)
    ledger.init(pg_url(name)).close()
    yield name
    drop_pg_database(pg_admin, name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "ledger.db"
    ledger.init(f"sqlite:///{path}").close()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


def fresh_ledger(request, backend: str, folder: Path) -> Iterator[str]:
    """A new initialised ledger on `backend`, copied from the migrated template (a SQLite file in `folder`,
    or a PostgreSQL database dropped afterwards)."""
    if backend == "sqlite":
        path = folder / "ledger.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    admin = request.getfixturevalue("pg_admin")
    name = create_pg_database(admin, template=request.getfixturevalue("pg_template"))
    try:
        yield pg_url(name)
    finally:
        drop_pg_database(admin, name)


@pytest.fixture
def db_url(backend, request, tmp_path) -> Iterator[str]:
    """An initialised, empty ledger on each backend."""
    yield from fresh_ledger(request, backend, tmp_path)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_db_url(request, tmp_path_factory) -> Iterator[str]:
    """An initialised, empty ledger on each backend, shared by the tests of a module that only read it."""
    yield from fresh_ledger(request, request.param, tmp_path_factory.mktemp("module"))


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

    opened = ledger.open(db_url)
    yield opened
    opened.close()


# Fresh ledgers on demand, for property tests that need a new one per example (each `with` makes one from
# the migrated template and drops it after).
def _ledgers(request, backend: str, tmp_path_factory) -> Callable[[], AbstractContextManager[Ledger]]:
    # Set up now what each fresh ledger is made from (a skip, or a failure under CI, without a server).
    for needed in ("sqlite_template",) if backend == "sqlite" else ("pg_admin", "pg_template"):
        request.getfixturevalue(needed)

    @contextmanager
    def fresh() -> Iterator[Ledger]:
        made = fresh_ledger(request, backend, tmp_path_factory.mktemp("ledgers"))
        try:
            with ledger.open(next(made)) as opened:
                yield opened
        finally:
            made.close()

    return fresh


@pytest.fixture(scope="module")
def sqlite_ledgers(request, tmp_path_factory) -> Callable[[], AbstractContextManager[Ledger]]:
    return _ledgers(request, "sqlite", tmp_path_factory)


@pytest.fixture(scope="module")
def postgresql_ledgers(request, tmp_path_factory) -> Callable[[], AbstractContextManager[Ledger]]:
    return _ledgers(request, "postgresql", tmp_path_factory)
