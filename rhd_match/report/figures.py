"""The report's figures computed from a plan's tables: shares by ISO week, the demand left to
the conventional supplier by product and month, and the plan's strongest links for the map.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..egalim import egalim_accounting
from ..inputs.scenario import Scenario
from ..plan.solution import Solution
from ..plan.tables import PRODUCER
from ..weeks import week_monday, week_year_month

# -- canteens -----------------------------------------------------------------------------------


def all_weeks(first: str, last: str) -> list[str]:
    """Every ISO week from ``first`` to ``last`` included.

    Parameters
    ----------
    first, last
        ISO weeks (``2026-W03``).

    Returns
    -------
    list of str
        The ISO weeks in order.
    """
    start, end = week_monday(first), week_monday(last)
    n = (end - start).days // 7 + 1
    days = [start + dt.timedelta(weeks=i) for i in range(n)]
    return [f"{d.isocalendar().year:04d}-W{d.isocalendar().week:02d}" for d in days]


def weekly_shares(solution: Solution) -> pd.DataFrame:
    """Per ISO week with purchases: value (EUR HT) and local, organic, quality shares.

    Parameters
    ----------
    solution
        The plan.

    Returns
    -------
    pandas.DataFrame
        One row per ISO week, shares as fractions.
    """
    flows = solution.flows
    if flows.empty:
        return pd.DataFrame(
            columns=["value_eur_ht", "share_local", "share_organic", "share_quality"]
        )
    figures = egalim_accounting(flows, by="week")
    total = figures["valeur_totale"]
    local = flows["value_eur_ht"].where(flows["local"], 0.0).groupby(flows["week"]).sum()
    return pd.DataFrame(
        {
            "value_eur_ht": total,
            "share_local": (local.reindex(total.index) / total.where(total > 0)).clip(0, 1),
            "share_organic": figures["share_organic"],
            "share_quality": figures["share_quality"],
        }
    )


def flow_links(scenario: Scenario, solution: Solution) -> pd.DataFrame:
    """Purchases from producers per producer × canteen: kg, value (EUR HT), distance (km).

    Parameters
    ----------
    scenario
        The scenario (producer and canteen places).
    solution
        The plan.

    Returns
    -------
    pandas.DataFrame
        One row per producer × canteen with purchases, most kg first.
    """
    local = solution.flows[solution.flows["supplier"] == PRODUCER]
    links = (
        local.groupby(["producer_id", "canteen_id"], sort=True)
        .agg(
            qty_kg=("qty_kg", "sum"),
            value_eur_ht=("value_eur_ht", "sum"),
            distance_km=("distance_km", "first"),
            weeks=("week", "nunique"),
        )
        .reset_index()
    )
    return links.sort_values(
        ["qty_kg", "producer_id", "canteen_id"], ascending=[False, True, True], kind="stable"
    )


def unmet_by_product_month(scenario: Scenario, solution: Solution) -> pd.DataFrame:
    """Value (EUR HT) of the demand left to the conventional supplier, product × month.

    Rows: product names, largest total first; columns: ``YYYY-MM`` of the week's Thursday.

    Parameters
    ----------
    scenario
        The scenario (product names).
    solution
        The plan.

    Returns
    -------
    pandas.DataFrame
        Value, EUR HT, per product (rows) and month (columns).
    """
    unmet = solution.unmet_local
    if unmet.empty:
        return pd.DataFrame()
    month = week_year_month(unmet["week"])
    names = scenario.products.set_index("product_id")["name"].astype(str)
    product = names.reindex(unmet["product_id"]).fillna(unmet["product_id"]).to_numpy()
    table = pd.pivot_table(
        pd.DataFrame(
            {
                "product": product,
                "month": month.to_numpy(),
                "value": unmet["value_eur_ht"].to_numpy(dtype=float),
            }
        ),
        index="product",
        columns="month",
        values="value",
        aggfunc="sum",
        fill_value=0.0,
    )
    order = table.sum(axis=1).sort_values(ascending=False, kind="stable").index
    return table.loc[order]
