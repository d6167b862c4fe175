"""Plant known bugs in a copy of the package, one at a time, and run the tests that must fail.

Each entry of :data:`PLANTS` is a small, plausible bug (a text replacement in one module) and
the tests that must catch it. :func:`run_plant` copies ``rhd_match/``, ``tests/``,
``examples/`` and ``pyproject.toml`` to a temporary folder, applies the replacement there (the
checkout is never touched), makes sure the copy is the package the tests import, runs pytest
on the named tests and returns its exit code: a plant is *caught* when pytest fails.

Run all plants with ``make planted`` (``.venv/bin/python tests/planted.py``); the tests do it too
(``tests/test_planted.py``). A replacement whose original text is no longer in the module
fails loudly: update the plant with the code it targets.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Plant:
    """A bug: in ``module``, ``original`` becomes ``planted``; ``tests`` must then fail."""

    module: str
    original: str
    planted: str
    tests: tuple[str, ...]


PLANTS: dict[str, Plant] = {
    "weekly capacity counted in units instead of kg": Plant(
        "rhd_match/model/constraints.py",
        '[(row, var.cols("x")[on], arcs["kg_per_unit"].to_numpy()[on])],',
        '[(row, var.cols("x")[on], np.ones(int(on.sum())))],',
        ("tests/test_unmet.py",),
    ),
    "arc dropped when a minimum lot equals the quantity available": Plant(
        "rhd_match/model/index.py",
        "fits = o_lot[offer] <= ub",
        "fits = o_lot[offer] < ub",
        ("tests/test_optimality.py::test_a_lot_equal_to_the_quantity_available_is_bought",),
    ),
    "checker ignores producer lines wrongly flagged not local": Plant(
        "rhd_match/check/line_rules.py",
        'wrong = known & ((flagged & ~ln["local_high"].to_numpy()) | (~flagged & ln["local_low"]))',
        'wrong = known & (flagged & ~ln["local_high"].to_numpy())',
        ("tests/test_check.py::test_each_violation_is_found",),
    ),
    "product weighing 0 kg accepted by validation": Plant(
        "rhd_match/inputs/schema.py",
        'Column("kg_per_unit", "float", N_("Weight of one unit."), unit="kg/unit", positive=True),',
        'Column("kg_per_unit", "float", N_("Weight of one unit."), unit="kg/unit", minimum=0.0),',
        ("tests/test_validation_rules.py",),
    ),
    "two reasons of unmet demand swapped": Plant(
        "rhd_match/model/unmet.py",
        '["franco", "no_offer_in_range", "offer_exhausted", "capacity", "drops", "franco"],',
        '["franco", "no_offer_in_range", "offer_exhausted", "drops", "capacity", "franco"],',
        ("tests/test_unmet.py",),
    ),
    "canteens meeting the organic target counted from the quality share": Plant(
        "rhd_match/plan/tables.py",
        '"canteens_meeting_organic": int(canteens["meets_organic"].sum()),',
        '"canteens_meeting_organic": int(canteens["meets_quality"].sum()),',
        ("tests/test_check.py::test_solved_summary_counts_meet_each_target_on_its_own_share",),
    ),
}


def run_plant(plant: Plant, quiet: bool = True) -> int:
    """Exit code of pytest on ``plant.tests`` against a copy of the package with the bug."""
    with tempfile.TemporaryDirectory(prefix="rhd-plant-") as tmp:
        copy = Path(tmp)
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", "artifacts")
        for name in ("rhd_match", "tests", "examples", "benchmarks"):  # tests import benchmarks
            shutil.copytree(ROOT / name, copy / name, ignore=ignore)
        shutil.copy2(ROOT / "pyproject.toml", copy / "pyproject.toml")
        target = copy / plant.module
        text = target.read_text(encoding="utf-8")
        if text.count(plant.original) != 1:
            raise ValueError(f"{plant.module}: the text to replace is not found once: update it")
        target.write_text(text.replace(plant.original, plant.planted), encoding="utf-8")
        env = os.environ | {"RHD_MATCH_SKIP_BROWSER": "1"}
        # The copy, not the checkout, must be what the tests import (it is first on sys.path
        # as the current directory of `python -m`).
        where = subprocess.run(
            [sys.executable, "-c", "import rhd_match; print(rhd_match.__file__)"],
            cwd=copy, env=env, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        if not Path(where).resolve().is_relative_to(copy.resolve()):
            raise RuntimeError(f"the tests would import {where}, not the planted copy")
        args = ["-x", "-q", "-p", "no:cacheprovider", *plant.tests]
        done = subprocess.run(
            [sys.executable, "-m", "pytest", *args],
            cwd=copy, env=env, capture_output=quiet, text=True,
        )  # fmt: skip
        return done.returncode


def main() -> int:
    missed = []
    for name, plant in PLANTS.items():
        code = run_plant(plant)
        caught = code not in (0, 5)  # 5: no test collected, which catches nothing
        print(f"{'caught' if caught else 'MISSED'}: {name} (pytest exit {code})", flush=True)
        if not caught:
            missed.append(name)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
