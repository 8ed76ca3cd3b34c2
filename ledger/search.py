"""Finding entities by what people call them, and "did you mean" for an id no event names.

The search index (`search_terms`, kept with the projections) holds each entity's names normalized
(`ledger.names`): its id's slug, its name or title, its aliases and former names, whole and from each
later word on. A search ranks its hits in tiers, each one range of the index's primary key, so it reads
about as many rows as it returns: the exact id; an exact name; a name that starts with the text; a name
with a word that starts with the text (a substring at a word's start). Within a tier, shorter names
first, then by id.
"""

from __future__ import annotations

import difflib
from typing import Any

from ledger.entities import KINDS, is_entity_id
from ledger.names import display_names, normalize, summary
from ledger.read_model import documents
from ledger.store.connection import Transaction

TIERS = ("id", "name", "prefix", "substring")
_AFTER_EVERY = "\U0010ffff"  # sorts after every character: `text + _AFTER_EVERY` bounds text's prefixes
_PAGE = 50
LIKE = 0.6  # how alike two slugs must be for one to be suggested for the other (difflib's ratio)


def search(tx: Transaction, text: str, kind: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """The entities whose id or names match `text` (of `kind` only, if given), best first, at most
    `limit`: each `{id, kind, name, match, matched, summary}`."""
    query = text.strip()
    named_kind, colon, rest = query.partition(":")
    if colon and named_kind.lower() in KINDS:  # `plant:oppa` looks among plants for "oppa"
        if kind is not None and kind != named_kind.lower():
            return []
        kind, query = named_kind.lower(), rest
    wanted = normalize(query)
    hits: dict[str, int] = {}  # entity id -> its best tier
    exact_id = text.strip().lower()
    of_kind = kind is None or exact_id.startswith(f"{kind}:")
    if is_entity_id(exact_id) and of_kind and tx.projections.entity_docs_of([exact_id]):
        hits[exact_id] = 0
    if wanted:
        for tier, rank, high in (
            (1, 0, wanted + "\x01"),
            (2, 0, wanted + _AFTER_EVERY),
            (3, 1, wanted + _AFTER_EVERY),
        ):
            _tier(tx, hits, tier, rank, wanted, high, kind, limit)
            if len(hits) >= limit:
                break
    ranked = sorted(hits.items(), key=lambda hit: hit[1])[:limit]  # stable: the order found in a tier
    docs = documents.states_of(tx, [entity_id for entity_id, _tier in ranked])
    return [_hit(entity_id, docs[entity_id], tier, wanted) for entity_id, tier in ranked]


def _tier(
    tx: Transaction,
    hits: dict[str, int],
    tier: int,
    rank: int,
    low: str,
    high: str,
    kind: str | None,
    limit: int,
) -> None:
    """Add the entities of one tier, in index order, until `limit` entities are found in all."""
    after = None
    while len(hits) < limit:
        rows = tx.projections.search_terms(rank, low, high, kind, _PAGE, after)
        for _term, entity_id in rows:
            hits.setdefault(entity_id, tier)
            if len(hits) >= limit:
                return
        if len(rows) < _PAGE:
            return
        after = rows[-1]


def _hit(entity_id: str, state: dict[str, Any], tier: int, wanted: str) -> dict[str, Any]:
    names = display_names(entity_id, state)
    return {
        "id": entity_id,
        "kind": state["kind"],
        "name": names[0],
        "match": TIERS[tier],
        "matched": entity_id if tier == 0 else _matched(entity_id, names, tier, wanted),
        "summary": summary(state),
    }


def _matched(entity_id: str, names: list[str], tier: int, wanted: str) -> str:
    """Which of the entity's names (or its id) the text matched, as given."""
    for name in [*names, entity_id]:
        found = normalize(name.partition(":")[2] if name == entity_id else name)
        if (tier == 1 and found == wanted) or (tier == 2 and found.startswith(wanted)):
            return name
        if tier == 3 and f" {wanted}" in f" {found}":
            return name
    return names[0]


def suggest(tx: Transaction, entity_id: str, count: int = 3) -> list[str]:
    """Ids like `entity_id` (of its kind) from the search index, most alike first: the entities whose
    names share the longest start with its slug, whose slugs are alike enough (`LIKE`)."""
    kind, _colon, slug = entity_id.partition(":")
    wanted = normalize(slug)
    if kind not in KINDS or not wanted:
        return []
    low, high = 0, len(wanted)  # the longest prefix of `wanted` that some entity's name starts with
    while low < high:
        middle = (low + high + 1) // 2
        prefix = wanted[:middle]
        if any(tx.projections.search_terms(r, prefix, prefix + _AFTER_EVERY, kind, 1) for r in (0, 1)):
            low = middle
        else:
            high = middle - 1
    if low == 0:
        return []
    likeness = {
        found["id"]: difflib.SequenceMatcher(None, slug, found["id"].partition(":")[2]).ratio()
        for found in search(tx, wanted[:low], kind, limit=20)
        if found["id"] != entity_id
    }
    alike = sorted((c for c, ratio in likeness.items() if ratio >= LIKE), key=lambda c: (-likeness[c], c))
    return alike[:count]
