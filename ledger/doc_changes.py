"""How a document changed: a list field as the items taken out and put in, not the whole list twice;
and what a catch-up keeps of a document it replaced, as the way back from the new one.

An authority's approvals or a busy company's partnerships run to thousands of items; one more of them
would otherwise make `ledger changes` print both whole lists (at 1M bench events, 1.1 MB for one
authority). The change keeps the order exactly: `removed` are the old list's items that went, by
their index in the old list; `added` the new list's items that came, by their index in the new list.
Taking out the removed and then putting each added item at its index, in index order, gives the new
list (`applied`); the other way round gives the old one back (`unapplied`).

A catch-up keeps of each document it changed only the way back (`way_back`): the old value of each
field that changed, a list's as its change. The document known at an earlier moment is then the one
known now taken back through the ways back kept since (`went_back`), which costs what changed, where
keeping the old document whole cost parsing an authority's 550 KB twice.
"""

from __future__ import annotations

from typing import Any

import orjson

Placed = list[dict[str, Any]]  # [{"at": index, "value": item}]
_RUN = 64  # items compared at once while looking for where two lists part


def list_change(old: list[Any], new: list[Any]) -> tuple[Placed, Placed]:
    """(removed, added) that make `new` of `old`: what the two share at the start and at the end is
    kept; of the rest, when its items are distinct and those in both kept their order, the others went
    or came; else they are matched as difflib does (the longest run in common first)."""
    start = _common_start(old, new)
    end = _common_start(old[start:][::-1], new[start:][::-1])
    old_middle, new_middle = old[start : len(old) - end], new[start : len(new) - end]
    old_keys, new_keys = [_key(i) for i in old_middle], [_key(i) for i in new_middle]
    old_set, new_set = set(old_keys), set(new_keys)
    distinct = len(old_set) == len(old_keys) and len(new_set) == len(new_keys)
    # Distinct items (ids, approvals) that kept their order: what went and what came, in one pass.
    if distinct and [k for k in old_keys if k in new_set] == [k for k in new_keys if k in old_set]:
        return (
            [{"at": start + i, "value": old_middle[i]} for i, k in enumerate(old_keys) if k not in new_set],
            [{"at": start + i, "value": new_middle[i]} for i, k in enumerate(new_keys) if k not in old_set],
        )
    removed: Placed = []
    added: Placed = []
    from difflib import SequenceMatcher  # (rarely needed: not loaded by every command that reads)

    kept = SequenceMatcher(None, old_keys, new_keys, False).get_matching_blocks()[:-1]
    at_old = at_new = 0
    for block_old, block_new, size in [*kept, (len(old_middle), len(new_middle), 0)]:
        removed += [{"at": start + i, "value": old_middle[i]} for i in range(at_old, block_old)]
        added += [{"at": start + i, "value": new_middle[i]} for i in range(at_new, block_new)]
        at_old, at_new = block_old + size, block_new + size
    return removed, added


def applied(old: list[Any], removed: Placed, added: Placed) -> list[Any]:
    """The new list, of the old one and its change."""
    gone = {item["at"] for item in removed}
    new = [item for index, item in enumerate(old) if index not in gone]
    for item in sorted(added, key=lambda item: item["at"]):
        new.insert(item["at"], item["value"])
    return new


def unapplied(new: list[Any], removed: Placed, added: Placed) -> list[Any]:
    """The old list, of the new one and its change (the inverse of `applied`: what came goes, by its
    index in the new list, and what went comes back at its index in the old one)."""
    return applied(new, added, removed)


def way_back(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What takes `new` back to `old` (`went_back`), and says what changed without `new` at hand:
    `fields`, those that changed, in the new document's order; `was`, the old value of each (of a list,
    its change, in `lists`); `now`, the new value of each that is not a list, with the new `basis` and
    `*_basis` fields that say on what each rests. Or the old document `whole` when its fields are not
    the new one's."""
    if list(old) != list(new):
        return {"whole": old}
    fields: list[str] = []
    was: dict[str, Any] = {}
    lists: dict[str, Any] = {}
    now: dict[str, Any] = {}
    for key, value in new.items():
        before = old[key]
        if before == value:
            continue
        fields.append(key)
        if isinstance(before, list) and isinstance(value, list):
            lists[key] = list_change(before, value)
        else:
            was[key], now[key] = before, value
        now.update((rests_on, new[rests_on]) for rests_on in (f"{key}_basis", "basis") if rests_on in new)
    return {"fields": fields, "was": was, "lists": lists, "now": now}


def went_back(doc: dict[str, Any], way: dict[str, Any]) -> dict[str, Any]:
    """The document `way` (`way_back`) takes `doc` back to: a new dict, which shares with `doc` every
    value that did not change."""
    if "whole" in way:
        return way["whole"]
    back = {**doc, **way["was"]}
    for key, (removed, added) in way["lists"].items():
        back[key] = unapplied(doc[key], removed, added)
    return back


def _common_start(old: list[Any], new: list[Any]) -> int:
    """How many items the two lists share at their start: compared a run at a time (in C), then one
    by one within the first run that differs."""
    shortest = min(len(old), len(new))
    start = 0
    while start < shortest and old[start : start + _RUN] == new[start : start + _RUN]:
        start += _RUN
    start = min(start, shortest)
    while start < shortest and old[start] == new[start]:
        start += 1
    return start


def _key(item: Any) -> Any:
    return orjson.dumps(item) if isinstance(item, (dict, list)) else item
