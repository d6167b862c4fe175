"""The ``rhd-match validate`` command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import tiny_frames, tiny_market

from rhd_match import Scenario
from rhd_match.cli.main import main


def test_validate_good_folder_returns_0(
    good_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(good_folder)]) == 0
    out, err = capsys.readouterr()
    assert "ok: 3 products, 2 canteens, 2 producers, 6 offer rows, 7 demand rows" in out
    assert "error" not in out + err


def test_validate_says_which_optional_tables_were_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each optional table by name: its rows when read, "absent" when not given."""
    Scenario.from_frames(**tiny_frames(), market=tiny_market()).to_folder(tmp_path / "s")
    assert main(["validate", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == (
        "optional tables: market (3 rows), groups (absent), hubs (absent), distances (absent)"
    )
    assert main(["--lang", "fr", "validate", str(tmp_path / "s")]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "tables facultatives : market (3 lignes), groups (absente), hubs (absente), "
        "distances (absente)"
    )


@pytest.mark.parametrize(
    ("column", "ids", "said"),
    [
        ("macantine_id", ["123", "abc"], "'abc' is not a ma cantine canteen id"),
        ("siret", ["21620498000017", ""], "given for 1 canteen of 2; missing for LIEVIN_1"),
    ],
)
def test_validate_warns_of_ids_the_export_will_refuse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], column: str, ids: list[str], said: str
) -> None:
    """validate said « valide », then export refused the same scenario after its solve."""
    frames = tiny_frames()
    frames["canteens"][column] = ids
    Scenario.from_frames(**frames).to_folder(tmp_path / "s")
    assert main(["--lang", "en", "validate", str(tmp_path / "s")]) == 0
    warned = [line for line in capsys.readouterr().out.splitlines() if "export" in line]
    assert len(warned) == 1 and said in warned[0]
    assert f"column '{column}'" in warned[0]


def test_validate_broken_folder_returns_2_and_lists_problems(
    good_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    offers = good_folder / "offers.csv"
    lines = offers.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("2026-W04", "2026-W99")  # row 3
    offers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (good_folder / "producers.csv").unlink()

    assert main(["validate", str(good_folder)]) == 2
    out, err = capsys.readouterr()
    assert "ok:" not in out
    assert "2 problems in the scenario" in err
    assert f"{offers}, row 3, column 'week'" in err
    assert "2026-W99" in err
    assert f"{good_folder / 'producers.csv'}: file is missing" in err


def test_validate_prints_warnings_and_returns_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frames = tiny_frames()
    frames["offers"].loc[4, "labels"] = "FERMIER"  # farm label on apples: allowed, but odd
    Scenario.from_frames(**frames).to_folder(tmp_path)
    assert main(["validate", str(tmp_path)]) == 0
    out, _ = capsys.readouterr()
    assert f"warning: {tmp_path / 'offers.csv'}, row 6, column 'labels'" in out
    assert "ok: 3 products" in out


def test_a_missing_path_is_a_problem_of_the_scenario_in_french(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """« erreur : scenario : … n’existe pas »: the English word in a French line."""
    assert main(["--lang", "fr", "validate", str(tmp_path / "nope")]) == 2
    assert f"erreur : scénario : « {tmp_path / 'nope'} » n’existe pas" in capsys.readouterr().err


def test_validate_missing_path_returns_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_validate_without_path_is_a_user_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        main(["validate"])
    assert ended.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("usage: rhd-match validate")
    assert err[-1] == "rhd-match validate: error: give a scenario PATH or --demo"


@pytest.mark.parametrize("verb", ["validate", "solve", "report"])
def test_a_path_and_demo_together_are_refused(
    verb: str, good_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``solve MY_FOLDER --demo`` solved the demo into the user's folder, PATH unsaid."""
    out = tmp_path / "out"
    argv = [verb, str(good_folder), "--demo", "--lang", "en"]
    with pytest.raises(SystemExit) as ended:
        main(argv if verb == "validate" else [*argv, "--out", str(out)])
    assert ended.value.code == 2
    assert "not both" in capsys.readouterr().err.splitlines()[-1]
    assert not out.exists()


def test_validate_help_exits_0_with_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["validate", "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: rhd-match validate")
    assert "--demo" in out
    assert "scenario folder or .xlsx workbook" in out


def test_report_refuses_a_bad_communes_file_before_solving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "communes.geojson"
    bad.write_text('{"type": "Feature"}', encoding="utf-8")
    out = tmp_path / "out"
    assert main(["report", "--demo", "--out", str(out), "--communes", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "communes.geojson" in err and "GeoJSON" in err
    assert not out.exists()


@pytest.mark.parametrize(
    "verb",
    [
        ["validate"],
        ["solve", "--out", "OUT"],
        ["report", "--out", "OUT"],
        ["export", "--out", "OUT"],
        ["tours", "--out", "OUT"],
        ["whatif", "--out", "OUT"],
        ["tradeoff", "--out", "OUT"],
        ["hubs", "--out", "OUT"],
        ["bottlenecks", "--out", "OUT"],
        ["menus", "--out", "OUT"],
    ],
)
def test_a_failed_read_prints_its_warnings_with_its_errors(
    good_folder: Path, tmp_path: Path, verb: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Every problem at once: row 2's warning is said before row 3's error is fixed."""
    canteens = good_folder / "canteens.csv"
    rows = canteens.read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace("62498,,", "62498,1234567800015,")  # a SIRET's leading 0 lost
    rows[2] = rows[2].replace(",420.0,", ",-420.0,")
    canteens.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    args = [str(out) if a == "OUT" else a for a in verb]
    assert main(["--lang", "en", args[0], str(good_folder), *args[1:]]) == 2
    err = capsys.readouterr().err
    assert f"warning: {canteens}, row 2, column 'siret': '1234567800015' read as " in err
    assert f"error: {canteens}, row 3, column 'meals_per_day': -420 must be ≥ 0" in err
    assert not out.exists()


@pytest.mark.parametrize("verb", ["solve", "export", "report", "tours"])
def test_out_in_the_scenarios_folder_is_refused_before_solving(
    verb: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The results' canteens.csv and producers.csv would replace the scenario's own tables
    (a new user lost their coordinates, budgets and targets so)."""
    folder = tmp_path / "territoire"
    Scenario.from_frames(**tiny_frames()).to_folder(folder)
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    with pytest.raises(SystemExit) as ended:
        main(["--lang", "fr", verb, str(folder), "--out", str(folder / "." / "")])
    assert ended.value.code == 2
    assert "est le dossier du scénario" in capsys.readouterr().err
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before


def test_out_beside_a_scenario_workbook_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    written = Scenario.from_frames(**tiny_frames()).to_folder(tmp_path, fmt="xlsx")
    (workbook,) = [path for path in written if path.suffix == ".xlsx"]
    with pytest.raises(SystemExit) as ended:
        main(["solve", str(workbook), "--out", str(tmp_path)])
    assert ended.value.code == 2
    assert "is the scenario's folder" in capsys.readouterr().err
    assert sorted(tmp_path.iterdir()) == sorted(written)


def test_an_empty_out_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        main(["solve", "--demo", "--out", ""])
    assert ended.value.code == 2
    assert "an empty folder name" in capsys.readouterr().err


def test_the_template_never_replaces_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filled = tmp_path / "territoire.xlsx"
    filled.write_bytes(b"a filled workbook")
    with pytest.raises(SystemExit) as ended:
        main(["--lang", "fr", "template", str(filled)])
    assert ended.value.code == 2
    assert "existe" in capsys.readouterr().err
    assert filled.read_bytes() == b"a filled workbook"


def test_a_template_year_past_the_calendar_is_an_argument_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as ended:
        main(["template", str(tmp_path / "t.xlsx"), "--year", "10000"])
    assert ended.value.code == 2
    assert "'10000' must be at most 9998" in capsys.readouterr().err
    assert not (tmp_path / "t.xlsx").exists()


@pytest.mark.parametrize(
    ("sirets", "said"),
    [
        # A wrong Luhn key: said after the solve, in a table « ids » the user never wrote.
        (["21590001200018", "21590001200019"], "canteens, column 'siret'"),
        # A half-filled column: said to be no ids at all, "give a siret column".
        (["21590001200018", ""], "missing for LIEVIN_1"),
    ],
)
def test_export_checks_the_canteens_ids_before_solving(
    sirets: list[str], said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frames = tiny_frames()
    frames["canteens"] = frames["canteens"].assign(siret=sirets)
    Scenario.from_frames(**frames).to_folder(tmp_path / "s")
    out = tmp_path / "out"
    assert main(["export", str(tmp_path / "s"), "--out", str(out)]) == 2
    printed = capsys.readouterr()
    assert said in printed.err
    assert "plan" not in printed.out  # nothing solved
    assert not out.exists()


def test_a_bad_upload_day_says_how_to_write_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """argparse named the parsing function (« valeur <lambda> invalide »)."""
    purchases = tmp_path / "achats.csv"
    purchases.write_text("x\n", encoding="utf-8")
    with pytest.raises(SystemExit) as ended:
        main(["--lang", "fr", "check-purchases", str(purchases), "--today", "2026-13-01"])
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert "« 2026-13-01 » n’est pas une date écrite AAAA-MM-JJ" in err
    assert "lambda" not in err
