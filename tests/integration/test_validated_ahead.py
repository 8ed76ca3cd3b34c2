"""A long import is validated ahead in a helper process (`ledger.jsonl_ahead`): the same events in the same
order, and the same first error, as validating every line in the importing process.

The thresholds are lowered so that a few hundred lines cross them; the helper is a real process.
"""

from __future__ import annotations

import io
import itertools

import pytest
from support.runner import ledger_cli, one_error_line

import ledger
from ledger import jsonl, jsonl_ahead
from ledger.errors import InvalidEvent
from ledger.synthetic.generator import generate

LINES = 400


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    monkeypatch.setattr(jsonl, "AHEAD_FROM", 60)
    monkeypatch.setattr(jsonl_ahead, "BATCH", 50)
    monkeypatch.setattr(jsonl_ahead, "ENABLED", True)


@pytest.fixture(scope="module")
def corpus() -> list[bytes]:
    return list(itertools.islice(generate(LINES, seed=11), LINES))


def inline(lines: list[bytes], keep_raw: bool = True) -> list[jsonl.ParsedLine]:
    parsed = [jsonl.parse_numbered(n, line, version=2, restore=False) for n, line in enumerate(lines, 1)]
    return [p if keep_raw else (p[0], p[1], None) for p in parsed if p is not None]


@pytest.mark.parametrize("keep_raw", [True, False])
def test_events_validated_ahead_equal_those_validated_inline(corpus, keep_raw):
    lines = [*corpus[:100], b"\n", *corpus[100:]]  # a blank line is skipped either way
    ahead = list(jsonl.read_lines(io.BytesIO(b"".join(lines)), keep_raw=keep_raw))
    assert len(ahead) == LINES
    assert ahead == inline(lines, keep_raw)


def error_of(lines: list[bytes], **kwargs) -> InvalidEvent:
    with pytest.raises(InvalidEvent) as raised:
        list(jsonl.read_lines(io.BytesIO(b"".join(lines)), **kwargs))
    return raised.value


def test_the_first_invalid_line_in_a_helper_batch_is_the_error(corpus):
    lines = list(corpus)
    lines[172] = lines[172].replace(b'"occurred_at":"', b'"occurred_at":"x', 1)  # line 173
    lines[300] = b'{"type": "talks.reported"}\n'  # a later error must not be the one reported
    ahead = error_of(lines)
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(jsonl_ahead, "ENABLED", False)
    try:
        alone = error_of(lines)
    finally:
        monkeypatch.undo()
    assert ahead.line == alone.line == 173
    assert str(ahead) == str(alone)


def test_an_import_with_an_invalid_line_far_in_writes_nothing(corpus, db_url):
    lines = list(corpus)
    lines[350] = b'{"type": "no.such_type", "occurred_at": "2020-01-01", "data": {}, "sources": []}\n'
    result = ledger_cli(db_url, "import", "-", input=b"".join(lines))
    assert result.exit_code == 3
    assert "line 351" in one_error_line(result)
    with ledger.open(db_url) as opened:
        assert opened.head().position == 0


def test_an_import_validated_ahead_stores_what_one_validated_inline_stores(corpus, db_url, tmp_path):
    assert ledger_cli(db_url, "import", "-", input=b"".join(corpus)).exit_code == 0
    with ledger.open(db_url) as opened:
        stored = [event.content() for event in opened.read()]
    assert [e.content(e.id) for _, e, _ in inline(corpus)] == stored
