"""Objectives (docs/model.md, *Objectives*): the lexicographic order and "most canteens
compliant", against brute force on the tiny scenario; meals and cost per meal."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import re

import numpy as np
import pandas as pd
import pytest
from brute_force import brute_force
from factories import tiny_frames

from rhd_match import Scenario, check
from rhd_match.analysis.whatif import budget_per_meal
from rhd_match.errors import InfeasibleError
from rhd_match.i18n import format_share, use_language
from rhd_match.params import Targets, solver_options
from rhd_match.plan.solution import Solution

TARGETS = ("quality", "organic", "meat_fish")


def level_values(scenario: Scenario, solution: Solution) -> tuple[float, float, float]:
    """(EUR HT short of targets plus weighted overrun, local value at reference prices,
    purchase value plus the distance tie-break) of a plan, from its tables alone."""
    w = scenario.parameters.weights
    can, flows = solution.canteens, solution.flows
    short = sum(float(can[f"shortfall_{t}_eur_ht"].sum()) for t in TARGETS)
    overrun = (can["value_eur_ht"] - can["budget_eur_ht"]).clip(lower=0).fillna(0).sum()
    ref = scenario.products.set_index("product_id")["reference_price_eur_ht"]
    local = flows[flows["local"]]
    local_value = float((local["qty"] * local["product_id"].map(ref)).sum())
    kg_km = float((flows["qty_kg"] * flows["distance_km"].fillna(0.0)).sum())
    cost = float(flows["value_eur_ht"].sum()) + w.distance / w.cost * kg_km
    return short + w.budget_overrun / w.egalim_shortfall * overrun, local_value, cost


def with_budgets(budgets: list[float], **targets: list[float]) -> Scenario:
    frames = tiny_frames()
    frames["canteens"]["budget_eur_ht"] = budgets
    for name, values in targets.items():
        frames["canteens"][f"target_{name}"] = values
    return Scenario.from_frames(**frames)


@pytest.mark.parametrize("budgets", [[4000.0, math.nan], [270.0, 880.0]])
def test_lexicographic_plan_is_the_brute_force_order(budgets: list[float]) -> None:
    scenario = with_budgets(budgets)
    solution = scenario.solve(strategy="mip")
    assert check(scenario, solution).empty
    best = brute_force(scenario, levels=("egalim", "local", "cost"))
    short, local, cost = level_values(scenario, solution)
    assert short == pytest.approx(best.levels[0], rel=1e-6, abs=1e-4)
    assert -local == pytest.approx(best.levels[1], rel=1e-6, abs=1e-4)
    assert cost == pytest.approx(best.levels[2], rel=1e-4, abs=1e-2)
    assert solution.summary["objective_mode"].iloc[0] == "lexicographic"


def test_lexicographic_never_trades_egalim_for_local_food() -> None:
    scenario = with_budgets([4000.0, math.nan])
    lexi = level_values(scenario, scenario.solve(strategy="mip"))
    # Local food first: a plan with more local value exists, and it is short of more.
    local_first = brute_force(scenario, levels=("local", "egalim"))
    assert -local_first.levels[0] > lexi[1] + 1e-6
    assert local_first.levels[1] > lexi[0] + 1e-6


@pytest.mark.parametrize("strategy", ["mip", "lp", "repair", "decompose", "auto"])
def test_every_strategy_solves_the_levels(strategy: str) -> None:
    scenario = Scenario.from_frames(**tiny_frames())
    solution = scenario.solve(strategy=strategy)
    weighted = scenario.solve(strategy=strategy, objective="weighted")
    assert solution.summary["objective_mode"].iloc[0] == "lexicographic"
    if strategy != "lp":
        assert check(scenario, solution).empty
    # Never further from the targets than the weighted plan on the same drops.
    assert level_values(scenario, solution)[0] <= level_values(scenario, weighted)[0] + 1e-4


def _compliance_brute_force(scenario: Scenario) -> tuple[int, float]:
    """(most canteen targets met together, most local value then) over every subset of
    (canteen, target) pairs, each subset's targets hard and the others set to 0, budgets
    hard, by brute force."""
    can = scenario.canteens
    defaults = scenario.parameters.targets
    pairs = [(i, t) for i in range(len(can)) for t in TARGETS]
    for size in range(len(pairs), -1, -1):
        best_local = -math.inf
        for subset in itertools.combinations(pairs, size):
            frames = {name: table.copy() for name, table in scenario.tables.items()}
            for i, t in pairs:
                column = f"target_{t}"
                if (i, t) not in subset:
                    frames["canteens"].loc[i, column] = 0.0
                elif pd.isna(frames["canteens"].loc[i, column]):
                    frames["canteens"].loc[i, column] = getattr(defaults, t)
            hard = Scenario.from_frames(**frames).with_parameters(
                hard_egalim=True, hard_budget=True
            )
            found = brute_force(hard, levels=("local",))
            if found.levels:
                best_local = max(best_local, -found.levels[0])
        if best_local > -math.inf:
            return size, best_local
    raise AssertionError("not even the empty subset is feasible")


@pytest.mark.parametrize("budgets", [[290.0, 930.0]])
def test_most_canteens_compliant_against_every_subset(budgets: list[float]) -> None:
    scenario = with_budgets(budgets)
    solution = scenario.solve(strategy="mip", objective="compliance")
    assert check(scenario.with_parameters(hard_budget=True), solution).empty
    met = int(solution.canteens[[f"meets_{t}" for t in TARGETS]].to_numpy().sum())
    count, local = _compliance_brute_force(scenario)
    assert met == count
    assert level_values(scenario, solution)[1] == pytest.approx(local, rel=1e-6, abs=1e-4)


def test_a_budget_out_of_reach_is_told_by_the_least_overrun() -> None:
    """« budget de 2 000 € HT dépassé de 752 € » where 540 € was enough: the overrun named was
    the one of a plan buying soft targets and local food; it is the least any plan needs."""
    scenario = with_budgets([10.0, 10.0]).with_parameters(hard_budget=True)
    with use_language("en"), pytest.raises(InfeasibleError) as caught:
        scenario.solve(strategy="mip")
    overruns = [
        float(re.search(r"exceeded by ([\d,.]+)", r)[1].replace(",", ""))  # type: ignore[index]
        for r in caught.value.reasons
    ]
    least = brute_force(scenario.with_parameters(hard_budget=False), levels=("cost",))
    assert len(overruns) == 2
    assert sum(overruns) == pytest.approx(least.levels[0] - 20.0, abs=0.02)


def test_targets_missed_in_several_canteens_are_one_plans_answer() -> None:
    """C1 and C3 were named as missing their targets « with the supply within reach », though
    C3 met its own once C1's was dropped: which canteens miss is one plan's choice."""
    scenario = with_budgets([math.nan, math.nan], organic=[0.9, 0.9])
    with use_language("en"), pytest.raises(InfeasibleError) as caught:
        scenario.with_parameters(hard_egalim=True).solve(strategy="mip")
    *named, last = caught.value.reasons
    assert [r.split(":")[0] for r in named] == ["canteen LENS_1", "canteen LIEVIN_1"]
    assert last.startswith("these canteens share the supply within reach")


def test_most_canteens_compliant_keeps_budgets_hard() -> None:
    scenario = with_budgets([100.0, 900.0])
    with pytest.raises(InfeasibleError, match="budget"):
        scenario.solve(strategy="mip", objective="compliance")


@pytest.mark.parametrize("strategy", ["repair", "decompose"])
def test_most_canteens_compliant_with_heuristics(strategy: str) -> None:
    scenario = with_budgets([290.0, 930.0])
    solution = scenario.solve(strategy=strategy, objective="compliance")
    assert check(scenario.with_parameters(hard_budget=True), solution).empty
    exact = scenario.solve(strategy="mip", objective="compliance")
    met = solution.canteens[[f"meets_{t}" for t in TARGETS]].to_numpy().sum()
    assert met <= exact.canteens[[f"meets_{t}" for t in TARGETS]].to_numpy().sum()


def test_meals_and_cost_per_meal() -> None:
    frames = tiny_frames()
    frames["canteens"]["service_days"] = [140.0, None]
    scenario = Scenario.from_frames(**frames)
    solution = scenario.solve(strategy="mip")
    can = solution.canteens.set_index("canteen_id")
    # LIEVIN_1 has no service days: 5 a week over its 2 weeks of demand (the estimate).
    assert can.loc["LENS_1", "meals"] == 180.0 * 140.0
    assert can.loc["LIEVIN_1", "meals"] == 420.0 * 5 * 2
    per_meal = can["value_eur_ht"] / can["meals"]
    before = can["reference_value_eur_ht"] / can["meals"]
    assert np.allclose(can["cost_per_meal_eur_ht"], per_meal)
    assert np.allclose(can["cost_per_meal_before_eur_ht"], before)
    assert np.allclose(can["extra_cost_per_meal_eur_ht"], per_meal - before)
    row = solution.summary.iloc[0]
    total = can["value_eur_ht"].sum() / can["meals"].sum()
    total_before = can["reference_value_eur_ht"].sum() / can["meals"].sum()
    assert row["cost_per_meal_eur_ht"] == pytest.approx(total)
    assert row["extra_cost_per_meal_eur_ht"] == pytest.approx(total - total_before)


def test_budget_per_meal_sets_each_budget_from_its_meals() -> None:
    scenario = Scenario.from_frames(**tiny_frames())
    meals = [180.0 * 5 * 2, 420.0 * 5 * 2]  # no service days: 5 a week, 2 weeks of demand
    changed = budget_per_meal(0.2).apply(scenario)
    assert changed.canteens["budget_eur_ht"].tolist() == pytest.approx([0.2 * m for m in meals])
    only = budget_per_meal(0.2, canteen_ids="LIEVIN_1").apply(scenario)
    assert only.canteens["budget_eur_ht"].tolist() == pytest.approx([4000.0, 0.2 * meals[1]])


def test_compliance_never_falls_as_the_budget_per_meal_rises() -> None:
    scenario = Scenario.from_frames(**tiny_frames())
    counts = []
    for per_meal in (0.14, 0.15, 0.16, 0.2):
        variant = budget_per_meal(per_meal, canteen_ids="LENS_1").apply(scenario)
        solution = variant.solve(strategy="mip", objective="compliance")
        assert check(variant.with_parameters(hard_budget=True), solution).empty
        counts.append(int(solution.canteens[[f"meets_{t}" for t in TARGETS]].to_numpy().sum()))
    assert counts == sorted(counts) and counts[0] < counts[-1]


@pytest.mark.parametrize("strategy", ["mip", "repair", "decompose"])
def test_hard_targets_with_the_levels(strategy: str) -> None:
    # Organic at 15 %: the tiny supply meets every target (as in test_heuristics).
    scenario = Scenario.from_frames(**tiny_frames()).with_parameters(
        hard_egalim=True, targets=Targets(quality=0.5, organic=0.15, meat_fish=0.6)
    )
    solution = scenario.solve(strategy=strategy)
    assert check(scenario, solution).empty
    assert solution.canteens[[f"meets_{t}" for t in TARGETS]].to_numpy().all()


@pytest.mark.parametrize("budgets", [[4000.0, math.nan], [270.0, 880.0]])
def test_level_bounds_hold_against_brute_force(budgets: list[float]) -> None:
    scenario = with_budgets(budgets)
    best = brute_force(scenario, levels=("egalim", "local", "cost"))
    solution = scenario.solve(strategy="mip")
    exact = solution.summary.iloc[0]
    assert [exact[f"level_{k}"] for k in (1, 2, 3)] == ["egalim", "local", "cost"]
    for k, optimum in enumerate(best.levels, start=1):
        value, bound = exact[f"level_{k}_value"], exact[f"level_{k}_bound"]
        # The exact model proves each level: a bound, never above the optimum.
        assert bound <= optimum + 1e-6 * max(1.0, abs(optimum))
        assert value == pytest.approx(optimum, rel=1e-4, abs=1e-2)
        assert 0.0 <= exact[f"level_{k}_gap"] <= scenario.parameters.solver.mip_gap + 1e-9
    heuristic = scenario.solve(strategy="repair").summary.iloc[0]
    # With the heuristic's drops fixed only the EGalim level's 0 is proven.
    assert heuristic["level_1_bound"] == 0.0 <= best.levels[0]
    assert best.levels[0] <= heuristic["level_1_value"] * (1 + 1e-9) + 1e-9
    assert math.isnan(heuristic["level_2_bound"]) and math.isnan(heuristic["level_3_bound"])
    assert "niveau 2, produits locaux" in solution.summary_text()


def test_compliance_level_bound_holds_against_every_subset() -> None:
    scenario = with_budgets([290.0, 930.0])
    summary = scenario.solve(strategy="mip", objective="compliance").summary.iloc[0]
    count, _local = _compliance_brute_force(scenario)
    assert summary["level_1"] == "compliance"
    assert summary["level_1_bound"] <= -count + 1e-6
    assert summary["level_1_value"] == pytest.approx(-count)


def test_compliance_curve_counts_against_every_subset() -> None:
    from rhd_match.analysis.compliance import compliance_curve, with_extra_budget_per_meal

    scenario = Scenario.from_frames(**tiny_frames())
    demand = scenario.demand.merge(scenario.products, on="product_id")
    today = (demand["qty"] * demand["reference_price_eur_ht"]).groupby(demand["canteen_id"]).sum()
    meals = scenario.canteens.set_index("canteen_id")["meals_per_day"] * 5 * 2  # 5 days, 2 weeks
    curve = compliance_curve(scenario, [0.25, 0.0], strategy="mip")
    assert curve["extra_budget_per_meal_eur_ht"].tolist() == [0.0, 0.25]
    for amount in (0.0, 0.25):
        budgeted = with_extra_budget_per_meal(scenario, amount)
        budgets = budgeted.canteens.set_index("canteen_id")["budget_eur_ht"]
        pd.testing.assert_series_equal(
            budgets, today + amount * meals, check_names=False, check_index_type=False
        )
    # The curve's last point against brute force (one point: each costs 64 hard solves).
    count, _local = _compliance_brute_force(budgeted)
    last = curve.iloc[-1]
    met = [last[f"canteens_meeting_{t}"] for t in TARGETS]
    assert sum(met) == count


def _tiny_with_organic_apples() -> Scenario:
    """The tiny scenario's LENS_1 alone with a wholesaler's organic apples at the reference
    price: at today's cost it can reach its organic target from the market, and every local
    offer costs more than the reference."""
    frames = tiny_frames()
    frames["canteens"] = frames["canteens"].iloc[:1]
    frames["demand"] = frames["demand"][frames["demand"]["canteen_id"] == "LENS_1"]
    frames["market"] = pd.DataFrame(
        {
            "market_id": ["M_APPLE"],
            "supplier_id": ["WHOLESALER"],
            "supplier_name": ["Grossiste"],
            "product_id": ["APPLE"],
            "labels": ["BIO"],
            "price_eur_ht": [1.8],
        }
    )
    return Scenario.from_frames(**frames)


@functools.cache
def _count_at_todays_cost() -> int:
    """The brute force's most canteen targets met on ``_tiny_with_organic_apples`` with its
    budget at today's cost (8 hard solves: computed once)."""
    from rhd_match.analysis.compliance import with_extra_budget_per_meal

    return _compliance_brute_force(with_extra_budget_per_meal(_tiny_with_organic_apples(), 0.0))[0]


def test_levels_over_drops_beyond_a_hard_budget_still_find_the_best_count() -> None:
    from rhd_match.analysis.compliance import with_extra_budget_per_meal
    from rhd_match.model.build import build_model
    from rhd_match.model.goals import define_goals, level_bounds, solve_levels
    from rhd_match.model.solve import make_solution
    from rhd_match.model.start import start_values
    from rhd_match.model.strategies import Deadline, Plan, Reporter

    scenario = _tiny_with_organic_apples()
    # A plan that buys local food at a premium: its drops and lots force more than today's cost.
    rich = with_extra_budget_per_meal(scenario, 0.5).solve(strategy="mip", objective="compliance")
    today = with_extra_budget_per_meal(scenario, 0.0).with_parameters(hard_budget=True)
    model = build_model(today)
    goals = define_goals(model, "compliance", today.parameters.weights)
    plan = start_values(model, rich.flows)
    assert plan[model.variables.cols("y")].any() and plan[model.variables.cols("z")].any()
    lower, upper = level_bounds(goals, plan)
    opts = today.parameters.solver
    result = solve_levels(goals, lower, upper, True, opts, Deadline(60), Reporter(None, 60))
    assert result.values is not None
    values = result.values[: model.variables.count]
    solution = make_solution(today, model, Plan(values, "feasible", math.nan, "highs"), "mip", 0)
    assert check(today, solution).empty
    met = int(solution.canteens[[f"meets_{t}" for t in TARGETS]].to_numpy().sum())
    assert met == _count_at_todays_cost() > 0


def test_compliance_curve_has_a_plan_at_todays_cost() -> None:
    from rhd_match.analysis.compliance import compliance_curve

    # auto_mip_max_binaries=0: the heuristic's plan stands, without the exact model behind it.
    curve = compliance_curve(
        _tiny_with_organic_apples(), [0.0], strategy="decompose", auto_mip_max_binaries=0
    )
    point = curve.iloc[0]
    assert point["status"] == "feasible"
    assert sum(point[f"canteens_meeting_{t}"] for t in TARGETS) == _count_at_todays_cost()


def test_a_level_against_a_bound_of_zero_gives_its_gap_in_its_unit() -> None:
    from rhd_match.i18n import format_number

    scenario = with_budgets([270.0, 880.0])
    solution = scenario.solve(strategy="repair")
    s = solution.summary.iloc[0]
    # The heuristic proves only the EGalim level's 0: a relative gap would say 100 %.
    assert s["level_1_bound"] == 0.0 < s["level_1_value"]
    assert s["level_1_gap_abs"] == pytest.approx(s["level_1_value"])
    line = next(t for t in solution.summary_text().splitlines() if t.startswith("niveau 1"))
    # Euros to the cent, the value, its bound and the gap alike.
    value = format_number(s["level_1_value"], 2)
    assert line.endswith(f" : {value}, au moins 0,00 (prouvé), écart {value}")
    assert "%" not in line
    mip = scenario.solve(strategy="mip")
    exact = mip.summary.iloc[0]
    lines = [t for t in mip.summary_text().splitlines() if t.startswith("niveau ")]
    for k in (1, 2, 3):
        gap = exact[f"level_{k}_value"] - exact[f"level_{k}_bound"]
        assert exact[f"level_{k}_gap_abs"] == pytest.approx(gap)
        sign = -1.0 if exact[f"level_{k}"] == "local" else 1.0
        shown = format_number(sign * exact[f"level_{k}_value"], 2)
        assert lines[k - 1].startswith(f"niveau {k}, ") and f" : {shown}, " in lines[k - 1]


def test_canteen_targets_met_are_shown_as_whole_numbers() -> None:
    """The compliance level counts targets: its value and bound whole, as its gap."""
    solution = Scenario.from_frames(**tiny_frames()).solve(objective="compliance", strategy="mip")
    s = solution.summary.iloc[0]
    assert s["level_1"] == "compliance"
    met = round(-float(s["level_1_value"]))
    assert met == -float(s["level_1_value"])  # a count
    line = next(t for t in solution.summary_text().splitlines() if t.startswith("niveau 1"))
    shown = f"{met}, au plus {met} (prouvé), écart 0 ({format_share(0.0)})"
    assert line == f"niveau 1, objectifs de cantines atteints : {shown}"


# -- the summary of a plan solved level by level --------------------------------------------


def _repair_plan_with_levels_cut(scenario: Scenario, kept: int) -> Solution:
    """The plan a lexicographic call returns when the clock stops its levels after ``kept``
    of them: the repair heuristic's plan (drops and lots chosen on the weighted objective)."""
    from rhd_match.model.build import build_model
    from rhd_match.model.solve import make_solution, run_strategy
    from rhd_match.model.strategies import Deadline, Reporter

    model = build_model(scenario)
    opts = solver_options(scenario.parameters.solver, {"objective": "weighted"})
    plan, _run = run_strategy(scenario, model, "repair", opts, Deadline(60), Reporter(None, 60))
    assert plan is not None and plan.levels == ()
    if kept:
        lexicographic = solver_options(scenario.parameters.solver, {})
        full, _run = run_strategy(
            scenario, model, "repair", lexicographic, Deadline(60), Reporter(None, 60)
        )
        assert full is not None and len(full.levels) == 3
        plan = dataclasses.replace(full, levels=full.levels[:kept])
    return make_solution(scenario, model, plan, "repair", 0.0, "lexicographic")


@pytest.mark.parametrize("kept", [0, 1])
def test_levels_the_clock_cut_are_said_not_solved(tiny_scenario: Scenario, kept: int) -> None:
    from rhd_match.model.start import solution_levels

    solution = _repair_plan_with_levels_cut(tiny_scenario, kept)
    s = solution.summary.iloc[0]
    assert s["levels_solved"] == kept
    assert [s[f"level_{k}"] for k in (1, 2, 3)] == ["egalim", "local", "cost"]
    # Every level has the plan's own value, recomputed from its tables where not solved.
    values = solution_levels(tiny_scenario, solution, "lexicographic")
    for k in range(kept + 1, 4):
        assert s[f"level_{k}_value"] == pytest.approx(values[k - 1], abs=1e-6)
        assert math.isnan(s[f"level_{k}_bound"])
    with use_language("en"):
        text = solution.summary_text()
    lines = [line for line in text.splitlines() if line.startswith("level ")]
    assert len(lines) == 3, text
    for k, line in enumerate(lines, start=1):
        assert ("not solved" in line) == (k > kept), line
        assert "nan" not in line
    assert "solved level by level" in text


def test_a_plan_solved_level_by_level_shows_no_weighted_objective(
    tiny_scenario: Scenario,
) -> None:
    """Its status is the levels' own: beside a weighted objective and "no bound" it reads as a
    contradiction."""
    solution = tiny_scenario.solve(strategy="mip", objective="lexicographic")
    with use_language("en"):
        solver = solution.summary_text().splitlines()[1]
    assert solver.startswith("solver: mip (")
    assert "objective" not in solver.replace("objective solved level by level", "")
    assert "no bound" not in solver
    weighted = tiny_scenario.solve(strategy="mip", objective="weighted")
    with use_language("en"):
        assert ", objective " in weighted.summary_text().splitlines()[1]


@pytest.mark.parametrize("solver", ["highs", "glop"])
def test_a_level_the_clock_cuts_marks_the_plan(solver: str) -> None:
    """Whatever a solver says when its limit stops a level (SciPy's HiGHS: "iteration or time
    limit"; GLOP: "not solved" or "abnormal", depending on where it stopped), a level not
    solved marks the plan as cut by the clock. (How long the call lasts is not asserted:
    SciPy's HiGHS does not stop within its presolve, ERGO-Code/HiGHS#1501.)"""
    from rhd_match.generate import generate_scenario
    from rhd_match.model.build import build_model
    from rhd_match.model.goals import define_goals, solve_levels
    from rhd_match.model.strategies import Deadline, Reporter

    scenario = generate_scenario(20, 30, seed=1)
    model = build_model(scenario)
    goals = define_goals(model, "lexicographic", scenario.parameters.weights)
    opts = solver_options(scenario.parameters.solver, {"lp_solver": solver})
    var = goals.model.variables
    # Each relaxed level of the whole model takes several seconds (7 s with GLOP, 11 s with
    # HiGHS on a loaded 2-core machine): 3 s, about 1 s of it kept for the hand-over, cut the
    # first one.
    limit = 3.0
    deadline = Deadline(limit)
    result = solve_levels(goals, var.lower, var.upper, False, opts, deadline, Reporter(None, limit))
    assert len(result.reached) < len(goals.levels)
    assert deadline.hit
