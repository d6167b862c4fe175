"""The model's index tables: demand rows, offers, arcs and drops, as integer-coded frames.

Everything downstream (variables, constraints, objective, solution tables) reads these frames;
they are built once, vectorised, from the scenario's tables. Row order is deterministic: it
follows the input tables' order, so the same scenario always gives the same model.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from ..egalim import FISH_FAMILY, MEAT_FAMILY, line_classes
from ..geo import haversine_km
from ..inputs.hubs import price_via_hub
from ..inputs.scenario import Scenario
from ..params import Targets
from .groups import group_lines, product_rows
from .hubs import HubRoutes, hub_drops, hub_routes

#: Candidate offer × canteen pairs that ``_arcs`` examines at once: its working memory is
#: about 60 bytes a pair, so a chunk stays near 250 MB whatever the scenario's size.
CHUNK_PAIRS = 1 << 22


@dataclass(frozen=True)
class ModelIndex:
    """Integer-coded tables of one scenario.

    * ``demand`` (one row per canteen × product × week demanded, d): ``canteen``,
      ``product``, ``week`` codes, ``qty`` (the most it may need, unit), ``fixed`` (D⁰_d, its
      plain part; equal to ``qty`` without groups), ``ref_price`` (EUR HT/unit),
      ``kg_per_unit``, ``meat_fish``.
    * ``offers`` (one row per offer o with qty > 0): ``producer``, ``product``, ``week``,
      ``qty``, ``price``, ``quality``, ``organic``, ``lot`` (unit, 0 = none). Market options
      come after the producers' offers: one row per option and week of its availability, its
      ``producer`` code ``len(producer_ids)`` + its row in ``market_ids``, ``qty`` its weekly
      limit (inf for none).
    * ``arcs`` (one row per arc a): ``offer`` and ``demand`` row positions, ``producer``,
      ``canteen``, ``product``, ``week``, ``ub`` (unit), ``kg_per_unit``, ``price``,
      ``ref_price``, ``quality``, ``organic``, ``meat_fish``, ``local``, ``distance_km``,
      ``lot``, ``drop``, ``market`` (bool: a market option's arc; ``local`` False, distance 0,
      its drop never binding), ``hub`` (the hub code of an arc via a hub, −1 for a direct
      arc), ``hub_drop`` (its row in ``hub_drops``, −1 direct), ``producer_price`` (the
      offer's price, EUR HT/unit: ``price`` is what the canteen pays, the hub's fee included).
      Arcs via hubs follow the direct arcs, in the same order.
    * ``drops`` (one row per drop g = producer × canteen × week with an arc, or producer ×
      hub × week for the drop at a hub): ``producer``, ``canteen`` (−1 at a hub), ``hub``
      (−1 at a canteen), ``week``, ``kg_bound`` (U_g, kg), ``franco`` (EUR HT), ``binary``
      (whether a drop variable is needed).
    * ``hub_drops`` (one row per hub × canteen × week with an arc via the hub): see
      ``rhd_match.model.hubs.hub_drops``; ``hubs``: per hub code, ``HubRoutes.hubs``.
    * ``canteens``: per canteen code: the three targets and ``budget`` (EUR HT, NaN = none).
    * ``producers``: per producer code: ``capacity_kg``, ``max_drops``, ``franco``; market
      options follow with no capacity (inf), as many drops as canteens and no franco.
    * ``group_lines`` (one row per demand row naming a group, l): ``canteen_id``,
      ``group_id``, ``week`` ids, ``canteen`` and ``week`` codes, ``qty`` (group unit);
      ``group_options`` (one row per product o that may serve a line): ``line``, ``demand``
      (its product row), ``group_id``, ``canteen``, ``product``, ``week`` codes, ``qty``
      (its line's, group unit), ``conversion`` (product unit per group unit),
      ``max_share``, ``upper`` (u_o, product unit). Both empty without groups
      (``rhd_match.model.groups``).
    * ``below_franco_demand``: sorted positions in ``demand`` of the rows that lost at least
      one arc because its drop can never reach the producer's minimum order; kept to explain
      unmet demand.
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
    below_franco_demand: np.ndarray
    market_ids: np.ndarray
    group_lines: pd.DataFrame
    group_options: pd.DataFrame
    hub_ids: np.ndarray
    hubs: pd.DataFrame
    hub_drops: pd.DataFrame


def producer_canteen_km(scenario: Scenario) -> np.ndarray:
    """The great-circle distance between every producer and every canteen.

    It depends on the producers and canteens only, not on the weeks: a caller that builds
    models of the same scenario cut to different weeks (the streamed decomposition) computes
    it once and passes it to ``build_index``.

    Parameters
    ----------
    scenario
        The validated scenario.

    Returns
    -------
    numpy.ndarray
        Distances in km, shape (producers, canteens), in the tables' row order.
    """
    prod, canteens = scenario.producers, scenario.canteens
    return haversine_km(
        prod["lat"].to_numpy(float)[:, None],
        prod["lon"].to_numpy(float)[:, None],
        canteens["lat"].to_numpy(float)[None, :],
        canteens["lon"].to_numpy(float)[None, :],
    )


def build_index(scenario: Scenario, distance_km: np.ndarray | None = None) -> ModelIndex:
    """Build the index tables of ``scenario`` (see ``ModelIndex``).

    Parameters
    ----------
    scenario
        The validated scenario.
    distance_km
        ``producer_canteen_km(scenario)`` when already computed (of a scenario with the same
        producers and canteens), shape (producers, canteens); computed here when None.

    Returns
    -------
    ModelIndex
        Demand rows, offers, arcs and drops as integer-coded frames.
    """
    params = scenario.parameters
    products = scenario.products.reset_index(drop=True)
    canteen_ids = scenario.canteens["canteen_id"].to_numpy(dtype=object)
    producer_ids = scenario.producers["producer_id"].to_numpy(dtype=object)
    product_ids = products["product_id"].to_numpy(dtype=object)
    all_weeks = pd.concat([scenario.demand["week"], scenario.offers["week"]])
    weeks = all_weeks.drop_duplicates().sort_values().to_numpy(dtype=object)
    n_product, n_week = len(product_ids), len(weeks)
    product_code = pd.Index(product_ids)
    week_code = pd.Index(weeks)
    family = products["family"].to_numpy(dtype=object)
    meat_fish_product = np.isin(family, [MEAT_FAMILY, FISH_FAMILY])

    dem, options = product_rows(scenario)
    k = product_code.get_indexer(dem["product_id"])
    canteen_code = pd.Index(canteen_ids)
    demand = pd.DataFrame(
        {
            "canteen": canteen_code.get_indexer(dem["canteen_id"]),
            "product": k,
            "week": week_code.get_indexer(dem["week"]),
            "qty": dem["qty"].to_numpy(float),
            "fixed": dem["fixed"].to_numpy(float),
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
    market = scenario.market[scenario.market["max_qty_per_week"].fillna(np.inf) > 0]
    market_ids = market["market_id"].to_numpy(dtype=object)
    n_producer, n_market, n_canteen = len(producer_ids), len(market), len(canteen_ids)
    offers = pd.concat(
        [offers, _market_offers(market, product_code, weeks, n_producer)], ignore_index=True
    )

    prod = scenario.producers
    capacity = prod["delivery_capacity_kg_per_week"].to_numpy(float)
    max_drops = prod["max_drops_per_week"].to_numpy(np.int64)
    franco = prod["min_order_eur_ht"].to_numpy(float)
    distance = producer_canteen_km(scenario) if distance_km is None else distance_km
    reach = distance <= prod["delivery_radius_km"].to_numpy(float)[:, None]
    reach &= ((capacity > 0) & (max_drops > 0))[:, None]
    # Market options: no distance, capacity, drop limit or franco; only the canteens allowed.
    reach = np.vstack([reach, _market_reach(market, canteen_ids)])
    capacity = np.r_[capacity, np.full(n_market, np.inf)]
    max_drops = np.r_[max_drops, np.full(n_market, n_canteen, np.int64)]
    franco = np.r_[franco, np.zeros(n_market)]
    arcs, below_franco_demand = _arcs(offers, demand, reach, capacity, franco, n_product, n_week)
    routes = hub_routes(scenario, n_market)
    arcs = _with_arcs_via_hubs(arcs, routes, offers, demand, capacity, n_product, n_week)
    producer, canteen = arcs["producer"].to_numpy(), arcs["canteen"].to_numpy()
    direct = producer < n_producer  # a market option's arcs have no distance
    arc_km = np.zeros(len(arcs))
    arc_km[direct] = distance[producer[direct], canteen[direct]]
    arcs["distance_km"] = arc_km
    arcs["market"] = ~direct
    local_radius = params.local_radius_km
    arcs["local"] = ~arcs["market"].to_numpy() & (
        True if local_radius is None else arcs["distance_km"].to_numpy() <= local_radius
    )
    drops = _drops(arcs, capacity, max_drops, franco, n_canteen, n_week)
    via_hub = hub_drops(arcs, routes.hubs, n_canteen, n_week)

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
        below_franco_demand=below_franco_demand,
        market_ids=market_ids,
        hub_ids=routes.hub_ids,
        hubs=routes.hubs,
        hub_drops=via_hub,
        group_lines=_group_lines(scenario, canteen_code, week_code),
        group_options=options.drop(columns=["canteen_id", "product_id", "week"]).assign(
            canteen=demand["canteen"].to_numpy()[options["demand"].to_numpy()],
            product=demand["product"].to_numpy()[options["demand"].to_numpy()],
            week=demand["week"].to_numpy()[options["demand"].to_numpy()],
        ),
    )


def _group_lines(scenario: Scenario, canteen_code: pd.Index, week_code: pd.Index) -> pd.DataFrame:
    """The group lines (``group_lines``) with ``canteen`` and ``week`` codes."""
    lines = group_lines(scenario)
    return lines.assign(
        canteen=canteen_code.get_indexer(pd.Index(lines["canteen_id"])),
        week=week_code.get_indexer(pd.Index(lines["week"])),
    )


def _with_arcs_via_hubs(
    arcs: pd.DataFrame,
    routes: HubRoutes,
    offers: pd.DataFrame,
    demand: pd.DataFrame,
    capacity: np.ndarray,
    n_product: int,
    n_week: int,
) -> pd.DataFrame:
    """The direct arcs followed by the arcs via hubs (offers of member producers to the
    canteens their hub reaches), with ``hub`` and ``producer_price`` columns.

    A hub's order from a producer is one drop paid by all of it: no arc via a hub is cut for
    the franco here (``_arcs`` is given no franco)."""
    arcs["hub"] = -1
    arcs["producer_price"] = arcs["price"].to_numpy()
    if not routes.reach.any():
        return arcs
    no_franco = np.zeros(len(capacity))
    via, _ = _arcs(offers, demand, routes.reach, capacity, no_franco, n_product, n_week)
    hub = routes.hub_of[via["producer"].to_numpy()]
    fees = routes.hubs.iloc[hub]
    via["hub"] = hub
    via["producer_price"] = via["price"].to_numpy()
    via["price"] = price_via_hub(
        via["price"].to_numpy(),
        via["kg_per_unit"].to_numpy(),
        fees["fee_eur_per_kg"].to_numpy(),
        fees["fee_share"].to_numpy(),
    )
    return pd.concat([arcs, via], ignore_index=True)


def _market_offers(
    market: pd.DataFrame, product_code: pd.Index, weeks: np.ndarray, n_producer: int
) -> pd.DataFrame:
    """One offer row per market option and horizon week within its first and last ISO week
    (columns as ``ModelIndex`` ``offers``; ``qty`` the weekly limit, inf for none)."""
    first = market["first_week"].fillna("").to_numpy(dtype=str)
    last = market["last_week"].fillna("~").to_numpy(dtype=str)  # "~" sorts after every week
    week_text = weeks.astype(str)
    # ISO week strings of one format sort as the weeks do.
    on = (week_text[None, :] >= first[:, None]) & (week_text[None, :] <= last[:, None])
    m, w = np.nonzero(on)
    classes = line_classes(market["labels"])
    return pd.DataFrame(
        {
            "producer": n_producer + m,
            "product": product_code.get_indexer(pd.Index(market["product_id"]))[m],
            "week": w,
            "qty": market["max_qty_per_week"].fillna(np.inf).to_numpy(float)[m],
            "price": market["price_eur_ht"].to_numpy(float)[m],
            "quality": classes["is_quality"].to_numpy(bool)[m],
            "organic": classes["is_organic"].to_numpy(bool)[m],
            "lot": np.zeros(len(m)),
            "labels": market["labels"].fillna("").to_numpy(dtype=object)[m],
        }
    )


def _market_reach(market: pd.DataFrame, canteen_ids: np.ndarray) -> np.ndarray:
    """Market option × canteen (bool): every canteen, or those of its ``canteen_ids`` list."""
    reach = np.ones((len(market), len(canteen_ids)), bool)
    code = pd.Index(canteen_ids)
    for row, cell in enumerate(market["canteen_ids"].to_numpy(dtype=object)):
        if isinstance(cell, str) and cell:
            reach[row] = False
            reach[row, code.get_indexer(cell.split(","))] = True
    return reach


def _arcs(
    offers: pd.DataFrame,
    demand: pd.DataFrame,
    reach: np.ndarray,
    capacity: np.ndarray,
    franco: np.ndarray,
    n_product: int,
    n_week: int,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Offer × canteen pairs in ``reach`` (producer × canteen, bool) where the canteen demands
    that product that week, the offer's minimum lot fits and the drop can pay the franco.

    Returns the arcs (offers in order, then canteens in code order; columns as
    ``ModelIndex`` ``arcs`` without ``distance_km``, ``local`` and ``drop``) and the sorted
    positions of the demand rows that lost an arc to the franco (``_below_franco``).

    Offers are taken by whole (producer, week) groups, about ``CHUNK_PAIRS`` candidate pairs
    at a time: a group × its producer's canteens is a set of whole drops, so the franco test on
    a chunk is exact, and the candidates of the whole scenario (~90 M at size M) never coexist.
    """
    n_canteen = reach.shape[1]
    n_reach = reach.sum(axis=1)
    reach_start = np.cumsum(n_reach) - n_reach
    _, reach_canteen = np.nonzero(reach)  # row-major: each producer's canteens in code order
    o_prod, o_k, o_w = (offers[c].to_numpy() for c in ("producer", "product", "week"))
    o_qty, o_lot, o_price = (offers[c].to_numpy() for c in ("qty", "lot", "price"))
    d_qty, d_kg = demand["qty"].to_numpy(), demand["kg_per_unit"].to_numpy()
    # (product, week, canteen) → demand row (-1 = none), a dense table of 4 bytes a cell; an
    # offer's candidates are the cells from its (product, week) row, plus their canteen.
    demand_at = np.full(n_product * n_week * n_canteen, -1, np.int32)
    d_c, d_k, d_w = (demand[c].to_numpy() for c in ("canteen", "product", "week"))
    demand_at[(d_k * n_week + d_w) * n_canteen + d_c] = np.arange(len(demand))
    offer_row = (o_k * n_week + o_w) * n_canteen

    # Offers by (producer, week) group: a group × the canteens its producer reaches is a set
    # of whole drops, so chunks cut between groups.
    order = np.lexsort((o_w, o_prod))
    p_sorted = o_prod[order]
    new_group = (np.diff(p_sorted, prepend=-1) != 0) | (np.diff(o_w[order], prepend=-1) != 0)
    pairs = n_reach[p_sorted]
    before = np.cumsum(pairs) - pairs  # candidate pairs of the offers before, in this order
    group_start = np.flatnonzero(new_group)
    cuts = group_start[np.unique(before[group_start] // CHUNK_PAIRS, return_index=True)[1]]
    bounds = np.r_[0, cuts[1:], len(order)]  # at least one chunk, empty when there is no offer

    kept, below_franco = [], np.zeros(len(demand), bool)
    for lo, hi in pairwise(bounds):
        chunk, chunk_p, count = order[lo:hi], p_sorted[lo:hi], pairs[lo:hi]
        # Each candidate: its offer's position in the chunk, its reach pair (its producer's
        # first + its rank among its offer's candidates) and its demand row.
        pos = np.repeat(np.arange(hi - lo), count)
        shift = reach_start[chunk_p] - (np.cumsum(count) - count)
        pair = np.arange(len(pos)) + np.repeat(shift, count)
        dem = demand_at[np.repeat(offer_row[chunk], count) + reach_canteen[pair]]
        hit = dem >= 0
        pos, pair, dem = pos[hit], pair[hit], dem[hit]
        offer = chunk[pos]
        ub = np.minimum(o_qty[offer], d_qty[dem])
        fits = o_lot[offer] <= ub
        pos, pair, dem, offer, ub = (x[fits] for x in (pos, pair, dem, offer, ub))
        # The chunk's drops get consecutive codes, a group's one per canteen in reach.
        group_code = np.cumsum(np.where(new_group[lo:hi], count, 0)) - count
        drop = pair + (group_code - reach_start[chunk_p])[pos]
        p = o_prod[offer]
        dead = _below_franco(drop, ub, o_price[offer], d_kg[dem], capacity[p], franco[p])
        kept.append((offer[~dead], reach_canteen[pair[~dead]], dem[~dead]))
        below_franco[dem[dead]] = True

    offer, canteen, dem = (np.concatenate(parts) for parts in zip(*kept, strict=True))
    # Back to offer order; each offer's canteens are already in code order.
    back = np.argsort(offer, kind="stable")
    offer, canteen, dem = offer[back], canteen[back], dem[back].astype(np.intp)

    offer_columns = ("producer", "product", "week", "qty", "price", "quality", "organic", "lot")
    o = {c: offers[c].to_numpy()[offer] for c in offer_columns}
    d = {c: demand[c].to_numpy()[dem] for c in ("qty", "kg_per_unit", "ref_price", "meat_fish")}
    arcs = pd.DataFrame(
        {
            "offer": offer,
            "demand": dem,
            "producer": o["producer"],
            "canteen": canteen,
            "product": o["product"],
            "week": o["week"],
            "ub": np.minimum(o["qty"], d["qty"]),
            "kg_per_unit": d["kg_per_unit"],
            "price": o["price"],
            "ref_price": d["ref_price"],
            "quality": o["quality"],
            "organic": o["organic"],
            "meat_fish": d["meat_fish"],
            "lot": o["lot"],
        },
        copy=False,  # the gathered columns are fresh: no second copy into 2-D blocks
    )
    return arcs, np.flatnonzero(below_franco)


def _drops(
    arcs: pd.DataFrame,
    capacity: np.ndarray,
    max_drops: np.ndarray,
    franco: np.ndarray,
    n_canteen: int,
    n_week: int,
) -> pd.DataFrame:
    """One row per producer × canteen × week with arcs, and per producer × hub × week with
    arcs via the hub (its drop at the hub); ``arcs['drop']`` is set to its row."""
    p, c, w = (arcs[col].to_numpy(np.int64) for col in ("producer", "canteen", "week"))
    h = arcs["hub"].to_numpy(np.int64)
    n_target = n_canteen + int(h.max(initial=-1)) + 1  # canteens, then hubs
    target = np.where(h >= 0, n_canteen + h, c)
    key = (p * n_target + target) * n_week + w
    uniq, inverse = np.unique(key, return_inverse=True)
    arcs["drop"] = inverse
    g_p = uniq // (n_target * n_week)
    g_t = (uniq // n_week) % n_target
    g_w = uniq % n_week
    kg_reach = np.bincount(inverse, arcs["ub"] * arcs["kg_per_unit"], minlength=len(uniq))
    drops = pd.DataFrame(
        {
            "producer": g_p,
            "canteen": np.where(g_t < n_canteen, g_t, -1),
            "hub": np.where(g_t < n_canteen, -1, g_t - n_canteen),
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


def _below_franco(
    drop: np.ndarray,
    ub: np.ndarray,
    price: np.ndarray,
    kg_per_unit: np.ndarray,
    capacity: np.ndarray,
    franco: np.ndarray,
) -> np.ndarray:
    """Per arc (its drop's code, small and ≥ 0; u_a unit; π_a EUR HT/unit; m_a kg/unit; its
    producer's K_p kg and F_p EUR HT): whether its drop can never pay the franco (an exact
    reduction).

    A drop's value is at most Σ u_a π_a (everything it could carry) and at most
    K_p · max_a(π_a / m_a) (a full van of its dearest food per kg); below F_p the drop can
    never happen, so its arcs carry nothing in any feasible plan.
    """
    most = np.bincount(drop, ub * price)
    per_kg = np.zeros(len(most))
    np.maximum.at(per_kg, drop, price / kg_per_unit)
    with np.errstate(invalid="ignore"):  # inf × 0: a market option (no capacity) at price 0
        dead: np.ndarray = np.minimum(most[drop], capacity * per_kg[drop]) < franco - 1e-9
    return dead
