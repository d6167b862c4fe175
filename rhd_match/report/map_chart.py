"""The report's map: canteens and producers at their coordinates, the plan's strongest links,
drawn with matplotlib in the house style of ``drawing``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.artist import Artist
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import offset_copy

from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from .communes import Commune
from .drawing import (
    BLUE,
    GREEN,
    GREY,
    INK,
    MAP_BACKGROUND,
    VERMILION,
    WIDTH,
    Tips,
    add_legend,
    add_text,
    inline_svg,
    new_figure,
    set_margins,
    short_number,
    styled,
)


@dataclass(frozen=True)
class MapPoint:
    """A place on the map: ``kind`` is ``canteen``, ``producer``, ``idle`` (no sales) or
    ``hub``."""

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
    "idle": ("s", GREY, N_("producer without sales"), 0),
    "producer": ("s", GREEN, N_("producer selling"), 1),
    "canteen": ("o", BLUE, N_("canteen"), 2),
    "hub": ("D", VERMILION, N_("hub"), 3),
}
#: Fill and edge of the commune outlines under the map.
COMMUNE_FILL = "#e3e9ee"
COMMUNE_EDGE = "#9aa5b1"


@styled
def map_chart(
    chart: str,
    title: str,
    points: Sequence[MapPoint],
    links: Sequence[MapLink],
    *,
    communes: Sequence[Commune] = (),
    width: float = WIDTH,
    max_height: float = 720,
    link_unit: str = "kg",
) -> str:
    """Places and links drawn from coordinates (equirectangular projection, no tiles).

    Parameters
    ----------
    chart, title
        Name and accessible title of the chart (see ``inline_svg``).
    points
        The places (degrees WGS 84), each with its tooltip and optional label.
    links
        Straight lines between places, each with its weight and tooltip.
    communes
        Outlines drawn under the places (named in their tooltips); the drawing fits them too.
    width, max_height
        Width and largest height of the chart, CSS pixels.
    link_unit
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
    corners = [xy for commune in communes for ring in commune.rings for xy in ring]
    lats = np.array([p.lat for p in points] + [y for _, y in corners] or [0.0], dtype=float)
    lons = np.array([p.lon for p in points] + [x for x, _ in corners] or [0.0], dtype=float)
    aspect = 1 / math.cos(math.radians(float(lats.mean())))
    pad = 0.04 * max(float(np.ptp(lons)), float(np.ptp(lats)) * aspect, 1e-3)
    x0, x1 = float(lons.min()) - pad, float(lons.max()) + pad
    y0, y1 = float(lats.min()) - pad / aspect, float(lats.max()) + pad / aspect
    inner_w = width - 20
    inner_h = min(max((y1 - y0) * aspect / (x1 - x0) * inner_w, 160.0), max_height - 40)
    fig = new_figure(inner_h + 40, width)
    set_margins(fig, 10, 10, 30, 10)
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
    if communes:
        outlines = PolyCollection(
            [ring for commune in communes for ring in commune.rings],
            facecolors=COMMUNE_FILL,
            edgecolors=COMMUNE_EDGE,
            linewidths=0.6,
        )
        ax.add_collection(outlines, autolim=False)
        tips.add_each(outlines, [c.name for c in communes for _ in c.rings])
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
    for (_order, size), group in sorted(groups.items()):
        marker, colour, _label, _rank = PLACES[group[0].kind]
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
            # Texts held by the figure, shifted right of their mark: cheaper than annotate.
            beside = offset_copy(ax.transData, fig=fig, x=0.8 * p.size + 2, units="points")
            add_text(
                ax,
                p.lon,
                p.lat,
                p.label,
                transform=beside,
                va="center",
                fontsize=6.5 if p.kind == "canteen" else 8,
                color=INK,
                fontweight="normal" if p.kind == "canteen" else "bold",
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
    add_text(
        ax, bx + bar_deg / 2, by + pad / aspect / 3, f"{bar_km:g} km", ha="center", va="bottom"
    )
    handles: list[Artist] = [
        Line2D([], [], marker=m, color=c, linestyle="", markersize=7, label=_(label))
        for m, c, label, _order in sorted(PLACES.values(), key=lambda v: -v[3])
    ]
    flow = _("flow (width ∝ {unit}; largest {largest} {unit})")
    handles.append(
        Line2D(
            [],
            [],
            color=VERMILION,
            linewidth=2.5,
            label=flow.format(unit=link_unit, largest=short_number(max_w)),
        )
    )
    if communes:
        handles.append(Patch(facecolor=COMMUNE_FILL, edgecolor=COMMUNE_EDGE, label=_("commune")))
    add_legend(fig, handles, 4)
    return inline_svg(fig, chart, title, tips)


def _round_km(km: float) -> float:
    """1, 2 or 5 × 10^k km, the largest not above ``km``."""
    if not km > 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(km))
    return max(m * power for m in (1.0, 2.0, 5.0) if m * power <= km)
