"""Projections: what the log says each entity is. Pure Python, no SQL.

`fold` (in `fold.py`) folds one entity's events into an `EntityView`; each entity kind's rule lives in
its own module (`plant`, `partnership`, `company`, `plan`) as `project(entity_id, claims) -> state`.
"""

from ledger.bulk import cyclic_gc_paused
from ledger.projections.fold import EntityView, fold

__all__ = ["EntityView", "cyclic_gc_paused", "fold"]
