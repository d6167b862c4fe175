"""One benchmark task on one size, in its own process: ``python -m benchmarks.one``.

``python -m benchmarks.one --size S --task optimiser [--time-limit 30] [--memory-limit-gb 20]``
prints one JSON object on its last stdout line; progress lines go to stderr. The runner
(``python -m benchmarks``) starts one such process per size and task, so that peak memory is
per task and a task that runs out of memory or time is reported instead of killing the runner.

Tasks (all on the same seeded scenario):

* ``build`` — ``build_model`` step by step (time and memory per step), then ``build_model``
  itself (the official build time), and the numpy/scipy floor of its sparse matrix;
* ``optimiser`` — ``rhd_match.solve`` with the default strategy and the size's time limit,
  its plan checked by ``rhd_match.check``;
* ``lp`` — the LP relaxation of the same matrix (HiGHS dual simplex, else GLOP): the lower
  bound every plan's gap is measured against;
* ``greedy`` — the greedy adviser (``benchmarks/greedy.py``), checked, priced by the same
  objective;
* ``mip`` — the exact MIP (``strategy="mip"``, gap 1e-9);
* ``pulp`` — the same model written with PuLP, solved with CBC (exact MIP or LP relaxation);
* ``solvers`` — solver comparison (weekly LPs, whole LP, MIP where small);
* ``strategies`` — rhd_match's strategies (mip, repair, decompose; decompose followed by 1
  and 2 passes of the local search) under several time limits.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
import traceback
from collections.abc import Sequence
from typing import Any

import pandas as pd

from rhd_match.check import check, objective_from_flows
from rhd_match.i18n import use_language
from rhd_match.inputs.scenario import Scenario
from rhd_match.model.build import build_model
from rhd_match.model.solve import solve
from rhd_match.plan.tables import canteen_table, territory_totals

from .dask_runs import local_workers
from .measure import peak_rss_gb, progress, set_memory_limit
from .sizes import ALL_TASKS, Size, get_size, make_scenario, with_time_limit

#: LP solvers tried for the bound, fastest first. Measured on S's relaxation with its market
#: table (265,448 columns, 2026-11-30, load 3-4): HiGHS dual simplex optimal in 23 s; GLOP
#: (a feasible point 52 % above the optimum), HiGHS interior point without crossover and PDLP
#: not done in 100 s. The interior point had been the fastest before the market table.
LP_BOUND_SOLVERS: tuple[str, ...] = ("highs dual simplex", "glop (dual simplex)")

#: Summary columns kept from ``Solution.summary``.
SUMMARY_KEYS: tuple[str, ...] = (
    "status",
    "strategy",
    "solver",
    "objective_mode",
    "objective",
    "best_bound",
    "gap",
    "level_1_value",
    "level_1_gap_abs",
    "level_2_value",
    "level_3_value",
    "levels_solved",
    "stopped_by_time_limit",
    "iterations",
    "arcs",
    "variables",
    "binaries",
    "constraints",
    "nonzeros",
    "build_time_s",
    "solve_time_s",
    "share_local",
    "share_organic",
    "share_quality",
    "share_meat_fish",
    "canteens_meeting_quality",
    "canteens_meeting_organic",
    "canteens_meeting_meat_fish",
    "canteens_meeting_all",
    "share_local_before",
    "share_organic_before",
    "share_quality_before",
    "share_meat_fish_before",
    "canteens_meeting_all_before",
)


def _plain(value: Any) -> Any:
    """JSON-friendly scalars (numpy → Python, NaN kept as NaN)."""
    if hasattr(value, "item"):
        value = value.item()
    return value


def _summary(summary: pd.DataFrame) -> dict[str, Any]:
    row = summary.iloc[0]
    return {k: _plain(row[k]) for k in SUMMARY_KEYS if k in row.index}


def _scenario(size: Size) -> tuple[Scenario, dict[str, Any]]:
    started = time.perf_counter()
    scenario = make_scenario(size)
    info = {
        "generate_time_s": time.perf_counter() - started,
        "canteens": len(scenario.canteens),
        "producers": len(scenario.producers),
        "products": len(scenario.products),
        "weeks": int(scenario.demand["week"].nunique()),
        "offers": len(scenario.offers),
        "demand_rows": len(scenario.demand),
        "scenario_peak_gb": peak_rss_gb(),
    }
    progress("scenario generated", **info)
    return scenario, info


#: Violations a record keeps whole, and flow lines kept with each (``_violation_sample``).
VIOLATIONS_KEPT, LINES_KEPT = 10, 20
LINE_COLUMNS = [
    "producer_id",
    "canteen_id",
    "product_id",
    "week",
    "qty",
    "price_eur_ht",
    "value_eur_ht",
]


def _violation_sample(violations: pd.DataFrame, flows: pd.DataFrame) -> list[dict[str, Any]]:
    """The first violations, each with the flow lines of its producer, canteen and week:
    what a run too long to repeat must keep for the fault to be found."""
    sample: list[dict[str, Any]] = []
    for _, row in violations.head(VIOLATIONS_KEPT).iterrows():
        lines = flows
        for key in ("producer_id", "canteen_id", "week"):
            if pd.notna(row.get(key)):
                lines = lines[lines[key] == row[key]]
        kept = lines.head(LINES_KEPT)[LINE_COLUMNS]
        lines_kept = [{str(k): v for k, v in line.items()} for line in kept.to_dict("records")]
        sample.append({**{str(k): _plain(v) for k, v in row.items()}, "lines": lines_kept})
    return sample


def _plan_figures(scenario: Scenario, flows: pd.DataFrame) -> dict[str, Any]:
    """Check and price a plan given by its flows, with the project's independent tools."""
    started = time.perf_counter()
    violations = check(scenario, flows)
    totals = territory_totals(scenario, flows, canteen_table(scenario, flows))
    return {
        "violations": len(violations),
        "violation_rules": sorted(set(violations["rule"])) if len(violations) else [],
        "violation_sample": _violation_sample(violations, flows),
        "objective_from_flows": objective_from_flows(scenario, flows),
        **{k: _plain(v) for k, v in totals.items()},
        "check_time_s": time.perf_counter() - started,
    }


def task_build(size: Size, scenario: Scenario) -> dict[str, Any]:
    from .build_profile import csr_floor, profile_build

    profile = profile_build(scenario)
    progress("profile done", total_s=round(profile["total_s"], 3))
    model = build_model(scenario)
    stats = model.stats()
    floor = csr_floor(model.matrix)
    # From the index tables to the CSR matrix: the part a sparse-matrix builder is held to;
    # the index (which offer can serve which demand row) is a join every builder needs first.
    index_s = next(r["time_s"] for r in profile["steps"] if r["step"] == "build_index (total)")
    assembly_s = profile["total_s"] - index_s
    return {
        **stats,
        **floor,
        "build_floor_ratio": stats["build_time_s"] / floor["floor_csr_s"],
        "index_time_s": index_s,
        "assembly_time_s": assembly_s,
        "assembly_floor_ratio": assembly_s / floor["floor_csr_s"],
        "profile": profile,
    }


#: Lines of the decomposition's log kept, with their time: where the solve time goes.
MILESTONE = re.compile(r"^(prices|delivery|repair|reprice|polish|bound climb|weekly MIPs)\b")


def task_optimiser(size: Size, scenario: Scenario) -> dict[str, Any]:
    """``rhd_match.solve`` with the scenario's options (the default objective)."""
    return _optimised(size, scenario, size.time_limit_s)


def task_weighted(size: Size, scenario: Scenario) -> dict[str, Any]:
    """``rhd_match.solve`` on the weighted objective, the one whose bound is reported: its
    plan, its own bound and their gap, each kept (the issue's gap targets)."""
    limit = size.weighted_time_limit_s or size.time_limit_s
    return _optimised(size, scenario, limit, objective="weighted")


def _optimised(size: Size, scenario: Scenario, limit: float, **options: Any) -> dict[str, Any]:
    started = time.perf_counter()
    events: list[tuple[float, str]] = []

    def log(line: str) -> None:
        if MILESTONE.match(line) and len(events) < 100:
            events.append((round(time.perf_counter() - started, 2), line.strip()))
            progress(f"optimiser: {line.strip()}")

    log_error = ""
    try:
        solution = solve(scenario, time_limit_s=limit, log=log, **options)
    except TypeError as exc:
        # OR-Tools 9.15's model_builder cannot take a Python log callback
        # (ModelSolverHelper.set_log_callback); rhd_match passes it on for mip/lp/repair.
        if "set_log_callback" not in str(exc):
            raise
        log_error = str(exc).splitlines()[0]
        started = time.perf_counter()
        solution = solve(scenario, time_limit_s=limit, **options)
    wall = time.perf_counter() - started
    peak = peak_rss_gb()
    progress("optimiser solved", wall_s=round(wall, 2))
    out: dict[str, Any] = {
        "time_limit_s": limit,
        "wall_time_s": wall,
        "solve_peak_gb": peak,
    }
    out |= _summary(solution.summary)
    out["plan"] = _plan_figures(scenario, solution.flows)
    out["log"] = events
    if log_error:
        out["log_error"] = log_error
    return out


def task_lp(size: Size, scenario: Scenario) -> dict[str, Any]:
    """The LP relaxation of rhd_match's model (same matrix, integrality dropped): a bound.

    Tried in the order of :data:`LP_BOUND_SOLVERS` (measured fastest first on S) until one
    reports optimal, within the size's ``lp_time_limit_s`` in total.
    """
    from .solvers import LP_CONFIGS, solve_model

    model = build_model(scenario)
    started = time.perf_counter()
    attempts: list[dict[str, Any]] = []
    best: dict[str, Any] | None = None
    for label in LP_BOUND_SOLVERS:
        left = size.lp_time_limit_s - (time.perf_counter() - started)
        if left < 1.0:
            break
        solver, params = LP_CONFIGS[label]
        run = solve_model(model, False, solver, params, left)
        attempts.append({"solver": label, **run})
        progress(f"LP relaxation {label}", status=run["status"], time_s=round(run["time_s"], 2))
        if run["status"] == "optimal":
            best = attempts[-1]
            break
    objective = best["objective"] if best else math.nan
    return {
        **model.stats(),
        "time_limit_s": size.lp_time_limit_s,
        "solve_time_s": time.perf_counter() - started,
        "status": "relaxation" if best else "time_limit",
        "solver": best["solver"] if best else "",
        "objective": objective,
        "best_bound": objective,
        "gap": 0.0 if best else math.nan,
        "attempts": attempts,
    }


def task_greedy(size: Size, scenario: Scenario) -> dict[str, Any]:
    from .greedy import greedy_flows

    started = time.perf_counter()
    flows = greedy_flows(scenario)
    elapsed = time.perf_counter() - started
    progress("greedy done", time_s=round(elapsed, 2))
    return {"time_s": elapsed, **_plan_figures(scenario, flows)}


def task_mip(size: Size, scenario: Scenario) -> dict[str, Any]:
    started = time.perf_counter()
    # The PuLP reference models the weighted objective.
    solution = solve(
        scenario,
        strategy="mip",
        mip_gap=1e-9,
        time_limit_s=size.time_limit_s,
        objective="weighted",
    )
    out: dict[str, Any] = {
        "time_limit_s": size.time_limit_s,
        "wall_time_s": time.perf_counter() - started,
    }
    out |= _summary(solution.summary)
    out["plan"] = _plan_figures(scenario, solution.flows)
    return out


def task_pulp(size: Size, scenario: Scenario) -> dict[str, Any]:
    try:
        from .pulp_model import build_pulp, pulp_flows, solve_pulp
    except ImportError as exc:  # PuLP is a benchmark-only dependency
        return {"skipped": f"PuLP not installed ({exc}); pip install pulp"}
    relax = size.pulp != "mip"
    model = build_pulp(scenario, relax=relax)
    stats = model.stats()
    progress("pulp built", build_time_s=round(model.build_time_s, 2), **stats)
    result = solve_pulp(model, size.pulp_time_limit_s)
    out: dict[str, Any] = {
        "mode": "lp relaxation" if relax else "mip",
        "time_limit_s": size.pulp_time_limit_s,
        "build_time_s": model.build_time_s,
        **stats,
        **result,
    }
    if not relax and result["solution_status"].startswith(("Optimal", "Solution Found")):
        out["plan"] = _plan_figures(scenario, pulp_flows(scenario, model))
    return out


def task_solvers(size: Size, scenario: Scenario) -> dict[str, Any]:
    from . import solvers

    model = build_model(scenario)
    limit = size.solver_time_limit_s
    out: dict[str, Any] = {"time_limit_s": limit}
    out["weekly_transport"] = solvers.weekly_lps(model, 9, limit, with_delivery=False)
    out["weekly_delivery"] = solvers.weekly_lps(model, 9, limit, with_delivery=True)
    out["full_lp"] = solvers.full_lp(model, limit)
    if size.pulp == "mip":
        out["mip"] = solvers.mip(model, limit)
    return out


def task_local_max(size: Size, scenario: Scenario) -> dict[str, Any]:
    """How much local share the instance allows at all: the objective set to local value only.

    A plan from the default strategy with weights (local = 1, everything else 0) gives an
    achievable local share; the LP relaxation of the same model bounds the local purchases'
    reference value (EUR HT) from above, here as a fraction of the demand's reference value.
    """
    from .solvers import LP_CONFIGS, solve_model

    weights = scenario.parameters.weights.model_dump() | {
        "egalim_shortfall": 0.0,
        "budget_overrun": 0.0,
        "local": 1.0,
        "organic": 0.0,
        "cost": 0.0,
        "distance": 0.0,
    }
    local_only = scenario.with_parameters(weights=weights)
    started = time.perf_counter()
    solution = solve(local_only, time_limit_s=size.time_limit_s, objective="weighted")
    plan_time = time.perf_counter() - started
    row = solution.summary.iloc[0]
    model = build_model(local_only)
    bound: dict[str, Any] = {"status": "not run"}
    for label in LP_BOUND_SOLVERS:
        solver, params = LP_CONFIGS[label]
        bound = solve_model(model, False, solver, params, size.lp_time_limit_s)
        bound["solver"] = label
        if bound["status"] == "optimal":
            break
    demand = model.index.demand
    reference_value = float((demand["qty"] * demand["ref_price"]).sum())
    plan_local_ref = -float(row["objective"])  # objective = − Σ local reference value
    lp_local_ref = -bound["objective"] if bound["status"] == "optimal" else math.nan
    return {
        "plan_time_s": plan_time,
        "plan_status": _plain(row["status"]),
        "plan_share_local": _plain(row["share_local"]),
        "plan_local_reference_share": plan_local_ref / reference_value,
        "lp_local_reference_share": lp_local_ref / reference_value,
        "lp_status": bound["status"],
        "lp_solver": bound.get("solver", ""),
        "demand_reference_value_eur_ht": reference_value,
    }


#: The strategies' runs: strategy and passes of the local search (``SolverOptions``).
STRATEGY_RUNS = (("mip", 0), ("repair", 0), ("decompose", 0), ("decompose", 1), ("decompose", 2))


def task_strategies(size: Size, scenario: Scenario) -> dict[str, Any]:
    runs = []
    for limit in size.strategy_time_limits_s:
        for strategy, passes in STRATEGY_RUNS:
            started = time.perf_counter()
            row: dict[str, Any] = {
                "strategy": strategy,
                "local_search": passes,
                "time_limit_s": limit,
            }
            try:
                solution = solve(
                    scenario, strategy=strategy, time_limit_s=limit, local_search=passes
                )
            except RuntimeError as exc:  # a solver's abnormal stop: the other runs go on
                row |= {"wall_time_s": time.perf_counter() - started, "error": str(exc)}
                runs.append(row)
                progress(f"strategy {strategy} @ {limit:g} s failed", error=str(exc))
                continue
            wall = time.perf_counter() - started
            row |= {"wall_time_s": wall, **_summary(solution.summary)}
            runs.append(row)
            progress(f"strategy {strategy} @ {limit:g} s", wall_s=round(wall, 1))
    return {"runs": runs}


def task_streaming(size: Size, scenario: Scenario, dask_workers: int = 0) -> dict[str, Any]:
    """The decomposition streamed by weeks (``decomposition.streaming``), through the whole
    ``solve`` call (estimate, search, chunks' plans, solution tables) under its time limit:
    a memory limit below any model's makes it stream at every size. The whole-year model is
    never built; peak memory is that of the largest chunk of weeks. With ``dask_workers``,
    the weekly LPs run on a ``LocalCluster`` of that many one-thread worker processes,
    started before the clock (``dask_runs.local_workers``); each worker's peak memory and
    tasks run are recorded."""
    with local_workers(dask_workers) as pool:
        record = _streamed(size, scenario, pool.address)
        used = pool.usage()
    return {"dask_workers": dask_workers, **record, **used}


def _streamed(size: Size, scenario: Scenario, dask: str | None) -> dict[str, Any]:
    started = time.perf_counter()
    events: list[tuple[float, str]] = []

    def log(line: str) -> None:
        if len(events) < 300 and "] decompose: repair:" not in line:
            events.append((round(time.perf_counter() - started, 2), line.strip()))
            progress(f"streaming: {line.strip()}")

    with use_language("en"):  # the log read by engineers, filtered on its words
        solution = solve(
            scenario,
            log=log,
            strategy="decompose",
            objective="weighted",
            time_limit_s=size.time_limit_s,
            memory_limit_gb=0.01,
            dask=dask,
        )
    wall = time.perf_counter() - started
    progress("streamed", wall_s=round(wall, 2), gap=float(solution.summary["gap"].iloc[0]))
    unmet = solution.unmet_local
    not_planned = unmet["reason"] == "not_planned"
    weeks = scenario.demand["week"].nunique()
    return {
        "time_limit_s": size.time_limit_s,
        "wall_time_s": wall,
        "solve_peak_gb": peak_rss_gb(),
        **_summary(solution.summary),
        "not_planned_lines": int(not_planned.sum()),
        "planned_weeks": int(weeks - unmet.loc[not_planned, "week"].nunique()),
        "weeks": int(weeks),
        "plan": _plan_figures(scenario, solution.flows),
        "log": events,
    }


TASKS = {
    "build": task_build,
    "optimiser": task_optimiser,
    "weighted": task_weighted,
    "lp": task_lp,
    "greedy": task_greedy,
    "mip": task_mip,
    "pulp": task_pulp,
    "solvers": task_solvers,
    "strategies": task_strategies,
    "local_max": task_local_max,
    "streaming": task_streaming,
}
assert tuple(TASKS) == ALL_TASKS


def run_task(size: Size, task: str, dask_workers: int = 0) -> dict[str, Any]:
    """Generate the size's scenario and run one task on it (``streaming`` on
    ``dask_workers`` Dask workers when not 0); figures as a JSON-able dict."""
    scenario, info = _scenario(size)
    started = time.perf_counter()
    if dask_workers:
        result = task_streaming(size, scenario, dask_workers)
    else:
        result = TASKS[task](size, scenario)
    return {
        "size": size.name,
        "task": task,
        "scenario": info,
        "task_time_s": time.perf_counter() - started,
        "peak_gb": peak_rss_gb(),
        **result,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.one", description=__doc__)
    parser.add_argument("--size", required=True, help="XS, S, SM, M, L or e.g. 120x80x50")
    parser.add_argument("--task", required=True, choices=list(TASKS))
    parser.add_argument("--time-limit", type=float, default=None, help="optimiser limit, s")
    parser.add_argument("--memory-limit-gb", type=float, default=None)
    parser.add_argument(
        "--dask-workers",
        type=int,
        default=0,
        help="streaming only: the weekly LPs on a LocalCluster of this many workers",
    )
    args = parser.parse_args(argv)
    if args.dask_workers and args.task != "streaming":
        parser.error("--dask-workers goes with --task streaming")
    if args.memory_limit_gb:
        set_memory_limit(args.memory_limit_gb)
    size = with_time_limit(get_size(args.size), args.time_limit)
    try:
        result = run_task(size, args.task, args.dask_workers)
    except MemoryError:
        progress("MemoryError", peak_gb=peak_rss_gb())
        traceback.print_exc()
        print(json.dumps({"error": "MemoryError", "peak_gb": peak_rss_gb()}))
        return 3
    print(json.dumps(result, default=_plain, allow_nan=True))
    return 0 if math.isfinite(result.get("peak_gb", 0.0)) else 1


if __name__ == "__main__":
    sys.exit(main())
