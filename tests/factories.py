"""Small hand-made input tables that tests build scenarios from.

``tiny_frames()`` is a valid territory in miniature: three products of different families
(meat, fruit, dairy), two canteens in Lens and Liévin, two producers within reach of both,
labelled offers and demand over two ISO weeks. Every demanded product is offered within reach,
so the scenario has no warnings. Tests copy and break these frames as they need.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from rhd_match import Scenario

WEEKS = ("2026-W03", "2026-W04")


def tiny_frames() -> dict[str, pd.DataFrame]:
    """The five input tables of the tiny scenario, as user DataFrames (fresh copies)."""
    products = pd.DataFrame(
        {
            "product_id": ["BEEF", "APPLE", "YOGURT"],
            "name": ["Boeuf haché", "Pomme", "Yaourt nature"],
            "family": ["VIANDES_VOLAILLES", "FRUITS_ET_LEGUMES", "PRODUITS_LAITIERS"],
            "unit": ["kg", "kg", "piece"],
            "kg_per_unit": [1.0, 1.0, 0.125],
            "reference_price_eur_ht": [11.5, 1.8, 0.32],
        }
    )
    canteens = pd.DataFrame(
        {
            "canteen_id": ["LENS_1", "LIEVIN_1"],
            "name": ["École Jean Macé, Lens", "Collège Descartes, Liévin"],
            "lat": [50.4322, 50.4230],
            "lon": [2.8333, 2.7780],
            "insee": ["62498", "62510"],
            "sector": ["education_primaire", "education_secondaire_college"],
            "meals_per_day": [180.0, 420.0],
            "budget_eur_ht": [4000.0, None],
            "target_quality": [None, 0.55],
            "target_organic": [None, None],
            "target_meat_fish": [None, None],
        }
    )
    producers = pd.DataFrame(
        {
            "producer_id": ["FARM_A", "FARM_B"],
            "name": ["Ferme des Deux Vallées", "Verger de l'Artois"],
            "lat": [50.5300, 50.2900],
            "lon": [2.6400, 2.7800],
            "delivery_capacity_kg_per_week": [300.0, 500.0],
            "max_drops_per_week": [4, 2],
            "delivery_radius_km": [40.0, 30.0],
            "min_order_eur_ht": [50.0, 0.0],
            "hub_id": ["HUB_LENS", None],
        }
    )
    offers = pd.DataFrame(
        {
            "producer_id": ["FARM_A", "FARM_A", "FARM_A", "FARM_A", "FARM_B", "FARM_B"],
            "product_id": ["BEEF", "BEEF", "YOGURT", "YOGURT", "APPLE", "APPLE"],
            "week": ["2026-W03", "2026-W04", "2026-W03", "2026-W04", "2026-W03", "2026-W04"],
            "qty": [40.0, 35.0, 600.0, 600.0, 250.0, 0.0],
            "price_eur_ht": [13.2, 13.2, 0.41, 0.41, 2.1, 2.1],
            "labels": ["LABEL_ROUGE", "LABEL_ROUGE", "BIO,FERMIER", "BIO,FERMIER", "HVE", ""],
            "min_lot_qty": [5.0, 5.0, None, None, 20.0, None],
        }
    )
    demand = pd.DataFrame(
        {
            "canteen_id": ["LENS_1"] * 3 + ["LIEVIN_1"] * 4,
            "product_id": ["BEEF", "APPLE", "YOGURT", "BEEF", "BEEF", "APPLE", "YOGURT"],
            "week": [
                "2026-W03",
                "2026-W03",
                "2026-W04",
                "2026-W03",
                "2026-W04",
                "2026-W04",
                "2026-W04",
            ],
            "qty": [12.0, 30.0, 180.0, 25.0, 28.0, 60.0, 420.0],
        }
    )
    return {
        "products": products,
        "canteens": canteens,
        "producers": producers,
        "offers": offers,
        "demand": demand,
    }


def weighted(scenario: Scenario) -> Scenario:
    """``scenario`` solved for the weighted objective by default (``docs/model.md``): for
    tests of that model's optimum, its bounds and its heuristics."""
    solver = scenario.parameters.solver.model_dump() | {"objective": "weighted"}
    return scenario.with_parameters(solver=solver)


def tiny_market() -> pd.DataFrame:
    """A market table for the tiny scenario: a wholesaler's organic apples from week 4 (40 a
    week at most), its Label Rouge beef until week 3 (no limit), and an organic yogurt lot open
    to Liévin's canteen only (100 pots a week)."""
    return pd.DataFrame(
        {
            "market_id": ["M_APPLE_BIO", "M_BEEF_LR", "LOT_YOGURT_BIO"],
            "supplier_id": ["GROSSISTE", "GROSSISTE", "LOT_LIEVIN"],
            "supplier_name": ["Grossiste Bio Nord", "Grossiste Bio Nord", "Lot bio de Liévin"],
            "product_id": ["APPLE", "BEEF", "YOGURT"],
            "labels": ["BIO", "LABEL_ROUGE", "BIO"],
            "price_eur_ht": [2.3, 14.0, 0.40],
            "first_week": ["2026-W04", None, None],
            "last_week": [None, "2026-W03", None],
            "max_qty_per_week": [40.0, None, 100.0],
            "canteen_ids": [None, None, "LIEVIN_1"],
            "origin": ["FRANCE", "FRANCE", None],
        }
    )


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder below ``folder``, with the bytes of each file."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


def fail_on_call(
    monkeypatch: pytest.MonkeyPatch, method: str, n: int, owner: type = pd.DataFrame
) -> list[int]:
    """Make ``owner.<method>`` (a DataFrame's by default) raise OSError on its ``n``-th call."""
    original = getattr(owner, method)
    calls: list[int] = []

    def flaky(self: object, *args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == n:
            raise OSError("disk full (simulated)")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(owner, method, flaky)
    return calls


def tiny_groups() -> pd.DataFrame:
    """A groups table for the tiny scenario: a dessert served in portions, an apple (0.15 kg)
    or a yogurt pot (one piece, at most half the portions), yogurt from week 4 only."""
    return pd.DataFrame(
        {
            "group_id": ["DESSERT", "DESSERT"],
            "product_id": ["APPLE", "YOGURT"],
            "conversion": [0.15, 1.0],
            "max_share": [None, 0.5],
            "first_week": [None, "2026-W04"],
            "last_week": [None, None],
        }
    )


def tiny_distances() -> pd.DataFrame:
    """A distances table for the tiny scenario: FARM_A to its hub and on to a canteen."""
    return pd.DataFrame(
        {
            "from_id": ["FARM_A", "HUB_LENS"],
            "to_id": ["HUB_LENS", "LENS_1"],
            "km": [14.2, 3.1],
            "minutes": [21.0, None],
        }
    )


def tiny_hubs() -> pd.DataFrame:
    """A hubs table for the tiny scenario: FARM_A's hub (its ``hub_id`` HUB_LENS) in Lens,
    delivering Mondays and Thursdays within 25 km, 20 kg a drop at least."""
    return pd.DataFrame(
        {
            "hub_id": ["HUB_LENS"],
            "name": ["Plateforme de Lens"],
            "latitude": [50.43],
            "longitude": [2.80],
            "capacity_kg_per_week": [2000.0],
            "fee_eur_per_kg": [0.3],
            "fee_share": [0.05],
            "vehicles": [1],
            "payload_kg": [900.0],
            "cost_eur_per_km": [0.8],
            "cost_eur_per_hour": [15.0],
            "delivery_days": ["1;4"],
            "min_drop_kg": [20.0],
            "radius_km": [25.0],
        }
    )


def binding_xs() -> Scenario:
    """The benchmarks' XS with its market table (16 canteens, 30 producers, 12 ISO weeks),
    its budgets cut to a quarter and every organic target at 40 %, so that the annual rows
    bind (μ = 0 bounds 14 % below the LP relaxation, measured), for the weighted objective."""
    from benchmarks.sizes import get_size, make_scenario

    tables = make_scenario(get_size("XS")).tables
    canteens = tables["canteens"]
    tables["canteens"] = canteens.assign(
        budget_eur_ht=canteens["budget_eur_ht"] / 4, target_organic=0.4
    )
    return weighted(Scenario.from_frames(**tables))
