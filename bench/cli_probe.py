"""Latency of the read commands through the command line: whole processes, interpreter start included.

Each command runs `--runs` times as a fresh process (`time.perf_counter` around `subprocess.run`, output
captured as a pipe would take it), after one unmeasured run that warms the OS file cache and writes the
bytecode cache (as installing a package does, whatever PYTHONDONTWRITEBYTECODE says); prints a table
of p50/p99 per command, or JSON with `--json`. `--checkpoint` also times `ledger checkpoint --json` (and
with `--sign KEY` signed), which records a checkpoint each run (a write: not by default).

    python -m bench.cli_probe URL [--entity ENTITY...] [--hot ENTITY...] [--kind plants] [--runs 50]
        [--checkpoint [--sign KEY]] [--ledger 'CMD ...'] [--json]

`--ledger` runs another command line in place of `ledger` (for a before/after comparison, say
`--ledger '.venv/bin/python -m ledger'` with PYTHONPATH at another checkout).
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from typing import Any

from bench.children import child_env, ledger_command, percentile


def commands(
    entities: list[str], hot: list[str], kind: str, checkpoint: bool, sign: str | None
) -> list[list[str]]:
    """The command lines measured: each read command the entry point answers, per entity (`show` alone
    of a hot one, whose history, claims and events are tens of thousands of entries)."""
    measured = [["--help"], ["list", kind, "--json"]]
    measured += [["show", entity, "--json"] for entity in hot]
    for entity in entities:
        measured += [
            ["show", entity, "--json"],
            ["history", entity, "--json"],
            ["claims", entity, "--json"],
            ["events", "--entity", entity, "--json"],
        ]
    if checkpoint:
        measured.append(["checkpoint", "--json"])
        if sign:
            measured.append(["checkpoint", "--sign", sign, "--json"])
    return measured


def time_command(argv: list[str], runs: int, env: dict[str, str]) -> dict[str, Any]:
    """`runs` timed processes after one warm-up; the samples in milliseconds and their p50/p99."""
    subprocess.run(argv, capture_output=True, env=env, check=False)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, env=env, check=False)
        samples.append((time.perf_counter() - started) * 1000)
        if done.returncode != 0:
            reason = done.stderr.decode(errors="replace").strip().splitlines()
            return {"error": reason[-1] if reason else f"exit code {done.returncode}"}
    return {"p50_ms": percentile(samples, 50), "p99_ms": percentile(samples, 99), "samples_ms": samples}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cli_probe", description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--entity", action="append", default=[], help="an entity to query (repeatable)")
    parser.add_argument("--hot", action="append", default=[], help="an entity to `show` only (repeatable)")
    parser.add_argument("--kind", default="plants", help="the kind `ledger list` lists (default plants)")
    parser.add_argument("--runs", type=int, default=50, help="timed processes per command (default 50)")
    parser.add_argument("--checkpoint", action="store_true", help="also time `checkpoint` (it writes)")
    parser.add_argument("--sign", metavar="KEY", help="with --checkpoint: also time it signed by this key")
    parser.add_argument("--ledger", help="the ledger command (default: `ledger` beside this interpreter)")
    parser.add_argument("--json", action="store_true", help="print JSON with every sample")
    args = parser.parse_args(argv)
    ledger = shlex.split(args.ledger) if args.ledger else ledger_command()
    env = child_env()
    # An installed package has its bytecode compiled; the warm-up run writes it for a checkout too.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    results = {}
    for command in commands(args.entity, args.hot, args.kind, args.checkpoint, args.sign):
        line = " ".join(command)
        full = [*ledger, "--db", args.url, *command] if command != ["--help"] else [*ledger, *command]
        results[line] = time_command(full, args.runs, env)
        if not args.json:
            found = results[line]
            figures = (
                f"p50 {found['p50_ms']:7.1f} ms   p99 {found['p99_ms']:7.1f} ms"
                if "error" not in found
                else f"not available: {found['error']}"
            )
            print(f"{line[:70]:70}  {figures}", flush=True)
    if args.json:
        sys.stdout.write(json.dumps({"runs": args.runs, "commands": results}) + "\n")


if __name__ == "__main__":
    main()
