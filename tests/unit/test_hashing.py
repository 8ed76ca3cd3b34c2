"""Canonical JSON is RFC 8785, and an event's chain hash is the SHA-256 of its canonical form.

Checked three ways: against the RFC's reference vectors (tests/data/cyberphone-jcs, see PROVENANCE.md
there), against the `rfc8785` package for random JSON values, and by splicing an event's canonical
parts the way `ledger.writer` does and comparing with hashing the whole exported event.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
import rfc8785
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ledger.events import StoredEvent
from ledger.hashing import canonical_json, chain_hash, event_hash, may_hold_floats

VECTORS = Path(__file__).resolve().parent.parent / "data" / "cyberphone-jcs" / "testdata"
VECTOR_NAMES = sorted(path.stem for path in (VECTORS / "input").glob("*.json"))
MAX_SAFE_INTEGER = 2**53 - 1  # the ledger's and rfc8785's integer range

# UTF-16 code-unit order (RFC 8785's key order) and code-point order (UTF-8 bytes, orjson's
# OPT_SORT_KEYS) disagree exactly when a key has U+E000..U+FFFF where another has a character beyond
# U+FFFF: '\ue000' < '\U0001f600' by code point, but the latter's lead surrogate D83D sorts first.
KEYS_ORDERED_DIFFERENTLY = {"\ue000": "private use", "\U0001f600": "grinning face"}


def _vector(name: str) -> tuple[Any, bytes]:
    """The parsed input of a vector and the exact bytes it must canonicalise to."""
    # Plain json.loads keeps every number of these vectors as RFC 8785 reads it: fractions and
    # exponents become floats (333333333.33333329, 1E30, 0.000000000000000000000000001) and the only
    # integers (56, 5) are small, so no vector needs special handling or has to be skipped.
    value = json.loads((VECTORS / "input" / f"{name}.json").read_text(encoding="utf-8"))
    return value, (VECTORS / "output" / f"{name}.json").read_bytes()


def test_the_reference_vectors_are_all_present() -> None:
    assert VECTOR_NAMES == ["arrays", "french", "structures", "unicode", "values", "weird"]


@pytest.mark.parametrize("name", VECTOR_NAMES)
def test_each_vectors_expected_output_is_the_one_its_hex_listing_gives(name: str) -> None:
    listed = bytes.fromhex((VECTORS / "outhex" / f"{name}.txt").read_text(encoding="ascii"))
    assert (VECTORS / "output" / f"{name}.json").read_bytes() == listed


@pytest.mark.parametrize("name", VECTOR_NAMES)
def test_the_reference_implementation_passes_each_rfc_vector(name: str) -> None:
    value, expected = _vector(name)
    assert rfc8785.dumps(value) == expected


@pytest.mark.parametrize("name", VECTOR_NAMES)  # "weird" has keys U+FB33 and U+1F602
def test_canonical_json_writes_each_rfc_vector_byte_for_byte(name: str) -> None:
    value, expected = _vector(name)
    assert canonical_json(value) == expected


# JSON values: everything RFC 8785 and the ledger both accept.
EDGE_KEYS = ["", "a", "A", "1", "10", "\n", '"', "\\", "\x7f", "\x80", "é", "ö", "€", "\ud7ff"]
EDGE_KEYS += [
    "\ue000",
    "\ufb33",
    "\uffff",
    "\U00010000",
    "\U0001f600",
    "\U0001f602",
    "a\ue000",
    "a\U0001f600",
]
EDGE_FLOATS = [15.0, -15.0, 56.0, 4.5, 0.002, 1e-27, 333333333.33333329, 1e30, 1e21, 1e20, 1e-6, 1e-7]
EDGE_FLOATS += [5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308]
EDGE_FLOATS += [0.0, -0.0, 0.1, 1 / 3, 2.0**53, -(2.0**53), 2.0**53 + 2, 9007199254740991.0]
EDGE_TEXT = ["", "\x00", "\x1f", "\x7f", "\u2028", "\u2029", "\ufeff", "</script>", "A\u030a", "\U0001f602"]

integers = st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER) | st.sampled_from(
    [0, MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER]
)
floats = st.one_of(
    st.sampled_from(EDGE_FLOATS),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-(2**70), 2**70).map(float),  # integral floats, below and above 2**53
)
texts = st.sampled_from(EDGE_TEXT) | st.text(max_size=12)  # any code point but lone surrogates
scalars = st.none() | st.booleans() | integers | floats | texts


def json_values(keys: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=6),
        max_leaves=24,
    )


any_keys = st.sampled_from(EDGE_KEYS) | st.text(max_size=6)
any_json = json_values(any_keys)


@settings(max_examples=300, deadline=None)
@given(value=any_json)
@example(value=KEYS_ORDERED_DIFFERENTLY)
@example(value={"\ufb33": 1, "\U0001f602": [True, None]})
def test_canonical_json_is_rfc8785_for_any_json_value(value: Any) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


@settings(max_examples=300, deadline=None)
@given(value=any_json, indent=st.booleans())
@example(value={"\ufb33": 1, "\U0001f602": [True, None]}, indent=False)
@example(value={"a": 1.5, "b": [2.0, "x1.5"]}, indent=True)
def test_canonical_json_told_what_text_a_value_was_read_from_is_still_rfc8785(
    value: Any, indent: bool
) -> None:
    """What verify does: the stored text says whether the value may hold a float."""
    text = orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent else 0).decode()
    assert canonical_json(orjson.loads(text), floats=may_hold_floats(text)) == rfc8785.dumps(value)


def test_a_text_with_a_number_with_a_fraction_or_an_exponent_may_hold_floats() -> None:
    assert [may_hold_floats(t) for t in ('{"a": 1}', '{"a": 1.0}', "[1e5]", "[-2E-3]", '["1.5"]')] == [
        False,
        True,
        True,
        True,
        True,  # a string that looks like one: the full check decides
    ]


def test_canonical_json_writes_numbers_as_ecmascript_does() -> None:
    numbers = [15.0, 1e21, 1e20, 5e-324, -0.0, 1e-7, 1e-6, 0.1, 2.0**53, MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER]
    expected = b"[15,1e+21,100000000000000000000,5e-324,0,1e-7,0.000001,0.1,9007199254740992"
    expected += b",9007199254740991,-9007199254740991]"
    assert canonical_json(numbers) == expected


# Events as the store hashes them.
uuid_texts = st.uuids().map(str)
sources = st.lists(st.fixed_dictionaries({"name": texts, "kind": texts}), max_size=4)
hex64 = st.binary(min_size=32, max_size=32).map(bytes.hex)


def events(keys: st.SearchStrategy[str]) -> st.SearchStrategy[StoredEvent]:
    return st.builds(
        StoredEvent,
        position=st.integers(1, MAX_SAFE_INTEGER),
        id=uuid_texts,
        type=st.text(),
        occurred_at=st.text(),
        recorded_at=st.text(),
        data=st.dictionaries(keys, json_values(keys), max_size=6),
        sources=sources,
        refs=st.lists(uuid_texts, max_size=4),
        note=st.none() | st.text(),
        prev_hash=hex64,
        hash=st.just(""),
    )


def _spliced_hash(event: StoredEvent) -> str:
    """chain_hash over the canonical parts, built as ledger.writer builds them."""
    return chain_hash(
        event_id=event.id,
        event_type=event.type,
        occurred_at=event.occurred_at,
        data=canonical_json(event.data),
        sources=orjson.dumps(event.sources, option=orjson.OPT_SORT_KEYS),
        refs=orjson.dumps(event.refs),
        note=event.note,
        position=event.position,
        recorded_at=event.recorded_at,
        prev_hash=event.prev_hash,
    )


def _rfc8785_hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(rfc8785.dumps(body)).hexdigest()


AN_EVENT = StoredEvent(
    position=1,
    id="6f1c1d9e-3a52-4c1e-9a53-1f0c7a8a2b11",
    type="talks.reported",
    occurred_at="2025-07-07",
    recorded_at="2025-07-08T00:00:00.000000Z",
    data=dict(KEYS_ORDERED_DIFFERENTLY),
    sources=[{"name": "Nikkei", "kind": "press"}],
    refs=[],
    note=None,
    prev_hash="0" * 64,
    hash="",
)


@settings(max_examples=300, deadline=None)
@given(event=events(any_keys))
@example(event=AN_EVENT)
def test_the_chain_hash_spliced_from_canonical_parts_is_the_hash_of_the_whole_event(
    event: StoredEvent,
) -> None:
    assert _spliced_hash(event) == event_hash(event.hashed_form())


@settings(max_examples=300, deadline=None)
@given(event=events(any_keys))
@example(event=AN_EVENT)
def test_an_events_hash_is_the_sha256_of_its_rfc8785_form_whatever_its_keys(event: StoredEvent) -> None:
    body = event.hashed_form()
    assert event_hash(body) == _rfc8785_hash(body)
    assert _spliced_hash(event) == _rfc8785_hash(body)
