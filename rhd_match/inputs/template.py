"""A blank scenario workbook to fill in Excel (``rhd-match template``): an instructions sheet,
one sheet per input table with its header frozen and explained, drop-down lists for the codes,
and example rows; ``Scenario.from_folder`` reads it back (``docs/input-format.md``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from xlsxwriter.utility import xl_col_to_name

from ..egalim import FAMILIES, LABELS
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..i18n import use_language
from ..weeks import iso_weeks_in_year, week_label
from ..writing import write_folder_atomically
from ..xlsx import Sheet, write_workbook_file
from .fixes import unit_name
from .plausibility import EXAMPLE_ID_PREFIX
from .schema import SECTORS, TABLES, UNITS, Column

#: Rows of each sheet given drop-down lists and checks (Excel applies them to typed rows only).
TEMPLATE_ROWS = 2_000
#: Name of the sheet holding the drop-down lists (translated where it is written).
LISTS_SHEET = N_("lists")
#: Id columns that name a row of another sheet: their drop-down lists are that sheet's ids.
REFERENCES = {
    "producer_id": "producers",
    "product_id": "products",
    "canteen_id": "canteens",
    "hub_id": "hubs",
}


def _lists(year: int) -> dict[str, list[str]]:
    weeks = [week_label(year, w) for w in range(1, iso_weeks_in_year(year) + 1)]
    return {
        "family": list(FAMILIES),
        "unit": list(UNITS),
        "labels": list(LABELS),
        "sector": list(SECTORS),
        "week": weeks,
    }


def _examples(year: int) -> dict[str, pd.DataFrame]:
    """A tiny coherent scenario (one of everything): the template's example rows."""
    week = week_label(year, 3)
    return {
        "products": pd.DataFrame(
            {
                "product_id": [f"{EXAMPLE_ID_PREFIX}P1"],
                "name": [_("Example: carrots")],
                "family": ["FRUITS_ET_LEGUMES"],
                "unit": ["kg"],
                "kg_per_unit": [1.0],
                "reference_price_eur_ht": [1.2],
            }
        ),
        "canteens": pd.DataFrame(
            {
                "canteen_id": [f"{EXAMPLE_ID_PREFIX}C1"],
                "name": [_("Example: primary school")],
                "lat": [50.43],
                "lon": [2.83],
                "sector": ["education_primaire"],
                "meals_per_day": [150.0],
            }
        ),
        "producers": pd.DataFrame(
            {
                "producer_id": [f"{EXAMPLE_ID_PREFIX}F1"],
                "name": [_("Example: market garden")],
                "lat": [50.45],
                "lon": [2.80],
                "delivery_capacity_kg_per_week": [500.0],
                "max_drops_per_week": [5],
                "delivery_radius_km": [30.0],
                "min_order_eur_ht": [0.0],
            }
        ),
        "offers": pd.DataFrame(
            {
                "producer_id": [f"{EXAMPLE_ID_PREFIX}F1"],
                "product_id": [f"{EXAMPLE_ID_PREFIX}P1"],
                "week": [week],
                "qty": [200.0],
                "price_eur_ht": [1.5],
                "labels": ["BIO"],
            }
        ),
        "demand": pd.DataFrame(
            {
                "canteen_id": [f"{EXAMPLE_ID_PREFIX}C1"],
                "product_id": [f"{EXAMPLE_ID_PREFIX}P1"],
                week: [40.0],
            }
        ),
    }


def _comment(column: Column) -> str:
    text = _(column.doc)
    if column.unit:
        text += "\n" + _("Unit: {unit}").format(unit=unit_name(column.unit))
    if not (column.required and not column.nullable):
        text += "\n" + _("Optional: may be left empty.")
    return text


def _validations(
    columns: list[str], table: str, lists: dict[str, list[str]]
) -> list[tuple[str, dict[str, Any]]]:
    """Drop-down lists on the coded columns (read from the hidden lists sheet) and on the ids
    that name a row of another sheet (that sheet's ids), and bounds on the numbers. Labels
    and sectors accept other text with a note (several labels in a cell)."""
    out: list[tuple[str, dict[str, Any]]] = []
    names = list(lists)
    rule: dict[str, Any]
    for j, name in enumerate(columns):
        ref = f"{xl_col_to_name(j)}2:{xl_col_to_name(j)}{TEMPLATE_ROWS}"
        if table in TABLES and name in TABLES[table].column_names:
            column = TABLES[table].column(name)
        else:  # a week column of the demand grid
            column = TABLES["demand"].column("qty")
        if REFERENCES.get(name, table) != table:
            sheet = REFERENCES[name]
            col = xl_col_to_name(TABLES[sheet].column_names.index(name))
            # A warning, not a refusal: ids may be pasted before their sheet is filled.
            rule = {
                "validate": "list",
                "source": f"='{sheet}'!${col}$2:${col}${TEMPLATE_ROWS}",
                "error_type": "warning",
                "error_title": _("Unknown id"),
                "error_message": _("This id is not on the {sheet} sheet (yet).").format(
                    sheet=sheet
                ),
            }
            out.append((ref, rule))
        elif name in lists:
            k = names.index(name)
            col = xl_col_to_name(k)
            source = f"='{_(LISTS_SHEET)}'!${col}$2:${col}${len(lists[name]) + 1}"
            strict = name in ("family", "unit", "week")
            rule = {"validate": "list", "source": source}
            if not strict:
                rule |= {
                    "error_type": "information",
                    "error_title": _("Not in the list"),
                    "error_message": _(
                        "Several labels go in one cell, separated by commas (BIO,HVE)."
                    ),
                }
            out.append((ref, rule))
        elif column.kind in ("float", "int") and column.minimum is not None:
            rule = {
                "validate": "decimal" if column.kind == "float" else "integer",
                "criteria": ">=",
                "value": column.minimum,
                "error_type": "warning",
                "error_message": _("A number, at least {minimum}.").format(
                    minimum=f"{column.minimum:g}"
                ),
            }
            if column.maximum is not None:
                rule |= {"criteria": "between", "minimum": column.minimum}
                rule |= {"maximum": column.maximum}
                del rule["value"]
            out.append((ref, rule))
    return out


#: What each table holds, as the instructions name it (its bare name when absent).
TABLE_HINTS = {
    "products": N_("products (the foods)"),
    "canteens": N_("canteens (the kitchens)"),
    "producers": N_("producers (the farms)"),
    "offers": N_("offers (what producers sell, each week)"),
    "demand": N_("demand (what canteens need, each week)"),
    "market": N_("market (wholesalers' and procurement lots' ranges)"),
    "groups": N_("groups (substitutable products)"),
    "hubs": N_("hubs (shared delivery platforms)"),
    "distances": N_("distances (road distances for the delivery tours)"),
}


def _instructions(year: int) -> pd.DataFrame:
    # The tables are named from the schema, so that a new table is never left out here.
    named = {name: _(TABLE_HINTS[name]) if name in TABLE_HINTS else name for name in TABLES}
    required = [named[name] for name, table in TABLES.items() if not table.optional]
    optional = [named[name] for name, table in TABLES.items() if table.optional]
    lines = [
        _("Scenario workbook for rhd-match"),
        "",
        _(
            "1. Fill one sheet per table: {required}; {optional} may stay empty. Keep their "
            "names and first row (the column names): hover over a column name to read its "
            "meaning and unit."
        ).format(required=", ".join(required), optional=", ".join(optional)),
        _(
            "2. Rows in grey italics are examples, read like any other row: delete them, or "
            "write over them."
        ),
        _(
            "3. Drop-down lists give the allowed codes (families, units, labels, sectors, "
            "weeks) and, for producer, product and canteen ids, the ids of their sheets. "
            "Several labels go in one cell, separated by commas (BIO,HVE)."
        ),
        _(
            "4. Demand: one row per canteen and product, one column per ISO week ({first} to "
            "{last}); an empty cell is no demand. Delete the weeks you do not need, or add "
            "others. A sheet with the columns canteen_id, product_id, week, qty is read too."
        ).format(first=week_label(year, 1), last=week_label(year, iso_weeks_in_year(year))),
        _(
            "5. Numbers may be written the French way (1 234,50; 1,85 €; 25 % in the target "
            "columns), codes in words (Fruits et légumes, AB, Label Rouge), weeks as S03 or a "
            "date: the reader says each value it read another way."
        ),
        _(
            "6. Check the workbook with 'rhd-match validate FILE.xlsx', then 'rhd-match report "
            "FILE.xlsx --out report/'."
        ),
        _("Reference of every column: docs/input-format.md."),
    ]
    return pd.DataFrame({_("Instructions"): lines})


def template_sheets(year: int) -> dict[str, Sheet]:
    """The sheets of the blank scenario workbook, in the active language.

    Parameters
    ----------
    year
        The ISO year whose weeks head the demand grid and fill the weeks' drop-down list.

    Returns
    -------
    dict of str to Sheet
        Instructions, the tables (demand as a grid; the optional ones, market, groups, hubs
        and distances, with their header only), and the lists sheet, in order.
    """
    lists = _lists(year)
    sheets: dict[str, Sheet] = {
        _("Instructions"): Sheet(_instructions(year), widths=[120]),
    }
    examples = _examples(year)
    for name, table in TABLES.items():
        # the optional tables as headers to fill, without example
        example = examples.get(name, pd.DataFrame(columns=table.column_names))
        if name == "demand":
            columns = ["canteen_id", "product_id", *lists["week"]]
        else:
            columns = table.column_names
        frame = example.reindex(columns=columns)
        for column in columns:
            if column in table.column_names and table.column(column).kind in ("float", "int"):
                frame[column] = frame[column].astype(float)
        comments = {c: _comment(table.column(c)) for c in columns if c in table.column_names}
        if name == "demand":
            qty = _comment(table.column("qty"))
            comments |= {w: qty for w in lists["week"]}
        sheets[name] = Sheet(
            frame,
            widths=[max(12.0, len(c) + 4.0) for c in columns],
            styled=True,
            comments=comments,
            validations=_validations(columns, name, lists),
            example_rows=len(frame),
        )
    longest = max(len(v) for v in lists.values())
    sheets[_(LISTS_SHEET)] = Sheet(
        pd.DataFrame({k: v + [""] * (longest - len(v)) for k, v in lists.items()}),
        styled=True,
    )
    return sheets


def write_template(path: str | Path, year: int, language: str = "fr") -> Path:
    """Write a blank scenario workbook to fill in Excel.

    Sheets: instructions; ``products``, ``canteens``, ``producers``, ``offers`` and
    ``demand`` (a grid: one row per canteen × product, one column per ISO week of ``year``),
    each with its header frozen, the meaning and unit of each column in a comment on its
    header, drop-down lists for families, units, labels, sectors, weeks and the ids of the
    producers, products, canteens and hubs sheets, and one example
    row in grey italics (read like any other row: delete it or write over it); the optional
    ``market``, ``groups``, ``hubs`` and ``distances`` sheets, header only; the lists.
    ``Scenario.from_folder`` reads the workbook back.

    Parameters
    ----------
    path
        The ``.xlsx`` file to write (replaced if it exists; written whole or not at all).
    year
        ISO year of the demand grid's weeks and of the weeks' drop-down list.
    language
        Language of the instructions, comments and example names (``"fr"`` or ``"en"``);
        column ids and codes stay as the reader expects them.

    Returns
    -------
    Path
        The workbook written.

    Raises
    ------
    ValueError
        When ``language`` is not one rhd_match speaks.
    """
    path = Path(path)
    with use_language(language):
        sheets = template_sheets(year)
        title = _("Scenario workbook for rhd-match")

    def write(target: Path) -> None:
        write_workbook_file(target, sheets, title=title)

    return write_folder_atomically(path.parent, {path.name: write})[0]
