"""The ``Solution`` of an allocation: tables keyed by the input ids, and solver stats."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..console import text_table
from ..egalim import CGAAER_EXTRA_PER_MEAL
from ..errors import OptionError
from ..i18n import format_money, format_number, format_share, format_significant, ngettext
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..inputs.schema import TABLES
from ..inputs.sources import tables_replaced
from ..writing import csv_writer, write_folder_atomically
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
    # Only in a plan streamed by weeks whose time limit ran out before these weeks.
    "not_planned": N_("the time limit ran out before these weeks were planned"),
}

#: Rows of the summary's before/after table: label (translated where shown), summary column.
#: What each level of a lexicographic objective measures (``summary`` columns ``level_k``).
LEVEL_LABELS = {
    "egalim": N_("EGalim shortfall and weighted budget overrun, EUR excl. VAT"),
    "compliance": N_("canteen targets met"),
    "local": N_("local food, EUR excl. VAT at reference prices"),
    "cost": N_("purchase value with the distance tie-break, EUR excl. VAT"),
}
#: Solver statuses (``summary.status``, the decision-support tables' ``status``), as shown.
STATUS_NAMES = {
    "optimal": N_("optimal"),
    "feasible": N_("feasible"),
    "relaxation": N_("relaxation"),
    "time_limit": N_("time limit"),
    "infeasible": N_("infeasible"),
    # A solve of a curve or comparison that the call's time limit did not reach.
    "not_started": N_("not started"),
}
#: Levels maximised: minimised as their opposite, shown with their own sign.
MAXIMISED_LEVELS = ("compliance", "local")

SUMMARY_SHARES = (
    (N_("local share (value)"), "share_local"),
    (N_("organic share"), "share_organic"),
    (N_("quality share (EGalim)"), "share_quality"),
    (N_("meat and fish quality share"), "share_meat_fish"),
)
SUMMARY_COUNTS = (
    (N_("canteens meeting the quality target"), "canteens_meeting_quality"),
    (N_("canteens meeting the organic target"), "canteens_meeting_organic"),
    (N_("canteens meeting the meat and fish target"), "canteens_meeting_meat_fish"),
    (N_("canteens meeting all three"), "canteens_meeting_all"),
)

#: Columns of the menu as planned (``Solution.menu``).
MENU_COLUMNS = ("canteen_id", "group_id", "week", "product_id", "qty", "group_qty")
#: The formats ``Solution.to_folder`` writes.
FORMATS = ("csv", "xlsx")
TABLE_NAMES = ("summary", "canteens", "producers", "producer_weeks", "flows", "unmet_local")
#: Wall-clock figures of a solve, s: said on the terminal and kept in ``summary``, left out of
#: every file, so that the same input and options write the same files, byte for byte.
CLOCK_FIELDS = ("build_time_s", "solve_time_s")


def without_clock(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` without its ``CLOCK_FIELDS`` columns, for a file.

    Parameters
    ----------
    table
        A summary, or any table of a plan or a decision-support call.

    Returns
    -------
    pandas.DataFrame
        The same rows, the columns of ``CLOCK_FIELDS`` left out where there were any.
    """
    return table.drop(columns=[c for c in CLOCK_FIELDS if c in table.columns])


#: Objectives as people read them (``SolverOptions.objective``).
OBJECTIVE_NAMES = {
    "lexicographic": N_("EGalim targets first, then local food, then least cost"),
    "compliance": N_("most canteens compliant within budgets, then local food, then least cost"),
    "weighted": N_("weighted sum"),
}


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
    menu : pandas.DataFrame
        The menu as planned, for a scenario with groups of substitutable products (empty
        otherwise): one row per demand row × product serving it — ``canteen_id``,
        ``group_id`` (the demand row's ``product_id``), ISO ``week``, ``product_id``, ``qty``
        (product unit), ``group_qty`` (the group's unit of account).
    """

    flows: pd.DataFrame
    canteens: pd.DataFrame
    producers: pd.DataFrame
    producer_weeks: pd.DataFrame
    unmet_local: pd.DataFrame
    summary: pd.DataFrame
    menu: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({c: pd.Series(dtype="str") for c in MENU_COLUMNS})
    )

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
        """The solution tables by name.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``summary``, ``canteens``, ``producers``, ``producer_weeks``, ``flows``,
            ``unmet_local`` in that order, then ``menu`` when the scenario had groups.
        """
        tables = {name: getattr(self, name) for name in TABLE_NAMES}
        if not self.menu.empty:
            tables["menu"] = self.menu
        return tables

    def to_folder(self, path: str | Path, formats: tuple[str, ...] = ("csv",)) -> list[Path]:
        """Write every table as a data CSV file, and on request one workbook ``solution.xlsx``;
        all or nothing.

        The CSV files are data (``rhd_match.writing.csv_writer``: column ids, every digit, read
        back exactly). The workbook for people is ``rhd_match.report.write_workbook``'s
        ``results.xlsx``; ``solution.xlsx`` holds the same six tables as the CSV files, a
        million cells on a year of a territory, which a spreadsheet library writes several
        times slower than the CSV files (``docs/reports.md``).

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

        Raises
        ------
        OptionError
            When ``formats`` names no format or one other than ``"csv"`` and ``"xlsx"``, when
            ``path`` is a file or lies under one, or when ``path`` holds a scenario whose
            tables the results would replace (its ``canteens.csv`` and ``producers.csv``),
            before anything is written.
        """
        writers = self.writers(formats)
        replaced = tables_replaced(Path(path), writers, TABLES)
        if replaced:
            raise OptionError(
                [
                    _(
                        "'{folder}' holds a scenario: the plan's {files} would replace its "
                        "tables; choose another folder"
                    ).format(folder=path, files=", ".join(replaced))
                ]
            )
        return write_folder_atomically(Path(path), writers)

    def writers(self, formats: tuple[str, ...] = ("csv",)) -> dict[str, Callable[[Path], None]]:
        """The writers of ``to_folder``, to write the tables with other files all or nothing.

        Parameters
        ----------
        formats
            As for ``to_folder``.

        Returns
        -------
        dict of str to Callable[[Path], None]
            File name → writer, for ``rhd_match.writing.write_folder_atomically``.

        Raises
        ------
        OptionError
            When ``formats`` names no format or one other than ``"csv"`` and ``"xlsx"``.
        """
        unknown = [f for f in formats if f not in FORMATS]
        if unknown or not formats:
            raise OptionError(
                [
                    _("formats {formats}: give one or both of {known}").format(
                        formats=repr(tuple(formats)), known=", ".join(map(repr, FORMATS))
                    )
                ]
            )
        writers: dict[str, Callable[[Path], None]] = {}
        tables = {name: without_clock(frame) for name, frame in self.tables.items()}
        if "csv" in formats:
            writers |= {f"{name}.csv": csv_writer(frame) for name, frame in tables.items()}
        if "xlsx" in formats:
            writers["solution.xlsx"] = workbook_writer(tables)
        return writers

    def __str__(self) -> str:
        return self.summary_text()

    def _level_lines(self) -> list[str]:
        """One line per level of a lexicographic objective: value, bound and gap."""
        s = self.summary.iloc[0]
        lines = []
        for k in range(1, 4):
            name = s.get(f"level_{k}")
            if not isinstance(name, str) or name not in LEVEL_LABELS:
                continue
            sign = -1.0 if name in MAXIMISED_LEVELS else 1.0
            value, bound = s[f"level_{k}_value"], s[f"level_{k}_bound"]
            decimals = 0 if name == "compliance" else 2  # targets counted; EUR HT to the cent
            if k > int(s.get("levels_solved", 3)):
                proven = _("not solved (this plan's value, no bound)")
            elif pd.isna(bound):
                proven = _("no bound")
            else:
                template = (
                    _("proven at most {bound}, gap {gap}")
                    if sign < 0
                    else _("proven at least {bound}, gap {gap}")
                )
                # The gap in the level's unit (EUR HT, canteen targets); the relative gap
                # beside it only against a bound other than 0, where every plan is 100 % off.
                gap = format_number(max(float(value) - float(bound), 0.0), decimals)
                if float(bound) != 0.0:
                    gap = _("{absolute} ({relative})").format(
                        absolute=gap, relative=format_share(float(s[f"level_{k}_gap"]))
                    )
                proven = template.format(
                    bound=format_number(sign * float(bound), decimals), gap=gap
                )
            lines.append(
                _("level {k}, {label}: {value}, {proven}").format(
                    k=k,
                    label=_(LEVEL_LABELS[name]),
                    value=format_number(sign * float(value), decimals),
                    proven=proven,
                )
            )
        return lines

    def summary_text(self) -> str:
        """The plan's summary for people, in the active language (``rhd_match.i18n``): the
        solver's figures, the territory's EGalim shares and canteens meeting each target
        before and after, purchases and extra cost in EUR HT, the shortfall left.

        Returns
        -------
        str
            The summary, several lines.
        """
        s = self.summary.iloc[0]
        n = int(s["canteens"])
        buying = int(s["canteens_buying"])  # a canteen with nothing to buy meets no target

        def pct(x: float) -> str:
            return _("n/a") if pd.isna(x) else format_share(float(x))

        status = _(STATUS_NAMES.get(s["status"], s["status"]))
        if isinstance(s.get("level_1"), str) and s["level_1"] in LEVEL_LABELS:
            # Status, bound and gap are the levels' own (below): the weighted objective's
            # value beside "no bound" would read as a contradiction.
            solver = _(
                "solver: {strategy} ({solver}), status {status}, objective solved level by "
                "level (each level's value and bound below)"
            ).format(strategy=s["strategy"], solver=s["solver"], status=status)
        else:
            bound = (
                _("no bound")
                if pd.isna(s["best_bound"])
                else _("bound {bound}, gap {gap}").format(
                    bound=format_significant(s["best_bound"]), gap=pct(s["gap"])
                )
            )
            solver = _(
                "solver: {strategy} ({solver}), status {status}, objective {objective}, {bound}"
            ).format(
                strategy=s["strategy"],
                solver=s["solver"],
                status=status,
                objective=format_significant(float(s["objective"])),
                bound=bound,
            )
        weeks, producers = int(s["weeks"]), int(s["producers"])
        lines = [
            _("rhd_match plan — {canteens}, {producers}, {weeks}").format(
                canteens=ngettext("{n} canteen", "{n} canteens", n).format(n=format_number(n)),
                producers=ngettext("{n} producer", "{n} producers", producers).format(
                    n=format_number(producers)
                ),
                weeks=ngettext("{n} week", "{n} weeks", weeks).format(n=weeks),
            ),
            solver,
            ngettext(
                "model: {arcs} arcs, {variables} variables ({binaries} binary), {constraints} "
                "constraints, {nonzeros} nonzeros; build {build} s, solve {solve} s",
                "model: {arcs} arcs, {variables} variables ({binaries} binary), {constraints} "
                "constraints, {nonzeros} nonzeros; build {build} s, solve {solve} s",
                int(s["binaries"]),
            ).format(
                arcs=format_number(int(s["arcs"])),
                variables=format_number(int(s["variables"])),
                binaries=format_number(int(s["binaries"])),
                constraints=format_number(int(s["constraints"])),
                nonzeros=format_number(int(s["nonzeros"])),
                build=format_number(float(s["build_time_s"]), 2),
                solve=format_number(float(s["solve_time_s"]), 2),
            ),
        ]
        lines += self._level_lines()
        if bool(s["stopped_by_time_limit"]):
            lines.append(
                _(
                    "stopped by the time limit: this plan depends on the machine's speed and "
                    "load; a longer limit gives the plan that is the same on every machine"
                )
            )
        rows = [
            (_(label), pct(s[f"{key}_before"]), pct(s[key])) for label, key in SUMMARY_SHARES
        ] + [
            (_(label), f"{int(s[f'{key}_before'])}/{buying}", f"{int(s[key])}/{buying}")
            for label, key in SUMMARY_COUNTS
        ]
        table = pd.DataFrame(rows, columns=["", _("before"), _("after")])
        lines += ["", text_table(table, index=False).rstrip("\n"), ""]
        lines += [
            _(
                "purchases {value} excl. VAT against {before} all-conventional: extra cost "
                "{extra} excl. VAT ({share})"
            ).format(
                value=format_money(float(s["value_eur_ht"])),
                before=format_money(float(s["value_eur_ht_before"])),
                extra=("+" if s["extra_cost_eur_ht"] > 0 else "")
                + format_money(float(s["extra_cost_eur_ht"])),
                share=pct(s["extra_cost_share"]),
            ),
            _(
                "EGalim shortfall left: quality {quality}, organic {organic}, meat and fish "
                "{meat_fish} excl. VAT"
            ).format(
                quality=format_money(float(s["shortfall_quality_eur_ht"])),
                organic=format_money(float(s["shortfall_organic_eur_ht"])),
                meat_fish=format_money(float(s["shortfall_meat_fish_eur_ht"])),
            ),
        ]
        if "objective_mode" in s:
            lines.insert(
                2, _("objective: {mode}").format(mode=_(OBJECTIVE_NAMES[s["objective_mode"]]))
            )
        if s.get("meals", 0) > 0:
            lines.append(
                _(
                    "{meals} meals: food cost per meal {before} all-conventional, {after} in "
                    "the plan, {extra} per meal (excl. VAT; national estimate of EGalim's "
                    "extra cost: +{low} to +{high} per meal, CGAAER)"
                ).format(
                    low=format_money(CGAAER_EXTRA_PER_MEAL[0]),
                    high=format_money(CGAAER_EXTRA_PER_MEAL[1]),
                    meals=format_number(s["meals"]),
                    before=format_money(s["cost_per_meal_eur_ht_before"]),
                    after=format_money(s["cost_per_meal_eur_ht"]),
                    extra=("+" if s["extra_cost_per_meal_eur_ht"] >= 0 else "")
                    + format_money(s["extra_cost_per_meal_eur_ht"]),
                )
            )
        return "\n".join(lines)
