"""The constraint families of pooled delivery through hubs (``docs/model.md``, *Hubs*).

The producer's side of a hub needs no family of its own: an arc via a hub belongs to its
producer's drop at the hub (drops, franco paid by the hub's whole order, drop count) and to
its producer's weekly capacity, shared with the direct arcs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .constraints import Rows, _rows
from .index import ModelIndex
from .variables import Variables


def define_hub_capacity_constraints(index: ModelIndex, var: Variables) -> Rows:
    """Hub handling: Σ_{a∈A(h,w)} m_a x_a ≤ K_h, for every hub and week with arcs via it."""
    arcs = index.arcs
    via = arcs["hub"].to_numpy() >= 0
    n_week = len(index.weeks)
    key = arcs["hub"].to_numpy(np.int64)[via] * n_week + arcs["week"].to_numpy()[via]
    uniq, row = np.unique(key, return_inverse=True)
    hub = uniq // n_week
    return _rows(
        "hub_capacity",
        [(row, var.cols("x")[via], arcs["kg_per_unit"].to_numpy()[via])],
        np.zeros(len(uniq)),
        index.hubs["capacity_kg"].to_numpy()[hub],
        pd.DataFrame({"hub": hub, "week": uniq % n_week}),
    )


def _hub_drop_rows(index: ModelIndex, var: Variables) -> tuple[np.ndarray, np.ndarray]:
    """Per arc via a hub drop with a variable: its row among those drops, and the arcs on."""
    binary = index.hub_drops["binary"].to_numpy()
    row_of = np.full(len(binary) + 1, -1)  # the last entry for direct arcs (hub_drop −1)
    row_of[np.flatnonzero(binary)] = np.arange(int(binary.sum()))
    arc_row = row_of[index.arcs["hub_drop"].to_numpy()]
    return arc_row, arc_row >= 0


def define_hub_drop_link_constraints(index: ModelIndex, var: Variables) -> Rows:
    """No hub drop, no delivery via the hub: Σ_{a∈A(h,c,w)} m_a x_a − U_e y_e ≤ 0, for hub
    drops e with a minimum."""
    drops = index.hub_drops[index.hub_drops["binary"].to_numpy()]
    arc_row, on = _hub_drop_rows(index, var)
    n = len(drops)
    return _rows(
        "hub_drop_link",
        [
            (arc_row[on], var.cols("x")[on], index.arcs["kg_per_unit"].to_numpy()[on]),
            (np.arange(n), var.cols("hub_y"), -drops["kg_bound"].to_numpy()),
        ],
        np.full(n, -np.inf),
        np.zeros(n),
        drops[["hub", "canteen", "week"]].reset_index(drop=True),
    )


def define_hub_min_drop_constraints(index: ModelIndex, var: Variables) -> Rows:
    """Hub minimum per drop: Σ_{a∈A(h,c,w)} m_a x_a − M_h y_e + σ_e ≥ 0, for hub drops e with
    a minimum M_h (kg); the slack σ_e (kg) is fixed to 0 except inside the repair heuristic."""
    drops = index.hub_drops[index.hub_drops["binary"].to_numpy()]
    arc_row, on = _hub_drop_rows(index, var)
    n = len(drops)
    return _rows(
        "hub_min_drop",
        [
            (arc_row[on], var.cols("x")[on], index.arcs["kg_per_unit"].to_numpy()[on]),
            (np.arange(n), var.cols("hub_y"), -drops["min_kg"].to_numpy()),
            (np.arange(n), var.cols("hub_slack"), np.ones(n)),
        ],
        np.zeros(n),
        np.full(n, np.inf),
        drops[["hub", "canteen", "week"]].reset_index(drop=True),
    )


def define_hub_constraints(index: ModelIndex, var: Variables) -> list[Rows]:
    """Every hub constraint family, in a fixed order (none rows when there is no hub).

    Parameters
    ----------
    index
        The model's index tables (``build_index``).
    var
        The column layout (``define_variables``).

    Returns
    -------
    list of Rows
        Hub capacity, hub drop link and hub minimum per drop.
    """
    return [
        define_hub_capacity_constraints(index, var),
        define_hub_drop_link_constraints(index, var),
        define_hub_min_drop_constraints(index, var),
    ]
