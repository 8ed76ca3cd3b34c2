"""`ledger types`: the vocabulary, read off the models that validate input."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli import render


def types(
    event_type: Annotated[
        str | None, typer.Argument(metavar="[TYPE]", help="One type, e.g. plant.closed.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print each type's data as JSON Schema.")] = False,
) -> None:
    """List the event types with their fields (which are optional, which name entities, what changed
    since the previous version), or one type.

    Example: ledger types plant.stake_transferred
    """
    from ledger.errors import InvalidArgument
    from ledger.vocabulary.describe import describe, json_schema
    from ledger.vocabulary.registry import CURRENT_VERSION, EVENT_TYPES, nearest_type

    if event_type is not None and event_type not in EVENT_TYPES:
        near = nearest_type(event_type)
        hint = f"; did you mean {near!r}?" if near else ""
        raise InvalidArgument(f"unknown event type {event_type[:60]!r}{hint}", parameter="type")
    chosen = [event_type] if event_type else list(EVENT_TYPES)
    if as_json:
        schemas = {t: json_schema(t) for t in chosen}
        render.json_document(
            schemas[event_type] if event_type else {"version": CURRENT_VERSION, "types": schemas}
        )
        return
    infos = [describe(t) for t in chosen]
    if event_type is not None:
        info = infos[0]
        render.message(
            f"{info.type} (v{info.version}, {info.category})"
            + (f": {', '.join(info.changed)}" if info.changed else "")
        )
        render.table(
            None,
            ("field", "type", "required", "names"),
            ((f.name, f.type, "no" if f.optional else "yes", f.entity_kind or "") for f in info.fields),
        )
        return
    render.table(
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
    )
