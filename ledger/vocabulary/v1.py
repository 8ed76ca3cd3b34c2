"""Vocabulary v1: one payload model (the `data` of an event) per event type."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import UNSET, Meta, field

from ledger.vocabulary.fields import (
    MAX_ITEMS,
    CompanyId,
    Count,
    Date,
    Maybe,
    Name,
    Parties,
    PartnershipId,
    Payload,
    Percent,
    PlanId,
    PlantId,
    Replacement,
    Speaker,
    Text,
)


# -- reference facts (claims too, by the contract's definition) ---------------------------------------
class CompanyRegistered(Payload):
    company: CompanyId
    name: Name
    country: Maybe[Name] = UNSET
    aliases: Maybe[Annotated[list[Name], Meta(max_length=MAX_ITEMS)]] = UNSET


class Location(Payload, kw_only=True):
    city: Name
    region: Maybe[Name] = UNSET
    country: Name


class PlantRegistered(Payload):
    plant: PlantId
    name: Name
    operator: CompanyId
    location: Location
    employees: Maybe[Count] = UNSET
    products: Maybe[Annotated[list[Name], Meta(max_length=MAX_ITEMS)]] = UNSET


# -- company and plant actions -------------------------------------------------------------------------
class Measure(Payload):
    kind: Literal["plant_closures", "workforce_reduction", "other"]
    count: Maybe[Count] = UNSET
    of: Maybe[Count] = UNSET
    percent: Maybe[Percent] = UNSET
    description: Maybe[Text] = UNSET


class PlanAnnounced(Payload):
    plan: PlanId
    company: CompanyId
    title: Name
    measures: Annotated[list[Measure], Meta(max_length=MAX_ITEMS)]
    plants: Maybe[Annotated[list[PlantId], Meta(max_length=MAX_ITEMS)]] = UNSET


class PlantClosureConsidered(Payload):
    plant: PlantId
    company: CompanyId


class PlantClosureAnnounced(Payload):
    plant: PlantId
    company: CompanyId
    effective_by: Maybe[Date] = UNSET


class PlantClosed(Payload):
    plant: PlantId


class PlantProductionStarted(Payload):
    plant: PlantId
    producer: CompanyId
    product: Maybe[Name] = UNSET


class PlantStakeTransferred(Payload):
    plant: PlantId
    from_: CompanyId = field(name="from")  # `from` is a Python keyword
    to: CompanyId
    share: Maybe[Name | Percent] = UNSET


# -- partnerships and deals ----------------------------------------------------------------------------
class TalksReported(Payload, kw_only=True):
    partnership: PartnershipId
    parties: Parties
    plant: Maybe[PlantId] = UNSET
    scope: Text


class AcquisitionExplored(Payload):
    partnership: PartnershipId
    acquirer: CompanyId
    plant: Maybe[PlantId] = UNSET
    stake: Maybe[Name] = UNSET
    scope: Maybe[Text] = UNSET


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
    reason: Maybe[Text] = UNSET


# -- statements and corrections -------------------------------------------------------------------------
class Statement(Payload):
    by: Speaker
    quote: Maybe[Text] = UNSET


class EntryCorrected(Payload):
    reason: Text
    replacement: Replacement


class EntryVoided(Payload):
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
