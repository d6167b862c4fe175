"""Per-canteen figures recomputed from the flows (EGalim shares, shortfalls, budget use),
the hard-mode rules on them, the comparison with a solution's ``canteens`` table and its
territory ``summary``, and the model's objective recomputed from the flows alone.

EGalim figures are counted by the rules of ``docs/egalim.md`` restated in
``.contract``, with this module's own code, not by ``rhd_match.egalim``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ..i18n import format_number
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..inputs.scenario import Scenario
from .contract import (
    CANTEEN_FIGURES,
    CONVENTIONAL,
    EGALIM_LABELS,
    FISH,
    MEAT,
    ORGANIC,
    TARGETS,
    VIOLATION_COLUMNS,
    Found,
    differs,
    each_row,
    exceeds,
    number,
)
from .line_rules import as_text, canteen_targets, flag, lines

#: A canteen's shortfall of each EGalim target, in hard mode.
SHORTFALL = {
    "quality": N_("quality shortfall {value} EUR excl. VAT (target {target})"),
    "organic": N_("organic shortfall {value} EUR excl. VAT (target {target})"),
    "meat_fish": N_("meat_fish shortfall {value} EUR excl. VAT (target {target})"),
}
#: A reported figure that differs from the checker's recomputation.
RECOMPUTED = N_("{column} reported {got}, recomputed {want}")

# -- per-canteen figures ----------------------------------------------------------------------


def _label_flags(cells: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(quality, organic) flags of canonical labels cells."""
    codes, uniques = pd.factorize(cells.to_numpy(), use_na_sentinel=False)
    sets = [set(str(c).split(",")) for c in uniques]
    quality = np.array([bool(s & EGALIM_LABELS) for s in sets] + [False], dtype=bool)
    organic = np.array([ORGANIC in s for s in sets] + [False], dtype=bool)
    return quality[codes], organic[codes]


def _share(part: ArrayLike, base: ArrayLike) -> np.ndarray:
    """``part / base`` within [0, 1] (float noise clipped), NaN where the base is 0."""
    p, b = np.asarray(part, float), np.asarray(base, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.clip(np.where(b > 0, p / np.where(b > 0, b, 1.0), np.nan), 0.0, 1.0)


def canteen_figures(scenario: Scenario, flows: pd.DataFrame, tol: float = 1e-6) -> pd.DataFrame:
    """Per-canteen figures of a plan, recomputed from its flows and the inputs.

    Values come from the flow quantities and the inputs' prices, labels and families
    (``true_*`` of ``lines``), counted by the EGalim rules of ``docs/egalim.md`` (this
    package's own code).
    Shortfalls are ``max(0, target × base − labelled value)`` in EUR HT, and in points of the
    base (0 where the base is 0); ``meets_*`` is True when the shortfall is within ``tol``
    and the canteen buys something.

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
    family = ln["true_family"].astype(object).where(ln["true_family"].notna(), ln.get("family", ""))
    family_code = family.astype(str).to_numpy()
    quality_line, organic_line = _label_flags(ln["true_labels"].astype(str))
    value_line = ln["true_value"].fillna(0.0).to_numpy(float)
    meat, fish = family_code == MEAT, family_code == FISH
    parts = {
        "value": value_line,
        "local": np.where(ln["is_local"].to_numpy(bool), value_line, 0.0),
        "market": np.where(ln["is_market"].to_numpy(bool), value_line, 0.0),
        "conventional": np.where(ln["is_conventional"].to_numpy(bool), value_line, 0.0),
        "quality": value_line * quality_line,
        "organic": value_line * organic_line,
        "meat": value_line * meat,
        "meat_q": value_line * (meat & quality_line),
        "fish": value_line * fish,
        "fish_q": value_line * (fish & quality_line),
    }
    acc = (
        pd.DataFrame(parts)
        .groupby(ln["canteen_id"].to_numpy(), sort=False)
        .sum()
        .reindex(canteen_index)
        .fillna(0.0)
    )

    out = canteen_targets(scenario).reindex(canteen_index)
    value = acc["value"].to_numpy(float)
    quality = acc["quality"].to_numpy(float)
    organic = acc["organic"].to_numpy(float)
    meat_fish = (acc["meat"] + acc["fish"]).to_numpy(float)
    meat_fish_q = (acc["meat_q"] + acc["fish_q"]).to_numpy(float)

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
    out["local_value_eur_ht"] = acc["local"].to_numpy(float)
    shares = {
        "share_local": (out["local_value_eur_ht"].to_numpy(float), value),
        "share_market": (acc["market"].to_numpy(float), value),
        "share_conventional": (acc["conventional"].to_numpy(float), value),
        "share_organic": (organic, value),
        "share_quality": (quality, value),
        "share_meat_fish": (meat_fish_q, meat_fish),
        "share_meat": (acc["meat_q"].to_numpy(float), acc["meat"].to_numpy(float)),
        "share_fish": (acc["fish_q"].to_numpy(float), acc["fish"].to_numpy(float)),
    }
    for share, (part, base) in shares.items():
        out[share] = _share(part, base)
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
        out[f"meets_{name}"] = ~exceeds(need, labelled[name], tol) & (value > 0)
        # Within tolerance of the target either answer is right (but no base: it is met).
        out[f"_meets_{name}_sure"] = differs(need, labelled[name], tol) | (bases[name] <= 0)
    budget = out["budget_eur_ht"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["budget_use"] = np.where(budget > 0, value / budget, np.nan)
    out["budget_use"] = np.where((budget == 0) & (value == 0), 0.0, out["budget_use"])
    out["budget_overrun_eur_ht"] = np.where(np.isnan(budget), 0.0, np.maximum(0.0, value - budget))
    return out


def _is_shortfall(column: str) -> bool:
    return column.startswith("shortfall_") and column.endswith("_eur_ht")


def check_hard(scenario: Scenario, figures: pd.DataFrame, found: Found, tol: float) -> None:
    """Hard mode: no EGalim shortfall (``hard_egalim``), no budget overrun (``hard_budget``).

    Parameters
    ----------
    scenario
        The scenario; its parameters say which modes are hard.
    figures
        The recomputed per-canteen figures (``canteen_figures``), EUR HT.
    found
        Collects each shortfall or overrun as a violation.
    tol
        Relative and absolute tolerance.
    """
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
                    lambda s, t, n=name: _(SHORTFALL[n]).format(value=number(s), target=number(t)),
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
                lambda v, b: _(
                    "spends {value} EUR excl. VAT, budget {budget} EUR excl. VAT"
                ).format(value=number(v), budget=number(b)),
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
    """Compare the reported canteens table with ``canteen_figures``.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    figures
        The recomputed per-canteen figures (``canteen_figures``), indexed by ``canteen_id``.
    reported
        The solution's ``canteens`` table, one row per ``canteen_id``.
    found
        Collects each difference as a violation.
    tol
        Relative and absolute tolerance.
    """
    table = reported.reset_index() if "canteen_id" not in reported.columns else reported
    if "canteen_id" not in table.columns:
        table = table.rename(columns={table.columns[0]: "canteen_id"})
    table = table.assign(canteen_id=as_text(table["canteen_id"]))
    empty = pd.DataFrame({c: [""] for c in VIOLATION_COLUMNS[1:5]})
    for col in CANTEEN_FIGURES:
        if col not in table.columns:
            msg = _("canteens table lacks column '{column}'").format(column=col)
            found.add("canteens_table", empty, msg, ids=())
    demanded = set(as_text(scenario.demand["canteen_id"]))
    listed = set(table["canteen_id"])
    absent = figures.reset_index()
    absent = absent[absent["canteen_id"].isin(demanded - listed).to_numpy()]
    found.add(
        "canteens_table",
        absent,
        _("canteen with demand missing from the canteens table"),
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
            # A shortfall is a difference of sums of the canteen's purchases: within
            # tolerance of their value, as the plan's own rounding at the target is.
            scale = 1.0 + mine["value_eur_ht"].to_numpy(float) if _is_shortfall(col) else 1.0
            bad = differs(got / scale, want_f / scale, tol)
            if col.endswith("_points") or col == "budget_use":
                # NaN and 0 both say "no base".
                bad &= ~(np.isnan(got) & (np.nan_to_num(want_f) == 0.0))
        if not bad.any():
            continue
        found.add(
            "canteen_figure",
            rows[bad].assign(got=got[bad], want=want[bad]),
            each_row(
                lambda g, w, c=col: _(RECOMPUTED).format(
                    column=c, got=_figure_text(g), want=_figure_text(w)
                ),
                "got",
                "want",
            ),
            ids=("canteen_id",),
        )


# -- territory summary ------------------------------------------------------------------------


def territory_figures(
    scenario: Scenario, ln: pd.DataFrame, figures: pd.DataFrame
) -> tuple[dict[str, float], dict[str, tuple[int, int]]]:
    """Territory totals of a plan and the range of each count of canteens meeting a target.

    ``ln`` and ``figures`` are ``lines`` and ``canteen_figures`` of the plan. Totals:
    ``value_eur_ht``, ``local_value_eur_ht`` (EUR HT), ``share_local``, ``share_local_kg``,
    ``share_organic``, ``share_quality``, ``share_meat_fish`` (fractions). Counts
    ``canteens_meeting_{quality,organic,meat_fish,all}``: (least, most), the two differing by
    the canteens within tolerance of a target, where either answer is right.
    """
    value = float(figures["value_eur_ht"].sum())
    local_value = float(figures["local_value_eur_ht"].sum())
    kg = ln["true_qty_kg"].fillna(0.0).to_numpy(float)
    local_kg = float(kg[ln["is_local"].to_numpy(bool)].sum())
    meat_fish = float(figures["meat_fish_value_eur_ht"].sum())
    totals = {
        "value_eur_ht": value,
        "local_value_eur_ht": local_value,
        "share_local": float(_share(local_value, value)),
        "share_local_kg": local_kg / max(float(kg.sum()), 1e-6),
        "share_organic": float(_share(figures["organic_value_eur_ht"].sum(), value)),
        "share_quality": float(_share(figures["quality_value_eur_ht"].sum(), value)),
        "share_meat_fish": float(_share(figures["meat_fish_labelled_eur_ht"].sum(), meat_fish)),
    }
    meets = {n: figures[f"meets_{n}"].to_numpy(bool) for n in TARGETS}
    sure = {n: figures[f"_meets_{n}_sure"].to_numpy(bool) for n in TARGETS}
    counts = {
        f"canteens_meeting_{n}": (int((meets[n] & sure[n]).sum()), int((meets[n] | ~sure[n]).sum()))
        for n in TARGETS
    }
    all_low = np.logical_and.reduce([meets[n] & sure[n] for n in TARGETS])
    all_high = np.logical_and.reduce([meets[n] | ~sure[n] for n in TARGETS])
    counts["canteens_meeting_all"] = (int(all_low.sum()), int(all_high.sum()))
    return totals, counts


def check_summary(
    scenario: Scenario,
    ln: pd.DataFrame,
    figures: pd.DataFrame,
    summary: pd.DataFrame,
    found: Found,
    tol: float,
) -> None:
    """Compare a solution's summary row with the territory figures recomputed here.

    After: the plan's totals, counts, shortfalls and extra cost, and the objective of a solved
    plan (status optimal or feasible; ``objective_from_flows``). Before: the same for the
    all-conventional plan (every demand row at reference price, no label), built here from the
    demand table. Sizes: canteens, producers, products, ISO weeks (of demand and offers).

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    ln
        The flow rows joined with the inputs (``lines``).
    figures
        The recomputed per-canteen figures (``canteen_figures``).
    summary
        The solution's one-row ``summary``.
    found
        Collects each difference as a violation.
    tol
        Relative and absolute tolerance.
    """
    if summary.empty:
        return
    row = summary.iloc[0]
    conventional = pd.DataFrame(
        {
            "supplier": CONVENTIONAL,
            "producer_id": "",
            "canteen_id": scenario.demand["canteen_id"].to_numpy(),
            "product_id": scenario.demand["product_id"].to_numpy(),
            "week": scenario.demand["week"].to_numpy(),
            "qty": scenario.demand["qty"].to_numpy(float),
        }
    )
    before_ln = lines(scenario, conventional, tol)
    before_fig = canteen_figures(scenario, before_ln, tol)
    want: dict[str, float] = {}
    ranges: dict[str, tuple[int, int]] = {}
    for suffix, (lns, figs) in {"": (ln, figures), "_before": (before_ln, before_fig)}.items():
        totals, counts = territory_figures(scenario, lns, figs)
        want |= {f"{k}{suffix}": v for k, v in totals.items()}
        ranges |= {f"{k}{suffix}": v for k, v in counts.items()}
    extra = want["value_eur_ht"] - want["value_eur_ht_before"]
    want["extra_cost_eur_ht"] = extra
    want["extra_cost_share"] = extra / max(want["value_eur_ht_before"], 1e-9)
    for name in TARGETS:
        want[f"shortfall_{name}_eur_ht"] = float(figures[f"shortfall_{name}_eur_ht"].sum())
    sizes = {"canteens": scenario.canteens, "producers": scenario.producers}
    ranges |= {k: (len(t), len(t)) for k, t in sizes.items()}
    ranges["products"] = (len(scenario.products), len(scenario.products))
    # The horizon: every ISO week with demand or an offer.
    weeks = set(as_text(scenario.demand["week"])) | set(as_text(scenario.offers["week"]))
    ranges["weeks"] = (len(weeks), len(weeks))
    if str(row.get("status", "")) in ("optimal", "feasible"):
        want["objective"] = objective_from_flows(scenario, ln)
    wrong: list[str] = []
    for col, value in want.items():
        scale = 1.0 + abs(want["value_eur_ht"]) if _is_shortfall(col) else 1.0
        if col in row.index and differs(float(row[col]) / scale, value / scale, tol).item():
            got = _figure_text(row[col])
            wrong.append(_(RECOMPUTED).format(column=col, got=got, want=number(value)))
    for col, (low, high) in ranges.items():
        if col in row.index and not low <= int(row[col]) <= high:
            shown = (
                format_number(low)
                if low == high
                else _("{low} to {high}").format(low=format_number(low), high=format_number(high))
            )
            got = _figure_text(row[col])
            wrong.append(_(RECOMPUTED).format(column=col, got=got, want=shown))
    empty = pd.DataFrame({c: [""] * len(wrong) for c in VIOLATION_COLUMNS[1:5]})
    found.add("summary_figure", empty, lambda _: wrong, ids=())


def _figure_text(value: object) -> str:
    """A reported or recomputed figure in a message: yes or no for a flag, a number with the
    language's decimal sign (``number``), anything else as it is."""
    if isinstance(value, bool | np.bool_):
        return _("yes") if value else _("no")
    try:
        return number(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)


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
    ln = flows if "true_value" in flows.columns else lines(scenario, flows)
    figures = canteen_figures(scenario, ln)
    qty = ln["qty"].fillna(0.0).to_numpy(float)
    producer = ln["is_producer"].to_numpy(bool)
    reference_value = qty * ln["reference_price"].fillna(0.0).to_numpy(float)
    organic = _label_flags(ln["true_labels"].astype(str))[1]
    shortfall = sum(float(figures[f"shortfall_{n}_eur_ht"].sum()) for n in TARGETS)
    overrun = float(figures["budget_overrun_eur_ht"].sum())
    local_gain = float(reference_value[producer & ln["is_local"].to_numpy(bool)].sum())
    # The organic gain counts market purchases too (docs/model.md: every arc's b_a r_a x_a).
    bought = producer | ln["is_market"].to_numpy(bool)
    organic_gain = float(reference_value[bought & organic].sum())
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
