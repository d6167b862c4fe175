"""An independent exact solver for tiny scenarios, written from ``docs/model.md`` only.

It enumerates every 0/1 value of the drop variables ``y_g`` (and of the lot variables ``z_a``
inside open drops), solves the remaining LP with dense numpy matrices and
``scipy.optimize.linprog``, and keeps the best. Nothing comes from ``rhd_match.model``.

Two exact reductions keep the enumeration small:

* a producer with no franco (``F_p = 0``): opening one more drop only relaxes the problem (the
  drop link becomes ``Σ m x ≤ U_g`` and no franco row binds), so among the drop sets of that
  producer-week only the largest allowed ones (``min(N_p, n)`` drops) can be strictly better;
* ``z_a`` is only enumerated in open drops (a closed drop forces ``x_a = 0``, so ``z_a = 0``).

Arcs are every (offer, demand row) pair with the same product and week whose producer is within
its delivery radius of the canteen; capacity, drops and lots are left to the constraints (an
arc of a producer with ``K_p = 0`` or ``N_p = 0``, or whose lot exceeds ``min(Q, D)``, can only
carry 0), so the model's arc filter is checked rather than copied.

Labels and distances are recomputed here too, from ``docs/egalim.md`` and ``docs/model.md``:
every EGalim label code makes a line count toward the quality share, BIO toward the organic
one; distances are great-circle km by the chord of the unit sphere. Nothing comes from
``rhd_match.egalim`` or ``rhd_match.geo``.

Market options (``scenario.market``, docs/input-format.md) are one more block of variables,
one per (option, demand row) of the option's product, within its first and last ISO week, for a
canteen it is open to: bounded by the demand, never local, no distance, no drop; an option with
a weekly limit gets one row per week.

Hubs (``scenario.hubs``): an offer of a member producer (its ``hub_id``) may also reach, via
its hub, every canteen demanding that product that week within the hub's radius; the canteen
pays the offer's price × (1 + fee share) + fee per kg × kg. The producer's drop for those arcs
is at the hub (one per producer and week, its franco paid at the offer's price by the hub's
whole order, counted in its drops); its capacity is shared. Each hub × canteen × week with such
arcs is a hub drop: a 0/1 variable, enumerated when the hub has a minimum per drop (a link
row and a minimum row, in kg). A hub's weekly kg are at most its capacity and its fleet's
vehicles × payload × delivery days (5 when not given).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from rhd_match import Scenario

EGALIM_LABELS = frozenset(
    ["BIO", "LABEL_ROUGE", "AOCAOP", "IGP", "STG", "HVE", "PECHE_DURABLE", "RUP",
     "COMMERCE_EQUITABLE", "FERMIER", "EXTERNALITES", "PERFORMANCE"]
)  # fmt: skip
MEAT_FISH = ("VIANDES_VOLAILLES", "PRODUITS_DE_LA_MER")
EARTH_KM = 6371.0088


def chord_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle km from the straight chord between the two points on the unit sphere."""

    def unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        phi, lam = np.radians(lat), np.radians(lon)
        return np.stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])

    chord = np.linalg.norm(unit(lat1, lon1) - unit(lat2, lon2), axis=0)
    return np.asarray(2 * EARTH_KM * np.arcsin(np.clip(chord / 2, 0.0, 1.0)), float)


def label_codes(cell: object) -> set[str]:
    """The label codes of a labels cell (comma-separated, any case and spacing)."""
    if not isinstance(cell, str):
        return set()
    return {part.strip().upper() for part in cell.split(",")} - {""}


@dataclass
class BruteForce:
    """The optimum over every drop and lot assignment."""

    objective: float  # inf when no assignment is feasible (hard mode)
    flows: pd.DataFrame  # the best plan as a flows table (docs/model.md columns)
    assignments: int  # number of (y, z) assignments enumerated
    lps: int  # LPs solved (assignments not pruned before the LP)
    levels: tuple[float, ...] = ()  # with ``levels``: the value reached at each level


@dataclass
class _Data:
    sc: Scenario
    arcs: pd.DataFrame
    demand: pd.DataFrame
    canteens: pd.DataFrame
    drops: pd.DataFrame  # one row per (producer, canteen or hub, week) with arcs
    market: pd.DataFrame  # one row per (market option, demand row) it may serve
    hub_drops: pd.DataFrame  # one row per (hub, canteen, week) with arcs via the hub


def _data(sc: Scenario) -> _Data:
    products = sc.products.set_index("product_id")
    canteens = sc.canteens.set_index("canteen_id")
    producers = sc.producers.set_index("producer_id")
    demand = _option_rows(sc)
    demand["ref"] = demand["product_id"].map(products["reference_price_eur_ht"]).astype(float)
    demand["family"] = demand["product_id"].map(products["family"])
    offers = sc.offers.reset_index(drop=True).copy()
    offers["offer"] = np.arange(len(offers))
    demand["demand"] = np.arange(len(demand))
    arcs = offers.merge(demand, on=["product_id", "week"], suffixes=("_o", "_d"))
    arcs["dist"] = chord_km(
        arcs["producer_id"].map(producers["lat"]).to_numpy(float),
        arcs["producer_id"].map(producers["lon"]).to_numpy(float),
        arcs["canteen_id"].map(canteens["lat"]).to_numpy(float),
        arcs["canteen_id"].map(canteens["lon"]).to_numpy(float),
    )
    direct = arcs[arcs["dist"] <= arcs["producer_id"].map(producers["delivery_radius_km"])]
    direct = direct.assign(hub_id=None, drop_to=direct["canteen_id"], pi0=direct["price_eur_ht"])
    via = _via_hubs(sc, arcs)
    arcs = pd.concat([direct, via], ignore_index=True) if len(via) else direct
    arcs = arcs.reset_index(drop=True)
    arcs["u"] = np.minimum(arcs["qty_o"], arcs["qty_d"])
    arcs["m"] = arcs["product_id"].map(products["kg_per_unit"]).astype(float)
    arcs["lot"] = arcs["min_lot_qty"].fillna(0.0).astype(float)
    codes = arcs["labels"].map(label_codes)
    arcs["q"] = codes.map(lambda c: bool(c & EGALIM_LABELS)).astype(float)
    arcs["b"] = codes.map(lambda c: "BIO" in c).astype(float)
    arcs["f"] = arcs["family"].isin(MEAT_FISH).astype(float)
    radius = sc.parameters.local_radius_km
    arcs["l"] = 1.0 if radius is None else (arcs["dist"] <= radius).astype(float)
    demand["f"] = demand["family"].isin(MEAT_FISH).astype(float)
    t = sc.parameters.targets
    cant = sc.canteens.set_index("canteen_id")
    table = pd.DataFrame(index=cant.index)
    table["TQ"] = cant["target_quality"].fillna(t.quality).astype(float)
    table["TO"] = cant["target_organic"].fillna(t.organic).astype(float)
    table["TM"] = cant["target_meat_fish"].fillna(t.meat_fish).astype(float)
    table["B"] = cant["budget_eur_ht"].astype(float)
    key = ["producer_id", "drop_to", "week"]
    drops = arcs[key].drop_duplicates().reset_index(drop=True)
    drops = drops.join(
        producers[["max_drops_per_week", "min_order_eur_ht", "delivery_capacity_kg_per_week"]],
        on="producer_id",
    )
    arcs = arcs.merge(drops[key].reset_index().rename(columns={"index": "drop"}), on=key)
    hkey = ["hub_id", "canteen_id", "week"]
    via = arcs[arcs["hub_id"].notna()]
    hub_drops = via[hkey].drop_duplicates().reset_index(drop=True)
    arcs = arcs.merge(
        hub_drops.reset_index().rename(columns={"index": "hub_drop"}), on=hkey, how="left"
    )
    return _Data(sc, arcs, demand, table, drops, _market(sc, demand), hub_drops)


def _hub_capacity(hubs: pd.DataFrame) -> pd.Series:
    """kg a week per hub: its capacity, or vehicles × payload × delivery days when smaller."""
    days = hubs["delivery_days"].map(lambda d: len(d.split(";")) if isinstance(d, str) else 5)
    fleet = (hubs["vehicles"] * hubs["payload_kg"] * days).fillna(np.inf)
    return np.minimum(hubs["capacity_kg_per_week"], fleet).set_axis(hubs["hub_id"])


def _via_hubs(sc: Scenario, pairs: pd.DataFrame) -> pd.DataFrame:
    """(offer, demand row) pairs of member producers to canteens within their hub's radius."""
    hubs = sc.hubs.set_index("hub_id")
    canteens = sc.canteens.set_index("canteen_id")
    member = pairs["producer_id"].map(sc.producers.set_index("producer_id")["hub_id"])
    via = pairs[member.isin(hubs.index).to_numpy()].assign(hub_id=member)
    far = chord_km(
        via["hub_id"].map(hubs["latitude"]).to_numpy(float),
        via["hub_id"].map(hubs["longitude"]).to_numpy(float),
        via["canteen_id"].map(canteens["lat"]).to_numpy(float),
        via["canteen_id"].map(canteens["lon"]).to_numpy(float),
    )
    via = via[far <= via["hub_id"].map(hubs["radius_km"]).to_numpy(float)]
    kg = via["product_id"].map(sc.products.set_index("product_id")["kg_per_unit"])
    share = via["hub_id"].map(hubs["fee_share"]).fillna(0.0)
    per_kg = via["hub_id"].map(hubs["fee_eur_per_kg"]).fillna(0.0)
    return via.assign(
        pi0=via["price_eur_ht"],
        price_eur_ht=via["price_eur_ht"] * (1 + share) + per_kg * kg,
        drop_to="hub " + via["hub_id"].astype(str),
    )


def _option_rows(sc: Scenario) -> pd.DataFrame:
    """The demand rows, each row naming a group (docs/input-format.md, ``groups``) replaced by
    one row per product allowed in its week: ``qty`` its most (share × Q × conversion),
    ``line`` the group row's position (−1 for a plain row), ``conv`` its conversion."""
    demand = sc.demand.reset_index(drop=True)
    groups = sc.groups
    named = demand["product_id"].isin(set(groups["group_id"]))
    plain = demand[~named].assign(line=-1, conv=1.0)
    parts = [plain]
    for pos in np.flatnonzero(named.to_numpy()):
        row = demand.iloc[pos]
        for _, g in groups[groups["group_id"] == row["product_id"]].iterrows():
            first = g["first_week"] if isinstance(g["first_week"], str) else ""
            last = g["last_week"] if isinstance(g["last_week"], str) else "9999"
            if not first <= row["week"] <= last:
                continue
            conv = 1.0 if pd.isna(g["conversion"]) else float(g["conversion"])
            share = 1.0 if pd.isna(g["max_share"]) else float(g["max_share"])
            parts.append(
                pd.DataFrame(
                    {
                        "canteen_id": [row["canteen_id"]],
                        "product_id": [g["product_id"]],
                        "week": [row["week"]],
                        "qty": [share * float(row["qty"]) * conv],
                        "line": [pos],
                        "conv": [conv],
                        "group_qty": [float(row["qty"])],
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)


def _market(sc: Scenario, demand: pd.DataFrame) -> pd.DataFrame:
    """Market option × demand row pairs: same product, week in range, canteen allowed."""
    pairs = sc.market.merge(demand, on="product_id", suffixes=("_m", ""))
    week = pairs["week"].astype(str)
    first = pairs["first_week"].fillna("").astype(str)
    last = pairs["last_week"].fillna("9999").astype(str)
    allowed = [
        not isinstance(ids, str) or c in {i.strip() for i in ids.split(",")}
        for ids, c in zip(pairs["canteen_ids"], pairs["canteen_id"], strict=True)
    ]
    pairs = pairs[(week >= first) & (week <= last) & np.array(allowed, bool)]
    pairs = pairs.reset_index(drop=True)
    codes = pairs["labels"].map(label_codes)
    pairs["q"] = codes.map(lambda c: bool(c & EGALIM_LABELS)).astype(float)
    pairs["b"] = codes.map(lambda c: "BIO" in c).astype(float)
    return pairs


def _drop_choices(data: _Data) -> list[list[tuple[int, ...]]]:
    """Per producer-week, the sets of open drops worth enumerating (see module docstring)."""
    choices = []
    for _, group in data.drops.groupby(["producer_id", "week"], sort=True):
        members = list(group.index)
        n_max = min(int(group["max_drops_per_week"].iloc[0]), len(members))
        if float(group["min_order_eur_ht"].iloc[0]) == 0.0:
            sizes = [n_max]
        else:
            sizes = list(range(n_max + 1))
        choices.append([combo for size in sizes for combo in itertools.combinations(members, size)])
    return choices


def arc_count(sc: Scenario) -> int:
    """How many arcs (offer, demand row within delivery reach) the scenario has."""
    return len(_data(sc).arcs)


def count_assignments(sc: Scenario) -> int:
    """How many (y, z) assignments :func:`brute_force` would enumerate (to keep tests fast)."""
    data = _data(sc)
    lot_arcs = data.arcs.loc[data.arcs["lot"] > 0, "drop"].to_numpy()
    total = 0
    for open_sets in itertools.product(*_drop_choices(data)):
        opened = {g for s in open_sets for g in s}
        total += 2 ** int(np.isin(lot_arcs, list(opened)).sum())
    least = data.hub_drops["hub_id"].map(data.sc.hubs.set_index("hub_id")["min_drop_kg"])
    return total * 2 ** int((least.fillna(0.0) > 0).sum())


#: Relative tolerance when comparing two assignments' values at a level.
LEVEL_TOL = 1e-7


def brute_force(sc: Scenario, levels: tuple[str, ...] | None = None) -> BruteForce:
    """Exact optimum of the model of ``docs/model.md`` for a tiny scenario, by enumeration.

    ``levels``: the lexicographic objective instead of the weighted one, as names in order:
    ``egalim`` (EUR HT short of the targets, plus overrun at W_B / W_S), ``local`` (local value
    at reference prices, maximised), ``cost`` (purchase value plus W_D / W_C per kg·km). Each
    assignment's LP is solved level by level, each level kept at its optimum; the assignments
    are compared level by level (within ``LEVEL_TOL``).
    """
    data = _data(sc)
    arcs, demand, canteens = data.arcs, data.demand, data.canteens
    w = sc.parameters.weights
    hard_s, hard_b = sc.parameters.hard_egalim, sc.parameters.hard_budget
    mk = data.market
    n_a, n_d, n_c, n_m = len(arcs), len(demand), len(canteens), len(mk)
    budget_rows = [i for i, b in enumerate(canteens["B"]) if not math.isnan(b)]
    n_e = len(budget_rows)
    # Variable layout: x (arcs) | v (demand rows) | sQ, sO, sM (canteens) | e (budget canteens)
    # | market purchases
    X, V = 0, n_a
    SQ, SO, SM = n_a + n_d, n_a + n_d + n_c, n_a + n_d + 2 * n_c
    E = n_a + n_d + 3 * n_c
    M = E + n_e
    n = M + n_m
    pi_m = mk["price_eur_ht"].to_numpy(float)
    ref_m = mk["ref"].to_numpy(float)
    f_m = mk["family"].isin(MEAT_FISH).to_numpy(float)
    pi = arcs["price_eur_ht"].to_numpy(float)
    pi0 = arcs["pi0"].to_numpy(float)  # the offer's price: what pays the producer's franco
    ref_a = arcs["ref"].to_numpy(float)
    m = arcs["m"].to_numpy(float)
    r = demand["ref"].to_numpy(float)

    cost = np.zeros(n)
    cost[X:V] = (
        -w.local * arcs["l"].to_numpy() * ref_a
        - w.organic * arcs["b"].to_numpy() * ref_a
        + w.cost * pi
        + w.distance * arcs["dist"].to_numpy(float) * m
    )
    cost[V:SQ] = w.cost * r
    cost[SQ:E] = w.egalim_shortfall
    cost[E:M] = w.budget_overrun
    cost[M:] = -w.organic * mk["b"].to_numpy() * ref_m + w.cost * pi_m

    # Demand: Σ x + v = D on a plain row; Σ x + v ≤ its most on a group's option row, and
    # Σ_options (Σ x + v) / conversion = Q on the group's row.
    served = np.zeros((n_d, n))
    served[arcs["demand"].to_numpy(), X + np.arange(n_a)] = 1.0
    served[np.arange(n_d), V + np.arange(n_d)] = 1.0
    served[mk["demand"].to_numpy(int), M + np.arange(n_m)] = 1.0
    line = demand["line"].to_numpy()
    plain = line < 0
    group_rows = [
        (served[line == g] / demand["conv"].to_numpy()[line == g, None]).sum(axis=0)
        for g in np.unique(line[~plain])
    ]
    group_qty = [float(demand["group_qty"][line == g].iloc[0]) for g in np.unique(line[~plain])]
    a_eq = np.vstack([served[plain], *[r[None, :] for r in group_rows]])
    b_eq = np.r_[demand["qty"].to_numpy(float)[plain], group_qty]

    rows: list[np.ndarray] = list(served[~plain])
    rhs: list[float] = list(demand["qty"].to_numpy(float)[~plain])
    # Offers: Σ x ≤ Q.
    for _, group in arcs.groupby("offer"):
        row = np.zeros(n)
        row[X + group.index.to_numpy()] = 1.0
        rows.append(row)
        rhs.append(float(group["qty_o"].iloc[0]))
    # Weekly capacity: Σ m x ≤ K.
    producers = sc.producers.set_index("producer_id")
    for (p, _), group in arcs.groupby(["producer_id", "week"]):
        row = np.zeros(n)
        row[X + group.index.to_numpy()] = group["m"].to_numpy()
        rows.append(row)
        rhs.append(float(producers.loc[p, "delivery_capacity_kg_per_week"]))
    # Market weekly limits: Σ over canteens ≤ the limit.
    for (_, _), group in mk.groupby(["market_id", "week"]):
        limit = float(group["max_qty_per_week"].iloc[0])
        if not math.isnan(limit):
            row = np.zeros(n)
            row[M + group.index.to_numpy()] = 1.0
            rows.append(row)
            rhs.append(limit)
    # EGalim, per canteen: T·V − labelled − s ≤ 0, V = Σ π x + Σ r v.
    canteen_pos = {c: i for i, c in enumerate(canteens.index)}
    a_c = arcs["canteen_id"].map(canteen_pos).to_numpy()
    d_c = demand["canteen_id"].map(canteen_pos).to_numpy()
    m_c = mk["canteen_id"].map(canteen_pos).to_numpy()
    for i in range(n_c):
        in_a, in_d, in_m = a_c == i, d_c == i, m_c == i
        value = np.zeros(n)
        value[X:V][in_a] = pi[in_a]
        value[V:SQ][in_d] = r[in_d]
        value[M:][in_m] = pi_m[in_m]
        mf = value.copy()
        mf[X:V] *= arcs["f"].to_numpy()
        mf[V:SQ] *= demand["f"].to_numpy()
        mf[M:] *= f_m
        for s_col, target, lab, lab_m in (
            (SQ, canteens["TQ"].iloc[i], arcs["q"].to_numpy(), mk["q"].to_numpy()),
            (SO, canteens["TO"].iloc[i], arcs["b"].to_numpy(), mk["b"].to_numpy()),
            (
                SM,
                canteens["TM"].iloc[i],
                arcs["f"].to_numpy() * arcs["q"].to_numpy(),
                f_m * mk["q"].to_numpy(),
            ),
        ):
            row = target * (mf if s_col == SM else value)
            row[X:V] -= np.where(in_a, lab * pi, 0.0)
            row[M:] -= np.where(in_m, lab_m * pi_m, 0.0)
            row[s_col + i] = -1.0
            rows.append(row)
            rhs.append(0.0)
    # Budget: V − e ≤ B.
    for j, i in enumerate(budget_rows):
        in_a, in_d, in_m = a_c == i, d_c == i, m_c == i
        row = np.zeros(n)
        row[X:V][in_a] = pi[in_a]
        row[V:SQ][in_d] = r[in_d]
        row[M:][in_m] = pi_m[in_m]
        row[E + j] = -1.0
        rows.append(row)
        rhs.append(float(canteens["B"].iloc[i]))
    # Hub capacity, per hub and week.
    via = arcs["hub_id"].notna().to_numpy()
    hub_cap = _hub_capacity(sc.hubs)
    for (h, _), group in arcs[via].groupby(["hub_id", "week"]):
        row = np.zeros(n)
        row[X + group.index.to_numpy()] = group["m"].to_numpy()
        rows.append(row)
        rhs.append(float(hub_cap[h]))
    # Hub drops: link and minimum (kg), their right-hand sides depending on the hub drop's 0/1.
    hub_drops = data.hub_drops
    least = hub_drops["hub_id"].map(sc.hubs.set_index("hub_id")["min_drop_kg"]).fillna(0.0)
    least = least.to_numpy(float)
    hub_link_rows, hub_min_rows = [], []
    u_e = np.zeros(len(hub_drops))
    for e in range(len(hub_drops)):
        members = (arcs["hub_drop"] == e).to_numpy()
        u_e[e] = float((m * arcs["u"].to_numpy())[members].sum())
        row = np.zeros(n)
        row[X:V][members] = m[members]
        hub_link_rows.append(len(rows))
        rows.append(row)
        rhs.append(0.0)
        hub_min_rows.append(len(rows))
        rows.append(-row)
        rhs.append(0.0)
    hub_choices = [(0.0, 1.0) if least[e] > 0 else (1.0,) for e in range(len(hub_drops))]
    # Drop link and franco, one pair per drop; their right-hand sides depend on y.
    drops = data.drops
    link_rows, franco_rows = [], []
    u_g = np.zeros(len(drops))
    for g in range(len(drops)):
        members = (arcs["drop"] == g).to_numpy()
        row = np.zeros(n)
        row[X:V][members] = m[members]
        link_rows.append(len(rows))
        rows.append(row)
        rhs.append(0.0)
        u_g[g] = min(
            float(drops["delivery_capacity_kg_per_week"].iloc[g]),
            float((m * arcs["u"].to_numpy())[members].sum()),
        )
        row = np.zeros(n)
        row[X:V][members] = -pi0[members]
        franco_rows.append(len(rows))
        rows.append(row)
        rhs.append(0.0)
    a_ub = np.array(rows) if rows else np.zeros((0, n))
    b_ub_base = np.array(rhs)
    franco = drops["min_order_eur_ht"].to_numpy(float)

    base_lo = np.zeros(n)
    base_hi = np.full(n, np.inf)
    if hard_s:
        base_hi[SQ:E] = 0.0
    if hard_b:
        base_hi[E:M] = 0.0
    base_hi[M:] = demand["qty"].to_numpy(float)[mk["demand"].to_numpy(int)]
    u = arcs["u"].to_numpy(float)
    lot = arcs["lot"].to_numpy(float)
    arc_drop = arcs["drop"].to_numpy()
    lot_arcs = np.flatnonzero(lot > 0)

    level_costs = None
    if levels is not None:
        per_level = {name: np.zeros(n) for name in ("egalim", "local", "cost")}
        per_level["egalim"][SQ:E] = 1.0
        per_level["egalim"][E:] = w.budget_overrun / w.egalim_shortfall
        per_level["local"][X:V] = -arcs["l"].to_numpy() * ref_a
        per_level["cost"][X:V] = pi + w.distance / w.cost * arcs["dist"].to_numpy(float) * m
        per_level["cost"][V:SQ] = r
        level_costs = [per_level[name] for name in levels]
    best, best_x = math.inf, None
    best_levels: tuple[float, ...] = ()
    assignments = lps = 0
    for open_sets, hub_y in itertools.product(
        itertools.product(*_drop_choices(data)), itertools.product(*hub_choices)
    ):
        y = np.zeros(len(drops))
        y[[g for s in open_sets for g in s]] = 1.0
        b_ub = b_ub_base.copy()
        b_ub[link_rows] = u_g * y
        b_ub[franco_rows] = -franco * y
        b_ub[hub_link_rows] = u_e * np.array(hub_y)
        b_ub[hub_min_rows] = -least * np.array(hub_y)
        open_lots = lot_arcs[y[arc_drop[lot_arcs]] > 0]
        for z in itertools.product((0.0, 1.0), repeat=len(open_lots)):
            assignments += 1
            lo, hi = base_lo.copy(), base_hi.copy()
            hi[X:V] = u * y[arc_drop]
            hi[X + lot_arcs] = 0.0
            hi[X + open_lots] = u[open_lots] * np.array(z)
            lo[X + open_lots] = lot[open_lots] * np.array(z)
            if np.any(lo > hi):
                continue  # a lot larger than min(Q, D)
            # A franco no open drop can pay: infeasible, skip the LP.
            reach = np.bincount(arc_drop, pi0 * hi[X:V], minlength=len(drops))
            if np.any(reach < franco * y - 1e-9):
                continue
            lps += 1
            bounds = np.column_stack([lo, hi])
            if level_costs is None:
                res = linprog(
                    cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs"
                )
                if res.status == 0 and res.fun < best:
                    best, best_x = float(res.fun), res.x
                continue
            reached, x_lex = _lexicographic(level_costs, a_ub, b_ub, a_eq, b_eq, bounds)
            if x_lex is not None and _better(reached, best_levels):
                best, best_x, best_levels = reached[0], x_lex, reached
    flows = _flows(data, best_x) if best_x is not None else pd.DataFrame()
    return BruteForce(best, flows, assignments, lps, best_levels)


def _lexicographic(
    costs: list[np.ndarray],
    a_ub: np.ndarray,
    b_ub: np.ndarray,
    a_eq: np.ndarray,
    b_eq: np.ndarray,
    bounds: np.ndarray,
) -> tuple[tuple[float, ...], np.ndarray | None]:
    """Each level's optimum in turn, the earlier levels kept at theirs."""
    reached: list[float] = []
    x = None
    for c in costs:
        res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if res.status != 0:
            return (), None
        x = res.x
        reached.append(float(res.fun))
        a_ub = np.vstack([a_ub, c[None, :]])
        b_ub = np.append(b_ub, res.fun + LEVEL_TOL * max(1.0, abs(res.fun)))
    return tuple(reached), x


def _better(new: tuple[float, ...], old: tuple[float, ...]) -> bool:
    """Lexicographically smaller, each level compared within ``LEVEL_TOL``."""
    if not old:
        return True
    for a, b in zip(new, old, strict=True):
        if abs(a - b) > LEVEL_TOL * max(1.0, abs(a), abs(b)):
            return a < b
    return False


def _flows(data: _Data, values: np.ndarray) -> pd.DataFrame:
    """The plan as a flows table (docs/model.md), rows with zero quantity left out."""
    arcs, demand = data.arcs, data.demand
    x = values[: len(arcs)]
    v = values[len(arcs) : len(arcs) + len(demand)]
    producers = pd.DataFrame(
        {
            "supplier": "producer",
            "producer_id": arcs["producer_id"].to_numpy(),
            "hub_id": arcs["hub_id"].to_numpy(),
            "canteen_id": arcs["canteen_id"].to_numpy(),
            "product_id": arcs["product_id"].to_numpy(),
            "week": arcs["week"].to_numpy(),
            "family": arcs["family"].to_numpy(),
            "qty": x,
            "qty_kg": x * arcs["m"].to_numpy(),
            "price_eur_ht": arcs["price_eur_ht"].to_numpy(),
            "value_eur_ht": x * arcs["price_eur_ht"].to_numpy(),
            "labels": arcs["labels"].to_numpy(),
            "distance_km": arcs["dist"].to_numpy(),
            "local": arcs["l"].to_numpy() > 0,
        }
    )
    kg = demand["product_id"].map(data.sc.products.set_index("product_id")["kg_per_unit"])
    conventional = pd.DataFrame(
        {
            "supplier": "conventional",
            "producer_id": None,
            "canteen_id": demand["canteen_id"].to_numpy(),
            "product_id": demand["product_id"].to_numpy(),
            "week": demand["week"].to_numpy(),
            "family": demand["family"].to_numpy(),
            "qty": v,
            "qty_kg": v * kg.to_numpy(float),
            "price_eur_ht": demand["ref"].to_numpy(),
            "value_eur_ht": v * demand["ref"].to_numpy(),
            "labels": "",
            "distance_km": np.nan,
            "local": False,
        }
    )
    mk = data.market
    y = values[len(values) - len(mk) :] if len(mk) else np.zeros(0)
    m_kg = mk["product_id"].map(data.sc.products.set_index("product_id")["kg_per_unit"])
    market = pd.DataFrame(
        {
            "supplier": "market",
            "producer_id": None,
            "market_id": mk["market_id"].to_numpy(),
            "canteen_id": mk["canteen_id"].to_numpy(),
            "product_id": mk["product_id"].to_numpy(),
            "week": mk["week"].to_numpy(),
            "family": mk["family"].to_numpy(),
            "qty": y,
            "qty_kg": y * m_kg.to_numpy(float),
            "price_eur_ht": mk["price_eur_ht"].to_numpy(),
            "value_eur_ht": y * mk["price_eur_ht"].to_numpy(),
            "labels": mk["labels"].fillna("").to_numpy(),
            "distance_km": np.nan,
            "local": False,
        }
    )
    out = pd.concat([producers, conventional, market], ignore_index=True)
    return out[out["qty"] > 1e-9].reset_index(drop=True)
