"""The generator: a deterministic stream of events over a growing world of companies and plants."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from ledger.events import exported_form
from ledger.synthetic.claims import EventWriter
from ledger.synthetic.pools import (
    ANONYMOUS,
    AUTHORITIES,
    BOOTSTRAP,
    CITIES,
    CLOCK,
    DATES,
    DOMAINS,
    HOT_COMPANY,
    HOT_COMPANY_NAME,
    MIX,
    NEWLINE,
    PLAIN,
    PREFIXES,
    PRESS,
    PRODUCTS,
    RING,
    ROLE,
    SECTORS,
    SOURCE_COUNTS,
    SPAN_DAYS,
    TYPE_TABLE,
    WIRE,
)


@dataclass(slots=True)
class CorpusInfo:
    """What the harness needs to know about a generated corpus (entities to query, counts)."""

    n: int
    seed: int
    hot_company: str = HOT_COMPANY
    sample_plant: str = ""
    counts: dict[str, int] = field(default_factory=dict)


class Generator(EventWriter):
    """The generator's state: pools of entities and rings of recent claims to talk about."""

    def __init__(self, n: int, seed: int) -> None:
        self.n = n
        self.rng = random.Random(seed)
        self.random = self.rng.random
        self.getrandbits = self.rng.getrandbits
        self.names: dict[str, str] = {}
        self.info = CorpusInfo(n, seed, counts=dict.fromkeys([*MIX, "authority.registered"], 0))
        self.companies: list[tuple[str, str]] = []  # (id, display name)
        self.company_slugs: set[str] = set()
        self.warm: list[tuple[str, str]] = []
        self.plants: list[tuple[str, str, str]] = []  # (id, operator, display name)
        self.plants_of: dict[str, list[str]] = {}
        self.plant_regs: list[tuple[str, dict[str, Any], int]] = []  # (event id, data, day) for corrections
        self.partnerships: list[tuple[str, tuple[str, ...], str | None]] = []
        self.plans = 0
        self.plan_owners: list[tuple[str, str]] = []
        # rings of (id, type, data, speakers, named sources, day)
        self.claims: list[tuple[str, str, dict[str, Any], tuple[str, ...], tuple[str, ...], int]] = []
        self.claims_at = 0
        self.statements: list[tuple[str, str, dict[str, Any], int]] = []
        self.statements_at = 0
        self.line = 0

    # -- small helpers (random.choice and randrange cost ~2 us each; `pick` and `below` ~0.3 us) -----------
    def sources(self, speakers: tuple[str, ...], d: int) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
        """1-3 sources (a company source makes the claim 'announced'), and the named reporters among them."""
        random = self.random
        out: list[dict[str, Any]] = []
        names: list[str] = []
        reporters: list[str] = []
        for i in range(SOURCE_COUNTS[int(random() * 6)]):
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
            if kind == "press" and out and out[-1]["kind"] == "wire" and random() < 0.3:
                out.append({"name": name, "kind": kind, "derived_from": out[-1]["name"]})  # syndicated copy
                continue
            if kind == "press" or kind == "wire":
                reporters.append(name)
            elif kind == "anonymous":
                out.append(PLAIN[name])  # shared dicts: sources are never mutated
                continue
            r = random()
            if r < 0.5:
                out.append(PLAIN[name] if kind != "company" else {"name": name, "kind": kind})
                continue
            source: dict[str, Any] = {"name": name, "kind": kind}
            if r < 0.8 and kind != "company":
                source["url"] = f"https://www.{DOMAINS[name]}.example/articles/{self.getrandbits(40):010x}"
            else:
                source["published_at"] = DATES[d]
            out.append(source)
        return out, tuple(reporters)

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
        if len(self.claims) < RING:
            self.claims.append(record)
        else:
            self.claims[self.claims_at] = record
            self.claims_at = (self.claims_at + 1) % RING

    def remember_statement(self, event_id: str, event_type: str, data: dict[str, Any], d: int) -> None:
        record = (event_id, event_type, data, d)
        if len(self.statements) < RING:
            self.statements.append(record)
        else:
            self.statements[self.statements_at] = record
            self.statements_at = (self.statements_at + 1) % RING

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

    # -- the stream -------------------------------------------------------------------------------------
    def bootstrap(self) -> Iterator[tuple[str, dict[str, Any], tuple[str, ...]]]:
        """The hot company, a few warm ones and their plants come first, so claims have subjects."""
        for i, event_type in enumerate(BOOTSTRAP):
            if i == 0:
                yield event_type, *self.company_registered(HOT_COMPANY, HOT_COMPANY_NAME)
            elif event_type == "company.registered":
                yield event_type, *self.company_registered()
            elif event_type == "authority.registered":
                authority = AUTHORITIES[i - BOOTSTRAP.index(event_type)]
                name = authority.split(":", 1)[1].replace("-", " ").upper()
                yield event_type, {"authority": authority, "name": name, "jurisdiction": name}, ()
            else:
                yield event_type, *self.plant_registered(HOT_COMPANY if i < 14 else None)

    def lines(self) -> Iterator[bytes]:
        dumps = orjson.dumps
        random = self.random
        counts = self.info.counts
        boot = self.bootstrap()
        table = TYPE_TABLE
        n, new_id = self.n, self.new_id
        for line_number in range(n):
            self.line = line_number
            data: dict[str, Any] | None = None
            refs: list[str] = []
            sources: list[dict[str, Any]] | None = None
            speakers: tuple[str, ...] = ()
            # world time trends forward with the log but wanders +-400 days: not monotone
            d = line_number * SPAN_DAYS // n + int(random() * 801) - 400
            d = 0 if d < 0 else SPAN_DAYS - 1 if d >= SPAN_DAYS else d
            if line_number < len(BOOTSTRAP):
                event_type, data, speakers = next(boot)
            else:
                event_type = table[int(random() * 1000)]
                role = ROLE[event_type]
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
                        if event_type == "plan.revised" and not self.plan_owners:
                            event_type = "plan.announced"  # nothing to revise yet
                        data, speakers = self.claim(event_type)
            event_id = new_id()
            reporters: tuple[str, ...] = ()
            if sources is None:
                sources, reporters = self.sources(speakers, d)
            # a date mostly, sometimes a timestamp, now and then only the month a report gives
            r = random()
            if r < 0.8:
                occurred_at = DATES[d]
            elif r < 0.97:
                occurred_at = f"{DATES[d]}T{CLOCK[int(random() * 1440)]}:00Z"
            else:
                occurred_at = DATES[d][:7]
            note = "Entered from the morning press review." if random() < 0.03 else None
            event = exported_form(event_id, event_type, occurred_at, data, sources, refs, note)
            counts[event_type] += 1
            role = ROLE[event_type]
            if role == "claim":
                self.remember_claim(event_id, event_type, data, speakers, reporters, d)
            elif role == "statement":
                self.remember_statement(event_id, event_type, data, d)
            elif role == "plant":
                self.plant_regs.append((event_id, data, d))
            yield dumps(event, option=NEWLINE)
        if not self.info.sample_plant and self.plants:
            self.info.sample_plant = self.plants[len(self.plants) // 2][0]


def generate(n: int, seed: int) -> Iterator[bytes]:
    """JSONL lines (each ending in a newline) of a corpus of `n` events, the same for the same seed."""
    return Generator(n, seed).lines()


def write_corpus(path: Path, n: int, seed: int) -> CorpusInfo:
    """Write the corpus to `path` and return what the harness needs to know about it."""
    gen = Generator(n, seed)
    with path.open("wb", buffering=1 << 20) as out:
        write = out.write
        for line in gen.lines():
            write(line)
    return gen.info
