"""`ledger demo`: a fresh ledger from the bundled seed story, and what it shows (contract section 6)."""

from __future__ import annotations

import tempfile

import pytest
from support.runner import ledger_cli, state
from typer.testing import CliRunner

from ledger.cli.app import app

OPPAMA = "plant:nissan-oppama"
PARTNERSHIP = "partnership:nissan-foxconn-oppama"


@pytest.fixture
def demo(tmp_path, monkeypatch):
    """`ledger demo` without --db (nor LEDGER_DB), its temporary folder kept under tmp_path."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = CliRunner().invoke(app, ["demo"], env={"LEDGER_DB": None})
    assert result.exit_code == 0, result.stderr
    return result


def section(stdout: str, title: str) -> list[str]:
    """The lines of one printed table, from its `# title` line to the next title."""
    lines = stdout.splitlines()
    start = lines.index(f"# {title}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("# ")), len(lines))
    return lines[start + 1 : end]


def fields(stdout: str, title: str) -> dict[str, str]:
    return dict(line.split("\t", 1) for line in section(stdout, title)[1:])


def test_the_demo_shows_the_oppama_plant_run_by_nissan_and_considered_for_closure(demo):
    plant = fields(demo.stdout, OPPAMA)

    assert (plant["name"], plant["operator"], plant["employees"]) == (
        "Oppama Plant",
        "company:nissan",
        "3900",
    )
    assert (plant["status"], plant["status_basis"]) == ("closure_considered", "reported")
    assert plant["partnerships"] == PARTNERSHIP


def test_the_demo_shows_the_partnership_with_its_sources_and_what_each_company_said(demo):
    partnership = fields(demo.stdout, PARTNERSHIP)
    claims = section(demo.stdout, "claims")

    assert (partnership["stage"], partnership["stage_basis"]) == ("talks", "reported")
    assert partnership["parties"] == "company:nissan, company:foxconn"
    [talks] = [row.split("\t") for row in claims if "\ttalks.reported\t" in row]
    assert talks[3] == "reported"
    assert talks[4].startswith("Nikkei (press), two people familiar with the matter (anonymous)")
    assert talks[5] == "company:nissan: unconfirmed 2025-07-07; company:foxconn: no_comment 2025-07-07"


def test_the_demo_shows_kyodo_s_report_that_foxconn_may_buy_part_of_the_plant(demo):
    partnership = fields(demo.stdout, PARTNERSHIP)
    [acquisition] = [
        row.split("\t") for row in section(demo.stdout, "claims") if "acquisition.explored" in row
    ]

    assert partnership["acquisition"].startswith(
        "acquirer=company:foxconn; stake_text=a portion of the plant;"
    )
    assert acquisition[3:5] == ["reported", "Kyodo News (wire), Wyoming Star (press)"]


def test_the_demo_shows_the_re_nissan_plan_as_announced(demo):
    plan = fields(demo.stdout, "plan:re-nissan")

    assert (plan["title"], plan["basis"], plan["announced_at"]) == ("Re:Nissan", "announced", "2025-05-13")
    assert "count=7" in plan["measures"] and "of=17" in plan["measures"] and "percent=15" in plan["measures"]


def test_the_demo_ends_with_the_plant_s_history_in_world_time_order(demo):
    history = section(demo.stdout, f"history of {OPPAMA}")

    assert history[0] == "pos\toccurred_at\trecorded_at\ttype\twho\tstatus/stance\twhat"
    assert [row.split("\t")[3] for row in history[1:]] == [
        "plant.registered",
        "plant.closure_considered",
        "talks.reported",
        "report.unconfirmed",
        "report.no_comment",
        "acquisition.explored",
    ]


def test_the_demo_builds_a_fresh_ledger_in_a_temporary_folder_and_says_where(demo, tmp_path):
    [folder] = tmp_path.glob("ledger-demo-*")
    url = f"sqlite:///{folder / 'demo.db'}"

    assert demo.stderr.startswith(f"demo ledger at {url}: imported 11 events from the seed story")
    assert demo.stderr.endswith(f"try: ledger --db {url} history {PARTNERSHIP}\n")
    assert state(url)[0] == 11


def test_the_demo_with_db_builds_its_ledger_in_that_database(db_url):
    result = ledger_cli(db_url, "demo")

    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(f"demo ledger at {db_url}: imported 11 events")
    shown = ledger_cli(db_url, "show", OPPAMA, "--json")
    assert shown.exit_code == 0, shown.stderr
    assert '"employees": 3900' in shown.stdout


def test_the_demo_run_again_on_the_same_database_appends_nothing(db_url):
    assert ledger_cli(db_url, "demo").exit_code == 0
    before = state(db_url)

    again = ledger_cli(db_url, "demo")

    assert again.exit_code == 0, again.stderr
    assert "imported 0 events from the seed story (11 already present)" in again.stderr
    assert state(db_url) == before


def test_the_demo_with_db_on_an_uninitialised_database_creates_the_schema(blank_db_url):
    result = ledger_cli(blank_db_url, "demo")

    assert result.exit_code == 0, result.stderr
    assert state(blank_db_url)[0] == 11
