"""Market lines: each purchase from a market option (``scenario.market``) joined with what the
option offers, and the rules only market lines have (product, availability weeks, canteens
allowed, weekly limit). Price and labels are checked with every line's (``line_rules``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..i18n import gettext as _
from ..inputs.scenario import Scenario
from .contract import Found, each_row, exceeds, number

#: The supplier word of a market purchase line (a copy of the flows contract's, as the others).
MARKET = "market"


def _ids(cell: object) -> frozenset[str]:
    """The canteen ids of a ``canteen_ids`` cell; empty for every canteen."""
    if not isinstance(cell, str):
        return frozenset()
    return frozenset(part.strip() for part in cell.replace(";", ",").split(",")) - {""}


def market_columns(
    scenario: Scenario, ln: pd.DataFrame, canonical_labels: pd.Series
) -> pd.DataFrame:
    """The flow lines joined with what their market option says.

    Parameters
    ----------
    scenario
        The input tables (its ``market`` table).
    ln
        The flow lines (``line_rules.lines``): ``market_id``, ``is_market``, ``canteen_id``.
    canonical_labels
        The market table's ``labels`` cells in canonical form, one per market row.

    Returns
    -------
    pandas.DataFrame
        ``ln`` (same rows and order) with ``has_market``, ``market_product``,
        ``market_supplier`` (the option's ``supplier_id``),
        ``market_price`` (EUR HT/unit), ``market_labels`` (canonical), ``market_first`` and
        ``market_last`` (ISO weeks, ``""`` for open), ``market_limit`` (product unit/week, NaN
        for none) and ``market_allowed`` (whether the line's canteen may buy it).
    """
    mk = scenario.market
    options = pd.DataFrame(
        {
            "market_id": mk["market_id"].astype(object).fillna("").astype(str).str.strip(),
            "market_product": mk["product_id"].astype(object).fillna("").astype(str),
            "market_supplier": mk["supplier_id"].astype(object).fillna("").astype(str).str.strip(),
            "market_price": pd.to_numeric(mk["price_eur_ht"], errors="coerce").astype(float),
            "market_labels": canonical_labels.to_numpy(),
            "market_first": mk["first_week"].astype(object).fillna("").astype(str),
            "market_last": mk["last_week"].astype(object).fillna("").astype(str),
            "market_limit": pd.to_numeric(mk["max_qty_per_week"], errors="coerce").astype(float),
            "market_canteens": mk["canteen_ids"].astype(object).map(_ids),
            "has_market": True,
        }
    )
    out = ln.merge(options, on="market_id", how="left")
    out["has_market"] = out["has_market"].notna().to_numpy() & out["is_market"].to_numpy()
    allowed = [
        (not isinstance(ids, frozenset)) or not ids or c in ids
        for ids, c in zip(out["market_canteens"], out["canteen_id"], strict=True)
    ]
    out["market_allowed"] = np.array(allowed, dtype=bool)
    return out.drop(columns="market_canteens")


def check_market(ln: pd.DataFrame, found: Found, tol: float) -> None:
    """Market rules: a known option, of the line's product, within its weeks, for a canteen it
    allows, and no more in a week than its limit (all canteens together).

    Parameters
    ----------
    ln
        The flow lines with their market columns (``market_columns``).
    found
        Collects the violations.
    tol
        Tolerance of the weekly limit (see ``check``).
    """
    market = ln["is_market"].to_numpy(bool)
    unknown = market & (ln["market_id"] != "").to_numpy() & ~ln["has_market"].to_numpy(bool)
    found.add(
        "unknown_id",
        ln,
        each_row(
            lambda m: _("market option '{option}' is not in the market table").format(option=m),
            "market_id",
        ),
        where=unknown,
    )
    known = ln["has_market"].to_numpy(bool)
    week = ln["week"].astype(str)
    first, last = ln["market_first"].fillna("").astype(str), ln["market_last"].fillna("")
    rules = [
        (
            "market_product",
            (ln["product_id"] != ln["market_product"]).to_numpy(),
            each_row(
                lambda m, p: _("market option '{option}' sells product '{product}'").format(
                    option=m, product=p
                ),
                "market_id",
                "market_product",
            ),
        ),
        (
            "market_week",
            ((first != "") & (week < first)).to_numpy(),
            each_row(
                lambda m, f: _("market option '{option}' is available from week {week}").format(
                    option=m, week=f
                ),
                "market_id",
                "market_first",
            ),
        ),
        (
            "market_week",
            ((last != "") & (week > last.astype(str))).to_numpy(),
            each_row(
                lambda m, f: _("market option '{option}' is available until week {week}").format(
                    option=m, week=f
                ),
                "market_id",
                "market_last",
            ),
        ),
        (
            "market_canteen",
            ~ln["market_allowed"].to_numpy(bool),
            each_row(
                lambda m: _("market option '{option}' is not open to this canteen").format(
                    option=m
                ),
                "market_id",
            ),
        ),
    ]
    for rule, wrong, message in rules:
        found.add(rule, ln, message, where=known & wrong)

    bought = ln[known]
    if bought.empty:
        return
    weekly = (
        bought.assign(qty=bought["qty"].fillna(0.0))
        .groupby(["market_id", "week"], sort=True)
        .agg(qty=("qty", "sum"), market_limit=("market_limit", "first"))
        .reset_index()
        .assign(canteen_id="", producer_id="", product_id="")
    )
    found.add(
        "market_limit",
        weekly,
        each_row(
            lambda m, q, lim: _("market option '{option}': {qty} sold, at most {limit}").format(
                option=m, qty=number(q), limit=number(lim)
            ),
            "market_id",
            "qty",
            "market_limit",
        ),
        ids=("week",),
        where=exceeds(weekly["qty"], weekly["market_limit"], tol),
    )
