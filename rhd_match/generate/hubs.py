"""The demo's hub: the territory's pooled delivery platform at Loos-en-Gohelle.

The Lens-Liévin territory has one hub, ``MIL-CALL``: a Marché d'Intérêt Local and shared
delivery service (*service de livraison mutualisé*) collecting from member farms and delivering
the canteens in rounds. Its place is the centre of the commune of Loos-en-Gohelle (INSEE 62528,
50.457 N, 2.786 E), an approximation of the site. Its members are the producers whose
``hub_id`` names it (``generate.producers``: about one farm in five, drawn at random, none of
the co-operatives that already deliver the whole territory).

Its figures are estimates (sources and reasoning in ``docs/demo.md``, *Hub*): a fleet of two
refrigerated vans of 1 000 kg payload (700–1 100 kg for a refrigerated 3.5 t van), 0.80 EUR
per km and 15 EUR per hour of labour (La France Agricole, "Calculer ses coûts de livraison et
se fixer des limites acceptables"), four delivery days a week, a handling capacity of 6 t a
week, a fee of 12 % of the value (under the 20 % of the delivered value that La France
Agricole gives as the acceptable delivery cost), 20 kg at least per canteen drop and a 15 km
radius, which covers the CALL (about 21 km across).
"""

from __future__ import annotations

import pandas as pd

#: The demo hub's row (``hubs`` table; see the module docstring for the sources).
LOOS_EN_GOHELLE_HUB: dict[str, object] = {
    "hub_id": "MIL-CALL",
    "name": "Plateforme mutualisée de Loos-en-Gohelle",
    "latitude": 50.457,
    "longitude": 2.786,
    "capacity_kg_per_week": 6000.0,
    "fee_eur_per_kg": 0.0,
    "fee_share": 0.12,
    "vehicles": 2,
    "payload_kg": 1000.0,
    "cost_eur_per_km": 0.80,
    "cost_eur_per_hour": 15.0,
    "delivery_days": "1;2;4;5",
    "min_drop_kg": 20.0,
    "radius_km": 15.0,
}


def make_hubs(territory: str, producers: pd.DataFrame) -> pd.DataFrame | None:
    """The hubs table of a generated territory.

    Parameters
    ----------
    territory
        ``"lens-lievin"`` (the Loos-en-Gohelle hub) or another territory (no hub: its
        producers' ``hub_id`` stay information only).
    producers
        The producers table; the hub is given only when one of them names it.

    Returns
    -------
    pandas.DataFrame or None
        One row per hub (``docs/input-format.md``), or None for none.
    """
    hub_id = LOOS_EN_GOHELLE_HUB["hub_id"]
    if territory != "lens-lievin" or not (producers["hub_id"] == hub_id).any():
        return None
    return pd.DataFrame([LOOS_EN_GOHELLE_HUB])
