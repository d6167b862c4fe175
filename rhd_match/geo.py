"""Distances between points given by latitude and longitude (degrees, WGS84)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

EARTH_RADIUS_KM = 6371.0088


def haversine_km(
    lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> NDArray[np.float64]:
    """Great-circle (straight-line) distance in km, broadcast over arrays.

    Parameters
    ----------
    lat1, lon1
        First points, degrees (WGS84).
    lat2, lon2
        Second points, degrees (WGS84), broadcast against the first.

    Returns
    -------
    numpy.ndarray
        Distances in km (float64), on a sphere of radius ``EARTH_RADIUS_KM``.

    References
    ----------
    The haversine formula; mean Earth radius 6371.0088 km (IUGG).
    """
    p1, p2 = np.radians(np.asarray(lat1, float)), np.radians(np.asarray(lat2, float))
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2, float) - np.asarray(lon1, float))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), float)
