"""The building blocks of payloads: entity-id fields, text, times, counts, percentages, sources, limits.

Payloads are TypedDicts validated by pydantic in one pass (Rust) into plain dicts: they are what is
stored and hashed, with no model objects to build and dump on a path that runs a million times.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal, NotRequired

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, WithJsonSchema
from typing_extensions import TypedDict

from ledger.entities import SLUG, id_pattern
from ledger.times import check_time, check_world_time
from ledger.vocabulary.terms import CURRENCIES, QUANTITY_UNITS, SOURCE_KINDS

# -- limits: one bad line must not exhaust memory (docs/GUARANTEES.md) --------------------------------
MAX_TEXT = 4000
MAX_NAME = 200
MAX_ITEMS = 100
MAX_INT = 2**53 - 1  # JSON numbers are IEEE doubles (RFC 8785); larger integers would not round-trip


class EntityRef:
    """Marks a payload field as naming an entity of one of `kinds` (annotation metadata)."""

    def __init__(self, *kinds: str) -> None:
        self.kinds = kinds

    @property
    def kind(self) -> str:
        return "|".join(self.kinds)


def _entity_id(*kinds: str) -> Any:
    pattern = id_pattern(kinds[0]) if len(kinds) == 1 else rf"^(?:{'|'.join(kinds)}):{SLUG}$"
    return Annotated[str, StringConstraints(pattern=pattern, max_length=MAX_NAME), EntityRef(*kinds)]


CompanyId = _entity_id("company")
PlantId = _entity_id("plant")
PartnershipId = _entity_id("partnership")
PlanId = _entity_id("plan")
AuthorityId = _entity_id("authority")
PartyId = _entity_id("company", "authority")  # a deal's party: a company or an authority (v2)
SubjectId = _entity_id("partnership", "plant")  # what an approval is about (v2)

Text = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT, strip_whitespace=False)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME)]
Time = Annotated[str, StringConstraints(max_length=40), AfterValidator(check_time)]
# v2's occurred_at: a moment, or the period a report gives when it is no more precise (2021-10, 2021-Q4)
WorldTime = Annotated[str, StringConstraints(max_length=40), AfterValidator(check_world_time)]
Date = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$"), AfterValidator(check_time)]
Count = Annotated[int, Field(ge=0, le=MAX_INT, strict=True)]
SignedCount = Annotated[int, Field(ge=-MAX_INT, le=MAX_INT, strict=True)]
# strict: lax mode would take `true` or "50" as a percentage
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False, strict=True)]
Lei = Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{18}[0-9]{2}$")]  # ISO 17442 legal entity id
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


# -- v2 ---------------------------------------------------------------------------------------------------
@closed
class SourceV2(Source):
    derived_from: NotRequired[Name]  # the source this one republishes (a syndicated wire story)


def _check_unit(unit: str) -> str:
    if unit in CURRENCIES or unit in QUANTITY_UNITS:
        return unit
    raise ValueError(
        f"unknown unit {unit[:40]!r}: expected an ISO 4217 currency code (USD, EUR, JPY, INR, ...) "
        f"or one of {', '.join(QUANTITY_UNITS)}"
    )


def _check_number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"expected a number, got {str(value)[:40]!r}")
    if abs(value) > MAX_INT:
        raise ValueError(f"expected a number within ±(2^53 - 1), got {value!r}")
    return value


# A number as given: an integer stays one (a price of 6000000000 is not written 6000000000.0).
Number = Annotated[Any, AfterValidator(_check_number), WithJsonSchema({"type": "number"})]


@closed
class Quantity(TypedDict):
    """An amount as reported: stored as given, no conversion, no FX."""

    value: Number
    unit: Annotated[str, StringConstraints(max_length=40), AfterValidator(_check_unit)]
    approx: NotRequired[Annotated[bool, Field(strict=True)]]
    text: NotRequired[Name]


def _one_company(parties: list[str]) -> list[str]:
    if not any(p.startswith("company:") for p in parties):
        raise ValueError("at least one party must be a company")
    return parties


V2Parties = Annotated[
    list[PartyId], Field(min_length=2, max_length=20), AfterValidator(_distinct), AfterValidator(_one_company)
]


def _check_v2_by(value: str) -> str:
    for kind in ("company", "authority"):
        if value.startswith(f"{kind}:") and not re.fullmatch(rf"{kind}:{SLUG}", value):
            raise ValueError(f"expected a {kind} id like {kind}:some-slug or a source name, got {value!r}")
    return value


V2Speaker = Annotated[Name, AfterValidator(_check_v2_by)]  # a company id, an authority id or a source name
