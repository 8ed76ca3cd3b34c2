"""`Ledger.changes`: what changed in the projections between two ledger moments.

The property: for any two moments T1 <= T2 of a random history, applying the changes to the state known
at T1 (every entity's fields, every claim's status) gives the state known at T2. And on the seed story,
what an analyst reads: the fields that moved with their basis, the claims that changed and why.
"""

from __future__ import annotations

import io
import itertools
from importlib import resources
from typing import Any
from unittest.mock import patch

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.factories import an_event, correction, statement, void
from support.histories import AUTHORITY, COMPANIES, PARTNERSHIPS, PLAN, PLANTS, histories

from ledger import changes as changes_module
from ledger import changes_folded
from ledger.api import Ledger
from ledger.errors import InvalidArgument, UnknownEntity
from ledger.vocabulary.registry import first_entity

SEED = resources.files("ledger") / "data" / "seed.jsonl"
WORLD = (*COMPANIES, *PLANTS, *PARTNERSHIPS, PLAN, AUTHORITY)
PARTNERSHIP = "partnership:nissan-foxconn-oppama"
TALKS_ID = "333c7d0b-2a7b-5e45-95dd-ffa3656d11ee"
OPPAMA = "plant:nissan-oppama"

State = tuple[dict[str, dict[str, Any]], dict[str, str]]  # (entity -> fields, claim id -> status)


def known_state(lg: Ledger, moment: str) -> State:
    entities: dict[str, dict[str, Any]] = {}
    claims: dict[str, str] = {}
    for entity_id in WORLD:
        try:
            shown = lg.show(entity_id, known_at=moment)
        except UnknownEntity:
            continue
        entities[entity_id] = {k: v for k, v in shown.items() if k != "claims"}
        for claim in lg.claims(entity_id, known_at=moment):
            if first_entity(claim["type"], claim["data"]) == entity_id:  # as its owner's fold has it
                claims[claim["id"]] = claim["status"]
    return entities, claims


def applied(state: State, found: dict[str, Any]) -> State:
    entities = {e: dict(fields) for e, fields in state[0].items()}
    claims = dict(state[1])
    for change in found["entities"]:
        if change["change"] == "removed":
            del entities[change["id"]]
            continue
        if change["change"] == "added":
            assert change["id"] not in entities
            entities[change["id"]] = {"id": change["id"], "kind": change["kind"]}
        for field in change["fields"]:
            fields = entities[change["id"]]
            if "removed" in field:  # a list: its items taken out, then those put in (docs/JSON.md)
                fields[field["field"]] = list_applied(
                    fields[field["field"]], field["removed"], field["added"]
                )
                continue
            assert fields.get(field["field"]) == field["old"]
            fields[field["field"]] = field["new"]
    for claim in found["claims"]:
        assert claims.get(claim["id"]) == claim["old_status"]
        assert (claim["id"] not in claims) == claim["added"]
        claims[claim["id"]] = claim["status"]
    return entities, claims


def list_applied(old: list[Any], removed: list[dict[str, Any]], added: list[dict[str, Any]]) -> list[Any]:
    gone = [item["at"] for item in removed]
    assert [old[at] for at in gone] == [item["value"] for item in removed]
    new = [item for at, item in enumerate(old) if at not in gone]
    for item in sorted(added, key=lambda item: item["at"]):
        new.insert(item["at"], item["value"])
    return new


def check_changes_apply(lg: Ledger, events: list[dict], first: int, last: int) -> None:
    lg.import_jsonl(io.BytesIO(b"".join(orjson.dumps(e) + b"\n" for e in events)))
    first, last = sorted((min(first, len(events)), min(last, len(events))))
    found = lg.changes(f"@{first}", until=f"@{last}")
    assert (found["since"]["position"], found["until"]["position"]) == (first, last)
    assert applied(known_state(lg, f"@{first}"), found) == known_state(lg, f"@{last}")
    for claim in found["claims"]:
        assert all(first < cause["position"] <= last for cause in claim["because"])
    check_one_entity_at_a_time(lg, first)


def check_one_entity_at_a_time(lg: Ledger, first: int) -> None:
    """The changes of one entity up to the head are its part of the changes of all (an entity the window
    does not touch, unfolded, has none) and claims among theirs, or UnknownEntity if it was known at
    neither moment."""
    full = lg.changes(f"@{first}")
    for entity_id, fold_under in itertools.product(WORLD, (0, changes_folded.FOLD_UNDER)):
        # (0: whether the window touches it is found out first, as for a busy entity; else it is folded)
        with patch.object(changes_folded, "FOLD_UNDER", fold_under):
            try:
                alone = lg.changes(f"@{first}", entities=[entity_id])
            except UnknownEntity:
                assert entity_id not in known_state(lg, f"@{first}")[0]
                assert entity_id not in known_state(lg, f"@{lg.head().position}")[0]
                continue
        assert alone["entities"] == [c for c in full["entities"] if c["id"] == entity_id]
        assert {c["id"] for c in alone["claims"]} <= {c["id"] for c in full["claims"]}


moments = st.integers(0, 14)


@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=histories(), first=moments, last=moments)
def test_changes_applied_to_the_state_known_at_t1_give_the_state_known_at_t2_on_sqlite(
    sqlite_ledgers, events, first, last
):
    with sqlite_ledgers() as lg:
        check_changes_apply(lg, events, first, last)


@settings(max_examples=4, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=histories(), first=moments, last=moments)
def test_changes_applied_to_the_state_known_at_t1_give_the_state_known_at_t2_on_postgresql(
    postgresql_ledgers, events, first, last
):
    with postgresql_ledgers() as lg:
        check_changes_apply(lg, events, first, last)


# -- on the seed story -------------------------------------------------------------------------------------
@pytest.fixture
def seeded(lg):
    lg.import_jsonl(io.BytesIO(SEED.read_bytes()))
    return lg


def test_a_confirmation_changes_the_claim_the_stage_basis_and_the_plants_deal(seeded):
    confirmed = statement("confirmed", "company:foxconn", {"id": TALKS_ID}, occurred_at="2025-07-08")
    seeded.append(confirmed)

    found = seeded.changes("@11")

    assert found["since"] == {"position": 11, "recorded_at": next(seeded.read(10)).recorded_at}
    assert found["until"]["position"] == 12
    changed = {(e["id"], f["field"]): f for e in found["entities"] for f in e["fields"]}
    deal = {"partnership": PARTNERSHIP, "stage": "talks", "since": "2025-07-07"}
    assert changed == {
        (PARTNERSHIP, "stage_basis"): {
            "field": "stage_basis",
            "old": "reported",
            "new": "confirmed",
            "basis": None,
        },
        # a list: the item that went and the one that came, each where it was and is
        (OPPAMA, "deals"): {
            "field": "deals",
            "removed": [{"at": 0, "value": {**deal, "basis": "reported"}}],
            "added": [{"at": 0, "value": {**deal, "basis": "confirmed"}}],
            "basis": None,
        },
    }
    [claim] = found["claims"]
    assert {k: claim[k] for k in ("id", "position", "added", "old_status", "status", "corrected")} == {
        "id": TALKS_ID,
        "position": 7,
        "added": False,
        "old_status": "reported",
        "status": "confirmed",
        "corrected": False,
    }
    assert claim["because"] == [
        {
            "position": 12,
            "id": confirmed["id"],
            "type": "report.confirmed",
            "occurred_at": "2025-07-08",
            "by": "company:foxconn",
        }
    ]


def test_a_void_moves_the_stage_back_and_names_the_void(seeded):
    voided = void({"id": TALKS_ID})
    seeded.append(voided)

    found = seeded.changes("@11", entities=[PARTNERSHIP])

    [entity] = found["entities"]
    assert (entity["id"], entity["change"]) == (PARTNERSHIP, "changed")
    stage = next(f for f in entity["fields"] if f["field"] == "stage")
    assert (stage["old"], stage["new"]) == ("talks", None)
    [claim] = found["claims"]
    assert (claim["old_status"], claim["status"], [c["type"] for c in claim["because"]]) == (
        "reported",
        "voided",
        ["entry.voided"],
    )


def test_since_the_empty_ledger_every_entity_is_added_and_only_of_the_kind_asked(seeded):
    found = seeded.changes("@0", kind="plants")

    assert [(e["id"], e["change"]) for e in found["entities"]] == [(OPPAMA, "added")]
    fields = {f["field"]: f["new"] for f in found["entities"][0]["fields"]}
    assert fields == {k: v for k, v in seeded.show(OPPAMA).items() if k not in ("id", "kind")}
    assert [c["position"] for c in found["claims"]] == [4, 6, 7, 10]
    assert [e["position"] for e in seeded.history(OPPAMA) if e["category"] == "claim"] == [4, 6, 7, 10]
    assert all(c["added"] and c["old_status"] is None for c in found["claims"])


def test_nothing_changes_between_a_moment_and_itself_or_after_the_head(seeded):
    empty = {"entities": [], "claims": []}
    assert {k: seeded.changes("@5", until="@5")[k] for k in empty} == empty
    assert {k: seeded.changes("@11")[k] for k in empty} == empty
    head = next(seeded.read(10)).recorded_at
    assert {k: seeded.changes(head)[k] for k in empty} == empty


def test_changes_refuse_moments_in_the_wrong_order_and_entities_never_named(seeded):
    with pytest.raises(InvalidArgument) as refused:
        seeded.changes("@9", until="@3")
    assert (refused.value.parameter, refused.value.message) == (
        "since",
        "@9 (position 9) is after the end of the changes (position 3)",
    )
    with pytest.raises(InvalidArgument) as refused:
        seeded.changes("@3", entities=["oppama"])
    assert refused.value.parameter == "entities"
    with pytest.raises(InvalidArgument) as refused:
        seeded.changes("@3", kind="factories")
    assert refused.value.parameter == "kind"
    with pytest.raises(UnknownEntity, match="no event names plant:nowhere at that moment"):
        seeded.changes("@3", entities=["plant:nowhere"])


def test_a_statement_corrected_to_another_speaker_changes_the_claim_it_is_about(seeded):
    confirmed = statement("confirmed", "company:foxconn", {"id": TALKS_ID}, occurred_at="2025-07-08")
    seeded.append(confirmed)  # 12: the talks are confirmed
    fix = correction(confirmed, {"by": "company:mitsubishi-motors"})
    seeded.append(fix)  # 13: it was not Foxconn that said so, and Mitsubishi Motors is no party

    found = seeded.changes("@12")

    [claim] = found["claims"]
    assert (claim["position"], claim["old_status"], claim["status"]) == (7, "confirmed", "reported")
    assert [(c["position"], c["type"], c["by"]) for c in claim["because"]] == [(13, "entry.corrected", None)]
    assert found == seeded.changes("@12", until="@13")  # from the projections now, or folded: the same
    assert seeded.changes("@12", entities=[PARTNERSHIP])["claims"] == found["claims"]


@pytest.mark.parametrize(
    ("kept", "fold_under"),
    [(True, 100), (False, 0), (False, 100)],
    ids=["read from what was kept", "folded, found out first", "folded"],
)
def test_a_deal_whose_party_joins_a_group_in_the_window_changes_for_itself_too(
    lg, monkeypatch, kept, fold_under
):
    """The window names only the subsidiary and its new parent; the parent's earlier denial of the deal
    now counts (the group rule), so the deal changed, though no event of the window names it."""
    monkeypatch.setattr(changes_folded, "FOLD_UNDER", fold_under)
    if not kept:
        monkeypatch.setattr(changes_module, "_kept", lambda *_moments: False)
    sub, deal = "company:nissan-ev", "partnership:nissan-ev-foxconn"
    claim = an_event(
        "talks.reported",
        {"partnership": deal, "parties": [sub, "company:foxconn"], "scope": "EVs"},
        occurred_at="2025-07-01",
    )
    lg.append_many(
        [
            an_event("company.registered", {"company": sub, "name": "Nissan EV"}, occurred_at="2025-06-01"),
            claim,
            statement("denied", "company:nissan", claim, occurred_at="2025-07-03"),
        ]
    )
    since = lg.head().position
    joined = an_event(
        "company.parent_changed", {"company": sub, "parent": "company:nissan"}, occurred_at="2025-06-02"
    )
    lg.append(joined)

    full = lg.changes(f"@{since}")
    alone = lg.changes(f"@{since}", entities=[deal])
    assert [c["id"] for c in full["claims"]] == [claim["id"], joined["id"]]
    assert [(c["old_status"], c["status"]) for c in alone["claims"]] == [("reported", "denied")]
    assert alone["entities"] == [c for c in full["entities"] if c["id"] == deal] != []
