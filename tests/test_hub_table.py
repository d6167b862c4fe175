"""The optional ``hubs`` table: read, validated and written back like every table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from factories import tiny_frames

from rhd_match import Scenario
from rhd_match.errors import ScenarioError
from rhd_match.inputs.validation import weekdays


def hub_frame(**changes: object) -> pd.DataFrame:
    """One hub at Lens for the tiny scenario's FARM_A (its ``hub_id`` is HUB_LENS)."""
    row: dict[str, object] = {
        "hub_id": "HUB_LENS",
        "name": "Plateforme de Lens",
        "latitude": 50.43,
        "longitude": 2.80,
        "capacity_kg_per_week": 2000.0,
        "fee_eur_per_kg": 0.3,
        "fee_share": 0.05,
        "vehicles": 1,
        "payload_kg": 900.0,
        "cost_eur_per_km": 0.8,
        "cost_eur_per_hour": 15.0,
        "delivery_days": "1;4",
        "min_drop_kg": 20.0,
        "radius_km": 25.0,
    }
    return pd.DataFrame([row | changes])


@pytest.mark.parametrize(
    ("cell", "read"),
    [
        ("1;2;4", "1;2;4"),
        ("lun;mar;jeu", "1;2;4"),
        ("Mon, Thu", "1;4"),
        ("4;1;1", "1;4"),
        ("Vendredi", "5"),
        ("8", None),
        ("lun;x", None),
        ("", None),
    ],
)
def test_delivery_days_are_read_as_iso_weekdays(cell: str, read: str | None) -> None:
    assert weekdays(cell) == read


def test_a_scenario_with_hubs_round_trips_through_csv_and_excel(tmp_path: Path) -> None:
    sc = Scenario.from_frames(**tiny_frames(), hubs=hub_frame(delivery_days="lun;jeu"))
    assert sc.hubs.loc[0, "delivery_days"] == "1;4"
    assert any(w.column == "delivery_days" for w in sc.warnings)
    for fmt in ("csv", "xlsx"):
        sc.to_folder(tmp_path / fmt, fmt=fmt)  # type: ignore[arg-type]
        back = Scenario.from_folder(tmp_path / fmt)
        pd.testing.assert_frame_equal(back.hubs, sc.hubs, check_dtype=False)


def test_a_french_excel_hubs_file_is_read(tmp_path: Path) -> None:
    Scenario.from_frames(**tiny_frames()).to_folder(tmp_path)
    text = (
        "hub_id;name;latitude;longitude;capacity_kg_per_week;fee_eur_per_kg;fee_share;vehicles;"
        "payload_kg;cost_eur_per_km;cost_eur_per_hour;delivery_days;min_drop_kg;radius_km\r\n"
        "HUB_LENS;Plateforme de Liévin;50,43;2,80;2 000;0,3;0,05;2;900;0,8;15;mar;20;25\r\n"
        ";;;;;;;;;;;;;\r\n"
    )
    (tmp_path / "hubs.csv").write_bytes(text.encode("cp1252"))
    hubs = Scenario.from_folder(tmp_path).hubs
    assert hubs.loc[0, "name"] == "Plateforme de Liévin"
    assert hubs.loc[0, "capacity_kg_per_week"] == 2000.0
    assert hubs.loc[0, "delivery_days"] == "2"
    assert len(hubs) == 1


def test_every_hub_problem_is_reported_at_once_with_its_row_and_column() -> None:
    frames = tiny_frames()
    hubs = pd.concat(
        [hub_frame(fee_share=1.5, delivery_days="lun;zz"), hub_frame(hub_id="OTHER", radius_km=-1)]
    )
    frames["producers"].loc[1, "hub_id"] = "NOWHERE"
    with pytest.raises(ScenarioError) as err:
        Scenario.from_frames(**frames, hubs=hubs)
    found = {(p.table, p.row, p.column) for p in err.value.problems}
    assert found == {
        ("hubs", 2, "fee_share"),
        ("hubs", 2, "delivery_days"),
        ("hubs", 3, "radius_km"),
        ("producers", 3, "hub_id"),
    }


def test_without_hubs_a_producer_hub_id_is_information_only() -> None:
    sc = Scenario.from_frames(**tiny_frames())
    assert sc.hubs.empty
    assert sc.producers.loc[0, "hub_id"] == "HUB_LENS"


@pytest.mark.parametrize("payload", [0.0, -900.0])
def test_a_vehicle_payload_must_be_positive_and_is_told_once(payload: float) -> None:
    # A payload of 0 kg with no vehicle count used to reach the delivery tours, which divide
    # each drop by it.
    for vehicles in (None, 2):
        with pytest.raises(ScenarioError) as err:
            Scenario.from_frames(
                **tiny_frames(), hubs=hub_frame(payload_kg=payload, vehicles=vehicles)
            )
        told = [(p.table, p.row, p.column) for p in err.value.problems]
        assert told == [("hubs", 2, "payload_kg")]
        assert "> 0" in err.value.problems[0].message


def test_an_empty_payload_is_still_allowed() -> None:
    sc = Scenario.from_frames(**tiny_frames(), hubs=hub_frame(payload_kg=None, vehicles=None))
    assert sc.hubs["payload_kg"].isna().all()
