"""A deal's trail with every kind of mark a timeline draws: a report, a denial and a confirmation (so the
claim becomes disputed), a non-answer and a no-comment, a retraction, a statement that does not count, a
correction, and a claim voided as a mistake. Dates are spread over a few months of 2025."""

from __future__ import annotations

from typing import Any

from support.factories import ANONYMOUS, PRESS, WIRE, an_event, correction, statement, talks, void

PARTNERSHIP = "partnership:nissan-foxconn-oppama"
PLANT = "plant:nissan-oppama"
NISSAN, FOXCONN = "company:nissan", "company:foxconn"
FTC = "authority:japan-ftc"
COMPANY = {"name": "Foxconn", "kind": "company"}


def trail() -> list[dict[str, Any]]:
    def said(
        stance: str, by: str, claim: dict[str, Any], when: str, quote: str | None = None
    ) -> dict[str, Any]:
        event = statement(stance, by, claim, occurred_at=when, sources=[PRESS])
        if quote:
            event["data"]["quote"] = quote
        return event

    companies = [
        an_event(
            "company.registered",
            {"company": company, "name": name, "country": country},
            occurred_at="2025-01-06",
        )
        for company, name, country in (
            (NISSAN, "Nissan Motor Co., Ltd.", "Japan"),
            (FOXCONN, "Hon Hai Precision Industry Co., Ltd.", "Taiwan"),
            ("company:mitsubishi-motors", "Mitsubishi Motors Corporation", "Japan"),
        )
    ]
    authority = an_event(
        "authority.registered",
        {
            "authority": FTC,
            "name": "Japan Fair Trade Commission",
            "jurisdiction": "Japan",
            "category": "regulator",
        },
        occurred_at="2025-01-06",
    )
    plant = an_event(
        "plant.registered",
        {"plant": PLANT, "name": "Oppama Plant", "operator": NISSAN,
         "location": {"city": "Yokosuka", "country": "Japan"}},
        occurred_at="2025-05-01",
    )  # fmt: skip
    closure = an_event(
        "plant.closure_considered", {"plant": PLANT, "company": NISSAN}, occurred_at="2025-06-02"
    )
    reported = talks(PARTNERSHIP, occurred_at="2025-07-07", sources=[PRESS, ANONYMOUS])
    explored = an_event(
        "acquisition.explored",
        {
            "partnership": PARTNERSHIP,
            "acquirer": FOXCONN,
            "plant": PLANT,
            "stake_text": "a portion of the plant",
        },
        occurred_at="2025-07-08",
        sources=[WIRE],
    )
    mou = an_event(
        "mou.signed",
        {"partnership": PARTNERSHIP, "parties": [NISSAN, FOXCONN], "scope": "EV production at Oppama"},
        occurred_at="2025-10-01",
        sources=[COMPANY],
    )
    mistake = talks(PARTNERSHIP, occurred_at="2025-07-20", sources=[PRESS])
    return [
        *companies,
        authority,
        plant,
        closure,
        reported,
        said("no_comment", FOXCONN, reported, "2025-07-07", "Foxconn has not issued a comment"),
        said(
            "unconfirmed", NISSAN, reported, "2025-07-07", "not based on information disclosed by the company"
        ),
        explored,
        mistake,
        said("confirmed", FOXCONN, reported, "2025-08-01", "We are in talks with Nissan"),
        said("denied", NISSAN, reported, "2025-08-04", "There are no such talks"),
        said("denied", "company:mitsubishi-motors", reported, "2025-08-05", "Not our deal"),
        said("retracted", WIRE["name"], explored, "2025-09-01", "Kyodo withdraws its report"),
        mou,
        correction(
            mou,
            {"partnership": PARTNERSHIP, "parties": [NISSAN, FOXCONN], "scope": "EVs at Oppama"},
            occurred_at="2025-10-02",
        ),
        void(mistake, occurred_at="2025-10-03"),
        an_event("approval.sought", {"authority": FTC, "subject": PARTNERSHIP}, occurred_at="2025-10-20"),
    ]
