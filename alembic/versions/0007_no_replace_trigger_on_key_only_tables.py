"""SQLite: drop the BEFORE INSERT guard of the tables made only of their key (`event_entities`,
`event_refs`). A REPLACE there removes a row and puts the same row back, so the guard protected nothing,
and it cost every index row an import writes an extra look-up. Their UPDATE and DELETE guards stay.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op
from ledger.store.guards import sqlite_no_replace

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

KEY_ONLY = ("event_entities", "event_refs")  # those there were at this revision (later ones have none)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in KEY_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in KEY_ONLY:
            op.execute(sqlite_no_replace(table))
