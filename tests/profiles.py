"""Hypothesis profiles: deterministic in CI, larger for a nightly or manual run.

``RHD_MATCH_HYPOTHESIS_PROFILE`` picks one (``ci`` when unset):

* ``ci``: derandomised (the same examples on every run and machine), no example database, so
  a test that passes once passes always and a failure reproduces anywhere;
* ``nightly``: random, ten times the examples, failures saved in ``.hypothesis/`` and replayed;
* ``dev``: random, the ``ci`` example counts (to look for new failures while developing).

Tests give their example counts through :func:`examples`, which scales them by the profile.

Hypothesis also draws, now and then, constants found in the source of the local modules
already imported (here the ``rhd_match`` modules; ``tests/`` is skipped). Which modules a
test selection imports would then change every later draw, even derandomised: the same
property test drew other scenarios alone than inside the whole suite. So every ``rhd_match``
module is imported here, before any test: the pool, and the draws, depend on the code alone.
"""

from __future__ import annotations

import importlib
import os
import pkgutil

from hypothesis import HealthCheck, settings

import rhd_match

for _module in pkgutil.walk_packages(rhd_match.__path__, "rhd_match."):
    if not _module.name.endswith(".__main__"):  # a command, not a module
        importlib.import_module(_module.name)

_SUPPRESS = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]
_SCALE = {"ci": 1, "dev": 1, "nightly": 10}

settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, suppress_health_check=_SUPPRESS
)
settings.register_profile("dev", deadline=None, suppress_health_check=_SUPPRESS)
settings.register_profile("nightly", deadline=None, suppress_health_check=_SUPPRESS)

PROFILE = os.environ.get("RHD_MATCH_HYPOTHESIS_PROFILE", "ci")
if PROFILE not in _SCALE:
    raise ValueError(f"RHD_MATCH_HYPOTHESIS_PROFILE={PROFILE!r}: use one of {', '.join(_SCALE)}")
settings.load_profile(PROFILE)


def examples(n: int) -> int:
    """``n`` examples in the ``ci`` and ``dev`` profiles, ten times as many in ``nightly``."""
    return n * _SCALE[PROFILE]
