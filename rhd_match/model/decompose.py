"""Weekly decomposition: Lagrangian prices on the annual EGalim and budget rows.

Without its per-canteen annual rows (EGalim shares, budget) the model falls apart into one
independent problem per ISO week. Pricing those rows with multipliers μ gives, for any μ in
the box below, a valid lower bound

    L(μ) = Σ_w min_{x ∈ X_w} (c − A_Gᵀμ)·x + μ·b_G,

computed by one small LP per week (in parallel). The strategy:

1. start from μ = W_S on every EGalim row (every canteen short of every target: the usual case)
   and μ = 0 on budgets; improve μ by projected subgradient steps (Polyak step towards the
   best plan value seen) on the *transport* relaxation (no drop or franco rows: fastest), for
   at most :data:`SEARCH_SHARE` of the time;
2. one pass of the weekly relaxations *with* drops, franco and lots at the best μ: a stronger
   bound, and flows from which to choose drops — only when its measured cost fits (at size M
   it does not, and the transport flows are used);
3. per week, open drops and lots from those flows and repair by LPs until every open drop pays
   its franco (as :func:`~rhd_match.model.strategies.solve_repair` does for the whole model),
   then grow the open drops while the plan improves;
4. polish: one whole-year LP over the plan's drops with the true annual rows, or, when that LP
   is too large, weekly re-pricing from the plan's own annual rows.

A week whose LP runs out of time buys conventionally, so a plan always comes back whole.
The plan's objective is then recomputed exactly from its flows; the gap is against the best
bound of steps 1–2. Multipliers stay in μ_EGalim ∈ [0, W_S], μ_budget ∈ [−W_B, 0], where the
shortfall and overrun columns keep non-negative prices, so no term of L(μ) is unbounded.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..params import SolverOptions
from .build import LinearModel
from .solvers import LinearProgram, SolverRun, run_solver
from .strategies import (
    ZERO,
    Deadline,
    Plan,
    all_conventional,
    close_short_drops,
    fixed_delivery,
    open_from_relaxation,
)

GLOBAL_FAMILIES = ("egalim_quality", "egalim_organic", "egalim_meat_fish", "budget")
DELIVERY_FAMILIES = ("drops", "drop_link", "franco", "lot")
DELIVERY_BLOCKS = ("y", "z", "franco_slack")
#: Share of the time left that the multiplier search may use.
SEARCH_SHARE = 0.25
#: Time of a weekly pass with delivery rows, in transport passes (4-9x measured at size M),
#: and the share of the time left it may take.
DELIVERY_COST, DELIVERY_SHARE = 6.0, 0.2
#: At most this many rounds of growing the open drops in the weekly repair.
GROWTH_ROUNDS = 8
#: Rounds of re-pricing the weeks from the plan's own annual rows.
REPRICE_ROUNDS = 6
#: The whole-year polishing LP only up to this many columns: its time grows much faster
#: than the weekly LPs' (GLOP: 1.7 s at 62k columns, over 300 s at 1.7 M).
POLISH_MAX_COLUMNS = 400_000


@dataclass(frozen=True)
class WeekProblem:
    """One week's columns, rows and sub-matrix."""

    cols: np.ndarray
    rows: np.ndarray
    matrix: sp.csr_matrix


def column_weeks(model: LinearModel) -> np.ndarray:
    """ISO-week code of every column; −1 for the annual (per-canteen) columns."""
    var, index = model.variables, model.index
    weeks = np.full(var.count, -1, np.int64)
    drop_week = index.drops["week"].to_numpy()[var.drop_rows]
    weeks[var.cols("x")] = index.arcs["week"].to_numpy()
    weeks[var.cols("v")] = index.demand["week"].to_numpy()
    weeks[var.cols("y")] = drop_week
    weeks[var.cols("franco_slack")] = drop_week
    weeks[var.cols("z")] = index.arcs["week"].to_numpy()[var.lot_arcs]
    return weeks


def row_weeks(model: LinearModel) -> np.ndarray:
    """ISO-week code of every row; −1 for the annual rows (EGalim shares, budgets)."""
    weeks = np.full(model.shape[0], -1, np.int64)
    for family in model.families:
        if family.name not in GLOBAL_FAMILIES:
            weeks[family.start : family.start + family.count] = family.keys["week"].to_numpy()
    return weeks


def week_problems(model: LinearModel, with_delivery: bool) -> list[WeekProblem]:
    """The weekly sub-problems, with or without the delivery rows (drops, franco, lots)."""
    col_week, row_week = column_weeks(model), row_weeks(model)
    if not with_delivery:
        var = model.variables
        for block in DELIVERY_BLOCKS:
            col_week[var.cols(block)] = -1
        for family in model.families:
            if family.name in DELIVERY_FAMILIES:
                row_week[family.start : family.start + family.count] = -1
    n_week = len(model.index.weeks)
    col_order = np.argsort(col_week, kind="stable")
    col_bounds = np.searchsorted(col_week[col_order], np.arange(n_week + 1))
    row_order = np.argsort(row_week, kind="stable")
    row_bounds = np.searchsorted(row_week[row_order], np.arange(n_week + 1))
    problems = []
    for w in range(n_week):
        cols = col_order[col_bounds[w] : col_bounds[w + 1]]
        rows = row_order[row_bounds[w] : row_bounds[w + 1]]
        problems.append(WeekProblem(cols, rows, model.matrix[rows][:, cols].tocsr()))
    # Largest weeks first, so the threads finish together.
    return sorted(problems, key=lambda p: -p.matrix.nnz)


class _Weekly:
    """Solves the weekly LPs of one model for given prices, in parallel threads."""

    def __init__(
        self,
        model: LinearModel,
        options: SolverOptions,
        deadline: Deadline,
    ) -> None:
        self.model, self.options, self.deadline = model, options, deadline
        self.pool = ThreadPoolExecutor(max_workers=options.threads)

    def solve(
        self,
        problems: list[WeekProblem],
        cost: np.ndarray,
        lower: np.ndarray,
        upper: np.ndarray,
        fallback: np.ndarray | None = None,
    ) -> tuple[np.ndarray, float, bool]:
        """All weeks: the column vector (annual columns 0), Σ objectives, all optimal?

        Columns fixed to 0 are left out of each week's LP (after repair has closed most
        drops, most arcs are). A week whose LP finds no point (time ran out) takes its
        columns from ``fallback`` when given (the sum is then NaN); otherwise the whole call
        fails with a NaN sum.
        """
        m = self.model

        def one(p: WeekProblem) -> tuple[np.ndarray, SolverRun]:
            cols, matrix = p.cols, p.matrix
            live = upper[cols] > 0
            if not live.all():
                cols, matrix = cols[live], matrix[:, live]
            week = LinearProgram(
                matrix,
                cost[cols],
                m.row_lower[p.rows],
                m.row_upper[p.rows],
                lower[cols],
                upper[cols],
            )
            run = run_solver(week, self.options.lp_solver, self.deadline.left(), 1)
            return cols, run

        values = np.zeros(m.variables.count)
        total, optimal = 0.0, True
        for p, (cols, run) in zip(problems, self.pool.map(one, problems), strict=True):
            if run.values is None:
                if fallback is None:
                    return values, math.nan, False
                values[p.cols] = fallback[p.cols]
                total, optimal = math.nan, False
                continue
            values[cols] = run.values
            total += run.objective
            optimal &= run.status == "optimal"
        return values, total, optimal

    def close(self) -> None:
        self.pool.shutdown()


@dataclass(frozen=True)
class AnnualRows:
    """The per-canteen annual rows (EGalim shares, budgets) that the multipliers price.

    ``w_short`` and ``w_over`` are the shortfall and overrun prices (per EUR HT): they bound
    the multipliers, μ_EGalim ∈ [0, W_S] and μ_budget ∈ [−W_B, 0] (see the module docstring).
    """

    matrix: sp.csr_matrix
    rhs: np.ndarray
    is_budget: np.ndarray
    w_short: float
    w_over: float

    @classmethod
    def of(cls, model: LinearModel) -> AnnualRows:
        var = model.variables
        rows = np.flatnonzero(row_weeks(model) < 0)
        is_budget = ~np.isfinite(model.row_lower[rows])
        return cls(
            model.matrix[rows],
            np.where(is_budget, model.row_upper[rows], model.row_lower[rows]),
            is_budget,
            float(model.objective[var.cols("short_quality")].max(initial=0.0)),
            float(model.objective[var.cols("overrun")].max(initial=0.0)),
        )

    @property
    def mu_low(self) -> np.ndarray:
        low: np.ndarray = np.where(self.is_budget, -self.w_over, 0.0)
        return low

    @property
    def mu_high(self) -> np.ndarray:
        """Also the starting multipliers: every canteen short of every target, no overrun."""
        high: np.ndarray = np.where(self.is_budget, 0.0, self.w_short)
        return high

    def cost(self, model: LinearModel, mu: np.ndarray) -> np.ndarray:
        """Column costs of the weekly problems at multipliers ``mu``: c − A_Gᵀμ."""
        priced: np.ndarray = model.objective - self.matrix.T @ mu
        return priced

    def of_plan(self, values: np.ndarray) -> np.ndarray:
        """What each annual row is worth to ``values``: W_S on a target it misses, −W_B on a
        budget it overruns, 0 on rows it already meets."""
        activity = self.matrix @ values - self.rhs
        short = np.where(activity < 0, self.w_short, 0.0)
        over = np.where(activity > 0, -self.w_over, 0.0)
        priced: np.ndarray = np.where(self.is_budget, over, short)
        return priced


def solve_decompose(
    model: LinearModel,
    options: SolverOptions,
    deadline: Deadline,
    log: Callable[[str], None] | None = None,
    plan_objective: Callable[[np.ndarray], float] | None = None,
) -> tuple[Plan | None, SolverRun]:
    """Weekly Lagrangian decomposition, then weekly repair (see the module docstring)."""
    assert plan_objective is not None
    var = model.variables
    annual = AnnualRows.of(model)
    rhs, mu_low, mu_high = annual.rhs, annual.mu_low, annual.mu_high
    mu = mu_high.copy()

    weekly = _Weekly(model, options, deadline)
    try:
        transport = week_problems(model, with_delivery=False)
        best_bound, best_mu, best_ub = -math.inf, mu.copy(), math.inf
        relaxed = np.zeros(var.count)
        step_scale, stalls, iterations = 0.5, 0, 0
        search_end = deadline.left() * (1 - SEARCH_SHARE)
        pass_s = 0.0
        while iterations < 40 and deadline.left() - pass_s > search_end:
            iterations += 1
            pass_started = time.perf_counter()
            cost = annual.cost(model, mu)
            values, total, ok = weekly.solve(transport, cost, var.lower, var.upper)
            pass_s = time.perf_counter() - pass_started
            if not ok:
                break
            bound = total + float(mu @ rhs)
            ub = plan_objective(values)
            best_ub = min(best_ub, ub)
            if bound > best_bound + 1e-9 * abs(bound):
                best_bound, best_mu, relaxed, stalls = bound, mu.copy(), values, 0
            else:
                stalls += 1
                if stalls >= 2:
                    step_scale, stalls = step_scale / 2, 0
                    mu = best_mu.copy()
                    if step_scale < 0.02:
                        break
            _say(log, f"prices {iterations}: bound {best_bound:.6g}, relaxed plan {ub:.6g}")
            if (best_ub - best_bound) <= options.mip_gap * max(1.0, abs(best_ub)) / 2:
                break
            grad = annual.matrix @ values - rhs
            moving = ~(((mu <= mu_low) & (grad > 0)) | ((mu >= mu_high) & (grad < 0)))
            norm = float(grad[moving] @ grad[moving])
            if norm <= 0:
                break
            step = step_scale * (best_ub - bound) / norm
            mu = np.clip(mu - step * grad, mu_low, mu_high)

        full = week_problems(model, with_delivery=True)
        cost = annual.cost(model, best_mu)
        # With drops, franco and lots the weekly LPs cost 4-9x the transport ones (measured
        # at size M): worth it for a slightly stronger bound and better drops only when
        # that leaves the repair most of the time.
        if DELIVERY_COST * pass_s <= DELIVERY_SHARE * deadline.left():
            with_delivery, total, ok = weekly.solve(full, cost, var.lower, var.upper)
            if ok:
                best_bound = max(best_bound, total + float(best_mu @ rhs))
                relaxed = with_delivery
            _say(log, f"delivery relaxation: bound {best_bound:.6g}")
        else:
            _say(log, "delivery relaxation: skipped, drops chosen from the transport flows")
        open_drop, open_lot = open_from_relaxation(model, relaxed)
        repaired = _weekly_repair(
            model, weekly, full, cost, open_drop, open_lot, deadline, log, plan_objective
        )
        polished = _polish(model, repaired, options, deadline, log, plan_objective)
        if polished is None:
            polished = _reprice(
                model, weekly, full, annual, best_mu, repaired, deadline, log, plan_objective
            )
        plan_values = polished
    finally:
        weekly.close()
    run = SolverRun(options.lp_solver, "feasible", plan_values, math.nan, best_bound, None, 0.0)
    return Plan(plan_values, "feasible", best_bound, options.lp_solver, iterations), run


def _weekly_repair(
    model: LinearModel,
    weekly: _Weekly,
    problems: list[WeekProblem],
    cost: np.ndarray,
    open_drop: np.ndarray,
    open_lot: np.ndarray,
    deadline: Deadline,
    log: Callable[[str], None] | None,
    plan_objective: Callable[[np.ndarray], float],
) -> np.ndarray:
    """From open drops, re-solve until every franco is paid, then grow.

    Lots stay as given. Growing: a closed drop whose producer
    has a drop to spare that week and whose leftover stock could pay the franco from what the
    canteen still buys conventionally is opened, and the franco loop runs again; the best plan
    by true objective is kept.
    """
    var, index = model.variables, model.index
    max_drops = index.producers["max_drops"].to_numpy()
    conventional = all_conventional(model)
    best, best_objective = conventional, math.inf
    round_s = 0.0
    for grow_round in range(GROWTH_ROUNDS):
        round_started = time.perf_counter()
        values = _franco_loop(
            model, weekly, problems, cost, open_drop, open_lot, deadline, log, conventional
        )
        objective = plan_objective(values)
        _say(log, f"repair round {grow_round}: plan {objective:.6g}")
        if objective >= best_objective - 1e-9 * abs(best_objective):
            break
        best, best_objective = values, objective
        open_drop = values[var.cols("y")] > 0.5
        extra = _growth_candidates(model, values, open_drop, max_drops)
        round_s = time.perf_counter() - round_started
        if not extra.any() or deadline.left() <= round_s:
            break
        open_drop |= extra
    return close_short_drops(model, best)


def _franco_loop(
    model: LinearModel,
    weekly: _Weekly,
    problems: list[WeekProblem],
    cost: np.ndarray,
    open_drop: np.ndarray,
    open_lot: np.ndarray,
    deadline: Deadline,
    log: Callable[[str], None] | None,
    fallback: np.ndarray,
) -> np.ndarray:
    """Solve with drops fixed and franco elastic; close drops still short; until none is.

    A week whose LP does not finish in time takes its plan from ``fallback``.
    """
    var, index = model.variables, model.index
    franco = index.drops["franco"].to_numpy()[var.drop_rows]
    open_drop = open_drop.copy()
    values = fallback
    slack = var.cols("franco_slack")
    for _ in range(20):
        lower, upper = fixed_delivery(model, open_drop, open_lot, elastic_franco=True)
        values, _, ok = weekly.solve(problems, cost, lower, upper, fallback)
        short = values[slack] > 1e-6 * np.maximum(franco, 1.0)
        _say(log, f"repair: {int(open_drop.sum())} drops open, {int(short.sum())} below franco")
        if not ok or not short.any() or deadline.left() <= 0.05:
            return values
        open_drop &= ~short
    return values


def _growth_candidates(
    model: LinearModel, values: np.ndarray, open_drop: np.ndarray, max_drops: np.ndarray
) -> np.ndarray:
    """Closed drops worth trying: spare drop that week, leftovers that could pay the franco."""
    var, index = model.variables, model.index
    arcs = index.arcs
    x = values[var.cols("x")]
    v = values[var.cols("v")]
    offer = arcs["offer"].to_numpy()
    stock_left = index.offers["qty"].to_numpy() - np.bincount(offer, x, minlength=len(index.offers))
    reachable = np.minimum(np.clip(stock_left[offer], 0, None), v[arcs["demand"].to_numpy()])
    potential = np.bincount(
        arcs["drop"].to_numpy(), reachable * arcs["price"].to_numpy(), minlength=len(index.drops)
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


def _reprice(
    model: LinearModel,
    weekly: _Weekly,
    problems: list[WeekProblem],
    annual: AnnualRows,
    mu: np.ndarray,
    values: np.ndarray,
    deadline: Deadline,
    log: Callable[[str], None] | None,
    plan_objective: Callable[[np.ndarray], float],
) -> np.ndarray:
    """Re-solve the weeks over the plan's drops with prices read off the plan itself.

    The search's prices treat every canteen as short of every target; once the plan meets a
    target, more of that food is worth nothing there and should go where a target is missed.
    Each round moves the prices halfway towards what the plan's own annual rows are worth
    (halfway: jumping all the way makes the met and missed rows swap back and forth) and
    re-runs the franco loop on the plan's drops and lots. Weekly LPs only, so it scales like
    the repair; the best plan by true objective is kept. On the demo it reaches the
    whole-year polishing LP's plan to 1e-5 with weekly LPs only.
    """
    var = model.variables
    open_drop = values[var.cols("y")] > 0.5
    open_lot = values[var.cols("z")] > 0.5
    best, best_objective = values, plan_objective(values)
    current = values
    round_s = 0.0
    for round_ in range(REPRICE_ROUNDS):
        if deadline.left() <= round_s:
            break
        started = time.perf_counter()
        mu = 0.5 * (mu + annual.of_plan(current))
        cost = annual.cost(model, mu)
        current = _franco_loop(
            model, weekly, problems, cost, open_drop, open_lot, deadline, log, best
        )
        objective = plan_objective(current)
        _say(log, f"reprice {round_}: plan {objective:.6g}")
        if objective < best_objective:
            best, best_objective = current, objective
        round_s = time.perf_counter() - started
    return close_short_drops(model, best)


def _polish(
    model: LinearModel,
    values: np.ndarray,
    options: SolverOptions,
    deadline: Deadline,
    log: Callable[[str], None] | None,
    plan_objective: Callable[[np.ndarray], float],
) -> np.ndarray | None:
    """Re-solve the whole year with the plan's drops and lots fixed and the true EGalim rows.

    Weekly prices cannot see that a canteen already meets a target (its extra organic food is
    then worth nothing) while another is short; one LP over the open drops only, with the
    annual rows, moves supply to where it counts. The plan is a feasible point of that LP, so
    the result is never worse; if the LP does not finish in time the plan is kept. None when
    the LP would be over :data:`POLISH_MAX_COLUMNS` (then :func:`_reprice` does the job).
    """
    var = model.variables
    open_drop, open_lot = values[var.cols("y")] > 0.5, values[var.cols("z")] > 0.5
    lower, upper = fixed_delivery(model, open_drop, open_lot, elastic_franco=False)
    # Keep only the columns that can be non-zero: a much smaller LP than the whole model.
    keep = upper > 0
    if keep.sum() > POLISH_MAX_COLUMNS:
        _say(log, f"polish: {int(keep.sum())} columns, over {POLISH_MAX_COLUMNS}: re-pricing")
        return None
    run = run_solver(
        model.program(lower, upper).with_columns(keep),
        options.lp_solver,
        deadline.left(),
        options.threads,
    )
    if run.values is None:
        _say(log, f"polish: {run.status}, plan kept")
        return values
    polished = np.zeros(var.count)
    polished[keep] = run.values
    before, after = plan_objective(values), plan_objective(polished)
    _say(log, f"polish: {int(keep.sum())} columns, plan {before:.6g} -> {after:.6g}")
    return polished if after < before else values


def _say(log: Callable[[str], None] | None, message: str) -> None:
    if log is not None:
        log(message)
