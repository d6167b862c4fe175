"""The report's hubs: per hub over the plan's weeks, what came in and went out, the canteens
it served, its drops and the fees it charged (``rhd_match.plan.tables.hub_table``)."""

from __future__ import annotations

import pandas as pd

from ..i18n import format_number
from ..i18n import gettext as _
from ..inputs.scenario import Scenario
from ..plan.solution import Solution
from ..plan.tables import hub_table
from .html_format import esc, fmt_eur, fmt_kg, html_table

#: Per hub over the year, from ``hub_table``'s weeks: column → (weekly column, how summed).
YEARLY = {
    "weeks": ("week", "nunique"),
    "kg_in": ("kg_in", "sum"),
    "kg_out": ("kg_out", "sum"),
    "producer_drops": ("producer_drops", "sum"),
    "canteen_drops": ("canteen_drops", "sum"),
    "value_eur_ht": ("value_eur_ht", "sum"),
    "fees_eur_ht": ("fees_eur_ht", "sum"),
}


def hub_year(scenario: Scenario, flows: pd.DataFrame) -> pd.DataFrame:
    """Per hub of the scenario, the plan's weeks through it added up.

    Parameters
    ----------
    scenario
        The scenario the plan was made for (its ``hubs``).
    flows
        The plan's ``flows``.

    Returns
    -------
    pandas.DataFrame
        One row per ``hub_id`` of the ``hubs`` table, in its order: ``weeks`` with a delivery,
        ``kg_in`` and ``kg_out`` (kg), ``canteens`` served (distinct), ``producer_drops`` and
        ``canteen_drops`` (over the weeks), ``value_eur_ht`` (what the canteens pay) and
        ``fees_eur_ht`` (the hub's charges), EUR HT; zeros for a hub the plan does not use.
    """
    hubs = scenario.hubs["hub_id"].astype(str)
    weekly = hub_table(scenario, flows)
    year = weekly.groupby("hub_id").agg(**YEARLY) if len(weekly) else pd.DataFrame()
    via = flows[flows["hub_id"].notna()] if "hub_id" in flows else flows.iloc[:0]
    served = via.groupby("hub_id")["canteen_id"].nunique()
    out = year.reindex(hubs, fill_value=0).assign(canteens=served.reindex(hubs, fill_value=0))
    columns = ["weeks", "kg_in", "kg_out", "canteens", "producer_drops", "canteen_drops"]
    return out.reindex(columns=[*columns, "value_eur_ht", "fees_eur_ht"], fill_value=0)


def hubs_section(scenario: Scenario, solution: Solution) -> str:
    """The hubs section: one row per hub with its year's figures (``hub_year``).

    Parameters
    ----------
    scenario
        The scenario (its ``hubs``; the section is for scenarios with one).
    solution
        The plan.

    Returns
    -------
    str
        The section's HTML.
    """
    year = hub_year(scenario, solution.flows)
    names = dict(
        zip(scenario.hubs["hub_id"].astype(str), scenario.hubs["name"].astype(str), strict=True)
    )
    headers = [
        (_("hub"), "text"),
        (_("weeks"), "num"),
        (_("kg in"), "num"),
        (_("kg out"), "num"),
        (_("canteens served"), "num"),
        (_("producers' drops at the hub"), "num"),
        (_("drops at canteens"), "num"),
        (_("value EUR excl. VAT"), "num"),
        (_("hub charges EUR excl. VAT"), "num"),
    ]
    rows = []
    for hub, r in year.iterrows():
        counts = [float(r[c]) for c in ("weeks", "kg_in", "kg_out", "canteens")]
        drops = [float(r["producer_drops"]), float(r["canteen_drops"])]
        money = [float(r["value_eur_ht"]), float(r["fees_eur_ht"])]
        rows.append(
            [
                (names.get(str(hub), str(hub)), str(hub)),
                (format_number(counts[0]), counts[0]),
                (fmt_kg(counts[1]), counts[1]),
                (fmt_kg(counts[2]), counts[2]),
                (format_number(counts[3]), counts[3]),
                (format_number(drops[0]), drops[0]),
                (format_number(drops[1]), drops[1]),
                (fmt_eur(money[0]), money[0]),
                (fmt_eur(money[1]), money[1]),
            ]
        )
    caption = _(
        "What each hub handles over the plan's weeks: what member producers bring in goes out "
        "the same week; charges are the hub's fees in what the canteens pay."
    )
    return f"<p>{esc(caption)}</p>" + html_table(headers, rows)
