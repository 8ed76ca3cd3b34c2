"""What each catch-up replaced in the projection tables, kept: `ledger changes` between two moments the
ledger was caught up at reads what changed from here instead of folding every entity the window touches
again at both moments (the last 1,000 of 1M events: seconds of folding, against one range read here).

`projection_moments` lists the positions the tables were caught up at since the last rebuild;
`entity_versions` and `claim_versions` hold, for each document a catch-up changed, the document as it
was before (NULL: there was none), under the position that catch-up brought the tables to. Derived like
the rest of the projections: a rebuild clears them and starts again.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projection_moments",
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_projection_moments")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "entity_versions",
        sa.Column("until_position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("doc", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("until_position", "entity_id", name=op.f("pk_entity_versions")),
    )
    op.create_index("ix_entity_versions_entity_id", "entity_versions", ["entity_id", "until_position"])
    op.create_table(
        "claim_versions",
        sa.Column("until_position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("doc", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("until_position", "position", name=op.f("pk_claim_versions")),
    )
    op.create_index("ix_claim_versions_position", "claim_versions", ["position", "until_position"])


def downgrade() -> None:
    op.drop_table("claim_versions")
    op.drop_table("entity_versions")
    op.drop_table("projection_moments")
