"""Run one linear or mixed-integer model through a solver, vectorised.

GLOP, PDLP and SCIP run through OR-Tools' model_builder: the whole sparse matrix is handed
over in one call (``ModelBuilderHelper.fill_model_from_sparse_data``) and values are read back
as arrays, so no Python call is made per variable (except to mark integer columns in a MIP).
HiGHS runs through SciPy's bindings (``scipy.optimize.milp`` and ``linprog``), which hand it
the arrays directly: OR-Tools 9.15's HiGHS wrapper spends far longer converting the model than
HiGHS then solves it, outside HiGHS's clock (measured on the demo, 198k columns, 891k
nonzeros, 5 s limit, loaded machine: 80 s for the MIP of which 6.5 s in HiGHS, 157 s for the
LP; through SciPy 8.5 s for the MIP), so its time limit could not be kept.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder_helper as mbh
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

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


#: Time a solver takes to receive a model before its own clock starts, s per nonzero of the
#: matrix (an estimate: measured on the demo, 891k nonzeros, with a 0.01 s limit, on a 2-core
#: machine under load, so on the high side: SCIP 11.9 s, GLOP 2.8 s, PDLP 2.1 s; HiGHS through
#: SciPy 3.5 s over a 5 s limit). The time limit handed to the solver leaves this much room,
#: and a solver whose hand-over alone would not fit in the time left is not started.
HANDOFF_S_PER_NONZERO = {"scip": 13e-6, "glop": 3e-6, "pdlp": 2.5e-6, "highs": 4e-6}
#: GLOP runs the dual simplex: on the demo's lexicographic levels (132k rows, 133k columns,
#: 0.52M nonzeros, drops fixed) it takes 3.5, 3.3 and 3.7 CPU s where GLOP's default primal
#: simplex takes 5.6, 8.2 and 17.9, to the same optimum (measured on a loaded 2-core machine,
#: ``docs/model.md``, *Solve time*).
GLOP_PARAMETERS = "use_dual_simplex: true"
#: The lexicographic levels' LPs start the dual simplex from the all-slack basis and perturb
#: its costs: their objectives are sparse (level 1 has one coefficient per canteen and target)
#: and their LPs highly degenerate. GLOP's deterministic time (its own work measure, the same
#: under any load) on the demo's three levels goes from 2.64 / 3.75 / 3.53 to 2.06 / 1.01 /
#: 3.47, and on the demo with its hub (145k rows, 148k columns, 0.67M nonzeros) on level 1
#: from 27.9 to 9.0 and on level 2 from over 21.9 (stopped at 90 s) to 6.6, to the same optima
#: (``docs/model.md``, *Solve time*).
LEVEL_GLOP_PARAMETERS = GLOP_PARAMETERS + " initial_basis: NONE perturb_costs_in_dual_simplex: true"
#: Statuses a solver returns when its time limit stopped it, among others: counted as
#: ``time_limit`` when the call lasted at least 0.9 of its limit. GLOP's dual simplex stopped
#: by its limit says "abnormal" as well as "not solved", depending on where it stopped (measured
#: on the demo's level 2 LP: "abnormal" with 1.4 s and 1.9 s of GLOP's limit; with 0.4 s to
#: 1.1 s and with 2.4 s, a status already counted so).
STOPPED_STATUSES = ("not_solved", "unknown", "abnormal", "cancelled")


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
        """The same program minimising ``objective`` (one coefficient per column).

        Parameters
        ----------
        objective
            Cost per column, shape (columns,).

        Returns
        -------
        LinearProgram
            A new program; this one is unchanged.
        """
        return replace(self, objective=objective)

    def with_row(self, coefficients: np.ndarray, lower: float, upper: float) -> LinearProgram:
        """The program with one more row ``lower ≤ coefficients·x ≤ upper``.

        Parameters
        ----------
        coefficients
            The row's coefficient per column, shape (columns,).
        lower, upper
            The row's bounds.

        Returns
        -------
        LinearProgram
            A new program; this one is unchanged.
        """
        row = sp.csr_matrix(np.asarray(coefficients, float)[None, :])
        return replace(
            self,
            matrix=sp.csr_matrix(sp.vstack([self.matrix, row], format="csr")),
            row_lower=np.append(self.row_lower, lower),
            row_upper=np.append(self.row_upper, upper),
        )

    def with_columns(self, keep: np.ndarray, at: np.ndarray | None = None) -> LinearProgram:
        """The program over the columns ``keep`` selects, the others at 0 or at ``at``.

        Parameters
        ----------
        keep
            Bool per column.
        at
            Values of the columns left out, shape (columns,); their part of each row moves
            to its bounds, and rows left with no column are dropped (the values given keep
            them or not, whatever the program). None: the columns left out are at 0.

        Returns
        -------
        LinearProgram
            A new program over the kept columns, in their order.
        """
        matrix, row_lower, row_upper = self.matrix[:, keep], self.row_lower, self.row_upper
        if at is not None:
            shift = self.matrix[:, ~keep] @ at[~keep]
            rows = np.diff(matrix.tocsr().indptr) > 0
            matrix = matrix[rows]
            row_lower, row_upper = (row_lower - shift)[rows], (row_upper - shift)[rows]
        return replace(
            self,
            matrix=matrix,
            objective=self.objective[keep],
            row_lower=row_lower,
            row_upper=row_upper,
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
    glop_parameters: str = GLOP_PARAMETERS,
) -> SolverRun:
    """Solve ``program`` with the named solver within ``time_limit_s`` (wall clock).

    ``time_limit_s`` covers the hand-over too (``HANDOFF_S_PER_NONZERO``): when the
    hand-over alone would not fit, the solver is not started and the run has status
    ``not_started`` and no values.

    The solver's own log stays off: OR-Tools 9.15 takes no Python callable for it, and
    progress is reported by the strategies themselves (``rhd_match.progress``).

    Parameters
    ----------
    program
        The linear program (integer columns make it a MIP).
    solver
        ``"glop"``, ``"pdlp"``, ``"highs"`` or ``"scip"``.
    time_limit_s
        Wall-clock limit of the call, s, hand-over included.
    threads
        Threads the solver may use.
    mip_gap
        Relative gap at which a MIP stops.
    glop_parameters
        GLOP's parameters (text format of ``GlopParameters``), for GLOP only.

    Returns
    -------
    SolverRun
        Status, values (``None`` without a point), objective, bound, duals (GLOP and PDLP
        LPs) and wall time (s).

    Raises
    ------
    RuntimeError
        When the solver is not available in this OR-Tools build.
    """
    started = time.perf_counter()
    is_mip = program.is_mip
    time_limit_s -= HANDOFF_S_PER_NONZERO.get(solver, 0.0) * program.matrix.nnz
    if time_limit_s <= 0:
        return SolverRun(solver, "not_started", None, math.nan, -math.inf, None, 0.0)
    if solver == "highs":
        return _run_highs(program, time_limit_s, mip_gap, started)
    model = load_model(program)
    helper = mbh.ModelSolverHelper(solver)
    if not helper.solver_is_supported():
        raise RuntimeError(f"solver '{solver}' is not available in this OR-Tools build")
    helper.set_time_limit_in_seconds(max(float(time_limit_s), 0.01))
    helper.set_solver_specific_parameters(
        glop_parameters if solver == "glop" else _parameters(solver, threads, mip_gap)
    )
    helper.solve(model)
    status = STATUS_WORDS.get(int(helper.status()), "unknown")
    stopped = STOPPED_STATUSES if is_mip else (*STOPPED_STATUSES, "feasible")
    if status in stopped and time.perf_counter() - started >= 0.9 * time_limit_s:
        # GLOP and PDLP say "not solved" or "abnormal", or "feasible" with a point, when
        # their limit stops them: the point then depends on the machine's speed.
        status = "time_limit"
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


def _run_highs(
    program: LinearProgram, time_limit_s: float, mip_gap: float, started: float
) -> SolverRun:
    """HiGHS through SciPy (see the module docstring); no duals (the LP strategies need none).

    A MIP runs branch and bound (``milp``); an LP runs the interior point method with
    crossover (``linprog``, ``highs-ipm``): HiGHS's default dual simplex is > 5x slower on
    the allocation LP (shared/PERFORMANCE-NOTES.md), and crossover gives a vertex, so flows
    are clean (few tiny values).
    """
    limit = max(float(time_limit_s), 0.01)
    p = program
    objective, row_lower, row_upper, lower, upper = (
        p.objective,
        p.row_lower,
        p.row_upper,
        p.lower,
        p.upper,
    )
    integer = p.integer if p.is_mip else None
    matrix = sp.csr_matrix(p.matrix, dtype=np.float64)
    if integer is not None:
        result = milp(
            objective,
            integrality=integer.astype(np.uint8),
            bounds=Bounds(lower, upper),
            constraints=LinearConstraint(matrix, row_lower, row_upper),
            options={"time_limit": limit, "mip_rel_gap": mip_gap, "disp": False},
        )
        bound: float | None = getattr(result, "mip_dual_bound", None)
    else:
        # linprog takes A_ub x ≤ b_ub and A_eq x = b_eq: split the ranged rows.
        equal = row_lower == row_upper
        has_upper = np.isfinite(row_upper) & ~equal
        has_lower = np.isfinite(row_lower) & ~equal
        # The stubs accept no (n, 2) bounds array; SciPy does.
        result = linprog(  # type: ignore[call-overload]
            objective,
            A_ub=sp.vstack([matrix[has_upper], -matrix[has_lower]], format="csr"),
            b_ub=np.concatenate([row_upper[has_upper], -row_lower[has_lower]]),
            A_eq=matrix[equal],
            b_eq=row_lower[equal],
            bounds=np.column_stack([lower, upper]),
            method="highs-ipm",
            options={"time_limit": limit, "disp": False},
        )
        bound = None
    values = None if result.x is None else np.asarray(result.x, float)
    # SciPy's codes: 0 optimal, 1 iteration or time limit (no iteration limit is set here: the
    # time limit), 2 infeasible, 3 unbounded.
    status = {0: "optimal", 2: "infeasible", 3: "unbounded"}.get(result.status, "abnormal")
    if result.status == 1:
        status = "feasible" if values is not None and integer is not None else "time_limit"
        if integer is None:
            values = None
    fun = result.fun
    objective_value = float(fun) if values is not None and fun is not None else math.nan
    proven = bound if bound is not None and math.isfinite(bound) else None
    if proven is None:
        proven = objective_value if status == "optimal" else -math.inf
    return SolverRun(
        "highs",
        status,
        values,
        objective_value,
        proven,
        None,
        time.perf_counter() - started,
    )


def _parameters(solver: str, threads: int, mip_gap: float) -> str:
    if solver == "scip":
        return f"limits/gap = {mip_gap}\nparallel/maxnthreads = {threads}"
    return ""
