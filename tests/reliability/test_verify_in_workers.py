"""`verify` of a large log reads it in stretches in worker processes (`ledger.verify_workers`); what it
reports must be what one process reading the whole log reports, byte for byte: the same check, first bad
position, problem, events counted, head hash and tree root, and the same exit code and error line.

The tamper and damage cases of test_tamper.py and test_damage.py, verified both ways, with stretches so
small (4 or 5 positions of 35) that the change lands inside a stretch or on its first row, where the link
to the stretch before is checked by the verifying process.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.guards import unguarded
from support.runner import ledger_cli

import ledger
from ledger import verify, verify_workers
from ledger.synthetic import generate
from reliability import test_damage as damage
from reliability import test_tamper as tamper
from reliability.support import Probe, probe
from reliability.test_damage import damaged_file  # noqa: F401 (a fixture)
from reliability.test_tamper import checkpoints, held  # noqa: F401 (fixtures)

Outcome = tuple[int, str, str]  # (exit code, stdout, stderr)


def _verify(db_url: str, *args: str) -> Outcome:
    result = ledger_cli(db_url, "verify", *args)
    return result.exit_code, result.stdout, result.stderr


def both_ways(db_url: str, stretch: int, *args: str) -> tuple[Outcome, Outcome]:
    """`verify` and `verify --json` with ARGS in one process, then `verify --json` in workers, in
    stretches of `stretch` positions, asserting it says the same. Returns the first two outcomes."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(verify_workers, "WORKERS", 1)
        alone = _verify(db_url, *args), _verify(db_url, "--json", *args)
    checked: list[tuple[int, int]] = []
    real = verify_workers.stretches

    def spied(*a: object) -> Iterator[verify_workers.Stretch]:
        for found in real(*a):  # type: ignore[arg-type]
            checked.append((found.first, found.last))
            yield found

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(verify_workers, "WORKERS", 2)
        patch.setattr(verify_workers, "PARALLEL_FROM", 0)
        patch.setattr(verify_workers, "STRETCH", stretch)
        patch.setattr(verify_workers, "stretches", spied)
        split = _verify(db_url, "--json", *args)
    assert checked and checked[0] == (1, stretch), checked  # the workers did read the log
    assert split == alone[1]
    return alone


def report_of(outcome: tuple[Outcome, Outcome]) -> dict:
    return json.loads(outcome[1][1])


def recorded_at_back_in_time(p: Probe) -> None:
    tamper._run(
        p, f"UPDATE events SET recorded_at = '2000-01-01T00:00:00.000000Z' WHERE position = {tamper.TARGET}"
    )


def recorded_at_not_a_ledger_time(p: Probe) -> None:
    tamper._run(p, f"UPDATE events SET recorded_at = 'yesterday' WHERE position = {tamper.TARGET}")


T = tamper.TARGET  # 9: the first row of a stretch of 4 (9..12), inside one of 5 (6..10)
CHAIN_CASES: dict[str, tuple[Callable[[Probe], None], int, int, str]] = {
    # what was done: (how, stretch, the first bad position, what verify says)
    "a bad hash inside a stretch": (tamper.change_payload_byte, 5, T, "hash does not match"),
    "a bad hash on a stretch's first row": (tamper.change_recorded_at, 4, T, "hash does not match"),
    "a link broken at a boundary": (tamper.swap_two_events, 4, T, "prev_hash does not match"),
    "a position missing at a boundary": (tamper.delete_a_row, 4, T, f"position {T} is missing (found 10)"),
    "recorded_at going back at a boundary": (recorded_at_back_in_time, 4, T, "goes back in time"),
    "recorded_at not a time at a boundary": (recorded_at_not_a_ledger_time, 4, T, "not a ledger time"),
    "a forged row inside a stretch": (tamper.insert_a_forged_row, 5, T + 1, "prev_hash does not match"),
    "the tail truncated at a boundary": (tamper.truncate_the_tail, 4, T, "the projections were built from"),
}


@pytest.mark.parametrize("case", CHAIN_CASES, ids=CHAIN_CASES)
def test_a_change_to_the_log_is_reported_alike_by_workers(db_url, held, case):  # noqa: F811
    how, stretch, first_bad, problem = CHAIN_CASES[case]
    with probe(db_url) as p, unguarded(p):
        how(p)

    (code, _out, err), _json = outcome = both_ways(db_url, stretch)

    assert code == 5
    assert err.startswith(f"error: integrity failure at position {first_bad}: ") and problem in err, err
    assert report_of(outcome)["first_bad_position"] == first_bad


INDEX_CASES = [
    "an index row forged",
    "a reference forged",
    "a correction forged",
    "an index row past the end",
]


@pytest.mark.parametrize("case", INDEX_CASES, ids=INDEX_CASES)
def test_a_forged_index_is_reported_alike_by_workers(db_url, held, case):  # noqa: F811
    how, check, position, problem = tamper.CAUGHT_IN_THE_INDEX[case]
    with probe(db_url) as p:
        how(p)

    outcome = both_ways(db_url, 4)

    report = report_of(outcome)
    assert (report["check"], report["first_bad_position"]) == (check, position)
    assert problem in report["problem"]


def test_a_rewritten_history_is_caught_alike_by_workers_on_the_tree_a_saved_head_or_a_checkpoint(
    db_url,
    checkpoints,  # noqa: F811
):
    with probe(db_url) as p:
        heads = [f"{p.one(f'SELECT hash FROM events WHERE position = {n}')}@{n}" for n in (35, 15)]
    assert report_of(both_ways(db_url, 4, "--head", heads[0]))["ok"] is True  # 35: a stretch of its own
    with probe(db_url) as p, unguarded(p):
        tamper.change_payload_byte(p)
        tamper._rechain_from(p, T)
    assert report_of(both_ways(db_url, 4))["check"] == "tree"
    with probe(db_url) as p, unguarded(p):
        tamper.rebuild_the_tree(p)
    assert report_of(both_ways(db_url, 4))["check"] == "issued"
    with probe(db_url) as p, unguarded(p):
        tamper._run(p, "DELETE FROM checkpoints")

    for head in heads:  # each in a later stretch
        assert report_of(both_ways(db_url, 4, "--head", head))["check"] == "head"
    checked = both_ways(db_url, 4, "--checkpoint", checkpoints[15], "--key", checkpoints[0])
    assert report_of(checked)["check"] == "checkpoint"


@pytest.mark.parametrize("stretch", [4, 5])
def test_a_row_that_cannot_be_read_back_ends_the_reading_alike_in_workers(damaged_file: Path, stretch):  # noqa: F811
    damage._flip(damaged_file, b"\xff\xfe")

    (code, _out, err), _json = outcome = both_ways(f"sqlite:///{damaged_file}", stretch)

    assert code == 5
    assert err.startswith(f"error: integrity failure at position {damage.AT}: the row cannot be read back")
    assert report_of(outcome)["events"] == damage.AT - 1  # counted up to the row, as one process does


def test_a_damaged_page_ends_the_reading_alike_in_workers(damaged_file: Path):  # noqa: F811
    data = bytearray(damaged_file.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    page = data.find(damage.MARK.encode()) // page_size
    data[page * page_size : page * page_size + 8] = b"\x00" * 8
    damaged_file.write_bytes(bytes(data))

    (code, _out, err), _json = both_ways(f"sqlite:///{damaged_file}", 4)

    assert code == 5
    assert "cannot be read back: database disk image is malformed" in err


@pytest.fixture
def corpus(db_url: str) -> list[bytes]:
    """A ledger of 2,000 events of the benchmark corpus (corrections move its index); returns the
    corpus's next 10 lines, not imported."""
    lines = list(generate(2_010, seed=11))
    with ledger.open(db_url) as lg:
        lg.import_jsonl(lines[:2_000])
    return lines[2_000:]


def test_a_corpus_verifies_alike_in_workers(db_url, corpus):
    with probe(db_url) as p:
        head = f"{p.head_hash()}@1500"
    outcome = both_ways(db_url, 500, "--head", head)
    assert outcome[0][0] == 5  # 1500 holds another hash
    assert report_of(both_ways(db_url, 500))["ok"] is True


def test_a_worker_that_sees_a_later_commit_has_its_index_checked_again_here(db_url, corpus, monkeypatch):
    """Workers read their own snapshots: one that holds events committed since `verify` began may see
    index rows that `verify`'s snapshot does not; this process checks that stretch's index itself."""
    monkeypatch.setattr(verify_workers, "WORKERS", 2)
    monkeypatch.setattr(verify_workers, "PARALLEL_FROM", 0)
    monkeypatch.setattr(verify_workers, "STRETCH", 500)
    again: list[tuple[int, int]] = []
    real = verify._index_again
    monkeypatch.setattr(
        verify, "_index_again", lambda tx, index, *span: again.append(span) or real(tx, index, *span)
    )
    with ledger.open(db_url) as lg, lg.store.reading(snapshot=True) as tx:
        tx.projections.checkpoint()  # the snapshot starts here
        with ledger.open(db_url) as writer:
            writer.import_jsonl(corpus)
        report = verify.verify_chain(tx, None, url=db_url)
    assert (report.ok, report.events) == (True, 2_000)
    assert again == [(1, 500), (501, 1_000), (1_001, 1_500), (1_501, 2_000)]


def test_workers_check_only_a_large_log_that_other_processes_can_open(monkeypatch):
    monkeypatch.setattr(verify_workers, "WORKERS", 2)
    large = verify_workers.PARALLEL_FROM
    assert verify_workers.in_workers("sqlite:////tmp/ledger.db", large)
    assert not verify_workers.in_workers("sqlite:////tmp/ledger.db", large - 1)
    assert not verify_workers.in_workers("sqlite:///:memory:", large)
    monkeypatch.setattr(verify_workers, "WORKERS", 1)  # LEDGER_WORKERS=1
    assert not verify_workers.in_workers("sqlite:////tmp/ledger.db", large)
