"""`ledger types`: the vocabulary, read off the models that validate input."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli import render
from ledger.cli.options import Output


def types(
    event_type: Annotated[
        str | None, typer.Argument(metavar="[TYPE]", help="One type, e.g. plant.closed.")
    ] = None,
    output: Output = None,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print each type's data as JSON Schema (the same as --format json)."),
    ] = False,
) -> None:
    """List the event types with their fields (which are optional, which name entities, what changed
    since the previous version), or one type.

    Example: ledger types plant.stake_transferred
    """
    from ledger.errors import InvalidArgument
    from ledger.vocabulary.describe import describe, json_schema
    from ledger.vocabulary.registry import CURRENT_VERSION, EVENT_TYPES, nearest_type

    form = render.output_format(output, as_json)
    if event_type is not None and event_type not in EVENT_TYPES:
        near = nearest_type(event_type)
        hint = f"; did you mean {near!r}?" if near else ""
        raise InvalidArgument(f"unknown event type {event_type[:60]!r}{hint}", parameter="type")
    chosen = [event_type] if event_type else list(EVENT_TYPES)
    if form == "json":
        schemas = {t: json_schema(t) for t in chosen}
        render.json_document(
            schemas[event_type] if event_type else {"version": CURRENT_VERSION, "types": schemas}
        )
        return
    if form == "nl":  # one line per type: its name, version and JSON Schema
        render.json_lines({"type": t, "version": CURRENT_VERSION, "schema": json_schema(t)} for t in chosen)
        return
    infos = [describe(t) for t in chosen]
    if event_type is not None:
        info = infos[0]
        render.message(
            f"{info.type} (v{info.version}, {info.category})"
            + (f": {', '.join(info.changed)}" if info.changed else "")
        )
        render.records(
            form,
            None,
            ("field", "type", "required", "names"),
            ((f.name, f.type, "no" if f.optional else "yes", f.entity_kind or "") for f in info.fields),
            None,
        )
        return
    render.records(
        form,
        f"vocabulary v{CURRENT_VERSION}",
        ("type", "category", "fields", "changed"),
        (
            (
                i.type,
                i.category,
                ", ".join(f.name + ("?" if f.optional else "") for f in i.fields),
                ", ".join(i.changed),
            )
            for i in infos
        ),
        None,
    )
