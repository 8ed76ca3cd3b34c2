"""The read commands' filters as flags: claims by status, type, source, origin, speaker, anonymity, number
of origins, staleness and resolution (with their columns); events by ledger time, world time, source and
speaker; history by world time and type, newest first, a page at a time."""

from __future__ import annotations

import csv
import io
import json

import pytest
from support.factories import ANONYMOUS, PRESS, WIRE, statement, talks
from support.runner import jsonl, ledger_cli, one_error_line

NISSAN, FOXCONN = "company:nissan", "company:foxconn"
A, B, C, BUSY = (f"partnership:deal-{n}" for n in ("a", "b", "c", "busy"))
BUSY_STATEMENTS = 104  # with its claim: 105 entries, more than a page


@pytest.fixture(scope="module")
def desk(module_db_url) -> dict[str, dict]:
    """Talks A (Nikkei) confirmed by Nissan after 35 days, talks B (anonymous only) never answered, talks C
    (Nikkei and Kyodo) denied by Foxconn after 2 days; then a deal with a long trail of statements."""
    a = talks(A, occurred_at="2025-01-10")
    b = talks(B, occurred_at="2025-03-01", sources=[ANONYMOUS])
    c = talks(C, occurred_at="2025-06-01", sources=[PRESS, WIRE])
    busy = talks(BUSY, occurred_at="2024-01-01")
    events = [
        a,
        b,
        c,
        statement("confirmed", NISSAN, a, occurred_at="2025-02-14"),
        statement("denied", FOXCONN, c, occurred_at="2025-06-03"),
        busy,
        *(
            statement("unconfirmed", NISSAN, busy, occurred_at=f"2024-{1 + n // 28:02d}-{1 + n % 28:02d}")
            for n in range(BUSY_STATEMENTS)
        ),
    ]
    result = ledger_cli(module_db_url, "import", "-", input=jsonl(events))
    assert result.exit_code == 0, result.stderr
    return {"db": module_db_url, "a": a, "b": b, "c": c, "busy": busy}


def ok(desk: dict, *args: str) -> str:
    result = ledger_cli(desk["db"], *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def ids(desk: dict, *args: str) -> list[str]:
    return [c["id"] for c in json.loads(ok(desk, *args, "--json"))]


def names(desk: dict, *keys: str) -> list[str]:
    return [desk[k]["id"] for k in keys]


# -- claims ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--status", "reported", "--status", "confirmed"), ("a", "b", "busy")),
        (("--type", "talks.reported", "--type", "mou.signed", "-n", "2"), ("a", "b")),
        (("--type", "mou.signed"), ()),
        (("--source", "kyodo news"), ("c",)),
        (("--origin", "Nikkei"), ("a", "c", "busy")),
        (("--by", FOXCONN), ("c",)),
        (("--anonymous-only",), ("b",)),
        (("--single-origin", "--status", "reported"), ("b", "busy")),
        (("--as-of", "2025-02-01", "--status", "reported"), ("a", "busy")),
        (("--known-at", "@2"), ("a", "b")),
        ((A,), ("a",)),
    ],
    ids=lambda a: " ".join(a) if isinstance(a, tuple) and a and a[0].startswith(("-", "p")) else "",
)
def test_claims_flags_are_the_api_s_filters(desk, args, expected):
    assert ids(desk, "claims", *args) == names(desk, *expected)


def test_resolved_claims_say_in_how_many_days_and_by_whom(desk):
    assert ok(desk, "claims", "--resolved").splitlines() == [
        "pos\toccurred_at\tentity\ttype\tstatus\torigins\tsources\tstatements\tdays\tresolved_by",
        f"1\t2025-01-10\t{A}\ttalks.reported\tconfirmed\t1\tNikkei (press)\t"
        f"{NISSAN}: confirmed 2025-02-14\t35\t{NISSAN}",
        f"3\t2025-06-01\t{C}\ttalks.reported\tdenied\t2\tNikkei (press), Kyodo News (wire)\t"
        f"{FOXCONN}: denied 2025-06-03\t2\t{FOXCONN}",
    ]


def test_stale_claims_say_when_the_last_event_about_them_occurred(desk):
    rows = list(csv.DictReader(io.StringIO(ok(desk, "claims", "--stale", "90d", "--format", "csv"))))

    assert [(r["entity"], r["status"], r["last_event_at"]) for r in rows] == [
        (A, "confirmed", "2025-02-14"),
        (B, "reported", "2025-03-01"),
        (BUSY, "reported", "2024-04-20"),
    ]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("--stale", "soon"), "error: --stale: "),
        (("--type", "report.denied"), "error: --type: expected a claim type, got 'report.denied'"),
        (("--source", "--"), None),  # a value that starts with -: Typer's own usage error
        (("--by", "..."), "error: --by: expected a name with a letter or digit, got '...'"),
    ],
    ids=lambda a: " ".join(a) if isinstance(a, tuple) else "",
)
def test_claims_flags_refuse_what_they_cannot_read(desk, args, error):
    result = ledger_cli(desk["db"], "claims", *args)

    assert result.exit_code == 2
    if error is not None:
        assert one_error_line(result).startswith(error)


# -- events ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "positions"),
    [
        (("--recorded-since", "@2", "--recorded-until", "@4"), [3, 4]),
        (("--occurred-since", "2025-03", "--occurred-until", "2025-06-01"), [2, 3]),
        (("--source", "Kyodo News"), [3]),
        (("--by", FOXCONN), [5]),
        (("--by", NISSAN, "--occurred-since", "2025"), [4]),
        (("--entity", C, "--reverse"), [5, 3]),
    ],
    ids=lambda a: " ".join(a) if isinstance(a, tuple) else "",
)
def test_events_flags_are_the_api_s_filters(desk, args, positions):
    lines = ok(desk, "events", *args).splitlines()

    assert lines[0] == "pos\toccurred_at\trecorded_at\ttype\tsources\tid"
    assert [int(line.split("\t")[0]) for line in lines[1:]] == positions


def test_events_with_a_ledger_time_that_is_no_time_is_a_usage_error(desk):
    result = ledger_cli(desk["db"], "events", "--recorded-since", "yesterday")

    assert result.exit_code == 2
    assert one_error_line(result).startswith("error: --recorded-since: ")


# -- history --------------------------------------------------------------------------------------------
def entries(desk: dict, *args: str) -> list[dict]:
    return json.loads(ok(desk, "history", *args, "--json"))


def test_history_by_world_time_and_type_newest_first(desk):
    assert [e["position"] for e in entries(desk, NISSAN, "--since", "2025-02", "--until", "2025-06-01")] == [
        4,
        2,
        3,
    ]
    assert [
        e["position"] for e in entries(desk, NISSAN, "--type", "report.confirmed", "--type", "report.denied")
    ] == [
        4,
        5,
    ]
    assert [e["position"] for e in entries(desk, C, "--reverse")] == [5, 3]
    assert [e["position"] for e in entries(desk, A, "--reverse", "-n", "1")] == [4]


def test_history_prints_a_page_of_100_and_says_on_stderr_how_to_get_the_next(desk):
    first = ledger_cli(desk["db"], "history", BUSY)
    last = json.loads(ok(desk, "history", BUSY, "--json", "--all"))

    assert first.exit_code == 0, first.stderr
    rows = first.stdout.splitlines()[1:]
    assert len(rows) == 100
    assert first.stderr == (
        f"100 entries shown; the next page: --after {rows[-1].split(chr(9))[0]} (or --all for every entry)\n"
    )
    assert len(last) == BUSY_STATEMENTS + 1


def test_the_pages_after_each_other_are_the_whole_history(desk):
    whole = entries(desk, BUSY, "--all")
    pages, after = [], None
    while True:
        result = ledger_cli(
            desk["db"], "history", BUSY, "-n", "30", "--json", *(("--after", str(after)) if after else ())
        )
        assert result.exit_code == 0, result.stderr
        page = json.loads(result.stdout)
        pages.extend(page)
        if not result.stderr:
            break
        assert (
            result.stderr
            == f"30 entries shown; the next page: --after {page[-1]['position']} (or --all for every entry)\n"
        )
        after = page[-1]["position"]

    assert pages == whole
    assert len(whole) == BUSY_STATEMENTS + 1


def test_an_entry_whose_claim_is_not_on_the_page_is_still_on_it(desk):
    """The page rule: an entry belongs to the history by what it names or by the claim it speaks about,
    wherever that claim falls; the page is cut after."""
    c = desk["c"]
    [denial] = entries(desk, C, "--type", "report.denied")  # names only Foxconn; about C's talks
    second = entries(desk, C, "-n", "1", "--after", str(3))  # the talks were the first page

    assert (denial["position"], denial["about"]) == (
        5,
        [{"id": c["id"], "position": 3, "type": "talks.reported"}],
    )
    assert second == [denial]


def test_after_a_position_not_in_the_history_is_a_usage_error(desk):
    result = ledger_cli(desk["db"], "history", C, "--after", "4")

    assert result.exit_code == 2
    assert one_error_line(result) == "error: --after: no entry at position 4 in this history"
