"""A readable text summary of a scenario (``rhd-match demo``).

``describe`` reports the canteens, producers and products, the demand and the local supply
(kg and EUR HT at reference price) by family and by quarter, how much of the demand some
producer could deliver, and the EGalim shares of the *current* purchases: everything bought
from the conventional supplier at the reference price, without any label.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

from ..egalim import FAMILIES, egalim_accounting
from ..geo import haversine_km
from ..weeks import week_month
from .scenario import Scenario

TARGETS = (
    # (share column of egalim_accounting, per-canteen override column, Targets field, label)
    ("share_quality", "target_quality", "quality", "quality and sustainable"),
    ("share_organic", "target_organic", "organic", "organic"),
    ("share_meat_fish", "target_meat_fish", "meat_fish", "meat and fish quality"),
)


def describe(scenario: Scenario) -> str:
    """A multi-line text summary of ``scenario`` (figures in kg, tonnes and EUR HT).

    It tells, before any solve: canteens and producers, products, demand and local supply by
    EGalim family and season, and the EGalim targets against all-conventional purchases.

    Parameters
    ----------
    scenario
        The validated scenario.

    Returns
    -------
    str
        The summary, one section per paragraph, ending with a newline.
    """
    products = scenario.products.set_index("product_id")
    weeks = pd.concat([scenario.demand["week"], scenario.offers["week"]], ignore_index=True)
    week_codes, week_values = pd.factorize(weeks, sort=True)
    n_demand = len(scenario.demand)
    demand = _with_product(
        scenario.demand, "canteen_id", products, week_codes[:n_demand], week_values
    )
    offers = _with_product(
        scenario.offers, "producer_id", products, week_codes[n_demand:], week_values
    )
    demand["reachable"] = _reachable(scenario, demand, offers, len(week_values))
    span = f"{week_values[0]} to {week_values[-1]}" if len(week_values) else "no weeks"
    parts = [
        f"Scenario: {len(scenario.canteens)} canteens, {len(scenario.producers)} producers, "
        f"{len(scenario.products)} products, {len(week_values)} ISO weeks ({span}).",
        _canteens_section(scenario.canteens),
        _producers_section(scenario.producers, scenario.offers),
        _products_section(scenario.products),
        _family_section(demand, offers),
        _season_section(demand, offers),
        _egalim_section(scenario, demand),
    ]
    return "\n\n".join(parts) + "\n"


def _with_product(
    lines: pd.DataFrame,
    owner: str,
    products: pd.DataFrame,
    week_code: NDArray[np.intp],
    weeks: pd.Index,
) -> pd.DataFrame:
    """Demand or offer lines (``owner``: canteen_id or producer_id) with product and week
    codes, family, quarter, kg and value at reference price (EUR HT)."""
    product = products.index.get_indexer(pd.Index(lines["product_id"]))
    qty = lines["qty"].to_numpy(dtype=float)
    month = week_month(pd.Series(weeks.to_numpy(dtype=object))).to_numpy()
    quarter = np.array(["Q1", "Q2", "Q3", "Q4"], dtype=object)[(month - 1) // 3]
    return pd.DataFrame(
        {
            owner: lines[owner].to_numpy(dtype=object),
            "product": product,
            "week": week_code,
            "quarter": quarter[week_code],
            "family": products["family"].to_numpy(dtype=object)[product],
            "kg": qty * products["kg_per_unit"].to_numpy(dtype=float)[product],
            "value_eur_ht": qty * products["reference_price_eur_ht"].to_numpy(dtype=float)[product],
        },
        index=lines.index,
    )


def _reachable(
    scenario: Scenario, demand: pd.DataFrame, offers: pd.DataFrame, n_weeks: int
) -> NDArray[np.bool_]:
    """For each demand row: is the product offered that week by a producer within reach?"""
    if demand.empty or offers.empty:
        return np.zeros(len(demand), dtype=bool)
    producers = scenario.producers.set_index("producer_id")
    canteens = scenario.canteens.set_index("canteen_id")
    # Rows: (product, week) pairs; columns: producers offering them.
    n_pairs = len(scenario.products) * n_weeks
    offer_pair = offers["product"].to_numpy() * n_weeks + offers["week"].to_numpy()
    offer_producer = producers.index.get_indexer(pd.Index(offers["producer_id"]))
    offered = sparse.csr_array(
        (np.ones(len(offers), dtype=np.float32), (offer_pair, offer_producer)),
        shape=(n_pairs, len(producers)),
    )
    distance = haversine_km(
        producers["lat"].to_numpy()[:, None],
        producers["lon"].to_numpy()[:, None],
        canteens["lat"].to_numpy()[None, :],
        canteens["lon"].to_numpy()[None, :],
    )
    reach = (distance <= producers["delivery_radius_km"].to_numpy()[:, None]).astype(np.float32)
    covered = offered @ reach  # (pair, canteen): number of producers able to deliver
    demand_pair = demand["product"].to_numpy() * n_weeks + demand["week"].to_numpy()
    canteen = canteens.index.get_indexer(pd.Index(demand["canteen_id"]))
    return np.asarray(covered[demand_pair, canteen] > 0, dtype=bool)


def _table(frame: pd.DataFrame) -> str:
    return frame.to_string(float_format=lambda v: f"{v:,.1f}")


def _canteens_section(canteens: pd.DataFrame) -> str:
    sector = canteens["sector"].fillna("(not given)").astype(str)
    meals = canteens["meals_per_day"].astype(float)
    table = (
        pd.DataFrame(
            {
                "sector": sector,
                "meals": meals,
                "budget": canteens["budget_eur_ht"].notna(),
            }
        )
        .groupby("sector", sort=True)
        .agg(
            canteens=("meals", "size"),
            meals_per_day=("meals", "sum"),
            min_meals=("meals", "min"),
            max_meals=("meals", "max"),
            with_budget=("budget", "sum"),
        )
    )
    return (
        f"Canteens: {len(canteens)}, {meals.sum():,.0f} meals per service day in total.\n"
        + _table(table)
    )


def _producers_section(producers: pd.DataFrame, offers: pd.DataFrame) -> str:
    labels = offers["labels"].fillna("").astype(str)
    exploded = (
        pd.DataFrame({"producer_id": offers["producer_id"], "label": labels.str.split(",")})
        .explode("label")
        .query("label != ''")
        .drop_duplicates()
    )
    by_label = exploded.groupby("label").size().rename("producers").to_frame()
    organic = int(by_label["producers"].get("BIO", 0)) if len(by_label) else 0
    hubs = producers["hub_id"].dropna().astype(str)
    offering = offers["producer_id"].nunique()
    head = (
        f"Producers: {len(producers)} ({offering} with offers), {organic} organic "
        f"(any BIO offer), {len(hubs)} in a hub ({hubs.nunique()} hub(s)"
        + (f": {', '.join(sorted(hubs.unique())[:5])}" if len(hubs) else "")
        + ").\n"
        f"Delivery radius {producers['delivery_radius_km'].min():.0f}–"
        f"{producers['delivery_radius_km'].max():.0f} km, capacity "
        f"{producers['delivery_capacity_kg_per_week'].min():,.0f}–"
        f"{producers['delivery_capacity_kg_per_week'].max():,.0f} kg/week, minimum order "
        f"{producers['min_order_eur_ht'].min():,.0f}–{producers['min_order_eur_ht'].max():,.0f}"
        " EUR HT."
    )
    if by_label.empty:
        return head + "\nNo labelled offer."
    return head + "\nProducers with at least one offer carrying each label:\n" + _table(by_label)


def _products_section(products: pd.DataFrame) -> str:
    family = pd.Categorical(products["family"].astype(str), categories=FAMILIES)
    table = (
        pd.DataFrame({"family": family, "product_id": products["product_id"].astype(str)})
        .groupby("family", observed=False)
        .agg(
            products=("product_id", "size"),
            examples=("product_id", lambda ids: ", ".join(list(ids)[:6])),
        )
    )
    return f"Products: {len(products)} in {products['family'].nunique()} families.\n" + _table(
        table
    )


def _family_section(demand: pd.DataFrame, offers: pd.DataFrame) -> str:
    d = demand.groupby("family").agg(demand_t=("kg", "sum"), demand_keur=("value_eur_ht", "sum"))
    reach_kg = demand["kg"].where(demand["reachable"], 0.0)
    d["reachable_pct"] = 100 * reach_kg.groupby(demand["family"]).sum() / d["demand_t"]
    o = offers.groupby("family").agg(supply_t=("kg", "sum"), supply_keur=("value_eur_ht", "sum"))
    table = d.join(o, how="outer").reindex(FAMILIES).fillna(0.0)
    total = table.sum()
    total["reachable_pct"] = 100 * reach_kg.sum() / max(demand["kg"].sum(), 1e-9)
    table.loc["TOTAL"] = total
    table["supply_pct"] = 100 * table["supply_t"] / table["demand_t"].where(table["demand_t"] > 0)
    for col in ("demand_t", "supply_t"):
        table[col] /= 1000
    for col in ("demand_keur", "supply_keur"):
        table[col] /= 1000
    table = table[
        ["demand_t", "demand_keur", "supply_t", "supply_keur", "supply_pct", "reachable_pct"]
    ]
    share = 100 * reach_kg.sum() / max(demand["kg"].sum(), 1e-9)
    return (
        "Demand and local supply over the horizon, by family (t = tonnes; kEUR HT at reference "
        "price; supply_pct = offered ÷ demanded kg; reachable_pct = share of demanded kg "
        "offered in the same week by a producer delivering that far).\n"
        + _table(table)
        + f"\nDemand within reach of some offer: {share:.1f} % of kg."
    )


def _season_section(demand: pd.DataFrame, offers: pd.DataFrame) -> str:
    fv = "FRUITS_ET_LEGUMES"

    def by_quarter(lines: pd.DataFrame, prefix: str) -> pd.DataFrame:
        if lines.empty:
            return pd.DataFrame(columns=[f"{prefix}_t", f"{prefix}_keur", f"{prefix}_fv_t"])
        quarter = lines["quarter"]
        return pd.DataFrame(
            {
                f"{prefix}_t": lines["kg"].groupby(quarter).sum() / 1000,
                f"{prefix}_keur": lines["value_eur_ht"].groupby(quarter).sum() / 1000,
                f"{prefix}_fv_t": lines["kg"]
                .where(lines["family"] == fv, 0.0)
                .groupby(quarter)
                .sum()
                / 1000,
            }
        )

    table = by_quarter(demand, "demand").join(by_quarter(offers, "supply"), how="outer")
    table = table.fillna(0.0).sort_index()
    table["fv_supply_pct"] = (
        100 * table["supply_fv_t"] / table["demand_fv_t"].where(table["demand_fv_t"] > 0)
    )
    return (
        "By quarter (week's Thursday; fv = fruits and vegetables; t, kEUR HT at reference "
        "price):\n" + _table(table)
    )


def _egalim_section(scenario: Scenario, demand: pd.DataFrame) -> str:
    # Lines of one canteen and family add up (all unlabelled): account for their sums.
    lines = demand.groupby(["canteen_id", "family"], sort=True)["value_eur_ht"].sum().reset_index()
    lines["labels"] = ""
    total = egalim_accounting(lines).iloc[0]
    per_canteen = egalim_accounting(lines, by="canteen_id")
    canteens = scenario.canteens.set_index("canteen_id").reindex(per_canteen.index)
    targets = scenario.parameters.targets
    rows = []
    for share_col, override, field, label in TARGETS:
        target = canteens[override].fillna(getattr(targets, field)).astype(float)
        share = per_canteen[share_col].astype(float)
        applicable = share.notna()
        meets = applicable & (share >= target - 1e-9)
        rows.append(
            {
                "target": label,
                "default_pct": 100 * getattr(targets, field),
                "territory_pct": 100 * float(np.nan_to_num(total[share_col])),
                "canteens_meeting": f"{int(meets.sum())} / {int(applicable.sum())}",
            }
        )
    table = pd.DataFrame(rows).set_index("target")
    return (
        "EGalim shares of current purchases (all demand bought from the conventional supplier "
        f"at reference price, no label; {total['valeur_totale'] / 1000:,.1f} kEUR HT):\n"
        + table.to_string(float_format=lambda v: f"{v:.1f} %")
    )
