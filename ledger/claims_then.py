"""Claims as they stood at a past moment (`--as-of`, `--known-at`), for `claims` and `changes`.

`Moments` folds entities at the moment asked, and tells whether a claim's document now is its document
then (`same_then`); a claim whose document may differ is refolded from itself and what references it
(`Moments.claim`, `claim_at`). As the ledger knew it at a recent moment, the claims whose documents may
differ are found at once from the events recorded since (`Moments.changed_since`): what they are about,
and every claim that hangs on a company's group or a partnership's parties they changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import orjson

from ledger.claim_filters import is_final, world_key
from ledger.claim_json import whole_claim
from ledger.entities import entity_kind
from ledger.events import StoredEvent
from ledger.names import SPEAKER, normalize
from ledger.read_model import documents
from ledger.read_model.shared_reads import SharedReads
from ledger.store.connection import Transaction
from ledger.times import end_key
from ledger.vocabulary.entity_fields import CATEGORIES, entities_in, parties_of
from ledger.vocabulary.upcasters import upcast

if TYPE_CHECKING:
    from ledger.projections import EntityView
    from ledger.projections.context import Context

# Events recorded since a moment asked (`known_at`) up to which the claims they may have changed are
# found at once; beyond, each candidate claim is checked on its own. Finding them costs about as much as
# the window's facts (a tenth of a second for 1,000 events at 1M, over a second for 3,000, which regroup
# companies above busy ones), where checking each candidate costs seconds only for a status asked.
WINDOW_LIMIT = 2_000
# Claims found that may differ then, beyond which refolding them costs more than checking each candidate
# on its own (a regrouped company above a busy one makes every statement of the busy one suspect).
CHANGED_LIMIT = 5_000
_PARTY_KINDS = ("company:", "authority:")  # the ids a party can have


def spoken_about(tx: Transaction, events: Iterable[StoredEvent]) -> list[int]:
    """Positions of the claims among `events`, of those their statements are about, and of those their
    corrections correct (directly, or through a statement about them)."""
    events = list(events)
    claims = [e.position for e in events if CATEGORIES[e.type] == "claim"]
    referring = [e.position for e in events if CATEGORIES[e.type] != "claim"]
    targets = [t for found in tx.log.refs_from(referring).values() for t in found]
    behind = [t for found in tx.log.refs_from(targets).values() for t in found]  # a corrected statement's
    return sorted(set(claims) | set(targets) | set(behind))


def out_of_view(occurred_at: str, as_of: int) -> bool:
    """What a fold as of `as_of` leaves out (a period is in view once it has ended)."""
    return world_key(occurred_at) > as_of or end_key(occurred_at) > as_of


class Moments:
    """Folds of entities at the moment asked, read once each: the claims and the finality they give."""

    def __init__(self, tx: Transaction, as_of: int | None, known_at: int | None) -> None:
        self.tx, self.as_of, self.known_at = tx, as_of, known_at
        self._context: Context | None = None
        self._views: dict[str, EntityView | None] = {}
        self._final: dict[str, bool] = {}
        self._changed: set[int] | None = None
        self._changed_known = False
        self._events: dict[int, StoredEvent] = {}  # read ahead for the claims about to be refolded
        self._around: dict[int, list[int]] = {}  # a claim's position -> those of what references it
        # The log's typed reads, shared with a context of the present when the claims that changed
        # since are sought (`changed_since`).
        self.shared = SharedReads(tx.log)
        self._kept_read = False
        self._kept_rows: dict[int, str | None] | None = None

    @property
    def _kept(self) -> dict[int, str | None] | None:
        """`_kept_since`, read when first asked for (the claims of one entity then never ask)."""
        if not self._kept_read:
            self._kept_read = True
            self._kept_rows = self._kept_since()
        return self._kept_rows

    def _kept_since(self) -> dict[int, str | None] | None:
        """As the ledger knew it at a moment its tables were caught up at since the last rebuild (what
        a time names): the claim rows changed since, each with its document then (None: it had none),
        from what the catch-ups kept (`store.projection_versions`). Every other claim up to then is as
        the tables hold it. None when that is not known."""
        known, tx = self.known_at, self.tx
        if known is None or self.as_of is not None or not documents.is_kept_moment(tx, known):
            return None
        checkpoint = tx.projections.checkpoint()
        return tx.versions.claims_changed(known, checkpoint) if known < checkpoint else {}

    @property
    def context(self) -> Context:
        """What folds ask about other entities, as known then (made when a fold first needs it: a query
        of the present reads no fold)."""
        if self._context is None:
            from ledger.projections.context import Context

            self._context = Context.over(self.shared, self.known_at)
        return self._context

    def view(self, entity_id: str) -> EntityView | None:
        from ledger.projections import fold

        if entity_id not in self._views:
            events = self.context.load(entity_id)
            self._views[entity_id] = fold(
                entity_id, events, as_of=self.as_of, known_at=self.known_at, context=self.context
            )
        return self._views[entity_id]

    def final(self, entity_id: str) -> bool:
        """Whether the entity's stage or status is final at the moment asked."""
        if entity_id not in self._final:
            if self.as_of is None and self.known_at is None:
                doc = documents.state(self.tx, entity_id)
                self._final[entity_id] = doc is not None and is_final(doc)
            else:
                view = self.view(entity_id)
                self._final[entity_id] = view is not None and is_final(view.state)
        return self._final[entity_id]

    def same_then(self, claim: dict[str, Any]) -> bool:
        """Whether the claim's document now is its document at the moment asked. Not if a statement
        about it is out of view then, nor, with `known_at`, if a statement about it or a correction of it
        (or of one of its statements) was recorded since, or a statement by neither a party nor an
        origin counts by the groups the ledger knows now (they may have changed since). Once the claims
        that may have changed since are known (`changed_since`), whether it is not among them."""
        if self._kept is not None:
            return claim["position"] not in self._kept
        statements = claim["statements"]
        if self.as_of is not None and any(out_of_view(s["occurred_at"], self.as_of) for s in statements):
            return False
        if self.known_at is None:
            return True
        # Found for a status asked (`_candidates`); for another filter, checking each claim costs less
        # than finding them (on PostgreSQL, 0.4 s for a window of 1,000 events at 100k).
        changed = self._changed if self._changed_known else None
        if changed is not None:
            return claim["position"] not in changed
        known = self.known_at
        if any(s["position"] > known for s in statements) or any(
            c["position"] > known for c in claim["corrections"]
        ):
            return False
        parties = set(parties_of(claim["type"], claim["data"]))
        if any(
            s["by"] not in parties and s["stance"] != "retracted" and s["by"].startswith(_PARTY_KINDS)
            for s in statements
        ):
            return False
        if not statements:
            return True
        referencing = self.tx.log.referencing([s["position"] for s in statements])
        return all(p <= known for found in referencing.values() for p in found)

    def changed_since(self) -> set[int] | None:
        """With `known_at` only: the positions of the claims whose documents then may differ from the
        tables' now (a superset), found from the events recorded since; None when those are more than
        WINDOW_LIMIT (or a world time is asked too)."""
        if not self._changed_known:
            self._changed_known = True
            self._changed = set(self._kept) if self._kept is not None else self._changes_since()
        return self._changed

    def _changes_since(self) -> set[int] | None:
        from ledger.projections.context import Context
        from ledger.projections.reach import cached_lookup, facts_changed

        log, known, now = self.tx.log, self.known_at, self.tx.projections.checkpoint()
        if known is None or self.as_of is not None or now - known > WINDOW_LIMIT:
            return None
        if known >= now:
            return set()
        window = list(log.read_between(known, now))
        after_context = Context.over(self.shared, now)
        # What a claim's status hangs on beyond its own trail: the groups of its parties and speakers,
        # the parties of its partnership (`fold.statement_counts`). Plants' operators it does not read.
        facts = facts_changed(
            window,
            self.context,
            after_context,
            cached_lookup(window, log.events_by_id),
            self.shared.read_ahead,
            operators=False,
            compare_parties=False,  # what their statements are about is cheaper to refold than to compare
        )
        changed = set(spoken_about(self.tx, window))
        # A statement by neither party counts if its speaker is in a party's group, above it or below.
        # Where groups changed, the pairs that may have changed are of a company below a regrouped one
        # (as either moment knew it) and one above or below it: every statement by one below, and those
        # by one above about a claim with a party below (indexed under it, or under a partnership it
        # is party to, for a claim of the partnership that names none). By a party, a statement counts
        # whatever the groups.
        below = set(facts.below)
        if below and len(changed) <= CHANGED_LIMIT:
            changed |= log.targets_of_names([normalize(c) for c in below], SPEAKER)
        above = {c for r in facts.regrouped for c in self.context.uplines(r) | after_context.uplines(r)}
        if above - below and len(changed) <= CHANGED_LIMIT:
            near = below | {e for e in log.co_indexed(below) if e.startswith("partnership:")}
            spoken = log.targets_of_names([normalize(c) for c in above - below], SPEAKER)
            changed |= spoken & log.positions_under(sorted(near))
        # The parties of a partnership count for its claims that name none: what its statements are about.
        if facts.partnerships and len(changed) <= CHANGED_LIMIT:
            changed |= log.targets_under(sorted(facts.partnerships))
        return changed if len(changed) <= CHANGED_LIMIT else None

    def read_ahead(self, claims: list[dict[str, Any]]) -> None:
        """Read at once what refolding these claims will read of them: their events, what references them
        and what references that. (Not the facts of the companies their folds ask about: read in bulk,
        up the parent chains, those cost more than the folds' own look-ups, 0.2 s on SQLite at 1M.)"""
        if len(claims) < 2:
            return
        positions = [c["position"] for c in claims]
        if self._kept is not None:  # what was kept of them is read, not refolded
            self._events_at(positions)
            return
        around = self._referencing(positions)
        self._around.update(around)
        self._events_at([*positions, *(p for found in around.values() for p in found)])

    def _referencing(self, positions: list[int]) -> dict[int, list[int]]:
        """Each claim's position -> those of what references it (its statements, its corrections) and
        of what references those (their corrections)."""
        said = self.tx.log.referencing(positions)
        fixes = self.tx.log.referencing([p for found in said.values() for p in found])
        return {p: [*said[p], *(f for s in said[p] for f in fixes[s])] for p in positions}

    def _events_at(self, positions: list[int]) -> dict[int, StoredEvent]:
        missing = [p for p in positions if p not in self._events]
        if missing:
            self._events.update(self.tx.log.events_at(missing))
        return {p: self._events[p] for p in positions if p in self._events}

    def claim(self, claim: dict[str, Any]) -> dict[str, Any] | None:
        """The claim at the moment asked (None: out of view), folded from itself and what references it
        (its statements, its corrections and theirs), as an entity it names (by its data now, else as
        recorded) sees it; the facts about other entities from the log, as known then."""
        position = claim["position"]
        if self._kept is not None:  # as its row was then (`_kept_since`)
            then = self._kept.get(position)
            event = self._events_at([position])[position]
            return None if then is None else whole_claim(orjson.loads(then), event)
        around = self._around.pop(position, None)
        if around is None:
            around = self._referencing([position])[position]
        events = list(self._events_at([position, *around]).values())

        from ledger.projections import fold

        def view_of(entity_id: str) -> EntityView | None:
            if entity_kind(entity_id) == "partnership":  # its parties from all its claims, not these alone
                self.context.partnership_parties(entity_id, 0)
            return fold(entity_id, events, as_of=self.as_of, known_at=self.known_at, context=self.context)

        return claim_at(self.tx, claim, view_of, self._events_at)


def claim_at(
    tx: Transaction,
    claim: dict[str, Any],
    view_of: Callable[[str], EntityView | None],
    events_at: Callable[[list[int]], dict[int, StoredEvent]] | None = None,
) -> dict[str, Any] | None:
    """A claim as the fold of an entity it names (by its data now, else as recorded) has it: `view_of`
    folds an entity at the moment wanted (`events_at`: how events are read by position, if not from
    the log)."""
    events_at = events_at or (lambda positions: tx.log.events_at(positions))
    recorded = events_at([claim["position"]])[claim["position"]]
    named = entities_in(claim["type"], claim["data"]) + entities_in(
        recorded.type, upcast(recorded.type, recorded.v, recorded.data)
    )
    # And every entity a correction of it made it name: one of them may own it at the moment wanted.
    fixes = [c["position"] for c in claim["corrections"] if c["type"] == "entry.corrected"]
    for fix in events_at(fixes).values() if fixes else ():
        replaced = upcast(recorded.type, recorded.v, fix.data["replacement"])
        named += entities_in(recorded.type, replaced)
    for entity_id in dict.fromkeys(named):
        view = view_of(entity_id)
        found = next((c for c in view.claims if c["id"] == claim["id"]), None) if view else None
        if found is not None:
            return found
    return None
