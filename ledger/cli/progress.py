"""The progress of a long command (import, restore, export, verify, rebuild) on stderr, with rich: a line
per phase the library reports (`ledger.progress`), each with its count, its rate and, when its total is
known, a bar. A phase that starts marks the one before complete and takes a line of its own, so the
display never sits at 100% while work goes on; the lines go when the command is done (its summary
follows). Shown only when stderr is a terminal (and not while the command's own data
goes to the terminal on stdout); otherwise the library is given no callback and counts nothing. It
appears once the command has run for `DELAY` seconds: a quick command prints its summary alone.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ledger import progress as phases

if TYPE_CHECKING:
    from ledger.progress import OnProgress

# The unit each phase counts (None: a phase without a count).
UNITS = {
    phases.EVENTS: "events",
    phases.COMMIT: None,
    phases.PROJECTIONS: "entities",
    phases.COMPARE: None,
    phases.DERIVED: None,
}
IMPORT = {
    phases.EVENTS: "importing events",
    phases.COMMIT: "committing",  # the events, and then the projections
    phases.PROJECTIONS: "updating projections",
}
RESTORE = IMPORT | {phases.EVENTS: "restoring events"}
DRY_RUN = IMPORT | {phases.EVENTS: "validating events", phases.COMMIT: "finishing (nothing is written)"}
EXPORT = {phases.EVENTS: "exporting events"}
VERIFY = {
    phases.EVENTS: "verifying the chain",
    phases.DERIVED: "checking the Merkle tree, the entity index, checkpoints and guards",
}
REBUILD = {phases.PROJECTIONS: "rebuilding projections", phases.COMMIT: "committing"}
CHECK = {phases.PROJECTIONS: "folding the log", phases.COMPARE: "comparing with the projections"}
# Seconds before the display appears (the environment may set it: 0 shows it from the start).
DELAY = float(os.environ.get("LEDGER_PROGRESS_DELAY", "0.5"))


def shown(*, data_on_stdout: bool = False) -> bool:
    """Whether progress is shown: stderr is a terminal, and stdout is not one the command writes its
    data to (`export` to the terminal: the data is the progress)."""
    return sys.stderr.isatty() and not (data_on_stdout and sys.stdout.isatty())


class Progress:
    """A context manager whose `callback` is what the library calls (None when not shown), and whose
    `on_bytes` (for an import from a file of known size) moves the events' bar by the bytes read."""

    def __init__(self, descriptions: dict[str, str], *, size: int | None = None, show: bool = True) -> None:
        self.descriptions = descriptions
        self.size = size  # bytes of the input, when known: the EVENTS bar follows them
        self.bytes = 0
        self.task: Any = None  # the rich task of the phase reported last ...
        self.last: tuple[str, int, int | None] | None = None  # ... (phase, done, total)
        self.bar: Any = _rich_progress() if show else None
        self.started: float | None = None  # when the command began; None once the display is on

    @property
    def callback(self) -> OnProgress | None:
        return self.report if self.bar is not None else None

    @property
    def on_bytes(self) -> Callable[[int], None] | None:
        return self._count_bytes if self.bar is not None and self.size else None

    def __enter__(self) -> Progress:
        if self.bar is not None:
            self.started = time.monotonic()
            self._show_when_due()
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if self.bar is not None:
            if kind is None:
                self._finish_last()
            if self.started is None:
                self.bar.stop()

    def _show_when_due(self) -> None:
        if self.started is not None and time.monotonic() - self.started >= DELAY:
            self.started = None
            self.bar.start()

    def _count_bytes(self, size: int) -> None:
        self.bytes += size  # shown at the next report: a call to rich per line would cost more

    def _bar_total(self, phase: str, total: int | None) -> int | None:
        return self.size if phase == phases.EVENTS and self.size else total

    def report(self, phase: str, done: int, total: int | None) -> None:
        """What the library calls: `done` of `total` units of `phase` (`ledger.progress`)."""
        if self.last is None or self.last[0] != phase:  # a phase starts (COMMIT may come twice)
            self._finish_last()
            self.task = self.bar.add_task(
                self.descriptions.get(phase, phase),
                total=self._bar_total(phase, total),
                unit=UNITS.get(phase),
            )
        completed = min(self.bytes, self.size) if phase == phases.EVENTS and self.size else done
        self.bar.update(
            self.task, completed=completed, total=self._bar_total(phase, total), count=done, of=total
        )
        self.last = (phase, done, total)
        self._show_when_due()

    def _finish_last(self) -> None:
        """The phase reported last is over: its bar full, its count as it ended."""
        if self.last is None:
            return
        phase, done, total = self.last
        ended = self._bar_total(phase, total) or max(done, 1)
        self.bar.update(self.task, total=ended, completed=ended, count=done, of=total)
        self.last = None


def _rich_progress() -> Any:
    from rich.progress import BarColumn, ProgressColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as RichProgress
    from rich.text import Text

    from ledger.cli.render import console

    class Count(ProgressColumn):
        """`12,000/50,000 events`, or `12,000 entities` when their number is not known beforehand."""

        def render(self, task: Any) -> Text:
            unit = task.fields.get("unit")
            if not unit:
                return Text("")
            of = task.fields.get("of")
            count = task.fields.get("count", 0)
            return Text(f"{count:,}/{of:,} {unit}" if of else f"{count:,} {unit}", style="progress.download")

    class Rate(ProgressColumn):
        """Units a second, over the phase so far."""

        def render(self, task: Any) -> Text:
            unit = task.fields.get("unit")
            elapsed = task.finished_time if task.finished else task.elapsed
            if not unit or not elapsed:
                return Text("")
            return Text(f"{task.fields.get('count', 0) / elapsed:,.0f} {unit}/s", style="progress.data.speed")

    return RichProgress(
        SpinnerColumn(finished_text="✓"),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        Count(),
        Rate(),
        TimeElapsedColumn(),
        console=console(stderr=True),
        transient=True,  # the command's own summary follows
        redirect_stdout=False,
        redirect_stderr=False,
    )
