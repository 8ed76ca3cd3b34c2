"""Shell completion: `ledger completion bash|zsh|fish` prints the script each shell loads, and the
console script, asked the way those scripts ask (`_LEDGER_COMPLETE=complete_SHELL` and the words typed),
completes commands, options, kinds, claim statuses, event types, source kinds and the entity ids of the
ledger that --db or LEDGER_DB names; a ledger it cannot read completes nothing, silently."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from support.runner import ledger_cli, one_error_line
from typer.testing import CliRunner

import ledger
from ledger.cli import completion, entry
from ledger.cli.app import app
from ledger.vocabulary.terms import CLAIM_STATUSES

SEED = resources.files("ledger") / "data" / "seed.jsonl"
ENTRY = "from ledger.cli.entry import main; main()"


@pytest.fixture
def seeded(db_url: str) -> str:
    with resources.as_file(SEED) as path:
        assert ledger_cli(db_url, "import", str(path)).exit_code == 0
    return db_url


def bash_words(*words: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> list[str]:
    """What the console script answers bash for the words typed, the last one being completed."""
    environment = {k: v for k, v in os.environ.items() if k != "LEDGER_DB"} | (env or {})
    environment |= {
        "_LEDGER_COMPLETE": "complete_bash",
        "COMP_WORDS": " ".join(["ledger", *words]),
        "COMP_CWORD": str(len(words)),
    }
    done = subprocess.run(
        [sys.executable, "-c", ENTRY], capture_output=True, text=True, env=environment, cwd=cwd, timeout=120
    )
    assert (done.returncode, done.stderr) == (0, "")
    return done.stdout.split()


def in_process(shell: str, line: str, db_url: str | None = None) -> list[str]:
    """The Typer app's answer to zsh or fish for the command line typed so far."""
    env = {"_LEDGER_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": line}
    env |= {"_TYPER_COMPLETE_FISH_ACTION": "get-args"} if shell == "fish" else {}
    env |= {"LEDGER_DB": db_url} if db_url else {}
    result = CliRunner().invoke(app, [], env=env)
    assert result.exit_code == 0, result.stderr
    return result.stdout.split()


@pytest.mark.parametrize(
    ("shell", "expected"),
    [
        ("bash", ["complete -o default -F _ledger_completion ledger", "_LEDGER_COMPLETE=complete_bash"]),
        ("zsh", ["#compdef ledger", "compdef _ledger_completion ledger", "_LEDGER_COMPLETE=complete_zsh"]),
        ("fish", ["complete --command ledger", "_LEDGER_COMPLETE=complete_fish"]),
    ],
)
def test_the_script_of_each_shell(shell: str, expected: list[str]):
    result = CliRunner().invoke(app, ["completion", shell])

    assert (result.exit_code, result.stderr) == (0, "")
    assert [text for text in expected if text not in result.stdout] == []


def test_another_shell_is_a_usage_error():
    result = CliRunner().invoke(app, ["completion", "tcsh"])

    assert result.exit_code == 2
    assert one_error_line(result) == "error: SHELL: unknown shell 'tcsh': expected one of bash, zsh, fish"


def test_the_entry_hands_completion_to_the_typer_app():
    assert entry.COMPLETE_VAR == completion.COMPLETE_VAR


def test_a_partial_entity_id_completes_to_the_ledgers_ids(seeded: str, tmp_path: Path):
    with ledger.open(seeded) as opened:
        plants = sorted(p["id"] for p in opened.list("plants"))
        companies = sorted(c["id"] for c in opened.list("companies"))
    assert "plant:nissan-oppama" in plants and len(companies) > 1

    assert bash_words("--db", seeded, "show", "plant:") == plants
    assert bash_words("--db", seeded, "history", "plant:nissan-o") == ["plant:nissan-oppama"]
    assert bash_words("--db", seeded, "claims", "company:ni") == [
        c for c in companies if c.startswith("company:ni")
    ]
    assert bash_words("show", "company:", env={"LEDGER_DB": seeded}) == companies
    assert bash_words("--db", seeded, "events", "--entity", "plant:nis") == ["plant:nissan-oppama"]
    assert bash_words("--db", seeded, "show", "plant:nowhere") == []
    # zsh and fish ask with the whole line
    assert in_process("fish", f"ledger --db {seeded} timeline plant:nis") == ["plant:nissan-oppama"]
    assert in_process("zsh", "ledger show plant:nis", db_url=seeded) == [
        "_arguments",
        "'*:",
        r""":(("plant\\:nissan-oppama"))'""",
    ]


def test_a_bare_word_completes_to_the_kinds_of_id():
    assert bash_words("show", "p") == ["plant:", "partnership:", "plan:"]
    assert bash_words("graph", "") == ["company:", "plant:", "partnership:", "plan:", "authority:"]


def test_a_ledger_that_is_not_there_completes_nothing_and_is_not_created(tmp_path: Path):
    assert bash_words("show", "plant:", cwd=tmp_path) == []  # the default, ./ledger.db
    assert list(tmp_path.iterdir()) == []
    assert bash_words("--db", "postgresql://127.0.0.1:1/nowhere", "show", "plant:x") == []
    assert bash_words("--db", "not a url", "show", "plant:x") == []


def test_a_ledger_without_schema_completes_nothing(blank_db_url: str):
    assert bash_words("--db", blank_db_url, "show", "plant:") == []


def test_commands_options_and_values_complete():
    assert bash_words("his") == ["history"]
    assert "--entity" in bash_words("events", "--")
    assert bash_words("claims", "--status", "") == list(CLAIM_STATUSES)
    assert bash_words("list", "pla") == ["plants", "plans"]
    assert bash_words("search", "x", "--kind", "comp") == ["companies"]
    assert bash_words("events", "--type", "plant.clo") == [
        "plant.closed",
        "plant.closure_announced",
        "plant.closure_considered",
    ]
    assert "talks.reported" in bash_words("append", "talks.")
    assert bash_words("append", "--source", "Reuters:p") == ["Reuters:press"]
    assert bash_words("graph", "--format", "") == ["dot", "mermaid", "html", "svg"]
    assert bash_words("demo", "--story", "s") == ["sanand"]
    assert bash_words("completion", "") == ["bash", "zsh", "fish"]
    assert bash_words("prove", "") == []  # EVENT_ID|POSITION: nothing to offer


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_the_bash_script_keeps_ids_and_urls_whole(seeded: str, tmp_path: Path):
    """Bash cuts `plant:nis` into `plant`, `:`, `nis`: the script puts the words back together and offers
    only what follows the last ':', which is what bash replaces."""
    script = tmp_path / "ledger.bash"
    script.write_text(CliRunner().invoke(app, ["completion", "bash"]).stdout)
    console = shutil.which("ledger", path=str(Path(sys.executable).parent))
    assert console is not None
    scheme, _colon, rest = seeded.partition(":")
    complete = f"""
        source {script}
        compopt() {{ printf '(%s %s) ' "$1" "$2"; }}  # bash's own works only within a completion
        ask() {{
            COMP_WORDS=("$@"); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); COMPREPLY=()
            _ledger_completion {console}; echo "${{COMPREPLY[*]}}"
        }}
        ask ledger --db {scheme} : '{rest}' show plant : nis
        ask ledger --db {scheme} : '{rest}' show plant :
        ask ledger --db {scheme} : '{rest}' show pa
        ask ledger append --source Reuters : w
    """
    env = {k: v for k, v in os.environ.items() if k != "LEDGER_DB"}
    done = subprocess.run(["bash", "-c", complete], capture_output=True, text=True, env=env, timeout=120)

    assert done.stderr == ""
    assert done.stdout.splitlines() == [
        "nissan-oppama",
        "nissan-oppama",
        "(-o nospace) partnership:",  # no space after it: the id goes on
        "wire",
    ]
