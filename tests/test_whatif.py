"""What-if: variant builders change what they say, compare() lines results up in order."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any, TypeVar

import pandas as pd
import pytest
from factories import tiny_frames

from rhd_match import OptionError, Scenario, ScenarioError
from rhd_match.analysis.whatif import (
    Variant,
    add_producer,
    change_radius,
    change_targets,
    compare,
    convert_to_organic,
    raise_budget,
    remove_producer,
)
from rhd_match.i18n import use_language

#: The validation messages read here are the English source strings.
pytestmark = pytest.mark.usefixtures("english_messages")

T = TypeVar("T")


class InlineExecutor(Executor):
    """Runs each job at submission (a stand-in for any caller-provided executor)."""

    def __init__(self) -> None:
        self.jobs = 0

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        self.jobs += 1
        future: Future[T] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def variants() -> list[Variant]:
    return [
        remove_producer("FARM_A"),
        convert_to_organic("FARM_B", price_factor=1.2),
        change_radius(radius_km=1.0),
        raise_budget(factor=2.0),
        change_targets(organic=0.0),
    ]


def test_variant_names_in_the_active_language() -> None:
    """The builders name their variants through the catalogue (the table and the command line
    show those names); ``base`` stays the base row's key in every language."""
    assert [v.name for v in variants()] == [
        "without FARM_A",
        "FARM_B organic (price x1.2)",
        "delivery radii 1 km",
        "budgets x2",
        "organic target 0%",
    ]
    with use_language("fr"):
        assert [v.name for v in variants()] == [
            "sans FARM_A",
            "FARM_B en bio (prix x1,2)",
            "rayons de livraison 1 km",
            "budgets x2",
            "objectif bio 0\u00a0%",
        ]
        assert raise_budget(1.5, amount_eur_ht=-50).name == "budgets x1,5 -50 € HT"
        assert change_targets(quality=0.55, hard=True).name == "objectif qualité 55\u00a0% (strict)"


def test_builders_change_the_tables(tiny_scenario: Scenario) -> None:
    removed = remove_producer("FARM_A").apply(tiny_scenario)
    assert "FARM_A" not in set(removed.producers["producer_id"])
    assert "FARM_A" not in set(removed.offers["producer_id"])
    organic = convert_to_organic(["FARM_A", "FARM_B"], 1.5).apply(tiny_scenario)
    assert [set(cell.split(",")) for cell in organic.offers["labels"]] == [
        {"LABEL_ROUGE", "BIO"},
        {"LABEL_ROUGE", "BIO"},
        {"BIO", "FERMIER"},
        {"BIO", "FERMIER"},
        {"HVE", "BIO"},
        {"BIO"},
    ]
    before = tiny_scenario.offers["price_eur_ht"].to_numpy()
    after = organic.offers["price_eur_ht"].to_numpy()
    # The yogurts were organic: their price stays (it rose with the others' before).
    assert after.tolist() == pytest.approx((before * [1.5, 1.5, 1, 1, 1.5, 1.5]).tolist())
    radius = change_radius(factor=0.5, producer_ids="FARM_B").apply(tiny_scenario)
    assert radius.producers["delivery_radius_km"].tolist() == [40.0, 15.0]
    budget = raise_budget(amount_eur_ht=500.0).apply(tiny_scenario)
    assert budget.canteens["budget_eur_ht"].iloc[0] == 4500.0
    assert pd.isna(budget.canteens["budget_eur_ht"].iloc[1])
    targets = change_targets(quality=0.6, hard=True).apply(tiny_scenario)
    assert targets.parameters.targets.quality == 0.6
    assert targets.parameters.targets.organic == 0.2
    assert targets.parameters.hard_egalim
    offers = pd.DataFrame(
        {
            "producer_id": ["NEW"],
            "product_id": ["APPLE"],
            "week": ["2026-W04"],
            "qty": [100.0],
            "price_eur_ht": [1.9],
            "labels": ["BIO"],
        }
    )
    farm = {
        "producer_id": "NEW",
        "name": "New orchard",
        "lat": 50.43,
        "lon": 2.80,
        "delivery_capacity_kg_per_week": 200.0,
        "max_drops_per_week": 3,
        "delivery_radius_km": 20.0,
        "min_order_eur_ht": 0.0,
    }
    added = add_producer(farm, offers).apply(tiny_scenario)
    assert added.producers["producer_id"].tolist() == ["FARM_A", "FARM_B", "NEW"]
    assert len(added.offers) == len(tiny_scenario.offers) + 1


def test_compare_rows_in_order_with_deltas(tiny_scenario: Scenario) -> None:
    executor = InlineExecutor()
    table = compare(tiny_scenario, variants(), executor=executor, strategy="mip")
    assert executor.jobs == 6
    assert table["variant"].tolist() == ["base"] + [v.name for v in variants()]
    assert (table["status"] == "optimal").all()
    by = table.set_index("variant")
    base = by.loc["base"]
    assert base["delta_objective"] == 0.0
    # Nothing within 1 km: all conventional, no local purchase, no extra cost.
    radius = by.loc["delivery radii 1 km"]
    assert radius["share_local"] == 0.0
    assert radius["delta_share_local"] == pytest.approx(-base["share_local"])
    assert radius["extra_cost_eur_ht"] == pytest.approx(0.0)
    # Organic apples can only raise the organic share.
    organic = by.loc[variants()[1].name]
    assert organic["delta_share_organic"] >= -1e-9
    # Without the meat and yogurt farm, less is local.
    assert by.loc["without FARM_A"]["delta_share_local"] < 0
    # Relaxing a target never makes the optimum worse.
    assert by.loc["organic target 0%"]["delta_objective"] <= 1e-9


def test_default_process_pool_and_threads_give_the_same_table(tiny_scenario: Scenario) -> None:
    chosen = variants()[:2]
    processes = compare(tiny_scenario, chosen, strategy="mip")
    with ThreadPoolExecutor(max_workers=2) as pool:
        threads = compare(tiny_scenario, chosen, executor=pool, strategy="mip")
    drop = ["solve_time_s"]
    pd.testing.assert_frame_equal(processes.drop(columns=drop), threads.drop(columns=drop))


def test_duplicate_names_are_refused(tiny_scenario: Scenario) -> None:
    with pytest.raises(OptionError, match="'base' is asked for more than once"):
        compare(tiny_scenario, [Variant("base", lambda s: s)], executor=InlineExecutor())


def test_a_producer_organic_already_is_no_conversion() -> None:
    """« P3 en bio » raised the prices of P3's organic offers, as if it had converted."""
    frames = tiny_frames()
    frames["offers"].loc[frames["offers"]["producer_id"] == "FARM_A", "labels"] = "BIO"
    scenario = Scenario.from_frames(**frames)
    with use_language("en"), pytest.raises(ScenarioError) as caught:
        convert_to_organic(["FARM_A", "FARM_B"]).apply(scenario)
    [problem] = caught.value.problems
    assert "producer 'FARM_A' has no offer that is not organic already" in problem.message
