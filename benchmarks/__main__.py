"""The benchmark runner: ``python -m benchmarks --sizes XS,S,M [--time-limit S] [--out DIR]``.

For each size (``benchmarks/sizes.py``) it runs each task (``benchmarks/one.py``) in its own
process, one after the other, with the address space capped (``--memory-limit-gb``) and a
wall-clock timeout per task, so that peak memory is per task and a size that does not fit is
reported ("did not fit: ...") instead of stopping the run. Then it writes
``DIR/results.json`` (raw figures) and ``DIR/README.md`` (machine, targets, one table per size,
solver comparison, scaling curve) and prints the report.

Exit status: 0, or 1 when PuLP's objective differs from rhd_match's (the "equal objective"
check of the issue) or the greedy plan breaks a rule.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .figures import derive, ok, scaling
from .markdown import markdown, targets
from .measure import GB, PROGRESS_PREFIX, REPO, machine, meminfo_gb
from .sizes import ALL_TASKS, Size, get_size, with_time_limit

DEFAULT_OUT = REPO / "benchmarks" / "results"
#: Tasks that need the whole model: skipped at a size whose ``build`` task did not fit.
NEEDS_MODEL = ("optimiser", "weighted", "lp", "greedy", "mip", "pulp", "solvers", "strategies")


def default_memory_limit_gb() -> float:
    """20 GB, or less when the machine has less available (GB), keeping 1.5 GB for others."""
    available = meminfo_gb().get("MemAvailable", 20.0)
    return max(1.0, min(20.0, available - 1.5))


def _read_progress(text: str) -> list[dict[str, Any]]:
    out = []
    for line in text.splitlines():
        if line.startswith(PROGRESS_PREFIX):
            try:
                out.append(json.loads(line[len(PROGRESS_PREFIX) :]))
            except json.JSONDecodeError:
                continue
    return out


def _failure(
    returncode: int, timed_out: bool, timeout_s: float, stderr: str, memory_gb: float
) -> str:
    tail = [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith(PROGRESS_PREFIX)]
    last = tail[-1].strip() if tail else ""
    if timed_out:
        return f"did not finish within {timeout_s:.0f} s (wall clock), stopped"
    if "MemoryError" in stderr or "bad_alloc" in stderr or "Cannot allocate memory" in stderr:
        return f"out of memory (address space capped at {memory_gb:.1f} GB): {last[:160]}"
    if returncode < 0:
        name = signal.Signals(-returncode).name
        return f"killed by {name}" + (f": {last[:160]}" if last else "")
    return f"exit code {returncode}: {last[:200]}"


def run_task(
    size: Size, task: str, memory_gb: float, time_limit_s: float | None, log: Any = print
) -> dict[str, Any]:
    """Run ``python -m benchmarks.one`` for one size and task; its JSON, or a failure record.

    Peak memory of a failed task comes from ``wait4``'s resource usage (GB).
    """
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.one",
        "--size",
        size.name,
        "--task",
        task,
        "--memory-limit-gb",
        f"{memory_gb:.2f}",
    ]
    if time_limit_s is not None:
        cmd += ["--time-limit", str(time_limit_s)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(
            cmd, cwd=REPO, stdout=out, stderr=err, env=env, start_new_session=True
        )
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > size.timeout_for(task):
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.2)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    wall = time.perf_counter() - started
    peak = usage.ru_maxrss * 1024 / GB
    result: dict[str, Any] | None = None
    if proc.returncode == 0 and not timed_out:
        try:
            result = json.loads(stdout.strip().splitlines()[-1])
        except (json.JSONDecodeError, IndexError):
            result = None
    if result is None:
        progress = _read_progress(stderr)
        arcs = next((p["arcs"] for p in reversed(progress) if "arcs" in p), None)
        result = {
            "size": size.name,
            "task": task,
            "failed": _failure(
                proc.returncode, timed_out, size.timeout_for(task), stderr, memory_gb
            ),
            "returncode": proc.returncode,
            "peak_gb": peak,
            "arcs_reached": arcs,
            "last_progress": progress[-8:],
            "stderr_tail": stderr.splitlines()[-15:],
        }
    result["process_wall_s"] = wall
    log(f"  {size.name:>3} {task:<10} {wall:8.1f} s  peak {peak:6.2f} GB  {_brief(result)}")
    return result


def _brief(res: dict[str, Any]) -> str:
    if "failed" in res:
        return "FAILED: " + str(res["failed"])
    if "skipped" in res:
        return "skipped: " + str(res["skipped"])
    task = res.get("task")
    if task in ("optimiser", "weighted", "mip", "lp"):
        gap = 100 * float(res.get("gap", math.nan))
        return (
            f"{res.get('status')} objective {res.get('objective', math.nan):.6g} "
            f"gap {gap:.3f} % build {res.get('build_time_s', 0):.2f} s "
            f"solve {res.get('solve_time_s', 0):.2f} s"
        )
    if task == "greedy":
        return (
            f"{res['violations']} violations, local {100 * res['share_local']:.1f} %, "
            f"objective {res['objective_from_flows']:.6g}"
        )
    if task == "pulp":
        return (
            f"{res['mode']}: {res['status']} objective {res['objective']:.6g}, build "
            f"{res['build_time_s']:.2f} s, solve {res['solve_time_s']:.2f} s"
        )
    if task == "build":
        return (
            f"{res['arcs']:,} arcs, build {res['build_time_s']:.3f} s, floor "
            f"{res['floor_csr_s']:.4f} s"
        )
    return "done"


def run(
    sizes: Sequence[str],
    out: Path,
    time_limit_s: float | None = None,
    tasks: Sequence[str] | None = None,
    memory_gb: float | None = None,
    command: str = "python -m benchmarks",
    log: Any = print,
    merge: bool = False,
) -> dict[str, Any]:
    """Run the benchmark and write ``out/results.json`` and ``out/README.md``; the results.

    ``merge``: keep the other sizes and tasks of an existing ``out/results.json`` and replace
    only those run now (noted in the report).
    """
    memory_gb = memory_gb or default_memory_limit_gb()
    started_at = dt.datetime.now().astimezone()
    started = time.perf_counter()
    results: dict[str, Any] = {
        "command": command,
        "started": started_at.isoformat(timespec="seconds"),
        "machine": machine(),
        "memory_limit_gb": memory_gb,
        "sizes": {},
        "notes": [],
    }
    previous: dict[str, Any] | None = None
    if merge and (out / "results.json").exists():
        previous = json.loads((out / "results.json").read_text(encoding="utf-8"))
        previous["notes"] = [
            *previous.get("notes", []),
            f"Re-run on {results['started']} and merged: sizes {', '.join(sizes)}, tasks "
            f"{', '.join(tasks) if tasks else 'all'} (`{command}`; load average "
            f"{results['machine']['load_average']}).",
        ]
    log(f"machine: {results['machine']}")
    for name in sizes:
        size = with_time_limit(get_size(name), time_limit_s)
        chosen = [t for t in size.tasks if tasks is None or t in tasks]
        entry: dict[str, Any] = {
            "label": size.label,
            "description": size.description,
            "tasks": {},
        }
        if previous is not None and size.name in previous["sizes"]:
            entry = previous["sizes"][size.name]
        results["sizes"][size.name] = entry
        log(f"{size.label}")
        for task in chosen:
            build = entry["tasks"].get("build")
            if task in NEEDS_MODEL and build is not None and not ok(build):
                entry["tasks"][task] = {
                    "size": size.name,
                    "task": task,
                    "skipped": "the model does not fit (see the build task)",
                }
                log(f"  {size.name:>3} {task:<10} skipped: the model does not fit")
                continue
            entry["tasks"][task] = run_task(size, task, memory_gb, size.time_limit_s, log)
        entry["derived"] = derive(entry["tasks"])
    if previous is not None:
        for name, entry in results["sizes"].items():
            previous["sizes"][name] = entry
        results = previous
    else:
        results["machine_end"] = machine()
        results["finished"] = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        results["wall_time_s"] = time.perf_counter() - started
    results["scaling"] = scaling(results["sizes"])
    results["targets"] = targets(results["sizes"])
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(
        json.dumps(results, indent=1, default=str, allow_nan=True) + "\n", encoding="utf-8"
    )
    text = markdown(results)
    (out / "README.md").write_text(text, encoding="utf-8")
    return results


def render(out: Path) -> dict[str, Any]:
    """Recompute the derived figures of ``out/results.json`` and rewrite ``out/README.md``."""
    results: dict[str, Any] = json.loads((out / "results.json").read_text(encoding="utf-8"))
    for entry in results["sizes"].values():
        entry["derived"] = derive(entry["tasks"])
    results["scaling"] = scaling(results["sizes"])
    results["targets"] = targets(results["sizes"])
    (out / "results.json").write_text(
        json.dumps(results, indent=1, default=str, allow_nan=True) + "\n", encoding="utf-8"
    )
    (out / "README.md").write_text(markdown(results), encoding="utf-8")
    return results


def problems(results: dict[str, Any]) -> list[str]:
    """Checks the run must pass: PuLP's objective equals rhd_match's; greedy breaks no rule."""
    found = []
    for name, entry in results["sizes"].items():
        d = entry["derived"]
        if d.get("pulp_equal_objective") is False:
            found.append(
                f"{name}: PuLP objective differs from rhd_match's {d['pulp_reference']} by "
                f"{d['pulp_objective_rel_diff']:.2e} (relative)"
            )
        greedy = entry["tasks"].get("greedy")
        if ok(greedy) and greedy is not None and greedy["violations"]:
            found.append(f"{name}: the greedy plan breaks {greedy['violation_rules']}")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--sizes", default="XS,S", help="comma-separated: XS,S,SM,M,L or 120x80")
    parser.add_argument(
        "--time-limit", type=float, default=None, help="optimiser limit, s (default per size)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument(
        "--tasks", default=None, help=f"comma-separated subset of {','.join(ALL_TASKS)}"
    )
    parser.add_argument(
        "--memory-limit-gb",
        type=float,
        default=None,
        help="address-space cap per task, GB (default: min(20, available − 1.5))",
    )
    parser.add_argument("--quiet", action="store_true", help="do not print the report")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="replace only the sizes and tasks run now in an existing OUT/results.json",
    )
    parser.add_argument(
        "--render",
        action="store_true",
        help="only rewrite OUT/README.md from OUT/results.json (no benchmark run)",
    )
    args = parser.parse_args(argv)
    if args.render:
        results = render(args.out)
        if not args.quiet:
            print((args.out / "README.md").read_text(encoding="utf-8"))
        return 1 if problems(results) else 0
    tasks = args.tasks.split(",") if args.tasks else None
    if tasks and (unknown := set(tasks) - set(ALL_TASKS)):
        parser.error(f"unknown tasks: {sorted(unknown)}")
    command = "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:])
    results = run(
        [s.strip() for s in args.sizes.split(",") if s.strip()],
        args.out,
        args.time_limit,
        tasks,
        args.memory_limit_gb,
        command.strip(),
        merge=args.merge,
    )
    if not args.quiet:
        print((args.out / "README.md").read_text(encoding="utf-8"))
    found = problems(results)
    for p in found:
        print(f"FAILED CHECK: {p}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
