"""A plan as *ma cantine* purchase import files ("import achats"), and the whole export.

The purchase import file is what a canteen uploads to *ma cantine* to declare its purchases
line by line (betagouv/ma-cantine ``data/schemas/imports/achats_siret.json`` and
``achats_id.json``, ``api/views/purchase_import.py``): a header of exactly 12 lowercase names,
then one purchase a row. ``purchase_file`` writes one row per line of the plan's ``flows``
(producer deliveries and conventional purchases alike), so that the platform, summing the
file, finds the plan's declaration figures (``rhd_match.macantine.declaration``) to the
cent. ``export_plan`` writes declaration, purchase file(s), order sheets and contract
summary in one all-or-nothing step. See ``docs/macantine.md``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..egalim import format_labels, parse_labels
from ..errors import Problem, ScenarioError
from ..i18n import format_number, ngettext, use_language
from ..i18n import gettext as _
from ..inputs.fixes import code_digits
from ..inputs.scenario import Scenario
from ..inputs.schema import Column, Table
from ..inputs.validation import Collector, pad_code
from ..io import cell_text, read_table_file
from ..plan.orders import contract_summary, order_sheets, order_writers
from ..plan.solution import Solution
from ..plan.tables import MARKET, PRODUCER
from ..weeks import week_monday, week_thursday
from ..writing import csv_writer, write_folder_atomically
from .cells import SCHEMA, _cantine_id, _siret
from .declaration import (
    HEADER_ID,
    HEADER_SIRET,
    LOCAL_DEFINITIONS,
    canteen_number,
    declaration,
    declaration_writers,
    siret_problem,
    visible,
)

DEFAULT_SUPPLIER = "Fournisseur habituel"
Future = Literal["warn", "error", "ignore"]
PlatformKey = Literal["siret", "cantine_id"]
LocalDefinition = Literal["PAT", "COMMUNE", "DEPARTEMENT", "REGION", "KM"]


class FutureDateWarning(UserWarning):
    """Purchase dates after ``today``: *ma cantine* rejects the file until those dates pass."""


class PlatformIdWarning(UserWarning):
    """No *ma cantine* ids given: the purchase file cannot be uploaded as it is."""


class IdFileWarning(UserWarning):
    """An id file read as meant: a cell the platform would refuse as written (a SIRET whose
    leading zeros a spreadsheet dropped, ``1.0``), or the file's own warnings (its encoding,
    a title row above its header)."""


class UploadSizeWarning(UserWarning):
    """A purchase file larger than *ma cantine* accepts (10 MB): write one file per canteen."""


#: The SIRET column of an id file, as ``canteens``' (14 digits, leading zeros restored).
_ID_TABLE = Table("ids", "", (Column("siret", "text", "", digits=14),), ("canteen_id",))
#: Largest file *ma cantine* accepts (``CSV_IMPORT_MAX_SIZE`` in ``macantine/settings.py``).
MAX_UPLOAD_BYTES = 10_485_760


def purchase_file(
    scenario: Scenario,
    plan: Solution | pd.DataFrame,
    *,
    sirets: Mapping[str, str] | None = None,
    cantine_ids: Mapping[str, str] | None = None,
    supplier: str = DEFAULT_SUPPLIER,
    delivery_weekday: int = 1,
    definition_local: LocalDefinition = "PAT",
    definition_local_km: int | None = None,
    today: dt.date | None = None,
    future: Future = "warn",
) -> pd.DataFrame:
    """The plan's purchases as a *ma cantine* purchase import file, one row per flow worth a
    cent or more.

    Parameters
    ----------
    scenario, plan
        The scenario and its ``Solution`` (or a ``flows`` table).
    sirets, cantine_ids
        The platform's canteen ids (``platform_ids``): canteen_id → SIRET (14 digits,
        Luhn-valid; the first column is then ``siret``) or canteen_id → numeric *ma cantine*
        id (first column ``cantine_id``), for every canteen of the plan. Without either, the
        scenario's ``siret`` or ``macantine_id`` column when filled for every canteen; else
        ``cantine_id`` holds the project's canteen_id and a ``PlatformIdWarning`` says
        that the platform will refuse the file as it is.
    supplier
        ``fournisseur`` of conventional purchases (producer lines name the producer).
    delivery_weekday
        ISO weekday of the purchase date within each ISO week (1 = Monday … 7 = Sunday). In a
        week straddling New Year the date is moved to the first or last day of the week's
        ISO year (its Thursday's year), so that the platform counts the line in the same
        calendar year as ``declaration``.
    definition_local, definition_local_km
        How local lines define "local": ``PAT`` (default), ``COMMUNE``, ``DEPARTEMENT``,
        ``REGION`` or ``KM``. For ``KM`` the distance (whole km) defaults to the scenario's
        ``local_radius_km`` rounded up, else to the largest producer delivery radius rounded
        up (every producer line lies within its producer's radius).
    today, future
        *ma cantine* rejects dates after the upload day. Dates after ``today`` (default: the
        current date) give a ``FutureDateWarning`` (``"warn"``, default), a
        ``ScenarioError`` (``"error"``) or nothing (``"ignore"``).

    Returns
    -------
    pandas.DataFrame
        The 12 columns of ``HEADER_SIRET`` or
        ``HEADER_ID``, in that order, all text as written
        in the file: ``date`` ISO ``YYYY-MM-DD``; ``prix_ht`` EUR HT with a dot and 2 decimals,
        rounded so that each canteen's yearly total is the plan's total rounded to the cent,
        each family × labels subtotal within 1 cent of the plan's and each line within 1 cent
        of its exact value (nested largest-remainder rounding), lines rounded to 0.00 left
        out (they change no total); ``categories_egalim`` in
        platform order without spaces; ``fournisseur`` the producer's or market supplier's
        name; ``origine`` ``FRANCE`` for producer lines (the scenario's producers are French
        farms), the market option's ``origin`` for market lines, empty otherwise;
        ``est_circuit_court`` ``oui`` for direct producer purchases; ``est_local`` from the
        plan's ``local`` (never for market lines).
        Rows are sorted by canteen, date, then the flows' order.

    Raises
    ------
    ValueError
        When ``delivery_weekday`` is not 1–7, ``definition_local`` is unknown,
        ``definition_local_km`` is not a whole number ≥ 0, or both ``sirets`` and
        ``cantine_ids`` are given.
    ScenarioError
        When ``future="error"`` and a date falls after ``today``, or the platform ids given
        miss a canteen, hold an invalid id or give one id to several canteens.

    References
    ----------
    betagouv/ma-cantine, the purchase import file and its checks (``docs/macantine.md``).
    """
    flows = plan.flows if isinstance(plan, Solution) else plan
    if not 1 <= delivery_weekday <= 7:
        raise ValueError(
            f"delivery_weekday must be 1 (Monday) to 7 (Sunday), not {delivery_weekday}"
        )
    if definition_local not in LOCAL_DEFINITIONS:
        raise ValueError(f"definition_local must be one of {', '.join(LOCAL_DEFINITIONS)}")
    canteen_ids = flows["canteen_id"].astype(str)
    key, mapping = platform_ids(scenario, sirets=sirets, cantine_ids=cantine_ids)
    header = HEADER_SIRET if key == "siret" else HEADER_ID
    ident = _identifiers(canteen_ids, key, mapping)

    products = scenario.products.set_index("product_id")
    producers = scenario.producers.set_index("producer_id")
    is_producer = (flows["supplier"].astype(str) == PRODUCER).to_numpy()
    is_market = (flows["supplier"].astype(str) == MARKET).to_numpy()
    product_name = products["name"].reindex(flows["product_id"].astype(str)).astype(str)
    producer_name = (
        producers["name"].reindex(flows["producer_id"].astype(str)).fillna("").astype(str)
    )
    # A market line names its supplier and declares its option's origin (empty when none).
    options = scenario.market.set_index("market_id")
    market_ids = flows.get("market_id", pd.Series("", index=flows.index)).astype(str)
    market_name = options["supplier_name"].reindex(market_ids).fillna("").astype(str)
    market_origin = options["origin"].reindex(market_ids).fillna("").astype(str)
    supplier_name = np.where(is_market, market_name.to_numpy(), producer_name.to_numpy())
    description = np.where(
        is_producer | is_market,
        product_name.to_numpy() + " (" + supplier_name + ")",
        product_name.to_numpy(),
    )
    local = flows["local"].astype(bool).to_numpy()
    km = ""
    if definition_local == "KM":
        km = str(_local_km(scenario, flows, definition_local_km))

    date = _purchase_dates(flows["week"].astype(str), delivery_weekday)
    _check_future(date, canteen_ids, today, future)
    labels = flows["labels"].astype(object).where(flows["labels"].notna(), "").astype(str)
    uniques = pd.unique(labels.to_numpy())
    canonical = {u: format_labels(parse_labels(u)) for u in uniques}
    categories = labels.map(canonical).astype(str)
    cents = _cents(
        flows["value_eur_ht"].astype(float).to_numpy(),
        [canteen_ids.to_numpy(), date.dt.year.to_numpy()],
        [flows["family"].astype(str).to_numpy(), categories.to_numpy()],
    )
    out = pd.DataFrame(
        {
            header[0]: ident.to_numpy(),
            "description": description,
            "fournisseur": np.where(is_producer | is_market, supplier_name, supplier),
            "date": date.dt.strftime("%Y-%m-%d").to_numpy(),
            "prix_ht": _format_cents(cents),
            "famille_produits": flows["family"].astype(str).to_numpy(),
            "categories_egalim": categories.to_numpy(),
            "origine": np.where(
                is_producer, "FRANCE", np.where(is_market, market_origin.to_numpy(), "")
            ),
            "est_circuit_court": np.where(is_producer, "oui", "non"),
            "est_local": np.where(local, "oui", "non"),
            "definition_local": np.where(local, definition_local, ""),
            "definition_local_km": np.where(local, km, ""),
        }
    )
    out["_canteen"] = canteen_ids.to_numpy()
    out["_order"] = np.arange(len(out))
    # A line rounded to 0.00 EUR declares nothing (every total is a sum of the cents): left out.
    kept: pd.DataFrame = out.loc[cents != 0]
    kept = kept.sort_values(["_canteen", "date", "_order"], kind="stable")
    return kept[list(header)].astype(str).reset_index(drop=True)


# -- SIRET mapping ----------------------------------------------------------------------------


def read_sirets(path: str | Path) -> dict[str, str]:
    """Read a canteen_id → SIRET mapping (columns ``canteen_id``, ``siret``).

    See ``read_platform_ids``; spaces inside a SIRET (ordinary, non-breaking, narrow
    non-breaking) are removed, as a person typing ``216 204 980 00017`` means.

    Parameters
    ----------
    path
        CSV or XLSX file with ``canteen_id`` and ``siret`` columns.

    Returns
    -------
    dict of str to str
        canteen_id → SIRET (14 digits, text).

    Raises
    ------
    ScenarioError
        Every bad row at once (see ``read_platform_ids``).
    """
    return read_platform_ids(path, "siret")


def read_platform_ids(
    path: str | Path,
    column: PlatformKey = "siret",
    canteen_ids: Collection[str] | None = None,
) -> dict[str, str]:
    """Read the platform's canteen ids: canteen_id → SIRET or → numeric *ma cantine* id.

    Each id is read once, as the platform reads it (``platform_id``): ``001`` is canteen
    ``1``, spaces and non-breaking spaces inside a SIRET are removed. Where the platform would
    refuse the cell as written but what it means is certain (``1.0``, a SIRET with narrow
    non-breaking spaces or a ``.0``, a SIRET whose leading zeros a spreadsheet dropped or
    written in scientific notation with every digit), the id is read with an
    ``IdFileWarning`` naming file, row and column; where it is not (``12 3``, ``-4``, an
    invalid SIRET, a SIRET whose digits are lost), it is an error.

    Parameters
    ----------
    path
        CSV (comma or semicolon; UTF-8 or Windows-1252) or XLSX (first sheet) with a
        ``canteen_id`` column and the ``column`` one; other columns are ignored.
    column
        ``"siret"`` (14 digits, Luhn checksum) or ``"cantine_id"`` (a whole number ≥ 1).
    canteen_ids
        The scenario's canteen ids, when the file must give an id to each of them and to no
        other canteen; ``None``: not checked.

    Returns
    -------
    dict
        canteen_id → id as the platform reads it, both text.

    Raises
    ------
    ScenarioError
        Every bad row at once, with the file's warnings, its head naming the file (row
        numbers count the header as row 1): missing column, empty canteen_id, bad id (shown
        with its invisible characters spelled out as ``<U+00A0>``), a canteen given twice,
        one platform id given to several canteens (with their rows), a canteen not in
        ``canteen_ids`` (with its row) or one of them without a row; or a file that cannot
        be read.
    """
    path = Path(path)
    file = str(path)
    read = read_table_file(path, ("canteen_id", column), "ids")
    if read.frame is None:
        raise ScenarioError(read.problems, subject=path.name)
    frame = read.frame.map(lambda v: cell_text(v, strip=False))
    problems = [
        Problem("ids", 1, col, _("column is missing"), file)
        for col in ("canteen_id", column)
        if col not in frame.columns
    ]
    if problems:
        raise ScenarioError(read.problems + problems, subject=path.name)
    canteen = frame["canteen_id"].astype(str).str.strip()
    rows = frame.index.to_numpy()
    ident, found = _read_ids(read.frame[column], frame[column].astype(str), rows, file, column)
    problems = found + _canteen_problems(canteen, ident, rows, file, column, canteen_ids)
    if any(p.severity == "error" for p in problems):
        raise ScenarioError(read.problems + problems, subject=path.name)
    for p in read.problems + problems:  # the file's own warnings too (title rows, encoding)
        warnings.warn(IdFileWarning(_id_file_note(p)), stacklevel=2)
    filled = (canteen != "").to_numpy()
    return dict(zip(canteen[filled], ident[filled], strict=True))


def platform_id(ident: str, key: PlatformKey) -> str:
    """An id as the platform reads it: a ``cantine_id`` as its canteen's number (``001`` is
    ``1``, as Django's ``int``), a SIRET as it is; an id no canteen can have as it is.

    Parameters
    ----------
    ident
        The id, spaces already removed.
    key
        ``"siret"`` or ``"cantine_id"``.

    Returns
    -------
    str
        The id the platform looks the canteen up by.
    """
    number = canteen_number(ident) if key == "cantine_id" else None
    return ident if number is None else str(number)


def _read_ids(
    values: pd.Series, text: pd.Series, rows: NDArray[Any], file: str, column: PlatformKey
) -> tuple[pd.Series, list[Problem]]:
    """Each id cell as the platform reads it, with a warning where the platform would refuse
    the cell as written but its meaning is certain and an error where it is not.

    ``values`` are the cells as read (a number when the spreadsheet held one), ``text`` the
    same cells as text, ``rows`` their row numbers (header = 1)."""
    cells = text.map(_siret if column == "siret" else _cantine_id)
    if column == "siret":
        ident, problems = _restore_siret_zeros(values, text.map(code_digits), rows, file)
    else:  # a cantine_id as the platform reads it (``001`` is 1)
        ident, problems = cells.map(lambda cell: str(cell.value or "")), []
    said = {p.row for p in problems}
    for row, raw, i, cell in zip(rows.tolist(), text, ident, cells, strict=True):
        if row in said or not raw.strip():
            continue  # said by _restore_siret_zeros, or an empty cell (said per canteen)
        why = _id_problem(i, column)
        if why and raw != i:
            why = _("{problem} (read from {cell})").format(problem=why, cell=visible(raw))
        elif why is None and cell.refusal and cell.stage == SCHEMA:
            why = cell.refusal  # not a number to the platform: '12 3' is neither 12 nor 123
        if why:
            problems.append(Problem("ids", row, column, why, file))
        elif cell.refusal:
            msg = _("{cell} read as '{id}' (ma cantine would refuse it as written)")
            problems.append(
                Problem("ids", row, column, msg.format(cell=visible(raw), id=i), file, "warning")
            )
    return ident, problems


def _canteen_problems(
    canteen: pd.Series,
    ident: pd.Series,
    rows: NDArray[Any],
    file: str,
    column: PlatformKey,
    canteen_ids: Collection[str] | None,
) -> list[Problem]:
    """An id file's canteens: each named, given once, one platform id each, and (with
    ``canteen_ids``) exactly the scenario's."""
    problems = [
        Problem("ids", int(row), "canteen_id" if i else column, _("empty"), file)
        for row, c, i in zip(rows, canteen, ident, strict=True)
        if bool(c) != bool(i)
    ]
    for c in canteen[canteen.duplicated() & (canteen != "")].unique():
        dup_rows = rows[(canteen == c).to_numpy()]
        msg = _("canteen '{canteen}' appears on rows {rows}").format(
            canteen=c, rows=", ".join(map(str, dup_rows))
        )
        problems.append(Problem("ids", int(dup_rows[-1]), "canteen_id", msg, file))
    named = (canteen != "").to_numpy()
    for shared, positions in _shared_ids(canteen[named], ident[named]):
        given = [
            _("{canteen} (row {row})").format(canteen=canteen[named].iloc[p], row=rows[named][p])
            for p in positions
        ]
        msg = _("{key} {id} given to several canteens ({canteens})").format(
            key=column, id=shared, canteens=", ".join(given)
        )
        problems.append(Problem("ids", int(rows[named][positions[-1]]), column, msg, file))
    if canteen_ids is not None:
        problems += _scenario_problems(canteen, rows, file, column, canteen_ids)
    return problems


def _scenario_problems(
    canteen: pd.Series,
    rows: NDArray[Any],
    file: str,
    column: PlatformKey,
    canteen_ids: Collection[str],
) -> list[Problem]:
    """An id file's canteens not in the scenario, and the scenario's canteens it misses."""
    wanted = set(canteen_ids)
    problems = []
    for row, c in zip(rows, canteen, strict=True):
        if c and c not in wanted:
            msg = _("canteen '{canteen}' is not in the scenario's canteens").format(canteen=c)
            problems.append(Problem("ids", int(row), "canteen_id", msg, file))
    missing = sorted(wanted.difference(canteen))
    if missing:
        shown = ", ".join(missing[:10])
        if len(missing) > 10:
            rest = len(missing) - 10
            shown = ngettext("{first} and {n} more", "{first} and {n} more", rest).format(
                first=shown, n=rest
            )
        msg = ngettext(
            "no {key} for canteen {canteens}", "no {key} for canteens {canteens}", len(missing)
        ).format(key=column, canteens=shown)
        problems.append(Problem("ids", None, "canteen_id", msg, file))
    return problems


def _shared_ids(canteens: pd.Series, ids: pd.Series) -> list[tuple[str, list[int]]]:
    """Platform ids given to several canteens: each id (sorted) with the positions of the
    canteens' first rows; an empty id is none."""
    first = pd.DataFrame({"canteen": canteens.to_numpy(), "id": ids.to_numpy()})
    first = first.loc[(first["id"] != "") & ~first["canteen"].duplicated()]
    return [
        (str(i), group.index.tolist())
        for i, group in first.groupby("id", sort=True)
        if len(group) > 1
    ]


def _restore_siret_zeros(
    values: pd.Series, sirets: pd.Series, rows: NDArray[Any], file: str
) -> tuple[pd.Series, list[Problem]]:
    """SIRETs of an id file whose leading zeros a spreadsheet dropped, padded back to 14
    digits as in ``canteens.csv`` (the one rule, ``rhd_match.inputs.validation``): a warning
    naming each padded cell, an error for a code in scientific notation or too long.

    ``values`` are the cells as read (a number when the spreadsheet held one), ``sirets``
    the same cells as text without spaces, ``rows`` their row numbers (header = 1)."""
    out = Collector(_ID_TABLE, file, rows)
    padded = pad_code(values, sirets, _ID_TABLE.column("siret"), out)
    return padded, out.problems


def _id_file_note(problem: Problem) -> str:
    """A warning about an id file: where (file, then row and column when it has them), then
    what."""
    return _("{where}: {message}").format(where=problem.place(), message=problem.message)


def _id_problem(ident: str, column: PlatformKey) -> str | None:
    if column == "siret":
        return siret_problem(ident)
    if canteen_number(ident) is None:
        return _("{id} is not a ma cantine canteen id (a whole number)").format(id=visible(ident))
    return None


def platform_ids(
    scenario: Scenario,
    *,
    sirets: Mapping[str, str] | None = None,
    cantine_ids: Mapping[str, str] | None = None,
) -> tuple[PlatformKey, dict[str, str] | None]:
    """Which platform id keys a plan's purchase file, and canteen_id → that id.

    In this order: ``sirets``; ``cantine_ids``; the scenario's ``siret`` column, then its
    ``macantine_id`` column, when filled for every canteen. ``("cantine_id", None)`` when
    there are none: the file then holds the project's canteen_ids, which the platform
    refuses.

    Parameters
    ----------
    scenario
        The scenario (``canteens`` may have ``siret`` and ``macantine_id`` columns).
    sirets
        canteen_id → SIRET.
    cantine_ids
        canteen_id → numeric *ma cantine* canteen id.

    Returns
    -------
    tuple
        The key (``"siret"`` or ``"cantine_id"``) and canteen_id → id (text, spaces
        removed), or ``None`` when the platform's ids are unknown.

    Raises
    ------
    ValueError
        When both ``sirets`` and ``cantine_ids`` are given.
    """
    if sirets is not None and cantine_ids is not None:
        raise ValueError("give sirets or cantine_ids, not both")
    if sirets is not None:
        return "siret", dict(sirets)
    if cantine_ids is not None:
        return "cantine_id", {str(c): str(i) for c, i in cantine_ids.items()}
    canteens = scenario.canteens
    partial: list[Problem] = []
    for column, key in (("siret", "siret"), ("macantine_id", "cantine_id")):
        if column in canteens.columns:
            values = canteens[column].map(lambda v: cell_text(v, strip=False))
            filled = values.str.strip() != ""
            if filled.all():
                ids = values.map(code_digits)
                return key, dict(zip(canteens["canteen_id"].astype(str), ids, strict=True))  # type: ignore[return-value]
            if filled.any():
                missing = canteens.loc[~filled, "canteen_id"].astype(str).tolist()
                msg = ngettext(
                    "given for {n} canteen of {total}; missing for {canteens}: give every "
                    "canteen its id, or none",
                    "given for {n} canteens of {total}; missing for {canteens}: give every "
                    "canteen its id, or none",
                    int(filled.sum()),
                ).format(n=int(filled.sum()), total=len(values), canteens=", ".join(missing))
                partial.append(Problem("canteens", None, column, msg))
    if partial:  # a column half filled is no choice not to give ids
        raise ScenarioError(partial)
    return "cantine_id", None


def check_platform_ids(
    scenario: Scenario, key: PlatformKey, mapping: Mapping[str, str] | None, source: str
) -> None:
    """Every canteen's platform id checked as the purchase file will check it, before a
    solve: each canteen has one, valid, and no two share one.

    Parameters
    ----------
    scenario
        The scenario.
    key, mapping
        As ``platform_ids`` returns them (None: no ids, nothing to check).
    source
        Where the ids come from, for the problems' place: an id file's name, or
        ``"canteens"`` for the scenario's own columns.

    Raises
    ------
    ScenarioError
        Listing every canteen without an id, every invalid id and every shared one.
    """
    if mapping is not None:
        _identifiers(scenario.canteens["canteen_id"].astype(str), key, mapping, source)


def _identifiers(
    canteen_ids: pd.Series,
    key: PlatformKey,
    mapping: Mapping[str, str] | None,
    source: str = "ids",
) -> pd.Series:
    canteens = sorted(pd.unique(canteen_ids.to_numpy()))
    if mapping is None:
        warnings.warn(
            PlatformIdWarning(
                _(
                    "no ma cantine ids given: 'cantine_id' holds the project's canteen ids "
                    "({canteens}), which the platform refuses; this purchase file cannot be "
                    "uploaded as it is (give SIRETs or the platform's numeric ids: "
                    "--siret-file or --id-file, or a siret or macantine_id column in canteens)"
                ).format(canteens=", ".join(canteens[:5]) + ("…" if len(canteens) > 5 else ""))
            ),
            stacklevel=3,
        )
        return canteen_ids
    problems: list[Problem] = []
    clean = {str(c): platform_id(str(s).strip(), key) for c, s in mapping.items()}
    for c in canteens:  # one per canteen, for error reporting
        if c not in clean:
            msg = _("no {key} for canteen '{canteen}'").format(key=key, canteen=c)
            problems.append(Problem(source, None, key, msg))
            continue
        why = _id_problem(clean[c], key)
        if why:
            msg = _("canteen '{canteen}': {problem}").format(canteen=c, problem=why)
            problems.append(Problem(source, None, key, msg))
    named = pd.Series([c for c in canteens if c in clean], dtype=object)
    for shared, positions in _shared_ids(named, named.map(clean)):
        msg = _("{key} {id} given to several canteens ({canteens})").format(
            key=key, id=shared, canteens=", ".join(named[positions])
        )
        problems.append(Problem(source, None, key, msg))
    if problems:
        raise ScenarioError(problems)
    return canteen_ids.map(clean)


# -- dates, local, rounding -------------------------------------------------------------------


def _purchase_dates(weeks: pd.Series, weekday: int) -> pd.Series:
    """Date of ``weekday`` in each ISO week, kept inside the week's ISO (Thursday) year."""
    dates: dict[str, dt.date] = {}
    for week in pd.unique(weeks.to_numpy()):  # one per distinct week
        monday = week_monday(str(week))
        year = week_thursday(str(week)).year
        day = monday + dt.timedelta(days=weekday - 1)
        dates[str(week)] = min(max(day, dt.date(year, 1, 1)), dt.date(year, 12, 31))
    return pd.to_datetime(weeks.map(dates))


def _check_future(
    date: pd.Series, canteens: pd.Series, today: dt.date | None, future: Future
) -> None:
    if future == "ignore":
        return
    limit = pd.Timestamp(today or dt.date.today())
    late = (date > limit).to_numpy()
    if not late.any():
        return
    first = date[late].min().date().isoformat()
    last = date[late].max().date().isoformat()
    msg = ngettext(
        "{n} purchase line dated after {today} ({first} to {last}): ma cantine rejects future "
        "dates; upload the file once those dates have passed",
        "{n} purchase lines dated after {today} ({first} to {last}): ma cantine rejects future "
        "dates; upload the file once those dates have passed",
        int(late.sum()),
    ).format(
        n=format_number(int(late.sum())), today=limit.date().isoformat(), first=first, last=last
    )
    if future == "error":
        names = sorted(pd.unique(canteens[late].to_numpy()))
        raise ScenarioError(
            [
                Problem(
                    "purchases",
                    None,
                    "date",
                    _("canteen '{canteen}': {problem}").format(canteen=c, problem=msg),
                )
                for c in names
            ]
        )
    warnings.warn(FutureDateWarning(msg), stacklevel=3)


def _local_km(scenario: Scenario, flows: pd.DataFrame, given: int | None) -> int:
    if given is not None:
        if given < 0 or int(given) != given:
            raise ValueError(f"definition_local_km must be a whole number of km ≥ 0, not {given}")
        return int(given)
    radius = scenario.parameters.local_radius_km
    if radius is None:
        used = flows.loc[flows["supplier"].astype(str) == PRODUCER, "producer_id"].astype(str)
        radii = scenario.producers.set_index("producer_id")["delivery_radius_km"]
        radius = float(radii.reindex(pd.unique(used.to_numpy())).max()) if len(used) else 0.0
    return math.ceil(radius - 1e-9)


def _cents(
    value_eur: NDArray[Any],
    canteen_year: list[NDArray[Any]],
    subgroup: list[NDArray[Any]],
) -> NDArray[np.int64]:
    """Round values to cents keeping totals: per canteen-year, then family × labels, then line."""
    exact = np.round(np.asarray(value_eur, dtype=float) * 100.0, 6)
    if exact.size == 0:
        return np.zeros(0, dtype=np.int64)
    keys = pd.DataFrame({f"k{i}": k for i, k in enumerate(canteen_year)})
    top = keys.groupby(list(keys.columns), sort=True).ngroup().to_numpy()
    sub_keys = keys.assign(**{f"s{i}": k for i, k in enumerate(subgroup)})
    sub = sub_keys.groupby(list(sub_keys.columns), sort=True).ngroup().to_numpy()
    top_target = np.rint(np.bincount(top, weights=exact)).astype(np.int64)
    sub_exact = np.bincount(sub, weights=exact)
    sub_parent = np.zeros(sub_exact.size, dtype=np.int64)
    sub_parent[sub] = top
    sub_target = _apportion(sub_exact, sub_parent, top_target)
    return _apportion(exact, sub, sub_target)


def _apportion(exact: NDArray[Any], group: NDArray[Any], target: NDArray[Any]) -> NDArray[np.int64]:
    """Integers close to ``exact`` whose sum per ``group`` is ``target`` (largest remainder).

    Needs ``sum(floor(exact)) ≤ target ≤ sum(floor(exact)) + size`` per group, which holds
    when each target is within 1 of its group's exact sum.
    """
    floor: NDArray[np.float64] = np.floor(np.asarray(exact, dtype=np.float64))
    frac = exact - floor
    base = np.rint(np.bincount(group, weights=floor, minlength=target.size)).astype(np.int64)
    short: NDArray[np.int64] = np.asarray(target, dtype=np.int64) - base
    order = np.lexsort((np.arange(exact.size), -frac, group))
    sorted_group = group[order]
    starts = np.searchsorted(sorted_group, sorted_group, side="left")
    rank = np.empty(exact.size, dtype=np.int64)
    rank[order] = np.arange(exact.size) - starts
    result: NDArray[np.int64] = floor.astype(np.int64) + (rank < short[group]).astype(np.int64)
    return result


def _format_cents(cents: NDArray[np.int64]) -> NDArray[np.str_]:
    whole = pd.Series(cents // 100).astype(str)
    part = pd.Series(cents % 100).astype(str).str.zfill(2)
    return (whole + "." + part).to_numpy(dtype=str)


# -- writers ----------------------------------------------------------------------------------


def purchase_file_writers(
    frame: pd.DataFrame, *, per_canteen: bool = False, stem: str = "achats"
) -> dict[str, Callable[[Path], None]]:
    """Writers of the purchase import file(s): comma-separated UTF-8 CSV, header row.

    One ``{stem}.csv`` for all canteens, or with ``per_canteen`` one ``{stem}_{id}.csv`` per
    value of the first column (SIRET or cantine_id; characters other than letters, digits,
    ``-``, ``_`` and ``.`` become ``_``). A file over ``MAX_UPLOAD_BYTES`` gives an
    ``UploadSizeWarning``.

    Parameters
    ----------
    frame
        A ``purchase_file`` table.
    per_canteen
        One file per canteen instead of one for all.
    stem
        The files' name without extension (and id).

    Returns
    -------
    dict of str to Callable[[Path], None]
        File name → writer, for ``write_folder_atomically``.

    Raises
    ------
    ValueError
        When two canteen ids would give the same file name.
    """
    if not per_canteen:
        return {f"{stem}.csv": _checked_writer(frame)}
    key = frame.columns[0]
    writers: dict[str, Callable[[Path], None]] = {}
    for ident, part in frame.groupby(key, sort=True):
        name = f"{stem}_{re.sub(r'[^A-Za-z0-9_.-]', '_', str(ident))}.csv"
        if name in writers:
            raise ValueError(_("two canteens would share the file name {name}").format(name=name))
        writers[name] = _checked_writer(part.reset_index(drop=True))
    return writers


def _checked_writer(frame: pd.DataFrame) -> Callable[[Path], None]:
    write = csv_writer(frame)

    def write_and_check(path: Path) -> None:
        write(path)
        size = path.stat().st_size
        if size > MAX_UPLOAD_BYTES:
            msg = _(
                "{file}: {size} bytes, ma cantine accepts at most 10 MB; use per_canteen"
            ).format(file=path.name, size=size)
            warnings.warn(UploadSizeWarning(msg), stacklevel=2)

    return write_and_check


def export_plan(
    scenario: Scenario,
    solution: Solution | pd.DataFrame,
    folder: str | Path,
    *,
    sirets: Mapping[str, str] | None = None,
    cantine_ids: Mapping[str, str] | None = None,
    per_canteen: bool = False,
    per_producer: bool = False,
    today: dt.date | None = None,
    future: Future = "warn",
    supplier: str = DEFAULT_SUPPLIER,
    delivery_weekday: int = 1,
    definition_local: LocalDefinition = "PAT",
    definition_local_km: int | None = None,
    language: str = "fr",
) -> list[Path]:
    """Write everything a plan gives the canteens and producers into ``folder``, all or nothing.

    Files: ``declaration.csv`` and ``declaration.json`` (yearly figures per canteen, EUR HT),
    ``achats.csv`` or ``achats_{id}.csv`` (purchase import file, see ``purchase_file``),
    ``order_sheets.csv`` or ``orders_{producer_id}.csv`` and ``contract_summary.csv`` (see
    ``rhd_match.plan.orders``), and ``README.md`` saying what each file is and whether the
    purchase file can be uploaded to *ma cantine* as it is (only with the platform's canteen
    ids: ``sirets``, ``cantine_ids`` or the scenario's ``siret``/``macantine_id`` column, see
    ``platform_ids``). Everything is computed before anything is written; any error
    leaves ``folder`` as it was.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    solution
        A ``Solution`` or any ``flows`` table (one row per purchase line, keyed by
        ``canteen_id``, ``product_id``, ISO ``week`` and ``producer_id``).
    folder
        The folder to write into (created if needed); other files in it are left alone.
    sirets, cantine_ids
        The platform's canteen ids (see ``platform_ids``).
    per_canteen
        One purchase file per canteen (``achats_{id}.csv``).
    per_producer
        One order file per producer (``orders_{producer_id}.csv``).
    today, future, supplier, delivery_weekday, definition_local, definition_local_km
        As for ``purchase_file``.
    language
        Language of the order sheets, contract summary and ``README.md``, files for people
        (see ``rhd_match.plan.orders.order_writers``); the platform's files do not change.

    Returns
    -------
    list of Path
        The files written, ``README.md`` included.

    Raises
    ------
    ValueError
        When an option is invalid (weekday, local definition, both kinds of ids) or two ids
        would give the same file name.
    ScenarioError
        When ``future="error"`` and a purchase date falls after ``today``, or the platform
        ids given miss a canteen, hold an invalid id or give one id to several canteens.
    """
    figures = declaration(solution.flows if isinstance(solution, Solution) else solution)
    key, mapping = platform_ids(scenario, sirets=sirets, cantine_ids=cantine_ids)
    purchases = purchase_file(
        scenario,
        solution,
        sirets=mapping if key == "siret" else None,
        cantine_ids=mapping if key == "cantine_id" and mapping is not None else None,
        supplier=supplier,
        delivery_weekday=delivery_weekday,
        definition_local=definition_local,
        definition_local_km=definition_local_km,
        today=today,
        future=future,
    )
    sheets = order_sheets(scenario, solution)
    contracts = contract_summary(scenario, solution)
    writers = declaration_writers(figures)
    writers |= purchase_file_writers(purchases, per_canteen=per_canteen)
    writers |= order_writers(sheets, contracts, per_producer=per_producer, language=language)
    writers["README.md"] = _readme_writer(sorted(writers), key, mapping is not None, language)
    return write_folder_atomically(Path(folder), writers)


def _readme_writer(
    names: list[str], key: PlatformKey, uploadable: bool, language: str
) -> Callable[[Path], None]:
    purchase_files = ", ".join(f"`{n}`" for n in names if n.startswith("achats"))
    with use_language(language):
        if uploadable:
            status = _(
                "The purchase file(s) are keyed by the platform's `{key}` and can be uploaded "
                "to ma cantine as they are (check first: `rhd-match check-purchases FILE`)."
            ).format(key=key)
        else:
            status = _(
                "**The purchase file(s) cannot be uploaded to ma cantine as they are**: their "
                "`cantine_id` column holds this project's canteen ids, and the platform wants "
                "its own numeric canteen ids (or SIRETs). Export again with `--siret-file` or "
                "`--id-file` (or a `siret` / `macantine_id` column in canteens)."
            )
        text = "\n".join(
            [
                "# " + _("A plan, as files for ma cantine and the producers"),
                "",
                status,
                "",
                "- `declaration.csv`, `declaration.json`: "
                + _("yearly declaration figures per canteen."),
                f"- {purchase_files}: " + _("purchase import file(s)."),
                "- `order_sheets.csv` "
                + _("or")
                + " `orders_*.csv`, `contract_summary.csv`: "
                + _("producer side."),
                "",
                _("Amounts are EUR excluding VAT; see docs/macantine.md of rhd_match."),
                "",
            ]
        )

    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    return write
