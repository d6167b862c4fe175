"""The demo's market table: organic and labelled ranges of non-local suppliers.

Four suppliers, every price the product's reference price times a premium (EUR HT per unit,
rounded to the cent), all estimates from public orders of magnitude (sources and reasoning in
``docs/demo.md``, *Market supply*):

* a regional wholesaler's organic range (``BIO``), every product of the catalogue, all year,
  at +20 % — the average extra cost of organic purchases that canteens declare (Agence Bio's
  surveys of collective catering: +21 % in 2010, about +20 % for 86 % of establishments in
  2015);
* a poultry and meat supplier's Label Rouge range (``LABEL_ROUGE``) on the meat family
  (beef, pork, chicken) and cooked ham, all year, at +30 %;
* a fish wholesaler's sustainable-fishing range (``PECHE_DURABLE``, the ecolabel MSC counts
  as), all year, at +10 %;
* a regional platform's HVE fruit and vegetables, in the months the catalogue says they
  grow locally (one row per season), at +5 %;
* and the Région's organic procurement lot for secondary schools (collèges and lycées
  only): organic dairy products at +15 %, at most half the lot's canteens' average weekly
  demand a week.

Deterministic: no random draw; the same products, canteens and demand give the same table.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..weeks import week_label
from .products import month_mask

#: Premium over the reference price per range (fractions; estimates, see the module docstring).
ORGANIC_PREMIUM = 0.20
LABEL_ROUGE_PREMIUM = 0.30
SUSTAINABLE_FISHING_PREMIUM = 0.10
HVE_PREMIUM = 0.05
LOT_PREMIUM = 0.15

SECONDARY_SECTORS = ("education_secondaire_college", "education_secondaire_lycee")
COLUMNS = (
    "market_id",
    "supplier_id",
    "supplier_name",
    "product_id",
    "labels",
    "price_eur_ht",
    "first_week",
    "last_week",
    "max_qty_per_week",
    "canteen_ids",
    "origin",
)


def make_market(
    products: pd.DataFrame,
    catalogue: pd.DataFrame,
    canteens: pd.DataFrame,
    demand: pd.DataFrame,
    year: int,
) -> pd.DataFrame:
    """The demo's market table (columns of ``docs/input-format.md``, ``market``).

    Parameters
    ----------
    products
        The products table (``product_id``, ``family``, ``reference_price_eur_ht`` in EUR HT
        per unit).
    catalogue
        The catalogue rows of those products (``months`` of local growth).
    canteens
        The canteens table (``canteen_id``, ``sector``).
    demand
        The demand table (product unit per canteen, product and ISO week).
    year
        Calendar year of the ISO weeks.

    Returns
    -------
    pandas.DataFrame
        One row per market option; prices in EUR HT per unit, weekly limits in product
        units.
    """
    ref = products.set_index("product_id")["reference_price_eur_ht"]
    family = products.set_index("product_id")["family"]
    ids = products["product_id"].to_numpy(dtype=object)
    rows: list[dict[str, object]] = []

    def add(prefix: str, supplier: str, name: str, product: str, labels: str, premium: float,
            origin: str | None, **more: object) -> None:  # fmt: skip
        row = {
            "market_id": f"{prefix}_{product}",
            "supplier_id": supplier,
            "supplier_name": name,
            "product_id": product,
            "labels": labels,
            "price_eur_ht": round(float(ref[product]) * (1.0 + premium), 2),
            "origin": origin,
        }
        rows.append(row | more)

    for product in ids:
        add("BIO", "GROSSISTE_BIO", "Grossiste régional, gamme bio", product, "BIO",
            ORGANIC_PREMIUM, "FRANCE")  # fmt: skip
    for product in ids:
        if family[product] in ("VIANDES_VOLAILLES", "CHARCUTERIE"):
            add("LR", "VIANDES_LR", "Volailles et viandes Label Rouge", product, "LABEL_ROUGE",
                LABEL_ROUGE_PREMIUM, "FRANCE")  # fmt: skip
        elif family[product] == "PRODUITS_DE_LA_MER":
            add("MSC", "MAREE_DURABLE", "Marée, pêche durable", product, "PECHE_DURABLE",
                SUSTAINABLE_FISHING_PREMIUM, "FRANCE")  # fmt: skip
    months = catalogue.set_index("product_id")["months"]
    for product in ids:
        if family[product] != "FRUITS_ET_LEGUMES":
            continue
        for i, (first, last) in enumerate(_seasons(str(months.get(product, "")))):
            add(f"HVE{i + 1}", "PLATEFORME_HVE", "Plateforme régionale, légumes et fruits HVE",
                product, "HVE", HVE_PREMIUM, "FRANCE",
                first_week=_first_week(year, first), last_week=_last_week(year, last))  # fmt: skip
    secondary = canteens.loc[canteens["sector"].isin(SECONDARY_SECTORS), "canteen_id"]
    if len(secondary):
        lot_demand = demand[demand["canteen_id"].isin(secondary)]
        weekly = lot_demand.groupby(["product_id", "week"])["qty"].sum().groupby(level=0).mean()
        for product in ids:
            if family[product] == "PRODUITS_LAITIERS" and product in weekly.index:
                add("LOT", "LOT_REGION_BIO", "Lot bio de la Région (collèges et lycées)",
                    product, "BIO", LOT_PREMIUM, "FRANCE",
                    max_qty_per_week=float(np.ceil(weekly[product] / 2)),
                    canteen_ids=",".join(secondary))  # fmt: skip
    return pd.DataFrame(rows).reindex(columns=list(COLUMNS))


def _seasons(months: str) -> list[tuple[int, int]]:
    """Contiguous runs of months (1–12) of a ``months`` cell, in calendar order."""
    mask = month_mask(months)
    runs, start = [], None
    for m in range(12):
        if mask[m] and start is None:
            start = m + 1
        if not mask[m] and start is not None:
            runs.append((start, m))
            start = None
    if start is not None:
        runs.append((start, 12))
    return runs


def _first_week(year: int, month: int) -> str:
    """ISO week of the 1st of ``month`` (within ``year``'s weeks)."""
    iso = dt.date(year, month, 1).isocalendar()
    return week_label(year, 1) if iso.year < year else week_label(iso.year, iso.week)


def _last_week(year: int, month: int) -> str:
    """ISO week of the last day of ``month`` (within ``year``'s weeks)."""
    last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    iso = last.isocalendar()
    if iso.year > year:  # the last days of December in week 1 of next year
        iso = (last - dt.timedelta(days=7)).isocalendar()
    return week_label(iso.year, iso.week)
