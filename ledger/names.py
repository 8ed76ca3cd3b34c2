"""Names as people type them: case-, accent- and punctuation-insensitive forms of sources, speakers and
entity names, and the names an event is found by.

`normalize` is the one comparison every name filter and the search index use: casefolded, accents
stripped (NFKD without combining marks), words of letters and digits joined by single spaces. So
`--source nikkei` finds "Nikkei", `nissan motor co ltd` "Nissan Motor Co., Ltd." and `Citroen` "Citroën".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from ledger.vocabulary.entity_fields import CATEGORIES

_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script


@lru_cache(maxsize=1 << 16)  # names repeat: a few hundred outlets and speakers across a million events
def normalize(text: str) -> str:
    """Case-folded, accents and punctuation dropped, words joined by one space."""
    if text.isascii():  # NFKD leaves ASCII as it is, and nothing in it combines
        return " ".join(_WORD.findall(text.lower()))
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_WORD.findall(stripped))


SOURCE, ORIGIN, SPEAKER = 1, 2, 4  # the roles a name has in an event (`event_names.role`, a bit set)


def event_names(
    event_type: str, data: dict[str, Any], sources: Iterable[dict[str, Any]]
) -> list[tuple[str, int]]:
    """(normalized name, roles) an event is found by (`event_names`, a table of the log): its sources'
    names (SOURCE), their origins (ORIGIN: the source a source republishes, `derived_from`, else itself),
    and the speaker a statement, or the correction of one, names (SPEAKER). Empty names are left out."""
    found: dict[str, int] = {}

    def add(name: str, role: int) -> None:
        key = normalize(name)
        if key:
            found[key] = found.get(key, 0) | role

    for source in sources:
        add(source["name"], SOURCE)
        add(source.get("derived_from") or source["name"], ORIGIN)
    category = CATEGORIES[event_type]
    if category == "statement":
        add(data["by"], SPEAKER)
    elif category == "correction" and isinstance(data.get("replacement"), dict):
        by = data["replacement"].get("by")
        if isinstance(by, str):
            add(by, SPEAKER)
    return sorted(found.items())


def entity_terms(entity_id: str, state: dict[str, Any]) -> list[tuple[str, int]]:
    """What the search index holds for an entity: each of its names (its id's slug, its name or title,
    its aliases and former names) normalized whole (rank 0), and from each later word on (rank 1: a
    match there is a match inside the name, at a word's start)."""
    texts = [
        entity_id.partition(":")[2],
        state.get("name"),
        state.get("title"),
        *(state.get("aliases") or ()),
    ]
    found: dict[str, int] = {}
    for text in texts:
        if not isinstance(text, str):
            continue
        whole = normalize(text)
        if not whole:
            continue
        found[whole] = 0
        words = whole.split(" ")
        for start in range(1, len(words)):
            found.setdefault(" ".join(words[start:]), 1)
    return sorted(found.items())


def display_names(entity_id: str, state: dict[str, Any]) -> list[str]:
    """The names an entity goes by, as given: name or title first, then aliases and former names."""
    names = [state.get("name"), state.get("title"), *(state.get("aliases") or ())]
    return [n for n in dict.fromkeys(names) if isinstance(n, str)] or [entity_id]


def summary(state: dict[str, Any]) -> str:
    """One line about an entity, for a search hit."""
    kind = state.get("kind")
    parts: list[str | None]
    if kind == "plant":
        location = state.get("location") or {}
        where = ", ".join(p for p in (location.get("city"), location.get("country")) if p)
        parts = [state.get("name"), where, _labelled("operator", state.get("operator")), state.get("status")]
    elif kind == "company":
        plants = len(state.get("plants") or ())
        parts = [
            state.get("name"),
            state.get("country"),
            f"{plants} plant{'s' * (plants != 1)}" if plants else None,
        ]
    elif kind == "partnership":
        parties = " & ".join(state.get("parties") or ())
        parts = [
            parties or None,
            _labelled("stage", state.get("stage")),
            _labelled("plant", state.get("plant")),
        ]
    elif kind == "plan":
        parts = [state.get("title"), _labelled("by", state.get("company"))]
    else:
        parts = [state.get("name"), state.get("jurisdiction"), state.get("category")]
    return "; ".join(p for p in parts if p)


def _labelled(label: str, value: Any) -> str | None:
    return f"{label} {value}" if value else None
