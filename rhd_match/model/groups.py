"""Substitutable demand in the model: product rows, group lines and their options.

A demand row naming a group (``rhd_match.inputs.groups``) is a **group line** l (canteen,
week, quantity Q_l in the group's unit of account); each product allowed to serve it is an
**option** o with a serving column s_o (product unit, 0 ≤ s_o ≤ u_o = share_o Q_l c_o).
The model's demand rows stay one per canteen × product × week (a **product row** d): its
need is its plain quantity D⁰_d plus the servings of the options on it, so that

    Σ_{a∈A(d)} x_a + v_d − Σ_{o∈O(d)} s_o = D⁰_d        (demand, ``constraints.py``)
    Σ_{o∈O(l)} s_o / c_o = Q_l                          (group, ``constraints.py``)

A scenario without groups has no option and no group row: its model is unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..inputs.groups import group_options, is_group_row
from ..inputs.scenario import Scenario
from ..plan.solution import MENU_COLUMNS


def product_rows(scenario: Scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The model's demand rows and the group options that serve on them.

    Parameters
    ----------
    scenario
        The validated scenario.

    Returns
    -------
    rows : pandas.DataFrame
        One row per canteen × product × week demanded plainly or open to a group:
        ``canteen_id``, ``product_id``, ``week``, ``qty`` (the most it may need: plain
        quantity plus every option's bound, product unit) and ``fixed`` (the plain quantity);
        plain rows first in the demand's order, then those only groups open.
    options : pandas.DataFrame
        ``group_options`` of the demand rows naming a group with a positive quantity, plus
        ``line`` (their demand row's rank among those rows) and ``demand`` (the position in
        ``rows`` of the product row it serves on).
    """
    demand = scenario.demand[scenario.demand["qty"] > 0].reset_index(drop=True)
    named = is_group_row(demand, scenario.groups)
    plain = demand[~named][["canteen_id", "product_id", "week", "qty"]]
    options = group_options(demand[named].reset_index(drop=True), scenario.groups)
    options = options.rename(columns={"row": "line"})
    keys = ["canteen_id", "product_id", "week"]
    served = options[keys].assign(qty=options["upper"], fixed=0.0)
    both = pd.concat([plain.assign(fixed=plain["qty"]), served], ignore_index=True)
    if options.empty:
        return both.reset_index(drop=True), options.assign(demand=np.zeros(0, np.int64))
    rows = both.groupby(keys, sort=False, as_index=False)[["qty", "fixed"]].sum()
    at = pd.MultiIndex.from_frame(rows[keys]).get_indexer(pd.MultiIndex.from_frame(options[keys]))
    return rows, options.assign(demand=at)


def group_lines(scenario: Scenario) -> pd.DataFrame:
    """The demand rows naming a group with a positive quantity, in the demand's order.

    Parameters
    ----------
    scenario
        The validated scenario.

    Returns
    -------
    pandas.DataFrame
        ``canteen_id``, ``group_id``, ISO ``week`` and ``qty`` (group unit).
    """
    demand = scenario.demand[scenario.demand["qty"] > 0]
    lines = demand[is_group_row(demand, scenario.groups)].reset_index(drop=True)
    return pd.DataFrame(
        {
            "canteen_id": lines["canteen_id"].astype(str).to_numpy(),
            "group_id": lines["product_id"].astype(str).to_numpy(),
            "week": lines["week"].astype(str).to_numpy(),
            "qty": lines["qty"].to_numpy(float),
        }
    )


def clean_servings(options: pd.DataFrame, qty: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Servings without solver noise: within their bounds, each line served exactly.

    Parameters
    ----------
    options
        The options (``line``, ``conversion``, ``upper``).
    qty
        Each group line's quantity, group unit, shape (lines,).
    s
        Servings as solved, shape (options,), product unit.

    Returns
    -------
    numpy.ndarray
        Servings, shape (options,): clipped to [0, u_o], then scaled per line so that
        Σ s_o / c_o = Q_l; a line with nothing served gets its first options in order.
    """
    line = options["line"].to_numpy()
    conv, upper = options["conversion"].to_numpy(float), options["upper"].to_numpy(float)
    s = np.clip(s, 0.0, upper)
    served = np.bincount(line, s / conv, minlength=len(qty))
    empty = served <= 0
    s = np.where(empty[line], first_fit(options, qty), s)
    served = np.bincount(line, s / conv, minlength=len(qty))
    scale = qty / np.where(served > 0, served, 1.0)
    out: np.ndarray = s * scale[line]
    return out


def first_fit(options: pd.DataFrame, qty: np.ndarray) -> np.ndarray:
    """A serving of every line by its options in order, each up to its bound (the mix of a
    plan that buys everything conventionally).

    Parameters
    ----------
    options
        The options (``line``, ``conversion``, ``upper``), grouped by line in order.
    qty
        Each group line's quantity, group unit, shape (lines,).

    Returns
    -------
    numpy.ndarray
        Servings, shape (options,), product unit.
    """
    line = options["line"].to_numpy()
    conv = options["conversion"].to_numpy(float)
    room = options["upper"].to_numpy(float) / conv  # group units
    before = np.cumsum(room) - room
    start = np.zeros(len(qty))
    first = np.r_[True, line[1:] != line[:-1]] if len(line) else np.zeros(0, bool)
    start[line[first]] = before[first]
    taken = np.clip(qty[line] - (before - start[line]), 0.0, room)
    fit: np.ndarray = taken * conv
    return fit


def menu_table(
    scenario: Scenario, rows: pd.DataFrame, options: pd.DataFrame, s: np.ndarray
) -> pd.DataFrame:
    """The menu as planned: what each canteen cooks each week, keyed like the demand.

    Parameters
    ----------
    scenario
        The scenario the model was built from.
    rows
        Its product rows (``canteen_id``, ``product_id``, ISO ``week``, ``fixed``).
    options
        Its options (``demand``: the product row served on, ``group_id``, ``conversion``).
    s
        The servings, shape (options,), product unit (``clean_servings``).

    Returns
    -------
    pandas.DataFrame
        One row per demand row × product serving it with a positive quantity:
        ``canteen_id``, ``group_id`` (the demand row's ``product_id``: a group, or the
        product itself for a plain row), ISO ``week``, ``product_id``, ``qty`` (product
        unit) and ``group_qty`` (the group's unit of account; the product unit for a plain
        row); sorted by canteen, week, group, product.
    """
    plain = rows[rows["fixed"] > 0]
    at = options["demand"].to_numpy()
    parts = [
        pd.DataFrame(
            {
                "canteen_id": plain["canteen_id"].astype(str).to_numpy(),
                "group_id": plain["product_id"].astype(str).to_numpy(),
                "week": plain["week"].astype(str).to_numpy(),
                "product_id": plain["product_id"].astype(str).to_numpy(),
                "qty": plain["fixed"].to_numpy(float),
                "group_qty": plain["fixed"].to_numpy(float),
            }
        ),
        pd.DataFrame(
            {
                "canteen_id": rows["canteen_id"].astype(str).to_numpy()[at],
                "group_id": options["group_id"].astype(str).to_numpy(),
                "week": rows["week"].astype(str).to_numpy()[at],
                "product_id": rows["product_id"].astype(str).to_numpy()[at],
                "qty": s,
                "group_qty": s / options["conversion"].to_numpy(float),
            }
        ),
    ]
    menu = pd.concat(parts, ignore_index=True)
    menu = menu[menu["qty"] > 0]
    keys = ["canteen_id", "week", "group_id", "product_id"]
    return menu.sort_values(keys, kind="stable").reset_index(drop=True)[list(MENU_COLUMNS)]


def conventional_menu(scenario: Scenario) -> pd.DataFrame:
    """The menu bought all conventional at least cost: each group line served by its options
    in order of reference cost per unit of account (reference price × conversion), each up to
    its share, which is optimal for a line's shares alone (a fractional knapsack).

    What a canteen pays today for a menu's choice, before any plan decides the mix: the
    "today" of budgets set per meal (``rhd_match.analysis.compliance``).

    Parameters
    ----------
    scenario
        The validated scenario.

    Returns
    -------
    pandas.DataFrame
        A menu as ``menu_table`` makes it (``canteen_id``, ``group_id``, ISO ``week``,
        ``product_id``, ``qty`` in product unit, ``group_qty``), for ``Scenario.as_planned``.
    """
    rows, options = product_rows(scenario)
    price = scenario.products.set_index("product_id")["reference_price_eur_ht"]
    cost = price.reindex(options["product_id"]).to_numpy(float) * options["conversion"]
    order = np.lexsort((cost.to_numpy(), options["line"].to_numpy()))
    ranked = options.iloc[order]
    cap = (ranked["upper"] / ranked["conversion"]).to_numpy(float)  # group units
    before = ranked.assign(cap=cap).groupby("line", sort=False)["cap"].cumsum().to_numpy() - cap
    taken = np.clip(ranked["qty"].to_numpy(float) - before, 0.0, cap)
    servings = np.empty(len(options))
    servings[order] = taken * ranked["conversion"].to_numpy(float)
    return menu_table(scenario, rows, options, servings)
