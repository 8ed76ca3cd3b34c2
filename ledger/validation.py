"""Validation: untrusted JSON in, a `NewEvent` out whose fields are exactly what will be stored and
hashed, or `InvalidEvent` naming the field.

Dispatches on (type, version) through the vocabulary's registry; the validators are pydantic's, built
on first use (a query command never validates, and building them is ~35 ms).
"""

from __future__ import annotations

import functools
import json
import re
import typing
import uuid
from typing import Annotated, Any, Literal, NotRequired

from pydantic import Discriminator, Field, StringConstraints, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from ledger.entities import ENTITY_KINDS
from ledger.errors import InvalidEvent
from ledger.events import STORE_KEYS, NewEvent
from ledger.vocabulary.fields import MAX_ITEMS, Source, SourceV2, Text, Time, WorldTime, closed
from ledger.vocabulary.registry import CATEGORIES, CURRENT_VERSION, MODELS, VERSIONS, model, nearest_type
from ledger.vocabulary.terms import CLAIM, CORRECTION, STATEMENT

UuidText = Annotated[str, StringConstraints(max_length=64)]


def _envelope(event_type: str, version: int) -> Any:
    """The whole event of one type, checked in a single validator call."""
    source = SourceV2 if version > 1 else Source
    fields: dict[str, Any] = {
        "id": NotRequired[UuidText | None],
        "type": Literal[event_type],
        "v": NotRequired[Literal[version]],
        "occurred_at": Time if version == 1 else WorldTime,
        "data": model(event_type, version),
        "sources": NotRequired[Annotated[list[source], Field(max_length=20)] | None],
        "refs": NotRequired[Annotated[list[UuidText], Field(max_length=MAX_ITEMS)] | None],
        "note": NotRequired[Text | None],
    }
    fields.update({key: NotRequired[Any] for key in STORE_KEYS})  # an export re-imports as it is
    return closed(TypedDict(f"Event_{event_type.replace('.', '_')}_v{version}", fields))


@functools.cache
def _event_validator(version: int) -> TypeAdapter[Any]:
    envelopes = tuple(_envelope(t, v) for t, v in MODELS if v == version)
    return TypeAdapter(Annotated[typing.Union[envelopes], Discriminator("type")])  # noqa: UP007


@functools.cache
def _data_validator(event_type: str, version: int) -> TypeAdapter[Any]:
    return TypeAdapter(model(event_type, version))


@functools.cache
def may_hold_floats() -> frozenset[str]:
    """Types whose data may hold a non-integer number, the only values orjson and RFC 8785 write
    differently. (entry.corrected carries another type's data as its replacement.)"""
    floats = {
        t
        for t, v in MODELS
        if v == CURRENT_VERSION and '"type": "number"' in json.dumps(_data_validator(t, v).json_schema())
    }
    return frozenset(floats | {"entry.corrected"})


def _describe(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "missing required field"
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        for entity_kind in ENTITY_KINDS:
            if pattern.startswith(f"^{entity_kind}:"):
                return f"expected a {entity_kind} id like {entity_kind}:some-slug, got {error['input']!r}"
        if pattern.startswith("^(?:"):  # a field that names one of several kinds
            kinds = pattern[4 : pattern.index(")")].split("|")
            return f"expected a {' or '.join(kinds)} id like {kinds[0]}:some-slug, got {error['input']!r}"
        if "https?" in pattern:
            return f"expected an http(s) URL, got {error['input']!r}"
        return f"{error['msg']}, got {error['input']!r}"
    msg = error["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg[0].lower() + msg[1:]


def _field_path(prefix: str, loc: tuple[Any, ...]) -> str:
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in ("str", "float", "constrained-str", "function-after[check_time(), constrained-str]"):
            continue  # union branch names, meaningless to the user
        else:
            name = part if part and part.isprintable() and len(part) <= 60 else repr(part[:60])  # one line
            path += f".{name}" if path else name
    return path


def _first_error(error: ValidationError, prefix: str = "") -> InvalidEvent:
    first = error.errors(include_url=False)[0]
    loc = first["loc"][1:] if not prefix else first["loc"]  # drop the union's tag (the event type)
    return InvalidEvent(_describe(first), field=_field_path(prefix, loc))


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _check_uuid(value: str, field: str) -> str:
    if _CANONICAL_UUID.fullmatch(value):
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidEvent(f"expected a UUID, got {value[:60]!r}", field=field) from None


def validate_event(raw: Any, *, version: int = CURRENT_VERSION, restore: bool = False) -> NewEvent:
    """Check one event object against the envelope and its type's payload schema at its version: its
    `v`, else `version` (the current one unless `import --vocabulary` says otherwise).

    The event is stored with that `v`, except under `restore`, which keeps an export's events as they
    were (an event from before versions has no `v`, and its hash covers that).
    """
    if not isinstance(raw, dict):
        raise InvalidEvent(f"expected a JSON object, got {type(raw).__name__}")
    given = raw.get("v")
    if given is not None:
        if type(given) is not int or given not in VERSIONS:
            raise InvalidEvent(
                f"unknown vocabulary version {str(given)[:20]!r}: expected one of "
                + ", ".join(map(str, VERSIONS)),
                field="v",
            )
        version = given
    stored_version = given if restore else version
    event_type = raw.get("type")
    if event_type is None:
        raise InvalidEvent("missing required field", field="type")
    if not isinstance(event_type, str) or (event_type, version) not in MODELS:
        raise InvalidEvent(_unknown_type(event_type, version), field="type")
    try:
        event = _event_validator(version).validate_python(raw)
    except ValidationError as e:
        raise _first_error(e) from None
    kind = CATEGORIES[event_type]

    event_id = event.get("id")
    if event_id is not None:
        event_id = _check_uuid(event_id, "id")
    sources = event.get("sources") or []
    if not sources and kind != CORRECTION:
        raise InvalidEvent("at least one source is required", field="sources")
    refs = [_check_uuid(r, f"refs[{i}]") for i, r in enumerate(event.get("refs") or ())]
    if len(set(refs)) != len(refs):
        raise InvalidEvent("the same event is referenced twice", field="refs")
    if kind == STATEMENT and not refs:
        raise InvalidEvent("a statement must reference at least one earlier claim", field="refs")
    if kind == CORRECTION and len(refs) != 1:
        raise InvalidEvent("a correction must reference exactly one earlier event", field="refs")
    if kind == CLAIM and refs:
        raise InvalidEvent("only statements and corrections reference other events", field="refs")
    return NewEvent(
        event_id,
        event_type,
        event["occurred_at"],
        event["data"],
        sources,
        refs,
        event.get("note"),
        stored_version,
    )


def _unknown_type(event_type: Any, version: int) -> str:
    """The error for a type the version does not have, with the nearest one and where to look."""
    text = str(event_type)[:60]
    later = [v for t, v in MODELS if t == event_type and v > version]
    if later:
        return f"event type {text!r} is not in vocabulary v{version} (it is in v{later[0]})"
    near = nearest_type(text, version) if isinstance(event_type, str) else None
    hint = f"; did you mean {near!r}?" if near else ""
    return f"unknown event type {text!r}{hint} (`ledger types` lists them)"


def validate_replacement(target_type: str, replacement: Any, *, version: int = CURRENT_VERSION) -> dict:
    """A correction's replacement must be valid data for the corrected event's type and version."""
    if CATEGORIES[target_type] == CORRECTION:
        raise InvalidEvent("a correction cannot itself be corrected or voided", field="refs[0]")
    try:
        return _data_validator(target_type, version).validate_python(replacement)
    except ValidationError as e:
        raise _first_error(e, "data.replacement") from None
