"""The ``Solution`` of an allocation: tables keyed by the input ids, and solver stats."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..i18n import gettext_noop as N_
from ..io import csv_writer, write_folder_atomically
from ..xlsx import workbook_writer

#: Why demand went to the conventional supplier (``unmet_local``'s ``reason``), in the order
#: the reasons are tested by ``rhd_match.model.unmet.unmet_local_table``. Marked for the
#: catalogues: reports show them translated, the tables keep the English sentence.
REASONS = {
    "no_offer_in_range": N_("no producer within reach offers this product this week"),
    "offer_exhausted": N_("every offer within reach is sold out"),
    "capacity": N_("producers with stock left are at their weekly kg capacity"),
    "drops": N_("producers with stock and capacity left have no drop left this week"),
    "franco": N_(
        "what is left to buy from the producers within reach would not reach their minimum order"
    ),
    "optimiser_choice": N_(
        "a local offer was left unused: it would cost more than it brings "
        "(price, EGalim shares of the added value, budget or minimum lot)"
    ),
}

TABLE_NAMES = ("summary", "canteens", "producers", "producer_weeks", "flows", "unmet_local")


@dataclass(frozen=True, eq=False)
class Solution:
    """A purchase plan and how it was found.

    Tables (see ``docs/model.md``, *Solution tables*): ``flows`` (one row per purchase line,
    conventional purchases included), ``canteens`` (EGalim shares, targets, shortfalls in EUR HT
    and points, budget use), ``producers`` and ``producer_weeks`` (sales in EUR HT, kg against
    weekly capacity, drops against the weekly maximum), ``unmet_local`` (demand bought from the
    conventional supplier, and why) and ``summary`` (one row: territory totals before and after,
    solver status, objective, best bound, gap, build and solve times in s).

    Attributes
    ----------
    flows : pandas.DataFrame
        One row per ``canteen_id`` × ``product_id`` × ISO ``week`` × ``producer_id`` bought
        (``producer_id`` empty for the conventional supplier): quantity (product unit), kg,
        value (EUR HT), distance (km), EGalim classes.
    canteens : pandas.DataFrame
        One row per ``canteen_id``: EGalim shares before and after, targets, shortfalls (EUR HT
        and points), budget use (EUR HT).
    producers : pandas.DataFrame
        One row per ``producer_id``: sales (EUR HT), kg, canteens served.
    producer_weeks : pandas.DataFrame
        One row per ``producer_id`` × ISO ``week``: kg against weekly capacity, drops against
        the weekly maximum, sales (EUR HT).
    unmet_local : pandas.DataFrame
        One row per ``canteen_id`` × ``product_id`` × ISO ``week`` bought conventionally: kg,
        value (EUR HT) and ``reason`` (one of ``REASONS``).
    summary : pandas.DataFrame
        One row: territory totals before and after, solver status and statistics.
    """

    flows: pd.DataFrame
    canteens: pd.DataFrame
    producers: pd.DataFrame
    producer_weeks: pd.DataFrame
    unmet_local: pd.DataFrame
    summary: pd.DataFrame

    def _stat(self, name: str) -> Any:
        return self.summary[name].iloc[0]

    @property
    def status(self) -> str:
        """``optimal``, ``feasible`` (a plan, gap reported), or ``relaxation`` (strategy lp).

        Returns
        -------
        str
            The solver status of the plan.
        """
        return str(self._stat("status"))

    @property
    def objective(self) -> float:
        """Objective value of the plan (``docs/model.md``), recomputed from its flows.

        Returns
        -------
        float
            Weighted cost (EUR HT plus weighted shortfalls and distances, ``docs/model.md``).
        """
        return float(self._stat("objective"))

    @property
    def best_bound(self) -> float:
        """Best proven lower bound on the objective; NaN when none is worth reporting.

        Returns
        -------
        float
            The bound, in the objective's units (see ``trusted_bound`` in
            ``rhd_match.model.strategies``).
        """
        return float(self._stat("best_bound"))

    @property
    def gap(self) -> float:
        """(objective − best bound) / max(1, |objective|), in [0, 1]; NaN without a bound.

        Returns
        -------
        float
            The relative optimality gap (a fraction).
        """
        return float(self._stat("gap"))

    @property
    def stopped_by_time_limit(self) -> bool:
        """The wall-clock safety net cut the solve short: the same input and options may give
        another plan on another machine (otherwise plans are the same byte for byte).

        Returns
        -------
        bool
            Whether the time limit stopped the solve.
        """
        return bool(self._stat("stopped_by_time_limit"))

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The six solution tables by name.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``summary``, ``canteens``, ``producers``, ``producer_weeks``, ``flows``,
            ``unmet_local`` in that order.
        """
        return {name: getattr(self, name) for name in TABLE_NAMES}

    def to_folder(self, path: str | Path, formats: tuple[str, ...] = ("csv", "xlsx")) -> list[Path]:
        """Write every table as CSV and/or one workbook ``solution.xlsx``; all or nothing.

        Parameters
        ----------
        path
            Folder to write into (created if needed); other files in it are left alone.
        formats
            ``"csv"`` (one file per table, every digit kept) and/or ``"xlsx"`` (one sheet per
            table, through ``rhd_match.xlsx.write_workbook_file``: text stays text).

        Returns
        -------
        list of Path
            The files written.
        """
        writers: dict[str, Callable[[Path], None]] = {}
        if "csv" in formats:
            writers |= {f"{name}.csv": csv_writer(frame) for name, frame in self.tables.items()}
        if "xlsx" in formats:
            writers["solution.xlsx"] = workbook_writer(self.tables)
        return write_folder_atomically(Path(path), writers)

    def __str__(self) -> str:
        s = self.summary.iloc[0]
        n = int(s["canteens"])

        def pct(x: float) -> str:
            return "n/a" if pd.isna(x) else f"{100 * x:5.1f} %"

        bound = (
            "no bound"
            if pd.isna(s["best_bound"])
            else f"bound {s['best_bound']:.6g}, gap {pct(s['gap'])}"
        )
        lines = [
            f"rhd_match plan — {n} canteens, {int(s['producers'])} producers, "
            f"{int(s['weeks'])} weeks",
            f"solver: {s['strategy']} ({s['solver']}), status {s['status']}, "
            f"objective {s['objective']:.6g}, {bound}",
            f"model: {int(s['arcs'])} arcs, {int(s['variables'])} variables "
            f"({int(s['binaries'])} binary), {int(s['constraints'])} constraints, "
            f"{int(s['nonzeros'])} nonzeros; build {s['build_time_s']:.2f} s, "
            f"solve {s['solve_time_s']:.2f} s",
        ]
        if bool(s["stopped_by_time_limit"]):
            lines.append(
                "stopped by the time limit: this plan depends on the machine's speed and load; "
                "a longer limit gives the plan that is the same on every machine"
            )
        lines += [
            "",
            f"{'':28}{'before':>10}{'after':>10}",
        ]
        for label, key in (
            ("local share (value)", "share_local"),
            ("organic share", "share_organic"),
            ("quality share (EGalim)", "share_quality"),
            ("meat & fish quality share", "share_meat_fish"),
        ):
            lines.append(f"{label:28}{pct(s[f'{key}_before']):>10}{pct(s[key]):>10}")
        for label, key in (
            ("canteens meeting 50 % qual.", "canteens_meeting_quality"),
            ("canteens meeting 20 % org.", "canteens_meeting_organic"),
            ("canteens meeting meat/fish", "canteens_meeting_meat_fish"),
            ("canteens meeting all three", "canteens_meeting_all"),
        ):
            lines.append(f"{label:28}{int(s[f'{key}_before']):>7}/{n:<2}{int(s[key]):>7}/{n:<2}")
        lines += [
            "",
            f"purchases {s['value_eur_ht']:,.0f} EUR HT vs {s['value_eur_ht_before']:,.0f} "
            f"all-conventional: extra cost {s['extra_cost_eur_ht']:+,.0f} EUR HT "
            f"({pct(s['extra_cost_share'])})",
            f"EGalim shortfall left: quality {s['shortfall_quality_eur_ht']:,.0f}, organic "
            f"{s['shortfall_organic_eur_ht']:,.0f}, meat & fish "
            f"{s['shortfall_meat_fish_eur_ht']:,.0f} EUR HT",
        ]
        return "\n".join(lines)
