"""The weekly decomposition (the default strategy at scale) against the exact MIP.

Its bound is a Lagrangian bound, so it can never exceed the exact optimum; its plan must pass
the independent checker whatever phase the time limit cuts, and each optional phase it skips
on large models (delivery relaxation, polishing LP) may only cost quality, never validity.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import pytest
from factories import weighted

from benchmarks.sizes import get_size, make_scenario
from rhd_match import Scenario
from rhd_match.check import check
from rhd_match.i18n import use_language
from rhd_match.model.decomposition import budgets, executors, polishing
from rhd_match.model.solvers import SolverRun

RTOL = 1e-6


@pytest.fixture(scope="module")
def small() -> Scenario:
    """The benchmarks' XS: 16 canteens, 30 producers, 12 ISO weeks; franco binds (the repair
    closes drops and grows twice) and the exact MIP finishes in about a second."""
    return weighted(make_scenario(get_size("XS")))


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


@pytest.mark.parametrize("calls_before_timeout", [0, 30, 42, 54, 66])
def test_a_valid_plan_whichever_weekly_lp_the_time_limit_cuts(
    small: Scenario, calls_before_timeout: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injection: every LP after the first few ends as if out of time. On these 12 weeks
    0 cuts the first price pass, 30 the delivery relaxation, 42 and 54 the first franco loop,
    66 a growth round; the weeks cut buy conventionally, those solved keep their plan."""
    monkeypatch.setattr(budgets, "WHOLE_LP_MAX_NONZEROS", 0)  # the weekly LPs only
    real = executors.run_solver
    calls = 0

    def timing_out(*args: Any, **kwargs: Any) -> SolverRun:
        nonlocal calls
        calls += 1
        if calls <= calls_before_timeout:
            return real(*args, **kwargs)
        return SolverRun("glop", "not_solved", None, math.nan, -math.inf, None, 0.0)

    for module in (executors, polishing):  # every caller of the solver in the phases
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
        if sys._getframe(1).f_code.co_name == phase or (sys._getframe(2).f_code.co_name == phase):
            cut += 1
            return SolverRun("glop", "time_limit", None, math.nan, -math.inf, None, 0.0)
        return real(*args, **kwargs)

    for module in (executors, polishing):  # every caller of the solver in the phases
        monkeypatch.setattr(module, "run_solver", timing_out)
    if phase == "whole_relaxation":  # it runs the whole LP through the strategies' helper
        from rhd_match.model import strategies

        monkeypatch.setattr(strategies, "run_solver", timing_out)
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
