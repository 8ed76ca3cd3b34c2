"""The timeline of one entity, as data: world time across, one lane per claim (and, for a plant or a
partnership, one per field: status, operator and stakes, or stage), each lane a run of segments coloured
by the claim's status (or the field's basis) and the statements and corrections as marks.

Everything comes from the ledger's own queries: `Ledger.show` and `Ledger.history`, asked once for the
picture's moment and once more at each world time the entity's trail holds (`as_of` that time, the same
`known_at`), so a lane changes colour exactly where the ledger's answer changes. No claim rule is
repeated here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ledger.errors import UnknownEntity
from ledger.times import bound_key, end_key, precision, start_key

if TYPE_CHECKING:
    from ledger.api import Ledger


@dataclass(frozen=True)
class Mark:
    """A claim, statement or correction on a lane. `kind` is `claim`, a stance or a correction type."""

    id: str
    kind: str
    at: int  # world time (microseconds since the epoch, UTC): where it is drawn
    until: int | None  # the end of an imprecise world time (a month, a quarter), else None
    status: str | None  # a claim mark's status when it was made
    faded: bool  # a voided statement, or one that does not count for this claim
    title: str  # one line: what a hover shows first
    details: tuple[tuple[str, str], ...]  # (what, text): sources, quote, times …


@dataclass(frozen=True)
class Segment:
    start: int
    end: int | None  # None: still so at the picture's right edge
    status: str | None  # a claim status, or a field's basis (None: the projection gives none)
    text: str = ""  # a field's value


@dataclass(frozen=True)
class Lane:
    id: str
    label: str
    group: str  # "field", "claim" or "other"
    segments: tuple[Segment, ...]
    marks: tuple[Mark, ...]


@dataclass(frozen=True)
class Timeline:
    entity: str
    title: str
    lanes: tuple[Lane, ...]
    start: int  # the earliest world time drawn
    end: int  # the latest: the --as-of bound, or the end of the latest entry
    as_of: str | None
    as_of_at: int | None
    known_at: str | None
    known_at_at: int | None

    @property
    def claims(self) -> tuple[Lane, ...]:
        return tuple(lane for lane in self.lanes if lane.group == "claim")


def _stakes(state: dict[str, Any]) -> tuple[str, str | None] | None:
    stakes = state.get("stakes") or []
    if not stakes:
        return None
    parts = []
    for stake in stakes:
        share = (
            f"{stake['percent']}%"
            if stake.get("percent") is not None
            else stake.get("share_text") or "a stake"
        )
        parts.append(f"{stake['to']} {share} from {stake['from']}")
    return "; ".join(parts), stakes[-1].get("basis")


def _field(name: str, basis: str | None = None) -> Callable[[dict[str, Any]], tuple[str, str | None] | None]:
    def read(state: dict[str, Any]) -> tuple[str, str | None] | None:
        value = state.get(name)
        return None if value is None else (str(value), state.get(basis) if basis else None)

    return read


# The fields that get a lane of their own, by entity kind: (label, how to read (value, basis) from `show`).
FIELD_LANES: dict[str, tuple[tuple[str, Callable[[dict[str, Any]], tuple[str, str | None] | None]], ...]] = {
    "plant": (
        ("status", _field("status", "status_basis")),
        ("operator", _field("operator")),
        ("stakes", _stakes),
    ),
    "partnership": (("stage", _field("stage", "stage_basis")),),
}


def sources_text(sources: Sequence[dict[str, Any]]) -> str:
    return ", ".join(f"{s['name']} ({s['kind']})" for s in sources)


def gist(data: dict[str, Any]) -> str:
    """An event's data in one line: key=value; nested values flattened."""
    parts = []
    for key, value in data.items():
        if isinstance(value, dict):
            value = "{" + gist(value) + "}"
        elif isinstance(value, list):
            value = ", ".join(v if isinstance(v, str) else "{" + gist(v) + "}" for v in value)
        parts.append(f"{key}={value}")
    return "; ".join(parts)


def _when(text: str) -> str:
    kind = precision(text)
    return text if kind in ("day", "instant") else f"{text} (a {kind}: drawn from its start)"


def _span(text: str) -> int | None:
    return end_key(text) if precision(text) not in ("day", "instant") else None


def _state(read: Callable[[], Any], empty: Any) -> Any:
    """A query at a moment before anything named the entity has nothing to say."""
    try:
        return read()
    except UnknownEntity:
        return empty


def _runs(points: list[tuple[int, tuple[str, str | None] | None]]) -> tuple[Segment, ...]:
    """Consecutive (time, value) points → segments, one per run of the same value; a gap (None) ends one."""
    segments: list[Segment] = []
    current: tuple[int, tuple[str, str | None]] | None = None
    for at, value in points:
        if current is not None and value == current[1]:
            continue
        if current is not None:
            segments.append(Segment(current[0], at, current[1][1], current[1][0]))
        current = (at, value) if value is not None else None
    if current is not None:
        segments.append(Segment(current[0], None, current[1][1], current[1][0]))
    return tuple(segments)


@dataclass
class _Builder:
    entries: list[dict[str, Any]]
    by_id: dict[str, dict[str, Any]] = field(init=False)
    lanes_of: dict[str, list[int]] = field(default_factory=dict)  # event id → the claim lanes it is on
    marks: dict[int, list[Mark]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {entry["id"]: entry for entry in self.entries}

    def place(self, lane: int, mark: Mark) -> None:
        self.marks.setdefault(lane, []).append(mark)

    def claim_mark(self, lane: int, claim: dict[str, Any], status: str | None) -> Mark:
        details = [
            ("claim", f"{claim['type']} (#{claim['position']})"),
            ("occurred", _when(claim["occurred_at"])),
            ("recorded", claim["recorded_at"]),
            ("status", f"{status} when made; {claim['status']} at the picture's moment"),
            ("sources", sources_text(claim["sources"])),
            ("data", gist(claim["data"])),
        ]
        if claim.get("note"):
            details.append(("note", claim["note"]))
        return Mark(
            f"m{claim['position']}-{lane}",
            "claim",
            start_key(claim["occurred_at"]),
            _span(claim["occurred_at"]),
            status,
            False,
            f"{claim['type']} #{claim['position']}, {claim['occurred_at']}: {status} "
            f"({sources_text(claim['sources'])})",
            tuple(details),
        )

    def statement_mark(self, lane: int, said: dict[str, Any], counts: bool) -> Mark:
        entry = self.by_id.get(said["id"], {})
        quote = said.get("quote") if "quote" in said else entry.get("data", {}).get("quote")
        details = [
            ("statement", f"report.{said['stance']} (#{said['position']})"),
            ("by", said["by"]),
            ("occurred", _when(said["occurred_at"])),
        ]
        if entry.get("recorded_at"):
            details.append(("recorded", entry["recorded_at"]))
        if quote:
            details.append(("quote", f"“{quote}”"))
        if entry.get("sources"):
            details.append(("sources", sources_text(entry["sources"])))
        if said.get("voided"):
            details.append(("voided", "yes: it counts for nothing"))
        elif not counts:
            details.append(("counts", "no: the speaker is not a party of the claim nor of a party's group"))
        return Mark(
            f"m{said['position']}-{lane}",
            said["stance"],
            start_key(said["occurred_at"]),
            _span(said["occurred_at"]),
            None,
            bool(said.get("voided")) or not counts,
            f"{said['by']}: {said['stance'].replace('_', ' ')}, {said['occurred_at']}"
            + (f" — “{quote}”" if quote else ""),
            tuple(details),
        )

    def correction_mark(self, lane: int, entry: dict[str, Any]) -> Mark:
        target = entry["refs"][0] if entry["refs"] else "?"
        reason = entry["data"].get("reason") or entry.get("reason") or ""
        details = [
            ("correction", f"{entry['type']} (#{entry['position']})"),
            ("of", f"#{self.by_id[target]['position']}" if target in self.by_id else target),
            ("reason", reason),
            ("occurred", _when(entry["occurred_at"])),
            ("recorded", f"{entry['recorded_at']} (it counts from then, at every world time)"),
        ]
        if "replacement" in entry["data"]:
            details.append(("replacement", gist(entry["data"]["replacement"])))
        return Mark(
            f"m{entry['position']}-{lane}",
            entry["type"],
            start_key(entry["occurred_at"]),
            None,
            None,
            False,
            f"{entry['type']} #{entry['position']}: {reason} (recorded {entry['recorded_at'][:10]})",
            tuple(details),
        )


def _moments(entries: list[dict[str, Any]]) -> list[str]:
    """The distinct world times of the trail, in the order their bounds come."""
    texts = {entry["occurred_at"] for entry in entries}
    return sorted(texts, key=lambda text: (bound_key(text), start_key(text)))


def build(lg: Ledger, entity: str, *, as_of: str | None = None, known_at: str | None = None) -> Timeline:
    """The timeline of `entity` as the ledger answers at (`as_of`, `known_at`)."""
    state = lg.show(entity, as_of=as_of, known_at=known_at)  # unknown entity, bad bounds: raised here
    entries = lg.history(entity, as_of=as_of, known_at=known_at)
    kind = state["kind"]
    fields = FIELD_LANES.get(kind, ())
    # A correction counts from when it was recorded, whatever its world time, so the trail as of a day
    # can hold one from later: the picture never asks past `as_of`.
    moments = [m for m in _moments(entries) if as_of is None or bound_key(m) <= bound_key(as_of)]
    statuses: list[tuple[int, dict[str, str]]] = []
    values: list[tuple[int, dict[str, Any]]] = []
    at = None
    for moment in moments:
        at = max(start_key(moment), at) if at is not None else start_key(moment)  # never back in time
        then = _state(lambda m=moment: lg.history(entity, as_of=m, known_at=known_at), [])
        statuses.append((at, {e["id"]: e["status"] for e in then if e["category"] == "claim"}))
        if fields:
            values.append((at, _state(lambda m=moment: lg.show(entity, as_of=m, known_at=known_at), {})))

    builder = _Builder(entries)
    lanes: list[Lane] = [
        Lane(f"field-{name}", name, "field", _runs([(t, read(v) if v else None) for t, v in values]), ())
        for name, read in fields
    ]
    claims = [e for e in entries if e["category"] == "claim"]
    for claim in claims:
        index = len(lanes)
        begins = start_key(claim["occurred_at"])
        points = [(max(t, begins), s.get(claim["id"])) for t, s in statuses]
        segments = _runs([(t, ("", status)) for t, status in points if status is not None])
        made = segments[0].status if segments else claim["status"]
        builder.lanes_of[claim["id"]] = [index]
        builder.place(index, builder.claim_mark(index, claim, made))
        for said in claim["statements"]:
            builder.lanes_of.setdefault(said["id"], []).append(index)
            builder.place(index, builder.statement_mark(index, said, bool(said.get("counts", True))))
        lanes.append(
            Lane(f"claim-{claim['position']}", f"{claim['type']} #{claim['position']}", "claim", segments, ())
        )

    other = len(lanes)
    for entry in entries:
        if entry["category"] == "statement" and entry["id"] not in builder.lanes_of:
            said = {**entry, "by": entry["data"].get("by", "?"), "quote": entry["data"].get("quote")}
            builder.place(other, builder.statement_mark(other, said, True))
        elif entry["category"] == "correction":
            target = entry["refs"][0] if entry["refs"] else None
            for index in builder.lanes_of.get(target, [other]) if target else [other]:
                builder.place(index, builder.correction_mark(index, entry))
    if builder.marks.get(other):
        lanes.append(Lane("other", "statements on others' claims", "other", (), ()))
    lanes = [
        Lane(
            lane.id,
            lane.label,
            lane.group,
            lane.segments,
            tuple(sorted(builder.marks.get(i, []), key=_order)),
        )
        for i, lane in enumerate(lanes)
    ]

    as_of_at = bound_key(as_of) if as_of else None
    known_at_at = bound_key(known_at) if known_at else None
    ends = [end_key(e["occurred_at"]) for e in entries] or [as_of_at or 0]
    starts = [start_key(e["occurred_at"]) for e in entries] or ends
    return Timeline(
        entity,
        _title(entity, state),
        tuple(lanes),
        min(starts),
        as_of_at if as_of_at is not None else max(ends),
        as_of,
        as_of_at,
        known_at,
        known_at_at,
    )


def _order(mark: Mark) -> tuple[int, int]:
    return mark.at, int(mark.id[1:].split("-")[0])


def _title(entity: str, state: dict[str, Any]) -> str:
    name = state.get("name") or state.get("title")
    if not name and state.get("parties"):
        name = " & ".join(state["parties"])
    return f"{entity} — {name}" if name else entity
