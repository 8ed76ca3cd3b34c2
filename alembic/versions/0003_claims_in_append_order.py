"""Claim rows stored in insertion order, found by position through a unique index.

With `position` as the primary key, SQLite keeps claim rows (their trails, often kilobytes) in a
B-tree ordered by position, while a rebuild writes them entity by entity: every insert landed on a
random page (11 of 59 s of a 1M-event rebuild). Rows now go to the end of the table and only the small
unique index on `position` takes the random inserts. Projections are derived data: the table is
recreated empty and the checkpoint reset, so the next command rebuilds them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _claims_table(primary_key: bool) -> None:
    position = sa.Column(
        "position",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        autoincrement=False,
        nullable=False,
    )
    constraints = (
        [sa.PrimaryKeyConstraint("position", name=op.f("pk_projected_claims"))] if primary_key else []
    )
    op.create_table(
        "projected_claims",
        position,
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        *constraints,
    )
    if not primary_key:
        op.create_index("uq_projected_claims_position", "projected_claims", ["position"], unique=True)
    op.create_index("ix_projected_claims_status", "projected_claims", ["status", "position"])


def _recreate(primary_key: bool) -> None:
    op.drop_table("projected_claims")
    _claims_table(primary_key)
    op.execute("DELETE FROM projected_entities")
    op.execute("DELETE FROM projection_checkpoint")


def upgrade() -> None:
    _recreate(primary_key=False)


def downgrade() -> None:
    _recreate(primary_key=True)
