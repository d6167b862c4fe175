"""The weekly MIPs after the climb (``decomposition.integer_weeks``): the weighted objective's
plan past the whole LP's size, valid, bounded, integral, never worse than what it is given,
the same on every run and on a cluster."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from factories import binding_xs

from rhd_match import Scenario
from rhd_match.check import check
from rhd_match.i18n import use_language
from rhd_match.model.build import LinearModel, build_model
from rhd_match.model.decode import clean_flows, plan_objective
from rhd_match.model.decomposition import budgets, executors
from rhd_match.model.decomposition.annual import AnnualRows
from rhd_match.model.decomposition.ascent import climb_bound
from rhd_match.model.decomposition.integer_weeks import integer_weeks
from rhd_match.model.decomposition.subproblems import WeeklySolver, week_problems
from rhd_match.model.solvers import LinearProgram, SolverRun
from rhd_match.model.strategies import Deadline, Reporter, all_conventional, run_model
from rhd_match.params import SolverOptions

OPTIONS = SolverOptions(objective="weighted")
RTOL = 1e-6


@pytest.fixture(scope="module")
def small() -> Scenario:
    """``factories.binding_xs``: budgets and organic targets that bind."""
    return binding_xs()


@pytest.fixture(scope="module")
def model(small: Scenario) -> LinearModel:
    return build_model(small)


@pytest.fixture(scope="module")
def exact(small: Scenario) -> float:
    return small.solve(strategy="mip", mip_gap=1e-9, time_limit_s=120).objective


@pytest.fixture
def past_the_whole_lp(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests' scenarios are small enough for the whole LP, which takes the path before
    the climb: make them count as larger."""
    monkeypatch.setattr(budgets, "WHOLE_LP_MAX_NONZEROS", 0)


def solve_logged(scenario: Scenario, **options: object) -> tuple[object, list[str]]:
    lines: list[str] = []
    with use_language("en"):
        solution = scenario.solve(
            strategy="decompose",
            time_limit_s=120,
            log=lambda m: lines.append(m.message),
            **options,
        )
    return solution, lines


@pytest.mark.usefixtures("past_the_whole_lp")
def test_the_weekly_mips_plan_is_valid_and_bounded(small: Scenario, exact: float) -> None:
    solution, lines = solve_logged(small)
    assert any(line.startswith("weekly MIPs 1: plan") for line in lines)
    assert not any(line.startswith("prices ") for line in lines)  # no price search, no repair
    assert check(small, solution).empty
    tol = RTOL * abs(exact)
    assert solution.best_bound <= exact + tol <= solution.objective + 2 * tol
    assert not solution.stopped_by_time_limit


@pytest.mark.usefixtures("past_the_whole_lp")
def test_the_weekly_mips_plan_is_the_same_on_every_run(small: Scenario) -> None:
    first, _ = solve_logged(small)
    second, _ = solve_logged(small)
    assert first.objective == second.objective
    pd.testing.assert_frame_equal(first.flows, second.flows)


@pytest.mark.usefixtures("past_the_whole_lp")
def test_hard_targets_keep_the_repair(small: Scenario) -> None:
    """The weekly MIPs price the annual rows, they do not enforce them: with hard budgets the
    price search and the repair make the plan."""
    hard = small.with_parameters(hard_budget=True)
    solution, lines = solve_logged(hard)
    assert any(line.startswith("prices ") for line in lines)
    assert not any(line.startswith("weekly MIPs") for line in lines)
    assert check(hard, solution).empty


def climbed(model: LinearModel, weekly: WeeklySolver) -> tuple[object, list[object]]:
    problems = week_problems(model, with_delivery=True)
    annual = AnnualRows.of(model)
    climb = climb_bound(
        model, weekly, problems, annual, math.inf, OPTIONS, Deadline(60), Reporter(None, 0.0)
    )
    return climb, problems


def test_the_weekly_mips_are_integral_and_above_their_lps(model: LinearModel) -> None:
    """At the climb's prices the weekly LPs open drops by fractions; the weekly MIPs open them
    whole, at a cost no lower than the LPs' (each MIP's optimum bounds its LP's from above)."""
    var, annual = model.variables, AnnualRows.of(model)
    weekly = WeeklySolver(model, OPTIONS, Deadline(120))
    try:
        climb, problems = climbed(model, weekly)
        assert climb.mu is not None
        cost = annual.cost(model, climb.mu)
        relaxed, lp_total, lp_ok = weekly.solve(problems, cost, var.lower, var.upper)
        whole, mip_total, mip_ok = weekly.solve(
            problems, cost, var.lower, var.upper, integer=var.integer
        )
    finally:
        weekly.close()
    assert lp_ok and mip_ok
    drops = var.cols("y")
    assert not np.allclose(relaxed[drops], np.round(relaxed[drops]))
    np.testing.assert_allclose(whole[var.integer], np.round(whole[var.integer]), atol=1e-6)
    assert mip_total >= lp_total - RTOL * abs(lp_total)
    # each week's MIP within its gap of the LP's optimum would be no evidence: the LP bounds it
    assert mip_total > lp_total + RTOL * abs(lp_total)


def test_the_weekly_mips_never_return_a_worse_plan(model: LinearModel) -> None:
    """Given the exact MIP's plan, the rounds keep it unless they beat it; given the
    all-conventional plan, they beat it."""
    annual = AnnualRows.of(model)

    def score(values: np.ndarray) -> float:
        return plan_objective(model, *clean_flows(model, values))

    var = model.variables
    exact_options = OPTIONS.model_copy(update={"mip_gap": 1e-9})
    optimum = run_model(
        model, var.lower, var.upper, True, exact_options, Deadline(120), Reporter(None, 0.0)
    )
    assert optimum.status == "optimal" and optimum.values is not None
    weekly = WeeklySolver(model, OPTIONS, Deadline(120))
    try:
        climb, problems = climbed(model, weekly)
        plans = {}
        for name, given in (
            ("exact", optimum.values),
            ("conventional", all_conventional(model)),
        ):
            plans[name] = (
                integer_weeks(
                    model,
                    weekly,
                    problems,
                    annual,
                    climb,
                    given,
                    OPTIONS,
                    Deadline(120),
                    Reporter(None, 0.0),
                    score,
                )[0],
                score(given),
            )
    finally:
        weekly.close()
    exact_plan, exact_score = plans["exact"]
    assert score(exact_plan) <= exact_score + RTOL * abs(exact_score)
    found, conventional_score = plans["conventional"]
    assert score(found) < conventional_score


@pytest.mark.usefixtures("past_the_whole_lp")
@pytest.mark.parametrize(
    ("mips_before_timeout", "cut_with_a_point"), [(0, False), (6, False), (6, True)]
)
def test_a_valid_plan_whichever_weekly_mip_the_time_limit_cuts(
    small: Scenario,
    mips_before_timeout: int,
    cut_with_a_point: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fault injection: the weekly MIPs after the first few end as if out of time (0: all of
    the 12 weeks, 6: half), without a point (those weeks keep the plan given, buying
    conventionally) or with one short of its gap (HiGHS stopped by its own limit early in
    the call: the call's clock is not hit); the plan is checked and says the clock stopped
    it."""
    real = executors.run_solver
    mips = 0

    def timing_out(program: LinearProgram, *args: Any, **kwargs: Any) -> SolverRun:
        nonlocal mips
        if program.is_mip:
            mips += 1
            if mips > mips_before_timeout:
                if cut_with_a_point:
                    return dataclasses.replace(real(program, *args, **kwargs), status="feasible")
                return SolverRun("highs", "time_limit", None, math.nan, -math.inf, None, 0.0)
        return real(program, *args, **kwargs)

    monkeypatch.setattr(executors, "run_solver", timing_out)
    solution, _lines = solve_logged(small)
    assert mips > mips_before_timeout
    assert check(small, solution).empty
    assert solution.stopped_by_time_limit
