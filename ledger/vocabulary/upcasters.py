"""Upcasters: pure functions from one vocabulary version's `data` to the next version's, one per type
whose shape changed, and `upcast`, which applies them. A stored event is never rewritten; whoever reads it
for meaning reads it upcast. No model is loaded here: a fold reads stored events through this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ledger.vocabulary.terms import CURRENT_VERSION

_PERCENT_TEXT = re.compile(r"\s*(\d{1,3}(?:\.\d+)?)\s*%\s*")


def _share(value: Any, percent_key: str, text_key: str) -> dict[str, Any]:
    """v1's free `share`/`stake`: a number, or text like "100%", is a percentage; other text stays text."""
    if isinstance(value, bool):  # never a percentage (v1 validation took it as text or number)
        return {text_key: str(value).lower()}
    if isinstance(value, int | float):
        return {percent_key: value}
    match = _PERCENT_TEXT.fullmatch(value)
    if match is not None and float(match.group(1)) <= 100:
        number = float(match.group(1))
        return {percent_key: int(number) if number.is_integer() else number}
    return {text_key: value}


def stake_transferred_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """`share` (a number or text) becomes `percent` or `share_text`."""
    out = {k: v for k, v in data.items() if k != "share"}
    if "share" in data:
        out.update(_share(data["share"], "percent", "share_text"))
    return out


def acquisition_explored_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """`stake` (text) becomes `percent` or `stake_text`; the order of the other fields is kept."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "stake":
            out.update(_share(value, "percent", "stake_text"))
        else:
            out[key] = value
    return out


# (type, version) -> the function that turns that version's data into the next version's. A type
# missing here kept its shape at that step (v2 only added optional fields to it).
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
UPCASTERS: dict[tuple[str, int], Upcaster] = {
    ("plant.stake_transferred", 1): stake_transferred_v1_to_v2,
    ("acquisition.explored", 1): acquisition_explored_v1_to_v2,
}


def upcast(event_type: str, version: int | None, data: dict[str, Any]) -> dict[str, Any]:
    """`data` of an event written at `version` (None: before versions, so 1), in the current version's
    shape (pure; the input is left as it is)."""
    if version is None:
        version = 1
    while version < CURRENT_VERSION:
        step = UPCASTERS.get((event_type, version))
        if step is not None:
            data = step(data)
        version += 1
    return data
