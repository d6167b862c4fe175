"""The seeded scenario generator, the embedded Lens-Liévin demo and its text summary."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from factories import tiny_frames

from rhd_match import Scenario
from rhd_match.egalim import FAMILIES, parse_labels
from rhd_match.generate.calendar import service_days
from rhd_match.generate.products import load_catalogue, select_products
from rhd_match.generate.synthetic import DEMO_ARGUMENTS, generate_frames, generate_scenario, main
from rhd_match.generate.territory import load_communes
from rhd_match.i18n import use_language
from rhd_match.inputs.summary import describe
from rhd_match.weeks import week_month

#: The validation messages read here are the English source strings.
pytestmark = pytest.mark.usefixtures("english_messages")

SCHOOL_SECTORS = (
    "education_primaire",
    "education_secondaire_college",
    "education_secondaire_lycee",
)


@pytest.fixture(scope="module")
def demo() -> Scenario:
    return Scenario.demo()


def _demo_folder() -> Path:
    return Path(str(resources.files("rhd_match") / "data" / "demo"))


# -- determinism and validity -----------------------------------------------------------------


def test_same_arguments_give_identical_frames() -> None:
    first = generate_frames(12, 15, seed=7)
    second = generate_frames(12, 15, seed=7)
    for name, frame in first.items():
        pd.testing.assert_frame_equal(frame, second[name], obj=name)


def test_another_seed_gives_other_frames() -> None:
    first = generate_frames(12, 15, seed=7)
    other = generate_frames(12, 15, seed=8)
    assert not first["demand"].equals(other["demand"])
    assert not first["producers"].equals(other["producers"])


@pytest.mark.parametrize("territory", ["lens-lievin", "synthetic"])
def test_generated_scenario_validates(territory: str) -> None:
    scenario = generate_scenario(80, 100, n_products=30, seed=3, territory=territory)
    assert len(scenario.canteens) == 80
    assert len(scenario.producers) == 100
    assert len(scenario.products) == 30
    assert len(scenario.offers) > 0 and len(scenario.demand) > 0
    # Only "no offer within reach" notes, never a label put on the wrong family; and the
    # producers whose every product is among those left out (30 of the catalogue) offer none.
    idle = set(scenario.producers["producer_id"]) - set(scenario.offers["producer_id"])
    for w in scenario.warnings:
        assert w.column == "canteen_id" or (w.column == "producer_id" and idle), w.message


def test_unknown_territory_is_refused() -> None:
    with pytest.raises(ValueError, match="territory"):
        generate_frames(5, 5, territory="atlantis")


# -- the embedded demo --------------------------------------------------------------------------


def test_demo_loads_with_expected_sizes(demo: Scenario) -> None:
    assert len(demo.canteens) == 63
    assert 120 <= len(demo.producers) <= 140
    assert 38 <= len(demo.products) <= 45
    assert set(demo.products["family"]) == set(FAMILIES)
    communes = set(load_communes()["insee"])
    assert len(communes) == 36
    assert set(demo.canteens["insee"]) <= communes
    assert demo.canteens["insee"].nunique() >= 15
    weeks = pd.concat([demo.demand["week"], demo.offers["week"]])
    assert weeks.str.startswith("2026-W").all()
    assert weeks.nunique() >= 52
    assert not [w for w in demo.warnings if w.column != "canteen_id"]
    assert len(demo.warnings) <= 3


def test_demo_canteen_mix(demo: Scenario) -> None:
    sectors = demo.canteens["sector"].value_counts()
    assert sectors["education_primaire"] == 41  # 40 schools and the central kitchen
    assert sectors["education_secondaire_college"] == 10
    assert sectors["education_secondaire_lycee"] == 4
    assert sectors["social_ehpad"] == 6
    assert sectors["sante_hopital"] == 2
    budgets = demo.canteens["budget_eur_ht"].notna().sum()
    assert budgets == 21


def test_demo_files_equal_a_fresh_generation(tmp_path: Path) -> None:
    generate_scenario(**DEMO_ARGUMENTS).to_folder(tmp_path)
    committed = _demo_folder()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(p.name for p in committed.iterdir() if not p.name.startswith("."))
    for name in names:
        assert (tmp_path / name).read_bytes() == (committed / name).read_bytes(), name


# -- realism ------------------------------------------------------------------------------------


@pytest.mark.parametrize("product", ["tomato", "zucchini", "strawberry"])
def test_fresh_summer_produce_is_absent_in_winter(demo: Scenario, product: str) -> None:
    for table in (demo.offers, demo.demand):
        rows = table[table["product_id"] == product]
        months = week_month(rows["week"])
        assert len(rows) > 0
        assert not months.isin([1, 2, 3]).any()
        assert months.isin([7, 8]).any()


def test_schools_have_no_demand_in_august(demo: Scenario) -> None:
    sector = demo.demand["canteen_id"].map(demo.canteens.set_index("canteen_id")["sector"])
    august = week_month(demo.demand["week"]) == 8
    assert not (august & sector.isin(SCHOOL_SECTORS)).any()
    assert (august & sector.isin(["social_ehpad", "sante_hopital"])).any()


def test_school_calendar_2026() -> None:
    four_days = service_days(2026, (1, 2, 4, 5), school=True)
    assert (four_days > 0).sum() == 36  # zone B 2025-26 and 2026-27 school weeks
    assert 130 <= four_days.sum() <= 145  # ~140 service days a year
    assert four_days[0] == 0 and four_days[-1] == 0  # Christmas holidays
    assert service_days(2026, (1, 2, 3, 4, 5, 6, 7), school=False).sum() == 365


def test_food_per_meal_is_plausible(demo: Scenario) -> None:
    kg = demo.demand["qty"] * demo.demand["product_id"].map(
        demo.products.set_index("product_id")["kg_per_unit"]
    )
    per_canteen = kg.groupby(demo.demand["canteen_id"]).sum()
    hospitals = demo.canteens[demo.canteens["sector"] == "sante_hopital"]
    for _, row in hospitals.iterrows():
        per_meal = per_canteen[row["canteen_id"]] / (row["meals_per_day"] * 365)
        assert 0.40 <= per_meal <= 0.55  # ~0.45-0.5 kg of raw food per meal


def test_budgets_are_close_to_the_reference_cost(demo: Scenario) -> None:
    ref = demo.products.set_index("product_id")["reference_price_eur_ht"]
    cost = (
        (demo.demand["qty"] * demo.demand["product_id"].map(ref))
        .groupby(demo.demand["canteen_id"])
        .sum()
    )
    with_budget = demo.canteens.dropna(subset=["budget_eur_ht"]).set_index("canteen_id")
    ratio = with_budget["budget_eur_ht"] / cost[with_budget.index]
    assert ratio.between(1.02, 1.16).all()


def test_offer_labels_and_prices_follow_the_rules(demo: Scenario) -> None:
    catalogue = load_catalogue().set_index("product_id")
    offers = demo.offers.join(catalogue, on="product_id")
    labels = offers["labels"].fillna("").map(parse_labels)
    organic = labels.map(lambda labs: "BIO" in labs)
    plain = labels.map(len) == 0
    # Producers are organic for all their offers or for none.
    assert organic.groupby(offers["producer_id"]).nunique().max() == 1
    assert 0.08 <= organic.groupby(offers["producer_id"]).first().mean() <= 0.18
    assert labels[offers["product_id"] == "maroilles"].map(lambda labs: "AOCAOP" in labs).all()
    fermier = labels.map(lambda labs: "FERMIER" in labs)
    allowed = ["VIANDES_VOLAILLES", "CHARCUTERIE", "PRODUITS_LAITIERS"]
    assert not (fermier & ~offers["family"].isin(allowed)).any()
    price = offers["price_eur_ht"]
    assert (
        price[plain]
        .between(offers["conv_price_low"][plain] - 0.01, offers["conv_price_high"][plain] + 0.01)
        .all()
    )
    assert (
        price[organic]
        .between(
            offers["organic_price_low"][organic] - 0.01,
            offers["organic_price_high"][organic] + 0.01,
        )
        .all()
    )


def test_local_supply_covers_part_of_the_demand(demo: Scenario) -> None:
    products = demo.products.set_index("product_id")

    def kg_by_family(lines: pd.DataFrame) -> pd.Series:
        kg = lines["qty"] * lines["product_id"].map(products["kg_per_unit"])
        return kg.groupby(lines["product_id"].map(products["family"])).sum()

    ratio = kg_by_family(demo.offers) / kg_by_family(demo.demand)
    assert 0.3 <= ratio["FRUITS_ET_LEGUMES"] <= 0.6
    assert ratio["VIANDES_VOLAILLES"] < ratio["FRUITS_ET_LEGUMES"]
    assert (ratio < 1.0).all()


# -- products -----------------------------------------------------------------------------------


def test_product_subsets_and_variants_keep_the_food_per_meal() -> None:
    catalogue = load_catalogue()
    base_total = float((catalogue["servings_per_week"] * catalogue["portion_kg_secondary"]).sum())
    more = select_products(catalogue, len(catalogue) + 17)
    assert len(more) == len(catalogue) + 17
    assert more["product_id"].is_unique
    assert more["product_id"].str.endswith("_2").sum() == 17
    total = float((more["servings_per_week"] * more["portion_kg_secondary"]).sum())
    assert total == pytest.approx(base_total)
    fewer = select_products(catalogue, 10)
    assert len(fewer) == 10
    kept = set(fewer["product_id"])  # the largest by yearly value per meal
    assert {"bread", "fish_fillet", "beef_stew"} <= kept
    assert "split_peas" not in kept


def test_catalogue_prices_and_portions_are_consistent() -> None:
    catalogue = load_catalogue()
    assert 38 <= len(catalogue) <= 45
    assert catalogue["product_id"].is_unique
    assert (catalogue["conv_price_low"] <= catalogue["conv_price_high"]).all()
    assert (catalogue["conv_price_high"] <= catalogue["organic_price_high"]).all()
    assert (catalogue["portion_kg_primary"] <= catalogue["portion_kg_secondary"]).all()
    assert set(catalogue["family"]) == set(FAMILIES)
    assert re.fullmatch(r"[0-9,\-]+", ",".join(catalogue["months"]))


# -- scale and command line ---------------------------------------------------------------------


def test_benchmark_size_is_generated() -> None:
    frames = generate_frames(1500, 1000, 60, seed=1, territory="synthetic")
    assert len(frames["products"]) == 60
    assert frames["canteens"]["canteen_id"].is_unique
    assert len(frames["demand"]) > 500_000
    assert np.isfinite(frames["offers"]["price_eur_ht"]).all()


def test_command_line_writes_a_scenario(tmp_path: Path) -> None:
    out = tmp_path / "small"
    assert main(["--canteens", "8", "--producers", "12", "--seed", "4", "--out", str(out)]) == 0
    scenario = Scenario.from_folder(out)
    assert len(scenario.canteens) == 8
    assert len(scenario.producers) == 12


def test_command_line_groups_the_unreachable_demand_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 8 canteens, 6 producers: every canteen buys products no producer within reach offers.
    assert main(["--canteens", "8", "--producers", "6", "--out", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    lonely = [line for line in out.splitlines() if "delivery radius" in line]
    assert len(lonely) == 1, out
    assert "8 canteens" in lonely[0]
    assert re.search(r"C001 \(\d+ of \d+\), C002 \(\d+ of \d+\), C003 \(\d+ of \d+\)", lonely[0])
    assert "C004" not in lonely[0] and "5 more" in lonely[0]


# -- summary ------------------------------------------------------------------------------------


def test_describe_reports_families_and_current_shares(demo: Scenario) -> None:
    with use_language("fr"):  # the module reads English messages; French is the default
        text = describe(demo)
    for family in FAMILIES:
        assert family in text
    assert re.search(r"\nbio\s+20,0\s+0,0\s+0 / 63", text)
    assert re.search(r"qualité et durabilité\s+50,0\s+0,0", text)
    assert "education_secondaire_college" in text
    assert "Demande à portée d’une offre" in text
    assert "63 cantines, 21\u202f227 repas" in text  # plural, French digit groups
    with use_language("en"):
        english = describe(demo)
    assert re.search(r"\norganic\s+20\.0\s+0\.0\s+0 / 63", english)
    assert "Demand within reach of some offer" in english


def test_describe_names_a_single_week_once() -> None:
    """A scenario of one week was « 2026-W03 à 2026-W03 »."""
    frames = tiny_frames()
    for table in ("offers", "demand"):
        frames[table]["week"] = "2026-W03"
    frames["offers"] = frames["offers"].drop_duplicates(["producer_id", "product_id", "week"])
    frames["demand"] = frames["demand"].drop_duplicates(["canteen_id", "product_id", "week"])
    with use_language("fr"):
        text = describe(Scenario.from_frames(**frames))
    assert "3 produits, 1 semaine ISO (2026-W03)." in text, text.splitlines()[0]


def test_describe_counts_canteens_meeting_a_target(demo: Scenario) -> None:
    easy = demo.with_parameters(targets={"quality": 0.0, "organic": 0.0, "meat_fish": 0.0})
    with use_language("fr"):
        text = describe(easy)
    assert re.search(r"\nbio\s+0,0\s+0,0\s+63 / 63", text)
