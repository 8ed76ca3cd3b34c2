"""An import whose events committed never reports a failure (issue 13, item 1).

`import` commits its events, then brings the projections up to date in a second transaction. When that
second step fails — a full disk, the server going away, Ctrl-C — the command says what is true: the events
are stored (the summary on stdout, as for any import), the projections are behind, and how to finish; exit
6. Importing the same file again adds nothing, id-less events included: an import gives an event without
an id the id its content names.

The faults are real ones, injected at the moment the catch-up starts: SQLite's page limit reached (what a
full disk gives), the PostgreSQL session terminated by the server.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator

import pytest
from support.databases import pg_connect
from support.factories import EVERY_TYPE
from support.runner import jsonl, ledger_cli, one_error_line, state

from ledger.read_model import sync
from reliability.cluster import throwaway_cluster
from reliability.support import (
    assert_verify_ok,
    errors_in,
    probe,
    run_ledger,
    soak_only,
    start_ledger,
)

# Id-less events, enough of them that their projections need pages the database does not have yet.
ID_LESS = [
    {
        "type": "company.registered",
        "occurred_at": "2025-07-01",
        "data": {"company": f"company:maker-{i}", "name": f"Maker {i} Motor Company", "country": "Japan"},
        "sources": [{"name": "Nikkei", "kind": "press"}],
    }
    for i in range(60)
]
SUMMARY = re.compile(
    rf"imported {len(ID_LESS)} events \(0 already present\) of {len(ID_LESS)} read; head \w+@{len(ID_LESS)}\n"
)
BEHIND = (
    "error: the events are stored (do not import them again), but the projections could not be brought up to "
    "date: {cause}; run `ledger rebuild`, or any query, to finish"
)


def _disk_full(tx) -> None:
    """SQLite stops growing the file, as on a full disk: the next page it needs fails SQLITE_FULL."""
    pages = tx.connection.execute("PRAGMA page_count").fetchone()[0]
    tx.connection.execute(f"PRAGMA max_page_count = {pages}")


def _server_gone(tx) -> None:
    """The server ends the session, as a restart does."""
    with pg_connect() as admin:
        pid = tx.connection.execute("SELECT pg_backend_pid()").fetchone()[0]
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


@pytest.fixture
def failing_catch_up(monkeypatch, backend) -> Iterator[Callable[[], None]]:
    """From the moment it is armed, the next catch-up meets the backend's real fault."""
    original = sync.catch_up
    armed = []

    def catch_up(tx, *args, **kwargs):
        if armed:
            armed.clear()
            (_disk_full if backend == "sqlite" else _server_gone)(tx)
        return original(tx, *args, **kwargs)

    monkeypatch.setattr(sync, "catch_up", catch_up)
    yield lambda: armed.append(True)


def test_an_import_whose_catch_up_fails_says_its_events_are_stored_and_a_retry_adds_nothing(
    db_url, failing_catch_up, backend
):
    failing_catch_up()
    result = ledger_cli(db_url, "import", "-", input=jsonl(ID_LESS))

    assert result.exit_code == 6, result.stderr
    assert SUMMARY.fullmatch(result.stdout), result.stdout
    cause = "database or disk is full" if backend == "sqlite" else "terminat"
    line = one_error_line(result)
    assert line.startswith(BEHIND.split("{cause}")[0]) and line.endswith(BEHIND.split("{cause}")[1]), line
    assert cause in line
    assert state(db_url)[0] == len(ID_LESS)

    again = ledger_cli(db_url, "import", "-", input=jsonl(ID_LESS))  # the natural retry
    assert again.exit_code == 0, again.stderr
    assert again.stdout.startswith(f"imported 0 events ({len(ID_LESS)} already present)")
    assert state(db_url)[0] == len(ID_LESS)
    assert (
        json.loads(ledger_cli(db_url, "show", "company:maker-7", "--json").stdout)["name"]
        == "Maker 7 Motor Company"
    )
    assert ledger_cli(db_url, "rebuild", "--check").exit_code == 0
    assert ledger_cli(db_url, "verify").exit_code == 0


def test_json_says_the_projections_are_behind(db_url, failing_catch_up):
    failing_catch_up()
    result = ledger_cli(db_url, "import", "-", "--json", input=jsonl(ID_LESS))

    assert result.exit_code == 6
    summary = json.loads(result.stdout)
    assert (summary["appended"], summary["projections_current"]) == (len(ID_LESS), False)


def test_an_import_interrupted_while_catching_up_says_its_events_are_stored(db_url, monkeypatch):
    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sync, "catch_up", interrupted)
    result = ledger_cli(db_url, "import", "-", input=jsonl(ID_LESS))

    assert result.exit_code == 6
    assert one_error_line(result) == BEHIND.format(cause="interrupted")
    assert state(db_url)[0] == len(ID_LESS)


def test_the_same_id_less_events_imported_twice_are_stored_once(db_url):
    first = ledger_cli(db_url, "import", "-", input=jsonl(ID_LESS))
    second = ledger_cli(db_url, "import", "-", input=jsonl(ID_LESS + ID_LESS))

    assert first.exit_code == second.exit_code == 0
    assert second.stdout.startswith(f"imported 0 events ({2 * len(ID_LESS)} already present)")
    assert state(db_url)[0] == len(ID_LESS)


def test_an_append_reports_what_it_committed_without_reading_after_the_commit(db_url, monkeypatch):
    """An idempotent re-append reports the stored event from inside its own transaction: no read after
    the commit can turn it into a failure."""
    from contextlib import contextmanager

    from ledger.store.connection import EventStore

    event = EVERY_TYPE[0]
    assert ledger_cli(db_url, "append", "--file", "-", input=json.dumps(event)).exit_code == 0
    writing, reading, committed = EventStore.writing, EventStore.reading, []

    @contextmanager
    def watched_writing(self):
        with writing(self) as tx:
            yield tx
        committed.append(True)

    def checked_reading(self, **kwargs):
        assert not committed, "a read transaction after the append's commit"
        return reading(self, **kwargs)

    monkeypatch.setattr(EventStore, "writing", watched_writing)
    monkeypatch.setattr(EventStore, "reading", checked_reading)
    again = ledger_cli(db_url, "append", "--file", "-", input=json.dumps(event))

    assert again.exit_code == 0, again.stderr
    assert again.stdout == f"1\t{event['id']}\n"


# -- the probe as it was reported: a PostgreSQL restart while a 20,000-event import catches up -----------
def _id_less_corpus(path, n: int) -> None:
    """`n` id-less claims: companies, then talks between consecutive ones."""
    half = n // 2
    companies = [
        {**ID_LESS[0], "data": {"company": f"company:maker-{i}", "name": f"Maker {i}"}} for i in range(half)
    ]
    talks = [
        {
            "type": "talks.reported",
            "occurred_at": "2025-07-02",
            "data": {
                "partnership": f"partnership:maker-{i}-deal",
                "parties": [f"company:maker-{i}", f"company:maker-{(i + 1) % half}"],
                "scope": f"deal {i}",
            },
            "sources": [{"name": "Nikkei", "kind": "press"}],
        }
        for i in range(half)
    ]
    path.write_text(jsonl(companies + talks))


@soak_only
def test_a_postgresql_restart_while_an_import_catches_up_is_reported_truthfully(tmp_path, record_trial):
    n = 20_000
    corpus = tmp_path / "id-less.jsonl"
    _id_less_corpus(corpus, n)
    with throwaway_cluster() as cluster:
        assert ledger_cli(cluster.url, "init").exit_code == 0
        started = time.monotonic()
        proc = start_ledger(cluster.url, "import", str(corpus), output=True)
        with probe(cluster.url) as p:
            while p.head_position() < n and proc.poll() is None:
                time.sleep(0.01)
        committed = time.monotonic() - started
        cluster.restart()
        stdout, stderr = proc.communicate(timeout=300)
        trial = record_trial(
            kind="pg-restart", backend="postgresql", events=n, restarted_at_s=round(committed, 2)
        )

        assert proc.returncode == 6, stderr
        assert stdout.startswith(f"imported {n} events (0 already present) of {n} read; head ")
        assert errors_in(stderr).startswith(BEHIND.split("{cause}")[0]), stderr
        retry = run_ledger(cluster.url, "import", str(corpus))
        assert retry.returncode == 0, retry.stderr
        assert retry.stdout.startswith(f"imported 0 events ({n} already present)")
        assert state(cluster.url)[0] == n
        assert_verify_ok(cluster.url, n)
        trial.update(exit=proc.returncode, retry_appended=0)
