"""Producers and their offers: kinds (what they grow, their van, their labels), placement,
products, labels, prices and weekly quantities against the territory's demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..egalim import FAMILIES, LABELS
from ..geo import haversine_km
from ..weeks import week_label
from .calendar import week_months
from .draw import (
    BoolArray,
    FloatArray,
    IntArray,
    apportion,
    make_ids,
    numbers,
    offset_km,
    points_in_disc,
    round_price,
    round_qty,
)
from .products import month_mask
from .territory import BOULOGNE, SYNTHETIC_SIDE_KM, Territory

#: Offered quantity per week ÷ mean weekly demand of the territory in the product's local
#: months, by family (before capacity and reach): local supply covers part of the demand only.
SUPPLY_COVERAGE: dict[str, float] = {
    "FRUITS_ET_LEGUMES": 0.55,
    "PRODUITS_LAITIERS": 0.45,
    "VIANDES_VOLAILLES": 0.30,
    "CHARCUTERIE": 0.25,
    "PRODUITS_DE_LA_MER": 0.35,
    "BOULANGERIE": 0.50,
    "AUTRES": 0.50,
    "BOISSONS": 0.60,
}
STORED_SUPPLY_FACTOR = 0.7  # supply in storage months relative to harvest months
OFFER_GAP_PROBABILITY = 0.05  # a producer skips a week of its season now and then
#: Labels ma cantine marks "not applicable" outside some families (egalim.md): label → the
#: families where a producer's label is put on its offers.
FAMILIES_ALLOWING: dict[str, tuple[str, ...]] = {
    "LABEL_ROUGE": tuple(f for f in FAMILIES if f != "BOISSONS"),
    "PECHE_DURABLE": ("PRODUITS_DE_LA_MER",),
    "FERMIER": ("VIANDES_VOLAILLES", "CHARCUTERIE", "PRODUITS_LAITIERS"),
}


@dataclass(frozen=True)
class ProducerKind:
    """One kind of producer: what it grows, its van, its labels.

    Each producer offers every product of ``always`` and ``n_optional`` (uniform integer
    range) products drawn from ``optional``; ``capacity_kg`` is the van payload range in kg per
    week; ``p_hve`` etc. are the chances of carrying each label (organic producers label every
    offer BIO). ``reach_all`` producers (co-operatives) deliver the whole territory.
    """

    key: str
    title: str
    share: float
    always: tuple[str, ...]
    optional: tuple[str, ...]
    n_optional: tuple[int, int]
    capacity_kg: tuple[float, float] = (300.0, 1100.0)
    drops: tuple[int, int] = (3, 12)
    min_order_eur: tuple[int, int] = (100, 250)
    p_organic: float = 0.13
    p_hve: float = 0.0
    p_label_rouge: float = 0.0
    p_fermier: float = 0.0
    p_peche_durable: float = 0.0
    reach_all: bool = False
    size: float = 1.0


VEGETABLES = (
    "potato",
    "carrot",
    "leek",
    "onion",
    "cabbage",
    "brussels_sprouts",
    "cauliflower",
    "lettuce",
    "tomato",
    "zucchini",
    "green_bean",
    "squash",
    "spinach",
    "celeriac",
    "turnip",
    "strawberry",
    "rhubarb",
)
# fmt: off
PRODUCER_KINDS: tuple[ProducerKind, ...] = (
    ProducerKind(
        key="market_gardener", title="Maraîcher", share=0.34, always=(), optional=VEGETABLES,
        n_optional=(5, 12), capacity_kg=(300.0, 800.0), p_hve=0.3,
    ),
    ProducerKind(
        key="field_vegetables", title="Légumier de plein champ", share=0.10, always=(),
        optional=("potato", "carrot", "onion", "endive", "leek", "cabbage", "cauliflower",
                  "brussels_sprouts", "celeriac", "beetroot", "squash"),
        n_optional=(2, 5), capacity_kg=(600.0, 1100.0), p_hve=0.4, size=2.0,
    ),
    ProducerKind(
        key="orchard", title="Verger", share=0.10, always=("apple",),
        optional=("pear", "apple_juice", "strawberry", "red_fruits", "rhubarb"),
        n_optional=(1, 4), capacity_kg=(300.0, 900.0), p_hve=0.4,
    ),
    ProducerKind(
        key="dairy", title="Laiterie fermière", share=0.10, always=(),
        optional=("milk", "yogurt", "fromage_blanc", "butter", "cheese"),
        n_optional=(2, 4), capacity_kg=(500.0, 1500.0), p_hve=0.2, p_fermier=0.4, size=1.5,
    ),
    ProducerKind(
        key="cheese_dairy", title="Fromagerie fermière", share=0.02, always=("maroilles",),
        optional=("butter", "fromage_blanc", "cheese"), n_optional=(0, 2),
        capacity_kg=(300.0, 800.0), p_hve=0.2, p_fermier=0.6,
    ),
    ProducerKind(
        key="eggs", title="Élevage de poules pondeuses", share=0.07, always=("eggs",),
        optional=(), n_optional=(0, 0), capacity_kg=(300.0, 800.0), p_hve=0.1,
        p_label_rouge=0.2, p_fermier=0.4,
    ),
    ProducerKind(
        key="livestock", title="Élevage bovin et porcin", share=0.09, always=(),
        optional=("beef_stew", "minced_beef", "pork", "ham"), n_optional=(1, 3),
        capacity_kg=(400.0, 1500.0), p_hve=0.2, p_label_rouge=0.2, p_fermier=0.3,
    ),
    ProducerKind(
        key="poultry", title="Élevage de volailles", share=0.07,
        always=("chicken_thigh", "chicken_fillet"), optional=("eggs",), n_optional=(0, 1),
        capacity_kg=(400.0, 1000.0), p_label_rouge=0.5, p_fermier=0.4,
    ),
    ProducerKind(
        key="bakery", title="Boulangerie-meunerie", share=0.06, always=("bread",),
        optional=("flour",), n_optional=(0, 1), capacity_kg=(300.0, 700.0), drops=(5, 12),
        p_hve=0.15,
    ),
    ProducerKind(
        key="pulses", title="Producteur de légumes secs", share=0.03, always=(),
        optional=("lentils", "split_peas", "flour"), n_optional=(1, 3),
        capacity_kg=(300.0, 1100.0), p_hve=0.4,
    ),
    ProducerKind(
        key="processor", title="Coopérative légumière (surgelés)", share=0.01,
        always=("green_bean_frozen", "pea_frozen"), optional=("beetroot", "spinach"),
        n_optional=(0, 1), capacity_kg=(1500.0, 3000.0), drops=(8, 20),
        min_order_eur=(150, 300), p_organic=0.0, p_hve=0.5, reach_all=True, size=3.0,
    ),
    ProducerKind(
        key="fish", title="Coopérative de pêche", share=0.01, always=("fish_fillet",),
        optional=(), n_optional=(0, 0), capacity_kg=(1500.0, 3000.0), drops=(8, 20),
        min_order_eur=(150, 300), p_organic=0.0, p_peche_durable=0.7, reach_all=True,
    ),
)
# fmt: on


def _place_producers(
    kind: IntArray, territory: Territory, name: str, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Latitude, longitude (degrees) and delivery radius (km) of each producer."""
    n = len(kind)
    keys = np.array([k.key for k in PRODUCER_KINDS])[kind]
    reach_all = np.array([k.reach_all for k in PRODUCER_KINDS])[kind]
    fish = keys == "fish"
    c_lat, c_lon = np.full(n, territory.centre[0]), np.full(n, territory.centre[1])
    if name == "lens-lievin":
        inside = rng.random(n) < 0.10
        distance = 5.0 + 55.0 * rng.beta(2.0, 2.5, n)
        theta = 2 * np.pi * rng.random(n)
        lat, lon = offset_km(c_lat, c_lon, distance * np.cos(theta), distance * np.sin(theta))
        town = rng.integers(0, len(territory.lat), n)
        east, north = points_in_disc(rng, n, 2.0)
        in_lat, in_lon = offset_km(territory.lat[town], territory.lon[town], east, north)
        lat, lon = np.where(inside, in_lat, lat), np.where(inside, in_lon, lon)
        east, north = points_in_disc(rng, n, 2.0)
        port_lat, port_lon = offset_km(
            np.full(n, BOULOGNE[0]), np.full(n, BOULOGNE[1]), east, north
        )
        lat, lon = np.where(fish, port_lat, lat), np.where(fish, port_lon, lon)
        from_centre = haversine_km(lat, lon, c_lat, c_lon)
        radius = np.clip(from_centre + rng.uniform(0.0, 20.0, n), 15.0, 60.0)
        far_reach = from_centre + 14.0 + rng.uniform(5.0, 20.0, n)  # whole CALL is ≤ 14 km
        radius = np.where(reach_all, far_reach, radius)
    else:
        half = SYNTHETIC_SIDE_KM / 2 + 10.0
        east, north = rng.uniform(-half, half, n), rng.uniform(-half, half, n)
        east = np.where(fish, -half - rng.uniform(0.0, 10.0, n), east)  # the coast, to the west
        lat, lon = offset_km(c_lat, c_lon, east, north)
        radius = np.where(reach_all, rng.uniform(80.0, 120.0, n), rng.uniform(15.0, 60.0, n))
    return np.round(lat, 5), np.round(lon, 5), np.round(radius, 1)


def _producer_labels(kind: IntArray, rng: np.random.Generator) -> BoolArray:
    """(producer, label) flags in ``LABELS`` order; organic producers carry BIO."""
    n = len(kind)
    flags = np.zeros((n, len(LABELS)), dtype=bool)
    col = {label: i for i, label in enumerate(LABELS)}

    def chance(attribute: str) -> FloatArray:
        return np.array([getattr(k, attribute) for k in PRODUCER_KINDS])[kind]

    organic = rng.random(n) < chance("p_organic")
    flags[:, col["BIO"]] = organic
    flags[:, col["HVE"]] = ~organic & (rng.random(n) < chance("p_hve"))
    flags[:, col["LABEL_ROUGE"]] = rng.random(n) < chance("p_label_rouge")
    flags[:, col["FERMIER"]] = rng.random(n) < chance("p_fermier")
    flags[:, col["PECHE_DURABLE"]] = rng.random(n) < chance("p_peche_durable")
    return flags


def _producer_products(
    kind: IntArray, products: pd.DataFrame, rng: np.random.Generator
) -> tuple[IntArray, IntArray]:
    """(producer, product) pairs each producer offers, from its kind's product lists."""
    base = products["base_id"].to_numpy(dtype=object)
    ratio = len(products) / products["base_id"].nunique()
    pairs_p: list[IntArray] = []
    pairs_k: list[IntArray] = []
    for i, spec in enumerate(PRODUCER_KINDS):  # a dozen kinds; vectorised inside
        members = np.flatnonzero(kind == i)
        if len(members) == 0:
            continue
        always = np.flatnonzero(np.isin(base, spec.always))
        optional = np.flatnonzero(np.isin(base, spec.optional))
        p_always = np.repeat(members, len(always))
        pairs_p.append(p_always)
        pairs_k.append(np.tile(always, len(members)))
        if len(optional) == 0:
            continue
        low, high = spec.n_optional
        wanted = rng.integers(low, high + 1, len(members)) * ratio
        wanted = np.minimum(np.round(wanted).astype(np.int64), len(optional))
        rank = np.argsort(rng.random((len(members), len(optional))), axis=1).argsort(axis=1)
        row, col = np.nonzero(rank < wanted[:, None])
        pairs_p.append(members[row])
        pairs_k.append(optional[col])
    p = np.concatenate(pairs_p) if pairs_p else np.zeros(0, np.int64)
    k = np.concatenate(pairs_k) if pairs_k else np.zeros(0, np.int64)
    order = np.lexsort((k, p))
    return p[order].astype(np.int64), k[order].astype(np.int64)


def _slot_labels(
    flags: BoolArray, p: IntArray, k: IntArray, products: pd.DataFrame
) -> tuple[NDArray[np.object_], BoolArray]:
    """Labels cell of each (producer, product) slot, and whether its labels earn a premium.

    A producer's labels apply where ma cantine finds them applicable to the product's family;
    a product's own labels (``intrinsic_labels``: AOCAOP for Maroilles) always apply and are
    already in its price range, so they earn no premium; nor does BIO (own price range).
    """
    family = products["family"].to_numpy(dtype=object)
    allowed = np.ones((len(products), len(LABELS)), dtype=bool)
    for label, families in FAMILIES_ALLOWING.items():
        allowed[:, LABELS.index(label)] = np.isin(family, families)
    intrinsic = np.zeros((len(products), len(LABELS)), dtype=bool)
    for j, cell in enumerate(products["intrinsic_labels"]):  # one row per product
        for label in str(cell).split(","):
            if label:
                intrinsic[j, LABELS.index(label)] = True
    own = flags[p] & allowed[k] & ~intrinsic[k]
    codes = ((own | intrinsic[k]) * (1 << np.arange(len(LABELS)))).sum(axis=1)
    premium = own.any(axis=1) & ~flags[p, LABELS.index("BIO")]
    return _label_cells(codes), premium


def _label_cells(codes: IntArray) -> NDArray[np.object_]:
    """Bitmasks over ``LABELS`` → canonical labels cells (``"BIO,AOCAOP"``)."""
    uniques, inverse = np.unique(codes, return_inverse=True)
    cells = np.array(
        [",".join(lab for j, lab in enumerate(LABELS) if (u >> j) & 1) for u in uniques],
        dtype=object,
    )
    return cells[inverse.reshape(-1)]


def _slot_prices(
    organic: BoolArray,
    premium: BoolArray,
    k: IntArray,
    products: pd.DataFrame,
    rng: np.random.Generator,
) -> FloatArray:
    """Price of each slot, EUR HT per unit, the same every week.

    Drawn uniformly in the organic range for BIO, in the conventional range otherwise, then
    × U(1.05, 1.3) for slots with a premium label (HVE, Label Rouge, fermier, pêche durable).
    """

    def column(name: str) -> FloatArray:
        values: FloatArray = products[name].to_numpy(dtype=float)[k]
        return values

    low = np.where(organic, column("organic_price_low"), column("conv_price_low"))
    high = np.where(organic, column("organic_price_high"), column("conv_price_high"))
    price = low + rng.random(len(k)) * (high - low)
    return round_price(price * np.where(premium, rng.uniform(1.05, 1.3, len(k)), 1.0))


def _offer_quantities(
    weight: FloatArray,
    k: IntArray,
    products: pd.DataFrame,
    demand_totals: FloatArray,
    year: int,
    supply_factor: float,
    rng: np.random.Generator,
) -> FloatArray:
    """Quantity offered by each slot in each week (slot × week, product units; 0: no offer).

    Per product, the slots together offer ``SUPPLY_COVERAGE`` × ``supply_factor`` × the
    territory's mean weekly demand over the product's local months, shared in proportion to
    ``weight``; × ``STORED_SUPPLY_FACTOR`` in storage months, × U(0.85, 1.15) week to
    week, none outside the local months and in a few random weeks.
    """
    months = week_months(year)
    local = np.stack([month_mask(t) for t in products["months"]])[:, months - 1]  # (k, week)
    stored = np.stack([month_mask(t) for t in products["stored_months"]])[:, months - 1]
    season = np.where(stored, STORED_SUPPLY_FACTOR, 1.0) * local
    mean_demand = (demand_totals * local).sum(axis=1) / np.maximum(local.sum(axis=1), 1)
    family = products["family"].to_numpy(dtype=object)
    coverage = np.array([SUPPLY_COVERAGE[f] for f in family]) * supply_factor
    weight_total = np.bincount(k, weights=weight, minlength=len(products))
    share = weight / np.where(weight_total[k] > 0, weight_total[k], 1.0)
    full_season = coverage[k] * mean_demand[k] * share
    n_weeks = len(months)
    available = local[k] & (rng.random((len(k), n_weeks)) >= OFFER_GAP_PROBABILITY)
    noise = rng.uniform(0.85, 1.15, (len(k), n_weeks))
    piece = (products["unit"] == "piece").to_numpy()[k]
    qty = round_qty(full_season[:, None] * season[k] * noise, piece[:, None])
    return np.where(available, qty, 0.0)


def _producers_table(
    kind: IntArray,
    lat: FloatArray,
    lon: FloatArray,
    radius: FloatArray,
    peak_kg: FloatArray,
    territory: Territory,
    territory_name: str,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The producers table; capacity = max(van payload, U(0.7, 1.0) × peak weekly offer)."""
    n = len(kind)

    def pick(attribute: str) -> NDArray[Any]:
        return np.array([getattr(s, attribute) for s in PRODUCER_KINDS])[kind]

    capacity_range, drops_range, order_range = (
        pick("capacity_kg"),
        pick("drops"),
        pick("min_order_eur"),
    )
    van = rng.uniform(capacity_range[:, 0], capacity_range[:, 1])
    capacity = np.ceil(np.maximum(van, peak_kg * rng.uniform(0.7, 1.0, n)) / 10.0) * 10.0
    drops = rng.integers(drops_range[:, 0], drops_range[:, 1] + 1)
    min_order = np.round(rng.uniform(order_range[:, 0], order_range[:, 1]), -1)
    in_hub = (rng.random(n) < 0.2) & ~pick("reach_all").astype(bool)
    distance = haversine_km(
        lat[:, None], lon[:, None], territory.lat[None, :], territory.lon[None, :]
    )
    hub = np.where(in_hub, territory.hub_ids[np.argmin(distance, axis=1)], None)
    titles = pick("title").astype(object)
    if territory_name == "lens-lievin":
        titles = np.where(pick("key") == "fish", titles + " de Boulogne-sur-Mer", titles)
    return pd.DataFrame(
        {
            "producer_id": make_ids("P", n),
            "name": titles + " " + numbers(n).to_numpy(dtype=object),
            "lat": lat,
            "lon": lon,
            "delivery_capacity_kg_per_week": capacity,
            "max_drops_per_week": drops.astype(np.int64),
            "delivery_radius_km": radius,
            "min_order_eur_ht": min_order,
            "hub_id": hub,
        }
    )


def make_supply(
    n: int,
    territory: Territory,
    territory_name: str,
    products: pd.DataFrame,
    demand_totals: FloatArray,
    year: int,
    supply_factor: float,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Producers and their weekly offers, calibrated on the territory's demand.

    Parameters
    ----------
    n
        Number of producers.
    territory
        The towns the canteens are in.
    territory_name
        ``lens-lievin`` or ``synthetic`` (where producers are placed).
    products
        The scenario's products (``select_products``).
    demand_totals
        The territory's demand per product and ISO week, shape (products, weeks), units.
    year
        The calendar year.
    supply_factor
        Multiplies every offered quantity (``generate_scenario``).
    rng
        The random stream for supply.

    Returns
    -------
    producers : pandas.DataFrame
        One row per ``producer_id`` (the ``producers`` table).
    offers : pandas.DataFrame
        One row per producer × product × ISO week offered (the ``offers`` table).
    """
    counts = apportion(n, [k.share for k in PRODUCER_KINDS])
    kind = np.repeat(np.arange(len(PRODUCER_KINDS)), counts)
    kind = kind[rng.permutation(n)]  # mix kinds along the ids
    lat, lon, radius = _place_producers(kind, territory, territory_name, rng)
    flags = _producer_labels(kind, rng)
    organic = flags[:, LABELS.index("BIO")]
    size = np.array([s.size for s in PRODUCER_KINDS])[kind] * rng.lognormal(0.0, 0.5, n)
    size = size * np.where(organic, 2.0, 1.0)  # organic farms sell more to canteens

    p, k = _producer_products(kind, products, rng)
    labels, premium = _slot_labels(flags, p, k, products)
    price = _slot_prices(organic[p], premium, k, products, rng)
    weight = size[p] * rng.uniform(0.5, 1.5, len(p))
    qty = _offer_quantities(weight, k, products, demand_totals, year, supply_factor, rng)

    kg_per_unit = products["kg_per_unit"].to_numpy(dtype=float)
    weekly_kg = np.zeros((n, qty.shape[1]))
    np.add.at(weekly_kg, p, qty * kg_per_unit[k][:, None])
    producers = _producers_table(
        kind, lat, lon, radius, weekly_kg.max(axis=1, initial=0.0), territory, territory_name, rng
    )
    slot, week = np.nonzero(qty > 0)
    weeks = np.array([week_label(year, i + 1) for i in range(qty.shape[1])], dtype=object)
    offers = pd.DataFrame(
        {
            "producer_id": producers["producer_id"].to_numpy(dtype=object)[p[slot]],
            "product_id": products["product_id"].to_numpy(dtype=object)[k[slot]],
            "week": weeks[week],
            "qty": qty[slot, week],
            "price_eur_ht": price[slot],
            "labels": labels[slot],
        }
    )
    return producers, offers
