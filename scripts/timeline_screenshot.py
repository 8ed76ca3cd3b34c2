"""Regenerate the README's timeline screenshot: the demo story (ledger/data/seed.jsonl) in a fresh SQLite
ledger, `ledger timeline plant:nissan-oppama` as HTML, opened in headless Chromium (Debian's `chromium`,
driven by playwright from the test extra), and the picture saved as docs/img/timeline-demo.png.

.venv/bin/python scripts/timeline_screenshot.py
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path

import ledger
from ledger import pictures

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "img" / "timeline-demo.png"
ENTITY = "plant:nissan-oppama"


def main() -> None:
    browser_path = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser_path is None:
        raise SystemExit("needs Chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="ledger-screenshot-") as folder:
        page_file = Path(folder) / "timeline.html"
        with ledger.init(f"sqlite:///{Path(folder) / 'demo.db'}") as opened:
            with (resources.files("ledger") / "data" / "seed.jsonl").open("rb") as seed:
                opened.import_jsonl(seed)
            pictures.write_timeline(opened, ENTITY, page_file)
        args = ["--no-sandbox"] if os.geteuid() == 0 else []
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=browser_path, args=args)
            page = browser.new_page(viewport={"width": 1240, "height": 800})
            page.goto(page_file.as_uri(), wait_until="load")
            TARGET.parent.mkdir(parents=True, exist_ok=True)
            page.locator("figure").screenshot(path=str(TARGET))
            browser.close()
    sys.stdout.write(f"wrote {TARGET.relative_to(ROOT)}\n")


if __name__ == "__main__":
    main()
