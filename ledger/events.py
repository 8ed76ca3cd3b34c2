"""The v1 vocabulary: the event envelope, one frozen payload model per type, and validation.

Validation turns untrusted JSON into a `NewEvent` whose fields are exactly what will be stored and
hashed, or raises `InvalidEvent` naming the field. Which payload fields are entity ids is read off the
models' annotations, so the index and the schema cannot drift apart.
"""

from __future__ import annotations

import typing
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

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
ENTITY_ID_RE = rf"^(?:{'|'.join(ENTITY_KINDS)}):{SLUG}$"


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


class Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)
    category: ClassVar[str] = "claim"


class Source(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    name: Name
    kind: Literal["press", "wire", "company", "anonymous", "other"]
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)] | None = None
    published_at: Time | None = None


# -- reference facts (claims too, by the contract's definition) ---------------------------------------
class CompanyRegistered(Payload):
    company: CompanyId
    name: Name
    country: Name | None = None
    aliases: Annotated[list[Name], Field(max_length=MAX_ITEMS)] | None = None


class Location(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    city: Name
    region: Name | None = None
    country: Name


class PlantRegistered(Payload):
    plant: PlantId
    name: Name
    operator: CompanyId
    location: Location
    employees: Count | None = None
    products: Annotated[list[Name], Field(max_length=MAX_ITEMS)] | None = None


# -- company and plant actions -------------------------------------------------------------------------
class Measure(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: Literal["plant_closures", "workforce_reduction", "other"]
    count: Count | None = None
    of: Count | None = None
    percent: Percent | None = None
    description: Text | None = None


class PlanAnnounced(Payload):
    plan: PlanId
    company: CompanyId
    title: Name
    measures: Annotated[list[Measure], Field(max_length=MAX_ITEMS)]
    plants: Annotated[list[PlantId], Field(max_length=MAX_ITEMS)] | None = None


class PlantClosureConsidered(Payload):
    plant: PlantId
    company: CompanyId


class PlantClosureAnnounced(Payload):
    plant: PlantId
    company: CompanyId
    effective_by: Date | None = None


class PlantClosed(Payload):
    plant: PlantId


class PlantProductionStarted(Payload):
    plant: PlantId
    producer: CompanyId
    product: Name | None = None


class PlantStakeTransferred(Payload):
    model_config = ConfigDict(populate_by_name=True)
    plant: PlantId
    from_: CompanyId = Field(alias="from")
    to: CompanyId
    share: Name | Percent | None = None


# -- partnerships and deals ----------------------------------------------------------------------------
def _distinct(items: list[str]) -> list[str]:
    if len(set(items)) != len(items):
        raise ValueError("a party is named twice")
    return items


Parties = Annotated[list[CompanyId], Field(min_length=2, max_length=20), AfterValidator(_distinct)]


class TalksReported(Payload):
    partnership: PartnershipId
    parties: Parties
    plant: PlantId | None = None
    scope: Text


class AcquisitionExplored(Payload):
    partnership: PartnershipId
    acquirer: CompanyId
    plant: PlantId | None = None
    stake: Name | None = None
    scope: Text | None = None


class MouSigned(Payload):
    partnership: PartnershipId
    parties: Parties
    scope: Text


class AgreementSigned(MouSigned):
    pass


class DealCompleted(Payload):
    partnership: PartnershipId


class TalksEnded(Payload):
    partnership: PartnershipId
    reason: Text | None = None


# -- statements and corrections -------------------------------------------------------------------------
def _check_by(value: str) -> str:
    if value.startswith("company:"):
        import re

        if not re.match(rf"^company:{SLUG}$", value):
            raise ValueError(f"expected a company id like company:nissan or a source name, got {value!r}")
    return value


class Statement(Payload):
    category: ClassVar[str] = "statement"
    by: Annotated[Name, AfterValidator(_check_by)]
    quote: Text | None = None


class EntryCorrected(Payload):
    category: ClassVar[str] = "correction"
    reason: Text
    replacement: dict[str, Any]


class EntryVoided(Payload):
    category: ClassVar[str] = "correction"
    reason: Text


PAYLOADS: dict[str, type[Payload]] = {
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
STANCES = {t: t.split(".", 1)[1] for t, m in PAYLOADS.items() if m.category == "statement"}


def category(event_type: str) -> str:
    """'claim', 'statement' or 'correction'."""
    return PAYLOADS[event_type].category


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


def _entity_fields(model: type[BaseModel]) -> tuple[tuple[str, str, bool], ...]:
    """(json key, entity kind, is a list) for each payload field that names entities."""
    found = []
    for name, info in model.model_fields.items():
        kind = next((m.kind for m in info.metadata if isinstance(m, EntityRef)), None)
        entry = (kind, False) if kind else _entity_kind(info.annotation)
        if entry:
            found.append((info.alias or name, *entry))
    return tuple(found)


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


def parties_of(event_type: str, data: dict[str, Any]) -> list[str]:
    """Company ids named in a claim's data: the parties whose statements decide its status."""
    return [e for e in entities_in(event_type, data) if e.startswith("company:")]


# -- validation ------------------------------------------------------------------------------------------
ENVELOPE_KEYS = frozenset({"id", "type", "occurred_at", "data", "sources", "refs", "note"})
STORE_KEYS = frozenset({"position", "recorded_at", "prev_hash", "hash"})


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
            path += f".{part}" if path else str(part)
    return path


def _validate(model: type[BaseModel], value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidEvent(f"expected an object, got {type(value).__name__}", field=field)
    try:
        return model.model_validate(value).model_dump(by_alias=True, exclude_none=True)
    except ValidationError as e:
        first = e.errors(include_url=False)[0]
        raise InvalidEvent(_describe(first), field=_field_path(field, first["loc"])) from None


def _check_uuid(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidEvent("expected a UUID string", field=field)
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidEvent(f"expected a UUID, got {value[:60]!r}", field=field) from None


def validate_event(raw: Any) -> NewEvent:
    """Check one event object against the envelope and its type's payload model."""
    if not isinstance(raw, dict):
        raise InvalidEvent(f"expected a JSON object, got {type(raw).__name__}")
    unknown = raw.keys() - ENVELOPE_KEYS - STORE_KEYS
    if unknown:
        raise InvalidEvent("unknown field", field=sorted(unknown)[0])
    event_type = raw.get("type")
    if event_type is None:
        raise InvalidEvent("missing required field", field="type")
    if event_type not in PAYLOADS:
        raise InvalidEvent(f"unknown event type {str(event_type)[:60]!r}", field="type")
    model = PAYLOADS[event_type]

    event_id = None if raw.get("id") is None else _check_uuid(raw["id"], "id")

    occurred_at = raw.get("occurred_at")
    if occurred_at is None:
        raise InvalidEvent("missing required field", field="occurred_at")
    if not isinstance(occurred_at, str) or len(occurred_at) > 40:
        raise InvalidEvent("expected a date or an RFC 3339 timestamp string", field="occurred_at")
    try:
        check_time(occurred_at)
    except ValueError as e:
        raise InvalidEvent(str(e), field="occurred_at") from None

    if "data" not in raw:
        raise InvalidEvent("missing required field", field="data")
    data = _validate(model, raw["data"], "data")

    sources_raw = raw.get("sources") or []
    if not isinstance(sources_raw, list):
        raise InvalidEvent("expected a list of sources", field="sources")
    if len(sources_raw) > 20:
        raise InvalidEvent("at most 20 sources", field="sources")
    sources = [_validate(Source, s, f"sources[{i}]") for i, s in enumerate(sources_raw)]
    if not sources and model.category != "correction":
        raise InvalidEvent("at least one source is required", field="sources")

    refs_raw = raw.get("refs") or []
    if not isinstance(refs_raw, list) or len(refs_raw) > MAX_ITEMS:
        raise InvalidEvent(f"expected a list of at most {MAX_ITEMS} event ids", field="refs")
    refs = [_check_uuid(r, f"refs[{i}]") for i, r in enumerate(refs_raw)]
    if len(set(refs)) != len(refs):
        raise InvalidEvent("the same event is referenced twice", field="refs")
    if model.category == "statement" and not refs:
        raise InvalidEvent("a statement must reference at least one earlier claim", field="refs")
    if model.category == "correction" and len(refs) != 1:
        raise InvalidEvent("a correction must reference exactly one earlier event", field="refs")
    if model.category == "claim" and refs:
        raise InvalidEvent("only statements and corrections reference other events", field="refs")

    note = raw.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > MAX_TEXT):
        raise InvalidEvent(f"expected a string of at most {MAX_TEXT} characters", field="note")

    return NewEvent(event_id, event_type, occurred_at, data, sources, refs, note)


def validate_replacement(target_type: str, replacement: dict[str, Any]) -> dict[str, Any]:
    """A correction's replacement must be valid data for the corrected event's type."""
    if PAYLOADS[target_type].category == "correction":
        raise InvalidEvent("a correction cannot itself be corrected or voided", field="refs[0]")
    return _validate(PAYLOADS[target_type], replacement, "data.replacement")


# -- stored events, as read back by the store and folded by the projections ------------------------------
@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One event as the log holds it: its content plus position, ledger time and chain hashes."""

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
        return PAYLOADS[self.type].category

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
