"""From menus to demand: a menu cycle, portions and meals served → weekly product demand.

A ``MenuPlan`` is a cycle of menu weeks; each week a tuple of service days; each day a
tuple of ``Component`` (starter, main, side, dairy, dessert, bread). A component names one
product, or several: a **choice group** ("seasonal cooked vegetable: carrot | leek | squash |
cabbage").

Portions are kg of product per meal by component role and age group (``primary``,
``secondary``, ``adult``); the defaults are mid-points of the GEMRCN orders of magnitude
(``docs`` of the domain: cooked vegetables 100–150 g / 150–200 g, meat 50–70 g / 90–100 g,
fish 70–100 g / 100–120 g, yogurt 125 g, fruit 100–150 g, raw vegetable starter 60–80 g /
80–100 g, starchy side 120–170 g / 170–250 g) and can be overridden per role or per product.

Demand of canteen ``c`` for product ``k`` in week ``w``, in the product's unit:

    D_ckw = Σ_{days served} Σ_{components resolved to k} Σ_age meals_{c,age} × portion_kg
            / kg_per_unit_k

**Choice groups are resolved greedily, before and outside the optimiser**: for each canteen,
week and occurrence, the option with the most local supply within the canteen's reach that
week (kg offered by producers whose delivery radius covers the canteen and who have capacity
and drops), ties broken by the lower reference price per kg, then by the order of the options;
an option already chosen for the same group that week comes after every other option with
local supply (variety). Competition between canteens for the same supply is ignored. The
resolution is returned as a table so that it can be checked and overridden.

The EGalim weekly vegetarian menu is enforced on the plan: every menu week must have a day
whose main is a ``vegetarian_protein`` component (eggs, pulses, cheese) and no meat or fish.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import OptionError, Problem, ScenarioError
from ..geo import haversine_km
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..i18n import ngettext, quoted
from ..inputs.fixes import ROLE_ALIASES, did_you_mean, fix_code, role_name
from ..inputs.scenario import Scenario
from ..weeks import week_list_problems

AGE_GROUPS = ("primary", "secondary", "adult")

#: kg of product per meal, by component role and age group (GEMRCN mid-points; raw weight for
#: vegetables and fruit, cooked weight for the starchy side, dry weight for pulses).
DEFAULT_PORTIONS_KG: dict[str, dict[str, float]] = {
    "raw_vegetable_starter": {"primary": 0.070, "secondary": 0.090, "adult": 0.090},
    "cooked_vegetable": {"primary": 0.125, "secondary": 0.175, "adult": 0.175},
    "starchy": {"primary": 0.145, "secondary": 0.210, "adult": 0.210},
    "meat": {"primary": 0.060, "secondary": 0.095, "adult": 0.095},
    "fish": {"primary": 0.085, "secondary": 0.110, "adult": 0.110},
    "vegetarian_protein": {"primary": 0.100, "secondary": 0.120, "adult": 0.120},
    "dairy": {"primary": 0.125, "secondary": 0.125, "adult": 0.125},
    "cheese": {"primary": 0.020, "secondary": 0.030, "adult": 0.030},
    "fruit": {"primary": 0.125, "secondary": 0.150, "adult": 0.150},
    "bread": {"primary": 0.040, "secondary": 0.060, "adult": 0.060},
}
#: Per-product overrides (kg per meal): dry pulses weigh ~40 % of the cooked portion.
DEFAULT_PRODUCT_PORTIONS_KG: dict[str, dict[str, float]] = {
    "lentils": {"primary": 0.060, "secondary": 0.080, "adult": 0.080},
    "split_peas": {"primary": 0.060, "secondary": 0.080, "adult": 0.080},
}
MAIN_ROLES = ("meat", "fish", "vegetarian_protein")

#: ma cantine sector → age group for ``services_from_scenario``.
SECTOR_AGE_GROUP = {
    "education_primaire": "primary",
    "education_secondaire_college": "secondary",
    "education_secondaire_lycee": "secondary",
}


@dataclass(frozen=True)
class Component:
    """One dish of a meal: a role (key of the portions) and one product or a choice group.

    Attributes
    ----------
    role : str
        Key of ``MenuPlan.portions_kg`` (``"meat"``, ``"fruit"``…).
    options : tuple of str
        Product ids; more than one makes a choice group.
    label : str
        Name shown for the component, in English and marked for the catalogues (``N_``):
        translated where shown (``name``); ``""`` for its options joined by ``" | "``.
    """

    role: str
    options: tuple[str, ...]
    label: str = ""

    @property
    def is_choice(self) -> bool:
        """Whether the component is a choice group (more than one option)."""
        return len(self.options) > 1

    @property
    def name(self) -> str:
        """The label in the active language, else the options joined by ``" | "``."""
        return _(self.label) if self.label else " | ".join(self.options)


Day = tuple[Component, ...]
MenuWeek = tuple[Day, ...]


@dataclass(frozen=True)
class MenuPlan:
    """A cycle of menu weeks and the portions (kg/meal by role, then by product, by age group).

    Attributes
    ----------
    cycle : tuple of MenuWeek
        Menu weeks, each a tuple of days, each a tuple of ``Component``.
    portions_kg : Mapping of str to Mapping of str to float
        Role → age group (``primary``, ``secondary``, ``adult``) → kg per meal.
    product_portions_kg : Mapping of str to Mapping of str to float
        Product id → age group → kg per meal, overriding the role's portion.

    Raises
    ------
    ValueError
        When the cycle is empty, a week has no vegetarian day (a meal without meat or fish),
        a role has no portion, or a component has no option.

    References
    ----------
    Code rural et de la pêche maritime, art. L230-5-6: a vegetarian menu at least once a
    week in school catering (EGalim law, made permanent by loi n° 2021-1104 du 22 août 2021).
    """

    cycle: tuple[MenuWeek, ...]
    portions_kg: Mapping[str, Mapping[str, float]] = field(
        default_factory=lambda: dict(DEFAULT_PORTIONS_KG)
    )
    product_portions_kg: Mapping[str, Mapping[str, float]] = field(
        default_factory=lambda: dict(DEFAULT_PRODUCT_PORTIONS_KG)
    )

    def __post_init__(self) -> None:
        if not self.cycle:
            raise ValueError("a menu plan needs at least one week")
        for i, week in enumerate(self.cycle):
            if not any(_vegetarian(day) for day in week):
                raise ValueError(
                    f"menu week {i + 1} has no vegetarian day, one without meat or fish "
                    "(EGalim, weekly)"
                )
            for day in week:
                for comp in day:
                    if not comp.options:
                        raise ValueError(f"component {comp.role!r} has no product")
                    if comp.role not in self.portions_kg:
                        raise ValueError(f"no portion for role {comp.role!r}")

    def portion_kg(self, role: str, product_id: str, age: str) -> float:
        """kg of ``product_id`` per meal for ``age`` when served as ``role``.

        Parameters
        ----------
        role
            The component's role.
        product_id
            The product served.
        age
            Age group: ``primary``, ``secondary`` or ``adult``.

        Returns
        -------
        float
            kg per meal: the product's own portion when given, else the role's.
        """
        by_product = self.product_portions_kg.get(product_id)
        if by_product is not None and age in by_product:
            return float(by_product[age])
        return float(self.portions_kg[role][age])


def _vegetarian(day: Day) -> bool:
    """A vegetarian day: a meal without meat or fish (its protein from eggs, pulses or dairy;
    in a territory's own menu the vegetarian main may be bought outside the territory)."""
    roles = {c.role for c in day}
    return bool(roles) and not roles & {"meat", "fish"}


@dataclass(frozen=True)
class CanteenService:
    """Meals one canteen serves: per service day by age group, over ISO weeks.

    ``days_per_week``: the first days of each menu week served (``None``: all of them).
    """

    canteen_id: str
    meals_per_day: Mapping[str, float]
    weeks: tuple[str, ...]
    days_per_week: int | None = None


def canteens_given_twice(canteen_ids: Sequence[str]) -> list[str]:
    """Each canteen id asked for more than once, said.

    Parameters
    ----------
    canteen_ids
        Canteen ids as asked for, spaces stripped.

    Returns
    -------
    list of str
        One sentence per id given twice or more, in the active language.
    """
    twice = sorted({c for c in canteen_ids if list(canteen_ids).count(c) > 1})
    return [_("canteen {canteen} is given more than once").format(canteen=repr(c)) for c in twice]


def services_from_scenario(
    scenario: Scenario,
    weeks: Iterable[str] | None = None,
    canteen_ids: Iterable[str] | None = None,
) -> list[CanteenService]:
    """One service per canteen from its ``meals_per_day`` and sector (primary schools →
    ``primary``, collèges and lycées → ``secondary``, others → ``adult``).

    Parameters
    ----------
    scenario
        The territory (``canteens`` with ``meals_per_day`` and ``sector``).
    weeks
        The ISO weeks (``2026-W03``) served by every canteen; ``None``: each canteen's own
        service weeks, those of its rows in ``scenario.demand`` (a school's demand has no
        summer holidays). A week outside the scenario's (those of its demand and offers)
        gives a warning: the scenario has no supply then.
    canteen_ids
        The canteens to serve; ``None`` for all.

    Returns
    -------
    list of CanteenService
        One per canteen, in the order of ``canteens``.

    Raises
    ------
    ScenarioError
        Naming every canteen id that is not in ``canteens``.
    OptionError
        Naming every week that is not an ISO week (``2026-W03``, a week the year has) or is
        given twice, or a canteen given twice.
    """
    if weeks is not None:
        weeks = [str(w).strip() for w in weeks]
        wrong = week_list_problems(weeks)
        if wrong:
            raise OptionError(wrong)
        known = set(scenario.demand["week"].astype(str)) | set(scenario.offers["week"].astype(str))
        outside = [w for w in weeks if w not in known]
        if outside:
            warnings.warn(
                ngettext(
                    "week {weeks} is outside the scenario's weeks: no local supply is known for it",
                    "weeks {weeks} are outside the scenario's weeks: no local supply is known "
                    "for them",
                    len(outside),
                ).format(weeks=", ".join(outside[:10])),
                stacklevel=2,
            )
    can = scenario.canteens
    if canteen_ids is not None:
        wanted = [str(c).strip() for c in canteen_ids]
        twice = canteens_given_twice(wanted)
        if twice:
            raise OptionError(twice)
        known = set(can["canteen_id"].astype(str))
        unknown = [c for c in wanted if c not in known]
        if unknown:
            raise ScenarioError(
                [
                    Problem(
                        "canteens", None, "canteen_id", _("no canteen_id {id}").format(id=repr(c))
                    )
                    for c in unknown
                ]
            )
        can = can[can["canteen_id"].isin(wanted)]
    if weeks is None:
        served = scenario.demand.groupby("canteen_id")["week"].unique()
        own = {str(c): tuple(sorted(w)) for c, w in served.items()}
    common = None if weeks is None else tuple(weeks)
    out = []
    for cid, sector, meals in zip(
        can["canteen_id"], can["sector"], can["meals_per_day"], strict=True
    ):
        age = SECTOR_AGE_GROUP.get(str(sector), "adult")
        n = 0.0 if pd.isna(meals) else float(meals)
        served_weeks = common if common is not None else own.get(str(cid), ())
        out.append(CanteenService(str(cid), {age: n}, served_weeks))
    return out


#: How ``menu_demand`` treats choice groups: left to the optimiser, or resolved greedily.
CHOICE_MODES = ("optimiser", "greedy")


@dataclass(frozen=True)
class MenuDemand:
    """``demand``: canteen_id, product_id, week, qty — the ``demand`` table format (product
    unit; portions for a row naming a group); ``choices``: how each choice group was resolved
    greedily (canteen_id, week, day, component, options, product_id, local_supply_kg; empty
    when the optimiser chooses); ``groups``: the ``groups`` table of the choice groups left to
    the optimiser (empty for the greedy pre-choice)."""

    demand: pd.DataFrame
    choices: pd.DataFrame
    groups: pd.DataFrame = field(default_factory=pd.DataFrame)


def local_supply_kg(scenario: Scenario, canteen_id: str) -> pd.Series:
    """kg offered per (product_id, week) by producers whose delivery radius covers the canteen
    and who have capacity and drops.

    Parameters
    ----------
    scenario
        The territory.
    canteen_id
        A canteen of ``scenario.canteens``.

    Returns
    -------
    pandas.Series
        kg, indexed by ``product_id`` × ISO ``week``; pairs without such offers are absent.
    """
    can = scenario.canteens
    at = can.loc[can["canteen_id"] == canteen_id].iloc[0]
    lat, lon = float(at["lat"]), float(at["lon"])
    prod = scenario.producers
    dist = haversine_km(
        prod["lat"].to_numpy(float),
        prod["lon"].to_numpy(float),
        lat,
        lon,
    )
    ok = (
        (dist <= prod["delivery_radius_km"].to_numpy(float))
        & (prod["delivery_capacity_kg_per_week"].to_numpy(float) > 0)
        & (prod["max_drops_per_week"].to_numpy(float) > 0)
    )
    reach = set(prod["producer_id"].to_numpy()[ok])
    offers = scenario.offers[scenario.offers["producer_id"].isin(reach)]
    kg = scenario.products.set_index("product_id")["kg_per_unit"]
    qty_kg = offers["qty"].to_numpy(float) * kg.reindex(offers["product_id"]).to_numpy(float)
    frame = offers[["product_id", "week"]].assign(kg=qty_kg)
    supply: pd.Series = frame.groupby(["product_id", "week"])["kg"].sum()
    return supply


def menu_demand(
    plan: MenuPlan,
    services: Sequence[CanteenService],
    scenario: Scenario,
    choice: str = "optimiser",
    max_share: float | None = None,
) -> MenuDemand:
    """Weekly demand of ``services`` eating ``plan`` (see the module docstring).

    Week ``i`` of a service (in the order given) uses menu week ``i mod len(cycle)``. Products
    must exist in ``scenario.products``. With ``choice="optimiser"`` (the default) each choice
    group is a demand row naming a group of substitutable products, in portions (one group
    per component and age group, ``choice_groups``), whose mix the optimiser chooses; with
    ``"greedy"`` each is resolved before the optimiser runs (the baseline), from the
    scenario's offers and producers.

    Parameters
    ----------
    plan
        The menu cycle and portions.
    services
        The canteens served, with their meals per day and ISO weeks.
    scenario
        The territory whose products, offers and producers are used.
    choice
        ``"optimiser"`` or ``"greedy"`` (``CHOICE_MODES``).
    max_share
        With ``"optimiser"``: the largest share of a group's weekly portions one product may
        serve (variety), at least one over the group's size; ``None`` for no bound.

    Returns
    -------
    MenuDemand
        ``demand``: one row per ``canteen_id`` × ``product_id`` (a product, or a group) × ISO
        ``week``, ``qty`` in the product's unit (a group's: portions) rounded to 1e-3, sorted
        by canteen, week, product (the ``demand`` table's format); ``choices``: how each
        choice group was resolved greedily; ``groups``: the ``groups`` table.

    Raises
    ------
    ValueError
        When the plan names a product that ``scenario.products`` does not have, or
        ``choice`` is not one of ``CHOICE_MODES``.
    """
    if choice not in CHOICE_MODES:
        raise ValueError(f"choice must be one of {CHOICE_MODES}, not {choice!r}")
    products = scenario.products.set_index("product_id")
    unknown = {
        k
        for week in plan.cycle
        for day in week
        for comp in day
        for k in comp.options
        if k not in products.index
    }
    if unknown:
        raise ValueError(f"unknown products in the menu plan: {sorted(unknown)}")
    ref_per_kg = products["reference_price_eur_ht"] / products["kg_per_unit"]
    kg_per_unit = products["kg_per_unit"]
    lines: list[tuple[str, str, str, float]] = []
    choices: list[tuple[str, str, int, str, str, str, float]] = []
    groups = choice_groups(plan, kg_per_unit, max_share)
    group_of = dict(
        zip(zip(groups["component"], groups["age"], strict=True), groups["group_id"], strict=True)
    )
    for service in services:
        if choice == "optimiser":
            lines += _group_lines(plan, service, group_of, kg_per_unit)
            continue
        supply = local_supply_kg(scenario, service.canteen_id)
        for i, week in enumerate(service.weeks):
            menu = plan.cycle[i % len(plan.cycle)]
            days = menu if service.days_per_week is None else menu[: service.days_per_week]
            used: dict[tuple[str, ...], set[str]] = {}
            for d, day in enumerate(days):
                for comp in day:
                    seen = used.setdefault(comp.options, set())
                    product, available = _resolve(comp, week, supply, ref_per_kg, seen)
                    seen.add(product)
                    if comp.is_choice:
                        choices.append(
                            (
                                service.canteen_id,
                                week,
                                d + 1,
                                comp.name,
                                " | ".join(comp.options),
                                product,
                                available,
                            )
                        )
                    kg = sum(
                        meals * plan.portion_kg(comp.role, product, age)
                        for age, meals in service.meals_per_day.items()
                    )
                    lines.append(
                        (service.canteen_id, product, week, kg / float(kg_per_unit[product]))
                    )
    demand = pd.DataFrame(lines, columns=["canteen_id", "product_id", "week", "qty"])
    demand = (
        demand.groupby(["canteen_id", "week", "product_id"], sort=True)["qty"].sum().reset_index()
    )
    demand["qty"] = demand["qty"].round(3)
    demand = demand[demand["qty"] > 0][["canteen_id", "product_id", "week", "qty"]]
    chosen = pd.DataFrame(
        choices,
        columns=[
            "canteen_id",
            "week",
            "day",
            "component",
            "options",
            "product_id",
            "local_supply_kg",
        ],
    )
    if choice == "greedy":
        groups = groups.iloc[:0]
    named = groups["group_id"].isin(set(demand["product_id"]))
    return MenuDemand(
        demand.reset_index(drop=True),
        chosen,
        groups[named][["group_id", "product_id", "conversion", "max_share"]].reset_index(drop=True),
    )


def _component_key(comp: Component) -> str:
    """A component as a group of the same role, options and name (days repeat it)."""
    return f"{comp.role}|{comp.name}|{'|'.join(comp.options)}"


def _group_lines(
    plan: MenuPlan,
    service: CanteenService,
    group_of: Mapping[tuple[str, str], str],
    kg_per_unit: pd.Series,
) -> list[tuple[str, str, str, float]]:
    """Demand lines of one service with each choice group left whole: (canteen, group or
    product, week, portions or product units)."""
    out: list[tuple[str, str, str, float]] = []
    for i, week in enumerate(service.weeks):
        menu = plan.cycle[i % len(plan.cycle)]
        days = menu if service.days_per_week is None else menu[: service.days_per_week]
        for comp in (c for day in days for c in day):
            for age, meals in service.meals_per_day.items():
                if comp.is_choice:
                    out.append(
                        (service.canteen_id, group_of[(_component_key(comp), age)], week, meals)
                    )
                else:
                    product = comp.options[0]
                    kg = meals * plan.portion_kg(comp.role, product, age)
                    out.append(
                        (service.canteen_id, product, week, kg / float(kg_per_unit[product]))
                    )
    return out


def choice_groups(
    plan: MenuPlan, kg_per_unit: pd.Series, max_share: float | None = None
) -> pd.DataFrame:
    """The ``groups`` table of a plan's choice groups: one group per component and age group,
    in portions (a product's ``conversion``: its portion in kg for that age over its kg per
    unit), so that a group's demand is its meals whatever the mix.

    Parameters
    ----------
    plan
        The menu cycle and portions.
    kg_per_unit
        kg per product unit, by ``product_id``.
    max_share
        The largest share of a group one product may serve, raised to one over the group's
        size; ``None`` for no bound.

    Returns
    -------
    pandas.DataFrame
        ``group_id`` (the component's name as an id, then ``.`` and the age group),
        ``product_id``, ``conversion`` (product unit per portion), ``max_share``, and the
        ``component`` key and ``age`` it came from.
    """
    rows: list[tuple[str, str, float, float, str, str]] = []
    ids: dict[str, str] = {}
    for comp in (c for week in plan.cycle for day in week for c in day if c.is_choice):
        key = _component_key(comp)
        if key in ids:
            continue
        base = re.sub(r"[^a-z0-9]+", "_", _normal(comp.name)).strip("_") or comp.role
        name, n = base, 1
        while name in ids.values():
            n += 1
            name = f"{base}_{n}"
        ids[key] = name
        share = np.nan if max_share is None else max(max_share, 1.0 / len(comp.options))
        for age in AGE_GROUPS:
            for product in comp.options:
                conversion = plan.portion_kg(comp.role, product, age) / float(kg_per_unit[product])
                rows.append((f"{name}.{age}", product, conversion, share, key, age))
    return pd.DataFrame(
        rows, columns=["group_id", "product_id", "conversion", "max_share", "component", "age"]
    )


def _resolve(
    comp: Component, week: str, supply: pd.Series, ref_per_kg: pd.Series, seen: set[str]
) -> tuple[str, float]:
    """(product, its local supply in kg that week) for a component; greedy for choice groups.

    Options already chosen for the same group this week come last while another option has
    local supply, so that a group served several times a week varies.
    """
    kg = [float(supply.get((k, week), 0.0)) for k in comp.options]
    if not comp.is_choice:
        return comp.options[0], kg[0]
    fresh = any(kg[j] > 0 and k not in seen for j, k in enumerate(comp.options))
    order = sorted(
        range(len(comp.options)),
        key=lambda j: (
            fresh and (kg[j] <= 0 or comp.options[j] in seen),
            -kg[j],
            float(ref_per_kg[comp.options[j]]),
            j,
        ),
    )
    best = order[0]
    return comp.options[best], kg[best]


def _c(role: str, *options: str, label: str = "") -> Component:
    return Component(role, tuple(options), label)


def default_primary_menu() -> MenuPlan:
    """A 4-week cycle of 4-day weeks (Monday, Tuesday, Thursday, Friday) for a primary school,
    with the catalogue's product ids (``rhd_match/data/catalogue.csv``).

    Choice groups: raw vegetable starter, seasonal cooked vegetable, fruit, dairy; one
    vegetarian main per week (eggs or pulses), fish once a week.

    Returns
    -------
    MenuPlan
        The cycle with the default portions (``DEFAULT_PORTIONS_KG``, kg per meal).
    """
    starter = _c(
        "raw_vegetable_starter",
        "tomato",
        "lettuce",
        "beetroot",
        "celeriac",
        "endive",
        "carrot",
        label=N_("raw vegetable starter"),
    )
    vegetable = _c(
        "cooked_vegetable",
        "carrot",
        "leek",
        "squash",
        "cabbage",
        "zucchini",
        "green_bean",
        "cauliflower",
        "spinach",
        "brussels_sprouts",
        label=N_("seasonal cooked vegetable"),
    )
    fruit = _c("fruit", "apple", "pear", "strawberry", "red_fruits", label=N_("seasonal fruit"))
    dairy = _c("dairy", "yogurt", "fromage_blanc", label=N_("dairy"))
    cheese = _c("cheese", "cheese", "maroilles", label=N_("cheese"))
    bread = _c("bread", "bread", label=N_("bread"))
    starchy = _c("starchy", "potato", label=N_("potatoes"))
    veggie = _c("vegetarian_protein", "eggs", "lentils", "split_peas", label=N_("vegetarian main"))
    poultry = _c("meat", "chicken_fillet", "chicken_thigh", label=N_("poultry"))
    red_meat = _c("meat", "minced_beef", "beef_stew", "pork", label=N_("meat"))
    fish = _c("fish", "fish_fillet", label=N_("fish"))

    def week(first: Component, second: Component) -> MenuWeek:
        return (
            (starter, first, vegetable, dairy, bread),
            (second, starchy, cheese, fruit, bread),
            (starter, veggie, vegetable, fruit, bread),
            (fish, starchy, vegetable, dairy, bread),
        )

    return MenuPlan(
        (
            week(poultry, red_meat),
            week(red_meat, poultry),
            week(poultry, red_meat),
            week(red_meat, poultry),
        )
    )


#: Menu roles of a product of a ma cantine family when it matches no catalogue product. The
#: fruit and vegetable family holds several roles (raw starter, cooked vegetable, starchy side,
#: fruit) and the others none on a school menu: their products need a catalogue match (id or
#: name, English or French) or a role given.
FAMILY_ROLES: dict[str, tuple[str, ...]] = {
    "VIANDES_VOLAILLES": ("meat",),
    "PRODUITS_DE_LA_MER": ("fish",),
    "PRODUITS_LAITIERS": ("dairy",),
    "BOULANGERIE": ("bread",),
}


@dataclass(frozen=True)
class TerritoryMenu:
    """A menu plan in a scenario's own product ids, and how each product was placed on it.

    ``plan``: the menu with each component's options replaced by the scenario's products;
    components without any are left out (that food is bought outside the scenario).
    ``products``: one row per scenario product — ``product_id``, ``catalogue_id`` (the
    catalogue product it matched, or ``""``), ``matched_by`` (``id``, ``name``, ``family``,
    ``given`` or ``""``), ``roles`` (comma-separated roles it takes on the menu; ``""``: not on
    the menu). ``missing``: names of the plan's components with no product in the scenario.
    """

    plan: MenuPlan
    products: pd.DataFrame
    missing: tuple[str, ...]


def _normal(text: str) -> str:
    """Text as compared when matching names: lower case, no accents, no plural s or x."""
    text = unicodedata.normalize("NFKD", str(text).replace("œ", "oe").replace("Œ", "Oe"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    words = re.findall(r"[a-z0-9]+", text)
    return " ".join(w[:-1] if len(w) > 3 and w[-1] in "sx" else w for w in words)


def catalogue_names() -> dict[str, str]:
    """Normalised id, English name and French names (``names_fr``) → catalogue product id.

    Returns
    -------
    dict of str to str
        Each name lower-cased, without accents or plural s or x → ``product_id``; the first
        product to claim a name keeps it.
    """
    from ..generate.products import load_catalogue

    out: dict[str, str] = {}
    for pid, name, french in load_catalogue()[["product_id", "name", "names_fr"]].itertuples(
        index=False
    ):
        for text in [pid, name, *str(french).split("|")]:
            out.setdefault(_normal(text), str(pid))
    return out


def territory_menu(
    scenario: Scenario, plan: MenuPlan | None = None, roles: Mapping[str, str] | None = None
) -> TerritoryMenu:
    """Put a menu written with catalogue product ids (default ``default_primary_menu``)
    in the scenario's own product ids.

    A scenario product takes the place of a catalogue product when its id or its name equals
    the catalogue product's id, English name or one of its French names (compared without
    case, accents or plural s); otherwise it takes the roles of its family
    (``FAMILY_ROLES``: meat, fish, dairy, bread) and joins every component of that role;
    ``roles`` (product id → role, a key of ``plan.portions_kg``) overrides both. Other
    products are not on the menu. Portions given per catalogue product apply to the products
    that took its place.

    Parameters
    ----------
    scenario
        The territory whose products go on the menu.
    plan
        A menu in catalogue product ids; ``None`` for ``default_primary_menu()``.
    roles
        Product id → role (a key of ``plan.portions_kg``), overriding the matching.

    Returns
    -------
    TerritoryMenu
        The menu in the scenario's product ids, how each product was placed, and the
        components left without a product.

    Raises
    ------
    OptionError
        When ``roles`` names a product the scenario does not have or an unknown role.
    ScenarioError
        When no product of the scenario is on the menu (the message lists the roles to give).
    """
    plan = plan or default_primary_menu()
    # A role as people write it: Meat, viande, féculent (case, accents, French names).
    given = {
        pid: fix_code(role, plan.portions_kg, ROLE_ALIASES) or role
        for pid, role in (roles or {}).items()
    }
    products = scenario.products
    known = set(products["product_id"].astype(str))
    wrong = [
        _("roles: no product_id {id} in the scenario's products").format(id=quoted(pid))
        + did_you_mean(pid, sorted(known))
        for pid in given
        if pid not in known
    ]
    wrong += [
        _("roles: {id}: unknown menu role {role} (roles: {roles})").format(
            id=quoted(pid),
            role=quoted(role),
            roles=", ".join(map(role_name, plan.portions_kg)),
        )
        + did_you_mean(role, [role_name(r) for r in plan.portions_kg])
        for pid, role in given.items()
        if role not in plan.portions_kg
    ]
    if wrong:
        raise OptionError(wrong)
    names = catalogue_names()
    plan_roles: dict[str, list[str]] = {}
    for comp in (c for week in plan.cycle for day in week for c in day):
        for option in comp.options:
            plan_roles.setdefault(option, [])
            if comp.role not in plan_roles[option]:
                plan_roles[option].append(comp.role)
    by_catalogue: dict[str, list[str]] = {}
    by_role: dict[str, list[str]] = {}
    rows = []
    for pid, name, family in products[["product_id", "name", "family"]].itertuples(index=False):
        matched = names.get(_normal(pid)), names.get(_normal(name))
        catalogue, how = next(
            ((c, h) for c, h in zip(matched, ("id", "name"), strict=True) if c), ("", "")
        )
        if pid in given:
            taken, how = [given[pid]], "given"
        elif catalogue:
            taken = plan_roles.get(catalogue, [])
            by_catalogue.setdefault(catalogue, []).append(pid)
        else:
            taken = list(FAMILY_ROLES.get(str(family), ()))
            how = "family" if taken else ""
        if how in ("given", "family"):
            for role in taken:
                by_role.setdefault(role, []).append(pid)
        rows.append((pid, catalogue, how, ",".join(taken)))
    table = pd.DataFrame(rows, columns=["product_id", "catalogue_id", "matched_by", "roles"])

    missing: list[str] = []

    def place(comp: Component) -> Component | None:
        options = [p for k in comp.options for p in by_catalogue.get(k, [])]
        options += by_role.get(comp.role, [])
        if not options:
            if comp.name not in missing:
                missing.append(comp.name)
            return None
        return Component(comp.role, tuple(dict.fromkeys(options)), comp.label)

    cycle = tuple(
        tuple(tuple(c for c in map(place, day) if c is not None) for day in week)
        for week in plan.cycle
    )
    if not any(day for week in cycle for day in week):
        unplaced = table.loc[table["roles"] == "", "product_id"].tolist()
        raise ScenarioError(
            [
                Problem(
                    "products",
                    None,
                    "product_id",
                    _(
                        "no product is on the menu: give each product its role ({roles}), e.g. "
                        "--role {product}=cooked_vegetable"
                    ).format(roles=", ".join(plan.portions_kg), product=pid),
                )
                for pid in unplaced[:1]
            ]
            or [Problem("products", None, None, _("the scenario has no product"))]
        )
    portions = {
        pid: by_age
        for k, by_age in plan.product_portions_kg.items()
        for pid in by_catalogue.get(k, [k] if k in set(products["product_id"]) else [])
    }
    placed = MenuPlan(cycle, plan.portions_kg, portions)
    return TerritoryMenu(placed, table, tuple(missing))
