"""Analyst commands: what changed between two ledger moments, and entities found by name (their bodies in
bodies.py, which the fast entry point calls too)."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli import bodies
from ledger.cli.context import settings
from ledger.cli.options import AsJson, Kind, Output


def changes(
    ctx: typer.Context,
    since: Annotated[
        str,
        typer.Option(
            "--since", metavar="TIME", help="Ledger time: a time, or @POSITION (right after that event)."
        ),
    ],
    entities: Annotated[
        list[str] | None, typer.Argument(metavar="ENTITY", show_default=False, help="Only these entities.")
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", metavar="TIME", help="Ledger time to compare with (default: now)."),
    ] = None,
    kind: Kind = None,
    output: Output = None,
    as_json: AsJson = False,
) -> None:
    """What changed in the projections between two ledger moments: entities added, each field old -> new
    with its basis (a list: the items that went and came), claims added or whose status changed and the
    statements or corrections why.

    Example: ledger changes --since @1200   |   ledger changes --since 2026-12-01 plant:nissan-oppama
    """
    bodies.changes(settings(ctx).db, entities, since, until, kind, output, as_json)


def search(
    ctx: typer.Context,
    text: Annotated[
        str,
        typer.Argument(metavar="TEXT", show_default=False, help="An id, a name, an alias or a former name."),
    ],
    kind: Kind = None,
    limit: Annotated[int, typer.Option("--limit", "-n", metavar="N", min=1, help="At most N hits.")] = 20,
    output: Output = None,
    as_json: AsJson = False,
) -> None:
    """Find entities by id, name, alias or former name, case- and accent-insensitive, best first: the
    exact id, an exact name, a name that starts with TEXT, a name with a word that starts with it.

    Example: ledger search oppama   |   ledger search "nissan motor" --kind companies
    """
    bodies.search(settings(ctx).db, text, kind, limit, output, as_json)
