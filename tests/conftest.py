"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import profiles  # noqa: F401  (loads the hypothesis profile before any test module)
import pytest
from factories import tiny_frames

from rhd_match import Scenario


@pytest.fixture
def tiny_scenario() -> Scenario:
    """The hand-made tiny scenario of :func:`factories.tiny_frames`, validated."""
    return Scenario.from_frames(**tiny_frames())


@pytest.fixture
def good_folder(tmp_path: Path) -> Path:
    """The tiny scenario written as a folder of CSV files."""
    folder = tmp_path / "good"
    Scenario.from_frames(**tiny_frames()).to_folder(folder)
    return folder
