"""The greedy adviser: what a person does in a spreadsheet, as a baseline for the optimiser.

Week by week, each canteen's needs are served from the producers within reach, organic first,
then nearest first, until stock, weekly capacity or the producer's drops run out. A drop that
does not reach the producer's minimum order is cancelled (the producer would not come), and
what is left is bought from the conventional supplier. The plan meets every delivery rule; it
pays no attention to EGalim targets or budgets beyond preferring organic.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from rhd_match.inputs.scenario import Scenario
from rhd_match.model.decode import flows_from_quantities
from rhd_match.model.index import build_index


def greedy_flows(scenario: Scenario) -> pd.DataFrame:
    """The greedy adviser's plan as a ``flows`` table (see ``docs/model.md``)."""
    index = build_index(scenario)
    arcs, offers, demand = index.arcs, index.offers, index.demand
    stock = offers["qty"].to_numpy().copy()
    capacity = index.producers["capacity_kg"].to_numpy()
    max_drops = index.producers["max_drops"].to_numpy()
    franco = index.producers["franco"].to_numpy()
    x = np.zeros(len(arcs))
    # Serve canteens in input order, each demand row from its arcs: organic, then nearest.
    order = np.lexsort(
        (
            arcs["distance_km"].to_numpy(),
            ~arcs["organic"].to_numpy(),
            arcs["demand"].to_numpy(),
            arcs["week"].to_numpy(),
        )
    )
    a_offer = arcs["offer"].to_numpy()[order]
    a_demand = arcs["demand"].to_numpy()[order]
    a_prod = arcs["producer"].to_numpy()[order]
    a_can = arcs["canteen"].to_numpy()[order]
    a_week = arcs["week"].to_numpy()[order]
    a_kg = arcs["kg_per_unit"].to_numpy()[order]
    a_drop = arcs["drop"].to_numpy()[order]
    a_lot = arcs["lot"].to_numpy()[order]
    needed = demand["qty"].to_numpy().copy()
    week_starts = np.flatnonzero(np.r_[True, a_week[1:] != a_week[:-1]])
    bounds = np.r_[week_starts, len(order)]
    for lo, hi in itertools.pairwise(bounds):
        kg_used: dict[int, float] = {}
        drops: dict[int, set[int]] = {}
        for i in range(lo, hi):
            d, o, p = a_demand[i], a_offer[i], a_prod[i]
            if needed[d] <= 0 or stock[o] <= 0:
                continue
            served = drops.setdefault(p, set())
            if a_can[i] not in served and len(served) >= max_drops[p]:
                continue
            room = (capacity[p] - kg_used.get(p, 0.0)) / a_kg[i]
            qty = min(needed[d], stock[o], room)
            if qty <= 1e-9 or qty < a_lot[i]:
                continue
            x[order[i]] += qty
            needed[d] -= qty
            stock[o] -= qty
            kg_used[p] = kg_used.get(p, 0.0) + qty * a_kg[i]
            served.add(a_can[i])
        # Cancel the week's drops below the franco: the producer would not make the trip.
        week_arcs = order[lo:hi]
        value = (
            pd.Series(x[week_arcs] * arcs["price"].to_numpy()[week_arcs])
            .groupby(a_drop[lo:hi])
            .transform("sum")
            .to_numpy()
        )
        short = (x[week_arcs] > 0) & (value < franco[a_prod[lo:hi]] - 1e-9)
        x[week_arcs[short]] = 0.0
    bought = np.bincount(arcs["demand"].to_numpy(), x, minlength=len(demand))
    rest = np.clip(demand["qty"].to_numpy() - bought, 0.0, None)
    x[x <= 1e-9] = 0.0
    rest[rest <= 1e-9] = 0.0
    return flows_from_quantities(scenario, index, x, rest)
