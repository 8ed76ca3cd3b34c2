"""The command-line reference, from the app itself: `ledger --help` and every `ledger CMD --help`,
exactly as printed at a fixed width. docs/CLI.md is generated from `markdown()` (a test keeps it
current)."""

from __future__ import annotations

WIDTH = 100


def help_texts() -> dict[str, str]:
    """`ledger --help` (key "") and each command's help, as printed at WIDTH columns."""
    from typer.testing import CliRunner

    from ledger.cli.app import COMMANDS, GROUPS, app

    runner = CliRunner()
    texts = {}
    grouped = [f"{group} {c.name}" for group, sub in GROUPS.items() for c in sub.registered_commands]
    for name in ("", *COMMANDS, *grouped):
        args = [*name.split(), "--help"] if name else ["--help"]
        result = runner.invoke(app, args, terminal_width=WIDTH, env={"COLUMNS": str(WIDTH)})
        texts[name] = result.stdout
    return texts


def markdown() -> str:
    out = []
    for name, text in help_texts().items():
        out += [f"### `ledger {name}`" if name else "### `ledger`", "", "```text", text.rstrip(), "```", ""]
    return "\n".join(out).rstrip() + "\n"
