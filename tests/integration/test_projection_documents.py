"""The projection tables keep each claim once and no copy of its event, yet every query of the present
answers exactly what a fold of the log gives, on each backend."""

from __future__ import annotations

import orjson
import pytest

import ledger
from ledger.synthetic import generate


@pytest.fixture(scope="module")
def corpus(module_db_url):
    """3,000 events of the benchmark corpus: corrections, voids, statements, v2 types."""
    with ledger.open(module_db_url) as lg:
        lg.import_jsonl(generate(3_000, seed=5))
        yield lg


def stored(lg) -> tuple[dict[str, str], dict[int, str], int]:
    """(entity documents by id, claim documents by position, bytes of the log's event bodies)."""
    with lg.store.reading() as tx:
        entities = {entity_id: doc for entity_id, _kind, doc in tx.projections.entity_docs()}
        claims = {position: doc for position, _status, doc in tx.projections.claim_docs()}
        bodies = sum(len(body) for (body,) in tx.sql.rows("SELECT body FROM events"))
    return entities, claims, bodies


def test_the_projections_are_smaller_than_one_and_a_half_times_the_log(corpus):
    entities, claims, bodies = stored(corpus)
    size = sum(map(len, entities.values())) + sum(map(len, claims.values()))
    assert size <= 1.5 * bodies, (size, bodies)


def test_a_partnership_lists_its_claims_by_position_and_a_claim_row_copies_no_event(corpus):
    entities, claims, _ = stored(corpus)
    partnerships = [orjson.loads(d) for e, d in entities.items() if e.startswith("partnership:")]
    listed = [p for doc in partnerships for p in doc["claims"]]
    assert listed and all(isinstance(p, int) and p in claims for p in listed)
    for doc in map(orjson.loads, claims.values()):
        assert "sources" not in doc and "id" not in doc and "recorded_at" not in doc


def test_every_answer_of_the_present_equals_a_fold_at_the_head(corpus):
    """`--known-at @HEAD` folds the log; the present reads the tables: the same JSON, byte for byte."""
    head = f"@{corpus.head().position}"
    entities, _, _ = stored(corpus)
    corrected = 0
    for entity_id in sorted(entities)[::7]:
        assert orjson.dumps(corpus.show(entity_id)) == orjson.dumps(corpus.show(entity_id, known_at=head))
        now = corpus.claims(entity_id)
        assert orjson.dumps(now) == orjson.dumps(corpus.claims(entity_id, known_at=head))
        history = corpus.history(entity_id)
        assert orjson.dumps(history) == orjson.dumps(corpus.history(entity_id, known_at=head))
        corrected += sum(1 for c in now if c["corrections"])
    assert corrected, "the sample holds corrected claims, whose data the tables keep"
