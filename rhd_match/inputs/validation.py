"""Turn raw tables (strings from files, or user DataFrames) into typed, checked tables.

Every problem is collected, none stops the others from being found: the caller raises one
``ScenarioError`` listing them all. Checks are vectorised; Python only
loops over the cells that are wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..egalim import LABELS, format_labels, parse_labels
from ..errors import Problem
from ..i18n import format_figure, format_number, ngettext, quoted
from ..i18n import gettext as _
from ..io import MAX_LISTED, SOURCE_ROW, blank_rows, cell_text, close_header, match_columns
from ..weeks import week_problem
from .fixes import (
    LABEL_ALIASES,
    SCIENTIFIC,
    UNIT_ALIASES,
    ambiguous_week,
    code_digits,
    fix_code,
    fix_number,
    fix_week,
    scientific_code,
    scientific_digits,
    unit_name,
    unit_written,
    week_read_as,
)
from .layouts import demand_from_grid, scenario_weeks
from .schema import CEILINGS, TABLES, Column, Table

FIRST_DATA_ROW = 2  # a person's row number of the first data row (the header is row 1)


def blank_cells(values: pd.Series) -> pd.Series:
    """Whether each cell is empty or only spaces.

    Parameters
    ----------
    values
        A column's cells, shape (rows,), of any type.

    Returns
    -------
    pandas.Series
        True where the cell is missing or blank, shape (rows,), same index.
    """
    text = values.astype(object).where(values.notna(), "")
    return text.map(lambda v: str(v).strip() == "").astype(bool)


def _as_text(values: pd.Series) -> pd.Series:
    """Cells as stripped strings (``rhd_match.io.cell_text``)."""
    return values.astype(object).map(cell_text)


def source_rows(frame: pd.DataFrame) -> np.ndarray:
    """The row number a person sees for each row of ``frame``: its index when read from a file
    (``SOURCE_ROW``), else its position with the header as row 1.

    Parameters
    ----------
    frame
        A table as read or given, one row per record.

    Returns
    -------
    numpy.ndarray
        Shape (len(frame),), int64: each row's number in its file or sheet.
    """
    if frame.index.name == SOURCE_ROW:
        return frame.index.to_numpy(dtype=np.int64)
    return np.arange(len(frame), dtype=np.int64) + FIRST_DATA_ROW


class Collector:
    """The problems found in one table, each placed at its file's row and column.

    Parameters
    ----------
    table
        The table's schema (its name goes into each problem).
    file
        The file it came from; None for a table given as a DataFrame.
    rows
        Each data row's number in its file, shape (rows,) (``source_rows``).
    weeks
        The scenario's weeks written in full, to read ``S03`` against.
    cells
        Column → the file's own column of each row, where a layout moved it (a demand grid).
    """

    def __init__(
        self,
        table: Table,
        file: str | None,
        rows: np.ndarray,
        weeks: list[str] | None = None,
        cells: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.table, self.file, self.rows = table, file, rows
        self.cells = cells or {}  # column → the file's column of each row, when another
        self.weeks = weeks or []  # the scenario's weeks written in full, for 'S03'
        self.problems: list[Problem] = []

    def add(
        self,
        positions: np.ndarray,
        column: str | None,
        messages: list[str] | str,
        severity: str = "error",
    ) -> None:
        """Record a problem at each of ``positions``, the first ``MAX_LISTED`` one by one and
        the rest as one line.

        Parameters
        ----------
        positions
            Positions of the rows among the table's rows, shape (n,).
        column
            The column, or None for a whole row.
        messages
            One message for every row, or one per row.
        severity
            ``"error"`` or ``"warning"``.
        """
        msgs = [messages] * len(positions) if isinstance(messages, str) else messages
        name = self.table.name
        typed_in = self.cells.get(column or "")
        for pos, msg in list(zip(positions, msgs, strict=True))[:MAX_LISTED]:
            row = int(self.rows[int(pos)])
            where = typed_in[int(pos)] if typed_in is not None else column
            self.problems.append(Problem(name, row, where, msg, self.file, severity))
        if len(positions) > MAX_LISTED:
            n = len(positions) - MAX_LISTED
            more = ngettext(
                "... and {n} more row like these", "... and {n} more rows like these", n
            ).format(n=format_number(n))
            self.problems.append(Problem(name, None, column, more, self.file, severity, n))

    def table_problem(self, column: str | None, message: str, severity: str = "error") -> None:
        """Record a problem of the whole table or of a whole column.

        Parameters
        ----------
        column
            The column, or None for the table.
        message
            What is wrong.
        severity
            ``"error"`` or ``"warning"``.
        """
        self.problems.append(Problem(self.table.name, None, column, message, self.file, severity))


def coerce_tables(
    raw: Mapping[str, pd.DataFrame], files: Mapping[str, str]
) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Type and check every table given on its own (``coerce_table``), a demand grid first
    turned into the long layout, weeks like ``S03`` read against the scenario's weeks.

    Parameters
    ----------
    raw
        Table name → cells as read (or as given); missing tables are left out.
    files
        Table name → the file it came from.

    Returns
    -------
    tuple of (dict of str to pandas.DataFrame, list of Problem)
        The typed tables (see ``coerce_table``) and every problem found.
    """
    weeks = scenario_weeks(raw)
    typed: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for name, frame in raw.items():
        if name == "demand":
            frame, found, cells = demand_from_grid(frame, weeks, files.get(name))
            problems += found
            grid = {"qty": cells} if cells is not None else None
        else:
            grid = None
        typed[name], found = coerce_table(frame, TABLES[name], files.get(name), weeks, grid)
        problems += found
    return typed, problems


def coerce_table(
    raw: pd.DataFrame,
    table: Table,
    file: str | None = None,
    weeks: list[str] | None = None,
    cells: Mapping[str, Sequence[str]] | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Type and check one table on its own (not against the others).

    Returns the typed table (columns in schema order, optional columns filled with NaN, wholly
    empty rows left out, indexed by ``SOURCE_ROW``) and the problems found.
    Column names may differ from the schema's by case and spaces (with a warning); values
    written another way that can mean one thing only are read with a warning (``fixes``:
    ``weeks`` are the scenario's weeks written in full, for ``S03``). The typed table is
    only meaningful when no problem is an error.

    Parameters
    ----------
    raw
        The table as read (``rhd_match.io``), indexed by ``SOURCE_ROW``.
    table
        Its schema.
    file
        The file it was read from, for the problems.
    weeks
        The scenario's weeks written in full (``YYYY-Www``), to read ``S03``; None when unknown.
    cells
        Column → the column of the file each row's value was typed in, when it is not that
        column (a demand grid's ``qty``: the week column as headed), so that problems name it.

    Returns
    -------
    table : pandas.DataFrame
        The typed table.
    problems : list of Problem
        Errors and warnings, each with its row and column.
    """
    kept = ~blank_rows(raw)
    raw = raw[kept]
    rows = source_rows(raw)
    typed_in = {
        c: [v for v, k in zip(vs, kept, strict=True) if k] for c, vs in (cells or {}).items()
    }
    out = Collector(table, file, rows, weeks, typed_in)
    found = [str(c) for c in raw.columns]
    names, renamed = match_columns(found, table.column_names, table.name, file)
    out.problems += renamed
    raw = raw.set_axis(names, axis=1).reset_index(drop=True)
    raw = raw.loc[:, ~raw.columns.duplicated()]
    unknown = [c for c in raw.columns if c not in table.column_names]
    absent = [c.name for c in table.columns if c.name not in raw.columns]
    for col in unknown:
        near = close_header(col, absent)
        msg = (
            _("unknown column, ignored; did you mean '{name}'?").format(name=near)
            if near is not None
            else _("unknown column, ignored")
        )
        out.table_problem(col, msg, severity="warning")
    typed: dict[str, pd.Series] = {}
    for column in table.columns:
        if column.name not in raw.columns:
            if column.required:
                out.table_problem(column.name, _missing_column(column.name, unknown))
            typed[column.name] = _empty(column, len(raw))
            continue
        typed[column.name] = _coerce_column(raw[column.name], column, out)
    frame = pd.DataFrame(typed)
    if all(key in raw.columns for key in table.key):  # else every key would look the same
        _check_duplicates(frame, table, out)
    _check_case(frame, table, out)
    frame.index = pd.Index(rows, name=SOURCE_ROW)
    return frame, out.problems


def empty_table(table: Table) -> pd.DataFrame:
    """An optional table left out of a scenario: its columns typed, no row.

    Parameters
    ----------
    table
        The table's declaration.

    Returns
    -------
    pandas.DataFrame
        No row; the columns of ``table`` in order, numbers as float, text as str.
    """
    return pd.DataFrame({c.name: _empty(c, 0) for c in table.columns})


def _missing_column(name: str, unknown: list[str]) -> str:
    near = close_header(name, unknown)
    if near is not None:
        return _("required column is missing; found '{found}'").format(found=near)
    if unknown:
        found = ", ".join(quoted(u) for u in unknown)
        return _("required column is missing; found {found}").format(found=found)
    return _("required column is missing")


def _empty(column: Column, n: int) -> pd.Series:
    if column.kind in ("float", "int"):
        return pd.Series(np.full(n, np.nan), dtype=float)
    return pd.Series([np.nan] * n, dtype="str")


def _coerce_column(values: pd.Series, column: Column, out: Collector) -> pd.Series:
    blank = blank_cells(values).to_numpy()
    if not column.nullable and blank.any():
        out.add(np.flatnonzero(blank), column.name, _("missing value"))
    if column.kind in ("float", "int"):
        return _coerce_number(values, blank, column, out)
    text = _as_text(values)
    if column.digits:
        text = pad_code(values, text, column, out)
    if column.kind == "choice":
        typed = text
        text = text.str.upper() if column.choices[0].isupper() else text.str.lower()
        text = _fix_codes(text, typed, blank, column, out)
        bad = ~blank & ~text.isin(column.choices).to_numpy()
        if bad.any():
            allowed = ", ".join(column.choices)
            msgs = [
                _("'{value}' is not one of {allowed}").format(value=v, allowed=allowed)
                for v in text[bad]
            ]
            out.add(np.flatnonzero(bad), column.name, msgs)
    elif column.kind == "week":
        text = _fix_weeks(text, blank, column, out)
        checked = {w: week_problem(w) for w in pd.unique(text[~blank].to_numpy())}
        bad = ~blank & np.array([checked.get(w) is not None for w in text], dtype=bool)
        if bad.any():
            out.add(np.flatnonzero(bad), column.name, [str(checked[w]) for w in text[bad]])
    elif column.kind == "labels":
        read = {c: _fixed_labels(c) for c in pd.unique(text.to_numpy())}
        fixed = np.array([read[c][1] for c in text], dtype=bool)
        if fixed.any():
            msgs = [_read_as(c, format_labels(read[c][0])) for c in text[fixed]]
            out.add(np.flatnonzero(fixed), column.name, msgs, severity="warning")
        parsed = {c: labs for c, (labs, _fixed) in read.items()}
        canonical = {c: format_labels(labs) for c, labs in parsed.items()}
        unknown = {c: [lab for lab in labs if lab not in LABELS] for c, labs in parsed.items()}
        bad = np.array([bool(unknown[c]) for c in text], dtype=bool)
        if bad.any():
            msgs = [
                ngettext(
                    "unknown label {labels}; allowed: {allowed}",
                    "unknown labels {labels}; allowed: {allowed}",
                    len(unknown[c]),
                ).format(labels=", ".join(unknown[c]), allowed=", ".join(LABELS))
                for c in text[bad]
            ]
            out.add(np.flatnonzero(bad), column.name, msgs)
        text = text.map(canonical)
        return pd.Series(text.to_numpy(), dtype="str")
    elif column.kind == "days":
        text = _fix_days(text, blank, column, out)
    elif column.kind == "ids":
        # A list of ids in one cell: trimmed, duplicates dropped, first-seen order kept.
        canonical = {c: ",".join(dict.fromkeys(split_ids(c))) for c in pd.unique(text)}
        text = text.map(canonical)
    series = pd.Series(text.to_numpy(), dtype="str")
    if column.nullable:
        series = series.where(~blank, np.nan)
    return series


def _read_as(read: object, used: object) -> str:
    return _("'{read}' read as '{used}'").format(read=read, used=used)


def _fix_codes(
    text: pd.Series, typed: pd.Series, blank: np.ndarray, column: Column, out: Collector
) -> pd.Series:
    """Codes written another way (``Fruits et légumes``, ``Pièce``) replaced by the one code
    they name, each with a warning naming the cell as ``typed``; the rest left for the
    check."""
    bad = ~blank & ~text.isin(column.choices).to_numpy()
    aliases = UNIT_ALIASES if column.name == "unit" else {}
    fixes = {v: fix_code(v, column.choices, aliases) for v in pd.unique(text[bad].to_numpy())}
    fixed = bad & text.map(lambda v: fixes.get(v) is not None).to_numpy(dtype=bool)
    if not fixed.any():
        return text
    msgs = [_read_as(t, fixes[v]) for t, v in zip(typed[fixed], text[fixed], strict=True)]
    out.add(np.flatnonzero(fixed), column.name, msgs, severity="warning")
    return text.where(~fixed, text.map(lambda v: fixes.get(v) or v))


def _fixed_labels(cell: str) -> tuple[tuple[str, ...], bool]:
    """The label codes of a cell, those written another way (``AB``, ``Label Rouge``)
    replaced by the one code they name; whether any was."""
    labels, fixed = [], False
    for label in parse_labels(cell):
        code = label if label in LABELS else fix_code(label, LABELS, LABEL_ALIASES)
        fixed |= code is not None and code != label
        labels.append(code or label)
    return tuple(dict.fromkeys(labels)), fixed


def _fix_weeks(text: pd.Series, blank: np.ndarray, column: Column, out: Collector) -> pd.Series:
    """Weeks written as a date or as ``S03`` replaced by the ISO week, each with a warning
    naming the rule; ``S03`` whose year cannot be told is an error."""
    values = pd.unique(text[~blank].to_numpy())
    fixes = {w: fix_week(w, out.weeks) for w in values if week_problem(w) is not None}
    fixed = np.array([fixes.get(w, (None, ""))[0] is not None for w in text], dtype=bool)
    ambiguous = np.array([fixes.get(w, (None, ""))[1] == "ambiguous" for w in text], dtype=bool)
    if fixed.any():
        msgs = [week_read_as(w, fixes[w][0] or "", fixes[w][1]) for w in text[fixed]]
        out.add(np.flatnonzero(fixed), column.name, msgs, severity="warning")
    if ambiguous.any():
        msgs = [ambiguous_week(w, out.weeks) for w in text[ambiguous]]
        out.add(np.flatnonzero(ambiguous), column.name, msgs)
    used = text.map(lambda w: fixes.get(w, (None, ""))[0] or w)
    # an ambiguous week is reported once, here: the check below sees a valid placeholder
    return used.where(~ambiguous, "2026-W01")


def _fix_days(text: pd.Series, blank: np.ndarray, column: Column, out: Collector) -> pd.Series:
    """ISO weekdays written ``1;2;4`` kept as they are; written with day names (``lun;mar``,
    ``Mon, Tue``) or in another order read as the numbers with a warning; other words are
    errors naming the cell."""
    read = {c: weekdays(c) for c in pd.unique(text[~blank].to_numpy())}
    bad = np.array([c in read and read[c] is None for c in text], dtype=bool)
    if bad.any():
        msgs = [
            _(
                "'{value}' is not a list of weekdays (1 to 7, or lun, mar... separated by ';')"
            ).format(value=c)
            for c in text[bad]
        ]
        out.add(np.flatnonzero(bad), column.name, msgs)
    used = {c: days for c, days in read.items() if days is not None}
    fixed = np.array([c in used and used[c] != c for c in text], dtype=bool)
    if fixed.any():
        msgs = [_read_as(c, used[c]) for c in text[fixed]]
        out.add(np.flatnonzero(fixed), column.name, msgs, severity="warning")
    return text.map(lambda c: used.get(c, c))


#: Day names and abbreviations (French, English; accents and case aside) → ISO weekday.
_DAY_NAMES = {
    name: day
    for day, names in enumerate(
        (
            ("lun", "lundi", "mon", "monday"),
            ("mar", "mardi", "tue", "tues", "tuesday"),
            ("mer", "mercredi", "wed", "wednesday"),
            ("jeu", "jeudi", "thu", "thur", "thurs", "thursday"),
            ("ven", "vendredi", "fri", "friday"),
            ("sam", "samedi", "sat", "saturday"),
            ("dim", "dimanche", "sun", "sunday"),
        ),
        start=1,
    )
    for name in names
}


def weekdays(cell: str) -> str | None:
    """The ISO weekdays of a ``days`` cell as ``"1;2;4"`` (sorted, each once), or None when a
    part is neither a number from 1 to 7 nor a day name.

    Parameters
    ----------
    cell
        A cell such as ``"1;2;4"``, ``"lun;mar;jeu"``, ``"Mon, Thu"``.

    Returns
    -------
    str or None
        The canonical text, None when unreadable.
    """
    parts = re.split(r"[;,/\s]+", cell.strip().lower())
    days = set()
    for part in filter(None, (p.rstrip(".") for p in parts)):
        if part in ("1", "2", "3", "4", "5", "6", "7"):
            days.add(int(part))
        elif part in _DAY_NAMES:
            days.add(_DAY_NAMES[part])
        else:
            return None
    return ";".join(str(d) for d in sorted(days)) if days else None


def split_ids(cell: object) -> list[str]:
    """The ids of an ``ids`` cell (comma- or semicolon-separated), empty parts left out.

    Parameters
    ----------
    cell
        One cell of an ``ids`` column: a string, or anything else for no id.

    Returns
    -------
    list of str
        The ids in the cell's order, stripped.
    """
    if not isinstance(cell, str):
        return []
    return [part.strip() for part in cell.replace(";", ",").split(",") if part.strip()]


def pad_code(values: pd.Series, text: pd.Series, column: Column, out: Collector) -> pd.Series:
    """Codes of ``column.digits`` digits as a spreadsheet may have changed them, read back
    with a warning naming the cell: spaces (thousands separators, no-break spaces) and a
    decimal part of zeros (``62498.0``) removed, leading zeros that were dropped (``2408``
    for INSEE ``02408``) restored, a code in scientific notation that writes every digit
    (``1.234567800002E+12``) read as its digits. All-digit codes longer than that, and codes
    in scientific notation whose last digits are lost (``2,16205E+13``), are errors.

    Parameters
    ----------
    values
        The cells as read (numbers stay numbers: a workbook's number cell), shape (rows,).
    text
        The same cells as text, shape (rows,).
    column
        The column's schema (``digits``: the code's width).
    out
        Receives a warning per code read differently and an error per code lost.

    Returns
    -------
    pandas.Series
        The codes as read back, shape (rows,).
    """
    width = int(column.digits or 0)
    cleaned = text.map(code_digits)
    scientific = cleaned.str.fullmatch(SCIENTIFIC.pattern).to_numpy(dtype=bool)
    whole = cleaned.map(lambda c: scientific_digits(c) if SCIENTIFIC.match(c) else c)
    lost = whole.isna().to_numpy(dtype=bool)
    if lost.any():
        out.add(np.flatnonzero(lost), column.name, list(text[lost].map(scientific_code)))
    complete, cleaned = scientific & ~lost, whole.where(~lost, cleaned)
    digits = cleaned.str.fullmatch(r"[0-9]+").to_numpy(dtype=bool)
    short = digits & (cleaned.str.len() < width).to_numpy(dtype=bool)
    padded = cleaned.where(~short, cleaned.str.zfill(width))
    changed = (padded != text).to_numpy(dtype=bool)
    typed = values.astype(object).map(lambda v: isinstance(v, int | float)).to_numpy(dtype=bool)
    as_text = _(
        "'{read}' read as '{used}': a code of {width} digits whose leading zero(s) were "
        "dropped (a number in the spreadsheet: format the column as text)"
    )
    as_typed = _(
        "'{read}' read as '{used}': a code of {width} digits whose leading zero(s) were dropped"
    )
    as_code = _("'{read}' read as '{used}': a code holds neither spaces nor decimals")
    as_scientific = _(
        "'{read}' read as '{used}', a code of {width} digits: its scientific notation "
        "writes every digit (format the column as text in the spreadsheet)"
    )
    kinds = np.select([complete, ~short, typed], [0, 1, 2], 3)[changed]
    templates = (as_scientific, as_code, as_text, as_typed)
    msgs = [
        templates[k].format(read=t, used=p, width=width)
        for t, p, k in zip(text[changed], padded[changed], kinds, strict=True)
    ]
    out.add(np.flatnonzero(changed), column.name, msgs, severity="warning")
    long = digits & (cleaned.str.len() > width).to_numpy(dtype=bool)
    if long.any():
        too_long = _("'{value}' has {n} digits: a code of {width} digits is expected")
        msgs = [too_long.format(value=v, n=len(v), width=width) for v in cleaned[long]]
        out.add(np.flatnonzero(long), column.name, msgs)
    return padded


def _coerce_number(
    values: pd.Series, blank: np.ndarray, column: Column, out: Collector
) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype(float)
    else:
        text = _as_text(values).str.replace(",", ".", regex=False)
        numbers = pd.to_numeric(text.where(~blank, None), errors="coerce").astype(float)
    arr = numbers.to_numpy(dtype=float)
    arr, refused = _fix_numbers(values, arr, blank, column, out)
    not_number = ~blank & np.isnan(arr) & ~refused
    if not_number.any():
        shown = _as_text(values)[not_number]
        msgs = [_("'{value}' is not a number").format(value=v) for v in shown]
        out.add(np.flatnonzero(not_number), column.name, msgs)
    infinite = ~np.isnan(arr) & ~np.isfinite(arr)
    if infinite.any():
        shown = _as_text(values)[infinite]
        msgs = [
            _("'{value}' is infinite or too large to be a figure").format(value=v) for v in shown
        ]
        out.add(np.flatnonzero(infinite), column.name, msgs)
    finite = np.isfinite(arr)  # one problem a cell: an infinity is no more checked for bounds
    checks: list[tuple[np.ndarray, str]] = []
    with np.errstate(invalid="ignore"):
        if column.positive:
            checks.append((finite & (arr <= 0), _("{value} must be > 0")))
        if column.minimum is not None:
            checks.append((finite & (arr < column.minimum), _("{value} must be ≥ {minimum}")))
        if column.maximum is not None and column.maximum == CEILINGS.get(column.unit):
            too_large = _(
                "{value} is above {ceiling}, more than any territory's figure: a code or an "
                "exponent typed in a number?"
            )
            checks.append((finite & (arr > column.maximum), too_large))
        elif column.maximum is not None:
            checks.append((finite & (arr > column.maximum), _("{value} must be ≤ {maximum}")))
        if column.kind == "int":
            checks.append((finite & (arr != np.round(arr)), _("{value} must be a whole number")))
    bounds = {
        name: "" if bound is None else format_figure(bound)
        for name, bound in (("minimum", column.minimum), ("maximum", column.maximum))
    }
    bounds["ceiling"] = format_number(column.maximum or 0.0)
    for bad, what in checks:
        if bad.any():
            msgs = [what.format(value=format_figure(v), **bounds) for v in arr[bad]]
            out.add(np.flatnonzero(bad), column.name, msgs)
    if column.kind == "int" and not column.nullable:
        return pd.Series(np.where(np.isfinite(arr), np.round(arr), 0).astype(np.int64))
    return pd.Series(arr, dtype=float)


def _fix_numbers(
    values: pd.Series, arr: np.ndarray, blank: np.ndarray, column: Column, out: Collector
) -> tuple[np.ndarray, np.ndarray]:
    """Numbers written the French way (``3 000``, ``1 234,50``, ``1,85 €``, ``25 %`` for a
    fraction) read with a warning; a sign that does not fit the column is an error (the cells
    refused, reported here, are returned with the numbers)."""
    todo = np.flatnonzero(~blank & np.isnan(arr))
    refused_mask = np.zeros(len(arr), dtype=bool)
    if not len(todo):
        return arr, refused_mask
    arr = arr.copy()
    shown = _as_text(values).to_numpy()
    fixed: list[int] = []
    with_unit: list[int] = []
    refused: list[tuple[int, str]] = []
    for pos in todo.tolist():
        value, why = fix_number(str(shown[pos]), column.unit)
        if value is not None:
            arr[pos] = value
            (with_unit if why else fixed).append(pos)
        elif why:
            refused.append((pos, why))
    if fixed:
        msgs = [
            _("'{read}' read as {used}").format(read=shown[p], used=format_figure(arr[p]))
            for p in fixed
        ]
        out.add(np.array(fixed), column.name, msgs, severity="warning")
    if with_unit:  # the column's own unit: one word for the column, not one per cell
        n, first = len(with_unit), with_unit[0]
        msg = ngettext(
            "{n} number written with its unit, such as '{read}' (row {row}): read in {unit}",
            "{n} numbers written with their unit, such as '{read}' (row {row}): read in {unit}",
            n,
        ).format(n=n, read=shown[first], row=out.rows[first], unit=unit_name(column.unit))
        out.table_problem(column.name, msg, severity="warning")
    for pos, why in refused:
        refused_mask[pos] = True
        refusal = {
            "percent": _("'{read}' is a percentage, but the column holds {unit}: write the number"),
            "euro": _("'{read}' is an amount in euros, but the column holds {unit}"),
            "unit": _(
                "'{read}' is in {found}, but the column holds {unit}: write the number alone, "
                "in {unit}"
            ),
            "product unit": _(
                "'{read}': the column holds quantities in each product's own unit (the products "
                "table's 'unit'): write the number alone"
            ),
        }[why]
        found = unit_written(str(shown[pos]))
        out.add(
            np.array([pos]),
            column.name,
            refusal.format(
                read=shown[pos],
                unit=unit_name(column.unit) if column.unit else _("a plain number"),
                found=found,
            ),
        )
    return arr, refused_mask


def _check_duplicates(frame: pd.DataFrame, table: Table, out: Collector) -> None:
    keys = list(table.key)
    # A key with a missing part is told missing already: no duplicate of it on top.
    whole = frame[keys].notna().all(axis=1) & (frame[keys].astype(str) != "").all(axis=1)
    dup = (frame.duplicated(keys, keep=False) & whole).to_numpy()
    if not dup.any():
        return
    first = frame.reset_index().groupby(keys, sort=False)["index"].transform("min").to_numpy()
    later = dup & (first != np.arange(len(frame)))
    key_text = frame[keys].astype(str).agg(" / ".join, axis=1)
    msgs = [
        _("duplicate key {key} = {value} (first at row {row})").format(
            key="/".join(keys), value=key_text.iloc[i], row=out.rows[first[i]]
        )
        for i in np.flatnonzero(later)
    ]
    out.add(np.flatnonzero(later), keys[0], msgs)


def _check_case(frame: pd.DataFrame, table: Table, out: Collector) -> None:
    """Ids this table gives (not those it refers to) written two ways that differ only by
    case: ids are compared exactly, but a spreadsheet's lookups are not. Two rows' keys
    (``HUB_LENS``, ``hub_lens``) are an error; another id (a market's ``supplier_id``) is a
    warning: two suppliers, with an order sheet each. Surrounding spaces are no difference:
    every cell is read without them."""
    for column in table.columns:
        if column.kind != "id" or column.name in table.foreign or column.name not in frame:
            continue
        ids = frame[column.name].dropna().astype(str)
        spellings = ids.groupby(ids.str.casefold(), sort=False).unique()
        key = column.name == table.key[0]
        for written in spellings[spellings.map(len) > 1]:
            first = int(np.flatnonzero(ids.to_numpy() == written[0])[0])
            for other in written[1:]:
                at = int(np.flatnonzero(ids.to_numpy() == other)[0])
                msg = (
                    _(
                        "{column} '{other}' differs from '{first}' (row {row}) only by case: "
                        "ids are compared exactly; write one id the same way everywhere, or "
                        "give two things ids that differ by more than case"
                    )
                    if key
                    else _(
                        "{column} '{other}' differs from '{first}' (row {row}) only by case: "
                        "read as two different ones"
                    )
                ).format(column=column.name, other=other, first=written[0], row=out.rows[first])
                out.add(np.array([ids.index[at]]), column.name, msg, "error" if key else "warning")
