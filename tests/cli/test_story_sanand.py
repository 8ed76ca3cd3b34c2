"""A real story, end to end: Ford India's Sanand vehicle plant, closed by Ford in 2021, sold to Tata
Passenger Electric Mobility (TPEML, a Tata Motors subsidiary) in 2022-2023 and restarted by it in 2024.
Dates and figures as reported (docs/stories/sanand.md names the source of each event)."""

from __future__ import annotations

import tempfile
from importlib import resources

import pytest
from typer.testing import CliRunner

import ledger
from ledger.cli.app import app

PLANT, DEAL = "plant:ford-sanand", "partnership:tpeml-ford-sanand"


@pytest.fixture(scope="module")
def sanand(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('sanand') / 'ledger.db'}"
    with ledger.init(url) as lg:
        warnings = []
        with (resources.files("ledger") / "data" / "sanand.jsonl").open("rb") as stream:
            lg.import_jsonl(stream, strict=True, on_warning=warnings.append)
        assert warnings == []
        yield lg


def test_before_the_sale_ford_india_runs_a_closed_plant_with_a_signed_agreement(sanand):
    plant = sanand.show(PLANT, as_of="2022-12-31")

    assert (plant["operator"], plant["status"], plant["status_since"]) == (
        "company:ford-india",
        "closed",
        "2021-10",
    )
    assert plant["closure_effective_by"] == "2021-12-31"
    assert plant["capacity"]["value"] == 240000
    deals = {d["partnership"]: (d["stage"], d["basis"]) for d in plant["deals"]}
    # Ford itself confirmed its subsidiary's agreement: the group rule makes that count.
    assert deals == {
        "partnership:mg-ford-india-plants": ("talks", "reported"),
        DEAL: ("agreement", "confirmed"),
    }


def test_after_the_sale_tpeml_runs_the_restarted_plant(sanand):
    plant = sanand.show(PLANT)

    assert (plant["operator"], plant["operator_since"]) == ("company:tpeml", "2023-01-10")
    assert (plant["status"], plant["status_basis"], plant["status_since"]) == (
        "operating",
        "announced",
        "2024-01-12",
    )
    assert plant["closure_effective_by"] is None
    assert plant["capacity"]["value"] == 300000
    [stake] = plant["stakes"]
    assert (stake["from"], stake["to"], stake["percent"], stake["price"]["value"]) == (
        "company:ford-india",
        "company:tpeml",
        100,
        7257000000,
    )


def test_the_deal_shows_its_price_its_approval_and_its_completion(sanand):
    deal = sanand.show(DEAL)

    assert (deal["stage"], deal["stage_since"]) == ("completed", "2023-01-10")
    assert deal["price"]["text"].startswith("INR 725.7 crore")
    assert [(a["authority"], a["decision"]) for a in deal["approvals"]] == [
        ("authority:government-of-gujarat", "granted")
    ]
    assert "authority:government-of-gujarat" in deal["parties"] or deal["parties"] == [
        "company:tpeml",
        "company:ford-india",
    ]


def test_the_companies_know_their_group_and_their_plants(sanand):
    tpeml, ford_india, tata = (
        sanand.show("company:tpeml"),
        sanand.show("company:ford-india"),
        sanand.show("company:tata-motors"),
    )

    assert tpeml["parent"] == "company:tata-motors" and "company:tpeml" in tata["subsidiaries"]
    assert PLANT in tpeml["plants"]
    assert PLANT not in ford_india["plants"] and "plant:ford-sanand-engine" in ford_india["plants"]


def test_the_plants_history_holds_the_whole_deal_in_world_time_order(sanand):
    types = [e["type"] for e in sanand.history(PLANT)]

    deal_steps = [
        t for t in types if t in ("talks.reported", "mou.signed", "agreement.signed", "deal.completed")
    ]
    assert deal_steps[-3:] == ["mou.signed", "agreement.signed", "deal.completed"]
    assert (
        types.index("plant.closure_announced") < types.index("plant.closed") < types.index("plant.reopened")
    )


def test_the_demo_tells_the_story(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    result = CliRunner().invoke(app, ["demo", "--story", "sanand"], env={"LEDGER_DB": None})

    assert result.exit_code == 0, result.stderr
    assert f"# {PLANT}" in result.stdout and f"# history of {PLANT}" in result.stdout
    assert "operator\tcompany:tpeml" in result.stdout
    assert "imported 27 events from the Sanand story" in result.stderr
