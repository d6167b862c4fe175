"""Menus → demand: portions by hand, greedy choice groups, vegetarian rule, demo seasons."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from rhd_match import Scenario
from rhd_match.analysis.menus import (
    CanteenService,
    Component,
    MenuPlan,
    default_primary_menu,
    menu_demand,
    services_from_scenario,
)
from rhd_match.check import check
from rhd_match.generate.products import load_catalogue, month_mask
from rhd_match.i18n import use_language
from rhd_match.weeks import week_month

#: The validation messages read here are the English source strings.
pytestmark = pytest.mark.usefixtures("english_messages")

VEGGIE = Component("vegetarian_protein", ("YOGURT",))
TINY_PLAN = MenuPlan(
    (
        (
            (VEGGIE,),
            (
                Component("meat", ("BEEF",)),
                Component("fruit", ("APPLE", "YOGURT"), "fruit or dairy"),
            ),
        ),
    )
)


def test_portions_by_hand(tiny_scenario: Scenario) -> None:
    service = CanteenService("LENS_1", {"primary": 100.0, "adult": 10.0}, ("2026-W03",))
    demand = menu_demand(TINY_PLAN, [service], tiny_scenario, choice="greedy").demand
    qty = demand.set_index("product_id")["qty"]
    assert qty["BEEF"] == pytest.approx(100 * 0.060 + 10 * 0.095)  # kg
    assert qty["APPLE"] == pytest.approx(100 * 0.125 + 10 * 0.150)  # kg
    assert qty["YOGURT"] == pytest.approx((100 * 0.100 + 10 * 0.120) / 0.125)  # pots
    assert list(demand.columns) == ["canteen_id", "product_id", "week", "qty"]
    # Only the first day served: the vegetarian main.
    one_day = CanteenService("LENS_1", {"primary": 100.0}, ("2026-W03",), days_per_week=1)
    one_day_demand = menu_demand(TINY_PLAN, [one_day], tiny_scenario, choice="greedy").demand
    assert one_day_demand["product_id"].tolist() == ["YOGURT"]
    # Overridden portions are used.
    plan = MenuPlan(TINY_PLAN.cycle, product_portions_kg={"BEEF": {"primary": 0.08}})
    both_days = CanteenService("LENS_1", {"primary": 100.0}, ("2026-W03",))
    beef = menu_demand(plan, [both_days], tiny_scenario).demand.set_index("product_id")["qty"]
    assert beef["BEEF"] == pytest.approx(8.0)


def test_choice_group_takes_the_option_with_most_local_supply(tiny_scenario: Scenario) -> None:
    # W03: 250 kg of apples and 75 kg of yogurt within reach of LENS_1; W04: no apples.
    service = CanteenService("LENS_1", {"primary": 10.0}, ("2026-W03", "2026-W04"))
    choices = menu_demand(TINY_PLAN, [service], tiny_scenario, choice="greedy").choices
    assert choices[["week", "product_id"]].values.tolist() == [
        ["2026-W03", "APPLE"],
        ["2026-W04", "YOGURT"],
    ]
    assert choices["local_supply_kg"].tolist() == pytest.approx([250.0, 75.0])


def test_menu_demand_is_a_valid_demand_table(tiny_scenario: Scenario) -> None:
    services = services_from_scenario(tiny_scenario, ["2026-W03", "2026-W04"])
    assert [s.meals_per_day for s in services] == [{"primary": 180.0}, {"secondary": 420.0}]
    for choice in ("greedy", "optimiser"):
        result = menu_demand(TINY_PLAN, services, tiny_scenario, choice=choice)
        tables: dict[str, Any] = tiny_scenario.tables | {
            "demand": result.demand,
            "groups": result.groups,
        }
        rebuilt = Scenario.from_frames(**tables)
        assert len(rebuilt.demand) == len(result.demand)
        assert (len(rebuilt.groups) > 0) == (choice == "optimiser")


def test_optimiser_choice_groups_are_portions_of_the_same_meals(tiny_scenario: Scenario) -> None:
    # The choice group in portions: 100 primary + 10 adult meals, whatever the mix.
    service = CanteenService("LENS_1", {"primary": 100.0, "adult": 10.0}, ("2026-W03",))
    result = menu_demand(TINY_PLAN, [service], tiny_scenario)
    qty = result.demand.set_index("product_id")["qty"]
    assert qty["fruit_or_dairy.primary"] == pytest.approx(100.0)
    assert qty["fruit_or_dairy.adult"] == pytest.approx(10.0)
    assert qty["BEEF"] == pytest.approx(100 * 0.060 + 10 * 0.095)  # plain rows as before
    conversion = result.groups.set_index(["group_id", "product_id"])["conversion"]
    assert conversion["fruit_or_dairy.primary", "APPLE"] == pytest.approx(0.125)  # kg a portion
    assert conversion["fruit_or_dairy.adult", "YOGURT"] == pytest.approx(0.150 / 0.125)  # pots
    assert result.choices.empty
    # The scenario the optimiser solves serves every portion, checked.
    tables: dict[str, Any] = tiny_scenario.tables | {
        "demand": result.demand,
        "groups": result.groups,
    }
    scenario = Scenario.from_frames(**tables)
    solution = scenario.solve(strategy="mip")
    assert check(scenario, solution).empty
    served = solution.menu.groupby("group_id")["group_qty"].sum()
    assert served["fruit_or_dairy.primary"] == pytest.approx(100.0)


def test_dish_names_in_the_active_language() -> None:
    """The plan's dishes are named in English in the code and shown translated (the
    ``component`` column of the choices, the dishes a territory lacks)."""
    names = {c.name for week in default_primary_menu().cycle for day in week for c in day}
    assert {"seasonal fruit", "vegetarian main", "raw vegetable starter"} <= names
    with use_language("fr"):
        french = {c.name for week in default_primary_menu().cycle for day in week for c in day}
    assert {"fruit de saison", "plat végétarien", "crudités"} <= french
    assert not {"seasonal fruit", "vegetarian main"} & french
    # Every dish has a name, none shown as a catalogue id (bread, potato, fish_fillet).
    ids = {
        k for week in default_primary_menu().cycle for day in week for c in day for k in c.options
    }
    assert not french & ids


def test_every_week_needs_a_vegetarian_main() -> None:
    meat_day = (Component("meat", ("BEEF",)),)
    with pytest.raises(ValueError, match="vegetarian"):
        MenuPlan(((meat_day,),))
    # A vegetarian protein next to meat does not make a vegetarian day.
    with pytest.raises(ValueError, match="vegetarian"):
        MenuPlan((((VEGGIE, Component("meat", ("BEEF",))),),))
    with pytest.raises(ValueError, match="portion"):
        MenuPlan((((VEGGIE, Component("soup", ("LEEK",))),),))


@pytest.fixture(scope="module")
def demo_primary() -> tuple[Scenario, pd.DataFrame, pd.DataFrame]:
    scenario = Scenario.demo()
    school = scenario.canteens[scenario.canteens["sector"] == "education_primaire"]
    weeks = [f"2026-W{w:02d}" for w in (2, 3, 4, 5, 27, 28, 40, 41)]
    services = services_from_scenario(scenario, weeks, school["canteen_id"].iloc[:1])
    with use_language("en"):  # a module fixture: the function-scoped language is not set yet
        result = menu_demand(default_primary_menu(), services, scenario, choice="greedy")
    return scenario, result.demand, result.choices


def test_demo_primary_school_follows_the_northern_seasonal_calendar(
    demo_primary: tuple[Scenario, pd.DataFrame, pd.DataFrame],
) -> None:
    _, _, choices = demo_primary
    choices = choices.assign(month=week_month(choices["week"]))
    summer = {"tomato", "zucchini", "green_bean", "strawberry", "red_fruits", "cauliflower"}
    january = choices[choices["month"] == 1]
    assert not january.empty
    assert not set(january["product_id"]) & summer
    july = choices[(choices["month"] == 7) & (choices["component"] == "seasonal cooked vegetable")]
    assert set(july["product_id"]) & summer
    # Every chosen product with local supply is in its local season (catalogue calendar).
    season = load_catalogue().set_index("product_id")["months"].map(month_mask)
    local = choices[choices["local_supply_kg"] > 0]
    assert len(local) == len(choices)
    for product, month in zip(local["product_id"], local["month"], strict=True):
        assert season[product][month - 1], (product, month)


def test_demo_weeks_each_have_a_vegetarian_main_and_varied_vegetables(
    demo_primary: tuple[Scenario, pd.DataFrame, pd.DataFrame],
) -> None:
    _, demand, choices = demo_primary
    for _, week in demand.groupby("week"):
        assert set(week["product_id"]) & {"eggs", "lentils", "split_peas"}
    veg = choices[choices["component"] == "seasonal cooked vegetable"]
    per_week = veg.groupby("week")["product_id"].nunique()
    assert (per_week == 3).all()  # served three times a week, three different vegetables
