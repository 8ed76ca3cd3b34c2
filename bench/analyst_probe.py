"""Latency of the analyst queries (issue 11) through the Python API, in a process of its own: `changes`
over the last events, `search`, each `claims` filter, the `events` filters, and an unknown id's "did you
mean". Prints one JSON object: per query, the latency of each timed call in milliseconds and the size of
the answer (one warm-up call first, not counted).

    python -m bench.analyst_probe URL [--plant PLANT] [--calls 20] [--budget-s 20] [--window 1000]
                                      [--limit 100] [--cli]

Targets (issue 11): each under 50 ms at 1M events through the API, 150 ms through the CLI (`--cli` also
times the command lines the CLI has for them, each a process of its own, its output piped to nothing).
Whole-ledger `claims` filters are asked for their first `--limit` claims (their full answers run to
hundreds of thousands at 1M); the answer's size is reported.
A slow query stops after `--budget-s` seconds of timed calls, once it has made at least MIN_CALLS.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any

MIN_CALLS = 3


def queries(lg: Any, window: int, limit: int, plant: str | None) -> dict[str, Callable[[], Any]]:
    """The queries, on what the corpus holds (`ledger.synthetic`): its hot company, an ordinary plant (the
    generator names one), its sources."""
    head = lg.head().position
    hot = "company:orion-motors"
    if plant is None:
        some_plant = lg.search("plant", kind="plants", limit=1)
        plant = some_plant[0]["id"] if some_plant else "plant:none"
    plant_word = plant.split(":", 1)[1].split("-")[0]
    return {
        f"changes --since @{head - window}": lambda: lg.changes(f"@{head - window}"),
        f"changes --since @{head - window} {plant}": lambda: lg.changes(
            f"@{head - window}", entities=[plant]
        ),
        "search orion": lambda: lg.search("orion"),
        f"search {plant_word}": lambda: lg.search(plant_word),
        "search motors (a word inside names)": lambda: lg.search("motors"),
        "search plant:… (did you mean)": lambda: _unknown(lg, plant + "x"),
        **{
            f"claims {name} (first {limit})": (lambda given=given: lg.claims(**given, limit=limit))
            for name, given in {
                "--status disputed": {"status": "disputed"},
                "--type plant.closure_announced": {"types": "plant.closure_announced"},
                "--source Nikkei": {"source": "Nikkei"},
                "--origin Reuters": {"origin": "Reuters"},
                f"--by {hot}": {"by": hot},
                "--anonymous-only": {"anonymous_only": True},
                "--single-origin": {"single_origin": True},
                "--stale 90d": {"stale": "90d"},
                "--resolved": {"resolved": True},
                f"--known-at @{head - window} --type talks.reported": {
                    "types": "talks.reported",
                    "known_at": f"@{head - window}",
                },
                f"--known-at @{head - window} --status disputed": {
                    "status": "disputed",
                    "known_at": f"@{head - window}",
                },
                "--as-of 2020-01-01 --status confirmed": {"status": "confirmed", "as_of": "2020-01-01"},
            }.items()
        },
        f"claims {plant}": lambda: lg.claims(plant),
        f"claims {plant} --status reported": lambda: lg.claims(plant, status="reported"),
        f"events --recorded-since @{head - window}": lambda: lg.events(recorded_since=f"@{head - window}"),
        "events --occurred-since 2020-01-01 --occurred-until 2020-01-07": lambda: lg.events(
            occurred_since="2020-01-01", occurred_until="2020-01-07"
        ),
        f"events --source Nikkei -n {limit}": lambda: lg.events(source="Nikkei", limit=limit),
        f"events --by {hot} -n {limit}": lambda: lg.events(by=hot, limit=limit),
    }


def cli_queries(head: int, window: int, plant: str, limit: int = 100) -> dict[str, list[str]]:
    """The command lines (after `ledger --db URL`) of the queries the CLI has."""
    plant_word = plant.split(":", 1)[1].split("-")[0]
    return {
        f"ledger changes --since @{head - window} --json": [
            "changes",
            "--since",
            f"@{head - window}",
            "--json",
        ],
        f"ledger changes --since @{head - window} {plant}": [
            "changes",
            "--since",
            f"@{head - window}",
            plant,
        ],
        "ledger search orion": ["search", "orion"],
        f"ledger search {plant_word}": ["search", plant_word],
        f"ledger show {plant}x (did you mean)": ["show", plant + "x"],
        **{
            f"ledger claims {' '.join(given)} -n {limit}": ["claims", *given, "-n", str(limit)]
            for given in (
                ["--status", "disputed"],
                ["--type", "plant.closure_announced"],
                ["--source", "Nikkei"],
                ["--origin", "Reuters"],
                ["--by", "company:orion-motors"],
                ["--anonymous-only"],
                ["--single-origin"],
                ["--stale", "90d"],
                ["--resolved"],
                ["--known-at", f"@{head - window}", "--type", "talks.reported"],
                ["--known-at", f"@{head - window}", "--status", "disputed"],
                ["--as-of", "2020-01-01", "--status", "confirmed"],
            )
        },
        f"ledger claims {plant}": ["claims", plant],
        f"ledger claims {plant} --status reported": ["claims", plant, "--status", "reported"],
    }


def _time_cli(url: str, argv: list[str], calls: int, budget_s: float) -> dict[str, Any]:
    import subprocess
    from pathlib import Path

    script = Path(sys.executable).with_name("ledger")  # the console script beside the interpreter
    start = [str(script)] if script.exists() else [sys.executable, "-m", "ledger"]
    command = [*start, "--db", url, *argv]
    samples: list[float] = []
    code = 0
    while len(samples) < calls and (len(samples) < MIN_CALLS or sum(samples) < budget_s * 1000):
        started = time.perf_counter()
        code = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        samples.append((time.perf_counter() - started) * 1000)
    return {"samples_ms": samples, "exit_code": code}


def _unknown(lg: Any, entity: str) -> list[str]:
    from ledger.errors import UnknownEntity

    try:
        lg.show(entity)
    except UnknownEntity as e:
        return e.suggestions
    return []


def probe(
    url: str,
    calls: int,
    budget_s: float,
    window: int,
    limit: int,
    plant: str | None = None,
    cli: bool = False,
) -> dict[str, Any]:
    import ledger

    lg = ledger.open(url)
    result: dict[str, Any] = {"queries": {}}
    try:
        lg.catch_up()
        asked = queries(lg, window, limit, plant)
        for name, call in asked.items():
            try:
                result["queries"][name] = _time_calls(call, calls, budget_s)
            except Exception as e:  # one query failing must not hide the others
                result["queries"][name] = {"error": f"{type(e).__name__}: {str(e).strip()[:200]}"}
        head = lg.head().position
    finally:
        lg.close()
    if cli:
        plant = plant or _plant_of(asked)
        result["cli"] = {}
        for name, argv in cli_queries(head, window, plant, limit).items():
            try:
                result["cli"][name] = _time_cli(url, argv, calls, budget_s)
            except OSError as e:  # one command failing to start must not hide the others
                result["cli"][name] = {"error": f"{type(e).__name__}: {e}"}
    return result


def _plant_of(asked: dict[str, Any]) -> str:
    """The plant the API's queries used (named in the key of `claims PLANT`)."""
    return next(name.split()[1] for name in asked if name.startswith("claims plant:"))


def _time_calls(call: Callable[[], Any], calls: int, budget_s: float) -> dict[str, Any]:
    first = time.perf_counter()
    answer = call()
    first_ms = (time.perf_counter() - first) * 1000
    samples: list[float] = []
    while len(samples) < calls and (len(samples) < MIN_CALLS or sum(samples) < budget_s * 1000):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    if isinstance(answer, dict):
        size: Any = {k: len(v) for k, v in answer.items() if isinstance(v, list)}
    else:
        size = len(answer)
    return {
        "samples_ms": samples,
        "first_ms": first_ms,
        "answer": size,
        "bytes": len(json.dumps(answer, default=str)),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.analyst_probe", description=__doc__.splitlines()[0]
    )
    parser.add_argument("url")
    parser.add_argument("--plant", help="an ordinary plant (default: the first a search for 'plant' finds)")
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--budget-s", type=float, default=20.0)
    parser.add_argument("--window", type=int, default=1000, help="changes over the last N events")
    parser.add_argument("--limit", type=int, default=100, help="claims per whole-ledger filter")
    parser.add_argument("--cli", action="store_true", help="also time the CLI's command lines")
    args = parser.parse_args(argv)
    try:
        result = probe(args.url, args.calls, args.budget_s, args.window, args.limit, args.plant, args.cli)
    except Exception as e:
        print(f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}", file=sys.stderr)
        raise SystemExit(1) from None
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
