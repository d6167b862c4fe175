"""rhd_match: match collective-catering demand with local producer supply under EGalim.

Typical use::

    import rhd_match
    scenario = rhd_match.Scenario.demo()
    solution = scenario.solve(time_limit_s=60)
    print(solution)
    assert rhd_match.check(scenario, solution).empty
"""

from .check import check
from .egalim import egalim_accounting, line_classes
from .errors import InfeasibleError, OptionError, Problem, ScenarioError
from .model.solve import solve
from .params import Parameters, SolverOptions, Targets, Weights
from .scenario import Scenario
from .solution import Solution

__all__ = [
    "InfeasibleError",
    "OptionError",
    "Parameters",
    "Problem",
    "Scenario",
    "ScenarioError",
    "Solution",
    "SolverOptions",
    "Targets",
    "Weights",
    "check",
    "egalim_accounting",
    "line_classes",
    "solve",
]
__version__ = "0.1.0"
