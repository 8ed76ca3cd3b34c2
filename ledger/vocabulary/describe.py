"""The vocabulary described from the models that validate it: each type's fields, which are optional
and which name entities. docs/VOCABULARY.md is generated from `markdown()` (and a test keeps it current).
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from typing import Any, Literal

import msgspec

from ledger.vocabulary import fields as f
from ledger.vocabulary.fields import strip_unset
from ledger.vocabulary.registry import (
    CATEGORIES,
    CURRENT_VERSION,
    EVENT_TYPES,
    MODELS,
    UPCASTERS,
    entity_field_kind,
    model,
)

# The named building blocks, as a reader calls them.
_NAMED: tuple[tuple[Any, str], ...] = (
    (f.Text, f"text (at most {f.MAX_TEXT} characters)"),
    (f.Name, f"name (at most {f.MAX_NAME} characters)"),
    (f.Time, "date (YYYY-MM-DD) or RFC 3339 timestamp"),
    (f.WorldTime, "date, RFC 3339 timestamp or period (YYYY, YYYY-Hn, YYYY-Qn, YYYY-MM)"),
    (f.Number, "number (within ±(2^53 - 1))"),
    (f.SignedCount, "whole number, may be negative"),
    (f.Date, "date (YYYY-MM-DD)"),
    (f.Count, "whole number, 0 or more"),
    (f.Percent, "number from 0 to 100"),
    (f.Speaker, "company id or source name"),
    (f.V2Speaker, "company id, authority id or source name"),
    (f.Parties, "2 to 20 distinct company ids"),
    (f.V2Parties, "2 to 20 distinct company or authority ids, at least one a company"),
    (f.Quantity, "Quantity object"),
    (f.Lei, "LEI (20 characters: 18 letters or digits, 2 check digits)"),
    (f.Url, "http(s) URL"),
    (f.Replacement, "object: the corrected event's whole new `data`, valid for its type"),
)


@dataclass(frozen=True, slots=True)
class FieldInfo:
    name: str
    type: str
    optional: bool
    entity_kind: str | None  # the kind of entity the field names, if it does


@dataclass(frozen=True, slots=True)
class TypeInfo:
    type: str
    version: int
    category: str
    fields: tuple[FieldInfo, ...]
    changed: tuple[str, ...]  # how it differs from the previous version, if it does

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "version": self.version,
            "category": self.category,
            "fields": [
                {"name": f.name, "type": f.type, "optional": f.optional, "entity_kind": f.entity_kind}
                for f in self.fields
            ],
            "changed": list(self.changed),
        }


def type_text(hint: Any) -> str:
    """A reader's name for an annotation."""
    for named, text in _NAMED:
        if hint == named:
            return text
    for meta in getattr(hint, "__metadata__", ()):
        if isinstance(meta, msgspec.Meta) and meta.extra and "entity" in meta.extra:
            return " or ".join(meta.extra["entity"]) + " id"
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Annotated:
        return type_text(args[0])
    if origin is Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if origin is list:
        return f"list of {type_text(args[0])}"
    if origin is typing.Union:
        return " or ".join(type_text(a) for a in args)
    if origin is dict:
        return "object"
    if _is_struct(hint):
        return f"{hint.__name__} object"
    return getattr(hint, "__name__", str(hint))


def _is_struct(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, msgspec.Struct)


def fields_of(payload: Any) -> tuple[FieldInfo, ...]:
    found = []
    for field in msgspec.structs.fields(payload):
        inner = strip_unset(field.type)
        kind = entity_field_kind(inner)
        names = " or ".join(kind[0]) if kind else None
        found.append(FieldInfo(field.encode_name, type_text(inner), not field.required, names))
    return tuple(found)


def _list_item(hint: Any) -> Any:
    """The item annotation of a (possibly annotated) list, else the annotation itself."""
    while typing.get_origin(hint) is typing.Annotated:
        hint = typing.get_args(hint)[0]
    return typing.get_args(hint)[0] if typing.get_origin(hint) is list else hint


def describe(event_type: str, version: int = CURRENT_VERSION) -> TypeInfo:
    fields = fields_of(model(event_type, version))
    changed = _changes(event_type, version, fields)
    return TypeInfo(event_type, version, CATEGORIES[event_type], fields, changed)


def _changes(event_type: str, version: int, fields: tuple[FieldInfo, ...]) -> tuple[str, ...]:
    """What the type gained, lost or had upcast since the previous version."""
    if (event_type, version - 1) not in MODELS:
        return ("new",) if version > 1 else ()
    before = {f.name for f in fields_of(model(event_type, version - 1))}
    now = {f.name for f in fields}
    notes = [f"+{name}" for name in sorted(now - before)] + [f"-{name}" for name in sorted(before - now)]
    if (event_type, version - 1) in UPCASTERS:
        notes.append(f"v{version - 1} events are upcast")
    return tuple(notes)


def json_schema(event_type: str, version: int = CURRENT_VERSION) -> dict[str, Any]:
    """The JSON Schema of the type's `data`, from the model that validates it: the object itself, with
    the objects it contains under `$defs`."""
    (ref,), defs = msgspec.json.schema_components([model(event_type, version)], ref_template="#/$defs/{name}")
    schema = defs.pop(ref["$ref"].rsplit("/", 1)[1])
    schema = {**({"$defs": defs} if defs else {}), **schema}
    return {**_ecma(schema), "title": event_type, "x-version": version, "x-category": CATEGORIES[event_type]}


def _ecma(schema: Any) -> Any:
    """JSON Schema patterns are ECMA 262 regular expressions: Python's end anchor `\\Z` there is `$`."""
    if isinstance(schema, dict):
        return {k: re.sub(r"\\Z$", "$", v) if k == "pattern" else _ecma(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_ecma(v) for v in schema]
    return schema


def _objects(payload: Any, seen: dict[str, Any]) -> None:
    """The nested objects (Location, Measure, ...) a payload's fields use, by name."""
    for field in msgspec.structs.fields(payload):
        inner = _list_item(strip_unset(field.type))
        while typing.get_origin(inner) is typing.Annotated:
            inner = typing.get_args(inner)[0]
        if _is_struct(inner) and inner.__name__ not in seen:
            seen[inner.__name__] = inner
            _objects(inner, seen)


def _table(fields: tuple[FieldInfo, ...]) -> list[str]:
    rows = ["| field | type | required | names an entity |", "|---|---|---|---|"]
    for field in fields:
        names = f"yes ({field.entity_kind})" if field.entity_kind else ""
        rows.append(f"| `{field.name}` | {field.type} | {'no' if field.optional else 'yes'} | {names} |")
    return rows


def markdown() -> str:
    """The reference of every type of the current version, and of the objects they contain."""
    out: list[str] = []
    objects: dict[str, Any] = {"Source": f.Source}
    for category, title in (("claim", "Claims"), ("statement", "Statements"), ("correction", "Corrections")):
        out += [f"### {title}", ""]
        for event_type in EVENT_TYPES:
            if CATEGORIES[event_type] != category:
                continue
            info = describe(event_type)
            changed = f"Since v{CURRENT_VERSION - 1}: {', '.join(info.changed)}." if info.changed else ""
            out += [f"#### `{event_type}`", "", *([changed, ""] if changed else []), *_table(info.fields), ""]
            _objects(model(event_type), objects)
    out += ["### Objects inside events", ""]
    for name, payload in objects.items():
        out += [f"#### {name}", "", *_table(fields_of(payload)), ""]
    return "\n".join(out).rstrip() + "\n"
