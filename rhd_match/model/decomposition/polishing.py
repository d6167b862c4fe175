"""The last phase: the repaired plan re-balanced between canteens against the true annual rows.

Weekly prices cannot see that a canteen already meets a target while another is short. Small
enough plans get one whole-year LP over their open drops (``polish``); larger ones re-price
the weeks from the plan's own annual rows (``reprice``). Neither ever returns a worse plan.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ...i18n import format_significant as sig
from ...i18n import gettext as _
from ...i18n import ngettext
from ...params import SolverOptions
from ..build import LinearModel
from ..solvers import LinearProgram, SolverRun
from ..strategies import (
    Deadline,
    Reporter,
    close_short_drops,
    elastic_objective,
    fixed_delivery,
    open_in_plan,
)
from . import budgets
from .annual import AnnualRows
from .executors import WeekProblem
from .repair import franco_loop
from .subproblems import WeeklySolver, column_weeks, row_weeks


def reprice(
    model: LinearModel,
    weekly: WeeklySolver,
    problems: list[WeekProblem],
    annual: AnnualRows,
    mu: np.ndarray,
    values: np.ndarray,
    deadline: Deadline,
    log: Reporter,
    plan_objective: Callable[[np.ndarray], float],
) -> np.ndarray:
    """Re-solve the weeks over the plan's drops with prices read off the plan itself.

    The search's prices treat every canteen as short of every target; once the plan meets a
    target, more of that food is worth nothing there and should go where a target is missed.
    Each round moves the prices halfway towards what the plan's own annual rows are worth
    (halfway: jumping all the way makes the met and missed rows swap back and forth) and
    re-runs the franco loop on the plan's drops and lots. Weekly LPs only, so it scales like
    the repair; the best plan by true objective is kept (rounds: ``another_round``). On the
    demo (weighted objective)
    its rounds take the repaired plan from −2 821 160 to −3 361 131, where the polishing
    LP reaches −4 449 143 (measured): it is the fallback above ``POLISH_MAX_COLUMNS``.

    Parameters
    ----------
    model
        The model.
    weekly
        The weekly LP solver.
    problems
        The weekly sub-problems with delivery rows.
    annual
        The annual rows and their price bounds.
    mu
        The multipliers the plan was repaired at, shape (annual rows,).
    values
        The repaired plan, shape (columns,).
    deadline
        The wall-clock budget.
    log
        Receives progress messages.
    plan_objective
        The plan score of a solution vector.

    Returns
    -------
    numpy.ndarray
        The best plan seen, ``values`` included, shape (columns,), drops short of franco closed.
    """
    var = model.variables
    open_drop = values[var.cols("y")] > 0.5
    open_lot = open_in_plan(model, values)
    best, best_objective = values, plan_objective(values)
    current, round_, gained = values, 0, False
    while another_round(round_, gained):
        if deadline.expired():
            break
        mu = 0.5 * (mu + annual.of_plan(current))
        cost = annual.cost(model, mu)
        current = franco_loop(
            model, weekly, problems, cost, open_drop, open_lot, deadline, log, best
        )
        objective = plan_objective(current)
        log(_("reprice {n}: plan {plan}").format(n=round_, plan=sig(objective)))
        gained = objective < best_objective
        if gained:
            best, best_objective = current, objective
        round_ += 1
    return close_short_drops(model, best)


def another_round(done: int, gained: bool) -> bool:
    """Whether re-pricing runs one more round: the first ``REPRICE_ROUNDS`` always, then
    while the last round found a better plan, up to ``REPRICE_MAX_ROUNDS`` in all.

    Parameters
    ----------
    done
        The rounds run so far.
    gained
        Whether the last round found a better plan than any before it (False before the
        first).

    Returns
    -------
    bool
        True when another round should run (the caller's clock permitting).
    """
    return done < budgets.REPRICE_ROUNDS or (gained and done < budgets.REPRICE_MAX_ROUNDS)


def polish(
    model: LinearModel,
    values: np.ndarray,
    options: SolverOptions,
    deadline: Deadline,
    log: Reporter,
    plan_objective: Callable[[np.ndarray], float],
) -> np.ndarray | None:
    """Re-solve the whole year with the plan's drops and lots fixed and the true EGalim rows.

    Weekly prices cannot see that a canteen already meets a target (its extra organic food is
    then worth nothing) while another is short; one LP over the open drops only, with the
    annual rows, moves supply to where it counts. The plan is a feasible point of that LP, so
    the result is never worse; if the LP does not finish in time the plan is kept. None when
    the LP would be over ``POLISH_MAX_COLUMNS`` (then ``reprice`` does the job).

    Parameters
    ----------
    model
        The model.
    values
        The repaired plan, shape (columns,).
    options
        Solver options (LP solver, threads).
    deadline
        The wall-clock budget.
    log
        Receives progress messages.
    plan_objective
        The plan score of a solution vector (true objective, hard rules first).

    Returns
    -------
    numpy.ndarray or None
        The better of the polished plan and ``values``, shape (columns,); None when the LP is
        too large.
    """
    run, keep = polishing_run(model, values, options, deadline)
    if run is None:
        n = int(keep.sum())
        log(
            ngettext(
                "polish: {n} column, over {most}: re-pricing",
                "polish: {n} columns, over {most}: re-pricing",
                n,
            ).format(n=n, most=budgets.POLISH_MAX_COLUMNS)
        )
        return None
    if run.values is None:
        log(_("polish: {status}, plan kept").format(status=run.status))
        return values
    polished = np.zeros(model.variables.count)
    polished[keep] = run.values
    before, after = plan_objective(values), plan_objective(polished)
    n = int(keep.sum())
    log(
        ngettext(
            "polish: {n} column, plan {before} -> {after}",
            "polish: {n} columns, plan {before} -> {after}",
            n,
        ).format(n=n, before=sig(before), after=sig(after))
    )
    return polished if after < before else values


def polishing_run(
    model: LinearModel,
    values: np.ndarray,
    options: SolverOptions,
    deadline: Deadline,
    most: int | None = None,
) -> tuple[SolverRun | None, np.ndarray]:
    """The polishing LP of a plan (``polishing_program``) solved within ``deadline``.

    Parameters
    ----------
    model
        The model.
    values
        The plan, shape (columns,).
    options
        Solver options (LP solver, threads).
    deadline
        The wall-clock budget.
    most
        The most columns the LP may have; None: ``budgets.POLISH_MAX_COLUMNS``.

    Returns
    -------
    run : SolverRun or None
        The LP's run: values over the kept columns, duals over the model's rows (with GLOP
        and PDLP); None when the LP would be over ``most`` columns.
    keep : numpy.ndarray
        Bool per model column: the LP's columns.
    """
    limit = budgets.POLISH_MAX_COLUMNS if most is None else most
    program, keep = polishing_program(model, values, limit)
    if program is None:
        return None, keep
    return deadline.solve(program, options.lp_solver, options.threads), keep


def polishing_program(
    model: LinearModel, values: np.ndarray, most: int
) -> tuple[LinearProgram | None, np.ndarray]:
    """The polishing LP of a plan: the model with the plan's drops and lots fixed, targets and
    budgets elastic (``strategies.fixed_delivery``), over the columns that can be non-zero.

    Parameters
    ----------
    model
        The model.
    values
        The plan, shape (columns,).
    most
        The most columns the LP may have.

    Returns
    -------
    program : LinearProgram or None
        The LP over the kept columns, in their order, with ``elastic_objective``; None when
        it would have more than ``most`` columns.
    keep : numpy.ndarray
        Bool per model column: the LP's columns.
    """
    var = model.variables
    open_drop, open_lot = values[var.cols("y")] > 0.5, open_in_plan(model, values)
    lower, upper = fixed_delivery(model, open_drop, open_lot, elastic_minimums=False)
    # Keep only the columns that can be non-zero: a much smaller LP than the whole model.
    keep: np.ndarray = upper > 0
    if keep.sum() > most:
        return None, keep
    program = model.program(lower, upper).with_objective(elastic_objective(model))
    return program.with_columns(keep), keep


@dataclass
class PolishParts:
    """The polishing LP of a whole-year plan (``polishing.polishing_program``), gathered
    chunk by chunk: per chunk, its weekly rows over its kept weekly columns, the annual
    rows' coefficients on those columns, and their positions among the chunk model's
    columns; the annual rows over the annual (elastic) columns once, with the rows' bounds
    (every chunk's model has the same annual rows and columns); the kept columns in all,
    and the time to build the chunks' models and tables again (s, measured)."""

    weekly: list[LinearProgram] = dataclasses.field(default_factory=list)
    annual: list[sp.csr_matrix] = dataclasses.field(default_factory=list)
    positions: list[np.ndarray] = dataclasses.field(default_factory=list)
    elastic: LinearProgram | None = None
    columns: int = 0
    rebuild_s: float = 0.0

    def add(self, model: LinearModel, annual: AnnualRows, values: np.ndarray, built: float) -> bool:
        """Add a chunk's part of the polishing LP.

        Parameters
        ----------
        model
            The chunk's model.
        annual
            The chunk model's annual rows.
        values
            The chunk's plan, shape (columns of ``model``,).
        built
            Time the chunk's model and tables took to build, s.

        Returns
        -------
        bool
            False (nothing added) when the LP would then be over ``POLISH_MAX_COLUMNS``.
        """
        program, keep = polishing_program(model, values, budgets.POLISH_MAX_COLUMNS - self.columns)
        if program is None:
            return False
        kept = np.flatnonzero(keep)
        weekly_cols = column_weeks(model)[kept] >= 0
        weekly_rows = row_weeks(model) >= 0
        matrix = program.matrix
        self.weekly.append(
            LinearProgram(
                matrix[weekly_rows][:, weekly_cols],
                program.objective[weekly_cols],
                program.row_lower[weekly_rows],
                program.row_upper[weekly_rows],
                program.lower[weekly_cols],
                program.upper[weekly_cols],
            )
        )
        self.annual.append(matrix[annual.rows][:, weekly_cols])
        self.positions.append(kept[weekly_cols])
        if self.elastic is None:
            elastic = ~weekly_cols
            self.elastic = LinearProgram(
                matrix[annual.rows][:, elastic],
                program.objective[elastic],
                program.row_lower[annual.rows],
                program.row_upper[annual.rows],
                program.lower[elastic],
                program.upper[elastic],
            )
            self.columns += int(elastic.sum())
        self.columns += int(weekly_cols.sum())
        self.rebuild_s += built
        return True

    def program(self) -> LinearProgram:
        """The whole-year polishing LP: the chunks' weekly blocks on the diagonal, the
        annual rows under them, the annual columns last."""
        assert self.elastic is not None
        weekly, elastic = self.weekly, self.elastic
        diagonal = sp.block_diag([w.matrix for w in weekly], format="csr")
        top = sp.hstack([diagonal, sp.csr_matrix((diagonal.shape[0], elastic.matrix.shape[1]))])
        bottom = sp.hstack([*self.annual, elastic.matrix])
        matrix = sp.csr_matrix(sp.vstack([top, bottom], format="csr"))
        return LinearProgram(
            matrix,
            *(
                np.concatenate([getattr(p, name) for p in [*weekly, elastic]])
                for name in ("objective", "row_lower", "row_upper", "lower", "upper")
            ),
        )

    def split(self, values: np.ndarray, i: int, count: int) -> np.ndarray:
        """Chunk ``i``'s columns of the LP's solution.

        Parameters
        ----------
        values
            The polishing LP's solution, shape (``program()``'s columns,).
        i
            The chunk, in the order they were added.
        count
            The chunk model's columns.

        Returns
        -------
        numpy.ndarray
            Shape (count,): the chunk's weekly columns' values, the annual ones at 0 (the
            plan reads its weekly ones).
        """
        start = sum(len(p) for p in self.positions[:i])
        chunk = np.zeros(count)
        chunk[self.positions[i]] = values[start : start + len(self.positions[i])]
        return chunk
