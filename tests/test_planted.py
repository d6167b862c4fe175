"""Each bug of :data:`planted.PLANTS`, planted in a copy of the package, fails its tests.

The bugs are ones an audit planted and the suite once missed (issue: tests that catch bugs).
Exit code 1 is pytest's "tests failed"; anything else (an import error, no test collected) is
not a catch.
"""

from __future__ import annotations

import pytest
from planted import PLANTS, run_plant


@pytest.mark.parametrize("name", list(PLANTS))
def test_planted_bug_is_caught(name: str) -> None:
    assert run_plant(PLANTS[name]) == 1
