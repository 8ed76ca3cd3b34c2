"""A deterministic, realistic corpus of v1 events for benchmarks (JSONL, one event a line).

Why synthetic: a benchmark needs a million events with the shape of real use (registrations, claims of
every type with several sources, statements on earlier claims, a few corrections and voids, a few hot
entities, world time out of order), and the same bytes for the same seed on every machine.

    python -m bench.corpus --n 1000000 --seed 7 --out /tmp/corpus.jsonl [--check]

Rules the generator keeps (checked by `--check`): every line passes `ledger.events.validate_event`;
every event has a UUID `id`; `refs` name earlier lines only; statements reference claims only;
corrections target claims or statements, never corrections, and a replacement is valid data for its
target's type.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import orjson

HOT_COMPANY = "company:orion-motors"
HOT_COMPANY_NAME = "Orion Motor Co., Ltd."

# -- event mix, per mille (the proportions: ~2% companies, ~3% plants, ~25% statements,
# ~0.5% corrections and voids; the rest claims of every type) -----------------------------------------
MIX: dict[str, int] = {
    "company.registered": 20,
    "plant.registered": 30,
    "plan.announced": 40,
    "plant.closure_considered": 60,
    "plant.closure_announced": 50,
    "plant.closed": 35,
    "plant.production_started": 70,
    "plant.stake_transferred": 45,
    "talks.reported": 130,
    "acquisition.explored": 60,
    "mou.signed": 75,
    "agreement.signed": 55,
    "deal.completed": 35,
    "talks.ended": 40,
    "report.confirmed": 60,
    "report.denied": 45,
    "report.unconfirmed": 40,
    "report.no_comment": 70,
    "report.retracted": 35,
    "entry.corrected": 3,
    "entry.voided": 2,
}
assert sum(MIX.values()) == 1000
_TYPE_TABLE: tuple[str, ...] = tuple(t for t, w in MIX.items() for _ in range(w))
# what the generator does with an event of each type after writing it
_ROLE = {
    t: "statement"
    if t.startswith("report.")
    else "correction"
    if t.startswith("entry.")
    else "company"
    if t == "company.registered"
    else "plant"
    if t == "plant.registered"
    else "claim"
    for t in MIX
}
_BOOTSTRAP = ("company.registered",) * 10 + ("plant.registered",) * 12

P_HOT = 0.036  # share of company slots filled by the hot company (~5% of events name it)
P_WARM = 0.04  # share filled by one of the few warm companies

# fmt: off
PREFIXES = (
    "orion", "hokuto", "sakura", "kestrel", "meridian", "aurora", "borealis", "cascade", "delta", "ember",
    "falcon", "granite", "harbor", "ionic", "juniper", "kaizen", "lumen", "magnolia", "nova", "onyx",
    "pioneer", "quasar", "riverside", "sierra", "tundra", "umbra", "vertex", "willow", "xenon", "yamato",
    "zenith", "atlas", "beacon", "cobalt", "dynamo", "everest", "fjord", "glacier", "helix", "indigo",
    "jade", "kodiak", "lotus", "monarch", "nimbus", "oasis", "polaris", "quantum", "redwood", "saturn",
    "titan", "unity", "vanguard", "westwind", "apex", "bravo", "crest", "drift", "echo",
)
# fmt: on
# fmt: off
SECTORS = (
    "motors", "automotive", "electronics", "industries", "precision", "mobility", "energy", "batteries",
    "components", "heavy-industries", "auto-parts", "semiconductors", "robotics", "steel", "chemicals",
    "logistics", "holdings", "manufacturing", "technologies", "systems",
)
# fmt: on
CITIES: tuple[tuple[str, str, str], ...] = (
    ("Yokosuka", "Kanagawa", "Japan"),
    ("Oppama", "Kanagawa", "Japan"),
    ("Tochigi", "Tochigi", "Japan"),
    ("Kyushu", "Fukuoka", "Japan"),
    ("Okazaki", "Aichi", "Japan"),
    ("Hiroshima", "Hiroshima", "Japan"),
    ("Kaohsiung", "Kaohsiung", "Taiwan"),
    ("Taoyuan", "Taoyuan", "Taiwan"),
    ("Shenzhen", "Guangdong", "China"),
    ("Wuhan", "Hubei", "China"),
    ("Zhengzhou", "Henan", "China"),
    ("Ulsan", "Ulsan", "South Korea"),
    ("Chennai", "Tamil Nadu", "India"),
    ("Pune", "Maharashtra", "India"),
    ("Rayong", "Rayong", "Thailand"),
    ("Sunderland", "Tyne and Wear", "United Kingdom"),
    ("Wolfsburg", "Lower Saxony", "Germany"),
    ("Zwickau", "Saxony", "Germany"),
    ("Flins", "Ile-de-France", "France"),
    ("Valencia", "Valencia", "Spain"),
    ("Smyrna", "Tennessee", "United States"),
    ("Canton", "Mississippi", "United States"),
    ("Fremont", "California", "United States"),
    ("Aguascalientes", "Aguascalientes", "Mexico"),
    ("Resende", "Rio de Janeiro", "Brazil"),
    ("Cordoba", "Cordoba", "Argentina"),
    ("Gyor", "Gyor-Moson-Sopron", "Hungary"),
    ("Nitra", "Nitra", "Slovakia"),
    ("Johor Bahru", "Johor", "Malaysia"),
    ("Karawang", "West Java", "Indonesia"),
)
PRODUCTS = (
    "passenger vehicles",
    "electric vehicles",
    "battery cells",
    "battery packs",
    "engines",
    "transmissions",
    "semiconductors",
    "e-axles",
    "pickup trucks",
    "commercial vans",
)
PRESS = (
    "Nikkei",
    "Financial Times",
    "The Wall Street Journal",
    "Asahi Shimbun",
    "Yomiuri Shimbun",
    "Handelsblatt",
    "Les Echos",
    "Automotive News",
    "Wyoming Star",
    "Caixin",
    "The Korea Herald",
    "The Economic Times",
)
WIRE = ("Reuters", "Bloomberg", "Kyodo", "Associated Press", "AFP", "Jiji Press", "Yonhap", "Dow Jones")
ANONYMOUS = (
    "two people familiar with the matter",
    "a person with knowledge of the talks",
    "people briefed on the plan",
    "an industry source",
    "sources close to the company",
    "a government official who asked not to be named",
)
SCOPES = (
    "contract manufacturing of electric vehicles at {plant}",
    "joint development of a battery platform",
    "shared use of {plant} for the partner's own models",
    "supply of {product} from {plant}",
    "a joint venture to build {product}",
    "technology licensing for next-generation {product}",
)
REASONS = (
    "the parties could not agree on price",
    "regulatory concerns",
    "a change in strategy",
    "financing fell through",
)
QUOTES = {
    "report.confirmed": ("We can confirm the discussions.", "The agreement was signed today."),
    "report.denied": ("The report is not accurate.", "There are no such talks."),
    "report.unconfirmed": (
        "The report was not based on information disclosed by the company.",
        "We do not comment on speculation but are always exploring options.",
    ),
    "report.no_comment": ("We do not comment on market rumours.", "No comment."),
    "report.retracted": ("An earlier version of this article was withdrawn.", "We retract the report."),
}

_EPOCH_DAY = date(2015, 1, 1)
_SPAN_DAYS = 11 * 365  # occurred_at spread over 2015..2025
_DATES = tuple((_EPOCH_DAY + timedelta(days=d)).isoformat() for d in range(_SPAN_DAYS + 400))
T = TypeVar("T")
_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)
_RING = 1 << 15  # recent claims and statements that later events may reference
_SOURCE_COUNTS = (1, 1, 2, 2, 2, 3)
_CLOCK = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(1440))
_NEWLINE = orjson.OPT_APPEND_NEWLINE
_DOMAINS = {name: name.lower().replace(" ", "") for name in PRESS + WIRE}
_PLAIN = {  # sources without url or published_at, shared between events (never mutated)
    **{name: {"name": name, "kind": "press"} for name in PRESS},
    **{name: {"name": name, "kind": "wire"} for name in WIRE},
    **{name: {"name": name, "kind": "anonymous"} for name in ANONYMOUS},
}


@dataclass(slots=True)
class CorpusInfo:
    """What the harness needs to know about a generated corpus (entities to query, counts)."""

    n: int
    seed: int
    hot_company: str = HOT_COMPANY
    sample_plant: str = ""
    counts: dict[str, int] = field(default_factory=dict)


class _Gen:
    """The generator's state: pools of entities and rings of recent claims to talk about."""

    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        self.rng = random.Random(seed)
        self.random = self.rng.random
        self.getrandbits = self.rng.getrandbits
        self.names: dict[str, str] = {}
        self.info = CorpusInfo(n, seed, counts=dict.fromkeys(MIX, 0))
        self.companies: list[tuple[str, str]] = []  # (id, display name)
        self.company_slugs: set[str] = set()
        self.warm: list[tuple[str, str]] = []
        self.plants: list[tuple[str, str, str]] = []  # (id, operator, display name)
        self.plants_of: dict[str, list[str]] = {}
        self.plant_regs: list[tuple[str, dict[str, Any], int]] = []  # (event id, data, day) for corrections
        self.partnerships: list[tuple[str, tuple[str, ...], str | None]] = []
        self.plans = 0
        # rings of (id, type, data, speakers, named sources, day)
        self.claims: list[tuple[str, str, dict[str, Any], tuple[str, ...], tuple[str, ...], int]] = []
        self.claims_at = 0
        self.statements: list[tuple[str, str, dict[str, Any], int]] = []
        self.statements_at = 0
        self.line = 0

    # -- small helpers (random.choice and randrange cost ~2 us each; these ~0.3 us) -----------------------
    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.random() * len(seq))]

    def below(self, stop: int, start: int = 0) -> int:
        """An int in [start, stop) (arguments in this order so `below(k)` reads like randrange(k))."""
        return start + int(self.random() * (stop - start))

    def new_id(self) -> str:
        """A random UUID version 4 (same text as uuid.UUID(int=bits, version=4), 4x faster)."""
        x = (self.rng.getrandbits(128) & _UUID_CLEAR) | _UUID_SET
        h = f"{x:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def day(self) -> int:
        """World time trends forward with the log but wanders +-400 days: not monotone."""
        d = int(self.line * _SPAN_DAYS / self.n) + self.below(401, -400)
        return 0 if d < 0 else _SPAN_DAYS - 1 if d >= _SPAN_DAYS else d

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

    def sources(self, speakers: tuple[str, ...], d: int) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
        """1-3 sources (a company source makes the claim 'announced'), and the named reporters among them."""
        random = self.random
        out: list[dict[str, Any]] = []
        names: list[str] = []
        reporters: list[str] = []
        for i in range(_SOURCE_COUNTS[int(random() * 6)]):
            r = random()
            if i == 0 and r < 0.2 and speakers:
                name, kind = self.company_name(speakers[0]), "company"
            elif r < 0.55:
                name, kind = PRESS[int(random() * len(PRESS))], "press"
            elif r < 0.85:
                name, kind = WIRE[int(random() * len(WIRE))], "wire"
            else:
                name, kind = ANONYMOUS[int(random() * len(ANONYMOUS))], "anonymous"
            if name in names:
                continue
            names.append(name)
            if kind == "press" or kind == "wire":
                reporters.append(name)
            elif kind == "anonymous":
                out.append(_PLAIN[name])  # shared dicts: sources are never mutated
                continue
            r = random()
            if r < 0.5:
                out.append(_PLAIN[name] if kind != "company" else {"name": name, "kind": kind})
                continue
            source: dict[str, Any] = {"name": name, "kind": kind}
            if r < 0.8 and kind != "company":
                source["url"] = f"https://www.{_DOMAINS[name]}.example/articles/{self.getrandbits(40):010x}"
            else:
                source["published_at"] = _DATES[d]
            out.append(source)
        return out, tuple(reporters)

    def company_name(self, company_id: str) -> str:
        name = self.names.get(company_id)
        if name is None:
            name = self.names[company_id] = company_id.split(":", 1)[1].replace("-", " ").title()
        return name

    def remember_claim(
        self,
        event_id: str,
        event_type: str,
        data: dict[str, Any],
        speakers: tuple[str, ...],
        reporters: tuple[str, ...],
        d: int,
    ) -> None:
        record = (event_id, event_type, data, speakers, reporters, d)
        if len(self.claims) < _RING:
            self.claims.append(record)
        else:
            self.claims[self.claims_at] = record
            self.claims_at = (self.claims_at + 1) % _RING

    def remember_statement(self, event_id: str, event_type: str, data: dict[str, Any], d: int) -> None:
        record = (event_id, event_type, data, d)
        if len(self.statements) < _RING:
            self.statements.append(record)
        else:
            self.statements[self.statements_at] = record
            self.statements_at = (self.statements_at + 1) % _RING

    # -- registrations -----------------------------------------------------------------------------------
    def company_registered(
        self, company_id: str | None = None, name: str | None = None
    ) -> tuple[dict[str, Any], tuple[str, ...]]:
        if company_id is None:
            base = f"{self.pick(PREFIXES)}-{self.pick(SECTORS)}"
            slug, k = base, 1
            while slug in self.company_slugs:
                k += 1
                slug = f"{base}-{k}"
            company_id = f"company:{slug}"
            suffix = self.pick((" Co., Ltd.", " Corporation", " Inc.", " AG", ""))
            name = slug.replace("-", " ").title() + suffix
        self.company_slugs.add(company_id.split(":", 1)[1])
        assert name is not None
        self.companies.append((company_id, name))
        if 1 <= len(self.companies) <= 6 and company_id != HOT_COMPANY:
            self.warm.append((company_id, name))
        data: dict[str, Any] = {"company": company_id, "name": name}
        if self.random() < 0.8:
            data["country"] = self.pick(CITIES)[2]
        if self.random() < 0.4:
            data["aliases"] = [name.split(" ")[0]]
        return data, (company_id,)

    def plant_registered(self, operator: str | None = None) -> tuple[dict[str, Any], tuple[str, ...]]:
        rng = self.rng
        operator = operator or self.company()
        city, region, country = self.pick(CITIES)
        slug = f"{operator.split(':', 1)[1]}-{city.lower().replace(' ', '-')}"
        k = len(self.plants)
        plant_id = f"plant:{slug}-{k}"
        name = f"{city} Plant {k}"
        self.plants.append((plant_id, operator, name))
        self.plants_of.setdefault(operator, []).append(plant_id)
        location: dict[str, Any] = {"city": city, "country": country}
        if self.random() < 0.7:
            location["region"] = region
        data: dict[str, Any] = {"plant": plant_id, "name": name, "operator": operator, "location": location}
        if self.random() < 0.8:
            data["employees"] = self.below(12000, 200)
        if self.random() < 0.6:
            data["products"] = rng.sample(PRODUCTS, self.pick((1, 1, 2)))
        if not self.info.sample_plant and self.line >= self.n // 2 and operator != HOT_COMPANY:
            self.info.sample_plant = plant_id  # an ordinary plant: registered mid-corpus
        return data, (operator,)

    # -- claims ------------------------------------------------------------------------------------------
    def claim(self, event_type: str) -> tuple[dict[str, Any], tuple[str, ...]]:
        rng = self.rng
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
                    data["effective_by"] = _DATES[min(self.day() + self.below(900, 90), len(_DATES) - 1)]
                return data, (company,)
            if event_type == "plant.production_started":
                producer = operator if self.random() < 0.6 else self.company()
                data = {"plant": plant_id, "producer": producer}
                if self.random() < 0.7:
                    data["product"] = self.pick(PRODUCTS)
                return data, (producer,)
            # plant.stake_transferred
            to = self.other_company(operator)
            data = {"plant": plant_id, "from": operator, "to": to}
            r = self.random()
            if r < 0.4:
                data["share"] = self.pick((10, 20, 25, 49, 51, 100))
            elif r < 0.6:
                data["share"] = self.pick((33.4, 49.5, 12.5))
            elif r < 0.8:
                data["share"] = self.pick(("a minority stake", "part of the plant", "a majority stake"))
            return data, (operator, to)
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
                data["stake"] = self.pick(("part of the plant", "a majority stake", "the whole plant"))
            if self.random() < 0.5:
                data["scope"] = "purchase of production capacity"
            return data, parties_t
        if event_type == "deal.completed":
            return {"partnership": pid}, parties_t
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
        d = min(tday + self.below(21, 0), _SPAN_DAYS - 1)
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

    # -- the stream -------------------------------------------------------------------------------------
    def bootstrap(self) -> Iterator[tuple[str, dict[str, Any], tuple[str, ...]]]:
        """The hot company, a few warm ones and their plants come first, so claims have subjects."""
        for i, event_type in enumerate(_BOOTSTRAP):
            if i == 0:
                yield event_type, *self.company_registered(HOT_COMPANY, HOT_COMPANY_NAME)
            elif event_type == "company.registered":
                yield event_type, *self.company_registered()
            else:
                yield event_type, *self.plant_registered(HOT_COMPANY if i < 14 else None)

    def lines(self) -> Iterator[bytes]:
        dumps = orjson.dumps
        random = self.random
        counts = self.info.counts
        boot = self.bootstrap()
        table = _TYPE_TABLE
        n, new_id = self.n, self.new_id
        for line_number in range(n):
            self.line = line_number
            data: dict[str, Any] | None = None
            refs: list[str] = []
            sources: list[dict[str, Any]] | None = None
            speakers: tuple[str, ...] = ()
            # world time trends forward with the log but wanders +-400 days: not monotone
            d = line_number * _SPAN_DAYS // n + int(random() * 801) - 400
            d = 0 if d < 0 else _SPAN_DAYS - 1 if d >= _SPAN_DAYS else d
            if line_number < len(_BOOTSTRAP):
                event_type, data, speakers = next(boot)
            else:
                event_type = table[int(random() * 1000)]
                role = _ROLE[event_type]
                if role == "statement":
                    found = self.statement(event_type)
                    if found is None:
                        event_type = "talks.reported"
                    else:
                        event_type, data, sources, refs, d = found
                elif role == "correction":
                    fixed = self.correction(event_type)
                    if fixed is None:
                        event_type = "plant.closed"
                    else:
                        data, refs = fixed
                        sources = []
                if data is None:
                    if event_type == "company.registered":
                        data, speakers = self.company_registered()
                    elif event_type == "plant.registered":
                        data, speakers = self.plant_registered()
                    else:
                        data, speakers = self.claim(event_type)
            event_id = new_id()
            reporters: tuple[str, ...] = ()
            if sources is None:
                sources, reporters = self.sources(speakers, d)
            # a date mostly, sometimes a timestamp
            occurred_at = _DATES[d] if random() < 0.8 else f"{_DATES[d]}T{_CLOCK[int(random() * 1440)]}:00Z"
            event: dict[str, Any] = {
                "id": event_id,
                "type": event_type,
                "occurred_at": occurred_at,
                "data": data,
                "sources": sources,
                "refs": refs,
            }
            if random() < 0.03:
                event["note"] = "Entered from the morning press review."
            counts[event_type] += 1
            role = _ROLE[event_type]
            if role == "claim":
                self.remember_claim(event_id, event_type, data, speakers, reporters, d)
            elif role == "statement":
                self.remember_statement(event_id, event_type, data, d)
            elif role == "plant":
                self.plant_regs.append((event_id, data, d))
            yield dumps(event, option=_NEWLINE)
        if not self.info.sample_plant and self.plants:
            self.info.sample_plant = self.plants[len(self.plants) // 2][0]


def _corrected(event_type: str, data: dict[str, Any]) -> dict[str, Any] | None:
    """Valid replacement data for a claim: one detail changed, the entities kept."""
    for key in ("scope", "title", "reason", "product", "stake"):
        if key in data:
            return {**data, key: data[key] + " (corrected)"}
    if event_type == "plant.closure_announced":
        return {**data, "effective_by": "2026-03-31"}
    if event_type == "plant.production_started":
        return {**data, "product": "electric vehicles"}
    if event_type == "plant.stake_transferred":
        return {**data, "share": "a minority stake"}
    if event_type == "talks.ended":
        return {**data, "reason": "the parties could not agree on price"}
    if event_type == "acquisition.explored":
        return {**data, "scope": "purchase of production capacity"}
    return None


def generate(n: int, seed: int) -> Iterator[bytes]:
    """JSONL lines (each ending in a newline) of a corpus of `n` events, the same for the same seed."""
    return _Gen(n, seed).lines()


def write_corpus(path: Path, n: int, seed: int) -> CorpusInfo:
    """Write the corpus to `path` and return what the harness needs to know about it."""
    gen = _Gen(n, seed)
    with path.open("wb", buffering=1 << 20) as out:
        write = out.write
        for line in gen.lines():
            write(line)
    return gen.info


# -- the smoke check -------------------------------------------------------------------------------------
def check(lines: Iterator[bytes], every: int = 1) -> int:
    """Validate every `every`-th line with the ledger's own validator, and every line's references.

    Returns the number of lines checked; raises AssertionError naming the first bad line.
    """
    from ledger.events import CATEGORIES, validate_event, validate_replacement

    seen: dict[str, str] = {}  # id -> type
    count = 0
    for number, line in enumerate(lines, 1):
        raw = orjson.loads(line)
        event_id, event_type = raw["id"], raw["type"]
        assert event_id not in seen, f"line {number}: id {event_id} reused"
        kind = CATEGORIES[event_type]
        for ref in raw["refs"]:
            assert ref in seen, f"line {number}: ref {ref} is not an earlier line"
            target_kind = CATEGORIES[seen[ref]]
            if kind == "statement":
                assert target_kind == "claim", f"line {number}: statement references a {target_kind}"
            else:
                assert target_kind != "correction", f"line {number}: correction of a correction"
        if number % every == 0 or kind == "correction":
            try:
                validate_event(raw)
                if event_type == "entry.corrected":
                    validate_replacement(seen[raw["refs"][0]], raw["data"]["replacement"])
            except Exception as e:
                raise AssertionError(f"line {number}: {e}: {line[:300]!r}") from None
            count += 1
        seen[event_id] = event_type
    return count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="number of events (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, help="JSONL file to write (default: stdout)")
    parser.add_argument("--check", action="store_true", help="validate every line instead of writing")
    args = parser.parse_args(argv)
    if args.check:
        started = time.perf_counter()
        checked = check(generate(args.n, args.seed))
        print(f"ok: {checked} lines valid ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
        return
    started = time.perf_counter()
    if args.out is None:
        out = sys.stdout.buffer
        for line in generate(args.n, args.seed):
            out.write(line)
        return
    info = write_corpus(args.out, args.n, args.seed)
    elapsed = time.perf_counter() - started
    print(
        f"{args.n} events in {elapsed:.1f} s ({args.n / elapsed:,.0f} lines/s) -> {args.out}; "
        f"hot company {info.hot_company}, sample plant {info.sample_plant}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
