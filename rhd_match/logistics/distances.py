"""Road distances of the delivery tours: the scenario's ``distances`` table where it gives a
pair, the straight line times the road factor elsewhere.

A pair given one way (``from_id`` → ``to_id``) serves both ways unless the other way is given
too; a pair without ``minutes`` is driven at ``LogisticsOptions.speed_kmh``. Pairs not given
fall back to great-circle km × ``road_factor`` (``docs/logistics.md``, *Distances*).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..params import LogisticsOptions
from .routing import Roads


def given_roads(distances: pd.DataFrame) -> dict[tuple[str, str], tuple[float, float]]:
    """The pairs of a ``distances`` table, both ways (a way given wins over its reverse).

    Parameters
    ----------
    distances
        The scenario's ``distances`` table: ``from_id``, ``to_id``, ``km``, ``minutes``
        (NaN when not given).

    Returns
    -------
    dict
        ``(from id, to id)`` → ``(km, minutes)``, minutes NaN when not given.
    """
    rows = list(
        zip(
            distances["from_id"].astype(str),
            distances["to_id"].astype(str),
            distances["km"].to_numpy(float),
            distances["minutes"].to_numpy(float),
            strict=True,
        )
    )
    pairs = {(b, a): (km, minutes) for a, b, km, minutes in rows}
    pairs |= {(a, b): (km, minutes) for a, b, km, minutes in rows}
    return pairs


def roads_between(
    ids: Sequence[str],
    places: Mapping[str, tuple[float, float]],
    given: Mapping[tuple[str, str], tuple[float, float]],
    options: LogisticsOptions,
) -> Roads:
    """Km and driving times between the places ``ids`` (a depot, then its drops).

    Parameters
    ----------
    ids
        Producer, hub or canteen ids, in the routing problem's order; repeats allowed.
    places
        Latitude and longitude of every id, degrees.
    given
        Road pairs (``given_roads``): km and minutes (NaN for the km at the speed).
    options
        The road factor and the speed of the fallback.

    Returns
    -------
    Roads
        Km and driving seconds, each of shape (len(ids), len(ids)).
    """
    coords = np.array([places[i] for i in ids], float).reshape(-1, 2)
    roads = Roads.straight(coords[:, 0], coords[:, 1], options)
    if not given:
        return roads
    km, drive_s = roads.km.copy(), roads.drive_s.copy()
    for a, from_id in enumerate(ids):
        for b, to_id in enumerate(ids):
            pair = given.get((from_id, to_id))
            if pair is None or from_id == to_id:
                continue
            km[a, b] = pair[0]
            minutes = pair[1] if np.isfinite(pair[1]) else pair[0] / options.speed_kmh * 60
            drive_s[a, b] = minutes * 60
    return Roads(km, drive_s)
