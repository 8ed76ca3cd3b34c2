"""Validation: untrusted JSON in, a `NewEvent` out whose fields are exactly what will be stored and
hashed, or `InvalidEvent` naming the field.

Dispatches on (type, version) through the vocabulary's registry. msgspec converts the dict orjson
decoded into the envelope Struct of that type and version in one call (built on first use: a query
command never validates), and `msgspec.to_builtins` gives back the plain dicts that are stored. When
msgspec refuses an event, `ledger.vocabulary.refused` tries again with Python's other shapes of JSON
values (a tuple for a list) or names the first bad field, as the ledger always has.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from typing import Annotated, Any, Literal

import msgspec
import orjson
from msgspec import UNSET, Meta

from ledger.errors import InvalidEvent
from ledger.events import STORE_KEYS, NewEvent
from ledger.vocabulary.fields import (
    MAX_ITEMS,
    Maybe,
    Payload,
    Source,
    SourceV2,
    Text,
    Time,
    WorldTime,
)
from ledger.vocabulary.refused import NOT_UNICODE, first_error, is_unicode, locate, plain
from ledger.vocabulary.registry import CATEGORIES, CURRENT_VERSION, MODELS, model, nearest_type
from ledger.vocabulary.terms import CLAIM, CORRECTION, STATEMENT, VERSIONS

UuidText = Annotated[str, Meta(max_length=64)]


def _envelope(event_type: str, version: int) -> type[Payload]:
    """The whole event of one type, checked in a single msgspec call."""
    source = SourceV2 if version > 1 else Source
    fields = [
        ("id", Maybe[UuidText | None], UNSET),
        ("type", Literal[event_type]),
        ("v", Maybe[Literal[version]], UNSET),
        ("occurred_at", Time if version == 1 else WorldTime),
        ("data", model(event_type, version)),
        ("sources", Maybe[Annotated[list[source], Meta(max_length=20)] | None], UNSET),
        ("refs", Maybe[Annotated[list[UuidText], Meta(max_length=MAX_ITEMS)] | None], UNSET),
        ("note", Maybe[Text | None], UNSET),
        *((key, Any, UNSET) for key in sorted(STORE_KEYS)),  # an export re-imports as it is
    ]
    name = f"Event_{event_type.replace('.', '_')}_v{version}"
    return msgspec.defstruct(name, fields, bases=(Payload,), module=__name__, kw_only=True)


_ENVELOPES: dict[tuple[str, int], type[Payload]] = {}  # built on first use (a query never validates)


def _envelope_of(event_type: str, version: int) -> type[Payload]:
    if not _ENVELOPES:
        _ENVELOPES.update({(t, v): _envelope(t, v) for t, v in MODELS})
    return _ENVELOPES[(event_type, version)]


@functools.cache
def may_hold_floats() -> frozenset[str]:
    """Types whose data may hold a non-integer number, the only values orjson and RFC 8785 write
    differently. (entry.corrected carries another type's data as its replacement.)"""
    floats = {
        t
        for t, v in MODELS
        if v == CURRENT_VERSION and '"type": "number"' in json.dumps(msgspec.json.schema(model(t, v)))
    }
    return frozenset(floats | {"entry.corrected"})


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _check_uuid(value: str, field: str) -> str:
    if _CANONICAL_UUID.fullmatch(value):
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError:
        if not is_unicode(value):
            raise InvalidEvent(NOT_UNICODE, field=field) from None
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
    envelope = _ENVELOPES.get((event_type, version)) if isinstance(event_type, str) else None
    if envelope is None:
        if not isinstance(event_type, str) or (event_type, version) not in MODELS:
            raise InvalidEvent(_unknown_type(event_type, version), field="type")
        envelope = _envelope_of(event_type, version)
    try:
        event = msgspec.convert(raw, envelope, strict=True)
        data = msgspec.to_builtins(event.data)
        sources = msgspec.to_builtins(event.sources) if event.sources else []
        note = None if event.note is UNSET else event.note
        orjson.dumps((data, sources, note))  # a lone surrogate (argv, API; never orjson) has no UTF-8
    except (msgspec.ValidationError, UnicodeEncodeError, TypeError, RecursionError):
        event, value = _convert_again(envelope, raw, "")
        data = _builtins(event.data)
        sources = msgspec.to_builtins(event.sources) if event.sources else []
        note = None if event.note is UNSET else event.note
        _refuse_surrogates(envelope, value, "", (data, sources, note))
    kind = CATEGORIES[event_type]

    event_id = event.id
    if event_id is UNSET or event_id is None:
        event_id = None
    elif not _CANONICAL_UUID.fullmatch(event_id):
        event_id = _check_uuid(event_id, "id")
    if not sources and kind != CORRECTION:
        raise InvalidEvent("at least one source is required", field="sources")
    refs = event.refs or []
    if refs and not all(map(_CANONICAL_UUID.fullmatch, refs)):
        refs = [_check_uuid(r, f"refs[{i}]") for i, r in enumerate(refs)]
    if len(set(refs)) != len(refs):
        raise InvalidEvent("the same event is referenced twice", field="refs")
    if kind == STATEMENT and not refs:
        raise InvalidEvent("a statement must reference at least one earlier claim", field="refs")
    if kind == CORRECTION and len(refs) != 1:
        raise InvalidEvent("a correction must reference exactly one earlier event", field="refs")
    if kind == CLAIM and refs:
        raise InvalidEvent("only statements and corrections reference other events", field="refs")
    return NewEvent(event_id, event_type, event.occurred_at, data, sources, refs, note, stored_version)


def _convert_again(payload: Any, value: Any, prefix: str) -> tuple[Any, Any]:
    """(`value` as `payload`, the value converted) when the first try failed: again with `value` in
    JSON's types (a Python caller's tuple as a list), else InvalidEvent naming the first error."""
    value = plain(value)
    try:
        return msgspec.convert(value, payload, strict=True), value
    except (msgspec.ValidationError, UnicodeEncodeError) as e:
        raise first_error(payload, value, prefix, e) from None


def _builtins(payload: Any) -> Any:
    """`payload` as plain dicts and lists, keeping as it is a value that has no such form: only a
    correction's replacement can hold one (an object JSON cannot write, lists nested past Python's
    recursion limit), and it is checked against its target's type when the correction is appended."""
    try:
        return msgspec.to_builtins(payload)
    except (TypeError, RecursionError):
        out = {}
        for field in msgspec.structs.fields(payload):
            value = getattr(payload, field.name)
            if value is not UNSET:
                try:
                    out[field.encode_name] = msgspec.to_builtins(value)
                except (TypeError, RecursionError):
                    out[field.encode_name] = value
        return out


def _refuse_surrogates(payload: Any, value: Any, prefix: str, parts: Any) -> None:
    """Raise InvalidEvent for the first string that is not valid Unicode (it has no UTF-8 form to
    store) where the model expects a string, if `parts` cannot be written as JSON."""
    try:
        orjson.dumps(parts)
    except TypeError:
        found = locate(payload, value, prefix)
        if found is not None:
            raise InvalidEvent(found[1], field=found[0] or None) from None


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
    payload = model(target_type, version)
    try:
        data = msgspec.to_builtins(msgspec.convert(replacement, payload, strict=True))
        orjson.dumps(data)
    except (msgspec.ValidationError, UnicodeEncodeError, TypeError):
        converted, value = _convert_again(payload, replacement, "data.replacement")
        data = msgspec.to_builtins(converted)  # no `Any` in a payload a correction can replace
        _refuse_surrogates(payload, value, "data.replacement", data)
    return data
