"""The greedy adviser: what a person does in a spreadsheet, as a baseline for the optimiser.

Week by week, each canteen's needs are served from the producers within reach, delivering
direct (never through a hub), organic first, then nearest first, until stock, weekly capacity
or the producer's drops run out. A drop that does not reach the producer's minimum order is
cancelled (the producer would not come), and what is left is bought from the conventional
supplier. Then, canteen by canteen, the market's labelled options (``scenario.market``)
replace conventional purchases until each EGalim target is met, meat and fish first, then
quality, then organic (which counts towards quality), each time from the option that closes a
euro of shortfall at the least extra cost, one option per demand row, within each option's
weekly limit. The plan meets every delivery rule; it pays no attention to budgets.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from rhd_match.inputs.scenario import Scenario
from rhd_match.model.decode import flows_from_quantities
from rhd_match.model.index import ModelIndex, build_index


def greedy_flows(scenario: Scenario) -> pd.DataFrame:
    """The greedy adviser's plan as a ``flows`` table (see ``docs/model.md``)."""
    index = build_index(scenario)
    arcs, offers, demand = index.arcs, index.offers, index.demand
    stock = offers["qty"].to_numpy().copy()
    capacity = index.producers["capacity_kg"].to_numpy()
    max_drops = index.producers["max_drops"].to_numpy()
    franco = index.producers["franco"].to_numpy()
    x = np.zeros(len(arcs))
    # Serve canteens in input order, each demand row from its producers' arcs: organic, then
    # nearest (the market comes after, for the targets).
    order = np.lexsort(
        (
            arcs["distance_km"].to_numpy(),
            ~arcs["organic"].to_numpy(),
            arcs["demand"].to_numpy(),
            arcs["week"].to_numpy(),
        )
    )
    # Direct deliveries only: the adviser does not pool orders through hubs (a hub's drop
    # has a minimum over every member's order, which a canteen-by-canteen pass cannot see).
    direct = ~arcs["market"].to_numpy() & (arcs["hub"].to_numpy() < 0)
    order = order[direct[order]]
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
    buy_labels(index, x, rest, stock)
    return flows_from_quantities(scenario, index, x, rest)


def buy_labels(index: ModelIndex, x: np.ndarray, rest: np.ndarray, stock: np.ndarray) -> None:
    """Replace conventional purchases by market options until each canteen meets its targets.

    Per canteen and target (meat and fish, then quality, then organic), each market arc that
    may serve a demand row still bought conventionally gains ``π − T (π − r)`` EUR HT of
    labelled value net of the target's share of the value added per unit; arcs are taken by
    extra cost per euro gained, ``(π − r) / gain``, the cheapest per demand row, until the
    shortfall ``T V − L`` is closed. ``x`` (units per arc), ``rest`` (units per demand row
    bought conventionally) and ``stock`` (units left per offer) are updated in place.
    """
    arcs, can = index.arcs, index.canteens
    market = np.flatnonzero(arcs["market"].to_numpy())
    if not len(market):
        return
    a_can = arcs["canteen"].to_numpy()
    a_demand, a_offer = arcs["demand"].to_numpy(), arcs["offer"].to_numpy()
    price, ref = arcs["price"].to_numpy(), arcs["ref_price"].to_numpy()
    quality, organic = arcs["quality"].to_numpy(bool), arcs["organic"].to_numpy(bool)
    a_mf = arcs["meat_fish"].to_numpy(bool)
    d_can, d_mf = index.demand["canteen"].to_numpy(), index.demand["meat_fish"].to_numpy(bool)
    d_ref = index.demand["ref_price"].to_numpy()
    n = len(index.canteen_ids)

    def per_canteen(on: np.ndarray, d_on: np.ndarray | None = None) -> np.ndarray:
        """EUR HT per canteen of the arcs ``on`` at their price (and the demand rows ``d_on``
        bought conventionally, at the reference price)."""
        out: np.ndarray = np.bincount(a_can[on], (price * x)[on], minlength=n)
        if d_on is not None:
            out += np.bincount(d_can[d_on], (d_ref * rest)[d_on], minlength=n)
        return out

    every = np.ones(len(arcs), bool)
    # Organic last: organic lines count towards quality too, so buying them never undoes the
    # earlier passes, while a quality line bought after organic would dilute the organic share.
    passes = (  # (label, arcs in scope, demand rows in scope, target column)
        (quality & a_mf, a_mf, d_mf, "target_meat_fish"),
        (quality, every, np.ones(len(rest), bool), "target_quality"),
        (organic, every, np.ones(len(rest), bool), "target_organic"),
    )
    market = market[np.argsort(a_can[market], kind="stable")]
    starts = np.searchsorted(a_can[market], np.arange(n + 1))
    for label, scope, d_scope, column in passes:
        target = can[column].to_numpy(float)
        value, labelled = per_canteen(scope, d_scope), per_canteen(label)
        for c in range(n):
            mine = market[starts[c] : starts[c + 1]]
            mine = mine[label[mine] & scope[mine]]
            need = target[c] * value[c] - labelled[c]
            if need <= 1e-9 or not len(mine):
                continue
            gain = price[mine] - target[c] * (price[mine] - ref[mine])
            room = np.minimum(rest[a_demand[mine]], stock[a_offer[mine]])
            keep = (gain > 0) & (room > 1e-9)
            mine, gain, room = mine[keep], gain[keep], room[keep]
            rank = np.lexsort((mine, (price[mine] - ref[mine]) / gain))
            mine, gain, room = mine[rank], gain[rank], room[rank]
            first = np.unique(a_demand[mine], return_index=True)[1]
            first.sort()
            mine, gain, room = mine[first], gain[first], room[first]
            reached = np.cumsum(gain * room)
            k = int(np.searchsorted(reached, need))
            qty = room.copy()
            qty[k + 1 :] = 0.0
            if k < len(qty):
                qty[k] = (need - (reached[k - 1] if k else 0.0)) / gain[k]
            x[mine] += qty
            rest[a_demand[mine]] -= qty
            np.subtract.at(stock, a_offer[mine], qty)
