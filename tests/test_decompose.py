"""The weekly decomposition (the default strategy at scale) against the exact MIP.

Its bound is a Lagrangian bound, so it can never exceed the exact optimum; its plan must pass
the independent checker whatever phase the time limit cuts, and each optional phase it skips
on large models (delivery relaxation, polishing LP) may only cost quality, never validity.
"""

from __future__ import annotations

import math
import traceback
from typing import Any

import numpy as np
import pytest
from check_factories import make_scenario as make_factory_scenario
from factories import weighted

from benchmarks.sizes import get_size, make_scenario
from rhd_match import Scenario
from rhd_match.check import check
from rhd_match.generate import generate_scenario
from rhd_match.i18n import use_language
from rhd_match.model import goals, strategies
from rhd_match.model.build import build_model
from rhd_match.model.decode import clean_flows, plan_objective
from rhd_match.model.decomposition import (
    budgets,
    executors,
    orchestration,
    polishing,
    repair,
)
from rhd_match.model.decomposition.annual import AnnualRows
from rhd_match.model.decomposition.pricing import price_search
from rhd_match.model.decomposition.subproblems import WeeklySolver, week_problems
from rhd_match.model.solvers import SolverRun
from rhd_match.model.strategies import Deadline, Reporter, all_conventional, open_from_relaxation
from rhd_match.params import SolverOptions

RTOL = 1e-6


@pytest.fixture(scope="module")
def small() -> Scenario:
    """The benchmarks' XS: 16 canteens, 30 producers, 12 ISO weeks; franco binds (the repair
    closes drops and grows twice) and the exact MIP finishes in about a second."""
    return weighted(make_scenario(get_size("XS"), market=False))


@pytest.fixture(scope="module")
def exact(small: Scenario) -> float:
    return small.solve(strategy="mip", mip_gap=1e-9, time_limit_s=120).objective


def test_bound_below_optimum_below_plan(small: Scenario, exact: float) -> None:
    solution = small.solve(strategy="decompose", time_limit_s=60)
    assert check(small, solution).empty
    tol = RTOL * abs(exact)
    assert solution.best_bound <= exact + tol
    assert exact <= solution.objective + tol
    assert solution.summary["strategy"].iloc[0] == "decompose"


def test_skipped_phases_keep_the_plan_valid_and_the_bound_valid(
    small: Scenario, exact: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = small.solve(strategy="decompose", time_limit_s=60)
    monkeypatch.setattr(budgets, "WHOLE_LP_MAX_NONZEROS", 0)
    monkeypatch.setattr(budgets, "DELIVERY_MAX_NONZEROS", 0)
    monkeypatch.setattr(budgets, "POLISH_MAX_COLUMNS", 0)
    lean = small.solve(strategy="decompose", time_limit_s=60)
    assert check(small, lean).empty
    assert lean.best_bound <= exact + RTOL * abs(exact)
    # The whole-year relaxation and the delivery relaxation can only raise the bound.
    assert lean.best_bound <= full.best_bound + RTOL * abs(exact)


def test_the_search_leaves_the_repair_its_time(
    small: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the time left cannot hold the repair's passes the search stops after its first
    pass and the delivery relaxation (several passes long) is left out: the plan is whole
    and checked, and says the clock stopped it."""
    monkeypatch.setattr(budgets, "WHOLE_LP_MAX_NONZEROS", 0)  # the price search runs
    monkeypatch.setattr(budgets, "INTEGER_WEEKS_MAX_NONZEROS", 0)  # and the repair
    messages: list[str] = []
    full = small.solve(strategy="decompose", time_limit_s=60, log=messages.append)
    searched = sum("prices " in m or "prix " in m for m in messages)
    assert searched > 1
    assert not full.stopped_by_time_limit
    monkeypatch.setattr(budgets, "SEARCH_RESERVE_PASSES", 10**9)
    lines: list[str] = []
    with use_language("en"):
        short = small.solve(
            strategy="decompose", time_limit_s=60, log=lambda m: lines.append(m.message)
        )
    assert sum(line.startswith("prices ") for line in lines) == 1
    assert "delivery relaxation: skipped, drops chosen from the transport flows" in lines
    assert check(small, short).empty
    assert short.stopped_by_time_limit


@pytest.mark.parametrize("last_phase", ["polish", "reprice"])
def test_the_last_phase_never_worsens_the_repaired_plan(
    small: Scenario, last_phase: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whole-year polishing LP (small models) or weekly re-pricing (large ones) after repair."""
    monkeypatch.setattr(budgets, "POLISH_MAX_COLUMNS", 0)
    monkeypatch.setattr(budgets, "REPRICE_ROUNDS", 0)
    repaired = small.solve(strategy="decompose", time_limit_s=60)
    monkeypatch.undo()
    if last_phase == "reprice":
        monkeypatch.setattr(budgets, "POLISH_MAX_COLUMNS", 0)
    lines: list[str] = []
    with use_language("en"):
        finished = small.solve(
            strategy="decompose", time_limit_s=60, log=lambda m: lines.append(m.message)
        )
    ran = {"polish": ("polish:", "->"), "reprice": ("reprice ", ": plan")}[last_phase]
    assert any(line.startswith(ran[0]) and ran[1] in line for line in lines)
    assert check(small, finished).empty
    assert finished.objective <= repaired.objective + RTOL * abs(repaired.objective)


@pytest.mark.parametrize("time_limit_s", [0.05, 0.5])
def test_a_plan_that_passes_the_checker_whenever_time_runs_out(
    small: Scenario, time_limit_s: float
) -> None:
    solution = small.solve(strategy="decompose", time_limit_s=time_limit_s)
    assert check(small, solution).empty
    assert solution.summary["status"].iloc[0] in {"feasible", "optimal", "time_limit"}


def called_from() -> set[str]:
    """The names of the functions on the stack: which phase called the solver."""
    return {frame.f_code.co_name for frame, _line in traceback.walk_stack(None)}


@pytest.mark.parametrize("calls_before_timeout", [0, 30, 42, 54, 66])
def test_a_valid_plan_whichever_weekly_lp_the_time_limit_cuts(
    small: Scenario, calls_before_timeout: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injection: every LP after the first few ends as if out of time. On these 12 weeks
    0 cuts the first price pass, 30 the delivery relaxation, 42 and 54 the first franco loop,
    66 a growth round; the weeks cut buy conventionally, those solved keep their plan."""
    monkeypatch.setattr(budgets, "WHOLE_LP_MAX_NONZEROS", 0)  # the weekly LPs only
    monkeypatch.setattr(budgets, "INTEGER_WEEKS_MAX_NONZEROS", 0)  # of the repair
    real = executors.run_solver
    calls = 0

    def timing_out(*args: Any, **kwargs: Any) -> SolverRun:
        nonlocal calls
        calls += 1
        if calls <= calls_before_timeout:
            return real(*args, **kwargs)
        return SolverRun("glop", "not_solved", None, math.nan, -math.inf, None, 0.0)

    # every call of the solver in the phases: the weekly LPs' and ``Deadline.solve``'s
    for module in (executors, strategies):
        monkeypatch.setattr(module, "run_solver", timing_out)
    solution = small.solve(strategy="decompose", time_limit_s=60)
    assert calls > calls_before_timeout  # the cut did happen
    assert check(small, solution).empty
    assert solution.stopped_by_time_limit
    if calls_before_timeout >= 42:  # cut after a repair pass had solved some weeks
        assert solution.summary["share_local"].iloc[0] > 0


@pytest.mark.parametrize("phase", ["polish", "whole_relaxation"])
def test_a_whole_year_lp_cut_by_the_time_limit_is_said(
    small: Scenario, phase: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injection: only this phase's LP ends at the time limit. The plan is kept (the
    checker passes) but depends on the machine's speed, so it must say so (it did not: the
    polishing LP's time limit went unreported)."""
    real = executors.run_solver
    cut = 0

    def timing_out(*args: Any, **kwargs: Any) -> SolverRun:
        nonlocal cut
        if phase in called_from():
            cut += 1
            return SolverRun("glop", "time_limit", None, math.nan, -math.inf, None, 0.0)
        return real(*args, **kwargs)

    for module in (executors, strategies):  # every call of the solver in the phases
        monkeypatch.setattr(module, "run_solver", timing_out)
    solution = small.solve(strategy="decompose", time_limit_s=60)
    assert cut > 0  # the cut did happen
    assert check(small, solution).empty
    assert solution.stopped_by_time_limit
    with use_language("en"):
        assert "stopped by the time limit" in str(solution)
    assert "arrêté par la limite de temps" in str(solution)


def test_an_uncut_plan_says_nothing_of_the_time_limit(small: Scenario) -> None:
    solution = small.solve(strategy="decompose", time_limit_s=60)
    assert not solution.stopped_by_time_limit
    with use_language("en"):
        assert "stopped by the time limit" not in str(solution)


def with_market(weeks: int) -> Scenario:
    """XS's territory over ``weeks`` ISO weeks with its generated market table, as the demo
    has one."""
    size = get_size("XS")
    full = generate_scenario(size.canteens, size.producers, seed=size.seed, territory="lens-lievin")
    kept = sorted(set(full.demand["week"]))[size.first_week : size.first_week + weeks]
    tables = full.tables
    for name in ("demand", "offers"):
        tables[name] = tables[name][tables[name]["week"].isin(kept)]
    return Scenario.from_frames(**tables)


def test_a_deadline_spent_says_it_decided() -> None:
    """A phase that stops its loop because the clock ran out (not a solver's own limit) must
    leave a trace, or the plan would not say that it depends on the machine's speed."""
    spent, ample = Deadline(0.0), Deadline(600.0)
    assert spent.expired() and spent.hit
    assert not ample.expired() and not ample.hit


def test_the_default_objective_gives_the_same_flows_on_every_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The lexicographic objective (the default) over the weekly decomposition ends on work
    budgets: the price search's patience, repair rounds and level LPs solved to their
    optimum. Two runs, with different threads, give the same flows byte for byte."""
    monkeypatch.setattr(budgets, "WHOLE_LP_MAX_NONZEROS", 0)  # the price search, as the demo
    sc = with_market(12)
    assert len(sc.market) > 0
    first = sc.solve(strategy="decompose", time_limit_s=120)
    second = sc.solve(strategy="decompose", time_limit_s=300, threads=1)
    for solution in (first, second):
        assert solution.summary["objective_mode"].iloc[0] == "lexicographic"
        assert not solution.stopped_by_time_limit
    assert check(sc, first).empty
    assert first.flows.to_csv(index=False) == second.flows.to_csv(index=False)


def cut_level(level: int, point: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[int, Any]:
    """XS solved with the LP of ``level`` ending at the time limit, with a point stopped
    mid-way (all columns at 0: no demand met) or none; the calls to the solver and the plan."""
    real = strategies.run_solver
    calls = 0

    def timing_out(*args: Any, **kwargs: Any) -> SolverRun:
        nonlocal calls
        if goals.solve_levels.__name__ not in called_from():
            return real(*args, **kwargs)
        calls += 1
        if calls == level:
            values = np.zeros(len(args[0].objective)) if point else None
            return SolverRun("glop", "time_limit", values, math.nan, -math.inf, None, 0.0)
        return real(*args, **kwargs)

    monkeypatch.setattr(strategies, "run_solver", timing_out)
    solution = make_scenario(get_size("XS"), market=False).solve(
        strategy="decompose", time_limit_s=120
    )
    monkeypatch.undo()
    return calls, solution


@pytest.mark.parametrize("level", [1, 2, 3])
def test_a_level_lp_cut_by_the_time_limit_is_said(
    level: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injection: one level's LP ends at the time limit. The plan of the level before
    (the heuristic's before the first) is kept, the checker passes, and it says that the
    clock stopped it; a point the LP was stopped at changes nothing."""
    sc = make_scenario(get_size("XS"), market=False)
    calls, solution = cut_level(level, False, monkeypatch)
    assert calls == level  # the levels after the cut are not solved
    assert check(sc, solution).empty
    assert solution.stopped_by_time_limit
    with use_language("en"):
        assert "stopped by the time limit" in str(solution)
    _, stopped_at = cut_level(level, True, monkeypatch)
    assert stopped_at.flows.to_csv(index=False) == solution.flows.to_csv(index=False)
    assert stopped_at.stopped_by_time_limit


def test_repricing_with_no_time_left_keeps_the_repaired_plan(
    small: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injection: the clock has run out when re-pricing starts (it runs when the model is
    too large to polish). Re-pricing must still return the repaired plan, its short drops
    closed, and not give up on it."""

    class Expired:
        def expired(self) -> bool:
            return True

    real = polishing.reprice

    def out_of_time(*args: Any) -> Any:
        *before, _, log, plan_objective = args
        return real(*before, Expired(), log, plan_objective)

    monkeypatch.setattr(budgets, "POLISH_MAX_COLUMNS", 0)
    monkeypatch.setattr(orchestration, "reprice", out_of_time)
    solution = small.solve(strategy="decompose", time_limit_s=60)
    assert check(small, solution).empty
    assert solution.summary["share_local"].iloc[0] > 0


@pytest.mark.parametrize("drops", [1, 2])
def test_drop_growth_tries_the_best_closed_drops_up_to_the_spare_ones(drops: int) -> None:
    """Nothing bought yet: P's drops to X (20 EUR HT of apples) and Y (40) both pay its
    10 EUR HT franco. With one drop a week growth tries Y's, the larger; with two, both."""
    scenario = make_factory_scenario(
        {"APPLE": ("FRUITS_ET_LEGUMES", 1.0, 2.0)},
        {"X": {"place": (2, 0)}, "Y": {"place": (-2, 0)}},
        {"P": {"drops": drops, "franco": 10.0}},
        [("P", "APPLE", "2026-W03", 100, 2.0, "")],
        [("X", "APPLE", "2026-W03", 10), ("Y", "APPLE", "2026-W03", 20)],
    )
    model = build_model(scenario)
    var = model.variables
    values = np.zeros(var.count)
    values[var.cols("v")] = model.index.demand["qty"].to_numpy()
    closed = np.zeros(len(var.drop_rows), bool)
    chosen = repair._growth_candidates(
        model, values, closed, model.index.producers["max_drops"].to_numpy()
    )
    canteens = model.index.drops.iloc[var.drop_rows]["canteen"].to_numpy()
    assert sorted(model.index.canteen_ids[canteens[chosen]]) == {1: ["Y"], 2: ["X", "Y"]}[drops]


def test_the_franco_loop_reuses_a_settled_solve_only_when_it_is_the_same(small: Scenario) -> None:
    model = build_model(small)
    var = model.variables
    annual = AnnualRows.of(model)
    cost = annual.cost(model, annual.mu_high)
    weekly = WeeklySolver(model, SolverOptions(objective="weighted"), Deadline(60))
    log, fallback = Reporter(None, 0.0), all_conventional(model)
    try:
        flows, _total, ok = weekly.solve(week_problems(model, False), cost, var.lower, var.upper)
        assert ok
        open_drop, open_lot = open_from_relaxation(model, flows)
        full = week_problems(model, True)

        def loop(drops: np.ndarray, lots: np.ndarray, settled: Any) -> np.ndarray:
            return repair.franco_loop(
                model, weekly, full, cost, drops, lots, Deadline(60), log, fallback, settled
            )

        settled: list[repair.Settled] = []
        first = loop(open_drop, open_lot, settled)
        assert len(settled) == 1 and settled[0].values is first
        # The repair closed drops short of franco: the settled drops are not the first ones.
        assert not settled[0].holds(open_drop, open_lot)
        kept = settled[0]
        assert loop(kept.open_drop, kept.open_lot, settled) is first
        assert len(settled) == 1
        # What makes the reuse exact: solving the same drops again, by a solver that knows
        # no week yet, gives the same plan.
        weekly.close()
        weekly = WeeklySolver(model, SolverOptions(objective="weighted"), Deadline(60))
        np.testing.assert_array_equal(loop(kept.open_drop, kept.open_lot, None), first)
        assert weekly.reused == 0
    finally:
        weekly.close()


def test_a_week_whose_lp_is_unchanged_is_not_solved_again(small: Scenario) -> None:
    model = build_model(small)
    var = model.variables
    annual = AnnualRows.of(model)
    cost = annual.cost(model, annual.mu_high)
    problems = week_problems(model, True)
    options = SolverOptions(objective="weighted")
    weekly, fresh = (
        WeeklySolver(model, options, Deadline(60)),
        WeeklySolver(model, options, Deadline(60)),
    )
    try:
        _values, _total, ok = weekly.solve(problems, cost, var.lower, var.upper)
        assert ok and (weekly.solved, weekly.reused) == (len(problems), 0)
        # One week's bounds change (its first open drop closed): only that week is solved.
        upper = var.upper.copy()
        drop = next(c for c in var.cols("y") if c in set(problems[0].cols))
        upper[drop] = 0.0
        values, total, ok = weekly.solve(problems, cost, var.lower, upper)
        assert ok and (weekly.solved, weekly.reused) == (len(problems) + 1, len(problems) - 1)
        expected, expected_total, _ok = fresh.solve(problems, cost, var.lower, upper)
        np.testing.assert_array_equal(values, expected)
        assert total == expected_total
        # Asking for the duals is another solve.
        weekly.solve(problems, cost, var.lower, upper, duals=[])
        assert weekly.solved == 2 * len(problems) + 1
    finally:
        weekly.close()
        fresh.close()


def test_the_search_leaves_no_target_its_flows_meet_priced_as_short(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past the delivery pass the repair starts from the search's prices and flows. XS's
    territory with the market over 6 ISO weeks meets every target at lower prices than the
    first pass's (every canteen short of every target): at those, the weekly plans bought
    labelled food wherever it was. The search's prices leave no target that its own flows
    meet at the shortfall price, and its bound stays below the exact optimum."""
    monkeypatch.setattr(budgets, "DELIVERY_MAX_NONZEROS", 0)
    scenario = with_market(6)
    model = build_model(scenario)
    annual = AnnualRows.of(model)
    options = SolverOptions()
    weekly = WeeklySolver(model, options, Deadline(120))
    try:
        start = price_search(
            model,
            weekly,
            annual,
            options,
            Reporter(None, 0.0),
            lambda v: plan_objective(model, *clean_flows(model, v)),
        )
    finally:
        weekly.close()
    targets = ~annual.is_budget
    met = (annual.matrix @ start.flows >= annual.rhs)[targets]
    priced_short = (start.mu >= annual.w_short)[targets]
    assert met.any()
    assert not (met & priced_short).any()
    exact = scenario.solve(strategy="mip", mip_gap=1e-9, objective="weighted", time_limit_s=120)
    assert exact.summary["status"].iloc[0] == "optimal"
    assert start.bound <= exact.objective + RTOL * abs(exact.objective)
