"""`ledger changes` and `ledger search` as an analyst runs them: the exact lines they print (piped:
tab-separated), their JSON, and their errors."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from support.factories import statement
from support.runner import ledger_cli, one_error_line

SEED = resources.files("ledger") / "data" / "seed.jsonl"
TALKS = {"id": "333c7d0b-2a7b-5e45-95dd-ffa3656d11ee"}


@pytest.fixture(scope="module")
def desk(module_db_url) -> str:
    """One ledger per backend, only read by the commands."""
    db_url = module_db_url
    with resources.as_file(SEED) as path:
        assert ledger_cli(db_url, "import", str(path)).exit_code == 0
    confirmed = statement("confirmed", "company:foxconn", TALKS, occurred_at="2025-07-08", sources=[])
    result = ledger_cli(
        db_url,
        "append",
        "--file",
        "-",
        input=json.dumps({**confirmed, "sources": [{"name": "Reuters", "kind": "wire"}]}),
    )
    assert result.exit_code == 0, result.stderr
    return db_url


def recorded_at(db_url: str, position: int) -> str:
    result = ledger_cli(db_url, "events", "--since", str(position - 1), "-n", "1", "--json")
    return json.loads(result.stdout)["recorded_at"]


def test_changes_prints_the_fields_and_claims_that_moved(desk):
    result = ledger_cli(desk, "changes", "--since", "@11")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "what\tid\tpos\ttype\tentities\tchange\tfield\told\tnew\tbasis\tbecause",
        "entity\tpartnership:nissan-foxconn-oppama\t\t\t\tchanged\tstage_basis\treported\tconfirmed\t\t",
        # a list: the item that went (-) and the one that came (+)
        "entity\tplant:nissan-oppama\t\t\t\tchanged\tdeals\t-partnership=partnership:nissan-foxconn-oppama; "
        "stage=talks; basis=reported; since=2025-07-07\t+partnership=partnership:nissan-foxconn-oppama; "
        "stage=talks; basis=confirmed; since=2025-07-07\t\t",
        f"claim\t{TALKS['id']}\t7\ttalks.reported\tpartnership:nissan-foxconn-oppama, company:nissan, "
        "company:foxconn, plant:nissan-oppama\tstatus\tstatus\treported\tconfirmed\t\t"
        "12 report.confirmed by company:foxconn 2025-07-08",
    ]


def test_changes_as_a_table_says_from_and_to_which_moments(desk):
    result = ledger_cli(desk, "changes", "--since", "@11", "--format", "table")

    assert result.exit_code == 0, result.stderr
    title = " ".join(result.stdout.split()[:7])  # the title, however the width wrapped it
    assert title == f"changes from @11 ({recorded_at(desk, 11)}) to @12 ({recorded_at(desk, 12)})"


def test_changes_of_one_kind_since_the_empty_ledger_lists_the_entities_added(desk):
    result = ledger_cli(desk, "changes", "--since", "@0", "--until", "@11", "--kind", "plants")

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "what\tid\tpos\ttype\tentities\tchange\tfield\told\tnew\tbasis\tbecause",
        "entity\tplant:nissan-oppama\t\t\t\tadded\t\t\tOppama Plant; Yokosuka, Japan; operator "
        "company:nissan; closure_considered\t\t",
    ]
    assert [line.split("\t")[2:6] for line in lines[2:]] == [
        ["4", "plant.registered", "plant:nissan-oppama, company:nissan", "added"],
        ["6", "plant.closure_considered", "plant:nissan-oppama, company:nissan", "added"],
        [
            "7",
            "talks.reported",
            "partnership:nissan-foxconn-oppama, company:nissan, company:foxconn, plant:nissan-oppama",
            "added",
        ],
        [
            "10",
            "acquisition.explored",
            "partnership:nissan-foxconn-oppama, company:foxconn, plant:nissan-oppama",
            "added",
        ],
    ]


def test_changes_json_is_the_api_document(desk):
    found = json.loads(ledger_cli(desk, "changes", "--since", "@11", "--json").stdout)

    assert set(found) == {"since", "until", "entities", "claims"}
    assert found["since"] == {"position": 11, "recorded_at": recorded_at(desk, 11)}
    assert [set(e) for e in found["entities"]] == [{"id", "kind", "change", "fields"}] * 2
    assert set(found["entities"][0]["fields"][0]) == {"field", "old", "new", "basis"}
    [claim] = found["claims"]
    assert set(claim) == {
        "id",
        "position",
        "type",
        "occurred_at",
        "entities",
        "added",
        "old_status",
        "status",
        "corrected",
        "because",
    }
    assert set(claim["because"][0]) == {"position", "id", "type", "occurred_at", "by"}


CHANGES_REFUSED = [
    (("--since", "@13"), 2, "error: --since: no event at position 13: the ledger's head is at 12"),
    (
        ("--since", "@9", "--until", "@3"),
        2,
        "error: --since: @9 (position 9) is after the end of the changes (position 3)",
    ),
    (
        ("--since", "soon"),
        2,
        "error: --since: expected a date (YYYY-MM-DD), an RFC 3339 timestamp, a period (YYYY, YYYY-Hn, "
        "YYYY-Qn, YYYY-MM) or @POSITION, got 'soon'",
    ),
    (
        ("--since", "@1", "--kind", "factories"),
        2,
        "error: KIND: expected one of companies, plants, partnerships, plans, authorities, got 'factories'",
    ),
    (
        ("--since", "@1", "oppama"),
        2,
        "error: ENTITY: expected an entity id like plant:nissan-oppama "
        "(company|plant|partnership|plan|authority:slug), got 'oppama'",
    ),
    (
        ("--since", "@1", "plant:nissan-opama"),
        1,
        "error: no event names plant:nissan-opama at that moment; did you mean plant:nissan-oppama?",
    ),
]


def test_changes_errors_are_one_line_with_the_documented_exit_code(desk):
    for args, code, line in CHANGES_REFUSED:
        result = ledger_cli(desk, "changes", *args)

        assert result.exit_code == code, args
        assert one_error_line(result) == line


def test_search_prints_the_hits_best_first(desk):
    result = ledger_cli(desk, "search", "NISSAN")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "id\tkind\tmatch\tmatched\tsummary",
        "company:nissan\tcompany\tname\tNissan\tNissan Motor Co., Ltd.; Japan; 1 plant",
        "partnership:nissan-foxconn-oppama\tpartnership\tprefix\tpartnership:nissan-foxconn-oppama\t"
        "company:nissan & company:foxconn; stage talks; plant plant:nissan-oppama",
        "plant:nissan-oppama\tplant\tprefix\tplant:nissan-oppama\tOppama Plant; Yokosuka, Japan; operator "
        "company:nissan; closure_considered",
        "plan:re-nissan\tplan\tsubstring\tRe:Nissan\tRe:Nissan; by company:nissan",
    ]


def test_search_of_a_kind_a_limit_and_json(desk):
    assert ledger_cli(desk, "search", "hon hai", "--kind", "companies").stdout.splitlines()[1:] == [
        "company:foxconn\tcompany\tprefix\tHon Hai Precision Industry Co., Ltd.\tHon Hai Precision Industry "
        "Co., Ltd.; Taiwan"
    ]
    hits = json.loads(ledger_cli(desk, "search", "nissan", "-n", "2", "--json").stdout)
    assert [(h["id"], h["match"]) for h in hits] == [
        ("company:nissan", "name"),
        ("partnership:nissan-foxconn-oppama", "prefix"),
    ]
    assert [set(h) for h in hits] == [{"id", "kind", "name", "match", "matched", "summary"}] * 2
    assert ledger_cli(desk, "search", "zzz").stdout == "id\tkind\tmatch\tmatched\tsummary\n"


def test_search_errors(desk):
    result = ledger_cli(desk, "search", "nissan", "--kind", "factories")
    assert result.exit_code == 2
    assert one_error_line(result) == (
        "error: KIND: expected one of companies, plants, partnerships, plans, authorities, got 'factories'"
    )
    assert ledger_cli(desk, "search", "nissan", "-n", "0").exit_code == 2
