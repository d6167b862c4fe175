"""The results workbook and the files producers receive: labels in French and English,
number formats, per-producer order workbooks, and CSV files for people."""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import math
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from rhd_match import Scenario, Solution
from rhd_match.i18n import gettext as _
from rhd_match.i18n import use_language
from rhd_match.plan.orders import (
    CONTRACT_LABELS,
    ORDER_COLUMNS,
    ORDER_LABELS,
    contract_summary,
    order_sheets,
    write_orders,
)
from rhd_match.plan.solution import CLOCK_FIELDS, without_clock
from rhd_match.report import (
    order_workbook_writers,
    report_writers,
    workbook_bytes,
    write_order_workbooks,
    write_workbook,
)
from rhd_match.report import workbook as workbook_module
from rhd_match.report.workbook import (
    COLUMN_LABELS,
    NAME_LABELS,
    NUMBER_FORMATS,
    SHEETS,
    SUMMARY_ROWS,
    column_format,
    column_labels,
    order_sheet,
    summary_rows,
)
from rhd_match.writing import people_csv_writer, write_folder_atomically

EUR_FR, EUR_EN = NUMBER_FORMATS["fr"]["eur"], NUMBER_FORMATS["en"]["eur"]
PERCENT_FR = NUMBER_FORMATS["fr"]["percent"]
KG = NUMBER_FORMATS["fr"]["kg"]
TABLES = ("canteens", "producers", "producer_weeks")


@pytest.fixture(scope="module")
def books(
    small: tuple[Scenario, Solution], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """The small plan's workbook in each language."""
    folder = tmp_path_factory.mktemp("book")
    return {
        lang: write_workbook(*small, folder / f"results_{lang}.xlsx", language=lang)
        for lang in ("fr", "en")
    }


@pytest.fixture(scope="module")
def small_wb(books: dict[str, Path]) -> openpyxl.Workbook:
    """The French workbook as openpyxl reads it (loaded once: tests only read it)."""
    return openpyxl.load_workbook(books["fr"])


def header(ws: object) -> list[str]:
    return [str(c.value) for c in ws[1]]  # type: ignore[index]


def sheet_name(table: str, language: str) -> str:
    with use_language(language):
        return _(SHEETS[table])


# -- labels and formats -------------------------------------------------------------------------


def test_sheet_names_and_labels_are_french_by_default_english_on_request(
    books: dict[str, Path],
) -> None:
    french = openpyxl.load_workbook(books["fr"])
    english = openpyxl.load_workbook(books["en"])
    assert french.sheetnames == [
        "Synthèse",
        "Cantines",
        "Producteurs",
        "Producteurs par semaine",
        "Plateformes",
        "Commandes",
    ]
    assert english.sheetnames == [
        "Summary",
        "Canteens",
        "Producers",
        "Producer weeks",
        "Hubs",
        "Orders",
    ]
    for fr_ws, en_ws in zip(french.worksheets, english.worksheets, strict=True):
        fr_head, en_head = header(fr_ws), header(en_ws)
        assert len(set(fr_head)) == len(fr_head), fr_ws.title
        # no column id left for people: every header is a label
        assert not [h for h in fr_head + en_head if re.fullmatch(r"[a-z0-9_]+", h)]
        assert fr_head != en_head
    canteens = header(french["Cantines"])
    assert canteens[:3] == ["Identifiant cantine", "Cantine", "Achats (€ HT)"]
    assert "Part bio" in canteens and "Atteint l’objectif qualité" in canteens
    assert header(english["Canteens"])[:3] == ["Canteen id", "Canteen", "Purchases (EUR excl. VAT)"]
    assert header(french["Commandes"]) == list(column_labels_in("orders", ORDER_COLUMNS, "fr"))


def column_labels_in(table: str, columns: tuple[str, ...], language: str) -> list[str]:
    with use_language(language):
        return column_labels(table, list(columns))


def test_every_sheet_has_a_frozen_filtered_bold_header(small_wb: openpyxl.Workbook) -> None:
    for ws in small_wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
        assert all(cell.font.b for cell in ws[1]), ws.title
        assert all(ws.column_dimensions[c.column_letter].width >= 8 for c in ws[1])


def test_number_formats_follow_the_language(books: dict[str, Path]) -> None:
    def fmt(lang: str, table: str, column: str) -> str:
        ws = openpyxl.load_workbook(books[lang], read_only=True)[sheet_name(table, lang)]
        rows = ws.iter_rows(min_row=1, max_row=2)
        head, first = next(rows), next(rows)
        label = column_labels_in(table, (column,), lang)[0]
        return str(first[[c.value for c in head].index(label)].number_format)

    assert fmt("fr", "canteens", "value_eur_ht") == EUR_FR == '#,##0.00 "€"'
    assert fmt("en", "canteens", "value_eur_ht") == EUR_EN == '"€"#,##0.00'
    assert fmt("fr", "canteens", "share_quality") == PERCENT_FR == "0.0 %"
    assert fmt("en", "canteens", "share_quality") == "0.0%"
    assert fmt("fr", "canteens", "shortfall_quality_eur_ht") == EUR_FR
    assert fmt("fr", "producers", "peak_capacity_use") == PERCENT_FR
    assert fmt("fr", "producer_weeks", "qty_kg") == KG == '#,##0.0 "kg"'
    assert fmt("fr", "orders", "price_eur_ht") == EUR_FR
    assert fmt("fr", "orders", "delivery_date") == "dd/mm/yyyy"
    assert fmt("en", "orders", "delivery_date") == "yyyy-mm-dd"


def test_summary_rows_are_formatted_by_their_figure(small_wb: openpyxl.Workbook) -> None:
    rows = {row[4].value: row for row in small_wb["Synthèse"].iter_rows(min_row=2)}
    assert rows["share_local"][2].number_format == PERCENT_FR
    assert rows["share_local"][1].number_format == PERCENT_FR
    assert rows["value_eur_ht"][2].number_format == EUR_FR
    assert rows["gap"][2].number_format == PERCENT_FR
    assert "level_1_gap_abs" in rows


def test_column_format_by_name() -> None:
    assert column_format("share_local_kg") == PERCENT_FR  # a share, not a weight
    assert column_format("delivery_capacity_kg_per_week") == KG
    assert column_format("budget_eur_ht", "en") == EUR_EN
    assert column_format("budget_use") == PERCENT_FR
    # A level's absolute gap is in the level's unit (EUR HT, targets), its relative gap a share.
    assert column_format("level_1_gap") == PERCENT_FR
    assert column_format("level_1_gap_abs") == column_format("level_1_value") != PERCENT_FR
    assert column_format("canteen_id") is None


def documented_columns(solution: Solution) -> dict[str, dict[str, str]]:
    """Every CSV file's column ids and their labels (English source), by file stem."""
    files: dict[str, dict[str, str]] = {"summary": {f: label for label, f in SUMMARY_ROWS}}
    for name, frame in solution.tables.items():
        if name != "summary":
            named = {"name": NAME_LABELS[name]} if name in NAME_LABELS else {}
            files[name] = {c: named.get(c) or COLUMN_LABELS[c] for c in frame.columns}
    files["order_sheets"] = dict(ORDER_LABELS)
    files["contract_summary"] = dict(CONTRACT_LABELS)
    return files


def test_every_csv_column_id_is_documented_with_its_labels(
    small: tuple[Scenario, Solution],
) -> None:
    docs = (Path(__file__).parents[1] / "docs" / "reports.md").read_text(encoding="utf-8")
    missing = []
    for stem, labels in documented_columns(small[1]).items():
        part = docs[docs.index(f"`{stem}.csv`") :]
        for column, label in labels.items():
            with use_language("fr"):
                french = _(label)
            if f"| `{column}` | {french} | {label} |" not in part:
                missing.append(f"{stem}.{column}")
    assert missing == []


def test_canteens_sheet_colours_compliance_green_and_red(small_wb: openpyxl.Workbook) -> None:
    ws = small_wb["Cantines"]
    ids = dict(zip(header(ws), small_wb_ids(ws), strict=True))
    letter = {ids[c.value]: c.column_letter for c in ws[1]}
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


def small_wb_ids(ws: object) -> list[str]:
    """The column ids behind a canteens sheet's French labels."""
    labels = header(ws)
    with use_language("fr"):
        by_label = {_(label): c for c, label in COLUMN_LABELS.items()} | {_("Canteen"): "name"}
    return [by_label[label] for label in labels]


# -- values -------------------------------------------------------------------------------------


def assert_same_table(got: pd.DataFrame, expected: pd.DataFrame, name: str) -> None:
    assert len(got) == len(expected), name
    for column in expected.columns:
        want = expected[column]
        if pd.api.types.is_numeric_dtype(want.dtype) and not pd.api.types.is_bool_dtype(want.dtype):
            # a workbook keeps 16 significant digits (Excel shows 15): equal to 1 part in 1e15
            np.testing.assert_allclose(
                got[column].to_numpy(dtype=float),
                want.to_numpy(dtype=float),
                rtol=1e-15,
                atol=0,
                err_msg=f"{name}.{column}",
            )
        else:
            left = got[column].astype(object).where(got[column].notna(), "").astype(str)
            right = want.astype(object).where(want.notna(), "").astype(str)
            assert left.tolist() == right.tolist(), f"{name}.{column}"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_workbook_values_equal_the_solution_tables(
    small: tuple[Scenario, Solution], books: dict[str, Path], language: str
) -> None:
    solution = small[1]
    sheets = pd.read_excel(books[language], sheet_name=None)
    for table in TABLES:
        expected = getattr(solution, table)
        got = sheets[sheet_name(table, language)]
        assert list(got.columns) == column_labels_in(table, tuple(expected.columns), language)
        assert_same_table(got.set_axis(list(expected.columns), axis=1), expected, table)


def test_purchase_lines_stay_out_of_the_workbook(
    small: tuple[Scenario, Solution], small_wb: openpyxl.Workbook
) -> None:
    # flows and unmet_local (tens of thousands of rows on a territory) are data: CSV files
    # (the scenario has a hub, and no menu sheet: its demand names no group of products)
    assert len(small_wb.sheetnames) == len(SHEETS) - 1 == 6
    assert max(ws.max_row for ws in small_wb.worksheets) - 1 < len(small[1].flows)


def test_summary_sheet_holds_every_summary_figure(
    small: tuple[Scenario, Solution], small_wb: openpyxl.Workbook
) -> None:
    summary = small[1].summary.iloc[0]
    ws = small_wb["Synthèse"]
    assert header(ws) == ["Indicateur", "Avant", "Après", "Écart", "Identifiant de colonne"]
    rows = {r[4]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    covered = set(rows) | {f"{f}_before" for f in rows}
    assert set(summary.index) - set(CLOCK_FIELDS) <= covered  # no clock in a file
    assert not covered & set(CLOCK_FIELDS)
    for field, (label, before, after, change, _field) in rows.items():
        assert label
        value = summary[field]
        if isinstance(value, str | bool | np.bool_):
            assert isinstance(after, str | None)  # a name: below
        elif math.isfinite(float(value)):
            assert after == pytest.approx(float(value), rel=1e-15)
        if f"{field}_before" in summary.index:
            assert before == pytest.approx(float(summary[f"{field}_before"]), rel=1e-15)
            assert change == pytest.approx(float(value) - float(before))
    assert rows["share_local"][0] == "Part locale (en valeur)"


def test_summary_ids_are_named_in_the_language(
    small: tuple[Scenario, Solution],
    tiny: tuple[Scenario, Solution],
    small_wb: openpyxl.Workbook,
) -> None:
    """Status, objective and its levels read as the HTML report says them, not as ids;
    every row has a label; a yes-or-no figure is oui or non."""
    rows = {r[4]: r for r in small_wb["Synthèse"].iter_rows(min_row=2, values_only=True)}
    summary = small[1].summary.iloc[0]
    assert rows["status"][2] == {"optimal": "optimal", "feasible": "réalisable"}[summary["status"]]
    assert summary["objective_mode"] == "weighted"
    assert rows["objective_mode"][2] == "somme pondérée"
    assert rows["stopped_by_time_limit"][0] == "Arrêté par la limite de temps"
    assert rows["stopped_by_time_limit"][2] in ("oui", "non")
    assert all(label != field for field, (label, *_rest) in rows.items())
    with use_language("fr"):
        lexicographic = summary_rows(tiny[1].summary).set_index("field")["after"]
    assert lexicographic["objective_mode"] == (
        "objectifs EGalim d’abord, puis produits locaux, puis moindre coût"
    )
    assert lexicographic["level_3"] == "montant des achats, distance en départage, € HT"


def test_summary_rows_keep_unknown_columns(tiny: tuple[Scenario, Solution]) -> None:
    summary = tiny[1].summary.assign(new_figure=3.5)
    with use_language("en"):
        rows = summary_rows(summary)
    assert rows.loc[rows["field"] == "new_figure", "after"].tolist() == [3.5]
    assert rows.loc[rows["field"] == "share_local", "figure"].tolist() == ["Local share (of value)"]


def test_orders_sheet_is_supplier_purchases_sorted_by_supplier_week_canteen(
    small: tuple[Scenario, Solution], books: dict[str, Path]
) -> None:
    scenario, solution = small
    orders = order_sheet(scenario, solution)
    bought = solution.flows[solution.flows["supplier"].isin(["producer", "market"])]
    assert (orders["supplier"] == "market").any() and (orders["supplier"] == "producer").any()
    assert len(orders) == len(bought)
    assert orders["value_eur_ht"].sum() == pytest.approx(bought["value_eur_ht"].sum())
    keys = orders[["supplier_id", "supplier", "week", "canteen_id", "product_id"]]
    assert keys.equals(keys.sort_values(list(keys.columns)).reset_index(drop=True))
    # Whom each line is bought from; producer_id only for producers.
    market = orders[orders["supplier"] == "market"]
    option = scenario.market.set_index("market_id")
    assert market["producer_id"].isna().all() and market["producer_name"].isna().all()
    assert (
        market["supplier_id"] == option["supplier_id"].reindex(market["market_id"]).values
    ).all()
    farms = orders[orders["supplier"] == "producer"]
    assert (farms["supplier_id"] == farms["producer_id"]).all()
    assert (farms["supplier_name"] == farms["producer_name"]).all()
    sheet = pd.read_excel(books["en"], sheet_name="Orders")
    assert sheet["Supplier id"].tolist() == orders["supplier_id"].tolist()
    monday = sheet["Delivery date"].iloc[0]
    assert monday.isoweekday() == 1
    assert f"{monday.isocalendar().year}-W{monday.isocalendar().week:02d}" == sheet["ISO week"][0]


# -- one order workbook per producer -------------------------------------------------------------


def test_one_order_workbook_per_producer_adds_up_to_the_plan(
    small: tuple[Scenario, Solution], tmp_path: Path
) -> None:
    scenario, solution = small
    written = write_order_workbooks(scenario, solution, tmp_path)
    # market suppliers get their order workbook too, under their supplier id
    per_producer = (
        order_sheet(scenario, solution).groupby("supplier_id")[["qty_kg", "value_eur_ht"]].sum()
    )
    assert sorted(p.name for p in written) == [f"orders_{p}.xlsx" for p in per_producer.index]
    labels = column_labels_in("orders", ORDER_COLUMNS, "fr")
    for path in written:
        sheets = pd.read_excel(path, sheet_name=None)
        assert list(sheets) == ["Commandes"]
        lines = sheets["Commandes"]
        assert list(lines.columns) == labels
        producer = path.stem.removeprefix("orders_")
        assert set(lines["Identifiant fournisseur"]) == {producer}
        assert lines["Quantité (kg)"].sum() == pytest.approx(per_producer.at[producer, "qty_kg"])
        assert lines["Montant (€ HT)"].sum() == pytest.approx(
            per_producer.at[producer, "value_eur_ht"]
        )
        # the producers table agrees: a producer's sales are its order lines
        sales = solution.producers.set_index("producer_id")["sales_eur_ht"]
        if producer in sales.index:
            assert lines["Montant (€ HT)"].sum() == pytest.approx(sales[producer])
    again = write_order_workbooks(scenario, solution, tmp_path / "again")
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in written]


def test_order_workbooks_are_all_or_nothing(
    tiny: tuple[Scenario, Solution], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    close = xlsxwriter.Workbook.close

    def fail_second(self: xlsxwriter.Workbook) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        close(self)

    monkeypatch.setattr(xlsxwriter.Workbook, "close", fail_second)
    producers = order_sheets(*tiny)["producer_id"].nunique()
    assert producers >= 2
    with pytest.raises(OSError, match="disk full"):
        write_order_workbooks(*tiny, tmp_path / "orders")
    assert not (tmp_path / "orders").exists()


# -- CSV files for people -------------------------------------------------------------------------


def read_people_csv(path: Path, decimal: str = ",") -> pd.DataFrame:
    """A CSV file for people read as a French Excel reads it: ``;`` and decimal comma."""
    return pd.read_csv(path, sep=";", decimal=decimal, encoding="utf-8-sig")


def test_order_csv_files_open_as_columns_in_a_french_excel(
    small: tuple[Scenario, Solution], tmp_path: Path
) -> None:
    scenario, solution = small
    written = write_orders(scenario, solution, tmp_path, per_producer=True)
    sheets = order_sheets(scenario, solution)
    contracts = contract_summary(scenario, solution)
    assert sorted(p.name for p in written) == sorted(
        ["contract_summary.csv", *(f"orders_{p}.csv" for p in sheets["supplier_id"].unique())]
    )
    for path in written:
        data = path.read_bytes()
        assert data.startswith(codecs.BOM_UTF8), path.name
        text = data.decode("utf-8-sig")
        # no float noise: every number has at most three decimals
        assert not re.search(r"\d[.,]\d{4,}", text), path.name
        table = read_people_csv(path)
        assert table.shape[1] > 5, path.name  # split into columns, not one
    for producer, part in sheets.groupby("supplier_id"):
        table = read_people_csv(tmp_path / f"orders_{producer}.csv")
        assert list(table.columns) == column_labels_in("orders", ORDER_COLUMNS, "fr")
        assert len(table) == len(part)
        # rounded to the cent per line: the total is within half a cent per line
        total = table["Montant (€ HT)"].sum()
        assert abs(total - part["value_eur_ht"].sum()) <= 0.005 * len(part) + 1e-9
        assert table["Quantité (kg)"].dtype == float
        assert set(table["Local"]) <= {"oui", "non"}
        # dates as a French Excel reads them (day/month/year), the Monday of the ISO week
        days = pd.to_datetime(table["Date de livraison"], format="%d/%m/%Y")
        assert (days.dt.isocalendar().week == part["week"].str[-2:].astype(int).values).all()
        assert (days.dt.day_of_week == 0).all()
    summary = read_people_csv(tmp_path / "contract_summary.csv")
    assert len(summary) == len(contracts)
    assert summary["Semaines livrées"].tolist() == contracts["weeks_delivered"].tolist()


def test_order_csv_in_english_keeps_the_decimal_point(
    tiny: tuple[Scenario, Solution], tmp_path: Path
) -> None:
    write_orders(*tiny, tmp_path, language="en")
    table = read_people_csv(tmp_path / "order_sheets.csv", decimal=".")
    assert "Value (EUR excl. VAT)" in table.columns
    expected = order_sheets(*tiny)["value_eur_ht"].round(2)
    assert table["Value (EUR excl. VAT)"].tolist() == pytest.approx(expected.tolist())


def test_people_csv_rounds_away_float_noise(tmp_path: Path) -> None:
    frame = pd.DataFrame({"Montant": [359.9999999999999, -1e-12, np.nan], "Nom": ["a;b", "é", ""]})
    people_csv_writer(frame, {"Montant": 2})(tmp_path / "x.csv")
    text = (tmp_path / "x.csv").read_text(encoding="utf-8-sig")
    assert text == 'Montant;Nom\n360,00;"a;b"\n0,00;é\n;\n'


# -- determinism and safety ----------------------------------------------------------------------


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
    ws = openpyxl.load_workbook(path)["Cantines"]
    assert ws["B2"].value == 'A & B <"école">  '


def test_to_folder_round_trip_is_exact(small: tuple[Scenario, Solution], tmp_path: Path) -> None:
    solution = small[1]
    written = solution.to_folder(tmp_path)
    assert sorted(p.name for p in written) == sorted(f"{n}.csv" for n in solution.tables)
    for name, frame in solution.tables.items():
        frame = without_clock(frame)
        back = pd.read_csv(tmp_path / f"{name}.csv", keep_default_na=False, na_values=[""])
        assert list(back.columns) == list(frame.columns), name
        for column in frame.columns:
            want, got = frame[column], back[column]
            if pd.api.types.is_float_dtype(want.dtype):
                # data CSV files keep every digit: equal to the last bit
                np.testing.assert_array_equal(got.to_numpy(dtype=float), want.to_numpy(dtype=float))
    data = (tmp_path / "flows.csv").read_bytes()
    assert not data.startswith(codecs.BOM_UTF8) and data.split(b"\n")[0].count(b",") > 5


def test_report_by_producer_builds_the_order_sheet_once(
    tiny: tuple[Scenario, Solution], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The results workbook and the per-supplier workbooks share one order sheet, and are the
    files each writer gives on its own."""
    scenario, solution = tiny
    built: list[int] = []
    original = workbook_module.order_sheets

    def counted(*args: Any) -> pd.DataFrame:
        built.append(1)
        return original(*args)

    monkeypatch.setattr(workbook_module, "order_sheets", counted)
    writers = report_writers(scenario, solution, "en", by_producer=True)
    assert len(built) == 1
    together = write_folder_atomically(tmp_path / "together", writers)
    alone = order_workbook_writers(scenario, solution, language="en")
    assert len(alone) > 0
    write_folder_atomically(tmp_path / "alone", alone)
    write_workbook(scenario, solution, tmp_path / "alone" / "results.xlsx", language="en")
    for name in [*alone, "results.xlsx"]:
        got = (
            tmp_path / "together" / ("results.xlsx" if name == "results.xlsx" else f"orders/{name}")
        )
        assert got in together
        assert got.read_bytes() == (tmp_path / "alone" / name).read_bytes()


def test_order_workbooks_go_into_a_subfolder_with_the_other_files_all_or_nothing(
    tiny: tuple[Scenario, Solution], tmp_path: Path
) -> None:
    scenario, solution = tiny
    orders = order_workbook_writers(scenario, solution, language="en")
    writers = solution.writers() | {f"orders/{name}": w for name, w in orders.items()}

    def fail(path: Path) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_folder_atomically(tmp_path / "out", {**writers, "report.html": fail})
    assert not (tmp_path / "out").exists()
    written = write_folder_atomically(tmp_path / "out", writers)
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in written) == sorted(writers)
    assert all(p.is_file() for p in written)


def writer_of(text: str) -> Callable[[Path], None]:
    """A writer of a file holding ``text``."""
    return lambda path: path.write_text(text, encoding="utf-8")


def test_a_folder_where_a_file_goes_replaces_no_file(tmp_path: Path) -> None:
    """With results.xlsx a folder, report replaced five CSV files and report.html, then
    failed naming a temporary path."""
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "a.csv").write_text("old a", encoding="utf-8")
    (folder / "results.xlsx").mkdir()
    writers = {"a.csv": writer_of("new a"), "results.xlsx": writer_of("new book")}
    with pytest.raises(IsADirectoryError) as caught:
        write_folder_atomically(folder, writers)
    assert caught.value.filename == str(folder / "results.xlsx")
    assert (folder / "a.csv").read_text(encoding="utf-8") == "old a"
    assert sorted(p.name for p in folder.iterdir()) == ["a.csv", "results.xlsx"]


def test_a_move_that_fails_puts_back_the_files_moved_before(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    for name in ("a.csv", "b.csv"):
        (folder / name).write_text(f"old {name}", encoding="utf-8")
    (folder / "orders").write_text("a file where a folder goes", encoding="utf-8")
    writers = {
        "a.csv": writer_of("new a"),
        "new.csv": writer_of("new"),
        "b.csv": writer_of("new b"),
        "orders/x.csv": writer_of("x"),  # its folder cannot be made: the fourth move fails
    }
    with pytest.raises(OSError):
        write_folder_atomically(folder, writers)
    assert {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()} == {
        "a.csv": "old a.csv",
        "b.csv": "old b.csv",
        "orders": "a file where a folder goes",
    }
