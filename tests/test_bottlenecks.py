"""Bottlenecks: dual sign convention, marginal values by hand and by re-solving."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from clock import promised_s
from factories import tiny_frames, tiny_groups

from rhd_match import Scenario
from rhd_match.analysis.bottlenecks import (
    RelaxedSolve,
    bottleneck_table,
    marginal_values,
    no_local_offer_table,
    relaxation_no_local_offer,
    relaxation_solution,
    solve_relaxation,
    verify_marginal_value,
)
from rhd_match.cli.main import main
from rhd_match.generate import generate_scenario
from rhd_match.model.build import build_model
from rhd_match.model.solvers import LinearProgram, SolverRun, run_solver
from rhd_match.model.strategies import Deadline, all_conventional

WEEKS = ("2026-W03", "2026-W04", "2026-W27", "2026-W28")


def _tiny_lp(solver: str) -> np.ndarray | None:
    """min x1 − x2  s.t.  x1 ≥ 2 (row 0),  x2 ≤ 3 (row 1),  x ≥ 0."""
    program = LinearProgram(
        sp.csr_matrix(np.eye(2)),
        np.array([1.0, -1.0]),
        np.array([2.0, -np.inf]),
        np.array([np.inf, 3.0]),
        np.zeros(2),
        np.full(2, np.inf),
    )
    run = run_solver(program, solver, 10.0, 1)
    assert run.status == "optimal"
    return run.duals


def test_glop_duals_are_objective_derivatives_of_the_row_bounds() -> None:
    # Raising the bound of row 0 (2 → 3) costs +1; of row 1 (3 → 4) gains 1.
    duals = _tiny_lp("glop")
    assert duals is not None
    assert duals.tolist() == pytest.approx([1.0, -1.0])


def test_highs_runs_give_no_duals() -> None:
    # Why bottlenecks.DUAL_SOLVER is GLOP: HiGHS runs through SciPy without duals (and
    # OR-Tools 9.15's HiGHS wrapper returned numbers that were not duals).
    assert _tiny_lp("highs") is None


def unreachable_carrots() -> Scenario:
    """One canteen needing 100 kg of carrots (1 EUR HT/kg); the only producer is out of reach."""
    return Scenario.from_frames(
        products=pd.DataFrame(
            {
                "product_id": ["CARROT"],
                "name": ["Carrot"],
                "family": ["FRUITS_ET_LEGUMES"],
                "unit": ["kg"],
                "kg_per_unit": [1.0],
                "reference_price_eur_ht": [1.0],
            }
        ),
        canteens=pd.DataFrame(
            {
                "canteen_id": ["C1"],
                "name": ["School"],
                "lat": [50.43],
                "lon": [2.82],
                "insee": ["62498"],
            }
        ),
        producers=pd.DataFrame(
            {
                "producer_id": ["FAR"],
                "name": ["Far farm"],
                "lat": [49.0],
                "lon": [2.0],
                "delivery_capacity_kg_per_week": [500.0],
                "max_drops_per_week": [5],
                "delivery_radius_km": [30.0],
                "min_order_eur_ht": [0.0],
            }
        ),
        offers=pd.DataFrame(
            {
                "producer_id": ["FAR"],
                "product_id": ["CARROT"],
                "week": ["2026-W10"],
                "qty": [50.0],
                "price_eur_ht": [1.0],
                "labels": [""],
            }
        ),
        demand=pd.DataFrame(
            {"canteen_id": ["C1"], "product_id": ["CARROT"], "week": ["2026-W10"], "qty": [100.0]}
        ),
    )


def test_marginal_values_by_hand() -> None:
    # Default weights: W_S = 100, W_L = W_O = 1, W_C = 0.1; targets 50 % and 20 %.
    # A plain local kg at 1 EUR replaces a conventional kg at 1 EUR: EGalim unchanged, +W_L·r.
    # An organic kg at 1 EUR (no organic offer: the reference price) also closes 1 EUR of
    # quality and 1 EUR of organic shortfall: 1 + 1 + 100 + 100 = 202.
    scenario = unreachable_carrots()
    row = marginal_values(scenario).iloc[0]
    assert row["no_offer_in_range"]
    assert row["uncovered_qty"] == pytest.approx(100.0)
    assert row["area"] == "62498"
    assert row["month"] == 3
    assert row["price_local_eur_ht"] == pytest.approx(1.0)
    assert row["marginal_value_local"] == pytest.approx(1.0)
    assert row["marginal_value_organic"] == pytest.approx(202.0)
    for organic, expected in ((False, 1.0), (True, 202.0)):
        check = verify_marginal_value(scenario, "C1", "CARROT", "2026-W10", organic=organic)
        assert check.finite_difference == pytest.approx(expected, rel=1e-6)
        assert check.agrees()


def test_no_local_offer_table_groups_by_product_and_month() -> None:
    scenario = unreachable_carrots()
    table = no_local_offer_table(scenario, scenario.solve(strategy="lp"))
    assert table.to_dict("records") == [
        {
            "product_id": "CARROT",
            "month": 3,
            "canteens": 1,
            "qty": 100.0,
            "qty_kg": 100.0,
            "value_eur_ht": 100.0,
        }
    ]


@pytest.fixture(scope="module")
def small() -> Scenario:
    tables: dict[str, Any] = generate_scenario(n_canteens=6, n_producers=20, seed=1).tables
    # Local bottlenecks alone: with the generated market table every demand row can also be
    # bought labelled, the relaxation is degenerate and its duals are not one-sided values.
    tables["market"] = tables["market"].iloc[:0]
    for name in ("demand", "offers"):
        tables[name] = tables[name][tables[name]["week"].isin(WEEKS)]
    return Scenario.from_frames(**tables)


def test_top_bottlenecks_match_a_resolve_with_more_supply(small: Scenario) -> None:
    relaxed = solve_relaxation(small)
    table = bottleneck_table(small, verify_top=3, relaxed=relaxed)
    assert len(table) > 3
    assert table["marginal_value_per_kg"].is_monotonic_decreasing
    assert (table["uncovered_kg"] > 0).all()
    top = table.head(3)
    assert np.allclose(
        top["verified_marginal_value"], top["max_marginal_value_per_unit"], rtol=1e-4, atol=1e-5
    )
    assert table["verified_marginal_value"].iloc[3:].isna().all()
    # Organic units, on rows still bought conventionally: duals again match re-solves.
    rows = marginal_values(small, relaxed)
    rows = rows[rows["uncovered_qty"] > 0].sort_values(
        ["marginal_value_organic", "canteen_id", "product_id", "week"],
        ascending=[False, True, True, True],
    )
    for row in rows.head(2).itertuples():
        check = verify_marginal_value(
            small,
            str(row.canteen_id),
            str(row.product_id),
            str(row.week),
            organic=True,
            relaxed=relaxed,
        )
        assert check.agrees(), check


def test_marginal_values_are_nonnegative_and_weighted_means_lie_within_rows(
    small: Scenario,
) -> None:
    relaxed = solve_relaxation(small)
    rows = marginal_values(small, relaxed)
    assert (rows[["marginal_value_local", "marginal_value_organic"]] >= 0).all().all()
    table = bottleneck_table(small, relaxed=relaxed)
    assert (table["marginal_value_per_unit"] <= table["max_marginal_value_per_unit"] + 1e-9).all()
    uncovered = rows["uncovered_qty"] * rows["kg_per_unit"]
    assert table["uncovered_kg"].sum() == pytest.approx(uncovered.sum())


def test_with_the_market_table_duals_bound_the_gain_of_more_local_supply() -> None:
    """With a market table every demand row can also be bought labelled, the relaxation is
    degenerate and μ is only an upper bound: by convexity the gain per unit of δ more local
    units, measured by re-solving, never exceeds it (docs/decision-support.md)."""
    tables: dict[str, Any] = generate_scenario(n_canteens=6, n_producers=20, seed=1).tables
    assert len(tables["market"]) > 0
    for name in ("demand", "offers"):
        tables[name] = tables[name][tables[name]["week"].isin(WEEKS)]
    scenario = Scenario.from_frames(**tables)
    relaxed = solve_relaxation(scenario)
    rows = marginal_values(scenario, relaxed).sort_values(
        ["marginal_value_local", "canteen_id", "product_id", "week"],
        ascending=[False, True, True, True],
    )
    checks = [
        verify_marginal_value(
            scenario, str(r.canteen_id), str(r.product_id), str(r.week), relaxed=relaxed
        )
        for r in rows.head(4).itertuples()
    ]
    assert any(c.dual_value > 0 for c in checks)
    for c in checks:
        assert c.finite_difference <= c.dual_value + 1e-6 * max(1.0, abs(c.dual_value)), c


def test_the_bottlenecks_route_ends_within_its_time_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--time-limit`` is the wall clock of the whole call (10 % + 2 s): the relaxation, the
    ``--verify-top`` re-solves and the plan's tables share it. On this case GLOP takes about
    1.4 s per LP on an idle 2-core machine; before, every one of the six LPs got the whole
    limit and the call took about 10 s. Whether the relaxation ends in time depends on the
    machine's load: either a table whose unverified rows are said so, or the one-line error."""
    limit = 4.0
    generate_scenario(n_canteens=14, n_producers=40, seed=1).to_folder(tmp_path / "in")
    args = ["--lang", "en", "bottlenecks", str(tmp_path / "in"), "--out", str(tmp_path / "out")]
    started = time.perf_counter()
    code = main([*args, "--time-limit", str(limit), "--verify-top", "5"])
    elapsed = time.perf_counter() - started
    assert elapsed <= promised_s(limit)
    err = capsys.readouterr().err
    if code == 0:
        table = pd.read_csv(tmp_path / "out" / "bottlenecks.csv")
        missing = int(table["verified_marginal_value"].head(5).isna().sum())
        # Said when the clock stopped the re-solves, and only then.
        assert (f"{missing} of the first 5 rows not re-solved" in err) == (missing > 0)
    else:
        assert code == 2
        assert "give it a longer time limit" in err


def test_re_solves_the_clock_does_not_reach_stay_unverified(small: Scenario) -> None:
    """A spent clock starts no re-solve: the rows keep no verified value and the deadline
    says it was hit; with time the same rows are verified."""
    relaxed = solve_relaxation(small)
    spent = Deadline(0.0)
    table = bottleneck_table(small, verify_top=2, relaxed=relaxed, deadline=spent)
    assert table["verified_marginal_value"].isna().all()
    assert spent.hit
    ample = Deadline(60.0)
    table = bottleneck_table(small, verify_top=2, relaxed=relaxed, deadline=ample)
    assert table["verified_marginal_value"].head(2).notna().all()
    assert not ample.hit


def _relaxed_at(scenario: Scenario, seed: int) -> RelaxedSolve:
    """``scenario``'s model with a stand-in for its relaxation's point: each arc at a seeded
    random part of its bound (the demo's relaxation takes GLOP minutes); no duals needed."""
    model = build_model(scenario)
    values = all_conventional(model)
    ub = np.minimum(model.index.arcs["ub"].to_numpy(float), 1e4)
    values[model.variables.cols("x")] = np.random.default_rng(seed).uniform(0.0, 1.0, len(ub)) * ub
    run = SolverRun("glop", "optimal", values, 0.0, 0.0, np.zeros(model.matrix.shape[0]), 0.0)
    return RelaxedSolve(model, run)


def _group_scenario() -> Scenario:
    """The tiny scenario with a menu's choice: 200 dessert portions (apple or yogurt)."""
    frames = tiny_frames()
    frames["demand"].loc[1, ["product_id", "qty"]] = ["DESSERT", 200.0]
    return Scenario.from_frames(**frames, groups=tiny_groups())


@pytest.mark.parametrize("case", ["demo", "small", "groups", "carrots"])
def test_the_no_local_offer_table_is_the_one_of_the_relaxations_whole_plan(
    case: str, small: Scenario
) -> None:
    """The command's ``no_local_offer.csv`` comes from the relaxation's flows and their
    ``unmet_local`` alone: the same table as from the relaxation's whole ``Solution``."""
    if case == "demo":
        scenario = Scenario.demo()
        relaxed = _relaxed_at(scenario, 1)
    else:
        scenario = {"small": small, "groups": _group_scenario(), "carrots": unreachable_carrots()}[
            case
        ]
        relaxed = solve_relaxation(scenario)
    whole = no_local_offer_table(scenario, relaxation_solution(relaxed, scenario))
    assert len(whole) > 0
    pd.testing.assert_frame_equal(relaxation_no_local_offer(relaxed, scenario), whole)


def test_the_bottlenecks_route_computes_the_marginal_values_once(
    small: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``rhd-match bottlenecks`` reads one ``marginal_values`` frame for the table, each
    ``--verify-top`` re-solve and ``marginal_values.csv`` (before: one for the table, one for
    the file and one per verified row)."""
    import rhd_match.analysis.bottlenecks as bottlenecks

    small.to_folder(tmp_path / "in")
    calls = []
    computed = bottlenecks.marginal_values

    def counted(*args: Any, **kwargs: Any) -> pd.DataFrame:
        calls.append(args)
        return computed(*args, **kwargs)

    monkeypatch.setattr(bottlenecks, "marginal_values", counted)
    argv = ["--lang", "en", "bottlenecks", str(tmp_path / "in"), "--out", str(tmp_path / "out")]
    assert main([*argv, "--verify-top", "2"]) == 0
    table = pd.read_csv(tmp_path / "out" / "bottlenecks.csv")
    assert table["verified_marginal_value"].head(2).notna().all()
    assert len(calls) == 1
