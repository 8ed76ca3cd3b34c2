"""Drawing a `Timeline` as SVG with matplotlib: a lane per row, world time across, a legend below.

matplotlib lays out the date axis, the bars, the marks and the legend, and writes the SVG with its text
as text (`svg.fonttype: none`), so a browser can find and select every label. Each mark is drawn as an
artist of its own with the mark's id as its SVG id; `with_tooltips` then gives it a `<title>` (what a
browser shows on hover) and the `data-mark` attribute the HTML page's click panel reads.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any

from ledger.pictures import style
from ledger.pictures.timeline import Lane, Mark, Timeline

SVG_NS = "http://www.w3.org/2000/svg"
DAY = 86_400_000_000
WIDTH_IN = 12.5
LABEL_IN = 2.4  # the lane labels' column
LANE_IN = 0.34
HEADER_IN = 0.8
AXIS_IN = 0.45
LEGEND_ROW_IN = 0.24
LEGEND_COLUMNS = 4
FONT = 9.0
MARK_GAP_PT = 13.0  # marks closer than this on one lane are set apart, in their order
LABEL_CHARS = 34


def _date(key: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=key)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _range(timeline: Timeline) -> tuple[int, int]:
    """The world times the axis spans: the trail, the --as-of moment, and --known-at when it is near."""
    low, high = timeline.start, max(timeline.end, timeline.start)
    span = max(high - low, 30 * DAY)
    known = timeline.known_at_at
    if known is not None and low - span // 4 <= known <= high + span // 4:
        low, high = min(low, known), max(high, known)
        span = max(high - low, 30 * DAY)
    right = span // 40 if timeline.as_of_at is not None else span // 10
    return low - span // 20, high + right


def _legend_handles() -> list[Any]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [
        Patch(
            facecolor=_tint(colour),
            edgecolor=colour,
            hatch=None if status in _applicable() else style.HATCH,
            label=status,
        )
        for status, colour in style.STATUS_COLOURS.items()
    ]
    handles.append(
        Patch(facecolor=_tint(style.NO_BASIS_COLOUR), edgecolor=style.NO_BASIS_COLOUR, label="no basis given")
    )
    for mark in (style.CLAIM_MARK, *style.STANCE_MARKS.values(), *style.CORRECTION_MARKS.values()):
        face = style.STATUS_COLOURS["reported"] if mark.face == "status" else mark.face
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker=mark.marker,
                markersize=mark.size * 0.9,
                markerfacecolor=face,
                markeredgecolor=mark.edge,
                label=mark.legend,
            )
        )
    handles.append(Line2D([], [], color=style.AS_OF_COLOUR, linestyle="--", label="as of (world time)"))
    handles.append(Line2D([], [], color=style.KNOWN_AT_COLOUR, linestyle=":", label="known at (ledger time)"))
    return handles


def _applicable() -> frozenset[str]:
    from ledger.vocabulary.terms import APPLICABLE_STATUSES

    return APPLICABLE_STATUSES


def _tint(colour: str, weight: float = 0.38) -> tuple[float, float, float]:
    """`colour` mixed with white: a bar light enough for dark text and marks on it."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return (1 - weight * (1 - r), 1 - weight * (1 - g), 1 - weight * (1 - b))


def _text_width(text: str, size: float) -> float:
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    width, _height, _descent = TextToPath().get_text_width_height_descent(
        text, FontProperties(size=size), ismath=False
    )
    return width


def _fit(text: str, width: float, size: float) -> str:
    """`text` cut (with an ellipsis) to `width` points; empty when not even a few letters fit."""
    if _text_width(text, size) <= width:
        return text
    while len(text) > 3:
        text = text.removesuffix("…")[:-1] + "…"
        if _text_width(text, size) <= width:
            return text
    return ""


def draw(timeline: Timeline) -> str:
    """The timeline as an SVG document (text)."""
    import matplotlib
    from matplotlib import dates as mdates
    from matplotlib.figure import Figure

    lanes = timeline.lanes
    rows = max(len(lanes), 1)
    legend_rows = -(-len(_legend_handles()) // LEGEND_COLUMNS)
    height = HEADER_IN + rows * LANE_IN + AXIS_IN + legend_rows * LEGEND_ROW_IN + 0.3
    with matplotlib.rc_context(
        {"svg.fonttype": "none", "svg.hashsalt": "ledger", "font.size": FONT, "font.family": "DejaVu Sans"}
    ):
        figure = Figure(figsize=(WIDTH_IN, height), dpi=72)
        left, right = LABEL_IN / WIDTH_IN, 1 - 0.25 / WIDTH_IN
        bottom = (AXIS_IN + legend_rows * LEGEND_ROW_IN + 0.3) / height
        top = 1 - HEADER_IN / height
        ax = figure.add_axes((left, bottom, right - left, top - bottom))
        low, high = _range(timeline)
        ax.set_xlim(_date(low), _date(high))
        ax.set_ylim(rows - 0.5, -0.5)
        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.grid(axis="x", color="#E6E6E6", linewidth=0.8)
        ax.set_axisbelow(True)
        for spine in ("top", "right", "left"):
            ax.spines[spine].set_visible(False)
        ax.tick_params(axis="y", length=0)
        ax.set_yticks(range(len(lanes)))
        ax.set_yticklabels([_short(lane.label, LABEL_CHARS) for lane in lanes])
        for tick, lane in zip(ax.get_yticklabels(), lanes, strict=True):
            if lane.group != "claim":
                tick.set_fontweight("bold")
                tick.set_color("#333333")
        points_per_day = (right - left) * WIDTH_IN * 72 / ((high - low) / DAY)
        for row, lane in enumerate(lanes):
            _draw_lane(ax, row, lane, timeline, high, points_per_day)
        fields = sum(1 for lane in lanes if lane.group == "field")
        if fields and fields < len(lanes):
            ax.axhline(fields - 0.5, color="#B0B0B0", linewidth=0.8)
        _moments(ax, timeline, low, high)
        figure.text(0.01, 1 - 0.3 / height, timeline.title, fontsize=13, fontweight="bold", va="center")
        figure.text(0.01, 1 - 0.58 / height, _subtitle(timeline), fontsize=FONT, color="#555555", va="center")
        figure.legend(
            handles=_legend_handles(),
            loc="lower left",
            bbox_to_anchor=(0.01, 0.02),
            ncol=LEGEND_COLUMNS,
            frameon=False,
            fontsize=FONT - 0.5,
            title="legend",
            title_fontsize=FONT,
            alignment="left",
            handlelength=1.6,
            columnspacing=2.0,
        )
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    return with_tooltips(out.getvalue(), timeline)


def _subtitle(timeline: Timeline) -> str:
    parts = ["world time across"]
    parts.append(f"as of {timeline.as_of}" if timeline.as_of else "as of now")
    parts.append(
        f"as the ledger knew it at {timeline.known_at}" if timeline.known_at else "all the ledger holds"
    )
    claims = len(timeline.claims)
    parts.append(f"{claims} claim{'s' if claims != 1 else ''}")
    parts.append("hover over a mark for its sources and quote")
    return " · ".join(parts)


def _draw_lane(ax: Any, row: int, lane: Lane, timeline: Timeline, high: int, points_per_day: float) -> None:
    applicable = _applicable()
    for segment in lane.segments:
        end = segment.end if segment.end is not None else (timeline.as_of_at or high)
        colour = style.STATUS_COLOURS.get(segment.status or "", style.NO_BASIS_COLOUR)
        width_days = max((end - segment.start) / DAY, 0.5)
        ax.barh(
            row,
            timedelta(days=width_days),
            left=_date(segment.start),
            height=0.58,
            color=_tint(colour),
            edgecolor=colour,
            linewidth=0.8,
            hatch=None if segment.status is None or segment.status in applicable else style.HATCH,
        )
        if segment.text:
            room = width_days * points_per_day - 8
            label = _fit(segment.text + (f" ({segment.status})" if segment.status else ""), room, FONT - 0.5)
            if label:
                ax.text(
                    _date(segment.start) + timedelta(days=4 / points_per_day),
                    row,
                    label,
                    va="center",
                    fontsize=FONT - 0.5,
                    color="#1A1A1A",
                )
    if lane.group == "field" and not lane.segments:
        ax.text(_date(timeline.start), row, "none", va="center", fontsize=FONT - 0.5, color="#8C8C8C")
    placed: list[float] = []
    for mark in lane.marks:
        natural = (mark.at - timeline.start) / DAY * points_per_day
        where = max([natural, *(p + MARK_GAP_PT for p in placed[-1:])])
        placed.append(where)
        _draw_mark(ax, row, mark, timeline.start, where / points_per_day)


def _draw_mark(ax: Any, row: int, mark: Mark, origin: int, days: float) -> None:
    if mark.kind == "claim":
        look = style.CLAIM_MARK
        face = style.STATUS_COLOURS.get(mark.status or "", style.NO_BASIS_COLOUR)
    else:
        look = style.STANCE_MARKS.get(mark.kind) or style.CORRECTION_MARKS[mark.kind]
        face = look.face
    alpha = style.FADED_ALPHA if mark.faded else 1.0
    if mark.until is not None:
        ax.plot(
            [_date(mark.at), _date(mark.until)],
            [row + 0.22, row + 0.22],
            color=look.edge,
            linewidth=1.2,
            alpha=alpha,
            solid_capstyle="butt",
            marker="|",
            markersize=5,
        )
    (artist,) = ax.plot(
        [_date(origin) + timedelta(days=days)],
        [row],
        linestyle="none",
        marker=look.marker,
        markersize=look.size,
        markerfacecolor=face,
        markeredgecolor=look.edge,
        markeredgewidth=1.0,
        alpha=alpha,
        zorder=5,
    )
    artist.set_gid(mark.id)


def _moments(ax: Any, timeline: Timeline, low: int, high: int) -> None:
    """The --as-of and --known-at moments: a line where they fall on the axis, or a note at its edge."""
    for moment, text, colour, dashes, y in (
        (timeline.as_of_at, timeline.as_of, style.AS_OF_COLOUR, "--", 1.0),
        (timeline.known_at_at, timeline.known_at, style.KNOWN_AT_COLOUR, ":", 1.035),
    ):
        if moment is None or text is None:
            continue
        label = "as of" if colour == style.AS_OF_COLOUR else "known at"
        if low <= moment <= high:
            ax.axvline(_date(moment), color=colour, linestyle=dashes, linewidth=1.4, zorder=6)
            ax.text(
                _date(moment), y, f" {label} {text}", transform=ax.get_xaxis_transform(), color=colour,
                fontsize=FONT - 0.5, va="bottom", ha="right" if moment > (low + high) // 2 else "left",
            )  # fmt: skip
        else:
            side = "→" if moment > high else "←"
            ax.text(
                1.0 if moment > high else 0.0, y, f"{side} {label} {text} (off this axis) ",
                transform=ax.transAxes, color=colour, fontsize=FONT - 0.5, va="bottom",
                ha="right" if moment > high else "left",
            )  # fmt: skip


def with_tooltips(svg: str, timeline: Timeline) -> str:
    """Give each mark's SVG group a `<title>` (shown on hover) and what a click needs."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root = ET.fromstring(svg)
    marks = {mark.id: mark for lane in timeline.lanes for mark in lane.marks}
    for group in root.iter(f"{{{SVG_NS}}}g"):
        mark = marks.get(group.get("id", ""))
        if mark is None:
            continue
        title = ET.Element(f"{{{SVG_NS}}}title")
        title.text = "\n".join([mark.title, *(f"{what}: {text}" for what, text in mark.details)])
        group.insert(0, title)
        group.set("class", "mark")
        group.set("data-mark", mark.id)
        group.set("tabindex", "0")
    return '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n' + ET.tostring(root, encoding="unicode")
