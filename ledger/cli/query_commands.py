"""Commands on the projections: rebuild, show, list, history, claims."""

from __future__ import annotations

import sys
import time
from typing import Annotated, Any

import typer

from ledger.cli import render
from ledger.cli.context import open_ledger
from ledger.entities import PLURALS
from ledger.vocabulary.terms import CLAIM_STATUSES

AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="World time: only events that occurred by then (a date: its end)."),
]
KnownAt = Annotated[
    str | None,
    typer.Option(
        "--known-at", help="Ledger time: only what the ledger had recorded by then (a date: its end)."
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Entity = Annotated[str, typer.Argument(metavar="ENTITY")]


def _summary(data: dict[str, Any]) -> str:
    """A one-line gist of an event's data for tables."""
    parts = []
    for key, value in data.items():
        if key == "replacement":
            value = _summary(value)
        elif isinstance(value, list):
            value = ", ".join(v if isinstance(v, str) else _summary(v) for v in value)
        elif isinstance(value, dict):
            value = _summary(value)
        parts.append(f"{key}={value}")
    return "; ".join(parts)


def _trail(statements: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"{s['by']}: {s['stance']}{' (voided)' if s.get('voided') else ''} {s['occurred_at']}"
        for s in statements
    )


def rebuild(
    ctx: typer.Context,
    check: Annotated[
        bool, typer.Option("--check", help="Rebuild aside and compare; exit 5 on any difference.")
    ] = False,
) -> None:
    """Rebuild every projection from the log.

    Example: ledger rebuild --check
    """
    started = time.perf_counter()
    with open_ledger(ctx) as opened:
        report = opened.rebuild(check=check)
    took = time.perf_counter() - started
    verb = "projections match a rebuild of" if check else "rebuilt projections from"
    sys.stdout.write(
        f"{verb} {report.events} events: {report.entities} entities, {report.claims} claims ({took:.2f} s)\n"
    )


def print_entity(state: dict[str, Any]) -> None:
    claims = state.get("claims")
    render.fields(state["id"], ((k, v) for k, v in state.items() if k not in ("id", "claims")))
    if claims:
        print_claims(claims, title="claims")


def print_claims(claims: list[dict[str, Any]], title: str | None = None) -> None:
    render.table(
        title,
        ("pos", "occurred_at", "type", "status", "sources", "statements"),
        (
            (
                c["position"],
                c["occurred_at"],
                c["type"],
                c["status"],
                render.sources(c["sources"]),
                _trail(c["statements"]),
            )
            for c in claims
        ),
    )


def print_history(entity: str, entries: list[dict[str, Any]]) -> None:
    render.table(
        f"history of {entity}",
        ("pos", "occurred_at", "recorded_at", "type", "who", "status/stance", "what"),
        (
            (
                e["position"],
                e["occurred_at"],
                e["recorded_at"],  # whole: pasted into --known-at, it means this event's commit
                e["type"],
                e["data"].get("by") or render.sources(e["sources"]),
                e.get("status") or e.get("stance") or "",
                _summary(e["data"]) if e["category"] != "statement" else (e["data"].get("quote") or ""),
            )
            for e in entries
        ),
    )


def show(
    ctx: typer.Context,
    entity: Entity,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    as_json: AsJson = False,
) -> None:
    """Show an entity's state now, at a world time (--as-of), or as the ledger knew it (--known-at).

    Example: ledger show plant:nissan-oppama --as-of 2025-07-06
    """
    with open_ledger(ctx) as opened:
        state = opened.show(entity, as_of=as_of, known_at=known_at)
    if as_json:
        render.json_document(state)
    else:
        print_entity(state)


def list_(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(metavar="|".join(PLURALS))],
    as_json: AsJson = False,
) -> None:
    """List the entities of one kind with their current state.

    Example: ledger list plants --json
    """
    with open_ledger(ctx) as opened:
        found = opened.list(kind)
    if as_json:
        render.json_document(found)
        return
    columns = {
        "plants": ("id", "name", "operator", "status", "status_basis"),
        "partnerships": ("id", "parties", "stage", "stage_basis", "plant"),
        "companies": ("id", "name", "country", "plants", "partnerships"),
        "plans": ("id", "company", "title", "basis"),
    }.get(kind, ("id",))
    render.table(kind, columns, ([render.flat(item.get(c)) for c in columns] for item in found))


def history(
    ctx: typer.Context,
    entity: Entity,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    as_json: AsJson = False,
) -> None:
    """The audit trail of an entity in world-time order: who said what, when, and where each claim stands.

    Example: ledger history partnership:nissan-foxconn-oppama
    """
    with open_ledger(ctx) as opened:
        entries = opened.history(entity, as_of=as_of, known_at=known_at)
    if as_json:
        render.json_document(entries)
        return
    print_history(entity, entries)


def claims(
    ctx: typer.Context,
    entity: Annotated[str | None, typer.Argument(metavar="[ENTITY]")] = None,
    status: Annotated[
        str | None,
        typer.Option("--status", help="|".join(CLAIM_STATUSES)),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Claims with their status and trail of statements, of one entity or of the whole ledger.

    Example: ledger claims --status disputed
    """
    with open_ledger(ctx) as opened:
        found = opened.claims(entity, status=status)
    if as_json:
        render.json_document(found)
    else:
        print_claims(found)
