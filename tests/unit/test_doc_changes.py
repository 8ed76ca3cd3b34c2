"""`ledger.doc_changes`: a list's change as the items that went and came, and the way back a catch-up
keeps of a document it replaced."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.doc_changes import applied, list_change, unapplied, way_back, went_back

items = st.one_of(
    st.integers(0, 5), st.sampled_from(["a", "b"]), st.fixed_dictionaries({"x": st.integers(0, 3)})
)
lists = st.lists(items, max_size=14)
docs = st.fixed_dictionaries(
    {
        "name": st.one_of(st.none(), st.sampled_from(["A", "B"])),
        "plants": lists,
        "deals": st.one_of(st.none(), lists),
    }
)


@settings(max_examples=500)
@given(old=lists, new=lists)
def test_a_list_change_applied_gives_the_new_list_and_unapplied_the_old(old, new):
    removed, added = list_change(old, new)

    assert applied(old, removed, added) == new
    assert unapplied(new, removed, added) == old
    assert [old[item["at"]] for item in removed] == [item["value"] for item in removed]
    assert [new[item["at"]] for item in added] == [item["value"] for item in added]


@settings(max_examples=500)
@given(old=docs, new=docs)
def test_the_way_back_takes_the_new_document_to_the_old(old, new):
    assert went_back(new, way_back(old, new)) == old


def test_one_more_approval_is_that_approval_where_it_came():
    old = [{"id": n} for n in range(1000)]
    new = [*old[:400], {"id": "new"}, *old[400:]]

    assert list_change(old, new) == ([], [{"at": 400, "value": {"id": "new"}}])


def test_items_that_moved_are_taken_out_and_put_back_where_they_are():
    old, new = ["a", "b", "c", "d"], ["d", "b", "c", "a"]

    removed, added = list_change(old, new)

    assert applied(old, removed, added) == new
    assert len(removed) == len(added) == 2  # the longest run in common (b, c) stays


def test_a_way_back_keeps_only_what_changed():
    old = {"name": "A", "plants": ["p1", "p2"], "country": "JP"}
    new = {"name": "A", "plants": ["p1", "p2", "p3"], "country": "UK"}

    assert way_back(old, new) == {
        "fields": ["plants", "country"],  # in the new document's order
        "was": {"country": "JP"},
        "lists": {"plants": ([], [{"at": 2, "value": "p3"}])},
        "now": {"country": "UK"},
    }
    assert way_back(old, {"name": "A"}) == {"whole": old}  # other fields: the old document whole


def test_a_way_back_keeps_what_the_basis_of_what_changed_reads():
    rests = {"stage": "talks", "stage_basis": "reported", "basis": "announced", "scope": "EVs"}

    assert way_back(rests, {**rests, "stage": "mou"})["now"] == {
        "stage": "mou",
        "stage_basis": "reported",
        "basis": "announced",
    }
