"""A throwaway PostgreSQL server for tests that must restart one: initdb'd in a temporary folder, on a free
port, stopped and removed afterwards. The shared server the other tests use is never touched."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Cluster:
    url: str  # of its `postgres` database
    _ctl: tuple[str, ...]

    def restart(self) -> None:
        """A fast restart: sessions are ended, transactions in flight rolled back."""
        subprocess.run([*self._ctl, "restart", "-m", "fast"], check=True, capture_output=True, timeout=60)


def _bindir() -> Path | None:
    try:
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    bindir = Path(found.stdout.strip())
    return bindir if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    bindir = _bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (pg_config --bindir) to start a throwaway cluster with")
    base = Path(tempfile.mkdtemp(prefix="ledger-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: the server runs as `postgres`
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser(1) to start a server as postgres")
        shutil.chown(base, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data, port = base / "data", _free_port()
    ctl = (
        *as_postgres,
        str(bindir / "pg_ctl"),
        "-D",
        str(data),
        "-w",
        "-l",
        str(base / "server.log"),
        "-o",
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off",
    )
    try:
        subprocess.run(
            [
                *as_postgres,
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        subprocess.run([*ctl, "start"], check=True, capture_output=True, timeout=60)
        yield Cluster(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", ctl)
    finally:
        subprocess.run([*ctl, "stop", "-m", "immediate"], capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)
