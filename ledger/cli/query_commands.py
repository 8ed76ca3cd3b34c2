"""Commands on the projections and the log that print records: rebuild, show, list, history, claims,
events (their bodies in bodies.py, which the fast entry point calls too)."""

from __future__ import annotations

import sys
import time
from typing import Annotated

import typer

from ledger.cli import bodies
from ledger.cli.context import open_ledger, settings
from ledger.cli.options import AsJson, AsOf, By, Entity, KnownAt, Output, Source
from ledger.entities import PLURALS
from ledger.vocabulary.terms import CLAIM_STATUSES

Limit = Annotated[int | None, typer.Option("--limit", "-n", metavar="N", min=1, help="At most N records.")]
Types = Annotated[
    list[str] | None, typer.Option("--type", metavar="TYPE", help="Only events of this type; repeatable.")
]


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
    output: Output = None,
    as_json: AsJson = False,
) -> None:
    """Show an entity's state now, at a world time (--as-of), or as the ledger knew it (--known-at).

    Example: ledger show plant:nissan-oppama --as-of 2025-07-06
    """
    bodies.show(settings(ctx).db, entity, as_of, known_at, output, as_json)


def list_(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(metavar="|".join(PLURALS), show_default=False)],
    output: Output = None,
    as_json: AsJson = False,
) -> None:
    """List the entities of one kind with their current state.

    Example: ledger list plants --json
    """
    bodies.list_(settings(ctx).db, kind, output, as_json)


def history(
    ctx: typer.Context,
    entity: Entity,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", metavar="DATE", help="Only events that occurred from then (a date: its start)."
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", metavar="DATE", help="Only events that occurred by then (a date: its end)."),
    ] = None,
    types: Types = None,
    reverse: Annotated[bool, typer.Option("--reverse", help="Newest first.")] = False,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit", "-n", metavar="N", min=1, help=f"Entries per page (default {bodies.HISTORY_PAGE})."
        ),
    ] = None,
    after: Annotated[
        int | None,
        typer.Option(
            "--after",
            metavar="POSITION",
            min=1,
            help="The next page: the entries after the one at POSITION (the last one shown).",
        ),
    ] = None,
    everything: Annotated[bool, typer.Option("--all", help="Every entry, in one page.")] = False,
    oneline: Annotated[bool, typer.Option("--oneline", help="One line per event.")] = False,
    ledger_time: Annotated[
        bool, typer.Option("--ledger-time", help="Show when the ledger recorded each event.")
    ] = False,
    no_pager: Annotated[
        bool, typer.Option("--no-pager", help="Never page the table through $PAGER (less).")
    ] = False,
    output: Output = None,
    as_json: AsJson = False,
) -> None:
    """The audit trail of an entity in world-time order: who said what, when, and where each claim stands.
    A page at a time: the hint on stderr says how to get the next.

    Example: ledger history partnership:nissan-foxconn-oppama --since 2025-07 --type report.denied
    """
    bodies.history(
        settings(ctx).db,
        entity,
        as_of,
        known_at,
        since,
        until,
        types,
        reverse,
        limit,
        after,
        everything,
        oneline,
        ledger_time,
        no_pager,
        output,
        as_json,
    )


def claims(
    ctx: typer.Context,
    entity: Annotated[str | None, typer.Argument(metavar="[ENTITY]", show_default=False)] = None,
    status: Annotated[
        list[str] | None,
        typer.Option("--status", metavar="STATUS", help="|".join(CLAIM_STATUSES) + "; repeatable."),
    ] = None,
    types: Annotated[
        list[str] | None,
        typer.Option("--type", metavar="TYPE", help="Only claims of this type; repeatable."),
    ] = None,
    source: Source = None,
    origin: Annotated[
        str | None,
        typer.Option(
            "--origin", metavar="NAME", help="Only those carried by this origin (who first said it)."
        ),
    ] = None,
    by: By = None,
    anonymous_only: Annotated[
        bool, typer.Option("--anonymous-only", help="Only claims that only anonymous sources carry.")
    ] = False,
    single_origin: Annotated[
        bool, typer.Option("--single-origin", help="Only claims that one origin carries.")
    ] = False,
    stale: Annotated[
        str | None,
        typer.Option(
            "--stale",
            metavar="DURATION",
            help="Only open claims with no event about them for that long (90d, 6w, 3m, 1y).",
        ),
    ] = None,
    resolved: Annotated[
        bool,
        typer.Option(
            "--resolved",
            help="Only reported claims since confirmed, denied or retracted, with the days it took.",
        ),
    ] = False,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    limit: Limit = None,
    output: Output = None,
    as_json: AsJson = False,
) -> None:
    """Claims with their status and trail of statements, of one entity or of the whole ledger.

    Example: ledger claims --status disputed --source Nikkei   |   ledger claims --stale 90d
    """
    bodies.claims(
        settings(ctx).db,
        entity,
        status,
        types,
        source,
        origin,
        by,
        anonymous_only,
        single_origin,
        stale,
        resolved,
        as_of,
        known_at,
        limit,
        output,
        as_json,
    )


def events(
    ctx: typer.Context,
    entity: Annotated[
        str | None, typer.Option("--entity", metavar="ENTITY", help="Only events naming or about ENTITY.")
    ] = None,
    event_type: Annotated[
        str | None, typer.Option("--type", metavar="TYPE", help="Only events of this type.")
    ] = None,
    since: Annotated[
        int, typer.Option("--since", metavar="POSITION", min=0, help="Only events after this position.")
    ] = 0,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", metavar="N", min=1, help="At most N events.")
    ] = None,
    reverse: Annotated[bool, typer.Option("--reverse", help="Newest first.")] = False,
    recorded_since: Annotated[
        str | None,
        typer.Option(
            "--recorded-since", metavar="TIME", help="Only events recorded after this time or @POSITION."
        ),
    ] = None,
    recorded_until: Annotated[
        str | None,
        typer.Option(
            "--recorded-until", metavar="TIME", help="Only events recorded by this time or @POSITION."
        ),
    ] = None,
    occurred_since: Annotated[
        str | None,
        typer.Option(
            "--occurred-since", metavar="DATE", help="Only events that occurred from then (its start)."
        ),
    ] = None,
    occurred_until: Annotated[
        str | None,
        typer.Option("--occurred-until", metavar="DATE", help="Only events that occurred by then (its end)."),
    ] = None,
    source: Source = None,
    by: By = None,
    output: Output = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="JSONL of the exported events (the same as --format json).")
    ] = False,
) -> None:
    """List events in position order.

    Example: ledger events --entity plant:nissan-oppama -n 20   |   ledger events --recorded-since 2026-12-01
    """
    bodies.events(
        settings(ctx).db,
        entity,
        event_type,
        since,
        limit,
        reverse,
        recorded_since,
        recorded_until,
        occurred_since,
        occurred_until,
        source,
        by,
        output,
        as_json,
    )
