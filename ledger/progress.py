"""How a long call (import, rebuild, verify, export) says how far it has got, for whoever shows it.

The call takes `progress`, a function it calls as `progress(phase, done, total)`: `phase` is one of the
names below, `done` how many of its units are done so far, `total` how many there are (None when not
known beforehand). Each phase is reported from its start, every few thousand units, and at its end; a
call goes through its phases in order (an import commits twice: its events, then the projections
caught up after them), and a phase with no count (COMMIT, COMPARE, DERIVED) is reported
once, with `done` 0. None (the default) costs nothing: nothing is counted for it.
"""

from __future__ import annotations

from collections.abc import Callable

OnProgress = Callable[[str, int, int | None], None]

EVENTS = "events"  # events read and written (import), written out (export) or checked (verify)
COMMIT = "commit"  # the work is done, the transaction commits (an import: also its last checks)
PROJECTIONS = "projections"  # entities folded into the projections (rebuild, the catch-up after an import)
COMPARE = "compare"  # rebuild --check: the stored projections compared with the fold
DERIVED = "derived"  # verify, once the log is read: what derives from it (Merkle tree, entity index...)
EVERY = 2000  # units between two reports
