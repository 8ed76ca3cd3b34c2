"""Schema management through Alembic, run in code so it works from an installed package in any folder."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

HEAD_REVISION = "0010"


def script_location() -> str:
    """The migration scripts: inside the installed package, or the checkout's alembic/ (editable)."""
    from importlib import resources  # here: a query reads HEAD_REVISION, and this import costs ~4 ms
    from pathlib import Path  # here too: pathlib's import is a tenth of a read command's start-up

    packaged = resources.files("ledger") / "_alembic"
    if packaged.is_dir() and (packaged / "env.py").is_file():
        return str(packaged)
    checkout = Path(__file__).resolve().parents[2] / "alembic"
    return str(checkout)


def _config(connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", script_location())
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, lock: int | None = None) -> None:
    """Create or upgrade the schema to head; a no-op on an up-to-date database. In one transaction that
    holds the write lock (SQLite: the engine begins IMMEDIATE; PostgreSQL: advisory lock `lock`), so a
    second `init` at the same moment waits, then finds the schema at head."""
    from alembic import command

    with engine.begin() as connection:
        if lock is not None and connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({int(lock)})")
        command.upgrade(_config(connection), "head")


def check(engine: Engine) -> None:
    """Raise if the models in ledger.schema and the migrations disagree (alembic check)."""
    from alembic import command

    with engine.begin() as connection:
        command.check(_config(connection))


def current_revision(engine: Engine) -> str | None:
    from sqlalchemy import inspect, text

    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
