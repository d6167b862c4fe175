"""Solve strategies: exact MIP, LP relaxation, and LP-based repair of the delivery decisions.

Every strategy returns a ``Plan``: a full column vector and what is proven about it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from ..i18n import format_number as num
from ..i18n import gettext as _
from ..i18n import ngettext
from ..params import SolverOptions, solver_options
from ..progress import Progress
from .build import LinearModel
from .groups import first_fit
from .index import ModelIndex
from .solvers import GLOP_PARAMETERS, LinearProgram, SolverRun, run_solver
from .variables import Variables

if TYPE_CHECKING:
    from ..inputs.scenario import Scenario

ZERO = 1e-7  # flows below this many units are solver noise
#: A hub drop is opened from a relaxed plan when its flows reach this fraction of the hub's
#: minimum per drop (kg); the repair then fills it to the minimum or closes it. The relaxation
#: meets a hub's minimum for free (its drop variable takes the share the flows need), so it
#: spreads the hub's food in drops of any size: opening only those at the minimum opens
#: almost none.
HUB_OPEN_FRACTION = 0.5
#: Relative tolerance under which a drop misses its franco or its hub's minimum (looser than
#: the checker's 1e-6, so that a solver's rounding never closes a drop the checker accepts).
MINIMUM_TOL = 1e-7


@dataclass(frozen=True)
class Plan:
    """A column vector for a ``LinearModel`` with its status and lower bound."""

    values: np.ndarray
    status: str
    bound: float
    solver: str
    iterations: int = 1
    #: The wall-clock safety net cut the search short: another machine may find another plan.
    stopped_by_time_limit: bool = False
    #: Per level of a lexicographic objective, in order: (name, plan's value, proven lower
    #: bound or -inf); empty for the weighted objective.
    levels: tuple[tuple[str, float, float], ...] = ()


class Reporter:
    """rhd_match's own progress messages for a solve's ``log`` (see ``rhd_match.progress``).

    Called with a plain message (as the decomposition does), it reports it under the current
    phase. Does nothing when ``log`` is None.
    """

    def __init__(self, log: Callable[[str], None] | None, limit_s: float) -> None:
        self.log, self.limit_s = log, limit_s
        self.started = time.perf_counter()
        self.phase = "build"

    def say(
        self,
        message: str,
        phase: str | None = None,
        incumbent: float = math.nan,
        bound: float = math.nan,
    ) -> None:
        """Report ``message``; ``phase`` becomes the current phase; figures when known.

        Parameters
        ----------
        message
            What the solve does now.
        phase
            The phase starting (``build``, ``mip``, ``decompose``, ``tables``...); the current one
            when None.
        incumbent
            Objective of the best plan so far; NaN when unknown.
        bound
            Best lower bound on the objective; NaN when unknown.
        """
        if phase is not None:
            self.phase = phase
        if self.log is None:
            return
        if math.isnan(incumbent):
            bound, gap = (bound if math.isfinite(bound) else math.nan), math.nan
        else:
            bound, gap = trusted_bound(incumbent, bound)
        elapsed = time.perf_counter() - self.started
        self.log(Progress(self.phase, message, elapsed, self.limit_s, incumbent, bound, gap))

    def __call__(self, message: str) -> None:
        self.say(message)


#: The statuses of a solver call that the clock ended (``SolverRun.status``), and of a solve
#: it left without a plan of its own (``Solution.summary``'s, the decision-support tables').
CLOCK_STATUSES = ("time_limit", "not_started")


def left_out_by_clock(statuses: pd.Series) -> int:
    """How many solves of a decision-support table the clock left without a plan of their own.

    Parameters
    ----------
    statuses
        The table's ``status`` column, one per solve (point, amount or variant).

    Returns
    -------
    int
        The statuses in ``CLOCK_STATUSES``: not started, or stopped before a plan.
    """
    return int(statuses.isin(CLOCK_STATUSES).sum())


class Deadline:
    """Wall-clock budget shared by the solver calls of one solve."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.perf_counter() + seconds
        #: A solver call was stopped (or not started) by this budget: what comes back may
        #: depend on the machine's speed, and the plan must say so.
        self.hit = False

    def left(self) -> float:
        return max(self.end - time.perf_counter(), 0.01)

    def end_unix_s(self) -> float:
        """The end of this budget as a time of day (``time.time()``, s): a clock that holds
        in another process, where ``time.perf_counter()`` does not.

        Returns
        -------
        float
            Seconds since the epoch.
        """
        return time.time() + (self.end - time.perf_counter())

    def expired(self) -> bool:
        """Whether the budget is spent; when it is, the caller stops its work early, so the
        plan now depends on the machine's speed and ``hit`` is set to say so."""
        spent = time.perf_counter() >= self.end
        self.hit |= spent
        return spent

    def observe(self, run: SolverRun) -> SolverRun:
        """``run``, noting whether the time limit stopped it: status ``time_limit`` or
        ``not_started``, or a plan not proven optimal (``feasible``: HiGHS's MIP stopped by
        its limit says no more) returned within the last tenth of this budget.

        Parameters
        ----------
        run
            A solver's run under this deadline.

        Returns
        -------
        SolverRun
            ``run`` itself.
        """
        if run.status in CLOCK_STATUSES:
            self.hit = True
        elif run.status == "feasible":
            self.hit |= self.end - time.perf_counter() <= 0.1 * self.seconds
        return run

    def solve(
        self,
        program: LinearProgram,
        solver: str,
        threads: int,
        mip_gap: float = 1e-4,
        glop_parameters: str = GLOP_PARAMETERS,
    ) -> SolverRun:
        """``program`` solved within what is left of this budget (``run_solver``), its run
        noted by ``observe``. A spent budget starts no solver (status ``not_started``).

        Parameters
        ----------
        program
            The linear program (integer columns make it a MIP).
        solver
            ``"glop"``, ``"pdlp"``, ``"highs"`` or ``"scip"``.
        threads
            Threads the solver may use.
        mip_gap
            Relative gap at which a MIP stops.
        glop_parameters
            GLOP's parameters, for GLOP only.

        Returns
        -------
        SolverRun
            The solver's run.
        """
        left = self.end - time.perf_counter()  # not ``left()``'s floor: a spent clock is spent
        return self.observe(run_solver(program, solver, left, threads, mip_gap, glop_parameters))


def call_deadline(
    scenario: Scenario, options: Mapping[str, Any] | None = None, started: float | None = None
) -> Deadline:
    """The clock of one call: the ``time_limit_s`` of its ``options`` (else the scenario's),
    counted from ``started``.

    Parameters
    ----------
    scenario
        The call's scenario (``parameters.solver``).
    options
        Solver options given to the call (``SolverOptions`` fields), validated and applied
        over the scenario's; ``None`` for the scenario's own.
    started
        ``time.perf_counter()`` when the call started: what it has spent since counts
        against the limit; ``None`` for now.

    Returns
    -------
    Deadline
        The time limit, s, less what was spent since ``started``.

    Raises
    ------
    OptionError
        When an option is unknown or invalid (``solver_options``).
    """
    base = scenario.parameters.solver
    limit = (base if options is None else solver_options(base, options)).time_limit_s
    spent = 0.0 if started is None else time.perf_counter() - started
    return Deadline(limit - spent)


def run_model(
    model: LinearModel,
    lower: np.ndarray,
    upper: np.ndarray,
    integer: bool,
    options: SolverOptions,
    deadline: Deadline,
    log: Reporter,
    objective: np.ndarray | None = None,
) -> SolverRun:
    """One solve of the whole model with these column bounds (a MIP when ``integer``) and
    ``objective`` (the model's when None).

    Parameters
    ----------
    model
        The model.
    lower, upper
        Column bounds, each of shape (columns,).
    integer
        Keep the binaries integer (a MIP); otherwise the LP relaxation.
    options
        Solver options (solvers, threads, relative gap).
    deadline
        The wall-clock budget; the solver gets what is left.
    log
        Receives the solver's start and end.
    objective
        Cost per column, shape (columns,); the model's when None.

    Returns
    -------
    SolverRun
        Status, values, objective, bound and duals as the solver returned them.
    """
    solver = options.mip_solver if integer else options.lp_solver
    kind = "MIP" if integer else "LP"
    log.say(
        _("{solver} on the {kind}, limit {seconds} s").format(
            solver=solver, kind=kind, seconds=num(deadline.left(), 1)
        )
    )
    program = model.program(lower, upper, integer).with_objective(
        model.objective if objective is None else objective
    )
    run = deadline.solve(program, solver, options.threads, options.mip_gap)
    if run.status == "not_started":
        log.say(
            _(
                "{solver} not started: handing it the model would take longer than the time left"
            ).format(solver=solver)
        )
    else:
        log.say(
            _("{solver} finished: {status} in {seconds} s").format(
                solver=solver, status=run.status, seconds=num(run.wall_time_s, 1)
            )
        )
    return run


def solve_lp(
    model: LinearModel,
    options: SolverOptions,
    deadline: Deadline,
    log: Reporter,
) -> tuple[Plan | None, SolverRun]:
    """The LP relaxation (drops and lots continuous): a lower bound, and a plan that may break
    delivery rules.

    Parameters
    ----------
    model
        The model.
    options
        Solver options.
    deadline
        The wall-clock budget.
    log
        Receives progress messages.

    Returns
    -------
    plan : Plan or None
        The relaxed plan with its optimum as bound; None without a solution.
    run : SolverRun
        The solver's run.
    """
    var = model.variables
    run = run_model(model, var.lower, var.upper, False, options, deadline, log)
    if run.values is None:
        return None, run
    log.say(_("relaxation solved"), bound=run.bound)
    return Plan(run.values, "relaxation", run.bound, run.solver), run


def solve_mip(
    model: LinearModel,
    options: SolverOptions,
    deadline: Deadline,
    log: Reporter,
) -> tuple[Plan | None, SolverRun]:
    """The exact mixed-integer model, stopped at the time limit or the relative gap.

    Parameters
    ----------
    model
        The model.
    options
        Solver options.
    deadline
        The wall-clock budget.
    log
        Receives progress messages.

    Returns
    -------
    plan : Plan or None
        The best integer plan with the solver's bound; None without one.
    run : SolverRun
        The solver's run.
    """
    var = model.variables
    run = run_model(model, var.lower, var.upper, True, options, deadline, log)
    if run.values is None:
        return None, run
    log.say(_("plan found"), incumbent=run.objective, bound=run.bound)
    status = "optimal" if run.status == "optimal" else "feasible"
    return Plan(run.values, status, run.bound, run.solver), run


def solve_repair(
    model: LinearModel,
    options: SolverOptions,
    deadline: Deadline,
    log: Reporter,
) -> tuple[Plan | None, SolverRun]:
    """LP relaxation for a bound, then fix drops and lots from it and repair by LPs.

    1. Solve the relaxation; its optimum is the lower bound.
    2. Open, per producer and week, at most N_p drops: those the relaxation used, largest value
       first, those already paying the franco before the others; open a lot arc where the
       relaxation sent at least the lot, and a hub drop where it sent at least
       ``HUB_OPEN_FRACTION`` of the hub's minimum.
    3. Re-solve the LP with drops and lots fixed and each open drop's franco and hub drop's
       minimum made elastic (a heavily penalised slack); close every drop whose franco or
       minimum still needs slack; repeat until no slack is used. Closing drops only ever
       removes options, so this ends, and the last LP is a plan that meets every delivery
       rule.

    Parameters
    ----------
    model
        The model.
    options
        Solver options.
    deadline
        The wall-clock budget.
    log
        Receives progress messages.

    Returns
    -------
    plan : Plan or None
        The repaired plan with the relaxation's bound; None when no LP had a solution.
    run : SolverRun
        The relaxation's run.
    """
    relaxed, run = solve_lp(model, options, deadline, log)
    if relaxed is None:
        return None, run
    open_drop, open_lot = open_from_relaxation(model, relaxed.values)
    iterations = 0
    best: SolverRun | None = None
    stopped = run.status != "optimal"
    while True:
        iterations += 1
        lower, upper = fixed_delivery(model, open_drop, open_lot, elastic_minimums=True)
        step = run_model(model, lower, upper, False, options, deadline, log)
        stopped |= step.status != "optimal"
        if step.values is None:
            break
        best = step
        short, short_hub = short_of_minimums(model, step.values)
        open_now, below = int(open_drop.sum()), int(short.sum() + short_hub.sum())
        log.say(
            ngettext(
                "round {n}: {open} drop open, {below} below franco",
                "round {n}: {open} drops open, {below} below franco",
                open_now,
            ).format(n=iterations, open=open_now, below=below)
        )
        if not (short.any() or short_hub.any()):
            break
        open_drop &= ~short
        open_lot = close_hub_drops(model, open_lot, short_hub)
        if deadline.expired():
            stopped = True
            break
    if best is None or best.values is None:
        return None, run
    values = close_short_drops(model, best.values)
    return Plan(values, "feasible", relaxed.bound, run.solver, iterations, stopped), run


class Layout(Protocol):
    """What choosing drops from flows reads of a model: its index tables and where its
    columns sit (a ``LinearModel``, or these two kept without its matrix)."""

    @property
    def index(self) -> ModelIndex: ...

    @property
    def variables(self) -> Variables: ...


def open_from_relaxation(model: Layout, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drops and lots to open from a relaxed plan: per producer × week at most N_p of the drops
    it used (``choose_drops``), the lot arcs where it sends at least the lot, and the hub drops
    with a minimum where it delivers at least ``HUB_OPEN_FRACTION`` of the minimum (kg).

    Drops and hub drops are chosen from the flows with every direct delivery that does not
    pay its franco moved to the producer's hub where the hub reaches the canteen
    (``through_hubs``): a relaxation without delivery rows (the decomposition's transport
    flows) sees no franco and never pays a hub's fee, and a drop short of its franco is
    closed by the repair anyway, while the hub's whole order may pay it.

    Parameters
    ----------
    model
        The model, or its index tables and column layout.
    values
        A relaxed solution vector, shape (columns,).

    Returns
    -------
    open_drop : numpy.ndarray
        Bool per drop column.
    open_lot : numpy.ndarray
        Bool per lot column, then per hub drop column (``hub_y``).
    """
    var, index = model.variables, model.index
    x = through_hubs(index, values[var.cols("x")])
    arc_drop = index.arcs["drop"].to_numpy()
    value = drop_value(index, x)
    used = np.bincount(arc_drop, x > ZERO, minlength=len(index.drops)) > 0
    open_drop = choose_drops(
        index.drops.iloc[var.drop_rows],
        value[var.drop_rows],
        used[var.drop_rows],
        index.producers["max_drops"].to_numpy(),
    )
    lots = var.lot_arcs
    open_lot = x[lots] >= index.arcs["lot"].to_numpy()[lots] - ZERO
    return open_drop, np.r_[open_lot, hub_drops_reached(index, x)]


def hub_options(model: Layout, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The producers' drops at a hub and the hub drops that ``open_from_relaxation`` opens
    from a relaxed plan: what another relaxed plan may add (``add_hub_options``).

    Parameters
    ----------
    model
        The model, or its index tables and column layout.
    values
        A relaxed solution vector, shape (columns,).

    Returns
    -------
    at_hub : numpy.ndarray
        Bool per drop column: a drop at a hub it opens.
    hub : numpy.ndarray
        Bool per hub drop column (``hub_y``): a hub drop it opens.
    """
    var, index = model.variables, model.index
    open_drop, open_lot = open_from_relaxation(model, values)
    at_hub: np.ndarray = open_drop & (index.drops["hub"].to_numpy()[var.drop_rows] >= 0)
    return at_hub, open_lot[var.size["z"] :]


def add_hub_options(
    model: LinearModel,
    open_drop: np.ndarray,
    open_lot: np.ndarray,
    options: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """``open_drop`` and ``open_lot`` (``fixed_delivery``'s) with the drops at a hub and the
    hub drops of ``options`` (``hub_options``) opened too, each drop at a hub only where its
    producer has a drop to spare that week.

    Parameters
    ----------
    model
        The model.
    open_drop
        Open drops, bool of shape (drop columns,).
    open_lot
        Open lots then open hub drops, bool of shape (lot columns + hub drop columns,).
    options
        Drops at a hub (bool per drop column) and hub drops (bool per ``hub_y`` column) to add.

    Returns
    -------
    open_drop, open_lot : numpy.ndarray
        Copies of the inputs with the options opened.
    """
    var, index = model.variables, model.index
    drops = index.drops.iloc[var.drop_rows]
    producer = drops["producer"].to_numpy()
    pw = producer * len(index.weeks) + drops["week"].to_numpy()
    in_use = np.bincount(pw, open_drop, minlength=int(pw.max(initial=0)) + 1)[pw]
    # A producer belongs to one hub: at most one drop at a hub per producer and week.
    spare = in_use < index.producers["max_drops"].to_numpy()[producer]
    out_lot = open_lot.copy()
    out_lot[var.size["z"] :] |= options[1]
    return open_drop | (options[0] & spare), out_lot


def through_hubs(index: ModelIndex, x: np.ndarray) -> np.ndarray:
    """The flows ``x`` with every direct delivery short of its franco sent through the
    producer's hub instead, where an arc via the hub reaches the same canteen with the same
    offer.

    Parameters
    ----------
    index
        The model's index tables.
    x
        Quantity per arc, shape (arcs,).

    Returns
    -------
    numpy.ndarray
        Quantity per arc, shape (arcs,); ``x`` itself without hubs.
    """
    arcs = index.arcs
    hub = arcs["hub"].to_numpy()
    via = hub >= 0
    if not via.any():
        return x
    drop = arcs["drop"].to_numpy()
    short = _under_minimum(drop_value(index, x), index.drops["franco"].to_numpy())
    key = arcs["offer"].to_numpy(np.int64) * len(index.canteen_ids) + arcs["canteen"].to_numpy()
    twin = pd.Index(key[via]).get_indexer(key)  # per arc: its offer's arc via the hub, or −1
    move = ~via & short[drop] & (twin >= 0) & (x > ZERO)
    if not move.any():
        return x
    out = x.copy()
    target = np.flatnonzero(via)[twin[move]]
    np.add.at(out, target, x[move])
    out[move] = 0.0
    return out


def drop_value(index: ModelIndex, x: np.ndarray) -> np.ndarray:
    """EUR HT per drop of the flows ``x`` (per arc), at the producer's price.

    Parameters
    ----------
    index
        The model's index tables.
    x
        Quantity per arc, shape (arcs,).

    Returns
    -------
    numpy.ndarray
        EUR HT per drop, shape (drops,).
    """
    arcs = index.arcs
    value: np.ndarray = np.bincount(
        arcs["drop"].to_numpy(), arcs["producer_price"].to_numpy() * x, minlength=len(index.drops)
    )
    return value


def _hub_drop_kg(index: ModelIndex, x: np.ndarray) -> np.ndarray:
    """kg per hub drop of the flows ``x`` (per arc); arcs not via a hub count nowhere."""
    hub_drop = index.arcs["hub_drop"].to_numpy()
    via = hub_drop >= 0
    kg: np.ndarray = np.bincount(
        hub_drop[via],
        (index.arcs["kg_per_unit"].to_numpy() * x)[via],
        minlength=len(index.hub_drops),
    )
    return kg


def _under_minimum(amount: np.ndarray, minimum: np.ndarray) -> np.ndarray:
    """Whether something is delivered but less than its minimum, beyond the solvers' noise."""
    short: np.ndarray = (amount > ZERO) & (amount < minimum - MINIMUM_TOL * (1 + minimum))
    return short


def hub_drops_reached(index: ModelIndex, x: np.ndarray) -> np.ndarray:
    """Per hub drop column: whether the flows ``x`` (per arc) deliver at least
    ``HUB_OPEN_FRACTION`` of its minimum.

    Parameters
    ----------
    index
        The model's index tables.
    x
        Quantity per arc, shape (arcs,).

    Returns
    -------
    numpy.ndarray
        Bool per hub drop with a minimum (``hub_y`` column).
    """
    hub_drops = index.hub_drops
    kg = _hub_drop_kg(index, x)
    binary = hub_drops["binary"].to_numpy()
    least = HUB_OPEN_FRACTION * hub_drops["min_kg"].to_numpy()[binary]
    reached: np.ndarray = (kg[binary] > ZERO) & (kg[binary] >= least - ZERO)
    return reached


def short_of_minimums(model: LinearModel, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The drops whose franco, and the hub drops whose minimum, an elastic LP's plan
    (``fixed_delivery`` with ``elastic_minimums``) meets only with slack.

    Parameters
    ----------
    model
        The model.
    values
        The LP's solution vector, shape (columns,).

    Returns
    -------
    short : numpy.ndarray
        Bool per drop column.
    short_hub : numpy.ndarray
        Bool per hub drop column (``hub_y``).
    """
    var, index = model.variables, model.index
    franco = index.drops["franco"].to_numpy()[var.drop_rows]
    binary = index.hub_drops["binary"].to_numpy()
    min_kg = index.hub_drops["min_kg"].to_numpy()[binary]
    short: np.ndarray = values[var.cols("franco_slack")] > 1e-6 * np.maximum(franco, 1.0)
    short_hub: np.ndarray = values[var.cols("hub_slack")] > 1e-6 * np.maximum(min_kg, 1.0)
    return short, short_hub


def close_hub_drops(model: LinearModel, open_lot: np.ndarray, close: np.ndarray) -> np.ndarray:
    """``open_lot`` (``fixed_delivery``'s: lots, then hub drops) with the hub drops ``close``
    (bool per ``hub_y`` column) closed.

    Parameters
    ----------
    model
        The model.
    open_lot
        Open lots then open hub drops, bool of shape (lot columns + hub drop columns,).
    close
        Hub drops to close, bool of shape (hub drop columns,).

    Returns
    -------
    numpy.ndarray
        A copy of ``open_lot`` with those hub drops closed.
    """
    out: np.ndarray = open_lot.copy()
    out[model.variables.size["z"] :] &= ~close
    return out


def fixed_delivery(
    model: LinearModel, open_drop: np.ndarray, open_lot: np.ndarray, elastic_minimums: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Column bounds with the drops and lots fixed open or closed, targets and budgets elastic.

    Targets and budgets stay elastic even in hard mode: with drops fixed from a relaxation
    the hard LP may have no point although the model has one; the shortfalls are priced
    (``W_S``, ``W_B``), so the LP still meets every target it can, and the caller checks
    the hard rules on the final plan. Arcs of closed drops and closed lots carry nothing:
    bounded to 0, they drop out of the LPs, which then only see what is open.
    ``elastic_minimums``: each open drop's franco and each open hub drop's minimum may be
    missed at a price (the slacks), so the repair can tell which drops to close.

    Parameters
    ----------
    model
        The model.
    open_drop
        Open drops, bool of shape (drop columns,).
    open_lot
        Open lot arcs, bool of shape (lot columns,), optionally followed by the open hub drops
        (``hub_y`` columns, ``open_from_relaxation``): the arcs of a closed one carry nothing;
        an open one must carry the hub's minimum.
    elastic_minimums
        Let each open drop's franco and each open hub drop's minimum be missed at a price.

    Returns
    -------
    lower, upper : numpy.ndarray
        Column bounds, each of shape (columns,).
    """
    var, index = model.variables, model.index
    closed = np.zeros(len(index.drops), bool)
    closed[var.drop_rows[~open_drop]] = True
    lower, upper = var.lower.copy(), elastic_upper(model)
    x, y, z = var.cols("x"), var.cols("y"), var.cols("z")
    upper[x] = np.where(closed[index.arcs["drop"].to_numpy()], 0.0, upper[x])
    open_hub = open_lot[var.size["z"] :]
    open_lot = open_lot[: var.size["z"]]
    upper[x[var.lot_arcs[~open_lot]]] = 0.0
    if len(open_hub):
        closed_hub = np.r_[~_open_hub_rows(index, open_hub), False]  # last: direct arcs
        upper[x] = np.where(closed_hub[index.arcs["hub_drop"].to_numpy()], 0.0, upper[x])
        hub_y = var.cols("hub_y")
        lower[hub_y] = upper[hub_y] = open_hub.astype(float)
    lower[y] = upper[y] = open_drop.astype(float)
    lower[z] = upper[z] = open_lot.astype(float)
    if elastic_minimums:
        has_franco = index.drops["franco"].to_numpy()[var.drop_rows] > 0
        upper[var.cols("franco_slack")] = np.where(open_drop & has_franco, np.inf, 0.0)
        upper[var.cols("hub_slack")] = np.where(open_hub, np.inf, 0.0)
    return lower, upper


def open_in_plan(model: LinearModel, values: np.ndarray) -> np.ndarray:
    """The open lots, then the open hub drops, of a plan (``fixed_delivery``'s ``open_lot``).

    Parameters
    ----------
    model
        The model.
    values
        A plan's solution vector, shape (columns,).

    Returns
    -------
    numpy.ndarray
        Bool per lot column, then per hub drop column.
    """
    var = model.variables
    open_now: np.ndarray = np.r_[values[var.cols("z")], values[var.cols("hub_y")]] > 0.5
    return open_now


def _open_hub_rows(index: ModelIndex, open_hub: np.ndarray) -> np.ndarray:
    """Per hub drop row: open (those without a minimum always are)."""
    out = np.ones(len(index.hub_drops), bool)
    out[index.hub_drops["binary"].to_numpy()] = open_hub
    return out


ELASTIC_BLOCKS = ("short_quality", "short_organic", "short_meat_fish", "overrun")
#: In hard mode a heuristic's LPs price a shortfall or overrun this many times its soft
#: price, so they meet every hard rule they can before any other gain.
HARD_PRICE_FACTOR = 1000.0


def elastic_upper(model: LinearModel) -> np.ndarray:
    """Column upper bounds with the EGalim shortfalls and budget overruns free (soft mode).

    Parameters
    ----------
    model
        The model.

    Returns
    -------
    numpy.ndarray
        Upper bound per column, shape (columns,).
    """
    var = model.variables
    upper = var.upper.copy()
    for block in ELASTIC_BLOCKS:
        upper[var.cols(block)] = np.inf
    return upper


def elastic_objective(model: LinearModel) -> np.ndarray:
    """The objective for LPs over ``elastic_upper`` bounds: the shortfalls and overruns
    that hard mode forbids (their columns fixed to 0 in the model) priced
    ``HARD_PRICE_FACTOR`` times higher. Any such LP still bounds the hard model from
    below: the hard model's plans have those columns at 0.

    Parameters
    ----------
    model
        The model.

    Returns
    -------
    numpy.ndarray
        The cost per column, shape (columns,).
    """
    var = model.variables
    objective = model.objective.copy()
    for block in ELASTIC_BLOCKS:
        cols = var.cols(block)
        objective[cols] = np.where(
            var.upper[cols] <= 0, HARD_PRICE_FACTOR * objective[cols], objective[cols]
        )
    return objective


def choose_drops(
    drops: pd.DataFrame, value: np.ndarray, used: np.ndarray, max_drops: np.ndarray
) -> np.ndarray:
    """Per producer × week, open at most N_p used drops: franco-paying first, then by value."""
    pays = value >= drops["franco"].to_numpy() - 1e-9
    order = np.lexsort((-value, ~pays, drops["week"].to_numpy(), drops["producer"].to_numpy()))
    frame = drops.iloc[order][["producer", "week"]]
    rank = np.empty(len(drops), np.int64)
    rank[order] = frame.groupby(["producer", "week"], sort=False).cumcount().to_numpy()
    chosen: np.ndarray = used & (rank < max_drops[drops["producer"].to_numpy()])
    return chosen


def all_conventional(model: LinearModel) -> np.ndarray:
    """The plan that buys every demand row from the conventional supplier.

    Parameters
    ----------
    model
        The model.

    Returns
    -------
    numpy.ndarray
        The solution vector, shape (columns,): every demand row's quantity on ``v``, each
        group line served by its first options in order (``first_fit``).
    """
    var, index = model.variables, model.index
    values = np.zeros(var.count)
    options, demand = index.group_options, index.demand
    s = first_fit(options, index.group_lines["qty"].to_numpy(float))
    values[var.cols("s")] = s
    values[var.cols("v")] = demand["fixed"].to_numpy() + np.bincount(
        options["demand"].to_numpy(np.int64), s, minlength=len(demand)
    )
    return values


def close_short_drops(
    model: LinearModel, values: np.ndarray, empty: np.ndarray | None = None
) -> np.ndarray:
    """Move to the conventional supplier every drop a plan leaves under its minimum (time ran
    out before the repair closed it): a drop under its franco (EUR HT, at the producer's
    price), a hub drop under the hub's minimum (kg); first, the arcs ``empty``.

    Emptying a hub drop can leave a producer's drop at the hub under its franco, so this
    repeats until none is left; emptying a drop only ever lowers the others, so it ends. It
    changes nothing in a plan that keeps every minimum, with nothing to ``empty``.

    Parameters
    ----------
    model
        The model.
    values
        A solution vector, shape (columns,).
    empty
        Arcs to empty first (bool per arc, e.g. every arc of a canteen over its hard budget);
        None for none.

    Returns
    -------
    numpy.ndarray
        A copy with those drops closed and their quantities left to the conventional supplier
        (``decode.clean_flows`` buys them), slacks at 0; a drop, hub drop or lot arc left
        with nothing is closed.
    """
    var, index = model.variables, model.index
    drop, hub_drop = index.arcs["drop"].to_numpy(), index.arcs["hub_drop"].to_numpy()
    via = hub_drop >= 0
    franco, min_kg = index.drops["franco"].to_numpy(), index.hub_drops["min_kg"].to_numpy()
    x = values[var.cols("x")]
    emptied = np.zeros(len(x), bool)
    if empty is not None:
        emptied = empty & (x > ZERO)
        x = np.where(emptied, 0.0, x)
    while True:
        value = drop_value(index, x)
        small = _under_minimum(value, franco)
        kg = _hub_drop_kg(index, x)
        small_hub = _under_minimum(kg, min_kg)
        dead = small[drop]
        dead[via] |= small_hub[hub_drop[via]]
        dead &= x > ZERO
        if not dead.any():
            break
        emptied |= dead
        x = np.where(dead, 0.0, x)
    if not emptied.any():
        return values
    out = values.copy()
    out[var.cols("x")] = x
    # A drop is closed when emptied whole: a producer's drop at a hub may keep other canteens.
    closed = np.zeros(len(franco), bool)
    closed[drop[emptied]] = True
    closed &= value <= ZERO
    out[var.cols("y")] = np.where(closed[var.drop_rows], 0.0, out[var.cols("y")])
    closed_hub = np.zeros(len(min_kg), bool)
    closed_hub[hub_drop[emptied & via]] = True
    closed_hub &= kg <= ZERO
    binary = index.hub_drops["binary"].to_numpy()
    out[var.cols("hub_y")] = np.where(closed_hub[binary], 0.0, out[var.cols("hub_y")])
    # An open lot must carry its lot: one emptied is closed.
    lots = var.lot_arcs
    out[var.cols("z")] = np.where(emptied[lots], 0.0, out[var.cols("z")])
    out[var.cols("franco_slack")] = out[var.cols("hub_slack")] = 0.0
    return out


def trusted_bound(objective: float, bound: float) -> tuple[float, float]:
    """The bound and relative gap to report for a plan, or NaN for both when none is trusted.

    The gap is ``(objective − bound) / max(1, |objective|)``. A bound that is not finite, or
    that puts the gap outside [0, 1], says nothing a user can act on (a bound above the plan
    beyond rounding would be wrong; one more than 100 % below it is too weak to mean anything,
    such as a Lagrangian bound far from converged): it is reported as none. A bound above the
    plan within rounding (1e-9 relative) gives a gap of 0.

    Parameters
    ----------
    objective : float
        The plan's objective (NaN when there is no plan).
    bound : float
        A proven lower bound on the optimum (±inf or NaN when nothing is proven).

    Returns
    -------
    tuple of float
        ``(bound, gap)``, both NaN when the bound is not reported.
    """
    if not (math.isfinite(objective) and math.isfinite(bound)):
        return math.nan, math.nan
    scale = max(1.0, abs(objective))
    gap = (objective - bound) / scale
    if gap < 0:
        if gap < -1e-9:
            return math.nan, math.nan
        return bound, 0.0
    if gap > 1:
        return math.nan, math.nan
    return bound, gap
