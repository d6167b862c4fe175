"""Purchase files against ma cantine's own fixtures and test expectations, both reading modes.

The platform's fixtures (``tests/data/macantine/platform/``, betagouv/ma-cantine release
2026.39.1, ``api/tests/files/achats/``) and what its tests expect of them
(``api/tests/test_purchases_import.py``, ``test_purchases_import_old.py``): the counts, rows
and wording below are theirs. The ``cases/`` files are the faults found in rhd_match.
"""

from __future__ import annotations

import datetime as dt
import gettext
import pickle
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rhd_match import Scenario, ScenarioError, egalim_accounting, i18n
from rhd_match.cli.main import main
from rhd_match.macantine.export import export_plan
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

DATA = Path(__file__).parent / "data" / "macantine"
PLATFORM = DATA / "platform"
CASES = DATA / "cases"
TODAY = dt.date(2026, 9, 30)  # after every fixture's dates
REQUIRED = "La valeur est obligatoire et doit être renseignée"
BAD_DATE = "La date doit être écrite sous la forme `aaaa-mm-jj`"
BAD_NUMBER = "La valeur ne doit comporter que des chiffres et le point comme séparateur décimal"
WIDTH = "La ligne n'a pas le même nombre de cellules que l'en-tête"

GOOD = sorted(p.name for p in PLATFORM.iterdir() if p.name.startswith("purchases_good"))
# Lines the platform's tests find in each good file.
GOOD_COUNTS = {
    "purchases_good.csv": 8,
    "purchases_good_old.csv": 8,
    "purchases_good_id_caracteristics.csv": 2,
    "purchases_good_siret_caracteristics.csv": 2,
    "purchases_good_local_vs_circuit_court.csv": 2,
    "purchases_good_with_empty_columns.xlsx": 2,
    "purchases_good_with_empty_columns_old.xlsx": 2,
}


def shown(path: Path) -> pd.DataFrame:
    found = check_purchases(path, today=TODAY)
    return found[found["shown_now"]]


@pytest.mark.parametrize("name", GOOD)
def test_platform_good_files_pass_the_check_and_read_the_same(name: str) -> None:
    assert check_purchases(PLATFORM / name, today=TODAY).empty
    with warnings.catch_warnings():
        warnings.simplefilter("error", PurchaseWarning)
        lines = read_purchases(PLATFORM / name, today=TODAY)
    assert len(lines) == GOOD_COUNTS.get(name, 1)


def test_platform_good_values_as_the_platform_stores_them() -> None:
    lines = read_purchases(PLATFORM / "purchases_good.csv", today=TODAY).set_index("description")
    first = lines.loc["Pommes, rouges, local"]
    assert first["siret"] == "21010034300016" and first["supplier"] == "Le bon traiteur"
    assert first["value_eur_ht"] == 90.11 and first["family"] == "PRODUITS_LAITIERS"
    assert (
        first["labels"] == "BIO" and first["local"] and first["local_definition"] == "DEPARTEMENT"
    )
    assert lines.loc["Pommes, vertes 3", "labels"] == "BIO"  # "BIO " trimmed
    assert lines.loc["Pommes, vertes 6", "local_definition"] == "KM"
    assert pd.isna(lines.loc["Pommes, vertes 6", "local_km"])
    assert lines.loc["Pommes, vertes 7", "local_km"] == 200
    old = read_purchases(PLATFORM / "purchases_good_old.csv", today=TODAY).set_index("description")
    assert old.loc["Pommes, rouges, local", "labels"] == "BIO"  # "BIO, LOCAL": trimmed
    assert bool(old.loc["Pommes, rouges, local", "local"])
    # AUTRE -> KM without distance, AUTOUR_SERVICE -> KM 200 (purchase_import_old.py)
    assert old.loc["Pommes, vertes 6", "local_definition"] == "KM"
    assert pd.isna(old.loc["Pommes, vertes 6", "local_km"])
    assert old.loc["Pommes, vertes 7", "local_km"] == 200
    floating = read_purchases(PLATFORM / "purchases_good_floating_number.csv", today=TODAY)
    assert floating["value_eur_ht"].tolist() == [90.11]
    both = read_purchases(PLATFORM / "purchases_good_id_caracteristics.csv", today=TODAY)
    assert both["canteen_id"].tolist() == ["949", "949"]
    assert both["origin"].tolist() == ["FRANCE", "EUROPE"]
    assert both["short_circuit"].tolist() == [True, False]


@pytest.mark.parametrize("name", ["purchases_bad.csv", "purchases_bad_old.csv"])
def test_platform_bad_file_gets_the_platform_s_eleven_errors(name: str) -> None:
    found = shown(PLATFORM / name)
    assert set(found["stage"]) == {"schema"}
    wanted = [
        (2, "siret", REQUIRED),
        (5, "description", REQUIRED),
        (6, "famille_produits", REQUIRED),
        (7, "date", REQUIRED),
        (8, "date", BAD_DATE),
        (9, "date", BAD_DATE),
        (10, "prix_ht", REQUIRED),
        (11, "prix_ht", BAD_NUMBER),
        (12, "famille_produits", "NOPE ne respecte pas le motif imposé"),
        (13, "categories_egalim", "BIO,NOPE ne respecte pas le motif imposé"),
        (15, None, WIDTH),
    ]
    if name.endswith("_old.csv"):
        wanted[9] = (13, "caracteristiques", "BIO,NOPE ne respecte pas le motif imposé")
    got = list(zip(found["row"], found["column"], found["message"], strict=True))
    assert len(got) == len(wanted) == 11
    for (row, column, message), (want_row, want_column, want_text) in zip(got, wanted, strict=True):
        assert (row, column) == (want_row, want_column)
        assert want_text in message


@pytest.mark.parametrize(
    ("name", "count", "text"),
    [
        ("purchases_bad_no_header.csv", 12, "Valeur incorrecte vous avez écrit"),
        ("purchases_bad_no_header_old.csv", 8, "Valeur incorrecte vous avez écrit"),
        ("purchases_bad_wrong_header.csv", 5, "Valeur incorrecte vous avez écrit"),
        ("purchases_bad_wrong_header_old.csv", 5, "Valeur incorrecte vous avez écrit"),
        ("purchases_bad_wrong_header_typo.csv", 12, "Valeur incorrecte vous avez écrit"),
        ("purchases_bad_wrong_header_typo_old.csv", 8, "Valeur incorrecte vous avez écrit"),
        ("purchases_bad_partial_header.csv", 1, "Première ligne du fichier incorrecte"),
        ("purchases_bad_partial_header_old.csv", 1, "Première ligne du fichier incorrecte"),
        ("purchases_bad_corrupt.csv", 1, "Première ligne du fichier incorrecte"),
        ("purchases_bad_extra_columns.csv", 1, "4 extra columns"),
        ("purchases_bad_extra_columns_old.csv", 1, "4 extra columns"),
        ("purchases_bad_empty_rows.csv", 2, "ligne vide"),
        ("purchases_bad_empty_rows_old.csv", 2, "ligne vide"),
        ("purchases_bad_one_error.csv", 1, BAD_NUMBER),
    ],
)
def test_platform_bad_files_get_the_platform_s_answer(name: str, count: int, text: str) -> None:
    found = shown(PLATFORM / name)
    assert len(found) == count
    assert all(text in m for m in found["message"])


def test_header_typos_name_each_column_as_the_platform_does() -> None:
    found = shown(PLATFORM / "purchases_bad_wrong_header_typo.csv")
    assert found["column"].tolist()[:2] == ["siret", "description"]
    assert found["message"].iloc[0].startswith("'s_iret' instead of 'siret'")
    assert "'Origine' instead of 'origine'" in found["message"].iloc[7]


def test_baseline_refuses_what_has_no_meaning_in_the_platform_s_bad_file() -> None:
    with (
        pytest.raises(ScenarioError) as info,
        pytest.warns(PurchaseWarning, match="description"),
    ):
        read_purchases(PLATFORM / "purchases_bad.csv", today=TODAY)
    found = {(p.row, p.column) for p in info.value.problems}
    # The empty description (row 5) is read as meant; everything else the platform refuses
    # has no meaning to read.
    assert (5, "description") not in found
    assert {(2, "siret"), (8, "date"), (11, "prix_ht"), (13, "categories_egalim")} <= found
    assert (15, None) in found
    assert str(info.value).startswith(f"{len(info.value.problems)} problems in 'purchases_bad.csv'")


# -- the cases found in rhd_match -------------------------------------------------------------


CASE_ANSWERS = [
    # (file, refusal (row, column) or None when accepted, baseline warns)
    ("F1_blank_row.csv", (3, None), True),
    ("F2_label_space.csv", (2, "categories_egalim"), True),
    ("F3_cantine_id_text.csv", (2, "cantine_id"), True),
    ("F4_old_format.csv", None, False),
    ("F5_siret_spaces.csv", None, False),
    ("F6a_date_short.csv", None, False),
    ("F6b_exponent.csv", None, False),
    ("F6d_blank_description.csv", None, False),
    ("F7a_flag_spaces.csv", (2, "est_circuit_court"), True),
]


@pytest.mark.parametrize(("name", "refusal", "warns"), CASE_ANSWERS)
def test_cases_both_modes(name: str, refusal: tuple[int, str | None] | None, warns: bool) -> None:
    found = check_purchases(CASES / name, today=TODAY)
    if refusal is None:
        assert found.empty, found.to_string()
    else:
        assert (int(found["row"].iloc[0]), found["column"].iloc[0]) == refusal
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        lines = read_purchases(CASES / name, today=TODAY)
    assert any(issubclass(w.category, PurchaseWarning) for w in record) == warns
    assert len(lines) == 1


def test_cases_read_as_meant() -> None:
    def one(name: str) -> pd.Series:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PurchaseWarning)
            return read_purchases(CASES / name, today=TODAY).iloc[0]

    assert one("F2_label_space.csv")["labels"] == "BIO,COMMERCE_EQUITABLE"
    assert one("F3_cantine_id_text.csv")["canteen_id"] == "C001"
    old = one("F4_old_format.csv")
    assert (old["labels"], bool(old["local"]), old["local_definition"]) == (
        "BIO",
        True,
        "DEPARTEMENT",
    )
    assert check_purchases(CASES / "F4_old_format.csv").attrs["format"] == "achats_siret_old"
    assert one("F5_siret_spaces.csv")["siret"] == "99900000000003"
    assert one("F6a_date_short.csv")["date"] == pd.Timestamp("2025-05-02")
    assert one("F6b_exponent.csv")["value_eur_ht"] == 1000.0
    assert one("F6d_blank_description.csv")["description"] == ""
    flags = one("F7a_flag_spaces.csv")
    assert bool(flags["local"]) and bool(flags["short_circuit"])
    both = check_purchases(CASES / "F7a_flag_spaces.csv", today=TODAY)
    assert both["column"].tolist() == ["est_circuit_court", "est_local"]


def test_what_the_platform_will_say_in_french() -> None:
    """The command line's default language: the refusals in French around the platform's
    own words."""
    from rhd_match.i18n import use_language

    with use_language("fr"):
        flags = check_purchases(CASES / "F7a_flag_spaces.csv", today=TODAY)
        ids = check_purchases(CASES / "F3_cantine_id_text.csv", today=TODAY)
    assert (
        flags["message"].tolist()
        == ["«  x » : exactement OUI, oui ou x pour oui ; non, NON ou vide pour non"] * 2
    )
    assert ids["message"].tolist() == [
        f"« C001 » : pas un nombre (« {BAD_NUMBER} ») ; cantine_id contient l’identifiant "
        "numérique de la cantine sur la plateforme"
    ]


def test_siret_with_non_breaking_spaces_in_a_purchase_file(tmp_path: Path) -> None:
    path = tmp_path / "achats.csv"
    text = (CASES / "achats_siret_espaces.csv").read_text(encoding="utf-8")
    path.write_text(text.replace("216 204", "216\u00a0204").replace("980 ", "980\u202f"), "utf-8")
    with pytest.warns(PurchaseWarning, match="<U\\+202F>"):
        lines = read_purchases(path, today=TODAY)
    assert lines["siret"].tolist() == ["21620498000017"] * 2
    [refusal] = check_purchases(path, today=TODAY).itertuples()
    # The platform removes spaces and non-breaking spaces, not narrow non-breaking ones.
    assert (refusal.row, refusal.column, refusal.stage) == (2, "siret", "import")
    assert "'216<U+00A0>204<U+00A0>980<U+202F>00017'" not in refusal.message
    assert "<U+202F>" in refusal.message


def test_percentage_tie_meets_the_target_as_on_the_platform() -> None:
    figures = purchase_figures(read_purchases(CASES / "C2_percent_tie.csv", today=TODAY))
    row = figures.iloc[0]
    assert row["share_organic"] < 0.2  # 119.97 / 600.00 = 0.19995 exactly
    assert row["pourcentage_bio"] == 20.0  # Decimal 19.995 -> 20.00 half even
    assert not row["objectifs_egalim_atteints"]  # 20.00 % organic, but 20.00 % EGalim < 50
    lines = pd.DataFrame(
        {
            "canteen_id": ["1"] * 3,
            "value_eur_ht": [119.97, 180.03, 300.00],
            "family": ["AUTRES"] * 3,
            "labels": ["BIO", "HVE", ""],
            "date": ["2025-03-01"] * 3,
        }
    )
    both = purchase_figures(lines).iloc[0]
    assert (both["pourcentage_bio"], both["pourcentage_egalim"]) == (20.0, 50.0)
    assert both["objectifs_egalim_atteints"]


def test_hve_fair_trade_line_counts_zero_in_the_declared_sub_amount() -> None:
    figures = purchase_figures(read_purchases(CASES / "C1_hve_ce.csv", today=TODAY))
    row = figures.iloc[0]
    assert row["valeur_egalim_autres"] == 100.0
    assert row["valeur_fruits_et_legumes_hve"] == 100.0
    assert row["valeur_egalim_autres_dont_commerce_equitable"] == 0.0


def test_legacy_and_unknown_codes_are_never_ignored(tmp_path: Path) -> None:
    lines = pd.DataFrame(
        {"value_eur_ht": [100.0, 50.0], "family": ["AUTRES"] * 2, "labels": ["CONVERSION_BIO", ""]}
    )
    with pytest.raises(ValueError, match=r"CONVERSION_BIO.*write BIO"):
        egalim_accounting(lines)
    with pytest.raises(ValueError, match="unknown label 'LABEL_VERT' "):
        egalim_accounting(lines.assign(labels=["LABEL_VERT", ""]))
    header = (PLATFORM / "purchases_good_id.csv").read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "achats.csv"
    path.write_text(
        header + "\n949,Pommes,V,2025-03-03,100.00,AUTRES,CONVERSION_BIO,,,,,\n", "utf-8"
    )
    with pytest.warns(PurchaseWarning, match="CONVERSION_BIO read as BIO"):
        lines = read_purchases(path, today=TODAY)
    assert purchase_figures(lines)["valeur_bio"].tolist() == [100.0]
    assert check_purchases(path, today=TODAY)["column"].tolist() == ["categories_egalim"]
    with pytest.raises(ValueError, match=r"EQUIVALENTS.*legacy ma cantine code"):
        egalim_accounting(lines.assign(labels=["EQUIVALENTS"]))


def test_equivalents_is_read_with_externalities_as_the_platform_counts_it(
    tmp_path: Path,
) -> None:
    # ma cantine's purchase summaries count EQUIVALENTS with externalities/performance
    # (CHARACTERISTIC_LABELS_EXTERNALITES_PERFORMANCE), as CONVERSION_BIO with organic; its
    # import refuses both.
    path = tmp_path / "achats.csv"
    path.write_text(
        "cantine_id;description;fournisseur;date;prix_ht;famille_produits;categories_egalim;"
        "origine;est_circuit_court;est_local;definition_local;definition_local_km\n"
        "949;Pommes;V;2025-03-03;100.00;FRUITS_ET_LEGUMES;EQUIVALENTS;;;;;\n"
        "949;Carottes;V;2025-03-03;300.00;FRUITS_ET_LEGUMES;;;;;;\n",
        encoding="cp1252",
    )
    with pytest.warns(PurchaseWarning, match="EQUIVALENTS read as EXTERNALITES"):
        lines = read_purchases(path, today=TODAY)
    assert lines["labels"].tolist() == ["EXTERNALITES", ""]
    figures = purchase_figures(lines).iloc[0]
    assert figures["valeur_externalites_performance"] == 100.0
    assert figures["valeur_fruits_et_legumes_externalites"] == 100.0
    assert figures["share_quality"] == 0.25
    found = check_purchases(path, today=TODAY)
    assert found[["stage", "row", "column"]].values.tolist() == [["schema", 2, "categories_egalim"]]
    assert found["message"][0].startswith("« EQUIVALENTS ne respecte pas le motif imposé »")


def test_lines_of_spaces_or_a_tab_are_blank_lines(tmp_path: Path) -> None:
    header = (PLATFORM / "purchases_good.csv").read_text(encoding="utf-8").splitlines()[0]
    line = "21010034300016;Pommes;F;2025-05-02;90.11;PRODUITS_LAITIERS;;;;;;"
    path = tmp_path / "achats.csv"
    path.write_text(
        "\n".join([header.replace(",", ";"), line, "   ", line, "\t", line]) + "\n", "cp1252"
    )
    with pytest.warns(PurchaseWarning, match="row 3: a row of spaces, skipped.*row 5: a row"):
        lines = read_purchases(path, today=TODAY)
    assert lines["row"].tolist() == [2, 4, 6]
    # The platform (frictionless, the schema checked) reads the spaces as a cell: no « ligne
    # vide », the cells the row lacks.
    found = check_purchases(path, today=TODAY)
    assert found[["stage", "row"]].values.tolist() == [["schema", 3], ["schema", 5]]
    assert found["column"].isna().all()
    assert found["message"].str.contains("only spaces or a tab: delete it").all()
    assert found["message"].str.endswith(f"« {WIDTH} »").all()


def test_a_title_row_above_the_header_is_skipped_when_read_refused_at_upload(
    tmp_path: Path,
) -> None:
    header = (PLATFORM / "purchases_good.csv").read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "achats.csv"
    path.write_text(
        "Achats 2025 — cantine Jaurès;;;;;;;;;;;\n"
        + header.replace(",", ";")
        + "\n21010034300016;Pommes;F;2025-05-02;90.11;PRODUITS_LAITIERS;;;;;;\n",
        encoding="cp1252",
    )
    with pytest.warns(PurchaseWarning, match="row 1 above the header skipped"):
        lines = read_purchases(path, today=TODAY)
    assert lines[["siret", "row"]].values.tolist() == [["21010034300016", 3]]
    # The platform takes the first row as the header (common/api/validata.py).
    found = check_purchases(path, today=TODAY)
    assert set(found["stage"]) == {"header"} and len(found) == 12
    assert found["message"][0].endswith("row 2 holds the header: delete the rows above it")


def test_a_canteen_id_with_leading_zeros_is_the_platform_s_canteen(tmp_path: Path) -> None:
    # The import looks the canteen up by its integer key: Django reads '001' with int().
    header = (PLATFORM / "purchases_good_id.csv").read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "achats.csv"
    path.write_text(header + "\n001,Pommes,F,2025-05-02,90.11,PRODUITS_LAITIERS,,,,,,\n")
    assert check_purchases(path, today=TODAY).empty
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_purchases(path, today=TODAY)["canteen_id"].tolist() == ["1"]
    path.write_text(header + "\n1.0,Pommes,F,2025-05-02,90.11,PRODUITS_LAITIERS,,,,,,\n")
    assert check_purchases(path, today=TODAY)["stage"].tolist() == ["import"]
    ids = tmp_path / "ids.csv"
    ids.write_text("canteen_id;cantine_id\nLENS_1;001\n", encoding="utf-8")
    assert read_platform_ids(ids, "cantine_id") == {"LENS_1": "1"}


# -- SIRET and id files -------------------------------------------------------------------------


def test_siret_files_with_spaces_of_every_kind_and_windows_1252() -> None:
    want = {"LENS_1": "21620498000017", "LIEVIN_1": "12345678900015"}
    assert read_sirets(CASES / "sirets.csv")["LENS_1"] == want["LENS_1"]
    # narrow no-break spaces: the platform keeps them, so the id is read with a warning
    with pytest.warns(IdFileWarning, match="row 3, column 'siret'"):
        assert read_sirets(CASES / "sirets_nbsp.csv")["LENS_1"] == want["LENS_1"]
    with pytest.warns(IdFileWarning, match="not UTF-8: read as Windows-1252"):
        assert read_sirets(CASES / "sirets_cp1252.csv") == want


def test_bad_siret_message_shows_invisible_characters(tmp_path: Path) -> None:
    path = tmp_path / "sirets.csv"
    path.write_text("canteen_id,siret\nLENS_1,2162049800001\u00a0x\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        read_sirets(path)
    [problem] = info.value.problems
    assert "<U+00A0>" in problem.message and problem.row == 2
    path.write_text("canteen_id;cantine_id\nLENS_1;949\nLIEVIN_1;C12\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="'C12' is not a ma cantine canteen id"):
        read_platform_ids(path, "cantine_id")


def test_an_id_file_without_its_id_column_is_refused_in_its_file(tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text("canteen_id;siret\nLENS_1;21620498000017\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        read_platform_ids(path, "cantine_id")
    [problem] = info.value.problems
    assert (problem.table, problem.row, problem.column, problem.file) == (
        "ids",
        1,
        "cantine_id",
        str(path),
    )


# -- a plan's purchase file -----------------------------------------------------------------------


def demo_flows(scenario: Scenario) -> pd.DataFrame:
    """A plan's flows over the demo, built without solving: every third demand line bought
    from a producer offering the product that week, the rest conventionally."""
    demand = scenario.demand.merge(scenario.products, on="product_id")
    offers = scenario.offers.drop_duplicates(["product_id", "week"])
    lines = demand.merge(
        offers[["product_id", "week", "producer_id", "price_eur_ht", "labels"]],
        on=["product_id", "week"],
        how="left",
    )
    producer = lines["producer_id"].notna() & (np.arange(len(lines)) % 3 == 0)
    price = lines["price_eur_ht"].where(producer, lines["reference_price_eur_ht"])
    return pd.DataFrame(
        {
            "supplier": np.where(producer, "producer", "conventional"),
            "producer_id": lines["producer_id"].where(producer),
            "canteen_id": lines["canteen_id"],
            "product_id": lines["product_id"],
            "week": lines["week"],
            "family": lines["family"],
            "qty": lines["qty"],
            "qty_kg": lines["qty"] * lines["kg_per_unit"],
            "price_eur_ht": price,
            "value_eur_ht": lines["qty"] * price,
            "labels": lines["labels"].where(producer, "").fillna(""),
            "distance_km": 10.0,
            "local": producer.to_numpy(),
        }
    )


def test_the_readme_says_when_lines_are_dated_after_the_export(tmp_path: Path) -> None:
    """The README said the files « peuvent être déposés tels quels » while the same export
    warned of lines dated in the future, which ma cantine refuses."""
    scenario = Scenario.demo()
    solution = demo_flows(scenario)
    ids = {c: str(900 + i) for i, c in enumerate(sorted(scenario.canteens["canteen_id"]))}
    before = dt.date(2026, 6, 30)
    with pytest.warns(UserWarning, match="dated after 2026-06-30"):
        export_plan(scenario, solution, tmp_path / "early", cantine_ids=ids, today=before)
    readme = (tmp_path / "early" / "README.md").read_text(encoding="utf-8")
    assert "tels quels" not in readme and "datées après l’export" in readme
    assert "- `declaration.csv`, `declaration.json` : " in readme  # a French colon


def test_demo_purchase_file_passes_the_check_with_platform_ids(tmp_path: Path) -> None:
    scenario = Scenario.demo()
    solution = demo_flows(scenario)
    canteens = sorted(scenario.canteens["canteen_id"].astype(str))
    ids = {c: str(900 + i) for i, c in enumerate(canteens)}
    after = dt.date(2027, 3, 1)
    export_plan(scenario, solution, tmp_path / "ids", cantine_ids=ids, today=after, language="en")
    found = check_purchases(tmp_path / "ids" / "achats.csv", today=after)
    assert found.empty, found.head().to_string()
    readme = (tmp_path / "ids" / "README.md").read_text(encoding="utf-8")
    assert "can be uploaded to ma cantine as they are" in readme
    with pytest.warns(PlatformIdWarning, match="cannot be uploaded as it is"):
        export_plan(scenario, solution, tmp_path / "none", today=after, language="en")
    readme = (tmp_path / "none" / "README.md").read_text(encoding="utf-8")
    assert "cannot be uploaded to ma cantine as they are" in readme
    refused = check_purchases(tmp_path / "none" / "achats.csv", today=after)
    assert set(refused["column"]) == {"cantine_id"}


def test_cli_check_purchases(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["check-purchases", str(PLATFORM / "purchases_good.csv"), "--today", "2026-09-30"])
        == 0
    )
    assert "will accept" in capsys.readouterr().out
    assert (
        main(["check-purchases", str(CASES / "F2_label_space.csv"), "--today", "2026-09-30"]) == 1
    )
    out = capsys.readouterr().out
    assert "row 2, column categories_egalim" in out and "' COMMERCE_EQUITABLE'" in out
    assert "old-format" not in out
    assert main(["check-purchases", str(CASES / "F4_old_format.csv"), "--today", "2026-09-30"]) == 0
    assert "old-format import page" in capsys.readouterr().out


PURCHASE_HEADER = (
    "siret,description,fournisseur,date,prix_ht,famille_produits,categories_egalim,origine,"
    "est_circuit_court,est_local,definition_local,definition_local_km"
)
PURCHASE_ROW = "21010034300016,Pommes,F,2026-05-04,{price},AUTRES,,,,,,"


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        (
            "en",
            [
                "row 1: 1 column, expected 12 (",
                "row 2: 1 field, expected 12 (",
                "row 1, column note: 1 extra column after 'definition_local_km': delete it",
                "rows 3, 5, 7, 9, 11 and 1 more, column prix_ht:",
            ],
        ),
        (
            "fr",
            [
                "ligne 1 : 1 colonne, 12 attendues (",
                "ligne 2 : 1 champ, 12 attendus (",
                "ligne 1, colonne note : 1 colonne en trop après « definition_local_km » : "
                "supprimez-la",
                "lignes 3, 5, 7, 9, 11 et 1 autre, colonne prix_ht :",
            ],
        ),
    ],
)
def test_check_purchases_counts_one_in_the_singular(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, said: list[str]
) -> None:
    """A count of 1 reads "1 column", "1 colonne", "1 autre", never "1 colonnes"."""
    files = {
        "one_column.csv": "siret\n21010034300016\n",
        "one_field.csv": f"{PURCHASE_HEADER}\n21010034300016\n",
        "one_extra.csv": f"{PURCHASE_HEADER},note\n{PURCHASE_ROW.format(price='9.5')},\n",
        "six_runs.csv": "\n".join(
            [PURCHASE_HEADER]
            + [PURCHASE_ROW.format(price="x" if i % 2 else "9.5") for i in range(12)]
        )
        + "\n",
    }
    for (name, text), expected in zip(files.items(), said, strict=True):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert main(["--lang", lang, "check-purchases", str(path), "--today", "2026-09-30"]) == 1
        [line] = [s.strip() for s in capsys.readouterr().out.splitlines()[1:]]
        assert line.startswith(expected), line


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "row 2, column prix_ht: 'abc' is not a number ("),
        ("fr", "ligne 2, colonne prix_ht : « abc » : pas un nombre ("),
    ],
)
def test_check_purchases_quotes_a_value_as_the_language_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, said: str
) -> None:
    """A cell's value is quoted « » in French, '' in English (docs/i18n.md, *House forms*)."""
    path = tmp_path / "achats.csv"
    path.write_text(f"{PURCHASE_HEADER}\n{PURCHASE_ROW.format(price='abc')}\n", encoding="utf-8")
    assert main(["--lang", lang, "check-purchases", str(path), "--today", "2026-09-30"]) == 1
    [line] = [s.strip() for s in capsys.readouterr().out.splitlines()[1:]]
    assert line.startswith(said), line


def test_a_file_that_is_not_a_purchase_file_lists_the_columns_once(tmp_path: Path) -> None:
    scenario_table = Path(__file__).parent / "data" / "variants" / "reference" / "canteens.csv"
    # before upload: the platform's message for each column, the list of columns in one
    found = shown(scenario_table)
    assert len(found) == 13
    assert sum("siret,description,fournisseur" in m for m in found["message"]) == 1
    # as a baseline: one error for the header, saying what it is
    with pytest.raises(ScenarioError) as info:
        read_purchases(scenario_table, today=TODAY)
    (problem,) = info.value.problems
    assert problem.row == 1 and problem.column is None
    assert problem.message.startswith("not a ma cantine purchase file: its first row is")
    assert problem.message.count("siret,description,fournisseur") == 1


class _Marked(gettext.NullTranslations):
    """A language that marks every message it translates: ⟦message⟧."""

    def gettext(self, message: str) -> str:
        return f"⟦{message}⟧"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return f"⟦{singular if n == 1 else plural}⟧"


def test_notes_of_the_purchase_reading_go_through_gettext(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(i18n, "translations", lambda language: _Marked())
    header = (PLATFORM / "purchases_good_id.csv").read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "achats.csv"
    path.write_text(header + "\n949,Pommes,V,2025-03-03,100.00,AUTRES,CONVERSION_BIO,,,,,\n")
    [message] = check_purchases(path, today=TODAY)["message"]
    assert message.endswith(
        "⟦CONVERSION_BIO read as BIO (organic in conversion counts as organic)⟧"
    )
    path.write_text(header + "\n949,Pommes,V,2025-03-03,100.00,BOISSONS,LABEL_ROUGE,,,,,\n")
    with pytest.warns(PurchaseWarning, match=r"^⟦1 line flagged by ma cantine: ⟦row 2: LABEL_R"):
        read_purchases(path, today=TODAY)
    assert check_purchases(tmp_path / "none.csv")["message"].tolist() == ["⟦file not found⟧"]
    lines = pd.DataFrame({"value_eur_ht": [1.0], "family": ["AUTRES"], "labels": ["EQUIVALENTS"]})
    with pytest.raises(
        ValueError, match=r"^⟦labels not counted.*⟦'EQUIVALENTS' is a legacy .*: ⟦no"
    ):
        egalim_accounting(lines)


# -- ids read once, as the platform reads them (faults of a new user) ---------------------------


def test_two_canteens_given_one_platform_canteen_in_two_spellings_are_refused(
    tmp_path: Path,
) -> None:
    ids = tmp_path / "ids.csv"
    ids.write_text("canteen_id;cantine_id\nLENS_1;001\nLIEVIN_1;1\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        read_platform_ids(ids, "cantine_id")
    [problem] = info.value.problems
    assert (problem.file, problem.row, problem.column) == (str(ids), 3, "cantine_id")
    assert (
        problem.message
        == "cantine_id 1 given to several canteens (LENS_1 (row 2), LIEVIN_1 (row 3))"
    )
    assert str(info.value).startswith("1 problem in 'ids.csv':")


def test_an_id_file_says_what_it_reads_differently_and_refuses_what_is_unsure(
    tmp_path: Path,
) -> None:
    ids = tmp_path / "ids.csv"
    ids.write_text("canteen_id;cantine_id\nLENS_1;001\nLIEVIN_1;2.0\n", encoding="cp1252")
    with pytest.warns(IdFileWarning) as caught:
        assert read_platform_ids(ids, "cantine_id") == {"LENS_1": "1", "LIEVIN_1": "2"}
    assert [str(w.message) for w in caught] == [
        f"{ids}, row 3, column 'cantine_id': '2.0' read as '2' (ma cantine would refuse it "
        "as written)"
    ]
    ids.write_text("canteen_id;cantine_id\nLENS_1;12 3\nLIEVIN_1;4\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        read_platform_ids(ids, "cantine_id")
    [problem] = info.value.problems
    assert (problem.row, problem.column) == (2, "cantine_id")
    assert problem.message.startswith("'12 3' is not a number")
    sirets = tmp_path / "sirets.csv"
    sirets.write_text(
        "canteen_id;siret\nLENS_1;216 204 980 00017\nLIEVIN_1;12345678900015.0\n", "utf-8"
    )
    with pytest.warns(IdFileWarning) as caught:
        got = read_sirets(sirets)
    assert got == {"LENS_1": "21620498000017", "LIEVIN_1": "12345678900015"}
    assert [str(w.message).split(":")[0] for w in caught] == [f"{sirets}, row 3, column 'siret'"]


def test_a_failed_id_file_read_lists_its_warnings_and_names_the_file(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "sf.xlsx"
    book = openpyxl.Workbook()
    for row in (("canteen_id", "siret"), ("LENS_1", 1234567800002), ("LIEVIN_1", "2,16205E+13")):
        book.active.append(row)
    book.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # said inside the error, not before it
        with pytest.raises(ScenarioError) as info:
            read_sirets(path)
    assert str(info.value).startswith("1 problem in 'sf.xlsx', and 1 warning:\n")
    assert [(p.row, p.severity) for p in info.value.problems] == [(2, "warning"), (3, "error")]
    again = pickle.loads(pickle.dumps(info.value))
    assert (str(again), again.subject) == (str(info.value), "sf.xlsx")
    assert str(ScenarioError(info.value.problems[1:])).startswith("1 problem in the scenario:")


def test_a_canteen_id_written_1_0_is_canteen_1_in_the_baseline(tmp_path: Path) -> None:
    header = (PLATFORM / "purchases_good_id.csv").read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "achats.csv"
    line = "{},Pommes,F,2025-05-02,90.11,PRODUITS_LAITIERS,,,,,,\n"
    path.write_text(header + "\n" + line.format("1.0") + line.format("001"), encoding="utf-8")
    with pytest.warns(PurchaseWarning, match="'1.0': a canteen id is a whole number"):
        figures = purchase_figures(read_purchases(path, today=TODAY))
    assert figures["canteen_id"].tolist() == ["1"]
    assert figures["valeur_totale"].tolist() == [180.22]
    assert check_purchases(path, today=TODAY)["row"].tolist() == [2]


def test_a_title_row_above_an_id_header_names_the_id_format(tmp_path: Path) -> None:
    header = (PLATFORM / "purchases_good_id.csv").read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "achats.csv"
    path.write_text(
        "Achats 2025 de la cantine\n" + header + "\n1,Pommes,F,2025-05-02,90.11,"
        "PRODUITS_LAITIERS,,,,,,\n",
        encoding="utf-8",
    )
    [refusal] = check_purchases(path, today=TODAY).itertuples()
    assert refusal.row == 1
    assert "1 column, expected 12" in refusal.message
    assert "the 12 columns are cantine_id,description," in refusal.message


def test_the_package_exports_its_public_api() -> None:
    import rhd_match.macantine as package
    from rhd_match.macantine import reading

    assert package.read_purchases is reading.read_purchases
    assert package.check_purchases is reading.check_purchases
