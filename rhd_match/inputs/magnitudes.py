"""Purchase lines too large to be a territory's: a quantity and a price each below their
column's ceiling (``schema.CEILINGS``) can still make a line worth more than any canteen or
producer trades in a week, and more than the solver's arithmetic holds."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import Problem
from ..i18n import format_figure, format_number, format_significant
from ..i18n import gettext as _
from .schema import CEILINGS, TABLES
from .validation import Collector, source_rows

#: The most a row of demand, offers or market may be worth, quantity × price (EUR HT): a
#: billion euros of one product in one week is no territory's purchase (the Lens-Liévin
#: demo's whole year is 5.3 M EUR HT), while lines worth 1e11 EUR HT next to a 50 EUR
#: minimum order stopped HiGHS with an abnormal status.
MAX_LINE_VALUE_EUR_HT = 1e9
MAX_PRICE = CEILINGS["EUR HT/unit"]


def line_value_problems(
    tables: Mapping[str, pd.DataFrame], files: Mapping[str, str | None]
) -> list[Problem]:
    """An error at each row of ``demand``, ``offers`` and ``market`` worth more than
    ``MAX_LINE_VALUE_EUR_HT``.

    Parameters
    ----------
    tables
        The typed tables by name, references checked. Demand is valued at its product's
        reference price (a group's unit at its dearest product's, times its conversion),
        offers at their own price, a market line's weekly maximum at its price.
    files
        The file each table was read from, by name.

    Returns
    -------
    list of Problem
        Errors on the quantity column, with the line's value and the limit.
    """
    # Tables that could not be read whole (a column missing, ids repeated) are left out:
    # their own problems are told.
    products = tables.get("products", pd.DataFrame())
    prices = pd.Series(dtype=float)
    if {"product_id", "reference_price_eur_ht"} <= set(products.columns):
        unique = products.drop_duplicates("product_id").set_index("product_id")
        prices = unique["reference_price_eur_ht"]
    groups = tables.get("groups", pd.DataFrame())
    if len(prices) and {"group_id", "product_id", "conversion"} <= set(groups.columns):
        # A group's unit is worth, at most, its dearest product's conversion at its price.
        conversion = pd.to_numeric(groups["conversion"], errors="coerce")
        worth = (groups["product_id"].map(prices) * conversion).groupby(groups["group_id"]).max()
        prices = pd.concat([prices, worth[~worth.index.isin(prices.index)]])
    # table → (quantity column, the column giving each row's price: its own, or its product)
    lines = {
        "demand": ("qty", "product_id"),
        "offers": ("qty", "price_eur_ht"),
        "market": ("max_qty_per_week", "price_eur_ht"),
    }
    problems: list[Problem] = []
    for name, (column, priced_by) in lines.items():
        frame = tables.get(name)
        if frame is None or frame.empty or not {column, priced_by} <= set(frame.columns):
            continue
        qty = pd.to_numeric(frame[column], errors="coerce").to_numpy(float)
        price = frame[priced_by].map(prices) if priced_by == "product_id" else frame[priced_by]
        unit_price = pd.to_numeric(price, errors="coerce").to_numpy(float)
        value = qty * unit_price
        # A quantity or price above its own ceiling is already an error at its cell.
        most = TABLES[name].column(column).maximum or np.inf
        with np.errstate(invalid="ignore"):
            bad = np.flatnonzero(
                (value > MAX_LINE_VALUE_EUR_HT) & (qty <= most) & (unit_price <= MAX_PRICE)
            )
        if not len(bad):
            continue
        msg = _(
            "{qty} at {price} EUR excl. VAT is worth {value}, above {limit} EUR excl. VAT for one "
            "line: a code or an exponent typed in a number?"
        )
        limit = format_number(MAX_LINE_VALUE_EUR_HT)
        out = Collector(TABLES[name], files.get(name), source_rows(frame))
        msgs = [
            msg.format(
                qty=format_figure(qty[i]),
                price=format_figure(unit_price[i]),
                value=format_significant(value[i], 3),
                limit=limit,
            )
            for i in bad
        ]
        out.add(bad, column, msgs)
        problems += out.problems
    return problems
