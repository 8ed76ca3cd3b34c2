"""Helpers for the crash and concurrency tests: the real `ledger` process, a raw probe of the database,
and the worker processes of the concurrent-load test (`python -m reliability.support WORKER ...`).

The probe reads the tables with plain SQL, outside the library, so what it reports does not depend on
the code under test.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SOAK = os.environ.get("LEDGER_SOAK", "") not in ("", "0")
soak_only = pytest.mark.skipif(not SOAK, reason="heavy variant: runs only with LEDGER_SOAK=1")

TESTS_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = TESTS_DIR.parent
_SCRIPT = Path(sys.executable).parent / "ledger"
# The installed console script, as a user runs it; `python -m ledger` where it is not installed.
LEDGER: list[str] = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "ledger"]
READER_PAUSE_S = 0.05  # between an API reader's rounds, so that two cores are not all readers'
FAR_FUTURE = "9999-12-31"  # `--known-at` this: the state folded from the log, not read from the tables


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for child processes: the repo and tests/ importable, no colour, no debug."""
    env = {k: v for k, v in os.environ.items() if k not in ("LEDGER_DB", "LEDGER_DEBUG")}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(TESTS_DIR), str(REPO_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    env["NO_COLOR"] = "1"
    env.update(extra)
    return env


def run_ledger(url: str, *args: str, timeout: float = 600, **env: str) -> subprocess.CompletedProcess:
    """`ledger --db URL ARGS...` as a separate process, to completion."""
    return subprocess.run(
        [*LEDGER, "--db", url, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO_ROOT,
        env=subprocess_env(**env),
    )


def start_ledger(url: str, *args: str, output: bool = False, **env: str) -> subprocess.Popen:
    """`ledger --db URL ARGS...` started in the background; its stdout kept only with `output`."""
    return subprocess.Popen(
        [*LEDGER, "--db", url, *args],
        stdout=subprocess.PIPE if output else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
        env=subprocess_env(**env),
        start_new_session=True,  # its own process group: what it started can be found after a kill
    )


def kill_and_reap(proc: subprocess.Popen, timeout: float = 10) -> None:
    """SIGKILL a `start_ledger` process, as a power cut would, and check that nothing it started
    (the rebuild's fold workers, say) outlives it for more than `timeout` seconds."""
    proc.kill()
    proc.wait()
    if proc.stderr:
        proc.stderr.close()
    deadline = time.monotonic() + timeout
    while True:
        try:
            os.killpg(proc.pid, 0)  # is any process of its group left?
        except ProcessLookupError:
            return
        if time.monotonic() > deadline:
            os.killpg(proc.pid, 9)
            raise AssertionError(f"processes started by the killed `ledger` outlived it by {timeout} s")
        time.sleep(0.02)


@dataclass(frozen=True)
class Kill:
    finished: bool  # the process had exited before the kill
    in_transaction: bool  # it held the write lock when killed
    at_s: float  # seconds after `started`


def kill_at(p: Probe, proc: subprocess.Popen, started: float, aim: float) -> Kill:
    """SIGKILL `proc` `aim` seconds after `started` and wait until the database has seen it go."""
    sleep_until(started + aim)
    finished = proc.poll() is not None
    in_transaction = not finished and p.writer_active()
    kill_and_reap(proc)
    killed_at = time.monotonic() - started
    p.settle()
    return Kill(finished, in_transaction, killed_at)


def errors_in(stderr: str) -> str:
    """What a command printed on stderr besides its warnings (valid events it stored all the same)."""
    return "".join(line for line in stderr.splitlines(keepends=True) if not line.startswith("warning: "))


def start_worker(*args: str) -> subprocess.Popen:
    """One of the workers below, as its own process."""
    return subprocess.Popen(
        [sys.executable, "-m", "reliability.support", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
        env=subprocess_env(),
    )


def sleep_until(moment: float) -> None:
    remaining = moment - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)


# -- a raw look at the database -------------------------------------------------------------------------
class Probe:
    """Plain SQL on the ledger's tables, one autocommit connection: every query sees the latest commit."""

    def __init__(self, url: str) -> None:
        self.url = url
        scheme, _, rest = url.partition("://")
        self.dialect = "sqlite" if scheme.startswith("sqlite") else "postgresql"
        if self.dialect == "sqlite":
            self.connection: Any = sqlite3.connect(rest[1:], isolation_level=None, timeout=60)
        else:
            import psycopg

            self.connection = psycopg.connect("postgresql://" + rest, autocommit=True, connect_timeout=10)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Probe:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def one(self, sql: str) -> Any:
        row = self.connection.execute(sql).fetchone()
        return row[0] if row else None

    def head_position(self) -> int:
        return int(self.one("SELECT COALESCE(MAX(position), 0) FROM events"))

    def count(self) -> int:
        return int(self.one("SELECT COUNT(*) FROM events"))

    def head_hash(self) -> str | None:
        return self.one("SELECT hash FROM events ORDER BY position DESC LIMIT 1")

    def checkpoint(self) -> int:
        return int(self.one("SELECT COALESCE(MAX(position), 0) FROM projection_checkpoint") or 0)

    def writer_active(self) -> bool:
        """Whether another connection holds the ledger's write lock right now (inside a write
        transaction). SQLite: a BEGIN IMMEDIATE that may not wait; PostgreSQL: pg_locks."""
        if self.dialect == "postgresql":
            return bool(
                self.one(
                    "SELECT COUNT(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
                    "WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database() "
                    "AND l.pid <> pg_backend_pid()"
                )
            )
        self.connection.execute("PRAGMA busy_timeout = 0")
        try:
            self.connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        finally:
            self.connection.execute("PRAGMA busy_timeout = 60000")
        self.connection.execute("ROLLBACK")
        return False

    def state(self) -> tuple[int, str | None, int]:
        """(events, head hash, projection checkpoint)."""
        return self.count(), self.head_hash(), self.checkpoint()

    def settle(self, timeout: float = 60) -> None:
        """Wait until no other client is connected (PostgreSQL): a killed client's server session ends
        (and rolls back, or finishes a COMMIT it already sent) a moment after the client dies."""
        if self.dialect != "postgresql":
            return
        deadline = time.monotonic() + timeout
        while self.one(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        ):
            if time.monotonic() > deadline:
                raise AssertionError(f"a killed client's session on {self.url} did not end in {timeout} s")
            time.sleep(0.02)


@contextmanager
def probe(url: str) -> Iterator[Probe]:
    p = Probe(url)
    try:
        yield p
    finally:
        p.close()


# -- what a user sees -----------------------------------------------------------------------------------
def assert_show_matches_log(url: str, known: dict[str, bool]) -> dict[str, str]:
    """`show` (read from the projection tables) says exactly what the log says: the same document as
    the state folded from the entity's events (`--known-at` far future reads no table), or, for an
    entity no event names, exit 1 with one error line. Returns what `show` printed."""
    from support.runner import ledger_cli, one_error_line

    shown = {}
    for entity, named in known.items():
        from_tables = ledger_cli(url, "show", entity, "--json")
        from_log = ledger_cli(url, "show", entity, "--known-at", FAR_FUTURE, "--json")
        assert (from_tables.exit_code, from_tables.stdout) == (from_log.exit_code, from_log.stdout), (
            f"`show {entity}` differs from the log: {from_tables.stdout[:300]!r} {from_tables.stderr!r}"
        )
        if named:
            assert from_tables.exit_code == 0, from_tables.stderr
            assert json.loads(from_tables.stdout)["id"] == entity
        else:
            assert from_tables.exit_code == 1
            assert f"no event names {entity}" in one_error_line(from_tables)
        shown[entity] = from_tables.stdout
    return shown


def assert_rebuild_check_ok(url: str) -> None:
    """`ledger rebuild --check` exits 0: every projection table equals a rebuild from the log."""
    from support.runner import ledger_cli

    result = ledger_cli(url, "rebuild", "--check")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("projections match a rebuild of"), result.stdout


def assert_verify_ok(url: str, events: int) -> None:
    """`ledger verify --json` exits 0 and counts `events`."""
    from support.runner import ledger_cli

    result = ledger_cli(url, "verify", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["events"] == events, report


# -- timing a whole import ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportTiming:
    """How long `ledger import` of the corpus takes on a backend: until its events are committed (the
    first transaction) and until it exits (after catching the projections up in the second)."""

    commit_s: float
    total_s: float

    @property
    def catch_up_s(self) -> float:
        return max(self.total_s - self.commit_s, 0.05)


def timed_import(url: str, path: Path, expected_head: int) -> ImportTiming:
    started = time.monotonic()
    proc = start_ledger(url, "import", str(path))
    commit = None
    with probe(url) as p:
        while proc.poll() is None:
            if commit is None and p.head_position() >= expected_head:
                commit = time.monotonic() - started
            time.sleep(0.01)
    total = time.monotonic() - started
    stderr = proc.stderr.read() if proc.stderr else ""
    assert proc.returncode == 0, stderr
    return ImportTiming(commit if commit is not None else total, total)


# -- events the appenders write -------------------------------------------------------------------------
PRESS = {"name": "Nikkei", "kind": "press"}
APPEND_COMPANY = (  # `ledger append` of one valid event, as the command-line tests type it
    "append",
    "company.registered",
    "--data",
    '{"company": "company:acme", "name": "Acme"}',
    "--occurred-at",
    "2025-07-07",
    "--source",
    "Nikkei:press",
)


def prefix_events() -> list[dict[str, Any]]:
    """A few events a ledger holds before the load or the crash (fixed content, fresh ids)."""
    return [
        {
            "id": str(uuid.uuid4()),
            "type": "company.registered",
            "occurred_at": "2025-07-01",
            "data": {"company": "company:nissan", "name": "Nissan"},
            "sources": [PRESS],
        },
        {
            "id": str(uuid.uuid4()),
            "type": "company.registered",
            "occurred_at": "2025-07-01",
            "data": {"company": "company:foxconn", "name": "Foxconn"},
            "sources": [PRESS],
        },
        {
            "id": str(uuid.uuid4()),
            "type": "plant.registered",
            "occurred_at": "2025-07-01",
            "data": {
                "plant": "plant:nissan-oppama",
                "name": "Oppama",
                "operator": "company:nissan",
                "location": {"city": "Yokosuka", "country": "Japan"},
            },
            "sources": [PRESS],
        },
    ]


PREFIX_ENTITIES = ("company:nissan", "plant:nissan-oppama")


def seed_prefix(url: str) -> int:
    """Store `prefix_events()` in the ledger at `url` (before a load, a crash or a lock); returns their
    number."""
    import ledger

    events = prefix_events()
    with ledger.open(url) as lg:
        lg.append_many(events)
    return len(events)


def worker_event(rng: random.Random, tag: str, i: int, claims: Sequence[str]) -> dict[str, Any]:
    """One event of an appender: talks between companies of its own (now and then with Nissan), a
    claim on the shared plant, or a statement on one of its own earlier claims."""
    companies = [f"company:{tag}-{c}" for c in "abcdef"]
    r = rng.random()
    event: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "occurred_at": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
        "sources": [PRESS],
        "refs": [],
    }
    if claims and r < 0.3:
        stance = rng.choice(["confirmed", "denied", "unconfirmed", "no_comment"])
        event.update(type=f"report.{stance}", data={"by": rng.choice(companies)}, refs=[rng.choice(claims)])
    elif r < 0.4:
        event.update(
            type="plant.closure_considered",
            data={"plant": "plant:nissan-oppama", "company": "company:nissan"},
        )
    else:
        parties = rng.sample(companies, 2)
        if rng.random() < 0.1:
            parties[0] = "company:nissan"
        event.update(
            type="talks.reported",
            data={
                "partnership": f"partnership:{tag}-{i % 25}",
                "parties": parties,
                "scope": f"talks {i} of {tag}",
            },
        )
    return event


# -- worker processes -----------------------------------------------------------------------------------
def _append_api(url: str, n: int, out: str, seed: int) -> None:
    import ledger

    rng = random.Random(seed)
    done: list[list[Any]] = []
    errors: list[str] = []
    claims: list[str] = []
    with ledger.open(url) as lg:
        for i in range(n):
            event = worker_event(rng, f"api{seed}", i, claims)
            try:
                appended = lg.append(event)
            except Exception as e:  # every failure is a finding: the test asserts there are none
                errors.append(f"{type(e).__name__}: {e}")
                continue
            done.append([appended.id, appended.position])
            if not event["type"].startswith("report."):
                claims.append(appended.id)
    Path(out).write_text(json.dumps({"appended": done, "errors": errors}))


def _append_cli(url: str, n: int, out: str, seed: int) -> None:
    rng = random.Random(seed)
    done: list[list[Any]] = []
    errors: list[str] = []
    claims: list[str] = []
    for i in range(n):
        event = worker_event(rng, f"cli{seed}", i, claims)
        args = [event["type"], "--data", json.dumps(event["data"]), "--occurred-at", event["occurred_at"]]
        args += ["--source", "Nikkei:press", "--id", event["id"]]
        for ref in event["refs"]:
            args += ["--ref", ref]
        result = run_ledger(url, "append", *args, timeout=300)
        if result.returncode != 0 or errors_in(result.stderr):
            errors.append(f"exit {result.returncode}: {result.stderr.strip()}")
            continue
        position, event_id = result.stdout.split()
        done.append([event_id, int(position)])
        if not event["type"].startswith("report."):
            claims.append(event_id)
    Path(out).write_text(json.dumps({"appended": done, "errors": errors}))


def _read(mode: str, url: str, stop: str, out: str) -> None:
    """Query until `stop` exists: verify, show, history (and on the CLI, rebuild --check)."""
    calls = 0
    errors: list[str] = []
    verified: list[list[Any]] = []  # [events, head hash] as each verify saw them
    deadline = time.monotonic() + 900
    if mode == "api":
        import ledger

        with ledger.open(url) as lg:
            while not Path(stop).exists() and time.monotonic() < deadline:
                try:
                    report = lg.verify()
                    if not report.ok:
                        errors.append(f"verify: {report.problem} at {report.first_bad_position}")
                    verified.append([report.events, report.head_hash])
                    for entity in PREFIX_ENTITIES:
                        assert lg.show(entity)["id"] == entity
                        assert lg.history(entity)
                except Exception as e:
                    errors.append(f"{type(e).__name__}: {e}")
                calls += 5
                Path(out + ".ready").touch()
                time.sleep(READER_PAUSE_S)
    else:
        commands = [
            ("verify", "--json"),
            ("show", PREFIX_ENTITIES[1], "--json"),
            ("history", PREFIX_ENTITIES[0], "--json"),
            ("rebuild", "--check"),
        ]
        while not Path(stop).exists() and time.monotonic() < deadline:
            args = commands[calls % len(commands)]
            result = run_ledger(url, *args, timeout=300)
            calls += 1
            if result.returncode != 0 or errors_in(result.stderr):
                errors.append(f"{' '.join(args)}: exit {result.returncode}: {result.stderr.strip()}")
            elif args[0] == "verify":
                report = json.loads(result.stdout)
                if not report["ok"]:
                    errors.append(f"verify: {report}")
                verified.append([report["events"], report["head_hash"]])
            Path(out + ".ready").touch()
    Path(out).write_text(json.dumps({"calls": calls, "errors": errors, "verified": verified}))


def main(argv: list[str]) -> None:
    worker, *args = argv
    if worker == "append-api":
        url, n, out, seed = args
        _append_api(url, int(n), out, int(seed))
    elif worker == "append-cli":
        url, n, out, seed = args
        _append_cli(url, int(n), out, int(seed))
    elif worker in ("read-api", "read-cli"):
        url, stop, out = args
        _read(worker.removeprefix("read-"), url, stop, out)
    else:
        raise SystemExit(f"unknown worker {worker}")


if __name__ == "__main__":
    main(sys.argv[1:])
