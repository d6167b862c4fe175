"""Reading a *ma cantine* purchase import file ("import achats") and its declaration figures.

:func:`read_purchases` reads a file in the platform's format (CSV with comma, semicolon or
tab, UTF-8; or XLSX), checks it the way the platform does (``data/schemas/imports/
achats_siret.json`` / ``achats_id.json``, ``data/validators/purchase.py`` in betagouv/ma-cantine)
and reports every bad row at once. :func:`purchase_figures` turns the lines into the yearly
declaration figures, so that a plan can be compared with what the canteen really bought
(:func:`rhd_match.macantine.declaration.compare`). See ``docs/macantine.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..egalim import FAMILIES, LABELS, format_labels, parse_labels
from ..errors import Problem, ScenarioError
from .declaration import (
    HEADER_ID,
    HEADER_SIRET,
    LOCAL_DEFINITIONS,
    ORIGINS,
    cell_text,
    figures_by,
    siret_problem,
)

TABLE = "purchases"
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
_NUMBER = r"-?(?:\d{1,15}(?:\.\d*)?|\.\d+)"


class PurchaseWarning(UserWarning):
    """Purchase lines the platform accepts but flags (e.g. a label not applicable to a family)."""


def read_purchases(
    path: str | Path,
    *,
    today: dt.date | None = None,
    future: Literal["warn", "error", "ignore"] = "warn",
) -> pd.DataFrame:
    """Read a *ma cantine* purchase import file.

    Parameters
    ----------
    path:
        A ``.xlsx`` workbook (first sheet) or a CSV file (UTF-8; comma, semicolon or tab,
        sniffed from the header row).
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
        Listing every problem with file, row and column: unreadable file, wrong header,
        wrong number of fields, missing value, bad date, negative or non-numeric price,
        unknown family, label or origin, bad oui/non value, ``definition_local`` /
        ``definition_local_km`` given where the platform wants them empty.
    """
    path = Path(path)
    file = str(path)
    rows, problems = _read_rows(path)
    if problems:
        raise ScenarioError(problems)
    header = tuple(rows[0]) if rows else ()
    if header not in (HEADER_SIRET, HEADER_ID):
        raise ScenarioError([Problem(TABLE, 1, None, _header_message(header), file)])
    numbers = np.arange(1, len(rows) + 1)
    width = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    blank = np.fromiter((not any(c.strip() for c in r) for r in rows), dtype=bool, count=len(rows))
    keep = ~blank & (width == len(header))
    keep[0] = False
    for n, w in zip(numbers[~blank & ~keep][1:], width[~blank & ~keep][1:], strict=True):
        msg = f"{w} fields, expected {len(header)} (check the separator and quotes)"
        problems.append(Problem(TABLE, int(n), None, msg, file))
    raw = pd.DataFrame([rows[i] for i in np.flatnonzero(keep)], columns=list(header), dtype=str)
    raw = raw.apply(lambda col: col.str.strip())
    lines, found = _check(raw, numbers[keep], file, today, future)
    problems += found
    if problems:
        raise ScenarioError(problems)
    return lines


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


def _read_rows(path: Path) -> tuple[list[list[str]], list[Problem]]:
    file = str(path)
    if not path.is_file():
        return [], [Problem(TABLE, None, None, "file not found", file)]
    if path.suffix.lower() == ".xlsx":
        try:
            sheet = pd.read_excel(path, sheet_name=0, header=None, dtype=object)
        except Exception as exc:  # openpyxl raises many types for a damaged file
            return [], [Problem(TABLE, None, None, f"unreadable workbook: {exc}", file)]
        cells = sheet.map(cell_text)
        used = (cells != "").any(axis=0).to_numpy()
        width = int(np.flatnonzero(used)[-1]) + 1 if used.any() else 0
        return cells.iloc[:, :width].to_numpy(dtype=object).tolist(), []
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [Problem(TABLE, None, None, f"not UTF-8 text ({exc.reason})", file)]
    first = text.splitlines()[0] if text else ""
    delimiter = _sniff(first)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)), []
    except csv.Error as exc:
        return [], [Problem(TABLE, None, None, f"unreadable CSV: {exc}", file)]


def _sniff(header_line: str) -> str:
    """The separator (comma, semicolon or tab) that splits the header into a known header."""
    for delimiter in (",", ";", "\t"):
        fields = next(csv.reader([header_line], delimiter=delimiter), [])
        if tuple(fields) in (HEADER_SIRET, HEADER_ID):
            return delimiter
    return max((",", ";", "\t"), key=header_line.count)


def _header_message(header: tuple[str, ...]) -> str:
    expected = HEADER_ID if header[:1] == ("cantine_id",) else HEADER_SIRET
    diffs = [
        f"column {i + 1} is '{got}', expected '{want}'"
        for i, (got, want) in enumerate(zip(header, expected, strict=False))
        if got != want
    ]
    if len(header) != len(expected):
        diffs.append(f"{len(header)} columns, expected {len(expected)}")
    return (
        "the header must be exactly (lowercase, in this order, comma/semicolon/tab): "
        f"{','.join(expected)} (or cantine_id first); " + "; ".join(diffs)
    )


# -- checking ---------------------------------------------------------------------------------


def _check(
    raw: pd.DataFrame,
    rows: NDArray[np.int64],
    file: str,
    today: dt.date | None,
    future: str,
) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    row = pd.Series(rows, index=raw.index)

    def report(mask: pd.Series, column: str, message: pd.Series | str) -> None:
        texts = message if isinstance(message, pd.Series) else pd.Series(message, index=raw.index)
        for r, text in zip(row[mask], texts[mask], strict=True):  # error reporting only
            problems.append(Problem(TABLE, int(r), column, str(text), file))

    key = raw.columns[0]
    for column in (key, "description", "date", "prix_ht", "famille_produits"):
        report(raw[column] == "", column, "required value is empty")
    if key == "siret":
        why = raw[key].map({s: siret_problem(s) for s in raw[key].unique()})
        report(why.notna() & (raw[key] != ""), key, why)

    text_date = raw["date"]
    date = pd.to_datetime(text_date, format="%Y-%m-%d", errors="coerce")
    bad_date = (text_date != "") & (date.isna() | ~text_date.str.fullmatch(r"\d{4}-\d{2}-\d{2}"))
    report(bad_date, "date", "'" + text_date + "' is not a date YYYY-MM-DD")
    limit = pd.Timestamp(today or dt.date.today())
    late = date.notna() & (date > limit)
    if late.any() and future == "error":
        report(late, "date", f"after {limit.date().isoformat()}: ma cantine rejects future dates")
    elif late.any() and future == "warn":
        msg = f"{int(late.sum())} line(s) dated after {limit.date().isoformat()} (rows "
        msg += ", ".join(map(str, row[late].head(10))) + "): ma cantine rejects future dates"
        warnings.warn(PurchaseWarning(msg), stacklevel=3)

    price = raw["prix_ht"]
    number = price.str.fullmatch(_NUMBER)
    comma = ~number & price.str.replace(",", ".", n=1, regex=False).str.fullmatch(_NUMBER)
    report((price != "") & comma, "prix_ht", "'" + price + "': use a dot as decimal separator")
    report((price != "") & ~number & ~comma, "prix_ht", "'" + price + "' is not a number")
    cents = _cents_half_down(price.where(number, "0"))
    report(number & (cents < 0), "prix_ht", "'" + price + "': a price cannot be negative")

    family = raw["famille_produits"]
    unknown = (family != "") & ~family.isin(FAMILIES)
    report(unknown, "famille_produits", "unknown family '" + family + "'")
    labels_bad = _label_problems(raw["categories_egalim"])
    report(labels_bad.notna(), "categories_egalim", labels_bad)
    origin = raw["origine"]
    report(
        ~origin.isin(("", *ORIGINS)), "origine", "'" + origin + "' is not FRANCE, EUROPE or empty"
    )

    flags: dict[str, pd.Series] = {}
    for column in ("est_circuit_court", "est_local"):
        value = raw[column]
        bad = ~value.isin(TRUE_VALUES + FALSE_VALUES)
        report(bad, column, "'" + value + "' is not oui/non (OUI, oui or x; non, NON or empty)")
        flags[column] = value.isin(TRUE_VALUES)
    local = flags["est_local"]
    definition, km = raw["definition_local"], raw["definition_local_km"]
    report(
        (definition != "") & ~definition.isin(LOCAL_DEFINITIONS),
        "definition_local",
        "'" + definition + "' is not one of " + ", ".join(LOCAL_DEFINITIONS),
    )
    report(~local & (definition != ""), "definition_local", "must be empty unless est_local")
    report(~km.str.fullmatch(r"\d*"), "definition_local_km", "'" + km + "' is not whole km")
    report(~local & (km != ""), "definition_local_km", "must be empty unless est_local")
    report(
        local & (km != "") & (definition != "KM"),
        "definition_local_km",
        "must be empty unless definition_local is KM",
    )
    _warn_not_applicable(raw, row)

    canonical = {c: format_labels(parse_labels(c)) for c in raw["categories_egalim"].unique()}
    lines = pd.DataFrame(
        {
            "canteen_id" if key == "cantine_id" else "siret": raw[key],
            "description": raw["description"],
            "supplier": raw["fournisseur"],
            "date": date,
            "value_eur_ht": cents / 100.0,
            "family": family,
            "labels": raw["categories_egalim"].map(canonical).astype(str),
            "local": local.astype(bool),
            "short_circuit": flags["est_circuit_court"].astype(bool),
            "origin": origin,
            "local_definition": definition,
            "local_km": pd.to_numeric(km.where(km.str.fullmatch(r"\d+")), errors="coerce").astype(
                "Int64"
            ),
            "row": row.astype(np.int64),
        }
    )
    return lines.reset_index(drop=True), problems


def _cents_half_down(text: pd.Series) -> pd.Series:
    """Decimal texts (``-?digits.digits``) to whole cents, rounding half down as the platform
    does (``Decimal.quantize(Decimal(".01"), ROUND_HALF_DOWN)``), without float error."""
    negative = text.str.startswith("-")
    body = text.str.lstrip("-")
    parts = body.str.extract(r"^(\d*)\.?(\d*)$").fillna("").astype(str)
    whole = parts[0].where(parts[0] != "", "0").astype("int64")
    fraction = parts[1].str.ljust(3, "0")
    first_two = fraction.str[:2].astype("int64")
    rest = fraction.str[2:]
    over_half = (rest.str[0] > "5") | (
        (rest.str[0] == "5") & rest.str[1:].str.contains(r"[1-9]", regex=True)
    )
    cents = whole * 100 + first_two + over_half.astype("int64")
    return cents.where(~negative, -cents)


def _label_problems(cells: pd.Series) -> pd.Series:
    """Per line, why ``categories_egalim`` is wrong (unknown or empty label), else NA."""
    tokens = cells[cells != ""].str.split(",").explode().str.strip()
    bad = tokens[~tokens.isin(LABELS)]
    if bad.empty:
        return pd.Series(pd.NA, index=cells.index, dtype=object)
    text = bad.map(lambda t: f"unknown label '{t}'" if t else "empty label (stray comma)")
    joined = text.groupby(level=0).agg(lambda ts: "; ".join(dict.fromkeys(ts)))
    return joined.reindex(cells.index).astype(object) + (
        " (known: " + ",".join(LABELS) + "; no spaces inside a label)"
    )


def _warn_not_applicable(raw: pd.DataFrame, row: pd.Series) -> None:
    tokens = raw["categories_egalim"].str.split(",").explode().str.strip()
    family = raw["famille_produits"].reindex(tokens.index)
    flagged: list[tuple[int, str]] = []
    for label, families in NOT_APPLICABLE.items():
        hit = (tokens == label) & family.isin(families)
        for r in pd.unique(row.reindex(hit[hit].index).to_numpy()):  # reporting only
            flagged.append((int(r), f"row {r}: {label} is not applicable to its family"))
    if flagged:
        text = "; ".join(t for _, t in sorted(flagged)[:20])
        warnings.warn(PurchaseWarning(f"{len(flagged)} line(s) flagged: {text}"), stacklevel=4)
