"""Scenario files as people save them, and workbooks that keep text as text.

The folders under ``tests/data/cases/`` are inputs saved by hand (a French Excel, a text
editor); the generated variants break the tiny scenario's files the same ways at other rows,
with other separators and in other encodings, and check the exact problems reported.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from factories import tiny_frames
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rhd_match import Scenario, ScenarioError
from rhd_match.cli.main import main
from rhd_match.i18n import use_language
from rhd_match.inputs.schema import TABLES as SCHEMA
from rhd_match.inputs.template import write_template
from rhd_match.io import read_table_file
from rhd_match.macantine.ids import IdFileWarning, read_sirets
from rhd_match.report import write_order_workbooks, write_workbook
from rhd_match.xlsx import write_workbook_file

#: The validation messages read here are the English source strings.
pytestmark = pytest.mark.usefixtures("english_messages")

CASES = Path(__file__).resolve().parent / "data" / "cases"
TABLES = ["products", "canteens", "producers", "offers", "demand"]


def assert_same_tables(a: Scenario, b: Scenario) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], check_exact=True, obj=name)


def tiny() -> Scenario:
    return Scenario.from_frames(**tiny_frames())


def errors(folder: Path) -> list[tuple[str, int | None, str | None, str]]:
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(folder)
    return [(p.table, p.row, p.column, p.message) for p in caught.value.problems]


def write_csv(folder: Path, sep: str = ",", encoding: str = "utf-8") -> Path:
    """The tiny scenario as CSV files with separator ``sep`` in ``encoding``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tiny().tables.items():
        if frame.empty and SCHEMA[name].optional:
            continue  # as Scenario.to_folder: an optional table without rows is no file
        text = frame.to_csv(sep=sep, index=False, lineterminator="\n")
        (folder / f"{name}.csv").write_bytes(text.encode(encoding))
    return folder


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def put_lines(path: Path, rows: list[str]) -> None:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


# -- the shared cases -------------------------------------------------------------------------


def test_extra_field_in_the_first_row_names_file_row_count_and_hint() -> None:
    folder = CASES / "csv-extra-field" / "scen_first_row"
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(folder)
    [problem] = caught.value.problems
    assert (problem.table, problem.row, problem.file) == (
        "products",
        2,
        str(folder / "products.csv"),
    )
    assert problem.message.startswith("7 fields, expected 6: a ';' inside unquoted text?")
    assert "double quotes" in problem.message


def test_file_reading_messages_in_french() -> None:
    """The default language: a wrong field count and its hint in French."""
    folder = CASES / "csv-extra-field" / "scen_first_row"
    with use_language("fr"), pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(folder)
    [problem] = caught.value.problems
    assert problem.message.startswith("7 champs, 6 attendus : un « ; » dans un texte sans")
    assert "guillemets doubles" in problem.message


def test_decimal_comma_in_a_comma_separated_file_is_named() -> None:
    [(table, row, _, message)] = errors(CASES / "csv-extra-field" / "scen_decimal_comma")
    assert (table, row) == ("demand", 2)
    assert message.startswith("5 fields, expected 4: '12,5' looks like a decimal comma")


@pytest.mark.parametrize(
    "case",
    [
        "csv-extra-field/scen_trailing",
        "blank-rows/csv_blank",
        "blank-rows/xlsx_blank_mid",
        "windows-1252/scen_cp1252",
    ],
)
def test_cases_saved_by_hand_read_as_the_scenario_they_hold(case: str) -> None:
    scenario = Scenario.from_folder(CASES / case)
    assert_same_tables(scenario, tiny())
    # blank rows are not data: nothing is said about them, and no bogus duplicate key
    assert not any("missing" in w.message or "duplicate" in w.message for w in scenario.warnings)


def test_trailing_separator_is_read_with_one_warning() -> None:
    scenario = Scenario.from_folder(CASES / "csv-extra-field" / "scen_trailing")
    said = [(w.table, w.message) for w in scenario.warnings if "extra" in w.message]
    assert said == [("products", "every row ends with an extra ';': read as the end of the row")]


def test_windows_1252_files_are_read_with_a_warning_naming_the_file() -> None:
    folder = CASES / "windows-1252" / "scen_cp1252"
    scenario = Scenario.from_folder(folder)
    assert scenario.canteens["name"].tolist() == [
        "École Jean Macé, Lens",
        "Collège Descartes, Liévin",
    ]
    files = {w.file for w in scenario.warnings if "Windows-1252" in w.message}
    assert str(folder / "canteens.csv") in files


def test_windows_1252_siret_file_is_read() -> None:
    with pytest.warns(IdFileWarning, match="not UTF-8: read as Windows-1252"):
        read = read_sirets(CASES / "windows-1252" / "sirets_cp1252.csv")
    assert read == {
        "LENS_1": "21620498000017",
        "LIEVIN_1": "12345678900015",
    }


def test_header_in_another_case_is_read_with_a_warning() -> None:
    book = CASES / "header-slips" / "header_Product_ID.xlsx"
    scenario = Scenario.from_folder(book)
    assert len(scenario.products) == 8
    said = [(w.table, w.column, w.message) for w in scenario.warnings if "read as" in w.message]
    assert said == [("products", "product_id", "column 'Product_ID' read as 'product_id'")]


def test_title_row_above_the_header_is_skipped_with_a_warning() -> None:
    scenario = Scenario.from_folder(CASES / "header-slips" / "title_row_above_header.xlsx")
    assert_same_tables(
        scenario, Scenario.from_folder(CASES / "header-slips" / "header_Product_ID.xlsx")
    )
    [title] = [w for w in scenario.warnings if "above the header" in w.message]
    assert (title.table, title.row) == ("offers", 1)
    assert "Offres des producteurs - hiver 2026" in title.message


def test_insee_typed_as_a_number_keeps_its_five_digits() -> None:
    scenario = Scenario.from_folder(CASES / "insee-as-number")
    assert scenario.canteens["insee"].tolist() == ["02408", "02408"]
    [padded] = [w for w in scenario.warnings if w.column == "insee"]
    assert (padded.table, padded.row) == ("canteens", 2)
    assert padded.message.startswith("'2408' read as '02408'")


def no_formulas(book: Path) -> list[str]:
    """Every cell of ``book`` that holds a formula (``sheet!cell``)."""
    wb = openpyxl.load_workbook(book)
    return [
        f"{ws.title}!{cell.coordinate}"
        for ws in wb
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_text_starting_with_equals_survives_a_round_trip(tmp_path: Path, fmt: str) -> None:
    scenario = Scenario.from_folder(CASES / "text-starting-with-equals")
    assert scenario.producers["name"].iloc[1] == "=Verger de l'Artois"
    scenario.to_folder(tmp_path, fmt=fmt)  # type: ignore[arg-type]
    assert_same_tables(Scenario.from_folder(tmp_path), scenario)
    if fmt == "xlsx":
        assert no_formulas(tmp_path / "scenario.xlsx") == []


def test_every_workbook_of_a_plan_stores_text_as_text(tmp_path: Path) -> None:
    scenario = Scenario.from_folder(CASES / "text-starting-with-equals")
    solution = scenario.solve(strategy="mip", time_limit_s=30)
    solution.to_folder(tmp_path / "plan", formats=("csv", "xlsx"))
    write_workbook(scenario, solution, tmp_path / "results.xlsx", language="en")
    books = write_order_workbooks(scenario, solution, tmp_path / "orders")
    assert no_formulas(tmp_path / "plan" / "solution.xlsx") == []
    assert no_formulas(tmp_path / "results.xlsx") == []
    assert books and all(no_formulas(book) == [] for book in books)
    orders = pd.read_excel(tmp_path / "results.xlsx", sheet_name="Orders")
    assert "=Verger de l'Artois" in set(orders["Producer"])


# -- generated variants: field counts -----------------------------------------------------------


@pytest.mark.parametrize("sep", [",", ";", "\t"])
@pytest.mark.parametrize("row", [2, 3, 4])
def test_unquoted_separator_in_text_at_any_row(tmp_path: Path, sep: str, row: int) -> None:
    folder = write_csv(tmp_path / "s", sep)
    path = folder / "products.csv"
    rows = lines(path)
    fields = rows[row - 1].split(sep)
    fields[1] = f"{fields[1]}{sep} bio"  # a name holding the separator, unquoted
    rows[row - 1] = sep.join(fields)
    put_lines(path, rows)
    [(table, at, column, message)] = errors(folder)
    assert (table, at, column) == ("products", row, None)
    shown = "a tab" if sep == "\t" else f"a '{sep}'"
    assert message == (
        f"7 fields, expected 6: {shown} inside unquoted text? put that text in double quotes"
    )


@pytest.mark.parametrize("row", [2, 5, 8])
def test_missing_field_at_any_row(tmp_path: Path, row: int) -> None:
    folder = write_csv(tmp_path / "s", ";")
    path = folder / "demand.csv"
    rows = lines(path)
    rows[row - 1] = rows[row - 1].rsplit(";", 1)[0]
    put_lines(path, rows)
    [(table, at, _, message)] = errors(folder)
    assert (table, at) == ("demand", row)
    assert message.startswith("3 fields, expected 4: a ';' is missing")


@pytest.mark.parametrize("rows_hit", [[2], [3, 7], [2, 4, 8]])
def test_decimal_commas_are_each_named(tmp_path: Path, rows_hit: list[int]) -> None:
    folder = write_csv(tmp_path / "s", ",")
    path = folder / "demand.csv"
    rows = lines(path)
    for row in rows_hit:
        head, qty = rows[row - 1].rsplit(",", 1)
        rows[row - 1] = f"{head},{qty.replace('.', ',')}"
    put_lines(path, rows)
    found = errors(folder)
    assert [(t, r) for t, r, _, _ in found] == [("demand", r) for r in rows_hit]
    assert all("looks like a decimal comma" in m for _, _, _, m in found)


def test_one_row_ending_with_a_separator_is_an_error(tmp_path: Path) -> None:
    folder = write_csv(tmp_path / "s", ";")
    path = folder / "offers.csv"
    rows = lines(path)
    rows[3] += ";"
    put_lines(path, rows)
    [(table, row, _, message)] = errors(folder)
    assert (table, row) == ("offers", 4)
    assert message == "8 fields, expected 7: the row ends with an extra ';'; remove it"


@pytest.mark.parametrize(
    ("sep", "ends", "lang", "said"),
    [
        ("\t", "\t", "en", "every row ends with an extra tab: read as the end of the row"),
        (
            "\t",
            "\t",
            "fr",
            "chaque ligne finit par une tabulation de trop : la lecture s’arrête avant",
        ),
        (";", ";;", "en", "every row ends with 2 extra ';': read as the end of the row"),
        (";", ";;", "fr", "chaque ligne finit par 2 « ; » de trop : la lecture s’arrête avant"),
        (",", ",", "fr", "chaque ligne finit par un « , » de trop : la lecture s’arrête avant"),
    ],
)
def test_separators_ending_every_row_are_named_and_counted(
    tmp_path: Path, sep: str, ends: str, lang: str, said: str
) -> None:
    """A tab is « une tabulation », not « un « tabulation » »; two separators are two."""
    folder = write_csv(tmp_path / "s", sep)
    with_trailing_separators(folder, sep, ends)
    with use_language(lang):
        scenario = Scenario.from_folder(folder)
    assert_same_tables(scenario, tiny())
    assert [w.message for w in scenario.warnings if w.table == "demand"] == [said]


@pytest.mark.parametrize(
    ("sep", "ends", "lang", "said"),
    [
        ("\t", "\t", "en", "8 fields, expected 7: the row ends with an extra tab; remove it"),
        (
            "\t",
            "\t",
            "fr",
            "8 champs, 7 attendus : la ligne finit par une tabulation de trop ; retirez-la",
        ),
        (";", ";;", "en", "9 fields, expected 7: the row ends with 2 extra ';'; remove them"),
        (
            ";",
            ";;",
            "fr",
            "9 champs, 7 attendus : la ligne finit par 2 « ; » de trop ; retirez-les",
        ),
    ],
)
def test_one_row_ending_with_separators_names_and_counts_them(
    tmp_path: Path, sep: str, ends: str, lang: str, said: str
) -> None:
    folder = write_csv(tmp_path / "s", sep)
    path = folder / "offers.csv"
    rows = lines(path)
    rows[3] += ends
    put_lines(path, rows)
    with use_language(lang), pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(folder)
    assert [(p.table, p.row, p.message) for p in caught.value.problems] == [("offers", 4, said)]


@pytest.mark.parametrize("sep", [",", ";"])
def test_trailing_separator_on_header_and_rows_is_read(tmp_path: Path, sep: str) -> None:
    folder = write_csv(tmp_path / "s", sep)
    for name in TABLES:
        path = folder / f"{name}.csv"
        put_lines(path, [line + sep for line in lines(path)])
    scenario = Scenario.from_folder(folder)
    assert_same_tables(scenario, tiny())
    assert not any("extra" in w.message for w in scenario.warnings)


def with_trailing_separators(folder: Path, sep: str, ends: str) -> None:
    """Every data row of every table of ``folder`` ends with ``ends`` (the header not)."""
    for name in TABLES:
        path = folder / f"{name}.csv"
        rows = lines(path)
        put_lines(path, rows[:1] + [line + ends for line in rows[1:]])


@pytest.mark.parametrize("ends", [";", ";;"])
@pytest.mark.parametrize("row", [2, 3, 4])
def test_unquoted_separator_among_rows_ending_with_separators(
    tmp_path: Path, ends: str, row: int
) -> None:
    """Only the row with a real extra field is named, with its own hint."""
    folder = write_csv(tmp_path / "s", ";")
    with_trailing_separators(folder, ";", ends)
    path = folder / "products.csv"
    rows = lines(path)
    fields = rows[row - 1].split(";")
    fields[1] = f"{fields[1]}; rouge"
    rows[row - 1] = ";".join(fields)
    put_lines(path, rows)
    found = [e for e in errors(folder) if "expected" in e[3]]
    assert found == [
        (
            "products",
            row,
            None,
            "7 fields, expected 6: a ';' inside unquoted text? put that text in double quotes",
        )
    ]


def test_names_with_the_separator_before_empty_last_values_are_no_trailing_separator(
    tmp_path: Path,
) -> None:
    """Two canteens of three have a name holding an unquoted ',' and empty last values: each
    such row is one empty field longer, like a row ending with a separator, but its values are
    shifted (text under the coordinates the well-formed row holds), so each is named, not the
    file read as ending with ','. (With every row so, nothing tells the two readings apart.)"""
    folder = write_csv(tmp_path / "s", ",")
    path = folder / "canteens.csv"
    rows = lines(path)
    plain = rows[1].replace('"École Jean Macé, Lens"', "École B").replace("LENS_1", "LENS_2")
    put_lines(path, [rows[0], *(row.replace('"', "") for row in rows[1:]), plain])
    found = [e for e in errors(folder) if "expected" in e[3]]
    assert [(t, r) for t, r, _, _ in found] == [("canteens", 2), ("canteens", 3)]
    assert all("inside unquoted text" in m for _, _, _, m in found)


def test_a_name_with_the_separator_among_rows_ending_with_separators_and_empty_values(
    tmp_path: Path,
) -> None:
    """Every row ends with ';' and one name holds an unquoted ';' before empty last values:
    that row ends with two empty fields, the other with one; the file's one is the smaller."""
    folder = write_csv(tmp_path / "s", ";")
    with_trailing_separators(folder, ";", ";")
    path = folder / "canteens.csv"
    rows = lines(path)
    rows[1] = rows[1].replace("École Jean Macé, Lens", "École Jean Macé; Lens")
    put_lines(path, rows)
    found = [e for e in errors(folder) if "expected" in e[3]]
    assert [(t, r) for t, r, _, _ in found] == [("canteens", 2)]
    assert "inside unquoted text" in found[0][3]


@pytest.mark.parametrize("row", [2, 5, 8])
def test_decimal_comma_among_rows_ending_with_a_comma(tmp_path: Path, row: int) -> None:
    folder = write_csv(tmp_path / "s", ",")
    with_trailing_separators(folder, ",", ",")
    path = folder / "demand.csv"
    rows = lines(path)
    head, qty, empty = rows[row - 1].rsplit(",", 2)
    rows[row - 1] = f"{head},{qty.replace('.', ',')},{empty}"
    put_lines(path, rows)
    found = [e for e in errors(folder) if "expected" in e[3]]
    assert [(t, r) for t, r, _, _ in found] == [("demand", row)]
    assert found[0][3].startswith("5 fields, expected 4: ")
    assert "looks like a decimal comma" in found[0][3]


def test_rows_without_the_trailing_separator_of_the_others_are_read(tmp_path: Path) -> None:
    """Most rows ending with a separator: a row edited without it is fine, and said so."""
    folder = write_csv(tmp_path / "s", ";")
    with_trailing_separators(folder, ";", ";")
    path = folder / "demand.csv"
    rows = lines(path)
    rows[3] = rows[3][:-1]
    put_lines(path, rows)
    scenario = Scenario.from_folder(folder)
    assert_same_tables(scenario, tiny())
    said = [w.message for w in scenario.warnings if w.table == "demand" and "extra" in w.message]
    assert said == ["6 of 7 rows end with an extra ';': read as the end of the row"]


# -- generated variants: encodings ------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-16"])
def test_encodings_excel_writes_are_read(tmp_path: Path, encoding: str) -> None:
    folder = write_csv(tmp_path / "s", ";", encoding)
    assert_same_tables(Scenario.from_folder(folder), tiny())


def test_bytes_in_no_known_encoding_are_an_error_saying_how_to_resave(tmp_path: Path) -> None:
    folder = write_csv(tmp_path / "s", ",")
    path = folder / "producers.csv"
    path.write_bytes(path.read_bytes().replace("é".encode(), b"\x81"))  # undefined in cp1252
    [(table, row, _, message)] = errors(folder)
    assert (table, row) == ("producers", None)
    assert "not UTF-8 nor Windows-1252" in message and "CSV UTF-8" in message


# -- generated variants: empty rows -----------------------------------------------------------


@st.composite
def blank_insertions(draw: st.DrawFn) -> list[tuple[int, str]]:
    """Empty rows to insert into demand.csv (8 lines): (line index, text), sorted."""
    blank = st.sampled_from(["", ",,,", " ,  , ,", ",,", "   ", ",,,,,,"])
    places = draw(st.lists(st.integers(1, 8), min_size=1, max_size=4))
    return sorted((p, draw(blank)) for p in places)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(blank_insertions())
def test_empty_rows_anywhere_are_not_data(
    tmp_path_factory: pytest.TempPathFactory, inserts: list[tuple[int, str]]
) -> None:
    folder = write_csv(tmp_path_factory.mktemp("s"), ",")
    path = folder / "demand.csv"
    rows = lines(path)
    last = rows[-1].rsplit(",", 1)[0] + ",-1"  # the last data row is wrong: where is it now?
    rows[-1] = last
    for offset, (place, text) in enumerate(inserts):
        rows.insert(place + offset, text)
    put_lines(path, rows)
    [(table, row, column, message)] = errors(folder)
    assert (table, column, message) == ("demand", "qty", "-1 must be ≥ 0")
    assert row == rows.index(last) + 1  # the row a person sees in the file


def test_empty_rows_in_a_sheet_and_a_space_far_below_are_not_data(tmp_path: Path) -> None:
    book = tmp_path / "scenario.xlsx"
    sheets = dict(tiny().tables)
    demand = sheets["demand"].astype(object)
    gap = pd.DataFrame([[None] * 4], columns=demand.columns)
    sheets["demand"] = pd.concat([demand.iloc[:3], gap, demand.iloc[3:]], ignore_index=True)
    write_workbook_file(book, sheets)
    wb = openpyxl.load_workbook(book)
    wb["demand"]["A400"] = " "
    wb.save(book)
    assert_same_tables(Scenario.from_folder(book), tiny())


# -- generated variants: headers, sheets, codes -------------------------------------------------


@pytest.mark.parametrize("header", ["Product_ID", " product id ", "PRODUCT-ID", "Product Id"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_header_case_and_spaces_are_read_with_a_warning(
    tmp_path: Path, header: str, fmt: str
) -> None:
    frames = tiny_frames()
    frames["offers"] = frames["offers"].rename(columns={"product_id": header})
    if fmt == "csv":
        write_csv(tmp_path, ",")
        frames["offers"].to_csv(tmp_path / "offers.csv", index=False)
    else:
        write_workbook_file(tmp_path / "scenario.xlsx", frames)
    scenario = Scenario.from_folder(tmp_path)
    assert_same_tables(scenario, tiny())
    [said] = [w for w in scenario.warnings if "read as" in w.message]
    assert (said.table, said.column) == ("offers", "product_id")
    assert said.message == f"column '{header.strip()}' read as 'product_id'"


def test_title_rows_above_a_csv_header_are_skipped(tmp_path: Path) -> None:
    folder = write_csv(tmp_path / "s", ";")
    path = folder / "demand.csv"
    put_lines(path, ["Besoins des cantines;;;", "", *lines(path)])
    scenario = Scenario.from_folder(folder)
    assert_same_tables(scenario, tiny())
    [title] = [w for w in scenario.warnings if "above the header" in w.message]
    assert (title.table, title.row) == ("demand", 1)


def test_a_column_with_another_name_is_missing_with_what_was_found(tmp_path: Path) -> None:
    folder = write_csv(tmp_path / "s", ",")
    frame = tiny_frames()["demand"].rename(columns={"product_id": "produit_id"})
    frame.to_csv(folder / "demand.csv", index=False)
    found = errors(folder)
    assert ("demand", None, "product_id", "required column is missing; found 'produit_id'") in (
        found
    )


def test_sheet_named_in_another_case_is_read(tmp_path: Path) -> None:
    frames = tiny_frames()
    named = {("Products" if n == "products" else n.upper()): f for n, f in frames.items()}
    write_workbook_file(tmp_path / "Territoire.xlsx", named)
    (tmp_path / "~$Territoire.xlsx").write_bytes(b"lock")  # Excel's lock file, beside it
    scenario = Scenario.from_folder(tmp_path)
    assert_same_tables(scenario, tiny())
    assert "sheet 'Products' read as 'products'" in {w.message for w in scenario.warnings}


@pytest.mark.parametrize("book", ["scenario.xlsx", "Territoire.xlsx"])
def test_csv_files_and_a_workbook_holding_the_scenario_are_an_error(
    tmp_path: Path, book: str
) -> None:
    """Neither is read: reading one would silently ignore the edits made in the other."""
    folder = write_csv(tmp_path / "s", ";")
    frames = tiny_frames()
    frames["demand"] = frames["demand"].assign(qty=frames["demand"]["qty"] * 2)  # edited
    write_workbook_file(folder / book, {n.capitalize(): f for n, f in frames.items()})
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(folder)
    [problem] = caught.value.problems
    assert (problem.table, problem.file, problem.severity) == ("scenario", str(folder), "error")
    assert problem.message == (
        f"both CSV files and the workbook '{book}' hold the scenario: keep one and move the "
        "other out of this folder (only one would be read, the edits made in the other ignored)"
    )
    # either one named alone is read
    assert_same_tables(Scenario.from_folder(folder / book), tiny().with_demand(frames["demand"]))


def blank_template(path: Path, data_in: str = "") -> Path:
    """The template workbook with its example rows deleted: headers only, but for a row of
    data kept in sheet ``data_in``."""
    write_template(path, 2026)
    book = openpyxl.load_workbook(path)
    for name in TABLES:
        if name != data_in:
            book[name].delete_rows(2, book[name].max_row)
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        (
            "en",
            "workbook 'scenario.xlsx' left aside: its sheets hold headers but no data row; the "
            "scenario is read from the CSV files",
        ),
        (
            "fr",
            "le classeur « scenario.xlsx » est laissé de côté : ses feuilles n’ont que leurs "
            "en-têtes, aucune ligne de données ; le scénario est lu dans les fichiers CSV",
        ),
    ],
)
def test_csv_files_beside_a_blank_template_are_read_and_the_template_named(
    tmp_path: Path, lang: str, said: str
) -> None:
    """A workbook of every table holding headers only is no scenario: no error, a warning."""
    folder = write_csv(tmp_path / "s", ";")
    book = blank_template(folder / "scenario.xlsx")
    with use_language(lang):
        scenario = Scenario.from_folder(folder)
    assert_same_tables(scenario, tiny())
    named = [(w.table, w.file, w.message) for w in scenario.warnings if w.file == str(book)]
    assert named == [("scenario", str(book), said)]


@pytest.mark.parametrize("sheet", ["products", "demand"])
def test_csv_files_beside_a_template_holding_a_row_are_an_error(tmp_path: Path, sheet: str) -> None:
    folder = write_csv(tmp_path / "s", ";")
    blank_template(folder / "scenario.xlsx", data_in=sheet)
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(folder)
    [problem] = caught.value.problems
    assert problem.message.startswith("both CSV files and the workbook 'scenario.xlsx' hold")


def test_csv_files_beside_a_workbook_of_some_tables_are_read_and_the_workbook_named(
    tmp_path: Path,
) -> None:
    """A workbook with some of the tables' sheets (offers edited apart, a plan's results) does
    not stop the CSV files, but a warning says its sheets are not read: edits made there would
    otherwise be lost without a word. A workbook of no table is not named."""
    folder = write_csv(tmp_path / "s", ",")
    tables = tiny().tables
    write_workbook_file(folder / "offres_2026.xlsx", {"Offers": tables["offers"]})
    write_workbook_file(folder / "notes.xlsx", {"Notes": tables["canteens"]})
    scenario = Scenario.from_folder(folder)
    assert_same_tables(scenario, tiny())
    said = [(w.file, w.message) for w in scenario.warnings if "not read" in w.message]
    assert said == [
        (
            str(folder / "offres_2026.xlsx"),
            "workbook 'offres_2026.xlsx' is not read (sheet 'Offers'): this folder's tables "
            "are its CSV files; edit those, or move the workbook out of this folder",
        )
    ]


@pytest.mark.parametrize(("code", "padded"), [(2408, "02408"), (1001, "01001"), (62498, "62498")])
def test_codes_typed_as_numbers_keep_their_digits(tmp_path: Path, code: int, padded: str) -> None:
    frames = tiny_frames()
    frames["canteens"]["insee"] = [code, 62510]
    write_workbook_file(tmp_path / "scenario.xlsx", frames)
    scenario = Scenario.from_folder(tmp_path)
    assert scenario.canteens["insee"].tolist() == [padded, "62510"]
    warned = [(w.row, w.column) for w in scenario.warnings if w.column == "insee"]
    assert warned == ([] if padded == str(code) else [(2, "insee")])


def test_the_same_table_file_reader_serves_other_files(tmp_path: Path) -> None:
    path = tmp_path / "sirets.csv"
    path.write_bytes("\n\nCanteen_ID;SIRET\nLENS_1;21620498000017\n;\n".encode("cp1252"))
    read = read_table_file(path, ("canteen_id", "siret"), "sirets")
    assert read.frame is not None
    assert read.frame.index.tolist() == [4]
    assert read.frame.to_dict("records") == [{"canteen_id": "LENS_1", "siret": "21620498000017"}]


# -- writing: text stays text -----------------------------------------------------------------

formula_like = st.builds(
    lambda head, tail: (head + tail).strip(),
    st.sampled_from(["=", "+", "-", "@", "=="]),
    st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=20),
).filter(lambda t: len(t) > 1)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(formula_like, min_size=5, max_size=5))
def test_formula_like_text_round_trips_in_both_formats(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str]
) -> None:
    frames = tiny_frames()
    frames["products"]["name"] = texts[:3]
    frames["canteens"]["name"] = texts[3:]
    scenario = Scenario.from_frames(**frames)
    for fmt in ("csv", "xlsx"):
        folder = tmp_path_factory.mktemp(fmt)
        scenario.to_folder(folder, fmt=fmt)  # type: ignore[arg-type]
        assert_same_tables(Scenario.from_folder(folder), scenario)
        if fmt == "xlsx":
            assert no_formulas(folder / "scenario.xlsx") == []


def test_merged_cells_are_said_where_a_value_goes_missing(tmp_path: Path) -> None:
    """A canteen id merged down its demand rows gave « valeur manquante » below its first row
    and never mentioned the merge."""
    tiny().to_folder(tmp_path, fmt="xlsx")
    path = tmp_path / "scenario.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book["demand"]
    assert sheet["A2"].value == sheet["A3"].value  # one canteen on both rows
    sheet.merge_cells("A2:A3")
    book.save(path)
    with use_language("en"), pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(tmp_path)
    said = [(p.table, p.row, p.column, p.severity) for p in caught.value.problems]
    assert ("demand", 2, None, "warning") in said and ("demand", 3, "canteen_id", "error") in said
    merged = next(p for p in caught.value.problems if p.severity == "warning")
    assert "merged cells A2:A3" in merged.message


def test_a_title_merged_above_the_header_is_no_merged_data(tmp_path: Path) -> None:
    """Only merged cells among the table's rows lose values: a title above is read as one."""
    tiny().to_folder(tmp_path, fmt="xlsx")
    path = tmp_path / "scenario.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book["demand"]
    sheet.insert_rows(1)
    sheet["A1"] = "Besoins des cantines 2026"
    sheet.merge_cells("A1:D1")
    book.save(path)
    with use_language("en"):
        scenario = Scenario.from_folder(tmp_path)
    assert not [w for w in scenario.warnings if "merged" in w.message]
    assert len(scenario.demand) == len(tiny().demand)


def test_workbooks_are_written_the_same_twice(tmp_path: Path) -> None:
    for name in ("a", "b"):
        tiny().to_folder(tmp_path / name, fmt="xlsx")
    first = (tmp_path / "a" / "scenario.xlsx").read_bytes()
    assert first == (tmp_path / "b" / "scenario.xlsx").read_bytes()


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ('{"hard_egalim": true}'.encode("utf-16"), None),  # Notepad's "Unicode"
        (b'\xef\xbb\xbf{"hard_egalim": true}', None),
        (b"[1, 2]", "expected a JSON object ({...}) of parameters"),
        (
            b'{"hard_egalim": tru',
            "invalid JSON at character 17: a value is expected (nothing, or a word that is not "
            "JSON?)",
        ),
    ],
)
def test_parameters_file_as_editors_save_it(
    tmp_path: Path, data: bytes, problem: str | None
) -> None:
    folder = write_csv(tmp_path / "s")
    (folder / "parameters.json").write_bytes(data)
    if problem is None:
        assert Scenario.from_folder(folder).parameters.hard_egalim is True
    else:
        assert [(t, m) for t, _, _, m in errors(folder)] == [("parameters", problem)]


def test_siret_typed_as_a_number_keeps_its_fourteen_digits(tmp_path: Path) -> None:
    frames = tiny_frames()
    frames["canteens"]["siret"] = [2162049800017, None]  # 02162049800017 shown as a number
    write_workbook_file(tmp_path / "scenario.xlsx", frames)
    scenario = Scenario.from_folder(tmp_path)
    assert scenario.canteens["siret"].iloc[0] == "02162049800017"
    assert [(w.row, w.column) for w in scenario.warnings if w.column == "siret"] == [(2, "siret")]


def _edit_field(path: Path, row: int, column: str, edit: str) -> None:
    """Row ``row`` of a comma-separated file rewritten unquoted, its last field emptied and
    ``column`` replaced by ``edit`` (``{}`` stands for the old value)."""
    import csv

    rows = lines(path)
    header = rows[0].split(",")
    fields = next(csv.reader([rows[row - 1]]))
    j = header.index(column)
    fields[j] = edit.format(fields[j])
    fields[-1] = ""
    rows[row - 1] = ",".join(f'"{f}"' if "," in f and k != j else f for k, f in enumerate(fields))
    put_lines(path, rows)


@pytest.mark.parametrize("row", [2, 3])
@pytest.mark.parametrize(
    ("table", "column"),
    [("canteens", "name"), ("producers", "name"), ("products", "name"), ("canteens", "sector")],
)
@pytest.mark.parametrize("cut", [", Liévin", ",bio"])
def test_comma_in_unquoted_text_is_told_even_when_the_last_field_is_empty(
    tmp_path: Path, table: str, column: str, row: int, cut: str
) -> None:
    folder = write_csv(tmp_path / "s", ",")
    _edit_field(
        folder / f"{table}.csv", row, column, ("Collège" if column == "name" else "{}") + cut
    )
    [(found, at, _, message)] = errors(folder)
    assert (found, at) == (table, row)
    assert message.endswith("a ',' inside unquoted text? put that text in double quotes")


@pytest.mark.parametrize("row", [2, 3])
@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("canteens", "lat"),
        ("canteens", "lon"),
        ("producers", "lat"),
        ("producers", "delivery_radius_km"),
        ("offers", "price_eur_ht"),
        ("offers", "qty"),
    ],
)
def test_decimal_comma_is_told_even_when_the_last_field_is_empty(
    tmp_path: Path, table: str, column: str, row: int
) -> None:
    folder = write_csv(tmp_path / "s", ",")
    path = folder / f"{table}.csv"
    value = str(tiny().tables[table][column].iloc[row - 2])
    assert "." in value
    _edit_field(path, row, column, value.replace(".", ","))
    [(found, at, _, message)] = errors(folder)
    assert (found, at) == (table, row)
    assert f"'{value.replace('.', ',')}' looks like a decimal comma: write {value}" in message


@pytest.mark.parametrize("table", ["demand", "offers", "canteens"])
@pytest.mark.parametrize("sep", [",", ";"])
def test_a_header_cell_without_values_is_one_problem(tmp_path: Path, table: str, sep: str) -> None:
    folder = write_csv(tmp_path / "s", sep)
    path = folder / f"{table}.csv"
    rows = lines(path)
    rows[0] += f"{sep}note"
    put_lines(path, rows)
    [(found, at, _, message)] = errors(folder)
    assert (found, at) == (table, 1)
    assert "column 'note' has no values" in message


@pytest.mark.parametrize("table", ["demand", "offers"])
def test_a_table_with_a_header_only_is_a_warning_naming_the_file(
    tmp_path: Path, table: str
) -> None:
    folder = write_csv(tmp_path / "s", ";")
    path = folder / f"{table}.csv"
    put_lines(path, lines(path)[:1])
    scenario = Scenario.from_folder(folder)
    said = [p for p in scenario.warnings if p.table == table and "has no rows" in p.message]
    assert len(said) == 1 and said[0].file == str(path)


@pytest.mark.parametrize(
    ("lang", "one_column", "one_field"),
    [
        (
            "en",
            "the header has 5 columns but every row has 4 fields: column 'note' has no values; "
            "remove it from the header or fill it in",
            "the header has 4 columns but every row has 1 field: columns 'product_id', 'week', "
            "'qty' have no values; remove them from the header or fill them in",
        ),
        (
            "fr",
            "l’en-tête a 5 colonnes mais chaque ligne a 4 champs : la colonne « note » n’a pas de "
            "valeurs ; retirez-la de l’en-tête ou remplissez-la",
            "l’en-tête a 4 colonnes mais chaque ligne a 1 champ : les colonnes « product_id », "
            "« week », « qty » n’ont pas de valeurs ; retirez-les de l’en-tête ou remplissez-les",
        ),
    ],
)
def test_a_header_wider_than_every_row_counts_one_in_the_singular(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, one_column: str, one_field: str
) -> None:
    """What validate says of one column without values and of rows of one field."""
    for name, expected in [("column", one_column), ("field", one_field)]:
        folder = write_csv(tmp_path / name, ";")
        path = folder / "demand.csv"
        rows = lines(path)
        if name == "column":
            rows[0] += ";note"
        else:
            rows[1:] = [row.split(";")[0] for row in rows[1:]]
        put_lines(path, rows)
        assert main(["--lang", lang, "validate", str(folder)]) == 2
        said = capsys.readouterr()
        assert f"{expected}\n" in said.out + said.err
