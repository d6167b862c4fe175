"""The scenario generator of the optimality and property tests makes the rules bind.

A random tiny scenario is useless to an oracle when no rule decides its optimum (nothing in
reach, capacity never full, no lot ever equal to the quantity available): a bug in that rule
then passes every test. ``tests/oracles.py`` counts, over derandomised draws, the share of
scenarios where each rule binds; this test fails when one falls below its floor.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

from check_factories import binding_specs, first_draws
from oracles import FLOORS, RULES, measure

import rhd_match

DRAWS = 40


def test_every_rule_binds_often_enough() -> None:
    counts, kept = measure(binding_specs(), DRAWS)
    assert kept >= DRAWS // 2, kept
    shares = {rule: counts[rule] / kept for rule in RULES}
    low = {
        rule: f"{shares[rule]:.0%} < {FLOORS[rule]:.0%}"
        for rule in RULES
        if shares[rule] < FLOORS[rule]
    }
    assert not low, low


def test_draws_do_not_depend_on_the_modules_a_selection_imports() -> None:
    """Hypothesis draws, now and then, constants from the source of the local modules already
    imported: the same derandomised property test once drew other scenarios alone than inside
    the whole suite (``tests/profiles.py`` now imports every module first). A fresh process
    that imports only the generator must draw what this one draws with every module
    imported."""
    for module in pkgutil.walk_packages(rhd_match.__path__, "rhd_match."):
        if not module.name.endswith(".__main__"):
            importlib.import_module(module.name)
    importlib.import_module("benchmarks.__main__")
    tests = Path(__file__).parent
    script = (
        f"import sys; sys.path.insert(0, {str(tests)!r}); import json, profiles, check_factories;"
        " print(json.dumps(check_factories.first_draws(100)))"
    )
    fresh = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300
    )
    assert json.loads(fresh.stdout.splitlines()[-1]) == first_draws(100)
