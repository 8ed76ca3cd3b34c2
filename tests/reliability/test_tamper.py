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
from support.guards import unguarded
from support.runner import jsonl, ledger_cli, one_error_line

from ledger.transparency import merkle
from reliability.support import Probe, probe

EVENTS = len(EVERY_TYPE)  # 21: one of every type
TARGET = 9  # the position the attacker goes after
CHILD_TABLES = ("event_entities", "event_refs", "event_names", "group_index")  # rows by the event's position


# -- the attacker's tools: plain SQL with the append-only triggers out of the way (support.guards), put
# back afterwards, so that `verify` finds every guard in place and only the data can give the change away --
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
    _run(p, f"DELETE FROM index_changes WHERE at_position >= {TARGET}")


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
    with probe(db_url) as p, unguarded(p):
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
    with probe(db_url) as p, unguarded(p):
        change_payload_byte(p)
        _rechain_from(p, TARGET)

    alone = ledger_cli(db_url, "verify")  # the chain is valid on its own; the tree beside it is not
    assert alone.exit_code == 5
    assert one_error_line(alone) == (
        f"error: integrity failure at position {TARGET + 1}: the Merkle tree's node at level 1 completed at "
        f"position {TARGET + 1} does not match the log"
    )

    with probe(db_url) as p, unguarded(p):
        rebuild_the_tree(p)
    # Chain and tree valid on their own; the record of the checkpoints the ledger issued is not.
    issued = ledger_cli(db_url, "verify")
    assert issued.exit_code == 5
    assert one_error_line(issued) == (
        "error: integrity failure: the checkpoint issued as #1 (of 15 events) does not match the log's tree "
        "at that size"
    )
    refused = ledger_cli(db_url, "checkpoint", "--sign", str(tmp_path / "log.key"))
    assert refused.exit_code == 5
    assert "no checkpoint is signed over a rewritten log" in one_error_line(refused)
    assert refused.stdout == ""

    with probe(db_url) as p, unguarded(p):
        _run(
            p, "DELETE FROM checkpoints"
        )  # and that record wiped too: only what was saved elsewhere can tell
    assert ledger_cli(db_url, "verify").exit_code == 0
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


def test_a_truncated_tail_with_its_tripwire_rewound_is_caught_by_a_saved_head_or_checkpoint(
    db_url, checkpoints
):
    with probe(db_url) as p:
        held = f"{p.head_hash()}@{p.head_position()}"
    with probe(db_url) as p, unguarded(p):
        truncate_the_tail(p)
        _run(p, f"DELETE FROM tree_nodes WHERE tree_size >= {TARGET}")
        _run(p, f"UPDATE projection_checkpoint SET position = {TARGET - 1}")

    issued = ledger_cli(db_url, "verify")  # the checkpoints the ledger issued name more events
    assert issued.exit_code == 5
    assert one_error_line(issued) == (
        f"error: integrity failure at position {TARGET}: the checkpoint issued as #1 names 15 events; "
        f"the ledger holds {TARGET - 1}"
    )
    with probe(db_url) as p, unguarded(p):
        _run(p, "DELETE FROM checkpoints")
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


# -- what queries read beside the log: the entity index and the references (issue 13, item 4) -----------
# Rows can be added to these tables without disabling any guard (appending is what they allow), and
# removed by whoever can disable one; the hash chain covers neither.
def forge_an_index_row(p: Probe) -> None:
    _run(p, "INSERT INTO event_entities (entity_id, position) VALUES ('company:foxconn', 1)")


def remove_an_index_row(p: Probe) -> None:
    with unguarded(p):
        _run(p, "DELETE FROM event_entities WHERE entity_id = 'plant:nissan-oppama' AND position = 2")


def forge_a_reference(p: Probe) -> None:
    _run(p, "INSERT INTO event_refs (position, ref_position) VALUES (30, 10)")


def remove_a_reference(p: Probe) -> None:
    with unguarded(p):
        _run(p, "DELETE FROM event_refs WHERE position = 30")


def forge_an_index_change(p: Probe) -> None:
    """Take the plant's registration away from it, as if the correction at 34 had."""
    _run(p, "INSERT INTO index_changes VALUES ('plant:nissan-oppama', 2, 34, 0)")


def forge_a_correction(p: Probe) -> None:
    _run(p, "INSERT INTO index_changes VALUES ('company:nissan', 1, 5, 0)")


def index_a_position_past_the_end(p: Probe) -> None:
    with unguarded(p):  # PostgreSQL's foreign key would refuse it
        _run(p, f"INSERT INTO event_entities (entity_id, position) VALUES ('company:nissan', {EVENTS + 1})")


def forge_a_name_row(p: Probe) -> None:
    """Nissan's registration (a Nikkei report) made to be found by `--source Reuters` too."""
    _run(p, "INSERT INTO event_names (name, position, role) VALUES ('reuters', 1, 1)")


def remove_a_name_row(p: Probe) -> None:
    with unguarded(p):
        _run(p, "DELETE FROM event_names WHERE name = 'nikkei' AND position = 1")


def name_a_position_past_the_end(p: Probe) -> None:
    with unguarded(p):  # PostgreSQL's foreign key would refuse it
        _run(p, f"INSERT INTO event_names (name, position, role) VALUES ('nikkei', {EVENTS + 1}, 1)")


def forge_a_group_row(p: Probe) -> None:
    """Nissan's registration made to count among Foxconn's group facts (not in the entity index)."""
    _run(p, "INSERT INTO group_index (entity_id, position) VALUES ('company:foxconn', 1)")


def remove_a_group_row(p: Probe) -> None:
    with unguarded(p):
        _run(p, "DELETE FROM group_index WHERE entity_id = 'company:nissan' AND position = 1")


CAUGHT_IN_THE_INDEX: dict[str, tuple[Callable[[Probe], None], str, int, str]] = {
    # what was done: (how, the check that fails, the position verify names, what it says)
    "an index row forged": (forge_an_index_row, "index", 1, "it is indexed under company:foxconn"),
    "an index row removed": (remove_an_index_row, "index", 2, "it is not indexed under plant:nissan-oppama"),
    "a reference forged": (forge_a_reference, "refs", 30, "its references (event_refs) do not match"),
    "a reference removed": (remove_a_reference, "refs", 30, "its references (event_refs) do not match"),
    "an index change forged": (
        forge_an_index_change,
        "index",
        34,
        "index changes recorded for this correction",
    ),
    "a correction forged": (forge_a_correction, "index", 5, "name this event as a correction; it is not one"),
    "an index row past the end": (
        index_a_position_past_the_end,
        "index",
        EVENTS + 1,
        f"event_entities holds a row for position {EVENTS + 1}",
    ),
    "a group index row forged": (forge_a_group_row, "index", 1, "the group index (group_index) does not"),
    "a group index row removed": (remove_a_group_row, "index", 1, "the group index (group_index) does not"),
    "a name row forged": (forge_a_name_row, "names", 1, "it is found by 'reuters'"),
    "a name row removed": (remove_a_name_row, "names", 1, "it is not found by 'nikkei'"),
    "a name row past the end": (
        name_a_position_past_the_end,
        "names",
        EVENTS + 1,
        f"event_names holds a row for position {EVENTS + 1}",
    ),
}


@pytest.mark.parametrize("change", CAUGHT_IN_THE_INDEX, ids=CAUGHT_IN_THE_INDEX)
def test_verify_checks_the_entity_index_and_the_references_against_the_log(db_url, held, change):
    how, check, position, problem = CAUGHT_IN_THE_INDEX[change]
    with probe(db_url) as p:
        how(p)

    result = ledger_cli(db_url, "verify")
    report = json.loads(ledger_cli(db_url, "verify", "--json").stdout)

    assert result.exit_code == 5
    line = one_error_line(result)
    assert line.startswith(f"error: integrity failure at position {position}: "), line
    assert problem in line
    assert (report["ok"], report["check"], report["first_bad_position"]) == (False, check, position)


def test_a_forged_name_row_changes_what_queries_answer_and_only_verify_tells(db_url, held):
    import ledger

    with ledger.open(db_url) as lg:
        assert lg.events(source="Reuters") == []
    with probe(db_url) as p:
        forge_a_name_row(p)
    with ledger.open(db_url) as lg:
        listed = lg.events(source="Reuters")
    assert [e.position for e in listed] == [1]  # a Nikkei report, found as Reuters'

    result = ledger_cli(db_url, "verify")
    assert result.exit_code == 5
    assert one_error_line(result).startswith("error: integrity failure at position 1: ")


def test_a_forged_index_row_changes_what_queries_answer_and_only_verify_tells(db_url, held):
    """What the probes saw: the listing of an entity shows an event about another, and a plant loses its
    name after a rebuild, while the chain verifies."""
    with probe(db_url) as p:
        forge_an_index_row(p)
        remove_an_index_row(p)
    listed = ledger_cli(db_url, "events", "--entity", "company:foxconn", "--json").stdout.splitlines()
    assert json.loads(listed[0])["position"] == 1  # Nissan's registration, listed as Foxconn's
    assert ledger_cli(db_url, "rebuild").exit_code == 0
    shown = json.loads(ledger_cli(db_url, "show", "plant:nissan-oppama", "--json").stdout)
    assert shown.get("name") != "Oppama"

    assert ledger_cli(db_url, "rebuild", "--check").exit_code == 0  # the projections agree with the index
    result = ledger_cli(db_url, "verify")
    assert result.exit_code == 5
    assert one_error_line(result).startswith("error: integrity failure at position 1: ")
