"""Checkpoints (c2sp.org/tlog-checkpoint): the note text naming a tree — its origin, its size and its root.

```
ORIGIN
SIZE
base64(ROOT)
```
A checkpoint is signed as a note (`ledger.transparency.note`); this module reads and writes only its text.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from ledger.transparency.merkle import HASH_SIZE
from ledger.transparency.proof import ProofError, b64_hash, decimal


class CheckpointError(ValueError):
    """A note's text is not a checkpoint; the message says which line and why."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return "\n".join(lines) + "\n"


def check_origin(origin: str) -> str:
    """An origin the ledger issues under: non-empty, one line, no control character."""
    if not origin or any(ord(c) < 0x20 or c == "\x7f" for c in origin):
        raise CheckpointError("an origin is one non-empty line of text")
    return origin


def parse_checkpoint(text: str) -> Checkpoint:
    """The checkpoint a note's text (ending in a newline) holds."""
    if not text.endswith("\n"):
        raise CheckpointError("a checkpoint's text ends with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError("a checkpoint has at least three lines: origin, tree size, root hash")
    origin, size, root, *extensions = lines
    if not origin:
        raise CheckpointError("line 1 (the origin) is empty")
    if any(not line for line in extensions):
        raise CheckpointError("an extension line is empty")
    try:
        parsed_size = decimal(size, "line 2 (the tree size)")
        parsed_root = b64_hash(root, "line 3 (the root hash)")
    except ProofError as e:
        raise CheckpointError(str(e)) from None
    assert len(parsed_root) == HASH_SIZE
    return Checkpoint(origin, parsed_size, parsed_root, tuple(extensions))
