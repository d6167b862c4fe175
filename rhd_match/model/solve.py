"""Orchestration: build the model, run the chosen strategy, turn the plan into a Solution."""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..check import check
from ..errors import InfeasibleError
from ..i18n import format_number as num
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..i18n import ngettext
from ..inputs.scenario import Scenario
from ..params import SolverOptions, solver_options
from ..plan.solution import OBJECTIVE_NAMES, STATUS_NAMES, Solution
from ..plan.tables import (
    canteen_table,
    conventional_flows,
    producer_table,
    producer_week_table,
    territory_totals,
)
from .build import LinearModel, build_model
from .decode import clean_flows, flows_from_quantities, plan_objective, servings
from .decomposition import solve_decompose
from .decomposition.streaming import (
    estimated_arcs,
    estimated_peak_gb,
    solve_streaming,
    week_chunks,
)
from .deferred import Deferred
from .goals import define_goals, hub_flows, level_bounds, level_report, solve_levels
from .groups import menu_table
from .local_search import searched_plan
from .solvers import SolverRun
from .start import (
    START_TIME_SHARE,
    better,
    objective_goals,
    solution_levels,
    solve_from_start,
    start_values,
    table_levels,
)
from .strategies import (
    Deadline,
    Plan,
    Reporter,
    all_conventional,
    solve_lp,
    solve_mip,
    solve_repair,
    trusted_bound,
)
from .unmet import unmet_local_table

#: The strategies that run alone ("auto" picks one, "decompose" needs the plan objective).
STRATEGY_RUNS = {"lp": solve_lp, "mip": solve_mip, "repair": solve_repair}
#: Time kept for the solution tables after the solver: at least 4 µs per arc (measured at size
#: M on an idle machine) and at least 2.5 builds of the model, which redo about the build's
#: work over the arcs and demand rows and so run at the machine's speed of the moment
#: (tables / build measured 1.7 at size M idle, 1.7–5.4 on the demo under heavy load).
TABLES_S_PER_ARC, TABLES_PER_BUILD = 4e-6, 2.5
#: Time kept, when the all-conventional totals are computed beside the levels, for their
#: thread to end after the levels: this many builds of the model, the whole of its work
#: should it start only when the clock stops the levels (an *estimate*: the totals took 1.1
#: to 1.6 builds on the demo, 2-core machine at load 5-6, measured).
BEFORE_PER_BUILD = 2.0
#: The same for a plan streamed by weeks, which has no whole-year model to time: this many
#: times what the all-conventional totals (``before_totals``: the year's conventional flows,
#: canteen table and territory totals, paid on the clock first) took, for the plan's
#: assembly (its chunks' flows joined, its objective) and its tables (canteens, producers,
#: producer weeks, territory totals) over flows with more rows than the conventional ones.
#: Measured on the demo: 2.1 (totals 1.05 s, assembly 0.9 s, tables 1.3 s; 2-core machine
#: at load average 9); the margin above it is an *estimate*, for larger sizes, where the
#: assembly and tables of size L took 751 s, against 478 s kept then (100 µs a demand row).
STREAMED_TABLES_PER_BEFORE = 3.0
HEURISTICS = ("repair", "decompose")
HARD_RULES = ("egalim_hard", "budget_hard")
#: Share of the time left that a heuristic gets to choose drops and lots before the levels
#: of a lexicographic objective (which then split what is left between them).
HEURISTIC_TIME_SHARE = 0.75
#: Levels of a lexicographic objective reported in the summary (``level_1`` ...).
LEVEL_COUNT = 3


def solve(
    scenario: Scenario,
    log: Callable[[str], None] | None = None,
    start: pd.DataFrame | None = None,
    **options: Any,
) -> Solution:
    """Solve the allocation of ``scenario`` with OR-Tools and return a ``Solution``.

    ``options`` override ``scenario.parameters.solver`` (see
    ``SolverOptions``): ``strategy`` (``auto``, ``mip``, ``repair``,
    ``lp``), ``objective`` (``lexicographic``: EGalim targets, then local food, then least
    cost, level by level; ``compliance``: most canteens at each target within hard budgets,
    then the same; ``weighted``: the weighted sum of ``Weights``), ``time_limit_s`` (wall
    clock, s, whole solve), ``threads``, ``mip_gap``, ``lp_solver``, ``mip_solver``.
    ``log`` receives rhd_match's own progress messages, each a ``Progress`` (a ``str`` with
    the phase, elapsed time, limit, plan and bound as attributes), the same for every
    strategy and solver.

    ``time_limit_s`` is the wall-clock limit of the whole call (build, hand-over to the
    solver, solve, tables): the solver gets what is left after estimates of the hand-over and
    the tables, and is not started when the hand-over alone would not fit. The call may
    overrun by what a solver takes to notice its limit: the tests hold every strategy to
    10 % + 2 s on the demo with a 5 s limit (``docs/model.md``, *Time limit*).

    When time runs out the best plan found so far is returned, with its gap; if none was found,
    the all-conventional plan (status ``time_limit``). In hard mode
    (``hard_egalim``/``hard_budget``) every plan is checked by ``rhd_match.check.check``
    before it is returned; a plan breaking a hard rule never is:
    ``InfeasibleError`` names each canteen and target that cannot be
    met, confirmed by the exact model when it is small enough (``proven``), or else as a
    heuristic's finding. Heuristics budget their work, not time: the same plan on any machine
    unless the time limit stops them (``Solution.stopped_by_time_limit``).

    Parameters
    ----------
    scenario
        The validated scenario.
    log
        Receives each progress message (``Progress``); ``None`` for silence.
    start
        The ``flows`` of a known plan of the same territory (e.g. the fixed menus' plan, or
        the greedy pre-choice's, when demand names groups): the objective's levels are also
        solved over its drops, lots and hub drops with everything else free, and the better
        plan is kept, so the plan returned is at least as good as that one, level by level
        (``docs/menus.md``, *Search*). Not with ``lp``.
    **options
        Fields of ``SolverOptions``, overriding ``scenario.parameters.solver``.

    Returns
    -------
    Solution
        The plan's tables keyed by the input ids, with the solver's statistics.

    Raises
    ------
    OptionError
        When an option is unknown or its value invalid (``time_limit_s <= 0``), before
        anything is built.
    InfeasibleError
        In hard mode, when no plan meets every hard target (``proven`` when the exact model
        confirmed it).
    """
    opts = solver_options(scenario.parameters.solver, options)
    if opts.objective == "compliance" and not scenario.parameters.hard_budget:
        scenario = scenario.with_parameters(hard_budget=True)
    started = time.perf_counter()
    report = Reporter(log, opts.time_limit_s)
    if start is None and opts.strategy in ("auto", "decompose") and scenario.groups.empty:
        arcs = estimated_arcs(scenario)
        peak_gb = estimated_peak_gb(arcs)
        if peak_gb > opts.memory_limit_gb:
            return solve_streamed(scenario, opts, report, started, arcs, peak_gb)
    report.say(_("building the model"))
    model = build_model(scenario)
    report.say(
        ngettext(
            "model built in {seconds} s: {variables} variables ({binaries} binary), "
            "{constraints} constraints",
            "model built in {seconds} s: {variables} variables ({binaries} binary), "
            "{constraints} constraints",
            model.n_binaries,
        ).format(
            seconds=num(model.build_time_s, 1),
            variables=num(model.shape[1]),
            binaries=num(model.n_binaries),
            constraints=num(model.shape[0]),
        )
    )
    # The all-conventional totals do not depend on the plan. Before the levels of an objective,
    # whose LPs are single-threaded, they are computed beside them on a second thread (when
    # ``threads`` allows one); else now, paid on the clock instead of estimated. With groups
    # they are those of the menu as planned, which only the plan tells (``make_solution``).
    before = Deferred(lambda: before_totals(scenario)) if model.index.group_lines.empty else None
    beside = before is not None and opts.objective != "weighted" and opts.threads > 1
    if before is not None and not beside:
        before.result()
    # Leave time for the solution tables after the solver (and for the totals' thread when
    # they run beside the levels); what the call spent so far is counted as measured.
    tables_s = max(TABLES_S_PER_ARC * len(model.index.arcs), TABLES_PER_BUILD * model.build_time_s)
    if beside:
        tables_s += BEFORE_PER_BUILD * model.build_time_s
    deadline = Deadline(opts.time_limit_s - (time.perf_counter() - started) - tables_s)
    strategy = opts.strategy
    params = scenario.parameters
    if strategy == "auto":
        if model.n_binaries <= opts.auto_mip_max_binaries:
            strategy = "mip"
        else:
            # Repair's whole-year LP with hard budgets did not finish in 80 s on the demo
            # under load; the decomposition's weekly LPs do (docs/model.md, *Objectives*).
            repair = params.hard_egalim or (params.hard_budget and opts.objective != "compliance")
            strategy = "repair" if repair else "decompose"
    report.say(
        _("strategy {strategy}, {seconds} s left for it").format(
            strategy=strategy, seconds=num(deadline.left(), 1)
        ),
        phase=strategy,
    )
    opening: list[Plan] = []
    if start is not None and strategy != "lp":
        goals = objective_goals(model, opts.objective, params.weights)
        share = Deadline(START_TIME_SHARE * deadline.left())
        if before is not None:
            before.start()
        opening = solve_from_start(model, goals, start_values(model, start), opts, share, report)
        deadline.hit |= share.hit
    plan, run = run_strategy(
        scenario, model, strategy, opts, deadline, report, None if before is None else before.start
    )
    totals = None if before is None else before.result()
    hard = params.hard_egalim or params.hard_budget
    # "Small enough for the exact model": what `auto` hands to the MIP (or the user chose it).
    small = model.n_binaries <= opts.auto_mip_max_binaries or strategy == "mip"
    if plan is None and strategy in HEURISTICS and run.status != "infeasible" and small:
        # The heuristics fix drops from a relaxation; with hard targets that can leave no
        # feasible plan although one exists: let the exact model decide.
        report.say(_("no plan from the heuristic: the exact model decides"), phase="mip")
        plan, run = run_strategy(scenario, model, "mip", opts, deadline, report)
        strategy = "mip"
    if plan is None:
        if run.status == "infeasible" and hard:
            # An infeasible relaxation or MIP proves that no plan exists; which targets to
            # name is confirmed only by the exact model's elastic plan.
            reasons = explain_infeasibility(scenario, opts, exact=small)
            raise InfeasibleError(reasons, proven=small)
        if deadline.left() > 0.05 and run.status not in (
            "unknown",
            "feasible",
            "cancelled",
            "time_limit",
            "not_started",
        ):
            raise RuntimeError(
                f"solver {run.solver} stopped with status '{run.status}' before the time limit"
            )
        plan = Plan(all_conventional(model), "time_limit", run.bound, run.solver, 0, True)
    elif opts.local_search and strategy in HEURISTICS and opts.objective != "compliance":
        goals = objective_goals(model, opts.objective, params.weights)
        plan = searched_plan(goals, plan, opts, deadline, report)
    if deadline.hit and not plan.stopped_by_time_limit:
        # A solver stopped by the limit (the MIP, a polishing LP): the plan depends on the
        # machine's speed, and says so.
        plan = dataclasses.replace(plan, stopped_by_time_limit=True)
    solve_time = time.perf_counter() - started - model.build_time_s
    report.say(_("writing the solution tables"), phase="tables")
    solution = make_solution(scenario, model, plan, strategy, solve_time, opts.objective, totals)
    best = solution_levels(scenario, solution, opts.objective) if opening else ()
    for known in opening:
        # The solve's bound, solver and clock: whichever plan is kept, the search was this one.
        stopped = known.stopped_by_time_limit or plan.stopped_by_time_limit or deadline.hit
        replaced = dataclasses.replace(
            known, bound=plan.bound, solver=plan.solver, stopped_by_time_limit=stopped
        )
        other = make_solution(
            scenario, model, replaced, strategy, solve_time, opts.objective, totals
        )
        levels = solution_levels(scenario, other, opts.objective)
        if better(levels, best):
            report.say(_("the plan from the start plan's drops and lots is the better one"))
            solution, best = other, levels
    if hard:
        solution = _hard_checked(scenario, model, opts, deadline, report, solution, strategy)
    return _done(report, solution)


def solve_streamed(
    scenario: Scenario,
    opts: SolverOptions,
    report: Reporter,
    started: float,
    arcs: int,
    peak_gb: float,
) -> Solution:
    """The decomposition streamed by weeks (``decomposition.streaming``), for a scenario whose
    whole-year model would not fit ``opts.memory_limit_gb``: the weighted objective, elastic
    rows, the hard rules checked on the plan.

    Parameters
    ----------
    scenario
        The validated scenario (no groups of products).
    opts
        The solver options.
    report
        Progress messages.
    started
        When the call started (``time.perf_counter``), for the time limit.
    arcs, peak_gb
        The whole-year model's estimated arcs and in-memory peak memory (GB).

    Returns
    -------
    Solution
        The plan's tables; ``strategy`` ``decompose-streamed`` and the chunks' sizes summed
        in the summary.

    Raises
    ------
    InfeasibleError
        In hard mode, when the plan breaks a hard rule (not proven: a heuristic's finding).
    """
    report.say(
        _(
            "the whole-year model would need about {need} GB, more than the {limit} GB "
            "allowed: the decomposition streams by weeks"
        ).format(need=num(peak_gb, 1), limit=num(opts.memory_limit_gb, 1)),
        phase="decompose",
    )
    if opts.objective != "weighted":
        report.say(
            _("the streamed decomposition solves the weighted objective, not '{objective}'").format(
                objective=opts.objective
            )
        )
    # The all-conventional totals do not depend on the plan: paid on the clock, and the
    # measure of the tables' time at the machine's speed of the moment.
    measured = time.perf_counter()
    before = before_totals(scenario)
    tables_s = STREAMED_TABLES_PER_BEFORE * (time.perf_counter() - measured)
    deadline = Deadline(opts.time_limit_s - (time.perf_counter() - started) - tables_s)
    plan = solve_streaming(scenario, opts, deadline, report)
    report.say(_("writing the solution tables"), phase="tables")
    flows = plan.flows
    canteens = canteen_table(scenario, flows)
    weekly = producer_week_table(scenario, flows)
    done = Plan(np.empty(0), "feasible", plan.bound, opts.lp_solver, plan.passes)
    done = dataclasses.replace(done, stopped_by_time_limit=plan.stopped_by_time_limit)
    summary = _summary(
        scenario,
        plan.stats,
        done,
        "decompose-streamed",
        time.perf_counter() - started,
        flows,
        canteens,
        plan.objective,
        before,
    )
    summary["objective_mode"] = "weighted"
    summary["levels_solved"] = 0
    solution = Solution(
        flows=flows,
        canteens=canteens,
        producers=producer_table(scenario, weekly),
        producer_weeks=weekly,
        unmet_local=plan.unmet_local,
        summary=summary,
    )
    if scenario.parameters.hard_egalim or scenario.parameters.hard_budget:
        broken = hard_violations(scenario, solution)
        if broken:
            raise InfeasibleError(broken, proven=False)
    return _done(report, solution)


def _done(report: Reporter, solution: Solution) -> Solution:
    """``solution``, its status and figures reported."""
    report.say(
        _("{status} ({strategy})").format(
            status=_(STATUS_NAMES.get(solution.status, solution.status)),
            strategy=solution.summary["strategy"].iloc[0],
        ),
        phase="done",
        incumbent=solution.objective,
        bound=solution.best_bound,
    )
    return solution


def run_strategy(
    scenario: Scenario,
    model: LinearModel,
    strategy: str,
    opts: SolverOptions,
    deadline: Deadline,
    report: Reporter,
    alongside: Callable[[], None] | None = None,
) -> tuple[Plan | None, SolverRun]:
    """Run ``strategy`` (not ``auto``) for ``opts.objective``.

    ``weighted``: the strategy on the model's weighted objective. Otherwise the levels of
    ``define_goals``: ``mip`` and ``lp`` solve them on the exact model (``lp``: relaxed);
    ``repair`` and ``decompose`` first choose drops and lots on the weighted objective with
    ``HEURISTIC_TIME_SHARE`` of the time left, then solve the levels with those fixed (their
    own plan is kept if the levels find none in time). ``alongside`` is called as the levels
    start (``Deferred.start``: work run beside their single-threaded LPs).
    """
    if opts.objective == "weighted" or strategy in HEURISTICS:
        if opts.objective != "weighted":
            phase = Deadline(HEURISTIC_TIME_SHARE * deadline.left())
        else:
            phase = deadline
        if strategy == "decompose":
            plan, run = solve_decompose(
                model,
                opts,
                phase,
                report,
                lambda v: plan_objective(model, *clean_flows(model, v)),
            )
        else:
            plan, run = STRATEGY_RUNS[strategy](model, opts, phase, report)
        deadline.hit |= phase.hit
        if opts.objective == "weighted" or plan is None:
            return plan, run
    else:
        plan = None
    goals = define_goals(model, opts.objective, scenario.parameters.weights)
    lower, upper = level_bounds(goals, None if plan is None else plan.values)
    n_levels = len(goals.levels)
    report.say(
        ngettext(
            "objective: {name} ({n} level)", "objective: {name} ({n} levels)", n_levels
        ).format(name=_(OBJECTIVE_NAMES[opts.objective]), n=n_levels),
        phase="levels",
    )
    # A heuristic's levels hold its hub flows after the first (``goals.hub_flows``).
    held = hub_flows(goals.model) if plan is not None and len(model.index.hub_drops) else None
    if alongside is not None:
        alongside()
    result = solve_levels(goals, lower, upper, strategy != "lp", opts, deadline, report, held)
    base = model.variables.count
    if result.values is None:
        return plan, result.run
    values = result.values[:base]
    if plan is not None:
        return (
            Plan(
                values,
                "feasible",
                math.nan,
                plan.solver,
                plan.iterations,
                plan.stopped_by_time_limit or deadline.hit,
                level_report(goals.names, result.reached, None),
            ),
            run,
        )
    status = "relaxation" if strategy == "lp" else ("optimal" if result.optimal else "feasible")
    levels = level_report(goals.names, result.reached, result.bounds)
    return Plan(values, status, math.nan, result.run.solver, levels=levels), result.run


def _hard_checked(
    scenario: Scenario,
    model: LinearModel,
    opts: SolverOptions,
    deadline: Deadline,
    report: Reporter,
    solution: Solution,
    strategy: str,
) -> Solution:
    """``solution`` if it keeps every hard rule; else the exact model's plan, or an error."""
    broken = hard_violations(scenario, solution)
    small = model.n_binaries <= opts.auto_mip_max_binaries or strategy == "mip"
    if broken and strategy in HEURISTICS and small:
        # The heuristics fix drops from a relaxation, which can lose every plan meeting the
        # hard rules although one exists: the exact model decides.
        report.say(
            _("the heuristic's plan breaks a hard rule: the exact model decides"), phase="mip"
        )
        started = time.perf_counter()
        exact, run = run_strategy(scenario, model, "mip", opts, deadline, report)
        if exact is None and run.status == "infeasible":
            raise InfeasibleError(explain_infeasibility(scenario, opts, exact=True))
        if exact is not None:
            solve_time = (
                float(solution.summary["solve_time_s"].iloc[0]) + time.perf_counter() - started
            )
            solution = make_solution(scenario, model, exact, "mip", solve_time, opts.objective)
            broken = hard_violations(scenario, solution)
    if broken:
        raise InfeasibleError(broken, proven=False)
    return solution


def hard_violations(scenario: Scenario, solution: Solution) -> list[str]:
    """The hard rules (``egalim_hard``, ``budget_hard``) a plan breaks, by the checker."""
    found = check(scenario, solution.flows, menu=solution.menu)
    found = found[found["rule"].isin(HARD_RULES)]
    return [
        _("canteen {canteen}: {problem}").format(canteen=c, problem=m)
        for c, m in zip(found["canteen_id"], found["message"], strict=True)
    ]


def make_solution(
    scenario: Scenario,
    model: LinearModel,
    plan: Plan,
    strategy: str,
    solve_time_s: float,
    objective: str = "weighted",
    before: dict[str, float] | None = None,
) -> Solution:
    """Turn a plan's column vector into the Solution tables.

    With groups of substitutable products the tables are those of the menu as planned
    (``Solution.menu``: each group's mix).

    Parameters
    ----------
    scenario
        The validated scenario the model was built from.
    model
        Its allocation model.
    plan
        The plan: column values over ``model``'s columns, status, bound, solver, clock.
    strategy
        The strategy that found it, reported in the summary.
    solve_time_s
        Wall-clock time of the solve (s), reported in the summary.
    objective
        The objective it was solved for, reported in the summary.
    before
        ``before_totals(scenario)`` when already computed (the summary's ``*_before``
        columns); None computes them here.

    Returns
    -------
    Solution
        Flows, canteens, producers and summary tables keyed like the inputs.
    """
    x, v = clean_flows(model, plan.values)
    scenario, menu, flows = planned_flows(scenario, model, plan.values, x, v)
    if before is None or menu is not None:
        # With groups, the all-conventional purchase of the menu as planned.
        before = before_totals(scenario)
    canteens = canteen_table(scenario, flows)
    weekly = producer_week_table(scenario, flows)
    value = plan_objective(model, x, v)
    stats = model.stats()
    levels = plan.levels
    if objective != "weighted" and len(levels) < LEVEL_COUNT:
        # The clock stopped the levels: the ones not solved get the plan's own value.
        names = ("compliance" if objective == "compliance" else "egalim", "local", "cost")
        values = table_levels(scenario, flows, canteens, objective)
        levels += tuple((names[k], values[k], math.nan) for k in range(len(levels), LEVEL_COUNT))
    summary = _summary(
        scenario,
        stats,
        dataclasses.replace(plan, levels=levels),
        strategy,
        solve_time_s,
        flows,
        canteens,
        value,
        before,
    )
    summary["objective_mode"] = objective
    summary["levels_solved"] = len(plan.levels)
    solution = Solution(
        flows=flows,
        canteens=canteens,
        producers=producer_table(scenario, weekly),
        producer_weeks=weekly,
        unmet_local=unmet_local_table(model.index, flows),
        summary=summary,
    )
    return solution if menu is None else dataclasses.replace(solution, menu=menu)


def planned_flows(
    scenario: Scenario, model: LinearModel, values: np.ndarray, x: np.ndarray, v: np.ndarray
) -> tuple[Scenario, pd.DataFrame | None, pd.DataFrame]:
    """A plan's ``flows``, and the menu as planned where the demand names groups.

    Parameters
    ----------
    scenario
        The validated scenario the model was built from.
    model
        Its allocation model.
    values
        The plan's column vector, shape (columns,).
    x, v
        Its quantities per arc and bought conventionally per demand row, without solver
        noise (``clean_flows``), in the product's unit.

    Returns
    -------
    scenario : Scenario
        ``scenario``, with groups the menu as planned (``Scenario.as_planned``).
    menu : pandas.DataFrame or None
        The groups' mix (``Solution.menu``); None without groups.
    flows : pandas.DataFrame
        The plan's ``flows`` (``rhd_match.plan.tables``).
    """
    index = model.index
    menu = None
    if not index.group_lines.empty:
        # The plan tables are those of the menu as planned: the groups' mix is chosen.
        rows = index.demand.assign(
            canteen_id=index.canteen_ids[index.demand["canteen"].to_numpy()],
            product_id=index.product_ids[index.demand["product"].to_numpy()],
            week=index.weeks[index.demand["week"].to_numpy()],
        )
        menu = menu_table(scenario, rows, index.group_options, servings(model, values))
        scenario = scenario.as_planned(menu)
    return scenario, menu, flows_from_quantities(scenario, index, x, v)


def _summary(
    scenario: Scenario,
    stats: dict[str, float],
    plan: Plan,
    strategy: str,
    solve_time_s: float,
    flows: pd.DataFrame,
    canteens: pd.DataFrame,
    objective: float,
    before: dict[str, float],
) -> pd.DataFrame:
    after = territory_totals(scenario, flows, canteens)
    bound, gap = trusted_bound(objective, plan.bound)
    status = plan.status
    opts = scenario.parameters.solver
    if status == "feasible" and not math.isnan(gap) and gap <= opts.mip_gap:
        status = "optimal"
    row: dict[str, Any] = {
        "canteens": len(scenario.canteens),
        "producers": len(scenario.producers),
        "products": len(scenario.products),
        "weeks": len(week_chunks(scenario, 1)),
        "status": status,
        "strategy": strategy,
        "solver": plan.solver,
        "objective": objective,
        "best_bound": bound,
        "gap": gap,
        "iterations": plan.iterations,
        "stopped_by_time_limit": plan.stopped_by_time_limit,
        **stats,
        "solve_time_s": solve_time_s,
    }
    row |= after
    row |= {f"{k}_before": val for k, val in before.items()}
    extra = after["value_eur_ht"] - before["value_eur_ht"]
    row["extra_cost_eur_ht"] = extra
    row["extra_cost_share"] = extra / max(before["value_eur_ht"], 1e-9)
    row["extra_cost_per_meal_eur_ht"] = (
        after["cost_per_meal_eur_ht"] - before["cost_per_meal_eur_ht"]
    )
    for name in ("quality", "organic", "meat_fish"):
        row[f"shortfall_{name}_eur_ht"] = float(canteens[f"shortfall_{name}_eur_ht"].sum())
    for k in range(1, LEVEL_COUNT + 1):
        name, value, proven = (
            plan.levels[k - 1] if k <= len(plan.levels) else ("", math.nan, math.nan)
        )
        level_bound, level_gap = trusted_bound(value, proven)
        row |= {
            f"level_{k}": name,
            f"level_{k}_value": value,
            f"level_{k}_bound": level_bound,
            f"level_{k}_gap": level_gap,
            # In the level's unit: a relative gap says nothing against a trivial bound of 0.
            f"level_{k}_gap_abs": value - level_bound,
        }
    return pd.DataFrame([row])


def before_totals(scenario: Scenario) -> dict[str, float]:
    """``territory_totals`` of the all-conventional purchase (the summary's ``*_before``)."""
    flows = conventional_flows(scenario)
    return territory_totals(scenario, flows, canteen_table(scenario, flows))


def explain_infeasibility(scenario: Scenario, options: SolverOptions, exact: bool) -> list[str]:
    """Why hard targets cannot all be met: re-solve elastically and name every shortfall.

    ``exact``: re-solve with the exact MIP (a heuristic's elastic plan may miss targets that
    can be met, and would name them).
    """
    changes: dict[str, Any] = {"hard_egalim": False, "hard_budget": False}
    dump = options.model_dump()
    if dump["objective"] == "compliance":  # which makes budgets hard again
        dump["objective"] = "lexicographic"
    if not scenario.parameters.hard_egalim:
        # Only budgets are hard: the overrun to name is the least any plan needs, not one
        # spent on soft targets or local food: the overrun alone weighs, then the cost.
        gains = {"egalim_shortfall": 0.0, "local": 0.0, "organic": 0.0}
        changes["weights"] = scenario.parameters.weights.model_dump() | gains
        dump["objective"] = "weighted"
    elastic = scenario.with_parameters(**changes)
    if exact:
        dump["strategy"] = "mip"
    solution = solve(elastic, **dump)
    reasons = []
    can = solution.canteens
    missed = {
        "quality": N_(
            "canteen {canteen}: quality-and-sustainable target {target} % missed by {short} EUR "
            "excl. VAT ({points} points) with the supply within reach"
        ),
        "organic": N_(
            "canteen {canteen}: organic target {target} % missed by {short} EUR excl. VAT "
            "({points} points) with the supply within reach"
        ),
        "meat_fish": N_(
            "canteen {canteen}: meat-and-fish quality target {target} % missed by {short} EUR "
            "excl. VAT ({points} points) with the supply within reach"
        ),
    }
    if scenario.parameters.hard_egalim:
        for name, message in missed.items():
            for row in can[can[f"shortfall_{name}_eur_ht"] > 0].itertuples():
                reasons.append(
                    _(message).format(
                        canteen=row.canteen_id,
                        target=num(100 * getattr(row, f"target_{name}")),
                        short=num(getattr(row, f"shortfall_{name}_eur_ht"), 2),
                        points=num(100 * getattr(row, f"shortfall_{name}_points"), 2),
                    )
                )
    shorts = [f"shortfall_{name}_eur_ht" for name in missed]
    if scenario.parameters.hard_egalim and int((can[shorts] > 0).any(axis=1).sum()) > 1:
        # Which canteens miss is one plan's answer: a canteen named may meet its target in
        # another plan, one of the others missing more.
        reasons.append(
            _(
                "these canteens share the supply within reach: the figures are those of a plan "
                "missing the least in all; one's target may be met if another misses more"
            )
        )
    if scenario.parameters.hard_budget:
        over = can[(can["budget_use"] > 1 + 1e-9)]
        for cid, budget, value in zip(
            over["canteen_id"], over["budget_eur_ht"], over["value_eur_ht"], strict=True
        ):
            reasons.append(
                _(
                    "canteen {canteen}: budget {budget} EUR excl. VAT exceeded by {over} EUR "
                    "excl. VAT"
                ).format(canteen=cid, budget=num(budget, 2), over=num(value - budget, 2))
            )
    if not reasons:
        reasons.append(_("the targets conflict with the budgets: each can be met, not all at once"))
    return reasons
