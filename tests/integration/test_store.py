"""The event store on each backend: round trip, the hash chain, append-only tables, concurrent writers."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import rfc8785
from sqlalchemy.exc import DBAPIError
from support.factories import EVERY_TYPE, an_event, correction, talks
from support.runner import ledger_cli, state, write_jsonl

from ledger.hashing import event_hash
from ledger.vocabulary.registry import CURRENT_VERSION, EVENT_TYPES

STORE_FIELDS = ("position", "recorded_at", "prev_hash", "hash")


def export_of(lg) -> list[dict]:
    out = io.BytesIO()
    lg.export(out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def without(event: dict, *keys: str) -> dict:
    return {k: v for k, v in event.items() if k not in keys}


@pytest.fixture
def every_type_exported(lg) -> list[dict]:
    lg.append_many(EVERY_TYPE)
    return export_of(lg)


def test_the_factories_hold_one_event_of_every_type():
    assert sorted(e["type"] for e in EVERY_TYPE) == sorted(EVENT_TYPES)


def test_every_event_type_comes_back_from_export_as_it_went_in_stamped_with_the_current_version(
    every_type_exported,
):
    assert [without(e, *STORE_FIELDS) for e in every_type_exported] == [
        {"id": e["id"], "type": e["type"], "v": CURRENT_VERSION, **without(e, "id", "type")}
        for e in EVERY_TYPE
    ]
    assert [list(e)[:3] for e in every_type_exported] == [["id", "type", "v"]] * len(EVERY_TYPE)


def test_export_numbers_events_from_one_without_gaps(every_type_exported):
    assert [e["position"] for e in every_type_exported] == list(range(1, len(EVERY_TYPE) + 1))


def test_each_exported_hash_is_the_event_hash_of_the_event_without_it(every_type_exported):
    for event in every_type_exported:
        assert event_hash(without(event, "hash")) == event["hash"], event["type"]


def test_the_chain_starts_from_64_zeros_and_links_each_event_to_the_previous_hash(every_type_exported):
    hashes = [e["hash"] for e in every_type_exported]
    assert [e["prev_hash"] for e in every_type_exported] == ["0" * 64, *hashes[:-1]]


def test_anyone_can_verify_an_export_with_rfc8785_and_hashlib(every_type_exported):
    prev = "0" * 64
    for event in every_type_exported:
        assert event["prev_hash"] == prev
        body = {k: v for k, v in event.items() if k != "hash"}
        assert hashlib.sha256(rfc8785.dumps(body)).hexdigest() == event["hash"], event["type"]
        prev = event["hash"]


AWKWARD = [  # text JSON must escape, characters beyond ASCII, numbers ECMAScript writes its own way
    talks(note='quote " backslash \\ control \u0001 \u001f line separator \u2028 tab \t'),
    talks(partnership="partnership:foxconn-oppama", note="追浜工場でEVを生産 🚗 é"),
    an_event(
        "plan.announced",
        {
            "plan": "plan:re-nissan",
            "company": "company:nissan",
            "title": "Re:Nissan",
            "measures": [
                {"kind": "workforce_reduction", "percent": 0.1 + 0.2},
                {"kind": "other", "percent": 1e-7},
            ],
        },
    ),
    an_event(
        "plant.stake_transferred",
        {"plant": "plant:nissan-oppama", "from": "company:nissan", "to": "company:foxconn", "percent": 33.3},
    ),
]


def test_rfc8785_and_hashlib_verify_events_with_awkward_text_and_numbers(lg):
    lg.append_many(AWKWARD)

    for event in export_of(lg):
        body = {k: v for k, v in event.items() if k != "hash"}
        assert hashlib.sha256(rfc8785.dumps(body)).hexdigest() == event["hash"], event["type"]
    assert [without(e, *STORE_FIELDS, "v") for e in export_of(lg)] == AWKWARD


def test_recorded_at_never_goes_back_in_time(lg):
    for event in EVERY_TYPE:
        lg.append(event)

    stamps = [e["recorded_at"] for e in export_of(lg)]
    assert stamps == sorted(stamps)


# -- append-only, enforced by the database ---------------------------------------------------------------
CHANGES = [
    "UPDATE events SET type = 'mou.signed'",
    "DELETE FROM events WHERE position = (SELECT MAX(position) FROM events)",
    "UPDATE event_entities SET entity_id = 'company:someone-else'",
    "DELETE FROM event_entities",
    "UPDATE event_refs SET ref_position = 1",
    "DELETE FROM event_refs",
]


def log_rows(lg) -> list[list[tuple]]:
    with lg.store.engine.connect() as connection:
        return [
            [tuple(row) for row in connection.exec_driver_sql(f"SELECT * FROM {table} ORDER BY 1, 2")]
            for table in ("events", "event_entities", "event_refs")
        ]


@pytest.mark.parametrize("sql", CHANGES)
def test_the_database_refuses_to_change_or_delete_logged_rows(lg, sql):
    lg.append_many(EVERY_TYPE)
    before = log_rows(lg)

    with pytest.raises(DBAPIError, match="append-only"), lg.store.engine.begin() as connection:
        connection.exec_driver_sql(sql)

    assert log_rows(lg) == before


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # SQLite has no TRUNCATE
@pytest.mark.parametrize("table", ["events", "event_entities", "event_refs"])
def test_postgresql_refuses_to_truncate_the_log(lg, table):
    lg.append_many(EVERY_TYPE)
    before = log_rows(lg)

    with pytest.raises(DBAPIError, match="append-only"), lg.store.engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {table} CASCADE")

    assert log_rows(lg) == before


# -- concurrent writers -----------------------------------------------------------------------------------
WRITERS, EVENTS_EACH = 4, 200


def test_four_processes_importing_at_once_store_every_event_once_without_gaps(db_url, tmp_path):
    files = [
        write_jsonl(
            tmp_path / f"writer{w}.jsonl",
            [talks(partnership=f"partnership:writer{w}-deal{i}") for i in range(EVENTS_EACH)],
        )
        for w in range(WRITERS)
    ]
    command = [sys.executable, "-m", "ledger", "--db", db_url, "import"]
    writers = [
        subprocess.Popen([*command, f], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for f in files
    ]
    outcomes = [(*w.communicate(timeout=120), w.returncode) for w in writers]

    assert [code for _, _, code in outcomes] == [0] * WRITERS, [err for _, err, _ in outcomes]
    # Each import is one transaction, so each lands as one block of positions.
    heads = sorted(int(out.decode().rsplit("@", 1)[1]) for out, _, _ in outcomes)
    assert heads == [EVENTS_EACH * (w + 1) for w in range(WRITERS)]
    events = [json.loads(line) for line in ledger_cli(db_url, "export").stdout.splitlines()]
    assert [e["position"] for e in events] == list(range(1, WRITERS * EVENTS_EACH + 1))
    wanted = {json.loads(line)["id"] for f in files for line in Path(f).read_text().splitlines()}
    assert sorted(e["id"] for e in events) == sorted(wanted)
    assert ledger_cli(db_url, "verify").exit_code == 0
    assert state(db_url)[0] == WRITERS * EVENTS_EACH


@pytest.mark.parametrize("sql", ["UPDATE index_changes SET present = 1", "DELETE FROM index_changes"])
def test_the_database_refuses_to_change_the_index_changes_a_correction_made(lg, sql):
    claim = talks(partnership="partnership:first-name")
    lg.append_many([claim, correction(claim, {**claim["data"], "partnership": "partnership:second-name"})])
    with lg.store.engine.connect() as connection:
        before = [
            tuple(r) for r in connection.exec_driver_sql("SELECT * FROM index_changes ORDER BY 1, 2, 3")
        ]
    assert len(before) == 2  # the claim joins the new partnership and leaves the old one

    with pytest.raises(DBAPIError, match="append-only"), lg.store.engine.begin() as connection:
        connection.exec_driver_sql(sql)

    with lg.store.engine.connect() as connection:
        assert [
            tuple(r) for r in connection.exec_driver_sql("SELECT * FROM index_changes ORDER BY 1, 2, 3")
        ] == before


def test_the_api_warns_through_python_warnings_unless_told_where(lg):
    """A Python caller sees the advisor's warnings as `LedgerWarning`s by default, or gets them itself."""
    from ledger.advice import LedgerWarning

    unregistered = talks(partnership="partnership:x")

    with pytest.warns(LedgerWarning, match="company:nissan is registered by no earlier event"):
        lg.append_many([unregistered])
    told = []
    lg.append_many([talks(partnership="partnership:y")], on_warning=told.append)
    assert [w.field for w in told] == ["data.parties[0]", "data.parties[1]", "data.plant"]
