"""Building blocks of the HTML report: number formats (EUR HT, kg, shares), table and
cell markup, and the report's fixed labels and row limits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

import pandas as pd

from ..i18n import format_number, format_share, format_signed
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from .drawing import (
    message_chart,
)

#: Headline shares: (summary column, label, target field of ``Parameters.targets`` or None).
SHARES = (
    ("share_local", N_("Bought from local producers"), None),
    ("share_organic", N_("Organic"), "organic"),
    ("share_quality", N_("Quality and sustainable (EGalim)"), "quality"),
    ("share_meat_fish", N_("Quality meat and fish"), "meat_fish"),
)
COUNTS = (
    ("canteens_meeting_quality", N_("Canteens meeting the quality target")),
    ("canteens_meeting_organic", N_("Canteens meeting the organic target")),
    ("canteens_meeting_meat_fish", N_("Canteens meeting the meat and fish target")),
    ("canteens_meeting_all", N_("Canteens meeting all three targets")),
)
#: Short names of the reasons of ``rhd_match.model.unmet.REASONS``.
REASON_LABELS = {
    "no_offer_in_range": N_("no offer within reach"),
    "offer_exhausted": N_("offers sold out"),
    "capacity": N_("producers' weekly capacity full"),
    "drops": N_("producers' delivery rounds full"),
    "franco": N_("order below the producer's minimum"),
    "optimiser_choice": N_("cheaper from the usual supplier"),
    "not_planned": N_("weeks not planned in time"),
}

MAX_CANTEEN_ROWS = 80
MAX_PRODUCER_ROWS = 60
MAX_HEATMAP_ROWS = 20
TOP_FLOWS = 80
MAP_LABELS = 6


# -- formatting ---------------------------------------------------------------------------------

NOT_AVAILABLE = N_("n/a")


def reason_label(reason: object) -> str:
    """The short name of an unmet-demand reason in the active language.

    Parameters
    ----------
    reason
        A key of ``rhd_match.plan.solution.REASONS``; another value is shown as it is.

    Returns
    -------
    str
        The short name.
    """
    label = REASON_LABELS.get(str(reason))
    return str(reason) if label is None else _(label)


def fmt_share(x: float) -> str:
    """A share as shown in the headline: ``15,4 %`` (French); ``n/a`` when missing.

    Parameters
    ----------
    x
        A share, a fraction.

    Returns
    -------
    str
        The percentage in the active language.
    """
    return _(NOT_AVAILABLE) if not math.isfinite(x) else format_share(x, 1)


def fmt_eur(x: float) -> str:
    """Money, whole euros excluding VAT: ``630 509 € HT`` (French).

    Parameters
    ----------
    x
        Money, EUR HT.

    Returns
    -------
    str
        The amount, rounded to the euro; ``n/a`` when missing.
    """
    if not math.isfinite(x):
        return _(NOT_AVAILABLE)
    return _("€{amount} excl. VAT").format(amount=format_number(x))


def fmt_signed_eur(x: float) -> str:
    """A money difference: ``+14 267 € HT`` (French).

    Parameters
    ----------
    x
        Money, EUR HT.

    Returns
    -------
    str
        The signed amount.
    """
    if not math.isfinite(x):
        return _(NOT_AVAILABLE)
    return _("€{amount} excl. VAT").format(amount=format_signed(x))


def fmt_kg(x: float) -> str:
    """A weight: ``1 234 kg`` or ``12,3 t`` (French).

    Parameters
    ----------
    x
        A weight, kg.

    Returns
    -------
    str
        The weight with its unit.
    """
    if abs(x) >= 10_000:
        return _("{tonnes} t").format(tonnes=format_number(x / 1000, 1))
    return _("{kg} kg").format(kg=format_number(x))


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
    """The relative gap: ``6,75 %`` (French); ``n/a`` without a bound.

    Parameters
    ----------
    x
        The relative gap, a fraction; NaN without a bound.

    Returns
    -------
    str
        The percentage.
    """
    return _(NOT_AVAILABLE) if not math.isfinite(x) else format_share(x, 2)


def fmt_number(x: float) -> str:
    """A solver figure: whole with thousands separators when large, else four decimals.

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
        return _(NOT_AVAILABLE)
    return format_number(x) if abs(x) >= 1e4 else format_number(x, 4)


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


def html_table(
    headers: list[tuple[str, str]],
    rows: list[list[tuple[str, object]]],
    links: Sequence[str] | None = None,
    sortable: bool = True,
) -> str:
    """A table: each cell is (text, sort key); headers are (label, ``num``/``text``).

    Parameters
    ----------
    headers
        One ``(label, kind)`` per column; ``kind`` is ``num`` or ``text``.
    rows
        One list per row of ``(text, sort key)`` cells.
    links
        One address per row (e.g. ``#canteen-C001``) for its first cell; ``None``: no links.
    sortable
        Let the page's script sort the table by a click on a header.

    Returns
    -------
    str
        An HTML ``<table>``.
    """
    head = "".join(f'<th data-type="{kind}">{esc(label)}</th>' for label, kind in headers)
    body = []
    for n, row in enumerate(rows):
        cells = []
        for k, ((text, key), (_label, kind)) in enumerate(zip(row, headers, strict=True)):
            cls = ' class="num"' if kind == "num" else ""
            sort = ""
            if kind == "num" and sortable:
                value = as_float(key)
                sort = f' data-sort="{esc(raw_value(value) if math.isfinite(value) else "")}"'
            inner = esc(text)
            if k == 0 and links is not None:
                inner = f'<a href="{esc(links[n])}">{inner}</a>'
            cells.append(f"<td{cls}{sort}>{inner}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    kind = "data sortable" if sortable else "data"
    return (
        f'<table class="{kind}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )
