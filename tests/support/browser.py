"""Opening a picture in a real browser: Debian's Chromium, driven by playwright (which is told to use
that browser, and downloads none). Without Chromium (or playwright) the tests that need it skip and say
why; under CI=true they fail instead, and `.ci/run` installs Chromium when it is missing."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from support.databases import IN_CI


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require(found: object, reason: str) -> None:
    """Skip (fail under CI=true) with `reason` unless `found`."""
    if found:
        return
    if IN_CI:
        pytest.fail(f"CI=true requires it: {reason}")
    pytest.skip(reason)


def launched() -> Iterator[Any]:
    """A headless Chromium for the module's tests; one start-up (about a second) for all of them."""
    path = chromium()
    require(path, "Chromium is not installed (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "playwright is not installed (pip install -e '.[test]')")
        raise
    # As root (CI, containers) Chromium starts only without its sandbox.
    args = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=path, args=args)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Opened:
    """A page opened from a file, with what went wrong while it loaded."""

    page: Any
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    requests: list[str] = field(default_factory=list)  # every URL it asked for but its own file

    def texts(self, selector: str) -> list[str]:
        return self.page.eval_on_selector_all(selector, "els => els.map(e => e.textContent.trim())")

    def boxes(self, selector: str) -> list[dict[str, float]]:
        """The on-screen boxes of what `selector` finds (x, y, width, height, text)."""
        return self.page.eval_on_selector_all(
            selector,
            """els => els.map(e => { const r = e.getBoundingClientRect();
                return {x: r.x, y: r.y, width: r.width, height: r.height, text: e.textContent.trim()}; })""",
        )


def open_file(browser: Any, path: Path, *, width: int = 1280, height: int = 900) -> Opened:
    page = browser.new_page(viewport={"width": width, "height": height})
    opened = Opened(page)
    own = path.resolve().as_uri()
    page.on(
        "console",
        lambda m: opened.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: opened.errors.append(f"uncaught: {e}"))
    page.on("request", lambda r: opened.requests.append(r.url) if r.url != own else None)
    page.goto(own, wait_until="load")
    return opened


def overlapping(boxes: list[dict[str, float]]) -> list[tuple[str, str]]:
    """The pairs of boxes that overlap by more than a pixel each way (the line boxes of a label's
    consecutive lines may touch)."""
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            across = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
            down = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
            if across > 1 and down > 1:
                found.append((a["text"], b["text"]))
    return found


def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go: $LEDGER_SCREENSHOTS, or a folder of pytest's own."""
    chosen = os.environ.get("LEDGER_SCREENSHOTS")
    if chosen:
        Path(chosen).mkdir(parents=True, exist_ok=True)
        return Path(chosen)
    return tmp_path_factory.mktemp("screenshots")
