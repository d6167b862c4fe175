"""Hub lines: each purchase delivered through a hub (``flows.hub_id``) joined with its hub
(``scenario.hubs``), and the rules only hub lines have, recomputed from the tables and the flows
alone: the hub is known, the producer is its member, the canteen within its radius, the hub's
weekly handling capacity (or its fleet's vehicles × payload × delivery days) and its minimum
per canteen drop. The hub's fee in the price, the producer's franco paid by the hub's whole
order and the EGalim count of the price paid are checked with every line's rules
(``line_rules``, ``group_rules``, ``figures``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..i18n import gettext as _
from ..inputs.scenario import Scenario
from .contract import Found, each_row, exceeds, number

#: Delivery days a week of a hub whose ``delivery_days`` is empty (docs/input-format.md).
WEEKDAYS = 5


def _text(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), "").astype(str).str.strip()


def _distance_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distance (km, mean Earth radius 6371.0088 km), restated here apart from
    ``rhd_match.geo`` so that the checker depends on no code that writes plans."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return np.asarray(2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), float)


def hub_columns(scenario: Scenario, ln: pd.DataFrame, flows: pd.DataFrame) -> pd.DataFrame:
    """The flow lines joined with their hub.

    Parameters
    ----------
    scenario
        The input tables (``hubs``, ``producers``).
    ln
        The flow lines (``line_rules.lines``) with ``is_producer``, ``producer_id``,
        ``canteen_id``, ``canteen_lat``, ``canteen_lon``, in the order of ``flows``.
    flows
        The flows table (its ``hub_id`` column, when it has one).

    Returns
    -------
    pandas.DataFrame
        ``ln`` (same rows and order) with ``hub_id`` (``""`` for none), ``via_hub`` (a producer
        line through a hub), ``has_hub`` (its hub is in the hubs table), ``member_hub`` (the
        producer's ``hub_id``), ``hub_distance_km`` (hub to canteen, km), ``hub_radius_km``,
        ``hub_capacity_kg`` (kg/week), ``hub_min_drop_kg`` (kg), ``fee_eur_per_kg`` (EUR HT/kg)
        and ``fee_share`` (fraction; 0 off hubs), and ``drop_to`` (the canteen, or the hub a
        producer's drop goes to).
    """
    hub = _text(flows["hub_id"]).to_numpy() if "hub_id" in flows.columns else ""
    out = ln.assign(hub_id=hub)
    out["via_hub"] = out["is_producer"].to_numpy(bool) & (out["hub_id"] != "").to_numpy()
    hubs = scenario.hubs
    days = _text(hubs["delivery_days"])
    n_days = np.where(days != "", days.str.count(";") + 1, WEEKDAYS)
    fleet = hubs["vehicles"].to_numpy(float) * hubs["payload_kg"].to_numpy(float) * n_days
    table = pd.DataFrame(
        {
            "hub_id": _text(hubs["hub_id"]).to_numpy(),
            "hub_lat": hubs["latitude"].to_numpy(float),
            "hub_lon": hubs["longitude"].to_numpy(float),
            "hub_radius_km": hubs["radius_km"].to_numpy(float),
            "hub_capacity_kg": np.fmin(hubs["capacity_kg_per_week"].to_numpy(float), fleet),
            "hub_min_drop_kg": hubs["min_drop_kg"].fillna(0.0).to_numpy(float),
            "fee_eur_per_kg": hubs["fee_eur_per_kg"].fillna(0.0).to_numpy(float),
            "fee_share": hubs["fee_share"].fillna(0.0).to_numpy(float),
            "has_hub": True,
        }
    )
    out = out.merge(table, on="hub_id", how="left")
    out["has_hub"] = out["has_hub"].notna().to_numpy() & out["via_hub"].to_numpy()
    via = out["via_hub"].to_numpy()
    for col in ("fee_eur_per_kg", "fee_share"):
        out[col] = np.where(via, out[col].fillna(0.0).to_numpy(float), 0.0)
    members = pd.Series(
        _text(scenario.producers["hub_id"]).to_numpy(),
        index=_text(scenario.producers["producer_id"]).to_numpy(),
    )
    out["member_hub"] = members.reindex(out["producer_id"]).fillna("").to_numpy()
    out["hub_distance_km"] = _distance_km(
        out["hub_lat"].to_numpy(float),
        out["hub_lon"].to_numpy(float),
        out["canteen_lat"].to_numpy(float),
        out["canteen_lon"].to_numpy(float),
    )
    out["drop_to"] = np.where(via, "hub " + out["hub_id"].astype(str), out["canteen_id"])
    return out


def check_hubs(ln: pd.DataFrame, found: Found, tol: float) -> None:
    """Hub rules: a known hub, a member producer, a canteen within the hub's radius, the hub's
    weekly capacity and its minimum per canteen drop.

    Parameters
    ----------
    ln
        The flow lines with their hub columns (``hub_columns``).
    found
        Collects the violations.
    tol
        Tolerance (see ``check``).
    """
    found.add(
        "hub_supplier",
        ln,
        _("a market or conventional purchase names a hub"),
        where=(ln["hub_id"] != "").to_numpy() & ~ln["is_producer"].to_numpy(bool),
    )
    via, known = ln["via_hub"].to_numpy(bool), ln["has_hub"].to_numpy(bool)
    if not via.any():
        return
    found.add(
        "unknown_id",
        ln,
        each_row(lambda h: _("hub '{hub}' is not in the hubs table").format(hub=h), "hub_id"),
        where=via & ~known,
    )
    found.add(
        "hub_member",
        ln,
        each_row(
            lambda h, m: _("the producer brings to hub '{member}', not to '{hub}'").format(
                member=m or "-", hub=h
            ),
            "hub_id",
            "member_hub",
        ),
        where=known & (ln["member_hub"] != ln["hub_id"]).to_numpy(),
    )
    found.add(
        "hub_radius",
        ln,
        each_row(
            lambda h, d, r: _("canteen {distance} km from hub '{hub}', radius {radius} km").format(
                distance=number(d), hub=h, radius=number(r)
            ),
            "hub_id",
            "hub_distance_km",
            "hub_radius_km",
        ),
        where=known & exceeds(ln["hub_distance_km"], ln["hub_radius_km"], tol),
    )
    through = ln[known].assign(kg=ln["true_qty_kg"][known].fillna(0.0))
    weekly = (
        through.groupby(["hub_id", "week"], sort=True)
        .agg(kg=("kg", "sum"), cap=("hub_capacity_kg", "first"))
        .reset_index()
        .assign(canteen_id="", producer_id="", product_id="")
    )
    found.add(
        "hub_capacity",
        weekly,
        each_row(
            lambda h, k, c: _("hub '{hub}' handles {kg} kg, capacity {cap} kg a week").format(
                hub=h, kg=number(k), cap=number(c)
            ),
            "hub_id",
            "kg",
            "cap",
        ),
        ids=("week",),
        where=exceeds(weekly["kg"], weekly["cap"], tol),
    )
    drops = (
        through.groupby(["hub_id", "canteen_id", "week"], sort=True)
        .agg(kg=("kg", "sum"), least=("hub_min_drop_kg", "first"))
        .reset_index()
        .assign(producer_id="", product_id="")
    )
    positive = drops["kg"].to_numpy() > tol
    found.add(
        "hub_min_drop",
        drops,
        each_row(
            lambda h, k, m: _("hub '{hub}' drops {kg} kg, its minimum is {least} kg").format(
                hub=h, kg=number(k), least=number(m)
            ),
            "hub_id",
            "kg",
            "least",
        ),
        ids=("canteen_id", "week"),
        where=positive & exceeds(drops["least"], drops["kg"], tol),
    )
