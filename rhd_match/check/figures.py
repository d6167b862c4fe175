"""Per-canteen figures recomputed from the flows (EGalim shares, shortfalls, budget use),
the hard-mode rules on them, the comparison with a solution's ``canteens`` table, and the
model's objective recomputed from the flows alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..egalim import egalim_accounting, line_classes
from ..inputs.scenario import Scenario
from .contract import (
    CANTEEN_FIGURES,
    TARGETS,
    VIOLATION_COLUMNS,
    Found,
    differs,
    each_row,
    exceeds,
    number,
)
from .line_rules import as_text, canteen_targets, flag, lines

# -- per-canteen figures ----------------------------------------------------------------------


def canteen_figures(scenario: Scenario, flows: pd.DataFrame, tol: float = 1e-6) -> pd.DataFrame:
    """Per-canteen figures of a plan, recomputed from its flows and the inputs.

    Values come from the flow quantities and the inputs' prices, labels and families
    (``true_*`` of ``lines``), run through ``rhd_match.egalim.egalim_accounting``.
    Shortfalls are ``max(0, target × base − labelled value)`` in EUR HT, and in points of the
    base (0 where the base is 0); ``meets_*`` is True when the shortfall is within ``tol``.

    Parameters
    ----------
    scenario
        The input tables and parameters the plan was made for.
    flows
        A flows table (one row per purchase line, keyed by ``canteen_id``, ``product_id``,
        ISO ``week`` and ``producer_id``), or the frame ``lines`` made of one.
    tol
        Tolerance of ``meets_*`` (see ``check``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``canteen_id`` (every canteen of the scenario), with the columns of
        ``CANTEEN_FIGURES`` (EUR HT, fractions, bool) plus ``meat_fish_value_eur_ht`` (the
        meat-and-fish base), the labelled values ``quality_value_eur_ht``,
        ``organic_value_eur_ht``, ``meat_fish_labelled_eur_ht``, and
        ``budget_overrun_eur_ht`` = max(0, value − budget) (0 without a budget).
    """
    ln = flows if "true_value" in flows.columns else lines(scenario, flows)
    canteen_index = pd.Index(as_text(scenario.canteens["canteen_id"]), name="canteen_id")
    grouped = pd.DataFrame(
        {
            "canteen_id": ln["canteen_id"].to_numpy(),
            "family": ln["true_family"]
            .astype(object)
            .where(ln["true_family"].notna(), ln.get("family", ""))
            .astype(str)
            .to_numpy(),
            "labels": ln["true_labels"].astype(str).to_numpy(),
            "value_eur_ht": ln["true_value"].fillna(0.0).to_numpy(float),
            "local_value_eur_ht": np.where(
                ln["is_local"].to_numpy(bool), ln["true_value"].fillna(0.0), 0.0
            ),
        }
    )
    # Accounting is linear in the lines: add up lines of the same canteen, family and labels
    # first, so that a million flow rows become a few thousand.
    grouped = grouped.groupby(["canteen_id", "family", "labels"], sort=False).sum().reset_index()
    acc = egalim_accounting(grouped, by="canteen_id")
    local = grouped.groupby("canteen_id", sort=False)["local_value_eur_ht"].sum()
    acc = acc.reindex(canteen_index)

    out = canteen_targets(scenario).reindex(canteen_index)
    value = acc["valeur_totale"].fillna(0.0).to_numpy(float)
    quality = (
        (
            acc["valeur_bio"]
            + acc["valeur_siqo"]
            + acc["valeur_egalim_autres"]
            + acc["valeur_externalites_performance"]
        )
        .fillna(0.0)
        .to_numpy(float)
    )
    organic = acc["valeur_bio"].fillna(0.0).to_numpy(float)
    meat_fish = (
        (acc["valeur_viandes_volailles"] + acc["valeur_produits_de_la_mer"])
        .fillna(0.0)
        .to_numpy(float)
    )
    meat_fish_q = (
        (acc["valeur_viandes_volailles_egalim"] + acc["valeur_produits_de_la_mer_egalim"])
        .fillna(0.0)
        .to_numpy(float)
    )

    dem = scenario.demand
    ref_price = scenario.products.set_index(as_text(scenario.products["product_id"]))[
        "reference_price_eur_ht"
    ].astype(float)
    reference = (
        pd.Series(
            dem["qty"].to_numpy(float) * as_text(dem["product_id"]).map(ref_price).to_numpy(float),
            index=as_text(dem["canteen_id"]).to_numpy(),
        )
        .groupby(level=0)
        .sum()
        .reindex(canteen_index)
        .fillna(0.0)
        .to_numpy(float)
    )
    out["value_eur_ht"] = value
    out["reference_value_eur_ht"] = reference
    out["extra_cost_eur_ht"] = value - reference
    out["local_value_eur_ht"] = local.reindex(canteen_index).fillna(0.0).to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share_local"] = np.where(value > 0, out["local_value_eur_ht"] / value, np.nan)
    for share in ("share_organic", "share_quality", "share_meat_fish", "share_meat", "share_fish"):
        out[share] = acc[share].to_numpy(float)
    out["quality_value_eur_ht"] = quality
    out["organic_value_eur_ht"] = organic
    out["meat_fish_value_eur_ht"] = meat_fish
    out["meat_fish_labelled_eur_ht"] = meat_fish_q
    bases = {"quality": value, "organic": value, "meat_fish": meat_fish}
    labelled = {"quality": quality, "organic": organic, "meat_fish": meat_fish_q}
    for name in TARGETS:
        need = out[f"target_{name}"].to_numpy(float) * bases[name]
        gap = need - labelled[name]
        out[f"shortfall_{name}_eur_ht"] = np.maximum(0.0, gap)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"shortfall_{name}_points"] = np.where(
                bases[name] > 0, np.maximum(0.0, gap) / bases[name], 0.0
            )
        out[f"meets_{name}"] = ~exceeds(need, labelled[name], tol)
        # Within tolerance of the target either answer is right (but no base: it is met).
        out[f"_meets_{name}_sure"] = differs(need, labelled[name], tol) | (bases[name] <= 0)
    budget = out["budget_eur_ht"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["budget_use"] = np.where(budget > 0, value / budget, np.nan)
    out["budget_use"] = np.where((budget == 0) & (value == 0), 0.0, out["budget_use"])
    out["budget_overrun_eur_ht"] = np.where(np.isnan(budget), 0.0, np.maximum(0.0, value - budget))
    return out


def check_hard(scenario: Scenario, figures: pd.DataFrame, found: Found, tol: float) -> None:
    """Hard mode: no EGalim shortfall (``hard_egalim``), no budget overrun (``hard_budget``)."""
    rows = figures.reset_index()
    if scenario.parameters.hard_egalim:
        bases = {
            "quality": "value_eur_ht",
            "organic": "value_eur_ht",
            "meat_fish": "meat_fish_value_eur_ht",
        }
        for name in TARGETS:
            short = rows[f"shortfall_{name}_eur_ht"].to_numpy(float)
            base = rows[bases[name]].to_numpy(float)
            bad = short > tol * (1.0 + base)
            found.add(
                "egalim_hard",
                rows,
                each_row(
                    lambda s, t, n=name: f"{n} shortfall {number(s)} EUR HT (target {number(t)})",
                    f"shortfall_{name}_eur_ht",
                    f"target_{name}",
                ),
                ids=("canteen_id",),
                where=bad,
            )
    if scenario.parameters.hard_budget:
        bad = exceeds(rows["value_eur_ht"].to_numpy(float), rows["budget_eur_ht"], tol)
        found.add(
            "budget_hard",
            rows,
            each_row(
                lambda v, b: f"spends {number(v)} EUR HT, budget {number(b)} EUR HT",
                "value_eur_ht",
                "budget_eur_ht",
            ),
            ids=("canteen_id",),
            where=bad,
        )


def check_canteens(
    scenario: Scenario,
    figures: pd.DataFrame,
    reported: pd.DataFrame,
    found: Found,
    tol: float,
) -> None:
    """Compare the reported canteens table with :func:`canteen_figures`."""
    table = reported.reset_index() if "canteen_id" not in reported.columns else reported
    if "canteen_id" not in table.columns:
        table = table.rename(columns={table.columns[0]: "canteen_id"})
    table = table.assign(canteen_id=as_text(table["canteen_id"]))
    empty = pd.DataFrame({c: [""] for c in VIOLATION_COLUMNS[1:5]})
    for col in CANTEEN_FIGURES:
        if col not in table.columns:
            found.add("canteens_table", empty, f"canteens table lacks column '{col}'", ids=())
    demanded = set(as_text(scenario.demand["canteen_id"]))
    listed = set(table["canteen_id"])
    absent = figures.reset_index()
    absent = absent[absent["canteen_id"].isin(demanded - listed).to_numpy()]
    found.add(
        "canteens_table",
        absent,
        "canteen with demand missing from the canteens table",
        ids=("canteen_id",),
    )
    rep = table.drop_duplicates("canteen_id").set_index("canteen_id")
    mine = figures.loc[figures.index.intersection(rep.index)]
    rep = rep.loc[mine.index]
    rows = mine.reset_index()
    for col in CANTEEN_FIGURES:
        if col not in rep.columns:
            continue
        want = mine[col].to_numpy()
        if col.startswith("meets_"):
            got = flag(rep[col])
            sure = mine[f"_{col}_sure"].to_numpy(bool)
            bad = sure & (got != want.astype(bool))
        else:
            got = pd.to_numeric(rep[col], errors="coerce").to_numpy(dtype=float)
            want_f = want.astype(float)
            bad = differs(got, want_f, tol)
            if col.endswith("_points") or col == "budget_use":
                # NaN and 0 both say "no base".
                bad &= ~(np.isnan(got) & (np.nan_to_num(want_f) == 0.0))
        if not bad.any():
            continue
        found.add(
            "canteen_figure",
            rows[bad].assign(got=got[bad], want=want[bad]),
            each_row(lambda g, w, c=col: f"{c} reported {g}, recomputed {w}", "got", "want"),
            ids=("canteen_id",),
        )


# -- objective --------------------------------------------------------------------------------


def objective_from_flows(scenario: Scenario, flows: pd.DataFrame) -> float:
    """The objective of ``docs/model.md`` for the plan given by ``flows`` (dimensionless).

    ``W_S Σ_c (s^Q + s^O + s^M) + W_B Σ_c e − W_L Σ_a ℓ r x − W_O Σ_a b r x
    + W_C (Σ_a π x + Σ_d r v) + W_D Σ_a δ m x``, with the weights of
    ``scenario.parameters.weights``. Shortfalls take their least values
    ``max(0, T·V − labelled value)`` (EUR HT) and overruns ``max(0, V − B)``; ``x`` are the
    producer rows' quantities, ``v`` the conventional ones', priced, labelled, located and
    weighed from the input tables (see ``lines``).

    Parameters
    ----------
    scenario
        The input tables and the weights of ``scenario.parameters.weights``.
    flows
        A flows table (one row per purchase line, keyed by ``canteen_id``, ``product_id``,
        ISO ``week`` and ``producer_id``).

    Returns
    -------
    float
        The objective (EUR HT weighted by the objective weights).
    """
    w = scenario.parameters.weights
    ln = lines(scenario, flows)
    figures = canteen_figures(scenario, ln)
    qty = ln["qty"].fillna(0.0).to_numpy(float)
    producer = ln["is_producer"].to_numpy(bool)
    reference_value = qty * ln["reference_price"].fillna(0.0).to_numpy(float)
    organic = line_classes(ln["true_labels"].astype(str))["is_organic"].to_numpy(bool)
    shortfall = sum(float(figures[f"shortfall_{n}_eur_ht"].sum()) for n in TARGETS)
    overrun = float(figures["budget_overrun_eur_ht"].sum())
    local_gain = float(reference_value[producer & ln["is_local"].to_numpy(bool)].sum())
    organic_gain = float(reference_value[producer & organic].sum())
    cost = float(ln["true_value"].fillna(0.0).sum())
    kg_km = float(
        np.nansum(
            np.where(producer, ln["true_qty_kg"].to_numpy(float), 0.0)
            * np.nan_to_num(ln["true_distance_km"].to_numpy(float))
        )
    )
    return (
        w.egalim_shortfall * shortfall
        + w.budget_overrun * overrun
        - w.local * local_gain
        - w.organic * organic_gain
        + w.cost * cost
        + w.distance * kg_km
    )
