"""The ~30 lines of Python in docs/TRANSPARENCY.md that check an inclusion proof and a checkpoint's
signature with only hashlib and an Ed25519 library: run as written, against a proof the ledger emitted
(accepted) and against a tampered one (refused)."""

from __future__ import annotations

import ast
import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support.factories import EVERY_TYPE
from support.runner import exported, jsonl, ledger_cli

ROOT = Path(__file__).resolve().parents[2]
MARK = "<!-- snippet: check-inclusion -->"
ED25519 = "cryptography.hazmat.primitives.asymmetric.ed25519"


def snippet() -> str:
    text = (ROOT / "docs" / "TRANSPARENCY.md").read_text()
    found = re.search(re.escape(MARK) + r"\n```python\n(.*?)```", text, re.S)
    assert found, "docs/TRANSPARENCY.md lost its check-inclusion snippet"
    return found[1]


def test_the_snippet_is_about_thirty_lines_of_hashlib_and_ed25519():
    code = snippet()
    imported = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(str(node.module))

    assert len(code.splitlines()) <= 40
    assert imported == {"base64", "hashlib", "json", "sys", ED25519}


@pytest.fixture(params=["sqlite"])
def backend(request) -> str:  # the ledger only hands out files here: one backend is enough
    return request.param


def test_the_snippet_accepts_a_proof_the_ledger_emitted_and_refuses_a_tampered_one(db_url, tmp_path):
    assert ledger_cli(db_url, "import", "-", input=jsonl(EVERY_TYPE)).exit_code == 0
    script = tmp_path / "check.py"
    for attempt in range(40):  # a key whose base64 holds a "+", like the separators around it
        key = tmp_path / f"news-{attempt}.key"
        vkey = ledger_cli(db_url, "key", "generate", "example.com/news", "--out", str(key)).stdout.strip()
        if "+" in vkey.split("+", 2)[2]:
            break
    files = {name: tmp_path / name for name in ("event.json", "proof", "checkpoint.txt")}
    files["checkpoint.txt"].write_text(ledger_cli(db_url, "checkpoint", "--sign", str(key)).stdout)
    files["proof"].write_text(ledger_cli(db_url, "prove", "13").stdout)
    files["event.json"].write_text(json.dumps(exported(db_url)[12]))
    script.write_text(snippet())

    def run() -> subprocess.CompletedProcess:
        argv = [sys.executable, str(script), *(str(p) for p in files.values()), vkey]
        return subprocess.run(argv, capture_output=True, text=True, timeout=60)

    done = run()
    assert done.returncode == 0, done.stderr
    event_id = json.loads(files["event.json"].read_text())["id"]
    assert (
        done.stdout
        == f"event {event_id} is in example.com/news@{len(EVERY_TYPE)}, signed by example.com/news\n"
    )

    lines = files["proof"].read_text().split("\n")
    raw = bytearray(base64.b64decode(lines[3]))
    raw[0] ^= 1
    lines[3] = base64.b64encode(bytes(raw)).decode()
    files["proof"].write_text("\n".join(lines))
    tampered = run()
    assert tampered.returncode != 0
    assert "the event is not in the tree the checkpoint names" in tampered.stderr
