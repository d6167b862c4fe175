"""Bottlenecks for crop planning: what one more unit of local supply is worth, where and when.

Everything is read from the dual values of the LP relaxation of the allocation model
(``docs/model.md``; drops and lots continuous), solved with GLOP. OR-Tools 9.15's
model_builder returns, for GLOP and PDLP, ``y_i = ∂ objective / ∂ (bound of row i)`` (a ≥ row
that binds has ``y ≥ 0`` in a minimisation, a ≤ row ``y ≤ 0``); HiGHS runs through SciPy
without duals (OR-Tools' own HiGHS wrapper returned numbers that were not duals), so HiGHS is
never used here (``tests/test_bottlenecks.py`` pins both facts).

**One more local unit.** Picture a new column ``j``: one unit of product ``k`` delivered to
canteen ``c`` in week ``w`` by a producer next door (distance 0, no drop or franco limit), at
price ``p`` (EUR HT/unit: the median price of the scenario's offers of ``k`` that week, of the
same kind — organic or not — else of every week, else the reference price ``r``). Its
coefficients are 1 in the demand row ``d = (c, k, w)``, ``(q − T^Q_c) p`` in the canteen's
quality row, ``(b − T^O_c) p`` in its organic row, ``(q − T^M_c) p`` in its meat-and-fish row
(meat and fish products only), ``p`` in its budget row; its cost is
``c_j = −W_L r − W_O b r + W_C p``. By LP duality, using ``δ`` units of it changes the objective
by ``δ (c_j − yᵀA_j)`` for small ``δ``, so its **marginal value** is

    μ_d = max(0, yᵀA_j − c_j)          (objective units per product unit)

— the demand row's dual, plus the EGalim and budget rows' duals times the unit's contributions,
minus the cost term. For a plain local unit ``q = b = 0``; for an organic unit ``q = b = 1``.
Objective units are EUR HT weighted by ``Parameters.weights`` (defaults: 1 per EUR of local or
organic food at reference price, 0.1 per EUR spent, 100 per EUR of EGalim shortfall closed).
When the LP is degenerate the dual is not unique and ``μ`` is an upper bound on the one-sided
derivative; ``verify_marginal_value`` measures the derivative itself by re-solving. With a
market table the LP is degenerate almost everywhere (a row can be bought labelled from the
market as well as locally) and μ may be far above the measured gain (11-13 against 0.22-0.26 on
a generated 6-canteen case, ``docs/decision-support.md``): rank by the re-solved values there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..egalim import line_classes
from ..errors import OptionError
from ..generate.territory import load_communes
from ..i18n import format_number
from ..i18n import gettext as _
from ..inputs.scenario import Scenario
from ..inputs.schema import CEILINGS
from ..model.build import LinearModel, build_model
from ..model.decode import clean_flows
from ..model.solve import make_solution, planned_flows
from ..model.solvers import HANDOFF_S_PER_NONZERO, SolverRun
from ..model.strategies import Deadline, Plan, call_deadline
from ..model.unmet import unmet_local_table
from ..plan.solution import Solution
from ..weeks import week_month

#: LP solver whose duals are used (see the module docstring).
DUAL_SOLVER = "glop"
#: Producer id of the hypothetical next-door producer of ``verify_marginal_value``.
PROBE_PRODUCER = "__probe__"

MARGINAL_COLUMNS = (
    "canteen_id",
    "area",
    "product_id",
    "week",
    "month",
    "qty",
    "kg_per_unit",
    "uncovered_qty",
    "no_offer_in_range",
    "price_local_eur_ht",
    "marginal_value_local",
    "price_organic_eur_ht",
    "marginal_value_organic",
)


@dataclass(frozen=True)
class RelaxedSolve:
    """A scenario's model and the GLOP run of its LP relaxation (with duals).

    Attributes
    ----------
    model : LinearModel
        The scenario's allocation model.
    run : SolverRun
        The run of its LP relaxation: values, objective, row duals.
    """

    model: LinearModel
    run: SolverRun

    @property
    def duals(self) -> np.ndarray:
        """The duals of the model's rows, ``∂ objective / ∂ (bound of row i)``.

        Returns
        -------
        numpy.ndarray
            One value per row of the model, in its row order.

        Raises
        ------
        RuntimeError
            When the LP relaxation ended without duals (its status given).
        """
        if self.run.duals is None:
            raise RuntimeError(f"LP relaxation ended with status {self.run.status}: no duals")
        return self.run.duals


def solve_relaxation(
    scenario: Scenario, solver: str = DUAL_SOLVER, deadline: Deadline | None = None
) -> RelaxedSolve:
    """Build the model and solve its LP relaxation within the time left.

    Parameters
    ----------
    scenario
        The territory (solver time limit in s and threads from its parameters).
    solver
        The LP solver; only GLOP gives duals here (see the module docstring).
    deadline
        The wall-clock budget of the whole call this solve is part of (the build counts
        against it); ``None`` for one of the scenario's ``time_limit_s`` starting now.

    Returns
    -------
    RelaxedSolve
        The model and the run, which may have ended without a solution (see ``run.status``:
        ``time_limit`` or ``not_started`` when the clock ended it).
    """
    opts = scenario.parameters.solver
    deadline = deadline or call_deadline(scenario)
    model = build_model(scenario)
    run = deadline.solve(model.program(), solver, opts.threads)
    return RelaxedSolve(model, run)


def relaxation_solution(relaxed: RelaxedSolve, scenario: Scenario) -> Solution:
    """The relaxation's flows as a plan's tables (strategy ``lp``), with no second solve.

    Parameters
    ----------
    relaxed
        A relaxation solved by ``solve_relaxation``, with a solution.
    scenario
        Its scenario.

    Returns
    -------
    Solution
        The tables of the relaxed plan (``unmet_local`` with its reasons, ...).

    Raises
    ------
    OptionError
        When the LP ended without a solution (``relaxation_values``).
    """
    run = relaxed.run
    plan = Plan(relaxation_values(relaxed, scenario), "relaxation", run.bound, run.solver)
    return make_solution(scenario, relaxed.model, plan, "lp", run.wall_time_s)


def relaxation_values(relaxed: RelaxedSolve, scenario: Scenario) -> np.ndarray:
    """The relaxation's solution, which it must have.

    Parameters
    ----------
    relaxed
        A relaxation solved by ``solve_relaxation``.
    scenario
        Its scenario (the time limit it was given, s).

    Returns
    -------
    numpy.ndarray
        ``relaxed.run.values``, one per column of the model.

    Raises
    ------
    OptionError
        When the LP ended without a solution, most often its time limit spent (the demo's
        whole-model LP takes GLOP minutes): saying to give it a longer one.
    """
    if relaxed.run.values is None or relaxed.run.duals is None:
        # A point without duals is one the solver's limit stopped short of the optimum.
        raise lp_out_of_time(scenario.parameters.solver.time_limit_s)
    return relaxed.run.values


def lp_out_of_time(seconds: float) -> OptionError:
    """The error of an LP the time limit ended before it had a solution.

    Parameters
    ----------
    seconds
        The time limit, s.

    Returns
    -------
    OptionError
        One problem asking for a longer limit (the command line's exit code 2).
    """
    return OptionError(
        [
            _(
                "time_limit_s: the LP relaxation found no solution in {seconds} s: give "
                "it a longer time limit (--time-limit, or solver.time_limit_s in "
                "parameters.json)"
            ).format(seconds=format_number(seconds, 1))
        ]
    )


def probe_prices(scenario: Scenario) -> pd.DataFrame:
    """Price of a hypothetical extra unit, EUR HT/unit, per product × week × organic (bool).

    The median price of the offers of that product, week and kind (organic or not); else of
    that product and kind over every week; else the product's reference price.

    Parameters
    ----------
    scenario
        The territory.

    Returns
    -------
    pandas.DataFrame
        One row per ``product_id`` × ISO ``week`` of the demand × ``organic`` (False rows
        first): ``price_eur_ht`` (EUR HT per product unit).
    """
    offers = scenario.offers[scenario.offers["qty"] > 0]
    organic = line_classes(offers["labels"])["is_organic"].to_numpy(bool)
    offers = offers.assign(organic=organic)
    weekly = offers.groupby(["product_id", "week", "organic"])["price_eur_ht"].median()
    overall = offers.groupby(["product_id", "organic"])["price_eur_ht"].median()
    ref = scenario.products.set_index("product_id")["reference_price_eur_ht"]
    keys = scenario.demand[["product_id", "week"]].drop_duplicates()
    frames = []
    for kind in (False, True):
        part = keys.assign(organic=kind)
        price = weekly.reindex(pd.MultiIndex.from_frame(part)).to_numpy(float)
        fallback = overall.reindex(pd.MultiIndex.from_frame(part[["product_id", "organic"]]))
        price = np.where(np.isnan(price), fallback.to_numpy(float), price)
        price = np.where(np.isnan(price), ref.reindex(part["product_id"]).to_numpy(float), price)
        frames.append(part.assign(price_eur_ht=price))
    return pd.concat(frames, ignore_index=True)


def _probe_values(
    relaxed: RelaxedSolve, price: np.ndarray, organic: bool, scenario: Scenario
) -> np.ndarray:
    """μ_d for a unit of the given kind at ``price`` (per demand row), objective units/unit."""
    model, y = relaxed.model, relaxed.duals
    index, weights = model.index, scenario.parameters.weights
    demand, can = index.demand, index.canteens
    c = demand["canteen"].to_numpy()
    ref = demand["ref_price"].to_numpy(float)
    b = 1.0 if organic else 0.0
    q = b

    def dual(family: str, rows: np.ndarray) -> np.ndarray:
        fam = model.family(family)
        out = np.zeros(len(rows))
        ok = rows >= 0
        out[ok] = y[fam.start + rows[ok]]
        return out

    all_rows = np.arange(len(demand))
    worth = dual("demand", all_rows)
    worth += dual("egalim_quality", c) * (q - can["target_quality"].to_numpy()[c]) * price
    worth += dual("egalim_organic", c) * (b - can["target_organic"].to_numpy()[c]) * price
    meat_fish = demand["meat_fish"].to_numpy(bool)
    mf = dual("egalim_meat_fish", c) * (q - can["target_meat_fish"].to_numpy()[c]) * price
    worth += np.where(meat_fish, mf, 0.0)
    budget_row = np.full(len(index.canteen_ids), -1)
    budget_row[model.variables.budget_canteens] = np.arange(len(model.variables.budget_canteens))
    worth += dual("budget", budget_row[c]) * price
    cost = -weights.local * ref - weights.organic * b * ref + weights.cost * price
    return np.asarray(np.clip(worth - cost, 0.0, None), float)


def canteen_areas(scenario: Scenario) -> pd.Series:
    """Area of each canteen (indexed by canteen_id): its commune's INSEE code, else its id.

    Parameters
    ----------
    scenario
        The territory (``canteens`` may have an ``insee`` column).

    Returns
    -------
    pandas.Series
        ``area`` (text), indexed by ``canteen_id`` in the order of ``canteens``.
    """
    can = scenario.canteens
    insee = can["insee"] if "insee" in can.columns else pd.Series(pd.NA, index=can.index)
    area = insee.astype(object).where(insee.notna() & (insee.astype(str) != ""), can["canteen_id"])
    return pd.Series(area.astype(str).to_numpy(), index=can["canteen_id"].to_numpy(), name="area")


def marginal_values(
    scenario: Scenario, relaxed: RelaxedSolve | None = None, solver: str = DUAL_SOLVER
) -> pd.DataFrame:
    """Marginal value of one more local unit (plain and organic) per demand row.

    Parameters
    ----------
    scenario
        The territory.
    relaxed
        The scenario's relaxation when already solved (``solve_relaxation``); ``None`` solves
        it.
    solver
        The LP solver; only GLOP gives duals here (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        One row per demand row (``canteen_id`` × ``product_id`` × ISO ``week``), in the
        model's demand order: ``canteen_id``, ``area``, ``product_id``, ``week``, ``month``
        (1–12), ``qty`` (demand, unit), ``kg_per_unit``, ``uncovered_qty`` (bought
        conventionally or from the market in the LP relaxation, unit), ``no_offer_in_range``
        (no producer's arc reaches the row), ``price_local_eur_ht`` and
        ``price_organic_eur_ht`` (EUR HT/unit of the hypothetical unit),
        ``marginal_value_local`` and ``marginal_value_organic`` (μ, objective units per product
        unit; see the module docstring).
    """
    relaxed = relaxed or solve_relaxation(scenario, solver)
    model = relaxed.model
    index, var = model.index, model.variables
    values = relaxation_values(relaxed, scenario)
    demand = index.demand
    ids = pd.DataFrame(
        {
            "canteen_id": index.canteen_ids[demand["canteen"].to_numpy()],
            "product_id": index.product_ids[demand["product"].to_numpy()],
            "week": index.weeks[demand["week"].to_numpy()],
        }
    )
    prices = probe_prices(scenario).set_index(["product_id", "week", "organic"])["price_eur_ht"]
    out = ids.copy()
    out["area"] = canteen_areas(scenario).reindex(ids["canteen_id"]).to_numpy()
    out["month"] = week_month(ids["week"].astype(str)).to_numpy()
    out["qty"] = demand["qty"].to_numpy(float)
    out["kg_per_unit"] = demand["kg_per_unit"].to_numpy(float)
    # Not covered locally: bought conventionally or from a market option.
    market = index.arcs["market"].to_numpy()
    arc_demand = index.arcs["demand"].to_numpy()
    x = np.clip(values[var.cols("x")], 0.0, None)
    v = np.clip(values[var.cols("v")], 0.0, None)
    v = v + np.bincount(arc_demand[market], x[market], minlength=len(demand))
    out["uncovered_qty"] = np.where(v > 1e-7, v, 0.0)
    has_arc = np.bincount(arc_demand[~market], minlength=len(demand)) > 0
    out["no_offer_in_range"] = ~has_arc
    for kind, name in ((False, "local"), (True, "organic")):
        key = pd.MultiIndex.from_frame(ids[["product_id", "week"]].assign(organic=kind))
        price = prices.reindex(key).to_numpy(float)
        out[f"price_{name}_eur_ht"] = price
        out[f"marginal_value_{name}"] = _probe_values(relaxed, price, kind, scenario)
    return out[list(MARGINAL_COLUMNS)]


def bottleneck_table(
    scenario: Scenario,
    verify_top: int = 0,
    relaxed: RelaxedSolve | None = None,
    solver: str = DUAL_SOLVER,
    deadline: Deadline | None = None,
    marginal: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """What to plant more of, when and for whom: one row per product × month × area.

    Only groups with demand bought conventionally in the LP relaxation are listed.

    Parameters
    ----------
    scenario
        The territory.
    verify_top
        How many of the first rows get ``verified_marginal_value`` (two LP solves each).
    relaxed
        The scenario's relaxation when already solved (``solve_relaxation``); ``None`` solves
        it.
    solver
        The LP solver; only GLOP gives duals here (see the module docstring).
    deadline
        The wall-clock budget the relaxation and the re-solves share; ``None`` for one of the
        scenario's ``time_limit_s`` starting now.
    marginal
        ``marginal_values(scenario, relaxed)`` when already computed (it is not changed);
        ``None`` computes it. The table and every re-solve read this one frame.

    Returns
    -------
    pandas.DataFrame
        One row per ``product_id`` × ``month`` × ``area``. Columns: ``product_id``, ``month``,
        ``area`` (INSEE code, see ``canteen_areas``), ``area_name`` (commune name when known),
        ``canteens``, ``demand_kg``, ``uncovered_kg`` (kg not covered locally),
        ``no_offer_in_range_kg`` (of which no producer reaches), ``marginal_value_per_unit`` (μ of a
        plain local unit averaged over the group's demand rows weighted by their uncovered quantity;
        objective units per product unit), ``marginal_value_per_kg`` (the same per kg),
        ``max_marginal_value_per_unit`` (best row of the group: where the first extra unit goes),
        ``organic_marginal_value_per_unit`` and ``organic_marginal_value_per_kg`` (an organic unit,
        same weighting), ``potential_value`` (Σ μ × uncovered quantity, objective units: an upper
        estimate, marginal values fall as supply grows), ``best_canteen_id`` and ``best_week`` (the
        row of the maximum). Ranked by ``marginal_value_per_kg``, then ``uncovered_kg``, both
        descending; ties by product, month, area.

        With ``verify_top > 0`` the first ``verify_top`` rows get ``verified_marginal_value``: the
        finite difference of ``verify_marginal_value`` at the group's best row (NaN elsewhere,
        and in the rows the time left did not reach: then ``deadline.hit`` is set).
    """
    deadline = deadline or call_deadline(scenario)
    relaxed = relaxed or solve_relaxation(scenario, solver, deadline)
    mv = marginal_values(scenario, relaxed) if marginal is None else marginal
    rows = mv[mv["uncovered_qty"] > 0].copy()
    rows["uncovered_kg"] = rows["uncovered_qty"] * rows["kg_per_unit"]
    rows["demand_kg"] = rows["qty"] * rows["kg_per_unit"]
    rows["no_offer_kg"] = np.where(rows["no_offer_in_range"], rows["demand_kg"], 0.0)
    rows["w_local"] = rows["marginal_value_local"] * rows["uncovered_qty"]
    rows["w_organic"] = rows["marginal_value_organic"] * rows["uncovered_qty"]
    rows["w_kg_local"] = rows["marginal_value_local"] / rows["kg_per_unit"] * rows["uncovered_kg"]
    rows["w_kg_organic"] = (
        rows["marginal_value_organic"] / rows["kg_per_unit"] * rows["uncovered_kg"]
    )
    keys = ["product_id", "month", "area"]
    best = rows.sort_values(
        ["marginal_value_local", "canteen_id", "week"],
        ascending=[False, True, True],
        kind="stable",
    ).drop_duplicates(keys)
    grouped = rows.groupby(keys, sort=True)
    table = grouped.agg(
        canteens=("canteen_id", "nunique"),
        demand_kg=("demand_kg", "sum"),
        uncovered_kg=("uncovered_kg", "sum"),
        no_offer_in_range_kg=("no_offer_kg", "sum"),
        uncovered_qty=("uncovered_qty", "sum"),
        w_local=("w_local", "sum"),
        w_organic=("w_organic", "sum"),
        w_kg_local=("w_kg_local", "sum"),
        w_kg_organic=("w_kg_organic", "sum"),
        max_marginal_value_per_unit=("marginal_value_local", "max"),
    ).reset_index()
    table["marginal_value_per_unit"] = table["w_local"] / table["uncovered_qty"]
    table["marginal_value_per_kg"] = table["w_kg_local"] / table["uncovered_kg"]
    table["organic_marginal_value_per_unit"] = table["w_organic"] / table["uncovered_qty"]
    table["organic_marginal_value_per_kg"] = table["w_kg_organic"] / table["uncovered_kg"]
    table["potential_value"] = table["w_local"]
    best_rows = best.set_index(keys)[["canteen_id", "week"]]
    found = best_rows.reindex(pd.MultiIndex.from_frame(table[keys]))
    table["best_canteen_id"] = found["canteen_id"].to_numpy()
    table["best_week"] = found["week"].to_numpy()
    names = load_communes().assign(insee=lambda f: f["insee"].astype(str))
    table["area_name"] = table["area"].map(names.set_index("insee")["name"]).fillna("")
    table = table.sort_values(
        ["marginal_value_per_kg", "uncovered_kg", "product_id", "month", "area"],
        ascending=[False, False, True, True, True],
        kind="stable",
    ).reset_index(drop=True)
    columns = [
        "product_id",
        "month",
        "area",
        "area_name",
        "canteens",
        "demand_kg",
        "uncovered_kg",
        "no_offer_in_range_kg",
        "marginal_value_per_unit",
        "marginal_value_per_kg",
        "max_marginal_value_per_unit",
        "organic_marginal_value_per_unit",
        "organic_marginal_value_per_kg",
        "potential_value",
        "best_canteen_id",
        "best_week",
    ]
    table = table[columns]
    if verify_top > 0:
        verified = np.full(len(table), math.nan)
        for i in range(min(verify_top, len(table))):
            row = table.iloc[i]
            check = _verify(
                scenario,
                str(row["best_canteen_id"]),
                str(row["product_id"]),
                str(row["best_week"]),
                False,
                None,
                relaxed,
                mv,
                solver,
                deadline,
            )
            if check is None:
                break  # the clock ran out: the later rows would not fit either
            verified[i] = check.finite_difference
        table["verified_marginal_value"] = verified
    return table


@dataclass(frozen=True)
class MarginalCheck:
    """A dual marginal value against the finite difference of two LP solves.

    ``dual_value``: μ from the duals (objective units per unit); ``finite_difference``:
    (objective without − objective with δ extra units) / δ; ``delta`` in product units;
    ``price_eur_ht`` of the extra units.

    Attributes
    ----------
    canteen_id, product_id, week : str
        The demand row (``week`` ISO, ``2026-W03``).
    organic : bool
        Whether the extra units are organic.
    delta : float
        Extra units, in the product's unit.
    price_eur_ht : float
        Their price, EUR HT per unit.
    dual_value, finite_difference : float
        μ from the duals and from the two solves, objective units per product unit.
    """

    canteen_id: str
    product_id: str
    week: str
    organic: bool
    delta: float
    price_eur_ht: float
    dual_value: float
    finite_difference: float

    def agrees(self, rel: float = 1e-4, abs_tol: float = 1e-5) -> bool:
        """Whether both numbers match within ``rel`` (relative) or ``abs_tol`` (absolute).

        Parameters
        ----------
        rel
            Relative tolerance.
        abs_tol
            Absolute tolerance, objective units per product unit.

        Returns
        -------
        bool
            ``math.isclose`` of ``dual_value`` and ``finite_difference``.
        """
        return math.isclose(self.dual_value, self.finite_difference, rel_tol=rel, abs_tol=abs_tol)


def verify_marginal_value(
    scenario: Scenario,
    canteen_id: str,
    product_id: str,
    week: str,
    organic: bool = False,
    delta: float | None = None,
    relaxed: RelaxedSolve | None = None,
    solver: str = DUAL_SOLVER,
    deadline: Deadline | None = None,
) -> MarginalCheck:
    """Check μ for one demand row by re-solving the LP with δ more units of local supply.

    The extra supply is a new producer at the canteen's coordinates (delivery radius 1 m,
    unlimited capacity and drops, no franco) offering ``delta`` units (default 0.1 % of the
    row's demand) of the product that week at the probe price (``probe_prices``), labelled
    ``BIO`` when ``organic``. It goes through ``build_model`` like
    any producer, so the check is independent of how μ is assembled from the duals. (Another
    canteen at exactly the same coordinates would be reached too.)

    Parameters
    ----------
    scenario
        The territory.
    canteen_id, product_id, week
        The demand row (``week`` ISO, ``2026-W03``).
    organic
        Check the organic unit's μ instead of the plain one's.
    delta
        Extra units (product unit); ``None`` for 0.1 % of the row's demand.
    relaxed
        The scenario's relaxation when already solved (``solve_relaxation``); ``None`` solves
        it (its objective is the reference).
    solver
        The LP solver; only GLOP gives duals here (see the module docstring).
    deadline
        The wall-clock budget both solves share; ``None`` for one of the scenario's
        ``time_limit_s`` starting now.

    Returns
    -------
    MarginalCheck
        μ from the duals and the finite difference.

    Raises
    ------
    OptionError
        When the scenario has no demand row for ``canteen_id``, ``product_id`` and ``week``,
        or when an LP ends without a solution, most often its time spent
        (``relaxation_values``).
    """
    deadline = deadline or call_deadline(scenario)
    relaxed = relaxed or solve_relaxation(scenario, solver, deadline)
    mv = marginal_values(scenario, relaxed)
    check = _verify(
        scenario, canteen_id, product_id, week, organic, delta, relaxed, mv, solver, deadline
    )
    if check is None:
        raise lp_out_of_time(scenario.parameters.solver.time_limit_s)
    return check


def _verify(
    scenario: Scenario,
    canteen_id: str,
    product_id: str,
    week: str,
    organic: bool,
    delta: float | None,
    relaxed: RelaxedSolve,
    mv: pd.DataFrame,
    solver: str,
    deadline: Deadline,
) -> MarginalCheck | None:
    """``verify_marginal_value`` with the relaxation solved and its ``marginal_values`` (``mv``)
    computed; None when the time left could not hold the re-solve (its build and hand-over
    alone, estimated from the relaxation's, or the solver stopped)."""
    hit = mv[
        (mv["canteen_id"] == canteen_id) & (mv["product_id"] == product_id) & (mv["week"] == week)
    ]
    if hit.empty:
        raise OptionError(
            [
                _("no demand row for {canteen}, {product}, {week}").format(
                    canteen=canteen_id, product=product_id, week=week
                )
            ]
        )
    row = hit.iloc[0]
    kind = "organic" if organic else "local"
    price = float(row[f"price_{kind}_eur_ht"])
    delta = float(delta if delta is not None else 1e-3 * float(row["qty"]))
    base = relaxed.run.objective
    model = relaxed.model
    needed = model.build_time_s + HANDOFF_S_PER_NONZERO.get(solver, 0.0) * model.matrix.nnz
    if deadline.left() <= needed:
        deadline.hit = True
        return None
    probe = _with_probe(scenario, canteen_id, product_id, week, delta, price, organic)
    probed = solve_relaxation(probe, solver, deadline)
    if probed.run.duals is None:  # stopped short of its optimum: no finite difference
        return None
    return MarginalCheck(
        canteen_id,
        product_id,
        week,
        organic,
        delta,
        price,
        float(row[f"marginal_value_{kind}"]),
        (base - probed.run.objective) / delta,
    )


def _with_probe(
    scenario: Scenario,
    canteen_id: str,
    product_id: str,
    week: str,
    delta: float,
    price: float,
    organic: bool,
) -> Scenario:
    can = scenario.canteens
    at = can.loc[can["canteen_id"] == canteen_id].iloc[0]
    producer = {
        "producer_id": PROBE_PRODUCER,
        "name": "hypothetical extra supply",
        "lat": float(at["lat"]),
        "lon": float(at["lon"]),
        # The largest values a producer may be given: no limit for a probe of a few units.
        "delivery_capacity_kg_per_week": CEILINGS["kg/week"],
        "max_drops_per_week": int(CEILINGS["drops/week"]),
        "delivery_radius_km": 1e-3,
        "min_order_eur_ht": 0.0,
    }
    offer = {
        "producer_id": PROBE_PRODUCER,
        "product_id": product_id,
        "week": week,
        "qty": delta,
        "price_eur_ht": price,
        "labels": "BIO" if organic else "",
    }
    return scenario.with_tables(
        producers=pd.concat([scenario.producers, pd.DataFrame([producer])], ignore_index=True),
        offers=pd.concat([scenario.offers, pd.DataFrame([offer])], ignore_index=True),
    )


def no_local_offer_table(scenario: Scenario, solution: Solution) -> pd.DataFrame:
    """Demand no local producer can cover, by product and month (``unmet_local`` reason
    ``no_offer_in_range``).

    Parameters
    ----------
    scenario
        The territory the plan was made for.
    solution
        The plan (its ``unmet_local`` table).

    Returns
    -------
    pandas.DataFrame
        One row per ``product_id`` × ``month`` (1–12): ``canteens`` (how many), ``qty``
        (product unit), ``qty_kg`` (kg), ``value_eur_ht`` (EUR HT, at reference price);
        sorted by ``qty_kg`` descending, then product and month.
    """
    return _no_local_offer(scenario, solution.unmet_local)


def relaxation_no_local_offer(relaxed: RelaxedSolve, scenario: Scenario) -> pd.DataFrame:
    """``no_local_offer_table`` of the relaxation's plan, from its flows and their
    ``unmet_local`` alone: the plan's other tables (``relaxation_solution``) are not made.

    Parameters
    ----------
    relaxed
        A relaxation solved by ``solve_relaxation``, with a solution.
    scenario
        Its scenario.

    Returns
    -------
    pandas.DataFrame
        As ``no_local_offer_table``: one row per ``product_id`` × ``month``.

    Raises
    ------
    OptionError
        When the LP ended without a solution (``relaxation_values``).
    """
    values = relaxation_values(relaxed, scenario)
    x, v = clean_flows(relaxed.model, values)
    _planned, _menu, flows = planned_flows(scenario, relaxed.model, values, x, v)
    return _no_local_offer(scenario, unmet_local_table(relaxed.model.index, flows))


def _no_local_offer(scenario: Scenario, unmet: pd.DataFrame) -> pd.DataFrame:
    """``no_local_offer_table`` from a plan's ``unmet_local`` table."""
    unmet = unmet[unmet["reason"] == "no_offer_in_range"]
    kg = scenario.products.set_index("product_id")["kg_per_unit"]
    frame = pd.DataFrame(
        {
            "product_id": unmet["product_id"].astype(str).to_numpy(),
            "month": week_month(unmet["week"].astype(str)).to_numpy()
            if len(unmet)
            else np.zeros(0, np.int64),
            "canteen_id": unmet["canteen_id"].astype(str).to_numpy(),
            "qty": unmet["qty"].to_numpy(float),
            "qty_kg": unmet["qty"].to_numpy(float) * kg.reindex(unmet["product_id"]).to_numpy(),
            "value_eur_ht": unmet["value_eur_ht"].to_numpy(float),
        }
    )
    out = (
        frame.groupby(["product_id", "month"], sort=True)
        .agg(
            canteens=("canteen_id", "nunique"),
            qty=("qty", "sum"),
            qty_kg=("qty_kg", "sum"),
            value_eur_ht=("value_eur_ht", "sum"),
        )
        .reset_index()
    )
    out = out.sort_values(
        ["qty_kg", "product_id", "month"], ascending=[False, True, True], kind="stable"
    )
    return out.reset_index(drop=True)
