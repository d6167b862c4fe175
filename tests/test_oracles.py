"""The scenario generator of the optimality and property tests makes the rules bind.

A random tiny scenario is useless to an oracle when no rule decides its optimum (nothing in
reach, capacity never full, no lot ever equal to the quantity available): a bug in that rule
then passes every test. ``tests/oracles.py`` counts, over derandomised draws, the share of
scenarios where each rule binds; this test fails when one falls below its floor.
"""

from __future__ import annotations

from check_factories import binding_specs
from oracles import FLOORS, RULES, measure

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
