"""The vocabulary by (type, version): payload models, categories, the fields that name entities, and
the upcasters that bring a stored event's data from the version it was written in to the current one.

Stored events are never rewritten: an event keeps the shape of the version it was written in, and
whoever reads it for meaning (the projections) reads `upcast(...)` of it. Validation and reading both
dispatch on (type, version) through this module.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Callable
from typing import Any

import msgspec

from ledger.vocabulary import upcasters, v1, v2
from ledger.vocabulary.terms import CURRENT_VERSION, STATEMENT, category_of

MODELS: dict[tuple[str, int], Any] = {
    **{(t, 1): model for t, model in v1.PAYLOADS.items()},
    **{(t, 2): model for t, model in v2.PAYLOADS.items()},
}
# (type, version) -> the function that turns that version's data into the next version's. A type
# missing here kept its shape at that step (v2 only added optional fields to it).
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
UPCASTERS: dict[tuple[str, int], Upcaster] = {
    ("plant.stake_transferred", 1): upcasters.stake_transferred_v1_to_v2,
    ("acquisition.explored", 1): upcasters.acquisition_explored_v1_to_v2,
}

EVENT_TYPES: tuple[str, ...] = tuple(t for t, v in MODELS if v == CURRENT_VERSION)
CATEGORIES: dict[str, str] = {t: category_of(t) for t in EVENT_TYPES}
STANCES: dict[str, str] = {t: t.split(".", 1)[1] for t, c in CATEGORIES.items() if c == STATEMENT}


def model(event_type: str, version: int = CURRENT_VERSION) -> Any:
    """The payload model of a type at a version; KeyError if that version has no such type."""
    return MODELS[(event_type, version)]


def upcast(event_type: str, version: int | None, data: dict[str, Any]) -> dict[str, Any]:
    """`data` of an event written at `version` (None: before versions, so 1), in the current version's
    shape (pure; the input is left as it is)."""
    if version is None:
        version = 1
    while version < CURRENT_VERSION:
        step = UPCASTERS.get((event_type, version))
        if step is not None:
            data = step(data)
        version += 1
    return data


def nearest_type(text: str, version: int = CURRENT_VERSION) -> str | None:
    """The type of `version` a mistyped name most likely meant (`plant.close` -> `plant.closed`)."""
    known = [t for t, v in MODELS if v == version]
    near = difflib.get_close_matches(text, known, n=1, cutoff=0.6)
    if not near and text:  # a prefix is a strong hint whatever the similarity ratio says
        near = [t for t in known if t.startswith(text)][:1]
    return near[0] if near else None


def category(event_type: str) -> str:
    """'claim', 'statement' or 'correction'."""
    return CATEGORIES[event_type]


# -- which fields name entities ------------------------------------------------------------------------
def entity_field_kind(annotation: Any) -> tuple[tuple[str, ...], bool] | None:
    """(kinds, is a list) if the annotation names entities (its `Meta(extra={"entity": kinds})`), looking
    through optional fields and lists."""
    for meta in getattr(annotation, "__metadata__", ()):
        if isinstance(meta, msgspec.Meta) and meta.extra and "entity" in meta.extra:
            return tuple(meta.extra["entity"]), False
    origin = typing.get_origin(annotation)
    for arg in typing.get_args(annotation):
        found = entity_field_kind(arg)
        if found:
            return found[0], found[1] or origin is list
    return None


def _entity_fields(payload: Any) -> tuple[tuple[str, tuple[str, ...], bool], ...]:
    """(json key, entity kinds, is a list) for each payload field that names entities."""
    fields = msgspec.structs.fields(payload)
    return tuple((f.encode_name, *found) for f in fields if (found := entity_field_kind(f.type)))


# Of the current version: read off the models' annotations, so the index and the schema cannot drift.
ENTITY_FIELDS: dict[str, tuple[tuple[str, tuple[str, ...], bool], ...]] = {
    t: _entity_fields(model(t)) for t in EVENT_TYPES
}


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


def first_entity(event_type: str, data: dict[str, Any]) -> str | None:
    """The first entity `entities_in` would name (cheaper: it stops there)."""
    for key, _kind, is_list in ENTITY_FIELDS[event_type]:
        value = data.get(key)
        if value:
            return value[0] if is_list else value
    return None


def parties_of(event_type: str, data: dict[str, Any]) -> list[str]:
    """Company and authority ids named in a claim's data: the parties whose statements decide its
    status."""
    return [e for e in entities_in(event_type, data) if e.startswith(("company:", "authority:"))]
