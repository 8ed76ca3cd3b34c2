"""The docs that are generated from the code are current, and the docs stay inside the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ledger.cli.reference import markdown as cli_reference
from ledger.cli.reference import root_help_data
from ledger.vocabulary.describe import markdown as vocabulary_reference

ROOT = Path(__file__).resolve().parents[2]
REGENERATE = "run `.venv/bin/python scripts/regenerate_docs.py`"


def generated(path: Path, name: str) -> str:
    text = path.read_text()
    start, end = f"<!-- BEGIN GENERATED: {name} -->\n", f"<!-- END GENERATED: {name} -->"
    assert start in text and end in text, f"{path.name} lost its generated-section markers"
    return text.split(start, 1)[1].split(end, 1)[0]


def test_the_vocabulary_reference_lists_every_type_as_the_models_validate_it():
    assert generated(ROOT / "docs" / "VOCABULARY.md", "python -m ledger.vocabulary.describe") == (
        vocabulary_reference()
    ), REGENERATE


def test_the_command_line_reference_is_the_help_every_command_prints():
    assert generated(ROOT / "docs" / "CLI.md", "ledger --help") == cli_reference(), REGENERATE


def test_what_root_help_is_rendered_from_is_the_apps_own():
    assert (ROOT / "ledger" / "cli" / "root_help.json").read_text() == root_help_data(), REGENERATE


def test_the_fields_a_fold_reads_as_naming_entities_are_the_models_own():
    from ledger.vocabulary.registry import entity_fields_json

    assert (ROOT / "ledger" / "vocabulary" / "entity_fields.json").read_text() == entity_fields_json(), (
        REGENERATE
    )


def test_the_vocabulary_reference_has_a_section_for_each_type():
    from ledger.vocabulary.registry import EVENT_TYPES

    text = (ROOT / "docs" / "VOCABULARY.md").read_text()
    assert [t for t in EVENT_TYPES if f"#### `{t}`" not in text] == []


@pytest.mark.parametrize("path", [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))], ids=str)
def test_every_link_of_the_docs_stays_inside_the_repository_and_resolves(path: Path):
    text = path.read_text()
    assert "../shared" not in text
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" in target:
            continue
        assert (path.parent / target).resolve().is_relative_to(ROOT), target
        assert (path.parent / target).exists(), f"{path.name} links to {target}, which does not exist"
