"""Progress of the long commands: the library reports each phase with its counts (`ledger.progress`), and
the commands show them on stderr when it is a terminal — import (and restore), export, verify, rebuild,
each phase on its line with its count and rate — and print nothing of it when stderr is not one."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

import ledger
from ledger import progress as phases
from ledger.synthetic.generator import write_corpus

EVENTS = 5000  # more than a report's stride (phases.EVERY), so there are reports on the way
ENTRY = "from ledger.cli.entry import main; main()"
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]")


class Heard:
    """What a call reported, in order."""

    def __init__(self) -> None:
        self.reports: list[tuple[str, int, int | None]] = []

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        self.reports.append((phase, done, total))

    def phases(self) -> list[str]:
        """The phases, each once per stretch it was reported in."""
        out: list[str] = []
        for phase, _done, _total in self.reports:
            if not out or out[-1] != phase:
                out.append(phase)
        return out

    def of(self, phase: str) -> list[tuple[int, int | None]]:
        return [(done, total) for name, done, total in self.reports if name == phase]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "events.jsonl"
    write_corpus(path, EVENTS, seed=3)
    return path


@pytest.fixture(scope="module")
def imported(module_db_url: str, corpus: Path) -> tuple[str, Heard]:
    """The corpus imported into a shared ledger, and what the import reported."""
    heard = Heard()
    with ledger.open(module_db_url) as lg, corpus.open("rb") as stream:
        lg.import_jsonl(stream, progress=heard)
    return module_db_url, heard


def entity_count(url: str) -> int:
    with ledger.open(url) as lg:
        return sum(
            len(lg.list(kind)) for kind in ("companies", "plants", "partnerships", "plans", "authorities")
        )


def test_an_import_reports_its_events_the_commit_then_the_projections(imported: tuple[str, Heard]):
    url, heard = imported

    assert heard.phases() == [phases.EVENTS, phases.COMMIT, phases.PROJECTIONS, phases.COMMIT]
    events = heard.of(phases.EVENTS)
    assert events[:3] == [(0, None), (2000, None), (4000, None)]  # on the way: the total not known
    assert events[-1] == (EVENTS, EVENTS)
    projections = heard.of(phases.PROJECTIONS)
    entities = entity_count(url)
    assert projections[0] == (0, entities) and projections[-1] == (entities, entities)
    assert [done for done, _ in projections] == sorted(done for done, _ in projections)


def test_a_dry_run_reports_no_projections(imported: tuple[str, Heard], corpus: Path):
    url, _ = imported
    heard = Heard()
    with ledger.open(url) as lg, corpus.open("rb") as stream:
        result = lg.import_jsonl(stream, dry_run=True, progress=heard)

    assert result.appended == 0 and result.skipped == EVENTS
    assert heard.phases() == [phases.EVENTS, phases.COMMIT]
    assert heard.of(phases.EVENTS)[-1] == (EVENTS, EVENTS)


def test_verify_reports_the_events_checked_of_the_head_then_what_derives_from_them(
    imported: tuple[str, Heard],
):
    url, _ = imported
    heard = Heard()
    with ledger.open(url) as lg:
        assert lg.verify(progress=heard).ok

    assert heard.phases() == [phases.EVENTS, phases.DERIVED]
    events = heard.of(phases.EVENTS)
    assert events[0] == (0, EVENTS) and events[-1] == (EVENTS, EVENTS)
    assert len(events) > 2


def test_export_reports_the_events_written_of_the_head(imported: tuple[str, Heard]):
    url, _ = imported
    heard = Heard()
    out = io.BytesIO()
    with ledger.open(url) as lg:
        assert lg.export(out, progress=heard) == EVENTS

    assert heard.phases() == [phases.EVENTS]
    assert heard.of(phases.EVENTS) == [(2000, EVENTS), (4000, EVENTS), (EVENTS, EVENTS)]


def test_rebuild_reports_the_entities_folded_then_the_commit_or_the_comparison(imported: tuple[str, Heard]):
    url, _ = imported
    entities = entity_count(url)
    rebuilt, checked = Heard(), Heard()
    with ledger.open(url) as lg:
        assert lg.rebuild(progress=rebuilt).entities == entities
        assert lg.rebuild(check=True, progress=checked).entities == entities

    assert rebuilt.phases() == [phases.PROJECTIONS, phases.COMMIT]
    assert rebuilt.of(phases.PROJECTIONS)[0] == (0, None)  # how many there are is known at the end
    assert rebuilt.of(phases.PROJECTIONS)[-1] == (entities, entities)
    assert checked.phases() == [phases.PROJECTIONS, phases.COMPARE]
    assert checked.of(phases.PROJECTIONS)[-1] == (entities, entities)


def test_in_worker_processes_the_reports_are_the_same(imported: tuple[str, Heard], monkeypatch):
    from ledger import verify_workers
    from ledger.read_model import workers

    url, _ = imported
    monkeypatch.setattr(verify_workers, "WORKERS", 2)
    monkeypatch.setattr(verify_workers, "PARALLEL_FROM", 0)
    monkeypatch.setattr(verify_workers, "STRETCH", 1000)
    monkeypatch.setattr(workers, "WORKERS", 2)
    monkeypatch.setattr(workers, "PARALLEL_FROM", 0)
    verified, rebuilt = Heard(), Heard()
    with ledger.open(url) as lg:
        assert lg.verify(progress=verified).ok
        entities = lg.rebuild(progress=rebuilt).entities

    assert verified.phases() == [phases.EVENTS, phases.DERIVED]
    stretches = [(n, EVENTS) for n in range(1000, EVENTS + 1, 1000)]  # one report as each stretch joins
    assert verified.of(phases.EVENTS) == [(0, EVENTS), *stretches, (EVENTS, EVENTS)]
    assert rebuilt.phases() == [phases.PROJECTIONS, phases.COMMIT]
    assert rebuilt.of(phases.PROJECTIONS)[-1] == (entities, entities)


# -- on the command line ------------------------------------------------------------------------------------
def on_a_terminal(*args: str, cwd: Path, delay: str = "0") -> tuple[int, str, str]:
    """`ledger ARGS...` with stderr on a terminal (a pseudo-terminal) and stdout piped: (exit code, stdout,
    what the terminal showed, without its control sequences, each line once). `delay`: seconds before
    the progress shows (0: at once, so a test's quick commands show it)."""
    main, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("LEDGER_DB", "NO_COLOR")}
    env |= {"TERM": "xterm-256color", "COLUMNS": "160", "LEDGER_PROGRESS_DELAY": delay}
    with subprocess.Popen(
        [sys.executable, "-c", ENTRY, *args], stdout=subprocess.PIPE, stderr=secondary, env=env, cwd=cwd
    ) as child:
        os.close(secondary)
        shown = bytearray()
        while True:
            try:
                data = os.read(main, 1 << 16)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            shown += data
        stdout = child.stdout.read().decode() if child.stdout else ""
        code = child.wait(timeout=120)
    os.close(main)
    lines: list[str] = []
    for line in ESCAPES.sub("", shown.decode(errors="replace")).replace("\r", "\n").splitlines():
        if line.strip() and line.strip() not in lines:
            lines.append(line.strip())
    return code, stdout, "\n".join(lines)


def piped(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LEDGER_DB"} | {"LEDGER_PROGRESS_DELAY": "0"}
    return subprocess.run(
        [sys.executable, "-c", ENTRY, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


def phase_line(shown: str, description: str) -> str:
    """The last line the terminal showed for a phase: how it ended."""
    found = [line for line in shown.splitlines() if description in line]
    assert found, f"no {description!r} line in:\n{shown}"
    return found[-1]


def test_on_a_terminal_each_phase_shows_its_count_and_rate(db_url: str, corpus: Path, tmp_path: Path):
    code, stdout, shown = on_a_terminal("--db", db_url, "import", str(corpus), cwd=tmp_path)
    assert code == 0, shown
    assert stdout.startswith(f"imported {EVENTS} events")
    entities = entity_count(db_url)
    assert re.search(
        rf"importing events .*{EVENTS:,}/{EVENTS:,} events\s+[\d,]+ events/s",
        phase_line(shown, "importing events"),
    )
    assert re.search(
        rf"updating projections .*{entities:,}/{entities:,} entities\s+[\d,]+ entities/s",
        phase_line(shown, "updating projections"),
    )
    assert "committing" in shown
    # the phases in the order they ran: never the events' bar full while the projections are folded
    assert shown.index("importing events") < shown.index("committing") < shown.index("updating projections")

    code, stdout, shown = on_a_terminal("--db", db_url, "verify", cwd=tmp_path)
    assert (code, stdout.split(",")[0]) == (0, f"ok: {EVENTS} events")
    assert f"{EVENTS:,}/{EVENTS:,} events" in phase_line(shown, "verifying the chain")
    assert "checking the Merkle tree" in shown

    code, stdout, shown = on_a_terminal("--db", db_url, "rebuild", cwd=tmp_path)
    assert code == 0, shown
    assert f"{entities:,}/{entities:,} entities" in phase_line(shown, "rebuilding projections")

    out = tmp_path / "export.jsonl"
    code, _stdout, shown = on_a_terminal("--db", db_url, "export", "--out", str(out), cwd=tmp_path)
    assert code == 0, shown
    assert f"{EVENTS:,}/{EVENTS:,} events" in phase_line(shown, "exporting events")
    assert f"exported {EVENTS} events to {out}" in shown

    copy = f"sqlite:///{tmp_path / 'copy.db'}"
    assert piped("--db", copy, "init", cwd=tmp_path).returncode == 0
    code, stdout, shown = on_a_terminal("--db", copy, "import", "--restore", str(out), cwd=tmp_path)
    assert code == 0, shown
    assert f"{EVENTS:,}/{EVENTS:,} events" in phase_line(shown, "restoring events")


def test_piped_stderr_carries_no_progress(db_url: str, corpus: Path, tmp_path: Path):
    out = tmp_path / "export.jsonl"
    for args, messages in (
        (("import", str(corpus)), ""),
        (("verify",), ""),
        (("rebuild", "--check"), ""),
        (("export", "--out", str(out)), f"exported {EVENTS} events to {out}\n"),
    ):
        done = piped("--db", db_url, *args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        lines = [line for line in done.stderr.splitlines(keepends=True) if not line.startswith("warning: ")]
        assert "".join(lines) == messages, args


def test_a_quick_command_on_a_terminal_shows_its_summary_alone(db_url: str, corpus: Path, tmp_path: Path):
    """The display waits half a second: an import of a few events prints no bar that flashes by."""
    small = tmp_path / "small.jsonl"
    small.write_text("".join(corpus.read_text().splitlines(keepends=True)[:20]))
    code, _stdout, shown = on_a_terminal("--db", db_url, "import", str(small), cwd=tmp_path, delay="5")
    assert code == 0
    assert [line for line in shown.splitlines() if not line.startswith("warning: ")] == [
        line for line in shown.splitlines() if line.startswith("imported 20 events")
    ]
