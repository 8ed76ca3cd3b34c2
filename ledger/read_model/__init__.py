"""The read model: the projection tables, kept equal to a fold of the log.

`sync` catches them up after a write, rebuilds them and checks them against a rebuild; `workers` folds
a large log in worker processes for `sync`.
"""
