"""`ledger import` of malformed input: exit 3, one `error: line N: FIELD: ...` line, nothing written."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

import pytest
from support.factories import TALKS, an_event, correction, statement, talks
from support.runner import exported, ledger_cli, one_error_line, state, write_jsonl

import ledger

DENIAL = statement("denied", "company:foxconn", TALKS, event_id="22222222-2222-4222-8222-222222222222")
FIX = correction(TALKS, {**TALKS["data"], "scope": "EVs"}, event_id="33333333-3333-4333-8333-333333333333")
ALREADY_STORED = [TALKS, DENIAL, FIX]
UNKNOWN_ID = "99999999-9999-4999-8999-999999999999"
SQL = "'; DROP TABLE events; --"
DROP = object()


def edit(event: dict[str, Any], path: str, value: Any = DROP) -> dict[str, Any]:
    """A copy of `event` with the field at dotted `path` (list indexes as numbers) set, or removed."""
    event = copy.deepcopy(event)
    *parents, last = (int(key) if key.isdigit() else key for key in path.split("."))
    target = event
    for key in parents:
        target = target[key]
    if value is DROP:
        del target[last]
    else:
        target[last] = value
    return event


def a_plant(**changes: Any) -> dict[str, Any]:
    data = {
        "plant": "plant:nissan-tochigi",
        "name": "Tochigi",
        "operator": "company:nissan",
        "location": {"city": "Kaminokawa", "country": "Japan"},
        **changes,
    }
    return an_event("plant.registered", data)


def a_plan(**measure: Any) -> dict[str, Any]:
    data = {
        "plan": "plan:re-nissan",
        "company": "company:nissan",
        "title": "Re:Nissan",
        "measures": [{"kind": "plant_closures", **measure}],
    }
    return an_event("plan.announced", data)


@dataclass(frozen=True)
class Bad:
    name: str
    lines: list[Any]  # events (dicts) or raw bytes, one per line
    error: str  # how the error line starts after `error: `

    def content(self) -> bytes:
        return b"".join(
            (line if isinstance(line, bytes) else json.dumps(line).encode()) + b"\n" for line in self.lines
        )


NEW = talks(partnership="partnership:nissan-honda")
CORPUS = [
    Bad("truncated JSON", [b'{"type": "talks.reported", "occurred_at":'], "line 1: invalid JSON"),
    Bad("not UTF-8", [b'{"type": "talks.reported\xff"}'], "line 1: invalid JSON"),
    Bad("NaN", [json.dumps(NEW).replace('"EVs at Oppama"', "NaN").encode()], "line 1: invalid JSON"),
    Bad("an array, not an object", [[NEW]], "line 1: expected a JSON object, got list"),
    Bad("a string, not an object", ["talks.reported"], "line 1: expected a JSON object, got str"),
    Bad("unknown type", [edit(NEW, "type", "talks.rumoured")], "line 1: type: unknown event type"),
    Bad("missing type", [edit(NEW, "type")], "line 1: type: missing required field"),
    Bad("unknown envelope field", [edit(NEW, "author", "me")], "line 1: author: unknown field"),
    Bad("missing occurred_at", [edit(NEW, "occurred_at")], "line 1: occurred_at: missing required field"),
    Bad("occurred_at a number", [edit(NEW, "occurred_at", 20250707)], "line 1: occurred_at: "),
    Bad("occurred_at 2025-02-30", [edit(NEW, "occurred_at", "2025-02-30")], "line 1: occurred_at: "),
    Bad("occurred_at at hour 25", [edit(NEW, "occurred_at", "2025-07-07T25:00Z")], "line 1: occurred_at: "),
    Bad("occurred_at in words", [edit(NEW, "occurred_at", "last Monday")], "line 1: occurred_at: expected"),
    Bad("missing data", [edit(NEW, "data")], "line 1: data: missing required field"),
    Bad("data a list", [edit(NEW, "data", [])], "line 1: data: "),
    Bad("unknown data field", [edit(NEW, "data.rumour", "big")], "line 1: data.rumour: unknown field"),
    Bad("missing data field", [edit(NEW, "data.scope")], "line 1: data.scope: missing required field"),
    Bad("parties a string", [edit(NEW, "data.parties", "company:nissan")], "line 1: data.parties: "),
    Bad("one party", [edit(NEW, "data.parties", ["company:nissan"])], "line 1: data.parties: "),
    Bad(
        "duplicate parties",
        [edit(NEW, "data.parties", ["company:nissan", "company:nissan"])],
        "line 1: data.parties: a party is named twice",
    ),
    Bad("missing sources", [edit(NEW, "sources")], "line 1: sources: at least one source is required"),
    Bad("empty sources", [edit(NEW, "sources", [])], "line 1: sources: at least one source is required"),
    Bad("sources a string", [edit(NEW, "sources", "Nikkei")], "line 1: sources: "),
    Bad("unknown source kind", [edit(NEW, "sources.0.kind", "blog")], "line 1: sources[0].kind: "),
    Bad("empty source name", [edit(NEW, "sources.0.name", "")], "line 1: sources[0].name: "),
    Bad("source url not http", [edit(NEW, "sources.0.url", "ftp://x")], "line 1: sources[0].url: expected"),
    Bad("note a number", [edit(NEW, "note", 5)], "line 1: note: "),
    Bad(
        "upper-case entity id",
        [edit(NEW, "data.parties.1", "company:Foxconn")],
        "line 1: data.parties[1]: expected a company or authority id",
    ),
    Bad(
        "entity id without kind",
        [edit(NEW, "data.partnership", "nissan-honda")],
        "line 1: data.partnership: expected a partnership id",
    ),
    Bad(
        "entity id with empty slug part",
        [edit(NEW, "data.plant", "plant:nissan--oppama")],
        "line 1: data.plant: expected a plant id",
    ),
    Bad(
        "plant where a company belongs",
        [a_plant(operator="plant:nissan-oppama")],
        "line 1: data.operator: expected a company id",
    ),
    Bad(
        "SQL in an entity id",
        [edit(NEW, "data.partnership", f"partnership:x{SQL}")],
        "line 1: data.partnership: expected a partnership id",
    ),
    Bad("negative employees", [a_plant(employees=-1)], "line 1: data.employees: "),
    Bad("employees as text", [a_plant(employees="3900")], "line 1: data.employees: "),
    Bad("employees beyond 2**53", [a_plant(employees=2**60)], "line 1: data.employees: "),
    Bad("float count", [a_plan(count=7.0)], "line 1: data.measures[0].count: "),
    Bad("percent over 100", [a_plan(percent=150)], "line 1: data.measures[0].percent: "),
    Bad(
        "effective_by 2025-02-30",
        [
            an_event(
                "plant.closure_announced",
                {"plant": "plant:nissan-oppama", "company": "company:nissan", "effective_by": "2025-02-30"},
            )
        ],
        "line 1: data.effective_by: ",
    ),
    Bad("id not a UUID", [edit(NEW, "id", "event-1")], "line 1: id: expected a UUID"),
    Bad(
        "ref not a UUID",
        [edit(statement("denied", "company:nissan", TALKS), "refs", ["talks"])],
        "line 1: refs[0]: expected a UUID",
    ),
    Bad(
        "dangling ref",
        [statement("denied", "company:nissan", {"id": UNKNOWN_ID})],
        f"line 1: refs[0]: no earlier event has id {UNKNOWN_ID}",
    ),
    Bad(
        "ref to a later line",
        [statement("denied", "company:nissan", NEW), NEW],
        f"line 1: refs[0]: no earlier event has id {NEW['id']}",
    ),
    Bad(
        "same ref twice",
        [statement("denied", "company:nissan", TALKS, TALKS)],
        "line 1: refs: the same event is referenced twice",
    ),
    Bad(
        "statement without refs",
        [statement("denied", "company:nissan")],
        "line 1: refs: a statement must reference at least one earlier claim",
    ),
    Bad(
        "statement about a statement",
        [statement("denied", "company:nissan", DENIAL)],
        "line 1: refs[0]: a statement must reference claims",
    ),
    Bad(
        "statement by a malformed company",
        [statement("denied", "company:Nissan!", TALKS)],
        "line 1: data.by: expected a company id",
    ),
    Bad(
        "correction with two refs",
        [edit(correction(TALKS, TALKS["data"]), "refs", [TALKS["id"], FIX["id"]])],
        "line 1: refs: a correction must reference exactly one earlier event",
    ),
    Bad(
        "correction of a correction",
        [correction(FIX, TALKS["data"])],
        "line 1: refs[0]: a correction cannot itself be corrected or voided",
    ),
    Bad(
        "replacement lacking a field of its target's type",
        [correction(TALKS, {"partnership": "partnership:x"})],
        "line 1: data.replacement.parties: missing required field",
    ),
    Bad(
        "replacement with a field of another type",
        [correction(TALKS, {**TALKS["data"], "acquirer": "x"})],
        "line 1: data.replacement.acquirer: unknown field",
    ),
    Bad(
        "claim with refs",
        [edit(NEW, "refs", [TALKS["id"]])],
        "line 1: refs: only statements and corrections reference other events",
    ),
    Bad("line over 64 KiB", [edit(NEW, "note", "x" * 70_000)], "line 1: line is longer than the"),
    Bad(
        "bad line in the middle of a good file",
        [
            talks(partnership="partnership:a-b"),
            talks(partnership="partnership:c-d"),
            edit(NEW, "data.scope"),
            talks(partnership="partnership:e-f"),
        ],
        "line 3: data.scope: missing required field",
    ),
    Bad(
        "dangling ref after good lines",
        [
            talks(partnership="partnership:a-b"),
            talks(partnership="partnership:c-d"),
            statement("denied", "company:nissan", {"id": UNKNOWN_ID}),
        ],
        f"line 3: refs[0]: no earlier event has id {UNKNOWN_ID}",
    ),
]


@pytest.fixture
def stored(db_url):
    """A ledger already holding a claim, a statement about it and a correction of it."""
    with ledger.open(db_url) as lg:
        lg.append_many(ALREADY_STORED)
    return db_url


@pytest.mark.parametrize("bad", CORPUS, ids=[bad.name for bad in CORPUS])
def test_malformed_input_is_refused_with_one_line_naming_line_and_field_and_nothing_is_written(
    bad, stored, tmp_path
):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(bad.content())
    before = state(stored)

    result = ledger_cli(stored, "import", str(path))

    assert result.exit_code == 3, result.stderr
    assert one_error_line(result).startswith(f"error: {bad.error}")
    assert state(stored) == before


def test_the_corpus_holds_at_least_thirty_distinct_cases():
    assert len({bad.name for bad in CORPUS}) == len(CORPUS) >= 30


def test_each_corpus_case_is_one_change_away_from_input_that_imports(stored, tmp_path):
    good = [
        a_plant(),
        a_plan(count=7),
        NEW,
        statement("denied", "company:nissan", NEW, TALKS),
        correction(TALKS, TALKS["data"]),
        an_event(
            "plant.closure_announced",
            {"plant": "plant:nissan-oppama", "company": "company:nissan", "effective_by": "2025-02-28"},
        ),
    ]

    result = ledger_cli(stored, "import", write_jsonl(tmp_path / "good.jsonl", good))

    assert result.exit_code == 0, result.stderr


def test_sql_in_free_text_is_stored_and_exported_verbatim(db_url, tmp_path):
    event = an_event(
        "talks.reported",
        {
            "partnership": "partnership:nissan-foxconn-oppama",
            "parties": ["company:nissan", "company:foxconn"],
            "scope": SQL,
        },
        sources=[{"name": SQL, "kind": "other"}],
        note=SQL,
    )

    result = ledger_cli(db_url, "import", write_jsonl(tmp_path / "sql.jsonl", [event]))

    assert result.exit_code == 0, result.stderr
    [kept] = exported(db_url)
    assert (kept["data"]["scope"], kept["sources"][0]["name"], kept["note"]) == (SQL, SQL, SQL)
    assert ledger_cli(db_url, "verify").exit_code == 0
