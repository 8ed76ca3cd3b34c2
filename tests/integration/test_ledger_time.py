"""Ledger time as a user gives it: `@POSITION` (right after that event) or a time, and every recorded_at
the ledger prints pastes back into `known_at` to mean that event's commit."""

from __future__ import annotations

import io
from importlib import resources

import pytest
from support.factories import an_event
from support.runner import ledger_cli, one_error_line

from ledger.errors import InvalidArgument, UnknownEntity
from ledger.store import log as log_tables
from ledger.times import from_key, recorded_key

SEED = resources.files("ledger") / "data" / "seed.jsonl"
PARTNERSHIP = "partnership:nissan-foxconn-oppama"
PLANT = "plant:tochigi"


@pytest.fixture(scope="module")
def seeded(module_db_url):
    """The seed story, imported in one transaction: its 11 events share one recorded_at."""
    import ledger

    with ledger.open(module_db_url) as lg:
        lg.import_jsonl(io.BytesIO(SEED.read_bytes()))
        yield lg


def _positions(found: list[dict]) -> list[int]:
    return [c["position"] for c in found]


def test_at_a_position_the_partnership_is_as_it_stood_right_after_that_event(seeded):
    assert _positions(seeded.show(PARTNERSHIP, known_at="@7")["claims"]) == [7]
    assert seeded.show(PARTNERSHIP, known_at="@7")["claims"][0]["statements"] == []
    at_9 = seeded.show(PARTNERSHIP, known_at="@9")
    assert [s["position"] for s in at_9["claims"][0]["statements"]] == [8, 9]
    assert at_9["acquisition"] is None
    assert seeded.show(PARTNERSHIP, known_at="@10") == seeded.show(PARTNERSHIP)
    assert [e["position"] for e in seeded.history(PARTNERSHIP, known_at="@8")] == [7, 8]


def test_a_time_sees_a_whole_import_and_a_position_inside_it_sees_part(seeded):
    [first] = seeded.events(limit=1)
    assert seeded.show(PARTNERSHIP, known_at=first.recorded_at) == seeded.show(PARTNERSHIP)
    just_before = from_key(recorded_key(first.recorded_at) - 1)
    with pytest.raises(UnknownEntity, match="at that moment"):
        seeded.show(PARTNERSHIP, known_at=just_before)
    with pytest.raises(UnknownEntity, match="at that moment"):
        seeded.show(PARTNERSHIP, known_at="@0")


REFUSED = [
    ("@12", "no event at position 12: the ledger's head is at 11"),
    ("@", "expected @POSITION (a whole number after @), got '@'"),
    ("@-1", "expected @POSITION (a whole number after @), got '@-1'"),
    ("@1.5", "expected @POSITION (a whole number after @), got '@1.5'"),
    (
        "yesterday",
        "expected a date (YYYY-MM-DD), an RFC 3339 timestamp, a period (YYYY, YYYY-Hn, YYYY-Qn, "
        "YYYY-MM) or @POSITION, got 'yesterday'",
    ),
]


def test_a_ledger_time_that_names_no_moment_is_refused(seeded):
    for given, message in REFUSED:
        with pytest.raises(InvalidArgument) as refused:
            seeded.show(PARTNERSHIP, known_at=given)
        assert (refused.value.parameter, refused.value.message) == ("known_at", message)


REGISTERED = an_event(
    "plant.registered",
    {
        "plant": PLANT,
        "name": "Tochigi",
        "operator": "company:nissan",
        "location": {"city": "Kaminokawa", "country": "Japan"},
    },
)


def _workforce(employees: int) -> dict:
    return an_event("plant.workforce_changed", {"plant": PLANT, "employees": employees})


def test_every_recorded_at_pastes_back_as_that_events_commit(lg, monkeypatch):
    monkeypatch.setattr(log_tables, "PROBES", 2)  # many round trips of the search, on a short log
    lg.append(REGISTERED)
    for employees in range(1, 13):
        lg.append(_workforce(employees))
    stored = list(lg.read())
    for event in stored:
        last_of_commit = max(e.position for e in stored if e.recorded_at == event.recorded_at)
        assert lg.show(PLANT, known_at=event.recorded_at) == lg.show(PLANT, known_at=f"@{last_of_commit}")
        first_of_commit = min(e.position for e in stored if e.recorded_at == event.recorded_at)
        earlier = from_key(recorded_key(event.recorded_at) - 1)
        if first_of_commit == 1:
            with pytest.raises(UnknownEntity):
                lg.show(PLANT, known_at=earlier)
        else:
            assert lg.history(PLANT, known_at=earlier) == lg.history(
                PLANT, known_at=f"@{first_of_commit - 1}"
            )
    assert lg.show(PLANT, known_at="@5")["employees"] == 4


def test_the_history_table_prints_each_recorded_at_whole_and_it_pastes_back(db_url):
    import ledger

    with ledger.open(db_url) as lg:
        lg.append(REGISTERED)
        lg.append(_workforce(100))
        lg.append(_workforce(200))
        stored = list(lg.read())

    result = ledger_cli(db_url, "history", PLANT)
    assert result.exit_code == 0, result.stderr
    rows = [line.split("\t") for line in result.stdout.splitlines()[1:]]
    assert [row[2] for row in rows] == [e.recorded_at for e in stored]
    for number, row in enumerate(rows, start=1):
        pasted = ledger_cli(db_url, "history", PLANT, "--known-at", row[2])
        assert pasted.exit_code == 0, pasted.stderr
        assert len(pasted.stdout.splitlines()[1:]) >= number


def test_the_cli_takes_a_position_and_refuses_one_past_the_head(db_url):
    import ledger

    with ledger.open(db_url) as lg:
        lg.append(REGISTERED)
        lg.append(_workforce(100))

    shown = ledger_cli(db_url, "show", PLANT, "--known-at", "@1", "--json")
    assert shown.exit_code == 0, shown.stderr
    assert '"employees": null' in shown.stdout
    refused = ledger_cli(db_url, "show", PLANT, "--known-at", "@3")
    assert refused.exit_code == 2
    assert one_error_line(refused) == "error: --known-at: no event at position 3: the ledger's head is at 2"
