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
import math
import os
import platform
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ledger.synthetic as corpus_mod
from bench import pg
from ledger.synthetic.__main__ import check as check_corpus

REPO = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
TARGET_N = 1_000_000  # the absolute rebuild target is stated at this size
FLAT_RSS = 1.25  # "flat": peak RSS at N at most this multiple of the peak at N/10


# -- child processes ---------------------------------------------------------------------------------------
@dataclass
class Child:
    """A finished child process: exit code, wall time, its own peak RSS, and its output."""

    argv: list[str]
    rc: int
    seconds: float
    maxrss: int  # bytes
    stdout: bytes
    stderr: bytes
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.rc == 0

    def reason(self) -> str:
        """One line saying why it failed, for a "not available" row: the `error:` line the ledger prints,
        else the exception line of a traceback, else the last line."""
        if self.timed_out:
            return f"timed out after {self.seconds:.0f} s"
        lines = [line.strip() for line in self.stderr.decode(errors="replace").splitlines() if line.strip()]
        chosen = next((line for line in reversed(lines) if line.startswith("error:")), None)
        chosen = chosen or next((line for line in reversed(lines) if _EXCEPTION_LINE.match(line)), None)
        text = chosen or (lines[-1] if lines else f"exit code {self.rc}")
        if self.rc < 0:
            text = f"killed by signal {-self.rc}" + (f" ({text})" if lines else "")
        return text[:200]


_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b")


def run_child(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str],
    timeout: float | None = None,
) -> Child:
    """Run one process to the end; `os.wait4` gives this child's own peak RSS (not the max over children)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            proc.kill()

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        finally:
            if timer:
                timer.cancel()
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: tell Popen not to wait again
        out.seek(0)
        err.seek(0)
        return Child(
            list(argv),
            proc.returncode,
            seconds,
            usage.ru_maxrss * 1024,
            out.read(),
            err.read(),
            killed.is_set(),
        )


def ledger_command() -> list[str]:
    """The installed console script next to this interpreter, else the module."""
    script = Path(sys.executable).with_name("ledger")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ledger"]


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LEDGER_DB", "LEDGER_DEBUG")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def percentile(samples: Sequence[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


# -- what is measured ---------------------------------------------------------------------------------------
@dataclass
class Measure:
    """One figure, or why it is missing."""

    value: float | None = None
    reason: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def missing(cls, reason: str) -> Measure:
        return cls(None, reason)


@dataclass
class Latency:
    p50: float | None = None
    p99: float | None = None
    reason: str = ""
    runs: int = 0
    detail: str = ""

    def text(self, digits: int = 1) -> str:
        if self.p50 is None or self.p99 is None:
            return na(self.reason)
        return f"p50 {self.p50:.{digits}f} ms, p99 {self.p99:.{digits}f} ms"


@dataclass
class BackendResults:
    name: str
    url: str = ""
    import_rate: Measure = field(default_factory=Measure)
    import_rss: Measure = field(default_factory=Measure)
    small_import_rss: Measure = field(default_factory=Measure)
    small_n: int = 0
    rebuild_rate: Measure = field(default_factory=Measure)
    verify_rate: Measure = field(default_factory=Measure)
    latencies: dict[tuple[str, str, str], Latency] = field(default_factory=dict)  # (via, op, entity)
    baseline_import: Measure = field(default_factory=Measure)  # (a) or (b)
    es_save: Measure = field(default_factory=Measure)
    es_replay: Measure = field(default_factory=Measure)
    steps: list[str] = field(default_factory=list)  # raw log for RESULTS.md


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
        assert self.info is not None
        return [("hot company", self.info.hot_company), ("ordinary plant", self.info.sample_plant)]

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

    # -- machine notes --------------------------------------------------------------------------------
    def machine_notes(self, backends: Sequence[str]) -> None:
        notes = self.notes
        cpu = "?"
        try:
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        except OSError:
            pass
        notes["CPU"] = cpu
        notes["cores"] = str(os.cpu_count())
        try:
            kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
            notes["RAM"] = f"{kib / 1024 / 1024:.1f} GiB"
        except (OSError, IndexError, ValueError):
            notes["RAM"] = "?"
        notes["OS"] = platform.platform()
        notes["Python"] = f"{platform.python_version()} ({platform.python_implementation()})"
        notes["SQLite"] = sqlite3.sqlite_version
        if "postgresql" in backends:
            try:
                server = pg.server_notes()
                notes["PostgreSQL"] = server.pop("version").split(",")[0]
                notes["PostgreSQL settings"] = ", ".join(f"{k}={v}" for k, v in server.items())
            except Exception as e:
                notes["PostgreSQL"] = f"unreachable: {e}"
        notes["load average at start"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        notes["work dir"] = f"{self.workdir} ({_filesystem(self.workdir)})"
        notes["ledger command"] = " ".join(self.ledger) + " (bytecode compiled ahead, as pip install does)"
        notes["repo commit"] = _git_head()
        for package in ("eventsourcing", "psycopg", "orjson", "sqlalchemy", "pydantic"):
            notes[package] = _version(package)

    # -- the whole run ----------------------------------------------------------------------------------
    def compile_bytecode(self) -> None:
        """Compile the ledger's modules as `pip install` does: under PYTHONDONTWRITEBYTECODE an editable
        install would otherwise recompile them in every timed `ledger` process (~80 ms each)."""
        import compileall

        for package in ("ledger", "cli"):
            compileall.compile_dir(REPO / package, quiet=1)

    def run(self) -> int:
        backends = [b.strip() for b in self.args.backends.split(",") if b.strip()]
        for backend in backends:
            if backend not in ("sqlite", "postgresql"):
                raise SystemExit(f"unknown backend {backend!r}: use sqlite and/or postgresql")
        started_at = datetime.now(UTC)
        self.compile_bytecode()
        self.machine_notes(backends)
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
        rows = self.rows(results, help_latency)
        assert self.info is not None
        print(f"\nN={self.n:,} seed={self.args.seed}; {self.entity_legend()}\n")
        print(render_text(rows))
        report = self.report(rows, results, help_latency, started_at, elapsed)
        self.args.out.parent.mkdir(parents=True, exist_ok=True)
        self.args.out.write_text(report)
        print(f"\nwritten to {self.args.out}", file=sys.stderr)
        return 0

    # -- the table ---------------------------------------------------------------------------------------
    def rows(self, results: dict[str, BackendResults], help_latency: Latency) -> list[Row]:
        rows: list[Row] = []
        at_target_size = self.n >= TARGET_N
        rows.append(
            Row(
                "corpus generation (wall, writing included)",
                f"{self.corpus_rate:,.0f} lines/s",
                "",
                "",
                "",
                "",
            )
        )
        for backend, r in results.items():
            b = backend
            base_name = "(a) stdlib sqlite3" if b == "sqlite" else "(b) psycopg COPY"
            base_factor = 1.0 if b == "sqlite" else 0.25
            rows.append(Row(f"baseline {base_name} import", rate(r.baseline_import), "", "", "", ""))
            rows.append(Row(f"baseline (c) eventsourcing {b} save", rate(r.es_save), "", "", "", ""))
            rows.append(
                Row(f"baseline (c) eventsourcing {b} replay+decode", rate(r.es_replay), "", "", "", "")
            )
            rows.append(
                ratio_row(
                    f"{b}: ledger import", r.import_rate, r.baseline_import, base_name.split()[0], base_factor
                )
            )
            rows.append(
                ratio_row(f"{b}: ledger import vs eventsourcing save", r.import_rate, r.es_save, "(c)", 2.0)
            )
            rows.append(self.memory_row(r))
            rows.append(
                ratio_row(
                    f"{b}: ledger rebuild vs eventsourcing replay", r.rebuild_rate, r.es_replay, "(c)", 1.0
                )
            )
            if b == "sqlite":
                value = r.rebuild_rate.value
                verdict = met(value is not None and value >= 100_000)
                if value is not None and not at_target_size:
                    verdict += f" (at N={self.n:,})"
                rows.append(
                    Row(
                        f"{b}: ledger rebuild",
                        rate(r.rebuild_rate),
                        "",
                        "",
                        ">= 100,000 ev/s at N=1M",
                        verdict if value is not None else "",
                    )
                )
            rows.append(Row(f"{b}: ledger verify", rate(r.verify_rate), "", "", "", ""))
            for via, limit in (("CLI", 150.0), ("API", 10.0)):
                for label, _entity in self.entities():
                    for op in ("show", "history"):
                        latency = r.latencies.get((via, op, label), Latency(reason="not measured"))
                        rows.append(latency_row(f"{b}: {op} {label} via {via}", latency, limit))
        rows.append(latency_row("ledger --help cold start", help_latency, 200.0))
        return rows

    def memory_row(self, r: BackendResults) -> Row:
        label = f"{r.name}: ledger import peak RSS, N vs N/10"
        if r.import_rss.value is None:
            return Row(label, na(r.import_rss.reason), "", "", f"flat (<= {FLAT_RSS}x)", "")
        if r.small_import_rss.value is None:
            return Row(
                label,
                f"{r.import_rss.value:.0f} MiB",
                na(r.small_import_rss.reason),
                "",
                f"flat (<= {FLAT_RSS}x)",
                "",
            )
        ratio = r.import_rss.value / r.small_import_rss.value
        return Row(
            label,
            f"{r.import_rss.value:.0f} MiB at {self.n:,}",
            f"{r.small_import_rss.value:.0f} MiB at {r.small_n:,}",
            f"{ratio:.2f}x",
            f"flat (<= {FLAT_RSS}x)",
            met(ratio <= FLAT_RSS),
        )

    def report(
        self,
        rows: list[Row],
        results: dict[str, BackendResults],
        help_latency: Latency,
        started_at: datetime,
        elapsed: float,
    ) -> str:
        args = self.args
        command = f"python -m bench.run --n {args.n} --seed {args.seed} --backends {args.backends}"
        lines = [
            "# Benchmark results",
            "",
            f"Run of `{command}` on {started_at:%Y-%m-%d %H:%M} UTC, {elapsed / 60:.1f} minutes in all. "
            "Produced by `bench/run.py`; see `bench/README.md` for what each figure means.",
            "",
            "## Machine",
            "",
            "| | |",
            "| --- | --- |",
            f"| date (UTC) | {started_at:%Y-%m-%d %H:%M:%S} |",
            f"| N (events) | {self.n:,} |",
            f"| seed | {args.seed} |",
            *(f"| {k} | {v} |" for k, v in self.notes.items()),
            "",
            "## Figures",
            "",
            "Latencies are end to end: via CLI a whole `ledger ... --json` process (interpreter start "
            "included), "
            f"{args.cli_runs} runs; via API one call of an open `ledger.open(url)` after one warm-up call, "
            f"{args.api_calls} calls (fewer, at least 10, once they pass 20 s: see Details). "
            "Targets on latency are judged on p99. Throughputs are N divided by the "
            f"wall time of the whole command. Entities queried: {self.entity_legend()}.",
            "",
            render_markdown(rows),
            "",
            "## How the baselines were made",
            "",
        ]
        for r in results.values():
            for m in (r.baseline_import, r.es_save):
                if m.detail.get("method"):
                    lines.append(f"- **{m.detail['name']}**: {m.detail['method']}.")
        lines += ["", "## Details", ""]
        if self.info:
            counts = ", ".join(f"{t} {c:,}" for t, c in sorted(self.info.counts.items(), key=lambda x: -x[1]))
            lines.append(
                f"- corpus: hot company `{self.info.hot_company}`, ordinary plant "
                f"`{self.info.sample_plant}`; types: {counts}"
            )
        for r in results.values():
            for step in r.steps:
                lines.append(f"- {r.name} {step}")
            for (via, op, label), latency in r.latencies.items():
                if latency.detail:
                    lines.append(f"- {r.name} {op} {label} via {via}: {latency.detail}")
        lines += ["", "## Log", "", "```", *self.log, "```", ""]
        return "\n".join(lines)


# -- rows and rendering -------------------------------------------------------------------------------------
@dataclass
class Row:
    figure: str
    value: str
    baseline: str
    ratio: str
    target: str
    met: str


def na(reason: str) -> str:
    return f"not available: {reason}"


def met(ok: bool) -> str:
    return "yes" if ok else "NO"


def rate(m: Measure) -> str:
    return f"{m.value:,.0f} ev/s" if m.value is not None else na(m.reason)


def ratio_row(label: str, value: Measure, baseline: Measure, base_name: str, factor: float) -> Row:
    target = f">= {factor:g}x {base_name}"
    if value.value is None or baseline.value is None:
        return Row(label, rate(value), rate(baseline), "", target, "")
    ratio = value.value / baseline.value
    return Row(label, rate(value), rate(baseline), f"{ratio:.2f}x", target, met(ratio >= factor))


def latency_row(label: str, latency: Latency, limit: float) -> Row:
    target = f"< {limit:g} ms (p99)"
    if latency.p50 is None or latency.p99 is None:
        return Row(label, na(latency.reason), "", "", target, "")
    value = latency.text(1 if limit >= 100 else 2)
    return Row(label, value, "", "", target, met(latency.p99 < limit))


HEADERS = ("figure", "value", "baseline", "ratio", "target", "met?")


def _cells(row: Row) -> tuple[str, ...]:
    return (row.figure, row.value, row.baseline, row.ratio, row.target, row.met)


def render_text(rows: list[Row]) -> str:
    table = [HEADERS, *(_cells(r) for r in rows)]
    widths = [min(max(len(line[i]) for line in table), 60) for i in range(len(HEADERS))]

    def fit(cell: str, width: int) -> str:
        return cell.ljust(width) if len(cell) <= width else cell[: width - 3] + "..."

    out = []
    for i, line in enumerate(table):
        out.append("  ".join(fit(cell, widths[j]) for j, cell in enumerate(line)).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def render_markdown(rows: list[Row]) -> str:
    out = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    for row in rows:
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in _cells(row)) + " |")
    return "\n".join(out)


# -- small facts about the machine --------------------------------------------------------------------------
def _filesystem(path: Path) -> str:
    try:
        out = subprocess.run(["df", "-T", str(path)], capture_output=True, text=True, timeout=10).stdout
        fields = out.splitlines()[1].split()
        return f"{fields[1]} on {fields[0]}"
    except (OSError, IndexError, subprocess.SubprocessError):
        return "?"


def _git_head() -> str:
    try:  # read-only
        out = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return out.stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


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
