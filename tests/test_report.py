"""The reports: the Excel results workbook and the self-contained HTML page."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import re
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from factories import tiny_frames

from rhd_match import Scenario, Solution
from rhd_match.generate import generate_scenario
from rhd_match.report import (
    drawing,
    map_chart,
    render_html,
    workbook_bytes,
    write_reports,
    write_workbook,
)
from rhd_match.report.figures import all_weeks, weekly_shares
from rhd_match.report.html import CHARTS, write_html_report
from rhd_match.report.html_format import fmt_count, fmt_eur, fmt_gap, fmt_share
from rhd_match.report.workbook import (
    EUR,
    KG,
    PERCENT,
    SHEETS,
    column_format,
    order_sheet,
    summary_rows,
)

TABLE_SHEETS = ("canteens", "producers", "producer_weeks", "flows", "unmet_local")


@pytest.fixture(scope="module")
def tiny() -> tuple[Scenario, Solution]:
    scenario = Scenario.from_frames(**tiny_frames())
    return scenario, scenario.solve(strategy="mip", time_limit_s=30, threads=1)


@pytest.fixture(scope="module")
def small() -> tuple[Scenario, Solution]:
    """Six canteens, ten producers, 15 products over a year: every chart has data."""
    scenario = generate_scenario(n_canteens=6, n_producers=10, n_products=15, seed=3)
    return scenario, scenario.solve(strategy="mip", time_limit_s=30, threads=1)


@pytest.fixture(scope="module")
def small_book(small: tuple[Scenario, Solution], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("book") / "results.xlsx"
    write_workbook(*small, path)
    return path


@pytest.fixture(scope="module")
def small_wb(small_book: Path) -> openpyxl.Workbook:
    """The workbook as openpyxl reads it (loaded once: tests only read it)."""
    return openpyxl.load_workbook(small_book)


# -- workbook -----------------------------------------------------------------------------------


def test_workbook_has_every_sheet_with_frozen_filtered_bold_header(
    small_wb: openpyxl.Workbook,
) -> None:
    wb = small_wb
    assert tuple(wb.sheetnames) == SHEETS
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
        assert all(cell.font.b for cell in ws[1]), ws.title
        assert all(ws.column_dimensions[c.column_letter].width >= 8 for c in ws[1])


def test_workbook_number_formats_on_money_kg_and_percent_columns(
    small_wb: openpyxl.Workbook,
) -> None:
    wb = small_wb

    def fmt(sheet: str, column: str) -> str:
        ws = wb[sheet]
        header = [c.value for c in ws[1]]
        return str(ws.cell(2, header.index(column) + 1).number_format)

    assert fmt("canteens", "value_eur_ht") == EUR == '#,##0.00 "€"'
    assert fmt("canteens", "shortfall_quality_eur_ht") == EUR
    assert fmt("canteens", "share_quality") == PERCENT == "0.0%"
    assert fmt("canteens", "target_organic") == PERCENT
    assert fmt("flows", "value_eur_ht") == EUR
    assert fmt("flows", "price_eur_ht") == EUR
    assert fmt("flows", "qty_kg") == KG == '#,##0.0 "kg"'
    assert fmt("producers", "peak_capacity_use") == PERCENT
    assert fmt("producer_weeks", "qty_kg") == KG
    assert fmt("unmet_local", "value_eur_ht") == EUR
    assert fmt("orders", "delivery_date") == "yyyy-mm-dd"
    # Transposed summary: each row formatted by its figure.
    ws = wb["summary"]
    rows = {row[4].value: row for row in ws.iter_rows(min_row=2)}
    assert rows["share_local"][2].number_format == PERCENT
    assert rows["share_local"][1].number_format == PERCENT
    assert rows["value_eur_ht"][2].number_format == EUR
    assert rows["gap"][2].number_format == PERCENT


def test_column_format_by_name() -> None:
    assert column_format("share_local_kg") == PERCENT  # a share, not a weight
    assert column_format("delivery_capacity_kg_per_week") == KG
    assert column_format("budget_eur_ht") == EUR
    assert column_format("budget_use") == PERCENT
    assert column_format("canteen_id") is None


def test_canteens_sheet_colours_compliance_green_and_red(small_wb: openpyxl.Workbook) -> None:
    ws = small_wb["canteens"]
    header = [c.value for c in ws[1]]
    letter = {name: ws.cell(1, j + 1).column_letter for j, name in enumerate(header)}
    rules: dict[str, list[tuple[str, str]]] = {}
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            rules.setdefault(str(cf.sqref), []).append(
                (rule.formula[0], rule.dxf.fill.bgColor.rgb[-6:])
            )
    n = ws.max_row
    for target in ("quality", "organic", "meat_fish"):
        flag = f"${letter[f'meets_{target}']}2"
        for column in (f"share_{target}", f"meets_{target}"):
            ref = f"{letter[column]}2:{letter[column]}{n}"
            assert sorted(rules[ref]) == [(f"{flag}=FALSE", "FFC7CE"), (f"{flag}=TRUE", "C6EFCE")]


def test_workbook_values_equal_the_solution_tables(
    small: tuple[Scenario, Solution], small_book: Path
) -> None:
    solution = small[1]
    sheets = pd.read_excel(small_book, sheet_name=None)
    for name in TABLE_SHEETS:
        expected, got = getattr(solution, name), sheets[name]
        assert list(got.columns) == list(expected.columns), name
        assert len(got) == len(expected), name
        for column in expected.columns:
            want = expected[column]
            if pd.api.types.is_numeric_dtype(want.dtype) and not pd.api.types.is_bool_dtype(
                want.dtype
            ):
                # a workbook keeps 16 significant digits (Excel shows 15): equal to 1 part in 1e15
                np.testing.assert_allclose(
                    got[column].to_numpy(dtype=float),
                    want.to_numpy(dtype=float),
                    rtol=1e-15,
                    atol=0,
                    err_msg=column,
                )
            else:
                left = got[column].astype(object).where(got[column].notna(), "").astype(str)
                right = want.astype(object).where(want.notna(), "").astype(str)
                assert left.tolist() == right.tolist(), f"{name}.{column}"


def test_summary_sheet_holds_every_summary_figure(
    small: tuple[Scenario, Solution], small_wb: openpyxl.Workbook
) -> None:
    summary = small[1].summary.iloc[0]
    ws = small_wb["summary"]
    assert [c.value for c in ws[1]] == ["figure", "before", "after", "change", "field"]
    rows = {r[4]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    covered = set(rows) | {f"{f}_before" for f in rows}
    assert set(summary.index) <= covered
    for field, (label, before, after, change, _) in rows.items():
        assert label
        value = summary[field]
        if isinstance(value, str):
            assert after == value
        elif math.isfinite(float(value)):
            # openpyxl writes the summary's floats with 16 significant digits.
            assert after == pytest.approx(float(value), rel=1e-15)
        if f"{field}_before" in summary.index:
            assert before == pytest.approx(float(summary[f"{field}_before"]), rel=1e-15)
            assert change == pytest.approx(float(value) - float(before))
    assert rows["share_local"][0] == "Local share (of value)"


def test_summary_rows_keep_unknown_columns(tiny: tuple[Scenario, Solution]) -> None:
    summary = tiny[1].summary.assign(new_figure=3.5)
    rows = summary_rows(summary)
    assert rows.loc[rows["field"] == "new_figure", "after"].tolist() == [3.5]


def test_order_sheets_are_supplier_purchases_sorted_by_supplier_week_canteen(
    small: tuple[Scenario, Solution], small_book: Path
) -> None:
    scenario, solution = small
    orders = order_sheet(scenario, solution)
    bought = solution.flows[solution.flows["supplier"].isin(["producer", "market"])]
    assert (orders["supplier"] == "market").any() and (orders["supplier"] == "producer").any()
    assert len(orders) == len(bought)
    assert orders["value_eur_ht"].sum() == pytest.approx(bought["value_eur_ht"].sum())
    keys = orders[["producer_id", "week", "canteen_id", "product_id"]]
    assert keys.equals(keys.sort_values(list(keys.columns)).reset_index(drop=True))
    market = scenario.market.drop_duplicates("supplier_id").set_index("supplier_id")
    names = pd.concat(
        [scenario.producers.set_index("producer_id")["name"], market["supplier_name"]]
    )
    assert (orders["producer_name"] == names.reindex(orders["producer_id"]).to_numpy()).all()
    sheet = pd.read_excel(small_book, sheet_name="orders")
    assert sheet["producer_id"].tolist() == orders["producer_id"].tolist()
    monday = sheet["delivery_date"].iloc[0]
    assert monday.isoweekday() == 1
    assert f"{monday.isocalendar().year}-W{monday.isocalendar().week:02d}" == sheet["week"][0]


def test_same_solution_gives_identical_workbook_bytes(
    tiny: tuple[Scenario, Solution], tmp_path: Path
) -> None:
    first = write_workbook(*tiny, tmp_path / "a.xlsx").read_bytes()
    second = write_workbook(*tiny, tmp_path / "b.xlsx").read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "a.xlsx") as archive:
        # every entry carries the writer's fixed 1980 date, never the clock's
        assert {info.date_time[0] for info in archive.infolist()} == {1980}
        assert len({info.date_time for info in archive.infolist()}) == 1
    props = openpyxl.load_workbook(tmp_path / "a.xlsx").properties
    monday = dt.datetime(2026, 1, 12)  # Monday of 2026-W03, the plan's first week
    assert props.created == props.modified == monday


def test_workbook_write_is_all_or_nothing(
    tiny: tuple[Scenario, Solution], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "results.xlsx"
    path.write_bytes(b"previous")

    def fail(*args: object) -> None:
        raise OSError("disk full")

    # the workbook fails as it is closed (packed), after every sheet was written
    monkeypatch.setattr(xlsxwriter.Workbook, "close", fail)
    with pytest.raises(OSError, match="disk full"):
        write_workbook(*tiny, path)
    monkeypatch.undo()
    assert path.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.xlsx"]


def test_workbook_rejects_a_sheet_beyond_excel_row_limit(
    tiny: tuple[Scenario, Solution], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("rhd_match.xlsx.MAX_ROWS", 5)
    with pytest.raises(ValueError, match="more than Excel's"):
        workbook_bytes(*tiny)


def test_workbook_keeps_awkward_text(tiny: tuple[Scenario, Solution], tmp_path: Path) -> None:
    scenario, solution = tiny
    names = solution.canteens["name"].astype(str)
    odd = names.copy()
    odd.iloc[0] = 'A & B <"école"> \x07 '
    changed = dataclasses.replace(solution, canteens=solution.canteens.assign(name=odd))
    path = write_workbook(scenario, changed, tmp_path / "odd.xlsx")
    ws = openpyxl.load_workbook(path)["canteens"]
    assert ws["B2"].value == 'A & B <"école">  '


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
    assert fmt_share(0.1542) == "15.4 %"
    assert fmt_eur(630508.6) == "630,509 € HT"


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
    assert drawing.short_number(1234) == "1.2 k"
    assert drawing.short_number(2_500_000) == "2.5 M"
    assert drawing.pct(0.154, 1) == "15.4 %"
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
    assert sum("meets it" in t or "below it" in t for t in tips) == 3 * 6


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
