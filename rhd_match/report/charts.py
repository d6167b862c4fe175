"""Every chart rhd_match draws, with matplotlib: the HTML report's charts and the trade-off plot.

The report's charts are rendered as SVG (text kept as ``<text>``, fonts from the page) and
embedded inline by :func:`inline_svg`: the ``<svg>`` element gets a ``data-chart`` name, a
``<title>`` first child (its accessible name), ids prefixed with the chart's name (unique in
the page) and native tooltips (``<title>`` children) on the marks given a tip. The same data
gives the same bytes: ``svg.hashsalt`` is fixed and the file carries no date. Nothing here
reads the scenario or the solution: callers pass plain values and texts.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps
from html import escape
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import Collection, LineCollection, PatchCollection
from matplotlib.colors import LinearSegmentedColormap, PowerNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator
from numpy.typing import NDArray

#: Colour-blind safe palette (Okabe & Ito) and the two compliance colours.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILION = "#D55E00"
GREY = "#8a8f98"
OK = "#1a9850"
NOT_OK = "#d73027"
INK = "#1f2933"
GRID = "#d9dde3"
MAP_BACKGROUND = "#f4f7f9"

#: Width of the report's charts, in CSS pixels (the page scales them down to fit).
WIDTH = 1100.0
PX = 1 / 96  # inches per CSS pixel: sizes below are in pixels, font sizes in points

#: matplotlib settings for every chart: fixed hash salt (stable ids), text as text, no
#: mathtext (names may hold ``$``), the page's fonts.
STYLE: Any = {
    "svg.hashsalt": "rhd_match",
    "svg.fonttype": "none",
    "text.parse_math": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial"],
    "font.size": 9,
    "text.color": INK,
    "axes.edgecolor": GRID,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
}
#: Saved files carry no date, tool or version: same chart, same bytes.
NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}

Formatter = Callable[[float], str]
#: Where matplotlib's SVG names or refers to an id (prefixed with the chart's name).
_ID = re.compile(r'(id="|url\(#|href="#)')
#: Line breaks and indentation of matplotlib's SVG (between tags and in path data).
_SPACE = re.compile(r"(?<=>)\s+(?=<)| ?\n *")
#: What every text repeats for nothing in the page: the font (the page's CSS gives it) and a
#: null rotation.
_TEXT_NOISE = re.compile(r"font-family: [^;]*sans-serif; | transform=\"rotate\(-0 [^)]*\)\"")


def pct(x: float, decimals: int = 0) -> str:
    """A fraction as a percentage, e.g. ``pct(0.154, 1) == "15.4 %"``; ``–`` when missing."""
    return "–" if not math.isfinite(x) else f"{100 * x:.{decimals}f} %"


def short_number(x: float) -> str:
    """A compact number: 950, 1.2 k, 34 k, 1.5 M."""
    a = abs(x)
    if a >= 1e6:
        return f"{x / 1e6:.1f} M"
    if a >= 1e4:
        return f"{x / 1e3:.0f} k"
    if a >= 1e3:
        return f"{x / 1e3:.1f} k"
    return f"{x:.0f}"


def shorten(text: str, chars: int) -> str:
    """``text`` cut to ``chars`` characters with an ellipsis."""
    return text if len(text) <= chars else text[: max(chars - 1, 1)] + "…"


@contextmanager
def style() -> Iterator[None]:
    """The charts' matplotlib settings (:data:`STYLE`), for the time of a drawing."""
    with mpl.rc_context(STYLE):
        yield


P = ParamSpec("P")
R = TypeVar("R")


def styled(draw: Callable[P, R]) -> Callable[P, R]:
    """``draw`` run under :func:`style` (artists read the settings when they are made)."""

    @wraps(draw)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with style():
            return draw(*args, **kwargs)

    return run


@dataclass
class Tips:
    """Hover texts of a chart's marks, attached to the artists by gid."""

    marks: list[tuple[str, str, Sequence[str]]] = field(default_factory=list)

    def add(self, artist: Artist, text: str) -> None:
        """Give ``artist`` the tooltip ``text``."""
        self._mark(artist, "", [text])

    def add_each(self, artist: Line2D | Collection, texts: Sequence[str]) -> None:
        """Give each mark of ``artist`` a tooltip, in order: a line's markers (its finite
        points) or a collection's items."""
        self._mark(artist, "use" if isinstance(artist, Line2D) else "path", texts)

    def _mark(self, artist: Artist, element: str, texts: Sequence[str]) -> None:
        if not texts:
            return  # an empty collection draws no group
        gid = f"tip{len(self.marks)}"
        artist.set_gid(gid)
        self.marks.append((gid, element, texts))


def inline_svg(fig: Figure, chart: str, title: str, tips: Tips | None = None) -> str:
    """``fig`` as an ``<svg>`` element to place in an HTML page.

    Parameters
    ----------
    fig:
        The drawn figure (its size in inches × 96 gives CSS pixels).
    chart:
        Name of the chart (``data-chart``, and the prefix of every id inside it).
    title:
        Accessible name, the ``<title>`` first child.
    tips:
        Hover texts attached to the figure's artists (:class:`Tips`).

    Returns
    -------
    str
        One ``<svg>`` element: no XML header, no metadata, no line breaks; text escaped.
    """
    buffer = io.StringIO()
    with style():
        fig.savefig(buffer, format="svg", metadata=NO_METADATA)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg ") :].replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    svg = _SPACE.sub("", svg)
    svg = _TEXT_NOISE.sub("", svg)
    svg = _ID.sub(lambda m: f"{m.group(1)}{chart}-", svg)
    # The marks in the order the file draws them (by z-order, not by the order of the tips).
    found = sorted(
        (svg.index(f'<g id="{chart}-{gid}">') + 1, element, texts)
        for gid, element, texts in (tips or Tips()).marks
    )
    parts = []
    pos = 0
    for start, element, texts in found:
        parts.append(svg[pos:start])
        pos = start
        if not element:
            end = svg.index(">", pos) + 1
            parts.append(svg[pos:end] + f"<title>{escape(texts[0])}</title>")
            pos = end
            continue
        # One <use/> per marker of a line, one <path/> per item of a collection, in order.
        for text in texts:
            end = svg.index("/>", svg.index(f"<{element} ", pos))
            parts.append(svg[pos:end] + f"><title>{escape(text)}</title></{element}>")
            pos = end + 2
    svg = "".join(parts) + svg[pos:]
    head = svg.index(">") + 1
    return (
        f'<svg data-chart="{escape(chart)}" role="img"{svg[4 : head - 1]}>'
        f"<title>{escape(title)}</title>{svg[head:].strip()}"
    )


def _figure(height: float, width: float = WIDTH) -> Figure:
    """A figure of ``width`` × ``height`` pixels."""
    return Figure(figsize=(width * PX, height * PX))


def _margins(fig: Figure, left: float, right: float, top: float, bottom: float) -> None:
    """Fixed margins in pixels (no layout engine: faster and stable)."""
    w, h = fig.get_size_inches() / PX
    fig.subplots_adjust(left=left / w, right=1 - right / w, top=1 - top / h, bottom=bottom / h)


def _legend(fig: Figure, handles: Sequence[Artist], top: float) -> None:
    """One legend row at the top left of ``fig``, ``top`` pixels from its top."""
    h = fig.get_size_inches()[1] / PX
    fig.legend(
        handles=list(handles),
        loc="upper left",
        bbox_to_anchor=(0.01, 1 - top / h),
        ncol=len(handles),
        handlelength=1.4,
        columnspacing=1.6,
    )


def _text(ax: Axes, x: float, y: float, text: str, **kwargs: Any) -> Text:
    """A text at data coordinates of ``ax`` (or ``transform``), unclipped, held by the figure:
    about 3× faster than ``Axes.text``, which clips each text to the axes."""
    kwargs.setdefault("transform", ax.transData)
    fig = ax.get_figure()
    assert isinstance(fig, Figure)
    return fig.text(x, y, text, **kwargs)


@styled
def message_chart(chart: str, title: str, message: str) -> str:
    """A small chart holding only ``message`` (when there is nothing to draw)."""
    fig = _figure(40, 600)
    fig.text(0.01, 0.5, message, va="center", color=GREY, fontsize=10)
    return inline_svg(fig, chart, title)


# -- horizontal bars in panels ------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One bar: its length, colour and tooltip, an optional printed label and target tick."""

    value: float
    colour: str
    tip: str
    label: str = ""
    target: float | None = None


@dataclass(frozen=True)
class Panel:
    """A column of bars sharing one horizontal scale ``[0, x_max]``."""

    title: str
    bars: Sequence[Bar]
    x_max: float = 1.0
    tick_format: Formatter = pct


@styled
def bar_panels(
    chart: str,
    title: str,
    rows: Sequence[str],
    panels: Sequence[Panel],
    *,
    row_tips: Sequence[str] | None = None,
    legend_items: Sequence[tuple[str, str]] = (),
    width: float = WIDTH,
    row_height: float = 15,
    label_width: float = 200,
) -> str:
    """Horizontal bars, one row per item and one panel per measure, side by side.

    Each panel has its own scale from 0 to ``x_max``; bars longer than the scale are clipped
    (their label or tooltip tells the value); a bar's ``target`` is drawn as a dark tick.

    Parameters
    ----------
    chart, title:
        Name and accessible title of the chart (see :func:`inline_svg`).
    rows:
        Row names, top to bottom; each panel has one bar per row, in the same order.
    panels:
        The measures, left to right.
    row_tips:
        Tooltip of each row name (default: the name).
    legend_items:
        (colour, label) boxes above the panels; the colour :data:`INK` draws a target tick.
    width, row_height, label_width:
        Chart width, height of a row and room for the row names, in CSS pixels.

    Returns
    -------
    str
        The chart as an inline ``<svg>`` element.
    """
    n = len(rows)
    top = 56 if legend_items else 24
    fig = _figure(top + n * row_height + 26, width)
    _margins(fig, label_width, 12, top, 22)
    axes = fig.subplots(1, max(len(panels), 1), squeeze=False)[0]
    fig.subplots_adjust(wspace=0.2)
    tips = Tips()
    for ax, panel in zip(axes, panels, strict=True):
        # Row labels are texts, not ticks: matplotlib's ticks cost a lot per row.
        ax.set_title(panel.title, loc="left", fontsize=10, fontweight="bold", y=1.0)
        ax.set_xlim(0, panel.x_max)
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_yticks([])
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _, f=panel.tick_format: f(v)))
        ax.tick_params(axis="x", labelsize=8, length=0)
        ax.grid(axis="x", color=GRID, linewidth=0.8)
        ax.set_axisbelow(True)
        values = [
            min(max(b.value, 0.0), panel.x_max) if math.isfinite(b.value) else 0.0
            for b in panel.bars
        ]
        # One collection of rectangles: far faster than barh's artist per bar.
        drawn = PatchCollection(
            [Rectangle((0, i - 0.35), v, 0.7) for i, v in enumerate(values)],
            facecolors=[b.colour for b in panel.bars],
            linewidths=0,
        )
        ax.add_collection(drawn, autolim=False)
        tips.add_each(drawn, [b.tip for b in panel.bars])
        targets = [
            (min(b.target, panel.x_max), i)
            for i, b in enumerate(panel.bars)
            if b.target is not None and math.isfinite(b.target)
        ]
        if targets:
            tx, ty = zip(*targets, strict=True)
            ax.plot(tx, ty, "|", color=INK, markersize=0.9 * row_height, markeredgewidth=2)
        for i, (bar, v) in enumerate(zip(panel.bars, values, strict=True)):
            if bar.label:
                inside = v > 0.7 * panel.x_max
                _text(
                    ax,
                    v - 0.01 * panel.x_max if inside else v + 0.01 * panel.x_max,
                    i,
                    bar.label,
                    va="center",
                    ha="right" if inside else "left",
                    fontsize=7.5,
                    color="#ffffff" if inside else INK,
                )
    _row_labels(axes[0], rows, row_tips or rows, label_width, tips)
    if legend_items:
        _legend(fig, [_legend_handle(colour, label) for colour, label in legend_items], 4)
    return inline_svg(fig, chart, title, tips)


def _row_labels(
    ax: Axes,
    rows: Sequence[str],
    row_tips: Sequence[str],
    label_width: float,
    tips: Tips,
    offset: float = 0.0,
) -> None:
    """Row names right-aligned left of ``ax``, at y = offset + 0, 1, … (cut to fit
    ``label_width`` pixels)."""
    chars = int(label_width / 7)
    at_left = ax.get_yaxis_transform()
    for i, (row, tip) in enumerate(zip(rows, row_tips, strict=True)):
        text = _text(
            ax,
            -0.01,
            i + offset,
            shorten(row, chars),
            transform=at_left,
            ha="right",
            va="center",
        )
        tips.add(text, tip)


def _legend_handle(colour: str, label: str) -> Artist:
    if colour == INK:
        return Line2D([], [], color=INK, marker="|", linestyle="", markersize=11, label=label)
    return Patch(color=colour, label=label)


# -- lines --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """A line: one value per x position (NaN leaves a gap)."""

    name: str
    values: Sequence[float]
    colour: str


@dataclass(frozen=True)
class RefLine:
    """A horizontal reference line (e.g. a target)."""

    value: float
    label: str
    colour: str


@styled
def line_chart(
    chart: str,
    title: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    x_ticks: Sequence[tuple[int, str]] = (),
    refs: Sequence[RefLine] = (),
    y_max: float = 1.0,
    y_format: Formatter = pct,
    width: float = WIDTH,
    height: float = 320,
) -> str:
    """Lines over categorical x positions (e.g. ISO weeks), with horizontal reference lines.

    Parameters
    ----------
    chart, title:
        Name and accessible title of the chart (see :func:`inline_svg`).
    x_labels:
        Label of each x position (in the points' tooltips).
    series:
        The lines, each with one value per x position (NaN leaves a gap).
    x_ticks:
        (position, label) pairs printed under the axis.
    refs:
        Dashed horizontal lines, in the legend with their labels.
    y_max, y_format:
        Top of the y scale (from 0) and the format of its ticks and of the tooltips' values.
    width, height:
        Size of the chart, CSS pixels.

    Returns
    -------
    str
        The chart as an inline ``<svg>`` element.
    """
    fig = _figure(height, width)
    _margins(fig, 50, 16, 34, 26)
    ax = fig.add_subplot()
    tips = Tips()
    x = np.arange(len(x_labels))
    handles: list[Artist] = []
    for s in series:
        values = np.asarray(s.values, dtype=float)
        (line,) = ax.plot(
            x, values, color=s.colour, linewidth=2, marker="o", markersize=4, label=s.name
        )
        handles.append(line)
        tips.add_each(
            line,
            [
                f"{x_labels[int(i)]} — {s.name}: {y_format(float(values[i]))}"
                for i in np.flatnonzero(np.isfinite(values))
            ],
        )
    for ref in refs:
        handles.append(
            ax.axhline(ref.value, color=ref.colour, linewidth=1.5, linestyle="--", label=ref.label)
        )
    ax.set_ylim(0, y_max)
    ax.set_xlim(-0.5, len(x_labels) - 0.5)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: y_format(v)))
    ax.set_xticks([pos for pos, _ in x_ticks], [label for _, label in x_ticks])
    ax.tick_params(labelsize=8)
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    _legend(fig, handles, 4)
    return inline_svg(fig, chart, title, tips)


# -- heat map -----------------------------------------------------------------------------------

#: White to vermilion; the power norm darkens small values so that they show.
HEAT = LinearSegmentedColormap.from_list("heat", ["#ffffff", VERMILION])


@styled
def heatmap(
    chart: str,
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    values: NDArray[np.float64],
    *,
    cell_format: Formatter = short_number,
    tip_format: Formatter = short_number,
    extra_columns: Sequence[tuple[str, Sequence[str], float]] = (),
    vmax: float | None = None,
    width: float = WIDTH,
    row_height: float = 20,
    label_width: float = 190,
) -> str:
    """A grid of coloured cells (rows × columns) printing each value; empty cells are blank.

    Parameters
    ----------
    chart, title:
        Name and accessible title of the chart (see :func:`inline_svg`).
    rows, columns:
        Row and column names.
    values:
        Shape (len(rows), len(columns)); values ≤ 0 or NaN leave the cell blank.
    cell_format, tip_format:
        Text printed in a cell and shown in its tooltip.
    extra_columns:
        (header, text of each row, width in CSS pixels) printed right of the grid.
    vmax:
        The value drawn darkest (default: the largest); larger values are as dark.
    width, row_height, label_width:
        Chart width, height of a row and room for the row names, in CSS pixels.

    Returns
    -------
    str
        The chart as an inline ``<svg>`` element.
    """
    extra_w = sum(w for _, _, w in extra_columns)
    grid_w = min(width - label_width - extra_w - 16, 80.0 * max(len(columns), 1))
    fig = _figure(len(rows) * row_height + 30, width)
    _margins(fig, label_width, width - label_width - grid_w, 24, 6)
    ax = fig.add_subplot()
    if vmax is None:
        finite = values[np.isfinite(values)]
        vmax = float(finite.max()) if finite.size else 0.0
    norm = PowerNorm(0.6, vmin=0.0, vmax=max(vmax, 1e-9))
    tips = Tips()
    shares = norm(np.clip(np.nan_to_num(values, nan=0.0), 0.0, vmax)).filled(0.0)
    filled = np.isfinite(values) & (values > 0)
    cells: list[Rectangle] = []
    colours: list[Any] = []
    cell_tips: list[str] = []
    for i, row in enumerate(rows):
        for j, col in enumerate(columns):
            cells.append(Rectangle((j, i), 1, 1))
            if not filled[i, j]:
                colours.append("#f7f8fa")
                cell_tips.append(f"{row} — {col}: none")
                continue
            v, share = float(values[i, j]), float(shares[i, j])
            colours.append(HEAT(share))
            cell_tips.append(f"{row} — {col}: {tip_format(v)}")
            ink = "#ffffff" if share > 0.55 else INK
            _text(
                ax,
                j + 0.5,
                i + 0.5,
                cell_format(v),
                ha="center",
                va="center",
                fontsize=8,
                color=ink,
            )
    grid = PatchCollection(cells, facecolors=colours, edgecolors="#ffffff", linewidths=1)
    ax.add_collection(grid, autolim=False)
    tips.add_each(grid, cell_tips)
    ax.set_xlim(0, len(columns))
    ax.set_ylim(len(rows), 0)
    ax.set_xticks([])
    for j, col in enumerate(columns):
        _text(ax, j + 0.5, -0.3, col, ha="center", va="bottom", fontweight="bold")
    ax.set_yticks([])
    _row_labels(ax, rows, rows, label_width, tips, offset=0.5)
    for spine in ax.spines.values():
        spine.set_visible(False)
    x = len(columns) + 8 / grid_w * len(columns)
    for header, texts, w in extra_columns:
        _text(ax, x, -0.3, header, fontweight="bold", va="bottom")
        for i, text in enumerate(texts):
            _text(ax, x, i + 0.5, shorten(text, int(w / 7)), va="center")
        x += w / grid_w * len(columns)
    return inline_svg(fig, chart, title, tips)


# -- map ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapPoint:
    """A place on the map: ``kind`` is ``canteen``, ``producer`` or ``idle`` (no sales)."""

    lat: float
    lon: float
    kind: str
    tip: str
    size: float = 4.0
    label: str = ""


@dataclass(frozen=True)
class MapLink:
    """A straight line between two places, ``weight`` drawing its width."""

    lat1: float
    lon1: float
    lat2: float
    lon2: float
    weight: float
    tip: str


KM_PER_DEGREE = 111.32
#: How each kind of place is drawn: marker, colour, legend label, drawing order.
PLACES = {
    "idle": ("s", GREY, "producer without sales", 0),
    "producer": ("s", GREEN, "producer selling", 1),
    "canteen": ("o", BLUE, "canteen", 2),
}


@styled
def map_chart(
    chart: str,
    title: str,
    points: Sequence[MapPoint],
    links: Sequence[MapLink],
    *,
    width: float = WIDTH,
    max_height: float = 720,
    link_unit: str = "kg",
) -> str:
    """Places and links drawn from coordinates (equirectangular projection, no tiles).

    Parameters
    ----------
    chart, title:
        Name and accessible title of the chart (see :func:`inline_svg`).
    points:
        The places (degrees WGS 84), each with its tooltip and optional label.
    links:
        Straight lines between places, each with its weight and tooltip.
    width, max_height:
        Width and largest height of the chart, CSS pixels.
    link_unit:
        Unit of the links' weights, for the legend.

    Returns
    -------
    str
        The chart as an inline ``<svg>`` element.

    Notes
    -----
    The axes' aspect is 1 / cos(mean latitude), so that distances look right around the
    territory; the drawing fits the places' bounding box, with a km scale bar. Links are drawn
    thinnest first, width proportional to ``weight`` (up to 7 pt); labelled points are named.
    Markers are sized by ``size`` to the nearest half point.
    """
    lats = np.array([p.lat for p in points] or [0.0], dtype=float)
    lons = np.array([p.lon for p in points] or [0.0], dtype=float)
    aspect = 1 / math.cos(math.radians(float(lats.mean())))
    pad = 0.04 * max(float(np.ptp(lons)), float(np.ptp(lats)) * aspect, 1e-3)
    x0, x1 = float(lons.min()) - pad, float(lons.max()) + pad
    y0, y1 = float(lats.min()) - pad / aspect, float(lats.max()) + pad / aspect
    inner_w = width - 20
    inner_h = min(max((y1 - y0) * aspect / (x1 - x0) * inner_w, 160.0), max_height - 40)
    fig = _figure(inner_h + 40, width)
    _margins(fig, 10, 10, 30, 10)
    ax = fig.add_subplot()
    ax.set_facecolor(MAP_BACKGROUND)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(aspect, adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(True)
    tips = Tips()
    max_w = max((lk.weight for lk in links), default=0.0)
    drawn = sorted(links, key=lambda lk: lk.weight)
    lines = LineCollection(
        [[(lk.lon1, lk.lat1), (lk.lon2, lk.lat2)] for lk in drawn],
        colors=VERMILION,
        alpha=0.55,
        linewidths=[0.5 + 6.5 * lk.weight / max_w if max_w > 0 else 1.0 for lk in drawn],
        capstyle="round",
    )
    ax.add_collection(lines, autolim=False)
    tips.add_each(lines, [lk.tip for lk in drawn])
    # One line of markers per kind and size (a few artists, not one per place).
    groups: dict[tuple[int, float], list[MapPoint]] = {}
    for p in points:
        groups.setdefault((PLACES[p.kind][3], round(p.size * 2) / 2), []).append(p)
    for (_, size), group in sorted(groups.items()):
        marker, colour, _, _ = PLACES[group[0].kind]
        (marks,) = ax.plot(
            [p.lon for p in group],
            [p.lat for p in group],
            marker,
            linestyle="",
            color=colour,
            markersize=1.6 * size,
            markeredgecolor="#ffffff",
            markeredgewidth=0.8,
        )
        tips.add_each(marks, [p.tip for p in group])
    for p in points:
        if p.label:
            ax.annotate(
                p.label,
                (p.lon, p.lat),
                xytext=(p.size + 3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8.5,
                bbox={"boxstyle": "square,pad=0.1", "fc": "#ffffff", "ec": "none", "alpha": 0.7},
            )
    # Scale bar: a round number of km about a tenth of the width, at the lower right.
    km_wide = (x1 - x0) * KM_PER_DEGREE / aspect
    bar_km = _round_km(km_wide / 10)
    bar_deg = bar_km / KM_PER_DEGREE * aspect
    bx, by = x1 - pad - bar_deg, y0 + pad / aspect / 2
    ax.plot(
        [bx, bx, bx + bar_deg, bx + bar_deg],
        [by + pad / aspect / 4, by, by, by + pad / aspect / 4],
        color=INK,
        linewidth=1.5,
    )
    _text(ax, bx + bar_deg / 2, by + pad / aspect / 3, f"{bar_km:g} km", ha="center", va="bottom")
    handles: list[Artist] = [
        Line2D([], [], marker=m, color=c, linestyle="", markersize=7, label=label)
        for m, c, label, _ in sorted(PLACES.values(), key=lambda v: -v[3])
    ]
    handles.append(
        Line2D(
            [],
            [],
            color=VERMILION,
            linewidth=2.5,
            label=f"flow (width ∝ {link_unit}; max {short_number(max_w)} {link_unit})",
        )
    )
    _legend(fig, handles, 4)
    return inline_svg(fig, chart, title, tips)


def _round_km(km: float) -> float:
    """1, 2 or 5 × 10^k km, the largest not above ``km``."""
    if not km > 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(km))
    return max(m * power for m in (1.0, 2.0, 5.0) if m * power <= km)


# -- trade-off curve ----------------------------------------------------------------------------


@styled
def tradeoff_figure(table: pd.DataFrame, title: str | None = None) -> Figure:
    """The cost–organic curve: least extra cost against the organic share.

    Parameters
    ----------
    table:
        Rows of :func:`rhd_match.tradeoff.cost_organic_tradeoff` (``share_organic`` as a
        fraction, ``extra_cost_eur_ht`` in EUR HT, ``status``); rows whose LP did not end
        ``optimal`` are left out.
    title:
        Title of the plot; ``None`` gives "Cost of organic purchases (LP relaxation)".

    Returns
    -------
    Figure
        7 × 4.5 inches: the curve (share in %, EUR HT) and the EGalim 20 % organic target
        dashed.
    """
    ok = table[table["status"] == "optimal"]
    fig = Figure(figsize=(7.0, 4.5), dpi=100, layout="tight")
    ax = fig.add_subplot()
    ax.plot(100 * ok["share_organic"], ok["extra_cost_eur_ht"], marker="o", color=GREEN)
    ax.axvline(20.0, color=GREY, linestyle="--", linewidth=1)
    ax.annotate("EGalim 20 %", (20.0, 0.0), xytext=(3, 3), textcoords="offset points")
    ax.set_xlabel("organic share of purchases (% of value)")
    ax.set_ylabel("least extra cost vs all-conventional (EUR HT)")
    ax.set_title(title or "Cost of organic purchases (LP relaxation)")
    ax.grid(True, color=GRID)
    return fig


def plot_tradeoff(table: pd.DataFrame, path: str | Path, title: str | None = None) -> Path:
    """Write the cost–organic curve (:func:`tradeoff_figure`) to a file.

    Parameters
    ----------
    table:
        Rows of :func:`rhd_match.tradeoff.cost_organic_tradeoff`.
    path:
        File to write: SVG when it ends in ``.svg``, PNG (100 dpi) otherwise.
    title:
        Title of the plot (see :func:`tradeoff_figure`).

    Returns
    -------
    Path
        ``path``. The file carries no date or tool: the same table gives the same bytes.
    """
    path = Path(path)
    fig = tradeoff_figure(table, title)
    kind = "svg" if path.suffix.lower() == ".svg" else "png"
    metadata = NO_METADATA if kind == "svg" else {"Software": None}
    with style():
        fig.savefig(path, format=kind, metadata=metadata)
    return path
