"""Shared by the generators: array types, integer apportioning, offsets on the map, ids and
the rounding of prices and quantities.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON_EQUATOR = 111.320


def apportion(total: int, shares: Sequence[float]) -> IntArray:
    """Split ``total`` into integer counts proportional to ``shares`` (largest remainder).

    Parameters
    ----------
    total
        The whole to split.
    shares
        Relative shares, any positive scale.

    Returns
    -------
    numpy.ndarray
        Counts summing to ``total``, one per share.
    """
    weights = np.asarray(shares, dtype=float)
    exact = total * weights / weights.sum()
    counts = np.floor(exact + 1e-9).astype(np.int64)
    remainder = total - int(counts.sum())
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:remainder]] += 1
    out: IntArray = counts
    return out


def offset_km(
    lat: FloatArray, lon: FloatArray, east_km: FloatArray, north_km: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Move points by km east and north (local flat approximation, fine below ~100 km).

    Parameters
    ----------
    lat, lon
        Points, degrees.
    east_km, north_km
        Offsets, km, of the same shape.

    Returns
    -------
    lat, lon : numpy.ndarray
        The moved points, degrees.
    """
    new_lat = lat + north_km / KM_PER_DEG_LAT
    new_lon = lon + east_km / (KM_PER_DEG_LON_EQUATOR * np.cos(np.radians(lat)))
    return new_lat, new_lon


def points_in_disc(
    rng: np.random.Generator, n: int, radius_km: float | FloatArray
) -> tuple[FloatArray, FloatArray]:
    """``n`` uniform points in a disc of ``radius_km`` (east, north offsets in km).

    Parameters
    ----------
    rng
        The random stream.
    n
        Number of points.
    radius_km
        The disc's radius, km, one for all or one per point.

    Returns
    -------
    east, north : numpy.ndarray
        Offsets from the disc's centre, km, shape (n,).
    """
    r = radius_km * np.sqrt(rng.random(n))
    theta = 2 * np.pi * rng.random(n)
    return r * np.cos(theta), r * np.sin(theta)


def numbers(n: int, width: int = 3) -> pd.Series:
    """``"001"``, ``"002"``, ... (at least ``width`` digits), vectorised.

    Parameters
    ----------
    n
        How many.
    width
        Least number of digits.

    Returns
    -------
    pandas.Series
        ``n`` strings, from 1.
    """
    width = max(width, len(str(n)))
    return pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(width)


def make_ids(prefix: str, n: int) -> NDArray[np.object_]:
    """``prefix001``, ``prefix002``, ... as an object array.

    Parameters
    ----------
    prefix
        The ids' prefix.
    n
        Number of ids.

    Returns
    -------
    numpy.ndarray
        ``n`` ids.
    """
    return (prefix + numbers(n)).to_numpy(dtype=object)


def round_price(price: FloatArray) -> FloatArray:
    """Cents above 1 EUR, tenths of a cent below (eggs, yogurt pots).

    Parameters
    ----------
    price
        Prices, EUR HT per unit.

    Returns
    -------
    numpy.ndarray
        The rounded prices.
    """
    return np.where(price < 1.0, np.round(price, 3), np.round(price, 2))


def round_qty(qty: FloatArray, piece: BoolArray) -> FloatArray:
    """Whole pieces, tenths of a kg or litre.

    Parameters
    ----------
    qty
        Quantities in each product's unit.
    piece
        True where the unit is a piece.

    Returns
    -------
    numpy.ndarray
        The rounded quantities.
    """
    return np.where(piece, np.round(qty), np.round(qty, 1))
