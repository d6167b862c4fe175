"""The index's arcs: the franco reduction on a hand-made case, and chunking leaves them as one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from factories import tiny_frames

from rhd_match import Scenario
from rhd_match.generate import generate_scenario
from rhd_match.model import index as index_module
from rhd_match.model.build import build_model
from rhd_match.model.index import ModelIndex, build_index


def tiny_index(lens_yogurt_w04: float = 180.0, **farm_a: float) -> ModelIndex:
    """The tiny scenario with LENS_1's yogurt of week 4 (FARM_A's only product in that drop,
    0.41 EUR HT a pot of 0.125 kg, franco 50 EUR HT) and FARM_A's producer columns changed."""
    frames = tiny_frames()
    dem, prod = frames["demand"], frames["producers"]
    row = (dem["canteen_id"] == "LENS_1") & (dem["product_id"] == "YOGURT")
    dem.loc[row, "qty"] = lens_yogurt_w04
    for column, value in farm_a.items():
        prod.loc[prod["producer_id"] == "FARM_A", column] = value
    return build_index(Scenario.from_frames(**frames))


def lens_yogurt_row(index: ModelIndex) -> int:
    d = index.demand
    lens = list(index.canteen_ids).index("LENS_1")
    yogurt = list(index.product_ids).index("YOGURT")
    return int(np.flatnonzero((d["canteen"] == lens) & (d["product"] == yogurt))[0])


@pytest.mark.parametrize(
    "changes",
    [
        # 100 pots are worth 41 EUR HT at most.
        {"lens_yogurt_w04": 100.0},
        # 10 kg of yogurt a week are worth 32.80 EUR HT at most, whatever the demand.
        {"delivery_capacity_kg_per_week": 10.0},
        # 41 EUR HT at most against a franco one cent higher.
        {"lens_yogurt_w04": 100.0, "min_order_eur_ht": 41.01},
    ],
    ids=["value", "capacity", "a cent short"],
)
def test_a_drop_that_can_never_pay_the_franco_loses_its_arcs(changes: dict[str, float]) -> None:
    full = tiny_index()
    row = lens_yogurt_row(full)
    assert row in set(full.arcs["demand"]) and len(full.below_franco_demand) == 0

    small = tiny_index(**changes)
    assert lens_yogurt_row(small) == row
    assert row not in set(small.arcs["demand"])
    assert small.below_franco_demand.tolist() == [row]
    # Only that drop's arc is left out; its rows stay in the same order.
    kept = full.arcs[full.arcs["demand"] != row].reset_index(drop=True)
    columns = ["offer", "demand", "canteen", "week"]
    pd.testing.assert_frame_equal(small.arcs[columns], kept[columns])


def test_a_drop_worth_exactly_the_franco_keeps_its_arcs() -> None:
    index = tiny_index(lens_yogurt_w04=100.0, min_order_eur_ht=41.0)
    assert lens_yogurt_row(index) in set(index.arcs["demand"])
    assert len(index.below_franco_demand) == 0


def test_chunks_give_the_arcs_of_one_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    generated = generate_scenario(40, 60, 30, seed=1)
    # Offers out of producer order, so that chunks (by producer and week) interleave with it.
    scenario = Scenario.from_frames(
        products=generated.products,
        canteens=generated.canteens,
        producers=generated.producers,
        offers=generated.offers.sample(frac=1.0, random_state=0),
        demand=generated.demand,
        parameters=generated.parameters,
    )
    whole = build_index(scenario)
    arcs = whole.arcs
    assert len(arcs) > 1000 and len(whole.below_franco_demand) > 1000
    assert not arcs["producer"].is_monotonic_increasing
    # Offers in order, then canteens in code order.
    keys = arcs["offer"].to_numpy() * len(whole.canteen_ids) + arcs["canteen"].to_numpy()
    assert (np.diff(keys) > 0).all()
    for chunk in (1, 5000):
        monkeypatch.setattr(index_module, "CHUNK_PAIRS", chunk)
        chunked = build_index(scenario)
        pd.testing.assert_frame_equal(chunked.arcs, arcs)
        pd.testing.assert_frame_equal(chunked.drops, whole.drops)
        np.testing.assert_array_equal(chunked.below_franco_demand, whole.below_franco_demand)


def test_the_model_stores_no_zero_coefficient() -> None:
    """With every target at 0, an arc without label has a zero coefficient in each EGalim row:
    such entries are left out of the matrix, so its nonzero count (the model's size in the
    reports and the solvers' hand-over time estimates) counts real coefficients only."""
    frames = tiny_frames()
    scenario = Scenario.from_frames(**frames).with_parameters(
        targets={"quality": 0.0, "organic": 0.0, "meat_fish": 0.0}
    )
    model = build_model(scenario)
    assert model.matrix.nnz == np.count_nonzero(model.matrix.data)
    assert model.stats()["nonzeros"] == model.matrix.nnz
