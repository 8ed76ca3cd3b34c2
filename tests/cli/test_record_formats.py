"""`--format table|json|nl|csv|tsv` on every command that prints records: CSV and TSV read back by
Python's csv module say what the JSON says (quotes, tabs, line breaks and other scripts in a quote
included), nl is the JSON one record per line, `--json` is `--format json` byte for byte, and piped
output with no format is TSV."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources

import pytest
from support.factories import statement
from support.runner import jsonl, ledger_cli, one_error_line
from typer.testing import CliRunner

from ledger.cli.app import app

SEED = resources.files("ledger") / "data" / "seed.jsonl"
PARTNERSHIP, OPPAMA = "partnership:nissan-foxconn-oppama", "plant:nissan-oppama"
TALKS = {"id": "333c7d0b-2a7b-5e45-95dd-ffa3656d11ee"}
QUOTE = 'we said "no\tcomment",\nthen: 工場は「検討中」\r\nand that\'s all, “really”'


@pytest.fixture(scope="module")
def desk(module_db_url) -> str:
    """The seed story and a statement whose quote holds quotes, a tab, line breaks and Japanese."""
    with resources.as_file(SEED) as path:
        assert ledger_cli(module_db_url, "import", str(path)).exit_code == 0
    said = statement("denied", "company:foxconn", TALKS, occurred_at="2025-07-09")
    said["data"]["quote"] = QUOTE
    result = ledger_cli(module_db_url, "import", "-", input=jsonl([said]))
    assert result.exit_code == 0, result.stderr
    return module_db_url


def out(db_url: str, *args: str) -> str:
    result = ledger_cli(db_url, *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes.decode()  # as written: Result.stdout would turn \r\n into \n


def read_back(text: str, form: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter="," if form == "csv" else "\t"))


def as_json(db_url: str, *args: str):
    return json.loads(out(db_url, *args, "--json"))


@pytest.mark.parametrize("form", ["csv", "tsv"])
def test_history_read_back_from_csv_and_tsv_is_the_json(desk, form):
    entries = as_json(desk, "history", PARTNERSHIP)
    rows = read_back(out(desk, "history", PARTNERSHIP, "--format", form), form)

    assert [
        (r["pos"], r["occurred_at"], r["recorded_at"], r["type"], r["who"], r["status"]) for r in rows
    ] == [
        (
            str(e["position"]),
            e["occurred_at"],
            e["recorded_at"],
            e["type"],
            e["data"].get("by") or ", ".join(f"{s['name']} ({s['kind']})" for s in e["sources"]),
            e.get("status") or e.get("stance"),
        )
        for e in entries
    ]
    [denial] = [r for r in rows if r["type"] == "report.denied"]
    assert denial["what"] == QUOTE
    assert denial["about"] == "7 talks.reported"


@pytest.mark.parametrize("form", ["csv", "tsv"])
def test_claims_read_back_from_csv_and_tsv_are_the_json(desk, form):
    claims = as_json(desk, "claims")
    rows = read_back(out(desk, "claims", "--format", form), form)

    assert list(rows[0]) == [
        "pos",
        "occurred_at",
        "entity",
        "type",
        "status",
        "origins",
        "sources",
        "statements",
    ]
    assert [(r["pos"], r["occurred_at"], r["type"], r["status"], r["origins"]) for r in rows] == [
        (str(c["position"]), c["occurred_at"], c["type"], c["status"], str(c["origins"])) for c in claims
    ]
    assert rows[6]["entity"] == PARTNERSHIP
    assert rows[6]["statements"] == (
        "company:nissan: unconfirmed 2025-07-07; company:foxconn: no_comment 2025-07-07; "
        "company:foxconn: denied 2025-07-09"
    )


@pytest.mark.parametrize("form", ["csv", "tsv"])
def test_show_read_back_from_csv_and_tsv_is_the_json_field_by_field(desk, form):
    shown = as_json(desk, "show", PARTNERSHIP)
    rows = read_back(out(desk, "show", PARTNERSHIP, "--format", form), form)

    assert [r["field"] for r in rows] == list(shown)
    for row in rows:
        value = shown[row["field"]]
        if value is None:
            assert row["value"] == ""
        elif isinstance(value, str):
            assert row["value"] == value
        else:  # numbers, lists and objects as JSON
            assert json.loads(row["value"]) == value
    [claims] = [r for r in rows if r["field"] == "claims"]
    assert QUOTE in [s.get("quote") for c in json.loads(claims["value"]) for s in c["statements"]]


@pytest.mark.parametrize("form", ["csv", "tsv"])
def test_events_read_back_from_csv_and_tsv_are_the_jsonl(desk, form):
    events = [json.loads(line) for line in out(desk, "events", "--json").splitlines()]
    rows = read_back(out(desk, "events", "--format", form), form)

    assert [(r["pos"], r["id"], r["type"], r["occurred_at"], r["recorded_at"]) for r in rows] == [
        (str(e["position"]), e["id"], e["type"], e["occurred_at"], e["recorded_at"]) for e in events
    ]


@pytest.mark.parametrize(
    "args",
    [
        ("show", PARTNERSHIP),
        ("list", "partnerships"),
        ("history", PARTNERSHIP),
        ("claims",),
        ("events",),
        ("changes", "--since", "@11"),
        ("search", "nissan"),
        ("types", "report.denied"),
        ("types",),
    ],
    ids=" ".join,
)
def test_json_is_format_json_byte_for_byte(desk, args):
    assert out(desk, *args, "--json") == out(desk, *args, "--format", "json")


@pytest.mark.parametrize(
    ("args", "records"),
    [
        (("list", "partnerships"), lambda doc: doc),
        (("history", PARTNERSHIP), lambda doc: doc),
        (("claims", PARTNERSHIP), lambda doc: doc),
        (("search", "nissan"), lambda doc: doc),
        (("show", OPPAMA), lambda doc: [doc]),
        (("changes", "--since", "@11"), lambda doc: [doc]),
    ],
    ids=lambda a: " ".join(a) if isinstance(a, tuple) else "",
)
def test_nl_prints_each_record_of_the_json_on_its_own_line(desk, args, records):
    lines = out(desk, *args, "--format", "nl").splitlines()

    assert [json.loads(line) for line in lines] == records(as_json(desk, *args))


def test_events_nl_is_the_jsonl_of_json(desk):
    assert out(desk, "events", "--format", "nl") == out(desk, "events", "--json")


def test_types_nl_is_one_type_per_line_with_its_schema(desk):
    lines = [json.loads(line) for line in out(desk, "types", "--format", "nl").splitlines()]
    schemas = as_json(desk, "types")

    assert {line["type"]: line["schema"] for line in lines} == schemas["types"]
    assert {line["version"] for line in lines} == {schemas["version"]}


@pytest.mark.parametrize(
    "args",
    [("show", OPPAMA), ("list", "plants"), ("claims",), ("events", "-n", "2"), ("search", "oppama")],
    ids=" ".join,
)
def test_piped_with_no_format_is_tsv(desk, args):
    assert out(desk, *args) == out(desk, *args, "--format", "tsv")


def test_a_table_asked_for_when_piped_is_drawn(desk):
    result = CliRunner().invoke(
        app, ["--db", desk, "claims", PARTNERSHIP, "--format", "table"], env={"COLUMNS": "200"}
    )

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(len(line) <= 200 for line in lines)
    assert any("talks.reported" in line and "disputed" not in line for line in lines)
    assert "\t" not in result.stdout


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ("claims", "--format", "xml"),
            "error: --format: expected one of table, json, nl, csv, tsv, got 'xml'",
        ),
        (
            ("show", OPPAMA, "--json", "--format", "csv"),
            "error: --format: --json is --format json, got --format csv too",
        ),
        (
            ("history", OPPAMA, "--oneline", "--format", "csv"),
            "error: --format: --oneline lays out the table, not --format csv",
        ),
        (
            ("history", OPPAMA, "--all", "-n", "5"),
            "error: --limit: --all prints every entry: give --all or --limit, not both",
        ),
    ],
    ids=lambda a: " ".join(a) if isinstance(a, tuple) else "",
)
def test_a_format_that_cannot_be_is_a_usage_error(desk, args, error):
    result = ledger_cli(desk, *args)

    assert result.exit_code == 2
    assert one_error_line(result) == error
    assert result.stdout == ""
