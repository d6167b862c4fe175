"""What the hubs are worth: the same territory solved with its hubs and without them.

The figures are read from each plan's ``flows`` with the plan tables (``rhd_match.plan``), so
both plans are measured alike: the territory's local share (by value, EUR HT), the local share
of the small canteens (fewer than ``SMALL_CANTEEN_MEALS`` meals a day), how many canteens get
local food, the extra cost over the reference prices and the extra cost per meal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..inputs.scenario import Scenario
from ..logistics import compare_logistics, plan_tours
from ..plan.solution import Solution
from ..plan.tables import canteen_table

#: Below this many meals a day a canteen counts as small (its weekly orders rarely pay a
#: producer's franco on their own).
SMALL_CANTEEN_MEALS = 150.0

#: The delivery rounds' figures of ``hub_value``'s table (``rhd_match.logistics``).
LOGISTICS_FIGURES = ("km_per_t", "co2_kg_per_t", "cost_eur_per_kg", "cost_eur_per_meal")
#: The purchase plan's figures of ``hub_value``'s table, in order.
PLAN_FIGURES = (
    "share_local",
    "share_local_small_canteens",
    "canteens_with_local_food",
    "small_canteens_with_local_food",
    "kg_through_hubs",
    "extra_cost_eur_ht",
    "extra_cost_per_meal_eur_ht",
)
#: The rows of ``hub_value``'s table, in order.
FIGURES = (*PLAN_FIGURES, *LOGISTICS_FIGURES)


def without_hubs(scenario: Scenario) -> Scenario:
    """``scenario`` with no hub: every producer delivers directly (``hub_id`` information only).

    Parameters
    ----------
    scenario
        A validated scenario.

    Returns
    -------
    Scenario
        The same tables and parameters with an empty ``hubs`` table.
    """
    return scenario.with_tables(hubs=scenario.hubs.iloc[:0])


def plan_figures(scenario: Scenario, flows: pd.DataFrame) -> pd.Series:
    """The figures of ``PLAN_FIGURES`` for one plan.

    Parameters
    ----------
    scenario
        The scenario the plan was made for (its canteens' ``meals_per_day``).
    flows
        The plan's ``flows`` table.

    Returns
    -------
    pandas.Series
        Indexed by ``PLAN_FIGURES``: shares as fractions of value (EUR HT), counts of canteens, kg
        delivered through hubs, extra cost in EUR HT over the horizon and per meal.
    """
    canteens = canteen_table(scenario, flows)
    meals_per_day = scenario.canteens.set_index("canteen_id")["meals_per_day"]
    small = (meals_per_day.reindex(canteens["canteen_id"]) < SMALL_CANTEEN_MEALS).to_numpy()
    local, value = canteens["local_value_eur_ht"], canteens["value_eur_ht"]
    reached = (local > 0).to_numpy()
    meals = canteens["meals"].sum()
    extra = float(canteens["extra_cost_eur_ht"].sum())
    hub = flows["hub_id"].notna() if "hub_id" in flows else pd.Series(False, index=flows.index)
    return pd.Series(
        {
            "share_local": _share(local.sum(), value.sum()),
            "share_local_small_canteens": _share(local[small].sum(), value[small].sum()),
            "canteens_with_local_food": int(reached.sum()),
            "small_canteens_with_local_food": int((reached & small).sum()),
            "kg_through_hubs": float(flows.loc[hub.to_numpy(), "qty_kg"].sum()),
            "extra_cost_eur_ht": extra,
            "extra_cost_per_meal_eur_ht": extra / meals if meals > 0 else np.nan,
        }
    ).reindex(list(PLAN_FIGURES))


def hub_value(scenario: Scenario, **solver_options: Any) -> pd.DataFrame:
    """Solve ``scenario`` with its hubs and without them, and compare the two plans.

    Parameters
    ----------
    scenario
        A scenario with a ``hubs`` table (without one both plans are the same).
    **solver_options
        Passed to both solves (``rhd_match.solve``'s options: strategy, time limit...).

    Returns
    -------
    pandas.DataFrame
        One row per figure of ``FIGURES`` (index ``figure``); columns ``without_hubs`` and
        ``with_hubs`` (shares as fractions, counts, kg, EUR HT) and ``difference``
        (with − without). The last rows are the delivery rounds' (``plan_tours``, farms' and
        hubs' rounds): road km and kg CO2e per tonne delivered, logistics cost (EUR HT) per kg
        delivered and per meal (``compare_logistics``).

    Raises
    ------
    OptionError
        When a solver option is unknown or invalid.
    """
    direct = without_hubs(scenario)
    solved: Mapping[str, tuple[Scenario, Solution]] = {
        "without_hubs": (direct, direct.solve(**solver_options)),
        "with_hubs": (scenario, scenario.solve(**solver_options)),
    }
    rounds = compare_logistics(
        {name: (sc, plan_tours(sc, s.flows)) for name, (sc, s) in solved.items()}
    ).set_index("variant")
    table = pd.DataFrame(
        {
            name: pd.concat(
                [plan_figures(scenario, s.flows), rounds.loc[name, list(LOGISTICS_FIGURES)]]
            )
            for name, (_sc, s) in solved.items()
        }
    ).astype(float)
    table["difference"] = table["with_hubs"] - table["without_hubs"]
    table.index.name = "figure"
    return table


def _share(part: float, whole: float) -> float:
    return float(part / whole) if whole > 0 else 0.0
