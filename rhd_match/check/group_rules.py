"""Group rules: demand rows met exactly, offers, weekly capacity and drops, franco per drop
and minimum lots, each recomputed from the enriched lines.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ..i18n import gettext as _
from ..i18n import ngettext
from ..inputs.scenario import Scenario
from .contract import Found, differs, each_row, exceeds, number
from .line_rules import as_text


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


def check_groups(scenario: Scenario, ln: pd.DataFrame, found: Found, tol: float) -> None:
    """Rules on sums: demand, offers, capacity, drops, franco, minimum lots.

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
    qty = ln["qty"].fillna(0.0).to_numpy(float)
    # Demand: producers + market + conventional = demand, on every demand row.
    dem = scenario.demand
    demand = pd.DataFrame(
        {
            "canteen_id": as_text(dem["canteen_id"]).to_numpy(),
            "product_id": as_text(dem["product_id"]).to_numpy(),
            "week": as_text(dem["week"]).to_numpy(),
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
            "market_qty": np.where(ln["is_market"].to_numpy(bool), qty, 0.0),
        },
    )
    met = demand.merge(sums, on=keys, how="left").fillna(
        {"local_qty": 0.0, "conv_qty": 0.0, "market_qty": 0.0}
    )
    got = met["local_qty"].to_numpy() + met["conv_qty"].to_numpy() + met["market_qty"].to_numpy()
    wrong = differs(got, met["demand_qty"].to_numpy(), tol)
    found.add(
        "demand",
        met,
        each_row(
            lambda d, loc, mkt, conv: _(
                "demand {demand}, delivered {delivered} (producers {producers} + market "
                "{market} + conventional {conventional})"
            ).format(
                demand=number(d),
                delivered=number(loc + mkt + conv),
                producers=number(loc),
                market=number(mkt),
                conventional=number(conv),
            ),
            "demand_qty",
            "local_qty",
            "market_qty",
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
        each_row(
            lambda q, o: _("sold {qty} of an offer of {offer}").format(
                qty=number(q), offer=number(o)
            ),
            "qty",
            "offer_qty",
        ),
        ids=offer_keys,
        where=exceeds(sold["qty"], sold["offer_qty"], tol),
    )

    # Weekly capacity (kg) and drops.
    week_keys = ["producer_id", "week"]
    load = _group(prod, week_keys, {"kg": prod["true_qty_kg"].fillna(0.0)}, ["capacity_kg"])
    found.add(
        "capacity",
        load,
        each_row(
            lambda k, c: _("{kg} kg delivered, capacity {capacity} kg/week").format(
                kg=number(k), capacity=number(c)
            ),
            "kg",
            "capacity_kg",
        ),
        ids=week_keys,
        where=exceeds(load["kg"], load["capacity_kg"], tol),
    )

    # A drop goes to a canteen or, for what a producer brings to its hub, to the hub: one drop
    # a week whose franco is paid by the hub's whole order, at the offer's price. It is made
    # when one of its lines is positive, and its value is every line it carries, as the
    # producer invoices it: a line of 1 g beside a 1,000 kg demand is noise alone, but it
    # can be what brings the order up to the franco.
    drop_keys = ["producer_id", "drop_to", "week"]
    drops = _group(
        prod,
        drop_keys,
        {"value": prod["producer_value"].fillna(0.0), "positive": positive},
        ["franco_eur_ht", "max_drops"],
    ).rename(columns={"drop_to": "canteen_id"})
    drops = drops[drops["positive"].to_numpy() > 0].reset_index(drop=True)
    drop_keys[1] = "canteen_id"
    count = _group(drops, week_keys, {"drops": np.ones(len(drops))}, ["max_drops"])
    found.add(
        "drops",
        count,
        each_row(
            lambda n, m: ngettext(
                "{n} canteen delivered, at most {max} a week",
                "{n} canteens delivered, at most {max} a week",
                int(n),
            ).format(n=number(n), max=number(m)),
            "drops",
            "max_drops",
        ),
        ids=week_keys,
        where=count["drops"].to_numpy() > count["max_drops"].to_numpy(),
    )
    found.add(
        "franco",
        drops,
        each_row(
            lambda v, f: _(
                "drop worth {value} EUR excl. VAT, minimum order {franco} EUR excl. VAT"
            ).format(value=number(v), franco=number(f)),
            "value",
            "franco_eur_ht",
        ),
        ids=drop_keys,
        where=exceeds(drops["franco_eur_ht"], drops["value"], tol),
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
        each_row(
            lambda q, lot: _("{qty} units delivered, minimum lot {lot}").format(
                qty=number(q), lot=number(lot)
            ),
            "qty",
            "min_lot",
        ),
        ids=lot_keys,
        where=(lots["positive"].to_numpy() > 0) & exceeds(lots["min_lot"], lots["qty"], tol),
    )
