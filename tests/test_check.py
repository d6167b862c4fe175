"""The independent checker on the tiny scenario and a plan written by hand.

The plan (figures worked out by hand from ``factories.tiny_frames``):

* LENS_1: beef W03 12 kg from FARM_A (13.20, LABEL_ROUGE); apples W03 20 kg from FARM_B (2.10,
  HVE; minimum lot 20) and 10 kg conventional (1.80); yogurt W04 180 pieces from FARM_A (0.41,
  BIO+FERMIER). Value 158.4 + 42 + 18 + 73.8 = 292.2 EUR HT.
* LIEVIN_1: beef W03 25 and W04 28 from FARM_A; apples W04 60 conventional (FARM_B offers 0);
  yogurt W04 420 from FARM_A. Value 330 + 369.6 + 108 + 172.2 = 979.8 EUR HT.

FARM_A: W03 37 kg, 2 drops; W04 28 + 22.5 + 52.5 = 103 kg, 2 drops; franco 50 EUR HT, smallest
drop 73.8 (LENS_1, W04). FARM_B: one drop of 42 EUR HT.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from check_factories import make_scenario
from factories import tiny_frames

import rhd_match
from rhd_match import Scenario
from rhd_match.check import (
    CANTEEN_FIGURES,
    RULES,
    VIOLATION_COLUMNS,
    canteen_figures,
    check,
    objective_from_flows,
)
from rhd_match.geo import haversine_km
from rhd_match.i18n import use_language
from rhd_match.inputs.schema import CEILINGS

#: The messages are read in English, the source language; French is checked on its own below.
pytestmark = pytest.mark.usefixtures("english_messages")

W03, W04 = "2026-W03", "2026-W04"
PRICE = {("FARM_A", "BEEF"): 13.2, ("FARM_A", "YOGURT"): 0.41, ("FARM_B", "APPLE"): 2.1}
LABELS = {("FARM_A", "BEEF"): "LABEL_ROUGE", ("FARM_A", "YOGURT"): "BIO,FERMIER",
          ("FARM_B", "APPLE"): "HVE"}  # fmt: skip
REFERENCE = {"BEEF": 11.5, "APPLE": 1.8, "YOGURT": 0.32}
KG = {"BEEF": 1.0, "APPLE": 1.0, "YOGURT": 0.125}
FAMILY = {"BEEF": "VIANDES_VOLAILLES", "APPLE": "FRUITS_ET_LEGUMES", "YOGURT": "PRODUITS_LAITIERS"}
PLACES = {
    "LENS_1": (50.4322, 2.8333),
    "LIEVIN_1": (50.4230, 2.7780),
    "FARM_A": (50.5300, 2.6400),
    "FARM_B": (50.2900, 2.7800),
}


def km(a: str, b: str) -> float:
    return float(haversine_km(*PLACES[a], *PLACES[b]))


def line(producer: str | None, canteen: str, product: str, week: str, qty: float) -> dict:
    """One flow row with every column filled in as docs/model.md says."""
    if producer is None:
        price, labels, distance = REFERENCE[product], "", np.nan
    else:
        price, labels = PRICE[(producer, product)], LABELS[(producer, product)]
        distance = km(producer, canteen)
    return {
        "supplier": "conventional" if producer is None else "producer",
        "producer_id": producer,
        "canteen_id": canteen,
        "product_id": product,
        "week": week,
        "family": FAMILY[product],
        "qty": qty,
        "qty_kg": qty * KG[product],
        "price_eur_ht": price,
        "value_eur_ht": qty * price,
        "labels": labels,
        "distance_km": distance,
        "local": producer is not None,
    }


def plan_rows() -> list[dict]:
    return [
        line("FARM_A", "LENS_1", "BEEF", W03, 12.0),
        line("FARM_B", "LENS_1", "APPLE", W03, 20.0),
        line(None, "LENS_1", "APPLE", W03, 10.0),
        line("FARM_A", "LENS_1", "YOGURT", W04, 180.0),
        line("FARM_A", "LIEVIN_1", "BEEF", W03, 25.0),
        line("FARM_A", "LIEVIN_1", "BEEF", W04, 28.0),
        line(None, "LIEVIN_1", "APPLE", W04, 60.0),
        line("FARM_A", "LIEVIN_1", "YOGURT", W04, 420.0),
    ]


def plan() -> pd.DataFrame:
    return pd.DataFrame(plan_rows())


def scenario(**changes: object) -> Scenario:
    """The tiny scenario; ``changes`` maps 'table.column@row' or parameter names to values."""
    frames = tiny_frames()
    params: dict[str, object] = {}
    for key, value in changes.items():
        if "__" in key:
            table, column, row = key.split("__")
            frames[table].loc[int(row), column] = value
        else:
            params[key] = value
    return Scenario.from_frames(**frames, parameters=params or None)


def hand_canteens() -> pd.DataFrame:
    """The canteens table of the hand plan, every figure worked out by hand."""
    lens_v, lievin_v = 292.2, 979.8
    lievin_organic_short = 0.2 * lievin_v - 172.2
    return pd.DataFrame(
        {
            "canteen_id": ["LENS_1", "LIEVIN_1"],
            "value_eur_ht": [lens_v, lievin_v],
            "reference_value_eur_ht": [
                12 * 11.5 + 30 * 1.8 + 180 * 0.32,
                53 * 11.5 + 60 * 1.8 + 420 * 0.32,
            ],
            "extra_cost_eur_ht": [lens_v - 249.6, lievin_v - 851.9],
            "local_value_eur_ht": [158.4 + 42 + 73.8, 330 + 369.6 + 172.2],
            "share_local": [274.2 / lens_v, 871.8 / lievin_v],
            "share_market": [0.0, 0.0],
            "share_conventional": [10 * 1.8 / lens_v, 60 * 1.8 / lievin_v],
            "share_organic": [73.8 / lens_v, 172.2 / lievin_v],
            "share_quality": [274.2 / lens_v, 871.8 / lievin_v],
            "share_meat_fish": [1.0, 1.0],
            "share_meat": [1.0, 1.0],
            "share_fish": [np.nan, np.nan],
            "target_quality": [0.5, 0.55],
            "target_organic": [0.2, 0.2],
            "target_meat_fish": [0.6, 0.6],
            "shortfall_quality_eur_ht": [0.0, 0.0],
            "shortfall_organic_eur_ht": [0.0, lievin_organic_short],
            "shortfall_meat_fish_eur_ht": [0.0, 0.0],
            "shortfall_quality_points": [0.0, 0.0],
            "shortfall_organic_points": [0.0, lievin_organic_short / lievin_v],
            "shortfall_meat_fish_points": [0.0, 0.0],
            "meets_quality": [True, True],
            "meets_organic": [True, False],
            "meets_meat_fish": [True, True],
            "budget_eur_ht": [4000.0, np.nan],
            "budget_use": [lens_v / 4000.0, np.nan],
        }
    )


@dataclass
class FakeSolution:
    flows: pd.DataFrame
    canteens: pd.DataFrame


def rules_and_ids(found: pd.DataFrame) -> set[tuple[str, ...]]:
    return {tuple(r) for r in found[list(VIOLATION_COLUMNS[:5])].itertuples(index=False)}


# -- valid plans ------------------------------------------------------------------------------


def test_hand_plan_is_valid() -> None:
    found = check(scenario(), plan())
    assert list(found.columns) == list(VIOLATION_COLUMNS)
    assert found.empty, found.to_string()


def test_hand_plan_with_its_canteens_table_is_valid() -> None:
    found = check(scenario(), FakeSolution(plan(), hand_canteens()))
    assert found.empty, found.to_string()


def test_canteens_table_may_be_indexed_by_canteen() -> None:
    found = check(scenario(), FakeSolution(plan(), hand_canteens().set_index("canteen_id")))
    assert found.empty, found.to_string()


def test_canteens_table_may_keep_its_ids_elsewhere() -> None:
    # The ids in an unnamed index, or in a column that is not the first one.
    hand = hand_canteens()
    unnamed = hand.set_index("canteen_id").rename_axis(None)
    last = hand[[*hand.columns[1:], "canteen_id"]]
    for canteens in (unnamed, last):
        found = check(scenario(), FakeSolution(plan(), canteens))
        assert found.empty, found.to_string()


def test_plan_without_any_minimum_lot_is_valid() -> None:
    no_lots = {f"offers__min_lot_qty__{i}": np.nan for i in range(6)}
    found = check(scenario(**no_lots), plan())
    assert found.empty, found.to_string()


def test_local_flags_may_be_written_as_text() -> None:
    # A flows table read back from a French spreadsheet: local as words, digits or a cross.
    flows = plan()
    flows["local"] = ["oui", "x", "non", "1", "true", "yes", "", "1.0"]
    found = check(scenario(), flows)
    assert found.empty, found.to_string()
    flows["local"] = ["0", "x", "non", "1", "true", "yes", "", "1.0"]  # beef: not local?
    assert rules_and_ids(check(scenario(), flows)) == {("local", "LENS_1", "FARM_A", "BEEF", W03)}


def test_solver_noise_within_tolerance_is_accepted() -> None:
    flows = plan()
    flows.loc[0, "qty"] += 1e-9  # beef: demand 12 now met by 12 + 1e-9
    flows.loc[6, "qty"] -= 1e-9
    assert check(scenario(), flows).empty


def test_canteen_figures_match_the_hand_computation() -> None:
    figures = canteen_figures(scenario(), plan())
    hand = hand_canteens().set_index("canteen_id")
    for col in CANTEEN_FIGURES:
        mine, want = figures[col].loc[hand.index], hand[col]
        if want.dtype == bool:
            assert mine.tolist() == want.tolist(), col
        else:
            np.testing.assert_allclose(mine.to_numpy(float), want.to_numpy(float), rtol=1e-12,
                                       err_msg=col)  # fmt: skip


def hand_objective() -> float:
    """The objective of the hand plan with the default weights, worked out by hand."""
    kg_km = (12 + 22.5) * km("FARM_A", "LENS_1") + (25 + 28 + 52.5) * km("FARM_A", "LIEVIN_1")
    kg_km += 20 * km("FARM_B", "LENS_1")
    local_at_reference = 12 * 11.5 + 20 * 1.8 + 180 * 0.32 + 53 * 11.5 + 420 * 0.32
    organic_at_reference = 600 * 0.32
    shortfall = 0.2 * 979.8 - 172.2  # LIEVIN_1 organic, the only one
    return (
        100 * shortfall
        - local_at_reference
        - organic_at_reference
        + 0.1 * (292.2 + 979.8)
        + 1e-5 * kg_km
    )


def test_objective_from_flows_by_hand() -> None:
    assert objective_from_flows(scenario(), plan()) == pytest.approx(hand_objective(), rel=1e-12)


def test_objective_counts_budget_overrun_and_local_radius() -> None:
    # LENS_1 spends 292.2 on a budget of 200: overrun 92.2 at weight 20. With a local radius of
    # 16 km only FARM_A → LIEVIN_1 (15.4 km) stays local; LENS_1's 17.5 and 16.3 km do not.
    base = objective_from_flows(scenario(), plan())
    sc = scenario(canteens__budget_eur_ht__0=200.0, local_radius_km=16.0)
    lost_local = 12 * 11.5 + 20 * 1.8 + 180 * 0.32
    want = base + 20 * 92.2 + lost_local
    assert objective_from_flows(sc, plan()) == pytest.approx(want, rel=1e-12)


def test_objective_counts_a_missing_quantity_as_nothing() -> None:
    # A repeated producer line with no quantity: nothing bought, nothing gained, no kg·km.
    rows = [*plan_rows(), line("FARM_A", "LENS_1", "BEEF", W03, np.nan)]
    base = objective_from_flows(scenario(), plan())
    assert objective_from_flows(scenario(), pd.DataFrame(rows)) == pytest.approx(base, rel=1e-12)


def test_objective_prices_an_unknown_product_at_its_reported_price_only() -> None:
    # 5 units of a product the inputs do not know, reported at 2 EUR HT: it costs 10 EUR HT
    # (LENS_1 still meets every target), but has no reference price, so gains nothing as local.
    unknown = line("FARM_A", "LENS_1", "BEEF", W03, 5.0) | {
        "product_id": "KIWI", "family": "FRUITS_ET_LEGUMES", "price_eur_ht": 2.0,
        "value_eur_ht": 10.0, "labels": "",
    }  # fmt: skip
    sc = scenario()
    want = objective_from_flows(sc, plan()) + sc.parameters.weights.cost * 10.0
    got = objective_from_flows(sc, pd.DataFrame([*plan_rows(), unknown]))
    assert got == pytest.approx(want, rel=1e-12)


# -- one violation at a time ------------------------------------------------------------------


def edit(rows: list[dict], i: int, **values: object) -> list[dict]:
    rows[i] = rows[i] | values
    return rows


CASES = {
    "demand not met": (
        {},
        lambda r: edit(r, 2, qty=8.0, qty_kg=8.0, value_eur_ht=14.4),
        {("demand", "LENS_1", "", "APPLE", W03)},
    ),
    "demand exceeded": (
        {},
        lambda r: edit(r, 6, qty=61.0, qty_kg=61.0, value_eur_ht=61 * 1.8),
        {("demand", "LIEVIN_1", "", "APPLE", W04)},
    ),
    "flow not demanded": (
        {},
        lambda r: [*r, line(None, "LENS_1", "BEEF", W04, 5.0)],
        {("not_demanded", "LENS_1", "", "BEEF", W04)},
    ),
    "offer exceeded": (
        {"offers__qty__0": 30.0},  # FARM_A beef W03: 12 + 25 = 37 sold
        lambda r: r,
        {("offer", "", "FARM_A", "BEEF", W03)},
    ),
    "weekly capacity exceeded": (
        {"producers__delivery_capacity_kg_per_week__0": 100.0},  # FARM_A W04: 103 kg
        lambda r: r,
        {("capacity", "", "FARM_A", "", W04)},
    ),
    "too many drops": (
        {"producers__max_drops_per_week__0": 1},
        lambda r: r,
        {("drops", "", "FARM_A", "", W03), ("drops", "", "FARM_A", "", W04)},
    ),
    "franco not paid": (
        {"producers__min_order_eur_ht__0": 100.0},  # LENS_1 W04 yogurt: 73.8
        lambda r: r,
        {("franco", "LENS_1", "FARM_A", "", W04)},
    ),
    "out of delivery radius": (
        {"producers__delivery_radius_km__1": 10.0},  # FARM_B → LENS_1 is 16.3 km
        lambda r: r,
        {("radius", "LENS_1", "FARM_B", "APPLE", W03)},
    ),
    "minimum lot": (
        {},  # FARM_B apples: lot 20
        lambda r: edit(
            edit(r, 1, qty=15.0, qty_kg=15.0, value_eur_ht=31.5),
            2,
            qty=15.0,
            qty_kg=15.0,
            value_eur_ht=27.0,
        ),
        {("min_lot", "LENS_1", "FARM_B", "APPLE", W03)},
    ),
    "wrong producer price": (
        {},
        lambda r: edit(r, 0, price_eur_ht=12.0, value_eur_ht=144.0),
        {("price", "LENS_1", "FARM_A", "BEEF", W03)},
    ),
    "wrong conventional price": (
        {},
        lambda r: edit(r, 6, price_eur_ht=1.5, value_eur_ht=90.0),
        {("price", "LIEVIN_1", "", "APPLE", W04)},
    ),
    "wrong labels": (
        {},
        lambda r: edit(r, 3, labels="BIO"),
        {("labels", "LENS_1", "FARM_A", "YOGURT", W04)},
    ),
    "labels on a conventional purchase": (
        {},
        lambda r: edit(r, 2, labels="HVE"),
        {("labels", "LENS_1", "", "APPLE", W03)},
    ),
    "wrong value": (
        {},
        lambda r: edit(r, 4, value_eur_ht=300.0),
        {("value", "LIEVIN_1", "FARM_A", "BEEF", W03)},
    ),
    "wrong kg": (
        {},
        lambda r: edit(r, 7, qty_kg=420.0),
        {("qty_kg", "LIEVIN_1", "FARM_A", "YOGURT", W04)},
    ),
    "wrong distance": (
        {},
        lambda r: edit(r, 1, distance_km=5.0),
        {("distance", "LENS_1", "FARM_B", "APPLE", W03)},
    ),
    "distance on a conventional purchase": (
        {},
        lambda r: edit(r, 6, distance_km=0.0),
        {("distance", "LIEVIN_1", "", "APPLE", W04)},
    ),
    "wrong family": (
        {},
        lambda r: edit(r, 0, family="CHARCUTERIE"),
        {("family", "LENS_1", "FARM_A", "BEEF", W03)},
    ),
    "conventional flagged local": (
        {},
        lambda r: edit(r, 2, local=True),
        {("local", "LENS_1", "", "APPLE", W03)},
    ),
    "producer line flagged not local": (
        {},  # no local_radius_km: every producer is local
        lambda r: edit(r, 0, local=False),
        {("local", "LENS_1", "FARM_A", "BEEF", W03)},
    ),
    "local beyond local_radius_km": (
        {"local_radius_km": 16.0},  # FARM_A→LENS_1 17.5 km, FARM_B→LENS_1 16.3, →LIEVIN 15.4
        lambda r: r,
        {
            ("local", "LENS_1", "FARM_A", "BEEF", W03),
            ("local", "LENS_1", "FARM_B", "APPLE", W03),
            ("local", "LENS_1", "FARM_A", "YOGURT", W04),
        },
    ),
    "producer without an offer": (
        {},
        lambda r: [
            *edit(r, 0, qty=10.0, qty_kg=10.0, value_eur_ht=132.0),
            line("FARM_A", "LENS_1", "BEEF", W03, 2.0)
            | {"producer_id": "FARM_B", "distance_km": km("FARM_B", "LENS_1")},
        ],
        {("no_offer", "LENS_1", "FARM_B", "BEEF", W03)},
    ),
    "unknown producer": (
        {},
        lambda r: edit(r, 1, producer_id="FARM_Z"),
        {("unknown_id", "LENS_1", "FARM_Z", "APPLE", W03)},
    ),
    "unknown supplier": (
        {},
        lambda r: edit(r, 1, supplier="farm"),  # and its 20 apples do not count
        {("supplier", "LENS_1", "FARM_B", "APPLE", W03), ("demand", "LENS_1", "", "APPLE", W03)},
    ),
    "unknown product": (
        {},
        lambda r: edit(r, 2, product_id="KIWI"),  # and LENS_1 lacks 10 of its 30 apples
        {("unknown_id", "LENS_1", "", "KIWI", W03), ("demand", "LENS_1", "", "APPLE", W03)},
    ),
    "unknown canteen": (
        {},
        lambda r: edit(r, 2, canteen_id="ARRAS_1"),
        {("unknown_id", "ARRAS_1", "", "APPLE", W03), ("demand", "LENS_1", "", "APPLE", W03)},
    ),
    "producer purchase naming no producer": (
        {},
        lambda r: edit(r, 1, producer_id=None, distance_km=np.nan),
        {("supplier", "LENS_1", "", "APPLE", W03), ("no_offer", "LENS_1", "", "APPLE", W03)},
    ),
    "conventional naming a producer": (
        {},
        lambda r: edit(r, 2, producer_id="FARM_B"),
        {("supplier", "LENS_1", "FARM_B", "APPLE", W03)},
    ),
    "duplicate line": (
        {},
        lambda r: [
            *edit(r, 3, qty=100.0, qty_kg=12.5, value_eur_ht=41.0),
            line("FARM_A", "LENS_1", "YOGURT", W04, 80.0),
        ],
        {("duplicate_line", "LENS_1", "FARM_A", "YOGURT", W04)},
    ),
    "negative quantity": (
        {},
        lambda r: edit(
            edit(r, 1, qty=32.0, qty_kg=32.0, value_eur_ht=67.2),
            2,
            qty=-2.0,
            qty_kg=-2.0,
            value_eur_ht=-3.6,
        ),
        {("negative_qty", "LENS_1", "", "APPLE", W03)},
    ),
    "hard EGalim with an organic shortfall": (
        {"hard_egalim": True},  # LIEVIN_1: organic 172.2 < 20 % of 979.8
        lambda r: r,
        {("egalim_hard", "LIEVIN_1", "", "", "")},
    ),
    "hard budget overrun": (
        {"canteens__budget_eur_ht__0": 250.0, "hard_budget": True},  # LENS_1 spends 292.2
        lambda r: r,
        {("budget_hard", "LENS_1", "", "", "")},
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_violation_is_found(case: str) -> None:
    changes, broken, want = CASES[case]
    found = check(scenario(**changes), pd.DataFrame(broken(plan_rows())))
    assert rules_and_ids(found) == want, found.to_string()
    assert set(found["rule"]) <= set(RULES)
    assert (found["message"].str.len() > 0).all()


def far(a: str, b: str) -> str:
    """A distance as the messages show it (km, six significant digits)."""
    return f"{km(a, b):.6g}"


#: What each case's violations say, worked out from the hand plan (sorted).
MESSAGES = {
    "demand not met": ["demand 30, delivered 28 (producers 20 + market 0 + conventional 8)"],
    "demand exceeded": ["demand 60, delivered 61 (producers 0 + market 0 + conventional 61)"],
    "flow not demanded": ["5 units delivered but the canteen demands none that week"],
    "offer exceeded": ["sold 37 of an offer of 30"],
    "weekly capacity exceeded": ["103 kg delivered, capacity 100 kg/week"],
    "too many drops": ["2 canteens delivered, at most 1 a week"] * 2,
    "franco not paid": ["drop worth 73.8 EUR excl. VAT, minimum order 100 EUR excl. VAT"],
    "out of delivery radius": [f"canteen {far('FARM_B', 'LENS_1')} km away, delivery radius 10 km"],
    "minimum lot": ["15 units delivered, minimum lot 20"],
    "wrong producer price": ["producer price 12 EUR excl. VAT/unit, should be 13.2"],
    "wrong conventional price": ["conventional price 1.5 EUR excl. VAT/unit, should be 1.8"],
    "wrong labels": ["labels 'BIO', should be 'BIO,FERMIER'"],
    "labels on a conventional purchase": ["labels 'HVE', should be ''"],
    "wrong value": ["value 300 EUR excl. VAT, qty × price = 330"],
    "wrong kg": ["qty_kg 420, qty × kg_per_unit = 52.5 kg"],
    "wrong distance": [f"distance_km 5, great-circle distance {far('FARM_B', 'LENS_1')} km"],
    "distance on a conventional purchase": ["distance_km 0, great-circle distance nan km"],
    "wrong family": ["family 'CHARCUTERIE', should be 'VIANDES_VOLAILLES'"],
    "conventional flagged local": [
        "conventional line flagged local=True (every producer is local; distance nan km)"
    ],
    "producer line flagged not local": [
        "producer line flagged local=False (every producer is local; distance "
        f"{far('FARM_A', 'LENS_1')} km)"
    ],
    "local beyond local_radius_km": sorted(
        f"producer line flagged local=True (local within 16 km; distance {far(p, 'LENS_1')} km)"
        for p in ("FARM_A", "FARM_B", "FARM_A")
    ),
    "producer without an offer": ["the producer has no offer of this product this week"],
    "unknown producer": ["producer 'FARM_Z' is not in the producers table"],
    "unknown product": [
        "demand 30, delivered 20 (producers 20 + market 0 + conventional 0)",
        "product 'KIWI' is not in the products table",
    ],
    "unknown canteen": [
        "canteen 'ARRAS_1' is not in the canteens table",
        "demand 30, delivered 20 (producers 20 + market 0 + conventional 0)",
    ],
    "producer purchase naming no producer": [
        "a producer purchase names no producer",
        "the producer has no offer of this product this week",
    ],
    "unknown supplier": [
        "demand 30, delivered 10 (producers 0 + market 0 + conventional 10)",
        "supplier 'farm' is neither producer, market nor conventional",
    ],
    "conventional naming a producer": ["a conventional or market purchase names a producer"],
    "duplicate line": [
        "another flow row has the same supplier, producer, canteen, product and week"
    ],
    "negative quantity": ["quantity -2 is negative or missing"],
    "hard EGalim with an organic shortfall": [
        f"organic shortfall {0.2 * 979.8 - 172.2:.6g} EUR excl. VAT (target 0.2)"
    ],
    "hard budget overrun": ["spends 292.2 EUR excl. VAT, budget 250 EUR excl. VAT"],
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_violation_says_what_is_wrong(case: str) -> None:
    changes, broken, _ = CASES[case]
    found = check(scenario(**changes), pd.DataFrame(broken(plan_rows())))
    assert sorted(found["message"]) == MESSAGES[case]


@pytest.mark.parametrize(
    ("case", "english"),
    [
        ("franco not paid", ["drop worth 73,8 EUR excl. VAT, minimum order 100 EUR excl. VAT"]),
        ("too many drops", ["2 canteens delivered, at most 1 a week"] * 2),
        ("unknown producer", ["producer 'FARM_Z' is not in the producers table"]),
    ],
)
def test_violation_messages_in_french(case: str, english: list[str]) -> None:
    """In French the messages are translated and their figures take a decimal comma; the
    English words of the source must not be left (the catalogue entry is checked by its
    absence from the text)."""
    changes, broken, _ = CASES[case]
    with use_language("fr"):
        found = check(scenario(**changes), pd.DataFrame(broken(plan_rows())))
    messages = sorted(found["message"])
    assert len(messages) == len(english)
    for got, source in zip(messages, english, strict=True):
        assert got != source
        assert not {"worth", "delivered", "the", "is", "week"} & set(got.split()), got
    if case == "franco not paid":
        assert "73,8" in messages[0] and "100" in messages[0]


def test_soft_modes_accept_shortfall_and_overrun() -> None:
    assert check(scenario(canteens__budget_eur_ht__0=250.0), plan()).empty


def test_lot_counts_the_whole_delivery_of_an_offer() -> None:
    # Two rows of 10 apples (a duplicate) make a delivery of 20: the lot of 20 is paid.
    rows = plan_rows()
    edit(rows, 1, qty=10.0, qty_kg=10.0, value_eur_ht=21.0)
    rows.append(line("FARM_B", "LENS_1", "APPLE", W03, 10.0))
    assert set(check(scenario(), pd.DataFrame(rows))["rule"]) == {"duplicate_line"}


@pytest.mark.parametrize(("factor", "broken"), [(1.02, True), (0.98, False)])
def test_a_delivery_is_positive_above_the_tolerance_of_its_demand(
    factor: float, broken: bool
) -> None:
    # FARM_B's apples to LENS_1 (demand 30, lot 20) shrunk to about tol·(1 + 30): just above,
    # a delivery below the lot; just below, solver noise.
    q = factor * 1e-6 * (1 + 30)
    rows = plan_rows()
    edit(rows, 1, qty=q, qty_kg=q, value_eur_ht=2.1 * q)
    edit(rows, 2, qty=30 - q, qty_kg=30 - q, value_eur_ht=1.8 * (30 - q))
    found = check(scenario(), pd.DataFrame(rows))
    want = {("min_lot", "LENS_1", "FARM_B", "APPLE", W03)} if broken else set()
    assert rules_and_ids(found) == want, found.to_string()


@pytest.mark.parametrize(("factor", "broken"), [(1.02, True), (0.98, False)])
def test_a_drop_is_made_by_a_positive_line(factor: float, broken: bool) -> None:
    # FARM_B's apples to LENS_1 shrunk to about tol·(1 + 30), FARM_B's franco set to 40 EUR:
    # just above, a drop (of 0.0001 EUR) under its franco; just below, noise and no drop.
    q = factor * 1e-6 * (1 + 30)
    rows = plan_rows()
    edit(rows, 1, qty=q, qty_kg=q, value_eur_ht=2.1 * q)
    edit(rows, 2, qty=30 - q, qty_kg=30 - q, value_eur_ht=1.8 * (30 - q))
    found = check(scenario(producers__min_order_eur_ht__1=40.0), pd.DataFrame(rows))
    drop = ("franco", "LENS_1", "FARM_B", "", W03)
    want = {drop, ("min_lot", "LENS_1", "FARM_B", "APPLE", W03)} if broken else set()
    assert rules_and_ids(found) == want, found.to_string()


@pytest.mark.parametrize("flag", [True, False])
def test_at_the_local_radius_the_lines_own_flag_counts(flag: bool) -> None:
    # FARM_A's lines to LENS_1 lie within rounding of a radius set to their distance (a
    # producer 4 km away, a 4 km radius): the plan may call them local or not, and the
    # figures count them as it says (a plan found them not local, the figures local: broken).
    radius = km("FARM_A", "LENS_1") * (1 + 1e-9)
    rows = plan_rows()
    for i in (0, 3):
        edit(rows, i, local=flag)
    sc = scenario(local_radius_km=radius)
    flows = pd.DataFrame(rows)
    assert check(sc, flows).empty
    local = canteen_figures(sc, flows)["local_value_eur_ht"]
    assert local["LENS_1"] == pytest.approx(42.0 + (158.4 + 73.8 if flag else 0.0))


def test_a_line_without_quantity_leaves_the_weeks_capacity_checked() -> None:
    # FARM_A delivers 103 kg in W04 on a capacity of 100, plus a line with no quantity.
    rows = [*plan_rows(), line("FARM_A", "LENS_1", "YOGURT", W04, np.nan)]
    found = check(scenario(producers__delivery_capacity_kg_per_week__0=100.0), pd.DataFrame(rows))
    assert rules_and_ids(found) == {
        ("capacity", "", "FARM_A", "", W04),
        ("negative_qty", "LENS_1", "FARM_A", "YOGURT", W04),
        ("duplicate_line", "LENS_1", "FARM_A", "YOGURT", W04),
    }, found.to_string()


@pytest.mark.parametrize(("qty", "broken"), [(1e-6, False), (2e-6, True)])
def test_an_undemanded_flow_up_to_the_tolerance_is_noise(qty: float, broken: bool) -> None:
    # LENS_1 demands no beef in W04; the default tolerance is 1e-6 units.
    rows = [*plan_rows(), line(None, "LENS_1", "BEEF", W04, qty)]
    found = check(scenario(), pd.DataFrame(rows))
    assert set(found["rule"]) == ({"not_demanded"} if broken else set()), found.to_string()


def test_missing_flow_column_is_reported() -> None:
    found = check(scenario(), plan().drop(columns=["distance_km"]))
    assert rules_and_ids(found) == {("flows_table", "", "", "", "")}
    assert "distance_km" in found["message"].iloc[0]


def test_missing_key_column_stops_the_check() -> None:
    found = check(scenario(), plan().drop(columns=["qty"]))
    assert found["rule"].tolist() == ["flows_table"]


# -- the canteens table of a solution ---------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("share_organic", 0.30),
        ("share_local", 1.0),
        ("value_eur_ht", 300.0),
        ("reference_value_eur_ht", 250.0),
        ("shortfall_organic_eur_ht", 0.0),
        ("shortfall_organic_points", 0.0),
        ("meets_organic", True),
        ("target_quality", 0.5),
        ("budget_use", 0.5),
        ("share_fish", 0.0),
        ("shortfall_quality_eur_ht", np.nan),  # recomputed 0: a missing figure is wrong
    ],
)
def test_wrong_canteen_figure_is_found(column: str, value: object) -> None:
    canteens = hand_canteens()
    canteens.loc[1, column] = value  # LIEVIN_1
    found = check(scenario(), FakeSolution(plan(), canteens))
    assert rules_and_ids(found) == {("canteen_figure", "LIEVIN_1", "", "", "")}
    assert column in found["message"].iloc[0]


def test_labelled_fish_counts_toward_the_meat_and_fish_share() -> None:
    # Yogurt made a fish product: LENS_1's labelled meat and fish is its LABEL_ROUGE beef
    # (158.4) plus its BIO yogurt (73.8), all of its meat and fish.
    sc = scenario(products__family__2="PRODUITS_DE_LA_MER")
    figures = canteen_figures(sc, plan()).loc["LENS_1"]
    assert figures["meat_fish_labelled_eur_ht"] == pytest.approx(158.4 + 73.8)
    assert figures["share_meat_fish"] == pytest.approx(1.0)
    assert figures["share_fish"] == pytest.approx(1.0)


def test_shortfall_uses_the_canteen_target_override() -> None:
    # LIEVIN_1 overrides quality to 55 %: raise it to 95 % → 0.95 × 979.8 − 871.8 short.
    sc = scenario(canteens__target_quality__1=0.95)
    figures = canteen_figures(sc, plan())
    assert figures.loc["LIEVIN_1", "shortfall_quality_eur_ht"] == pytest.approx(
        0.95 * 979.8 - 871.8
    )
    assert not figures.loc["LIEVIN_1", "meets_quality"]
    found = check(sc, FakeSolution(plan(), hand_canteens()))
    assert set(found["rule"]) == {"canteen_figure"}
    wrong = {m.split()[0] for m in found["message"]}
    assert wrong == {
        "target_quality",
        "shortfall_quality_eur_ht",
        "shortfall_quality_points",
        "meets_quality",
    }


def test_missing_canteen_and_column_are_reported() -> None:
    canteens = hand_canteens().iloc[[0]].drop(columns=["share_meat"])
    found = check(scenario(), FakeSolution(plan(), canteens))
    assert rules_and_ids(found) == {
        ("canteens_table", "", "", "", ""),
        ("canteens_table", "LIEVIN_1", "", "", ""),
    }


# -- scale --------------------------------------------------------------------------------------


def big_case(n_canteens: int, n_products: int, n_weeks: int) -> tuple[Scenario, pd.DataFrame]:
    """A territory where every demand row is half local (one producer per product), half not."""
    rng = np.random.default_rng(0)
    weeks = [f"2026-W{w:02d}" for w in range(1, n_weeks + 1)]
    products = pd.DataFrame(
        {
            "product_id": [f"P{i}" for i in range(n_products)],
            "name": "x",
            "family": "FRUITS_ET_LEGUMES",
            "unit": "kg",
            "kg_per_unit": 1.0,
            "reference_price_eur_ht": 2.0,
        }
    )
    canteens = pd.DataFrame(
        {
            "canteen_id": [f"C{i}" for i in range(n_canteens)],
            "name": "c",
            "lat": 50.4 + rng.uniform(-0.1, 0.1, n_canteens),
            "lon": 2.8 + rng.uniform(-0.1, 0.1, n_canteens),
        }
    )
    producers = pd.DataFrame(
        {
            "producer_id": [f"F{i}" for i in range(n_products)],
            "name": "f",
            "lat": 50.4,
            "lon": 2.8,
            "delivery_capacity_kg_per_week": CEILINGS["kg/week"],
            "max_drops_per_week": n_canteens,
            "delivery_radius_km": 100.0,
            "min_order_eur_ht": 0.0,
        }
    )
    pw = pd.MultiIndex.from_product([range(n_products), weeks], names=["p", "week"]).to_frame(
        index=False
    )
    offers = pd.DataFrame(
        {
            "producer_id": "F" + pw["p"].astype(str),
            "product_id": "P" + pw["p"].astype(str),
            "week": pw["week"],
            "qty": CEILINGS["product unit"],
            "price_eur_ht": 2.5,
            "labels": "BIO",
        }
    )
    cpw = pd.MultiIndex.from_product(
        [range(n_canteens), range(n_products), weeks], names=["c", "p", "week"]
    ).to_frame(index=False)
    demand = pd.DataFrame(
        {
            "canteen_id": "C" + cpw["c"].astype(str),
            "product_id": "P" + cpw["p"].astype(str),
            "week": cpw["week"],
            "qty": 10.0,
        }
    )
    sc = Scenario.from_frames(products, canteens, producers, offers, demand)
    dist = haversine_km(
        50.4, 2.8, canteens["lat"].to_numpy()[cpw["c"]], canteens["lon"].to_numpy()[cpw["c"]]
    )
    local = pd.DataFrame(
        {
            "supplier": "producer",
            "producer_id": "F" + cpw["p"].astype(str),
            "canteen_id": demand["canteen_id"],
            "product_id": demand["product_id"],
            "week": demand["week"],
            "family": "FRUITS_ET_LEGUMES",
            "qty": 5.0,
            "qty_kg": 5.0,
            "price_eur_ht": 2.5,
            "value_eur_ht": 12.5,
            "labels": "BIO",
            "distance_km": dist,
            "local": True,
        }
    )
    conventional = local.assign(
        supplier="conventional", producer_id=None, price_eur_ht=2.0, value_eur_ht=10.0,
        labels="", distance_km=np.nan, local=False,
    )  # fmt: skip
    return sc, pd.concat([local, conventional], ignore_index=True)


def test_checker_handles_many_rows() -> None:
    sc, flows = big_case(n_canteens=100, n_products=50, n_weeks=20)  # 200,000 flow rows
    found = check(sc, flows)
    assert found.empty, found.head().to_string()
    broken = flows.copy()
    broken.loc[::1000, "price_eur_ht"] += 1.0
    assert (check(sc, broken)["rule"] == "price").sum() == len(range(0, len(flows), 1000))


# -- the territory summary of a solution ------------------------------------------------------


@dataclass
class FakeFullSolution:
    flows: pd.DataFrame
    canteens: pd.DataFrame
    summary: pd.DataFrame


def hand_summary() -> pd.DataFrame:
    """The summary row of the hand plan, worked out by hand.

    LENS_1 meets all three targets; LIEVIN_1 meets quality (871.8 ≥ 55 %) and meat and fish
    (all its beef is LABEL_ROUGE) but not organic (172.2 < 20 % of 979.8). All conventional,
    nobody meets anything. Local kg: 12 + 20 + 22.5 + 25 + 28 + 52.5 = 160 of 230 kg.
    """
    value, before = 292.2 + 979.8, 249.6 + 851.9
    row = {
        "canteens": 2,
        "producers": 2,
        "products": 3,
        "weeks": 2,
        "status": "optimal",
        "objective": hand_objective(),
        "value_eur_ht": value,
        "local_value_eur_ht": 274.2 + 871.8,
        "share_local": (274.2 + 871.8) / value,
        "share_local_kg": 160 / 230,
        "share_organic": (73.8 + 172.2) / value,
        "share_quality": (274.2 + 871.8) / value,
        "share_meat_fish": 1.0,
        "canteens_meeting_quality": 2,
        "canteens_meeting_organic": 1,
        "canteens_meeting_meat_fish": 2,
        "canteens_meeting_all": 1,
        "value_eur_ht_before": before,
        "local_value_eur_ht_before": 0.0,
        "share_local_before": 0.0,
        "share_local_kg_before": 0.0,
        "share_organic_before": 0.0,
        "share_quality_before": 0.0,
        "share_meat_fish_before": 0.0,
        "canteens_meeting_quality_before": 0,
        "canteens_meeting_organic_before": 0,
        "canteens_meeting_meat_fish_before": 0,
        "canteens_meeting_all_before": 0,
        "extra_cost_eur_ht": value - before,
        "extra_cost_share": (value - before) / before,
        "shortfall_quality_eur_ht": 0.0,
        "shortfall_organic_eur_ht": 0.2 * 979.8 - 172.2,
        "shortfall_meat_fish_eur_ht": 0.0,
    }
    return pd.DataFrame([row])


def test_hand_summary_is_valid() -> None:
    found = check(scenario(), FakeFullSolution(plan(), hand_canteens(), hand_summary()))
    assert found.empty, found.to_string()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("canteens_meeting_organic", 2),  # e.g. counted from the quality share
        ("canteens_meeting_quality", 1),
        ("canteens_meeting_meat_fish", 1),
        ("canteens_meeting_all", 2),
        ("canteens_meeting_organic_before", 1),
        ("canteens", 3),
        ("products", 2),
        ("weeks", 1),
        ("objective", 0.0),
        ("share_organic", 0.5),
        ("share_local_kg", 1.0),
        ("local_value_eur_ht", 1000.0),
        ("share_local", 0.5),
        ("share_quality", 0.5),
        ("share_meat_fish", 0.5),
        ("share_local_before", 0.5),
        ("value_eur_ht_before", 1272.0),
        ("extra_cost_eur_ht", 0.0),
        ("shortfall_organic_eur_ht", 0.0),
    ],
)
def test_wrong_summary_figure_is_found(column: str, value: object) -> None:
    summary = hand_summary()
    summary.loc[0, column] = value
    found = check(scenario(), FakeFullSolution(plan(), hand_canteens(), summary))
    assert found["rule"].tolist() == ["summary_figure"], found.to_string()
    assert found["message"].iloc[0].startswith(f"{column} reported")


def test_summary_counts_a_missing_quantity_as_no_kg() -> None:
    # A repeated producer line with no quantity: reported as such, and the summary's local
    # share in kg (160 of 230 kg) still holds.
    rows = [*plan_rows(), line("FARM_A", "LENS_1", "BEEF", W03, np.nan)]
    solution = FakeFullSolution(pd.DataFrame(rows), hand_canteens(), hand_summary())
    found = check(scenario(), solution)
    assert set(found["rule"]) == {"negative_qty", "duplicate_line"}, found.to_string()


def test_objective_of_an_unsolved_summary_is_not_compared() -> None:
    summary = hand_summary().assign(status="infeasible", objective=np.nan)
    found = check(scenario(), FakeFullSolution(plan(), hand_canteens(), summary))
    assert found.empty, found.to_string()


def test_solved_summary_counts_meet_each_target_on_its_own_share() -> None:
    """P's 30 organic apples go to C1 (nearer: less distance cost), C2 buys HVE ones: both
    meet quality, only C1 meets organic."""
    sc = make_scenario(
        {"APPLE": ("FRUITS_ET_LEGUMES", 1.0, 2.0)},
        {"C1": {"place": (1, 0)}, "C2": {"place": (-1, 0)}},
        {"P": {"place": (2, 1)}, "Q": {"place": (0, -1)}},
        [("P", "APPLE", "2026-W03", 30, 2.0, "BIO"), ("Q", "APPLE", "2026-W03", 500, 2.0, "HVE")],
        [("C1", "APPLE", "2026-W03", 30), ("C2", "APPLE", "2026-W03", 40)],
        targets={"quality": 0.5, "organic": 0.5, "meat_fish": 0.6},
    )
    solution = rhd_match.solve(sc, strategy="mip", threads=1, mip_gap=1e-9)
    found = check(sc, solution)
    assert found.empty, found.to_string()
    summary = solution.summary.iloc[0]
    assert summary["canteens_meeting_quality"] == 2
    assert summary["canteens_meeting_organic"] == 1
    assert summary["canteens_meeting_all"] == 1


@pytest.mark.parametrize(("error", "caught"), [(1e-5, False), (0.01, True)])
def test_a_shortfall_is_compared_within_rounding_of_the_canteens_purchases(
    error: float, caught: bool
) -> None:
    """A plan's tables round a shortfall within their tolerance of the base to 0, and the
    levels of the lexicographic objective keep a shortfall within 1e-5 EUR HT of the value
    reached: a difference of that order on a canteen buying 979.8 EUR HT is rounding, not a
    wrong figure; a cent is wrong."""
    canteens = hand_canteens()
    canteens.loc[1, "shortfall_meat_fish_eur_ht"] = error  # LIEVIN_1, recomputed 0
    found = check(scenario(), FakeSolution(plan(), canteens))
    assert (not found.empty) == caught, found.to_string()
    if caught:
        assert rules_and_ids(found) == {("canteen_figure", "LIEVIN_1", "", "", "")}


@pytest.mark.parametrize(
    ("table", "column", "value", "said"),
    [
        # The reported figure was written with Python's point beside a French recomputation.
        ("summary", "value_eur_ht_before", 1975.5, "value_eur_ht_before annoncé 1975,5, "),
        ("summary", "canteens", 3, "canteens annoncé 3, recalculé 2"),
        ("canteens", "value_eur_ht", 300.5, "value_eur_ht annoncé 300,5, recalculé "),
        ("canteens", "meets_organic", True, "meets_organic annoncé oui, recalculé non"),
    ],
)
def test_a_wrong_figure_is_said_in_one_number_format(
    table: str, column: str, value: object, said: str
) -> None:
    summary, canteens = hand_summary(), hand_canteens()
    frame = summary if table == "summary" else canteens
    frame.loc[frame.index[-1], column] = value
    with use_language("fr"):
        found = check(scenario(), FakeFullSolution(plan(), canteens, summary))
    [message] = [m for m in found["message"] if m.startswith(column)]
    assert message.startswith(said), message
    assert not re.search(r"\d\.\d", message), message
