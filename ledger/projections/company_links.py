"""What the other entities' folds tell the companies' folds in a rebuild: which companies the deal and
plant claims name, and the partnerships those claims are about.

A company's document reads those claims for two things only: that they name it (so it exists) and,
unless voided, the partnership they are about (its `partnerships`). Each of them always names a plant or
a partnership too, whose folds see the same claim as corrected, with the same status. So a rebuild folds
plants and partnerships first, gathers this from their views, and folds each company without reading
those claims: half the index rows of the companies, and most of a busy one's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ledger.projections.company import READS
from ledger.vocabulary.entity_fields import CATEGORIES, ENTITY_FIELDS, companies_in

# The claim types that can name a company and whose data the company projection does not read.
NAMED_ONLY: tuple[str, ...] = tuple(
    event_type
    for event_type, fields in ENTITY_FIELDS.items()
    if CATEGORIES[event_type] == "claim"
    and event_type not in READS
    and any("company" in kinds for _key, kinds, _is_list in fields)
)


@dataclass
class CompanyLinks:
    """The companies named by claims of NAMED_ONLY types, and by company the partnerships of those of
    them that are not voided."""

    named: set[str] = field(default_factory=set)
    partnerships: dict[str, set[str]] = field(default_factory=dict)

    def take(self, claims: Iterable[dict[str, Any]]) -> None:
        """Take in the claims (claim JSON: current data and status) of a plant's or a partnership's view."""
        for claim in claims:
            claim_type = claim["type"]
            if claim_type not in NAMED_ONLY:
                continue
            data = claim["data"]
            companies = companies_in(claim_type, data)
            self.named.update(companies)
            if "partnership" in data and claim["status"] != "voided":
                for company in companies:
                    self.partnerships.setdefault(company, set()).add(data["partnership"])

    def update(self, other: CompanyLinks) -> None:
        self.named |= other.named
        for company, partnerships in other.partnerships.items():
            self.partnerships.setdefault(company, set()).update(partnerships)

    def to_json(self) -> dict[str, Any]:
        return {
            "named": sorted(self.named),
            "partnerships": {c: sorted(ps) for c, ps in self.partnerships.items()},
        }

    @classmethod
    def from_json(cls, found: dict[str, Any]) -> CompanyLinks:
        return cls(set(found["named"]), {c: set(ps) for c, ps in found["partnerships"].items()})
