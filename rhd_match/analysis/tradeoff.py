"""Cost–organic trade-off: the least purchase value for each territory-wide organic share.

The curve is traced on the LP relaxation of the allocation model (``docs/model.md``) with an
epsilon constraint. The model is built by ``build_model`` with every
objective weight 0 except ``cost = 1``, so its objective is the purchase value in EUR HT:

    V(x, v) = Σ_a π_a x_a + Σ_d r_d v_d

and shortfalls, overruns and distance cost nothing (targets per canteen and budgets do not bind;
the curve is a territory-level statement). One row is added to the model's linear program:

    Σ_a b_a π_a x_a − ε V(x, v) ≥ 0        (organic value ≥ ε × total value)

and ``min V`` is solved with ``run_solver`` for each ε of a grid, then, as in the model's
lexicographic objective (``docs/model.md``, *Objectives*), the most local food at that least
cost: ``max Σ_a ℓ_a r_a x_a`` with ``V`` held at its minimum (``LEVEL_ABS_TOL``,
``LEVEL_REL_TOL``), which gives each point's ``share_local``.
Drops, franco and minimum lots are relaxed (continuous ``y``, ``z``), so each point is a lower
bound on what a deliverable plan costs at that share.

The grid runs from the organic share of the cheapest plan (or of a given plan) to the largest
reachable share, found by Dinkelbach's method on ``max O(x) / V(x, v)``: its first step
maximises the organic value ``O`` itself, each next step maximises ``O − λ V`` with ``λ`` the
share just reached, until no plan beats ``λ`` (at most ``MAX_DINKELBACH_STEPS`` LPs).

Every LP of a curve shares one clock (``Deadline``), the scenario's ``time_limit_s`` from the
call's start: each gets what is left, and those the clock did not reach are not started (their
points have status ``not_started`` and empty figures).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import OptionError
from ..i18n import gettext as _
from ..inputs.scenario import Scenario
from ..model.build import LinearModel, build_model
from ..model.goals import LEVEL_ABS_TOL, LEVEL_REL_TOL
from ..model.solvers import LinearProgram, SolverRun
from ..model.strategies import CLOCK_STATUSES, Deadline, call_deadline
from ..params import Weights
from .bottlenecks import lp_out_of_time

#: Dinkelbach iterations allowed when searching the largest organic share.
MAX_DINKELBACH_STEPS = 30
#: Relative tolerance of the share search and of the epsilon row (fractions of value).
SHARE_TOL = 1e-9

TABLE_COLUMNS = (
    "epsilon",
    "share_organic",
    "organic_value_eur_ht",
    "value_eur_ht",
    "extra_cost_eur_ht",
    "extra_cost_share",
    "share_local",
    "status",
)


@dataclass(frozen=True)
class _CostModel:
    """The allocation LP with the purchase value as objective and the organic-value vector."""

    model: LinearModel
    value: np.ndarray  # per column: EUR HT per unit in V (π on x, r on v, 0 elsewhere)
    organic: np.ndarray  # per column: EUR HT per unit of organic value (b π on x)
    local: np.ndarray  # per column: EUR HT per unit of local value (π on local x)
    local_reference: np.ndarray  # per column: local value at reference prices (ℓ r on x)
    reference_value: float  # all-conventional value Σ_d r_d D_d, EUR HT
    solver: str
    deadline: Deadline  # the clock every LP of the call shares
    threads: int


def cost_scenario(scenario: Scenario) -> Scenario:
    """``scenario`` with the objective reduced to the purchase value (EUR HT), all elastic.

    Parameters
    ----------
    scenario
        The territory.

    Returns
    -------
    Scenario
        The same tables, with weight 1 on cost and 0 on every other term, and neither EGalim
        targets nor budgets hard.
    """
    weights = Weights(
        egalim_shortfall=0.0, budget_overrun=0.0, local=0.0, organic=0.0, cost=1.0, distance=0.0
    )
    return scenario.with_parameters(weights=weights, hard_egalim=False, hard_budget=False)


def _cost_model(scenario: Scenario, solver: str | None, deadline: Deadline | None) -> _CostModel:
    opts = scenario.parameters.solver
    deadline = deadline or call_deadline(scenario)
    cost = cost_scenario(scenario)
    model = build_model(cost)
    demand = model.index.demand
    reference = float((demand["qty"] * demand["ref_price"]).sum())
    arcs, x = model.index.arcs, model.variables.cols("x")
    local = np.zeros(model.variables.count)
    local[x] = arcs["local"].to_numpy(float) * arcs["price"].to_numpy(float)
    local_reference = np.zeros(model.variables.count)
    local_reference[x] = arcs["local"].to_numpy(float) * arcs["ref_price"].to_numpy(float)
    return _CostModel(
        model,
        model.purchase_value(),
        model.organic_value(),
        local,
        local_reference,
        reference,
        solver or opts.lp_solver,
        deadline,
        opts.threads,
    )


def _solve(cm: _CostModel, objective: np.ndarray, epsilon: float | None) -> SolverRun:
    """min objective·x over the relaxation, with the epsilon row when ``epsilon`` is given;
    not started (status ``not_started``) once the call's time is spent."""
    program = cm.model.program().with_objective(objective)
    if epsilon is not None:
        program = program.with_row(cm.organic - epsilon * cm.value, 0.0, np.inf)
    return _run(cm, program)


def _run(cm: _CostModel, program: LinearProgram) -> SolverRun:
    """``program`` solved within what is left of the call's time; a run the clock stopped
    keeps no point (a dual simplex's last point need not be feasible)."""
    if cm.deadline.expired():
        return SolverRun(cm.solver, "not_started", None, math.nan, -math.inf, None, 0.0)
    run = cm.deadline.solve(program, cm.solver, cm.threads)
    return dataclasses.replace(run, values=None) if run.status in CLOCK_STATUSES else run


def _shares(cm: _CostModel, run: SolverRun) -> tuple[float, float]:
    """(organic value, total value) of a run's point, EUR HT."""
    assert run.values is not None
    return float(cm.organic @ run.values), float(cm.value @ run.values)


def max_organic_share(
    scenario: Scenario, solver: str | None = None, deadline: Deadline | None = None
) -> float:
    """Largest territory organic share (fraction of value) any relaxed plan reaches.

    The share is a ratio of two linear functions of the plan: it is maximised by Dinkelbach's
    method, one LP per step.

    Parameters
    ----------
    scenario
        The territory (its solver options as for ``cost_organic_tradeoff``).
    solver
        The LP solver (``"glop"``, ``"highs"``, ``"pdlp"``); ``None`` for the scenario's
        ``lp_solver``.
    deadline
        The wall-clock budget the LPs share (the model's build counts against it); ``None``
        for one of the scenario's ``time_limit_s`` starting now.

    Returns
    -------
    float
        The share, in [0, 1]; when the clock stops the search (``deadline.hit`` is then set),
        the largest share reached so far, which a plan does reach.

    Raises
    ------
    RuntimeError
        When an LP ends without a solution (its status given).

    References
    ----------
    W. Dinkelbach, "On nonlinear fractional programming", *Management Science* 13(7),
    492–498, 1967.
    """
    return _max_share(_cost_model(scenario, solver, deadline))


def _max_share(cm: _CostModel) -> float:
    share = 0.0
    for _step in range(MAX_DINKELBACH_STEPS):
        run = _solve(cm, -(cm.organic - share * cm.value), None)
        if run.values is None and run.status in CLOCK_STATUSES:
            return share  # a share some plan reaches: the curve stops there
        if run.values is None:
            raise RuntimeError(f"organic-share LP ended with status {run.status}")
        organic, total = _shares(cm, run)
        if total <= 0:
            return 0.0
        gain = organic - share * total
        new = organic / total
        if gain <= SHARE_TOL * max(total, 1.0) or new <= share:
            return max(share, new)
        share = new
    return share


def cost_organic_tradeoff(
    scenario: Scenario,
    n_points: int = 11,
    start_share: float | None = None,
    solver: str | None = None,
    deadline: Deadline | None = None,
) -> pd.DataFrame:
    """Least purchase value (EUR HT) for each organic share on a grid, on the LP relaxation.

    Parameters
    ----------
    scenario
        The territory; its objective weights, targets and budgets are ignored (see the module
        docstring), its solver options (``lp_solver``, ``time_limit_s`` for the whole call,
        ``threads``) are used unless ``solver`` names the LP solver.
    n_points
        Number of grid points, evenly spaced from the start share to the largest reachable.
    start_share
        First share of the grid (fraction), e.g. today's plan's ``share_organic``; ``None``:
        the organic share of the cheapest relaxed plan. Clipped to the reachable range.
    solver
        The LP solver (``"glop"``, ``"highs"``, ``"pdlp"``); ``None`` for the scenario's
        ``lp_solver``.
    deadline
        The wall-clock budget every LP of the curve shares (the model's build counts against
        it); ``None`` for one of the scenario's ``time_limit_s`` starting now.

    Returns
    -------
    pandas.DataFrame
        One row per grid point, in increasing ``epsilon`` (fraction): ``share_organic``
        reached (fraction of value), ``organic_value_eur_ht``, ``value_eur_ht`` (least total
        purchase value, EUR HT), ``extra_cost_eur_ht`` against the all-conventional plan (every
        demand row at its reference price), ``extra_cost_share`` (fraction of it),
        ``share_local`` (most local share by value at that cost, fraction), ``status``
        of the LP (``optimal`` or the solver's word; figures NaN without a point:
        ``not_started`` or ``time_limit`` where the clock ended it, and then
        ``deadline.hit`` is set, as it is when the clock cut the largest share's search or a
        point's most-local LP).

    Raises
    ------
    OptionError
        When ``n_points`` is below 2, or when the time limit ends the least-cost LP before it
        has a plan.
    RuntimeError
        When the least-cost LP or a step of the largest share ends without a solution.
    """
    if n_points < 2:
        raise OptionError([_("n_points={n}: must be at least 2").format(n=n_points)])
    cm = _cost_model(scenario, solver, deadline)
    cheapest = _solve(cm, cm.value, None)
    if cheapest.values is None and cheapest.status in CLOCK_STATUSES:
        raise lp_out_of_time(cm.deadline.seconds)
    if cheapest.values is None:
        raise RuntimeError(f"least-cost LP ended with status {cheapest.status}")
    organic, total = _shares(cm, cheapest)
    low = organic / total if total > 0 else 0.0
    low = 0.0 if low < SHARE_TOL else low
    high = max(_max_share(cm), low)
    if start_share is not None:
        low = min(max(float(start_share), low), high)
    rows = []
    for eps in np.linspace(low, high, n_points):
        run = _solve(cm, cm.value, float(eps))
        if run.values is None and eps > 0 and run.status not in CLOCK_STATUSES:
            # The largest share is found to solver precision: back off by a hair.
            eps_used = float(eps) * (1 - 1e3 * SHARE_TOL)
            run = _solve(cm, cm.value, eps_used)
        else:
            eps_used = float(eps)
        rows.append(_row(cm, float(eps), _most_local(cm, run, eps_used)))
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))


def _most_local(cm: _CostModel, least_cost: SolverRun, epsilon: float) -> SolverRun:
    """The most local value (at reference prices) at ``least_cost``'s purchase value; that
    run itself when it has no point or the second LP finds none."""
    if least_cost.values is None:
        return least_cost
    value = float(cm.value @ least_cost.values)
    program = (
        cm.model.program()
        .with_objective(-cm.local_reference)
        .with_row(cm.organic - epsilon * cm.value, 0.0, np.inf)
        .with_row(cm.value, -np.inf, value + LEVEL_ABS_TOL + LEVEL_REL_TOL * abs(value))
    )
    run = _run(cm, program)
    return run if run.values is not None else least_cost


def _row(cm: _CostModel, eps: float, run: SolverRun) -> dict[str, float | str]:
    if run.values is None:
        empty: dict[str, float | str] = dict.fromkeys(TABLE_COLUMNS, math.nan)
        return empty | {"epsilon": eps, "status": run.status}
    organic, total = _shares(cm, run)
    extra = total - cm.reference_value
    return {
        "epsilon": eps,
        "share_organic": organic / total if total > 0 else math.nan,
        "organic_value_eur_ht": organic,
        "value_eur_ht": total,
        "extra_cost_eur_ht": extra,
        "extra_cost_share": extra / cm.reference_value if cm.reference_value > 0 else math.nan,
        "share_local": float(cm.local @ run.values) / total if total > 0 else math.nan,
        "status": run.status,
    }
