"""Each reason of unmet local demand, produced by a scenario built for it.

In every scenario local supply cannot (or should not) fully cover the demand, for one reason
only; the solved plan passes the checker and ``unmet_local`` gives that reason to every
conventional purchase.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from check_factories import make_scenario

import rhd_match
from rhd_match import Scenario
from rhd_match.check import check
from rhd_match.i18n import translations, use_language
from rhd_match.plan.solution import REASONS

W1 = "2026-W03"
APPLE = {"APPLE": ("FRUITS_ET_LEGUMES", 1.0, 2.0)}
# The weighted objective: the lexicographic levels' tolerance (1e-5 EUR HT) can leave a few
# millionths of an offer unused, which would read as the optimiser's choice.
SOLVE = {
    "strategy": "mip",
    "time_limit_s": 20.0,
    "threads": 1,
    "mip_gap": 1e-9,
    "objective": "weighted",
}


def no_offer_in_range() -> Scenario:
    """The only producer is 50 km away and delivers within 20 km."""
    return make_scenario(
        APPLE,
        {"C": {}},
        {"P": {"place": (50, 0), "radius": 20.0}},
        [("P", "APPLE", W1, 100, 2.0, "BIO")],
        [("C", "APPLE", W1, 30)],
    )


def offer_exhausted() -> Scenario:
    """10 organic apples offered, 30 wanted: all 10 are bought, 20 come from elsewhere."""
    return make_scenario(
        APPLE,
        {"C": {}},
        {"P": {"place": (3, 0)}},
        [("P", "APPLE", W1, 10, 2.0, "BIO")],
        [("C", "APPLE", W1, 30)],
    )


def capacity() -> Scenario:
    """Crates of 2 kg: 20 kg a week is 10 crates of the 60 two canteens want (stock for 100).

    Two canteens, so that the weekly row alone limits the load (each drop may carry 20 kg).
    """
    return make_scenario(
        {"CRATE": ("FRUITS_ET_LEGUMES", 2.0, 4.0)},
        {"C1": {"place": (1, 0)}, "C2": {"place": (-1, 0)}},
        {"P": {"place": (0, 3), "capacity": 20.0}},
        [("P", "CRATE", W1, 100, 4.0, "BIO")],
        [("C1", "CRATE", W1, 30), ("C2", "CRATE", W1, 30)],
    )


def drops() -> Scenario:
    """One drop a week and two canteens wanting apples: the second is not delivered."""
    return make_scenario(
        APPLE,
        {"C1": {"place": (2, 0)}, "C2": {"place": (-2, 0)}},
        {"P": {"drops": 1}},
        [("P", "APPLE", W1, 1000, 2.0, "BIO")],
        [("C1", "APPLE", W1, 40), ("C2", "APPLE", W1, 30)],
    )


def franco() -> Scenario:
    """5 apples (10 EUR HT) cannot pay a 50 EUR HT minimum order."""
    return make_scenario(
        APPLE,
        {"C": {}},
        {"P": {"place": (3, 0), "franco": 50.0}},
        [("P", "APPLE", W1, 100, 2.0, "BIO")],
        [("C", "APPLE", W1, 5)],
    )


def optimiser_choice() -> Scenario:
    """Unlabelled apples at 40.00 against a 2.00 reference: their local gain does not pay."""
    return make_scenario(
        APPLE,
        {"C": {}},
        {"P": {"place": (3, 0)}},
        [("P", "APPLE", W1, 100, 40.0, "")],
        [("C", "APPLE", W1, 30)],
    )


SCENARIOS: dict[str, tuple[Callable[[], Scenario], float]] = {
    # reason: (scenario, quantity bought from the conventional supplier)
    "no_offer_in_range": (no_offer_in_range, 30.0),
    "offer_exhausted": (offer_exhausted, 20.0),
    "capacity": (capacity, 50.0),
    "drops": (drops, 30.0),
    "franco": (franco, 5.0),
    "optimiser_choice": (optimiser_choice, 30.0),
}


def test_every_reason_has_a_scenario() -> None:
    # `not_planned` comes from a streamed solve cut by its time limit (test_streaming.py).
    assert set(SCENARIOS) | {"not_planned"} == set(REASONS)


@pytest.mark.parametrize("reason", list(SCENARIOS))
def test_each_unmet_reason_is_produced(reason: str) -> None:
    build, qty = SCENARIOS[reason]
    sc = build()
    with use_language("fr"):  # the default language, as in print(solution)
        solution = rhd_match.solve(sc, **SOLVE)
    found = check(sc, solution)
    assert found.empty, found.to_string()
    unmet = solution.unmet_local
    assert unmet[["canteen_id", "product_id", "week"]].duplicated().sum() == 0
    assert float(unmet["qty"].sum()) == pytest.approx(qty), unmet.to_string()
    assert set(unmet["reason"]) == {reason}, unmet.to_string()
    # The sentence in the language of the solve: French, from the catalogue.
    french = translations("fr").gettext(REASONS[reason])
    assert french != REASONS[reason]
    assert set(unmet["explanation"]) == {french}
