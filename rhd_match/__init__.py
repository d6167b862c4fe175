"""rhd_match: match collective-catering demand with local producer supply under EGalim.

Typical use::

    import rhd_match
    scenario = rhd_match.Scenario.demo()
    solution = scenario.solve(time_limit_s=60)
    print(solution)
    assert rhd_match.check(scenario, solution).empty
"""

from .dependencies import missing_dependency

try:
    from .check.checker import check
    from .egalim import egalim_accounting, line_classes
    from .errors import InfeasibleError, OptionError, Problem, ScenarioError
    from .inputs.scenario import Scenario, use_solver
    from .model.batch import solve_many
    from .model.solve import solve
    from .params import Parameters, SolverOptions, Targets, Weights
    from .plan.solution import Solution
except ModuleNotFoundError as exc:  # after a pull that added a dependency, without make
    missing_dependency(exc)
from .version import __version__ as __version__

# Scenario.solve delegates to the engine, which sits above the inputs (docs/architecture.md).
use_solver(solve)

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
    "solve_many",
]
