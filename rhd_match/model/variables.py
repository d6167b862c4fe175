"""Column layout of the allocation model: one contiguous block per variable family."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..params import Parameters
from .index import ModelIndex

BLOCKS = (
    "x",
    "v",
    "y",
    "z",
    "short_quality",
    "short_organic",
    "short_meat_fish",
    "overrun",
    "franco_slack",
    "s",
    "hub_y",
    "hub_slack",
)


@dataclass(frozen=True)
class Variables:
    """Where each family of variables sits in the column vector, with bounds.

    * ``x`` per arc (unit), ``v`` per demand row (unit, conventional purchase);
    * ``y`` per drop needing a binary (``drop_rows`` gives its row in ``index.drops``);
    * ``z`` per arc with a minimum lot (``lot_arcs`` gives its arc);
    * ``short_*`` per canteen (EUR HT), ``overrun`` per canteen with a budget
      (``budget_canteens``);
    * ``franco_slack`` per binary drop (EUR HT), fixed to 0 except inside the repair heuristic;
    * ``s`` per group option (unit): what that product serves of its group line
      (``rhd_match.model.groups``), at most its share;
    * ``hub_y`` per hub drop with a minimum (``index.hub_drops`` rows whose ``binary`` is set,
      in order); ``hub_slack`` per such drop (kg short of the hub's minimum), fixed to 0
      except inside the repair heuristic.
    """

    start: dict[str, int]
    size: dict[str, int]
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray
    drop_rows: np.ndarray
    drop_var: np.ndarray  # per drop row: its y column, or -1 when no binary is needed
    lot_arcs: np.ndarray
    budget_canteens: np.ndarray

    @property
    def count(self) -> int:
        return len(self.lower)

    def cols(self, block: str) -> np.ndarray:
        """Column indices of one block.

        Parameters
        ----------
        block
            A block name (``x``, ``v``, ``y``, ``z``, ``franco_slack``, ``short_quality``...).

        Returns
        -------
        numpy.ndarray
            The block's column positions, in order.
        """
        return np.arange(self.start[block], self.start[block] + self.size[block])


def define_variables(index: ModelIndex, params: Parameters) -> Variables:
    """Lay out the columns and their bounds (see ``docs/model.md``, *Variables*).

    Parameters
    ----------
    index
        The model's index tables.
    params
        The scenario's parameters (hard modes fix the shortfall and overrun columns to 0).

    Returns
    -------
    Variables
        The column blocks with their bounds and binaries.
    """
    arcs, drops = index.arcs, index.drops
    drop_rows = np.flatnonzero(drops["binary"].to_numpy())
    lot_arcs = np.flatnonzero(arcs["lot"].to_numpy() > 0)
    budget_canteens = np.flatnonzero(~np.isnan(index.canteens["budget"].to_numpy()))
    n_can = len(index.canteen_ids)
    size = {
        "x": len(arcs),
        "v": len(index.demand),
        "y": len(drop_rows),
        "z": len(lot_arcs),
        "short_quality": n_can,
        "short_organic": n_can,
        "short_meat_fish": n_can,
        "overrun": len(budget_canteens),
        "franco_slack": len(drop_rows),
        "s": len(index.group_options),
        "hub_y": int(index.hub_drops["binary"].sum()),
        "hub_slack": int(index.hub_drops["binary"].sum()),
    }
    start, pos = {}, 0
    for name in BLOCKS:
        start[name], pos = pos, pos + size[name]
    lower = np.zeros(pos)
    upper = np.full(pos, np.inf)
    integer = np.zeros(pos, bool)

    def block(name: str) -> slice:
        return slice(start[name], start[name] + size[name])

    upper[block("x")] = arcs["ub"].to_numpy()
    upper[block("y")] = 1.0
    upper[block("z")] = 1.0
    integer[block("y")] = True
    integer[block("z")] = True
    upper[block("hub_y")] = 1.0
    integer[block("hub_y")] = True
    upper[block("franco_slack")] = 0.0
    upper[block("hub_slack")] = 0.0
    upper[block("s")] = index.group_options["upper"].to_numpy(float)
    if params.hard_egalim:
        for name in ("short_quality", "short_organic", "short_meat_fish"):
            upper[block(name)] = 0.0
    if params.hard_budget:
        upper[block("overrun")] = 0.0
    drop_var = np.full(len(drops), -1, np.int64)
    drop_var[drop_rows] = start["y"] + np.arange(len(drop_rows))
    return Variables(
        start, size, lower, upper, integer, drop_rows, drop_var, lot_arcs, budget_canteens
    )
