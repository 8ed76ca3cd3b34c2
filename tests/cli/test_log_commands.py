"""The log commands as a user runs them: init, append, import, export, verify (contract section 6)."""

from __future__ import annotations

import json
import uuid

import pytest
from support.factories import ANONYMOUS, EVERY_TYPE, TALKS, statement, talks
from support.runner import exported, jsonl, ledger_cli, one_error_line, state, write_jsonl

import ledger
from ledger.api import IMPORT_CHUNK

PARTNERSHIP = TALKS["data"]["partnership"]
TALKS_DATA = json.dumps(TALKS["data"])

N = len(EVERY_TYPE)  # events in the file every test imports


def append_talks(db_url: str, *options: str):
    return ledger_cli(
        db_url, "append", "talks.reported", "--data", TALKS_DATA, "--occurred-at", "2025-07-07", *options
    )


def printed_position_and_id(stdout: str) -> tuple[int, str]:
    position, event_id = stdout.rstrip("\n").split("\t")
    return int(position), event_id


# -- import ---------------------------------------------------------------------------------------------
def test_importing_prints_what_was_read_appended_and_the_new_head(db_url, tmp_path):
    result = ledger_cli(db_url, "import", write_jsonl(tmp_path / "all.jsonl", EVERY_TYPE))

    assert result.exit_code == 0, result.stderr
    _, head = state(db_url)
    assert result.stdout == f"imported {N} events (0 already present) of {N} read; head {head}@{N}\n"


def test_importing_the_same_file_twice_appends_nothing_the_second_time(db_url, tmp_path):
    path = write_jsonl(tmp_path / "all.jsonl", EVERY_TYPE)
    ledger_cli(db_url, "import", path)
    before = state(db_url)

    again = ledger_cli(db_url, "import", path)

    assert again.exit_code == 0, again.stderr
    assert again.stdout == f"imported 0 events ({N} already present) of {N} read; head {before[1]}@{N}\n"
    assert state(db_url) == before


def test_importing_an_id_again_with_other_content_is_a_conflict_and_writes_nothing(db_url, tmp_path):
    ledger_cli(db_url, "import", write_jsonl(tmp_path / "first.jsonl", [TALKS]))
    before = state(db_url)
    changed = {**TALKS, "occurred_at": "2025-07-08"}
    path = write_jsonl(tmp_path / "second.jsonl", [talks(partnership="partnership:a-b"), changed])

    result = ledger_cli(db_url, "import", path)

    assert result.exit_code == 4
    assert one_error_line(result) == (
        f"error: line 2: id {TALKS['id']} is already used by an event with other content"
    )
    assert state(db_url) == before


def test_an_import_failing_after_its_first_chunk_has_been_written_leaves_nothing(db_url):
    many = [talks(partnership=f"partnership:deal-{i}") for i in range(IMPORT_CHUNK + 1)]
    dangling = statement("denied", "company:nissan", {"id": str(uuid.uuid4())})

    result = ledger_cli(db_url, "import", "-", input=jsonl([*many, dangling]))

    assert result.exit_code == 3
    assert one_error_line(result).startswith(f"error: line {IMPORT_CHUNK + 2}: refs[0]: no earlier event")
    assert state(db_url) == (0, "0" * 64)


def test_importing_from_stdin(db_url):
    result = ledger_cli(db_url, "import", "-", input=jsonl(EVERY_TYPE[:3]))

    assert result.exit_code == 0, result.stderr
    assert [e["id"] for e in exported(db_url)] == [e["id"] for e in EVERY_TYPE[:3]]


def test_a_dry_run_checks_everything_and_writes_nothing(db_url, tmp_path):
    result = ledger_cli(db_url, "import", "--dry-run", write_jsonl(tmp_path / "all.jsonl", EVERY_TYPE))

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"would import {N} events (0 already present) of {N} read; head ")
    assert result.stdout.endswith(f"@{N}\n")
    assert state(db_url) == (0, "0" * 64)


# -- append ---------------------------------------------------------------------------------------------
def test_append_prints_the_new_position_and_id(db_url):
    result = append_talks(db_url, "--source", "Nikkei:press")

    assert result.exit_code == 0, result.stderr
    position, event_id = printed_position_and_id(result.stdout)
    assert position == 1
    assert exported(db_url)[0]["id"] == event_id


def test_append_reads_source_kinds_after_the_last_colon_and_defaults_to_other(db_url):
    append_talks(
        db_url,
        "--source",
        "Nikkei:press",
        "--source",
        f"{ANONYMOUS['name']}:anonymous",
        "--source",
        "Foo",
        "--source",
        "Reuters: Tokyo",
    )

    assert exported(db_url)[0]["sources"] == [
        {"name": "Nikkei", "kind": "press"},
        ANONYMOUS,
        {"name": "Foo", "kind": "other"},
        {"name": "Reuters: Tokyo", "kind": "other"},
    ]


def test_append_with_ref_records_a_statement_about_an_earlier_claim(db_url):
    _, claim_id = printed_position_and_id(append_talks(db_url, "--source", "Nikkei").stdout)

    result = ledger_cli(
        db_url,
        "append",
        "report.denied",
        "--data",
        '{"by": "company:nissan"}',
        "--occurred-at",
        "2025-07-08",
        "--source",
        "Nissan:company",
        "--ref",
        claim_id,
    )

    assert result.exit_code == 0, result.stderr
    assert exported(db_url)[1]["refs"] == [claim_id]
    about = ledger_cli(db_url, "events", "--entity", PARTNERSHIP, "--json").stdout.splitlines()
    assert [json.loads(line)["position"] for line in about] == [1, 2]


def test_append_with_the_same_id_twice_stores_one_event_and_prints_it_both_times(db_url):
    event_id = str(uuid.uuid4())
    first = append_talks(db_url, "--source", "Nikkei", "--id", event_id)

    second = append_talks(db_url, "--source", "Nikkei", "--id", event_id)

    assert second.exit_code == 0, second.stderr
    assert second.stdout == first.stdout == f"1\t{event_id}\n"
    assert state(db_url)[0] == 1


def test_append_reusing_an_id_with_other_content_is_a_conflict(db_url):
    event_id = str(uuid.uuid4())
    append_talks(db_url, "--source", "Nikkei", "--id", event_id)
    before = state(db_url)

    result = append_talks(db_url, "--source", "Kyodo", "--id", event_id)

    assert result.exit_code == 4
    assert one_error_line(result) == f"error: id {event_id} is already used by an event with other content"
    assert state(db_url) == before


def test_append_file_dash_reads_events_from_stdin(db_url):
    denial = statement("denied", "Foxconn", TALKS)

    result = ledger_cli(db_url, "append", "--file", "-", input=jsonl([TALKS, denial]))

    assert result.exit_code == 0, result.stderr
    assert [printed_position_and_id(line) for line in result.stdout.splitlines()] == [
        (1, TALKS["id"]),
        (2, denial["id"]),
    ]


def test_append_expecting_no_event_yet_succeeds_for_a_new_entity(db_url):
    result = append_talks(db_url, "--source", "Nikkei", "--expect", f"{PARTNERSHIP}@0")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"1\t{exported(db_url)[0]['id']}\n"


def test_append_expecting_a_stale_position_is_a_conflict_and_writes_nothing(db_url):
    append_talks(db_url, "--source", "Nikkei")
    before = state(db_url)

    result = append_talks(db_url, "--source", "Kyodo", "--expect", f"{PARTNERSHIP}@0")

    assert result.exit_code == 4
    assert one_error_line(result) == (
        f"error: --expect {PARTNERSHIP}@0 failed: the latest event naming {PARTNERSHIP} is at position 1; "
        "nothing was written"
    )
    assert state(db_url) == before


def test_append_expecting_the_latest_position_succeeds(db_url):
    about_it = [TALKS, EVERY_TYPE[0], statement("denied", "Foxconn", TALKS)]  # the 2nd names no partnership
    ledger_cli(db_url, "import", "-", input=jsonl(about_it))

    result = append_talks(db_url, "--source", "Kyodo", "--expect", f"{PARTNERSHIP}@3")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"4\t{exported(db_url)[3]['id']}\n"


def test_append_without_data_is_invalid_input(db_url):
    result = ledger_cli(db_url, "append", "talks.reported", "--occurred-at", "2025-07-07", "--source", "X")

    assert result.exit_code == 3
    assert one_error_line(result) == "error: --data: missing required option"


# -- export and restore ---------------------------------------------------------------------------------
def test_export_to_a_file_writes_the_same_lines_as_to_stdout(db_url, tmp_path):
    ledger_cli(db_url, "import", "-", input=jsonl(EVERY_TYPE))
    out = tmp_path / "export.jsonl"

    result = ledger_cli(db_url, "export", "--out", str(out))

    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"exported {N} events to {out}\n"
    assert out.read_text() == ledger_cli(db_url, "export").stdout


@pytest.fixture
def exported_file(db_url, tmp_path):
    """A ledger holding one event of every type, and its export."""
    ledger_cli(db_url, "import", "-", input=jsonl(EVERY_TYPE))
    path = tmp_path / "export.jsonl"
    path.write_text(ledger_cli(db_url, "export").stdout)
    return path


def test_restoring_an_export_into_an_empty_ledger_keeps_its_head(db_url, blank_db_url, exported_file):
    ledger_cli(blank_db_url, "init")

    result = ledger_cli(blank_db_url, "import", "--restore", str(exported_file))

    assert result.exit_code == 0, result.stderr
    head = state(db_url)[1]
    assert result.stdout == f"restored {N} events (0 already present) of {N} read; head {head}@{N}\n"
    assert state(blank_db_url) == state(db_url)
    assert exported_file.read_text() == ledger_cli(blank_db_url, "export").stdout
    assert ledger_cli(blank_db_url, "verify").exit_code == 0


def test_restoring_into_a_ledger_that_holds_events_is_a_conflict(db_url, exported_file):
    before = state(db_url)

    result = ledger_cli(db_url, "import", "--restore", str(exported_file))

    assert result.exit_code == 4
    assert one_error_line(result) == "error: --restore needs an empty ledger; this one already holds events"
    assert state(db_url) == before


def test_restoring_an_export_with_one_hash_changed_is_an_integrity_failure(blank_db_url, exported_file):
    ledger_cli(blank_db_url, "init")
    lines = exported_file.read_text().splitlines(keepends=True)
    event = json.loads(lines[9])
    event["hash"] = "f" * 64
    lines[9] = json.dumps(event) + "\n"
    exported_file.write_text("".join(lines))

    result = ledger_cli(blank_db_url, "import", "--restore", str(exported_file))

    assert result.exit_code == 5
    assert one_error_line(result).startswith(
        "error: line 10: the export's chain does not verify at position 10: hash mismatch"
    )
    assert state(blank_db_url) == (0, "0" * 64)


# -- verify ---------------------------------------------------------------------------------------------
def test_verify_prints_the_event_count_and_head(db_url):
    ledger_cli(db_url, "import", "-", input=jsonl(EVERY_TYPE))

    result = ledger_cli(db_url, "verify")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"ok: {N} events, head {state(db_url)[1]}@{N}\n"


def test_verify_head_passes_for_the_head_the_ledger_holds(db_url):
    ledger_cli(db_url, "import", "-", input=jsonl(EVERY_TYPE[:5]))
    head = state(db_url)[1]
    ledger_cli(db_url, "import", "-", input=jsonl(EVERY_TYPE[5:]))

    assert ledger_cli(db_url, "verify", "--head", f"{head}@5").exit_code == 0


def test_verify_head_with_a_hash_the_ledger_never_held_is_an_integrity_failure(db_url):
    ledger_cli(db_url, "import", "-", input=jsonl(EVERY_TYPE))

    result = ledger_cli(db_url, "verify", "--head", f"{'a' * 64}@5")

    assert result.exit_code == 5
    assert one_error_line(result).startswith("error: integrity failure at position 5: ")


TAMPERING = {
    "a payload byte": "UPDATE events SET body = replace(body, 'at Oppama', 'at Oppamb') WHERE position = 9",
    "the type": "UPDATE events SET type = 'mou.signed' WHERE position = 9",
    "recorded_at": "UPDATE events SET recorded_at = '2999-01-01T00:00:00.000000Z' WHERE position = 9",
}


def tamper(db_url: str, sql: str) -> None:
    """Change the log as someone with the database's own credentials could: triggers off, then SQL."""
    with ledger.open(db_url) as lg, lg.store.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("DROP TRIGGER events_no_update")
        else:
            connection.exec_driver_sql("ALTER TABLE events DISABLE TRIGGER USER")
        assert connection.exec_driver_sql(sql).rowcount == 1


@pytest.mark.parametrize("sql", TAMPERING.values(), ids=TAMPERING.keys())
def test_verify_names_the_first_position_whose_content_was_changed(db_url, sql):
    ledger_cli(db_url, "import", "-", input=jsonl(EVERY_TYPE))
    tamper(db_url, sql)

    result = ledger_cli(db_url, "verify")

    assert result.exit_code == 5
    assert one_error_line(result).startswith("error: integrity failure at position 9: ")
    assert result.stdout == ""


@pytest.mark.parametrize("sql", TAMPERING.values(), ids=TAMPERING.keys())
def test_verify_json_reports_not_ok_and_the_first_bad_position(db_url, sql):
    ledger_cli(db_url, "import", "-", input=jsonl(EVERY_TYPE))
    tamper(db_url, sql)

    result = ledger_cli(db_url, "verify", "--json")

    assert result.exit_code == 5
    report = json.loads(result.stdout)
    assert (report["ok"], report["events"], report["first_bad_position"]) == (False, N, 9)


def test_a_postgresql_url_without_the_driver_names_the_extra_to_install(tmp_path):
    """The PostgreSQL driver is an extra: without it, one line says which, and nothing else breaks."""
    import subprocess
    import sys

    program = (
        "import sys; sys.modules['psycopg'] = None; "  # as if psycopg were not installed
        "sys.argv = ['ledger', '--db', 'postgresql+psycopg://me@127.0.0.1:5432/news', 'events']; "
        "from ledger.cli.app import main; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path
    )

    assert done.returncode == 1
    assert done.stderr == (
        "error: a PostgreSQL URL needs the psycopg driver: pip install 'corporate-actions-ledger[postgres]'\n"
    )
