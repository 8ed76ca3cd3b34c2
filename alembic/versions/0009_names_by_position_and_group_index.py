"""`event_names` gets an index by position: `verify` compares each page of the log's name rows with those
recomputed from its events (a range of positions), which the table's key (name first) cannot find.

`group_index` (append-only, guarded like the rest of the log) repeats the entity index rows of the events
that set a company's group or mergers, filled here from the log: a fold asks for a busy company's few
such claims, which took reading its tens of thousands of index rows, or every event of these types.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op
from ledger.store.guards import PG_TRIGGERS, SQLITE_TRIGGERS, pg_trigger_sql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The types at this revision (`ledger.store.rows.GROUP_INDEX_TYPES`).
GROUP_TYPES = ("company.registered", "company.parent_changed", "company.spun_off", "company.merged")


def upgrade() -> None:
    op.create_index("ix_event_names_position", "event_names", ["position"])
    op.create_table(
        "group_index",
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["position"], ["events.position"], name=op.f("fk_group_index_position_events")
        ),
        sa.PrimaryKeyConstraint("entity_id", "position", name=op.f("pk_group_index")),
        sqlite_with_rowid=False,
    )
    types = ", ".join(f"'{t}'" for t in GROUP_TYPES)
    op.execute(
        "INSERT INTO group_index (entity_id, position) SELECT x.entity_id, x.position "
        f"FROM events e JOIN event_entities x ON x.position = e.position WHERE e.type IN ({types})"
    )
    if op.get_bind().dialect.name == "postgresql":
        for name, (table, _tgtype, _timing) in PG_TRIGGERS.items():
            if table == "group_index":
                for statement in pg_trigger_sql(name):
                    op.execute(statement)
    else:
        for table, create in SQLITE_TRIGGERS.values():
            if table == "group_index":
                op.execute(create)


def downgrade() -> None:
    op.drop_table("group_index")
    op.drop_index("ix_event_names_position", "event_names")
