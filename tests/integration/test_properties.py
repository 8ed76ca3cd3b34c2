"""Every way of building the projections gives the same state (contract section 5), for random histories.

A history is a random valid sequence of events over a small world (3 companies, 2 plants, 2
partnerships, 1 plan): claims of every type, statements by parties and by others about earlier claims,
retractions by reporters, corrections with valid replacements and voids, in any world-time order.
Appending it one event at a time (each append brings the projections up to date), rebuilding from
scratch, and restoring its export into an empty ledger must all show the same thing.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.databases import create_pg_database, drop_pg_database, pg_url
from support.factories import ANONYMOUS, NISSAN_SAYS, PRESS, WIRE, an_event

import ledger
from ledger.api import Ledger

COMPANIES = ("company:nissan", "company:foxconn", "company:mitsubishi-motors")
PLANTS = ("plant:oppama", "plant:tochigi")
PARTNERSHIPS = ("partnership:ev-oppama", "partnership:ev-kyushu")
PLAN = "plan:re-nissan"
SOURCES = (PRESS, WIRE, ANONYMOUS, NISSAN_SAYS)
REPORTERS = tuple(s["name"] for s in SOURCES if s["kind"] != "anonymous")
KINDS = ("plants", "partnerships", "companies", "plans")
EVERYTHING_KNOWN = "9999-12-31"
EVERYTHING_HAPPENED = "9999-12-31"  # as a world-time bound

companies = st.sampled_from(COMPANIES)
plants = st.sampled_from(PLANTS)
partnerships = st.sampled_from(PARTNERSHIPS)
days = st.sampled_from([f"2025-07-0{day}" for day in range(1, 7)] + ["2025-07-03T12:00:00+09:00"])
parties = st.lists(companies, min_size=2, max_size=3, unique=True)
words = st.sampled_from(["EVs", "batteries", "a new model"])


def _with_optional(required: dict[str, Any], **optional: st.SearchStrategy) -> st.SearchStrategy:
    """Data with the required fields and any subset of the optional ones (absent, never null)."""
    return st.fixed_dictionaries(required, optional=optional)


measure = st.one_of(
    st.fixed_dictionaries({"kind": st.just("plant_closures"), "count": st.integers(1, 7), "of": st.just(17)}),
    st.fixed_dictionaries({"kind": st.just("workforce_reduction"), "percent": st.sampled_from([15, 15.5])}),
)
DATA: dict[str, st.SearchStrategy] = {
    "company.registered": _with_optional(
        {"company": companies, "name": words}, country=st.sampled_from(["Japan", "Taiwan"])
    ),
    "plant.registered": _with_optional(
        {
            "plant": plants,
            "name": words,
            "operator": companies,
            "location": st.just({"city": "Yokosuka", "country": "Japan"}),
        },
        employees=st.integers(0, 5000),
    ),
    "plan.announced": _with_optional(
        {
            "plan": st.just(PLAN),
            "company": companies,
            "title": words,
            "measures": st.lists(measure, max_size=2),
        },
        plants=st.lists(plants, max_size=2, unique=True),
    ),
    "plant.closure_considered": st.fixed_dictionaries({"plant": plants, "company": companies}),
    "plant.closure_announced": _with_optional(
        {"plant": plants, "company": companies}, effective_by=st.just("2027-03-31")
    ),
    "plant.closed": st.fixed_dictionaries({"plant": plants}),
    "plant.production_started": _with_optional({"plant": plants, "producer": companies}, product=words),
    "plant.stake_transferred": _with_optional(
        {"plant": plants, "from": companies, "to": companies}, share=st.sampled_from([49, "a portion"])
    ),
    "talks.reported": _with_optional(
        {"partnership": partnerships, "parties": parties, "scope": words}, plant=plants
    ),
    "acquisition.explored": _with_optional(
        {"partnership": partnerships, "acquirer": companies}, plant=plants, stake=words
    ),
    "mou.signed": st.fixed_dictionaries({"partnership": partnerships, "parties": parties, "scope": words}),
    "agreement.signed": st.fixed_dictionaries(
        {"partnership": partnerships, "parties": parties, "scope": words}
    ),
    "deal.completed": st.fixed_dictionaries({"partnership": partnerships}),
    "talks.ended": _with_optional({"partnership": partnerships}, reason=words),
}
STANCES = ("confirmed", "denied", "unconfirmed", "no_comment", "retracted")


def _event_id(index: int) -> str:
    return f"00000000-0000-4000-8000-{index:012x}"


@st.composite
def histories(draw: st.DrawFn, max_events: int = 14) -> list[dict[str, Any]]:
    """A valid sequence of events: every ref names an earlier event of a kind it may reference."""
    events: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    statements: list[dict[str, Any]] = []
    for index in range(draw(st.integers(1, max_events))):
        options = ["claim"] + ["statement", "correction", "void"] * bool(claims)
        what = draw(st.sampled_from(options))
        common = {"occurred_at": draw(days), "event_id": _event_id(index + 1)}
        if what == "claim":
            event_type = draw(st.sampled_from(sorted(DATA)))
            sources = draw(
                st.lists(st.sampled_from(SOURCES), min_size=1, max_size=2, unique_by=lambda s: s["name"])
            )
            event = an_event(event_type, draw(DATA[event_type]), sources=sources, **common)
            claims.append(event)
        elif what == "statement":
            stance = draw(st.sampled_from(STANCES))
            by = draw(st.sampled_from(REPORTERS) if stance == "retracted" else companies)
            about = draw(
                st.lists(st.sampled_from(claims), min_size=1, max_size=2, unique_by=lambda c: c["id"])
            )
            event = an_event(f"report.{stance}", {"by": by}, refs=[c["id"] for c in about], **common)
            statements.append(event)
        else:
            target = draw(st.sampled_from(claims + statements))
            if what == "void":
                data = {"reason": "entered by mistake"}
            elif target in statements:
                data = {"reason": "wrong speaker", "replacement": {"by": draw(companies)}}
            else:
                data = {"reason": "wrong in the entry", "replacement": draw(DATA[target["type"]])}
            event_type = "entry.voided" if what == "void" else "entry.corrected"
            event = an_event(event_type, data, refs=[target["id"]], sources=[], **common)
        events.append(event)
    return events


# -- what must agree -------------------------------------------------------------------------------------
def projections(lg: Ledger) -> dict[str, Any]:
    """Everything the projections answer: each kind's list, every claim, each entity's history."""
    lists = {kind: lg.list(kind) for kind in KINDS}
    entities = [item["id"] for found in lists.values() for item in found]
    return {"lists": lists, "claims": lg.claims(), "histories": {e: lg.history(e) for e in entities}}


def exported(lg: Ledger) -> bytes:
    out = io.BytesIO()
    lg.export(out)
    return out.getvalue()


def check_every_way_agrees(fresh_ledger: Callable[[], AbstractContextManager[Ledger]], events: list) -> None:
    with fresh_ledger() as one_by_one:
        for event in events:
            one_by_one.append(event)
        incremental = projections(one_by_one)
        # The projection tables kept up to date append by append (what `list` reads) are what a fresh fold
        # of each entity's events gives, by either time axis.
        for found in incremental["lists"].values():
            for item in found:
                assert one_by_one.show(item["id"], known_at=EVERYTHING_KNOWN) == item
                assert one_by_one.show(item["id"], as_of=EVERYTHING_HAPPENED) == item
        one_by_one.rebuild(check=True)

        one_by_one.rebuild()
        assert projections(one_by_one) == incremental
        export = exported(one_by_one)

    with fresh_ledger() as restored:
        restored.import_jsonl(io.BytesIO(export), restore=True)
        assert projections(restored) == incremental
        restored.rebuild()
        assert projections(restored) == incremental
        assert exported(restored) == export


# -- on each backend: many examples on SQLite, fewer on PostgreSQL (each costs two databases) -------------
@pytest.fixture(scope="module")
def sqlite_ledgers(sqlite_template, tmp_path_factory) -> Callable[[], AbstractContextManager[Ledger]]:
    @contextmanager
    def fresh() -> Iterator[Ledger]:
        path = tmp_path_factory.mktemp("property") / "ledger.db"
        shutil.copyfile(sqlite_template, path)
        with ledger.open(f"sqlite:///{path}") as opened:
            yield opened
        path.unlink()

    return fresh


@pytest.fixture(scope="module")
def postgresql_ledgers(pg_admin, pg_template) -> Callable[[], AbstractContextManager[Ledger]]:
    @contextmanager
    def fresh() -> Iterator[Ledger]:
        name = create_pg_database(pg_admin, template=pg_template)
        try:
            with ledger.open(pg_url(name)) as opened:
                yield opened
        finally:
            drop_pg_database(pg_admin, name)

    return fresh


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=histories())
def test_appending_rebuilding_and_restoring_give_the_same_projections_on_sqlite(sqlite_ledgers, events):
    check_every_way_agrees(sqlite_ledgers, events)


@settings(max_examples=12, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=histories())
def test_appending_rebuilding_and_restoring_give_the_same_projections_on_postgresql(
    postgresql_ledgers, events
):
    check_every_way_agrees(postgresql_ledgers, events)


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=histories())
def test_known_at_any_append_shows_what_the_ledger_showed_right_after_that_append(sqlite_ledgers, events):
    with sqlite_ledgers() as lg:
        seen: list[tuple[str, dict[str, dict]]] = []  # (recorded_at, every entity's state) after each append
        for event in events:
            lg.append(event)
            [stored] = lg.events(limit=1, reverse=True)
            seen.append((stored.recorded_at, {item["id"]: item for kind in KINDS for item in lg.list(kind)}))

        for (moment, entities), (next_moment, _) in zip(seen, [*seen[1:], (None, {})], strict=True):
            if moment == next_moment:
                continue  # two appends in one clock tick: known_at cannot tell them apart
            assert {e: lg.show(e, known_at=moment) for e in entities} == entities
