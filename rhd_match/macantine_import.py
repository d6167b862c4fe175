"""Reading a *ma cantine* purchase import file ("import achats"), two ways, and its figures.

* :func:`read_purchases` (baseline mode) reads what a person meant — SIRET with spaces, the old
  8-column format, ``2025-5-2``, ``1e3``, a decimal comma, ``Oui`` — and warns
  (:class:`PurchaseWarning`) wherever the platform would refuse the file; it raises only on
  what cannot be read at all.
* :func:`check_purchases` (pre-upload check) says what the platform will say about the file,
  row and column: its schema check first (``data/schemas/imports/achats_*.json`` checked by
  Validata), then its row import (``api/views/purchase_import*.py``, the ``Purchase`` model's
  ``full_clean``), which it runs only once the schema check passes.

Both walk the same rules (:func:`_cells`): each cell gives what the platform does with it and
what a person meant. :func:`purchase_figures` turns lines into yearly declaration figures, so
that a plan can be compared with what the canteen really bought
(:func:`rhd_match.macantine.compare`). See ``docs/macantine.md``.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_DOWN, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from .egalim import FAMILIES, LABELS, format_labels, unknown_label_message
from .errors import Problem, ScenarioError
from .io import read_csv_rows
from .macantine import (
    HEADER_ID,
    HEADER_ID_OLD,
    HEADER_SIRET,
    HEADER_SIRET_OLD,
    LOCAL_DEFINITIONS,
    ORIGINS,
    cell_text,
    figures_by,
    siret_problem,
    visible,
)

TABLE = "purchases"
#: Exact cell values of the platform's oui/non columns (schema ``trueValues``/``falseValues``).
TRUE_VALUES = ("OUI", "oui", "x")
FALSE_VALUES = ("non", "NON", "")
#: Label × family combinations the platform marks "not applicable" (warned, not rejected).
NOT_APPLICABLE: dict[str, tuple[str, ...]] = {
    "LABEL_ROUGE": ("BOISSONS",),
    "PECHE_DURABLE": tuple(f for f in FAMILIES if f != "PRODUITS_DE_LA_MER"),
    "FERMIER": tuple(
        f for f in FAMILIES if f not in ("VIANDES_VOLAILLES", "CHARCUTERIE", "PRODUITS_LAITIERS")
    ),
}
#: Information codes of the old format's ``caracteristiques`` column.
OLD_INFO = ("EUROPE", "FRANCE", "CIRCUIT_COURT", "LOCAL")
#: Old ``definition_local`` values and what the platform turns them into (``definition_local``,
#: ``definition_local_km``), ``api/views/purchase_import_old.py``.
OLD_LOCAL: dict[str, tuple[str, int | None]] = {
    "AUTOUR_SERVICE": ("KM", 200),
    "AUTRE": ("KM", None),
    **{d: (d, None) for d in ("PAT", "COMMUNE", "DEPARTEMENT", "REGION")},
}
# The platform's own wording, where its tests show it (api/tests/test_purchases_import*.py).
REQUIRED = "required value is empty (« La valeur est obligatoire et doit être renseignée »)"
BAD_DATE = "not a date YYYY-MM-DD (« La date doit être écrite sous la forme `aaaa-mm-jj` »)"
BAD_NUMBER = (
    "not a number (« La valeur ne doit comporter que des chiffres et le point comme "
    "séparateur décimal »)"
)
BAD_WIDTH = "« La ligne n'a pas le même nombre de cellules que l'en-tête »"
BLANK_ROW = "empty row: delete it (« ligne vide »)"
SCHEMA, IMPORT, HEADER = "schema", "import", "header"


class PurchaseWarning(UserWarning):
    """Purchase lines read as meant that the platform would refuse or flag."""


@dataclass(frozen=True)
class Cell:
    """What one cell means, and what the platform says about it.

    ``value`` is what a person meant (``None`` when it cannot be read: ``error`` says why);
    ``refusal`` is the platform's message when it refuses the cell, at ``stage``.
    """

    value: object
    error: str | None = None
    refusal: str | None = None
    stage: str = SCHEMA


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
    path:
        A ``.xlsx`` workbook (first sheet) or a CSV file (UTF-8 or Windows-1252; comma,
        semicolon or tab, found from the header row), in the platform's 12-column format or
        its old 8-column format (``caracteristiques``, ``definition_local``).
    today, future:
        Dates after ``today`` (default: the current date), which *ma cantine* rejects, give a
        :class:`PurchaseWarning` (``"warn"``), an error (``"error"``) or nothing.

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
        negative or non-numeric price, unknown family, label (legacy ``EQUIVALENTS``
        included) or origin, a oui/non value that is neither.

    Warns
    -----
    PurchaseWarning
        Every place where the platform would refuse the file though its meaning is clear
        (blank rows, spaces inside a SIRET or around label codes, ``2025-5-2``, a decimal
        comma, ``Oui`` or `` x``, ``CONVERSION_BIO`` read as ``BIO``…), lines the platform
        flags as not applicable, and future dates.
    """
    parsed = _parse(Path(path), today)
    errors = [p.problem() for p in parsed.problems if p.severity == "error"]
    late = parsed.late
    if future == "error":
        errors += [Problem(TABLE, r, "date", _future_text(parsed.today), parsed.file) for r in late]
    notes = [
        p
        for p in parsed.problems
        if p.severity == "warning" and not (p.column == "date" and p.row in late)
    ]
    if notes:
        shown = "; ".join(f"row {p.row}, {p.column or 'row'}: {p.message}" for p in notes[:20])
        more = f" (and {len(notes) - 20} more)" if len(notes) > 20 else ""
        msg = f"{len(notes)} place(s) read as meant that ma cantine would refuse: {shown}{more}"
        warnings.warn(PurchaseWarning(msg), stacklevel=2)
    if late and future == "warn":
        rows = ", ".join(map(str, late[:10]))
        msg = f"{len(late)} line(s) dated after {parsed.today.isoformat()} (rows {rows})"
        warnings.warn(PurchaseWarning(msg + ": ma cantine rejects future dates"), stacklevel=2)
    _warn_not_applicable(parsed.lines)
    if errors:
        raise ScenarioError(errors)
    return parsed.lines


def check_purchases(path: str | Path, *, today: dt.date | None = None) -> pd.DataFrame:
    """What *ma cantine* will say about a purchase file before it is uploaded.

    Parameters
    ----------
    path:
        The file as it will be uploaded (CSV, TSV or XLSX).
    today:
        The upload day (default: the current date); the platform refuses later dates.

    Returns
    -------
    DataFrame
        One row per refusal, in the platform's order, columns ``stage``, ``row`` (header =
        1; 0 for the whole file), ``column`` (``None`` for a whole row) and ``message``
        (English, with the platform's own wording in « » where its tests show it).
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
        msg = "after the upload day (« La date ne peut pas être dans le futur. »)"
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

    ``lines`` as returned by :func:`read_purchases`; the year is the calendar year of each
    purchase's date, as on the platform. Columns as :func:`rhd_match.macantine.declaration`
    (EUR HT, fractions, percentages), keyed by ``canteen_id`` or ``siret`` and ``year``.
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
    header = tuple(rows[0]) if rows else ()
    expected, name, header_found = _header(header)
    for column, message, readable in header_found:
        add(1, column or None, message, "refusal", HEADER)
        add(1, column or None, message, "warning" if readable else "error", HEADER)
    if any(not readable for _, _, readable in header_found):
        return _finish(_Parsed(file, day, name, expected, empty.lines, found, []), upload)
    width = len(header)
    data: list[list[str]] = []
    numbers: list[int] = []
    for number, fields in enumerate(rows[1:], start=2):
        if not any(fields):
            add(number, None, BLANK_ROW, "refusal", SCHEMA)
            add(number, None, "empty row, skipped", "warning", SCHEMA)
        elif len(fields) != width:
            msg = f"{len(fields)} fields, expected {width} (check the separator and quotes)"
            add(number, None, f"{msg} {BAD_WIDTH}", "refusal", SCHEMA)
            add(number, None, msg, "error", SCHEMA)
        elif not any(f.strip() for f in fields):
            add(number, None, "a row of spaces, skipped", "warning", SCHEMA)
            data.append(fields)  # the platform reads it as a row of empty values
            numbers.append(-number)
        else:
            data.append(fields)
            numbers.append(number)
    raw = pd.DataFrame(data, columns=list(expected), dtype=str) if data else None
    if raw is None:
        return _finish(_Parsed(file, day, name, expected, empty.lines, found, []), upload)
    cells = _cells(raw, old=name.endswith("_old"), today=day)
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
    late_mask = keep & np.array([_is_late(c.value, day) for c in cells["date"]], dtype=bool)
    late = [int(r) for r in row_number[late_mask]]
    return _finish(_Parsed(file, day, name, expected, lines, found, late), upload)


def _finish(parsed: _Parsed, upload: bool) -> _Parsed:
    wanted = ("refusal",) if upload else ("error", "warning")
    parsed.problems = [p for p in parsed.problems if p.severity in wanted]
    return parsed


def _read_rows(path: Path) -> tuple[list[list[str]], str | None]:
    if not path.is_file():
        return [], "file not found"
    if path.suffix.lower() == ".xlsx":
        try:
            sheet = pd.read_excel(path, sheet_name=0, header=None, dtype=object)
        except Exception as exc:  # openpyxl raises many types for a damaged file
            return [], f"unreadable workbook: {exc}"
        cells = sheet.map(cell_text)
        used = (cells != "").any(axis=0).to_numpy()
        width = int(np.flatnonzero(used)[-1]) + 1 if used.any() else 0
        return cells.iloc[:, :width].to_numpy(dtype=object).tolist(), None
    rows, _, problems = read_csv_rows(path)
    unreadable = [p.message for p in problems if p.severity == "error"]
    return (rows, None) if not unreadable else ([], unreadable[0])


FORMATS: dict[str, tuple[str, ...]] = {
    "achats_siret": HEADER_SIRET,
    "achats_id": HEADER_ID,
    "achats_siret_old": HEADER_SIRET_OLD,
    "achats_id_old": HEADER_ID_OLD,
}


def _header(header: tuple[str, ...]) -> tuple[tuple[str, ...], str, list[tuple[str, str, bool]]]:
    """The format a header is meant for, and what the platform says about it.

    Returns the expected header, the format's name and (column, message, readable) triples:
    ``readable`` when the header only differs by case or surrounding spaces.
    """
    for name, expected in FORMATS.items():
        if header == expected:
            return expected, name, []
    tidy = tuple(h.strip().lower() for h in header)
    old = "caracteristiques" in tidy or len(header) == len(HEADER_SIRET_OLD)
    key = "id" if tidy[:1] == ("cantine_id",) else "siret"
    name = f"achats_{key}" + ("_old" if old else "")
    expected = FORMATS[name]
    found: list[tuple[str, str, bool]] = []
    readable = tidy == expected
    hint = "" if readable else f"; the {len(expected)} columns are {','.join(expected)}"
    if old and not readable:
        hint += " (the old 8-column format, or the 12-column one: " + ",".join(HEADER_SIRET) + ")"
    if len(header) < len(expected):
        msg = f"{len(header)} columns, expected {len(expected)} (« Première ligne du fichier "
        msg += "incorrecte »: exact names, lowercase, in this order)"
        return expected, name, [("", msg + hint, False)]
    if len(header) > len(expected):
        extra = len(header) - len(expected)
        msg = f"{extra} extra column(s) after '{expected[-1]}': delete them"
        found.append((header[len(expected)], msg, False))
    for got, want in zip(header, expected, strict=False):
        if got != want:
            msg = f"{visible(got)} instead of '{want}' (« Valeur incorrecte vous avez écrit »)"
            found.append((want, msg + ("" if readable else hint), readable))
    return expected, name, found


# -- cells ------------------------------------------------------------------------------------


def _by_unique(values: pd.Series, rule: Callable[[str], Cell]) -> list[Cell]:
    table = {v: rule(v) for v in pd.unique(values.to_numpy())}
    return [table[v] for v in values]


def _cells(raw: pd.DataFrame, *, old: bool, today: dt.date) -> dict[str, list[Cell]]:
    """Every cell read both ways (see :class:`Cell`), column by column."""
    key = raw.columns[0]
    cells: dict[str, list[Cell]] = {
        key: _by_unique(raw[key], _siret if key == "siret" else _cantine_id),
        "description": _by_unique(raw["description"], _description),
        "fournisseur": [Cell(v.strip()) for v in raw["fournisseur"]],
        "date": _by_unique(raw["date"], _date),
        "prix_ht": _by_unique(raw["prix_ht"], _price),
        "famille_produits": _by_unique(raw["famille_produits"], _family),
    }
    if old:
        cells["caracteristiques"] = _by_unique(raw["caracteristiques"], _old_characteristics)
        cells["definition_local"] = _by_unique(raw["definition_local"], _old_local)
    else:
        cells["categories_egalim"] = _by_unique(raw["categories_egalim"], _labels)
        cells["origine"] = _by_unique(raw["origine"], _origin)
        cells["est_circuit_court"] = _by_unique(raw["est_circuit_court"], _flag)
        cells["est_local"] = _by_unique(raw["est_local"], _flag)
        cells["definition_local"] = _by_unique(raw["definition_local"], _local_definition)
        cells["definition_local_km"] = _by_unique(raw["definition_local_km"], _km)
    _local_rules(cells, old)
    return cells


def _platform_spaces(text: str) -> str:
    """What the platform strips from an identifier (``normalize_string``): spaces and NBSP."""
    return text.replace(" ", "").replace("\xa0", "")


def _siret(text: str) -> Cell:
    meant = re.sub(r"\s+", "", text)
    why = siret_problem(meant) if meant else REQUIRED
    if text == "":
        return Cell(None, REQUIRED, REQUIRED)
    platform = _platform_spaces(text)
    refused = siret_problem(platform)
    if refused:
        refused = f"{visible(text)}: no canteen can have this SIRET ({refused})"
    return Cell(meant if why is None else None, why, refused, IMPORT)


def _cantine_id(text: str) -> Cell:
    meant = re.sub(r"\s+", "", text)
    if text == "":
        return Cell(None, REQUIRED, REQUIRED)
    if _decimal(text) is None:
        msg = f"{visible(text)} is {BAD_NUMBER}: cantine_id holds the platform's numeric canteen id"
        return Cell(meant, None, msg)
    if not re.fullmatch(r"[1-9][0-9]*", _platform_spaces(text)):
        return Cell(meant, None, f"{visible(text)}: a canteen id is a whole number", IMPORT)
    return Cell(meant)


def _description(text: str) -> Cell:
    # The platform's schema wants a value, then strips it: spaces pass, stored empty.
    return Cell(text.strip(), None, REQUIRED if text == "" else None)


def _date(text: str) -> Cell:
    if text == "":
        return Cell(None, REQUIRED, REQUIRED)
    try:
        # The schema's format %Y-%m-%d, read by strptime: 2025-5-2 is 2025-05-02.
        exact = dt.datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        exact = None
    if exact is not None:
        return Cell(exact)
    try:
        meant = dt.datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        return Cell(None, f"{visible(text)} is {BAD_DATE}", f"{visible(text)} is {BAD_DATE}")
    return Cell(meant, None, f"{visible(text)} is {BAD_DATE}")


def _decimal(text: str) -> Decimal | None:
    """The number the platform reads (Python ``Decimal``: ``1e3``, surrounding spaces)."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _price(text: str) -> Cell:
    if text == "":
        return Cell(None, REQUIRED, REQUIRED)
    number = _decimal(text)
    refusal = None if number is not None else f"{visible(text)} is {BAD_NUMBER}"
    if number is None and text.count(",") == 1:
        number = _decimal(text.replace(",", "."))  # a decimal comma: meant as a dot
    if number is None:
        return Cell(None, f"{visible(text)} is not a number", refusal)
    cents = number.quantize(Decimal(".01"), rounding=ROUND_HALF_DOWN)
    if cents < 0:
        msg = f"{visible(text)}: a price cannot be negative"
        return Cell(None, msg, refusal or msg, SCHEMA if refusal else IMPORT)
    return Cell(int(cents * 100), None, refusal)


def _family(text: str) -> Cell:
    if text == "":
        return Cell(None, REQUIRED, REQUIRED)
    meant = text.strip().upper()
    refusal = None if re.fullmatch(" *(" + "|".join(FAMILIES) + ") *", text) else _motif(text)
    if meant not in FAMILIES:
        return Cell(None, f"unknown family {visible(text)} (known: {','.join(FAMILIES)})", refusal)
    return Cell(meant, None, refusal)


def _motif(text: str) -> str:
    return f"« {text} ne respecte pas le motif imposé »"


def _codes(text: str) -> list[str]:
    return [t.strip().upper() for t in re.split(r"[,;]", text) if t.strip()]


def _meant_labels(codes: list[str]) -> tuple[str | None, str | None, list[str]]:
    """Labels cell meant by ``codes``, the error if any, and notes on codes read differently."""
    notes: list[str] = []
    labels: list[str] = []
    bad: list[str] = []
    for code in codes:
        if code == "CONVERSION_BIO":
            labels.append("BIO")
            notes.append("CONVERSION_BIO read as BIO (organic in conversion counts as organic)")
        elif code in LABELS:
            labels.append(code)
        else:
            bad.append(unknown_label_message(code))
    if bad:
        return None, "; ".join(dict.fromkeys(bad)), notes
    return format_labels(labels), None, notes


def _labels(text: str) -> Cell:
    if text == "":
        return Cell("")
    meant, error, notes = _meant_labels(_codes(text))
    one = "(" + "|".join(LABELS) + ")"
    if not re.fullmatch(f" *{one}( *, *{one})* *", text):
        refusal: str | None = _motif(text)
        stage: str = SCHEMA
    else:
        # The schema allows spaces around commas; the import then splits on ',' without
        # trimming, and ' COMMERCE_EQUITABLE' is no label of the platform.
        spaced = [t for t in text.strip().split(",") if t not in LABELS]
        refusal = (
            None
            if not spaced
            else f"{', '.join(visible(t) for t in spaced)}: the platform splits labels on ',' "
            "without trimming spaces: write them with no space (BIO,COMMERCE_EQUITABLE)"
        )
        stage = IMPORT
    if refusal and notes:
        refusal += "; " + "; ".join(notes)
    return Cell(meant, error, refusal, stage)


def _origin(text: str) -> Cell:
    meant = text.strip().upper()
    refusal = None if text == "" or re.fullmatch(" *(EUROPE|FRANCE) *", text) else _motif(text)
    if meant not in ("", *ORIGINS):
        return Cell(None, f"{visible(text)} is not FRANCE, EUROPE or empty", refusal)
    return Cell(meant, None, refusal)


def _flag(text: str) -> Cell:
    meant = text.strip().lower()
    refusal = None
    if text not in TRUE_VALUES + FALSE_VALUES:
        refusal = f"{visible(text)}: exactly OUI, oui or x for yes; non, NON or empty for no"
    if meant in ("oui", "x"):
        return Cell(True, None, refusal)
    if meant in ("non", ""):
        return Cell(False, None, refusal)
    return Cell(None, f"{visible(text)} is not oui/non (OUI, oui or x; non, NON or empty)", refusal)


def _local_definition(text: str) -> Cell:
    meant = text.strip().upper()
    choices = "|".join(LOCAL_DEFINITIONS)
    refusal = None if text == "" or re.fullmatch(f" *({choices}) *", text) else _motif(text)
    if meant not in ("", *LOCAL_DEFINITIONS):
        msg = f"{visible(text)} is not one of {', '.join(LOCAL_DEFINITIONS)}"
        return Cell(None, msg, refusal)
    return Cell(meant, None, refusal)


def _km(text: str) -> Cell:
    if text == "":
        return Cell(None)
    meant = text.strip()
    if _decimal(text) is None:
        refusal: str | None = f"{visible(text)} is {BAD_NUMBER}"
        stage: str = SCHEMA
    else:
        refusal = None if re.fullmatch(r"\d+", meant) else f"{visible(text)}: whole km"
        stage = IMPORT
    if not re.fullmatch(r"\d+", meant):
        return Cell(None, f"{visible(text)} is not whole km", refusal, stage)
    return Cell(int(meant), None, refusal, stage)


def _old_characteristics(text: str) -> Cell:
    """Old ``caracteristiques``: labels and information codes; the platform trims each."""
    if text == "":
        return Cell(("", set()))
    codes = _codes(text)
    info = {c for c in codes if c in OLD_INFO}
    meant, error, notes = _meant_labels([c for c in codes if c not in OLD_INFO])
    one = "(" + "|".join((*LABELS, *OLD_INFO)) + ")"
    refusal = None if re.fullmatch(f" *{one}( *, *{one})* *", text) else _motif(text)
    if refusal and notes:
        refusal += "; " + "; ".join(notes)
    return Cell(None if error else (meant, info), error, refusal)


def _old_local(text: str) -> Cell:
    meant = text.strip().upper()
    choices = "|".join(OLD_LOCAL)
    refusal = None if text == "" or re.fullmatch(f" *({choices}) *", text) else _motif(text)
    if meant == "":
        return Cell(("", None), None, refusal)
    if meant not in OLD_LOCAL:
        return Cell(None, f"{visible(text)} is not one of {', '.join(OLD_LOCAL)}", refusal)
    return Cell(OLD_LOCAL[meant], None, refusal)


def _local_rules(cells: dict[str, list[Cell]], old: bool) -> None:
    """Rules across cells (``data/validators/purchase.py``): a local definition only for local
    lines, a distance only for ``KM``; never both EUROPE and FRANCE. Rewrites ``cells`` so that
    every line has ``origine``, ``est_circuit_court``, ``est_local``, ``definition_local`` and
    ``definition_local_km``, with the platform's refusals added where the rules fail."""
    if old:
        chars, local_def = cells["caracteristiques"], cells["definition_local"]
        info = [_part(c, 1) or set() for c in chars]
        cells["categories_egalim"] = [Cell(_part(c, 0)) for c in chars]
        both = "both EUROPE and FRANCE: « Les caractéristiques EUROPE et FRANCE ne peuvent pas "
        both += "être sélectionnées en même temps. »"
        for i, codes in enumerate(info):
            if {"EUROPE", "FRANCE"} <= codes and chars[i].refusal is None:
                chars[i] = Cell(chars[i].value, both, both, IMPORT)
        cells["origine"] = [Cell(next((o for o in ORIGINS if o in i), "")) for i in info]
        cells["est_circuit_court"] = [Cell("CIRCUIT_COURT" in i) for i in info]
        cells["est_local"] = [Cell("LOCAL" in i) for i in info]
        cells["definition_local"] = [
            Cell(_part(d, 0), d.error, d.refusal, d.stage) for d in local_def
        ]
        cells["definition_local_km"] = [Cell(_part(d, 1)) for d in local_def]
    local = [c.value is True for c in cells["est_local"]]
    not_local = "« La caractéristique LOCAL n'est pas sélectionnée : le champ doit être vide. »"
    not_km = "« La distance en km doit être vide lorsque la définition locale n'est pas 'KM'. »"
    for i, is_local in enumerate(local):
        definition, km = cells["definition_local"][i], cells["definition_local_km"][i]
        if definition.refusal is None and definition.value and not is_local:
            msg = f"a local definition on a line that is not local: {not_local}"
            cells["definition_local"][i] = Cell(definition.value, None, msg, IMPORT)
        if km.refusal is None and km.value is not None:
            if not is_local:
                msg = f"a distance on a line that is not local: {not_local}"
                cells["definition_local_km"][i] = Cell(km.value, None, msg, IMPORT)
            elif definition.value != "KM":
                cells["definition_local_km"][i] = Cell(km.value, None, not_km, IMPORT)


def _part(cell: Cell, i: int) -> Any:
    """Part ``i`` of a cell whose value is a tuple (old-format cells), or ``None``."""
    return None if cell.value is None else cast(tuple[Any, ...], cell.value)[i]


def _is_late(value: object, today: dt.date) -> bool:
    return isinstance(value, dt.date) and value > today


def _future_text(today: dt.date) -> str:
    return f"after {today.isoformat()}: ma cantine rejects future dates"


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
            flagged.append((int(r), f"row {r}: {label} is not applicable to its family"))
    if flagged:
        text = "; ".join(t for _, t in sorted(flagged)[:20])
        warnings.warn(PurchaseWarning(f"{len(flagged)} line(s) flagged: {text}"), stacklevel=3)
