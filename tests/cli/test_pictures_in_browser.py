"""The pictures as a reader sees them: each file `ledger timeline` or `ledger graph` writes, opened in
headless Chromium, loads with no console error and asks for nothing outside itself, shows every claim's
label (every entity, for the graph) and the legend, with no two texts on top of each other; a click on a
mark shows its sources and quote. Each test saves a screenshot ($LEDGER_SCREENSHOTS, or a folder of
pytest's own). One browser serves the whole module; the ledger is SQLite (the backends are the business
of tests/cli/test_picture_commands.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support.browser import Opened, launched, open_file, overlapping, require, screenshots
from support.runner import jsonl, ledger_cli
from support.trail_story import PARTNERSHIP, PLANT, trail

import ledger
from ledger.pictures import style


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launched()


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("story")
    url = f"sqlite:///{folder / 'ledger.db'}"
    ledger.init(url).close()
    (folder / "story.jsonl").write_text(jsonl(trail()))
    assert ledger_cli(url, "import", str(folder / "story.jsonl")).exit_code == 0
    return url


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    return screenshots(tmp_path_factory)


def claim_labels(url: str, entity: str) -> list[str]:
    with ledger.open(url) as lg:
        return [f"{e['type']} #{e['position']}" for e in lg.history(entity) if e["category"] == "claim"]


def timeline(browser: Any, url: str, out: Path, entity: str, *options: str, **size: int) -> Opened:
    result = ledger_cli(url, "timeline", entity, "--out", str(out), "--force", *options)
    assert result.exit_code == 0, result.stderr
    opened = open_file(browser, out, **size)
    assert opened.errors == []
    assert opened.requests == []
    return opened


def saved(opened: Opened, path: Path, *, full_page: bool = True) -> None:
    opened.page.screenshot(path=str(path), full_page=full_page)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


LEGEND = [
    "bars: a claim's status (a field's basis)",
    "marks",
    *style.STATUS_COLOURS,
    *(m.legend for m in (style.CLAIM_MARK, *style.STANCE_MARKS.values(), *style.CORRECTION_MARKS.values())),
]


def test_the_timeline_page_shows_every_claim_and_the_legend(browser, story, tmp_path, shots):
    opened = timeline(browser, story, tmp_path / "partnership.html", PARTNERSHIP)

    texts = opened.texts("svg text")
    assert [t for t in opened.texts('g[id^="ytick_"] text')] == ["stage", *claim_labels(story, PARTNERSHIP)]
    assert [item for item in LEGEND if item not in texts] == []
    assert overlapping(opened.boxes("svg text")) == []
    saved(opened, shots / "timeline-partnership.png")


def test_clicking_a_mark_shows_its_sources_and_quote(browser, story, tmp_path, shots):
    opened = timeline(browser, story, tmp_path / "partnership.html", PARTNERSHIP)
    denial = opened.page.evaluate(
        """() => [...document.querySelectorAll("g.mark")]
                 .find(g => g.querySelector("title").textContent.includes("There are no such talks")).id"""
    )

    opened.page.click(f'[id="{denial}"]')

    detail = opened.page.inner_text("#detail")
    assert "company:nissan: denied, 2025-08-04" in detail
    assert "“There are no such talks”" in detail and "Nikkei (press)" in detail
    retraction = opened.page.locator("g.mark", has=opened.page.locator("title", has_text="Kyodo withdraws"))
    retraction.focus()
    opened.page.keyboard.press("Enter")
    assert "Kyodo News: retracted" in opened.page.inner_text("#detail")
    saved(opened, shots / "timeline-partnership-clicked.png")


def test_a_plant_s_timeline_shows_its_fields_and_claims_and_the_moments_asked(
    browser, story, tmp_path, shots
):
    today = datetime.now(UTC).date().isoformat()  # the story was recorded today, in 2025's world
    opened = timeline(
        browser, story, tmp_path / "plant.html", PLANT, "--as-of", "2025-09-15", "--known-at", today
    )

    labels = opened.texts('g[id^="ytick_"] text')
    assert labels[:3] == ["status", "operator", "stakes"]
    assert labels[3:] == claim_labels(story, PLANT)[: len(labels) - 3]
    texts = opened.texts("svg text")
    assert "as of 2025-09-15" in texts and f"→ known at {today}, off this axis" in texts
    assert overlapping(opened.boxes("svg text")) == []
    saved(opened, shots / "timeline-plant-as-of.png")


def test_the_timeline_svg_opens_on_its_own_with_hover_text(browser, story, tmp_path, shots):
    opened = timeline(browser, story, tmp_path / "partnership.svg", PARTNERSHIP, width=1300, height=800)

    assert any("There are no such talks" in t for t in opened.texts("g.mark > title"))
    assert set(claim_labels(story, PARTNERSHIP)) <= set(opened.texts("text"))
    saved(opened, shots / "timeline-partnership-svg.png", full_page=False)


def test_the_graph_page_shows_every_entity_and_the_legend(browser, story, tmp_path, shots):
    require(shutil.which("dot"), "Graphviz's dot is not installed (Debian: apt-get install graphviz)")
    out = tmp_path / "graph.html"
    result = ledger_cli(story, "graph", "--format", "html")
    assert result.exit_code == 0, result.stderr
    out.write_text(result.stdout)

    opened = open_file(browser, out)

    assert opened.errors == [] and opened.requests == []
    texts = opened.texts("svg text")
    with ledger.open(story) as lg:
        entities = [
            e["id"] for kind in ("companies", "plants", "partnerships", "authorities") for e in lg.list(kind)
        ]
    assert [entity for entity in entities if entity not in texts] == []
    assert {"legend", "company", "plant", "partnership", "authority", "announced", "reported"} <= set(texts)
    assert overlapping(opened.boxes("svg text")) == []
    saved(opened, shots / "graph.png")
