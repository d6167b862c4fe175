"""Where the weekly LPs run: threads of this process (the default) or a Dask cluster's workers.

Both run the same function on the same numbers, so a plan is the same wherever its weeks were
solved. To a cluster only compact data travel: each week's table (its sub-matrix and row
bounds) once per solve, scattered to a worker, then at each pass the costs and bounds of that
week's columns; back come the values of its live columns, its objective and status.
"""

from __future__ import annotations

import contextvars
import dataclasses
import time
from collections.abc import Iterator
from concurrent.futures import Future as CFuture
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from ...cluster import LOCAL, dask_client
from ...params import SolverOptions
from ..solvers import LinearProgram, SolverRun, run_solver

if TYPE_CHECKING:
    from distributed import Client, Future

#: What one week's LP returns: its live columns (positions in the week's columns, ``None``
#: when all are live) and the solver's run.
WeekResult = tuple[np.ndarray | None, SolverRun]


@dataclass(frozen=True)
class WeekProblem:
    """One week's columns, rows and sub-matrix (``subproblems.week_problems`` cuts them)."""

    cols: np.ndarray
    rows: np.ndarray
    matrix: sp.csr_matrix


@dataclass(frozen=True)
class WeekTable:
    """What a worker keeps of one week for a whole solve: its sub-matrix and row bounds.

    ``matrix``: (week rows × week columns) sparse; ``row_lower``, ``row_upper``: per week row.
    """

    matrix: sp.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray


@dataclass(frozen=True)
class WeekPrices:
    """What travels to a week at each pass: its columns' costs and bounds, the solver, the
    end of the time budget (Unix time, s, so that it means the same on every machine),
    whether the rows' duals come back, and for a weekly MIP its integer columns and relative
    gap (``integer`` None: an LP)."""

    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    solver: str
    end_unix_s: float
    duals: bool = False
    integer: np.ndarray | None = None
    mip_gap: float = 0.0


def week_table(problem: WeekProblem, row_lower: np.ndarray, row_upper: np.ndarray) -> WeekTable:
    """The part of ``problem`` a worker keeps for the whole solve.

    Parameters
    ----------
    problem
        One week's columns, rows and sub-matrix.
    row_lower, row_upper
        The whole model's row bounds, each of shape (rows,).

    Returns
    -------
    WeekTable
        The week's sub-matrix and its rows' bounds.
    """
    return WeekTable(problem.matrix, row_lower[problem.rows], row_upper[problem.rows])


def solve_week(table: WeekTable, prices: WeekPrices) -> WeekResult:
    """One week's LP (or MIP, when ``prices.integer`` is given) for these prices; columns
    fixed to 0 are left out.

    After the repair has closed most drops, most arcs are fixed to 0. The solver's duals are
    dropped unless ``prices.duals`` asks for them (one per week row): most passes do not use
    them, and they need not travel back.

    Parameters
    ----------
    table
        The week's sub-matrix and row bounds.
    prices
        The week's column costs and bounds, solver and time budget.

    Returns
    -------
    live : numpy.ndarray or None
        Positions of the columns solved, in the week's columns; None when all were.
    run : SolverRun
        The LP's run, ``values`` of shape (live columns,).
    """
    matrix, cost, lower, upper = table.matrix, prices.cost, prices.lower, prices.upper
    integer = prices.integer
    live: np.ndarray | None = None
    if not (upper > 0).all():
        live = np.flatnonzero(upper > 0)
        matrix, cost, lower, upper = matrix[:, live], cost[live], lower[live], upper[live]
        integer = None if integer is None else integer[live]
    program = LinearProgram(matrix, cost, table.row_lower, table.row_upper, lower, upper, integer)
    left = max(prices.end_unix_s - time.time(), 0.01)
    run = run_solver(program, prices.solver, left, 1, prices.mip_gap)
    return live, run if prices.duals else dataclasses.replace(run, duals=None)


class ThreadWeeks:
    """The weeks on threads of this process."""

    def __init__(self, threads: int) -> None:
        self.pool = ThreadPoolExecutor(max_workers=threads)

    def map(
        self,
        problems: list[WeekProblem],
        model_rows: tuple[np.ndarray, np.ndarray],
        prices: list[WeekPrices],
    ) -> Iterator[WeekResult]:
        tables = [week_table(p, *model_rows) for p in problems]
        return self.pool.map(solve_week, tables, prices)

    def release(self) -> None:
        """Nothing is kept between programs here."""

    def close(self) -> None:
        self.pool.shutdown()


class DaskWeeks:
    """The weeks on the workers of a Dask cluster (``rhd_match.cluster``).

    A scheduler's address is reached at once. A ``local:N`` cluster starts in the background
    (its worker processes take seconds, more on a busy machine): until it is up the weeks run
    on ``threads`` threads here, so that its start-up does not eat the time limit. The plan is
    the same wherever a pass ran.
    """

    def __init__(self, spec: str, threads: int) -> None:
        self.threads = ThreadWeeks(threads)
        self._client_context: AbstractContextManager[Client] = dask_client(spec)
        self._starter = ThreadPoolExecutor(max_workers=1)
        # In this call's context: its language says why no scheduler answers.
        enter = contextvars.copy_context().run
        self._client: CFuture[Client] = self._starter.submit(enter, self._client_context.__enter__)
        if not LOCAL.fullmatch(spec):
            self._client.result()
        # Each week's table is scattered once; the problem is kept with its future so that
        # its id is not reused by another week while the solve runs.
        self.tables: dict[int, tuple[WeekProblem, Future[WeekTable]]] = {}

    def map(
        self,
        problems: list[WeekProblem],
        model_rows: tuple[np.ndarray, np.ndarray],
        prices: list[WeekPrices],
    ) -> Iterator[WeekResult]:
        if not self._client.done():
            return self.threads.map(problems, model_rows, prices)
        client = self._client.result()
        futures = []
        for p, week_prices in zip(problems, prices, strict=True):
            if id(p) not in self.tables:
                [table] = client.scatter([week_table(p, *model_rows)], hash=False)
                self.tables[id(p)] = (p, table)
            futures.append(
                client.submit(solve_week, self.tables[id(p)][1], week_prices, pure=False)
            )
        return (f.result() for f in futures)

    def release(self) -> None:
        """Let the workers drop the weeks' tables: another program's weeks come next."""
        self.tables.clear()

    def close(self) -> None:
        """Release the weeks' tables and the client; a local cluster stops in the background
        (seconds: the call returns in its time limit, the process waits for it at exit)."""
        self.tables.clear()
        self.threads.close()
        stopping = self._starter.submit(self._stop)
        self._starter.shutdown(wait=False)
        if self._client.done() and self._client.exception() is not None:
            stopping.result()  # a cluster that could not start: say so

    def _stop(self) -> None:
        try:
            self._client.result()
        finally:
            self._client_context.__exit__(None, None, None)


def week_executor(options: SolverOptions) -> ThreadWeeks | DaskWeeks:
    """Threads (``options.threads`` of them), or the Dask cluster ``options.dask`` names.

    Parameters
    ----------
    options
        Solver options (``threads``, ``dask``).

    Returns
    -------
    ThreadWeeks or DaskWeeks
        The executor; ``close()`` it when done (a ``local:N`` cluster stops then).
    """
    if options.dask is None:
        return ThreadWeeks(options.threads)
    return DaskWeeks(options.dask, options.threads)


def week_prices(
    problems: list[WeekProblem],
    cost: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    solver: str,
    seconds_left: float,
    duals: bool = False,
    integer: np.ndarray | None = None,
    mip_gap: float = 0.0,
) -> list[WeekPrices]:
    """Each week's slice of the column costs and bounds (and integer columns, for MIPs).

    Parameters
    ----------
    problems
        The weeks.
    cost, lower, upper
        Cost and bounds per column of the whole model, each of shape (columns,).
    solver
        The LP solver's name.
    seconds_left
        The time budget left, s.
    duals
        Whether the weeks' row duals come back.
    integer
        Per column of the whole model, shape (columns,): whether it is integer; None for LPs.
    mip_gap
        The weekly MIPs' relative gap.

    Returns
    -------
    list of WeekPrices
        One per week, in order.
    """
    end = time.time() + seconds_left
    return [
        WeekPrices(
            cost[p.cols],
            lower[p.cols],
            upper[p.cols],
            solver,
            end,
            duals,
            None if integer is None else integer[p.cols],
            mip_gap,
        )
        for p in problems
    ]
