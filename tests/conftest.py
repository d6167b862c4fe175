"""Shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import profiles  # noqa: F401  (loads the hypothesis profile before any test module)
import pytest
from factories import tiny_frames

from rhd_match import Scenario, Solution
from rhd_match.generate import generate_scenario
from rhd_match.i18n import LANGUAGE_ENV, use_language


@pytest.fixture
def tiny_scenario() -> Scenario:
    """The hand-made tiny scenario of :func:`factories.tiny_frames`, validated."""
    return Scenario.from_frames(**tiny_frames())


@pytest.fixture(scope="session")
def tiny() -> tuple[Scenario, Solution]:
    """The tiny scenario and its exact plan (the reports' tests only read them)."""
    scenario = Scenario.from_frames(**tiny_frames())
    return scenario, scenario.solve(strategy="mip", time_limit_s=30, threads=1)


@pytest.fixture(scope="session")
def small() -> tuple[Scenario, Solution]:
    """Six canteens, ten producers, 15 products over a year, and their exact plan: every
    chart and sheet of the reports has data."""
    scenario = generate_scenario(n_canteens=6, n_producers=10, n_products=15, seed=3)
    # The weighted objective: its plan has a bound and a gap, whose cells are checked too.
    return scenario, scenario.solve(
        strategy="mip", time_limit_s=30, threads=1, objective="weighted"
    )


@pytest.fixture(scope="session", autouse=True)
def english_command_line() -> Iterator[None]:
    """Command-line tests read the messages in English, the source language (``--lang`` and
    its environment variable are the documented ways to choose); tests of the default
    language, French, delete the variable (``tests/test_i18n.py``)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(LANGUAGE_ENV, "en")
        yield


@pytest.fixture
def english_messages() -> Iterator[None]:
    """Validation messages in English, the source language, for tests that read their words
    (the library writes them in the active language, French by default; the French ones are
    checked in ``tests/test_template.py``). Modules use it with ``pytestmark``."""
    with use_language("en"):
        yield


@pytest.fixture
def good_folder(tmp_path: Path) -> Path:
    """The tiny scenario written as a folder of CSV files."""
    folder = tmp_path / "good"
    Scenario.from_frames(**tiny_frames()).to_folder(folder)
    return folder
