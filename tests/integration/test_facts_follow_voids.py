"""What one entity's fold reads about another (who operates a plant, a company's parent) follows the
corrections and voids of the statements about those claims, as the other entity's own fold does.

A company's `plants` asks each plant it ever named who operates it now; the answer must be the plant's
own `operator`, whether the company was folded after an append, in a rebuild (in workers or not), or at a
past moment. A voided denial of a change of operator no longer decides it."""

from __future__ import annotations

import pytest
from support.factories import an_event, statement, void

from ledger.read_model import workers

PLANT = "plant:zwickau"
OLD, NEW = "company:sierra", "company:meridian"

REGISTERED = an_event(
    "plant.registered",
    {
        "plant": PLANT,
        "name": "Zwickau Plant",
        "operator": OLD,
        "location": {"city": "Zwickau", "country": "Germany"},
    },
    occurred_at="2021-03-14",
)
CHANGED = an_event("plant.operator_changed", {"plant": PLANT, "operator": NEW}, occurred_at="2024-04-26")
DENIED = statement("denied", NEW, CHANGED, occurred_at="2024-05-04")  # by a party: it counts
VOIDED = void(DENIED, occurred_at="2025-08-23")
COMPANIES = [
    an_event("company.registered", {"company": c, "name": c.split(":")[1].title(), "country": "Germany"})
    for c in (OLD, NEW)
]


def operated(lg) -> tuple[str | None, list[str], list[str]]:
    """The plant's operator, and the plants each company says it operates."""
    return (
        lg.show(PLANT)["operator"],
        lg.show(OLD)["plants"],
        lg.show(NEW)["plants"],
    )


@pytest.fixture(params=["in process", "in workers"])
def rebuilt_how(request, monkeypatch):
    if request.param == "in workers":
        monkeypatch.setattr(workers, "WORKERS", 2)
        monkeypatch.setattr(workers, "PARALLEL_FROM", 0)
        monkeypatch.setattr(workers, "TASK_ROWS", 2)
    return request.param


def test_a_voided_denial_of_a_new_operator_gives_the_plant_to_it_in_every_fold(lg, rebuilt_how):
    for event in [*COMPANIES, REGISTERED, CHANGED, DENIED]:
        lg.append(event)
    assert operated(lg) == (OLD, [PLANT], [])  # the new operator denied it: it does not apply

    lg.append(VOIDED)  # the denial was entered against the wrong plant
    assert operated(lg) == (NEW, [], [PLANT])

    lg.rebuild()
    assert operated(lg) == (NEW, [], [PLANT])
    lg.rebuild(check=True)


def test_at_a_past_moment_the_company_sees_the_denial_as_the_plant_then_did(lg):
    for event in [*COMPANIES, REGISTERED, CHANGED, DENIED, VOIDED]:
        lg.append(event)
    before_void = f"@{len(COMPANIES) + 3}"
    assert lg.show(PLANT, known_at=before_void)["operator"] == OLD
    assert lg.show(NEW, known_at=before_void)["plants"] == []
    assert lg.show(OLD, known_at=before_void)["plants"] == [PLANT]


def test_a_plant_that_follows_a_chain_of_mergers_is_listed_by_the_last_absorber(lg, rebuilt_how):
    """The plant's operator merges into a company that itself merged into a third: the plant follows
    both mergers, and the third company lists it (a company's candidates include what the companies it
    absorbed had absorbed)."""
    third = "company:foxconn"
    merged_first = an_event("company.merged", {"companies": [NEW], "into": third}, occurred_at="2025-07-01")
    merged_then = an_event("company.merged", {"companies": [OLD], "into": NEW}, occurred_at="2025-07-01")
    registered = an_event("company.registered", {"company": third, "name": "Foxconn", "country": "Taiwan"})
    for event in [*COMPANIES, registered, REGISTERED, merged_first, merged_then]:
        lg.append(event)
    expected = (third, [], [])
    assert operated(lg) == expected and lg.show(third)["plants"] == [PLANT]
    lg.rebuild()
    assert operated(lg) == expected and lg.show(third)["plants"] == [PLANT]
