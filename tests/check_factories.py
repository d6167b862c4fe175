"""Tiny scenarios for the optimality and property tests: a compact builder and a hypothesis
strategy drawing random ones (≤ 3 canteens, ≤ 3 producers, ≤ 2 weeks, ≤ 3 products).

Places are given in km east and north of a point near Lens, so distances read at a glance
(1 km north = 1/111.195 degree of latitude; east is scaled by the cosine of the latitude).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from rhd_match import Scenario

LAT0, LON0 = 50.40, 2.80
KM_PER_DEG_LAT = 6371.0088 * math.pi / 180
WEEKS = ("2026-W03", "2026-W04")


def at(east_km: float, north_km: float = 0.0) -> tuple[float, float]:
    """(lat, lon) of a point ``east_km`` east and ``north_km`` north of the origin."""
    lat = LAT0 + north_km / KM_PER_DEG_LAT
    lon = LON0 + east_km / (KM_PER_DEG_LAT * math.cos(math.radians(LAT0)))
    return lat, lon


def make_scenario(
    products: Mapping[str, tuple[str, float, float]],
    canteens: Mapping[str, Mapping[str, Any]],
    producers: Mapping[str, Mapping[str, Any]],
    offers: Sequence[tuple[Any, ...]],
    demand: Sequence[tuple[str, str, str, float]],
    **parameters: Any,
) -> Scenario:
    """Build a Scenario from compact specs.

    * ``products``: id → (family, kg_per_unit, reference price EUR HT/unit);
    * ``canteens``: id → {"place": (east_km, north_km), "budget": EUR HT or None,
      "target_quality"/"target_organic"/"target_meat_fish": overrides};
    * ``producers``: id → {"place", "capacity" kg/week, "drops" per week, "radius" km,
      "franco" EUR HT} (defaults: at the origin, 1e6 kg, 10 drops, 100 km, no franco);
    * ``offers``: (producer, product, week, qty, price, labels[, min_lot]);
    * ``demand``: (canteen, product, week, qty).
    """
    prod = pd.DataFrame(
        [
            {
                "product_id": k,
                "name": k,
                "family": fam,
                "unit": "kg",
                "kg_per_unit": kg,
                "reference_price_eur_ht": ref,
            }
            for k, (fam, kg, ref) in products.items()
        ]
    )
    cant = pd.DataFrame(
        [
            {
                "canteen_id": c,
                "name": c,
                "lat": at(*spec.get("place", (0.0, 0.0)))[0],
                "lon": at(*spec.get("place", (0.0, 0.0)))[1],
                "budget_eur_ht": spec.get("budget"),
                "target_quality": spec.get("target_quality"),
                "target_organic": spec.get("target_organic"),
                "target_meat_fish": spec.get("target_meat_fish"),
            }
            for c, spec in canteens.items()
        ]
    )
    for col in ("budget_eur_ht", "target_quality", "target_organic", "target_meat_fish"):
        cant[col] = pd.to_numeric(cant[col]).astype(float)
    prods = pd.DataFrame(
        [
            {
                "producer_id": p,
                "name": p,
                "lat": at(*spec.get("place", (0.0, 0.0)))[0],
                "lon": at(*spec.get("place", (0.0, 0.0)))[1],
                "delivery_capacity_kg_per_week": float(spec.get("capacity", 1e6)),
                "max_drops_per_week": int(spec.get("drops", 10)),
                "delivery_radius_km": float(spec.get("radius", 100.0)),
                "min_order_eur_ht": float(spec.get("franco", 0.0)),
            }
            for p, spec in producers.items()
        ]
    )
    offer_rows = [
        {
            "producer_id": o[0],
            "product_id": o[1],
            "week": o[2],
            "qty": float(o[3]),
            "price_eur_ht": float(o[4]),
            "labels": o[5],
            "min_lot_qty": float(o[6]) if len(o) > 6 and o[6] is not None else float("nan"),
        }
        for o in offers
    ]
    off = pd.DataFrame(
        offer_rows,
        columns=["producer_id", "product_id", "week", "qty", "price_eur_ht", "labels",
                 "min_lot_qty"],
    )  # fmt: skip
    dem = pd.DataFrame(demand, columns=["canteen_id", "product_id", "week", "qty"])
    return Scenario.from_frames(prod, cant, prods, off, dem, parameters=parameters or None)


# -- random tiny scenarios --------------------------------------------------------------------

FAMILIES = ("VIANDES_VOLAILLES", "PRODUITS_DE_LA_MER", "FRUITS_ET_LEGUMES", "PRODUITS_LAITIERS")
LABEL_CHOICES = ("", "", "BIO", "LABEL_ROUGE", "HVE", "BIO,IGP", "EXTERNALITES")


def _money(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.integers(int(lo * 100), int(hi * 100)).map(lambda c: c / 100)


@st.composite
def tiny_specs(
    draw: st.DrawFn,
    max_canteens: int = 3,
    max_producers: int = 3,
    max_weeks: int = 2,
    max_products: int = 3,
) -> dict[str, Any]:
    """Random compact specs for :func:`make_scenario` (see the module docstring for sizes)."""
    n_k = draw(st.integers(1, max_products))
    n_c = draw(st.integers(1, max_canteens))
    n_p = draw(st.integers(1, max_producers))
    weeks = WEEKS[: draw(st.integers(1, max_weeks))]
    products = {
        f"K{i}": (
            draw(st.sampled_from(FAMILIES)),
            draw(st.sampled_from((1.0, 0.5, 0.125))),
            draw(_money(0.5, 15.0)),
        )
        for i in range(n_k)
    }
    place = st.tuples(st.integers(-15, 15), st.integers(-15, 15)).map(
        lambda t: (float(t[0]), float(t[1]))
    )
    canteens = {
        f"C{i}": {
            "place": draw(place),
            "budget": draw(st.one_of(st.none(), _money(20.0, 800.0))),
            "target_organic": draw(st.one_of(st.none(), st.sampled_from((0.0, 0.3, 0.6)))),
        }
        for i in range(n_c)
    }
    producers = {
        f"P{i}": {
            "place": draw(place),
            "capacity": draw(st.sampled_from((0.0, 15.0, 40.0, 100.0, 1000.0))),
            "drops": draw(st.sampled_from((0, 1, 1, 2, 3))),
            "radius": draw(st.sampled_from((8.0, 20.0, 100.0))),
            "franco": draw(st.sampled_from((0.0, 0.0, 20.0, 60.0, 200.0))),
        }
        for i in range(n_p)
    }
    offers = []
    for p in producers:
        for k, (_, _, ref) in products.items():
            for w in weeks:
                if draw(st.booleans()):
                    offers.append(
                        (
                            p,
                            k,
                            w,
                            draw(st.integers(0, 60)),
                            round(ref * draw(st.sampled_from((0.8, 1.0, 1.2, 1.6))), 2),
                            draw(st.sampled_from(LABEL_CHOICES)),
                            draw(st.sampled_from((None, None, 5.0, 20.0))),
                        )
                    )
    demand = [
        (c, k, w, float(draw(st.integers(1, 50))))
        for c in canteens
        for k in products
        for w in weeks
        if draw(st.booleans())
    ]
    if not demand:
        demand = [("C0", "K0", weeks[0], 10.0)]
    parameters: dict[str, Any] = {}
    if draw(st.booleans()):
        parameters["local_radius_km"] = draw(st.sampled_from((5.0, 12.0)))
    return {
        "products": products,
        "canteens": canteens,
        "producers": producers,
        "offers": offers,
        "demand": demand,
        "parameters": parameters,
    }


def scenario_of(spec: Mapping[str, Any], **parameters: Any) -> Scenario:
    """The Scenario of a spec from :func:`tiny_specs`; ``parameters`` override its own."""
    return make_scenario(
        spec["products"],
        spec["canteens"],
        spec["producers"],
        spec["offers"],
        spec["demand"],
        **(dict(spec["parameters"]) | parameters),
    )


# -- scenarios where the rules bind -----------------------------------------------------------


@st.composite
def binding_specs(draw: st.DrawFn) -> dict[str, Any]:
    """Random compact specs built so that each rule of the model often decides the optimum.

    Unlike :func:`tiny_specs` (independent draws, mostly trivial), quantities are drawn
    relative to one another: producers stand within delivery reach of most canteens; weekly
    capacities are a fraction of the kg demanded, with products weighing 0.125, 0.5 or 2 kg a
    unit; an offer's minimum lot is often its whole quantity; a franco is a fraction or a
    multiple of one canteen's order; one drop a week serves one of several canteens; organic,
    quality and meat targets are in reach of some canteens and out of reach of others. The
    share of draws where each rule binds is measured by ``tests/oracles.py``.
    """
    n_k = draw(st.integers(1, 2))
    n_c = draw(st.sampled_from((2, 3, 1)))
    n_p = draw(st.integers(1, 2))
    weeks = WEEKS[: draw(st.sampled_from((1, 1, 2)))]
    products = {
        f"K{i}": (
            draw(st.sampled_from(FAMILIES)),
            draw(st.sampled_from((2.0, 0.125, 0.5, 2.0, 1.0))),
            draw(_money(1.0, 12.0)),
        )
        for i in range(n_k)
    }
    near = st.tuples(st.integers(-6, 6), st.integers(-6, 6)).map(
        lambda t: (float(t[0]), float(t[1]))
    )
    canteens = {
        f"C{i}": {
            "place": draw(near),
            "budget": None,
            "target_organic": draw(st.sampled_from((0.4, None, None, 0.1))),
        }
        for i in range(n_c)
    }
    demand = [
        (c, k, w, float(draw(st.integers(5, 40))))
        for c in canteens
        for k in products
        for w in weeks
        if draw(st.integers(0, 3)) < 3
    ] or [("C0", "K0", weeks[0], 20.0)]
    kg_per_week = sum(q * products[k][1] for _, k, _, q in demand) / len(weeks)
    order_value = max(q * products[k][2] for _, k, _, q in demand)
    producers = {
        f"P{i}": {
            "place": draw(near),
            "capacity": round(kg_per_week * draw(st.sampled_from((0.7, 1.0, 0.4, 10.0, 0.2))), 1),
            "drops": draw(st.sampled_from((1, 2, 1, 10))),
            "radius": draw(st.sampled_from((20.0, 6.0, 20.0))),
            "franco": round(order_value * draw(st.sampled_from((0.0, 0.6, 0.3, 0.0, 1.1))), 2),
        }
        for i in range(n_p)
    }
    wanted = {
        (k, w): [q for _, kk, ww, q in demand if (kk, ww) == (k, w)]
        for k in products
        for w in weeks
    }
    offers = []
    for p in producers:
        for k, (_, _, ref) in products.items():
            for w in weeks:
                if not wanted[(k, w)] or draw(st.integers(0, 4)) == 4:
                    continue
                one = draw(st.sampled_from(wanted[(k, w)]))
                qty = draw(st.sampled_from((one, one / 2, one, sum(wanted[(k, w)]), 2 * one)))
                whole = min(qty, one)  # a lot equal to the quantity available, when it fits
                lot = draw(st.sampled_from((None, whole, whole, None, qty / 2)))
                offers.append(
                    (
                        p,
                        k,
                        w,
                        qty,
                        round(ref * draw(st.sampled_from((1.0, 1.3, 0.9, 2.0))), 2),
                        draw(st.sampled_from(("BIO", "HVE", "BIO", "LABEL_ROUGE", ""))),
                        lot,
                    )
                )
    parameters: dict[str, Any] = {}
    if draw(st.integers(0, 3)) == 0:
        parameters["local_radius_km"] = 4.0
    return {
        "products": products,
        "canteens": canteens,
        "producers": producers,
        "offers": offers,
        "demand": demand,
        "parameters": parameters,
    }


def first_draws(n: int) -> list[str]:
    """The first ``n`` derandomised draws of :func:`binding_specs`, as text (to compare the
    draws of two processes)."""
    specs: list[str] = []

    @settings(
        max_examples=n,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(binding_specs())
    def one(spec: dict[str, Any]) -> None:
        specs.append(repr(spec))

    one()
    return specs
