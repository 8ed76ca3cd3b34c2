"""Canonical JSON (RFC 8785, JCS) and the SHA-256 hash chain.

orjson already writes strings exactly as JCS does and sorts keys, but by code point, where JCS sorts
by UTF-16 code unit: the two orders differ only for keys holding characters from U+E000 up, so any
non-ASCII key sends the object to the reference algorithm below (the vocabulary's keys are ASCII).
Numbers differ too: JCS writes doubles the way ECMAScript does (`15.0` is `15`, `1e21` is `1e+21`).
Integral floats are turned into ints, and any other float takes the reference path as well, which
only percentages and shares can reach. tests/unit/test_hashing.py proves equality with the
`rfc8785` package and its public test vectors.
"""

from __future__ import annotations

import hashlib
import math
import re
from typing import Any

import orjson

GENESIS_HASH = "0" * 64
_SORTED = orjson.OPT_SORT_KEYS


def _needs_reference(value: Any) -> bool:
    """True if orjson's bytes could differ from JCS: a float needing ECMAScript formatting (not a
    small integer), or a non-ASCII key (whose code point order may not be UTF-16 order)."""
    if isinstance(value, float):
        return not value.is_integer() or abs(value) >= 2**53
    if isinstance(value, dict):
        return any(not key.isascii() or _needs_reference(v) for key, v in value.items())
    if isinstance(value, list):
        return any(_needs_reference(v) for v in value)
    return False


def _integral_floats_to_int(value: Any) -> Any:
    if isinstance(value, float):
        return int(value)
    if isinstance(value, dict):
        return {k: _integral_floats_to_int(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral_floats_to_int(v) for v in value]
    return value


def _es_number(value: float) -> str:
    """ECMAScript Number::toString for a finite double (RFC 8785 section 3.2.2.3)."""
    if value == 0:
        return "0"
    if not math.isfinite(value):
        raise ValueError("JSON has no NaN or Infinity")
    sign = "-" if value < 0 else ""
    digits, exponent = _shortest_digits(abs(value))
    k = len(digits)
    n = exponent + k  # value = 0.digits * 10**n
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{sign}{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"


def _shortest_digits(value: float) -> tuple[str, int]:
    """(digits, exponent) with value == int(digits) * 10**exponent, digits shortest round-tripping
    (repr gives those, as ECMAScript requires) and without trailing zeros."""
    mantissa, _, exp = repr(value).partition("e")
    whole, _, frac = mantissa.partition(".")
    frac = frac.rstrip("0")
    digits = (whole + frac).lstrip("0")
    exponent = (int(exp) if exp else 0) - len(frac)
    stripped = digits.rstrip("0")
    return stripped, exponent + len(digits) - len(stripped)


def _slow_canonical(value: Any) -> str:
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: kv[0].encode("utf-16-be"))
        return "{" + ",".join(_slow_canonical(k) + ":" + _slow_canonical(v) for k, v in items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_slow_canonical(v) for v in value) + "]"
    if isinstance(value, float):
        return _es_number(value)
    return orjson.dumps(value).decode()


def canonical_json(value: Any, *, floats: bool = True) -> bytes:
    """The RFC 8785 form of a JSON value made of dicts, lists, str, int, float, bool and None. With
    `floats=False` the caller knows the value holds no float (the JSON text it was decoded from has no
    number with a fraction or an exponent: `may_hold_floats`)."""
    written = orjson.dumps(value, option=_SORTED)
    if not floats and written.isascii():  # no float, ASCII keys: orjson's bytes are JCS's
        return written
    # Most values hold no float and only ASCII: orjson's bytes are then JCS's, which two scans in C
    # tell faster than a walk in Python (a float is the only number orjson writes with "." or "e"; it
    # writes NaN and infinities as null, which the walk refuses).
    if written.isascii() and b'\\"' not in written:  # then every '"' opens or closes a string
        bare = b"".join(written.split(b'"')[::2])  # what lies outside strings
        if not _FLOAT.search(bare) and b"null" not in bare:
            return written
    if _needs_reference(value):
        return _slow_canonical(value).encode()
    return orjson.dumps(_integral_floats_to_int(value), option=_SORTED)


_FLOAT = re.compile(rb"[0-9][.eE]")  # digits then a fraction or an exponent: outside strings, a float


def may_hold_floats(text: str) -> bool:
    """Whether JSON `text` may decode to a value holding a float: every float's number has a digit
    right before its fraction or exponent (strings can look alike; then this says yes too)."""
    return _FLOAT_TEXT.search(text) is not None


_FLOAT_TEXT = re.compile(r"[0-9][.eE]")


def event_hash(exported_without_hash: dict[str, Any], *, floats: bool = True) -> str:
    """SHA-256 of the canonical form of the exported event minus its `hash` key (`floats`: as for
    `canonical_json`)."""
    return hashlib.sha256(canonical_json(exported_without_hash, floats=floats)).hexdigest()


def _jstr(value: str) -> bytes:
    return orjson.dumps(value)


def chain_hash(
    *,
    event_id: str,
    event_type: str,
    occurred_at: str,
    data: bytes,
    sources: bytes,
    refs: bytes,
    note: str | None,
    position: int,
    recorded_at: str,
    prev_hash: str,
    v: int | None = None,
) -> str:
    """`event_hash` of an event whose data, sources and refs are already canonical bytes.

    Builds the same RFC 8785 bytes by splicing, in JCS key order, so the import serialises each part
    once; tests/unit/test_hashing.py checks it against `event_hash`.
    """
    parts = [b'{"data":', data, b',"id":', _jstr(event_id)]
    if note is not None:
        parts += [b',"note":', _jstr(note)]
    parts += [
        b',"occurred_at":',
        _jstr(occurred_at),
        b',"position":',
        str(position).encode(),
        b',"prev_hash":',
        _jstr(prev_hash),
        b',"recorded_at":',
        _jstr(recorded_at),
        b',"refs":',
        refs,
        b',"sources":',
        sources,
        b',"type":',
        _jstr(event_type),
    ]
    if v is not None:  # "v" sorts last
        parts += [b',"v":', str(v).encode()]
    parts.append(b"}")
    return hashlib.sha256(b"".join(parts)).hexdigest()
