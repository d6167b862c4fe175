"""How often each rule of the model binds in the scenarios the oracles are tested on.

A rule *binds* in a scenario when it decides the exact optimum (``brute_force.py``): relaxing
it (capacity to 10⁹ kg, franco to 0, ten drops a week, no minimum lots) strictly improves the
objective. :data:`RULES` names what is counted; :func:`measure` draws scenarios from a
hypothesis strategy (derandomised: the same draws on every run) and counts, per rule, the
draws where it binds. ``tests/test_oracles.py`` fails when a share of the generator the
optimality and property tests use (:func:`check_factories.binding_specs`) falls below its
floor in :data:`FLOORS`.

The committed report ``tests/ORACLES.md`` is written by::

    .venv/bin/python tests/oracles.py [draws]     # make oracles (default 100 draws)

It compares :func:`check_factories.binding_specs` with the independent draws of
:func:`check_factories.tiny_specs`.
"""

from __future__ import annotations

import math
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from brute_force import BruteForce, arc_count, brute_force, count_assignments
from check_factories import binding_specs, scenario_of, tiny_specs
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from rhd_match import Scenario
from rhd_match.check import canteen_figures
from rhd_match.inputs.schema import CEILINGS

MAX_ASSIGNMENTS = 300

RULES: dict[str, str] = {
    "reachable": "some producer can deliver some demand row (at least one arc)",
    "local_bought": "the optimum buys from a producer",
    "capacity_kg": "weekly capacity binds, at a producer-week delivering products of ≠ 1 kg/unit",
    "lot_is_qty": "the optimum delivers an offer's whole quantity as a minimum lot equal to it",
    "lot": "minimum lots bind",
    "franco": "franco bites",
    "drops": "the weekly number of drops binds",
    "target_met": "a canteen meets a positive quality or organic target",
    "target_missed": "a canteen misses an EGalim target",
}

#: Least share of draws of :func:`check_factories.binding_specs` where each rule binds.
FLOORS: dict[str, float] = {
    "reachable": 0.75,
    "local_bought": 0.5,
    "capacity_kg": 0.1,
    "lot_is_qty": 0.1,
    "lot": 0.1,
    "franco": 0.1,
    "drops": 0.08,
    "target_met": 0.4,
    "target_missed": 0.5,
}


def _with(sc: Scenario, **tables: pd.DataFrame) -> Scenario:
    return Scenario(**(sc.tables | tables), parameters=sc.parameters)


def _improves(sc: Scenario, best: BruteForce, relaxed: Scenario) -> bool:
    other = brute_force(relaxed).objective
    return other < best.objective - 1e-6 * max(1.0, abs(best.objective))


def binding_rules(sc: Scenario, best: BruteForce) -> set[str]:
    """The rules of :data:`RULES` that bind in ``sc``, whose exact optimum is ``best``."""
    found: set[str] = set()
    if arc_count(sc) > 0:
        found.add("reachable")
    if not math.isfinite(best.objective):
        return found
    flows = best.flows
    local = flows[flows["supplier"] == "producer"]
    if not local.empty:
        found.add("local_bought")
    producers, offers = sc.producers, sc.offers
    cap = producers.set_index("producer_id")["delivery_capacity_kg_per_week"]
    load = local.groupby(["producer_id", "week"]).agg(
        kg=("qty_kg", "sum"),
        heavy=("qty_kg", lambda s: bool((s != local.loc[s.index, "qty"]).any())),
    )
    at_cap = load[load["kg"] >= load.index.get_level_values(0).map(cap) - 1e-6]
    if at_cap["heavy"].any() and _improves(
        sc,
        best,
        _with(sc, producers=producers.assign(delivery_capacity_kg_per_week=CEILINGS["kg/week"])),
    ):
        found.add("capacity_kg")
    lots = offers.dropna(subset=["min_lot_qty"])
    whole = lots[(lots["min_lot_qty"] - lots["qty"]).abs() <= 1e-9]
    sold = local.merge(whole, on=["producer_id", "product_id", "week"], suffixes=("", "_offer"))
    if ((sold["qty"] - sold["qty_offer"]).abs() <= 1e-6).any():
        found.add("lot_is_qty")
    if not lots.empty and _improves(
        sc, best, _with(sc, offers=offers.assign(min_lot_qty=float("nan")))
    ):
        found.add("lot")
    if (producers["min_order_eur_ht"] > 0).any() and _improves(
        sc, best, _with(sc, producers=producers.assign(min_order_eur_ht=0.0))
    ):
        found.add("franco")
    if (producers["max_drops_per_week"] < len(sc.canteens)).any() and _improves(
        sc, best, _with(sc, producers=producers.assign(max_drops_per_week=10))
    ):
        found.add("drops")
    figures = canteen_figures(sc, flows)
    for name in ("quality", "organic"):
        met = figures[f"meets_{name}"] & (figures[f"target_{name}"] > 0)
        if (met & (figures["value_eur_ht"] > 0)).any():
            found.add("target_met")
    shortfall = figures[[f"shortfall_{n}_eur_ht" for n in ("quality", "organic", "meat_fish")]]
    if (shortfall.to_numpy() > 1e-6).any():
        found.add("target_missed")
    return found


def measure(specs: st.SearchStrategy[dict[str, Any]], draws: int) -> tuple[Counter[str], int]:
    """Per rule, the number of draws (of ``draws`` kept) where it binds; and ``draws``."""
    counts: Counter[str] = Counter()
    kept = [0]

    @settings(
        max_examples=draws,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(specs)
    def one(spec: dict[str, Any]) -> None:
        sc = scenario_of(spec)
        assume(count_assignments(sc) <= MAX_ASSIGNMENTS)
        kept[0] += 1
        counts.update(binding_rules(sc, brute_force(sc)))

    one()
    return counts, kept[0]


def report(
    draws: int, generators: dict[str, Callable[[], st.SearchStrategy[dict[str, Any]]]]
) -> str:
    """The markdown report of ``tests/ORACLES.md``."""
    rows, seconds = [], {}
    shares: dict[str, dict[str, float]] = {}
    for name, make in generators.items():
        start = time.perf_counter()
        counts, kept = measure(make(), draws)
        seconds[name] = time.perf_counter() - start
        shares[name] = {rule: counts[rule] / max(kept, 1) for rule in RULES}
        shares[name]["_kept"] = kept
    names = list(generators)
    rows.append("| rule | what binds | " + " | ".join(f"`{n}`" for n in names) + " | floor |")
    rows.append("|---|---|" + "---:|" * len(names) + "---:|")
    for rule, what in RULES.items():
        cells = " | ".join(f"{100 * shares[n][rule]:.0f} %" for n in names)
        rows.append(f"| `{rule}` | {what} | {cells} | {100 * FLOORS[rule]:.0f} % |")
    kept = ", ".join(f"`{n}` {int(shares[n]['_kept'])}" for n in names)
    took = ", ".join(f"`{n}` {seconds[n]:.0f} s" for n in names)
    return (
        "# Binding shares of the oracles' scenario generators\n\n"
        "Written by `make oracles` (`.venv/bin/python tests/oracles.py "
        f"{draws}`); do not edit by hand. {draws} derandomised hypothesis draws per generator, "
        f"those with at most {MAX_ASSIGNMENTS} drop and lot assignments kept ({kept}). A rule "
        "binds when relaxing it strictly improves the exact optimum (brute force); definitions "
        "in `tests/oracles.py`. `binding_specs` feeds the optimality and property tests; "
        "`tests/test_oracles.py` fails when one of its shares falls below the floor.\n\n"
        + "\n".join(rows)
        + f"\n\nTime to measure (shared, loaded machine; noisy): {took}.\n"
    )


def main(argv: list[str]) -> None:
    draws = int(argv[1]) if len(argv) > 1 else 100
    text = report(draws, {"binding_specs": binding_specs, "tiny_specs": tiny_specs})
    Path(__file__).with_name("ORACLES.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main(sys.argv)
