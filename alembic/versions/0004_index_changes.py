"""The entity index follows corrections: `index_changes` records, at the position of the correction
that caused it, each (entity, event) pair added to or taken from the index.

An `entry.corrected` that changes the entities a claim names moves the claim, and its statements, from
the old entities to the new ones. `event_entities` only grows (new pairs are added to it); this table says
which pairs a correction took away, and when, so a listing by entity can leave them out. Append-only,
like the rest of the log. Corrections recorded before this revision are replayed into it by `ledger init`
(`ledger.reindex.backfill`). The projections are cleared: vocabulary v2's rules rebuild them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "index_changes",
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),  # the event indexed (or no longer)
        sa.Column("at_position", sa.BigInteger(), nullable=False),  # the correction that changed it
        sa.Column("present", sa.SmallInteger(), nullable=False),  # 1: added, 0: taken away
        sa.PrimaryKeyConstraint("entity_id", "position", "at_position", name=op.f("pk_index_changes")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER index_changes_append_only BEFORE UPDATE OR DELETE ON index_changes "
            "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER index_changes_no_truncate BEFORE TRUNCATE ON index_changes "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER index_changes_no_{action.lower()} BEFORE {action} ON index_changes "
                f"BEGIN SELECT RAISE(ABORT, 'ledger log is append-only: {action} on index_changes refused'); "
                "END"
            )

    _clear_projections()


def _clear_projections() -> None:
    """Projections are derived: the v2 rules shape them anew, so the next command rebuilds them."""
    op.execute("DELETE FROM projected_claims")
    op.execute("DELETE FROM projected_entities")
    op.execute("DELETE FROM projection_checkpoint")


def downgrade() -> None:
    op.drop_table("index_changes")
    _clear_projections()
