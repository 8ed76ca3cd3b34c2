"""Hostile and malformed input to `ledger import` and `ledger append` (issue 5), on SQLite and PostgreSQL.

What this file proves:

- Fuzzed `import` input — random bytes, random JSON, near-valid events of every v1 type with one thing
  broken (a required key dropped, a value of the wrong type, an impossible date, a malformed entity id,
  an unknown type, an extra key, a reference to a missing claim, an id in a malformed spelling), odd
  Unicode (lone surrogates, NUL, RTL marks, emoji, NFC and NFD spellings), SQL-looking strings, huge
  fields, deep nesting, over-long lines and a long last line without a newline, mixed with valid lines
  in one file — has two outcomes only: exit 0 with every event appended (`verify` passes, the
  projections are caught up, every stored id and indexed entity is well formed, every event exports as
  a line `import` takes back), or exit 3 with exactly one `error: line N: ...` line naming a line that
  can be at fault; never a traceback, never a hang, and after exit 3 the ledger is exactly as it was
  (events, head hash, index rows, projection tables and checkpoint).
- The same for `ledger append TYPE --data ... --occurred-at ... --source ... --ref ... --id ... --note`
  with fuzzed options, and for `ledger append --file -`.
- The limits hold (values from `ledger/events.py`): a line over MAX_LINE_BYTES (64 KiB) is refused
  naming it, and one of exactly 64 KiB is taken; an event is accepted only if it exports as a line
  within that limit, so every export can be imported again; a 50 MB line without a newline is refused in
  bounded memory (measured in a child process); JSON nested deeper than 1,024 levels is refused as
  invalid JSON before it is validated.

Default runs are small; `LEDGER_SOAK=1` runs each property with many more examples. How many examples
each property ran, and their outcomes, are recorded through `record_trial` and printed with the
reliability figures at the end of the run.
"""

from __future__ import annotations

import copy
import json
import re
import signal
import subprocess
import sys
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.factories import EVERY_TYPE, TALKS, an_event
from support.runner import ledger_cli, one_error_line
from typer.testing import Result

from ledger.entities import ENTITY_ID_RE
from ledger.events import MAX_LINE_BYTES, STORE_KEYS
from ledger.vocabulary.fields import MAX_NAME, MAX_TEXT, Source
from ledger.vocabulary.registry import CATEGORIES, ENTITY_FIELDS, EVENT_TYPES, model
from ledger.vocabulary.v1 import Location, Measure
from reliability.support import REPO_ROOT, SOAK, Probe, errors_in, probe, subprocess_env

# -- budgets --------------------------------------------------------------------------------------------
EXAMPLES = (
    {"import": 400, "append": 400, "append-file": 150}
    if SOAK
    else {"import": 40, "append": 50, "append-file": 20}
)
COMMAND_TIME_LIMIT_S = 60  # one CLI call; anything slower counts as a hang
NESTING_LIMIT = 1024  # orjson's: deeper JSON is "invalid JSON: depth limit exceeded"
BIG_LINE_BYTES = 50 * 1024 * 1024

FUZZ_SETTINGS = settings(
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

# -- what a line can be ---------------------------------------------------------------------------------
VALID = "valid"  # an event that must be accepted (given the earlier lines), or a blank line
BAD = "bad"  # refused on its own: the error names this line or an earlier one
BAD_IN_CONTEXT = "bad in context"  # refused once checked against the ledger (a dangling ref, ...)
UNKNOWN = "unknown"  # fuzz: either outcome is fine, as long as it is one of the two

POOL: list[dict[str, Any]] = EVERY_TYPE  # one valid event of every type; refs name TALKS
POOL_IDS = frozenset(e["id"] for e in POOL)
TALKS_INDEX = next(i for i, e in enumerate(POOL) if e["id"] == TALKS["id"])
REFERRING = frozenset(i for i, e in enumerate(POOL) if e["refs"])
POOL_BY_TYPE = {e["type"]: e for e in POOL}
DEEP = "\x00deep\x00"  # placeholder for a value replaced by nested arrays after serialisation
DEEP_JSON = json.dumps(DEEP).encode()
CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _keys(model: Any) -> set[str]:
    """The JSON keys of a payload model (`from`, not the attribute `from_`)."""
    return {field.encode_name for field in msgspec.structs.fields(model)}


def _required_keys(model: Any) -> list[str]:
    return [field.encode_name for field in msgspec.structs.fields(model) if field.required]


KNOWN_KEYS = frozenset(
    {"id", "type", "occurred_at", "data", "sources", "refs", "note", *STORE_KEYS}
    | {key for model in [*map(model, EVENT_TYPES), Source, Location, Measure] for key in _keys(model)}
)
FREE_TEXT_KEYS = frozenset(
    {
        "name",
        "title",
        "scope",
        "reason",
        "quote",
        "note",
        "country",
        "city",
        "region",
        "product",
        "stake",
        "description",
        "aliases",
        "products",
        "by",
    }
)
SQL = [
    "'); DROP TABLE events;--",
    "1; DELETE FROM events WHERE 1=1; --",
    '" OR ""="',
    "Robert'); DROP TABLE event_entities; --",
    "$$; DROP SCHEMA public CASCADE; --",
    "%s %(x)s {0} ?",
    "\\x00'; SELECT pg_sleep(30); --",
]
ODD_TEXT = [
    *SQL,
    "a\x00b",  # NUL: PostgreSQL text cannot hold it raw
    "\u200f\u202eevil\u202c",  # RTL mark, right-to-left override
    "\u0645\u0631\u062d\u0628\u0627",  # Arabic
    "\U0001f600\U0001f3ed\U0001f1ef\U0001f1f5",  # emoji, a flag
    "\U0001f469\u200d\U0001f469\u200d\U0001f467",  # a ZWJ sequence
    "Caf\u00e9",  # NFC
    "Cafe\u0301",  # NFD: the same text to a reader, other code points
    "\ufeffBOM first",
    "line\u2028separator\u2029paragraph",
    "two\nlines\r\nand\ttab",
    "\x1b[31mred\x1b[0m\x7f",
    "\uffff\U0010ffff",
    " ",
    "\u65e5\u7523\u81ea\u52d5\u8eca",  # 日産自動車
    "Z\u0337\u0322\u034ea\u0334l\u0338g\u0335o\u0336",
]
LONE_SURROGATES = ["\ud800", "x\udfffy", "\udc00\ud800"]
BAD_TIMES = [
    "2025-02-30",
    "2025-13-01",
    "0000-01-01",
    "2025-07-07T24:00Z",
    "2025-07-07T23:60Z",
    "2025-7-7",
    "07/07/2025",
    "2025-07-07T10:00+25:00",
    "",
    "yesterday",
    "2025-07-07\n",
    " 2025-07-07",
    "\uff12\uff10\uff12\uff15-\uff10\uff17-\uff10\uff17",  # full-width digits
    "2025-07-07T10:00:00.1234567890Z",
    "'); DROP TABLE events;--",
]
GOOD_TIMES = [
    "2025-07-07",
    "2024-02-29",
    "2025-07-07T10:00:00Z",
    "2025-07-07T10:00:00.123456789+09:00",
    "2025-07-07 10:00",
    "2025-07-07t10:00z",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+23:59",
]
NEAR_TYPES = [
    "talks.Reported",
    "talks.reported ",
    " talks.reported",
    "talks",
    "report.confirm",
    "entry.deleted",
    "TALKS.REPORTED",
    "talks\u2024reported",
    "talks.reported\x00",
    "'); DROP TABLE events;--",
    "",
]


def bad_entity_ids(kind: str) -> list[str]:
    other = "plant" if kind != "plant" else "company"
    return [
        f"{kind.capitalize()}:nissan",
        f"{kind}:",
        f"{kind}:nissan--x",
        f"{kind}:-nissan",
        f"{kind}:nissan-",
        f"{kind}:\u65e5\u7523",
        f"{kind}:nissan oppama",
        f"{kind}:nissan\n",
        f" {kind}:nissan",
        f"{kind}:x'); DROP TABLE events;--",
        f"{kind}:" + "a" * MAX_NAME,
        f"{other}:nissan",
        "nissan",
        "",
    ]


# -- strategies -----------------------------------------------------------------------------------------
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(ODD_TEXT)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


@dataclass
class Line:
    """One line of a fuzzed file: an event (serialised in the test, after fresh ids) or raw bytes."""

    kind: str
    event: Any = None
    raw: bytes | None = None
    deep: int = 0  # nested arrays replacing the DEEP placeholder
    id_style: str | None = None  # the line gets a fresh id in this spelling
    ascii: bool = True
    ending: bytes = b"\n"
    pool: bool = False  # an untouched event of the pool
    note: str = ""  # what was done to it, for failure messages

    def __repr__(self) -> str:  # what a failing example prints: a 3 MB line cut short
        event, raw = repr(self.event), repr(self.raw)
        return (
            f"Line({self.kind!r}, {self.note!r}, pool={self.pool}, event={event[:300]}"
            f"{'...' if len(event) > 300 else ''}, raw={raw[:100]}{'...' if len(raw) > 100 else ''}, "
            f"deep={self.deep}, id_style={self.id_style!r}, ascii={self.ascii}, ending={self.ending!r})"
        )

    @property
    def refers_to_pool(self) -> bool:
        refs = self.event.get("refs") if isinstance(self.event, dict) else None
        return isinstance(refs, list) and any(isinstance(r, str) and r in POOL_IDS for r in refs)


ID_STYLES: dict[str, tuple[str, Callable[[str], str]]] = {
    "upper": (VALID, str.upper),
    "braces": (VALID, lambda u: "{" + u + "}"),
    "urn": (VALID, lambda u: "urn:uuid:" + u),
    "newline": (BAD, lambda u: u + "\n"),
    "space": (BAD, lambda u: u + " "),
    "short": (BAD, lambda u: u[:-1]),
    "sql": (BAD, lambda u: u[:8] + "'); DROP TABLE events;--"),
}


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _get(event: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        event = event[key]
    return event


def _set(event: Any, path: tuple[Any, ...], value: Any) -> None:
    _get(event, path[:-1])[path[-1]] = value


def _in_replacement(path: tuple[Any, ...]) -> bool:
    """Inside an `entry.corrected` replacement: checked only against its target, in the ledger."""
    return path[:2] == ("data", "replacement")


def _last_key(path: tuple[Any, ...]) -> Any:
    keys = [p for p in path if isinstance(p, str)]
    return keys[-1] if keys else None


@st.composite
def near_valid_events(draw: st.DrawFn, data_only: bool = False, event_type: str | None = None) -> Line:
    """A valid event (of `event_type`, or any) with one thing changed, and whether that makes it invalid;
    `data_only`: only its data is changed."""
    event = copy.deepcopy(POOL_BY_TYPE[event_type] if event_type else draw(st.sampled_from(POOL)))
    kind_of_type = CATEGORIES[event["type"]]
    paths = [p for p in _paths(event) if p and (not data_only or p[0] == "data")]
    strings = [p for p in paths if isinstance(_get(event, p), str)]
    free_text = [p for p in strings if _last_key(p) in FREE_TEXT_KEYS]
    entity_paths = [
        (p, kinds[0])  # a field naming one of several kinds: ids bad for the first are bad for all
        for key, kinds, is_list in ENTITY_FIELDS[event["type"]]
        if key in event["data"]
        for p in ([("data", key, i) for i in range(len(event["data"][key]))] if is_list else [("data", key)])
    ]
    if kind_of_type == "statement":
        entity_paths.append((("data", "by"), "by"))
    required = [("data", k) for k in _required_keys(model(event["type"]))]
    if not data_only:
        required += [("type",), ("occurred_at",), ("data",)]
        required += [("sources",)] if kind_of_type != "correction" else [("refs",)]
        required += [("refs",)] if kind_of_type == "statement" else []
    ops = ["drop required", "wrong type", "bad entity", "odd text", "over limit", "deep", "fuzz", "extra key"]
    if not data_only:
        ops += ["bad time", "unknown type", "ref", "id spelling"]
    available = {"bad entity": entity_paths, "odd text": free_text, "over limit": free_text}
    op = draw(st.sampled_from([o for o in ops if available.get(o, True)]))

    line = Line(UNKNOWN, event, note=op)
    if op == "drop required":
        path = draw(st.sampled_from(required))
        del _get(event, path[:-1])[path[-1]]
        line.kind = BAD
    elif op == "wrong type":
        path = draw(st.sampled_from(strings))
        containers = st.lists(json_scalars, max_size=2) | st.dictionaries(st.text(max_size=5), json_scalars)
        _set(event, path, draw(containers))
        line.kind = BAD_IN_CONTEXT if _in_replacement(path) else BAD
    elif op == "bad entity":
        path, kind = draw(st.sampled_from(entity_paths))
        if kind == "by":  # a company id, or any source name: bad only if it starts like a company id
            bad = [b for b in bad_entity_ids("company") if b.startswith("company:") or not b]
        else:
            bad = bad_entity_ids(kind)
        _set(event, path, draw(st.sampled_from(bad)))
        line.kind = BAD
    elif op == "odd text":
        path = draw(st.sampled_from(free_text))
        text = draw(
            st.sampled_from(ODD_TEXT) | st.text(min_size=1, max_size=40) | st.sampled_from(LONE_SURROGATES)
        )
        _set(event, path, text)
        if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
            line.kind = BAD  # not valid UTF-8 whichever way it is written: invalid JSON
        elif _last_key(path) != "by" or not text.startswith("company:"):
            line.kind = VALID
    elif op == "over limit":
        path = draw(st.sampled_from(free_text))
        _set(event, path, "x" * draw(st.integers(MAX_TEXT + 1, MAX_LINE_BYTES + 5000)))
        line.kind = BAD_IN_CONTEXT if _in_replacement(path) else BAD
    elif op == "deep":
        path = draw(st.sampled_from([p for p in paths if isinstance(_get(event, p), str | list)]))
        _set(event, path, DEEP)
        line.deep = draw(st.integers(2, 3 * NESTING_LIMIT) | st.just(10_000))  # 1 would be [], often valid
        line.kind = BAD_IN_CONTEXT if _in_replacement(path) else BAD
    elif op == "fuzz":
        path = draw(st.sampled_from(paths))
        if draw(st.booleans()):
            del _get(event, path[:-1])[path[-1]]
        else:
            _set(event, path, draw(json_values))
    elif op == "extra key":
        target = draw(st.sampled_from([p for p in [(), ("data",), ("sources", 0)] if _has(event, p)]))
        if data_only:
            target = ("data",)
        key = draw(st.text(max_size=12) | st.sampled_from(["a\nb", "x" * 300, "\u202e", "", *SQL]))
        _get(event, target)["x-" + key if key in KNOWN_KEYS else key] = draw(json_values)
        line.kind = BAD
    elif op == "bad time":
        times = [("occurred_at",), ("sources", 0, "published_at"), ("data", "effective_by")]
        path = draw(st.sampled_from(times))
        if (path[0] == "sources" and not event.get("sources")) or (
            path[0] == "data" and "effective_by" not in event["data"]
        ):
            path = ("occurred_at",)
        _set(event, path, draw(st.sampled_from(BAD_TIMES)))
        line.kind = BAD
    elif op == "unknown type":
        event["type"] = draw(st.sampled_from(NEAR_TYPES) | st.text(max_size=30).filter(_not_a_type))
        line.kind = BAD
    elif op == "ref":
        if kind_of_type == "claim":
            event["refs"] = [TALKS["id"]]  # claims carry no refs
            line.kind = BAD
        else:
            choice = draw(st.sampled_from(["missing", "twice", "not a uuid", "newline"]))
            event["refs"] = {
                "missing": [str(draw(st.uuids()))],
                "twice": [TALKS["id"], TALKS["id"]],
                "not a uuid": [draw(st.sampled_from(["talks", "", "1111", *SQL]))],
                "newline": [str(draw(st.uuids())) + "\n"],
            }[choice]
            line.kind = BAD_IN_CONTEXT if choice == "missing" else BAD
            line.note += f" {choice}"
    elif op == "id spelling":
        line.id_style = draw(st.sampled_from(sorted(ID_STYLES)))
        line.kind = ID_STYLES[line.id_style][0]
        line.note += f" {line.id_style}"
    return line


def _not_a_type(text: str) -> bool:
    return text not in EVENT_TYPES


def _has(event: Any, path: tuple[Any, ...]) -> bool:
    try:
        return isinstance(_get(event, path), dict)
    except (KeyError, IndexError, TypeError):
        return False


@st.composite
def raw_lines(draw: st.DrawFn) -> Line:
    """Lines that are not near-valid events: random bytes, random JSON, deep nesting, blank lines."""
    choice = draw(st.sampled_from(["bytes", "json", "deep", "blank", "too long"]))
    if choice == "bytes":
        raw = draw(st.binary(max_size=120)).replace(b"\n", b"")
        return Line(UNKNOWN, raw=raw, note="random bytes")
    if choice == "json":
        value = draw(json_values)
        kind = BAD if not isinstance(value, dict) or "type" not in value else UNKNOWN
        return Line(kind, event=value, ascii=draw(st.booleans()), note="random JSON")
    if choice == "deep":
        depth = draw(st.integers(NESTING_LIMIT + 1, 20_000))
        raw = b"[" * depth + b"]" * depth if draw(st.booleans()) else b'{"a":' * depth + b"1" + b"}" * depth
        return Line(BAD, raw=raw, note=f"{depth} levels")
    if choice == "blank":
        return Line(VALID, raw=draw(st.sampled_from([b"", b"   ", b"\t", b"\r"])), note="blank")
    event = copy.deepcopy(draw(st.sampled_from(POOL)))
    event["note"] = "x" * draw(st.integers(MAX_LINE_BYTES, MAX_LINE_BYTES + 10_000))
    return Line(BAD, event=event, note="line over 64 KiB")


ENDINGS = [b"\n", b"\r\n"]


@st.composite
def jsonl_files(draw: st.DrawFn) -> list[Line]:
    """Valid events of the pool in order; unless the file is to be clean, up to three other lines
    anywhere among them and now and then a long last line without a newline."""
    clean = draw(st.sampled_from([True, True, False, False, False]))
    chosen = set(draw(st.lists(st.integers(0, len(POOL) - 1), unique=True, max_size=len(POOL))))
    if chosen & REFERRING:
        chosen.add(TALKS_INDEX)
    lines = [
        Line(VALID, POOL[i], pool=True, ascii=draw(st.booleans()), ending=draw(st.sampled_from(ENDINGS)))
        for i in sorted(chosen)
    ]
    for _ in range(0 if clean else draw(st.integers(1, 3))):
        extra = draw(near_valid_events() | raw_lines())
        extra.ascii = draw(st.booleans())
        lines.insert(draw(st.integers(0, len(lines))), extra)
    if lines and draw(st.booleans()):
        lines[-1].ending = b""  # no newline at the end of the file
    if not clean and draw(st.integers(0, 9)) == 0:  # a long last line without a newline
        size = draw(st.integers(MAX_LINE_BYTES + 1, 3_000_000))
        start = draw(st.sampled_from([b"", b'{"type": "talks.reported", "note": "']))
        if lines:
            lines[-1].ending = lines[-1].ending or b"\n"
        lines.append(Line(BAD, raw=start + b"x" * size, ending=b"", note=f"{size}-byte last line"))
    return lines


def render(line: Line, fresh: dict[str, str]) -> bytes:
    """The line's bytes: pool ids replaced by fresh ones (consistently across the file), so that every
    example appends new events and never reuses an id of an earlier example."""
    if line.raw is not None:
        return line.raw + line.ending
    event = copy.deepcopy(line.event)
    if isinstance(event, dict):
        if isinstance(event.get("id"), str) and event["id"] in POOL_IDS:
            event["id"] = fresh[event["id"]] if line.pool else str(uuid.uuid4())
        if line.id_style:
            event["id"] = ID_STYLES[line.id_style][1](str(uuid.uuid4()))
        if isinstance(event.get("refs"), list):
            event["refs"] = [fresh[r] if isinstance(r, str) and r in POOL_IDS else r for r in event["refs"]]
    data = json.dumps(event, ensure_ascii=line.ascii).encode("utf-8", "surrogatepass")
    if line.deep:
        data = data.replace(DEEP_JSON, b"[" * line.deep + b"]" * line.deep)
    return data + line.ending


@dataclass
class Expectation:
    """What the lines of a file allow: whether it must import, must be refused, and which lines an error
    may name (the first line that is not an untouched valid event, up to the first line bad on its own)."""

    content: bytes
    events: int  # non-blank lines
    lines: int  # physical lines
    must_succeed: bool
    must_fail: bool
    first_suspect: int
    last_suspect: int
    notes: list[str] = field(default_factory=list)


def expectation(lines: list[Line]) -> Expectation:
    fresh: dict[str, str] = defaultdict(lambda: str(uuid.uuid4()))
    rendered = [render(line, fresh) for line in lines]
    content = b"".join(rendered)
    physical = content.count(b"\n") + (0 if content.endswith(b"\n") or not content else 1)
    talks_seen = False
    must_succeed = True
    first_suspect, last_suspect = physical + 1, physical
    for number, line in enumerate(lines, start=1):
        if line.pool and line.event["id"] == TALKS["id"]:
            talks_seen = True
        if line.kind != VALID or (line.refers_to_pool and not talks_seen):
            must_succeed = False
        if not line.pool:
            first_suspect = min(first_suspect, number)
        if line.kind == BAD:
            last_suspect = min(last_suspect, number)
    events = sum(1 for text in rendered if text.strip())
    return Expectation(
        content,
        events,
        physical,
        must_succeed,
        any(line.kind in (BAD, BAD_IN_CONTEXT) for line in lines),
        first_suspect,
        last_suspect,
        [f"{n}: {line.kind} {line.note}" for n, line in enumerate(lines, start=1) if not line.pool],
    )


# -- running commands and looking at the ledger --------------------------------------------------------
class Hang(BaseException):
    """A command ran past its time limit (a BaseException: the CLI's error reporter must not catch it)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise Hang(f"the command did not finish in {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run(db_url: str, *args: str, input: bytes | None = None) -> Result:
    """`ledger --db DB_URL ARGS...` in process, failing the test if it runs past the time limit."""
    with time_limit(COMMAND_TIME_LIMIT_S):
        result = ledger_cli(db_url, *args, input=input)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def snapshot(p: Probe) -> tuple[Any, ...]:
    """Everything a refused command must leave as it was: the log, its index, the projections."""
    return (
        p.count(),
        p.head_hash(),
        p.checkpoint(),
        *(
            int(p.one(f"SELECT COUNT(*) FROM {table}"))
            for table in ("event_entities", "event_refs", "projected_entities", "projected_claims")
        ),
    )


def assert_accepted_well(db_url: str, p: Probe, before: int) -> None:
    """After a command that wrote: the chain verifies, the projections are caught up, and what was
    stored is well formed (canonical ids, valid entity ids, each event exports as an importable line)."""
    count = p.count()
    verified = run(db_url, "verify", "--json")
    assert verified.exit_code == 0, verified.stderr
    report = json.loads(verified.stdout)
    assert report["ok"] is True and report["events"] == count, report
    assert p.checkpoint() == count
    ids = [row[0] for row in p.connection.execute(f"SELECT id FROM events WHERE position > {int(before)}")]
    assert all(CANONICAL_UUID.fullmatch(i) for i in ids), ids
    indexed = p.connection.execute(f"SELECT entity_id FROM event_entities WHERE position > {int(before)}")
    entities = [row[0] for row in indexed]
    assert all(re.fullmatch(ENTITY_ID_RE, e) for e in entities), entities
    exported = run(db_url, "events", "--since", str(before), "--json")
    assert exported.exit_code == 0, exported.stderr
    sizes = [len(line.encode()) for line in exported.stdout.split("\n")[:-1]]  # not splitlines: U+2028
    assert len(sizes) == count - before and max(sizes, default=0) <= MAX_LINE_BYTES, sizes


SUMMARY = re.compile(
    r"(would import|imported) (\d+) events \((\d+) already present\) of (\d+) read; head (\w+)@(\d+)\n"
)


# -- the properties -------------------------------------------------------------------------------------
def test_fuzzed_import_imports_every_event_or_exits_3_with_one_line_and_writes_nothing(
    db_url, backend, tmp_path, record_trial
):
    tally: Counter[str] = Counter()
    path = tmp_path / "fuzz.jsonl"

    with probe(db_url) as p:

        @settings(FUZZ_SETTINGS, max_examples=EXAMPLES["import"])
        @given(lines=jsonl_files(), dry_run=st.sampled_from([False, False, False, True]), stdin=st.booleans())
        def check(lines: list[Line], dry_run: bool, stdin: bool) -> None:
            expected = expectation(lines)
            args = ["import", "-" if stdin else str(path), *(["--dry-run"] if dry_run else [])]
            if not stdin:
                path.write_bytes(expected.content)
            before = snapshot(p)

            result = run(db_url, *args, input=expected.content if stdin else None)

            why = f"{result.exit_code}: {result.stderr!r} for lines {expected.notes}"
            tally["examples"] += 1
            tally[f"exit {result.exit_code}"] += 1
            assert result.exit_code in (0, 3), why
            if result.exit_code == 3:
                assert not expected.must_succeed, why
                error = one_error_line(result)
                number = re.match(r"error: line (\d+): \S", error)
                assert number, why
                assert expected.first_suspect <= int(number[1]) <= expected.last_suspect, why
                assert snapshot(p) == before, why
                return
            assert not expected.must_fail, why
            assert errors_in(result.stderr) == "", why
            summary = SUMMARY.fullmatch(result.stdout)
            assert summary, why
            appended, skipped, read = int(summary[2]), int(summary[3]), int(summary[4])
            assert read == expected.events and appended + skipped == read, why
            if dry_run:
                assert snapshot(p) == before, why
                return
            assert p.count() == before[0] + appended and (summary[5], int(summary[6])) == (
                p.head_hash() or "0" * 64,
                p.count(),
            ), why
            assert_accepted_well(db_url, p, before[0])

        check()

    record_trial(kind="fuzz-import", backend=backend, **tally)
    assert tally["exit 0"] and tally["exit 3"], f"the fuzzer should reach both outcomes: {dict(tally)}"


@dataclass
class AppendCase:
    args: list[str]
    kind: str
    notes: list[str]
    given_id: str | None = None  # the spelling given to --id (fresh per example)


def _listed(ref: Any) -> list[str]:
    return [str(ref)]


MUTATED = "mutated"  # an option whose strategy draws its own kind


@dataclass(frozen=True)
class Option:
    label: str
    kind: str  # VALID, BAD, BAD_IN_CONTEXT, UNKNOWN, or MUTATED
    values: st.SearchStrategy[Any]


def _option(label: str, kind: str, value: Any) -> Option:
    return Option(label, kind, value if isinstance(value, st.SearchStrategy) else st.just(value))


APPEND_OPTIONS = ("TYPE", "--data", "--occurred-at", "--source", "--ref", "--id", "--note")


@st.composite
def append_cases(draw: st.DrawFn) -> AppendCase:
    """`append` options: all valid ("clean"), one of them broken, or each drawn from everything. The
    case is bad if one option is, valid if all are, unknown otherwise."""
    event_type = draw(st.sampled_from(EVENT_TYPES))
    category = CATEGORIES[event_type]
    mode = draw(st.sampled_from(["clean", "one broken", "one broken", "anything"]))
    broken = draw(st.sampled_from(APPEND_OPTIONS)) if mode == "one broken" else None
    kinds: list[str] = []
    notes: list[str] = [f"{event_type}, {mode} {broken or ''}"]

    def pick(name: str, options: list[Option]) -> Any:
        if mode == "clean" or (mode == "one broken" and name != broken):
            options = [o for o in options if o.kind == VALID]
        elif mode == "one broken":
            options = [o for o in options if o.kind != VALID]
        option = draw(st.sampled_from(options))
        kind, value = draw(option.values) if option.kind == MUTATED else (option.kind, draw(option.values))
        kinds.append(kind)
        notes.append(f"{name}: {option.label} ({kind})")
        return value

    type_arg = pick(
        "TYPE",
        [
            _option("as is", VALID, event_type),
            _option("near", BAD, st.sampled_from(NEAR_TYPES)),
            _option("text", BAD, st.text(max_size=30).filter(_not_a_type)),
        ],
    )
    pool_data = POOL_BY_TYPE[event_type]["data"]

    def mutated_data(line: Line) -> tuple[str, Any]:
        if "data" not in line.event:  # the fuzz deleted it: no --data
            return BAD, None
        text = json.dumps(line.event["data"], ensure_ascii=False)  # a lone surrogate stays one: bad
        if line.deep:
            text = text.replace(DEEP_JSON.decode(), _nested(line.deep))
        return line.kind, text

    data_arg = pick(
        "--data",
        [
            _option("as is", VALID, json.dumps(pool_data)),
            _option("as is, UTF-8", VALID, json.dumps(pool_data, ensure_ascii=False)),
            _option("near-valid", MUTATED, near_valid_events(True, event_type).map(mutated_data)),
            _option(
                "not JSON",
                BAD,
                st.sampled_from(
                    [
                        '{"partnership": ',
                        "{'a': 1}",
                        "",
                        "nan",
                        "[1,]",
                        '{"a": 1} {"b": 2}',
                        '"\ud800"',
                        "\x00",
                        _nested(10_000),
                        '{"a":' * 2000 + "1" + "}" * 2000,
                    ]
                ),
            ),
            _option(
                "random JSON",
                MUTATED,
                json_values.map(lambda v: (UNKNOWN if isinstance(v, dict) else BAD, json.dumps(v))),
            ),
            _option("missing", BAD, None),
        ],
    )
    time_arg = pick(
        "--occurred-at",
        [
            _option("good", VALID, st.sampled_from(GOOD_TIMES)),
            _option("bad", BAD, st.sampled_from(BAD_TIMES)),
            _option("text", UNKNOWN, st.text(max_size=30)),
            _option("missing", BAD, None),
        ],
    )
    valid_source = [
        _option("press", VALID, "Nikkei:press"),
        _option("anonymous", VALID, "two people familiar with the matter:anonymous"),
        _option("odd", VALID, st.sampled_from(ODD_TEXT)),
        _option("text", VALID, st.text(min_size=1, max_size=60)),
        _option("kind unknown", VALID, "Nikkei:blog"),
    ]
    bad_source = [
        _option("empty", BAD, ""),
        _option("long", BAD, "x" * (MAX_NAME + 1)),
        _option("surrogate", BAD, st.sampled_from(LONE_SURROGATES)),
    ]
    sources_shape = pick(
        "--source",
        [
            _option("one to three", VALID, st.integers(1, 3)),
            *([_option("none", VALID, 0)] if category == "correction" else [_option("none", BAD, 0)]),
            _option("21", BAD, 21),
            _option("one bad", BAD, -1),
            _option("any", UNKNOWN, st.integers(0, 3)),
        ],
    )

    def source(options: list[Option]) -> str:
        return draw(st.sampled_from(options).flatmap(lambda o: o.values))

    if sources_shape == -1:
        sources = [source(valid_source) for _ in range(draw(st.integers(0, 2)))]
        sources.insert(draw(st.integers(0, len(sources))), source(bad_source))
    elif sources_shape == 21:
        sources = ["Nikkei:press"] * 21
    else:
        anything = valid_source + (bad_source if mode == "anything" else [])
        sources = [source(anything) for _ in range(sources_shape)]
    needed = [] if category == "claim" else [TALKS["id"]]
    refs = pick(
        "--ref",
        [
            _option("as needed", VALID, needed),
            _option("none" if needed else "talks", BAD, [TALKS["id"]] if not needed else []),
            _option("twice", BAD, [TALKS["id"], TALKS["id"]]),
            _option("missing", BAD if category == "claim" else BAD_IN_CONTEXT, st.uuids().map(_listed)),
            _option("not a uuid", BAD, st.sampled_from(["talks", "", *SQL, TALKS["id"] + "\n"]).map(_listed)),
        ],
    )
    id_style = pick(
        "--id",
        [
            _option("none", VALID, None),
            _option("plain", VALID, "plain"),
            *(_option(style, kind, style) for style, (kind, _) in ID_STYLES.items()),
        ],
    )
    note = pick(
        "--note",
        [
            _option("none", VALID, None),
            _option("odd", VALID, st.sampled_from(ODD_TEXT)),
            _option("empty", BAD, ""),
            _option("long", BAD, "n" * (MAX_TEXT + 1)),
            _option("surrogate", BAD, st.sampled_from(LONE_SURROGATES)),
        ],
    )

    args = ["append"]
    if data_arg is not None:
        args += ["--data", data_arg]
    if time_arg is not None:
        args += ["--occurred-at", time_arg]
    for source in sources:
        args += ["--source", source]
    for ref in refs:
        args += ["--ref", ref]
    if note is not None:
        args += ["--note", note]
    args += ["--", type_arg]  # TYPE last, after `--`: a fuzzed type may start with a dash
    kind = BAD if BAD in kinds or BAD_IN_CONTEXT in kinds else VALID if set(kinds) == {VALID} else UNKNOWN
    return AppendCase(args, kind, notes, id_style)


APPEND_ERROR = re.compile(r"error: (TYPE|--data|type|id|occurred_at|data|sources|refs|note)[.\[:] ?")


def test_fuzzed_append_appends_one_event_or_exits_3_with_one_line_and_writes_nothing(
    db_url, backend, record_trial
):
    tally: Counter[str] = Counter()
    import ledger

    with ledger.open(db_url) as lg:  # the claim the statements and corrections refer to
        lg.append(copy.deepcopy(TALKS))

    with probe(db_url) as p:

        @settings(FUZZ_SETTINGS, max_examples=EXAMPLES["append"])
        @given(case=append_cases())
        def check(case: AppendCase) -> None:
            args = list(case.args)
            given_id = None
            if case.given_id is not None:
                given_id = str(uuid.uuid4())
                spelled = given_id if case.given_id == "plain" else ID_STYLES[case.given_id][1](given_id)
                args[1:1] = ["--id", spelled]
            before = snapshot(p)

            result = run(db_url, *args)

            why = f"{result.exit_code}: {result.stderr!r} for {case.notes}"
            tally["examples"] += 1
            tally[f"exit {result.exit_code}"] += 1
            assert result.exit_code in (0, 3), why
            if result.exit_code == 3:
                assert case.kind != VALID, why
                assert APPEND_ERROR.match(one_error_line(result)), why
                assert snapshot(p) == before, why
                return
            assert case.kind != BAD, why
            assert errors_in(result.stderr) == "", why
            printed = re.fullmatch(r"(\d+)\t(\S+)\n", result.stdout)
            assert printed and int(printed[1]) == p.count() == before[0] + 1, why
            if given_id is not None:
                assert printed[2] == given_id, why
            assert_accepted_well(db_url, p, before[0])

        check()

    record_trial(kind="fuzz-append", backend=backend, **tally)
    assert tally["exit 0"] and tally["exit 3"], f"the fuzzer should reach both outcomes: {dict(tally)}"


def _one_json_array(content: bytes) -> bool:
    try:
        return isinstance(orjson.loads(content), list)
    except orjson.JSONDecodeError:
        return False


def test_fuzzed_append_file_appends_every_event_or_exits_3_with_one_line_and_writes_nothing(
    db_url, backend, record_trial
):
    tally: Counter[str] = Counter()

    with probe(db_url) as p:

        @settings(FUZZ_SETTINGS, max_examples=EXAMPLES["append-file"])
        @given(lines=jsonl_files())
        def check(lines: list[Line]) -> None:
            expected = expectation(lines)
            before = snapshot(p)

            result = run(db_url, "append", "--file", "-", input=expected.content)

            why = f"{result.exit_code}: {result.stderr!r} for lines {expected.notes}"
            tally["examples"] += 1
            tally[f"exit {result.exit_code}"] += 1
            assert result.exit_code in (0, 3), why
            if result.exit_code == 3:
                assert not (expected.must_succeed and expected.events), why
                one_error_line(result)
                assert snapshot(p) == before, why
                return
            appended = p.count() - before[0]
            assert errors_in(result.stderr) == "" and len(result.stdout.splitlines()) == appended, why
            if not _one_json_array(expected.content):  # an array is a list of events, not JSONL
                assert not expected.must_fail, why
                assert appended == expected.events, why
            assert_accepted_well(db_url, p, before[0])

        check()

    record_trial(kind="fuzz-append-file", backend=backend, **tally)
    assert tally["exit 0"] and tally["exit 3"], f"the fuzzer should reach both outcomes: {dict(tally)}"


# -- limits ---------------------------------------------------------------------------------------------
def _padded(event: dict[str, Any], size: int) -> bytes:
    """`event` as one JSON line of exactly `size` bytes (spaces before the closing brace)."""
    line = orjson.dumps(event)
    assert len(line) <= size
    return line[:-1] + b" " * (size - len(line)) + b"}"


def _fresh(event: dict[str, Any]) -> dict[str, Any]:
    return {**copy.deepcopy(event), "id": str(uuid.uuid4())}


@pytest.mark.parametrize("how", ["import FILE", "import -", "append --file -"])
def test_a_line_over_64_kib_is_refused_with_one_line_naming_it_and_one_of_64_kib_is_taken(
    db_url, tmp_path, how
):
    fits = _padded(_fresh(TALKS), MAX_LINE_BYTES)
    too_long = _padded(_fresh(TALKS), MAX_LINE_BYTES + 1)

    def feed(content: bytes) -> Result:
        path = tmp_path / "in.jsonl"
        path.write_bytes(content)
        if how == "import FILE":
            return run(db_url, "import", str(path))
        return run(db_url, *how.split()[:-1], "-", input=content)

    with probe(db_url) as p:
        before = snapshot(p)
        refused = feed(fits + b"\n" + too_long + b"\n")
        assert refused.exit_code == 3, refused.stderr
        expected = f"error: line 2: line is longer than the {MAX_LINE_BYTES}-byte limit"
        assert one_error_line(refused) == expected
        assert snapshot(p) == before

        taken = feed(fits + b"\n")
        assert taken.exit_code == 0, taken.stderr
        assert p.count() == 1


def _export_size(event: dict[str, Any], position: int) -> int:
    """The length of the line `export` writes for `event` stored at `position` (without the newline)."""
    stored = {
        **event,
        "v": 2,  # every new event is stored with its vocabulary version
        "position": position,
        "recorded_at": "2025-01-01T00:00:00.000000Z",
        "prev_hash": "0" * 64,
        "hash": "0" * 64,
    }
    return len(orjson.dumps(stored))


def _plan_exporting_as(size: int) -> dict[str, Any]:
    """A valid plan.announced event whose export line (at position 1) is exactly `size` bytes."""
    measures = [{"kind": "other", "description": "d" * MAX_TEXT} for _ in range(size // MAX_TEXT + 1)]
    event = an_event(
        "plan.announced",
        {"plan": "plan:big", "company": "company:nissan", "title": "Big", "measures": measures},
    )
    while _export_size(event, 1) > size:
        last = measures[-1]
        excess = _export_size(event, 1) - size
        if len(last["description"]) > excess:
            last["description"] = last["description"][: len(last["description"]) - excess]
        else:
            measures.pop()
    assert _export_size(event, 1) == size
    return event


@pytest.mark.parametrize("how", ["import", "append --data", "append --file"])
def test_an_event_is_taken_only_if_its_export_line_fits_the_import_limit(db_url, tmp_path, how):
    """Otherwise `ledger export | ledger import --restore` could not load the backup."""
    fits, too_big = _plan_exporting_as(MAX_LINE_BYTES), _plan_exporting_as(MAX_LINE_BYTES + 1)
    huge = _plan_exporting_as(100 * MAX_TEXT)  # 100 measures of 4,000 characters: ~400 KB

    def feed(event: dict[str, Any]) -> Result:
        if how == "import":
            path = tmp_path / "in.jsonl"
            path.write_bytes(orjson.dumps(event) + b"\n")
            return run(db_url, "import", str(path))
        if how == "append --file":
            return run(db_url, "append", "--file", "-", input=orjson.dumps(event))
        return run(
            db_url,
            "append",
            event["type"],
            "--data",
            json.dumps(event["data"]),
            "--occurred-at",
            event["occurred_at"],
            "--source",
            "Nikkei:press",
            "--id",
            event["id"],
        )

    with probe(db_url) as p:
        for event in (too_big, huge):  # for `import`, `huge` is refused as a line over the limit
            before = snapshot(p)
            refused = feed(event)
            assert refused.exit_code == 3, refused.stderr
            assert str(MAX_LINE_BYTES) in one_error_line(refused)
            assert snapshot(p) == before

        taken = feed(fits)
        assert taken.exit_code == 0, taken.stderr
        assert p.count() == 1

    backup = tmp_path / "backup.jsonl"
    assert run(db_url, "export", "--out", str(backup)).exit_code == 0
    assert len(backup.read_bytes().rstrip(b"\n")) == MAX_LINE_BYTES
    restored_url = f"sqlite:///{tmp_path / 'restored.db'}"
    assert run(restored_url, "init").exit_code == 0
    restored = run(restored_url, "import", "--restore", str(backup))
    assert restored.exit_code == 0, restored.stderr


@pytest.fixture(scope="module")
def fifty_mb_line(tmp_path_factory) -> Path:
    """A 50 MB file of one line without a newline, that starts like an event."""
    path = tmp_path_factory.mktemp("big") / "one-line.jsonl"
    chunk = b"x" * (1024 * 1024)
    with path.open("wb") as out:
        out.write(b'{"type": "talks.reported", "note": "')
        for _ in range(BIG_LINE_BYTES // len(chunk)):
            out.write(chunk)
    return path


MEASURE = r"""
import json, resource, sys, tracemalloc
from ledger.cli.app import app

url, empty, how, big, out = sys.argv[1:]

def ledger(*args):
    try:
        app(["--db", url, *args])
    except SystemExit as e:
        return e.code
    return 0

# Warm up: the imports and caches a command builds on first use are not what is measured.
assert ledger("import", empty) == 0
assert ledger("append", "--file", empty) == 3
rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
if how == "import -":
    sys.stdin = open(big, encoding="utf-8")  # sys.stdin.buffer: the file, read as the CLI reads stdin
    code = ledger("import", "-")
elif how == "import FILE":
    code = ledger("import", big)
else:
    code = ledger("append", "--file", big)
peak = tracemalloc.get_traced_memory()[1]
rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with open(out, "w") as f:
    json.dump({"exit": code, "peak": peak, "rss_growth": (rss_after - rss_before) * 1024}, f)
"""


@pytest.mark.parametrize(
    ("how", "bound"),
    [
        # A line is read with a bound of MAX_LINE_BYTES + 2 bytes: 2x that, plus 1 MiB for the rest.
        ("import FILE", 2 * MAX_LINE_BYTES + 1024 * 1024),
        ("import -", 2 * MAX_LINE_BYTES + 1024 * 1024),
        # `append --file` reads at most 64 lines' worth (4 MiB) before it refuses.
        ("append --file", 2 * 64 * MAX_LINE_BYTES + 1024 * 1024),
    ],
)
def test_a_50_mb_line_without_newline_is_refused_in_bounded_memory(
    db_url, tmp_path, fifty_mb_line, how, bound, record_trial, backend
):
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    out = tmp_path / "measured.json"
    with probe(db_url) as p:
        before = snapshot(p)
        proc = subprocess.run(
            [sys.executable, "-c", MEASURE, db_url, str(empty), how, str(fifty_mb_line), str(out)],
            capture_output=True,
            text=True,
            timeout=COMMAND_TIME_LIMIT_S,
            cwd=REPO_ROOT,
            env=subprocess_env(),
        )
        assert proc.returncode == 0, proc.stderr
        measured = json.loads(out.read_text())
        record_trial(kind="fuzz-50mb-line", backend=backend, how=how, bound=bound, **measured)
        assert measured["exit"] == 3, proc.stderr
        errors = proc.stderr.splitlines()
        assert len(errors) == 2 and errors[-1].startswith("error: "), proc.stderr  # [0]: the warm-up's
        assert "Traceback" not in proc.stderr
        assert measured["peak"] < bound, measured
        assert measured["rss_growth"] < BIG_LINE_BYTES // 4, measured
        assert snapshot(p) == before


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("how", ["import", "append --data", "append --file"])
def test_json_nested_deeper_than_1024_levels_is_refused_with_one_line(db_url, tmp_path, how):
    for depth in (NESTING_LIMIT + 1, 10_000, 30_000):  # 30,000 levels: 60,000 bytes, under the line limit
        if how == "append --data":
            result = run(
                db_url,
                "append",
                "talks.reported",
                "--data",
                _nested(depth),
                "--occurred-at",
                "2025-07-07",
                "--source",
                "Nikkei",
            )
            expected = "error: --data: invalid JSON: depth limit exceeded"
        else:
            content = _nested(depth).encode() + b"\n"
            path = tmp_path / "deep.jsonl"
            path.write_bytes(content)
            result = (
                run(db_url, "import", str(path))
                if how == "import"
                else run(db_url, "append", "--file", str(path))
            )
            expected = "error: line 1: invalid JSON: depth limit exceeded"
        assert result.exit_code == 3, result.stderr
        assert one_error_line(result).startswith(expected)


def test_the_nesting_limit_is_1024_levels_counting_the_event_object(db_url, tmp_path):
    def note_nested(arrays: int) -> bytes:
        line = orjson.dumps({**_fresh(TALKS), "note": DEEP})
        return line.replace(DEEP_JSON, _nested(arrays).encode()) + b"\n"

    path = tmp_path / "deep.jsonl"
    path.write_bytes(note_nested(NESTING_LIMIT - 1))  # the object + 1,023 arrays: parsed, then validated
    parsed = run(db_url, "import", str(path))
    assert one_error_line(parsed).startswith("error: line 1: note: input should be a valid string")
    path.write_bytes(note_nested(NESTING_LIMIT))
    refused = run(db_url, "import", str(path))
    assert one_error_line(refused).startswith("error: line 1: invalid JSON: depth limit exceeded")


# -- what the fuzzers found, pinned ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "key",
    ["a\nb", "a\rb", "a\u2028b", "x" * 10_000, "\u202e", ""],
    ids=["newline", "carriage return", "line separator", "10,000 characters", "RTL override", "empty"],
)
def test_an_unknown_field_is_named_on_one_short_line_whatever_its_name(db_url, tmp_path, key):
    event = _fresh(TALKS)
    event["data"] = {**event["data"], key: 1}
    path = tmp_path / "key.jsonl"
    path.write_bytes(orjson.dumps(event) + b"\n")

    imported = run(db_url, "import", str(path))
    appended = run(
        db_url,
        "append",
        "talks.reported",
        "--data",
        json.dumps(event["data"]),
        "--occurred-at",
        "2025-07-07",
        "--source",
        "Nikkei",
    )

    for result, where in ((imported, "line 1: "), (appended, "")):
        assert result.exit_code == 3, result.stderr
        line = one_error_line(result)
        assert line.startswith(f"error: {where}data.") and line.endswith(": unknown field"), line
        assert len(line) < 200, line


@pytest.mark.parametrize("value", [["talks.reported"], {"a": 1}, 5, True])
def test_an_event_type_that_is_not_a_string_is_invalid_input(db_url, tmp_path, value):
    path = tmp_path / "type.jsonl"
    path.write_bytes(orjson.dumps({**_fresh(TALKS), "type": value}) + b"\n")

    result = run(db_url, "import", str(path))

    assert result.exit_code == 3, result.stderr
    assert one_error_line(result).startswith("error: line 1: type: unknown event type")


@pytest.mark.parametrize(
    ("field_name", "value"),
    [("id", "{uuid}\n"), ("refs", ["{talks}\n"]), ("data.by", "company:nissan\n")],
    ids=["id", "ref", "statement by"],
)
def test_a_trailing_newline_does_not_slip_through_an_id_check(db_url, tmp_path, field_name, value):
    import ledger

    with ledger.open(db_url) as lg:
        lg.append(copy.deepcopy(TALKS))
    event = _fresh(POOL_BY_TYPE["report.denied"])
    fill = {"uuid": str(uuid.uuid4()), "talks": TALKS["id"]}
    if field_name == "data.by":
        event["data"] = {"by": value}
    else:
        formatted = [v.format(**fill) for v in value] if isinstance(value, list) else value.format(**fill)
        event[field_name] = formatted
    path = tmp_path / "newline.jsonl"
    path.write_bytes(orjson.dumps(event) + b"\n")

    with probe(db_url) as p:
        before = snapshot(p)
        result = run(db_url, "import", str(path))
        assert result.exit_code == 3, result.stderr
        assert one_error_line(result).startswith(f"error: line 1: {field_name.replace('refs', 'refs[0]')}: ")
        assert snapshot(p) == before


def test_odd_unicode_and_sql_in_free_text_are_stored_and_exported_verbatim(db_url, tmp_path):
    events = []
    for text in ODD_TEXT:
        event = an_event(
            "company.registered",
            {"company": "company:nissan", "name": text, "aliases": [text]},
            sources=[{"name": text, "kind": "other"}],
            note=text,
        )
        events.append(event)
    path = tmp_path / "odd.jsonl"
    lines = (json.dumps(e, ensure_ascii=i % 2 == 0).encode() + b"\n" for i, e in enumerate(events))
    path.write_bytes(b"".join(lines))

    result = run(db_url, "import", str(path))

    assert result.exit_code == 0, result.stderr
    exported = [json.loads(line) for line in run(db_url, "export").stdout.split("\n")[:-1]]
    kept = [
        (e["data"]["name"], e["data"]["aliases"][0], e["sources"][0]["name"], e["note"]) for e in exported
    ]
    assert kept == [(text,) * 4 for text in ODD_TEXT]  # NFC and NFD stay two spellings; NUL stays
    assert run(db_url, "verify").exit_code == 0
