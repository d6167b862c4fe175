"""The Excel results workbook: every solution table on its own formatted sheet.

``write_workbook`` writes ``summary`` (transposed: one figure per row, before and after),
``canteens``, ``producers``, ``producer_weeks``, ``flows``, ``unmet_local`` and ``orders``
(purchases from producers, sorted by producer, week and canteen: what each producer delivers
where). Headers are bold, frozen and filtered; money, kg and percentages carry number formats;
the canteens sheet colours EGalim compliance green or red. The same solution always gives the
same bytes, and the file is written all or nothing.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_col_to_name

from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..inputs.scenario import Scenario
from ..io import write_folder_atomically
from ..plan.orders import order_sheets
from ..plan.solution import Solution
from ..weeks import week_monday
from ..xlsx import FALLBACK_DATE, Sheet, cell_value, write_workbook_file

EUR = '#,##0.00 "€"'
KG = '#,##0.0 "kg"'
PERCENT = "0.0%"
KM = '#,##0.0 "km"'
SECONDS = '0.00 "s"'
NUMBER = "#,##0.00"
INTEGER = "#,##0"
DATE = "yyyy-mm-dd"

#: Looks of a canteen meeting (green) or missing (red) a target on the canteens sheet.
GOOD = {"bg_color": "#C6EFCE", "font_color": "#006100"}
BAD = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}

SHEETS = (
    "summary",
    "canteens",
    "producers",
    "producer_weeks",
    "flows",
    "unmet_local",
    "orders",
)

#: Summary figures in display order: (label, summary column). Columns with a ``_before`` twin
#: get a before and an after value; columns not listed here follow under their own names.
SUMMARY_ROWS: tuple[tuple[str, str], ...] = (
    ("Local share (of value)", "share_local"),
    ("Local share (of kg)", "share_local_kg"),
    ("Organic share (EGalim)", "share_organic"),
    ("Quality and sustainable share (EGalim)", "share_quality"),
    ("Meat and fish quality share (EGalim)", "share_meat_fish"),
    ("Canteens meeting the quality target", "canteens_meeting_quality"),
    ("Canteens meeting the organic target", "canteens_meeting_organic"),
    ("Canteens meeting the meat and fish target", "canteens_meeting_meat_fish"),
    ("Canteens meeting all three targets", "canteens_meeting_all"),
    ("Purchases (EUR HT)", "value_eur_ht"),
    ("Local purchases (EUR HT)", "local_value_eur_ht"),
    ("Extra cost vs all conventional (EUR HT)", "extra_cost_eur_ht"),
    ("Extra cost vs all conventional (share)", "extra_cost_share"),
    (N_("Meals served"), "meals"),
    (N_("Food cost per meal (EUR HT)"), "cost_per_meal_eur_ht"),
    (
        N_("Extra cost per meal (EUR HT; CGAAER: +0.14 to +0.42 for EGalim)"),
        "extra_cost_per_meal_eur_ht",
    ),
    (N_("Objective"), "objective_mode"),
    ("Quality shortfall left (EUR HT)", "shortfall_quality_eur_ht"),
    ("Organic shortfall left (EUR HT)", "shortfall_organic_eur_ht"),
    ("Meat and fish shortfall left (EUR HT)", "shortfall_meat_fish_eur_ht"),
    ("Canteens", "canteens"),
    ("Producers", "producers"),
    ("Products", "products"),
    ("ISO weeks", "weeks"),
    ("Solver status", "status"),
    ("Strategy", "strategy"),
    ("Solver", "solver"),
    ("Objective value (weighted)", "objective"),
    ("Best bound", "best_bound"),
    ("Relative gap", "gap"),
    ("Iterations", "iterations"),
    ("Model arcs", "arcs"),
    ("Model variables", "variables"),
    ("Binary variables", "binaries"),
    ("Constraints", "constraints"),
    ("Non-zeros", "nonzeros"),
    ("Build time", "build_time_s"),
    ("Solve time", "solve_time_s"),
)
SUMMARY_HEADER = ("figure", "before", "after", "change", "field")
VALUE_COLUMNS = ("before", "after", "change")

#: EGalim targets coloured on the canteens sheet: meets column → columns it colours.
COMPLIANCE: dict[str, tuple[str, ...]] = {
    "meets_quality": ("share_quality", "shortfall_quality_eur_ht", "meets_quality"),
    "meets_organic": ("share_organic", "shortfall_organic_eur_ht", "meets_organic"),
    "meets_meat_fish": ("share_meat_fish", "shortfall_meat_fish_eur_ht", "meets_meat_fish"),
}


def column_format(name: str) -> str | None:
    """The number format of a column, from its name (``None``: general)."""
    if (
        name.startswith(("share_", "target_"))
        or name.endswith(("_use", "_points", "_share"))
        or name == "gap"
    ):
        return PERCENT
    if "eur_ht" in name:
        return EUR
    if "_kg" in name or name.startswith("kg_"):
        return KG
    if name.endswith("_km"):
        return KM
    if name.endswith("_time_s"):
        return SECONDS
    if name in ("objective", "best_bound", "qty", "change"):
        return NUMBER
    if name in ("drops", "weeks_delivering", "max_drops_per_week", "peak_drops_per_week"):
        return INTEGER
    if name == "delivery_date":
        return DATE
    return None


def summary_rows(summary: pd.DataFrame) -> pd.DataFrame:
    """The one-row summary as label / before / after / change rows (``field``: its column)."""
    row = summary.iloc[0]
    listed = [field for _, field in SUMMARY_ROWS if field in summary.columns]
    twins = {f"{field}_before" for field in listed}
    others = [c for c in summary.columns if c not in listed and c not in twins]
    fields = listed + [c for c in others if not c.endswith("_before")]
    labels = {field: label for label, field in SUMMARY_ROWS}
    records = []
    for field in fields:
        after = cell_value(row[field])
        before_col = f"{field}_before"
        before = cell_value(row[before_col]) if before_col in summary.columns else None
        change = None
        numbers = isinstance(after, int | float) and isinstance(before, int | float)
        if numbers and not isinstance(after, bool):
            change = after - before
        records.append(
            (_(labels[field]) if field in labels else field, before, after, change, field)
        )
    return pd.DataFrame.from_records(records, columns=list(SUMMARY_HEADER))


def order_sheet(scenario: Scenario, solution: Solution) -> pd.DataFrame:
    """The order sheets of ``rhd_match.plan.orders.order_sheets``, delivery dates as dates."""
    sheets = order_sheets(scenario, solution)
    return sheets.assign(delivery_date=pd.to_datetime(sheets["delivery_date"]))


def workbook_sheets(scenario: Scenario, solution: Solution) -> dict[str, pd.DataFrame]:
    """The tables of the workbook by sheet name, in sheet order."""
    return {
        "summary": summary_rows(solution.summary),
        "canteens": solution.canteens,
        "producers": solution.producers,
        "producer_weeks": solution.producer_weeks,
        "flows": solution.flows,
        "unmet_local": solution.unmet_local,
        "orders": order_sheet(scenario, solution),
    }


def workbook_plan(scenario: Scenario, solution: Solution) -> dict[str, Sheet]:
    """The sheets of the results workbook with their look: bold frozen filtered headers,
    widths, number formats by column (by row on the transposed summary), and the canteens
    sheet's compliance colours."""
    plan: dict[str, Sheet] = {}
    for name, frame in workbook_sheets(scenario, solution).items():
        columns = [str(c) for c in frame.columns]
        formats = {c: f for c in columns if (f := column_format(c)) is not None}
        widths = [_width(c, frame.iloc[:, j], formats.get(c)) for j, c in enumerate(columns)]
        if name == "summary":
            widths = [
                18.0 if c in VALUE_COLUMNS else w for c, w in zip(columns, widths, strict=True)
            ]
            plan[name] = Sheet(
                frame,
                row_formats=[column_format(str(f)) for f in frame["field"]],
                row_format_columns=VALUE_COLUMNS,
                widths=widths,
                styled=True,
            )
            continue
        conditional = _compliance_rules(columns, len(frame)) if name == "canteens" else ()
        plan[name] = Sheet(
            frame, formats=formats, widths=widths, styled=True, conditional=conditional
        )
    return plan


def write_workbook(scenario: Scenario, solution: Solution, path: str | Path) -> Path:
    """Write the results workbook to ``path`` (all or nothing).

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    solution
        The plan (from ``rhd_match.solve`` or read back).
    path
        The ``.xlsx`` file to write; its folder is created if needed.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ValueError
        When a sheet would hold more rows than Excel allows (write the CSV files instead).
    """
    plan = workbook_plan(scenario, solution)
    created = _document_date(solution)
    path = Path(path)
    writer = {
        path.name: lambda p: write_workbook_file(
            p, plan, created=created, title="rhd_match results"
        )
    }
    return write_folder_atomically(path.parent, writer)[0]


def workbook_bytes(scenario: Scenario, solution: Solution) -> bytes:
    """The results workbook as deterministic ``.xlsx`` bytes.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    solution
        The plan (from ``rhd_match.solve`` or read back).

    Returns
    -------
    bytes
        The workbook ``write_workbook`` writes: the same plan gives the same bytes.

    Raises
    ------
    ValueError
        When a sheet would hold more rows than Excel allows.
    """
    with tempfile.TemporaryDirectory(prefix="rhd_match-") as folder:
        return write_workbook(scenario, solution, Path(folder) / "results.xlsx").read_bytes()


# -- helpers ------------------------------------------------------------------------------------


def _document_date(solution: Solution) -> dt.datetime:
    weeks = solution.flows["week"]
    if len(weeks) == 0:
        return FALLBACK_DATE
    first = week_monday(str(weeks.min()))
    return dt.datetime(first.year, first.month, first.day)


def _width(header: str, series: pd.Series, fmt: str | None) -> float:
    """Column width (characters) fitting the header and the longest displayed value."""
    longest = len(header)
    if len(series) and pd.api.types.is_bool_dtype(series.dtype):
        longest = max(longest, 5)
    elif len(series) and pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=float)
        finite = np.abs(values[np.isfinite(values)])
        if finite.size:
            digits = len(f"{float(finite.max()):,.0f}")
            suffix = {EUR: 5, KG: 5, KM: 5, PERCENT: 3, SECONDS: 4, NUMBER: 3}
            extra = suffix.get(fmt or "", 0)
            if fmt is None and not pd.api.types.is_integer_dtype(series.dtype):
                extra = 8
            longest = max(longest, digits + extra)
    elif fmt == DATE:
        longest = max(longest, 10)
    elif len(series):
        lengths = series.astype(object).where(series.notna(), "").astype(str).str.len()
        longest = max(longest, int(lengths.max()))
    return float(min(max(longest + 2, 8), 50))


def _compliance_rules(columns: list[str], n_rows: int) -> list[tuple[str, dict[str, Any]]]:
    """Green when the canteen meets a target, red when it does not, on the target's columns."""
    if n_rows == 0:
        return []
    position = {c: xl_col_to_name(j) for j, c in enumerate(columns)}
    rules: list[tuple[str, dict[str, Any]]] = []
    for meets, coloured in COMPLIANCE.items():
        if meets not in position:
            continue
        flag = f"${position[meets]}2"
        for col in coloured:
            if col not in position:
                continue
            ref = f"{position[col]}2:{position[col]}{n_rows + 1}"
            for value, look in (("TRUE", GOOD), ("FALSE", BAD)):
                rule = {"type": "formula", "criteria": f"={flag}={value}", "format": look}
                rules.append((ref, rule))
    return rules
