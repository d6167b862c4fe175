"""The menu as planned: each demand row naming a group of substitutable products
(``scenario.groups``) served by its products within their shares and weeks, in full in the
group's unit of account; and the demand the plan's flows must then meet.

The rules are restated from ``docs/input-format.md`` (``groups``) on purpose apart from
``rhd_match.inputs.groups``: a product's conversion (empty: 1) turns one unit of the group's
account into product units; its share (empty: 1) bounds what it serves of a row; its first and
last ISO weeks (empty: open) bound when it may serve.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..i18n import gettext as _
from ..inputs.scenario import Scenario
from .contract import Found, differs, each_row, exceeds, number

#: Columns a menu as planned must have (docs/model.md, "Solution tables").
MENU_COLUMNS = ("canteen_id", "group_id", "week", "product_id", "qty", "group_qty")


def _text(values: pd.Series) -> np.ndarray:
    out: np.ndarray = values.astype(object).fillna("").astype(str).str.strip().to_numpy()
    return out


def _season(group: str, first: str, last: str) -> str:
    """Why a product served ``group`` out of its weeks: from ``first`` to ``last`` (an empty
    end open, shown ``…``), or in ``first`` only when both ends are that week."""
    if first and first == last:
        return _("'{group}' may have it in {week} only").format(group=group, week=first)
    return _("'{group}' may have it from {first} to {last} only").format(
        group=group, first=first or "…", last=last or "…"
    )


def planned_demand(
    scenario: Scenario, menu: pd.DataFrame | None, found: Found, tol: float
) -> Scenario:
    """Check the menu as planned against the demand and groups; the scenario whose demand is
    the menu's (product rows), which the flows must meet.

    Parameters
    ----------
    scenario
        The input tables.
    menu
        The plan's menu (``MENU_COLUMNS``); None or empty when the plan has none.
    found
        Collects each broken rule as a violation (rules ``menu_*``).
    tol
        Relative and absolute tolerance.

    Returns
    -------
    Scenario
        ``scenario`` itself when no demand row names a group; else the same tables with the
        menu's quantities, added up per canteen × product × week, as demand.
    """
    groups = scenario.groups
    named = set(_text(groups["group_id"]))
    dem = pd.DataFrame(
        {
            "canteen_id": _text(scenario.demand["canteen_id"]),
            "group_id": _text(scenario.demand["product_id"]),
            "week": _text(scenario.demand["week"]),
            "demand_qty": scenario.demand["qty"].to_numpy(float),
        }
    )
    if not dem["group_id"].isin(named).any():
        return scenario
    if menu is None or menu.empty or any(c not in menu.columns for c in MENU_COLUMNS):
        found.add(
            "menu_table",
            pd.DataFrame({c: [""] for c in ("canteen_id", "producer_id", "product_id", "week")}),
            "demand names groups of products and the plan has no menu as planned with columns "
            + ", ".join(MENU_COLUMNS),
            ids=(),
        )
        return scenario
    plan = pd.DataFrame(
        {
            "canteen_id": _text(menu["canteen_id"]),
            "group_id": _text(menu["group_id"]),
            "week": _text(menu["week"]),
            "product_id": _text(menu["product_id"]),
            "qty": pd.to_numeric(menu["qty"], errors="coerce").to_numpy(float),
        }
    )
    rule = pd.DataFrame(
        {
            "group_id": _text(groups["group_id"]),
            "product_id": _text(groups["product_id"]),
            "conversion": pd.to_numeric(groups["conversion"], errors="coerce").fillna(1.0),
            "max_share": pd.to_numeric(groups["max_share"], errors="coerce").fillna(1.0),
            "first": _text(groups["first_week"]),
            "last": _text(groups["last_week"]),
        }
    )
    # A plain demand row is a group of one: its own product, conversion 1, share 1.
    plain = dem[~dem["group_id"].isin(named)][["group_id"]].drop_duplicates()
    rule = pd.concat(
        [rule, plain.assign(product_id=plain["group_id"], conversion=1.0, max_share=1.0)],
        ignore_index=True,
    ).fillna({"first": "", "last": ""})
    keys = ["canteen_id", "group_id", "week"]
    lines = plan.merge(dem, on=keys, how="left").merge(
        rule, on=["group_id", "product_id"], how="left"
    )
    lines["group_qty"] = lines["qty"] / lines["conversion"]
    found.add(
        "negative_qty",
        lines,
        each_row(lambda q: _("menu quantity {qty} is negative").format(qty=number(q)), "qty"),
        ids=("canteen_id", "product_id", "week"),
        where=lines["qty"].to_numpy() < -tol,
    )
    no_row = lines["demand_qty"].isna().to_numpy()
    found.add(
        "menu_product",
        lines,
        each_row(
            lambda g: _("no demand row names '{group}' for that canteen and week").format(group=g),
            "group_id",
        ),
        ids=("canteen_id", "product_id", "week"),
        where=no_row,
    )
    outside = ~no_row & lines["conversion"].isna().to_numpy()
    found.add(
        "menu_product",
        lines,
        each_row(lambda g: _("the product does not serve '{group}'").format(group=g), "group_id"),
        ids=("canteen_id", "product_id", "week"),
        where=outside,
    )
    week = lines["week"].to_numpy(str)
    first, last = lines["first"].fillna("").to_numpy(str), lines["last"].fillna("").to_numpy(str)
    off_season = ((first != "") & (week < first)) | ((last != "") & (week > last))
    served = lines["qty"].to_numpy() > tol
    found.add(
        "menu_week",
        lines,
        each_row(_season, "group_id", "first", "last"),
        ids=("canteen_id", "product_id", "week"),
        where=~outside & ~no_row & off_season & served,
    )
    most = lines["max_share"].to_numpy() * lines["demand_qty"].to_numpy()
    found.add(
        "menu_share",
        lines.assign(most=most),
        each_row(
            lambda g, q, m, s: _(
                "serves {qty} of '{group}' (its unit), above its share {share}: at most {most}"
            ).format(qty=number(q), group=g, share=number(s), most=number(m)),
            "group_id",
            "group_qty",
            "most",
            "max_share",
        ),
        ids=("canteen_id", "product_id", "week"),
        where=~outside & exceeds(lines["group_qty"].to_numpy(), most, tol),
    )
    total = lines.groupby(keys, sort=False)["group_qty"].sum()
    got = dem.merge(total.rename("served").reset_index(), on=keys, how="left")
    got["served"] = got["served"].fillna(0.0)
    found.add(
        "menu_total",
        got.rename(columns={"group_id": "product_id"}),
        each_row(
            lambda d, s: _("demand {demand} (its unit), the menu serves {served}").format(
                demand=number(d), served=number(s)
            ),
            "demand_qty",
            "served",
        ),
        ids=("canteen_id", "product_id", "week"),
        where=differs(got["served"].to_numpy(), got["demand_qty"].to_numpy(), tol),
    )
    by_product = plan.groupby(["canteen_id", "product_id", "week"], sort=False)["qty"].sum()
    return scenario.with_demand(by_product.reset_index())
