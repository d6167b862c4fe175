"""Measuring helpers: memory (GB), wall time (s), progress lines, the machine's description."""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

GB = 1e9  # bytes; memory is reported in decimal GB
PROGRESS_PREFIX = "# progress "
REPO = Path(__file__).resolve().parent.parent


def peak_rss_gb() -> float:
    """Peak resident memory of this process and of its finished children (GB).

    ``ru_maxrss`` is in KiB on Linux; children count for tools that run a solver binary (CBC).
    """
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) * 1024 / GB


def own_peak_rss_gb() -> float:
    """Peak resident memory of this process's own memory map (GB), ``VmHWM`` of
    ``/proc/self/status``; NaN where that file is not there.

    Unlike ``ru_maxrss``, which a process started by fork and exec keeps from its parent (a
    Dask worker started after an 8.3-GB scenario generation reported 8.28 GB, 2026-11-30),
    this counts only what the process itself touched since its program started.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / GB
    except (OSError, ValueError, IndexError):
        pass
    return float("nan")


def current_rss_gb() -> float:
    """Resident memory of this process now (GB), from ``/proc/self/statm``."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return float("nan")
    return pages * os.sysconf("SC_PAGE_SIZE") / GB


def progress(step: str, **fields: Any) -> None:
    """One progress line on stderr (the runner keeps the last ones when a task dies)."""
    record = {
        "step": step,
        "rss_gb": round(current_rss_gb(), 3),
        "peak_gb": round(peak_rss_gb(), 3),
        **fields,
    }
    print(PROGRESS_PREFIX + json.dumps(record, default=str), file=sys.stderr, flush=True)


@contextmanager
def timed() -> Iterator[dict[str, float]]:
    """``with timed() as t: ...`` then ``t["s"]`` is the wall time in seconds."""
    out: dict[str, float] = {}
    started = time.perf_counter()
    try:
        yield out
    finally:
        out["s"] = time.perf_counter() - started


def set_memory_limit(gb: float) -> None:
    """Cap this process's address space (``RLIMIT_AS``) at ``gb`` GB: allocations beyond fail
    with ``MemoryError`` (or ``std::bad_alloc`` in a solver) instead of swapping the machine."""
    limit = int(gb * GB)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def meminfo_gb() -> dict[str, float]:
    """``MemTotal`` and ``MemAvailable`` from ``/proc/meminfo`` (GB)."""
    out: dict[str, float] = {}
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("MemTotal", "MemAvailable"):
                out[key] = int(rest.split()[0]) * 1024 / GB
    except OSError:
        pass
    return out


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


def machine() -> dict[str, Any]:
    """What the figures were measured on: CPU, cores, memory (GB), load, versions, commit."""
    mem = meminfo_gb()
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "cpu_model": _cpu_model(),
        "nproc": os.cpu_count(),
        "memory_total_gb": round(mem.get("MemTotal", float("nan")), 1),
        "memory_available_gb": round(mem.get("MemAvailable", float("nan")), 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "os": platform.platform(),
        "python": platform.python_version(),
        "ortools": _version("ortools"),
        "numpy": _version("numpy"),
        "scipy": _version("scipy"),
        "pandas": _version("pandas"),
        "pulp": _version("pulp"),
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(status),
    }
