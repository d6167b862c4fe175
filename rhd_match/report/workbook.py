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
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_col_to_name

from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..i18n import use_language
from ..inputs.scenario import Scenario
from ..logistics.tours import TourPlan
from ..plan.orders import ORDER_LABELS, order_sheets, orders_by_producer, people_values
from ..plan.solution import LEVEL_LABELS, OBJECTIVE_NAMES, STATUS_NAMES, Solution, without_clock
from ..plan.tables import hub_table
from ..weeks import week_monday
from ..writing import write_folder_atomically
from ..xlsx import FALLBACK_DATE, Sheet, cell_value, write_workbook_file

#: Excel number formats by kind of column and language. The file stores a format in Excel's
#: own syntax (``,`` groups digits, ``.`` is the decimal point) and Excel shows it with the
#: separators of the reader's system (``1 234,50 €`` in a French Excel); what differs by
#: language is where the currency sign goes, the space before ``%`` and the date order.
NUMBER_FORMATS: dict[str, dict[str, str]] = {
    "fr": {
        "eur": '#,##0.00 "€"',
        "kg": '#,##0.0 "kg"',
        "percent": "0.0 %",
        "km": '#,##0.0 "km"',
        "seconds": '0.00 "s"',
        "number": "#,##0.00",
        "integer": "#,##0",
        "date": "dd/mm/yyyy",
    },
    "en": {
        "eur": '"€"#,##0.00',
        "kg": '#,##0.0 "kg"',
        "percent": "0.0%",
        "km": '#,##0.0 "km"',
        "seconds": '0.00 "s"',
        "number": "#,##0.00",
        "integer": "#,##0",
        "date": "yyyy-mm-dd",
    },
}
#: Characters a number format adds to the digits, for column widths.
SUFFIX_WIDTH = {"eur": 5, "kg": 5, "km": 5, "percent": 3, "seconds": 4, "number": 3}

#: Looks of a canteen meeting (green) or missing (red) a target on the canteens sheet.
GOOD = {"bg_color": "#C6EFCE", "font_color": "#006100"}
BAD = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}

#: Sheets in order: table name → sheet name as people read it (translated where shown).
SHEETS: dict[str, str] = {
    "summary": N_("Summary"),
    "canteens": N_("Canteens"),
    "producers": N_("Producers"),
    "producer_weeks": N_("Producer weeks"),
    "hubs": N_("Hubs"),
    "menu": N_("Menu as planned"),
    "orders": N_("Orders"),
}

#: Labels of the solution tables' columns (the order sheets' are ``ORDER_LABELS``): column id
#: → label, translated where shown; on the workbook's sheets, and listed with the ids of the
#: CSV files in ``docs/reports.md``. ``name`` is told apart by its table (``NAME_LABELS``).
COLUMN_LABELS: dict[str, str] = {
    "supplier": N_("Supplier"),
    "supplier_id": ORDER_LABELS["supplier_id"],
    "supplier_name": ORDER_LABELS["supplier_name"],
    "canteen_id": ORDER_LABELS["canteen_id"],
    "producer_id": ORDER_LABELS["producer_id"],
    "product_id": ORDER_LABELS["product_id"],
    "week": ORDER_LABELS["week"],
    "family": N_("Product family"),
    "qty": ORDER_LABELS["qty"],
    "price_eur_ht": ORDER_LABELS["price_eur_ht"],
    "labels": ORDER_LABELS["labels"],
    "distance_km": ORDER_LABELS["distance_km"],
    "local": ORDER_LABELS["local"],
    "market_id": ORDER_LABELS["market_id"],
    "hub_id": N_("Hub id"),
    "group_id": N_("Group (or product) served"),
    "group_qty": N_("Quantity in the group's unit"),
    "reason": N_("Reason"),
    "explanation": N_("Explanation"),
    "value_eur_ht": N_("Purchases (EUR excl. VAT)"),
    "reference_value_eur_ht": N_("Purchases if all conventional (EUR excl. VAT)"),
    "extra_cost_eur_ht": N_("Extra cost (EUR excl. VAT)"),
    "local_value_eur_ht": N_("Local purchases (EUR excl. VAT)"),
    "share_local": N_("Local share"),
    "share_market": N_("Market share"),
    "share_conventional": N_("Conventional share"),
    "share_organic": N_("Organic share"),
    "share_quality": N_("Quality and sustainable share"),
    "share_meat_fish": N_("Meat and fish quality share"),
    "share_meat": N_("Meat quality share"),
    "share_fish": N_("Fish quality share"),
    "target_quality": N_("Quality target"),
    "shortfall_quality_eur_ht": N_("Quality shortfall (EUR excl. VAT)"),
    "shortfall_quality_points": N_("Quality shortfall (points)"),
    "meets_quality": N_("Meets the quality target"),
    "target_organic": N_("Organic target"),
    "shortfall_organic_eur_ht": N_("Organic shortfall (EUR excl. VAT)"),
    "shortfall_organic_points": N_("Organic shortfall (points)"),
    "meets_organic": N_("Meets the organic target"),
    "target_meat_fish": N_("Meat and fish target"),
    "shortfall_meat_fish_eur_ht": N_("Meat and fish shortfall (EUR excl. VAT)"),
    "shortfall_meat_fish_points": N_("Meat and fish shortfall (points)"),
    "meets_meat_fish": N_("Meets the meat and fish target"),
    "budget_eur_ht": N_("Budget (EUR excl. VAT)"),
    "budget_use": N_("Budget use"),
    "meals": N_("Meals served"),
    "cost_per_meal_before_eur_ht": N_("Food cost per meal before (EUR excl. VAT)"),
    "cost_per_meal_eur_ht": N_("Food cost per meal (EUR excl. VAT)"),
    "extra_cost_per_meal_eur_ht": N_("Extra cost per meal (EUR excl. VAT)"),
    "sales_eur_ht": N_("Sales (EUR excl. VAT)"),
    "qty_kg": N_("Quantity (kg)"),
    "weeks_delivering": N_("Weeks delivering"),
    "drops": N_("Drops"),
    "peak_kg_per_week": N_("Busiest week (kg)"),
    "peak_drops_per_week": N_("Busiest week (drops)"),
    "mean_capacity_use": N_("Mean capacity use"),
    "delivery_capacity_kg_per_week": N_("Capacity (kg per week)"),
    "max_drops_per_week": N_("Maximum drops per week"),
    "peak_capacity_use": N_("Busiest week's capacity use"),
    "capacity_use": N_("Capacity use"),
    "kg_in": N_("Received (kg)"),
    "kg_out": N_("Delivered (kg)"),
    "producer_drops": N_("Producers' drops at the hub"),
    "canteen_drops": N_("Drops at canteens"),
    "fees_eur_ht": N_("Hub charges (EUR excl. VAT)"),
}
NAME_LABELS: dict[str, str] = {"canteens": N_("Canteen"), "producers": N_("Producer")}

#: Summary figures in display order: (label, summary column). Columns with a ``_before`` twin
#: get a before and an after value; columns not listed here follow under their own names.
SUMMARY_ROWS: tuple[tuple[str, str], ...] = (
    (N_("Local share (of value)"), "share_local"),
    (N_("Local share (of kg)"), "share_local_kg"),
    (N_("Organic share (EGalim)"), "share_organic"),
    (N_("Quality and sustainable share (EGalim)"), "share_quality"),
    (N_("Meat and fish quality share (EGalim)"), "share_meat_fish"),
    (N_("Canteens with something to buy"), "canteens_buying"),
    (N_("Canteens meeting the quality target"), "canteens_meeting_quality"),
    (N_("Canteens meeting the organic target"), "canteens_meeting_organic"),
    (N_("Canteens meeting the meat and fish target"), "canteens_meeting_meat_fish"),
    (N_("Canteens meeting all three targets"), "canteens_meeting_all"),
    (N_("Purchases (EUR excl. VAT)"), "value_eur_ht"),
    (N_("Local purchases (EUR excl. VAT)"), "local_value_eur_ht"),
    (N_("Extra cost vs all conventional (EUR excl. VAT)"), "extra_cost_eur_ht"),
    (N_("Extra cost vs all conventional (share)"), "extra_cost_share"),
    (N_("Meals served"), "meals"),
    (N_("Food cost per meal (EUR excl. VAT)"), "cost_per_meal_eur_ht"),
    (N_("Extra cost per meal (EUR excl. VAT)"), "extra_cost_per_meal_eur_ht"),
    (N_("Objective pursued"), "objective_mode"),
    (N_("Levels solved before the time limit"), "levels_solved"),
    (N_("Stopped by the time limit"), "stopped_by_time_limit"),
    (N_("Quality shortfall left (EUR excl. VAT)"), "shortfall_quality_eur_ht"),
    (N_("Organic shortfall left (EUR excl. VAT)"), "shortfall_organic_eur_ht"),
    (N_("Meat and fish shortfall left (EUR excl. VAT)"), "shortfall_meat_fish_eur_ht"),
    (N_("Canteens"), "canteens"),
    (N_("Producers"), "producers"),
    (N_("Products"), "products"),
    (N_("ISO weeks"), "weeks"),
    (N_("Solver status"), "status"),
    (N_("Strategy"), "strategy"),
    (N_("Solver"), "solver"),
    (N_("Objective value (weighted)"), "objective"),
    (N_("Best bound"), "best_bound"),
    (N_("Relative gap"), "gap"),
    (N_("Level 1 of the objective"), "level_1"),
    (N_("Level 1: plan's value"), "level_1_value"),
    (N_("Level 1: proven bound"), "level_1_bound"),
    (N_("Level 1: relative gap"), "level_1_gap"),
    (N_("Level 1: absolute gap (the level's unit)"), "level_1_gap_abs"),
    (N_("Level 2 of the objective"), "level_2"),
    (N_("Level 2: plan's value"), "level_2_value"),
    (N_("Level 2: proven bound"), "level_2_bound"),
    (N_("Level 2: relative gap"), "level_2_gap"),
    (N_("Level 2: absolute gap (the level's unit)"), "level_2_gap_abs"),
    (N_("Level 3 of the objective"), "level_3"),
    (N_("Level 3: plan's value"), "level_3_value"),
    (N_("Level 3: proven bound"), "level_3_bound"),
    (N_("Level 3: relative gap"), "level_3_gap"),
    (N_("Level 3: absolute gap (the level's unit)"), "level_3_gap_abs"),
    (N_("Iterations"), "iterations"),
    (N_("Model arcs"), "arcs"),
    (N_("Model variables"), "variables"),
    (N_("Binary variables"), "binaries"),
    (N_("Constraints"), "constraints"),
    (N_("Non-zeros"), "nonzeros"),
    (N_("Routing problems left with their first rounds (time limit)"), "routing_first_only"),
    (N_("Routing problems stopped at their time limit"), "routing_stopped_by_time"),
)
#: Summary figures whose value is an id, shown by its name (as the HTML report shows them);
#: a strategy keeps the name the command line gives it.
SUMMARY_VALUE_NAMES: dict[str, Mapping[str, str]] = {
    "status": STATUS_NAMES,
    "objective_mode": OBJECTIVE_NAMES,
    **{f"level_{k}": LEVEL_LABELS for k in (1, 2, 3)},
}
SUMMARY_HEADER = ("figure", "before", "after", "change", "field")
SUMMARY_LABELS: dict[str, str] = {
    "figure": N_("Figure"),
    "before": N_("Before"),
    "after": N_("After"),
    "change": N_("Change"),
    "field": N_("Column id"),
}
VALUE_COLUMNS = ("before", "after", "change")

#: EGalim targets coloured on the canteens sheet: meets column → columns it colours.
COMPLIANCE: dict[str, tuple[str, ...]] = {
    "meets_quality": ("share_quality", "shortfall_quality_eur_ht", "meets_quality"),
    "meets_organic": ("share_organic", "shortfall_organic_eur_ht", "meets_organic"),
    "meets_meat_fish": ("share_meat_fish", "shortfall_meat_fish_eur_ht", "meets_meat_fish"),
}


def column_kind(name: str) -> str | None:
    """The kind of number a column holds, from its id.

    Parameters
    ----------
    name
        The column id (``value_eur_ht``, ``share_organic``…).

    Returns
    -------
    str or None
        A key of each language's ``NUMBER_FORMATS`` (``"eur"``, ``"kg"``, ``"percent"``…);
        ``None`` for a column shown as it is.
    """
    if (
        name.startswith(("share_", "target_"))
        or name.endswith(("_use", "_points", "_share"))
        or name.endswith("gap")
    ):
        return "percent"
    if "eur_ht" in name:
        return "eur"
    if "_kg" in name or name.startswith("kg_"):
        return "kg"
    if name.endswith("_km"):
        return "km"
    if name.endswith("_time_s"):
        return "seconds"
    if name in ("objective", "best_bound", "qty", "group_qty", "change") or name.endswith(
        ("_value", "_bound", "_gap_abs")
    ):
        return "number"
    if name in ("drops", "weeks_delivering", "max_drops_per_week", "peak_drops_per_week"):
        return "integer"
    if name == "delivery_date":
        return "date"
    return None


def column_format(name: str, language: str = "fr") -> str | None:
    """The Excel number format of a column, from its id, for ``language`` (``None``: general).

    Parameters
    ----------
    name
        The column id (``value_eur_ht``, ``share_organic``…).
    language
        One of ``rhd_match.i18n.LANGUAGES``.

    Returns
    -------
    str or None
        An Excel number format code (``'#,##0.00 "€"'`` for money in French).
    """
    kind = column_kind(name)
    return None if kind is None else NUMBER_FORMATS[language][kind]


def column_labels(table: str, columns: list[str]) -> list[str]:
    """The labels people read for a table's column ids, in the active language.

    Parameters
    ----------
    table
        A key of ``SHEETS``.
    columns
        The table's column ids.

    Returns
    -------
    list of str
        One translated label per column; an id without a label is kept as it is.
    """
    labels = {"orders": ORDER_LABELS, "summary": SUMMARY_LABELS}.get(table, COLUMN_LABELS)
    named = {"name": NAME_LABELS[table]} if table in NAME_LABELS else {}
    return [_(named.get(c) or labels[c]) if c in labels or c in named else c for c in columns]


def summary_rows(summary: pd.DataFrame) -> pd.DataFrame:
    """The one-row summary as label / before / after / change rows (``field``: its column),
    labels in the active language; its clock left out (``without_clock``)."""
    summary = without_clock(summary)
    row = summary.iloc[0]
    listed = [field for _label, field in SUMMARY_ROWS if field in summary.columns]
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
        label = _(labels[field]) if field in labels else field
        records.append((label, before, _summary_name(field, after), change, field))
    return pd.DataFrame.from_records(records, columns=list(SUMMARY_HEADER))


def _summary_name(field: str, value: Any) -> Any:
    """A summary value as people read it: an id by its name, yes or no for a flag."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    names = SUMMARY_VALUE_NAMES.get(field, {})
    return _(names[value]) if isinstance(value, str) and value in names else value


def order_sheet(scenario: Scenario, solution: Solution) -> pd.DataFrame:
    """The order sheets of ``rhd_match.plan.orders.order_sheets``, delivery dates as dates.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    solution
        The plan.

    Returns
    -------
    pandas.DataFrame
        One row per supplier × week × canteen × product delivered (``ORDER_COLUMNS``), the
        ``orders`` sheet of the results workbook and of the order workbooks.
    """
    sheets = order_sheets(scenario, solution)
    return sheets.assign(delivery_date=pd.to_datetime(sheets["delivery_date"]))


def workbook_sheets(
    scenario: Scenario,
    solution: Solution,
    orders: pd.DataFrame | None = None,
    tours: TourPlan | None = None,
) -> dict[str, pd.DataFrame]:
    """The tables of the workbook by table name (keys of ``SHEETS``), in sheet order, columns
    as ids; the summary's figure labels in the active language. ``orders``: the order sheet
    (``order_sheet``) when built already. ``hubs`` (``hub_table``, per hub and ISO week) only
    for a scenario with hubs; ``menu`` only when the plan has a menu as planned (demand naming
    groups). With the plan's ``tours``, the summary adds the routing problems a clock cut
    short (``TourPlan.first_only``, ``TourPlan.stopped_by_time``)."""
    hubs = {} if scenario.hubs.empty else {"hubs": hub_table(scenario, solution.flows)}
    summary = solution.summary
    if tours is not None:
        summary = summary.assign(
            routing_first_only=tours.first_only, routing_stopped_by_time=tours.stopped_by_time
        )
    sheets = {
        "summary": summary_rows(summary),
        "canteens": solution.canteens,
        "producers": solution.producers,
        "producer_weeks": solution.producer_weeks,
        **hubs,
        "menu": solution.menu,
        "orders": order_sheet(scenario, solution) if orders is None else orders,
    }
    if solution.menu.empty:
        del sheets["menu"]
    return sheets


def labelled_sheet(table: str, frame: pd.DataFrame, language: str) -> Sheet:
    """One table as a sheet for people, labels in the active language.

    Parameters
    ----------
    table
        A key of ``SHEETS``.
    frame
        The table, columns as ids (the summary as ``summary_rows`` gives it).
    language
        The active language (one of ``rhd_match.i18n.LANGUAGES``), for the number formats.

    Returns
    -------
    Sheet
        Columns labelled (``column_labels``), ``supplier`` kinds and units named
        (``people_values``), number formats and widths from the column ids,
        a bold frozen filtered header; the summary formatted row by row, the canteens sheet
        coloured by compliance.
    """
    frame = people_values(frame)  # supplier kinds and units named, as in the CSV files
    ids = [str(c) for c in frame.columns]
    labels = column_labels(table, ids)
    shown = frame.set_axis(labels, axis=1)
    kinds = {label: column_kind(c) for c, label in zip(ids, labels, strict=True)}
    formats = {label: NUMBER_FORMATS[language][k] for label, k in kinds.items() if k}
    widths = [_width(label, frame.iloc[:, j], kinds[label]) for j, label in enumerate(labels)]
    if table == "summary":
        value_labels = column_labels(table, list(VALUE_COLUMNS))
        widths = [
            18.0 if label in value_labels else w for label, w in zip(labels, widths, strict=True)
        ]
        return Sheet(
            shown,
            row_formats=[column_format(str(f), language) for f in frame["field"]],
            row_format_columns=value_labels,
            widths=widths,
            styled=True,
        )
    conditional = _compliance_rules(ids, len(frame)) if table == "canteens" else ()
    return Sheet(shown, formats=formats, widths=widths, styled=True, conditional=conditional)


def workbook_plan(
    scenario: Scenario,
    solution: Solution,
    language: str = "fr",
    orders: pd.DataFrame | None = None,
    tours: TourPlan | None = None,
) -> dict[str, Sheet]:
    """The sheets of the results workbook by sheet name, in ``language``, with their look.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    solution
        The plan.
    language
        One of ``rhd_match.i18n.LANGUAGES``.
    orders
        The order sheet (``order_sheet``) when built already; None to build it.
    tours
        The plan's delivery tours (``rhd_match.logistics.plan_tours``): the summary then counts
        the routing problems a clock cut short; None: no such rows.

    Returns
    -------
    dict of str to Sheet
        Translated sheet name → sheet (see ``labelled_sheet``), in the order of ``SHEETS``.
    """
    with use_language(language):
        return {
            _(SHEETS[table]): labelled_sheet(table, frame, language)
            for table, frame in workbook_sheets(scenario, solution, orders, tours).items()
        }


def write_workbook(
    scenario: Scenario, solution: Solution, path: str | Path, *, language: str = "fr"
) -> Path:
    """Write the results workbook to ``path`` (all or nothing).

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    solution
        The plan (from ``rhd_match.solve`` or read back).
    path
        The ``.xlsx`` file to write; its folder is created if needed.
    language
        Language of the sheet names, labels and number formats: one of
        ``rhd_match.i18n.LANGUAGES``.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ValueError
        When a sheet would hold more rows than Excel allows, or ``language`` is unknown.
    """
    path = Path(path)
    writer = {path.name: results_workbook_writer(scenario, solution, language)}
    return write_folder_atomically(path.parent, writer)[0]


def results_workbook_writer(
    scenario: Scenario,
    solution: Solution,
    language: str = "fr",
    orders: pd.DataFrame | None = None,
    tours: TourPlan | None = None,
) -> Callable[[Path], None]:
    """The writer of ``write_workbook``, to write the workbook with other files all or nothing.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    solution
        The plan.
    language
        One of ``rhd_match.i18n.LANGUAGES``.
    orders
        The order sheet (``order_sheet``) when built already; None to build it.
    tours
        The plan's delivery tours (``rhd_match.logistics.plan_tours``), whose routing problems
        cut short by a clock the summary counts; None: no such rows.

    Returns
    -------
    Callable[[Path], None]
        Writes the results workbook at the path it is given (for
        ``rhd_match.writing.write_folder_atomically``).

    Raises
    ------
    ValueError
        When ``language`` is unknown (a sheet beyond Excel's rows raises when written).
    """
    return _book_writer(
        workbook_plan(scenario, solution, language, orders, tours),
        _document_date(solution),
        "rhd_match results",
    )


def workbook_bytes(scenario: Scenario, solution: Solution, *, language: str = "fr") -> bytes:
    """The results workbook as deterministic ``.xlsx`` bytes.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    solution
        The plan (from ``rhd_match.solve`` or read back).
    language
        One of ``rhd_match.i18n.LANGUAGES``.

    Returns
    -------
    bytes
        The workbook ``write_workbook`` writes: the same plan gives the same bytes.

    Raises
    ------
    ValueError
        When a sheet would hold more rows than Excel allows, or ``language`` is unknown.
    """
    with tempfile.TemporaryDirectory(prefix="rhd_match-") as folder:
        path = Path(folder) / "results.xlsx"
        return write_workbook(scenario, solution, path, language=language).read_bytes()


def order_workbook_writers(
    scenario: Scenario,
    solution: Solution,
    *,
    language: str = "fr",
    orders: pd.DataFrame | None = None,
) -> dict[str, Callable[[Path], None]]:
    """Writers of one order workbook per producer selling in the plan.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    solution
        The plan.
    language
        One of ``rhd_match.i18n.LANGUAGES``.
    orders
        The order sheet (``order_sheet``) when built already (for the results workbook
        too); None to build it.

    Returns
    -------
    dict of str to Callable[[Path], None]
        ``orders_{producer_id}.xlsx`` (see ``rhd_match.plan.orders.orders_by_producer``) → writer
        of a workbook with one sheet: that producer's lines of the ``orders`` sheet, labelled
        and formatted the same way.

    Raises
    ------
    ValueError
        When two producer ids would give the same file name.
    """
    sheets = order_sheet(scenario, solution) if orders is None else orders
    created = _document_date(solution)
    writers: dict[str, Callable[[Path], None]] = {}
    with use_language(language):
        sheet_name = _(SHEETS["orders"])
        for name, part in orders_by_producer(sheets, "xlsx").items():
            book = {sheet_name: labelled_sheet("orders", part, language)}
            title = str(part["supplier_name"].iloc[0])
            writers[name] = _book_writer(book, created, title)
    return writers


def write_order_workbooks(
    scenario: Scenario, solution: Solution, folder: str | Path, *, language: str = "fr"
) -> list[Path]:
    """Write one order workbook per producer into ``folder``; all or nothing.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    solution
        The plan.
    folder
        The folder to write into (created if needed); other files in it are left alone.
    language
        One of ``rhd_match.i18n.LANGUAGES``.

    Returns
    -------
    list of Path
        The files written, ``orders_{producer_id}.xlsx``, sorted by producer id.

    Raises
    ------
    ValueError
        When two producer ids would give the same file name (nothing is written).
    """
    writers = order_workbook_writers(scenario, solution, language=language)
    return write_folder_atomically(Path(folder), writers)


# -- helpers ------------------------------------------------------------------------------------


def _book_writer(
    sheets: Mapping[str, Sheet], created: dt.datetime, title: str
) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        write_workbook_file(path, sheets, created=created, title=title)

    return write


def _document_date(solution: Solution) -> dt.datetime:
    weeks = solution.flows["week"]
    if len(weeks) == 0:
        return FALLBACK_DATE
    first = week_monday(str(weeks.min()))
    return dt.datetime(first.year, first.month, first.day)


def _width(header: str, series: pd.Series, kind: str | None) -> float:
    """Column width (characters) fitting the header and the longest displayed value."""
    longest = len(header)
    if len(series) and pd.api.types.is_bool_dtype(series.dtype):
        longest = max(longest, 5)
    elif len(series) and pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=float)
        finite = np.abs(values[np.isfinite(values)])
        if finite.size:
            digits = len(f"{float(finite.max()):,.0f}")
            extra = SUFFIX_WIDTH.get(kind or "", 0)
            if kind is None and not pd.api.types.is_integer_dtype(series.dtype):
                extra = 8
            longest = max(longest, digits + extra)
    elif kind == "date":
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
