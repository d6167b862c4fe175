"""Pooled delivery through hubs: the two-echelon model against the brute force on tiny cases
where each hub rule binds, every strategy's plan checked, properties on random tiny territories,
and each hub rule of the checker flagged on a plan that breaks it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from brute_force import brute_force, count_assignments
from check_factories import at, make_scenario
from hypothesis import given, settings
from hypothesis import strategies as st

import rhd_match
from rhd_match import Scenario
from rhd_match.check import check, objective_from_flows

W1, W2 = "2026-W03", "2026-W04"
SOLVE = {"time_limit_s": 20.0, "threads": 1, "mip_gap": 1e-9}
FRUIT = ("FRUITS_ET_LEGUMES", 1.0, 2.0)


def hub_row(**changes: Any) -> dict[str, Any]:
    """A hub at the origin delivering within 15 km, 20 kg a drop at least."""
    lat, lon = at(0.0, 0.0)
    return {
        "hub_id": "H",
        "name": "Hub",
        "latitude": lat,
        "longitude": lon,
        "capacity_kg_per_week": 500.0,
        "fee_eur_per_kg": 0.2,
        "fee_share": 0.05,
        "vehicles": 1,
        "payload_kg": 900.0,
        "cost_eur_per_km": 0.8,
        "cost_eur_per_hour": 15.0,
        "delivery_days": "1;4",
        "min_drop_kg": 20.0,
        "radius_km": 15.0,
    } | changes


def with_hub(hub: dict[str, Any] | None = None, **spec: Any) -> Scenario:
    """Two producers and three canteens. P1, a member of the hub, sells organic apples with a
    franco of 100 EUR HT (40 kg): no canteen's 25 kg pays it on its own, the hub's order for
    C1 and C2 does. P2 (no hub) sells a little unlabelled fruit. C3 lies beyond the hub's
    radius but within P1's own. ``spec`` overrides P1's producer fields."""
    sc = make_scenario(
        {"APPLE": FRUIT},
        {"C1": {"place": (5, 0)}, "C2": {"place": (-5, 0)}, "C3": {"place": (10, 18)}},
        {
            "P1": {"place": (20, 0), "radius": 25.0, "franco": spec.get("franco", 100.0)},
            "P2": {"place": (-10, 0), "radius": 30.0},
        },
        [("P1", "APPLE", W1, 200, 2.5, "BIO"), ("P2", "APPLE", W1, 10, 1.9, "")],
        [("C1", "APPLE", W1, 25), ("C2", "APPLE", W1, 25), ("C3", "APPLE", W1, 30)],
    )
    producers = sc.producers.assign(hub_id=["H", None])
    hubs = pd.DataFrame([hub if hub is not None else hub_row()])
    tables = sc.tables | {"producers": producers, "hubs": hubs}
    return Scenario.from_frames(**tables, parameters=sc.parameters)


CASES: dict[str, Scenario] = {}


def _case(name: str) -> Scenario:
    if name not in CASES:
        CASES[name] = {
            "hub": lambda: with_hub(),
            "minimum binds": lambda: with_hub(hub_row(min_drop_kg=26.0)),
            "capacity binds": lambda: with_hub(hub_row(capacity_kg_per_week=45.0)),
            "fleet binds": lambda: with_hub(hub_row(payload_kg=22.0, delivery_days="2")),
            "fee by value": lambda: with_hub(hub_row(fee_eur_per_kg=0.0, fee_share=0.4)),
            "wide radius": lambda: with_hub(hub_row(radius_km=30.0)),
            "no franco": lambda: with_hub(franco=0.0),
        }[name]()
    return CASES[name]


@pytest.mark.parametrize(
    "name",
    ["hub", "minimum binds", "capacity binds", "fleet binds", "fee by value", "wide radius",
     "no franco"],
)  # fmt: skip
def test_the_mip_finds_the_brute_force_optimum_through_the_hub(name: str) -> None:
    sc = _case(name)
    assert count_assignments(sc) <= 256
    best = brute_force(sc)
    assert check(sc, best.flows).empty, check(sc, best.flows).to_string()
    assert abs(objective_from_flows(sc, best.flows) - best.objective) < 1e-6 * abs(best.objective)
    solution = rhd_match.solve(sc, strategy="mip", objective="weighted", **SOLVE)
    found = check(sc, solution)
    assert found.empty, found.to_string()
    assert solution.objective == pytest.approx(best.objective, rel=1e-6)


@pytest.mark.parametrize("name", ["minimum binds", "fleet binds"])
def test_the_relaxation_bounds_the_mip_through_the_hub(name: str) -> None:
    # Its hub drops are fractional: emptying those under the minimum would lift it above.
    sc = _case(name)
    lp = rhd_match.solve(sc, strategy="lp", objective="weighted", **SOLVE)
    mip = rhd_match.solve(sc, strategy="mip", objective="weighted", **SOLVE)
    assert lp.objective <= mip.objective + 1e-6 * abs(mip.objective)


@pytest.mark.parametrize("name", ["hub", "minimum binds", "no franco"])
def test_the_lexicographic_mip_reaches_the_brute_force_levels(name: str) -> None:
    sc = _case(name)
    best = brute_force(sc, levels=("egalim", "local", "cost"))
    solution = rhd_match.solve(sc, strategy="mip", **SOLVE)
    assert check(sc, solution).empty
    figures = solution.canteens
    shortfall = sum(figures[f"shortfall_{t}_eur_ht"].sum() for t in ("quality", "organic"))
    shortfall += figures["shortfall_meat_fish_eur_ht"].sum()
    assert shortfall == pytest.approx(best.levels[0], abs=1e-4)
    local = solution.flows.loc[solution.flows["local"], "qty"].to_numpy()
    ref = 2.0  # APPLE's reference price: the local level counts local food at it
    assert -ref * local.sum() == pytest.approx(best.levels[1], rel=1e-6)


def test_each_hub_rule_binds_on_the_brute_force() -> None:
    base = brute_force(_case("hub")).objective
    without = Scenario.from_frames(
        **(_case("hub").tables | {"hubs": _case("hub").hubs.iloc[:0]}),
        parameters=_case("hub").parameters,
    )
    assert brute_force(without).objective > base + 1e-3  # the hub is worth something
    for name in ("minimum binds", "capacity binds", "fleet binds", "fee by value"):
        assert brute_force(_case(name)).objective > base + 1e-3, name
    assert brute_force(_case("wide radius")).objective < base - 1e-3


def test_the_hub_carries_what_no_direct_drop_could_pay() -> None:
    solution = rhd_match.solve(_case("hub"), strategy="mip", **SOLVE)
    flows = solution.flows
    via = flows[flows["hub_id"].notna()]
    assert set(via["canteen_id"]) == {"C1", "C2"}
    assert (via["producer_id"] == "P1").all()
    assert via["price_eur_ht"].to_numpy() == pytest.approx(2.5 * 1.05 + 0.2)
    assert not (flows["hub_id"].notna() & (flows["supplier"] != "producer")).any()


@pytest.mark.parametrize("strategy", ["lp", "repair", "decompose", "auto"])
@pytest.mark.parametrize("objective", ["lexicographic", "compliance", "weighted"])
def test_every_strategy_and_objective_keeps_the_hub_rules(strategy: str, objective: str) -> None:
    sc = _case("minimum binds")
    solution = rhd_match.solve(sc, strategy=strategy, objective=objective, **SOLVE)
    found = check(sc, solution)
    assert found.empty, found.to_string()


def _broken(edit: dict[str, Any]) -> set[str]:
    """The rules the checker reports on the optimum's flows with its first hub line edited."""
    sc = _case("hub")
    flows = rhd_match.solve(sc, strategy="mip", **SOLVE).flows.copy()
    at_row = flows.index[flows["hub_id"].notna()][0]
    for column, value in edit.items():
        flows[column] = flows[column].astype(object)
        flows.loc[at_row, column] = value
    if "qty" in edit:
        flows.loc[at_row, "value_eur_ht"] = edit["qty"] * flows.loc[at_row, "price_eur_ht"]
        flows.loc[at_row, "qty_kg"] = edit["qty"]
    return set(check(sc, flows)["rule"])


@pytest.mark.parametrize(
    ("edit", "rule"),
    [
        ({"hub_id": "NOWHERE"}, "unknown_id"),
        ({"producer_id": "P2", "price_eur_ht": 1.9 * 1.05 + 0.2}, "hub_member"),
        ({"canteen_id": "C3"}, "hub_radius"),
        ({"qty": 15.0}, "hub_min_drop"),
        ({"qty": 600.0}, "hub_capacity"),
        ({"price_eur_ht": 2.5, "value_eur_ht": 62.5}, "price"),
        ({"supplier": "conventional", "producer_id": None}, "hub_supplier"),
    ],
)
def test_the_checker_flags_each_broken_hub_rule(edit: dict[str, Any], rule: str) -> None:
    assert rule in _broken(edit)


def test_the_checker_holds_the_franco_to_the_hub_s_whole_order() -> None:
    sc = _case("hub")
    flows = rhd_match.solve(sc, strategy="mip", **SOLVE).flows
    assert check(sc, flows).empty
    # The same lines delivered directly: two drops of 25 kg, each below P1's franco of 40 kg.
    direct = flows.assign(hub_id=None)
    direct["price_eur_ht"] = direct["price_eur_ht"].where(flows["hub_id"].isna(), 2.5)
    direct["value_eur_ht"] = direct["qty"] * direct["price_eur_ht"]
    assert "franco" in set(check(sc, direct)["rule"])


@settings(max_examples=5, deadline=None, derandomize=True)
@given(
    least=st.floats(0.0, 40.0),
    capacity=st.floats(0.0, 120.0),
    radius=st.floats(0.0, 30.0),
    per_kg=st.floats(0.0, 1.0),
    share=st.floats(0.0, 0.5),
    franco=st.floats(0.0, 200.0),
)
def test_any_hub_plan_passes_the_checker(
    least: float, capacity: float, radius: float, per_kg: float, share: float, franco: float
) -> None:
    hub = hub_row(
        min_drop_kg=least,
        capacity_kg_per_week=capacity,
        radius_km=radius,
        fee_eur_per_kg=per_kg,
        fee_share=share,
    )
    sc = with_hub(hub, franco=franco)
    for strategy in ("mip", "decompose"):
        solution = rhd_match.solve(sc, strategy=strategy, **SOLVE)
        found = check(sc, solution)
        assert found.empty, found.to_string()


def test_the_hub_table_adds_up_the_lines_through_each_hub() -> None:
    from rhd_match.plan.tables import hub_table

    sc = _case("hub")
    flows = rhd_match.solve(sc, strategy="mip", **SOLVE).flows
    table = hub_table(sc, flows)
    via = flows[flows["hub_id"].notna()]
    assert list(table[["hub_id", "week"]].itertuples(index=False, name=None)) == [("H", W1)]
    row = table.iloc[0]
    assert row["kg_in"] == pytest.approx(via["qty_kg"].sum())
    assert row["kg_out"] == row["kg_in"]
    assert (row["producer_drops"], row["canteen_drops"]) == (1, 2)
    # 5 % of the offer's 2.5 EUR HT and 0.2 EUR HT a kg, on every kg through the hub.
    assert row["fees_eur_ht"] == pytest.approx(via["qty_kg"].sum() * (2.5 * 0.05 + 0.2))


def split_order() -> Scenario:
    """P1 (a member of the hub, franco 100 EUR HT: 40 kg of its organic apples) can pay its
    franco only through the hub's order for C1 and C2 (30 kg each). P2 (no hub, no franco)
    sells 12 kg of cheaper organic apples within 8 km: C2 only. The relaxation sends C2 18 kg
    through the hub, under the hub's minimum of 20 kg; the optimum fills that drop to it."""
    sc = make_scenario(
        {"APPLE": FRUIT},
        {"C1": {"place": (5, 0)}, "C2": {"place": (-5, 0)}},
        {
            "P1": {"place": (20, 0), "radius": 30.0, "franco": 100.0},
            "P2": {"place": (-10, 0), "radius": 8.0},
        },
        [("P1", "APPLE", W1, 200, 2.5, "BIO"), ("P2", "APPLE", W1, 12, 1.9, "BIO")],
        [("C1", "APPLE", W1, 30), ("C2", "APPLE", W1, 30)],
    )
    tables = sc.tables | {
        "producers": sc.producers.assign(hub_id=["H", None]),
        "hubs": pd.DataFrame([hub_row()]),
    }
    return Scenario.from_frames(**tables, parameters=sc.parameters)


@pytest.mark.parametrize("strategy", ["repair", "decompose"])
def test_the_heuristics_route_through_the_hub_when_it_pays(strategy: str) -> None:
    # No canteen's order pays P1's franco on its own: the heuristics must open the hub drops
    # from the relaxation's hub flows, the one under the hub's minimum included.
    sc = split_order()
    lp = rhd_match.solve(sc, strategy="lp", objective="weighted", **SOLVE).flows
    relaxed = lp[lp["hub_id"].notna()].groupby("canteen_id")["qty_kg"].sum()
    assert 10.0 <= relaxed["C2"] < 20.0  # what the case is about
    solution = rhd_match.solve(sc, strategy=strategy, objective="weighted", **SOLVE)
    found = check(sc, solution)
    assert found.empty, found.to_string()
    flows = solution.flows
    via = flows[flows["hub_id"].notna()].groupby("canteen_id")["qty_kg"].sum()
    assert set(via.index) == {"C1", "C2"}
    assert via.min() >= 20.0 - 1e-6
    best = brute_force(sc)
    assert solution.objective == pytest.approx(best.objective, rel=1e-6)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(share=st.lists(st.floats(0.0, 1.0), min_size=64, max_size=64))
def test_no_plan_leaves_a_drop_under_its_minimum(share: list[float]) -> None:
    # Any flows, as a heuristic stopped by the clock may leave them: closing the short drops
    # leaves every hub drop at 0 or at least the hub's minimum, every franco paid or unused.
    from rhd_match.model.build import build_model
    from rhd_match.model.decode import clean_flows, flows_from_quantities
    from rhd_match.model.strategies import close_short_drops

    sc = _case("minimum binds")
    model = build_model(sc)
    var, arcs = model.variables, model.index.arcs
    values = np.zeros(var.count)
    fractions = np.resize(np.asarray(share), len(arcs))
    values[var.cols("x")] = fractions * np.fmin(arcs["ub"].to_numpy(), 30.0)
    x, v = clean_flows(model, close_short_drops(model, values))
    flows = flows_from_quantities(sc, model.index, x, v)
    found = check(sc, flows)
    assert not found["rule"].isin({"hub_min_drop", "franco"}).any(), found.to_string()
    via = flows[flows["hub_id"].notna()].groupby(["canteen_id", "week"])["qty_kg"].sum()
    assert ((via == 0) | (via >= 26.0 - 1e-6)).all()


def test_the_workbook_and_the_report_show_each_hub(tmp_path: Path) -> None:
    import openpyxl

    from rhd_match.plan.tables import hub_table
    from rhd_match.report import write_workbook
    from rhd_match.report.html import render_html
    from rhd_match.report.hubs_section import hub_year

    sc = _case("hub")
    solution = rhd_match.solve(sc, strategy="mip", **SOLVE)
    weekly = hub_table(sc, solution.flows)
    book = openpyxl.load_workbook(write_workbook(sc, solution, tmp_path / "results.xlsx"))
    assert "Hubs" in book.sheetnames or "Plateformes" in book.sheetnames
    sheet = book["Plateformes" if "Plateformes" in book.sheetnames else "Hubs"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1]) for r in rows] == [("H", W1)]
    assert rows[0][2] == pytest.approx(weekly["kg_in"].iloc[0])
    year = hub_year(sc, solution.flows)
    assert year.loc["H", "canteens"] == 2  # C1 and C2, through the hub
    assert year.loc["H", "fees_eur_ht"] == pytest.approx(weekly["fees_eur_ht"].sum())
    page = render_html(sc, solution, language="en")
    assert 'id="hubs"' in page and "hub charges EUR excl. VAT" in page


def test_the_small_canteens_share_counts_the_small_canteens() -> None:
    from rhd_match.analysis.hub_value import plan_figures

    base = _case("hub")
    sc = base.with_tables(canteens=base.canteens.assign(meals_per_day=[90.0, 400.0, 400.0]))
    flows = rhd_match.solve(sc, strategy="mip", **SOLVE).flows
    c1 = flows[flows["canteen_id"] == "C1"]
    expected = c1.loc[c1["local"], "value_eur_ht"].sum() / c1["value_eur_ht"].sum()
    assert expected > 0  # C1 gets local food through the hub
    figures = plan_figures(sc, flows)
    assert figures["share_local_small_canteens"] == pytest.approx(expected)
    assert figures["small_canteens_with_local_food"] == 1


def test_the_small_canteens_bound_is_the_best_share_their_supply_allows() -> None:
    """C1 alone is small. Through the hub it can buy its 25 kg of P1's apples (the hub's
    whole order pays P1's franco: the bound must not hold C1's 62.5 EUR HT to it), all
    local: 100 %. Without the hub P1's drop at C1 can never pay its franco, and the best
    C1 can do is P2's 10 kg at 1.9 EUR HT and 15 kg conventional at the reference 2.0:
    19 / (19 + 30). Each plan stays under its variant's bound."""
    from rhd_match.analysis.hub_value import (
        plan_figures,
        small_canteens_local_bound,
        without_hubs,
    )

    base = _case("hub")
    sc = base.with_tables(canteens=base.canteens.assign(meals_per_day=[90.0, 400.0, 400.0]))
    direct = without_hubs(sc)
    bounds = {"hub": small_canteens_local_bound(sc), "direct": small_canteens_local_bound(direct)}
    assert bounds == pytest.approx({"hub": 1.0, "direct": 19.0 / 49.0}, rel=1e-9)
    for name, variant in (("hub", sc), ("direct", direct)):
        flows = rhd_match.solve(variant, strategy="mip", **SOLVE).flows
        share = plan_figures(variant, flows)["share_local_small_canteens"]
        assert share <= bounds[name] + 1e-9
    big = sc.with_tables(canteens=sc.canteens.assign(meals_per_day=400.0))
    assert small_canteens_local_bound(big) == 0.0


@pytest.fixture
def transport_drops(monkeypatch: pytest.MonkeyPatch) -> None:
    """The decomposition as on a large model: no whole-year relaxation and no weekly pass with
    delivery rows, so its drops come from the price search's transport flows."""
    from rhd_match.model.decomposition import budgets

    monkeypatch.setattr(budgets, "WHOLE_LP_MAX_NONZEROS", 0)
    monkeypatch.setattr(budgets, "DELIVERY_MAX_NONZEROS", 0)


def local_apples() -> Scenario:
    """P1, a member of the hub (franco 100 EUR HT: 46 kg of its unlabelled local apples at
    2.2 EUR HT, above the reference 2.0), and P2, outside the hub, selling organic carrots
    without franco. C1 and C2 order 30 kg of apples each, so only the hub's order pays P1's
    franco, and 80 kg of carrots, which meet their EGalim targets with room to spare: the
    hub's apples then add local food at no cost to EGalim. At the price search's first
    multipliers (every canteen short of every target) a euro above the reference price costs
    far more than local food is worth, so its first passes buy no apple."""
    sc = make_scenario(
        {"APPLE": FRUIT, "CARROT": ("FRUITS_ET_LEGUMES", 1.0, 1.5)},
        {"C1": {"place": (5, 0)}, "C2": {"place": (-5, 0)}},
        {
            "P1": {"place": (20, 0), "radius": 30.0, "franco": 100.0},
            "P2": {"place": (0, 10), "radius": 30.0},
        },
        [("P1", "APPLE", W1, 200, 2.2, ""), ("P2", "CARROT", W1, 2000, 1.5, "BIO")],
        [
            ("C1", "APPLE", W1, 30),
            ("C2", "APPLE", W1, 30),
            ("C1", "CARROT", W1, 80),
            ("C2", "CARROT", W1, 80),
        ],
    )
    tables = sc.tables | {
        "producers": sc.producers.assign(hub_id=["H", None]),
        "hubs": pd.DataFrame([hub_row(fee_eur_per_kg=0.0, fee_share=0.0)]),
    }
    return Scenario.from_frames(**tables, parameters=sc.parameters)


@pytest.mark.parametrize("objective", ["lexicographic", "weighted"])
@pytest.mark.usefixtures("transport_drops")
def test_the_decomposition_routes_through_the_hub_from_its_transport_flows(
    objective: str,
) -> None:
    sc = local_apples()
    exact = rhd_match.solve(sc, strategy="mip", objective=objective, **SOLVE)
    solution = rhd_match.solve(sc, strategy="decompose", objective=objective, **SOLVE)
    found = check(sc, solution)
    assert found.empty, found.to_string()
    flows = solution.flows
    via = flows[flows["hub_id"].notna()].groupby("canteen_id")["qty_kg"].sum()
    assert via.to_dict() == pytest.approx({"C1": 30.0, "C2": 30.0})
    assert solution.objective == pytest.approx(exact.objective, rel=1e-6)
    levels = [f"level_{k}_value" for k in (1, 2, 3)] if objective != "weighted" else []
    for key in levels:
        assert solution.summary[key].iloc[0] == pytest.approx(
            exact.summary[key].iloc[0], rel=1e-6, abs=1e-6
        )


def two_members() -> Scenario:
    """``local_apples`` with a second member of the hub, P3, selling the same apples at the
    same price and franco: the hub's order (60 kg, 132 EUR HT) pays one of the two francos,
    not both. Split evenly it pays neither: the repair must gather it on one member."""
    sc = local_apples()
    p3 = sc.producers.iloc[[0]].assign(producer_id="P3", name="P3")
    offers = sc.offers.iloc[[0]].assign(producer_id="P3")
    tables = sc.tables | {
        "producers": pd.concat([sc.producers, p3], ignore_index=True),
        "offers": pd.concat([sc.offers, offers], ignore_index=True),
    }
    return Scenario.from_frames(**tables, parameters=sc.parameters)


@pytest.mark.usefixtures("transport_drops")
def test_the_decomposition_gathers_the_hub_s_order_on_one_member() -> None:
    sc = two_members()
    exact = rhd_match.solve(sc, strategy="mip", **SOLVE)
    solution = rhd_match.solve(sc, strategy="decompose", **SOLVE)
    found = check(sc, solution)
    assert found.empty, found.to_string()
    via = solution.flows[solution.flows["hub_id"].notna()]
    assert via["qty_kg"].sum() == pytest.approx(60.0)
    assert via["producer_id"].nunique() == 1
    for key in [f"level_{k}_value" for k in (1, 2, 3)]:
        assert solution.summary[key].iloc[0] == pytest.approx(
            exact.summary[key].iloc[0], rel=1e-6, abs=1e-6
        )


@settings(max_examples=8, deadline=None, derandomize=True)
@given(
    least=st.floats(0.0, 40.0),
    capacity=st.floats(0.0, 120.0),
    per_kg=st.floats(0.0, 1.0),
    franco=st.floats(0.0, 200.0),
)
def test_no_hub_drop_from_the_transport_flows_is_under_its_minimum(
    least: float, capacity: float, per_kg: float, franco: float
) -> None:
    from rhd_match.model.decomposition import budgets

    sc = with_hub(
        hub_row(min_drop_kg=least, capacity_kg_per_week=capacity, fee_eur_per_kg=per_kg),
        franco=franco,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(budgets, "WHOLE_LP_MAX_NONZEROS", 0)
        patch.setattr(budgets, "DELIVERY_MAX_NONZEROS", 0)
        solution = rhd_match.solve(sc, strategy="decompose", **SOLVE)
    found = check(sc, solution)
    assert found.empty, found.to_string()
    flows = solution.flows
    via = flows[flows["hub_id"].notna()].groupby(["canteen_id", "week"])["qty_kg"].sum()
    assert (via >= least - 1e-6).all()


def test_the_hubs_command_prints_costs_per_meal_to_the_tenth_of_a_cent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    from rhd_match.cli.main import main

    sc = local_apples()
    sc = sc.with_tables(canteens=sc.canteens.assign(meals_per_day=[40, 60]))
    sc.to_folder(tmp_path / "case")
    assert main(["hubs", str(tmp_path / "case"), "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out.splitlines()
    table = pd.read_csv(tmp_path / "out" / "hub_value.csv").set_index("figure")
    for figure in ("cost_eur_per_meal", "extra_cost_per_meal_eur_ht"):
        line = printed[1 + list(table.index).index(figure)]  # under the header, in order
        cells = line.split()[-3:]
        assert all(re.fullmatch(r"-?\d+[.,]\d{3}", c) for c in cells), line
        shown = [float(c.replace(",", ".")) for c in cells]
        expected = table.loc[figure, ["without_hubs", "with_hubs", "difference"]].to_numpy()
        assert shown == pytest.approx(expected, abs=5e-4), line
        assert shown[1] > 0  # the figure is a few cents: 2 decimals would lose most of it


def page_figures(page: str) -> dict[tuple[str, str], tuple[float, str]]:
    """The figures of ``hub_value.html``: (figure, column) → (its ``data-value``, its text)."""
    import re

    cells = re.findall(r'data-field="(\w+)" data-when="(\w+)" data-value="([^"]*)">([^<]*)<', page)
    return {(f, c): (float(v) if v else float("nan"), text) for f, c, v, text in cells}


def test_the_hubs_command_shows_the_csv_s_figures_and_share_differences_in_points(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The printed table, the CSV file and the HTML page carry the same figures; a difference
    of two shares is in percentage points everywhere (the CSV says so in difference_unit)."""
    import re

    from rhd_match.cli.main import main

    sc = local_apples()
    sc.with_tables(canteens=sc.canteens.assign(meals_per_day=[40, 60])).to_folder(tmp_path / "c")
    assert main(["hubs", str(tmp_path / "c"), "--out", str(tmp_path / "out"), "--lang", "fr"]) == 0
    printed = capsys.readouterr().out.splitlines()
    table = pd.read_csv(tmp_path / "out" / "hub_value.csv").set_index("figure")
    shares = table[table["unit"] == "fraction"]
    assert len(shares) == 3 and (shares["difference_unit"] == "points").all()
    others = table[table["unit"] != "fraction"]
    assert (others["difference_unit"] == others["unit"]).all()
    rise = 100 * (shares["with_hubs"] - shares["without_hubs"])
    assert shares["difference"].to_numpy() == pytest.approx(rise.to_numpy())
    assert rise["share_local"] > 1.0  # the hub's apples: a difference worth showing
    for figure, points in shares["difference"].items():
        line = printed[1 + list(table.index).index(str(figure))]
        found = re.search(r"([+-]?\d+,\d)\u00a0pt$", line)
        assert found is not None, line
        assert float(found.group(1).replace(",", ".")) == pytest.approx(points, abs=0.05)
    page = (tmp_path / "out" / "hub_value.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in page and not re.search(r'(src|href)="(https?:)?//', page)
    shown = page_figures(page)
    expected = {
        (str(f), c): float(table.loc[f, c])
        for f in table.index
        for c in ("without_hubs", "with_hubs", "difference")
    }
    assert set(shown) == set(expected)
    for key, value in expected.items():
        assert shown[key][0] == pytest.approx(value, nan_ok=True), key
    for figure in shares.index:
        assert shown[(str(figure), "difference")][1].endswith("\u00a0pt")
        assert shown[(str(figure), "with_hubs")][1].endswith("\u00a0%")


def test_the_hubs_command_prints_a_figure_it_cannot_compute_as_not_available(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rhd_match.cli.main import main

    local_apples().to_folder(tmp_path / "case")  # no meals per day: no cost per meal
    assert main(["hubs", str(tmp_path / "case"), "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert "nan" not in printed.lower()
    meal_lines = [line for line in printed.splitlines() if "per meal" in line]
    assert len(meal_lines) == 2 and all(line.split()[-3:] == ["n/a"] * 3 for line in meal_lines)


@pytest.mark.usefixtures("transport_drops")
def test_the_levels_after_the_first_hold_its_hub_flows(monkeypatch: pytest.MonkeyPatch) -> None:
    """A heuristic's levels hold the hub flows of the first level's point. A second level
    that would cut the kg through the hub cuts them without the hold, and leaves them as the
    first level put them with it."""
    import rhd_match.model.solve as solve_module
    from rhd_match.model.goals import Goals, solve_levels

    calls: list[tuple[Any, ...]] = []

    def spy(*args: Any) -> Any:
        calls.append(args)
        return solve_levels(*args)

    monkeypatch.setattr(solve_module, "solve_levels", spy)
    sc = two_members()
    solution = rhd_match.solve(sc, strategy="decompose", **SOLVE)
    assert check(sc, solution).empty
    ((goals, lower, upper, integer, options, deadline, report, held),) = calls
    model = goals.model
    x = model.variables.cols("x")
    kg = model.index.arcs["kg_per_unit"].to_numpy()
    via = model.index.arcs["hub_drop"].to_numpy() >= 0
    assert held is not None and held[x].tolist() == via.tolist() and held.sum() == via.sum()
    fewer_kg = np.zeros(model.variables.count)
    fewer_kg[x] = np.where(via, kg, 0.0)
    two = Goals(model, (goals.names[0], "hub_kg"), (goals.levels[0], fewer_kg))

    def levels(g: Goals, hold: Any) -> Any:
        return solve_levels(g, lower, upper, integer, options, deadline, report, hold)

    first = levels(Goals(model, goals.names[:1], goals.levels[:1]), None)
    kept, free = levels(two, held), levels(two, None)
    assert first.values is not None and kept.values is not None and free.values is not None
    through = float(fewer_kg @ first.values)
    assert through == pytest.approx(60.0)  # both canteens' 30 kg through the hub
    # down to what pays the member's franco at the hub: 100 EUR HT at 2.2 EUR HT a kg
    assert float(fewer_kg @ free.values) == pytest.approx(100.0 / 2.2)
    np.testing.assert_allclose(kept.values[held], first.values[held], atol=1e-9)
    assert kept.reached == pytest.approx((first.reached[0], through))


def many_members(members: int) -> Scenario:
    """``members`` members of the hub, each with 5 kg of organic apples and a franco of
    100 EUR HT (40 kg): no member's drop at the hub can pay it. C1 and C2 order 200 kg each,
    within the hub's radius and beyond every member's own, so the hub's order spreads over
    every member, each drop short of its franco."""
    sc = make_scenario(
        {"APPLE": FRUIT},
        {"C1": {"place": (5, 0)}, "C2": {"place": (-5, 0)}},
        {f"P{k:02d}": {"place": (20, 0), "radius": 1.0, "franco": 100.0} for k in range(members)},
        [(f"P{k:02d}", "APPLE", W1, 5, 2.5, "BIO") for k in range(members)],
        [("C1", "APPLE", W1, 200), ("C2", "APPLE", W1, 200)],
    )
    tables = sc.tables | {
        "producers": sc.producers.assign(hub_id="H"),
        "hubs": pd.DataFrame([hub_row()]),
    }
    return Scenario.from_frames(**tables, parameters=sc.parameters)


def test_the_franco_loop_gathers_a_hub_s_order_for_four_rounds_at_most() -> None:
    """The gathering is capped (``budgets.HUB_GATHER_ROUNDS``, docs/decision-support.md):
    32 members' drops at the hub, all short of their franco, are halved for four rounds
    (32, 16, 8, 4, 2 open), then the two still short close at once with the hub drops they
    leave under the minimum, and the loop settles on no hub flow. Uncapped (or with a higher
    cap) the halving would go on to one drop."""
    import re

    from rhd_match.i18n import use_language
    from rhd_match.model.decomposition import repair
    from rhd_match.model.decomposition.annual import AnnualRows
    from rhd_match.model.decomposition.subproblems import WeeklySolver, week_problems
    from rhd_match.model.strategies import (
        Deadline,
        Reporter,
        all_conventional,
        open_from_relaxation,
    )
    from rhd_match.params import SolverOptions

    model = rhd_match.model.build.build_model(many_members(32))
    var = model.variables
    annual = AnnualRows.of(model)
    cost = annual.cost(model, annual.mu_high)
    weekly = WeeklySolver(model, SolverOptions(objective="weighted"), Deadline(60))
    said: list[Any] = []
    log = Reporter(said.append, 60.0)
    try:
        relaxed, _total, ok = weekly.solve(week_problems(model, False), cost, var.lower, var.upper)
        assert ok
        open_drop, open_lot = open_from_relaxation(model, relaxed)
        assert open_drop.sum() == 32  # every member's drop at the hub
        with use_language("en"):
            values = repair.franco_loop(
                model,
                weekly,
                week_problems(model, True),
                cost,
                open_drop,
                open_lot,
                Deadline(60),
                log,
                all_conventional(model),
            )
    finally:
        weekly.close()
    rounds = [re.search(r"repair: (\d+) drops open", p.message) for p in said]
    opened = [int(r.group(1)) for r in rounds if r is not None]
    assert opened == [32, 16, 8, 4, 2, 0]
    assert values[var.cols("hub_y")].max() < 0.5


def test_the_hubs_command_bounds_the_routing_by_the_time_limit_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --time-limit each variant's routing gets what its solve left of it (the routing
    spied on, not replaced); the table counts the routing problems left with first rounds."""
    import rhd_match.analysis.hub_value as hub_value_module
    from rhd_match.cli.main import main

    given: list[float | None] = []
    real = hub_value_module.plan_tours

    def spy(scenario: Scenario, flows: pd.DataFrame, time_limit_s: float | None = None) -> Any:
        given.append(time_limit_s)
        return real(scenario, flows, time_limit_s)

    monkeypatch.setattr(hub_value_module, "plan_tours", spy)
    local_apples().to_folder(tmp_path / "case")
    out = tmp_path / "out"
    assert main(["hubs", str(tmp_path / "case"), "--out", str(out), "--time-limit", "600"]) == 0
    assert len(given) == 2 and all(t is not None and 0 < t < 600 for t in given), given
    table = pd.read_csv(out / "hub_value.csv").set_index("figure")
    assert table.loc["routing_first_only", ["without_hubs", "with_hubs"]].tolist() == [0, 0]
    assert "routing problems left with their first rounds" in capsys.readouterr().out
