"""Building blocks of the HTML report: number formats (EUR HT, kg, shares, points), table and
cell markup, and the report's fixed labels and row limits.
"""

from __future__ import annotations

import math
from html import escape

import pandas as pd

from .drawing import (
    message_chart,
)

#: Headline shares: (summary column, label, target field of ``Parameters.targets`` or None).
SHARES = (
    ("share_local", "Local share (of value)", None),
    ("share_organic", "Organic share", "organic"),
    ("share_quality", "Quality and sustainable share", "quality"),
    ("share_meat_fish", "Meat and fish quality share", "meat_fish"),
)
COUNTS = (
    ("canteens_meeting_quality", "Canteens meeting the quality target"),
    ("canteens_meeting_organic", "Canteens meeting the organic target"),
    ("canteens_meeting_meat_fish", "Canteens meeting the meat and fish target"),
    ("canteens_meeting_all", "Canteens meeting all three targets"),
)
#: Short names of the reasons of ``rhd_match.model.unmet.REASONS``.
REASON_LABELS = {
    "no_offer_in_range": "no offer within reach",
    "offer_exhausted": "offers sold out",
    "capacity": "producer kg capacity",
    "drops": "producer drops",
    "franco": "minimum order (franco)",
    "optimiser_choice": "optimiser's choice",
}

MAX_CANTEEN_ROWS = 80
MAX_PRODUCER_ROWS = 60
MAX_HEATMAP_ROWS = 20
TOP_FLOWS = 80
MAP_LABELS = 6


# -- formatting ---------------------------------------------------------------------------------


def fmt_share(x: float) -> str:
    """A share as shown in the headline: ``15.4 %``; ``n/a`` when missing.

    Parameters
    ----------
    x
        A share, a fraction.

    Returns
    -------
    str
        The percentage.
    """
    return "n/a" if not math.isfinite(x) else f"{100 * x:.1f} %"


def fmt_points(x: float) -> str:
    """A change of share in percentage points: ``+15.4 pts``.

    Parameters
    ----------
    x
        A change of share, a fraction.

    Returns
    -------
    str
        Signed percentage points.
    """
    return "n/a" if not math.isfinite(x) else f"{100 * x:+.1f} pts"


def fmt_eur(x: float) -> str:
    """Money: ``630,509 € HT``.

    Parameters
    ----------
    x
        Money, EUR HT.

    Returns
    -------
    str
        The amount, rounded to the euro; ``n/a`` when missing.
    """
    return "n/a" if not math.isfinite(x) else f"{x:,.0f} € HT"


def fmt_signed_eur(x: float) -> str:
    """A money difference: ``+14,267 € HT``.

    Parameters
    ----------
    x
        Money, EUR HT.

    Returns
    -------
    str
        The signed amount.
    """
    return "n/a" if not math.isfinite(x) else f"{x:+,.0f} € HT"


def fmt_kg(x: float) -> str:
    """A weight: ``1,234 kg`` or ``12.3 t``.

    Parameters
    ----------
    x
        A weight, kg.

    Returns
    -------
    str
        The weight with its unit.
    """
    return f"{x / 1000:,.1f} t" if abs(x) >= 10_000 else f"{x:,.0f} kg"


def fmt_count(k: float, n: float) -> str:
    """A count out of a total: ``3 / 12``.

    Parameters
    ----------
    k
        The count.
    n
        The total.

    Returns
    -------
    str
        ``k / n``.
    """
    return f"{int(k)} / {int(n)}"


def fmt_gap(x: float) -> str:
    """The relative gap: ``6.75 %``; ``n/a`` without a bound.

    Parameters
    ----------
    x
        The relative gap, a fraction; NaN without a bound.

    Returns
    -------
    str
        The percentage.
    """
    return "n/a" if not math.isfinite(x) else f"{100 * x:.2f} %"


def fmt_number(x: float) -> str:
    """A solver figure: whole with thousands separators when large, else six digits.

    Parameters
    ----------
    x
        The figure (an objective or a bound).

    Returns
    -------
    str
        The figure.
    """
    if not math.isfinite(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 1e4 else f"{x:.6g}"


def as_float(x: object) -> float:
    """``x`` as a float; NaN when it is not a number.

    Parameters
    ----------
    x
        A table cell.

    Returns
    -------
    float
        The number, or NaN.
    """
    try:
        return float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def raw_value(value: object) -> str:
    """A figure written so that it reads back exactly: ``repr`` for floats.

    Parameters
    ----------
    value
        The figure.

    Returns
    -------
    str
        Its exact text.
    """
    return repr(float(value)) if isinstance(value, float) else str(value)


def figure_cell(field: str, when: str, value: float, text: str) -> str:
    """A table cell showing ``text`` and carrying ``value`` exactly, for the page's tests and
    readers: ``data-field``, ``data-when`` and ``data-value`` attributes.

    Parameters
    ----------
    field
        The summary field the figure comes from.
    when
        ``before`` or ``after`` the plan.
    value
        The figure.
    text
        The figure as shown.

    Returns
    -------
    str
        An HTML ``<td>``.
    """
    return (
        f'<td class="num" data-field="{field}" data-when="{when}" '
        f'data-value="{esc(raw_value(value))}">{esc(text)}</td>'
    )


def figure_span(field: str, s: pd.Series) -> str:
    """A money figure of the summary in running text, carrying its exact value as
    ``figure_cell`` does.

    Parameters
    ----------
    field
        The summary field, in EUR HT.
    s
        The solution's summary row.

    Returns
    -------
    str
        An HTML ``<span>``.
    """
    value = as_float(s[field])
    return (
        f'<span data-field="{field}" data-when="after" data-value="{esc(raw_value(value))}">'
        f"{esc(fmt_eur(value))}</span>"
    )


# -- helpers ------------------------------------------------------------------------------------


def empty_chart(chart: str, title: str, message: str) -> str:
    """A small chart holding only ``message`` (so every chart of ``CHARTS`` is there).

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
        An HTML ``<figure>``.
    """
    return f"<figure>{message_chart(chart, title, message)}</figure>"


def esc(text: object) -> str:
    """``text`` escaped for HTML, quotes included.

    Parameters
    ----------
    text
        Anything; written with ``str``.

    Returns
    -------
    str
        The escaped text.
    """
    return escape(str(text), quote=True)


def html_table(headers: list[tuple[str, str]], rows: list[list[tuple[str, object]]]) -> str:
    """A sortable table: each cell is (text, sort key); headers are (label, ``num``/``text``).

    Parameters
    ----------
    headers
        One ``(label, kind)`` per column; ``kind`` is ``num`` or ``text``.
    rows
        One list per row of ``(text, sort key)`` cells.

    Returns
    -------
    str
        An HTML ``<table>``.
    """
    head = "".join(f'<th data-type="{kind}">{esc(label)}</th>' for label, kind in headers)
    body = []
    for row in rows:
        cells = []
        for (text, key), (_, kind) in zip(row, headers, strict=True):
            cls = ' class="num"' if kind == "num" else ""
            sort = ""
            if kind == "num":
                value = as_float(key)
                sort = f' data-sort="{esc(raw_value(value) if math.isfinite(value) else "")}"'
            cells.append(f"<td{cls}{sort}>{esc(text)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<table class="data sortable"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )
