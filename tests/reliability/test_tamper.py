"""Tamper evidence (issues 5 and 14): changes made behind the ledger's back, with the database's own
credentials (triggers dropped or disabled first, as an owner could), are caught by `ledger verify`, on
both backends.

`verify` exits 5, prints one line naming the first bad position, and `--json` says the same. A history
rewritten with a freshly recomputed chain fails on the Merkle tree kept beside it; rewritten with a
recomputed chain *and* tree it is valid on its own: only what was saved earlier can tell — a head
(`verify --head HASH@POSITION`) or a signed checkpoint (`verify --checkpoint FILE --key VKEY`) — and
each does. The ledger then refuses to sign a new checkpoint over the rewritten log.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
import rfc8785
from support.factories import EVERY_TYPE
from support.runner import jsonl, ledger_cli, one_error_line

from ledger.transparency import merkle
from reliability.support import Probe, probe

EVENTS = len(EVERY_TYPE)  # 21: one of every type
TARGET = 9  # the position the attacker goes after
CHILD_TABLES = ("event_entities", "event_refs")


# -- the attacker's tools: plain SQL with the append-only triggers out of the way ------------------------
def _unguarded(p: Probe) -> None:
    """Triggers out of the way: SQLite's dropped; PostgreSQL's (the foreign keys' too) switched off for
    this session, as a superuser may."""
    if p.dialect == "sqlite":
        names = [r[0] for r in p.connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")]
        for name in names:
            p.connection.execute(f"DROP TRIGGER {name}")
    else:
        p.connection.execute("SET session_replication_role = replica")


def _run(p: Probe, *statements: str) -> None:
    for sql in statements:
        p.connection.execute(sql)


def _rows_from(p: Probe, position: int) -> list[tuple[Any, ...]]:
    return p.connection.execute(
        "SELECT position, id, type, occurred_at, recorded_at, body, prev_hash, hash FROM events "
        f"WHERE position >= {position} ORDER BY position"
    ).fetchall()


def _hash(
    position: int,
    event_id: str,
    event_type: str,
    occurred_at: str,
    recorded_at: str,
    body: str,
    prev_hash: str,
) -> str:
    """The event hash as the contract defines it, computed with rfc8785 and hashlib, not the ledger."""
    event = {"id": event_id, "type": event_type, "occurred_at": occurred_at, **json.loads(body)}
    event.update(position=position, recorded_at=recorded_at, prev_hash=prev_hash)
    return hashlib.sha256(rfc8785.dumps(event)).hexdigest()


def _rechain_from(p: Probe, position: int) -> None:
    """Recompute prev_hash and hash of every event from `position` on: a chain valid on its own."""
    prev = p.one(f"SELECT hash FROM events WHERE position = {position - 1}")
    for row in _rows_from(p, position):
        pos, event_id, event_type, occurred_at, recorded_at, body = row[:6]
        digest = _hash(pos, event_id, event_type, occurred_at, recorded_at, body, prev)
        p.connection.execute(
            f"UPDATE events SET prev_hash = '{prev}', hash = '{digest}' WHERE position = {pos}"
        )
        prev = digest


def _delete(p: Probe, where: str) -> None:
    for table in CHILD_TABLES:
        _run(p, f"DELETE FROM {table} WHERE {where}")
    _run(p, f"DELETE FROM events WHERE {where}")


def _move(p: Probe, source: int, target: int) -> None:
    """Give the event at `source` the position `target` (free), index rows included."""
    _run(
        p,
        f"UPDATE events SET position = {target} WHERE position = {source}",
        f"UPDATE event_entities SET position = {target} WHERE position = {source}",
        f"UPDATE event_refs SET position = {target} WHERE position = {source}",
        f"UPDATE event_refs SET ref_position = {target} WHERE ref_position = {source}",
    )


def change_payload_byte(p: Probe) -> None:
    _run(p, f"UPDATE events SET body = replace(body, 'Oppama', 'Oppamb') WHERE position = {TARGET}")


def change_occurred_at(p: Probe) -> None:
    _run(p, f"UPDATE events SET occurred_at = '2024-01-01' WHERE position = {TARGET}")


def change_recorded_at(p: Probe) -> None:
    _run(p, f"UPDATE events SET recorded_at = '2999-01-01T00:00:00.000000Z' WHERE position = {TARGET}")


def change_type(p: Probe) -> None:
    _run(p, f"UPDATE events SET type = 'mou.signed' WHERE position = {TARGET}")


def swap_two_events(p: Probe) -> None:
    _move(p, TARGET, -1)
    _move(p, TARGET + 1, TARGET)
    _move(p, -1, TARGET + 1)


def delete_a_row(p: Probe) -> None:
    _delete(p, f"position = {TARGET}")


def insert_a_forged_row(p: Probe) -> None:
    """Shift the tail up by one and put a forged event, hashed correctly onto its predecessor, in the gap."""
    for pos in range(EVENTS, TARGET - 1, -1):
        _move(p, pos, pos + 1)
    _pos, _id, event_type, occurred_at, recorded_at, body, _prev, _h = _rows_from(p, TARGET + 1)[0]
    forged_id = "00000000-0000-4000-8000-000000000009"
    prev = p.one(f"SELECT hash FROM events WHERE position = {TARGET - 1}")
    digest = _hash(TARGET, forged_id, event_type, occurred_at, recorded_at, body, prev)
    p.connection.execute(
        "INSERT INTO events (position, id, type, occurred_at, occurred_key, recorded_at, body, prev_hash, "
        "hash) "
        f"SELECT {TARGET}, '{forged_id}', type, occurred_at, occurred_key, recorded_at, body, '{prev}', "
        f"'{digest}' FROM events WHERE position = {TARGET + 1}"
    )


def truncate_the_tail(p: Probe) -> None:
    _delete(p, f"position >= {TARGET}")


def rebuild_the_tree(p: Probe) -> None:
    """Recompute the Merkle tree from the (rewritten) log, as anyone can, and put it in place of the old."""
    hashes = [bytes.fromhex(r[0]) for r in p.connection.execute("SELECT hash FROM events ORDER BY position")]
    _run(p, "DELETE FROM tree_nodes")
    mark = "?" if p.dialect == "sqlite" else "%s"
    for row in (r for r in merkle.Tree().extend(hashes) if r[1] > 0):  # leaves are the log's own hashes
        p.connection.execute(
            f"INSERT INTO tree_nodes (tree_size, level, hash) VALUES ({mark}, {mark}, {mark})", row
        )


CAUGHT_BY_VERIFY: dict[str, tuple[Callable[[Probe], None], int, str]] = {
    # what was done: (how, the first bad position verify must name, what it must say)
    "a payload byte": (change_payload_byte, TARGET, "hash does not match the event's content"),
    "occurred_at": (change_occurred_at, TARGET, "hash does not match the event's content"),
    "recorded_at": (change_recorded_at, TARGET, "hash does not match the event's content"),
    "the type": (change_type, TARGET, "hash does not match the event's content"),
    "two events swapped": (swap_two_events, TARGET, "prev_hash does not match the previous event's hash"),
    "a row deleted": (delete_a_row, TARGET, f"position {TARGET} is missing"),
    "a forged row inserted": (insert_a_forged_row, TARGET + 1, "prev_hash does not match"),
    "the tail truncated": (truncate_the_tail, TARGET, f"position {TARGET} is missing"),
}


@pytest.fixture
def held(db_url: str) -> str:
    """The ledger with one event of every type; returns its head as `HASH@POSITION`."""
    result = ledger_cli(db_url, "import", "-", input=jsonl(EVERY_TYPE))
    assert result.exit_code == 0, result.stderr
    with probe(db_url) as p:
        return f"{p.head_hash()}@{p.head_position()}"


@pytest.mark.parametrize("change", CAUGHT_BY_VERIFY, ids=CAUGHT_BY_VERIFY)
def test_verify_names_the_first_bad_position_of_any_change_behind_the_ledgers_back(db_url, held, change):
    how, first_bad, problem = CAUGHT_BY_VERIFY[change]
    assert ledger_cli(db_url, "verify").exit_code == 0
    with probe(db_url) as p:
        _unguarded(p)
        how(p)

    result = ledger_cli(db_url, "verify")
    report = ledger_cli(db_url, "verify", "--json")

    assert result.exit_code == 5
    line = one_error_line(result)
    assert line.startswith(f"error: integrity failure at position {first_bad}: "), line
    assert problem in line
    assert result.stdout == ""
    assert report.exit_code == 5
    parsed = json.loads(report.stdout)
    assert (parsed["ok"], parsed["first_bad_position"]) == (False, first_bad)


@pytest.fixture
def checkpoints(db_url: str, tmp_path) -> dict[int, str]:
    """The ledger with one event of every type, checkpoints signed at 15 events and at all 21 (as files),
    and the verifier key's file under key 0."""
    key = tmp_path / "log.key"
    vkey = tmp_path / "log.vkey"
    vkey.write_text(ledger_cli(db_url, "key", "generate", "example.com/log", "--out", str(key)).stdout)
    files = {0: str(vkey)}
    for upto in (15, EVENTS):
        assert ledger_cli(db_url, "import", "-", input=jsonl(EVERY_TYPE[:upto])).exit_code == 0
        path = tmp_path / f"checkpoint-{upto}.txt"
        path.write_text(ledger_cli(db_url, "checkpoint", "--sign", str(key)).stdout)
        files[upto] = str(path)
    return files


def test_a_recomputed_chain_fails_on_the_tree_and_with_the_tree_recomputed_on_what_was_saved(
    db_url, checkpoints, tmp_path
):
    with probe(db_url) as p:
        saved = {
            EVENTS: f"{p.head_hash()}@{EVENTS}",
            15: f"{p.one('SELECT hash FROM events WHERE position = 15')}@15",
        }
        _unguarded(p)
        change_payload_byte(p)
        _rechain_from(p, TARGET)

    alone = ledger_cli(db_url, "verify")  # the chain is valid on its own; the tree beside it is not
    assert alone.exit_code == 5
    assert one_error_line(alone) == (
        f"error: integrity failure at position {TARGET + 1}: the Merkle tree's node at level 1 completed at "
        f"position {TARGET + 1} does not match the log"
    )

    with probe(db_url) as p:
        _unguarded(p)
        rebuild_the_tree(p)
    assert ledger_cli(db_url, "verify").exit_code == 0  # chain and tree valid on their own: they cannot tell
    for size, head in saved.items():
        result = ledger_cli(db_url, "verify", "--head", head)
        assert result.exit_code == 5, head
        assert one_error_line(result).startswith(f"error: integrity failure at position {size}: ")
        assert "no longer holds head" in result.stderr
        result = ledger_cli(db_url, "verify", "--checkpoint", checkpoints[size], "--key", checkpoints[0])
        assert result.exit_code == 5, size
        assert one_error_line(result) == (
            "error: integrity failure: the ledger no longer holds the tree the checkpoint "
            f"example.com/log@{size} names: some of its first {size} events were rewritten or replaced"
        )
    refused = ledger_cli(db_url, "checkpoint", "--sign", str(tmp_path / "log.key"))
    assert refused.exit_code == 5
    assert "no checkpoint is signed over a rewritten log" in one_error_line(refused)
    assert refused.stdout == ""


def test_a_truncated_tail_with_its_tripwire_rewound_is_caught_by_a_saved_head_or_checkpoint(
    db_url, checkpoints
):
    with probe(db_url) as p:
        held = f"{p.head_hash()}@{p.head_position()}"
        _unguarded(p)
        truncate_the_tail(p)
        _run(p, f"DELETE FROM tree_nodes WHERE tree_size >= {TARGET}")
        _run(p, f"UPDATE projection_checkpoint SET position = {TARGET - 1}")

    assert ledger_cli(db_url, "verify").exit_code == 0  # a shorter chain (and tree) is a valid one
    result = ledger_cli(db_url, "verify", "--head", held)
    assert result.exit_code == 5
    assert one_error_line(result).startswith(f"error: integrity failure at position {EVENTS}: ")
    result = ledger_cli(db_url, "verify", "--checkpoint", checkpoints[15], "--key", checkpoints[0])
    assert result.exit_code == 5
    assert one_error_line(result) == (
        f"error: integrity failure at position {TARGET}: the checkpoint example.com/log@15 names 15 events; "
        f"the ledger holds {TARGET - 1}: events were removed"
    )


def test_the_owner_cannot_change_the_log_without_first_disabling_the_guard(db_url, held):
    """The triggers hold for whoever connects, the table's owner included: tampering takes a deliberate
    DROP/DISABLE TRIGGER first (and then `verify` catches the change, above)."""
    with probe(db_url) as p:
        for sql in (
            f"UPDATE events SET type = 'mou.signed' WHERE position = {TARGET}",
            f"DELETE FROM events WHERE position = {EVENTS}",
            f"DELETE FROM event_entities WHERE position = {TARGET}",
        ):
            with pytest.raises(Exception, match="append-only"):
                p.connection.execute(sql)
        assert f"{p.head_hash()}@{p.head_position()}" == held
    assert ledger_cli(db_url, "verify", "--head", held).exit_code == 0
