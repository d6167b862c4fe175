"""Most canteens compliant under an extra budget per meal: the count-against-budget curve.

For each extra amount per meal ``b`` (EUR HT) every canteen whose meals are known gets the
budget ``today + b × meals``, where ``today`` is what it pays when it buys everything
conventional at reference prices (``cost_per_meal_before_eur_ht`` × meals, the "before" of
every report; a group in its cheapest mix, ``conventional_menu``); the scenario is then
solved with ``objective="compliance"`` (budgets hard, most canteen targets met, then most
local food, then least cost; ``docs/model.md``, *Objectives*).
The curve answers a Chamber's question: "if each canteen may spend ``b`` more per meal, how
many reach each EGalim target?" (national reference: +0.14 to +0.42 EUR per meal, CGAAER,
``docs/egalim.md``).

The solves share one clock (``Deadline``), the time limit from the call's start: each gets
what is left, and an amount the clock does not reach is not solved (status ``not_started``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..errors import InfeasibleError, OptionError
from ..i18n import gettext as _
from ..inputs.scenario import Scenario
from ..model.groups import conventional_menu
from ..model.strategies import Deadline, call_deadline
from ..plan.tables import canteen_table, conventional_flows

#: The curve's columns, one row per extra budget per meal.
CURVE_COLUMNS = (
    "extra_budget_per_meal_eur_ht",
    "canteens",
    "canteens_meeting_quality",
    "canteens_meeting_organic",
    "canteens_meeting_meat_fish",
    "canteens_meeting_all",
    "share_local",
    "extra_cost_per_meal_eur_ht",
    "status",
    "stopped_by_time_limit",
)


def with_extra_budget_per_meal(scenario: Scenario, eur_ht_per_meal: float) -> Scenario:
    """``scenario`` with each canteen's budget set to its all-conventional cost plus
    ``eur_ht_per_meal`` × its meals (canteens whose meals are unknown keep their budget).

    Parameters
    ----------
    scenario
        The territory.
    eur_ht_per_meal
        Extra food budget per meal over the all-conventional cost, EUR HT (≥ 0).

    Returns
    -------
    Scenario
        The same tables with ``canteens.budget_eur_ht`` replaced.
    """
    today = scenario.as_planned(conventional_menu(scenario))  # a menu's choice at its cheapest
    before = canteen_table(today, conventional_flows(today)).set_index("canteen_id")
    can = scenario.canteens.copy()
    rows = before.reindex(can["canteen_id"])
    meals = rows["meals"].to_numpy(float)
    today = rows["cost_per_meal_before_eur_ht"].to_numpy(float) * meals
    known = meals > 0
    budget = today + eur_ht_per_meal * meals
    can["budget_eur_ht"] = can["budget_eur_ht"].where(~known, budget)
    return scenario.with_tables(canteens=can)


def compliance_curve(
    scenario: Scenario,
    extra_per_meal: Sequence[float],
    deadline: Deadline | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Canteens meeting each EGalim target for each extra budget per meal.

    Parameters
    ----------
    scenario
        The territory.
    extra_per_meal
        Extra budgets per meal over the all-conventional cost, EUR HT, each ≥ 0.
    deadline
        The wall-clock budget the solves share; ``None`` for one of the ``time_limit_s`` of
        ``options`` (else the scenario's) starting now. Each solve gets what is left of it.
    **options
        Solver options (``SolverOptions`` fields) for every solve; ``objective`` is always
        ``compliance``; ``time_limit_s`` (s) is the whole call's.

    Returns
    -------
    pandas.DataFrame
        One row per amount, in increasing order (``CURVE_COLUMNS``): the amount (EUR HT per
        meal), ``canteens``, the canteens meeting each target and all three, the local share
        (fraction of value), the plan's extra cost per meal (EUR HT), the plan's status and
        whether the time limit stopped it.

        Every budget of at least today's cost has a plan (the levels serve a canteen that a
        heuristic's drops put over it conventionally, ``docs/model.md``, *Objectives*). A
        point without one (the scenario's own hard EGalim targets out of reach) has status
        ``no_plan_found`` (a heuristic's finding) or ``infeasible`` (proven by the exact
        model), and empty figures. An amount the clock did not reach (the time left shorter
        than what the last solve spent outside its solver: the build and the tables) has
        status ``not_started`` and empty figures, and then ``deadline.hit`` is set.

    Raises
    ------
    OptionError
        When no amount is given or one is negative or not finite.
    """
    amounts = sorted({float(b) for b in extra_per_meal})
    bad = [b for b in amounts if not (0.0 <= b < float("inf"))]
    if not amounts:
        raise OptionError(
            [_("budgets per meal: give at least one amount (EUR excl. VAT per meal)")]
        )
    if bad:
        raise OptionError(
            [
                _(
                    "budgets per meal: {values}: each amount must be at least 0 EUR excl. VAT"
                ).format(values=", ".join(str(b) for b in bad))
            ]
        )
    options = {**options, "objective": "compliance"}
    deadline = deadline or call_deadline(scenario, options)
    rows = []
    needed = 0.0  # what the last solve spent outside its solver, s
    for amount in amounts:
        row: dict[str, Any] = {"extra_budget_per_meal_eur_ht": amount}
        if deadline.left() <= needed or deadline.expired():
            deadline.hit = True
            rows.append(row | {"canteens": len(scenario.canteens), "status": "not_started"})
            continue
        started = time.perf_counter()
        try:
            solution = with_extra_budget_per_meal(scenario, amount).solve(
                **options | {"time_limit_s": deadline.left()}
            )
        except InfeasibleError as error:
            # Hard EGalim targets in the scenario may be out of reach within a budget: the
            # point says so and the curve goes on.
            row |= {"canteens": len(scenario.canteens)}
            row["status"] = "infeasible" if error.proven else "no_plan_found"
        else:
            s = solution.summary.iloc[0]
            row |= {name: s[name] for name in CURVE_COLUMNS[1:]}
            deadline.hit |= bool(s["stopped_by_time_limit"])
            needed = time.perf_counter() - started - float(s["solve_time_s"])
        rows.append(row)
    return pd.DataFrame(rows, columns=list(CURVE_COLUMNS))
