"""Every command explains itself: help with an example, and the exit codes at the root."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ledger.cli.app import COMMANDS, GROUPS, app

GROUPED = [f"{group} {c.name}" for group, sub in GROUPS.items() for c in sub.registered_commands]


@pytest.mark.parametrize("command", [*COMMANDS, *GROUPED])
def test_every_command_has_help_with_an_example(command: str):
    result = CliRunner().invoke(app, [*command.split(), "--help"])

    assert result.exit_code == 0, result.stderr
    assert f"Usage: ledger {command} " in result.stdout
    example = next((line for line in result.stdout.splitlines() if "Example: ledger " in line), None)
    assert example is not None, f"`ledger {command} --help` shows no `Example: ledger ...` line"


def test_the_root_help_lists_every_command():
    result = CliRunner().invoke(app, ["--help"])

    assert result.exit_code == 0
    listed = {line.split()[0] for line in result.stdout.split("Commands:", 1)[1].splitlines() if line.strip()}
    assert listed == set(COMMANDS) | set(GROUPS)


def test_python_dash_m_ledger_runs_the_command_line():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "ledger", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: ledger ")
