"""Progress of a solve: rhd_match's own phase messages, and a live display for a terminal.

A solve reports what it does through ``log=``: one ``Progress`` per step (model built,
solver started with its time limit, solver finished with its plan and bound, each phase of the
decomposition, tables). They come from rhd_match itself, never from a solver's own log, so they
work the same for every strategy and solver. Each is a ``str`` (``log=print`` prints it) that
also carries its figures as attributes, which ``ProgressDisplay`` shows with ``rich``.
"""

from __future__ import annotations

import math
import sys
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import Progress as RichProgress
from rich.progress import ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.progress_bar import ProgressBar

from .i18n import format_number, format_share, format_significant
from .i18n import gettext as _
from .i18n import gettext_noop as N_

#: What a solve does, as the display names it (translated where shown); strategies' names
#: (``lp``, ``mip``, ``decompose``…) are shown as they are given on the command line.
PHASES = {
    "start": N_("start"),
    "build": N_("build"),
    "repair": N_("repair"),
    "tables": N_("tables"),
    "done": N_("done"),
}


def phase_name(phase: str) -> str:
    """The name of ``phase`` for people, in the active language."""
    return _(PHASES[phase]) if phase in PHASES else phase


class Progress(str):
    """One progress message of a solve: its text, with the figures known at that point.

    Attributes
    ----------
    message : str
        The text without the time and the figures.
    phase : str
        What the solve is doing: ``build``, ``mip``, ``lp``, ``repair``, ``decompose``,
        ``tables``, ``done``.
    elapsed_s : float
        Wall-clock time since the solve started, s.
    limit_s : float
        The solve's time limit (``time_limit_s``), s.
    incumbent : float
        Objective of the best plan found so far; NaN when none is known yet.
    bound : float
        Best proven lower bound on the objective; NaN when none is known.
    gap : float
        Relative gap of ``incumbent`` to ``bound`` (fraction); NaN when either is unknown.
    """

    message: str
    phase: str
    elapsed_s: float
    limit_s: float
    incumbent: float
    bound: float
    gap: float

    def __new__(
        cls,
        phase: str,
        message: str,
        elapsed_s: float,
        limit_s: float,
        incumbent: float = math.nan,
        bound: float = math.nan,
        gap: float = math.nan,
    ) -> Progress:
        figures = []
        if not math.isnan(incumbent):
            figures.append(_("plan {value}").format(value=format_significant(incumbent)))
        if not math.isnan(bound):
            figures.append(_("bound {value}").format(value=format_significant(bound)))
        if not math.isnan(gap):
            figures.append(_("gap {value}").format(value=format_share(gap, 2)))
        elapsed, limit = format_number(elapsed_s, 1).rjust(6), format_significant(limit_s)
        text = f"[{elapsed} s / {limit} s] {phase_name(phase)}: {message}"
        if figures:
            text += " (" + ", ".join(figures) + ")"
        self = super().__new__(cls, text)
        self.message, self.phase, self.elapsed_s = message, phase, elapsed_s
        self.limit_s = limit_s
        self.incumbent, self.bound, self.gap = incumbent, bound, gap
        return self


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
            "", total=limit_s, phase=phase_name("start"), limit=_clock(limit_s), figures=""
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
        figures = (
            ""
            if math.isnan(self.incumbent)
            else _("plan {value}").format(value=format_significant(self.incumbent))
        )
        if not math.isnan(self.gap):
            figures += ", " + _("gap {value}").format(value=format_share(self.gap, 2))
        self.bar.update(
            self.task,
            description=message.message,
            phase=phase_name(message.phase),
            figures=figures,
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
