"""Quick start: load a scenario, solve it, check the plan independently, print what it gives.

Workflow:

1. load the embedded Lens-Liévin demo (``Scenario.demo()``), or with ``--small`` a generated
   6-canteen scenario (``rhd_match.generate.generate_scenario``); loading validates every table
   and keeps odd-but-allowed inputs in ``scenario.warnings``;
2. ``scenario.solve(time_limit_s=...)`` builds the allocation model and solves it with OR-Tools;
3. ``rhd_match.check(scenario, solution)`` recomputes every rule from the plan's flows and
   returns one row per violation (empty for a valid plan);
4. print the territory summary (EGalim shares before and after, cost, solver status), the
   canteens farthest from their organic target and the plan's largest producer deliveries.

Run from the repository root::

    python examples/quickstart.py --small    # seconds
    python examples/quickstart.py            # the demo: under a minute on 2 cores
"""

from __future__ import annotations

import sys

import pandas as pd
from _common import language, load, parser

import rhd_match


def main(argv: list[str] | None = None) -> int:
    args = parser(__doc__).parse_args(argv)

    scenario = load(args.small)
    print(f"loaded {scenario!r}, {len(scenario.warnings)} warning(s)")
    for warning in scenario.warnings[:5]:
        print(f"  {warning}")

    solution = scenario.solve(time_limit_s=args.time_limit)
    print()
    print(solution)

    violations = rhd_match.check(scenario, solution)
    if not violations.empty:
        print(f"\nchecker: {len(violations)} violation(s)", file=sys.stderr)
        print(violations.head(20).to_string(), file=sys.stderr)
        return 1
    print("\nchecker: the plan meets every constraint (independent recomputation)")

    with pd.option_context("display.width", 120, "display.max_columns", 20):
        print("\ncanteens farthest from the organic target (shares are fractions of value):")
        worst = solution.canteens.sort_values("shortfall_organic_eur_ht", ascending=False)
        columns = ["canteen_id", "share_local", "share_organic", "share_quality"]
        columns += ["meets_quality", "shortfall_organic_eur_ht"]
        print(worst[columns].head(5).to_string(index=False, float_format=lambda x: f"{x:,.3f}"))
        print("\nlargest deliveries from producers (kg over the horizon):")
        bought = solution.flows[solution.flows["supplier"] == "producer"]
        pairs = bought.groupby(["producer_id", "canteen_id"], as_index=False)[
            ["qty_kg", "value_eur_ht"]
        ].sum()
        print(
            pairs.nlargest(5, "qty_kg").to_string(index=False, float_format=lambda x: f"{x:,.1f}")
        )
    return 0


if __name__ == "__main__":
    with rhd_match.i18n.use_language(language()):
        sys.exit(main())
