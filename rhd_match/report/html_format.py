"""Building blocks of the HTML report: number formats (EUR HT, kg, shares, points), table and
cell markup, and the report's fixed labels and row limits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

import pandas as pd

from ..i18n import format_number, format_share
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
}

MAX_CANTEEN_ROWS = 80
MAX_PRODUCER_ROWS = 60
MAX_HEATMAP_ROWS = 20
TOP_FLOWS = 80
MAP_LABELS = 6


# -- formatting ---------------------------------------------------------------------------------

NOT_AVAILABLE = N_("n/a")


def reason_label(reason: object) -> str:
    """The short name of an unmet-demand reason in the active language."""
    label = REASON_LABELS.get(str(reason))
    return str(reason) if label is None else _(label)


def fmt_share(x: float) -> str:
    """A share as shown in the headline: ``15,4 %`` (French); ``n/a`` when missing."""
    return _(NOT_AVAILABLE) if not math.isfinite(x) else format_share(x, 1)


def signed(x: float, decimals: int = 0) -> str:
    """A number with its sign, ``+`` included: ``+1 234`` (French)."""
    shown = round(x, decimals)
    # Only what shows as positive gets a "+", and what shows as zero no sign: never "+0",
    # "-0" nor "+-3".
    text = format_number(x if shown else 0.0, decimals)
    return "+" + text if shown > 0 else text


def fmt_points(x: float) -> str:
    """A change of share in percentage points: ``+15,4 pts``."""
    if not math.isfinite(x):
        return _(NOT_AVAILABLE)
    return _("{points} pts").format(points=signed(100 * x, 1))


def fmt_eur(x: float) -> str:
    """Money, whole euros excluding VAT: ``630 509 € HT`` (French)."""
    if not math.isfinite(x):
        return _(NOT_AVAILABLE)
    return _("€{amount} excl. VAT").format(amount=format_number(x))


def fmt_signed_eur(x: float) -> str:
    """A money difference: ``+14 267 € HT`` (French)."""
    if not math.isfinite(x):
        return _(NOT_AVAILABLE)
    return _("€{amount} excl. VAT").format(amount=signed(x))


def fmt_kg(x: float) -> str:
    """A weight: ``1 234 kg`` or ``12,3 t``."""
    if abs(x) >= 10_000:
        return _("{tonnes} t").format(tonnes=format_number(x / 1000, 1))
    return _("{kg} kg").format(kg=format_number(x))


def fmt_count(k: float, n: float) -> str:
    """A count out of a total: ``3 / 12``."""
    return f"{int(k)} / {int(n)}"


def fmt_gap(x: float) -> str:
    """The relative gap: ``6,75 %``; ``n/a`` without a bound."""
    return _(NOT_AVAILABLE) if not math.isfinite(x) else format_share(x, 2)


def fmt_number(x: float) -> str:
    """A solver figure: whole with thousands separators when large, else four decimals."""
    if not math.isfinite(x):
        return _(NOT_AVAILABLE)
    return format_number(x) if abs(x) >= 1e4 else format_number(x, 4)


def as_float(x: object) -> float:
    try:
        return float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def raw_value(value: object) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


def figure_cell(field: str, when: str, value: float, text: str) -> str:
    return (
        f'<td class="num" data-field="{field}" data-when="{when}" '
        f'data-value="{esc(raw_value(value))}">{esc(text)}</td>'
    )


def figure_span(field: str, s: pd.Series) -> str:
    value = as_float(s[field])
    return (
        f'<span data-field="{field}" data-when="after" data-value="{esc(raw_value(value))}">'
        f"{esc(fmt_eur(value))}</span>"
    )


# -- helpers ------------------------------------------------------------------------------------


def empty_chart(chart: str, title: str, message: str) -> str:
    """A small chart holding only ``message`` (so every chart of ``CHARTS`` is there)."""
    return f"<figure>{message_chart(chart, title, message)}</figure>"


def esc(text: object) -> str:
    """``text`` escaped for HTML, quotes included."""
    return escape(str(text), quote=True)


def html_table(
    headers: list[tuple[str, str]],
    rows: list[list[tuple[str, object]]],
    links: Sequence[str] | None = None,
    sortable: bool = True,
) -> str:
    """A table: each cell is (text, sort key); headers are (label, ``num``/``text``).

    ``links`` gives each row's first cell a link (e.g. ``#canteen-C001``); ``sortable`` lets
    the page's script sort it by a click on a header.
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
