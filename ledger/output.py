"""Writing a file a command was told to write (`export --out`): never one of the ledger's own database
files, never over an existing file unless told to, and never half of it.

The content goes to a temporary file created exclusively (O_EXCL, a fresh random name) in the target's
folder — a symlink planted at any name is not followed — synced, and renamed over the target only when
complete: a reader sees the old file or the whole new one. On any failure the temporary file is removed
and the error is one line (OutputError).
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO, TypeVar

from ledger.errors import OutputError

T = TypeVar("T")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def write_file(
    target: Path, write: Callable[[BinaryIO], T], *, force: bool = False, protected: Iterable[Path] = ()
) -> T:
    """Write `target` with `write(handle)` and return what it returns. `protected`: files it must never
    be (the ledger's database and its journals), whatever `force` says."""
    if any(_same_file(target, path) for path in protected):
        raise OutputError(
            f"{target} is the ledger's own database (or one of its files); export somewhere else"
        )
    if target.is_dir():
        raise OutputError(f"{target} is a folder; give --out a file name")
    folder = target.parent
    if not folder.is_dir():
        raise OutputError(f"no folder {folder} to write {target} in")
    if (target.exists() or target.is_symlink()) and not force:
        raise OutputError(f"{target} exists; give --force to replace it")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=folder)
    except OSError as e:
        raise _failed(e, target) from None
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            result = write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o666 & ~_umask())  # as `open` would have made it (mkstemp makes it 0600)
        os.replace(temporary, target)  # a symlink at `target` is replaced, not followed
    except OSError as e:
        with suppress(OSError):
            temporary.unlink()
        raise _failed(e, target) from None
    except BaseException:
        with suppress(OSError):
            temporary.unlink()
        raise
    _sync_folder(folder)
    return result


def _failed(error: OSError, target: Path) -> OutputError:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return OutputError(f"no space left on the device of {target.parent}: {target} was not written")
    return OutputError(f"cannot write {target}: {error.strerror or error}")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _sync_folder(folder: Path) -> None:
    """The rename itself survives a power cut once the folder is synced (where the system allows it)."""
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
