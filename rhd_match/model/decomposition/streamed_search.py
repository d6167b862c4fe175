"""The multiplier search of the streamed decomposition: each pass of ``pricing.subgradient``
streamed over the chunks (a chunk's model rebuilt at each pass, or kept while the chunks'
transport problems fit ``budgets.STREAM_KEEP_NONZEROS``), run only when the time left holds
it and the chunks' plans after it (``search_fits``).
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

import numpy as np

from ...i18n import format_significant as sig
from ...i18n import gettext as _
from ...i18n import ngettext
from ...params import SolverOptions
from ..strategies import Deadline, Reporter
from . import budgets
from .annual import AnnualRows
from .pricing import Pass, search_bisects, search_patience, subgradient
from .subproblems import WeeklySolver

if TYPE_CHECKING:
    from .streaming import _Chunks


def search_fits(chunks: int, build_s: float, left_s: float) -> bool:
    """Whether the multiplier search is worth its time: the time left holds
    ``budgets.STREAM_SEARCH_MIN_PASSES`` passes over the chunks and then every chunk's plan,
    all estimated from the first chunk's build (a pass rebuilds every chunk and solves its
    relaxation, ``budgets.STREAM_PASS_BUILDS`` of its builds; a chunk's plan costs
    ``budgets.STREAM_PLAN_BUILDS`` of them).

    Without it the chunks are planned at the search's starting multipliers, where its first
    pass would be: at size M that pass gave the best plan of the search's three (measured).

    Parameters
    ----------
    chunks
        The number of chunks.
    build_s
        The first chunk's build, model and annual rows, s (wall clock).
    left_s
        The time left, s.

    Returns
    -------
    bool
        True when the search should run.
    """
    passes = budgets.STREAM_SEARCH_MIN_PASSES * budgets.STREAM_PASS_BUILDS
    per_chunk = build_s * (passes + budgets.STREAM_PLAN_BUILDS)
    return left_s >= chunks * per_chunk


def transport_pass(
    chunks: _Chunks,
    weekly: WeeklySolver,
    first: AnnualRows,
    mu: np.ndarray,
    until: Deadline | None = None,
    then: int = 0,
) -> Pass:
    """The weekly transport LPs of every chunk at multipliers ``mu``: Σ objectives, the
    annual rows' activity and the plan score of their flows (the flows are not kept); with
    hubs, a complete pass adds the hub options of each chunk's flows to
    ``chunks.hub_options``, as the in-memory search does with the year's.

    Parameters
    ----------
    chunks
        The chunks.
    weekly
        The weekly LP solver.
    first
        The first chunk's annual rows (right-hand sides, shared by every chunk).
    mu
        Multipliers, shape (annual rows,).
    until
        The pass stops before its next chunk (not ``ok``, no total) when ``until`` has
        expired or cannot see the pass's end at the pace of its chunks so far, the first
        left out (the wait would be lost: a cut pass is not used; ``until.hit`` is set);
        None: every chunk is solved.
    then
        Chunk solves after this pass that ``until`` must hold as well, at the same pace (the
        search's next passes: its first pass pays only through them).

    Returns
    -------
    Pass
        The pass, without flows.
    """
    total, linear, ok = 0.0, 0.0, True
    activity = np.zeros(len(mu))
    count, marks = len(chunks.chunks), [time.perf_counter()]
    found: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for solved, chunk in enumerate(chunks.transport()):
        marks.append(time.perf_counter())  # chunk `solved` built, the ones before solved
        # The pace of the chunks after the first (a cluster's first tasks, the first
        # builds, warm up), once two are solved.
        pace = (marks[-1] - marks[2]) / (solved - 1) if solved >= 2 else 0.0
        ahead = count - solved + then
        if until is not None and (until.expired() or until.left() < pace * ahead):
            until.hit = True
            return Pass(math.nan, False, activity, math.inf, None)
        weekly.use(chunk.row_lower, chunk.row_upper, len(chunk.objective))
        cost = chunk.objective - chunk.annual.T @ mu
        values, part, done = weekly.solve(chunk.problems, cost, chunk.lower, chunk.upper)
        ok &= done
        total += part
        linear += float(chunk.objective @ values)
        activity += chunk.annual @ values
        if chunk.hubs is not None:
            found[solved] = chunk.hubs.options(values)
    if ok:
        for i, (at_hub, hub) in found.items():
            seen = chunks.hub_options.get(i)
            chunks.hub_options[i] = (
                (at_hub, hub) if seen is None else (at_hub | seen[0], hub | seen[1])
            )
    return Pass(total, ok, activity, chunks.plan_score(first, linear, activity), None)


def search_chunks(
    chunks: _Chunks,
    weekly: WeeklySolver,
    first: AnnualRows,
    options: SolverOptions,
    deadline: Deadline,
    log: Reporter,
    build_s: float,
) -> tuple[float, np.ndarray, int]:
    """The multiplier search, each pass streamed over the chunks, when ``search_fits`` says
    it is worth its time (otherwise none, and the skip is said); it stops early enough to
    leave the plan phase about three passes' time (a chunk's repair solves a few LPs; at
    size M two passes' time was 19 % short, measured), and at the latest at
    ``budgets.STREAM_SEARCH_TIME_SHARE`` of the time left, between two chunks of a pass (a
    cut pass is not used: without a pass, the plan is made at the starting multipliers).

    Parameters
    ----------
    chunks
        The chunks.
    weekly
        The weekly LP solver.
    first
        The first chunk's annual rows (right-hand sides and prices, shared by every chunk).
    options
        Solver options (the search's patience, with the chunks' group options).
    deadline
        The wall-clock budget of the whole solve; ``hit`` is set when the search's share
        cut it.
    log
        Receives the search's passes, or why it was skipped or its first pass given up.
    build_s
        The first chunk's build, model and annual rows, s (wall clock).

    Returns
    -------
    bound : float
        The search's best Lagrangian bound; −inf when it was skipped or its first pass
        given up.
    mu : numpy.ndarray
        The multipliers of its best relaxed plan, shape (annual rows,); the starting ones
        when it was skipped or its first pass given up.
    passes : int
        Passes run; 0 when it was skipped or its first was given up.
    """
    if not search_fits(len(chunks.chunks), build_s, deadline.left()):
        # What the search would start from: its first pass would cost as much as the
        # plan's relaxations, which give the same bound at these multipliers.
        log(
            ngettext(
                "price search skipped: {chunks} chunk of {build} s to build leaves no "
                "time for it; it is planned at the starting prices",
                "price search skipped: {chunks} chunks of {build} s to build leave no "
                "time for it; every chunk planned at the starting prices",
                len(chunks.chunks),
            ).format(chunks=len(chunks.chunks), build=sig(build_s))
        )
        deadline.hit = True
        return -math.inf, first.mu_high, 0
    search = Deadline(budgets.STREAM_SEARCH_TIME_SHARE * deadline.left())
    later = len(chunks.chunks) * (budgets.STREAM_SEARCH_MIN_PASSES - 1)  # the next passes
    pass_s, runs, first_cut = 0.0, 0, False

    def evaluate(mu: np.ndarray) -> Pass:
        nonlocal pass_s, runs, first_cut
        started = time.perf_counter()
        # The first pass prices as the plan phase would: it pays only if the next ones fit.
        result = transport_pass(chunks, weekly, first, mu, search, 0 if runs else later)
        first_cut |= runs == 0 and not result.ok
        runs += 1
        pass_s = time.perf_counter() - started
        return result

    def expired() -> bool:
        return search.expired() or deadline.left() < 3 * pass_s

    patience = search_patience(options, grouped=chunks.grouped)
    bisect = search_bisects(chunks.grouped, transport_drops=True)
    bound, mu, _flows, passes = subgradient(
        evaluate, first, options, patience, expired, log, bisect
    )
    deadline.hit |= search.hit
    if first_cut:
        message = _(
            "price search given up in its first pass after {s} s: its next passes would "
            "not fit; every chunk planned at the starting prices"
        )
        log(message.format(s=sig(pass_s)))
        return -math.inf, first.mu_high, 0
    return bound, mu, passes
