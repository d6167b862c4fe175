"""Reading a *ma cantine* purchase import file ("import achats"), two ways, and its figures.

* ``read_purchases`` (baseline mode) reads what a person meant — SIRET with spaces, the old
  8-column format, ``2025-5-2``, ``1e3``, a decimal comma, ``Oui`` — and warns
  (``PurchaseWarning``) wherever the platform would refuse the file; it raises only on
  what cannot be read at all.
* ``check_purchases`` (pre-upload check) says what the platform will say about the file,
  row and column: its schema check first (``data/schemas/imports/achats_*.json`` checked by
  Validata), then its row import (``api/views/purchase_import*.py``, the ``Purchase`` model's
  ``full_clean``), which it runs only once the schema check passes.

Both walk the same rules (``cells.cell_rules``): each cell gives what the platform does
with it and what a person meant. ``purchase_figures`` turns lines into yearly declaration
figures, so that a plan can be compared with what the canteen really bought
(``rhd_match.macantine.declaration.compare``). See ``docs/macantine.md``.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ..cells import header_key, is_blank
from ..errors import Problem, ScenarioError
from ..i18n import gettext as _
from ..i18n import ngettext
from ..io import UNREADABLE_WORKBOOK, cell_text, header_row, read_csv_rows
from .cells import (
    BAD_WIDTH,
    BLANK_ROW,
    HEADER,
    IMPORT,
    NOT_APPLICABLE,
    SCHEMA,
    SPACES_LINE,
    Cell,
    cell_rules,
    future_text,
    is_late,
)
from .declaration import (
    HEADER_ID,
    HEADER_ID_OLD,
    HEADER_SIRET,
    HEADER_SIRET_OLD,
    figures_by,
    visible,
)

TABLE = "purchases"


class PurchaseWarning(UserWarning):
    """Purchase lines read as meant that the platform would refuse or flag."""


# -- public API -------------------------------------------------------------------------------


def read_purchases(
    path: str | Path,
    *,
    today: dt.date | None = None,
    future: Literal["warn", "error", "ignore"] = "warn",
) -> pd.DataFrame:
    """Read a *ma cantine* purchase import file as a person meant it (baseline mode).

    Parameters
    ----------
    path
        A ``.xlsx`` workbook (first sheet) or a CSV file (UTF-8 or Windows-1252; comma,
        semicolon or tab, found from the header row), in the platform's 12-column format or
        its old 8-column format (``caracteristiques``, ``definition_local``).
    today, future
        Dates after ``today`` (default: the current date), which *ma cantine* rejects, give a
        ``PurchaseWarning`` (``"warn"``), an error (``"error"``) or nothing.

    Returns
    -------
    DataFrame
        One row per purchase line: ``canteen_id`` (from ``cantine_id``) or ``siret``,
        ``description``, ``supplier``, ``date`` (datetime64, the purchase day), ``value_eur_ht``
        (EUR HT, rounded to the cent half down as the platform does), ``family``, ``labels``
        (canonical: platform order, comma-separated), ``local`` and ``short_circuit`` (bool),
        ``origin`` (``FRANCE``, ``EUROPE`` or empty), ``local_definition``, ``local_km``
        (whole km or NA) and ``row`` (row in the file, header = 1).

    Raises
    ------
    ScenarioError
        Listing every cell that cannot be read, with file, row and column: unreadable file,
        unknown header, wrong number of fields, no identifier, date or price, bad date,
        negative or non-numeric price, unknown family, label or origin, a oui/non value
        that is neither.

    Warns
    -----
    PurchaseWarning
        Every place where the platform would refuse the file though its meaning is clear
        (blank rows, spaces inside a SIRET or around label codes, ``2025-5-2``, a decimal
        comma, ``Oui`` or `` x``, legacy codes read as ``egalim.LEGACY_LABELS`` says,
        title rows above the header…), lines the platform
        flags as not applicable, and future dates.
    """
    parsed = _parse(Path(path), today)
    errors = [p.problem() for p in parsed.problems if p.severity == "error"]
    late = parsed.late
    if future == "error":
        errors += [Problem(TABLE, r, "date", future_text(parsed.today), parsed.file) for r in late]
    notes = [
        p
        for p in parsed.problems
        if p.severity == "warning" and not (p.column == "date" and p.row in late)
    ]
    if notes:
        shown = "; ".join(
            _("row {row}").format(row=p.row)
            + (_(", column {column}").format(column=p.column) if p.column else "")
            + _(": {message}").format(message=p.message)
            for p in notes[:20]
        )
        if len(notes) > 20:
            rest = len(notes) - 20
            shown = ngettext("{first} and {n} more", "{first} and {n} more", rest).format(
                first=shown, n=rest
            )
        msg = ngettext(
            "{n} place read as meant that ma cantine would refuse: {shown}",
            "{n} places read as meant that ma cantine would refuse: {shown}",
            len(notes),
        ).format(n=len(notes), shown=shown)
        warnings.warn(PurchaseWarning(msg), stacklevel=2)
    if late and future == "warn":
        msg = ngettext(
            "{n} line dated after {today} (rows {rows}): ma cantine rejects future dates",
            "{n} lines dated after {today} (rows {rows}): ma cantine rejects future dates",
            len(late),
        ).format(n=len(late), today=parsed.today.isoformat(), rows=", ".join(map(str, late[:10])))
        warnings.warn(PurchaseWarning(msg), stacklevel=2)
    _warn_not_applicable(parsed.lines)
    if errors:
        raise ScenarioError(errors, subject=Path(path).name)
    return parsed.lines


def check_purchases(path: str | Path, *, today: dt.date | None = None) -> pd.DataFrame:
    """What *ma cantine* will say about a purchase file before it is uploaded.

    Parameters
    ----------
    path
        The file as it will be uploaded (CSV, TSV or XLSX).
    today
        The upload day (default: the current date); the platform refuses later dates.

    Returns
    -------
    DataFrame
        One row per refusal, in the platform's order, columns ``stage``, ``row`` (header =
        1; 0 for the whole file), ``column`` (``None`` for a whole row) and ``message``
        (in the active language, with the platform's own wording in « » where its tests
        show it).
        ``stage`` is ``header`` (the platform then stops), ``schema`` (its schema check, every
        row at once) or ``import`` (its row import, which it runs only when the schema check
        passed, and which also checks what this function cannot: that each canteen exists
        and that the uploader manages it). ``shown_now`` marks what the platform answers to
        this upload (the first stage that fails); the rest comes once that is fixed. Empty
        when the platform will accept the file.
        ``attrs["format"]`` names the format found (``achats_siret``, ``achats_id``,
        ``achats_siret_old``, ``achats_id_old``): the old ones go through the platform's
        old-format import page, open until the end of the 2027 declaration campaign.
    """
    parsed = _parse(Path(path), today, upload=True)
    refusals = [p for p in parsed.problems if p.severity == "refusal"]
    if parsed.late:
        msg = _("after the upload day (« La date ne peut pas être dans le futur. »)")
        refusals += [_Found(r, "date", msg, "refusal", IMPORT, parsed.file) for r in parsed.late]
    order = {HEADER: 0, SCHEMA: 1, IMPORT: 2}
    position = {c: i for i, c in enumerate(parsed.header)}
    refusals.sort(
        key=lambda p: (order[p.stage], p.row or 0, position.get(p.column or "", -1), p.message)
    )
    first = refusals[0].stage if refusals else None
    out = pd.DataFrame(
        {
            "stage": pd.Series([p.stage for p in refusals], dtype=object),
            "row": pd.Series([p.row or 0 for p in refusals], dtype=np.int64),
            "column": pd.Series([p.column for p in refusals], dtype=object),
            "message": pd.Series([p.message for p in refusals], dtype=object),
            "shown_now": pd.Series([p.stage == first for p in refusals], dtype=bool),
        }
    )
    out.attrs["format"] = parsed.format
    out.attrs["file"] = parsed.file
    return out


def purchase_figures(lines: pd.DataFrame) -> pd.DataFrame:
    """Yearly declaration figures of purchase lines, per canteen (or SIRET) and calendar year.

    The year is the calendar year of each purchase's date, as on the platform.

    Parameters
    ----------
    lines
        Purchase lines as returned by ``read_purchases``: ``canteen_id`` or ``siret``,
        ``date``, ``value_eur_ht`` (EUR HT), ``family``, ``labels``.

    Returns
    -------
    pandas.DataFrame
        One row per ``canteen_id`` (or ``siret``) × ``year``, sorted, with the columns of
        ``rhd_match.macantine.declaration.declaration`` (EUR HT, fractions, percentages).
    """
    key = "canteen_id" if "canteen_id" in lines.columns else "siret"
    frame = lines[[key, "value_eur_ht", "family", "labels"]].assign(
        year=pd.to_datetime(lines["date"]).dt.year.to_numpy()
    )
    return figures_by(frame, [key, "year"])


# -- reading ----------------------------------------------------------------------------------


@dataclass
class _Parsed:
    file: str
    today: dt.date
    format: str
    header: tuple[str, ...]
    lines: pd.DataFrame
    problems: list[_Found]
    late: list[int]


@dataclass(frozen=True)
class _Found:
    row: int | None
    column: str | None
    message: str
    severity: str
    stage: str
    file: str

    def problem(self) -> Problem:
        return Problem(TABLE, self.row, self.column, self.message, self.file, self.severity)


def _parse(path: Path, today: dt.date | None, upload: bool = False) -> _Parsed:
    file = str(path)
    day = today or dt.date.today()
    found: list[_Found] = []

    def add(row: int | None, column: str | None, message: str, severity: str, stage: str) -> None:
        found.append(_Found(row, column, message, severity, stage, file))

    rows, unreadable = _read_rows(path)
    empty = _Parsed(file, day, "", (), _lines_frame({}, "siret"), found, [])
    if unreadable:
        add(0 if upload else None, None, unreadable, "refusal" if upload else "error", HEADER)
        return _finish(empty, upload)
    head = _header_index(rows)
    above = [i for i in range(head) if not all(is_blank(c) for c in rows[i])]
    if above and not upload:
        shown = " ".join(c.strip() for c in rows[above[0]] if c.strip())
        msg = ngettext(
            "row {rows} above the header skipped ('{text}')",
            "rows {rows} above the header skipped ('{text}')",
            len(above),
        ).format(rows=", ".join(str(i + 1) for i in above), text=shown[:60])
        add(above[0] + 1, None, msg, "warning", HEADER)
    first = head if not upload else 0  # the platform takes the first row as the header
    header = tuple(rows[first]) if rows else ()
    expected, name, header_found = _header(header, tuple(rows[head]) if rows else ())
    if head and upload and header_found:
        hint = _("; row {row} holds the header: delete the rows above it").format(row=head + 1)
        column, message, readable = header_found[0]
        header_found[0] = (column, message + hint, readable)
    # The platform says each column of a file that is not a purchase file at all (a scenario
    # table, another export); read as a baseline, that is one error.
    foreign = len({h.strip().lower() for h in header} & set(expected)) < len(expected) / 2
    for column, message, readable in header_found:
        add(1, column or None, message, "refusal", HEADER)
        if not foreign:
            add(1, column or None, message, "warning" if readable else "error", HEADER)
    if foreign:
        msg = _(
            "not a ma cantine purchase file: its first row is {found}; the {n} columns are {names}"
        )
        found_names = ",".join(visible(h) for h in header[: len(expected) + 1])
        add(
            1,
            None,
            msg.format(found=found_names, n=len(expected), names=",".join(expected)),
            "error",
            HEADER,
        )
    if any(not readable for _, _, readable in header_found):
        return _finish(_Parsed(file, day, name, expected, empty.lines, found, []), upload)
    width = len(header)
    data: list[list[str]] = []
    numbers: list[int] = []
    for number, fields in enumerate(rows[first + 1 :], start=first + 2):
        spaces = not any(f.strip() for f in fields)
        if not any(fields):
            add(number, None, _(BLANK_ROW), "refusal", SCHEMA)
            add(number, None, _("empty row, skipped"), "warning", SCHEMA)
        elif spaces and len(fields) != width:
            # A line of spaces or a tab is a blank line to a person; the platform reads its
            # spaces as a cell and the cells it lacks as missing (frictionless, checked).
            add(number, None, f"{_(SPACES_LINE)} {BAD_WIDTH}", "refusal", SCHEMA)
            add(number, None, _("a row of spaces, skipped"), "warning", SCHEMA)
        elif len(fields) != width:
            msg = ngettext(
                "{n} field, expected {width} (check the separator and quotes)",
                "{n} fields, expected {width} (check the separator and quotes)",
                len(fields),
            ).format(n=len(fields), width=width)
            add(number, None, f"{msg} {BAD_WIDTH}", "refusal", SCHEMA)
            add(number, None, msg, "error", SCHEMA)
        elif spaces:
            add(number, None, _("a row of spaces, skipped"), "warning", SCHEMA)
            data.append(fields)  # the platform reads it as a row of empty values
            numbers.append(-number)
        else:
            data.append(fields)
            numbers.append(number)
    raw = pd.DataFrame(data, columns=list(expected), dtype=str) if data else None
    if raw is None:
        return _finish(_Parsed(file, day, name, expected, empty.lines, found, []), upload)
    cells = cell_rules(raw, old=name.endswith("_old"), today=day)
    spaces_only = np.asarray(numbers) < 0
    row_number = np.abs(np.asarray(numbers))
    for column, column_cells in cells.items():
        for i, cell in enumerate(column_cells):
            if cell.refusal is not None:
                add(int(row_number[i]), column, cell.refusal, "refusal", cell.stage)
            if spaces_only[i]:
                continue
            if cell.error is not None:
                add(int(row_number[i]), column, cell.error, "error", cell.stage)
            elif cell.refusal is not None:
                add(int(row_number[i]), column, cell.refusal, "warning", cell.stage)
    keep = ~spaces_only
    lines = _lines(cells, row_number, keep, expected[0])
    late_mask = keep & np.array([is_late(c.value, day) for c in cells["date"]], dtype=bool)
    late = [int(r) for r in row_number[late_mask]]
    return _finish(_Parsed(file, day, name, expected, lines, found, late), upload)


def _header_index(rows: list[list[str]]) -> int:
    """Index of the header row: the first row naming most purchase-file columns among the
    first non-empty rows (title rows may stand above it), as a scenario table's header is
    found (``rhd_match.io``); 0 when there is no row."""
    filled = [i for i, row in enumerate(rows) if not all(is_blank(c) for c in row)]
    if not filled:
        return 0
    names = {header_key(c) for header in FORMATS.values() for c in header}
    return header_row(rows, filled, names)


def _finish(parsed: _Parsed, upload: bool) -> _Parsed:
    wanted = ("refusal",) if upload else ("error", "warning")
    parsed.problems = [p for p in parsed.problems if p.severity in wanted]
    return parsed


def _read_rows(path: Path) -> tuple[list[list[str]], str | None]:
    if not path.is_file():
        return [], _("file not found")
    if path.suffix.lower() == ".xlsx":
        try:
            sheet = pd.read_excel(path, sheet_name=0, header=None, dtype=object)
        except Exception:  # openpyxl raises many types for a damaged file, in English
            return [], _(UNREADABLE_WORKBOOK)
        cells = sheet.map(lambda v: cell_text(v, strip=False))
        used = (cells != "").any(axis=0).to_numpy()
        width = int(np.flatnonzero(used)[-1]) + 1 if used.any() else 0
        return cells.iloc[:, :width].to_numpy(dtype=object).tolist(), None
    rows, _separator, problems = read_csv_rows(path)
    unreadable = [p.message for p in problems if p.severity == "error"]
    return (rows, None) if not unreadable else ([], unreadable[0])


FORMATS: dict[str, tuple[str, ...]] = {
    "achats_siret": HEADER_SIRET,
    "achats_id": HEADER_ID,
    "achats_siret_old": HEADER_SIRET_OLD,
    "achats_id_old": HEADER_ID_OLD,
}


def _header(
    header: tuple[str, ...], meant: tuple[str, ...]
) -> tuple[tuple[str, ...], str, list[tuple[str, str, bool]]]:
    """The format a header is meant for, and what the platform says about it.

    ``header`` is the row the platform takes as the header, ``meant`` the header row found
    (below title rows, else ``header`` itself): its names say the format. Returns the
    expected header, the format's name and (column, message, readable) triples:
    ``readable`` when the header only differs by case or surrounding spaces.
    """
    for name, expected in FORMATS.items():
        if header == expected:
            return expected, name, []
    tidy = tuple(h.strip().lower() for h in header)
    names = tuple(h.strip().lower() for h in meant)
    old = "caracteristiques" in names or len(meant) == len(HEADER_SIRET_OLD)
    key = "id" if names[:1] == ("cantine_id",) else "siret"
    name = f"achats_{key}" + ("_old" if old else "")
    expected = FORMATS[name]
    found: list[tuple[str, str, bool]] = []
    readable = tidy == expected
    hint = (
        ""
        if readable
        else _("; the {n} columns are {names}").format(n=len(expected), names=",".join(expected))
    )
    if old and not readable:
        hint += _(" (the old 8-column format, or the 12-column one: {names})").format(
            names=",".join(HEADER_SIRET)
        )
    if len(header) < len(expected):
        msg = ngettext(
            "{n} column, expected {width} (« Première ligne du fichier incorrecte »: exact "
            "names, lowercase, in this order)",
            "{n} columns, expected {width} (« Première ligne du fichier incorrecte »: exact "
            "names, lowercase, in this order)",
            len(header),
        ).format(n=len(header), width=len(expected))
        return expected, name, [("", msg + hint, False)]
    if len(header) > len(expected):
        extra = len(header) - len(expected)
        msg = ngettext(
            "{n} extra column after '{name}': delete it",
            "{n} extra columns after '{name}': delete them",
            extra,
        ).format(n=extra, name=expected[-1])
        found.append((header[len(expected)], msg, False))
    for got, want in zip(header, expected, strict=False):
        if got != want:
            msg = _("{got} instead of '{want}' (« Valeur incorrecte vous avez écrit »)").format(
                got=visible(got), want=want
            )
            found.append((want, msg + hint, readable))
            hint = ""  # the list of columns once
    return expected, name, found


# -- lines ------------------------------------------------------------------------------------


def _lines(
    cells: dict[str, list[Cell]], rows: np.ndarray, keep: np.ndarray, key: str
) -> pd.DataFrame:
    def column(name: str) -> list[object]:
        return [c.value for c, k in zip(cells[name], keep, strict=True) if k]

    values = {name: column(name) for name in cells}
    values["row"] = [int(r) for r, k in zip(rows, keep, strict=True) if k]
    return _lines_frame(values, key)


def _lines_frame(values: dict[str, list[object]], key: str) -> pd.DataFrame:
    def get(name: str) -> list[object]:
        return values.get(name, [])

    cents = pd.Series(get("prix_ht"), dtype=object)
    km = pd.Series(get("definition_local_km"), dtype=object)
    frame = pd.DataFrame(
        {
            "canteen_id" if key == "cantine_id" else "siret": pd.Series(get(key), dtype=object),
            "description": pd.Series(get("description"), dtype=object),
            "supplier": pd.Series(get("fournisseur"), dtype=object),
            "date": pd.to_datetime(pd.Series(get("date"), dtype=object)),
            "value_eur_ht": cents.astype(float) / 100.0,
            "family": pd.Series(get("famille_produits"), dtype=object),
            "labels": pd.Series(get("categories_egalim"), dtype=object),
            "local": pd.Series(get("est_local"), dtype=bool),
            "short_circuit": pd.Series(get("est_circuit_court"), dtype=bool),
            "origin": pd.Series(get("origine"), dtype=object),
            "local_definition": pd.Series(get("definition_local"), dtype=object),
            "local_km": pd.array(km.where(km.notna(), None).tolist(), dtype="Int64"),
            "row": pd.Series(get("row"), dtype=np.int64),
        }
    )
    for name in ("canteen_id", "siret", "description", "supplier", "family", "labels", "origin"):
        if name in frame.columns:
            frame[name] = frame[name].astype(str)
    frame["local_definition"] = frame["local_definition"].fillna("").astype(str)
    return frame


def _warn_not_applicable(lines: pd.DataFrame) -> None:
    tokens = lines["labels"].str.split(",").explode()
    family = lines["family"].reindex(tokens.index)
    flagged: list[tuple[int, str]] = []
    for label, families in NOT_APPLICABLE.items():
        hit = (tokens == label) & family.isin(families)
        for r in pd.unique(lines["row"].reindex(hit[hit].index).to_numpy()):  # reporting only
            msg = _("row {row}: {label} is not applicable to its family")
            flagged.append((int(r), msg.format(row=r, label=label)))
    if flagged:
        text = "; ".join(said for _row, said in sorted(flagged)[:20])
        msg = ngettext(
            "{n} line flagged by ma cantine: {lines}",
            "{n} lines flagged by ma cantine: {lines}",
            len(flagged),
        )
        warnings.warn(PurchaseWarning(msg.format(n=len(flagged), lines=text)), stacklevel=3)
