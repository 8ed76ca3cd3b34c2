"""The company projection: its reference facts, its group (parent, owners, subsidiaries) and the plants,
partnerships and plans it is part of."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.projections.context import GROUP_TYPES, MAX_DEPTH, Context
from ledger.projections.order import Held, applicable

REGISTERED_FIELDS = ("name", "country", "aliases", "lei", "parent", "owners")
OPERATING = ("plant.registered", "plant.operator_changed", "plant.reopened")
# The claim types whose data `project` reads beyond `partnership` (what a rebuild may leave out of a
# company's fold: `ledger.projections.company_links`).
READS = (
    "company.registered",
    "company.renamed",
    "company.parent_changed",
    "company.merged",
    "company.spun_off",
    *OPERATING,
    "plant.stake_transferred",
    "plan.announced",
    "plan.revised",
)


def project(company_id: str, claims: Sequence[dict[str, Any]], context: Context) -> dict[str, Any]:
    """Fold the claims naming the company (claim JSON, world-time order); the latest applicable one
    sets a field (ties: `ledger.projections.order`).

    `plants` are those it operates now, as each plant's own projection says (`context.operator`): a
    plant handed to another operator by an event that does not name this company leaves the list, and a
    merger brings the absorbed companies' plants. Without a context (the claims alone), the claims
    seen here decide.
    """
    held = {name: Held() for name in REGISTERED_FIELDS}
    names: list[str] = []  # every name it had, oldest first, for `aliases`
    operator_of: dict[str, Held] = {}  # plant -> who runs it, as the claims seen here say
    subsidiaries: dict[str, Held] = {}  # company -> its parent, as the claims seen here say
    merged_into = None
    absorbed: set[str] = set()  # companies merged into this one
    partnerships: set[str] = set()
    plans: set[str] = set()
    for claim in claims:
        data = claim["data"]
        if "partnership" in data and claim["status"] != "voided":
            partnerships.add(data["partnership"])  # listed even if denied: its trail says why
    if context.company_links is not None:  # those of the claims a rebuild's fold left out
        partnerships |= context.company_links.partnerships.get(company_id, set())
    for claim in applicable(claims):
        data = claim["data"]
        kind = claim["type"]
        own = data.get("company") == company_id
        if kind == "company.registered":
            if own:
                for name in REGISTERED_FIELDS:
                    if name in data:
                        held[name].set(data[name], claim)
                names.append(data["name"])
            elif data.get("parent") == company_id:
                subsidiaries.setdefault(data["company"], Held()).set(company_id, claim)
        elif kind == "company.renamed" and own:
            held["name"].set(data["name"], claim)
            names.append(data["name"])
        elif kind == "company.parent_changed":
            if own:
                held["parent"].set(data.get("parent"), claim)
            else:
                subsidiaries.setdefault(data["company"], Held()).set(data.get("parent"), claim)
        elif kind == "company.merged":
            if data["into"] == company_id:
                absorbed.update(data["companies"])
            if company_id in data["companies"]:
                merged_into = data["into"]
                for field in operator_of.values():
                    if field.value == company_id:
                        field.set(data["into"], claim)
        elif kind == "company.spun_off":
            if own:
                held["parent"].set(None, claim)  # spun off: independent of the company it left
            for plant in data.get("plants", ()):
                operator_of.setdefault(plant, Held()).set(data["company"], claim)
        elif kind in OPERATING and "operator" in data:
            operator_of.setdefault(data["plant"], Held()).set(data["operator"], claim)
        elif kind == "plant.stake_transferred":
            if data.get("percent") == 100:  # a minority stake does not make its buyer the operator
                operator_of.setdefault(data["plant"], Held()).set(data["to"], claim)
        elif kind in ("plan.announced", "plan.revised") and data.get("company", company_id) == company_id:
            plans.add(data["plan"])
    aliases = list(held["aliases"].value or [])
    aliases += [n for n in dict.fromkeys(names) if n != held["name"].value and n not in aliases]
    owners = held["owners"].value
    return {
        "id": company_id,
        "kind": "company",
        "name": held["name"].value,
        "country": held["country"].value,
        "aliases": aliases or None,
        "lei": held["lei"].value,
        "parent": held["parent"].value,
        "owners": [] if owners is None else [dict(o) for o in owners],
        "subsidiaries": sorted(c for c, parent in subsidiaries.items() if parent.value == company_id),
        "merged_into": merged_into,
        "plants": _operated(company_id, operator_of, absorbed, context),
        "partnerships": sorted(partnerships),
        "plans": sorted(plans),
    }


def _operated(company_id: str, seen: dict[str, Held], absorbed: set[str], context: Context) -> list[str]:
    """The plants the company operates now: candidates from its own claims and from the companies it
    absorbed (and those they absorbed: a plant follows a chain of mergers), each checked against the
    plant's projection where the context can fold it."""
    candidates = set(seen)
    for company in absorbed_through(absorbed, context):
        candidates |= context.plants_named(company)
    operated = []
    for plant, operator in context.operators(sorted(candidates)).items():
        if operator is None and plant in seen:  # nothing known beyond these claims
            operator = seen[plant].value
        if operator == company_id:
            operated.append(plant)
    return sorted(operated)


def absorbed_through(absorbed: set[str], context: Context) -> set[str]:
    """`absorbed` and every company merged into one of them, and so on (whatever the mergers' status:
    these are candidates only, each plant's own projection decides)."""
    found, frontier = set(absorbed), list(absorbed)
    while frontier and len(found) <= MAX_DEPTH * 8:
        company = frontier.pop()
        for fact in context.facts(company, GROUP_TYPES):
            if fact.type == "company.merged" and fact.data.get("into") == company:
                more = [c for c in fact.data["companies"] if c not in found]
                found.update(more)
                frontier += more
    return found
