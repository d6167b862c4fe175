"""Run one linear or mixed-integer model through OR-Tools' model_builder, vectorised.

The whole sparse matrix is handed over in one call
(``ModelBuilderHelper.fill_model_from_sparse_data``) and values are read back as arrays, so
no Python call is made per variable (except to mark integer columns in a MIP).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder_helper as mbh

#: model_builder status codes (``SolveStatus``) → our words.
STATUS_WORDS = {
    0: "optimal",
    1: "feasible",
    2: "infeasible",
    3: "unbounded",
    4: "abnormal",
    5: "not_solved",
    6: "model_is_valid",
    7: "cancelled",
    8: "unknown",
    9: "model_invalid",
    10: "invalid_parameters",
    11: "solver_unavailable",
    12: "incompatible_options",
}


@dataclass(frozen=True)
class SolverRun:
    """What one solver call returned. ``values`` is None when no point was found."""

    solver: str
    status: str
    values: np.ndarray | None
    objective: float
    bound: float
    duals: np.ndarray | None
    wall_time_s: float

    @property
    def has_solution(self) -> bool:
        return self.values is not None


@dataclass(frozen=True)
class LinearProgram:
    """``min c·x  s.t.  row_lower ≤ A x ≤ row_upper,  lower ≤ x ≤ upper``, x_j integer where
    ``integer`` is true: the one value handed to a solver.

    ``matrix`` A: (rows × columns) sparse; ``objective`` c, ``lower``, ``upper``: per column;
    ``row_lower``, ``row_upper``: per row (±inf when a side is open); ``integer``: per column,
    or ``None`` for a linear program.
    """

    matrix: sp.csr_matrix
    objective: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray | None = None

    @property
    def is_mip(self) -> bool:
        return self.integer is not None and bool(self.integer.any())

    def with_objective(self, objective: np.ndarray) -> LinearProgram:
        """The same program minimising ``objective`` (one coefficient per column)."""
        return replace(self, objective=objective)

    def with_row(self, coefficients: np.ndarray, lower: float, upper: float) -> LinearProgram:
        """The program with one more row ``lower ≤ coefficients·x ≤ upper``."""
        row = sp.csr_matrix(np.asarray(coefficients, float)[None, :])
        return replace(
            self,
            matrix=sp.csr_matrix(sp.vstack([self.matrix, row], format="csr")),
            row_lower=np.append(self.row_lower, lower),
            row_upper=np.append(self.row_upper, upper),
        )

    def with_columns(self, keep: np.ndarray) -> LinearProgram:
        """The program over the columns ``keep`` selects (mask or positions), others at 0."""
        return replace(
            self,
            matrix=self.matrix[:, keep],
            objective=self.objective[keep],
            lower=self.lower[keep],
            upper=self.upper[keep],
            integer=None if self.integer is None else self.integer[keep],
        )


def load_model(program: LinearProgram) -> Any:
    """A ``ModelBuilderHelper`` holding the program, filled in one call (see the module
    docstring)."""
    model: Any = mbh.ModelBuilderHelper()  # its stubs mistype the numpy arguments
    p = program
    model.fill_model_from_sparse_data(
        *(
            np.asarray(a, dtype=np.float64)
            for a in (p.lower, p.upper, p.objective, p.row_lower, p.row_upper)
        ),
        sp.csr_matrix(p.matrix, dtype=np.float64),
    )
    if p.integer is not None:
        for j in np.flatnonzero(p.integer):
            model.set_var_integrality(int(j), True)
    return model


def run_solver(
    program: LinearProgram,
    solver: str,
    time_limit_s: float,
    threads: int,
    mip_gap: float = 1e-4,
    log: Callable[[str], None] | None = None,
) -> SolverRun:
    """Solve ``program`` with the named OR-Tools solver within ``time_limit_s`` (wall clock)."""
    started = time.perf_counter()
    model = load_model(program)
    is_mip = program.is_mip
    helper = mbh.ModelSolverHelper(solver)
    if not helper.solver_is_supported():
        raise RuntimeError(f"solver '{solver}' is not available in this OR-Tools build")
    helper.set_time_limit_in_seconds(max(float(time_limit_s), 0.01))
    helper.set_solver_specific_parameters(_parameters(solver, is_mip, threads, mip_gap))
    if log is not None:
        helper.enable_output(True)
        helper.set_log_callback(log)
    helper.solve(model)
    status = STATUS_WORDS.get(int(helper.status()), "unknown")
    values = helper.variable_values() if helper.has_solution() else None
    if values is not None and len(values) != len(program.objective):
        values = None
    objective_value = float(helper.objective_value()) if values is not None else math.nan
    if is_mip:
        bound = float(helper.best_objective_bound())
    else:
        bound = objective_value if status == "optimal" else -math.inf
    duals = None
    if not is_mip and status == "optimal":
        duals = np.asarray(helper.dual_values(), float)
    return SolverRun(
        solver,
        status,
        None if values is None else np.asarray(values, float),
        objective_value,
        bound,
        duals,
        time.perf_counter() - started,
    )


def _parameters(solver: str, is_mip: bool, threads: int, mip_gap: float) -> str:
    if solver == "highs":
        # No 'threads' for HiGHS: it keeps one scheduler per process, sized by its first run,
        # and fails any later run asking for another size (seen with threads=1 then 2).
        lines = ["output_flag=false"]
        if is_mip:
            lines.append(f"mip_rel_gap={mip_gap}")
        else:
            # HiGHS's default dual simplex is > 5x slower than its interior point on the
            # allocation LP (shared/PERFORMANCE-NOTES.md); crossover gives a vertex, so flows
            # are clean (few tiny values) and duals exact.
            lines += ["solver=ipm", "run_crossover=on"]
        return "\n".join(lines)
    if solver == "scip":
        return f"limits/gap = {mip_gap}\nparallel/maxnthreads = {threads}"
    return ""
