"""Files a command reads its input from: keys, checkpoints, proofs, exported events (or stdin for `-`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def read_file(path: str) -> bytes:
    """A file's bytes, or stdin's for `-`; a file that cannot be read is one error line."""
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as e:
        from ledger.errors import LedgerError

        raise LedgerError(f"cannot read {path}: {e.strerror}") from None


def read_text(path: str, flag: str) -> str:
    from ledger.errors import InvalidDocument

    try:
        return read_file(path).decode()
    except UnicodeDecodeError:
        raise InvalidDocument(f"{path} is not UTF-8 text", source=flag) from None


def verifier_keys(values: list[str] | None) -> list[str]:
    """Each --key: the key itself, or a file holding it."""
    return [read_text(v, "key").strip() if os.path.isfile(v) else v for v in values or []]
