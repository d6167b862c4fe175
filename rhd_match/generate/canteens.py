"""Canteens and their demand: kinds (ma cantine sectors, sizes, service patterns), names,
placement in the territory, weekly demand from menus and portions, and budgets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..weeks import iso_weeks_in_year, week_label
from .calendar import service_days, week_months
from .draw import (
    BoolArray,
    FloatArray,
    IntArray,
    apportion,
    make_ids,
    offset_km,
    points_in_disc,
    round_qty,
)
from .products import month_mask
from .territory import Territory

OPTIONAL_PRODUCT_PROBABILITY = 0.85  # chance a canteen ever buys a non-staple product
STAPLE_SERVINGS = 0.5  # servings per 5 meals from which every canteen buys a product


@dataclass(frozen=True)
class CanteenKind:
    """One kind of canteen: ma cantine sector, size and service pattern.

    ``meals`` is the uniform range of meals per service day (for EHPAD: residents, multiplied
    by ``occasions`` meal occasions a day); ``food_factor`` scales the raw food of one counted
    meal (EHPAD breakfasts and suppers are lighter than a lunch); ``weekdays`` are the ISO
    weekdays served (1 = Monday); ``five_day_share`` the chance a school serves Monday to
    Friday instead; schools (``school``) close in French school holidays (zone B).
    """

    key: str
    sector: str
    title: str
    share: float
    meals: tuple[float, float]
    weekdays: tuple[int, ...]
    school: bool
    primary_portions: bool
    occasions: float = 1.0
    food_factor: float = 1.0
    five_day_share: float = 0.0
    min_population: int = 0
    weight_power: float = 1.0


#: Mix of territory-and-prices.md §7: 40 primary, 10 collèges, 4 lycées, 6 EHPAD, 2 hospital
#: sites and one municipal central kitchen out of 63 restaurants.
# fmt: off
CANTEEN_KINDS: tuple[CanteenKind, ...] = (
    CanteenKind(
        key="primary", sector="education_primaire", title="École", share=40 / 63,
        meals=(60, 300), weekdays=(1, 2, 4, 5), school=True, primary_portions=True,
    ),
    CanteenKind(
        key="college", sector="education_secondaire_college", title="Collège", share=10 / 63,
        meals=(250, 600), weekdays=(1, 2, 4, 5), school=True, primary_portions=False,
        five_day_share=0.5, min_population=2000,
    ),
    CanteenKind(
        key="lycee", sector="education_secondaire_lycee", title="Lycée", share=4 / 63,
        meals=(400, 1200), weekdays=(1, 2, 3, 4, 5), school=True, primary_portions=False,
        min_population=5000, weight_power=1.5,
    ),
    CanteenKind(
        key="ehpad", sector="social_ehpad", title="EHPAD", share=6 / 63,
        meals=(80, 100), weekdays=(1, 2, 3, 4, 5, 6, 7), school=False, primary_portions=False,
        occasions=3.0, food_factor=0.7, min_population=2000,
    ),
    CanteenKind(
        key="hospital", sector="sante_hopital", title="Centre hospitalier, site", share=2 / 63,
        meals=(1000, 2500), weekdays=(1, 2, 3, 4, 5, 6, 7), school=False,
        primary_portions=False, min_population=8000, weight_power=2.0,
    ),
    CanteenKind(
        key="central", sector="education_primaire", title="Cuisine centrale municipale",
        share=1 / 63, meals=(1300, 1550), weekdays=(1, 2, 4, 5), school=True,
        primary_portions=True, min_population=25000, weight_power=2.0,
    ),
)
# fmt: on

SCHOOL_NAMES = (
    "Jules Ferry",
    "Jean Jaurès",
    "Victor Hugo",
    "Louis Pasteur",
    "Jean Macé",
    "Marie Curie",
    "Anatole France",
    "Paul Langevin",
    "Condorcet",
    "Jean Moulin",
    "Voltaire",
    "Joliot-Curie",
    "Jacques Prévert",
    "Émile Zola",
    "Lucie Aubrac",
    "Paul Éluard",
    "Jean Zay",
    "Louise Michel",
)
EHPAD_NAMES = (
    "Les Tilleuls",
    "Les Glycines",
    "Le Bois fleuri",
    "Les Charmilles",
    "La Roseraie",
    "Les Hortensias",
    "Les Aubépines",
    "La Source",
)


@dataclass(frozen=True)
class _Canteens:
    table: pd.DataFrame
    kind: IntArray  # index into CANTEEN_KINDS
    pattern_days: IntArray  # (canteen, week) service days


def make_canteens(n: int, territory: Territory, year: int, rng: np.random.Generator) -> _Canteens:
    """Place ``n`` canteens of the kinds of ``CANTEEN_KINDS`` in the towns of ``territory``,
    with their meals and service days.

    Parameters
    ----------
    n
        Number of canteens.
    territory
        The towns to place them in.
    year
        The calendar year (service days per ISO week).
    rng
        The random stream for canteens.

    Returns
    -------
    _Canteens
        The canteens table, each canteen's kind and its service days per ISO week.
    """
    counts = apportion(n, [k.share for k in CANTEEN_KINDS])
    kind = np.repeat(np.arange(len(CANTEEN_KINDS)), counts)
    town = np.empty(n, dtype=np.int64)
    meals = np.empty(n)
    five_days = np.zeros(n, dtype=bool)
    for i, spec in enumerate(CANTEEN_KINDS):
        members = np.flatnonzero(kind == i)
        if len(members) == 0:
            continue
        eligible = territory.population >= spec.min_population
        if not eligible.any():
            eligible[np.argmax(territory.population)] = True
        weight = np.where(eligible, territory.population**spec.weight_power, 0.0)
        town[members] = rng.choice(len(weight), size=len(members), p=weight / weight.sum())
        meals[members] = np.round(rng.uniform(*spec.meals, len(members))) * spec.occasions
        five_days[members] = rng.random(len(members)) < spec.five_day_share
    if territory.jitter_uniform:
        east, north = points_in_disc(rng, n, territory.radius_km[town])
    else:
        spread = territory.radius_km[town]
        east = np.clip(rng.normal(0, 1, n), -2.5, 2.5) * spread
        north = np.clip(rng.normal(0, 1, n), -2.5, 2.5) * spread
    lat, lon = offset_km(territory.lat[town], territory.lon[town], east, north)

    days = np.empty((n, iso_weeks_in_year(year)), dtype=np.int64)
    for i, spec in enumerate(CANTEEN_KINDS):
        for five in (False, True):
            members = (kind == i) & (five_days == five)
            if members.any():
                weekdays = (1, 2, 3, 4, 5) if five else spec.weekdays
                days[members] = service_days(year, weekdays, spec.school)

    titles = np.array([k.title for k in CANTEEN_KINDS], dtype=object)[kind]
    school_name = np.array(SCHOOL_NAMES, dtype=object)[rng.integers(0, len(SCHOOL_NAMES), n)]
    ehpad_name = np.array(EHPAD_NAMES, dtype=object)[rng.integers(0, len(EHPAD_NAMES), n)]
    keys = np.array([k.key for k in CANTEEN_KINDS], dtype=object)[kind]
    site_number = pd.Series(kind).groupby(kind).cumcount().to_numpy() + 1
    detail = np.where(keys == "ehpad", ehpad_name, school_name)
    detail = np.where(keys == "hospital", site_number.astype(str).astype(object), detail)
    names = np.where(keys == "central", titles, titles + " " + detail)
    names = names + ", " + territory.name[town]
    sectors = np.array([k.sector for k in CANTEEN_KINDS], dtype=object)[kind]
    table = pd.DataFrame(
        {
            "canteen_id": make_ids("C", n),
            "name": names,
            "lat": np.round(lat, 5),
            "lon": np.round(lon, 5),
            "insee": territory.insee[town],
            "sector": sectors,
            "meals_per_day": meals,
            "budget_eur_ht": np.full(n, np.nan),
            "target_quality": np.full(n, np.nan),
            "target_organic": np.full(n, np.nan),
            "target_meat_fish": np.full(n, np.nan),
        }
    )
    return _Canteens(table, kind, days)


def _fruit_veg_balance(products: pd.DataFrame, menu: BoolArray) -> FloatArray:
    """Monthly factor (12,) keeping fruit-and-vegetable kg per meal constant across the year.

    Canteens cook seasonal menus: when few products are in season they serve more of those.
    """
    fv = (products["family"] == "FRUITS_ET_LEGUMES").to_numpy() & (
        products["served_by"] == "all"
    ).to_numpy()
    per_meal = (products["servings_per_week"] * products["portion_kg_secondary"]).to_numpy()
    monthly = (per_meal[fv, None] * menu[fv]).sum(axis=0)
    return np.where(monthly > 0, monthly.mean() / np.where(monthly > 0, monthly, 1.0), 1.0)


def make_demand(
    canteens: _Canteens, products: pd.DataFrame, year: int, rng: np.random.Generator
) -> tuple[pd.DataFrame, FloatArray]:
    """Weekly demand rows, and the territory's demand by product and week (units).

    Parameters
    ----------
    canteens
        The canteens with their kinds and service days.
    products
        The scenario's products (``select_products``).
    year
        The calendar year.
    rng
        The random stream for demand.

    Returns
    -------
    demand : pandas.DataFrame
        One row per canteen × ISO week × product served: ``qty`` in the product's unit.
    totals : numpy.ndarray
        The territory's demand per product and ISO week, shape (products, weeks), units.
    """
    n_c, n_k = len(canteens.table), len(products)
    months = week_months(year)
    menu = np.stack([month_mask(t) for t in products["menu_months"]])  # (k, 12)
    fv_balance = _fruit_veg_balance(products, menu)
    is_fv = (products["family"] == "FRUITS_ET_LEGUMES").to_numpy()
    servings = products["servings_per_week"].to_numpy(dtype=float)
    kinds = canteens.kind
    primary = np.array([k.primary_portions for k in CANTEEN_KINDS])[kinds]
    care = np.isin(np.array([k.key for k in CANTEEN_KINDS])[kinds], ["ehpad", "hospital"])
    food = np.array([k.food_factor for k in CANTEEN_KINDS])[kinds]
    portion = (
        np.where(
            primary[:, None],
            products["portion_kg_primary"].to_numpy(dtype=float)[None, :],
            products["portion_kg_secondary"].to_numpy(dtype=float)[None, :],
        )
        * food[:, None]
    )
    served_by = products["served_by"].to_numpy(dtype=object)
    served = np.where(
        served_by == "care", care[:, None], np.where(served_by == "school", ~care[:, None], True)
    )
    staple = products["base_servings_per_week"].to_numpy(dtype=float) >= STAPLE_SERVINGS
    buys = served & (staple[None, :] | (rng.random((n_c, n_k)) < OPTIONAL_PRODUCT_PROBABILITY))
    preference = rng.uniform(0.8, 1.2, (n_c, n_k)) * buys
    # Keep each canteen's kg per meal by family: skipped products are replaced by the others.
    family_codes, _ = pd.factorize(products["family"])
    one_hot = np.eye(int(family_codes.max()) + 1)[family_codes]  # (k, family)
    yearly = servings * menu.mean(axis=1)  # servings per 5 meals, averaged over the year
    usual = (served * portion * yearly) @ one_hot
    chosen = (preference * portion * yearly) @ one_hot
    preference = preference * (usual / np.where(chosen > 0, chosen, 1.0))[:, family_codes]
    meals = canteens.table["meals_per_day"].to_numpy(dtype=float)
    kg_per_meal = meals[:, None] * portion * preference  # kg for one serving day
    kg_per_unit = products["kg_per_unit"].to_numpy(dtype=float)
    piece = (products["unit"] == "piece").to_numpy()

    rows_c, rows_k, rows_w, rows_q = [], [], [], []
    for w, month in enumerate(months):  # one year of weeks; arrays are canteen × product
        factor = servings * np.where(is_fv, fv_balance[month - 1], 1.0) * menu[:, month - 1]
        expected = canteens.pattern_days[:, w, None] / 5.0 * factor[None, :]
        draw = rng.random((n_c, n_k))
        count = np.where(expected >= 1.0, expected, (draw < expected).astype(float))
        qty = round_qty(kg_per_meal * count / kg_per_unit[None, :], piece[None, :])
        c, k = np.nonzero(qty > 0)
        rows_c.append(c)
        rows_k.append(k)
        rows_w.append(np.full(len(c), w))
        rows_q.append(qty[c, k])
    c = np.concatenate(rows_c)
    k = np.concatenate(rows_k)
    wk = np.concatenate(rows_w)
    q = np.concatenate(rows_q)
    order = np.lexsort((wk, k, c))
    c, k, wk, q = c[order], k[order], wk[order], q[order]
    weeks = np.array([week_label(year, i + 1) for i in range(len(months))], dtype=object)
    demand = pd.DataFrame(
        {
            "canteen_id": canteens.table["canteen_id"].to_numpy()[c],
            "product_id": products["product_id"].to_numpy(dtype=object)[k],
            "week": weeks[wk],
            "qty": q,
        }
    )
    totals = np.bincount(k * len(months) + wk, weights=q, minlength=n_k * len(months))
    return demand, np.asarray(totals, dtype=np.float64).reshape(n_k, len(months))


def add_budgets(
    canteens: pd.DataFrame, demand: pd.DataFrame, reference: pd.Series, rng: np.random.Generator
) -> pd.DataFrame:
    """About a third of canteens get a budget ≈ their demand at reference price × U(1.03, 1.15).

    Parameters
    ----------
    canteens
        The canteens table, one row per ``canteen_id``.
    demand
        Weekly demand rows (``canteen_id``, ``product_id``, ``qty``).
    reference
        Reference price per ``product_id``, EUR HT per unit.
    rng
        The random stream for budgets.

    Returns
    -------
    pandas.DataFrame
        ``canteens`` with ``budget_eur_ht`` (EUR HT for the year, rounded to 10; NaN when
        none).
    """
    value = demand["qty"].to_numpy() * demand["product_id"].map(reference).to_numpy(dtype=float)
    annual = pd.Series(value).groupby(demand["canteen_id"].to_numpy()).sum()
    cost = canteens["canteen_id"].map(annual).fillna(0.0).to_numpy(dtype=float)
    n = len(canteens)
    chosen = np.zeros(n, dtype=bool)
    chosen[rng.permutation(n)[: round(n / 3)]] = True
    budget = np.round(cost * rng.uniform(1.03, 1.15, n), -1)
    out = canteens.copy()
    out["budget_eur_ht"] = np.where(chosen & (cost > 0), budget, np.nan)
    return out
