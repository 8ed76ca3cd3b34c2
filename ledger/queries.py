"""The query side: show, list, history and claims.

The present is read from the projection tables; a past moment (`as_of`, `known_at`) is folded from the
entity's own events, read through the entity index, so it costs what the entity has, not the log.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from ledger.errors import LedgerError, UsageError
from ledger.events import ENTITY_ID_RE, ENTITY_KINDS
from ledger.projections import EntityView, fold
from ledger.store import Transaction

CLAIM_STATUSES = ("announced", "reported", "confirmed", "denied", "disputed", "retracted", "voided")
LIST_KINDS = {"plants": "plant", "partnerships": "partnership", "companies": "company", "plans": "plan"}


class UnknownEntity(LedgerError):
    """Raised when no event (up to the given moment) names the entity asked about."""

    exit_code = 1


def _check_entity(entity_id: str) -> None:
    if not re.fullmatch(ENTITY_ID_RE, entity_id):
        raise UsageError(
            f"expected an entity id like plant:nissan-oppama ({'|'.join(ENTITY_KINDS)}:slug), "
            f"got {entity_id!r}",
            option="ENTITY",
        )


def _view(tx: Transaction, entity_id: str, as_of: int | None, known_at: int | None) -> EntityView:
    _check_entity(entity_id)
    view = fold(entity_id, tx.entity_events(entity_id), as_of=as_of, known_at=known_at)
    if view is None:
        moment = " at that moment" if as_of is not None or known_at is not None else ""
        raise UnknownEntity(f"no event names {entity_id}{moment}")
    return view


def show(tx: Transaction, entity_id: str, as_of: int | None, known_at: int | None) -> dict[str, Any]:
    if as_of is None and known_at is None:
        _check_entity(entity_id)
        doc = tx.entity_doc(entity_id)
        if doc is None:
            raise UnknownEntity(f"no event names {entity_id}")
        return orjson.loads(doc)
    return _view(tx, entity_id, as_of, known_at).state


def history(tx: Transaction, entity_id: str, as_of: int | None, known_at: int | None) -> list[dict[str, Any]]:
    return _view(tx, entity_id, as_of, known_at).history


def list_entities(tx: Transaction, kind: str) -> list[dict[str, Any]]:
    entity_kind = LIST_KINDS.get(kind, kind)
    if entity_kind not in ENTITY_KINDS:
        raise UsageError(f"expected one of {', '.join(LIST_KINDS)}, got {kind!r}", option="KIND")
    return [orjson.loads(doc) for _id, _kind, doc in tx.entity_docs(entity_kind)]


def claims(tx: Transaction, entity_id: str | None, status: str | None) -> list[dict[str, Any]]:
    if status is not None and status not in CLAIM_STATUSES:
        raise UsageError(f"expected one of {', '.join(CLAIM_STATUSES)}, got {status!r}", option="--status")
    if entity_id is None:
        return [orjson.loads(doc) for _p, _s, doc in tx.claim_docs(status)]
    found = _view(tx, entity_id, None, None).claims
    return [c for c in found if status is None or c["status"] == status]
