"""An independent checker of allocation plans.

:func:`check` verifies a plan (a ``flows`` table, or a whole solution) against the input tables
of a :class:`~rhd_match.inputs.scenario.Scenario` and the rules of ``docs/model.md``, and
:func:`objective_from_flows` recomputes the model's objective from the flows alone.

Nothing here comes from the code it checks: the rules are re-derived from the input tables and
``docs/model.md``, so a bug in the model's arcs, bounds or coefficients shows up as a violation.
Labels, distances and EGalim figures are recomputed by this package's own small code (not by
:mod:`rhd_match.egalim` nor :mod:`rhd_match.geo`), and so are the canteens table and the
territory summary of a solution, every count included. Everything is vectorised with pandas (a
million flow rows take seconds).

Units: money in EUR excluding VAT (EUR HT), quantities in the product's unit (kg, l or piece),
weights in kg, distances in straight-line km (great circle), shares as fractions in [0, 1].
"""

from __future__ import annotations

import pandas as pd

from ..i18n import gettext as _
from ..inputs.scenario import Scenario
from .contract import FLOW_COLUMNS, KEY_COLUMNS, VIOLATION_COLUMNS, Found, SolutionTables
from .figures import canteen_figures, check_canteens, check_hard, check_summary
from .group_rules import check_groups
from .line_rules import check_lines, lines
from .menu_rules import planned_demand


def check(
    scenario: Scenario,
    solution: SolutionTables | pd.DataFrame,
    tol: float = 1e-6,
    menu: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every way a plan breaks the rules of ``docs/model.md``; an empty frame for a valid plan.

    Parameters
    ----------
    scenario
        The input tables and parameters the plan was made for.
    solution
        A solution (its ``flows`` are checked, its ``canteens`` figures and, when it has one,
        its one-row ``summary`` (territory totals and counts, after and before) compared with
        their recomputation from the flows) or a bare ``flows`` DataFrame.
    tol
        Relative and absolute tolerance: ``a ≤ b`` holds when ``a ≤ b + tol·(1 + |b|)`` and
        ``a = b`` when ``|a − b| ≤ tol·(1 + max(|a|, |b|))``. A flow counts as positive (a drop,
        a lot) when ``qty > tol·(1 + demand qty)``.
    menu
        The menu as planned, when demand rows name groups of products (``MENU_COLUMNS`` of
        ``menu_rules``); a solution's own ``menu`` when None. The flows must then meet the
        menu's quantities.

    Returns
    -------
    pandas.DataFrame
        One row per violation: ``rule`` (a key of ``RULES``), ``canteen_id``,
        ``producer_id``, ``product_id``, ``week`` (``""`` where not relevant) and a ``message``
        with the figures (units as in the module docstring).
    """
    if isinstance(solution, pd.DataFrame):
        flows, reported = solution, None
    else:
        flows, reported = solution.flows, solution.canteens
        menu = getattr(solution, "menu", None) if menu is None else menu
    found = Found()
    scenario = planned_demand(scenario, menu, found, tol)
    missing = [c for c in FLOW_COLUMNS if c not in flows.columns]
    if missing:
        empty = pd.DataFrame({c: [""] for c in VIOLATION_COLUMNS[1:5]})
        for col in missing:
            found.add(
                "flows_table", empty, _("flows lack column '{column}'").format(column=col), ids=()
            )
        if any(c in KEY_COLUMNS for c in missing):
            return found.frame()
    ln = lines(scenario, flows, tol)
    check_lines(scenario, ln, found, tol)
    check_groups(scenario, ln, found, tol)
    figures = canteen_figures(scenario, ln, tol)
    check_hard(scenario, figures, found, tol)
    if reported is not None:
        check_canteens(scenario, figures, reported, found, tol)
    summary = getattr(solution, "summary", None)
    if isinstance(summary, pd.DataFrame):
        check_summary(scenario, ln, figures, summary, found, tol)
    return found.frame()
