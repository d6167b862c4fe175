"""From the model's column vector back to a plan: quantities per arc and per demand row without
solver noise, the ``flows`` table they make, and the objective of a plan given by its flows.

The model's column layout is known here only; what comes out (``flows``) is keyed by the
input ids, so the plan tables (``rhd_match.plan.tables``) need nothing from the model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..inputs.scenario import Scenario
from ..plan.tables import make_flows
from .build import LinearModel
from .groups import clean_servings
from .index import ModelIndex
from .strategies import ZERO


def clean_flows(model: LinearModel, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Arc and conventional quantities without solver noise; demand rows add up exactly.

    Parameters
    ----------
    model
        The model the vector belongs to.
    values
        A solution vector, shape (columns,).

    Returns
    -------
    x : numpy.ndarray
        Quantity per arc, shape (arcs,), in the product's unit (kg, l or piece).
    v : numpy.ndarray
        Quantity bought conventionally per demand row, shape (demand rows,), same units.
    """
    index, var = model.index, model.variables
    x = np.clip(values[var.cols("x")], 0.0, index.arcs["ub"].to_numpy())
    x[x < ZERO] = 0.0
    demand_pos = index.arcs["demand"].to_numpy()
    qty = needs(model, values)
    local = np.bincount(demand_pos, x, minlength=len(qty))
    over = np.where(local > qty, qty / np.where(local > 0, local, 1.0), 1.0)
    x *= over[demand_pos]
    local = np.bincount(demand_pos, x, minlength=len(qty))
    v = np.clip(qty - local, 0.0, None)
    v[v < ZERO] = 0.0
    return x, v


def servings(model: LinearModel, values: np.ndarray) -> np.ndarray:
    """What each group option serves, without solver noise (``clean_servings``).

    Parameters
    ----------
    model
        The model the vector belongs to.
    values
        A solution vector, shape (columns,).

    Returns
    -------
    numpy.ndarray
        Product units per option, shape (options,); every group line served exactly.
    """
    index = model.index
    qty = index.group_lines["qty"].to_numpy(float)
    return clean_servings(index.group_options, qty, values[model.variables.cols("s")])


def needs(model: LinearModel, values: np.ndarray) -> np.ndarray:
    """What each demand row needs in a plan: its plain part plus its options' servings.

    Parameters
    ----------
    model
        The model the vector belongs to.
    values
        A solution vector, shape (columns,).

    Returns
    -------
    numpy.ndarray
        Product units per demand row, shape (demand rows,); ``qty`` without groups.
    """
    demand, options = model.index.demand, model.index.group_options
    if options.empty:
        need: np.ndarray = demand["qty"].to_numpy()
        return need
    return demand["fixed"].to_numpy() + np.bincount(
        options["demand"].to_numpy(), servings(model, values), minlength=len(demand)
    )


def plan_objective(model: LinearModel, x: np.ndarray, v: np.ndarray) -> float:
    """Objective of a plan given by its flows, shortfalls and overruns at their least values.

    Parameters
    ----------
    model
        The model whose objective is evaluated.
    x
        Quantity per arc, shape (arcs,).
    v
        Conventional quantity per demand row, shape (demand rows,).

    Returns
    -------
    float
        The objective (``docs/model.md``, EUR-weighted), shortfalls and overruns computed
        from the flows.
    """
    var = model.variables
    values = np.zeros(var.count)
    values[var.cols("x")], values[var.cols("v")] = x, v
    activity = model.matrix @ values
    for family, block in (
        ("egalim_quality", "short_quality"),
        ("egalim_organic", "short_organic"),
        ("egalim_meat_fish", "short_meat_fish"),
    ):
        rows = model.family(family)
        act = activity[rows.start : rows.start + rows.count]
        values[var.cols(block)] = np.clip(-act, 0.0, None)
    budget = model.family("budget")
    act = activity[budget.start : budget.start + budget.count]
    values[var.cols("overrun")] = np.clip(
        act - model.row_upper[budget.start :][: budget.count], 0.0, None
    )
    return float(model.objective @ values)


def flows_from_quantities(
    scenario: Scenario, index: ModelIndex, x: np.ndarray, v: np.ndarray
) -> pd.DataFrame:
    """A ``flows`` table from quantities per arc ``x`` and per demand row ``v`` (units).

    Parameters
    ----------
    scenario
        The scenario the model was built from.
    index
        Its index tables (arcs, demand rows).
    x
        Quantity per arc, shape (arcs,), in the product's unit.
    v
        Conventional quantity per demand row, shape (demand rows,), same units.

    Returns
    -------
    pandas.DataFrame
        The ``flows`` table (``rhd_match.plan.tables``): one row per supplier (a producer
        or the conventional one) × canteen × ISO week × product with a positive quantity.
    """
    arcs, demand = index.arcs, index.demand
    is_market = arcs["market"].to_numpy()
    on, von, mon = (x > 0) & ~is_market, v > 0, (x > 0) & is_market
    local = pd.DataFrame(
        {
            "producer_id": index.producer_ids[arcs["producer"].to_numpy()[on]],
            "hub_id": np.r_[index.hub_ids, [None]][
                arcs["hub"].to_numpy()[on]
            ],  # −1 (direct) picks the None
            "canteen_id": index.canteen_ids[arcs["canteen"].to_numpy()[on]],
            "product_id": index.product_ids[arcs["product"].to_numpy()[on]],
            "week": index.weeks[arcs["week"].to_numpy()[on]],
            "qty": x[on],
        }
    )
    market = pd.DataFrame(
        {
            "market_id": index.market_ids[
                arcs["producer"].to_numpy()[mon] - len(index.producer_ids)
            ],
            "canteen_id": index.canteen_ids[arcs["canteen"].to_numpy()[mon]],
            "product_id": index.product_ids[arcs["product"].to_numpy()[mon]],
            "week": index.weeks[arcs["week"].to_numpy()[mon]],
            "qty": x[mon],
        }
    )
    conventional = pd.DataFrame(
        {
            "canteen_id": index.canteen_ids[demand["canteen"].to_numpy()[von]],
            "product_id": index.product_ids[demand["product"].to_numpy()[von]],
            "week": index.weeks[demand["week"].to_numpy()[von]],
            "qty": v[von],
        }
    )
    return make_flows(scenario, local, conventional, market)
