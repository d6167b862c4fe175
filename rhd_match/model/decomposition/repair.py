"""Weekly repair: from open drops, re-solve the weeks until every open drop pays its franco
and every open hub drop carries the hub's minimum, then grow the open drops while the plan
improves (as ``solve_repair`` does for the whole model, but week by week at the multipliers'
prices)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...i18n import format_significant as sig
from ...i18n import gettext as _
from ...i18n import ngettext
from ..build import LinearModel
from ..strategies import (
    ZERO,
    Deadline,
    Reporter,
    add_hub_options,
    all_conventional,
    close_hub_drops,
    close_short_drops,
    drop_value,
    fixed_delivery,
    open_in_plan,
    short_of_minimums,
)
from . import budgets
from .executors import WeekProblem
from .subproblems import WeeklySolver


def weekly_repair(
    model: LinearModel,
    weekly: WeeklySolver,
    problems: list[WeekProblem],
    cost: np.ndarray,
    open_drop: np.ndarray,
    open_lot: np.ndarray,
    deadline: Deadline,
    log: Reporter,
    plan_objective: Callable[[np.ndarray], float],
    hub_options: tuple[np.ndarray, np.ndarray] | None = None,
    growth: Deadline | None = None,
) -> np.ndarray:
    """From open drops, re-solve until every franco is paid, grow, then open the hubs' drops.

    Lots stay as given; hub drops stay closed once the franco loop closes them. Growing: a
    closed drop whose producer has a drop to spare that week and whose leftover stock could
    pay the franco from what the canteen still buys conventionally or from the market is
    opened, and the franco loop runs again; the best
    plan by true objective is kept. Last, with hubs: the hub drops and drops at a hub of
    ``hub_options`` and those the hub could fill from leftovers (``_hub_growth``) are opened
    in the best plan and the franco loop runs once more; its plan is kept when better.

    Parameters
    ----------
    model
        The model.
    weekly
        The weekly LP solver.
    problems
        The weekly sub-problems with delivery rows.
    cost
        Column costs at the start's multipliers, shape (columns,).
    open_drop
        Drops to open first, bool of shape (drop columns,).
    open_lot
        Lot arcs, then hub drops, to open, bool of shape (lot columns + hub drop columns,).
    deadline
        The wall-clock budget.
    log
        Receives progress messages.
    plan_objective
        The plan score of a solution vector.
    hub_options
        Drops at a hub and hub drops to open in the best plan found (``add_hub_options``);
        None for none but those of ``_hub_growth``.
    growth
        A shorter budget for what follows the first round (growing, the hubs' drops), its
        LPs included; None: ``deadline`` for all. The first round makes the plan: cut by a
        share of the time, its weeks fall back to buying conventionally and the time spent
        on them is lost.

    Returns
    -------
    numpy.ndarray
        The best plan by score, shape (columns,), drops short of franco closed.
    """
    var, index = model.variables, model.index
    max_drops = index.producers["max_drops"].to_numpy()
    conventional = all_conventional(model)
    best, best_objective = conventional, math.inf
    # A growth round whose new drops all fall short ends on a round's drops already solved.
    settled: list[Settled] = []

    def loop(open_drop: np.ndarray, open_lot: np.ndarray) -> np.ndarray:
        return franco_loop(
            model, weekly, problems, cost, open_drop, open_lot, deadline, log, conventional, settled
        )

    for grow_round in range(budgets.GROWTH_ROUNDS):
        values = loop(open_drop, open_lot)
        objective = plan_objective(values)
        log(_("repair round {n}: plan {plan}").format(n=grow_round, plan=sig(objective)))
        if grow_round == 0 and growth is not None:
            deadline = growth
            weekly.use(*weekly.row_bounds, weekly.count, growth)
        if objective >= best_objective:
            break
        gain = best_objective - objective
        best, best_objective = values, objective
        if gain <= budgets.GROWTH_MIN_GAIN * abs(objective):
            break
        open_drop, open_lot = values[var.cols("y")] > 0.5, open_in_plan(model, values)
        extra = _growth_candidates(model, values, open_drop, max_drops)
        if not extra.any() or deadline.expired():
            break
        open_drop |= extra
    if len(index.hub_drops) and not deadline.expired():
        grown = _hub_growth(model, best)
        if hub_options is not None:
            grown = grown[0] | hub_options[0], grown[1] | hub_options[1]
        open_drop, open_lot = add_hub_options(
            model, best[var.cols("y")] > 0.5, open_in_plan(model, best), grown
        )
        values = loop(open_drop, open_lot)
        objective = plan_objective(values)
        log(_("repair with the hubs' drops: plan {plan}").format(plan=sig(objective)))
        if objective < best_objective:
            best = values
    return close_short_drops(model, best)


@dataclass(frozen=True)
class Settled:
    """A weekly solve whose open drops all paid their franco (and hub drops their minimum):
    the open drops (bool per drop column), the open lots then hub drops (bool per lot column
    and hub drop column) it was solved with, and its plan (shape (columns,))."""

    open_drop: np.ndarray
    open_lot: np.ndarray
    values: np.ndarray

    def holds(self, open_drop: np.ndarray, open_lot: np.ndarray) -> bool:
        """Whether this solve had exactly these drops and lots open."""
        return bool(
            np.array_equal(self.open_drop, open_drop) and np.array_equal(self.open_lot, open_lot)
        )


def franco_loop(
    model: LinearModel,
    weekly: WeeklySolver,
    problems: list[WeekProblem],
    cost: np.ndarray,
    open_drop: np.ndarray,
    open_lot: np.ndarray,
    deadline: Deadline,
    log: Reporter,
    fallback: np.ndarray,
    settled: list[Settled] | None = None,
) -> np.ndarray:
    """Solve with drops fixed and franco and hub minimums elastic; close drops still short;
    until none is.

    A week whose LP does not finish in time takes its plan from ``fallback``. The weekly LPs
    end on work, so the same drops, lots and prices give the same plan: drops and lots found
    in ``settled`` are not solved again.

    Parameters
    ----------
    model
        The model.
    weekly
        The weekly LP solver.
    problems
        The weekly sub-problems with delivery rows.
    cost
        Column costs at the current multipliers, shape (columns,).
    open_drop
        Open drops, bool of shape (drop columns,).
    open_lot
        Open lot arcs, then open hub drops, bool of shape (lot columns + hub drop columns,).
    deadline
        The wall-clock budget.
    log
        Receives progress messages.
    fallback
        The plan a week falls back to when its LP does not finish, shape (columns,).
    settled
        Solves at these prices whose open drops all paid their franco; each such solve of
        this loop is appended. None: none kept.

    Returns
    -------
    numpy.ndarray
        The last weekly solution, shape (columns,).
    """
    open_drop = open_drop.copy()
    values = fallback
    for _round in range(20):
        known = next((s.values for s in settled or () if s.holds(open_drop, open_lot)), None)
        if known is not None:
            return known
        lower, upper = fixed_delivery(model, open_drop, open_lot, elastic_minimums=True)
        values, _runs, ok = weekly.solve(problems, cost, lower, upper, fallback)
        short, short_hub = short_of_minimums(model, values)
        n_open = int(open_drop.sum())
        log(
            ngettext(
                "repair: {open} drop open, {below} below franco",
                "repair: {open} drops open, {below} below franco",
                n_open,
            ).format(open=n_open, below=int(short.sum() + short_hub.sum()))
        )
        settles = ok and not (short.any() or short_hub.any())
        if settles and settled is not None:
            settled.append(Settled(open_drop.copy(), open_lot.copy(), values))
        if settles or not ok or deadline.expired():
            return values
        closing, gathering = _to_close(model, values, short, _round < budgets.HUB_GATHER_ROUNDS)
        open_drop &= ~closing
        if not gathering:
            open_lot = close_hub_drops(model, open_lot, short_hub)
    return values


def _to_close(
    model: LinearModel, values: np.ndarray, short: np.ndarray, gather: bool
) -> tuple[np.ndarray, bool]:
    """Of the drops ``short`` of their franco, those to close this round, and whether some
    drops at a hub short of their franco stay open (the hub's order is being gathered; only
    while ``gather``: after ``budgets.HUB_GATHER_ROUNDS`` rounds every drop short closes).

    Every direct drop short is closed, and every drop at a hub that carries nothing; of the
    other drops at a hub short of their franco, the emptier half (by value over franco).
    The elastic LP may spread the hub's order over all the members' open drops at the hub,
    each short of its franco (the slack it pays is the same however the order is split);
    closing them all at once would leave the hub drops nothing to carry, closing the
    emptiest lets the next LP gather the order on the others. Meanwhile the hub drops short
    of their minimum stay open: they may fill once the order is gathered.
    """
    var, index = model.variables, model.index
    at_hub = index.drops["hub"].to_numpy()[var.drop_rows] >= 0
    franco = index.drops["franco"].to_numpy()[var.drop_rows]
    fill = drop_value(index, values[var.cols("x")])[var.drop_rows] / np.maximum(franco, ZERO)
    closing = short & (~at_hub | (fill <= ZERO) | (not gather))
    gathered = np.flatnonzero(short & ~closing)
    if not len(gathered):
        return closing, False
    emptier = gathered[np.argsort(fill[gathered], kind="stable")][: (len(gathered) + 1) // 2]
    closing[emptier] = True
    return closing, True


def _growth_candidates(
    model: LinearModel, values: np.ndarray, open_drop: np.ndarray, max_drops: np.ndarray
) -> np.ndarray:
    """Closed drops worth trying: spare drop that week, leftovers that could pay the franco."""
    var, index = model.variables, model.index
    arcs = index.arcs
    potential = np.bincount(
        arcs["drop"].to_numpy(),
        _reachable(model, values) * arcs["producer_price"].to_numpy(),
        minlength=len(index.drops),
    )[var.drop_rows]
    drops = index.drops.iloc[var.drop_rows]
    pw = drops["producer"].to_numpy() * len(index.weeks) + drops["week"].to_numpy()
    in_use = np.bincount(pw, open_drop, minlength=int(pw.max(initial=0)) + 1)[pw]
    spare = max_drops[drops["producer"].to_numpy()] - in_use
    worth = ~open_drop & (potential >= drops["franco"].to_numpy()) & (potential > ZERO)
    # Within each producer-week, the largest potentials first, up to the spare drops.
    order = np.lexsort((-potential, pw))
    rank = np.empty(len(pw), np.int64)
    ranked_worth = worth[order]
    cum = np.cumsum(ranked_worth)
    group_start = np.r_[True, pw[order][1:] != pw[order][:-1]]
    offset = np.maximum.accumulate(np.where(group_start, cum - ranked_worth, 0))
    rank[order] = cum - offset - 1
    chosen: np.ndarray = worth & (rank < spare)
    return chosen


def _reachable(model: LinearModel, values: np.ndarray) -> np.ndarray:
    """Per arc, units its offer's leftover stock could still sell the canteen from what the
    canteen buys from the conventional supplier or the market (each arc alone)."""
    var, index = model.variables, model.index
    arcs = index.arcs
    x = values[var.cols("x")]
    v = values[var.cols("v")]
    offer = arcs["offer"].to_numpy()
    stock_left = index.offers["qty"].to_numpy() - np.bincount(offer, x, minlength=len(index.offers))
    # What a canteen buys from the conventional supplier or the market, a producer could sell.
    market = arcs["market"].to_numpy()
    demand = arcs["demand"].to_numpy()
    elsewhere = v + np.bincount(demand[market], x[market], minlength=len(v))
    reachable: np.ndarray = np.minimum(np.clip(stock_left[offer], 0, None), elsewhere[demand])
    return reachable


def _hub_growth(model: LinearModel, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Closed hub drops that the hub's members' leftover stock could fill to the hub's
    minimum (kg), and the members' drops at the hub whose leftovers for the open and those
    hub drops could pay the franco: ``add_hub_options``'s options.

    The drop growth cannot open these: a drop at a hub carries nothing while the hub drops
    it would serve are closed, and a hub drop has no producer's drop of its own.
    """
    var, index = model.variables, model.index
    arcs, hub_drops = index.arcs, index.hub_drops
    hub_drop = arcs["hub_drop"].to_numpy()
    via = hub_drop >= 0
    reachable = _reachable(model, values)
    kg = np.bincount(
        hub_drop[via],
        (reachable * arcs["kg_per_unit"].to_numpy())[via],
        minlength=len(hub_drops),
    )
    binary = hub_drops["binary"].to_numpy()
    min_kg = hub_drops["min_kg"].to_numpy()
    is_open = values[var.cols("hub_y")] > 0.5
    hub = ~is_open & (kg[binary] >= min_kg[binary]) & (kg[binary] > ZERO)
    hub &= ~_served_directly(model, values, reachable)[binary]
    serving = np.ones(len(hub_drops), bool)
    serving[binary] = is_open | hub
    into = via & serving[np.maximum(hub_drop, 0)]
    value = np.bincount(
        arcs["drop"].to_numpy()[into],
        (reachable * arcs["producer_price"].to_numpy())[into],
        minlength=len(index.drops),
    )[var.drop_rows]
    franco = index.drops["franco"].to_numpy()[var.drop_rows]
    at_hub: np.ndarray = (index.drops["hub"].to_numpy()[var.drop_rows] >= 0) & (value >= franco)
    return at_hub & (value > ZERO), hub


def _served_directly(model: LinearModel, values: np.ndarray, reachable: np.ndarray) -> np.ndarray:
    """Per hub drop: whether one of the hub's members reaching the canteen that week could
    deliver it on its own drop (open in ``values``, without franco, or whose leftovers
    ``reachable`` (units per arc) could pay the franco): the hub is for the orders none could.
    """
    var, index = model.variables, model.index
    arcs, drops = index.arcs, index.drops
    n_canteen, n_week = len(index.canteen_ids), len(index.weeks)
    hub_drop = arcs["hub_drop"].to_numpy()
    via = hub_drop >= 0
    potential = np.bincount(
        arcs["drop"].to_numpy()[~via],
        (reachable * arcs["producer_price"].to_numpy())[~via],
        minlength=len(drops),
    )
    served = ~drops["binary"].to_numpy() | (potential >= drops["franco"].to_numpy())
    served[var.drop_rows] |= values[var.cols("y")] > 0.5
    direct = np.flatnonzero(drops["hub"].to_numpy() < 0)

    def key(table: pd.DataFrame) -> np.ndarray:
        pcw: np.ndarray = table["producer"].to_numpy(np.int64) * n_canteen
        pcw = (pcw + table["canteen"].to_numpy()) * n_week + table["week"].to_numpy()
        return pcw

    twin = pd.Index(key(drops.iloc[direct])).get_indexer(key(arcs[via]))
    reached = (twin >= 0) & served[direct[np.maximum(twin, 0)]]
    out: np.ndarray = np.bincount(hub_drop[via], reached, minlength=len(index.hub_drops)) > 0
    return out
