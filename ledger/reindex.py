"""The entity index follows corrections: when an `entry.corrected` changes the entities an event names,
the event (and, for a claim, every statement about it) moves from the old entities to the new ones, and
so do the corrections recorded before of each event moved (its voids and earlier corrections), from the
entities it leaves to those it joins.

A claim's entities are those of its current data; a statement's are those of the claims it speaks about
plus its speaker, when the speaker is a company or an authority; a correction's, those of the event it
corrects plus those its own replacement names (as the writer indexed it). The moves are recorded as changes of
the index at the correction's position (`LogTables.move_index`), never by rewriting a row, so a listing
by entity shows the claim under its new entities from the correction on.
"""

from __future__ import annotations

from typing import Any

from ledger.events import StoredEvent
from ledger.store.connection import Transaction
from ledger.vocabulary.registry import category, entities_in, upcast

IndexChange = tuple[str, int, int, bool]  # entity, event position, correction position, present


def moves(
    tx: Transaction, target: StoredEvent, replacement: dict[str, Any], at_position: int
) -> dict[int, tuple[set[str], set[str]]]:
    """(entities now, entities after the correction) of each event whose index the correction of
    `target` with `replacement` changes, by position."""
    now = tx.log.current_entities([target.position])[target.position]
    if category(target.type) == "statement":
        found = {target.position: (now, _statement_entities(tx, target, replacement["by"], {}))}
        return _with_corrections(tx, found, at_position)
    after = set(entities_in(target.type, upcast(target.type, target.v, replacement)))
    found = {target.position: (now, after)}
    about = tx.log.statements_about([target.position])[target.position]
    if about:
        current = tx.log.current_entities(about)
        for statement in tx.log.events_at(about).values():
            was = current[statement.position]
            becomes = _statement_entities(tx, statement, None, {target.position: after})
            if was != becomes:
                found[statement.position] = (was, becomes)
    return _with_corrections(tx, found, at_position)


def _with_corrections(
    tx: Transaction, moved: dict[int, tuple[set[str], set[str]]], at_position: int
) -> dict[int, tuple[set[str], set[str]]]:
    """`moved`, and the corrections recorded before `at_position` of each event it moves: each leaves the
    entities its target leaves (unless its own replacement names them) and joins those its target joins,
    so one that moved the target before keeps the entities it moved it from."""
    shifting = [p for p, (now, after) in moved.items() if now != after]
    earlier = {
        p: [c for c in found if c.position < at_position] for p, found in tx.log.fixes_of(shifting).items()
    }
    fixes = [c for found in earlier.values() for c in found]
    if not fixes:
        return moved
    current = tx.log.current_entities([c.position for c in fixes])
    targets = tx.log.events_at(earlier)
    found = dict(moved)
    for target_position, corrections in earlier.items():
        target = targets[target_position]
        for fix in corrections:
            was, goes = moved[target_position]
            becomes = (current[fix.position] - was) | goes | _named_by(target, fix)
            if current[fix.position] != becomes:
                found[fix.position] = (current[fix.position], becomes)
    return found


def _named_by(target: StoredEvent, fix: StoredEvent) -> set[str]:
    """The entities a correction names itself: those of its replacement (a void has none)."""
    replacement = fix.data.get("replacement")
    if fix.type != "entry.corrected" or not isinstance(replacement, dict):
        return set()
    return set(entities_in(target.type, upcast(target.type, target.v, replacement)))


def _statement_entities(
    tx: Transaction, statement: StoredEvent, by: str | None, overrides: dict[int, set[str]]
) -> set[str]:
    """A statement's entities: those of the claims it references (as `overrides` has them, else as
    indexed now) and its speaker's (`by`, else its current speaker)."""
    located = tx.log.locate(statement.refs)
    positions = [located[ref][0] for ref in statement.refs if ref in located]
    current = tx.log.current_entities([p for p in positions if p not in overrides])
    found: set[str] = set()
    for position in positions:
        found |= overrides.get(position, current.get(position, set()))
    speaker = by if by is not None else _current_speaker(tx, statement)
    found |= set(entities_in(statement.type, {"by": speaker}))
    return found


def _current_speaker(tx: Transaction, statement: StoredEvent) -> str:
    """The statement's `by` after the corrections recorded so far."""
    speaker = statement.data["by"]
    for correction in tx.log.corrections_of([statement.position])[statement.position]:
        speaker = correction.data["replacement"]["by"]
    return speaker


def changes(moved: dict[int, tuple[set[str], set[str]]], at_position: int) -> list[IndexChange]:
    """The index changes that take each event from its entities now to its entities after."""
    found: list[IndexChange] = []
    for position, (now, after) in sorted(moved.items()):
        found += [(entity, position, at_position, True) for entity in sorted(after - now)]
        found += [(entity, position, at_position, False) for entity in sorted(now - after)]
    return found


def backfill(tx: Transaction) -> int:
    """Replay the corrections recorded before the index followed them (a ledger upgraded from schema
    0003), in position order; returns how many changed the index."""
    changed = 0
    for correction in tx.log.corrections():
        target_id = correction.refs[0]
        target = tx.log.events_by_id([target_id])[target_id]
        moved = moves(tx, target, correction.data["replacement"], correction.position)
        found = changes(moved, correction.position)
        if found:
            tx.log.move_index(found)
            changed += 1
    return changed


def repair(tx: Transaction) -> int:
    """Record the index changes that corrections recorded before the index moved a moved event's own
    corrections and voids (schema 0008 and earlier) lack: each correction, in position order, replayed
    against the index as it was then (`index_check.AsOf`); returns how many changes were added. Rows are
    only added, as `move_index` adds them, so `verify` then finds what it recomputes."""
    from bisect import insort

    from ledger.index_check import AsOf

    history: dict[tuple[str, int], list[tuple[int, bool]]] = {}
    recorded: dict[int, set[tuple[str, int, bool]]] = {}
    for entity, position, at, present in tx.log.index_changes():
        history.setdefault((entity, position), []).append((at, present))
        recorded.setdefault(at, set()).add((entity, position, present))
    added = 0
    for correction in tx.log.corrections():
        at = correction.position
        target_id = correction.refs[0]
        target = tx.log.events_by_id([target_id])[target_id]
        view: Any = AsOf(tx, history, at)
        found = changes(moves(view, target, correction.data["replacement"], at), at)
        missing = [c for c in found if (c[0], c[1], c[3]) not in recorded.get(at, set())]
        if missing:
            tx.log.move_index(missing)
            for entity, position, _at, present in missing:
                insort(history.setdefault((entity, position), []), (at, present))
            added += len(missing)
    return added
