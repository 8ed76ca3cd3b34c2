"""The claims, statements and corrections of the synthetic corpus: what each event type says, about
subjects the generator has registered and claims it has written before."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from ledger.synthetic.pools import (
    AUTHORITIES,
    DATES,
    HOT_COMPANY,
    P_HOT,
    P_WARM,
    PRESS,
    PRODUCTS,
    QUOTES,
    REASONS,
    SCOPES,
    SPAN_DAYS,
    UUID_CLEAR,
    UUID_SET,
    WIRE,
    T,
)


class EventWriter:
    """The part of the generator that picks subjects and writes claims, statements and corrections about
    them; `Generator` holds the state (its fields are declared here for readers)."""

    rng: random.Random
    random: Callable[[], float]
    plans: int
    plan_owners: list[tuple[str, str]]  # (plan id, company) of every plan announced so far
    line: int
    claims: list[tuple[str, str, dict[str, Any], tuple[str, ...], tuple[str, ...], int]]
    statements: list[tuple[str, str, dict[str, Any], int]]
    plant_regs: list[tuple[str, dict[str, Any], int]]
    partnerships: list[tuple[str, tuple[str, ...], str | None]]
    n: int
    names: dict[str, str]
    companies: list[tuple[str, str]]
    warm: list[tuple[str, str]]
    plants: list[tuple[str, str, str]]
    plants_of: dict[str, list[str]]

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.random() * len(seq))]

    def below(self, stop: int, start: int = 0) -> int:
        """An int in [start, stop) (arguments in this order so `below(k)` reads like randrange(k))."""
        return start + int(self.random() * (stop - start))

    def new_id(self) -> str:
        """A random UUID version 4 (same text as uuid.UUID(int=bits, version=4), 4x faster)."""
        x = (self.rng.getrandbits(128) & UUID_CLEAR) | UUID_SET
        h = f"{x:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def day(self) -> int:
        """World time trends forward with the log but wanders +-400 days: not monotone."""
        d = int(self.line * SPAN_DAYS / self.n) + self.below(401, -400)
        return 0 if d < 0 else SPAN_DAYS - 1 if d >= SPAN_DAYS else d

    def company(self) -> str:
        r = self.random()
        if r < P_HOT:
            return HOT_COMPANY
        if r < P_HOT + P_WARM and self.warm:
            return self.pick(self.warm)[0]
        return self.pick(self.companies)[0]

    def other_company(self, *not_these: str) -> str:
        for _ in range(8):
            c = self.pick(self.companies)[0]
            if c not in not_these:
                return c
        return self.register_company_silently()

    def register_company_silently(self) -> str:
        """Only when the pool is too small to find a distinct company (tiny corpora)."""
        slug = f"spare-{len(self.companies)}"
        self.companies.append((f"company:{slug}", f"Spare {len(self.companies)} Ltd."))
        return self.companies[-1][0]

    def plant(self) -> tuple[str, str, str]:
        if self.random() < 0.08:  # plants of the hot company are in the news more
            own = self.plants_of.get(HOT_COMPANY)
            if own:
                pid = self.pick(own)
                return pid, HOT_COMPANY, ""
        return self.pick(self.plants)

    def company_name(self, company_id: str) -> str:
        name = self.names.get(company_id)
        if name is None:
            name = self.names[company_id] = company_id.split(":", 1)[1].replace("-", " ").title()
        return name

    # -- claims ------------------------------------------------------------------------------------------
    def claim(self, event_type: str) -> tuple[dict[str, Any], tuple[str, ...]]:
        rng = self.rng
        if event_type == "plan.revised" and self.plan_owners:
            plan_id, company = self.pick(self.plan_owners)
            amount = {"value": self.below(500, 5) * 1_000_000_000, "unit": self.pick(("JPY", "USD", "EUR"))}
            revised = {"plan": plan_id, "measures": [{"kind": "investment", "amount": amount}]}
            return revised, (company,)
        if event_type == "plan.announced":
            company = self.company()
            self.plans += 1
            plan_id = f"plan:{company.split(':', 1)[1]}-plan-{self.plans}"
            measures: list[dict[str, Any]] = []
            if self.random() < 0.6:
                of = self.below(30, 5)
                measures.append({"kind": "plant_closures", "count": self.below(of, 1), "of": of})
            if self.random() < 0.7:
                percent: float = self.pick((5, 10, 15, 20, 12.5, 7.5))
                measures.append({"kind": "workforce_reduction", "percent": percent})
            if not measures or self.random() < 0.3:
                measures.append({"kind": "other", "description": "shift of production to electric vehicles"})
            data: dict[str, Any] = {
                "plan": plan_id,
                "company": company,
                "title": f"Recovery plan {self.plans}",
                "measures": measures,
            }
            self.plan_owners.append((plan_id, company))
            own = self.plants_of.get(company)
            if own and self.random() < 0.5:
                data["plants"] = rng.sample(own[-20:], min(len(own[-20:]), self.below(4, 1)))
            return data, (company,)
        if event_type.startswith("plant."):
            plant_id, operator, _name = self.plant()
            if event_type == "plant.closed":
                return {"plant": plant_id}, (operator,)
            if event_type in ("plant.closure_considered", "plant.closure_announced"):
                company = operator if self.random() < 0.9 else self.company()
                data = {"plant": plant_id, "company": company}
                if event_type == "plant.closure_announced" and self.random() < 0.6:
                    data["effective_by"] = DATES[min(self.day() + self.below(900, 90), len(DATES) - 1)]
                return data, (company,)
            if event_type == "plant.production_started":
                producer = operator if self.random() < 0.6 else self.company()
                data = {"plant": plant_id, "producer": producer}
                if self.random() < 0.7:
                    data["product"] = self.pick(PRODUCTS)
                return data, (producer,)
            if event_type in ("plant.reopened", "plant.operator_changed"):
                company = self.other_company(operator) if self.random() < 0.7 else operator
                if event_type == "plant.reopened" and self.random() < 0.5:
                    return {"plant": plant_id}, (operator,)
                return {"plant": plant_id, "operator": company}, (company,)
            if event_type == "plant.capacity_changed":
                capacity = {"value": self.pick((50_000, 120_000, 240_000)), "unit": "vehicles_per_year"}
                return {"plant": plant_id, "capacity": capacity}, (operator,)
            if event_type == "plant.workforce_changed":
                if self.random() < 0.5:
                    return {"plant": plant_id, "change": -self.below(2000, 50)}, (operator,)
                return {"plant": plant_id, "employees": self.below(8000, 200)}, (operator,)
            # plant.stake_transferred
            to = self.other_company(operator)
            data = {"plant": plant_id, "from": operator, "to": to}
            r = self.random()
            if r < 0.4:
                data["percent"] = self.pick((10, 20, 25, 49, 51, 100))
            elif r < 0.6:
                data["percent"] = self.pick((33.4, 49.5, 12.5))
            elif r < 0.8:
                data["share_text"] = self.pick(("a minority stake", "part of the plant", "a majority stake"))
            if self.random() < 0.3:
                currency = self.pick(("USD", "EUR", "JPY"))
                data["price"] = {"value": self.below(900, 10) * 1_000_000, "unit": currency}
            return data, (operator, to)
        if event_type == "company.renamed":
            company = self.company()
            return {"company": company, "name": f"{self.company_name(company)} Group"}, (company,)
        if event_type == "company.merged":  # a small company absorbed by another (never the hot one)
            absorbed = self.other_company(HOT_COMPANY)
            into = self.other_company(absorbed, HOT_COMPANY)
            return {"companies": [absorbed], "into": into}, (into,)
        if event_type == "company.spun_off":  # a new company, taking one of its parent's plants
            parent = self.other_company(HOT_COMPANY)
            data = {"company": f"{parent}-spinoff-{self.line}", "from": parent}
            own = self.plants_of.get(parent)
            if own:
                data["plants"] = [own[-1]]
            return data, (parent,)
        if event_type == "company.parent_changed":
            company = self.company()
            return {"company": company, "parent": self.other_company(company)}, (company,)
        # partnerships and deals
        if (
            event_type == "talks.reported"
            or not self.partnerships
            or (event_type == "acquisition.explored" and self.random() < 0.3)
        ):
            first = self.company()
            parties = [first, self.other_company(first)]
            if self.random() < 0.15:
                parties.append(self.other_company(*parties))
            own = self.plants_of.get(first)
            plant = self.pick(own) if own and self.random() < 0.5 else None
            slug = f"{parties[0].split(':', 1)[1]}-{parties[1].split(':', 1)[1]}-{len(self.partnerships)}"
            partnership = (f"partnership:{slug}", tuple(parties), plant)
            self.partnerships.append(partnership)
        else:
            # recent partnerships move on more often than old ones
            k = len(self.partnerships)
            partnership = self.partnerships[k - 1 - min(int(rng.expovariate(1 / 200)), k - 1)]
        pid, parties_t, plant = partnership
        if event_type in ("talks.reported", "mou.signed", "agreement.signed"):
            product = self.pick(PRODUCTS)
            scope = self.pick(SCOPES).format(plant=plant or "an existing plant", product=product)
            data = {"partnership": pid, "parties": list(parties_t), "scope": scope}
            if event_type == "talks.reported" and plant:
                data["plant"] = plant
            return data, parties_t
        if event_type == "acquisition.explored":
            data = {"partnership": pid, "acquirer": parties_t[-1]}
            if plant:
                data["plant"] = plant
            if self.random() < 0.6:
                data["stake_text"] = self.pick(("part of the plant", "a majority stake", "the whole plant"))
            if self.random() < 0.5:
                data["scope"] = "purchase of production capacity"
            return data, parties_t
        if event_type == "deal.completed":
            return {"partnership": pid}, parties_t
        if event_type in ("approval.sought", "approval.decided"):
            data = {"authority": self.pick(AUTHORITIES), "subject": pid}
            if event_type == "approval.decided":
                data["decision"] = self.pick(("granted", "granted", "conditional", "refused"))
            return data, (data["authority"],)
        data = {"partnership": pid}  # talks.ended
        if self.random() < 0.6:
            data["reason"] = self.pick(REASONS)
        return data, parties_t

    # -- statements and corrections ----------------------------------------------------------------------
    def statement(
        self, event_type: str
    ) -> tuple[str, dict[str, Any], list[dict[str, Any]], list[str], int] | None:
        """(type, data, sources, refs, day): a stance on 1-2 recent claims, by a party or a reporter."""
        if not self.claims:
            return None
        target = self.pick(self.claims)
        refs = [target[0]]
        if self.random() < 0.1:
            other = self.pick(self.claims)
            if other[0] != target[0]:
                refs.append(other[0])
        _tid, _ttype, _tdata, speakers, named, tday = target
        d = min(tday + self.below(21, 0), SPAN_DAYS - 1)
        if event_type == "report.retracted":
            if not named:
                event_type = "report.no_comment"
            else:
                by = self.pick(named)
                kind = "wire" if by in WIRE else "press"
                data: dict[str, Any] = {"by": by}
                if self.random() < 0.5:
                    data["quote"] = self.pick(QUOTES[event_type])
                return event_type, data, [{"name": by, "kind": kind}], refs, d
        by = self.pick(speakers) if speakers and self.random() < 0.9 else self.pick(PRESS)
        data = {"by": by}
        if self.random() < 0.6:
            data["quote"] = self.pick(QUOTES[event_type])
        if by.startswith("company:"):
            sources = [{"name": self.company_name(by), "kind": "company"}]
            if self.random() < 0.5:
                sources.append({"name": self.pick(WIRE), "kind": "wire"})
        else:
            sources = [{"name": by, "kind": "press"}]
        return event_type, data, sources, refs, d

    def correction(self, event_type: str) -> tuple[dict[str, Any], list[str]] | None:
        r = self.random()
        if event_type == "entry.voided":
            pool: list[Any] = self.statements if r < 0.3 and self.statements else self.claims
            if not pool:
                return None
            target = self.pick(pool)
            return {"reason": "entered against the wrong entity"}, [target[0]]
        if r < 0.2 and self.plant_regs:  # a registration's head count was wrong
            tid, tdata, _ = self.pick(self.plant_regs)
            replacement = {**tdata, "employees": self.below(12000, 200)}
            return {"reason": "head count corrected", "replacement": replacement}, [tid]
        if r < 0.4 and self.statements:
            tid, _ttype, tdata, _ = self.pick(self.statements)
            replacement = {**tdata, "quote": "Corrected quote: " + tdata.get("quote", "no comment.")}
            return {"reason": "quote transcribed wrongly", "replacement": replacement}, [tid]
        if not self.claims:
            return None
        tid, ttype, tdata, *_ = self.pick(self.claims)
        replacement = _corrected(ttype, tdata)
        if replacement is None:
            return None
        return {"reason": "the first report got a detail wrong", "replacement": replacement}, [tid]


def _corrected(event_type: str, data: dict[str, Any]) -> dict[str, Any] | None:
    """Valid replacement data for a claim: one detail changed, the entities kept."""
    for key in ("scope", "title", "reason", "product", "stake_text", "share_text"):
        if key in data:
            return {**data, key: data[key] + " (corrected)"}
    if event_type == "plant.closure_announced":
        return {**data, "effective_by": "2026-03-31"}
    if event_type == "plant.production_started":
        return {**data, "product": "electric vehicles"}
    if event_type == "plant.stake_transferred":
        return {**data, "share_text": "a minority stake"}
    if event_type == "talks.ended":
        return {**data, "reason": "the parties could not agree on price"}
    if event_type == "acquisition.explored":
        return {**data, "scope": "purchase of production capacity"}
    return None
