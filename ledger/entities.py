"""Entities: the kinds of thing the ledger keeps state for, and their ids (`<kind>:<slug>`).

The one list of kinds: the vocabulary's id fields, the projections, the queries and the CLI all read it
from here.
"""

from __future__ import annotations

import re

# Kind -> the plural `ledger list` takes.
KINDS: dict[str, str] = {
    "company": "companies",
    "plant": "plants",
    "partnership": "partnerships",
    "plan": "plans",
    "authority": "authorities",  # v2: a government, regulator, court or agency
}
ENTITY_KINDS = tuple(KINDS)
PLURALS = {plural: kind for kind, plural in KINDS.items()}

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
# Python patterns in the ledger are matched whole with re.fullmatch: a `$` anchor would also accept a
# final "\n".
ENTITY_ID_RE = rf"(?:{'|'.join(ENTITY_KINDS)}):{SLUG}"
_ENTITY_ID = re.compile(ENTITY_ID_RE)


def id_pattern(kind: str) -> str:
    """The whole-string pattern of an id of one kind, anchored for validators that search."""
    return rf"^{kind}:{SLUG}$"


def is_entity_id(text: str) -> bool:
    return _ENTITY_ID.fullmatch(text) is not None


def entity_kind(entity_id: str) -> str:
    """'company', 'plant', 'partnership', 'plan' or 'authority'; ValueError for anything else."""
    kind, colon, slug = entity_id.partition(":")
    if not colon or not slug or kind not in KINDS:
        raise ValueError(f"expected an entity id like plant:nissan-oppama, got {entity_id!r}")
    return kind


def describe_id_format() -> str:
    """How an id looks, for error messages."""
    return f"an entity id like plant:nissan-oppama ({'|'.join(ENTITY_KINDS)}:slug)"
