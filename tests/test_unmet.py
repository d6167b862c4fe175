"""Each reason of unmet local demand, produced by a scenario built for it.

In every scenario local supply cannot (or should not) fully cover the demand, for one reason
only; the solved plan passes the checker and ``unmet_local`` gives that reason to every
conventional purchase.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable

import pandas as pd
import pytest
from check_factories import make_scenario

import rhd_match
from rhd_match import Scenario
from rhd_match.check import check
from rhd_match.generate import generate_scenario
from rhd_match.i18n import translations, use_language
from rhd_match.model.build import build_model
from rhd_match.model.index import ModelIndex
from rhd_match.model.unmet import unmet_local_table
from rhd_match.plan.solution import REASONS
from rhd_match.plan.tables import CONVENTIONAL, PRODUCER, TOL

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


def _reasons_by_hand(index: ModelIndex, flows: pd.DataFrame) -> list[str]:
    """Each conventional line's reason, the rules of ``unmet_local_table`` restated with
    dictionaries keyed by tuples of ids instead of integer codes."""
    arcs = index.arcs[~index.arcs["market"].to_numpy()]
    local = flows[flows["supplier"] == PRODUCER]
    conv = flows[flows["supplier"] == CONVENTIONAL]
    sold: defaultdict[tuple[str, str, str], float] = defaultdict(float)
    kg: defaultdict[tuple[str, str], float] = defaultdict(float)
    for row in local.itertuples():
        sold[(row.producer_id, row.week, row.product_id)] += row.qty
        kg[(row.producer_id, row.week)] += row.qty_kg
    delivered = set(zip(local["producer_id"], local["week"], local["canteen_id"], strict=True))
    drops = Counter((producer, week) for producer, week, _ in delivered)
    needed: defaultdict[tuple[str, str, str], float] = defaultdict(float)
    for row in conv.itertuples():
        needed[(row.canteen_id, row.product_id, row.week)] += row.qty
    offered = index.offers["qty"].to_numpy(float)
    capacity, max_drops, francos = (
        index.producers[k].to_numpy(float) for k in ("capacity_kg", "max_drops", "franco")
    )
    lines = []
    for arc in arcs.itertuples():
        p, c = index.producer_ids[arc.producer], index.canteen_ids[arc.canteen]
        d, w = index.product_ids[arc.product], index.weeks[arc.week]
        stock = offered[arc.offer] - sold[(p, w, d)]
        cap = capacity[arc.producer] - kg[(p, w)]
        open_drop = (p, w, c) in delivered
        drop_left = open_drop or max_drops[arc.producer] - drops[(p, w)] > 0
        potential = min(max(stock, 0.0), needed[(c, d, w)]) * arc.producer_price
        lines.append(
            ((c, d, w), arc.drop, arc.producer, open_drop, stock, cap, drop_left, potential)
        )
    at_drop: defaultdict[int, float] = defaultdict(float)
    for line in lines:
        at_drop[line[1]] += line[7]
    best: dict[tuple[str, str, str], int] = {}  # how many of the tests the best arc passes
    for key, drop, producer, open_drop, stock, cap, drop_left, _ in lines:
        franco = francos[producer]
        passes = [stock > TOL, cap > TOL, drop_left, open_drop or at_drop[drop] >= franco - TOL]
        level = next((i for i, ok in enumerate(passes) if not ok), len(passes))
        best[key] = max(best.get(key, 0), level)
    demand = index.demand.iloc[index.below_franco_demand]
    small = {
        (index.canteen_ids[c], index.product_ids[d], index.weeks[w])
        for c, d, w in zip(demand["canteen"], demand["product"], demand["week"], strict=True)
    }
    order = ["offer_exhausted", "capacity", "drops", "franco", "optimiser_choice"]
    reasons = []
    for key in zip(conv["canteen_id"], conv["product_id"], conv["week"], strict=True):
        if key not in best:
            reasons.append("franco" if key in small else "no_offer_in_range")
        else:
            reasons.append(order[best[key]])
    return reasons


def test_reasons_on_a_plan_of_many_producers_canteens_and_weeks() -> None:
    """The reasons computed with integer keys over the model's ids, as restated by hand with
    id tuples, on a year's plan of 14 canteens and 40 producers (every reason but
    ``not_planned`` given, 4,612 lines): a key mixing two ids' places (a producer's week
    counted for another) gives another reason somewhere."""
    scenario = generate_scenario(n_canteens=14, n_producers=40, seed=1)
    flows = scenario.solve(time_limit_s=30, threads=1).flows
    index = build_model(scenario).index
    unmet = unmet_local_table(index, flows)
    expected = _reasons_by_hand(index, flows)
    assert len(set(expected)) >= 4, set(expected)
    assert unmet["reason"].tolist() == expected
