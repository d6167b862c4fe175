"""The local search around a heuristic's plan (``rhd_match.model.local_search``).

Its restricted MIPs are held to the exact model: with the held columns left out of the program
(their part moved to the rows' bounds), the levels come out as with those columns fixed in
the program; one group holding every canteen is the exact MIP itself; and the search never
returns a plan worse than the one it started from, nor one the checker refuses. Scenarios are
drawn so that the rules bind (:func:`check_factories.binding_specs`).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from check_factories import binding_specs, scenario_of
from clock import promised_s
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from profiles import examples

from rhd_match import Scenario, Solution
from rhd_match.check import check
from rhd_match.cli.main import main
from rhd_match.model import local_search as search
from rhd_match.model.build import build_model
from rhd_match.model.goals import solve_levels
from rhd_match.model.start import better, objective_goals, solution_levels
from rhd_match.model.strategies import Deadline, Reporter
from rhd_match.params import SolverOptions

SMALL = Path(__file__).parent / "data" / "cases" / "cli-small-scenario"
EXACT = SolverOptions(threads=1, mip_gap=1e-9)
REL = 1e-6


def close(a: float, b: float) -> bool:
    return abs(a - b) <= REL * max(1.0, abs(a), abs(b))


@settings(max_examples=examples(25), deadline=None)
@given(
    spec=binding_specs(), objective=st.sampled_from(["weighted", "lexicographic"]), data=st.data()
)
def test_columns_held_out_give_the_levels_of_columns_fixed(
    spec: dict, objective: str, data: st.DataObject
) -> None:
    sc = scenario_of(spec)
    model = build_model(sc)
    goals = objective_goals(model, objective, sc.parameters.weights)
    var = model.variables
    whole = solve_levels(goals, var.lower, var.upper, True, EXACT, Deadline(20), Reporter(None, 20))
    assume(whole.values is not None and whole.optimal)
    assert whole.values is not None
    # Hold a drawn share of the columns at the exact plan, free the others from it.
    held = np.asarray(data.draw(st.lists(st.booleans(), min_size=var.count, max_size=var.count)))
    lower, upper = var.lower.copy(), var.upper.copy()
    lower[held] = upper[held] = whole.values[held]
    runs = [
        solve_levels(goals, lower, upper, True, EXACT, Deadline(20), Reporter(None, 20), **kw)
        for kw in ({}, {"held_out": held})
    ]
    fixed, out = (r.values for r in runs)
    assert fixed is not None and out is not None
    for level in goals.levels:
        assert close(float(level @ out), float(level @ fixed))
    np.testing.assert_array_equal(out[held], whole.values[held])


@settings(max_examples=examples(15), deadline=None)
@given(spec=binding_specs(), objective=st.sampled_from(["weighted", "lexicographic"]))
def test_one_group_of_every_canteen_is_the_exact_model(spec: dict, objective: str) -> None:
    # Fails when a column is held that belongs to a canteen (column_canteens), or when the
    # search keeps a worse plan: its one restricted MIP is then the whole exact model, but
    # for the last of several levels (cost), solved over the drops the levels before chose.
    sc = scenario_of(spec)
    options = {"time_limit_s": 30.0, "threads": 1, "mip_gap": 1e-9, "objective": objective}
    exact = sc.solve(strategy="mip", **options)
    assume(exact.status == "optimal")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "GROUP_CANTEENS", len(sc.canteens))
        searched = sc.solve(strategy="decompose", local_search=1, **options)
    assert check(sc, searched).empty
    got, want = (solution_levels(sc, s, objective) for s in (searched, exact))
    *first, last = range(len(want))
    for k in first if first else [last]:
        assert close(got[k], want[k])
    assert got[last] >= want[last] or close(got[last], want[last])


@settings(max_examples=examples(15), deadline=None)
@given(spec=binding_specs(), objective=st.sampled_from(["weighted", "lexicographic"]))
def test_the_search_never_loses_and_keeps_every_rule(spec: dict, objective: str) -> None:
    sc = scenario_of(spec)
    options = {"time_limit_s": 30.0, "threads": 1, "objective": objective, "strategy": "decompose"}
    before = sc.solve(**options)
    after = sc.solve(local_search=2, **options)
    assert check(sc, after).empty
    a, b = (solution_levels(sc, s, objective) for s in (after, before))
    assert not better(b, a)
    assert after.stopped_by_time_limit == before.stopped_by_time_limit


def test_every_column_of_a_canteens_rows_is_that_canteens() -> None:
    """Each demand, EGalim and budget row is one canteen's: all its columns are owned by it
    (on the demo, whose budgets bind, and with hubs)."""
    for scenario in (Scenario.demo(), Scenario.from_folder(SMALL)):
        model = build_model(scenario)
        owner = search.column_canteens(model)
        for name in ("demand", "egalim_quality", "egalim_organic", "budget"):
            family = model.family(name)
            rows = model.matrix[family.start : family.start + family.count].tocsr()
            for r in range(rows.shape[0]):
                owners = set(owner[rows.indices[rows.indptr[r] : rows.indptr[r + 1]]].tolist())
                assert len(owners) == 1 and -1 not in owners, (name, r, owners)


def test_the_groups_cover_every_canteen_once_a_pass_and_are_the_same_each_run() -> None:
    drawn = search.canteen_groups(10, 3)
    assert [len(groups) for groups in drawn] == [3, 3, 3]  # 4 + 4 + 2 per pass
    for groups in drawn:
        assert sorted(np.concatenate(groups).tolist()) == list(range(10))
    again = search.canteen_groups(10, 3)
    assert all(
        np.array_equal(a, b)
        for p, q in zip(drawn, again, strict=True)
        for a, b in zip(p, q, strict=True)
    )
    assert not np.array_equal(drawn[0][0], drawn[1][0])  # a new draw each pass


def test_the_groups_that_lose_most_come_first_and_ties_keep_their_order() -> None:
    groups = [np.array([0, 1]), np.array([2, 3]), np.array([4, 5]), np.array([6, 7])]
    loss = np.array([0.0, 0.0, 5.0, 0.0, 0.0, 0.0, 1.0, 3.0])
    ordered = search.losing_first(groups, loss)
    assert [g.tolist() for g in ordered] == [[2, 3], [6, 7], [0, 1], [4, 5]]


def test_a_canteens_loss_is_its_shortfalls_and_overruns_at_their_price() -> None:
    sc = Scenario.demo()
    model = build_model(sc)
    goals = objective_goals(model, "weighted", sc.parameters.weights)
    var = model.variables
    owner = search.column_canteens(model)
    plan = np.zeros(var.count)
    plan[var.cols("overrun")[0]] = 2.0  # the first budget's canteen overruns by 2 EUR HT
    plan[var.cols("short_organic")[5]] = 1.0  # canteen 5 misses organic by 1 EUR HT
    plan[var.cols("x")] = 1.0  # flows are no loss
    loss = search.canteen_loss(goals, owner, plan, len(model.index.canteens))
    expected = np.zeros(len(model.index.canteens))
    expected[var.budget_canteens[0]] += 2.0 * goals.levels[0][var.cols("overrun")[0]]
    expected[5] += goals.levels[0][var.cols("short_organic")[5]]
    assert np.allclose(loss, expected) and (loss > 0).sum() == len({var.budget_canteens[0], 5})


@pytest.fixture(scope="module")
def demo_runs() -> dict[str, list[Solution]]:
    """The demo's weighted plan without the search, and twice with one pass."""
    sc = Scenario.demo()
    options = {"objective": "weighted", "time_limit_s": 120.0}
    return {
        "plain": [sc.solve(**options)],
        "searched": [sc.solve(local_search=1, **options) for _ in range(2)],
    }


def test_the_demo_plan_gains_and_is_the_same_on_every_run(
    demo_runs: dict[str, list[Solution]],
) -> None:
    """One pass on the demo's weighted plan: better than the plan without it (by 0.09 % since
    the weekly MIPs make that plan, 0.91 % above its bound; by 3.9 % on the repair's plan
    before: measured, not a theorem: a pass may find nothing), checker-clean, and
    the same flows on a second run, unless that run says the clock stopped a group's MIP (on
    a loaded machine, 2026-12-02, other jobs on both cores: another plan, as documented)."""
    (plain,), searched = demo_runs["plain"], demo_runs["searched"]
    assert check(Scenario.demo(), searched[0]).empty
    assert not searched[0].stopped_by_time_limit
    assert searched[0].objective < plain.objective
    again = searched[1]
    assert searched[0].flows.equals(again.flows) or again.stopped_by_time_limit


def test_the_search_stops_at_the_time_limit() -> None:
    sc = Scenario.demo()
    limit = 25.0
    started = time.perf_counter()
    solution = sc.solve(objective="weighted", local_search=10, time_limit_s=limit)
    assert time.perf_counter() - started <= promised_s(limit)
    assert solution.stopped_by_time_limit
    assert check(sc, solution).empty


@pytest.mark.parametrize("demo", [False, True])
def test_solve_with_local_search_from_the_command_line(
    tmp_path: Path, demo: bool, demo_runs: dict[str, list[Solution]]
) -> None:
    """``--local-search 1`` gives the plan of ``local_search=1``: on the small case and on the
    demo (weighted), off a terminal."""
    source = ["--demo", "--objective", "weighted"] if demo else [str(SMALL)]
    out = tmp_path / "out"
    argv = ["solve", *source, "--strategy", "decompose", "--local-search", "1"]
    assert main([*argv, "--time-limit", "120", "--out", str(out)]) == 0
    written = pd.read_csv(out / "summary.csv")["objective"].iloc[0]
    if demo:
        want = demo_runs["searched"][0].objective
    else:
        want = Scenario.from_folder(SMALL).solve(strategy="decompose", local_search=1).objective
    assert close(float(written), want)


def test_a_negative_local_search_is_refused_before_any_solve(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as refused:
        main(["solve", str(SMALL), "--local-search", "-1", "--out", str(tmp_path / "no")])
    assert refused.value.code == 2 and "--local-search" in capsys.readouterr().err
    assert not (tmp_path / "no").exists()
