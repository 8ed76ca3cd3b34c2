"""`ledger --version`: the installed distribution's version, read from its metadata (no CLI framework:
the console-script entry answers it without Typer, and the Typer app's `--version` prints the same)."""

from __future__ import annotations

DISTRIBUTION = "corporate-actions-ledger"


def version_line() -> str:
    """`ledger 0.1.0`, and a newline; `unknown` when the package is not installed (run from a checkout)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        number = version(DISTRIBUTION)
    except PackageNotFoundError:
        number = "unknown"
    return f"ledger {number}\n"
