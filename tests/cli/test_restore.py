"""`import --restore` checks each line exactly as the contract hashes it (issue 13, items 6 and 7).

A restored line must be the event as exported: SHA-256 of the RFC 8785 form of the line as it stands,
without its hash, is its hash, with no normalisation in between (a null, an upper-case id or `true` for a
position hash otherwise; an independent verifier using the `rfc8785` reference would refuse them). Its
recorded_at is a ledger time, never going back and not in the future; `--head HASH@POSITION` refuses an
export that stops early. Every refusal is one line, and nothing is restored.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
import rfc8785
from support.factories import EVERY_TYPE
from support.runner import jsonl, ledger_cli, one_error_line, state

import ledger

Lines = list[dict[str, Any]]
EMPTY = (0, "0" * 64)


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Lines:
    """The export of a ledger holding one event of every type, parsed (made once: the same on any backend)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('source') / 'ledger.db'}"
    ledger.init(url).close()
    assert ledger_cli(url, "import", "-", input=jsonl(EVERY_TYPE)).exit_code == 0
    return [json.loads(line) for line in ledger_cli(url, "export").stdout.splitlines()]


def reference_hash(line: dict[str, Any]) -> str:
    """The hash the contract gives a line: rfc8785 and hashlib, not the ledger."""
    return hashlib.sha256(rfc8785.dumps({k: v for k, v in line.items() if k != "hash"})).hexdigest()


def rechained(lines: Lines, start: int) -> Lines:
    """Lines from `start` (0-based) on with their chain recomputed, as anyone with the reference can."""
    for i in range(start, len(lines)):
        if i:
            lines[i]["prev_hash"] = lines[i - 1]["hash"]
        lines[i]["hash"] = reference_hash(lines[i])
    return lines


def restore(url: str, lines: Lines, *args: str, text: str | None = None):
    return ledger_cli(
        url, "import", "--restore", "-", *args, input=text if text is not None else jsonl(lines)
    )


# -- lines whose hash is right only after normalisation -------------------------------------------------
def _set(index: int, key: str, value: Any) -> Callable[[Lines], Lines]:
    def forge(lines: Lines) -> Lines:
        lines[index][key] = value
        return lines

    return forge


def _upper_id(lines: Lines) -> Lines:
    lines[9]["id"] = lines[9]["id"].upper()
    return lines


AS_IT_STANDS = (
    "its hash is not that of the line as it stands (RFC 8785); "
    "a field is written otherwise than the export writes it"
)
NORMALISED_ONLY = {
    '"note": null': (
        _set(9, "note", None),
        f"the export's line does not verify at position 10: {AS_IT_STANDS}",
    ),
    '"refs": null': (
        _set(9, "refs", None),
        f"the export's line does not verify at position 10: {AS_IT_STANDS}",
    ),
    "an upper-case id": (_upper_id, f"the export's line does not verify at position 10: {AS_IT_STANDS}"),
    '"position": true': (
        _set(0, "position", True),
        "the export's chain does not verify at position 1: found position True",
    ),
}


@pytest.mark.parametrize("forge, problem", NORMALISED_ONLY.values(), ids=NORMALISED_ONLY.keys())
def test_a_line_whose_hash_holds_only_after_normalisation_is_refused(db_url, exported, forge, problem):
    lines = forge(copy.deepcopy(exported))
    bad = next(
        i for i, (a, b) in enumerate(zip(lines, exported, strict=True)) if json.dumps(a) != json.dumps(b)
    )
    assert reference_hash(lines[bad]) != lines[bad]["hash"]  # the reference refuses it

    result = restore(db_url, lines)

    assert result.exit_code == 5
    assert one_error_line(result) == f"error: line {bad + 1}: {problem}"
    assert state(db_url) == EMPTY


# -- recorded_at ------------------------------------------------------------------------------------------
RECORDED_AT = {
    "not a time": (9, "zzzz", "not a ledger time"),
    "not a real moment": (9, "2026-02-30T10:00:00.000000Z", "not a ledger time"),
    "without microseconds": (9, "2026-01-01T10:00:00Z", "not a ledger time"),
    "in the year 9999": (len(EVERY_TYPE) - 1, "9999-12-31T23:59:59.999999Z", "is in the future"),
}


@pytest.mark.parametrize("index, value, problem", RECORDED_AT.values(), ids=RECORDED_AT.keys())
def test_a_recorded_at_that_is_no_ledger_time_or_in_the_future_is_refused(
    db_url, exported, index, value, problem
):
    lines = copy.deepcopy(exported)
    lines[index]["recorded_at"] = value
    if index < len(lines) - 1:  # later events may not go back in time either
        for later in lines[index + 1 :]:
            later["recorded_at"] = max(later["recorded_at"], value)
    rechained(lines, index)  # hashes as the contract computes them: only the time is wrong

    result = restore(db_url, lines)

    assert result.exit_code == 5
    line = one_error_line(result)
    assert line.startswith(
        f"error: line {index + 1}: the export's chain does not verify at position {index + 1}"
    )
    assert problem in line
    assert state(db_url) == EMPTY


def test_a_recorded_at_going_back_in_time_is_refused(db_url, exported):
    lines = copy.deepcopy(exported)
    lines[9]["recorded_at"] = "2000-01-01T00:00:00.000000Z"
    rechained(lines, 9)

    result = restore(db_url, lines)

    assert result.exit_code == 5
    assert "going back in time" in one_error_line(result)
    assert state(db_url) == EMPTY


# -- a truncated export ----------------------------------------------------------------------------------
def test_head_refuses_an_export_that_stops_early_and_takes_the_whole_one(db_url, exported):
    whole = f"{exported[-1]['hash']}@{len(exported)}"

    cut = restore(db_url, exported[:-5], "--head", whole)

    assert cut.exit_code == 5
    assert one_error_line(cut) == (
        f"error: the export ends at position {len(exported) - 5} (head {exported[-6]['hash'][:12]}…), not at "
        f"{exported[-1]['hash'][:12]}…@{len(exported)}: it is truncated, or not the export --head names; "
        "nothing was restored"
    )
    assert state(db_url) == EMPTY
    done = restore(db_url, exported, "--head", whole)
    assert done.exit_code == 0, done.stderr
    assert state(db_url) == (len(exported), exported[-1]["hash"])


def test_head_is_refused_without_restore(db_url, exported):
    result = ledger_cli(db_url, "import", "-", "--head", f"{'a' * 64}@1", input=jsonl(exported))

    assert result.exit_code == 2
    assert one_error_line(result) == "error: --head: a head is checked by a restore (--restore)"


# -- input read as strictly as it is hashed (item 7) ----------------------------------------------------
def test_a_duplicate_key_in_a_restored_line_is_refused(db_url, exported):
    text = jsonl(exported)
    lines = text.splitlines(keepends=True)
    lines[4] = '{"type": "plant.closed", ' + lines[4][1:]

    result = restore(db_url, [], text="".join(lines))

    assert result.exit_code == 3
    assert one_error_line(result) == "error: line 5: duplicate key 'type': an object may name each key once"
    assert state(db_url) == EMPTY


LAX = {
    "a percentage as text": ("data.measures[1].percent", "15.5"),
    "a percentage as true": ("data.measures[1].percent", True),
    "a count as text": ("data.measures[0].count", "7"),
}


@pytest.mark.parametrize("field, value", LAX.values(), ids=LAX.keys())
def test_a_number_given_as_text_or_true_is_refused_not_coerced(db_url, exported, field, value):
    lines = copy.deepcopy(exported)
    plan = lines[2]  # plan.announced: measures [{count 7, of 17}, {percent 15.5}]
    assert plan["type"] == "plan.announced"
    measure = int(field.split("[")[1][0])
    plan["data"]["measures"][measure][field.rsplit(".", 1)[1]] = value
    rechained(lines, 2)

    restored = restore(db_url, lines)
    imported = ledger_cli(
        db_url, "import", "-", input=jsonl([{k: plan[k] for k in ("type", "occurred_at", "data", "sources")}])
    )

    for result in (restored, imported):
        assert result.exit_code == 3
        assert one_error_line(result).startswith(f"error: line {3 if result is restored else 1}: {field}: ")
    assert state(db_url) == EMPTY


def test_integers_beyond_two_to_the_53_minus_one_are_refused_and_the_limit_itself_hashes(db_url):
    def plant(employees: int) -> dict[str, Any]:
        event = copy.deepcopy(EVERY_TYPE[1])
        event["data"]["employees"] = employees
        return event

    refused = ledger_cli(db_url, "import", "-", input=jsonl([plant(2**53)]))
    taken = ledger_cli(db_url, "import", "-", input=jsonl([plant(2**53 - 1)]))

    assert refused.exit_code == 3
    assert one_error_line(refused) == (
        "error: line 1: data.employees: input should be less than or equal to 9007199254740991"
    )
    assert taken.exit_code == 0, taken.stderr
    (line,) = [json.loads(x) for x in ledger_cli(db_url, "export").stdout.splitlines()]
    assert reference_hash(line) == line["hash"]  # the reference hashes what the ledger took
    with pytest.raises(rfc8785.IntegerDomainError):
        rfc8785.dumps({"employees": 2**53})
