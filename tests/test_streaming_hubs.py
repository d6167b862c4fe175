"""The decomposition streamed by weeks on a territory with a hub: each chunk gathers the hub
options the in-memory search gathers from the year's flows, the re-pricing opens them, and
the streamed plan routes through the hub, checker-clean, deterministic, as good as the
in-memory plan within 0.1 %."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rhd_match import Scenario
from rhd_match.check import check
from rhd_match.generate.synthetic import generate_scenario
from rhd_match.model.build import build_model
from rhd_match.model.decomposition.annual import AnnualRows
from rhd_match.model.decomposition.streamed_search import transport_pass
from rhd_match.model.decomposition.streaming import (
    _ChunkedPlan,
    _Chunks,
    _plan,
    _reprice,
    cut_to_weeks,
    solve_streaming,
    week_chunks,
)
from rhd_match.model.decomposition.subproblems import WeeklySolver, column_weeks, week_problems
from rhd_match.model.strategies import Deadline, Reporter, hub_options
from rhd_match.params import SolverOptions

WEIGHTED = SolverOptions(objective="weighted")


@pytest.fixture(scope="module")
def hub_weeks() -> Scenario:
    """Six weeks of a generated Lens-Liévin territory with its hub: 16 canteens, 30
    producers, 5 of them members of the hub."""
    scenario = generate_scenario(16, 30, seed=3, hubs=True)
    weeks = np.concatenate(week_chunks(scenario, 1)[10:16])
    return cut_to_weeks(scenario, weeks)


def _kg_through_hubs(flows: pd.DataFrame) -> float:
    return float(flows.loc[flows["hub_id"].notna(), "qty_kg"].sum())


def test_each_chunk_gathers_the_in_memory_hub_options(hub_weeks: Scenario) -> None:
    whole = build_model(hub_weeks)
    annual = AnnualRows.of(whole)
    var = whole.variables
    chunks = _Chunks(hub_weeks, week_chunks(hub_weeks, 2))
    first_model, first = chunks.model(0)
    streamed = WeeklySolver(first_model, WEIGHTED, Deadline(60))
    in_memory = WeeklySolver(whole, WEIGHTED, Deadline(60))
    expected: tuple[np.ndarray, np.ndarray] | None = None
    try:
        # Two passes, as the search makes them: the options of both are gathered.
        for mu in (annual.mu_high, 0.5 * (annual.mu_low + annual.mu_high)):
            cost = annual.cost(whole, mu)
            values, _total, ok = in_memory.solve(
                week_problems(whole, False), cost, var.lower, var.upper
            )
            assert ok and transport_pass(chunks, streamed, first, mu).ok
            options = hub_options(whole, values)
            expected = (
                options
                if expected is None
                else (expected[0] | options[0], expected[1] | options[1])
            )
    finally:
        streamed.close()
        in_memory.close()
    assert expected is not None and expected[0].any() and expected[1].any()
    y_week, hub_week = column_weeks(whole)[var.cols("y")], column_weeks(whole)[var.cols("hub_y")]
    for i, weeks in enumerate(chunks.chunks):
        codes = np.flatnonzero(np.isin(whole.index.weeks, weeks))
        at_hub, hub = chunks.hub_options[i]
        np.testing.assert_array_equal(at_hub, expected[0][np.isin(y_week, codes)])
        np.testing.assert_array_equal(hub, expected[1][np.isin(hub_week, codes)])


def test_the_streamed_plan_routes_through_the_hub(hub_weeks: Scenario) -> None:
    plans = [
        solve_streaming(hub_weeks, WEIGHTED, Deadline(120), Reporter(None, 0.0), 3)
        for _run in range(2)
    ]
    plan = plans[0]
    assert not plan.stopped_by_time_limit
    found = check(hub_weeks, plan.flows)
    assert found.empty, found.to_string()
    pd.testing.assert_frame_equal(plans[1].flows, plan.flows)  # deterministic
    in_memory = hub_weeks.solve(strategy="decompose", objective="weighted", time_limit_s=120)
    assert _kg_through_hubs(in_memory.flows) > 0
    assert _kg_through_hubs(plan.flows) > 0
    assert plan.objective == pytest.approx(in_memory.objective, rel=1e-3)
    assert plan.bound <= in_memory.objective + 1e-6 * abs(in_memory.objective)


def test_the_repair_opens_the_hub_options_and_repricing_keeps_them(hub_weeks: Scenario) -> None:
    """Repaired at the starting multipliers, where organic food is worth most, each chunk's
    repair judges the hub options the passes gathered by the whole year's score (the hub's
    members sell little organic food: judged by the Lagrangian cost at those multipliers,
    the repair sent 54 kg through the hub and the re-pricing 270 kg, measured): the plan
    routes through the hub, and re-pricing it, with or without the options, is never
    worse."""
    chunks = _Chunks(hub_weeks, week_chunks(hub_weeks, 3))
    first_model, first = chunks.model(0)
    weekly = WeeklySolver(first_model, WEIGHTED, Deadline(60))
    log = Reporter(None, 0.0)

    def score(plan: _ChunkedPlan) -> float:
        return chunks.plan_score(first, plan.linear, plan.activity)

    def kg(plan: _ChunkedPlan) -> float:
        return _kg_through_hubs(pd.concat(plan.tables, ignore_index=True))

    try:
        for mu in (first.mu_high, 0.5 * (first.mu_low + first.mu_high), first.mu_low):
            transport_pass(chunks, weekly, first, mu)
        gathered = chunks.hub_options
        repaired, _stats, _bound, _parts, _pace = _plan(
            chunks, weekly, first, first.mu_high, -np.inf, Deadline(60), log
        )
        repriced = _reprice(chunks, weekly, first, first.mu_high, repaired, Deadline(60), log)
        chunks.hub_options = {}
        alone = _reprice(chunks, weekly, first, first.mu_high, repaired, Deadline(60), log)
    finally:
        weekly.close()
    assert gathered
    assert score(repriced) <= score(repaired) and score(alone) <= score(repaired)
    assert kg(repaired) > 100.0
    flows = pd.concat(repriced.tables, ignore_index=True)
    assert check(hub_weeks, flows).empty
