"""Commands on the log itself: init, append, import, export, verify (`events` lists it with the other read
commands, in query_commands.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from ledger.cli import progress, render
from ledger.cli.context import open_ledger, settings
from ledger.cli.errors import INTEGRITY
from ledger.vocabulary.terms import SOURCE_KINDS

Strict = Annotated[
    bool,
    typer.Option(
        "--strict", help="Treat warnings (unregistered ids, statements that do not count) as errors."
    ),
]


def _json_arg(text: str, option: str) -> Any:
    import orjson

    from ledger.errors import InvalidEvent
    from ledger.jsonl import loads

    try:
        return loads(text)
    except orjson.JSONDecodeError as e:
        raise InvalidEvent(f"invalid JSON: {e}", field=option) from None
    except InvalidEvent as e:
        raise InvalidEvent(e.message, field=option) from None


def parse_source(text: str) -> dict[str, str]:
    """NAME[:KIND]; without a known kind after the last colon, the whole text is the name, kind other."""
    name, sep, kind = text.rpartition(":")
    if sep and kind in SOURCE_KINDS and name:
        return {"name": name, "kind": kind}
    return {"name": text, "kind": "other"}


def init(ctx: typer.Context) -> None:
    """Create or upgrade the ledger's schema (idempotent).

    Example: ledger --db sqlite:///news.db init
    """
    from ledger.store.urls import safe_url

    with open_ledger(settings(ctx).db) as opened:
        revision = opened.init()
    render.message(f"ledger ready at {safe_url(settings(ctx).db)} (schema {revision})")


def _open_input(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    try:
        return Path(path).open("rb")
    except OSError as e:
        from ledger.errors import LedgerError

        raise LedgerError(f"cannot read {path}: {e.strerror}") from None


def _events_of(stream: IO[bytes]) -> list[Any]:
    """A JSON object, a JSON array of objects, or JSONL: the forms `append --file` takes."""
    import orjson

    from ledger.errors import InvalidEvent
    from ledger.events import MAX_LINE_BYTES
    from ledger.jsonl import loads, read_lines

    text = stream.read(MAX_LINE_BYTES * 64 + 1)
    if len(text) > MAX_LINE_BYTES * 64:
        raise InvalidEvent(f"input is over {MAX_LINE_BYTES * 64} bytes; use `ledger import`", field="--file")
    try:
        whole = loads(text)
    except orjson.JSONDecodeError:
        whole = None  # not one document: JSONL
    except InvalidEvent as e:
        raise InvalidEvent(e.message, field="--file") from None
    if isinstance(whole, dict):
        return [whole]
    if isinstance(whole, list):
        events = whole
    else:
        events = [raw for _, _, raw in read_lines(text.splitlines(keepends=True))]
    if not events:
        raise InvalidEvent("no event in the input", field="--file")
    return events


def append(
    ctx: typer.Context,
    event_type: Annotated[
        str | None, typer.Argument(metavar="TYPE", help="Event type, e.g. talks.reported")
    ] = None,
    data: Annotated[
        str | None, typer.Option("--data", metavar="JSON", help="The payload as a JSON object.")
    ] = None,
    occurred_at: Annotated[
        str | None, typer.Option("--occurred-at", metavar="TIME", help="World time: YYYY-MM-DD or RFC 3339.")
    ] = None,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source", metavar="NAME[:KIND]", help="NAME[:KIND], repeatable; kind defaults to other."
        ),
    ] = None,
    ref: Annotated[
        list[str] | None,
        typer.Option("--ref", metavar="EVENT_ID", help="Id of an earlier event, repeatable."),
    ] = None,
    event_id: Annotated[
        str | None, typer.Option("--id", metavar="UUID", help="UUID; makes the append idempotent.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", metavar="TEXT", help="Free text.")] = None,
    expect: Annotated[
        str | None,
        typer.Option(
            "--expect",
            metavar="ENTITY@POSITION",
            help="Append only if the latest event naming ENTITY is there.",
        ),
    ] = None,
    file: Annotated[
        str | None,
        typer.Option(
            "--file", metavar="FILE|-", help="Read event objects (JSON or JSONL) from a file, or - for stdin."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {position, id} objects.")] = False,
    strict: Strict = False,
) -> None:
    """Append one event (or the events of --file) and print its position and id.

    Example: ledger append talks.reported --occurred-at 2025-07-07 --source Nikkei:press
    --data '{"partnership": "partnership:nissan-foxconn-oppama", "parties": ["company:nissan",
    "company:foxconn"], "scope": "EV production at Oppama"}'
    """
    from ledger.errors import InvalidEvent

    if file is not None:
        if event_type or data or occurred_at or source or ref or event_id or note:
            raise InvalidEvent("give either --file or TYPE with its options, not both", field="--file")
        events = _events_of(_open_input(file))
    else:
        if event_type is None:
            raise InvalidEvent("give an event TYPE (or --file)", field="TYPE")
        event: dict[str, Any] = {
            "type": event_type,
            "occurred_at": occurred_at,
            "data": _json_arg(data, "--data") if data is not None else None,
            "sources": [parse_source(s) for s in source or []],
            "refs": list(ref or []),
        }
        if data is None:
            raise InvalidEvent("missing required option", field="--data")
        if event_id is not None:
            event["id"] = event_id
        if note is not None:
            event["note"] = note
        events = [event]
    warnings = render.Warnings()
    with open_ledger(settings(ctx).db) as opened:
        appended = opened.append_many(events, expect=expect, strict=strict, on_warning=warnings)
    warnings.summary()
    if as_json:
        render.json_lines({"position": a.position, "id": a.id} for a in appended)
    else:
        for a in appended:
            sys.stdout.write(f"{a.position}\t{a.id}\n")


def import_(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(metavar="FILE|-", help="JSONL file, or - for stdin.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate everything, write nothing.")] = False,
    restore: Annotated[
        bool,
        typer.Option("--restore", help="Load an export into an empty ledger, keeping positions and hashes."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    strict: Strict = False,
    head: Annotated[
        str | None,
        typer.Option(
            "--head",
            metavar="HASH@POSITION",
            help="With --restore: the head the export must end at (a truncated one fails).",
        ),
    ] = None,
    vocabulary: Annotated[
        int,
        typer.Option(
            "--vocabulary",
            metavar="VERSION",
            help="Vocabulary version of lines without `v` (stored with it); default: the current one.",
        ),
    ] = 2,
) -> None:
    """Import events from JSONL, all or nothing; ids already present with identical content are skipped.

    Example: ledger import events.jsonl   |   ledger export | ledger --db sqlite:///copy.db import --restore -
    """
    from ledger.errors import ProjectionsBehind

    stream = _open_input(file)
    size = Path(file).stat().st_size if file != "-" else None
    phases = progress.DRY_RUN if dry_run else progress.RESTORE if restore else progress.IMPORT
    warnings = render.Warnings()
    try:
        with (
            open_ledger(settings(ctx).db) as opened,
            progress.Progress(phases, size=size, show=progress.shown()) as shown,
        ):
            result = opened.import_jsonl(
                stream,
                dry_run=dry_run,
                restore=restore,
                vocabulary=vocabulary,
                on_bytes=shown.on_bytes,
                strict=strict,
                on_warning=warnings,
                head=head,
                progress=shown.callback,
            )
    except ProjectionsBehind as e:  # committed: say what was stored, then the error line (exit 6)
        warnings.summary()
        _import_summary(e.result, as_json, restore, projections_current=False)
        raise
    warnings.summary()
    _import_summary(result, as_json, restore)


def _import_summary(result: Any, as_json: bool, restore: bool, *, projections_current: bool = True) -> None:
    if as_json:
        render.json_document(
            {
                "read": result.read,
                "appended": result.appended,
                "skipped": result.skipped,
                "head_position": result.head.position,
                "head_hash": result.head.hash,
                "dry_run": result.dry_run,
                "projections_current": projections_current,
            }
        )
        return
    verb = "would import" if result.dry_run else ("restored" if restore else "imported")
    sys.stdout.write(
        f"{verb} {result.appended} events ({result.skipped} already present) of {result.read} read; "
        f"head {result.head.hash}@{result.head.position}\n"
    )


def export(
    ctx: typer.Context,
    out: Annotated[
        str | None, typer.Option("--out", "-o", metavar="FILE", help="Write to this file instead of stdout.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
) -> None:
    """Write every event with its position, recorded_at and hashes as JSONL. --out writes the whole file
    or nothing, never the ledger's own database, and replaces an existing file only with --force.

    Example: ledger export --out ledger.jsonl
    """
    show = progress.shown(data_on_stdout=out is None)
    with open_ledger(settings(ctx).db) as opened, progress.Progress(progress.EXPORT, show=show) as shown:
        if out is None:
            count = opened.export(sys.stdout.buffer, progress=shown.callback)
            sys.stdout.flush()
        else:
            count = opened.export_file(out, force=force, progress=shown.callback)
    if out is not None:
        render.message(f"exported {count} events to {out}")


def verify(
    ctx: typer.Context,
    head: Annotated[
        str | None,
        typer.Option(
            "--head", metavar="HASH@POSITION", help="A head saved earlier: check the ledger still holds it."
        ),
    ] = None,
    checkpoint: Annotated[
        str | None,
        typer.Option(
            "--checkpoint",
            metavar="FILE",
            help="A checkpoint issued earlier: check the ledger still holds its tree, consistent with now.",
        ),
    ] = None,
    key: Annotated[
        list[str] | None,
        typer.Option(
            "--key",
            metavar="VKEY",
            help="With --checkpoint: a verifier key (or a file holding one) that must have signed it.",
        ),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print {ok, events, head_hash, first_bad_position, tree_root, ...}."),
    ] = False,
) -> None:
    """Recompute the SHA-256 hash chain and the Merkle tree; exit 5 and name the first bad position if
    either is broken, or if a checkpoint's tree is no longer held.

    Example: ledger verify --head 3f...e1@120   |   ledger verify --checkpoint checkpoint.txt --key news.vkey
    """
    from ledger.cli.inputs import read_text, verifier_keys

    text = read_text(checkpoint, "checkpoint") if checkpoint is not None else None
    with (
        open_ledger(settings(ctx).db) as opened,
        progress.Progress(progress.VERIFY, show=progress.shown()) as shown,
    ):
        report = opened.verify(head, checkpoint=text, keys=verifier_keys(key), progress=shown.callback)
    if as_json:
        render.json_document(report.to_json())
    elif report.ok:
        sys.stdout.write(f"ok: {report.events} events, head {report.head_hash}@{report.events}\n")
        if report.checkpoint is not None:
            named = report.checkpoint.checkpoint
            signed = ", ".join(report.checkpoint.signed_by) or "nobody: give --key to check the signature"
            sys.stdout.write(
                f"ok: the ledger holds the tree of checkpoint {named.origin}@{named.size}, consistent with "
                f"its tree of {report.events} events; signed by {signed}\n"
            )
    if not report.ok:
        where = f" at position {report.first_bad_position}" if report.first_bad_position is not None else ""
        render.message(f"error: integrity failure{where}: {report.problem}")
        raise typer.Exit(INTEGRITY)
