"""What a hub's row means in figures: its weekly capacity, minimum drop and fees, and the price
a canteen pays for food bought through it (``docs/model.md``, *Hubs*)."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Delivery days a week when a hub's ``delivery_days`` is empty (Monday to Friday).
DEFAULT_DELIVERY_DAYS = 5


def hub_figures(hubs: pd.DataFrame) -> pd.DataFrame:
    """Per hub (rows of ``scenario.hubs``): the weekly figures the model and the checker use.

    Parameters
    ----------
    hubs
        The scenario's ``hubs`` table.

    Returns
    -------
    pandas.DataFrame
        ``capacity_kg`` (kg/week: the handling capacity, or vehicles × payload × delivery
        days when smaller), ``min_drop_kg`` (kg), ``fee_eur_per_kg`` (EUR HT/kg),
        ``fee_share`` (fraction), in the rows' order.
    """
    written = hubs["delivery_days"].fillna("").astype(str)
    counted = written.str.count(";").to_numpy(float) + 1.0
    days = np.where(written != "", counted, DEFAULT_DELIVERY_DAYS)
    fleet = hubs["vehicles"].to_numpy(float) * hubs["payload_kg"].to_numpy(float) * days
    capacity = np.fmin(hubs["capacity_kg_per_week"].to_numpy(float), fleet)
    return pd.DataFrame(
        {
            "capacity_kg": capacity,
            "min_drop_kg": hubs["min_drop_kg"].fillna(0.0).to_numpy(float),
            "fee_eur_per_kg": hubs["fee_eur_per_kg"].fillna(0.0).to_numpy(float),
            "fee_share": hubs["fee_share"].fillna(0.0).to_numpy(float),
        }
    )


def price_via_hub(
    price: np.ndarray, kg_per_unit: np.ndarray, fee_eur_per_kg: np.ndarray, fee_share: np.ndarray
) -> np.ndarray:
    """What the canteen pays per unit bought through a hub: π (1 + s_h) + f_h m.

    Parameters
    ----------
    price
        The offer's price, EUR HT/unit.
    kg_per_unit
        kg per unit.
    fee_eur_per_kg
        The hub's fee per kg, EUR HT/kg.
    fee_share
        The hub's fee as a fraction of the offer's price.

    Returns
    -------
    numpy.ndarray
        EUR HT/unit, broadcast over the arguments.
    """
    out: np.ndarray = price * (1.0 + fee_share) + fee_eur_per_kg * kg_per_unit
    return out
