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


def root_help_data() -> str:
    """What `ledger --help` is rendered from without Typer (ledger/cli/root_help.json, read by
    root_help.py), taken from the app: the usage, the help text, the options' help records, each
    command's help and the exit codes."""
    import inspect
    import json

    import typer
    import typer.main

    from ledger.cli.app import app
    from ledger.cli.errors import EXIT_CODE_SUMMARY

    group = typer.main.get_command(app)
    ctx = typer.Context(group, info_name="ledger", **group.context_settings)
    params = group.get_params(ctx)
    assert all(p.param_type_name == "option" for p in params), "root_help.py lays out no arguments"
    commands = [(name, group.get_command(ctx, name)) for name in group.list_commands(ctx)]
    shown = [(name, c) for name, c in commands if c is not None and not c.hidden]
    assert all(not c.short_help and not c.deprecated for _, c in shown), "root_help.py cuts help only"
    data = {
        "prog": "ledger",
        "usage": " ".join(group.collect_usage_pieces(ctx)),
        "help": inspect.cleandoc(group.help or "").partition("\f")[0],
        "options": [record for p in params if (record := p.get_help_record(ctx)) is not None],
        "commands": [(name, c.help or "") for name, c in shown],
        "exit_codes": [(str(code), text) for code, text in EXIT_CODE_SUMMARY],  # params.LedgerGroup's
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
