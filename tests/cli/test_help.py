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
    commands = result.stdout.split("\nCommands:\n", 1)[1].split("\nExit codes:\n", 1)[0]
    listed = {line.split()[0] for line in commands.splitlines() if line.strip()}
    assert listed == set(COMMANDS) | set(GROUPS)


def test_python_dash_m_ledger_runs_the_command_line():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "ledger", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: ledger ")


HELP_PAGES = ["", *COMMANDS, *GROUPS, *GROUPED]


@pytest.mark.parametrize("command", HELP_PAGES, ids=lambda c: c or "ledger")
def test_no_help_page_names_a_value_by_its_python_type(command: str):
    result = CliRunner().invoke(app, [*command.split(), "--help"], terminal_width=200)

    assert result.exit_code == 0, result.stderr
    shown = [
        kind
        for kind in ("<list", "<int", "<str", "<text", "<path", "<bool", "<float")
        if kind in result.stdout
    ]
    assert shown == [], f"`ledger {command} --help` names a value by its type:\n{result.stdout}"


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        ("append", ["--data JSON", "--source NAME[:KIND]", "--expect ENTITY@POSITION", "--file FILE|-"]),
        ("import", ["FILE|-", "--head HASH@POSITION", "--vocabulary VERSION"]),
        ("export", ["-o, --out FILE"]),
        ("verify", ["--head HASH@POSITION", "--checkpoint FILE", "--key VKEY"]),
        ("graph", ["--depth N"]),
        ("timeline", ["--as-of TIME", "--known-at TIME"]),
        ("prove", ["--size SIZE", "--consistency OLD_SIZE"]),
        ("key generate", ["-o, --out FILE"]),
    ],
)
def test_values_are_named_by_what_they_are(command: str, shown: list[str]):
    result = CliRunner().invoke(app, [*command.split(), "--help"], terminal_width=200)

    assert [text for text in shown if text not in result.stdout] == []


def test_the_root_help_ends_with_the_exit_codes():
    from ledger.cli.errors import EXIT_CODE_SUMMARY

    result = CliRunner().invoke(app, ["--help"], terminal_width=200)

    assert result.exit_code == 0
    listed = result.stdout.split("\nExit codes:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in listed] == [str(code) for code, _ in EXIT_CODE_SUMMARY]
    assert [int(line.split()[0]) for line in listed] == [0, 1, 2, 3, 4, 5, 6, 130]
    assert "  5    integrity failure" in result.stdout


def test_the_exit_codes_in_help_are_those_docs_cli_md_lists():
    import re
    from pathlib import Path

    from ledger.cli.errors import EXIT_CODE_SUMMARY

    text = (Path(__file__).parents[2] / "docs" / "CLI.md").read_text()
    table = text.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    assert [int(code) for code in re.findall(r"^\| (\d+) \|", table, re.MULTILINE)] == [
        code for code, _ in EXIT_CODE_SUMMARY
    ]
