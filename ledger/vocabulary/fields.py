"""The building blocks of payloads: entity-id fields, text, times, counts, percentages, sources, limits.

Payloads are TypedDicts validated by pydantic in one pass (Rust) into plain dicts: they are what is
stored and hashed, with no model objects to build and dump on a path that runs a million times.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, NotRequired

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints
from typing_extensions import TypedDict

from ledger.entities import SLUG, id_pattern
from ledger.times import check_time
from ledger.vocabulary.terms import SOURCE_KINDS

# -- limits: one bad line must not exhaust memory (docs/GUARANTEES.md) --------------------------------
MAX_TEXT = 4000
MAX_NAME = 200
MAX_ITEMS = 100
MAX_INT = 2**53  # JSON numbers are IEEE doubles (RFC 8785); larger integers would not round-trip


class EntityRef:
    """Marks a payload field as naming an entity of one kind (annotation metadata)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind


def _entity_id(kind: str) -> Any:
    return Annotated[str, StringConstraints(pattern=id_pattern(kind), max_length=MAX_NAME), EntityRef(kind)]


CompanyId = _entity_id("company")
PlantId = _entity_id("plant")
PartnershipId = _entity_id("partnership")
PlanId = _entity_id("plan")

Text = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT, strip_whitespace=False)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME)]
Time = Annotated[str, StringConstraints(max_length=40), AfterValidator(check_time)]
Date = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$"), AfterValidator(check_time)]
Count = Annotated[int, Field(ge=0, le=MAX_INT, strict=True)]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)]
Replacement = dict[str, Any]  # a correction's new data for its target; checked against the target's type


def closed(cls: Any) -> Any:
    """Unknown keys are rejected (pydantic reads this config off a TypedDict)."""
    cls.__pydantic_config__ = ConfigDict(extra="forbid")
    return cls


@closed
class Source(TypedDict):
    name: Name
    kind: Literal[SOURCE_KINDS]
    url: NotRequired[Url]
    published_at: NotRequired[Time]


def _distinct(items: list[str]) -> list[str]:
    if len(set(items)) != len(items):
        raise ValueError("a party is named twice")
    return items


Parties = Annotated[list[CompanyId], Field(min_length=2, max_length=20), AfterValidator(_distinct)]


def _check_by(value: str) -> str:
    if value.startswith("company:") and not re.fullmatch(rf"company:{SLUG}", value):
        raise ValueError(f"expected a company id like company:nissan or a source name, got {value!r}")
    return value


Speaker = Annotated[Name, AfterValidator(_check_by)]  # a statement's `by`: a company id or a source name
