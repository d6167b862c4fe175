"""The products of a scenario, from the catalogue shipped with the package
(``data/catalogue.csv``: families, units, price ranges, months of local availability).
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

from .draw import BoolArray, round_price


def load_catalogue() -> pd.DataFrame:
    """The product catalogue (``data/catalogue.csv``); prices in EUR HT per unit.

    Returns
    -------
    pandas.DataFrame
        One row per catalogue ``product_id``, as in the file (``estimate`` as text).
    """
    with resources.as_file(resources.files("rhd_match") / "data" / "catalogue.csv") as path:
        frame = pd.read_csv(path, keep_default_na=False, dtype={"estimate": str})
    return frame


def month_mask(text: str) -> BoolArray:
    """``"1-5,7-12"`` → boolean array of 12 months (index 0 = January); empty text → none.

    Parameters
    ----------
    text
        Month ranges, 1 = January.

    Returns
    -------
    numpy.ndarray
        Bool per month, shape (12,).
    """
    mask = np.zeros(12, dtype=bool)
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            continue
        first, _, last = part.partition("-")
        mask[int(first) - 1 : int(last or first)] = True
    return mask


def select_products(catalogue: pd.DataFrame, n_products: int | None) -> pd.DataFrame:
    """The products of a scenario, with columns ``base_id`` and split ``servings_per_week``.

    ``None`` keeps the catalogue. Fewer products keep the largest by yearly value per meal;
    more add variants (``carrot_2``, ...) of the largest products, which share the servings of
    their base product so that the food per meal stays the same.

    Parameters
    ----------
    catalogue
        The product catalogue (``load_catalogue``).
    n_products
        Number of products wanted; None for the catalogue as it is.

    Returns
    -------
    pandas.DataFrame
        One row per chosen ``product_id``.
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


def products_table(products: pd.DataFrame) -> pd.DataFrame:
    """The scenario's ``products`` table from the chosen catalogue rows; the reference price is
    the middle of the conventional price range, rounded.

    Parameters
    ----------
    products
        The chosen catalogue rows (``select_products``).

    Returns
    -------
    pandas.DataFrame
        One row per ``product_id``: name, family, unit, ``kg_per_unit`` and
        ``reference_price_eur_ht`` (EUR HT per unit).
    """
    reference = (products["conv_price_low"] + products["conv_price_high"]) / 2
    return pd.DataFrame(
        {
            "product_id": products["product_id"].to_numpy(dtype=object),
            "name": products["name"].to_numpy(dtype=object),
            "family": products["family"].to_numpy(dtype=object),
            "unit": products["unit"].to_numpy(dtype=object),
            "kg_per_unit": products["kg_per_unit"].to_numpy(dtype=float),
            "reference_price_eur_ht": round_price(reference.to_numpy(dtype=float)),
        }
    )
