"""Latency of the read commands through the command line: whole processes, interpreter start included.

Each command line runs `--runs` times as a fresh process (`time.perf_counter` around `subprocess.run`,
output captured as a pipe would take it), after one unmeasured run that warms the OS file cache and
writes the bytecode cache (as installing a package does, whatever PYTHONDONTWRITEBYTECODE says); prints
p50/p99 per command, or JSON with every sample with `--json`. `--checkpoint` also times
`ledger checkpoint --json` (and with `--sign KEY` signed), which records a checkpoint each run (a write:
not by default).

    python -m bench.cli_probe URL [--entity ENTITY...] [--hot ENTITY...] [--kind plants] [--runs 50]
        [--checkpoint [--sign KEY]] [--ledger 'CMD ...' | --wheel] [--against 'CMD ...'] [--json]

`--wheel` times this checkout installed as a user installs it (pip, into a fresh venv in a temporary
folder), without the editable install's import hook (~13 ms a command). `--ledger` runs another command
line in place of `ledger`; `--against` times a second one too, run for
run in turn with the first, so that a busy machine's bursts fall on both alike (a before/after
comparison: `--against 'env PYTHONPATH=/path/to/other/checkout .venv/bin/python -m ledger'`). The
commands run in an empty temporary folder: give the database and the key as absolute paths.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any

from bench.children import REPO, child_env, ledger_command, percentile


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


def time_command(argvs: list[list[str]], runs: int, env: dict[str, str], cwd: str) -> list[dict[str, Any]]:
    """Each command line `runs` times after one warm-up, the lines taking turns run by run; per line the
    samples in milliseconds and their p50/p99, or the error that stopped it."""
    samples: list[list[float]] = [[] for _ in argvs]
    errors: list[str | None] = [None for _ in argvs]
    for run in range(runs + 1):
        for i, argv in enumerate(argvs):
            if errors[i] is not None:
                continue
            started = time.perf_counter()
            done = subprocess.run(argv, capture_output=True, env=env, cwd=cwd, check=False)
            elapsed = (time.perf_counter() - started) * 1000
            if done.returncode != 0:
                reason = done.stderr.decode(errors="replace").strip().splitlines()
                errors[i] = reason[-1] if reason else f"exit code {done.returncode}"
            elif run > 0:
                samples[i].append(elapsed)
    return [
        {"error": error}
        if error is not None
        else {"p50_ms": percentile(found, 50), "p99_ms": percentile(found, 99), "samples_ms": found}
        for found, error in zip(samples, errors, strict=True)
    ]


def installed_wheel() -> list[str]:
    """The `ledger` command of a fresh venv (in a temporary folder) into which pip installs this checkout
    as a wheel, with its dependencies from the configured index."""
    venv = tempfile.mkdtemp(prefix="cli_probe_venv_")
    atexit.register(shutil.rmtree, venv, True)
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    pip = [os.path.join(venv, "bin", "python"), "-m", "pip", "install", "--quiet", str(REPO)]
    subprocess.run(pip, check=True)
    return [os.path.join(venv, "bin", "ledger")]


def figures(found: dict[str, Any]) -> str:
    if "error" in found:
        return f"not available: {found['error']}"
    return f"p50 {found['p50_ms']:6.1f} ms  p99 {found['p99_ms']:6.1f} ms"


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
    parser.add_argument("--against", help="a second ledger command, timed in turn with the first")
    parser.add_argument(
        "--wheel",
        action="store_true",
        help="time this checkout installed as a user installs it (pip install into a fresh venv), not "
        "the editable install beside this interpreter, whose import hook costs ~13 ms a command",
    )
    parser.add_argument("--json", action="store_true", help="print JSON with every sample")
    args = parser.parse_args(argv)
    if args.wheel and args.ledger:
        parser.error("--wheel installs the ledger it times: give one of --wheel and --ledger")
    if args.wheel:
        ledgers = [installed_wheel()]
    else:
        ledgers = [shlex.split(args.ledger) if args.ledger else ledger_command()]
    if args.against:
        ledgers.append(shlex.split(args.against))
    env = child_env()
    if args.wheel:
        env.pop("PYTHONPATH", None)  # the installed package, not the checkout
    # An installed package has its bytecode compiled; the warm-up run writes it for a checkout too.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # An empty folder: `python -m ledger` must find the ledger the command line names, not the checkout
    # the probe happens to run in.
    cwd = tempfile.mkdtemp(prefix="cli_probe_")
    results: dict[str, list[dict[str, Any]]] = {}
    if not args.json and args.against:
        print(f"{'':64}  {'ledger':28}  against: {args.against}", flush=True)
    for command in commands(args.entity, args.hot, args.kind, args.checkpoint, args.sign):
        line = " ".join(command)
        root = [] if command == ["--help"] else ["--db", args.url]
        results[line] = time_command([[*ledger, *root, *command] for ledger in ledgers], args.runs, env, cwd)
        if not args.json:
            print(f"{line[:64]:64}  " + "  ".join(figures(found) for found in results[line]), flush=True)
    if args.json:
        named = [shlex.join(ledger) for ledger in ledgers]
        sys.stdout.write(json.dumps({"runs": args.runs, "ledgers": named, "commands": results}) + "\n")


if __name__ == "__main__":
    main()
