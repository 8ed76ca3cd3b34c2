"""Vocabulary v2: groups, authorities, amounts, the new company and plant types, `plant` on every deal
stage. A v1 type whose shape did not change keeps its v1 fields and gains v2's optional ones; the two
types whose shape changed (`plant.stake_transferred`, `acquisition.explored`) have upcasters in
`ledger.vocabulary.upcasters`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import AfterValidator, Field
from typing_extensions import TypedDict

from ledger.vocabulary import v1
from ledger.vocabulary.fields import (
    MAX_ITEMS,
    AuthorityId,
    CompanyId,
    Count,
    Date,
    Lei,
    Name,
    PartnershipId,
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
    closed,
)

Texts = Annotated[list[Text], Field(max_length=MAX_ITEMS)]
Names = Annotated[list[Name], Field(max_length=MAX_ITEMS)]
Plants = Annotated[list[PlantId], Field(max_length=MAX_ITEMS)]


# -- reference facts -----------------------------------------------------------------------------------
@closed
class Owner(TypedDict):
    company: CompanyId
    percent: NotRequired[Percent]


def _distinct_owners(owners: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len({o["company"] for o in owners}) != len(owners):
        raise ValueError("an owner is named twice")
    return owners


@closed
class CompanyRegistered(v1.CompanyRegistered):
    parent: NotRequired[CompanyId]
    owners: NotRequired[Annotated[list[Owner], Field(max_length=MAX_ITEMS), AfterValidator(_distinct_owners)]]
    lei: NotRequired[Lei]


@closed
class AuthorityRegistered(TypedDict):
    authority: AuthorityId
    name: Name
    jurisdiction: Name
    category: NotRequired[Literal["government", "regulator", "court", "agency"]]


@closed
class PlantRegistered(v1.PlantRegistered):
    capacity: NotRequired[Quantity]


# -- company structure -----------------------------------------------------------------------------------
@closed
class CompanyRenamed(TypedDict):
    company: CompanyId
    name: Name


@closed
class CompanyParentChanged(TypedDict):
    company: CompanyId
    parent: NotRequired[CompanyId]  # absent: the company is now independent
    percent: NotRequired[Percent]


@closed
class CompanyMerged(TypedDict):
    companies: Annotated[list[CompanyId], Field(min_length=1, max_length=MAX_ITEMS)]
    into: CompanyId


# `from` is a Python keyword, hence the functional form.
CompanySpunOff = closed(
    TypedDict(
        "CompanySpunOff",
        {"company": CompanyId, "from": CompanyId, "plants": NotRequired[Plants]},
    )
)


# -- plans and plants -------------------------------------------------------------------------------------
@closed
class Measure(TypedDict):
    kind: Literal["plant_closures", "workforce_reduction", "investment", "capacity_change", "other"]
    count: NotRequired[Count]
    of: NotRequired[Count]
    percent: NotRequired[Percent]
    amount: NotRequired[Quantity]
    description: NotRequired[Text]


Measures = Annotated[list[Measure], Field(max_length=MAX_ITEMS)]


@closed
class PlanAnnounced(TypedDict):
    plan: PlanId
    company: CompanyId
    title: Name
    measures: Measures
    plants: NotRequired[Plants]


@closed
class PlanRevised(TypedDict):
    plan: PlanId
    measures: Measures  # replaces the list
    title: NotRequired[Name]
    plants: NotRequired[Plants]


@closed
class PlantClosureConsidered(v1.PlantClosureConsidered):
    plan: NotRequired[PlanId]


@closed
class PlantClosureAnnounced(v1.PlantClosureAnnounced):
    plan: NotRequired[PlanId]


@closed
class PlantReopened(TypedDict):
    plant: PlantId
    operator: NotRequired[CompanyId]


@closed
class PlantOperatorChanged(TypedDict):
    plant: PlantId
    operator: CompanyId


@closed
class PlantProductionEnded(TypedDict):
    plant: PlantId
    producer: CompanyId
    product: NotRequired[Name]


@closed
class PlantConverted(TypedDict):
    plant: PlantId
    products: Annotated[list[Name], Field(min_length=1, max_length=MAX_ITEMS)]
    scope: NotRequired[Text]


@closed
class PlantCapacityChanged(TypedDict):
    plant: PlantId
    capacity: Quantity


@closed
class PlantWorkforceChanged(TypedDict):
    plant: PlantId
    employees: NotRequired[Count]  # the new headcount
    change: NotRequired[SignedCount]  # signed: -400 is 400 jobs fewer
    plan: NotRequired[PlanId]


PlantStakeTransferred = closed(
    TypedDict(
        "PlantStakeTransferred",
        {
            "plant": PlantId,
            "from": CompanyId,
            "to": CompanyId,
            "percent": NotRequired[Percent],
            "share_text": NotRequired[Name],
            "price": NotRequired[Quantity],
        },
    )
)


# -- partnerships and deals ----------------------------------------------------------------------------
@closed
class TalksReported(TypedDict):
    partnership: PartnershipId
    parties: V2Parties
    plant: NotRequired[PlantId]
    scope: Text


@closed
class AcquisitionExplored(TypedDict):
    partnership: PartnershipId
    acquirer: CompanyId
    plant: NotRequired[PlantId]
    percent: NotRequired[Percent]
    stake_text: NotRequired[Name]
    scope: NotRequired[Text]
    price: NotRequired[Quantity]


@closed
class MouSigned(TypedDict):
    partnership: PartnershipId
    parties: V2Parties
    scope: Text
    plant: NotRequired[PlantId]


@closed
class AgreementSigned(MouSigned):
    price: NotRequired[Quantity]
    conditions: NotRequired[Texts]
    long_stop: NotRequired[Date]


@closed
class DealCompleted(TypedDict):
    partnership: PartnershipId
    plant: NotRequired[PlantId]
    price: NotRequired[Quantity]


@closed
class TalksEnded(TypedDict):
    partnership: PartnershipId
    reason: NotRequired[Text]
    plant: NotRequired[PlantId]


@closed
class ApprovalSought(TypedDict):
    authority: AuthorityId
    subject: SubjectId
    scope: NotRequired[Text]


@closed
class ApprovalDecided(TypedDict):
    authority: AuthorityId
    subject: SubjectId
    decision: Literal["granted", "refused", "conditional"]
    conditions: NotRequired[Texts]
    scope: NotRequired[Text]


# -- statements and corrections -------------------------------------------------------------------------
@closed
class Statement(TypedDict):
    by: V2Speaker
    quote: NotRequired[Text]


@closed
class EntryCorrected(TypedDict):
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
