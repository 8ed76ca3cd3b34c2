"""Concurrent load and a locked database (issue 5), on both backends.

Several writer processes at once (three `ledger import`s of disjoint files, one process appending
through the Python API in a loop, one running `ledger append` again and again) while two readers query
(`verify`, `show`, `history`, `rebuild --check`; one through the API, one through the CLI). Every event
is stored exactly once, positions are gapless, each import lands as one contiguous block, the chain
verifies and the projections equal a rebuild; no reader ever fails or sees a chain that is not a
prefix of the final one.

A writer that finds the database locked waits up to LEDGER_BUSY_TIMEOUT seconds: it succeeds if the
lock is released in time, else fails with one `error:` line, exit 1, writing nothing.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from support.runner import exported, ledger_cli

import ledger
from reliability.support import (
    PREFIX_ENTITIES,
    SOAK,
    assert_rebuild_check_ok,
    assert_show_matches_log,
    assert_verify_ok,
    errors_in,
    prefix_events,
    probe,
    seed_prefix,
    start_ledger,
    start_worker,
)

IMPORTERS = 3
IMPORT_EVENTS = 20_000 if SOAK else 1_500  # per importer
API_APPENDS = 2_000 if SOAK else 150
CLI_APPENDS = 60 if SOAK else 5


def _finish(proc: subprocess.Popen, timeout: float = 900) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out or "", err or ""


def _wait_for(paths: list[Path], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not all(p.exists() for p in paths):
        assert time.monotonic() < deadline, f"workers not ready after {timeout} s: {paths}"
        time.sleep(0.02)


def test_concurrent_writers_and_readers_store_every_event_exactly_once(
    db_url, backend, tmp_path, record_trial
):
    from ledger.synthetic import write_corpus

    held = prefix_events()
    with ledger.open(db_url) as lg:
        lg.append_many(held)
    files = [tmp_path / f"import-{k}.jsonl" for k in range(IMPORTERS)]
    for k, path in enumerate(files):  # different seeds: disjoint ids, each file valid on its own
        write_corpus(path, IMPORT_EVENTS, seed=1000 + k)
    file_ids = [[json.loads(line)["id"] for line in path.open("rb")] for path in files]

    stop = tmp_path / "stop"
    reads = {mode: tmp_path / f"read-{mode}.json" for mode in ("api", "cli")}
    appends = {mode: tmp_path / f"append-{mode}.json" for mode in ("api", "cli")}
    procs: list[subprocess.Popen] = []
    try:
        readers = {
            mode: start_worker(f"read-{mode}", db_url, str(stop), str(out)) for mode, out in reads.items()
        }
        procs += readers.values()
        _wait_for([Path(f"{out}.ready") for out in reads.values()])  # readers run before any writer
        started = time.monotonic()
        importers = [start_ledger(db_url, "import", str(path), "--json", output=True) for path in files]
        appenders = {
            "api": start_worker("append-api", db_url, str(API_APPENDS), str(appends["api"]), "1"),
            "cli": start_worker("append-cli", db_url, str(CLI_APPENDS), str(appends["cli"]), "2"),
        }
        procs += importers + list(appenders.values())
        imported = [_finish(p) for p in importers]
        appended_by = {mode: _finish(p) for mode, p in appenders.items()}
        seconds = time.monotonic() - started
        stop.touch()
        read_by = {mode: _finish(p) for mode, p in readers.items()}
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()

    # Every writer succeeded.
    for (code, out, err), ids in zip(imported, file_ids, strict=True):
        assert (code, errors_in(err)) == (0, ""), err
        summary = json.loads(out)
        assert (summary["appended"], summary["skipped"]) == (len(ids), 0)
    wrote: dict[str, int] = {}  # id -> position, as each appender was told
    for mode, (code, _out, err) in appended_by.items():
        assert code == 0, err
        report = json.loads(appends[mode].read_text())
        assert report["errors"] == [], report["errors"][:3]
        assert len(report["appended"]) == (API_APPENDS if mode == "api" else CLI_APPENDS)
        wrote.update((event_id, position) for event_id, position in report["appended"])

    # Exactly once, gapless, each import one contiguous block in file order.
    events = exported(db_url)
    positions = [e["position"] for e in events]
    ids = [e["id"] for e in events]
    assert positions == list(range(1, len(events) + 1))
    assert len(set(ids)) == len(ids), "an event is stored twice"
    expected = {e["id"] for e in held} | set(wrote) | {i for f in file_ids for i in f}
    assert set(ids) == expected
    position_of = dict(zip(ids, positions, strict=True))
    for file in file_ids:
        block = [position_of[i] for i in file]
        assert block == list(range(block[0], block[0] + len(block))), "an import was interleaved"
    assert all(position_of[i] == p for i, p in wrote.items()), "an append was told another position"

    # Readers never failed, and every head they saw is on the final chain.
    hash_at = {e["position"]: e["hash"] for e in events}
    calls = verifies = 0
    for mode, (code, _out, err) in read_by.items():
        assert code == 0, err
        report = json.loads(reads[mode].read_text())
        assert report["errors"] == [], report["errors"][:3]
        counts = [n for n, _ in report["verified"]]
        assert counts == sorted(counts), f"{mode} reader saw the ledger shrink"
        assert all(hash_at[n] == head for n, head in report["verified"]), "a reader saw another chain"
        calls += report["calls"]
        verifies += len(report["verified"])

    assert_verify_ok(db_url, len(expected))
    assert_rebuild_check_ok(db_url)
    assert_show_matches_log(db_url, dict.fromkeys(PREFIX_ENTITIES, True))
    record_trial(
        kind="concurrent-load",
        backend=backend,
        events=len(events),
        writers=IMPORTERS + 2,
        seconds=round(seconds, 2),
        imports=IMPORTERS,
        import_events=IMPORT_EVENTS,
        api_appends=API_APPENDS,
        cli_appends=CLI_APPENDS,
        reader_calls=calls,
        verifies=verifies,
    )


# -- a locked database ----------------------------------------------------------------------------------
APPEND = (
    "append",
    "talks.reported",
    "--occurred-at",
    "2025-07-07",
    "--source",
    "Nikkei:press",
    "--data",
    json.dumps(
        {
            "partnership": "partnership:nissan-foxconn-oppama",
            "parties": ["company:nissan", "company:foxconn"],
            "scope": "EVs at Oppama",
        }
    ),
)


def _sqlite_path(db_url: str) -> str:
    return db_url.removeprefix("sqlite:///")


def _hold_write_lock(backend: str, db_url: str):
    """Another writer in the middle of a transaction. SQLite: any program's BEGIN IMMEDIATE (a raw
    sqlite3 connection); PostgreSQL: another ledger writer (its transaction holds the write lock)."""
    if backend == "sqlite":
        holder = sqlite3.connect(_sqlite_path(db_url), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        return holder.close  # closing rolls the empty transaction back
    opened = ledger.open(db_url)
    transaction = opened.store.writing()
    transaction.__enter__()

    def release() -> None:
        transaction.__exit__(None, None, None)
        opened.close()

    return release


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_locked_database_append_waits_for_the_busy_timeout_then_fails_with_one_line(db_url, backend):
    """SQLite (the issue's case: another program holds the write lock) and PostgreSQL (another writer
    holds the ledger's advisory lock): exit 1 after LEDGER_BUSY_TIMEOUT, one line, nothing written."""
    seed_prefix(db_url)
    with probe(db_url) as p:
        before = p.state()
    release = _hold_write_lock(backend, db_url)
    try:
        started = time.monotonic()
        proc = start_ledger(db_url, *APPEND, output=True, LEDGER_BUSY_TIMEOUT="1")
        code, out, err = _finish(proc, timeout=60)
        waited = time.monotonic() - started
    finally:
        release()
    assert code == 1, err
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert "Traceback" not in err
    assert "stayed locked by another writer for 1 s (LEDGER_BUSY_TIMEOUT); nothing was written" in err
    assert 1.0 <= waited < 15, f"gave up after {waited:.2f} s"
    with probe(db_url) as p:
        assert p.state() == before
    assert_verify_ok(db_url, before[0])


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_locked_database_append_succeeds_when_the_lock_is_released_in_time(db_url, backend):
    held = seed_prefix(db_url)
    release = _hold_write_lock(backend, db_url)
    try:
        started = time.monotonic()
        proc = start_ledger(db_url, *APPEND, output=True, LEDGER_BUSY_TIMEOUT="30")
        time.sleep(1.5)
        assert proc.poll() is None, "the append did not wait for the lock"
    finally:
        release()
    code, out, err = _finish(proc, timeout=60)
    waited = time.monotonic() - started
    assert (code, errors_in(err)) == (0, ""), err
    position, _event_id = out.split()
    assert int(position) == held + 1
    assert 1.5 <= waited < 30
    assert_verify_ok(db_url, held + 1)
    assert ledger_cli(db_url, "show", "partnership:nissan-foxconn-oppama", "--json").exit_code == 0
