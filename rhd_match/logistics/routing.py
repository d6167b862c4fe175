"""One capacitated vehicle routing problem with time windows, solved with OR-Tools routing.

A depot (a hub or a farm), the drops it delivers in one ISO week (kg each, at coordinates),
and a fleet that may drive on some weekdays: which vehicle on which day visits which drops in
which order, every drop within the kitchens' morning window, no vehicle over its payload.
Distances are great-circle km times the road factor unless given (``Roads``, from the
scenario's ``distances`` table); the solver works on whole metres, seconds and grams, the tours
it returns are measured again in floating point.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from ..errors import Problem, ScenarioError
from ..geo import haversine_km
from ..i18n import format_number, gettext
from ..params import LogisticsOptions

DAY_S = 86_400
#: How the first rounds are built, in order until one finds rounds: the cheapest arc first,
#: then, where it finds none, cheapest insertion over every vehicle and day at once. On the
#: demo with its hub, the week of 53 hub drops for 2 vans on 4 mornings had no rounds from
#: the cheapest arc within 10 s; cheapest insertion built them in about 2 s (measured, loaded
#: machine).
FIRST_SOLUTION_STRATEGIES = (
    routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC,
    routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION,
)
#: Fixed cost of using a vehicle, in metres of the objective: fewer vehicles (rounds) first,
#: then fewer km.
VEHICLE_FIXED_COST_M = 1_000_000


@dataclass(frozen=True)
class Fleet:
    """The vehicles of a depot: ``vehicles`` per delivery day (ISO weekdays ``days``), each
    carrying at most ``payload_kg``, costing ``cost_eur_per_km`` (EUR HT/km) and
    ``cost_eur_per_hour`` (EUR HT/h of a round, waiting included)."""

    vehicles: int
    payload_kg: float
    cost_eur_per_km: float
    cost_eur_per_hour: float
    days: tuple[int, ...]


@dataclass(frozen=True)
class Round:
    """One vehicle's round: ``stops`` are indices into the drops given, in visiting order;
    ``arrivals_s`` the arrival at each (s from the start of the ISO week, Monday 00:00);
    ``start_s``, ``end_s`` its departure from and return to the depot."""

    day: int
    vehicle: int
    stops: tuple[int, ...]
    arrivals_s: tuple[int, ...]
    start_s: int
    end_s: int


@dataclass(frozen=True)
class Routing:
    """The rounds of one routing problem, the time the search took (s), whether a
    wall-clock limit stopped it (then the rounds may differ between runs), and whether the
    rounds are the first found (the caller's time spent, the local search skipped)."""

    rounds: tuple[Round, ...]
    seconds: float
    stopped_by_time: bool
    first_only: bool


@dataclass(frozen=True)
class Roads:
    """Between the points of one routing problem (the depot first, then the drops): road
    ``km`` and driving ``drive_s`` (s), each of shape (n, n)."""

    km: np.ndarray
    drive_s: np.ndarray

    @classmethod
    def straight(cls, lat: np.ndarray, lon: np.ndarray, options: LogisticsOptions) -> Roads:
        """Great-circle km times the road factor, driven at ``options.speed_kmh``.

        Parameters
        ----------
        lat, lon
            Coordinates of the points, degrees (WGS84), shape (n,).
        options
            The road factor and the speed.

        Returns
        -------
        Roads
            The distances and driving times, each of shape (n, n).
        """
        km = road_km(lat, lon, options.road_factor)
        # Timed on whole metres, as the solver measures them.
        return cls(km, np.rint(km * 1000) / (options.speed_kmh / 3.6))

    def path_km(self, order: Sequence[int]) -> float:
        """Km of a path, in floating point.

        Parameters
        ----------
        order
            Indices of the points in visiting order.

        Returns
        -------
        float
            The sum of its legs, km.
        """
        return float(sum(self.km[a, b] for a, b in itertools.pairwise(order)))

    def path_drive_s(self, order: Sequence[int]) -> float:
        """Driving time of a path.

        Parameters
        ----------
        order
            Indices of the points in visiting order.

        Returns
        -------
        float
            The sum of its legs' driving times, s.
        """
        return float(sum(self.drive_s[a, b] for a, b in itertools.pairwise(order)))


def road_km(lat: np.ndarray, lon: np.ndarray, road_factor: float) -> np.ndarray:
    """Road distances between every pair of points: great circle times ``road_factor``.

    Parameters
    ----------
    lat, lon
        Coordinates of the points, degrees (WGS84), shape (n,).
    road_factor
        Road km per straight-line km.

    Returns
    -------
    numpy.ndarray
        Distances in km, shape (n, n).
    """
    return haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :]) * road_factor


def solve_routing(
    depot: tuple[float, float],
    drops: Sequence[tuple[float, float, float]],
    fleet: Fleet,
    options: LogisticsOptions,
    roads: Roads | None = None,
    search_s: float | None = None,
) -> Routing:
    """Rounds that deliver every drop, fewest vehicle rounds first, then fewest km.

    Parameters
    ----------
    depot
        Latitude and longitude of the depot, degrees.
    drops
        Each drop's latitude, longitude (degrees) and kg; none above ``fleet.payload_kg``.
    fleet
        The depot's vehicles and delivery days.
    options
        Road factor, speed, service time, window and the search's limits.
    roads
        Km and driving times between the depot (first) and the drops; None for the straight
        line times the road factor at ``options.speed_kmh`` (``Roads.straight``).
    search_s
        Wall-clock time left for the search, s (the caller's time limit): the search stops
        at the smaller of it and ``options.routing_time_limit_s``; at 0 or below, the rounds
        are the first solution found (cheapest arc first), without the local search. None:
        ``options.routing_time_limit_s``.

    Returns
    -------
    Routing
        One ``Round`` per vehicle used, by day then vehicle.

    Raises
    ------
    ValueError
        When no set of rounds meets the payload and the windows (the fleet is too small for
        the week's drops).
    """
    started = time.perf_counter()
    lat = np.array([depot[0], *(d[0] for d in drops)], float)
    lon = np.array([depot[1], *(d[1] for d in drops)], float)
    roads = Roads.straight(lat, lon, options) if roads is None else roads
    metres = np.rint(roads.km * 1000).astype(np.int64)
    service_s = round(options.service_min * 60)
    drive_s = np.rint(roads.drive_s).astype(np.int64)
    grams = [0, *(round(d[2] * 1000) for d in drops)]
    days = sorted(set(fleet.days))
    n_vehicles = fleet.vehicles * len(days)

    manager = pywrapcp.RoutingIndexManager(len(lat), n_vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)

    def distance(i: int, j: int) -> int:
        return int(metres[manager.IndexToNode(i), manager.IndexToNode(j)])

    def travel(i: int, j: int) -> int:
        a, b = manager.IndexToNode(i), manager.IndexToNode(j)
        return int(drive_s[a, b]) + (service_s if a else 0)

    def load(i: int) -> int:
        return int(grams[manager.IndexToNode(i)])

    arc = routing.RegisterTransitCallback(distance)
    routing.SetArcCostEvaluatorOfAllVehicles(arc)
    routing.SetFixedCostOfAllVehicles(VEHICLE_FIXED_COST_M)
    routing.AddDimensionWithVehicleCapacity(
        routing.RegisterUnaryTransitCallback(load),
        0,
        [int(fleet.payload_kg * 1000)] * n_vehicles,
        True,
        "load",
    )
    routing.AddDimension(routing.RegisterTransitCallback(travel), DAY_S, 7 * DAY_S, False, "time")
    clock = routing.GetDimensionOrDie("time")
    opens = _seconds(options.window_start)
    closes = _seconds(options.window_end)
    windows = [((d - 1) * DAY_S + opens, (d - 1) * DAY_S + closes) for d in days]
    for node in range(1, len(lat)):
        cumul = clock.CumulVar(manager.NodeToIndex(node))
        cumul.SetRange(windows[0][0], windows[-1][1])
        for (_, gap_from), (gap_to, _) in itertools.pairwise(windows):
            cumul.RemoveInterval(gap_from + 1, gap_to - 1)
    for v in range(n_vehicles):
        day_start = (days[v // fleet.vehicles] - 1) * DAY_S
        clock.CumulVar(routing.Start(v)).SetRange(day_start, day_start + closes)
        clock.CumulVar(routing.End(v)).SetRange(day_start, day_start + DAY_S - 1)
        # leave as late and come back as early as the drops allow: no idle time in the round
        routing.AddVariableMaximizedByFinalizer(clock.CumulVar(routing.Start(v)))
        routing.AddVariableMinimizedByFinalizer(clock.CumulVar(routing.End(v)))

    search = pywrapcp.DefaultRoutingSearchParameters()
    search.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    first_only = search_s is not None and search_s <= 0
    limit_s = options.routing_time_limit_s
    if not first_only and search_s is not None:
        limit_s = min(limit_s, search_s)
    solution = None
    for strategy in FIRST_SOLUTION_STRATEGIES:
        search.first_solution_strategy = strategy
        search.solution_limit = 1 if first_only else options.routing_solution_limit
        search.time_limit.FromMilliseconds(max(1, round(limit_s * 1000)))
        solution = routing.SolveWithParameters(search)
        if solution is None and limit_s < options.routing_time_limit_s:
            # The caller's time ran out before any rounds were found: the first ones found.
            first_only, limit_s = True, options.routing_time_limit_s
            search.solution_limit = 1
            search.time_limit.FromMilliseconds(round(limit_s * 1000))
            solution = routing.SolveWithParameters(search)
        if solution is not None:
            break
    seconds = time.perf_counter() - started
    if solution is None:
        msg = gettext(
            "no delivery rounds reach every drop within the vehicles' payload and the kitchens' "
            "window ({start} to {end}) at {speed} km/h: widen the window (window_start, "
            "window_end), or check speed_kmh and the road distances"
        ).format(
            start=options.window_start.strftime("%H:%M"),
            end=options.window_end.strftime("%H:%M"),
            speed=format_number(options.speed_kmh, 0 if options.speed_kmh.is_integer() else 1),
        )
        raise ScenarioError([Problem("parameters", None, "logistics", msg)])
    rounds: list[Round] = []
    for v in range(n_vehicles):
        index = solution.Value(routing.NextVar(routing.Start(v)))
        if routing.IsEnd(index):
            continue
        stops, arrivals = [], []
        while not routing.IsEnd(index):
            stops.append(manager.IndexToNode(index) - 1)
            arrivals.append(solution.Min(clock.CumulVar(index)))
            index = solution.Value(routing.NextVar(index))
        rounds.append(
            Round(
                day=days[v // fleet.vehicles],
                # numbered in the day by use, so that the unused ones leave no gaps
                vehicle=1 + sum(r.day == days[v // fleet.vehicles] for r in rounds),
                stops=tuple(stops),
                arrivals_s=tuple(arrivals),
                start_s=solution.Min(clock.CumulVar(routing.Start(v))),
                end_s=solution.Min(clock.CumulVar(routing.End(v))),
            )
        )
    return Routing(tuple(rounds), seconds, seconds >= limit_s, first_only)


def _seconds(moment: dt.time) -> int:
    """Seconds since midnight of a time of day."""
    return moment.hour * 3600 + moment.minute * 60 + moment.second
