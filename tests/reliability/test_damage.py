"""A ledger file damaged on disk (issue 13, item 8): bytes flipped in a SQLite page. A log that cannot be
read is an integrity failure, exit 5, naming the first position that cannot be read; never exit 1 with the
driver's words.

SQLite only: damaging a PostgreSQL database means writing into the shared server's data files while it
runs, which could take the server down for everyone; PostgreSQL's own codes for damaged data (XX001,
XX002) are mapped the same way in `ledger/store/errors.py`.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from support.factories import EVERY_TYPE
from support.runner import jsonl, ledger_cli, one_error_line

MARK = "damage-lands-here"
AT = 12  # the event that holds the mark


@pytest.fixture
def damaged_file(tmp_path: Path, sqlite_template: Path) -> Path:
    """A SQLite ledger of every type, the event at AT carrying MARK in its note, checkpointed into the
    main file (no WAL left), with nothing open on it."""
    import shutil

    path = tmp_path / "ledger.db"
    shutil.copyfile(sqlite_template, path)
    events = [*EVERY_TYPE[: AT - 1], {**EVERY_TYPE[AT - 1], "note": MARK}, *EVERY_TYPE[AT:]]
    assert ledger_cli(f"sqlite:///{path}", "import", "-", input=jsonl(events)).exit_code == 0
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path


def _flip(path: Path, replace: bytes) -> None:
    """Overwrite the first byte of every copy of MARK in the file."""
    data = bytearray(path.read_bytes())
    found = data.find(MARK.encode())
    assert found >= 0
    while found >= 0:
        data[found : found + len(replace)] = replace
        found = data.find(MARK.encode(), found + 1)
    path.write_bytes(bytes(data))


def test_text_that_is_no_longer_utf8_is_an_integrity_failure_at_its_position(damaged_file):
    _flip(damaged_file, b"\xff\xfe")
    url = f"sqlite:///{damaged_file}"

    result = ledger_cli(url, "verify")
    report = json.loads(ledger_cli(url, "verify", "--json").stdout)

    assert result.exit_code == 5
    assert one_error_line(result) == (
        f"error: integrity failure at position {AT}: the row cannot be read back: "
        "a stored text is not valid UTF-8"
    )
    assert (report["ok"], report["check"], report["first_bad_position"]) == (False, "chain", AT)
    exported = ledger_cli(url, "export")
    assert exported.exit_code == 5
    assert one_error_line(exported) == (
        f"error: position {AT} of the log cannot be read back: a stored text is not valid UTF-8"
    )


def test_a_damaged_page_is_an_integrity_failure_naming_the_first_position_it_holds(damaged_file):
    """The b-tree page holding the mark loses its header: SQLite calls the file malformed."""
    data = bytearray(damaged_file.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    page = data.find(MARK.encode()) // page_size
    data[page * page_size : page * page_size + 8] = b"\x00" * 8
    damaged_file.write_bytes(bytes(data))
    url = f"sqlite:///{damaged_file}"

    result = ledger_cli(url, "verify")

    assert result.exit_code == 5
    line = one_error_line(result)
    assert line.startswith("error: integrity failure at position "), line
    assert "cannot be read back: database disk image is malformed" in line
    assert int(line.split("position ")[1].split(":")[0]) <= AT
