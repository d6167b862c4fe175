"""Seeded synthetic scenarios, and the embedded Lens-Liévin demo.

``generate_scenario`` builds the five input tables of a plausible territory from two small
data files shipped with the package:

* ``data/catalogue.csv`` — ~40 products typical of northern-France canteens: family, unit,
  price ranges (EUR HT per unit, conventional and organic), months of local availability
  (``months``; ``stored_months`` the part supplied from storage), months on the menu
  (``menu_months``), raw portions (kg per meal, primary and secondary/adult) and servings per
  5-meal week;
* ``data/communes_call.csv`` — the 36 communes of the Communauté d'agglomération de
  Lens-Liévin (INSEE code, population 2021, centre coordinates).

Everything is drawn from one seed, vectorised over canteens, producers, products and ISO weeks
(the only Python loops run over a handful of canteen or producer kinds and over the weeks of
one year), so the "M" benchmark size (1,500 canteens × 1,000 producers × 60 products × one
year) takes seconds. The same arguments give identical tables, byte for byte once written.

Figures, sources and estimates are documented in ``docs/demo.md``. Run::

    python -m rhd_match.generate --demo          # rewrite rhd_match/data/demo/
    python -m rhd_match.generate --canteens 1500 --producers 1000 --products 60 --out DIR
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..inputs.scenario import Scenario
from .canteens import add_budgets, make_canteens, make_demand
from .hubs import make_hubs
from .market import make_market
from .producers import make_supply
from .products import load_catalogue, products_table, select_products
from .territory import TERRITORIES, make_territory

#: Arguments of the embedded demo (``rhd_match/data/demo``); tests regenerate it from these.
DEMO_ARGUMENTS: dict[str, Any] = {
    "n_canteens": 63,
    "n_producers": 130,
    "n_products": None,
    "year": 2026,
    "seed": 62,
    "territory": "lens-lievin",
    # the packaged demo leaves its hub out of the default plan (docs/demo.md, *Hub*)
    "hubs": False,
}

# -- entry point ------------------------------------------------------------------------------


def generate_frames(
    n_canteens: int,
    n_producers: int,
    n_products: int | None = None,
    year: int = 2026,
    seed: int = 0,
    territory: str = "lens-lievin",
    supply_factor: float = 1.0,
    hubs: bool = True,
) -> dict[str, pd.DataFrame]:
    """The input tables of ``generate_scenario``, not yet validated.

    Parameters
    ----------
    n_canteens, n_producers, n_products, year, seed, territory, supply_factor, hubs
        As for ``generate_scenario``.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``products``, ``canteens``, ``producers``, ``offers``, ``demand``, ``market``
        (``generate.market``) and, when the territory has one, ``hubs`` (``generate.hubs``),
        as ``Scenario.from_frames`` takes them.

    Raises
    ------
    ValueError
        When ``territory`` is unknown or there are fewer than one canteen or producer.
    """
    if territory not in TERRITORIES:
        raise ValueError(f"territory must be one of {', '.join(TERRITORIES)}, not {territory!r}")
    if n_canteens < 1 or n_producers < 1:
        raise ValueError("n_canteens and n_producers must be ≥ 1")
    streams = np.random.SeedSequence(seed).spawn(5)
    rng_place, rng_canteen, rng_demand, rng_budget, rng_supply = (
        np.random.default_rng(s) for s in streams
    )
    products = select_products(load_catalogue(), n_products)
    where = make_territory(territory, n_canteens, rng_place)
    canteens = make_canteens(n_canteens, where, year, rng_canteen)
    demand, totals = make_demand(canteens, products, year, rng_demand)
    table = products_table(products)
    reference = table.set_index("product_id")["reference_price_eur_ht"]
    canteen_table = add_budgets(canteens.table, demand, reference, rng_budget)
    producers, offers = make_supply(
        n_producers, where, territory, products, totals, year, supply_factor, rng_supply
    )
    frames = {
        "products": table,
        "canteens": canteen_table,
        "producers": producers,
        "offers": offers,
        "demand": demand,
        "market": make_market(table, products, canteen_table, demand, year),
    }
    hub_table = make_hubs(territory, producers) if hubs else None
    return frames if hub_table is None else frames | {"hubs": hub_table}


def generate_scenario(
    n_canteens: int,
    n_producers: int,
    n_products: int | None = None,
    year: int = 2026,
    seed: int = 0,
    territory: str = "lens-lievin",
    *,
    supply_factor: float = 1.0,
    hubs: bool = True,
) -> Scenario:
    """A seeded synthetic scenario over every ISO week of ``year``.

    Parameters
    ----------
    n_canteens, n_producers
        Number of canteens and producers. Canteens follow the mix of the Lens-Liévin demo
        (≈ 63 % primary schools, 16 % collèges, 6 % lycées, 10 % EHPAD, 3 % hospital sites,
        2 % central kitchens); producers a mix of market gardeners, field-vegetable growers,
        orchards, dairies, egg, livestock and poultry farms, bakeries, pulse growers, a
        frozen-vegetable co-operative and a fishing co-operative.
    n_products
        ``None`` for the whole catalogue (~40 products); fewer keep the largest by value; more
        add variants (``carrot_2``) sharing their base product's servings.
    year
        Calendar year; weeks are ISO weeks ``YYYY-Www`` of that year.
    seed
        Seed of every random draw: the same arguments give identical tables.
    territory
        ``"lens-lievin"``: canteens in the 36 real communes of the CALL (by population, ≤ 1 km
        from the commune centre, with INSEE codes), producers 5–60 km around Lens, a fishing
        co-operative in Boulogne-sur-Mer. ``"synthetic"``: canteens clustered around one town
        per ~40 canteens in a 100 km × 100 km square, producers spread over it.
    supply_factor
        Multiplies every offered quantity (1.0: local supply covers about half of the fruit
        and vegetables in season, less of the meat).
    hubs
        Give the territory its hub (``generate.hubs``: the Loos-en-Gohelle platform for
        ``"lens-lievin"``); False for none.

    Returns
    -------
    Scenario
        Validated with ``Scenario.from_frames``. Demand and offer quantities are in the
        product's unit (kg, l or piece), prices in EUR HT per unit, capacities in kg per week,
        radii in km, budgets in EUR HT over the year.

    Raises
    ------
    ValueError
        When ``territory`` is not ``"lens-lievin"`` or ``"synthetic"``, or ``n_canteens`` or
        ``n_producers`` is below 1.
    """
    frames = generate_frames(
        n_canteens, n_producers, n_products, year, seed, territory, supply_factor, hubs
    )
    return Scenario.from_frames(
        products=frames["products"],
        canteens=frames["canteens"],
        producers=frames["producers"],
        offers=frames["offers"],
        demand=frames["demand"],
        market=frames["market"],
        hubs=frames.get("hubs"),
    )


def demo_folder() -> Path:
    """Folder of the embedded demo inside the package source tree.

    Returns
    -------
    Path
        ``rhd_match/data/demo``.
    """
    return Path(__file__).resolve().parent.parent / "data" / "demo"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m rhd_match.generate``: write a generated scenario (CSV) to a folder.

    Parameters
    ----------
    argv
        The command-line arguments (``sys.argv[1:]`` when ``None``).

    Returns
    -------
    int
        The exit status, 0 (argparse exits with 2 on bad arguments).
    """
    parser = argparse.ArgumentParser(
        prog="python -m rhd_match.generate",
        description="Generate a seeded synthetic scenario (CSV files and parameters.json).",
    )
    parser.add_argument(
        "--demo", action="store_true", help=f"regenerate the embedded demo in {demo_folder()}"
    )
    parser.add_argument("--canteens", type=int, default=63)
    parser.add_argument("--producers", type=int, default=130)
    parser.add_argument("--products", type=int, default=None, help="default: the whole catalogue")
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--territory",
        choices=TERRITORIES,
        default=None,
        help="default: lens-lievin up to 200 canteens, synthetic above",
    )
    parser.add_argument("--supply-factor", type=float, default=1.0)
    parser.add_argument("--out", type=Path, help="output folder")
    args = parser.parse_args(argv)
    if args.demo:
        scenario = generate_scenario(**DEMO_ARGUMENTS)
        out = demo_folder()
    else:
        if args.out is None:
            parser.error("give --out DIR (or --demo)")
        territory = args.territory or ("lens-lievin" if args.canteens <= 200 else "synthetic")
        scenario = generate_scenario(
            args.canteens,
            args.producers,
            args.products,
            args.year,
            args.seed,
            territory,
            supply_factor=args.supply_factor,
        )
        out = args.out
    scenario.to_folder(out)
    print(f"{scenario!r} written to {out}")
    for warning in scenario.warnings:
        print(warning)
    return 0
