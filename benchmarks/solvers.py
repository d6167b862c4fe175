"""Solver comparison on the same models, through OR-Tools' ``model_builder`` (as rhd_match).

Three comparisons, each run time-limited:

* :func:`weekly_lps` — the weekly sub-problems of the decomposition
  (:func:`rhd_match.model.decomposition.subproblems.week_problems`) priced at the
  decomposition's starting multipliers, as its first iteration solves them: transport LPs
  (no delivery rows) and the relaxations with drops, franco and lots;
* :func:`full_lp` — the LP relaxation of the whole model;
* :func:`mip` — the exact mixed-integer model (small sizes).

Solver configurations are in :data:`LP_CONFIGS` and :data:`MIP_CONFIGS`; each is a
``model_builder`` solver name and its solver-specific parameter string.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
from ortools.linear_solver.python import model_builder_helper as mbh

from rhd_match.model.build import LinearModel
from rhd_match.model.decomposition.annual import AnnualRows
from rhd_match.model.decomposition.subproblems import week_problems
from rhd_match.model.solvers import STATUS_WORDS, LinearProgram, load_model

from .measure import progress

#: HiGHS fixes its thread pool at its first run in a process and fails a later run asking for
#: another ``threads`` value ("Error running HiGHS run()"): like rhd_match, never set it.
_HIGHS = "output_flag=false\n"

#: LP solvers: label → (model_builder solver, parameters). "highs ipm + crossover" is what
#: rhd_match runs for lp_solver="highs"; "glop" is its default lp_solver.
LP_CONFIGS: dict[str, tuple[str, str]] = {
    "glop (dual simplex)": ("glop", ""),
    "pdlp (default tolerances)": ("pdlp", ""),
    "highs ipm + crossover": ("highs", _HIGHS + "solver=ipm\nrun_crossover=on"),
    "highs ipm, no crossover": ("highs", _HIGHS + "solver=ipm\nrun_crossover=off"),
    "highs dual simplex": ("highs", _HIGHS + "solver=simplex"),
}

#: MIP solvers: label → (model_builder solver, parameters); gaps set to 1e-9 for exactness.
MIP_CONFIGS: dict[str, tuple[str, str]] = {
    "highs": ("highs", _HIGHS + "mip_rel_gap=1e-9"),
    "scip": ("scip", "limits/gap = 1e-9\nparallel/maxnthreads = 2"),
    "cbc (OR-Tools)": ("cbc", ""),
    "cp-sat": ("sat", "num_workers:2,relative_gap_limit:1e-9"),
}


def solve_with(
    program: LinearProgram, solver: str, parameters: str, time_limit_s: float
) -> dict[str, Any]:
    """One model_builder solve; status, objective, bound, wall time (s) and any message."""
    started = time.perf_counter()
    model = load_model(program)
    helper = mbh.ModelSolverHelper(solver)
    if not helper.solver_is_supported():
        return {
            "status": "not available in this OR-Tools build",
            "objective": math.nan,
            "bound": math.nan,
            "time_s": 0.0,
            "message": "",
        }
    helper.set_time_limit_in_seconds(float(time_limit_s))
    if parameters:
        helper.set_solver_specific_parameters(parameters)
    helper.solve(model)
    status = STATUS_WORDS.get(int(helper.status()), "unknown")
    has = bool(helper.has_solution())
    bound = math.nan
    if program.integer is not None and has:
        bound = float(helper.best_objective_bound())
    message = ""
    if hasattr(helper, "status_string"):
        message = str(helper.status_string())
    return {
        "status": status,
        "objective": float(helper.objective_value()) if has else math.nan,
        "bound": bound,
        "time_s": time.perf_counter() - started,
        "message": message,
    }


def solve_model(
    model: LinearModel, integer: bool, solver: str, parameters: str, time_limit_s: float
) -> dict[str, Any]:
    """:func:`solve_with` on a whole model: its LP relaxation, or the exact MIP if ``integer``."""
    return solve_with(model.program(integer=integer), solver, parameters, time_limit_s)


def weekly_lps(
    model: LinearModel, weeks: int, time_limit_s: float, with_delivery: bool
) -> list[dict[str, Any]]:
    """Each LP configuration on ``weeks`` weekly sub-problems spread over the year, in
    sequence. ``time_limit_s`` caps each configuration's total (s); weeks
    left out then are counted as not solved."""
    problems = week_problems(model, with_delivery=with_delivery)
    chosen = np.unique(np.linspace(0, len(problems) - 1, min(weeks, len(problems))).astype(int))
    annual = AnnualRows.of(model)
    cost = annual.cost(model, annual.mu_high)
    var = model.variables
    out = []
    for label, (solver, params) in LP_CONFIGS.items():
        total, solved, objective, statuses = 0.0, 0, 0.0, set()
        for w in chosen:
            p = problems[int(w)]
            left = time_limit_s - total
            if left <= 0:
                statuses.add("budget exhausted")
                break
            week = LinearProgram(
                p.matrix,
                cost[p.cols],
                model.row_lower[p.rows],
                model.row_upper[p.rows],
                var.lower[p.cols],
                var.upper[p.cols],
            )
            run = solve_with(week, solver, params, left)
            total += run["time_s"]
            statuses.add(run["status"])
            if run["status"] == "optimal":
                solved += 1
                objective += run["objective"]
        rows = sum(len(problems[int(w)].rows) for w in chosen) / len(chosen)
        cols = sum(len(problems[int(w)].cols) for w in chosen) / len(chosen)
        out.append(
            {
                "solver": label,
                "weeks": len(chosen),
                "weeks_total": len(problems),
                "mean_rows": rows,
                "mean_cols": cols,
                "solved": solved,
                "time_s": total,
                "time_per_week_s": total / max(solved, 1),
                "sum_objective": objective if solved == len(chosen) else math.nan,
                "statuses": ", ".join(sorted(statuses)),
            }
        )
        progress(f"weekly LP {label}", time_s=round(total, 2), solved=solved)
    return out


def full_lp(model: LinearModel, time_limit_s: float) -> list[dict[str, Any]]:
    """Each LP configuration on the whole LP relaxation, time-limited (s)."""
    out = []
    for label, (solver, params) in LP_CONFIGS.items():
        run = solve_model(model, False, solver, params, time_limit_s)
        out.append({"solver": label, **run})
        progress(f"full LP {label}", time_s=round(run["time_s"], 2), status=run["status"])
    return out


def mip(model: LinearModel, time_limit_s: float) -> list[dict[str, Any]]:
    """Each MIP configuration on the exact model, time-limited (s)."""
    out = []
    for label, (solver, params) in MIP_CONFIGS.items():
        run = solve_model(model, True, solver, params, time_limit_s)
        out.append({"solver": label, **run})
        progress(f"MIP {label}", time_s=round(run["time_s"], 2), status=run["status"])
    return out
