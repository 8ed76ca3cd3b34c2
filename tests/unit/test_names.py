"""Name normalization (search, `--source`, `--by`): case- and accent-insensitive, punctuation dropped.

`normalize` takes a shortcut for ASCII text and remembers what it normalized; both must give exactly
what the Unicode rule (NFKD of the case-folded text, combining marks dropped, words joined) gives."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from ledger.names import event_names, normalize

_WORD = re.compile(r"[^\W_]+")


def by_the_rule(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join(_WORD.findall("".join(c for c in decomposed if not unicodedata.combining(c))))


@given(st.text())
def test_any_text_normalizes_as_the_unicode_rule_says(text):
    assert normalize(text) == by_the_rule(text)
    assert normalize(text) == by_the_rule(text)  # asked again: remembered, the same


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_text_normalizes_as_the_unicode_rule_says(text):
    assert normalize(text) == by_the_rule(text)


def test_names_match_whatever_their_case_accents_and_punctuation():
    assert normalize("Nikkei Asia") == normalize("NIKKEI-asia") == "nikkei asia"
    assert normalize("Société Générale") == normalize("societe generale") == "societe generale"
    assert normalize("Straße") == "strasse"
    assert normalize("  ---  ") == ""


def test_an_events_names_carry_each_role_once():
    names = event_names(
        "report.denied",
        {"by": "company:nissan"},
        [{"name": "Kyodo News"}, {"name": "Japan Times", "derived_from": "KYODO news"}],
    )
    assert names == [("company nissan", 4), ("japan times", 1), ("kyodo news", 3)]
