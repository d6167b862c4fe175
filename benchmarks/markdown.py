"""The markdown report of the benchmark results: the targets met or missed, and one table per
size, solver, strategy and the scaling curve (figures from :mod:`benchmarks.figures`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .figures import EQUAL_OBJECTIVE_RTOL, Result, as_number, ok, relative_gap


def _fmt(value: Any, digits: int = 2) -> str:
    v = as_number(value)
    if math.isnan(v):
        return "—"
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    return f"{v:,.{digits}f}"


def _int(value: Any) -> str:
    v = as_number(value)
    return "—" if math.isnan(v) else f"{round(v):,}"


def _sci(value: Any) -> str:
    v = as_number(value)
    return "—" if math.isnan(v) else f"{v:.6g}"


def _pct(value: Any, digits: int = 1) -> str:
    v = as_number(value)
    return "—" if math.isnan(v) else f"{100 * v:.{digits}f} %"


def _gap(value: Any) -> str:
    v = as_number(value)
    if math.isnan(v):
        return "—"
    return f"{100 * v:.3f} %" if v < 0.1 else f"{100 * v:.1f} %"


def _best_bound_gap(opt: Result, d: dict[str, Any]) -> str:
    """The optimiser's gap to the best bound, or why a lexicographic plan has none there."""
    mode = opt.get("objective_mode", "weighted")  # runs recorded before it was kept: as before
    if mode == "weighted":
        return f"gap {_gap(d.get('optimiser_gap'))} to the best bound ({d['best_bound_source']})"
    return (
        f"objective {mode}: no gap to the best bound (a bound on the weighted objective); "
        f"level 1 {as_number(opt.get('level_1_value')):,.2f} EUR HT, "
        f"{as_number(opt.get('level_1_gap_abs')):,.2f} above its own bound"
    )


def _short(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:.3g}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


# -- targets ----------------------------------------------------------------------------------


def targets(sizes: dict[str, dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) rows for the issue's targets, where measured."""
    out: list[tuple[str, str, str]] = []

    def verdict(passed: bool | None) -> str:
        return "—" if passed is None else ("met" if passed else "**missed**")

    for name in sizes:
        tasks = sizes[name]["tasks"]
        d = sizes[name]["derived"]
        opt, build = tasks.get("optimiser"), tasks.get("build")
        floor_ratio = d.get("build_floor_ratio")
        if floor_ratio is not None and name != "XS":  # XS builds in milliseconds
            out.append(
                (
                    f"{name}: build ≤ 3× the numpy/scipy CSR floor",
                    f"{floor_ratio:,.1f}×",
                    verdict(floor_ratio <= 3),
                )
            )
        assembly_ratio = d.get("assembly_floor_ratio")
        if assembly_ratio is not None and name != "XS":
            out.append(
                (
                    f"{name}: matrix assembly (index → CSR) ≤ 3× the floor",
                    f"{assembly_ratio:,.1f}×",
                    verdict(assembly_ratio <= 3),
                )
            )
        weighted_run = tasks.get("weighted")
        if name in ("S", "M") and ok(weighted_run) and weighted_run is not None:
            gap, total = d.get("weighted_gap", math.nan), d.get("weighted_total_s", math.nan)
            most_gap, most_s = {"S": (0.01, 30), "M": (0.05, 600)}[name]
            out.append(
                (
                    f"{name}: ≤ {100 * most_gap:.0f} % gap in < {most_s} s total "
                    "(weighted objective, the one with a bound)",
                    f"plan {as_number(weighted_run['objective']):,.0f}, own bound "
                    f"{as_number(weighted_run['best_bound']):,.0f}, best bound "
                    f"{as_number(d['best_bound']):,.0f} ({d['best_bound_source']}): gap "
                    f"{_gap(gap)} in {total:.1f} s",
                    verdict(gap <= most_gap and total < most_s),
                )
            )
        if name == "S":
            if ok(opt) and opt is not None:
                out.append(
                    (
                        "S: model build < 2 s",
                        f"{as_number(opt['build_time_s']):.2f} s",
                        verdict(as_number(opt["build_time_s"]) < 2),
                    )
                )
            if "gain_local_points" in d:
                measured = f"{d['gain_local_points']:+.1f} points"
                if "local_headroom_points" in d:
                    lm = tasks["local_max"]
                    measured += (
                        f"; the instance leaves only about {d['local_headroom_points']:+.1f} "
                        f"(local share ceiling: {_pct(lm['plan_share_local'])} for the best "
                        f"local-only plan, LP bound {_pct(lm['lp_local_reference_share'])} of the "
                        f"demand's reference value)"
                    )
                out.append(
                    (
                        "S: optimiser ≥ +15 points of local share over greedy",
                        measured,
                        verdict(d["gain_local_points"] >= 15),
                    )
                )
        if name in ("M", "L"):
            if ok(opt) and opt is not None:
                total = d.get("optimiser_total_s", math.nan)
                out.append(
                    (
                        f"{name}: a plan with gap reported in < 10 min",
                        f"gap {_gap(d.get('optimiser_gap'))} in {total:.0f} s",
                        verdict(total < 600 and math.isfinite(as_number(d.get("optimiser_gap")))),
                    )
                )
                out.append(
                    (
                        f"{name}: build < 60 s",
                        f"{as_number(opt['build_time_s']):.1f} s",
                        verdict(as_number(opt["build_time_s"]) < 60),
                    )
                )
                out.append(
                    (
                        f"{name}: memory < 8 GB",
                        f"{as_number(opt['peak_gb']):.1f} GB",
                        verdict(as_number(opt["peak_gb"]) < 8),
                    )
                )
            else:
                reason = (opt or build or {}).get("failed") or (opt or {}).get("skipped", "")
                out.append((f"{name}: a plan with gap reported in < 10 min", reason, "**missed**"))
    return out


# -- markdown ---------------------------------------------------------------------------------


def _meeting(res: Result, n: Any, suffix: str = "") -> str:
    get = res.get
    return (
        f"{_int(get('canteens_meeting_all' + suffix))} of {_int(n)} "
        f"(Q {_int(get('canteens_meeting_quality' + suffix))}, "
        f"O {_int(get('canteens_meeting_organic' + suffix))}, "
        f"MF {_int(get('canteens_meeting_meat_fish' + suffix))})"
    )


def _failed_row(label: str, res: Result) -> list[str]:
    reason = res.get("failed") or res.get("skipped") or "?"
    word = "did not fit" if "failed" in res else "skipped"
    return [
        label,
        _int(res.get("arcs_reached")),
        "—",
        "—",
        "—",
        "—",
        "—",
        _fmt(res.get("peak_gb")),
        f"{word}: {reason}",
        *["—"] * 6,
    ]


def size_table(entry: dict[str, Any]) -> list[str]:
    """The main table of one size: every plan side by side."""
    tasks, d = entry["tasks"], entry["derived"]
    bound = d.get("best_bound", math.nan)
    header = [
        "plan",
        "arcs",
        "variables",
        "constraints",
        "nonzeros",
        "build s",
        "solve s",
        "peak GB",
        "status",
        "objective",
        "best bound",
        "gap",
        "local",
        "organic",
        "canteens meeting EGalim: all 3 (quality, organic, meat & fish)",
    ]
    rows: list[list[str]] = []
    n = (tasks.get("optimiser") or tasks.get("build") or {}).get("scenario", {}).get("canteens")
    for res in tasks.values():
        if ok(res) and "scenario" in res:
            n = res["scenario"]["canteens"]
            break

    def model_row(label: str, res: Result, gap: float, shares: bool = True) -> list[str]:
        return [
            label,
            _int(res.get("arcs")),
            _int(res.get("variables")),
            _int(res.get("constraints")),
            _int(res.get("nonzeros")),
            _fmt(res.get("build_time_s")),
            _fmt(res.get("solve_time_s")),
            _fmt(res.get("peak_gb")),
            str(res.get("status")),
            _sci(res.get("objective")),
            _sci(bound),
            _gap(gap),
            _pct(res.get("share_local")) if shares else "—",
            _pct(res.get("share_organic")) if shares else "—",
            _meeting(res, n) if shares else "—",
        ]

    opt = tasks.get("optimiser")
    if opt is not None:
        if ok(opt):
            # Runs recorded before the objective was kept name none.
            mode = "".join(f"{m}, " for m in [opt.get("objective_mode")] if m)
            label = f"rhd_match default ({opt['strategy']}, {mode}limit {opt['time_limit_s']:g} s)"
            rows.append(model_row(label, opt, d.get("optimiser_gap", math.nan)))
        else:
            rows.append(_failed_row("rhd_match default", opt))
    mip = tasks.get("mip")
    if mip is not None:
        if ok(mip):
            rows.append(model_row("rhd_match exact MIP (HiGHS, gap 1e-9)", mip, d["mip_gap"]))
        else:
            rows.append(_failed_row("rhd_match exact MIP", mip))
    lp = tasks.get("lp")
    if lp is not None:
        if ok(lp):
            rows.append(
                model_row(
                    f"LP relaxation ({lp.get('solver') or 'no solver finished'}): a bound",
                    lp,
                    math.nan,
                    shares=False,
                )
            )
        else:
            rows.append(_failed_row("LP relaxation", lp))
    greedy = tasks.get("greedy")
    if greedy is not None:
        if ok(greedy):
            status = f"feasible, checker: {greedy['violations']} violations"
            rows.append(
                [
                    "greedy adviser (benchmarks/greedy.py)",
                    "—",
                    "—",
                    "—",
                    "—",
                    "—",
                    _fmt(greedy["time_s"]),
                    _fmt(greedy["peak_gb"]),
                    status,
                    _sci(greedy["objective_from_flows"]),
                    _sci(bound),
                    _gap(d.get("greedy_gap")),
                    _pct(greedy["share_local"]),
                    _pct(greedy["share_organic"]),
                    _meeting(greedy, n),
                ]
            )
        else:
            rows.append(_failed_row("greedy adviser", greedy))
    pulp = tasks.get("pulp")
    if pulp is not None:
        if ok(pulp):
            plan = pulp.get("plan") or {}
            gap = relative_gap(pulp["objective"], bound) if pulp["mode"] == "mip" else math.nan
            label = f"PuLP + CBC, {pulp['mode']} (limit {pulp['time_limit_s']:g} s)"
            row = model_row(label, {**pulp, **plan}, gap, shares=bool(plan))
            row[8] = f"{pulp['status']} ({pulp['solution_status']})"
            if pulp.get("first_attempt"):
                first = pulp["first_attempt"]
                row[8] += (
                    f" with `{pulp['options']}`; first attempt: {first['status']} "
                    f"in {first['solve_time_s']:.2f} s (false)"
                )
            if plan:
                row[8] += f", checker: {plan['violations']} violations"
            rows.append(row)
        else:
            rows.append(_failed_row("PuLP + CBC", pulp))
    if ok(opt) and opt is not None:
        rows.append(
            [
                "before: all conventional",
                *["—"] * 11,
                _pct(opt.get("share_local_before")),
                _pct(opt.get("share_organic_before")),
                f"{_int(opt.get('canteens_meeting_all_before'))} of {_int(n)}",
            ]
        )
    return _table(header, rows)


def size_notes(entry: dict[str, Any]) -> list[str]:
    """The comparisons of one size in sentences."""
    tasks, d = entry["tasks"], entry["derived"]
    lines: list[str] = []
    build, opt, greedy, pulp = (tasks.get(k) for k in ("build", "optimiser", "greedy", "pulp"))
    any_ok = next((r for r in tasks.values() if ok(r)), None)
    if any_ok is not None:
        sc = any_ok["scenario"]
        lines.append(
            f"- Scenario: {sc['canteens']:,} canteens, {sc['producers']:,} producers, "
            f"{sc['products']} products, {sc['weeks']} weeks, {sc['offers']:,} offers, "
            f"{sc['demand_rows']:,} demand rows; generated in {sc['generate_time_s']:.1f} s."
        )
    if "lp_integrality_gap" in d:
        lines.append(
            f"- The exact optimum is {_gap(d['lp_integrality_gap'])} above the LP relaxation: "
            f"the part of a gap against the LP bound that no plan can close."
        )
    if ok(build) and build is not None:
        lines.append(
            f"- Build: `build_model` {build['build_time_s']:.3f} s; numpy/scipy floor "
            f"(`csr_matrix((data, (row, col)))` + `sum_duplicates` on the same "
            f"{build['nonzeros']:,} triplets) {build['floor_csr_s']:.4f} s: "
            f"**{build['build_floor_ratio']:.1f}×** the floor (target ≤ 3×)."
        )
        if "assembly_time_s" in build:
            lines.append(
                f"- Of the build, the index (the offer × demand join, franco reduction, drops) "
                f"takes {build['index_time_s']:.3f} s and the matrix assembly from it "
                f"(variables, constraint families, stacking, objective; profiled run) "
                f"{build['assembly_time_s']:.3f} s: **{build['assembly_floor_ratio']:.1f}×** "
                f"the floor."
            )
    if ok(opt) and opt is not None:
        plan = opt["plan"]
        lines.append(
            f"- Optimiser: strategy `{opt['strategy']}`, {opt['wall_time_s']:.1f} s wall "
            f"(limit {opt['time_limit_s']:g} s); gap {_gap(opt['gap'])} to its own bound, "
            f"{_best_bound_gap(opt, d)}; checker: "
            f"{plan['violations']} violations; objective recomputed from the flows "
            f"{_sci(plan['objective_from_flows'])}."
        )
    if "gain_local_points" in d and greedy is not None:
        lines.append(
            f"- Optimiser vs greedy (same inputs, same checker): **{d['gain_local_points']:+.1f} "
            f"points of local share**, **{d['gain_organic_points']:+.1f} points of organic "
            f"share**, objective {'lower' if d['gain_objective'] >= 0 else '**higher**'} "
            f"by {_sci(abs(d['gain_objective']))}; greedy "
            f"{greedy['time_s']:.2f} s, {greedy['violations']} violations."
        )
    local_max = tasks.get("local_max")
    if ok(local_max) and local_max is not None:
        lines.append(
            f"- Local share ceiling (objective = local value only, everything else weighted 0): "
            f"the best plan found reaches {_pct(local_max['plan_share_local'])} local share by "
            f"value ({local_max['plan_status']}, {local_max['plan_time_s']:.1f} s); the LP "
            f"relaxation ({local_max['lp_solver']}) bounds local purchases at "
            f"{_pct(local_max['lp_local_reference_share'])} of the demand's reference value. "
            f"Whatever the objective, no plan buys much more locally: local supply within reach "
            f"is the limit."
        )
    if ok(pulp) and pulp is not None and "pulp_objective_rel_diff" in d:
        equal = "equal" if d["pulp_equal_objective"] else "**NOT equal**"
        lines.append(
            f"- PuLP + CBC vs rhd_match ({d['pulp_reference']}): objectives {equal} "
            f"(relative difference {d['pulp_objective_rel_diff']:.1e}, tolerance "
            f"{EQUAL_OBJECTIVE_RTOL:g}); build {pulp['build_time_s']:.2f} s = "
            f"**{d['pulp_build_ratio']:.1f}×** rhd_match's; solve {pulp['solve_time_s']:.2f} s "
            f"= **{d['pulp_solve_ratio']:.2f}×** rhd_match's (PuLP's includes writing the MPS "
            f"file and reading the solution)."
        )
    elif pulp is not None and not ok(pulp):
        lines.append(f"- PuLP + CBC: {pulp.get('failed') or pulp.get('skipped')}.")
    for name, res in tasks.items():
        if res is not None and "failed" in res:
            lines.append(f"- Task `{name}` did not fit: {res['failed']}.")
            if res.get("last_progress"):
                last = dict(res["last_progress"][-1])
                step, rss, peak = (
                    last.pop("step", "?"),
                    last.pop("rss_gb", None),
                    last.pop("peak_gb", None),
                )
                extra = ", ".join(f"{k} {_short(v)}" for k, v in last.items())
                lines.append(
                    f"  Last step reached: `{step}` at {_fmt(rss)} GB resident, peak "
                    f"{_fmt(peak)} GB" + (f" ({extra})" if extra else "") + "."
                )
    return lines


def profile_table(build: Result) -> list[str]:
    """Step-by-step build times and memory."""
    prof = build.get("profile") or {}
    rows = [
        [s["step"], _fmt(s["time_s"], 3), _fmt(s["rss_gb"]), _fmt(s["peak_gb"])]
        for s in prof.get("steps", [])
    ]
    return _table(["build step", "time s", "resident GB after", "peak GB so far"], rows)


def failed_profile(res: Result) -> list[str]:
    rows = [
        [
            str(p.get("step")),
            _fmt(p.get("time_s"), 3),
            _fmt(p.get("rss_gb")),
            _fmt(p.get("peak_gb")),
        ]
        for p in res.get("last_progress", [])
    ]
    return _table(["last steps before failing", "time s", "resident GB", "peak GB"], rows)


def solver_tables(res: Result) -> list[str]:
    """Solver comparison tables of one size."""
    out: list[str] = []
    for key, title in (
        ("weekly_transport", "Weekly transport LPs (decomposition's first pricing step)"),
        ("weekly_delivery", "Weekly LPs with drops, franco and lots relaxed"),
    ):
        rows = res.get(key) or []
        if not rows:
            continue
        first = rows[0]
        out += [
            "",
            f"{title}: {first['weeks']} of {first['weeks_total']} weeks, "
            f"~{first['mean_rows']:,.0f} rows × {first['mean_cols']:,.0f} columns each, "
            f"in sequence; budget {res['time_limit_s']:g} s per solver.",
            "",
        ]
        out += _table(
            ["solver", "solved", "total s", "s per week", "Σ objective", "statuses"],
            [
                [
                    r["solver"],
                    f"{r['solved']}/{r['weeks']}",
                    _fmt(r["time_s"], 3),
                    _fmt(r["time_per_week_s"], 4),
                    _sci(r["sum_objective"]),
                    r["statuses"],
                ]
                for r in rows
            ],
        )
    for key, title in (
        ("full_lp", "Whole LP relaxation"),
        ("mip", "Exact MIP"),
    ):
        rows = res.get(key) or []
        if not rows:
            continue
        out += ["", f"{title}, limit {res['time_limit_s']:g} s per solver:", ""]
        out += _table(
            ["solver", "status", "time s", "objective", "bound", "message"],
            [
                [
                    r["solver"],
                    r["status"],
                    _fmt(r["time_s"], 3),
                    _sci(r["objective"]),
                    _sci(r["bound"]),
                    r.get("message", ""),
                ]
                for r in rows
            ],
        )
    return out


def _strategy(run: dict[str, Any]) -> str:
    """A strategies run's name: the strategy, and the local search's passes after it."""
    passes = run.get("local_search", 0)
    return f"{run['strategy']} + local search ×{passes}" if passes else str(run["strategy"])


def strategy_table(res: Result, bound: float) -> list[str]:
    rows = [
        [
            _strategy(r),
            f"{r['time_limit_s']:g}",
            _fmt(r["wall_time_s"], 1),
            "failed: " + r["error"],
        ]
        + ["—"] * 6
        if "error" in r
        else [
            _strategy(r),
            f"{r['time_limit_s']:g}",
            _fmt(r["wall_time_s"], 1),
            str(r["status"]),
            _sci(r["objective"]),
            _sci(r["best_bound"]),
            _gap(r["gap"]),
            _gap(relative_gap(r["objective"], bound)),
            _pct(r.get("share_local")),
            _pct(r.get("share_organic")),
        ]
        for r in res.get("runs", [])
    ]
    return _table(
        [
            "strategy",
            "limit s",
            "wall s",
            "status",
            "objective",
            "own bound",
            "own gap",
            "gap to best bound",
            "local",
            "organic",
        ],
        rows,
    )


def scaling_table(sc: dict[str, Any]) -> list[str]:
    rows = [
        [
            r["size"] + (f" ({r['failed']})" if r.get("failed") else ""),
            _int(r.get("arcs")),
            _fmt(r.get("build_time_s"), 3),
            _fmt(r.get("build_peak_gb")),
            _fmt(r.get("opt_build_time_s"), 3),
            _fmt(r.get("solve_time_s"), 1) + (" (hit the limit)" if r.get("capped") else ""),
            _fmt(r.get("time_limit_s"), 0),
            _fmt(r.get("peak_gb")),
        ]
        for r in sc["rows"]
    ]
    out = _table(
        [
            "size",
            "arcs",
            "build s (build task)",
            "build peak GB",
            "build s (optimiser)",
            "solve s",
            "time limit s",
            "optimiser peak GB",
        ],
        rows,
    )
    e = sc["exponents"]

    def sizes(key: str) -> str:
        return " → ".join(sc.get(key, [])) or "none"

    out += [
        "",
        "Fitted growth exponents b in y ∝ arcs^b (least squares on logs, whole-year sizes "
        "only): "
        f"build time **{_fmt(e['build_time_s'])}** and build-task memory "
        f"**{_fmt(e['build_peak_gb'])}** ({sizes('sizes_build')}); solve time "
        f"**{_fmt(e['solve_time_s'])}** ({sizes('sizes_solve')}: solves that hit their time "
        f"limit are left out); optimiser memory **{_fmt(e['peak_gb'])}** "
        f"({sizes('sizes_memory')}). Memory includes the ~0.1 GB of an idle Python with the "
        "libraries loaded, which flattens the small sizes.",
    ]
    return out


def headline(results: dict[str, Any]) -> list[str]:
    """The figures worth quoting, one bullet each."""
    out: list[str] = []
    for name, entry in results["sizes"].items():
        tasks, d = entry["tasks"], entry["derived"]
        opt, greedy = tasks.get("optimiser"), tasks.get("greedy")
        if ok(opt) and opt is not None:
            text = (
                f"**{name}** ({_int(opt['arcs'])} arcs, {_int(opt['binaries'])} binaries): "
                f"`{opt['strategy']}` plan in {d['optimiser_total_s']:.1f} s "
                f"(build {opt['build_time_s']:.2f} s), {_best_bound_gap(opt, d)}, "
                f"peak {opt['peak_gb']:.2f} GB; "
                f"local {_pct(opt['share_local'])}, organic {_pct(opt['share_organic'])}"
            )
            if ok(greedy) and greedy is not None and "gain_local_points" in d:
                text += (
                    f" (greedy adviser: {_pct(greedy['share_local'])}, "
                    f"{_pct(greedy['share_organic'])}; {d['gain_local_points']:+.1f} and "
                    f"{d['gain_organic_points']:+.1f} points)"
                )
            out.append(text + ".")
        else:
            res = next((r for r in tasks.values() if r and "failed" in r), None)
            if res is not None:
                arcs = res.get("arcs_reached")
                where = f" after reaching {_int(arcs)} arcs" if arcs else ""
                out.append(
                    f"**{name}**: no plan — task `{res['task']}` did not fit{where}: "
                    f"{res['failed']} (peak {_fmt(res.get('peak_gb'))} GB)."
                )
        if "pulp_objective_rel_diff" in d:
            pulp = tasks["pulp"]
            out.append(
                f"**{name}** PuLP + CBC ({d['pulp_reference']}): objective "
                f"{'equal' if d['pulp_equal_objective'] else 'NOT equal'} "
                f"(relative difference {d['pulp_objective_rel_diff']:.1e}); build "
                f"{d['pulp_build_ratio']:.1f}× and solve {d['pulp_solve_ratio']:.1f}× "
                f"rhd_match's ({pulp['build_time_s']:.2f} s and {pulp['solve_time_s']:.2f} s)."
            )
        solvers = tasks.get("solvers")
        if ok(solvers) and solvers is not None and name != "XS":
            for key, what in (
                ("weekly_delivery", "weekly LPs with delivery rows"),
                ("full_lp", "whole LP relaxation"),
            ):
                rows = solvers.get(key) or []
                done = [r for r in rows if r.get("solved", 0) == r.get("weeks", -1)]
                if key == "full_lp":
                    done = [r for r in rows if r["status"] == "optimal"]
                if not done:
                    continue
                fastest = min(done, key=lambda r: r["time_s"])
                others = ", ".join(
                    f"{r['solver']} {_fmt(r['time_s'], 1)} s"
                    + ("" if r in done else " (unfinished)")
                    for r in rows
                    if r is not fastest
                )
                out.append(
                    f"**{name}** {what}: fastest {fastest['solver']} "
                    f"{_fmt(fastest['time_s'], 2)} s; {others}."
                )
    e = results["scaling"]["exponents"]
    if math.isfinite(as_number(e["build_time_s"])):
        out.append(
            f"Growth with arcs: build time ∝ arcs^{_fmt(e['build_time_s'])}, "
            f"build memory ∝ arcs^{_fmt(e['build_peak_gb'])}, solve time ∝ "
            f"arcs^{_fmt(e['solve_time_s'])} (see Scaling)."
        )
    return [f"- {line}" for line in out]


def markdown(results: dict[str, Any]) -> str:
    """The whole report."""
    m = results["machine"]
    lines = [
        "# rhd_match benchmarks",
        "",
        f"Command: `{results['command']}` (from the repository root; "
        f"{results['started']} → {results['finished']}, {results['wall_time_s'] / 60:.1f} min).",
        "",
        "## Machine",
        "",
        *_table(
            ["", ""],
            [
                ["CPU", f"{m['cpu_model']}, {m['nproc']} cores (nproc)"],
                [
                    "memory",
                    f"{m['memory_total_gb']} GB total, {m['memory_available_gb']} GB available "
                    f"at start",
                ],
                [
                    "load average at start / end",
                    f"{m['load_average']} / {results['machine_end']['load_average']} "
                    f"(the machine was shared: timings are noisy)",
                ],
                ["OS", m["os"]],
                [
                    "versions",
                    f"Python {m['python']}, OR-Tools {m['ortools']}, numpy {m['numpy']}, "
                    f"scipy {m['scipy']}, pandas {m['pandas']}, PuLP {m['pulp']}",
                ],
                [
                    "code",
                    f"commit {m['git_commit']}"
                    + (" + uncommitted changes" if m["git_dirty"] else ""),
                ],
                [
                    "limits",
                    f"each task in its own process, address space capped at "
                    f"{results['memory_limit_gb']:.1f} GB (RLIMIT_AS); peak memory = the "
                    f"process's peak resident set (ru_maxrss)",
                ],
            ],
        ),
        "",
        "## Headline figures",
        "",
        *headline(results),
        "",
        "How to read: *gap* = (objective − best bound) / max(1, |objective|), the best bound being "
        "the strongest of the LP relaxation, the optimiser's own bound (Lagrangian for "
        "`decompose`) and the exact MIP's; objectives are the model's (`docs/model.md`), "
        "recomputed from each plan's flows by `rhd_match.check.objective_from_flows` for "
        "the greedy plan; *local* and *organic* are shares of purchase value (EUR HT) over the "
        "whole horizon; *peak GB* is the peak resident memory of the task's own process "
        "(scenario generation included); times are wall clock.",
        "",
        "## Targets",
        "",
        *_table(["target", "measured", "verdict"], [list(t) for t in results["targets"]]),
    ]
    for name, entry in results["sizes"].items():
        lines += ["", f"## {entry['label']}", "", f"_{entry['description']}_", ""]
        lines += size_table(entry)
        lines += ["", *size_notes(entry)]
        tasks = entry["tasks"]
        build = tasks.get("build")
        if ok(build) and build is not None:
            lines += ["", f"Where {name}'s build time goes:", "", *profile_table(build)]
        elif build is not None and build.get("last_progress"):
            lines += ["", f"Where {name}'s build got to:", "", *failed_profile(build)]
        opt = tasks.get("optimiser")
        if ok(opt) and opt is not None and opt.get("log"):
            lines += [
                "",
                f"Where {name}'s solve time goes (the decomposition's log; seconds since the "
                f"call, build included):",
                "",
                *_table(["s", "step"], [[f"{t:.1f}", f"`{m}`"] for t, m in opt["log"]]),
            ]
        solvers = tasks.get("solvers")
        if ok(solvers) and solvers is not None:
            lines += ["", f"### Solver comparison ({name})", *solver_tables(solvers)]
        strategies = tasks.get("strategies")
        if ok(strategies) and strategies is not None:
            lines += [
                "",
                f"### Strategies ({name}): why the default is what it is",
                "",
                *strategy_table(strategies, entry["derived"].get("best_bound", math.nan)),
            ]
    lines += ["", "## Scaling", "", *scaling_table(results["scaling"])]
    if results.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {n}" for n in results["notes"]]
    return "\n".join(lines) + "\n"
