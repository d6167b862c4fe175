"""The allocation model written straightforwardly with a general modelling layer: PuLP + CBC.

This is the baseline of the issue: the formulation of ``docs/model.md`` as most people would
write it with PuLP, from the scenario's tables, without ``rhd_match.model``: pandas to find the
arcs, then one ``LpVariable`` per arc, demand row, drop, lot arc, shortfall and overrun, and one
``lpSum`` per constraint, in Python loops. The only project functions it uses are the
domain ones every report uses: :func:`rhd_match.egalim.line_classes` (which labels count for
EGalim) and :func:`rhd_match.geo.haversine_km` (distances).

Same formulation, including its exact reductions: arcs only where the minimum lot fits and
whose drop could ever pay the franco, drop binaries only where the franco or the weekly drop
count can bind. Offer rows are written for every
offer (rhd_match leaves out those feeding one arc, where the arc's bound already holds them),
so PuLP has a few more rows; the optimum is the same.

Market options (``scenario.market``) are arcs too, one per option and demand row it may serve
(product, week within its availability, canteen listed or every canteen): no drop, franco,
capacity or distance, never local, and one row per option and week for its weekly limit.

Units as in ``docs/model.md``: EUR HT, product units, kg, km.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pulp  # type: ignore[import-untyped]

from rhd_match.egalim import FISH_FAMILY, MEAT_FAMILY, line_classes
from rhd_match.geo import haversine_km
from rhd_match.inputs.scenario import Scenario
from rhd_match.plan.tables import make_flows


@dataclass
class PulpModel:
    """A PuLP problem with the frames needed to read a plan back."""

    problem: pulp.LpProblem
    arcs: pd.DataFrame  # one row per arc: ids, bounds, coefficients
    demand: pd.DataFrame  # one row per demand row
    x: list[pulp.LpVariable]  # per arc (unit)
    v: list[pulp.LpVariable]  # per demand row (unit, conventional)
    build_time_s: float
    market: pd.DataFrame  # one row per market arc: option, demand row, bounds, coefficients
    m: list[pulp.LpVariable]  # per market arc (unit)

    def stats(self) -> dict[str, int]:
        """Sizes of the PuLP problem: arcs, variables, binaries, constraints, nonzeros."""
        variables = self.problem.variables()
        return {
            "arcs": len(self.arcs) + len(self.market),
            "variables": len(variables),
            "binaries": sum(1 for v in variables if v.cat == pulp.LpInteger),
            "constraints": len(self.problem.constraints),
            "nonzeros": sum(len(c) for c in self.problem.constraints.values()),
        }


def find_arcs(scenario: Scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Arcs (offer × canteen pairs in reach where the canteen demands that product that week,
    minimum lot fitting) and the demand rows, as pandas frames with all coefficients."""
    products = scenario.products.set_index("product_id")
    meat_fish = products["family"].isin([MEAT_FAMILY, FISH_FAMILY])
    demand = scenario.demand[scenario.demand["qty"] > 0].reset_index(drop=True)
    demand = demand.assign(
        d=np.arange(len(demand)),
        ref_price=products["reference_price_eur_ht"].reindex(demand["product_id"]).to_numpy(),
        kg_per_unit=products["kg_per_unit"].reindex(demand["product_id"]).to_numpy(),
        meat_fish=meat_fish.reindex(demand["product_id"]).to_numpy(),
    )
    offers = scenario.offers[scenario.offers["qty"] > 0].reset_index(drop=True)
    classes = line_classes(offers["labels"])
    offers = offers.assign(
        o=np.arange(len(offers)),
        quality=classes["is_quality"].to_numpy(),
        organic=classes["is_organic"].to_numpy(),
        lot=offers["min_lot_qty"].fillna(0.0).to_numpy(float),
    )
    producers = scenario.producers.rename(
        columns={
            "lat": "p_lat",
            "lon": "p_lon",
            "delivery_capacity_kg_per_week": "capacity",
            "max_drops_per_week": "max_drops",
            "delivery_radius_km": "radius",
            "min_order_eur_ht": "franco",
        }
    )
    canteens = scenario.canteens.rename(columns={"lat": "c_lat", "lon": "c_lon"})
    arcs = (
        offers[["o", "producer_id", "product_id", "week", "qty", "price_eur_ht", "quality"]]
        .assign(organic=offers["organic"], lot=offers["lot"])
        .rename(columns={"qty": "offer_qty", "price_eur_ht": "price"})
        .merge(
            demand[["d", "canteen_id", "product_id", "week", "qty", "ref_price"]]
            .assign(kg_per_unit=demand["kg_per_unit"], meat_fish=demand["meat_fish"])
            .rename(columns={"qty": "demand_qty"}),
            on=["product_id", "week"],
        )
        .merge(
            producers[
                ["producer_id", "p_lat", "p_lon", "capacity", "max_drops", "radius", "franco"]
            ],
            on="producer_id",
        )
        .merge(canteens[["canteen_id", "c_lat", "c_lon"]], on="canteen_id")
    )
    arcs["distance_km"] = haversine_km(arcs["p_lat"], arcs["p_lon"], arcs["c_lat"], arcs["c_lon"])
    arcs["ub"] = np.minimum(arcs["offer_qty"], arcs["demand_qty"])
    keep = (
        (arcs["distance_km"] <= arcs["radius"])
        & (arcs["capacity"] > 0)
        & (arcs["max_drops"] > 0)
        & (arcs["lot"] <= arcs["ub"])
    )
    arcs = arcs[keep]
    # Drops that can never pay the franco: their value is at most Σ u_a π_a and at most
    # K_p · max_a π_a / m_a; below F_p no feasible plan uses them, so their arcs are left out.
    drop = arcs.groupby(["producer_id", "canteen_id", "week"], sort=False)
    most = (arcs["ub"] * arcs["price"]).groupby([arcs[k] for k in drop.keys]).transform("sum")
    per_kg = (arcs["price"] / arcs["kg_per_unit"]).groupby([arcs[k] for k in drop.keys])
    reach = np.minimum(most, arcs["capacity"] * per_kg.transform("max"))
    arcs = arcs[reach >= arcs["franco"] - 1e-9]
    arcs = arcs.sort_values(["o", "d"]).reset_index(drop=True)
    radius = scenario.parameters.local_radius_km
    arcs["local"] = True if radius is None else arcs["distance_km"] <= radius
    return arcs, demand


def find_market_arcs(scenario: Scenario, demand: pd.DataFrame) -> pd.DataFrame:
    """Market arcs: each option × demand row of its product in a week of its availability, for
    a canteen it serves; ``limit`` its weekly limit (inf for none), ``ub`` the most it may
    carry."""
    options = scenario.market.assign(
        limit=scenario.market["max_qty_per_week"].astype(float).fillna(np.inf)
    )
    options = options[options["limit"] > 0]
    classes = line_classes(options["labels"])
    options = options.assign(
        quality=classes["is_quality"].to_numpy(), organic=classes["is_organic"].to_numpy()
    )
    columns = ["market_id", "product_id", "price_eur_ht", "quality", "organic", "limit"]
    arcs = options[[*columns, "first_week", "last_week", "canteen_ids"]].merge(
        demand[["d", "canteen_id", "product_id", "week", "qty", "ref_price", "meat_fish"]],
        on="product_id",
    )
    first = arcs["first_week"].fillna("").astype(str)
    last = arcs["last_week"].fillna("~").astype(str)  # "~" sorts after every ISO week
    listed = [
        not isinstance(ids, str) or not ids or c in ids.split(",")
        for ids, c in zip(arcs["canteen_ids"], arcs["canteen_id"], strict=True)
    ]
    keep = (arcs["week"] >= first) & (arcs["week"] <= last) & np.array(listed, bool)
    arcs = arcs[keep].rename(columns={"price_eur_ht": "price"})
    arcs = arcs.assign(ub=np.minimum(arcs["qty"], arcs["limit"]))
    return arcs.sort_values(["market_id", "d"]).reset_index(drop=True)


def build_pulp(scenario: Scenario, relax: bool = False) -> PulpModel:
    """The model of ``docs/model.md`` in PuLP; ``relax``: drops and lots continuous in [0, 1]."""
    started = time.perf_counter()
    params = scenario.parameters
    w, targets = params.weights, params.targets
    arcs, demand = find_arcs(scenario)
    market = find_market_arcs(scenario, demand)
    prob = pulp.LpProblem("rhd_match_pulp", pulp.LpMinimize)
    binary = pulp.LpContinuous if relax else pulp.LpInteger

    # Variables.
    x = [pulp.LpVariable(f"x_{a}", 0, ub) for a, ub in enumerate(arcs["ub"])]
    m = [pulp.LpVariable(f"m_{a}", 0, ub) for a, ub in enumerate(market["ub"])]
    v = [pulp.LpVariable(f"v_{d}", 0) for d in range(len(demand))]
    canteens = scenario.canteens
    canteen_ids = list(canteens["canteen_id"])
    s_q = {c: pulp.LpVariable(f"sq_{i}", 0) for i, c in enumerate(canteen_ids)}
    s_o = {c: pulp.LpVariable(f"so_{i}", 0) for i, c in enumerate(canteen_ids)}
    s_m = {c: pulp.LpVariable(f"sm_{i}", 0) for i, c in enumerate(canteen_ids)}
    if params.hard_egalim:
        for s in (*s_q.values(), *s_o.values(), *s_m.values()):
            s.upBound = 0
    budgets = dict(zip(canteen_ids, canteens["budget_eur_ht"], strict=True))
    e = {
        c: pulp.LpVariable(f"e_{i}", 0, 0 if params.hard_budget else None)
        for i, c in enumerate(canteen_ids)
        if not pd.isna(budgets[c])
    }

    # Arcs grouped by demand row, offer, producer × week, drop and canteen.
    by_demand: dict[int, list[int]] = defaultdict(list)
    by_offer: dict[int, list[int]] = defaultdict(list)
    by_pw: dict[tuple[Any, Any], list[int]] = defaultdict(list)
    by_drop: dict[tuple[Any, Any, Any], list[int]] = defaultdict(list)
    by_canteen: dict[Any, list[int]] = defaultdict(list)
    rows = arcs[["d", "o", "producer_id", "canteen_id", "week"]].itertuples(index=False)
    for a, (d, o, p, c, wk) in enumerate(rows):
        by_demand[d].append(a)
        by_offer[o].append(a)
        by_pw[(p, wk)].append(a)
        by_drop[(p, c, wk)].append(a)
        by_canteen[c].append(a)
    price = arcs["price"].to_list()
    kg = arcs["kg_per_unit"].to_list()
    ub = arcs["ub"].to_list()
    producers = scenario.producers.set_index("producer_id")
    capacity = producers["delivery_capacity_kg_per_week"].to_dict()
    max_drops = producers["max_drops_per_week"].to_dict()
    franco = producers["min_order_eur_ht"].to_dict()

    # Market arcs grouped by demand row, option × week and canteen.
    m_demand: dict[int, list[int]] = defaultdict(list)
    m_option: dict[tuple[Any, Any], list[int]] = defaultdict(list)
    m_canteen: dict[Any, list[int]] = defaultdict(list)
    m_rows = market[["d", "market_id", "week", "canteen_id"]].itertuples(index=False)
    for a, (d, option, wk, c) in enumerate(m_rows):
        m_demand[d].append(a)
        m_option[(option, wk)].append(a)
        m_canteen[c].append(a)

    # Demand, offer, weekly capacity, market limits.
    for d, qty in enumerate(demand["qty"]):
        served = pulp.lpSum(x[a] for a in by_demand.get(d, [])) + pulp.lpSum(
            m[a] for a in m_demand.get(d, [])
        )
        prob += served + v[d] == qty, f"demand_{d}"
    limit = dict(zip(market["market_id"], market["limit"], strict=True))
    for i, ((option, _wk), members) in enumerate(m_option.items()):
        if np.isfinite(limit[option]):
            prob += pulp.lpSum(m[a] for a in members) <= limit[option], f"market_{i}"
    offer_qty = dict(zip(arcs["o"], arcs["offer_qty"], strict=True))
    for o, members in by_offer.items():
        prob += pulp.lpSum(x[a] for a in members) <= offer_qty[o], f"offer_{o}"
    for i, ((p, _wk), members) in enumerate(by_pw.items()):
        prob += pulp.lpSum(kg[a] * x[a] for a in members) <= capacity[p], f"capacity_{i}"

    # Drops: a binary where the franco or the weekly drop count can bind.
    canteens_per_pw: dict[tuple[Any, Any], int] = defaultdict(int)
    for p, _c, wk in by_drop:
        canteens_per_pw[(p, wk)] += 1
    drops_of_pw: dict[tuple[Any, Any], list[pulp.LpVariable]] = defaultdict(list)
    for g, ((p, _c, wk), members) in enumerate(by_drop.items()):
        if not (franco[p] > 0 or canteens_per_pw[(p, wk)] > max_drops[p]):
            continue
        y = pulp.LpVariable(f"y_{g}", 0, 1, binary)
        drops_of_pw[(p, wk)].append(y)
        kg_bound = min(capacity[p], sum(kg[a] * ub[a] for a in members))
        prob += pulp.lpSum(kg[a] * x[a] for a in members) <= kg_bound * y, f"drop_link_{g}"
        if franco[p] > 0:
            prob += pulp.lpSum(price[a] * x[a] for a in members) >= franco[p] * y, f"franco_{g}"
    for i, ((p, _wk), ys) in enumerate(drops_of_pw.items()):
        prob += pulp.lpSum(ys) <= max_drops[p], f"drops_{i}"

    # Minimum lots.
    for a, lot in enumerate(arcs["lot"]):
        if lot > 0:
            z = pulp.LpVariable(f"z_{a}", 0, 1, binary)
            prob += x[a] >= lot * z, f"lot_low_{a}"
            prob += x[a] <= ub[a] * z, f"lot_high_{a}"

    # EGalim shares (elastic) and budgets, per canteen over the horizon.
    quality, organic = arcs["quality"].to_list(), arcs["organic"].to_list()
    meat_fish = arcs["meat_fish"].to_list()
    ref = demand["ref_price"].to_list()
    demand_mf = demand["meat_fish"].to_list()
    demand_of: dict[Any, list[int]] = defaultdict(list)
    for d, c in enumerate(demand["canteen_id"]):
        demand_of[c].append(d)
    target_cols = ("target_quality", "target_organic", "target_meat_fish")
    defaults = (targets.quality, targets.organic, targets.meat_fish)
    m_price, m_quality = market["price"].to_list(), market["quality"].to_list()
    m_organic, m_mf = market["organic"].to_list(), market["meat_fish"].to_list()
    for i, c in enumerate(canteen_ids):
        t_q, t_o, t_m = (
            defaults[k] if pd.isna(val) else float(val)
            for k, val in enumerate(canteens.loc[canteens.index[i], list(target_cols)])
        )
        mine, dem = by_canteen.get(c, []), demand_of.get(c, [])
        bought = m_canteen.get(c, [])
        value = (
            pulp.lpSum(price[a] * x[a] for a in mine)
            + pulp.lpSum(m_price[a] * m[a] for a in bought)
            + pulp.lpSum(ref[d] * v[d] for d in dem)
        )
        value_mf = (
            pulp.lpSum(price[a] * x[a] for a in mine if meat_fish[a])
            + pulp.lpSum(m_price[a] * m[a] for a in bought if m_mf[a])
            + pulp.lpSum(ref[d] * v[d] for d in dem if demand_mf[d])
        )
        quality_value = pulp.lpSum(price[a] * x[a] for a in mine if quality[a]) + pulp.lpSum(
            m_price[a] * m[a] for a in bought if m_quality[a]
        )
        organic_value = pulp.lpSum(price[a] * x[a] for a in mine if organic[a]) + pulp.lpSum(
            m_price[a] * m[a] for a in bought if m_organic[a]
        )
        mf_value = pulp.lpSum(
            price[a] * x[a] for a in mine if quality[a] and meat_fish[a]
        ) + pulp.lpSum(m_price[a] * m[a] for a in bought if m_quality[a] and m_mf[a])
        prob += quality_value + s_q[c] >= t_q * value, f"egalim_quality_{i}"
        prob += organic_value + s_o[c] >= t_o * value, f"egalim_organic_{i}"
        prob += mf_value + s_m[c] >= t_m * value_mf, f"egalim_meat_fish_{i}"
        if c in e:
            prob += value - e[c] <= float(budgets[c]), f"budget_{i}"

    # Objective (a market arc is never local and travels no distance).
    m_ref = market["ref_price"].to_list()
    local = arcs["local"].to_list()
    arc_ref, dist = arcs["ref_price"].to_list(), arcs["distance_km"].to_list()
    prob += (
        w.egalim_shortfall * pulp.lpSum([*s_q.values(), *s_o.values(), *s_m.values()])
        + w.budget_overrun * pulp.lpSum(e.values())
        + pulp.lpSum(
            (
                -w.local * local[a] * arc_ref[a]
                - w.organic * organic[a] * arc_ref[a]
                + w.cost * price[a]
                + w.distance * dist[a] * kg[a]
            )
            * x[a]
            for a in range(len(x))
        )
        + pulp.lpSum(w.cost * ref[d] * v[d] for d in range(len(v)))
        + pulp.lpSum(
            (w.cost * m_price[a] - w.organic * m_organic[a] * m_ref[a]) * m[a]
            for a in range(len(m))
        )
    )
    return PulpModel(prob, arcs, demand, x, v, time.perf_counter() - started, market, m)


def solve_pulp(
    model: PulpModel, time_limit_s: float, gap: float = 1e-9, threads: int = 2
) -> dict[str, Any]:
    """Solve with the CBC binary shipped in PuLP's wheel; status, objective, wall time (s).

    The wall time includes what PuLP does around CBC: writing the MPS file, starting the
    binary, reading the solution back. The model always has a plan (everything from the
    conventional supplier), so "Infeasible" is CBC's mistake: its preprocessing ("Cut
    generators found to be infeasible") does this on some of our MIPs. Then CBC is run again
    with ``preprocess off`` and the first attempt is reported under ``first_attempt``.
    """
    out = _cbc(model, time_limit_s, gap, threads, [])
    if out["status"] == "Infeasible":
        retry = _cbc(model, time_limit_s, gap, threads, ["preprocess off"])
        retry["first_attempt"] = out
        retry["options"] = "preprocess off"
        return retry
    return out


def _cbc(
    model: PulpModel, time_limit_s: float, gap: float, threads: int, options: list[str]
) -> dict[str, Any]:
    solver = pulp.PULP_CBC_CMD(
        msg=False, timeLimit=time_limit_s, gapRel=gap, threads=threads, options=options
    )
    started = time.perf_counter()
    model.problem.solve(solver)
    wall = time.perf_counter() - started
    status = pulp.LpStatus[model.problem.status]
    solution_status = pulp.LpSolution.get(model.problem.sol_status, str(model.problem.sol_status))
    objective = pulp.value(model.problem.objective)
    return {
        "status": status,
        "solution_status": solution_status,
        "objective": float(objective) if objective is not None else float("nan"),
        "solve_time_s": wall,
    }


def pulp_flows(scenario: Scenario, model: PulpModel) -> pd.DataFrame:
    """The plan of a solved PuLP model as a ``flows`` table (see ``docs/model.md``)."""
    arcs, demand = model.arcs, model.demand
    x = np.array([var.varValue or 0.0 for var in model.x], float)
    v = np.array([var.varValue or 0.0 for var in model.v], float)
    m = np.array([var.varValue or 0.0 for var in model.m], float)
    x[x < 1e-7] = 0.0
    v[v < 1e-7] = 0.0
    m[m < 1e-7] = 0.0
    on, von, mon = x > 0, v > 0, m > 0
    local = arcs.loc[on, ["producer_id", "canteen_id", "product_id", "week"]].assign(qty=x[on])
    conventional = demand.loc[von, ["canteen_id", "product_id", "week"]].assign(qty=v[von])
    market = model.market.loc[mon, ["market_id", "canteen_id", "product_id", "week"]]
    return make_flows(scenario, local, conventional, market.assign(qty=m[mon]))
