"""The HTML report of a territory plan: one self-contained file to open in any browser.

:func:`render_html` returns the page; :func:`write_html_report` writes it (all or nothing).
Sections: headline figures before and after the plan, EGalim shares per canteen against their
targets, local and organic shares week by week, producer utilisation, a map of the main flows,
and the local demand left to the conventional supplier by product and month, with the reasons.
Styles and charts are inline (SVG drawn with matplotlib by :mod:`rhd_match.report.charts`);
a few lines of inline JavaScript sort the tables and mark the page loaded
(``<body data-loaded="ok">``). Nothing is fetched from the network, all text is escaped, and
the same plan gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Hashable, Mapping
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..egalim import egalim_accounting
from ..plan_tables import PRODUCER
from ..scenario import Scenario
from ..solution import Solution
from ..unmet import REASONS
from ..weeks import week_monday
from .charts import (
    BLUE,
    GREEN,
    INK,
    NOT_OK,
    OK,
    ORANGE,
    VERMILION,
    Bar,
    MapLink,
    MapPoint,
    Panel,
    RefLine,
    Series,
    bar_panels,
    heatmap,
    line_chart,
    map_chart,
    message_chart,
    pct,
    short_number,
    shorten,
)
from .workbook import write_atomically

#: Charts of the report, by ``data-chart`` name, in page order.
CHARTS = (
    "egalim-canteens",
    "weekly-shares",
    "producer-utilisation",
    "flow-map",
    "unmet-heatmap",
    "unmet-reasons",
)

#: Headline shares: (summary column, label, target field of ``Parameters.targets`` or None).
SHARES = (
    ("share_local", "Local share (of value)", None),
    ("share_organic", "Organic share", "organic"),
    ("share_quality", "Quality and sustainable share", "quality"),
    ("share_meat_fish", "Meat and fish quality share", "meat_fish"),
)
COUNTS = (
    ("canteens_meeting_quality", "Canteens meeting the quality target"),
    ("canteens_meeting_organic", "Canteens meeting the organic target"),
    ("canteens_meeting_meat_fish", "Canteens meeting the meat and fish target"),
    ("canteens_meeting_all", "Canteens meeting all three targets"),
)
#: Short names of the reasons of :data:`rhd_match.unmet.REASONS`.
REASON_LABELS = {
    "no_offer_in_range": "no offer within reach",
    "offer_exhausted": "offers sold out",
    "capacity": "producer kg capacity",
    "drops": "producer drops",
    "franco": "minimum order (franco)",
    "optimiser_choice": "optimiser's choice",
}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

MAX_CANTEEN_ROWS = 80
MAX_PRODUCER_ROWS = 60
MAX_HEATMAP_ROWS = 20
TOP_FLOWS = 80
MAP_LABELS = 6


# -- formatting ---------------------------------------------------------------------------------


def fmt_share(x: float) -> str:
    """A share as shown in the headline: ``15.4 %``; ``n/a`` when missing."""
    return "n/a" if not math.isfinite(x) else f"{100 * x:.1f} %"


def fmt_points(x: float) -> str:
    """A change of share in percentage points: ``+15.4 pts``."""
    return "n/a" if not math.isfinite(x) else f"{100 * x:+.1f} pts"


def fmt_eur(x: float) -> str:
    """Money: ``630,509 € HT``."""
    return "n/a" if not math.isfinite(x) else f"{x:,.0f} € HT"


def fmt_signed_eur(x: float) -> str:
    """A money difference: ``+14,267 € HT``."""
    return "n/a" if not math.isfinite(x) else f"{x:+,.0f} € HT"


def fmt_kg(x: float) -> str:
    """A weight: ``1,234 kg`` or ``12.3 t``."""
    return f"{x / 1000:,.1f} t" if abs(x) >= 10_000 else f"{x:,.0f} kg"


def fmt_count(k: float, n: float) -> str:
    """A count out of a total: ``3 / 12``."""
    return f"{int(k)} / {int(n)}"


def fmt_gap(x: float) -> str:
    """The relative gap: ``6.75 %``; ``n/a`` without a bound."""
    return "n/a" if not math.isfinite(x) else f"{100 * x:.2f} %"


def fmt_number(x: float) -> str:
    """A solver figure: whole with thousands separators when large, else six digits."""
    if not math.isfinite(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 1e4 else f"{x:.6g}"


def _float(x: object) -> float:
    try:
        return float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


# -- page ---------------------------------------------------------------------------------------


def write_html_report(scenario: Scenario, solution: Solution, path: str | Path) -> Path:
    """Write the HTML report of ``solution`` to ``path`` (all or nothing); returns the path."""
    page = render_html(scenario, solution)
    return write_atomically(Path(path), lambda p: p.write_text(page, encoding="utf-8"))


def render_html(scenario: Scenario, solution: Solution) -> str:
    """The report as one self-contained HTML page (see the module docstring)."""
    s = solution.summary.iloc[0]
    weeks = sorted(set(solution.flows["week"].astype(str)) | set(scenario.demand["week"]))
    span = f"{weeks[0]} to {weeks[-1]}" if weeks else "no weeks"
    title = "Territory purchase plan"
    subtitle = (
        f"{len(scenario.canteens)} canteens · {len(scenario.producers)} producers · "
        f"{len(scenario.products)} products · ISO weeks {span} · solver status "
        f"{s['status']} ({s['strategy']}, {s['solver']})"
    )
    sections = [
        ("headline", "Headline figures", _headline(scenario, solution)),
        ("canteens", "EGalim shares per canteen", _canteens_section(scenario, solution)),
        ("weeks", "Shares week by week", _weekly_section(scenario, solution)),
        ("producers", "Producer utilisation", _producers_section(scenario, solution)),
        ("map", "Map of the main flows", _map_section(scenario, solution)),
        (
            "unmet",
            "Local demand left to the conventional supplier",
            _unmet_section(scenario, solution),
        ),
    ]
    nav = " · ".join(f'<a href="#{key}">{esc(name)}</a>' for key, name, _ in sections)
    body = "".join(
        f'<section id="{key}"><h2>{esc(name)}</h2>{content}</section>'
        for key, name, content in sections
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} — rhd_match</title>"
        f"<style>{CSS}</style><script>{HEAD_JS}</script></head>"
        '<body data-loaded="no">'
        f'<header><h1>{esc(title)}</h1><p class="sub">{esc(subtitle)}</p>'
        f"<nav>{nav}</nav></header>"
        '<pre id="js-errors" hidden></pre>'
        f"<main>{body}</main>"
        f"<footer>Made by rhd_match {esc(__version__)}. Money in EUR excluding VAT (HT); shares "
        "of purchase value as counted by <i>ma cantine</i>; “before” = every purchase from "
        "the conventional supplier at the reference price, without label.</footer>"
        f"<script>{BODY_JS}</script></body></html>\n"
    )


# -- headline -----------------------------------------------------------------------------------


def _headline(scenario: Scenario, solution: Solution) -> str:
    s = solution.summary.iloc[0]
    targets = scenario.parameters.targets
    n = _float(s["canteens"])
    cards = []
    for field, label, target in SHARES:
        after, before = _float(s[field]), _float(s[f"{field}_before"])
        goal = f" · target {pct(float(getattr(targets, target)))}" if target is not None else ""
        cards.append(
            f'<div class="card"><div class="label">{esc(label)}</div>'
            f'<div class="big" data-card="{field}">{esc(fmt_share(after))}</div>'
            f'<div class="small">before {esc(fmt_share(before))}{esc(goal)}</div></div>'
        )
    extra = _float(s["extra_cost_eur_ht"])
    extra_share = _float(s["extra_cost_share"])
    share_text = "n/a" if not math.isfinite(extra_share) else f"{100 * extra_share:+.1f} %"
    cards.append(
        '<div class="card"><div class="label">Extra cost (EUR HT)</div>'
        f'<div class="big" data-card="extra_cost_eur_ht">{esc(f"{extra:+,.0f} €")}</div>'
        f'<div class="small">{esc(share_text)} on the all-conventional purchases</div></div>'
    )
    rows = []
    for field, label, target in SHARES:
        after, before = _float(s[field]), _float(s[f"{field}_before"])
        goal = f"{pct(float(getattr(targets, target)))} (default)" if target is not None else "–"
        rows.append(
            f"<tr><th>{esc(label)}</th>"
            + _td(field, "before", before, fmt_share(before))
            + _td(field, "after", after, fmt_share(after))
            + f'<td class="num">{esc(fmt_points(after - before))}</td>'
            f'<td class="num">{esc(goal)}</td></tr>'
        )
    for field, label in COUNTS:
        after, before = _float(s[field]), _float(s[f"{field}_before"])
        rows.append(
            f"<tr><th>{esc(label)}</th>"
            + _td(field, "before", before, fmt_count(before, n))
            + _td(field, "after", after, fmt_count(after, n))
            + f'<td class="num">{int(after - before):+d}</td><td></td></tr>'
        )
    value, value_before = _float(s["value_eur_ht"]), _float(s["value_eur_ht_before"])
    rows.append(
        "<tr><th>Purchases</th>"
        + _td("value_eur_ht", "before", value_before, fmt_eur(value_before))
        + _td("value_eur_ht", "after", value, fmt_eur(value))
        + _td("extra_cost_eur_ht", "after", extra, fmt_signed_eur(extra))
        + "<td></td></tr>"
    )
    local, local_before = _float(s["local_value_eur_ht"]), _float(s["local_value_eur_ht_before"])
    rows.append(
        "<tr><th>Purchases from local producers</th>"
        + _td("local_value_eur_ht", "before", local_before, fmt_eur(local_before))
        + _td("local_value_eur_ht", "after", local, fmt_eur(local))
        + f'<td class="num">{esc(fmt_signed_eur(local - local_before))}</td><td></td></tr>'
    )
    table = (
        '<table class="headline"><thead><tr><th></th><th>before (all conventional)</th>'
        "<th>after (plan)</th><th>change</th><th>target</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    shortfalls = (
        "<p>EGalim shortfall left (sum over canteens of what is missing to reach each "
        "canteen's target): quality "
        + _span("shortfall_quality_eur_ht", s)
        + ", organic "
        + _span("shortfall_organic_eur_ht", s)
        + ", meat and fish "
        + _span("shortfall_meat_fish_eur_ht", s)
        + ".</p>"
    )
    solver = [
        ("status", "Solver status", str(s["status"]), str(s["status"])),
        ("gap", "Relative gap", _float(s["gap"]), fmt_gap(_float(s["gap"]))),
        ("objective", "Objective", _float(s["objective"]), fmt_number(_float(s["objective"]))),
        ("best_bound", "Best bound", _float(s["best_bound"]), fmt_number(_float(s["best_bound"]))),
        ("strategy", "Strategy (solver)", str(s["strategy"]), f"{s['strategy']} ({s['solver']})"),
        (
            "solve_time_s",
            "Build + solve time",
            _float(s["solve_time_s"]),
            f"{_float(s['build_time_s']):.2f} s + {_float(s['solve_time_s']):.2f} s",
        ),
    ]
    items = "".join(
        f'<div><dt>{esc(label)}</dt><dd data-field="{field}" data-value="{esc(_raw(raw))}">'
        f"{esc(text)}</dd></div>"
        for field, label, raw, text in solver
    )
    return (
        _status_warning(str(s["status"]))
        + f'<div class="cards">{"".join(cards)}</div>{table}{shortfalls}'
        f'<dl class="solver">{items}</dl>'
        '<p class="note">The gap is the distance between the plan’s objective and the best '
        "bound proven by the solver, relative to the objective: 0 % means proven optimal.</p>"
    )


#: Statuses that are not a plan to carry out, and what the reader should know.
STATUS_WARNINGS = {
    "time_limit": "The solver found no plan within its time limit: every figure below is "
    "that of the all-conventional purchases. Solve again with a longer time limit.",
    "relaxation": "This is the linear relaxation (strategy lp): a bound on what is possible, "
    "not a plan to carry out, since delivery rules (drops, minimum lots, franco) may be "
    "broken.",
}


def _status_warning(status: str) -> str:
    """A warning box for a solution that is not a usable plan ('' otherwise)."""
    text = STATUS_WARNINGS.get(status)
    return "" if text is None else f'<p class="warning" role="alert">{esc(text)}</p>'


def _raw(value: object) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


def _td(field: str, when: str, value: float, text: str) -> str:
    return (
        f'<td class="num" data-field="{field}" data-when="{when}" '
        f'data-value="{esc(_raw(value))}">{esc(text)}</td>'
    )


def _span(field: str, s: pd.Series) -> str:
    value = _float(s[field])
    return (
        f'<span data-field="{field}" data-when="after" data-value="{esc(_raw(value))}">'
        f"{esc(fmt_eur(value))}</span>"
    )


# -- canteens -----------------------------------------------------------------------------------


def _canteens_section(scenario: Scenario, solution: Solution) -> str:
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
    table = _table(
        [
            ("Canteen", "text"),
            ("Purchases", "num"),
            ("Extra cost", "num"),
            ("Local", "num"),
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
    share, target = _float(row[f"share_{key}"]), _float(row[f"target_{key}"])
    mark = "✓" if row[f"meets_{key}"] else "✗"
    return f"{fmt_share(share)} / {pct(target)} {mark}", share


# -- weeks --------------------------------------------------------------------------------------


def all_weeks(first: str, last: str) -> list[str]:
    """Every ISO week from ``first`` to ``last`` included."""
    start, end = week_monday(first), week_monday(last)
    n = (end - start).days // 7 + 1
    days = [start + dt.timedelta(weeks=i) for i in range(n)]
    return [f"{d.isocalendar().year:04d}-W{d.isocalendar().week:02d}" for d in days]


def weekly_shares(solution: Solution) -> pd.DataFrame:
    """Per ISO week with purchases: value (EUR HT) and local, organic, quality shares."""
    flows = solution.flows
    if flows.empty:
        return pd.DataFrame(
            columns=["value_eur_ht", "share_local", "share_organic", "share_quality"]
        )
    figures = egalim_accounting(flows, by="week")
    total = figures["valeur_totale"]
    local = flows["value_eur_ht"].where(flows["local"], 0.0).groupby(flows["week"]).sum()
    return pd.DataFrame(
        {
            "value_eur_ht": total,
            "share_local": (local.reindex(total.index) / total.where(total > 0)).clip(0, 1),
            "share_organic": figures["share_organic"],
            "share_quality": figures["share_quality"],
        }
    )


def _weekly_section(scenario: Scenario, solution: Solution) -> str:
    shares = weekly_shares(solution)
    targets = scenario.parameters.targets
    if shares.empty:
        return _empty_chart("weekly-shares", "Shares by ISO week", "No purchase in the plan.")
    weeks = all_weeks(str(shares.index.min()), str(shares.index.max()))
    shares = shares.reindex(weeks)
    thursdays = [week_monday(w) + dt.timedelta(days=3) for w in weeks]
    years = {d.year for d in thursdays}
    ticks = []
    for i, d in enumerate(thursdays):
        if i == 0 or d.month != thursdays[i - 1].month:
            label = MONTHS[d.month - 1] + (f" {d.year % 100:02d}" if len(years) > 1 else "")
            ticks.append((i, label))
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


def _producers_section(scenario: Scenario, solution: Solution) -> str:
    prod = solution.producers
    selling = prod[prod["sales_eur_ht"] > 0].sort_values(
        ["peak_capacity_use", "sales_eur_ht", "producer_id"],
        ascending=[False, False, True],
        kind="stable",
    )
    idle = len(prod) - len(selling)
    if selling.empty:
        chart = _empty_chart(
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
    table = _table(
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


def flow_links(scenario: Scenario, solution: Solution) -> pd.DataFrame:
    """Purchases from producers per producer × canteen: kg, value (EUR HT), distance (km)."""
    local = solution.flows[solution.flows["supplier"] == PRODUCER]
    links = (
        local.groupby(["producer_id", "canteen_id"], sort=True)
        .agg(
            qty_kg=("qty_kg", "sum"),
            value_eur_ht=("value_eur_ht", "sum"),
            distance_km=("distance_km", "first"),
            weeks=("week", "nunique"),
        )
        .reset_index()
    )
    return links.sort_values(
        ["qty_kg", "producer_id", "canteen_id"], ascending=[False, True, True], kind="stable"
    )


def _map_section(scenario: Scenario, solution: Solution) -> str:
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


def unmet_by_product_month(scenario: Scenario, solution: Solution) -> pd.DataFrame:
    """Value (EUR HT) of the demand left to the conventional supplier, product × month.

    Rows: product names, largest total first; columns: ``YYYY-MM`` of the week's Thursday.
    """
    unmet = solution.unmet_local
    if unmet.empty:
        return pd.DataFrame()
    month = _week_months(unmet["week"])
    names = scenario.products.set_index("product_id")["name"].astype(str)
    product = names.reindex(unmet["product_id"]).fillna(unmet["product_id"]).to_numpy()
    table = pd.pivot_table(
        pd.DataFrame(
            {
                "product": product,
                "month": month.to_numpy(),
                "value": unmet["value_eur_ht"].to_numpy(dtype=float),
            }
        ),
        index="product",
        columns="month",
        values="value",
        aggfunc="sum",
        fill_value=0.0,
    )
    order = table.sum(axis=1).sort_values(ascending=False, kind="stable").index
    return table.loc[order]


def _week_months(weeks: pd.Series) -> pd.Series:
    """``YYYY-MM`` of each ISO week's Thursday (the ISO rule for a week's year)."""
    uniques = pd.unique(weeks.to_numpy())
    month = {w: (week_monday(str(w)) + dt.timedelta(days=3)).strftime("%Y-%m") for w in uniques}
    return weeks.map(month).astype(str)


def _unmet_section(scenario: Scenario, solution: Solution) -> str:
    unmet = solution.unmet_local
    if unmet.empty:
        return _empty_chart(
            "unmet-heatmap",
            "Unmet local demand by product and month",
            "All demand is bought from local producers.",
        ) + _empty_chart("unmet-reasons", "Unmet local demand by reason", "Nothing left.")
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
    labels = [MONTHS[int(m[5:]) - 1] + (f" {m[2:4]}" if len(years) > 1 else "") for m in months]
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


# -- helpers ------------------------------------------------------------------------------------


def _empty_chart(chart: str, title: str, message: str) -> str:
    """A small chart holding only ``message`` (so every chart of :data:`CHARTS` is there)."""
    return f"<figure>{message_chart(chart, title, message)}</figure>"


def esc(text: object) -> str:
    """``text`` escaped for HTML, quotes included."""
    return escape(str(text), quote=True)


def _table(headers: list[tuple[str, str]], rows: list[list[tuple[str, object]]]) -> str:
    """A sortable table: each cell is (text, sort key); headers are (label, ``num``/``text``)."""
    head = "".join(f'<th data-type="{kind}">{esc(label)}</th>' for label, kind in headers)
    body = []
    for row in rows:
        cells = []
        for (text, key), (_, kind) in zip(row, headers, strict=True):
            cls = ' class="num"' if kind == "num" else ""
            sort = ""
            if kind == "num":
                value = _float(key)
                sort = f' data-sort="{esc(_raw(value) if math.isfinite(value) else "")}"'
            cells.append(f"<td{cls}{sort}>{esc(text)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<table class="data sortable"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


CSS = """
:root{--ink:#1f2933;--muted:#5f6b7a;--line:#d9dde3;--bg:#ffffff;--panel:#f4f7f9}
*{box-sizing:border-box}
body{margin:0;font-family:"DejaVu Sans","Liberation Sans",Arial,Helvetica,sans-serif;
color:var(--ink);background:var(--bg);font-size:14px;line-height:1.45}
header{padding:20px 32px 12px;border-bottom:3px solid #0072B2;background:var(--panel)}
h1{margin:0 0 4px;font-size:26px}
h2{font-size:20px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
.sub{margin:0 0 8px;color:var(--muted)}
nav a{color:#0072B2;text-decoration:none}
main{max-width:1180px;margin:0 auto;padding:0 32px 32px}
figure{margin:12px 0;overflow-x:auto}
svg{max-width:100%;height:auto;font-family:inherit}
.cards{display:grid;grid-template-columns:repeat(5,1fr);gap:12px;margin:16px 0}
.card{background:var(--panel);border-radius:6px;padding:10px 14px;border-left:4px solid #0072B2}
.card .label{font-size:12px;color:var(--muted)}
.card .big{font-size:24px;font-weight:bold}
.card .small{font-size:12px;color:var(--muted)}
table{border-collapse:collapse;margin:8px 0}
th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.headline th{font-weight:normal}
table.headline thead th{font-weight:bold;text-align:right}
table.headline tbody th{min-width:300px}
table.data{font-size:13px}
table.sortable thead th{cursor:pointer;user-select:none;background:var(--panel)}
table.sortable thead th[aria-sort=ascending]::after{content:" ▲"}
table.sortable thead th[aria-sort=descending]::after{content:" ▼"}
dl.solver{display:flex;flex-wrap:wrap;gap:8px 28px;margin:12px 0}
dl.solver dt{font-size:12px;color:var(--muted)}
dl.solver dd{margin:0;font-weight:bold}
.note{color:var(--muted);font-size:13px}
details{margin:8px 0}
summary{cursor:pointer;color:#0072B2}
.warning{color:#9C0006;background:#FFC7CE;padding:10px 14px;border-radius:6px;
font-weight:bold}
#js-errors{color:#9C0006;background:#FFC7CE;padding:8px 32px;margin:0}
footer{color:var(--muted);font-size:12px;padding:16px 32px;border-top:1px solid var(--line)}
@media print{nav,details summary{display:none}details{display:block}}
"""

HEAD_JS = """
window.onerror = function (message, source, line) {
  var box = document.getElementById("js-errors");
  var text = String(message) + " (line " + line + ")\\n";
  if (box) { box.hidden = false; box.textContent += text; }
  else { (window.rhdErrors = window.rhdErrors || []).push(text); }
};
"""

BODY_JS = """
(function () {
  var box = document.getElementById("js-errors");
  if (window.rhdErrors && window.rhdErrors.length) {
    box.hidden = false; box.textContent += window.rhdErrors.join("");
  }
  function sortBy(table, col, th) {
    var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    var numeric = th.getAttribute("data-type") === "num";
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    rows.sort(function (a, b) {
      var x = a.cells[col], y = b.cells[col];
      if (numeric) {
        var p = parseFloat(x.getAttribute("data-sort"));
        var q = parseFloat(y.getAttribute("data-sort"));
        if (isNaN(p)) { return 1; } if (isNaN(q)) { return -1; }
        return dir * (p - q);
      }
      return dir * x.textContent.localeCompare(y.textContent);
    });
    Array.prototype.forEach.call(th.parentNode.children, function (h) {
      h.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    rows.forEach(function (r) { body.appendChild(r); });
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.addEventListener("click", function () { sortBy(table, col, th); });
    });
  });
  document.body.dataset.charts = String(document.querySelectorAll("svg[data-chart]").length);
  document.body.dataset.loaded = "ok";
})();
"""
