"""Weekly decomposition: Lagrangian prices on the annual EGalim and budget rows.

Without its per-canteen annual rows (EGalim shares, budget) the model falls apart into one
independent problem per ISO week. Pricing those rows with multipliers μ gives, for any μ in
the box below, a valid lower bound

    L(μ) = Σ_w min_{x ∈ X_w} (c − A_Gᵀμ)·x + μ·b_G,

computed by one small LP per week (in parallel). The strategy:

1. start from μ = W_S on every EGalim row (every canteen short of every target: the usual case)
   and μ = 0 on budgets; improve μ by projected subgradient steps (Polyak step towards the
   best plan value seen) on the *transport* relaxation (no drop or franco rows: fastest), for
   at most ``SEARCH_ITERATIONS`` passes; keep the best bound, and the multipliers whose
   flows make the best plan (those of the best bound are degenerate: their weekly LPs are
   indifferent between buying labelled food and not);
2. one pass of the weekly relaxations *with* drops, franco and lots at those multipliers: a
   stronger bound, and flows from which to choose drops — on models up to
   ``DELIVERY_MAX_NONZEROS`` (above, the transport flows are used);
3. per week, open drops and lots from those flows and repair by LPs until every open drop pays
   its franco (as ``solve_repair`` does for the whole model),
   then grow the open drops while the plan improves;
4. polish: one whole-year LP over the plan's drops with the true annual rows, or, when that LP
   is too large, weekly re-pricing from the plan's own annual rows.

Small models (up to ``WHOLE_LP_MAX_NONZEROS``) first solve the whole-year LP relaxation
instead of steps 1-2: its optimum is the best bound any μ can prove, its duals are such a μ,
and steps 3-4 start from its flows; unless that plan is within the gap, steps 1-4 run as well
and the better plan is kept (the LP's fractional lots can close a lot the weekly flows fill).

Every budget is work (passes, rounds, LPs solved to optimality), never measured time, so the
same input and options give the same plan on any machine. The wall clock is a safety net
only: a week whose LP runs out of time buys conventionally, so a plan always comes back whole,
and the plan then says so (``Plan.stopped_by_time_limit``). Targets and budgets are elastic
throughout, even in hard mode: the caller checks the hard rules on the final plan.
The plan's objective is then recomputed exactly from its flows; the gap is against the best
bound. Multipliers stay in μ_EGalim ∈ [0, W_S], μ_budget ∈ [−W_B, 0], where the shortfall and
overrun columns keep non-negative prices, so no term of L(μ) is unbounded.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..params import SolverOptions
from .build import LinearModel
from .solvers import LinearProgram, SolverRun, run_solver
from .strategies import (
    ELASTIC_BLOCKS,
    HARD_PRICE_FACTOR,
    ZERO,
    Deadline,
    Plan,
    Reporter,
    all_conventional,
    close_short_drops,
    elastic_objective,
    elastic_upper,
    fixed_delivery,
    open_from_relaxation,
    run_model,
)

GLOBAL_FAMILIES = ("egalim_quality", "egalim_organic", "egalim_meat_fish", "budget")
DELIVERY_FAMILIES = ("drops", "drop_link", "franco", "lot")
DELIVERY_BLOCKS = ("y", "z", "franco_slack")
#: Work budgets (never the clock, so the plan is the same on any machine): at most this many
#: passes of the multiplier search.
SEARCH_ITERATIONS = 40
#: Up to this many nonzeros the whole-year LP relaxation replaces the price search: it is
#: cheap there (XS: 17k nonzeros, 0.1 s) and proves the best bound prices could.
WHOLE_LP_MAX_NONZEROS = 200_000
#: The weekly pass with delivery rows (4-9x a transport pass, measured at size M) only up to
#: this many nonzeros (the demo: 0.9 M; size M: 70 M).
DELIVERY_MAX_NONZEROS = 2_000_000
#: At most this many rounds of growing the open drops in the weekly repair, stopping after
#: a round that gains less than this share of the objective (the demo's fourth round gains
#: 1e-5, the later ones less).
GROWTH_ROUNDS, GROWTH_MIN_GAIN = 8, 1e-4
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
        #: Set when a week's LP was stopped by the time limit (the safety net).
        self.cut = False
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
            return cols, self.deadline.observe(run)

        values = np.zeros(m.variables.count)
        total, optimal = 0.0, True
        for p, (cols, run) in zip(problems, self.pool.map(one, problems), strict=True):
            if run.status != "optimal":
                self.cut = True
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

    rows: np.ndarray
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
            rows,
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

    def hard_excess(self, model: LinearModel, values: np.ndarray) -> float:
        """EUR HT by which ``values`` breaks the rows hard mode makes hard (0 in soft mode)."""
        var = model.variables
        hard_egalim = bool((var.upper[var.cols("short_quality")] <= 0).any())
        hard_budget = bool((var.upper[var.cols("overrun")] <= 0).any())
        flows = values.copy()
        for block in ELASTIC_BLOCKS:
            flows[var.cols(block)] = 0.0
        activity = self.matrix @ flows - self.rhs
        broken = np.where(self.is_budget, activity, -activity).clip(0.0)
        hard = np.where(self.is_budget, hard_budget, hard_egalim)
        return float(broken[hard].sum())

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
    annual = AnnualRows.of(model)
    objective_of = plan_objective
    hard_price = HARD_PRICE_FACTOR * max(annual.w_short, annual.w_over)

    def plan_score(values: np.ndarray) -> float:
        """The plan's objective, plus, in hard mode, what it breaks at the hard price: every
        comparison of plans then puts the hard rules first (0 extra in soft mode)."""
        return objective_of(values) + hard_price * annual.hard_excess(model, values)

    plan_objective = plan_score
    weekly = _Weekly(model, options, deadline)
    try:
        full = week_problems(model, with_delivery=True)
        whole = None
        if model.matrix.nnz <= WHOLE_LP_MAX_NONZEROS:
            whole = _whole_relaxation(model, annual, options, deadline, log)
        starts: list[Start] = []
        plan_values, best_objective = all_conventional(model), math.inf
        # Small models have two starts: the whole LP's flows, then, unless its plan is within
        # the gap, the weekly prices' (the LP's fractional lots can close a lot that the
        # weekly flows fill); the better plan is kept.
        while len(starts) < 2:
            if whole is not None and not starts:
                start = whole
            else:
                start = _price_search(model, weekly, annual, options, log, plan_objective)
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
        stopped = weekly.cut or deadline.hit or deadline.expired()
    finally:
        weekly.close()
    if stopped:
        _say(log, "time limit reached: the plan is the best found so far")
    run = SolverRun(options.lp_solver, "feasible", plan_values, math.nan, bound, None, 0.0)
    plan = Plan(plan_values, "feasible", bound, options.lp_solver, iterations, stopped)
    return plan, run


@dataclass(frozen=True)
class Start:
    """Where the repair starts: a valid bound, multipliers for the weekly LPs' costs, flows
    to open drops from, and the LP passes it took."""

    bound: float
    mu: np.ndarray
    flows: np.ndarray
    passes: int


def _plan_from(
    model: LinearModel,
    weekly: _Weekly,
    full: list[WeekProblem],
    annual: AnnualRows,
    start: Start,
    options: SolverOptions,
    deadline: Deadline,
    log: Callable[[str], None] | None,
    plan_objective: Callable[[np.ndarray], float],
) -> np.ndarray:
    """Drops from the start's flows, weekly repair at its prices, then polish or re-price."""
    cost = annual.cost(model, start.mu)
    open_drop, open_lot = open_from_relaxation(model, start.flows)
    repaired = _weekly_repair(
        model, weekly, full, cost, open_drop, open_lot, deadline, log, plan_objective
    )
    polished = _polish(model, repaired, options, deadline, log, plan_objective)
    if polished is None:
        polished = _reprice(
            model, weekly, full, annual, start.mu, repaired, deadline, log, plan_objective
        )
    return polished


def _whole_relaxation(
    model: LinearModel,
    annual: AnnualRows,
    options: SolverOptions,
    deadline: Deadline,
    log: Callable[[str], None] | None,
) -> Start | None:
    """Small models: the whole-year LP relaxation instead of the price search.

    Its optimum is the best bound any multipliers could prove (the Lagrangian dual of the
    relaxation with delivery rows), its duals on the annual rows are those multipliers, and
    its flows choose the drops. Targets and budgets are elastic here (hard mode is checked on
    the final plan), so the LP always has a point and its optimum also bounds the hard model.
    None when it does not finish (then the price search runs).
    """
    var = model.variables
    upper, objective = elastic_upper(model), elastic_objective(model)
    run = run_model(
        model, var.lower, upper, False, options, deadline, Reporter(None, 0.0), objective
    )
    if run.values is None or run.status != "optimal" or run.duals is None:
        return None
    mu = np.clip(run.duals[annual.rows], annual.mu_low, annual.mu_high)
    _say(log, f"relaxation: bound {run.objective:.6g}")
    return Start(run.objective, mu, run.values, 1)


def _price_search(
    model: LinearModel,
    weekly: _Weekly,
    annual: AnnualRows,
    options: SolverOptions,
    log: Callable[[str], None] | None,
    plan_objective: Callable[[np.ndarray], float],
) -> Start:
    """Projected subgradient steps on the weekly relaxations, then the delivery pass.

    Returns the best bound, the multipliers whose weekly flows make the best plan (the
    multipliers of the best bound are degenerate: their weekly LPs are indifferent between
    buying labelled food and not, and may pick a plan that meets no target), those flows, and
    the number of passes.
    """
    var = model.variables
    rhs, mu_low, mu_high = annual.rhs, annual.mu_low, annual.mu_high
    mu = mu_high.copy()
    transport = week_problems(model, with_delivery=False)
    best_bound, best_mu, best_ub = -math.inf, mu.copy(), math.inf
    primal_mu, primal_values = mu.copy(), np.zeros(var.count)
    step_scale, stalls, iterations = 0.5, 0, 0
    while iterations < SEARCH_ITERATIONS and not weekly.deadline.expired():
        iterations += 1
        values, total, ok = weekly.solve(transport, annual.cost(model, mu), var.lower, var.upper)
        if not ok:
            break
        bound = total + float(mu @ rhs)
        ub = plan_objective(values)
        if ub < best_ub:
            best_ub, primal_mu, primal_values = ub, mu.copy(), values
        if bound > best_bound + 1e-9 * abs(bound):
            best_bound, best_mu, stalls = bound, mu.copy(), 0
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

    relaxed = primal_values
    # With drops, franco and lots the weekly LPs cost 4-9x the transport ones (measured at
    # size M): worth it for a slightly stronger bound and better drops on models up to
    # DELIVERY_MAX_NONZEROS.
    if model.matrix.nnz <= DELIVERY_MAX_NONZEROS:
        full = week_problems(model, with_delivery=True)
        cost = annual.cost(model, primal_mu)
        with_delivery, total, ok = weekly.solve(full, cost, var.lower, var.upper)
        if ok:
            best_bound = max(best_bound, total + float(primal_mu @ rhs))
            relaxed = with_delivery
        _say(log, f"delivery relaxation: bound {best_bound:.6g}")
    else:
        _say(log, "delivery relaxation: skipped, drops chosen from the transport flows")
    return Start(best_bound, primal_mu, relaxed, iterations)


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

    Lots stay as given. Growing: a closed drop whose producer has a drop to spare that week
    and whose leftover stock could pay the franco from what the canteen still buys
    conventionally or from the market is opened, and the franco loop runs again; the best
    plan by true objective is kept.
    """
    var, index = model.variables, model.index
    max_drops = index.producers["max_drops"].to_numpy()
    conventional = all_conventional(model)
    best, best_objective = conventional, math.inf
    for grow_round in range(GROWTH_ROUNDS):
        values = _franco_loop(
            model, weekly, problems, cost, open_drop, open_lot, deadline, log, conventional
        )
        objective = plan_objective(values)
        _say(log, f"repair round {grow_round}: plan {objective:.6g}")
        if objective >= best_objective:
            break
        gain = best_objective - objective
        best, best_objective = values, objective
        if gain <= GROWTH_MIN_GAIN * abs(objective):
            break
        open_drop = values[var.cols("y")] > 0.5
        extra = _growth_candidates(model, values, open_drop, max_drops)
        if not extra.any() or deadline.expired():
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
        if not ok or not short.any() or deadline.expired():
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
    # What a canteen buys from the conventional supplier or the market, a producer could sell.
    market = arcs["market"].to_numpy()
    demand = arcs["demand"].to_numpy()
    elsewhere = v + np.bincount(demand[market], x[market], minlength=len(v))
    reachable = np.minimum(np.clip(stock_left[offer], 0, None), elsewhere[demand])
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
    for round_ in range(REPRICE_ROUNDS):
        if deadline.expired():
            break
        mu = 0.5 * (mu + annual.of_plan(current))
        cost = annual.cost(model, mu)
        current = _franco_loop(
            model, weekly, problems, cost, open_drop, open_lot, deadline, log, best
        )
        objective = plan_objective(current)
        _say(log, f"reprice {round_}: plan {objective:.6g}")
        if objective < best_objective:
            best, best_objective = current, objective
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
    the LP would be over ``POLISH_MAX_COLUMNS`` (then ``_reprice`` does the job).
    """
    var = model.variables
    open_drop, open_lot = values[var.cols("y")] > 0.5, values[var.cols("z")] > 0.5
    lower, upper = fixed_delivery(model, open_drop, open_lot, elastic_franco=False)
    # Keep only the columns that can be non-zero: a much smaller LP than the whole model.
    keep = upper > 0
    if keep.sum() > POLISH_MAX_COLUMNS:
        _say(log, f"polish: {int(keep.sum())} columns, over {POLISH_MAX_COLUMNS}: re-pricing")
        return None
    run = deadline.observe(
        run_solver(
            model.program(lower, upper).with_objective(elastic_objective(model)).with_columns(keep),
            options.lp_solver,
            deadline.left(),
            options.threads,
        )
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
