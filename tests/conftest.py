"""Shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import profiles  # noqa: F401  (loads the hypothesis profile before any test module)
import pytest
from factories import tiny_frames

from rhd_match import Scenario
from rhd_match.i18n import LANGUAGE_ENV, use_language


@pytest.fixture
def tiny_scenario() -> Scenario:
    """The hand-made tiny scenario of :func:`factories.tiny_frames`, validated."""
    return Scenario.from_frames(**tiny_frames())


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
