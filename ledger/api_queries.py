"""The query side of `Ledger` (`ledger.api`): what an entity is, was and was known to be, its history, its
claims filtered, what changed between two ledger moments, and a search by name. Each call is one read
transaction, after the projections are brought up to the head (or folded in memory on a read-only ledger
they are behind).

Ledger times (`known_at`, `since`, `until`) are a time or `@POSITION`; world times (`as_of`) a date, an
RFC 3339 timestamp or a period, a date as a bound meaning its end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from ledger import queries
from ledger.errors import InvalidArgument, ReadOnly
from ledger.store.connection import EventStore, Transaction
from ledger.times import LedgerTime, bound_key, check_world_time, ledger_time, start_key

if TYPE_CHECKING:
    from ledger.events import StoredEvent


def _time_bound(value: str | None, parameter: str) -> int | None:
    if value is None:
        return None
    try:
        return bound_key(value)
    except ValueError as e:
        raise InvalidArgument(str(e), parameter=parameter) from None


def _world_start(value: str | None, parameter: str) -> int | None:
    """A world time as a lower bound: a date or a period means its start."""
    if value is None:
        return None
    try:
        return start_key(check_world_time(value))
    except ValueError as e:
        raise InvalidArgument(str(e), parameter=parameter) from None


def _check_limit(limit: int | None) -> None:
    if limit is not None and limit < 1:
        raise InvalidArgument(f"expected a limit of 1 or more, got {limit}", parameter="limit")


def _ledger_time(value: str | None, parameter: str) -> LedgerTime | None:
    if value is None:
        return None
    try:
        return ledger_time(value)
    except ValueError as e:
        raise InvalidArgument(str(e), parameter=parameter) from None


class Queries:
    """The queries `Ledger` answers (a mixin: it brings the store and `catch_up`)."""

    store: EventStore
    catch_up: Callable[[], None]

    def _query(self) -> AbstractContextManager[Transaction]:
        self.store.require_schema()
        try:
            self.catch_up()
        except ReadOnly:  # behind, and they cannot be written: this query folds the log in memory
            from ledger.read_model.folded import folded_reading

            return folded_reading(self.store)
        return self.store.reading()

    def show(
        self, entity_id: str, *, as_of: str | None = None, known_at: str | None = None
    ) -> dict[str, Any]:
        """An entity's state now, at a world time (`as_of`), or as the ledger knew it (`known_at`: a
        time, or `@POSITION`: right after that event)."""
        bound, moment = _time_bound(as_of, "as_of"), _ledger_time(known_at, "known_at")
        with self._query() as tx:
            return queries.show(tx, entity_id, bound, queries.known_position(tx, moment))

    def history(
        self,
        entity_id: str,
        *,
        as_of: str | None = None,
        known_at: str | None = None,
        since: str | None = None,
        until: str | None = None,
        types: str | Sequence[str] | None = None,
        reverse: bool = False,
        limit: int | None = None,
        after: int | None = None,
    ) -> list[dict[str, Any]]:
        """Every event that names the entity or speaks about one that does, in world-time order (newest
        first with `reverse`), as of `as_of` and as known at `known_at`: only those whose world time is
        from `since` to `until` (a date as `until`: its end), of `types` if given, those that come after
        the entry at position `after` in that order if given (the next page: `after` is the position of
        the last entry of the page before), at most `limit` (the latest, with `reverse`). A claim says its
        current data and whether it was corrected or voided, a statement the claims it is about (see
        docs/JSON.md)."""
        bound, moment = _time_bound(as_of, "as_of"), _ledger_time(known_at, "known_at")
        first, last = _world_start(since, "since"), _time_bound(until, "until")
        from ledger.vocabulary.entity_fields import CATEGORIES

        wanted = [types] if isinstance(types, str) else list(types or ())
        for given in wanted:
            if given not in CATEGORIES:
                raise InvalidArgument(f"expected an event type, got {given!r}", parameter="types")
        _check_limit(limit)
        if after is not None and after < 1:
            raise InvalidArgument(f"expected a position of 1 or more, got {after}", parameter="after")
        with self._query() as tx:
            return queries.history(
                tx,
                entity_id,
                bound,
                queries.known_position(tx, moment),
                since=first,
                until=last,
                types=wanted,
                reverse=reverse,
                limit=limit,
                after=after,
            )

    def changes(
        self,
        since: str,
        *,
        until: str | None = None,
        entities: Sequence[str] = (),
        kind: str | None = None,
    ) -> dict[str, Any]:
        """What changed in the projections between two ledger moments (`since`, `until`: a time or
        `@POSITION`; `until` defaults to now): entities added or gone, each field old -> new with its
        basis, claims added and claims whose status or data changed, with the statements and corrections
        that changed them. Only of `entities`, or of one `kind`, when given (see docs/JSON.md)."""
        from ledger.changes import changes

        start, end = _ledger_time(since, "since"), _ledger_time(until, "until")
        for entity_id in entities:
            queries.check_entity(entity_id, "entities")
        entity_kind = None if kind is None else queries.parse_kind(kind)
        with self._query() as tx:
            first = queries.known_position(tx, start, "since")
            last = tx.log.head().position if end is None else queries.known_position(tx, end, "until")
            assert first is not None and last is not None
            if first > last:
                raise InvalidArgument(
                    f"{since} (position {first}) is after the end of the changes (position {last})",
                    parameter="since",
                )
            return changes(tx, first, last, list(dict.fromkeys(entities)), entity_kind)

    def search(self, text: str, *, kind: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """Entities by id, name, alias or former name, case- and accent-insensitive, best first: the exact
        id, an exact name, a name starting with `text`, a name with a word starting with it. Each hit is
        `{id, kind, name, match, matched, summary}` (see docs/JSON.md)."""
        from ledger.search import search

        entity_kind = None if kind is None else queries.parse_kind(kind)
        _check_limit(limit)
        with self._query() as tx:
            return search(tx, text, entity_kind, limit)

    def list(self, kind: str) -> list[dict[str, Any]]:
        with self._query() as tx:
            return queries.list_entities(tx, kind)

    def claims(
        self,
        entity_id: str | None = None,
        *,
        status: str | Sequence[str] | None = None,
        types: str | Sequence[str] | None = None,
        source: str | None = None,
        origin: str | None = None,
        by: str | None = None,
        anonymous_only: bool = False,
        single_origin: bool = False,
        stale: str | None = None,
        resolved: bool = False,
        as_of: str | None = None,
        known_at: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Claims with their status and trail: of one entity in world-time order, or of the whole ledger
        in position order; now, at a world time (`as_of`) or as the ledger knew it (`known_at`).

        Every filter given must hold: `status` and `types` (one or several), a source named `source`, an
        origin named `origin`, a statement by `by` (names compared case-, accent- and punctuation-
        insensitively), only anonymous sources, a single origin; `stale` (a duration: 90d, 6w, 3m, 1y) an
        open claim on an entity whose stage or status is not final with no event about it for that long
        before `as_of` (else now), each with `last_event_at`; `resolved` a claim first reported that went
        to confirmed, denied or retracted, each with its `resolution` (the statement and the days it
        took). At most `limit`."""
        from ledger.claim_filters import claim_filter
        from ledger.claims_query import claims

        bound, moment = _time_bound(as_of, "as_of"), _ledger_time(known_at, "known_at")
        wanted = claim_filter(
            status, types, source, origin, by, anonymous_only, single_origin, stale, resolved, bound
        )
        _check_limit(limit)
        with self._query() as tx:
            return claims(tx, entity_id, wanted, bound, queries.known_position(tx, moment), limit)

    def events(
        self,
        *,
        entity: str | None = None,
        event_type: str | None = None,
        since: int = 0,
        limit: int | None = None,
        reverse: bool = False,
        recorded_since: str | None = None,
        recorded_until: str | None = None,
        occurred_since: str | None = None,
        occurred_until: str | None = None,
        source: str | None = None,
        by: str | None = None,
    ) -> list[StoredEvent]:
        """Stored events, verbatim, in position order (newest first with `reverse`), at most `limit`. Every
        filter given must hold: indexed under `entity`, of `event_type`, after position `since`; recorded
        after the ledger time `recorded_since` and by `recorded_until` (times or `@POSITION`); occurring
        (world time, as it sorts: a period by its start) from `occurred_since` and by `occurred_until` (a
        date: its end); a source named `source`; a statement by `by` (or a correction naming it the
        speaker). Names are compared case-, accent- and punctuation-insensitively."""
        from ledger.claim_filters import name_argument
        from ledger.names import SOURCE, SPEAKER

        start, end = (
            _ledger_time(recorded_since, "recorded_since"),
            _ledger_time(recorded_until, "recorded_until"),
        )
        first, last = (
            _world_start(occurred_since, "occurred_since"),
            _time_bound(occurred_until, "occurred_until"),
        )
        names = [(name_argument(source, "source"), SOURCE), (name_argument(by, "by"), SPEAKER)]
        self.store.require_schema()
        with self.store.reading() as tx:
            after = queries.known_position(tx, start, "recorded_since")
            return tx.log.select(
                entity=entity,
                event_type=event_type,
                since=max(since, after or 0),
                until=queries.known_position(tx, end, "recorded_until"),
                occurred_from=first,
                occurred_to=last,
                names=[(name, role) for name, role in names if name is not None],
                limit=limit,
                reverse=reverse,
            )
