"""The model's index tables: demand rows, offers, arcs and drops, as integer-coded frames.

Everything downstream (variables, constraints, objective, solution tables) reads these frames;
they are built once, vectorised, from the scenario's tables. Row order is deterministic: it
follows the input tables' order, so the same scenario always gives the same model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..egalim import FISH_FAMILY, MEAT_FAMILY, line_classes
from ..geo import haversine_km
from ..params import Targets
from ..scenario import Scenario


@dataclass(frozen=True)
class ModelIndex:
    """Integer-coded tables of one scenario.

    * ``demand`` (one row per demand row d with qty > 0): ``canteen``, ``product``, ``week``
      codes, ``qty`` (unit), ``ref_price`` (EUR HT/unit), ``kg_per_unit``, ``meat_fish``.
    * ``offers`` (one row per offer o with qty > 0): ``producer``, ``product``, ``week``,
      ``qty``, ``price``, ``quality``, ``organic``, ``lot`` (unit, 0 = none).
    * ``arcs`` (one row per arc a): ``offer`` and ``demand`` row positions, ``producer``,
      ``canteen``, ``week``, ``ub`` (unit), ``kg_per_unit``, ``price``, ``ref_price``,
      ``quality``, ``organic``, ``meat_fish``, ``local``, ``distance_km``, ``lot``, ``drop``.
    * ``drops`` (one row per drop g = producer × canteen × week with an arc): ``producer``,
      ``canteen``, ``week``, ``kg_bound`` (U_g, kg), ``franco`` (EUR HT), ``binary`` (whether
      a drop variable is needed).
    * ``canteens``: per canteen code: the three targets and ``budget`` (EUR HT, NaN = none).
    * ``producers``: per producer code: ``capacity_kg``, ``max_drops``, ``franco``.
    * ``below_franco``: arcs left out because their drop can never reach the producer's
      minimum order (columns as ``arcs`` without ``drop``); kept to explain unmet demand.
    """

    canteen_ids: np.ndarray
    producer_ids: np.ndarray
    product_ids: np.ndarray
    weeks: np.ndarray
    demand: pd.DataFrame
    offers: pd.DataFrame
    arcs: pd.DataFrame
    drops: pd.DataFrame
    canteens: pd.DataFrame
    producers: pd.DataFrame
    below_franco: pd.DataFrame


def build_index(scenario: Scenario) -> ModelIndex:
    """Build the index tables of ``scenario`` (see :class:`ModelIndex`)."""
    params = scenario.parameters
    products = scenario.products.reset_index(drop=True)
    canteen_ids = scenario.canteens["canteen_id"].to_numpy(dtype=object)
    producer_ids = scenario.producers["producer_id"].to_numpy(dtype=object)
    product_ids = products["product_id"].to_numpy(dtype=object)
    weeks = np.array(
        sorted(set(scenario.demand["week"]).union(scenario.offers["week"])), dtype=object
    )
    n_product, n_week = len(product_ids), len(weeks)
    product_code = pd.Index(product_ids)
    week_code = pd.Index(weeks)
    family = products["family"].to_numpy(dtype=object)
    meat_fish_product = np.isin(family, [MEAT_FAMILY, FISH_FAMILY])

    dem = scenario.demand[scenario.demand["qty"] > 0]
    k = product_code.get_indexer(dem["product_id"])
    demand = pd.DataFrame(
        {
            "canteen": pd.Index(canteen_ids).get_indexer(dem["canteen_id"]),
            "product": k,
            "week": week_code.get_indexer(dem["week"]),
            "qty": dem["qty"].to_numpy(float),
            "ref_price": products["reference_price_eur_ht"].to_numpy(float)[k],
            "kg_per_unit": products["kg_per_unit"].to_numpy(float)[k],
            "meat_fish": meat_fish_product[k],
        }
    )

    off = scenario.offers[scenario.offers["qty"] > 0]
    classes = line_classes(off["labels"])
    offers = pd.DataFrame(
        {
            "producer": pd.Index(producer_ids).get_indexer(off["producer_id"]),
            "product": product_code.get_indexer(off["product_id"]),
            "week": week_code.get_indexer(off["week"]),
            "qty": off["qty"].to_numpy(float),
            "price": off["price_eur_ht"].to_numpy(float),
            "quality": classes["is_quality"].to_numpy(bool),
            "organic": classes["is_organic"].to_numpy(bool),
            "lot": off["min_lot_qty"].fillna(0.0).to_numpy(float),
            "labels": off["labels"].fillna("").to_numpy(dtype=object),
        }
    )

    prod = scenario.producers
    capacity = prod["delivery_capacity_kg_per_week"].to_numpy(float)
    max_drops = prod["max_drops_per_week"].to_numpy(np.int64)
    franco = prod["min_order_eur_ht"].to_numpy(float)
    distance = haversine_km(
        prod["lat"].to_numpy(float)[:, None],
        prod["lon"].to_numpy(float)[:, None],
        scenario.canteens["lat"].to_numpy(float)[None, :],
        scenario.canteens["lon"].to_numpy(float)[None, :],
    )
    reach = distance <= prod["delivery_radius_km"].to_numpy(float)[:, None]
    reach &= ((capacity > 0) & (max_drops > 0))[:, None]
    pair_p, pair_c = np.nonzero(reach)
    arcs = _arcs(offers, demand, pair_p, pair_c, len(producer_ids), n_product, n_week)
    arcs["distance_km"] = distance[arcs["producer"].to_numpy(), arcs["canteen"].to_numpy()]
    local_radius = params.local_radius_km
    arcs["local"] = (
        np.ones(len(arcs), bool) if local_radius is None else arcs["distance_km"] <= local_radius
    )
    arcs, below_franco = _split_below_franco(arcs, capacity, franco, len(canteen_ids), n_week)
    drops = _drops(arcs, capacity, max_drops, franco, len(canteen_ids), n_week)

    return ModelIndex(
        canteen_ids=canteen_ids,
        producer_ids=producer_ids,
        product_ids=product_ids,
        weeks=weeks,
        demand=demand,
        offers=offers,
        arcs=arcs,
        drops=drops,
        canteens=_canteen_targets(scenario, params.targets),
        producers=pd.DataFrame({"capacity_kg": capacity, "max_drops": max_drops, "franco": franco}),
        below_franco=below_franco,
    )


def _arcs(
    offers: pd.DataFrame,
    demand: pd.DataFrame,
    pair_p: np.ndarray,
    pair_c: np.ndarray,
    n_producer: int,
    n_product: int,
    n_week: int,
) -> pd.DataFrame:
    """Offer × canteen pairs in reach where the canteen demands that product that week."""
    # Offers joined with the canteens their producer reaches, via a CSR-like producer index.
    order = np.argsort(pair_p, kind="stable")
    pair_p, pair_c = pair_p[order], pair_c[order]
    start = np.searchsorted(pair_p, np.arange(n_producer + 1))
    o_prod = offers["producer"].to_numpy()
    count = start[o_prod + 1] - start[o_prod]
    offer_pos = np.repeat(np.arange(len(offers)), count)
    first = np.repeat(start[o_prod], count)
    within = np.arange(len(offer_pos)) - np.repeat(np.cumsum(count) - count, count)
    canteen = pair_c[first + within]
    # Keep the pairs whose (canteen, product, week) is a demand row.
    dem_key = (
        demand["canteen"].to_numpy(np.int64) * n_product + demand["product"].to_numpy()
    ) * n_week + demand["week"].to_numpy()
    key_order = np.argsort(dem_key, kind="stable")
    sorted_keys = dem_key[key_order]
    o_k = offers["product"].to_numpy()[offer_pos]
    o_w = offers["week"].to_numpy()[offer_pos]
    arc_key = (canteen.astype(np.int64) * n_product + o_k) * n_week + o_w
    loc = np.searchsorted(sorted_keys, arc_key)
    loc = np.minimum(loc, len(sorted_keys) - 1) if len(sorted_keys) else loc
    found = sorted_keys[loc] == arc_key if len(sorted_keys) else np.zeros(len(arc_key), bool)
    offer_pos, canteen, demand_pos = offer_pos[found], canteen[found], key_order[loc[found]]

    o = offers.iloc[offer_pos]
    d = demand.iloc[demand_pos]
    ub = np.minimum(o["qty"].to_numpy(), d["qty"].to_numpy())
    lot = o["lot"].to_numpy()
    fits = lot <= ub
    arcs = pd.DataFrame(
        {
            "offer": offer_pos,
            "demand": demand_pos,
            "producer": o["producer"].to_numpy(),
            "canteen": canteen,
            "product": o["product"].to_numpy(),
            "week": o["week"].to_numpy(),
            "ub": ub,
            "kg_per_unit": d["kg_per_unit"].to_numpy(),
            "price": o["price"].to_numpy(),
            "ref_price": d["ref_price"].to_numpy(),
            "quality": o["quality"].to_numpy(),
            "organic": o["organic"].to_numpy(),
            "meat_fish": d["meat_fish"].to_numpy(),
            "lot": lot,
        }
    )
    kept: pd.DataFrame = arcs.loc[fits].reset_index(drop=True)
    return kept


def _drops(
    arcs: pd.DataFrame,
    capacity: np.ndarray,
    max_drops: np.ndarray,
    franco: np.ndarray,
    n_canteen: int,
    n_week: int,
) -> pd.DataFrame:
    """One row per producer × canteen × week with arcs; ``arcs['drop']`` is set to its row."""
    p, c, w = (arcs[col].to_numpy(np.int64) for col in ("producer", "canteen", "week"))
    key = (p * n_canteen + c) * n_week + w
    uniq, inverse = np.unique(key, return_inverse=True)
    arcs["drop"] = inverse
    g_p = uniq // (n_canteen * n_week)
    g_c = (uniq // n_week) % n_canteen
    g_w = uniq % n_week
    kg_reach = np.bincount(inverse, arcs["ub"] * arcs["kg_per_unit"], minlength=len(uniq))
    drops = pd.DataFrame(
        {
            "producer": g_p,
            "canteen": g_c,
            "week": g_w,
            "kg_bound": np.minimum(capacity[g_p], kg_reach),
            "franco": franco[g_p],
        }
    )
    # A drop variable is needed only where franco or the weekly drop count can bind.
    per_pw = drops.groupby(["producer", "week"], sort=False)["canteen"].transform("size")
    drops["binary"] = (drops["franco"] > 0) | (per_pw.to_numpy() > max_drops[g_p])
    return drops


def _canteen_targets(scenario: Scenario, defaults: Targets) -> pd.DataFrame:
    can = scenario.canteens
    return pd.DataFrame(
        {
            "target_quality": can["target_quality"].fillna(defaults.quality).to_numpy(float),
            "target_organic": can["target_organic"].fillna(defaults.organic).to_numpy(float),
            "target_meat_fish": can["target_meat_fish"].fillna(defaults.meat_fish).to_numpy(float),
            "budget": can["budget_eur_ht"].to_numpy(float),
        }
    )


def _split_below_franco(
    arcs: pd.DataFrame, capacity: np.ndarray, franco: np.ndarray, n_canteen: int, n_week: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Leave out the arcs of drops that can never pay the franco (an exact reduction).

    A drop's value is at most Σ u_a π_a (everything it could carry) and at most
    K_p · max_a(π_a / m_a) (a full van of its dearest food per kg); below F_p the drop can
    never happen, so its arcs carry nothing in any feasible plan.
    """
    p, c, w = (arcs[col].to_numpy(np.int64) for col in ("producer", "canteen", "week"))
    _, first, group = np.unique(
        (p * n_canteen + c) * n_week + w, return_index=True, return_inverse=True
    )
    producer = p[first]
    price = arcs["price"].to_numpy()
    most = np.bincount(group, arcs["ub"].to_numpy() * price, minlength=len(first))
    per_kg = np.zeros(len(first))
    np.maximum.at(per_kg, group, price / arcs["kg_per_unit"].to_numpy())
    reach = np.minimum(most, capacity[producer] * per_kg)
    dead = (reach < franco[producer] - 1e-9)[group]
    return (
        arcs.loc[~dead].reset_index(drop=True),
        arcs.loc[dead].reset_index(drop=True),
    )
