"""What the read commands and `checkpoint` do and print, without a CLI framework: the Typer commands
(query_commands.py, analyst_commands.py, transparency_commands.py) and the fast entry point (entry.py)
both call these, given the database URL and the parsed flags under the Typer parameters' names.

Every command that prints records takes `output` (`--format table|json|nl|csv|tsv`) and `as_json` (its
alias `--json`); `render.output_format` decides, before the ledger is opened.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from ledger.cli import render, tables
from ledger.cli.context import open_ledger

HISTORY_PAGE = 100  # entries `history` prints unless told --all or --limit


def print_entity(state: dict[str, Any], table: Callable[..., None] = render.table) -> None:
    """An entity as tables: its fields, then its claims (`table`: how each is drawn)."""
    claims = state.get("claims")
    table(
        state["id"],
        ("field", "value"),
        ((k, render.flat(v)) for k, v in state.items() if k not in ("id", "claims")),
    )
    if claims:
        print_claims(claims, title="claims", table=table)


def print_claims(
    claims: list[dict[str, Any]], title: str | None = None, table: Callable[..., None] = render.table
) -> None:
    table(
        title,
        ("pos", "occurred_at", "type", "status", "sources", "statements"),
        (
            (
                c["position"],
                c["occurred_at"],
                c["type"],
                c["status"],
                render.sources(c["sources"]),
                tables.trail(c["statements"]),
            )
            for c in claims
        ),
    )


def print_history(entity: str, entries: list[dict[str, Any]]) -> None:
    """The history as the demo shows it: one table row per event."""
    render.table(
        f"history of {entity}",
        ("pos", "occurred_at", "recorded_at", "type", "who", "status/stance", "what"),
        (
            (
                e["position"],
                e["occurred_at"],
                e["recorded_at"],  # whole: pasted into --known-at, it means this event's commit
                e["type"],
                tables.who(e),
                e.get("status") or e.get("stance") or "",
                tables.summary(e["data"]) if e["category"] != "statement" else (e["data"].get("quote") or ""),
            )
            for e in entries
        ),
    )


def _cell(value: Any) -> str:
    """A field's value in CSV and TSV: text as it is, null empty, anything else as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    import orjson

    return orjson.dumps(value).decode()


def show(
    db: str,
    entity: str,
    as_of: str | None = None,
    known_at: str | None = None,
    output: str | None = None,
    as_json: bool = False,
) -> None:
    chosen = render.output_format(output, as_json)
    with open_ledger(db) as opened:
        state = opened.show(entity, as_of=as_of, known_at=known_at)
    if chosen == "table":
        print_entity(state, table=render.boxed)
    else:
        render.records(chosen, None, ("field", "value"), ((k, _cell(v)) for k, v in state.items()), state)


def list_(db: str, kind: str, output: str | None = None, as_json: bool = False) -> None:
    chosen = render.output_format(output, as_json)
    with open_ledger(db) as opened:
        found = opened.list(kind)
    render.records(chosen, kind, tables.list_columns(kind), tables.list_rows(kind, found), found)


def history(
    db: str,
    entity: str,
    as_of: str | None = None,
    known_at: str | None = None,
    since: str | None = None,
    until: str | None = None,
    types: Sequence[str] | None = None,
    reverse: bool = False,
    limit: int | None = None,
    after: int | None = None,
    everything: bool = False,
    oneline: bool = False,
    ledger_time: bool = False,
    no_pager: bool = False,
    output: str | None = None,
    as_json: bool = False,
) -> None:
    from ledger.errors import InvalidArgument

    layout = oneline or ledger_time  # options of the table's layout: they ask for it when piped too
    chosen = render.output_format(output if output is not None or as_json or not layout else "table", as_json)
    if layout and chosen != "table":
        flag = "--oneline" if oneline else "--ledger-time"
        raise InvalidArgument(f"{flag} lays out the table, not --format {chosen}", parameter="format")
    if everything and limit is not None:
        raise InvalidArgument("--all prints every entry: give --all or --limit, not both", parameter="limit")
    page = None if everything else limit or HISTORY_PAGE
    with open_ledger(db) as opened:
        entries = opened.history(
            entity,
            as_of=as_of,
            known_at=known_at,
            since=since,
            until=until,
            types=types,
            reverse=reverse,
            limit=None if page is None else page + 1,
            after=after,
        )
    more = page is not None and len(entries) > page
    if more:
        entries = entries[:page]
    if chosen == "table":
        from ledger.cli import history_text, pager

        width, _ = pager.size()
        layout_of = history_text.oneline if oneline else history_text.lines
        text = "".join(f"{line}\n" for line in layout_of(entity, entries, width, ledger_time))
        pager.show(text, allowed=not no_pager)
    else:
        render.records(chosen, None, tables.HISTORY_COLUMNS, tables.history_rows(entries), entries)
    if more:
        render.message(
            f"{page} entries shown; the next page: --after {entries[-1]['position']} "
            "(or --all for every entry)"
        )


def claims(
    db: str,
    entity: str | None = None,
    status: Sequence[str] | None = None,
    types: Sequence[str] | None = None,
    source: str | None = None,
    origin: str | None = None,
    by: str | None = None,
    anonymous_only: bool = False,
    single_origin: bool = False,
    stale: str | None = None,
    resolved: bool = False,
    as_of: str | None = None,
    known_at: str | None = None,
    limit: int | None = None,
    output: str | None = None,
    as_json: bool = False,
) -> None:
    chosen = render.output_format(output, as_json)
    with open_ledger(db) as opened:
        found = opened.claims(
            entity,
            status=status,
            types=types,
            source=source,
            origin=origin,
            by=by,
            anonymous_only=anonymous_only,
            single_origin=single_origin,
            stale=stale,
            resolved=resolved,
            as_of=as_of,
            known_at=known_at,
            limit=limit,
        )
    stale_asked = stale is not None
    render.records(
        chosen,
        None,
        tables.claim_columns(resolved, stale_asked),
        tables.claim_rows(found, resolved, stale_asked),
        found,
    )


def events(
    db: str,
    entity: str | None = None,
    event_type: str | None = None,
    since: int = 0,
    limit: int | None = None,
    reverse: bool = False,
    recorded_since: str | None = None,
    recorded_until: str | None = None,
    occurred_since: str | None = None,
    occurred_until: str | None = None,
    source: str | None = None,
    by: str | None = None,
    output: str | None = None,
    as_json: bool = False,
) -> None:
    chosen = render.output_format(output, as_json)
    with open_ledger(db) as opened:
        found = opened.events(
            entity=entity,
            event_type=event_type,
            since=since,
            limit=limit,
            reverse=reverse,
            recorded_since=recorded_since,
            recorded_until=recorded_until,
            occurred_since=occurred_since,
            occurred_until=occurred_until,
            source=source,
            by=by,
        )
    if chosen in ("json", "nl"):  # a stream: one exported event per line either way
        render.json_lines(e.to_json() for e in found)
        return
    render.records(chosen, None, tables.EVENT_COLUMNS, tables.event_rows(found), None)


def changes(
    db: str,
    entities: Sequence[str] | None = None,
    since: str = "",
    until: str | None = None,
    kind: str | None = None,
    output: str | None = None,
    as_json: bool = False,
) -> None:
    chosen = render.output_format(output, as_json)
    with open_ledger(db) as opened:
        found = opened.changes(since, until=until, entities=entities or (), kind=kind)
    if chosen != "table":
        render.records(chosen, None, tables.CHANGE_COLUMNS, tables.change_rows(found), found)
        return
    render.boxed(
        f"changes from {tables.moment(found['since'])} to {tables.moment(found['until'])}",
        tables.ENTITY_CHANGE_COLUMNS,
        (row for change in found["entities"] for row in tables.entity_change_rows(change)),
    )
    render.boxed("claims", tables.CLAIM_CHANGE_COLUMNS, tables.claim_change_rows(found))


def search(
    db: str,
    text: str,
    kind: str | None = None,
    limit: int = 20,
    output: str | None = None,
    as_json: bool = False,
) -> None:
    chosen = render.output_format(output, as_json)
    with open_ledger(db) as opened:
        hits = opened.search(text, kind=kind, limit=limit)
    render.records(chosen, None, tables.SEARCH_COLUMNS, tables.search_rows(hits), hits)


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
