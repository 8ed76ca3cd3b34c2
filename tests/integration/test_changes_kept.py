"""`changes` between moments the ledger was caught up at reads what each catch-up replaced
(`store.projection_versions`) instead of folding, and so does `claims --known-at` such a moment: they
must give exactly what folding gives.

The property: a random history written in random batches (each an import: a moment), and for every pair
of its moments, the answer read from the kept versions equals the folded one, byte for byte as JSON.
"""

from __future__ import annotations

import io
import itertools
from typing import Any
from unittest.mock import patch

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.factories import statement, talks, void
from support.histories import AUTHORITY, COMPANIES, PARTNERSHIPS, PLAN, PLANTS, histories

from ledger import changes as changes_module
from ledger import claims_then as claims_then_module
from ledger import queries as queries_module
from ledger.api import Ledger
from ledger.errors import IntegrityFailure, UnknownEntity
from ledger.read_model import documents, sync
from ledger.vocabulary.terms import CLAIM_STATUSES as STATUSES

Asked = dict[str, Any]  # what `changes` is asked besides the moments: entities, kind


def answer(lg: Ledger, since: int, until: int, asked: Asked) -> Any:
    """The answer as JSON bytes, or the error's type and message."""
    try:
        return orjson.dumps(lg.changes(f"@{since}", until=f"@{until}", **asked))
    except UnknownEntity as error:
        return type(error), str(error)


def folded(lg: Ledger, since: int, until: int, asked: Asked) -> Any:
    with patch.object(changes_module, "_kept", return_value=False):
        return answer(lg, since, until, asked)


def kept(lg: Ledger, since: int, until: int, asked: Asked) -> Any:
    with patch.object(changes_module, "kept_changes", wraps=changes_module.kept_changes) as read:
        found = answer(lg, since, until, asked)
    assert read.called, f"@{since}..@{until} was folded, not read from what was kept"
    return found


def written_in_batches(lg: Ledger, events: list[dict], cuts: list[int]) -> list[int]:
    """Import `events` in batches ending at `cuts`; returns the moments (0 and each batch's end)."""
    ends = sorted({min(c, len(events)) for c in cuts} | {len(events)})
    start = 0
    for end in ends:
        if end > start:
            lg.import_jsonl(io.BytesIO(b"".join(orjson.dumps(e) + b"\n" for e in events[start:end])))
            start = end
    return [0, *(e for e in ends if e > 0)]


def check_kept_equals_folded(lg: Ledger, events: list[dict], cuts: list[int], asked: Asked) -> None:
    moments = written_in_batches(lg, events, cuts)
    for since, until in itertools.combinations_with_replacement(moments, 2):
        assert kept(lg, since, until, asked) == folded(lg, since, until, asked), (since, until)
    lg.rebuild(check=True)  # and what was kept holds together (`read_model.kept_check`)


batch_ends = st.lists(st.integers(1, 14), max_size=5)
WORLD = (*COMPANIES, *PLANTS, *PARTNERSHIPS, PLAN, AUTHORITY)
asked_about = st.one_of(
    st.just({}),
    st.fixed_dictionaries(
        {"kind": st.sampled_from(["company", "plant", "partnership", "plan", "authority"])}
    ),
    st.fixed_dictionaries(
        {"entities": st.lists(st.sampled_from(WORLD), min_size=1, max_size=3, unique=True)}
    ),
)


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=histories(), cuts=batch_ends, asked=asked_about)
def test_changes_read_from_kept_versions_equal_the_folded_ones_on_sqlite(sqlite_ledgers, events, cuts, asked):
    with sqlite_ledgers() as lg:
        check_kept_equals_folded(lg, events, cuts, asked)


@settings(max_examples=5, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=histories(), cuts=batch_ends, asked=asked_about)
def test_changes_read_from_kept_versions_equal_the_folded_ones_on_postgresql(
    postgresql_ledgers, events, cuts, asked
):
    with postgresql_ledgers() as lg:
        check_kept_equals_folded(lg, events, cuts, asked)


def test_a_void_of_a_statement_about_two_claims_is_why_both_changed(lg):
    first = talks(event_id="11111111-1111-4111-8111-111111111111")
    second = talks("partnership:nissan-foxconn-kyushu", event_id="22222222-2222-4222-8222-222222222222")
    confirmed = statement("confirmed", "company:nissan", first, second)
    lg.append_many([first, second, confirmed])
    since = lg.head().position
    voided = lg.append(void(confirmed))
    found = lg.changes(f"@{since}")
    assert [(c["id"], c["old_status"], c["status"]) for c in found["claims"]] == [
        (first["id"], "confirmed", "reported"),
        (second["id"], "confirmed", "reported"),
    ]
    assert [[cause["id"] for cause in c["because"]] for c in found["claims"]] == [[voided.id]] * 2


def test_a_rebuild_starts_the_kept_versions_again_and_windows_before_it_are_folded(lg):
    first = talks(event_id="11111111-1111-4111-8111-111111111111")
    lg.append(first)
    since = lg.head().position
    lg.append(statement("confirmed", "company:nissan", first))
    before_rebuild = kept(lg, since, lg.head().position, {})

    lg.rebuild()
    with patch.object(changes_module, "kept_changes", wraps=changes_module.kept_changes) as read:
        assert answer(lg, since, lg.head().position, {}) == before_rebuild  # the same, folded
    assert not read.called
    rebuilt_at = lg.head().position
    lg.append(statement("denied", "company:foxconn", first))
    found = orjson.loads(kept(lg, rebuilt_at, lg.head().position, {}))  # kept again from the rebuild on
    assert [(c["old_status"], c["status"]) for c in found["claims"]] == [("confirmed", "disputed")]


# -- `claims --known-at` at a moment the ledger was caught up at: rows read from what was kept ----------
def claims_then(lg: Ledger, moment: int, asked: dict[str, Any], *, kept: bool) -> list[dict[str, Any]]:
    if kept:
        return lg.claims(known_at=f"@{moment}", **asked)
    with patch.object(claims_then_module.Moments, "_kept_since", return_value=None):  # refolded
        return lg.claims(known_at=f"@{moment}", **asked)


def check_kept_claims_equal_refolded(lg: Ledger, events: list[dict], cuts: list[int], asked: Asked) -> None:
    for moment in written_in_batches(lg, events, cuts):
        with lg.store.reading() as tx:  # (read from what was kept, not refolded)
            assert claims_then_module.Moments(tx, None, moment)._kept is not None
        assert claims_then(lg, moment, asked, kept=True) == claims_then(lg, moment, asked, kept=False), moment


claims_asked = st.one_of(
    st.just({}),
    st.fixed_dictionaries({"status": st.sampled_from(STATUSES)}),
    st.fixed_dictionaries({"types": st.sampled_from(["talks.reported", "deal.completed", "plant.closed"])}),
    st.fixed_dictionaries({"by": st.sampled_from(COMPANIES)}),
    st.fixed_dictionaries({"resolved": st.just(True)}),
)


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=histories(), cuts=batch_ends, asked=claims_asked)
def test_claims_known_at_a_kept_moment_equal_the_refolded_ones_on_sqlite(sqlite_ledgers, events, cuts, asked):
    with sqlite_ledgers() as lg:
        check_kept_claims_equal_refolded(lg, events, cuts, asked)


@settings(max_examples=5, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=histories(), cuts=batch_ends, asked=claims_asked)
def test_claims_known_at_a_kept_moment_equal_the_refolded_ones_on_postgresql(
    postgresql_ledgers, events, cuts, asked
):
    with postgresql_ledgers() as lg:
        check_kept_claims_equal_refolded(lg, events, cuts, asked)


# -- `show --known-at` a moment the ledger was caught up at: the document read, not folded --------------
def shown_then(lg: Ledger, entity_id: str, moment: int, *, kept: bool) -> Any:
    with patch.object(queries_module.documents, "is_kept_moment", return_value=kept):
        try:
            return lg.show(entity_id, known_at=f"@{moment}")
        except UnknownEntity as error:
            return type(error), str(error)


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=histories(), cuts=batch_ends)
def test_entities_shown_at_a_kept_moment_equal_their_folds_then(sqlite_ledgers, events, cuts):
    with sqlite_ledgers() as lg:
        for moment in written_in_batches(lg, events, cuts):
            with lg.store.reading() as tx:
                assert documents.is_kept_moment(tx, moment)
            for entity_id in WORLD:
                assert shown_then(lg, entity_id, moment, kept=True) == shown_then(
                    lg, entity_id, moment, kept=False
                )


def test_tables_of_an_older_document_format_start_the_kept_versions_again(lg):
    first = talks(event_id="11111111-1111-4111-8111-111111111111")
    lg.append(first)
    before = lg.head().position
    with lg.store.writing() as tx:  # as a release with another document format left them
        tx.sql.run("UPDATE projection_checkpoint SET name = 'older'")
    lg.append(statement("confirmed", "company:nissan", first))  # refolds everything from 0

    with lg.store.reading() as tx:
        assert not tx.versions.is_moment(before)
    assert answer(lg, before, lg.head().position, {}) == folded(lg, before, lg.head().position, {})
    assert kept(lg, 0, lg.head().position, {}) == folded(lg, 0, lg.head().position, {})


def test_rebuild_check_finds_a_kept_change_that_does_not_fit(lg):
    first = talks(event_id="11111111-1111-4111-8111-111111111111")
    lg.append(first)
    lg.append(statement("confirmed", "company:nissan", first))
    lg.rebuild(check=True)  # all of it holds together

    with lg.store.writing() as tx:  # the way back of the partnership's stage basis, damaged
        [(until, doc)] = tx.sql.rows(
            "SELECT until_position, doc FROM entity_versions WHERE entity_id = ? AND doc IS NOT NULL",
            ("partnership:nissan-foxconn-oppama",),
        )
        way = orjson.loads(doc)
        way["now"]["stage_basis"] = "denied"
        tx.sql.run(
            "UPDATE entity_versions SET doc = ? WHERE until_position = ? AND entity_id = ?",
            (orjson.dumps(way).decode(), until, "partnership:nissan-foxconn-oppama"),
        )
    with pytest.raises(IntegrityFailure) as found:
        lg.rebuild(check=True)
    assert str(found.value) == (
        "what catch-ups kept does not hold together: entity partnership:nissan-foxconn-oppama: a kept "
        "change does not fit the document it was kept from; run `ledger rebuild`"
    )
    lg.rebuild()
    lg.rebuild(check=True)


# -- a catch-up by rebuild (a batch over CATCH_UP_LIMIT events) keeps what it changed too -------------
def kept_moments(lg: Ledger) -> list[int]:
    with lg.store.reading() as tx:
        return [int(p) for (p,) in tx.sql.rows("SELECT position FROM projection_moments ORDER BY position")]


@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=histories(), cuts=batch_ends, limit=st.integers(0, 3))
def test_a_batch_caught_up_by_a_rebuild_keeps_what_it_changed(sqlite_ledgers, events, cuts, limit):
    # A batch of more than `limit` events catches up by a rebuild.
    with patch.object(sync, "CATCH_UP_LIMIT", limit), sqlite_ledgers() as lg:
        written_in_batches(lg, events, cuts)
        moments = kept_moments(lg)
        assert moments[-1] == lg.head().position
        for since, until in itertools.combinations_with_replacement(moments, 2):
            assert kept(lg, since, until, {}) == folded(lg, since, until, {}), (since, until)
        lg.rebuild(check=True)


def test_an_import_caught_up_by_a_rebuild_leaves_the_moment_before_it_answerable(lg):
    first = talks(event_id="11111111-1111-4111-8111-111111111111")
    said = [statement("confirmed", "company:nissan", first), statement("denied", "company:foxconn", first)]
    with patch.object(sync, "CATCH_UP_LIMIT", 1):  # the second import (two events) catches up by a rebuild
        lg.import_jsonl(io.BytesIO(orjson.dumps(first) + b"\n"))
        lg.import_jsonl(io.BytesIO(b"".join(orjson.dumps(e) + b"\n" for e in said)))
    assert kept_moments(lg) == [0, 1, 3]
    found = orjson.loads(kept(lg, 1, 3, {}))
    assert [(c["old_status"], c["status"]) for c in found["claims"]] == [("reported", "disputed")]
    assert kept(lg, 1, 3, {}) == folded(lg, 1, 3, {})
