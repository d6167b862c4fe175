"""The self-contained HTML report and `write_reports` (the workbook: `test_workbook.py`)."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from factories import tiny_frames

from rhd_match import Scenario, Solution
from rhd_match.errors import OptionError
from rhd_match.i18n import use_language
from rhd_match.report import (
    drawing,
    map_chart,
    render_html,
    write_reports,
)
from rhd_match.report.communes import DEMO_COMMUNES, read_communes
from rhd_match.report.figures import all_weeks, weekly_shares
from rhd_match.report.html import CHARTS, write_html_report
from rhd_match.report.html_format import fmt_count, fmt_eur, fmt_gap, fmt_share

# -- HTML ---------------------------------------------------------------------------------------


VOID = {"meta", "br", "hr", "img", "input", "link", "wbr", "col", "source"}


class Checker(HTMLParser):
    """Parses a page, checking that every element is closed in order, and collects
    ``data-chart`` names, chart titles and the ``data-field`` figures."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.charts: list[str] = []
        self.chart_titles: dict[str, str] = {}
        self.figures: list[tuple[dict[str, str | None], str]] = []
        self._figure: dict[str, str | None] | None = None
        self._text: list[str] = []
        self._title_of: str | None = None
        self._pending_chart: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if self._pending_chart is not None:
            if tag == "title":
                self._title_of = self._pending_chart
            else:
                self.errors.append(f"chart {self._pending_chart} does not start with <title>")
            self._pending_chart = None
        if tag == "svg" and a.get("data-chart"):
            self.charts.append(str(a["data-chart"]))
            self._pending_chart = str(a["data-chart"])
        if "data-field" in a:
            self._figure, self._text = a, []
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass  # <rect .../> and friends: nothing to close

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
            return
        self.stack.pop()
        if tag == "title" and self._title_of is not None:
            self.chart_titles[self._title_of] = "".join(self._text).strip()
            self._title_of = None
        if self._figure is not None and tag in ("td", "dd", "span"):
            self.figures.append((self._figure, "".join(self._text)))
            self._figure = None

    def handle_data(self, data: str) -> None:
        self._text.append(data)
        if self._title_of is not None and len(self._text) == 1:
            self._text = [data]


def parse(page: str) -> Checker:
    checker = Checker()
    checker.feed(page)
    checker.close()
    return checker


@pytest.fixture(scope="module")
def small_page(small: tuple[Scenario, Solution]) -> str:
    return render_html(*small)


def test_html_has_every_chart_each_with_a_title(small_page: str) -> None:
    checker = parse(small_page)
    assert checker.errors == []
    assert checker.charts == list(CHARTS)
    for chart in CHARTS:
        assert checker.chart_titles.get(chart), chart
        assert small_page.count(f'data-chart="{chart}"') == 1


def test_html_parses_with_balanced_tags(small_page: str, tiny: tuple[Scenario, Solution]) -> None:
    for page in (small_page, render_html(*tiny)):
        checker = parse(page)
        assert checker.errors == []
        assert checker.stack == []
        assert page.startswith("<!DOCTYPE html>")


def test_headline_figures_equal_the_summary(
    small: tuple[Scenario, Solution], small_page: str
) -> None:
    summary = small[1].summary.iloc[0]
    n = int(summary["canteens"])
    figures = {
        (a["data-field"], a.get("data-when")): (a["data-value"], text)
        for a, text in parse(small_page).figures
    }
    for field in ("share_local", "share_organic", "share_quality", "share_meat_fish"):
        for when, column in (("after", field), ("before", f"{field}_before")):
            raw, text = figures[(field, when)]
            assert float(str(raw)) == float(summary[column])
            assert text == fmt_share(float(summary[column]))
    for field in (
        "canteens_meeting_quality",
        "canteens_meeting_organic",
        "canteens_meeting_meat_fish",
        "canteens_meeting_all",
    ):
        raw, text = figures[(field, "after")]
        assert text == fmt_count(summary[field], n)
        assert figures[(field, "before")][1] == fmt_count(summary[f"{field}_before"], n)
    raw, text = figures[("value_eur_ht", "after")]
    assert float(str(raw)) == float(summary["value_eur_ht"])
    assert text == fmt_eur(float(summary["value_eur_ht"]))
    raw, text = figures[("extra_cost_eur_ht", "after")]
    assert float(str(raw)) == float(summary["extra_cost_eur_ht"])
    assert figures[("status", None)][1] == summary["status"]
    assert figures[("gap", None)][1] == fmt_gap(float(summary["gap"]))
    assert figures[("shortfall_quality_eur_ht", "after")][1] == fmt_eur(
        float(summary["shortfall_quality_eur_ht"])
    )
    assert fmt_share(0.1542) == "15,4\u00a0%"
    assert fmt_eur(630508.6) == "630\u202f509 € HT"
    with use_language("en"):
        assert fmt_share(0.1542) == "15.4%"
        assert fmt_eur(630508.6) == "€630,509 excl. VAT"


def test_html_is_self_contained_and_scripted_inline(small_page: str) -> None:
    without_ns = small_page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert not re.search(r"https?://", without_ns)
    assert "<link" not in small_page
    assert not re.search(r"<(script|img|iframe)[^>]*\bsrc=", small_page)
    assert "@import" not in small_page
    assert 'document.body.dataset.loaded = "ok"' in small_page
    assert '<pre id="js-errors" hidden></pre>' in small_page


def test_html_escapes_every_text(tiny: tuple[Scenario, Solution]) -> None:
    frames = tiny_frames()
    evil = '<script>alert("x")</script> & Cie'
    frames["canteens"].loc[0, "name"] = evil
    frames["producers"].loc[0, "name"] = "<b>Ferme</b>"
    frames["products"].loc[0, "name"] = "Bœuf <haché>"
    scenario = Scenario.from_frames(**frames)
    page = render_html(scenario, scenario.solve(strategy="mip", time_limit_s=30, threads=1))
    assert evil not in page and "<b>Ferme</b>" not in page and "<haché>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Cie" in page
    assert parse(page).errors == []


def test_a_plan_of_one_week_names_it_once() -> None:
    """The subtitle of a one-week plan read « semaines ISO 2026-W03 à 2026-W03 »."""
    frames = tiny_frames()
    for table, key in (("offers", "producer_id"), ("demand", "canteen_id")):
        frames[table]["week"] = "2026-W03"
        frames[table] = frames[table].drop_duplicates([key, "product_id", "week"])
    scenario = Scenario.from_frames(**frames)
    page = render_html(scenario, scenario.solve(strategy="mip", time_limit_s=30, threads=1))
    assert "semaine ISO 2026-W03" in page
    assert "semaines ISO" not in page and "2026-W03 à 2026-W03" not in page


def test_same_solution_gives_identical_html(
    small: tuple[Scenario, Solution], small_page: str, tmp_path: Path
) -> None:
    assert render_html(*small) == small_page
    path = write_html_report(*small, tmp_path / "report.html")
    assert path.read_text(encoding="utf-8") == small_page


def test_charts_render_without_unmet_demand_or_local_purchases(
    tiny: tuple[Scenario, Solution],
) -> None:
    scenario, solution = tiny
    bare = dataclasses.replace(
        solution,
        unmet_local=solution.unmet_local.iloc[:0],
        flows=solution.flows[solution.flows["supplier"] == "conventional"],
        producers=solution.producers.assign(sales_eur_ht=0.0),
    )
    checker = parse(render_html(scenario, bare))
    assert checker.errors == []
    assert checker.charts == list(CHARTS)


def test_weekly_shares_add_up_to_the_plan(small: tuple[Scenario, Solution]) -> None:
    solution = small[1]
    weekly = weekly_shares(solution)
    assert weekly["value_eur_ht"].sum() == pytest.approx(solution.summary["value_eur_ht"][0])
    local = (weekly["share_local"] * weekly["value_eur_ht"]).sum()
    assert local == pytest.approx(solution.summary["local_value_eur_ht"][0])
    assert all_weeks("2026-W52", "2027-W02") == ["2026-W52", "2026-W53", "2027-W01", "2027-W02"]


def test_write_reports_writes_both_files(tiny: tuple[Scenario, Solution], tmp_path: Path) -> None:
    written = write_reports(*tiny, tmp_path / "out")
    assert sorted(p.name for p in written) == ["report.html", "results.xlsx"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.html", "results.xlsx"]


# -- charts -------------------------------------------------------------------------------------


def test_number_formats() -> None:
    assert drawing.short_number(950) == "950"
    assert drawing.short_number(1234) == "1,2 k"
    assert drawing.short_number(2_500_000) == "2,5 M"
    assert drawing.pct(0.154, 1) == "15,4\u00a0%"
    with use_language("en"):
        assert drawing.short_number(1234) == "1.2 k"
        assert drawing.pct(0.154, 1) == "15.4%"
    assert drawing.pct(float("nan")) == "–"
    assert drawing.shorten("Boulogne-sur-Mer", 8) == "Boulogn…"


def _map() -> str:
    points = [
        map_chart.MapPoint(50.43, 2.83, "canteen", "Lens"),
        map_chart.MapPoint(50.72, 1.61, "producer", "Boulogne <port>", label="Boulogne"),
        map_chart.MapPoint(50.29, 2.78, "idle", "Arras"),
    ]
    links = [map_chart.MapLink(50.72, 1.61, 50.43, 2.83, 120.0, "fish")]
    return map_chart.map_chart("m", "Map", points, links, width=600)


def test_map_places_every_point_inside_the_drawing_with_its_tooltip() -> None:
    svg = _map()
    found = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    assert found is not None
    width, height = (float(v) for v in found.groups())
    marks = re.findall(r'<use [^>]*x="([-\d.]+)" y="([-\d.]+)"[^>]*><title>([^<]*)</title>', svg)
    assert sorted(tip for _, _, tip in marks) == ["Arras", "Boulogne &lt;port&gt;", "Lens"]
    assert all(0 <= float(x) <= width and 0 <= float(y) <= height for x, y, _ in marks)
    assert re.search(r"<path [^>]*><title>fish</title></path>", svg)
    assert ">Boulogne</text>" in svg and " km</text>" in svg
    assert svg.startswith('<svg data-chart="m" role="img"') and "<title>Map</title>" in svg


def test_every_mark_of_a_chart_has_its_tooltip(small_page: str) -> None:
    chart = re.search(r'<svg data-chart="egalim-canteens".*?</svg>', small_page, re.S)
    assert chart is not None
    tips = re.findall(r"<title>([^<]*)</title>", chart.group(0))
    # The chart's name, one per canteen row, one per bar in each of the four panels.
    assert len(tips) == 1 + 6 + 4 * 6
    assert sum("objectif" in t and "atteint" in t for t in tips) == 3 * 6


def test_ids_are_unique_in_the_page(small_page: str) -> None:
    ids = re.findall(r'\bid="([^"]+)"', small_page)
    assert len(ids) > 20
    assert len(ids) == len(set(ids))
    for ref in set(re.findall(r'(?:url\(#|href="#)([^")]+)', small_page)):
        assert ref in ids, ref


def test_charts_have_the_same_bytes_in_another_process() -> None:
    # matplotlib names clip paths and markers by hashes salted per process unless
    # svg.hashsalt is set: a second interpreter must draw the same bytes.
    code = "from test_report import _map; import sys; sys.stdout.write(_map())"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).parent,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "random"},
    )
    assert done.stdout == _map()
    assert "<metadata" not in done.stdout and "Matplotlib" not in done.stdout


def test_a_solution_that_is_not_a_plan_is_flagged(tiny: tuple[Scenario, Solution]) -> None:
    scenario, solution = tiny
    assert 'class="warning"' not in render_html(scenario, solution)
    for status in ("time_limit", "relaxation"):
        flagged = dataclasses.replace(solution, summary=solution.summary.assign(status=status))
        page = render_html(scenario, flagged)
        assert page.count('class="warning"') == 1
        assert parse(page).errors == []


# -- languages, canteen pages, communes ---------------------------------------------------------

REPORT_SOURCES = [
    *sorted((Path(__file__).parent.parent / "rhd_match" / "report").glob("*.py")),
    Path(__file__).parent.parent / "rhd_match" / "plan" / "solution.py",  # unmet reasons
]


def report_phrases() -> list[str]:
    """The English phrases of the report's messages whose French differs: each message's
    literal runs between placeholders, at least 12 characters long."""
    from babel.messages.extract import extract_from_file

    from rhd_match.i18n import translations

    french = translations("fr")
    phrases = set()
    for path in REPORT_SOURCES:
        for _line, message, _comments, _context in extract_from_file("python", str(path)):
            for text in message if isinstance(message, tuple) else (message,):
                if french.gettext(text) == text:
                    continue
                for run in re.split(r"\{[^}]*\}", text):
                    if len(run.strip(" .,:;()·—")) >= 12:
                        phrases.add(run.strip(" .,:;()·—"))
    return sorted(phrases)


def page_text(page: str) -> str:
    """The page's text, tags and entities resolved (what a reader sees and hovers)."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_french_report_holds_no_english_message_and_english_holds_them(
    small: tuple[Scenario, Solution], small_page: str
) -> None:
    phrases = report_phrases()
    assert len(phrases) > 60  # the report's messages were found
    french = page_text(small_page)
    assert [p for p in phrases if p in french] == []
    english = page_text(render_html(*small, language="en"))
    shown = [p for p in phrases if p in english]
    assert len(shown) > 40, shown  # the check above looks at texts the page does show
    assert '<html lang="fr">' in small_page and "Le plan en bref" in french
    assert "The plan in brief" in english


def test_every_canteen_has_its_page_with_its_purchases(
    small: tuple[Scenario, Solution], small_page: str
) -> None:
    canteens = small[1].canteens
    pages = re.findall(
        r'<article class="canteen-page" id="canteen-([^"]+)">(.*?)</article>', small_page, re.S
    )
    assert sorted(cid for cid, _ in pages) == sorted(canteens["canteen_id"].astype(str))
    local = canteens.set_index("canteen_id")["local_value_eur_ht"]
    for cid, body in pages:
        assert "Quoi acheter à qui, mois par mois" in body
        assert "Pourquoi le reste reste chez le fournisseur habituel" in body
        tables = re.findall(r"<table class=\"data sortable\">(.*?)</table>", body, re.S)
        bought = 0.0
        if tables:  # month, producer, products, kg, value: the value's exact figure
            rows = re.findall(r"<tr>(.*?)</tr>", tables[0], re.S)[1:]
            bought = sum(float(re.findall(r'data-sort="([^"]*)"', row)[-1]) for row in rows)
        assert bought == pytest.approx(float(local[cid]), abs=1e-6)
    # Farthest from the law first, as in the canteens' table.
    points = (
        canteens["shortfall_quality_points"]
        + canteens["shortfall_organic_points"]
        + canteens["shortfall_meat_fish_points"]
    )
    order = sorted(zip(-points.round(9), canteens["canteen_id"].astype(str), strict=True))
    assert [cid for cid, _ in pages] == [cid for _, cid in order]


def test_map_draws_the_communes_under_it(small: tuple[Scenario, Solution], tmp_path: Path) -> None:
    communes = read_communes(DEMO_COMMUNES)
    assert len(communes) == 36 and {"Lens", "Liévin"} <= {c.name for c in communes}
    page = render_html(*small)
    chart = re.search(r'<svg data-chart="flow-map".*?</svg>', page, re.S)
    assert chart is not None
    tips = re.findall(r"<title>([^<]*)</title>", chart.group(0))
    assert sum(t in {c.name for c in communes} for t in tips) == 36
    assert "IGN" in page  # the outlines' source is credited
    own = tmp_path / "own.geojson"
    square = [[[2.7, 50.4], [2.9, 50.4], [2.9, 50.5], [2.7, 50.5], [2.7, 50.4]]]
    own.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        '{"name":"Testville"},"geometry":{"type":"Polygon","coordinates":' + str(square) + "}}]}",
        encoding="utf-8",
    )
    mine = render_html(*small, communes=own)
    assert "<title>Testville</title>" in mine and "<title>Liévin</title>" not in mine
    # Outlines read already (the command line checks the file before solving) draw the same.
    assert render_html(*small, communes=read_communes(own)) == mine
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(OptionError, match=r"bad\.geojson"):
        render_html(*small, communes=bad)


def test_the_solver_status_is_in_the_page_s_language(small: tuple[Scenario, Solution]) -> None:
    scenario, solution = small
    feasible = dataclasses.replace(solution, summary=solution.summary.assign(status="feasible"))
    page = page_text(render_html(scenario, feasible, language="fr"))
    assert "Statut du solveur réalisable" in " ".join(page.split())
