"""Vocabulary v2: groups, authorities, amounts, the new company and plant types, `plant` on every deal
stage. A v1 type whose shape did not change keeps its v1 fields and gains v2's optional ones; the two
types whose shape changed (`plant.stake_transferred`, `acquisition.explored`) have upcasters in
`ledger.vocabulary.upcasters`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import UNSET, Meta, field

from ledger.vocabulary import v1
from ledger.vocabulary.fields import (
    MAX_ITEMS,
    AuthorityId,
    Check,
    CompanyId,
    Count,
    Date,
    Lei,
    Maybe,
    Name,
    PartnershipId,
    Payload,
    Percent,
    PlanId,
    PlantId,
    Quantity,
    Replacement,
    SignedCount,
    SubjectId,
    Text,
    V2Parties,
    V2Speaker,
)

Texts = Annotated[list[Text], Meta(max_length=MAX_ITEMS)]
Names = Annotated[list[Name], Meta(max_length=MAX_ITEMS)]
Plants = Annotated[list[PlantId], Meta(max_length=MAX_ITEMS)]


# -- reference facts -----------------------------------------------------------------------------------
class Owner(Payload):
    company: CompanyId
    percent: Maybe[Percent] = UNSET


def _distinct_owners(owners: list[Owner]) -> None:
    if len({o.company for o in owners}) != len(owners):
        raise ValueError("an owner is named twice")


class CompanyRegistered(v1.CompanyRegistered):
    parent: Maybe[CompanyId] = UNSET
    owners: Maybe[Annotated[list[Owner], Meta(max_length=MAX_ITEMS), Check(_distinct_owners)]] = UNSET
    lei: Maybe[Lei] = UNSET


class AuthorityRegistered(Payload):
    authority: AuthorityId
    name: Name
    jurisdiction: Name
    category: Maybe[Literal["government", "regulator", "court", "agency"]] = UNSET


class PlantRegistered(v1.PlantRegistered):
    capacity: Maybe[Quantity] = UNSET


# -- company structure -----------------------------------------------------------------------------------
class CompanyRenamed(Payload):
    company: CompanyId
    name: Name


class CompanyParentChanged(Payload):
    company: CompanyId
    parent: Maybe[CompanyId] = UNSET  # absent: the company is now independent
    percent: Maybe[Percent] = UNSET


class CompanyMerged(Payload):
    companies: Annotated[list[CompanyId], Meta(min_length=1, max_length=MAX_ITEMS)]
    into: CompanyId


class CompanySpunOff(Payload):
    company: CompanyId
    from_: CompanyId = field(name="from")  # `from` is a Python keyword
    plants: Maybe[Plants] = UNSET


# -- plans and plants -------------------------------------------------------------------------------------
class Measure(Payload):
    kind: Literal["plant_closures", "workforce_reduction", "investment", "capacity_change", "other"]
    count: Maybe[Count] = UNSET
    of: Maybe[Count] = UNSET
    percent: Maybe[Percent] = UNSET
    amount: Maybe[Quantity] = UNSET
    description: Maybe[Text] = UNSET


Measures = Annotated[list[Measure], Meta(max_length=MAX_ITEMS)]


class PlanAnnounced(Payload):
    plan: PlanId
    company: CompanyId
    title: Name
    measures: Measures
    plants: Maybe[Plants] = UNSET


class PlanRevised(Payload):
    plan: PlanId
    measures: Measures  # replaces the list
    title: Maybe[Name] = UNSET
    plants: Maybe[Plants] = UNSET


class PlantClosureConsidered(v1.PlantClosureConsidered):
    plan: Maybe[PlanId] = UNSET


class PlantClosureAnnounced(v1.PlantClosureAnnounced):
    plan: Maybe[PlanId] = UNSET


class PlantReopened(Payload):
    plant: PlantId
    operator: Maybe[CompanyId] = UNSET


class PlantOperatorChanged(Payload):
    plant: PlantId
    operator: CompanyId


class PlantProductionEnded(Payload):
    plant: PlantId
    producer: CompanyId
    product: Maybe[Name] = UNSET


class PlantConverted(Payload):
    plant: PlantId
    products: Annotated[list[Name], Meta(min_length=1, max_length=MAX_ITEMS)]
    scope: Maybe[Text] = UNSET


class PlantCapacityChanged(Payload):
    plant: PlantId
    capacity: Quantity


class PlantWorkforceChanged(Payload):
    plant: PlantId
    employees: Maybe[Count] = UNSET  # the new headcount
    change: Maybe[SignedCount] = UNSET  # signed: -400 is 400 jobs fewer
    plan: Maybe[PlanId] = UNSET


class PlantStakeTransferred(Payload):
    plant: PlantId
    from_: CompanyId = field(name="from")
    to: CompanyId
    percent: Maybe[Percent] = UNSET
    share_text: Maybe[Name] = UNSET
    price: Maybe[Quantity] = UNSET


# -- partnerships and deals ----------------------------------------------------------------------------
class TalksReported(Payload, kw_only=True):
    partnership: PartnershipId
    parties: V2Parties
    plant: Maybe[PlantId] = UNSET
    scope: Text


class AcquisitionExplored(Payload):
    partnership: PartnershipId
    acquirer: CompanyId
    plant: Maybe[PlantId] = UNSET
    percent: Maybe[Percent] = UNSET
    stake_text: Maybe[Name] = UNSET
    scope: Maybe[Text] = UNSET
    price: Maybe[Quantity] = UNSET


class MouSigned(Payload):
    partnership: PartnershipId
    parties: V2Parties
    scope: Text
    plant: Maybe[PlantId] = UNSET


class AgreementSigned(MouSigned):
    price: Maybe[Quantity] = UNSET
    conditions: Maybe[Texts] = UNSET
    long_stop: Maybe[Date] = UNSET


class DealCompleted(Payload):
    partnership: PartnershipId
    plant: Maybe[PlantId] = UNSET
    price: Maybe[Quantity] = UNSET


class TalksEnded(Payload):
    partnership: PartnershipId
    reason: Maybe[Text] = UNSET
    plant: Maybe[PlantId] = UNSET


class ApprovalSought(Payload):
    authority: AuthorityId
    subject: SubjectId
    scope: Maybe[Text] = UNSET


class ApprovalDecided(Payload):
    authority: AuthorityId
    subject: SubjectId
    decision: Literal["granted", "refused", "conditional"]
    conditions: Maybe[Texts] = UNSET
    scope: Maybe[Text] = UNSET


# -- statements and corrections -------------------------------------------------------------------------
class Statement(Payload):
    by: V2Speaker
    quote: Maybe[Text] = UNSET


class EntryCorrected(Payload):
    reason: Text
    replacement: Replacement


PAYLOADS: dict[str, Any] = {
    "company.registered": CompanyRegistered,
    "authority.registered": AuthorityRegistered,
    "plant.registered": PlantRegistered,
    "company.renamed": CompanyRenamed,
    "company.parent_changed": CompanyParentChanged,
    "company.merged": CompanyMerged,
    "company.spun_off": CompanySpunOff,
    "plan.announced": PlanAnnounced,
    "plan.revised": PlanRevised,
    "plant.closure_considered": PlantClosureConsidered,
    "plant.closure_announced": PlantClosureAnnounced,
    "plant.closed": v1.PlantClosed,
    "plant.reopened": PlantReopened,
    "plant.operator_changed": PlantOperatorChanged,
    "plant.production_started": v1.PlantProductionStarted,
    "plant.production_ended": PlantProductionEnded,
    "plant.converted": PlantConverted,
    "plant.capacity_changed": PlantCapacityChanged,
    "plant.workforce_changed": PlantWorkforceChanged,
    "plant.stake_transferred": PlantStakeTransferred,
    "talks.reported": TalksReported,
    "acquisition.explored": AcquisitionExplored,
    "mou.signed": MouSigned,
    "agreement.signed": AgreementSigned,
    "deal.completed": DealCompleted,
    "talks.ended": TalksEnded,
    "approval.sought": ApprovalSought,
    "approval.decided": ApprovalDecided,
    "report.confirmed": Statement,
    "report.denied": Statement,
    "report.unconfirmed": Statement,
    "report.no_comment": Statement,
    "report.retracted": Statement,
    "entry.corrected": EntryCorrected,
    "entry.voided": v1.EntryVoided,
}
