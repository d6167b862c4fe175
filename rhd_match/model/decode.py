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

#: Plans are stated to the gram: a part of a demand row (one supplier's flow, or the
#: conventional purchase) under this many kg is a solver's residue (a flow of 1.1e-05 kg
#: beside 29.999989 kg), merged into the row's largest part (``merge_residues``).
RESOLUTION_KG = 1e-3
#: Relative and absolute tolerance to which a merge must keep every model row that held
#: (the checker's own, ``rhd_match.check``): a merge that would break one is not made.
ROW_TOL = 1e-6


def clean_flows(model: LinearModel, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Arc and conventional quantities without solver noise; demand rows add up exactly, and
    no part of one is under ``RESOLUTION_KG`` unless merging it would break a rule.

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
    return merge_residues(model, values, qty, x, v)


def merge_residues(
    model: LinearModel, values: np.ndarray, qty: np.ndarray, x: np.ndarray, v: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each demand row's parts under ``RESOLUTION_KG`` merged into its largest part, except
    in the rows whose merge would break a model row that the plan keeps (``ROW_TOL``).

    A solver meets its rows to about 1e-7 of their scale, which leaves flows of a few
    milligrams and 29.999989 kg where 30 kg was meant; on purchase files and order sheets they
    become lines worth 0.00 EUR. Merging moves under a gram per part, and the row's largest
    part is then set so that the row adds up exactly.

    Parameters
    ----------
    model
        The model the plan belongs to.
    values
        The plan's solution vector, shape (columns,): its other columns (drops, lots) are
        kept when the merged plan is held against the model's rows.
    qty
        What each demand row needs, shape (demand rows,), in the product's unit.
    x, v
        Quantity per arc, shape (arcs,), and conventional quantity per demand row, shape
        (demand rows,), in the product's unit; each row adds up to ``qty``.

    Returns
    -------
    x, v : numpy.ndarray
        The same quantities, residues merged; each row still adds up to ``qty``.
    """
    index = model.index
    demand_pos = index.arcs["demand"].to_numpy()
    tiny_x = (x > 0) & (x * index.arcs["kg_per_unit"].to_numpy() < RESOLUTION_KG)
    tiny_v = (v > 0) & (v * index.demand["kg_per_unit"].to_numpy() < RESOLUTION_KG)
    if not (tiny_x.any() or tiny_v.any()):
        return x, v
    largest = np.full(len(qty), -1)
    order = np.lexsort((-x, demand_pos))
    first = order[np.r_[True, demand_pos[order][1:] != demand_pos[order][:-1]]] if len(x) else order
    largest[demand_pos[first]] = first
    largest_x = np.where(largest >= 0, x[np.maximum(largest, 0)], 0.0)
    to_conventional = v >= largest_x  # the conventional purchase is the row's largest part
    tiny_v &= ~to_conventional
    arc_kept = largest[~to_conventional & (largest >= 0)]
    tiny_x[arc_kept] = False
    merged_x, merged_v = x.copy(), v.copy()
    merged_x[tiny_x], merged_v[tiny_v] = 0.0, 0.0
    rows = (np.bincount(demand_pos[tiny_x], minlength=len(qty)) > 0) | tiny_v
    local = np.bincount(demand_pos, merged_x, minlength=len(qty))
    into_v = rows & to_conventional
    merged_v[into_v] = np.clip(qty[into_v] - local[into_v], 0.0, None)
    into_x = rows & ~to_conventional
    arcs = largest[into_x]
    merged_x[arcs] += qty[into_x] - local[into_x] - merged_v[into_x]
    kept = _rows_kept(model, values, x, v, merged_x, merged_v)
    merged_x[np.isin(demand_pos, kept)] = x[np.isin(demand_pos, kept)]
    merged_v[kept] = v[kept]
    return merged_x, merged_v


def _rows_kept(
    model: LinearModel,
    values: np.ndarray,
    x: np.ndarray,
    v: np.ndarray,
    merged_x: np.ndarray,
    merged_v: np.ndarray,
) -> np.ndarray:
    """Demand rows to keep unmerged: those whose flows reach a model row that the merged plan
    breaks beyond ``ROW_TOL`` and the plan did not (more rows each round, until none)."""
    var = model.variables
    demand_pos = model.index.arcs["demand"].to_numpy()
    x_cols, v_cols = var.cols("x"), var.cols("v")

    # Hard targets and budgets fix their slacks' upper bound at 0: a merge may not use them.
    def excess(x: np.ndarray, v: np.ndarray) -> np.ndarray:
        return _excess(model, np.minimum(least_slacks(model, values, x, v), var.upper))

    before = excess(x, v)
    kept = np.zeros(len(v), bool)
    while True:
        broken = excess(
            np.where(kept[demand_pos], x, merged_x), np.where(kept, v, merged_v)
        ) > np.maximum(before, 0.0)
        if not broken.any():
            return np.flatnonzero(kept)
        columns = np.unique(model.matrix[np.flatnonzero(broken)].indices)
        arcs = np.searchsorted(x_cols, columns[np.isin(columns, x_cols)])
        rows = np.searchsorted(v_cols, columns[np.isin(columns, v_cols)])
        more = kept.copy()
        more[demand_pos[arcs]] = True
        more[rows] = True
        if (more == kept).all():  # nothing of the merge reaches the broken rows
            return np.flatnonzero(kept)
        kept = more


def _excess(model: LinearModel, values: np.ndarray) -> np.ndarray:
    """How far each model row is outside its bounds beyond ``ROW_TOL``, shape (rows,)."""
    activity = model.matrix @ values
    with np.errstate(invalid="ignore"):
        low = model.row_lower - activity - ROW_TOL * (1 + np.abs(model.row_lower))
        high = activity - model.row_upper - ROW_TOL * (1 + np.abs(model.row_upper))
    excess: np.ndarray = np.nan_to_num(np.maximum(low, high), nan=0.0, neginf=0.0)
    return excess


def least_slacks(
    model: LinearModel, values: np.ndarray, x: np.ndarray, v: np.ndarray
) -> np.ndarray:
    """``values`` with the flows ``x``, ``v`` and the EGalim shortfalls and budget overruns
    at their least values for them (other columns as given).

    A heuristic's plan leaves its shortfall and overrun columns where its last LP put them;
    the plan's objective counts them at these values.

    Parameters
    ----------
    model
        The model the plan belongs to.
    values
        A solution vector, shape (columns,).
    x, v
        Quantity per arc, shape (arcs,), and bought conventionally per demand row, shape
        (demand rows,), in the product's unit.

    Returns
    -------
    numpy.ndarray
        A copy of ``values``, shape (columns,), with those flows and least slacks (EUR HT).
    """
    var = model.variables
    values = values.copy()
    values[var.cols("x")], values[var.cols("v")] = x, v
    for block in ("short_quality", "short_organic", "short_meat_fish", "overrun"):
        values[var.cols(block)] = 0.0
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
    return values


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
    values = least_slacks(model, np.zeros(model.variables.count), x, v)
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
