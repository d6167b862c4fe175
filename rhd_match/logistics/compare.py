"""Logistics figures of plans side by side: km, CO2 and cost per tonne delivered, per kg and
per meal (direct delivery only against deliveries through hubs, say)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..inputs.scenario import Scenario
from ..plan.tables import meals_served
from .tours import TourPlan

#: The figure of a with/without-hubs comparison (``rhd_match.analysis.hub_value``) counting
#: the routing problems whose rounds are the first found, the run's time limit spent
#: (``TourPlan.first_only``): 0 unless the clock cut the routing short.
ROUTING_FIGURE = "routing_first_only"
#: Units of that comparison's table: shares are fractions of value (EUR HT); the difference
#: of two shares is in percentage points.
SHARE_UNIT, POINTS_UNIT = "fraction", "points"


def routing_first_only(table: pd.DataFrame) -> int:
    """The routing problems a with/without-hubs comparison left with their first rounds.

    Parameters
    ----------
    table
        ``rhd_match.analysis.hub_value``'s table (index ``figure``; columns ``without_hubs``
        and ``with_hubs``).

    Returns
    -------
    int
        Both variants' ``ROUTING_FIGURE`` added.
    """
    return int(table.loc[ROUTING_FIGURE, ["without_hubs", "with_hubs"]].to_numpy().sum())


#: Columns of ``compare_logistics``, after ``variant``.
COMPARISON_COLUMNS = (
    "delivered_kg",
    "km",
    "hours",
    "cost_eur_ht",
    "co2_kg",
    "km_per_t",
    "co2_kg_per_t",
    "cost_eur_per_kg",
    "cost_eur_per_meal",
)


def delivered_kg(scenario: Scenario, plan: TourPlan) -> float:
    """kg dropped at canteens by a plan's rounds (drops at a hub, carried on by the hub's
    rounds, are not counted twice).

    Parameters
    ----------
    scenario
        The scenario (its ``hubs``' ids).
    plan
        The tours (``plan_tours``).

    Returns
    -------
    float
        kg delivered to canteens over the horizon.
    """
    hubs = set(scenario.hubs["hub_id"].astype(str))
    return sum(
        float(kg)
        for stops, kgs in zip(plan.tours["stops"], plan.tours["stop_kg"], strict=True)
        for stop, kg in zip(str(stops).split(";"), str(kgs).split(";"), strict=True)
        if stop not in hubs
    )


def compare_logistics(scenarios_and_plans: Mapping[str, tuple[Scenario, TourPlan]]) -> pd.DataFrame:
    """Every round of each variant summed, and per tonne, kg and meal.

    Parameters
    ----------
    scenarios_and_plans
        Variant name (e.g. ``"direct only"``, ``"with the hub"``) → its scenario and tours.

    Returns
    -------
    pandas.DataFrame
        One row per ``variant``, in the order given: ``delivered_kg`` (kg dropped at
        canteens), ``km``, ``hours``, ``cost_eur_ht`` and ``co2_kg`` of every round (farms'
        and hubs'), then ``km_per_t`` and ``co2_kg_per_t`` delivered, ``cost_eur_per_kg``
        delivered and ``cost_eur_per_meal`` (EUR HT over the territory's meals of the year,
        ``rhd_match.plan.tables.meals_served``).
    """
    rows = []
    for variant, (scenario, plan) in scenarios_and_plans.items():
        kg = delivered_kg(scenario, plan)
        total = plan.tours[["km", "hours", "cost_eur_ht", "co2_kg"]].sum()
        meals = float(meals_served(scenario).sum())
        tonnes = kg / 1000
        rows.append(
            {
                "variant": variant,
                "delivered_kg": kg,
                **{c: float(total[c]) for c in ("km", "hours", "cost_eur_ht", "co2_kg")},
                "km_per_t": float(total["km"]) / tonnes if kg > 0 else float("nan"),
                "co2_kg_per_t": float(total["co2_kg"]) / tonnes if kg > 0 else float("nan"),
                "cost_eur_per_kg": float(total["cost_eur_ht"]) / kg if kg > 0 else float("nan"),
                "cost_eur_per_meal": float(total["cost_eur_ht"]) / meals
                if meals > 0
                else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=["variant", *COMPARISON_COLUMNS])
