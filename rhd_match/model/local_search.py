"""A local search around a heuristic's plan: restricted MIPs over small groups of canteens.

The decomposition opens drops week by week from relaxations: it cannot trade one canteen's
drops against another's, which is where its plan loses once budgets make the producers'
drops scarce. On the demo with the weighted objective, the whole-year exact MIP started from
the plan found one 8.2 % better in 2,059 s, while the plan stays within 0.16 % of its bound
without budgets (``docs/distributed.md``, *Restricted MIPs around the demo's plan*). A
restricted MIP frees every column of a few canteens (their flows, drops, lots, shortfalls and
overruns), holds every other column at the plan, and solves the objective's levels over what
is left, exactly but for the last of several (cost: as LPs over the drops the levels before
it chose). The plan is one of its points, so a restricted MIP never loses anything, and the
groups follow one another, each starting from the plan the ones before it left.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..i18n import format_number, ngettext
from ..params import SolverOptions
from .build import LinearModel
from .decode import least_slacks
from .goals import Goals, LevelsResult, level_bounds, level_report, solve_levels
from .start import better
from .strategies import ELASTIC_BLOCKS, Deadline, Plan, Reporter

#: Canteens whose columns one restricted MIP frees. On the demo (weighted objective, HiGHS,
#: one thread), a pass over groups of 4 gained 3.9 % in 29 s, of 8 canteens 4.7 % in 54 s
#: and of 16 gave up on half its groups at 30 s each (measured 2026-12-01): the gain per
#: second is about the same up to 8, and smaller groups finish more often.
GROUP_CANTEENS = 4
#: The seed of the groups' draw: the same groups on every run.
GROUP_SEED = 0


@dataclass(frozen=True)
class SearchResult:
    """What a local search did: the plan it ends with, the groups tried and improved."""

    values: np.ndarray
    groups: int
    improved: int


def column_canteens(model: LinearModel) -> np.ndarray:
    """The canteen each column of ``model`` belongs to.

    Parameters
    ----------
    model
        The allocation model.

    Returns
    -------
    numpy.ndarray
        Canteen code per column, shape (columns,); -1 for the columns of no one canteen
        (a producer's drop at a hub), which a restricted MIP always holds.
    """
    var, index = model.variables, model.index
    owner = np.full(var.count, -1, dtype=np.int64)
    arc_canteen = index.arcs["canteen"].to_numpy()
    drop_canteen = index.drops["canteen"].to_numpy()[var.drop_rows]
    owner[var.cols("x")] = arc_canteen
    owner[var.cols("v")] = index.demand["canteen"].to_numpy()
    owner[var.cols("y")] = drop_canteen
    owner[var.cols("franco_slack")] = drop_canteen
    owner[var.cols("z")] = arc_canteen[var.lot_arcs]
    owner[var.cols("s")] = index.group_options["canteen"].to_numpy()
    for block in ("short_quality", "short_organic", "short_meat_fish"):
        owner[var.cols(block)] = np.arange(var.size[block])
    owner[var.cols("overrun")] = var.budget_canteens
    hub_drops = index.hub_drops
    with_minimum = hub_drops["canteen"].to_numpy()[hub_drops["binary"].to_numpy()]
    owner[var.cols("hub_y")] = with_minimum
    owner[var.cols("hub_slack")] = with_minimum
    return owner


def canteen_groups(canteens: int, passes: int) -> list[list[np.ndarray]]:
    """The groups of canteens the search frees, pass by pass: each pass a new draw of every
    canteen, cut into groups of ``GROUP_CANTEENS``.

    Parameters
    ----------
    canteens
        How many canteens the model has.
    passes
        How many times each canteen is freed.

    Returns
    -------
    list of list of numpy.ndarray
        Per pass, canteen codes per group, in the order drawn (the same on every run).
    """
    rng = np.random.default_rng(GROUP_SEED)
    drawn: list[list[np.ndarray]] = []
    for _pass in range(passes):
        order = rng.permutation(canteens)
        drawn.append([order[k : k + GROUP_CANTEENS] for k in range(0, canteens, GROUP_CANTEENS)])
    return drawn


def losing_first(groups: list[np.ndarray], loss: np.ndarray) -> list[np.ndarray]:
    """``groups`` ordered by what their canteens lose, most first; ties keep their order.

    A clock that stops the search then stops it after the groups with most to gain.

    Parameters
    ----------
    groups
        Canteen codes per group.
    loss
        What each canteen loses, shape (canteens,): its shortfalls and overruns at their
        price (``canteen_loss``).

    Returns
    -------
    list of numpy.ndarray
        The same groups, reordered.
    """
    totals = np.array([-loss[group].sum() for group in groups])
    return [groups[k] for k in np.argsort(totals, kind="stable")]


def canteen_loss(goals: Goals, owner: np.ndarray, plan: np.ndarray, canteens: int) -> np.ndarray:
    """What each canteen of ``plan`` loses at the objective's first level: its shortfalls
    and overruns at their price there (EUR HT at the lexicographic objective's first level;
    weighted EUR HT in the weighted objective).

    Parameters
    ----------
    goals
        The objective's levels.
    owner
        The canteen of each column (``column_canteens``), shape (columns,).
    plan
        The plan, shape (columns,).
    canteens
        How many canteens the model has.

    Returns
    -------
    numpy.ndarray
        Per canteen, shape (canteens,).
    """
    var = goals.model.variables
    elastic = np.concatenate([var.cols(block) for block in ELASTIC_BLOCKS])
    loss: np.ndarray = np.bincount(
        owner[elastic], weights=goals.levels[0][elastic] * plan[elastic], minlength=canteens
    )
    return loss


def local_search(
    goals: Goals,
    values: np.ndarray,
    passes: int,
    options: SolverOptions,
    deadline: Deadline,
    report: Reporter,
) -> SearchResult:
    """Restricted MIPs over ``passes`` passes of groups of canteens, from the plan ``values``.

    Each group's columns are freed, every other column is held at the plan and left out of
    the program (its part moved to the rows' bounds), and the objective's levels are solved
    over the group (``goals.solve_levels``): as a MIP, but for the last of several levels
    (``_group_levels``). The group's plan replaces the plan when it is better
    (``start.better``) and every level was solved to optimality. The search's budget is
    work (passes, MIPs solved to ``options.mip_gap``), never measured time:
    the clock is a safety net that stops it where it is, and ``deadline.hit`` then says that
    another machine might have gone further.

    Parameters
    ----------
    goals
        The objective's levels, on the allocation model itself (``weighted`` or
        ``lexicographic``: ``compliance`` adds columns of its own).
    values
        The plan, shape (columns,).
    passes
        Passes over the canteens (``SolverOptions.local_search``).
    options
        The MIP solver, threads and gap.
    deadline
        The time left for the whole search.
    report
        Progress messages.

    Returns
    -------
    SearchResult
        The plan the search ends with (``values`` with its least shortfalls and overruns
        when no group improved it), the groups tried and those that improved it.
    """
    model = goals.model
    var = model.variables
    owner = column_canteens(model)
    canteens = len(model.index.canteens)
    # The held canteens' shortfalls and overruns as their flows make them, not as the
    # heuristic's last LP left them: the levels are then the plan's own.
    plan = least_slacks(model, values, values[var.cols("x")], values[var.cols("v")])
    levels = tuple(float(level @ plan) for level in goals.levels)
    improved = tried = 0
    quiet = Reporter(None, deadline.left())
    # Each pass is ordered when it starts, by what the plan left by the passes before loses.
    groups = (
        group
        for drawn in canteen_groups(canteens, passes)
        for group in losing_first(drawn, canteen_loss(goals, owner, plan, canteens))
    )
    for group in groups:
        if deadline.expired():
            deadline.hit = True
            break
        tried += 1
        free = np.isin(owner, group)
        lower, upper = var.lower.copy(), var.upper.copy()
        lower[~free] = upper[~free] = plan[~free]
        result = _group_levels(goals, free, lower, upper, options, deadline, quiet)
        if result.values is None or not result.optimal:
            continue
        found = tuple(float(level @ result.values) for level in goals.levels)
        if better(found, levels):
            plan, levels = result.values, found
            improved += 1
    report.say(
        ngettext(
            "{improved} of {tried} group of canteens improved the plan",
            "{improved} of {tried} groups of canteens improved the plan",
            tried,
        ).format(improved=format_number(improved), tried=format_number(tried))
    )
    return SearchResult(plan, tried, improved)


def _group_levels(
    goals: Goals,
    free: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    options: SolverOptions,
    deadline: Deadline,
    report: Reporter,
) -> LevelsResult:
    """One group's levels: all but the last as a MIP, then every level as LPs over the drops
    and lots the MIP chose (the last level, cost, decides no drop worth a MIP: on the demo
    it took minutes on some groups)."""
    if len(goals.levels) == 1:
        return solve_levels(goals, lower, upper, True, options, deadline, report, held_out=~free)
    first = replace(goals, names=goals.names[:-1], levels=goals.levels[:-1])
    chosen = solve_levels(first, lower, upper, True, options, deadline, report, held_out=~free)
    if chosen.values is None or not chosen.optimal:
        return chosen
    fixed_lower, fixed_upper = level_bounds(goals, chosen.values)
    lower, upper = np.where(free, fixed_lower, lower), np.where(free, fixed_upper, upper)
    return solve_levels(goals, lower, upper, False, options, deadline, report, held_out=~free)


def searched_plan(
    goals: Goals, plan: Plan, options: SolverOptions, deadline: Deadline, report: Reporter
) -> Plan:
    """``plan`` after ``options.local_search`` passes of the local search (``local_search``),
    its levels' values brought up to date.

    Parameters
    ----------
    goals
        The objective's levels on the allocation model (``start.objective_goals``;
        ``weighted`` or ``lexicographic``: ``compliance``'s levels have columns of their own,
        which the plan does not carry).
    plan
        A heuristic's plan.
    options
        Solver options; ``local_search`` passes (at least 1).
    deadline
        The time left.
    report
        Progress messages.

    Returns
    -------
    Plan
        The plan the search ends with; ``plan`` itself when no better plan was found. A
        search the clock stopped sets ``deadline.hit``, which the caller turns into
        ``stopped_by_time_limit``.
    """
    report.say(
        ngettext(
            "{passes} pass over groups of {size} canteens",
            "{passes} passes over groups of {size} canteens",
            options.local_search,
        ).format(passes=format_number(options.local_search), size=format_number(GROUP_CANTEENS)),
        phase="local_search",
    )
    result = local_search(goals, plan.values, options.local_search, options, deadline, report)
    if result.improved == 0:
        return plan
    levels = plan.levels
    if levels:
        reached = tuple(float(level @ result.values) for level in goals.levels)
        levels = level_report(goals.names, reached, None)
    return replace(plan, values=result.values, levels=levels)
