"""The claim rules vocabulary v2 changed (parties, the group rule, retraction by origin, precedence, the
claim's JSON), one focused test each, as a user reads them in a claim's JSON."""

from __future__ import annotations

REUTERS = {"name": "Reuters", "kind": "wire"}
COPY_A = {"name": "Daily A", "kind": "press", "derived_from": "Reuters"}
COPY_B = {"name": "Daily B", "kind": "press", "derived_from": "Reuters"}
NIKKEI = {"name": "Nikkei", "kind": "press"}
INSIDERS = {"name": "two people familiar with the matter", "kind": "anonymous"}
INSIDERS_COPY = {"name": "Daily C", "kind": "press", "derived_from": "two people familiar with the matter"}
DEAL = "partnership:tpeml-ford-sanand"
TALKS = {
    "partnership": DEAL,
    "parties": ["company:tpeml", "company:ford-india"],
    "plant": "plant:ford-sanand",
    "scope": "TPEML to buy Ford India's Sanand vehicle plant",
}


def register(log, company, parent=None, **fields):
    data = {"company": company, "name": company.split(":")[1].title()}
    if parent:
        data["parent"] = parent
    return log.add("company.registered", data, **fields)


def statement(log, event, position, entity=DEAL):
    return next(s for s in log.claim(event, entity)["statements"] if s["position"] == position)


# -- parties ---------------------------------------------------------------------------------------------
def test_a_completion_has_the_partnerships_parties_so_their_word_counts(log):
    log.add("talks.reported", TALKS, occurred_at="2022-05-13")
    done = log.add("deal.completed", {"partnership": DEAL}, occurred_at="2023-01-10")
    log.says("confirmed", "company:ford-india", done, occurred_at="2023-01-11")

    assert log.status(done, DEAL) == "confirmed"


def test_a_completion_before_any_claim_names_the_parties_has_none_to_count(log):
    done = log.add("deal.completed", {"partnership": DEAL}, occurred_at="2023-01-10")
    log.says("confirmed", "company:ford-india", done, occurred_at="2023-01-11")
    log.add("talks.reported", TALKS, occurred_at="2023-02-01")  # the parties, named only later

    assert log.status(done, DEAL) == "reported"
    assert log.claim(done, DEAL)["statements"][0]["counts"] is False


def test_an_authority_named_as_party_speaks_for_the_claim(log):
    mou = {**TALKS, "parties": ["company:tpeml", "company:ford-india", "authority:government-of-gujarat"]}
    signed = log.add("mou.signed", mou)
    log.says("confirmed", "authority:government-of-gujarat", signed)

    assert log.status(signed, DEAL) == "confirmed"


# -- the group rule --------------------------------------------------------------------------------------
def test_a_parent_companys_denial_counts_for_its_subsidiarys_deal(log):
    register(log, "company:ford")
    register(log, "company:ford-india", parent="company:ford")
    talks = log.add("talks.reported", TALKS)
    log.says("denied", "company:ford", talks)

    assert log.status(talks, DEAL) == "denied"


def test_a_subsidiarys_word_counts_for_its_parents_deal(log):
    register(log, "company:tata-motors")
    register(log, "company:tpeml", parent="company:tata-motors")
    talks = log.add("talks.reported", {**TALKS, "parties": ["company:tata-motors", "company:ford-india"]})
    log.says("confirmed", "company:tpeml", talks)

    assert log.status(talks, DEAL) == "confirmed"


def test_a_grandparent_counts_and_a_sister_company_does_not(log):
    register(log, "company:ford")
    register(log, "company:ford-india", parent="company:ford")
    register(log, "company:ford-brazil", parent="company:ford")
    register(log, "company:holding")
    register(log, "company:ford", parent="company:holding", occurred_at="2025-07-07")
    talks = log.add("talks.reported", TALKS)
    sister = log.says("denied", "company:ford-brazil", talks)
    grandparent = log.says("confirmed", "company:holding", talks)

    assert log.status(talks, DEAL) == "confirmed"
    assert statement(log, talks, sister.position)["counts"] is False
    assert statement(log, talks, grandparent.position)["counts"] is True


def test_the_group_is_taken_as_it_was_at_the_statements_world_time(log):
    register(log, "company:ford", occurred_at="2020-01-01")
    register(log, "company:ford-india", occurred_at="2020-01-01")
    talks = log.add("talks.reported", TALKS, occurred_at="2021-10-01")
    early = log.says("denied", "company:ford", talks, occurred_at="2021-10-02")
    change = {"company": "company:ford-india", "parent": "company:ford"}
    log.add("company.parent_changed", change, occurred_at="2022-01-01")
    late = log.says("confirmed", "company:ford", talks, occurred_at="2022-02-01")

    assert statement(log, talks, early.position)["counts"] is False
    assert statement(log, talks, late.position)["counts"] is True
    assert log.status(talks, DEAL) == "confirmed"


def test_a_denied_parent_claim_does_not_make_a_group(log):
    register(log, "company:ford")
    claim = log.add("company.parent_changed", {"company": "company:ford-india", "parent": "company:ford"})
    log.says("denied", "company:ford-india", claim)
    talks = log.add("talks.reported", TALKS)
    log.says("denied", "company:ford", talks)

    assert log.status(talks, DEAL) == "reported"


def test_a_statement_that_does_not_count_stays_in_the_trail_marked_so(log):
    talks = log.add("talks.reported", TALKS)
    rival = log.says("denied", "company:mg-motor", talks)

    said = statement(log, talks, rival.position)
    assert (said["stance"], said["counts"]) == ("denied", False)
    assert log.status(talks, DEAL) == "reported"


# -- retraction by origin -------------------------------------------------------------------------------
def test_the_wires_retraction_retracts_every_outlet_that_copied_it(log):
    talks = log.add("talks.reported", TALKS, sources=[REUTERS, COPY_A, COPY_B])
    log.says("retracted", "Reuters", talks)

    assert log.status(talks, DEAL) == "retracted"


def test_a_copying_outlet_retracting_does_not_retract_the_wire_story(log):
    talks = log.add("talks.reported", TALKS, sources=[COPY_A, COPY_B])
    copy = log.says("retracted", "Daily A", talks)

    assert log.status(talks, DEAL) == "reported"
    assert statement(log, talks, copy.position)["counts"] is False  # Daily A is no origin here


def test_a_claim_is_retracted_only_when_every_named_origin_retracted(log):
    talks = log.add("talks.reported", TALKS, sources=[REUTERS, COPY_A, NIKKEI, INSIDERS])
    log.says("retracted", "Reuters", talks)
    assert log.status(talks, DEAL) == "reported"

    log.says("retracted", "Nikkei", talks)
    assert log.status(talks, DEAL) == "retracted"  # the anonymous source neither blocks nor retracts


# -- precedence ---------------------------------------------------------------------------------------------
def test_voided_outranks_retracted_which_outranks_the_parties(log):
    talks = log.add("talks.reported", TALKS, sources=[NIKKEI])
    log.says("confirmed", "company:tpeml", talks)
    log.says("retracted", "Nikkei", talks)
    assert log.status(talks, DEAL) == "retracted"

    log.void(talks)
    assert log.status(talks, DEAL) == "voided"


# -- the claim's JSON -------------------------------------------------------------------------------------
def test_a_claim_shows_its_current_data_its_origins_and_whether_only_anonymous_sources_carry_it(log):
    talks = log.add("talks.reported", TALKS, sources=[REUTERS, COPY_A, COPY_B, INSIDERS])
    log.correct(talks, {**TALKS, "scope": "TPEML to buy the vehicle plant, not the engine plant"})
    whispers = log.add("talks.reported", {**TALKS, "partnership": DEAL}, sources=[INSIDERS, INSIDERS_COPY])

    claim = log.claim(talks, DEAL)
    assert claim["data"]["scope"] == "TPEML to buy the vehicle plant, not the engine plant"
    assert (claim["origins"], claim["anonymous_only"]) == (2, False)  # Reuters (three copies), insiders
    assert (log.claim(whispers, DEAL)["origins"], log.claim(whispers, DEAL)["anonymous_only"]) == (1, True)


def test_two_anonymous_sources_are_two_origins(log):
    other = {"name": "a person briefed on the talks", "kind": "anonymous"}
    talks = log.add("talks.reported", TALKS, sources=[INSIDERS, other])

    assert log.claim(talks, DEAL)["origins"] == 2
