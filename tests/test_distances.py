"""The optional road distances file: read from a French Excel CSV, validated with file, row and
column, written back by ``to_folder``, and used by the delivery tours where a pair is given
(straight line × road factor elsewhere)."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from rhd_match import Scenario
from rhd_match.errors import ScenarioError
from rhd_match.logistics import plan_tours

SMALL = Path(__file__).parent / "data" / "cases" / "cli-small-scenario"
#: Farm A to the Lens school and to the Liévin college, as a French Excel saves them.
DISTANCES_CSV = "from_id;to_id;km;minutes\r\nFARM_A;LENS_1;17,5;26\r\nLIEVIN_1;FARM_A;21,25;\r\n"


def _folder(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "scenario"
    shutil.copytree(SMALL, folder)
    (folder / "distances.csv").write_bytes(text.encode("cp1252"))
    return folder


def _one_drop(canteen: str) -> pd.DataFrame:
    """Farm A delivers 10 kg to ``canteen`` in one week, directly."""
    return pd.DataFrame(
        {
            "producer_id": ["FARM_A"],
            "canteen_id": [canteen],
            "week": ["2026-W03"],
            "qty_kg": [10.0],
        }
    )


def test_the_file_is_read_and_written_back(tmp_path: Path) -> None:
    scenario = Scenario.from_folder(_folder(tmp_path, DISTANCES_CSV))
    got = scenario.distances
    assert list(got["km"]) == [17.5, 21.25]
    assert got["minutes"].iloc[0] == 26.0 and math.isnan(got["minutes"].iloc[1])
    written = scenario.to_folder(tmp_path / "out")
    assert tmp_path / "out" / "distances.csv" in written
    again = Scenario.from_folder(tmp_path / "out").distances
    pd.testing.assert_frame_equal(again, got)


def test_a_given_pair_replaces_the_straight_line_both_ways(tmp_path: Path) -> None:
    scenario = Scenario.from_folder(_folder(tmp_path, DISTANCES_CSV))
    speed = scenario.parameters.logistics.speed_kmh
    lens = plan_tours(scenario, _one_drop("LENS_1")).tours.iloc[0]
    assert lens["km"] == pytest.approx(2 * 17.5)  # given one way: serves both
    assert lens["driving_h"] == pytest.approx(2 * 26 / 60, abs=1e-3)
    lievin = plan_tours(scenario, _one_drop("LIEVIN_1")).tours.iloc[0]
    assert lievin["km"] == pytest.approx(2 * 21.25)
    assert lievin["driving_h"] == pytest.approx(2 * 21.25 / speed, abs=1e-3)  # no minutes
    # Without the file: the straight line times the road factor, another length.
    plain = Scenario.from_folder(SMALL)
    assert plan_tours(plain, _one_drop("LENS_1")).tours.iloc[0]["km"] != pytest.approx(35.0)


def test_bad_rows_are_reported_with_file_row_and_column(tmp_path: Path) -> None:
    text = "from_id;to_id;km\r\nFARM_A;NOWHERE;3\r\nFARM_B;LENS_1;-2\r\nFARM_A;LENS_1;abc\r\n"
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_folder(_folder(tmp_path, text))
    found = {(Path(str(p.file)).name, p.row, p.column) for p in caught.value.problems}
    assert {
        ("distances.csv", 2, "to_id"),
        ("distances.csv", 3, "km"),
        ("distances.csv", 4, "km"),
    } <= found
