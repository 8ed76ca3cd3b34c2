"""What every projection shares: the order in which applicable claims set fields, and how long a field has
held its value.

Claims reach a projection in world-time order. Among claims with the same world-time key the stronger
basis is read last, so it wins: `announced` and `confirmed` over `disputed` over `reported`, then
position (a company's own term sheet outranks a same-day press report of completion).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ledger.times import start_key
from ledger.vocabulary.terms import APPLICABLE_STATUSES

STRENGTH = {"reported": 0, "disputed": 1, "announced": 2, "confirmed": 2}
world_key = lru_cache(maxsize=1 << 16)(start_key)  # occurred_at's order key, parsed once per value


def applicable(claims: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The applicable claims, in the order in which the latest one wins (world time, basis, position)."""
    found = [c for c in claims if c["status"] in APPLICABLE_STATUSES]
    found.sort(key=lambda c: (world_key(c["occurred_at"]), STRENGTH[c["status"]], c["position"]))
    return found


@dataclass(slots=True)
class Held:
    """A field's current value, the claim that last set it, and since when it has held that value: the
    world time of the earliest claim of the latest unbroken run that gave it (a corroborating report
    does not move `since`)."""

    value: Any = None
    claim: dict[str, Any] | None = None
    since: str | None = None

    def set(self, value: Any, claim: dict[str, Any]) -> None:
        if self.claim is None or value != self.value:
            self.since = claim["occurred_at"]
        self.value = value
        self.claim = claim

    @property
    def basis(self) -> str | None:
        return None if self.claim is None else self.claim["status"]
