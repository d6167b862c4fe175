"""The index's arcs: the franco reduction on a hand-made case, and chunking leaves them as one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from factories import tiny_frames

from rhd_match import Scenario
from rhd_match.generate import generate_scenario
from rhd_match.model import index as index_module
from rhd_match.model.build import LinearModel, build_model
from rhd_match.model.constraints import define_all_constraints
from rhd_match.model.hub_constraints import define_hub_constraints
from rhd_match.model.index import ModelIndex, build_index
from rhd_match.model.variables import Variables


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


@pytest.fixture(scope="module")
def generated_model() -> tuple[ModelIndex, Variables, LinearModel]:
    """A generated scenario with market options, every target at 0 (zero coefficients in
    the EGalim rows): its index, variables and model."""
    scenario = generate_scenario(30, 40, 20, seed=3).with_parameters(
        targets={"quality": 0.0, "organic": 0.0, "meat_fish": 0.0}
    )
    assert len(scenario.market) > 0
    model = build_model(scenario)
    return model.index, model.variables, model


def test_the_matrix_is_scipys_assembly_of_the_families_triplets(
    generated_model: tuple[ModelIndex, Variables, LinearModel],
) -> None:
    """The model's matrix, indices in 32 bits, is what scipy assembles from the row
    families' own 64-bit triplets, zeros left out and duplicates summed."""
    index, variables, model = generated_model
    blocks = define_all_constraints(index, variables) + define_hub_constraints(index, variables)
    offsets = np.cumsum([0] + [b.count for b in blocks])
    parts = [
        (row + off, col, val)
        for b, off in zip(blocks, offsets, strict=False)
        for row, col, val in b.parts
    ]
    rows = np.concatenate([row for row, _, _ in parts]).astype(np.int64)
    cols = np.concatenate([col for _, col, _ in parts]).astype(np.int64)
    vals = np.concatenate([np.broadcast_to(val, row.shape) for row, _, val in parts])
    assert len(vals) == sum(b.nonzeros for b in blocks)
    keep = vals != 0
    assert not keep.all()  # the assembly has zeros to leave out
    reference = sp.csr_matrix(
        (vals[keep], (rows[keep], cols[keep])), shape=(int(offsets[-1]), variables.count)
    )
    reference.sum_duplicates()
    assert model.matrix.indices.dtype == model.matrix.indptr.dtype == np.int32
    for part in ("indptr", "indices", "data"):
        np.testing.assert_array_equal(getattr(model.matrix, part), getattr(reference, part))


def test_a_capacity_row_sums_the_kg_of_its_producers_arcs_that_week(
    generated_model: tuple[ModelIndex, Variables, LinearModel],
) -> None:
    index, variables, model = generated_model
    capacity = model.family("capacity")
    block = model.matrix[capacity.start : capacity.start + capacity.count]
    arcs = index.arcs.assign(col=variables.cols("x"))
    direct = arcs[~arcs["market"]]
    assert arcs["market"].any() and len(direct) > 0
    expected = direct.groupby(["producer", "week"])
    assert len(expected) == capacity.count
    for row, (producer, week) in enumerate(capacity.keys.itertuples(index=False)):
        got = block[row]
        group = expected.get_group((producer, week))
        np.testing.assert_array_equal(np.sort(got.indices), np.sort(group["col"].to_numpy()))
        np.testing.assert_allclose(
            got.toarray()[0, group["col"].to_numpy()], group["kg_per_unit"].to_numpy()
        )
    np.testing.assert_array_equal(
        model.row_upper[capacity.start : capacity.start + capacity.count],
        index.producers["capacity_kg"].to_numpy()[capacity.keys["producer"].to_numpy()],
    )
