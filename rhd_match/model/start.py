"""A known plan as the opening set of a solve: its drops, lots and hub drops, read off its flows.

With substitutable demand the search is harder than with fixed demand (one serving column per
group option, demand rows open to every product of a group), and a heuristic's drops can be
worse than those of a plan of one fixed choice in every group. A plan of that choice (the
fixed menus, or the greedy pre-choice) is a feasible point of the flexible model once its
drops and lots are open: solving the objective's levels over them, with the groups' mix free,
can only improve on it, level by level (``docs/menus.md``, *Search*).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..i18n import ngettext
from ..inputs.scenario import Scenario
from ..params import SolverOptions, Weights
from ..plan.solution import Solution
from .build import LinearModel
from .goals import TARGETS, Goals, define_goals, level_bounds, level_report, solve_levels
from .strategies import ZERO, Deadline, Plan, Reporter, hub_drops_reached

#: Two plans' values at a level are equal within this share of the larger (at least 1): the
#: levels themselves are kept within far less (``goals.LEVEL_REL_TOL``).
SCORE_REL_TOL = 1e-6
#: Share of the time left that the levels over the start plan's opening set may use; the
#: strategy gets the rest.
START_TIME_SHARE = 0.5


def start_values(model: LinearModel, flows: pd.DataFrame) -> np.ndarray:
    """A column vector of ``model`` that opens the drops, lots and hub drops a plan uses.

    Parameters
    ----------
    model
        The model to solve (its index names the arcs).
    flows
        A plan's ``flows`` table (``rhd_match.plan.tables``: ``producer_id`` or
        ``market_id``, ``hub_id``, ``canteen_id``, ``product_id``, ISO ``week``, ``qty`` in
        the product's unit) over the same territory; rows with no arc in ``model`` (a
        conventional purchase, a producer the model does not reach) are left out.

    Returns
    -------
    numpy.ndarray
        Shape (columns,): ``x`` the plan's quantity per arc, ``y`` 1 on each drop it
        delivers, ``z`` 1 on each lot arc carrying at least the lot, ``hub_y`` 1 on each hub
        drop reaching its minimum, 0 elsewhere. Only the opening set is meant to be used
        (``goals.level_bounds``).
    """
    var, index = model.variables, model.index
    arcs = index.arcs
    supplier = np.r_[index.producer_ids, index.market_ids].astype(object)
    hub = np.r_[index.hub_ids, [""]].astype(object)
    keys = pd.MultiIndex.from_arrays(
        [
            supplier[arcs["producer"].to_numpy()],
            hub[arcs["hub"].to_numpy()],
            index.canteen_ids[arcs["canteen"].to_numpy()].astype(object),
            index.product_ids[arcs["product"].to_numpy()].astype(object),
            index.weeks[arcs["week"].to_numpy()].astype(object),
        ]
    )
    bought = flows[flows["qty"].to_numpy(float) > 0]

    def text(column: str) -> np.ndarray:
        if column not in bought.columns:
            return np.full(len(bought), "", dtype=object)
        cells = bought[column].astype(object)
        return cells.where(cells.notna(), "").astype(str).to_numpy()

    producer, market = text("producer_id"), text("market_id")
    wanted = pd.MultiIndex.from_arrays(
        [
            np.where(producer != "", producer, market),
            text("hub_id"),
            text("canteen_id"),
            text("product_id"),
            text("week"),
        ]
    )
    at = keys.get_indexer(wanted)
    found = at >= 0
    x = np.bincount(at[found], bought["qty"].to_numpy(float)[found], minlength=len(arcs))
    values = np.zeros(var.count)
    values[var.cols("x")] = x
    used = np.bincount(arcs["drop"].to_numpy(), x > ZERO, minlength=len(index.drops)) > 0
    values[var.cols("y")] = used[var.drop_rows]
    lots = var.lot_arcs
    values[var.cols("z")] = x[lots] >= arcs["lot"].to_numpy()[lots] - ZERO
    values[var.cols("hub_y")] = hub_drops_reached(index, x)
    values[var.cols("s")] = start_servings(model, bought, text)
    return values


def start_servings(
    model: LinearModel, bought: pd.DataFrame, text: Callable[[str], np.ndarray]
) -> np.ndarray:
    """What each group option serves in a known plan: the plan's purchases of each product row
    beyond its plain part, on the row's options in order, each up to its bound.

    Parameters
    ----------
    model
        The model to solve.
    bought
        The plan's flow rows with a positive quantity.
    text
        A flow column as ids (``""`` where empty).

    Returns
    -------
    numpy.ndarray
        Product units per option, shape (options,) (``decode.servings`` serves every group
        line exactly from them).
    """
    index = model.index
    demand, options = index.demand, index.group_options
    if options.empty:
        return np.zeros(0)
    rows = pd.MultiIndex.from_arrays(
        [
            index.canteen_ids[demand["canteen"].to_numpy()].astype(object),
            index.product_ids[demand["product"].to_numpy()].astype(object),
            index.weeks[demand["week"].to_numpy()].astype(object),
        ]
    )
    at = rows.get_indexer(
        pd.MultiIndex.from_arrays([text("canteen_id"), text("product_id"), text("week")])
    )
    found = at >= 0
    total = np.bincount(at[found], bought["qty"].to_numpy(float)[found], minlength=len(demand))
    extra = np.clip(total - demand["fixed"].to_numpy(float), 0.0, None)
    on = options["demand"].to_numpy()
    upper = options["upper"].to_numpy(float)
    # Options of one product row in order: each takes what the earlier ones left, to its bound.
    order = np.argsort(on, kind="stable")
    before = np.zeros(len(options))
    cum = np.cumsum(upper[order])
    first = np.r_[True, on[order][1:] != on[order][:-1]]
    start_of = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    before[order] = cum - upper[order] - (cum - upper[order])[start_of]
    served: np.ndarray = np.clip(extra[on] - before, 0.0, upper)
    return served


def objective_goals(model: LinearModel, objective: str, weights: Weights) -> Goals:
    """The levels the start plan's opening set is solved for.

    Parameters
    ----------
    model
        The allocation model.
    objective
        ``weighted``, ``lexicographic`` or ``compliance``.
    weights
        The scenario's weights.

    Returns
    -------
    Goals
        Those of ``define_goals``; for ``weighted`` the one level of the model's own objective.
    """
    if objective == "weighted":
        return Goals(model, ("weighted",), (model.objective,))
    return define_goals(model, objective, weights)


def solution_levels(scenario: Scenario, solution: Solution, objective: str) -> tuple[float, ...]:
    """A plan's value at each level of ``objective``, minimised in order, from its tables.

    Parameters
    ----------
    scenario
        The scenario solved (its weights and reference prices).
    solution
        The plan's tables.
    objective
        ``weighted``, ``lexicographic`` or ``compliance``.

    Returns
    -------
    tuple of float
        ``weighted``: the objective recomputed from the flows. Otherwise (``docs/model.md``,
        *Objectives*): the EUR HT short of the targets plus the weighted budget overrun, or
        minus the canteen targets met for ``compliance``; minus the local food at reference
        prices (EUR HT); the purchase value plus the distance tie-break (EUR HT).
    """
    if objective == "weighted":
        return (solution.objective,)
    return table_levels(scenario, solution.flows, solution.canteens, objective)


def table_levels(
    scenario: Scenario, flows: pd.DataFrame, can: pd.DataFrame, objective: str
) -> tuple[float, float, float]:
    """A plan's value at each level of a lexicographic or compliance ``objective``, from its
    tables (``solution_levels``).

    Parameters
    ----------
    scenario
        The scenario solved (its weights and reference prices).
    flows
        The plan's flows (``Solution.flows``), one row per line bought.
    can
        The plan's canteen table (``Solution.canteens``), one row per ``canteen_id``.
    objective
        ``lexicographic`` or ``compliance``.

    Returns
    -------
    tuple of float
        The three levels' values, minimised in order (see ``solution_levels``).
    """
    w = scenario.parameters.weights
    if objective == "compliance":
        first = -float(sum(can[f"meets_{t}"].astype(bool).sum() for t in TARGETS))
    else:
        short = sum(float(can[f"shortfall_{t}_eur_ht"].sum()) for t in TARGETS)
        overrun = float((can["value_eur_ht"] - can["budget_eur_ht"]).clip(lower=0).fillna(0).sum())
        ratio = w.budget_overrun / w.egalim_shortfall if w.egalim_shortfall else 1.0
        first = short + ratio * overrun
    ref = scenario.products.set_index("product_id")["reference_price_eur_ht"].astype(float)
    local = flows[flows["local"].astype(bool)]
    local_value = float((local["qty"] * local["product_id"].map(ref)).sum())
    kg_km = float((flows["qty_kg"] * flows["distance_km"].fillna(0.0)).sum())
    per_kg_km = w.distance / w.cost if w.cost else 0.0
    cost = float(flows["value_eur_ht"].sum()) + per_kg_km * kg_km
    return first, -local_value, cost


def better(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Whether plan ``a`` is better than plan ``b`` by the objective's levels.

    Parameters
    ----------
    a, b
        Two plans' ``solution_levels``, of the same length.

    Returns
    -------
    bool
        ``a`` is lower at the first level where they differ beyond ``SCORE_REL_TOL``.
    """
    for x, y in zip(a, b, strict=True):
        tol = SCORE_REL_TOL * max(1.0, abs(x), abs(y))
        if x < y - tol:
            return True
        if x > y + tol:
            return False
    return False


def solve_from_start(
    model: LinearModel,
    goals: Goals,
    start: np.ndarray,
    options: SolverOptions,
    deadline: Deadline,
    report: Reporter,
) -> list[Plan]:
    """A known plan and the objective's levels over its opening set, the groups' mix free.

    Parameters
    ----------
    model
        The allocation model.
    goals
        The objective's levels (``objective_goals``).
    start
        ``start_values`` of the known plan, shape (columns,).
    options
        Solver options.
    deadline
        The wall-clock budget (the levels are LPs run to their optimum: a safety net).
    report
        Progress messages.

    Returns
    -------
    list of Plan
        The known plan as read, then the levels' plan when they found one (cut by the time
        limit after a level, it may be worse than the known plan at the next levels: the
        caller compares them).
    """
    known = Plan(start, "feasible", np.nan, "start", 0, False)
    lower, upper = level_bounds(goals, start)
    n_levels = len(goals.levels)
    report.say(
        ngettext(
            "the start plan's drops and lots: {n} level",
            "the start plan's drops and lots: {n} levels",
            n_levels,
        ).format(n=n_levels)
    )
    result = solve_levels(goals, lower, upper, True, options, deadline, report)
    if result.values is None:
        return [known]
    values = result.values[: model.variables.count]
    # The weighted objective's one level is the plan's objective, not a reported level.
    weighted = goals.names == ("weighted",)
    levels = () if weighted else level_report(goals.names, result.reached, None)
    return [known, Plan(values, "feasible", np.nan, result.run.solver, 0, deadline.hit, levels)]
