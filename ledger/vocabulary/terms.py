"""The vocabulary's fixed words, in one place: its versions, source kinds, event categories, stances, claim
statuses.

Plain constants with no dependencies, so the CLI can offer them in help without loading the validator.
"""

from __future__ import annotations

# The vocabulary's versions; events are written in the current one unless an import says otherwise.
VERSIONS = (1, 2)
CURRENT_VERSION = VERSIONS[-1]

SOURCE_KINDS = ("press", "wire", "company", "anonymous", "other")

# Every type is a claim, a statement about earlier claims (`report.*`) or a correction (`entry.*`).
CLAIM, STATEMENT, CORRECTION = "claim", "statement", "correction"
STANCES = ("confirmed", "denied", "unconfirmed", "no_comment", "retracted")

CLAIM_STATUSES = ("announced", "reported", "confirmed", "denied", "disputed", "retracted", "voided")
# Statuses under which a claim changes projected state; denied, retracted and voided claims only keep
# their trail.
APPLICABLE_STATUSES = frozenset({"announced", "reported", "confirmed", "disputed"})


def category_of(event_type: str) -> str:
    """The category a type's name puts it in."""
    if event_type.startswith("report."):
        return STATEMENT
    if event_type.startswith("entry."):
        return CORRECTION
    return CLAIM


# Quantity units (v2): an ISO 4217 currency code, or one of these.
QUANTITY_UNITS = ("vehicles_per_year", "units_per_year", "employees", "percent", "sq_m")
# ISO 4217's active currency codes (the 2024 list; funds and metals such as XAU left out: the amounts a
# report gives are in currencies).
CURRENCIES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN
    BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS
    GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW
    KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD
    NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD
    SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED
    VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWG
    """.split()  # noqa: SIM905 (one block reads better than 160 quoted codes)
)
