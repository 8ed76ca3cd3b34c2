"""Checking what queries read beside the log: the entity index (`event_entities`, `index_changes`), the
references (`event_refs`) and the names events are found by (`event_names`), recomputed from the events as
`verify` reads them (and `group_index`, which repeats the entity index of the events that set a
company's group).

The hash chain covers the events only. Listings by entity, folds and `--expect` read the index, and
statements find their claims through the references, so a forged or missing row there changes answers
while the chain still verifies. This is the other half of `ledger.writer` and `ledger.reindex`: for each
event, the index rows the writer would have stored (the entities its data names, those its references
were indexed under at that moment, a correction's new ones) and its reference rows (the positions of the
ids its `refs` name) and its name rows (`ledger.names.event_names`: what `claims` and `events` find by
`--source`, `--origin` and `--by`); for each correction, the index changes `reindex` would have recorded.

Set-based: a page of events costs four range queries (`store/index_reads.py`), whatever it holds; a
correction (rare) a few more. Memory holds one page and the index changes (a handful per correction).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from ledger import reindex
from ledger.events import StoredEvent
from ledger.names import event_names
from ledger.store.connection import Transaction
from ledger.store.index_reads import SEPARATOR, joined_names, split_names
from ledger.store.rows import GROUP_INDEX_TYPES
from ledger.vocabulary.registry import entities_in, upcast

Pair = tuple[str, int]  # (entity id, event position)
Change = tuple[int, bool]  # (at the correction's position, present from then on)
Problem = tuple[str, int, str]  # (what failed: "index", "refs" or "names", the position, what is wrong)


def _present(changes: list[Change] | None, before: int) -> bool:
    """Whether a stored index pair holds for an event appended at `before`: the last change before it
    says; with none, the pair holds if it was there from the start (its first change, if any, took it
    away) and not if a later correction added it."""
    if not changes:
        return True
    prior = [present for at, present in changes if at < before]
    return prior[-1] if prior else not changes[0][1]


class AsOf:
    """The log as `reindex` reads it, at the moment a correction was appended: the index without later
    changes, the statements and corrections before it."""

    def __init__(self, tx: Transaction, changes: dict[Pair, list[Change]], before: int) -> None:
        self._log = tx.log
        self._changes = changes
        self._before = before
        self.log = self  # reindex reads `tx.log.…`

    def current_entities(self, positions: Sequence[int]) -> dict[int, set[str]]:
        found: dict[int, set[str]] = {p: set() for p in positions}
        for entity, position in self._log.index_pairs(positions):
            if _present(self._changes.get((entity, position)), self._before):
                found[position].add(entity)
        return found

    def statements_about(self, positions: Sequence[int]) -> dict[int, list[int]]:
        return {
            p: [s for s in about if s < self._before]
            for p, about in self._log.statements_about(positions).items()
        }

    def corrections_of(self, positions: Sequence[int]) -> dict[int, list[StoredEvent]]:
        return {
            p: [c for c in found if c.position < self._before]
            for p, found in self._log.corrections_of(positions).items()
        }

    def fixes_of(self, positions: Sequence[int]) -> dict[int, list[StoredEvent]]:
        return {
            p: [c for c in found if c.position < self._before]
            for p, found in self._log.fixes_of(positions).items()
        }

    def events_at(self, positions: Iterable[int]) -> dict[int, StoredEvent]:
        return self._log.events_at(positions)

    def locate(self, ids: Iterable[str]) -> dict[str, tuple[int, str]]:
        return self._log.locate(ids)


class IndexCheck:
    """Compares the stored index and references with those recomputed from the events, a page at a time
    in position order; keeps the first difference."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self.changes: dict[Pair, list[Change]] = defaultdict(list)
        self._changed_at: dict[int, set[tuple[str, int, bool]]] = defaultdict(set)
        for entity, position, at, present in tx.log.index_changes():
            self.changes[(entity, position)].append((at, present))
            self._changed_at[at].add((entity, position, present))
        # Pairs a correction added (not there before it): position -> their entities.
        self._added: dict[int, set[str]] = defaultdict(set)
        for (entity, position), changes in self.changes.items():
            if changes[0][1]:
                self._added[position].add(entity)
        self.corrections_seen: set[int] = set()
        self.problem: Problem | None = None

    def took(self, problem: Problem | None, corrections: Iterable[int]) -> None:
        """Take in what a check of the next pages found elsewhere (in a worker): its first problem, the
        corrections it checked."""
        if self.problem is None:
            self.problem = problem
        self.corrections_seen.update(corrections)

    def page(self, events: Sequence[StoredEvent]) -> None:
        """Check the index and reference rows of these events (consecutive positions, each read from the
        log and decoded)."""
        if self.problem is not None or not events:
            return
        first, last = events[0].position, events[-1].position
        indexed = self._tx.log.indexed_in(first, last)
        referenced: dict[int, dict[str | None, int]] = defaultdict(dict)  # position -> {ref id: its position}
        for position, ref_position, ref_id in self._tx.log.references_in(first, last):
            referenced[position][ref_id] = ref_position
        targets: dict[int, list[str]] = defaultdict(list)  # a referenced event's stored index entities
        if referenced:
            for ref_position, entity in self._tx.log.referenced_index_in(first, last):
                targets[ref_position].append(entity)
        named = self._tx.log.names_in(first, last)
        grouped = self._tx.log.indexed_in(first, last, "group_index")
        for event in events:
            position = event.position
            problem = self._check(event, indexed.get(position), referenced.get(position), targets)
            if problem is None:
                problem = _check_group(event, indexed.get(position), grouped.get(position))
            if problem is None:
                problem = _check_names(event, named.get(position))
            if problem is not None:
                self.problem = problem
                return

    def _check(
        self,
        event: StoredEvent,
        indexed: str | None,
        referenced: dict[str | None, int] | None,
        targets: dict[int, list[str]],
    ) -> Problem | None:
        position, refs = event.position, event.refs
        named = entities_in(event.type, upcast(event.type, event.v, event.data))  # no duplicates
        if not refs and referenced is None:
            if indexed == (SEPARATOR.join(sorted(named)) if named else None) and position not in self._added:
                return None  # the usual case, a claim: the stored rows are exactly those recomputed
            expected = set(named)
        else:
            if referenced is None or len(referenced) != len(refs) or not referenced.keys() >= set(refs):
                return "refs", position, "its references (event_refs) do not match the ids its refs name"
            expected = set(named)
            changes = self.changes
            for ref in refs:
                target = referenced[ref]
                if not changes:  # no correction ever moved the index: every stored pair holds
                    expected.update(targets.get(target, ()))
                    continue
                expected.update(
                    e for e in targets.get(target, ()) if _present(changes.get((e, target)), position)
                )
            if event.type == "entry.corrected":
                problem = self._check_correction(event, referenced[refs[0]], expected)
                if problem is not None:
                    return problem
        added = self._added.get(position)
        if not added and indexed == (SEPARATOR.join(sorted(expected)) if expected else None):
            return None  # the usual case: the stored rows are exactly those recomputed
        # Pairs a later correction added are checked with that correction, not here.
        stored = set(indexed.split(SEPARATOR)) if indexed is not None else set()
        if stored - (added or set()) != expected:
            extra, missing = sorted(stored - (added or set()) - expected), sorted(expected - stored)
            what = f"is indexed under {extra[0]}" if extra else f"is not indexed under {missing[0]}"
            return "index", position, f"the entity index does not match the event: it {what}"
        if added and not added <= stored:
            return (
                "index",
                position,
                f"the entity index lacks {min(added - stored)}, which a correction added",
            )
        return None

    def _check_correction(
        self, correction: StoredEvent, target_position: int, expected: set[str]
    ) -> Problem | None:
        """A correction is also indexed under what its replacement names, and moves the index: the index
        changes recorded at it must be those `reindex` makes of it, against the index as it was then."""
        target = self._tx.log.events_at([target_position])[target_position]
        replacement = correction.data["replacement"]
        expected.update(entities_in(target.type, upcast(target.type, target.v or 1, replacement)))
        self.corrections_seen.add(correction.position)
        at = correction.position
        view: Any = AsOf(self._tx, self.changes, at)
        moved = reindex.moves(view, target, replacement, at)
        recomputed = {(e, p, present) for e, p, _at, present in reindex.changes(moved, at)}
        if recomputed != self._changed_at.get(at, set()):
            return "index", at, "the index changes recorded for this correction do not match it"
        return None

    def finish(self, head: int) -> Problem | None:
        """After the last page: rows of the index, the references, the names or the index changes that name
        no event of the log, or a change recorded where there is no correction."""
        if self.problem is not None:
            return self.problem
        outside = self._tx.log.positions_outside(head)
        if outside:
            position, table = min(outside, key=lambda found: (found[0] < 1, found[0]))
            check = {"event_refs": "refs", "event_names": "names"}.get(table, "index")
            return (
                check,
                position,
                f"{table} holds a row for position {position}; the log holds {head} events",
            )
        stray = sorted(set(self._changed_at) - self.corrections_seen)
        if stray:
            return "index", stray[0], "the index changes name this event as a correction; it is not one"
        return None


def _check_names(event: StoredEvent, stored: str | None) -> Problem | None:
    """The event's `event_names` rows (joined, as `names_in` reads them) must be those
    `ledger.names.event_names` makes of it."""
    expected = event_names(event.type, event.data, event.sources)
    if (stored or "") == joined_names(expected):
        return None
    found = split_names(stored) if stored else []
    extra, missing = sorted(set(found) - set(expected)), sorted(set(expected) - set(found))
    what = f"it is found by {extra[0][0]!r}" if extra else f"it is not found by {missing[0][0]!r}"
    return (
        "names",
        event.position,
        f"the names events are found by (event_names) do not match the event: {what}",
    )


def _check_group(event: StoredEvent, indexed: str | None, grouped: str | None) -> Problem | None:
    """`group_index` must repeat the (checked) index rows of the events of GROUP_INDEX_TYPES, and only
    theirs."""
    expected = indexed if event.type in GROUP_INDEX_TYPES else None
    if grouped == expected:
        return None
    return "index", event.position, "the group index (group_index) does not match the entity index"
