"""The tables, as the one MetaData that Alembic's migrations are checked against.

The log is three append-only tables (events, their entity index, their references); the projection
tables are derived and rebuilt at will. Triggers that make the log append-only live in the migrations.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

# On SQLite only INTEGER PRIMARY KEY is the rowid itself (64-bit there too); BIGINT would add an index.
Position = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# -- the log (append-only) -----------------------------------------------------------------------------
events = Table(
    "events",
    metadata,
    Column("position", Position, primary_key=True, autoincrement=False),
    Column("id", String(36), nullable=False, unique=True),
    Column("type", String(40), nullable=False),
    Column("occurred_at", String(40), nullable=False),
    Column("occurred_key", BigInteger, nullable=False),  # world time as sortable microseconds
    Column("recorded_at", String(27), nullable=False),
    Column("body", Text, nullable=False),  # canonical JSON of {data, sources, refs, note?}
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
Index("ix_events_type_position", events.c.type, events.c.position)

event_entities = Table(
    "event_entities",
    metadata,
    Column("entity_id", String(200), primary_key=True),
    Column("position", BigInteger, ForeignKey("events.position"), primary_key=True),
    sqlite_with_rowid=False,  # the primary key is the table: one b-tree less to write
)
Index("ix_event_entities_position", event_entities.c.position)

event_refs = Table(
    "event_refs",
    metadata,
    Column("position", BigInteger, ForeignKey("events.position"), primary_key=True),
    Column("ref_position", BigInteger, ForeignKey("events.position"), primary_key=True),
    sqlite_with_rowid=False,
)
Index("ix_event_refs_ref_position", event_refs.c.ref_position)

# The names an event is found by, normalized (`ledger.names`): its sources', their origins', a statement's
# speaker (append-only; migration 0008).
event_names = Table(
    "event_names",
    metadata,
    Column("name", Text, primary_key=True),
    Column("position", BigInteger, ForeignKey("events.position"), primary_key=True),
    # bits: 1 a source's name, 2 an origin, 4 a speaker (in the key: the table is only its key, see guards)
    Column("role", SmallInteger, primary_key=True, autoincrement=False),
    sqlite_with_rowid=False,
)
Index("ix_event_names_position", event_names.c.position)

# The entity index rows of the events that set a company's group or mergers (GROUP_INDEX_TYPES), again:
# a fold asks for a busy company's few such claims, which its own index rows (tens of thousands) or
# every event of these types would otherwise have to be read to find (append-only; migration 0009).
group_index = Table(
    "group_index",
    metadata,
    Column("entity_id", String(200), primary_key=True),
    Column("position", BigInteger, ForeignKey("events.position"), primary_key=True),
    sqlite_with_rowid=False,
)  # verify reads it by positions (migration 0009)
Index("ix_events_occurred_key", events.c.occurred_key, events.c.position)

# Pairs of the index that corrections added or took away (append-only; migration 0004).
index_changes = Table(
    "index_changes",
    metadata,
    Column("entity_id", String(200), primary_key=True),
    Column("position", BigInteger, primary_key=True),
    Column("at_position", BigInteger, primary_key=True),
    Column("present", SmallInteger, nullable=False),
)

# The Merkle tree over the log: every inner node (complete subtree of 2+ leaves), keyed by the tree size
# at which it became complete and its level; leaves are the events' hashes (append-only; migration 0005).
tree_nodes = Table(
    "tree_nodes",
    metadata,
    Column("tree_size", BigInteger, primary_key=True, autoincrement=False),
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
    sqlite_with_rowid=False,
)

# The checkpoints the ledger issued (append-only; migration 0005).
checkpoints = Table(
    "checkpoints",
    metadata,
    Column("seq", Position, primary_key=True, autoincrement=False),
    Column("origin", Text, nullable=False),
    Column("tree_size", BigInteger, nullable=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("issued_at", String(27), nullable=False),
)
Index("ix_checkpoints_tree_size", checkpoints.c.tree_size, checkpoints.c.seq)

# -- projections (derived; never the source of truth) ----------------------------------------------------
projected_entities = Table(
    "projected_entities",
    metadata,
    Column("entity_id", String(200), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("doc", Text, nullable=False),  # the entity's `show --json` object
)
Index("ix_projected_entities_kind", projected_entities.c.kind, projected_entities.c.entity_id)

projected_claims = Table(
    "projected_claims",
    metadata,
    # No primary key: rows go to the end of the table in the order a rebuild writes them (entity by
    # entity), and only the small unique index on position takes random inserts (migration 0003).
    Column("position", Position, nullable=False, autoincrement=False),
    Column("status", String(20), nullable=False),
    Column("doc", Text, nullable=False),  # the claim with its trail
    # What `claims` filters by, from the document (migration 0008):
    Column("type", String(40), nullable=False),
    Column("origins", Integer, nullable=False),
    Column("anonymous_only", SmallInteger, nullable=False),
    Column("last_key", BigInteger, nullable=False),  # the latest world time of the claim and its statements
)
Index("uq_projected_claims_position", projected_claims.c.position, unique=True)
Index("ix_projected_claims_status", projected_claims.c.status, projected_claims.c.position)
Index("ix_projected_claims_type", projected_claims.c.type, projected_claims.c.position)
Index("ix_projected_claims_last_key", projected_claims.c.last_key, projected_claims.c.position)
Index("ix_projected_claims_origins", projected_claims.c.origins, projected_claims.c.position)
Index("ix_projected_claims_anonymous_only", projected_claims.c.anonymous_only, projected_claims.c.position)

# The search index: each entity's names, normalized (`ledger.search`), whole (rank 0) and from each later
# word on (rank 1); compared byte by byte, so a prefix is a range of the primary key (migration 0008).
SearchTerm = Text().with_variant(Text(collation="C"), "postgresql")
search_terms = Table(
    "search_terms",
    metadata,
    Column("rank", SmallInteger, primary_key=True, autoincrement=False),
    Column("term", SearchTerm, primary_key=True),
    Column("entity_id", String(200), primary_key=True),
    sqlite_with_rowid=False,
)
Index("ix_search_terms_entity_id", search_terms.c.entity_id)

# What each catch-up replaced, kept for `ledger changes` (migration 0010): the positions the tables were
# caught up at since the last rebuild, and each document a catch-up changed as it was before (NULL: none),
# under the position that catch-up brought the tables to.
projection_moments = Table(
    "projection_moments",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    sqlite_with_rowid=False,
)

entity_versions = Table(
    "entity_versions",
    metadata,
    Column("until_position", BigInteger, primary_key=True, autoincrement=False),
    Column("entity_id", String(200), primary_key=True),
    Column("doc", Text, nullable=True),
)
Index("ix_entity_versions_entity_id", entity_versions.c.entity_id, entity_versions.c.until_position)

claim_versions = Table(
    "claim_versions",
    metadata,
    Column("until_position", BigInteger, primary_key=True, autoincrement=False),
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("doc", Text, nullable=True),
)
Index("ix_claim_versions_position", claim_versions.c.position, claim_versions.c.until_position)

projection_checkpoint = Table(
    "projection_checkpoint",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("position", BigInteger, nullable=False),
)
