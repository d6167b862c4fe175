"""Producer order sheets and contract summary: they add up to the plan's producer flows."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from factories import tiny_frames

from rhd_match import Scenario, Solution
from rhd_match.cli.main import main
from rhd_match.plan.orders import ORDER_COLUMNS, contract_summary, order_sheets, write_orders
from rhd_match.writing import file_name_for, people_csv_writer


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return Scenario.from_frames(**tiny_frames())


@pytest.fixture(scope="module")
def solution(scenario: Scenario) -> Solution:
    return scenario.solve(strategy="mip")


def hand_flows() -> pd.DataFrame:
    """Three producer lines and one conventional line, with round numbers."""
    return pd.DataFrame(
        {
            "supplier": ["producer", "producer", "conventional", "producer"],
            "producer_id": ["FARM_B", "FARM_A", None, "FARM_A"],
            "canteen_id": ["LENS_1", "LIEVIN_1", "LIEVIN_1", "LIEVIN_1"],
            "product_id": ["APPLE", "YOGURT", "BEEF", "BEEF"],
            "week": ["2026-W04", "2026-W03", "2026-W03", "2026-W05"],
            "family": [
                "FRUITS_ET_LEGUMES",
                "PRODUITS_LAITIERS",
                "VIANDES_VOLAILLES",
                "VIANDES_VOLAILLES",
            ],
            "qty": [10.0, 400.0, 3.0, 2.0],
            "qty_kg": [10.0, 50.0, 3.0, 2.0],
            "price_eur_ht": [2.0, 0.5, 11.5, 13.0],
            "value_eur_ht": [20.0, 200.0, 34.5, 26.0],
            "labels": ["HVE", "BIO,FERMIER", "", "LABEL_ROUGE"],
            "distance_km": [16.0, 15.0, float("nan"), 15.0],
            "local": [True, True, False, True],
        }
    )


def test_order_sheets_of_hand_flows(scenario: Scenario) -> None:
    sheets = order_sheets(scenario, hand_flows())
    assert list(sheets.columns) == list(ORDER_COLUMNS)
    # Sorted by producer, week, canteen, product; the conventional line is not an order.
    assert list(zip(sheets["producer_id"], sheets["week"], strict=True)) == [
        ("FARM_A", "2026-W03"),
        ("FARM_A", "2026-W05"),
        ("FARM_B", "2026-W04"),
    ]
    assert list(sheets["delivery_date"]) == ["2026-01-12", "2026-01-26", "2026-01-19"]
    assert list(sheets["producer_name"]) == [
        "Ferme des Deux Vallées",
        "Ferme des Deux Vallées",
        "Verger de l'Artois",
    ]
    assert list(sheets["canteen_name"]) == [
        "Collège Descartes, Liévin",
        "Collège Descartes, Liévin",
        "École Jean Macé, Lens",
    ]
    assert list(sheets["product_name"]) == ["Yaourt nature", "Boeuf haché", "Pomme"]
    assert list(sheets["unit"]) == ["piece", "kg", "kg"]
    assert list(sheets["qty"]) == [400.0, 2.0, 10.0]
    assert list(sheets["value_eur_ht"]) == [200.0, 26.0, 20.0]
    assert list(sheets["labels"]) == ["BIO,FERMIER", "LABEL_ROUGE", "HVE"]


def test_contract_summary_of_hand_flows(scenario: Scenario) -> None:
    summary = contract_summary(scenario, hand_flows())
    assert list(zip(summary["producer_id"], summary["canteen_id"], strict=True)) == [
        ("FARM_A", "LIEVIN_1"),
        ("FARM_B", "LENS_1"),
    ]
    a = summary.iloc[0]
    assert a["weeks_delivered"] == 2
    assert (a["first_week"], a["last_week"]) == ("2026-W03", "2026-W05")
    assert a["qty_kg"] == 52.0 and a["value_eur_ht"] == 226.0
    assert a["n_products"] == 2 and a["products"] == "Boeuf haché; Yaourt nature"
    b = summary.iloc[1]
    assert (b["weeks_delivered"], b["qty_kg"], b["value_eur_ht"]) == (1, 10.0, 20.0)


def test_order_sheets_add_up_to_the_plans_producer_flows(
    scenario: Scenario, solution: Solution
) -> None:
    flows = solution.flows
    producer = flows[flows["supplier"] == "producer"]
    # In this scenario every producer line is local (no local radius set).
    assert producer.equals(flows[flows["local"]])
    sheets = order_sheets(scenario, solution)
    assert len(sheets) == len(producer) > 0
    for keys in (["producer_id"], ["producer_id", "week"], ["producer_id", "canteen_id"]):
        got = sheets.groupby(keys)[["qty_kg", "value_eur_ht"]].sum()
        want = producer.groupby(keys)[["qty_kg", "value_eur_ht"]].sum()
        pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12)
    # Each delivery date is the Monday of its ISO week.
    for week, day in zip(sheets["week"], sheets["delivery_date"], strict=True):
        date = dt.date.fromisoformat(day)
        assert (
            date.weekday() == 0 and f"{date.isocalendar()[0]}-W{date.isocalendar()[1]:02d}" == week
        )
    # Quantities in units times kg per unit give the kg.
    kg_per_unit = scenario.products.set_index("product_id")["kg_per_unit"]
    assert (
        (sheets["qty"] * kg_per_unit.reindex(sheets["product_id"]).to_numpy())
        .round(9)
        .equals(sheets["qty_kg"].round(9))
    )
    keys = ["producer_id", "week", "canteen_id", "product_id"]
    assert sheets[keys].equals(sheets[keys].sort_values(keys).reset_index(drop=True))


def test_contract_summary_totals_equal_the_order_sheets(
    scenario: Scenario, solution: Solution
) -> None:
    sheets = order_sheets(scenario, solution)
    summary = contract_summary(scenario, solution)
    assert summary["qty_kg"].sum() == pytest.approx(sheets["qty_kg"].sum(), rel=1e-12)
    assert summary["value_eur_ht"].sum() == pytest.approx(sheets["value_eur_ht"].sum(), rel=1e-12)
    for row in summary.to_dict(orient="records"):
        part = sheets[
            (sheets["producer_id"] == row["producer_id"])
            & (sheets["canteen_id"] == row["canteen_id"])
        ]
        assert row["weeks_delivered"] == len(set(part["week"]))
        assert row["first_week"] == min(part["week"]) and row["last_week"] == max(part["week"])
        assert row["qty_kg"] == pytest.approx(part["qty_kg"].sum())
        assert row["value_eur_ht"] == pytest.approx(part["value_eur_ht"].sum())
        assert row["products"].split("; ") == sorted(set(part["product_name"]))
    pairs = sheets[["producer_id", "canteen_id"]].drop_duplicates()
    assert len(summary) == len(pairs)


def test_writers_per_producer_and_all_or_nothing(
    scenario: Scenario, solution: Solution, tmp_path: Path
) -> None:
    written = write_orders(scenario, solution, tmp_path / "one")
    assert sorted(p.name for p in written) == ["contract_summary.csv", "order_sheets.csv"]
    sheets = order_sheets(scenario, solution)
    # a file for people: labelled, ';' and decimal comma (tests/test_workbook.py checks more)
    back = pd.read_csv(
        tmp_path / "one" / "order_sheets.csv", sep=";", decimal=",", encoding="utf-8-sig"
    )
    assert len(back) == len(sheets)
    total = back["Montant (€ HT)"].sum()
    assert total == pytest.approx(sheets["value_eur_ht"].sum(), abs=0.005 * len(sheets))

    written = write_orders(scenario, solution, tmp_path / "split", per_producer=True)
    producers = sorted(sheets["producer_id"].unique())
    assert sorted(p.name for p in written) == sorted(
        ["contract_summary.csv", *(f"orders_{p}.csv" for p in producers)]
    )
    for p in producers:
        part = pd.read_csv(tmp_path / "split" / f"orders_{p}.csv", sep=";", encoding="utf-8-sig")
        assert set(part["Identifiant producteur"]) == {p}
        assert len(part) == (sheets["producer_id"] == p).sum()

    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "order_sheets.csv").mkdir()  # a folder where a file should go: the move fails
    with pytest.raises(OSError):
        write_orders(scenario, solution, blocked)
    assert sorted(p.name for p in blocked.iterdir()) == ["order_sheets.csv"]


def test_file_names_differ_by_more_than_case() -> None:
    """A market supplier GROS and a producer Gros gave orders_GROS.csv and orders_Gros.csv,
    one file on Windows and macOS."""
    taken: set[str] = set()
    names = [file_name_for(i, "orders", "csv", taken) for i in ["GROS", "Gros", "gros", "A/B"]]
    assert names == ["orders_GROS.csv", "orders_Gros_2.csv", "orders_gros_3.csv", "orders_A_B.csv"]


def test_suppliers_whose_ids_would_share_a_file_get_one_each(tmp_path: Path) -> None:
    """EARL/Dupont and EARL_Dupont ended export --per-producer in an internal error."""
    first, second = "EARL/Dupont", "EARL_Dupont"
    frames = tiny_frames()
    for table in ("producers", "offers"):
        ids = frames[table]["producer_id"]
        frames[table]["producer_id"] = ids.map({"FARM_A": first, "FARM_B": second})
    scenario = Scenario.from_frames(**frames)
    solution = scenario.solve(strategy="mip")
    written = write_orders(scenario, solution, tmp_path, per_producer=True)
    orders = [p for p in written if p.name.startswith("orders_")]
    assert len({p.name.casefold() for p in orders}) == len(orders) == 2
    suppliers = {
        frozenset(
            pd.read_csv(p, sep=";", encoding="utf-8-sig", dtype=str)["Identifiant producteur"]
        )
        for p in orders
    }
    assert suppliers == {frozenset([first]), frozenset([second])}


def test_order_files_neutralise_text_a_spreadsheet_would_run(tmp_path: Path) -> None:
    """Names beginning with ``=``, ``+``, ``-``, ``@`` get a ``'`` in every order file for
    people; the ids, numbers and other text are written as they are."""
    frames = tiny_frames()
    frames["products"]["name"] = ['=HYPERLINK("http://x","clic")', "+33 Pommes", "@SUM(A1:A2)"]
    frames["producers"]["name"] = ["-Ferme", "@Verger"]
    frames["canteens"]["name"] = ["École, =1+1", "Collège"]
    scenario = Scenario.from_frames(**frames)
    solution = scenario.solve(strategy="mip")
    written = write_orders(scenario, solution, tmp_path, per_producer=True)
    cells = {
        path.name: pd.read_csv(
            path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False
        )
        for path in written
    }
    orders = pd.concat([c for name, c in cells.items() if name.startswith("orders_")])
    assert set(orders["Produit"]) == {
        '\'=HYPERLINK("http://x","clic")',
        "'+33 Pommes",
        "'@SUM(A1:A2)",
    }
    assert set(orders["Producteur"]) == {"'-Ferme", "'@Verger"}
    assert set(orders["Cantine"]) == {"École, =1+1", "Collège"}  # '=' inside: no formula
    assert set(cells["contract_summary.csv"]["Producteur"]) == {"'-Ferme", "'@Verger"}
    starts = ("=", "+", "-", "@", "\t")
    for table in cells.values():
        assert not any(str(v).startswith(starts) for v in table.to_numpy().ravel())


#: Names a spreadsheet would run as formulas, given to the small case's rows in turn.
FORMULA_NAMES = {
    "canteens": ['=HYPERLINK("http://x","clic")', "+33 Collège"],
    "producers": ["-Ferme", "@Verger"],
    "products": ["=1+1", "@SUM(A1:A2)", "-Yaourt"],
}


def test_names_a_spreadsheet_would_run_through_the_verbs(tmp_path: Path) -> None:
    """End to end through ``rhd-match``: the CSV files for people that ``export`` writes show
    each name behind a ``'``; the analysis verbs' CSV files are data (comma, ids, every digit)
    and hold no name at all, so there is nothing in them to neutralise. (The ma cantine
    purchase file keeps the names as the platform stores them: it is read by a program.)"""
    folder = tmp_path / "scenario"
    shutil.copytree(Path(__file__).parent / "data" / "cases" / "cli-small-scenario", folder)
    for table, names in FORMULA_NAMES.items():
        frame = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
        frame["name"] = (names * len(frame))[: len(frame)]
        frame.to_csv(folder / f"{table}.csv", index=False)
    verbs = {
        "export": ["--time-limit", "20"],
        "bottlenecks": [],
        "tours": ["--time-limit", "20"],
        "whatif": ["--time-limit", "20"],
        "tradeoff": ["--points", "3"],
        "menus": [],
    }
    for verb, options in verbs.items():
        out = str(tmp_path / verb)
        assert main(["--lang", "fr", verb, str(folder), "--out", out, "--quiet", *options]) == 0
    for name in ("order_sheets.csv", "contract_summary.csv"):
        cells = pd.read_csv(
            tmp_path / "export" / name, sep=";", encoding="utf-8-sig", dtype=str
        ).to_numpy()
        assert "'-Ferme" in cells and "'@Verger" in cells
        assert not any(str(v).startswith(("=", "+", "-", "@")) for v in cells.ravel())
    orders = pd.read_csv(
        tmp_path / "export" / "order_sheets.csv", sep=";", encoding="utf-8-sig", dtype=str
    )
    assert set(orders["Produit"]) <= {"'=1+1", "'@SUM(A1:A2)", "'-Yaourt"}
    assert set(orders["Cantine"]) <= {'\'=HYPERLINK("http://x","clic")', "'+33 Collège"}
    written = [p for verb in verbs if verb != "export" for p in (tmp_path / verb).glob("*.csv")]
    assert len(written) >= 10  # guards the walk: every verb wrote its tables
    names = [n for listed in FORMULA_NAMES.values() for n in listed]
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert not [n for n in names if n in text], path.name


def test_people_csv_writer_leaves_numbers_alone(tmp_path: Path) -> None:
    """A negative number is not text: rounded or not, it is written without a quote."""
    frame = pd.DataFrame(
        {"Note": ["-à revoir", "\tok"], "Quantité": [-3.0, 2.5], "Semaines": [-1, 4]}
    )
    people_csv_writer(frame, {"Quantité": 2})(tmp_path / "f.csv")
    text = (tmp_path / "f.csv").read_text(encoding="utf-8-sig")
    assert text == "Note;Quantité;Semaines\n'-à revoir;-3,00;-1\n'\tok;2,50;4\n"


@pytest.mark.parametrize(
    ("language", "kinds"),
    [
        ("fr", {"Producteur", "Grossiste ou plateforme"}),
        ("en", {"producer", "wholesaler or platform"}),
    ],
)
def test_files_for_people_name_the_supplier_kind_in_their_language(
    tmp_path: Path, language: str, kinds: set[str]
) -> None:
    """``producer`` and ``market`` are ids: the order files and the workbook's orders sheet
    name them for their reader (they said ``producer`` and ``market`` in French files)."""
    import openpyxl
    from factories import tiny_market

    from rhd_match.report import write_reports

    scenario = Scenario.from_frames(**tiny_frames(), market=tiny_market())
    solution = scenario.solve(strategy="mip")
    assert set(solution.flows["supplier"]) >= {"producer", "market"}
    write_orders(scenario, solution, tmp_path, language=language)
    write_reports(scenario, solution, tmp_path / "reports", language=language)
    for name in ("order_sheets.csv", "contract_summary.csv"):
        table = pd.read_csv(tmp_path / name, sep=";", encoding="utf-8-sig", dtype=str)
        supplier = [c for c in table.columns if c in ("Type de fournisseur", "Supplier kind")]
        assert supplier and set(table[supplier[0]]) == kinds, name
    sheets = pd.read_csv(tmp_path / "order_sheets.csv", sep=";", encoding="utf-8-sig", dtype=str)
    unit = "Unité" if language == "fr" else "Unit"
    assert ("pièce" if language == "fr" else "piece") in set(sheets[unit])  # the yogurt
    book = openpyxl.load_workbook(tmp_path / "reports" / "results.xlsx", read_only=True)
    sheet = book["Commandes" if language == "fr" else "Orders"]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("Type de fournisseur" if language == "fr" else "Supplier kind")
    assert {row[column] for row in rows[1:]} == kinds
