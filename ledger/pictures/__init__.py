"""Pictures of the ledger: an entity's timeline and the graph of ties between entities.

    timeline(lg, "plant:ford-sanand", fmt="html")        # an HTML page (or "svg")
    write_timeline(lg, "plant:ford-sanand", Path("t.html"))  # the format from the file's suffix
    graph(lg, "company:ford", depth=2, fmt="mermaid")   # "dot", "mermaid", "svg" or "html"

The data comes from the ledger's queries (`Ledger.show`, `history`, `list`): `lanes.py` and `ties.py`
turn their answers into lanes, marks, nodes and edges; `timeline_chart.py` (matplotlib) and
`graph_formats.py` (graphviz) draw them; `webpage.py` puts a drawing in a page of its own. Every picture is
one file that opens with no network. The libraries come with the `pictures` extra; without them a
picture is refused with one line saying what to install (`MissingTool`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ledger.errors import InvalidArgument, MissingTool

if TYPE_CHECKING:
    from ledger.api import Ledger

TIMELINE_FORMATS = ("html", "svg")
GRAPH_FORMATS = ("dot", "mermaid", "html", "svg")


def _installed(module: str) -> bool:
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def _require(*modules: str) -> None:
    missing = [name for name in modules if not _installed(name)]
    if missing:
        raise MissingTool(
            f"pictures need {' and '.join(missing)}, not installed here: "
            "pip install 'corporate-actions-ledger[pictures]'"
        )


def _check_format(fmt: str, allowed: tuple[str, ...], parameter: str) -> None:
    if fmt not in allowed:
        raise InvalidArgument(f"expected one of {', '.join(allowed)}, got {fmt!r}", parameter=parameter)


def timeline(
    lg: Ledger, entity: str, *, as_of: str | None = None, known_at: str | None = None, fmt: str = "html"
) -> str:
    """The timeline of `entity`, as the ledger answers at (`as_of`, `known_at`): an HTML page or SVG."""
    _check_format(fmt, TIMELINE_FORMATS, "format")
    _require("matplotlib", *(["mako"] if fmt == "html" else []))
    from ledger.pictures import timeline_chart, webpage
    from ledger.pictures.lanes import build

    drawn = build(lg, entity, as_of=as_of, known_at=known_at)
    svg = timeline_chart.draw(drawn)
    if fmt == "svg":
        return svg
    details = {m.id: (m.title, m.details) for lane in drawn.lanes for m in lane.marks}
    return webpage.page(f"timeline of {drawn.title}", svg, command="timeline", details=details)


def write_timeline(
    lg: Ledger,
    entity: str,
    out: Path,
    *,
    as_of: str | None = None,
    known_at: str | None = None,
    force: bool = False,
) -> str:
    """`timeline` into the file `out`, in the format its suffix names (.html or .svg), written whole or
    not at all, never over the ledger's own database nor, unless `force`, an existing file. Returns the
    format."""
    from ledger import output

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in TIMELINE_FORMATS:
        raise InvalidArgument(
            f"expected a file name ending in .html or .svg, got {str(out)!r}", parameter="out"
        )
    text = timeline(lg, entity, as_of=as_of, known_at=known_at, fmt=fmt).encode("utf-8")
    output.write_file(out, lambda handle: handle.write(text), force=force, protected=lg.database_files())
    return fmt


def graph(lg: Ledger, entity: str | None = None, *, depth: int = 2, fmt: str = "dot") -> str:
    """The companies, plants, partnerships and authorities with their ties (within `depth` ties of
    `entity` if given): DOT or Mermaid text, SVG laid out by Graphviz's `dot`, or an HTML page of it."""
    _check_format(fmt, GRAPH_FORMATS, "format")
    _require(*(["graphviz"] if fmt != "mermaid" else []), *(["mako"] if fmt == "html" else []))
    from ledger.pictures import graph_formats, webpage
    from ledger.pictures.ties import build

    drawn = build(lg, entity, depth=depth)
    if fmt == "dot":
        return graph_formats.dot_source(drawn)
    if fmt == "mermaid":
        return graph_formats.mermaid(drawn)
    svg = graph_formats.svg(drawn)
    if fmt == "svg":
        return svg
    return webpage.page(f"graph: {drawn.caption}", svg, command="graph")
