"""Substitutable demand: demand rows naming a group of products (the ``groups`` table).

A demand row whose ``product_id`` is a ``group_id`` asks for ``qty`` units of the group's
account (kg served, portions...) in its canteen and week; product ``k`` of the group serves
``s_k`` product units, and the row is met when

    Σ_k s_k / conversion_k = qty,    0 ≤ s_k ≤ max_share_k × qty × conversion_k,

over the products whose weeks (``first_week`` … ``last_week``) hold the row's week. A plain
product row is a group of one (conversion 1, share 1). Which mix serves each row is the
optimiser's choice (``docs/model.md``, *Substitutable demand*).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import Problem
from ..i18n import format_share
from ..i18n import gettext as _
from .validation import source_rows

#: Columns of ``group_options``.
OPTION_COLUMNS = (
    "row",
    "canteen_id",
    "group_id",
    "week",
    "qty",
    "product_id",
    "conversion",
    "max_share",
    "upper",
)
#: Σ max_share of a row's products may fall this far below 1 (rounding in a file).
SHARE_TOL = 1e-9


def group_options(demand: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Every product that may serve each demand row naming a group, in its week.

    Parameters
    ----------
    demand
        The ``demand`` table (``canteen_id``, ``product_id``, ``week``, ``qty``).
    groups
        The ``groups`` table.

    Returns
    -------
    pandas.DataFrame
        One row per demand row naming a group × product of the group allowed in its week,
        in demand order then the group's order: ``row`` (position in ``demand``),
        ``canteen_id``, ``group_id``, ISO ``week``, ``qty`` (group unit), ``product_id``,
        ``conversion`` (product unit per group unit), ``max_share`` (fraction) and ``upper``
        (most of the product serving the row, product unit).
    """
    grp = pd.DataFrame(
        {
            "group_id": groups["group_id"].astype(str).to_numpy(),
            "product_id": groups["product_id"].astype(str).to_numpy(),
            "conversion": groups["conversion"].fillna(1.0).to_numpy(float),
            "max_share": groups["max_share"].fillna(1.0).to_numpy(float),
            # ISO week strings of one format sort as the weeks do; "~" after every week.
            "first": groups["first_week"].fillna("").astype(str).to_numpy(),
            "last": groups["last_week"].fillna("~").astype(str).to_numpy(),
        }
    )
    dem = pd.DataFrame(
        {
            "row": np.arange(len(demand)),
            "canteen_id": demand["canteen_id"].astype(str).to_numpy(),
            "group_id": demand["product_id"].astype(str).to_numpy(),
            "week": demand["week"].astype(str).to_numpy(),
            "qty": demand["qty"].to_numpy(float),
        }
    )
    out = dem.merge(grp, on="group_id", how="inner", sort=False)
    out = out[(out["week"] >= out["first"]) & (out["week"] <= out["last"])]
    out = out.sort_values("row", kind="stable").reset_index(drop=True)
    out["upper"] = out["max_share"] * out["qty"] * out["conversion"]
    return out[list(OPTION_COLUMNS)]


def is_group_row(demand: pd.DataFrame, groups: pd.DataFrame) -> np.ndarray:
    """Whether each demand row names a group (bool, shape (len(demand),)).

    Parameters
    ----------
    demand
        The ``demand`` table.
    groups
        The ``groups`` table.

    Returns
    -------
    numpy.ndarray
        True where the row's ``product_id`` is a ``group_id``.
    """
    named: np.ndarray = (
        demand["product_id"].astype(str).isin(set(groups["group_id"].astype(str))).to_numpy()
    )
    return named


def served_products(demand: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """The demand table with each row naming a group replaced by one row per product that may
    serve it (quantity: its most, product unit), for figures that need products.

    Parameters
    ----------
    demand
        The ``demand`` table.
    groups
        The ``groups`` table.

    Returns
    -------
    pandas.DataFrame
        ``canteen_id``, ``product_id``, ``week``, ``qty``: the plain rows, then the options.
    """
    plain = demand[~is_group_row(demand, groups)][["canteen_id", "product_id", "week", "qty"]]
    options = group_options(demand, groups)
    served = options[["canteen_id", "product_id", "week"]].assign(qty=options["upper"])
    return pd.concat([plain, served], ignore_index=True)


def check_groups(
    tables: Mapping[str, pd.DataFrame], files: Mapping[str, str | None]
) -> list[Problem]:
    """Rules across the groups and demand tables (each table is already valid on its own, a
    ``group_id`` that is a ``product_id`` already refused by ``check_references``): every
    demand row naming a group must be servable, the shares of the group's products allowed
    in its week adding up to at least 1.

    Parameters
    ----------
    tables
        The typed tables by name, references checked.
    files
        The file each table was read from, by name.

    Returns
    -------
    list of Problem
        One error per group row or demand row at fault, with its file, row and column.
    """
    groups, demand = tables["groups"], tables["demand"]
    if groups.empty:
        return []
    problems = []
    named = is_group_row(demand, groups)
    share = (
        group_options(demand, groups)
        .groupby("row")["max_share"]
        .sum()
        .reindex(np.arange(len(demand)), fill_value=0.0)
        .to_numpy()
    )
    short = named & (share < 1.0 - SHARE_TOL) & (demand["qty"].to_numpy(float) > 0)
    rows = source_rows(demand)
    for pos in np.flatnonzero(short):
        msg = _(
            "group '{group}' in week {week}: its products allowed that week may serve only "
            "{share} of the quantity (see max_share, first_week and last_week in groups)"
        ).format(
            group=demand["product_id"].iloc[pos],
            week=demand["week"].iloc[pos],
            share=format_share(float(share[pos])),
        )
        problems.append(Problem("demand", int(rows[pos]), "product_id", msg, files.get("demand")))
    return problems
