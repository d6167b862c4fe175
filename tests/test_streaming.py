"""The decomposition streamed by weeks against the whole-year model it never builds.

A model built from the scenario cut to a few weeks must be, block for block, the whole-year
model restricted to those weeks; a streamed pass of the weekly LPs must then give the same
Lagrangian terms and annual activity as the in-memory pass at the same multipliers; and the
streamed plan must pass the independent checker, within its time limit (as must the whole
in-memory call, build and tables included).
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from factories import weighted

from benchmarks.sizes import get_size, make_scenario
from rhd_match import Scenario
from rhd_match.check import check
from rhd_match.check.figures import objective_from_flows
from rhd_match.model.build import build_model
from rhd_match.model.decomposition import budgets
from rhd_match.model.decomposition.annual import AnnualRows
from rhd_match.model.decomposition.streaming import (
    _Chunks,
    cut_to_weeks,
    solve_streaming,
    transport_pass,
    week_chunks,
)
from rhd_match.model.decomposition.subproblems import (
    WeeklySolver,
    column_weeks,
    row_weeks,
    week_problems,
)
from rhd_match.model.strategies import Deadline, Reporter
from rhd_match.params import SolverOptions


@pytest.fixture(scope="module")
def small() -> Scenario:
    """The benchmarks' XS: 16 canteens, 30 producers, 12 ISO weeks (franco binds)."""
    return weighted(make_scenario(get_size("XS"), market=False))


def test_a_chunk_model_is_the_whole_model_cut_to_its_weeks(small: Scenario) -> None:
    whole = build_model(small)
    chunk = week_chunks(small, 3)[1]
    part = build_model(cut_to_weeks(small, chunk))
    codes = np.flatnonzero(np.isin(whole.index.weeks, chunk))
    whole_cols = np.flatnonzero(np.isin(column_weeks(whole), codes))
    part_cols = np.flatnonzero(column_weeks(part) >= 0)
    assert len(whole_cols) == len(part_cols) > 0
    whole_rows = np.flatnonzero(np.isin(row_weeks(whole), codes))
    part_rows = np.flatnonzero(row_weeks(part) >= 0)
    assert len(whole_rows) == len(part_rows) > 0
    block = whole.matrix[whole_rows][:, whole_cols]
    part_block = part.matrix[part_rows][:, part_cols]
    assert (block != part_block).nnz == 0
    np.testing.assert_array_equal(whole.objective[whole_cols], part.objective[part_cols])
    np.testing.assert_array_equal(whole.row_lower[whole_rows], part.row_lower[part_rows])
    np.testing.assert_array_equal(whole.row_upper[whole_rows], part.row_upper[part_rows])
    np.testing.assert_array_equal(
        whole.variables.upper[whole_cols], part.variables.upper[part_cols]
    )
    whole_annual, part_annual = AnnualRows.of(whole), AnnualRows.of(part)
    np.testing.assert_array_equal(whole_annual.rhs, part_annual.rhs)
    assert (whole_annual.matrix[:, whole_cols] != part_annual.matrix[:, part_cols]).nnz == 0


def test_a_streamed_pass_is_the_in_memory_pass(small: Scenario) -> None:
    options = SolverOptions(objective="weighted")
    whole = build_model(small)
    annual = AnnualRows.of(whole)
    mu = 0.5 * (annual.mu_low + annual.mu_high)
    in_memory = WeeklySolver(whole, options, Deadline(60))
    try:
        var = whole.variables
        values, total, ok = in_memory.solve(
            week_problems(whole, False), annual.cost(whole, mu), var.lower, var.upper
        )
    finally:
        in_memory.close()
    chunks = _Chunks(small, week_chunks(small, 2))
    first_model, first = chunks.model(0)
    streamed = WeeklySolver(first_model, options, Deadline(60))
    try:
        result = transport_pass(chunks, streamed, first, mu)
    finally:
        streamed.close()
    assert ok and result.ok
    np.testing.assert_allclose(result.total, total, rtol=1e-9)
    np.testing.assert_allclose(result.activity, annual.matrix @ values, rtol=1e-9, atol=1e-6)


def test_streamed_plan_is_valid_and_above_its_bound(
    small: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing kept between passes: every chunk is rebuilt, as at scale.
    monkeypatch.setattr(budgets, "STREAM_KEEP_NONZEROS", 0)
    options = SolverOptions(objective="weighted")
    plan = solve_streaming(small, options, Deadline(60), Reporter(None, 0.0), chunk_weeks=4)
    assert check(small, plan.flows).empty
    assert plan.objective == pytest.approx(objective_from_flows(small, plan.flows))
    exact = small.solve(strategy="mip", mip_gap=1e-9, time_limit_s=120).objective
    assert plan.bound <= exact + 1e-6 * abs(exact) <= plan.objective + 2e-6 * abs(exact)
    assert plan.passes > 1 and not plan.stopped_by_time_limit


def test_streamed_solve_honours_a_tiny_time_limit(small: Scenario) -> None:
    limit = 1.0
    started = time.perf_counter()
    plan = solve_streaming(
        small, SolverOptions(objective="weighted"), Deadline(limit), Reporter(None, 0.0)
    )
    # The project's promise: the limit + 10 % + 2 s (the last chunks still get their plan).
    assert time.perf_counter() - started <= 1.1 * limit + 2.0
    assert check(small, plan.flows).empty


@pytest.mark.parametrize("strategy", ["auto", "decompose"])
def test_the_whole_call_honours_a_tiny_time_limit(small: Scenario, strategy: str) -> None:
    """Build, solve and solution tables together, in-memory path: the limit + 10 % + 2 s."""
    limit = 0.5
    started = time.perf_counter()
    solution = small.solve(strategy=strategy, time_limit_s=limit)
    assert time.perf_counter() - started <= 1.1 * limit + 2.0
    assert check(small, solution).empty
