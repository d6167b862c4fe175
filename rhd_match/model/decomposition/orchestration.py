"""The decomposition's phases in order: starts, weekly repair, polishing, the best plan kept.

The steps are those of the package docstring; this module holds one state (the weekly
solver's threads, the deadline, the plan score) through them and returns the ``Plan``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ...i18n import gettext as _
from ...params import SolverOptions
from ..build import LinearModel
from ..solvers import SolverRun
from ..strategies import (
    HARD_PRICE_FACTOR,
    Deadline,
    Plan,
    Reporter,
    all_conventional,
    open_from_relaxation,
)
from . import budgets
from .annual import AnnualRows
from .ascent import Climb, climb_bound
from .executors import WeekProblem
from .integer_weeks import integer_weeks
from .polishing import polish, reprice
from .pricing import Start, price_search, whole_relaxation
from .repair import weekly_repair
from .subproblems import WeeklySolver, week_problems


def solve_decompose(
    model: LinearModel,
    options: SolverOptions,
    deadline: Deadline,
    log: Reporter,
    plan_objective: Callable[[np.ndarray], float],
) -> tuple[Plan | None, SolverRun]:
    """Weekly Lagrangian decomposition, then weekly repair (see the package docstring).

    Parameters
    ----------
    model
        The model to solve.
    options
        Solver options (LP solver, threads, relative gap).
    deadline
        The wall-clock budget of the solve (a safety net only).
    log
        Receives the phases' progress messages.
    plan_objective
        The true objective of a solution vector of shape (columns,), recomputed from its flows.

    Returns
    -------
    plan : Plan
        The best plan found, with the best Lagrangian (or LP) bound.
    run : SolverRun
        The same plan as a solver run, for the caller's statistics.
    """
    annual = AnnualRows.of(model)
    objective_of = plan_objective
    hard_price = HARD_PRICE_FACTOR * max(annual.w_short, annual.w_over)

    def plan_score(values: np.ndarray) -> float:
        """The plan's objective, plus, in hard mode, what it breaks at the hard price: every
        comparison of plans then puts the hard rules first (0 extra in soft mode)."""
        return objective_of(values) + hard_price * annual.hard_excess(model, values)

    plan_objective = plan_score
    weekly = WeeklySolver(model, options, deadline)
    try:
        full = week_problems(model, with_delivery=True)
        whole = None
        if model.matrix.nnz <= budgets.WHOLE_LP_MAX_NONZEROS:
            whole = whole_relaxation(model, annual, options, deadline, log)
        found, climbed = None, None
        if whole is None and _integer_first(model, options):
            climbed = climb_bound(
                model,
                weekly,
                full,
                annual,
                math.inf,
                options,
                deadline,
                log,
                budgets.INTEGER_RESERVE_PASSES,
            )
            found = _integer_plan(
                model, weekly, full, annual, climbed, options, deadline, log, plan_objective
            )
        if found is None:
            found = _repair_then_climb(
                model,
                weekly,
                full,
                annual,
                whole,
                climbed,
                options,
                deadline,
                log,
                plan_objective,
            )
        plan_values, bound, iterations, stopped = found
    finally:
        weekly.close()
    if stopped:
        log(_("time limit reached: the plan is the best found so far"))
    run = SolverRun(options.lp_solver, "feasible", plan_values, math.nan, bound, None, 0.0)
    plan = Plan(plan_values, "feasible", bound, options.lp_solver, iterations, stopped)
    return plan, run


#: A phase's plan, its bound, the weekly passes it took and whether the clock cut it.
Found = tuple[np.ndarray, float, int, bool]


def _integer_first(model: LinearModel, options: SolverOptions) -> bool:
    """Whether the climb and the weekly MIPs make the plan (``integer_weeks``): the weighted
    objective (its bound is reported), soft targets and budgets (the weekly MIPs price them,
    they do not enforce them), weeks small enough to solve with their delivery rows."""
    return (
        options.objective == "weighted"
        and model.matrix.nnz <= budgets.INTEGER_WEEKS_MAX_NONZEROS
        and not any(AnnualRows.hard_modes(model))
    )


def _integer_plan(
    model: LinearModel,
    weekly: WeeklySolver,
    full: list[WeekProblem],
    annual: AnnualRows,
    climbed: Climb,
    options: SolverOptions,
    deadline: Deadline,
    log: Reporter,
    plan_objective: Callable[[np.ndarray], float],
) -> Found | None:
    """Weekly MIPs at the climb's best multipliers (from μ = 0, with the delivery rows); None
    when they find no plan better than buying everything conventionally (the repair then
    runs, with the climb's bound)."""
    conventional = all_conventional(model)
    plan, cut = integer_weeks(
        model, weekly, full, annual, climbed, conventional, options, deadline, log, plan_objective
    )
    if plan is conventional:
        return None
    return plan, climbed.bound, climbed.passes, cut or climbed.timed_out or deadline.hit


def _repair_then_climb(
    model: LinearModel,
    weekly: WeeklySolver,
    full: list[WeekProblem],
    annual: AnnualRows,
    whole: Start | None,
    climbed: Climb | None,
    options: SolverOptions,
    deadline: Deadline,
    log: Reporter,
    plan_objective: Callable[[np.ndarray], float],
) -> Found:
    """The price search (or the whole LP's start) and the weekly repair; then, with the
    weighted objective, the climb of the bound after the plan (unless ``climbed`` is one
    already made)."""
    starts: list[Start] = []
    plan_values, best_objective = all_conventional(model), math.inf
    # Small models have two starts: the whole LP's flows, then, unless its plan is within
    # the gap, the weekly prices' (the LP's fractional lots can close a lot that the
    # weekly flows fill); the better plan is kept.
    while len(starts) < 2:
        if whole is not None and not starts:
            start = whole
        else:
            start = price_search(model, weekly, annual, options, log, plan_objective)
        starts.append(start)
        bound = max(s.bound for s in starts)
        values = _plan_from(
            model, weekly, full, annual, start, options, deadline, log, plan_objective
        )
        objective = plan_objective(values)
        if objective < best_objective:
            plan_values, best_objective = values, objective
        closed = best_objective - bound <= options.mip_gap * max(1.0, abs(best_objective))
        if whole is None or closed or deadline.expired():
            break
    iterations = sum(start.passes for start in starts)
    stopped = weekly.cut or deadline.hit
    if options.objective == "weighted" and whole is None and not closed:
        # Only the weighted objective reports its bound; the whole LP's is already the
        # best any prices give.
        if climbed is None:
            delivery = model.matrix.nnz <= budgets.ASCENT_DELIVERY_MAX_NONZEROS
            problems = full if delivery else week_problems(model, with_delivery=False)
            share = Deadline(budgets.ASCENT_TIME_SHARE * deadline.left())
            climbed = climb_bound(
                model, weekly, problems, annual, best_objective, options, share, log
            )
        bound = max(bound, climbed.bound)
    return plan_values, bound, iterations, stopped


def _plan_from(
    model: LinearModel,
    weekly: WeeklySolver,
    full: list[WeekProblem],
    annual: AnnualRows,
    start: Start,
    options: SolverOptions,
    deadline: Deadline,
    log: Reporter,
    plan_objective: Callable[[np.ndarray], float],
) -> np.ndarray:
    """Drops from the start's flows, weekly repair at its prices, then polish or re-price
    (unless an objective's levels follow: they solve the polishing LP's own feasible set)."""
    cost = annual.cost(model, start.mu)
    open_drop, open_lot = open_from_relaxation(model, start.flows)
    repaired = weekly_repair(
        model,
        weekly,
        full,
        cost,
        open_drop,
        open_lot,
        deadline,
        log,
        plan_objective,
        start.hub_options,
    )
    if options.objective != "weighted":
        # The levels re-solve the whole year over these drops and lots, from any flows:
        # polishing first would be one more LP of the same size whose flows they discard.
        return repaired
    polished = polish(model, repaired, options, deadline, log, plan_objective)
    if polished is None:
        polished = reprice(
            model, weekly, full, annual, start.mu, repaired, deadline, log, plan_objective
        )
    return polished
