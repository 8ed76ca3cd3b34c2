"""What the record commands' tables, CSV and TSV hold: each command's columns and one row per record,
read off the same JSON `--json` prints (every cell whole: a table wraps it, CSV quotes it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ledger.cli.render import flat, sources


def summary(data: dict[str, Any], leave_out: str | None = None) -> str:
    """A one-line gist of an event's data (`key=value; ...`), without the fields that are `leave_out`."""
    parts = []
    for key, value in data.items():
        if leave_out is not None and value == leave_out:
            continue
        parts.append(f"{key}={gist(value)}")
    return "; ".join(parts)


def gist(value: Any) -> str:
    """A value of an event's data as `summary` writes it."""
    if isinstance(value, list):
        return ", ".join(v if isinstance(v, str) else gist(v) for v in value)
    if isinstance(value, dict):
        return summary(value)
    return str(value)


def trail(statements: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"{s['by']}: {s['stance']}{' (voided)' if s.get('voided') else ''} {s['occurred_at']}"
        for s in statements
    )


def claim_entity(claim: dict[str, Any]) -> str:
    """The entity a claim is about: the first its data names."""
    from ledger.vocabulary.entity_fields import first_entity

    return first_entity(claim["type"], claim["data"]) or ""


CLAIM_COLUMNS = ("pos", "occurred_at", "entity", "type", "status", "origins", "sources", "statements")


def claim_columns(resolved: bool, stale: bool) -> tuple[str, ...]:
    """The claims' columns; with --resolved the days each took and who settled it, with --stale the world
    time of the latest event about it."""
    return (
        CLAIM_COLUMNS + (("days", "resolved_by") if resolved else ()) + (("last_event_at",) if stale else ())
    )


def claim_rows(claims: list[dict[str, Any]], resolved: bool, stale: bool) -> Iterator[tuple[Any, ...]]:
    for c in claims:
        row: tuple[Any, ...] = (
            c["position"],
            c["occurred_at"],
            claim_entity(c),
            c["type"],
            c["status"],
            c["origins"],
            sources(c["sources"]),
            trail(c["statements"]),
        )
        if resolved:
            settled = c.get("resolution") or {}
            row += (settled.get("days"), settled.get("by"))
        if stale:
            row += (c.get("last_event_at"),)
        yield row


def who(entry: dict[str, Any]) -> str:
    """Who an entry's event is from: a statement's speaker, else its sources."""
    return entry["data"].get("by") or sources(entry["sources"])


def standing(entry: dict[str, Any]) -> str:
    """A claim's status (and `corrected`), a statement's stance (and `voided`)."""
    if entry["category"] == "claim":
        return entry["status"] + (", corrected" if entry.get("corrected") else "")
    if entry["category"] == "statement":
        return entry["stance"] + (", voided" if entry.get("voided") else "")
    return ""


def about(entry: dict[str, Any]) -> str:
    """The claims a statement is about (position and type; the id of one the ledger did not know then),
    or the events a correction corrects (their ids)."""
    if entry["category"] == "statement":
        return ", ".join(
            f"{a['position']} {a['type']}" if a["position"] is not None else a["id"] for a in entry["about"]
        )
    if entry["category"] == "correction":
        return ", ".join(entry["refs"])
    return ""


def what(entry: dict[str, Any]) -> str:
    """A claim's current data, a statement's quote, a correction's reason and replacement."""
    if entry["category"] == "claim":
        return summary(entry.get("current_data", entry["data"]))
    if entry["category"] == "statement":
        return entry["data"].get("quote") or ""
    return summary(entry["data"])


HISTORY_COLUMNS = ("pos", "occurred_at", "recorded_at", "type", "who", "status", "about", "what")


def history_rows(entries: list[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
    for e in entries:
        yield (
            e["position"],
            e["occurred_at"],
            e["recorded_at"],
            e["type"],
            who(e),
            standing(e),
            about(e),
            what(e),
        )


EVENT_COLUMNS = ("pos", "occurred_at", "recorded_at", "type", "sources", "id")


def event_rows(events: list[Any]) -> Iterator[tuple[Any, ...]]:
    for e in events:
        yield (e.position, e.occurred_at, e.recorded_at, e.type, sources(e.sources), e.id)


# The columns `list` prints of each kind (the id alone for the others).
LIST_COLUMNS = {
    "plants": ("id", "name", "operator", "status", "status_basis"),
    "partnerships": ("id", "parties", "stage", "stage_basis", "plant"),
    "companies": ("id", "name", "country", "plants", "partnerships"),
    "plans": ("id", "company", "title", "basis"),
}


def list_columns(kind: str) -> tuple[str, ...]:
    return LIST_COLUMNS.get(kind, ("id",))


def list_rows(kind: str, found: list[dict[str, Any]]) -> Iterator[list[str]]:
    columns = list_columns(kind)
    for item in found:
        yield [None if item.get(c) is None else flat(item.get(c)) for c in columns]


SEARCH_COLUMNS = ("id", "kind", "match", "matched", "summary")


def search_rows(hits: list[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
    for h in hits:
        yield (h["id"], h["kind"], h["match"], h["matched"], h["summary"])


# `changes`: a table of the entities that changed and one of the claims; CSV and TSV hold both in one.
ENTITY_CHANGE_COLUMNS = ("entity", "change", "field", "old", "new", "basis")
CLAIM_CHANGE_COLUMNS = ("pos", "type", "entities", "change", "status", "because")
CHANGE_COLUMNS = (
    "what",
    "id",
    "pos",
    "type",
    "entities",
    "change",
    "field",
    "old",
    "new",
    "basis",
    "because",
)


def moment(at: dict[str, Any]) -> str:
    recorded = at["recorded_at"]
    return f"@{at['position']}" + (f" ({recorded})" if recorded else "")


def entity_change_rows(change: dict[str, Any]) -> list[tuple[Any, ...]]:
    from ledger.names import summary as entity_summary

    if change["change"] == "added":
        state = {"kind": change["kind"], **{f["field"]: f["new"] for f in change["fields"]}}
        return [(change["id"], "added", "", "", entity_summary(state), "")]
    if change["change"] == "removed":
        return [(change["id"], "removed", "", "", "", "")]
    return [
        (change["id"], "changed", f["field"], *_old_and_new(f), f["basis"] or "") for f in change["fields"]
    ]


def _old_and_new(field: dict[str, Any]) -> tuple[str, str]:
    """A field's old and new value; of a list, the items that went (-) and those that came (+)."""
    if "removed" not in field:
        return flat(field["old"]), flat(field["new"])
    return _placed("-", field["removed"]), _placed("+", field["added"])


def _placed(sign: str, items: list[dict[str, Any]]) -> str:
    joiner = " | " if any(isinstance(item["value"], dict) for item in items) else ", "
    return joiner.join(f"{sign}{flat(item['value'])}" for item in items) or "-"


def claim_change(claim: dict[str, Any]) -> str:
    if claim["added"]:
        return "added"
    moved = ["status"] if claim["old_status"] != claim["status"] else []
    return ", ".join(moved + (["corrected"] if claim["corrected"] else []))


def cause(event: dict[str, Any]) -> str:
    by = f" by {event['by']}" if event["by"] else ""
    return f"{event['position']} {event['type']}{by} {event['occurred_at']}"


def because(claim: dict[str, Any]) -> str:
    return "; ".join(cause(c) for c in claim["because"])


def claim_change_rows(found: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    for claim in found["claims"]:
        yield (
            claim["position"],
            claim["type"],
            ", ".join(claim["entities"]),
            claim_change(claim),
            claim["status"] if claim["added"] else f"{claim['old_status']} -> {claim['status']}",
            because(claim),
        )


def change_rows(found: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """Both tables of `changes` in one: an entity's row per field that changed, a claim's row with its
    status old -> new."""
    for change in found["entities"]:
        for entity, kind, field, old, new, basis in entity_change_rows(change):
            yield ("entity", entity, "", "", "", kind, field, old, new, basis, "")
    for claim in found["claims"]:
        yield (
            "claim",
            claim["id"],
            claim["position"],
            claim["type"],
            ", ".join(claim["entities"]),
            claim_change(claim),
            "status",
            "" if claim["added"] else claim["old_status"],
            claim["status"],
            "",
            because(claim),
        )
