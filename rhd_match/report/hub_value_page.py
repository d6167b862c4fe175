"""What the hubs are worth, as people read it: ``rhd_match.analysis.hub_value``'s table in the
reader's language, for ``rhd-match hubs``'s printed table and its HTML page (``hub_value.html``).

Both show the table's own numbers: nothing is recomputed here, only formatted (shares as
percentages, their differences in percentage points, money in EUR HT), as the table's ``unit``
and ``difference_unit`` say. The report reads plans and never imports ``analysis``: the figures'
and units' names below are the table's.
"""

from __future__ import annotations

import math

import pandas as pd

from ..i18n import format_number, format_points, format_share, ngettext, use_language
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..inputs.scenario import Scenario
from ..logistics.compare import POINTS_UNIT, ROUTING_FIGURE, SHARE_UNIT, routing_first_only
from ..logistics.tours import FIRST_ONLY_LABEL
from ..version import __version__
from .html import page_html, territory_counts
from .html_format import esc, figure_cell
from .tours_section import clock_cuts

#: The figures of ``hub_value``'s table as people read them (``analysis.hub_value.FIGURES``).
HUB_FIGURE_LABELS = {
    "share_local": N_("local share of the territory"),
    "share_local_small_canteens": N_("local share of small canteens (< 150 meals a day)"),
    "share_local_small_canteens_bound": N_("upper bound on the small canteens' local share"),
    "canteens_with_local_food": N_("canteens with local food"),
    "small_canteens_with_local_food": N_("small canteens with local food"),
    "kg_through_hubs": N_("kg through hubs"),
    "extra_cost_eur_ht": N_("extra cost (EUR excl. VAT)"),
    "extra_cost_per_meal_eur_ht": N_("extra cost per meal (EUR excl. VAT)"),
    "km_per_t": N_("delivery km per tonne delivered"),
    "co2_kg_per_t": N_("kg CO2e per tonne delivered"),
    "cost_eur_per_kg": N_("delivery cost per kg (EUR excl. VAT)"),
    "cost_eur_per_meal": N_("delivery cost per meal (EUR excl. VAT)"),
    ROUTING_FIGURE: FIRST_ONLY_LABEL,
}
#: Decimals of the figures that are not shares: costs per meal or per kg are a few cents or
#: less, shown to the tenth of a cent; counts whole; the others with 2.
HUB_FIGURE_DECIMALS = {
    "canteens_with_local_food": 0,
    "small_canteens_with_local_food": 0,
    "extra_cost_per_meal_eur_ht": 3,
    "cost_eur_per_kg": 3,
    "cost_eur_per_meal": 3,
    ROUTING_FIGURE: 0,
}
#: The table's columns of figures, in order, and their headings.
COLUMNS = {
    "without_hubs": N_("without hubs"),
    "with_hubs": N_("with hubs"),
    "difference": N_("difference"),
}


def hub_value_texts(table: pd.DataFrame) -> pd.DataFrame:
    """``hub_value``'s table as text in the active language.

    Parameters
    ----------
    table
        ``rhd_match.analysis.hub_value``'s table (index ``figure``; its ``unit`` and
        ``difference_unit``).

    Returns
    -------
    pandas.DataFrame
        One row per figure, in the table's order: ``figure`` (its label) and the columns of
        ``COLUMNS``: shares as percentages (``32,6 %``), differences of shares in points
        (``+0,4 pt``), other figures with ``HUB_FIGURE_DECIMALS``; ``n/a`` where the table has
        no number.
    """
    rows = []
    for figure, r in table.iterrows():
        decimals = HUB_FIGURE_DECIMALS.get(str(figure), 2)
        cells = {"figure": _(HUB_FIGURE_LABELS[str(figure)])}
        for column in COLUMNS:
            value = float(r[column])
            unit = r["difference_unit"] if column == "difference" else r["unit"]
            cells[column] = (
                _("n/a")
                if math.isnan(value)
                else format_points(value / 100.0)
                if unit == POINTS_UNIT
                else format_share(value)
                if unit == SHARE_UNIT
                else format_number(value, decimals)
            )
        rows.append(cells)
    return pd.DataFrame(rows, columns=["figure", *COLUMNS])


def hub_value_section(table: pd.DataFrame) -> str:
    """The comparison as an HTML table, each figure's number in its cell's ``data-value``.

    Parameters
    ----------
    table
        ``rhd_match.analysis.hub_value``'s table.

    Returns
    -------
    str
        The section's HTML, in the active language.
    """
    texts = hub_value_texts(table)
    head = "".join(f"<th>{esc(h)}</th>" for h in ("", *(_(c) for c in COLUMNS.values())))
    rows = []
    for (figure, r), (_i, shown) in zip(table.iterrows(), texts.iterrows(), strict=True):
        cells = "".join(
            figure_cell(str(figure), column, float(r[column]), str(shown[column]))
            for column in COLUMNS
        )
        rows.append(f"<tr><th>{esc(shown['figure'])}</th>{cells}</tr>")
    intro = _(
        "The same territory planned twice: with every producer delivering directly, then with "
        "the hubs. Shares are of the purchase value (EUR excl. VAT) as counted by ma cantine; "
        "their differences are in percentage points. The upper bound is the best local share "
        "the small canteens' supply allows, whatever the plan. Delivery figures are those of "
        "the rounds planned for each variant, farms' and hubs' rounds together."
    )
    return (
        f"<p>{esc(intro)}</p>{clock_cuts(routing_first_only(table), 0)}"
        f'<table class="headline"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def render_hub_value_html(scenario: Scenario, table: pd.DataFrame, language: str = "fr") -> str:
    """``hub_value``'s comparison as one self-contained HTML page (the report's look).

    Parameters
    ----------
    scenario
        The scenario compared (with its hubs): its counts and hubs name the page.
    table
        ``rhd_match.analysis.hub_value(scenario)``.
    language
        One of ``rhd_match.i18n.LANGUAGES``.

    Returns
    -------
    str
        The page; nothing fetched from the network.

    Raises
    ------
    ValueError
        When ``language`` is not one rhd_match speaks.
    """
    with use_language(language):
        title = _("What the hubs are worth")
        hubs = ", ".join(scenario.hubs["name"].astype(str))
        subtitle = " · ".join(
            [
                *territory_counts(scenario),
                ngettext("hub: {names}", "hubs: {names}", len(scenario.hubs)).format(names=hubs),
            ]
        )
        sections = [("hub-value", _("With and without the hubs"), hub_value_section(table))]
        footer = _(
            "Made by rhd_match {version} (rhd-match hubs; the same figures as hub_value.csv). "
            "Money in euros excluding VAT (HT)."
        ).format(version=__version__)
    return page_html(language, title, subtitle, sections, footer)
