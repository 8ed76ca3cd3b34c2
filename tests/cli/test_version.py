"""`ledger --version`: the installed version, answered by the console script without the CLI framework,
and the same from the Typer app."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

from typer.testing import CliRunner

from ledger.cli.app import app

EXPECTED = f"ledger {importlib.metadata.version('corporate-actions-ledger')}\n"
ENTRY = (
    "import sys; from ledger.cli.entry import main; main(); "
    "print(' '.join(sorted(sys.modules)), file=sys.stderr)"
)


def test_the_console_script_prints_the_version_without_the_cli_framework():
    done = subprocess.run(
        [sys.executable, "-c", ENTRY, "--version"], capture_output=True, text=True, timeout=60
    )

    assert (done.returncode, done.stdout) == (0, EXPECTED)
    loaded = done.stderr.split()
    assert [m for m in loaded if m.split(".")[0] in ("typer", "click", "rich", "sqlalchemy")] == []


def test_the_typer_app_prints_the_same_version():
    result = CliRunner().invoke(app, ["--version"])

    assert (result.exit_code, result.stdout, result.stderr) == (0, EXPECTED, "")


def test_the_version_comes_before_any_command_and_ignores_the_database():
    result = CliRunner().invoke(app, ["--db", "mysql://nowhere/x", "--version"])

    assert (result.exit_code, result.stdout) == (0, EXPECTED)


def test_the_root_help_offers_it():
    result = CliRunner().invoke(app, ["--help"])

    assert "--version" in result.stdout and "Print the version and exit." in result.stdout
