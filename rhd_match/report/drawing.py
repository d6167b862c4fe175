"""The house style of every chart and how a matplotlib figure becomes inline SVG in the report
(ids, tooltips, stable bytes), with the helpers the charts share. See ``charts``.
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
from typing import Any, ParamSpec, TypeVar

import matplotlib as mpl
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import Collection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

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
    """A fraction as a percentage, e.g. ``pct(0.154, 1) == "15.4 %"``; ``–`` when missing.

    Parameters
    ----------
    x
        A fraction.
    decimals
        Digits after the decimal point.

    Returns
    -------
    str
        The percentage.
    """
    return "–" if not math.isfinite(x) else f"{100 * x:.{decimals}f} %"


def short_number(x: float) -> str:
    """A compact number: 950, 1.2 k, 34 k, 1.5 M.

    Parameters
    ----------
    x
        The number.

    Returns
    -------
    str
        The compact number.
    """
    a = abs(x)
    if a >= 1e6:
        return f"{x / 1e6:.1f} M"
    if a >= 1e4:
        return f"{x / 1e3:.0f} k"
    if a >= 1e3:
        return f"{x / 1e3:.1f} k"
    return f"{x:.0f}"


def shorten(text: str, chars: int) -> str:
    """``text`` cut to ``chars`` characters with an ellipsis.

    Parameters
    ----------
    text
        The text.
    chars
        Most characters kept, the ellipsis included.

    Returns
    -------
    str
        ``text`` itself when short enough.
    """
    return text if len(text) <= chars else text[: max(chars - 1, 1)] + "…"


@contextmanager
def style() -> Iterator[None]:
    """The charts' matplotlib settings (``STYLE``), for the time of a drawing.

    Yields
    ------
    None
        Within the block, matplotlib draws in the house style.
    """
    with mpl.rc_context(STYLE):
        yield


P = ParamSpec("P")
R = TypeVar("R")


def styled(draw: Callable[P, R]) -> Callable[P, R]:
    """``draw`` run under ``style`` (artists read the settings when they are made).

    Parameters
    ----------
    draw
        A function drawing a chart.

    Returns
    -------
    Callable
        ``draw`` with the same signature.
    """

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
        """Give ``artist`` the tooltip ``text``.

        Parameters
        ----------
        artist
            A mark of the chart.
        text
            Its tooltip.
        """
        self._mark(artist, "", [text])

    def add_each(self, artist: Line2D | Collection, texts: Sequence[str]) -> None:
        """Give each mark of ``artist`` a tooltip, in order: a line's markers (its finite
        points) or a collection's items.

        Parameters
        ----------
        artist
            A line (its markers) or a collection.
        texts
            One tooltip per mark, in order.
        """
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
    fig
        The drawn figure (its size in inches × 96 gives CSS pixels).
    chart
        Name of the chart (``data-chart``, and the prefix of every id inside it).
    title
        Accessible name, the ``<title>`` first child.
    tips
        Hover texts attached to the figure's artists (``Tips``).

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


def new_figure(height: float, width: float = WIDTH) -> Figure:
    """A figure of ``width`` × ``height`` pixels.

    Parameters
    ----------
    height
        Height, pixels.
    width
        Width, pixels.

    Returns
    -------
    matplotlib.figure.Figure
        An empty figure in the house style.
    """
    return Figure(figsize=(width * PX, height * PX))


def set_margins(fig: Figure, left: float, right: float, top: float, bottom: float) -> None:
    """Fixed margins in pixels (no layout engine: faster and stable).

    Parameters
    ----------
    fig
        The figure.
    left, right, top, bottom
        Margins, pixels.
    """
    w, h = fig.get_size_inches() / PX
    fig.subplots_adjust(left=left / w, right=1 - right / w, top=1 - top / h, bottom=bottom / h)


def add_legend(fig: Figure, handles: Sequence[Artist], top: float) -> None:
    """One legend row at the top left of ``fig``, ``top`` pixels from its top.

    Parameters
    ----------
    fig
        The figure.
    handles
        The legend's entries, in order.
    top
        Distance from the figure's top, pixels.
    """
    h = fig.get_size_inches()[1] / PX
    fig.legend(
        handles=list(handles),
        loc="upper left",
        bbox_to_anchor=(0.01, 1 - top / h),
        ncol=len(handles),
        handlelength=1.4,
        columnspacing=1.6,
    )


def add_text(ax: Axes, x: float, y: float, text: str, **kwargs: Any) -> Text:
    """A text at data coordinates of ``ax`` (or ``transform``), unclipped, held by the figure:
    about 3× faster than ``Axes.text``, which clips each text to the axes.

    Parameters
    ----------
    ax
        The axes whose data coordinates place the text.
    x, y
        Where, in data coordinates (or in those of ``transform``).
    text
        The text.
    **kwargs
        Text properties (``transform``, ``ha``, ``fontsize``...).

    Returns
    -------
    matplotlib.text.Text
        The text added to the figure.
    """
    kwargs.setdefault("transform", ax.transData)
    fig = ax.get_figure()
    assert isinstance(fig, Figure)
    return fig.text(x, y, text, **kwargs)


@styled
def message_chart(chart: str, title: str, message: str) -> str:
    """A small chart holding only ``message`` (when there is nothing to draw).

    Parameters
    ----------
    chart
        The chart's id in the page.
    title
        The chart's accessible title.
    message
        The text shown.

    Returns
    -------
    str
        The chart as inline SVG.
    """
    fig = new_figure(40, 600)
    fig.text(0.01, 0.5, message, va="center", color=GREY, fontsize=10)
    return inline_svg(fig, chart, title)
