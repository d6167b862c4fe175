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
"""

from __future__ import annotations

import math
import time
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


def plan_bound(
    chunks: _Chunks,
    weekly: WeeklySolver,
    first: AnnualRows,
    activity: np.ndarray,
    pace: tuple[float, float],
    deadline: Deadline,
    log: Reporter,
) -> float:
    """The Lagrangian bound at multiples of the prices a plan's annual rows read
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

    Returns
    -------
    float
        The best bound of the multiples solved over every chunk; −inf when none was.
    """
    # A row the plan meets to the cent is met: a polished plan meets targets at equality, up
    # to the LP's rounding (1e-10 EUR HT short on the demo), where ``price_of`` reads W_S.
    prices = first.price_of(activity + np.where(first.is_budget, -CENT, CENT))
    mus = [scale * prices for scale in budgets.STREAM_BOUND_PRICE_SCALES]
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
