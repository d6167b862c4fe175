"""The weekly transport LPs over a few arcs per demand row and per offer, the others priced
out (column generation), with a lower bound from the duals whatever the round.

At size L the weekly transport LP of one ISO week has 3.3 M arc columns (about 38 per demand
row) and takes GLOP 15 CPU s and about 2.4 GB (measured, ISO week 3 of 2026): most arcs stay
at 0, dearer than a nearer producer or the conventional purchase. So the LP starts from each
demand row's ``budgets.ARCS_PER_DEMAND_ROW`` cheapest arcs at the week's prices and each
offer's as many arcs that save most against their canteen's conventional purchase (every
other column kept); its row duals y price every arc of the week, and the arcs of negative
reduced cost join it for another round, up to ``budgets.RESTRICTED_ROUNDS``. Measured on that
week: 0.46 M arcs in the first round (3.1 CPU s), the optimum within 3e-10 in the second
(4.3 CPU s), 3.5 GB peak instead of 4.9.

LP duality gives the bound: for any y whose signs fit the rows' finite bounds,

    Σ_j min(r_j l_j, r_j u_j) + Σ_i (y_i⁺ L_i − y_i⁻ U_i) ≤ min {c·x : L ≤ A x ≤ U, l ≤ x ≤ u},

with r = c − Aᵀy over all the week's columns (a Lagrangian of every row). It is the LP's
optimum once no arc prices out negative, and a valid, weaker bound when the rounds stop
before.
"""

from __future__ import annotations

import math

import numpy as np

from ..build import LinearModel
from . import budgets
from .executors import WeekProblem
from .subproblems import WeeklySolver

#: Reduced cost (objective units per unit of flow) below which an arc left out joins the LP.
PRICE_IN_BELOW = -1e-7
#: The rounds stop when the restricted LPs' objective is within this share of their bound.
CONVERGED = 1e-6
#: Reduced costs within this of 0 count as 0 on columns with an infinite bound (GLOP's
#: default dual feasibility tolerance).
DUAL_TOLERANCE = 1e-6


def cheapest_arcs(group: np.ndarray, cost: np.ndarray, count: int) -> np.ndarray:
    """Which arcs are among the ``count`` cheapest of their group.

    Parameters
    ----------
    group
        Each arc's group (its demand row, or its offer), shape (arcs,).
    cost
        Each arc's cost per unit, shape (arcs,).
    count
        Arcs kept per group.

    Returns
    -------
    numpy.ndarray
        Bool of shape (arcs,); ties broken by arc order.
    """
    order = np.lexsort((cost, group))
    sorted_group = group[order]
    first = np.ones(len(order), bool)
    first[1:] = sorted_group[1:] != sorted_group[:-1]
    start = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    keep = np.zeros(len(order), bool)
    keep[order] = np.arange(len(order)) - start < count
    return keep


def dual_bound(
    problem: WeekProblem,
    duals: np.ndarray,
    cost: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
) -> tuple[float, np.ndarray]:
    """A lower bound of one week's LP from row duals (see the module docstring), and the
    reduced costs of the week's columns.

    Parameters
    ----------
    problem
        The week.
    duals
        Its row duals, shape (week rows,): clipped to the signs the rows' bounds allow.
    cost, lower, upper
        The whole model's column costs and bounds, each of shape (columns,).
    row_lower, row_upper
        The whole model's row bounds, each of shape (rows,).

    Returns
    -------
    bound : float
        The bound (objective units); −inf when a reduced cost meets an infinite bound.
    reduced : numpy.ndarray
        c − Aᵀy over the week's columns, shape (week columns,).
    """
    low, high = row_lower[problem.rows], row_upper[problem.rows]
    y = np.where(np.isfinite(low), duals, np.minimum(duals, 0.0))
    y = np.where(np.isfinite(high), y, np.maximum(y, 0.0))
    reduced: np.ndarray = cost[problem.cols] - problem.matrix.T @ y
    col_low, col_high = lower[problem.cols], upper[problem.cols]
    # A column the LP priced (a conventional purchase, unbounded above) may keep a reduced
    # cost of the solver's tolerance on the wrong side of 0: it counts as 0 there.
    unbounded = ~np.isfinite(col_low) | ~np.isfinite(col_high)
    reduced = np.where(unbounded & (np.abs(reduced) <= DUAL_TOLERANCE), 0.0, reduced)
    with np.errstate(invalid="ignore"):
        columns = np.where(
            reduced > 0, reduced * col_low, np.where(reduced < 0, reduced * col_high, 0.0)
        )
        rows = np.where(y > 0, y * low, np.where(y < 0, y * high, 0.0))
    return float(columns.sum() + rows.sum()), reduced


def restricted_solve(
    model: LinearModel,
    weekly: WeeklySolver,
    problems: list[WeekProblem],
    cost: np.ndarray,
) -> tuple[np.ndarray, float, bool]:
    """The weekly transport LPs by column generation over the arcs (module docstring).

    Parameters
    ----------
    model
        The model (its arcs' demand rows, column bounds).
    weekly
        The weekly LP solver (its programme's row bounds).
    problems
        The weekly transport problems.
    cost
        Column costs, shape (columns,).

    Returns
    -------
    values : numpy.ndarray
        The last round's flows, shape (columns,): feasible for every week's LP.
    bound : float
        Σ over the weeks of their dual bounds; NaN when a week's LP did not reach its optimum.
    optimal : bool
        Every round's LPs reached their optimum.
    """
    var = model.variables
    lower, upper = var.lower, var.upper
    arcs, index = var.cols("x"), model.index.arcs
    demand = index["demand"].to_numpy()
    # Each demand row's cheapest arcs, and each offer's arcs that save the most against
    # their canteen's conventional purchase: where capacity binds, the cheapest arcs of
    # every canteen lead to the same producers (their LP is 6 times dearer at size L).
    saving = cost[arcs] - cost[var.cols("v")][demand]
    count = budgets.ARCS_PER_DEMAND_ROW
    keep = np.ones(var.count, bool)
    keep[arcs] = cheapest_arcs(demand, cost[arcs], count) | cheapest_arcs(
        index["offer"].to_numpy(), saving, count
    )
    row_lower, row_upper = weekly.row_bounds
    values, bound = np.zeros(var.count), math.nan
    for _round in range(budgets.RESTRICTED_ROUNDS):
        duals: list[np.ndarray] = []
        values, total, ok = weekly.solve(
            problems, cost, lower, np.where(keep, upper, 0.0), duals=duals
        )
        if not ok:
            return values, math.nan, False
        bound, left_out = 0.0, np.zeros(var.count, bool)
        for problem, y in zip(problems, duals, strict=True):
            week, reduced = dual_bound(problem, y, cost, lower, upper, row_lower, row_upper)
            bound += week
            cols = problem.cols
            left_out[cols] = (reduced < PRICE_IN_BELOW) & ~keep[cols] & (upper[cols] > 0)
        # At size L the second round ends within 3e-10 of the optimum, its arcs priced out
        # but a few hundred of 3.3 M a week (measured): a third round would gain nothing.
        if not left_out.any() or total - bound <= CONVERGED * abs(total):
            break
        keep |= left_out
    return values, bound, True
