"""Where the repair starts: a Lagrangian lower bound, the multipliers to price the weeks with,
and flows to open drops from.

Small models solve the whole-year LP relaxation (``whole_relaxation``): its optimum is the best
bound any multipliers can prove and its duals are such multipliers. Larger ones search the
multipliers on the weekly transport relaxations (projected subgradient steps, or a bisection
of each annual row's price: ``search_bisects``), then run one weekly pass with the delivery
rows (``price_search``), each pass giving the bound

    L(μ) = Σ_w min_{x ∈ X_w} (c − A_Gᵀμ)·x + μ·b_G.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ...i18n import format_significant as sig
from ...i18n import gettext as _
from ...params import SolverOptions
from ..build import LinearModel
from ..strategies import (
    Deadline,
    Reporter,
    elastic_objective,
    elastic_upper,
    hub_options,
    run_model,
)
from . import budgets
from .annual import AnnualRows
from .subproblems import WeeklySolver, week_problems


@dataclass(frozen=True)
class Start:
    """Where the repair starts: a valid bound, multipliers for the weekly LPs' costs, flows
    to open drops from, the LP passes it took, and the drops at a hub and hub drops that any
    pass's flows open (``strategies.hub_options``; None without hubs or passes)."""

    bound: float
    mu: np.ndarray
    flows: np.ndarray
    passes: int
    hub_options: tuple[np.ndarray, np.ndarray] | None = None


def whole_relaxation(
    model: LinearModel,
    annual: AnnualRows,
    options: SolverOptions,
    deadline: Deadline,
    log: Reporter,
) -> Start | None:
    """Small models: the whole-year LP relaxation instead of the price search.

    Its optimum is the best bound any multipliers could prove (the Lagrangian dual of the
    relaxation with delivery rows), its duals on the annual rows are those multipliers, and
    its flows choose the drops. Targets and budgets are elastic here (hard mode is checked on
    the final plan), so the LP always has a point and its optimum also bounds the hard model.
    None when it does not finish (then the price search runs).

    Parameters
    ----------
    model
        The model.
    annual
        The annual rows, whose duals become the multipliers.
    options
        Solver options (LP solver, threads).
    deadline
        The wall-clock budget.
    log
        Receives the bound found.

    Returns
    -------
    Start or None
        The LP's optimum as bound, its clipped duals, its flows and one pass; None when the LP
        did not reach its optimum.
    """
    var = model.variables
    upper, objective = elastic_upper(model), elastic_objective(model)
    run = run_model(
        model, var.lower, upper, False, options, deadline, Reporter(None, 0.0), objective
    )
    if run.values is None or run.status != "optimal" or run.duals is None:
        return None
    mu = np.clip(run.duals[annual.rows], annual.mu_low, annual.mu_high)
    log(_("relaxation: bound {bound}").format(bound=sig(run.objective)))
    return Start(run.objective, mu, run.values, 1)


def price_search(
    model: LinearModel,
    weekly: WeeklySolver,
    annual: AnnualRows,
    options: SolverOptions,
    log: Reporter,
    plan_objective: Callable[[np.ndarray], float],
) -> Start:
    """The multiplier search on the weekly transport relaxations, then the delivery pass.

    Returns the best bound, the multipliers whose weekly flows make the best plan (the
    multipliers of the best bound are degenerate: their weekly LPs are indifferent between
    buying labelled food and not, and may pick a plan that meets no target), those flows, and
    the number of passes.

    Parameters
    ----------
    model
        The model.
    weekly
        The weekly LP solver.
    annual
        The annual rows and their price bounds.
    options
        Solver options (``mip_gap`` ends the search).
    log
        Receives progress messages.
    plan_objective
        The plan score of a solution vector.

    Returns
    -------
    Start
        Bound (objective units), multipliers of shape (annual rows,), flows of shape
        (columns,) and passes.
    """
    var = model.variables
    transport = week_problems(model, with_delivery=False)
    seen: tuple[np.ndarray, np.ndarray] | None = None

    pass_s = 0.0

    def evaluate(mu: np.ndarray) -> Pass:
        nonlocal pass_s, seen
        started = time.perf_counter()
        values, total, ok = weekly.solve(transport, annual.cost(model, mu), var.lower, var.upper)
        pass_s = time.perf_counter() - started
        if ok and len(model.index.hub_drops):
            at_hub, hub = hub_options(model, values)
            if seen is not None:
                at_hub, hub = at_hub | seen[0], hub | seen[1]
            seen = at_hub, hub
        return Pass(total, ok, annual.matrix @ values, plan_objective(values), values)

    def expired() -> bool:
        # The safety net: stop while the weekly repair still has its time (a plan repaired
        # at earlier prices beats one whose repair the clock cut, which keeps drops below
        # their franco); the plan then says the clock stopped it.
        deadline = weekly.deadline
        short = deadline.left() < budgets.SEARCH_RESERVE_PASSES * pass_s
        deadline.hit |= short
        return deadline.expired() or short

    grouped = var.size["s"] > 0
    patience = search_patience(options, grouped)
    bisect = search_bisects(grouped, model.matrix.nnz > budgets.DELIVERY_MAX_NONZEROS)
    best_bound, primal_mu, primal_values, iterations = subgradient(
        evaluate, annual, options, patience, expired, log, bisect
    )
    if primal_values is None:
        primal_values = np.zeros(var.count)
    rhs = annual.rhs
    relaxed = primal_values
    # With drops, franco and lots the weekly LPs cost 4-9x the transport ones (measured at
    # size M): worth it for a slightly stronger bound and better drops on models up to
    # DELIVERY_MAX_NONZEROS.
    # Past the limit the pass could only fail week by week: the transport flows serve. Nor
    # when the clock stopped the search: the pass, several search passes long, would eat the
    # repair's time, and a repair cut in its first round keeps next to no local food.
    if model.matrix.nnz <= budgets.DELIVERY_MAX_NONZEROS and not expired():
        full = week_problems(model, with_delivery=True)
        cost = annual.cost(model, primal_mu)
        with_delivery, total, ok = weekly.solve(full, cost, var.lower, var.upper)
        if ok:
            best_bound = max(best_bound, total + float(primal_mu @ rhs))
            relaxed = with_delivery
        log(_("delivery relaxation: bound {bound}").format(bound=sig(best_bound)))
    else:
        log(_("delivery relaxation: skipped, drops chosen from the transport flows"))
    return Start(best_bound, primal_mu, relaxed, iterations, seen)


@dataclass(frozen=True)
class Pass:
    """One pass of the weekly LPs at given multipliers: the sum of their objectives (all
    optimal when ``ok``), the annual rows' activity A_G·x of their flows, the plan score of
    those flows, and the flows themselves when the caller keeps them."""

    total: float
    ok: bool
    activity: np.ndarray
    plan: float
    flows: np.ndarray | None


def search_patience(options: SolverOptions, grouped: bool) -> int:
    """Passes of the multiplier search without a better relaxed plan before it stops.

    Parameters
    ----------
    options
        Solver options (their ``objective``).
    grouped
        The model has group options (substitutable demand).

    Returns
    -------
    int
        ``SEARCH_ITERATIONS`` for the weighted objective (its bound is reported), else
        ``SEARCH_PATIENCE``, or ``SEARCH_PATIENCE_GROUPS`` with substitutable demand
        (``budgets``).
    """
    if options.objective == "weighted":
        return budgets.SEARCH_ITERATIONS
    return budgets.SEARCH_PATIENCE_GROUPS if grouped else budgets.SEARCH_PATIENCE


def search_bisects(grouped: bool, transport_drops: bool) -> bool:
    """Whether the multiplier search bisects the prices rather than takes subgradient steps.

    Only where measured better: without group options, on models whose drops come from the
    transport flows (too large for the delivery pass, or streamed). At size SM the bisection
    halved the levels' first value; on the demo (delivery pass) it cut the local food from
    32.6 % to 13.3 %, and on the flexible demo (group options) from 34.1 % to 13.6 %
    (``docs/model.md``, *Decompose*).

    Parameters
    ----------
    grouped
        The model has group options (substitutable demand).
    transport_drops
        The repair opens its drops from the search's transport flows (no delivery pass).

    Returns
    -------
    bool
        True to bisect.
    """
    return transport_drops and not grouped


def subgradient(
    evaluate: Callable[[np.ndarray], Pass],
    annual: AnnualRows,
    options: SolverOptions,
    patience: int,
    expired: Callable[[], bool],
    log: Reporter,
    bisect: bool,
) -> tuple[float, np.ndarray, np.ndarray | None, int]:
    """The multiplier search: projected subgradient steps, or a bisection of each row's price.

    Both start at ``AnnualRows.mu_high`` (every canteen short of every target, no overrun
    price). Projected subgradient steps go towards the best plan seen (a Polyak step). The
    bisection uses that a weekly pass's activity on a row grows with the row's price (more
    labelled food for an EGalim target, more spending as a budget's price rises towards 0):
    each row keeps a bracket, at first its price bounds; a pass at or over the row's
    right-hand side (a target met, a budget overrun) makes the row's price the bracket's
    top, one under it the bottom, and the next pass is at the middle; a pass whose plan is
    as good as the best replaces it (its prices are nearer the targets). At size SM the
    subgradient steps kept the first prices (their first step, scaled by a bound 4.3 billion
    EUR HT below the plan, overshot, and the passes after it made worse plans), and the
    weekly plans bought labelled food wherever it was; the bisection halves the price of a
    target that a pass meets (``docs/model.md``, *Decompose*). Every price stays within its
    bounds, so every pass gives a valid bound.

    Parameters
    ----------
    evaluate
        One pass of the weekly LPs at multipliers of shape (annual rows,).
    annual
        The annual rows (right-hand sides, price bounds).
    options
        Solver options (``mip_gap`` ends the search).
    patience
        Passes without a better relaxed plan (bisecting: without one as good) that end the
        search (``search_patience``).
    expired
        True once the wall-clock budget is spent.
    log
        Receives progress messages.
    bisect
        Bisect the prices (``search_bisects``); else projected subgradient steps.

    Returns
    -------
    bound : float
        The best Lagrangian bound (objective units).
    mu : numpy.ndarray
        The multipliers whose flows made the best plan, shape (annual rows,).
    flows : numpy.ndarray or None
        Those flows as ``evaluate`` returned them; None when no pass finished.
    passes : int
        The passes run.
    """
    rhs, mu_low, mu_high = annual.rhs, annual.mu_low, annual.mu_high
    mu = mu_high.copy()
    low, high = mu_low, mu_high
    best_bound, best_mu, best_ub = -math.inf, mu.copy(), math.inf
    primal_mu, primal_values = mu.copy(), None
    step_scale, stalls, iterations, since_better = 0.5, 0, 0, 0
    while iterations < budgets.SEARCH_ITERATIONS and not expired():
        iterations += 1
        result = evaluate(mu)
        if not result.ok:
            break
        bound = result.total + float(mu @ rhs)
        ub = result.plan
        since_better += 1
        if ub < best_ub or (bisect and ub == best_ub):
            best_ub, primal_mu, primal_values, since_better = ub, mu.copy(), result.flows, 0
        if bound > best_bound + 1e-9 * abs(bound):
            best_bound, best_mu, stalls = bound, mu.copy(), 0
        elif not bisect:
            stalls += 1
            if stalls >= 2:
                step_scale, stalls = step_scale / 2, 0
                mu = best_mu.copy()
                if step_scale < 0.02:
                    break
        log(
            _("prices {n}: bound {bound}, relaxed plan {plan}").format(
                n=iterations, bound=sig(best_bound), plan=sig(ub)
            )
        )
        if (best_ub - best_bound) <= options.mip_gap * max(1.0, abs(best_ub)) / 2:
            break
        if since_better >= patience:
            break
        grad = result.activity - rhs
        if bisect:
            # At or over the right-hand side (a target met, a budget overrun): the price falls.
            falls = np.where(annual.is_budget, grad > 0, grad >= 0)
            low, high = np.where(falls, low, mu), np.where(falls, mu, high)
            mu = 0.5 * (low + high)
            continue
        moving = ~(((mu <= mu_low) & (grad > 0)) | ((mu >= mu_high) & (grad < 0)))
        norm = float(grad[moving] @ grad[moving])
        if norm <= 0:
            break
        step = step_scale * (best_ub - bound) / norm
        mu = np.clip(mu - step * grad, mu_low, mu_high)
    return best_bound, primal_mu, primal_values, iterations
