"""What every example shares: the ``--small`` scenario and the common command-line options.

Not an example itself. ``--small`` replaces the embedded Lens-Liévin demo (63 canteens, 130
producers, 53 weeks; 15-40 s to solve on 2 cores) with a generated scenario of 6 canteens and 10
producers around Lens, cut to 6 ISO weeks of September and October 2026, which solves in about
a second.

Language: what rhd_match says and writes for an example (the plan's summary, warnings and
validation messages, reports, order sheets) follows ``$RHD_MATCH_LANG`` as the command line
reads it, French by default (``RHD_MATCH_LANG=en python examples/quickstart.py --small`` for
English). The examples' own lines stay in English: they are code to read beside the English API
reference, not part of the program people run, so they are not in its translation catalogue.
"""

from __future__ import annotations

import argparse

import pandas as pd

import rhd_match
from rhd_match.cli.common import requested_language
from rhd_match.generate import generate_scenario

#: The weeks ``--small`` keeps: school is open and local harvests are in.
SMALL_WEEKS = tuple(f"2026-W{n:02d}" for n in range(37, 43))


def parser(description: str | None) -> argparse.ArgumentParser:
    """An argument parser with ``--small`` and ``--time-limit``."""
    p = argparse.ArgumentParser(
        description=(description or "").split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--small",
        action="store_true",
        help="a generated 6-canteen, 10-producer, 6-week scenario instead of the demo (seconds)",
    )
    p.add_argument(
        "--time-limit",
        type=float,
        default=60.0,
        help="wall-clock limit of each solve, s (default 60)",
    )
    return p


def small_scenario(seed: int = 3) -> rhd_match.Scenario:
    """6 canteens and 10 producers around Lens, 6 weeks of autumn 2026.

    The generator makes a whole year; keeping 6 weeks of demand and offers keeps the model
    small. Budgets are yearly, so each is scaled by the share of the canteen's demand (at
    reference prices) that the 6 weeks hold.
    """
    year = generate_scenario(n_canteens=6, n_producers=10, seed=seed)
    demand = year.demand[year.demand["week"].isin(SMALL_WEEKS)]
    offers = year.offers[year.offers["week"].isin(SMALL_WEEKS)]
    price = year.products.set_index("product_id")["reference_price_eur_ht"]

    def value(d: pd.DataFrame) -> pd.Series:
        return (d["qty"] * d["product_id"].map(price)).groupby(d["canteen_id"]).sum()

    kept = (value(demand) / value(year.demand)).reindex(year.canteens["canteen_id"]).fillna(0.0)
    canteens = year.canteens.copy()
    canteens["budget_eur_ht"] = (canteens["budget_eur_ht"] * kept.to_numpy()).round(2)
    return rhd_match.Scenario.from_frames(
        products=year.products,
        canteens=canteens,
        producers=year.producers,
        offers=offers,
        demand=demand,
        parameters=year.parameters,
    )


def load(small: bool) -> rhd_match.Scenario:
    """The small generated scenario, or the embedded Lens-Liévin demo."""
    return small_scenario() if small else rhd_match.Scenario.demo()


def language() -> str:
    """The language of what rhd_match says and writes here: ``$RHD_MATCH_LANG`` if rhd_match
    speaks it, else French, as on the command line."""
    return requested_language([])
