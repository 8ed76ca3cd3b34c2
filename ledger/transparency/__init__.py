"""Transparency: the Merkle tree over the log, its proofs, checkpoints and signed notes (pure: no SQL, no CLI)."""
