"""Rebuilds folded by worker processes give the same projections as one process, on each backend."""

from __future__ import annotations

import pytest
from support.factories import an_event, correction, void

import ledger
from ledger.read_model import sync, workers
from ledger.synthetic import generate


@pytest.fixture
def corpus_ledger(db_url):
    """A ledger holding 3,000 events of the benchmark corpus: corrections, voids and statements."""
    with ledger.open(db_url) as lg:
        lg.import_jsonl(generate(3_000, seed=11))
        yield lg


@pytest.fixture
def in_workers(monkeypatch):
    """Workers for any log size, with small tasks so that many ranges come back out of step."""
    monkeypatch.setattr(workers, "WORKERS", 2)
    monkeypatch.setattr(workers, "PARALLEL_FROM", 0)
    monkeypatch.setattr(workers, "TASK_ROWS", 500)


def stored_projections(lg) -> tuple[list, list]:
    with lg.store.reading() as tx:
        return list(tx.projections.entity_docs()), list(tx.projections.claim_docs())


def test_entity_ranges_cover_every_entity_once_in_order(corpus_ledger):
    with corpus_ledger.store.reading() as tx:
        ranges = workers.entity_ranges(tx, task_rows=500)
        sizes = list(tx.log.entity_sizes())
    assert len(ranges) > 5
    entities = [entity for entity, _ in sizes]
    covered = [e for first, last in ranges for e in entities if first <= e <= last]
    assert covered == entities
    assert all(first.split(":")[0] == last.split(":")[0] for first, last in ranges)  # one kind each


def test_plants_fold_first_and_companies_last(corpus_ledger):
    """A company's fold asks who operates the plants it named: the plants' documents are back by then."""
    with corpus_ledger.store.reading() as tx:
        ranges = workers.entity_ranges(tx, task_rows=500)
    kinds = [first.split(":")[0] for first, _last in workers.fold_order(ranges)]
    assert kinds[0] == "plant" and kinds[-1] == "company"
    assert kinds == sorted(kinds, key=lambda kind: {"plant": 0, "company": 2}.get(kind, 1))
    assert sorted(workers.fold_order(ranges)) == sorted(ranges)


def test_a_rebuild_in_workers_equals_one_in_process(corpus_ledger, in_workers):
    serial = corpus_ledger.rebuild()
    expected = stored_projections(corpus_ledger)

    assert workers.folder(corpus_ledger.url, 3_000) is not sync.entity_rows
    parallel = corpus_ledger.rebuild()

    assert (parallel.entities, parallel.claims) == (serial.entities, serial.claims)
    assert stored_projections(corpus_ledger) == expected
    checked = corpus_ledger.rebuild(check=True)  # raises IntegrityFailure on any difference
    assert (checked.entities, checked.claims) == (serial.entities, serial.claims)


def test_a_check_in_workers_finds_a_changed_projection(corpus_ledger, in_workers):
    with corpus_ledger.store.writing() as tx:
        tx.connection.execute("UPDATE projected_entities SET doc = '{}' WHERE kind = 'plant'")

    with pytest.raises(ledger.IntegrityFailure, match="differs from a rebuild"):
        corpus_ledger.rebuild(check=True)


def projection_indexes(lg) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """The projection tables' indexes as the database has them: (name, columns) per table."""
    from sqlalchemy import inspect

    with lg.store.engine.connect() as connection:
        found = inspect(connection)
        return {
            table: sorted((ix["name"], tuple(ix["column_names"])) for ix in found.get_indexes(table))
            for table in ("projected_entities", "projected_claims", "search_terms")
        }


def test_a_rebuild_leaves_the_indexes_it_set_aside_as_the_migrations_made_them(corpus_ledger):
    """On SQLite a rebuild drops the projections' secondary indexes and makes them again at the end."""
    from ledger.store import migrations

    before = projection_indexes(corpus_ledger)
    assert len(before["projected_claims"]) >= 6
    corpus_ledger.rebuild()
    assert projection_indexes(corpus_ledger) == before
    migrations.check(corpus_ledger.store.engine)  # the models and the database still agree
    assert corpus_ledger.claims(status="confirmed", limit=3)  # a filter reads through its index again


def test_companies_named_only_by_deal_and_plant_claims_fold_the_same_in_workers(lg, in_workers):
    """A company's fold in workers leaves out the deal and plant claims that only name it, and takes
    what the partnerships' and plants' folds found of them: it still exists, and lists the partnerships
    of those claims not voided, as corrections left them."""
    talks = an_event(
        "talks.reported",
        {"partnership": "partnership:a-b", "parties": ["company:a", "company:b"], "scope": "EVs"},
    )
    voided_talks = an_event(
        "talks.reported",
        {"partnership": "partnership:c-d", "parties": ["company:c", "company:d"], "scope": "EVs"},
    )
    produced = an_event("plant.production_started", {"plant": "plant:p", "producer": "company:e"})
    for event in [
        talks,
        voided_talks,
        void(voided_talks),
        produced,
        correction(talks, {**talks["data"], "parties": ["company:a", "company:f"]}),  # b was a typo
    ]:
        lg.append(event)
    companies = ["company:a", "company:b", "company:c", "company:d", "company:e", "company:f"]
    # Each append refolded the companies whole, in this process; the check folds them in workers, where
    # they leave those claims out, and compares.
    lg.rebuild(check=True)
    lg.rebuild()
    with lg.store.reading() as tx:
        stored = [e for e in companies if tx.projections.entity_doc(e)]
    assert stored == ["company:a", "company:c", "company:d", "company:e", "company:f"]
    assert {c: lg.show(c)["partnerships"] for c in stored} == {
        "company:a": ["partnership:a-b"],
        "company:c": [],
        "company:d": [],
        "company:e": [],
        "company:f": ["partnership:a-b"],
    }
