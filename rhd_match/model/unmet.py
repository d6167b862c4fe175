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
    ids = {
        "canteen_id": index.canteen_ids[arcs["canteen"].to_numpy()],
        "producer_id": index.producer_ids[arcs["producer"].to_numpy()],
        "product_id": index.product_ids[arcs["product"].to_numpy()],
        "week": index.weeks[arcs["week"].to_numpy()],
    }
    cand = pd.DataFrame(ids)
    local = flows[flows["supplier"] == PRODUCER]
    sold = local.groupby(["producer_id", "product_id", "week"])["qty"].sum()
    kg = local.groupby(["producer_id", "week"])["qty_kg"].sum()
    drops = local.groupby(["producer_id", "week"])["canteen_id"].nunique()

    offer_qty = index.offers["qty"].to_numpy()[arcs["offer"].to_numpy()]
    key_pkw = pd.MultiIndex.from_frame(cand[["producer_id", "product_id", "week"]])
    key_pw = pd.MultiIndex.from_frame(cand[["producer_id", "week"]])
    stock_left = offer_qty - sold.reindex(key_pkw).fillna(0.0).to_numpy()
    p = arcs["producer"].to_numpy()
    cap_left = (
        index.producers["capacity_kg"].to_numpy()[p] - kg.reindex(key_pw).fillna(0.0).to_numpy()
    )
    drops_left = (
        index.producers["max_drops"].to_numpy()[p] - drops.reindex(key_pw).fillna(0).to_numpy()
    )
    pcw = ["producer_id", "canteen_id", "week"]
    open_drop = pd.MultiIndex.from_frame(cand[pcw]).isin(pd.MultiIndex.from_frame(local[pcw]))
    has_stock = stock_left > TOL
    has_cap = has_stock & (cap_left > TOL)
    has_drop = has_cap & (open_drop | (drops_left > 0))
    # Franco is the reason only when even all that is left could not pay the minimum order.
    conv_qty = conv.groupby(["canteen_id", "product_id", "week"])["qty"].sum()
    still_needed = (
        conv_qty.reindex(pd.MultiIndex.from_frame(cand[["canteen_id", "product_id", "week"]]))
        .fillna(0.0)
        .to_numpy()
    )
    potential = (
        np.minimum(np.clip(stock_left, 0, None), still_needed) * arcs["producer_price"].to_numpy()
    )
    drop_potential = (
        pd.Series(potential).groupby(arcs["drop"].to_numpy()).transform("sum").to_numpy()
    )
    franco_ok = open_drop | (drop_potential >= index.producers["franco"].to_numpy()[p] - TOL)
    no_franco_issue = has_drop & franco_ok
    stages = pd.DataFrame(
        {
            "canteen_id": cand["canteen_id"],
            "product_id": cand["product_id"],
            "week": cand["week"],
            "any": True,
            "stock": has_stock,
            "cap": has_cap,
            "drop": has_drop,
            "franco": no_franco_issue,
        }
    )
    reach = stages.groupby(["canteen_id", "product_id", "week"]).any()
    key = pd.MultiIndex.from_frame(conv[["canteen_id", "product_id", "week"]])
    found = reach.reindex(key).fillna(False).astype(bool)
    small = index.below_franco_demand
    small_keys = pd.MultiIndex.from_arrays(
        [
            index.canteen_ids[index.demand["canteen"].to_numpy()[small]],
            index.product_ids[index.demand["product"].to_numpy()[small]],
            index.weeks[index.demand["week"].to_numpy()[small]],
        ]
    )
    only_small = ~found["any"].to_numpy() & key.isin(small_keys)
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
