"""Projection tables: entity documents, claims with their trails, and the checkpoint.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projected_entities",
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("entity_id", name=op.f("pk_projected_entities")),
    )
    op.create_index("ix_projected_entities_kind", "projected_entities", ["kind", "entity_id"])
    op.create_table(
        "projected_claims",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_projected_claims")),
    )
    op.create_index("ix_projected_claims_status", "projected_claims", ["status", "position"])
    op.create_table(
        "projection_checkpoint",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_projection_checkpoint")),
    )


def downgrade() -> None:
    op.drop_table("projection_checkpoint")
    op.drop_table("projected_claims")
    op.drop_table("projected_entities")
