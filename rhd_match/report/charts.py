"""Small SVG chart builders for the HTML report: horizontal bars, lines, heat map, map.

Every builder returns one ``<svg>`` element as text, with a ``<title>`` (its accessible name),
a ``data-chart`` attribute naming it, and native tooltips (``<title>`` children) on its marks.
All text is escaped here; callers pass plain strings. Coordinates are printed with one decimal,
so the same data always gives the same bytes. No JavaScript and no external resource is used.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

import numpy as np
from numpy.typing import NDArray

#: Colour-blind safe palette (Okabe & Ito) and the two compliance colours.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILION = "#D55E00"
SKY = "#56B4E9"
PURPLE = "#CC79A7"
GREY = "#8a8f98"
OK = "#1a9850"
NOT_OK = "#d73027"
INK = "#1f2933"
GRID = "#d9dde3"

FONT = 12
CHAR_WIDTH = 0.58  # average glyph width of the sans-serif font, in font sizes

Formatter = Callable[[float], str]


def esc(text: object) -> str:
    """``text`` escaped for HTML and SVG, quotes included."""
    return escape(str(text), quote=True)


def num(x: float) -> str:
    """A coordinate with one decimal (stable text, no ``-0.0``)."""
    value = round(float(x), 1)
    return f"{value + 0.0:.1f}"


def text_width(text: str, size: float = FONT) -> float:
    """Approximate rendered width of ``text`` in pixels."""
    return len(text) * size * CHAR_WIDTH


def clip_text(text: str, width: float, size: float = FONT) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` pixels."""
    fit = max(int(width / (size * CHAR_WIDTH)), 1)
    return text if len(text) <= fit else text[: max(fit - 1, 1)] + "…"


def svg_open(chart: str, title: str, width: float, height: float, desc: str = "") -> str:
    """The opening ``<svg>`` tag with its ``<title>`` (and ``<desc>``)."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" data-chart="{esc(chart)}" role="img" '
        f'width="{num(width)}" height="{num(height)}" viewBox="0 0 {num(width)} {num(height)}" '
        f'font-size="{FONT}"><title>{esc(title)}</title>'
    )
    if desc:
        head += f"<desc>{esc(desc)}</desc>"
    return head


def svg_text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    size: float = FONT,
    weight: str = "normal",
    fill: str = INK,
    extra: str = "",
) -> str:
    """A ``<text>`` element (escaped)."""
    attrs = f' text-anchor="{anchor}"' if anchor != "start" else ""
    if size != FONT:
        attrs += f' font-size="{num(size)}"'
    if weight != "normal":
        attrs += f' font-weight="{weight}"'
    if fill != INK:
        attrs += f' fill="{fill}"'
    return f'<text x="{num(x)}" y="{num(y)}"{attrs}{extra}>{esc(text)}</text>'


def tooltip(text: str) -> str:
    """A ``<title>`` child giving a mark its hover text."""
    return f"<title>{esc(text)}</title>"


def nice_step(span: float, ticks: int = 5) -> float:
    """A round tick step (1, 2 or 5 × 10^k) giving about ``ticks`` intervals over ``span``."""
    if not span > 0 or not math.isfinite(span):
        return 1.0
    raw = span / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    for mult in (1.0, 2.0, 5.0, 10.0):
        if raw <= mult * power:
            return mult * power
    return 10.0 * power


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


def legend(items: Sequence[tuple[str, str, str]], x: float, y: float) -> str:
    """A one-line legend of ``(kind, colour, label)``; kinds: box, dot, tick, line, dash."""
    out = []
    for kind, colour, label in items:
        if kind == "dot":
            out.append(f'<circle cx="{num(x + 6)}" cy="{num(y - 4)}" r="5" fill="{colour}"/>')
        elif kind == "box":
            out.append(
                f'<rect x="{num(x)}" y="{num(y - 9)}" width="12" height="10" fill="{colour}"/>'
            )
        elif kind == "tick":
            out.append(
                f'<line x1="{num(x + 6)}" x2="{num(x + 6)}" y1="{num(y - 11)}" y2="{num(y + 2)}" '
                f'stroke="{colour}" stroke-width="2"/>'
            )
        else:
            dash = ' stroke-dasharray="5 3"' if kind == "dash" else ""
            out.append(
                f'<line x1="{num(x)}" x2="{num(x + 16)}" y1="{num(y - 4)}" y2="{num(y - 4)}" '
                f'stroke="{colour}" stroke-width="2.5"{dash}/>'
            )
        out.append(svg_text(x + 20, y, label))
        x += 20 + text_width(label) + 18
    return "".join(out)


# -- horizontal bars in panels ------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One bar: its length, an optional target tick, its colour and texts."""

    value: float
    colour: str
    label: str = ""
    tip: str = ""
    target: float | None = None


@dataclass(frozen=True)
class Panel:
    """A column of bars sharing one horizontal scale ``[0, x_max]``."""

    title: str
    bars: Sequence[Bar]
    x_max: float = 1.0
    tick_format: Formatter = pct


def bar_panels(
    chart: str,
    title: str,
    rows: Sequence[str],
    panels: Sequence[Panel],
    *,
    row_tips: Sequence[str] | None = None,
    legend_items: Sequence[tuple[str, str, str]] = (),
    width: float = 1100,
    row_height: float = 18,
    label_width: float | None = None,
) -> str:
    """Horizontal bars, one row per item and one panel per measure, side by side.

    Each panel has its own scale from 0 to ``x_max``; bars longer than the scale are clipped
    (their label tells the value); a bar's ``target`` is drawn as a dark tick across it.
    """
    n = len(rows)
    longest = max((text_width(r) for r in rows), default=0.0)
    label_w = label_width if label_width is not None else min(max(longest + 12, 80), 300)
    top = 46 if legend_items else 28
    axis_h = 22
    height = top + n * row_height + axis_h + 6
    gap = 40
    panel_w = (width - label_w - 10 - gap * (len(panels) - 1)) / max(len(panels), 1)
    out = [svg_open(chart, title, width, height)]
    if legend_items:
        out.append(legend(legend_items, label_w, 16))
    y0 = top
    for i, row in enumerate(rows):
        y = y0 + i * row_height + row_height * 0.7
        tip = row_tips[i] if row_tips is not None else row
        out.append(
            f"<g>{tooltip(tip)}"
            + svg_text(label_w - 8, y, clip_text(row, label_w - 12), anchor="end")
            + "</g>"
        )
    for p, panel in enumerate(panels):
        x0 = label_w + p * (panel_w + gap)
        scale = panel_w / panel.x_max if panel.x_max > 0 else 0.0
        out.append(svg_text(x0, top - 8, panel.title, weight="bold"))
        step = nice_step(panel.x_max, 4)
        for k in range(int(panel.x_max / step + 1e-9) + 1):
            t = k * step
            x = x0 + t * scale
            out.append(
                f'<line x1="{num(x)}" x2="{num(x)}" y1="{num(y0)}" y2="{num(y0 + n * row_height)}" '
                f'stroke="{GRID}"/>'
            )
            anchor = "start" if t == 0 else ("end" if t >= panel.x_max * 0.999 else "middle")
            out.append(
                svg_text(x, y0 + n * row_height + 15, panel.tick_format(t), anchor=anchor, size=10)
            )
        for i, bar in enumerate(panel.bars):
            y = y0 + i * row_height
            length = 0.0 if not math.isfinite(bar.value) else min(max(bar.value, 0.0), panel.x_max)
            w = length * scale
            out.append(f"<g>{tooltip(bar.tip or bar.label)}")
            out.append(
                f'<rect x="{num(x0)}" y="{num(y + 3)}" width="{num(w)}" '
                f'height="{num(row_height - 6)}" fill="{bar.colour}"/>'
            )
            if bar.target is not None and math.isfinite(bar.target):
                tx = x0 + min(bar.target, panel.x_max) * scale
                out.append(
                    f'<line x1="{num(tx)}" x2="{num(tx)}" y1="{num(y + 1)}" '
                    f'y2="{num(y + row_height - 1)}" stroke="{INK}" stroke-width="2"/>'
                )
            if bar.label:
                inside = w > panel_w - text_width(bar.label, 10) - 8
                lx = x0 + w - 4 if inside else x0 + w + 4
                out.append(
                    svg_text(
                        lx,
                        y + row_height * 0.7,
                        bar.label,
                        anchor="end" if inside else "start",
                        size=10,
                        fill="#ffffff" if inside else INK,
                    )
                )
            out.append("</g>")
    out.append("</svg>")
    return "".join(out)


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
    width: float = 1100,
    height: float = 340,
) -> str:
    """Lines over categorical x positions (e.g. ISO weeks), with horizontal reference lines.

    ``x_ticks``: (position, label) pairs to print under the axis; each point carries a tooltip
    with its x label and value.
    """
    left, right, top, bottom = 56, 150, 34, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(x_labels)
    dx = plot_w / max(n - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + i * dx, top + plot_h * (1 - min(max(v, 0.0), y_max) / y_max)

    step = nice_step(y_max, 5)
    y_max = step * math.ceil(y_max / step - 1e-9)
    legend_items = [("line", s.colour, s.name) for s in series]
    legend_items += [("dash", r.colour, r.label) for r in refs]
    out = [svg_open(chart, title, width, height), legend(legend_items, left, 16)]
    for k in range(int(y_max / step + 1e-9) + 1):
        t = k * step
        _, y = xy(0, t)
        out.append(
            f'<line x1="{num(left)}" x2="{num(left + plot_w)}" y1="{num(y)}" y2="{num(y)}" '
            f'stroke="{GRID}"/>'
        )
        out.append(svg_text(left - 6, y + 4, y_format(t), anchor="end", size=10))
    for pos, label in x_ticks:
        x, _ = xy(pos, 0)
        out.append(
            f'<line x1="{num(x)}" x2="{num(x)}" y1="{num(top + plot_h)}" '
            f'y2="{num(top + plot_h + 5)}" stroke="{INK}"/>'
        )
        out.append(svg_text(x, top + plot_h + 18, label, anchor="middle", size=10))
    out.append(
        f'<line x1="{num(left)}" x2="{num(left + plot_w)}" y1="{num(top + plot_h)}" '
        f'y2="{num(top + plot_h)}" stroke="{INK}"/>'
    )
    for ref in refs:
        _, y = xy(0, ref.value)
        out.append(
            f'<line x1="{num(left)}" x2="{num(left + plot_w)}" y1="{num(y)}" y2="{num(y)}" '
            f'stroke="{ref.colour}" stroke-width="1.5" stroke-dasharray="5 3">'
            f"{tooltip(ref.label)}</line>"
        )
    ends: list[tuple[float, float, str, str]] = []
    for s in series:
        values = np.asarray(s.values, dtype=float)
        segments: list[list[str]] = [[]]
        for i, v in enumerate(values):
            if math.isfinite(v):
                x, y = xy(i, v)
                segments[-1].append(f"{num(x)},{num(y)}")
            elif segments[-1]:
                segments.append([])
        for seg in segments:
            if len(seg) > 1:
                out.append(
                    f'<polyline points="{" ".join(seg)}" fill="none" stroke="{s.colour}" '
                    f'stroke-width="2" stroke-linejoin="round"/>'
                )
        marks = []
        for i, v in enumerate(values):
            if math.isfinite(v):
                x, y = xy(i, v)
                marks.append(
                    f'<circle cx="{num(x)}" cy="{num(y)}" r="2.5" fill="{s.colour}">'
                    f"{tooltip(f'{x_labels[i]} — {s.name}: {y_format(v)}')}</circle>"
                )
        out.append("<g>" + "".join(marks) + "</g>")
        finite = np.flatnonzero(np.isfinite(values))
        if finite.size:
            last = int(finite[-1])
            x, y = xy(last, float(values[last]))
            ends.append((y, x, f"{s.name} {y_format(float(values[last]))}", s.colour))
    # End labels, pushed apart vertically so that they never overlap.
    ends.sort()
    placed: list[float] = []
    for y, _, _, _ in ends:
        placed.append(max(y, placed[-1] + 14) if placed else y)
    shift = max((p - (top + plot_h + 4) for p in placed), default=0.0)
    for (_, x, label, colour), y in zip(ends, placed, strict=True):
        out.append(
            svg_text(x + 8, y - max(shift, 0.0) + 4, label, fill=colour, weight="bold", size=11)
        )
    out.append("</svg>")
    return "".join(out)


# -- heat map -----------------------------------------------------------------------------------


def heat_colour(share: float) -> str:
    """White to vermilion for a share in [0, 1]."""
    s = min(max(share, 0.0), 1.0) ** 0.6
    r = round(255 + (213 - 255) * s)
    g = round(255 + (94 - 255) * s)
    b = round(255 + (0 - 255) * s)
    return f"#{r:02x}{g:02x}{b:02x}"


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
    width: float = 1100,
    row_height: float = 22,
) -> str:
    """A grid of coloured cells (rows × columns) printing each value; empty cells are blank.

    ``extra_columns``: (header, texts per row, width in px) printed at the right of the grid.
    ``vmax``: the value drawn darkest (default: the largest); larger values are as dark.
    """
    longest = max((text_width(r) for r in rows), default=0.0)
    label_w = min(max(longest + 12, 80), 260)
    extra_w = sum(w for _, _, w in extra_columns)
    top = 24
    grid_w = min(width - label_w - extra_w - 8, 90.0 * max(len(columns), 1))
    cell_w = grid_w / max(len(columns), 1)
    height = top + len(rows) * row_height + 8
    if vmax is None:
        vmax = float(np.nanmax(values)) if values.size and np.isfinite(values).any() else 0.0
    out = [svg_open(chart, title, width, height)]
    for j, col in enumerate(columns):
        out.append(
            svg_text(label_w + (j + 0.5) * cell_w, top - 8, col, anchor="middle", weight="bold")
        )
    x = label_w + grid_w + 8
    for header, _, w in extra_columns:
        out.append(svg_text(x, top - 8, header, weight="bold"))
        x += w
    for i, row in enumerate(rows):
        y = top + i * row_height
        out.append(
            svg_text(label_w - 8, y + row_height * 0.68, clip_text(row, label_w - 12), anchor="end")
        )
        for j, col in enumerate(columns):
            v = float(values[i, j])
            cx = label_w + j * cell_w
            if not (math.isfinite(v) and v > 0):
                out.append(
                    f'<rect x="{num(cx)}" y="{num(y)}" width="{num(cell_w)}" '
                    f'height="{num(row_height)}" fill="#f7f8fa" stroke="#ffffff"/>'
                )
                continue
            share = min(v / vmax, 1.0) if vmax > 0 else 0.0
            fill = heat_colour(share)
            ink = "#ffffff" if share**0.6 > 0.55 else INK
            out.append(
                f"<g>{tooltip(f'{row} — {col}: {tip_format(v)}')}"
                f'<rect x="{num(cx)}" y="{num(y)}" width="{num(cell_w)}" '
                f'height="{num(row_height)}" fill="{fill}" stroke="#ffffff"/>'
                + svg_text(
                    cx + cell_w / 2,
                    y + row_height * 0.68,
                    cell_format(v),
                    anchor="middle",
                    size=10,
                    fill=ink,
                )
                + "</g>"
            )
        x = label_w + grid_w + 8
        for _, texts, w in extra_columns:
            out.append(svg_text(x, y + row_height * 0.68, clip_text(texts[i], w - 6), size=11))
            x += w
    out.append("</svg>")
    return "".join(out)


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


def map_chart(
    chart: str,
    title: str,
    points: Sequence[MapPoint],
    links: Sequence[MapLink],
    *,
    width: float = 1100,
    max_height: float = 720,
    link_unit: str = "kg",
) -> str:
    """Places and links drawn from coordinates (equirectangular projection, no tiles).

    Longitudes are scaled by the cosine of the mean latitude so that distances look right
    around the territory; the drawing fits the bounding box of all places, with a km scale bar.
    Links are drawn thinnest first, width proportional to ``weight`` (up to 9 px).
    """
    margin, legend_h = 24, 30
    lats = np.array([p.lat for p in points], dtype=float)
    lons = np.array([p.lon for p in points], dtype=float)
    if lats.size == 0:
        lats, lons = np.array([0.0]), np.array([0.0])
    k = math.cos(math.radians(float(lats.mean())))
    x_min, x_max = float(lons.min()) * k, float(lons.max()) * k
    y_min, y_max = float(lats.min()), float(lats.max())
    span_x, span_y = max(x_max - x_min, 1e-3), max(y_max - y_min, 1e-3)
    inner_w = width - 2 * margin
    scale = inner_w / span_x
    inner_h = span_y * scale
    if inner_h > max_height - 2 * margin - legend_h:
        inner_h = max_height - 2 * margin - legend_h
        scale = inner_h / span_y
    inner_h = max(inner_h, 120.0)
    height = inner_h + 2 * margin + legend_h
    off_x = margin + (inner_w - span_x * scale) / 2
    off_y = legend_h + margin + (inner_h - span_y * scale) / 2

    def project(lat: float, lon: float) -> tuple[float, float]:
        return off_x + (lon * k - x_min) * scale, off_y + (y_max - lat) * scale

    max_w = max((lk.weight for lk in links), default=0.0)
    items = [
        ("dot", BLUE, "canteen"),
        ("box", GREEN, "producer selling"),
        ("box", GREY, "producer without sales"),
        ("line", VERMILION, f"flow (width ∝ {link_unit}; max {short_number(max_w)} {link_unit})"),
    ]
    out = [
        svg_open(chart, title, width, height),
        f'<rect x="0" y="{num(legend_h)}" width="{num(width)}" height="{num(height - legend_h)}" '
        f'fill="#f4f7f9" stroke="{GRID}"/>',
        legend(items, margin, 18),
    ]
    for lk in sorted(links, key=lambda lk: lk.weight):
        x1, y1 = project(lk.lat1, lk.lon1)
        x2, y2 = project(lk.lat2, lk.lon2)
        w = 0.6 + 8.4 * lk.weight / max_w if max_w > 0 else 1.0
        out.append(
            f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" '
            f'stroke="{VERMILION}" stroke-opacity="0.55" stroke-width="{num(w)}" '
            f'stroke-linecap="round">{tooltip(lk.tip)}</line>'
        )
    order = {"idle": 0, "producer": 1, "canteen": 2}
    for p in sorted(points, key=lambda p: order.get(p.kind, 0)):
        x, y = project(p.lat, p.lon)
        s = p.size
        if p.kind == "canteen":
            mark = (
                f'<circle cx="{num(x)}" cy="{num(y)}" r="{num(s)}" fill="{BLUE}" '
                f'stroke="#ffffff" stroke-width="1">{tooltip(p.tip)}</circle>'
            )
        else:
            colour = GREEN if p.kind == "producer" else GREY
            mark = (
                f'<rect x="{num(x - s)}" y="{num(y - s)}" width="{num(2 * s)}" '
                f'height="{num(2 * s)}" fill="{colour}" stroke="#ffffff" stroke-width="1">'
                f"{tooltip(p.tip)}</rect>"
            )
        out.append(mark)
    out += _map_labels(points, project, width, height)
    # Scale bar in the legend row: a round number of km about a tenth of the width.
    km_per_px = KM_PER_DEGREE / scale
    bar_km = nice_step(km_per_px * width / 10, 1)
    bar_px = bar_km / km_per_px
    bx, by = width - margin - bar_px, 22
    out.append(
        f'<path d="M{num(bx)},{num(by - 5)} v5 h{num(bar_px)} v-5" fill="none" stroke="{INK}" '
        f'stroke-width="1.5"/>'
        + svg_text(bx + bar_px / 2, by - 8, f"{bar_km:g} km", anchor="middle", size=11)
    )
    out.append("</svg>")
    return "".join(out)


def _map_labels(
    points: Sequence[MapPoint],
    project: Callable[[float, float], tuple[float, float]],
    width: float,
    height: float,
) -> list[str]:
    """Labels of the points that have one, each beside its point (right, left, above or
    below, the first place free of the labels already placed and inside the drawing);
    a label with no free place is left out (the point keeps its tooltip)."""
    halo = ' stroke="#ffffff" stroke-width="3" paint-order="stroke"'
    taken: list[tuple[float, float, float, float]] = []
    out = []
    for p in points:
        if not p.label:
            continue
        x, y = project(p.lat, p.lon)
        w, h, gap = text_width(p.label, 11), 13.0, p.size + 3
        places = (
            (x + gap, y + 4, "start", (x + gap, y - 9, x + gap + w, y + 4)),
            (x - gap, y + 4, "end", (x - gap - w, y - 9, x - gap, y + 4)),
            (x, y - gap - 2, "middle", (x - w / 2, y - gap - 2 - h, x + w / 2, y - gap - 2)),
            (x, y + gap + 11, "middle", (x - w / 2, y + gap - 2, x + w / 2, y + gap + 11)),
        )
        for tx, ty, anchor, box in places:
            inside = box[0] >= 2 and box[2] <= width - 2 and box[1] >= 32 and box[3] <= height
            free = all(
                box[2] < o[0] or box[0] > o[2] or box[3] < o[1] or box[1] > o[3] for o in taken
            )
            if inside and free:
                taken.append(box)
                out.append(svg_text(tx, ty, p.label, anchor=anchor, size=11, extra=halo))
                break
    return out
