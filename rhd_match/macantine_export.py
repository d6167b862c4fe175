"""A plan as *ma cantine* purchase import files ("import achats"), and the whole export.

The purchase import file is what a canteen uploads to *ma cantine* to declare its purchases
line by line (betagouv/ma-cantine ``data/schemas/imports/achats_siret.json`` and
``achats_id.json``, ``api/views/purchase_import.py``): a header of exactly 12 lowercase names,
then one purchase a row. :func:`purchase_file` writes one row per line of the plan's ``flows``
(producer deliveries and conventional purchases alike), so that the platform, summing the
file, finds the plan's declaration figures (:func:`rhd_match.macantine.declaration`) to the
cent. :func:`export_plan` writes declaration, purchase file(s), order sheets and contract
summary in one all-or-nothing step. See ``docs/macantine.md``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .egalim import format_labels, parse_labels
from .errors import Problem, ScenarioError
from .io import csv_writer, read_table_file, write_folder_atomically
from .macantine import (
    HEADER_ID,
    HEADER_SIRET,
    LOCAL_DEFINITIONS,
    cell_text,
    declaration,
    declaration_writers,
    siret_problem,
)
from .orders import contract_summary, order_sheets, order_writers
from .plan_tables import PRODUCER
from .scenario import Scenario
from .solution import Solution
from .weeks import week_monday

DEFAULT_SUPPLIER = "Fournisseur habituel"
Future = Literal["warn", "error", "ignore"]
LocalDefinition = Literal["PAT", "COMMUNE", "DEPARTEMENT", "REGION", "KM"]


class FutureDateWarning(UserWarning):
    """Purchase dates after ``today``: *ma cantine* rejects the file until those dates pass."""


class PlatformIdWarning(UserWarning):
    """``cantine_id`` values that are not *ma cantine* numeric canteen ids."""


class UploadSizeWarning(UserWarning):
    """A purchase file larger than *ma cantine* accepts (10 MB): write one file per canteen."""


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
    """The plan's purchases as a *ma cantine* purchase import file, one row per flow.

    Parameters
    ----------
    scenario, plan:
        The scenario and its :class:`~rhd_match.solution.Solution` (or a ``flows`` table).
    sirets:
        canteen_id → SIRET (14 digits, Luhn-valid) for every canteen of the plan: the first
        column is then ``siret``. Without it the first column is ``cantine_id``, holding
        ``cantine_ids[canteen_id]`` (the canteen's numeric *ma cantine* id) or else the
        canteen_id itself (a :class:`PlatformIdWarning` says when that is not numeric).
    supplier:
        ``fournisseur`` of conventional purchases (producer lines name the producer).
    delivery_weekday:
        ISO weekday of the purchase date within each ISO week (1 = Monday … 7 = Sunday). In a
        week straddling New Year the date is moved to the first or last day of the week's
        ISO year (its Thursday's year), so that the platform counts the line in the same
        calendar year as :func:`~rhd_match.macantine.declaration`.
    definition_local, definition_local_km:
        How local lines define "local": ``PAT`` (default), ``COMMUNE``, ``DEPARTEMENT``,
        ``REGION`` or ``KM``. For ``KM`` the distance (whole km) defaults to the scenario's
        ``local_radius_km`` rounded up, else to the largest producer delivery radius rounded
        up (every producer line lies within its producer's radius).
    today, future:
        *ma cantine* rejects dates after the upload day. Dates after ``today`` (default: the
        current date) give a :class:`FutureDateWarning` (``"warn"``, default), a
        :class:`~rhd_match.errors.ScenarioError` (``"error"``) or nothing (``"ignore"``).

    Returns
    -------
    DataFrame
        The 12 columns of :data:`~rhd_match.macantine.HEADER_SIRET` or
        :data:`~rhd_match.macantine.HEADER_ID`, in that order, all text as written in the
        file: ``date`` ISO ``YYYY-MM-DD``; ``prix_ht`` EUR HT with a dot and 2 decimals,
        rounded so that each canteen's yearly total is the plan's total rounded to the cent,
        each family × labels subtotal within 1 cent of the plan's and each line within 1 cent
        of its exact value (nested largest-remainder rounding); ``categories_egalim`` in
        platform order without spaces; ``origine`` ``FRANCE`` for producer lines (the
        scenario's producers are French farms) and empty otherwise; ``est_circuit_court``
        ``oui`` for direct producer purchases; ``est_local`` from the plan's ``local``.
        Rows are sorted by canteen, date, then the flows' order.
    """
    flows = plan.flows if isinstance(plan, Solution) else plan
    if not 1 <= delivery_weekday <= 7:
        raise ValueError(
            f"delivery_weekday must be 1 (Monday) to 7 (Sunday), not {delivery_weekday}"
        )
    if definition_local not in LOCAL_DEFINITIONS:
        raise ValueError(f"definition_local must be one of {', '.join(LOCAL_DEFINITIONS)}")
    canteen_ids = flows["canteen_id"].astype(str)
    header = HEADER_SIRET if sirets is not None else HEADER_ID
    ident = _identifiers(canteen_ids, sirets, cantine_ids)

    products = scenario.products.set_index("product_id")
    producers = scenario.producers.set_index("producer_id")
    is_producer = (flows["supplier"].astype(str) == PRODUCER).to_numpy()
    product_name = products["name"].reindex(flows["product_id"].astype(str)).astype(str)
    producer_name = (
        producers["name"].reindex(flows["producer_id"].astype(str)).fillna("").astype(str)
    )
    description = np.where(
        is_producer,
        product_name.to_numpy() + " (" + producer_name.to_numpy() + ")",
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
            "fournisseur": np.where(is_producer, producer_name.to_numpy(), supplier),
            "date": date.dt.strftime("%Y-%m-%d").to_numpy(),
            "prix_ht": _format_cents(cents),
            "famille_produits": flows["family"].astype(str).to_numpy(),
            "categories_egalim": categories.to_numpy(),
            "origine": np.where(is_producer, "FRANCE", ""),
            "est_circuit_court": np.where(is_producer, "oui", "non"),
            "est_local": np.where(local, "oui", "non"),
            "definition_local": np.where(local, definition_local, ""),
            "definition_local_km": np.where(local, km, ""),
        }
    )
    out["_canteen"] = canteen_ids.to_numpy()
    out["_order"] = np.arange(len(out))
    out = out.sort_values(["_canteen", "date", "_order"], kind="stable")
    return out[list(header)].astype(str).reset_index(drop=True)


# -- SIRET mapping ----------------------------------------------------------------------------


def read_sirets(path: str | Path) -> dict[str, str]:
    """Read a canteen_id → SIRET mapping: CSV (comma or semicolon) or XLSX, first sheet.

    Columns ``canteen_id`` and ``siret`` (others ignored); SIRETs are read as text, so leading
    zeros are kept. Every bad row is reported at once in a
    :class:`~rhd_match.errors.ScenarioError` (row numbers count the header as row 1).
    """
    path = Path(path)
    read = read_table_file(path, ("canteen_id", "siret"), "sirets")
    if read.frame is None:
        raise ScenarioError(read.errors)
    frame = read.frame.map(cell_text)
    file = str(path)
    problems = [
        Problem("sirets", 1, col, "column is missing", file)
        for col in ("canteen_id", "siret")
        if col not in frame.columns
    ]
    if problems:
        raise ScenarioError(problems)
    canteen = frame["canteen_id"].astype(str).str.strip()
    siret = frame["siret"].astype(str).str.strip().str.replace(" ", "", regex=False)
    rows = frame.index.to_numpy()
    for row, c, s in zip(rows, canteen, siret, strict=True):  # error reporting only
        if not c:
            problems.append(Problem("sirets", int(row), "canteen_id", "empty", file))
        why = siret_problem(s)
        if why:
            problems.append(Problem("sirets", int(row), "siret", why, file))
    for c in canteen[canteen.duplicated() & (canteen != "")].unique():
        dup_rows = rows[(canteen == c).to_numpy()]
        msg = f"canteen '{c}' appears on rows {', '.join(map(str, dup_rows))}"
        problems.append(Problem("sirets", int(dup_rows[-1]), "canteen_id", msg, file))
    if problems:
        raise ScenarioError(problems)
    return dict(zip(canteen, siret, strict=True))


def _identifiers(
    canteen_ids: pd.Series,
    sirets: Mapping[str, str] | None,
    cantine_ids: Mapping[str, str] | None,
) -> pd.Series:
    canteens = sorted(pd.unique(canteen_ids.to_numpy()))
    if sirets is None:
        mapping = {c: str((cantine_ids or {}).get(c, c)) for c in canteens}
        odd = [v for v in mapping.values() if not re.fullmatch(r"[1-9][0-9]*", v)]
        if odd:
            warnings.warn(
                PlatformIdWarning(
                    "ma cantine expects its numeric canteen id in 'cantine_id'; not numeric: "
                    + ", ".join(odd[:10])
                    + " (pass a SIRET mapping or cantine_ids)"
                ),
                stacklevel=3,
            )
        return canteen_ids.map(mapping)
    problems: list[Problem] = []
    clean = {str(c): str(s).strip() for c, s in sirets.items()}
    for c in canteens:  # one per canteen, for error reporting
        if c not in clean:
            problems.append(Problem("sirets", None, "siret", f"no SIRET for canteen '{c}'"))
            continue
        why = siret_problem(clean[c])
        if why:
            problems.append(Problem("sirets", None, "siret", f"canteen '{c}': {why}"))
    used = pd.Series({c: clean[c] for c in canteens if c in clean}, dtype=object)
    for s, group in used.groupby(used, sort=True):
        if len(group) > 1:
            msg = f"SIRET {s} given to several canteens ({', '.join(group.index)})"
            problems.append(Problem("sirets", None, "siret", msg))
    if problems:
        raise ScenarioError(problems)
    return canteen_ids.map(clean)


# -- dates, local, rounding -------------------------------------------------------------------


def _purchase_dates(weeks: pd.Series, weekday: int) -> pd.Series:
    """Date of ``weekday`` in each ISO week, kept inside the week's ISO (Thursday) year."""
    dates: dict[str, dt.date] = {}
    for week in pd.unique(weeks.to_numpy()):  # one per distinct week
        monday = week_monday(str(week))
        year = (monday + dt.timedelta(days=3)).year
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
    msg = (
        f"{int(late.sum())} purchase line(s) dated after {limit.date().isoformat()} "
        f"({first} to {last}): ma cantine rejects future dates; upload the file once "
        "those dates have passed"
    )
    if future == "error":
        names = sorted(pd.unique(canteens[late].to_numpy()))
        raise ScenarioError(
            [Problem("purchases", None, "date", f"canteen '{c}': {msg}") for c in names]
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
    ``-``, ``_`` and ``.`` become ``_``). A file over :data:`MAX_UPLOAD_BYTES` gives an
    :class:`UploadSizeWarning`.
    """
    if not per_canteen:
        return {f"{stem}.csv": _checked_writer(frame)}
    key = frame.columns[0]
    writers: dict[str, Callable[[Path], None]] = {}
    for ident, part in frame.groupby(key, sort=True):
        name = f"{stem}_{re.sub(r'[^A-Za-z0-9_.-]', '_', str(ident))}.csv"
        if name in writers:
            raise ValueError(f"two canteens would share the file name {name}")
        writers[name] = _checked_writer(part.reset_index(drop=True))
    return writers


def _checked_writer(frame: pd.DataFrame) -> Callable[[Path], None]:
    write = csv_writer(frame)

    def write_and_check(path: Path) -> None:
        write(path)
        size = path.stat().st_size
        if size > MAX_UPLOAD_BYTES:
            msg = f"{path.name}: {size} bytes, ma cantine accepts at most 10 MB; use per_canteen"
            warnings.warn(UploadSizeWarning(msg), stacklevel=2)

    return write_and_check


def export_plan(
    scenario: Scenario,
    solution: Solution,
    folder: str | Path,
    *,
    sirets: Mapping[str, str] | None = None,
    per_canteen: bool = False,
    per_producer: bool = False,
    today: dt.date | None = None,
    future: Future = "warn",
    supplier: str = DEFAULT_SUPPLIER,
    delivery_weekday: int = 1,
    definition_local: LocalDefinition = "PAT",
    definition_local_km: int | None = None,
) -> list[Path]:
    """Write everything a plan gives the canteens and producers into ``folder``, all or nothing.

    Files: ``declaration.csv`` and ``declaration.json`` (yearly figures per canteen, EUR HT),
    ``achats.csv`` or ``achats_{id}.csv`` (purchase import file, see :func:`purchase_file`),
    ``order_sheets.csv`` or ``orders_{producer_id}.csv`` and ``contract_summary.csv`` (see
    :mod:`rhd_match.orders`). Everything is computed before anything is written; any error
    leaves ``folder`` as it was. Returns the paths written.
    """
    figures = declaration(solution.flows)
    purchases = purchase_file(
        scenario,
        solution,
        sirets=sirets,
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
    writers |= order_writers(sheets, contracts, per_producer=per_producer)
    return write_folder_atomically(Path(folder), writers)
