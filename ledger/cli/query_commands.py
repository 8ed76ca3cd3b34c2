"""Commands on the projections: rebuild, show, list, history, claims (their bodies in bodies.py)."""

from __future__ import annotations

import sys
import time
from typing import Annotated

import typer

from ledger.cli import bodies
from ledger.cli.context import open_ledger, settings
from ledger.entities import PLURALS
from ledger.vocabulary.terms import CLAIM_STATUSES

AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="World time: only events that occurred by then (a date: its end)."),
]
KnownAt = Annotated[
    str | None,
    typer.Option(
        "--known-at", help="Ledger time: only what the ledger had recorded by then (a date: its end)."
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Entity = Annotated[str, typer.Argument(metavar="ENTITY")]


def rebuild(
    ctx: typer.Context,
    check: Annotated[
        bool, typer.Option("--check", help="Rebuild aside and compare; exit 5 on any difference.")
    ] = False,
) -> None:
    """Rebuild every projection from the log.

    Example: ledger rebuild --check
    """
    from ledger.cli import progress

    started = time.perf_counter()
    phases = progress.CHECK if check else progress.REBUILD
    with (
        open_ledger(settings(ctx).db) as opened,
        progress.Progress(phases, show=progress.shown()) as shown,
    ):
        report = opened.rebuild(check=check, progress=shown.callback)
    took = time.perf_counter() - started
    verb = "projections match a rebuild of" if check else "rebuilt projections from"
    sys.stdout.write(
        f"{verb} {report.events} events: {report.entities} entities, {report.claims} claims ({took:.2f} s)\n"
    )


def show(
    ctx: typer.Context,
    entity: Entity,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    as_json: AsJson = False,
) -> None:
    """Show an entity's state now, at a world time (--as-of), or as the ledger knew it (--known-at).

    Example: ledger show plant:nissan-oppama --as-of 2025-07-06
    """
    bodies.show(settings(ctx).db, entity, as_of, known_at, as_json)


def list_(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(metavar="|".join(PLURALS))],
    as_json: AsJson = False,
) -> None:
    """List the entities of one kind with their current state.

    Example: ledger list plants --json
    """
    bodies.list_(settings(ctx).db, kind, as_json)


def history(
    ctx: typer.Context,
    entity: Entity,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    as_json: AsJson = False,
) -> None:
    """The audit trail of an entity in world-time order: who said what, when, and where each claim stands.

    Example: ledger history partnership:nissan-foxconn-oppama
    """
    bodies.history(settings(ctx).db, entity, as_of, known_at, as_json)


def claims(
    ctx: typer.Context,
    entity: Annotated[str | None, typer.Argument(metavar="[ENTITY]")] = None,
    status: Annotated[
        str | None,
        typer.Option("--status", help="|".join(CLAIM_STATUSES)),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Claims with their status and trail of statements, of one entity or of the whole ledger.

    Example: ledger claims --status disputed
    """
    bodies.claims(settings(ctx).db, entity, status, as_json)
