"""The ties between companies, plants, partnerships and authorities, as data: a node per entity, an edge
per tie, each edge labelled with what it is and, where the projection gives one, its stage or basis.

The entities are the present state `Ledger.list` answers for each kind; the ties are read off those
documents (docs/JSON.md): a plant's operator, stakes and deals, a company's parent, owners and merger,
a partnership's parties and the acquisition it explores, an authority's approvals. With an entity, only
what lies within `depth` ties of it (either way along them) is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ledger.errors import InvalidArgument

if TYPE_CHECKING:
    from ledger.api import Ledger

KINDS = ("company", "plant", "partnership", "authority")  # what the graph draws; plans are not drawn
_PLURAL = {
    "company": "companies",
    "plant": "plants",
    "partnership": "partnerships",
    "authority": "authorities",
}


@dataclass(frozen=True, order=True)
class Node:
    id: str
    kind: str
    name: str | None  # the entity's name, when it has one
    state: str | None  # a plant's status or a partnership's stage, with its basis


@dataclass(frozen=True, order=True)
class Edge:
    source: str
    target: str
    label: str
    basis: str | None  # the status of the claim behind the tie; None when the projection gives none
    tie: str = ""  # operator, stake, deal, parent, owner, merger, party, acquisition or approval


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    focus: str | None
    depth: int

    @property
    def caption(self) -> str:
        if self.focus is None:
            return "every company, plant, partnership and authority, with their ties"
        steps = "tie" if self.depth == 1 else "ties"
        return f"{self.focus} and what lies within {self.depth} {steps} of it"


def _with_basis(text: str, basis: str | None) -> str:
    return f"{text} ({basis})" if basis else text


def _percent(value: Any) -> str:
    return f"{value:g}%" if isinstance(value, int | float) else ""


def _ties(doc: dict[str, Any]) -> list[Edge]:
    """The ties one entity's document states."""
    me, kind = doc["id"], doc["kind"]
    ties: list[Edge] = []
    if kind == "plant":
        if doc.get("operator"):
            since = f" since {doc['operator_since']}" if doc.get("operator_since") else ""
            ties.append(Edge(doc["operator"], me, f"operator{since}", None, "operator"))
        for stake in doc.get("stakes") or []:
            share = _percent(stake.get("percent")) or stake.get("share_text") or ""
            basis = stake.get("basis")
            ties.append(Edge(stake["to"], me, _with_basis(f"stake {share}".strip(), basis), basis, "stake"))
        for deal in doc.get("deals") or []:
            label = _with_basis(f"deal: {deal['stage']}", deal["basis"])
            ties.append(Edge(deal["partnership"], me, label, deal["basis"], "deal"))
    elif kind == "company":
        if doc.get("parent"):
            ties.append(Edge(doc["parent"], me, "parent", None, "parent"))
        for owner in doc.get("owners") or []:
            label = f"owner {_percent(owner.get('percent'))}".strip()
            ties.append(Edge(owner["company"], me, label, None, "owner"))
        if doc.get("merged_into"):
            ties.append(Edge(me, doc["merged_into"], "merged into", None, "merger"))
    elif kind == "partnership":
        basis = doc.get("stage_basis")
        for party in doc.get("parties") or []:
            ties.append(Edge(party, me, "party", basis, "party"))
        if doc.get("plant") and doc.get("stage"):
            ties.append(Edge(me, doc["plant"], _with_basis(f"deal: {doc['stage']}", basis), basis, "deal"))
        acquisition = doc.get("acquisition")
        if acquisition and acquisition.get("acquirer"):
            what = _percent(acquisition.get("percent")) or acquisition.get("stake_text") or "a stake"
            basis = acquisition.get("basis")
            label = _with_basis(f"may acquire {what}", basis)
            ties.append(
                Edge(acquisition["acquirer"], acquisition.get("plant") or me, label, basis, "acquisition")
            )
    elif kind == "authority":
        for approval in doc.get("approvals") or []:
            basis = approval.get("basis")
            ties.append(
                Edge(me, approval["subject"], _with_basis(approval["decision"], basis), basis, "approval")
            )
    return ties


def _merged(docs: list[dict[str, Any]]) -> set[Edge]:
    """Every entity's ties, each once. A deal is stated by both sides: the partnership's own stage wins
    over what the plant's claims say of it (a later stage need not name the plant)."""
    sides = [(doc["kind"], edge) for doc in docs for edge in _ties(doc)]
    stated = {(e.source, e.target) for kind, e in sides if kind == "partnership" and e.tie == "deal"}
    return {
        e for kind, e in sides if not (kind == "plant" and e.tie == "deal" and (e.source, e.target) in stated)
    }


def _node(doc: dict[str, Any]) -> Node:
    state = None
    if doc["kind"] == "plant" and doc.get("status"):
        state = _with_basis(doc["status"], doc.get("status_basis"))
    elif doc["kind"] == "partnership" and doc.get("stage"):
        state = _with_basis(doc["stage"], doc.get("stage_basis"))
    return Node(doc["id"], doc["kind"], doc.get("name"), state)


def build(lg: Ledger, entity: str | None = None, *, depth: int = 2) -> Graph:
    """The graph of the whole ledger, or of what lies within `depth` ties of `entity`."""
    if depth < 0:
        raise InvalidArgument(f"expected a number of ties, 0 or more, got {depth}", parameter="depth")
    if entity is not None:
        kind = lg.show(entity)["kind"]  # a malformed or unknown id is refused here
        if kind not in KINDS:
            raise InvalidArgument(
                f"the graph draws companies, plants, partnerships and authorities, not a {kind}",
                parameter="entity_id",
            )
    docs = [doc for kind in KINDS for doc in lg.list(_PLURAL[kind])]
    nodes = {doc["id"]: _node(doc) for doc in docs}
    edges = _merged(docs)
    for edge in edges:  # an entity named by a tie but with no state of its own
        for end in (edge.source, edge.target):
            if end not in nodes and end.split(":", 1)[0] in KINDS:
                nodes[end] = Node(end, end.split(":", 1)[0], None, None)
    edges = {edge for edge in edges if edge.source in nodes and edge.target in nodes}
    if entity is not None:
        keep = _within(entity, edges, depth)
        nodes = {key: node for key, node in nodes.items() if key in keep}
        edges = {edge for edge in edges if edge.source in keep and edge.target in keep}
    return Graph(tuple(sorted(nodes.values())), tuple(sorted(edges)), entity, depth)


def _within(start: str, edges: set[Edge], depth: int) -> set[str]:
    """The entities at most `depth` ties from `start`, along ties either way."""
    neighbours: dict[str, set[str]] = {}
    for edge in edges:
        neighbours.setdefault(edge.source, set()).add(edge.target)
        neighbours.setdefault(edge.target, set()).add(edge.source)
    seen, frontier = {start}, {start}
    for _ in range(depth):
        frontier = {n for node in frontier for n in neighbours.get(node, ())} - seen
        seen |= frontier
    return seen
