"""One set of the log's typed reads for the contexts of two ledger moments (`changes`, and `claims` at a
past moment, compare the facts known at each)."""

from __future__ import annotations

from collections.abc import Sequence

from ledger.events import StoredEvent
from ledger.store.log import LogTables


class SharedReads:
    """The log's typed reads (claims of some types and what is said about them), made once for the
    contexts of both moments: each context keeps what was known at its own moment of what it reads."""

    def __init__(self, log: LogTables) -> None:
        self.log = log
        self._typed: dict[tuple[str, tuple[str, ...]], list[StoredEvent]] = {}

    def entity_events(self, entity_id: str) -> list[StoredEvent]:
        return self.log.entity_events(entity_id)

    def claims_about(self, entity_id: str, types: Sequence[str]) -> list[StoredEvent]:
        return self.claims_about_many([entity_id], types)[entity_id]

    def claims_about_many(
        self, entity_ids: Sequence[str], types: Sequence[str], *, rare: bool = False
    ) -> dict[str, list[StoredEvent]]:
        key = tuple(types)
        wanted = [e for e in dict.fromkeys(entity_ids) if (e, key) not in self._typed]
        if wanted:
            for entity_id, events in self.log.claims_about_many(wanted, key, rare=rare).items():
                self._typed[(entity_id, key)] = events
        return {e: self._typed[(e, key)] for e in entity_ids}

    def read_ahead(self, entity_ids: Sequence[str], types: Sequence[str]) -> None:
        """Read what `claims_about` will be asked of these entities, at once."""
        if len(entity_ids) > 1:
            self.claims_about_many(sorted(entity_ids), types)
