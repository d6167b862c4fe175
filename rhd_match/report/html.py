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

from ..egalim import CGAAER_EXTRA_PER_MEAL
from ..i18n import (
    format_money,
    format_number,
    format_points,
    format_signed,
    ngettext,
    use_language,
)
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..inputs.scenario import Scenario
from ..logistics.tours import TourPlan
from ..plan.solution import STATUS_NAMES, Solution
from ..version import __version__
from ..writing import write_folder_atomically
from .canteen_pages import canteen_pages
from .communes import (
    DEMO_COMMUNES,
    DEMO_COMMUNES_SOURCE,
    Commune,
    CommuneSource,
    read_communes,
)
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
    fmt_share,
    fmt_signed_eur,
    raw_value,
)
from .hubs_section import hubs_section
from .sections import (
    by_distance_from_law,
    canteens_section,
    map_section,
    producers_section,
    weekly_section,
)
from .tours_section import tours_section
from .unmet_section import unmet_section

#: Charts of the report, by ``data-chart`` name, in page order.
CHARTS = (
    "egalim-canteens",
    "flow-map",
    "weekly-shares",
    "producer-utilisation",
    "unmet-heatmap",
    "unmet-reasons",
)

# -- page ---------------------------------------------------------------------------------------


def write_html_report(
    scenario: Scenario,
    solution: Solution,
    path: str | Path,
    *,
    language: str = "fr",
    communes: CommuneSource = None,
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
        Language of every text of the page: one of ``rhd_match.i18n.LANGUAGES``.
    communes
        GeoJSON file of the commune outlines drawn under the map (see ``render_html``).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OptionError
        When ``communes`` is not a readable GeoJSON feature collection.
    ValueError
        When ``language`` is not one rhd_match speaks.
    """
    page = render_html(scenario, solution, language=language, communes=communes)
    path = Path(path)
    writer = {path.name: lambda p: p.write_text(page, encoding="utf-8")}
    return write_folder_atomically(path.parent, writer)[0]


def render_html(
    scenario: Scenario,
    solution: Solution,
    *,
    language: str = "fr",
    communes: CommuneSource = None,
    tours: TourPlan | None = None,
) -> str:
    """The report as one self-contained HTML page (see the module docstring).

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    solution
        The plan (from ``rhd_match.solve`` or read back).
    language
        Language of every text of the page: one of ``rhd_match.i18n.LANGUAGES``.
    communes
        GeoJSON file of the commune outlines drawn under the map (WGS 84 polygons with a
        ``name``), or the outlines read from one already (``read_communes``). ``None``: the
        outlines packaged for the demo's territory (the 36 communes of Lens-Liévin) when the
        territory's places lie among them, none otherwise.
    tours
        The plan's delivery tours (``rhd_match.logistics.plan_tours``): a section draws them
        on a map, with their totals and one table per round; ``None``: no such section.

    Returns
    -------
    str
        The page: headline figures (EUR HT, shares), charts as inline SVG, a map, one page per
        canteen and the solver's figures; no script or font fetched from the network.

    Raises
    ------
    OptionError
        When ``communes`` is not a readable GeoJSON feature collection.
    ValueError
        When ``language`` is not one rhd_match speaks.
    """
    with use_language(language):
        outlines, credit = _communes(scenario, communes)
        weeks = sorted(set(solution.flows["week"].astype(str)) | set(scenario.demand["week"]))
        if not weeks:
            span = _("no weeks")
        elif weeks[0] == weeks[-1]:
            span = _("ISO week {week}").format(week=weeks[0])
        else:
            span = _("ISO weeks {first} to {last}").format(first=weeks[0], last=weeks[-1])
        title = _("Territory purchase plan")
        subtitle = " · ".join(
            [
                *territory_counts(scenario),
                ngettext("{n} product", "{n} products", len(scenario.products)).format(
                    n=format_number(len(scenario.products))
                ),
                span,
            ]
        )
        sections = [
            ("headline", _("The plan in brief"), _headline(scenario, solution)),
            (
                "canteens",
                _("Canteens, farthest from the law first"),
                canteens_section(scenario, solution),
            ),
            (
                "map",
                _("Map of the canteens and their local suppliers"),
                map_section(scenario, solution, outlines, credit),
            ),
            *(
                [("tours", _("Delivery rounds"), tours_section(scenario, tours, outlines, credit))]
                if tours is not None
                else []
            ),
            *(
                [("hubs", _("Hubs"), hubs_section(scenario, solution))]
                if not scenario.hubs.empty
                else []
            ),
            ("weeks", _("Shares week by week"), weekly_section(scenario, solution)),
            (
                "producers",
                _("Local producers: how much they can still supply"),
                producers_section(scenario, solution),
            ),
            (
                "unmet",
                _("What stays with the usual supplier, and why"),
                unmet_section(scenario, solution),
            ),
            ("canteen-pages", _("One page per canteen"), _canteen_pages(scenario, solution)),
            ("technical", _("Technical details (solver)"), _technical(solution)),
        ]
        footer = _(
            "Made by rhd_match {version}. Money in euros excluding VAT (HT); shares of the "
            "purchase value as counted by ma cantine; “before” = every purchase from the usual "
            "supplier at the reference price, without label."
        ).format(version=__version__)
    return page_html(language, title, subtitle, sections, footer)


def territory_counts(scenario: Scenario) -> list[str]:
    """``12 cantines`` and ``40 producteurs``: the territory's size, in the active language.

    Parameters
    ----------
    scenario
        A validated scenario.

    Returns
    -------
    list of str
        Its canteens, then its producers, counted.
    """
    canteens, producers = len(scenario.canteens), len(scenario.producers)
    return [
        ngettext("{n} canteen", "{n} canteens", canteens).format(n=format_number(canteens)),
        ngettext("{n} producer", "{n} producers", producers).format(n=format_number(producers)),
    ]


def page_html(
    language: str, title: str, subtitle: str, sections: list[tuple[str, str, str]], footer: str
) -> str:
    """A self-contained page of the report's look: its styles, scripts, header and footer.

    Parameters
    ----------
    language
        The page's language (its ``lang``).
    title, subtitle
        The header's lines, in that language.
    sections
        One ``(id, heading, HTML)`` per section, in page order; the header links to each.
    footer
        The footer's text.

    Returns
    -------
    str
        The page; its tables sort by a click and ``<body data-loaded="ok">`` marks its scripts
        run; nothing is fetched from the network.
    """
    nav = " · ".join(f'<a href="#{key}">{esc(name)}</a>' for key, name, _c in sections)
    body = "".join(
        f'<section id="{key}"><h2>{esc(name)}</h2>{content}</section>'
        for key, name, content in sections
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} — rhd_match</title>"
        f"<style>{CSS}</style><script>{HEAD_JS}</script></head>"
        '<body data-loaded="no">'
        f'<header><h1>{esc(title)}</h1><p class="sub">{esc(subtitle)}</p>'
        f"<nav>{nav}</nav></header>"
        '<pre id="js-errors" hidden></pre>'
        f"<main>{body}</main>"
        f"<footer>{esc(footer)}</footer>"
        f"<script>{BODY_JS}</script></body></html>\n"
    )


def _communes(scenario: Scenario, source: CommuneSource) -> tuple[list[Commune], str]:
    """The outlines to draw under the map and their credit line."""
    if isinstance(source, str | Path):
        return read_communes(source), ""
    if source is not None:
        return list(source), ""
    outlines = read_communes(DEMO_COMMUNES)
    xs = [x for c in outlines for ring in c.rings for x, _y in ring]
    ys = [y for c in outlines for ring in c.rings for _x, y in ring]
    places = scenario.canteens
    inside = (
        places["lon"].between(min(xs), max(xs)) & places["lat"].between(min(ys), max(ys))
    ).mean()
    # The demo's outlines only under a territory whose canteens mostly lie among them.
    return (outlines, DEMO_COMMUNES_SOURCE) if inside >= 0.5 else ([], "")


def _canteen_pages(scenario: Scenario, solution: Solution) -> str:
    intro = _(
        "For each canteen, in the order of the table above: its EGalim figures before and "
        "after the plan, what to buy from whom each month, and why the rest stays with its "
        "usual supplier. Each page prints on its own sheet; open a canteen's page from its "
        "link, then print, to print that page alone."
    )
    return f'<p class="note">{esc(intro)}</p>' + canteen_pages(scenario, solution)


# -- headline -----------------------------------------------------------------------------------


def _headline(scenario: Scenario, solution: Solution) -> str:
    s = solution.summary.iloc[0]
    targets = scenario.parameters.targets
    n = as_float(s["canteens_buying"])  # a canteen with nothing to buy meets no target
    cards = []
    for field, label, target in SHARES:
        after, before = as_float(s[field]), as_float(s[f"{field}_before"])
        small = _("before: {share}").format(share=fmt_share(before))
        if target is not None:
            small += " · " + _("the law: {share}").format(
                share=pct(float(getattr(targets, target)))
            )
        cards.append(
            f'<div class="card"><div class="label">{esc(_(label))}</div>'
            f'<div class="big" data-card="{field}">{esc(fmt_share(after))}</div>'
            f'<div class="small">{esc(small)}</div></div>'
        )
    extra = as_float(s["extra_cost_eur_ht"])
    extra_share = as_float(s["extra_cost_share"])
    share_text = (
        _("n/a")
        if not math.isfinite(extra_share)
        else _("{share} more than buying everything from the usual supplier").format(
            share=format_signed(100 * extra_share, 1) + " %"
        )
    )
    cards.append(
        '<div class="card"><div class="label">'
        + esc(_("Extra cost"))
        + "</div>"
        + f'<div class="big" data-card="extra_cost_eur_ht">{esc(fmt_signed_eur(extra))}</div>'
        f'<div class="small">{esc(share_text)}</div></div>'
    )
    per_meal = as_float(s.get("extra_cost_per_meal_eur_ht", math.nan))
    if math.isfinite(per_meal):
        cards.append(
            '<div class="card"><div class="label">'
            + esc(_("Extra food cost per meal (EUR excl. VAT)"))
            + '</div><div class="big" data-card="extra_cost_per_meal_eur_ht">'
            + esc(("+" if per_meal >= 0 else "") + format_money(per_meal))
            + '</div><div class="small">'
            + esc(
                _(
                    "{before} → {after} per meal; national estimate for EGalim: +{low} to "
                    "+{high} (CGAAER)"
                ).format(
                    low=format_money(CGAAER_EXTRA_PER_MEAL[0]),
                    high=format_money(CGAAER_EXTRA_PER_MEAL[1]),
                    before=format_money(as_float(s["cost_per_meal_eur_ht_before"])),
                    after=format_money(as_float(s["cost_per_meal_eur_ht"])),
                )
            )
            + "</div></div>"
        )
    rows = []
    for field, label, target in SHARES:
        after, before = as_float(s[field]), as_float(s[f"{field}_before"])
        goal = pct(float(getattr(targets, target))) if target is not None else "–"
        rows.append(
            f"<tr><th>{esc(_(label))}</th>"
            + figure_cell(field, "before", before, fmt_share(before))
            + figure_cell(field, "after", after, fmt_share(after))
            + f'<td class="num">{esc(format_points(after - before))}</td>'
            f'<td class="num">{esc(goal)}</td></tr>'
        )
    for field, label in COUNTS:
        after, before = as_float(s[field]), as_float(s[f"{field}_before"])
        rows.append(
            f"<tr><th>{esc(_(label))}</th>"
            + figure_cell(field, "before", before, fmt_count(before, n))
            + figure_cell(field, "after", after, fmt_count(after, n))
            + f'<td class="num">{esc(format_signed(after - before))}</td><td></td></tr>'
        )
    value, value_before = as_float(s["value_eur_ht"]), as_float(s["value_eur_ht_before"])
    rows.append(
        "<tr><th>"
        + esc(_("Purchases"))
        + "</th>"
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
        "<tr><th>"
        + esc(_("Purchases from local producers"))
        + "</th>"
        + figure_cell("local_value_eur_ht", "before", local_before, fmt_eur(local_before))
        + figure_cell("local_value_eur_ht", "after", local, fmt_eur(local))
        + f'<td class="num">{esc(fmt_signed_eur(local - local_before))}</td><td></td></tr>'
    )
    head = "".join(
        f"<th>{esc(h)}</th>"
        for h in (
            "",
            _("before (all conventional)"),
            _("after (plan)"),
            _("change"),
            _("the law"),
        )
    )
    table = (
        f'<table class="headline"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    shortfalls = (
        "<p>"
        + esc(_("Still missing to bring every canteen to the law, in purchases:"))
        + " "
        + esc(_("quality"))
        + " "
        + figure_span("shortfall_quality_eur_ht", s)
        + ", "
        + esc(_("organic"))
        + " "
        + figure_span("shortfall_organic_eur_ht", s)
        + ", "
        + esc(_("meat and fish"))
        + " "
        + figure_span("shortfall_meat_fish_eur_ht", s)
        + ".</p>"
    )
    farthest = by_distance_from_law(solution.canteens).iloc[:5]
    names = ", ".join(
        f'<a href="#canteen-{esc(c)}">{esc(name)}</a>'
        for c, name in zip(farthest["canteen_id"], farthest["name"], strict=True)
    )
    far = (
        "<p>"
        + esc(_("Farthest from the law:"))
        + f" {names}. "
        + '<a href="#canteens">'
        + esc(_("All canteens"))
        + "</a></p>"
        if len(farthest)
        else ""
    )
    return (
        _status_warning(str(s["status"]))
        + f'<div class="cards">{"".join(cards)}</div>{table}{shortfalls}{far}'
    )


def _technical(solution: Solution) -> str:
    """The solver's figures, for the people who run the tool."""
    s = solution.summary.iloc[0]
    solver = [
        (
            "status",
            _("Solver status"),
            str(s["status"]),
            _(STATUS_NAMES.get(s["status"], s["status"])),
        ),
        ("gap", _("Relative gap"), as_float(s["gap"]), fmt_gap(as_float(s["gap"]))),
        (
            "objective",
            _("Objective"),
            as_float(s["objective"]),
            fmt_number(as_float(s["objective"])),
        ),
        (
            "best_bound",
            _("Best bound"),
            as_float(s["best_bound"]),
            fmt_number(as_float(s["best_bound"])),
        ),
        (
            "strategy",
            _("Strategy (solver)"),
            str(s["strategy"]),
            f"{s['strategy']} ({s['solver']})",
        ),
    ]
    items = "".join(
        f'<div><dt>{esc(label)}</dt><dd data-field="{field}" data-value="{esc(raw_value(raw))}">'
        f"{esc(text)}</dd></div>"
        for field, label, raw, text in solver
    )
    note = _(
        "The gap is the distance between the plan’s objective and the best bound proven by "
        "the solver, relative to the objective: 0 % means proven optimal."
    )
    return f'<dl class="solver">{items}</dl><p class="note">{esc(note)}</p>'


#: Statuses that are not a plan to carry out, and what the reader should know.
STATUS_WARNINGS = {
    "time_limit": N_(
        "The solver found no plan within its time limit: every figure below is that of the "
        "all-conventional purchases. Solve again with a longer time limit."
    ),
    "relaxation": N_(
        "This is an estimate of what is possible (strategy lp), not a plan to carry out: "
        "delivery rules (rounds, minimum lots, minimum orders) may be broken."
    ),
}


def _status_warning(status: str) -> str:
    """A warning box for a solution that is not a usable plan ('' otherwise)."""
    text = STATUS_WARNINGS.get(status)
    return "" if text is None else f'<p class="warning" role="alert">{esc(_(text))}</p>'


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
article.canteen-page{border-top:2px solid var(--line);margin-top:24px}
article.canteen-page h3{font-size:18px;margin:16px 0 2px}
article.canteen-page h4{font-size:15px;margin:14px 0 4px}
section#technical{color:var(--muted)}
@media print{nav,details summary{display:none}details{display:block}
body{font-size:11px}header{background:none}
article.canteen-page{break-before:page;border:none;margin:0}
body:has(article.canteen-page:target) header,
body:has(article.canteen-page:target) footer,
body:has(article.canteen-page:target) main>section:not(#canteen-pages),
body:has(article.canteen-page:target) #canteen-pages>h2,
body:has(article.canteen-page:target) #canteen-pages>p,
body:has(article.canteen-page:target) article.canteen-page:not(:target){display:none}
body:has(article.canteen-page:target) article.canteen-page{break-before:auto}}
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
