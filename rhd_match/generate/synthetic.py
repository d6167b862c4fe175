"""Seeded synthetic scenarios, and the embedded Lens-Liévin demo.

:func:`generate_scenario` builds the five input tables of a plausible territory from two small
data files shipped with the package:

* ``data/catalogue.csv`` — ~40 products typical of northern-France canteens: family, unit,
  price ranges (EUR HT per unit, conventional and organic), months of local availability
  (``months``; ``stored_months`` the part supplied from storage), months on the menu
  (``menu_months``), raw portions (kg per meal, primary and secondary/adult) and servings per
  5-meal week;
* ``data/communes_call.csv`` — the 36 communes of the Communauté d'agglomération de
  Lens-Liévin (INSEE code, population 2021, centre coordinates).

Everything is drawn from one seed, vectorised over canteens, producers, products and ISO weeks
(the only Python loops run over a handful of canteen or producer kinds and over the weeks of
one year), so the "M" benchmark size (1,500 canteens × 1,000 producers × 60 products × one
year) takes seconds. The same arguments give identical tables, byte for byte once written.

Figures, sources and estimates are documented in ``docs/demo.md``. Run::

    python -m rhd_match.generate --demo          # rewrite rhd_match/data/demo/
    python -m rhd_match.generate --canteens 1500 --producers 1000 --products 60 --out DIR
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..egalim import FAMILIES, LABELS
from ..geo import haversine_km
from ..inputs.scenario import Scenario
from ..weeks import iso_weeks_in_year, week_label, week_month

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

TERRITORIES: tuple[str, ...] = ("lens-lievin", "synthetic")

#: Arguments of the embedded demo (``rhd_match/data/demo``); tests regenerate it from these.
DEMO_ARGUMENTS: dict[str, Any] = {
    "n_canteens": 63,
    "n_producers": 130,
    "n_products": None,
    "year": 2026,
    "seed": 62,
    "territory": "lens-lievin",
}

#: Population-weighted centre of the CALL (territory-and-prices.md §1), degrees.
LENS_CENTRE = (50.435, 2.813)
#: Boulogne-sur-Mer, France's first fishing port, ~92 km from Lens, degrees.
BOULOGNE = (50.726, 1.615)
#: Centre of the ~100 km × 100 km synthetic territory (somewhere in northern France), degrees.
SYNTHETIC_CENTRE = (50.30, 2.90)
SYNTHETIC_SIDE_KM = 100.0
CANTEENS_PER_TOWN = 40
KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON_EQUATOR = 111.320

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
OPTIONAL_PRODUCT_PROBABILITY = 0.85  # chance a canteen ever buys a non-staple product
STAPLE_SERVINGS = 0.5  # servings per 5 meals from which every canteen buys a product
#: Labels ma cantine marks "not applicable" outside some families (egalim.md): label → the
#: families where a producer's label is put on its offers.
FAMILIES_ALLOWING: dict[str, tuple[str, ...]] = {
    "LABEL_ROUGE": tuple(f for f in FAMILIES if f != "BOISSONS"),
    "PECHE_DURABLE": ("PRODUITS_DE_LA_MER",),
    "FERMIER": ("VIANDES_VOLAILLES", "CHARCUTERIE", "PRODUITS_LAITIERS"),
}


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


# -- static data ------------------------------------------------------------------------------


def load_catalogue() -> pd.DataFrame:
    """The product catalogue (``data/catalogue.csv``); prices in EUR HT per unit."""
    with resources.as_file(resources.files("rhd_match") / "data" / "catalogue.csv") as path:
        frame = pd.read_csv(path, keep_default_na=False, dtype={"estimate": str})
    return frame


def load_communes() -> pd.DataFrame:
    """The 36 communes of the CALL: INSEE code, name, population 2021, lat, lon (degrees)."""
    with resources.as_file(resources.files("rhd_match") / "data" / "communes_call.csv") as path:
        return pd.read_csv(path, dtype={"insee": str})


def month_mask(text: str) -> BoolArray:
    """``"1-5,7-12"`` → boolean array of 12 months (index 0 = January); empty text → none."""
    mask = np.zeros(12, dtype=bool)
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            continue
        first, _, last = part.partition("-")
        mask[int(first) - 1 : int(last or first)] = True
    return mask


# -- calendar ---------------------------------------------------------------------------------


def _easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def public_holidays(year: int) -> list[dt.date]:
    """French public holidays of ``year``, plus the Friday after Ascension (no school)."""
    easter = _easter(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    moving = [easter + dt.timedelta(days=n) for n in (1, 39, 40, 50)]
    return [dt.date(year, m, d) for m, d in fixed] + moving


#: Zone B school holidays (académie de Lille), first and last day without school. 2025-26 from
#: the national calendar; 2026-27 approximated (Toussaint and Christmas only matter for 2026).
SCHOOL_HOLIDAYS_ZONE_B: tuple[tuple[dt.date, dt.date], ...] = (
    (dt.date(2024, 12, 21), dt.date(2025, 1, 5)),
    (dt.date(2025, 2, 8), dt.date(2025, 2, 23)),
    (dt.date(2025, 4, 5), dt.date(2025, 4, 21)),
    (dt.date(2025, 7, 5), dt.date(2025, 8, 31)),
    (dt.date(2025, 10, 18), dt.date(2025, 11, 2)),
    (dt.date(2025, 12, 20), dt.date(2026, 1, 4)),
    (dt.date(2026, 2, 14), dt.date(2026, 3, 1)),
    (dt.date(2026, 4, 11), dt.date(2026, 4, 26)),
    (dt.date(2026, 7, 4), dt.date(2026, 8, 31)),
    (dt.date(2026, 10, 17), dt.date(2026, 11, 1)),
    (dt.date(2026, 12, 19), dt.date(2027, 1, 3)),
)
_KNOWN_CALENDAR_YEARS = (2025, 2026)


def _approximate_holidays(year: int) -> list[tuple[dt.date, dt.date]]:
    """Zone-B-like school holidays for a year without a known calendar (rule of thumb)."""

    def week_range(y: int, week: int, weeks: int) -> tuple[dt.date, dt.date]:
        start = dt.date.fromisocalendar(y, week, 1) - dt.timedelta(days=2)
        return start, start + dt.timedelta(days=7 * weeks + 1)

    eve = dt.date(year, 12, 24)
    christmas_start = eve - dt.timedelta(days=(eve.weekday() - 5) % 7)  # the Saturday before
    return [
        (dt.date(year - 1, 12, 20), dt.date(year, 1, 3)),
        week_range(year, 8, 2),
        week_range(year, 16, 2),
        (dt.date(year, 7, 4), dt.date(year, 8, 31)),
        week_range(year, 43, 2),
        (christmas_start, dt.date(year + 1, 1, 3)),
    ]


def school_closed(dates: Sequence[dt.date], year: int) -> BoolArray:
    """Whether schools are closed on each date: zone B holidays, public holidays."""
    ranges = (
        list(SCHOOL_HOLIDAYS_ZONE_B)
        if year in _KNOWN_CALENDAR_YEARS
        else _approximate_holidays(year)
    )
    days = np.array(dates, dtype="datetime64[D]")
    closed = np.zeros(len(days), dtype=bool)
    for first, last in ranges:
        closed |= (days >= np.datetime64(first)) & (days <= np.datetime64(last))
    holidays = np.array(
        public_holidays(year - 1) + public_holidays(year) + public_holidays(year + 1),
        dtype="datetime64[D]",
    )
    return closed | np.isin(days, holidays)


def service_days(year: int, weekdays: tuple[int, ...], school: bool) -> IntArray:
    """Service days in each ISO week of ``year`` for a canteen open on ``weekdays`` (1 = Mon)."""
    n_weeks = iso_weeks_in_year(year)
    dates = [dt.date.fromisocalendar(year, w, d) for w in range(1, n_weeks + 1) for d in weekdays]
    open_day = np.array([d.year == year for d in dates])  # EGalim counts the calendar year
    if school:
        open_day &= ~school_closed(dates, year)
    days: IntArray = open_day.reshape(n_weeks, len(weekdays)).sum(axis=1).astype(np.int64)
    return days


def week_months(year: int) -> IntArray:
    """Month (1–12) of each ISO week of ``year`` (:func:`~rhd_match.weeks.week_month`)."""
    weeks = pd.Series([week_label(year, w) for w in range(1, iso_weeks_in_year(year) + 1)])
    months: IntArray = week_month(weeks).to_numpy(np.int64)
    return months


# -- helpers ----------------------------------------------------------------------------------


def apportion(total: int, shares: Sequence[float]) -> IntArray:
    """Split ``total`` into integer counts proportional to ``shares`` (largest remainder)."""
    weights = np.asarray(shares, dtype=float)
    exact = total * weights / weights.sum()
    counts = np.floor(exact + 1e-9).astype(np.int64)
    remainder = total - int(counts.sum())
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:remainder]] += 1
    out: IntArray = counts
    return out


def _offset(
    lat: FloatArray, lon: FloatArray, east_km: FloatArray, north_km: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Move points by km east and north (local flat approximation, fine below ~100 km)."""
    new_lat = lat + north_km / KM_PER_DEG_LAT
    new_lon = lon + east_km / (KM_PER_DEG_LON_EQUATOR * np.cos(np.radians(lat)))
    return new_lat, new_lon


def _disc(
    rng: np.random.Generator, n: int, radius_km: float | FloatArray
) -> tuple[FloatArray, FloatArray]:
    """``n`` uniform points in a disc of ``radius_km`` (east, north offsets in km)."""
    r = radius_km * np.sqrt(rng.random(n))
    theta = 2 * np.pi * rng.random(n)
    return r * np.cos(theta), r * np.sin(theta)


def _numbers(n: int, width: int = 3) -> pd.Series:
    """``"001"``, ``"002"``, ... (at least ``width`` digits), vectorised."""
    width = max(width, len(str(n)))
    return pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(width)


def _ids(prefix: str, n: int) -> NDArray[np.object_]:
    """``prefix001``, ``prefix002``, ... as an object array."""
    return (prefix + _numbers(n)).to_numpy(dtype=object)


def _round_price(price: FloatArray) -> FloatArray:
    """Cents above 1 EUR, tenths of a cent below (eggs, yogurt pots)."""
    return np.where(price < 1.0, np.round(price, 3), np.round(price, 2))


def _round_qty(qty: FloatArray, piece: BoolArray) -> FloatArray:
    """Whole pieces, tenths of a kg or litre."""
    return np.where(piece, np.round(qty), np.round(qty, 1))


# -- territory --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Territory:
    """Towns where canteens are placed (centres in degrees, radius of the built area in km)."""

    insee: NDArray[np.object_]
    name: NDArray[np.object_]
    population: FloatArray
    lat: FloatArray
    lon: FloatArray
    radius_km: FloatArray
    centre: tuple[float, float]
    hub_ids: NDArray[np.object_]  # per town
    jitter_uniform: bool  # uniform disc (real communes) or Gaussian spread (synthetic towns)


def _territory(name: str, n_canteens: int, rng: np.random.Generator) -> _Territory:
    if name == "lens-lievin":
        communes = load_communes()
        n = len(communes)
        return _Territory(
            insee=communes["insee"].to_numpy(dtype=object),
            name=communes["name"].to_numpy(dtype=object),
            population=communes["population"].to_numpy(dtype=float),
            lat=communes["lat"].to_numpy(dtype=float),
            lon=communes["lon"].to_numpy(dtype=float),
            radius_km=np.full(n, 1.0),
            centre=LENS_CENTRE,
            hub_ids=np.full(n, "MIL-CALL", dtype=object),
            jitter_uniform=True,
        )
    k = max(1, round(n_canteens / CANTEENS_PER_TOWN))
    half = SYNTHETIC_SIDE_KM / 2
    east, north = rng.uniform(-half, half, k), rng.uniform(-half, half, k)
    lat, lon = _offset(
        np.full(k, SYNTHETIC_CENTRE[0]), np.full(k, SYNTHETIC_CENTRE[1]), east, north
    )
    population = np.round(2000.0 * (1.0 + rng.pareto(1.2, k)))
    population = np.minimum(population, 150_000.0)
    town_names = np.array([f"Commune {i:03d}" for i in range(1, k + 1)], dtype=object)
    return _Territory(
        insee=np.full(k, None, dtype=object),
        name=town_names,
        population=population,
        lat=lat,
        lon=lon,
        radius_km=1.0 + 3.0 * np.sqrt(population / population.max()),
        centre=SYNTHETIC_CENTRE,
        hub_ids=np.array([f"MIL-{i:03d}" for i in range(1, k + 1)], dtype=object),
        jitter_uniform=False,
    )


# -- products ---------------------------------------------------------------------------------


def select_products(catalogue: pd.DataFrame, n_products: int | None) -> pd.DataFrame:
    """The products of a scenario, with columns ``base_id`` and split ``servings_per_week``.

    ``None`` keeps the catalogue. Fewer products keep the largest by yearly value per meal;
    more add variants (``carrot_2``, ...) of the largest products, which share the servings of
    their base product so that the food per meal stays the same.
    """
    base = catalogue.copy()
    base["base_id"] = base["product_id"]
    base["base_servings_per_week"] = base["servings_per_week"]
    if n_products is None or n_products == len(base):
        return base.reset_index(drop=True)
    if n_products < 1:
        raise ValueError("n_products must be ≥ 1")
    ref = (base["conv_price_low"] + base["conv_price_high"]) / 2 / base["kg_per_unit"]
    months_on_menu = base["menu_months"].map(lambda t: int(month_mask(t).sum()))
    weight = base["servings_per_week"] * base["portion_kg_secondary"] * months_on_menu * ref
    order = np.argsort(-weight.to_numpy(), kind="stable")
    if n_products < len(base):
        return base.iloc[np.sort(order[:n_products])].reset_index(drop=True)
    extra = n_products - len(base)
    source = order[np.arange(extra) % len(base)]
    copies = np.bincount(source, minlength=len(base)) + 1
    variants = base.iloc[source].copy()
    number = (pd.Series(source).groupby(source).cumcount() + 2).astype(str).to_numpy()
    variants["product_id"] = variants["base_id"].to_numpy(dtype=object) + "_" + number
    variants["name"] = variants["name"].to_numpy(dtype=object) + " (variant " + number + ")"
    out = pd.concat([base, variants], ignore_index=True)
    share = 1.0 / copies[np.concatenate([np.arange(len(base)), source])]
    out["servings_per_week"] = out["servings_per_week"] * share
    return out


def _products_table(products: pd.DataFrame) -> pd.DataFrame:
    reference = (products["conv_price_low"] + products["conv_price_high"]) / 2
    return pd.DataFrame(
        {
            "product_id": products["product_id"].to_numpy(dtype=object),
            "name": products["name"].to_numpy(dtype=object),
            "family": products["family"].to_numpy(dtype=object),
            "unit": products["unit"].to_numpy(dtype=object),
            "kg_per_unit": products["kg_per_unit"].to_numpy(dtype=float),
            "reference_price_eur_ht": _round_price(reference.to_numpy(dtype=float)),
        }
    )


# -- canteens and demand ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Canteens:
    table: pd.DataFrame
    kind: IntArray  # index into CANTEEN_KINDS
    pattern_days: IntArray  # (canteen, week) service days


def _make_canteens(n: int, territory: _Territory, year: int, rng: np.random.Generator) -> _Canteens:
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
        east, north = _disc(rng, n, territory.radius_km[town])
    else:
        spread = territory.radius_km[town]
        east = np.clip(rng.normal(0, 1, n), -2.5, 2.5) * spread
        north = np.clip(rng.normal(0, 1, n), -2.5, 2.5) * spread
    lat, lon = _offset(territory.lat[town], territory.lon[town], east, north)

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
            "canteen_id": _ids("C", n),
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


def _make_demand(
    canteens: _Canteens, products: pd.DataFrame, year: int, rng: np.random.Generator
) -> tuple[pd.DataFrame, FloatArray]:
    """Weekly demand rows, and the territory's demand by product and week (units)."""
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
        qty = _round_qty(kg_per_meal * count / kg_per_unit[None, :], piece[None, :])
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


def _add_budgets(
    canteens: pd.DataFrame, demand: pd.DataFrame, reference: pd.Series, rng: np.random.Generator
) -> pd.DataFrame:
    """About a third of canteens get a budget ≈ their demand at reference price × U(1.03, 1.15)."""
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


# -- producers and offers ---------------------------------------------------------------------


def _place_producers(
    kind: IntArray, territory: _Territory, name: str, rng: np.random.Generator
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
        lat, lon = _offset(c_lat, c_lon, distance * np.cos(theta), distance * np.sin(theta))
        town = rng.integers(0, len(territory.lat), n)
        east, north = _disc(rng, n, 2.0)
        in_lat, in_lon = _offset(territory.lat[town], territory.lon[town], east, north)
        lat, lon = np.where(inside, in_lat, lat), np.where(inside, in_lon, lon)
        east, north = _disc(rng, n, 2.0)
        port_lat, port_lon = _offset(np.full(n, BOULOGNE[0]), np.full(n, BOULOGNE[1]), east, north)
        lat, lon = np.where(fish, port_lat, lat), np.where(fish, port_lon, lon)
        from_centre = haversine_km(lat, lon, c_lat, c_lon)
        radius = np.clip(from_centre + rng.uniform(0.0, 20.0, n), 15.0, 60.0)
        far_reach = from_centre + 14.0 + rng.uniform(5.0, 20.0, n)  # whole CALL is ≤ 14 km
        radius = np.where(reach_all, far_reach, radius)
    else:
        half = SYNTHETIC_SIDE_KM / 2 + 10.0
        east, north = rng.uniform(-half, half, n), rng.uniform(-half, half, n)
        east = np.where(fish, -half - rng.uniform(0.0, 10.0, n), east)  # the coast, to the west
        lat, lon = _offset(c_lat, c_lon, east, north)
        radius = np.where(reach_all, rng.uniform(80.0, 120.0, n), rng.uniform(15.0, 60.0, n))
    return np.round(lat, 5), np.round(lon, 5), np.round(radius, 1)


def _producer_labels(kind: IntArray, rng: np.random.Generator) -> BoolArray:
    """(producer, label) flags in :data:`LABELS` order; organic producers carry BIO."""
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
    """Bitmasks over :data:`LABELS` → canonical labels cells (``"BIO,AOCAOP"``)."""
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
    return _round_price(price * np.where(premium, rng.uniform(1.05, 1.3, len(k)), 1.0))


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

    Per product, the slots together offer :data:`SUPPLY_COVERAGE` × ``supply_factor`` × the
    territory's mean weekly demand over the product's local months, shared in proportion to
    ``weight``; × :data:`STORED_SUPPLY_FACTOR` in storage months, × U(0.85, 1.15) week to
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
    qty = _round_qty(full_season[:, None] * season[k] * noise, piece[:, None])
    return np.where(available, qty, 0.0)


def _producers_table(
    kind: IntArray,
    lat: FloatArray,
    lon: FloatArray,
    radius: FloatArray,
    peak_kg: FloatArray,
    territory: _Territory,
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
            "producer_id": _ids("P", n),
            "name": titles + " " + _numbers(n).to_numpy(dtype=object),
            "lat": lat,
            "lon": lon,
            "delivery_capacity_kg_per_week": capacity,
            "max_drops_per_week": drops.astype(np.int64),
            "delivery_radius_km": radius,
            "min_order_eur_ht": min_order,
            "hub_id": hub,
        }
    )


def _make_supply(
    n: int,
    territory: _Territory,
    territory_name: str,
    products: pd.DataFrame,
    demand_totals: FloatArray,
    year: int,
    supply_factor: float,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Producers and their weekly offers, calibrated on the territory's demand."""
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


# -- entry point ------------------------------------------------------------------------------


def generate_frames(
    n_canteens: int,
    n_producers: int,
    n_products: int | None = None,
    year: int = 2026,
    seed: int = 0,
    territory: str = "lens-lievin",
    supply_factor: float = 1.0,
) -> dict[str, pd.DataFrame]:
    """The five input tables of :func:`generate_scenario`, not yet validated."""
    if territory not in TERRITORIES:
        raise ValueError(f"territory must be one of {', '.join(TERRITORIES)}, not {territory!r}")
    if n_canteens < 1 or n_producers < 1:
        raise ValueError("n_canteens and n_producers must be ≥ 1")
    streams = np.random.SeedSequence(seed).spawn(5)
    rng_place, rng_canteen, rng_demand, rng_budget, rng_supply = (
        np.random.default_rng(s) for s in streams
    )
    products = select_products(load_catalogue(), n_products)
    where = _territory(territory, n_canteens, rng_place)
    canteens = _make_canteens(n_canteens, where, year, rng_canteen)
    demand, totals = _make_demand(canteens, products, year, rng_demand)
    table = _products_table(products)
    reference = table.set_index("product_id")["reference_price_eur_ht"]
    canteen_table = _add_budgets(canteens.table, demand, reference, rng_budget)
    producers, offers = _make_supply(
        n_producers, where, territory, products, totals, year, supply_factor, rng_supply
    )
    return {
        "products": table,
        "canteens": canteen_table,
        "producers": producers,
        "offers": offers,
        "demand": demand,
    }


def generate_scenario(
    n_canteens: int,
    n_producers: int,
    n_products: int | None = None,
    year: int = 2026,
    seed: int = 0,
    territory: str = "lens-lievin",
    *,
    supply_factor: float = 1.0,
) -> Scenario:
    """A seeded synthetic scenario over every ISO week of ``year``.

    Parameters
    ----------
    n_canteens, n_producers:
        Number of canteens and producers. Canteens follow the mix of the Lens-Liévin demo
        (≈ 63 % primary schools, 16 % collèges, 6 % lycées, 10 % EHPAD, 3 % hospital sites,
        2 % central kitchens); producers a mix of market gardeners, field-vegetable growers,
        orchards, dairies, egg, livestock and poultry farms, bakeries, pulse growers, a
        frozen-vegetable co-operative and a fishing co-operative.
    n_products:
        ``None`` for the whole catalogue (~40 products); fewer keep the largest by value; more
        add variants (``carrot_2``) sharing their base product's servings.
    year:
        Calendar year; weeks are ISO weeks ``YYYY-Www`` of that year.
    seed:
        Seed of every random draw: the same arguments give identical tables.
    territory:
        ``"lens-lievin"``: canteens in the 36 real communes of the CALL (by population, ≤ 1 km
        from the commune centre, with INSEE codes), producers 5–60 km around Lens, a fishing
        co-operative in Boulogne-sur-Mer. ``"synthetic"``: canteens clustered around one town
        per ~40 canteens in a 100 km × 100 km square, producers spread over it.
    supply_factor:
        Multiplies every offered quantity (1.0: local supply covers about half of the fruit
        and vegetables in season, less of the meat).

    Returns
    -------
    Scenario
        Validated with :meth:`Scenario.from_frames`. Demand and offer quantities are in the
        product's unit (kg, l or piece), prices in EUR HT per unit, capacities in kg per week,
        radii in km, budgets in EUR HT over the year.
    """
    frames = generate_frames(
        n_canteens, n_producers, n_products, year, seed, territory, supply_factor
    )
    return Scenario.from_frames(
        products=frames["products"],
        canteens=frames["canteens"],
        producers=frames["producers"],
        offers=frames["offers"],
        demand=frames["demand"],
    )


def demo_folder() -> Path:
    """Folder of the embedded demo inside the package source tree."""
    return Path(__file__).resolve().parent / "data" / "demo"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m rhd_match.generate``: write a generated scenario (CSV) to a folder."""
    parser = argparse.ArgumentParser(
        prog="python -m rhd_match.generate",
        description="Generate a seeded synthetic scenario (CSV files and parameters.json).",
    )
    parser.add_argument(
        "--demo", action="store_true", help=f"regenerate the embedded demo in {demo_folder()}"
    )
    parser.add_argument("--canteens", type=int, default=63)
    parser.add_argument("--producers", type=int, default=130)
    parser.add_argument("--products", type=int, default=None, help="default: the whole catalogue")
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--territory",
        choices=TERRITORIES,
        default=None,
        help="default: lens-lievin up to 200 canteens, synthetic above",
    )
    parser.add_argument("--supply-factor", type=float, default=1.0)
    parser.add_argument("--out", type=Path, help="output folder")
    args = parser.parse_args(argv)
    if args.demo:
        scenario = generate_scenario(**DEMO_ARGUMENTS)
        out = demo_folder()
    else:
        if args.out is None:
            parser.error("give --out DIR (or --demo)")
        territory = args.territory or ("lens-lievin" if args.canteens <= 200 else "synthetic")
        scenario = generate_scenario(
            args.canteens,
            args.producers,
            args.products,
            args.year,
            args.seed,
            territory,
            supply_factor=args.supply_factor,
        )
        out = args.out
    scenario.to_folder(out)
    print(f"{scenario!r} written to {out}")
    for warning in scenario.warnings:
        print(warning)
    return 0
