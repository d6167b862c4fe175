"""Why demand went to the conventional supplier: one reason per conventional purchase line."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..i18n import gettext as _
from ..plan.solution import REASONS
from ..plan.tables import CONVENTIONAL, PRODUCER, TOL
from .index import ModelIndex


def unmet_local_table(index: ModelIndex, flows: pd.DataFrame) -> pd.DataFrame:
    """Conventional purchases with the reason local supply did not cover them.

    Each line gets the first reason of ``REASONS`` that holds for it, tested in that order.

    Parameters
    ----------
    index
        The model's index tables (arcs, offers, ids) of the scenario that was solved.
    flows
        The plan's ``flows``: one row per purchase line, keyed by ``canteen_id``,
        ``product_id``, ISO ``week`` and ``producer_id``, with ``supplier``, ``qty`` (product
        unit) and ``qty_kg``.

    Returns
    -------
    pandas.DataFrame
        One row per conventional purchase line: ``canteen_id``, ``product_id``, ``week``,
        ``qty`` (product unit), ``value_eur_ht`` (EUR HT), ``reason`` (a key of
        ``REASONS``) and ``explanation`` (its sentence, in the active language).
    """
    conv = flows[flows["supplier"] == CONVENTIONAL]
    columns = ["canteen_id", "product_id", "week", "qty", "value_eur_ht", "reason", "explanation"]
    if conv.empty:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in columns})
    arcs = index.arcs[~index.arcs["market"].to_numpy()]  # why no local producer sold it
    # Keys as integer codes over the model's ids (string keys cost most of the table's time).
    # Mixed radix by hand: np.ravel_multi_index makes the same keys 4 times slower (bounds checks).
    n_can, n_prod, n_week = len(index.canteen_ids), len(index.product_ids), len(index.weeks)
    c, p = arcs["canteen"].to_numpy(np.int64), arcs["producer"].to_numpy(np.int64)
    d, w = arcs["product"].to_numpy(np.int64), arcs["week"].to_numpy(np.int64)
    local = flows[flows["supplier"] == PRODUCER]
    lc, lp, ld, lw = _codes(index, local)
    known = (lc >= 0) & (lp >= 0) & (ld >= 0) & (lw >= 0)
    lc, lp, ld, lw = lc[known], lp[known], ld[known], lw[known]
    pw, l_pw = p * n_week + w, lp * n_week + lw
    pdw, l_pdw = pw * n_prod + d, l_pw * n_prod + ld
    pcw, l_pcw = pw * n_can + c, l_pw * n_can + lc
    sold = _sums_at(l_pdw, local["qty"].to_numpy(float)[known], pdw)
    kg = _sums_at(l_pw, local["qty_kg"].to_numpy(float)[known], pw)
    delivered = np.unique(l_pcw)
    drops = _sums_at(delivered // n_can, np.ones(len(delivered)), pw)

    stock_left = index.offers["qty"].to_numpy()[arcs["offer"].to_numpy()] - sold
    cap_left = index.producers["capacity_kg"].to_numpy()[p] - kg
    drops_left = index.producers["max_drops"].to_numpy()[p] - drops
    open_drop = np.isin(pcw, delivered)
    has_stock = stock_left > TOL
    has_cap = has_stock & (cap_left > TOL)
    has_drop = has_cap & (open_drop | (drops_left > 0))
    # Franco is the reason only when even all that is left could not pay the minimum order.
    cc, _none, cd, cw = _codes(index, conv)
    in_index = (cc >= 0) & (cd >= 0) & (cw >= 0)
    # Lines whose ids the model lacks get a key no arc or demand row has.
    cdw = (c * n_prod + d) * n_week + w
    c_cdw = np.where(in_index, (cc * n_prod + cd) * n_week + cw, -1)
    still_needed = _sums_at(c_cdw, conv["qty"].to_numpy(float), cdw)
    potential = (
        np.minimum(np.clip(stock_left, 0, None), still_needed) * arcs["producer_price"].to_numpy()
    )
    drop_potential = (
        pd.Series(potential).groupby(arcs["drop"].to_numpy()).transform("sum").to_numpy()
    )
    franco_ok = open_drop | (drop_potential >= index.producers["franco"].to_numpy()[p] - TOL)
    no_franco_issue = has_drop & franco_ok
    # Per conventional line: some candidate arc of its canteen, product and week passes.
    found = {
        "any": np.isin(c_cdw, cdw),
        "stock": np.isin(c_cdw, cdw[has_stock]),
        "cap": np.isin(c_cdw, cdw[has_cap]),
        "drop": np.isin(c_cdw, cdw[has_drop]),
        "franco": np.isin(c_cdw, cdw[no_franco_issue]),
    }
    demand, below = index.demand, index.below_franco_demand
    small = (
        demand["canteen"].to_numpy(np.int64)[below] * n_prod
        + demand["product"].to_numpy(np.int64)[below]
    ) * n_week + demand["week"].to_numpy(np.int64)[below]
    only_small = ~found["any"] & np.isin(c_cdw, small)
    reason = np.select(
        [
            only_small,
            ~found["any"],
            ~found["stock"],
            ~found["cap"],
            ~found["drop"],
            ~found["franco"],
        ],
        ["franco", "no_offer_in_range", "offer_exhausted", "capacity", "drops", "franco"],
        default="optimiser_choice",
    )
    out = conv[["canteen_id", "product_id", "week", "qty", "value_eur_ht"]].reset_index(drop=True)
    out["reason"] = pd.Series(reason, dtype="str")
    # The sentence for people, in the active language; ``reason`` is the key for programs.
    out["explanation"] = out["reason"].map({k: _(v) for k, v in REASONS.items()}).astype("str")
    return out


def _codes(
    index: ModelIndex, lines: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The canteen, producer, product and week codes of ``lines`` in ``index`` (−1 for an id
    it does not hold; no producer column: all −1), each of shape (lines,)."""
    producers = (
        pd.Index(index.producer_ids).get_indexer(lines["producer_id"])
        if "producer_id" in lines
        else np.full(len(lines), -1)
    )
    return (
        pd.Index(index.canteen_ids).get_indexer(lines["canteen_id"]),
        producers,
        pd.Index(index.product_ids).get_indexer(lines["product_id"]),
        pd.Index(index.weeks).get_indexer(lines["week"]),
    )


def _sums_at(keys: np.ndarray, weights: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The sum of ``weights`` over each key of ``at`` among ``keys`` (0 where it has none).

    Parameters
    ----------
    keys, weights
        One integer key and one weight per line, shape (lines,).
    at
        The integer keys to look up, shape (n,).

    Returns
    -------
    numpy.ndarray
        Float sums, shape (n,).
    """
    unique, inverse = np.unique(keys, return_inverse=True)
    if not len(unique):
        return np.zeros(len(at))
    sums = np.bincount(inverse, weights, len(unique))
    position = np.minimum(np.searchsorted(unique, at), len(unique) - 1)
    return np.where(unique[position] == at, sums[position], 0.0)
