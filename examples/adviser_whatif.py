"""Adviser workflow: one canteen's what-if questions, answered side by side.

An adviser of the Chamber takes one canteen (``--canteen``, default ``C001``) through its plan
and tries two questions the cook and the town hall ask:

* *what if the canteen aimed at 30 % organic instead of 20 %?* — the canteen's own
  ``target_organic`` (a column of ``canteens``) is raised; the other canteens keep theirs;
* *what if an organic market gardener set up 5 km away?* — a producer is added with ``BIO``
  offers of the four fruits and vegetables the canteen spends most on, in every week it buys
  them, twice the canteen's own quantities (so it can sell to neighbours too), at 1.5 × the
  reference price, with no minimum order;

and both together. Each question is a :class:`rhd_match.analysis.whatif.Variant`, a name and a
function ``Scenario → Scenario`` (the first written here as a plain frame edit, the second with
the builder :func:`rhd_match.analysis.whatif.add_producer`). The base and every variant are
solved one after the other; the script prints the canteen's figures (``solution.canteens``)
and the territory's (``solution.summary``) side by side, and where the new gardener's produce
goes.

The plan is territory-wide: the new gardener sells to whichever canteens gain most, not
necessarily the one it was imagined for. With the soft targets every canteen short of its
target gains the same per euro of organic food, and on the demo its produce goes to other
canteens, none to C001. A contract reserving the supply for one canteen is not part of the
model (short of a delivery radius that reaches only that canteen).

For territory-wide questions only, :func:`rhd_match.analysis.whatif.compare` does the loop itself,
solving the variants in parallel and adding ``delta_*`` columns.

Run from the repository root::

    python examples/adviser_whatif.py --small                 # seconds
    python examples/adviser_whatif.py --canteen C012     # the demo: 4 solves, about a minute
"""

from __future__ import annotations

import math
import sys

import pandas as pd
from _common import language, load, parser

import rhd_match
from rhd_match.analysis.whatif import Variant, add_producer

NEW_PRODUCER = "NEW_BIO_GARDENER"


def organic_target(canteen_id: str, target: float) -> Variant:
    """The canteen's own organic target set to ``target`` (a fraction)."""

    def apply(scenario: rhd_match.Scenario) -> rhd_match.Scenario:
        canteens = scenario.canteens.copy()
        canteens.loc[canteens["canteen_id"] == canteen_id, "target_organic"] = target
        tables = scenario.tables | {"canteens": canteens}
        return rhd_match.Scenario.from_frames(**tables, parameters=scenario.parameters)

    return Variant(f"target {100 * target:g} %", apply)


def organic_gardener_nearby(
    scenario: rhd_match.Scenario, canteen_id: str, km: float = 5.0
) -> Variant:
    """A new organic market gardener ``km`` north of the canteen (see the module docstring)."""
    canteen = scenario.canteens.set_index("canteen_id").loc[canteen_id]
    products = scenario.products.set_index("product_id")
    demand = scenario.demand[scenario.demand["canteen_id"] == canteen_id].join(
        products, on="product_id"
    )
    demand = demand[demand["family"] == "FRUITS_ET_LEGUMES"]
    spend = (demand["qty"] * demand["reference_price_eur_ht"]).groupby(demand["product_id"]).sum()
    chosen = demand[demand["product_id"].isin(spend.nlargest(4).index)]
    offers = pd.DataFrame(
        {
            "producer_id": NEW_PRODUCER,
            "product_id": chosen["product_id"],
            "week": chosen["week"],
            "qty": (2 * chosen["qty"]).round(1),
            "price_eur_ht": (1.5 * chosen["reference_price_eur_ht"]).round(2),
            "labels": "BIO",
        }
    )
    weekly_kg = (offers["qty"] * chosen["kg_per_unit"]).groupby(offers["week"]).sum()
    producer = {
        "producer_id": NEW_PRODUCER,
        "name": "Maraîcher bio (projet)",
        "lat": float(canteen["lat"]) + km / 111.2,  # 1° of latitude ≈ 111.2 km
        "lon": float(canteen["lon"]),
        "delivery_capacity_kg_per_week": math.ceil(float(weekly_kg.max())),
        "max_drops_per_week": 5,
        "delivery_radius_km": 15.0,
        # No minimum order: a small school's weekly order of four vegetables is worth well
        # under the 100-300 EUR HT francos of the demo's farms, which would shut it out.
        "min_order_eur_ht": 0.0,
    }
    return add_producer(producer, offers, name=f"gardener {km:g} km")


def both(first: Variant, second: Variant) -> Variant:
    """Both changes, one after the other."""
    return Variant("both", lambda s: second.apply(first.apply(s)))


CANTEEN_FIGURES = {
    "share_local": "local share",
    "share_organic": "organic share",
    "share_quality": "EGalim quality share",
    "share_meat_fish": "meat & fish quality share",
    "target_organic": "organic target",
    "meets_organic": "meets organic target",
    "meets_quality": "meets quality target",
    "value_eur_ht": "purchases, EUR HT",
    "extra_cost_eur_ht": "extra cost, EUR HT",
    "shortfall_organic_eur_ht": "organic shortfall, EUR HT",
    "budget_use": "budget use",
}
TERRITORY_FIGURES = {
    "share_organic": "organic share",
    "share_quality": "EGalim quality share",
    "canteens_meeting_organic": "canteens meeting organic",
    "canteens_meeting_all": "canteens meeting all three",
    "extra_cost_eur_ht": "extra cost, EUR HT",
}


def show(value: object, key: str) -> str:
    """A figure as the adviser reads it."""
    if isinstance(value, bool) or key.startswith("meets_"):
        return "yes" if bool(value) else "no"
    if value is None or pd.isna(value):
        return "—"
    number = float(value)
    if key.startswith(("share_", "target_")) or key == "budget_use":
        return f"{100 * number:.1f} %"
    return f"{number:,.0f}"


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.add_argument("--canteen", default="C001", help="canteen_id of the canteen (default C001)")
    args = p.parse_args(argv)

    scenario = load(args.small)
    cid = args.canteen
    if cid not in set(scenario.canteens["canteen_id"]):
        print(f"no canteen {cid!r} in the scenario", file=sys.stderr)
        return 2
    name = scenario.canteens.set_index("canteen_id").loc[cid, "name"]
    target = organic_target(cid, 0.30)
    gardener = organic_gardener_nearby(scenario, cid)
    variants = [target, gardener, both(target, gardener)]

    canteen_rows: dict[str, pd.Series] = {}
    territory_rows: dict[str, pd.Series] = {}
    gardener_sales: dict[str, pd.DataFrame] = {}
    for label, changed in [("base", scenario)] + [(v.name, v.apply(scenario)) for v in variants]:
        solution = changed.solve(time_limit_s=args.time_limit)
        violations = rhd_match.check(changed, solution)
        if not violations.empty:
            print(f"{label}: {len(violations)} violation(s)", file=sys.stderr)
            return 1
        gap = "no bound" if math.isnan(solution.gap) else f"gap {solution.gap:.2%}"
        print(f"solved {label!r}: {solution.status}, {gap}")
        canteen_rows[label] = solution.canteens.set_index("canteen_id").loc[cid]
        territory_rows[label] = solution.summary.iloc[0]
        sold = solution.flows[solution.flows["producer_id"] == NEW_PRODUCER]
        if len(sold):
            gardener_sales[label] = sold.groupby("canteen_id")[["qty_kg", "value_eur_ht"]].sum()

    for title, rows, figures in (
        (f"canteen {cid} ({name})", canteen_rows, CANTEEN_FIGURES),
        ("territory", territory_rows, TERRITORY_FIGURES),
    ):
        table = pd.DataFrame(
            {label: [show(row[k], k) for k in figures] for label, row in rows.items()},
            index=list(figures.values()),
        )
        print(f"\n{title}:")
        print(table.to_string())

    for label, sales in gardener_sales.items():
        own = sales["qty_kg"].get(cid, 0.0)
        print(
            f"\n{label!r}: the new gardener sells {sales['qty_kg'].sum():,.0f} kg "
            f"({sales['value_eur_ht'].sum():,.0f} EUR HT), {own:,.0f} kg of it to {cid}"
        )
    return 0


if __name__ == "__main__":
    with rhd_match.i18n.use_language(language()):
        sys.exit(main())
