"""A claim's entities are those of its current data: after a correction changes them, every query by
entity finds the claim and its statements under the new entities and no longer under the old ones; as
the ledger knew it before the correction, under the old ones (contract v2, section 4, "Index")."""

from __future__ import annotations

import pytest
from support.factories import an_event, correction, statement, void

OLD_DEAL = "partnership:nissan-honda"
NEW_DEAL = "partnership:nissan-foxconn"
HONDA, FOXCONN, NISSAN = "company:honda", "company:foxconn", "company:nissan"


def talks_with(partnership: str, partner: str) -> dict:
    data = {"partnership": partnership, "parties": [NISSAN, partner], "scope": "EVs at Oppama"}
    return an_event("talks.reported", data, occurred_at="2025-07-01")


@pytest.fixture
def corrected(lg):
    """Talks entered as Nissan-Honda, denied by Honda, then corrected to Nissan-Foxconn; Foxconn then
    confirms. Returns (claim, denial, correction, confirmation) as stored, and the ledger time just
    before the correction."""
    claim = talks_with(OLD_DEAL, HONDA)
    denial = statement("denied", HONDA, claim, occurred_at="2025-07-02")
    lg.append_many([claim, denial])
    [before] = lg.events(limit=1, reverse=True)
    fix = correction(claim, talks_with(NEW_DEAL, FOXCONN)["data"])
    lg.append(fix)
    confirmation = statement("confirmed", FOXCONN, claim, occurred_at="2025-07-03")
    lg.append(confirmation)
    return claim, denial, fix, confirmation, before.recorded_at


def ids(events) -> list[str]:
    return [e.id for e in events]


def test_events_by_entity_list_the_claim_and_all_its_statements_under_the_new_entities(lg, corrected):
    claim, denial, fix, confirmation, _ = corrected

    assert ids(lg.events(entity=NEW_DEAL)) == [claim["id"], denial["id"], fix["id"], confirmation["id"]]
    assert ids(lg.events(entity=FOXCONN)) == [claim["id"], denial["id"], fix["id"], confirmation["id"]]


def test_the_old_entities_keep_only_the_correction(lg, corrected):
    _, denial, fix, _, _ = corrected

    assert ids(lg.events(entity=OLD_DEAL)) == [fix["id"]]
    assert ids(lg.events(entity=HONDA)) == [denial["id"], fix["id"]]  # Honda still spoke


def test_history_and_claims_of_the_new_partnership_show_the_whole_trail(lg, corrected):
    claim, denial, _, confirmation, _ = corrected

    [shown] = lg.claims(NEW_DEAL)
    assert [s["id"] for s in shown["statements"]] == [denial["id"], confirmation["id"]]
    assert [e["id"] for e in lg.history(NEW_DEAL) if e["category"] != "correction"] == [
        claim["id"],
        denial["id"],
        confirmation["id"],
    ]


def test_the_old_partnership_is_gone_now_and_was_there_before_the_correction(lg, corrected):
    claim, *_, before = corrected

    assert [c["id"] for c in lg.claims()] == [claim["id"]]
    assert [p["id"] for p in lg.list("partnerships")] == [NEW_DEAL]
    assert lg.show(OLD_DEAL, known_at=before)["parties"] == [NISSAN, HONDA]
    assert [e["id"] for e in lg.history(OLD_DEAL, known_at=before)][:1] == [claim["id"]]


def test_expect_follows_the_index(lg, corrected):
    *_, confirmation, _ = corrected
    confirmed_at = lg.events(limit=1, reverse=True)[0].position

    lg.append(statement("no_comment", NISSAN, corrected[0]), expect=(NEW_DEAL, confirmed_at))
    assert ids(lg.events(entity=NEW_DEAL))[-2] == confirmation["id"]


def test_a_rebuild_and_an_export_restored_agree_with_the_index(lg, corrected, tmp_path):
    import io

    import ledger

    out = io.BytesIO()
    lg.export(out)
    url = f"sqlite:///{tmp_path / 'restored.db'}"
    with ledger.init(url) as restored:
        restored.import_jsonl(io.BytesIO(out.getvalue()), restore=True)
        for entity in (NEW_DEAL, OLD_DEAL, FOXCONN, HONDA):
            assert ids(restored.events(entity=entity)) == ids(lg.events(entity=entity)), entity
    lg.rebuild(check=True)


@pytest.fixture
def moved_with_its_trail(lg):
    """Talks entered as Nissan-Honda; Honda's denial, then voided; the scope corrected (the same
    entities); then the claim corrected to Nissan-Foxconn. Returns the events in order."""
    claim = talks_with(OLD_DEAL, HONDA)
    denial = statement("denied", HONDA, claim, occurred_at="2025-07-02")
    unsaid = void(denial)
    rescoped = correction(claim, {**claim["data"], "scope": "EVs and batteries at Oppama"})
    moved = correction(claim, talks_with(NEW_DEAL, FOXCONN)["data"])
    lg.append_many([claim, denial, unsaid, rescoped, moved])
    return claim, denial, unsaid, rescoped, moved


def test_a_claim_moved_takes_its_earlier_corrections_and_its_statements_voids_along(lg, moved_with_its_trail):
    *_, rescoped, moved = moved_with_its_trail

    assert ids(lg.events(entity=NEW_DEAL)) == [e["id"] for e in moved_with_its_trail]
    assert ids(lg.events(entity=FOXCONN)) == [e["id"] for e in moved_with_its_trail]
    [shown] = lg.claims(NEW_DEAL)
    assert shown["status"] == "reported"  # Honda's denial was voided: it no longer counts
    assert [s["voided"] for s in shown["statements"]] == [True]
    assert [c["id"] for c in shown["corrections"]] == [rescoped["id"], moved["id"]]
    assert lg.claims(NEW_DEAL) == lg.claims(FOXCONN) == lg.claims()
    assert ids(lg.events(entity=OLD_DEAL)) == [rescoped["id"], moved["id"]]  # they name it themselves
    assert lg.verify().ok
    lg.rebuild(check=True)


def test_a_statement_moved_to_another_speaker_takes_its_earlier_corrections_along(lg):
    claim = talks_with(NEW_DEAL, FOXCONN)
    said = statement("confirmed", HONDA, claim, occurred_at="2025-07-02")
    reworded = correction(said, {"by": HONDA, "quote": "we confirm"})
    by_foxconn = correction(said, {"by": FOXCONN, "quote": "we confirm"})
    lg.append_many([claim, said, reworded, by_foxconn])

    assert ids(lg.events(entity=FOXCONN)) == [claim["id"], said["id"], reworded["id"], by_foxconn["id"]]
    assert ids(lg.events(entity=HONDA)) == [reworded["id"], by_foxconn["id"]]  # they name Honda themselves
    assert lg.verify().ok


def test_init_repairs_a_ledger_whose_index_left_a_moved_claims_corrections_behind(lg, moved_with_its_trail):
    """A ledger written before the index moved a claim's corrections along (schema 0008): `init` records
    the moves its corrections lack, and the claim's trail is whole again under its new entities."""
    from support.guards import unguarded

    _, _, unsaid, rescoped, _ = moved_with_its_trail
    positions = [e.position for e in lg.events() if e.id in (unsaid["id"], rescoped["id"])]
    keys = ", ".join(map(str, positions))
    with lg.store.writing() as tx, unguarded(tx.sql):  # as the old writer left it
        tx.sql.run(f"DELETE FROM index_changes WHERE position IN ({keys})")
        tx.sql.run(
            f"DELETE FROM event_entities WHERE position IN ({keys}) "
            f"AND entity_id IN ('{NEW_DEAL}', '{FOXCONN}')"
        )
        tx.sql.run("UPDATE alembic_version SET version_num = '0008'")
    with lg.store.writing() as tx:  # what migrations 0009 and 0010 add (triggers go with their tables)
        tx.sql.run("DROP INDEX ix_event_names_position")
        tx.sql.run("DROP TABLE group_index")
        for table in ("projection_moments", "entity_versions", "claim_versions"):
            tx.sql.run(f"DROP TABLE {table}")
    lg.close()
    import ledger

    with ledger.open(lg.url) as old:
        with old.store.reading() as tx:
            assert tx.schema_revision() == "0008"
        old.init()
        assert old.verify().ok
        assert ids(old.events(entity=NEW_DEAL)) == [e["id"] for e in moved_with_its_trail]
        old.rebuild(check=False)
        [shown] = old.claims(NEW_DEAL)
        assert shown["status"] == "reported"
        assert [c["id"] for c in shown["corrections"]] == [rescoped["id"], moved_with_its_trail[4]["id"]]


def test_the_group_index_holds_the_types_that_set_a_companys_group():
    from ledger.projections.context import GROUP_TYPES
    from ledger.store.rows import GROUP_INDEX_TYPES

    assert set(GROUP_INDEX_TYPES) == set(GROUP_TYPES)


def test_a_registration_corrected_to_another_parent_moves_in_the_group_index_too(lg):
    registered = an_event(
        "company.registered", {"company": "company:nissan-ev", "name": "Nissan EV", "parent": HONDA}
    )
    lg.append(registered)
    lg.append(correction(registered, {**registered["data"], "parent": NISSAN}))

    assert lg.show(NISSAN)["subsidiaries"] == ["company:nissan-ev"]
    assert lg.verify().ok  # verify compares group_index with the entity index, pair for pair
    with lg.store.reading() as tx:
        assert tx.sql.rows("SELECT entity_id FROM group_index ORDER BY entity_id") == [
            (HONDA,),
            (NISSAN,),
            ("company:nissan-ev",),
        ]


def test_a_claim_moved_twice_leaves_each_move_under_the_entities_it_moved_it_from(lg):
    claim = talks_with(OLD_DEAL, HONDA)
    first = correction(claim, talks_with(NEW_DEAL, FOXCONN)["data"])
    second = correction(claim, talks_with("partnership:nissan-byd", "company:byd")["data"])
    lg.append_many([claim, first, second])

    assert ids(lg.events(entity=OLD_DEAL)) == [first["id"]]
    assert ids(lg.events(entity=NEW_DEAL)) == [first["id"], second["id"]]
    assert ids(lg.events(entity="partnership:nissan-byd")) == [claim["id"], first["id"], second["id"]]
    assert lg.verify().ok
