"""Many territories at once: a list of scenarios solved one after the other, or on a Dask
cluster, one territory per task (``docs/distributed.md``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..cluster import dask_client
from ..inputs.scenario import Scenario
from ..params import solver_options
from ..plan.solution import Solution
from .solve import solve


def solve_many(
    scenarios: Sequence[Scenario], dask: str | None = None, **options: Any
) -> list[Solution]:
    """Solve every scenario with the same options; the solutions in the scenarios' order.

    With ``dask`` each territory is one task on the cluster: the scenario's tables travel to a
    worker, its ``Solution`` comes back, and the weekly LPs of each solve run on that worker's
    threads (``threads``). ``time_limit_s`` holds for each solve, not for the whole list.

    Parameters
    ----------
    scenarios
        The territories, each a validated scenario.
    dask
        ``None`` solves them here, one after the other; ``"local:N"`` starts a local cluster of
        N workers for the call; any other value is a running scheduler's address.
    **options
        Fields of ``SolverOptions`` for every solve (``strategy``, ``time_limit_s`` in s...),
        ``dask`` excepted.

    Returns
    -------
    list of Solution
        One per scenario, in order; the same as ``scenario.solve(**options)`` gives.

    Raises
    ------
    OptionError
        Before any solve, when an option is unknown or invalid, or no scheduler answers at
        ``dask``.
    InfeasibleError
        In hard mode, when a scenario has no plan meeting every hard target.
    """
    # A territory's weeks run where the territory does: no cluster inside a cluster.
    options = options | {"dask": None}
    for scenario in scenarios:
        solver_options(scenario.parameters.solver, options)
    if dask is None:
        return [solve(scenario, **options) for scenario in scenarios]
    with dask_client(dask) as client:
        futures = [client.submit(solve, s, None, pure=False, **options) for s in scenarios]
        return [f.result() for f in futures]
