"""The input tables: their columns, units, allowed values and keys.

One declaration serves validation, file reading and writing, and the input-format reference in
``docs/input-format.md`` (generated from it by ``python -m rhd_match.inputs.schema``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..egalim import FAMILIES, LABELS

Kind = Literal["id", "ids", "text", "float", "int", "week", "labels", "choice"]

UNITS: tuple[str, ...] = ("kg", "l", "piece")


@dataclass(frozen=True)
class Column:
    """One column of an input table."""

    name: str
    kind: Kind
    doc: str
    unit: str = ""
    required: bool = True
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    positive: bool = False
    choices: tuple[str, ...] = ()
    #: Fixed number of digits of a code (INSEE, SIRET, postcode): shorter all-digit values
    #: lost their leading zeros in a spreadsheet and are padded back, with a warning.
    digits: int | None = None


@dataclass(frozen=True)
class Table:
    """One input table: columns, primary key and foreign keys (column → table)."""

    name: str
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    foreign: dict[str, str] = field(default_factory=dict)
    #: An optional table may be left out of a scenario (no file, no sheet): it is then empty.
    optional: bool = False

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """The column called ``name``.

        Parameters
        ----------
        name
            A column name of the schema.

        Returns
        -------
        Column
            Its definition.

        Raises
        ------
        StopIteration
            When the table has no such column.
        """
        return next(c for c in self.columns if c.name == name)


PRODUCTS = Table(
    "products",
    "What canteens buy. One row per product.",
    (
        Column("product_id", "id", "Unique product identifier."),
        Column("name", "text", "Product name."),
        Column("family", "choice", "ma cantine purchase family.", choices=FAMILIES),
        Column("unit", "choice", "Unit of `qty` and prices for this product.", choices=UNITS),
        Column("kg_per_unit", "float", "Weight of one unit.", unit="kg/unit", positive=True),
        Column(
            "reference_price_eur_ht",
            "float",
            "Price paid today to the canteen's conventional supplier (no label, not local).",
            unit="EUR HT/unit",
            minimum=0.0,
        ),
    ),
    key=("product_id",),
)

CANTEENS = Table(
    "canteens",
    "Collective restaurants. One row per canteen (or central kitchen).",
    (
        Column("canteen_id", "id", "Unique canteen identifier."),
        Column("name", "text", "Canteen name."),
        Column("lat", "float", "Latitude (WGS84).", unit="degrees", minimum=-90, maximum=90),
        Column("lon", "float", "Longitude (WGS84).", unit="degrees", minimum=-180, maximum=180),
        Column(
            "insee",
            "text",
            "INSEE code of the commune (5 characters; leading zeros restored).",
            required=False,
            nullable=True,
            digits=5,
        ),
        Column(
            "siret",
            "text",
            "SIRET of the canteen on ma cantine (14 digits; leading zeros restored): its "
            "purchase import file is then keyed by SIRET.",
            required=False,
            nullable=True,
            digits=14,
        ),
        Column(
            "macantine_id",
            "text",
            "Numeric id of the canteen on ma cantine, for a purchase import file keyed by "
            "cantine_id.",
            required=False,
            nullable=True,
        ),
        Column(
            "sector",
            "text",
            "ma cantine sector, e.g. education_primaire, social_ehpad.",
            required=False,
            nullable=True,
        ),
        Column(
            "meals_per_day",
            "float",
            "Meals served per service day.",
            unit="meals/day",
            required=False,
            nullable=True,
            minimum=0.0,
        ),
        Column(
            "budget_eur_ht",
            "float",
            "Food budget over the scenario's horizon; empty for no budget.",
            unit="EUR HT",
            required=False,
            nullable=True,
            minimum=0.0,
        ),
        Column(
            "target_quality",
            "float",
            "Override of the quality-and-sustainable target; empty for the default.",
            unit="fraction",
            required=False,
            nullable=True,
            minimum=0.0,
            maximum=1.0,
        ),
        Column(
            "target_organic",
            "float",
            "Override of the organic target; empty for the default.",
            unit="fraction",
            required=False,
            nullable=True,
            minimum=0.0,
            maximum=1.0,
        ),
        Column(
            "target_meat_fish",
            "float",
            "Override of the meat-and-fish quality target; empty for the default.",
            unit="fraction",
            required=False,
            nullable=True,
            minimum=0.0,
            maximum=1.0,
        ),
    ),
    key=("canteen_id",),
)

PRODUCERS = Table(
    "producers",
    "Local producers (farms, cooperatives, processors). One row per producer.",
    (
        Column("producer_id", "id", "Unique producer identifier."),
        Column("name", "text", "Producer name."),
        Column("lat", "float", "Latitude (WGS84).", unit="degrees", minimum=-90, maximum=90),
        Column("lon", "float", "Longitude (WGS84).", unit="degrees", minimum=-180, maximum=180),
        Column(
            "delivery_capacity_kg_per_week",
            "float",
            "Weight the producer can deliver in one week, all canteens together.",
            unit="kg/week",
            minimum=0.0,
        ),
        Column(
            "max_drops_per_week",
            "int",
            "Number of canteens the producer can deliver in one week.",
            unit="drops/week",
            minimum=0,
        ),
        Column(
            "delivery_radius_km",
            "float",
            "Farthest canteen the producer delivers (straight line).",
            unit="km",
            minimum=0.0,
        ),
        Column(
            "min_order_eur_ht",
            "float",
            "Minimum value of one drop (franco); 0 for none.",
            unit="EUR HT",
            minimum=0.0,
        ),
        Column(
            "hub_id",
            "text",
            "Logistics hub the producer belongs to (information only).",
            required=False,
            nullable=True,
        ),
    ),
    key=("producer_id",),
)

OFFERS = Table(
    "offers",
    "What each producer can sell, week by week. One row per producer × product × week.",
    (
        Column("producer_id", "id", "Producer (see producers)."),
        Column("product_id", "id", "Product (see products)."),
        Column("week", "week", "ISO week, e.g. 2026-W03."),
        Column("qty", "float", "Quantity available that week.", unit="product unit", minimum=0),
        Column(
            "price_eur_ht",
            "float",
            "Price delivered to the canteen.",
            unit="EUR HT/unit",
            minimum=0.0,
        ),
        Column(
            "labels",
            "labels",
            "EGalim characteristics, ma cantine codes, comma-separated; empty for none.",
            nullable=True,
            choices=LABELS,
        ),
        Column(
            "min_lot_qty",
            "float",
            "Smallest quantity sold to one canteen in that week; empty or 0 for none.",
            unit="product unit",
            required=False,
            nullable=True,
            minimum=0.0,
        ),
    ),
    key=("producer_id", "product_id", "week"),
    foreign={"producer_id": "producers", "product_id": "products"},
)

DEMAND = Table(
    "demand",
    "What each canteen needs, week by week. One row per canteen × product × week.",
    (
        Column("canteen_id", "id", "Canteen (see canteens)."),
        Column("product_id", "id", "Product (see products)."),
        Column("week", "week", "ISO week, e.g. 2026-W03."),
        Column("qty", "float", "Quantity needed that week.", unit="product unit", minimum=0),
    ),
    key=("canteen_id", "product_id", "week"),
    foreign={"canteen_id": "canteens", "product_id": "products"},
)

#: ma cantine's ``origine`` values (purchase import file).
ORIGINS: tuple[str, ...] = ("FRANCE", "EUROPE")

MARKET = Table(
    "market",
    "Optional. Non-local supply: the organic and labelled ranges of wholesalers, regional "
    "platforms and public-procurement lots. One row per supply option; it may be bought in any "
    "week of its availability, by every canteen or by those listed. Market purchases are never "
    "local, and need no drop, franco or producer capacity.",
    (
        Column("market_id", "id", "Unique identifier of the supply option."),
        Column("supplier_id", "id", "Supplier (wholesaler, platform, procurement lot holder)."),
        Column("supplier_name", "text", "Supplier name, as on order sheets and ma cantine."),
        Column("product_id", "id", "Product (see products)."),
        OFFERS.column("labels"),
        OFFERS.column("price_eur_ht"),
        Column(
            "first_week",
            "week",
            "First ISO week it can be bought (inclusive); empty for the horizon's first.",
            required=False,
            nullable=True,
        ),
        Column(
            "last_week",
            "week",
            "Last ISO week it can be bought (inclusive); empty for the horizon's last.",
            required=False,
            nullable=True,
        ),
        Column(
            "max_qty_per_week",
            "float",
            "Most it can deliver in one week, all canteens together; empty for no limit.",
            unit="product unit/week",
            required=False,
            nullable=True,
            minimum=0.0,
        ),
        Column(
            "canteen_ids",
            "ids",
            "Canteens that may buy it (a canteen's own contract lot), comma-separated; empty "
            "for every canteen.",
            required=False,
            nullable=True,
        ),
        Column(
            "origin",
            "choice",
            "Origin declared in the ma cantine purchase file (`origine`); empty for none.",
            required=False,
            nullable=True,
            choices=ORIGINS,
        ),
    ),
    key=("market_id",),
    foreign={"product_id": "products", "canteen_ids": "canteens"},
    optional=True,
)

TABLES: dict[str, Table] = {
    t.name: t for t in (PRODUCTS, CANTEENS, PRODUCERS, OFFERS, DEMAND, MARKET)
}


def reference_markdown() -> str:
    """The input-format reference as Markdown, generated from the declarations above."""
    out = [
        "# Input format",
        "",
        "A scenario is a folder holding one CSV file per table (`products.csv`, `canteens.csv`,",
        "`producers.csv`, `offers.csv`, `demand.csv`, UTF-8, comma-separated, header row) or one",
        "Excel workbook with one sheet per table, plus an optional `parameters.json`.",
        "Optional columns may be left out; empty cells in them mean *not given*. An optional",
        "table (`market.csv`, sheet `market`) may be left out: the scenario then has none.",
        "",
        "## Files as people save them",
        "",
        "- **Separators**: comma, semicolon or tab, whichever splits the header. A row with more",
        "  or fewer fields than the header is an error naming the row and the count (`7 fields,",
        "  expected 6`): quote text holding the separator, and write decimal commas only in",
        "  semicolon-separated files. The message says which of these it most likely is: each way",
        "  of reading the row (two fields making a decimal-comma number, a text cut at a",
        "  separator, a separator ending the row) is compared with the well-formed rows' columns.",
        "  A separator ending every row is read as the end of the row; header cells that no row",
        "  fills are one error for the header, not one per row.",
        "- **Empty tables**: a demand or offers file with a header only is read with a warning",
        "  naming the file (nothing to buy, or no local supply).",
        "- **Encodings**: UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order",
        "  mark, or Windows-1252, what French Excel writes for *CSV (séparateur : point-virgule)*",
        "  (read with a warning: strict UTF-8 is tried first; a statistical guess is not used, as",
        "  it mistakes French Windows-1252 text for other code pages).",
        "- **Empty rows** (blank lines, rows of separators, cells holding only spaces) are not",
        "  data, in CSV files and sheets alike; row numbers in messages stay those of the file.",
        "- **Headers and sheets** may differ by case and spaces (`Product_ID`, `Products`); title",
        "  rows above the header are skipped. Each is read with a warning.",
        "- **Codes** with a fixed number of digits (`insee`) typed as numbers lose their leading",
        "  zeros in a spreadsheet: they are padded back (`2408` → `02408`) with a warning naming",
        "  the cell.",
        "- **Text beginning with `=`, `+`, `-` or `@`** is text: every workbook rhd_match writes",
        "  stores it as text, never as a formula. CSV files are written as they are (a CSV file",
        "  holds no formulas, and reading it back gives the same text); a spreadsheet opening",
        "  such a CSV file may still evaluate the cell, so share workbooks with people, and CSV",
        "  files with programs.",
        "",
    ]
    for table in TABLES.values():
        out += [f"## `{table.name}`", "", table.doc, "", f"Key: `{', '.join(table.key)}`."]
        if table.foreign:
            refs = ", ".join(f"`{c}` → `{t}`" for c, t in table.foreign.items())
            out += ["", f"References: {refs}."]
        out += [
            "",
            "| column | type | unit | required | allowed values | meaning |",
            "|---|---|---|---|---|---|",
        ]
        for c in table.columns:
            allowed = _allowed(c)
            req = "yes" if c.required and not c.nullable else ("column" if c.required else "no")
            out.append(f"| `{c.name}` | {c.kind} | {c.unit} | {req} | {allowed} | {c.doc} |")
        out.append("")
    return "\n".join(out)


def _allowed(c: Column) -> str:
    if c.choices:
        return ", ".join(f"`{x}`" for x in c.choices)
    bounds = []
    if c.positive:
        bounds.append("> 0")
    if c.minimum is not None:
        bounds.append(f"≥ {c.minimum:g}")
    if c.maximum is not None:
        bounds.append(f"≤ {c.maximum:g}")
    return ", ".join(bounds)


if __name__ == "__main__":
    print(reference_markdown())
