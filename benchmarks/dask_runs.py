"""Threads against Dask workers on one size: time, memory per process, identical plans.

``python -m benchmarks.dask_runs --size M --workers 1,2 --out benchmarks/results/dask.json``
runs the decomposition on threads, then on a ``LocalCluster`` of 1, then 2 worker processes,
each run in its own process (so that peak memory is per run), and writes one JSON record per
run and a markdown table. The cluster is started by the run before the clock starts (its
address is handed to ``solve``), so that the worker processes' peak memory can be read at the
end; starting a local cluster on demand (``local:N``) costs its start-up on top.

It also measures what travels per week (pickled bytes of each week's table, scattered once,
and of each pass's prices), on the size's model.
"""

from __future__ import annotations

import argparse
import json
import logging
import pickle
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.measure import machine, own_peak_rss_gb, peak_rss_gb
from benchmarks.sizes import get_size, make_scenario
from rhd_match.model.build import build_model
from rhd_match.model.decomposition.executors import week_prices, week_table
from rhd_match.model.decomposition.subproblems import week_problems

#: The solve options of every run: the decomposition on its weighted objective, so that the
#: comparison is the weekly LPs' (the levels of the lexicographic objective are whole-model
#: LPs that run in the calling process either way).
OPTIONS: dict[str, Any] = {"strategy": "decompose", "objective": "weighted"}


def _worker_usage(dask_worker: Any) -> tuple[float, int]:
    return own_peak_rss_gb(), int(dask_worker.state.executed_count)


@dataclass(frozen=True)
class Workers:
    """Where a solve's weekly LPs run: ``address`` of a ``LocalCluster``'s scheduler (None:
    threads in the calling process) and ``usage``, per worker (in address order) its peak
    resident memory and the tasks it ran: ``{"worker_peak_gb": [...], "worker_tasks":
    [...]}``, empty lists on threads."""

    address: str | None
    usage: Callable[[], dict[str, list[Any]]]


@contextmanager
def local_workers(workers: int) -> Iterator[Workers]:
    """A ``LocalCluster`` of ``workers`` one-thread worker processes, started before the
    clock of the run it serves and closed after it; threads when ``workers`` is 0."""
    if not workers:
        yield Workers(None, lambda: {"worker_peak_gb": [], "worker_tasks": []})
        return
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    )

    def usage() -> dict[str, list[Any]]:
        with Client(cluster) as client:
            each = [u for _, u in sorted(client.run(_worker_usage).items())]
        return {
            "worker_peak_gb": [round(peak, 3) for peak, _ in each],
            "worker_tasks": [tasks for _, tasks in each],
        }

    try:
        yield Workers(cluster.scheduler_address, usage)
    finally:
        cluster.close()


def one_run(size_name: str, workers: int, time_limit_s: float) -> dict[str, Any]:
    """One solve of ``size_name`` on threads (``workers == 0``) or ``workers`` Dask workers.

    Returns
    -------
    dict
        Wall time (s), objective, plan status, flows digest, peak memory of this process and of
        each worker (GB).
    """
    scenario = make_scenario(get_size(size_name))
    options = dict(OPTIONS, time_limit_s=time_limit_s)
    with local_workers(workers) as pool:
        if pool.address is not None:
            options["dask"] = pool.address
        started = time.perf_counter()
        solution = scenario.solve(**options)
        wall = time.perf_counter() - started
        used = pool.usage()
    flows = solution.flows
    return {
        "size": size_name,
        "mode": f"dask:{workers}" if workers else "threads",
        "wall_s": round(wall, 2),
        "objective": solution.objective,
        "gap": solution.gap,
        "status": solution.status,
        "stopped_by_time_limit": solution.stopped_by_time_limit,
        "flows_rows": len(flows),
        "flows_sha": _digest(flows),
        "client_peak_gb": round(peak_rss_gb(), 3),
        **used,
    }


def _digest(frame: Any) -> str:
    import hashlib

    return hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()[:16]


def traffic(size_name: str) -> dict[str, Any]:
    """Bytes that travel per week on ``size_name``: the week's table (once per solve), one
    pass's prices (out) and values (back, at most one float per column)."""
    model = build_model(make_scenario(get_size(size_name)))
    out: dict[str, Any] = {"size": size_name}
    var = model.variables
    for kind, delivery in (("full", True), ("transport", False)):
        problems = week_problems(model, with_delivery=delivery)
        tables = [
            len(pickle.dumps(week_table(p, model.row_lower, model.row_upper))) for p in problems
        ]
        cost = np.zeros_like(var.lower)
        passes = week_prices(problems, cost, var.lower, var.upper, "glop", 1.0)
        prices = [len(pickle.dumps(w)) for w in passes]
        back = [8 * len(p.cols) for p in problems]
        out[kind] = {
            "weeks": len(problems),
            "table_bytes_mean": int(np.mean(tables)),
            "table_bytes_max": int(max(tables)),
            "prices_bytes_mean": int(np.mean(prices)),
            "values_bytes_max_mean": int(np.mean(back)),
        }
    return out


def markdown(records: list[dict[str, Any]]) -> str:
    """The runs as a markdown table."""
    lines = [
        "| size | mode | wall s | objective | gap | same plan as threads | client peak GB "
        "| worker peak GB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    base = {r["size"]: r for r in records if r["mode"] == "threads"}
    for r in records:
        same = r["flows_sha"] == base[r["size"]]["flows_sha"] if r["size"] in base else "?"
        workers = ", ".join(f"{g:.2f}" for g in r["worker_peak_gb"]) or "–"
        lines.append(
            f"| {r['size']} | {r['mode']} | {r['wall_s']:.1f} | {r['objective']:.6g} "
            f"| {r['gap']:.2%} | {same} | {r['client_peak_gb']:.2f} | {workers} |"
        )
    return "\n".join(lines)


def compare_modes(size_name: str, workers: list[int], time_limit_s: float) -> list[dict[str, Any]]:
    """Threads, then each worker count, each in its own process (peak memory per run)."""
    records = []
    for n in [0, *workers]:
        command = [sys.executable, "-m", "benchmarks.dask_runs", "--one", str(n)]
        command += ["--size", size_name, "--time-limit", str(time_limit_s)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        records.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="S")
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--time-limit", type=float, default=1800.0)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help="JSON file for the records")
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(one_run(args.size, args.one, args.time_limit)))
        return 0
    workers = [int(w) for w in args.workers.split(",") if w]
    records = compare_modes(args.size, workers, args.time_limit)
    result = {"machine": machine(), "runs": records, "traffic": traffic(args.size)}
    print(markdown(records))
    print(json.dumps(result["traffic"], indent=1))
    if args.out is not None:
        args.out.write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
