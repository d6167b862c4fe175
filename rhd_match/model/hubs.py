"""Pooled delivery through hubs: which offers may travel via a hub, the hub's prices and drops.

A member producer (``producers.hub_id``) brings its food to its hub, one drop at the hub per
week whose franco is paid by the hub's whole order from it; the hub delivers the canteens
within its radius, one drop per canteen and week of at least ``min_drop_kg``. An arc via a hub
is an offer × canteen pair like a direct arc, its price raised by the hub's fee (what the
canteen pays, the value EGalim counts). See ``docs/model.md``, *Hubs*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..geo import haversine_km
from ..inputs.hubs import hub_figures
from ..inputs.scenario import Scenario


@dataclass(frozen=True)
class HubRoutes:
    """The hubs of a scenario as the model sees them.

    * ``hub_of``: per producer code (market options included), its hub's code, −1 for none;
    * ``reach``: producer code × canteen (bool), the canteens its offers may reach via its hub;
    * ``hubs``: per hub code: ``capacity_kg`` (kg/week, the handling capacity, or the fleet's
      vehicles × payload × delivery days when smaller), ``min_drop_kg`` (kg),
      ``fee_eur_per_kg`` (EUR HT/kg), ``fee_share`` (fraction of the offer's price).
    """

    hub_ids: np.ndarray
    hub_of: np.ndarray
    reach: np.ndarray
    hubs: pd.DataFrame


def hub_routes(scenario: Scenario, n_market: int) -> HubRoutes:
    """The routes via hubs of ``scenario`` (see ``HubRoutes``).

    Parameters
    ----------
    scenario
        The validated scenario.
    n_market
        Market options, coded after the producers (they never go through a hub).

    Returns
    -------
    HubRoutes
        Hub codes, membership, reach and weekly figures.
    """
    hubs, prod, can = scenario.hubs, scenario.producers, scenario.canteens
    hub_ids = hubs["hub_id"].to_numpy(dtype=object)
    member = pd.Index(hub_ids).get_indexer(prod["hub_id"])
    able = (prod["delivery_capacity_kg_per_week"].to_numpy(float) > 0) & (
        prod["max_drops_per_week"].to_numpy() > 0
    )
    hub_of = np.r_[np.where(able, member, -1), np.full(n_market, -1)].astype(np.int64)
    within = (
        haversine_km(
            hubs["latitude"].to_numpy(float)[:, None],
            hubs["longitude"].to_numpy(float)[:, None],
            can["lat"].to_numpy(float)[None, :],
            can["lon"].to_numpy(float)[None, :],
        )
        <= hubs["radius_km"].to_numpy(float)[:, None]
    )
    reach = np.zeros((len(hub_of), len(can)), bool)
    on = hub_of >= 0
    reach[on] = within[hub_of[on]]
    return HubRoutes(hub_ids, hub_of, reach, hub_figures(hubs))


def hub_drops(arcs: pd.DataFrame, hubs: pd.DataFrame, n_canteen: int, n_week: int) -> pd.DataFrame:
    """One row per hub × canteen × week with arcs via the hub; sets ``arcs['hub_drop']`` (−1
    for a direct arc).

    Parameters
    ----------
    arcs
        The model's arcs with their ``hub`` code (−1 direct), ``ub`` and ``kg_per_unit``.
    hubs
        Per hub code: ``capacity_kg`` and ``min_drop_kg`` (``HubRoutes.hubs``).
    n_canteen, n_week
        Canteen and week counts.

    Returns
    -------
    pandas.DataFrame
        ``hub``, ``canteen``, ``week`` codes, ``kg_bound`` (kg: what the drop could carry),
        ``min_kg`` (kg) and ``binary`` (a drop variable is needed: a minimum per drop).
    """
    h = arcs["hub"].to_numpy(np.int64)
    via = h >= 0
    key = (h * n_canteen + arcs["canteen"].to_numpy()) * n_week + arcs["week"].to_numpy()
    uniq, inverse = np.unique(key[via], return_inverse=True)
    code = np.full(len(arcs), -1, np.int64)
    code[via] = inverse
    arcs["hub_drop"] = code
    kg = arcs["ub"].to_numpy()[via] * arcs["kg_per_unit"].to_numpy()[via]
    g_h = uniq // (n_canteen * n_week)
    kg_reach = np.bincount(inverse, kg, minlength=len(uniq))
    min_kg = hubs["min_drop_kg"].to_numpy(float)[g_h]
    return pd.DataFrame(
        {
            "hub": g_h,
            "canteen": (uniq // n_week) % n_canteen,
            "week": uniq % n_week,
            "kg_bound": np.fmin(hubs["capacity_kg"].to_numpy(float)[g_h], kg_reach),
            "min_kg": min_kg,
            "binary": min_kg > 0,
        }
    )
