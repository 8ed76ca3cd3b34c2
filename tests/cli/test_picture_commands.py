"""`ledger timeline` and `ledger graph` as a user runs them: the graph's text formats byte for byte on the
demo story (the seed, ledger/data/seed.jsonl) on both backends, what a timeline file holds (its lanes,
bars and marks, and the hover text of each), and the one `error:` line of each failure (docs/CLI.md).
tests/cli/test_pictures_in_browser.py opens the pictures in a browser.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from support.databases import create_pg_database, drop_pg_database, pg_url
from support.runner import jsonl, ledger_cli, one_error_line
from support.trail_story import PARTNERSHIP, PLANT, trail

import ledger
from ledger.times import format_recorded_at, now_utc

SEED = resources.files("ledger") / "data" / "seed.jsonl"
EXPECTED = Path(__file__).resolve().parents[1] / "data" / "pictures"
SVG = "{http://www.w3.org/2000/svg}"


def _ledger(request, tmp_path_factory) -> Iterator[str]:
    """An initialised, empty ledger on the backend `request.param` names, kept for the whole module: the
    tests that use it only read (each writes its pictures to a tmp_path of its own)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('ledger') / 'ledger.db'}"
        ledger.init(url).close()
        yield url
        return
    admin = request.getfixturevalue("pg_admin")
    name = create_pg_database(admin, template=request.getfixturevalue("pg_template"))
    yield pg_url(name)
    drop_pg_database(admin, name)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def seeded(request, tmp_path_factory) -> Iterator[str]:
    """The demo story, imported with `ledger import`."""
    for url in _ledger(request, tmp_path_factory):
        with resources.as_file(SEED) as path:
            result = ledger_cli(url, "import", str(path))
        assert result.exit_code == 0, result.stderr
        yield url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def story(request, tmp_path_factory) -> Iterator[tuple[str, str]]:
    """The trail story imported in two steps; (its URL, a moment between them: before the last events,
    the first of which voids a claim, were recorded)."""
    for url in _ledger(request, tmp_path_factory):
        events = trail()
        voiding = next(i for i, e in enumerate(events) if e["type"] == "entry.voided")
        files = tmp_path_factory.mktemp("story")
        (files / "first.jsonl").write_text(jsonl(events[:voiding]))
        (files / "second.jsonl").write_text(jsonl(events[voiding:]))
        assert ledger_cli(url, "import", str(files / "first.jsonl")).exit_code == 0
        between = format_recorded_at(now_utc())
        assert ledger_cli(url, "import", str(files / "second.jsonl")).exit_code == 0
        yield url, between


def drawn(db_url: str, tmp_path: Path, entity: str, *options: str) -> tuple[list[str], list[str]]:
    """`ledger timeline ENTITY --out t.svg`: (every text the picture shows, every hover title)."""
    out = tmp_path / "t.svg"
    result = ledger_cli(db_url, "timeline", entity, "--out", str(out), "--force", *options)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"wrote the timeline of {entity} to {out} (svg)\n"
    root = ET.parse(out).getroot()
    texts = ["".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")]
    return texts, [t.text or "" for t in root.iter(f"{SVG}title")]


def titled(titles: list[str], start: str) -> str:
    found = [t for t in titles if t.startswith(start)]
    assert len(found) == 1, (start, [t.splitlines()[0] for t in titles])
    return found[0]


# The graph, byte for byte


@pytest.mark.parametrize("fmt, expected", [("dot", "seed.dot"), ("mermaid", "seed.mmd")])
def test_graph_prints_the_demo_story_s_entities_and_ties(seeded, fmt, expected):
    result = ledger_cli(seeded, "graph", "--format", fmt)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == (EXPECTED / expected).read_text()


def test_graph_prints_dot_unless_told_otherwise(seeded):
    assert ledger_cli(seeded, "graph").stdout == (EXPECTED / "seed.dot").read_text()


def test_graph_of_an_entity_keeps_what_lies_within_depth_ties(seeded):
    one = ledger_cli(seeded, "graph", "plant:nissan-oppama", "--depth", "1", "--format", "mermaid")
    two = ledger_cli(seeded, "graph", "plant:nissan-oppama", "--format", "mermaid")  # --depth 2
    none = ledger_cli(seeded, "graph", "plant:nissan-oppama", "--depth", "0", "--format", "mermaid")

    assert one.stdout == (EXPECTED / "seed-oppama-depth-1.mmd").read_text()
    # Two ties away: Foxconn's other deal, but not Mitsubishi Motors, which is three.
    assert "partnership__mitsubishi_motors_foxconn_ev" in two.stdout
    assert "company__mitsubishi_motors[" not in two.stdout
    nodes = [line.split("[", 1)[0].strip() for line in none.stdout.splitlines() if ":::" in line]
    assert nodes == ["plant__nissan_oppama"]


def test_graph_labels_each_tie_with_its_stage_or_basis(story):
    db_url, _ = story
    ties = [
        line for line in ledger_cli(db_url, "graph", "--format", "mermaid").stdout.splitlines() if "|" in line
    ]

    assert ties == [
        '  authority__japan_ftc -.->|"sought (reported)"| partnership__nissan_foxconn_oppama',
        '  company__foxconn -->|"party"| partnership__nissan_foxconn_oppama',
        '  company__nissan -->|"party"| partnership__nissan_foxconn_oppama',
        '  company__nissan -->|"operator since 2025-05-01"| plant__nissan_oppama',
        # The memorandum does not name the plant; the partnership's own stage is the deal's.
        '  partnership__nissan_foxconn_oppama -->|"deal: mou (announced)"| plant__nissan_oppama',
    ]


# The timeline: lanes, bars and marks as the ledger answers


def test_the_timeline_has_a_lane_per_claim_coloured_by_its_status_as_it_changed(story, tmp_path):
    db_url, _ = story
    texts, titles = drawn(db_url, tmp_path, PARTNERSHIP)

    lanes = [t for t in texts if re.fullmatch(r"[a-z_]+\.[a-z_]+ #\d+", t)]
    assert lanes == [
        "talks.reported #7",
        "acquisition.explored #10",
        "talks.reported #11",
        "mou.signed #16",
        "approval.sought #19",
    ]
    assert "stage" in texts
    # Reported, confirmed by Foxconn, then denied by Nissan: disputed.
    assert [t for t in titles if t.startswith("talks.reported #7: ")] == [
        "talks.reported #7: reported, from 2025-07-07 to 2025-08-01",
        "talks.reported #7: confirmed, from 2025-08-01 to 2025-08-04",
        "talks.reported #7: disputed, from 2025-08-04 to now",
    ]
    assert [t for t in titles if t.startswith("stage: ")] == [
        "stage: talks (reported), from 2025-07-07 to 2025-08-01",
        "stage: talks (confirmed), from 2025-08-01 to 2025-08-04",
        "stage: talks (disputed), from 2025-08-04 to 2025-10-01",
        "stage: mou (announced), from 2025-10-01 to now",
    ]
    assert [t for t in titles if t.startswith("acquisition.explored #10: ")] == [
        "acquisition.explored #10: reported, from 2025-07-08 to 2025-09-01",
        "acquisition.explored #10: retracted, from 2025-09-01 to now",
    ]


def test_each_mark_shows_who_said_what_with_its_sources_and_quote(story, tmp_path):
    db_url, _ = story
    _, titles = drawn(db_url, tmp_path, PARTNERSHIP)

    denial = titled(titles, "company:nissan: denied, 2025-08-04")
    assert "“There are no such talks”" in denial and "sources: Nikkei (press)" in denial
    claim = titled(titles, "talks.reported #7, 2025-07-07: reported")
    assert "Nikkei (press), two people familiar with the matter (anonymous)" in claim
    assert "counts: no" in titled(titles, "company:mitsubishi-motors: denied, 2025-08-05")
    assert titled(titles, "Kyodo News: retracted, 2025-09-01")
    assert titled(titles, "company:foxconn: no comment, 2025-07-07")
    assert titled(titles, "company:nissan: unconfirmed, 2025-07-07")
    assert "reason: typo" in titled(titles, "entry.corrected #17: typo")


def test_a_voided_claim_is_voided_from_the_moment_the_ledger_knew_it(story, tmp_path):
    db_url, before_the_void = story

    _, now = drawn(db_url, tmp_path, PARTNERSHIP)
    _, then = drawn(db_url, tmp_path, PARTNERSHIP, "--known-at", before_the_void)

    assert titled(now, "talks.reported #11: ") == "talks.reported #11: voided, from 2025-07-20 to now"
    assert titled(now, "entry.voided #18: entered by mistake")
    assert titled(then, "talks.reported #11: ") == "talks.reported #11: reported, from 2025-07-20 to now"
    assert not [t for t in then if t.startswith("entry.voided")]


def test_as_of_draws_the_world_up_to_that_day_and_marks_it(story, tmp_path):
    db_url, _ = story
    texts, titles = drawn(db_url, tmp_path, PARTNERSHIP, "--as-of", "2025-08-02")

    assert [t for t in titles if t.startswith("stage: ")] == [
        "stage: talks (reported), from 2025-07-07 to 2025-08-01",
        "stage: talks (confirmed), from 2025-08-01 to 2025-08-02",
    ]
    assert "as of 2025-08-02" in texts
    assert not [t for t in texts if t.startswith("mou.signed")]
    assert not [t for t in titles if "denied" in t.splitlines()[0]]


def test_a_plant_has_lanes_for_its_status_operator_and_stakes(story, tmp_path):
    db_url, _ = story
    texts, titles = drawn(db_url, tmp_path, PLANT)

    assert texts[texts.index("status") : texts.index("stakes") + 1] == ["status", "operator", "stakes"]
    assert [t for t in titles if t.startswith(("status: ", "operator: "))] == [
        "status: operating (reported), from 2025-05-01 to 2025-06-02",
        "status: closure_considered (reported), from 2025-06-02 to now",
        "operator: company:nissan (no basis given), from 2025-05-01 to now",
    ]


def test_a_company_s_word_on_claims_that_do_not_name_it_has_a_lane_of_its_own(story, tmp_path):
    db_url, _ = story
    texts, titles = drawn(db_url, tmp_path, "company:mitsubishi-motors")

    assert [t for t in texts if "#" in t or "others'" in t] == [
        "company.registered #3",
        "statements on others' claims",
    ]
    assert "“Not our deal”" in titled(titles, "company:mitsubishi-motors: denied, 2025-08-05")


def test_the_html_page_needs_nothing_from_outside_it(seeded, tmp_path):
    out = tmp_path / "t.html"
    result = ledger_cli(seeded, "timeline", PARTNERSHIP, "--out", str(out))

    assert result.exit_code == 0, result.stderr
    page = out.read_text()
    assert page.startswith("<!doctype html>") and "<svg" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(http" not in page


# Errors: one line, the documented exit code, nothing written


def test_timeline_of_an_entity_no_event_names(seeded, tmp_path):
    result = ledger_cli(seeded, "timeline", "plant:nowhere", "--out", str(tmp_path / "t.html"))

    assert result.exit_code == 1
    assert one_error_line(result) == "error: no event names plant:nowhere"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["t.png", "t", "t.html.txt"])
def test_timeline_out_must_end_in_html_or_svg(seeded, tmp_path, name):
    result = ledger_cli(seeded, "timeline", PLANT, "--out", str(tmp_path / name))

    assert result.exit_code == 2
    assert one_error_line(result) == (
        f"error: --out: expected a file name ending in .html or .svg, got '{tmp_path / name}'"
    )
    assert list(tmp_path.iterdir()) == []


def test_timeline_refuses_a_malformed_entity_or_moment(seeded, tmp_path):
    bad_entity = ledger_cli(seeded, "timeline", "oppama", "--out", str(tmp_path / "t.svg"))
    bad_moment = ledger_cli(seeded, "timeline", PLANT, "--out", str(tmp_path / "t.svg"), "--as-of", "soon")

    assert bad_entity.exit_code == 2 and one_error_line(bad_entity).startswith("error: ENTITY: expected ")
    assert bad_moment.exit_code == 2 and one_error_line(bad_moment).startswith("error: --as-of: expected ")


def test_timeline_replaces_a_file_only_with_force(seeded, tmp_path):
    out = tmp_path / "t.svg"
    out.write_text("keep me")

    refused = ledger_cli(seeded, "timeline", PLANT, "--out", str(out))
    forced = ledger_cli(seeded, "timeline", PLANT, "--out", str(out), "--force")

    assert refused.exit_code == 1
    assert one_error_line(refused) == f"error: {out} exists; give --force to replace it"
    assert forced.exit_code == 0 and out.read_text().startswith("<?xml")


def test_timeline_never_writes_over_the_ledger_s_own_database(tmp_path):
    database = tmp_path / "ledger.svg"  # a ledger whose file name ends in .svg
    url = f"sqlite:///{database}"
    ledger.init(url).close()
    with resources.as_file(SEED) as path:
        assert ledger_cli(url, "import", str(path)).exit_code == 0

    refused = ledger_cli(url, "timeline", PLANT, "--out", str(database), "--force")

    assert refused.exit_code == 1
    assert one_error_line(refused) == (
        f"error: {database} is the ledger's own database (or one of its files); export somewhere else"
    )


def test_graph_of_an_entity_no_event_names(seeded):
    result = ledger_cli(seeded, "graph", "company:nowhere")

    assert result.exit_code == 1
    assert one_error_line(result) == "error: no event names company:nowhere"
    assert result.stdout == ""


def test_graph_refuses_an_unknown_format_and_a_plan(seeded):
    png = ledger_cli(seeded, "graph", "--format", "png")
    plan = ledger_cli(seeded, "graph", "plan:re-nissan")

    assert png.exit_code == 2
    assert one_error_line(png) == "error: --format: expected one of dot, mermaid, html, svg, got 'png'"
    assert plan.exit_code == 2
    assert one_error_line(plan) == (
        "error: ENTITY: the graph draws companies, plants, partnerships and authorities, not a plan"
    )


def test_graph_as_svg_says_what_to_install_without_graphviz(seeded, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` on it
    result = ledger_cli(seeded, "graph", "--format", "svg")

    assert result.exit_code == 1
    assert one_error_line(result).startswith("error: this format needs Graphviz's `dot` program")
    assert ledger_cli(seeded, "graph", "--format", "mermaid").exit_code == 0  # needs nothing more


def test_a_picture_says_what_to_install_without_its_libraries(seeded, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    result = ledger_cli(seeded, "timeline", PLANT, "--out", str(tmp_path / "t.svg"))

    assert result.exit_code == 1
    assert one_error_line(result) == (
        "error: pictures need matplotlib, not installed here: "
        "pip install 'corporate-actions-ledger[pictures]'"
    )
    assert list(tmp_path.iterdir()) == []
