"""The checker's contract: the rules it reports, the columns it reads, its tolerances and
the violations table it builds.

The flows contract (:data:`FLOW_COLUMNS`, the supplier words) is a copy of
:mod:`rhd_match.plan.tables`' on purpose: the checker depends on the inputs only, so that a
change to the plan tables or the optimiser cannot change what the checker accepts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from ..i18n import decimal_sign

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
    "supplier": "supplier is not 'producer', 'market' or 'conventional', or its producer_id, "
    "market_id or supplier_id is wrong",
    "unknown_id": "a canteen, product, producer or market option id not in the input tables",
    "duplicate_line": "two flow rows for the same supplier, option, hub, canteen, product and week",
    "negative_qty": "a negative quantity",
    "not_demanded": "a flow for a canteen, product and week with no demand row",
    "demand": "producer + market + conventional quantity differs from the demand (product unit)",
    "no_offer": "a producer flow with no offer of that product that week",
    "offer": "a producer sells more of an offer than its quantity (product unit)",
    "price": "price differs from the offer's or market option's (reference price, conventional)",
    "labels": "labels differ from the offer's or market option's (conventional: none)",
    "market_product": "a market purchase of another product than its market option's",
    "market_week": "a market purchase outside its option's first and last ISO week",
    "market_canteen": "a market purchase by a canteen its option is not open to",
    "market_limit": "a market option sold more in a week than its weekly limit (product unit)",
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
    "hub_supplier": "a market or conventional purchase names a hub",
    "hub_member": "a purchase through a hub from a producer that does not bring to it",
    "hub_radius": "a canteen farther from its hub than the hub's delivery radius (km)",
    "hub_capacity": "kg handled by a hub in a week above its capacity or its fleet's",
    "hub_min_drop": "a hub's delivery to a canteen in a week below the hub's minimum (kg)",
    "canteen_figure": "a figure of the canteens table differs from its recomputation",
    "summary_figure": "a territory figure or count of the summary differs from its recomputation",
    "menu_table": "demand names groups of products and the plan has no menu as planned",
    "menu_product": "a menu line whose product does not serve that group, canteen and week",
    "menu_week": "a menu line outside its product's first and last ISO week in the group",
    "menu_share": "a product serves more of a group's demand row than its max_share",
    "menu_total": "a group's demand row not served in full (group's unit of account)",
    "egalim_hard": "hard EGalim mode and a canteen falls short of a target",
    "budget_hard": "hard budget mode and a canteen spends more than its budget",
}

#: Columns a flows table must have (docs/model.md, "Solution tables"). A copy, on purpose, of
#: rhd_match.plan.tables.FLOW_COLUMNS: the checker reads the documented contract, not the code
#: that writes plans, so a change there shows up here as a violation.
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
#: ``hub_id`` is read when present (``hub_rules``): a flows table without it is all direct.
KEY_COLUMNS = ("supplier", "producer_id", "canteen_id", "product_id", "week", "qty")

#: Per-canteen figures recomputed by :func:`canteen_figures` and compared by :func:`check`.
CANTEEN_FIGURES: tuple[str, ...] = (
    "value_eur_ht",
    "reference_value_eur_ht",
    "extra_cost_eur_ht",
    "local_value_eur_ht",
    "share_local",
    "share_market",
    "share_conventional",
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
TARGETS = ("quality", "organic", "meat_fish")

#: The supplier words of the flows contract (copies, as FLOW_COLUMNS).
PRODUCER = "producer"
CONVENTIONAL = "conventional"

# EGalim rules restated from docs/egalim.md (sources there), on purpose apart from
# rhd_match.egalim: every label code of the law counts once toward the quality share, BIO alone
# toward the organic share, and the meat-and-fish share is over these two families only.
EGALIM_LABELS = frozenset(
    ["BIO", "LABEL_ROUGE", "AOCAOP", "IGP", "STG", "HVE", "PECHE_DURABLE", "RUP",
     "COMMERCE_EQUITABLE", "FERMIER", "EXTERNALITES", "PERFORMANCE"]
)  # fmt: skip
ORGANIC = "BIO"
MEAT, FISH = "VIANDES_VOLAILLES", "PRODUITS_DE_LA_MER"


class SolutionTables(Protocol):
    """What ``check`` reads from a solution: ``flows``, ``canteens`` (``summary`` if any)."""

    @property
    def flows(self) -> pd.DataFrame:
        """One row per purchase line (the flows contract, ``FLOW_COLUMNS``)."""
        ...

    @property
    def canteens(self) -> pd.DataFrame:
        """One row per canteen: the figures reported for it (``CANTEEN_FIGURES``)."""
        ...


# -- tolerances -------------------------------------------------------------------------------


def differs(a: ArrayLike, b: ArrayLike, tol: float) -> NDArray[np.bool_]:
    """``|a − b| > tol·(1 + max(|a|, |b|))``; NaN equals NaN only.

    Parameters
    ----------
    a, b
        Figures to compare, of one shape (or broadcastable).
    tol
        Relative and absolute tolerance.

    Returns
    -------
    numpy.ndarray
        Bool per element: the two differ beyond ``tol``.
    """
    x, y = np.asarray(a, float), np.asarray(b, float)
    nan_x, nan_y = np.isnan(x), np.isnan(y)
    scale = 1.0 + np.maximum(np.abs(np.nan_to_num(x)), np.abs(np.nan_to_num(y)))
    with np.errstate(invalid="ignore"):
        far = np.abs(x - y) > tol * scale
    return np.asarray(np.where(nan_x | nan_y, nan_x != nan_y, far), dtype=np.bool_)


def exceeds(a: ArrayLike, limit: ArrayLike, tol: float) -> NDArray[np.bool_]:
    """``a > limit + tol·(1 + |limit|)`` (False where either is NaN).

    Parameters
    ----------
    a
        Figures to hold against ``limit``.
    limit
        The limits, of the shape of ``a`` (or broadcastable).
    tol
        Relative and absolute tolerance.

    Returns
    -------
    numpy.ndarray
        Bool per element: ``a`` is above ``limit`` beyond ``tol``.
    """
    x, lim = np.asarray(a, float), np.asarray(limit, float)
    with np.errstate(invalid="ignore"):
        return np.asarray(x > lim + tol * (1.0 + np.abs(lim)), dtype=np.bool_)


# -- violations -------------------------------------------------------------------------------


class Found:
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
        """Add one violation per row of ``rows`` (only those where ``where`` is True).

        Parameters
        ----------
        rule
            The rule broken (a key of ``RULES``).
        rows
            The rows that break it, with the id columns named in ``ids``.
        message
            One text for all, or a builder of one text per row (``each_row``).
        ids
            The id columns the violation names; the others are left ``""``.
        where
            Bool per row of ``rows``: those that break the rule; all when None.
        """
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


def number(v: float) -> str:
    """A figure in a violation message: six significant digits.

    Parameters
    ----------
    v
        The figure.

    Returns
    -------
    str
        ``v`` written with ``.6g``, with the active language's decimal sign (``13,2`` in
        French).
    """
    return f"{float(v):.6g}".replace(".", decimal_sign())


def each_row(fmt: Callable[..., str], *columns: str) -> Callable[[pd.DataFrame], list[str]]:
    """A message builder calling ``fmt`` with the named columns of each violating row.

    Parameters
    ----------
    fmt
        Builds one message from the values of ``columns`` in one row.
    *columns
        The columns of the violating rows passed to ``fmt``, in order.

    Returns
    -------
    Callable
        Takes the violating rows (a DataFrame) and returns one message per row.
    """

    def build(rows: pd.DataFrame) -> list[str]:
        arrays = [rows[c].to_numpy() for c in columns]
        return [fmt(*values) for values in zip(*arrays, strict=True)]

    return build
