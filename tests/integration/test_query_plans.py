"""No lookup of an import or of a query reads a whole log table, on either backend.

A ledger of N_EVENTS synthetic events is imported, then each query of the API runs on it, while
`support.plans` records every statement the store sends to the log's tables and EXPLAINs it in its own
transaction (see there for when, and with which parameters). A statement whose plan reads `events`,
`event_entities` or `event_refs` whole fails the test, unless the store method that sent it reads the
whole log by design (EXEMPT, with the reason).
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import pytest
from support.databases import create_pg_database, drop_pg_database, pg_connect, pg_url
from support.factories import an_event
from support.plans import LOG_TABLES, Planned, PlanRecorder, explain

import ledger
from ledger import claims_then, history_page
from ledger.read_model import sync, workers
from ledger.store.log import LogTables
from ledger.synthetic.generator import Generator

# Large enough that the import refreshes the planner's statistics as it does at scale (ANALYZE from
# 5,000 events, then each time the log grows by half) and catches up by a rebuild (over 20,000 events),
# and that PostgreSQL's planner finds reading a whole log table dearer than the index for a lookup of
# 200 keys. Small enough to build in seconds: 30,000 passed on PostgreSQL in 3 runs of 3 (ANALYZE
# samples at random), as did 50,000 in 2; 20,000 fails on legitimate scans of a log that small.
N_EVENTS = 30_000
NEWCOMER = "company:plan-check-newcomer"  # a party a correction moves a claim to
HOLDING = "company:plan-check-holding"  # a parent company above a regrouped one

# Store methods that read the whole log by design, and why: a scan is their job, not a lookup's cost.
EXEMPT = {
    "EntityStreams.entity_stream": "a rebuild folds every entity: one walk of the whole index (a worker's "
    "range is a slice of that walk)",
    "EntityStreams.entity_sizes": "a rebuild cuts the whole index into ranges for its workers",
    "HistoryPages._walked": "a page of a busy entity's history walks the log's world-time index and stops "
    "after the page (about limit x log / entity rows; an entity that small sorts its own rows instead)",
    "LogTables.head": "the last event in position order, LIMIT 1: SQLite prints SCAN for a walk of the "
    "primary key that stops at its first row",
}

# What each phase must have sent to the log tables, so that a phase whose lookups went elsewhere (or
# were not recorded) cannot pass by having nothing to judge.
EXPECTED_ORIGINS = {
    "import": {
        "LogTables.locate",
        "LogTables.events_by_id",
        "LogTables.current_entities",
        "RelatedReads.registrations",
        "RelatedReads.claims_about_many",
        "RelatedReads._index_rows",
        "RelatedReads._referencing_events",
        "RelatedReads.statements_about",
        "RelatedReads.corrections_of",
        "RelatedReads.claims_of_types",
    },
    "append": {"LogTables.latest_position_of", "LogTables.entities_between", "LogTables.entity_events"},
    "correct": {"IndexMoves.move_index", "LogTables.current_entities", "RelatedReads.statements_about"},
    "show --as-of": {"LogTables.entity_events"},
    "history": {"LogTables.entity_events"},
    "claims ENTITY": {"RelatedReads.positions_under"},
    "events --entity": {"LogTables.select"},
    "events --since": {"LogTables.select"},
    "verify": {"IndexReads.indexed_in", "IndexReads.references_in", "IndexReads.referenced_index_in"},
    "prove": {"LogTables.locate", "OrderedReads.hashes_at"},
    "rebuild in a worker": {"EntityStreams.entity_sizes", "EntityStreams.entity_stream"},
    "show --known-at TIME": {"LogTables.known_by"},
    "changes": {"LogTables.entities_between", "LogTables.entity_events"},
    "claims --source": {"LogTables.named"},
    "claims --by": {"RelatedReads.targets_of_names"},
    "claims --known-at --status": {
        "RelatedReads.targets_of_names",
        "RelatedReads.positions_under",
        "RelatedReads.targets_under",
    },
    "events --source --by": {"LogTables.select"},
    "events --occurred-since": {"LogTables.select"},
    "history page": {"RelatedReads.index_size", "HistoryPages._sorted", "HistoryPages.is_indexed"},
    "changes between caught-up moments": {"RelatedReads.events_between_of", "RelatedReads.events_at"},
    "claims --known-at a caught-up moment": {"RelatedReads.events_at"},
}


@dataclass
class PlannedLedger:
    url: str
    recorder: PlanRecorder


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def planned(request, tmp_path_factory) -> Iterator[PlannedLedger]:
    """A ledger of N_EVENTS events, and every statement of its import and of each query after it, with
    its plan."""
    recorder = PlanRecorder()
    with _empty_ledger(request, tmp_path_factory) as url:
        with pytest.MonkeyPatch.context() as patch:
            # One process: the rebuild that catches up after the import folds here, so its lookups are
            # recorded too (workers run the same `sync.entity_rows`; see "rebuild in a worker" below).
            patch.setattr(workers, "WORKERS", 1)
            recorder.install(patch)
            generator = Generator(N_EVENTS, seed=7)
            with ledger.open(url) as lg:
                with recorder.during("import"):
                    lg.import_jsonl(generator.lines())
                _run_queries(lg, recorder, generator.info.sample_plant)
        yield PlannedLedger(url, recorder)


@contextmanager
def _empty_ledger(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[str]:
    """An initialised, empty ledger on the fixture's backend (a copy of the suite's template)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("plans") / "ledger.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    admin = request.getfixturevalue("pg_admin")
    name = create_pg_database(admin, template=request.getfixturevalue("pg_template"))
    try:
        with pg_connect(name) as connection:
            # No autovacuum: the queries meet the log as the import committed it, with the statistics
            # it left (the stalest they can be) and no visibility map, whatever the server does meanwhile.
            for table in LOG_TABLES:
                connection.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = off)")
        yield pg_url(name)
    finally:
        drop_pg_database(admin, name)


def _run_queries(lg: ledger.Ledger, recorder: PlanRecorder, plant: str) -> None:
    """Each query of the API (what the CLI's commands call), and writes of one event after the import."""
    (claim,) = lg.events(event_type="talks.reported", limit=1, reverse=True)
    partnership = claim.data["partnership"]
    middle = claim.position // 2
    parties = claim.data["parties"]
    with recorder.during("regroup"):  # the second party has a parent (the first gets it below)
        lg.append(an_event("company.parent_changed", {"company": parties[1], "parent": HOLDING}))
    with recorder.during("append"):
        statement = an_event("report.confirmed", {"by": claim.data["parties"][0]}, refs=[claim.id])
        lg.append(statement, expect=f"{partnership}@{lg.events(entity=partnership)[-1].position}")
    with recorder.during("correct"):
        moved = {**claim.data, "parties": [claim.data["parties"][0], NEWCOMER]}  # moves it in the index
        lg.append(an_event("entry.corrected", {"reason": "a party", "replacement": moved}, refs=[claim.id]))
    with recorder.during("regroup"):  # the second party becomes the first's parent
        lg.append(an_event("company.parent_changed", {"company": parties[0], "parent": parties[1]}))
    phases: dict[str, Any] = {
        "show": lambda: lg.show(plant),
        "show --as-of": lambda: lg.show(plant, as_of="2024-01-01"),
        "show --known-at": lambda: lg.show(partnership, known_at=claim.recorded_at),
        "history": lambda: lg.history(partnership),
        "claims ENTITY": lambda: lg.claims(partnership),
        "claims --status": lambda: lg.claims(status="confirmed"),
        "list": lambda: lg.list("plants"),
        "events --entity": lambda: lg.events(entity=partnership, since=middle, limit=20, reverse=True),
        "events --since": lambda: lg.events(since=claim.position - 10),
        "events --type": lambda: lg.events(event_type="entry.voided", limit=5),
        "verify": lambda: lg.verify(),
        "export": lambda: lg.export(io.BytesIO()),
        "checkpoint": lambda: lg.checkpoint(),
        "prove": lambda: (lg.prove(claim.id), lg.prove_consistency(middle)),
        "rebuild in a worker": lambda: _fold_one_range(lg),
        # The analyst queries (issue 11).
        "show --known-at TIME": lambda: lg.show(partnership, known_at=_before(lg, lg.head().position)),
        "show --known-at @": lambda: lg.show(partnership, known_at=f"@{claim.position}"),
        "changes": lambda: lg.changes(f"@{claim.position - 50}"),
        "changes ENTITY": lambda: lg.changes(f"@{middle}", entities=[partnership]),
        "search": lambda: (lg.search("motors"), lg.search(plant), _unknown(lg, plant + "x")),
        "claims --type": lambda: lg.claims(types="talks.reported", limit=50),
        "claims --source": lambda: lg.claims(source="Nikkei", origin="Nikkei", limit=50),
        "claims --by": lambda: lg.claims(by=claim.data["parties"][0], limit=50),
        "claims --anonymous-only --single-origin": lambda: lg.claims(anonymous_only=True, single_origin=True),
        "claims --stale --resolved": lambda: (lg.claims(stale="90d", limit=50), lg.claims(resolved=True)),
        "claims --known-at": lambda: lg.claims(types="talks.reported", known_at=f"@{middle}", limit=50),
        # Before the last three appends: claims they touched, and those that hang on the groups or the
        # parties they changed.
        # (refolded: the moment is one the tables were caught up at, whose claims are read as kept below)
        "claims --known-at --status": lambda: _refolded(
            lambda: lg.claims(status="disputed", known_at=f"@{lg.head().position - 3}", limit=50)
        ),
        # Between moments the tables were caught up at: read from what the catch-ups kept.
        "changes between caught-up moments": lambda: lg.changes(f"@{lg.head().position - 3}"),
        "claims --known-at a caught-up moment": lambda: lg.claims(
            known_at=f"@{lg.head().position - 3}", limit=50
        ),
        "events --recorded-since": lambda: lg.events(recorded_since=f"@{claim.position - 10}"),
        "events --occurred-since": lambda: lg.events(
            occurred_since="2020-01-01", occurred_until="2020-01-31"
        ),
        "events --source --by": lambda: lg.events(source="Nikkei", by=claim.data["parties"][0], limit=20),
        "history --since --type": lambda: lg.history(partnership, since="2020", types="talks.reported"),
        # A page of a history read on its own: the busiest entity walks the world-time index, a
        # partnership sorts its own rows.
        "history page": lambda: (_page(lg, _busiest(lg), reverse=True), _page(lg, partnership)),
    }
    for phase, query in phases.items():
        with recorder.during(phase):
            query()


def _refolded(query: Any) -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(claims_then.Moments, "_kept_since", lambda _moments: None)
        return query()


def _busiest(lg: ledger.Ledger) -> str:
    with lg.store.reading() as tx:
        return max(tx.log.entity_sizes(), key=lambda item: item[1])[0]


def _page(lg: ledger.Ledger, entity: str, **ask: Any) -> None:
    """The first page and the next, each read on its own whatever the entity's size."""
    kept = history_page.PAGE_FROM
    history_page.PAGE_FROM = 0
    try:
        first = lg.history(entity, limit=20, **ask)
        lg.history(entity, limit=20, after=first[-1]["position"], **ask)
    finally:
        history_page.PAGE_FROM = kept


def _before(lg: ledger.Ledger, position: int) -> str:
    """A moment just before the event at `position` was recorded: a search for a time among positions."""
    from ledger.times import from_key, recorded_key

    (event,) = lg.events(since=position - 1, limit=1)
    return from_key(recorded_key(event.recorded_at) - 1)


def _unknown(lg: ledger.Ledger, entity: str) -> None:
    """An unknown id, which gets "did you mean" from the search index."""
    with suppress(ledger.errors.UnknownEntity):
        lg.show(entity)


def _fold_one_range(lg: ledger.Ledger) -> None:
    """What a rebuild's worker sends: the ranges of the index, then one range folded (as
    `workers._fold_range` does, in this process so that the recorder sees it)."""
    with lg.store.reading() as tx:
        first, last = workers.entity_ranges(tx, task_rows=2_000)[1]
        assert list(sync.entity_rows(tx, first, last))


def _scanning(recorder: PlanRecorder) -> list[Planned]:
    return [p for p in recorder.planned if p.scans and p.sent.origin not in EXEMPT]


def test_no_lookup_of_an_import_or_a_query_scans_a_log_table(planned):
    scanning = _scanning(planned.recorder)

    seen: dict[tuple[str, str, str], Planned] = {}  # one report per statement and phase
    for p in scanning:
        seen.setdefault((p.sent.phase, p.sent.origin, p.sent.sql), p)
    assert not seen, "statements that read a whole log table:\n\n" + "\n\n".join(
        p.describe() for p in seen.values()
    )


def test_every_phase_sent_the_lookups_it_is_judged_on(planned):
    sent: dict[str, set[str]] = {}
    for p in planned.recorder.planned:
        sent.setdefault(p.sent.phase, set()).add(p.sent.origin)

    missing = {phase: origins - sent.get(phase, set()) for phase, origins in EXPECTED_ORIGINS.items()}
    assert not {phase: m for phase, m in missing.items() if m}


def test_every_exemption_names_a_statement_the_store_sends(planned):
    # An exemption for a method renamed or gone would silently exempt nothing; keep the list honest.
    assert set(EXEMPT) <= {p.sent.origin for p in planned.recorder.planned}


@pytest.mark.parametrize(
    ("index", "table"),
    [
        ("ix_event_refs_ref_position", "event_refs"),
        ("ix_event_entities_position", "event_entities"),
        ("ix_events_type_position", "events"),
    ],
)
def test_the_check_fails_the_lookups_of_a_dropped_index(planned, index, table):
    """The check can fail: without one of the log's indexes, lookups recorded on this ledger scan its
    table, and `explain` says so (in a transaction rolled back: the ledger keeps its index)."""
    statements = {p.sent.sql: p.sent.params for p in planned.recorder.planned}
    with ledger.open(planned.url) as lg, rolled_back(lg) as tx:
        tx.sql.ddl(f"DROP INDEX {index}")
        scanned = {t for sql, params in statements.items() for t in explain(tx.sql, sql, params)[1]}
    assert table in scanned


def test_the_check_fails_a_lookup_the_store_sends_by_a_column_without_an_index(planned, monkeypatch):
    """A deliberately bad statement sent by a store method during a query is recorded, planned and
    reported under that method's name."""
    recorder = PlanRecorder()
    recorder.install(monkeypatch)
    monkeypatch.setattr(LogTables, "id_and_hash", _id_and_hash_by_a_scan)
    with ledger.open(planned.url) as lg:
        lg.prove(N_EVENTS // 2)  # reads the event's id and hash

    assert [(p.sent.origin, p.sent.callers[:2], p.scans) for p in _scanning(recorder)] == [
        ("_id_and_hash_by_a_scan", ("prove_inclusion", "Proofs.prove"), ("events",))  # (`api_proofs`)
    ]


def _id_and_hash_by_a_scan(self: LogTables, position: int) -> tuple[str, str] | None:
    rows = self.sql.rows("SELECT id, hash FROM events WHERE position + 0 = ?", (position,))  # no index
    return (rows[0][0], rows[0][1]) if rows else None


@contextmanager
def rolled_back(lg: ledger.Ledger) -> Iterator[Any]:
    """A write transaction whose changes are undone, whatever the block does."""

    class Undo(Exception):
        pass

    with suppress(Undo), lg.store.writing() as tx:
        yield tx
        raise Undo
