"""Projections and audit queries through the store, on each backend (contract sections 4 and 5).

The pure fold has its own tests (tests/unit); these go through `Ledger`: the times the store assigns,
the entity index that decides which events a query sees, and the projection tables kept up to date.
"""

from __future__ import annotations

import io
import time

import pytest
from support.factories import ANONYMOUS, PRESS, WIRE, an_event, correction, statement, talks, void
from support.runner import jsonl

import ledger
from ledger.errors import UnknownEntity
from ledger.times import from_key, recorded_key

PARTNERSHIP = "partnership:nissan-foxconn-oppama"
OPPAMA = "plant:nissan-oppama"
NISSAN, FOXCONN, MITSUBISHI = "company:nissan", "company:foxconn", "company:mitsubishi-motors"
CORRECTED = {
    "partnership": PARTNERSHIP,
    "parties": [NISSAN, MITSUBISHI],
    "plant": OPPAMA,
    "scope": "EVs at Oppama, with Mitsubishi Motors",
}


def recorded(lg, *events: dict) -> list[str]:
    """Append each event in its own write and return the recorded_at the store gave each, read back."""
    moments = []
    for event in events:
        time.sleep(0.002)  # one write per moment, so "just before" a write is a moment of its own
        lg.append(event)
        [stored] = [e for e in lg.events() if e.id == event["id"]]
        moments.append(stored.recorded_at)
    assert moments == sorted(set(moments)), moments
    return moments


def just_before(recorded_at: str) -> str:
    return from_key(recorded_key(recorded_at) - 1)


def mou(**kw) -> dict:
    data = {"partnership": PARTNERSHIP, "parties": [NISSAN, FOXCONN], "scope": "EV production at Oppama"}
    return an_event("mou.signed", data, **kw)


def statuses(lg, entity: str = PARTNERSHIP) -> dict[str, str]:
    return {c["type"]: c["status"] for c in lg.claims(entity)}


def stances(claim: dict) -> list[tuple[str, str]]:
    return [(s["by"], s["stance"]) for s in claim["statements"]]


# -- two time axes around a correction and a void ---------------------------------------------------------
@pytest.fixture
def corrected_then_voided(lg):
    """Talks reported, then corrected (other parties, other scope), then voided: each in its own write.

    The correction says it occurred long after everything else; it still counts from its recorded_at.
    """
    claim = talks(occurred_at="2025-07-07", sources=[PRESS, ANONYMOUS])
    fix = correction(claim, CORRECTED, occurred_at="2030-01-01")
    moments = recorded(lg, claim, fix, void(claim, occurred_at="2025-07-01"))
    return claim, moments


def test_known_at_before_the_claim_was_recorded_nothing_names_the_partnership(lg, corrected_then_voided):
    _, (claimed, _, _) = corrected_then_voided

    with pytest.raises(UnknownEntity, match=f"no event names {PARTNERSHIP} at that moment"):
        lg.show(PARTNERSHIP, known_at=just_before(claimed))


def test_known_at_up_to_the_correction_shows_the_data_as_first_recorded(lg, corrected_then_voided):
    _, (claimed, corrected, _) = corrected_then_voided

    for moment in (claimed, just_before(corrected)):
        shown = lg.show(PARTNERSHIP, known_at=moment)
        assert (shown["parties"], shown["scope"]) == ([NISSAN, FOXCONN], "EVs at Oppama"), moment
        assert (shown["stage"], shown["stage_basis"]) == ("talks", "reported")


def test_known_at_the_correction_shows_the_corrected_data(lg, corrected_then_voided):
    _, (_, corrected, voided) = corrected_then_voided

    for moment in (corrected, just_before(voided)):
        shown = lg.show(PARTNERSHIP, known_at=moment)
        assert (shown["parties"], shown["scope"]) == ([NISSAN, MITSUBISHI], CORRECTED["scope"]), moment
        assert [c["data"] for c in shown["claims"]] == [CORRECTED]


def test_a_correction_counts_from_its_recorded_at_even_when_it_says_it_occurred_later(
    lg, corrected_then_voided
):
    _, (_, corrected, _) = corrected_then_voided

    shown = lg.show(PARTNERSHIP, as_of="2025-07-07", known_at=corrected)

    assert shown["parties"] == [NISSAN, MITSUBISHI]


def test_known_at_the_void_the_stage_is_null_and_the_voided_claim_still_shows(lg, corrected_then_voided):
    claim, (_, _, voided) = corrected_then_voided

    for shown in (lg.show(PARTNERSHIP, known_at=voided), lg.show(PARTNERSHIP)):
        assert (shown["stage"], shown["stage_basis"], shown["parties"]) == (None, None, None)
        assert [(c["id"], c["status"]) for c in shown["claims"]] == [(claim["id"], "voided")]


def test_as_of_before_the_claim_occurred_nothing_names_the_partnership_whatever_the_ledger_knows(
    lg, corrected_then_voided
):
    with pytest.raises(UnknownEntity, match=f"no event names {PARTNERSHIP} at that moment"):
        lg.show(PARTNERSHIP, as_of="2025-07-06")
    with pytest.raises(UnknownEntity, match=f"no event names {PARTNERSHIP} at that moment"):
        lg.history(PARTNERSHIP, as_of="2025-07-06")


def test_history_at_each_moment_holds_what_the_ledger_had_recorded_by_then(lg, corrected_then_voided):
    _, (claimed, corrected, voided) = corrected_then_voided

    def types_known_at(moment: str) -> list[str]:
        return [e["type"] for e in lg.history(PARTNERSHIP, known_at=moment)]

    assert types_known_at(just_before(corrected)) == ["talks.reported"]
    # World-time order: the void says 2025-07-01, the claim 2025-07-07, the correction 2030-01-01.
    assert types_known_at(just_before(voided)) == ["talks.reported", "entry.corrected"]
    assert types_known_at(voided) == ["entry.voided", "talks.reported", "entry.corrected"]
    assert [e["status"] for e in lg.history(PARTNERSHIP, known_at=claimed) if e["category"] == "claim"] == [
        "reported"
    ]


def test_a_correction_moves_the_partnership_from_one_company_to_another_at_its_recorded_at(
    lg, corrected_then_voided
):
    _, (claimed, corrected, voided) = corrected_then_voided

    assert lg.show(FOXCONN, known_at=claimed)["partnerships"] == [PARTNERSHIP]
    with pytest.raises(UnknownEntity, match=f"no event names {MITSUBISHI} at that moment"):
        lg.show(MITSUBISHI, known_at=just_before(corrected))
    assert lg.show(FOXCONN, known_at=corrected)["partnerships"] == []
    assert lg.show(MITSUBISHI, known_at=corrected)["partnerships"] == [PARTNERSHIP]
    assert lg.show(MITSUBISHI, known_at=voided)["partnerships"] == []


# -- claim statuses, end to end ---------------------------------------------------------------------------
def test_talks_confirmed_by_both_parties_are_confirmed(lg):
    claim = talks()
    lg.append_many(
        [
            claim,
            statement("confirmed", NISSAN, claim, occurred_at="2025-07-09"),
            statement("confirmed", FOXCONN, claim, occurred_at="2025-07-10"),
        ]
    )

    shown = lg.show(PARTNERSHIP)
    assert (shown["stage"], shown["stage_basis"]) == ("talks", "confirmed")
    assert stances(shown["claims"][0]) == [(NISSAN, "confirmed"), (FOXCONN, "confirmed")]
    assert lg.show(PARTNERSHIP, as_of="2025-07-08")["stage_basis"] == "reported"


def test_talks_one_party_confirms_and_the_other_denies_are_disputed_and_still_set_the_stage(lg):
    claim = talks()
    lg.append_many(
        [
            claim,
            statement("confirmed", NISSAN, claim, occurred_at="2025-07-09"),
            statement("denied", FOXCONN, claim, occurred_at="2025-07-09"),
        ]
    )

    shown = lg.show(PARTNERSHIP)
    assert (shown["stage"], shown["stage_basis"]) == ("talks", "disputed")
    assert statuses(lg) == {"talks.reported": "disputed"}


def test_a_denied_mou_leaves_the_stage_at_the_talks_reported_before_it(lg):
    claim, signed = talks(occurred_at="2025-07-07"), mou(occurred_at="2025-07-08")
    lg.append_many([claim, signed])
    assert lg.show(PARTNERSHIP)["stage"] == "mou"

    lg.append(statement("denied", NISSAN, signed, occurred_at="2025-07-09"))

    shown = lg.show(PARTNERSHIP)
    assert (shown["stage"], shown["stage_basis"], shown["stage_since"]) == ("talks", "reported", "2025-07-07")
    assert statuses(lg) == {"talks.reported": "reported", "mou.signed": "denied"}


def test_when_every_claim_is_denied_the_stage_is_null_but_the_trail_still_shows(lg):
    claim, signed = talks(occurred_at="2025-07-07"), mou(occurred_at="2025-07-08")
    lg.append_many([claim, signed, statement("denied", FOXCONN, claim, signed, occurred_at="2025-07-09")])

    shown = lg.show(PARTNERSHIP)
    assert (shown["stage"], shown["stage_basis"]) == (None, None)
    # what the deal is still shows, from the latest claim, marked as resting on no applicable one
    assert (shown["scope"], shown["not_applicable"]) == (
        signed["data"]["scope"],
        ["parties", "plant", "scope"],
    )
    assert [(c["type"], c["status"], stances(c)) for c in shown["claims"]] == [
        ("talks.reported", "denied", [(FOXCONN, "denied")]),
        ("mou.signed", "denied", [(FOXCONN, "denied")]),
    ]
    assert lg.show(OPPAMA)["partnerships"] == [PARTNERSHIP]  # denied, not voided: still linked


def test_talks_retracted_by_their_only_named_source_are_retracted(lg):
    claim = talks(sources=[PRESS, ANONYMOUS])
    lg.append_many([claim, statement("retracted", PRESS["name"], claim, occurred_at="2025-07-09")])

    shown = lg.show(PARTNERSHIP)
    assert (shown["stage"], statuses(lg)) == (None, {"talks.reported": "retracted"})
    assert stances(shown["claims"][0]) == [("Nikkei", "retracted")]


def test_a_retraction_by_one_of_two_named_sources_leaves_the_claim_reported(lg):
    claim = talks(sources=[PRESS, WIRE])
    lg.append_many([claim, statement("retracted", PRESS["name"], claim, occurred_at="2025-07-09")])

    assert statuses(lg) == {"talks.reported": "reported"}


def test_a_non_party_denying_the_talks_changes_nothing_but_stays_in_the_trail(lg):
    claim = talks()
    lg.append_many([claim, statement("denied", MITSUBISHI, claim, occurred_at="2025-07-09")])

    shown = lg.show(PARTNERSHIP)
    assert (shown["stage"], shown["stage_basis"]) == ("talks", "reported")
    assert stances(shown["claims"][0]) == [(MITSUBISHI, "denied")]


def test_claims_by_status_lists_exactly_the_claims_with_that_status(lg):
    disputed, denied, confirmed = (talks(partnership=f"partnership:deal-{n}") for n in ("a", "b", "c"))
    lg.append_many(
        [
            disputed,
            denied,
            confirmed,
            statement("confirmed", NISSAN, disputed, confirmed),
            statement("denied", FOXCONN, disputed, denied),
            statement("confirmed", FOXCONN, confirmed),
        ]
    )

    def ids(status: str) -> list[str]:
        return [c["id"] for c in lg.claims(status=status)]

    assert (ids("disputed"), ids("denied"), ids("confirmed")) == (
        [disputed["id"]],
        [denied["id"]],
        [confirmed["id"]],
    )
    assert ids("reported") == []


# -- statements in every history ---------------------------------------------------------------------------
def test_a_statement_about_talks_shows_in_the_history_of_every_entity_the_talks_name(lg):
    claim = talks()
    said = statement("denied", FOXCONN, claim, occurred_at="2025-07-09")
    lg.append_many([claim, said])

    for entity in (PARTNERSHIP, OPPAMA, NISSAN, FOXCONN):
        entries = lg.history(entity)
        assert [(e["id"], e["category"]) for e in entries] == [
            (claim["id"], "claim"),
            (said["id"], "statement"),
        ], entity
        assert entries[0]["statements"][0]["id"] == said["id"], entity


def test_a_statement_by_a_company_the_talks_do_not_name_shows_in_that_company_s_history_too(lg):
    claim = talks()
    said = statement("no_comment", MITSUBISHI, claim, occurred_at="2025-07-09")
    lg.append_many([claim, said])

    assert [e["id"] for e in lg.history(MITSUBISHI)] == [said["id"]]
    assert [e["id"] for e in lg.history(NISSAN)] == [claim["id"], said["id"]]


def test_a_statement_made_after_as_of_is_left_out_of_history_and_status(lg):
    claim = talks(occurred_at="2025-07-07")
    lg.append_many([claim, statement("denied", NISSAN, claim, occurred_at="2025-07-09")])

    entries = lg.history(OPPAMA, as_of="2025-07-08")

    assert [(e["type"], e["status"], e["statements"]) for e in entries] == [
        ("talks.reported", "reported", [])
    ]


def history_ids(lg, *entities: str) -> dict[str, list[str]]:
    return {entity: [entry["id"] for entry in lg.history(entity)] for entity in entities}


def test_a_corrected_statement_shows_in_the_claim_s_histories_whether_appended_or_imported_at_once(
    lg, blank_db_url
):
    claim = talks()
    said = statement("denied", MITSUBISHI, claim, occurred_at="2025-07-09")
    fix = correction(said, {"by": FOXCONN}, occurred_at="2025-07-10")
    for event in (claim, said, fix):
        lg.append(event)
    with ledger.init(blank_db_url) as imported:
        imported.import_jsonl(io.BytesIO(jsonl([claim, said, fix]).encode()))

        entities = (PARTNERSHIP, OPPAMA, NISSAN, FOXCONN)
        expected = {key: [claim["id"], said["id"], fix["id"]] for key in entities}
        assert history_ids(lg, *entities) == expected
        assert history_ids(imported, *entities) == expected
        # The correction names a party as the one who denied: the talks are denied either way.
        assert imported.show(PARTNERSHIP)["stage_basis"] is lg.show(PARTNERSHIP)["stage_basis"] is None
        assert imported.claims(status="denied")[0]["id"] == lg.claims(status="denied")[0]["id"] == claim["id"]
