"""Checkpoints and proofs of the public API (a mixin of `ledger.api.Ledger`, which brings the store):
issuing a signed checkpoint of the log, and the inclusion and consistency proofs against them.

What they need (the Merkle tree, the signed notes) their methods import: a query loads none of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ledger.store.connection import EventStore

if TYPE_CHECKING:
    from ledger.checkpoints import ConsistencyProof, InclusionProof
    from ledger.store.tree import IssuedCheckpoint
    from ledger.transparency.note import Signer


class Proofs:
    """The checkpoints and proofs `Ledger` gives (a mixin: it brings the store)."""

    store: EventStore

    def checkpoint(
        self, *, signers: Sequence[str | Signer] = (), origin: str | None = None
    ) -> IssuedCheckpoint:
        """Issue a checkpoint of the whole log (c2sp.org/tlog-checkpoint), signed as a note by `signers`
        (signer keys), and record it. `origin` defaults to the first signer's name."""
        from ledger import checkpoints

        keys = [checkpoints.read_signer(k) if isinstance(k, str) else k for k in signers]
        self.store.require_schema()
        with self.store.writing() as tx:
            return checkpoints.issue(tx, keys, origin)

    def prove(self, event: str | int, *, size: int | None = None) -> InclusionProof:
        """The inclusion proof of an event (its id or position) against the latest checkpoint issued, or
        the latest of tree size `size`."""
        from ledger import checkpoints

        self.store.require_schema()
        with self.store.reading() as tx:
            return checkpoints.prove_inclusion(tx, event, size)

    def prove_consistency(self, old: int, *, size: int | None = None) -> ConsistencyProof:
        """The consistency proof from the tree of the first `old` events to the first `size` (default:
        every event)."""
        from ledger import checkpoints

        self.store.require_schema()
        with self.store.reading() as tx:
            return checkpoints.prove_consistency(tx, old, size)
