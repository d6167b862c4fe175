"""Cost–organic trade-off: monotone curve, end points equal to direct solves, a plot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from rhd_match import Scenario
from rhd_match.analysis.tradeoff import cost_organic_tradeoff, max_organic_share
from rhd_match.generate import generate_scenario
from rhd_match.report.charts import plot_tradeoff

WEEKS = ("2026-W03", "2026-W04", "2026-W27", "2026-W28")
COST_ONLY = {
    "egalim_shortfall": 0.0,
    "budget_overrun": 0.0,
    "local": 0.0,
    "organic": 0.0,
    "cost": 1.0,
    "distance": 0.0,
}


def small_scenario(canteens: list[str] | None = None) -> Scenario:
    """6 canteens, 20 producers, 4 weeks of the seeded generator (organic supply exists)."""
    tables: dict[str, Any] = generate_scenario(n_canteens=6, n_producers=20, seed=1).tables
    tables["market"] = tables["market"].iloc[:0]  # the trade-off of local supply alone
    for name in ("demand", "offers"):
        tables[name] = tables[name][tables[name]["week"].isin(WEEKS)]
    if canteens is not None:
        tables["canteens"] = tables["canteens"][tables["canteens"]["canteen_id"].isin(canteens)]
        tables["demand"] = tables["demand"][tables["demand"]["canteen_id"].isin(canteens)]
    for col in ("target_quality", "target_organic", "target_meat_fish"):
        tables["canteens"][col] = np.nan
    return Scenario.from_frames(**tables)


@pytest.fixture(scope="module")
def curve() -> pd.DataFrame:
    return cost_organic_tradeoff(small_scenario(), n_points=6)


def test_curve_spans_cheapest_to_largest_share_and_is_monotone(curve: pd.DataFrame) -> None:
    assert (curve["status"] == "optimal").all()
    assert curve["epsilon"].is_monotonic_increasing
    assert curve["epsilon"].iloc[-1] > curve["epsilon"].iloc[0] + 0.01
    # Every point reaches its epsilon, and more organic never costs less.
    assert (curve["share_organic"] >= curve["epsilon"] - 1e-6).all()
    assert (np.diff(curve["value_eur_ht"].to_numpy()) >= -1e-6).all()
    # Convex in the share (an LP's optimal value is convex in the right-hand side).
    slopes = np.diff(curve["value_eur_ht"]) / np.diff(curve["epsilon"])
    assert (np.diff(slopes) >= -1e-3 * np.abs(slopes).max()).all()
    reference = curve["value_eur_ht"] - curve["extra_cost_eur_ht"]
    assert np.allclose(reference, reference.iloc[0])


def test_end_points_equal_direct_solves_with_a_hard_organic_target() -> None:
    # With one canteen the territory share is that canteen's share, so the model's own hard
    # per-canteen organic target gives the same LP through the public solve path.
    base = small_scenario()
    chosen = [c for c in base.canteens["canteen_id"] if max_organic_share(small_scenario([c])) > 0]
    scenario = small_scenario(chosen[:1])
    curve = cost_organic_tradeoff(scenario, n_points=3)
    for _, point in curve.iloc[[0, -1]].iterrows():
        direct = scenario.with_parameters(
            targets={"quality": 0.0, "organic": float(point["epsilon"]), "meat_fish": 0.0},
            hard_egalim=True,
            weights=COST_ONLY,
        ).solve(strategy="lp", objective="weighted")
        row = direct.summary.iloc[0]
        assert row["value_eur_ht"] == pytest.approx(point["value_eur_ht"], rel=1e-6)
        assert row["share_organic"] == pytest.approx(point["share_organic"], abs=1e-6)


def test_start_share_above_the_maximum_is_clipped_to_it() -> None:
    scenario = small_scenario()
    top = max_organic_share(scenario)
    curve = cost_organic_tradeoff(scenario, n_points=2, start_share=top + 0.05)
    # The start is clipped to the reachable range: both points sit at the maximum.
    assert curve["epsilon"].tolist() == pytest.approx([top, top])
    assert (curve["status"] == "optimal").all()


def test_plot_is_deterministic(curve: pd.DataFrame, tmp_path: Path) -> None:
    first = plot_tradeoff(curve, tmp_path / "a.png").read_bytes()
    second = plot_tradeoff(curve, tmp_path / "b.png").read_bytes()
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert first == second
    svg = plot_tradeoff(curve, tmp_path / "a.svg").read_text(encoding="utf-8")
    assert svg == plot_tradeoff(curve, tmp_path / "b.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "EGalim 20 %" in svg and "<dc:date>" not in svg


def test_the_curve_speaks_the_active_language(curve: pd.DataFrame) -> None:
    from rhd_match.i18n import use_language
    from rhd_match.report.charts import tradeoff_figure

    with use_language("fr"):
        ax = tradeoff_figure(curve).axes[0]
    assert ax.get_xlabel() == "part bio des achats (pourcentage de la valeur)"
    assert ax.get_ylabel() == "moindre surcoût par rapport au tout conventionnel (€ HT)"
    assert ax.get_title() == "Coût des achats bio (relaxation PL)"
