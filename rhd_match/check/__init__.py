"""The independent checker: every rule of ``docs/model.md`` recomputed from a plan's flows.

It depends on the inputs only, never on the optimiser (``model/``) nor on the plan tables
(``plan/``), so that a bug there cannot hide itself here. :mod:`.contract` holds the rules and
the columns read, :mod:`.line_rules` the rules that hold line by line, :mod:`.group_rules`
those over demand rows, offers, producer weeks and drops, :mod:`.figures` the per-canteen
figures and the objective, :mod:`.checker` the entry point.
"""

from .checker import check
from .contract import CANTEEN_FIGURES, FLOW_COLUMNS, RULES, VIOLATION_COLUMNS, SolutionTables
from .figures import canteen_figures, objective_from_flows
from .line_rules import lines

__all__ = [
    "CANTEEN_FIGURES",
    "FLOW_COLUMNS",
    "RULES",
    "VIOLATION_COLUMNS",
    "SolutionTables",
    "canteen_figures",
    "check",
    "lines",
    "objective_from_flows",
]
