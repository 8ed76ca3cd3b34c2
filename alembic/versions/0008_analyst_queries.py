"""What the analyst queries read: the names events are found by, world time on the log, claims by what
they are filtered on, and the search index.

`event_names` (append-only, guarded like the rest of the log) holds each event's normalized source,
origin and speaker names; `ledger init` fills it from the log for events stored before this revision.
`events` gets an index on world time. `projected_claims` gets the columns `claims` filters on, and
`search_terms` each entity's names; both are derived, so the projections are cleared and the next command
rebuilds them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-20
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from ledger.store.guards import PG_TRIGGERS, SQLITE_TRIGGERS, pg_trigger_sql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "event_names",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        # bits: 1 a source's name, 2 an origin, 4 a speaker (in the key: the table is only its key)
        sa.Column("role", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["position"], ["events.position"], name=op.f("fk_event_names_position_events")
        ),
        sa.PrimaryKeyConstraint("name", "position", "role", name=op.f("pk_event_names")),
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        for name, (table, _tgtype, _timing) in PG_TRIGGERS.items():
            if table == "event_names":
                for statement in pg_trigger_sql(name):
                    op.execute(statement)
    else:
        for table, create in SQLITE_TRIGGERS.values():
            if table == "event_names":
                op.execute(create)
    op.create_index("ix_events_occurred_key", "events", ["occurred_key", "position"])
    _claims_table(filtered=True)
    op.create_table(
        "search_terms",
        sa.Column("rank", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("term", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("rank", "term", "entity_id", name=op.f("pk_search_terms")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_search_terms_entity_id", "search_terms", ["entity_id"])
    _clear_projections()


def _claims_table(filtered: bool) -> None:
    op.drop_table("projected_claims")
    filters = [
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("origins", sa.Integer(), nullable=False),
        sa.Column("anonymous_only", sa.SmallInteger(), nullable=False),
        sa.Column("last_key", sa.BigInteger(), nullable=False),
    ]
    op.create_table(
        "projected_claims",
        sa.Column("position", POSITION, autoincrement=False, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        *(filters if filtered else []),
    )
    op.create_index("uq_projected_claims_position", "projected_claims", ["position"], unique=True)
    op.create_index("ix_projected_claims_status", "projected_claims", ["status", "position"])
    if filtered:
        for column in ("type", "last_key", "origins", "anonymous_only"):
            op.create_index(f"ix_projected_claims_{column}", "projected_claims", [column, "position"])


def _clear_projections() -> None:
    op.execute("DELETE FROM projected_entities")
    op.execute("DELETE FROM projection_checkpoint")


def downgrade() -> None:
    op.drop_table("search_terms")
    _claims_table(filtered=False)
    op.drop_index("ix_events_occurred_key", "events")
    op.drop_table("event_names")
    _clear_projections()
