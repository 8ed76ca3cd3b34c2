"""Validation: untrusted JSON in, a `NewEvent` out whose fields are exactly what will be stored and
hashed, or `InvalidEvent` naming the field.

Dispatches on (type, version) through the vocabulary's registry. msgspec converts the dict orjson
decoded into the envelope Struct of that type and version in one call, and `msgspec.to_builtins` gives
back the plain dicts that are stored. When msgspec refuses an event, the error is looked for again
field by field (`_locate`), in the order of the models and in the words the ledger has always used
(`data.parties[1]: expected a company id like company:some-slug, got 'Foxconn'`).
"""

from __future__ import annotations

import functools
import json
import math
import re
import types
import typing
import uuid
from typing import Annotated, Any, Literal

import msgspec
import orjson
from msgspec import UNSET, Meta

from ledger.errors import InvalidEvent
from ledger.events import STORE_KEYS, NewEvent
from ledger.vocabulary.fields import (
    MAX_ITEMS,
    Check,
    Maybe,
    Payload,
    Source,
    SourceV2,
    Text,
    Time,
    WorldTime,
    strip_unset,
)
from ledger.vocabulary.registry import CATEGORIES, CURRENT_VERSION, MODELS, VERSIONS, model, nearest_type
from ledger.vocabulary.terms import CLAIM, CORRECTION, STATEMENT

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
    except (msgspec.ValidationError, UnicodeEncodeError) as e:
        raise _first_error(envelope, raw, "", e) from None
    data = msgspec.to_builtins(event.data)
    sources = msgspec.to_builtins(event.sources) if event.sources else []
    note = None if event.note is UNSET else event.note
    try:  # msgspec takes a str holding a lone surrogate (argv, an API caller; never orjson)
        orjson.dumps((data, sources, note))  # ids and times are matched by pattern: no surrogate there
    except TypeError:
        _refuse_surrogates(envelope, raw, "")
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


def _refuse_surrogates(payload: Any, value: Any, prefix: str) -> None:
    """Raise InvalidEvent for the first string of `value` that is not valid Unicode (it has no UTF-8
    form to store), if any is where the model expects a string. orjson also refuses objects JSON has
    no form for, which only an `Any` field can hold: what those hold is checked where it is used."""
    found = _locate(payload, value, prefix)
    if found is not None:
        raise InvalidEvent(found[1], field=found[0] or None)


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
    except (msgspec.ValidationError, UnicodeEncodeError) as e:
        raise _first_error(payload, replacement, "data.replacement", e) from None
    try:
        orjson.dumps(data)
    except TypeError:
        _refuse_surrogates(payload, replacement, "data.replacement")
    return data


# -- naming the first error ---------------------------------------------------------------------------
# msgspec stops at the first error in the order of the input's keys, and says it in its own words. The
# error is looked for again here the way the ledger has always reported it: the fields of each object
# in the order the model declares them (each with its checks), then unknown keys; in a list its length
# limit, its items, then its minimum length. Only refused events come this way.


def _first_error(payload: Any, value: Any, prefix: str, error: Exception) -> InvalidEvent:
    found = _locate(payload, value, prefix)
    if found is None:  # msgspec refused what the search accepts; not expected, but say what it said
        if isinstance(error, UnicodeEncodeError):
            return InvalidEvent(_NOT_UNICODE, field=prefix or None)
        message, _, where = str(error).rpartition(" - at `$")
        path = where.rstrip("`").lstrip(".")
        field = ".".join(p for p in (prefix, path) if p) if message else prefix
        return InvalidEvent(_lower(message or str(error)), field=field or None)
    field, message = found
    return InvalidEvent(message, field=field or None)


def _join(path: str, key: Any) -> str:
    name = str(key)
    if not (name and name.isprintable() and len(name) <= 60):  # one short line, whatever the key
        name = repr(name[:60])
    return f"{path}.{name}" if path else name


def _unwrap(hint: Any) -> tuple[Any, Any, list[Meta], list[Check]]:
    """(the type without UNSET, its base without Annotated, its Meta constraints, its checks)."""
    hint = strip_unset(hint)
    base, metadata = hint, ()
    if typing.get_origin(hint) is Annotated:
        base, metadata = hint.__origin__, hint.__metadata__
    metas = [m for m in metadata if isinstance(m, Meta)]
    return hint, base, metas, [m for m in metadata if isinstance(m, Check)]


def _locate(hint: Any, value: Any, path: str) -> tuple[str, str] | None:
    """(field, message) of the first error in `value` as `hint`, or None if it is valid."""
    hint, base, metas, checks = _unwrap(hint)
    if isinstance(base, types.UnionType) or typing.get_origin(base) is typing.Union:
        args = typing.get_args(base)
        if type(None) in args:  # an optional envelope field: null is fine, else it is the other type
            if value is None:
                return None
            rest = [a for a in args if a is not type(None)]
            return _locate(rest[0] if len(rest) == 1 else typing.Union[tuple(rest)], value, path)  # noqa: UP007
        if not _converts(value, hint):
            if {_unwrap(a)[1] for a in args} == {int, float}:
                return path, _number_message(value)
            return _locate(args[0], value, path)  # a union is reported as its first member refuses it
    elif isinstance(base, type) and issubclass(base, msgspec.Struct):
        found = _locate_struct(base, value, path)
        if found:
            return found
    elif typing.get_origin(base) is list:
        found = _locate_list(base, metas, value, path)
        if found:
            return found
    else:
        if base is str and isinstance(value, str) and not _is_unicode(value):
            return path, _NOT_UNICODE
        try:
            msgspec.convert(value, hint, strict=True)
        except msgspec.ValidationError as e:
            return path, _leaf_message(base, metas, value, str(e))
        except UnicodeEncodeError:  # a key of a dict[str, Any]
            return path, _NOT_UNICODE
    if checks:
        converted = msgspec.convert(value, hint, strict=True)
        for check in checks:
            try:
                check.fn(converted)
            except ValueError as e:
                return path, _lower(str(e))
    return None


def _converts(value: Any, hint: Any) -> bool:
    try:
        msgspec.convert(value, hint, strict=True)
    except msgspec.ValidationError:
        return False
    return True


_NOT_UNICODE = "input should be a valid string, unable to parse raw data as a unicode string"


def _is_unicode(text: str) -> bool:
    """False for a str holding a lone surrogate, which has no UTF-8 form."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _locate_struct(payload: type[msgspec.Struct], value: Any, path: str) -> tuple[str, str] | None:
    if not isinstance(value, dict):
        return path, "input should be a valid dictionary"
    fields = _fields(payload)
    for field in fields:
        key = field.encode_name
        if key not in value:
            if field.required:
                return _join(path, key), "missing required field"
            continue
        found = _locate(field.type, value[key], _join(path, key))
        if found:
            return found
    known = {field.encode_name for field in fields}
    unknown = next((key for key in value if key not in known), None)
    return (_join(path, unknown), "unknown field") if unknown is not None else None


@functools.cache
def _fields(payload: type[msgspec.Struct]) -> tuple[msgspec.structs.FieldInfo, ...]:
    return msgspec.structs.fields(payload)


def _locate_list(base: Any, metas: list[Meta], value: Any, path: str) -> tuple[str, str] | None:
    if not isinstance(value, list):
        return path, "input should be a valid list"
    most = next((m.max_length for m in metas if m.max_length is not None), None)
    if most is not None and len(value) > most:
        return path, f"list should have at most {_items(most)} after validation, not {len(value)}"
    (item,) = typing.get_args(base)
    for index, element in enumerate(value):
        found = _locate(item, element, f"{path}[{index}]")
        if found:
            return found
    least = next((m.min_length for m in metas if m.min_length is not None), None)
    if least is not None and len(value) < least:
        return path, f"list should have at least {_items(least)} after validation, not {len(value)}"
    return None


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


_WRONG_TYPE = {
    str: "input should be a valid string",
    int: "input should be a valid integer",
    float: "input should be a valid number",
    bool: "input should be a valid boolean",
    dict: "input should be a valid dictionary",
}


_CONSTRAINTS = ("ge", "le", "min_length", "max_length", "pattern", "extra")


def _leaf_message(base: Any, metas: list[Meta], value: Any, text: str) -> str:
    """The ledger's words for msgspec's refusal (`text`) of `value` as a scalar `base` type."""
    if typing.get_origin(base) is Literal:
        *others, last = (repr(a) for a in typing.get_args(base))
        return "input should be " + (f"{', '.join(others)} or {last}" if others else last)
    plain = typing.get_origin(base) or base
    if text.startswith("Expected `") and ", got `" in text:
        return _WRONG_TYPE.get(plain, _lower(text))
    meta = {key: getattr(m, key) for m in metas for key in _CONSTRAINTS if getattr(m, key) is not None}
    if plain is float and not math.isfinite(value):
        return "input should be a finite number"
    if " >= " in text and "ge" in meta:
        return f"input should be greater than or equal to {meta['ge']}"
    if " <= " in text and "le" in meta:
        return f"input should be less than or equal to {meta['le']}"
    if "of length >= " in text and "min_length" in meta:
        return f"string should have at least {_characters(meta['min_length'])}"
    if "of length <= " in text and "max_length" in meta:
        return f"string should have at most {_characters(meta['max_length'])}"
    if "matching regex" in text and "pattern" in meta:
        return _pattern_message(meta["pattern"], meta.get("extra") or {}, value)
    return _lower(text)


def _characters(count: int) -> str:
    return f"{count} character" if count == 1 else f"{count} characters"


def _pattern_message(pattern: str, extra: dict[str, Any], value: str) -> str:
    kinds = extra.get("entity")
    if kinds:
        return f"expected a {' or '.join(kinds)} id like {kinds[0]}:some-slug, got {value!r}"
    if "https?" in pattern:
        return f"expected an http(s) URL, got {value!r}"
    shown = pattern.removesuffix("\\Z") + "$" if pattern.endswith("\\Z") else pattern
    return f"String should match pattern '{shown}', got {value!r}"


def _number_message(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return f"expected a number, got {str(value)[:40]!r}"
    return f"expected a number within ±(2^53 - 1), got {value!r}"


def _lower(message: str) -> str:
    return message[:1].lower() + message[1:]
