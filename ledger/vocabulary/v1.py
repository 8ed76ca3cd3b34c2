"""Vocabulary v1: one payload model (the `data` of an event) per event type."""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import Field
from typing_extensions import TypedDict

from ledger.vocabulary.fields import (
    MAX_ITEMS,
    CompanyId,
    Count,
    Date,
    Name,
    Parties,
    PartnershipId,
    Percent,
    PlanId,
    PlantId,
    Replacement,
    Speaker,
    Text,
    closed,
)


# -- reference facts (claims too, by the contract's definition) ---------------------------------------
@closed
class CompanyRegistered(TypedDict):
    company: CompanyId
    name: Name
    country: NotRequired[Name]
    aliases: NotRequired[Annotated[list[Name], Field(max_length=MAX_ITEMS)]]


@closed
class Location(TypedDict):
    city: Name
    region: NotRequired[Name]
    country: Name


@closed
class PlantRegistered(TypedDict):
    plant: PlantId
    name: Name
    operator: CompanyId
    location: Location
    employees: NotRequired[Count]
    products: NotRequired[Annotated[list[Name], Field(max_length=MAX_ITEMS)]]


# -- company and plant actions -------------------------------------------------------------------------
@closed
class Measure(TypedDict):
    kind: Literal["plant_closures", "workforce_reduction", "other"]
    count: NotRequired[Count]
    of: NotRequired[Count]
    percent: NotRequired[Percent]
    description: NotRequired[Text]


@closed
class PlanAnnounced(TypedDict):
    plan: PlanId
    company: CompanyId
    title: Name
    measures: Annotated[list[Measure], Field(max_length=MAX_ITEMS)]
    plants: NotRequired[Annotated[list[PlantId], Field(max_length=MAX_ITEMS)]]


@closed
class PlantClosureConsidered(TypedDict):
    plant: PlantId
    company: CompanyId


@closed
class PlantClosureAnnounced(TypedDict):
    plant: PlantId
    company: CompanyId
    effective_by: NotRequired[Date]


@closed
class PlantClosed(TypedDict):
    plant: PlantId


@closed
class PlantProductionStarted(TypedDict):
    plant: PlantId
    producer: CompanyId
    product: NotRequired[Name]


# `from` is a Python keyword, hence the functional form.
PlantStakeTransferred = closed(
    TypedDict(
        "PlantStakeTransferred",
        {"plant": PlantId, "from": CompanyId, "to": CompanyId, "share": NotRequired[Name | Percent]},
    )
)


# -- partnerships and deals ----------------------------------------------------------------------------
@closed
class TalksReported(TypedDict):
    partnership: PartnershipId
    parties: Parties
    plant: NotRequired[PlantId]
    scope: Text


@closed
class AcquisitionExplored(TypedDict):
    partnership: PartnershipId
    acquirer: CompanyId
    plant: NotRequired[PlantId]
    stake: NotRequired[Name]
    scope: NotRequired[Text]


@closed
class MouSigned(TypedDict):
    partnership: PartnershipId
    parties: Parties
    scope: Text


@closed
class AgreementSigned(MouSigned):
    pass


@closed
class DealCompleted(TypedDict):
    partnership: PartnershipId


@closed
class TalksEnded(TypedDict):
    partnership: PartnershipId
    reason: NotRequired[Text]


# -- statements and corrections -------------------------------------------------------------------------
@closed
class Statement(TypedDict):
    by: Speaker
    quote: NotRequired[Text]


@closed
class EntryCorrected(TypedDict):
    reason: Text
    replacement: Replacement


@closed
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
