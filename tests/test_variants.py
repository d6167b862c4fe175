"""Variants of the faults files saved by hand show, in every table (the market, groups and
hubs tables and the parameters file too), read by every route: the scenario folder, its
workbook, the ids files of ma cantine, the command line's output folder.

``tests/data/variants/reference/`` is a small scenario with every table; each other folder is
that scenario saved another way (``README.md`` there lists them), with ``expected.json``:
``same`` (the tables read equal the reference's) and the ``warnings``, or the ``errors`` —
each ``[table, row, column, message start]``, all of them, nothing else.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from rhd_match import OptionError, Scenario, ScenarioError
from rhd_match.cli.main import main
from rhd_match.macantine.ids import IdFileWarning, read_platform_ids, read_sirets

pytestmark = pytest.mark.usefixtures("english_messages")

VARIANTS = Path(__file__).resolve().parent / "data" / "variants"
CASES = sorted(p.name for p in VARIANTS.iterdir() if (p / "expected.json").is_file())
#: Warnings every variant saved from a French Excel gets, not the point of the variants.
ENCODING = "not UTF-8: read as Windows-1252"

Said = list[list[object]]


def said(problems: object) -> Said:
    return [[p.table, p.row, p.column, p.message] for p in problems]  # type: ignore[attr-defined]


def matches(found: Said, expected: Said) -> bool:
    """Every problem expected is found (its message starting as given), and nothing else."""
    if len(found) != len(expected):
        return False
    return all(
        f[:3] == e[:3] and str(f[3]).startswith(str(e[3]))
        for f, e in zip(sorted(found, key=str), sorted(expected, key=str), strict=True)
    )


@pytest.fixture(scope="module")
def reference() -> Scenario:
    return Scenario.from_folder(VARIANTS / "reference")


def test_the_reference_is_read_without_a_word(reference: Scenario) -> None:
    assert reference.warnings == ()
    assert all(len(frame) for frame in reference.tables.values())
    assert reference.parameters.targets.organic == 0.25


@pytest.mark.parametrize("case", CASES)
def test_variant_reads_as_expected(case: str, reference: Scenario) -> None:
    folder = VARIANTS / case
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    if "errors" in expected:
        with pytest.raises(ScenarioError) as caught:
            Scenario.from_folder(folder)
        errors = [p for p in caught.value.problems if p.severity == "error"]  # warnings too
        assert matches(said(errors), expected["errors"]), caught.value
        return
    scenario = Scenario.from_folder(folder)
    warnings = [w for w in said(scenario.warnings) if not str(w[3]).startswith(ENCODING)]
    assert matches(warnings, expected["warnings"]), warnings
    same = [
        name
        for name, frame in reference.tables.items()
        if scenario.tables[name].equals(frame)
        and list(scenario.tables[name].dtypes) == list(frame.dtypes)
    ]
    if expected["same"]:
        assert same == list(reference.tables)
        assert scenario.parameters == reference.parameters
    else:
        assert len(same) == len(reference.tables) - 1


def test_an_optional_column_misspelt_is_left_empty(reference: Scenario) -> None:
    """The variant above, its cost: the column read as not given (each product at most the
    whole row), which the warning's hint lets the person fix."""
    scenario = Scenario.from_folder(VARIANTS / "groups-optional-column-misspelt")
    assert scenario.groups["max_share"].isna().all()
    assert reference.groups["max_share"].notna().any()


# -- codes, written by the test as a French Excel saves them ----------------------------------


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("6\u202f088", "06088"),  # narrow no-break space, the French thousands separator
        ("62 510", "62510"),
        ("62510,0", "62510"),
        ("06088.00", "06088"),
    ],
)
def test_insee_codes_as_spreadsheets_write_them(tmp_path: Path, typed: str, read: str) -> None:
    folder = tmp_path / "s"
    Scenario.from_folder(VARIANTS / "reference").to_folder(folder)
    canteens = pd.read_csv(folder / "canteens.csv", dtype=str, keep_default_na=False)
    canteens.loc[0, "insee"] = typed
    (folder / "canteens.csv").write_bytes(
        canteens.to_csv(sep=";", index=False, lineterminator="\r\n").encode("utf-8")
    )
    scenario = Scenario.from_folder(folder)
    assert scenario.canteens["insee"].iloc[0] == read
    [warning] = [w for w in scenario.warnings if w.column == "insee"]
    assert (warning.table, warning.row) == ("canteens", 2)
    assert warning.message.startswith(f"'{typed}' read as '{read}'")


def test_a_code_longer_than_its_digits_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    Scenario.from_folder(VARIANTS / "reference").to_folder(folder)
    text = (folder / "canteens.csv").read_text(encoding="utf-8")
    (folder / "canteens.csv").write_text(text.replace("21620498000017", "216204980000170"))
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(folder)
    assert said(caught.value.problems) == [
        [
            "canteens",
            2,
            "siret",
            "'216204980000170' has 15 digits: a code of 14 digits is expected",
        ]
    ]


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("21620498000017.0", None),
        ("21\u00a0620\u00a0498\u00a0000\u00a0017", None),
        ("2,16205E+13", "'2,16205E+13' is a number in scientific notation"),
    ],
)
def test_siret_file_as_excel_saves_it(tmp_path: Path, cell: str, problem: str | None) -> None:
    path = tmp_path / "sirets.csv"
    text = f'canteen_id;siret\r\nLENS_1;"{cell}"\r\n\r\nLIEVIN_1;12345678900015\r\n'
    path.write_bytes(text.encode("cp1252"))
    if problem is None:
        with pytest.warns(IdFileWarning):  # read as meant: the '.0', or the file's encoding
            read = read_sirets(path)
        assert read == {"LENS_1": "21620498000017", "LIEVIN_1": "12345678900015"}
        return
    with pytest.raises(ScenarioError) as caught:
        read_platform_ids(path, "siret")
    [found] = caught.value.problems
    assert (found.row, found.column) == (2, "siret")
    assert found.message.startswith(problem)


# -- parameters and options -------------------------------------------------------------------


def test_parameter_problems_in_french(tmp_path: Path) -> None:
    """The default language: what the JSON reader and the option checks say, translated."""
    from rhd_match.i18n import use_language

    with use_language("fr"):
        with pytest.raises(ScenarioError) as caught:
            Scenario.from_folder(VARIANTS / "parameters-trailing-comma")
        [json_problem] = caught.value.problems
        assert json_problem.message.startswith("JSON invalide au caractère 3 : ")
        with pytest.raises(ScenarioError) as caught:
            Scenario.from_folder(VARIANTS / "parameters-values-out-of-range")
        assert str(caught.value.problems[0]).endswith(
            "parameters.json, ligne 3, clé « targets.organic » : 1.5 doit être ≤ 1"
        )
        with pytest.raises(OptionError) as option:
            Scenario.from_folder(VARIANTS / "reference").solve(time_limt_s=1)
    assert str(option.value) == (
        "option invalide : time_limt_s : nom inconnu ; vouliez-vous dire « time_limit_s » ?"
    )


def test_the_tables_an_id_is_sought_in_are_named_in_french() -> None:
    """ "or" between the tables, in the language of the message."""
    from rhd_match.i18n import use_language

    with use_language("fr"), pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(VARIANTS / "ids-differing-by-case")
    [demand] = [p.message for p in caught.value.problems if p.table == "demand"]
    assert demand.startswith("product_id « apple » inconnu (absent de products ou groups) ;")


# -- the command line's output folder ---------------------------------------------------------


@pytest.mark.parametrize("verb", ["solve", "report", "export", "tours", "whatif", "hubs"])
def test_an_output_folder_that_cannot_be_one_is_refused_before_solving(
    tmp_path: Path, verb: str, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "results.csv"
    blocker.write_text("kept\n")
    for out in (blocker, blocker / "sub"):
        with pytest.raises(SystemExit) as ended:
            main(["--lang", "en", verb, str(VARIANTS / "reference"), "--out", str(out)])
        assert ended.value.code == 2
        err = capsys.readouterr().err
        assert "argument --out" in err
        assert f"'{blocker}' is a file" in err
        assert "Traceback" not in err
    assert blocker.read_text() == "kept\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in read-only folders")
def test_a_read_only_output_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    with pytest.raises(SystemExit):
        main(["--lang", "en", "solve", str(VARIANTS / "reference"), "--out", str(locked / "x")])
    assert "permission denied" in capsys.readouterr().err


# -- the template workbook --------------------------------------------------------------------


def test_the_template_has_the_optional_tables_to_fill(tmp_path: Path) -> None:
    """Its market and hubs sheets, filled the French way and with a producer's hub, read back;
    left empty, the scenario has none."""
    import openpyxl

    from rhd_match.inputs.template import write_template

    book = write_template(tmp_path / "territoire.xlsx", 2026)
    assert Scenario.from_folder(book).market.empty
    wb = openpyxl.load_workbook(book)
    assert [wb[n].max_row for n in ("market", "groups", "hubs")] == [1, 1, 1]
    wb["market"].append(
        ["M1", "GROSSISTE", "Grossiste bio", "EXEMPLE-P1", "AB", "1,35 €", None, None, "500"]
    )
    wb["hubs"].append(["H1", "Plateforme", 50.44, 2.81, "2 000", None, "5 %"])
    wb["hubs"]["N2"] = 25
    producers = wb["producers"]
    hub_column = [c.value for c in producers[1]].index("hub_id") + 1
    producers.cell(row=2, column=hub_column).value = "H1"
    wb.save(book)
    scenario = Scenario.from_folder(book)
    assert scenario.market[["market_id", "labels", "price_eur_ht"]].values.tolist() == [
        ["M1", "BIO", 1.35]
    ]
    assert scenario.hubs[["hub_id", "capacity_kg_per_week", "fee_share"]].values.tolist() == [
        ["H1", 2000.0, 0.05]
    ]
    assert scenario.producers["hub_id"].tolist() == ["H1"]


def test_the_folder_above_a_scenario_names_the_one_inside(tmp_path: Path) -> None:
    """A person gives the folder they unzipped, whose scenario is one level down: one error
    naming it, not a missing file per table."""
    shutil.copytree(VARIANTS / "reference", tmp_path / "territoire 2026")
    (tmp_path / "notes").mkdir()
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(tmp_path)
    assert said(caught.value.problems) == [
        [
            "scenario",
            None,
            None,
            "no scenario here; the folder inside holding one: territoire 2026",
        ]
    ]
