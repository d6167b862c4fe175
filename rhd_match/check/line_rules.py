"""Line rules: each flow line enriched with what the inputs say about it, and the rules that
hold line by line (ids, supplier, signs, price, labels, value, kg, distance, radius, local).

Labels cells and distances are read by this module's own small code, not by
:mod:`rhd_match.egalim` nor :mod:`rhd_match.geo`, so that a bug there shows up here.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ..i18n import gettext as _
from ..inputs.scenario import Scenario
from .contract import (
    CONVENTIONAL,
    KEY_COLUMNS,
    PRODUCER,
    TARGETS,
    Found,
    differs,
    each_row,
    exceeds,
    number,
)
from .hub_rules import check_hubs, hub_columns
from .market_rules import MARKET, check_market, market_columns

# -- the enriched flow lines ------------------------------------------------------------------

_EARTH_KM = 6371.0088  # IUGG mean radius


def _distance_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> np.ndarray:
    """Great-circle km by the atan2 (Vincenty, sphere) formula, accurate at every distance."""
    p1, p2 = np.radians(np.asarray(lat1, float)), np.radians(np.asarray(lat2, float))
    dl = np.radians(np.asarray(lon2, float) - np.asarray(lon1, float))
    y = np.hypot(
        np.cos(p2) * np.sin(dl), np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    )
    x = np.sin(p1) * np.sin(p2) + np.cos(p1) * np.cos(p2) * np.cos(dl)
    return np.asarray(_EARTH_KM * np.arctan2(y, x), float)


def _by_uniques(values: pd.Series, convert: Callable[[object], str]) -> pd.Series:
    """``values.map(convert)``, calling ``convert`` once per distinct value (fast on 1M rows)."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    converted = np.array([convert(u) for u in uniques] + [convert(None)], dtype=object)
    return pd.Series(converted[codes], index=values.index, dtype=object)


def _id_text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def as_text(values: pd.Series) -> pd.Series:
    """Ids as plain strings, ``""`` where missing.

    Parameters
    ----------
    values
        An id column as read (strings, numbers or missing).

    Returns
    -------
    pandas.Series
        The ids as strings, same index.
    """
    return _by_uniques(values, _id_text)


def _label_cell(value: object) -> str:
    """A labels cell in canonical form: distinct upper-case codes, sorted, comma-separated."""
    codes = {part.strip().upper() for part in _id_text(value).replace(";", ",").split(",")}
    return ",".join(sorted(codes - {""}))


def _canonical_labels(values: pd.Series) -> pd.Series:
    """Labels cells in canonical form (:func:`_label_cell`), ``""`` for none."""
    return _by_uniques(values, _label_cell)


def flag(values: pd.Series) -> np.ndarray:
    """A bool column that may hold NaN, strings ('True'/'False') or numbers.

    Parameters
    ----------
    values
        The column as read.

    Returns
    -------
    numpy.ndarray
        Bool per row: true for ``true``, ``1``, ``yes``, ``oui``, ``x`` (any case), else
        false, missing included.
    """
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.to_numpy(dtype=bool)
    text = _by_uniques(values, lambda v: _id_text(v).lower())
    return text.isin(["true", "1", "1.0", "yes", "oui", "x"]).to_numpy()


def canteen_targets(scenario: Scenario) -> pd.DataFrame:
    """Per-canteen targets (fractions), the scenario's unless the canteen overrides them.

    Parameters
    ----------
    scenario
        The scenario.

    Returns
    -------
    pandas.DataFrame
        One row per ``canteen_id`` (the index): ``target_quality``, ``target_organic``,
        ``target_meat_fish`` (fractions) and ``budget_eur_ht`` (EUR HT, NaN when none).
    """
    canteens = scenario.canteens.assign(canteen_id=as_text(scenario.canteens["canteen_id"]))
    defaults = scenario.parameters.targets
    out = pd.DataFrame(index=pd.Index(canteens["canteen_id"], name="canteen_id"))
    for name in TARGETS:
        own = pd.to_numeric(canteens[f"target_{name}"], errors="coerce").astype(float)
        out[f"target_{name}"] = own.fillna(float(getattr(defaults, name))).to_numpy()
    out["budget_eur_ht"] = pd.to_numeric(canteens["budget_eur_ht"], errors="coerce").to_numpy(
        dtype=float
    )
    return out


def lines(scenario: Scenario, flows: pd.DataFrame, tol: float = 1e-6) -> pd.DataFrame:
    """The flow rows joined with what the input tables say they should be.

    One row per flow row (same order, fresh index). Ids are normalised to strings (``""`` where
    empty); ``supplier`` is lower-cased. Added columns, recomputed from the inputs only:

    * ``market_id`` (``""`` when the flows have no such column), ``is_producer``,
      ``is_market``, ``is_conventional`` (bool), and the market option's columns
      (``market_rules.market_columns``);
    * ``true_family``, ``kg_per_unit`` (kg/unit), ``reference_price`` (EUR HT/unit);
    * ``demand_qty`` (product unit; NaN when the canteen does not demand it that week);
    * ``has_offer``, ``offer_qty`` (product unit), ``offer_price`` (EUR HT/unit),
      ``offer_labels`` (canonical), ``min_lot`` (product unit, 0 for none);
    * producer ``radius_km`` (inf through a hub), ``capacity_kg``, ``max_drops``,
      ``franco_eur_ht``;
    * the hub columns (``hub_rules.hub_columns``);
    * ``true_price`` (offer or market option price plus a hub's fee, or reference price for
      conventional), ``producer_value`` (EUR HT, at the offer's price), ``true_labels``,
      ``true_qty_kg`` (kg), ``true_value`` (EUR HT), ``true_distance_km`` (km, NaN for
      conventional), ``is_local`` (the ``local_radius_km`` rule; within ``tol`` of the radius,
      the line's own flag when the flows have one), ``local_low`` and ``local_high`` (a
      reported flag must lie between them: they differ only within ``tol`` of the
      ``local_radius_km`` boundary).

    ``true_*`` coefficients fall back on the reported ones where the inputs say nothing (an
    unknown offer), so that figures of a broken plan stay finite.

    Parameters
    ----------
    scenario
        The input tables and parameters the plan was made for.
    flows
        A flows table: one row per purchase line, keyed by ``canteen_id``, ``product_id``,
        ISO ``week`` and ``producer_id``, with ``supplier`` and ``qty`` (product unit).
    tol
        Tolerance of the ``local_low``/``local_high`` band (see ``check``).

    Returns
    -------
    pandas.DataFrame
        The flow rows with the columns above.

    Raises
    ------
    KeyError
        When ``flows`` lacks a key column (``supplier``, ids, ``week``, ``qty``).
    """
    missing = [c for c in KEY_COLUMNS if c not in flows.columns]
    if missing:
        raise KeyError(f"flows lack column(s) {', '.join(missing)}")
    out = pd.DataFrame(
        {
            "supplier": _by_uniques(flows["supplier"], lambda v: _id_text(v).lower()).to_numpy(),
            "producer_id": as_text(flows["producer_id"]).to_numpy(),
            "canteen_id": as_text(flows["canteen_id"]).to_numpy(),
            "product_id": as_text(flows["product_id"]).to_numpy(),
            "week": as_text(flows["week"]).to_numpy(),
            "qty": pd.to_numeric(flows["qty"], errors="coerce").to_numpy(dtype=float),
        }
    )
    for col in ("qty_kg", "price_eur_ht", "value_eur_ht", "distance_km"):
        if col in flows.columns:
            out[col] = pd.to_numeric(flows[col], errors="coerce").to_numpy(dtype=float)
    if "labels" in flows.columns:
        out["labels"] = _canonical_labels(flows["labels"]).to_numpy()
    if "supplier_id" in flows.columns:
        out["supplier_id"] = as_text(flows["supplier_id"]).to_numpy()
    if "family" in flows.columns:
        out["family"] = _by_uniques(flows["family"], lambda v: _id_text(v).upper()).to_numpy()
    if "local" in flows.columns:
        out["local"] = flag(flows["local"])
    out["market_id"] = (
        as_text(flows["market_id"]).to_numpy() if "market_id" in flows.columns else ""
    )
    out["is_producer"] = out["supplier"] == PRODUCER
    out["is_market"] = out["supplier"] == MARKET
    out["is_conventional"] = out["supplier"] == CONVENTIONAL
    out = market_columns(scenario, out, _canonical_labels(scenario.market["labels"]))

    products = scenario.products.assign(product_id=as_text(scenario.products["product_id"]))
    prod = pd.DataFrame(
        {
            "product_id": products["product_id"].to_numpy(),
            "true_family": as_text(products["family"]).to_numpy(),
            "kg_per_unit": products["kg_per_unit"].to_numpy(dtype=float),
            "reference_price": products["reference_price_eur_ht"].to_numpy(dtype=float),
        }
    )
    out = out.merge(prod, on="product_id", how="left")

    demand = scenario.demand
    dem = pd.DataFrame(
        {
            "canteen_id": as_text(demand["canteen_id"]).to_numpy(),
            "product_id": as_text(demand["product_id"]).to_numpy(),
            "week": as_text(demand["week"]).to_numpy(),
            "demand_qty": demand["qty"].to_numpy(dtype=float),
        }
    )
    out = out.merge(dem, on=["canteen_id", "product_id", "week"], how="left")

    offers = scenario.offers
    off = pd.DataFrame(
        {
            "producer_id": as_text(offers["producer_id"]).to_numpy(),
            "product_id": as_text(offers["product_id"]).to_numpy(),
            "week": as_text(offers["week"]).to_numpy(),
            "offer_qty": offers["qty"].to_numpy(dtype=float),
            "offer_price": offers["price_eur_ht"].to_numpy(dtype=float),
            "offer_labels": _canonical_labels(offers["labels"]).to_numpy(),
            "min_lot": pd.to_numeric(offers["min_lot_qty"], errors="coerce")
            .fillna(0.0)
            .to_numpy(dtype=float),
            "has_offer": True,
        }
    )
    out = out.merge(off, on=["producer_id", "product_id", "week"], how="left")
    out["has_offer"] = out["has_offer"].notna().to_numpy() & out["is_producer"].to_numpy()

    producers = scenario.producers
    pro = pd.DataFrame(
        {
            "producer_id": as_text(producers["producer_id"]).to_numpy(),
            "producer_lat": producers["lat"].to_numpy(dtype=float),
            "producer_lon": producers["lon"].to_numpy(dtype=float),
            "radius_km": producers["delivery_radius_km"].to_numpy(dtype=float),
            "capacity_kg": producers["delivery_capacity_kg_per_week"].to_numpy(dtype=float),
            "max_drops": producers["max_drops_per_week"].to_numpy(dtype=float),
            "franco_eur_ht": producers["min_order_eur_ht"].to_numpy(dtype=float),
        }
    )
    out = out.merge(pro, on="producer_id", how="left")
    can = pd.DataFrame(
        {
            "canteen_id": as_text(scenario.canteens["canteen_id"]).to_numpy(),
            "canteen_lat": scenario.canteens["lat"].to_numpy(dtype=float),
            "canteen_lon": scenario.canteens["lon"].to_numpy(dtype=float),
        }
    )
    out = out.merge(can, on="canteen_id", how="left")
    out = hub_columns(scenario, out, flows)
    via_hub = out["via_hub"].to_numpy()
    # A producer's own radius does not bind what it brings to its hub (the hub's does).
    out["radius_km"] = np.where(via_hub, np.inf, out["radius_km"].to_numpy(float))

    producer, market = out["is_producer"].to_numpy(), out["is_market"].to_numpy()
    qty = out["qty"].to_numpy(dtype=float)
    reported_price = out["price_eur_ht"].to_numpy(float) if "price_eur_ht" in out else np.nan
    price = np.where(producer, out["offer_price"].to_numpy(float), out["reference_price"])
    price = np.where(market, out["market_price"].to_numpy(float), price)
    out["true_price"] = np.where(np.isnan(price), reported_price, price)
    # What the producer is paid, toward its franco; the canteen pays the hub's fee on top.
    out["producer_value"] = qty * out["true_price"].to_numpy(float)
    out["true_price"] = out["true_price"].to_numpy(float) * (1.0 + out["fee_share"]) + out[
        "fee_eur_per_kg"
    ].to_numpy(float) * out["kg_per_unit"].fillna(0.0).to_numpy(float)
    labels = out["offer_labels"].astype(object).where(producer, "")
    labels = labels.where(~market, out["market_labels"].astype(object))
    if "labels" in out:
        labels = labels.where(labels.notna(), out["labels"])
    out["true_labels"] = labels.where(labels.notna(), "").astype(object).to_numpy()
    out["true_qty_kg"] = qty * out["kg_per_unit"].to_numpy(float)
    out["true_value"] = qty * out["true_price"].to_numpy(float)
    distance = _distance_km(
        out["producer_lat"].to_numpy(float),
        out["producer_lon"].to_numpy(float),
        out["canteen_lat"].to_numpy(float),
        out["canteen_lon"].to_numpy(float),
    )
    out["true_distance_km"] = np.where(producer, distance, np.nan)
    radius = scenario.parameters.local_radius_km
    if radius is None:
        out["local_low"] = out["local_high"] = out["is_local"] = producer
    else:
        slack = tol * (1.0 + radius)
        with np.errstate(invalid="ignore"):
            out["local_low"] = producer & (distance <= radius - slack)
            out["local_high"] = producer & (distance <= radius + slack)
            out["is_local"] = producer & (distance <= radius)
        if "local" in out:
            # Within tol of the radius the plan's distances and these differ by rounding
            # alone (a producer 4 km from a canteen, a 4 km radius): the line's own flag,
            # which the local rule holds to the band, counts in the figures.
            band = out["local_high"].to_numpy(bool) & ~out["local_low"].to_numpy(bool)
            out["is_local"] = np.where(band, producer & out["local"], out["is_local"])
    return out


def check_lines(scenario: Scenario, ln: pd.DataFrame, found: Found, tol: float) -> None:
    """Row-by-row rules: ids, supplier, signs, prices, labels, value, kg, distance, local.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    ln
        The flow rows joined with the inputs (``lines``).
    found
        Collects each broken rule as a violation.
    tol
        Relative and absolute tolerance.
    """
    producer, conventional = ln["is_producer"].to_numpy(), ln["is_conventional"].to_numpy()
    market = ln["is_market"].to_numpy()
    bad_supplier = ~(producer | conventional | market)
    found.add(
        "supplier",
        ln,
        each_row(
            lambda s: _(
                "supplier '{supplier}' is neither producer, market nor conventional"
            ).format(supplier=s),
            "supplier",
        ),
        where=bad_supplier,
    )
    found.add(
        "supplier",
        ln,
        _("a conventional or market purchase names a producer"),
        where=(conventional | market) & (ln["producer_id"] != "").to_numpy(),
    )
    found.add(
        "supplier",
        ln,
        _("a producer or conventional purchase names a market option"),
        where=(conventional | producer) & (ln["market_id"] != "").to_numpy(),
    )
    found.add(
        "supplier",
        ln,
        _("a market purchase names no market option"),
        where=market & (ln["market_id"] == "").to_numpy(),
    )
    found.add(
        "supplier",
        ln,
        _("a producer purchase names no producer"),
        where=producer & (ln["producer_id"] == "").to_numpy(),
    )

    unknown_canteen = ln["canteen_lat"].isna().to_numpy()
    unknown_product = ln["kg_per_unit"].isna().to_numpy()
    unknown_producer = (
        producer & (ln["producer_id"] != "").to_numpy() & ln["radius_km"].isna().to_numpy()
    )
    found.add(
        "unknown_id",
        ln,
        each_row(
            lambda c: _("canteen '{canteen}' is not in the canteens table").format(canteen=c),
            "canteen_id",
        ),
        where=unknown_canteen,
    )
    found.add(
        "unknown_id",
        ln,
        each_row(
            lambda p: _("product '{product}' is not in the products table").format(product=p),
            "product_id",
        ),
        where=unknown_product,
    )
    found.add(
        "unknown_id",
        ln,
        each_row(
            lambda p: _("producer '{producer}' is not in the producers table").format(producer=p),
            "producer_id",
        ),
        where=unknown_producer,
    )
    unknown_market = market & (ln["market_id"] != "").to_numpy() & ~ln["has_market"].to_numpy()
    known = ~(unknown_canteen | unknown_product | unknown_producer | unknown_market | bad_supplier)

    keys = ["supplier", "producer_id", "market_id", "canteen_id", "product_id", "week"]
    # A producer may deliver a canteen both directly and through its hub: two lines.
    keys += ["hub_id"] if "hub_id" in ln else []
    dup = ln.duplicated(keys, keep="first").to_numpy()
    found.add(
        "duplicate_line",
        ln,
        _("another flow row has the same supplier, producer, canteen, product and week"),
        where=dup,
    )

    if "supplier_id" in ln:
        # Whom the line is bought from: its producer, its market option's supplier, or nobody.
        market_supplier = ln["market_supplier"].fillna("").astype(str)
        want = np.where(producer, ln["producer_id"], np.where(market, market_supplier, ""))
        found.add(
            "supplier",
            ln.assign(want_supplier=want),
            each_row(
                lambda got, should: _("supplier_id '{got}', should be '{want}'").format(
                    got=got, want=should
                ),
                "supplier_id",
                "want_supplier",
            ),
            where=known & (ln["supplier_id"].to_numpy() != want),
        )

    qty = ln["qty"].to_numpy(float)
    negative = np.isnan(qty) | (qty < -tol)
    found.add(
        "negative_qty",
        ln,
        each_row(lambda q: _("quantity {qty} is negative or missing").format(qty=number(q)), "qty"),
        where=negative,
    )

    not_demanded = known & ln["demand_qty"].isna().to_numpy() & (np.abs(qty) > tol)
    found.add(
        "not_demanded",
        ln,
        each_row(
            lambda q: _("{qty} units delivered but the canteen demands none that week").format(
                qty=number(q)
            ),
            "qty",
        ),
        where=not_demanded,
    )

    no_offer = producer & known & ~ln["has_offer"].to_numpy()
    found.add(
        "no_offer",
        ln,
        _("the producer has no offer of this product this week"),
        where=no_offer,
    )
    checkable = known & ~no_offer & ~(market & (ln["market_id"] == "").to_numpy())
    check_market(ln, found, tol)
    check_hubs(ln, found, tol)

    if "price_eur_ht" in ln:
        wrong = checkable & differs(ln["price_eur_ht"].to_numpy(float), ln["true_price"], tol)
        found.add(
            "price",
            ln,
            each_row(
                lambda s, p, t: _(
                    "{supplier} price {price} EUR excl. VAT/unit, should be {true}"
                ).format(supplier=s, price=number(p), true=number(t)),
                "supplier",
                "price_eur_ht",
                "true_price",
            ),
            where=wrong,
        )
    if "labels" in ln:
        wrong = checkable & (ln["labels"] != ln["true_labels"]).to_numpy()
        found.add(
            "labels",
            ln,
            each_row(
                lambda got, want: _("labels '{got}', should be '{want}'").format(
                    got=got, want=want
                ),
                "labels",
                "true_labels",
            ),
            where=wrong,
        )
    if "family" in ln:
        wrong = checkable & (ln["family"] != ln["true_family"]).to_numpy()
        found.add(
            "family",
            ln,
            each_row(
                lambda got, want: _("family '{got}', should be '{want}'").format(
                    got=got, want=want
                ),
                "family",
                "true_family",
            ),
            where=wrong,
        )
    if "value_eur_ht" in ln and "price_eur_ht" in ln:
        should = qty * ln["price_eur_ht"].to_numpy(float)
        wrong = known & differs(ln["value_eur_ht"].to_numpy(float), should, tol)
        if wrong.any():
            found.add(
                "value",
                ln[wrong].assign(should=should[wrong]),
                each_row(
                    lambda v, s: _("value {value} EUR excl. VAT, qty × price = {should}").format(
                        value=number(v), should=number(s)
                    ),
                    "value_eur_ht",
                    "should",
                ),
            )
    if "qty_kg" in ln:
        wrong = known & differs(ln["qty_kg"].to_numpy(float), ln["true_qty_kg"], tol)
        found.add(
            "qty_kg",
            ln,
            each_row(
                lambda k, s: _("qty_kg {kg}, qty × kg_per_unit = {should} kg").format(
                    kg=number(k), should=number(s)
                ),
                "qty_kg",
                "true_qty_kg",
            ),
            where=wrong,
        )
    if "distance_km" in ln:
        wrong = known & differs(ln["distance_km"].to_numpy(float), ln["true_distance_km"], tol)
        found.add(
            "distance",
            ln,
            each_row(
                lambda d, s: _("distance_km {km}, great-circle distance {should} km").format(
                    km=number(d), should=number(s)
                ),
                "distance_km",
                "true_distance_km",
            ),
            where=wrong,
        )
    far = checkable & producer & exceeds(ln["true_distance_km"], ln["radius_km"], tol)
    found.add(
        "radius",
        ln,
        each_row(
            lambda d, r: _("canteen {km} km away, delivery radius {radius} km").format(
                km=number(d), radius=number(r)
            ),
            "true_distance_km",
            "radius_km",
        ),
        where=far,
    )
    if "local" in ln:
        flagged = ln["local"].to_numpy(bool)
        wrong = known & ((flagged & ~ln["local_high"].to_numpy()) | (~flagged & ln["local_low"]))
        radius = scenario.parameters.local_radius_km
        rule = (
            _("every producer is local")
            if radius is None
            else _("local within {km} km").format(km=number(radius))
        )
        found.add(
            "local",
            ln,
            each_row(
                lambda s, f, d: _(
                    "{supplier} line flagged local={flag} ({rule}; distance {km} km)"
                ).format(supplier=s, flag=bool(f), rule=rule, km=number(d)),
                "supplier",
                "local",
                "true_distance_km",
            ),
            where=wrong,
        )
