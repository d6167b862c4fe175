"""Where ``build_model`` spends its time and memory, and the numpy/scipy floor it is held to.

:func:`profile_build` runs the steps of :func:`rhd_match.model.build.build_model` one by one
(the same functions, in the same order) and records, after each, the wall time (s), the
resident memory now and the peak so far (GB). ``build_index``'s two large helpers (``_arcs``:
offer × canteen pairs with the minimum lot and franco reductions; ``_drops``) are timed inside
it. Progress lines go to stderr, so a step that runs out of memory is named in the report.

:func:`csr_floor` is the floor of the issue: the time to assemble the same CSR matrix from its
precomputed triplets with scipy alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import scipy.sparse as sp

from rhd_match.inputs.scenario import Scenario
from rhd_match.model import build as build_module
from rhd_match.model import constraints as cons
from rhd_match.model import index as index_module
from rhd_match.model.objective import define_objective
from rhd_match.model.variables import define_variables

from .measure import current_rss_gb, peak_rss_gb, progress

#: The constraint families of ``define_all_constraints``, in its order.
FAMILY_FUNCTIONS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("demand", cons.define_demand_constraints),
    ("offer", cons.define_offer_constraints),
    ("capacity", cons.define_capacity_constraints),
    ("drops", cons.define_drop_count_constraints),
    ("drop_link", cons.define_drop_link_constraints),
    ("franco", cons.define_franco_constraints),
    ("lot", cons.define_lot_constraints),
    ("egalim (3 families)", cons.define_egalim_constraints),
    ("budget", cons.define_budget_constraints),
)


class _Steps:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, step: str, seconds: float, **extra: Any) -> None:
        row = {
            "step": step,
            "time_s": seconds,
            "rss_gb": current_rss_gb(),
            "peak_gb": peak_rss_gb(),
            **extra,
        }
        self.rows.append(row)
        progress(f"build: {step}", time_s=round(seconds, 3), **extra)

    @contextmanager
    def step(self, name: str, **extra: Any) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.add(name, time.perf_counter() - started, **extra)


@contextmanager
def _timing_helpers(steps: _Steps) -> Iterator[None]:
    """Time ``index._arcs`` and ``index._drops`` while ``build_index`` runs."""
    originals = {name: getattr(index_module, name) for name in ("_arcs", "_drops")}

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed_fn(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            out = fn(*args, **kwargs)
            rows = out[0] if isinstance(out, tuple) else out  # _arcs: (arcs, demand rows)
            extra = {"rows": len(rows)} if hasattr(rows, "__len__") else {}
            steps.add(f"  index.{name}", time.perf_counter() - started, **extra)
            return out

        return timed_fn

    try:
        for name, fn in originals.items():
            setattr(index_module, name, wrap(name, fn))
        yield
    finally:
        for name, fn in originals.items():
            setattr(index_module, name, fn)


def profile_build(scenario: Scenario) -> dict[str, Any]:
    """Build the model of ``scenario`` step by step; steps, sizes and total time (s)."""
    steps = _Steps()
    params = scenario.parameters
    started = time.perf_counter()
    with _timing_helpers(steps), steps.step("build_index (total)"):
        index = index_module.build_index(scenario)
    progress("index built", arcs=len(index.arcs), drops=len(index.drops))
    with steps.step("define_variables"):
        variables = define_variables(index, params)
    blocks: list[cons.Rows] = []
    for name, fn in FAMILY_FUNCTIONS:
        with steps.step(f"constraints: {name}"):
            out = fn(index, variables)
            blocks.extend(out if isinstance(out, list) else [out])
    with steps.step("stack into CSR (_stack)"):
        matrix, _lower, _upper, _families = build_module._stack(blocks, variables.count)
    del blocks
    with steps.step("define_objective"):
        define_objective(index, variables, params.weights)
    total = time.perf_counter() - started
    return {
        "steps": steps.rows,
        "total_s": total,
        "arcs": len(index.arcs),
        "drops": len(index.drops),
        "variables": variables.count,
        "constraints": int(matrix.shape[0]),
        "nonzeros": int(matrix.nnz),
    }


def csr_floor(matrix: sp.csr_matrix, repeats: int = 3) -> dict[str, float]:
    """Best of ``repeats`` timings (s) of assembling ``matrix`` from its COO triplets with scipy:
    ``csr_matrix((data, (row, col)), shape)`` then ``sum_duplicates()``, as the floor any
    sparse-matrix builder pays; and of the plain COO → CSR conversion alone."""
    coo = matrix.tocoo()
    data, row, col = coo.data.copy(), coo.row.astype(np.int64), coo.col.astype(np.int64)
    shape = matrix.shape
    best, best_convert = float("inf"), float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        built = sp.csr_matrix((data, (row, col)), shape=shape)
        built.sum_duplicates()
        best = min(best, time.perf_counter() - started)
        started = time.perf_counter()
        sp.coo_matrix((data, (row, col)), shape=shape).tocsr()
        best_convert = min(best_convert, time.perf_counter() - started)
        del built
    return {"floor_csr_s": best, "floor_coo_to_csr_s": best_convert}
