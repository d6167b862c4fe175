"""The decomposition streamed by weeks: the whole-year model is never built.

A model built from the scenario cut to a few ISO weeks (its offers and demand rows of those
weeks, every other table whole) has exactly the weekly blocks the whole-year model has for
those weeks: the same columns in the same order, the same rows, coefficients, costs and
bounds, and the same per-canteen annual rows (EGalim shares, budgets) restricted to the
weeks' columns, with the same right-hand sides (``tests/test_streaming.py``). The annual rows
are linear, so the whole year's activity on them is the sum of the chunks' activities: all
that is kept between chunks is one number per annual row (per canteen and target).

``solve_streaming`` therefore runs the decomposition's steps on chunks of ``threads`` weeks
(solved in parallel), building each chunk's model when it is needed and dropping it after:

1. the multiplier search of ``pricing.subgradient`` on the weekly transport relaxations,
   each pass streaming over the chunks (a chunk's model is rebuilt at each pass: building a
   week costs less than solving it, measured at size M); the Lagrangian bound is the same
   as the in-memory search's at the same multipliers (``streamed_search``). When the first
   chunk's build says that the search and the chunks' plans cannot both fit the time left
   (``streamed_search.search_fits``), there is no search: the chunks are planned at its
   starting multipliers;
2. per chunk, at the multipliers of the best plan: the weekly relaxation with delivery rows
   (or transport only, as ``DELIVERY_MAX_NONZEROS`` decides for the whole model, by column
   generation over the arcs: ``restricted``), drops and lots opened from its flows, the
   weekly repair (``repair.weekly_repair``; its rounds judged, as in memory, by the whole
   year's weighted objective: the chunks planned so far, this one, and the chunks left
   projected from it; with hubs, it also opens the hub options the search's passes gathered
   for the chunk, as the in-memory repair opens those of the year: hub rules are weekly, so a
   chunk holds them whole), then the chunk's flows table and its part of the plan's
   polishing LP (``polishing.polishing_program``);
3. as in memory, the polishing LP while it has at most ``POLISH_MAX_COLUMNS`` columns: the
   chunks' parts solved as one LP, each chunk's model built again for its tables; above it,
   the re-pricing of ``polishing.reprice``, streamed: rounds of prices read off the whole
   plan's annual rows (one number per row, summed over the chunks), each re-running every
   chunk's franco loop over its plan's drops and lots (kept per chunk as two boolean
   arrays) and, with hubs, the hub options its passes gathered, the plan of least score
   kept.

What the in-memory path adds on top and the streaming one leaves out: the whole-year LP
(``WHOLE_LP_MAX_NONZEROS``: on small models the repair's start) and the lexicographic
levels. Memory grows with the largest chunk, not with the year (and, below
``POLISH_MAX_COLUMNS``, the polishing LP's parts).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ...check.figures import objective_from_flows
from ...i18n import format_significant as sig
from ...i18n import gettext as _
from ...i18n import ngettext
from ...inputs.groups import is_group_row
from ...inputs.scenario import Scenario
from ...params import SolverOptions
from ...plan.solution import REASONS
from ...plan.tables import conventional_flows
from ..build import LinearModel, build_model
from ..decode import clean_flows, flows_from_quantities
from ..index import ModelIndex, build_index, producer_canteen_km
from ..strategies import (
    ELASTIC_BLOCKS,
    Deadline,
    Reporter,
    add_hub_options,
    all_conventional,
    close_short_drops,
    hub_options,
    open_from_relaxation,
    open_in_plan,
)
from ..unmet import unmet_local_table
from ..variables import Variables
from . import budgets
from .annual import AnnualRows
from .bounding import plan_bound
from .executors import WeekProblem
from .memory import freed_memory_kept
from .polishing import PolishParts, another_round
from .repair import franco_loop, weekly_repair
from .restricted import restricted_solve
from .streamed_search import search_chunks
from .subproblems import WeeklySolver, column_weeks, week_problems


@dataclass(frozen=True)
class StreamedPlan:
    """A plan found chunk by chunk: its flows table, its objective recomputed from the flows
    (``check.objective_from_flows``), the Lagrangian bound, the passes of the multiplier
    search, the largest chunk's nonzeros, and whether the time limit cut the search."""

    flows: pd.DataFrame
    objective: float
    bound: float
    passes: int
    largest_chunk_nonzeros: int
    stopped_by_time_limit: bool
    #: Why each conventional purchase line was not bought locally (``model.unmet``), chunk by
    #: chunk (its reasons look at one week at a time).
    unmet_local: pd.DataFrame
    #: The sizes of the chunks' models of the plan phase, summed (``LinearModel.stats``: the
    #: annual rows counted once per chunk).
    stats: dict[str, float]

    @property
    def gap(self) -> float:
        """(objective − bound) / max(1, |objective|)."""
        return (self.objective - self.bound) / max(1.0, abs(self.objective))


def week_chunks(scenario: Scenario, size: int) -> list[np.ndarray]:
    """The scenario's ISO weeks (those of its demand and offers) in chunks of ``size``.

    Parameters
    ----------
    scenario
        The scenario.
    size
        Weeks per chunk (at least 1).

    Returns
    -------
    list of numpy.ndarray
        ISO week strings, in order, ``size`` per chunk (the last may hold fewer).
    """
    weeks = np.sort(pd.concat([scenario.demand["week"], scenario.offers["week"]]).unique())
    return [weeks[i : i + size] for i in range(0, len(weeks), max(size, 1))]


def estimated_arcs(scenario: Scenario) -> int:
    """The whole-year model's arcs, estimated without building it: the arcs of the week with
    the most demand rows (the first such week), times the scenario's weeks.

    Every week has about the same arcs when demand is steady; weeks of school holidays have
    fewer, so the estimate errs on the large side.

    Parameters
    ----------
    scenario
        The validated scenario.

    Returns
    -------
    int
        Estimated arcs (producer offer × canteen × week pairs within reach) of the whole year.
    """
    rows = scenario.demand.groupby("week").size()
    if rows.empty:
        return 0
    busiest = cut_to_weeks(scenario, np.array([rows.idxmax()]))
    return len(build_index(busiest).arcs) * len(week_chunks(scenario, 1))


def estimated_peak_gb(arcs: int) -> float:
    """The in-memory solve's peak memory (GB), estimated from the whole-year model's arcs
    (``budgets.IN_MEMORY_GB``, ``budgets.IN_MEMORY_BYTES_PER_ARC``).

    Parameters
    ----------
    arcs
        The whole-year model's arcs (``estimated_arcs``).

    Returns
    -------
    float
        Estimated peak resident memory of the calling process, GB (10⁹ bytes).
    """
    return budgets.IN_MEMORY_GB + arcs * budgets.IN_MEMORY_BYTES_PER_ARC / 1e9


def cut_to_weeks(scenario: Scenario, weeks: np.ndarray) -> Scenario:
    """The scenario with only the offers and demand rows of ``weeks`` (already valid: not
    validated again); its other tables and parameters whole.

    Parameters
    ----------
    scenario
        The scenario.
    weeks
        ISO week strings.

    Returns
    -------
    Scenario
        The cut scenario.
    """
    return dataclasses.replace(
        scenario,
        offers=scenario.offers[scenario.offers["week"].isin(weeks)].reset_index(drop=True),
        demand=scenario.demand[scenario.demand["week"].isin(weeks)].reset_index(drop=True),
    )


@dataclass(frozen=True)
class ChunkHubs:
    """What the hub options of a chunk's transport flows read (``strategies.hub_options``):
    the chunk model's index tables and column layout, without its matrix, and the model's
    columns of the chunk's transport problems, in their order."""

    index: ModelIndex
    variables: Variables
    cols: np.ndarray

    def options(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The drops at a hub and hub drops that the transport flows ``values`` (shape
        (transport columns,)) open, over the chunk model's drop and ``hub_y`` columns."""
        full = np.zeros(self.variables.count)
        full[self.cols] = values
        return hub_options(self, full)

    @property
    def nbytes(self) -> int:
        """The index tables' memory, bytes (the column layout's is small beside it)."""
        tables = (getattr(self.index, f.name) for f in dataclasses.fields(self.index))
        return sum(
            int(t.memory_usage(index=False).sum()) for t in tables if isinstance(t, pd.DataFrame)
        )


@dataclass(frozen=True)
class TransportChunk:
    """What a pass of the multiplier search needs of one chunk, without its model: the
    weekly transport problems over the chunk's own numbering of their columns and rows, the
    costs, bounds and annual-row coefficients of those columns, and the rows' bounds; with
    hubs, what their options need (``ChunkHubs``), None without."""

    problems: list[WeekProblem]
    objective: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    annual: sp.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    hubs: ChunkHubs | None

    @classmethod
    def of(cls, model: LinearModel, annual: AnnualRows) -> TransportChunk:
        """The chunk's transport problems, renumbered over their own columns and rows.

        Parameters
        ----------
        model
            The chunk's model.
        annual
            Its annual rows.

        Returns
        -------
        TransportChunk
            Columns of shape (k,), rows of shape (r,), annual coefficients (annual rows, k).
        """
        weeks = week_problems(model, with_delivery=False)
        cols, rows = (
            np.concatenate([p.cols for p in weeks]),
            np.concatenate([p.rows for p in weeks]),
        )
        col_at, row_at = (
            np.cumsum([0] + [len(p.cols) for p in weeks]),
            np.cumsum([0] + [len(p.rows) for p in weeks]),
        )
        problems = [
            WeekProblem(
                np.arange(col_at[i], col_at[i + 1]), np.arange(row_at[i], row_at[i + 1]), p.matrix
            )
            for i, p in enumerate(weeks)
        ]
        var = model.variables
        hubs = ChunkHubs(model.index, var, cols) if len(model.index.hub_drops) else None
        return cls(
            problems,
            model.objective[cols],
            var.lower[cols],
            var.upper[cols],
            annual.matrix[:, cols].tocsr(),
            model.row_lower[rows],
            model.row_upper[rows],
            hubs,
        )

    @property
    def nonzeros(self) -> int:
        """Its size while kept: its nonzeros, and its index tables (when it keeps them) as
        the nonzeros of their memory (``budgets.STREAM_KEPT_BYTES_PER_NONZERO``)."""
        nonzeros = sum(int(p.matrix.nnz) for p in self.problems) + int(self.annual.nnz)
        if self.hubs is not None:
            nonzeros += self.hubs.nbytes // budgets.STREAM_KEPT_BYTES_PER_NONZERO
        return nonzeros


@dataclass
class _Chunks:
    """The chunks' models, built one at a time, and what is kept of them: the annual rows'
    penalty per unit of shortfall or overrun, each chunk's nonzeros once built, and with
    hubs, per chunk, the drops at a hub and hub drops that the flows of any complete pass
    of the multiplier search open (``strategies.hub_options``, over the chunk model's
    columns: what the in-memory search gathers, chunk by chunk)."""

    scenario: Scenario
    chunks: list[np.ndarray]
    nonzeros: dict[int, int] = dataclasses.field(default_factory=dict)
    penalty: np.ndarray | None = None
    kept: dict[int, TransportChunk] = dataclasses.field(default_factory=dict)
    kept_nonzeros: int = 0
    hub_options: dict[int, tuple[np.ndarray, np.ndarray]] = dataclasses.field(default_factory=dict)
    #: The producers' distances to the canteens, the same for every chunk: computed once
    #: (0.8 s a build at size L, measured).
    distance_km: np.ndarray = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        self.distance_km = producer_canteen_km(self.scenario)

    def model(self, i: int) -> tuple[LinearModel, AnnualRows]:
        """Chunk ``i``'s model and annual rows, built.

        Parameters
        ----------
        i
            The chunk's position in ``chunks``.

        Returns
        -------
        tuple of LinearModel and AnnualRows
            Its model and annual rows (the first build also sets ``penalty``).
        """
        model = build_model(cut_to_weeks(self.scenario, self.chunks[i]), self.distance_km)
        self.nonzeros[i] = int(model.matrix.nnz)
        annual = AnnualRows.of(model)
        if self.penalty is None:
            self.penalty = _annual_penalty(model, annual)
        return model, annual

    def transport(self) -> Iterator[TransportChunk]:
        """Each chunk's transport problems in turn: kept from an earlier pass, or built (and
        kept while the kept ones hold at most ``STREAM_KEEP_NONZEROS`` nonzeros in all)."""
        for i in range(len(self.chunks)):
            if i in self.kept:
                yield self.kept[i]
                continue
            chunk = TransportChunk.of(*self.model(i))
            if self.kept_nonzeros + chunk.nonzeros <= budgets.STREAM_KEEP_NONZEROS:
                self.kept[i], self.kept_nonzeros = chunk, self.kept_nonzeros + chunk.nonzeros
            yield chunk
            del chunk

    @property
    def grouped(self) -> bool:
        """Whether the demand names a group (substitutable demand)."""
        return bool(is_group_row(self.scenario.demand, self.scenario.groups).any())

    def plan_score(self, annual: AnnualRows, linear: float, activity: np.ndarray) -> float:
        """The weighted objective of a whole-year plan from its flows' cost and its annual
        rows' activity (shortfalls and overruns at their least values).

        Parameters
        ----------
        annual
            The annual rows (right-hand sides; every chunk's are the same).
        linear
            The cost of the plan's weekly columns, objective units.
        activity
            The plan's activity on the annual rows, shape (annual rows,).

        Returns
        -------
        float
            The plan's weighted objective.
        """
        assert self.penalty is not None
        broken = np.where(annual.is_budget, activity - annual.rhs, annual.rhs - activity)
        return linear + float(self.penalty @ broken.clip(0.0))


def _annual_penalty(model: LinearModel, annual: AnnualRows) -> np.ndarray:
    """Objective cost per EUR HT of shortfall (EGalim rows) or overrun (budgets), per annual
    row: the cost of the one elastic column each annual row holds."""
    var = model.variables
    elastic = np.concatenate([var.cols(block) for block in ELASTIC_BLOCKS])
    on_row = abs(annual.matrix[:, elastic])
    cost: np.ndarray = on_row @ model.objective[elastic]
    return cost


def solve_streaming(
    scenario: Scenario,
    options: SolverOptions,
    deadline: Deadline,
    log: Reporter,
    chunk_weeks: int | None = None,
) -> StreamedPlan:
    """The weekly decomposition streamed by chunks of weeks (see the module docstring).

    Parameters
    ----------
    scenario
        The validated scenario.
    options
        Solver options (LP solver, ``threads``: the weeks of a chunk solved at once, relative
        gap, ``dask``: the cluster the chunks' weeks are solved on, threads when None); the
        objective is the weighted one.
    deadline
        The wall-clock budget of the whole call, model builds included: the search stops
        at ``budgets.STREAM_SEARCH_TIME_SHARE`` of it (between two chunks when a pass is
        longer), then each chunk's plan gets an even share of what is left.
    log
        Receives progress messages.
    chunk_weeks
        Weeks per chunk; ``options.threads`` when None.

    Returns
    -------
    StreamedPlan
        The plan's flows, objective, bound and sizes.
    """
    # Every chunk allocates what the last one freed: kept, its pages are not zeroed again
    # (``memory``).
    with freed_memory_kept():
        return _solve_streaming(scenario, options, deadline, log, chunk_weeks)


def _solve_streaming(
    scenario: Scenario,
    options: SolverOptions,
    deadline: Deadline,
    log: Reporter,
    chunk_weeks: int | None,
) -> StreamedPlan:
    """``solve_streaming``'s work, the freed memory kept."""
    chunks = _Chunks(scenario, week_chunks(scenario, chunk_weeks or options.threads))
    started = time.perf_counter()
    first_model, first = chunks.model(0)
    build_s = time.perf_counter() - started
    # One executor for every chunk: each chunk's weeks replace the last's in turn (on a
    # cluster, a chunk's tables are scattered when it is solved and dropped after).
    weekly = WeeklySolver(first_model, options, deadline)
    del first_model
    try:
        bound, mu, passes = search_chunks(chunks, weekly, first, options, deadline, log, build_s)
        plan, stats, bound, parts, pace = _plan(chunks, weekly, first, mu, bound, deadline, log)
        # The plan's improvements leave the bound's pass its time, with its margin.
        kept = budgets.STREAM_BOUND_MARGIN * len(chunks.chunks) * sum(pace)
        better = Deadline(deadline.left() - kept)
        polished = (
            None if parts is None else _polish(chunks, first, parts, plan, options, better, log)
        )
        plan = polished or _reprice(chunks, weekly, first, mu, plan, better, log)
        deadline.hit |= better.hit
        bound = max(bound, plan_bound(chunks, weekly, first, plan.activity, pace, deadline, log))
    finally:
        weekly.close()
    flows = pd.concat(plan.tables, ignore_index=True)
    unmet = pd.concat(plan.unmet, ignore_index=True)
    objective = objective_from_flows(scenario, flows)
    log(_("streamed plan {plan}, bound {bound}").format(plan=sig(objective), bound=sig(bound)))
    stopped = weekly.cut or deadline.hit
    largest = max(chunks.nonzeros.values())
    return StreamedPlan(flows, objective, bound, passes, largest, stopped, unmet, stats)


@dataclass
class _ChunkedPlan:
    """A whole-year plan held chunk by chunk: each chunk's flows table, why its conventional
    lines were not bought locally, and its open drops and lots (None: the chunk bought
    conventionally, out of time); with the plan's cost of its weekly columns and its
    activity on the annual rows, summed over the chunks (what its score needs)."""

    tables: list[pd.DataFrame]
    unmet: list[pd.DataFrame]
    opens: list[tuple[np.ndarray, np.ndarray] | None]
    linear: float
    activity: np.ndarray

    def add(
        self,
        chunks: _Chunks,
        i: int,
        model: LinearModel,
        annual: AnnualRows,
        values: np.ndarray,
    ) -> None:
        """Chunk ``i``'s plan, ``values`` of shape (the chunk model's columns,); ``annual``
        its model's annual rows."""
        linear, activity = _weekly_part(model, annual, values)
        self.linear += linear
        self.activity += activity
        self.opens.append((values[model.variables.cols("y")] > 0.5, open_in_plan(model, values)))
        x, v = clean_flows(model, values)
        scenario = cut_to_weeks(chunks.scenario, chunks.chunks[i])
        self.tables.append(flows_from_quantities(scenario, model.index, x, v))
        self.unmet.append(unmet_local_table(model.index, self.tables[-1]))

    def projected(
        self, chunks: _Chunks, first: AnnualRows, model: LinearModel, annual: AnnualRows, ahead: int
    ) -> Callable[[np.ndarray], float]:
        """The weighted objective of a whole-year plan made of this one and ``ahead`` chunks
        planned like the next one (its model ``model``, its annual rows ``annual``), as a
        function of that chunk's plan (shape (the chunk model's columns,)).

        What the weekly repair compares its rounds with: the whole year's score, as the
        in-memory repair's, the chunks still to plan projected from the next one's plan
        (the Lagrangian cost at the search's prices instead counts every EGalim euro at the
        shortfall price, met targets or not: on the demo it ended every chunk's repair after
        its first growth round, and the plan lost 8 % against the in-memory repair's,
        measured).
        """

        def score(values: np.ndarray) -> float:
            linear, activity = _weekly_part(model, annual, values)
            return chunks.plan_score(
                first, self.linear + ahead * linear, self.activity + ahead * activity
            )

        return score


def _weekly_part(
    model: LinearModel, annual: AnnualRows, values: np.ndarray
) -> tuple[float, np.ndarray]:
    """The cost of a chunk plan's weekly columns and their activity on the annual rows
    (shape (annual rows,)), ``values`` of shape (the chunk model's columns,)."""
    weekly = column_weeks(model) >= 0
    activity: np.ndarray = annual.matrix[:, weekly] @ values[weekly]
    return float(model.objective[weekly] @ values[weekly]), activity


def _plan(
    chunks: _Chunks,
    weekly: WeeklySolver,
    first: AnnualRows,
    mu: np.ndarray,
    bound: float,
    deadline: Deadline,
    log: Reporter,
) -> tuple[_ChunkedPlan, dict[str, float], float, PolishParts | None, tuple[float, float]]:
    """Per chunk at multipliers ``mu``: the delivery relaxation (when the model is small
    enough for it; else the transport relaxation by column generation), drops and lots from
    its flows, the weekly repair, the chunk's plan; the
    chunks' sizes summed, the bound (the chunks' relaxations' when stronger), the
    plan's polishing LP gathered chunk by chunk (None when it would have more than
    ``POLISH_MAX_COLUMNS`` columns or a chunk was not planned), and a planned chunk's mean
    build and relaxation, s (infinite when none was planned: the pace of
    ``bounding.plan_bound``).

    Each chunk's repair grows its drops within an even share of the time left (its build
    included) but the time the bound's pass will take (``bounding.plan_bound``: a build and
    a relaxation a chunk, at the pace of the chunks so far), so that it cannot leave the
    next chunks without time; its relaxation and
    first repair round, which make its plan, run to the call's limit; a chunk reached after
    the time limit buys conventionally (``not_planned_flows``)."""
    plan = _ChunkedPlan([], [], [], 0.0, np.zeros(len(mu)))
    parts: PolishParts | None = PolishParts()
    stats: dict[str, float] = {}
    # The whole year's nonzeros, as the in-memory path counts them: the chunks' built so far
    # (all of them once a pass has run), the others at their mean.
    year = sum(chunks.nonzeros.values()) * len(chunks.chunks) / len(chunks.nonzeros)
    delivery = year <= budgets.DELIVERY_MAX_NONZEROS
    total, complete = float(mu @ first.rhs), True
    relaxed_s, built_s = 0.0, 0.0  # the chunks' relaxations and builds so far, s
    for i in range(len(chunks.chunks)):
        if deadline.expired():
            # The safety net: the chunks left buy conventionally, all at once, without
            # building a model.
            weeks = np.concatenate(chunks.chunks[i:])
            table, unmet = not_planned_flows(cut_to_weeks(chunks.scenario, weeks))
            plan.tables.append(table)
            plan.unmet.append(unmet)
            plan.opens += [None] * (len(chunks.chunks) - i)
            complete, parts = False, None
            break
        # While the plan may be polished, the chunks' growth leaves the polishing LP its
        # time (``STREAM_POLISH_PER_RELAXATION`` times the chunks' relaxations) and the
        # chunks' builds and tables again, at the pace of the chunks so far: on the demo
        # under load the chunks' shares left the LP 5 s and it was cut (measured).
        kept = 0.0
        if i:
            pace = budgets.STREAM_BOUND_MARGIN * (built_s + relaxed_s)  # the bound's pass
            if parts is not None:
                pace += budgets.STREAM_POLISH_PER_RELAXATION * relaxed_s + parts.rebuild_s
            kept = pace * len(chunks.chunks) / i
        share = Deadline((deadline.left() - kept) / (len(chunks.chunks) - i))
        built = time.perf_counter()
        model, annual = chunks.model(i)
        built = time.perf_counter() - built
        built_s += built
        for name, size in model.stats().items():
            stats[name] = stats.get(name, 0) + size
        # The relaxation and the repair's first round get the call's time, the rounds after
        # it the chunk's share: a chunk whose first round its share cut bought
        # conventionally after all (at size L under load, two of the first five, measured).
        weekly.use(model.row_lower, model.row_upper, model.variables.count)
        var = model.variables
        cost = annual.cost(model, mu)
        full = week_problems(model, with_delivery=True)
        relaxing = time.perf_counter()
        if delivery:
            flows, part, ok = weekly.solve(full, cost, var.lower, var.upper)
        else:
            transport = week_problems(model, with_delivery=False)
            flows, part, ok = restricted_solve(model, weekly, transport, cost)
            del transport
        relaxed_s += time.perf_counter() - relaxing
        complete &= ok
        total += part

        open_drop, open_lot = open_from_relaxation(model, flows)
        values = weekly_repair(
            model,
            weekly,
            full,
            cost,
            open_drop,
            open_lot,
            deadline,
            log,
            plan.projected(chunks, first, model, annual, len(chunks.chunks) - i),
            chunks.hub_options.get(i),
            growth=share,
        )
        added = time.perf_counter()
        plan.add(chunks, i, model, annual, values)
        if parts is not None and not parts.add(model, annual, values, built):
            parts = None
        if parts is not None:
            parts.rebuild_s += time.perf_counter() - added
        deadline.hit |= share.hit
        del model, annual, var, cost, full, flows, values
    weekly.use(*weekly.row_bounds, weekly.count)  # the call's deadline again
    if complete:
        # The weekly relaxations at ``mu`` over every chunk: a Lagrangian bound (the search's
        # at the same ``mu`` without delivery rows; the only one when the search had no pass).
        bound = max(bound, total)
    planned = len([opens for opens in plan.opens if opens is not None])
    chunk_s = (built_s / planned, relaxed_s / planned) if planned else (math.inf, math.inf)
    return plan, stats, bound, parts, chunk_s


def _polish(
    chunks: _Chunks,
    first: AnnualRows,
    parts: PolishParts,
    plan: _ChunkedPlan,
    options: SolverOptions,
    deadline: Deadline,
    log: Reporter,
) -> _ChunkedPlan:
    """``polishing.polish`` streamed: the whole-year LP over the plan's drops and lots with
    the true annual rows, assembled from its chunks' parts, then each chunk's model built
    again for its tables; the better plan of the two is kept.

    The LP gets the time left but what building the chunks' models and tables again took
    in the plan phase: out of time, the plan is kept.

    Parameters
    ----------
    chunks
        The chunks.
    first
        The first chunk's annual rows.
    parts
        The plan's polishing LP, chunk by chunk.
    plan
        The repaired plan.
    options
        Solver options (LP solver, threads).
    deadline
        The wall-clock budget.
    log
        Receives progress messages.

    Returns
    -------
    _ChunkedPlan
        The polished plan when its score is lower, else ``plan``.
    """
    program = parts.program()
    lp = Deadline(deadline.left() - parts.rebuild_s)
    run = lp.solve(program, options.lp_solver, options.threads)
    deadline.hit |= lp.hit
    if run.values is None:
        log(_("polish: {status}, plan kept").format(status=run.status))
        return plan
    polished = _ChunkedPlan([], [], [], 0.0, np.zeros(len(first.rhs)))
    for i in range(len(chunks.chunks)):
        model, annual = chunks.model(i)
        values = parts.split(run.values, i, model.variables.count)
        polished.add(chunks, i, model, annual, values)
        del model, annual, values
    before = chunks.plan_score(first, plan.linear, plan.activity)
    after = chunks.plan_score(first, polished.linear, polished.activity)
    log(
        ngettext(
            "polish: {n} column, plan {before} -> {after}",
            "polish: {n} columns, plan {before} -> {after}",
            parts.columns,
        ).format(n=parts.columns, before=sig(before), after=sig(after))
    )
    return polished if after < before else plan


def not_planned_flows(scenario: Scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The conventional plan of weeks the time limit left unplanned, and its unmet-demand
    table with the reason ``not_planned`` (no index is built: it would cost the time that
    ran out).

    Parameters
    ----------
    scenario
        The scenario cut to the weeks (``cut_to_weeks``).

    Returns
    -------
    flows : pandas.DataFrame
        The weeks' all-conventional ``flows`` (``plan.tables.conventional_flows``).
    unmet : pandas.DataFrame
        One row per conventional line, as ``model.unmet.unmet_local_table`` gives them.
    """
    flows = conventional_flows(scenario)
    unmet = flows[["canteen_id", "product_id", "week", "qty", "value_eur_ht"]].reset_index(
        drop=True
    )
    unmet["reason"] = pd.Series("not_planned", index=unmet.index, dtype="str")
    unmet["explanation"] = pd.Series(_(REASONS["not_planned"]), index=unmet.index, dtype="str")
    return flows, unmet


def _reprice(
    chunks: _Chunks,
    weekly: WeeklySolver,
    first: AnnualRows,
    mu: np.ndarray,
    plan: _ChunkedPlan,
    deadline: Deadline,
    log: Reporter,
) -> _ChunkedPlan:
    """``polishing.reprice`` streamed: each round moves the prices halfway towards what the
    current plan's annual rows are worth, and re-runs every chunk's franco loop over the
    plan's drops and lots at them (with the hub options the chunk's passes gathered open
    too), for as many rounds as the in-memory re-pricing (``polishing.another_round``: its
    gains come late, on the demo its rounds 2 and 6 gain most, measured); the plan of least
    score is kept. A round starts only when the time left holds it at the pace of the last
    (a round cut by the time limit is dropped: its chunks are not all there).

    Parameters
    ----------
    chunks
        The chunks.
    weekly
        The weekly LP solver.
    first
        The first chunk's annual rows (right-hand sides and prices, shared by every chunk).
    mu
        The multipliers the plan was repaired at, shape (annual rows,).
    plan
        The repaired plan, every chunk planned.
    deadline
        The wall-clock budget.
    log
        Receives progress messages.

    Returns
    -------
    _ChunkedPlan
        The plan of least score seen, ``plan`` included.
    """
    score = chunks.plan_score(first, plan.linear, plan.activity)
    best, best_score, current = plan, score, plan
    round_s, round_, gained = 0.0, 0, False
    while another_round(round_, gained):
        if deadline.left() < round_s:
            deadline.hit = True
            break
        started = time.perf_counter()
        mu = 0.5 * (mu + first.price_of(current.activity))
        current = _ChunkedPlan([], [], [], 0.0, np.zeros(len(mu)))
        for i, opens in enumerate(plan.opens):
            if deadline.expired() or opens is None:
                return best
            model, annual = chunks.model(i)
            hub = chunks.hub_options.get(i)
            if hub is not None:
                opens = add_hub_options(model, *opens, hub)
            weekly.use(model.row_lower, model.row_upper, model.variables.count)
            values = franco_loop(
                model,
                weekly,
                week_problems(model, with_delivery=True),
                annual.cost(model, mu),
                *opens,
                deadline,
                log,
                all_conventional(model),
            )
            current.add(chunks, i, model, annual, close_short_drops(model, values))
            del model, annual, values
        score = chunks.plan_score(first, current.linear, current.activity)
        log(_("reprice {n}: plan {plan}").format(n=round_, plan=sig(score)))
        gained = score < best_score
        if gained:
            best, best_score = current, score
        round_s, round_ = time.perf_counter() - started, round_ + 1
    return best
