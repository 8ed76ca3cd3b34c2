"""Latency of `show` and `history` through the Python API, measured in a process of its own.

Why a separate process: the harness imports nothing of the ledger's storage stack, and this process's
peak memory is its own. Prints one JSON object: per entity and operation, the latency of each call in
milliseconds (one warm-up call each first, not counted: it pays for imports and the first connection).

    python -m bench.api_probe URL ENTITY [ENTITY...] [--calls 200] [--budget-s 20]

A slow operation (the history of a company named in 5% of a million events) stops after `--budget-s`
seconds of timed calls, once it has made at least MIN_CALLS: its count is reported with its samples.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any

MIN_CALLS = 10


def probe(url: str, entities: list[str], calls: int, budget_s: float = 20.0) -> dict[str, Any]:
    import ledger

    started = time.perf_counter()
    lg = ledger.open(url)
    opened = time.perf_counter() - started
    result: dict[str, Any] = {"open_ms": opened * 1000, "entities": {}}
    try:
        for entity in entities:
            timings: dict[str, Any] = {}
            for name in ("show", "history"):
                try:
                    timings[name] = _time_calls(getattr(lg, name), entity, calls, budget_s)
                except Exception as e:  # one operation missing or failing must not hide the others
                    timings[name] = {"error": f"{type(e).__name__}: {str(e).strip()[:200]}"}
            result["entities"][entity] = timings
    finally:
        lg.close()
    return result


def _time_calls(call: Callable[[str], Any], entity: str, calls: int, budget_s: float) -> dict[str, Any]:
    """One warm-up call (imports, first connection), then `calls` timed calls (fewer past the budget)."""
    first = time.perf_counter()
    answer = call(entity)
    first_ms = (time.perf_counter() - first) * 1000
    samples: list[float] = []
    while len(samples) < calls and (len(samples) < MIN_CALLS or sum(samples) < budget_s * 1000):
        started = time.perf_counter()
        call(entity)
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "samples_ms": samples,
        "first_ms": first_ms,
        "entries": len(answer),  # history: entries; show: top-level fields
        "bytes": len(json.dumps(answer, default=str)),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.api_probe", description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("entities", nargs="+")
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--budget-s", type=float, default=20.0)
    args = parser.parse_args(argv)
    try:
        result = probe(args.url, args.entities, args.calls, args.budget_s)
    except Exception as e:  # reported as "not available" by the harness
        print(f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}", file=sys.stderr)
        raise SystemExit(1) from None
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
