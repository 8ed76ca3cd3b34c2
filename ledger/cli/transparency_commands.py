"""Commands for third parties: signer keys, checkpoints, inclusion and consistency proofs, and checking a
proof offline (docs/TRANSPARENCY.md)."""

from __future__ import annotations

import os
import re
import sys
from typing import Annotated

import typer

from ledger.cli import bodies, render
from ledger.cli.context import open_ledger, settings
from ledger.cli.inputs import read_file, read_text, verifier_keys

key_app = typer.Typer(
    name="key",
    help="Signer keys for checkpoints.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

Keys = Annotated[
    list[str] | None,
    typer.Option(
        "--key", metavar="VKEY", help="A verifier key (NAME+ID+KEY), or a file holding one; repeatable."
    ),
]


def key_file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name) + ".key"


@key_app.command("generate")
def generate(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The key's name, e.g. example.com/news.")],
    out: Annotated[
        str | None,
        typer.Option(
            "--out", "-o", metavar="FILE", help="Where to write the signer key (default: NAME.key, / as _)."
        ),
    ] = None,
) -> None:
    """Make an Ed25519 signer key: write it to a new file (mode 0600) and print its verifier key.

    The signer key signs checkpoints (keep it secret); give the verifier key to whoever checks them.

    Example: ledger key generate example.com/news --out news.key
    """
    from ledger.errors import InvalidArgument, LedgerError
    from ledger.transparency import note

    try:
        signer = note.generate(name)
    except note.NoteError as e:
        raise InvalidArgument(str(e), parameter="name") from None
    path = out or key_file_name(name)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise LedgerError(f"{path} already exists; not overwritten (give another --out)") from None
    except OSError as e:
        raise LedgerError(f"cannot write {path}: {e.strerror}") from None
    with os.fdopen(fd, "w") as handle:
        os.fchmod(fd, 0o600)  # whatever the umask
        handle.write(signer.skey() + "\n")
    sys.stdout.write(signer.verifier().vkey() + "\n")
    render.message(f"wrote the signer key of {name} to {path} (mode 0600): keep it secret")


def checkpoint(
    ctx: typer.Context,
    sign: Annotated[
        str | None, typer.Option("--sign", metavar="KEY", help="Sign with the signer key in this file.")
    ] = None,
    origin: Annotated[
        str | None,
        typer.Option("--origin", metavar="NAME", help="The log's name (default: the key's name)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print {seq, origin, tree_size, root, issued_at, note}.")
    ] = False,
) -> None:
    """Issue a checkpoint of the whole log (c2sp.org/tlog-checkpoint) and record it: origin, tree size and
    Merkle root, signed as a note with --sign.

    Example: ledger checkpoint --sign news.key > checkpoint-2026-12-10.txt
    """
    bodies.checkpoint(settings(ctx).db, sign, origin, as_json)


def prove(
    ctx: typer.Context,
    event: Annotated[
        str | None, typer.Argument(metavar="EVENT_ID|POSITION", help="The event to prove.")
    ] = None,
    size: Annotated[
        int | None,
        typer.Option(
            "--size",
            metavar="SIZE",
            min=0,
            help="Against the checkpoint of this tree size (default: the latest); with --consistency, the "
            "new size (default: every event).",
        ),
    ] = None,
    consistency: Annotated[
        int | None,
        typer.Option(
            "--consistency", metavar="OLD_SIZE", min=1, help="Prove the tree of OLD_SIZE events is a prefix."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the proof as JSON.")] = False,
) -> None:
    """Prove an event is in a checkpoint the ledger issued (c2sp.org/tlog-proof), or, with --consistency,
    that an older tree is a prefix of a newer one (JSON).

    Example: ledger prove 42 > event-42.tlog-proof   |   ledger prove --consistency 1000 --size 2000
    """
    from ledger.errors import InvalidArgument

    if (event is None) == (consistency is None):
        message = "give EVENT_ID|POSITION or --consistency OLD_SIZE (one of them)"
        raise InvalidArgument(message, parameter="event")
    with open_ledger(settings(ctx).db) as opened:
        if consistency is not None:
            render.json_document(opened.prove_consistency(consistency, size=size).to_json())
            return
        assert event is not None
        proof = opened.prove(event, size=size)
    if as_json:
        render.json_document(proof.to_json())
    else:
        sys.stdout.write(proof.tlog_proof())


def check_proof(
    event: Annotated[
        str, typer.Option("--event", metavar="FILE", help="The exported event (a line of `ledger export`).")
    ],
    proof: Annotated[
        str, typer.Option("--proof", metavar="FILE", help="Its proof: `ledger prove` output (or --json).")
    ],
    key: Keys = None,
    checkpoint: Annotated[
        str | None,
        typer.Option(
            "--checkpoint", metavar="FILE", help="The signed checkpoint you hold (default: the proof's own)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was checked as JSON.")] = False,
) -> None:
    """Check offline, with no ledger, that an exported event is in the tree a signed checkpoint names, and
    that a key you trust signed it; exit 5 if not.

    Example: ledger check-proof --event event-42.json --proof event-42.tlog-proof --checkpoint
    checkpoint.txt --key news.vkey
    """
    import base64

    from ledger.offline import check_inclusion, read_verifiers

    verifiers = read_verifiers(verifier_keys(key))
    checked = check_inclusion(
        read_file(event),
        read_text(proof, "proof"),
        read_text(checkpoint, "checkpoint") if checkpoint is not None else None,
        verifiers,
    )
    named = checked.checkpoint
    if as_json:
        render.json_document(
            {
                "ok": True,
                "position": checked.position,
                "event_id": checked.event_id,
                "event_hash": checked.event_hash,
                "origin": named.origin,
                "tree_size": named.size,
                "root": base64.b64encode(named.root).decode(),
                "signed_by": list(checked.signed_by),
            }
        )
        return
    sys.stdout.write(
        f"ok: event {checked.event_id} at position {checked.position} is in the tree of {named.size} events "
        f"that {named.origin} checkpointed, signed by {', '.join(checked.signed_by)}\n"
    )
