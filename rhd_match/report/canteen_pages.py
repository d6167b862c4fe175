"""One page per canteen, for its cook and its manager: its EGalim figures before and after the
plan, what to buy from whom each month, why the rest stays with its usual supplier, and the
extra cost (per meal where the plan's canteen table gives it).

The pages are sections of the report (``<article class="canteen-page" id="canteen-ID">``): the
page's print styles start each on a new sheet, and print only the one in the address
(``report.html#canteen-ID``) when there is one.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import Any

import pandas as pd

from ..i18n import format_number, ngettext
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..inputs.scenario import Scenario
from ..plan.solution import REASONS, Solution
from ..plan.tables import PRODUCER, canteen_table, conventional_flows
from ..weeks import month_label, week_year_month
from .drawing import pct
from .html_format import (
    as_float,
    esc,
    fmt_eur,
    fmt_kg,
    fmt_share,
    fmt_signed_eur,
    html_table,
    reason_label,
)
from .sections import by_distance_from_law

#: Column of ``Solution.canteens`` with the extra cost per meal (EUR HT); shown when present.
EXTRA_COST_PER_MEAL = "extra_cost_per_meal_eur_ht"
#: The canteen's EGalim figures: (share suffix, label); the local share has no legal target.
FIGURES = (
    ("quality", N_("Quality and sustainable (EGalim)")),
    ("organic", N_("Organic")),
    ("meat_fish", N_("Quality meat and fish")),
    ("local", N_("Bought from local producers")),
)
#: Products named per reason in the "why" table.
PRODUCTS_PER_REASON = 4


def canteen_anchor(canteen_id: object) -> str:
    """The id of a canteen's page in the report (``canteen-C001``)."""
    return f"canteen-{canteen_id}"


def canteen_pages(scenario: Scenario, solution: Solution) -> str:
    """Every canteen's page, farthest from the law first, as HTML.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    solution
        The plan.

    Returns
    -------
    str
        One ``<article class="canteen-page">`` per canteen.
    """
    scenario = scenario.as_planned(solution.menu)  # groups: the products chosen
    before = canteen_table(scenario, conventional_flows(scenario)).set_index("canteen_id")
    products = scenario.products.set_index("product_id")["name"].astype(str)
    producers = scenario.producers.set_index("producer_id")["name"].astype(str)
    purchases = _purchases_by_month(solution, products, producers)
    menus = _menus(solution.menu, products)
    reasons = _reasons(solution, products)
    info = scenario.canteens.set_index("canteen_id")
    pages = []
    for row in by_distance_from_law(solution.canteens).to_dict("records"):
        cid = str(row["canteen_id"])
        pages.append(
            _page(row, before.loc[cid] if cid in before.index else None, info.loc[cid])
            + menus.get(cid, "")
            + _buy_table(purchases.get(cid))
            + _why_table(reasons.get(cid))
            + "</article>"
        )
    return "".join(pages)


def _menus(menu: pd.DataFrame, products: pd.Series) -> dict[str, str]:
    """Per canteen, what the plan serves for each group of products of its demand, as HTML.

    Parameters
    ----------
    menu
        The menu as planned (``Solution.menu``).
    products
        Product names by ``product_id``.

    Returns
    -------
    dict of str
        Canteen id → a heading and a table: per group and product chosen, the quantity over
        the plan in the group's unit (portions), its share of the group and the ISO weeks it
        is served (each week's detail: the workbook's *Menu as planned* sheet); canteens
        without a group have no entry.
    """
    grouped = menu[menu["group_id"] != menu["product_id"]]
    if grouped.empty:
        return {}
    served = grouped.groupby(["canteen_id", "group_id", "product_id"], as_index=False).agg(
        group_qty=("group_qty", "sum"), weeks=("week", "nunique")
    )
    whole = served.groupby(["canteen_id", "group_id"])["group_qty"].transform("sum")
    served = served.assign(share=served["group_qty"] / whole)
    headers = [
        (_("Group"), "text"),
        (_("Product"), "text"),
        (_("Quantity in the group's unit"), "num"),
        (_("Share of the group"), "num"),
        (_("ISO weeks served"), "num"),
    ]
    out = {}
    for cid, part in served.groupby("canteen_id", sort=False):
        rows: list[list[tuple[str, object]]] = [
            [
                (str(r["group_id"]), str(r["group_id"])),
                (str(products.get(r["product_id"], r["product_id"])), str(r["product_id"])),
                (format_number(float(r["group_qty"])), float(r["group_qty"])),
                (fmt_share(float(r["share"])), float(r["share"])),
                (format_number(int(r["weeks"])), int(r["weeks"])),
            ]
            for r in part.to_dict("records")
        ]
        out[str(cid)] = f"<h4>{esc(_('Menu as planned'))}</h4>" + html_table(headers, rows)
    return out


def _page(row: Mapping[Hashable, Any], before: Any, info: Any) -> str:
    """Head of a canteen's page: name, meals, EGalim figures and cost."""
    cid = str(row["canteen_id"])
    meals = as_float(info.get("meals_per_day"))
    facts = _("{sector} · {meals} meals a day").format(
        sector=info.get("sector", ""), meals=format_number(meals) if math.isfinite(meals) else "?"
    )
    rows = []
    for key, label in FIGURES:
        after = as_float(row[f"share_{key}"])
        was = as_float(before[f"share_{key}"]) if before is not None else float("nan")
        target = as_float(row.get(f"target_{key}", float("nan")))
        if key == "local":
            verdict = ""
        elif row.get(f"meets_{key}"):
            verdict = _("met")
        else:
            verdict = _("{points} points missing").format(
                points=format_number(100 * as_float(row[f"shortfall_{key}_points"]), 1)
            )
        rows.append(
            f"<tr><th>{esc(_(label))}</th><td class=num>{esc(fmt_share(was))}</td>"
            f"<td class=num>{esc(fmt_share(after))}</td>"
            f"<td class=num>{esc(pct(target) if math.isfinite(target) else '–')}</td>"
            f"<td>{esc(verdict)}</td></tr>"
        )
    head = "".join(
        f"<th>{esc(h)}</th>"
        for h in ("", _("before (all conventional)"), _("after (plan)"), _("target"), "")
    )
    per_meal = as_float(row.get(EXTRA_COST_PER_MEAL, float("nan")))
    meal_text = (
        _("{value} per meal").format(value=fmt_signed_eur(per_meal))
        if math.isfinite(per_meal)
        else _("per meal: not known for this plan")
    )
    cost = _("Purchases {after} instead of {before}: extra cost {extra} ({per_meal}).").format(
        after=fmt_eur(as_float(row["value_eur_ht"])),
        before=fmt_eur(as_float(row["reference_value_eur_ht"])),
        extra=fmt_signed_eur(as_float(row["extra_cost_eur_ht"])),
        per_meal=meal_text,
    )
    return (
        f'<article class="canteen-page" id="{esc(canteen_anchor(cid))}">'
        f"<h3>{esc(row['name'])} <small>({esc(cid)})</small></h3>"
        f'<p class="sub">{esc(facts)}</p>'
        f'<table class="headline"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
        f"</table><p>{esc(cost)}</p>"
    )


def _purchases_by_month(
    solution: Solution, products: pd.Series, producers: pd.Series
) -> dict[str, pd.DataFrame]:
    """Per canteen: one row per month × producer, its products with their kg, kg and value."""
    local = solution.flows[solution.flows["supplier"] == PRODUCER]
    if local.empty:
        return {}
    lines = (
        pd.DataFrame(
            {
                "canteen_id": local["canteen_id"].astype(str).to_numpy(),
                "month": week_year_month(local["week"]).to_numpy(),
                "producer": producers.reindex(local["producer_id"]).fillna("?").to_numpy(),
                "product": products.reindex(local["product_id"]).fillna("?").to_numpy(),
                "qty_kg": local["qty_kg"].to_numpy(dtype=float),
                "value": local["value_eur_ht"].to_numpy(dtype=float),
            }
        )
        .groupby(["canteen_id", "month", "producer", "product"], sort=True)[["qty_kg", "value"]]
        .sum()
        .reset_index()
    )
    lines["text"] = [
        f"{p} {fmt_kg(kg)}" for p, kg in zip(lines["product"], lines["qty_kg"], strict=True)
    ]
    rows = (
        lines.groupby(["canteen_id", "month", "producer"], sort=True)
        .agg(products=("text", ", ".join), qty_kg=("qty_kg", "sum"), value=("value", "sum"))
        .reset_index()
    )
    return {str(c): group for c, group in rows.groupby("canteen_id", sort=True)}


def _buy_table(rows: pd.DataFrame | None) -> str:
    title = "<h4>" + esc(_("What to buy from whom, month by month")) + "</h4>"
    if rows is None or rows.empty:
        return (
            title + "<p>" + esc(_("Nothing is bought from local producers in this plan.")) + "</p>"
        )
    months = {m: month_label(int(m[:4]), int(m[5:]), True) for m in rows["month"].unique()}
    table = html_table(
        [
            (_("Month"), "text"),
            (_("Producer"), "text"),
            (_("Products (kg over the month)"), "text"),
            (_("kg"), "num"),
            (_("Value"), "num"),
        ],
        [
            [
                (months[m], m),
                (p, p),
                (t, t),
                (fmt_kg(kg), kg),
                (fmt_eur(v), v),
            ]
            for m, p, t, kg, v in zip(
                rows["month"],
                rows["producer"],
                rows["products"],
                rows["qty_kg"],
                rows["value"],
                strict=True,
            )
        ],
    )
    return title + table


def _reasons(solution: Solution, products: pd.Series) -> dict[str, pd.DataFrame]:
    """Per canteen: one row per reason, its value and the products it holds most."""
    unmet = solution.unmet_local
    if unmet.empty:
        return {}
    lines = (
        pd.DataFrame(
            {
                "canteen_id": unmet["canteen_id"].astype(str).to_numpy(),
                "reason": unmet["reason"].astype(str).to_numpy(),
                "product": products.reindex(unmet["product_id"]).fillna("?").to_numpy(),
                "value": unmet["value_eur_ht"].to_numpy(dtype=float),
            }
        )
        .groupby(["canteen_id", "reason", "product"], sort=True)["value"]
        .sum()
        .reset_index()
        .sort_values(
            ["canteen_id", "reason", "value", "product"],
            kind="stable",
            ascending=[True, True, False, True],
        )
    )
    rows = (
        lines.groupby(["canteen_id", "reason"], sort=True)
        .agg(
            value=("value", "sum"),
            products=("product", lambda p: list(p.iloc[:PRODUCTS_PER_REASON])),
            more=("product", lambda p: max(len(p) - PRODUCTS_PER_REASON, 0)),
        )
        .reset_index()
    )
    order = {r: i for i, r in enumerate(REASONS)}
    rows["order"] = rows["reason"].map(order).fillna(len(order))
    rows = rows.sort_values(["canteen_id", "order", "reason"], kind="stable")
    return {str(c): group for c, group in rows.groupby("canteen_id", sort=True)}


def _why_table(rows: pd.DataFrame | None) -> str:
    title = "<h4>" + esc(_("Why the rest stays with the usual supplier")) + "</h4>"
    if rows is None or rows.empty:
        return title + "<p>" + esc(_("Everything is bought from local producers.")) + "</p>"
    body = []
    for reason, value, names, more in zip(
        rows["reason"], rows["value"], rows["products"], rows["more"], strict=True
    ):
        listed = ", ".join(names)
        if more:
            listed = ngettext(
                "{products} and {n} more", "{products} and {n} more", int(more)
            ).format(products=listed, n=int(more))
        meaning = _(REASONS[reason]) if reason in REASONS else ""
        body.append(
            f"<tr><td>{esc(reason_label(reason))}</td><td>{esc(meaning)}</td>"
            f"<td>{esc(listed)}</td><td class=num>{esc(fmt_eur(float(value)))}</td></tr>"
        )
    head = "".join(
        f"<th>{esc(h)}</th>" for h in (_("reason"), _("meaning"), _("products"), _("value"))
    )
    return (
        title + f'<table class="data"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )
