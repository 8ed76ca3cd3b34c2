"""Regenerate the parts of the docs that are made from the code: the vocabulary reference
(docs/VOCABULARY.md) and the command-line reference (docs/CLI.md), what `ledger --help` is rendered from
without Typer (ledger/cli/root_help.json) and the fields that name entities as the models declare them
(ledger/vocabulary/entity_fields.json). tests/unit/test_docs.py fails when they are out of date.

.venv/bin/python scripts/regenerate_docs.py
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- BEGIN GENERATED: {name} -->", "<!-- END GENERATED: {name} -->"


def replace_between(text: str, name: str, content: str) -> str:
    """`text` with what stands between the markers named `name` replaced by `content`."""
    start, end = START.format(name=name), END.format(name=name)
    head, found, rest = text.partition(start)
    if not found or end not in rest:
        raise SystemExit(f"markers {start} ... {end} not found")
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{content}{end}{tail}"


def main() -> None:
    from ledger.cli.reference import markdown as cli_markdown
    from ledger.cli.reference import root_help_data
    from ledger.vocabulary.describe import markdown as vocabulary_markdown
    from ledger.vocabulary.registry import entity_fields_json

    for path, name, content in (
        (ROOT / "docs" / "VOCABULARY.md", "python -m ledger.vocabulary.describe", vocabulary_markdown()),
        (ROOT / "docs" / "CLI.md", "ledger --help", cli_markdown()),
    ):
        path.write_text(replace_between(path.read_text(), name, content))
    (ROOT / "ledger" / "cli" / "root_help.json").write_text(root_help_data())
    (ROOT / "ledger" / "vocabulary" / "entity_fields.json").write_text(entity_fields_json())


if __name__ == "__main__":
    main()
