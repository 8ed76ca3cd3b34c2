"""Input that msgspec's one call refused: Python values in other shapes than JSON's, and naming the
first error. Only refused input comes this way, so none of this is on the path of a valid event.

A Python caller may give a tuple where JSON has a list, or a str subclass; validation always took
those (`plain` turns them into JSON's types before a second try).

msgspec stops at the first error in the order of the input's keys, and says it in its own words
("Object missing required field `scope` - at `$.data`"). `first_error` looks for it again the way the
ledger reports it: the fields of each object in the order the model declares them (each with its
checks), then unknown keys; in a list its length limit, its items, then its minimum length; in words
like `data.parties[1]: expected a company id like company:some-slug, got 'Foxconn'`.
"""

from __future__ import annotations

import collections
import functools
import math
import types
import typing
from collections import abc
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from ledger.errors import InvalidEvent
from ledger.vocabulary.fields import Check, strip_unset

NOT_UNICODE = "input should be a valid string, unable to parse raw data as a unicode string"

# What validation took as a list from a Python caller (JSON has only lists).
_LISTS = (list, tuple, set, frozenset, collections.deque, range, abc.KeysView, abc.ValuesView, abc.Iterator)


def plain(value: Any, depth: int = 0) -> Any:
    """`value` in JSON's types, as validation took Python values: a mapping as a dict; a tuple, set,
    deque, range, dict view or iterator as a list; bytes as text (a byte that is not UTF-8 becomes a
    lone surrogate, refused where a string is expected); a subclass of str or float (an enum, a NumPy
    float) as a str or float. Below the depth any model reaches, values are left as they are (input
    may nest 1,024 levels, deeper than Python's recursion limit)."""
    if depth > _DEEPEST:
        return value
    if isinstance(value, str):
        return value if type(value) is str else value[:]  # a slice of a str subclass is a str
    if isinstance(value, abc.Mapping):  # keys as they are but for str subclasses (a key is hashable)
        return {k[:] if isinstance(k, str) else k: plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, _LISTS):
        return [plain(v, depth + 1) for v in value]
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "surrogateescape")
    if isinstance(value, float) and type(value) is not float:
        return float(value)
    return value


_DEEPEST = 16  # an event's objects and lists nest 6 deep (data.measures[0].amount.value)


def first_error(payload: Any, value: Any, prefix: str, error: Exception) -> InvalidEvent:
    """The InvalidEvent for `value`, which msgspec refused (`error`) as `payload`; `prefix` is where
    `value` is (`data.replacement`; "" for a whole event)."""
    found = locate(payload, value, prefix)
    if found is None:  # msgspec refused what the search accepts; not expected, but say what it said
        if isinstance(error, UnicodeEncodeError):
            return InvalidEvent(NOT_UNICODE, field=prefix or None)
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


def locate(hint: Any, value: Any, path: str) -> tuple[str, str] | None:
    """(field, message) of the first error in `value` as `hint`, or None if it is valid."""
    hint, base, metas, checks = _unwrap(hint)
    if isinstance(base, types.UnionType) or typing.get_origin(base) is typing.Union:
        args = typing.get_args(base)
        if type(None) in args:  # an optional envelope field: null is fine, else it is the other type
            if value is None:
                return None
            rest = [a for a in args if a is not type(None)]
            return locate(rest[0] if len(rest) == 1 else typing.Union[tuple(rest)], value, path)  # noqa: UP007
        if not _converts(value, hint) or (isinstance(value, str) and not is_unicode(value)):
            if {_unwrap(a)[1] for a in args} == {int, float}:
                return path, _number_message(value)
            return locate(args[0], value, path)  # a union is reported as its first member refuses it
    elif isinstance(base, type) and issubclass(base, msgspec.Struct):
        found = _locate_struct(base, value, path)
        if found:
            return found
    elif typing.get_origin(base) is list:
        found = _locate_list(base, metas, value, path)
        if found:
            return found
    else:
        if base is str and isinstance(value, str) and not is_unicode(value):
            return path, NOT_UNICODE
        try:
            msgspec.convert(value, hint, strict=True)
        except msgspec.ValidationError as e:
            return path, _leaf_message(base, metas, value, str(e))
        except UnicodeEncodeError:  # a key of a dict[str, Any]
            return path, NOT_UNICODE
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
    except (msgspec.ValidationError, UnicodeEncodeError):
        return False
    return True


def is_unicode(text: str) -> bool:
    """False for a str holding a lone surrogate, which has no UTF-8 form."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _locate_struct(payload: type[msgspec.Struct], value: Any, path: str) -> tuple[str, str] | None:
    if not isinstance(value, dict):
        return path, "input should be a valid dictionary"
    if not all(is_unicode(key) for key in value if isinstance(key, str)):  # the object is unreadable
        return path, NOT_UNICODE
    fields = _fields(payload)
    for field in fields:
        key = field.encode_name
        if key not in value:
            if field.required:
                return _join(path, key), "missing required field"
            continue
        found = locate(field.type, value[key], _join(path, key))
        if found:
            return found
    known = {field.encode_name for field in fields}
    for key in value:  # after the fields, in the input's order
        if not isinstance(key, str):  # from a Python caller
            return (f"{path}[{key}]" if isinstance(key, int) else _join(path, key)), "keys should be strings"
        if key not in known:
            return _join(path, key), "unknown field"
    return None


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
        found = locate(item, element, f"{path}[{index}]")
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
