"""The append-only guards on every SQL path: SQLite refuses an INSERT over a stored row (`INSERT OR
REPLACE`, `REPLACE INTO` and the REPLACE conflict policy delete the old row without firing DELETE
triggers); PostgreSQL fires its guards ALWAYS, so `session_replication_role = replica` does not skip them.
The guards are defined once, in `ledger.store.guards`; `ledger init` restores any that went missing.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-14
"""

from __future__ import annotations

from alembic import op
from ledger.store.guards import PG_TRIGGERS, sqlite_no_replace

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The append-only tables there were at this revision (later ones install their own guards).
APPEND_ONLY = ("events", "event_entities", "event_refs", "index_changes", "tree_nodes", "checkpoints")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, (table, _tgtype, _timing) in PG_TRIGGERS.items():
            if table in APPEND_ONLY:
                op.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {name}")
    else:
        for table in APPEND_ONLY:
            op.execute(sqlite_no_replace(table))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, (table, _tgtype, _timing) in PG_TRIGGERS.items():
            if table in APPEND_ONLY:
                op.execute(f"ALTER TABLE {table} ENABLE TRIGGER {name}")
    else:
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace")
