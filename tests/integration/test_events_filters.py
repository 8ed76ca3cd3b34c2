"""`Ledger.events` filtered by ledger time, world time, source and speaker."""

from __future__ import annotations

import io
from importlib import resources

import pytest
from support.factories import WIRE, correction, statement

import ledger
from ledger.errors import InvalidArgument

SEED = resources.files("ledger") / "data" / "seed.jsonl"
TALKS = {"id": "333c7d0b-2a7b-5e45-95dd-ffa3656d11ee"}
COPY = {"name": "Daily Copy", "kind": "press", "derived_from": WIRE["name"]}


@pytest.fixture(scope="module")
def desk(module_db_url):
    with ledger.open(module_db_url) as lg:
        yield _filled(lg)


def _filled(lg):
    lg.import_jsonl(io.BytesIO(SEED.read_bytes()))  # 1-11, one commit
    denial = statement("denied", "company:nissan", TALKS, occurred_at="2025-07-08", sources=[COPY])
    lg.append_many(
        [
            statement("confirmed", "company:foxconn", TALKS, occurred_at="2025-07-08", sources=[WIRE]),  # 12
            denial,  # 13
        ]
    )
    lg.append(correction(denial, {"by": "company:nissan-motor"}, occurred_at="2025-07-09"))  # 14
    return lg


def positions(found) -> list[int]:
    return [e.position for e in found]


def test_by_ledger_time_a_position_or_a_time(desk):
    stored = list(desk.read())
    assert positions(desk.events(recorded_since="@11")) == [12, 13, 14]
    assert positions(desk.events(recorded_since="@11", recorded_until="@13")) == [12, 13]
    assert positions(desk.events(recorded_until=stored[0].recorded_at)) == list(range(1, 12))  # one import
    assert positions(desk.events(recorded_since=stored[11].recorded_at)) == [14]
    assert positions(desk.events(recorded_since="@12", since=12, reverse=True)) == [14, 13]
    assert desk.events(recorded_until="@0") == []


def test_by_world_time(desk):
    assert positions(desk.events(occurred_since="2025-07-08")) == [12, 13, 14]
    assert positions(desk.events(occurred_until="2025-07-06")) == [5]
    assert positions(desk.events(occurred_since="2025-07-08", occurred_until="2025-07-08")) == [12, 13]
    assert positions(desk.events(occurred_since="2025-07", occurred_until="2025-07-07", limit=2)) == [1, 2]


def test_by_source_and_by_speaker(desk):
    assert positions(desk.events(source="kyodo news")) == [10, 12]
    assert positions(desk.events(source="DAILY COPY")) == [13]
    assert positions(desk.events(by="company:nissan")) == [8, 13]
    assert positions(desk.events(by="company:nissan-motor")) == [14]  # the correction naming it the speaker
    assert positions(desk.events(by="company:foxconn", source="Kyodo News")) == [12]
    assert positions(desk.events(entity="company:foxconn", by="company:foxconn")) == [9, 12]
    assert positions(desk.events(source="wyoming star", event_type="report.no_comment")) == [9]


def test_filters_that_name_nothing_are_refused(desk):
    refused = {
        "recorded_since": {"recorded_since": "@x"},
        "recorded_until": {"recorded_until": "@15"},
        "occurred_since": {"occurred_since": "July"},
        "occurred_until": {"occurred_until": "2025-13-01"},
        "source": {"source": "..."},
        "by": {"by": ""},
    }
    for parameter, given in refused.items():
        with pytest.raises(InvalidArgument) as error:
            desk.events(**given)
        assert error.value.parameter == parameter, given
