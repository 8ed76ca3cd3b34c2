"""`ledger demo`: a bundled story, loaded into a fresh ledger and shown."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from ledger.cli import render
from ledger.cli.bodies import print_entity, print_history
from ledger.cli.context import settings


@dataclass(frozen=True)
class Story:
    file: str  # in ledger/data/
    title: str
    shown: tuple[str, ...]  # entities shown, in order
    history: str  # the entity whose history closes the demo
    next_step: str  # the entity the closing hint suggests


STORIES = {
    "oppama": Story(
        "seed.jsonl",
        "the seed story",
        ("plant:nissan-oppama", "partnership:nissan-foxconn-oppama", "plan:re-nissan"),
        "plant:nissan-oppama",
        "partnership:nissan-foxconn-oppama",
    ),
    "sanand": Story(
        "sanand.jsonl",
        "the Sanand story",
        ("plant:ford-sanand", "partnership:tpeml-ford-sanand", "company:tpeml"),
        "plant:ford-sanand",
        "plant:ford-sanand --as-of 2022-12-31",
    ),
}


def demo(
    ctx: typer.Context,
    story: Annotated[
        str, typer.Option("--story", metavar="|".join(STORIES), help="Which bundled story to load.")
    ] = "oppama",
) -> None:
    """Build a fresh ledger from a bundled story and show it: the seed story (Nissan, Foxconn and the
    Oppama plant) or --story sanand (a real plant sale, 2015-2024).

    Uses a temporary file unless --db is given. Example: ledger demo --story sanand
    """
    from importlib import resources

    import ledger
    from ledger.errors import InvalidArgument

    chosen = STORIES.get(story)
    if chosen is None:
        raise InvalidArgument(f"expected one of {', '.join(STORIES)}, got {story!r}", parameter="story")
    config = settings(ctx)
    if config.db_given:
        url = config.db
    else:
        folder = tempfile.mkdtemp(prefix="ledger-demo-")
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
    data = resources.files("ledger") / "data" / chosen.file
    with ledger.init(url) as opened:
        with data.open("rb") as stream:
            warnings = render.Warnings()
            result = opened.import_jsonl(stream, on_warning=warnings)
        warnings.summary()
        render.message(
            f"demo ledger at {url}: imported {result.appended} events from {chosen.title} "
            f"({result.skipped} already present); head {result.head.hash[:16]}…@{result.head.position}"
        )
        for entity in chosen.shown:
            print_entity(opened.show(entity))
        history_rows = opened.history(chosen.history)
    print_history(chosen.history, history_rows)
    verb = "show" if " " in chosen.next_step else "history"
    render.message(f"try: ledger --db {url} {verb} {chosen.next_step}")
