"""The freed memory kept in the process while the chunks of a streamed solve are built.

Each chunk's model is made of arrays of hundreds of MB. glibc's ``malloc`` gives any block
above its mmap threshold (at most 32 MiB) back to the kernel when it is freed, and the
kernel hands out zeroed pages again at the next chunk: at size L, a 2-week chunk's build
spent 14 of its 23 CPU s in the kernel, and the chunks after the first 0.01 s once the
freed memory was kept for reuse (the peak 5.12 GB against 4.97, measured,
``docs/distributed.md``). The threads that solve the weekly LPs allocate from arenas of
their own, whose large blocks glibc maps and unmaps in the same way: with one arena for
every thread, a chunk after the first had 0.4 CPU s in the kernel instead of 8.5 (measured).

``freed_memory_kept`` raises glibc's thresholds and allows one arena for the time of a
solve, and gives the memory back after it; elsewhere than on glibc it does nothing. The
arena limit may outlast the call: glibc fixes its number of arenas the first time a new
thread needs one, so a process whose threads first allocate during a streamed solve keeps
one arena (threads then share its lock: the weekly LPs' threads lost no time to it,
measured).
"""

from __future__ import annotations

import ctypes
import os
import platform
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: ``mallopt`` parameters (glibc's ``malloc.h``).
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8
#: While kept: blocks up to 1 GiB come from the heap, and the heap is never trimmed.
KEPT_MMAP_THRESHOLD, KEPT_TRIM_THRESHOLD = 1 << 30, (1 << 31) - 1
#: After: where glibc's own adjustment of the thresholds ends (its largest mmap threshold,
#: and twice that for the trim), since ``mallopt`` cannot turn the adjustment back on.
AFTER_MMAP_THRESHOLD, AFTER_TRIM_THRESHOLD = 32 << 20, 64 << 20
#: glibc's own limit of arenas on 64 bits, per core.
AFTER_ARENAS_PER_CORE = 8

# Solves inside at once (threads of ``solve_many``): the last one out gives the memory back.
_inside = 0
_lock = threading.Lock()


def _glibc() -> ctypes.CDLL | None:
    """The C library when it is glibc (its ``mallopt`` and ``malloc_trim``), else None."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


@contextmanager
def freed_memory_kept() -> Iterator[bool]:
    """Keep the memory the process frees for its next allocations while inside, and give it
    back to the system on leaving (``malloc_trim``).

    Yields
    ------
    bool
        Whether the memory is kept (glibc), False where the call does nothing.
    """
    global _inside
    libc = _glibc()
    if libc is None:
        yield False
        return
    with _lock:
        _inside += 1
        if _inside == 1:
            libc.mallopt(M_MMAP_THRESHOLD, KEPT_MMAP_THRESHOLD)
            libc.mallopt(M_TRIM_THRESHOLD, KEPT_TRIM_THRESHOLD)
            libc.mallopt(M_ARENA_MAX, 1)
    try:
        yield True
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0:
                libc.mallopt(M_MMAP_THRESHOLD, AFTER_MMAP_THRESHOLD)
                libc.mallopt(M_TRIM_THRESHOLD, AFTER_TRIM_THRESHOLD)
                libc.mallopt(M_ARENA_MAX, AFTER_ARENAS_PER_CORE * (os.cpu_count() or 1))
                libc.malloc_trim(0)
