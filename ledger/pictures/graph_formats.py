"""A `Graph` written out: DOT (through the `graphviz` package, which quotes it), Mermaid, and SVG laid
out by Graphviz's `dot` program (with a legend the text formats leave out).

The text formats list nodes, then edges, in id order, so the same ledger always gives the same bytes.
A node's name in both is its entity id with `:` as `__` and `-` as `_` (`company__ford_india`): DOT
reads a colon in an edge's end as a port, Mermaid reads neither; the label carries the id as it is.
"""

from __future__ import annotations

import re
from typing import Any

from ledger.errors import MissingTool
from ledger.pictures import style
from ledger.pictures.ties import Graph, Node

FONT = "DejaVu Sans"
NAME_WIDTH = 28  # a node's name wraps at this many characters


def _wrap(text: str, width: int = NAME_WIDTH) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [text]


def _node_lines(node: Node) -> list[str]:
    return [*(_wrap(node.name) if node.name else []), node.id, *([node.state] if node.state else [])]


def _edge_colour(basis: str | None) -> str:
    return style.STATUS_COLOURS.get(basis or "", style.TIE_COLOUR)


def _digraph(graph: Graph, *, legend: bool) -> Any:
    import graphviz

    dot = graphviz.Digraph(
        "ledger",
        graph_attr={
            "rankdir": "LR",
            "label": graph.caption,
            "labelloc": "t",
            "fontname": FONT,
            "fontsize": "14",
            "nodesep": "0.4",
            "ranksep": "1.1",
            "bgcolor": "white",
            "pad": "0.3",
        },
        node_attr={
            "fontname": FONT,
            "fontsize": "11",
            "style": "filled",
            "color": "#4D4D4D",
            "penwidth": "1.2",
        },
        edge_attr={"fontname": FONT, "fontsize": "10", "penwidth": "1.4", "arrowsize": "0.8"},
    )
    for node in graph.nodes:
        shape, fill = style.KIND_SHAPES[node.kind]
        focus = {"penwidth": "2.6", "color": "#1A1A1A"} if node.id == graph.focus else {}
        lines = [line.replace("\\", "\\\\") for line in _node_lines(node)]  # a backslash is DOT's escape
        tooltip = " · ".join(part for part in (node.name, node.id, node.state) if part)
        dot.node(
            node_name(node.id),
            "\\n".join(lines),  # DOT's own line break, written as backslash-n
            shape=shape,
            fillcolor=fill,
            tooltip=tooltip,
            **focus,
        )
    for edge in graph.edges:
        colour = _edge_colour(edge.basis)
        dot.edge(
            node_name(edge.source),
            node_name(edge.target),
            label=edge.label,
            color=colour,
            fontcolor="#333333",
            style="dashed" if edge.basis == "reported" else "solid",
            tooltip=f"{edge.source} → {edge.target}: {edge.label}",
        )
    if legend:
        _legend(dot)
    return dot


def _legend(dot: Any) -> None:
    """The kinds' shapes and the bases' colours, as one table-shaped node beside the graph."""
    from html import escape

    rows = [
        f'<tr><td colspan="2" bgcolor="{fill}" border="1" color="#4D4D4D">{escape(kind)}</td></tr>'
        for kind, (_shape, fill) in style.KIND_SHAPES.items()
    ]
    for basis in ("announced", "reported", "confirmed", "disputed", None):
        line = "╌╌╌▶" if basis == "reported" else "━━━▶"
        rows.append(
            f'<tr><td align="right"><font color="{_edge_colour(basis)}">{line}</font></td>'
            f'<td align="left">{escape(basis or "no basis given")}</td></tr>'
        )
    table = (
        '<<table border="1" color="#B0B0B0" cellborder="0" cellspacing="3" cellpadding="3">'
        '<tr><td colspan="2"><b>legend</b></td></tr>' + "".join(rows) + "</table>>"
    )
    dot.node("legend", table, shape="plaintext", style="", tooltip="legend")


def dot_source(graph: Graph) -> str:
    return _digraph(graph, legend=False).source


def svg(graph: Graph) -> str:
    """The graph laid out by `dot`, as an SVG document."""
    import graphviz

    try:
        return _digraph(graph, legend=True).pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound:
        raise MissingTool(
            "this format needs Graphviz's `dot` program, which is not installed (Debian: apt-get install "
            "graphviz); --format dot and mermaid need nothing more"
        ) from None


def node_name(entity: str) -> str:
    """A name DOT and Mermaid take as it is (a slug has no `_`, so no two entities share one)."""
    return re.sub(r"[^A-Za-z0-9]", "_", entity.replace(":", "__"))


def _mermaid_text(text: str) -> str:
    """Text inside Mermaid's double quotes: quotes and markup characters as entity codes."""
    return "".join(f"#{ord(c)};" if c in '"#<>&' else c for c in text)


def mermaid(graph: Graph) -> str:
    lines = ["flowchart LR", f"  %% {graph.caption}"]
    for node in graph.nodes:
        label = "<br/>".join(_mermaid_text(line) for line in _node_lines(node))
        opening, closing = style.MERMAID_BRACKETS[node.kind]
        lines.append(f'  {node_name(node.id)}{opening}"{label}"{closing}:::{node.kind}')
    for edge in graph.edges:
        arrow = "-.->" if edge.basis == "reported" else "-->"
        lines.append(
            f'  {node_name(edge.source)} {arrow}|"{_mermaid_text(edge.label)}"| {node_name(edge.target)}'
        )
    for index, edge in enumerate(graph.edges):
        lines.append(f"  linkStyle {index} stroke:{_edge_colour(edge.basis)}")
    for kind, (_shape, fill) in style.KIND_SHAPES.items():
        lines.append(f"  classDef {kind} fill:{fill},stroke:#4D4D4D")
    return "\n".join(lines) + "\n"
