"""A ledger file's path in a `file:` URI, and a database URL's escapes, are done without urllib when they
need nothing (a read command's start-up does without it): both must give exactly what urllib gives."""

from __future__ import annotations

from urllib.parse import quote
from urllib.parse import unquote as urllib_unquote

from hypothesis import given
from hypothesis import strategies as st

from ledger.store.sqlite import _uri_path
from ledger.store.urls import parse_url, unquote

_PATHISH = st.text(alphabet=st.sampled_from("ab/._-~ %?#é€"), max_size=30)


@given(st.one_of(st.text(max_size=30), _PATHISH))
def test_a_path_in_a_uri_is_what_quote_makes_of_it(path: str):
    assert _uri_path(path) == quote(path)


@given(st.one_of(st.text(max_size=30), st.text(alphabet=st.sampled_from("ab%20Ce9/"), max_size=30)))
def test_unquote_is_urllibs(text: str):
    assert unquote(text) == urllib_unquote(text)


def test_an_escaped_ledger_path_is_decoded():
    assert parse_url("sqlite:////tmp/my%20ledger.db").sqlite_path == "/tmp/my ledger.db"
    assert parse_url("sqlite:////tmp/plain.db").sqlite_path == "/tmp/plain.db"
