"""What the read commands and `checkpoint` do and print, without a CLI framework: the Typer commands
(query_commands.py, log_commands.py, transparency_commands.py) and the fast entry point (entry.py) both
call these, given the database URL and the parsed flags under the Typer parameters' names.
"""

from __future__ import annotations

import sys
from typing import Any

from ledger.cli import render
from ledger.cli.context import open_ledger


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
    db: str, entity: str, as_of: str | None = None, known_at: str | None = None, as_json: bool = False
) -> None:
    with open_ledger(db) as opened:
        state = opened.show(entity, as_of=as_of, known_at=known_at)
    if as_json:
        render.json_document(state)
    else:
        print_entity(state)


# The columns `list` prints of each kind (the id alone for the others).
LIST_COLUMNS = {
    "plants": ("id", "name", "operator", "status", "status_basis"),
    "partnerships": ("id", "parties", "stage", "stage_basis", "plant"),
    "companies": ("id", "name", "country", "plants", "partnerships"),
    "plans": ("id", "company", "title", "basis"),
}


def list_(db: str, kind: str, as_json: bool = False) -> None:
    with open_ledger(db) as opened:
        found = opened.list(kind)
    if as_json:
        render.json_document(found)
        return
    columns = LIST_COLUMNS.get(kind, ("id",))
    render.table(kind, columns, ([render.flat(item.get(c)) for c in columns] for item in found))


def history(
    db: str, entity: str, as_of: str | None = None, known_at: str | None = None, as_json: bool = False
) -> None:
    with open_ledger(db) as opened:
        entries = opened.history(entity, as_of=as_of, known_at=known_at)
    if as_json:
        render.json_document(entries)
        return
    print_history(entity, entries)


def claims(db: str, entity: str | None = None, status: str | None = None, as_json: bool = False) -> None:
    with open_ledger(db) as opened:
        found = opened.claims(entity, status=status)
    if as_json:
        render.json_document(found)
    else:
        print_claims(found)


def events(
    db: str,
    entity: str | None = None,
    event_type: str | None = None,
    since: int = 0,
    limit: int | None = None,
    reverse: bool = False,
    as_json: bool = False,
) -> None:
    with open_ledger(db) as opened:
        found = opened.events(entity=entity, event_type=event_type, since=since, limit=limit, reverse=reverse)
    if as_json:
        render.json_lines(e.to_json() for e in found)
        return
    render.table(
        None,
        ("pos", "occurred_at", "recorded_at", "type", "sources", "id"),
        ((e.position, e.occurred_at, e.recorded_at, e.type, render.sources(e.sources), e.id) for e in found),
    )


def checkpoint(db: str, sign: str | None = None, origin: str | None = None, as_json: bool = False) -> None:
    import base64

    from ledger.cli.inputs import read_text

    signers = [read_text(sign, "sign")] if sign is not None else []
    with open_ledger(db) as opened:
        issued = opened.checkpoint(signers=signers, origin=origin)
    if as_json:
        render.json_document(
            {
                "seq": issued.seq,
                "origin": issued.origin,
                "tree_size": issued.tree_size,
                "root": base64.b64encode(issued.root).decode(),
                "issued_at": issued.issued_at,
                "note": issued.note,
            }
        )
        return
    sys.stdout.write(issued.note)
