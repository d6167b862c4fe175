"""An independent checker of allocation plans.

:func:`check` verifies a plan (a ``flows`` table, or a whole solution) against the input tables
of a :class:`~rhd_match.scenario.Scenario` and the rules of ``docs/model.md``, and
:func:`objective_from_flows` recomputes the model's objective from the flows alone.

Nothing here comes from the code it checks: the rules are re-derived from the input tables and
``docs/model.md``, so a bug in the model's arcs, bounds or coefficients shows up as a violation.
Labels, distances and EGalim figures are recomputed by this module's own small code (not by
:mod:`rhd_match.egalim` nor :mod:`rhd_match.geo`), and so are the canteens table and the
territory summary of a solution, every count included. Everything is vectorised with pandas (a
million flow rows take seconds).

Units: money in EUR excluding VAT (EUR HT), quantities in the product's unit (kg, l or piece),
weights in kg, distances in straight-line km (haversine), shares as fractions in [0, 1].
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from .scenario import Scenario

#: Columns of the violations table returned by :func:`check`.
VIOLATION_COLUMNS: tuple[str, ...] = (
    "rule",
    "canteen_id",
    "producer_id",
    "product_id",
    "week",
    "message",
)

#: Every rule :func:`check` can report, with what it means.
RULES: dict[str, str] = {
    "flows_table": "the flows table lacks a column of docs/model.md",
    "canteens_table": "the canteens table lacks a column or a canteen",
    "supplier": "supplier is neither 'producer' nor 'conventional', or its producer_id is wrong",
    "unknown_id": "a canteen, product or producer id not in the input tables",
    "duplicate_line": "two flow rows for the same supplier, canteen, product and week",
    "negative_qty": "a negative quantity",
    "not_demanded": "a flow for a canteen, product and week with no demand row",
    "demand": "local + conventional quantity differs from the demand (product unit)",
    "no_offer": "a producer flow with no offer of that product that week",
    "offer": "a producer sells more of an offer than its quantity (product unit)",
    "price": "price differs from the offer's (or the reference price, conventional)",
    "labels": "labels differ from the offer's (conventional purchases carry none)",
    "family": "family differs from the product's",
    "value": "value_eur_ht differs from qty × price",
    "qty_kg": "qty_kg differs from qty × kg_per_unit",
    "distance": "distance_km differs from the great-circle distance (empty for conventional)",
    "radius": "producer farther from the canteen than its delivery radius (km)",
    "local": "local flag wrong (local_radius_km rule; conventional is never local)",
    "capacity": "kg delivered by a producer in a week above its weekly capacity",
    "drops": "more canteens delivered by a producer in a week than its max drops",
    "franco": "a drop worth less than the producer's minimum order (EUR HT)",
    "min_lot": "a positive delivery of an offer to a canteen below the offer's minimum lot",
    "canteen_figure": "a figure of the canteens table differs from its recomputation",
    "summary_figure": "a territory figure or count of the summary differs from its recomputation",
    "egalim_hard": "hard EGalim mode and a canteen falls short of a target",
    "budget_hard": "hard budget mode and a canteen spends more than its budget",
}

#: Columns a flows table must have (docs/model.md, "Solution tables").
FLOW_COLUMNS: tuple[str, ...] = (
    "supplier",
    "producer_id",
    "canteen_id",
    "product_id",
    "week",
    "family",
    "qty",
    "qty_kg",
    "price_eur_ht",
    "value_eur_ht",
    "labels",
    "distance_km",
    "local",
)
_KEY_COLUMNS = ("supplier", "producer_id", "canteen_id", "product_id", "week", "qty")

#: Per-canteen figures recomputed by :func:`canteen_figures` and compared by :func:`check`.
CANTEEN_FIGURES: tuple[str, ...] = (
    "value_eur_ht",
    "reference_value_eur_ht",
    "extra_cost_eur_ht",
    "local_value_eur_ht",
    "share_local",
    "share_organic",
    "share_quality",
    "share_meat_fish",
    "share_meat",
    "share_fish",
    "target_quality",
    "target_organic",
    "target_meat_fish",
    "shortfall_quality_eur_ht",
    "shortfall_organic_eur_ht",
    "shortfall_meat_fish_eur_ht",
    "shortfall_quality_points",
    "shortfall_organic_points",
    "shortfall_meat_fish_points",
    "meets_quality",
    "meets_organic",
    "meets_meat_fish",
    "budget_eur_ht",
    "budget_use",
)
_TARGETS = ("quality", "organic", "meat_fish")

PRODUCER = "producer"
CONVENTIONAL = "conventional"

# EGalim rules restated from docs/egalim.md (sources there), on purpose apart from
# rhd_match.egalim: every label code of the law counts once toward the quality share, BIO alone
# toward the organic share, and the meat-and-fish share is over these two families only.
_EGALIM_LABELS = frozenset(
    ["BIO", "LABEL_ROUGE", "AOCAOP", "IGP", "STG", "HVE", "PECHE_DURABLE", "RUP",
     "COMMERCE_EQUITABLE", "FERMIER", "EXTERNALITES", "PERFORMANCE"]
)  # fmt: skip
_ORGANIC = "BIO"
_MEAT, _FISH = "VIANDES_VOLAILLES", "PRODUITS_DE_LA_MER"
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


def _label_cell(value: object) -> str:
    """A labels cell in canonical form: distinct upper-case codes, sorted, comma-separated."""
    codes = {part.strip().upper() for part in _id_text(value).replace(";", ",").split(",")}
    return ",".join(sorted(codes - {""}))


def _label_flags(cells: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(quality, organic) flags of canonical labels cells."""
    codes, uniques = pd.factorize(cells.to_numpy(), use_na_sentinel=False)
    sets = [set(str(c).split(",")) for c in uniques]
    quality = np.array([bool(s & _EGALIM_LABELS) for s in sets] + [False], dtype=bool)
    organic = np.array([_ORGANIC in s for s in sets] + [False], dtype=bool)
    return quality[codes], organic[codes]


def _share(part: ArrayLike, base: ArrayLike) -> np.ndarray:
    """``part / base`` within [0, 1] (float noise clipped), NaN where the base is 0."""
    p, b = np.asarray(part, float), np.asarray(base, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.clip(np.where(b > 0, p / np.where(b > 0, b, 1.0), np.nan), 0.0, 1.0)


class SolutionTables(Protocol):
    """What :func:`check` reads from a solution: its ``flows`` and ``canteens`` tables."""

    @property
    def flows(self) -> pd.DataFrame: ...

    @property
    def canteens(self) -> pd.DataFrame: ...


# -- tolerances -------------------------------------------------------------------------------


def _differs(a: ArrayLike, b: ArrayLike, tol: float) -> NDArray[np.bool_]:
    """``|a − b| > tol·(1 + max(|a|, |b|))``; NaN equals NaN only."""
    x, y = np.asarray(a, float), np.asarray(b, float)
    nan_x, nan_y = np.isnan(x), np.isnan(y)
    scale = 1.0 + np.maximum(np.abs(np.nan_to_num(x)), np.abs(np.nan_to_num(y)))
    with np.errstate(invalid="ignore"):
        far = np.abs(x - y) > tol * scale
    return np.asarray(np.where(nan_x | nan_y, nan_x != nan_y, far), dtype=np.bool_)


def _exceeds(a: ArrayLike, limit: ArrayLike, tol: float) -> NDArray[np.bool_]:
    """``a > limit + tol·(1 + |limit|)`` (False where either is NaN)."""
    x, lim = np.asarray(a, float), np.asarray(limit, float)
    with np.errstate(invalid="ignore"):
        return np.asarray(x > lim + tol * (1.0 + np.abs(lim)), dtype=np.bool_)


# -- the enriched flow lines ------------------------------------------------------------------


def _by_uniques(values: pd.Series, convert: Callable[[object], str]) -> pd.Series:
    """``values.map(convert)``, calling ``convert`` once per distinct value (fast on 1M rows)."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    converted = np.array([convert(u) for u in uniques] + [convert(None)], dtype=object)
    return pd.Series(converted[codes], index=values.index, dtype=object)


def _id_text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _text(values: pd.Series) -> pd.Series:
    """Ids as plain strings, ``""`` where missing."""
    return _by_uniques(values, _id_text)


def _canonical_labels(values: pd.Series) -> pd.Series:
    """Labels cells in canonical form (:func:`_label_cell`), ``""`` for none."""
    return _by_uniques(values, _label_cell)


def _flag(values: pd.Series) -> np.ndarray:
    """A bool column that may hold NaN, strings ('True'/'False') or numbers."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.to_numpy(dtype=bool)
    text = _by_uniques(values, lambda v: _id_text(v).lower())
    return text.isin(["true", "1", "1.0", "yes", "oui", "x"]).to_numpy()


def _targets(scenario: Scenario) -> pd.DataFrame:
    """Per-canteen targets (fractions), the scenario's unless the canteen overrides them."""
    canteens = scenario.canteens.assign(canteen_id=_text(scenario.canteens["canteen_id"]))
    defaults = scenario.parameters.targets
    out = pd.DataFrame(index=pd.Index(canteens["canteen_id"], name="canteen_id"))
    for name in _TARGETS:
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

    * ``is_producer``, ``is_conventional`` (bool);
    * ``true_family``, ``kg_per_unit`` (kg/unit), ``reference_price`` (EUR HT/unit);
    * ``demand_qty`` (product unit; NaN when the canteen does not demand it that week);
    * ``has_offer``, ``offer_qty`` (product unit), ``offer_price`` (EUR HT/unit),
      ``offer_labels`` (canonical), ``min_lot`` (product unit, 0 for none);
    * producer ``radius_km``, ``capacity_kg``, ``max_drops``, ``franco_eur_ht``;
    * ``true_price`` (offer price, or reference price for conventional), ``true_labels``,
      ``true_qty_kg`` (kg), ``true_value`` (EUR HT), ``true_distance_km`` (km, NaN for
      conventional), ``is_local`` (the ``local_radius_km`` rule), ``local_low`` and
      ``local_high`` (a reported flag must lie between them: they differ only within ``tol``
      of the ``local_radius_km`` boundary).

    ``true_*`` coefficients fall back on the reported ones where the inputs say nothing (an
    unknown offer), so that figures of a broken plan stay finite.
    """
    missing = [c for c in _KEY_COLUMNS if c not in flows.columns]
    if missing:
        raise KeyError(f"flows lack column(s) {', '.join(missing)}")
    out = pd.DataFrame(
        {
            "supplier": _by_uniques(flows["supplier"], lambda v: _id_text(v).lower()).to_numpy(),
            "producer_id": _text(flows["producer_id"]).to_numpy(),
            "canteen_id": _text(flows["canteen_id"]).to_numpy(),
            "product_id": _text(flows["product_id"]).to_numpy(),
            "week": _text(flows["week"]).to_numpy(),
            "qty": pd.to_numeric(flows["qty"], errors="coerce").to_numpy(dtype=float),
        }
    )
    for col in ("qty_kg", "price_eur_ht", "value_eur_ht", "distance_km"):
        if col in flows.columns:
            out[col] = pd.to_numeric(flows[col], errors="coerce").to_numpy(dtype=float)
    if "labels" in flows.columns:
        out["labels"] = _canonical_labels(flows["labels"]).to_numpy()
    if "family" in flows.columns:
        out["family"] = _by_uniques(flows["family"], lambda v: _id_text(v).upper()).to_numpy()
    if "local" in flows.columns:
        out["local"] = _flag(flows["local"])
    out["is_producer"] = out["supplier"] == PRODUCER
    out["is_conventional"] = out["supplier"] == CONVENTIONAL

    products = scenario.products.assign(product_id=_text(scenario.products["product_id"]))
    prod = pd.DataFrame(
        {
            "product_id": products["product_id"].to_numpy(),
            "true_family": _text(products["family"]).to_numpy(),
            "kg_per_unit": products["kg_per_unit"].to_numpy(dtype=float),
            "reference_price": products["reference_price_eur_ht"].to_numpy(dtype=float),
        }
    )
    out = out.merge(prod, on="product_id", how="left")

    demand = scenario.demand
    dem = pd.DataFrame(
        {
            "canteen_id": _text(demand["canteen_id"]).to_numpy(),
            "product_id": _text(demand["product_id"]).to_numpy(),
            "week": _text(demand["week"]).to_numpy(),
            "demand_qty": demand["qty"].to_numpy(dtype=float),
        }
    )
    out = out.merge(dem, on=["canteen_id", "product_id", "week"], how="left")

    offers = scenario.offers
    off = pd.DataFrame(
        {
            "producer_id": _text(offers["producer_id"]).to_numpy(),
            "product_id": _text(offers["product_id"]).to_numpy(),
            "week": _text(offers["week"]).to_numpy(),
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
            "producer_id": _text(producers["producer_id"]).to_numpy(),
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
            "canteen_id": _text(scenario.canteens["canteen_id"]).to_numpy(),
            "canteen_lat": scenario.canteens["lat"].to_numpy(dtype=float),
            "canteen_lon": scenario.canteens["lon"].to_numpy(dtype=float),
        }
    )
    out = out.merge(can, on="canteen_id", how="left")

    producer = out["is_producer"].to_numpy()
    qty = out["qty"].to_numpy(dtype=float)
    reported_price = out["price_eur_ht"].to_numpy(float) if "price_eur_ht" in out else np.nan
    price = np.where(producer, out["offer_price"].to_numpy(float), out["reference_price"])
    out["true_price"] = np.where(np.isnan(price), reported_price, price)
    labels = out["offer_labels"].astype(object).where(producer, "")
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
    return out


# -- violations -------------------------------------------------------------------------------


class _Found:
    """Collects violation rows, frame by frame."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(
        self,
        rule: str,
        rows: pd.DataFrame,
        message: Callable[[pd.DataFrame], Sequence[str]] | str,
        ids: Sequence[str] = ("canteen_id", "producer_id", "product_id", "week"),
        where: ArrayLike | None = None,
    ) -> None:
        """Add one violation per row of ``rows`` (only those where ``where`` is True)."""
        if where is not None:
            mask = np.asarray(where, dtype=bool)
            if not mask.any():
                return
            rows = rows[mask]
        if rows.empty:
            return
        part = pd.DataFrame(index=range(len(rows)))
        part["rule"] = rule
        for col in VIOLATION_COLUMNS[1:5]:
            part[col] = rows[col].astype(str).to_numpy() if col in ids else ""
        msgs = [message] * len(rows) if isinstance(message, str) else list(message(rows))
        part["message"] = msgs
        self.parts.append(part)

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({c: pd.Series([], dtype=object) for c in VIOLATION_COLUMNS})
        out = pd.concat(self.parts, ignore_index=True)
        return out.astype(object).loc[:, list(VIOLATION_COLUMNS)]


def _g(v: float) -> str:
    return f"{float(v):.6g}"


def _each(fmt: Callable[..., str], *columns: str) -> Callable[[pd.DataFrame], list[str]]:
    """A message builder calling ``fmt`` with the named columns of each violating row."""

    def build(rows: pd.DataFrame) -> list[str]:
        arrays = [rows[c].to_numpy() for c in columns]
        return [fmt(*values) for values in zip(*arrays, strict=True)]

    return build


def check(
    scenario: Scenario,
    solution: SolutionTables | pd.DataFrame,
    tol: float = 1e-6,
) -> pd.DataFrame:
    """Every way a plan breaks the rules of ``docs/model.md``; an empty frame for a valid plan.

    Parameters
    ----------
    scenario:
        The input tables and parameters the plan was made for.
    solution:
        A solution (its ``flows`` are checked, its ``canteens`` figures and, when it has one,
        its one-row ``summary`` (territory totals and counts, after and before) compared with
        their recomputation from the flows) or a bare ``flows`` DataFrame.
    tol:
        Relative and absolute tolerance: ``a ≤ b`` holds when ``a ≤ b + tol·(1 + |b|)`` and
        ``a = b`` when ``|a − b| ≤ tol·(1 + max(|a|, |b|))``. A flow counts as positive (a drop,
        a lot) when ``qty > tol·(1 + demand qty)``.

    Returns
    -------
    DataFrame
        One row per violation: ``rule`` (a key of :data:`RULES`), ``canteen_id``,
        ``producer_id``, ``product_id``, ``week`` (``""`` where not relevant) and a ``message``
        with the figures (units as in the module docstring).
    """
    if isinstance(solution, pd.DataFrame):
        flows, reported = solution, None
    else:
        flows, reported = solution.flows, solution.canteens
    found = _Found()
    missing = [c for c in FLOW_COLUMNS if c not in flows.columns]
    if missing:
        empty = pd.DataFrame({c: [""] for c in VIOLATION_COLUMNS[1:5]})
        for col in missing:
            found.add("flows_table", empty, f"flows lack column '{col}'", ids=())
        if any(c in _KEY_COLUMNS for c in missing):
            return found.frame()
    ln = lines(scenario, flows, tol)
    _check_lines(scenario, ln, found, tol)
    _check_groups(scenario, ln, found, tol)
    figures = canteen_figures(scenario, ln, tol)
    _check_hard(scenario, figures, found, tol)
    if reported is not None:
        _check_canteens(scenario, figures, reported, found, tol)
    summary = getattr(solution, "summary", None)
    if isinstance(summary, pd.DataFrame):
        _check_summary(scenario, ln, figures, summary, found, tol)
    return found.frame()


def _check_lines(scenario: Scenario, ln: pd.DataFrame, found: _Found, tol: float) -> None:
    """Row-by-row rules: ids, supplier, signs, prices, labels, value, kg, distance, local."""
    producer, conventional = ln["is_producer"].to_numpy(), ln["is_conventional"].to_numpy()
    bad_supplier = ~(producer | conventional)
    found.add(
        "supplier",
        ln,
        _each(lambda s: f"supplier '{s}' is neither producer nor conventional", "supplier"),
        where=bad_supplier,
    )
    found.add(
        "supplier",
        ln,
        "a conventional purchase names a producer",
        where=conventional & (ln["producer_id"] != "").to_numpy(),
    )
    found.add(
        "supplier",
        ln,
        "a producer purchase names no producer",
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
        _each(lambda c: f"canteen '{c}' is not in the canteens table", "canteen_id"),
        where=unknown_canteen,
    )
    found.add(
        "unknown_id",
        ln,
        _each(lambda p: f"product '{p}' is not in the products table", "product_id"),
        where=unknown_product,
    )
    found.add(
        "unknown_id",
        ln,
        _each(lambda p: f"producer '{p}' is not in the producers table", "producer_id"),
        where=unknown_producer,
    )
    known = ~(unknown_canteen | unknown_product | unknown_producer | bad_supplier)

    keys = ["supplier", "producer_id", "canteen_id", "product_id", "week"]
    dup = ln.duplicated(keys, keep="first").to_numpy()
    found.add(
        "duplicate_line",
        ln,
        "another flow row has the same supplier, producer, canteen, product and week",
        where=dup,
    )

    qty = ln["qty"].to_numpy(float)
    negative = np.isnan(qty) | (qty < -tol)
    found.add(
        "negative_qty",
        ln,
        _each(lambda q: f"quantity {_g(q)} is negative or missing", "qty"),
        where=negative,
    )

    not_demanded = known & ln["demand_qty"].isna().to_numpy() & (np.abs(qty) > tol)
    found.add(
        "not_demanded",
        ln,
        _each(lambda q: f"{_g(q)} units delivered but the canteen demands none that week", "qty"),
        where=not_demanded,
    )

    no_offer = producer & known & ~ln["has_offer"].to_numpy()
    found.add("no_offer", ln, "the producer has no offer of this product this week", where=no_offer)
    checkable = known & ~no_offer

    if "price_eur_ht" in ln:
        wrong = checkable & _differs(ln["price_eur_ht"].to_numpy(float), ln["true_price"], tol)
        found.add(
            "price",
            ln,
            _each(
                lambda s, p, t: f"{s} price {_g(p)} EUR HT/unit, should be {_g(t)}",
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
            _each(lambda got, want: f"labels '{got}', should be '{want}'", "labels", "true_labels"),
            where=wrong,
        )
    if "family" in ln:
        wrong = checkable & (ln["family"] != ln["true_family"]).to_numpy()
        found.add(
            "family",
            ln,
            _each(lambda got, want: f"family '{got}', should be '{want}'", "family", "true_family"),
            where=wrong,
        )
    if "value_eur_ht" in ln and "price_eur_ht" in ln:
        should = qty * ln["price_eur_ht"].to_numpy(float)
        wrong = known & _differs(ln["value_eur_ht"].to_numpy(float), should, tol)
        if wrong.any():
            found.add(
                "value",
                ln[wrong].assign(should=should[wrong]),
                _each(
                    lambda v, s: f"value {_g(v)} EUR HT, qty × price = {_g(s)}",
                    "value_eur_ht",
                    "should",
                ),
            )
    if "qty_kg" in ln:
        wrong = known & _differs(ln["qty_kg"].to_numpy(float), ln["true_qty_kg"], tol)
        found.add(
            "qty_kg",
            ln,
            _each(
                lambda k, s: f"qty_kg {_g(k)}, qty × kg_per_unit = {_g(s)} kg",
                "qty_kg",
                "true_qty_kg",
            ),
            where=wrong,
        )
    if "distance_km" in ln:
        wrong = known & _differs(ln["distance_km"].to_numpy(float), ln["true_distance_km"], tol)
        found.add(
            "distance",
            ln,
            _each(
                lambda d, s: f"distance_km {_g(d)}, great-circle distance {_g(s)} km",
                "distance_km",
                "true_distance_km",
            ),
            where=wrong,
        )
    far = checkable & producer & _exceeds(ln["true_distance_km"], ln["radius_km"], tol)
    found.add(
        "radius",
        ln,
        _each(
            lambda d, r: f"canteen {_g(d)} km away, delivery radius {_g(r)} km",
            "true_distance_km",
            "radius_km",
        ),
        where=far,
    )
    if "local" in ln:
        flag = ln["local"].to_numpy(bool)
        wrong = known & ((flag & ~ln["local_high"].to_numpy()) | (~flag & ln["local_low"]))
        radius = scenario.parameters.local_radius_km
        rule = "every producer is local" if radius is None else f"local within {radius:g} km"
        found.add(
            "local",
            ln,
            _each(
                lambda s, f, d: f"{s} line flagged local={bool(f)} ({rule}; distance {_g(d)} km)",
                "supplier",
                "local",
                "true_distance_km",
            ),
            where=wrong,
        )


def _group(
    frame: pd.DataFrame,
    keys: Sequence[str],
    sums: dict[str, ArrayLike],
    firsts: Sequence[str] = (),
) -> pd.DataFrame:
    """One row per distinct ``keys`` of ``frame``, in order of first appearance.

    Columns: the keys, the ``firsts`` columns (value on the group's first row) and the group
    sums of the ``sums`` arrays (aligned with ``frame``'s rows). Numpy-based: fast on one row
    as on a million.
    """
    columns = [*keys, *firsts]
    if frame.empty:
        out = frame.loc[:, columns].reset_index(drop=True)
        for name in sums:
            out[name] = np.zeros(0)
        return out
    codes = np.zeros(len(frame), dtype=np.int64)
    for key in keys:
        key_codes, uniques = pd.factorize(frame[key].to_numpy(), sort=False)
        codes, _ = pd.factorize(codes * (len(uniques) + 1) + key_codes, sort=False)
    n_groups = int(codes.max()) + 1
    first = np.unique(codes, return_index=True)[1]
    out = frame.iloc[first].loc[:, columns].reset_index(drop=True)
    for name, values in sums.items():
        out[name] = np.bincount(codes, weights=np.asarray(values, float), minlength=n_groups)
    return out


def _check_groups(scenario: Scenario, ln: pd.DataFrame, found: _Found, tol: float) -> None:
    """Rules on sums: demand, offers, capacity, drops, franco, minimum lots."""
    qty = ln["qty"].fillna(0.0).to_numpy(float)
    # Demand: local + conventional = demand, on every demand row.
    dem = scenario.demand
    demand = pd.DataFrame(
        {
            "canteen_id": _text(dem["canteen_id"]).to_numpy(),
            "product_id": _text(dem["product_id"]).to_numpy(),
            "week": _text(dem["week"]).to_numpy(),
            "demand_qty": dem["qty"].to_numpy(dtype=float),
        }
    )
    keys = ["canteen_id", "product_id", "week"]
    sums = _group(
        ln,
        keys,
        {
            "local_qty": np.where(ln["is_producer"].to_numpy(bool), qty, 0.0),
            "conv_qty": np.where(ln["is_conventional"].to_numpy(bool), qty, 0.0),
        },
    )
    met = demand.merge(sums, on=keys, how="left").fillna({"local_qty": 0.0, "conv_qty": 0.0})
    got = met["local_qty"].to_numpy() + met["conv_qty"].to_numpy()
    wrong = _differs(got, met["demand_qty"].to_numpy(), tol)
    found.add(
        "demand",
        met,
        _each(
            lambda d, loc, conv: (
                f"demand {_g(d)}, delivered {_g(loc + conv)} (local {_g(loc)}"
                f" + conventional {_g(conv)})"
            ),
            "demand_qty",
            "local_qty",
            "conv_qty",
        ),
        ids=keys,
        where=wrong,
    )

    with_offer = ln["has_offer"].to_numpy(bool)
    if not with_offer.any():
        return
    prod = ln[with_offer]
    qty = prod["qty"].fillna(0.0).to_numpy(float)
    positive = qty > tol * (1.0 + prod["demand_qty"].fillna(0.0).to_numpy(float))

    # Offers.
    offer_keys = ["producer_id", "product_id", "week"]
    sold = _group(prod, offer_keys, {"qty": qty}, ["offer_qty"])
    found.add(
        "offer",
        sold,
        _each(lambda q, o: f"sold {_g(q)} of an offer of {_g(o)}", "qty", "offer_qty"),
        ids=offer_keys,
        where=_exceeds(sold["qty"], sold["offer_qty"], tol),
    )

    # Weekly capacity (kg) and drops.
    week_keys = ["producer_id", "week"]
    load = _group(prod, week_keys, {"kg": prod["true_qty_kg"].fillna(0.0)}, ["capacity_kg"])
    found.add(
        "capacity",
        load,
        _each(lambda k, c: f"{_g(k)} kg delivered, capacity {_g(c)} kg/week", "kg", "capacity_kg"),
        ids=week_keys,
        where=_exceeds(load["kg"], load["capacity_kg"], tol),
    )

    drop_keys = ["producer_id", "canteen_id", "week"]
    delivered = prod[positive]
    drops = _group(
        delivered,
        drop_keys,
        {"value": delivered["true_value"].fillna(0.0)},
        ["franco_eur_ht", "max_drops"],
    )
    count = _group(drops, week_keys, {"drops": np.ones(len(drops))}, ["max_drops"])
    found.add(
        "drops",
        count,
        _each(lambda n, m: f"{n:g} canteens delivered, at most {m:g} a week", "drops", "max_drops"),
        ids=week_keys,
        where=count["drops"].to_numpy() > count["max_drops"].to_numpy(),
    )
    found.add(
        "franco",
        drops,
        _each(
            lambda v, f: f"drop worth {_g(v)} EUR HT, minimum order {_g(f)} EUR HT",
            "value",
            "franco_eur_ht",
        ),
        ids=drop_keys,
        where=_exceeds(drops["franco_eur_ht"], drops["value"], tol),
    )

    # Minimum lots, on the quantity of an offer delivered to a canteen.
    lot_keys = ["producer_id", "canteen_id", "product_id", "week"]
    with_lot = (prod["min_lot"] > 0).to_numpy()
    lots = _group(
        prod[with_lot],
        lot_keys,
        {"qty": qty[with_lot], "positive": positive[with_lot]},
        ["min_lot"],
    )
    found.add(
        "min_lot",
        lots,
        _each(lambda q, lot: f"{_g(q)} units delivered, minimum lot {_g(lot)}", "qty", "min_lot"),
        ids=lot_keys,
        where=(lots["positive"].to_numpy() > 0) & _exceeds(lots["min_lot"], lots["qty"], tol),
    )


# -- per-canteen figures ----------------------------------------------------------------------


def canteen_figures(scenario: Scenario, flows: pd.DataFrame, tol: float = 1e-6) -> pd.DataFrame:
    """Per-canteen figures of a plan, recomputed from its flows and the inputs.

    ``flows`` is a flows table, or the frame :func:`lines` made of one. Values come from the
    flow quantities and the inputs' prices, labels and families (``true_*`` of :func:`lines`),
    counted by the EGalim rules of ``docs/egalim.md`` (this module's own code). Indexed by
    ``canteen_id`` (every canteen of the scenario), with the columns of
    :data:`CANTEEN_FIGURES` (EUR HT, fractions, bool) plus ``meat_fish_value_eur_ht`` (the
    meat-and-fish base), the labelled values ``quality_value_eur_ht``,
    ``organic_value_eur_ht``, ``meat_fish_labelled_eur_ht``, and ``budget_overrun_eur_ht`` =
    max(0, value − budget) (0 without a budget).

    Shortfalls are ``max(0, target × base − labelled value)`` in EUR HT, and in points of the
    base (0 where the base is 0); ``meets_*`` is True when the shortfall is within ``tol``.
    """
    ln = flows if "true_value" in flows.columns else lines(scenario, flows)
    canteen_index = pd.Index(_text(scenario.canteens["canteen_id"]), name="canteen_id")
    family = ln["true_family"].astype(object).where(ln["true_family"].notna(), ln.get("family", ""))
    family_code = family.astype(str).to_numpy()
    quality_line, organic_line = _label_flags(ln["true_labels"].astype(str))
    value_line = ln["true_value"].fillna(0.0).to_numpy(float)
    meat, fish = family_code == _MEAT, family_code == _FISH
    parts = {
        "value": value_line,
        "local": np.where(ln["is_local"].to_numpy(bool), value_line, 0.0),
        "quality": value_line * quality_line,
        "organic": value_line * organic_line,
        "meat": value_line * meat,
        "meat_q": value_line * (meat & quality_line),
        "fish": value_line * fish,
        "fish_q": value_line * (fish & quality_line),
    }
    acc = (
        pd.DataFrame(parts)
        .groupby(ln["canteen_id"].to_numpy(), sort=False)
        .sum()
        .reindex(canteen_index)
        .fillna(0.0)
    )

    out = _targets(scenario).reindex(canteen_index)
    value = acc["value"].to_numpy(float)
    quality = acc["quality"].to_numpy(float)
    organic = acc["organic"].to_numpy(float)
    meat_fish = (acc["meat"] + acc["fish"]).to_numpy(float)
    meat_fish_q = (acc["meat_q"] + acc["fish_q"]).to_numpy(float)

    dem = scenario.demand
    ref_price = scenario.products.set_index(_text(scenario.products["product_id"]))[
        "reference_price_eur_ht"
    ].astype(float)
    reference = (
        pd.Series(
            dem["qty"].to_numpy(float) * _text(dem["product_id"]).map(ref_price).to_numpy(float),
            index=_text(dem["canteen_id"]).to_numpy(),
        )
        .groupby(level=0)
        .sum()
        .reindex(canteen_index)
        .fillna(0.0)
        .to_numpy(float)
    )
    out["value_eur_ht"] = value
    out["reference_value_eur_ht"] = reference
    out["extra_cost_eur_ht"] = value - reference
    out["local_value_eur_ht"] = acc["local"].to_numpy(float)
    shares = {
        "share_local": (out["local_value_eur_ht"].to_numpy(float), value),
        "share_organic": (organic, value),
        "share_quality": (quality, value),
        "share_meat_fish": (meat_fish_q, meat_fish),
        "share_meat": (acc["meat_q"].to_numpy(float), acc["meat"].to_numpy(float)),
        "share_fish": (acc["fish_q"].to_numpy(float), acc["fish"].to_numpy(float)),
    }
    for share, (part, base) in shares.items():
        out[share] = _share(part, base)
    out["quality_value_eur_ht"] = quality
    out["organic_value_eur_ht"] = organic
    out["meat_fish_value_eur_ht"] = meat_fish
    out["meat_fish_labelled_eur_ht"] = meat_fish_q
    bases = {"quality": value, "organic": value, "meat_fish": meat_fish}
    labelled = {"quality": quality, "organic": organic, "meat_fish": meat_fish_q}
    for name in _TARGETS:
        need = out[f"target_{name}"].to_numpy(float) * bases[name]
        gap = need - labelled[name]
        out[f"shortfall_{name}_eur_ht"] = np.maximum(0.0, gap)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"shortfall_{name}_points"] = np.where(
                bases[name] > 0, np.maximum(0.0, gap) / bases[name], 0.0
            )
        out[f"meets_{name}"] = ~_exceeds(need, labelled[name], tol)
        # Within tolerance of the target either answer is right (but no base: it is met).
        out[f"_meets_{name}_sure"] = _differs(need, labelled[name], tol) | (bases[name] <= 0)
    budget = out["budget_eur_ht"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["budget_use"] = np.where(budget > 0, value / budget, np.nan)
    out["budget_use"] = np.where((budget == 0) & (value == 0), 0.0, out["budget_use"])
    out["budget_overrun_eur_ht"] = np.where(np.isnan(budget), 0.0, np.maximum(0.0, value - budget))
    return out


def _check_hard(scenario: Scenario, figures: pd.DataFrame, found: _Found, tol: float) -> None:
    """Hard mode: no EGalim shortfall (``hard_egalim``), no budget overrun (``hard_budget``)."""
    rows = figures.reset_index()
    if scenario.parameters.hard_egalim:
        bases = {
            "quality": "value_eur_ht",
            "organic": "value_eur_ht",
            "meat_fish": "meat_fish_value_eur_ht",
        }
        for name in _TARGETS:
            short = rows[f"shortfall_{name}_eur_ht"].to_numpy(float)
            base = rows[bases[name]].to_numpy(float)
            bad = short > tol * (1.0 + base)
            found.add(
                "egalim_hard",
                rows,
                _each(
                    lambda s, t, n=name: f"{n} shortfall {_g(s)} EUR HT (target {_g(t)})",
                    f"shortfall_{name}_eur_ht",
                    f"target_{name}",
                ),
                ids=("canteen_id",),
                where=bad,
            )
    if scenario.parameters.hard_budget:
        bad = _exceeds(rows["value_eur_ht"].to_numpy(float), rows["budget_eur_ht"], tol)
        found.add(
            "budget_hard",
            rows,
            _each(
                lambda v, b: f"spends {_g(v)} EUR HT, budget {_g(b)} EUR HT",
                "value_eur_ht",
                "budget_eur_ht",
            ),
            ids=("canteen_id",),
            where=bad,
        )


def _check_canteens(
    scenario: Scenario,
    figures: pd.DataFrame,
    reported: pd.DataFrame,
    found: _Found,
    tol: float,
) -> None:
    """Compare the reported canteens table with :func:`canteen_figures`."""
    table = reported.reset_index() if "canteen_id" not in reported.columns else reported
    if "canteen_id" not in table.columns:
        table = table.rename(columns={table.columns[0]: "canteen_id"})
    table = table.assign(canteen_id=_text(table["canteen_id"]))
    empty = pd.DataFrame({c: [""] for c in VIOLATION_COLUMNS[1:5]})
    for col in CANTEEN_FIGURES:
        if col not in table.columns:
            found.add("canteens_table", empty, f"canteens table lacks column '{col}'", ids=())
    demanded = set(_text(scenario.demand["canteen_id"]))
    listed = set(table["canteen_id"])
    absent = figures.reset_index()
    absent = absent[absent["canteen_id"].isin(demanded - listed).to_numpy()]
    found.add(
        "canteens_table",
        absent,
        "canteen with demand missing from the canteens table",
        ids=("canteen_id",),
    )
    rep = table.drop_duplicates("canteen_id").set_index("canteen_id")
    mine = figures.loc[figures.index.intersection(rep.index)]
    rep = rep.loc[mine.index]
    rows = mine.reset_index()
    for col in CANTEEN_FIGURES:
        if col not in rep.columns:
            continue
        want = mine[col].to_numpy()
        if col.startswith("meets_"):
            got = _flag(rep[col])
            sure = mine[f"_{col}_sure"].to_numpy(bool)
            bad = sure & (got != want.astype(bool))
        else:
            got = pd.to_numeric(rep[col], errors="coerce").to_numpy(dtype=float)
            want_f = want.astype(float)
            bad = _differs(got, want_f, tol)
            if col.endswith("_points") or col == "budget_use":
                # NaN and 0 both say "no base".
                bad &= ~(np.isnan(got) & (np.nan_to_num(want_f) == 0.0))
        if not bad.any():
            continue
        found.add(
            "canteen_figure",
            rows[bad].assign(got=got[bad], want=want[bad]),
            _each(lambda g, w, c=col: f"{c} reported {g}, recomputed {w}", "got", "want"),
            ids=("canteen_id",),
        )


def territory_figures(
    scenario: Scenario, ln: pd.DataFrame, figures: pd.DataFrame
) -> tuple[dict[str, float], dict[str, tuple[int, int]]]:
    """Territory totals of a plan and the range of each count of canteens meeting a target.

    ``ln`` and ``figures`` are :func:`lines` and :func:`canteen_figures` of the plan. Totals:
    ``value_eur_ht``, ``local_value_eur_ht`` (EUR HT), ``share_local``, ``share_local_kg``,
    ``share_organic``, ``share_quality``, ``share_meat_fish`` (fractions). Counts
    ``canteens_meeting_{quality,organic,meat_fish,all}``: (least, most), the two differing by
    the canteens within tolerance of a target, where either answer is right.
    """
    value = float(figures["value_eur_ht"].sum())
    local_value = float(figures["local_value_eur_ht"].sum())
    kg = ln["true_qty_kg"].fillna(0.0).to_numpy(float)
    local_kg = float(kg[ln["is_local"].to_numpy(bool)].sum())
    meat_fish = float(figures["meat_fish_value_eur_ht"].sum())
    totals = {
        "value_eur_ht": value,
        "local_value_eur_ht": local_value,
        "share_local": float(_share(local_value, value)),
        "share_local_kg": local_kg / max(float(kg.sum()), 1e-6),
        "share_organic": float(_share(figures["organic_value_eur_ht"].sum(), value)),
        "share_quality": float(_share(figures["quality_value_eur_ht"].sum(), value)),
        "share_meat_fish": float(_share(figures["meat_fish_labelled_eur_ht"].sum(), meat_fish)),
    }
    meets = {n: figures[f"meets_{n}"].to_numpy(bool) for n in _TARGETS}
    sure = {n: figures[f"_meets_{n}_sure"].to_numpy(bool) for n in _TARGETS}
    counts = {
        f"canteens_meeting_{n}": (int((meets[n] & sure[n]).sum()), int((meets[n] | ~sure[n]).sum()))
        for n in _TARGETS
    }
    all_low = np.logical_and.reduce([meets[n] & sure[n] for n in _TARGETS])
    all_high = np.logical_and.reduce([meets[n] | ~sure[n] for n in _TARGETS])
    counts["canteens_meeting_all"] = (int(all_low.sum()), int(all_high.sum()))
    return totals, counts


def _check_summary(
    scenario: Scenario,
    ln: pd.DataFrame,
    figures: pd.DataFrame,
    summary: pd.DataFrame,
    found: _Found,
    tol: float,
) -> None:
    """Compare a solution's summary row with the territory figures recomputed here.

    After: the plan's totals, counts, shortfalls and extra cost. Before: the
    same for the all-conventional plan (every demand row at reference price, no label), built
    here from the demand table. Sizes: canteens, producers, products.
    """
    if summary.empty:
        return
    row = summary.iloc[0]
    conventional = pd.DataFrame(
        {
            "supplier": CONVENTIONAL,
            "producer_id": "",
            "canteen_id": scenario.demand["canteen_id"].to_numpy(),
            "product_id": scenario.demand["product_id"].to_numpy(),
            "week": scenario.demand["week"].to_numpy(),
            "qty": scenario.demand["qty"].to_numpy(float),
        }
    )
    before_ln = lines(scenario, conventional, tol)
    before_fig = canteen_figures(scenario, before_ln, tol)
    want: dict[str, float] = {}
    ranges: dict[str, tuple[int, int]] = {}
    for suffix, (lns, figs) in {"": (ln, figures), "_before": (before_ln, before_fig)}.items():
        totals, counts = territory_figures(scenario, lns, figs)
        want |= {f"{k}{suffix}": v for k, v in totals.items()}
        ranges |= {f"{k}{suffix}": v for k, v in counts.items()}
    extra = want["value_eur_ht"] - want["value_eur_ht_before"]
    want["extra_cost_eur_ht"] = extra
    want["extra_cost_share"] = extra / max(want["value_eur_ht_before"], 1e-9)
    for name in _TARGETS:
        want[f"shortfall_{name}_eur_ht"] = float(figures[f"shortfall_{name}_eur_ht"].sum())
    sizes = {"canteens": scenario.canteens, "producers": scenario.producers}
    ranges |= {k: (len(t), len(t)) for k, t in sizes.items()}
    ranges["products"] = (len(scenario.products), len(scenario.products))
    wrong: list[str] = []
    for col, value in want.items():
        if col in row.index and _differs(float(row[col]), value, tol).item():
            wrong.append(f"{col} reported {row[col]}, recomputed {_g(value)}")
    for col, (low, high) in ranges.items():
        if col in row.index and not low <= int(row[col]) <= high:
            shown = f"{low}" if low == high else f"{low} to {high}"
            wrong.append(f"{col} reported {row[col]}, recomputed {shown}")
    empty = pd.DataFrame({c: [""] * len(wrong) for c in VIOLATION_COLUMNS[1:5]})
    found.add("summary_figure", empty, lambda _: wrong, ids=())


# -- objective --------------------------------------------------------------------------------


def objective_from_flows(scenario: Scenario, flows: pd.DataFrame) -> float:
    """The objective of ``docs/model.md`` for the plan given by ``flows`` (dimensionless).

    ``W_S Σ_c (s^Q + s^O + s^M) + W_B Σ_c e − W_L Σ_a ℓ r x − W_O Σ_a b r x
    + W_C (Σ_a π x + Σ_d r v) + W_D Σ_a δ m x``, with the weights of
    ``scenario.parameters.weights``. Shortfalls take their least values
    ``max(0, T·V − labelled value)`` (EUR HT) and overruns ``max(0, V − B)``; ``x`` are the
    producer rows' quantities, ``v`` the conventional ones', priced, labelled, located and
    weighed from the input tables (see :func:`lines`).
    """
    w = scenario.parameters.weights
    ln = flows if "true_value" in flows.columns else lines(scenario, flows)
    figures = canteen_figures(scenario, ln)
    qty = ln["qty"].fillna(0.0).to_numpy(float)
    producer = ln["is_producer"].to_numpy(bool)
    reference_value = qty * ln["reference_price"].fillna(0.0).to_numpy(float)
    organic = _label_flags(ln["true_labels"].astype(str))[1]
    shortfall = sum(float(figures[f"shortfall_{n}_eur_ht"].sum()) for n in _TARGETS)
    overrun = float(figures["budget_overrun_eur_ht"].sum())
    local_gain = float(reference_value[producer & ln["is_local"].to_numpy(bool)].sum())
    organic_gain = float(reference_value[producer & organic].sum())
    cost = float(ln["true_value"].fillna(0.0).sum())
    kg_km = float(
        np.nansum(
            np.where(producer, ln["true_qty_kg"].to_numpy(float), 0.0)
            * np.nan_to_num(ln["true_distance_km"].to_numpy(float))
        )
    )
    return (
        w.egalim_shortfall * shortfall
        + w.budget_overrun * overrun
        - w.local * local_gain
        - w.organic * organic_gain
        + w.cost * cost
        + w.distance * kg_km
    )
