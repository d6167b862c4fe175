"""A flexible menu plan from a fixed demand: the same meals and portions, with the menu's
substitution groups left to the optimiser; and the greedy pre-choice of the same groups.

Each product of the scenario that a choice group of the menu holds (``territory_menu``: the
catalogue's groups, *seasonal cooked vegetable*, *seasonal fruit*, *dairy*, *meat*…) takes the
first such group in the menu's order; a canteen's weekly demand for the products of a group
becomes one demand row naming the group, in **portions**: Σ_k qty_k × kg_per_unit_k /
portion_k, with product k's catalogue portion for the canteen's age group
(``portion_kg_primary`` for primary schools, ``portion_kg_secondary`` otherwise; the
catalogue's portions are those the demand was made with, ``rhd_match.generate.canteens``).
Every product of the group may then serve it, one portion for one portion. Products in no
group keep their rows.

The greedy pre-choice (``greedy_resolution``) serves each such row with one product: the one
with the most local supply in the canteen's reach that week, ties to the lower reference
price per kg, as ``menus`` resolves choice groups without the optimiser.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..inputs.groups import group_options
from ..inputs.scenario import Scenario
from .menus import SECTOR_AGE_GROUP, choice_groups, local_supply_kg, territory_menu


def catalogue_portions(scenario: Scenario) -> pd.DataFrame:
    """kg per portion of each scenario product by age group, from the catalogue.

    Parameters
    ----------
    scenario
        The territory; its products matched to the catalogue by id or name.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``product_id``: ``primary`` and ``secondary`` (kg per portion; NaN for a
        product the catalogue does not have).
    """
    from ..generate.products import load_catalogue

    catalogue = load_catalogue().set_index("product_id")
    matched = territory_menu(scenario).products.set_index("product_id")["catalogue_id"]
    at = matched.replace("", np.nan)
    return pd.DataFrame(
        {
            "primary": catalogue["portion_kg_primary"].reindex(at).to_numpy(float),
            "secondary": catalogue["portion_kg_secondary"].reindex(at).to_numpy(float),
        },
        index=matched.index,
    )


def flexible_scenario(scenario: Scenario, max_share: float | None = None) -> Scenario:
    """``scenario`` with its demand for the menu's choice groups in portions, each group's
    mix left to the optimiser (see the module docstring).

    Parameters
    ----------
    scenario
        A territory with plain demand rows.
    max_share
        The largest share of a group's weekly portions one product may serve; ``None`` for
        no bound.

    Returns
    -------
    Scenario
        The same tables, its ``groups`` table (``group_id`` as ``choice_groups``: the
        group's name, ``.``, the age group) and its demand rows for grouped products
        replaced by one row per canteen × group × week (portions), validated.
    """
    menu = territory_menu(scenario)
    kg = scenario.products.set_index("product_id")["kg_per_unit"].astype(float)
    portions = catalogue_portions(scenario)
    groups = choice_groups(menu.plan, kg, max_share)
    ages = ("primary", "secondary")
    groups = groups[groups["age"].isin(ages) & groups["product_id"].isin(portions.index)]
    portion = pd.Series(portions.stack(), name="portion").rename_axis(["product_id", "age"])
    groups = groups.join(portion, on=["product_id", "age"])
    groups = groups[groups["portion"].notna()]
    # One portion of any product for one portion of another: the catalogue's portions.
    groups = groups.assign(
        conversion=groups["portion"] / kg.reindex(groups["product_id"]).to_numpy()
    )
    first = groups.drop_duplicates(["product_id", "age"])  # a product's first group

    can = scenario.canteens
    sector_age = can["sector"].map(SECTOR_AGE_GROUP).to_numpy(dtype=object)
    age = pd.Series(
        np.where(sector_age == "primary", "primary", "secondary"), index=can["canteen_id"]
    )
    dem = scenario.demand.assign(age=scenario.demand["canteen_id"].map(age).to_numpy())
    dem = dem.merge(
        first[["product_id", "age", "group_id", "conversion"]], on=["product_id", "age"], how="left"
    )
    grouped = dem["group_id"].notna().to_numpy()
    lines = (
        dem[grouped]
        .assign(qty=dem["qty"][grouped] / dem["conversion"][grouped])
        .groupby(["canteen_id", "group_id", "week"], sort=False)["qty"]
        .sum()
        .reset_index()
        .rename(columns={"group_id": "product_id"})
    )
    demand = pd.concat(
        [dem[~grouped][["canteen_id", "product_id", "week", "qty"]], lines], ignore_index=True
    )
    used = groups[groups["group_id"].isin(set(lines["product_id"]))]
    table = used[["group_id", "product_id", "conversion", "max_share"]].reset_index(drop=True)
    frames = {n: f for n, f in scenario.tables.items() if n not in ("demand", "groups")}
    return Scenario.from_frames(
        **frames, demand=demand, groups=table, parameters=scenario.parameters
    )


def greedy_resolution(scenario: Scenario) -> Scenario:
    """``scenario`` with each demand row naming a group served by one product, chosen before
    the optimiser: the most local supply in the canteen's reach that week (kg offered by
    producers whose radius covers it, ``local_supply_kg``), then the lower reference price
    per kg, then the group's order.

    Parameters
    ----------
    scenario
        A territory whose demand names groups.

    Returns
    -------
    Scenario
        Plain demand rows only (product unit), no group: the baseline the optimiser's
        choice is measured against.
    """
    options = group_options(scenario.demand, scenario.groups)
    products = scenario.products.set_index("product_id")
    ref_per_kg = products["reference_price_eur_ht"] / products["kg_per_unit"]
    supply = pd.concat(
        {cid: local_supply_kg(scenario, cid) for cid in options["canteen_id"].unique()},
        names=["canteen_id"],
    )
    at = pd.MultiIndex.from_frame(options[["canteen_id", "product_id", "week"]])
    ranked = options.assign(
        supply=supply.reindex(at).fillna(0.0).to_numpy(),
        price=ref_per_kg.reindex(options["product_id"]).to_numpy(float),
        order=np.arange(len(options)),
    ).sort_values(["row", "supply", "price", "order"], ascending=[True, False, True, True])
    chosen = ranked.drop_duplicates("row")
    lines = pd.DataFrame(
        {
            "canteen_id": chosen["canteen_id"].to_numpy(),
            "product_id": chosen["product_id"].to_numpy(),
            "week": chosen["week"].to_numpy(),
            "qty": (chosen["qty"] * chosen["conversion"]).to_numpy(),
        }
    )
    plain = scenario.demand[~scenario.demand["product_id"].isin(set(scenario.groups["group_id"]))]
    both = pd.concat([plain, lines], ignore_index=True)
    qty = both.groupby(["canteen_id", "product_id", "week"], sort=False)["qty"].sum()
    return scenario.with_demand(qty.reset_index())
