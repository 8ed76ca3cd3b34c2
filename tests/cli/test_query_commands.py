"""The query commands as a user runs them: show, list, history, claims, rebuild (contract sections 4-6).

Most read the seed story (the article of 2025-07-07, bundled as ledger/data/seed.jsonl) after
`ledger import`, through `--json`, whose keys other programs rely on.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import pytest
import sqlalchemy
from support.factories import PRESS, an_event, correction, statement, talks
from support.runner import exported, jsonl, ledger_cli, one_error_line

from ledger.times import format_recorded_at, now_utc

SEED = resources.files("ledger") / "data" / "seed.jsonl"
OPPAMA = "plant:nissan-oppama"
PARTNERSHIP = "partnership:nissan-foxconn-oppama"
MITSUBISHI_FOXCONN = "partnership:mitsubishi-motors-foxconn-ev"
PLAN = "plan:re-nissan"
NISSAN, FOXCONN = "company:nissan", "company:foxconn"
SEED_ENTITIES = (OPPAMA, PARTNERSHIP, PLAN, NISSAN)


def keys(contract: str, extras: str = "") -> set[str]:
    """A JSON object's key set: the contract's keys plus the extras docs/DECISIONS.md always adds."""
    return set(contract.split()) | set(extras.split())


PLANT_KEYS = keys(
    "id name operator location employees status status_basis producers stakes partnerships plans"
    " capacity products deals approvals",
    "kind status_since closure_effective_by operator_since",
)
PARTNERSHIP_KEYS = keys(
    "id parties plant scope stage stage_basis acquisition claims price conditions long_stop approvals"
    " not_applicable",
    "kind stage_since",
)
ACQUISITION_KEYS = keys("acquirer percent stake_text price basis", "since plant scope")
COMPANY_KEYS = keys(
    "id name plants partnerships plans parent owners subsidiaries merged_into aliases", "kind country lei"
)
PLAN_KEYS = keys("id company title measures basis plants", "kind announced_at revised_at")
CLAIM_KEYS = keys(
    "id type occurred_at position status sources statements data origins anonymous_only precision",
    "recorded_at corrections",
)
STATEMENT_KEYS = keys("id by stance occurred_at position quote counts", "voided")
CORRECTION_KEYS = keys("id type reason position recorded_at")
ENTRY_KEYS = keys("position id type occurred_at recorded_at sources precision", "category refs data note")
ENTRY_EXTRA_KEYS = {
    "claim": keys("status statements", "current_data corrected voided"),
    "statement": keys("stance voided", "about"),
    "correction": keys("reason"),
}


def ok_json(db_url: str, *args: str) -> Any:
    result = ledger_cli(db_url, *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def seeded(db_url) -> str:
    """The seed story imported with `ledger import`; returns a moment just before the import."""
    before = format_recorded_at(now_utc())
    with resources.as_file(SEED) as path:
        result = ledger_cli(db_url, "import", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("imported 11 events (0 already present) of 11 read;")
    return before


def claim_of(shown: dict, event_type: str) -> dict:
    [found] = [c for c in shown["claims"] if c["type"] == event_type]
    return found


def source_names(claim: dict) -> list[tuple[str, str]]:
    return [(s["name"], s["kind"]) for s in claim["sources"]]


# -- the seed story --------------------------------------------------------------------------------------
def test_the_seed_story_shows_oppama_run_by_nissan_and_reported_as_considered_for_closure(db_url, seeded):
    plant = ok_json(db_url, "show", OPPAMA)

    assert (plant["operator"], plant["employees"]) == (NISSAN, 3900)
    assert (plant["status"], plant["status_basis"]) == ("closure_considered", "reported")
    assert plant["partnerships"] == [PARTNERSHIP]


def test_the_seed_story_shows_the_talks_reported_with_nissan_unconfirmed_and_foxconn_no_comment(
    db_url, seeded
):
    partnership = ok_json(db_url, "show", PARTNERSHIP)

    assert (partnership["parties"], partnership["plant"]) == ([NISSAN, FOXCONN], OPPAMA)
    assert (partnership["stage"], partnership["stage_basis"]) == ("talks", "reported")
    talks_claim = claim_of(partnership, "talks.reported")
    assert talks_claim["status"] == "reported"
    assert source_names(talks_claim)[:2] == [
        ("Nikkei", "press"),
        ("two people familiar with the matter", "anonymous"),
    ]
    assert [(s["by"], s["stance"]) for s in talks_claim["statements"]] == [
        (NISSAN, "unconfirmed"),
        (FOXCONN, "no_comment"),
    ]


def test_the_seed_story_shows_kyodo_s_report_that_foxconn_may_buy_part_of_the_plant(db_url, seeded):
    partnership = ok_json(db_url, "show", PARTNERSHIP)

    acquisition = partnership["acquisition"]
    assert (acquisition["acquirer"], acquisition["basis"]) == (FOXCONN, "reported")
    assert ("Kyodo News", "wire") in source_names(claim_of(partnership, "acquisition.explored"))


def test_the_seed_story_shows_the_re_nissan_plan_as_announced_with_its_measures(db_url, seeded):
    plan = ok_json(db_url, "show", PLAN)

    assert (plan["company"], plan["title"], plan["basis"]) == (NISSAN, "Re:Nissan", "announced")
    closures, workforce = plan["measures"]
    assert (closures["kind"], closures["count"], closures["of"]) == ("plant_closures", 7, 17)
    assert (workforce["kind"], workforce["percent"]) == ("workforce_reduction", 15)


def test_the_seed_story_shows_nissan_with_its_plant_partnership_and_plan(db_url, seeded):
    nissan = ok_json(db_url, "show", NISSAN)

    assert (nissan["name"], nissan["country"]) == ("Nissan Motor Co., Ltd.", "Japan")
    assert (nissan["plants"], nissan["partnerships"], nissan["plans"]) == ([OPPAMA], [PARTNERSHIP], [PLAN])


def test_as_of_the_day_before_the_article_the_plan_exists_but_the_partnership_does_not(db_url, seeded):
    plan = ok_json(db_url, "show", PLAN, "--as-of", "2025-07-06")
    partnership = ledger_cli(db_url, "show", PARTNERSHIP, "--as-of", "2025-07-06")

    assert (plan["title"], plan["basis"]) == ("Re:Nissan", "announced")
    assert partnership.exit_code == 1
    assert one_error_line(partnership) == f"error: no event names {PARTNERSHIP} at that moment"
    assert ok_json(db_url, "show", NISSAN, "--as-of", "2025-07-06")["partnerships"] == []


@pytest.mark.parametrize("entity", SEED_ENTITIES)
def test_known_at_a_moment_before_the_import_nothing_is_known(db_url, seeded, entity):
    result = ledger_cli(db_url, "show", entity, "--known-at", seeded)

    assert result.exit_code == 1
    assert one_error_line(result) == f"error: no event names {entity} at that moment"


def test_known_at_a_moment_after_the_import_everything_is_known(db_url, seeded):
    after = format_recorded_at(now_utc())

    for entity in SEED_ENTITIES:
        assert ok_json(db_url, "show", entity, "--known-at", after) == ok_json(db_url, "show", entity), entity


def test_the_partnership_history_lists_the_talks_the_non_answers_and_the_acquisition_in_order(db_url, seeded):
    entries = ok_json(db_url, "history", PARTNERSHIP)

    assert [(e["position"], e["type"], e.get("status") or e.get("stance")) for e in entries] == [
        (7, "talks.reported", "reported"),
        (8, "report.unconfirmed", "unconfirmed"),
        (9, "report.no_comment", "no_comment"),
        (10, "acquisition.explored", "reported"),
    ]


def test_the_history_piped_has_one_tab_separated_row_per_event_under_its_header(db_url, seeded):
    result = ledger_cli(db_url, "history", PARTNERSHIP)

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "pos\toccurred_at\trecorded_at\ttype\twho\tstatus\tabout\twhat"
    assert [line.split("\t")[3:7] for line in lines[1:]] == [
        [
            "talks.reported",
            "Nikkei (press), two people familiar with the matter (anonymous), Wyoming Star (press)",
            "reported",
            "",
        ],
        ["report.unconfirmed", NISSAN, "unconfirmed", "7 talks.reported"],
        ["report.no_comment", FOXCONN, "no_comment", "7 talks.reported"],
        ["acquisition.explored", "Kyodo News (wire), Wyoming Star (press)", "reported", ""],
    ]


# -- JSON shapes ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("entity", "keys"),
    [(OPPAMA, PLANT_KEYS), (PARTNERSHIP, PARTNERSHIP_KEYS), (NISSAN, COMPANY_KEYS), (PLAN, PLAN_KEYS)],
)
def test_show_json_prints_the_entity_s_fields_at_the_top_level(db_url, seeded, entity, keys):
    shown = ok_json(db_url, "show", entity)

    assert set(shown) == keys
    assert shown["id"] == entity


def test_show_json_of_a_partnership_has_its_claims_with_their_trails(db_url, seeded):
    partnership = ok_json(db_url, "show", PARTNERSHIP)

    assert set(partnership["acquisition"]) == ACQUISITION_KEYS
    assert [set(c) for c in partnership["claims"]] == [CLAIM_KEYS, CLAIM_KEYS]
    assert [set(s) for s in claim_of(partnership, "talks.reported")["statements"]] == [STATEMENT_KEYS] * 2


def test_list_plants_json_is_a_list_of_plant_objects(db_url, seeded):
    plants = ok_json(db_url, "list", "plants")

    assert [p["id"] for p in plants] == [OPPAMA]
    assert [set(p) for p in plants] == [PLANT_KEYS]
    assert plants[0] == ok_json(db_url, "show", OPPAMA)


@pytest.mark.parametrize(
    ("kind", "ids"),
    [
        ("partnerships", [MITSUBISHI_FOXCONN, PARTNERSHIP]),
        ("companies", [FOXCONN, "company:mitsubishi-motors", NISSAN]),
        ("plans", [PLAN]),
    ],
)
def test_list_json_lists_every_entity_of_the_kind_by_id(db_url, seeded, kind, ids):
    assert [item["id"] for item in ok_json(db_url, "list", kind)] == ids


def test_list_of_an_unknown_kind_is_a_usage_error(db_url, seeded):
    result = ledger_cli(db_url, "list", "factories")

    assert result.exit_code == 2
    assert (
        one_error_line(result)
        == "error: KIND: expected one of companies, plants, partnerships, plans, authorities, got 'factories'"
    )


def test_history_json_is_a_list_of_entries_with_each_category_s_keys(db_url):
    claim = talks()
    events = [
        claim,
        statement("denied", NISSAN, claim, occurred_at="2025-07-08"),
        correction(claim, {**claim["data"], "scope": "EVs"}, occurred_at="2025-07-09"),
    ]
    assert ledger_cli(db_url, "import", "-", input=jsonl(events)).exit_code == 0

    entries = ok_json(db_url, "history", PARTNERSHIP)

    assert [(e["id"], e["category"]) for e in entries] == [
        (claim["id"], "claim"),
        (events[1]["id"], "statement"),
        (events[2]["id"], "correction"),
    ]
    for entry in entries:
        assert set(entry) == ENTRY_KEYS | ENTRY_EXTRA_KEYS[entry["category"]], entry["category"]
    assert (entries[0]["status"], [set(s) for s in entries[0]["statements"]]) == ("denied", [STATEMENT_KEYS])
    assert entries[0]["recorded_at"] == exported(db_url)[0]["recorded_at"]


def test_claims_json_is_a_list_of_claims_with_the_contract_s_keys(db_url, seeded):
    found = ok_json(db_url, "claims")

    assert [(c["position"], c["type"], c["status"]) for c in found] == [
        (1, "company.registered", "reported"),
        (2, "company.registered", "reported"),
        (3, "company.registered", "reported"),
        (4, "plant.registered", "reported"),
        (5, "plan.announced", "announced"),
        (6, "plant.closure_considered", "reported"),
        (7, "talks.reported", "reported"),
        (10, "acquisition.explored", "reported"),
        (11, "mou.signed", "reported"),
    ]
    assert all(set(c) == CLAIM_KEYS for c in found)
    assert [set(s) for c in found for s in c["statements"]] == [STATEMENT_KEYS, STATEMENT_KEYS]


def test_a_corrected_claim_lists_its_corrections(db_url):
    claim = talks()
    fix = correction(claim, {**claim["data"], "scope": "EVs"})
    assert ledger_cli(db_url, "import", "-", input=jsonl([claim, fix])).exit_code == 0

    [found] = ok_json(db_url, "claims")

    assert found["data"]["scope"] == "EVs"
    assert [set(c) for c in found["corrections"]] == [CORRECTION_KEYS]
    assert (found["corrections"][0]["id"], found["corrections"][0]["reason"]) == (fix["id"], "typo")


# -- claims by status and by entity ---------------------------------------------------------------------
@pytest.fixture
def disputed_and_not(db_url) -> dict[str, dict]:
    """Three talks: one disputed by its parties, one denied by both, one only reported."""
    disputed, denied, reported = (talks(partnership=f"partnership:deal-{n}") for n in ("a", "b", "c"))
    events = [
        disputed,
        denied,
        reported,
        statement("confirmed", NISSAN, disputed, occurred_at="2025-07-08"),
        statement("denied", FOXCONN, disputed, denied, occurred_at="2025-07-08"),
        statement("denied", NISSAN, denied, occurred_at="2025-07-08"),
    ]
    result = ledger_cli(db_url, "import", "-", input=jsonl(events))
    assert result.exit_code == 0, result.stderr
    return {"disputed": disputed, "denied": denied, "reported": reported}


@pytest.mark.parametrize("status", ["disputed", "denied", "reported"])
def test_claims_with_a_status_lists_exactly_the_claims_with_that_status(db_url, disputed_and_not, status):
    found = ok_json(db_url, "claims", "--status", status)

    assert [(c["id"], c["status"]) for c in found] == [(disputed_and_not[status]["id"], status)]


def test_claims_with_a_status_no_claim_has_is_an_empty_list(db_url, disputed_and_not):
    assert ok_json(db_url, "claims", "--status", "confirmed") == []


def test_claims_of_an_entity_lists_only_the_claims_naming_it(db_url, disputed_and_not):
    found = ok_json(db_url, "claims", "partnership:deal-a")

    assert [(c["id"], c["status"]) for c in found] == [(disputed_and_not["disputed"]["id"], "disputed")]
    assert [(s["by"], s["stance"]) for s in found[0]["statements"]] == [
        (NISSAN, "confirmed"),
        (FOXCONN, "denied"),
    ]
    assert len(ok_json(db_url, "claims", NISSAN)) == 3


def test_claims_of_an_entity_as_a_table_shows_status_sources_and_trail(db_url, disputed_and_not):
    result = ledger_cli(db_url, "claims", "partnership:deal-b")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "pos\toccurred_at\tentity\ttype\tstatus\torigins\tsources\tstatements",
        "2\t2025-07-07\tpartnership:deal-b\ttalks.reported\tdenied\t1\tNikkei (press)\t"
        f"{FOXCONN}: denied 2025-07-08; {NISSAN}: denied 2025-07-08",
    ]


def test_claims_with_an_unknown_status_is_a_usage_error(db_url, disputed_and_not):
    result = ledger_cli(db_url, "claims", "--status", "rumoured")

    assert result.exit_code == 2
    assert one_error_line(result).startswith("error: --status: expected one of announced, reported,")


def test_show_of_an_entity_no_event_names_exits_1_naming_it(db_url, disputed_and_not):
    result = ledger_cli(db_url, "show", "plant:nowhere")

    assert result.exit_code == 1
    assert one_error_line(result) == "error: no event names plant:nowhere"


# -- rebuild ---------------------------------------------------------------------------------------------
def tamper(db_url: str, sql: str) -> None:
    """Change a projection table behind the ledger's back (they are derived, so not append-only)."""
    engine = sqlalchemy.create_engine(db_url)
    try:
        with engine.begin() as connection:
            changed = connection.execute(sqlalchemy.text(sql)).rowcount
        assert changed == 1, sql
    finally:
        engine.dispose()


def test_rebuild_then_check_both_succeed_and_report_what_they_did(db_url, seeded):
    rebuilt = ledger_cli(db_url, "rebuild")
    checked = ledger_cli(db_url, "rebuild", "--check")

    assert (rebuilt.exit_code, checked.exit_code) == (0, 0), rebuilt.stderr + checked.stderr
    assert re.fullmatch(
        r"rebuilt projections from 11 events: 7 entities, 9 claims \(\d+\.\d\d s\)\n", rebuilt.stdout
    )
    assert re.fullmatch(
        r"projections match a rebuild of 11 events: 7 entities, 9 claims \(\d+\.\d\d s\)\n", checked.stdout
    )


def test_check_after_a_projection_row_was_tampered_with_exits_5_naming_the_entity(db_url, seeded):
    tamper(
        db_url,
        f'UPDATE projected_entities SET doc = \'{{"id": "{OPPAMA}", "employees": 1}}\' '
        f"WHERE entity_id = '{OPPAMA}'",
    )

    result = ledger_cli(db_url, "rebuild", "--check")

    assert result.exit_code == 5
    assert (
        one_error_line(result)
        == f"error: projections differ from a rebuild: entity {OPPAMA} differs from a rebuild"
    )


def test_check_after_a_claim_row_went_missing_exits_5_naming_its_position(db_url, seeded):
    tamper(db_url, "DELETE FROM projected_claims WHERE position = 7")

    result = ledger_cli(db_url, "rebuild", "--check")

    assert result.exit_code == 5
    assert one_error_line(result) == (
        "error: projections differ from a rebuild: claim at position 7 is missing from the projection"
    )


def test_a_rebuild_repairs_a_tampered_projection(db_url, seeded):
    expected = ok_json(db_url, "show", OPPAMA)
    tamper(
        db_url,
        f'UPDATE projected_entities SET doc = \'{{"id": "{OPPAMA}", "employees": 1}}\' '
        f"WHERE entity_id = '{OPPAMA}'",
    )
    assert ok_json(db_url, "show", OPPAMA) != expected  # show reads the projection

    assert ledger_cli(db_url, "rebuild").exit_code == 0

    assert ledger_cli(db_url, "rebuild", "--check").exit_code == 0
    assert ok_json(db_url, "show", OPPAMA) == expected


def test_appending_after_a_rebuild_keeps_the_projections_equal_to_a_rebuild(db_url, seeded):
    claim = an_event(
        "plant.closure_announced",
        {"plant": OPPAMA, "company": NISSAN},
        occurred_at="2025-07-20",
        sources=[PRESS],
    )
    assert ledger_cli(db_url, "rebuild").exit_code == 0
    assert ledger_cli(db_url, "append", "--file", "-", input=json.dumps(claim)).exit_code == 0

    assert ledger_cli(db_url, "rebuild", "--check").exit_code == 0
    assert ok_json(db_url, "show", OPPAMA)["status"] == "closure_announced"
