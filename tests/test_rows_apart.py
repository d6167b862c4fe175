"""Rows apart from the others: a canteen without demand, a producer without offers, a
canteen with demand but no meal, demand in a week outside the year of the others. Each is
warned before the solve; a canteen that buys nothing meets no EGalim target, after or before
the plan (it counted as meeting all three)."""

from __future__ import annotations

import pandas as pd
import pytest
from factories import tiny_frames

from rhd_match import Scenario, check
from rhd_match.i18n import use_language

TARGETS = ("quality", "organic", "meat_fish")


def with_idle_rows(meals: float | None = 0.0) -> Scenario:
    """The tiny scenario with a canteen (IDLE_C) and a producer (IDLE_P) in no other table,
    and LIEVIN_1 serving ``meals`` meals a day."""
    frames = tiny_frames()
    can = frames["canteens"]
    idle = can.iloc[[0]].assign(canteen_id="IDLE_C", name="Cantine sans demande")
    frames["canteens"] = pd.concat([can, idle], ignore_index=True)
    frames["canteens"].loc[1, "meals_per_day"] = meals
    prod = frames["producers"]
    frames["producers"] = pd.concat(
        [prod, prod.iloc[[1]].assign(producer_id="IDLE_P")], ignore_index=True
    )
    return Scenario.from_frames(**frames)


def test_idle_rows_are_warned_once_each_at_their_row() -> None:
    with use_language("en"):
        warnings = with_idle_rows().warnings
    said = {(w.table, w.row, w.column): w.message for w in warnings}
    assert said[("canteens", 4, "canteen_id")].startswith(
        "1 canteen with nothing to buy, no demand row or every quantity 0 (IDLE_C)"
    )
    assert said[("producers", 4, "producer_id")].startswith("1 producer with no offer row (IDLE_P)")
    assert said[("canteens", 3, "meals_per_day")].startswith(
        "1 canteen with demand but no meal served (LIEVIN_1)"
    )
    assert len(said) == len(warnings) == 3
    assert all(w.severity == "warning" for w in warnings)


def test_the_warnings_speak_french() -> None:
    with use_language("fr"):
        messages = [w.message for w in with_idle_rows().warnings]
    assert any(m.startswith("1 cantine sans rien à acheter") and "(IDLE_C)" in m for m in messages)
    assert any(m.startswith("1 producteur sans ligne d’offre (IDLE_P)") for m in messages)


def test_meals_left_empty_are_unknown_not_warned() -> None:
    with use_language("en"):
        messages = [w.message for w in with_idle_rows(meals=None).warnings]
    assert len(messages) == 2
    assert not [m for m in messages if "no meal served" in m]


@pytest.mark.parametrize("objective", ["lexicographic", "compliance"])
def test_a_canteen_that_buys_nothing_meets_no_target(objective: str) -> None:
    scenario = with_idle_rows(meals=420.0)
    solution = scenario.solve(strategy="mip", objective=objective)
    row = solution.canteens.set_index("canteen_id").loc["IDLE_C"]
    assert row["value_eur_ht"] == 0.0
    assert not row[[f"meets_{t}" for t in TARGETS]].any()
    summary = solution.summary.iloc[0]
    met = solution.canteens[[f"meets_{t}" for t in TARGETS]].all(axis=1).sum()
    assert summary["canteens_meeting_all"] == met <= 2
    assert summary["canteens_meeting_all_before"] == 0
    assert check(scenario, solution).empty
    if objective == "compliance":  # the model's count is the tables' count
        counted = sum(int(solution.canteens[f"meets_{t}"].sum()) for t in TARGETS)
        assert summary["level_1_value"] == pytest.approx(-counted)


def test_a_canteen_whose_demand_is_all_zero_buys_nothing_and_is_no_meal_counted() -> None:
    """LIEVIN_1's demand rows all at 0: no warning, « 1/2 » canteens at the targets though it
    had nothing to buy, and its meals in the territory's cost per meal."""
    frames = tiny_frames()
    demand = frames["demand"]
    demand.loc[demand["canteen_id"] == "LIEVIN_1", "qty"] = 0.0
    with use_language("en"):
        scenario = Scenario.from_frames(**frames)
        said = [w.message for w in scenario.warnings if w.column == "canteen_id"]
        solution = scenario.solve(strategy="mip")
        text = str(solution)
    assert said and "every quantity 0 (LIEVIN_1)" in said[0]
    summary = solution.summary.iloc[0]
    assert summary["canteens"] == 2 and summary["canteens_buying"] == 1
    assert f"{int(summary['canteens_meeting_all'])}/1" in text
    can = solution.canteens.set_index("canteen_id")
    assert pd.isna(can.loc["LIEVIN_1", "meals"])
    assert summary["meals"] == can.loc["LENS_1", "meals"]
    per_meal = can.loc["LENS_1", "value_eur_ht"] / can.loc["LENS_1", "meals"]
    assert summary["cost_per_meal_eur_ht"] == pytest.approx(per_meal)


def stray_warnings(weeks: list[str]) -> list[str]:
    """The stray-week warnings of the tiny scenario with its demand rows in ``weeks``."""
    frames = tiny_frames()
    frames["demand"]["week"] = weeks
    with use_language("en"):
        scenario = Scenario.from_frames(**frames)
    return [
        f"{w.row} {w.column} {w.message}" for w in scenario.warnings if "typed wrong" in w.message
    ]


def test_a_week_in_another_year_is_warned_at_its_row() -> None:
    weeks = ["2026-W03", "2026-W03", "2026-W04", "2026-W03", "2027-W06", "2026-W04", "2026-W04"]
    [said] = stray_warnings(weeks)
    assert said.startswith("6 week 1 row in week 2027-W06, outside the year of the others")
    assert "(2026-W03 to 2026-W04)" in said


def test_the_others_in_one_week_are_named_once() -> None:
    """The others all in 2026-W03 were said « (2026-W03 to 2026-W03) »."""
    weeks = ["2026-W03", "2026-W03", "2026-W03", "2026-W03", "2027-W06", "2026-W03", "2026-W03"]
    [said] = stray_warnings(weeks)
    assert "outside the year of the others (2026-W03): " in said


def test_an_offer_week_in_another_year_is_warned_at_its_row() -> None:
    """An offer in 2027-W06 among 2026's was left unsaid: it can serve no demand."""
    frames = tiny_frames()
    frames["offers"].loc[2, "week"] = "2027-W06"
    with use_language("en"):
        scenario = Scenario.from_frames(**frames)
    [said] = [w for w in scenario.warnings if "typed wrong" in w.message]
    assert (said.table, said.row, said.column) == ("offers", 4, "week")
    assert said.message.startswith("1 row in week 2027-W06, outside the year of the others")
    assert "Only a demand of that same week can buy it" in said.message


@pytest.mark.parametrize(
    "weeks",
    [
        # A school year: September to July, across two ISO years, 46 weeks apart.
        ["2026-W36", "2026-W36", "2026-W50", "2027-W02", "2027-W27", "2027-W27", "2027-W27"],
        # A whole ISO year of 53 weeks, first to last.
        ["2026-W01", "2026-W01", "2026-W20", "2026-W40", "2026-W53", "2026-W53", "2026-W53"],
    ],
)
def test_a_year_of_weeks_across_two_iso_years_is_no_slip(weeks: list[str]) -> None:
    assert stray_warnings(weeks) == []


def test_the_year_holding_most_rows_is_kept_whichever_comes_first() -> None:
    weeks = ["2025-W10", "2026-W20", "2026-W20", "2026-W21", "2026-W22", "2026-W21", "2026-W22"]
    [said] = stray_warnings(weeks)
    assert said.startswith("2 week 1 row in week 2025-W10, outside the year of the others")
