"""The HTML report of a territory plan: one self-contained file to open in any browser.

``render_html`` returns the page; ``write_html_report`` writes it (all or nothing).
Sections: headline figures before and after the plan, EGalim shares per canteen against their
targets, local and organic shares week by week, producer utilisation, a map of the main flows,
and the local demand left to the conventional supplier by product and month, with the reasons.
Styles and charts are inline (SVG drawn with matplotlib by ``rhd_match.report.charts``);
a few lines of inline JavaScript sort the tables and mark the page loaded
(``<body data-loaded="ok">``). Nothing is fetched from the network, all text is escaped, and
the same plan gives the same bytes.
"""

from __future__ import annotations

import math
from pathlib import Path

from ..i18n import format_money, use_language
from ..i18n import gettext as _
from ..inputs.scenario import Scenario
from ..io import write_folder_atomically
from ..plan.solution import Solution
from ..version import __version__
from .drawing import (
    pct,
)
from .html_format import (
    COUNTS,
    SHARES,
    as_float,
    esc,
    figure_cell,
    figure_span,
    fmt_count,
    fmt_eur,
    fmt_gap,
    fmt_number,
    fmt_points,
    fmt_share,
    fmt_signed_eur,
    raw_value,
)
from .sections import (
    canteens_section,
    map_section,
    producers_section,
    unmet_section,
    weekly_section,
)

#: Charts of the report, by ``data-chart`` name, in page order.
CHARTS = (
    "egalim-canteens",
    "weekly-shares",
    "producer-utilisation",
    "flow-map",
    "unmet-heatmap",
    "unmet-reasons",
)

# -- page ---------------------------------------------------------------------------------------


def write_html_report(
    scenario: Scenario, solution: Solution, path: str | Path, *, language: str = "fr"
) -> Path:
    """Write the HTML report of ``solution`` to ``path`` (all or nothing).

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    solution
        The plan (from ``rhd_match.solve`` or read back).
    path
        The ``.html`` file to write; its folder is created if needed.
    language
        Language of the texts translated so far (month names): one of
        ``rhd_match.i18n.LANGUAGES``.

    Returns
    -------
    Path
        ``path``.
    """
    page = render_html(scenario, solution, language=language)
    path = Path(path)
    writer = {path.name: lambda p: p.write_text(page, encoding="utf-8")}
    return write_folder_atomically(path.parent, writer)[0]


def render_html(scenario: Scenario, solution: Solution, *, language: str = "fr") -> str:
    """The report as one self-contained HTML page (see the module docstring).

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    solution
        The plan (from ``rhd_match.solve`` or read back).
    language
        Language of the texts translated so far (month names): one of
        ``rhd_match.i18n.LANGUAGES``.

    Returns
    -------
    str
        The page: headline figures (EUR HT, shares), charts as inline SVG and a map; no
        script or font fetched from the network.
    """
    s = solution.summary.iloc[0]
    weeks = sorted(set(solution.flows["week"].astype(str)) | set(scenario.demand["week"]))
    span = f"{weeks[0]} to {weeks[-1]}" if weeks else "no weeks"
    title = "Territory purchase plan"
    subtitle = (
        f"{len(scenario.canteens)} canteens · {len(scenario.producers)} producers · "
        f"{len(scenario.products)} products · ISO weeks {span} · solver status "
        f"{s['status']} ({s['strategy']}, {s['solver']})"
    )
    with use_language(language):
        sections = [
            ("headline", "Headline figures", _headline(scenario, solution)),
            ("canteens", "EGalim shares per canteen", canteens_section(scenario, solution)),
            ("weeks", "Shares week by week", weekly_section(scenario, solution)),
            ("producers", "Producer utilisation", producers_section(scenario, solution)),
            ("map", "Map of the main flows", map_section(scenario, solution)),
            (
                "unmet",
                "Local demand left to the conventional supplier",
                unmet_section(scenario, solution),
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
    n = as_float(s["canteens"])
    cards = []
    for field, label, target in SHARES:
        after, before = as_float(s[field]), as_float(s[f"{field}_before"])
        goal = f" · target {pct(float(getattr(targets, target)))}" if target is not None else ""
        cards.append(
            f'<div class="card"><div class="label">{esc(label)}</div>'
            f'<div class="big" data-card="{field}">{esc(fmt_share(after))}</div>'
            f'<div class="small">before {esc(fmt_share(before))}{esc(goal)}</div></div>'
        )
    extra = as_float(s["extra_cost_eur_ht"])
    extra_share = as_float(s["extra_cost_share"])
    share_text = "n/a" if not math.isfinite(extra_share) else f"{100 * extra_share:+.1f} %"
    cards.append(
        '<div class="card"><div class="label">Extra cost (EUR HT)</div>'
        f'<div class="big" data-card="extra_cost_eur_ht">{esc(f"{extra:+,.0f} €")}</div>'
        f'<div class="small">{esc(share_text)} on the all-conventional purchases</div></div>'
    )
    per_meal = as_float(s.get("extra_cost_per_meal_eur_ht", math.nan))
    if math.isfinite(per_meal):
        cards.append(
            '<div class="card"><div class="label">'
            + esc(_("Extra food cost per meal (EUR HT)"))
            + '</div><div class="big" data-card="extra_cost_per_meal_eur_ht">'
            + esc(("+" if per_meal >= 0 else "") + format_money(per_meal))
            + '</div><div class="small">'
            + esc(
                _(
                    "{before} → {after} per meal; national estimate for EGalim: +0.14 to "
                    "+0.42 € (CGAAER)"
                ).format(
                    before=format_money(as_float(s["cost_per_meal_eur_ht_before"])),
                    after=format_money(as_float(s["cost_per_meal_eur_ht"])),
                )
            )
            + "</div></div>"
        )
    rows = []
    for field, label, target in SHARES:
        after, before = as_float(s[field]), as_float(s[f"{field}_before"])
        goal = f"{pct(float(getattr(targets, target)))} (default)" if target is not None else "–"
        rows.append(
            f"<tr><th>{esc(label)}</th>"
            + figure_cell(field, "before", before, fmt_share(before))
            + figure_cell(field, "after", after, fmt_share(after))
            + f'<td class="num">{esc(fmt_points(after - before))}</td>'
            f'<td class="num">{esc(goal)}</td></tr>'
        )
    for field, label in COUNTS:
        after, before = as_float(s[field]), as_float(s[f"{field}_before"])
        rows.append(
            f"<tr><th>{esc(label)}</th>"
            + figure_cell(field, "before", before, fmt_count(before, n))
            + figure_cell(field, "after", after, fmt_count(after, n))
            + f'<td class="num">{int(after - before):+d}</td><td></td></tr>'
        )
    value, value_before = as_float(s["value_eur_ht"]), as_float(s["value_eur_ht_before"])
    rows.append(
        "<tr><th>Purchases</th>"
        + figure_cell("value_eur_ht", "before", value_before, fmt_eur(value_before))
        + figure_cell("value_eur_ht", "after", value, fmt_eur(value))
        + figure_cell("extra_cost_eur_ht", "after", extra, fmt_signed_eur(extra))
        + "<td></td></tr>"
    )
    local, local_before = (
        as_float(s["local_value_eur_ht"]),
        as_float(s["local_value_eur_ht_before"]),
    )
    rows.append(
        "<tr><th>Purchases from local producers</th>"
        + figure_cell("local_value_eur_ht", "before", local_before, fmt_eur(local_before))
        + figure_cell("local_value_eur_ht", "after", local, fmt_eur(local))
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
        + figure_span("shortfall_quality_eur_ht", s)
        + ", organic "
        + figure_span("shortfall_organic_eur_ht", s)
        + ", meat and fish "
        + figure_span("shortfall_meat_fish_eur_ht", s)
        + ".</p>"
    )
    solver = [
        ("status", "Solver status", str(s["status"]), str(s["status"])),
        ("gap", "Relative gap", as_float(s["gap"]), fmt_gap(as_float(s["gap"]))),
        ("objective", "Objective", as_float(s["objective"]), fmt_number(as_float(s["objective"]))),
        (
            "best_bound",
            "Best bound",
            as_float(s["best_bound"]),
            fmt_number(as_float(s["best_bound"])),
        ),
        ("strategy", "Strategy (solver)", str(s["strategy"]), f"{s['strategy']} ({s['solver']})"),
        (
            "solve_time_s",
            "Build + solve time",
            as_float(s["solve_time_s"]),
            f"{as_float(s['build_time_s']):.2f} s + {as_float(s['solve_time_s']):.2f} s",
        ),
    ]
    items = "".join(
        f'<div><dt>{esc(label)}</dt><dd data-field="{field}" data-value="{esc(raw_value(raw))}">'
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
