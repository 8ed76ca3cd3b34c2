"""Valid events of every type of the current vocabulary, so each test says only what matters to it."""

from __future__ import annotations

import uuid
from typing import Any

PRESS = {"name": "Nikkei", "kind": "press"}
ANONYMOUS = {"name": "two people familiar with the matter", "kind": "anonymous"}
WIRE = {"name": "Kyodo News", "kind": "wire"}
NISSAN_SAYS = {"name": "Nissan Motor Co., Ltd.", "kind": "company"}


def an_event(
    event_type: str,
    data: dict[str, Any],
    *,
    occurred_at: str = "2025-07-07",
    sources: list[dict[str, Any]] | None = None,
    refs: list[str] | None = None,
    event_id: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": event_id or str(uuid.uuid4()),
        "type": event_type,
        "occurred_at": occurred_at,
        "data": data,
        "sources": [PRESS] if sources is None else sources,
        "refs": refs or [],
    }
    if note is not None:
        event["note"] = note
    return event


def talks(partnership: str = "partnership:nissan-foxconn-oppama", **kw: Any) -> dict[str, Any]:
    return an_event(
        "talks.reported",
        {
            "partnership": partnership,
            "parties": ["company:nissan", "company:foxconn"],
            "plant": "plant:nissan-oppama",
            "scope": "EVs at Oppama",
        },
        **kw,
    )


def statement(stance: str, by: str, *claims: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return an_event(f"report.{stance}", {"by": by}, refs=[c["id"] for c in claims], **kw)


def correction(target: dict[str, Any], replacement: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return an_event(
        "entry.corrected",
        {"reason": "typo", "replacement": replacement},
        refs=[target["id"]],
        sources=[],
        **kw,
    )


def void(target: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return an_event("entry.voided", {"reason": "entered by mistake"}, refs=[target["id"]], sources=[], **kw)


# One valid example of every type (statements and corrections reference the talks event).
TALKS = talks(event_id="11111111-1111-4111-8111-111111111111")
EVERY_TYPE: list[dict[str, Any]] = [
    an_event(
        "company.registered",
        {"company": "company:nissan", "name": "Nissan", "country": "Japan", "aliases": ["Nissan Motor"]},
    ),
    an_event(
        "plant.registered",
        {
            "plant": "plant:nissan-oppama",
            "name": "Oppama",
            "operator": "company:nissan",
            "location": {"city": "Yokosuka", "region": "Kanagawa", "country": "Japan"},
            "employees": 3900,
            "products": ["EVs"],
        },
    ),
    an_event(
        "plan.announced",
        {
            "plan": "plan:re-nissan",
            "company": "company:nissan",
            "title": "Re:Nissan",
            "measures": [
                {"kind": "plant_closures", "count": 7, "of": 17},
                {"kind": "workforce_reduction", "percent": 15.5},
            ],
            "plants": ["plant:nissan-oppama"],
        },
        sources=[NISSAN_SAYS],
    ),
    an_event("plant.closure_considered", {"plant": "plant:nissan-oppama", "company": "company:nissan"}),
    an_event(
        "plant.closure_announced",
        {"plant": "plant:nissan-oppama", "company": "company:nissan", "effective_by": "2027-03-31"},
    ),
    an_event("plant.closed", {"plant": "plant:nissan-oppama"}),
    an_event(
        "plant.production_started",
        {"plant": "plant:nissan-oppama", "producer": "company:foxconn", "product": "Model C"},
    ),
    an_event(
        "plant.stake_transferred",
        {
            "plant": "plant:nissan-oppama",
            "from": "company:nissan",
            "to": "company:foxconn",
            "percent": 49,
            "price": {"value": 1.25e9, "unit": "USD", "approx": True, "text": "about $1.25 billion"},
        },
    ),
    TALKS,
    an_event(
        "acquisition.explored",
        {
            "partnership": "partnership:nissan-foxconn-oppama",
            "acquirer": "company:foxconn",
            "plant": "plant:nissan-oppama",
            "stake_text": "part of the plant",
            "price": {"value": 40000000000, "unit": "JPY"},
        },
        sources=[WIRE],
    ),
    an_event(
        "mou.signed",
        {
            "partnership": "partnership:nissan-foxconn-oppama",
            "parties": ["company:nissan", "company:foxconn"],
            "scope": "EVs",
        },
    ),
    an_event(
        "agreement.signed",
        {
            "partnership": "partnership:nissan-foxconn-oppama",
            "parties": ["company:nissan", "company:foxconn"],
            "scope": "EVs",
        },
    ),
    an_event(
        "deal.completed",
        {
            "partnership": "partnership:nissan-foxconn-oppama",
            "plant": "plant:nissan-oppama",
            "price": {"value": 1.5, "unit": "USD"},
        },
    ),
    an_event("talks.ended", {"partnership": "partnership:nissan-foxconn-oppama", "reason": "no agreement"}),
    an_event(
        "authority.registered",
        {
            "authority": "authority:japan-ftc",
            "name": "Japan Fair Trade Commission",
            "jurisdiction": "Japan",
            "category": "regulator",
        },
    ),
    an_event("company.renamed", {"company": "company:nissan", "name": "Nissan Motor Co."}),
    an_event(
        "company.parent_changed",
        {"company": "company:foxconn-ev", "parent": "company:foxconn", "percent": 100},
    ),
    an_event("company.merged", {"companies": ["company:foxconn-ev"], "into": "company:foxconn"}),
    an_event(
        "company.spun_off",
        {"company": "company:nissan-ev", "from": "company:nissan", "plants": ["plant:nissan-oppama"]},
        occurred_at="2026-Q1",
    ),
    an_event(
        "plan.revised",
        {
            "plan": "plan:re-nissan",
            "measures": [{"kind": "investment", "amount": {"value": 5e10, "unit": "JPY"}}],
            "plants": ["plant:nissan-oppama"],
        },
        occurred_at="2025-10",
    ),
    an_event("plant.reopened", {"plant": "plant:nissan-oppama", "operator": "company:foxconn"}),
    an_event("plant.operator_changed", {"plant": "plant:nissan-oppama", "operator": "company:foxconn"}),
    an_event("plant.production_ended", {"plant": "plant:nissan-oppama", "producer": "company:nissan"}),
    an_event("plant.converted", {"plant": "plant:nissan-oppama", "products": ["EVs"], "scope": "EV line"}),
    an_event(
        "plant.capacity_changed",
        {"plant": "plant:nissan-oppama", "capacity": {"value": 240000, "unit": "vehicles_per_year"}},
    ),
    an_event("plant.workforce_changed", {"plant": "plant:nissan-oppama", "change": -400}),
    an_event(
        "approval.sought",
        {"authority": "authority:japan-ftc", "subject": "partnership:nissan-foxconn-oppama"},
        occurred_at="2026",
    ),
    an_event(
        "approval.decided",
        {
            "authority": "authority:japan-ftc",
            "subject": "partnership:nissan-foxconn-oppama",
            "decision": "conditional",
            "conditions": ["keep the supplier contracts"],
        },
    ),
    statement("confirmed", "company:nissan", TALKS, occurred_at="2025-07-08"),
    statement("denied", "company:foxconn", TALKS, occurred_at="2025-07-08"),
    statement("unconfirmed", "company:nissan", TALKS, occurred_at="2025-07-08"),
    statement("no_comment", "company:foxconn", TALKS, occurred_at="2025-07-08"),
    statement("retracted", "Nikkei", TALKS, occurred_at="2025-07-09"),
    correction(
        TALKS,
        {
            "partnership": "partnership:nissan-foxconn-oppama",
            "parties": ["company:nissan", "company:foxconn"],
            "scope": "EVs at Oppama, corrected",
        },
    ),
    void(TALKS),
]
