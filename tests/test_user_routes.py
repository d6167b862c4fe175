"""Routes a new user takes: unknown ids, menus on a territory's own products, warnings that
name their rows, bad options and files, and the command line's edge (never a traceback)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from factories import (
    fail_on_call,
    snapshot,
    tiny_distances,
    tiny_frames,
    tiny_groups,
    tiny_hubs,
)

from rhd_match import OptionError, Scenario, ScenarioError
from rhd_match.analysis.menus import (
    default_primary_menu,
    menu_demand,
    services_from_scenario,
    territory_menu,
)
from rhd_match.analysis.whatif import (
    change_radius,
    compare,
    convert_to_organic,
    raise_budget,
    remove_producer,
)
from rhd_match.cli import main as cli_module
from rhd_match.cli.main import EXIT_INTERNAL_ERROR, EXIT_USER_ERROR, main
from rhd_match.i18n import use_language

#: The validation messages read here are the English source strings.
pytestmark = pytest.mark.usefixtures("english_messages")

# -- unknown ids ------------------------------------------------------------------------------


def test_unknown_ids_in_whatif_variants_are_errors_naming_id_and_table(
    tiny_scenario: Scenario,
) -> None:
    variants = [
        remove_producer("P99"),
        convert_to_organic(["FARM_A", "P98"]),
        raise_budget(1.1, canteen_ids="C404"),
        change_radius(factor=2, producer_ids="P97"),
    ]
    with pytest.raises(ScenarioError) as caught:
        compare(tiny_scenario, variants)
    found = {(p.table, p.column, p.message.split("'")[1]) for p in caught.value.problems}
    assert found == {
        ("producers", "producer_id", "P99"),
        ("producers", "producer_id", "P98"),
        ("producers", "producer_id", "P97"),
        ("canteens", "canteen_id", "C404"),
    }
    # Known ids still change the scenario.
    removed = remove_producer("FARM_B").apply(tiny_scenario)
    assert list(removed.producers["producer_id"]) == ["FARM_A"]


def test_cli_whatif_with_unknown_ids_exits_2_before_solving(
    good_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "whatif"
    code = main(
        [
            "whatif",
            str(good_folder),
            "--out",
            str(out),
            "--organic",
            "P99",
            "--remove-producer",
            "P98",
        ]
    )
    assert code == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert "producers, column 'producer_id': no producer_id 'P99'" in err
    assert "no producer_id 'P98'" in err
    assert not out.exists()


def test_menus_with_unknown_canteen_is_an_error(tiny_scenario: Scenario) -> None:
    with pytest.raises(ScenarioError, match="no canteen_id 'C404'"):
        services_from_scenario(tiny_scenario, canteen_ids=["LENS_1", "C404"])


def test_cli_options_out_of_range_are_refused_by_the_parser(
    good_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = [
        ["solve", str(good_folder), "--time-limit", "0"],
        ["report", str(good_folder), "--out", str(tmp_path / "r"), "--time-limit", "-1"],
        ["whatif", str(good_folder), "--out", str(tmp_path / "w"), "--threads", "0"],
        ["tradeoff", str(good_folder), "--out", str(tmp_path / "t"), "--points", "1"],
        ["bottlenecks", str(good_folder), "--out", str(tmp_path / "b"), "--verify-top", "-2"],
    ]
    for argv in runs:
        with pytest.raises(SystemExit) as caught:
            main(argv)
        assert caught.value.code == 2, argv
        err = capsys.readouterr().err
        assert "must be" in err and "Traceback" not in err, argv
    assert not any((tmp_path / name).exists() for name in "rwtb")


# -- bad options from the API -----------------------------------------------------------------


def test_solver_options_errors_say_every_problem(tiny_scenario: Scenario) -> None:
    with pytest.raises(OptionError, match="time_limit: unknown name") as caught:
        tiny_scenario.solve(time_limit=5)
    assert "did you mean 'time_limit_s'" in str(caught.value)
    with pytest.raises(OptionError) as caught:
        tiny_scenario.solve(time_limit_s=-1, threads=0)
    assert caught.value.problems == ["time_limit_s: -1 must be > 0", "threads: 0 must be ≥ 1"]


# -- missing files and lock files -------------------------------------------------------------


def test_missing_siret_file_is_one_line_before_solving(
    good_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "macantine"
    missing = tmp_path / "territory" / "sirets.csv"
    with pytest.raises(SystemExit) as caught:
        main(["export", str(good_folder), "--out", str(out), "--siret-file", str(missing)])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert f"'{missing}' does not exist" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_excel_lock_file_beside_the_workbook_is_ignored(tmp_path: Path) -> None:
    Scenario.from_frames(**tiny_frames()).to_folder(tmp_path, fmt="xlsx")
    # What Excel leaves while the workbook is open: a small file that is not a workbook.
    (tmp_path / "~$scenario.xlsx").write_bytes(b"\x08user name" + bytes(150))
    scenario = Scenario.from_folder(tmp_path)
    assert len(scenario.canteens) == 2
    with pytest.raises(
        ScenarioError, match=r"lock file of an open workbook; give 'scenario\.xlsx'"
    ):
        Scenario.from_folder(tmp_path / "~$scenario.xlsx")


# -- warnings name their rows ------------------------------------------------------------------


def test_swapped_coordinates_are_flagged_at_their_row(tmp_path: Path) -> None:
    frames = tiny_frames()
    frames["canteens"].loc[1, ["lat", "lon"]] = [2.778, 50.423]  # LIEVIN_1, row 3
    Scenario.from_frames(**frames).to_folder(tmp_path)
    scenario = Scenario.from_folder(tmp_path)
    file = str(tmp_path / "canteens.csv")
    where = {(w.file, w.row, w.column): w.message for w in scenario.warnings}
    far = where[(file, 3, "lat")]
    assert "canteen 'LIEVIN_1'" in far and "latitude and longitude look swapped" in far
    lonely = where[(file, 3, "canteen_id")]
    assert "canteen 'LIEVIN_1': no offer within any producer's delivery radius" in lonely
    # Only LIEVIN_1 is named: LENS_1 and the producers are where they should be.
    assert {w.row for w in scenario.warnings} == {3}


def test_a_producer_far_from_the_others_is_flagged(tiny_scenario: Scenario) -> None:
    frames = tiny_frames()
    frames["producers"].loc[0, "lat"] = 45.53  # a digit slip: 555 km south, still in France
    scenario = Scenario.from_frames(**frames)
    far = [w for w in scenario.warnings if w.column == "lat"]
    assert [(w.table, w.row) for w in far] == [("producers", 2)]
    assert "producer 'FARM_A'" in far[0].message
    assert "check the coordinates" in far[0].message
    assert not tiny_scenario.warnings


def test_cli_shows_scenario_warnings_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frames = tiny_frames()
    frames["canteens"].loc[1, ["lat", "lon"]] = [2.778, 50.423]
    Scenario.from_frames(**frames).to_folder(tmp_path / "t")
    assert main(["menus", str(tmp_path / "t"), "--out", str(tmp_path / "m")]) == 0
    err = capsys.readouterr().err
    assert f"warning: {tmp_path / 't' / 'canteens.csv'}, row 3, column 'lat'" in err


# -- menus on a territory's own products --------------------------------------------------------


def _french_frames() -> dict[str, pd.DataFrame]:
    """The tiny territory with French product ids and names, as a chamber would type them; one
    product (milk) is on no menu; LIEVIN_1 serves in week 4 only."""
    frames = tiny_frames()
    ids = {"BEEF": "boeuf", "APPLE": "pdt", "YOGURT": "yaourt"}
    products = frames["products"].assign(
        product_id=["boeuf", "pdt", "yaourt"],
        name=["Boeuf du Boulonnais", "Pommes de terre", "Yaourt nature 125 g"],
        family=["VIANDES_VOLAILLES", "FRUITS_ET_LEGUMES", "PRODUITS_LAITIERS"],
    )
    milk = {
        "product_id": "lait",
        "name": "Lait demi-écrémé",
        "family": "PRODUITS_LAITIERS",
        "unit": "l",
        "kg_per_unit": 1.03,
        "reference_price_eur_ht": 0.95,
    }
    frames["products"] = pd.concat([products, pd.DataFrame([milk])], ignore_index=True)
    for name in ("offers", "demand"):
        frames[name]["product_id"] = frames[name]["product_id"].map(ids)
    demand = frames["demand"]
    frames["demand"] = demand[
        ~((demand["canteen_id"] == "LIEVIN_1") & (demand["week"] < "2026-W04"))
    ]
    return frames


def test_territory_menu_places_products_by_catalogue_then_family() -> None:
    scenario = Scenario.from_frames(**_french_frames())
    menu = territory_menu(scenario)
    placed = menu.products.set_index("product_id")
    assert placed.loc["pdt", ["catalogue_id", "matched_by", "roles"]].tolist() == [
        "potato",
        "name",
        "starchy",
    ]
    assert placed.loc["yaourt", ["catalogue_id", "matched_by"]].tolist() == ["yogurt", "id"]
    # "Boeuf du Boulonnais" is no catalogue name: its family makes it a meat main.
    assert placed.loc["boeuf", ["matched_by", "roles"]].tolist() == ["family", "meat"]
    # Milk is a catalogue product that the school menu does not serve.
    assert placed.loc["lait", ["catalogue_id", "roles"]].tolist() == ["milk", ""]
    assert "seasonal fruit" in menu.missing
    used = {k for week in menu.plan.cycle for day in week for c in day for k in c.options}
    assert used == {"pdt", "yaourt", "boeuf"}
    # A role given overrides the catalogue.
    given = territory_menu(scenario, roles={"lait": "dairy"})
    assert given.products.set_index("product_id").loc["lait", "matched_by"] == "given"
    # Roles are the call's option, not the scenario's data: both wrongs said at once.
    with pytest.raises(OptionError) as caught:
        territory_menu(scenario, roles={"nope": "dairy", "lait": "soup"})
    assert [p.split(":")[0:2] for p in caught.value.problems] == [
        ["roles", " no product_id 'nope' in the scenario's products"],
        ["roles", " 'lait'"],
    ]
    assert "unknown menu role 'soup' (roles: " in caught.value.problems[1]
    with use_language("fr"), pytest.raises(OptionError) as caught:
        territory_menu(scenario, roles={"lait": "soup"})
    assert "rôle de menu inconnu « soup »" in caught.value.problems[0]


def test_menu_demand_follows_each_canteens_service_weeks() -> None:
    scenario = Scenario.from_frames(**_french_frames())
    services = services_from_scenario(scenario)
    assert {s.canteen_id: s.weeks for s in services} == {
        "LENS_1": ("2026-W03", "2026-W04"),
        "LIEVIN_1": ("2026-W04",),
    }
    demand = menu_demand(territory_menu(scenario).plan, services, scenario).demand
    weeks = demand.groupby("canteen_id")["week"].unique().map(sorted).to_dict()
    assert weeks == {"LENS_1": ["2026-W03", "2026-W04"], "LIEVIN_1": ["2026-W04"]}
    # A valid demand table of the same territory.
    rebuilt = Scenario.from_frames(**(scenario.tables | {"demand": demand}))
    assert set(rebuilt.demand["product_id"]) == {"pdt", "yaourt", "boeuf"}


def test_territory_menu_of_the_demo_is_the_default_menu(demo: Scenario) -> None:
    assert territory_menu(demo).plan == default_primary_menu()


@pytest.fixture(scope="module")
def demo() -> Scenario:
    return Scenario.demo()


def test_cli_menus_on_a_territory_with_its_own_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Scenario.from_frames(**_french_frames()).to_folder(tmp_path / "t")
    out = tmp_path / "menus"
    assert main(["menus", str(tmp_path / "t"), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "not on the menu: lait" in text
    demand = pd.read_csv(out / "demand.csv")
    assert set(demand["product_id"]) == {"pdt", "yaourt", "boeuf"}
    assert sorted(demand.loc[demand["canteen_id"] == "LIEVIN_1", "week"].unique()) == ["2026-W04"]
    roles = pd.read_csv(out / "menu_products.csv", keep_default_na=False)
    assert roles.set_index("product_id").loc["boeuf", "roles"] == "meat"


def test_cli_menus_on_the_demo_keeps_a_schools_holidays(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], demo: Scenario
) -> None:
    school = "C001"
    served = demo.demand.loc[demo.demand["canteen_id"] == school, "week"].unique()
    assert len(served) < 52  # a school: no meals in the summer holidays
    out = tmp_path / "menus"
    assert main(["menus", "--demo", "--canteens", school, "--out", str(out), "--quiet"]) == 0
    demand = pd.read_csv(out / "demand.csv")
    assert sorted(demand["week"].unique()) == sorted(served)


# -- the command line's edge -------------------------------------------------------------------


def test_python_warnings_show_as_messages(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def command(args: Any) -> int:
        warnings.warn(UserWarning("the platform refuses future dates"), stacklevel=1)
        return 0

    monkeypatch.setattr(cli_module, "cmd_demo", command)
    assert main(["demo"]) == 0
    err = capsys.readouterr().err
    assert err == "warning: the platform refuses future dates\n"


def test_unexpected_exception_is_one_line_and_a_log_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def command(args: Any) -> int:
        return {"a": 1}["b"]

    monkeypatch.setattr(cli_module, "cmd_demo", command)
    monkeypatch.setenv("RHD_MATCH_LOG_DIR", str(tmp_path / "logs"))
    assert main(["demo"]) == EXIT_INTERNAL_ERROR
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("internal error: KeyError: 'b'; details in ")
    (log,) = (tmp_path / "logs").iterdir()
    assert err.strip().endswith(str(log))
    text = log.read_text(encoding="utf-8")
    assert text.startswith("rhd-match demo\n")
    assert "Traceback (most recent call last)" in text and "KeyError: 'b'" in text


def test_unreadable_output_folder_is_a_user_error(
    good_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    # refused while reading the command line, before any work
    with pytest.raises(SystemExit) as ended:
        main(["menus", str(good_folder), "--out", str(blocker / "menus")])
    assert ended.value.code == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert "argument --out" in err and f"'{blocker}' is a file" in err


# -- duplicate and conflicting options, bad weeks, id files: one line each, exit 2 ---------------


@pytest.mark.parametrize(
    "options",
    [
        ["--organic", "FARM_A", "--organic", "FARM_A"],
        ["--remove-producer", "FARM_B", "--remove-producer", "FARM_B"],
    ],
)
def test_whatif_with_a_variant_asked_twice_is_a_user_error(
    good_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str]
) -> None:
    out = tmp_path / "w"
    assert main(["whatif", str(good_folder), "--out", str(out), *options]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert "is asked for more than once" in err and "internal error" not in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize(
    ("weeks", "said"),
    [
        ("banana", "'banana' is not an ISO week"),
        ("2026-W60", "year 2026 has weeks 01 to 53"),
        ("99", "'99' is not an ISO week"),
        ("2026-W3,2026-W03", "week '2026-W03' is given more than once"),
        ("2025-W53", "year 2025 has weeks 01 to 52"),
        ("2026-W03,2026-W03", "week '2026-W03' is given more than once"),
        ("2026-W03,", "'' is not an ISO week"),
    ],
)
def test_menus_refuses_weeks_that_are_not_iso_weeks(
    good_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], weeks: str, said: str
) -> None:
    out = tmp_path / "m"
    argv = ["menus", str(good_folder), "--out", str(out), "--weeks", weeks]
    # refused while reading the command line, as argparse refuses any option, naming it
    with pytest.raises(SystemExit) as ended:
        main(argv)
    assert ended.value.code == EXIT_USER_ERROR
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("usage: rhd-match menus")
    assert err[-1].startswith("rhd-match menus: error: argument --weeks: ") and said in err[-1]
    assert not out.exists()


def test_menus_reads_weeks_written_otherwise(good_folder: Path, tmp_path: Path) -> None:
    """``--weeks 2026-W3`` was refused, though it can mean one week only."""
    out = tmp_path / "m"
    argv = ["menus", str(good_folder), "--out", str(out), "--weeks", "2026-W3, 2026-s04"]
    assert main(argv) == 0
    assert set(pd.read_csv(out / "demand.csv")["week"]) == {"2026-W03", "2026-W04"}


def test_menus_says_how_each_product_was_matched_in_french(
    good_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The table said « reconnu par … given » in French."""
    argv = ["--lang", "fr", "menus", str(good_folder), "--out", str(tmp_path / "m")]
    assert main([*argv, "--role", "BEEF=meat"]) == 0
    out = capsys.readouterr().out
    beef = next(line for line in out.splitlines() if line.startswith("BEEF"))
    assert "--role" in beef
    assert not {"given", "family", "name"} & set(out.split())


def test_menus_warns_of_weeks_outside_the_scenario(
    good_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "m"
    argv = ["menus", str(good_folder), "--out", str(out), "--weeks", "2026-W03,2027-W05"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "warning: week 2027-W05 is outside the scenario's weeks" in err
    assert set(pd.read_csv(out / "demand.csv")["week"]) == {"2026-W03", "2027-W05"}


@pytest.mark.parametrize(
    ("role", "said"),
    [
        ("beef=meat", "no product_id 'beef' in the scenario's products; did you mean 'BEEF'?"),
        ("BEEF=meet", "unknown menu role 'meet'"),
    ],
)
def test_menus_says_which_product_or_role_was_meant(
    good_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], role: str, said: str
) -> None:
    out = tmp_path / "m"
    argv = ["--lang", "en", "menus", str(good_folder), "--out", str(out), "--role", role]
    assert main(argv) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert said in err and "did you mean" in err
    assert not out.exists()


def test_menus_names_the_roles_in_french(
    good_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """« rôle de menu inconnu « poulet » (rôles : raw_vegetable_starter, …) » listed the
    English names only, and « scénario; vouliez-vous » lacked its space."""
    argv = ["--lang", "fr", "menus", str(good_folder), "--out", str(tmp_path / "m")]
    assert main([*argv, "--role", "BEEF=viandes"]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert "rôles : entree_crudites, legume, feculent, viande, poisson" in err
    assert " ; vouliez-vous dire « viande » ?" in err
    assert main([*argv, "--role", "BEEF=viande"]) == 0
    beef = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("BEEF"))
    assert beef.rstrip().endswith("viande")


@pytest.mark.parametrize("role", ["viande", "Viande", "MEAT", "Meat"])
def test_menus_takes_a_role_by_its_french_name_or_in_any_case(
    good_folder: Path, tmp_path: Path, role: str
) -> None:
    out = tmp_path / "m"
    argv = ["menus", str(good_folder), "--out", str(out), "--role", f"BEEF={role}"]
    assert main(argv) == 0
    assert "BEEF" in set(pd.read_csv(out / "demand.csv")["product_id"])


def test_menus_refuses_two_roles_for_one_product(
    good_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The last --role won silently."""
    out = tmp_path / "m"
    roles = ["--role", "BEEF=meat", "--role", "BEEF=fish", "--role", "APPLE=fruit"]
    assert main(["menus", str(good_folder), "--out", str(out), *roles]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert "--role: 'BEEF' given meat, fish: give one role per product" in err
    assert "APPLE" not in err and not out.exists()


@pytest.mark.parametrize(
    ("option", "header", "ids"),
    [
        ("--siret-file", "siret", ["12345678000014", "00123456000017"]),
        ("--id-file", "cantine_id", ["17", "42"]),
    ],
)
def test_export_refuses_an_id_file_with_unknown_or_missing_canteens(
    good_folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    option: str,
    header: str,
    ids: list[str],
) -> None:
    ids_file = tmp_path / "ids.csv"
    ids_file.write_text(f"canteen_id,{header}\nLENS_1,{ids[0]}\nLENS_99,{ids[1]}\n")
    out = tmp_path / "x"
    assert main(["export", str(good_folder), "--out", str(out), option, str(ids_file)]) == 2
    err = capsys.readouterr().err
    assert f"{ids_file}, row 3, column 'canteen_id': canteen 'LENS_99' is not in" in err
    assert f"{ids_file}, column 'canteen_id': no {header} for canteen LIEVIN_1" in err
    assert not out.exists()


def test_options_that_do_not_go_together_are_refused_as_argparse_does(
    good_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids_file = tmp_path / "ids.csv"
    ids_file.write_text("canteen_id,siret\nLENS_1,12345678000014\n")
    out = str(tmp_path / "x")
    both = ["export", str(good_folder), "--out", out, "--siret-file", str(ids_file)]
    # refused as argparse refuses options: the verb's usage and the reason, exit 2
    for argv, said in [
        ([*both, "--id-file", str(ids_file)], "argument --id-file: not allowed with argument"),
        (["export", "--out", out], "give a scenario PATH or --demo"),
        (
            ["menus", str(good_folder), "--out", out, "--canteens", "LENS_1, LENS_1"],
            "argument --canteens: canteen 'LENS_1' is given more than once",
        ),
        (["template", str(tmp_path / "t.csv")], "the template is an .xlsx workbook"),
    ]:
        with pytest.raises(SystemExit) as ended:
            main(argv)
        assert ended.value.code == EXIT_USER_ERROR
        err = capsys.readouterr().err.splitlines()
        assert err[0].startswith(f"usage: rhd-match {argv[0]}")
        assert err[-1].startswith(f"rhd-match {argv[0]}: error: ") and said in err[-1]
    assert not Path(out).exists()


def test_library_options_from_the_command_line_are_option_errors(tiny_scenario: Scenario) -> None:
    from rhd_match.analysis.bottlenecks import verify_marginal_value
    from rhd_match.analysis.tradeoff import cost_organic_tradeoff

    with pytest.raises(OptionError, match="n_points=1: must be at least 2"):
        cost_organic_tradeoff(tiny_scenario, n_points=1)
    with pytest.raises(OptionError, match="no demand row for LENS_99, BEEF, 2026-W03"):
        verify_marginal_value(tiny_scenario, "LENS_99", "BEEF", "2026-W03")
    with pytest.raises(OptionError, match="canteen 'LENS_1' is given more than once"):
        services_from_scenario(tiny_scenario, canteen_ids=["LENS_1", "LENS_1"])


# -- decision verbs write all or nothing ------------------------------------------------------

#: Each decision verb, its options, and which of its CSV writes fails in the second run (the
#: last one: the others were already written in the temporary folder).
DECISION_RUNS = {
    "menus": ([], 3),
    "bottlenecks": (["--verify-top", "0"], 3),
    "tradeoff": (["--points", "2"], 1),
    "whatif": (["--budget-factor", "1.2"], 1),
}


@pytest.mark.parametrize("verb", list(DECISION_RUNS))
def test_decision_verb_failing_write_leaves_the_old_files(
    verb: str, good_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options, failing = DECISION_RUNS[verb]
    out = tmp_path / "out"
    command = [verb, str(good_folder), "--out", str(out), *options]
    assert main(command) == 0
    before = snapshot(out)
    assert len([name for name in before if name.endswith(".csv")]) == max(failing, 1)
    calls = fail_on_call(monkeypatch, "to_csv", failing)
    assert main(command) == EXIT_USER_ERROR
    assert len(calls) == failing  # the failure came at the last file
    assert snapshot(out) == before  # no file changed, no partial file, no staging folder


# -- scenarios derived by removing places -----------------------------------------------------


def test_places_removed_take_their_road_distances_with_them() -> None:
    """Removing a producer (what-if) or the hubs (``rhd-match hubs``' plan without them)
    drops the distances rows naming it, which would otherwise name an unknown place."""
    from rhd_match.analysis.hub_value import without_hubs

    scenario = Scenario.from_frames(**tiny_frames(), hubs=tiny_hubs(), distances=tiny_distances())
    direct = without_hubs(scenario)
    assert direct.hubs.empty
    assert direct.distances.to_dict("records") == []  # both rows name HUB_LENS
    removed = remove_producer("FARM_A").apply(scenario)
    assert list(removed.distances["from_id"]) == ["HUB_LENS"]
    kept = remove_producer("FARM_B").apply(scenario)
    assert kept.distances.equals(scenario.distances)


def test_hubs_on_a_scenario_without_hub_is_refused_before_any_solve(
    good_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It solved the scenario twice and showed two identical columns, without a word."""
    out = tmp_path / "h"
    assert main(["--lang", "en", "hubs", str(good_folder), "--out", str(out)]) == EXIT_USER_ERROR
    assert "the scenario has no hub" in capsys.readouterr().err
    assert not out.exists()


def test_hub_value_prices_a_group_demand_as_the_plan_does() -> None:
    """``rhd-match hubs`` on a scenario with a group (a menu's choice): its extra cost is the
    one the plan's summary gives, the group's products as chosen counted at reference price."""
    from rhd_match.analysis.hub_value import hub_value

    frames = tiny_frames()
    frames["demand"].loc[1, ["product_id", "qty"]] = ["DESSERT", 200.0]  # portions
    scenario = Scenario.from_frames(**frames, groups=tiny_groups(), hubs=tiny_hubs())
    table = hub_value(scenario, time_limit_s=30)
    plan = scenario.solve(time_limit_s=30)
    assert table.loc["extra_cost_eur_ht", "with_hubs"] == pytest.approx(
        plan.summary.loc[0, "extra_cost_eur_ht"]
    )


def test_an_extra_budget_per_meal_counts_a_group_demand_at_its_cheapest() -> None:
    """``tradeoff --budgets-per-meal``: today's cost includes a menu's choice (a group),
    bought conventionally in its cheapest allowed mix; at 0 extra the all-conventional
    purchase fits every budget, so a plan exists."""
    from rhd_match.analysis.compliance import compliance_curve, with_extra_budget_per_meal

    frames = tiny_frames()
    # LENS_1's apples in week 3 become 200 dessert portions: apples only that week (yogurt
    # from week 4), 0.15 kg each at 1.80 EUR/kg reference.
    frames["demand"].loc[1, ["product_id", "qty"]] = ["DESSERT", 200.0]
    scenario = Scenario.from_frames(**frames, groups=tiny_groups())
    budgets = with_extra_budget_per_meal(scenario, 0.0).canteens.set_index("canteen_id")
    beef, dessert, yogurt = 12 * 11.5, 200 * 0.15 * 1.8, 180 * 0.32
    assert budgets.loc["LENS_1", "budget_eur_ht"] == pytest.approx(beef + dessert + yogurt)
    assert compliance_curve(scenario, [0.0]).loc[0, "status"] != "infeasible"


def test_progress_names_the_objective_levels_in_french(tiny_scenario: Scenario) -> None:
    """The live display (``log``) says each level of the objective in the user's language,
    not by its id (``(cost)``, ``(egalim)``)."""

    lines: list[str] = []
    with use_language("fr"):
        tiny_scenario.solve(strategy="mip", time_limit_s=30, log=lambda m: lines.append(m.message))
    levels = [line for line in lines if line.startswith("niveau ")]
    assert len(levels) >= 3
    named = {line.split("(")[1].split(")")[0] for line in levels}
    assert named == {"objectifs EGalim", "produits locaux", "coût"}, levels


def test_bottlenecks_whose_relaxation_runs_out_of_time_say_so(
    good_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On the demo the whole-model LP takes GLOP more than the default 60 s: one line saying
    to give more time, exit 2, no file; not an internal error."""
    out = tmp_path / "bottlenecks"
    argv = ["bottlenecks", str(good_folder), "--out", str(out), "--time-limit", "0.000001"]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == EXIT_USER_ERROR, err
    assert "--time-limit" in err and "Traceback" not in err
    assert not out.exists()


def test_a_count_in_a_message_has_the_language_s_digit_groups() -> None:
    """``rhd-match export --demo``'s future dates: "3 134 lignes" in French, as every figure."""
    import datetime as dt

    from rhd_match.i18n import use_language
    from rhd_match.macantine.export import _check_future

    dates = pd.Series(pd.to_datetime(["2026-12-07"] * 3134))
    with use_language("fr"), pytest.warns(UserWarning) as caught:
        _check_future(dates, pd.Series(["C001"] * 3134), dt.date(2026, 11, 30), "warn")
    assert str(caught[0].message).startswith("3\u202f134 lignes d’achat")


def test_purchase_lines_dated_after_the_export_on_one_day_name_it_once() -> None:
    """« (2026-12-07 à 2026-12-07) » for lines all dated the same day."""
    import datetime as dt

    from rhd_match.macantine.export import _check_future

    dates = pd.Series(pd.to_datetime(["2026-12-07", "2026-12-07", "2026-11-02"]))
    with use_language("fr"), pytest.warns(UserWarning) as caught:
        _check_future(dates, pd.Series(["C001"] * 3), dt.date(2026, 11, 30), "warn")
    said = str(caught[0].message)
    assert said.startswith("2 lignes d’achat datées après le 2026-11-30 (2026-12-07) : "), said


def test_check_purchases_says_each_refusal_once_in_french(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo's purchase file (50,000 lines with the project's canteen ids, some dated
    after today) gave one line per row, some in English: one line per refusal, its rows as
    ranges, in French."""
    from rhd_match.i18n import use_language

    line = "C001,Pommes,Fournisseur,{date},100.00,FRUITS_ET_LEGUMES,,,,,,\n"
    header = (
        "cantine_id,description,fournisseur,date,prix_ht,famille_produits,categories_egalim,"
        "origine,est_circuit_court,est_local,definition_local,definition_local_km\n"
    )
    dates = ["2025-05-02"] * 40 + ["2999-01-04"] * 3 + ["2025-05-02"] + ["2999-01-04"]
    path = tmp_path / "achats.csv"
    path.write_text(header + "".join(line.format(date=d) for d in dates), encoding="utf-8")
    with use_language("fr"):
        assert main(["check-purchases", str(path), "--lang", "fr"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) <= 5, out
    said = "\n".join(out)
    assert "lignes 2 à 46, colonne cantine_id" in said
    assert "lignes 42 à 44 et 46, colonne date" in said
    assert "upload day" not in said


def test_the_template_s_example_rows_left_in_are_named(tmp_path: Path) -> None:
    """A workbook from ``rhd-match template`` whose example rows were neither deleted nor
    written over: planned like the rest, with a warning at each such row."""
    from rhd_match.inputs.template import write_template

    path = tmp_path / "territoire.xlsx"
    write_template(path, year=2026)
    scenario = Scenario.from_folder(path)
    left = [(w.table, w.row, w.column) for w in scenario.warnings if "EXEMPLE-" in w.message]
    assert left == [
        ("products", 2, "product_id"),
        ("canteens", 2, "canteen_id"),
        ("producers", 2, "producer_id"),
    ]
    typed_over = Scenario.from_frames(**tiny_frames())
    assert not [w for w in typed_over.warnings if "EXEMPLE-" in w.message]


def test_export_checks_the_plan_it_writes_as_solve_does(
    good_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The ma cantine files come from a plan the independent checker has recomputed (exit 1 on
    a violation, as ``solve`` and ``report``)."""
    assert main(["export", str(good_folder), "--out", str(tmp_path / "mc"), "--quiet"]) == 0
    assert "checker: the plan meets every constraint" in capsys.readouterr().out
