"""One function per constraint family; each returns its rows as sparse triplets.

Each function's docstring states its row in the notation of ``docs/model.md``. Rows carry a
``keys`` frame (canteen, producer, product, week codes) so that a binding or infeasible row can
be explained in domain words.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .index import ModelIndex
from .variables import Variables


@dataclass(frozen=True)
class Rows:
    """A family of rows: ``lower ≤ A[rows] · x ≤ upper``, with triplets local to the family,
    kept in the parts they were made of (``build`` writes each part once, straight into the
    model's matrix: concatenated here first, a 2-week chunk's 58 M nonzeros cost 5 s more at
    size L, measured)."""

    family: str
    parts: tuple[tuple[np.ndarray, np.ndarray, np.ndarray], ...]
    lower: np.ndarray
    upper: np.ndarray
    keys: pd.DataFrame

    @property
    def count(self) -> int:
        return len(self.lower)

    @property
    def nonzeros(self) -> int:
        """The triplets of its parts (zero values included)."""
        return sum(len(row) for row, _, _ in self.parts)


def _rows(
    family: str,
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    lower: np.ndarray,
    upper: np.ndarray,
    keys: pd.DataFrame,
) -> Rows:
    """A family of rows from its triplet parts.

    Parameters
    ----------
    family
        The family's name.
    parts
        (row, column, value) arrays, each of one shape (a scalar value is broadcast).
    lower, upper
        Row bounds, shape (rows,).
    keys
        Per row: the codes that name it (canteen, producer, hub, product, week).

    Returns
    -------
    Rows
        The family.
    """
    triplets = tuple((np.asarray(r), np.asarray(c), np.asarray(v)) for r, c, v in parts)
    return Rows(family, triplets, np.asarray(lower, float), np.asarray(upper, float), keys)


def define_demand_constraints(index: ModelIndex, var: Variables) -> Rows:
    """Demand met exactly: Σ_{a∈A(d)} x_a + v_d − Σ_{o∈O(d)} s_o = D⁰_d, for every demand
    row d (its plain quantity, plus what the group options o chose to serve on it)."""
    arcs, demand, options = index.arcs, index.demand, index.group_options
    fixed = demand["fixed"].to_numpy()
    return _rows(
        "demand",
        [
            (arcs["demand"].to_numpy(), var.cols("x"), np.ones(len(arcs))),
            (np.arange(len(demand)), var.cols("v"), np.ones(len(demand))),
            (options["demand"].to_numpy(), var.cols("s"), -np.ones(len(options))),
        ],
        fixed,
        fixed,
        demand[["canteen", "product", "week"]],
    )


def define_offer_constraints(index: ModelIndex, var: Variables) -> Rows:
    """Offer quantity: Σ_{a∈A(o)} x_a ≤ Q_o, for offers feeding more than one arc (a market
    option's weekly limit is such a row; an option without limit has none)."""
    offer = index.arcs["offer"].to_numpy()
    n_arcs = np.bincount(offer, minlength=len(index.offers))
    # An offer feeding a single arc is already bounded by x_a ≤ min(Q_o, D_d).
    shared = np.flatnonzero((n_arcs > 1) & np.isfinite(index.offers["qty"].to_numpy()))
    row_of = np.full(len(index.offers), -1)
    row_of[shared] = np.arange(len(shared))
    on = row_of[offer] >= 0
    return _rows(
        "offer",
        [(row_of[offer][on], var.cols("x")[on], np.ones(int(on.sum())))],
        np.zeros(len(shared)),
        index.offers["qty"].to_numpy()[shared],
        index.offers.iloc[shared][["producer", "product", "week"]].reset_index(drop=True),
    )


def define_capacity_constraints(index: ModelIndex, var: Variables) -> Rows:
    """Weekly delivery capacity: Σ_{a∈A(p,w)} m_a x_a ≤ K_p, for every producer and week
    (market options have no capacity: no row)."""
    arcs = index.arcs
    # The three columns used, not the whole arcs frame: at size L a chunk has millions of arcs.
    on = ~arcs["market"].to_numpy()
    n_week = len(index.weeks)
    key = arcs["producer"].to_numpy(np.int64)[on] * n_week + arcs["week"].to_numpy()[on]
    uniq, row = np.unique(key, return_inverse=True)
    producer = uniq // n_week
    return _rows(
        "capacity",
        [(row, var.cols("x")[on], arcs["kg_per_unit"].to_numpy()[on])],
        np.zeros(len(uniq)),
        index.producers["capacity_kg"].to_numpy()[producer],
        pd.DataFrame({"producer": producer, "week": uniq % n_week}),
    )


def define_drop_count_constraints(index: ModelIndex, var: Variables) -> Rows:
    """Drops per week: Σ_{g∈G(p,w)} y_g ≤ N_p, where drop variables exist."""
    producers = index.drops["producer"].to_numpy(np.int64)[var.drop_rows]
    n_week = len(index.weeks)
    key = producers * n_week + index.drops["week"].to_numpy()[var.drop_rows]
    uniq, row = np.unique(key, return_inverse=True)
    producer = uniq // n_week
    return _rows(
        "drops",
        [(row, var.cols("y"), np.ones(len(key)))],
        np.zeros(len(uniq)),
        index.producers["max_drops"].to_numpy(float)[producer],
        pd.DataFrame({"producer": producer, "week": uniq % n_week}),
    )


def define_drop_link_constraints(index: ModelIndex, var: Variables) -> Rows:
    """No drop, no delivery: Σ_{a∈A(g)} m_a x_a − U_g y_g ≤ 0, where drop variables exist."""
    arcs, drops = index.arcs, index.drops
    row_of = np.full(len(drops), -1)
    row_of[var.drop_rows] = np.arange(len(var.drop_rows))
    arc_row = row_of[arcs["drop"].to_numpy()]
    on = arc_row >= 0
    n = len(var.drop_rows)
    return _rows(
        "drop_link",
        [
            (arc_row[on], var.cols("x")[on], arcs["kg_per_unit"].to_numpy()[on]),
            (np.arange(n), var.cols("y"), -drops["kg_bound"].to_numpy()[var.drop_rows]),
        ],
        np.full(n, -np.inf),
        np.zeros(n),
        drops[["producer", "canteen", "week"]].iloc[var.drop_rows].reset_index(drop=True),
    )


def define_franco_constraints(index: ModelIndex, var: Variables) -> Rows:
    """Franco: Σ_{a∈A(g)} π°_a x_a − F_p y_g + σ_g ≥ 0 (σ_g fixed to 0 but in repair; π°_a
    the offer's price, without a hub's fee)."""
    arcs, drops = index.arcs, index.drops
    franco = drops["franco"].to_numpy()[var.drop_rows]
    with_franco = franco > 0
    row_of = np.full(len(drops), -1)
    row_of[var.drop_rows[with_franco]] = np.arange(int(with_franco.sum()))
    arc_row = row_of[arcs["drop"].to_numpy()]
    on = arc_row >= 0
    n = int(with_franco.sum())
    return _rows(
        "franco",
        [
            (arc_row[on], var.cols("x")[on], arcs["producer_price"].to_numpy()[on]),
            (np.arange(n), var.cols("y")[with_franco], -franco[with_franco]),
            (np.arange(n), var.cols("franco_slack")[with_franco], np.ones(n)),
        ],
        np.zeros(n),
        np.full(n, np.inf),
        drops[["producer", "canteen", "week"]]
        .iloc[var.drop_rows[with_franco]]
        .reset_index(drop=True),
    )


def define_lot_constraints(index: ModelIndex, var: Variables) -> Rows:
    """Minimum lot: x_a − L_o z_a ≥ 0 and x_a − u_a z_a ≤ 0, for arcs with a lot."""
    # The columns used, then the rows: at size L a chunk has millions of arcs.
    columns = ["producer", "canteen", "product", "week", "lot", "ub"]
    arcs = index.arcs[columns].iloc[var.lot_arcs]
    n = len(arcs)
    x, z = var.cols("x")[var.lot_arcs], var.cols("z")
    low, high = np.arange(n), n + np.arange(n)
    keys = arcs[["producer", "canteen", "product", "week"]].reset_index(drop=True)
    return _rows(
        "lot",
        [
            (low, x, np.ones(n)),
            (low, z, -arcs["lot"].to_numpy()),
            (high, x, np.ones(n)),
            (high, z, -arcs["ub"].to_numpy()),
        ],
        np.concatenate([np.zeros(n), np.full(n, -np.inf)]),
        np.concatenate([np.full(n, np.inf), np.zeros(n)]),
        pd.concat([keys, keys], ignore_index=True),
    )


def define_egalim_constraints(index: ModelIndex, var: Variables) -> list[Rows]:
    """EGalim shares per canteen over the horizon, by value (EUR HT), elastic:

    quality:     Σ_a (q_a − T^Q_c) π_a x_a − T^Q_c Σ_d r_d v_d + s^Q_c ≥ 0
    organic:     Σ_a (b_a − T^O_c) π_a x_a − T^O_c Σ_d r_d v_d + s^O_c ≥ 0
    meat & fish: Σ_{a: f_a} (q_a − T^M_c) π_a x_a − T^M_c Σ_{d: f_d} r_d v_d + s^M_c ≥ 0
    """
    arcs, demand, can = index.arcs, index.demand, index.canteens
    a_can, d_can = arcs["canteen"].to_numpy(), demand["canteen"].to_numpy()
    price, ref = arcs["price"].to_numpy(), demand["ref_price"].to_numpy()
    n_can = len(index.canteen_ids)
    families = (
        ("egalim_quality", "target_quality", arcs["quality"], "short_quality", None),
        ("egalim_organic", "target_organic", arcs["organic"], "short_organic", None),
        ("egalim_meat_fish", "target_meat_fish", arcs["quality"], "short_meat_fish", True),
    )
    out = []
    for family, target_col, counts, short, meat_fish_only in families:
        target = can[target_col].to_numpy()
        a_on = np.ones(len(arcs), bool)
        d_on = np.ones(len(demand), bool)
        if meat_fish_only:
            a_on = arcs["meat_fish"].to_numpy()
            d_on = demand["meat_fish"].to_numpy()
        a_coef = (counts.to_numpy(float) - target[a_can]) * price
        d_coef = -target[d_can] * ref
        out.append(
            _rows(
                family,
                [
                    (a_can[a_on], var.cols("x")[a_on], a_coef[a_on]),
                    (d_can[d_on], var.cols("v")[d_on], d_coef[d_on]),
                    (np.arange(n_can), var.cols(short), np.ones(n_can)),
                ],
                np.zeros(n_can),
                np.full(n_can, np.inf),
                pd.DataFrame({"canteen": np.arange(n_can)}),
            )
        )
    return out


def define_budget_constraints(index: ModelIndex, var: Variables) -> Rows:
    """Budget: Σ_a π_a x_a + Σ_d r_d v_d − e_c ≤ B_c, for canteens with a budget."""
    arcs, demand = index.arcs, index.demand
    row_of = np.full(len(index.canteen_ids), -1)
    row_of[var.budget_canteens] = np.arange(len(var.budget_canteens))
    a_row, d_row = row_of[arcs["canteen"].to_numpy()], row_of[demand["canteen"].to_numpy()]
    a_on, d_on = a_row >= 0, d_row >= 0
    n = len(var.budget_canteens)
    return _rows(
        "budget",
        [
            (a_row[a_on], var.cols("x")[a_on], arcs["price"].to_numpy()[a_on]),
            (d_row[d_on], var.cols("v")[d_on], demand["ref_price"].to_numpy()[d_on]),
            (np.arange(n), var.cols("overrun"), -np.ones(n)),
        ],
        np.full(n, -np.inf),
        index.canteens["budget"].to_numpy()[var.budget_canteens],
        pd.DataFrame({"canteen": var.budget_canteens}),
    )


def define_all_constraints(index: ModelIndex, var: Variables) -> list[Rows]:
    """Every constraint family of the model, in a fixed order.

    Parameters
    ----------
    index
        The model's index tables (``build_index``).
    var
        The column layout (``define_variables``).

    Returns
    -------
    list of Rows
        One ``Rows`` per constraint family, in the order ``build_model`` stacks them.
    """
    return [
        define_demand_constraints(index, var),
        define_offer_constraints(index, var),
        define_capacity_constraints(index, var),
        define_drop_count_constraints(index, var),
        define_drop_link_constraints(index, var),
        define_franco_constraints(index, var),
        define_lot_constraints(index, var),
        *define_egalim_constraints(index, var),
        define_budget_constraints(index, var),
        define_group_constraints(index, var),
    ]


def define_group_constraints(index: ModelIndex, var: Variables) -> Rows:
    """Group served in its unit of account: Σ_{o∈O(l)} s_o / c_o = Q_l, for every group line.

    Parameters
    ----------
    index
        The model's index tables (``group_lines``, ``group_options``).
    var
        The column layout (the serving block ``s``, one column per option).

    Returns
    -------
    Rows
        One equality row per group line, keyed by canteen and week.
    """
    lines, options = index.group_lines, index.group_options
    qty = lines["qty"].to_numpy(float)
    return _rows(
        "group",
        [(options["line"].to_numpy(), var.cols("s"), 1.0 / options["conversion"].to_numpy(float))],
        qty,
        qty,
        lines[["canteen", "week"]],
    )
