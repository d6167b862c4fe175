"""Numbers no territory writes: a value above its column's ceiling, a purchase line worth
more than a billion euros, a time limit, factor or share typed out of range. Each is told
where it was written (file, row, column, or the option), before any solve; a plan at the
ceilings solves and checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import tiny_frames
from test_cli_routes import SMALL

from rhd_match import OptionError, Scenario, ScenarioError, check
from rhd_match.cli.main import main
from rhd_match.i18n import use_language
from rhd_match.inputs.magnitudes import MAX_LINE_VALUE_EUR_HT
from rhd_match.inputs.schema import CEILINGS, TABLES
from rhd_match.params import MAX_TIME_LIMIT_S

pytestmark = pytest.mark.usefixtures("english_messages")


def demand_file(tmp_path: Path, qty: str) -> Path:
    """The tiny scenario as CSV files, the first demand row's quantity written ``qty``."""
    folder = tmp_path / "scenario"
    Scenario.from_frames(**tiny_frames()).to_folder(folder)
    path = folder / "demand.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("qty")] = qty
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("qty", ["1e12", "1e300", "10000001"])
def test_a_quantity_above_its_ceiling_is_an_error_at_its_cell(tmp_path: Path, qty: str) -> None:
    folder = demand_file(tmp_path, qty)
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(folder)
    [problem] = caught.value.problems
    assert (problem.table, problem.row, problem.column) == ("demand", 2, "qty")
    assert problem.file == str(folder / "demand.csv")
    assert "above 10,000,000" in problem.message and "exponent" in problem.message


@pytest.mark.parametrize("qty", ["\u0663\u0660", "\u0663\u0660.5", "\uff13\uff10"])
def test_digits_of_other_scripts_are_no_number(tmp_path: Path, qty: str) -> None:
    """Arabic-Indic and full-width digits were read as 30 (Python's float takes them)."""
    folder = demand_file(tmp_path, qty)
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(folder)
    [problem] = caught.value.problems
    assert (problem.table, problem.row, problem.column) == ("demand", 2, "qty")
    assert "not a number" in problem.message


def test_the_ceiling_speaks_french(tmp_path: Path) -> None:
    folder = demand_file(tmp_path, "1e12")
    with use_language("fr"), pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(folder)
    assert "dépasse 10\u202f000\u202f000" in caught.value.problems[0].message


@pytest.mark.parametrize(
    ("qty", "shown"), [("1e12", "1\u202f000\u202f000\u202f000\u202f000"), ("1e300", "1E300")]
)
def test_the_value_is_quoted_back_in_french_figures(tmp_path: Path, qty: str, shown: str) -> None:
    """« 1e+12 dépasse 10 000 000 » mixed two ways of writing numbers in one message."""
    folder = demand_file(tmp_path, qty)
    with use_language("fr"), pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(folder)
    message = caught.value.problems[0].message
    assert message.startswith(shown + " ") and "e+" not in message


def test_a_french_line_value_is_written_in_full() -> None:
    frames = tiny_frames()
    frames["products"].loc[0, "reference_price_eur_ht"] = 1e5
    frames["demand"].loc[frames["demand"]["product_id"] == "BEEF", "qty"] = 2e4
    with use_language("fr"), pytest.raises(ScenarioError) as caught:
        Scenario.from_frames(**frames)
    message = next(p.message for p in caught.value.problems if p.table == "demand")
    assert "valent 2\u202f000\u202f000\u202f000" in message and "e+" not in message


def test_every_number_column_has_a_largest_value() -> None:
    numbers = [c for t in TABLES.values() for c in t.columns if c.kind in ("float", "int")]
    assert numbers and all(c.maximum is not None for c in numbers)
    assert {c.unit for c in numbers if c.maximum == CEILINGS.get(c.unit)} == set(CEILINGS)


def test_a_line_worth_more_than_a_billion_is_an_error_naming_its_value() -> None:
    frames = tiny_frames()
    frames["products"].loc[0, "reference_price_eur_ht"] = 1e5  # BEEF, within its ceiling
    frames["demand"].loc[frames["demand"]["product_id"] == "BEEF", "qty"] = 2e4  # 2e9 EUR
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_frames(**frames)
    problems = [p for p in caught.value.problems if p.table == "demand"]
    assert problems and all(p.column == "qty" for p in problems)
    assert "is worth 2,000,000,000, above 1,000,000,000 EUR excl. VAT" in problems[0].message


def test_a_plan_at_the_ceilings_solves_and_checks() -> None:
    """A demand line at the largest quantity, priced so that it is worth the largest line
    value: the solver's arithmetic holds there (1e11 EUR HT lines broke HiGHS)."""
    frames = tiny_frames()
    beef = frames["demand"]["product_id"] == "BEEF"
    frames["demand"].loc[beef, "qty"] = CEILINGS["product unit"]
    frames["products"].loc[0, "reference_price_eur_ht"] = (
        MAX_LINE_VALUE_EUR_HT / CEILINGS["product unit"]
    )
    scenario = Scenario.from_frames(**frames)
    for strategy in ("mip", "decompose"):
        solution = scenario.solve(strategy=strategy)
        assert solution.summary.iloc[0]["status"] in ("optimal", "feasible")
        assert check(scenario, solution).empty


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["solve", "--time-limit", "1e308"], "--time-limit"),
        (["solve", "--time-limit", "0"], "--time-limit"),
        (["solve", "--memory-limit-gb", "1e308"], "--memory-limit-gb"),
        (["solve", "--threads", "100000"], "--threads"),
        (["whatif", "--budget-factor", "1e308"], "--budget-factor"),
        (["whatif", "--organic-price-factor", "1e308"], "--organic-price-factor"),
        (["whatif", "--radius-factor", "101"], "--radius-factor"),
        (["whatif", "--organic-target", "1.5"], "--organic-target"),
        (["whatif", "--quality-target", "abc"], "--quality-target"),
        (["tradeoff", "--budgets-per-meal", "0,1e308"], "--budgets-per-meal"),
        # What Python's float() and int() take and nobody means: they were read.
        (["solve", "--time-limit", "1e-320"], "--time-limit"),
        (["solve", "--time-limit", "inf"], "--time-limit"),
        (["solve", "--time-limit", "\u0663\u0660"], "--time-limit"),
        (["solve", "--time-limit", "3_0"], "--time-limit"),
        (["solve", "--threads", "\u0662"], "--threads"),
        (["solve", "--threads", "1_0"], "--threads"),
        (["tradeoff", "--budgets-per-meal", "0,nan"], "--budgets-per-meal"),
        (["tradeoff", "--budgets-per-meal", "0,\u0661"], "--budgets-per-meal"),
    ],
)
def test_an_option_out_of_range_is_refused_before_any_solve(
    args: list[str], option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    verb, *rest = args
    with pytest.raises(SystemExit) as ended:
        main(["--lang", "en", verb, str(SMALL), *rest, "--out", str(tmp_path / "out")])
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}" in err
    assert "Traceback" not in err and "RuntimeWarning" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("written", ["0,3", "0.3", "30 %", "30%"])
def test_a_target_may_be_written_as_people_write_shares(written: str) -> None:
    from rhd_match.cli.common import fraction

    assert fraction(written) == pytest.approx(0.3)


def test_the_library_refuses_the_same_time_limit() -> None:
    scenario = Scenario.from_frames(**tiny_frames())
    with pytest.raises(OptionError):
        scenario.solve(time_limit_s=MAX_TIME_LIMIT_S * 2)


def test_a_group_line_is_valued_at_its_dearest_product_converted() -> None:
    """A demand row naming a group: 1e6 portions × 1,000 pots each × 0.32 EUR a pot is
    3.2e8 EUR, within; × 10,000 pots, 3.2e9 EUR: an error (it passed, then stopped HiGHS)."""
    from factories import tiny_groups

    for conversion, refused in ((1_000.0, False), (10_000.0, True)):
        frames = tiny_frames()
        groups = tiny_groups()
        groups.loc[groups["product_id"] == "YOGURT", "conversion"] = conversion
        frames["demand"].loc[6, ["product_id", "qty"]] = ["DESSERT", 1e6]  # LIEVIN_1, W04
        if not refused:
            Scenario.from_frames(**frames, groups=groups)
            continue
        with pytest.raises(ScenarioError) as caught:
            Scenario.from_frames(**frames, groups=groups)
        [problem] = caught.value.problems
        assert (problem.table, problem.row, problem.column) == ("demand", 8, "qty")
        assert "is worth 3,200,000,000," in problem.message


@pytest.mark.parametrize(
    ("language", "text", "read"),
    [
        ("en", "0,1", [0.0, 1.0]),
        ("fr", "0;0,1", [0.0, 0.1]),
        ("fr", "0,0.05,0.1", [0.0, 0.05, 0.1]),
        ("fr", "0,1", None),  # a tenth, or 0 and 1? it ran 0 and 1 EUR
        ("fr", "0,05,0,1", None),  # it ran 0, 5 and 1
        ("en", "0,,0.1", None),
    ],
)
def test_amounts_per_meal_are_never_misread(
    language: str, text: str, read: list[float] | None
) -> None:
    import argparse

    from rhd_match.cli.decision import amounts_per_meal

    with use_language(language):
        if read is not None:
            assert amounts_per_meal(text) == pytest.approx(read)
            return
        with pytest.raises(argparse.ArgumentTypeError):
            amounts_per_meal(text)
