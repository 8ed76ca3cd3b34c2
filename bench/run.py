"""The benchmark: one command, one machine, one run; figures, baselines and ratios side by side.

    python -m bench.run [--n 1000000] [--seed 7] [--backends sqlite,postgresql] [--out bench/RESULTS.md]

Generates the corpus, runs the baselines, then drives the ledger through its CLI (and its Python API for
in-process latencies), each measurement in a child process so that its wall time and peak RSS are its
own. A ledger command that fails gives a "not available: <reason>" row instead of stopping the run.
See bench/README.md for what each figure means and how the baselines are kept fair.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ledger.synthetic as corpus_mod
from bench import pg
from bench.children import MIB, REPO, Child, child_env, ledger_command, percentile, run_child
from bench.figures import (
    BackendResults,
    Latency,
    Measure,
    entities_of,
    render_text,
    report_markdown,
    table_rows,
)
from bench.machine import machine_notes
from ledger.synthetic.__main__ import check as check_corpus


class Harness:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.n: int = args.n
        self.env = child_env()
        self.ledger = shlex.split(args.ledger) if args.ledger else ledger_command()
        self.workdir = Path(tempfile.mkdtemp(prefix="bench_", dir=args.workdir))
        self.corpus = self.workdir / "corpus.jsonl"
        self.small_corpus = self.workdir / "corpus_small.jsonl"
        self.info: corpus_mod.CorpusInfo | None = None
        self.notes: dict[str, str] = {}
        self.log: list[str] = []
        self.tag = f"{os.getpid()}"
        self.corpus_rate = 0.0
        self.small_n = 0

    def say(self, message: str) -> None:
        stamp = datetime.now().strftime("%H:%M:%S")
        print(f"[{stamp}] {message}", file=sys.stderr, flush=True)
        self.log.append(message)

    # -- corpus ---------------------------------------------------------------------------------------
    def make_corpus(self) -> None:
        self.say(f"generating {self.n:,} events (seed {self.args.seed}) into {self.corpus}")
        started = time.perf_counter()
        self.info = corpus_mod.write_corpus(self.corpus, self.n, self.args.seed)
        seconds = time.perf_counter() - started
        self.corpus_rate = self.n / seconds
        self.say(
            f"  {seconds:.1f} s ({self.corpus_rate:,.0f} lines/s), {self.corpus.stat().st_size / MIB:.0f} MiB"
        )
        small = max(self.n // 10, min(self.n, 1000))
        with self.corpus.open("rb") as src, self.small_corpus.open("wb") as dst:
            for _, line in zip(range(small), src, strict=False):
                dst.write(line)
        self.small_n = small
        if not self.args.no_check:
            every = max(1, self.n // 10_000)
            started = time.perf_counter()
            with self.corpus.open("rb") as lines:
                checked = check_corpus(iter(lines), every=every)
            self.say(
                f"  corpus check: references of every line, validate_event on {checked:,} lines "
                f"({time.perf_counter() - started:.1f} s)"
            )

    # -- baselines ------------------------------------------------------------------------------------
    def baseline(self, kind: str, dbname: str = "bench_baseline") -> tuple[dict[str, Any] | None, str]:
        argv = [sys.executable, "-m", "bench.baselines", kind, "--corpus", str(self.corpus)]
        argv += ["--workdir", str(self.workdir), "--dbname", dbname]
        self.say(f"baseline {kind}")
        child = run_child(argv, cwd=self.workdir, env=self.env, timeout=self.args.timeout)
        if not child.ok:
            self.say(f"  not available: {child.reason()}")
            return None, child.reason()
        result = json.loads(child.stdout.decode().strip().splitlines()[-1])
        result["peak_rss_mib"] = child.maxrss / MIB
        shown = {k: round(v, 1) if isinstance(v, float) else v for k, v in result.items() if k != "method"}
        self.say(f"  {shown}")
        return result, ""

    def run_baselines(self, results: dict[str, BackendResults]) -> None:
        if "sqlite" in results:
            r = results["sqlite"]
            found, why = self.baseline("sqlite")
            r.baseline_import = Measure(found["rate"], detail=found) if found else Measure.missing(why)
        if "postgresql" in results:
            r = results["postgresql"]
            found, why = self.baseline("copy", f"bench_copy_{self.tag}")
            r.baseline_import = Measure(found["rate"], detail=found) if found else Measure.missing(why)
        for backend, r in results.items():
            found, why = self.baseline(f"es-{backend}", f"bench_es_{self.tag}")
            if found:
                r.es_save = Measure(found["save_rate"], detail=found)
                r.es_replay = Measure(found["replay_rate"], detail=found)
            else:
                r.es_save = r.es_replay = Measure.missing(why)

    # -- the ledger -----------------------------------------------------------------------------------
    def cli(self, url: str, *args: str, timeout: float | None = None) -> Child:
        argv = [*self.ledger, "--db", url, *args]
        return run_child(
            argv,
            cwd=self.workdir,
            env=self.env,
            timeout=timeout or self.args.timeout,
        )

    def measure_backend(self, r: BackendResults) -> None:
        """init, import, rebuild, verify, show/history (CLI and API) on one backend."""
        assert self.info is not None
        url = r.url
        self.say(f"ledger on {r.name}: init")
        init = self.cli(url, "init")
        if not init.ok:
            reason = f"`ledger init` failed: {init.reason()}"
            self.say(f"  not available: {reason}")
            self.mark_all_missing(r, reason)
            return
        self.say(f"ledger on {r.name}: import {self.n:,} events")
        imported = self.cli(url, "import", str(self.corpus))
        r.steps.append(self.step("import", imported))
        if not imported.ok:
            reason = f"`ledger import` failed: {imported.reason()}"
            self.say(f"  not available: {reason}")
            self.mark_all_missing(r, reason)
            return
        r.import_rate = Measure(self.n / imported.seconds, detail={"seconds": imported.seconds})
        r.import_rss = Measure(imported.maxrss / MIB)
        self.say(
            f"  {imported.seconds:.1f} s, {self.n / imported.seconds:,.0f} ev/s, "
            f"{imported.maxrss / MIB:.0f} MiB"
        )

        self.say(f"ledger on {r.name}: rebuild")
        rebuilt = self.cli(url, "rebuild")
        r.steps.append(self.step("rebuild", rebuilt))
        if rebuilt.ok:
            r.rebuild_rate = Measure(self.n / rebuilt.seconds, detail={"seconds": rebuilt.seconds})
            self.say(f"  {rebuilt.seconds:.1f} s, {self.n / rebuilt.seconds:,.0f} ev/s")
        else:
            r.rebuild_rate = Measure.missing(f"`ledger rebuild` failed: {rebuilt.reason()}")

        self.say(f"ledger on {r.name}: verify")
        verified = self.cli(url, "verify", "--json")
        r.steps.append(self.step("verify --json", verified))
        r.verify_rate = self.verify_measure(verified)

        self.latencies(r)
        self.memory_at_small_n(r)

    def verify_measure(self, child: Child) -> Measure:
        if not child.ok:
            return Measure.missing(f"`ledger verify` failed: {child.reason()}")
        try:
            report = json.loads(child.stdout)
        except ValueError:
            return Measure.missing("`ledger verify --json` printed no JSON")
        if not report.get("ok") or report.get("events") != self.n:
            return Measure.missing(f"verify reported {report}")
        self.say(
            f"  {child.seconds:.1f} s, {self.n / child.seconds:,.0f} ev/s, head {report.get('head_hash')}"
        )
        return Measure(self.n / child.seconds, detail={"seconds": child.seconds})

    def entity_legend(self) -> str:
        return "; ".join(f"{label}: {entity}" for label, entity in self.entities())

    def entities(self) -> list[tuple[str, str]]:
        return entities_of(self.info)

    def latencies(self, r: BackendResults) -> None:
        runs = self.args.cli_runs
        for label, entity in self.entities():
            for op in ("show", "history"):
                self.say(f"ledger on {r.name}: {op} {entity} via CLI x{runs}")
                samples: list[float] = []
                first: Child | None = None
                for i in range(runs):
                    child = self.cli(r.url, op, entity, "--json", timeout=self.args.query_timeout)
                    if not child.ok:
                        r.latencies[("CLI", op, label)] = Latency(
                            reason=f"`ledger {op}` failed: {child.reason()}"
                        )
                        break
                    if i == 0:
                        first = child
                    samples.append(child.seconds * 1000)
                else:
                    size = len(first.stdout) if first else 0
                    r.latencies[("CLI", op, label)] = Latency(
                        percentile(samples, 50),
                        percentile(samples, 99),
                        runs=runs,
                        detail=f"{size:,} bytes out",
                    )
                latency = r.latencies[("CLI", op, label)]
                self.say(f"  {latency.text()}")

        calls = self.args.api_calls
        self.say(f"ledger on {r.name}: show/history via the Python API x{calls}")
        argv = [sys.executable, "-m", "bench.api_probe", r.url, "--calls", str(calls)]
        argv += [entity for _, entity in self.entities()]
        child = run_child(argv, cwd=self.workdir, env=self.env, timeout=self.args.timeout)
        r.steps.append(self.step("api_probe", child))
        found: dict[str, Any] = {}
        if child.ok:
            found = json.loads(child.stdout)["entities"]
        for label, entity in self.entities():
            for op in ("show", "history"):
                if not child.ok:
                    r.latencies[("API", op, label)] = Latency(reason=f"Python API failed: {child.reason()}")
                    continue
                timings = found[entity][op]
                if "error" in timings:
                    r.latencies[("API", op, label)] = Latency(reason=f"Python API: {timings['error']}")
                    continue
                samples = timings["samples_ms"]
                r.latencies[("API", op, label)] = Latency(
                    percentile(samples, 50),
                    percentile(samples, 99),
                    runs=len(samples),
                    detail=f"{len(samples)} calls, first call {timings['first_ms']:.0f} ms, "
                    f"{timings['entries']:,} entries, "
                    f"{timings['bytes']:,} bytes",
                )
                self.say(f"  {op} {label}: {r.latencies[('API', op, label)].text(2)}")

    def memory_at_small_n(self, r: BackendResults) -> None:
        """Peak RSS of an import of the first N/10 lines into a fresh ledger: is memory flat as N grows?"""
        r.small_n = self.small_n
        self.say(f"ledger on {r.name}: import of the first {self.small_n:,} lines (peak memory at N/10)")
        with self.fresh_database(r.name, "small") as url:
            init = self.cli(url, "init")
            if not init.ok:
                r.small_import_rss = Measure.missing(f"`ledger init` failed: {init.reason()}")
                return
            child = self.cli(url, "import", str(self.small_corpus))
            r.steps.append(self.step(f"import (first {self.small_n:,} lines)", child))
            if child.ok:
                r.small_import_rss = Measure(child.maxrss / MIB)
                self.say(f"  {child.maxrss / MIB:.0f} MiB")
            else:
                r.small_import_rss = Measure.missing(f"`ledger import` failed: {child.reason()}")

    def mark_all_missing(self, r: BackendResults, reason: str) -> None:
        """Give every ledger figure not measured yet the reason it is missing."""
        for m in (r.import_rate, r.import_rss, r.small_import_rss, r.rebuild_rate, r.verify_rate):
            if m.value is None and not m.reason:
                m.reason = reason
        for via in ("CLI", "API"):
            for label, _ in self.entities():
                for op in ("show", "history"):
                    r.latencies.setdefault((via, op, label), Latency(reason=reason))

    def step(self, name: str, child: Child) -> str:
        return f"{name}: exit {child.rc}, {child.seconds:.2f} s, peak RSS {child.maxrss / MIB:.0f} MiB"

    def fresh_database(self, backend: str, role: str) -> Any:
        """A context manager yielding the URL of an empty database for the ledger."""
        from contextlib import contextmanager

        @contextmanager
        def scope() -> Any:
            if backend == "sqlite":
                path = self.workdir / f"ledger_{role}.db"
                try:
                    yield f"sqlite:///{path}"
                finally:
                    if not self.args.keep:
                        for suffix in ("", "-wal", "-shm"):
                            Path(f"{path}{suffix}").unlink(missing_ok=True)
            else:
                name = f"bench_ledger_{role}_{self.tag}"
                with pg.scratch_db(name, keep=self.args.keep):
                    yield pg.ledger_url(name)

        return scope()

    def help_latency(self) -> Latency:
        runs = self.args.help_runs
        self.say(f"ledger --help cold start x{runs}")
        samples = []
        for _ in range(runs):
            child = run_child([*self.ledger, "--help"], cwd=self.workdir, env=self.env, timeout=60)
            if not child.ok:
                return Latency(reason=f"`ledger --help` failed: {child.reason()}")
            samples.append(child.seconds * 1000)
        latency = Latency(percentile(samples, 50), percentile(samples, 99), runs=runs)
        self.say(f"  p50 {latency.p50:.0f} ms p99 {latency.p99:.0f} ms")
        return latency

    # -- the whole run ----------------------------------------------------------------------------------
    def compile_bytecode(self) -> None:
        """Compile the ledger's modules as `pip install` does: under PYTHONDONTWRITEBYTECODE an editable
        install would otherwise recompile them in every timed `ledger` process (~80 ms each)."""
        import compileall

        compileall.compile_dir(REPO / "ledger", quiet=1)

    def run(self) -> int:
        backends = [b.strip() for b in self.args.backends.split(",") if b.strip()]
        for backend in backends:
            if backend not in ("sqlite", "postgresql"):
                raise SystemExit(f"unknown backend {backend!r}: use sqlite and/or postgresql")
        started_at = datetime.now(UTC)
        self.compile_bytecode()
        self.notes = machine_notes(backends, self.workdir, self.ledger)
        results = {b: BackendResults(b) for b in backends}
        try:
            self.make_corpus()
            self.run_baselines(results)
            help_latency = self.help_latency()
            for backend, r in results.items():
                try:
                    with self.fresh_database(backend, "main") as url:
                        r.url = url
                        self.measure_backend(r)
                except Exception as e:  # an unreachable backend must not stop the other one
                    reason = f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"
                    self.say(f"  {backend}: {reason}")
                    self.mark_all_missing(r, reason[:200])
        finally:
            if not self.args.keep:
                shutil.rmtree(self.workdir, ignore_errors=True)
        self.notes["load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        elapsed = (datetime.now(UTC) - started_at).total_seconds()
        rows = table_rows(self.n, self.corpus_rate, self.entities(), results, help_latency)
        assert self.info is not None
        print(f"\nN={self.n:,} seed={self.args.seed}; {self.entity_legend()}\n")
        print(render_text(rows))
        report = report_markdown(
            self.args, self.n, self.notes, self.info, rows, results, started_at, elapsed, self.log
        )
        self.args.out.parent.mkdir(parents=True, exist_ok=True)
        self.args.out.write_text(report)
        print(f"\nwritten to {self.args.out}", file=sys.stderr)
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="events in the corpus (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "RESULTS.md")
    parser.add_argument("--cli-runs", type=int, default=30, help="CLI runs per show/history latency")
    parser.add_argument("--api-calls", type=int, default=200, help="API calls per show/history latency")
    parser.add_argument("--help-runs", type=int, default=20, help="runs of `ledger --help`")
    parser.add_argument("--timeout", type=float, default=4 * 3600, help="seconds allowed to any one process")
    parser.add_argument("--query-timeout", type=float, default=600, help="seconds allowed to one CLI query")
    parser.add_argument("--workdir", type=Path, default=None, help="parent of the temporary work dir")
    parser.add_argument("--ledger", help="the ledger command (default: `ledger` beside this interpreter)")
    parser.add_argument("--keep", action="store_true", help="keep the work dir and the bench_* databases")
    parser.add_argument("--no-check", action="store_true", help="skip the corpus smoke check")
    args = parser.parse_args(argv)
    return Harness(args).run()


if __name__ == "__main__":
    raise SystemExit(main())
