"""`Ledger.search` and "did you mean": entities by id, name, alias and former name, case- and
accent-insensitive, ranked exact id, exact name, prefix, substring (at a word's start)."""

from __future__ import annotations

import io
import sqlite3
from importlib import resources

import pytest
from support.factories import an_event

import ledger
from ledger.errors import InvalidArgument, UnknownEntity

SEED = resources.files("ledger") / "data" / "seed.jsonl"


def company(slug: str, name: str, **data) -> dict:
    return an_event("company.registered", {"company": f"company:{slug}", "name": name, **data})


WORLD = [
    company("ab", "AB", country="Sweden"),
    company("abc-motors", "Abc Motors"),
    company("x-ab", "X AB Holdings"),
    company("skoda-auto", "Škoda Auto", aliases=["Škoda"], country="Czechia"),
    an_event("company.renamed", {"company": "company:x-ab", "name": "Xab Group"}, occurred_at="2025-08-01"),
]


def _filled(lg):
    lg.import_jsonl(io.BytesIO(SEED.read_bytes()))
    lg.append_many(WORLD)
    return lg


@pytest.fixture(scope="module")
def world(module_db_url):
    """One ledger per backend for the tests that only search it."""
    with ledger.open(module_db_url) as opened:
        yield _filled(opened)


@pytest.fixture
def own_world(lg):
    return _filled(lg)


def found(lg, text: str, **kw) -> list[tuple[str, str, str]]:
    return [(hit["id"], hit["match"], hit["matched"]) for hit in lg.search(text, **kw)]


def test_hits_are_ranked_exact_id_exact_name_prefix_then_substring(world):
    assert found(world, "ab") == [
        ("company:ab", "name", "AB"),
        ("company:abc-motors", "prefix", "Abc Motors"),
        ("company:x-ab", "substring", "X AB Holdings"),
    ]
    assert found(world, "company:ab") == [
        ("company:ab", "id", "company:ab"),
        ("company:abc-motors", "prefix", "Abc Motors"),
        ("company:x-ab", "substring", "X AB Holdings"),
    ]
    assert found(world, "plant:ab") == []


def test_case_accents_and_punctuation_do_not_matter(world):
    assert found(world, "SKODA") == [("company:skoda-auto", "name", "Škoda")]
    assert found(world, "škoda a") == [("company:skoda-auto", "prefix", "Škoda Auto")]
    assert found(world, "nissan motor co. ltd") == [("company:nissan", "name", "Nissan Motor Co., Ltd.")]


def test_a_former_name_and_a_word_inside_a_name_find_the_entity(world):
    assert found(world, "x ab holdings") == [("company:x-ab", "name", "X AB Holdings")]
    assert found(world, "group") == [("company:x-ab", "substring", "Xab Group")]
    assert found(world, "precision") == [
        ("company:foxconn", "substring", "Hon Hai Precision Industry Co., Ltd.")
    ]


def test_each_hit_has_its_kind_name_and_a_one_line_summary(world):
    [plant] = world.search("oppama plant")
    assert plant == {
        "id": "plant:nissan-oppama",
        "kind": "plant",
        "name": "Oppama Plant",
        "match": "name",
        "matched": "Oppama Plant",
        "summary": "Oppama Plant; Yokosuka, Japan; operator company:nissan; closure_considered",
    }
    [skoda] = world.search("skoda auto")
    assert (skoda["name"], skoda["summary"]) == ("Škoda Auto", "Škoda Auto; Czechia")
    [deal] = world.search("partnership:nissan-foxconn-oppama")
    assert deal["summary"] == "company:nissan & company:foxconn; stage talks; plant plant:nissan-oppama"


def test_a_kind_a_limit_and_a_search_that_finds_nothing(world):
    assert [h["id"] for h in world.search("nissan", kind="plants")] == ["plant:nissan-oppama"]
    assert [h["id"] for h in world.search("nissan", kind="company")] == ["company:nissan"]
    assert found(world, "plant:nissan", kind="companies") == []
    assert len(world.search("nissan", limit=2)) == 2
    assert world.search("zzz") == world.search("   ") == world.search("-") == []
    with pytest.raises(InvalidArgument) as refused:
        world.search("nissan", kind="factories")
    assert refused.value.parameter == "kind"
    with pytest.raises(InvalidArgument) as refused:
        world.search("nissan", limit=0)
    assert refused.value.parameter == "limit"


def test_an_unknown_id_gets_the_ids_like_it_from_the_index(world):
    with pytest.raises(UnknownEntity) as unknown:
        world.show("plant:nissan-opama")
    assert str(unknown.value) == "no event names plant:nissan-opama; did you mean plant:nissan-oppama?"
    with pytest.raises(UnknownEntity) as unknown:
        world.history("company:abc-motor", as_of="2025-07-07")
    assert unknown.value.suggestions == ["company:abc-motors"]
    for unlike in ("plant:zzz", "plant:nowhere"):  # nothing, or only a first letter, in common
        with pytest.raises(UnknownEntity) as unknown:
            world.show(unlike)
        assert str(unknown.value) == f"no event names {unlike}"
    with pytest.raises(UnknownEntity) as unknown:  # known now, not then: no suggestion
        world.show("company:skoda-auto", known_at="@11")
    assert str(unknown.value) == "no event names company:skoda-auto at that moment"


def test_the_index_follows_a_rename_and_a_correction(own_world):
    own_world.append(an_event("company.renamed", {"company": "company:ab", "name": "Bee Corp"}))
    assert found(own_world, "bee") == [("company:ab", "prefix", "Bee Corp")]
    assert found(own_world, "ab")[0] == ("company:ab", "name", "AB")  # the former name still finds it


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_read_only_ledger_behind_its_log_searches_the_same(own_world, db_url):
    expected = {text: own_world.search(text) for text in ("ab", "nissan", "skoda", "motors")}
    own_world.close()
    path = db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM projection_checkpoint")
    with ledger.open(f"{db_url}?mode=ro") as read_only:
        assert {text: read_only.search(text) for text in expected} == expected
