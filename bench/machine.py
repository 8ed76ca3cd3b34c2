"""Small facts about the machine a benchmark ran on, for RESULTS.md."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from collections.abc import Sequence
from pathlib import Path

from bench import pg
from bench.children import REPO


def machine_notes(backends: Sequence[str], workdir: Path, ledger: list[str]) -> dict[str, str]:
    """The facts RESULTS.md prints about the machine, the servers and the versions."""
    notes: dict[str, str] = {}
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    notes["CPU"] = cpu
    notes["cores"] = str(os.cpu_count())
    try:
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        notes["RAM"] = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, IndexError, ValueError):
        notes["RAM"] = "?"
    notes["OS"] = platform.platform()
    notes["Python"] = f"{platform.python_version()} ({platform.python_implementation()})"
    notes["SQLite"] = sqlite3.sqlite_version
    if "postgresql" in backends:
        try:
            server = pg.server_notes()
            notes["PostgreSQL"] = server.pop("version").split(",")[0]
            notes["PostgreSQL settings"] = ", ".join(f"{k}={v}" for k, v in server.items())
        except Exception as e:
            notes["PostgreSQL"] = f"unreachable: {e}"
    notes["load average at start"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    notes["work dir"] = f"{workdir} ({_filesystem(workdir)})"
    notes["ledger command"] = " ".join(ledger) + " (bytecode compiled ahead, as pip install does)"
    notes["repo commit"] = _git_head()
    for package in ("eventsourcing", "psycopg", "orjson", "sqlalchemy", "msgspec"):
        notes[package] = _version(package)

    return notes


def _filesystem(path: Path) -> str:
    try:
        out = subprocess.run(["df", "-T", str(path)], capture_output=True, text=True, timeout=10).stdout
        fields = out.splitlines()[1].split()
        return f"{fields[1]} on {fields[0]}"
    except (OSError, IndexError, subprocess.SubprocessError):
        return "?"


def _git_head() -> str:
    try:  # read-only
        out = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return out.stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"
