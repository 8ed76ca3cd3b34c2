"""`history` as a person reads it: a header line per event (position, world time, type, status, who),
what it says on indented lines without the entity's own id, wrapped to the width without splitting an
id; `--ledger-time`, `--oneline`; a pager on a terminal only."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from support.factories import ANONYMOUS, PRESS, WIRE, an_event, correction, statement, void
from support.runner import jsonl, ledger_cli
from typer.testing import CliRunner

from ledger.cli.app import app

SEED = resources.files("ledger") / "data" / "seed.jsonl"
SEED_PARTNERSHIP = "partnership:nissan-foxconn-oppama"
DEAL = "partnership:yokohama-kanagawa-precision-electric-vehicle-components-joint-venture"
NISSAN, FOXCONN = "company:nissan", "company:foxconn"
LONG_QUOTE = (
    "we never comment on market speculation about partnership:nissan-foxconn-oppama or any of the "
    "other arrangements under discussion with suppliers, and a decision will be announced in due course "
    "by the board of directors after the usual consultations"
)
ID = re.compile(r"(?:company|plant|partnership|plan|authority):[a-z0-9]+(?:-[a-z0-9]+)*")


def talks(partnership: str, scope: str, **kw) -> dict:
    data = {
        "partnership": partnership,
        "parties": [NISSAN, FOXCONN],
        "plant": "plant:nissan-oppama",
        "scope": scope,
    }
    return an_event("talks.reported", data, **kw)


@pytest.fixture(scope="module")
def desk(module_db_url) -> dict:
    """A deal with a long id: talks carried by many sources (then corrected), a long denial, a claim later
    voided, and a statement about it."""
    claim = talks(
        DEAL, "components", sources=[PRESS, ANONYMOUS, WIRE, {"name": "Wyoming Star", "kind": "press"}]
    )
    voided = an_event(
        "mou.signed",
        {"partnership": DEAL, "parties": [NISSAN, FOXCONN], "scope": "EVs"},
        occurred_at="2025-08-01",
    )
    events = [
        claim,
        statement("denied", FOXCONN, claim, occurred_at="2025-07-08", note="said on the phone"),
        correction(
            claim,
            {**claim["data"], "scope": "electric vehicle components for the Oppama line"},
            occurred_at="2025-07-09",
        ),
        voided,
        void(voided, occurred_at="2025-08-02"),
        statement("confirmed", NISSAN, voided, occurred_at="2025-08-03"),
    ]
    events[1]["data"]["quote"] = LONG_QUOTE
    with resources.as_file(SEED) as path:
        assert ledger_cli(module_db_url, "import", str(path)).exit_code == 0
    result = ledger_cli(module_db_url, "import", "-", input=jsonl(events))
    assert result.exit_code == 0, result.stderr
    return {"db": module_db_url, "events": events}


def run(db: str, *args: str, columns: int = 80) -> str:
    result = CliRunner().invoke(app, ["--db", db, *args], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_the_seed_partnership_at_80_columns(desk):
    assert run(desk["db"], "history", SEED_PARTNERSHIP, "--format", "table").splitlines() == [
        "7  2025-07-07  talks.reported  reported  Nikkei (press), two people familiar",
        "    with the matter (anonymous), Wyoming Star (press)",
        "    parties: company:nissan, company:foxconn",
        "    plant: plant:nissan-oppama",
        "    scope: Foxconn to build its own electric vehicles at the Oppama plant",
        "    note: The move could help prevent the closure of the plant.",
        "",
        "8  2025-07-07  report.unconfirmed  unconfirmed  company:nissan",
        "    about: 7 talks.reported",
        '    "the report was not based on information disclosed by the company"',
        "",
        "9  2025-07-07  report.no_comment  no_comment  company:foxconn",
        "    about: 7 talks.reported",
        '    "Foxconn has not issued a comment"',
        "",
        "10  2025-07-07  acquisition.explored  reported  Kyodo News (wire), Wyoming Star",
        "    (press)",
        "    acquirer: company:foxconn",
        "    plant: plant:nissan-oppama",
        "    scope: Foxconn may buy part of the Oppama plant outright",
        "    stake_text: a portion of the plant",
    ]


@pytest.mark.parametrize("columns", [80, 100, 120])
@pytest.mark.parametrize("layout", [(), ("--ledger-time",), ("--oneline",), ("--oneline", "--ledger-time")])
def test_no_line_is_wider_than_the_terminal_and_no_id_is_split(desk, columns, layout):
    known = set(ID.findall(json.dumps(desk["events"]))) | {DEAL}
    text = run(desk["db"], "history", DEAL, "--format", "table", *layout, columns=columns)

    lines = text.splitlines()
    assert lines and all(len(line) <= columns for line in lines), max(lines, key=len)
    assert set(ID.findall(text)) <= known  # a split id would leave a piece that is no id
    for line in lines:  # ... and a line never starts with the tail of one
        assert not re.match(r"\s*[a-z0-9-]+\b", line) or not any(
            i.endswith(line.split()[0]) and i != line.split()[0] for i in known
        ), line


def test_each_event_has_a_header_line_and_its_payload_without_the_entity_s_own_id(desk):
    text = run(desk["db"], "history", DEAL, "--format", "table", columns=120)

    blocks = [block.splitlines() for block in text.split("\n\n")]
    assert [block[0] for block in blocks] == [
        "12  2025-07-07  talks.reported  denied, corrected  Nikkei (press), two people familiar with the "
        "matter (anonymous),",
        "13  2025-07-08  report.denied  denied  company:foxconn",
        "14  2025-07-09  entry.corrected",
        "15  2025-08-01  mou.signed  voided  Nikkei (press)",
        "16  2025-08-02  entry.voided",
        "17  2025-08-03  report.confirmed  confirmed  company:nissan",
    ]
    assert blocks[0][2:] == [
        "    parties: company:nissan, company:foxconn",
        "    plant: plant:nissan-oppama",
        "    scope: electric vehicle components for the Oppama line",  # the current data
    ]
    assert blocks[1][1] == "    about: 12 talks.reported"
    assert blocks[1][-1] == "    note: said on the phone"
    assert blocks[2][1:3] == ["    of: 12 talks.reported", "    reason: typo"]
    assert blocks[5][1] == "    about: 15 mou.signed"
    assert DEAL not in text


def test_ledger_time_shows_when_each_event_was_recorded(desk):
    entries = json.loads(run(desk["db"], "history", DEAL, "--json"))
    plain = run(desk["db"], "history", DEAL, "--format", "table", columns=200)
    timed = run(desk["db"], "history", DEAL, "--ledger-time", columns=200)  # asks for the table, piped too

    assert entries[0]["recorded_at"] not in plain
    assert [line for line in timed.splitlines() if line and not line.startswith(" ")] == [
        f"{e['position']}  {e['occurred_at']}  recorded {e['recorded_at']}  {e['type']}"
        + "".join(f"  {part}" for part in (status, who) if part)
        for e, status, who in zip(
            entries,
            ["denied, corrected", "denied", "", "voided", "", "confirmed"],
            [
                "Nikkei (press), two people familiar with the matter (anonymous), Kyodo News (wire), Wyoming "
                "Star (press)",
                FOXCONN,
                "",
                "Nikkei (press)",
                "",
                NISSAN,
            ],
            strict=True,
        )
    ]


def test_oneline_prints_one_line_per_event_cut_with_an_ellipsis(desk):
    lines = run(desk["db"], "history", DEAL, "--oneline", columns=80).splitlines()

    assert [line.split("  ")[:3] for line in lines] == [
        ["12", "2025-07-07", "talks.reported"],
        ["13", "2025-07-08", "report.denied"],
        ["14", "2025-07-09", "entry.corrected"],
        ["15", "2025-08-01", "mou.signed"],
        ["16", "2025-08-02", "entry.voided"],
        ["17", "2025-08-03", "report.confirmed"],
    ]
    assert lines[1].endswith("…") and len(lines[1]) <= 80
    assert lines[5] == "17  2025-08-03  report.confirmed  confirmed  company:nissan  about: 15…"


ENTRY = "from ledger.cli.entry import main; main()"


def on_a_terminal(args: list[str], env: dict[str, str]) -> None:
    """The console script with its stdout on a pseudo-terminal of 80 x 10 (what it writes there is read
    and dropped)."""
    primary, secondary = os.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", ENTRY, *args],
            stdout=secondary,
            stderr=subprocess.DEVNULL,
            env={k: v for k, v in os.environ.items() if k not in ("LEDGER_DB", "PAGER", "LESS")}
            | {"COLUMNS": "80", "LINES": "10", **env},
        )
        os.close(secondary)
        while True:
            try:
                if not os.read(primary, 65536):
                    break
            except OSError:  # the terminal closed with the process
                break
        assert process.wait(timeout=60) == 0
    finally:
        os.close(primary)


@pytest.mark.parametrize("extra", [(), ("--no-pager",)], ids=["paged", "no pager"])
def test_on_a_terminal_a_long_history_goes_through_the_pager_unless_no_pager(desk, tmp_path: Path, extra):
    paged = tmp_path / "paged.txt"
    on_a_terminal(["--db", desk["db"], "history", DEAL, *extra], {"PAGER": f"cat > {paged}"})

    if extra:
        assert not paged.exists()
    else:
        assert paged.read_text() == run(desk["db"], "history", DEAL, "--format", "table")


def test_a_history_that_fits_the_terminal_or_is_piped_is_not_paged(desk, tmp_path: Path):
    paged = tmp_path / "paged.txt"
    on_a_terminal(["--db", desk["db"], "history", DEAL, "-n", "1"], {"PAGER": f"cat > {paged}"})
    piped = subprocess.run(
        [sys.executable, "-c", ENTRY, "--db", desk["db"], "history", DEAL, "--format", "table"],
        capture_output=True,
        env=dict(os.environ) | {"PAGER": f"cat > {paged}"},
        check=True,
    )

    assert not paged.exists()
    assert piped.stdout.startswith(b"12  2025-07-07  talks.reported")
