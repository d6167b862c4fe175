"""The command line's live progress display: a solve's ``Progress`` messages drawn with ``rich``
(elapsed time against the limit, phase, plan, gap) on a terminal."""

from __future__ import annotations

import math
import sys
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import Progress as RichProgress
from rich.progress import ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.progress_bar import ProgressBar

from ..progress import Progress


class ProgressDisplay:
    """A live progress bar for a terminal: elapsed time against the limit, phase, plan, gap.

    Pass it as ``log=`` to ``rhd_match.solve`` inside a ``with`` block. It shows only when
    ``stream`` is a terminal and ``quiet`` is false; elsewhere (pipes, files, CI logs) it is
    silent. The bar disappears when the block ends, so what follows starts on a clean line.

    Parameters
    ----------
    limit_s : float
        The solve's time limit, s: the length of the bar.
    stream : TextIO, optional
        Where to draw; standard error by default.
    quiet : bool
        Show nothing.
    """

    def __init__(self, limit_s: float, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.console = Console(file=stream if stream is not None else sys.stderr)
        self.enabled = not quiet and self.console.is_terminal
        self.bar = RichProgress(
            TextColumn("[bold]{task.fields[phase]:<9}"),
            _ElapsedBar(),
            TimeElapsedColumn(),
            TextColumn("/ {task.fields[limit]}"),
            TextColumn("{task.fields[figures]}", markup=False),
            TextColumn("{task.description}", markup=False),
            console=self.console,
            transient=True,
            disable=not self.enabled,
        )
        self.task = self.bar.add_task(
            "", total=limit_s, phase="start", limit=_clock(limit_s), figures=""
        )
        self.incumbent, self.gap = math.nan, math.nan

    def __enter__(self) -> ProgressDisplay:
        self.bar.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.bar.stop()

    def __call__(self, message: str) -> None:
        if not self.enabled:
            return
        if not isinstance(message, Progress):
            self.bar.update(self.task, description=message)
            return
        # Keep the last known plan and gap: a later phase message may not restate them.
        if not math.isnan(message.incumbent):
            self.incumbent, self.gap = message.incumbent, message.gap
        figures = "" if math.isnan(self.incumbent) else f"plan {self.incumbent:.6g}"
        if not math.isnan(self.gap):
            figures += f", gap {100 * self.gap:.2f} %"
        self.bar.update(
            self.task, description=message.message, phase=message.phase, figures=figures
        )


class _ElapsedBar(ProgressColumn):
    """A bar of the wall-clock time used against the limit, moving while a solver runs."""

    def render(self, task: Task) -> ProgressBar:
        total = task.total or 1.0
        return ProgressBar(total=total, completed=min(task.elapsed or 0.0, total), width=30)


def _clock(seconds: float) -> str:
    """``h:mm:ss`` as rich's elapsed-time column writes it."""
    whole = math.ceil(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
