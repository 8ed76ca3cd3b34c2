"""What the synthetic corpus is made of: the mix of event types, and the names, places, outlets and
phrases its events draw on."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TypeVar

import orjson

HOT_COMPANY = "company:orion-motors"
HOT_COMPANY_NAME = "Orion Motor Co., Ltd."
AUTHORITIES = tuple(f"authority:{slug}" for slug in ("us-cfius", "eu-commission", "japan-ftc", "cma-uk"))

# -- event mix, per mille (~2% companies, ~3% plants, ~25% statements, ~0.5% corrections and voids; the
# rest claims of every type, v2's new ones rarer, as they are in the news) ------------------------------
MIX: dict[str, int] = {
    "company.registered": 20,
    "plant.registered": 30,
    "plan.announced": 35,
    "plan.revised": 5,
    "plant.closure_considered": 55,
    "plant.closure_announced": 45,
    "plant.closed": 30,
    "plant.reopened": 5,
    "plant.operator_changed": 8,
    "plant.production_started": 60,
    "plant.capacity_changed": 8,
    "plant.workforce_changed": 12,
    "plant.stake_transferred": 45,
    "company.renamed": 4,
    "company.parent_changed": 6,
    "company.merged": 1,
    "company.spun_off": 1,
    "talks.reported": 113,
    "acquisition.explored": 55,
    "mou.signed": 70,
    "agreement.signed": 55,
    "deal.completed": 35,
    "talks.ended": 35,
    "approval.sought": 6,
    "approval.decided": 6,
    "report.confirmed": 60,
    "report.denied": 45,
    "report.unconfirmed": 40,
    "report.no_comment": 70,
    "report.retracted": 35,
    "entry.corrected": 3,
    "entry.voided": 2,
}
assert sum(MIX.values()) == 1000
TYPE_TABLE: tuple[str, ...] = tuple(t for t, w in MIX.items() for _ in range(w))
# what the generator does with an event of each type after writing it
ROLE = {
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
ROLE["authority.registered"] = "authority"  # registered once each, at the start
BOOTSTRAP = ("company.registered",) * 10 + ("plant.registered",) * 12 + ("authority.registered",) * 4

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

EPOCH_DAY = date(2015, 1, 1)
SPAN_DAYS = 11 * 365  # occurred_at spread over 2015..2025
DATES = tuple((EPOCH_DAY + timedelta(days=d)).isoformat() for d in range(SPAN_DAYS + 400))
T = TypeVar("T")
UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
UUID_SET = (0x4000 << 64) | (0x8000 << 48)
RING = 1 << 15  # recent claims and statements that later events may reference
SOURCE_COUNTS = (1, 1, 2, 2, 2, 3)
CLOCK = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(1440))
NEWLINE = orjson.OPT_APPEND_NEWLINE
DOMAINS = {name: name.lower().replace(" ", "") for name in PRESS + WIRE}
PLAIN = {  # sources without url or published_at, shared between events (never mutated)
    **{name: {"name": name, "kind": "press"} for name in PRESS},
    **{name: {"name": name, "kind": "wire"} for name in WIRE},
    **{name: {"name": name, "kind": "anonymous"} for name in ANONYMOUS},
}
