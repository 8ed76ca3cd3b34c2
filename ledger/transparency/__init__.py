"""Transparency, pure (no SQL, no CLI): the Merkle tree over the log, its proofs, checkpoints and
signed notes."""
