"""The weekly sub-problems: the model's columns and rows cut by ISO week, solved in parallel.

Without its per-canteen annual rows (EGalim shares, budgets) the model falls apart into one
independent problem per ISO week; ``week_problems`` cuts it there and ``WeeklySolver`` solves
every week's LP for given column costs, on threads or a Dask cluster (``executors``).
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

from ...params import SolverOptions
from ..build import LinearModel
from ..strategies import Deadline
from . import budgets
from .executors import WeekPrices, WeekProblem, WeekResult, week_executor, week_prices

GLOBAL_FAMILIES = ("egalim_quality", "egalim_organic", "egalim_meat_fish", "budget")
DELIVERY_FAMILIES = ("drops", "drop_link", "franco", "lot", "hub_drop_link", "hub_min_drop")
DELIVERY_BLOCKS = ("y", "z", "franco_slack", "hub_y", "hub_slack")


def column_weeks(model: LinearModel) -> np.ndarray:
    """ISO-week code of every column; −1 for the annual (per-canteen) columns.

    Parameters
    ----------
    model
        The model.

    Returns
    -------
    numpy.ndarray
        Week code (index into ``model.index.weeks``) per column, shape (columns,), int64.
    """
    var, index = model.variables, model.index
    weeks = np.full(var.count, -1, np.int64)
    drop_week = index.drops["week"].to_numpy()[var.drop_rows]
    weeks[var.cols("x")] = index.arcs["week"].to_numpy()
    weeks[var.cols("v")] = index.demand["week"].to_numpy()
    weeks[var.cols("y")] = drop_week
    weeks[var.cols("franco_slack")] = drop_week
    weeks[var.cols("z")] = index.arcs["week"].to_numpy()[var.lot_arcs]
    weeks[var.cols("s")] = index.group_options["week"].to_numpy()
    hub_drops = index.hub_drops
    hub_week = hub_drops["week"].to_numpy()[hub_drops["binary"].to_numpy()]
    weeks[var.cols("hub_y")] = weeks[var.cols("hub_slack")] = hub_week
    return weeks


def row_weeks(model: LinearModel) -> np.ndarray:
    """ISO-week code of every row; −1 for the annual rows (EGalim shares, budgets).

    Parameters
    ----------
    model
        The model.

    Returns
    -------
    numpy.ndarray
        Week code (0-based position in the index's ISO weeks) per row, shape (rows,).
    """
    weeks = np.full(model.shape[0], -1, np.int64)
    for family in model.families:
        if family.name not in GLOBAL_FAMILIES:
            weeks[family.start : family.start + family.count] = family.keys["week"].to_numpy()
    return weeks


def week_problems(model: LinearModel, with_delivery: bool) -> list[WeekProblem]:
    """The weekly sub-problems, with or without the delivery rows (drops, franco, lots).

    Parameters
    ----------
    model
        The model.
    with_delivery
        Keep the delivery rows and columns in each week; without them the weeks are
        transport problems.

    Returns
    -------
    list of WeekProblem
        One per ISO week, largest (most nonzeros) first.
    """
    col_week, row_week = column_weeks(model), row_weeks(model)
    if not with_delivery:
        var = model.variables
        for block in DELIVERY_BLOCKS:
            col_week[var.cols(block)] = -1
        for family in model.families:
            if family.name in DELIVERY_FAMILIES:
                row_week[family.start : family.start + family.count] = -1
    n_week = len(model.index.weeks)
    col_order = np.argsort(col_week, kind="stable")
    col_bounds = np.searchsorted(col_week[col_order], np.arange(n_week + 1))
    row_order = np.argsort(row_week, kind="stable")
    row_bounds = np.searchsorted(row_week[row_order], np.arange(n_week + 1))
    problems = []
    for w in range(n_week):
        cols = col_order[col_bounds[w] : col_bounds[w + 1]]
        rows = row_order[row_bounds[w] : row_bounds[w + 1]]
        problems.append(WeekProblem(cols, rows, model.matrix[rows][:, cols].tocsr()))
    # Largest weeks first, so the threads finish together.
    return sorted(problems, key=lambda p: -p.matrix.nnz)


class WeeklySolver:
    """Solves the weekly LPs of one model for given prices, in parallel (threads or Dask)."""

    def __init__(
        self,
        model: LinearModel,
        options: SolverOptions,
        deadline: Deadline,
    ) -> None:
        self.options, self.call_deadline = options, deadline
        #: Set when a week's LP was stopped by the time limit (the safety net).
        self.cut = False
        self.pool = week_executor(options)
        #: Per week (by its problem's id, the problem kept so that the id is not reused): the
        #: digest of its last LP solved to optimality (``_digest``) and what it returned.
        self.known: dict[int, tuple[WeekProblem, bytes, WeekResult]] = {}
        #: Weekly LPs solved, and those taken from ``known`` instead.
        self.solved = self.reused = 0
        self.row_bounds: tuple[np.ndarray, np.ndarray] = (np.empty(0), np.empty(0))
        self.use(model.row_lower, model.row_upper, model.variables.count)

    def solve(
        self,
        problems: list[WeekProblem],
        cost: np.ndarray,
        lower: np.ndarray,
        upper: np.ndarray,
        fallback: np.ndarray | None = None,
        duals: list[np.ndarray] | None = None,
        integer: np.ndarray | None = None,
    ) -> tuple[np.ndarray, float, bool]:
        """All weeks: the column vector (annual columns 0), Σ objectives, all optimal?

        Columns fixed to 0 are left out of each week's LP (after repair has closed most
        drops, most arcs are). A week whose LP finds no point (time ran out) takes its
        columns from ``fallback`` when given (the sum is then NaN); otherwise the whole call
        fails with a NaN sum.

        Parameters
        ----------
        problems
            The weeks to solve.
        cost
            Cost per column, shape (columns,).
        lower, upper
            Column bounds, each of shape (columns,).
        fallback
            The plan a week falls back to when its LP finds no point, shape (columns,).
        duals
            When given, receives each week's row duals in ``problems``' order, shape (week
            rows,) (empty for a week whose LP did not reach its optimum).
        integer
            Whether each column is integer, shape (columns,): when given, each week is solved
            as a MIP (the MIP solver, relative gap ``budgets.WEEKLY_MIP_GAP``) rather than as
            its LP, and the sum of objectives is that of the MIPs' plans, not a bound.

        Returns
        -------
        values : numpy.ndarray
            The weeks' solutions in one vector, shape (columns,).
        total : float
            The sum of the weeks' objectives; NaN when a week fell back or failed.
        optimal : bool
            Every week's LP reached its optimum.
        """
        options = self.options
        prices = week_prices(
            problems,
            cost,
            lower,
            upper,
            options.lp_solver if integer is None else options.mip_solver,
            self.deadline.left(),
            duals is not None,
            integer,
            budgets.WEEKLY_MIP_GAP,
        )
        runs = self._runs(problems, prices)
        values = np.zeros(self.count)
        total, optimal = 0.0, True
        for p, (live, run) in zip(problems, runs, strict=True):
            cols = p.cols if live is None else p.cols[live]
            if duals is not None:
                duals.append(np.zeros(0) if run.duals is None else run.duals)
            if self.deadline.observe(run).status != "optimal":
                self.cut = True
            if run.values is None:
                if fallback is None:
                    return values, math.nan, False
                values[p.cols] = fallback[p.cols]
                total, optimal = math.nan, False
                continue
            values[cols] = run.values
            total += run.objective
            optimal &= run.status == "optimal"
        return values, total, optimal

    def _runs(self, problems: list[WeekProblem], prices: list[WeekPrices]) -> list[WeekResult]:
        """Each week's LP at its prices, in order. A week whose costs and bounds are those of
        its last LP solved to optimality is not solved again: its LP is the same, and GLOP
        ends on work, so it would return the same point (in the weekly repair, closing or
        opening drops changes only the weeks that hold them)."""
        digests = [_digest(q) for q in prices]
        todo = [
            i
            for i, (p, d) in enumerate(zip(problems, digests, strict=True))
            if not (id(p) in self.known and self.known[id(p)][1] == d)
        ]
        fresh = self.pool.map(
            [problems[i] for i in todo], self.row_bounds, [prices[i] for i in todo]
        )
        solved = dict(zip(todo, fresh, strict=True))
        runs = []
        for i, (p, d) in enumerate(zip(problems, digests, strict=True)):
            if i in solved:
                result = solved[i]
                if result[1].status == "optimal":
                    self.known[id(p)] = (p, d, result)
            else:
                result = self.known[id(p)][2]
            runs.append(result)
        self.solved += len(todo)
        self.reused += len(problems) - len(todo)
        return runs

    def use(
        self,
        row_lower: np.ndarray,
        row_upper: np.ndarray,
        count: int,
        deadline: Deadline | None = None,
    ) -> None:
        """Solve the weeks of another program from now on (the streamed decomposition's
        chunks share one executor), within ``deadline``; the weeks of the last program are
        let go (a cluster's workers drop their tables). The same row bounds with another
        deadline (the repair's growth) keep the weeks' LPs known.

        Parameters
        ----------
        row_lower, row_upper
            The program's row bounds, each of shape (rows,).
        count
            Its number of columns.
        deadline
            Its time budget (a chunk's share of the call's); None: the call's.
        """
        if self.row_bounds[0] is not row_lower or self.row_bounds[1] is not row_upper:
            self.known.clear()  # another program: its weeks' LPs are others
        self.row_bounds, self.count = (row_lower, row_upper), count
        self.deadline = deadline or self.call_deadline
        self.pool.release()

    def close(self) -> None:
        self.pool.close()


def _digest(prices: WeekPrices) -> bytes:
    """What makes a week's LP, its time left aside: the solver, whether duals come back, and
    its columns' costs and bounds (a 128-bit digest, so that what is kept per week is its
    plan only, not three arrays of its columns)."""
    kind = f"{prices.solver} {prices.duals} {prices.integer is not None} {prices.mip_gap}"
    digest = hashlib.blake2b(kind.encode(), digest_size=16)
    for array in (prices.cost, prices.lower, prices.upper):
        digest.update(np.ascontiguousarray(array, dtype=np.float64).tobytes())
    return digest.digest()
