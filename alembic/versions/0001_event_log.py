"""The event log: events, their entity index and references, append-only by trigger.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

LOG_TABLES = ("events", "event_entities", "event_refs")
# On SQLite only INTEGER PRIMARY KEY is the rowid itself (64-bit there too); BIGINT would add an index.
POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("position", POSITION, autoincrement=False, nullable=False),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("occurred_at", sa.String(40), nullable=False),
        sa.Column("occurred_key", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.String(27), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_events")),
        sa.UniqueConstraint("id", name=op.f("uq_events_id")),
    )
    op.create_index("ix_events_type_position", "events", ["type", "position"])
    op.create_table(
        "event_entities",
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["position"], ["events.position"], name=op.f("fk_event_entities_position_events")
        ),
        sa.PrimaryKeyConstraint("entity_id", "position", name=op.f("pk_event_entities")),
        sqlite_with_rowid=False,  # the primary key is the table: one b-tree less to write
    )
    op.create_index("ix_event_entities_position", "event_entities", ["position"])
    op.create_table(
        "event_refs",
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("ref_position", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["position"], ["events.position"], name=op.f("fk_event_refs_position_events")
        ),
        sa.ForeignKeyConstraint(
            ["ref_position"], ["events.position"], name=op.f("fk_event_refs_ref_position_events")
        ),
        sa.PrimaryKeyConstraint("position", "ref_position", name=op.f("pk_event_refs")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_event_refs_ref_position", "event_refs", ["ref_position"])

    # Append-only, enforced by the database whoever connects (the table owner included).
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'ledger log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
                    USING ERRCODE = 'insufficient_privilege';
            END $$
            """
        )
        for table in LOG_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()"
            )
    else:
        for table in LOG_TABLES:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'ledger log is append-only: {action} on {table} refused'); "
                    "END"
                )


def downgrade() -> None:
    for table in reversed(LOG_TABLES):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS ledger_refuse_change()")
