"""The options the read commands share, declared once (with the metavars that name what they take)."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.render import FORMATS

AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of", metavar="DATE", help="World time: only events that occurred by then (a date: its end)."
    ),
]
KnownAt = Annotated[
    str | None,
    typer.Option(
        "--known-at",
        metavar="TIME",
        help="Ledger time: only what the ledger had recorded by then (a date: its end), or @POSITION.",
    ),
]
Output = Annotated[
    str | None,
    typer.Option(
        "--format",
        metavar="|".join(FORMATS),
        show_default=False,
        help="How to print the records (default: table on a terminal, tsv when piped).",
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON (the same as --format json).")]
Entity = Annotated[str, typer.Argument(metavar="ENTITY", show_default=False)]
Kind = Annotated[
    str | None,
    typer.Option("--kind", metavar="KIND", help="Only entities of this kind (plants, companies, ...)."),
]
Source = Annotated[
    str | None,
    typer.Option("--source", metavar="NAME", help="Only those with a source of this name."),
]
By = Annotated[
    str | None,
    typer.Option("--by", metavar="SPEAKER", help="Only those with a statement by SPEAKER (an id or a name)."),
]
