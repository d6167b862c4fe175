"""What the hubs are worth: the same territory solved with its hubs and without them.

The figures are read from each plan's ``flows`` with the plan tables (``rhd_match.plan``), so
both plans are measured alike: the territory's local share (by value, EUR HT), the local share
of the small canteens (fewer than ``SMALL_CANTEEN_MEALS`` meals a day), how many canteens get
local food, the extra cost over the reference prices and the extra cost per meal; beside the
small canteens' share, an upper bound on it that no plan can pass (an LP relaxation,
``small_canteens_local_bound``).
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem, ScenarioError
from ..i18n import gettext as _
from ..inputs.scenario import Scenario
from ..logistics import TourPlan, compare_logistics, plan_tours
from ..logistics.compare import POINTS_UNIT, ROUTING_FIGURE, SHARE_UNIT
from ..model.build import build_model
from ..model.strategies import Deadline, call_deadline, elastic_upper
from ..plan.solution import Solution
from ..plan.tables import canteen_table

#: Below this many meals a day a canteen counts as small (its weekly orders rarely pay a
#: producer's franco on their own).
SMALL_CANTEEN_MEALS = 150.0

#: The LP solver of ``small_canteens_local_bound`` and its most rounds (Dinkelbach's method
#: ends in a few on an LP; it stops once a round gains less than ``BOUND_TOL`` of the small
#: canteens' purchases).
BOUND_SOLVER, BOUND_ROUNDS, BOUND_TOL = "glop", 12, 1e-9
#: Its time limit, s, for its build and all its LPs, when none is given.
BOUND_TIME_LIMIT_S = 600.0

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
#: ``hub_value``'s upper bound on the small canteens' local share
#: (``small_canteens_local_bound``), beside the plan's figure.
BOUND_FIGURE = "share_local_small_canteens_bound"
#: The rows of ``hub_value``'s table, in order.
FIGURES = (
    *PLAN_FIGURES[:2],
    BOUND_FIGURE,
    *PLAN_FIGURES[2:],
    *LOGISTICS_FIGURES,
    ROUTING_FIGURE,
)

#: The unit of each figure of ``hub_value``'s table (its ``unit`` column): shares are fractions
#: of value (EUR HT); their differences are in percentage points (``difference_unit``).
FIGURE_UNITS = {
    "share_local": SHARE_UNIT,
    "share_local_small_canteens": SHARE_UNIT,
    BOUND_FIGURE: SHARE_UNIT,
    "canteens_with_local_food": "canteens",
    "small_canteens_with_local_food": "canteens",
    "kg_through_hubs": "kg",
    "extra_cost_eur_ht": "EUR HT",
    "extra_cost_per_meal_eur_ht": "EUR HT per meal",
    "km_per_t": "km per t",
    "co2_kg_per_t": "kg CO2e per t",
    "cost_eur_per_kg": "EUR HT per kg",
    "cost_eur_per_meal": "EUR HT per meal",
    ROUTING_FIGURE: "routing problems",
}


def without_hubs(scenario: Scenario) -> Scenario:
    """``scenario`` with no hub: every producer delivers directly (``hub_id`` information only).

    Parameters
    ----------
    scenario
        A validated scenario.

    Returns
    -------
    Scenario
        The same tables and parameters with an empty ``hubs`` table and no road distance
        from or to a hub.
    """
    return scenario.with_tables(
        hubs=scenario.hubs.iloc[:0], distances=scenario.distances_without(scenario.hubs["hub_id"])
    )


def plan_figures(scenario: Scenario, flows: pd.DataFrame) -> pd.Series:
    """The figures of ``PLAN_FIGURES`` for one plan.

    Parameters
    ----------
    scenario
        The scenario the plan was made for, as planned (``Scenario.as_planned``: a group's
        products as chosen, each at its reference price; its canteens' ``meals_per_day``).
    flows
        The plan's ``flows`` table.

    Returns
    -------
    pandas.Series
        Indexed by ``PLAN_FIGURES``: shares as fractions of value (EUR HT), counts of canteens, kg
        delivered through hubs, extra cost in EUR HT over the horizon and per meal.
    """
    canteens = canteen_table(scenario, flows)
    small = small_canteens(scenario).reindex(canteens["canteen_id"], fill_value=False).to_numpy()
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


def small_canteens(scenario: Scenario) -> pd.Series:
    """Whether each canteen is small (fewer than ``SMALL_CANTEEN_MEALS`` meals a day).

    Parameters
    ----------
    scenario
        A validated scenario.

    Returns
    -------
    pandas.Series
        Bool indexed by ``canteen_id``; a canteen without ``meals_per_day`` is not small.
    """
    meals_per_day = scenario.canteens.set_index("canteen_id")["meals_per_day"]
    return meals_per_day < SMALL_CANTEEN_MEALS


def small_canteens_local_bound(
    scenario: Scenario,
    time_limit_s: float = BOUND_TIME_LIMIT_S,
    threads: int = 1,
    deadline: Deadline | None = None,
) -> float:
    """An upper bound on the small canteens' local share that any plan can reach.

    The largest local share (local value over all purchases, EUR HT, over the canteens of
    ``small_canteens``) of the LP relaxation of the model of the small canteens alone: a
    ratio of two linear functions, maximised by Dinkelbach's method (for a share s, the LP
    maximising local value − s × value; s becomes the ratio of its plan, until the LP gains
    nothing). It keeps the offers' quantities, the producers' capacities and reach, the
    hubs' members, radius, weekly capacity and fleet, the demand, and each direct drop's
    franco (a direct arc whose drop can never pay it is not in the model; the others keep
    the franco row, relaxed with the drop); it relaxes the drops, lots and hub drops
    (continuous), the francos of the drops at a hub (the hub's whole order, other canteens'
    included, pays them), the EGalim targets and budgets (elastic, as a plan may miss them)
    and the other canteens' claims on the supply. Any plan, restricted to the small
    canteens, is a point of this LP: its share is at most this figure (up to the LP
    solver's tolerance).

    Parameters
    ----------
    scenario
        A validated scenario.
    time_limit_s
        Wall-clock limit of the whole call (the build and every LP), s.
    threads
        Threads of the LP solver.
    deadline
        The wall-clock budget of a larger call this is part of; ``None`` for one of
        ``time_limit_s`` starting now.

    Returns
    -------
    float
        The bound, a fraction of value; 0 without small canteens; NaN when an LP does not
        reach its optimum in time (``deadline.hit`` is then set) or the rounds do not
        converge.
    """
    deadline = deadline or Deadline(time_limit_s)
    small = small_canteens(scenario)
    demand = scenario.demand[scenario.demand["canteen_id"].isin(small.index[small])]
    if demand.empty:
        return 0.0
    model = build_model(scenario.with_tables(demand=demand))
    var, index = model.variables, model.index
    arcs = index.arcs
    # EUR HT per unit of each column: what the canteen pays, and the part counted local.
    price, local = np.zeros(var.count), np.zeros(var.count)
    price[var.cols("x")] = arcs["price"].to_numpy()
    price[var.cols("v")] = index.demand["ref_price"].to_numpy()
    local[var.cols("x")] = np.where(arcs["local"].to_numpy(), arcs["price"].to_numpy(), 0.0)
    upper = elastic_upper(model)
    # The franco of a drop at a hub is paid by the hub's whole order, the other canteens'
    # part included: free here. A direct drop serves one canteen and keeps its franco.
    at_hub = index.drops["hub"].to_numpy()[var.drop_rows] >= 0
    upper[var.cols("franco_slack")] = np.where(at_hub, np.inf, 0.0)
    program = model.program(var.lower, upper, False)
    share = 0.0
    for _round in range(BOUND_ROUNDS):
        if deadline.expired():
            return math.nan
        objective = program.with_objective(share * price - local)
        run = deadline.solve(objective, BOUND_SOLVER, threads)
        if run.values is None or run.status != "optimal":
            return math.nan
        value = float(price @ run.values)
        if -run.objective <= BOUND_TOL * value:
            return share
        share = float(local @ run.values) / value
    return math.nan


def hub_value(scenario: Scenario, deadline: Deadline | None = None, **options: Any) -> pd.DataFrame:
    """Solve ``scenario`` with its hubs and without them, and compare the two plans.

    Parameters
    ----------
    scenario
        A scenario with a ``hubs`` table (without one both plans are the same).
    deadline
        The wall-clock budget of the whole call; ``None`` for one of the ``time_limit_s`` of
        ``options`` (else the scenario's) starting now. Each variant's solve (and its routing,
        when ``options`` give a ``time_limit_s``) gets an even share of what is left, the
        bounds what is left after them.
    **options
        Passed to both solves (``rhd_match.solve``'s options: strategy, time limit...).

    Returns
    -------
    pandas.DataFrame
        One row per figure of ``FIGURES`` (index ``figure``); columns ``unit``
        (``FIGURE_UNITS``), ``without_hubs`` and ``with_hubs`` (shares as fractions, counts,
        kg, EUR HT), ``difference`` (with − without; for a share, in percentage points:
        100 × (with − without)) and ``difference_unit`` (``points`` for a share, else
        ``unit``). ``share_local_small_canteens_bound`` is an upper bound on the
        small canteens' local share any plan of each variant can reach
        (``small_canteens_local_bound``, within what the solves left of the call's time; NaN
        when an LP does not finish, and then ``deadline.hit`` is set, as it is when the clock
        stops a solve). Then the delivery rounds' (``plan_tours``, farms' and hubs' rounds;
        with a ``time_limit_s`` option, each variant's within what its solve left of its
        share, else to the routing's solution limit): road km
        and kg CO2e per tonne delivered, logistics cost (EUR HT) per kg delivered and per
        meal (``compare_logistics``); last, ``routing_first_only``: the routing problems
        left with their first rounds when that time was spent (0 unless the clock cut the
        routing short).

    Raises
    ------
    OptionError
        When a solver option is unknown or invalid.
    ScenarioError
        When the scenario has no hub: the two plans would be one, solved twice.
    """
    clock = call_deadline(scenario, options)  # validates them, before any solve
    if scenario.hubs.empty:
        msg = _(
            "the scenario has no hub: there is nothing to weigh; give a hubs table "
            "(docs/logistics.md)"
        )
        raise ScenarioError([Problem("hubs", None, None, msg)])
    deadline = deadline or clock
    # Only a limit given here bounds the routing: tours cut by a clock differ between runs.
    routed = "time_limit_s" in options
    variants = {"without_hubs": without_hubs(scenario), "with_hubs": scenario}
    solved: dict[str, tuple[Scenario, Solution]] = {}
    tours: dict[str, TourPlan] = {}
    for i, (name, sc) in enumerate(variants.items()):
        # An even share of what is left: both plans get the same chance.
        share = deadline.left() / (len(variants) - i)
        started = time.perf_counter()
        solved[name] = (sc, sc.solve(**options | {"time_limit_s": share}))
        deadline.hit |= bool(solved[name][1].stopped_by_time_limit)
        left = share - (time.perf_counter() - started) if routed else None
        tours[name] = plan_tours(sc, solved[name][1].flows, left)
    bounds = {
        name: small_canteens_local_bound(sc, deadline=deadline) for name, sc in variants.items()
    }
    rounds = compare_logistics({name: (sc, tours[name]) for name, sc in variants.items()})
    rounds = rounds.set_index("variant")
    table = (
        pd.DataFrame(
            {
                name: pd.concat(
                    [
                        plan_figures(scenario.as_planned(s.menu), s.flows),
                        pd.Series({BOUND_FIGURE: bounds[name]}),
                        rounds.loc[name, list(LOGISTICS_FIGURES)],
                        pd.Series({ROUTING_FIGURE: tours[name].first_only}),
                    ]
                )
                for name, (sc, s) in solved.items()
            }
        )
        .reindex(list(FIGURES))
        .astype(float)
    )
    units = pd.Series(FIGURE_UNITS).reindex(table.index)
    shares = (units == SHARE_UNIT).to_numpy()
    difference = table["with_hubs"] - table["without_hubs"]
    table["difference"] = difference.where(~shares, 100.0 * difference)
    table["difference_unit"] = units.where(~shares, POINTS_UNIT)
    table.insert(0, "unit", units)
    table.index.name = "figure"
    return table


def _share(part: float, whole: float) -> float:
    return float(part / whole) if whole > 0 else 0.0
