"""The input tables: their columns, units, allowed values and keys.

One declaration serves validation, file reading and writing, and the input-format reference in
``docs/input-format.md`` (generated from it by ``python -m rhd_match.inputs.schema``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..egalim import FAMILIES, LABELS
from ..i18n import gettext_noop as N_

Kind = Literal["id", "ids", "text", "float", "int", "week", "labels", "choice", "days"]

UNITS: tuple[str, ...] = ("kg", "l", "piece")
#: ma cantine's sector codes (its canteen model's sector choices, betagouv/ma-cantine, release
#: 2026.39.1): the template's drop-down list for ``canteens.sector``.
SECTORS: tuple[str, ...] = (
    "administration_prison",
    "administration_administratif",
    "administration_armee",
    "administration_etablissement_public",
    "administration_inter_administratif",
    "administration_administratif_des_collectivites",
    "entreprise_entreprise",
    "entreprise_inter_entreprise",
    "education_primaire",
    "education_secondaire_college",
    "education_secondaire_lycee",
    "education_enseignement_agricole",
    "education_superieur_universitaire",
    "education_autre",
    "sante_hopital",
    "sante_clinique",
    "sante_autre",
    "social_creche",
    "social_ime",
    "social_esat",
    "social_ehpad",
    "social_pjj",
    "social_autre",
    "loisir_centre_vacances",
    "loisir_autre",
    "autres_autre",
)


#: The largest value of a number column by its unit, where the column sets no maximum of its
#: own: far above any territory's figure (a central kitchen of 30,000 meals a day buys about
#: 50 t of food a week, a truffle 4,000 EUR HT/kg), far below what breaks a solver's
#: arithmetic (a demand of 1e12 kg stopped HiGHS with an abnormal status). A larger value is
#: a slip: a code pasted or an exponent typed in a number column.
CEILINGS: dict[str, float] = {
    "kg/unit": 1e4,
    "EUR HT/unit": 1e5,
    "EUR HT/kg": 1e5,
    "EUR HT": 1e10,
    "EUR/km": 1e4,
    "EUR/h": 1e5,
    "meals/day": 1e6,
    "days": 1e4,
    "kg/week": 1e8,
    "kg": 1e6,
    "product unit": 1e7,
    "product unit/week": 1e8,
    "product unit/group unit": 1e6,
    "drops/week": 1e4,
    "vehicles": 1e4,
    "km": 1e7,  # metres typed for km: an odd road, warned by plausibility, not refused
    "min": 1e5,
}


@dataclass(frozen=True)
class Column:
    """One column of an input table; a number column without a ``maximum`` of its own takes
    its unit's ``CEILINGS``."""

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

    def __post_init__(self) -> None:
        if self.kind in ("float", "int") and self.maximum is None:
            object.__setattr__(self, "maximum", CEILINGS.get(self.unit))


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
        Column("product_id", "id", N_("Unique product identifier.")),
        Column("name", "text", N_("Product name.")),
        Column("family", "choice", N_("ma cantine purchase family."), choices=FAMILIES),
        Column("unit", "choice", N_("Unit of `qty` and prices for this product."), choices=UNITS),
        Column("kg_per_unit", "float", N_("Weight of one unit."), unit="kg/unit", positive=True),
        Column(
            "reference_price_eur_ht",
            "float",
            N_("Price paid today to the canteen's conventional supplier (no label, not local)."),
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
        Column("canteen_id", "id", N_("Unique canteen identifier.")),
        Column("name", "text", N_("Canteen name.")),
        Column("lat", "float", N_("Latitude (WGS84)."), unit="degrees", minimum=-90, maximum=90),
        Column("lon", "float", N_("Longitude (WGS84)."), unit="degrees", minimum=-180, maximum=180),
        Column(
            "insee",
            "text",
            N_("INSEE code of the commune (5 characters; leading zeros restored)."),
            required=False,
            nullable=True,
            digits=5,
        ),
        Column(
            "siret",
            "text",
            N_(
                "SIRET of the canteen on ma cantine (14 digits; leading zeros restored): its "
                "purchase import file is then keyed by SIRET."
            ),
            required=False,
            nullable=True,
            digits=14,
        ),
        Column(
            "macantine_id",
            "text",
            N_(
                "Numeric id of the canteen on ma cantine, for a purchase import file keyed by "
                "cantine_id."
            ),
            required=False,
            nullable=True,
        ),
        Column(
            "sector",
            "text",
            N_("ma cantine sector, e.g. education_primaire, social_ehpad."),
            required=False,
            nullable=True,
        ),
        Column(
            "meals_per_day",
            "float",
            N_("Meals served per service day."),
            unit="meals/day",
            required=False,
            nullable=True,
            minimum=0.0,
        ),
        Column(
            "service_days",
            "float",
            "Service days over the scenario's horizon (meals served = meals_per_day × "
            "service_days); empty: 5 per ISO week in which the canteen has demand, an estimate.",
            unit="days",
            required=False,
            nullable=True,
            minimum=0.0,
        ),
        Column(
            "budget_eur_ht",
            "float",
            N_("Food budget over the scenario's horizon; empty for no budget."),
            unit="EUR HT",
            required=False,
            nullable=True,
            minimum=0.0,
        ),
        Column(
            "target_quality",
            "float",
            N_("Override of the quality-and-sustainable target; empty for the default."),
            unit="fraction",
            required=False,
            nullable=True,
            minimum=0.0,
            maximum=1.0,
        ),
        Column(
            "target_organic",
            "float",
            N_("Override of the organic target; empty for the default."),
            unit="fraction",
            required=False,
            nullable=True,
            minimum=0.0,
            maximum=1.0,
        ),
        Column(
            "target_meat_fish",
            "float",
            N_("Override of the meat-and-fish quality target; empty for the default."),
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
        Column("producer_id", "id", N_("Unique producer identifier.")),
        Column("name", "text", N_("Producer name.")),
        Column("lat", "float", N_("Latitude (WGS84)."), unit="degrees", minimum=-90, maximum=90),
        Column("lon", "float", N_("Longitude (WGS84)."), unit="degrees", minimum=-180, maximum=180),
        Column(
            "delivery_capacity_kg_per_week",
            "float",
            N_("Weight the producer can deliver in one week, all canteens together."),
            unit="kg/week",
            minimum=0.0,
        ),
        Column(
            "max_drops_per_week",
            "int",
            N_("Number of canteens the producer can deliver in one week."),
            unit="drops/week",
            minimum=0,
        ),
        Column(
            "delivery_radius_km",
            "float",
            N_("Farthest canteen the producer delivers (straight line)."),
            unit="km",
            minimum=0.0,
        ),
        Column(
            "min_order_eur_ht",
            "float",
            N_("Minimum value of one drop (franco); 0 for none."),
            unit="EUR HT",
            minimum=0.0,
        ),
        Column(
            "hub_id",
            "text",
            N_(
                "Hub the producer brings food to (see hubs): its offers may then reach the "
                "hub's canteens through the hub; empty for none. Without a hubs table, "
                "information only."
            ),
            required=False,
            nullable=True,
        ),
    ),
    key=("producer_id",),
    foreign={"hub_id": "hubs"},
)

OFFERS = Table(
    "offers",
    "What each producer can sell, week by week. One row per producer × product × week.",
    (
        Column("producer_id", "id", N_("Producer (see producers).")),
        Column("product_id", "id", N_("Product (see products).")),
        Column("week", "week", N_("ISO week, e.g. 2026-W03.")),
        Column("qty", "float", N_("Quantity available that week."), unit="product unit", minimum=0),
        Column(
            "price_eur_ht",
            "float",
            N_("Price delivered to the canteen."),
            unit="EUR HT/unit",
            minimum=0.0,
        ),
        Column(
            "labels",
            "labels",
            N_("EGalim characteristics, ma cantine codes, comma-separated; empty for none."),
            nullable=True,
            choices=LABELS,
        ),
        Column(
            "min_lot_qty",
            "float",
            N_("Smallest quantity sold to one canteen in that week; empty or 0 for none."),
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
        Column("canteen_id", "id", N_("Canteen (see canteens).")),
        Column(
            "product_id",
            "id",
            N_("Product (see products), or a group of substitutable products (see groups)."),
        ),
        Column("week", "week", N_("ISO week, e.g. 2026-W03.")),
        Column(
            "qty",
            "float",
            N_("Quantity needed that week (a group's: in its unit of account)."),
            unit="product unit",
            minimum=0,
        ),
    ),
    key=("canteen_id", "product_id", "week"),
    foreign={"canteen_id": "canteens", "product_id": "products|groups"},
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

GROUPS = Table(
    "groups",
    "Optional. Groups of substitutable products (a menu's choice: *a seasonal vegetable*, *a "
    "vegetarian main*): a demand row naming a `group_id` is served by any mix of its products "
    "that the optimiser chooses, canteen by canteen and week by week, within each product's "
    "share and weeks. The demand row's quantity is in the group's unit of account (kg served, "
    "portions...); each product's `conversion` turns one unit of account into product units. "
    "One row per group × product; a group id must not be a product id.",
    (
        Column("group_id", "id", N_("Group of substitutable products, named in demand.")),
        Column("product_id", "id", N_("Product of the group (see products).")),
        Column(
            "conversion",
            "float",
            N_("Product units serving one unit of the group's account; empty for 1."),
            unit="product unit/group unit",
            required=False,
            nullable=True,
            positive=True,
        ),
        Column(
            "max_share",
            "float",
            N_("Largest share of a demand row this product may serve (variety); empty for 1."),
            unit="fraction",
            required=False,
            nullable=True,
            minimum=0.0,
            maximum=1.0,
        ),
        Column(
            "first_week",
            "week",
            N_("First ISO week the product may be served (inclusive); empty for any."),
            required=False,
            nullable=True,
        ),
        Column(
            "last_week",
            "week",
            N_("Last ISO week the product may be served (inclusive); empty for any."),
            required=False,
            nullable=True,
        ),
    ),
    key=("group_id", "product_id"),
    foreign={"product_id": "products"},
    optional=True,
)


def _optional_float(
    name: str, doc: str, unit: str, maximum: float | None = None, positive: bool = False
) -> Column:
    return Column(
        name,
        "float",
        doc,
        unit=unit,
        required=False,
        nullable=True,
        minimum=None if positive else 0.0,
        maximum=maximum,
        positive=positive,
    )


HUBS = Table(
    "hubs",
    "Optional. Logistics hubs (a Marché d'Intérêt Local, a shared delivery service): member "
    "producers (their `hub_id`) bring food to the hub, one drop per producer and week, and the "
    "hub delivers the canteens within its radius on its delivery days. One row per hub.",
    (
        Column("hub_id", "id", N_("Unique hub identifier.")),
        Column("name", "text", N_("Hub name.")),
        Column(
            "latitude", "float", N_("Latitude (WGS84)."), unit="degrees", minimum=-90, maximum=90
        ),
        Column(
            "longitude",
            "float",
            N_("Longitude (WGS84)."),
            unit="degrees",
            minimum=-180,
            maximum=180,
        ),
        Column(
            "capacity_kg_per_week",
            "float",
            N_("Weight the hub can handle in one week (in = out)."),
            unit="kg/week",
            minimum=0.0,
        ),
        _optional_float(
            "fee_eur_per_kg",
            N_("Fee the hub adds to the price, per kg delivered; empty for 0."),
            "EUR HT/kg",
        ),
        _optional_float(
            "fee_share",
            N_("Fee the hub adds to the price, as a share of the offer's value; empty for 0."),
            "fraction",
            maximum=1.0,
        ),
        Column(
            "vehicles",
            "int",
            N_("Delivery vehicles of the hub; empty for no fleet limit."),
            unit="vehicles",
            required=False,
            nullable=True,
            minimum=0,
        ),
        _optional_float(
            "payload_kg",
            N_(
                "Payload of one vehicle; empty for no fleet limit (the delivery tours then load "
                "the producers' van, logistics.producer_payload_kg)."
            ),
            "kg",
            positive=True,
        ),
        _optional_float(
            "cost_eur_per_km",
            N_(
                "Vehicle cost per km driven (for the delivery tours); empty for the producers' "
                "van's, logistics.producer_cost_eur_per_km."
            ),
            "EUR/km",
        ),
        _optional_float(
            "cost_eur_per_hour",
            N_(
                "Driver's cost per hour (for the delivery tours); empty for the producers' "
                "van's, logistics.producer_cost_eur_per_hour."
            ),
            "EUR/h",
        ),
        Column(
            "delivery_days",
            "days",
            N_(
                "ISO weekdays the hub delivers, 1 (Monday) to 7, separated by ';' (lun, mar, "
                "mon, tue... accepted); empty for Monday to Friday."
            ),
            required=False,
            nullable=True,
        ),
        _optional_float(
            "min_drop_kg",
            N_("Smallest weight the hub delivers to one canteen in one week; empty for none."),
            "kg",
        ),
        Column(
            "radius_km",
            "float",
            N_("Farthest canteen the hub delivers (straight line)."),
            unit="km",
            minimum=0.0,
        ),
    ),
    key=("hub_id",),
    optional=True,
)

PLACES = "producers|hubs|canteens"
DISTANCES = Table(
    "distances",
    "Optional. Road distances between places (producers, hubs, canteens), for the delivery "
    "tours: where a pair is given its km (and minutes, when given) replace the straight line "
    "times the road factor (and the km at the vehicles' speed). A pair given one way serves "
    "both ways unless the other way is given too. One row per pair. A row from a place to "
    "itself, or whose km are less than half the straight line between its places or more "
    "than four times it, gets a warning (a slip: metres or miles, another pair).",
    (
        Column("from_id", "id", N_("Place the road starts from: a producer, hub or canteen id.")),
        Column("to_id", "id", N_("Place the road leads to: a producer, hub or canteen id.")),
        Column("km", "float", N_("Road distance."), unit="km", minimum=0.0),
        _optional_float(
            "minutes", N_("Driving time; empty for the km at the vehicles' speed."), "min"
        ),
    ),
    key=("from_id", "to_id"),
    foreign={"from_id": PLACES, "to_id": PLACES},
    optional=True,
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (PRODUCTS, CANTEENS, PRODUCERS, OFFERS, DEMAND, MARKET, GROUPS, HUBS, DISTANCES)
}
