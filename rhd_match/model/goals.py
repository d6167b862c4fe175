"""Lexicographic objectives: EGalim first (or the most compliant canteens), then local food,
then cost (``docs/model.md``, *Objectives*).

A level is a vector of objective coefficients over the model's columns, minimised. The levels
are solved one after the other, each time with one more row keeping the level just solved
within ``LEVEL_ABS_TOL + LEVEL_REL_TOL × |value reached|`` of the value reached.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..i18n import format_number, format_significant
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..params import SolverOptions, Weights
from ..plan.solution import STATUS_NAMES
from .build import LinearModel, RowFamily
from .decode import clean_flows
from .solvers import LEVEL_GLOP_PARAMETERS, LinearProgram, SolverRun
from .strategies import (
    Deadline,
    Reporter,
    close_short_drops,
    fixed_delivery,
    open_in_plan,
)
from .variables import Variables

#: Each level of a lexicographic objective, as the live display names it (translated where
#: shown; ``rhd_match.plan.solution.LEVEL_LABELS`` says what each measures, with its unit).
LEVEL_NAMES = {
    "egalim": N_("EGalim targets"),
    "compliance": N_("canteens at their targets"),
    "local": N_("local food"),
    "cost": N_("cost"),
    "weighted": N_("weighted sum"),
}


def level_name(name: str) -> str:
    """A level of the objective as the live display names it, in the active language (a level
    of one's own, as a test or a caller defines it, by its id)."""
    return _(LEVEL_NAMES[name]) if name in LEVEL_NAMES else name


#: A level solved is kept within this many EUR HT (or canteen-targets) of the value reached:
#: above the solvers' primal feasibility tolerance (1e-7 in GLOP and HiGHS), so the next
#: level always has the plan just found as a feasible point, and far below a cent.
LEVEL_ABS_TOL = 1e-5
#: ... plus this share of the value reached (1 cent on 1 M EUR HT of local food).
LEVEL_REL_TOL = 1e-8
#: Share of the time left that each MIP level but the last may use (the first level's plan is
#: already a whole plan: it gets the most). LP levels run to their optimum, with the whole time
#: left as a safety net only, so that their plan does not depend on the machine's speed.
LEVEL_TIME_SHARE = 0.5
#: A reduced cost or dual counts as non-zero beyond this share of the level's largest
#: coefficient, and a column or row as at its bound within this much (units or EUR HT): above
#: GLOP's optimality tolerances (1e-7), so only what the level's optimum pins down is fixed.
FACE_TOL = 1e-6
#: The EGalim targets, in the order of the shortfall and compliance blocks.
TARGETS = ("quality", "organic", "meat_fish")
MEETS_BLOCKS = tuple(f"meets_{t}" for t in TARGETS)
SHORT_BLOCKS = tuple(f"short_{t}" for t in TARGETS)


@dataclass(frozen=True)
class Goals:
    """The model the levels are solved on and its level objectives, minimised in order.

    ``model`` is the allocation model, with for ``compliance`` one binary column per canteen
    and target (``meets_*``) and their link rows; its first columns are the allocation
    model's, in the same order.
    """

    model: LinearModel
    names: tuple[str, ...]
    levels: tuple[np.ndarray, ...]


def define_goals(model: LinearModel, objective: str, weights: Weights) -> Goals:
    """The levels of ``objective`` (``"lexicographic"`` or ``"compliance"``) for ``model``.

    Parameters
    ----------
    model
        The allocation model (its own objective is the weighted one).
    objective
        ``"lexicographic"``: EGalim shortfall (EUR HT, budget overrun counted at
        ``weights.budget_overrun / weights.egalim_shortfall`` per EUR HT), then local value
        (EUR HT at reference prices), then purchase value (EUR HT, with ``weights.distance /
        weights.cost`` per kg·km as a tie-break). ``"compliance"``: the number of canteen
        targets met, then the same two.
    weights
        The scenario's weights, for the ratios above only.

    Returns
    -------
    Goals
        The model to solve the levels on and one objective vector per level.
    """
    if objective == "compliance":
        model = with_compliance(model)
    var, arcs = model.variables, model.index.arcs
    first = np.zeros(var.count)
    if objective == "compliance":
        for block in MEETS_BLOCKS:
            first[var.cols(block)] = -1.0
    else:
        for block in SHORT_BLOCKS:
            first[var.cols(block)] = 1.0
        ratio = weights.budget_overrun / weights.egalim_shortfall if weights.egalim_shortfall else 1
        first[var.cols("overrun")] = ratio
    local = np.zeros(var.count)
    local[var.cols("x")] = -arcs["local"].to_numpy(float) * arcs["ref_price"].to_numpy()
    cost = model.purchase_value()
    per_kg_km = weights.distance / weights.cost if weights.cost else 0.0
    cost[var.cols("x")] += per_kg_km * (
        arcs["distance_km"].to_numpy() * arcs["kg_per_unit"].to_numpy()
    )
    name = "compliance" if objective == "compliance" else "egalim"
    return Goals(model, (name, "local", "cost"), (first, local, cost))


def with_compliance(model: LinearModel) -> LinearModel:
    """``model`` with a binary ``meets_*`` column per canteen and target, and link rows
    ``s_c + M_c t_c ≤ M_c`` (t = 1 only when the shortfall is 0).

    ``M_c`` is the target times an upper bound of the canteen's purchase value (every arc at
    its bound plus everything conventional; for meat and fish, those lines only), EUR HT.

    Parameters
    ----------
    model
        The allocation model.

    Returns
    -------
    LinearModel
        The same model with ``3 × canteens`` more columns (after all of ``model``'s) and
        rows (family ``compliance``); its own objective is 0 on the new columns.
    """
    var, index = model.variables, model.index
    arcs, demand = index.arcs, index.demand
    n_can = len(index.canteen_ids)
    a_can, d_can = arcs["canteen"].to_numpy(), demand["canteen"].to_numpy()
    a_val = arcs["price"].to_numpy() * arcs["ub"].to_numpy()
    d_val = demand["ref_price"].to_numpy() * demand["qty"].to_numpy()
    a_mf, d_mf = arcs["meat_fish"].to_numpy(bool), demand["meat_fish"].to_numpy(bool)
    bound_all = np.bincount(a_can, a_val, n_can) + np.bincount(d_can, d_val, n_can)
    bound_mf = np.bincount(a_can[a_mf], a_val[a_mf], n_can) + np.bincount(
        d_can[d_mf], d_val[d_mf], n_can
    )
    can = index.canteens
    big_m = np.concatenate(
        [
            can["target_quality"].to_numpy() * bound_all,
            can["target_organic"].to_numpy() * bound_all,
            can["target_meat_fish"].to_numpy() * bound_mf,
        ]
    )
    n_new = 3 * n_can
    start, size = dict(var.start), dict(var.size)
    for k, block in enumerate(MEETS_BLOCKS):
        start[block], size[block] = var.count + k * n_can, n_can
    variables = Variables(
        start,
        size,
        np.concatenate([var.lower, np.zeros(n_new)]),
        # A canteen that can buy nothing meets no target (as ``Solution.canteens`` counts).
        np.concatenate([var.upper, np.tile(bound_all > 0, 3).astype(float)]),
        np.concatenate([var.integer, np.ones(n_new, bool)]),
        var.drop_rows,
        var.drop_var,
        var.lot_arcs,
        var.budget_canteens,
    )
    short = np.concatenate([var.cols(b) for b in SHORT_BLOCKS])
    meets = var.count + np.arange(n_new)
    link = sp.csr_matrix(
        (
            np.concatenate([np.ones(n_new), big_m]),
            (np.tile(np.arange(n_new), 2), np.concatenate([short, meets])),
        ),
        shape=(n_new, var.count + n_new),
    )
    n_rows = model.shape[0]
    matrix = sp.csr_matrix(
        sp.vstack([sp.hstack([model.matrix, sp.csr_matrix((n_rows, n_new))]), link])
    )
    keys = pd.DataFrame(
        {"canteen": np.tile(np.arange(n_can), 3), "target": np.repeat(np.array(TARGETS), n_can)}
    )
    return replace(
        model,
        variables=variables,
        matrix=matrix,
        objective=np.concatenate([model.objective, np.zeros(n_new)]),
        row_lower=np.concatenate([model.row_lower, np.full(n_new, -np.inf)]),
        row_upper=np.concatenate([model.row_upper, big_m]),
        families=(*model.families, RowFamily("compliance", n_rows, n_new, keys)),
    )


@dataclass(frozen=True)
class LevelsResult:
    """The plan after the last level solved (None when even the first found none), and for
    each level solved its value and the solver's bound on it (over the columns the levels
    were solved on, with the levels before it held: ±inf when nothing is proven)."""

    values: np.ndarray | None
    run: SolverRun
    reached: tuple[float, ...]
    optimal: bool
    bounds: tuple[float, ...] = ()


def solve_levels(
    goals: Goals,
    lower: np.ndarray,
    upper: np.ndarray,
    integer: bool,
    options: SolverOptions,
    deadline: Deadline,
    report: Reporter,
    held: np.ndarray | None = None,
    held_out: np.ndarray | None = None,
) -> LevelsResult:
    """Solve the levels of ``goals`` in order over these column bounds.

    As a MIP, every level but the last gets ``LEVEL_TIME_SHARE`` of the time left, the last
    all of it, so time a level does not use passes to the next. As LPs, every level gets all
    the time left: an LP solved to its optimum is the same on any machine, and the clock is
    only a safety net. ``deadline.hit`` is set when a level ends short of its optimum, by the
    clock or for any reason but a proof that it has no plan: the plan returned then depends on
    the machine, and says so (``Solution.stopped_by_time_limit``). Each level solved adds the row
    ``level_k · x ≤ reached_k + tol``; before the last level the ``meets_*`` binaries are
    fixed at the values reached (with the shortfall of each target met fixed to 0), so a
    target counted as met is met exactly.

    Parameters
    ----------
    goals
        The model and its levels.
    lower, upper
        Column bounds, one per column of ``goals.model``.
    integer
        Solve as a MIP (integer columns whose bounds leave a choice); else as LPs.
    options
        Solvers, threads and MIP gap.
    deadline
        The time left for every level.
    report
        Progress messages.
    held
        Columns held, after the first level, at the values it reached (bool per column of
        ``goals.model``; ``hub_flows``): the levels after it do not move them. None: none.
    held_out
        Columns held at ``lower`` (bool per column of ``goals.model``) and left out of the
        programs, their part of the rows moved to the rows' bounds (``local_search``'s
        restricted MIPs). None: every column with ``upper > 0`` is in.

    Returns
    -------
    LevelsResult
        The column vector of the last level solved (over every column of ``goals.model``),
        the last solver run, the value reached at each level solved, whether every level
        was solved to optimality (within ``mip_gap`` for a MIP), and each level's bound.
    """
    model = goals.model
    var = model.variables
    keep = upper > 0
    if held_out is not None:
        keep &= ~held_out
    mip = integer and bool((var.integer & (lower < upper))[keep].any())
    program = model.program(lower, upper, integer=mip).with_columns(
        keep, None if held_out is None else lower
    )
    solver = options.mip_solver if mip else options.lp_solver
    values: np.ndarray | None = None
    reached: list[float] = []
    bounds: list[float] = []
    optimal = True
    run: SolverRun | None = None
    n = len(goals.levels)
    for k, (name, level) in enumerate(zip(goals.names, goals.levels, strict=True)):
        if k == n - 1 and values is not None and "meets_quality" in var.start:
            program = _fix_meets(program, var, keep, values)
        coef = level[keep]
        share = Deadline(deadline.left() * (1.0 if k == n - 1 or not mip else LEVEL_TIME_SHARE))
        report.say(
            _("level {k} ({name}): {solver}, limit {seconds} s").format(
                k=k + 1,
                name=level_name(name),
                solver=solver,
                seconds=format_number(share.left(), 1),
            )
        )
        step = share.solve(
            program.with_objective(coef),
            solver,
            options.threads,
            options.mip_gap,
            LEVEL_GLOP_PARAMETERS,
        )
        deadline.hit |= share.hit
        # A level not solved to its optimum (a proof of no plan aside) leaves the plan where
        # the solver stopped: it depends on the machine, whatever status the solver gave.
        deadline.hit |= step.status not in ("optimal", "infeasible", "unbounded")
        point = step.values
        if (
            point is not None
            and step.status != "optimal"
            and not no_worse(program, coef, point, values)
        ):
            # A point the clock stopped mid-way (an LP's, say): the plan so far is better.
            step = replace(step, values=None)
        run = run if step.values is None and run is not None else step
        if step.values is None:
            optimal = False
            report.say(
                _("level {k} ({name}): {status}, previous level's plan kept").format(
                    k=k + 1,
                    name=level_name(name),
                    status=_(STATUS_NAMES.get(step.status, step.status)),
                )
            )
            break
        values = step.values
        optimal &= step.status == "optimal"
        value = float(coef @ values)
        reached.append(value)
        bounds.append(step.bound)
        report.say(
            _("level {k} ({name}): {value}").format(
                k=k + 1, name=level_name(name), value=format_significant(value)
            )
        )
        if not mip and step.duals is not None and k < n - 1:
            program = optimal_face(program, coef, step.values, step.duals)
        if k == 0 and held is not None and held[keep].any():
            fixed = held[keep]
            lower_k, upper_k = program.lower.copy(), program.upper.copy()
            lower_k[fixed] = upper_k[fixed] = values[fixed]
            program = replace(program, lower=lower_k, upper=upper_k)
        program = program.with_row(
            coef, -np.inf, value + LEVEL_ABS_TOL + LEVEL_REL_TOL * abs(value)
        )
    assert run is not None
    full: np.ndarray | None = None
    if values is not None:
        full = np.zeros(var.count) if held_out is None else np.where(held_out, lower, 0.0)
        full[keep] = values
    return LevelsResult(full, run, tuple(reached), optimal, tuple(bounds))


def hub_flows(model: LinearModel) -> np.ndarray:
    """The flows through hubs: what a heuristic's levels hold after the first
    (``solve_levels``'s ``held``).

    With a heuristic's drops fixed, each open hub drop keeps its minimum (kg) as a row: on
    the demo with its hub (1,201 open hub drops, most at their 20 kg minimum) these rows make
    each level's LP about three times slower than without the hub, whereas with the hub's
    flows held after the first level the next two take about the time they take without the
    hub, for 0.3 % of the local level (measured, ``docs/model.md``, *Hubs*).

    Parameters
    ----------
    model
        The model the levels are solved on.

    Returns
    -------
    numpy.ndarray
        Bool per column: True on the flows (``x``) of arcs via a hub.
    """
    var = model.variables
    out = np.zeros(var.count, bool)
    out[var.cols("x")] = model.index.arcs["hub_drop"].to_numpy() >= 0
    return out


#: A point counts as keeping a row or column bound within this much, scaled by the bound
#: (units or EUR HT): above the solvers' feasibility tolerances (1e-7 in GLOP and HiGHS).
POINT_TOL = 1e-6


def no_worse(
    program: LinearProgram, coef: np.ndarray, values: np.ndarray, previous: np.ndarray | None
) -> bool:
    """Whether a level's point not proven optimal may replace the plan so far: it keeps
    every row and column bound of ``program`` (so the levels before it too), and on this level
    it is no worse than ``previous`` (which keeps them as well).

    Parameters
    ----------
    program
        The level's program (columns kept).
    coef
        The level's objective, shape (columns,).
    values
        The point, shape (columns,).
    previous
        The plan so far over the same columns, or None before the first level's.

    Returns
    -------
    bool
        True when the point is a plan of the program at least as good on this level.
    """
    activity = program.matrix @ values

    def within(x: np.ndarray, low: np.ndarray, high: np.ndarray) -> bool:
        tol_low = POINT_TOL * np.maximum(1.0, np.abs(np.where(np.isfinite(low), low, 0.0)))
        tol_high = POINT_TOL * np.maximum(1.0, np.abs(np.where(np.isfinite(high), high, 0.0)))
        return bool(np.all(x >= low - tol_low) and np.all(x <= high + tol_high))

    if not within(activity, program.row_lower, program.row_upper):
        return False
    if not within(values, program.lower, program.upper):
        return False
    if previous is None:
        return True
    value, before = float(coef @ values), float(coef @ previous)
    return value <= before + LEVEL_ABS_TOL + LEVEL_REL_TOL * abs(before)


def optimal_face(
    program: LinearProgram, objective: np.ndarray, values: np.ndarray, duals: np.ndarray
) -> LinearProgram:
    """``program`` restricted to the optimal face of an LP level, read off its duals.

    By complementary slackness every optimal point of the level keeps at its bound each
    column whose reduced cost ``d = c − Aᵀy`` is not zero, and keeps active each row whose
    dual ``y`` is not zero. Fixing them loses no optimal point of the level, and leaves the
    next level a much smaller LP (the solver's presolve removes what is fixed): on the demo the
    next levels' LPs took most of the solve time. Only what the plan just found already
    satisfies is fixed (beyond ``FACE_TOL``), so it stays a feasible point; the level row
    added after this keeps the level's value within its tolerance as before.

    Parameters
    ----------
    program
        The level's LP (columns already restricted to those that may be non-zero).
    objective
        The level's objective, shape (columns,).
    values
        The level's optimal point, shape (columns,).
    duals
        The level's row duals at that point (minimisation: ≥ 0 on an active lower bound,
        ≤ 0 on an active upper bound), shape (rows,).

    Returns
    -------
    LinearProgram
        The same program with those column bounds and row bounds tightened to equalities.
    """
    reduced = objective - program.matrix.T @ duals
    scale = FACE_TOL * max(1.0, float(np.abs(objective).max(initial=0.0)))
    lower, upper = program.lower.copy(), program.upper.copy()
    at_lower = (reduced > scale) & np.isfinite(lower) & (np.abs(values - lower) <= FACE_TOL)
    at_upper = (reduced < -scale) & np.isfinite(upper) & (np.abs(values - upper) <= FACE_TOL)
    upper[at_lower] = lower[at_lower]
    lower[at_upper] = upper[at_upper]
    activity = program.matrix @ values
    row_lower, row_upper = program.row_lower.copy(), program.row_upper.copy()
    on_lower = (duals > scale) & np.isfinite(row_lower)
    on_lower &= np.abs(activity - row_lower) <= FACE_TOL * np.maximum(1.0, np.abs(row_lower))
    on_upper = (duals < -scale) & np.isfinite(row_upper)
    on_upper &= np.abs(activity - row_upper) <= FACE_TOL * np.maximum(1.0, np.abs(row_upper))
    row_upper[on_lower] = row_lower[on_lower]
    row_lower[on_upper] = row_upper[on_upper]
    return replace(program, lower=lower, upper=upper, row_lower=row_lower, row_upper=row_upper)


def _fix_meets(
    program: LinearProgram, var: Variables, keep: np.ndarray, values: np.ndarray
) -> LinearProgram:
    """``program`` with each ``meets_*`` column fixed at its rounded value, and the shortfall
    of every target met bounded to 0."""
    position = np.cumsum(keep) - 1
    lower, upper = program.lower.copy(), program.upper.copy()
    for meets, short in zip(MEETS_BLOCKS, SHORT_BLOCKS, strict=True):
        m, s = var.cols(meets), var.cols(short)
        on = keep[m] & keep[s]
        met = np.round(values[position[m[on]]])
        lower[position[m[on]]] = upper[position[m[on]]] = met
        upper[position[s[on]]] = np.where(met > 0.5, 0.0, upper[position[s[on]]])
    return replace(program, lower=lower, upper=upper)


def level_bounds(goals: Goals, plan: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Column bounds of ``goals.model`` for the levels: its own without a plan (exact model);
    with a heuristic's ``plan`` (over the allocation model's columns), its drops and lots fixed
    as in the plan, and each column hard mode fixes to 0 bounded by the plan's value (a
    heuristic's plan may break a hard rule; the levels never make that worse).

    Parameters
    ----------
    goals
        The model and its levels.
    plan
        A heuristic's column vector over the allocation model's columns, or None.

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper bounds, one per column of ``goals.model``.
    """
    var = goals.model.variables
    if plan is None:
        return var.lower.copy(), var.upper.copy()
    plan = within_hard_budgets(goals.model, plan)
    base = len(plan)
    open_drop, open_lot = plan[var.cols("y")] > 0.5, open_in_plan(goals.model, plan)
    lower, upper = fixed_delivery(goals.model, open_drop, open_lot, elastic_minimums=False)
    hard = var.upper[:base] <= 0
    upper[:base] = np.where(hard, np.maximum(plan, 0.0), upper[:base])
    return lower, upper


def level_report(
    names: tuple[str, ...], reached: tuple[float, ...], bounds: tuple[float, ...] | None
) -> tuple[tuple[str, float, float], ...]:
    """(name, plan's value, lower bound) per level solved.

    ``bounds`` are the solvers' bounds of levels solved on the whole model (a MIP's bound, an
    LP's optimum), each valid among the plans that hold the levels before it at the values
    reached. ``None`` when the levels were solved with a heuristic's drops and lots fixed:
    their optima bound nothing beyond those drops, and the relaxation of the whole model
    that would (``docs/model.md``, *Bounds of the levels*) costs more than the solve; the
    EGalim level then keeps its bound of 0 (shortfalls and overruns are never negative),
    which proves the plan optimal when it reaches 0.

    Parameters
    ----------
    names
        The levels' names (``egalim`` or ``compliance``, ``local``, ``cost``).
    reached
        The plan's value at each level solved.
    bounds
        Each level's proven bound, or None (see above).

    Returns
    -------
    tuple
        One ``(name, value, bound)`` per level solved; bound ``-inf`` when none is proven.
    """
    if bounds is None:
        bounds = tuple(0.0 if name == "egalim" else -math.inf for name in names)
    return tuple(zip(names, reached, bounds, strict=False))


#: The EGalim and budget rows, each holding one elastic column per canteen (or per canteen
#: with a budget), in the same order as the block.
ELASTIC_ROWS = {
    "short_quality": "egalim_quality",
    "short_organic": "egalim_organic",
    "short_meat_fish": "egalim_meat_fish",
    "overrun": "budget",
}


def within_hard_budgets(model: LinearModel, plan: np.ndarray) -> np.ndarray:
    """``plan`` with every canteen over its hard budget served by the conventional supplier
    (and the market) alone: its arcs emptied, the drops, hub drops and lots left with nothing
    closed (``close_short_drops``), until no canteen is over that this can help.

    A heuristic's drops, or a start plan's, can force purchases above a tight hard budget
    (a franco, a minimum lot): with them fixed the levels would have no plan, although the
    all-conventional purchase at the reference price meets any budget at least today's
    cost. Emptying a canteen's arcs can leave another's shared drop under its franco, whose
    purchases then go conventional too and may put that canteen over: the loop takes it in
    turn; each round empties at least one more canteen, so it ends.

    Parameters
    ----------
    model
        The model (with ``compliance``'s columns or not).
    plan
        A column vector over the allocation model's columns (the first of ``model``'s).

    Returns
    -------
    numpy.ndarray
        ``plan`` itself when no canteen is over a hard budget; else a copy (same shape) with those
        canteens' arcs at 0, and every shortfall and overrun column at what the plan's flows
        need (the levels bound the hard ones by it, so the plan stays a feasible point).
    """
    var = model.variables
    over_cols = var.cols("overrun")
    hard = var.upper[over_cols] <= 0
    if not hard.any():
        return plan
    budget = model.family("budget")
    rows = slice(budget.start, budget.start + budget.count)
    matrix, limit = model.matrix[rows], model.row_upper[rows]
    arc_canteen = model.index.arcs["canteen"].to_numpy()
    values, helped, changed = plan, np.zeros(len(hard), bool), False
    while True:
        # Each round's flows differ (its arcs emptied); the last round's are the plan's.
        point = _flows_only(model, values)
        spent = matrix @ point
        over = hard & ~helped & (spent > limit + 1e-6 * (1.0 + np.abs(limit)))
        if not over.any():
            break
        helped |= over
        changed = True
        empty = np.isin(arc_canteen, var.budget_canteens[over])
        values = close_short_drops(model, values, empty)
    if not changed:
        return plan
    values = values.copy()
    activity = model.matrix @ point
    for block, family in ELASTIC_ROWS.items():
        found = model.family(family)
        rows_of = slice(found.start, found.start + found.count)
        lower, upper = model.row_lower[rows_of], model.row_upper[rows_of]
        need = np.maximum(lower - activity[rows_of], activity[rows_of] - upper)
        values[var.cols(block)] = np.clip(need, 0.0, None)
    return values


def _flows_only(model: LinearModel, values: np.ndarray) -> np.ndarray:
    """The plan's purchases as a column vector: arcs and conventional quantities without
    solver noise (``clean_flows``), servings and delivery columns as in ``values``,
    shortfalls and overruns at 0."""
    var = model.variables
    point = np.zeros(model.shape[1])
    point[: len(values)] = values
    # ``values`` may stop at the allocation model's columns (a heuristic's plan): the cleaning
    # reads the whole model's rows, so it gets them padded.
    x, v = clean_flows(model, point)
    point[var.cols("x")], point[var.cols("v")] = x, v
    for block in ELASTIC_ROWS:
        point[var.cols(block)] = 0.0
    return point
