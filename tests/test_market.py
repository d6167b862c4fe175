"""Market supply (``scenario.market``): the optimiser against the brute force on a tiny case
where each market rule binds, every strategy's plan checked, and each half of each market rule
of the checker flagged on a plan that breaks it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
from brute_force import brute_force
from check_factories import make_scenario

import rhd_match
from rhd_match import Scenario
from rhd_match.check import check, objective_from_flows
from rhd_match.i18n import use_language
from rhd_match.macantine.export import purchase_file
from rhd_match.plan.orders import order_sheets, write_orders

W1, W2 = "2026-W03", "2026-W04"
SOLVE = {"time_limit_s": 20.0, "threads": 1, "mip_gap": 1e-9}
FRUIT = ("FRUITS_ET_LEGUMES", 1.0, 2.0)
BEEF = ("VIANDES_VOLAILLES", 1.0, 12.0)


def with_market(changes: dict[tuple[str, int], Any] | None = None) -> Scenario:
    """Two canteens, a local producer with 10 kg of unlabelled apples in week 1, and three
    market options: organic apples from week 2 (25 kg a week), Label Rouge beef for C2 only,
    organic apples for C1 until week 1 (20 kg a week). ``changes``: (column, row) → value."""
    sc = make_scenario(
        {"APPLE": FRUIT, "BEEF": BEEF},
        {"C1": {"place": (2, 0)}, "C2": {"place": (-2, 0)}},
        {"P": {}},
        [("P", "APPLE", W1, 10, 2.0, "")],
        [
            ("C1", "APPLE", W1, 40),
            ("C1", "APPLE", W2, 40),
            ("C2", "APPLE", W1, 30),
            ("C1", "BEEF", W1, 10),
            ("C2", "BEEF", W1, 10),
        ],
    )
    market = pd.DataFrame(
        {
            "market_id": ["M_APPLE", "M_BEEF", "LOT_C1"],
            "supplier_id": ["WHOLESALER", "WHOLESALER", "LOT"],
            "supplier_name": ["Wholesaler", "Wholesaler", "C1's organic lot"],
            "product_id": ["APPLE", "BEEF", "APPLE"],
            "labels": ["BIO", "LABEL_ROUGE", "BIO"],
            "price_eur_ht": [2.4, 14.0, 2.6],
            "first_week": [W2, None, None],
            "last_week": [None, None, W1],
            "max_qty_per_week": [25.0, None, 20.0],
            "canteen_ids": [None, "C2", "C1"],
            "origin": ["FRANCE", None, "EUROPE"],
        }
    )
    for (column, row), value in (changes or {}).items():
        market[column] = market[column].astype(object)
        market.loc[row, column] = value
    return Scenario.from_frames(**(sc.tables | {"market": market}), parameters=sc.parameters)


RELAXED: dict[str, dict[tuple[str, int], Any]] = {
    "weekly limit": {("max_qty_per_week", 0): None},
    "first week": {("first_week", 0): None},
    "last week": {("last_week", 2): None},
    "canteens": {("canteen_ids", 1): None},
}


@pytest.mark.parametrize("rule", list(RELAXED))
def test_each_market_rule_binds_and_the_mip_finds_the_brute_force_optimum(rule: str) -> None:
    sc = with_market()
    best, relaxed = brute_force(sc), brute_force(with_market(RELAXED[rule]))
    assert relaxed.objective < best.objective - 1e-3  # the rule binds
    assert check(sc, best.flows).empty
    assert abs(objective_from_flows(sc, best.flows) - best.objective) < 1e-6 * abs(best.objective)
    # Without its market table the optimum is worse: the market is used.
    no_market = Scenario.from_frames(**(sc.tables | {"market": sc.market.iloc[:0]}))
    assert brute_force(no_market).objective > best.objective + 1e-3
    solution = rhd_match.solve(sc, strategy="mip", **SOLVE)
    assert check(sc, solution).empty
    assert solution.objective == pytest.approx(best.objective, rel=1e-6)


@pytest.mark.parametrize("strategy", ["lp", "repair", "decompose", "auto"])
def test_every_strategy_buys_from_the_market_within_its_rules(strategy: str) -> None:
    sc = with_market()
    best = brute_force(sc)
    solution = rhd_match.solve(sc, strategy=strategy, **SOLVE)
    found = check(sc, solution)
    assert found.empty, found.to_string()
    assert (solution.flows["supplier"] == "market").any()
    assert solution.objective >= best.objective - 1e-6 * abs(best.objective)
    assert not solution.flows.loc[solution.flows["supplier"] == "market", "local"].any()


def _broken(edit: dict[str, Any], row: str = "M_APPLE") -> set[str]:
    """The rules the checker reports on the optimum's flows with one market line edited."""
    sc = with_market()
    flows = rhd_match.solve(sc, strategy="mip", **SOLVE).flows.copy()
    at = flows.index[flows["market_id"] == row][0]
    for column, value in edit.items():
        flows[column] = flows[column].astype(object)
        flows.loc[at, column] = value
    if "qty" in edit:
        flows.loc[at, "value_eur_ht"] = edit["qty"] * flows.loc[at, "price_eur_ht"]
        flows.loc[at, "qty_kg"] = edit["qty"]
    return set(check(sc, flows)["rule"])


@pytest.mark.parametrize(
    ("edit", "row", "rule"),
    [
        ({"price_eur_ht": 2.0, "value_eur_ht": 50.0}, "M_APPLE", "price"),
        ({"labels": "BIO,HVE"}, "M_APPLE", "labels"),
        ({"labels": ""}, "M_APPLE", "labels"),
        ({"week": W1}, "M_APPLE", "market_week"),  # before its first week
        ({"week": W2}, "LOT_C1", "market_week"),  # after its last week
        ({"canteen_id": "C1"}, "M_BEEF", "market_canteen"),
        ({"product_id": "BEEF", "family": "VIANDES_VOLAILLES"}, "M_APPLE", "market_product"),
        ({"qty": 30.0}, "M_APPLE", "market_limit"),
        ({"market_id": "NOWHERE"}, "M_APPLE", "unknown_id"),
        ({"market_id": ""}, "M_APPLE", "supplier"),
        ({"producer_id": "P"}, "M_APPLE", "supplier"),
        ({"supplier": "conventional"}, "M_APPLE", "supplier"),
        ({"local": True}, "M_APPLE", "local"),
    ],
)
def test_the_checker_flags_each_broken_market_rule(
    edit: dict[str, Any], row: str, rule: str
) -> None:
    assert rule in _broken(edit, row)


def test_the_checker_counts_market_lines_toward_the_demand() -> None:
    sc = with_market()
    flows = rhd_match.solve(sc, strategy="mip", **SOLVE).flows
    assert "demand" in set(check(sc, flows[flows["supplier"] != "market"])["rule"])


def test_order_sheets_give_each_market_supplier_its_sheet(tmp_path: Path) -> None:
    sc = with_market()
    solution = rhd_match.solve(sc, strategy="mip", **SOLVE)
    sheets = order_sheets(sc, solution)
    bought = solution.flows[solution.flows["supplier"] == "market"]
    market = sheets[sheets["supplier"] == "market"]
    assert market["qty"].sum() == pytest.approx(bought["qty"].sum())
    options = sc.market.set_index("market_id")
    assert list(market["supplier_id"]) == list(options["supplier_id"][market["market_id"]])
    assert list(market["supplier_name"]) == list(options["supplier_name"][market["market_id"]])
    assert market["producer_id"].isna().all()  # a market supplier is not a producer
    written = write_orders(sc, solution, tmp_path, per_producer=True)
    names = {p.name for p in written}
    assert {f"orders_{s}.csv" for s in market["supplier_id"]} <= names


def test_a_market_supplier_sharing_a_producers_id_is_not_taken_for_it(tmp_path: Path) -> None:
    """The wholesaler's id is the producer's (P): its lines keep its own name, the producer's
    columns stay empty, and each gets its own order file."""
    sc = with_market({("supplier_id", 0): "P", ("supplier_id", 1): "P"})
    solution = rhd_match.solve(sc, strategy="mip", **SOLVE)
    flows = solution.flows
    from_market = flows[flows["supplier"] == "market"]
    assert (from_market["supplier_id"].isin(["P", "LOT"])).all()
    wholesale = from_market[from_market["supplier_id"] == "P"]
    assert len(wholesale) > 0 and set(wholesale["supplier_name"]) == {"Wholesaler"}
    from_farm = flows[flows["supplier"] == "producer"]
    assert len(from_farm) > 0 and set(from_farm["supplier_id"]) == {"P"}
    assert "Wholesaler" not in set(from_farm["supplier_name"])
    sheets = order_sheets(sc, solution)
    assert sheets.loc[sheets["supplier"] == "market", "producer_name"].isna().all()
    written = {p.name for p in write_orders(sc, solution, tmp_path, per_producer=True)}
    assert {"orders_P.csv", "orders_market_P.csv"} <= written


def test_checker_reads_the_supplier_id_of_every_line() -> None:
    """A producer line paid to another supplier, a market line to another supplier than its
    option's, a conventional line naming one: each a ``supplier`` violation."""
    sc = with_market()
    flows = rhd_match.solve(sc, strategy="mip", **SOLVE).flows
    assert check(sc, flows).empty
    kinds = flows["supplier"].astype(str)
    broken = flows.copy()
    rows = [kinds[kinds == k].index[0] for k in ("producer", "market", "conventional")]
    broken.loc[rows[0], "supplier_id"] = "LOT"
    broken.loc[rows[1], "supplier_id"] = "P"
    broken.loc[rows[2], "supplier_id"] = "WHOLESALER"
    with use_language("en"):  # the ids read between the English quotes
        found = check(sc, broken)
    assert list(found["rule"]) == ["supplier"] * 3, found.to_string()
    assert sorted(found["message"].str.split("'").str[1]) == ["LOT", "P", "WHOLESALER"]


def test_the_purchase_file_names_the_market_supplier_and_origin() -> None:
    sc = with_market()
    solution = rhd_match.solve(sc, strategy="mip", **SOLVE)
    frame = purchase_file(
        sc, solution, today=dt.date(2027, 3, 1), cantine_ids={"C1": "1", "C2": "2"}
    )
    flows = solution.flows
    market = (flows["supplier"] == "market").to_numpy()
    options = sc.market.set_index("market_id").reindex(flows["market_id"][market])
    # Rows follow the flows' order within each canteen and date: compare as multisets.
    got = sorted(zip(frame["fournisseur"], frame["origine"], frame["est_local"], strict=True))
    for name, origin in zip(options["supplier_name"], options["origin"].fillna(""), strict=True):
        got.remove((name, origin, "non"))


def test_the_demo_plan_with_its_market_table_passes_the_checker() -> None:
    demo = Scenario.demo()
    assert len(demo.market) > 0
    solution = demo.solve(time_limit_s=30.0)
    found = check(demo, solution)
    assert found.empty, found.head().to_string()


@pytest.mark.parametrize("column", ["share_market", "share_conventional"])
def test_the_checker_recomputes_the_market_and_conventional_shares(column: str) -> None:
    sc = with_market()
    solution = rhd_match.solve(sc, strategy="mip", **SOLVE)
    assert check(sc, solution).empty
    canteens = solution.canteens.copy()
    canteens.loc[0, column] = canteens.loc[0, column] + 0.1
    edited = SimpleNamespace(flows=solution.flows, canteens=canteens)
    found = check(sc, edited)
    assert list(found["rule"]) == ["canteen_figure"]
    assert column in found["message"].iloc[0]
