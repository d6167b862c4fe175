"""Objective coefficients (minimised); the formula is in ``docs/model.md``, *Objective*."""

from __future__ import annotations

import numpy as np

from ..params import Weights
from .index import ModelIndex
from .variables import Variables

#: Penalty per EUR HT of franco slack, and per kg short of a hub's minimum drop, inside the
#: repair heuristic: far above every other term.
FRANCO_SLACK_PENALTY = 1e4


def define_objective(index: ModelIndex, var: Variables, weights: Weights) -> np.ndarray:
    """Cost vector c with objective c·x (EUR-weighted; see ``docs/model.md``).

    Parameters
    ----------
    index
        The model's index tables.
    var
        The column layout.
    weights
        The objective's weights (``Weights``): per EUR HT of EGalim shortfall, budget
        overrun, local and organic purchase and spending; per kg·km delivered.

    Returns
    -------
    numpy.ndarray
        The cost per column, shape (columns,).
    """
    arcs, demand = index.arcs, index.demand
    c = np.zeros(var.count)
    ref = arcs["ref_price"].to_numpy()
    c[var.cols("x")] = (
        -weights.local * arcs["local"].to_numpy(float) * ref
        - weights.organic * arcs["organic"].to_numpy(float) * ref
        + weights.cost * arcs["price"].to_numpy()
        + weights.distance * arcs["distance_km"].to_numpy() * arcs["kg_per_unit"].to_numpy()
    )
    c[var.cols("v")] = weights.cost * demand["ref_price"].to_numpy()
    for block in ("short_quality", "short_organic", "short_meat_fish"):
        c[var.cols(block)] = weights.egalim_shortfall
    c[var.cols("overrun")] = weights.budget_overrun
    c[var.cols("franco_slack")] = FRANCO_SLACK_PENALTY * max(weights.egalim_shortfall, 1.0)
    c[var.cols("hub_slack")] = FRANCO_SLACK_PENALTY * max(weights.egalim_shortfall, 1.0)
    return c


def purchase_value(index: ModelIndex, var: Variables) -> np.ndarray:
    """Per column: EUR HT per unit of purchase value (π on ``x``, r on ``v``, 0 elsewhere).

    Parameters
    ----------
    index
        The model's index tables.
    var
        The column layout.

    Returns
    -------
    numpy.ndarray
        EUR HT per unit of each column, shape (columns,).
    """
    value = np.zeros(var.count)
    value[var.cols("x")] = index.arcs["price"].to_numpy(float)
    value[var.cols("v")] = index.demand["ref_price"].to_numpy(float)
    return value


def organic_value(index: ModelIndex, var: Variables) -> np.ndarray:
    """Per column: EUR HT per unit of organic purchase value (b π on ``x``, 0 elsewhere).

    Parameters
    ----------
    index
        The model's index tables.
    var
        The column layout.

    Returns
    -------
    numpy.ndarray
        EUR HT per unit of each column, shape (columns,).
    """
    organic = np.zeros(var.count)
    arcs = index.arcs
    organic[var.cols("x")] = arcs["organic"].to_numpy(float) * arcs["price"].to_numpy(float)
    return organic
