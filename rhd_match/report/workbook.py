"""The Excel results workbook: every solution table on its own formatted sheet.

:func:`write_workbook` writes ``summary`` (transposed: one figure per row, before and after),
``canteens``, ``producers``, ``producer_weeks``, ``flows``, ``unmet_local`` and ``orders``
(purchases from producers, sorted by producer, week and canteen: what each producer delivers
where). Headers are bold, frozen and filtered; money, kg and percentages carry number formats;
the canteens sheet colours EGalim compliance green or red. The same solution always gives the
same bytes, and the file is written all or nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from ..inputs.scenario import Scenario
from ..io import write_folder_atomically
from ..plan.orders import order_sheets
from ..plan.solution import Solution
from ..weeks import week_monday

EUR = '#,##0.00 "€"'
KG = '#,##0.0 "kg"'
PERCENT = "0.0%"
KM = '#,##0.0 "km"'
SECONDS = '0.00 "s"'
NUMBER = "#,##0.00"
INTEGER = "#,##0"
DATE = "yyyy-mm-dd"

#: Excel's row limit, header included.
MAX_ROWS = 1_048_576
#: Date stamped in the zip entries (the earliest a zip can hold) and fallback document date.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
FALLBACK_DATE = dt.datetime(2026, 1, 1)

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
GOOD_FILL = PatternFill("solid", fgColor="C6EFCE", bgColor="C6EFCE")
GOOD_FONT = Font(color="006100")
BAD_FILL = PatternFill("solid", fgColor="FFC7CE", bgColor="FFC7CE")
BAD_FONT = Font(color="9C0006")

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
    ("Objective", "objective"),
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
        after = _cell(row[field])
        before_col = f"{field}_before"
        before = _cell(row[before_col]) if before_col in summary.columns else None
        change = None
        numbers = isinstance(after, int | float) and isinstance(before, int | float)
        if numbers and not isinstance(after, bool):
            change = after - before
        records.append((labels.get(field, field), before, after, change, field))
    return pd.DataFrame.from_records(records, columns=list(SUMMARY_HEADER))


def order_sheet(scenario: Scenario, solution: Solution) -> pd.DataFrame:
    """The order sheets of :func:`rhd_match.plan.orders.order_sheets`, delivery dates as dates."""
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


@dataclass(frozen=True)
class _Body:
    """Data rows of a sheet, serialised by :func:`_sheet_rows_xml` instead of openpyxl."""

    number: int
    frame: pd.DataFrame
    kinds: tuple[str, ...]


def build_workbook(scenario: Scenario, solution: Solution) -> tuple[Workbook, list[_Body]]:
    """The formatted results workbook (write-only mode: save it once) and the data rows of
    its table sheets, which :func:`workbook_bytes` writes into the saved package.

    openpyxl serialises cells one by one (about 50 µs each without lxml); the sheets carry
    their header and one prototype row (row 2) styled per column, and the rows are written
    as XML text with the prototype's style ids, about fifty times faster.
    """
    wb = Workbook(write_only=True)
    stamp = _document_date(solution)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "rhd_match"
    wb.properties.lastModifiedBy = "rhd_match"
    wb.properties.title = "rhd_match results"
    bodies = []
    for number, (name, frame) in enumerate(workbook_sheets(scenario, solution).items(), 1):
        if len(frame) + 1 > MAX_ROWS:
            raise ValueError(
                f"sheet '{name}' would have {len(frame) + 1:,} rows, more than Excel's "
                f"{MAX_ROWS:,}; write the CSV files instead (Solution.to_folder)"
            )
        if name == "summary":
            formats = [column_format(str(f)) for f in frame["field"]]
            _write_sheet(wb, name, frame, row_formats=formats)
        else:
            kinds = tuple(_kind(frame[c]) for c in frame.columns)
            _write_sheet(wb, name, frame, kinds=kinds)
            if len(frame):
                bodies.append(_Body(number, frame, kinds))
    return wb, bodies


def write_workbook(scenario: Scenario, solution: Solution, path: str | Path) -> Path:
    """Write the results workbook to ``path`` (all or nothing); returns the path.

    The bytes depend only on the scenario and the solution: document dates are the Monday of
    the plan's first week, and zip entries carry a fixed date.
    """
    data = workbook_bytes(scenario, solution)
    path = Path(path)
    return write_folder_atomically(path.parent, {path.name: lambda p: p.write_bytes(data)})[0]


def workbook_bytes(scenario: Scenario, solution: Solution) -> bytes:
    """The results workbook as deterministic ``.xlsx`` bytes."""
    wb, bodies = build_workbook(scenario, solution)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    sheets = {f"xl/worksheets/sheet{b.number}.xml": b for b in bodies}
    return _repack(buffer.getvalue(), sheets)


# -- helpers ------------------------------------------------------------------------------------


def _document_date(solution: Solution) -> dt.datetime:
    weeks = solution.flows["week"]
    if len(weeks) == 0:
        return FALLBACK_DATE
    first = week_monday(str(weeks.min()))
    return dt.datetime(first.year, first.month, first.day)


def _repack(data: bytes, bodies: Mapping[str, _Body]) -> bytes:
    """The package with the rows of ``bodies`` in place of their prototype rows, entries in
    stored order, each dated :data:`ZIP_DATE`."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            body = bodies.get(info.filename)
            if body is not None:
                content = _fill_rows(content.decode("utf-8"), body).encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return out.getvalue()


def _fill_rows(xml: str, body: _Body) -> str:
    """Sheet XML with its prototype row 2 replaced by every data row of ``body``."""
    start = xml.index('<row r="2"')
    end = xml.index("</sheetData>", start)
    styles: dict[str, str] = {}
    for letter, attrs in _PROTO_CELL.findall(xml[start:end]):
        style = _STYLE_ATTR.search(attrs)
        if style is not None:
            styles[letter] = style.group(1)
    return xml[:start] + _sheet_rows_xml(body.frame, body.kinds, styles) + xml[end:]


_PROTO_CELL = re.compile(r'<c r="([A-Z]+)2"([^>]*)>')
_STYLE_ATTR = re.compile(r'\bs="(\d+)"')
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
MAX_TEXT = 32_767


def _kind(series: pd.Series) -> str:
    """How a column is written: ``b`` bool, ``n`` number, ``d`` date, ``s`` text."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return "b"
    if pd.api.types.is_numeric_dtype(series.dtype):
        return "n"
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return "d"
    return "s"


def _xml_text(text: str) -> str:
    """Text escaped for an XML element, illegal characters dropped, cut to Excel's limit."""
    text = _ILLEGAL_XML.sub("", text[:MAX_TEXT])
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _sheet_rows_xml(frame: pd.DataFrame, kinds: Sequence[str], styles: Mapping[str, str]) -> str:
    """``<row>`` elements for every row of ``frame`` from row 2 on (missing values: no cell)."""
    n = len(frame)
    numbers = [str(r) for r in range(2, n + 2)]
    columns: list[list[str]] = []
    for j, (name, kind) in enumerate(zip(frame.columns, kinds, strict=True)):
        letter = get_column_letter(j + 1)
        style = f' s="{styles[letter]}"' if letter in styles else ""
        series = frame[name]
        missing = series.isna().to_numpy()
        if kind == "b":
            texts = np.where(series.to_numpy(dtype=bool), "1", "0").tolist()
            head, tail = f'{style} t="b"><v>', "</v></c>"
        elif kind == "n":
            values = series.to_numpy(dtype=float)
            missing = missing | ~np.isfinite(values)
            if pd.api.types.is_integer_dtype(series.dtype):
                texts = series.astype(str).tolist()
            else:
                texts = [repr(v) for v in values.tolist()]
            head, tail = f"{style}><v>", "</v></c>"
        elif kind == "d":
            days = (series - EXCEL_EPOCH) / pd.Timedelta(days=1)
            texts = [repr(v) for v in days.to_numpy(dtype=float).tolist()]
            head, tail = f"{style}><v>", "</v></c>"
        else:
            texts = [_xml_text(str(v)) for v in series.astype(object).tolist()]
            head, tail = f'{style} t="inlineStr"><is><t xml:space="preserve">', "</t></is></c>"
        prefix = f'<c r="{letter}'
        columns.append(
            [
                "" if gone else f'{prefix}{row}"{head}{text}{tail}'
                for row, text, gone in zip(numbers, texts, missing.tolist(), strict=True)
            ]
        )
    return "".join(
        f'<row r="{row}">{"".join(cells)}</row>'
        for row, cells in zip(numbers, zip(*columns, strict=True), strict=True)
    )


def _cell(value: Any) -> Any:
    """A value openpyxl writes as it is: Python scalars, ``None`` for missing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


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


def _write_sheet(
    wb: Workbook,
    name: str,
    frame: pd.DataFrame,
    *,
    kinds: Sequence[str] | None = None,
    row_formats: Sequence[str | None] | None = None,
) -> None:
    """Append one formatted sheet: bold frozen header, filter, widths, number formats.

    With ``row_formats`` (the transposed summary: one format per row for the before, after
    and change columns) every row is written here. Otherwise each column takes
    :func:`column_format` of its name and only a prototype row 2 is written, one styled
    value per column of kind (see :func:`_kind`) ``n``, ``b`` or ``d``; the real rows replace
    it when the package is saved.
    """
    ws = wb.create_sheet(name)
    columns = [str(c) for c in frame.columns]
    formats = [column_format(c) for c in columns]
    for j, header in enumerate(columns):
        width = _width(header, frame.iloc[:, j], formats[j])
        if row_formats is not None and header in VALUE_COLUMNS:
            width = 18.0
        ws.column_dimensions[get_column_letter(j + 1)].width = width
    ws.freeze_panes = "A2"
    last = get_column_letter(max(len(columns), 1))
    ws.auto_filter.ref = f"A1:{last}{len(frame) + 1}"
    if name == "canteens":
        _add_compliance_rules(ws, columns, len(frame))

    header_cells = []
    for header in columns:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        header_cells.append(cell)
    ws.append(header_cells)

    def styled(value: Any, fmt: str | None) -> Any:
        if fmt is None or value is None or isinstance(value, str | bool):
            return value
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = fmt
        return cell

    if row_formats is None:
        if kinds is not None and len(frame):
            prototype = {"n": 0, "b": True, "d": dt.datetime(2000, 1, 1)}
            ws.append([styled(prototype.get(k), f) for k, f in zip(kinds, formats, strict=True)])
        return
    records = frame.astype(object).to_numpy().tolist()
    for i, record in enumerate(records):
        # Transposed summary: the row's figure decides the format of before, after, change.
        ws.append(
            [
                styled(_cell(v), row_formats[i] if c in VALUE_COLUMNS else None)
                for c, v in zip(columns, record, strict=True)
            ]
        )


def _add_compliance_rules(ws: Any, columns: list[str], n_rows: int) -> None:
    """Green when the canteen meets a target, red when it does not, on the target's columns."""
    if n_rows == 0:
        return
    position = {c: get_column_letter(j + 1) for j, c in enumerate(columns)}
    for meets, coloured in COMPLIANCE.items():
        if meets not in position:
            continue
        flag = f"${position[meets]}2"
        for col in coloured:
            if col not in position:
                continue
            ref = f"{position[col]}2:{position[col]}{n_rows + 1}"
            ws.conditional_formatting.add(
                ref, FormulaRule(formula=[f"{flag}=TRUE"], fill=GOOD_FILL, font=GOOD_FONT)
            )
            ws.conditional_formatting.add(
                ref, FormulaRule(formula=[f"{flag}=FALSE"], fill=BAD_FILL, font=BAD_FONT)
            )
