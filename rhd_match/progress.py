"""Progress of a solve: rhd_match's own phase messages.

A solve reports what it does through ``log=``: one ``Progress`` per step (model built,
solver started with its time limit, solver finished with its plan and bound, each phase of the
decomposition, tables). They come from rhd_match itself, never from a solver's own log, so they
work the same for every strategy and solver. Each is a ``str`` (``log=print`` prints it) that
also carries its figures as attributes. The library only emits them; drawing them is the
caller's (the command line's live display is ``rhd_match.cli.progress.ProgressDisplay``).
"""

from __future__ import annotations

import math


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
            figures.append(f"plan {incumbent:.6g}")
        if not math.isnan(bound):
            figures.append(f"bound {bound:.6g}")
        if not math.isnan(gap):
            figures.append(f"gap {100 * gap:.2f} %")
        text = f"[{elapsed_s:6.1f} s / {limit_s:g} s] {phase}: {message}"
        if figures:
            text += " (" + ", ".join(figures) + ")"
        self = super().__new__(cls, text)
        self.message, self.phase, self.elapsed_s = message, phase, elapsed_s
        self.limit_s = limit_s
        self.incumbent, self.bound, self.gap = incumbent, bound, gap
        return self
