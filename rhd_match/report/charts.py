"""Every chart rhd_match draws, with matplotlib: the HTML report's charts and the trade-off plot.

The report's charts are rendered as SVG (text kept as ``<text>``, fonts from the page) and
embedded inline by ``inline_svg``: the ``<svg>`` element gets a ``data-chart`` name, a
``<title>`` first child (its accessible name), ids prefixed with the chart's name (unique in
the page) and native tooltips (``<title>`` children) on the marks given a tip. The same data
gives the same bytes: ``svg.hashsalt`` is fixed and the file carries no date. Nothing here
reads the scenario or the solution: callers pass plain values and texts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.colors import LinearSegmentedColormap, PowerNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator
from numpy.typing import NDArray

from ..egalim import CGAAER_EXTRA_PER_MEAL
from ..i18n import gettext as _
from .drawing import (
    GREEN,
    GREY,
    GRID,
    INK,
    NO_METADATA,
    VERMILION,
    WIDTH,
    Formatter,
    Tips,
    add_legend,
    add_text,
    inline_svg,
    new_figure,
    pct,
    set_margins,
    short_number,
    shorten,
    style,
    styled,
)

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
    chart, title
        Name and accessible title of the chart (see ``inline_svg``).
    rows
        Row names, top to bottom; each panel has one bar per row, in the same order.
    panels
        The measures, left to right.
    row_tips
        Tooltip of each row name (default: the name).
    legend_items
        (colour, label) boxes above the panels; the colour ``INK`` draws a target tick.
    width, row_height, label_width
        Chart width, height of a row and room for the row names, in CSS pixels.

    Returns
    -------
    str
        The chart as an inline ``<svg>`` element.
    """
    n = len(rows)
    top = 56 if legend_items else 24
    fig = new_figure(top + n * row_height + 26, width)
    set_margins(fig, label_width, 12, top, 22)
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
                add_text(
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
        add_legend(fig, [_legend_handle(colour, label) for colour, label in legend_items], 4)
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
        text = add_text(
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
    chart, title
        Name and accessible title of the chart (see ``inline_svg``).
    x_labels
        Label of each x position (in the points' tooltips).
    series
        The lines, each with one value per x position (NaN leaves a gap).
    x_ticks
        (position, label) pairs printed under the axis.
    refs
        Dashed horizontal lines, in the legend with their labels.
    y_max, y_format
        Top of the y scale (from 0) and the format of its ticks and of the tooltips' values.
    width, height
        Size of the chart, CSS pixels.

    Returns
    -------
    str
        The chart as an inline ``<svg>`` element.
    """
    fig = new_figure(height, width)
    set_margins(fig, 50, 16, 34, 26)
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
    add_legend(fig, handles, 4)
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
    chart, title
        Name and accessible title of the chart (see ``inline_svg``).
    rows, columns
        Row and column names.
    values
        Shape (len(rows), len(columns)); values ≤ 0 or NaN leave the cell blank.
    cell_format, tip_format
        Text printed in a cell and shown in its tooltip.
    extra_columns
        (header, text of each row, width in CSS pixels) printed right of the grid.
    vmax
        The value drawn darkest (default: the largest); larger values are as dark.
    width, row_height, label_width
        Chart width, height of a row and room for the row names, in CSS pixels.

    Returns
    -------
    str
        The chart as an inline ``<svg>`` element.
    """
    extra_w = sum(w for _, _, w in extra_columns)
    grid_w = min(width - label_width - extra_w - 16, 80.0 * max(len(columns), 1))
    fig = new_figure(len(rows) * row_height + 30, width)
    set_margins(fig, label_width, width - label_width - grid_w, 24, 6)
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
            add_text(
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
        add_text(ax, j + 0.5, -0.3, col, ha="center", va="bottom", fontweight="bold")
    ax.set_yticks([])
    _row_labels(ax, rows, rows, label_width, tips, offset=0.5)
    for spine in ax.spines.values():
        spine.set_visible(False)
    x = len(columns) + 8 / grid_w * len(columns)
    for header, texts, w in extra_columns:
        add_text(ax, x, -0.3, header, fontweight="bold", va="bottom")
        for i, text in enumerate(texts):
            add_text(ax, x, i + 0.5, shorten(text, int(w / 7)), va="center")
        x += w / grid_w * len(columns)
    return inline_svg(fig, chart, title, tips)


# -- trade-off curve ----------------------------------------------------------------------------


@styled
def tradeoff_figure(table: pd.DataFrame, title: str | None = None) -> Figure:
    """The cost–organic curve: least extra cost against the organic share.

    Parameters
    ----------
    table
        Rows of ``rhd_match.analysis.tradeoff.cost_organic_tradeoff`` (``share_organic`` as a
        fraction, ``extra_cost_eur_ht`` in EUR HT, ``status``); rows whose LP did not end
        ``optimal`` are left out.
    title
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
    ax.set_xlabel(_("organic share of purchases (percent of value)"))
    ax.set_ylabel(_("least extra cost vs all-conventional (EUR excl. VAT)"))
    ax.set_title(title or _("Cost of organic purchases (LP relaxation)"))
    ax.grid(True, color=GRID)
    return fig


def plot_tradeoff(table: pd.DataFrame, path: str | Path, title: str | None = None) -> Path:
    """Write the cost–organic curve (``tradeoff_figure``) to a file.

    Parameters
    ----------
    table
        Rows of ``rhd_match.analysis.tradeoff.cost_organic_tradeoff``.
    path
        File to write: SVG when it ends in ``.svg``, PNG (100 dpi) otherwise.
    title
        Title of the plot (see ``tradeoff_figure``).

    Returns
    -------
    Path
        ``path``. The file carries no date or tool: the same table gives the same bytes.
    """
    return save_figure(tradeoff_figure(table, title), Path(path))


def compliance_curve_figure(table: pd.DataFrame) -> Figure:
    """Canteens meeting each EGalim target against the extra budget per meal.

    Parameters
    ----------
    table
        Rows of ``rhd_match.analysis.compliance.compliance_curve`` (amounts in EUR HT per
        meal, counts of canteens).

    Returns
    -------
    Figure
        7 × 4.5 inches: one line per target and one for all three, the number of canteens
        as the ceiling, and the CGAAER range of +0.14 to +0.42 EUR per meal shaded; labels
        in the active language.
    """
    fig = Figure(figsize=(7.0, 4.5), dpi=100, layout="tight")
    ax = fig.add_subplot()
    x = table["extra_budget_per_meal_eur_ht"]
    low, high = CGAAER_EXTRA_PER_MEAL
    ax.axvspan(low, high, color=GRID, alpha=0.6, label=_("CGAAER estimate for EGalim"))
    lines = (
        ("canteens_meeting_quality", _("quality (50 %)"), "--"),
        ("canteens_meeting_organic", _("organic (20 %)"), ":"),
        ("canteens_meeting_meat_fish", _("meat and fish (60 %)"), "-."),
        ("canteens_meeting_all", _("all three"), "-"),
    )
    for column, label, style_ in lines:
        ax.plot(x, table[column], marker="o", linestyle=style_, label=label)
    canteens = int(table["canteens"].max()) if len(table) else 0
    ax.axhline(canteens, color=GREY, linewidth=1)
    ax.set_ylim(0, canteens * 1.05 + 1)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(_("extra budget per meal over all-conventional purchases (EUR excl. VAT)"))
    ax.set_ylabel(_("canteens meeting the target"))
    ax.set_title(_("Canteens within EGalim's reach for an extra budget per meal"))
    ax.grid(True, color=GRID)
    ax.legend(loc="best")
    return fig


def plot_compliance_curve(table: pd.DataFrame, path: str | Path) -> Path:
    """Write ``compliance_curve_figure`` to a file.

    Parameters
    ----------
    table
        Rows of ``rhd_match.analysis.compliance.compliance_curve``.
    path
        File to write: SVG when it ends in ``.svg``, PNG (100 dpi) otherwise.

    Returns
    -------
    Path
        ``path``. The file carries no date or tool: the same table gives the same bytes.
    """
    return save_figure(compliance_curve_figure(table), Path(path))


def save_figure(fig: Figure, path: Path) -> Path:
    """Write ``fig`` to ``path``: SVG when it ends in ``.svg``, PNG otherwise, with no date or
    tool in the file, so the same figure gives the same bytes; returns ``path``."""
    kind = "svg" if path.suffix.lower() == ".svg" else "png"
    metadata = NO_METADATA if kind == "svg" else {"Software": None}
    with style():
        fig.savefig(path, format=kind, metadata=metadata)
    return path
