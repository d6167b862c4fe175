"""Using rhd_match from another tool: tables in, tables out, no files.

Another tool of a territorial food project (PAT) — a producer directory, an ordering platform,
a dashboard — already holds canteens, farms and orders in its own records. It uses rhd_match as
a library:

1. turn its records into the five input tables, as pandas DataFrames with the columns of
   ``docs/input-format.md`` (products, canteens, producers, offers, demand; weeks are ISO weeks
   ``2026-W37``, labels *ma cantine* codes, money in EUR HT);
2. ``Scenario.from_frames(...)`` validates them: an invalid table raises one
   ``rhd_match.ScenarioError`` whose ``.problems`` list every problem (table, row with the
   header as row 1, column, message) — shown here with a label the tool spelled its own way;
3. solve, then read the result tables: ``solution.flows`` (who delivers what to whom, each
   week, conventional purchases included) and ``solution.canteens`` (EGalim shares, targets,
   shortfalls, budget use per canteen);
4. recompute what it needs with the same functions rhd_match uses: the *ma cantine*
   declaration fields with ``rhd_match.egalim_accounting``, and every rule of the plan with the
   independent checker ``rhd_match.check``.

The tables are built by hand: three canteens, three farms, four products, 12 ISO weeks from
2026-W37 (``--small``: 2 weeks).

Run from the repository root::

    python examples/library_use.py --small
"""

from __future__ import annotations

import sys

import pandas as pd
from _common import language, parser

import rhd_match

# -- the other tool's own records ---------------------------------------------------------------

SCHOOLS = [  # id, name, latitude, longitude, meals per week, yearly budget (EUR HT) or None
    ("LENS-JAURES", "École Jean Jaurès, Lens", 50.4322, 2.8333, 800, None),
    ("LIEVIN-HUGO", "Collège Victor Hugo, Liévin", 50.4230, 2.7780, 2000, None),
    ("HENIN-EHPAD", "EHPAD Les Tilleuls, Hénin-Beaumont", 50.4217, 2.9508, 1400, None),
]
FARMS = [  # id, name, lat, lon, kg/week, drops/week, radius km, franco EUR HT, certification
    ("FERME-BIO", "Les Jardins de la Souchez", 50.3900, 2.7400, 400, 4, 25, 60, "bio"),
    ("LAITERIE", "Laiterie du Bois", 50.5000, 2.9000, 600, 6, 30, 80, "fermier"),
    ("VOLAILLES", "Volailles de l'Artois", 50.3000, 2.7700, 300, 3, 40, 100, "label rouge"),
]
# what each farm sells: product, quantity per week (product unit), price EUR HT per unit
CATALOGUE = {
    "FERME-BIO": [("carrot", 150, 2.10), ("apple", 200, 2.60)],
    "LAITERIE": [("yogurt", 2500, 0.42)],
    "VOLAILLES": [("chicken", 60, 9.20)],
}
PRODUCTS = [  # id, name, ma cantine family, unit, kg per unit, reference EUR HT/unit, per meal
    ("carrot", "Carotte", "FRUITS_ET_LEGUMES", "kg", 1.0, 1.30, 0.05),
    ("apple", "Pomme", "FRUITS_ET_LEGUMES", "kg", 1.0, 1.80, 0.06),
    ("yogurt", "Yaourt nature", "PRODUITS_LAITIERS", "piece", 0.125, 0.32, 0.5),
    ("chicken", "Cuisse de poulet", "VIANDES_VOLAILLES", "kg", 1.0, 7.50, 0.03),
]
# the tool's certification names → ma cantine label codes (docs/egalim.md)
LABEL_CODES = {"bio": "BIO", "fermier": "FERMIER", "label rouge": "LABEL_ROUGE"}


def frames(weeks: list[str], labels: dict[str, str]) -> dict[str, pd.DataFrame]:
    """The five input tables from the records above."""
    products = pd.DataFrame(
        [p[:6] for p in PRODUCTS],
        columns=["product_id", "name", "family", "unit", "kg_per_unit", "reference_price_eur_ht"],
    )
    canteens = pd.DataFrame(
        [s[:4] for s in SCHOOLS], columns=["canteen_id", "name", "lat", "lon"]
    ).assign(budget_eur_ht=[s[5] for s in SCHOOLS])
    producers = pd.DataFrame(
        [f[:8] for f in FARMS],
        columns=[
            "producer_id",
            "name",
            "lat",
            "lon",
            "delivery_capacity_kg_per_week",
            "max_drops_per_week",
            "delivery_radius_km",
            "min_order_eur_ht",
        ],
    )
    offers = pd.DataFrame(
        [
            (farm[0], product, week, qty, price, labels[farm[8]])
            for farm in FARMS
            for product, qty, price in CATALOGUE[farm[0]]
            for week in weeks
        ],
        columns=["producer_id", "product_id", "week", "qty", "price_eur_ht", "labels"],
    )
    demand = pd.DataFrame(
        [
            (school[0], product[0], week, round(school[4] * product[6] / product[4], 1))
            for school in SCHOOLS
            for product in PRODUCTS
            for week in weeks
        ],
        columns=["canteen_id", "product_id", "week", "qty"],
    )
    return {
        "products": products,
        "canteens": canteens,
        "producers": producers,
        "offers": offers,
        "demand": demand,
    }


def main(argv: list[str] | None = None) -> int:
    args = parser(__doc__).parse_args(argv)
    weeks = [f"2026-W{n:02d}" for n in range(37, 39 if args.small else 49)]

    # 1-2. A first attempt passes the tool's own certification names ('bio', 'label rouge'):
    # each is read as the one ma cantine code it can mean, with a warning naming its cell.
    first = rhd_match.Scenario.from_frames(**frames(weeks, {k: k for k in LABEL_CODES}))
    fixed = [w for w in first.warnings if w.column == "labels"]
    print(f"first attempt: {len(fixed)} label cell(s) read with a fix, e.g.")
    for problem in fixed[:3]:
        print(f"  {problem.table}, row {problem.row}, {problem.column}: {problem.message}")
    scenario = rhd_match.Scenario.from_frames(**frames(weeks, LABEL_CODES))
    print(f"with ma cantine codes: {scenario!r}")

    # 3. Solve; read the result tables.
    solution = scenario.solve(time_limit_s=args.time_limit)
    flows = solution.flows
    print(f"\nsolver status {solution.status}; {len(flows)} purchase lines")
    with pd.option_context("display.width", 120, "display.max_columns", 20):
        print("\nvalue bought per canteen and supplier, EUR HT (solution.flows):")
        by_supplier = flows.pivot_table(
            index="canteen_id",
            columns="supplier",
            values="value_eur_ht",
            aggfunc="sum",
            fill_value=0.0,
        )
        print(by_supplier.round(2).to_string())
        print("\nweek 2026-W37, deliveries from farms:")
        week = flows[(flows["week"] == "2026-W37") & (flows["supplier"] == "producer")]
        print(
            week[["producer_id", "canteen_id", "product_id", "qty", "value_eur_ht", "labels"]]
            .sort_values(["producer_id", "canteen_id"])
            .to_string(index=False, float_format=lambda x: f"{x:,.2f}")
        )
        print("\nEGalim per canteen (solution.canteens, shares are fractions):")
        columns = ["canteen_id", "share_local", "share_organic", "share_quality"]
        columns += ["share_meat_fish", "meets_quality", "meets_organic", "meets_meat_fish"]
        print(solution.canteens[columns].to_string(index=False, float_format=lambda x: f"{x:.3f}"))

        # 4. The same accounting as the declaration, and the independent checker.
        figures = rhd_match.egalim_accounting(flows, by="canteen_id")
        print("\nma cantine declaration fields (rhd_match.egalim_accounting), EUR HT:")
        print(
            figures[["valeur_totale", "valeur_bio", "valeur_siqo", "valeur_egalim_autres"]]
            .round(2)
            .to_string()
        )
    violations = rhd_match.check(scenario, solution)
    print(f"\nchecker: {len(violations)} violation(s)")
    return 0 if violations.empty else 1


if __name__ == "__main__":
    with rhd_match.i18n.use_language(language()):
        sys.exit(main())
