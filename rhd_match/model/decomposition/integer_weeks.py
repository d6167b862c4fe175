"""Weekly MIPs at the climbed multipliers: drops chosen week by week, then the year polished.

The repair opens drops from LP flows and closes those short of their franco. On the demo's
weighted objective its plan lies 9.7 % above the LP relaxation, while the exact MIP, given
40 minutes, finds one 8.2 % better (``docs/model.md``). At multipliers μ near the Lagrangian
dual's optimum (the climb's best pass), each week's MIP, with its drops, franco and lots
integer, chooses its drops knowing what each costs; the polishing LP then balances the year
against the true annual rows, and its duals on those rows are the next round's μ (the rows a
plan meets are worth less to it than to the relaxation). Each week's MIP keeps only the
binaries that the week's LP flows at μ use or the best plan has open: on the demo the whole
weekly MIPs took 38.5 s at a 1 % gap and the restricted ones 6.4 s, for plans within 0.2 %
of each other (measured 2026-12-02, ``docs/model.md``, *Weekly MIPs*).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from ...i18n import format_significant as sig
from ...i18n import gettext as _
from ...params import SolverOptions
from ..build import LinearModel
from ..strategies import Deadline, Reporter
from . import budgets
from .annual import AnnualRows
from .ascent import Climb
from .executors import WeekProblem
from .polishing import polishing_run
from .subproblems import WeeklySolver


def integer_weeks(
    model: LinearModel,
    weekly: WeeklySolver,
    problems: list[WeekProblem],
    annual: AnnualRows,
    climb: Climb,
    plan: np.ndarray,
    options: SolverOptions,
    deadline: Deadline,
    log: Reporter,
    plan_objective: Callable[[np.ndarray], float],
) -> tuple[np.ndarray, bool]:
    """The best of ``plan`` and the polished plans of rounds of weekly MIPs.

    A round solves every week's MIP at μ (restricted as the module docstring says), polishes
    the year over the drops and lots they open, and takes the polishing LP's duals on the
    annual rows as the next μ. Another round runs only while the plan misses an EGalim target
    (those duals then price it at the shortfall's price, and the weekly MIPs buy for it): on
    the demo, whose first plan meets every target, a second round took three times the
    first's time for a worse plan. It also stops after ``budgets.INTEGER_ROUNDS`` rounds, on a
    round that finds no better plan, or when the next round would not fit what ``deadline``
    leaves at twice the last round's pace (said by ``cut``).

    Parameters
    ----------
    model
        The model.
    weekly
        The weekly solver (threads or Dask; its clock is the call's).
    problems
        The weeks with their delivery rows.
    annual
        The annual rows and their price bounds.
    climb
        The climb's best pass: its multipliers and weekly LP flows start the first round.
    plan
        The plan so far, shape (columns,).
    options
        Solver options (MIP and LP solvers, threads).
    deadline
        The call's clock.
    log
        Receives each round's plan.
    plan_objective
        The plan score of a solution vector (true objective, hard rules first).

    Returns
    -------
    plan : numpy.ndarray
        The best plan, shape (columns,); ``plan`` itself when no round found a better one.
    cut : bool
        Whether the clock stopped a weekly MIP before its gap (the plan then depends on the
        machine's speed).
    """
    var = model.variables
    best, best_score = plan, plan_objective(plan)
    mu, flows, cut = climb.mu, climb.flows, False
    for n in range(1, budgets.INTEGER_ROUNDS + 1):
        if mu is None or flows is None:
            break
        started = time.perf_counter()
        upper = var.upper.copy()
        upper[var.integer & (flows <= budgets.INTEGER_USED) & (best <= 0.5)] = 0.0
        cost = annual.cost(model, mu)
        values, _total, ok = weekly.solve(
            problems, cost, var.lower, upper, fallback=best, integer=var.integer
        )
        cut |= not ok
        run, keep = polishing_run(
            model, values, options, deadline, budgets.INTEGER_POLISH_MAX_COLUMNS
        )
        if run is None or run.values is None:
            break
        polished = np.zeros(var.count)
        polished[keep] = run.values
        score = plan_objective(polished)
        log(_("weekly MIPs {n}: plan {score}").format(n=n, score=sig(score)))
        if not score < best_score:
            break
        best, best_score = polished, score
        short = annual.broken(model, polished)[~annual.is_budget]
        if run.duals is None or not (short > budgets.INTEGER_SHORT_EUR).any():
            break
        if deadline.left() < 2 * (time.perf_counter() - started):
            cut = True  # the clock, not the plan, ends the rounds
            break
        mu = np.clip(run.duals[annual.rows], annual.mu_low, annual.mu_high)
        flows, _total, ok = weekly.solve(problems, annual.cost(model, mu), var.lower, var.upper)
        if not ok:
            cut = True
            break
    return best, cut
