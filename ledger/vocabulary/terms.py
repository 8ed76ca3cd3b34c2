"""The vocabulary's fixed words, in one place: source kinds, event categories, stances, claim statuses.

Plain constants with no dependencies, so the CLI can offer them in help without loading the validator.
"""

from __future__ import annotations

SOURCE_KINDS = ("press", "wire", "company", "anonymous", "other")

# Every type is a claim, a statement about earlier claims (`report.*`) or a correction (`entry.*`).
CLAIM, STATEMENT, CORRECTION = "claim", "statement", "correction"
STANCES = ("confirmed", "denied", "unconfirmed", "no_comment", "retracted")

CLAIM_STATUSES = ("announced", "reported", "confirmed", "denied", "disputed", "retracted", "voided")
# Statuses under which a claim changes projected state; denied, retracted and voided claims only keep
# their trail.
APPLICABLE_STATUSES = frozenset({"announced", "reported", "confirmed", "disputed"})


def category_of(event_type: str) -> str:
    """The category a type's name puts it in."""
    if event_type.startswith("report."):
        return STATEMENT
    if event_type.startswith("entry."):
        return CORRECTION
    return CLAIM
