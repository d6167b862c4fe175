"""Report tables of a plan, computed from the scenario and the plan's ``flows`` alone.

Whatever produced the flows (the optimiser, a greedy baseline, a file), these functions give
the same per-canteen, per-producer and territory figures, so plans compare on equal terms.
EGalim figures come from ``rhd_match.egalim.egalim_accounting``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..egalim import egalim_accounting
from ..geo import haversine_km
from ..inputs.hubs import hub_figures, price_via_hub
from ..inputs.scenario import Scenario

FLOW_COLUMNS = (
    "supplier",
    "supplier_id",
    "supplier_name",
    "producer_id",
    "market_id",
    "hub_id",
    "canteen_id",
    "product_id",
    "week",
    "family",
    "qty",
    "qty_kg",
    "price_eur_ht",
    "value_eur_ht",
    "labels",
    "distance_km",
    "local",
)
CONVENTIONAL = "conventional"
PRODUCER = "producer"
MARKET = "market"
TOL = 1e-6
#: Service days per ISO week with demand, when a canteen's ``service_days`` is not given.
DAYS_PER_WEEK_ESTIMATE = 5.0


def conventional_flows(scenario: Scenario) -> pd.DataFrame:
    """The all-conventional plan: every demand row bought at reference price, no label.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.

    Returns
    -------
    pandas.DataFrame
        A ``flows`` table with one conventional line per demand row of positive quantity.
    """
    demand = scenario.demand[scenario.demand["qty"] > 0]
    return make_flows(scenario, demand.assign(producer_id=None).iloc[:0], demand)


def make_flows(
    scenario: Scenario,
    local: pd.DataFrame,
    conventional: pd.DataFrame,
    market: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Assemble a ``flows`` table (see ``docs/model.md``).

    ``local``: columns producer_id, canteen_id, product_id, week, qty (unit), and optionally
    hub_id (empty for a direct delivery), bought from producers at their offer's price (plus
    the hub's fee, ``rhd_match.inputs.hubs.price_via_hub``) and labels. ``conventional``:
    canteen_id, product_id, week, qty (unit), bought from the conventional supplier at the
    reference price. ``market``: market_id, canteen_id, product_id, week, qty (unit), bought
    from a market option at its price and labels, never local.
    Rows are sorted by canteen, week, product, supplier, producer, hub, market option.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    local
        Purchases from producers: ``producer_id``, ``canteen_id``, ``product_id``, ISO
        ``week``, ``qty`` (product unit), ``hub_id`` when bought through a hub (optional).
    conventional
        Purchases from the conventional supplier: ``canteen_id``, ``product_id``, ISO
        ``week``, ``qty`` (product unit).
    market
        Purchases from market options (``scenario.market``): ``market_id``, ``canteen_id``,
        ``product_id``, ISO ``week``, ``qty`` (product unit); ``None`` for none.

    Returns
    -------
    pandas.DataFrame
        The ``flows`` table: one row per purchase line with kg, price and value (EUR HT),
        labels, family, distance (km, producer to canteen) and ``local``.
    """
    products = scenario.products.set_index("product_id")
    offers = scenario.offers.set_index(["producer_id", "product_id", "week"])
    producers = scenario.producers.set_index("producer_id")
    canteens = scenario.canteens.set_index("canteen_id")
    params = scenario.parameters

    if "hub_id" not in local:
        local = local.assign(hub_id=None)
    columns = ["producer_id", "hub_id", "canteen_id", "product_id", "week", "qty"]
    loc = local[columns].reset_index(drop=True)
    key = pd.MultiIndex.from_frame(loc[["producer_id", "product_id", "week"]])
    offer = offers.reindex(key)
    fees = hub_figures(scenario.hubs).set_axis(scenario.hubs["hub_id"]).reindex(loc["hub_id"])
    kg_per_unit = products["kg_per_unit"].reindex(loc["product_id"]).to_numpy()
    dist = haversine_km(
        producers["lat"].reindex(loc["producer_id"]).to_numpy(),
        producers["lon"].reindex(loc["producer_id"]).to_numpy(),
        canteens["lat"].reindex(loc["canteen_id"]).to_numpy(),
        canteens["lon"].reindex(loc["canteen_id"]).to_numpy(),
    )
    is_local = np.ones(len(loc), bool)
    if params.local_radius_km is not None:
        is_local = dist <= params.local_radius_km
    local_rows = loc.assign(
        supplier=PRODUCER,
        price_eur_ht=price_via_hub(
            offer["price_eur_ht"].to_numpy(float),
            kg_per_unit,
            fees["fee_eur_per_kg"].fillna(0.0).to_numpy(),
            fees["fee_share"].fillna(0.0).to_numpy(),
        ),
        labels=offer["labels"].fillna("").to_numpy(dtype=object),
        distance_km=dist,
        local=is_local,
    )
    conv = conventional[["canteen_id", "product_id", "week", "qty"]].reset_index(drop=True)
    conv_rows = conv.assign(
        supplier=CONVENTIONAL,
        producer_id=None,
        price_eur_ht=products["reference_price_eur_ht"].reindex(conv["product_id"]).to_numpy(),
        labels="",
        distance_km=np.nan,
        local=False,
    )
    mkt = (
        market[["market_id", "canteen_id", "product_id", "week", "qty"]].reset_index(drop=True)
        if market is not None
        else pd.DataFrame(columns=["market_id", "canteen_id", "product_id", "week", "qty"])
    )
    options = scenario.market.set_index("market_id")
    market_rows = mkt.assign(
        supplier=MARKET,
        producer_id=None,
        price_eur_ht=options["price_eur_ht"].reindex(mkt["market_id"]).to_numpy(float),
        labels=options["labels"].reindex(mkt["market_id"]).fillna("").to_numpy(dtype=object),
        distance_km=np.nan,
        local=False,
    )
    flows = pd.concat([local_rows, conv_rows, market_rows], ignore_index=True)
    flows["family"] = products["family"].reindex(flows["product_id"]).to_numpy(dtype=object)
    flows["qty_kg"] = flows["qty"] * products["kg_per_unit"].reindex(flows["product_id"]).to_numpy()
    flows["value_eur_ht"] = flows["qty"] * flows["price_eur_ht"]
    flows["local"] = flows["local"].astype(bool)
    text = (
        "supplier",
        "producer_id",
        "market_id",
        "hub_id",
        "canteen_id",
        "product_id",
        "week",
        "family",
    )
    for col in (*text, "labels"):
        flows[col] = flows[col].astype("str")
    flows.loc[flows["supplier"] != PRODUCER, "producer_id"] = np.nan
    flows.loc[flows["supplier"] != MARKET, "market_id"] = np.nan
    flows.loc[flows["supplier"] != PRODUCER, "hub_id"] = np.nan
    flows = flows.assign(**supplier_columns(scenario, flows))
    flows = flows.sort_values(
        ["canteen_id", "week", "product_id", "supplier", "producer_id", "hub_id", "market_id"],
        kind="stable",
        na_position="last",
    )
    return flows[list(FLOW_COLUMNS)].reset_index(drop=True)


def supplier_columns(scenario: Scenario, flows: pd.DataFrame) -> dict[str, pd.Series]:
    """Whom each purchase line is bought from: the producer, or the market option's supplier
    (whose id may equal a producer's: the two never share a column); empty for the
    conventional supplier.

    Parameters
    ----------
    scenario
        The scenario the plan was made for (its producers' names, its market options'
        suppliers).
    flows
        Purchase lines with ``supplier``, ``producer_id`` and (for market lines) ``market_id``.

    Returns
    -------
    dict of str to pandas.Series
        ``supplier_id`` and ``supplier_name``, text, indexed like ``flows``.
    """
    is_market = (flows["supplier"].astype(str) == MARKET).to_numpy()
    producer = flows["producer_id"].astype("str")
    option = (
        flows["market_id"].astype("str")
        if "market_id" in flows.columns
        else pd.Series(pd.NA, index=flows.index, dtype="str")
    )
    options = scenario.market.set_index("market_id")
    names = scenario.producers.set_index("producer_id")["name"]
    ids = np.where(
        is_market, options["supplier_id"].reindex(option).to_numpy(dtype=object), producer
    )
    named = np.where(
        is_market,
        options["supplier_name"].reindex(option).to_numpy(dtype=object),
        names.reindex(producer).to_numpy(dtype=object),
    )
    return {
        "supplier_id": pd.Series(ids, index=flows.index, dtype="str"),
        "supplier_name": pd.Series(named, index=flows.index, dtype="str"),
    }


def canteen_table(scenario: Scenario, flows: pd.DataFrame) -> pd.DataFrame:
    """Per canteen: value, reference value, EGalim shares and targets, shortfalls, budget use.

    Money in EUR HT, shares and targets as fractions; ``shortfall_*_eur_ht`` is
    max(0, target × base − labelled value) and ``shortfall_*_points`` the same over the base;
    ``meets_*`` is no shortfall, and False for a canteen that buys nothing.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    flows
        The plan's ``flows`` (one row per purchase line, keyed by ``canteen_id``,
        ``product_id``, ISO ``week`` and ``producer_id``).

    Returns
    -------
    pandas.DataFrame
        One row per ``canteen_id`` of the scenario (the ``canteens`` solution table).
    """
    can = scenario.canteens.set_index("canteen_id")
    targets = scenario.parameters.targets
    figures = egalim_accounting(flows, by="canteen_id").reindex(can.index)
    ref = (
        scenario.demand.assign(
            value=scenario.demand["qty"]
            * scenario.products.set_index("product_id")["reference_price_eur_ht"]
            .reindex(scenario.demand["product_id"])
            .to_numpy()
        )
        .groupby("canteen_id")["value"]
        .sum()
        .reindex(can.index)
        .fillna(0.0)
    )
    local_value = (
        flows[flows["local"]].groupby("canteen_id")["value_eur_ht"].sum().reindex(can.index)
    ).fillna(0.0)
    out = pd.DataFrame(index=can.index)
    out["name"] = can["name"]
    total = figures["valeur_totale"].fillna(0.0)
    out["value_eur_ht"] = total
    out["reference_value_eur_ht"] = ref
    out["extra_cost_eur_ht"] = total - ref
    out["local_value_eur_ht"] = local_value
    out["share_local"] = (local_value / total.where(total > 0)).clip(0, 1)
    by_supplier = flows.pivot_table(
        index="canteen_id", columns="supplier", values="value_eur_ht", aggfunc="sum"
    ).reindex(index=can.index, columns=[MARKET, CONVENTIONAL])
    for kind in (MARKET, CONVENTIONAL):
        kind_share = by_supplier[kind].fillna(0.0) / total.where(total > 0)
        out[f"share_{kind}"] = kind_share.clip(0, 1)
    for share in ("share_organic", "share_quality", "share_meat_fish", "share_meat", "share_fish"):
        out[share] = figures[share]
    quality_value = (
        figures["valeur_bio"]
        + figures["valeur_siqo"]
        + figures["valeur_egalim_autres"]
        + figures["valeur_externalites_performance"]
    ).fillna(0.0)
    meat_fish_base = (
        figures["valeur_viandes_volailles"] + figures["valeur_produits_de_la_mer"]
    ).fillna(0.0)
    meat_fish_value = (
        figures["valeur_viandes_volailles_egalim"] + figures["valeur_produits_de_la_mer_egalim"]
    ).fillna(0.0)
    checks = {
        "quality": (can["target_quality"].fillna(targets.quality), total, quality_value),
        "organic": (
            can["target_organic"].fillna(targets.organic),
            total,
            figures["valeur_bio"].fillna(0.0),
        ),
        "meat_fish": (
            can["target_meat_fish"].fillna(targets.meat_fish),
            meat_fish_base,
            meat_fish_value,
        ),
    }
    for name, (target, base, value) in checks.items():
        short = (target * base - value).clip(lower=0.0)
        short = short.where(short > TOL * np.maximum(base, 1.0), 0.0)
        out[f"target_{name}"] = target
        out[f"shortfall_{name}_eur_ht"] = short
        out[f"shortfall_{name}_points"] = (short / base.where(base > 0)).fillna(0.0)
        # A canteen that buys nothing has no figure to meet a target with (ma cantine's rates
        # need purchases).
        out[f"meets_{name}"] = (short <= 0) & (total > 0)
    out["budget_eur_ht"] = can["budget_eur_ht"]
    out["budget_use"] = total / can["budget_eur_ht"].where(can["budget_eur_ht"] > 0)
    # A canteen with nothing to buy here has no food cost per meal: its meals stay out of
    # every per-meal figure (the territory's included).
    meals = meals_served(scenario).reindex(can.index).where(ref > 0)
    per_meal = meals.where(meals > 0)
    out["meals"] = meals
    out["cost_per_meal_before_eur_ht"] = ref / per_meal
    out["cost_per_meal_eur_ht"] = total / per_meal
    out["extra_cost_per_meal_eur_ht"] = (total - ref) / per_meal
    return out.reset_index()


def meals_served(scenario: Scenario) -> pd.Series:
    """Meals each canteen serves over the scenario's horizon.

    ``meals_per_day × service_days``; without ``service_days`` (column absent or empty), 5
    service days per ISO week in which the canteen has demand (an estimate: schools closed on
    Wednesdays serve 4, care homes 7).

    Parameters
    ----------
    scenario
        The territory (``canteens`` with ``meals_per_day``; ``demand`` for the estimate).

    Returns
    -------
    pandas.Series
        Meals (float, NaN when ``meals_per_day`` is not given), indexed by ``canteen_id``.
    """
    can = scenario.canteens.set_index("canteen_id")
    weeks = scenario.demand.groupby("canteen_id")["week"].nunique().reindex(can.index).fillna(0)
    days = pd.Series(np.nan, index=can.index)
    if "service_days" in can:
        days = can["service_days"].astype(float)
    days = days.fillna(DAYS_PER_WEEK_ESTIMATE * weeks.astype(float))
    if "meals_per_day" not in can:
        return pd.Series(np.nan, index=can.index, name="meals")
    return (can["meals_per_day"].astype(float) * days).rename("meals")


def producer_week_table(scenario: Scenario, flows: pd.DataFrame) -> pd.DataFrame:
    """Per producer and week with deliveries: kg, sales (EUR HT), drops, capacity use.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    flows
        The plan's ``flows`` (one row per purchase line, keyed by ``canteen_id``,
        ``product_id``, ISO ``week`` and ``producer_id``).

    Returns
    -------
    pandas.DataFrame
        One row per ``producer_id`` × ISO ``week`` with deliveries (the ``producer_weeks``
        solution table).
    """
    local = flows[flows["supplier"] == PRODUCER]
    prod = scenario.producers.set_index("producer_id")
    weekly = (
        local.groupby(["producer_id", "week"], sort=True)
        .agg(
            qty_kg=("qty_kg", "sum"),
            sales_eur_ht=("value_eur_ht", "sum"),
            drops=("canteen_id", "nunique"),
        )
        .reset_index()
    )
    cap = prod["delivery_capacity_kg_per_week"].reindex(weekly["producer_id"]).to_numpy()
    weekly["delivery_capacity_kg_per_week"] = cap
    weekly["capacity_use"] = weekly["qty_kg"] / np.where(cap > 0, cap, np.nan)
    weekly["max_drops_per_week"] = (
        prod["max_drops_per_week"].reindex(weekly["producer_id"]).to_numpy()
    )
    return weekly


def producer_table(scenario: Scenario, weekly: pd.DataFrame) -> pd.DataFrame:
    """Per producer over the horizon: sales, kg, peak week against capacity and drops.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    weekly
        The ``producer_week_table`` of the plan.

    Returns
    -------
    pandas.DataFrame
        One row per ``producer_id`` of the scenario (the ``producers`` solution table).
    """
    prod = scenario.producers.set_index("producer_id")
    agg = weekly.groupby("producer_id").agg(
        sales_eur_ht=("sales_eur_ht", "sum"),
        qty_kg=("qty_kg", "sum"),
        weeks_delivering=("week", "size"),
        drops=("drops", "sum"),
        peak_kg_per_week=("qty_kg", "max"),
        peak_drops_per_week=("drops", "max"),
        mean_capacity_use=("capacity_use", "mean"),
    )
    out = pd.DataFrame(index=prod.index)
    out["name"] = prod["name"]
    out = out.join(agg)
    for col in (
        "sales_eur_ht",
        "qty_kg",
        "weeks_delivering",
        "drops",
        "peak_kg_per_week",
        "peak_drops_per_week",
        "mean_capacity_use",
    ):
        out[col] = out[col].fillna(0)
    out["delivery_capacity_kg_per_week"] = prod["delivery_capacity_kg_per_week"]
    out["max_drops_per_week"] = prod["max_drops_per_week"]
    cap = out["delivery_capacity_kg_per_week"]
    out["peak_capacity_use"] = out["peak_kg_per_week"] / cap.where(cap > 0)
    return out.reset_index()


def territory_totals(
    scenario: Scenario, flows: pd.DataFrame, canteens: pd.DataFrame
) -> dict[str, float]:
    """Territory totals of a plan: values (EUR HT), shares, canteens meeting each target.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    flows
        The plan's ``flows`` (one row per purchase line, keyed by ``canteen_id``,
        ``product_id``, ISO ``week`` and ``producer_id``).
    canteens
        The ``canteen_table`` of the plan.

    Returns
    -------
    dict of str to float
        Figure name → value (EUR HT, fractions, counts), for the ``summary`` row.
    """
    figures = egalim_accounting(flows).iloc[0]
    total = float(figures["valeur_totale"])
    local_value = float(flows.loc[flows["local"], "value_eur_ht"].sum())
    # Per meal over the canteens whose meals are known, so the ratio is of like with like.
    known = canteens["meals"].to_numpy(float) > 0
    meals = float(canteens["meals"].to_numpy(float)[known].sum())
    known_value = float(canteens["value_eur_ht"].to_numpy(float)[known].sum())
    return {
        "value_eur_ht": total,
        "meals": meals,
        "cost_per_meal_eur_ht": known_value / meals if meals > 0 else float("nan"),
        "local_value_eur_ht": local_value,
        "share_local": local_value / total if total > 0 else float("nan"),
        "share_local_kg": float(flows.loc[flows["local"], "qty_kg"].sum())
        / max(float(flows["qty_kg"].sum()), TOL),
        "share_organic": float(figures["share_organic"]),
        "share_quality": float(figures["share_quality"]),
        "share_meat_fish": float(figures["share_meat_fish"]),
        "canteens_buying": int((canteens["reference_value_eur_ht"] > 0).sum()),
        "canteens_meeting_quality": int(canteens["meets_quality"].sum()),
        "canteens_meeting_organic": int(canteens["meets_organic"].sum()),
        "canteens_meeting_meat_fish": int(canteens["meets_meat_fish"].sum()),
        "canteens_meeting_all": int(
            (
                canteens["meets_quality"] & canteens["meets_organic"] & canteens["meets_meat_fish"]
            ).sum()
        ),
    }


def hub_table(scenario: Scenario, flows: pd.DataFrame) -> pd.DataFrame:
    """Per hub and ISO week of a plan: what comes in, what goes out, the drops and the fees.

    A hub is a cross-dock: what member producers bring in a week goes out that week, so
    ``kg_in`` equals ``kg_out``; both are given, keyed like the inputs, for the delivery tours.

    Parameters
    ----------
    scenario
        The scenario the plan was made for (its ``hubs``, ``offers``, ``products``).
    flows
        The plan's ``flows`` (``hub_id`` set on the lines through a hub).

    Returns
    -------
    pandas.DataFrame
        One row per ``hub_id`` × ``week`` with a line through the hub: ``kg_in`` and ``kg_out``
        (kg), ``producer_drops`` (producers bringing food), ``canteen_drops`` (canteens
        delivered), ``value_eur_ht`` (what the canteens pay) and ``fees_eur_ht`` (the hub's
        share of it: paid value minus the offers' prices). Sorted by hub and week.
    """
    columns = ["hub_id", "week", "kg_in", "kg_out", "producer_drops", "canteen_drops"]
    columns += ["value_eur_ht", "fees_eur_ht"]
    if "hub_id" not in flows:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in columns})
    via = flows[flows["hub_id"].notna()]
    offers = scenario.offers.set_index(["producer_id", "product_id", "week"])["price_eur_ht"]
    key = pd.MultiIndex.from_frame(via[["producer_id", "product_id", "week"]])
    paid_to_producers = via["qty"].to_numpy() * offers.reindex(key).to_numpy(float)
    via = via.assign(fees=via["value_eur_ht"].to_numpy() - paid_to_producers)
    out = (
        via.groupby(["hub_id", "week"], sort=True)
        .agg(
            kg_in=("qty_kg", "sum"),
            producer_drops=("producer_id", "nunique"),
            canteen_drops=("canteen_id", "nunique"),
            value_eur_ht=("value_eur_ht", "sum"),
            fees_eur_ht=("fees", "sum"),
        )
        .reset_index()
    )
    out["kg_out"] = out["kg_in"]
    return out[columns]
