"""Commands that draw: timeline (an entity's trail across world time) and graph (the ties between
entities). The drawing is `ledger.pictures`; here are the flags and where the result goes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.context import open_ledger, settings


def timeline(
    ctx: typer.Context,
    entity: Annotated[str, typer.Argument(metavar="ENTITY")],
    out: Annotated[
        str,
        typer.Option(
            "--out",
            "-o",
            metavar="FILE.html|FILE.svg",
            help="The file to write; its suffix picks the format.",
        ),
    ],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="TIME", help="World time: only events that occurred by then (a date: its end)."
        ),
    ] = None,
    known_at: Annotated[
        str | None,
        typer.Option(
            "--known-at",
            metavar="TIME",
            help="Ledger time: only what the ledger had recorded by then (a date: its end).",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
) -> None:
    """Draw an entity's timeline: world time across, a lane per claim (and per field of a plant or a
    partnership) coloured by status, statements and corrections as marks that show their sources and
    quote on hover (or click, in HTML). One file, no network needed to open it.

    Example: ledger timeline plant:nissan-oppama --out oppama.html
    """
    from ledger import pictures

    target = Path(out)
    with open_ledger(settings(ctx).db) as opened:
        fmt = pictures.write_timeline(opened, entity, target, as_of=as_of, known_at=known_at, force=force)
    sys.stderr.write(f"wrote the timeline of {entity} to {target} ({fmt})\n")


def graph(
    ctx: typer.Context,
    entity: Annotated[str | None, typer.Argument(metavar="[ENTITY]")] = None,
    depth: Annotated[
        int,
        typer.Option(
            "--depth", metavar="N", min=0, help="With ENTITY: keep what lies within this many ties of it."
        ),
    ] = 2,
    fmt: Annotated[
        str, typer.Option("--format", metavar="dot|mermaid|html|svg", help="What to print.")
    ] = "dot",
) -> None:
    """Print the companies, plants, partnerships and authorities with their ties (operator, parent,
    owners, parties, deals, stakes, approvals), each labelled with its stage or basis: DOT or Mermaid
    text, or SVG or an HTML page laid out by Graphviz's `dot`.

    Example: ledger graph plant:nissan-oppama --depth 2 --format html > oppama.html
    """
    from ledger import pictures

    with open_ledger(settings(ctx).db) as opened:
        text = pictures.graph(opened, entity, depth=depth, fmt=fmt)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
