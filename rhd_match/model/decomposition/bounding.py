"""The streamed decomposition's bound: a pass of the chunks' weekly transport LPs at
multipliers read off the plan.

Any multipliers μ within their bounds give the Lagrangian bound

    L(μ) = Σ_w min_{x ∈ X_w} (c − A_Gᵀμ)·x + μ·b_G

once every week's LP is solved at the same μ, or bounded from below by its duals. The plan
phase's relaxations give it at the multipliers the chunks were planned at; those are the
search's (a good bound) or, when the search did not fit, its starting ones, every canteen
priced as short of every target, where the bound was more than 100 % below the plan from the
demo to size L (``docs/distributed.md``). The prices the plan's own annual rows read
(``AnnualRows.price_of``: a missed target at W_S, an overrun budget at −W_B, a met row at 0),
scaled down, are much nearer the rows' worth: one more pass over the chunks at a few such
multiples, the chunks built once for all of them, gives the bound reported with the plan.

One of those multiples, 0 (every annual row left out), needs no plan: when the plan phase
runs at the starting multipliers, it also solves each chunk's relaxation at 0 on the model it
built for the chunk's plan (``ZeroPriceBound``), a relaxation a chunk and no build, where the
pass after the plan costs a build and a relaxation a chunk per multiple. At size L that pass
did not fit in 30 min after the plan (27 chunks of about 33 s, measured).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ...i18n import format_significant as sig
from ...i18n import gettext as _
from ..strategies import Deadline, Reporter
from . import budgets
from .annual import AnnualRows
from .restricted import restricted_solve
from .subproblems import WeeklySolver, week_problems

if TYPE_CHECKING:
    from .streaming import _Chunks

#: EUR HT by which a plan may miss an annual row and still meet it, for its prices.
CENT = 0.01


#: A chunk's weekly relaxation at some multipliers: its flows, the LPs' objectives summed, and
#: whether every LP reached its optimum (``WeeklySolver.solve``).
Relaxation = Callable[[np.ndarray], tuple[np.ndarray, float, bool]]


@dataclass
class ZeroPriceBound:
    """The Lagrangian bound at multipliers 0, Σ_w min_{x ∈ X_w} c·x (the annual rows left
    out), summed chunk by chunk in the plan phase on the models it builds (see the module
    docstring). A chunk whose room (the time its caller can spare) cannot hold one more
    relaxation, at the pace of these so far, ends the sum: then there is no bound.
    """

    #: The chunks' relaxations summed so far, objective units.
    total: float = 0.0
    #: Every chunk so far solved to optimality.
    complete: bool = True
    #: Chunks summed, and their relaxations' time, s.
    chunks: int = 0
    spent_s: float = 0.0

    @property
    def pace(self) -> float:
        """A chunk's relaxation so far, s (0 before the first)."""
        return self.spent_s / self.chunks if self.chunks else 0.0

    def add(self, relax: Relaxation, cost: np.ndarray, room_s: float) -> None:
        """Adds one chunk's relaxation at costs ``cost`` (its columns' own, shape (columns,))
        when ``room_s`` (s) holds it."""
        if not self.complete or room_s < self.pace:
            self.complete = False
            return
        started = time.perf_counter()
        _flows, part, ok = relax(cost)
        self.total, self.complete = self.total + part, self.complete and ok
        self.chunks, self.spent_s = self.chunks + 1, self.spent_s + time.perf_counter() - started

    def bound(self, log: Reporter) -> float:
        """The bound once every chunk is summed (−inf otherwise), said in ``log``."""
        if not self.complete:
            log(_("bound with the annual rows left out given up: the chunks' time ran short"))
            return -math.inf
        log(_("bound with the annual rows left out: {bound}").format(bound=sig(self.total)))
        return self.total


def plan_bound(
    chunks: _Chunks,
    weekly: WeeklySolver,
    first: AnnualRows,
    activity: np.ndarray,
    pace: tuple[float, float],
    deadline: Deadline,
    log: Reporter,
    scales: tuple[float, ...] = budgets.STREAM_BOUND_PRICE_SCALES,
) -> float:
    """The Lagrangian bound at multiples ``scales`` of the prices a plan's annual rows read
    (``budgets.STREAM_BOUND_PRICE_SCALES``): each chunk built once, its weekly transport LPs
    solved at each multiple, the best multiple over the whole year kept. Before each chunk,
    the multiples the time left cannot hold at the pace so far are dropped, the last first
    (the clock then says it cut the work).

    Parameters
    ----------
    chunks
        The chunks.
    weekly
        The weekly LP solver.
    first
        The first chunk's annual rows (right-hand sides and prices, shared by every chunk).
    activity
        The plan's activity on the annual rows, shape (annual rows,).
    pace
        A chunk's build and one relaxation of its weeks, s: the plan phase's at first, then
        this pass's means.
    deadline
        The wall-clock budget.
    log
        Receives the bound, or why there is none.
    scales
        The multiples, the first kept longest.

    Returns
    -------
    float
        The best bound of the multiples solved over every chunk; −inf when none was.
    """
    # A row the plan meets to the cent is met: a polished plan meets targets at equality, up
    # to the LP's rounding (1e-10 EUR HT short on the demo), where ``price_of`` reads W_S.
    prices = first.price_of(activity + np.where(first.is_budget, -CENT, CENT))
    mus = [scale * prices for scale in scales]
    totals = [float(mu @ first.rhs) for mu in mus]
    count, spent = len(chunks.chunks), [0.0, 0.0]
    for i in range(count):
        build_s, lp_s = (spent[0] / i, spent[1] / i) if i else pace
        while mus and deadline.left() < (count - i) * (build_s + len(mus) * lp_s):
            mus = mus[:-1]
        if not mus:
            break
        parts, built, solved = _relaxed(chunks, weekly, i, mus)
        spent[0], spent[1] = spent[0] + built, spent[1] + solved / len(mus)
        mus = mus[: len(parts)]  # a multiple whose LPs the clock cut is dropped
        for j, part in enumerate(parts):
            totals[j] += part
    deadline.hit |= len(mus) < len(totals)
    if not mus:
        log(
            _(
                "bound at the plan's prices skipped: a pass over the chunks (about {s} s "
                "a chunk) does not fit the time left"
            ).format(s=sig(build_s + lp_s))
        )
        return -math.inf
    bound = max(totals[: len(mus)])
    log(_("bound at the plan's prices: {bound}").format(bound=sig(bound)))
    return bound


def _relaxed(
    chunks: _Chunks, weekly: WeeklySolver, i: int, mus: list[np.ndarray]
) -> tuple[list[float], float, float]:
    """Chunk ``i``'s weekly transport LPs at each of ``mus``, in order, until one does not
    reach its optimum: their objectives summed, each (a kept chunk's LPs whole; a rebuilt
    one's by column generation, ``restricted``, whose dual bound holds in every round), with
    the chunk's build and the LPs' time, s."""
    started = time.perf_counter()
    kept = chunks.kept.get(i)
    if kept is None:
        model, annual = chunks.model(i)
        problems = week_problems(model, with_delivery=False)
        weekly.use(model.row_lower, model.row_upper, model.variables.count)

        def solve(mu: np.ndarray) -> tuple[np.ndarray, float, bool]:
            return restricted_solve(model, weekly, problems, annual.cost(model, mu))

    else:
        weekly.use(kept.row_lower, kept.row_upper, len(kept.objective))

        def solve(mu: np.ndarray) -> tuple[np.ndarray, float, bool]:
            cost = kept.objective - kept.annual.T @ mu
            return weekly.solve(kept.problems, cost, kept.lower, kept.upper)

    built, parts = time.perf_counter(), []
    for mu in mus:
        _flows, part, ok = solve(mu)
        if not ok:
            break
        parts.append(part)
    return parts, built - started, time.perf_counter() - built
