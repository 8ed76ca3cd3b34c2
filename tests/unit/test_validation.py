"""Validation with msgspec: what it returns (plain dicts in field order, numbers as given), which error it
names first and in which words, and the Python shapes of JSON values it takes from API callers."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ledger.errors import InvalidEvent
from ledger.validation import validate_event, validate_replacement

TALKS = {
    "type": "talks.reported",
    "occurred_at": "2025-07-07",
    "data": {
        "partnership": "partnership:nissan-foxconn-oppama",
        "parties": ["company:nissan", "company:foxconn"],
        "scope": "EVs at Oppama",
    },
    "sources": [{"kind": "press", "name": "Nikkei"}],
}


def talks(**data: Any) -> dict[str, Any]:
    event = copy.deepcopy(TALKS)
    event["data"].update(data)
    return event


def refused(event: dict[str, Any]) -> str:
    with pytest.raises(InvalidEvent) as caught:
        validate_event(event)
    return str(caught.value)


def test_the_data_is_plain_dicts_in_the_models_field_order_with_numbers_as_given():
    event = validate_event(
        {
            "type": "plant.stake_transferred",
            "occurred_at": "2025-07-07",
            "data": {
                "price": {"unit": "USD", "value": 6000000000},
                "percent": 50,
                "to": "company:foxconn",
                "from": "company:nissan",
                "plant": "plant:nissan-oppama",
            },
            "sources": [{"kind": "press", "name": "Nikkei"}],
        }
    )

    assert event.data == {
        "plant": "plant:nissan-oppama",
        "from": "company:nissan",
        "to": "company:foxconn",
        "percent": 50.0,
        "price": {"value": 6000000000, "unit": "USD"},
    }
    assert list(event.data) == ["plant", "from", "to", "percent", "price"]
    assert type(event.data) is dict and type(event.data["price"]) is dict
    assert type(event.data["price"]["value"]) is int and type(event.data["percent"]) is float
    assert event.sources == [{"name": "Nikkei", "kind": "press"}]
    assert list(event.sources[0]) == ["name", "kind"]


@pytest.mark.parametrize(
    ("event", "error"),
    [
        (talks(parties=["company:nissan", "company:Foxconn"]), "data.parties[1]: expected a company or"),
        (talks(rumour="big"), "data.rumour: unknown field"),
        ({**TALKS, "data": {"rumour": "big", "scope": "x"}}, "data.partnership: missing required field"),
        (talks(partnership=5, scope=7), "data.partnership: input should be a valid string"),
        (talks(parties=["company:nissan", "company:nissan"]), "data.parties: a party is named twice"),
        (talks(parties=["authority:a", "authority:b"]), "data.parties: at least one party must be a company"),
        (talks(scope="x" * 4001), "data.scope: string should have at most 4000 characters"),
        ({**TALKS, "occurred_at": "2025-02-30"}, "occurred_at: expected a date (YYYY-MM-DD), an RFC 3339"),
        (
            {**TALKS, "sources": [{"name": "N", "kind": "press", "published_at": "2025-02-30"}]},
            "sources[0].published_at: day is out of range for month",
        ),
        ({**TALKS, "sources": [{"name": "N", "kind": "blog"}]}, "sources[0].kind: input should be 'press'"),
        ({**TALKS, "note": "bad \udcff"}, "note: input should be a valid string, unable to parse raw data"),
    ],
)
def test_the_first_error_in_field_order_is_named_in_the_ledgers_words(event, error):
    assert refused(event).startswith(error)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (True, "expected a number, got 'True'"),
        ("50", "expected a number, got '50'"),
        (2**60, "expected a number within ±(2^53 - 1), got 1152921504606846976"),
        (float("nan"), "expected a number, got 'nan'"),
    ],
)
def test_a_quantity_is_a_number_within_json_s_exact_integers(value, error):
    data = {"plant": "plant:a", "capacity": {"value": value, "unit": "vehicles_per_year"}}
    with pytest.raises(InvalidEvent) as caught:
        validate_replacement("plant.capacity_changed", data)
    assert str(caught.value) == f"data.replacement.capacity.value: {error}"


def test_a_python_caller_may_give_tuples_for_lists_and_str_subclasses_for_str():
    class Name(str):
        pass

    event = validate_event(talks(parties=("company:nissan", Name("company:foxconn"))))

    assert event.data["parties"] == ["company:nissan", "company:foxconn"]
    assert type(event.data["parties"][1]) is str
