"""The sections of the HTML report below its headline: canteens against the EGalim targets,
shares by ISO week, producers' use of their capacity and the map of the plan (the demand
left to the usual supplier is in ``unmet_section``). Each returns its HTML; ``html``
assembles the page.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..i18n import format_money, format_number, ngettext
from ..i18n import gettext as _
from ..inputs.scenario import Scenario
from ..plan.solution import Solution
from ..weeks import month_label, week_thursday
from .charts import Bar, Panel, RefLine, Series, bar_panels, line_chart
from .communes import Commune
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
from .figures import all_weeks, flow_links, weekly_shares
from .html_format import (
    MAP_LABELS,
    MAX_CANTEEN_ROWS,
    MAX_PRODUCER_ROWS,
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


def distance_from_law(canteens: pd.DataFrame) -> pd.Series:
    """How far each canteen is from the law.

    Parameters
    ----------
    canteens
        ``Solution.canteens`` (its ``shortfall_*_points`` columns).

    Returns
    -------
    pandas.Series
        The sum of each canteen's three shortfalls in percentage points of its own targets
        (fractions; 0 when it meets all three), on the index of ``canteens``.
    """
    return (
        canteens["shortfall_quality_points"]
        + canteens["shortfall_organic_points"]
        + canteens["shortfall_meat_fish_points"]
    ).astype(float)


def by_distance_from_law(canteens: pd.DataFrame) -> pd.DataFrame:
    """Canteens farthest from the law first.

    Parameters
    ----------
    canteens
        ``Solution.canteens``.

    Returns
    -------
    pandas.DataFrame
        The same rows sorted by ``distance_from_law``, largest first, ties by ``canteen_id``.
    """
    order = canteens.assign(_distance=distance_from_law(canteens)).sort_values(
        ["_distance", "canteen_id"], ascending=[False, True], kind="stable"
    )
    return order.drop(columns="_distance")


def canteens_section(scenario: Scenario, solution: Solution) -> str:
    """The page's canteen section, farthest from the law first: each canteen's EGalim shares
    against its targets (chart and sortable table, each name a link to its page).

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
    can = by_distance_from_law(solution.canteens)
    note = ""
    shown = can.iloc[:MAX_CANTEEN_ROWS]
    if len(can) > MAX_CANTEEN_ROWS:
        text = _(
            "The {shown} canteens farthest from their targets are drawn, out of {total}; "
            "the table below lists them all."
        )
        note = f'<p class="note">{esc(text.format(shown=MAX_CANTEEN_ROWS, total=len(can)))}</p>'
    names = shown["name"].astype(str).tolist()
    ids = shown["canteen_id"].astype(str).tolist()
    panels = []
    for key, label in (
        ("quality", _("Quality and sustainable")),
        ("organic", _("Organic")),
        ("meat_fish", _("Meat and fish")),
    ):
        share = shown[f"share_{key}"].to_numpy(dtype=float)
        target = shown[f"target_{key}"].to_numpy(dtype=float)
        meets = shown[f"meets_{key}"].to_numpy(dtype=bool)
        bars = [
            Bar(
                value=float(v) if math.isfinite(v) else 0.0,
                colour=OK if m else NOT_OK,
                tip=(
                    _("{name} — {measure}: {share}, target {target}, meets it")
                    if m
                    else _("{name} — {measure}: {share}, target {target}, below it")
                ).format(
                    name=name, measure=label, share=fmt_share(float(v)), target=fmt_share(float(t))
                ),
                target=float(t),
            )
            for name, v, t, m in zip(names, share, target, meets, strict=True)
        ]
        panels.append(Panel(label, bars))
    local = shown["share_local"].to_numpy(dtype=float)
    panels.append(
        Panel(
            _("Local (no legal target)"),
            [
                Bar(
                    value=float(v) if math.isfinite(v) else 0.0,
                    colour=BLUE,
                    tip=_("{name} — local share: {share}").format(
                        name=name, share=fmt_share(float(v))
                    ),
                )
                for name, v in zip(names, local, strict=True)
            ],
        )
    )
    chart = bar_panels(
        "egalim-canteens",
        _("EGalim shares of each canteen's purchases after the plan, against its targets"),
        names,
        panels,
        row_tips=[f"{n} ({i})" for n, i in zip(names, ids, strict=True)],
        legend_items=[
            (OK, _("meets its target")),
            (NOT_OK, _("below its target")),
            (INK, _("target")),
            (BLUE, _("local share")),
        ],
    )
    table = html_table(
        [
            (_("Canteen"), "text"),
            (_("Points missing"), "num"),
            (_("Purchases"), "num"),
            (_("Extra cost"), "num"),
            (_("Extra per meal"), "num"),
            (_("Local"), "num"),
            (_("Market"), "num"),
            (_("Conventional"), "num"),
            (_("Quality / target"), "num"),
            (_("Organic / target"), "num"),
            (_("Meat and fish / target"), "num"),
            (_("Budget used"), "num"),
        ],
        [
            [
                (str(r["name"]), str(r["name"])),
                (format_number(100 * d, 1), d),
                (fmt_eur(r["value_eur_ht"]), r["value_eur_ht"]),
                (fmt_signed_eur(r["extra_cost_eur_ht"]), r["extra_cost_eur_ht"]),
                _per_meal(as_float(r["extra_cost_per_meal_eur_ht"])),
                (fmt_share(r["share_local"]), r["share_local"]),
                (fmt_share(r["share_market"]), r["share_market"]),
                (fmt_share(r["share_conventional"]), r["share_conventional"]),
                _vs(r, "quality"),
                _vs(r, "organic"),
                _vs(r, "meat_fish"),
                (fmt_share(r["budget_use"]), r["budget_use"]),
            ]
            for r, d in zip(can.to_dict("records"), distance_from_law(can), strict=True)
        ],
        links=[f"#canteen-{cid}" for cid in can["canteen_id"].astype(str)],
    )
    intro = _(
        "Canteens farthest from the law first. Each panel is one EGalim target (share of the "
        "purchase value, or of the meat and fish value), the black tick the canteen's target. "
        "Green bars meet it, red bars do not. “Points missing” adds up what each canteen lacks "
        "to reach its three targets; the canteen's name leads to its own page."
    )
    summary = ngettext("Table of the {n} canteen", "Table of the {n} canteens", len(can))
    summary = summary.format(n=format_number(len(can)))
    return (
        f"<p>{esc(intro)}</p>"
        + note
        + f"<figure>{chart}</figure>"
        + f"<details open><summary>{esc(summary)}</summary>{table}</details>"
    )


def _per_meal(extra: float) -> tuple[str, float]:
    """An extra cost per meal (EUR HT) as shown, with its sort key; n/a without meals."""
    if not math.isfinite(extra):
        return _("n/a"), math.nan
    return ("+" if extra >= 0 else "") + format_money(extra), extra


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
        return empty_chart("weekly-shares", _("Shares by ISO week"), _("No purchase in the plan."))
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
        _("Local, organic and quality shares of the purchase value, by ISO week"),
        weeks,
        [
            Series(_("local"), shares["share_local"].tolist(), BLUE),
            Series(_("organic"), shares["share_organic"].tolist(), GREEN),
            Series(_("quality"), shares["share_quality"].tolist(), ORANGE),
        ],
        x_ticks=ticks,
        refs=[
            RefLine(
                targets.quality,
                _("quality target {share}").format(share=pct(targets.quality)),
                ORANGE,
            ),
            RefLine(
                targets.organic,
                _("organic target {share}").format(share=pct(targets.organic)),
                GREEN,
            ),
        ],
        y_max=y_max,
    )
    gaps = int(shares["value_eur_ht"].isna().sum())
    gap_text = ngettext(
        "{n} week without purchases (holidays) leaves a gap.",
        "{n} weeks without purchases (holidays) leave gaps.",
        gaps,
    )
    note = f' <span class="note">{esc(gap_text.format(n=gaps))}</span>' if gaps else ""
    intro = _(
        "Shares of the territory's purchase value in each ISO week (months under the axis; "
        "hover a point for its week). EGalim targets apply over the year, not week by week: "
        "the lines show when local and labelled supply is there."
    )
    return f"<p>{esc(intro)}{note}</p><figure>{chart}</figure>"


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
            _("Producer utilisation"),
            _("No producer sells anything in this plan."),
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
                _("{name}: busiest week {peak} of {capacity} capacity ({share})").format(
                    name=n, peak=fmt_kg(p), capacity=fmt_kg(c), share=fmt_share(float(u))
                ),
            )
            for n, p, c, u in zip(names, peak, cap, use, strict=True)
        ]
        drop_bars = [
            Bar(
                float(u) if math.isfinite(u) else 0.0,
                colour(float(u)),
                ngettext(
                    "{name}: at most {drops} delivery in a week, of {allowed} allowed",
                    "{name}: at most {drops} deliveries in a week, of {allowed} allowed",
                    int(d) if math.isfinite(d) else 0,
                ).format(name=n, drops=format_number(d), allowed=format_number(m)),
            )
            for n, d, m, u in zip(names, drops, max_drops, drop_use, strict=True)
        ]
        top_sales = float(sales.max())
        sale_bars = [
            Bar(
                float(v),
                BLUE,
                ngettext(
                    "{name}: {value} over {weeks} delivery week",
                    "{name}: {value} over {weeks} delivery weeks",
                    int(w),
                ).format(name=n, value=fmt_eur(float(v)), weeks=format_number(w)),
            )
            for n, v, w in zip(names, sales, weeks, strict=True)
        ]
        chart = bar_panels(
            "producer-utilisation",
            _(
                "Producer utilisation: busiest week's kg against capacity, deliveries against "
                "the maximum, sales"
            ),
            names,
            [
                Panel(_("Busiest week kg / capacity"), kg_bars),
                Panel(_("Busiest week deliveries / maximum"), drop_bars),
                Panel(
                    _("Sales over the horizon"),
                    sale_bars,
                    top_sales,
                    lambda v: short_number(v) + " €",
                ),
            ],
            legend_items=[
                (GREEN, _("below the limit")),
                (VERMILION, _("at the limit")),
                (BLUE, _("sales (EUR excl. VAT)")),
            ],
        )
    note = ""
    if len(selling) > MAX_PRODUCER_ROWS:
        note += " " + _("The {shown} most used of {total} selling producers are drawn.").format(
            shown=MAX_PRODUCER_ROWS, total=len(selling)
        )
    if idle:
        note += " " + ngettext(
            "{n} producer sells nothing in this plan.",
            "{n} producers sell nothing in this plan.",
            idle,
        ).format(n=idle)
    table = html_table(
        [
            (_("Producer"), "text"),
            (_("Sales"), "num"),
            (_("Delivered"), "num"),
            (_("Weeks"), "num"),
            (_("Busiest week kg / capacity"), "num"),
            (_("Busiest week deliveries / maximum"), "num"),
            (_("Mean capacity use"), "num"),
        ],
        [
            [
                (str(r["name"]), str(r["name"])),
                (fmt_eur(r["sales_eur_ht"]), r["sales_eur_ht"]),
                (fmt_kg(r["qty_kg"]), r["qty_kg"]),
                (format_number(r["weeks_delivering"]), r["weeks_delivering"]),
                (
                    f"{format_number(r['peak_kg_per_week'])} / "
                    f"{fmt_kg(r['delivery_capacity_kg_per_week'])}",
                    r["peak_capacity_use"],
                ),
                (
                    f"{format_number(r['peak_drops_per_week'])} / "
                    f"{format_number(r['max_drops_per_week'])}",
                    r["peak_drops_per_week"],
                ),
                (fmt_share(r["mean_capacity_use"]), r["mean_capacity_use"]),
            ]
            for r in prod.to_dict("records")
        ],
    )
    intro = _(
        "For each producer selling in the plan, its busiest week against its weekly kg "
        "capacity and its weekly number of canteens delivered, and its sales. Vermilion "
        "bars are at the limit: more local supply there needs more capacity or delivery rounds."
    )
    summary = ngettext("Table of the {n} producer", "Table of the {n} producers", len(prod))
    summary = summary.format(n=format_number(len(prod)))
    return (
        f"<p>{esc(intro)}{esc(note)}</p>"
        + f"<figure>{chart}</figure>"
        + f"<details><summary>{esc(summary)}</summary>{table}</details>"
    )


# -- map ----------------------------------------------------------------------------------------


def map_section(
    scenario: Scenario, solution: Solution, communes: Sequence[Commune] = (), credit: str = ""
) -> str:
    """The page's map: canteens (named), producers, the largest flows, over the communes.

    Parameters
    ----------
    scenario
        The scenario (places).
    solution
        The plan.
    communes
        Outlines drawn under the places (``rhd_match.report.communes.read_communes``).
    credit
        Source of the outlines, credited in the caption ('' for none).

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
            _("{name} ({id}) — producer, sales {value}").format(
                name=name, id=pid, value=fmt_eur(float(sales[pid]))
            ),
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
            _("{name} ({id}) — canteen, local purchases {value}").format(
                name=name, id=cid, value=fmt_eur(float(bought[cid]))
            ),
            size=4.5,
            label=shorten(str(name), 28),
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
            ngettext(
                "{producer} → {canteen}: {kg}, {value} over {n} week, {km} km",
                "{producer} → {canteen}: {kg}, {value} over {n} weeks, {km} km",
                int(weeks),
            ).format(
                producer=pn,
                canteen=cn,
                kg=fmt_kg(float(kg)),
                value=fmt_eur(float(value)),
                n=int(weeks),
                km=format_number(float(km), 1),
            ),
        )
        for a, b, c, d, pn, cn, kg, value, weeks, km in columns
    ]
    chart = map_chart(
        "flow-map",
        _("Canteens, producers and the main producer-to-canteen flows (kg over the horizon)"),
        points,
        map_links,
        communes=communes,
    )
    drawn = (
        " " + _("Commune outlines: {source}.").format(source=credit) if communes and credit else ""
    )
    total_kg = float(links["qty_kg"].sum())
    share = float(top["qty_kg"].sum()) / total_kg if total_kg > 0 else float("nan")
    if links.empty:
        caption = _(
            "No purchase from producers in this plan: canteens and producers only, placed "
            "from the coordinates of the input (equirectangular projection)."
        )
        return f"<p>{esc(caption + drawn)}</p><figure>{chart}</figure>"
    if len(top) < len(links):
        caption = ngettext(
            "The largest of {total} producer → canteen links by kg ({share} of the kg bought "
            "from producers); line width ∝ kg. Canteens are named; producers are sized by sales "
            "and the largest are named in bold. Hover any mark for details. Positions from the "
            "coordinates of the input (equirectangular projection).",
            "The {shown} largest of {total} producer → canteen links by kg ({share} of the kg "
            "bought from producers); line width ∝ kg. Canteens are named; producers are sized by "
            "sales and the largest are named in bold. Hover any mark for details. Positions from "
            "the coordinates of the input (equirectangular projection).",
            len(top),
        )
    else:
        caption = ngettext(
            "The one producer → canteen link ({share} of the kg bought from producers); line "
            "width ∝ kg. Canteens are named; producers are sized by sales and the largest are "
            "named in bold. Hover any mark for details. Positions from the coordinates of the "
            "input (equirectangular projection).",
            "The {total} producer → canteen links by kg ({share} of the kg bought from "
            "producers); line width ∝ kg. Canteens are named; producers are sized by sales and "
            "the largest are named in bold. Hover any mark for details. Positions from the "
            "coordinates of the input (equirectangular projection).",
            len(links),
        )
    caption = caption.format(shown=len(top), total=len(links), share=fmt_share(share))
    return f"<p>{esc(caption + drawn)}</p><figure>{chart}</figure>"
