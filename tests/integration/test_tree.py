"""The Merkle tree the store keeps, on both backends: after appends, imports in chunks and restores it is the
tree recomputed from the log; `ledger init` builds it for a ledger from before it without touching an
event; `verify` catches a tampered node; the database refuses to change it; and every proof the ledger
emits checks out with the independent verifier (a property, over random sizes)."""

from __future__ import annotations

import io
import json
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.databases import create_pg_database, drop_pg_database, pg_url
from support.factories import EVERY_TYPE, talks
from support.guards import unguarded
from support.runner import ledger_cli, one_error_line, state
from support.v1_ledger import v1_ledger

import ledger
from ledger import api, tree
from ledger.api import Ledger
from ledger.transparency import merkle, note
from ledger.transparency.proof import verify_consistency, verify_inclusion


def quiet(_advice: object) -> None:
    """Warnings about the synthetic events are beside the point here."""


def some_events(n: int, start: int = 0) -> list[dict]:
    return [talks(partnership=f"partnership:p{i}-q{i}") for i in range(start, start + n)]


def stored_nodes(lg: Ledger) -> list[tuple[int, int, bytes]]:
    with lg.store.reading() as tx:
        rows = tx.sql.rows("SELECT tree_size, level, hash FROM tree_nodes ORDER BY tree_size, level")
    return [(int(s), int(level), bytes(h)) for s, level, h in rows]


def leaves(lg: Ledger) -> list[bytes]:
    return [bytes.fromhex(e.hash) for e in lg.read()]


def recomputed(lg: Ledger) -> list[tuple[int, int, bytes]]:
    """Every complete subtree of two leaves or more of the tree over the log's event hashes, built at
    once (a leaf's hash is the event's own, hashed)."""
    return [row for row in merkle.Tree().extend(leaves(lg)) if row[1] > 0]


def assert_tree_is_the_logs(lg: Ledger) -> None:
    assert stored_nodes(lg) == recomputed(lg)
    with lg.store.reading() as tx:
        size = tx.log.head().position
        assert tree.root(tx, size) == merkle.root_of(leaves(lg))  # the recursive definition


def test_the_tree_after_appends_in_many_transactions_is_the_tree_of_the_log(lg):
    lg.append_many(EVERY_TYPE, on_warning=quiet)
    for event in some_events(5):
        lg.append(event, on_warning=quiet)
    lg.append_many(some_events(6, start=5), on_warning=quiet)

    assert_tree_is_the_logs(lg)
    assert lg.verify().ok


def test_the_tree_after_an_import_in_many_chunks_and_a_restore_is_the_tree_of_the_log(
    lg, monkeypatch, tmp_path, backend, request
):
    monkeypatch.setattr(api, "IMPORT_CHUNK", 4)
    lg.append_many(some_events(3), on_warning=quiet)
    body = "".join(f"{json.dumps(e)}\n" for e in [*EVERY_TYPE, *some_events(10, start=3)])
    lg.import_jsonl(io.BytesIO(body.encode()), on_warning=quiet)
    assert_tree_is_the_logs(lg)

    export = io.BytesIO()
    lg.export(export)
    with fresh_ledger(backend, request, tmp_path) as copy:
        copy.import_jsonl(io.BytesIO(export.getvalue()), restore=True)
        assert stored_nodes(copy) == stored_nodes(lg)


def test_the_database_refuses_to_change_or_delete_the_tree_and_the_checkpoints(lg):
    lg.append_many(some_events(3), on_warning=quiet)
    lg.checkpoint()
    for sql in (
        "UPDATE tree_nodes SET level = 7",
        "DELETE FROM tree_nodes",
        "UPDATE checkpoints SET tree_size = 1",
        "DELETE FROM checkpoints",
    ):
        with pytest.raises(Exception, match="append-only"), lg.store.writing() as tx:
            tx.sql.run(sql)
    assert_tree_is_the_logs(lg)


@pytest.mark.parametrize("how", ["changed", "deleted", "added"])
def test_verify_catches_a_node_changed_deleted_or_added_behind_the_ledgers_back(db_url, how):
    with ledger.open(db_url) as lg:
        lg.append_many(some_events(11), on_warning=quiet)
    with ledger.open(db_url) as lg, lg.store.writing() as tx, unguarded(tx.sql):
        if how == "changed":  # the subtree of leaves 4..7, completed at position 8
            tx.sql.run("UPDATE tree_nodes SET hash = ? WHERE tree_size = 8 AND level = 2", (b"\x01" * 32,))
        elif how == "deleted":
            tx.sql.run("DELETE FROM tree_nodes WHERE tree_size = 8 AND level = 2")
        else:
            tx.sql.run("INSERT INTO tree_nodes (tree_size, level, hash) VALUES (12, 1, ?)", (b"\x01" * 32,))

    result = ledger_cli(db_url, "verify")

    assert result.exit_code == 5
    line = one_error_line(result)
    position = 12 if how == "added" else 8
    assert line.startswith(f"error: integrity failure at position {position}: the Merkle tree"), line


def test_init_builds_the_tree_of_a_ledger_from_before_it_and_rewrites_no_event(blank_db_url):
    v1_ledger(blank_db_url, revision="0004")
    with ledger.open(blank_db_url) as lg:
        lg.store._schema_checked = True  # read the log as 0004 left it
        before = [e.to_json() for e in lg.read()]
    assert before

    assert ledger_cli(blank_db_url, "init").exit_code == 0

    with ledger.open(blank_db_url) as lg:
        assert [e.to_json() for e in lg.read()] == before
        assert_tree_is_the_logs(lg)
        assert lg.verify().ok
        lg.append(talks(partnership="partnership:after-upgrade"), on_warning=quiet)
        assert_tree_is_the_logs(lg)


def test_an_append_refuses_to_grow_a_log_whose_tree_is_behind(lg):
    lg.append_many(some_events(2), on_warning=quiet)
    with lg.store.writing() as tx, unguarded(tx.sql):
        tx.sql.run("DELETE FROM tree_nodes WHERE tree_size = 2")
    before = state(lg.url)

    with pytest.raises(ledger.NotInitialised, match="the Merkle tree stops at 0 of the log's 2 events"):
        lg.append(talks(partnership="partnership:x-y"), on_warning=quiet)
    assert state(lg.url) == before


# -- every proof the ledger emits checks out -------------------------------------------------------------
@contextmanager
def fresh_ledger(backend: str, request, tmp_path) -> Iterator[Ledger]:
    """Another empty ledger on the same backend (hypothesis runs many examples per test)."""
    if backend == "sqlite":
        path = tmp_path / f"fresh-{uuid.uuid4().hex}.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        with ledger.open(f"sqlite:///{path}") as opened:
            yield opened
        return
    admin = request.getfixturevalue("pg_admin")
    name = create_pg_database(admin, template=request.getfixturevalue("pg_template"))
    try:
        with ledger.open(pg_url(name)) as opened:
            yield opened
    finally:
        drop_pg_database(admin, name)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chunks=st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=4), data=st.data())
def test_every_proof_the_ledger_emits_checks_out(backend, request, tmp_path, chunks, data):
    signer = note.generate("example.com/log")
    with fresh_ledger(backend, request, tmp_path) as lg:
        sizes = []
        for n in chunks:  # each chunk one transaction, and a checkpoint after it
            lg.append_many(some_events(n, start=sum(sizes) and sizes[-1]), on_warning=quiet)
            sizes.append(lg.checkpoint(signers=[signer]).tree_size)
        assert_tree_is_the_logs(lg)
        every = leaves(lg)
        roots = {size: merkle.root_of(every[:size]) for size in range(1, len(every) + 1)}

        for size in sizes:
            for position in range(1, size + 1):
                proof = lg.prove(position, size=size)
                leaf = merkle.leaf_hash(bytes.fromhex(proof.event_hash))
                verify_inclusion(position - 1, size, leaf, proof.hashes, roots[size])
        new = data.draw(st.integers(min_value=1, max_value=len(every)), label="new")
        old = data.draw(st.integers(min_value=1, max_value=new), label="old")
        consistency = lg.prove_consistency(old, size=new)
        assert (consistency.old_root, consistency.new_root) == (roots[old], roots[new])
        verify_consistency(old, new, roots[old], roots[new], consistency.hashes)
