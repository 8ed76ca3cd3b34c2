"""The Merkle tree over the log (`tree_nodes`) and the checkpoints the ledger issued (`checkpoints`).

`tree_nodes` holds every inner node (complete subtree of two leaves or more) of the RFC 9162 tree whose
leaves are the events in position order, keyed by the tree size at which it became complete and its
level; the leaves are the events' own hashes. A grown tree only adds rows, so the table is append-only
like the log, and the tree of any size is the rows up to that size.
`checkpoints` records each checkpoint `ledger checkpoint` printed (append-only too). A ledger that
already holds events gets its tree from `ledger init` (`ledger.tree.backfill`): no event is rewritten.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLES = ("tree_nodes", "checkpoints")
POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "tree_nodes",
        sa.Column("tree_size", sa.BigInteger(), nullable=False),  # the size at which it became complete
        sa.Column("level", sa.SmallInteger(), nullable=False),  # n >= 1: a subtree of 2**n leaves
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("tree_size", "level", name=op.f("pk_tree_nodes")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "checkpoints",
        sa.Column("seq", POSITION, autoincrement=False, nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.LargeBinary(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),  # the checkpoint as printed: a signed note, or its text
        sa.Column("issued_at", sa.String(27), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_checkpoints")),
    )
    op.create_index("ix_checkpoints_tree_size", "checkpoints", ["tree_size", "seq"])
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()"
            )
    else:
        for table in TABLES:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'ledger log is append-only: {action} on {table} refused'); "
                    "END"
                )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
