"""Reading and writing scenarios: round trips, determinism, file dialects, generated docs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import get_args

import numpy as np
import pandas as pd
import pytest
from factories import tiny_frames, tiny_market
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples

from rhd_match import Parameters, Scenario, ScenarioError, SolverOptions, Targets, Weights
from rhd_match.inputs.reference import reference_markdown
from rhd_match.params import MAX_TIME_LIMIT_S, MAX_WEIGHT

#: The validation messages read here are the English source strings.
pytestmark = pytest.mark.usefixtures("english_messages")

REPO = Path(__file__).resolve().parent.parent
TABLE_NAMES = ["products", "canteens", "producers", "offers", "demand"]


def assert_same_scenario(a: Scenario, b: Scenario) -> None:
    for name in [*TABLE_NAMES, "market"]:
        pd.testing.assert_frame_equal(
            getattr(a, name), getattr(b, name), check_exact=True, obj=name
        )
    assert a.parameters == b.parameters


def non_default_parameters() -> Parameters:
    return Parameters(
        targets=Targets(quality=0.6, organic=0.3, meat_fish=1.0),
        hard_egalim=True,
        local_radius_km=42.5,
        weights=Weights(cost=0.25, distance=0.0),
        solver=SolverOptions(strategy="lp", time_limit_s=12.5, threads=1, lp_solver="pdlp"),
    )


# -- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_of_the_tiny_scenario(tmp_path: Path, fmt: str) -> None:
    frames = tiny_frames()
    # numbers that need every digit of a float to come back equal
    frames["demand"].loc[0, "qty"] = 1 / 3
    frames["canteens"].loc[0, "lat"] = 50.43221234567891
    frames["offers"].loc[0, "price_eur_ht"] = 13.2 + 1e-12
    scenario = Scenario.from_frames(**frames, parameters=non_default_parameters())
    written = scenario.to_folder(tmp_path, fmt=fmt)  # type: ignore[arg-type]
    expected = (
        {"parameters.json", *(f"{n}.csv" for n in TABLE_NAMES)}
        if fmt == "csv"
        else {"parameters.json", "scenario.xlsx"}
    )
    assert {p.name for p in written} == expected
    assert {p.name for p in tmp_path.iterdir()} == expected  # no staging folder left
    back = Scenario.from_folder(tmp_path)
    assert_same_scenario(scenario, back)
    assert back.parameters == non_default_parameters()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_with_a_market_table(tmp_path: Path, fmt: str) -> None:
    scenario = Scenario.from_frames(**tiny_frames(), market=tiny_market())
    written = scenario.to_folder(tmp_path, fmt=fmt)  # type: ignore[arg-type]
    if fmt == "csv":
        assert "market.csv" in {p.name for p in written}
    back = Scenario.from_folder(tmp_path)
    assert len(back.market) == 3
    assert_same_scenario(scenario, back)


def test_a_market_table_from_french_excel_is_read(tmp_path: Path) -> None:
    """Semicolons, decimal commas, Windows-1252 and a blank row, as French Excel saves it."""
    Scenario.from_frames(**tiny_frames()).to_folder(tmp_path)
    text = (
        "market_id;supplier_id;supplier_name;product_id;labels;price_eur_ht;first_week;"
        "last_week;max_qty_per_week;canteen_ids;origin\r\n"
        "M1;GROS;Grossiste Crèmerie;YOGURT;BIO;0,41;2026-W03;;150,5;LIEVIN_1, LENS_1;france\r\n"
        ";;;;;;;;;;\r\n"
    )
    (tmp_path / "market.csv").write_bytes(text.encode("cp1252"))
    back = Scenario.from_folder(tmp_path)
    (row,) = back.market.itertuples()
    assert (row.supplier_name, row.price_eur_ht, row.max_qty_per_week) == (
        "Grossiste Crèmerie",
        0.41,
        150.5,
    )
    assert (row.canteen_ids, row.origin) == ("LIEVIN_1,LENS_1", "FRANCE")
    assert (row.first_week, row.last_week) == ("2026-W03", None) or pd.isna(row.last_week)


def first_weeks(scenario: Scenario, n: int) -> Scenario:
    """The scenario with every product, canteen and producer, but only its first ``n`` weeks."""
    weeks = sorted(set(scenario.demand["week"]) | set(scenario.offers["week"]))[:n]
    tables = scenario.tables
    for name in ["offers", "demand"]:
        frame = tables[name]
        tables[name] = frame[frame["week"].isin(weeks)].reset_index(drop=True)
    return Scenario.from_frames(**tables, parameters=scenario.parameters)


@pytest.mark.parametrize(
    ("fmt", "weeks"),
    [
        ("csv", None),
        # openpyxl takes ~15 s to write and read the whole demo (62,000 rows) on a 2-core
        # machine; every product, canteen and producer with four weeks keeps the suite fast.
        ("xlsx", 4),
    ],
)
def test_round_trip_of_the_demo(tmp_path: Path, fmt: str, weeks: int | None) -> None:
    demo = Scenario.demo()
    if weeks is not None:
        demo = first_weeks(demo, weeks)
        assert len(demo.offers) > 0 and len(demo.demand) > 0
    demo.to_folder(tmp_path, fmt=fmt)  # type: ignore[arg-type]
    assert_same_scenario(demo, Scenario.from_folder(tmp_path))


def test_workbook_path_is_read_directly(tmp_path: Path) -> None:
    scenario = Scenario.from_frames(**tiny_frames())
    scenario.to_folder(tmp_path, fmt="xlsx")
    assert_same_scenario(scenario, Scenario.from_folder(tmp_path / "scenario.xlsx"))


def test_ids_that_look_like_numbers_stay_strings_through_excel(tmp_path: Path) -> None:
    frames = tiny_frames()
    renames = {"BEEF": "12", "APPLE": "007", "YOGURT": "3.50"}
    for name in ["products", "offers", "demand"]:
        frames[name]["product_id"] = frames[name]["product_id"].map(renames)
    frames["canteens"]["insee"] = ["62498", "02100"]  # a leading zero, as in Aisne
    scenario = Scenario.from_frames(**frames)
    scenario.to_folder(tmp_path, fmt="xlsx")
    back = Scenario.from_folder(tmp_path)
    assert back.products["product_id"].tolist() == ["12", "007", "3.50"]
    assert back.canteens["insee"].tolist() == ["62498", "02100"]
    assert set(back.demand["product_id"]) == {"12", "007", "3.50"}
    assert_same_scenario(scenario, back)


def test_numeric_excel_cells_are_read_as_ids(tmp_path: Path) -> None:
    """A person typing 12 in an Excel id cell gets a number; it must still match '12'."""
    frames = tiny_frames()
    for name in ["products", "offers", "demand"]:
        frames[name]["product_id"] = frames[name]["product_id"].map(
            {"BEEF": 12, "APPLE": 13, "YOGURT": 14}
        )
    with pd.ExcelWriter(tmp_path / "typed.xlsx", engine="openpyxl") as xl:
        for name, frame in frames.items():
            frame.to_excel(xl, sheet_name=name, index=False)
    scenario = Scenario.from_folder(tmp_path / "typed.xlsx")
    assert scenario.products["product_id"].tolist() == ["12", "13", "14"]
    assert scenario.offers["product_id"].tolist()[:2] == ["12", "12"]


# -- parameters -------------------------------------------------------------------------------


def choices(field: str) -> tuple[str, ...]:
    """The values a ``Literal`` field of :class:`SolverOptions` allows."""
    allowed = get_args(SolverOptions.model_fields[field].annotation)
    assert len(allowed) >= 2
    return allowed


fractions = st.floats(0.0, 1.0, allow_nan=False)
non_negative = st.floats(0.0, MAX_WEIGHT, allow_nan=False, allow_infinity=False)

parameters_strategy = st.builds(
    Parameters,
    targets=st.builds(Targets, quality=fractions, organic=fractions, meat_fish=fractions),
    hard_egalim=st.booleans(),
    hard_budget=st.booleans(),
    local_radius_km=st.none() | non_negative,
    weights=st.builds(
        Weights,
        egalim_shortfall=non_negative,
        budget_overrun=non_negative,
        local=non_negative,
        organic=non_negative,
        cost=non_negative,
        distance=non_negative,
    ),
    solver=st.fixed_dictionaries(
        {
            "strategy": st.sampled_from(choices("strategy")),
            "time_limit_s": st.floats(1e-3, MAX_TIME_LIMIT_S, allow_nan=False),
            "threads": st.integers(1, 64),
            "mip_gap": fractions,
            "lp_solver": st.sampled_from(choices("lp_solver")),
            "mip_solver": st.sampled_from(choices("mip_solver")),
            "auto_mip_max_binaries": st.integers(0, 10**7),
            "local_search": st.integers(0, 100),
            "memory_limit_gb": st.floats(1e-3, 1e4, allow_nan=False),
        }
    )
    # PDLP is accepted for the relaxation only (SolverOptions refuses it elsewhere).
    .filter(lambda o: o["lp_solver"] != "pdlp" or o["strategy"] == "lp")
    .map(lambda o: SolverOptions(**o)),
)


@settings(max_examples=examples(60))
@given(parameters_strategy)
def test_parameters_json_round_trip(parameters: Parameters) -> None:
    assert Parameters.model_validate_json(parameters.model_dump_json()) == parameters


def test_non_default_parameters_differ_from_defaults() -> None:
    # guards the round-trip tests above against comparing defaults with defaults
    assert non_default_parameters() != Parameters()
    dumped = non_default_parameters().model_dump()
    assert dumped["solver"]["lp_solver"] == "pdlp"
    assert dumped["local_radius_km"] == 42.5


@pytest.mark.parametrize("field", ["local_radius_km", "weights"])
def test_parameters_reject_infinite_numbers(field: str) -> None:
    value: object = float("inf") if field == "local_radius_km" else {"cost": float("inf")}
    with pytest.raises(ValueError):
        Parameters.model_validate({field: value})


def test_parameters_file_is_read_and_checked(tmp_path: Path) -> None:
    scenario = Scenario.from_frames(**tiny_frames())
    scenario.to_folder(tmp_path)
    (tmp_path / "parameters.json").write_text(
        '{"targets": {"quality": 1.5}, "hard_egalim": true}', encoding="utf-8"
    )
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(tmp_path)
    problems = caught.value.problems
    assert [(p.table, p.column, p.file) for p in problems] == [
        ("parameters", "targets.quality", str(tmp_path / "parameters.json"))
    ]


@pytest.mark.parametrize(
    ("written", "meant"),
    [("1 000 000", "1000000"), ("1\u202f000,5", "1000.5"), ("12,5 km", "12.5"), ("25 %", "0.25")],
)
def test_a_number_written_as_text_is_told_as_meant(
    tmp_path: Path, written: str, meant: str
) -> None:
    """« 1 000 000 » (thousands apart) was told to be written 1."""
    scenario = Scenario.from_frames(**tiny_frames())
    scenario.to_folder(tmp_path)
    text = json.dumps({"local_radius_km": written})
    (tmp_path / "parameters.json").write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(tmp_path)
    [problem] = caught.value.problems
    assert f"write {meant}" in problem.message, problem.message


# -- determinism and dialects -----------------------------------------------------------------


def test_writing_twice_gives_identical_bytes(tmp_path: Path) -> None:
    scenario = Scenario.from_frames(**tiny_frames(), parameters=non_default_parameters())
    scenario.to_folder(tmp_path / "a")
    Scenario.from_folder(tmp_path / "a").to_folder(tmp_path / "b")  # read back, then rewritten
    scenario.to_folder(tmp_path / "c")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(["parameters.json", *(f"{n}.csv" for n in TABLE_NAMES)])
    for name in names:
        first = (tmp_path / "a" / name).read_bytes()
        assert first == (tmp_path / "b" / name).read_bytes(), name
        assert first == (tmp_path / "c" / name).read_bytes(), name


def test_semicolon_separated_csv_is_read(tmp_path: Path) -> None:
    scenario = Scenario.from_frames(**tiny_frames())
    scenario.to_folder(tmp_path)
    for name in TABLE_NAMES:
        frame = pd.read_csv(tmp_path / f"{name}.csv", dtype=str, keep_default_na=False)
        frame.to_csv(tmp_path / f"{name}.csv", sep=";", index=False)
    assert ";" in (tmp_path / "offers.csv").read_text(encoding="utf-8").splitlines()[0]
    # the labels cell "BIO,FERMIER" holds a comma: it must survive the semicolon dialect
    back = Scenario.from_folder(tmp_path)
    assert_same_scenario(scenario, back)


def test_utf8_bom_from_excel_is_accepted(tmp_path: Path) -> None:
    scenario = Scenario.from_frames(**tiny_frames())
    scenario.to_folder(tmp_path)
    path = tmp_path / "canteens.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert Scenario.from_folder(tmp_path).canteens["name"].tolist() == [
        "École Jean Macé, Lens",
        "Collège Descartes, Liévin",
    ]


# -- generated documentation ------------------------------------------------------------------


def test_input_format_doc_is_generated_from_the_schema() -> None:
    committed = (REPO / "docs" / "input-format.md").read_text(encoding="utf-8")
    assert committed == reference_markdown() + "\n", (
        "docs/input-format.md is stale: run "
        "`.venv/bin/python -m rhd_match.inputs.reference > docs/input-format.md`"
    )


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (None, ""),
        (float("nan"), ""),
        (np.float32("nan"), ""),
        (62510.0, "62510"),
        (21620498000017.0, "21620498000017"),
        (np.float32(3.0), "3"),
        (1.5e-07, "0.00000015"),  # never an exponent: the text a person would have typed
        (0.25, "0.25"),
        (dt.datetime(2026, 1, 12), "2026-01-12"),
        (dt.datetime(2026, 1, 12, 10, 30), "2026-01-12 10:30:00"),
        (dt.date(2026, 1, 12), "2026-01-12"),
        (True, "True"),
        (7, "7"),
        ("  LENS_1 ", "LENS_1"),
    ],
)
def test_a_cell_reads_as_the_text_typed(cell: object, text: str) -> None:
    from rhd_match.io import cell_text

    assert cell_text(cell) == text
    # ma cantine's readers keep the spaces around text (the platform refuses " x"), alone.
    assert cell_text(cell, strip=False) == (cell if isinstance(cell, str) else text)
