"""A live progress line for long solves on a terminal; silent elsewhere."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class LiveLine:
    """Callable that shows each message on one rewritten line with the elapsed time.

    Pass it as ``log=`` to :func:`rhd_match.solve`. It writes only when ``stream`` is a
    terminal (not in pipes, files or CI logs) and ``quiet`` is false.
    """

    def __init__(self, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = not quiet and self.stream.isatty()
        self.started = time.perf_counter()
        self.width = 0

    def __call__(self, message: str) -> None:
        if not self.enabled:
            return
        text = f"[{time.perf_counter() - self.started:6.1f} s] {message}"
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = len(text)

    def close(self) -> None:
        """End the line so that what follows starts on a fresh one."""
        if self.enabled and self.width:
            self.stream.write("\n")
            self.stream.flush()
            self.width = 0
