"""Which fields of each event type name entities, and what follows from the type names alone (categories,
stances): what reading stored events needs of the vocabulary, without loading its models.

The table is entity_fields.json, read off the models' annotations by `registry.entity_fields_json`
(scripts/regenerate_docs.py writes it); `registry` refuses to load while the two differ, and a test says
so too. A fold (`history`, `claims`, `--as-of`) reads events through this module and `upcasters`, and so
answers without msgspec and the payload models.
"""

from __future__ import annotations

import json
import os
from typing import Any

from ledger.vocabulary.terms import STATEMENT, category_of


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as table:
        return table.read()


# type -> (json key, entity kinds, is a list) of each payload field that names entities.
EntityFields = dict[str, tuple[tuple[str, tuple[str, ...], bool], ...]]

ENTITY_FIELDS: EntityFields = {
    event_type: tuple((key, tuple(kinds), is_list) for key, kinds, is_list in fields)
    for event_type, fields in json.loads(
        _read(os.path.join(os.path.dirname(__file__), "entity_fields.json"))
    ).items()
}
EVENT_TYPES: tuple[str, ...] = tuple(ENTITY_FIELDS)  # of the current version
CATEGORIES: dict[str, str] = {t: category_of(t) for t in EVENT_TYPES}
STANCES: dict[str, str] = {t: t.split(".", 1)[1] for t, c in CATEGORIES.items() if c == STATEMENT}


def entities_in(event_type: str, data: dict[str, Any]) -> list[str]:
    """Entity ids named in `data`, per the type's schema, first-seen order, no duplicates."""
    found: dict[str, None] = {}
    for key, _kind, is_list in ENTITY_FIELDS[event_type]:
        value = data.get(key)
        if value is None:
            continue
        for item in value if is_list else (value,):
            found[item] = None
    if event_type in STANCES:
        by = data.get("by", "")
        if by.startswith(("company:", "authority:")):
            found[by] = None
    return list(found)


def naming_fields(kind: str) -> dict[str, tuple[tuple[str, bool], ...]]:
    """Per event type, the (data key, is a list) fields that can name an entity of `kind`."""
    return {
        event_type: tuple((key, is_list) for key, of_kinds, is_list in fields if kind in of_kinds)
        for event_type, fields in ENTITY_FIELDS.items()
    }


def names(fields: tuple[tuple[str, bool], ...], data: dict[str, Any], entity_id: str) -> bool:
    """Whether `data` names the entity in one of `fields` (`naming_fields` of its kind): what puts a
    claim in the entity's fold."""
    for key, is_list in fields:
        value = data.get(key)
        if value == entity_id or (is_list and value is not None and entity_id in value):
            return True
    return False


def first_entity(event_type: str, data: dict[str, Any]) -> str | None:
    """The first entity `entities_in` would name (cheaper: it stops there)."""
    for key, _kind, is_list in ENTITY_FIELDS[event_type]:
        value = data.get(key)
        if value:
            return value[0] if is_list else value
    return None


def companies_in(event_type: str, data: dict[str, Any]) -> list[str]:
    """The company ids named in an event's data."""
    return [e for e in entities_in(event_type, data) if e.startswith("company:")]


def parties_of(event_type: str, data: dict[str, Any]) -> list[str]:
    """Company and authority ids named in a claim's data: the parties whose statements decide its
    status."""
    return [e for e in entities_in(event_type, data) if e.startswith(("company:", "authority:"))]
