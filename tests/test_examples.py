"""Every script of ``examples/`` runs with ``--small`` and prints what it promises.

Each runs in its own interpreter (``sys.executable``), from a temporary working directory so
that nothing is written into the repository; together they take about 15 s on 2 cores.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name: str, *args: str, cwd: Path, language: str | None = "en") -> str:
    """The example's standard output, run with ``$RHD_MATCH_LANG`` set to ``language``
    (``None``: unset, the default language)."""
    env = {k: v for k, v in os.environ.items() if k != "RHD_MATCH_LANG"}
    env |= {"PYTHONIOENCODING": "utf-8"} | ({"RHD_MATCH_LANG": language} if language else {})
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name), "--small", "--time-limit", "30", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
    )
    assert done.returncode == 0, f"{name} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_every_example_is_tested() -> None:
    scripts = {p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")}
    assert scripts == {
        "quickstart.py",
        "chamber_workflow.py",
        "adviser_whatif.py",
        "library_use.py",
    }


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.py")), ids=lambda p: p.name)
def test_examples_explain_their_workflow(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.startswith('"""'), f"{path.name} has no module docstring"
    if not path.name.startswith("_"):
        assert "--small" in text.split('"""')[1], f"{path.name}: docstring lacks how to run it"


def test_quickstart(tmp_path: Path) -> None:
    out = run_example("quickstart.py", cwd=tmp_path)
    assert "rhd_match plan — 6 canteens, 10 producers, 6 weeks" in out
    assert "checker: the plan meets every constraint" in out


def test_examples_speak_the_language_of_the_command_line(tmp_path: Path) -> None:
    """What rhd_match says in an example is French by default, as on the command line, and
    follows ``$RHD_MATCH_LANG``; the example's own lines stay English (``_common.py``)."""
    out = run_example("quickstart.py", cwd=tmp_path, language=None)
    assert "plan rhd_match — 6 cantines, 10 producteurs, 6 semaines" in out
    assert "checker: the plan meets every constraint" in out


def test_chamber_workflow(tmp_path: Path) -> None:
    folder = tmp_path / "chamber"
    out = run_example("chamber_workflow.py", "--out", str(folder), cwd=tmp_path)
    assert "checker: the plan meets every constraint" in out
    assert f"files to {folder}" in out
    for name in (
        "input/scenario.xlsx",
        "input/parameters.json",
        "tables/flows.csv",
        "reports/report.html",
        "reports/results.xlsx",
        "macantine/declaration.csv",
        "macantine/achats.csv",
        "macantine/order_sheets.csv",
    ):
        assert (folder / name).is_file(), name
    assert not (tmp_path / "out").exists()


def test_adviser_whatif(tmp_path: Path) -> None:
    out = run_example("adviser_whatif.py", cwd=tmp_path)
    assert "canteen C001" in out
    for variant in ("base", "target 30 %", "gardener 5 km", "both"):
        assert f"solved '{variant}'" in out
    assert "the new gardener sells" in out


def test_library_use(tmp_path: Path) -> None:
    out = run_example("library_use.py", cwd=tmp_path)
    assert "first attempt: " in out and "label cell(s) read with a fix" in out
    assert "first attempt: 0 " not in out
    assert "with ma cantine codes: Scenario(products=4, canteens=3, producers=3" in out
    assert "checker: 0 violation(s)" in out
