"""What the benchmark measures, and how its figures become rows of a table and RESULTS.md."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ledger.synthetic import CorpusInfo

TARGET_N = 1_000_000  # the absolute rebuild target is stated at this size
FLAT_RSS = 1.25  # "flat": peak RSS at N at most this multiple of the peak at N/10


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


def entities_of(info: CorpusInfo | None) -> list[tuple[str, str]]:
    """The entities whose show/history latency is measured, with their labels."""
    assert info is not None
    return [("hot company", info.hot_company), ("ordinary plant", info.sample_plant)]


def table_rows(
    n: int,
    corpus_rate: float,
    entities: list[tuple[str, str]],
    results: dict[str, BackendResults],
    help_latency: Latency,
) -> list[Row]:
    """The figures of one run, one row each, in the order RESULTS.md shows them."""
    rows: list[Row] = []
    at_target_size = n >= TARGET_N
    rows.append(
        Row(
            "corpus generation (wall, writing included)",
            f"{corpus_rate:,.0f} lines/s",
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
        rows.append(Row(f"baseline (c) eventsourcing {b} replay+decode", rate(r.es_replay), "", "", "", ""))
        rows.append(
            ratio_row(
                f"{b}: ledger import", r.import_rate, r.baseline_import, base_name.split()[0], base_factor
            )
        )
        rows.append(
            ratio_row(f"{b}: ledger import vs eventsourcing save", r.import_rate, r.es_save, "(c)", 2.0)
        )
        rows.append(memory_row(n, r))
        rows.append(
            ratio_row(f"{b}: ledger rebuild vs eventsourcing replay", r.rebuild_rate, r.es_replay, "(c)", 1.0)
        )
        if b == "sqlite":
            value = r.rebuild_rate.value
            verdict = met(value is not None and value >= 100_000)
            if value is not None and not at_target_size:
                verdict += f" (at N={n:,})"
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
            for label, _entity in entities:
                for op in ("show", "history"):
                    latency = r.latencies.get((via, op, label), Latency(reason="not measured"))
                    rows.append(latency_row(f"{b}: {op} {label} via {via}", latency, limit))
    rows.append(latency_row("ledger --help cold start", help_latency, 200.0))
    return rows


def memory_row(n: int, r: BackendResults) -> Row:
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
        f"{r.import_rss.value:.0f} MiB at {n:,}",
        f"{r.small_import_rss.value:.0f} MiB at {r.small_n:,}",
        f"{ratio:.2f}x",
        f"flat (<= {FLAT_RSS}x)",
        met(ratio <= FLAT_RSS),
    )


def report_markdown(
    args: argparse.Namespace,
    n: int,
    notes: dict[str, str],
    info: CorpusInfo | None,
    rows: list[Row],
    results: dict[str, BackendResults],
    started_at: datetime,
    elapsed: float,
    log: list[str],
) -> str:
    """RESULTS.md: the machine, the table, how the baselines were made, the details and the log."""
    entity_legend = "; ".join(f"{label}: {entity}" for label, entity in entities_of(info))
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
        f"| N (events) | {n:,} |",
        f"| seed | {args.seed} |",
        *(f"| {k} | {v} |" for k, v in notes.items()),
        "",
        "## Figures",
        "",
        "Latencies are end to end: via CLI a whole `ledger ... --json` process (interpreter start "
        "included), "
        f"{args.cli_runs} runs; via API one call of an open `ledger.open(url)` after one warm-up call, "
        f"{args.api_calls} calls (fewer, at least 10, once they pass 20 s: see Details). "
        "Targets on latency are judged on p99. Throughputs are N divided by the "
        f"wall time of the whole command. Entities queried: {entity_legend}.",
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
    if info:
        counts = ", ".join(f"{t} {c:,}" for t, c in sorted(info.counts.items(), key=lambda x: -x[1]))
        lines.append(
            f"- corpus: hot company `{info.hot_company}`, ordinary plant "
            f"`{info.sample_plant}`; types: {counts}"
        )
    for r in results.values():
        for step in r.steps:
            lines.append(f"- {r.name} {step}")
        for (via, op, label), latency in r.latencies.items():
            if latency.detail:
                lines.append(f"- {r.name} {op} {label} via {via}: {latency.detail}")
    lines += ["", "## Log", "", "```", *log, "```", ""]
    return "\n".join(lines)
