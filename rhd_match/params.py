"""Scenario parameters: EGalim targets, what counts as local, objective weights, solver options.

All are pydantic v2 models, so they validate on construction and round-trip through JSON
(``Parameters.model_validate_json(p.model_dump_json())``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from .cells import FRENCH_NUMBER
from .cluster import check_spec
from .errors import OptionError
from .i18n import format_figure
from .i18n import gettext as _


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Targets(_Strict):
    """EGalim targets, as fractions of annual purchases by value (EUR HT).

    Defaults are the mainland law (Code rural L230-5-1): 50 % quality and sustainable, of which
    20 % organic; 60 % of meat, poultry and seafood purchases taken together.
    """

    quality: float = Field(0.50, ge=0, le=1)
    organic: float = Field(0.20, ge=0, le=1)
    meat_fish: float = Field(0.60, ge=0, le=1)


#: The largest weight of the objective: the defaults run from 1e-5 to 100, and weights of
#: 1e30 and more overflowed the solver's and the report's arithmetic.
MAX_WEIGHT = 1e6


class Weights(_Strict):
    """Objective weights (see ``docs/model.md`` for the formula).

    The objective is minimised:

    ``egalim_shortfall * Σ shortfall_EUR + budget_overrun * Σ overrun_EUR
    - local * Σ local reference value - organic * Σ organic reference value
    + cost * Σ purchase value + distance * Σ kg·km``.

    Local and organic gains are counted at the product's *reference* price (EUR HT/unit), so
    paying a producer more for the same food never raises them; the cost term then prefers the
    cheaper of two equivalent offers.
    """

    egalim_shortfall: float = Field(
        100.0, ge=0, le=MAX_WEIGHT, description="per EUR HT of EGalim shortfall"
    )
    budget_overrun: float = Field(20.0, ge=0, le=MAX_WEIGHT, description="per EUR HT over budget")
    local: float = Field(
        1.0, ge=0, le=MAX_WEIGHT, description="per EUR HT (reference price) bought locally"
    )
    organic: float = Field(
        1.0, ge=0, le=MAX_WEIGHT, description="per EUR HT (reference price) bought organic"
    )
    cost: float = Field(0.1, ge=0, le=MAX_WEIGHT, description="per EUR HT spent")
    distance: float = Field(1e-5, ge=0, le=MAX_WEIGHT, description="per kg·km delivered")


Strategy = Literal["auto", "lp", "mip", "repair", "decompose"]
#: Every strategy name, for command-line choices.
STRATEGIES: tuple[str, ...] = get_args(Strategy)
#: The longest time limit, s (a week): no territory's solve needs more, and a clock of 1e308 s
#: overflowed the progress display's arithmetic.
MAX_TIME_LIMIT_S = 7 * 24 * 3600.0
#: The most threads and GB a solve takes: above any machine this runs on.
MAX_THREADS = 1024
MAX_MEMORY_GB = 100_000.0
LpSolver = Literal["highs", "glop", "pdlp"]
#: The solvers rhd_match can run (CBC is not among them: OR-Tools 9.15's model_builder, which
#: hands models over as arrays, does not offer it).
MipSolver = Literal["highs", "scip"]
Objective = Literal["lexicographic", "weighted", "compliance"]
#: Every objective name, for command-line choices.
OBJECTIVES: tuple[str, ...] = get_args(Objective)


class SolverOptions(_Strict):
    """How the allocation is solved.

    ``strategy``: ``"mip"`` solves the exact mixed-integer model (drops, franco and minimum lots
    as binaries); ``"repair"`` solves the LP relaxation for a bound, then fixes the delivery
    decisions from it and re-solves LPs until every drop pays its franco; ``"decompose"`` prices
    the annual EGalim and budget rows and solves one small LP per ISO week, in parallel, for a
    Lagrangian bound, then repairs week by week (see ``rhd_match.model.decomposition``); ``"lp"``
    solves the relaxation only (the plan may break delivery rules; for bounds and analysis);
    ``"auto"`` picks ``"mip"`` for small models, ``"decompose"`` for large elastic ones and
    ``"repair"`` for large ones with hard targets. ``lp_solver`` defaults to GLOP (dual simplex),
    measured fastest on the weekly LPs; HiGHS runs its interior point method; PDLP (first-order,
    approximate) is accepted with strategy ``"lp"`` only.

    ``objective`` (``docs/model.md``, *Objectives*): ``"lexicographic"`` (default) meets each
    canteen's EGalim targets where supply allows, then buys as much local food as possible,
    then spends the least, solving one level after the other; ``"compliance"`` makes budgets
    hard and maximises the number of canteens meeting each target, then local food, then
    least cost; ``"weighted"`` minimises the single weighted sum of ``Weights``.

    ``time_limit_s`` is the wall-clock limit of the whole call: building the model, handing it
    to the solver, solving and writing the solution tables. The solver gets what is left after
    the build, an estimate of its hand-over time
    (``HANDOFF_S_PER_NONZERO``) and of the tables
    (``TABLES_S_PER_ARC``), and is not started when its hand-over
    alone would not fit; a call may still overrun by what a solver takes to notice its limit:
    the tests hold every strategy to 10 % + 2 s on the demo with a 5 s limit.

    ``dask`` runs the weekly LPs of ``"decompose"`` on a Dask cluster instead of ``threads``
    threads (``docs/distributed.md``): ``"local:N"`` starts N worker processes on this machine
    for the call, any other value is a running scheduler's address (``tcp://host:8786``).
    The plan is the same either way; other strategies ignore it. Starting a local cluster
    (seconds) counts in ``time_limit_s``.

    ``memory_limit_gb``: when ``strategy`` is ``"auto"`` or ``"decompose"`` and the whole-year
    model's solve is estimated to need more memory than this (from its arcs, estimated on
    the busiest week), the decomposition streams by weeks instead and never builds the
    whole-year model (``docs/distributed.md``, *Streaming*): it then solves the weighted
    objective, on threads or the ``dask`` cluster. Set it to the memory the machine can give
    the solve.

    ``local_search``: after a ``"repair"`` or ``"decompose"`` plan, this many passes of
    restricted MIPs over small groups of canteens, each solving the objective's levels exactly
    over one group's columns with every other column held at the plan
    (``rhd_match.model.local_search``; ``docs/model.md``, *Local search*). 0 (default): none.
    Not for ``"compliance"``, nor when the decomposition streams by weeks.
    """

    strategy: Strategy = "auto"
    objective: Objective = "lexicographic"
    time_limit_s: float = Field(
        60.0, gt=0, le=MAX_TIME_LIMIT_S, description="wall-clock limit of the whole solve, s"
    )
    threads: int = Field(2, ge=1, le=MAX_THREADS)
    dask: Annotated[str, AfterValidator(check_spec)] | None = Field(
        None, description="Dask cluster of the weekly LPs: 'local:N' or a scheduler address"
    )
    memory_limit_gb: float = Field(
        16.0,
        gt=0,
        le=MAX_MEMORY_GB,
        description="memory of the solve, GB: above it the decomposition streams",
    )
    mip_gap: float = Field(1e-4, ge=0, le=1, description="relative gap at which a MIP stops")
    lp_solver: LpSolver = "glop"
    mip_solver: MipSolver = "highs"
    auto_mip_max_binaries: int = Field(
        2000, ge=0, le=10**9, description="'auto' uses the exact MIP up to this many binaries"
    )
    local_search: int = Field(
        0,
        ge=0,
        le=1000,
        description="passes of restricted MIPs over groups of canteens after a heuristic",
    )

    @model_validator(mode="after")
    def _pdlp_for_bounds_only(self) -> SolverOptions:
        # PDLP's first-order solutions meet the rows only to ~1e-4: plans repaired from them
        # break offer and capacity rules (seen on a 5-canteen territory), bounds are fine.
        if self.lp_solver == "pdlp" and self.strategy != "lp":
            raise ValueError(
                "lp_solver 'pdlp' gives approximate solutions: use it with strategy 'lp' "
                "(a bound), or 'glop' or 'highs' for a plan"
            )
        return self


def solver_options(base: SolverOptions, overrides: Mapping[str, Any]) -> SolverOptions:
    """``base`` with ``overrides`` applied, validated.

    Parameters
    ----------
    base
        The scenario's solver options (``Parameters.solver``).
    overrides
        Option names and values given to a call (``time_limit_s`` in s, ``strategy``…).

    Returns
    -------
    SolverOptions
        The merged options.

    Raises
    ------
    OptionError
        Naming every unknown option (with the closest known name) and every invalid value.
    """
    try:
        return SolverOptions.model_validate(base.model_dump() | dict(overrides))
    except ValidationError as exc:
        problems = [
            _("{name}: {problem}").format(name=name, problem=msg) if name else msg
            for _loc, name, msg in explain(exc, SolverOptions)
        ]
        raise OptionError(problems) from None


def _fields(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The field names of the (nested) model at ``loc``, for a hint."""
    for part in loc:
        field = model.model_fields.get(str(part))
        inner = field.annotation if field is not None else None
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            return []
        model = inner
    return list(model.model_fields)


def _number_meant(value: object) -> str | None:
    """The JSON number a text value means (``"0,25"``, ``"20 s"``, ``"25 %"`` → ``0.25``,
    ``20``, ``0.25``); None when it holds no such number or is one already."""
    if not isinstance(value, str):
        return None
    # Thousands apart (1 000 000, with no-break spaces too) are one number, not 1 and a unit.
    found = FRENCH_NUMBER.match(value.strip())
    if found is None or (
        found["dec"] is None and found["suffix"] is None and found["int"].isdigit()
    ):
        return None
    whole = re.sub(r"\s", "", found["int"])
    number = float(f"{found['sign']}{whole}.{found['dec'] or 0}")
    number /= 100 if (found["suffix"] or "").strip() == "%" else 1
    return f"{number:.15g}"


def explain(
    exc: ValidationError, model: type[BaseModel]
) -> list[tuple[tuple[int | str, ...], str, str]]:
    """Each problem of a validation error, for people and in the active language.

    Parameters
    ----------
    exc
        Raised validating ``model``.
    model
        The model validated (``Parameters``, ``SolverOptions``).

    Returns
    -------
    list of (tuple, str, str)
        Where each value is (its keys, ``("targets", "organic")``), its dotted name
        (``targets.organic``; empty for a rule between values) and why it is refused: an
        unknown name with the closest known one, a value that is not a number (a decimal
        comma told), out of bounds or not among the choices.
    """
    out: list[tuple[tuple[int | str, ...], str, str]] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        name = ".".join(str(x) for x in loc)
        kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
        if kind == "extra_forbidden":
            known = _fields(model, loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]).lower(), known, n=1, cutoff=0.5)
            msg = (
                _("unknown name; did you mean '{name}'?").format(name=close[0])
                if close
                else _("unknown name; known: {names}").format(names=", ".join(known))
            )
        elif kind in ("float_parsing", "int_parsing", "float_type", "int_type"):
            msg = _("'{value}' is not a number").format(value=value)
            number = _number_meant(value)
            if number is not None:
                hint = (
                    _("write {number}, with a decimal point and without quotes")
                    if "," in str(value)
                    else _("write {number}: the number alone, without quotes")
                )
                msg += " (" + hint.format(number=number) + ")"
        elif kind == "int_from_float":
            msg = _("{value} must be a whole number").format(value=value)
        elif kind in ("bool_parsing", "bool_type"):
            msg = _("'{value}' is neither true nor false").format(value=value)
        elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
            sign = {"greater_than": ">", "greater_than_equal": "≥", "less_than": "<"}
            bound = ctx.get("gt", ctx.get("ge", ctx.get("lt", ctx.get("le"))))
            shown = format_figure(bound) if isinstance(bound, int | float) else bound
            msg = _("{value} must be {sign} {bound}").format(
                value=value, sign=sign.get(kind, "≤"), bound=shown
            )
        elif kind == "finite_number":
            msg = _("must be finite")
        elif kind == "literal_error":
            allowed = str(ctx.get("expected", "")).replace(" or ", ", ")
            msg = _("'{value}' is not one of {allowed}").format(value=value, allowed=allowed)
        elif kind == "missing":
            msg = _("missing value")
        elif kind == "value_error":
            msg = str(err["msg"]).removeprefix("Value error, ")
        else:
            msg = _("invalid value {value!r}: {reason}").format(value=value, reason=err["msg"])
        out.append((loc, name, msg))
    return out


class LogisticsOptions(_Strict):
    """How delivery tours are planned and costed (``rhd_match.logistics``, ``docs/logistics.md``).

    Distances are the great-circle distance times ``road_factor`` (estimate: road networks
    measure 1.2 to 1.4 times the straight line; Newell 1980, O'Sullivan 1996, cited in the
    Wikibooks page *Transportation Geography and Network Science/Circuity*). Speed and service
    time follow La France Agricole's costed example (31 km in 45 min of driving, about 41 km/h;
    1 h of handling for 3 customers, 20 min a stop). Kitchens take deliveries in the morning:
    06:30 is when the Lille central kitchen starts receiving, 11:00 an estimate before lunch
    service. The producer's van is a refrigerated 3.5 t van (payload 700-1 100 kg, estimate;
    0.80 EUR/km refrigerated and 15 EUR/h of labour, La France Agricole; see
    ``shared/domain/territory-and-prices.md`` section 5). CO2: 3.17 kg CO2e per litre of road
    diesel, upstream and combustion (ADEME factor, arrêté of 26 April 2017 on the greenhouse-gas
    information of transport services) times 10 L/100 km for a loaded refrigerated van
    (estimate), 0.317 kg CO2e/km.

    The routing search (OR-Tools, guided local search) stops after ``routing_solution_limit``
    solutions, which makes tours the same from run to run; ``routing_time_limit_s`` is a
    safety limit per routing problem (a problem stopped by it is reported, its tours may then
    differ between runs).
    """

    road_factor: float = Field(1.3, ge=1, le=3, description="road km per straight-line km")
    speed_kmh: float = Field(40.0, ge=5, le=130, description="average speed, km/h")
    service_min: float = Field(20.0, ge=0, le=240, description="minutes at each stop")
    window_start: dt.time = Field(dt.time(6, 30), description="kitchens receive from")
    window_end: dt.time = Field(dt.time(11, 0), description="kitchens receive until")
    producer_payload_kg: float = Field(1000.0, gt=0, le=1e6, description="producer van payload, kg")
    producer_cost_eur_per_km: float = Field(0.80, ge=0, le=1e4, description="EUR HT per km")
    producer_cost_eur_per_hour: float = Field(15.0, ge=0, le=1e5, description="EUR HT per hour")
    producer_delivery_day: int = Field(2, ge=1, le=7, description="ISO weekday of direct rounds")
    co2_kg_per_km: float = Field(0.317, ge=0, le=100, description="kg CO2e per vehicle km")
    routing_solution_limit: int = Field(
        50, ge=1, description="solutions the guided local search visits before it stops"
    )
    routing_time_limit_s: float = Field(
        10.0, gt=0, description="wall-clock safety limit per routing problem, s"
    )

    @model_validator(mode="after")
    def _window_in_order(self) -> LogisticsOptions:
        if self.window_end <= self.window_start:
            raise ValueError("the delivery window must end after it starts")
        return self


class Parameters(_Strict):
    """Everything about a scenario that is not a table."""

    targets: Targets = Targets()
    hard_egalim: bool = Field(
        False, description="EGalim targets as hard constraints (infeasibility is explained)"
    )
    hard_budget: bool = Field(False, description="budgets as hard constraints")
    local_radius_km: float | None = Field(
        None,
        ge=0,
        le=1e7,
        description="a purchase is local when the producer is within this distance of the "
        "canteen; None: every producer of the scenario delivering within its radius is local",
    )
    weights: Weights = Weights()
    solver: SolverOptions = SolverOptions()
    logistics: LogisticsOptions = LogisticsOptions()
