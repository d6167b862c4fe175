"""ma cantine declaration figures, purchase import file out and in.

Expected figures are recomputed here by hand, line by line, walking the label orders of
``/work/shared/domain/egalim.md`` (betagouv/ma-cantine ``PurchaseQuerySet.aggregated_stats`` and
``Purchase._complete_diag_data_appro_labels``) — never by calling ``egalim_accounting``.

Round trip tolerance (export → file → import): ``prix_ht`` has 2 decimals, so each line is
within 0.01 EUR of its exact value, each canteen-year total within 0.005 EUR (the exact total
rounded to the cent), and any other declaration amount within 0.01 EUR per family × labels
group it sums over.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from factories import tiny_frames

from rhd_match import Scenario, ScenarioError, Solution
from rhd_match.macantine.declaration import compare, declaration, write_declaration
from rhd_match.macantine.export import (
    FutureDateWarning,
    export_plan,
    purchase_file,
    purchase_file_writers,
)
from rhd_match.macantine.ids import (
    IdFileWarning,
    PlatformIdWarning,
    read_platform_ids,
    read_sirets,
)
from rhd_match.macantine.reading import (
    PurchaseWarning,
    check_purchases,
    purchase_figures,
    read_purchases,
)

#: The validation messages read here are the English source strings.
pytestmark = pytest.mark.usefixtures("english_messages")

TODAY = dt.date(2027, 3, 1)  # after every date used below: no future-date warning
HEADER_SIRET = (
    "siret,description,fournisseur,date,prix_ht,famille_produits,categories_egalim,origine,"
    "est_circuit_court,est_local,definition_local,definition_local_km"
)
HEADER_ID = "cantine_id" + HEADER_SIRET[len("siret") :]
FAMILIES = [
    "VIANDES_VOLAILLES",
    "CHARCUTERIE",
    "PRODUITS_DE_LA_MER",
    "FRUITS_ET_LEGUMES",
    "PRODUITS_LAITIERS",
    "BOULANGERIE",
    "BOISSONS",
    "AUTRES",
]
LABELS = [
    "BIO",
    "LABEL_ROUGE",
    "AOCAOP",
    "IGP",
    "STG",
    "HVE",
    "PECHE_DURABLE",
    "RUP",
    "COMMERCE_EQUITABLE",
    "FERMIER",
    "EXTERNALITES",
    "PERFORMANCE",
]
#: Groups, in the order a line is counted (aggregated_stats).
GROUP_WALK = [
    ("bio", {"BIO"}),
    ("siqo", {"LABEL_ROUGE", "AOCAOP", "IGP", "STG"}),
    ("egalim_autres", {"HVE", "PECHE_DURABLE", "RUP", "FERMIER", "COMMERCE_EQUITABLE"}),
    ("externalites_performance", {"EXTERNALITES", "PERFORMANCE"}),
]
#: Detailed split, in the order labels are walked (_complete_diag_data_appro_labels).
DETAIL_WALK = [
    ("bio", {"BIO"}),
    ("label_rouge", {"LABEL_ROUGE"}),
    ("aocaop_igp_stg", {"AOCAOP", "IGP", "STG"}),
    ("hve", {"HVE"}),
    ("peche_durable", {"PECHE_DURABLE"}),
    ("rup", {"RUP"}),
    ("commerce_equitable", {"COMMERCE_EQUITABLE"}),
    ("fermier", {"FERMIER"}),
    ("externalites", {"EXTERNALITES"}),
    ("performance", {"PERFORMANCE"}),
]
SIRETS = {"LENS_1": "12345678000014", "LIEVIN_1": "00123456000017"}


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return Scenario.from_frames(**tiny_frames())


@pytest.fixture(scope="module")
def solution(scenario: Scenario) -> Solution:
    return scenario.solve(strategy="mip")


@pytest.fixture(autouse=True)
def _no_platform_id_noise() -> Iterator[None]:
    # The tiny canteen ids are not ma cantine numeric ids; tested on its own below.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlatformIdWarning)
        yield


def random_flows(seed: int, n: int = 240) -> pd.DataFrame:
    """Flows of every family and many label combinations, over the 2025/2026 year boundary."""
    rng = random.Random(seed)
    weeks = ["2025-W52", "2026-W01", "2026-W02", "2026-W53"]
    rows = []
    for _ in range(n):
        producer = rng.random() < 0.7
        labels = rng.sample(LABELS, rng.choice([1, 1, 2, 2, 3])) if producer else []
        rows.append(
            {
                "supplier": "producer" if producer else "conventional",
                "producer_id": rng.choice(["FARM_A", "FARM_B"]) if producer else None,
                "canteen_id": rng.choice(["LENS_1", "LIEVIN_1"]),
                "product_id": rng.choice(["BEEF", "APPLE", "YOGURT"]),
                "week": rng.choice(weeks),
                "family": rng.choice(FAMILIES),
                "value_eur_ht": round(rng.uniform(0.0, 400.0), rng.choice([2, 3, 5])),
                "labels": ",".join(labels),  # any order: the walk, not the text, decides
                "local": producer,
            }
        )
    flows = pd.DataFrame(rows)
    flows["qty"] = 1.0
    flows["qty_kg"] = 1.0
    flows["price_eur_ht"] = flows["value_eur_ht"]
    flows["distance_km"] = 10.0
    return flows.sort_values(["canteen_id", "week"], kind="stable").reset_index(drop=True)


# -- independent recomputation ----------------------------------------------------------------


def iso_year(week: str) -> int:
    year, number = week.split("-W")
    return dt.date.fromisocalendar(int(year), int(number), 4).year


def hand_declaration(
    flows: pd.DataFrame, year_of: Callable[[Any], int]
) -> dict[Any, dict[str, float]]:
    """Declaration per (canteen, year), one purchase line at a time, plain Python."""
    acc: dict[Any, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for line in flows.to_dict(orient="records"):
        key = (line["canteen_id"], year_of(line))
        value = float(line["value_eur_ht"])
        family = line["family"]
        labels = {p.strip() for p in str(line["labels"] or "").split(",") if p.strip()}
        group = next((g for g, members in GROUP_WALK if labels & members), None)
        detail = next((d for d, members in DETAIL_WALK if labels & members), None)
        fair = "COMMERCE_EQUITABLE" in labels
        a = acc[key]
        a["valeur_totale"] += value
        if group:
            a[f"valeur_{group}"] += value
        if group == "bio" and fair:
            a["valeur_bio_dont_commerce_equitable"] += value
        if detail == "commerce_equitable":  # the complete declaration: from the detailed split
            a["valeur_egalim_autres_dont_commerce_equitable"] += value
        for fam, name in (
            ("VIANDES_VOLAILLES", "viandes_volailles"),
            ("PRODUITS_DE_LA_MER", "produits_de_la_mer"),
        ):
            if family == fam:
                a[f"valeur_{name}"] += value
                if group:
                    a[f"valeur_{name}_egalim"] += value
        if detail:
            a[f"valeur_{family.lower()}_{detail}"] += value
    out = {}
    for key, a in acc.items():
        total = a["valeur_totale"]
        quality = sum(a[f"valeur_{g}"] for g, _ in GROUP_WALK)
        mf = a["valeur_viandes_volailles"] + a["valeur_produits_de_la_mer"]
        mf_q = a["valeur_viandes_volailles_egalim"] + a["valeur_produits_de_la_mer_egalim"]
        shares = {
            "share_organic": a["valeur_bio"] / total if total else math.nan,
            "share_quality": quality / total if total else math.nan,
            "share_meat_fish": mf_q / mf if mf else math.nan,
            "share_meat": a["valeur_viandes_volailles_egalim"] / a["valeur_viandes_volailles"]
            if a["valeur_viandes_volailles"]
            else math.nan,
            "share_fish": a["valeur_produits_de_la_mer_egalim"] / a["valeur_produits_de_la_mer"]
            if a["valeur_produits_de_la_mer"]
            else math.nan,
        }
        pct = {
            "pourcentage_bio": shares["share_organic"],
            "pourcentage_egalim": shares["share_quality"],
            "pourcentage_viandes_volailles_produits_de_la_mer_egalim": shares["share_meat_fish"],
            "pourcentage_viandes_volailles_egalim": shares["share_meat"],
            "pourcentage_produits_de_la_mer_egalim": shares["share_fish"],
        }
        out[key] = dict(a) | shares | {k: round(100 * v, 2) for k, v in pct.items()}
    return out


def assert_matches_hand(figures: pd.DataFrame, expected: dict[Any, dict[str, float]]) -> None:
    assert sorted(zip(figures["canteen_id"], figures["year"], strict=True)) == sorted(expected)
    amount_cols = [c for c in figures.columns if c.startswith("valeur_")]
    assert len(amount_cols) == 11 + 8 * 10
    for record in figures.to_dict(orient="records"):
        want = expected[(record["canteen_id"], record["year"])]
        for col in amount_cols:
            assert record[col] == pytest.approx(want.get(col, 0.0), abs=1e-9), col
        for col in [c for c in want if c.startswith(("share_", "pourcentage_"))]:
            if math.isnan(want[col]):
                assert math.isnan(record[col]), col
            else:
                assert record[col] == pytest.approx(want[col], abs=1e-9), col


# -- declaration ------------------------------------------------------------------------------


def test_declaration_of_solved_plan_equals_hand_recomputation(solution: Solution) -> None:
    flows = solution.flows
    assert (flows["supplier"] == "conventional").any() and (flows["supplier"] == "producer").any()
    figures = declaration(flows)
    assert_matches_hand(figures, hand_declaration(flows, lambda line: iso_year(line["week"])))


def test_declaration_of_many_label_combinations_equals_hand_recomputation() -> None:
    flows = random_flows(seed=7)
    figures = declaration(flows)
    assert_matches_hand(figures, hand_declaration(flows, lambda line: iso_year(line["week"])))
    # 2025-W52 is declared in 2025; 2026-W01 (Monday 29 Dec 2025) and 2026-W53 in 2026.
    by_year = figures.groupby("year")["valeur_totale"].sum()
    weeks = flows.groupby("week")["value_eur_ht"].sum()
    assert by_year[2025] == pytest.approx(weeks["2025-W52"])
    assert by_year[2026] == pytest.approx(weeks[["2026-W01", "2026-W02", "2026-W53"]].sum())


def test_percentages_have_two_decimals_and_exact_shares_are_kept() -> None:
    flows = pd.DataFrame(
        {
            "canteen_id": ["C"] * 3,
            "week": ["2026-W10"] * 3,
            "value_eur_ht": [1.0, 1.0, 1.0],
            "family": ["AUTRES"] * 3,
            "labels": ["BIO", "", ""],
        }
    )
    row = declaration(flows).iloc[0]
    assert row["share_organic"] == pytest.approx(1 / 3, abs=1e-15)
    assert row["pourcentage_bio"] == 33.33
    assert row["pourcentage_egalim_hors_bio"] == 0.0


# (labels as written, family, the amounts that receive the line; every other amount is 0)
LABEL_CASES = [
    (
        "LABEL_ROUGE,BIO",
        "VIANDES_VOLAILLES",
        "BIO,LABEL_ROUGE",
        {
            "valeur_bio",
            "valeur_viandes_volailles_bio",
            "valeur_viandes_volailles",
            "valeur_viandes_volailles_egalim",
        },
    ),
    (
        "HVE,IGP",
        "FRUITS_ET_LEGUMES",
        "IGP,HVE",
        {"valeur_siqo", "valeur_fruits_et_legumes_aocaop_igp_stg"},
    ),
    (
        "COMMERCE_EQUITABLE,HVE",
        "PRODUITS_LAITIERS",
        "HVE,COMMERCE_EQUITABLE",
        # Not in "dont commerce équitable": the complete declaration takes it from the
        # detailed split, where the line is HVE.
        {"valeur_egalim_autres", "valeur_produits_laitiers_hve"},
    ),
    (
        "FERMIER,COMMERCE_EQUITABLE",
        "PRODUITS_LAITIERS",
        "COMMERCE_EQUITABLE,FERMIER",
        {
            "valeur_egalim_autres",
            "valeur_egalim_autres_dont_commerce_equitable",
            "valeur_produits_laitiers_commerce_equitable",
        },
    ),
]


@pytest.mark.parametrize(("labels", "family", "written", "receiving"), LABEL_CASES)
def test_label_order_cases_through_the_export(
    scenario: Scenario,
    tmp_path: Path,
    labels: str,
    family: str,
    written: str,
    receiving: set[str],
) -> None:
    flows = pd.DataFrame(
        {
            "supplier": ["producer"],
            "producer_id": ["FARM_A"],
            "canteen_id": ["LENS_1"],
            "product_id": ["YOGURT"],
            "week": ["2026-W10"],
            "family": [family],
            "qty": [1.0],
            "qty_kg": [1.0],
            "price_eur_ht": [123.45],
            "value_eur_ht": [123.45],
            "labels": [labels],
            "distance_km": [12.0],
            "local": [True],
        }
    )
    frame = purchase_file(scenario, flows, today=TODAY)
    assert frame.loc[0, "categories_egalim"] == written  # platform order, no spaces
    path = tmp_path / "achats.csv"
    path.write_text(frame.to_csv(index=False), encoding="utf-8")
    with pytest.warns(PurchaseWarning, match="cantine_id"):  # a project id, not the platform's
        read = read_purchases(path, today=TODAY)
    for figures in (declaration(flows), purchase_figures(read)):
        row = figures.iloc[0]
        for col in [c for c in figures.columns if c.startswith("valeur_")]:
            want = 123.45 if col in receiving | {"valeur_totale"} else 0.0
            assert row[col] == pytest.approx(want), col


# -- purchase import file out -----------------------------------------------------------------


@pytest.mark.parametrize("sirets", [None, SIRETS])
def test_header_is_exactly_the_twelve_names(
    scenario: Scenario, solution: Solution, tmp_path: Path, sirets: dict[str, str] | None
) -> None:
    frame = purchase_file(scenario, solution, sirets=sirets, today=TODAY)
    written = purchase_file_writers(frame)
    assert list(written) == ["achats.csv"]
    written["achats.csv"](tmp_path / "achats.csv")
    first = (tmp_path / "achats.csv").read_bytes().split(b"\n")[0].decode("utf-8")
    assert first == (HEADER_SIRET if sirets else HEADER_ID)
    assert len(first.split(",")) == 12


def test_file_lines_and_totals_match_the_plan(scenario: Scenario, solution: Solution) -> None:
    flows = solution.flows
    frame = purchase_file(scenario, solution, sirets=SIRETS, today=TODAY)
    assert len(frame) == len(flows)
    assert frame["prix_ht"].str.fullmatch(r"\d+\.\d\d").all()
    assert frame["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    # Same order as the flows (sorted by canteen then week): compare line by line.
    assert list(frame["siret"]) == [SIRETS[c] for c in flows["canteen_id"]]
    price = frame["prix_ht"].astype(float).to_numpy()
    assert (abs(price - flows["value_eur_ht"].to_numpy()) < 0.01 + 1e-9).all()
    producer = (flows["supplier"] == "producer").to_numpy()
    assert (frame["origine"] == pd.Series(producer).map({True: "FRANCE", False: ""})).all()
    assert list(frame["est_circuit_court"]) == ["oui" if p else "non" for p in producer]
    assert list(frame["est_local"]) == ["oui" if x else "non" for x in flows["local"]]
    assert list(frame["definition_local"]) == ["PAT" if x else "" for x in flows["local"]]
    assert (frame["definition_local_km"] == "").all()
    conventional = frame[~producer]
    assert (conventional["fournisseur"] == "Fournisseur habituel").all()
    assert (conventional["categories_egalim"] == "").all()
    names = scenario.producers.set_index("producer_id")["name"]
    assert list(frame.loc[producer, "fournisseur"]) == list(names[flows["producer_id"][producer]])
    assert all(
        n in d
        for n, d in zip(
            frame.loc[producer, "fournisseur"], frame.loc[producer, "description"], strict=True
        )
    )
    # Cents per canteen: exactly the plan's total rounded to the cent.
    for siret, part in frame.groupby("siret"):
        canteen = {s: c for c, s in SIRETS.items()}[siret]
        exact = flows.loc[flows["canteen_id"] == canteen, "value_eur_ht"].sum()
        cents = sum(int(p.replace(".", "")) for p in part["prix_ht"])
        assert cents == round(exact * 100)


def test_many_lines_keep_each_canteen_year_total_to_the_cent(scenario: Scenario) -> None:
    flows = random_flows(seed=11, n=400)
    frame = purchase_file(scenario, flows, today=TODAY)
    cents = frame["prix_ht"].str.replace(".", "", regex=False).astype(int)
    years = pd.to_datetime(frame["date"]).dt.year
    got = cents.groupby([frame["cantine_id"], years]).sum()
    flows_year = flows["week"].map(iso_year)
    want = flows.groupby(["canteen_id", flows_year])["value_eur_ht"].sum()
    assert len(got) == len(want) == 4
    for (canteen, year), total in want.items():
        assert abs(got[(canteen, year)] - total * 100) <= 0.5 + 1e-6
    line_error = (cents / 100 - flows["value_eur_ht"].to_numpy()).abs()
    assert line_error.max() < 0.01


def test_dates_monday_weekday_and_year_boundary(scenario: Scenario) -> None:
    flows = random_flows(seed=3, n=40)
    flows = flows.assign(week=["2026-W01", "2026-W03", "2026-W53", "2025-W52"] * 10)
    flows = flows.sort_values(["canteen_id", "week"], kind="stable").reset_index(drop=True)
    monday = purchase_file(scenario, flows, today=TODAY)
    by_week = dict(zip(flows["week"], monday["date"], strict=True))
    assert by_week == {
        "2025-W52": "2025-12-22",
        "2026-W01": "2026-01-01",  # Monday 29 Dec 2025 moved into the week's year 2026
        "2026-W03": "2026-01-12",
        "2026-W53": "2026-12-28",
    }
    friday = purchase_file(scenario, flows, delivery_weekday=5, today=TODAY)
    by_week = dict(zip(flows["week"], friday["date"], strict=True))
    assert by_week["2026-W53"] == "2026-12-31"  # Friday 1 Jan 2027 kept in 2026
    assert by_week["2026-W03"] == "2026-01-16"


def test_definition_local_km(scenario: Scenario, solution: Solution) -> None:
    frame = purchase_file(scenario, solution, definition_local="KM", today=TODAY)
    local = frame["est_local"] == "oui"
    assert local.any() and (~local).any()
    assert (frame.loc[local, "definition_local"] == "KM").all()
    # No local radius in the scenario: the largest delivery radius of the producers used.
    used = solution.flows["producer_id"].dropna().unique()
    radius = scenario.producers.set_index("producer_id").loc[used, "delivery_radius_km"].max()
    assert (frame.loc[local, "definition_local_km"] == str(math.ceil(radius))).all()
    assert (frame.loc[~local, ["definition_local", "definition_local_km"]] == "").all().all()
    radius_set = scenario.with_parameters(local_radius_km=25.5)
    frame = purchase_file(radius_set, solution, definition_local="KM", today=TODAY)
    assert (frame.loc[local, "definition_local_km"] == "26").all()
    frame = purchase_file(scenario, solution, definition_local="KM", definition_local_km=12)
    assert (frame.loc[local, "definition_local_km"] == "12").all()


def test_future_dates_warn_by_default_and_fail_on_request(
    scenario: Scenario, solution: Solution, tmp_path: Path
) -> None:
    before = dt.date(2026, 1, 15)  # W03 (12 Jan) passed, W04 (19 Jan) not yet
    with pytest.warns(FutureDateWarning, match="after 2026-01-15"):
        purchase_file(scenario, solution, today=before)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureDateWarning)
        purchase_file(scenario, solution, today=dt.date(2026, 1, 19))  # no line after today
    with pytest.raises(ScenarioError, match="rejects future dates"):
        export_plan(scenario, solution, tmp_path / "out", today=before, future="error")
    assert not (tmp_path / "out").exists()


def test_bad_sirets_are_all_reported_and_nothing_is_written(
    scenario: Scenario, solution: Solution, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("old", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        export_plan(scenario, solution, out, sirets={"LENS_1": "12345678000015"}, today=TODAY)
    messages = [p.message for p in info.value.problems]
    assert len(messages) == 2
    assert any("LENS_1" in m and "Luhn" in m for m in messages)
    assert any("no siret for canteen 'LIEVIN_1'" in m for m in messages)
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_read_sirets_keeps_leading_zeros_and_lists_bad_rows(tmp_path: Path) -> None:
    good = tmp_path / "sirets.csv"
    good.write_text("canteen_id;siret\nLENS_1;12345678000014\nLIEVIN_1;00123456000017\n")
    assert read_sirets(good) == SIRETS
    bad = tmp_path / "bad.csv"
    bad.write_text("canteen_id,siret\nLENS_1,1234\nLIEVIN_1,00123456000017\n,12345678000015\n")
    with pytest.raises(ScenarioError) as info:
        read_sirets(bad)
    assert {(p.row, p.column) for p in info.value.problems} == {
        (2, "siret"),
        (4, "canteen_id"),
        (4, "siret"),
    }


def test_platform_id_warning_without_siret(scenario: Scenario, solution: Solution) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", PlatformIdWarning)
        with pytest.raises(PlatformIdWarning, match="LENS_1"):
            purchase_file(scenario, solution, today=TODAY)
        ids = {"LENS_1": "949", "LIEVIN_1": "1203"}
        frame = purchase_file(scenario, solution, cantine_ids=ids, today=TODAY)
    assert set(frame["cantine_id"]) == {"949", "1203"}


def test_export_plan_writes_everything_or_nothing(
    scenario: Scenario, solution: Solution, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    written = export_plan(scenario, solution, out, sirets=SIRETS, per_canteen=True, today=TODAY)
    assert sorted(p.name for p in written) == sorted(
        [
            "declaration.csv",
            "declaration.json",
            f"achats_{SIRETS['LENS_1']}.csv",
            f"achats_{SIRETS['LIEVIN_1']}.csv",
            "order_sheets.csv",
            "contract_summary.csv",
            "README.md",
        ]
    )
    # For people: in the language of the order sheets, French by default.
    assert "peuvent être déposés tels quels sur ma cantine" in (out / "README.md").read_text()
    for siret in SIRETS.values():
        lines = read_purchases(out / f"achats_{siret}.csv", today=TODAY)
        assert set(lines["siret"]) == {siret}

    import rhd_match.macantine.export as export

    def broken(*args: Any, **kwargs: Any) -> dict[str, Callable[[Path], None]]:
        def fail(path: Path) -> None:
            raise OSError("disk full")

        return {"order_sheets.csv": fail}

    monkeypatch.setattr(export, "order_writers", broken)
    again = tmp_path / "again"
    with pytest.raises(OSError, match="disk full"):
        export_plan(scenario, solution, again, today=TODAY)
    assert not again.exists()


# -- declaration writers ----------------------------------------------------------------------


def test_declaration_files_are_deterministic_and_keyed_by_canteen(
    solution: Solution, tmp_path: Path
) -> None:
    figures = declaration(solution.flows)
    write_declaration(figures, tmp_path / "a")
    write_declaration(figures, tmp_path / "b")
    for name in ("declaration.csv", "declaration.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    data = json.loads((tmp_path / "a" / "declaration.json").read_text(encoding="utf-8"))
    assert list(data) == ["LENS_1", "LIEVIN_1"]
    for canteen, years in data.items():
        row = figures[figures["canteen_id"] == canteen].iloc[0]
        assert list(years) == ["2026"]
        fields = years["2026"]
        assert fields["valeur_totale"] == round(row["valeur_totale"], 2)
        assert fields["share_quality"] == row["share_quality"]
        assert fields["share_fish"] is None  # no fish bought: no base
    csv = pd.read_csv(tmp_path / "a" / "declaration.csv")
    assert list(csv.columns) == list(figures.columns)


# -- purchase import file in ------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::rhd_match.macantine.reading.PurchaseWarning")
def test_round_trip_gives_the_plan_figures(
    scenario: Scenario, solution: Solution, tmp_path: Path
) -> None:
    for flows in (solution.flows, random_flows(seed=5, n=300)):
        frame = purchase_file(scenario, flows, today=TODAY)
        purchase_file_writers(frame)["achats.csv"](tmp_path / "achats.csv")
        got = purchase_figures(read_purchases(tmp_path / "achats.csv", today=TODAY))
        want = declaration(flows)
        assert list(got.columns) == list(want.columns)
        assert list(zip(got["canteen_id"], got["year"], strict=True)) == list(
            zip(want["canteen_id"], want["year"], strict=True)
        )
        groups = (
            flows.assign(year=flows["week"].map(iso_year))
            .groupby(["canteen_id", "year"])[["family", "labels"]]
            .apply(lambda g: len(g.drop_duplicates()))
        )
        for (_, g), (_, w) in zip(got.iterrows(), want.iterrows(), strict=True):
            k = groups[(w["canteen_id"], w["year"])]
            assert abs(g["valeur_totale"] - w["valeur_totale"]) <= 0.005 + 1e-9
            for col in [c for c in got.columns if c.startswith("valeur_")]:
                assert abs(g[col] - w[col]) <= 0.01 * k + 1e-9, col


def write_variants(frame: pd.DataFrame, folder: Path) -> list[Path]:
    folder.mkdir()
    paths = []
    for name, sep in (("comma.csv", ","), ("semicolon.csv", ";"), ("tab.tsv", "\t")):
        frame.to_csv(folder / name, sep=sep, index=False)
        paths.append(folder / name)
    frame.to_excel(folder / "text.xlsx", index=False)
    typed = frame.assign(prix_ht=frame["prix_ht"].astype(float), date=pd.to_datetime(frame["date"]))
    typed.to_excel(folder / "typed.xlsx", index=False)  # numbers and dates as Excel types
    return [*paths, folder / "text.xlsx", folder / "typed.xlsx"]


def test_separator_variants_read_the_same(
    scenario: Scenario, solution: Solution, tmp_path: Path
) -> None:
    frame = purchase_file(scenario, solution, sirets=SIRETS, today=TODAY)
    paths = write_variants(frame, tmp_path / "v")
    reference = read_purchases(paths[0], today=TODAY)
    assert len(reference) == len(frame)
    assert list(reference.columns[:9]) == [
        "siret",
        "description",
        "supplier",
        "date",
        "value_eur_ht",
        "family",
        "labels",
        "local",
        "short_circuit",
    ]
    for path in paths[1:]:
        pd.testing.assert_frame_equal(read_purchases(path, today=TODAY), reference, obj=path.name)


def test_oui_non_values_and_half_down_cents(tmp_path: Path) -> None:
    path = tmp_path / "achats.csv"
    path.write_text(
        HEADER_ID + "\n"
        "7,Pommes,Verger,2025-03-03,1.005,FRUITS_ET_LEGUMES,,,OUI,x,,\n"
        '7,Pommes,Verger,2025-03-03,1.0051,FRUITS_ET_LEGUMES," BIO , IGP ",FRANCE,x,oui,KM,30\n'
        "7,Pommes,Verger,2025-03-03,2.675,FRUITS_ET_LEGUMES,,EUROPE,NON,non,,\n"
        "\n"
        "7,Pommes,,2025-03-03,12,FRUITS_ET_LEGUMES,,,,,,\n",
        encoding="utf-8",
    )
    with pytest.warns(PurchaseWarning, match="categories_egalim"):  # ' BIO , IGP '
        lines = read_purchases(path, today=TODAY)
    assert list(lines["value_eur_ht"]) == [1.00, 1.01, 2.67, 12.00]  # ROUND_HALF_DOWN
    assert list(lines["short_circuit"]) == [True, True, False, False]
    assert list(lines["local"]) == [True, True, False, False]
    assert list(lines["labels"]) == ["", "BIO,IGP", "", ""]
    assert list(lines["local_km"].astype(object)) == [pd.NA, 30, pd.NA, pd.NA]
    assert list(lines["row"]) == [2, 3, 4, 6]  # the blank row 5 is skipped, numbering kept
    assert list(lines["canteen_id"]) == ["7"] * 4


BROKEN = [
    # (row text, row number, column, read as meant in baseline mode)
    ("7,Pommes,Verger,2025-03-03,10.00,FRUITS_ET_LEGUMES,BIO,FRANCE,oui,oui,PAT,", 2, None, True),
    ("7,Pommes,Verger,2025-13-01,10.00,FRUITS_ET_LEGUMES,,,non,non,,", 3, "date", False),
    ("7,Pommes,Verger,03/03/2025,10.00,FRUITS_ET_LEGUMES,,,non,non,,", 4, "date", False),
    ("7,Pommes,Verger,2025-03-03,-3.50,FRUITS_ET_LEGUMES,,,non,non,,", 5, "prix_ht", False),
    ("7,Pommes,Verger,2025-03-03,douze,FRUITS_ET_LEGUMES,,,non,non,,", 6, "prix_ht", False),
    ('7,Pommes,Verger,2025-03-03,"12,50",FRUITS_ET_LEGUMES,,,non,non,,', 7, "prix_ht", True),
    ("7,Pommes,Verger,2025-03-03,10.00,LEGUMES,,,non,non,,", 8, "famille_produits", False),
    (
        '7,Pommes,Verger,2025-03-03,10.00,FRUITS_ET_LEGUMES,"BIO,LABEL_VERT",,non,non,,',
        9,
        "categories_egalim",
        False,
    ),
    (
        "7,Pommes,Verger,2025-03-03,10.00,FRUITS_ET_LEGUMES,,,non,peut-être,,",
        10,
        "est_local",
        False,
    ),
    (
        "7,Pommes,Verger,2025-03-03,10.00,FRUITS_ET_LEGUMES,,,non,non,PAT,",
        11,
        "definition_local",
        True,
    ),
    (
        "7,Pommes,Verger,2025-03-03,10.00,FRUITS_ET_LEGUMES,,,non,oui,PAT,30",
        12,
        "definition_local_km",
        True,
    ),
    ("7,Pommes,Verger,2025-03-03,10.00,FRUITS_ET_LEGUMES,,,non,oui,PAT", 13, None, False),
    ("7,Pommes,Verger,,10.00,FRUITS_ET_LEGUMES,,,non,non,,", 14, "date", False),
    ("7,Pommes,Verger,2025-03-03,10.00,FRUITS_ET_LEGUMES,,ESPAGNE,non,non,,", 15, "origine", False),
    (
        "7,Pommes,Verger,2025-03-03,10.00,FRUITS_ET_LEGUMES,,,Oui,non,,",
        16,
        "est_circuit_court",
        True,
    ),
]


def test_broken_file_lists_every_bad_row_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "achats.csv"
    path.write_text(HEADER_ID + "\n" + "\n".join(r[0] for r in BROKEN) + "\n", "utf-8")
    out = tmp_path / "figures"
    with pytest.raises(ScenarioError) as info, pytest.warns(PurchaseWarning) as record:
        write_declaration(purchase_figures(read_purchases(path, today=TODAY)), out)
    found = {(p.row, p.column) for p in info.value.problems}
    assert found == {(row, col) for _, row, col, meant in BROKEN if not meant}
    assert all(p.file == str(path) for p in info.value.problems)
    text = str(info.value)
    assert "row 13: 11 fields, expected 12" in text
    assert "unknown label 'LABEL_VERT'" in text and "cannot be negative" in text
    assert not out.exists()
    warned = " ".join(str(w.message) for w in record)
    for _, row, col, meant in BROKEN[1:]:
        assert (f"row {row}, column {col}:" in warned) == meant, row
    # The pre-upload check refuses every row but the first, at its column.
    refused = check_purchases(path, today=TODAY)
    assert {(r, c) for r, c in zip(refused["row"], refused["column"], strict=True)} == {
        (row, col) for _, row, col, _ in BROKEN[1:]
    }


def test_header_differing_by_case_is_read_and_a_wrong_name_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "achats.csv"
    path.write_text(HEADER_SIRET.replace("date", "Date") + "\n", encoding="utf-8")
    with pytest.warns(PurchaseWarning, match="'Date' instead of 'date'"):
        assert read_purchases(path).empty
    [refusal] = check_purchases(path).itertuples()
    assert (refusal.stage, refusal.row, refusal.column) == ("header", 1, "date")
    path.write_text(HEADER_SIRET.replace("date", "datum") + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        read_purchases(path)
    [problem] = info.value.problems
    assert problem.row == 1 and problem.column == "date" and "'datum'" in problem.message


def test_future_and_not_applicable_lines_warn(tmp_path: Path) -> None:
    path = tmp_path / "achats.csv"
    path.write_text(
        HEADER_ID + "\n"
        "7,Jus,Verger,2025-03-03,10.00,BOISSONS,LABEL_ROUGE,,non,non,,\n"
        "7,Pommes,Verger,2027-06-01,10.00,FRUITS_ET_LEGUMES,,,non,non,,\n",
        encoding="utf-8",
    )
    with pytest.warns(PurchaseWarning) as record:
        read_purchases(path, today=TODAY)
    text = " ".join(str(w.message) for w in record)
    assert "row 2: LABEL_ROUGE is not applicable" in text and "(rows 3)" in text
    with pytest.raises(ScenarioError) as info, pytest.warns(PurchaseWarning, match="row 2"):
        read_purchases(path, today=TODAY, future="error")
    assert [(p.row, p.column) for p in info.value.problems] == [(3, "date")]
    refused = check_purchases(path, today=TODAY)
    assert list(zip(refused["stage"], refused["row"], refused["column"], strict=True)) == [
        ("import", 3, "date")
    ]
    assert "« La date ne peut pas être dans le futur. »" in refused["message"].iloc[0]


# -- compare ----------------------------------------------------------------------------------


def test_compare_puts_last_year_beside_the_plan(solution: Solution, tmp_path: Path) -> None:
    plan = declaration(solution.flows)
    path = tmp_path / "achats_2025.csv"
    path.write_text(
        HEADER_SIRET + "\n"
        f"{SIRETS['LENS_1']},Boeuf,Grossiste,2025-02-03,300.00,VIANDES_VOLAILLES,,,non,non,,\n"
        f"{SIRETS['LENS_1']},Yaourt,Grossiste,2025-02-03,100.00,PRODUITS_LAITIERS,BIO,,non,non,,\n"
        f"{SIRETS['LENS_1']},Yaourt,Grossiste,2024-02-05,999.00,PRODUITS_LAITIERS,,,non,non,,\n",
        encoding="utf-8",
    )
    actual = purchase_figures(read_purchases(path, today=TODAY))
    assert list(actual["year"]) == [2024, 2025]
    table = compare(plan, actual, sirets=SIRETS)
    assert list(table["canteen_id"]) == ["LENS_1", "LIEVIN_1"]
    lens = table.iloc[0]
    assert lens["year_before"] == 2025 and lens["year_after"] == 2026
    assert lens["valeur_totale_before"] == pytest.approx(400.0)
    assert lens["share_organic_before"] == pytest.approx(0.25)
    assert lens["share_meat_before"] == pytest.approx(0.0)
    plan_lens = plan[plan["canteen_id"] == "LENS_1"].iloc[0]
    assert lens["share_quality_after"] == pytest.approx(plan_lens["share_quality"])
    assert lens["share_quality_change"] == pytest.approx(plan_lens["share_quality"] - 0.25)
    assert pd.isna(table.iloc[1]["valeur_totale_before"])  # LIEVIN_1 has no purchases file
    older = compare(plan, actual, sirets=SIRETS, actual_year=2024).iloc[0]
    assert older["valeur_totale_before"] == pytest.approx(999.0)
    with pytest.raises(ValueError, match="sirets"):
        compare(plan, actual)


def test_upload_size_warning(
    scenario: Scenario, solution: Solution, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rhd_match.macantine.export as export

    frame = purchase_file(scenario, solution, today=TODAY)
    writers = purchase_file_writers(frame, per_canteen=True)
    assert sorted(writers) == ["achats_LENS_1.csv", "achats_LIEVIN_1.csv"]
    size = len(frame.to_csv(index=False).encode("utf-8"))
    monkeypatch.setattr(export, "MAX_UPLOAD_BYTES", size - 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", export.UploadSizeWarning)
        for name, write in writers.items():  # each part is smaller than the limit
            write(tmp_path / name)
    with pytest.warns(export.UploadSizeWarning, match="at most 10 MB"):
        purchase_file_writers(frame)["achats.csv"](tmp_path / "achats.csv")


def test_a_siret_whose_leading_zero_was_lost_is_padded_as_in_canteens(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = tmp_path / "sirets.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (("canteen_id", "siret"), ("LENS_1", 21620498000017), ("LIÉVIN_1", 1234567800002)):
        sheet.append(row)
    book.save(workbook)
    text = tmp_path / "sirets.csv"
    text.write_text("canteen_id;siret\nLENS_1;21620498000017\nLIÉVIN_1;1234567800002\n", "cp1252")
    for path, typed in ((workbook, True), (text, False)):
        with pytest.warns(IdFileWarning) as caught:
            got = read_sirets(path)
        assert got == {"LENS_1": "21620498000017", "LIÉVIN_1": "01234567800002"}
        said = [str(w.message) for w in caught]
        [warning] = [w for w in said if "row 3" in w]
        assert warning.startswith(f"{path}, row 3, column 'siret': '1234567800002' read as ")
        assert ("format the column as text" in warning) is typed
        # the file's own warnings are said too: the CSV's encoding
        assert any("not UTF-8: read as Windows-1252" in w for w in said) is not typed
    # As in canteens.csv, a code with digits lost is an error, said once.
    text.write_text("canteen_id;siret\nLENS_1;2,16205E+13\nLIEVIN_1;216204980000170\n", "cp1252")
    with pytest.raises(ScenarioError) as info:
        read_sirets(text)
    assert [(p.row, p.message.split(":")[0]) for p in info.value.problems] == [
        (2, "'2,16205E+13' is a number in scientific notation"),
        (3, "'216204980000170' has 15 digits"),
    ]


def test_an_id_files_own_warnings_are_said_when_it_is_read(tmp_path: Path) -> None:
    """A title row above the header is skipped with a warning, on a file that reads well too
    (they were said only when the file also had an error)."""
    path = tmp_path / "ids.csv"
    path.write_text("Identifiants ma cantine\ncanteen_id;cantine_id\nLENS_1;12\nLIEVIN_1;13\n")
    with pytest.warns(IdFileWarning) as caught:
        got = read_platform_ids(path, "cantine_id")
    assert got == {"LENS_1": "12", "LIEVIN_1": "13"}
    assert [str(w.message) for w in caught] == [
        f"{path}, row 1: row 1 above the header skipped ('Identifiants ma cantine')"
    ]


@pytest.mark.parametrize("ident", ["99999999999999999999999", "9223372036854775808", "0"])
def test_an_id_no_canteen_of_the_platform_can_have_is_an_error(tmp_path: Path, ident: str) -> None:
    """The platform's ids are 64-bit (BigAutoField): a larger number, like a spreadsheet's
    float whose digits are lost (1e25), is no canteen's."""
    path = tmp_path / "ids.csv"
    path.write_text(f"canteen_id;cantine_id\nLENS_1;{ident}\nLIEVIN_1;9223372036854775807\n")
    with pytest.raises(ScenarioError) as caught:
        read_platform_ids(path, "cantine_id")
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "cantine_id")]


def test_a_file_that_is_no_workbook_says_so_in_the_active_language(tmp_path: Path) -> None:
    path = tmp_path / "ids.xlsx"
    path.write_text("canteen_id;siret\n")
    with pytest.raises(ScenarioError) as caught:
        read_platform_ids(path, "siret")
    [problem] = caught.value.problems
    assert problem.message.startswith("unreadable workbook: not an Excel .xlsx file")
    assert "engine" not in problem.message  # the reader's own English words


def test_ids_given_in_code_are_read_once_before_the_duplicate_check(
    scenario: Scenario, solution: Solution
) -> None:
    # '001' and '1' are one platform canteen: two canteens cannot both be it.
    with pytest.raises(ScenarioError, match="cantine_id 1 given to several canteens"):
        purchase_file(scenario, solution, cantine_ids={"LENS_1": "001", "LIEVIN_1": "1"})
    frame = purchase_file(scenario, solution, cantine_ids={"LENS_1": "001", "LIEVIN_1": "2"})
    assert sorted(set(frame["cantine_id"])) == ["1", "2"]
