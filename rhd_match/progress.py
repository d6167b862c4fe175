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

from .i18n import format_number, format_share, format_significant
from .i18n import gettext as _
from .i18n import gettext_noop as N_

#: What a solve does, as the display names it (translated where shown); strategies' names
#: (``lp``, ``mip``, ``decompose``…) are shown as they are given on the command line.
PHASES = {
    "start": N_("start"),
    "build": N_("build"),
    "repair": N_("repair"),
    "levels": N_("levels"),
    "local_search": N_("local search"),
    "tables": N_("tables"),
    "done": N_("done"),
}


def phase_name(phase: str) -> str:
    """The name of a solve's phase for people, in the active language.

    Parameters
    ----------
    phase
        A ``Progress.phase``: ``start``, ``build``, a strategy's name, ``repair``,
        ``levels``, ``local_search``, ``tables`` or ``done``.

    Returns
    -------
    str
        Its translated name; a strategy's name as it is given on the command line.
    """
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
        elapsed, limit = format_number(elapsed_s, 1).rjust(6), format_number(limit_s, 1)
        text = f"[{elapsed} s / {limit} s] " + _("{phase}: {message}").format(
            phase=phase_name(phase), message=message
        )
        if figures:
            text += " (" + ", ".join(figures) + ")"
        self = super().__new__(cls, text)
        self.message, self.phase, self.elapsed_s = message, phase, elapsed_s
        self.limit_s = limit_s
        self.incumbent, self.bound, self.gap = incumbent, bound, gap
        return self
