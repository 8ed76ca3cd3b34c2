"""`Ledger.history` as an analyst reads it: a window of world time, some types, the latest first, a few;
a statement naming the claims it is about, a corrected claim with its current data, a voided one marked."""

from __future__ import annotations

import io
from importlib import resources

import pytest
from support.factories import an_event, correction, statement, void

import ledger
from ledger.errors import InvalidArgument

SEED = resources.files("ledger") / "data" / "seed.jsonl"
PARTNERSHIP = "partnership:nissan-foxconn-oppama"
TALKS = {"id": "333c7d0b-2a7b-5e45-95dd-ffa3656d11ee"}  # position 7
ACQUISITION = {"id": "13c5e079-4736-5935-b625-d9b5aa07856a"}  # position 10
SCOPE = "Foxconn to build its own electric vehicles at Oppama and Shonan"
FIXED = {
    "partnership": PARTNERSHIP,
    "parties": ["company:nissan", "company:foxconn"],
    "plant": "plant:nissan-oppama",
    "scope": SCOPE,
}


@pytest.fixture(scope="module")
def desk(module_db_url):
    with ledger.open(module_db_url) as lg:
        yield _filled(lg)


def _filled(lg):
    lg.import_jsonl(io.BytesIO(SEED.read_bytes()))
    lg.append(statement("confirmed", "company:foxconn", TALKS, ACQUISITION, occurred_at="2025-07-09"))  # 12
    lg.append(correction(TALKS, FIXED, occurred_at="2025-07-10"))  # 13
    lg.append(void(ACQUISITION, occurred_at="2025-07-11"))  # 14
    lg.append(an_event("deal.completed", {"partnership": PARTNERSHIP}, occurred_at="2026-01-05"))  # 15
    return lg


def rows(entries) -> list[tuple[int, str]]:
    return [(e["position"], e["type"]) for e in entries]


def test_a_window_of_world_time_some_types_the_latest_first(desk):
    assert rows(desk.history(PARTNERSHIP, since="2025-07-09", until="2025-07-31")) == [
        (12, "report.confirmed"),
        (13, "entry.corrected"),
        (14, "entry.voided"),
    ]
    assert rows(desk.history(PARTNERSHIP, types=["talks.reported", "deal.completed"])) == [
        (7, "talks.reported"),
        (15, "deal.completed"),
    ]
    assert rows(desk.history(PARTNERSHIP, reverse=True, limit=2)) == [
        (15, "deal.completed"),
        (14, "entry.voided"),
    ]
    assert rows(desk.history(PARTNERSHIP, limit=1)) == [(7, "talks.reported")]
    assert desk.history(PARTNERSHIP, since="2026") == desk.history(PARTNERSHIP, types="deal.completed")


def test_a_statement_names_the_claims_it_is_about(desk):
    [confirmed] = desk.history(PARTNERSHIP, types="report.confirmed")
    assert confirmed["about"] == [
        {"id": TALKS["id"], "position": 7, "type": "talks.reported"},
        {"id": ACQUISITION["id"], "position": 10, "type": "acquisition.explored"},
    ]
    # Under the company, the acquisition is not in its history, and is still named.
    [said] = desk.history("company:foxconn", types="report.confirmed")
    assert [a["position"] for a in said["about"]] == [7, 10]


def test_a_corrected_claim_shows_its_current_data_and_a_voided_one_is_marked(desk):
    entries = {e["position"]: e for e in desk.history(PARTNERSHIP)}
    talks, acquisition = entries[7], entries[10]
    assert (talks["corrected"], talks["voided"], talks["current_data"]["scope"]) == (True, False, SCOPE)
    assert (
        talks["data"]["scope"] == "Foxconn to build its own electric vehicles at the Oppama plant"
    )  # as recorded
    assert entries[13]["data"]["replacement"]["scope"] == SCOPE  # the trail keeps both
    assert (acquisition["corrected"], acquisition["voided"], acquisition["status"]) == (False, True, "voided")
    before = {e["position"]: e for e in desk.history(PARTNERSHIP, known_at="@12")}
    assert (before[7]["corrected"], before[7]["current_data"]["scope"]) == (False, talks["data"]["scope"])


def test_pages_after_a_position_cut_the_history_in_the_order_asked(desk):
    whole = rows(desk.history(PARTNERSHIP))
    pages = [rows(desk.history(PARTNERSHIP, limit=3))]
    while len(pages[-1]) == 3:
        pages.append(rows(desk.history(PARTNERSHIP, limit=3, after=pages[-1][-1][0])))

    assert [row for page in pages for row in page] == whole
    assert rows(desk.history(PARTNERSHIP, reverse=True, after=14, limit=2)) == [
        (13, "entry.corrected"),
        (12, "report.confirmed"),
    ]
    # The statement belongs because of the claims it is about, left out here by type: the page is cut after.
    assert rows(desk.history(PARTNERSHIP, types=["report.confirmed", "deal.completed"], after=12)) == [
        (15, "deal.completed")
    ]
    with pytest.raises(InvalidArgument) as error:
        desk.history(PARTNERSHIP, types=["deal.completed"], after=12)  # not among the entries asked for
    assert (error.value.parameter, error.value.message) == (
        "after",
        "no entry at position 12 in this history",
    )


def test_history_filters_that_name_nothing_are_refused(desk):
    refused = {
        "since": {"since": "last week"},
        "until": {"until": "2025-02-30"},
        "types": {"types": "talks.reportd"},
        "limit": {"limit": 0},
        "after": {"after": 0},
    }
    for parameter, given in refused.items():
        with pytest.raises(InvalidArgument) as error:
            desk.history(PARTNERSHIP, **given)
        assert error.value.parameter == parameter, given
