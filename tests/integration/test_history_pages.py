"""A page of a busy entity's history is read on its own (`ledger/history_page.py`), yet equals the page
cut from the whole history, whatever the order, filters and position it starts after, on each backend."""

from __future__ import annotations

import orjson
import pytest

import ledger
from ledger import history_page
from ledger.synthetic import generate

ASKS = (
    {},
    {"reverse": True},
    {"types": ["report.confirmed", "report.denied", "entry.corrected", "entry.voided"]},
    {"since": "2019-01-01", "until": "2023-12-31"},
    {"reverse": True, "types": ["talks.reported", "report.unconfirmed", "mou.signed"]},
)


@pytest.fixture(scope="module")
def corpus(module_db_url):
    """3,000 events of the benchmark corpus: corrections that move claims, voids, statements by groups."""
    with ledger.open(module_db_url) as lg:
        lg.import_jsonl(generate(3_000, seed=13))
        yield lg


def busiest(lg, count: int) -> list[str]:
    with lg.store.reading() as tx:
        sizes = sorted(tx.log.entity_sizes(), key=lambda item: (-item[1], item[0]))
    return [entity for entity, _size in sizes[:count]]


def whole_then_cut(lg, monkeypatch, entity: str, **ask) -> list[dict]:
    monkeypatch.setattr(history_page, "PAGE_FROM", 10**9)  # never read a page on its own
    try:
        return lg.history(entity, **ask)
    finally:
        monkeypatch.setattr(history_page, "PAGE_FROM", 0)


def test_every_page_of_the_busiest_entities_equals_the_page_cut_from_the_whole(corpus, monkeypatch):
    monkeypatch.setattr(history_page, "PAGE_FROM", 0)  # every entity read a page at a time
    entities = busiest(corpus, 12)  # large enough that some walk the log, others sort their own rows
    read_alone = 0
    for entity in entities:
        for ask in ASKS:
            after = None
            for _page in range(4):
                asked = {**ask, "limit": 7, "after": after}
                expected = whole_then_cut(corpus, monkeypatch, entity, **asked)
                found = corpus.history(entity, **asked)
                assert orjson.dumps(found) == orjson.dumps(expected), (entity, asked)
                if not expected:
                    break
                read_alone += 1
                after = expected[-1]["position"]
    assert read_alone > 100


def test_a_page_read_alone_costs_its_own_events_not_the_entitys(corpus, monkeypatch):
    """The whole history is never folded: the fold sees the page's events and those they need."""
    monkeypatch.setattr(history_page, "PAGE_FROM", 0)
    [entity] = busiest(corpus, 1)
    folded: list[int] = []
    from ledger.projections import fold as real_fold

    def counting_fold(entity_id, events, **kw):
        events = list(events)
        folded.append(len(events))
        return real_fold(entity_id, events, **kw)

    monkeypatch.setattr("ledger.projections.fold", counting_fold)
    page = corpus.history(entity, limit=5)
    with corpus.store.reading() as tx:
        size = tx.log.indexed_count(entity)
    assert len(page) == 5 and folded and max(folded) < size / 4, (folded, size)


def test_an_after_that_is_no_entry_of_this_history_is_refused_as_before(corpus, monkeypatch):
    monkeypatch.setattr(history_page, "PAGE_FROM", 0)
    [entity] = busiest(corpus, 1)
    with pytest.raises(ledger.InvalidArgument, match="no entry at position 1 in this history"):
        corpus.history(entity, limit=5, after=1)
