"""Derived figures of the benchmark results: gaps, gains, ratios, growth exponents.

Everything here reads the raw results of ``python -m benchmarks`` (the JSON written next to
the report): ``{"machine": ..., "sizes": {name: {"label": ..., "tasks": {task: result}}}}``,
where a task's result is what ``benchmarks/one.py`` printed, or ``{"failed": reason, ...}``.

Units: times in seconds (wall clock), memory in GB (peak resident set of the task's process,
10^9 bytes), shares in percent of value (EUR HT), objective dimensionless (``docs/model.md``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

#: Objectives of two models are "equal" within this relative difference.
EQUAL_OBJECTIVE_RTOL = 1e-6

Result = dict[str, Any]


def as_number(value: Any) -> float:
    """``value`` as a float; NaN when it is not a number (missing or failed results)."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def ok(result: Result | None) -> bool:
    """Whether a task ran to the end (not failed, not skipped)."""
    return bool(result) and "failed" not in result and "skipped" not in result  # type: ignore[operator]


def relative_gap(objective: Any, bound: Any) -> float:
    """(objective − bound) / max(1, |objective|), as rhd_match reports gaps; NaN if unknown."""
    obj, bnd = as_number(objective), as_number(bound)
    if math.isnan(obj) or math.isnan(bnd) or math.isinf(bnd):
        return math.nan
    return max(obj - bnd, 0.0) / max(1.0, abs(obj))


# -- derived figures --------------------------------------------------------------------------


def best_bound(tasks: dict[str, Result]) -> tuple[float, str]:
    """The strongest proven lower bound of a size and where it comes from: the LP relaxation,
    the optimiser's own bound (a Lagrangian bound for ``decompose``) or the exact MIP's."""
    bounds: list[tuple[float, str]] = []
    lp = tasks.get("lp")
    if ok(lp) and lp is not None and lp.get("status") in ("relaxation", "optimal"):
        bounds.append((as_number(lp.get("best_bound")), "LP relaxation"))
    for name, label in (
        ("optimiser", "optimiser's own bound"),
        ("weighted", "weighted optimiser's own bound"),
        ("mip", "exact MIP"),
    ):
        res = tasks.get(name)
        if ok(res) and res is not None:
            bounds.append((as_number(res.get("best_bound")), label))
    finite = [b for b in bounds if math.isfinite(b[0])]
    return max(finite) if finite else (math.nan, "none")


def derive(tasks: dict[str, Result]) -> dict[str, Any]:
    """Gaps to the best bound, gains over greedy, PuLP ratios and the build floor ratio."""
    bound, source = best_bound(tasks)
    out: dict[str, Any] = {"best_bound": bound, "best_bound_source": source}
    opt, greedy, mip = tasks.get("optimiser"), tasks.get("greedy"), tasks.get("mip")
    lp, pulp, build = tasks.get("lp"), tasks.get("pulp"), tasks.get("build")
    if ok(opt) and opt is not None:
        # The bounds are the weighted objective's (LP relaxation, exact MIP, PuLP): they bound
        # a lexicographic plan's weighted value from far below, so no gap is drawn from them.
        weighted = opt.get("objective_mode", "weighted") == "weighted"
        out["optimiser_gap"] = relative_gap(opt["objective"], bound) if weighted else math.nan
        out["optimiser_total_s"] = as_number(opt["build_time_s"]) + as_number(opt["solve_time_s"])
    weighted_run = tasks.get("weighted")
    if ok(weighted_run) and weighted_run is not None:
        out["weighted_gap"] = relative_gap(weighted_run["objective"], bound)
        out["weighted_total_s"] = as_number(weighted_run["build_time_s"]) + as_number(
            weighted_run["solve_time_s"]
        )
    if ok(mip) and mip is not None:
        out["mip_gap"] = relative_gap(mip["objective"], bound)
        if ok(lp) and lp is not None:
            # How far the exact optimum sits above the LP relaxation: no plan can prove a
            # smaller gap against the LP bound alone.
            out["lp_integrality_gap"] = relative_gap(mip["objective"], lp["objective"])
    if ok(greedy) and greedy is not None:
        out["greedy_gap"] = relative_gap(greedy["objective_from_flows"], bound)
        if ok(opt) and opt is not None:
            out["gain_local_points"] = 100 * (
                as_number(opt["share_local"]) - as_number(greedy["share_local"])
            )
            out["gain_organic_points"] = 100 * (
                as_number(opt["share_organic"]) - as_number(greedy["share_organic"])
            )
            out["gain_objective"] = as_number(greedy["objective_from_flows"]) - as_number(
                opt["objective"]
            )
            out["optimiser_beats_greedy"] = as_number(opt["objective"]) < as_number(
                greedy["objective_from_flows"]
            )
    if ok(build) and build is not None:
        out["build_floor_ratio"] = as_number(build["build_floor_ratio"])
        if "assembly_floor_ratio" in build:
            out["assembly_floor_ratio"] = as_number(build["assembly_floor_ratio"])
    local_max = tasks.get("local_max")
    if ok(local_max) and local_max is not None and ok(greedy) and greedy is not None:
        # The most any plan could gain over greedy in local share, as far as measured.
        out["local_headroom_points"] = 100 * (
            max(
                as_number(local_max["plan_share_local"]),
                as_number(local_max["lp_local_reference_share"]),
            )
            - as_number(greedy["share_local"])
        )
    if ok(pulp) and pulp is not None:
        reference = mip if pulp.get("mode") == "mip" else lp
        if ok(reference) and reference is not None:
            ref_obj = as_number(reference["objective"])
            pulp_obj = as_number(pulp["objective"])
            diff = abs(pulp_obj - ref_obj) / max(1.0, abs(ref_obj))
            out["pulp_reference"] = "exact MIP" if pulp.get("mode") == "mip" else "LP relaxation"
            out["pulp_objective_rel_diff"] = diff
            out["pulp_equal_objective"] = bool(diff <= EQUAL_OBJECTIVE_RTOL)
            out["pulp_build_ratio"] = as_number(pulp["build_time_s"]) / as_number(
                reference["build_time_s"]
            )
            out["pulp_solve_ratio"] = as_number(pulp["solve_time_s"]) / as_number(
                reference["solve_time_s"]
            )
    return out


def fit_exponent(x: Sequence[float], y: Sequence[float]) -> float:
    """b of the least-squares fit log y = a + b log x; NaN with fewer than two valid points."""
    pts = [(a, b) for a, b in zip(x, y, strict=True) if a > 0 and b > 0 and math.isfinite(b)]
    if len({a for a, _ in pts}) < 2:
        return math.nan
    lx = np.log([a for a, _ in pts])
    ly = np.log([b for _, b in pts])
    slope, _intercept = np.polyfit(lx, ly, 1)
    return float(slope)


def _weeks(tasks: dict[str, Result]) -> int:
    for res in tasks.values():
        if res and "scenario" in res:
            return int(res["scenario"]["weeks"])
    return 0


def scaling(sizes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Build time, solve time and peak memory against arcs, with fitted growth exponents.

    Points come from the ``optimiser`` task (its build and solve, its process's peak memory)
    and from the build-only ``build`` task, for the sizes spanning a whole year (S → M → L:
    XS's 12 weeks and exact MIP are another problem). A solve that used its whole time limit
    (≥ 90 % of what the build left) says nothing about growth and is left out of that fit.
    """
    rows = []
    for name, entry in sizes.items():
        tasks = entry["tasks"]
        opt, build = tasks.get("optimiser"), tasks.get("build")
        row: dict[str, Any] = {"size": name, "full_year": _weeks(tasks) >= 52}
        if ok(build) and build is not None:
            row |= {
                "arcs": build["arcs"],
                "build_time_s": build["build_time_s"],
                "build_peak_gb": build["peak_gb"],
            }
        if ok(opt) and opt is not None:
            left = as_number(opt["time_limit_s"]) - as_number(opt["build_time_s"])
            row |= {
                "arcs": opt["arcs"],
                "opt_build_time_s": opt["build_time_s"],
                "solve_time_s": opt["solve_time_s"],
                "time_limit_s": opt["time_limit_s"],
                "capped": as_number(opt["solve_time_s"]) >= 0.9 * left,
                "peak_gb": opt["peak_gb"],
                "status": opt["status"],
            }
        if "arcs" not in row:
            row["arcs"] = failed_arcs(tasks)
        failed = [t for t in ("build", "optimiser") if "failed" in (tasks.get(t) or {})]
        if failed:
            row["failed"] = f"`{failed[0]}` did not fit"
        rows.append(row)
    built = [r for r in rows if "build_time_s" in r and r["full_year"]]
    done = [r for r in rows if "solve_time_s" in r and r["full_year"]]
    solved = [r for r in done if not r["capped"]]
    exponents = {
        "build_time_s": fit_exponent(
            [r["arcs"] for r in built], [r["build_time_s"] for r in built]
        ),
        "build_peak_gb": fit_exponent(
            [r["arcs"] for r in built], [r["build_peak_gb"] for r in built]
        ),
        "solve_time_s": fit_exponent(
            [r["arcs"] for r in solved], [r["solve_time_s"] for r in solved]
        ),
        "peak_gb": fit_exponent([r["arcs"] for r in done], [r["peak_gb"] for r in done]),
    }
    return {
        "rows": rows,
        "exponents": exponents,
        "sizes_build": [r["size"] for r in built],
        "sizes_solve": [r["size"] for r in solved],
        "sizes_memory": [r["size"] for r in done],
        "points_build": len(built),
        "points": len(done),
    }


def failed_arcs(tasks: dict[str, Result]) -> float:
    """Arcs reached by a task that failed, from its last progress lines (NaN if none)."""
    for res in tasks.values():
        for line in reversed((res or {}).get("last_progress", [])):
            if "arcs" in line:
                return as_number(line["arcs"])
    return math.nan
