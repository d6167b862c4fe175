"""Excel workbooks: reading every sheet's cells, and one function for every workbook the
project writes.

``read_workbook_cells`` reads the values saved with the cells (formulas as their saved value);
``uncomputed_formulas`` names the formulas no value was saved with.

``write_workbook_file`` uses XlsxWriter in constant-memory mode (rows are streamed to disk,
so memory does not grow with the table) with its conversions of text turned off: text is always
stored as text (a value beginning with ``=``, ``+``, ``-`` or ``@`` is never a formula, a
number or a link), numbers as numbers (16 significant digits, one more than Excel shows),
booleans as booleans, dates as dates. The document date is given, not read from the clock, and
XlsxWriter dates the zip entries with a fixed date: the same tables give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import xlsxwriter

from .errors import Problem
from .i18n import gettext as _
from .i18n import ngettext

#: Excel's row limit, header included.
MAX_ROWS = 1_048_576
#: Excel's limit on the characters of one cell.
MAX_TEXT = 32_767
#: Document date of a workbook written without one (its bytes must not depend on the clock).
FALLBACK_DATE = dt.datetime(2026, 1, 1)
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
DATE_FORMAT = "yyyy-mm-dd"


@dataclass(frozen=True)
class Sheet:
    """One sheet to write: a table, and how it looks.

    ``formats`` maps column names to Excel number formats; ``row_formats`` gives one format per
    row to the ``row_format_columns`` instead (a transposed table). ``widths`` are column
    widths in characters; ``header`` style (bold, fill, frozen, filter) applies when ``styled``.
    ``conditional`` lists XlsxWriter conditional formats as (cell range, options).

    Attributes
    ----------
    frame : pandas.DataFrame
        The table, written from cell A1 with its columns as the header row.
    formats : Mapping of str to str
        Column name → Excel number format (e.g. ``'#,##0.00 "€"'``).
    row_formats : Sequence of str or None
        One number format per row, for the ``row_format_columns``.
    row_format_columns : Sequence of str
        The columns ``row_formats`` applies to.
    widths : Sequence of float
        Column widths in characters, in column order.
    styled : bool
        Bold, filled, frozen and filtered header.
    conditional : Sequence of tuple
        (cell range, XlsxWriter conditional-format options).
    comments : Mapping of str to str
        Column name → comment on its header cell (meaning and unit, shown on hover).
    validations : Sequence of tuple
        (cell range, XlsxWriter data-validation options): drop-down lists, bounds.
    example_rows : int
        The first data rows that are examples, written grey and italic.
    """

    frame: pd.DataFrame
    formats: Mapping[str, str] = field(default_factory=dict)
    row_formats: Sequence[str | None] = ()
    row_format_columns: Sequence[str] = ()
    widths: Sequence[float] = ()
    styled: bool = False
    conditional: Sequence[tuple[str, Mapping[str, Any]]] = ()
    comments: Mapping[str, str] = field(default_factory=dict)
    validations: Sequence[tuple[str, Mapping[str, Any]]] = ()
    example_rows: int = 0


def write_workbook_file(
    path: Path,
    sheets: Mapping[str, pd.DataFrame | Sheet],
    *,
    created: dt.datetime = FALLBACK_DATE,
    title: str = "",
) -> None:
    """Write one workbook, a sheet per table, as deterministic ``.xlsx`` bytes.

    Text cells are always text (never formulas, numbers or links), numbers are numbers at full
    precision, booleans booleans, dates dates; missing values leave the cell empty. The
    document date is ``created`` (not the clock), so the same tables give the same bytes.

    Parameters
    ----------
    path
        The ``.xlsx`` file to write (replaced if it exists).
    sheets
        Sheet name → table, or `Sheet` with its formats; in sheet order.
    created
        The document's creation date, written in its properties.
    title
        The document's title, written in its properties.

    Raises
    ------
    ValueError
        When a table has more rows than an Excel sheet holds (``MAX_ROWS``).
    """
    for name, sheet in sheets.items():
        rows = len(sheet.frame if isinstance(sheet, Sheet) else sheet) + 1
        if rows > MAX_ROWS:
            raise ValueError(
                f"sheet '{name}' would have {rows:,} rows, more than Excel's {MAX_ROWS:,}; "
                "write the CSV files instead"
            )
    options = {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "nan_inf_to_errors": False,
    }
    with xlsxwriter.Workbook(str(path), options) as book:
        book.set_properties({"created": created, "author": "rhd_match", "title": title})
        for name, sheet in sheets.items():
            _write_sheet(book, name, sheet if isinstance(sheet, Sheet) else Sheet(sheet))


def workbook_writer(sheets: Mapping[str, pd.DataFrame | Sheet]) -> Callable[[Path], None]:
    """A writer producing one workbook with a sheet per table (``write_workbook_file``).

    Parameters
    ----------
    sheets
        Sheet name → table, or `Sheet` with its formats.

    Returns
    -------
    Callable[[Path], None]
        Writes the workbook at the path it is given (for ``write_folder_atomically``).
    """

    def write(path: Path) -> None:
        write_workbook_file(path, sheets)

    return write


def _write_sheet(book: Any, name: str, sheet: Sheet) -> None:
    ws = book.add_worksheet(name)
    frame = sheet.frame
    columns = [str(c) for c in frame.columns]
    header_style = None
    if sheet.styled:
        header_style = book.add_format({"bold": True, "bg_color": "#DDE3EA", "valign": "vcenter"})
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, len(frame), max(len(columns), 1) - 1)
    formats = {f for f in (*sheet.formats.values(), *sheet.row_formats) if f}
    styles = {fmt: book.add_format({"num_format": fmt}) for fmt in sorted(formats)}
    date_style = styles.get(DATE_FORMAT) or book.add_format({"num_format": DATE_FORMAT})
    for j, width in enumerate(sheet.widths):
        ws.set_column(j, j, width)
    for ref, rule in sheet.conditional:
        ws.conditional_format(ref, {**rule, "format": book.add_format(rule["format"])})
    for ref, rule in sheet.validations:
        ws.data_validation(ref, dict(rule))
    ws.write_row(0, 0, columns, header_style)
    for j, column in enumerate(columns):
        if column in sheet.comments:
            ws.write_comment(0, j, sheet.comments[column], {"x_scale": 2.5, "y_scale": 2})
    example = (
        book.add_format({"italic": True, "font_color": "#7F7F7F"}) if sheet.example_rows else None
    )
    plan = []
    for j, column in enumerate(columns):
        series = frame.iloc[:, j]
        write, values = _column_cells(ws, series)
        style = styles.get(sheet.formats.get(column, ""))
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            style = style or date_style
        plan.append((j, write, values, style, column in sheet.row_format_columns))
    row_styles = [styles.get(f or "") for f in sheet.row_formats]
    # Cells row by row, as constant-memory mode requires; missing values leave no cell.
    for i in range(len(frame)):
        for j, write, values, style, by_row in plan:
            value = values[i]
            if value is not None:
                cell_style = row_styles[i] if by_row else style
                write(i + 1, j, value, example if i < sheet.example_rows else cell_style)


def _column_cells(ws: Any, series: pd.Series) -> tuple[Callable[..., Any], list[Any]]:
    """The XlsxWriter call for one column's cells (typed once per column, not per cell) and
    its values, ``None`` where the cell stays empty."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return ws.write_boolean, series.astype(bool).tolist()
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        keep = np.isfinite(values).tolist()
        if pd.api.types.is_integer_dtype(series.dtype):
            out: list[Any] = series.astype(object).tolist()
        else:
            out = values.tolist()
        return ws.write_number, [v if k else None for v, k in zip(out, keep, strict=True)]
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        dates = [None if pd.isna(v) else v.to_pydatetime() for v in series.tolist()]
        return ws.write_datetime, dates
    if pd.api.types.is_string_dtype(series.dtype) and not pd.api.types.is_object_dtype(series):
        text = series.str.slice(0, MAX_TEXT).str.replace(_ILLEGAL_XML.pattern, "", regex=True)
        return ws.write_string, text.astype(object).where(series.notna(), None).tolist()
    cells = [cell_value(v) for v in series.astype(object).tolist()]

    def mixed(row: int, col: int, value: Any, style: Any) -> None:
        if isinstance(value, bool):
            ws.write_boolean(row, col, value, style)
        elif isinstance(value, int | float):
            ws.write_number(row, col, value, style)
        elif isinstance(value, dt.datetime | dt.date):
            ws.write_datetime(row, col, value, style)
        else:
            ws.write_string(row, col, _ILLEGAL_XML.sub("", str(value)[:MAX_TEXT]), style)

    return mixed, cells


def cell_value(value: Any) -> Any:
    """A value as a spreadsheet cell holds it: a Python scalar, ``None`` for missing.

    Parameters
    ----------
    value
        A cell of a DataFrame (numpy scalar, ``pd.NA``, ``NaT``, NaN, timestamp…).

    Returns
    -------
    Any
        ``None`` for a missing or non-finite value, a ``datetime`` for a timestamp, else the
        Python scalar.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


# -- reading --------------------------------------------------------------------------------


def read_workbook_cells(path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet of a workbook as a grid of cells, the values saved with them.

    Parameters
    ----------
    path
        An ``.xlsx`` workbook.

    Returns
    -------
    dict of str to pandas.DataFrame
        Sheet name → its cells (Python values, ``""`` when empty); row ``i`` of a grid is the
        sheet's row ``i + 1``, column ``j`` its column ``j + 1``.
    """
    sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object, na_filter=False)
    return {str(name): frame for name, frame in sheets.items()}


def cell_list(refs: Sequence[str]) -> str:
    """Cells or ranges as a message lists them: the first ten, then how many more.

    Parameters
    ----------
    refs
        References (``B2``, ``A3:A5``), in sheet order.

    Returns
    -------
    str
        ``B2, B3 and 4 more``, in the active language.
    """
    shown = ", ".join(refs[:10])
    if len(refs) > 10:
        rest = len(refs) - 10
        shown = ngettext("{first} and {n} more", "{first} and {n} more", rest).format(
            first=shown, n=rest
        )
    return shown


def merged_cells(path: Path) -> dict[str, list[tuple[int, str]]]:
    """The merged cells of each sheet: a spreadsheet keeps a merged range's value in its first
    cell only, the others read empty.

    Parameters
    ----------
    path
        The workbook.

    Returns
    -------
    dict of str to list of (int, str)
        Sheet name → each merged range's first row and its reference (``A3:A5``), in sheet
        order; only sheets with merged cells (none, without opening the workbook twice, when
        no sheet has any).
    """
    with zipfile.ZipFile(path) as book:
        parts = [n for n in book.namelist() if n.startswith("xl/worksheets/sheet")]
        if not any(b"<mergeCell " in book.read(n) for n in parts):
            return {}
    book = openpyxl.load_workbook(path)  # merged ranges are not read in read-only mode
    try:
        return {
            sheet.title: [
                (r.min_row, r.coord)
                for r in sorted(sheet.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col))
            ]
            for sheet in book.worksheets
            if sheet.merged_cells.ranges
        }
    finally:
        book.close()


#: A cell holding a formula and no value saved with it: ``<c r="B2"><f>B1*2</f></c>`` (or
#: an empty ``<v/>``).
_UNCOMPUTED = re.compile(rb"<c\b[^>]*>\s*<f\b[^>]*(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v></v>)?\s*</c>")


def uncomputed_formulas(path: Path, sheets: Mapping[str, pd.DataFrame]) -> list[Problem]:
    """An error per sheet holding formulas whose value was never saved (a workbook written
    by a program that does not compute them): read as empty, they would silently be
    missing values or optional values left out. Excel and LibreOffice save every value.

    Parameters
    ----------
    path
        The workbook.
    sheets
        Its cells as read (``read_workbook_cells``).

    Returns
    -------
    list of Problem
        One error per sheet with such cells, naming them; empty when there is none.
    """
    with zipfile.ZipFile(path) as book:
        parts = [n for n in book.namelist() if n.startswith("xl/worksheets/sheet")]
        if not any(_UNCOMPUTED.search(book.read(n)) for n in parts):
            return []
    problems = []
    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        for sheet in book.worksheets:
            grid = sheets.get(sheet.title, pd.DataFrame()).to_numpy(dtype=object)
            cells = [
                cell
                for row in sheet.iter_rows()
                for cell in row
                if isinstance(cell.value, str)
                and cell.value.startswith("=")
                and (
                    cell.row > grid.shape[0]
                    or cell.column > grid.shape[1]
                    or not str(grid[cell.row - 1, cell.column - 1]).strip()
                )
            ]
            if cells:
                shown = cell_list([c.coordinate for c in cells])
                msg = _(
                    "cells {cells}: formulas whose value was never saved (the workbook was "
                    "written by a program that does not compute them): open it in Excel or "
                    "LibreOffice and save it again"
                ).format(cells=shown)
                file = f"{path}[{sheet.title}]"
                problems.append(Problem(sheet.title, cells[0].row, None, msg, file))
    finally:
        book.close()
    return problems
