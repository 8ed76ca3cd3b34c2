"""The projection rules vocabulary v2 changed or added (contract v2, section 5, and the period dates of
section 2), one focused test each, as `ledger show` prints them."""

from __future__ import annotations

NIKKEI = {"name": "Nikkei", "kind": "press"}
FORD_PR = {"name": "Ford", "kind": "company"}
TATA_PR = {"name": "Tata Motors", "kind": "company"}
PLANT = "plant:ford-sanand"
DEAL = "partnership:tpeml-ford-sanand"
FORD, TPEML, TATA = "company:ford-india", "company:tpeml", "company:tata-motors"
GUJARAT = "authority:government-of-gujarat"
REGISTERED = {
    "plant": PLANT,
    "name": "Sanand",
    "operator": FORD,
    "location": {"city": "Sanand", "country": "India"},
    "capacity": {"value": 240000, "unit": "vehicles_per_year"},
}
STAGE = {"partnership": DEAL, "parties": [TPEML, FORD], "plant": PLANT, "scope": "the vehicle plant"}


def plant(log, **bounds):
    return log.fold(PLANT, **bounds).state


# -- same-time ties and *_since ----------------------------------------------------------------------
def test_on_one_day_the_companys_announcement_outranks_a_press_report(log):
    log.add("agreement.signed", STAGE, occurred_at="2022-08-07", sources=[TATA_PR])
    log.add("deal.completed", {"partnership": DEAL}, occurred_at="2022-08-07", sources=[NIKKEI])

    deal = log.fold(DEAL).state
    assert (deal["stage"], deal["stage_basis"]) == ("agreement", "announced")


def test_since_stays_at_the_first_claim_of_the_run_a_corroborating_report_does_not_move_it(log):
    log.add("talks.reported", STAGE, occurred_at="2021-10-08")
    log.add("talks.reported", STAGE, occurred_at="2021-11-27")
    log.add("talks.reported", STAGE, occurred_at="2022-05-13")

    assert log.fold(DEAL).state["stage_since"] == "2021-10-08"


def test_since_restarts_when_the_value_changes_and_keeps_a_period_as_given(log):
    log.add("talks.reported", STAGE, occurred_at="2021-10")
    log.add("mou.signed", STAGE, occurred_at="2022-05-30")
    log.add("talks.reported", STAGE, occurred_at="2022-Q4")

    assert log.fold(DEAL).state["stage_since"] == "2022-Q4"


# -- partnership identity -------------------------------------------------------------------------------
def test_identity_falls_back_to_a_denied_claim_and_says_so(log):
    talks = log.add("talks.reported", STAGE)
    log.says("denied", TPEML, talks)

    deal = log.fold(DEAL).state
    assert (deal["parties"], deal["plant"], deal["scope"]) == ([TPEML, FORD], PLANT, "the vehicle plant")
    assert (deal["stage"], deal["not_applicable"]) == (None, ["parties", "plant", "scope"])


def test_a_partnership_has_price_conditions_long_stop_and_approvals(log):
    price = {"value": 7257000000, "unit": "INR", "text": "INR 725.7 crore"}
    signed = {**STAGE, "price": price, "conditions": ["government approvals"], "long_stop": "2023-03-31"}
    log.add("agreement.signed", signed)
    log.add("approval.sought", {"authority": GUJARAT, "subject": DEAL}, occurred_at="2022-08-08")

    deal = log.fold(DEAL).state
    assert (deal["price"], deal["conditions"], deal["long_stop"]) == (
        price,
        ["government approvals"],
        "2023-03-31",
    )
    assert [(a["authority"], a["decision"]) for a in deal["approvals"]] == [(GUJARAT, "sought")]


def test_a_decision_replaces_the_request_on_the_same_authority_and_subject(log):
    log.add("approval.sought", {"authority": GUJARAT, "subject": DEAL}, occurred_at="2022-06-01")
    decided = {"authority": GUJARAT, "subject": DEAL, "decision": "conditional", "conditions": ["jobs kept"]}
    log.add("approval.decided", decided, occurred_at="2022-07-01")

    [entry] = log.fold(DEAL).state["approvals"]
    assert (entry["decision"], entry["conditions"], entry["since"]) == (
        "conditional",
        ["jobs kept"],
        "2022-07-01",
    )
    assert log.fold(GUJARAT).state["approvals"] == [entry]


def test_a_plant_lists_its_own_approvals_not_its_deals(log):
    log.add("talks.reported", STAGE)
    log.add("approval.decided", {"authority": GUJARAT, "subject": DEAL, "decision": "granted"})
    log.add("approval.decided", {"authority": GUJARAT, "subject": PLANT, "decision": "refused"})

    assert [a["subject"] for a in plant(log)["approvals"]] == [PLANT]


def test_an_acquisition_shows_percent_stake_text_and_price(log):
    explored = {
        "partnership": DEAL,
        "acquirer": TPEML,
        "plant": PLANT,
        "percent": 100,
        "price": {"value": 1, "unit": "USD"},
    }
    log.add("acquisition.explored", explored)

    acquisition = log.fold(DEAL).state["acquisition"]
    assert (acquisition["percent"], acquisition["stake_text"], acquisition["price"]) == (
        100,
        None,
        {"value": 1, "unit": "USD"},
    )


# -- plant ------------------------------------------------------------------------------------------------
def test_a_full_stake_transfer_moves_the_operator_and_a_minority_one_does_not(log):
    log.add("plant.registered", REGISTERED, occurred_at="2015-03-26")
    log.add(
        "plant.stake_transferred",
        {"plant": PLANT, "from": FORD, "to": TATA, "percent": 49},
        occurred_at="2022-01-01",
    )
    assert plant(log)["operator"] == FORD

    log.add(
        "plant.stake_transferred",
        {"plant": PLANT, "from": FORD, "to": TPEML, "percent": 100},
        occurred_at="2023-01-10",
    )
    shown = plant(log)
    assert (shown["operator"], shown["operator_since"]) == (TPEML, "2023-01-10")
    assert [(s["to"], s["percent"]) for s in shown["stakes"]] == [(TATA, 49), (TPEML, 100)]


def test_the_operator_follows_operator_changes_reopenings_spin_offs_and_mergers(log):
    log.add("plant.registered", REGISTERED, occurred_at="2015-03-26")
    log.add("plant.operator_changed", {"plant": PLANT, "operator": TPEML}, occurred_at="2023-01-10")
    assert plant(log)["operator"] == TPEML

    log.add(
        "company.spun_off",
        {"company": "company:tpem-ev", "from": TPEML, "plants": [PLANT]},
        occurred_at="2024-01-01",
    )
    assert plant(log)["operator"] == "company:tpem-ev"

    log.add("company.merged", {"companies": ["company:tpem-ev"], "into": TATA}, occurred_at="2025-01-01")
    assert (plant(log)["operator"], plant(log)["operator_since"]) == (TATA, "2025-01-01")


def test_a_reopened_plant_operates_and_production_after_a_closure_reopens_it(log):
    log.add("plant.registered", REGISTERED, occurred_at="2015-03-26")
    log.add("plant.closed", {"plant": PLANT}, occurred_at="2021-10")
    assert plant(log)["status"] == "closed"

    log.add("plant.production_started", {"plant": PLANT, "producer": TPEML}, occurred_at="2024-01-12")
    assert (plant(log)["status"], plant(log)["status_since"]) == ("operating", "2024-01-12")

    log.add("plant.closed", {"plant": PLANT}, occurred_at="2025-01")
    log.add("plant.reopened", {"plant": PLANT, "operator": TATA}, occurred_at="2025-06")
    assert (plant(log)["status"], plant(log)["operator"]) == ("operating", TATA)


def test_a_plant_shows_capacity_products_employees_and_deals(log):
    log.add("plant.registered", REGISTERED, occurred_at="2015-03-26")
    log.add(
        "plant.capacity_changed", {"plant": PLANT, "capacity": {"value": 300000, "unit": "vehicles_per_year"}}
    )
    log.add("plant.converted", {"plant": PLANT, "products": ["electric vehicles"]})
    log.add("plant.workforce_changed", {"plant": PLANT, "employees": 3000}, occurred_at="2025-07-08")
    log.add("plant.workforce_changed", {"plant": PLANT, "change": -400}, occurred_at="2025-07-09")
    log.add("mou.signed", STAGE)

    shown = plant(log)
    assert (shown["capacity"]["value"], shown["products"], shown["employees"]) == (
        300000,
        ["electric vehicles"],
        2600,
    )
    assert [(d["partnership"], d["stage"]) for d in shown["deals"]] == [(DEAL, "mou")]


def test_production_ended_removes_the_producer(log):
    log.add(
        "plant.production_started",
        {"plant": PLANT, "producer": FORD, "product": "Figo"},
        occurred_at="2016-01-01",
    )
    log.add(
        "plant.production_ended",
        {"plant": PLANT, "producer": FORD, "product": "Figo"},
        occurred_at="2021-10-01",
    )

    assert plant(log)["producers"] == []


# -- company and authority ----------------------------------------------------------------------------------
def test_a_company_shows_its_group_its_names_and_what_absorbed_it(log):
    log.add("company.registered", {"company": TATA, "name": "Tata Motors"})
    log.add(
        "company.registered",
        {"company": TPEML, "name": "TPEM", "parent": TATA, "owners": [{"company": TATA, "percent": 88.5}]},
    )
    log.add(
        "company.renamed",
        {"company": TPEML, "name": "Tata Passenger Electric Mobility"},
        occurred_at="2025-07-08",
    )
    log.add("company.merged", {"companies": [TPEML], "into": TATA}, occurred_at="2025-07-09")

    tpeml, tata = log.fold(TPEML).state, log.fold(TATA).state
    assert (tpeml["name"], tpeml["aliases"]) == ("Tata Passenger Electric Mobility", ["TPEM"])
    assert (tpeml["parent"], tpeml["owners"], tpeml["merged_into"]) == (
        TATA,
        [{"company": TATA, "percent": 88.5}],
        TATA,
    )
    assert tata["subsidiaries"] == [TPEML]


def test_a_company_lists_the_plants_it_operates_now_as_each_plant_says(log):
    log.add("plant.registered", REGISTERED, occurred_at="2015-03-26")
    log.add("plant.operator_changed", {"plant": PLANT, "operator": TPEML}, occurred_at="2023-01-10")

    assert log.fold(FORD).state["plants"] == []  # the change did not name Ford India
    assert log.fold(TPEML).state["plants"] == [PLANT]


def test_an_authority_shows_its_registration(log):
    log.add(
        "authority.registered",
        {
            "authority": GUJARAT,
            "name": "Government of Gujarat",
            "jurisdiction": "Gujarat, India",
            "category": "government",
        },
    )

    shown = log.fold(GUJARAT).state
    assert (shown["kind"], shown["name"], shown["category"], shown["approvals"]) == (
        "authority",
        "Government of Gujarat",
        "government",
        [],
    )


# -- plan --------------------------------------------------------------------------------------------------
def test_a_revision_replaces_the_measures_and_closures_naming_the_plan_join_its_plants(log):
    plan = "plan:ford-india-restructuring"
    measures = [{"kind": "plant_closures", "count": 2, "of": 2}]
    log.add(
        "plan.announced",
        {"plan": plan, "company": FORD, "title": "Restructuring", "measures": measures},
        occurred_at="2021-09-09",
    )
    amount = {"value": 2, "unit": "USD", "text": "about $2 billion"}
    log.add(
        "plan.revised",
        {"plan": plan, "measures": [{"kind": "investment", "amount": amount}]},
        occurred_at="2021-10-01",
    )
    log.add(
        "plant.closure_announced", {"plant": PLANT, "company": FORD, "plan": plan}, occurred_at="2021-09-09"
    )

    shown = log.fold(plan).state
    assert shown["measures"] == [{"kind": "investment", "amount": amount}]
    assert [(p["plant"], p["status"]) for p in shown["plants"]] == [(PLANT, "closure_announced")]


# -- period dates (section 2) -----------------------------------------------------------------------------
def test_a_period_counts_for_as_of_only_once_it_has_ended(log):
    log.add("plant.registered", REGISTERED, occurred_at="2015-03-26")
    closed = log.add("plant.closed", {"plant": PLANT}, occurred_at="2021-10")

    assert plant(log, as_of="2021-10-15")["status"] == "operating"
    assert plant(log, as_of="2021-10-31")["status"] == "closed"
    assert log.claim(closed, PLANT)["precision"] == "month"


def test_a_period_sorts_by_its_start(log):
    log.add("plant.registered", REGISTERED, occurred_at="2015-03-26")
    log.add("plant.closed", {"plant": PLANT}, occurred_at="2021-Q4")
    log.add(
        "plant.reopened", {"plant": PLANT}, occurred_at="2021-10-15"
    )  # inside the quarter, after its start

    assert plant(log)["status"] == "operating"
