"""Drawing a `Timeline` as SVG with matplotlib: a lane per row, world time across, two legends below.

matplotlib lays out the date axis, the bars, the marks and the legends, and writes the SVG with its text
as text (`svg.fonttype: none`), so a browser can find and select every label. Each mark and bar is an
artist of its own with an SVG id; `svg_titles.with_titles` then gives it the `<title>` a browser shows
on hover (a mark's sources and quote), and marks the `data-mark` the HTML page's click panel reads.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

from ledger.pictures import style
from ledger.pictures.lanes import Lane, Mark, Segment, Timeline
from ledger.pictures.svg_titles import with_titles
from ledger.vocabulary.terms import APPLICABLE_STATUSES

DAY = 86_400_000_000
MIN_SPAN = 10 * DAY  # a trail of one day is drawn over ten
WIDTH_IN = 12.5
LABEL_IN = 2.4  # the lane labels' column
LANE_IN = 0.34
HEADER_IN = 1.0  # title, subtitle, and room for the --as-of and --known-at labels
AXIS_IN = 0.5
LEGEND_IN = 1.3
FONT = 9.0
MARK_GAP_PT = 13.0  # marks closer than this on one lane are set apart, in their order
WHISKER_PT = 10.0  # an imprecise time (a month, a quarter) gets a whisker when its span is this wide
LABEL_CHARS = 34


def _date(key: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=key)


def _day(key: int) -> str:
    """A world time as people read it: a date when it is the start or the end of a day."""
    moment = _date(key)
    if (moment.hour, moment.minute, moment.second) in ((0, 0, 0), (23, 59, 59)):
        return moment.date().isoformat()
    return moment.strftime("%Y-%m-%dT%H:%MZ")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _range(timeline: Timeline) -> tuple[int, int]:
    """The world times the axis spans: the trail, the --as-of moment, and --known-at when it is near."""
    low, high = timeline.start, max(timeline.end, timeline.start)
    known, near = timeline.known_at_at, max(high - low, MIN_SPAN) // 4
    if known is not None and low - near <= known <= high + near:
        low, high = min(low, known), max(high, known)
    if high - low < MIN_SPAN:  # room after the trail ("still so"), or before an --as-of
        low, high = (high - MIN_SPAN, high) if timeline.as_of_at is not None else (low, low + MIN_SPAN)
    span = high - low
    return low - span // 30, high + (span // 40 if timeline.as_of_at is not None else span // 12)


def _tint(colour: str, weight: float = 0.38) -> tuple[float, float, float]:
    """`colour` mixed with white: a bar light enough for dark text and marks on it."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return (1 - weight * (1 - r), 1 - weight * (1 - g), 1 - weight * (1 - b))


def _bar_look(status: str | None) -> dict[str, Any]:
    colour = style.STATUS_COLOURS.get(status or "", style.NO_BASIS_COLOUR)
    hatch = None if status is None or status in APPLICABLE_STATUSES else style.HATCH
    return {"facecolor": _tint(colour), "edgecolor": colour, "hatch": hatch}


def _mark_look(mark: Mark) -> tuple[style.Mark, str]:
    if mark.kind == "claim":
        return style.CLAIM_MARK, style.STATUS_COLOURS.get(mark.status or "", style.NO_BASIS_COLOUR)
    look = style.STANCE_MARKS.get(mark.kind) or style.CORRECTION_MARKS[mark.kind]
    return look, look.face


def _legends(figure: Any) -> None:
    """What the bars' colours say, and what each mark and line is, side by side under the axis."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    bars = [Patch(label=status, **_bar_look(status)) for status in style.STATUS_COLOURS]
    bars.append(Patch(label="no basis given", **_bar_look(None)))
    marks: list[Any] = []
    for look in (style.CLAIM_MARK, *style.STANCE_MARKS.values(), *style.CORRECTION_MARKS.values()):
        face = style.STATUS_COLOURS["reported"] if look.face == "status" else look.face
        marks.append(
            Line2D([], [], linestyle="none", marker=look.marker, markersize=look.size * 0.9,
                   markerfacecolor=face, markeredgecolor=look.edge, label=look.legend)
        )  # fmt: skip
    marks.append(Line2D([], [], color=style.AS_OF_COLOUR, linestyle="--", label="as of (world time)"))
    marks.append(Line2D([], [], color=style.KNOWN_AT_COLOUR, linestyle=":", label="known at (ledger time)"))
    common = {"loc": "lower left", "frameon": False, "fontsize": FONT - 0.5, "title_fontsize": FONT,
              "alignment": "left", "handlelength": 1.6, "columnspacing": 1.6}  # fmt: skip
    first = figure.legend(handles=bars, ncol=2, bbox_to_anchor=(0.01, 0.01),
                          title="bars: a claim's status (a field's basis)", **common)  # fmt: skip
    figure.draw_without_rendering()
    edge = figure.transFigure.inverted().transform(first.get_window_extent())[1][0]
    figure.legend(handles=marks, ncol=3, bbox_to_anchor=(edge + 0.02, 0.01), title="marks", **common)


def draw(timeline: Timeline) -> str:
    """The timeline as an SVG document (text)."""
    import matplotlib
    from matplotlib import dates as mdates
    from matplotlib.figure import Figure

    lanes = timeline.lanes
    rows = max(len(lanes), 1)
    height = HEADER_IN + rows * LANE_IN + AXIS_IN + LEGEND_IN
    rc = {"svg.fonttype": "none", "svg.hashsalt": "ledger", "font.size": FONT, "font.family": "DejaVu Sans"}
    with matplotlib.rc_context(rc):
        figure = Figure(figsize=(WIDTH_IN, height), dpi=72)
        left, right = LABEL_IN / WIDTH_IN, 1 - 0.25 / WIDTH_IN
        bottom, top = (AXIS_IN + LEGEND_IN) / height, 1 - HEADER_IN / height
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
        scale = _Scale(timeline.start, (right - left) * WIDTH_IN * 72 / ((high - low) / DAY))
        titles: dict[str, str] = {}
        for row, lane in enumerate(lanes):
            titles |= _draw_lane(ax, row, lane, timeline.as_of_at or high, timeline.as_of or "now", scale)
        fields = sum(1 for lane in lanes if lane.group == "field")
        if fields and fields < len(lanes):
            ax.axhline(fields - 0.5, color="#B0B0B0", linewidth=0.8)
        _moments(ax, timeline, low, high)
        figure.text(0.01, 1 - 0.3 / height, timeline.title, fontsize=13, fontweight="bold", va="center")
        figure.text(0.01, 1 - 0.55 / height, _subtitle(timeline), fontsize=FONT, color="#555555", va="center")
        _legends(figure)
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    marks = {mark.id: mark for lane in lanes for mark in lane.marks}
    titles |= {
        key: "\n".join([m.title, *(f"{what}: {text}" for what, text in m.details)])
        for key, m in marks.items()
    }
    return with_titles(out.getvalue(), titles, clickable=marks)


def _subtitle(timeline: Timeline) -> str:
    claims = len(timeline.claims)
    return " · ".join(
        [
            "world time across",
            f"as of {timeline.as_of}" if timeline.as_of else "as of now",
            f"as the ledger knew it at {timeline.known_at}" if timeline.known_at else "all the ledger holds",
            f"{claims} claim{'s' if claims != 1 else ''}",
            "hover over a mark or a bar for its sources and quote",
        ]
    )


class _Scale:
    """World time → points across the axis, from the timeline's start."""

    def __init__(self, origin: int, points_per_day: float) -> None:
        self.origin, self.points_per_day = origin, points_per_day

    def points(self, start: int, end: int) -> float:
        return (end - start) / DAY * self.points_per_day

    def moment(self, points: float) -> datetime:
        return _date(self.origin) + timedelta(days=points / self.points_per_day)


def _segment_title(lane: Lane, segment: Segment, until: str) -> str:
    what = f"{segment.text} ({segment.status or 'no basis given'})" if segment.text else segment.status
    return f"{lane.label}: {what}, from {_day(segment.start)} to {until}"


def _draw_lane(ax: Any, row: int, lane: Lane, right: int, open_end: str, scale: _Scale) -> dict[str, str]:
    """The lane's bars and marks; returns the bars' hover titles by SVG id. A bar still running ends at
    `right`, which its title calls `open_end` (the --as-of moment, or now)."""
    titles: dict[str, str] = {}
    for index, segment in enumerate(lane.segments):
        end = segment.end if segment.end is not None else right
        width = max(end - segment.start, DAY // 2)
        bars = ax.barh(row, timedelta(microseconds=width), left=_date(segment.start), height=0.58,
                       linewidth=0.8, **_bar_look(segment.status))  # fmt: skip
        key = f"{lane.id}-s{index}"
        bars.patches[0].set_gid(key)
        titles[key] = _segment_title(
            lane, segment, _day(segment.end) if segment.end is not None else open_end
        )
        if segment.text:
            label = _fit(
                f"{segment.text} ({segment.status or 'no basis'})", scale.points(0, width) - 8, FONT - 0.5
            )
            if label:
                ax.text(_date(segment.start) + timedelta(days=4 / scale.points_per_day), row, label,
                        va="center", fontsize=FONT - 0.5, color="#1A1A1A")  # fmt: skip
    if lane.group == "field" and not lane.segments:
        ax.text(
            _date(scale.origin),
            row,
            "none",
            va="center",
            fontsize=FONT - 0.5,
            color="#8C8C8C",
            style="italic",
        )
    placed = -MARK_GAP_PT
    for mark in lane.marks:
        placed = max(scale.points(scale.origin, min(mark.at, right)), placed + MARK_GAP_PT)
        _draw_mark(ax, row, mark, scale, placed)
    return titles


def _draw_mark(ax: Any, row: int, mark: Mark, scale: _Scale, points: float) -> None:
    look, face = _mark_look(mark)
    alpha = style.FADED_ALPHA if mark.faded else 1.0
    if mark.until is not None and scale.points(mark.at, mark.until) >= WHISKER_PT:
        ax.plot([_date(mark.at), _date(mark.until)], [row + 0.29, row + 0.29], color=look.edge,
                linewidth=1.6, alpha=alpha, solid_capstyle="butt")  # fmt: skip
    (artist,) = ax.plot([scale.moment(points)], [row], linestyle="none", marker=look.marker,
                        markersize=look.size, markerfacecolor=face, markeredgecolor=look.edge,
                        markeredgewidth=1.0, alpha=alpha, zorder=5)  # fmt: skip
    artist.set_gid(mark.id)


def _moments(ax: Any, timeline: Timeline, low: int, high: int) -> None:
    """The --as-of and --known-at moments: a line where they fall on the axis, or a note at its edge;
    their labels one above the other over the axis."""
    for moment, text, label, colour, dashes, rise in (
        (timeline.as_of_at, timeline.as_of, "as of", style.AS_OF_COLOUR, "--", 2),
        (timeline.known_at_at, timeline.known_at, "known at", style.KNOWN_AT_COLOUR, ":", 15),
    ):
        if moment is None or text is None:
            continue
        if low <= moment <= high:
            ax.axvline(_date(moment), color=colour, linestyle=dashes, linewidth=1.4, zorder=6)
            where, words = ((_date(moment), 1.0), ("data", "axes fraction")), f" {label} {text} "
            side = "right" if moment > (low + high) // 2 else "left"
        else:
            later = moment > high
            where, side = ((1.0 if later else 0.0, 1.0), "axes fraction"), "right" if later else "left"
            words = f"{'→' if later else '←'} {label} {text}, off this axis "
        ax.annotate(words, xy=where[0], xycoords=where[1], xytext=(0, rise), textcoords="offset points",
                    color=colour, fontsize=FONT - 0.5, va="bottom", ha=side)  # fmt: skip


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
