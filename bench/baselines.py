"""Baselines the ledger's figures are divided by, each run on the same corpus file.

(a) `stdlib_sqlite`: what a careful programmer writes with the standard library alone to do an import's
    essential work: parse each line, canonical JSON, SHA-256 chain, insert the event row and its
    entity-index rows, one transaction (WAL, file database).
(b) `pg_copy`: psycopg 3 `COPY` of the very same rows, precomputed, into PostgreSQL: the database's own
    bulk-load ceiling. Only the COPY and the commit are timed.
(c) `eventsourcing_baseline`: the `eventsourcing` library's SQLite and PostgreSQL application recorders
    storing the same events in batches, then reading them all back with decoding.

Each runs in its own process when called by `bench.run` (`python -m bench.baselines KIND ...`), and
prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eventsourcing.domain import DomainEvent

from ledger.vocabulary.registry import (
    entities_in,  # which `data` fields name entities (the same rule as the ledger)
)

GENESIS = "0" * 64
RECORDED_AT = "2025-07-07T00:00:00.000000Z"  # one store time per import, as the ledger assigns

# The same pragmas the ledger sets on its SQLite connections, so (a) measures code, not tuning.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA cache_size=-65536",
)
# The essential schema: events by position, a unique id (idempotent appends need it), and the entity
# index keyed by (entity, position). The ledger has more (type index, refs table, FKs, occurred_key).
SQLITE_SCHEMA = """
CREATE TABLE events (
    position INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
    occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL, body TEXT NOT NULL,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE event_entities (
    entity TEXT NOT NULL, position INTEGER NOT NULL, PRIMARY KEY (entity, position)) WITHOUT ROWID;
"""
PG_SCHEMA = """
CREATE TABLE events (
    position BIGINT PRIMARY KEY, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
    occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL, body TEXT NOT NULL,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE event_entities (
    entity TEXT NOT NULL, position BIGINT NOT NULL, PRIMARY KEY (entity, position));
"""
# Events per eventsourcing insert_events call: the fastest sizes measured. Bigger SQLite batches save
# fsyncs; on PostgreSQL the recorder's pipeline-mode insert hung (server waiting on the client) at 10,000
# with eventsourcing 9.5.6 + psycopg 3.3.9, and 1,000-5,000 measured alike.
ES_BATCH = {"sqlite": 10_000, "postgresql": 2_000}
EVENT_INSERT = "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
INDEX_INSERT = "INSERT INTO event_entities VALUES (?, ?)"


def _result(name: str, events: int, seconds: float, **extra: Any) -> dict[str, Any]:
    return {"name": name, "events": events, "seconds": seconds, "rate": events / seconds, **extra}


# -- (a) stdlib sqlite3 ----------------------------------------------------------------------------------
def stdlib_sqlite(corpus: Path, workdir: Path, chunk: int = 2000) -> dict[str, Any]:
    """Baseline (a): json + hashlib + sqlite3, executemany in chunks, one transaction."""
    db = workdir / "baseline_a.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    con = sqlite3.connect(db, isolation_level=None)
    for pragma in SQLITE_PRAGMAS:
        con.execute(pragma)
    con.executescript(SQLITE_SCHEMA)

    loads, dumps, sha256 = json.loads, json.dumps, hashlib.sha256
    started = time.perf_counter()
    con.execute("BEGIN IMMEDIATE")
    prev, position = GENESIS, 0
    events: list[tuple[Any, ...]] = []
    index: list[tuple[str, int]] = []
    with corpus.open("rb") as lines:
        for line in lines:
            event = loads(line)
            position += 1
            event["position"] = position
            event["recorded_at"] = RECORDED_AT
            event["prev_hash"] = prev
            body = dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            digest = sha256(body.encode()).hexdigest()
            events.append(
                (position, event["id"], event["type"], event["occurred_at"], RECORDED_AT, body, prev, digest)
            )
            for entity in entities_in(event["type"], event["data"]):
                index.append((entity, position))
            prev = digest
            if len(events) >= chunk:
                con.executemany(EVENT_INSERT, events)
                con.executemany(INDEX_INSERT, index)
                events.clear()
                index.clear()
    con.executemany(EVENT_INSERT, events)
    con.executemany(INDEX_INSERT, index)
    con.execute("COMMIT")
    seconds = time.perf_counter() - started
    con.close()
    return _result(
        "stdlib sqlite3",
        position,
        seconds,
        head=prev,
        method=f"json.loads + json.dumps(sort_keys) + sha256 chain + executemany every {chunk} events, "
        "one transaction, WAL, synchronous=FULL, 64 MiB cache",
    )


# -- (b) PostgreSQL COPY -----------------------------------------------------------------------------------
def _copy_text(value: str) -> str:
    """Escape a value for COPY's text format."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def prepare_copy_files(corpus: Path, workdir: Path) -> tuple[Path, Path, int]:
    """The rows of (a), hashed and serialised once, as COPY text files (not timed)."""
    events_file, index_file = workdir / "copy_events.tsv", workdir / "copy_index.tsv"
    prev, position = GENESIS, 0
    with (
        corpus.open("rb") as lines,
        events_file.open("w", encoding="utf-8", buffering=1 << 20) as ev,
        index_file.open("w", encoding="utf-8", buffering=1 << 20) as ix,
    ):
        for line in lines:
            event = json.loads(line)
            position += 1
            event["position"] = position
            event["recorded_at"] = RECORDED_AT
            event["prev_hash"] = prev
            body = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            digest = hashlib.sha256(body.encode()).hexdigest()
            fields = (event["id"], event["type"], event["occurred_at"], RECORDED_AT, body, prev, digest)
            ev.write(f"{position}\t" + "\t".join(_copy_text(f) for f in fields) + "\n")
            for entity in entities_in(event["type"], event["data"]):
                ix.write(f"{_copy_text(entity)}\t{position}\n")
            prev = digest
    return events_file, index_file, position


def pg_copy(corpus: Path, workdir: Path, dbname: str) -> dict[str, Any]:
    """Baseline (b): COPY the precomputed event and index rows in one transaction; time COPY + commit."""
    import psycopg

    from bench.pg import conninfo, scratch_db

    events_file, index_file, count = prepare_copy_files(corpus, workdir)
    with scratch_db(dbname), psycopg.connect(conninfo(dbname)) as conn:
        conn.execute(PG_SCHEMA)
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cur:
            for table, path in (("events", events_file), ("event_entities", index_file)):
                with cur.copy(f"COPY {table} FROM STDIN") as copy, path.open("rb") as rows:
                    while block := rows.read(1 << 20):
                        copy.write(block)
        conn.commit()
        seconds = time.perf_counter() - started
        stored = conn.execute("SELECT count(*) FROM events").fetchone()
    events_file.unlink()
    index_file.unlink()
    assert stored is not None and stored[0] == count, f"COPY stored {stored} of {count} rows"
    return _result(
        "psycopg COPY",
        count,
        seconds,
        method="rows precomputed (parse, canonical JSON, sha256 chain) and not timed; timed: COPY of "
        "events and index rows in 1 MiB text blocks + commit, one transaction, primary keys and the "
        "unique id index in place",
    )


# -- (c) the eventsourcing library -------------------------------------------------------------------------
class CorporateActionRecorded(DomainEvent):
    """One corpus event as an eventsourcing domain event (the metaclass makes it a frozen dataclass)."""

    event_id: str
    type: str
    occurred_at: str
    data: dict[str, Any]
    sources: list[dict[str, Any]]
    refs: list[str]
    note: str | None


def _domain_events(corpus: Path, batch: int) -> Iterator[list[Any]]:
    """The corpus as domain events in batches; one aggregate (stream) per entity, so an entity's events
    are versions 1, 2, 3... of its stream; statements and corrections join their first ref's stream."""
    cls = CorporateActionRecorded
    namespace = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")
    stream_of: dict[str, uuid.UUID] = {}
    versions: dict[uuid.UUID, int] = {}
    streams: dict[str, uuid.UUID] = {}
    timestamp = datetime.now(UTC)
    out: list[Any] = []
    with corpus.open("rb") as lines:
        for line in lines:
            event = json.loads(line)
            entities = entities_in(event["type"], event["data"])
            if event["refs"]:
                originator = stream_of[event["refs"][0]]
            else:
                key = entities[0] if entities else event["id"]
                originator = streams.get(key) or streams.setdefault(key, uuid.uuid5(namespace, key))
            stream_of[event["id"]] = originator
            version = versions[originator] = versions.get(originator, 0) + 1
            out.append(
                cls(
                    originator_id=originator,
                    originator_version=version,
                    timestamp=timestamp,
                    event_id=event["id"],
                    type=event["type"],
                    occurred_at=event["occurred_at"],
                    data=event["data"],
                    sources=event["sources"],
                    refs=event["refs"],
                    note=event.get("note"),
                )
            )
            if len(out) >= batch:
                yield out
                out = []
    if out:
        yield out


def _mapper() -> Any:
    """The mapper an eventsourcing Application builds by default: JSON transcoder, no cipher or compressor."""
    from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, Mapper, UUIDAsHex

    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder)


def eventsourcing_baseline(
    corpus: Path, backend: str, workdir: Path, dbname: str, batch: int | None = None, page: int = 10_000
) -> dict[str, Any]:
    """Baseline (c): save ev/s (mapper.to_stored_event + recorder.insert_events per batch) and replay ev/s
    (recorder.select_notifications page by page + mapper.to_domain_event), on SQLite or PostgreSQL."""
    from contextlib import ExitStack

    batch = batch or ES_BATCH[backend]
    mapper = _mapper()
    with ExitStack() as stack:
        if backend == "sqlite":
            from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

            db = workdir / "baseline_es.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            datastore: Any = SQLiteDatastore(db_name=str(db))
            recorder: Any = SQLiteApplicationRecorder(datastore)
        else:
            from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

            from bench.pg import PG_HOST, PG_PORT, PG_USER, scratch_db

            stack.enter_context(scratch_db(dbname))
            datastore = PostgresDatastore(dbname, PG_HOST, PG_PORT, PG_USER, "")
            recorder = PostgresApplicationRecorder(datastore)
        stack.callback(datastore.close)
        recorder.create_table()

        to_stored = mapper.to_stored_event
        saved, save_seconds = 0, 0.0
        for events in _domain_events(corpus, batch):
            started = time.perf_counter()
            recorder.insert_events([to_stored(e) for e in events])
            save_seconds += time.perf_counter() - started
            saved += len(events)

        to_domain = mapper.to_domain_event
        read, start = 0, 1
        started = time.perf_counter()
        while True:
            notifications = recorder.select_notifications(start, page)
            for notification in notifications:
                to_domain(notification)
            read += len(notifications)
            if len(notifications) < page:
                break
            start = notifications[-1].id + 1
        replay_seconds = time.perf_counter() - started
    assert read == saved, f"read back {read} of {saved} events"
    return {
        "name": f"eventsourcing {backend}",
        "events": saved,
        "save_seconds": save_seconds,
        "save_rate": saved / save_seconds,
        "replay_seconds": replay_seconds,
        "replay_rate": read / replay_seconds,
        "method": f"{type(recorder).__name__}.insert_events of StoredEvents from mapper.to_stored_event, "
        f"{batch} events per call (one transaction each); domain events built untimed (one stream per "
        f"entity); replay: select_notifications pages of {page} + mapper.to_domain_event",
    }


# -- the command a harness process runs ---------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.baselines", description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("sqlite", "copy", "es-sqlite", "es-postgresql"))
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--dbname", default="bench_baseline", help="PostgreSQL database to create and drop")
    parser.add_argument(
        "--batch", type=int, help="eventsourcing: events per insert_events (default: per backend, ES_BATCH)"
    )
    parser.add_argument("--page", type=int, default=10_000, help="eventsourcing: notifications per select")
    args = parser.parse_args(argv)
    if args.kind == "sqlite":
        result = stdlib_sqlite(args.corpus, args.workdir)
    elif args.kind == "copy":
        result = pg_copy(args.corpus, args.workdir, args.dbname)
    else:
        backend = args.kind.split("-", 1)[1]
        result = eventsourcing_baseline(
            args.corpus, backend, args.workdir, args.dbname, batch=args.batch, page=args.page
        )
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    # Run as `python -m bench.baselines`: use the importable module, so event topics resolve by name.
    from bench.baselines import main as _main

    _main()
