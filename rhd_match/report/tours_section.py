"""The report's delivery tours: the rounds drawn on the map, their yearly totals, and one
table per round (its stops, arrival times and kg)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from ..i18n import format_number, ngettext
from ..i18n import gettext as _
from ..inputs.scenario import Scenario
from ..logistics.tours import ORIGINS, TourPlan
from .communes import Commune
from .html_format import esc, fmt_eur, fmt_kg, html_table
from .map_chart import MapLink, MapPoint, map_chart


def tours_section(
    scenario: Scenario, plan: TourPlan, communes: Sequence[Commune] = (), credit: str = ""
) -> str:
    """The tours section: a map of the roads driven, the yearly totals, a table per round.

    Parameters
    ----------
    scenario
        The scenario (places of producers, canteens and hubs).
    plan
        The plan's tours (``rhd_match.logistics.plan_tours``).
    communes
        Outlines drawn under the places.
    credit
        Source of the outlines, credited in the caption ('' for none).

    Returns
    -------
    str
        The section's HTML.
    """
    if plan.tours.empty:
        nothing = _("No delivery round: the plan buys nothing from producers.")
        return f"<p>{esc(nothing)}</p>"
    places: dict[str, tuple[float, float, str]] = {}
    for table, key, lat, lon, kind in (
        (scenario.producers, "producer_id", "lat", "lon", "producer"),
        (scenario.canteens, "canteen_id", "lat", "lon", "canteen"),
        (scenario.hubs, "hub_id", "latitude", "longitude", "hub"),
    ):
        for row in table[[key, lat, lon, "name"]].itertuples(index=False):
            places[str(row[0])] = (float(row[1]), float(row[2]), kind)
    names = {
        str(i): str(n)
        for t, k in ((scenario.producers, "producer_id"), (scenario.canteens, "canteen_id"))
        for i, n in zip(t[k], t["name"], strict=True)
    } | {
        str(i): str(n) for i, n in zip(scenario.hubs["hub_id"], scenario.hubs["name"], strict=True)
    }
    legs: Counter[tuple[str, str]] = Counter()
    for t in plan.tours.itertuples():
        path = [str(t.origin_id), *str(t.stops).split(";"), str(t.origin_id)]
        legs.update(tuple(sorted(leg)) for leg in pairwise(path) if leg[0] != leg[1])  # type: ignore[misc]
    used = {p for leg in legs for p in leg}
    points = [
        MapPoint(
            lat,
            lon,
            kind,
            f"{names.get(pid, pid)} ({pid})",
            size=4.5 if kind == "hub" else 3.5,
            label=names.get(pid, pid) if kind == "hub" else "",
        )
        for pid, (lat, lon, kind) in sorted(places.items())
        if pid in used
    ]
    links = [
        MapLink(
            places[a][0],
            places[a][1],
            places[b][0],
            places[b][1],
            float(n),
            ngettext("{a} – {b}: {n} round", "{a} – {b}: {n} rounds", n).format(
                a=names.get(a, a), b=names.get(b, b), n=n
            ),
        )
        for (a, b), n in sorted(legs.items())
    ]
    chart = map_chart(
        "tour-map",
        _("Delivery rounds: the roads driven over the year (straight lines between stops)"),
        points,
        links,
        communes=communes,
        link_unit=_("rounds"),
    )
    drawn = " " + _("Commune outlines: {source}.").format(source=credit) if credit else ""
    caption = _(
        "Each line joins two places a round drives between, its width the number of rounds "
        "over the year; roads are drawn straight (their km are {factor} times the straight "
        "line). Routing: {seconds} s."
    ).format(
        factor=format_number(scenario.parameters.logistics.road_factor, 2),
        seconds=format_number(plan.routing_s, 1),
    )
    return (
        f"<p>{esc(caption + drawn)}</p>"
        + clock_cuts(plan.first_only, plan.stopped_by_time)
        + f"<figure>{chart}</figure>"
        + _totals(plan)
        + "".join(_round(t, names) for t in plan.tours.itertuples())
    )


def clock_cuts(first_only: int, stopped_by_time: int) -> str:
    """A warning for each count of routing problems a clock cut short ('' when none was).

    Parameters
    ----------
    first_only
        Routing problems left with their first rounds (``TourPlan.first_only``).
    stopped_by_time
        Routing problems stopped at their time limit (``TourPlan.stopped_by_time``).

    Returns
    -------
    str
        HTML warnings, in the active language.
    """
    notes = []
    if first_only:
        notes.append(
            ngettext(
                "The run's time limit was reached during the routing: {n} routing problem keeps "
                "the first rounds found, without improving them (more km than a full search).",
                "The run's time limit was reached during the routing: {n} routing problems keep "
                "the first rounds found, without improving them (more km than a full search).",
                first_only,
            ).format(n=format_number(first_only))
        )
    if stopped_by_time:
        notes.append(
            ngettext(
                "{n} routing problem stopped at its time limit: its rounds may differ from one "
                "run to the next.",
                "{n} routing problems stopped at their time limit: their rounds may differ from "
                "one run to the next.",
                stopped_by_time,
            ).format(n=format_number(stopped_by_time))
        )
    return "".join(f'<p class="warning" role="alert">{esc(note)}</p>' for note in notes)


def _totals(plan: TourPlan) -> str:
    """The yearly totals per origin (producers' own rounds, hub rounds)."""
    headers = [
        (_("rounds from"), "text"),
        (_("rounds"), "num"),
        (_("stops"), "num"),
        (_("kg"), "num"),
        (_("km"), "num"),
        (_("hours"), "num"),
        (_("cost EUR excl. VAT"), "num"),
        (_("kg CO2e"), "num"),
        (_("kg CO2e per tonne"), "num"),
    ]
    rows: list[list[tuple[str, object]]] = []
    for y in plan.yearly.to_dict("records"):
        figures = [float(y[c]) for c in ("tours", "n_stops", "kg", "km", "hours")]
        money, co2, per_t = float(y["cost_eur_ht"]), float(y["co2_kg"]), float(y["co2_kg_per_t"])
        rows.append(
            [
                (_(ORIGINS[str(y["origin"])]), str(y["origin"])),
                (format_number(figures[0], 0), figures[0]),
                (format_number(figures[1], 0), figures[1]),
                (fmt_kg(figures[2]), figures[2]),
                (format_number(figures[3], 0), figures[3]),
                (format_number(figures[4], 1), figures[4]),
                (fmt_eur(money), money),
                (format_number(co2, 0), co2),
                (format_number(per_t, 1), per_t),
            ]
        )
    return html_table(headers, rows)


def _round(t: Any, names: dict[str, str]) -> str:
    """One round as a folded table: its stops, arrival times and kg."""
    origin_id = str(t.origin_id)
    summary = _(
        "{origin} · {week} · day {day} · vehicle {vehicle}: {stops}, {km} km, {cost}"
    ).format(
        origin=names.get(origin_id, origin_id),
        week=t.week,
        day=t.day,
        vehicle=t.vehicle,
        stops=ngettext("{n} stop", "{n} stops", int(t.n_stops)).format(n=int(t.n_stops)),
        km=format_number(float(t.km), 1),
        cost=fmt_eur(float(t.cost_eur_ht)),
    )
    stops = str(t.stops).split(";")
    arrivals = str(t.arrivals).split(";")
    kgs = [float(x) for x in str(t.stop_kg).split(";")]
    rows = [
        [(str(n), n), (names.get(s, s), s), (a, a), (fmt_kg(kg), kg)]
        for n, (s, a, kg) in enumerate(zip(stops, arrivals, kgs, strict=True), start=1)
    ]
    table = html_table(
        [("#", "num"), (_("stop"), "text"), (_("arrival"), "text"), (_("kg"), "num")],
        rows,
        sortable=False,
    )
    return f"<details><summary>{esc(summary)}</summary>{table}</details>"
