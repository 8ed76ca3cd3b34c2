"""The vocabulary by (type, version): payload models, categories, the fields that name entities, and
the upcasters that bring a stored event's data from the version it was written in to the current one.

Stored events are never rewritten: an event keeps the shape of the version it was written in, and
whoever reads it for meaning (the projections) reads `upcast(...)` of it. Validation and reading both
dispatch on (type, version) through this module. What reading needs without the models — the fields
that name entities, the categories, `upcast` — lives in `entity_fields.py` and `upcasters.py` (the fold
loads those alone); this module re-exports it, and checks entity_fields.json against the models.
"""

from __future__ import annotations

import difflib
import json
import typing
from typing import Any

import msgspec

from ledger.vocabulary import v1, v2
from ledger.vocabulary.entity_fields import (
    CATEGORIES,
    ENTITY_FIELDS,
    EVENT_TYPES,
    STANCES,
    EntityFields,
    entities_in,
    first_entity,
    parties_of,
)
from ledger.vocabulary.terms import CURRENT_VERSION
from ledger.vocabulary.upcasters import UPCASTERS, upcast

__all__ = [
    "CATEGORIES",
    "CURRENT_VERSION",
    "ENTITY_FIELDS",
    "EVENT_TYPES",
    "MODELS",
    "STANCES",
    "UPCASTERS",
    "category",
    "entities_in",
    "entity_field_kind",
    "entity_fields_json",
    "first_entity",
    "model",
    "nearest_type",
    "parties_of",
    "upcast",
]

MODELS: dict[tuple[str, int], Any] = {
    **{(t, 1): model for t, model in v1.PAYLOADS.items()},
    **{(t, 2): model for t, model in v2.PAYLOADS.items()},
}


def model(event_type: str, version: int = CURRENT_VERSION) -> Any:
    """The payload model of a type at a version; KeyError if that version has no such type."""
    return MODELS[(event_type, version)]


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


def read_entity_fields() -> EntityFields:
    """Of the current version's types, in their order: read off the models' annotations, so the index
    and the schema cannot drift."""
    return {t: _entity_fields(model(t)) for t, v in MODELS if v == CURRENT_VERSION}


def entity_fields_json() -> str:
    """entity_fields.json as the models make it: one type a line (scripts/regenerate_docs.py writes it)."""
    lines = [f"  {json.dumps(t)}: {json.dumps(fields)}" for t, fields in read_entity_fields().items()]
    return "{\n" + ",\n".join(lines) + "\n}\n"


# The table readers load without the models must be the models' own: anything that validates or writes
# loads this module and stops here rather than index events by a stale table.
if read_entity_fields() != ENTITY_FIELDS:
    raise RuntimeError(
        "ledger/vocabulary/entity_fields.json does not match the models: run scripts/regenerate_docs.py"
    )
