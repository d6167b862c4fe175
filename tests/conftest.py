"""Shared fixtures."""

from __future__ import annotations

import pytest

from rhd_match import Scenario
from factories import tiny_frames


@pytest.fixture
def tiny_scenario() -> Scenario:
    """The hand-made tiny scenario of :func:`factories.tiny_frames`, validated."""
    return Scenario.from_frames(**tiny_frames())
