"""Regenerate the README's walkthrough: runs each command on a fresh ledger and pastes its real output.

.venv/bin/python scripts/walkthrough.py     # rewrites README.md between the WALKTHROUGH markers
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from regenerate_docs import replace_between  # scripts/ is this script's folder

ROOT = Path(__file__).resolve().parent.parent
LEDGER = str(Path(sys.executable).parent / "ledger")
ANSI = re.compile(r"\x1b\[[0-9;]*m")

STEPS: list[tuple[str, str]] = [
    ("Create a ledger (a SQLite file here) and load the story's eleven events.", "ledger init"),
    ("", "ledger import {seed}"),
    ("What the ledger holds about the plant now:", "ledger show plant:nissan-oppama"),
    (
        "The partnership, with every claim and its trail of statements:",
        "ledger show partnership:nissan-foxconn-oppama",
    ),
    ("Who said what, when — in world-time order:", "ledger history partnership:nissan-foxconn-oppama"),
    (
        "World time: on 6 July 2025 the Re:Nissan plan existed, the talks had not been reported yet.",
        "ledger show plan:re-nissan --as-of 2025-07-06",
    ),
    ("", "ledger show partnership:nissan-foxconn-oppama --as-of 2025-07-06"),
    (
        "Suppose Foxconn confirms the report and Nissan denies it, a day later:",
        "ledger append report.confirmed --occurred-at 2025-07-08 --source Reuters:wire --ref {talks} "
        '--data \'{{"by": "company:foxconn", "quote": "talks are under way"}}\'',
    ),
    (
        "",
        "ledger append report.denied --occurred-at 2025-07-08 --source Reuters:wire --ref {talks} "
        '--data \'{{"by": "company:nissan"}}\'',
    ),
    (
        "The parties now disagree, so the claim is disputed (it still applies):",
        "ledger claims --status disputed",
    ),
    ("Every statement Nissan made, and the claim each is about:", "ledger claims --by company:nissan"),
    (
        "What happened from 8 July 2025 on, in world time:",
        "ledger history partnership:nissan-foxconn-oppama --since 2025-07-08",
    ),
    (
        "Ledger time: what did the ledger say before those two statements were recorded?",
        "ledger show partnership:nissan-foxconn-oppama --known-at {before}",
    ),
    (
        "What changed since the import (position 11): the claim the two statements moved, and what it set:",
        "ledger changes --since @11",
    ),
    ("Entities by any of their names (case and accents aside):", "ledger search 'hon hai'"),
    (
        "Records for a spreadsheet or a script: `--format csv` (or `tsv`, `nl`, `json`), here piped:",
        "ledger list plants --format csv | cat",
    ),
    (
        "Is the log intact? (Save the head; `verify --head` later proves nothing was rewritten.)",
        "ledger verify",
    ),
    (
        "The export is plain JSONL that anyone can check with sha256 over RFC 8785 JSON:",
        "ledger export | head -n 1",
    ),
    (
        "Someone who holds no database can check one event, given a signed checkpoint of the log's Merkle "
        "tree and a proof ([docs/TRANSPARENCY.md](docs/TRANSPARENCY.md)). A signer key, and its verifier "
        "key to hand out:",
        "ledger key generate example.com/news --out news.key | tee news.vkey",
    ),
    ("", "ledger checkpoint --sign news.key | tee checkpoint.txt"),
    (
        "The proof that the talks report (position 7) is in that tree:",
        "ledger prove 7 | tee event-7.tlog-proof",
    ),
    ("", "ledger events --since 6 -n 1 --json > event-7.json"),
    (
        "The reader's check, offline:",
        "ledger check-proof --event event-7.json --proof event-7.tlog-proof --checkpoint checkpoint.txt "
        "--key news.vkey",
    ),
    (
        "And later, whether the ledger still holds the tree that was signed:",
        "ledger verify --checkpoint checkpoint.txt --key news.vkey",
    ),
]


def run(command: str, cwd: str) -> str:
    env = {**os.environ, "NO_COLOR": "1", "PAGER": "cat"}  # the whole history, as a terminal shows it
    shell = "stty cols 140; " + command.replace("ledger ", LEDGER + " ", 1)
    # `script` gives the command a terminal, so the output is what a person sees.
    done = subprocess.run(
        ["script", "-qec", shell, "/dev/null"], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    return ANSI.sub("", done.stdout.replace("\r\n", "\n")).rstrip()


def main() -> None:
    seed = ROOT / "ledger" / "data" / "seed.jsonl"
    talks = next(line for line in seed.read_text().splitlines() if '"talks.reported"' in line)
    talks_id = re.search(r'"id":"([^"]+)"', talks).group(1)
    blocks = []
    with tempfile.TemporaryDirectory() as folder:
        before = None
        for prose, template in STEPS:
            if "report.confirmed" in template and before is None:
                before = run(
                    f"{sys.executable} -c 'from ledger.times import format_recorded_at, now_utc;"
                    f" print(format_recorded_at(now_utc()))'",
                    folder,
                ).strip()
            command = template.format(seed=shlex.quote(str(seed)), talks=talks_id, before=before)
            shown = template.format(seed="seed.jsonl", talks=talks_id, before=before)
            output = run(command, folder)
            if prose:
                blocks.append(prose + "\n")
            shown_output = f"{output}\n" if output else ""  # a command writing to a file prints nothing
            blocks.append(f"```console\n$ {shown}\n{shown_output}```\n")
    readme = (ROOT / "README.md").read_text()
    (ROOT / "README.md").write_text(replace_between(readme, "scripts/walkthrough.py", "\n".join(blocks)))


if __name__ == "__main__":
    main()
