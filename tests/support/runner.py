"""Driving the `ledger` CLI as a user would, and looking at a ledger from outside it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

import ledger
from ledger.cli.app import app


def ledger_cli(db_url: str, *args: str, input: str | bytes | None = None) -> Result:
    """`ledger --db DB_URL ARGS...`, in process, with stdout and stderr kept apart."""
    return CliRunner().invoke(app, ["--db", db_url, *args], input=input)


def jsonl(events: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(event) + "\n" for event in events)


def write_jsonl(path: Path, events: list[dict[str, Any]]) -> str:
    path.write_text(jsonl(events))
    return str(path)


def state(db_url: str) -> tuple[int, str]:
    """(number of events, head hash): what must not move when a command writes nothing."""
    with ledger.open(db_url) as lg:
        return sum(1 for _ in lg.read()), lg.head().hash


def exported(db_url: str) -> list[dict[str, Any]]:
    """Every event as `ledger export` writes it, parsed."""
    result = ledger_cli(db_url, "export")
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def one_error_line(result: Result) -> str:
    """The single `error:` line a failing command must print; fails on anything else."""
    assert result.stderr.count("\n") == 1 and result.stderr.endswith("\n"), result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert isinstance(result.exception, SystemExit), result.exception
    return result.stderr.rstrip("\n")
