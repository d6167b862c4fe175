"""Delivery tours: every round within payload and the kitchens' window, every drop in exactly
one round, km recomputed from the coordinates and the stop order, the routing against an
exhaustive search of stop orders, the same tours from run to run, the time limit honoured."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from rhd_match import Scenario, ScenarioError
from rhd_match.analysis.hub_value import hub_value
from rhd_match.cli.common import routing_notes
from rhd_match.cli.main import main
from rhd_match.i18n import use_language
from rhd_match.logistics import Fleet, TourPlan, compare_logistics, plan_tours, solve_routing
from rhd_match.params import LogisticsOptions
from rhd_match.report import render_html

SMALL = Path(__file__).parent / "data" / "cases" / "cli-small-scenario"
HUBS = pd.DataFrame(
    {
        "hub_id": ["HUB_LENS"],
        "name": ["Lens hub"],
        "latitude": [50.457],
        "longitude": [2.795],
        "vehicles": [1],
        "payload_kg": [60.0],
        "cost_eur_per_km": [0.8],
        "cost_eur_per_hour": [20.0],
        "delivery_days": ["1;2;4"],
        "capacity_kg_per_week": [5000.0],
        "fee_eur_per_kg": [0.3],
        "fee_share": [0.0],
        "min_drop_kg": [0.0],
        "radius_km": [40.0],
    }
)


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The haversine distance restated here, so that the check does not share the code's."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


@pytest.fixture(scope="module")
def small() -> tuple[Scenario, pd.DataFrame]:
    scenario = Scenario.from_folder(SMALL)
    return scenario, scenario.solve(time_limit_s=30).flows


@pytest.fixture(scope="module")
def with_hub(small: tuple[Scenario, pd.DataFrame]) -> tuple[Scenario, pd.DataFrame, TourPlan]:
    """The small plan with every other producer line sent through a hub whose one van carries
    60 kg: the hub needs several days for some weeks."""
    tables = small[0].tables
    scenario = Scenario.from_frames(
        *(tables[n] for n in ("products", "canteens", "producers", "offers", "demand")),
        hubs=HUBS,
    )
    flows = small[1]
    pooled = flows["producer_id"].notna() & (np.arange(len(flows)) % 2 == 0)
    flows = flows.assign(hub_id=pd.Series("HUB_LENS", index=flows.index, dtype="string"))
    flows.loc[~pooled, "hub_id"] = pd.NA
    return scenario, flows, plan_tours(scenario, flows)


def _places(scenario: Scenario) -> dict[str, tuple[float, float]]:
    places = {str(r.producer_id): (r.lat, r.lon) for r in scenario.producers.itertuples()}
    places |= {str(r.canteen_id): (r.lat, r.lon) for r in scenario.canteens.itertuples()}
    hubs = {str(r.hub_id): (r.latitude, r.longitude) for r in scenario.hubs.itertuples()}
    return places | hubs


def _drops(flows: pd.DataFrame) -> pd.Series:
    """kg per origin × id × week × stop, from the flows alone."""
    lines = flows[flows["producer_id"].notna() & (flows["qty_kg"] > 0)]
    hub = lines["hub_id"].fillna("") if "hub_id" in lines else pd.Series("", index=lines.index)
    farm = lines.assign(origin="producer", origin_id=lines["producer_id"])
    farm = farm.assign(stop=np.where(hub == "", farm["canteen_id"], hub))
    pooled = lines[hub != ""]
    pooled = pooled.assign(origin="hub", origin_id=hub[hub != ""], stop=pooled["canteen_id"])
    both = pd.concat([farm, pooled])
    return both.groupby(["origin", "origin_id", "week", "stop"])["qty_kg"].sum().sort_index()


def _stops(tours: pd.DataFrame) -> pd.DataFrame:
    rows = [
        (t.origin, t.origin_id, t.week, t.Index, stop, float(kg), arrival)
        for t in tours.itertuples()
        for stop, kg, arrival in zip(
            t.stops.split(";"), t.stop_kg.split(";"), t.arrivals.split(";"), strict=True
        )
    ]
    return pd.DataFrame(
        rows, columns=["origin", "origin_id", "week", "tour", "stop", "kg", "arrival"]
    )


def _holds_every_rule(scenario: Scenario, flows: pd.DataFrame, plan: TourPlan) -> None:
    options = scenario.parameters.logistics
    tours, stops = plan.tours, _stops(plan.tours)
    assert not tours.empty
    # payload (an empty one: the producers' van's, docs/logistics.md)
    hub_payload = scenario.hubs.set_index("hub_id")["payload_kg"]
    hub_payload = hub_payload.astype(float).fillna(options.producer_payload_kg)
    payload = np.where(
        tours["origin"] == "hub",
        hub_payload.reindex(tours["origin_id"]).to_numpy(),
        options.producer_payload_kg,
    )
    assert (tours["kg"] <= payload + 1e-6).all()
    # the kitchens' window (the hub receives from farms in the same window)
    times = stops["arrival"]
    assert (times >= options.window_start.strftime("%H:%M")).all()
    assert (times <= options.window_end.strftime("%H:%M")).all()
    # every drop in exactly one round, with its kg (drops are light enough not to be split)
    assert not stops.duplicated(["origin", "origin_id", "week", "stop"]).any()
    delivered = stops.groupby(["origin", "origin_id", "week", "stop"])["kg"].sum().sort_index()
    expected = _drops(flows)
    assert list(delivered.index) == list(expected.index)
    np.testing.assert_allclose(delivered.to_numpy(), expected.to_numpy(), atol=1e-3)
    # km from the coordinates and the stop order
    places = _places(scenario)
    for t in tours.itertuples():
        path = [t.origin_id, *t.stops.split(";"), t.origin_id]
        km = sum(
            great_circle_km(*places[a], *places[b]) * options.road_factor
            for a, b in itertools.pairwise(path)
        )
        assert t.km == pytest.approx(km, abs=1e-3)
        assert t.co2_kg == pytest.approx(km * options.co2_kg_per_km, abs=1e-3)
    # rounds deliver on their origin's days
    farm = tours[tours["origin"] == "producer"]
    assert (farm["day"] == options.producer_delivery_day).all()
    for hub in scenario.hubs.itertuples():
        written = "" if pd.isna(hub.delivery_days) else hub.delivery_days
        days = {int(d) for d in written.split(";")} if written else {1, 2, 3, 4, 5}
        assert set(tours.loc[tours["origin_id"] == hub.hub_id, "day"]) <= days


def test_direct_rounds_hold_every_rule(small: tuple[Scenario, pd.DataFrame]) -> None:
    scenario, flows = small
    plan = plan_tours(scenario, flows)
    _holds_every_rule(scenario, flows, plan)
    assert set(plan.tours["origin"]) == {"producer"}
    assert plan.stopped_by_time == 0
    year = plan.yearly.set_index("origin").loc["producer"]
    assert year["km"] == pytest.approx(plan.tours["km"].sum())
    assert year["co2_kg_per_t"] == pytest.approx(1000 * year["co2_kg"] / year["kg"])


def test_hub_rounds_hold_every_rule(with_hub: tuple[Scenario, pd.DataFrame, TourPlan]) -> None:
    scenario, flows, plan = with_hub
    _holds_every_rule(scenario, flows, plan)
    hub = plan.tours[plan.tours["origin"] == "hub"]
    assert not hub.empty
    # one van: at most one round a day
    assert not hub.duplicated(["week", "day"]).any()
    assert (hub["vehicle"] == 1).all()


@pytest.mark.parametrize(
    "empty",
    [
        ("vehicles",),
        ("payload_kg",),
        ("vehicles", "payload_kg"),
        ("cost_eur_per_km",),
        ("cost_eur_per_hour",),
        ("delivery_days",),
    ],
)
def test_a_hub_s_empty_cells_mean_what_the_input_format_says(
    with_hub: tuple[Scenario, pd.DataFrame, TourPlan], empty: tuple[str, ...]
) -> None:
    """Each optional cell of the hubs table left empty: no fleet limit, the producers' van's
    payload and costs, Monday to Friday (docs/logistics.md, *A hub's empty cells*)."""
    tables = with_hub[0].tables
    scenario = Scenario.from_frames(
        *(tables[n] for n in ("products", "canteens", "producers", "offers", "demand")),
        hubs=HUBS.assign(**{column: [None] for column in empty}),
    )
    options = scenario.parameters.logistics
    flows = with_hub[1]
    plan = plan_tours(scenario, flows)
    _holds_every_rule(scenario, flows, plan)
    hub = plan.tours[plan.tours["origin"] == "hub"]
    assert not hub.empty
    per_km = options.producer_cost_eur_per_km if "cost_eur_per_km" in empty else 0.8
    per_hour = options.producer_cost_eur_per_hour if "cost_eur_per_hour" in empty else 20.0
    expected = hub["km"] * per_km + hub["hours"] * per_hour
    np.testing.assert_allclose(hub["cost_eur_ht"], expected, atol=0.01)
    if "vehicles" not in empty and "payload_kg" not in empty:
        return
    # No fleet limit: ten times the kg, beyond what one 60 kg van could carry in 3 days.
    heavy = flows.assign(qty_kg=flows["qty_kg"] * 10)
    through = heavy[heavy["hub_id"].notna()].groupby("week")["qty_kg"].sum()
    assert through.max() > 3 * 60.0
    rounds = plan_tours(scenario, heavy).tours
    rounds = rounds[rounds["origin"] == "hub"]
    payload = 60.0 if "payload_kg" not in empty else options.producer_payload_kg
    assert (rounds["kg"] <= payload + 1e-6).all()
    pd.testing.assert_series_equal(
        rounds.groupby("week")["kg"].sum(), through, check_names=False, atol=1e-2
    )


#: A new user's hubs tables (Windows-1252, ';', French days), both without ``payload_kg``: one
#: without ``vehicles`` either, one with 2 vehicles.
WITHOUT_FLEET = Path(__file__).parent / "data" / "cases" / "hubs-without-fleet"


@pytest.mark.parametrize("case", ["no_fleet_columns", "vehicles_only"])
@pytest.mark.parametrize(
    ("language", "clean"),
    [
        ("en", "checker: the plan meets every constraint"),
        ("fr", "vérificateur : le plan respecte toutes les contraintes"),
    ],
    ids=["en", "fr"],
)
def test_tours_report_and_hubs_verbs_run_on_a_hub_without_a_fleet(
    case: str, language: str, clean: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``validate`` accepts these hubs tables; ``tours``, ``report`` and ``hubs`` ended on an
    internal error (int of an empty ``vehicles``, kg over an empty ``payload_kg``)."""
    folder = WITHOUT_FLEET / case
    options = LogisticsOptions()
    for verb in ("tours", "report"):
        out = tmp_path / verb
        argv = [verb, str(folder), "--out", str(out), "--time-limit", "30", "--lang", language]
        assert main(argv) == 0
        assert clean in capsys.readouterr().out
        tours = pd.read_csv(out / "tours.csv", dtype={"stops": str, "stop_kg": str})
        hub = tours[tours["origin"] == "hub"]
        assert not hub.empty
        assert (hub["kg"] <= options.producer_payload_kg + 1e-6).all()
        assert set(hub["day"]) <= {1, 2, 4}  # lun;mar;jeu
        expected = (
            hub["km"] * options.producer_cost_eur_per_km
            + hub["hours"] * options.producer_cost_eur_per_hour
        )
        np.testing.assert_allclose(hub["cost_eur_ht"], expected, atol=0.01)
    # every kg the plan sends through the hub is in the hub's rounds
    flows = pd.read_csv(tmp_path / "report" / "flows.csv")
    through = flows[flows["hub_id"].notna()].groupby("week")["qty_kg"].sum()
    pd.testing.assert_series_equal(
        hub.groupby("week")["kg"].sum(), through, check_names=False, atol=1e-2
    )
    out = tmp_path / "hubs"
    argv = ["hubs", str(folder), "--out", str(out), "--time-limit", "30", "--lang", language]
    assert main(argv) == 0
    table = pd.read_csv(out / "hub_value.csv", index_col="figure")
    assert table.loc["kg_through_hubs", "with_hubs"] > 0
    figures = ["km_per_t", "co2_kg_per_t", "cost_eur_per_kg", "cost_eur_per_meal"]
    assert np.isfinite(table.loc[figures, ["without_hubs", "with_hubs"]].to_numpy(float)).all()


def test_rounds_of_a_solved_plan_through_a_hub_hold_every_rule(
    with_hub: tuple[Scenario, pd.DataFrame, TourPlan],
) -> None:
    """The optimiser chooses what goes through the hub; the rounds carry exactly that."""
    scenario = with_hub[0]
    flows = scenario.solve(time_limit_s=30).flows
    plan = plan_tours(scenario, flows)
    _holds_every_rule(scenario, flows, plan)
    assert set(plan.tours["origin"]) == {"producer", "hub"}


def test_tours_are_the_same_from_run_to_run(
    with_hub: tuple[Scenario, pd.DataFrame, TourPlan],
) -> None:
    scenario, flows, plan = with_hub
    again = plan_tours(scenario, flows)
    pd.testing.assert_frame_equal(plan.tours, again.tours)


WIDE = LogisticsOptions(window_start=dt.time(0, 30), window_end=dt.time(23, 0), service_min=0)


@settings(max_examples=12, deadline=None)
@given(
    st.lists(st.tuples(st.floats(50.3, 50.6), st.floats(2.6, 3.0)), min_size=1, max_size=8),
)
def test_routing_equals_exhaustive_search_on_up_to_8_stops(
    points: list[tuple[float, float]],
) -> None:
    depot = (50.43, 2.83)
    fleet = Fleet(1, 1000.0, 1.0, 0.0, (1,))
    routing = solve_routing(depot, [(lat, lon, 1.0) for lat, lon in points], fleet, WIDE)
    assert len(routing.rounds) == 1

    def length(order: tuple[int, ...]) -> float:
        path = [depot, *(points[i] for i in order), depot]
        return sum(great_circle_km(*a, *b) for a, b in itertools.pairwise(path)) * 1.3

    best = min(length(order) for order in itertools.permutations(range(len(points))))
    # The solver measures whole metres: each leg may round by half a metre.
    assert length(routing.rounds[0].stops) <= best + 0.0005 * (len(points) + 1)


def test_routing_keeps_windows_and_payload_when_they_bind() -> None:
    """Fifteen 100 kg drops, vans of 250 kg: at least six rounds, each within the window."""
    rng = np.random.default_rng(3)
    drops = [(50.4 + rng.random() * 0.2, 2.7 + rng.random() * 0.3, 100.0) for _ in range(15)]
    options = LogisticsOptions()
    routing = solve_routing((50.45, 2.8), drops, Fleet(4, 250.0, 1.0, 1.0, (1, 3)), options)
    assert sorted(i for r in routing.rounds for i in r.stops) == list(range(15))
    assert len(routing.rounds) >= 6
    for r in routing.rounds:
        assert len(r.stops) * 100.0 <= 250.0
        day = (r.day - 1) * 86_400
        assert all(day + 6.5 * 3600 <= a <= day + 11 * 3600 for a in r.arrivals_s)


def test_routing_time_limit_is_honoured() -> None:
    rng = np.random.default_rng(5)
    drops = [(50.3 + rng.random() * 0.3, 2.6 + rng.random() * 0.4, 5.0) for _ in range(60)]
    options = LogisticsOptions(routing_solution_limit=10**9, routing_time_limit_s=0.5)
    started = time.perf_counter()
    routing = solve_routing((50.45, 2.8), drops, Fleet(6, 1000.0, 1.0, 1.0, (1,)), options)
    assert time.perf_counter() - started < 5  # generous: the limit is 0.5 s
    assert routing.stopped_by_time


def test_tours_keep_every_rule_when_the_time_limit_is_spent(
    with_hub: tuple[Scenario, pd.DataFrame, TourPlan],
) -> None:
    """No time left: every routing problem keeps the first rounds found, which still deliver
    every drop within payload, windows and days, the same from run to run, and quickly; with
    time to spare the search runs as without a limit."""
    scenario, flows, searched = with_hub
    problems = _drops(flows).reset_index()[["origin", "origin_id", "week"]].drop_duplicates()
    started = time.perf_counter()
    first = plan_tours(scenario, flows, time_limit_s=0.0)
    assert time.perf_counter() - started < 30  # generous: no search, first rounds only
    assert first.first_only == len(problems) > 0
    _holds_every_rule(scenario, flows, first)
    pd.testing.assert_frame_equal(first.tours, plan_tours(scenario, flows, 0.0).tours)
    assert first.tours["km"].sum() >= searched.tours["km"].sum() - 1e-6
    roomy = plan_tours(scenario, flows, time_limit_s=3600.0)
    assert roomy.first_only == 0
    pd.testing.assert_frame_equal(roomy.tours, searched.tours)


def test_routing_notes_say_what_the_clock_cut_in_french() -> None:
    with use_language("fr"):
        notes = routing_notes(0, 3)
    assert len(notes) == 1
    assert "3 calculs de tournées gardent" in notes[0]
    assert routing_notes(0, 0) == []
    assert len(routing_notes(2, 1)) == 2


def test_routing_with_no_time_left_skips_the_search() -> None:
    """Sixty drops, a search that would run its whole 10 s safety limit: with no time left
    the first rounds come back at once, and still deliver every drop."""
    rng = np.random.default_rng(5)
    drops = [(50.3 + rng.random() * 0.3, 2.6 + rng.random() * 0.4, 5.0) for _ in range(60)]
    options = LogisticsOptions(routing_solution_limit=10**9, routing_time_limit_s=10.0)
    fleet = Fleet(6, 1000.0, 1.0, 1.0, (1,))
    started = time.perf_counter()
    routing = solve_routing((50.45, 2.8), drops, fleet, options, search_s=0.0)
    assert time.perf_counter() - started < 5  # generous: the search alone takes 10 s
    assert routing.first_only and not routing.stopped_by_time
    assert sorted(i for r in routing.rounds for i in r.stops) == list(range(60))
    cut = solve_routing((50.45, 2.8), drops, fleet, options, search_s=0.3)
    assert cut.stopped_by_time and not cut.first_only
    assert sorted(i for r in cut.rounds for i in r.stops) == list(range(60))


#: The demo's canteens that the hub's plan served in its busiest week (2026-W38), 20 kg each.
HUB_WEEK = [f"C{n:03d}" for n in (*range(1, 18), *range(19, 25), 26, *range(28, 41), 43)]
HUB_WEEK += [f"C{n:03d}" for n in (46, 47, 48, 49, 51, *range(54, 64))]


def test_a_hub_week_the_cheapest_arc_cannot_route_gets_rounds() -> None:
    """53 drops of 20 kg for the demo hub's 2 vans on 4 mornings: the cheapest-arc
    construction finds no rounds; cheapest insertion does, within every rule."""
    from rhd_match.generate.hubs import make_hubs
    from rhd_match.logistics import routing

    demo = Scenario.demo()
    hub = make_hubs("lens-lievin", demo.producers).iloc[0]
    canteens = demo.canteens.set_index("canteen_id").loc[HUB_WEEK]
    drops = [(float(r.lat), float(r.lon), 20.0) for r in canteens.itertuples()]
    fleet = Fleet(2, 1000.0, 0.8, 15.0, (1, 2, 4, 5))
    options = LogisticsOptions(routing_time_limit_s=3.0)
    depot = (float(hub["latitude"]), float(hub["longitude"]))
    only_arc = routing.FIRST_SOLUTION_STRATEGIES[:1]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(routing, "FIRST_SOLUTION_STRATEGIES", only_arc)
        with pytest.raises(ScenarioError, match="logistics"):
            solve_routing(depot, drops, fleet, options, search_s=0.0)
    found = solve_routing(depot, drops, fleet, options, search_s=0.0)
    assert sorted(i for r in found.rounds for i in r.stops) == list(range(len(drops)))
    assert len(found.rounds) <= 8 and len({(r.day, r.vehicle) for r in found.rounds}) == len(
        found.rounds
    )
    for r in found.rounds:
        assert r.day in (1, 2, 4, 5) and r.vehicle <= 2
        day = (r.day - 1) * 86_400
        assert all(day + 6.5 * 3600 <= a <= day + 11 * 3600 for a in r.arrivals_s)


def test_logistics_options_are_validated() -> None:
    with pytest.raises(ValidationError, match="end after it starts"):
        LogisticsOptions(window_start=dt.time(11), window_end=dt.time(6, 30))
    with pytest.raises(ValidationError):
        LogisticsOptions(road_factor=0.9)
    with pytest.raises(ValidationError):
        LogisticsOptions(producer_delivery_day=8)


def test_a_flow_through_an_unknown_hub_is_refused(
    with_hub: tuple[Scenario, pd.DataFrame, TourPlan],
) -> None:
    scenario, flows, _ = with_hub
    lines = flows["producer_id"].notna()
    flows = flows.assign(hub_id=pd.array(np.where(lines, "NOWHERE", None), dtype="string"))
    with pytest.raises(ValueError, match="missing from the hubs table"):
        plan_tours(scenario, flows)


def test_tours_verb_writes_the_tables_in_french(
    small: tuple[Scenario, pd.DataFrame], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario, flows = small
    out = tmp_path / "tours"
    assert main(["tours", str(SMALL), "--out", str(out), "--quiet", "--lang", "fr"]) == 0
    said = capsys.readouterr().out
    assert "tournées de livraison sur l’année" in said
    assert "tournées propres des producteurs" in said
    assert "kg CO2e par tonne" in said
    # no time limit given: the routing runs to its solution limit and keeps no first rounds
    assert "premières tournées" not in said
    written = pd.read_csv(out / "tours.csv", dtype={"stop_kg": str, "arrivals": str})
    expected = plan_tours(scenario, flows).tours
    assert written[["origin_id", "week", "stops", "km"]].equals(
        expected[["origin_id", "week", "stops", "km"]]
    )
    year = pd.read_csv(out / "tours_yearly.csv")
    assert year["km"].sum() == pytest.approx(written["km"].sum())


def test_report_draws_the_rounds_and_a_table_per_round(
    with_hub: tuple[Scenario, pd.DataFrame, TourPlan],
) -> None:
    scenario, _, plan = with_hub
    solution = scenario.solve(time_limit_s=30)
    page = render_html(scenario, solution, language="fr", tours=plan)
    section = page.split('<section id="tours">')[1].split("</section>")[0]
    assert "Tournées de livraison" in page
    assert 'id="tour-map"' in section or "tour-map" in section
    assert section.count("<details>") == len(plan.tours)
    for t in plan.tours.itertuples():
        assert f"{t.week} · jour {t.day} · véhicule {t.vehicle}" in section
    assert "Lens hub" in section  # the hub is on the map, named
    assert "tournées de la plateforme" in section and "tournées propres des producteurs" in section
    assert 'id="tours"' not in render_html(scenario, solution, language="fr")


def test_comparison_counts_each_kg_delivered_once(
    small: tuple[Scenario, pd.DataFrame], with_hub: tuple[Scenario, pd.DataFrame, TourPlan]
) -> None:
    scenario, flows, plan = with_hub
    direct = plan_tours(small[0], small[1])
    table = compare_logistics({"direct only": (small[0], direct), "with the hub": (scenario, plan)})
    assert table["variant"].tolist() == ["direct only", "with the hub"]
    sold = float(flows.loc[flows["producer_id"].notna(), "qty_kg"].sum())
    np.testing.assert_allclose(table["delivered_kg"], [sold, sold], atol=1e-2)
    hub = table.iloc[1]
    assert hub["km"] == pytest.approx(plan.tours["km"].sum())
    assert hub["co2_kg_per_t"] == pytest.approx(1000 * plan.tours["co2_kg"].sum() / sold, rel=1e-4)
    # no service_days in this case: 5 service days per ISO week with demand (estimate)
    weeks = scenario.demand.groupby("canteen_id")["week"].nunique()
    per_day = scenario.canteens.set_index("canteen_id")["meals_per_day"]
    meals = float((per_day * 5 * weeks.reindex(per_day.index)).sum())
    assert hub["cost_eur_per_meal"] == pytest.approx(plan.tours["cost_eur_ht"].sum() / meals)


def test_hub_value_carries_the_rounds_figures(
    with_hub: tuple[Scenario, pd.DataFrame, TourPlan],
) -> None:
    scenario = with_hub[0]
    table = hub_value(scenario, time_limit_s=30)
    plan = plan_tours(scenario, scenario.solve(time_limit_s=30).flows)
    expected = compare_logistics({"with": (scenario, plan)}).iloc[0]
    for figure in ("km_per_t", "co2_kg_per_t", "cost_eur_per_kg", "cost_eur_per_meal"):
        assert table.loc[figure, "with_hubs"] == pytest.approx(expected[figure])
        assert np.isfinite(table.loc[figure, "without_hubs"])


def test_the_tours_verb_counts_the_routing_problems_the_time_limit_cut(
    small: tuple[Scenario, pd.DataFrame],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fault injection: the solve has spent the whole --time-limit. The summary says how
    many routing problems keep their first rounds, as the warning does."""
    import rhd_match.cli.main as main_module

    monkeypatch.setattr(main_module, "_time_left", lambda args, started: 0.0)
    out = tmp_path / "tours"
    assert main(["tours", str(SMALL), "--out", str(out), "--quiet", "--lang", "fr"]) == 0
    said = capsys.readouterr()
    problems = len(_drops(small[1]).reset_index()[["origin_id", "week"]].drop_duplicates())
    assert problems > 0
    line = "calculs de tournées laissés à leurs premières tournées (limite de temps) : "
    assert f"{line}{problems}\n" in said.out
    assert f"{problems} calculs de tournées gardent les premières tournées" in said.err


def test_the_report_and_the_workbook_count_the_routing_problems_the_time_limit_cut(
    with_hub: tuple[Scenario, pd.DataFrame, TourPlan], tmp_path: Path
) -> None:
    import openpyxl

    from rhd_match.report import report_writers
    from rhd_match.writing import write_folder_atomically

    scenario, flows, searched = with_hub
    first = plan_tours(scenario, flows, time_limit_s=0.0)
    assert first.first_only > 0 and searched.first_only == 0
    solution = scenario.solve(time_limit_s=30)
    for plan, folder in ((first, tmp_path / "cut"), (searched, tmp_path / "searched")):
        write_folder_atomically(folder, report_writers(scenario, solution, "fr", tours=plan))
        page = (folder / "report.html").read_text(encoding="utf-8")
        section = page.split('<section id="tours">')[1].split("</section>")[0]
        warned = (
            f"{first.first_only} calculs de tournées gardent les premières tournées trouvées"
            in section
        )
        assert warned == (plan is first)
        sheet = openpyxl.load_workbook(folder / "results.xlsx")["Synthèse"]
        rows = {r[-1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
        label, _before, after, *_rest = rows["routing_first_only"]
        assert label == "Calculs de tournées laissés à leurs premières tournées (limite de temps)"
        assert after == plan.first_only
        assert rows["routing_stopped_by_time"][2] == plan.stopped_by_time


def test_rounds_no_window_allows_are_a_scenario_error_naming_the_parameters() -> None:
    """A drop 200 km from the depot at 5 km/h cannot be reached within the kitchens' window:
    it was an internal error (ValueError); now the parameters to change, in French too."""
    from rhd_match.i18n import use_language

    options = LogisticsOptions(speed_kmh=5)
    drops = [(52.2, 2.8, 10.0)]
    with use_language("fr"), pytest.raises(ScenarioError) as caught:
        solve_routing((50.45, 2.8), drops, Fleet(1, 250.0, 1.0, 1.0, (1,)), options)
    [problem] = caught.value.problems
    assert (problem.table, problem.column) == ("parameters", "logistics")
    assert "fenêtre des cuisines (06:30 à 11:00) à 5 km/h" in problem.message
    assert "speed_kmh" in problem.message


@pytest.mark.parametrize(
    ("section", "values"),
    [
        ("weights", {"egalim_shortfall": 1e300}),
        ("weights", {"distance": 1e200}),
        ("logistics", {"speed_kmh": 1}),
        ("logistics", {"producer_payload_kg": 1e15}),
        ("logistics", {"co2_kg_per_km": 1e20}),
    ],
)
def test_parameters_beyond_any_territory_are_refused_before_any_solve(
    section: str, values: dict[str, float]
) -> None:
    """They passed validation, then overflowed the solver or the report (exit 70)."""
    from rhd_match import OptionError, Scenario

    scenario = Scenario.from_folder(SMALL)
    with pytest.raises((OptionError, ScenarioError, ValueError)) as caught:
        scenario.with_parameters(**{section: values})
    assert next(iter(values)) in str(caught.value)
