"""Hypothesis profiles: deterministic in CI, larger for a nightly or manual run.

``RHD_MATCH_HYPOTHESIS_PROFILE`` picks one (``ci`` when unset):

* ``ci``: derandomised (the same examples on every run and machine), no example database, so
  a test that passes once passes always and a failure reproduces anywhere;
* ``nightly``: random, ten times the examples, failures saved in ``.hypothesis/`` and replayed;
* ``dev``: random, the ``ci`` example counts (to look for new failures while developing).

Tests give their example counts through :func:`examples`, which scales them by the profile.

Hypothesis also draws, now and then, constants found in the source of the local modules
already imported (here ``rhd_match`` and ``benchmarks``; ``tests/`` is skipped). Which modules
a test selection imports would then change every later draw, even derandomised: the same
property test could draw other scenarios alone than inside the whole suite. So every module of
both packages is imported here, before any test: the pool, and the draws, depend on the code
alone.
"""

from __future__ import annotations

import importlib
import os
import pkgutil

from hypothesis import HealthCheck, settings

import benchmarks
import rhd_match

#: Entry points that run their command when imported.
_COMMANDS = {"rhd_match.generate.__main__"}
for _package in (rhd_match, benchmarks):
    for _module in pkgutil.walk_packages(_package.__path__, f"{_package.__name__}."):
        if _module.name not in _COMMANDS:
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
