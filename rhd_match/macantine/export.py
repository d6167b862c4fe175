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
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..egalim import format_labels, parse_labels
from ..errors import Problem, ScenarioError
from ..i18n import format_number, format_range, ngettext, use_language
from ..i18n import gettext as _
from ..inputs.scenario import Scenario
from ..plan.orders import contract_summary, order_sheets, order_writers
from ..plan.solution import Solution
from ..plan.tables import MARKET, PRODUCER
from ..weeks import week_monday, week_thursday
from ..writing import csv_writer, file_name_for, write_folder_atomically
from .declaration import (
    HEADER_ID,
    HEADER_SIRET,
    LOCAL_DEFINITIONS,
    declaration,
    declaration_writers,
)
from .ids import PlatformKey, _identifiers, platform_ids

DEFAULT_SUPPLIER = "Fournisseur habituel"
Future = Literal["warn", "error", "ignore"]
LocalDefinition = Literal["PAT", "COMMUNE", "DEPARTEMENT", "REGION", "KM"]


class FutureDateWarning(UserWarning):
    """Purchase dates after ``today``: *ma cantine* rejects the file until those dates pass."""


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
    dates = format_range(date[late].min().date().isoformat(), date[late].max().date().isoformat())
    msg = ngettext(
        "{n} purchase line dated after {today} ({dates}): ma cantine rejects future "
        "dates; upload the file once those dates have passed",
        "{n} purchase lines dated after {today} ({dates}): ma cantine rejects future "
        "dates; upload the file once those dates have passed",
        int(late.sum()),
    ).format(n=format_number(int(late.sum())), today=limit.date().isoformat(), dates=dates)
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
    value of the first column (SIRET or cantine_id; ``rhd_match.writing.file_name_for``). A
    file over ``MAX_UPLOAD_BYTES`` gives an ``UploadSizeWarning``.

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
    """
    if not per_canteen:
        return {f"{stem}.csv": _checked_writer(frame)}
    key = frame.columns[0]
    writers: dict[str, Callable[[Path], None]] = {}
    taken: set[str] = set()
    for ident, part in frame.groupby(key, sort=True):
        name = file_name_for(str(ident), stem, "csv", taken)
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
    limit = (today or dt.date.today()).isoformat()
    dated_later = int((purchases["date"].astype(str) > limit).sum())  # ISO dates sort as text
    writers["README.md"] = _readme_writer(
        sorted(writers), key, mapping is not None, dated_later, language
    )
    return write_folder_atomically(Path(folder), writers)


def _readme_writer(
    names: list[str], key: PlatformKey, uploadable: bool, dated_later: int, language: str
) -> Callable[[Path], None]:
    purchase_files = ", ".join(f"`{n}`" for n in names if n.startswith("achats"))
    with use_language(language):
        if uploadable and dated_later:
            status = ngettext(
                "The purchase file(s) are keyed by the platform's `{key}`, but {n} line is "
                "dated after the export: ma cantine rejects future dates; upload once they "
                "have passed (`rhd-match check-purchases FILE` says which).",
                "The purchase file(s) are keyed by the platform's `{key}`, but {n} lines are "
                "dated after the export: ma cantine rejects future dates; upload once they "
                "have passed (`rhd-match check-purchases FILE` says which).",
                dated_later,
            ).format(key=key, n=format_number(dated_later))
        elif uploadable:
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
        item = _("- {files}: {what}")  # a colon as the language writes one
        text = "\n".join(
            [
                "# " + _("A plan, as files for ma cantine and the producers"),
                "",
                status,
                "",
                item.format(
                    files="`declaration.csv`, `declaration.json`",
                    what=_("yearly declaration figures per canteen."),
                ),
                item.format(files=purchase_files, what=_("purchase import file(s).")),
                item.format(
                    files="`order_sheets.csv` "
                    + _("or")
                    + " `orders_*.csv`, `contract_summary.csv`",
                    what=_("producer side."),
                ),
                "",
                _("Amounts are EUR excluding VAT; see docs/macantine.md of rhd_match."),
                "",
            ]
        )

    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    return write
