"""Text longer than the terminal goes through a pager, as git does: `PAGER` (a shell command), else `less`
with `LESS=FRX` unless `LESS` is set (quit if it fits one screen, keep colours, leave the text on the
screen). Never when stdout is not a terminal, nor with an empty `PAGER` or `cat`.
"""

from __future__ import annotations

import os
import shutil
import sys


def size() -> tuple[int, int]:
    """(columns, lines) of the terminal: `COLUMNS` and `LINES` first, 80 x 24 when there is none."""
    found = shutil.get_terminal_size((80, 24))
    return max(found.columns, 20), max(found.lines, 1)


def show(text: str, allowed: bool = True) -> None:
    """Write `text` to stdout, through the pager if `allowed`, stdout is a terminal and the text has more
    lines than it."""
    out = sys.stdout
    if not (allowed and out.isatty() and text.count("\n") >= size()[1]):
        out.write(text)
        return
    command = os.environ.get("PAGER")
    if command is None:
        command = "less" if shutil.which("less") else ""
    if command.strip() in ("", "cat"):
        out.write(text)
        return
    import subprocess

    out.flush()
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    pager = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
    assert pager.stdin is not None
    try:
        pager.stdin.write(text.encode(out.encoding or "utf-8", "replace"))
        pager.stdin.close()
    except BrokenPipeError:  # the reader quit the pager before the end: not an error
        pass
    pager.wait()
