"""`ledger demo`: the bundled seed story, loaded into a fresh ledger and shown."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer

from ledger.cli import render
from ledger.cli.context import settings
from ledger.cli.query_commands import print_entity, print_history


def demo(ctx: typer.Context) -> None:
    """Build a fresh ledger from the bundled seed story (Nissan, Foxconn and the Oppama plant) and show it.

    Uses a temporary file unless --db is given. Example: ledger demo
    """
    from importlib import resources

    import ledger

    config = settings(ctx)
    if config.db_given:
        url = config.db
    else:
        folder = tempfile.mkdtemp(prefix="ledger-demo-")
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
    seed = resources.files("ledger") / "data" / "seed.jsonl"
    with ledger.init(url) as opened:
        with seed.open("rb") as stream:
            result = opened.import_jsonl(stream)
        render.message(
            f"demo ledger at {url}: imported {result.appended} events from the seed story "
            f"({result.skipped} already present); head {result.head.hash[:16]}…@{result.head.position}"
        )
        print_entity(opened.show("plant:nissan-oppama"))
        print_entity(opened.show("partnership:nissan-foxconn-oppama"))
        print_entity(opened.show("plan:re-nissan"))
        history_rows = opened.history("plant:nissan-oppama")
    print_history("plant:nissan-oppama", history_rows)
    render.message(f"try: ledger --db {url} history partnership:nissan-foxconn-oppama")
