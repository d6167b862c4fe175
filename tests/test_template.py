"""The Excel-native input path: ``rhd-match template`` writes a blank scenario workbook, a person
fills it (grid demand, French numbers, codes in words), and the reader reads it back into the
scenario it describes, saying each value it read another way; values that could mean more than
one thing are errors.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from factories import tiny_frames, tiny_hubs

from rhd_match import Scenario, ScenarioError
from rhd_match.cli.main import main
from rhd_match.i18n import use_language
from rhd_match.inputs.template import write_template

TABLES = ("products", "canteens", "producers", "offers", "demand")


#: Messages in English, the source language (French is tested on its own below).
pytestmark = pytest.mark.usefixtures("english_messages")


def by_key(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(keys).reset_index(drop=True)


KEYS = {
    "products": ["product_id"],
    "canteens": ["canteen_id"],
    "producers": ["producer_id"],
    "offers": ["producer_id", "product_id", "week"],
    "demand": ["canteen_id", "product_id", "week"],
}


def assert_same_scenario(read: Scenario, built: Scenario) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(
            by_key(read.tables[name], KEYS[name]), by_key(built.tables[name], KEYS[name])
        )


# -- a template filled in as a person would ---------------------------------------------------

#: Cells typed the French way, and what they mean: (sheet, id, column, typed).
FRENCH_CELLS = [
    ("products", "APPLE", "family", "Fruits et légumes"),
    ("products", "APPLE", "reference_price_eur_ht", "1,80 €"),
    ("products", "YOGURT", "unit", "Pièce"),
    ("canteens", "LIEVIN_1", "target_quality", "55 %"),
    ("canteens", "LENS_1", "budget_eur_ht", "4 000"),
    ("producers", "FARM_B", "delivery_capacity_kg_per_week", "500,0"),
]


def fill(path: Path) -> None:
    """Fill the template with the tiny scenario as a person would, with openpyxl (not the
    library that wrote it): example rows deleted, demand typed in the grid's week columns,
    some numbers and codes typed the French way, labels as AB and Label Rouge."""
    frames = tiny_frames()
    book = openpyxl.load_workbook(path)
    for name in ("products", "canteens", "producers", "offers"):
        sheet = book[name]
        header = [c.value for c in sheet[1]]
        sheet.delete_rows(2)  # the example row
        for record in frames[name].to_dict("records"):
            row = [None if pd.isna(v) else v for v in (record.get(c) for c in header)]
            key = row[0]
            for table, ident, column, typed in FRENCH_CELLS:
                if table == name and ident == key:
                    row[header.index(column)] = typed
            sheet.append(row)
    offers = book["offers"]
    labels = [c.value for c in offers[1]].index("labels") + 1
    for r in range(2, offers.max_row + 1):
        cell = offers.cell(r, labels)
        cell.value = {"LABEL_ROUGE": "Label Rouge", "BIO,FERMIER": "AB, Fermier"}.get(
            str(cell.value), cell.value
        )
    grid = book["demand"]
    header = [c.value for c in grid[1]]
    grid.delete_rows(2)
    demand = frames["demand"]
    for (canteen, product), group in demand.groupby(["canteen_id", "product_id"], sort=True):
        row: list[object] = [canteen, product] + [None] * (len(header) - 2)
        for week, qty in zip(group["week"], group["qty"], strict=True):
            row[header.index(week)] = f"{qty:g}".replace(".", ",") if qty == 12 else qty
        grid.append(row)
    book.save(path)


def test_template_filled_by_a_person_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "territoire.xlsx"
    assert main(["template", str(path), "--year", "2026"]) == 0
    fill(path)
    read = Scenario.from_folder(path)
    assert_same_scenario(read, Scenario.from_frames(**tiny_frames()))
    shown = [str(w) for w in read.warnings]
    for line in (
        f"{path}[products], row 3, column 'family': 'Fruits et légumes' read as "
        "'FRUITS_ET_LEGUMES'",
        f"{path}[products], row 3, column 'reference_price_eur_ht': '1,80 €' read as 1.8",
        f"{path}[products], row 4, column 'unit': 'Pièce' read as 'piece'",
        f"{path}[canteens], row 3, column 'target_quality': '55 %' read as 0.55",
        f"{path}[canteens], row 2, column 'budget_eur_ht': '4 000' read as 4,000",
        f"{path}[offers], row 2, column 'labels': 'Label Rouge' read as 'LABEL_ROUGE'",
        f"{path}[offers], row 4, column 'labels': 'AB, Fermier' read as 'BIO,FERMIER'",
    ):
        assert f"warning: {line}" in shown, "\n".join(shown)


def test_blank_template_reads_as_its_example(tmp_path: Path) -> None:
    """Untouched, the template is a valid one-of-everything scenario: its example rows, each
    named in a warning (left in, they would be planned)."""
    path = write_template(tmp_path / "t.xlsx", year=2027, language="en")
    read = Scenario.from_folder(path)
    assert [(w.table, w.row) for w in read.warnings] == [
        ("products", 2),
        ("canteens", 2),
        ("producers", 2),
    ]
    assert read.demand[["canteen_id", "week"]].values.tolist() == [["EXEMPLE-C1", "2027-W03"]]
    assert read.offers["labels"].tolist() == ["BIO"]


def test_template_sheets_lists_and_language(tmp_path: Path) -> None:
    fr = write_template(tmp_path / "fr.xlsx", year=2026)
    en = write_template(tmp_path / "en.xlsx", year=2026, language="en")
    book = openpyxl.load_workbook(fr)
    optional = ["market", "groups", "hubs", "distances"]
    assert book.sheetnames == ["Mode d’emploi", *TABLES, *optional, "listes"]
    assert openpyxl.load_workbook(en).sheetnames == ["Instructions", *TABLES, *optional, "lists"]
    for path, sheet in ((fr, "Mode d’emploi"), (en, "Instructions")):
        # every sheet to fill is named where the instructions list them
        [fill] = [
            c.value
            for c in openpyxl.load_workbook(path)[sheet]["A"]
            if str(c.value).startswith("1. ")
        ]
        assert all(f" {name}" in fill for name in [*TABLES, *optional]), fill
    products = book["products"]
    assert products.freeze_panes == "A2"
    comment = products["E1"].comment
    assert comment is not None and "Unité : kg par unité" in comment.text
    rules = {str(d.sqref): d.formula1 for d in products.data_validations.dataValidation}
    assert rules["C2:C2000"] == "'listes'!$A$2:$A$9"  # families
    # ids naming a row of another sheet: that sheet's id column
    offers = {str(d.sqref): d for d in book["offers"].data_validations.dataValidation}
    assert offers["A2:A2000"].formula1 == "'producers'!$A$2:$A$2000"
    assert offers["B2:B2000"].formula1 == "'products'!$A$2:$A$2000"
    assert offers["A2:A2000"].errorStyle == "warning"
    demand = {str(d.sqref): d.formula1 for d in book["demand"].data_validations.dataValidation}
    assert demand["A2:A2000"] == "'canteens'!$A$2:$A$2000"
    assert demand["B2:B2000"] == "'products'!$A$2:$A$2000"
    assert "A2:A2000" not in rules  # a table's own ids are typed freely
    lists = book["listes"]
    assert [c.value for c in lists["A"]][1:9] == [
        "VIANDES_VOLAILLES",
        "CHARCUTERIE",
        "PRODUITS_DE_LA_MER",
        "FRUITS_ET_LEGUMES",
        "PRODUITS_LAITIERS",
        "BOULANGERIE",
        "BOISSONS",
        "AUTRES",
    ]
    weeks = [c.value for c in book["demand"][1]][2:]
    assert weeks[0] == "2026-W01" and weeks[-1] == "2026-W53" and len(weeks) == 53
    assert products["A2"].font.i  # example rows in italics
    assert fr.read_bytes() == write_template(tmp_path / "again.xlsx", year=2026).read_bytes()


# -- the demand grid ----------------------------------------------------------------------------


def grid(demand: pd.DataFrame, headers: dict[str, object] | None = None) -> pd.DataFrame:
    wide = demand.pivot(index=["canteen_id", "product_id"], columns="week", values="qty")
    wide = wide.reset_index().astype(object).where(wide.reset_index().notna(), "")
    wide.columns = [str(c) for c in wide.columns]
    return wide.rename(columns=headers or {})


def test_grid_demand_equals_the_long_layout() -> None:
    frames = tiny_frames()
    built = Scenario.from_frames(**frames)
    read = Scenario.from_frames(**(frames | {"demand": grid(frames["demand"])}))
    assert_same_scenario(read, built)
    assert read.warnings == ()


def test_grid_headers_as_week_numbers_and_dates() -> None:
    frames = tiny_frames()
    headers = {"2026-W03": "S03", "2026-W04": dt.datetime(2026, 1, 22)}
    read = Scenario.from_frames(**(frames | {"demand": grid(frames["demand"], headers)}))
    assert_same_scenario(read, Scenario.from_frames(**frames))
    assert sorted(p.message for p in read.warnings) == [
        "'2026-01-22 00:00:00' read as 2026-W04 (the ISO week of that date)",
        "'S03' read as 2026-W03 (the year of the scenario's weeks written in full)",
    ]


def test_grid_headers_read_one_way_give_one_warning() -> None:
    """A grid whose every week is headed ``S03``: one warning listing them, not one each."""
    frames = tiny_frames()
    weeks = sorted(frames["demand"]["week"].unique())
    headers = {w: "S" + w[-2:] for w in weeks}
    read = Scenario.from_frames(**(frames | {"demand": grid(frames["demand"], headers)}))
    assert_same_scenario(read, Scenario.from_frames(**frames))
    [warning] = read.warnings
    listed = ", ".join(f"'S{w[-2:]}' as {w}" for w in weeks)
    assert (warning.table, warning.row, warning.column) == ("demand", None, None)
    assert warning.message == (
        f"{len(weeks)} week headers read in the year of the scenario's weeks written in full: "
        + listed
    )


def test_grid_columns_of_one_week_are_one_error() -> None:
    """``S03`` beside ``2026-W03``: one error naming both columns, not a duplicate key per
    row (the column kept is read, the scenario's other problems still said)."""
    frames = tiny_frames()
    wide = grid(frames["demand"])
    wide.insert(3, "S03", wide["2026-W03"])
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_frames(**(frames | {"demand": wide}))
    problems = caught.value.problems
    assert [(p.table, p.row, p.column, p.message) for p in problems if p.severity == "error"] == [
        ("demand", None, "S03", "columns '2026-W03', 'S03' are all week 2026-W03: keep one")
    ]
    # the read failed, and its warnings are said with its error
    assert any(p.severity == "warning" and p.column == "S03" for p in problems)


def test_grid_week_number_past_the_years_end_says_so() -> None:
    frames = tiny_frames()
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_frames(**(frames | {"demand": grid(frames["demand"], {"2026-W04": "S54"})}))
    [problem] = caught.value.problems
    assert (problem.column, problem.message) == ("S54", "'S54': year 2026 has weeks 01 to 53")


def test_grid_header_without_a_year_is_an_error_when_nothing_tells_the_year() -> None:
    frames = tiny_frames()
    frames["offers"]["week"] = frames["offers"]["week"].str.replace("2026-W", "S")
    frames["demand"] = grid(frames["demand"], {"2026-W03": "S03", "2026-W04": "S04"})
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_frames(**frames)
    messages = {(p.table, p.column, p.message) for p in caught.value.problems}
    assert (
        "demand",
        "S03",
        "'S03' is a week number without a year, and the weeks written in full do not tell "
        "which year; write it like 2026-W03",
    ) in messages
    assert any(t == "offers" and c == "week" and "S04" in m for t, c, m in messages)


def test_grid_empty_cell_is_no_demand_and_a_bad_cell_names_its_cell() -> None:
    frames = tiny_frames()
    wide = grid(frames["demand"], {"2026-W04": "S04"})
    wide.loc[0, "S04"] = "beaucoup"
    wide.loc[1, "2026-W03"] = "-3"
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_frames(**(frames | {"demand": wide}))
    problems = caught.value.problems
    assert [(p.row, p.column, p.message) for p in problems if p.severity == "error"] == [
        (2, "S04", "'beaucoup' is not a number"),
        (3, "2026-W03", "-3 must be ≥ 0"),
    ]
    assert any(p.severity == "warning" and p.column == "S04" for p in problems)


def test_grid_row_without_its_canteen_is_one_problem() -> None:
    """« ligne 3, colonne canteen_id : valeur manquante » came once per week column."""
    frames = tiny_frames()
    wide = grid(frames["demand"])
    wide.loc[4, "canteen_id"] = ""  # a row of two weeks
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_frames(**(frames | {"demand": wide}))
    missing = [p for p in caught.value.problems if p.column == "canteen_id"]
    assert [(p.row, p.severity) for p in missing] == [(6, "error")]
    assert str(caught.value).startswith("1 problem in the scenario")


def test_rows_missing_their_canteen_are_no_duplicates_of_each_other() -> None:
    """Two rows of one product without their canteen (an id merged down, read empty) were
    also said to be a duplicate key, week by week."""
    frames = tiny_frames()
    wide = grid(frames["demand"])
    wide.loc[[1, 4], "canteen_id"] = ""  # BEEF in 2026-W03 on both
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_frames(**(frames | {"demand": wide}))
    said = [(p.row, p.column) for p in caught.value.problems if p.severity == "error"]
    assert said == [(3, "canteen_id"), (6, "canteen_id")]


def test_grid_row_given_twice_is_one_problem_at_its_row() -> None:
    """A canteen and product on two grid rows gave a duplicate key per week column."""
    frames = tiny_frames()
    wide = grid(frames["demand"])
    wide = pd.concat([wide, wide.iloc[[4]]], ignore_index=True)  # LIEVIN_1 / BEEF, 2 weeks
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_frames(**(frames | {"demand": wide}))
    said = [(p.row, p.column, p.message) for p in caught.value.problems if p.severity == "error"]
    assert said == [
        (8, "product_id", "canteen LIEVIN_1 and product BEEF already on row 6: one row each")
    ]


def test_grid_cell_error_names_sheet_row_and_week_column(tmp_path: Path) -> None:
    """Read from a workbook, a bad grid cell is told by sheet, row and the column typed in;
    a value read another way is too."""
    path = tmp_path / "t.xlsx"
    assert main(["template", str(path), "--year", "2026"]) == 0
    fill(path)
    book = openpyxl.load_workbook(path)
    sheet = book["demand"]
    header = [c.value for c in sheet[1]]
    sheet.cell(3, header.index("2026-W03") + 1).value = "n/a"
    book.save(path)
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(path)
    shown = [str(p) for p in caught.value.problems]
    assert f"error: {path}[demand], row 3, column '2026-W03': 'n/a' is not a number" in shown
    assert all("'qty'" not in line for line in shown), shown


# -- each fix, accepted when sure and refused when not ----------------------------------------

FIXES = [
    # (table, row position, column, typed, value used or None when refused, message)
    ("products", 1, "family", "Fruits et légumes", "FRUITS_ET_LEGUMES", "read as"),
    ("products", 1, "family", "Fruits", None, "'FRUITS' is not one of"),
    ("offers", 0, "labels", "Label Rouge", "LABEL_ROUGE", "read as 'LABEL_ROUGE'"),
    ("offers", 4, "labels", "ab", "BIO", "read as 'BIO'"),
    ("offers", 4, "labels", "Label", None, "unknown label LABEL; allowed"),
    ("offers", 0, "week", "S03", "2026-W03", "year of the scenario's weeks"),
    ("offers", 0, "week", "12/01/2026", "2026-W03", "ISO week of that date"),
    ("offers", 0, "week", "S30", None, "week number without a year"),
    ("offers", 0, "week", "2026-W3", "2026-W03", "'2026-W3' read as 2026-W03"),
    ("offers", 0, "week", "2026-s03", "2026-W03", "'2026-s03' read as 2026-W03"),
    ("offers", 0, "qty", "3 000", 3000.0, "'3 000' read as 3,000"),
    ("offers", 0, "qty", "1\u202f234,50", 1234.5, "read as 1,234.5"),
    ("offers", 0, "price_eur_ht", "1,85 €", 1.85, "'1,85 €' read as 1.85"),
    ("offers", 0, "qty", "1,85 €", None, "an amount in euros, but the column holds"),
    ("canteens", 0, "target_organic", "25 %", 0.25, "'25 %' read as 0.25"),
    ("offers", 0, "qty", "25 %", None, "a percentage, but the column holds the product's unit"),
    ("offers", 0, "qty", "1.234,50", None, "'1.234,50' is not a number"),
    ("offers", 0, "qty", "12 34", None, "'12 34' is not a number"),
]


@pytest.mark.parametrize("case", FIXES, ids=[f"{c[2]}={c[3]}" for c in FIXES])
def test_fix(case: tuple[str, int, str, str, object, str]) -> None:
    table, position, column, typed, used, message = case
    frames = tiny_frames()
    if column == "week":  # weeks over two years: S30 fits neither 2025-W30 nor 2026-W30
        frames["offers"].loc[1, "week"] = "2025-W50"
    frames[table][column] = frames[table][column].astype(object)
    frames[table].loc[position, column] = typed
    if used is None:
        with pytest.raises(ScenarioError) as caught:
            Scenario.from_frames(**frames)
        problems = caught.value.problems
        assert [(p.table, p.row, p.column) for p in problems] == [(table, position + 2, column)]
        assert message in problems[0].message
        return
    scenario = Scenario.from_frames(**frames)
    assert scenario.tables[table].loc[position, column] == used
    warnings = [w for w in scenario.warnings if w.column == column]
    assert [(w.table, w.row) for w in warnings] == [(table, position + 2)]
    assert f"'{typed}'" in warnings[0].message or typed.upper() in warnings[0].message
    assert message in warnings[0].message


@pytest.mark.parametrize(
    ("column", "typed", "used"),
    [
        ("payload_kg", "800 kg", 800.0),
        ("min_drop_kg", "20 kg", 20.0),
        ("cost_eur_per_km", "0,5 €/km", 0.5),
        ("cost_eur_per_hour", "30 € HT/h", 30.0),
        ("fee_eur_per_kg", "0,2 €/kg", 0.2),
    ],
)
def test_a_number_with_its_own_column_unit_is_read(column: str, typed: str, used: float) -> None:
    """« « 800 kg » est en kg, mais la colonne est en kg » refused a hub's payload."""
    hubs = tiny_hubs()
    hubs[column] = hubs[column].astype(object)
    hubs.loc[0, column] = typed
    with use_language("fr"):
        scenario = Scenario.from_frames(**tiny_frames(), hubs=hubs)
    assert scenario.hubs.loc[0, column] == used
    [said] = [w for w in scenario.warnings if w.column == column]
    assert "lu en " in said.message and "/" not in said.message.split("lu en ")[1]


@pytest.mark.parametrize(
    ("table", "column", "typed", "french"),
    [
        ("canteens", "target_organic", "5 %", "lu comme 0,05"),
        ("offers", "price_eur_ht", "1,20 €", "lu comme 1,2"),
        ("offers", "qty", "3 000", "lu comme 3\u202f000"),
    ],
)
def test_a_number_read_is_quoted_back_in_french_figures(
    table: str, column: str, typed: str, french: str
) -> None:
    """« « 5 % » lu comme 0.05 »: a decimal point in a French message."""
    frames = tiny_frames()
    frames[table][column] = frames[table][column].astype(object)
    frames[table].loc[0, column] = typed
    with use_language("fr"):
        scenario = Scenario.from_frames(**frames)
    [said] = [w for w in scenario.warnings if w.column == column]
    assert said.message.endswith(french)


def test_week_across_two_years_takes_the_year_that_fits() -> None:
    frames = tiny_frames()
    frames["offers"].loc[0, "week"] = "2025-W50"
    frames["offers"].loc[1, "week"] = "S02"  # 2026-W02 lies in 2025-W50..2026-W04; 2025-W02 not
    scenario = Scenario.from_frames(**frames)
    assert scenario.offers.loc[1, "week"] == "2026-W02"


def test_messages_are_french_by_default() -> None:
    frames = tiny_frames()
    frames["products"].loc[1, "family"] = "Fruits et légumes"
    frames["products"]["kg_per_unit"] = frames["products"]["kg_per_unit"].astype(object)
    frames["products"].loc[0, "kg_per_unit"] = "lourd"

    def read() -> str:
        try:
            Scenario.from_frames(**frames)
        except ScenarioError as error:
            return str(error)
        return ""

    french = contextvars.Context().run(read)  # a fresh context: the library's default language
    assert "1 problème dans le scénario, et 1 avertissement :" in french
    line = "erreur : products, ligne 2, colonne « kg_per_unit » : « lourd » n’est pas un nombre"
    assert line in french
    english = read()  # this module's tests run in English
    assert "error: products, row 2, column 'kg_per_unit': 'lourd' is not a number" in english
