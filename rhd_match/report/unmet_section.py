"""The report's section on the demand left to the usual (conventional) supplier: a heat map
by product and month with each product's main reason, and the value by reason.
"""

from __future__ import annotations

import pandas as pd

from ..i18n import format_number, ngettext
from ..i18n import gettext as _
from ..inputs.scenario import Scenario
from ..plan.solution import REASONS, Solution
from ..weeks import month_label
from .charts import Bar, Panel, bar_panels, heatmap
from .drawing import (
    VERMILION,
    pct,
    short_number,
)
from .figures import unmet_by_product_month
from .html_format import (
    MAX_HEATMAP_ROWS,
    empty_chart,
    esc,
    fmt_eur,
    reason_label,
)

# -- unmet local demand -------------------------------------------------------------------------


def unmet_section(scenario: Scenario, solution: Solution) -> str:
    """The page's section on the demand left to the usual (conventional) supplier: by product
    and month, and by reason.

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
            _("Demand left to the usual supplier, by product and month"),
            _("All demand is bought from local producers."),
        ) + empty_chart(
            "unmet-reasons", _("Demand left to the usual supplier, by reason"), _("Nothing left.")
        )
    table = unmet_by_product_month(scenario, solution)
    months = list(table.columns)
    # The colour scale is that of single products: an "other products" row stays darkest.
    vmax = float(table.iloc[: MAX_HEATMAP_ROWS - 1].to_numpy(dtype=float).max())
    if len(table) > MAX_HEATMAP_ROWS:
        head = table.iloc[: MAX_HEATMAP_ROWS - 1]
        rest = table.iloc[MAX_HEATMAP_ROWS - 1 :]
        other = rest.sum().to_frame(_("{n} other products").format(n=len(rest))).T
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
        f"{reason_label(main[p])} ({pct(float(main_share[p]))})"
        if p in main.index
        else _("various")
        for p in table.index
    ]
    totals = table.sum(axis=1)
    heat = heatmap(
        "unmet-heatmap",
        _("Demand bought from the usual supplier, by product and month (EUR excl. VAT)"),
        [str(p) for p in table.index],
        labels,
        table.to_numpy(dtype=float),
        tip_format=lambda v: fmt_eur(v),
        extra_columns=[
            (_("total"), [short_number(float(v)) + " €" for v in totals], 70),
            (_("main reason (share)"), reason_text, 220),
        ],
        vmax=vmax,
    )
    reasons = (
        unmet.groupby("reason", sort=True)
        .agg(lines=("value_eur_ht", "size"), value=("value_eur_ht", "sum"), qty=("qty", "sum"))
        .sort_values(["value"], ascending=False, kind="stable")
    )
    total = float(reasons["value"].sum())
    reason_names = [reason_label(r) for r in reasons.index]
    bars = [
        Bar(
            float(v),
            VERMILION,
            ngettext(
                "{reason}: {value} in {n} purchase line",
                "{reason}: {value} in {n} purchase lines",
                int(n),
            ).format(reason=name, value=fmt_eur(float(v)), n=format_number(n)),
            label=ngettext(
                "{value} · {n} line ({share})", "{value} · {n} lines ({share})", int(n)
            ).format(value=fmt_eur(float(v)), n=format_number(n), share=pct(float(v) / total)),
        )
        for name, v, n in zip(reason_names, reasons["value"], reasons["lines"], strict=True)
    ]
    top_value = float(reasons["value"].max())
    reasons_chart = bar_panels(
        "unmet-reasons",
        _("Demand bought from the usual supplier, by reason (EUR excl. VAT)"),
        reason_names,
        [
            Panel(
                _("Value bought from the usual supplier"),
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
        f"<tr><td>{esc(reason_label(r))}</td>"
        f"<td>{esc(_(REASONS[str(r)]) if str(r) in REASONS else '')}</td>"
        f'<td class="num">{esc(format_number(n))}</td>'
        f'<td class="num">{esc(fmt_eur(float(v)))}</td></tr>'
        for r, n, v in zip(reasons.index, reasons["lines"], reasons["value"], strict=True)
    )
    intro = ngettext(
        "{value} of demand ({n} purchase line) is bought from the usual supplier. By product "
        "(largest first) and calendar month of the ISO week, with the main reason local "
        "producers did not supply it:",
        "{value} of demand ({n} purchase lines) is bought from the usual supplier. By product "
        "(largest first) and calendar month of the ISO week, with the main reason local "
        "producers did not supply it:",
        len(unmet),
    ).format(value=fmt_eur(total), n=format_number(len(unmet)))
    why = _(
        "Why, by reason. Each line gets the first reason that applies, tested in the order "
        "of the table below."
    )
    header = "".join(
        f"<th>{esc(h)}</th>" for h in (_("reason"), _("meaning"), _("lines"), _("value"))
    )
    return (
        f"<p>{esc(intro)}</p><figure>{heat}</figure><p>{esc(why)}</p>"
        f"<figure>{reasons_chart}</figure>"
        f'<table class="data"><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>'
    )
