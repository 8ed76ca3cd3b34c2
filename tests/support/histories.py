"""Random valid histories over a small world, for the property tests: claims of every type in either
vocabulary version, statements by parties, their groups and others, retractions by reporters and by the
wire a copy derives from, corrections with valid replacements and voids, in any world-time order."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from support.factories import ANONYMOUS, NISSAN_SAYS, PRESS, WIRE, an_event

COMPANIES = ("company:nissan", "company:foxconn", "company:mitsubishi-motors", "company:foxconn-ev")
AUTHORITY = "authority:kanagawa"
PLANTS = ("plant:oppama", "plant:tochigi")
PARTNERSHIPS = ("partnership:ev-oppama", "partnership:ev-kyushu")
PLAN = "plan:re-nissan"
COPY = {"name": "Daily Copy", "kind": "press", "derived_from": WIRE["name"]}
SOURCES = (PRESS, WIRE, ANONYMOUS, NISSAN_SAYS, COPY)
REPORTERS = tuple(s["name"] for s in SOURCES if s["kind"] != "anonymous")
KINDS = ("plants", "partnerships", "companies", "plans", "authorities")

companies = st.sampled_from(COMPANIES)
plants = st.sampled_from(PLANTS)
partnerships = st.sampled_from(PARTNERSHIPS)
days = st.sampled_from(
    [f"2025-07-0{day}" for day in range(1, 7)] + ["2025-07-03T12:00:00+09:00", "2025-07", "2025-Q3"]
)
V1_DAYS = days.filter(lambda day: len(day) >= 10)
parties = st.lists(companies, min_size=2, max_size=3, unique=True)
words = st.sampled_from(["EVs", "batteries", "a new model"])
money = st.sampled_from(
    [{"value": 7257000000, "unit": "INR", "text": "INR 725.7 crore"}, {"value": 1.5, "unit": "USD"}]
)


def _with_optional(required: dict[str, Any], **optional: st.SearchStrategy) -> st.SearchStrategy:
    """Data with the required fields and any subset of the optional ones (absent, never null)."""
    return st.fixed_dictionaries(required, optional=optional)


measure = st.one_of(
    st.fixed_dictionaries({"kind": st.just("plant_closures"), "count": st.integers(1, 7), "of": st.just(17)}),
    st.fixed_dictionaries({"kind": st.just("workforce_reduction"), "percent": st.sampled_from([15, 15.5])}),
)
# The shapes both versions share (v2 only added optional fields to these types).
COMMON: dict[str, st.SearchStrategy] = {
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
    "talks.reported": _with_optional(
        {"partnership": partnerships, "parties": parties, "scope": words}, plant=plants
    ),
    "mou.signed": st.fixed_dictionaries({"partnership": partnerships, "parties": parties, "scope": words}),
    "agreement.signed": st.fixed_dictionaries(
        {"partnership": partnerships, "parties": parties, "scope": words}
    ),
    "deal.completed": st.fixed_dictionaries({"partnership": partnerships}),
    "talks.ended": _with_optional({"partnership": partnerships}, reason=words),
}
SHARES = st.sampled_from([49, 100, "100%", "a portion"])
DATA_V1: dict[str, st.SearchStrategy] = {
    **COMMON,
    "plant.stake_transferred": _with_optional(
        {"plant": plants, "from": companies, "to": companies}, share=SHARES
    ),
    "acquisition.explored": _with_optional(
        {"partnership": partnerships, "acquirer": companies}, plant=plants, stake=SHARES.map(str)
    ),
}
DATA_V2: dict[str, st.SearchStrategy] = {
    **COMMON,
    "company.registered": _with_optional(
        {"company": companies, "name": words}, country=st.just("Japan"), parent=companies
    ),
    "company.parent_changed": _with_optional({"company": companies}, parent=companies),
    "company.renamed": st.fixed_dictionaries({"company": companies, "name": words}),
    "company.merged": st.fixed_dictionaries(
        {"companies": st.lists(companies, min_size=1, max_size=2, unique=True), "into": companies}
    ),
    "company.spun_off": _with_optional(
        {"company": companies, "from": companies}, plants=st.lists(plants, max_size=1)
    ),
    "authority.registered": st.fixed_dictionaries(
        {"authority": st.just(AUTHORITY), "name": words, "jurisdiction": st.just("Kanagawa, Japan")}
    ),
    "plan.revised": st.fixed_dictionaries({"plan": st.just(PLAN), "measures": st.lists(measure, max_size=2)}),
    "plant.reopened": _with_optional({"plant": plants}, operator=companies),
    "plant.operator_changed": st.fixed_dictionaries({"plant": plants, "operator": companies}),
    "plant.converted": st.fixed_dictionaries(
        {"plant": plants, "products": st.lists(words, min_size=1, max_size=2)}
    ),
    "plant.workforce_changed": _with_optional({"plant": plants}, employees=st.integers(0, 5000)),
    "plant.stake_transferred": _with_optional(
        {"plant": plants, "from": companies, "to": companies},
        percent=st.sampled_from([49, 100]),
        share_text=words,
        price=money,
    ),
    "acquisition.explored": _with_optional(
        {"partnership": partnerships, "acquirer": companies}, plant=plants, stake_text=words, price=money
    ),
    "approval.sought": st.fixed_dictionaries(
        {"authority": st.just(AUTHORITY), "subject": st.sampled_from(PARTNERSHIPS + PLANTS)}
    ),
    "approval.decided": st.fixed_dictionaries(
        {
            "authority": st.just(AUTHORITY),
            "subject": st.sampled_from(PARTNERSHIPS + PLANTS),
            "decision": st.sampled_from(["granted", "refused", "conditional"]),
        }
    ),
}
DATA = {1: DATA_V1, 2: DATA_V2}
STANCES = ("confirmed", "denied", "unconfirmed", "no_comment", "retracted")


def event_id(index: int) -> str:
    return f"00000000-0000-4000-8000-{index:012x}"


@st.composite
def histories(
    draw: st.DrawFn, max_events: int = 14, versions: tuple[int, ...] = (1, 2)
) -> list[dict[str, Any]]:
    """A valid sequence of events: every ref names an earlier event of a kind it may reference. Each
    claim is written in one of `versions` (a v1 one says `"v": 1`)."""
    events: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    statements: list[dict[str, Any]] = []
    for index in range(draw(st.integers(1, max_events))):
        options = ["claim"] + ["statement", "correction", "void"] * bool(claims)
        what = draw(st.sampled_from(options))
        target = draw(st.sampled_from(claims + statements)) if what in ("correction", "void") else None
        version = draw(st.sampled_from(versions)) if target is None else target.get("v", 2)
        when = days if version == 2 else V1_DAYS  # periods came with v2
        common = {"occurred_at": draw(when), "event_id": event_id(index + 1)}
        if what == "claim":
            event_type = draw(st.sampled_from(sorted(DATA[version])))
            kinds = SOURCES if version == 2 else SOURCES[:4]  # derived_from came with v2
            sources = draw(
                st.lists(st.sampled_from(kinds), min_size=1, max_size=2, unique_by=lambda s: s["name"])
            )
            event = an_event(event_type, draw(DATA[version][event_type]), sources=sources, **common)
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
            assert target is not None
            if what == "void":
                data = {"reason": "entered by mistake"}
            elif target in statements:
                data = {"reason": "wrong speaker", "replacement": {"by": draw(companies)}}
            else:
                data = {"reason": "wrong in the entry", "replacement": draw(DATA[version][target["type"]])}
            event_type = "entry.voided" if what == "void" else "entry.corrected"
            event = an_event(event_type, data, refs=[target["id"]], sources=[], **common)
        if version == 1:
            event["v"] = 1
        events.append(event)
    return events


@st.composite
def operator_stories(draw: st.DrawFn, max_steps: int = 8) -> list[dict[str, Any]]:
    """A plant changing hands among three registered companies, some of which merge, with statements
    about each change by them, and corrections and voids of the claims and the statements: what decides
    who operates the plant, as the plant itself and as each company sees it."""
    owners = st.sampled_from(COMPANIES[:3])
    events = [
        an_event("company.registered", {"company": c, "name": c.split(":")[1]}, event_id=event_id(i + 1))
        for i, c in enumerate(COMPANIES[:3])
    ]
    plant = PLANTS[0]
    first = {
        "plant": plant,
        "name": "Oppama",
        "operator": draw(owners),
        "location": {"city": "Oppama", "country": "Japan"},
    }
    claims = [an_event("plant.registered", first, occurred_at="2025-07-01", event_id=event_id(4))]
    events += claims
    statements: list[dict[str, Any]] = []
    for index in range(5, 5 + draw(st.integers(1, max_steps))):
        common = {"occurred_at": draw(days), "event_id": event_id(index)}
        what = draw(st.sampled_from(["change", "stake", "statement", "void", "correct", "merge"]))
        if what == "change":
            event = an_event("plant.operator_changed", {"plant": plant, "operator": draw(owners)}, **common)
            claims.append(event)
        elif what == "merge":
            absorbed, into = draw(st.permutations(COMPANIES[:3]))[:2]
            event = an_event("company.merged", {"companies": [absorbed], "into": into}, **common)
            claims.append(event)
        elif what == "stake":
            sides = draw(st.permutations(COMPANIES[:3]))
            data = {
                "plant": plant,
                "from": sides[0],
                "to": sides[1],
                "percent": draw(st.sampled_from([10, 60])),
            }
            event = an_event("plant.stake_transferred", data, **common)
            claims.append(event)
        elif what == "statement":
            stance = draw(st.sampled_from(["confirmed", "denied"]))
            about = draw(st.sampled_from(claims))
            event = an_event(f"report.{stance}", {"by": draw(owners)}, refs=[about["id"]], **common)
            statements.append(event)
        elif what == "void":
            target = draw(st.sampled_from(statements + claims[1:] or claims))
            data = {"reason": "entered by mistake"}
            event = an_event("entry.voided", data, refs=[target["id"]], sources=[], **common)
        elif statements:
            target = draw(st.sampled_from(statements))
            data = {"reason": "wrong speaker", "replacement": {"by": draw(owners)}}
            event = an_event("entry.corrected", data, refs=[target["id"]], sources=[], **common)
        else:
            continue
        events.append(event)
    return events


def derandomized(max_examples: int) -> settings:
    """A property's settings when CI must meet the same examples as every run here: derandomized, no
    example database, no deadline (a story imports into a real ledger)."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
