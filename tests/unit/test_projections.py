"""What `ledger show` and `ledger history` print for an entity, folded from its events (contract 5)."""

from __future__ import annotations

import gc
import random

import pytest

from ledger.entities import entity_kind
from ledger.projections import fold
from ledger.times import bound_key

NIKKEI = {"name": "Nikkei", "kind": "press"}
KYODO = {"name": "Kyodo News", "kind": "wire"}
REUTERS = {"name": "Reuters", "kind": "wire"}
INSIDERS = {"name": "two people familiar with the matter", "kind": "anonymous"}
NISSAN_PR = {"name": "Nissan", "kind": "company"}

NISSAN_FOXCONN = "partnership:nissan-foxconn-oppama"
OPPAMA = "plant:nissan-oppama"
TALKS = {
    "partnership": NISSAN_FOXCONN,
    "parties": ["company:nissan", "company:foxconn"],
    "plant": OPPAMA,
    "scope": "Foxconn to build its own EVs at Oppama",
}
MOU = {"partnership": NISSAN_FOXCONN, "parties": TALKS["parties"], "scope": "EV production at Oppama"}
OPPAMA_REGISTERED = {
    "plant": OPPAMA,
    "name": "Oppama",
    "operator": "company:nissan",
    "location": {"city": "Yokosuka", "region": "Kanagawa", "country": "Japan"},
    "employees": 3900,
}


@pytest.fixture
def seed(log):
    """The 2025-07-07 article, as events."""
    for slug, name, country in [
        ("nissan", "Nissan Motor Co.", "Japan"),
        ("foxconn", "Foxconn", "Taiwan"),
        ("mitsubishi-motors", "Mitsubishi Motors", "Japan"),
        ("foxtron", "Foxtron Vehicle Technologies", "Taiwan"),
    ]:
        log.add(
            "company.registered",
            {"company": f"company:{slug}", "name": name, "country": country},
            occurred_at="2025-01-01",
            sources=[REUTERS],
        )
    log.add("plant.registered", OPPAMA_REGISTERED, occurred_at="2025-01-01", sources=[REUTERS])
    log.add(
        "plan.announced",
        {
            "plan": "plan:re-nissan",
            "company": "company:nissan",
            "title": "Re:Nissan",
            "measures": [
                {"kind": "plant_closures", "count": 7, "of": 17},
                {"kind": "workforce_reduction", "percent": 15},
            ],
        },
        occurred_at="2025-05-13",
        sources=[NISSAN_PR],
    )
    log.add(
        "plant.closure_considered",
        {"plant": OPPAMA, "company": "company:nissan"},
        occurred_at="2025-05-13",
        sources=[REUTERS],
    )
    talks = log.add("talks.reported", TALKS, sources=[NIKKEI, INSIDERS])
    log.says(
        "unconfirmed",
        "company:nissan",
        talks,
        quote="The report was not based on information disclosed by the company.",
    )
    log.says("no_comment", "company:foxconn", talks)
    log.add(
        "acquisition.explored",
        {
            "partnership": NISSAN_FOXCONN,
            "acquirer": "company:foxconn",
            "plant": OPPAMA,
            "stake": "part of the plant",
        },
        sources=[KYODO],
        v=1,  # written before v2: read upcast
    )
    log.add(
        "mou.signed",
        {
            "partnership": "partnership:mitsubishi-foxtron",
            "parties": ["company:mitsubishi-motors", "company:foxtron"],
            "scope": "Foxtron to supply an EV model to Mitsubishi Motors",
        },
        occurred_at="2025-07-01",
        sources=[REUTERS],
    )
    return log


def test_the_seed_story_shows_talks_as_reported_with_both_companies_non_answers(seed):
    view = seed.fold(NISSAN_FOXCONN)

    state = view.state
    assert (state["stage"], state["stage_basis"], state["stage_since"]) == ("talks", "reported", "2025-07-07")
    assert state["parties"] == ["company:nissan", "company:foxconn"]
    assert state["plant"] == OPPAMA
    assert state["acquisition"] == {
        "acquirer": "company:foxconn",
        "percent": None,
        "stake_text": "part of the plant",  # v1's `stake`, upcast
        "price": None,
        "plant": OPPAMA,
        "scope": None,
        "since": "2025-07-07",
        "basis": "reported",
    }
    talks, acquisition = state["claims"]
    assert [(s["by"], s["stance"]) for s in talks["statements"]] == [
        ("company:nissan", "unconfirmed"),
        ("company:foxconn", "no_comment"),
    ]
    assert acquisition["sources"] == [KYODO]
    assert state["claims"] == view.claims


def test_the_seed_story_shows_oppama_nissan_and_the_plan(seed):
    oppama = seed.fold(OPPAMA).state
    assert (oppama["status"], oppama["status_basis"], oppama["status_since"]) == (
        "closure_considered",
        "reported",
        "2025-05-13",
    )
    assert (oppama["operator"], oppama["employees"]) == ("company:nissan", 3900)
    assert oppama["partnerships"] == [NISSAN_FOXCONN]

    nissan = seed.fold("company:nissan").state
    assert nissan["name"] == "Nissan Motor Co."
    assert nissan["plants"] == [OPPAMA]
    assert nissan["partnerships"] == [NISSAN_FOXCONN]
    assert nissan["plans"] == ["plan:re-nissan"]
    assert seed.fold("company:foxtron").state["partnerships"] == ["partnership:mitsubishi-foxtron"]

    plan = seed.fold("plan:re-nissan").state
    assert (plan["title"], plan["basis"], plan["announced_at"]) == ("Re:Nissan", "announced", "2025-05-13")
    assert plan["measures"][0] == {"kind": "plant_closures", "count": 7, "of": 17}


def test_a_field_falls_back_to_the_earlier_claim_when_the_latest_is_denied(log):
    log.add("talks.reported", TALKS, occurred_at="2025-07-07")
    mou = log.add("mou.signed", MOU, occurred_at="2025-08-01")
    assert log.fold(NISSAN_FOXCONN).state["stage"] == "mou"

    log.says("denied", "company:nissan", mou)
    state = log.fold(NISSAN_FOXCONN).state
    assert (state["stage"], state["scope"]) == ("talks", TALKS["scope"])
    assert [c["status"] for c in state["claims"]] == ["reported", "denied"]


def test_a_deal_only_a_denied_claim_describes_keeps_its_identity_marked_not_applicable_and_no_stage(log):
    talks = log.add("talks.reported", TALKS)
    log.says("denied", "company:nissan", talks)

    state = log.fold(NISSAN_FOXCONN).state
    assert (state["stage"], state["stage_basis"], state["parties"], state["plant"]) == (
        None,
        None,
        TALKS["parties"],
        TALKS["plant"],
    )
    assert state["not_applicable"] == ["parties", "plant", "scope"]
    assert [(c["id"], c["status"]) for c in state["claims"]] == [(talks.id, "denied")]
    assert len(state["claims"][0]["statements"]) == 1


def test_as_of_leaves_out_claims_and_statements_that_happened_later(log):
    talks = log.add("talks.reported", TALKS, occurred_at="2025-07-07")
    log.says("confirmed", "company:nissan", talks, occurred_at="2025-07-10")
    log.add("mou.signed", MOU, occurred_at="2025-07-20")

    early = log.fold(NISSAN_FOXCONN, as_of="2025-07-09")
    assert (early.state["stage"], early.state["stage_basis"]) == ("talks", "reported")
    assert early.claims[0]["statements"] == []
    assert [e["position"] for e in early.history] == [talks.position]

    later = log.fold(NISSAN_FOXCONN, as_of="2025-07-10")
    assert (later.state["stage"], later.state["stage_basis"]) == ("talks", "confirmed")
    assert fold(NISSAN_FOXCONN, log.events, as_of=bound_key("2025-07-06")) is None


def test_known_at_leaves_out_events_and_corrections_recorded_later(log):
    talks = log.add("talks.reported", TALKS)
    denial = log.says("denied", "company:nissan", talks)
    log.void(denial)

    before_denial = log.fold(NISSAN_FOXCONN, known_at=talks.position)
    assert before_denial.state["stage_basis"] == "reported"
    assert len(before_denial.history) == 1

    before_void = log.fold(NISSAN_FOXCONN, known_at=denial.position)
    assert before_void.state["stage"] is None
    assert log.fold(NISSAN_FOXCONN).state["stage_basis"] == "reported"


def test_a_correction_applies_whatever_its_occurred_at(log):
    talks = log.add("talks.reported", TALKS, occurred_at="2025-07-07")
    log.correct(talks, {**TALKS, "scope": "Foxconn to buy part of Oppama"}, occurred_at="2025-09-01")

    view = log.fold(NISSAN_FOXCONN, as_of="2025-07-07")
    assert view.state["scope"] == "Foxconn to buy part of Oppama"
    assert [e["category"] for e in view.history] == ["claim", "correction"]


def test_corrected_data_moves_a_claim_to_another_plant(log):
    talks = log.add("talks.reported", TALKS)
    log.correct(talks, {**TALKS, "plant": "plant:nissan-tochigi"})

    assert log.fold("plant:nissan-tochigi").state["partnerships"] == [NISSAN_FOXCONN]
    assert log.fold(NISSAN_FOXCONN).state["plant"] == "plant:nissan-tochigi"
    # v2: the claim left Oppama's index with the correction; Oppama had nothing else, so it is gone now
    assert fold(OPPAMA, log.events) is None
    known = log.fold(OPPAMA, known_at=talks.position)  # as the ledger knew it before the correction
    assert [e["type"] for e in known.history] == ["talks.reported"]


def test_a_voided_partnership_drops_off_the_plant_but_a_denied_one_stays(log):
    talks = log.add("talks.reported", TALKS)
    other = log.add(
        "talks.reported",
        {
            **TALKS,
            "partnership": "partnership:nissan-honda-oppama",
            "parties": ["company:nissan", "company:honda"],
        },
    )
    log.void(talks)
    log.says("denied", "company:honda", other)

    assert log.fold(OPPAMA).state["partnerships"] == ["partnership:nissan-honda-oppama"]


def test_history_is_in_world_time_order_and_leaves_out_events_only_referenced(log):
    elsewhere = log.add(
        "talks.reported",
        {**TALKS, "plant": "plant:nissan-tochigi", "partnership": "partnership:nissan-foxconn-tochigi"},
    )
    talks = log.add("talks.reported", TALKS, occurred_at="2025-07-07T09:00:00Z")
    log.says("denied", "company:nissan", elsewhere, talks, occurred_at="2025-07-07T12:00:00+09:00")
    log.correct(talks, TALKS, occurred_at="2025-07-08")

    history = log.fold(OPPAMA).history
    assert [(e["type"], e["position"]) for e in history] == [
        ("report.denied", 3),
        ("talks.reported", 2),
        ("entry.corrected", 4),
    ]
    statement, claim, correction = history
    assert statement["stance"] == "denied" and statement["voided"] is False
    assert claim["status"] == "denied" and claim["statements"][0]["id"] == statement["id"]
    assert correction["reason"] == "wrong in the entry"


def test_the_view_does_not_depend_on_input_order_or_duplicates(seed):
    shuffled = seed.events * 2
    random.Random(7).shuffle(shuffled)

    assert fold(NISSAN_FOXCONN, shuffled) == fold(NISSAN_FOXCONN, seed.events)
    assert fold("plant:nissan-tochigi", seed.events) is None


def test_a_plant_shows_its_status_producers_stakes_and_plans(log):
    log.add("plant.registered", OPPAMA_REGISTERED, occurred_at="2025-01-01")
    log.add(
        "plant.closure_considered", {"plant": OPPAMA, "company": "company:nissan"}, occurred_at="2025-05-01"
    )
    closing = log.add(
        "plant.closure_announced",
        {"plant": OPPAMA, "company": "company:nissan", "effective_by": "2028-03-31"},
        occurred_at="2025-09-01",
    )
    log.add(
        "plant.production_started",
        {"plant": OPPAMA, "producer": "company:foxconn", "product": "Model C"},
        occurred_at="2026-01-01",
    )
    log.add(
        "plant.stake_transferred",
        {"plant": OPPAMA, "from": "company:nissan", "to": "company:foxconn", "share": 40.0},
        occurred_at="2026-02-01",
        v=1,  # written before v2: read upcast
    )
    log.add(
        "plan.announced",
        {
            "plan": "plan:re-nissan",
            "company": "company:nissan",
            "title": "Re:Nissan",
            "measures": [],
            "plants": [OPPAMA],
        },
        sources=[NISSAN_PR],
    )

    state = log.fold(OPPAMA).state
    assert (state["status"], state["closure_effective_by"]) == ("closure_announced", "2028-03-31")
    assert state["producers"] == [
        {"company": "company:foxconn", "product": "Model C", "since": "2026-01-01", "basis": "reported"}
    ]
    assert state["stakes"] == [
        {
            "from": "company:nissan",
            "to": "company:foxconn",
            "percent": 40.0,  # v1's `share`, upcast
            "share_text": None,
            "price": None,
            "since": "2026-02-01",
            "basis": "reported",
        }
    ]
    assert state["plans"] == ["plan:re-nissan"]
    assert log.fold("company:foxconn").state["plants"] == []  # a 40% stake does not make it the operator

    log.says("denied", "company:nissan", closing)
    assert log.fold(OPPAMA).state["status"] == "closure_considered"


def test_entity_kind_reads_the_prefix():
    assert entity_kind("plant:nissan-oppama") == "plant"
    with pytest.raises(ValueError):
        entity_kind("factory:oppama")


def test_history_entries_show_the_event_as_recorded_with_its_category_fields(log):
    talks = log.add("talks.reported", TALKS, note="from the 7 July article")
    log.says("no_comment", "company:foxconn", talks)
    log.correct(talks, {**TALKS, "scope": "EV production"})

    claim, statement, correction = log.fold(NISSAN_FOXCONN).history
    common = {
        "position",
        "id",
        "type",
        "category",
        "occurred_at",
        "precision",
        "recorded_at",
        "sources",
        "refs",
        "data",
        "note",
    }
    assert set(claim) == common | {"status", "statements"}
    assert set(statement) == common | {"stance", "voided"}
    assert set(correction) == common | {"reason"}
    assert (claim["data"], claim["note"]) == (TALKS, "from the 7 July article")


def test_a_plan_revision_keeps_the_plants_an_earlier_one_named(log):
    plan = {"plan": "plan:re-nissan", "company": "company:nissan", "title": "Re:Nissan", "measures": []}
    log.add("plan.announced", {**plan, "plants": [OPPAMA]}, occurred_at="2025-05-13", sources=[NISSAN_PR])
    log.add("plan.announced", {**plan, "title": "Re:Nissan (revised)"}, occurred_at="2025-06-01")

    state = log.fold("plan:re-nissan").state
    assert (state["title"], state["plants"], state["announced_at"]) == (
        "Re:Nissan (revised)",
        [{"plant": OPPAMA, "status": None}],
        "2025-06-01",
    )


def test_fold_leaves_the_garbage_collector_as_it_found_it(seed):
    gc.disable()
    try:
        seed.fold(NISSAN_FOXCONN)
        assert not gc.isenabled()
    finally:
        gc.enable()
    seed.fold(NISSAN_FOXCONN)
    assert gc.isenabled()
