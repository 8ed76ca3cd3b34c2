"""`event_names` gets an index by position: `verify` compares each page of the log's name rows with those
recomputed from its events (a range of positions), which the table's key (name first) cannot find.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_event_names_position", "event_names", ["position"])


def downgrade() -> None:
    op.drop_index("ix_event_names_position", "event_names")
