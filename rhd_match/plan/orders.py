"""The supplier side of a plan: weekly order sheets and the basis of contracts.

``order_sheets`` says, for each supplier and ISO week, what to deliver to which canteen;
``contract_summary`` sums it per supplier × canteen over the horizon, the basis of a
supply contract (contractualisation). Both are computed from the plan's ``flows`` lines bought
from producers (``supplier == "producer"``), local or not, and from market suppliers
(``supplier == "market"``: the wholesaler, platform or lot holder of each market option).
Every line names whom it is bought from in ``supplier_id`` and ``supplier_name`` (the
producer, or the market option's supplier); ``producer_id`` and ``producer_name`` are filled
for producers only, so that a market supplier whose id equals a producer's is never taken
for it. Their CSV files are for people
(``rhd_match.writing.people_csv_writer``): labelled in the language asked for, rounded, written for
a French Excel, their text cells a spreadsheet would run as formulas neutralised (a ``'``
before ``=HYPERLINK(...)`` in a name). See ``docs/macantine.md`` and ``docs/reports.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..i18n import format_day, use_language
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..inputs.scenario import Scenario
from ..weeks import week_monday
from ..writing import file_name_for, people_csv_writer, write_folder_atomically
from .solution import Solution
from .tables import CONVENTIONAL, MARKET, PRODUCER, supplier_columns

ORDER_COLUMNS: tuple[str, ...] = (
    "supplier",
    "supplier_id",
    "supplier_name",
    "producer_id",
    "producer_name",
    "week",
    "delivery_date",
    "canteen_id",
    "canteen_name",
    "product_id",
    "product_name",
    "qty",
    "unit",
    "qty_kg",
    "price_eur_ht",
    "value_eur_ht",
    "labels",
    "distance_km",
    "local",
    "market_id",
)
#: Column labels of the order sheets as people read them, marked for the catalogues and
#: translated where shown (:func:`order_sheet_labels`); files for machines keep the ids.
#: The ``supplier`` kinds as the files for people name them.
SUPPLIER_KINDS: dict[str, str] = {
    PRODUCER: N_("producer"),
    MARKET: N_("wholesaler or platform"),
    CONVENTIONAL: N_("conventional supplier"),
}
#: Values that the files for people name in the reader's language, by column (the data files
#: and tables keep the ids).
PEOPLE_VALUES: dict[str, dict[str, str]] = {
    "supplier": SUPPLIER_KINDS,
    "unit": {"piece": N_("piece")},
}


def people_values(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with the ids of ``PEOPLE_VALUES`` named as people read them, in the active
    language.

    Parameters
    ----------
    table
        A table for people (order sheets, contract summary), shape (rows, columns).

    Returns
    -------
    pandas.DataFrame
        The same rows and columns; in ``supplier`` and ``unit``, each id by its name
        (``Producteur``, ``pièce`` in French); a value already named, or unknown, is kept.
    """
    named = {}
    for column, names in PEOPLE_VALUES.items():
        if column in table.columns:
            said = {value: _(name) for value, name in names.items()}
            named[column] = table[column].map(lambda value, s=said: s.get(value, value))
    return table.assign(**named) if named else table


ORDER_LABELS: dict[str, str] = {
    "supplier": N_("Supplier kind"),
    "supplier_id": N_("Supplier id"),
    "supplier_name": N_("Supplier name"),
    "producer_id": N_("Producer id"),
    "producer_name": N_("Producer"),
    "week": N_("ISO week"),
    "delivery_date": N_("Delivery date"),
    "canteen_id": N_("Canteen id"),
    "canteen_name": N_("Canteen"),
    "product_id": N_("Product id"),
    "product_name": N_("Product"),
    "qty": N_("Quantity"),
    "unit": N_("Unit"),
    "qty_kg": N_("Quantity (kg)"),
    "price_eur_ht": N_("Price (EUR excl. VAT per unit)"),
    "value_eur_ht": N_("Value (EUR excl. VAT)"),
    "labels": N_("EGalim labels"),
    "distance_km": N_("Distance (km)"),
    "local": N_("Local"),
    "market_id": N_("Market option"),
}
CONTRACT_COLUMNS: tuple[str, ...] = (
    "supplier",
    "supplier_id",
    "supplier_name",
    "producer_id",
    "producer_name",
    "canteen_id",
    "canteen_name",
    "weeks_delivered",
    "first_week",
    "last_week",
    "qty_kg",
    "value_eur_ht",
    "n_products",
    "products",
)
#: Column labels of the contract summary as people read them (translated where shown).
CONTRACT_LABELS: dict[str, str] = {
    **{
        c: ORDER_LABELS[c]
        for c in ("supplier", "supplier_id", "supplier_name", "producer_id", "producer_name")
    },
    "canteen_id": ORDER_LABELS["canteen_id"],
    "canteen_name": ORDER_LABELS["canteen_name"],
    "weeks_delivered": N_("Weeks delivered"),
    "first_week": N_("First week"),
    "last_week": N_("Last week"),
    "qty_kg": ORDER_LABELS["qty_kg"],
    "value_eur_ht": ORDER_LABELS["value_eur_ht"],
    "n_products": N_("Number of products"),
    "products": N_("Products"),
}
#: Decimals kept in the files for people: quantities to the gram (or millilitre), money to
#: the cent, prices to a tenth of a cent, distances to 100 m.
DECIMALS: dict[str, int] = {
    "qty": 3,
    "qty_kg": 3,
    "price_eur_ht": 3,
    "value_eur_ht": 2,
    "distance_km": 1,
    "weeks_delivered": 0,
    "n_products": 0,
}


def order_sheets(scenario: Scenario, solution: Solution | pd.DataFrame) -> pd.DataFrame:
    """Per supplier (producer or market supplier) and ISO week, what to deliver to whom.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    solution
        The plan, or its ``flows`` table (one row per purchase line, keyed by
        ``canteen_id``, ``product_id``, ISO ``week`` and ``producer_id``).

    Returns
    -------
    pandas.DataFrame
        One row per ``supplier_id`` × ``supplier`` × ``week`` × ``canteen_id`` × ``product_id``
        delivered, sorted in that order, with the ``ORDER_COLUMNS``: ``supplier`` (``producer``
        or ``market``), ``supplier_id`` and ``supplier_name`` (the producer, or the market
        option's supplier), ``producer_id`` and ``producer_name`` (empty for market lines),
        ``week`` (ISO ``2026-W03``), ``delivery_date``
        (ISO date of the week's Monday — a convention, the actual day is agreed with the canteen),
        ``qty`` in the product's ``unit`` (kg, l or piece), ``qty_kg`` (kg), ``price_eur_ht`` (EUR
        HT/unit), ``value_eur_ht`` (EUR HT), ``labels`` (EGalim labels the delivery must carry),
        ``distance_km`` (straight line, producer to canteen; empty for market lines), ``local``
        (within the local radius, bool) and ``market_id`` (the market option, empty for
        producers).
    """
    flows = solution.flows if isinstance(solution, Solution) else solution
    supplier = flows["supplier"].astype(str)
    lines = flows[(supplier == PRODUCER) | (supplier == MARKET)].copy()
    if "market_id" not in lines.columns:
        lines["market_id"] = pd.Series(pd.NA, index=lines.index, dtype="str")
    products = scenario.products.set_index("product_id")
    producers = scenario.producers.set_index("producer_id")["name"]
    canteens = scenario.canteens.set_index("canteen_id")
    if "supplier_id" not in lines.columns:  # flows written without the column
        lines = lines.assign(**supplier_columns(scenario, lines))
    for col in ("supplier_id", "canteen_id", "product_id", "week"):
        lines[col] = lines[col].astype(str)
    lines["producer_name"] = producers.reindex(lines["producer_id"]).to_numpy()
    weeks = pd.unique(lines["week"].to_numpy())
    monday = {w: week_monday(str(w)).isoformat() for w in weeks}
    lines["delivery_date"] = lines["week"].map(monday).astype(str)
    lines["canteen_name"] = canteens["name"].reindex(lines["canteen_id"]).to_numpy()
    lines["product_name"] = products["name"].reindex(lines["product_id"]).to_numpy()
    lines["unit"] = products["unit"].reindex(lines["product_id"]).to_numpy()
    lines["labels"] = lines["labels"].fillna("").astype(str)
    lines = lines.sort_values(
        ["supplier_id", "supplier", "week", "canteen_id", "product_id"], kind="stable"
    ).reset_index(drop=True)
    return lines[list(ORDER_COLUMNS)]


def order_sheet_labels(sheets: pd.DataFrame, language: str = "fr") -> pd.DataFrame:
    """The order sheets with their columns named for people in ``language``.

    Parameters
    ----------
    sheets
        The order sheets of ``order_sheets``, one row per delivery line, columns
        ``ORDER_COLUMNS`` (or some of them).
    language
        One of ``rhd_match.i18n.LANGUAGES``.

    Returns
    -------
    pandas.DataFrame
        The same rows and values, columns renamed with ``ORDER_LABELS`` translated:
        ``"Producteur"``, ``"Semaine ISO"`` in French.

    Raises
    ------
    ValueError
        When ``language`` is not one of ``rhd_match.i18n.LANGUAGES``.
    """
    with use_language(language):
        return sheets.rename(columns={c: _(ORDER_LABELS[c]) for c in sheets.columns})


def contract_summary(scenario: Scenario, solution: Solution | pd.DataFrame) -> pd.DataFrame:
    """Per producer × canteen over the horizon: the basis of a supply contract.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    solution
        The plan, or its ``flows`` table (one row per purchase line, keyed by
        ``canteen_id``, ``product_id``, ISO ``week`` and ``producer_id``).

    Returns
    -------
    pandas.DataFrame
        One row per supplier (``supplier_id``, ``supplier``) × ``canteen_id`` with deliveries,
        sorted, with the
        ``CONTRACT_COLUMNS``: ``weeks_delivered`` (ISO weeks with at least one delivery),
        ``first_week`` and ``last_week`` (ISO weeks), ``qty_kg`` (kg), ``value_eur_ht``
        (EUR HT), ``n_products`` and ``products`` (product names, sorted,
        ``"; "``-separated).
    """
    sheets = order_sheets(scenario, solution)
    keys = [
        "supplier_id",
        "supplier",
        "supplier_name",
        "producer_id",
        "producer_name",
        "canteen_id",
        "canteen_name",
    ]
    summary = sheets.groupby(keys, sort=True, dropna=False).agg(
        weeks_delivered=("week", "nunique"),
        first_week=("week", "min"),
        last_week=("week", "max"),
        qty_kg=("qty_kg", "sum"),
        value_eur_ht=("value_eur_ht", "sum"),
        n_products=("product_id", "nunique"),
        products=("product_name", lambda names: "; ".join(sorted(set(map(str, names))))),
    )
    return summary.reset_index()[list(CONTRACT_COLUMNS)]


def orders_by_producer(sheets: pd.DataFrame, extension: str) -> dict[str, pd.DataFrame]:
    """The order sheets split by supplier (producer or market supplier), under each one's file
    name.

    Parameters
    ----------
    sheets
        The ``order_sheets`` table.
    extension
        ``"csv"`` or ``"xlsx"``.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``orders_{supplier_id}.{extension}`` (``rhd_match.writing.file_name_for``: ids that
        would share a name, as ``EARL/Dupont`` and ``EARL_Dupont`` or ``GROS`` and ``Gros``,
        are told apart) → that supplier's lines (index reset), sorted by supplier id; a
        market supplier whose id is also a producer's is named ``market_{supplier_id}``.
    """
    parts: dict[str, pd.DataFrame] = {}
    taken: set[str] = set()
    groups = sheets.groupby(["supplier_id", "supplier"], sort=True)
    producers = set(sheets.loc[sheets["supplier"] == PRODUCER, "supplier_id"].astype(str))
    for (ident, kind), part in groups:
        # A market supplier sharing a producer's id gets its own file, told apart by name.
        shown = f"{MARKET}_{ident}" if kind == MARKET and str(ident) in producers else str(ident)
        parts[file_name_for(shown, "orders", extension, taken)] = part.reset_index(drop=True)
    return parts


def _people_table(table: pd.DataFrame, labels: dict[str, str], language: str) -> pd.DataFrame:
    """A table as its file for people shows it: ``local`` as yes / no, dates in the
    language's short form (``12/01/2026`` in French, which a French Excel reads as a date),
    columns labelled, in ``language``."""
    with use_language(language):
        if "local" in table.columns:
            table = table.assign(local=table["local"].map({True: _("yes"), False: _("no")}))
        table = people_values(table)
        if "delivery_date" in table.columns:
            days = {
                d: format_day(dt.date.fromisoformat(str(d)))
                for d in table["delivery_date"].unique()
            }
            table = table.assign(delivery_date=table["delivery_date"].map(days))
        return table.rename(columns={c: _(labels[c]) for c in table.columns})


def order_writers(
    sheets: pd.DataFrame,
    contracts: pd.DataFrame,
    *,
    per_producer: bool = False,
    language: str = "fr",
) -> dict[str, Callable[[Path], None]]:
    """Writers of ``order_sheets.csv`` (or ``orders_{producer_id}.csv`` per producer) and
    ``contract_summary.csv``: CSV files for people (``rhd_match.writing.people_csv_writer``),
    columns labelled in ``language``, values rounded (``DECIMALS``).

    Parameters
    ----------
    sheets
        The ``order_sheets`` table.
    contracts
        The ``contract_summary`` table.
    per_producer
        One ``orders_{producer_id}.csv`` per producer (``orders_by_producer``) instead of one
        ``order_sheets.csv``.
    language
        One of ``rhd_match.i18n.LANGUAGES``: labels, ``yes`` / ``no``, and the decimal mark
        (comma in French).

    Returns
    -------
    dict of str to Callable[[Path], None]
        File name → writer, for ``write_folder_atomically``.

    Raises
    ------
    ValueError
        When two producer ids would give the same file name, or ``language`` is unknown.
    """
    mark = "," if language == "fr" else "."

    def writer(table: pd.DataFrame, labels: dict[str, str]) -> Callable[[Path], None]:
        shown = _people_table(table.reset_index(drop=True), labels, language)
        with use_language(language):
            places = {_(labels[c]): d for c, d in DECIMALS.items() if c in table.columns}
        return people_csv_writer(shown, places, decimal=mark)

    writers: dict[str, Callable[[Path], None]] = {}
    if per_producer:
        for name, part in orders_by_producer(sheets, "csv").items():
            writers[name] = writer(part, ORDER_LABELS)
    else:
        writers["order_sheets.csv"] = writer(sheets, ORDER_LABELS)
    writers["contract_summary.csv"] = writer(contracts, CONTRACT_LABELS)
    return writers


def write_orders(
    scenario: Scenario,
    solution: Solution | pd.DataFrame,
    folder: str | Path,
    *,
    per_producer: bool = False,
    language: str = "fr",
) -> list[Path]:
    """Write the order sheets and the contract summary into ``folder``; all or nothing.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    solution
        The plan, or its ``flows`` table (one row per purchase line, keyed by
        ``canteen_id``, ``product_id``, ISO ``week`` and ``producer_id``).
    folder
        The folder to write into (created if needed); other files in it are left alone.
    per_producer
        One order file per producer (see ``order_writers``).
    language
        Language of the files (see ``order_writers``).

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    ValueError
        When two producer ids would give the same file name, or ``language`` is unknown
        (nothing is written).
    """
    writers = order_writers(
        order_sheets(scenario, solution),
        contract_summary(scenario, solution),
        per_producer=per_producer,
        language=language,
    )
    return write_folder_atomically(Path(folder), writers)
