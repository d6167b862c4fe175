"""The bound after the plan (``decomposition.ascent.climb_bound``): valid, converging to the
LP relaxation it is the Lagrangian dual of, within its time, and leaving the plan alone."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from factories import binding_xs

from rhd_match import Scenario
from rhd_match.check import check
from rhd_match.model.build import LinearModel, build_model
from rhd_match.model.decomposition import budgets
from rhd_match.model.decomposition.annual import AnnualRows
from rhd_match.model.decomposition.ascent import climb_bound
from rhd_match.model.decomposition.pricing import whole_relaxation
from rhd_match.model.decomposition.subproblems import WeeklySolver, week_problems
from rhd_match.model.strategies import Deadline, Reporter
from rhd_match.params import SolverOptions

OPTIONS = SolverOptions(objective="weighted")


@pytest.fixture(scope="module")
def small() -> Scenario:
    """``factories.binding_xs``: budgets and organic targets that bind."""
    return binding_xs()


@pytest.fixture(scope="module")
def model(small: Scenario) -> LinearModel:
    return build_model(small)


@pytest.fixture(scope="module")
def relaxation(model: LinearModel) -> float:
    whole = whole_relaxation(
        model, AnnualRows.of(model), OPTIONS, Deadline(120), Reporter(None, 0.0)
    )
    assert whole is not None
    return whole.bound


def climb(model: LinearModel, seconds: float, delivery: bool = True) -> float:
    """The climb's bound for a plan far above the relaxation (it scales the tolerances)."""
    weekly = WeeklySolver(model, OPTIONS, Deadline(120))
    try:
        problems = week_problems(model, with_delivery=delivery)
        annual = AnnualRows.of(model)
        return climb_bound(
            model, weekly, problems, annual, 0.0, OPTIONS, Deadline(seconds), Reporter(None, 0.0)
        ).bound
    finally:
        weekly.close()


def test_the_climb_reaches_the_lp_relaxation_and_never_passes_it(
    model: LinearModel, relaxation: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lagrangian duality: the best multipliers of the weekly LPs with their delivery rows
    give the whole-year LP relaxation's optimum, no more; μ = 0 does not."""
    monkeypatch.setattr(budgets, "ASCENT_TOLERANCE", 1e-7)
    monkeypatch.setattr(budgets, "ASCENT_PASSES", 200)
    scale = abs(relaxation)
    climbed = climb(model, 120)
    assert climbed <= relaxation + 1e-7 * scale
    assert climbed >= relaxation - 1e-4 * scale
    monkeypatch.setattr(budgets, "ASCENT_PASSES", 1)
    assert climb(model, 120) < relaxation - 0.1 * scale


def test_without_delivery_rows_the_climb_bounds_lower(
    model: LinearModel, relaxation: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The transport LPs relax the delivery rows: their dual's maximum is no higher."""
    monkeypatch.setattr(budgets, "ASCENT_TOLERANCE", 1e-7)
    monkeypatch.setattr(budgets, "ASCENT_PASSES", 200)
    assert climb(model, 60, delivery=False) <= climb(model, 60) + 1e-7 * abs(relaxation)


def test_a_spent_clock_climbs_nothing(model: LinearModel) -> None:
    assert climb(model, 0.0) == -math.inf


def test_a_weighted_decompose_reports_the_climbed_bound_and_keeps_its_plan(
    small: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the whole LP's size, on the repair's path (hard targets or budgets, or models past
    the weekly MIPs' size), the plan's bound is the climb's when better, below the exact
    optimum; the plan's flows are the same with or without it."""
    exact = small.solve(strategy="mip", mip_gap=1e-9, time_limit_s=120)
    assert exact.summary["status"].iloc[0] == "optimal"
    monkeypatch.setattr(budgets, "WHOLE_LP_MAX_NONZEROS", 0)
    monkeypatch.setattr(budgets, "INTEGER_WEEKS_MAX_NONZEROS", 0)
    climbed = small.solve(strategy="decompose", time_limit_s=120)
    monkeypatch.setattr(budgets, "ASCENT_PASSES", 0)
    searched = small.solve(strategy="decompose", time_limit_s=120)
    assert check(small, climbed).empty
    pd.testing.assert_frame_equal(climbed.flows, searched.flows)
    tol = 1e-6 * abs(exact.objective)
    assert climbed.best_bound <= exact.objective + tol
    # The search's bound lies more than 100 % below the plan, so none is reported without
    # the climb (``strategies.trusted_bound``).
    assert math.isnan(searched.best_bound)
    assert climbed.gap < 0.1
