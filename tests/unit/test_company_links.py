"""What the plants' and partnerships' folds hand the companies' in a rebuild (`CompanyLinks`): the claims
a company's fold then leaves out must always reach one of those folds, and say what the company's own
fold would have read of them."""

from __future__ import annotations

import msgspec
import pytest

from ledger.projections.company import READS
from ledger.projections.company_links import NAMED_ONLY, CompanyLinks
from ledger.vocabulary import v1, v2


@pytest.mark.parametrize("event_type", NAMED_ONLY)
def test_every_claim_left_out_of_a_company_fold_names_a_plant_or_a_partnership(event_type):
    """Else no fold before the companies' would see it, and the company would lose it."""
    for payloads in (v1.PAYLOADS, v2.PAYLOADS):
        if event_type in payloads:
            fields = msgspec.inspect.type_info(payloads[event_type]).fields
            assert {f.name for f in fields if f.required} & {"plant", "partnership"}, event_type


def test_the_claims_a_company_projection_reads_are_never_left_out():
    assert not set(NAMED_ONLY) & set(READS)
    assert {"talks.reported", "plant.production_started"} <= set(NAMED_ONLY)


def claim(event_type, data, status="reported"):
    return {"type": event_type, "data": data, "status": status}


def test_links_name_every_company_and_list_partnerships_of_claims_not_voided():
    links = CompanyLinks()
    talks = {"partnership": "partnership:a-b", "parties": ["company:a", "company:b"], "scope": "EVs"}
    explored = {"partnership": "partnership:c-plant", "acquirer": "company:c"}
    links.take(
        [
            claim("talks.reported", talks, "denied"),  # denied: still its partnership
            claim("acquisition.explored", explored, "voided"),  # voided: names c, no partnership
            claim("plant.production_started", {"plant": "plant:p", "producer": "company:d"}),
            claim("plant.registered", {"plant": "plant:p", "operator": "company:e"}),  # read by the company
        ]
    )
    assert links.named == {"company:a", "company:b", "company:c", "company:d"}
    assert links.partnerships == {"company:a": {"partnership:a-b"}, "company:b": {"partnership:a-b"}}
    assert CompanyLinks.from_json(links.to_json()) == links

    more = CompanyLinks()
    more.take([claim("mou.signed", {**talks, "partnership": "partnership:a-b-2"})])
    links.update(more)
    assert links.partnerships["company:a"] == {"partnership:a-b", "partnership:a-b-2"}
