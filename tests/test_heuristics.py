"""The heuristics (``decompose``, ``repair``) against the exact MIP on small scenarios.

What they promise (docs/model.md, "Solving it"):

* quality: a plan that loses at most :data:`QUALITY` of what the exact optimum gains over
  buying everything conventionally — (plan − optimum) ≤ QUALITY · (all conventional − optimum);
* a bound below the exact optimum, for every strategy (bound ≤ optimum ≤ plan);
* hard rules: a plan that breaks one never comes back with a non-error status; an
  :class:`InfeasibleError` names only what the exact model cannot meet, or says that it is a
  heuristic's finding;
* determinism: the same plan, byte for byte, whatever the machine's load or a time limit that
  does not bind.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from factories import tiny_frames

from benchmarks.sizes import get_size, make_scenario
from rhd_match import InfeasibleError, Scenario
from rhd_match.check import check, objective_from_flows
from rhd_match.model import decompose
from rhd_match.params import Targets
from rhd_match.plan_tables import conventional_flows

#: A heuristic's plan loses at most this share of the exact optimum's gain over the
#: all-conventional plan (measured: XS 1.8 % decompose, 2.4 % repair; tiny 0 and 1.9 %).
QUALITY = 0.05
RTOL = 1e-6
EXACT = {"strategy": "mip", "mip_gap": 1e-9, "time_limit_s": 120, "threads": 1}


def tiny() -> Scenario:
    return Scenario.from_frames(**tiny_frames())


def xs() -> Scenario:
    """The benchmarks' XS: 16 canteens, 30 producers, 12 ISO weeks; franco binds."""
    return make_scenario(get_size("XS"))


@pytest.fixture(scope="module", params=["tiny", "xs"])
def case(request: pytest.FixtureRequest) -> tuple[Scenario, float, float]:
    """A small scenario, its exact optimum and its all-conventional objective."""
    sc = {"tiny": tiny, "xs": xs}[request.param]()
    exact = sc.solve(**EXACT)
    assert exact.status == "optimal"
    return sc, exact.objective, objective_from_flows(sc, conventional_flows(sc))


@pytest.fixture(params=["default", "weekly prices only"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The decomposition's two starts on small models: with the whole-year LP, or the weekly
    price search alone (what larger models run)."""
    if request.param != "default":
        monkeypatch.setattr(decompose, "WHOLE_LP_MAX_NONZEROS", 0)
    return str(request.param)


@pytest.mark.parametrize("strategy", ["decompose", "repair"])
def test_heuristic_plan_within_the_stated_factor_of_the_optimum(
    case: tuple[Scenario, float, float], strategy: str, path: str
) -> None:
    sc, optimum, conventional = case
    assert conventional > optimum  # the rules leave something to gain: the test can fail
    solution = sc.solve(strategy=strategy, time_limit_s=60)
    assert check(sc, solution).empty
    tol = RTOL * max(1.0, abs(optimum))
    assert solution.objective >= optimum - tol
    assert solution.objective - optimum <= QUALITY * (conventional - optimum) + tol


@pytest.mark.parametrize("strategy", ["mip", "decompose", "repair", "lp"])
def test_bound_below_optimum_below_plan(
    case: tuple[Scenario, float, float], strategy: str, path: str
) -> None:
    sc, optimum, _ = case
    solution = sc.solve(strategy=strategy, time_limit_s=60)
    tol = RTOL * max(1.0, abs(optimum))
    assert solution.best_bound <= optimum + tol
    if strategy != "lp":  # the relaxation's plan may break delivery rules
        assert optimum <= solution.objective + tol
    assert solution.gap >= 0.0


@pytest.mark.parametrize(("hard", "resolved"), [(False, "decompose"), (True, "repair")])
def test_auto_resolves_to_the_heuristics_above_the_binary_limit(hard: bool, resolved: str) -> None:
    # Organic at 15 %: the tiny supply meets every target (the exact MIP finds a plan).
    sc = tiny().with_parameters(
        hard_egalim=hard, targets=Targets(quality=0.5, organic=0.15, meat_fish=0.6)
    )
    solution = sc.solve(auto_mip_max_binaries=0, time_limit_s=60)
    assert solution.summary["strategy"].iloc[0] == resolved
    assert check(sc, solution).empty


def hard_tiny(organic: float) -> Scenario:
    return tiny().with_parameters(
        hard_egalim=True, targets=Targets(quality=0.5, organic=organic, meat_fish=0.6)
    )


@pytest.mark.parametrize("strategy", ["mip", "decompose", "repair", "auto"])
@pytest.mark.parametrize("max_binaries", [2000, 0])
def test_hard_targets_met_whenever_the_exact_model_meets_them(
    strategy: str, max_binaries: int
) -> None:
    sc = hard_tiny(0.15)
    assert check(sc, sc.solve(**EXACT)).empty
    solution = sc.solve(strategy=strategy, auto_mip_max_binaries=max_binaries, time_limit_s=60)
    assert check(sc, solution).empty


@pytest.mark.parametrize("strategy", ["decompose", "repair", "auto"])
def test_infeasible_hard_targets_named_as_the_exact_model_names_them(strategy: str) -> None:
    """20 % organic is out of the tiny supply's reach for Liévin: the exact model says so."""
    sc = hard_tiny(0.2)
    with pytest.raises(InfeasibleError) as exact:
        sc.solve(**EXACT)
    with pytest.raises(InfeasibleError) as heuristic:
        sc.solve(strategy=strategy, time_limit_s=60)
    assert exact.value.proven and heuristic.value.proven
    assert heuristic.value.reasons == exact.value.reasons


@pytest.mark.parametrize("strategy", ["decompose", "repair"])
def test_too_large_for_the_exact_model_a_hard_failure_says_it_is_a_heuristic_finding(
    strategy: str,
) -> None:
    """With no exact model allowed, a plan is clean by the checker or the error says the
    finding is a heuristic's, never a plan breaking a hard rule."""
    sc = hard_tiny(0.2)
    with pytest.raises(InfeasibleError) as info:
        sc.solve(strategy=strategy, auto_mip_max_binaries=0, time_limit_s=60)
    assert not info.value.proven
    assert "heuristic" in str(info.value)
    assert any("LIEVIN_1" in reason for reason in info.value.reasons)


@pytest.fixture
def load() -> Iterator[None]:
    """Busy threads competing for the cores while the test runs (artificial load)."""
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            sum(i * i for i in range(10_000))

    threads = [threading.Thread(target=spin) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        yield
    finally:
        stop.set()
        for t in threads:
            t.join()


@pytest.mark.parametrize("weekly_only", [False, True])
def test_the_same_plan_under_load_and_any_time_limit_that_does_not_bind(
    weekly_only: bool, load: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if weekly_only:
        monkeypatch.setattr(decompose, "WHOLE_LP_MAX_NONZEROS", 0)
    sc = xs()
    started = time.perf_counter()
    loaded = sc.solve(strategy="decompose", time_limit_s=300)
    assert time.perf_counter() - started < 300
    idle_threads_gone = sc.solve(strategy="decompose", time_limit_s=600, threads=1)
    for solution in (loaded, idle_threads_gone):
        assert not solution.stopped_by_time_limit
    assert loaded.flows.to_csv(index=False) == idle_threads_gone.flows.to_csv(index=False)
    assert loaded.objective == idle_threads_gone.objective


def test_the_safety_net_says_when_it_stopped_the_search() -> None:
    sc = xs()
    cut = sc.solve(strategy="decompose", time_limit_s=0.05)
    assert cut.stopped_by_time_limit
    assert check(sc, cut).empty
