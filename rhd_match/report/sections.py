"""The sections of the HTML report below its headline: canteens against the EGalim targets,
shares by ISO week, producers' use of their capacity, the map of the plan, and the demand
left to the conventional supplier. Each returns its HTML; ``html`` assembles the page.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..inputs.scenario import Scenario
from ..plan.solution import REASONS, Solution
from ..weeks import month_label, week_thursday
from .charts import Bar, Panel, RefLine, Series, bar_panels, heatmap, line_chart
from .drawing import (
    BLUE,
    GREEN,
    INK,
    NOT_OK,
    OK,
    ORANGE,
    VERMILION,
    pct,
    short_number,
    shorten,
)
from .figures import all_weeks, flow_links, unmet_by_product_month, weekly_shares
from .html_format import (
    MAP_LABELS,
    MAX_CANTEEN_ROWS,
    MAX_HEATMAP_ROWS,
    MAX_PRODUCER_ROWS,
    REASON_LABELS,
    TOP_FLOWS,
    as_float,
    empty_chart,
    esc,
    fmt_eur,
    fmt_kg,
    fmt_share,
    fmt_signed_eur,
    html_table,
)
from .map_chart import MapLink, MapPoint, map_chart

# -- canteens -----------------------------------------------------------------------------------


def canteens_section(scenario: Scenario, solution: Solution) -> str:
    """The page's canteen section: each canteen's EGalim shares against its targets (chart and
    sortable table).

    Parameters
    ----------
    scenario
        The scenario (targets).
    solution
        The plan (its ``canteens`` table).

    Returns
    -------
    str
        The section's HTML.
    """
    can = solution.canteens.copy()
    shortfall = (
        can["shortfall_quality_points"]
        + can["shortfall_organic_points"]
        + can["shortfall_meat_fish_points"]
    )
    note = ""
    if len(can) > MAX_CANTEEN_ROWS:
        keep = shortfall.sort_values(ascending=False, kind="stable").index[:MAX_CANTEEN_ROWS]
        note = (
            f'<p class="note">The {MAX_CANTEEN_ROWS} canteens farthest from their targets '
            f"are drawn, out of {len(can)}; the table below lists them all.</p>"
        )
        shown = can.loc[sorted(keep)]
    else:
        shown = can
    names = shown["name"].astype(str).tolist()
    ids = shown["canteen_id"].astype(str).tolist()
    panels = []
    for key, label in (
        ("quality", "Quality and sustainable"),
        ("organic", "Organic"),
        ("meat_fish", "Meat and fish quality"),
    ):
        share = shown[f"share_{key}"].to_numpy(dtype=float)
        target = shown[f"target_{key}"].to_numpy(dtype=float)
        meets = shown[f"meets_{key}"].to_numpy(dtype=bool)
        bars = [
            Bar(
                value=float(v) if math.isfinite(v) else 0.0,
                colour=OK if m else NOT_OK,
                tip=f"{name} — {label}: {fmt_share(float(v))}, target {fmt_share(float(t))}, "
                + ("meets it" if m else "below it"),
                target=float(t),
            )
            for name, v, t, m in zip(names, share, target, meets, strict=True)
        ]
        panels.append(Panel(label, bars))
    local = shown["share_local"].to_numpy(dtype=float)
    panels.append(
        Panel(
            "Local (no legal target)",
            [
                Bar(
                    value=float(v) if math.isfinite(v) else 0.0,
                    colour=BLUE,
                    tip=f"{name} — local share: {fmt_share(float(v))}",
                )
                for name, v in zip(names, local, strict=True)
            ],
        )
    )
    chart = bar_panels(
        "egalim-canteens",
        "EGalim shares of each canteen's purchases after the plan, against its targets",
        names,
        panels,
        row_tips=[f"{n} ({i})" for n, i in zip(names, ids, strict=True)],
        legend_items=[
            (OK, "meets its target"),
            (NOT_OK, "below its target"),
            (INK, "target"),
            (BLUE, "local share"),
        ],
    )
    table = html_table(
        [
            ("Canteen", "text"),
            ("Purchases", "num"),
            ("Extra cost", "num"),
            ("Local", "num"),
            ("Market", "num"),
            ("Conventional", "num"),
            ("Quality / target", "num"),
            ("Organic / target", "num"),
            ("Meat & fish / target", "num"),
            ("Budget use", "num"),
        ],
        [
            [
                (str(r["name"]), str(r["name"])),
                (fmt_eur(r["value_eur_ht"]), r["value_eur_ht"]),
                (fmt_signed_eur(r["extra_cost_eur_ht"]), r["extra_cost_eur_ht"]),
                (fmt_share(r["share_local"]), r["share_local"]),
                (fmt_share(r["share_market"]), r["share_market"]),
                (fmt_share(r["share_conventional"]), r["share_conventional"]),
                _vs(r, "quality"),
                _vs(r, "organic"),
                _vs(r, "meat_fish"),
                (fmt_share(r["budget_use"]), r["budget_use"]),
            ]
            for r in can.to_dict("records")
        ],
    )
    return (
        "<p>Each row is a canteen; each panel one EGalim target (share of the purchase value, "
        "or of the meat and fish value), the black tick its target. Green bars meet it, red "
        "bars do not.</p>"
        + note
        + f"<figure>{chart}</figure>"
        + f"<details><summary>Table of the {len(can)} canteens</summary>{table}</details>"
    )


def _vs(row: Mapping[Hashable, Any], key: str) -> tuple[str, float]:
    share, target = as_float(row[f"share_{key}"]), as_float(row[f"target_{key}"])
    mark = "✓" if row[f"meets_{key}"] else "✗"
    return f"{fmt_share(share)} / {pct(target)} {mark}", share


# -- weeks --------------------------------------------------------------------------------------


def weekly_section(scenario: Scenario, solution: Solution) -> str:
    """The page's week-by-week chart of the territory's shares against the targets.

    Parameters
    ----------
    scenario
        The scenario (targets).
    solution
        The plan.

    Returns
    -------
    str
        The section's HTML.
    """
    shares = weekly_shares(solution)
    targets = scenario.parameters.targets
    if shares.empty:
        return empty_chart("weekly-shares", "Shares by ISO week", "No purchase in the plan.")
    weeks = all_weeks(str(shares.index.min()), str(shares.index.max()))
    shares = shares.reindex(weeks)
    thursdays = [week_thursday(w) for w in weeks]
    years = {d.year for d in thursdays}
    ticks = []
    for i, d in enumerate(thursdays):
        if i == 0 or d.month != thursdays[i - 1].month:
            ticks.append((i, month_label(d.year, d.month, len(years) > 1)))
    top = float(np.nanmax(shares[["share_local", "share_organic", "share_quality"]].to_numpy()))
    y_max = min(1.0, max(0.6, math.ceil((max(top, targets.quality) + 0.05) * 10) / 10))
    chart = line_chart(
        "weekly-shares",
        "Local, organic and quality shares of the purchase value, by ISO week",
        weeks,
        [
            Series("local", shares["share_local"].tolist(), BLUE),
            Series("organic", shares["share_organic"].tolist(), GREEN),
            Series("quality", shares["share_quality"].tolist(), ORANGE),
        ],
        x_ticks=ticks,
        refs=[
            RefLine(targets.quality, f"quality target {pct(targets.quality)}", ORANGE),
            RefLine(targets.organic, f"organic target {pct(targets.organic)}", GREEN),
        ],
        y_max=y_max,
    )
    gaps = int(shares["value_eur_ht"].isna().sum())
    note = (
        f' <span class="note">{gaps} week(s) without purchases (holidays) leave gaps.</span>'
        if gaps
        else ""
    )
    return (
        "<p>Shares of the territory's purchase value in each ISO week (months under the axis; "
        "hover a point for its week). EGalim targets apply over the year, not week by week: "
        "the lines show when local and labelled supply is there." + note + "</p>"
        f"<figure>{chart}</figure>"
    )


# -- producers ----------------------------------------------------------------------------------


def producers_section(scenario: Scenario, solution: Solution) -> str:
    """The page's producer section: each selling producer's busiest week against its weekly
    capacity (chart and sortable table).

    Parameters
    ----------
    scenario
        The scenario.
    solution
        The plan (its ``producers`` table).

    Returns
    -------
    str
        The section's HTML.
    """
    prod = solution.producers
    selling = prod[prod["sales_eur_ht"] > 0].sort_values(
        ["peak_capacity_use", "sales_eur_ht", "producer_id"],
        ascending=[False, False, True],
        kind="stable",
    )
    idle = len(prod) - len(selling)
    if selling.empty:
        chart = empty_chart(
            "producer-utilisation",
            "Producer utilisation",
            "No producer sells anything in this plan.",
        )
    else:
        shown = selling.iloc[:MAX_PRODUCER_ROWS]
        names = shown["name"].astype(str).tolist()
        peak = shown["peak_kg_per_week"].to_numpy(dtype=float)
        cap = shown["delivery_capacity_kg_per_week"].to_numpy(dtype=float)
        use = shown["peak_capacity_use"].to_numpy(dtype=float)
        drops = shown["peak_drops_per_week"].to_numpy(dtype=float)
        max_drops = shown["max_drops_per_week"].to_numpy(dtype=float)
        drop_use = np.divide(drops, max_drops, out=np.full_like(drops, np.nan), where=max_drops > 0)
        sales = shown["sales_eur_ht"].to_numpy(dtype=float)
        weeks = shown["weeks_delivering"].to_numpy(dtype=float)

        def colour(u: float) -> str:
            return VERMILION if u >= 0.999 else GREEN

        kg_bars = [
            Bar(
                float(u),
                colour(float(u)),
                f"{n}: peak week {p:,.0f} kg of {c:,.0f} kg capacity ({fmt_share(float(u))})",
            )
            for n, p, c, u in zip(names, peak, cap, use, strict=True)
        ]
        drop_bars = [
            Bar(
                float(u) if math.isfinite(u) else 0.0,
                colour(float(u)),
                f"{n}: at most {d:.0f} drops in a week, of {m:.0f} allowed",
            )
            for n, d, m, u in zip(names, drops, max_drops, drop_use, strict=True)
        ]
        top_sales = float(sales.max())
        sale_bars = [
            Bar(
                float(v),
                BLUE,
                f"{n}: {fmt_eur(float(v))} over {w:.0f} delivery weeks",
            )
            for n, v, w in zip(names, sales, weeks, strict=True)
        ]
        chart = bar_panels(
            "producer-utilisation",
            "Producer utilisation: peak week kg against capacity, drops against the maximum, sales",
            names,
            [
                Panel("Peak week kg / capacity", kg_bars),
                Panel("Peak week drops / maximum", drop_bars),
                Panel(
                    "Sales over the horizon", sale_bars, top_sales, lambda v: short_number(v) + " €"
                ),
            ],
            legend_items=[
                (GREEN, "below the limit"),
                (VERMILION, "at the limit"),
                (BLUE, "sales (EUR HT)"),
            ],
        )
    note = ""
    if len(selling) > MAX_PRODUCER_ROWS:
        note += f" The {MAX_PRODUCER_ROWS} most used of {len(selling)} selling producers are drawn."
    if idle:
        note += f" {idle} producer(s) sell nothing in this plan."
    table = html_table(
        [
            ("Producer", "text"),
            ("Sales", "num"),
            ("Delivered", "num"),
            ("Weeks", "num"),
            ("Peak kg / capacity", "num"),
            ("Peak drops / max", "num"),
            ("Mean capacity use", "num"),
        ],
        [
            [
                (str(r["name"]), str(r["name"])),
                (fmt_eur(r["sales_eur_ht"]), r["sales_eur_ht"]),
                (fmt_kg(r["qty_kg"]), r["qty_kg"]),
                (f"{r['weeks_delivering']:.0f}", r["weeks_delivering"]),
                (
                    f"{r['peak_kg_per_week']:,.0f} / {r['delivery_capacity_kg_per_week']:,.0f} kg",
                    r["peak_capacity_use"],
                ),
                (
                    f"{r['peak_drops_per_week']:.0f} / {r['max_drops_per_week']:.0f}",
                    r["peak_drops_per_week"],
                ),
                (fmt_share(r["mean_capacity_use"]), r["mean_capacity_use"]),
            ]
            for r in prod.to_dict("records")
        ],
    )
    return (
        "<p>For each producer selling in the plan, its busiest week against its weekly kg "
        "capacity and its weekly number of canteens delivered (drops), and its sales. Vermilion "
        "bars are at the limit: more local supply there needs more capacity or drops."
        + esc(note)
        + "</p>"
        + f"<figure>{chart}</figure>"
        + f"<details><summary>Table of the {len(prod)} producers</summary>{table}</details>"
    )


# -- map ----------------------------------------------------------------------------------------


def map_section(scenario: Scenario, solution: Solution) -> str:
    """The page's map of the largest flows from producers to canteens.

    Parameters
    ----------
    scenario
        The scenario (places).
    solution
        The plan.

    Returns
    -------
    str
        The section's HTML.
    """
    links = flow_links(scenario, solution)
    top = links.iloc[:TOP_FLOWS]
    producers = scenario.producers.set_index("producer_id")
    canteens = scenario.canteens.set_index("canteen_id")
    sales = (
        solution.producers.set_index("producer_id")["sales_eur_ht"]
        .reindex(producers.index)
        .fillna(0.0)
    )
    bought = (
        solution.canteens.set_index("canteen_id")["local_value_eur_ht"]
        .reindex(canteens.index)
        .fillna(0.0)
    )
    max_sales = float(sales.max()) if len(sales) else 0.0
    labelled = set(sales[sales > 0].sort_values(ascending=False, kind="stable").index[:MAP_LABELS])
    points = [
        MapPoint(
            float(lat),
            float(lon),
            "producer" if sales[pid] > 0 else "idle",
            f"{name} ({pid}) — producer, sales {fmt_eur(float(sales[pid]))}",
            size=3.0 + 5.0 * math.sqrt(float(sales[pid]) / max_sales) if max_sales > 0 else 3.0,
            label=shorten(str(name), 40) if pid in labelled else "",
        )
        for pid, name, lat, lon in zip(
            producers.index, producers["name"], producers["lat"], producers["lon"], strict=True
        )
    ]
    points += [
        MapPoint(
            float(lat),
            float(lon),
            "canteen",
            f"{name} ({cid}) — canteen, local purchases {fmt_eur(float(bought[cid]))}",
            size=4.5,
        )
        for cid, name, lat, lon in zip(
            canteens.index, canteens["name"], canteens["lat"], canteens["lon"], strict=True
        )
    ]
    p_lat = producers["lat"].reindex(top["producer_id"]).to_numpy(dtype=float)
    p_lon = producers["lon"].reindex(top["producer_id"]).to_numpy(dtype=float)
    p_name = producers["name"].reindex(top["producer_id"]).astype(str).tolist()
    c_lat = canteens["lat"].reindex(top["canteen_id"]).to_numpy(dtype=float)
    c_lon = canteens["lon"].reindex(top["canteen_id"]).to_numpy(dtype=float)
    c_name = canteens["name"].reindex(top["canteen_id"]).astype(str).tolist()
    columns = zip(
        p_lat,
        p_lon,
        c_lat,
        c_lon,
        p_name,
        c_name,
        top["qty_kg"].to_numpy(dtype=float),
        top["value_eur_ht"].to_numpy(dtype=float),
        top["weeks"].to_numpy(dtype=int),
        top["distance_km"].to_numpy(dtype=float),
        strict=True,
    )
    map_links = [
        MapLink(
            float(a),
            float(b),
            float(c),
            float(d),
            float(kg),
            f"{pn} → {cn}: {fmt_kg(float(kg))}, {fmt_eur(float(value))} over {int(weeks)} "
            f"week(s), {float(km):.1f} km",
        )
        for a, b, c, d, pn, cn, kg, value, weeks, km in columns
    ]
    chart = map_chart(
        "flow-map",
        "Canteens, producers and the main producer-to-canteen flows (kg over the horizon)",
        points,
        map_links,
    )
    total_kg = float(links["qty_kg"].sum())
    share = float(top["qty_kg"].sum()) / total_kg if total_kg > 0 else float("nan")
    if links.empty:
        caption = (
            "No purchase from producers in this plan: canteens and producers only, placed "
            "from the coordinates of the input (equirectangular projection), no background map."
        )
        return f"<p>{esc(caption)}</p><figure>{chart}</figure>"
    caption = (
        f"The {len(top)} largest of {len(links)} producer → canteen links by kg "
        f"({fmt_share(share)} of the kg bought from producers); line width ∝ kg. Producers "
        "are sized by sales; the largest are named. Hover any mark for details. Positions "
        "from the coordinates of the input (equirectangular projection), no background map."
    )
    return f"<p>{esc(caption)}</p><figure>{chart}</figure>"


# -- unmet local demand -------------------------------------------------------------------------


def unmet_section(scenario: Scenario, solution: Solution) -> str:
    """The page's section on demand left to the conventional supplier: by product and month,
    and by reason.

    Parameters
    ----------
    scenario
        The scenario.
    solution
        The plan (its ``unmet_local`` table).

    Returns
    -------
    str
        The section's HTML.
    """
    unmet = solution.unmet_local
    if unmet.empty:
        return empty_chart(
            "unmet-heatmap",
            "Unmet local demand by product and month",
            "All demand is bought from local producers.",
        ) + empty_chart("unmet-reasons", "Unmet local demand by reason", "Nothing left.")
    table = unmet_by_product_month(scenario, solution)
    months = list(table.columns)
    # The colour scale is that of single products: an "other products" row stays darkest.
    vmax = float(table.iloc[: MAX_HEATMAP_ROWS - 1].to_numpy(dtype=float).max())
    if len(table) > MAX_HEATMAP_ROWS:
        head = table.iloc[: MAX_HEATMAP_ROWS - 1]
        rest = table.iloc[MAX_HEATMAP_ROWS - 1 :]
        other = rest.sum().to_frame(f"{len(rest)} other products").T
        table = pd.concat([head, other])
    years = {m[:4] for m in months}
    labels = [month_label(int(m[:4]), int(m[5:]), len(years) > 1) for m in months]
    # Main reason per product row (by value).
    names = scenario.products.set_index("product_id")["name"].astype(str)
    product = names.reindex(unmet["product_id"]).fillna(unmet["product_id"])
    by_reason = (
        pd.DataFrame(
            {
                "product": product.to_numpy(),
                "reason": unmet["reason"].to_numpy(),
                "value": unmet["value_eur_ht"].to_numpy(dtype=float),
            }
        )
        .groupby(["product", "reason"], sort=True)["value"]
        .sum()
    )
    main = by_reason.groupby(level="product").idxmax().map(lambda key: key[1])
    main_share = by_reason.groupby(level="product").max() / by_reason.groupby(level="product").sum()
    reason_text = [
        f"{REASON_LABELS.get(str(main[p]), str(main[p]))} ({pct(float(main_share[p]))})"
        if p in main.index
        else "various"
        for p in table.index
    ]
    totals = table.sum(axis=1)
    heat = heatmap(
        "unmet-heatmap",
        "Demand bought from the conventional supplier, by product and month (EUR HT)",
        [str(p) for p in table.index],
        labels,
        table.to_numpy(dtype=float),
        tip_format=lambda v: fmt_eur(v),
        extra_columns=[
            ("total", [short_number(float(v)) + " €" for v in totals], 70),
            ("main reason (share)", reason_text, 220),
        ],
        vmax=vmax,
    )
    reasons = (
        unmet.groupby("reason", sort=True)
        .agg(lines=("value_eur_ht", "size"), value=("value_eur_ht", "sum"), qty=("qty", "sum"))
        .sort_values(["value"], ascending=False, kind="stable")
    )
    total = float(reasons["value"].sum())
    reason_names = [REASON_LABELS.get(str(r), str(r)) for r in reasons.index]
    bars = [
        Bar(
            float(v),
            VERMILION,
            f"{name}: {fmt_eur(float(v))} in {n:,} purchase lines",
            label=f"{fmt_eur(float(v))} · {n:,} lines ({pct(float(v) / total)})",
        )
        for name, v, n in zip(reason_names, reasons["value"], reasons["lines"], strict=True)
    ]
    top_value = float(reasons["value"].max())
    reasons_chart = bar_panels(
        "unmet-reasons",
        "Demand bought from the conventional supplier, by reason (EUR HT)",
        reason_names,
        [
            Panel(
                "Value bought from the conventional supplier",
                bars,
                top_value * 1.6,
                lambda v: short_number(v) + " €",
            )
        ],
        row_height=22,
        label_width=160,
        width=900,
    )
    in_order = [r for r in REASONS if r in reasons.index]
    in_order += [r for r in reasons.index if r not in REASONS]
    reasons = reasons.loc[in_order]
    rows = "".join(
        f"<tr><td>{esc(REASON_LABELS.get(str(r), str(r)))}</td>"
        f"<td>{esc(REASONS.get(str(r), ''))}</td>"
        f'<td class="num">{int(n):,}</td><td class="num">{esc(fmt_eur(float(v)))}</td></tr>'
        for r, n, v in zip(reasons.index, reasons["lines"], reasons["value"], strict=True)
    )
    return (
        f"<p>{esc(fmt_eur(total))} of demand ({len(unmet):,} purchase lines) is bought from "
        "the conventional supplier. By product (largest first) and calendar month of the "
        "ISO week, with the main reason local producers did not supply it:</p>"
        f"<figure>{heat}</figure>"
        "<p>Why, by reason. Each line gets the first reason that applies, tested in the "
        "order of the table below.</p>"
        f"<figure>{reasons_chart}</figure>"
        '<table class="data"><thead><tr><th>reason</th><th>meaning</th><th>lines</th>'
        f"<th>value</th></tr></thead><tbody>{rows}</tbody></table>"
    )
