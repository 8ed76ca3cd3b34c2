"""The building blocks of payloads: entity-id fields, text, times, counts, percentages, sources, limits.

Payloads are msgspec Structs, converted in one pass (C) from the dict orjson decoded and turned back
into plain dicts by `msgspec.to_builtins`: what is stored and hashed is that dict, in field order, with
the optional fields that were not given left out (they default to UNSET, which to_builtins omits).

A constraint msgspec can check (length, pattern, bounds) is a `Meta`; a check it cannot (a date that must
exist, distinct parties, a unit) is a `Check` beside it, run by the payload's `__post_init__` in field
order. Patterns are matched with `re.search`, so they are anchored with `\\Z` (a `$` would also accept a
trailing newline).
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

import msgspec
from msgspec import UNSET, Meta, UnsetType

from ledger.entities import SLUG
from ledger.times import check_time, check_world_time
from ledger.vocabulary.terms import CURRENCIES, QUANTITY_UNITS, SOURCE_KINDS

# -- limits: one bad line must not exhaust memory (docs/GUARANTEES.md) --------------------------------
MAX_TEXT = 4000
MAX_NAME = 200
MAX_ITEMS = 100
MAX_INT = 2**53 - 1  # JSON numbers are IEEE doubles (RFC 8785); larger integers would not round-trip

T = TypeVar("T")
Maybe = T | UnsetType  # an optional field: `x: Maybe[Name] = UNSET`; left out of the output when not given


class Check:
    """Annotation metadata: `fn(value)` raises ValueError, with the message the user sees, if the
    converted value is not acceptable. Only on a field's own annotation (not inside a list's items)."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[Any], object]) -> None:
        self.fn = fn

    def __repr__(self) -> str:
        return f"Check({self.fn.__name__})"


def strip_unset(annotation: Any) -> Any:
    """An optional field's annotation without its UnsetType (`Maybe[X]` -> X); others as they are."""
    if not isinstance(annotation, types.UnionType) and typing.get_origin(annotation) is not typing.Union:
        return annotation
    args = tuple(a for a in typing.get_args(annotation) if a is not UnsetType)
    if len(args) == len(typing.get_args(annotation)):
        return annotation
    return args[0] if len(args) == 1 else typing.Union[args]  # noqa: UP007 (built from a tuple)


def checks_in(annotation: Any) -> tuple[Callable[[Any], object], ...]:
    """The checks of a field's annotation (an optional field's too)."""
    metadata = getattr(strip_unset(annotation), "__metadata__", ())
    return tuple(m.fn for m in metadata if isinstance(m, Check))


def _post_init(checks: tuple[tuple[str, tuple[Callable[[Any], object], ...]], ...]) -> Callable[[Any], None]:
    """The `__post_init__` running `checks` ((attribute, its checks), ...) on the fields given. A check
    raises ValueError, which msgspec reports at the payload's path (validation names the field)."""
    if len(checks) == 1 and len(checks[0][1]) == 1:  # the usual case, without the loops
        ((name, (check,)),) = checks

        def __post_init__(self: Any) -> None:
            value = getattr(self, name)
            if value is not UNSET:
                check(value)

        return __post_init__

    def __post_init__(self: Any) -> None:
        for name, fns in checks:
            value = getattr(self, name)
            if value is not UNSET:
                for fn in fns:
                    fn(value)

    return __post_init__


class Payload(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A closed object: unknown keys are refused, optional fields default to UNSET. Fields are stored in
    the order they are written; a payload with a required field after an optional one says
    `kw_only=True` (msgspec refuses it otherwise), which keeps that order."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Only payloads with checks pay for a __post_init__ (a call per object built). The names the
        # annotations use are defined above the class, so they resolve while its module is loading.
        hints = typing.get_type_hints(cls, include_extras=True)
        checks = tuple((name, found) for name, hint in hints.items() if (found := checks_in(hint)))
        if checks:
            cls.__post_init__ = _post_init(checks)  # type: ignore[attr-defined]


def _remembered(check: Callable[[str], object]) -> Callable[[str], None]:
    """`check`, skipped for a value it passed before (dates repeat across events); remembers 2^16."""
    passed: set[str] = set()

    def remembered(value: str) -> None:
        if value not in passed:
            check(value)
            if len(passed) >= 1 << 16:
                passed.clear()
            passed.add(value)

    remembered.__name__ = check.__name__
    return remembered


def _entity_id(*kinds: str) -> Any:
    pattern = rf"^{kinds[0]}:{SLUG}\Z" if len(kinds) == 1 else rf"^(?:{'|'.join(kinds)}):{SLUG}\Z"
    return Annotated[str, Meta(pattern=pattern, max_length=MAX_NAME, extra={"entity": kinds})]


CompanyId = _entity_id("company")
PlantId = _entity_id("plant")
PartnershipId = _entity_id("partnership")
PlanId = _entity_id("plan")
AuthorityId = _entity_id("authority")
PartyId = _entity_id("company", "authority")  # a deal's party: a company or an authority (v2)
SubjectId = _entity_id("partnership", "plant")  # what an approval is about (v2)

Text = Annotated[str, Meta(min_length=1, max_length=MAX_TEXT)]
Name = Annotated[str, Meta(min_length=1, max_length=MAX_NAME)]
Time = Annotated[str, Meta(max_length=40), Check(_remembered(check_time))]
# v2's occurred_at: a moment, or the period a report gives when it is no more precise (2021-10, 2021-Q4)
WorldTime = Annotated[str, Meta(max_length=40), Check(_remembered(check_world_time))]
Date = Annotated[str, Meta(pattern=r"^\d{4}-\d{2}-\d{2}\Z"), Check(_remembered(check_time))]
# Converted strictly (strict=True): `true` is not a number, "50" not a count, 7.0 not a whole number.
Count = Annotated[int, Meta(ge=0, le=MAX_INT)]
SignedCount = Annotated[int, Meta(ge=-MAX_INT, le=MAX_INT)]
Percent = Annotated[float, Meta(ge=0, le=100)]  # NaN and infinities fail the bounds; 50 becomes 50.0
Lei = Annotated[str, Meta(pattern=r"^[0-9A-Z]{18}[0-9]{2}\Z")]  # ISO 17442 legal entity id
# \S as the ledger always read it (Unicode White_Space): Python's \s also takes U+001C to U+001F.
Url = Annotated[str, Meta(pattern=r"^https?://[\S\x1c-\x1f]+\Z", max_length=2000)]
Replacement = dict[str, Any]  # a correction's new data for its target; checked against the target's type


class Source(Payload):
    name: Name
    kind: Literal[SOURCE_KINDS]
    url: Maybe[Url] = UNSET
    published_at: Maybe[Time] = UNSET


def _distinct(items: list[str]) -> None:
    if len(set(items)) != len(items):
        raise ValueError("a party is named twice")


Parties = Annotated[list[CompanyId], Meta(min_length=2, max_length=20), Check(_distinct)]


_COMPANY_ID = re.compile(rf"company:{SLUG}")


def _check_by(value: str) -> None:
    if value.startswith("company:") and not _COMPANY_ID.fullmatch(value):
        raise ValueError(f"expected a company id like company:nissan or a source name, got {value!r}")


Speaker = Annotated[Name, Check(_check_by)]  # a statement's `by`: a company id or a source name


# -- v2 ---------------------------------------------------------------------------------------------------
class SourceV2(Source):
    derived_from: Maybe[Name] = UNSET  # the source this one republishes (a syndicated wire story)


def _check_unit(unit: str) -> None:
    if unit not in CURRENCIES and unit not in QUANTITY_UNITS:
        raise ValueError(
            f"unknown unit {unit[:40]!r}: expected an ISO 4217 currency code (USD, EUR, JPY, INR, ...) "
            f"or one of {', '.join(QUANTITY_UNITS)}"
        )


# A number as given: an integer stays one (a price of 6000000000 is not written 6000000000.0). The
# bounds also refuse NaN and the infinities.
Number = Annotated[int, Meta(ge=-MAX_INT, le=MAX_INT)] | Annotated[float, Meta(ge=-MAX_INT, le=MAX_INT)]


class Quantity(Payload):
    """An amount as reported: stored as given, no conversion, no FX."""

    value: Number
    unit: Annotated[str, Meta(max_length=40), Check(_check_unit)]
    approx: Maybe[bool] = UNSET
    text: Maybe[Name] = UNSET


def _one_company(parties: list[str]) -> None:
    if not any(p.startswith("company:") for p in parties):
        raise ValueError("at least one party must be a company")


V2Parties = Annotated[list[PartyId], Meta(min_length=2, max_length=20), Check(_distinct), Check(_one_company)]


_SPEAKER_ID = re.compile(rf"(?:company|authority):{SLUG}")


def _check_v2_by(value: str) -> None:
    if value.startswith(("company:", "authority:")) and not _SPEAKER_ID.fullmatch(value):
        kind = value.partition(":")[0]
        raise ValueError(f"expected a {kind} id like {kind}:some-slug or a source name, got {value!r}")


V2Speaker = Annotated[Name, Check(_check_v2_by)]  # a company id, an authority id or a source name
