"""Fixtures of the crash and concurrency tests: the 50k-event corpus, ledgers preloaded with it (and how
long the import took, to aim the kills), and the figures each trial records for docs/GUARANTEES.md.

The figures are printed at the end of the run (the terminal summary) and written as JSON to
`<pytest basetemp>/reliability-figures.json`.
"""

from __future__ import annotations

import json
import platform
import shutil
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.databases import create_pg_database, drop_pg_database, pg_connect, pg_url

from reliability.support import SOAK, ImportTiming, probe, timed_import

CORPUS_EVENTS = 50_000
CORPUS_SEED = 7

_FIGURES = pytest.StashKey[list[dict[str, Any]]]()
_FIGURES_FILE = pytest.StashKey[Path]()


@dataclass(frozen=True)
class Corpus:
    path: Path
    events: int
    hot_company: str
    sample_plant: str


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Corpus:
    """The 50,000-event corpus as a JSONL file, generated once per session."""
    from ledger.synthetic import write_corpus

    path = tmp_path_factory.mktemp("corpus") / f"corpus-{CORPUS_EVENTS}.jsonl"
    info = write_corpus(path, CORPUS_EVENTS, CORPUS_SEED)
    return Corpus(path, CORPUS_EVENTS, info.hot_company, info.sample_plant)


@dataclass(frozen=True)
class Loaded:
    """A ledger holding the whole corpus (the template clones come from), and how long loading took."""

    backend: str
    location: str  # the SQLite file, or the PostgreSQL database name
    timing: ImportTiming


class LoadedLedgers:
    """One preloaded ledger per backend, made on first use by a timed `ledger import` of the corpus."""

    def __init__(self, request: pytest.FixtureRequest, corpus: Corpus, folder: Path) -> None:
        self.request = request
        self.corpus = corpus
        self.folder = folder
        self.made: dict[str, Loaded] = {}

    def get(self, backend: str) -> Loaded:
        if backend not in self.made:
            self.made[backend] = self._make(backend)
        return self.made[backend]

    def _make(self, backend: str) -> Loaded:
        if backend == "sqlite":
            path = self.folder / "loaded.db"
            shutil.copyfile(self.request.getfixturevalue("sqlite_template"), path)
            timing = timed_import(f"sqlite:///{path}", self.corpus.path, self.corpus.events)
            return Loaded(backend, str(path), timing)
        admin = self.request.getfixturevalue("pg_admin")
        name = create_pg_database(admin, template=self.request.getfixturevalue("pg_template"))
        self.request.addfinalizer(lambda: _drop(name))
        timing = timed_import(pg_url(name), self.corpus.path, self.corpus.events)
        return Loaded(backend, name, timing)


def _drop(name: str) -> None:
    # Its own connection: the session's `pg_admin`, requested after this fixture, is closed before.
    with pg_connect() as admin:
        drop_pg_database(admin, name)


@pytest.fixture(scope="session")
def loaded_ledgers(request, corpus, tmp_path_factory) -> LoadedLedgers:
    return LoadedLedgers(request, corpus, tmp_path_factory.mktemp("loaded"))


@pytest.fixture
def import_timing(backend, loaded_ledgers) -> ImportTiming:
    """How long a clean import of the corpus takes on this backend (measured once per session)."""
    return loaded_ledgers.get(backend).timing


@pytest.fixture
def loaded_db_url(backend, loaded_ledgers, request, tmp_path) -> Iterator[str]:
    """A fresh copy of a ledger holding the corpus, projections up to date."""
    loaded = loaded_ledgers.get(backend)
    if backend == "sqlite":
        path = tmp_path / "ledger.db"
        shutil.copyfile(loaded.location, path)
        wal = Path(loaded.location + "-wal")
        if wal.exists():
            shutil.copyfile(wal, str(path) + "-wal")
        url = f"sqlite:///{path}"
    else:
        admin = request.getfixturevalue("pg_admin")
        name = create_pg_database(admin, template=loaded.location)
        url = pg_url(name)
    with probe(url) as p:
        assert p.count() == p.checkpoint() == loaded_ledgers.corpus.events
    yield url
    if backend != "sqlite":
        drop_pg_database(admin, name)


# -- figures --------------------------------------------------------------------------------------------
@pytest.fixture
def record_trial(request, tmp_path_factory):
    """Record one trial's figures (kind, backend, and whatever the test measured)."""
    figures = request.config.stash.setdefault(_FIGURES, [])
    request.config.stash[_FIGURES_FILE] = tmp_path_factory.getbasetemp() / "reliability-figures.json"

    def record(**fields: Any) -> dict[str, Any]:
        """Add a trial; the dict returned can be completed as the test goes on."""
        entry = {"test": request.node.nodeid, **fields}
        figures.append(entry)
        return entry

    return record


def _span(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f} s" if values else "-"


def _count(trials: list[dict[str, Any]], key: str) -> str:
    return f"{sum(bool(t.get(key)) for t in trials)}/{len(trials)}"


def _summary_line(kind: str, backend: str, trials: list[dict[str, Any]]) -> str:
    first = trials[0]
    killed = [t for t in trials if not t.get("finished_before_kill")]
    at = _span([t["killed_at_s"] for t in killed if "killed_at_s" in t])
    if kind == "import-kill":
        phases: dict[str, int] = defaultdict(int)
        for t in trials:
            phases[t["phase"]] += 1
        all_or_nothing = sum(t["outcome"] in ("none", "all") for t in trials)
        return (
            f"{kind} ({backend}, {first['events']} events, clean import {first['expected_s']:.1f} s): "
            f"{len(killed)} kills at {at}, {all_or_nothing}/{len(trials)} all-or-nothing; "
            + ", ".join(f"{phase}: {n}" for phase, n in sorted(phases.items()))
            + f"; queries consistent and re-import exit 0: {_count(trials, 'reimport_ok')}"
        )
    if kind == "rebuild-kill":
        return (
            f"{kind} ({backend}, {first['events']} events): {len(killed)} kills at {at} "
            f"({_count(trials, 'in_write_transaction')} inside the rebuild's transaction); "
            f"projections consistent after: {_count(trials, 'consistent')}"
        )
    if kind == "concurrent-load":
        return "; ".join(
            f"{kind} ({backend}): {t['events']} events from {t['writers']} writers in {t['seconds']:.1f} s "
            f"({t['imports']} imports x {t['import_events']}, {t['api_appends']} API + "
            f"{t['cli_appends']} CLI appends), {t['reader_calls']} reader calls ({t['verifies']} verifies), "
            "0 failures, every event once, positions gapless"
            for t in trials
        )
    if kind.startswith("fuzz-") and all("examples" in t for t in trials):
        outcomes: dict[str, int] = defaultdict(int)
        for t in trials:
            for key, value in t.items():
                if key.startswith("exit "):
                    outcomes[key] += value
        return (
            f"{kind} ({backend}): {sum(t['examples'] for t in trials)} examples, "
            + ", ".join(f"{key}: {n}" for key, n in sorted(outcomes.items()))
            + ", 0 failures"
        )
    return f"{kind} ({backend}): " + json.dumps(trials)


def _summary_lines(figures: list[dict[str, Any]]) -> list[str]:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for f in figures:
        groups[f["kind"], f["backend"]].append(f)
    return [_summary_line(kind, backend, trials) for (kind, backend), trials in sorted(groups.items())]


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    figures = config.stash.get(_FIGURES, [])
    if not figures:
        return
    lines = _summary_lines(figures)
    terminalreporter.section(f"reliability figures ({'soak' if SOAK else 'default'} run)")
    for line in lines:
        terminalreporter.write_line(line)
    out = config.stash[_FIGURES_FILE]
    out.write_text(
        json.dumps(
            {
                "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
                "machine": f"{platform.machine()}, {_cores()} cores, {platform.platform()}",
                "soak": SOAK,
                "summary": lines,
                "trials": figures,
            },
            indent=1,
        )
    )
    terminalreporter.write_line(f"(all trials: {out})")


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0
