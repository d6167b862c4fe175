"""Delivery tours of a plan: each producer's own rounds and each hub's rounds, week by week.

A plan's ``flows`` say what each canteen buys from whom each ISO week. Every producer delivers
its week's drops (one per canteen, and one at its hub for what it sells through the hub) in
rounds from its farm on ``LogisticsOptions.producer_delivery_day``; every hub delivers its
week's drops to canteens on one of its delivery days, the routing choosing the day. A drop
heavier than a vehicle's payload is split into full loads and a remainder.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..i18n import gettext_noop as N_
from ..inputs.hubs import DEFAULT_DELIVERY_DAYS
from ..inputs.scenario import Scenario
from ..params import LogisticsOptions
from .distances import given_roads, roads_between
from .routing import Fleet, Round, Routing, road_km, solve_routing

#: Columns of the ``tours`` table, one row per vehicle round.
TOUR_COLUMNS = (
    "origin",
    "origin_id",
    "week",
    "day",
    "vehicle",
    "stops",
    "arrivals",
    "stop_kg",
    "n_stops",
    "kg",
    "km",
    "driving_h",
    "hours",
    "cost_eur_ht",
    "co2_kg",
)
PRODUCER = "producer"
HUB = "hub"
#: Origins of rounds as people read them (translated where shown).
ORIGINS = {PRODUCER: N_("producers' own rounds"), HUB: N_("hub rounds")}
#: ``TourPlan.first_only`` as people read it (the ``tours`` and ``hubs`` verbs' summaries).
FIRST_ONLY_LABEL = N_("routing problems left with their first rounds (time limit)")
#: Totals of the ``weekly`` and ``yearly`` tables.
TOTAL_COLUMNS = ("tours", "n_stops", "kg", "km", "driving_h", "hours", "cost_eur_ht", "co2_kg")


@dataclass(frozen=True)
class TourPlan:
    """The tours of a plan and their totals.

    Attributes
    ----------
    tours : pandas.DataFrame
        One row per ``origin`` (``producer`` or ``hub``) × ``origin_id`` × ISO ``week`` ×
        ``day`` (ISO weekday) × ``vehicle``: ``stops`` (canteen or hub ids, ``;``-separated, in
        visiting order), ``arrivals`` (``HH:MM`` each), ``stop_kg``, ``n_stops``, ``kg``,
        ``km`` (road km from the depot back to it), ``driving_h``, ``hours`` (departure to
        return), ``cost_eur_ht``, ``co2_kg``.
    weekly : pandas.DataFrame
        One row per ``origin`` × ISO ``week``: ``TOTAL_COLUMNS``.
    yearly : pandas.DataFrame
        One row per ``origin``: ``TOTAL_COLUMNS``, then ``km_per_t``, ``co2_kg_per_t`` and
        ``cost_eur_per_kg`` delivered.
    routing_s : float
        Time spent in the routing searches, s.
    stopped_by_time : int
        Routing problems stopped by a wall-clock limit, their safety limit or the call's
        (0: tours are the same from run to run).
    first_only : int
        Routing problems left when the call's time limit was spent: their rounds are the
        first found, without the local search (they meet every rule, in more km).
    """

    tours: pd.DataFrame
    weekly: pd.DataFrame
    yearly: pd.DataFrame
    routing_s: float
    stopped_by_time: int
    first_only: int


def plan_tours(
    scenario: Scenario, flows: pd.DataFrame, time_limit_s: float | None = None
) -> TourPlan:
    """The delivery tours that carry a plan's producer flows.

    Parameters
    ----------
    scenario
        The scenario: producers', canteens' and hubs' coordinates, the hubs' fleets
        (``vehicles``, ``payload_kg``, ``cost_eur_per_km``, ``cost_eur_per_hour``,
        ``delivery_days`` as ``"1;2;4"``), its road ``distances`` where given (straight line ×
        road factor elsewhere) and ``parameters.logistics``.
    flows
        The plan's ``flows`` (``Solution.flows``): rows with a ``producer_id`` are delivered;
        with a ``hub_id`` column, rows whose ``hub_id`` is set go through that hub.
    time_limit_s
        Wall-clock time for the whole routing, s (what the run's time limit leaves): each
        search stops when it is spent, and the problems left keep the first rounds found
        (``TourPlan.first_only``). None: each search has its own safety limit only
        (``LogisticsOptions.routing_time_limit_s``).

    Returns
    -------
    TourPlan
        The tours, their weekly and yearly totals, and the routing time.

    Raises
    ------
    ValueError
        When a flow names a hub missing from ``scenario.hubs``, or a hub's fleet cannot deliver a
        week's drops within the payload and the windows.
    """
    options = scenario.parameters.logistics
    hubs = scenario.hubs
    places = _places(scenario)
    given = given_roads(scenario.distances)
    lines = flows[flows["producer_id"].notna() & (flows["qty_kg"] > 0)]
    via = (
        lines["hub_id"].astype("string").fillna("")
        if "hub_id" in lines
        else pd.Series("", index=lines.index, dtype="string")
    )
    pooled = set(via[via != ""])
    if not pooled <= set(hubs["hub_id"].astype(str)):
        raise ValueError("flows name a hub missing from the hubs table")
    to_farm = lines.assign(to=np.where(via == "", lines["canteen_id"].astype(str), via))
    direct = to_farm.groupby(["producer_id", "week", "to"], sort=True)["qty_kg"].sum()
    producer_fleet = Fleet(
        vehicles=0,  # set per problem: as many rounds as drops, the routing uses the fewest
        payload_kg=options.producer_payload_kg,
        cost_eur_per_km=options.producer_cost_eur_per_km,
        cost_eur_per_hour=options.producer_cost_eur_per_hour,
        days=(options.producer_delivery_day,),
    )
    rows: list[dict[str, object]] = []
    seconds, stopped, first_only = 0.0, 0, 0
    started = time.perf_counter()
    problems = [(PRODUCER, producer_fleet, direct)]
    if pooled:
        hub_lines = lines[via != ""].assign(hub_id=via[via != ""])
        by_hub = hub_lines.groupby(["hub_id", "week", "canteen_id"], sort=True)["qty_kg"].sum()
        problems += [
            (HUB, _hub_fleet(hubs, hub, options), by_hub.loc[[hub]]) for hub in sorted(pooled)
        ]
    for origin, fleet, drops in problems:
        for key, week_drops in drops.groupby(level=[0, 1], sort=True):
            where = (str(key[0]), str(key[1]))  # type: ignore[index]
            left = None if time_limit_s is None else time_limit_s - time.perf_counter() + started
            done, routing = _route(origin, where, week_drops, places, given, fleet, options, left)
            rows += done
            seconds, stopped = seconds + routing.seconds, stopped + routing.stopped_by_time
            first_only += routing.first_only
    tours = pd.DataFrame(rows, columns=list(TOUR_COLUMNS))
    return TourPlan(tours, _weekly(tours), _yearly(tours), seconds, stopped, first_only)


def _places(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """Latitude and longitude of every producer, canteen and hub, by id."""
    places: dict[str, tuple[float, float]] = {}
    for table, key, lat, lon in (
        (scenario.producers, "producer_id", "lat", "lon"),
        (scenario.canteens, "canteen_id", "lat", "lon"),
        (scenario.hubs, "hub_id", "latitude", "longitude"),
    ):
        for row in table[[key, lat, lon]].itertuples(index=False):
            places.setdefault(str(row[0]), (float(row[1]), float(row[2])))
    return places


def _hub_fleet(hubs: pd.DataFrame, hub_id: str, options: LogisticsOptions) -> Fleet:
    """A hub's fleet from its row of the hubs table, its empty cells read as
    docs/input-format.md says (docs/logistics.md, *A hub's empty cells*).

    Parameters
    ----------
    hubs
        The scenario's ``hubs`` table.
    hub_id
        The hub.
    options
        The producers' van, whose payload and costs fill the hub's empty cells.

    Returns
    -------
    Fleet
        ``vehicles`` 0 (as many rounds as the drops need) when ``vehicles`` or ``payload_kg``
        is empty: the model then caps the hub's week by its handling capacity alone
        (``rhd_match.inputs.hubs.hub_figures``), so a cap here could refuse its plan.
    """
    row = hubs[hubs["hub_id"].astype(str) == hub_id].iloc[0]
    limited = pd.notna(row["vehicles"]) and pd.notna(row["payload_kg"])
    written = "" if pd.isna(row["delivery_days"]) else str(row["delivery_days"])
    days = {int(d) for d in written.split(";") if d.strip()}
    return Fleet(
        vehicles=int(row["vehicles"]) if limited else 0,
        payload_kg=_given(row["payload_kg"], options.producer_payload_kg),
        cost_eur_per_km=_given(row["cost_eur_per_km"], options.producer_cost_eur_per_km),
        cost_eur_per_hour=_given(row["cost_eur_per_hour"], options.producer_cost_eur_per_hour),
        days=tuple(sorted(days)) or tuple(range(1, DEFAULT_DELIVERY_DAYS + 1)),
    )


def _given(value: float | None, default: float) -> float:
    """A hub's number, or ``default`` where its cell is empty."""
    return default if pd.isna(value) else float(value)


def _route(
    origin: str,
    where: tuple[str, str],
    drops: pd.Series,
    places: dict[str, tuple[float, float]],
    given: dict[tuple[str, str], tuple[float, float]],
    fleet: Fleet,
    options: LogisticsOptions,
    search_s: float | None,
) -> tuple[list[dict[str, object]], Routing]:
    """The rounds of one depot (``where``: its id and the ISO week), as ``tours`` rows, the
    search given ``search_s`` s (``solve_routing``)."""
    stops: list[tuple[str, float]] = []
    for to, kg in zip(drops.index.get_level_values(-1), drops.to_numpy(float), strict=True):
        full = math.floor(kg / fleet.payload_kg - 1e-9)
        stops += [(str(to), fleet.payload_kg)] * full + [(str(to), kg - full * fleet.payload_kg)]
    if fleet.vehicles == 0:
        # One drop a round always fits (each is within the payload): enough rounds for every
        # drop over the days, and no more, which would only slow the search.
        fleet = replace(fleet, vehicles=math.ceil(len(stops) / len(set(fleet.days))))
    depot = places[where[0]]
    coords = [(*places[to], kg) for to, kg in stops]
    roads = roads_between([where[0], *(to for to, _kg in stops)], places, given, options)
    routing = solve_routing(depot, coords, fleet, options, roads, search_s)
    rows = []
    for r in routing.rounds:
        ids = [stops[i][0] for i in r.stops]
        path = [0, *(i + 1 for i in r.stops), 0]
        legs = (roads.path_km(path), roads.path_drive_s(path) / 3600)
        kg = [stops[i][1] for i in r.stops]
        rows.append(_tour_row(origin, where, r, ids, kg, legs, fleet, options))
    return rows, routing


def _tour_row(
    origin: str,
    where: tuple[str, str],
    r: Round,
    ids: list[str],
    kg: list[float],
    legs: tuple[float, float],
    fleet: Fleet,
    options: LogisticsOptions,
) -> dict[str, object]:
    """One ``tours`` row, the round's km and driving hours (``legs``) measured in floating
    point."""
    km, driving_h = legs
    hours = (r.end_s - r.start_s) / 3600
    return {
        "origin": origin,
        "origin_id": where[0],
        "week": where[1],
        "day": r.day,
        "vehicle": r.vehicle,
        "stops": ";".join(ids),
        "arrivals": ";".join(_clock(s) for s in r.arrivals_s),
        "stop_kg": ";".join(f"{x:.3f}" for x in kg),
        "n_stops": len(ids),
        "kg": round(sum(kg), 3),
        "km": round(km, 3),
        "driving_h": round(driving_h, 4),
        "hours": round(hours, 4),
        "cost_eur_ht": round(km * fleet.cost_eur_per_km + hours * fleet.cost_eur_per_hour, 2),
        "co2_kg": round(km * options.co2_kg_per_km, 3),
    }


def tour_km(depot: tuple[float, float], stops: np.ndarray, road_factor: float) -> float:
    """Road km of a round: depot, the stops in order, back to the depot.

    Parameters
    ----------
    depot
        Latitude and longitude of the depot, degrees.
    stops
        Latitude and longitude of each stop in visiting order, degrees, shape (n, 2).
    road_factor
        Road km per straight-line km.

    Returns
    -------
    float
        The round's length, km.
    """
    path = np.vstack([depot, stops, depot])
    legs = road_km(path[:, 0], path[:, 1], road_factor)
    return float(sum(legs[i, i + 1] for i in range(len(path) - 1)))


def _clock(seconds: int) -> str:
    """``HH:MM`` of a moment given in seconds from Monday 00:00."""
    minutes = (seconds % 86_400) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _weekly(tours: pd.DataFrame) -> pd.DataFrame:
    """Totals per origin and ISO week."""
    return (
        tours.assign(tours=1)
        .groupby(["origin", "week"], sort=True)[list(TOTAL_COLUMNS)]
        .sum()
        .reset_index()
    )


def _yearly(tours: pd.DataFrame) -> pd.DataFrame:
    """Totals per origin, and per tonne or kg delivered."""
    year = tours.assign(tours=1).groupby("origin", sort=True)[list(TOTAL_COLUMNS)].sum()
    tonnes = year["kg"] / 1000
    year["km_per_t"] = year["km"] / tonnes
    year["co2_kg_per_t"] = year["co2_kg"] / tonnes
    year["cost_eur_per_kg"] = year["cost_eur_ht"] / year["kg"]
    return year.reset_index()
