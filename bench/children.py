"""The benchmark's child processes: each measured command runs in a process of its own, so that its wall
time and peak RSS are its own."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024


@dataclass
class Child:
    """A finished child process: exit code, wall time, its own peak RSS, and its output."""

    argv: list[str]
    rc: int
    seconds: float
    maxrss: int  # bytes
    stdout: bytes
    stderr: bytes
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.rc == 0

    def reason(self) -> str:
        """One line saying why it failed, for a "not available" row: the `error:` line the ledger prints,
        else the exception line of a traceback, else the last line."""
        if self.timed_out:
            return f"timed out after {self.seconds:.0f} s"
        lines = [line.strip() for line in self.stderr.decode(errors="replace").splitlines() if line.strip()]
        chosen = next((line for line in reversed(lines) if line.startswith("error:")), None)
        chosen = chosen or next((line for line in reversed(lines) if _EXCEPTION_LINE.match(line)), None)
        text = chosen or (lines[-1] if lines else f"exit code {self.rc}")
        if self.rc < 0:
            text = f"killed by signal {-self.rc}" + (f" ({text})" if lines else "")
        return text[:200]


_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b")


def run_child(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str],
    timeout: float | None = None,
) -> Child:
    """Run one process to the end; `os.wait4` gives this child's own peak RSS (not the max over children)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            proc.kill()

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        finally:
            if timer:
                timer.cancel()
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: tell Popen not to wait again
        out.seek(0)
        err.seek(0)
        return Child(
            list(argv),
            proc.returncode,
            seconds,
            usage.ru_maxrss * 1024,
            out.read(),
            err.read(),
            killed.is_set(),
        )


def ledger_command() -> list[str]:
    """The installed console script next to this interpreter, else the module."""
    script = Path(sys.executable).with_name("ledger")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ledger"]


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LEDGER_DB", "LEDGER_DEBUG")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def percentile(samples: Sequence[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]
