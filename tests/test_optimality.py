"""The optimiser against exhaustive enumeration (``brute_force.py``) on tiny scenarios.

Each hand-made scenario has one rule that binds (franco, drops, capacity, lots, organic
scarcity, budget...); the test first shows with the brute force alone that it binds (relaxing
it changes the optimum), then that ``solve(strategy="mip")`` reaches the same optimum, that its
flows recompute to it (:func:`objective_from_flows`) and that they pass :func:`check`.
Hypothesis then does the same on random tiny scenarios drawn so that the rules bind
(:func:`check_factories.binding_specs`; shares measured in ``tests/ORACLES.md``), for every
strategy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from brute_force import BruteForce, brute_force, count_assignments
from check_factories import binding_specs, make_scenario, scenario_of
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from profiles import examples

import rhd_match
from rhd_match import InfeasibleError, Scenario
from rhd_match.check import check, objective_from_flows

#: The validation messages read here are the English source strings.
pytestmark = pytest.mark.usefixtures("english_messages")

W1, W2 = "2026-W03", "2026-W04"
REL = 1e-6
MAX_ASSIGNMENTS = 300
# A MIP stops at its relative gap: ask for exact optimality to compare with the brute force.
SOLVE = {"time_limit_s": 20.0, "threads": 1, "mip_gap": 1e-9, "objective": "weighted"}

FRUIT = ("FRUITS_ET_LEGUMES", 1.0, 2.0)
YOGURT = ("PRODUITS_LAITIERS", 0.125, 0.30)
BEEF = ("VIANDES_VOLAILLES", 1.0, 12.0)


def close(a: float, b: float, rel: float = REL) -> bool:
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


# -- hand-made scenarios: (builder, variant) ---------------------------------------------------
# The builder takes keyword overrides so that the same scenario can be built with the binding
# rule changed (relaxed, except for the two-product franco, raised above the drop's value).


def franco(min_order: float = 60.0) -> Scenario:
    """C1 wants 10 kg of apples (20 EUR HT at 2.00): below a 60 EUR franco; C2's 40 kg pay it."""
    return make_scenario(
        {"APPLE": FRUIT},
        {"C1": {"place": (3, 0)}, "C2": {"place": (-3, 0)}},
        {"P": {"franco": min_order}},
        [("P", "APPLE", W1, 100, 2.0, "HVE")],
        [("C1", "APPLE", W1, 10), ("C2", "APPLE", W1, 40)],
    )


def franco_two_products(min_order: float = 50.0) -> Scenario:
    """A 50 EUR franco paid by one drop of two products (44 + 24 EUR), by neither alone."""
    return make_scenario(
        {"APPLE": FRUIT, "YOGURT": YOGURT},
        {"C1": {"place": (3, 0)}},
        {"P": {"franco": min_order}},
        [("P", "APPLE", W1, 20, 2.2, "HVE"), ("P", "YOGURT", W1, 100, 0.4, "BIO")],
        [("C1", "APPLE", W1, 20), ("C1", "YOGURT", W1, 60)],
    )


def drops(max_drops: int = 1) -> Scenario:
    """One drop a week, three canteens: the producer picks the best one, each week."""
    return make_scenario(
        {"APPLE": FRUIT, "BEEF": BEEF},
        {"C1": {"place": (5, 0)}, "C2": {"place": (0, 5)}, "C3": {"place": (-5, -5)}},
        {"P": {"drops": max_drops, "franco": 10.0}},
        [
            ("P", "APPLE", W1, 100, 2.1, "BIO"),
            ("P", "BEEF", W1, 30, 14.0, "LABEL_ROUGE"),
            ("P", "APPLE", W2, 100, 2.1, "BIO"),
        ],
        [
            ("C1", "APPLE", W1, 30),
            ("C2", "BEEF", W1, 12),
            ("C3", "APPLE", W1, 20),
            ("C3", "BEEF", W1, 5),
            ("C1", "APPLE", W2, 10),
            ("C2", "APPLE", W2, 35),
        ],
    )


def capacity(kg: float = 30.0) -> Scenario:
    """30 kg a week for two canteens wanting 25 kg each, of products of different value."""
    return make_scenario(
        {"APPLE": FRUIT, "BEEF": BEEF},
        {"C1": {"place": (2, 0)}, "C2": {"place": (-2, 0)}},
        {"P": {"capacity": kg}, "Q": {"place": (0, 20), "capacity": 10.0}},
        [
            ("P", "APPLE", W1, 100, 2.0, ""),
            ("P", "BEEF", W1, 100, 13.0, "BIO"),
            ("Q", "BEEF", W1, 100, 12.5, ""),
        ],
        [("C1", "APPLE", W1, 25), ("C2", "BEEF", W1, 25)],
    )


def lots(lot: float = 20.0) -> Scenario:
    """35 apples in lots of 20 for two canteens wanting 25 each: only one can be served."""
    return make_scenario(
        {"APPLE": FRUIT},
        {"C1": {"place": (2, 0)}, "C2": {"place": (-2, 0)}, "C3": {"place": (0, 2)}},
        {"P": {}},
        [("P", "APPLE", W1, 35, 2.0, "BIO", lot)],
        [("C1", "APPLE", W1, 25), ("C2", "APPLE", W1, 25), ("C3", "APPLE", W1, 15)],
    )


def organic_scarcity(organic_qty: float = 150.0) -> Scenario:
    """Too little organic yogurt for two canteens' 20 %: where it goes decides the shortfall."""
    return make_scenario(
        {"YOGURT": YOGURT, "BEEF": BEEF},
        {"C1": {"place": (2, 0)}, "C2": {"place": (-2, 0), "target_organic": 0.3}},
        {"P": {}, "Q": {"place": (4, 4)}},
        [
            ("P", "YOGURT", W1, organic_qty, 0.45, "BIO"),
            ("Q", "BEEF", W1, 40, 13.0, "LABEL_ROUGE"),
        ],
        [
            ("C1", "YOGURT", W1, 200),
            ("C1", "BEEF", W1, 5),
            ("C2", "YOGURT", W1, 300),
            ("C2", "BEEF", W1, 10),
        ],
    )


def budget(limit: float | None = 150.0, hard: bool = False) -> Scenario:
    """A budget close to the all-conventional cost: dearer local beef overruns it."""
    return make_scenario(
        {"BEEF": BEEF, "APPLE": FRUIT},
        {"C1": {"place": (1, 1), "budget": limit}, "C2": {"place": (-1, 1)}},
        {"P": {}},
        [("P", "BEEF", W1, 50, 16.0, "LABEL_ROUGE"), ("P", "APPLE", W1, 50, 1.5, "")],
        [
            ("C1", "BEEF", W1, 10),
            ("C1", "APPLE", W1, 20),
            ("C2", "BEEF", W1, 10),
        ],
        hard_budget=hard,
    )


def radius_and_local(local_radius_km: float | None = 10.0) -> Scenario:
    """Two producers, one beyond the local radius but organic; one out of delivery reach."""
    return make_scenario(
        {"APPLE": FRUIT},
        {"C1": {"place": (0, 0)}},
        {
            "NEAR": {"place": (5, 0)},
            "FAR": {"place": (-15, 0), "radius": 30.0},
            "OUT": {"place": (0, 40), "radius": 30.0},
        },
        [
            ("NEAR", "APPLE", W1, 100, 2.0, "HVE"),
            ("FAR", "APPLE", W1, 100, 2.4, "BIO"),
            ("OUT", "APPLE", W1, 100, 1.0, "BIO"),
        ],
        [("C1", "APPLE", W1, 50)],
        local_radius_km=local_radius_km,
    )


def hard_egalim(hard: bool = True) -> Scenario:
    """Hard EGalim against weights that do not care for it: soft buys all conventional.

    With local and organic gains off and a shortfall weight of 0.01, dearer local food never
    pays; in hard mode the canteen must still reach 30 % organic and 50 % quality.
    """
    return make_scenario(
        {"APPLE": FRUIT, "YOGURT": YOGURT},
        {"C1": {"place": (1, 0)}},
        {"P": {"franco": 5.0}},
        [("P", "APPLE", W1, 100, 2.2, "HVE"), ("P", "YOGURT", W1, 200, 0.5, "BIO")],
        [("C1", "APPLE", W1, 40), ("C1", "YOGURT", W1, 200)],
        hard_egalim=hard,
        targets={"quality": 0.5, "organic": 0.3, "meat_fish": 0.6},
        weights={"egalim_shortfall": 0.01, "local": 0.0, "organic": 0.0},
    )


HAND: dict[str, tuple[Callable[..., Scenario], dict[str, Any]]] = {
    "binding franco": (franco, {"min_order": 0.0}),
    "franco paid by two products together": (franco_two_products, {"min_order": 70.0}),
    "binding drops": (drops, {"max_drops": 3}),
    "binding capacity": (capacity, {"kg": 1000.0}),
    "minimum lots": (lots, {"lot": 0.0}),
    "organic scarcity": (organic_scarcity, {"organic_qty": 2000.0}),
    "soft budget": (budget, {"limit": None}),
    "hard budget": (lambda **kw: budget(hard=True, **kw), {"limit": None}),
    "local radius": (radius_and_local, {"local_radius_km": None}),
    "hard EGalim": (hard_egalim, {"hard": False}),
}


#: The checker rule the looser variant's optimal plan breaks in the tighter scenario.
BROKEN_BY = {
    "binding franco": "franco",
    "franco paid by two products together": "franco",
    "binding drops": "drops",
    "binding capacity": "capacity",
    "minimum lots": "min_lot",
    "hard budget": "budget_hard",
    "local radius": "local",
    "hard EGalim": "egalim_hard",
}


def test_brute_force_by_hand() -> None:
    """One canteen, one producer at the same place, 10 kg apples demanded (reference 2.00).

    The producer offers 8 kg organic at 3.00 with a 20 EUR franco. Buying x ≥ 20/3 kg: value
    20 + x; organic value 3x covers 20 % and 50 % as soon as x ≥ 4, so the objective is
    −2x (local) −2x (organic) + 0.1 (20 + x) = 2 − 3.9x, least at x = 8: −29.2. With only 5 kg
    offered (15 EUR < franco) nothing is bought: shortfalls 10 + 4 EUR, 100 × 14 + 0.1 × 20.
    """

    def one(q: float) -> Scenario:
        return make_scenario(
            {"APPLE": FRUIT},
            {"C": {}},
            {"P": {"franco": 20.0}},
            [("P", "APPLE", W1, q, 3.0, "BIO")],
            [("C", "APPLE", W1, 10)],
        )

    assert brute_force(one(8)).objective == pytest.approx(-29.2, rel=1e-9)
    assert brute_force(one(5)).objective == pytest.approx(1402.0, rel=1e-9)


@pytest.mark.parametrize("name", list(HAND))
def test_mip_matches_brute_force_on_hand_scenarios(name: str) -> None:
    """The rule binds (changing it changes the brute-force optimum); the MIP finds the optimum.

    The brute force's own plan passes the checker and recomputes to its objective, which ties
    the two independent derivations of docs/model.md (brute_force.py and rhd_match.check).
    """
    build, changed = HAND[name]
    sc, variant = build(), build(**changed)
    best, other = brute_force(sc), brute_force(variant)
    assert math.isfinite(best.objective)
    assert abs(other.objective - best.objective) > 1e-3
    assert check(sc, best.flows).empty
    if name in BROKEN_BY:
        # The looser scenario's optimum breaks the tighter one's rule, and the checker says so.
        if other.objective < best.objective:
            found = check(sc, other.flows)
        else:
            found = check(variant, best.flows)
        assert BROKEN_BY[name] in set(found["rule"]), found.to_string()
    assert close(objective_from_flows(sc, best.flows), best.objective)

    solution = rhd_match.solve(sc, strategy="mip", **SOLVE)
    found = check(sc, solution)
    assert found.empty, found.to_string()
    assert solution.status == "optimal"
    assert close(solution.objective, best.objective), (solution.objective, best.objective)
    assert close(objective_from_flows(sc, solution.flows), best.objective)


def test_a_lot_equal_to_the_quantity_available_is_bought() -> None:
    """20 organic apples sold only as one lot of 20, 25 wanted: the optimum buys all 20."""
    sc = make_scenario(
        {"APPLE": FRUIT},
        {"C1": {"place": (2, 0)}},
        {"P": {}},
        [("P", "APPLE", W1, 20, 2.0, "BIO", 20)],
        [("C1", "APPLE", W1, 25)],
    )
    best = brute_force(sc)
    local = best.flows[best.flows["supplier"] == "producer"]
    assert local["qty"].tolist() == pytest.approx([20.0])
    solution = rhd_match.solve(sc, strategy="mip", **SOLVE)
    assert check(sc, solution).empty
    assert close(solution.objective, best.objective), (solution.objective, best.objective)


def test_hard_budget_infeasible_is_reported() -> None:
    """Dearer than the budget whatever is bought: the brute force finds no plan, solve raises."""
    sc = budget(limit=100.0, hard=True)  # all conventional already costs 120 + 40 = 160 for C1
    assert brute_force(sc).objective == math.inf
    with pytest.raises(InfeasibleError):
        rhd_match.solve(sc, strategy="mip", **SOLVE)


# -- random tiny scenarios --------------------------------------------------------------------

# Examples per hypothesis test (tests/profiles.py scales them for the nightly profile).
HYPOTHESIS = settings(max_examples=examples(20))


@st.composite
def tiny_cases(draw: st.DrawFn) -> tuple[Scenario, BruteForce]:
    spec = draw(binding_specs())
    hard = draw(st.sampled_from([{}, {}, {}, {"hard_budget": True}, {"hard_egalim": True}]))
    # Besides the defaults, weights under which cost weighs against local gain, so that drop,
    # franco and lot decisions are close calls.
    weights = draw(st.sampled_from([{}, {}, {"weights": {"egalim_shortfall": 1.0, "cost": 0.8}}]))
    sc = scenario_of(spec, **hard, **weights)
    assume(count_assignments(sc) <= MAX_ASSIGNMENTS)
    return sc, brute_force(sc)


def _solve(sc: Scenario, best: BruteForce, strategy: str) -> rhd_match.Solution | None:
    """Solve, or check that an infeasible hard scenario is reported as such."""
    if not math.isfinite(best.objective):
        with pytest.raises(InfeasibleError):
            rhd_match.solve(sc, strategy=strategy, **SOLVE)
        return None
    return rhd_match.solve(sc, strategy=strategy, **SOLVE)


@HYPOTHESIS
@given(tiny_cases())
def test_mip_and_repair_against_brute_force(case: tuple[Scenario, BruteForce]) -> None:
    """MIP: the brute-force optimum. Repair: a valid plan no better than it, a bound no above.

    Both plans pass the checker, and their objectives recompute from their flows.
    """
    sc, best = case
    tol = REL * max(1.0, abs(best.objective))
    if math.isfinite(best.objective):
        assert close(objective_from_flows(sc, best.flows), best.objective)
    for strategy in ("mip", "repair"):
        solution = _solve(sc, best, strategy)
        if solution is None:
            continue
        found = check(sc, solution)
        assert found.empty, (strategy, found.to_string())
        assert close(objective_from_flows(sc, solution.flows), solution.objective), strategy
        if strategy == "mip":
            assert close(solution.objective, best.objective), (solution.objective, best.objective)
        else:
            assert solution.objective >= best.objective - tol
            # NaN: no bound worth reporting (SolverOptions); a reported one must be valid.
            assert math.isnan(solution.best_bound) or solution.best_bound <= best.objective + tol


@settings(HYPOTHESIS, max_examples=examples(8))
@given(tiny_cases())
def test_auto_gives_a_valid_plan(case: tuple[Scenario, BruteForce]) -> None:
    sc, best = case
    solution = _solve(sc, best, "auto")
    if solution is None:
        return
    found = check(sc, solution)
    assert found.empty, found.to_string()
    assert solution.objective >= best.objective - REL * max(1.0, abs(best.objective))
