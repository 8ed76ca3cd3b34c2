"""The v1 vocabulary: the event envelope, one frozen payload model per type, and validation.

Validation turns untrusted JSON into a `NewEvent` whose fields are exactly what will be stored and
hashed, or raises `InvalidEvent` naming the field. Which payload fields are entity ids is read off the
models' annotations, so the index and the schema cannot drift apart.
"""

from __future__ import annotations

import functools
import json
import re
import typing
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal, NotRequired

from pydantic import (
    AfterValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)
from typing_extensions import TypedDict

from ledger.errors import InvalidEvent
from ledger.times import check_time

# -- limits: one bad line must not exhaust memory (docs/GUARANTEES.md) --------------------------------
MAX_LINE_BYTES = 64 * 1024
MAX_TEXT = 4000
MAX_NAME = 200
MAX_ITEMS = 100
MAX_INT = 2**53  # JSON numbers are IEEE doubles (RFC 8785); larger integers would not round-trip

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
ENTITY_KINDS = ("company", "plant", "partnership", "plan")
# Python patterns here are matched whole with re.fullmatch: a `$` anchor would also accept a final "\n".
ENTITY_ID_RE = rf"(?:{'|'.join(ENTITY_KINDS)}):{SLUG}"


class EntityRef:
    """Marks a payload field as naming an entity of one kind (annotation metadata)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind


def _entity_id(kind: str) -> Any:
    return Annotated[
        str, StringConstraints(pattern=rf"^{kind}:{SLUG}$", max_length=MAX_NAME), EntityRef(kind)
    ]


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


Forbid = ConfigDict(extra="forbid")


def _closed(cls: Any) -> Any:
    """Unknown keys are rejected (pydantic reads this config off a TypedDict)."""
    cls.__pydantic_config__ = Forbid
    return cls


# Payloads are TypedDicts validated by pydantic in one pass (Rust) into plain dicts: they are what
# is stored and hashed, with no model objects to build and dump on a path that runs a million times.
@_closed
class Source(TypedDict):
    name: Name
    kind: Literal["press", "wire", "company", "anonymous", "other"]
    url: NotRequired[Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)]]
    published_at: NotRequired[Time]


# -- reference facts (claims too, by the contract's definition) ---------------------------------------
@_closed
class CompanyRegistered(TypedDict):
    company: CompanyId
    name: Name
    country: NotRequired[Name]
    aliases: NotRequired[Annotated[list[Name], Field(max_length=MAX_ITEMS)]]


@_closed
class Location(TypedDict):
    city: Name
    region: NotRequired[Name]
    country: Name


@_closed
class PlantRegistered(TypedDict):
    plant: PlantId
    name: Name
    operator: CompanyId
    location: Location
    employees: NotRequired[Count]
    products: NotRequired[Annotated[list[Name], Field(max_length=MAX_ITEMS)]]


# -- company and plant actions -------------------------------------------------------------------------
@_closed
class Measure(TypedDict):
    kind: Literal["plant_closures", "workforce_reduction", "other"]
    count: NotRequired[Count]
    of: NotRequired[Count]
    percent: NotRequired[Percent]
    description: NotRequired[Text]


@_closed
class PlanAnnounced(TypedDict):
    plan: PlanId
    company: CompanyId
    title: Name
    measures: Annotated[list[Measure], Field(max_length=MAX_ITEMS)]
    plants: NotRequired[Annotated[list[PlantId], Field(max_length=MAX_ITEMS)]]


@_closed
class PlantClosureConsidered(TypedDict):
    plant: PlantId
    company: CompanyId


@_closed
class PlantClosureAnnounced(TypedDict):
    plant: PlantId
    company: CompanyId
    effective_by: NotRequired[Date]


@_closed
class PlantClosed(TypedDict):
    plant: PlantId


@_closed
class PlantProductionStarted(TypedDict):
    plant: PlantId
    producer: CompanyId
    product: NotRequired[Name]


# `from` is a Python keyword, hence the functional form.
PlantStakeTransferred = _closed(
    TypedDict(
        "PlantStakeTransferred",
        {"plant": PlantId, "from": CompanyId, "to": CompanyId, "share": NotRequired[Name | Percent]},
    )
)


# -- partnerships and deals ----------------------------------------------------------------------------
def _distinct(items: list[str]) -> list[str]:
    if len(set(items)) != len(items):
        raise ValueError("a party is named twice")
    return items


Parties = Annotated[list[CompanyId], Field(min_length=2, max_length=20), AfterValidator(_distinct)]


@_closed
class TalksReported(TypedDict):
    partnership: PartnershipId
    parties: Parties
    plant: NotRequired[PlantId]
    scope: Text


@_closed
class AcquisitionExplored(TypedDict):
    partnership: PartnershipId
    acquirer: CompanyId
    plant: NotRequired[PlantId]
    stake: NotRequired[Name]
    scope: NotRequired[Text]


@_closed
class MouSigned(TypedDict):
    partnership: PartnershipId
    parties: Parties
    scope: Text


@_closed
class AgreementSigned(MouSigned):
    pass


@_closed
class DealCompleted(TypedDict):
    partnership: PartnershipId


@_closed
class TalksEnded(TypedDict):
    partnership: PartnershipId
    reason: NotRequired[Text]


# -- statements and corrections -------------------------------------------------------------------------
def _check_by(value: str) -> str:
    if value.startswith("company:") and not re.fullmatch(rf"company:{SLUG}", value):
        raise ValueError(f"expected a company id like company:nissan or a source name, got {value!r}")
    return value


@_closed
class Statement(TypedDict):
    by: Annotated[Name, AfterValidator(_check_by)]
    quote: NotRequired[Text]


@_closed
class EntryCorrected(TypedDict):
    reason: Text
    replacement: dict[str, Any]


@_closed
class EntryVoided(TypedDict):
    reason: Text


PAYLOADS: dict[str, Any] = {
    "company.registered": CompanyRegistered,
    "plant.registered": PlantRegistered,
    "plan.announced": PlanAnnounced,
    "plant.closure_considered": PlantClosureConsidered,
    "plant.closure_announced": PlantClosureAnnounced,
    "plant.closed": PlantClosed,
    "plant.production_started": PlantProductionStarted,
    "plant.stake_transferred": PlantStakeTransferred,
    "talks.reported": TalksReported,
    "acquisition.explored": AcquisitionExplored,
    "mou.signed": MouSigned,
    "agreement.signed": AgreementSigned,
    "deal.completed": DealCompleted,
    "talks.ended": TalksEnded,
    "report.confirmed": Statement,
    "report.denied": Statement,
    "report.unconfirmed": Statement,
    "report.no_comment": Statement,
    "report.retracted": Statement,
    "entry.corrected": EntryCorrected,
    "entry.voided": EntryVoided,
}
EVENT_TYPES = tuple(PAYLOADS)
CATEGORIES: dict[str, str] = {
    t: "statement" if t.startswith("report.") else "correction" if t.startswith("entry.") else "claim"
    for t in PAYLOADS
}
STANCES = {t: t.split(".", 1)[1] for t, c in CATEGORIES.items() if c == "statement"}


# Validators are built on first use: a query command never validates, and building them is ~35 ms.
@functools.cache
def _data_validators() -> dict[str, TypeAdapter[Any]]:
    return {t: TypeAdapter(m) for t, m in PAYLOADS.items()}


@functools.cache
def may_hold_floats() -> frozenset[str]:
    """Types whose data may hold a non-integer number, the only values orjson and RFC 8785 write
    differently. (entry.corrected carries another type's data as its replacement.)"""
    floats = {t for t, a in _data_validators().items() if '"type": "number"' in json.dumps(a.json_schema())}
    return frozenset(floats | {"entry.corrected"})


def category(event_type: str) -> str:
    """'claim', 'statement' or 'correction'."""
    return CATEGORIES[event_type]


# -- which fields name entities ------------------------------------------------------------------------
def _entity_kind(annotation: Any) -> tuple[str, bool] | None:
    """(kind, is a list) if the annotation names entities, looking through Optional and list."""
    for meta in getattr(annotation, "__metadata__", ()):
        if isinstance(meta, EntityRef):
            return meta.kind, False
    origin = typing.get_origin(annotation)
    for arg in typing.get_args(annotation):
        found = _entity_kind(arg)
        if found:
            return found[0], found[1] or origin is list
    return None


def _entity_fields(model: Any) -> tuple[tuple[str, str, bool], ...]:
    """(json key, entity kind, is a list) for each payload field that names entities."""
    hints = typing.get_type_hints(model, include_extras=True)
    return tuple((key, *found) for key, hint in hints.items() if (found := _entity_kind(hint)))


ENTITY_FIELDS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    t: _entity_fields(m) for t, m in PAYLOADS.items()
}


def entities_in(event_type: str, data: dict[str, Any]) -> list[str]:
    """Entity ids named in `data`, per the type's schema, first-seen order, no duplicates."""
    found: dict[str, None] = {}
    for key, _kind, is_list in ENTITY_FIELDS[event_type]:
        value = data.get(key)
        if value is None:
            continue
        for item in value if is_list else (value,):
            found[item] = None
    if event_type in STANCES and data.get("by", "").startswith("company:"):
        found[data["by"]] = None
    return list(found)


def first_entity(event_type: str, data: dict[str, Any]) -> str | None:
    """The first entity `entities_in` would name (cheaper: it stops there)."""
    for key, _kind, is_list in ENTITY_FIELDS[event_type]:
        value = data.get(key)
        if value:
            return value[0] if is_list else value
    return None


def parties_of(event_type: str, data: dict[str, Any]) -> list[str]:
    """Company ids named in a claim's data: the parties whose statements decide its status."""
    return [e for e in entities_in(event_type, data) if e.startswith("company:")]


# -- validation ------------------------------------------------------------------------------------------
STORE_KEYS = frozenset({"position", "recorded_at", "prev_hash", "hash"})
UuidText = Annotated[str, StringConstraints(max_length=64)]


def _envelope(event_type: str) -> Any:
    """The whole event of one type, checked in a single validator call."""
    fields: dict[str, Any] = {
        "id": NotRequired[UuidText | None],
        "type": Literal[event_type],
        "occurred_at": Time,
        "data": PAYLOADS[event_type],
        "sources": NotRequired[Annotated[list[Source], Field(max_length=20)] | None],
        "refs": NotRequired[Annotated[list[UuidText], Field(max_length=MAX_ITEMS)] | None],
        "note": NotRequired[Text | None],
    }
    fields.update({key: NotRequired[Any] for key in STORE_KEYS})  # an export re-imports as it is
    return _closed(TypedDict(f"Event_{event_type.replace('.', '_')}", fields))


@dataclass(frozen=True, slots=True)
class NewEvent:
    """A validated event before the store gives it a position, a time and a hash."""

    id: str | None
    type: str
    occurred_at: str
    data: dict[str, Any]
    sources: list[dict[str, Any]]
    refs: list[str]
    note: str | None

    def content(self, event_id: str) -> dict[str, Any]:
        """The event as exported, minus the store's fields."""
        body: dict[str, Any] = {
            "id": event_id,
            "type": self.type,
            "occurred_at": self.occurred_at,
            "data": self.data,
            "sources": self.sources,
            "refs": self.refs,
        }
        if self.note is not None:
            body["note"] = self.note
        return body


@functools.cache
def _event_validator() -> TypeAdapter[Any]:
    return TypeAdapter(
        Annotated[typing.Union[tuple(_envelope(t) for t in PAYLOADS)], Discriminator("type")]  # noqa: UP007
    )


def _describe(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "missing required field"
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        for entity_kind in ENTITY_KINDS:
            if pattern.startswith(f"^{entity_kind}:"):
                return f"expected a {entity_kind} id like {entity_kind}:some-slug, got {error['input']!r}"
        if "https?" in pattern:
            return f"expected an http(s) URL, got {error['input']!r}"
        return f"{error['msg']}, got {error['input']!r}"
    msg = error["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg[0].lower() + msg[1:]


def _field_path(prefix: str, loc: tuple[Any, ...]) -> str:
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in ("str", "float", "constrained-str", "function-after[check_time(), constrained-str]"):
            continue  # union branch names, meaningless to the user
        else:
            name = part if part and part.isprintable() and len(part) <= 60 else repr(part[:60])  # one line
            path += f".{name}" if path else name
    return path


def _first_error(error: ValidationError, prefix: str = "") -> InvalidEvent:
    first = error.errors(include_url=False)[0]
    loc = first["loc"][1:] if not prefix else first["loc"]  # drop the union's tag (the event type)
    return InvalidEvent(_describe(first), field=_field_path(prefix, loc))


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _check_uuid(value: str, field: str) -> str:
    if _CANONICAL_UUID.fullmatch(value):
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidEvent(f"expected a UUID, got {value[:60]!r}", field=field) from None


def validate_event(raw: Any) -> NewEvent:
    """Check one event object against the envelope and its type's payload schema."""
    if not isinstance(raw, dict):
        raise InvalidEvent(f"expected a JSON object, got {type(raw).__name__}")
    event_type = raw.get("type")
    if event_type is None:
        raise InvalidEvent("missing required field", field="type")
    if not isinstance(event_type, str) or event_type not in PAYLOADS:
        raise InvalidEvent(f"unknown event type {str(event_type)[:60]!r}", field="type")
    try:
        event = _event_validator().validate_python(raw)
    except ValidationError as e:
        raise _first_error(e) from None
    kind = CATEGORIES[event_type]

    event_id = event.get("id")
    if event_id is not None:
        event_id = _check_uuid(event_id, "id")
    sources = event.get("sources") or []
    if not sources and kind != "correction":
        raise InvalidEvent("at least one source is required", field="sources")
    refs = [_check_uuid(r, f"refs[{i}]") for i, r in enumerate(event.get("refs") or ())]
    if len(set(refs)) != len(refs):
        raise InvalidEvent("the same event is referenced twice", field="refs")
    if kind == "statement" and not refs:
        raise InvalidEvent("a statement must reference at least one earlier claim", field="refs")
    if kind == "correction" and len(refs) != 1:
        raise InvalidEvent("a correction must reference exactly one earlier event", field="refs")
    if kind == "claim" and refs:
        raise InvalidEvent("only statements and corrections reference other events", field="refs")
    return NewEvent(
        event_id, event_type, event["occurred_at"], event["data"], sources, refs, event.get("note")
    )


def validate_replacement(target_type: str, replacement: Any) -> dict[str, Any]:
    """A correction's replacement must be valid data for the corrected event's type."""
    if CATEGORIES[target_type] == "correction":
        raise InvalidEvent("a correction cannot itself be corrected or voided", field="refs[0]")
    try:
        return _data_validators()[target_type].validate_python(replacement)
    except ValidationError as e:
        raise _first_error(e, "data.replacement") from None


# -- stored events, as read back by the store and folded by the projections ------------------------------
@dataclass(slots=True)  # not frozen: a frozen init costs 7x (0.8 us), paid per event in every rebuild
class StoredEvent:
    """One event as the log holds it: its content plus position, ledger time and chain hashes.
    Read-only by convention: nothing in the ledger changes an event once read."""

    position: int
    id: str
    type: str
    occurred_at: str
    recorded_at: str
    data: dict[str, Any]
    sources: list[dict[str, Any]]
    refs: list[str]
    note: str | None
    prev_hash: str
    hash: str

    @property
    def category(self) -> str:
        return CATEGORIES[self.type]

    def to_json(self) -> dict[str, Any]:
        """The exported form: every field the hash covers, plus the hash."""
        body: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "occurred_at": self.occurred_at,
            "data": self.data,
            "sources": self.sources,
            "refs": self.refs,
        }
        if self.note is not None:
            body["note"] = self.note
        body["position"] = self.position
        body["recorded_at"] = self.recorded_at
        body["prev_hash"] = self.prev_hash
        body["hash"] = self.hash
        return body
