"""Where canteens stand: the communes of the Communauté d'agglomération de Lens-Liévin
(``data/communes_call.csv``) or synthetic towns on a ~100 km square.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .draw import FloatArray, offset_km

TERRITORIES: tuple[str, ...] = ("lens-lievin", "synthetic")

#: Population-weighted centre of the CALL (territory-and-prices.md §1), degrees.
LENS_CENTRE = (50.435, 2.813)
#: Boulogne-sur-Mer, France's first fishing port, ~92 km from Lens, degrees.
BOULOGNE = (50.726, 1.615)
#: Centre of the ~100 km × 100 km synthetic territory (somewhere in northern France), degrees.
SYNTHETIC_CENTRE = (50.30, 2.90)
SYNTHETIC_SIDE_KM = 100.0
CANTEENS_PER_TOWN = 40


def load_communes() -> pd.DataFrame:
    """The 36 communes of the CALL: INSEE code, name, population 2021, lat, lon (degrees).

    Returns
    -------
    pandas.DataFrame
        One row per commune, keyed by ``insee`` (text, leading zeros kept).
    """
    with resources.as_file(resources.files("rhd_match") / "data" / "communes_call.csv") as path:
        return pd.read_csv(path, dtype={"insee": str})


@dataclass(frozen=True)
class Territory:
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


def make_territory(name: str, n_canteens: int, rng: np.random.Generator) -> Territory:
    """The towns of a territory: the Lens-Liévin communes, or synthetic towns around a centre
    for ``synthetic``.

    Parameters
    ----------
    name
        A name of ``TERRITORIES``.
    n_canteens
        Number of canteens to host (sets the number of synthetic towns).
    rng
        The random stream for places.

    Returns
    -------
    Territory
        The towns, their population, centres (degrees) and built-up radius (km).
    """
    if name == "lens-lievin":
        communes = load_communes()
        n = len(communes)
        return Territory(
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
    lat, lon = offset_km(
        np.full(k, SYNTHETIC_CENTRE[0]), np.full(k, SYNTHETIC_CENTRE[1]), east, north
    )
    population = np.round(2000.0 * (1.0 + rng.pareto(1.2, k)))
    population = np.minimum(population, 150_000.0)
    town_names = np.array([f"Commune {i:03d}" for i in range(1, k + 1)], dtype=object)
    return Territory(
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
