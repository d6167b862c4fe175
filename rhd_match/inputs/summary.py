"""A readable text summary of a scenario (``rhd-match demo``).

``describe`` reports the canteens, producers and products, the demand and the local supply
(kg and EUR HT at reference price) by family and by quarter, how much of the demand some
producer could deliver, and the EGalim shares of the *current* purchases: everything bought
from the conventional supplier at the reference price, without any label.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

from ..console import text_table
from ..egalim import FAMILIES, egalim_accounting
from ..geo import haversine_km
from ..i18n import format_number, format_range, format_share, ngettext
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..weeks import week_month
from .scenario import Scenario

TARGETS = (
    # (share column of egalim_accounting, per-canteen override column, Targets field, label)
    ("share_quality", "target_quality", "quality", N_("quality and sustainable")),
    ("share_organic", "target_organic", "organic", N_("organic")),
    ("share_meat_fish", "target_meat_fish", "meat_fish", N_("meat and fish quality")),
)

#: Column (and index) labels of the summary's tables, translated where shown.
LABELS = {
    "sector": N_("sector"),
    "canteens": N_("canteens"),
    "meals_per_day": N_("meals per day"),
    "min_meals": N_("min. meals"),
    "max_meals": N_("max. meals"),
    "with_budget": N_("with a budget"),
    "label": N_("label"),
    "producers": N_("producers"),
    "family": N_("family"),
    "products": N_("products"),
    "examples": N_("examples"),
    "demand_t": N_("demand t"),
    "demand_keur": N_("demand kEUR"),
    "supply_t": N_("supply t"),
    "supply_keur": N_("supply kEUR"),
    "supply_pct": N_("supply %"),
    "reachable_pct": N_("reachable %"),
    "quarter": N_("quarter"),
    "demand_fv_t": N_("demand fv t"),
    "supply_fv_t": N_("supply fv t"),
    "fv_supply_pct": N_("fv supply %"),
    "target": N_("target"),
    "default_pct": N_("default target %"),
    "territory_pct": N_("territory %"),
    "canteens_meeting": N_("canteens meeting it"),
}


def describe(scenario: Scenario) -> str:
    """A multi-line text summary of ``scenario`` (figures in kg, tonnes and EUR HT), in the
    active language (``rhd_match.i18n``).

    It tells, before any solve: canteens and producers, products, demand and local supply by
    EGalim family and season, and the EGalim targets against all-conventional purchases.

    Parameters
    ----------
    scenario
        The validated scenario.

    Returns
    -------
    str
        The summary, one section per paragraph, ending with a newline.
    """
    products = scenario.products.set_index("product_id")
    weeks = pd.concat([scenario.demand["week"], scenario.offers["week"]], ignore_index=True)
    week_codes, week_values = pd.factorize(weeks, sort=True)
    n_demand = len(scenario.demand)
    demand = _with_product(
        scenario.demand, "canteen_id", products, week_codes[:n_demand], week_values
    )
    offers = _with_product(
        scenario.offers, "producer_id", products, week_codes[n_demand:], week_values
    )
    demand["reachable"] = _reachable(scenario, demand, offers, len(week_values))
    span = format_range(week_values[0], week_values[-1]) if len(week_values) else _("no weeks")
    n_canteens, n_producers = len(scenario.canteens), len(scenario.producers)
    n_products, n_weeks = len(scenario.products), len(week_values)
    parts = [
        _("Scenario: {canteens}, {producers}, {products}, {weeks} ({span}).").format(
            canteens=ngettext("{n} canteen", "{n} canteens", n_canteens).format(
                n=format_number(n_canteens)
            ),
            producers=ngettext("{n} producer", "{n} producers", n_producers).format(
                n=format_number(n_producers)
            ),
            products=ngettext("{n} product", "{n} products", n_products).format(n=n_products),
            weeks=ngettext("{n} ISO week", "{n} ISO weeks", n_weeks).format(n=n_weeks),
            span=span,
        ),
        _canteens_section(scenario.canteens),
        _producers_section(scenario.producers, scenario.offers),
        _products_section(scenario.products),
        _family_section(demand, offers),
        _season_section(demand, offers),
        _egalim_section(scenario, demand),
    ]
    return "\n\n".join(parts) + "\n"


def _with_product(
    lines: pd.DataFrame,
    owner: str,
    products: pd.DataFrame,
    week_code: NDArray[np.intp],
    weeks: pd.Index,
) -> pd.DataFrame:
    """Demand or offer lines (``owner``: canteen_id or producer_id) with product and week
    codes, family, quarter, kg and value at reference price (EUR HT)."""
    product = products.index.get_indexer(pd.Index(lines["product_id"]))
    qty = lines["qty"].to_numpy(dtype=float)
    month = week_month(pd.Series(weeks.to_numpy(dtype=object))).to_numpy()
    quarter = np.array([_("Q{n}").format(n=n) for n in range(1, 5)], dtype=object)[(month - 1) // 3]
    return pd.DataFrame(
        {
            owner: lines[owner].to_numpy(dtype=object),
            "product": product,
            "week": week_code,
            "quarter": quarter[week_code],
            "family": products["family"].to_numpy(dtype=object)[product],
            "kg": qty * products["kg_per_unit"].to_numpy(dtype=float)[product],
            "value_eur_ht": qty * products["reference_price_eur_ht"].to_numpy(dtype=float)[product],
        },
        index=lines.index,
    )


def _reachable(
    scenario: Scenario, demand: pd.DataFrame, offers: pd.DataFrame, n_weeks: int
) -> NDArray[np.bool_]:
    """For each demand row: is the product offered that week by a producer within reach?"""
    if demand.empty or offers.empty:
        return np.zeros(len(demand), dtype=bool)
    producers = scenario.producers.set_index("producer_id")
    canteens = scenario.canteens.set_index("canteen_id")
    # Rows: (product, week) pairs; columns: producers offering them.
    n_pairs = len(scenario.products) * n_weeks
    offer_pair = offers["product"].to_numpy() * n_weeks + offers["week"].to_numpy()
    offer_producer = producers.index.get_indexer(pd.Index(offers["producer_id"]))
    offered = sparse.csr_array(
        (np.ones(len(offers), dtype=np.float32), (offer_pair, offer_producer)),
        shape=(n_pairs, len(producers)),
    )
    distance = haversine_km(
        producers["lat"].to_numpy()[:, None],
        producers["lon"].to_numpy()[:, None],
        canteens["lat"].to_numpy()[None, :],
        canteens["lon"].to_numpy()[None, :],
    )
    reach = (distance <= producers["delivery_radius_km"].to_numpy()[:, None]).astype(np.float32)
    covered = offered @ reach  # (pair, canteen): number of producers able to deliver
    demand_pair = demand["product"].to_numpy() * n_weeks + demand["week"].to_numpy()
    canteen = canteens.index.get_indexer(pd.Index(demand["canteen_id"]))
    return np.asarray(covered[demand_pair, canteen] > 0, dtype=bool)


def _table(frame: pd.DataFrame, labels: dict[str, str], decimals: int = 1) -> str:
    """``frame`` as text, its columns and index named by ``labels`` (translated here)."""
    shown = frame.rename(columns={c: _(labels[c]) for c in frame.columns if c in labels})
    shown.index.name = _(labels.get(str(frame.index.name), "")) if frame.index.name else None
    return text_table(shown, decimals=decimals).rstrip("\n")


def _canteens_section(canteens: pd.DataFrame) -> str:
    sector = canteens["sector"].fillna(_("(not given)")).astype(str)
    meals = canteens["meals_per_day"].astype(float)
    table = (
        pd.DataFrame(
            {
                "sector": sector,
                "meals": meals,
                "budget": canteens["budget_eur_ht"].notna(),
            }
        )
        .groupby("sector", sort=True)
        .agg(
            canteens=("meals", "size"),
            meals_per_day=("meals", "sum"),
            min_meals=("meals", "min"),
            max_meals=("meals", "max"),
            with_budget=("budget", "sum"),
        )
    )
    n = len(canteens)
    return (
        ngettext(
            "{n} canteen, {meals} meals per service day in total.",
            "{n} canteens, {meals} meals per service day in total.",
            n,
        ).format(n=n, meals=format_number(float(meals.sum())))
        + "\n"
        + _table(table, LABELS, decimals=0)
    )


def _producers_section(producers: pd.DataFrame, offers: pd.DataFrame) -> str:
    labels = offers["labels"].fillna("").astype(str)
    exploded = (
        pd.DataFrame({"producer_id": offers["producer_id"], "label": labels.str.split(",")})
        .explode("label")
        .query("label != ''")
        .drop_duplicates()
    )
    by_label = exploded.groupby("label").size().rename("producers").to_frame()
    organic = int(by_label["producers"].get("BIO", 0)) if len(by_label) else 0
    hubs = producers["hub_id"].dropna().astype(str)
    offering = offers["producer_id"].nunique()
    n, n_hubs = len(producers), hubs.nunique()
    hub_count = ngettext("{n} hub", "{n} hubs", n_hubs).format(n=n_hubs)
    head = (
        ngettext(
            "{n} producer ({offering} with offers), {organic} organic (any BIO offer), "
            "{in_hub} in a hub ({hubs}).",
            "{n} producers ({offering} with offers), {organic} organic (any BIO offer), "
            "{in_hub} in a hub ({hubs}).",
            n,
        ).format(
            n=n,
            offering=offering,
            organic=organic,
            in_hub=len(hubs),
            hubs=hub_count
            if hubs.empty
            else _("{hubs}: {names}").format(
                hubs=hub_count, names=", ".join(sorted(hubs.unique())[:5])
            ),
        )
        + "\n"
        + _(
            "Delivery radius {radius} km, capacity {capacity} kg/week, minimum order "
            "{minimum} EUR excl. VAT."
        ).format(
            radius=_span(producers["delivery_radius_km"]),
            capacity=_span(producers["delivery_capacity_kg_per_week"]),
            minimum=_span(producers["min_order_eur_ht"]),
        )
    )
    if by_label.empty:
        return head + "\n" + _("No labelled offer.")
    return (
        head
        + "\n"
        + _("Producers with at least one offer carrying each label:")
        + "\n"
        + _table(by_label, LABELS)
    )


def _span(values: pd.Series) -> str:
    """``min–max`` of a column, whole numbers for the language."""
    return f"{format_number(float(values.min()))}–{format_number(float(values.max()))}"


def _products_section(products: pd.DataFrame) -> str:
    family = pd.Categorical(products["family"].astype(str), categories=FAMILIES)
    table = (
        pd.DataFrame({"family": family, "product_id": products["product_id"].astype(str)})
        .groupby("family", observed=False)
        .agg(
            products=("product_id", "size"),
            examples=("product_id", lambda ids: ", ".join(list(ids)[:6])),
        )
    )
    n, families = len(products), products["family"].nunique()
    return (
        ngettext("{n} product", "{n} products", n).format(n=n)
        + " "
        + ngettext("in {n} family.", "in {n} families.", families).format(n=families)
        + "\n"
        + _table(table, LABELS)
    )


def _family_section(demand: pd.DataFrame, offers: pd.DataFrame) -> str:
    d = demand.groupby("family").agg(demand_t=("kg", "sum"), demand_keur=("value_eur_ht", "sum"))
    reach_kg = demand["kg"].where(demand["reachable"], 0.0)
    d["reachable_pct"] = 100 * reach_kg.groupby(demand["family"]).sum() / d["demand_t"]
    o = offers.groupby("family").agg(supply_t=("kg", "sum"), supply_keur=("value_eur_ht", "sum"))
    table = d.join(o, how="outer").reindex(FAMILIES).fillna(0.0)
    total = table.sum()
    total["reachable_pct"] = 100 * reach_kg.sum() / max(demand["kg"].sum(), 1e-9)
    table.loc[_("TOTAL")] = total
    table["supply_pct"] = 100 * table["supply_t"] / table["demand_t"].where(table["demand_t"] > 0)
    for col in ("demand_t", "supply_t"):
        table[col] /= 1000
    for col in ("demand_keur", "supply_keur"):
        table[col] /= 1000
    table = table[
        ["demand_t", "demand_keur", "supply_t", "supply_keur", "supply_pct", "reachable_pct"]
    ]
    share = 100 * reach_kg.sum() / max(demand["kg"].sum(), 1e-9)
    table.index.name = "family"
    return (
        _(
            "Demand and local supply over the horizon, by family (t = tonnes; kEUR excl. VAT at "
            "reference price; supply % = offered ÷ demanded kg; reachable % = share of "
            "demanded kg offered in the same week by a producer delivering that far)."
        )
        + "\n"
        + _table(table, LABELS)
        + "\n"
        + _("Demand within reach of some offer: {share} of kg.").format(
            share=format_share(share / 100)
        )
    )


def _season_section(demand: pd.DataFrame, offers: pd.DataFrame) -> str:
    fv = "FRUITS_ET_LEGUMES"

    def by_quarter(lines: pd.DataFrame, prefix: str) -> pd.DataFrame:
        if lines.empty:
            return pd.DataFrame(columns=[f"{prefix}_t", f"{prefix}_keur", f"{prefix}_fv_t"])
        quarter = lines["quarter"]
        return pd.DataFrame(
            {
                f"{prefix}_t": lines["kg"].groupby(quarter).sum() / 1000,
                f"{prefix}_keur": lines["value_eur_ht"].groupby(quarter).sum() / 1000,
                f"{prefix}_fv_t": lines["kg"]
                .where(lines["family"] == fv, 0.0)
                .groupby(quarter)
                .sum()
                / 1000,
            }
        )

    table = by_quarter(demand, "demand").join(by_quarter(offers, "supply"), how="outer")
    table = table.fillna(0.0).sort_index()
    table["fv_supply_pct"] = (
        100 * table["supply_fv_t"] / table["demand_fv_t"].where(table["demand_fv_t"] > 0)
    )
    table.index.name = "quarter"
    return (
        _(
            "By quarter (week's Thursday; fv = fruits and vegetables; t, kEUR excl. VAT at "
            "reference price):"
        )
        + "\n"
        + _table(table, LABELS)
    )


def _egalim_section(scenario: Scenario, demand: pd.DataFrame) -> str:
    # Lines of one canteen and family add up (all unlabelled): account for their sums.
    lines = demand.groupby(["canteen_id", "family"], sort=True)["value_eur_ht"].sum().reset_index()
    lines["labels"] = ""
    total = egalim_accounting(lines).iloc[0]
    per_canteen = egalim_accounting(lines, by="canteen_id")
    canteens = scenario.canteens.set_index("canteen_id").reindex(per_canteen.index)
    targets = scenario.parameters.targets
    rows = []
    for share_col, override, field, label in TARGETS:
        target = canteens[override].fillna(getattr(targets, field)).astype(float)
        share = per_canteen[share_col].astype(float)
        applicable = share.notna()
        meets = applicable & (share >= target - 1e-9)
        rows.append(
            {
                "target": _(label),
                "default_pct": 100 * getattr(targets, field),
                "territory_pct": 100 * float(np.nan_to_num(total[share_col])),
                "canteens_meeting": f"{int(meets.sum())} / {int(applicable.sum())}",
            }
        )
    table = pd.DataFrame(rows).set_index("target")
    return (
        _(
            "EGalim shares of current purchases (all demand bought from the conventional "
            "supplier at reference price, no label; {value} kEUR excl. VAT):"
        ).format(value=format_number(float(total["valeur_totale"]) / 1000, 1))
        + "\n"
        + _table(table, LABELS)
    )
