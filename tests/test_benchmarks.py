"""The XS benchmark end to end, through the same runner as ``python -m benchmarks``.

Not timed: it asserts that the tables are produced, that the greedy plan passes the checker,
that the optimiser beats it, and that PuLP + CBC finds rhd_match's exact MIP objective. It
also guards the small pure functions of the report (growth exponent, gaps, size specs).
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path
from typing import Any

import pytest
from test_hubs import hub_row, with_hub

from benchmarks.__main__ import problems, run
from benchmarks.figures import EQUAL_OBJECTIVE_RTOL, derive, fit_exponent, relative_gap
from benchmarks.greedy import greedy_flows
from benchmarks.markdown import targets
from benchmarks.sizes import get_size, make_scenario
from rhd_match.check import check

HAS_PULP = importlib.util.find_spec("pulp") is not None


@pytest.fixture(scope="module")
def xs_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("bench")
    results = run(["XS"], out, memory_gb=8.0, log=lambda _line: None)
    return results, out


def test_tables_are_written(xs_run: tuple[dict[str, Any], Path]) -> None:
    results, out = xs_run
    text = (out / "README.md").read_text(encoding="utf-8")
    assert "## Machine" in text
    assert "| plan | arcs | variables | constraints | nonzeros | build s | solve s" in text
    assert "greedy adviser" in text
    assert "Solver comparison (XS)" in text
    raw = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert set(raw["sizes"]) == {"XS"}
    tasks = results["sizes"]["XS"]["tasks"]
    for name in ("build", "optimiser", "weighted", "lp", "greedy", "mip", "solvers"):
        assert "failed" not in tasks[name], tasks[name]
    assert tasks["build"]["arcs"] == tasks["optimiser"]["arcs"] > 0
    assert tasks["build"]["floor_csr_s"] > 0


def test_greedy_passes_the_checker(xs_run: tuple[dict[str, Any], Path]) -> None:
    results, _ = xs_run
    greedy = results["sizes"]["XS"]["tasks"]["greedy"]
    assert greedy["violations"] == 0
    assert not problems(results)


def test_the_greedy_adviser_reaches_the_targets_from_the_market(
    xs_run: tuple[dict[str, Any], Path],
) -> None:
    results, _ = xs_run
    scenario = make_scenario(get_size("XS"))
    assert len(scenario.market) > 0  # every size keeps its generated market table
    greedy = results["sizes"]["XS"]["tasks"]["greedy"]
    assert greedy["violations"] == 0
    # The XS market sells labelled food of every family: after its local round the adviser
    # buys the rest of each target from it.
    for target in ("quality", "organic", "meat_fish"):
        assert greedy[f"canteens_meeting_{target}"] == len(scenario.canteens)


def test_optimiser_beats_greedy(xs_run: tuple[dict[str, Any], Path]) -> None:
    results, _ = xs_run
    entry = results["sizes"]["XS"]
    tasks, derived = entry["tasks"], entry["derived"]
    assert tasks["optimiser"]["plan"]["violations"] == 0
    assert derived["optimiser_beats_greedy"]
    # The exact MIP is optimal and sits on or above the LP relaxation bound.
    assert tasks["mip"]["status"] == "optimal"
    assert tasks["lp"]["objective"] <= tasks["mip"]["objective"] * (1 + 1e-9)


@pytest.mark.skipif(not HAS_PULP, reason="PuLP is a benchmark-only dependency")
def test_pulp_finds_the_same_objective(xs_run: tuple[dict[str, Any], Path]) -> None:
    results, _ = xs_run
    entry = results["sizes"]["XS"]
    pulp = entry["tasks"]["pulp"]
    assert "failed" not in pulp and "skipped" not in pulp, pulp
    assert pulp["arcs"] == entry["tasks"]["mip"]["arcs"]  # market arcs included
    assert pulp["plan"]["violations"] == 0
    assert entry["derived"]["pulp_equal_objective"], entry["derived"]
    assert entry["derived"]["pulp_objective_rel_diff"] <= EQUAL_OBJECTIVE_RTOL


def test_a_lexicographic_plan_is_not_measured_against_the_weighted_bound(
    xs_run: tuple[dict[str, Any], Path],
) -> None:
    results, out = xs_run
    entry = results["sizes"]["XS"]
    assert entry["tasks"]["optimiser"]["objective_mode"] == "lexicographic"
    assert math.isnan(entry["derived"]["optimiser_gap"])
    assert math.isfinite(entry["derived"]["mip_gap"])
    text = (out / "README.md").read_text(encoding="utf-8")
    assert "objective lexicographic: no gap to the best bound" in text


def test_a_weighted_plan_gets_its_gap_to_the_best_bound() -> None:
    timed = {"build_time_s": 1.0, "solve_time_s": 2.0}
    tasks: dict[str, Any] = {
        "optimiser": {"objective": 110.0, "best_bound": 90.0, **timed},
        "mip": {"objective": 100.0, "best_bound": 100.0, **timed},
    }
    assert derive(tasks)["optimiser_gap"] == pytest.approx(10 / 110)
    tasks["optimiser"]["objective_mode"] = "weighted"
    assert derive(tasks)["optimiser_gap"] == pytest.approx(10 / 110)
    tasks["optimiser"]["objective_mode"] = "lexicographic"
    assert math.isnan(derive(tasks)["optimiser_gap"])


def test_the_weighted_task_keeps_its_plan_and_its_bound(
    xs_run: tuple[dict[str, Any], Path],
) -> None:
    """The weighted objective's run records its plan and its own bound apart, around the
    exact optimum, and its gap to the best bound reaches the targets' table."""
    results, _out = xs_run
    entry = results["sizes"]["XS"]
    weighted, mip = entry["tasks"]["weighted"], entry["tasks"]["mip"]
    assert weighted["objective_mode"] == "weighted"
    assert weighted["plan"]["violations"] == 0
    tol = 1e-6 * abs(mip["objective"])
    assert weighted["best_bound"] <= mip["objective"] + tol
    assert mip["objective"] <= weighted["objective"] + tol
    derived = entry["derived"]
    assert derived["weighted_gap"] == pytest.approx(
        relative_gap(weighted["objective"], derived["best_bound"])
    )


def test_the_gap_targets_read_the_weighted_run() -> None:
    """S's and M's gap targets are judged on the weighted run's plan against the best bound
    (its own among them), in the total time of its build and solve."""
    timed = {"build_time_s": 1.0, "solve_time_s": 20.0}
    tasks: dict[str, Any] = {
        "weighted": {"objective": -995.0, "best_bound": -1000.0, **timed},
        "lp": {"status": "relaxation", "best_bound": -1001.0},
    }
    derived = derive(tasks)
    assert derived["best_bound"] == -1000.0
    assert derived["weighted_gap"] == pytest.approx(5 / 995)
    assert derived["weighted_total_s"] == 21.0
    rows = targets({"S": {"tasks": tasks, "derived": derived}})
    [row] = [r for r in rows if r[0].startswith("S: ≤ 1 % gap")]
    assert row[2] == "met" and "0.503 %" in row[1]
    tasks["weighted"]["solve_time_s"] = 40.0
    derived = derive(tasks)
    rows = targets({"S": {"tasks": tasks, "derived": derived}})
    [row] = [r for r in rows if r[0].startswith("S: ≤ 1 % gap")]
    assert row[2] == "**missed**"


def test_fit_exponent() -> None:
    x = [10.0, 100.0, 1000.0]
    assert fit_exponent(x, [3 * v**1.5 for v in x]) == pytest.approx(1.5)
    assert math.isnan(fit_exponent([10.0], [1.0]))


def test_relative_gap() -> None:
    assert relative_gap(110.0, 100.0) == pytest.approx(10 / 110)
    assert relative_gap(0.5, 0.0) == pytest.approx(0.5)  # denominator at least 1
    assert math.isnan(relative_gap(1.0, float("nan")))


def test_sizes() -> None:
    xs = make_scenario(get_size("XS"))
    assert xs.demand["week"].nunique() == 12
    custom = get_size("20x30x10w4")
    assert (custom.canteens, custom.producers, custom.products, custom.weeks) == (20, 30, 10, 4)
    with pytest.raises(ValueError):
        get_size("huge")


@pytest.mark.parametrize("min_drop_kg", [20.0, 26.0])
def test_the_greedy_plan_keeps_the_hub_rules(min_drop_kg: float) -> None:
    # A hub member's franco that no canteen pays alone, and a hub minimum: the adviser
    # delivers direct, so its plan breaks neither.
    scenario = with_hub(hub_row(min_drop_kg=min_drop_kg))
    assert check(scenario, greedy_flows(scenario)).empty


def test_a_record_keeps_a_broken_rule_with_its_drops_lines() -> None:
    """A plan with one direct drop cut below its franco: the record names the rule and keeps
    that drop's flow lines, so that a run too long to repeat shows its fault; a clean plan
    keeps none."""
    from benchmarks.one import _plan_figures

    scenario = make_scenario(get_size("XS"))
    flows = greedy_flows(scenario)
    clean = _plan_figures(scenario, flows)
    assert clean["violations"] == 0 and clean["violation_sample"] == []
    direct = flows[(flows["supplier"] == "producer") & flows["hub_id"].isna()]
    drop = direct.groupby(["producer_id", "canteen_id", "week"])["value_eur_ht"].sum()
    producer, canteen, week = drop.idxmax()
    cut = flows.copy()
    lines = (
        (cut["producer_id"] == producer) & (cut["canteen_id"] == canteen) & (cut["week"] == week)
    )
    cut.loc[lines, ["qty", "qty_kg", "value_eur_ht"]] *= 1e-3
    broken = _plan_figures(scenario, cut)
    franco = [v for v in broken["violation_sample"] if v["rule"] == "franco"]
    assert len(franco) == 1
    kept = franco[0]["lines"]
    assert len(kept) == int(lines.sum())
    assert {(k["producer_id"], k["canteen_id"], k["week"]) for k in kept} == {
        (producer, canteen, week)
    }
    json.dumps(broken["violation_sample"])  # the record is written as JSON
