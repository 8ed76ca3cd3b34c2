"""The ledger the last v1 release wrote (schema 0003), rebuilt from `tests/data/v1-ledger/`."""

from __future__ import annotations

import json
from pathlib import Path

from alembic.config import Config
from sqlalchemy import create_engine, text

from alembic import command
from ledger.store import migrations

DATA = Path(__file__).resolve().parents[1] / "data" / "v1-ledger"


def v1_ledger(url: str, revision: str = "0003") -> None:
    """A database as the v1 release left it: its schema (`revision`; 0002 and 0003 have the same log
    tables), its log rows, projections to be caught up."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", migrations.script_location())
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            for table, dump in json.loads((DATA / "v1-log-tables.json").read_text()).items():
                columns = dump["columns"]
                values = ", ".join(":" + c for c in columns)
                insert = text(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values})")
                connection.execute(insert, [dict(zip(columns, row, strict=True)) for row in dump["rows"]])
    finally:
        engine.dispose()
