"""Analyst commands: what changed between two ledger moments, and entities found by name."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ledger.cli import render
from ledger.cli.context import open_ledger, settings

Kind = Annotated[
    str | None,
    typer.Option("--kind", metavar="KIND", help="Only entities of this kind (plants, companies, ...)."),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def changes(
    ctx: typer.Context,
    since: Annotated[
        str,
        typer.Option(
            "--since", metavar="T", help="Ledger time: a time, or @POSITION (right after that event)."
        ),
    ],
    entities: Annotated[
        list[str] | None, typer.Argument(metavar="ENTITY", show_default=False, help="Only these entities.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", metavar="T", help="Ledger time to compare with (default: now).")
    ] = None,
    kind: Kind = None,
    as_json: AsJson = False,
) -> None:
    """What changed in the projections between two ledger moments: entities added, each field old -> new
    with its basis, claims added or whose status changed and the statements or corrections why.

    Example: ledger changes --since @1200   |   ledger changes --since 2026-12-01 plant:nissan-oppama
    """
    with open_ledger(settings(ctx).db) as opened:
        found = opened.changes(since, until=until, entities=entities or (), kind=kind)
    if as_json:
        render.json_document(found)
        return
    start, end = found["since"], found["until"]
    render.table(
        f"changes from {_moment(start)} to {_moment(end)}",
        ("entity", "change", "field", "old", "new", "basis"),
        (row for change in found["entities"] for row in _entity_rows(change)),
    )
    render.table(
        "claims",
        ("pos", "type", "entities", "change", "status", "because"),
        (
            (
                claim["position"],
                claim["type"],
                ", ".join(claim["entities"]),
                _claim_change(claim),
                claim["status"] if claim["added"] else f"{claim['old_status']} -> {claim['status']}",
                "; ".join(_cause(c) for c in claim["because"]),
            )
            for claim in found["claims"]
        ),
    )


def _moment(moment: dict[str, Any]) -> str:
    recorded = moment["recorded_at"]
    return f"@{moment['position']}" + (f" ({recorded})" if recorded else "")


def _entity_rows(change: dict[str, Any]) -> list[tuple[Any, ...]]:
    from ledger.names import summary

    if change["change"] == "added":
        state = {"kind": change["kind"], **{f["field"]: f["new"] for f in change["fields"]}}
        return [(change["id"], "added", "", "", summary(state), "")]
    if change["change"] == "removed":
        return [(change["id"], "removed", "", "", "", "")]
    return [
        (change["id"], "changed", f["field"], render.flat(f["old"]), render.flat(f["new"]), f["basis"] or "")
        for f in change["fields"]
    ]


def _claim_change(claim: dict[str, Any]) -> str:
    if claim["added"]:
        return "added"
    moved = ["status"] if claim["old_status"] != claim["status"] else []
    return ", ".join(moved + (["corrected"] if claim["corrected"] else []))


def _cause(event: dict[str, Any]) -> str:
    by = f" by {event['by']}" if event["by"] else ""
    return f"{event['position']} {event['type']}{by} {event['occurred_at']}"


def search(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="An id, a name, an alias or a former name.")],
    kind: Kind = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most N hits.")] = 20,
    as_json: AsJson = False,
) -> None:
    """Find entities by id, name, alias or former name, case- and accent-insensitive, best first: the
    exact id, an exact name, a name that starts with TEXT, a name with a word that starts with it.

    Example: ledger search oppama   |   ledger search "nissan motor" --kind companies
    """
    with open_ledger(settings(ctx).db) as opened:
        hits = opened.search(text, kind=kind, limit=limit)
    if as_json:
        render.json_document(hits)
        return
    render.table(
        None,
        ("id", "kind", "match", "matched", "summary"),
        ((h["id"], h["kind"], h["match"], h["matched"], h["summary"]) for h in hits),
    )
