"""Claim status, as a user reads it in a claim's JSON (contract section 4)."""

from __future__ import annotations

NIKKEI = {"name": "Nikkei", "kind": "press"}
KYODO = {"name": "Kyodo News", "kind": "wire"}
INSIDERS = {"name": "two people familiar with the matter", "kind": "anonymous"}
NISSAN_PR = {"name": "Nissan", "kind": "company"}
TALKS = {
    "partnership": "partnership:nissan-foxconn-oppama",
    "parties": ["company:nissan", "company:foxconn"],
    "plant": "plant:nissan-oppama",
    "scope": "Foxconn to build its own EVs at Oppama",
}


def test_a_claim_the_company_made_is_announced_and_one_the_press_made_is_reported(log):
    press = log.add("talks.reported", TALKS, sources=[NIKKEI, INSIDERS])
    agreement = {k: TALKS[k] for k in ("partnership", "parties", "scope")}
    company = log.add("agreement.signed", agreement, sources=[NISSAN_PR, NIKKEI])

    assert log.status(press) == "reported"
    assert log.status(company) == "announced"


def test_a_party_confirming_makes_the_claim_confirmed(log):
    talks = log.add("talks.reported", TALKS)
    log.says("confirmed", "company:foxconn", talks)

    assert log.status(talks) == "confirmed"


def test_the_parties_that_spoke_all_denying_makes_it_denied(log):
    talks = log.add("talks.reported", TALKS)
    log.says("denied", "company:nissan", talks)

    assert log.status(talks) == "denied"


def test_one_party_confirming_and_another_denying_makes_it_disputed(log):
    talks = log.add("talks.reported", TALKS)
    log.says("confirmed", "company:foxconn", talks)
    log.says("denied", "company:nissan", talks)

    assert log.status(talks) == "disputed"


def test_a_partys_latest_statement_in_world_time_is_the_one_that_counts(log):
    talks = log.add("talks.reported", TALKS, occurred_at="2025-07-07")
    log.says("denied", "company:nissan", talks, occurred_at="2025-07-08")
    log.says("confirmed", "company:nissan", talks, occurred_at="2025-07-20")
    log.says("denied", "company:nissan", talks, occurred_at="2025-07-09")  # recorded late, said early

    assert log.status(talks) == "confirmed"


def test_unconfirmed_and_no_comment_leave_the_status_and_stay_in_the_trail(log):
    talks = log.add("talks.reported", TALKS)
    log.says("unconfirmed", "company:nissan", talks, quote="not based on information disclosed by Nissan")
    log.says("no_comment", "company:foxconn", talks)

    claim = log.claim(talks)
    assert claim["status"] == "reported"
    assert [(s["by"], s["stance"]) for s in claim["statements"]] == [
        ("company:nissan", "unconfirmed"),
        ("company:foxconn", "no_comment"),
    ]


def test_a_statement_by_someone_not_party_to_the_claim_is_ignored(log):
    talks = log.add("talks.reported", TALKS)
    log.says("denied", "company:toyota", talks)
    log.says("denied", "Nissan", talks)  # a name, not the party's company id

    claim = log.claim(talks)
    assert claim["status"] == "reported"
    assert len(claim["statements"]) == 2


def test_retracted_only_once_every_named_source_has_retracted(log):
    talks = log.add("talks.reported", TALKS, sources=[NIKKEI, KYODO])
    log.says("retracted", "Nikkei", talks)
    assert log.status(talks) == "reported"

    log.says("retracted", "Kyodo News", talks)
    assert log.status(talks) == "retracted"


def test_anonymous_sources_neither_block_nor_make_a_retraction(log):
    named = log.add("talks.reported", TALKS, sources=[NIKKEI, INSIDERS])
    only_anonymous = log.add("talks.reported", TALKS, sources=[INSIDERS])
    log.says("retracted", "Nikkei", named)
    log.says("retracted", INSIDERS["name"], only_anonymous)

    assert log.status(named) == "retracted"
    assert log.status(only_anonymous) == "reported"


def test_a_retraction_by_every_origin_outranks_a_partys_word(log):
    talks = log.add("talks.reported", TALKS)
    log.says("retracted", "Nikkei", talks)
    log.says("confirmed", "company:nissan", talks)

    assert log.status(talks) == "retracted"  # v2: voided > retracted > the parties' stances


def test_a_voided_claim_is_voided_and_keeps_its_trail(log):
    talks = log.add("talks.reported", TALKS)
    log.says("confirmed", "company:nissan", talks)
    void = log.void(talks)

    claim = log.claim(talks)
    assert claim["status"] == "voided"
    assert len(claim["statements"]) == 1
    assert claim["corrections"] == [
        {
            "id": void.id,
            "type": "entry.voided",
            "reason": "entered by mistake",
            "position": void.position,
            "recorded_at": void.recorded_at,
        }
    ]


def test_a_voided_statement_no_longer_counts_but_stays_in_the_trail(log):
    talks = log.add("talks.reported", TALKS)
    denial = log.says("denied", "company:nissan", talks)
    log.void(denial)

    claim = log.claim(talks)
    assert claim["status"] == "reported"
    assert [(s["id"], s["voided"]) for s in claim["statements"]] == [(denial.id, True)]


def test_a_corrected_statement_counts_with_its_new_speaker(log):
    talks = log.add("talks.reported", TALKS)
    denial = log.says("denied", "company:toyota", talks)
    log.correct(denial, {"by": "company:nissan", "quote": "There are no talks."})

    claim = log.claim(talks)
    assert claim["status"] == "denied"
    assert claim["statements"][0]["by"] == "company:nissan"
    assert claim["statements"][0]["quote"] == "There are no talks."


def test_corrected_parties_decide_whose_statements_count(log):
    talks = log.add("talks.reported", TALKS)
    log.says("confirmed", "company:toyota", talks)
    assert log.status(talks) == "reported"

    log.correct(talks, {**TALKS, "parties": ["company:nissan", "company:toyota"]})
    claim = log.claim(talks)
    assert claim["status"] == "confirmed"
    assert claim["data"]["parties"] == ["company:nissan", "company:toyota"]


def test_the_latest_correction_gives_the_current_data(log):
    talks = log.add("talks.reported", TALKS)
    log.correct(talks, {**TALKS, "scope": "first fix"})
    log.correct(talks, {**TALKS, "scope": "second fix"})

    claim = log.claim(talks)
    assert claim["data"]["scope"] == "second fix"
    assert [c["type"] for c in claim["corrections"]] == ["entry.corrected", "entry.corrected"]
