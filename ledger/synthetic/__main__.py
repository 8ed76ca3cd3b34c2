"""`python -m ledger.synthetic`: write a synthetic corpus, or check one against the ledger's validator.

python -m ledger.synthetic --n 1000000 --seed 7 --out /tmp/corpus.jsonl [--check]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import orjson

from ledger.synthetic.generator import generate, write_corpus


# -- the smoke check -------------------------------------------------------------------------------------
def check(lines: Iterator[bytes], every: int = 1) -> int:
    """Validate every `every`-th line with the ledger's own validator, and every line's references.

    Returns the number of lines checked; raises AssertionError naming the first bad line.
    """
    from ledger.validation import validate_event, validate_replacement
    from ledger.vocabulary.registry import CATEGORIES

    seen: dict[str, str] = {}  # id -> type
    count = 0
    for number, line in enumerate(lines, 1):
        raw = orjson.loads(line)
        event_id, event_type = raw["id"], raw["type"]
        assert event_id not in seen, f"line {number}: id {event_id} reused"
        kind = CATEGORIES[event_type]
        for ref in raw["refs"]:
            assert ref in seen, f"line {number}: ref {ref} is not an earlier line"
            target_kind = CATEGORIES[seen[ref]]
            if kind == "statement":
                assert target_kind == "claim", f"line {number}: statement references a {target_kind}"
            else:
                assert target_kind != "correction", f"line {number}: correction of a correction"
        if number % every == 0 or kind == "correction":
            try:
                validate_event(raw)
                if event_type == "entry.corrected":
                    validate_replacement(seen[raw["refs"][0]], raw["data"]["replacement"])
            except Exception as e:
                raise AssertionError(f"line {number}: {e}: {line[:300]!r}") from None
            count += 1
        seen[event_id] = event_type
    return count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m ledger.synthetic", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="number of events (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, help="JSONL file to write (default: stdout)")
    parser.add_argument("--check", action="store_true", help="validate every line instead of writing")
    args = parser.parse_args(argv)
    if args.check:
        started = time.perf_counter()
        checked = check(generate(args.n, args.seed))
        print(f"ok: {checked} lines valid ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
        return
    started = time.perf_counter()
    if args.out is None:
        out = sys.stdout.buffer
        for line in generate(args.n, args.seed):
            out.write(line)
        return
    info = write_corpus(args.out, args.n, args.seed)
    elapsed = time.perf_counter() - started
    print(
        f"{args.n} events in {elapsed:.1f} s ({args.n / elapsed:,.0f} lines/s) -> {args.out}; "
        f"hot company {info.hot_company}, sample plant {info.sample_plant}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
