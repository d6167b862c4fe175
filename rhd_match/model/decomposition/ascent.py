"""The bound after the plan: the Lagrangian dual climbed by stabilised cutting planes.

Every weekly pass at multipliers μ_k gives, for each ISO week w, the plane

    L_w(μ) ≤ c_w·x_{w,k} − μ·(A_G x_{w,k})

(the week's optimum at μ is at most what the flows x_{w,k} found at μ_k cost at μ). The master
LP maximises Σ_w θ_w + μ·b_G under these planes, one per week and pass (the Dantzig–Wolfe
master's dual, disaggregated by week), with μ kept within its bounds and a box around the
best point so far (box-step stabilisation: a serious step moves the centre and widens the
box, a null step narrows it). Its optimum predicts what L can reach; the next pass is run at
its μ. The best L(μ_k) is a valid bound at every pass, and the master's optimum bounds what
is left to gain within the box.

Why: the price search's bisection steers each row's price towards its right-hand side, not
towards the dual's maximum. At size SM (weighted objective) its best bound was −23.79 M, no
better with the delivery rows (−23.74 M), below even μ = 0 (every annual row left out:
−22.59 M), while the LP relaxation is −19.57 M. Climbing from μ = 0 with the delivery rows
reached −19.84 M (1.4 % from the LP relaxation) in 35 passes of about 5 s on a loaded
machine (measured 2026-12-01, ``docs/model.md``, *The bound after the plan*).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ...i18n import format_significant as sig
from ...i18n import gettext as _
from ...params import SolverOptions
from ..build import LinearModel
from ..solvers import LinearProgram
from ..strategies import Deadline, Reporter
from . import budgets
from .annual import AnnualRows
from .executors import WeekProblem
from .subproblems import WeeklySolver, column_weeks


@dataclass(frozen=True)
class Climb:
    """The climb's best pass: its bound (objective units; −inf when no pass finished), its
    multipliers, shape (annual rows,), and its weekly flows, shape (columns,) (None both when
    no pass finished); the passes run, and whether the clock ended the climb (its best pass
    then depends on the machine's speed)."""

    bound: float
    mu: np.ndarray | None
    flows: np.ndarray | None
    passes: int
    timed_out: bool


def climb_bound(
    model: LinearModel,
    weekly: WeeklySolver,
    problems: list[WeekProblem],
    annual: AnnualRows,
    plan_objective: float,
    options: SolverOptions,
    deadline: Deadline,
    log: Reporter,
    reserve_passes: float = 0.0,
) -> Climb:
    """The best Lagrangian bound found climbing from μ = 0 (every annual row left out), with
    the multipliers and weekly flows that gave it.

    Stops when the master LP leaves less than ``budgets.ASCENT_TOLERANCE`` of the plan's
    |objective| to gain (or the bound meets the plan within ``options.mip_gap``), after
    ``budgets.ASCENT_PASSES`` passes, when a pass would not fit what ``deadline`` leaves at
    the pace so far (less ``reserve_passes`` passes at that pace, kept for what follows), or
    when a weekly LP or the master does not reach its optimum.

    Parameters
    ----------
    model
        The model.
    weekly
        The weekly LP solver (its own clock is the call's).
    problems
        The weeks to price: with their delivery rows for the LP relaxation's bound, without
        them for the transport relaxation's.
    annual
        The annual rows and their price bounds.
    plan_objective
        The plan's objective, to scale the tolerances; inf without a plan (the first pass's
        bound scales them then).
    options
        Solver options (``lp_solver`` for the master, ``mip_gap``, ``threads``).
    deadline
        The time the climb may take.
    log
        Receives the bound at each pass.
    reserve_passes
        The time kept at the end of ``deadline`` for what follows the climb, in passes at
        the climb's pace.

    Returns
    -------
    Climb
        The best pass: bound, multipliers and flows.
    """
    var = model.variables
    weeks = column_weeks(model)
    in_week = np.flatnonzero(weeks >= 0)
    codes, position = np.unique(weeks[in_week], return_inverse=True)
    # Column → week indicator, shape (weeks, columns): sums a pass's cost and activity by week.
    by_week = sp.csr_matrix(
        (np.ones(len(in_week)), (position, in_week)), shape=(len(codes), var.count)
    )
    planes = _Planes(len(codes))
    scale = max(1.0, abs(plan_objective)) if math.isfinite(plan_objective) else math.nan
    low, high = annual.mu_low, annual.mu_high
    width = budgets.ASCENT_FIRST_BOX * (high - low)
    centre, mu = np.zeros(len(annual.rhs)), np.zeros(len(annual.rhs))
    best, centre_value, predicted, pass_s = -math.inf, -math.inf, math.inf, 0.0
    best_mu: np.ndarray | None = None
    best_flows: np.ndarray | None = None
    passes, timed_out = 0, False
    for n in range(1, budgets.ASCENT_PASSES + 1):
        if deadline.expired() or deadline.left() < pass_s * (1 + reserve_passes):
            timed_out = True
            break
        started = time.perf_counter()
        values, total, ok = weekly.solve(problems, annual.cost(model, mu), var.lower, var.upper)
        if not ok:
            timed_out = True
            break
        passes, value = n, total + float(mu @ annual.rhs)
        if math.isnan(scale):
            scale = max(1.0, abs(value))
        planes.add(
            by_week @ (model.objective * values),
            sp.csr_matrix(by_week @ sp.diags(values) @ annual.matrix.T),
        )
        if value > best:
            best, best_mu, best_flows = value, mu, values
        if n == 1 or value >= centre_value + budgets.ASCENT_SERIOUS * (predicted - centre_value):
            centre, centre_value = mu, value
            width = 2 * width  # the box is clipped to the bounds
        else:
            width = budgets.ASCENT_NARROW * width
        log(_("bound climb {n}: {bound}").format(n=n, bound=sig(best)))
        if plan_objective - best <= options.mip_gap * scale:
            break
        box = np.maximum(low, centre - width), np.minimum(high, centre + width)
        master = planes.master(annual.rhs, *box)
        run = deadline.solve(master, options.lp_solver, options.threads)
        pass_s = time.perf_counter() - started
        if run.values is None or run.status != "optimal":
            timed_out = run.status in ("time_limit", "not_started")
            break
        mu, predicted = run.values[: len(mu)], -run.objective
        # The master's optimum bounds L within the box: little to gain there ends the climb (at
        # the maximum when the best point lies inside the box, L being concave).
        if predicted - best <= budgets.ASCENT_TOLERANCE * scale:
            break
    return Climb(best, best_mu, best_flows, passes, timed_out)


class _Planes:
    """The cutting planes so far: per plane its week, c_w·x and A_G x_w."""

    def __init__(self, weeks: int) -> None:
        self.weeks = weeks
        self.blocks: list[sp.csr_matrix] = []
        self.costs: list[np.ndarray] = []

    def add(self, cost: np.ndarray, activity: sp.csr_matrix) -> None:
        """One pass's planes: ``cost`` of shape (weeks,), ``activity`` (weeks, annual rows)."""
        block = sp.hstack([activity, sp.identity(self.weeks, format="csr")], format="csr")
        self.blocks.append(block)
        self.costs.append(cost)

    def master(self, rhs: np.ndarray, low: np.ndarray, high: np.ndarray) -> LinearProgram:
        """``min −μ·b − Σ θ_w`` under every plane θ_w + μ·A_G x_{w,k} ≤ c_w·x_{w,k}, μ within
        ``low`` and ``high``, θ free: columns μ (annual rows) then θ (weeks)."""
        matrix = sp.vstack(self.blocks, format="csr")
        free = np.full(self.weeks, np.inf)
        return LinearProgram(
            matrix,
            np.concatenate([-rhs, -np.ones(self.weeks)]),
            np.full(matrix.shape[0], -np.inf),
            np.concatenate(self.costs),
            np.concatenate([low, -free]),
            np.concatenate([high, free]),
        )
