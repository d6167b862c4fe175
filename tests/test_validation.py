"""Validation: every problem of a scenario is listed at once, with file, row and column.

Row numbers are those a person sees: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from factories import fail_on_call, snapshot, tiny_distances, tiny_frames, tiny_groups, tiny_hubs

from rhd_match import InfeasibleError, OptionError, Problem, Scenario, ScenarioError
from rhd_match.i18n import use_language
from rhd_match.inputs.plausibility import domain_warnings

#: The validation messages read here are the English source strings.
pytestmark = pytest.mark.usefixtures("english_messages")

# -- a folder of deliberately broken files ----------------------------------------------------

BROKEN_FILES = {
    "products.csv": """\
product_id,name,family,unit,kg_per_unit,reference_price_eur_ht
BEEF,Boeuf haché,VIANDES_VOLAILLES,kg,1,11.5
APPLE,Pomme,LEGUMES,kg,1,1.8
YOGURT,Yaourt,PRODUITS_LAITIERS,pot,0.125,0.32
BEEF,Boeuf en double,VIANDES_VOLAILLES,kg,1,11.5
CHEESE,Fromage,PRODUITS_LAITIERS,kg,abc,9
PEAR,Poire,FRUITS_ET_LEGUMES,kg,1,-1
""",
    # no 'lon' column
    "canteens.csv": """\
canteen_id,name,lat
LENS_1,École Jean Macé,50.4322
LIEVIN_1,Collège Descartes,91
""",
    "producers.csv": """\
producer_id,name,lat,lon,delivery_capacity_kg_per_week,max_drops_per_week,delivery_radius_km,min_order_eur_ht
FARM_A,Ferme A,50.53,2.64,300,4,40,50
FARM_B,Ferme B,50.29,200,,2,30,0
""",
    "offers.csv": """\
producer_id,product_id,week,qty,price_eur_ht,labels
FARM_A,BEEF,2026-W03,40,13.2,LABEL_ROUGE
FARM_Z,BEEF,2026-W03,40,13.2,
FARM_A,NOPE,2026-W03,40,13.2,
FARM_A,BEEF,2026-W60,40,13.2,
FARM_A,BEEF,2026-13,40,13.2,
FARM_A,BEEF,2025-W53,40,13.2,
FARM_A,BEEF,2026-W53,-5,13.2,
FARM_A,BEEF,2026-W05,40,,
FARM_A,BEEF,2026-W06,40,13.2,"BIO,LABEL_VERT"
FARM_A,BEEF,2026-W03,40,13.2,BIO
FARM_A,YOGURT,2026-W54,10,0.4,BIO
,BEEF,2026-W07,40,13.2,
""",
    "demand.csv": """\
canteen_id,product_id,week,qty
LENS_1,BEEF,2026-W03,
LENS_X,BEEF,2026-W03,5
LIEVIN_1,BEEF,2026-W04,12
""",
}

# (file, row, column, a piece of the message) for every problem planted above, and nothing else.
EXPECTED = [
    ("products.csv", 3, "family", "'LEGUMES' is not one of"),
    ("products.csv", 4, "unit", "'pot' is not one of"),
    ("products.csv", 5, "product_id", "duplicate key"),
    ("products.csv", 6, "kg_per_unit", "'abc' is not a number"),
    ("products.csv", 7, "reference_price_eur_ht", "-1 must be ≥ 0"),
    ("canteens.csv", None, "lon", "required column is missing"),
    ("canteens.csv", 3, "lat", "91 must be ≤ 90"),
    ("producers.csv", 3, "lon", "200 must be ≤ 180"),
    ("producers.csv", 3, "delivery_capacity_kg_per_week", "missing value"),
    ("offers.csv", 3, "producer_id", "unknown producer_id 'FARM_Z'"),
    ("offers.csv", 4, "product_id", "unknown product_id 'NOPE'"),
    ("offers.csv", 5, "week", "2026-W60"),
    ("offers.csv", 6, "week", "2026-13"),
    ("offers.csv", 7, "week", "2025-W53"),  # 2025 has 52 ISO weeks (2026 has 53: row 8 is fine)
    ("offers.csv", 8, "qty", "-5 must be ≥ 0"),
    ("offers.csv", 9, "price_eur_ht", "missing value"),
    ("offers.csv", 10, "labels", "LABEL_VERT"),
    ("offers.csv", 11, "producer_id", "duplicate key"),
    ("offers.csv", 12, "week", "2026-W54"),
    ("offers.csv", 13, "producer_id", "missing value"),  # once: not also an unknown id ''
    ("demand.csv", 2, "qty", "missing value"),
    ("demand.csv", 3, "canteen_id", "unknown canteen_id 'LENS_X'"),
]


def write_files(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def problem_keys(problems: list[Problem]) -> list[tuple[str, int | None, str | None]]:
    return sorted(
        ((Path(p.file or "").name, p.row, p.column) for p in problems),
        key=lambda k: (k[0], k[1] or 0, k[2] or ""),
    )


def assert_problems(problems: list[Problem], folder: Path, expected: list[tuple]) -> None:
    assert problem_keys(problems) == problem_keys_of(expected), "\n".join(map(str, problems))
    for name, row, column, fragment in expected:
        (match,) = [
            p for p in problems if (Path(p.file or "").name, p.row, p.column) == (name, row, column)
        ]
        assert match.file == str(folder / name)
        assert match.severity == "error"
        assert fragment in match.message, (fragment, match.message)


def problem_keys_of(expected: list[tuple]) -> list[tuple[str, int | None, str | None]]:
    return sorted(
        ((name, row, column) for name, row, column, _ in expected),
        key=lambda k: (k[0], k[1] or 0, k[2] or ""),
    )


@pytest.fixture
def quiet_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty working directory that must stay empty (nothing is written beside the input)."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    yield cwd
    assert list(cwd.iterdir()) == []


def test_every_problem_is_listed_at_once(tmp_path: Path, quiet_cwd: Path) -> None:
    folder = write_files(tmp_path / "broken", BROKEN_FILES)
    before = snapshot(folder)
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(folder)
    assert_problems(caught.value.problems, folder, EXPECTED)
    # the message a person reads names every file, row and column too
    text = str(caught.value)
    assert f"{len(EXPECTED)} problems in the scenario" in text
    assert f"{folder / 'offers.csv'}, row 7, column 'week'" in text
    assert snapshot(folder) == before  # nothing written, nothing changed, byte for byte


def test_missing_file_is_listed_with_the_problems_of_the_other_files(
    tmp_path: Path, quiet_cwd: Path
) -> None:
    files = {k: v for k, v in BROKEN_FILES.items() if k != "demand.csv"}
    folder = write_files(tmp_path / "broken", files)
    before = snapshot(folder)
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(folder)
    problems = caught.value.problems
    missing = [p for p in problems if p.table == "demand"]
    assert [(p.row, p.column, p.message, p.file) for p in missing] == [
        (None, None, "file is missing", str(folder / "demand.csv"))
    ]
    found = set(problem_keys(problems))
    for name, row, column, fragment in EXPECTED:
        if name != "demand.csv" and not fragment.startswith("unknown"):  # not a foreign key
            assert (name, row, column) in found
    assert snapshot(folder) == before


def test_foreign_keys_are_checked_even_when_a_file_is_missing(tmp_path: Path) -> None:
    files = {k: v for k, v in BROKEN_FILES.items() if k != "demand.csv"}
    folder = write_files(tmp_path / "broken", files)
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(folder)
    expected = [e for e in EXPECTED if e[0] != "demand.csv"]
    expected.append(("demand.csv", None, None, "file is missing"))
    assert_problems(caught.value.problems, folder, expected)


def test_row_numbers_follow_the_file_across_blank_lines(tmp_path: Path) -> None:
    folder = tmp_path / "scenario"
    Scenario.from_frames(**tiny_frames()).to_folder(folder)
    demand = (folder / "demand.csv").read_text(encoding="utf-8").splitlines()
    # line 1 header, line 2 first row, line 3 blank, line 4 second row made negative
    demand.insert(2, "")
    demand[3] = demand[3].rsplit(",", 1)[0] + ",-1"
    (folder / "demand.csv").write_text("\n".join(demand) + "\n\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(folder)
    negative = [p for p in caught.value.problems if p.column == "qty" and "-1" in p.message]
    assert [p.row for p in negative] == [4]
    # the blank line in the middle is no data: skipped, yet it still counts as a row of the file
    assert [p for p in caught.value.problems if p.row == 3] == []
    assert len(caught.value.problems) == 1


def test_trailing_blank_lines_are_ignored(tmp_path: Path) -> None:
    folder = tmp_path / "scenario"
    Scenario.from_frames(**tiny_frames()).to_folder(folder)
    with (folder / "offers.csv").open("a", encoding="utf-8") as f:
        f.write("\n\n")
    assert len(Scenario.from_folder(folder).offers) == len(tiny_frames()["offers"])


def test_many_rows_with_the_same_problem_are_summarised(tmp_path: Path) -> None:
    frames = tiny_frames()
    demand = pd.DataFrame(
        {
            "canteen_id": "LENS_1",
            "product_id": "BEEF",
            "week": [f"2026-W{w:02d}" for w in range(1, 54)] + ["2026-W99"] * 60,
            "qty": 1.0,
        }
    )
    demand.loc[53:, "canteen_id"] = [f"C{i}" for i in range(60)]  # keys stay unique
    frames["demand"] = demand
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_frames(**frames)
    weeks = [p for p in caught.value.problems if p.column == "week"]
    listed = [p for p in weeks if p.row is not None]
    assert [p.row for p in listed] == list(range(55, 105))  # 50 listed: data rows 54..103
    (summary,) = [p for p in weeks if p.row is None]
    assert summary.message == "... and 10 more rows like these"
    assert summary.folded == 10


def test_a_folded_list_counts_every_row_and_follows_the_rows_it_folds() -> None:
    """64 bad quantities: the head said « 51 problème(s) » (50 listed and the folded line
    counted as one), and the folded line came first, above row 2."""
    frames = tiny_frames()
    week = [f"2026-W{w:02d}" for w in range(1, 53)] + [f"2027-W{w:02d}" for w in range(1, 13)]
    frames["demand"] = pd.DataFrame(
        {"canteen_id": "LENS_1", "product_id": "BEEF", "week": week, "qty": "x30"}
    )
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_frames(**frames)
    lines = str(caught.value).splitlines()
    assert lines[0] == "64 problems in the scenario:"
    qty = [line for line in lines if "column 'qty'" in line]
    assert len(qty) == 51
    assert qty[0].startswith("  error: demand, row 2, column 'qty'")
    assert qty[-1] == "  error: demand, column 'qty': ... and 14 more rows like these"
    assert sum(p.count for p in caught.value.problems) == 64


def test_user_frames_report_rows_as_in_a_file() -> None:
    frames = tiny_frames()
    frames["demand"].loc[0, "qty"] = -3.0  # first data row: row 2
    frames["offers"].loc[5, "labels"] = "BIO,GLUTEN_FREE"  # sixth data row: row 7
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_frames(**frames)
    keys = {(p.table, p.row, p.column, p.file) for p in caught.value.problems}
    assert keys == {("demand", 2, "qty", None), ("offers", 7, "labels", None)}


def test_numeric_ids_in_user_frames_become_text() -> None:
    frames = tiny_frames()
    ids = {"BEEF": 12.0, "APPLE": 13.0, "YOGURT": 14.0}  # floats, as pandas makes them
    for name in ["products", "offers", "demand"]:
        frames[name]["product_id"] = frames[name]["product_id"].map(ids).astype(float)
    frames["canteens"]["canteen_id"] = [1, 2]
    frames["demand"]["canteen_id"] = frames["demand"]["canteen_id"].map(
        {"LENS_1": 1, "LIEVIN_1": 2}
    )
    scenario = Scenario.from_frames(**frames)
    assert scenario.products["product_id"].tolist() == ["12", "13", "14"]
    assert scenario.canteens["canteen_id"].tolist() == ["1", "2"]
    assert set(scenario.demand["product_id"]) == {"12", "13", "14"}


def test_semicolon_csv_with_decimal_commas_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "scenario"
    Scenario.from_frames(**tiny_frames()).to_folder(folder)
    text = (folder / "products.csv").read_text(encoding="utf-8")
    # French spreadsheet export: ';' between cells, ',' as the decimal mark
    rows = [line.split(",") for line in text.splitlines()]
    (folder / "products.csv").write_text(
        "\n".join(";".join(cell.replace(".", ",") for cell in row) for row in rows) + "\n",
        encoding="utf-8",
    )
    products = Scenario.from_folder(folder).products
    assert products["kg_per_unit"].tolist() == [1.0, 1.0, 0.125]
    assert products["reference_price_eur_ht"].tolist() == [11.5, 1.8, 0.32]


# -- warnings: allowed, but probably not meant ------------------------------------------------


def demand_warnings(scenario: Scenario) -> list[Problem]:
    """The no-offer-in-reach warnings, one per canteen at its row of ``canteens``."""
    return [w for w in scenario.warnings if (w.table, w.column) == ("canteens", "canteen_id")]


def test_tiny_scenario_has_no_warning(tiny_scenario: Scenario) -> None:
    assert tiny_scenario.warnings == ()


def test_demand_nobody_offers_is_a_warning_not_an_error() -> None:
    frames = tiny_frames()
    pear = {"product_id": "PEAR", "name": "Poire", "family": "FRUITS_ET_LEGUMES", "unit": "kg"}
    frames["products"].loc[len(frames["products"])] = pear | {
        "kg_per_unit": 1.0,
        "reference_price_eur_ht": 2.0,
    }
    frames["demand"].loc[len(frames["demand"])] = ["LENS_1", "PEAR", "2026-W03", 10.0]
    scenario = Scenario.from_frames(**frames)  # does not raise
    (warning,) = demand_warnings(scenario)
    assert warning.severity == "warning"
    assert warning.row == 2  # LENS_1
    assert "canteen 'LENS_1'" in warning.message
    assert "for 1 of its 4 products (PEAR)" in warning.message


def test_demand_out_of_every_radius_is_a_warning() -> None:
    frames = tiny_frames()
    # FARM_B (Arras) is 16.3 km from Lens and 14.8 km from Liévin; it alone offers apples
    frames["producers"].loc[1, "delivery_radius_km"] = 15.5
    (warning,) = demand_warnings(Scenario.from_frames(**frames))
    assert (warning.row, warning.column) == (2, "canteen_id")  # Lens only
    assert "canteen 'LENS_1'" in warning.message
    assert "for 1 of its 3 products (APPLE)" in warning.message

    frames["producers"].loc[1, "delivery_radius_km"] = 10.0
    warnings = demand_warnings(Scenario.from_frames(**frames))
    assert [w.row for w in warnings] == [2, 3]
    assert all("(APPLE)" in w.message for w in warnings)


def test_fermier_on_a_fruit_is_a_warning_with_file_and_row(tmp_path: Path) -> None:
    frames = tiny_frames()
    frames["offers"].loc[5, "labels"] = "FERMIER"  # FARM_B's apples, data row 6 → row 7
    folder = tmp_path / "scenario"
    folder.mkdir()
    for name, frame in frames.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    scenario = Scenario.from_folder(folder)  # does not raise
    (warning,) = [w for w in scenario.warnings if w.table == "offers"]
    assert warning.severity == "warning"
    assert (warning.row, warning.column) == (7, "labels")
    assert warning.file == str(folder / "offers.csv")
    assert "FERMIER" in warning.message


def test_fermier_on_dairy_is_no_warning() -> None:
    frames = tiny_frames()
    assert "FERMIER" in frames["offers"].loc[2, "labels"]  # the yogurt
    assert Scenario.from_frames(**frames).warnings == ()


# -- Excel ------------------------------------------------------------------------------------


def write_workbook(path: Path, frames: dict[str, pd.DataFrame]) -> Path:
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for name, frame in frames.items():
            frame.to_excel(xl, sheet_name=name, index=False)
    return path


def test_broken_sheet_is_named_with_its_row(tmp_path: Path) -> None:
    frames = tiny_frames()
    frames["offers"].loc[2, "qty"] = -10.0  # data row 3 → row 4
    frames["demand"].loc[4, "canteen_id"] = "ARRAS_9"  # data row 5 → row 6
    book = write_workbook(tmp_path / "scenario.xlsx", frames)
    before = book.read_bytes()
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(tmp_path)  # a folder holding one workbook
    keys = {(p.file, p.row, p.column) for p in caught.value.problems}
    assert keys == {
        (f"{book}[offers]", 4, "qty"),
        (f"{book}[demand]", 6, "canteen_id"),
    }
    text = str(caught.value)
    assert "scenario.xlsx[offers], row 4, column 'qty'" in text
    assert book.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario.xlsx"]


def test_missing_sheet_is_named(tmp_path: Path) -> None:
    frames = tiny_frames()
    del frames["producers"]
    book = write_workbook(tmp_path / "scenario.xlsx", frames)
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(book)
    assert [(p.table, p.message) for p in caught.value.problems] == [
        ("producers", "sheet 'producers' is missing (sheets: products, canteens, offers, demand)")
    ]


# -- writing is all or nothing ----------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "method"), [("csv", "to_csv"), ("xlsx", "add_worksheet")])
def test_failed_write_leaves_existing_files_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, method: str
) -> None:
    target = tmp_path / "out"
    old = tiny_frames()
    old["demand"]["qty"] = old["demand"]["qty"] * 2
    Scenario.from_frames(**old).to_folder(target, fmt=fmt)  # type: ignore[arg-type]
    (target / "notes.txt").write_text("adviser's notes\n", encoding="utf-8")
    before = snapshot(target)

    owner = pd.DataFrame if fmt == "csv" else xlsxwriter.Workbook
    calls = fail_on_call(monkeypatch, method, 3, owner)
    with pytest.raises(OSError, match="simulated"):
        Scenario.from_frames(**tiny_frames()).to_folder(target, fmt=fmt)  # type: ignore[arg-type]
    assert len(calls) == 3  # the failure happened after two tables were written
    assert snapshot(target) == before  # no file changed, no partial file, no staging folder

    monkeypatch.undo()
    Scenario.from_frames(**tiny_frames()).to_folder(target, fmt=fmt)  # type: ignore[arg-type]
    assert (
        Scenario.from_folder(target).demand["qty"].tolist()
        == tiny_frames()["demand"]["qty"].tolist()
    )


def test_failed_write_to_a_new_folder_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "new"
    fail_on_call(monkeypatch, "to_csv", 3)
    with pytest.raises(OSError, match="simulated"):
        Scenario.from_frames(**tiny_frames()).to_folder(target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "make",
    [
        lambda: ScenarioError([Problem("canteens", 3, "lat", "95 must be ≤ 90")]),
        lambda: OptionError(["time_limit_s: must be > 0"]),
        lambda: InfeasibleError(["canteen C1: organic target missed"], proven=False),
    ],
    ids=["scenario", "option", "infeasible"],
)
def test_errors_cross_a_process_pool_whole(make: Callable[[], Exception]) -> None:
    """What-if variants are solved in a process pool: an error must come back as it was
    raised, not rebuilt from its message one character per problem."""
    error = make()  # in the test's language, as unpickling rebuilds it
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert str(back) == str(error)
    assert vars(back) == vars(error)


def test_labels_a_family_cannot_carry_are_warned_at_their_first_row() -> None:
    frames = tiny_frames()
    frames["products"].loc[0, "family"] = "BOISSONS"  # FARM_A's LABEL_ROUGE beef, rows 2-3
    frames["products"].loc[2, "family"] = "FRUITS_ET_LEGUMES"  # its FERMIER yogurt, rows 4-5
    scenario = Scenario.from_frames(**frames)
    said = {(w.table, w.row, w.column, w.message) for w in scenario.warnings}
    tail = ": ma cantine marks it not applicable"
    assert ("offers", 2, "labels", f"2 rows with LABEL_ROUGE on BOISSONS{tail}") in said
    fermier = "FERMIER outside VIANDES_VOLAILLES, CHARCUTERIE, PRODUITS_LAITIERS"
    assert ("offers", 4, "labels", f"2 rows with {fermier}{tail}") in said


def test_an_empty_table_is_warned_in_its_file() -> None:
    tables = Scenario.from_frames(**tiny_frames()).tables
    tables["offers"] = tables["offers"].iloc[0:0]
    files = {name: f"{name}.csv" for name in tables if not tables[name].empty or name == "offers"}
    [empty] = [w for w in domain_warnings(tables, files) if "no rows" in w.message]
    assert (empty.table, empty.file) == ("offers", "offers.csv")


@pytest.mark.parametrize("table", ["hubs", "market", "distances", "groups"])
def test_an_optional_csv_file_without_rows_is_warned_but_not_an_empty_sheet(table: str) -> None:
    """A header-only hubs.csv was shown as absent, with nothing said; a workbook's optional
    sheet, there as the template made it, is left unsaid."""
    tables = Scenario.from_frames(**tiny_frames()).tables
    assert tables[table].empty
    as_csv = {table: f"{table}.csv"}
    [empty] = [w for w in domain_warnings(tables, as_csv) if "no rows" in w.message]
    assert (empty.table, empty.file, empty.severity) == (table, f"{table}.csv", "warning")
    as_sheet = {table: f"territoire.xlsx[{table}]"}
    assert not [w for w in domain_warnings(tables, as_sheet) if "no rows" in w.message]


def test_typed_tables_keep_optional_texts_and_whole_numbers() -> None:
    scenario = Scenario.from_frames(**tiny_frames())
    assert scenario.canteens["insee"].tolist() == ["62498", "62510"]
    assert scenario.producers["hub_id"].iloc[0] == "HUB_LENS"
    assert pd.isna(scenario.producers["hub_id"].iloc[1])
    assert scenario.producers["max_drops_per_week"].dtype == "int64"


def test_an_empty_optional_file_is_read_as_not_given(tmp_path: Path) -> None:
    """A 0-byte hubs.csv was an error, where a header-only one is a warning."""
    Scenario.from_frames(**tiny_frames()).to_folder(tmp_path)
    (tmp_path / "hubs.csv").write_bytes(b"")
    with use_language("en"):
        scenario = Scenario.from_folder(tmp_path)
    [said] = [w for w in scenario.warnings if w.table == "hubs"]
    assert said.message.startswith("the file has no rows") and scenario.hubs.empty


@pytest.mark.parametrize("written", ["inf", "-inf", "Infinity", "1e400", np.inf])
def test_an_infinite_number_is_one_problem(written: object) -> None:
    """An infinity was told twice: not finite, and above the ceiling (or below 0)."""
    frames = tiny_frames()
    frames["offers"]["qty"] = frames["offers"]["qty"].astype(object)
    frames["offers"].loc[1, "qty"] = written
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_frames(**frames)
    said = [(p.table, p.row, p.column, p.message) for p in caught.value.problems]
    assert said == [("offers", 3, "qty", f"'{written}' is infinite or too large to be a figure")]


def test_a_failed_read_carries_its_warnings(tmp_path: Path) -> None:
    """A warning and an error of the same read are both in the ``ScenarioError``, each with
    its severity, so that fixing the error reveals nothing new."""
    Scenario.from_frames(**tiny_frames()).to_folder(tmp_path)
    path = tmp_path / "canteens.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace("62498,,", "62498,1234567800015,")
    rows[2] = rows[2].replace(",420.0,", ",-420.0,")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(tmp_path)
    found = [(p.table, p.row, p.column, p.severity) for p in caught.value.problems]
    assert found == [
        ("canteens", 2, "siret", "warning"),
        ("canteens", 3, "meals_per_day", "error"),
    ]
    assert "warning: " in str(caught.value)


def test_a_failed_unreadable_file_keeps_the_warnings_of_the_others(tmp_path: Path) -> None:
    """A table that cannot be read at all (wrong field count) and another file's warning."""
    Scenario.from_frames(**tiny_frames()).to_folder(tmp_path)
    names = tmp_path / "products.csv"
    names.write_text(names.read_text(encoding="utf-8").replace("Pomme", "Pomme, rouge", 1))
    producers = tmp_path / "producers.csv"
    producers.write_bytes(producers.read_text(encoding="utf-8").encode("cp1252"))
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(tmp_path)
    found = {(p.table, p.severity) for p in caught.value.problems}
    assert found == {("products", "error"), ("producers", "warning")}


def test_a_code_in_scientific_notation_is_read_when_every_digit_is_written() -> None:
    import numpy as np

    from rhd_match.inputs.schema import Column, Table
    from rhd_match.inputs.validation import Collector, pad_code

    table = Table("canteens", "", (Column("siret", "text", "", digits=14),), ("canteen_id",))
    cells = pd.Series(["1.234567800002E+12", "2,16205E+13", "2.16204980000170E+13"])
    out = Collector(table, "canteens.csv", np.array([2, 3, 4]))
    codes = pad_code(cells, cells, table.column("siret"), out)
    assert codes[[0, 2]].tolist() == ["01234567800002", "21620498000017"]
    found = [(p.row, p.severity, p.message.split(":")[0]) for p in out.problems]
    assert sorted(found) == [
        (2, "warning", "'1.234567800002E+12' read as '01234567800002', a code of 14 digits"),
        (3, "error", "'2,16205E+13' is a number in scientific notation"),
        (4, "warning", "'2.16204980000170E+13' read as '21620498000017', a code of 14 digits"),
    ]


@pytest.mark.parametrize(
    ("table", "users"),
    [
        ("products", {"demand", "offers", "groups"}),
        ("canteens", {"demand", "distances"}),
        ("producers", {"offers", "distances"}),
    ],
)
def test_a_table_with_a_header_only_is_said_once_not_through_every_id_naming_it(
    tmp_path: Path, table: str, users: set[str]
) -> None:
    """With the optional tables naming ids of several tables (groups, distances) too."""
    folder = tmp_path / "scenario"
    Scenario.from_frames(
        **tiny_frames(), groups=tiny_groups(), distances=tiny_distances(), hubs=tiny_hubs()
    ).to_folder(folder)
    path = folder / f"{table}.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(folder)
    problems = caught.value.problems
    assert not [p for p in problems if p.message.startswith("unknown")]
    [empty] = [p for p in problems if p.table == table]
    assert (empty.row, empty.column, empty.file) == (None, None, str(path))
    assert empty.severity == "error"
    assert "no rows (a header only?)" in empty.message
    assert {
        u for u in ("demand", "offers", "groups", "distances") if f"{u} (" in empty.message
    } == users
