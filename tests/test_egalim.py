"""EGalim accounting: hand-computed declarations and properties of the counting rules.

Expected figures are computed by hand from the rules in ``docs/egalim.md`` (ma cantine's
``PurchaseQuerySet.aggregated_stats`` and ``Purchase._complete_diag_data_appro_labels``), never
copied from the implementation: the arithmetic is in the comments.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples

from rhd_match import egalim_accounting, line_classes
from rhd_match.egalim import parse_labels

# Written out here rather than imported, so that a change in the module is caught by the tests.
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
GROUP_FIELDS = {
    "bio": "valeur_bio",
    "siqo": "valeur_siqo",
    "egalim_autres": "valeur_egalim_autres",
    "externalites_performance": "valeur_externalites_performance",
}
#: Detailed declaration split, grouped by the quality group each detail belongs to.
DETAILS_OF_GROUP = {
    "bio": ["bio"],
    "siqo": ["label_rouge", "aocaop_igp_stg"],
    "egalim_autres": ["hve", "peche_durable", "rup", "commerce_equitable", "fermier"],
    "externalites_performance": ["externalites", "performance"],
}
ALL_DETAILS = [d for details in DETAILS_OF_GROUP.values() for d in details]


def line(value: float, family: str, labels: str = "", canteen_id: str = "A") -> dict[str, object]:
    return {"value_eur_ht": value, "family": family, "labels": labels, "canteen_id": canteen_id}


def account(*lines: dict[str, object]) -> pd.Series:
    """The one-row declaration of ``lines``, as a Series of fields."""
    result = egalim_accounting(pd.DataFrame(lines))
    assert len(result) == 1
    return result.iloc[0]


def nonzero_fields(row: pd.Series, prefix: str) -> dict[str, float]:
    return {
        k: float(v)
        for k, v in row.items()
        if str(k).startswith(prefix) and not str(k).startswith("share_") and v != 0
    }


# -- multi-label lines (the worked cases of egalim.md) ----------------------------------------


def test_bio_and_label_rouge_counts_as_bio_once() -> None:
    row = account(
        line(100.0, "FRUITS_ET_LEGUMES", "BIO,LABEL_ROUGE"),
        line(300.0, "FRUITS_ET_LEGUMES"),
    )
    assert row["valeur_totale"] == 400.0  # 100 + 300
    assert row["valeur_bio"] == 100.0
    assert row["valeur_siqo"] == 0.0  # not counted a second time as Label Rouge
    assert row["valeur_fruits_et_legumes_bio"] == 100.0
    assert row["valeur_fruits_et_legumes_label_rouge"] == 0.0
    assert row["share_organic"] == pytest.approx(0.25)  # 100 / 400
    assert row["share_quality"] == pytest.approx(0.25)  # (100 bio + 0) / 400, not 200 / 400


def test_igp_and_hve_counts_as_siqo_detail_aocaop_igp_stg() -> None:
    row = account(line(80.0, "PRODUITS_LAITIERS", "IGP,HVE"), line(20.0, "PRODUITS_LAITIERS"))
    assert row["valeur_siqo"] == 80.0
    assert row["valeur_egalim_autres"] == 0.0
    assert row["valeur_produits_laitiers_aocaop_igp_stg"] == 80.0
    assert row["valeur_produits_laitiers_hve"] == 0.0
    assert row["share_quality"] == pytest.approx(0.8)  # 80 / (80 + 20)
    assert row["share_organic"] == 0.0


def test_hve_and_fair_trade_counts_as_egalim_autres_detail_hve() -> None:
    row = account(line(60.0, "FRUITS_ET_LEGUMES", "HVE,COMMERCE_EQUITABLE"))
    assert row["valeur_egalim_autres"] == 60.0
    assert row["valeur_fruits_et_legumes_hve"] == 60.0
    assert row["valeur_fruits_et_legumes_commerce_equitable"] == 0.0
    # As the platform's complete declaration (from the detailed split), not its purchase
    # summary (which says 60): see docs/macantine.md.
    assert row["valeur_egalim_autres_dont_commerce_equitable"] == 0.0
    assert row["valeur_bio_dont_commerce_equitable"] == 0.0
    assert row["share_quality"] == 1.0  # 60 / 60


def test_fair_trade_and_fermier_counts_as_detail_commerce_equitable() -> None:
    row = account(line(45.0, "PRODUITS_LAITIERS", "COMMERCE_EQUITABLE,FERMIER"))
    assert row["valeur_egalim_autres"] == 45.0
    assert row["valeur_produits_laitiers_commerce_equitable"] == 45.0
    assert row["valeur_produits_laitiers_fermier"] == 0.0
    assert row["valeur_egalim_autres_dont_commerce_equitable"] == 45.0


def test_bio_and_fair_trade_counts_in_bio_dont_commerce_equitable() -> None:
    row = account(
        line(30.0, "AUTRES", "BIO,COMMERCE_EQUITABLE"),
        line(70.0, "AUTRES", "COMMERCE_EQUITABLE"),
    )
    assert row["valeur_bio"] == 30.0
    assert row["valeur_bio_dont_commerce_equitable"] == 30.0
    assert row["valeur_egalim_autres"] == 70.0  # the fair-trade-only line
    assert row["valeur_egalim_autres_dont_commerce_equitable"] == 70.0  # not 30 + 70
    assert row["valeur_autres_bio"] == 30.0
    assert row["valeur_autres_commerce_equitable"] == 70.0
    assert row["share_organic"] == pytest.approx(0.3)  # 30 / (30 + 70)
    assert row["share_quality"] == 1.0  # (30 + 70) / 100


def test_labels_cell_tolerates_case_blanks_and_repetition() -> None:
    classes = line_classes(pd.Series([" hve , Bio ", "FERMIER,FERMIER", None, ""]))
    assert classes["group"].tolist() == ["bio", "egalim_autres", "", ""]
    assert classes["detail"].tolist() == ["bio", "fermier", "", ""]
    assert classes["is_organic"].tolist() == [True, False, False, False]
    assert classes["is_quality"].tolist() == [True, True, False, False]


@pytest.mark.parametrize("empty", [None, float("nan"), pd.NA, "", " , "])
def test_a_missing_labels_cell_has_no_label(empty: object) -> None:
    assert parse_labels(empty) == ()


def test_labels_cell_splits_on_semicolons_too() -> None:
    """French spreadsheets list with semicolons: 'BIO;HVE' is two labels."""
    assert parse_labels("bio; HVE,IGP") == ("BIO", "HVE", "IGP")


# -- the label order, one case at a time ------------------------------------------------------

# (labels of the line, group it counts in, detail it counts in). Each pair puts a label next to
# the one just after it in the detail order bio → label_rouge → aocaop_igp_stg → hve →
# peche_durable → rup → commerce_equitable → fermier → externalites → performance; the first wins.
ORDER_CASES = [
    ("BIO,LABEL_ROUGE", "bio", "bio"),
    ("LABEL_ROUGE,AOCAOP", "siqo", "label_rouge"),
    ("AOCAOP,HVE", "siqo", "aocaop_igp_stg"),
    ("IGP,HVE", "siqo", "aocaop_igp_stg"),
    ("STG,HVE", "siqo", "aocaop_igp_stg"),
    ("HVE,PECHE_DURABLE", "egalim_autres", "hve"),
    ("PECHE_DURABLE,RUP", "egalim_autres", "peche_durable"),
    ("RUP,COMMERCE_EQUITABLE", "egalim_autres", "rup"),
    ("COMMERCE_EQUITABLE,FERMIER", "egalim_autres", "commerce_equitable"),
    ("FERMIER,EXTERNALITES", "egalim_autres", "fermier"),
    ("EXTERNALITES,PERFORMANCE", "externalites_performance", "externalites"),
    ("PERFORMANCE", "externalites_performance", "performance"),
    # group order across non-adjacent labels: the group wins over the position in the cell
    ("PERFORMANCE,BIO", "bio", "bio"),
    ("FERMIER,STG", "siqo", "aocaop_igp_stg"),
    ("EXTERNALITES,RUP", "egalim_autres", "rup"),
    ("BIO,LABEL_ROUGE,IGP,HVE,COMMERCE_EQUITABLE,FERMIER,PERFORMANCE", "bio", "bio"),
]


@pytest.mark.parametrize(("labels", "group", "detail"), ORDER_CASES)
@pytest.mark.parametrize("reverse", [False, True], ids=["as-written", "reversed"])
def test_label_order(labels: str, group: str, detail: str, reverse: bool) -> None:
    written = ",".join(reversed(labels.split(","))) if reverse else labels
    classes = line_classes(pd.Series([written]))
    assert classes.loc[0, "group"] == group
    assert classes.loc[0, "detail"] == detail

    row = account(line(10.0, "BOULANGERIE", written), line(30.0, "BOULANGERIE"))
    # the 10 EUR line lands in exactly one group and one detail field
    groups = {g: float(row[f]) for g, f in GROUP_FIELDS.items() if row[f] != 0}
    assert groups == {group: 10.0}
    assert nonzero_fields(row, "valeur_boulangerie_") == {f"valeur_boulangerie_{detail}": 10.0}
    assert row["share_quality"] == pytest.approx(0.25)  # 10 / (10 + 30), counted once


def test_unlabelled_line_counts_for_nothing_but_the_base() -> None:
    row = account(line(25.0, "BOISSONS"))
    assert row["valeur_totale"] == 25.0
    assert sum(float(row[f]) for f in GROUP_FIELDS.values()) == 0.0
    assert nonzero_fields(row, "valeur_boissons_") == {}
    assert row["share_quality"] == 0.0


# -- meat and fish ----------------------------------------------------------------------------


def test_meat_and_fish_shares_exclude_charcuterie() -> None:
    row = account(
        line(200.0, "VIANDES_VOLAILLES", "LABEL_ROUGE"),
        line(300.0, "VIANDES_VOLAILLES"),
        line(100.0, "PRODUITS_DE_LA_MER", "PECHE_DURABLE"),
        line(100.0, "PRODUITS_DE_LA_MER"),
        line(400.0, "CHARCUTERIE", "LABEL_ROUGE"),
        line(100.0, "CHARCUTERIE"),
        line(500.0, "FRUITS_ET_LEGUMES", "BIO"),
    )
    assert row["valeur_viandes_volailles"] == 500.0  # 200 + 300
    assert row["valeur_viandes_volailles_egalim"] == 200.0
    assert row["valeur_produits_de_la_mer"] == 200.0  # 100 + 100
    assert row["valeur_produits_de_la_mer_egalim"] == 100.0
    assert row["share_meat"] == pytest.approx(0.4)  # 200 / 500
    assert row["share_fish"] == pytest.approx(0.5)  # 100 / 200
    # (200 + 100) / (500 + 200) = 3/7; with charcuterie it would be 700 / 1200
    assert row["share_meat_fish"] == pytest.approx(3 / 7)
    assert row["valeur_totale"] == 1700.0  # 500 + 200 + 500 + 500
    # quality: 200 LR + 100 PD + 400 LR (charcuterie counts here) + 500 BIO = 1200
    assert row["share_quality"] == pytest.approx(1200 / 1700)
    assert row["share_organic"] == pytest.approx(500 / 1700)


def test_any_egalim_label_counts_for_meat_including_externalites() -> None:
    row = account(
        line(40.0, "VIANDES_VOLAILLES", "PERFORMANCE"),
        line(60.0, "VIANDES_VOLAILLES", "FERMIER"),
        line(100.0, "VIANDES_VOLAILLES"),
    )
    assert row["valeur_viandes_volailles_egalim"] == 100.0  # 40 + 60
    assert row["share_meat"] == pytest.approx(0.5)  # 100 / 200
    assert math.isnan(row["share_fish"])  # no seafood bought
    assert row["share_meat_fish"] == pytest.approx(0.5)  # (100 + 0) / (200 + 0)


# -- zero purchases ---------------------------------------------------------------------------


def test_no_purchase_gives_zero_values_and_nan_shares() -> None:
    empty = pd.DataFrame({"value_eur_ht": [], "family": [], "labels": []})
    row = egalim_accounting(empty).iloc[0]
    assert row["valeur_totale"] == 0.0
    assert row["valeur_bio"] == 0.0
    for share in ["share_organic", "share_quality", "share_meat_fish", "share_meat", "share_fish"]:
        assert math.isnan(row[share]), share


def test_zero_value_lines_give_nan_shares() -> None:
    row = account(line(0.0, "VIANDES_VOLAILLES", "BIO"), line(0.0, "FRUITS_ET_LEGUMES"))
    assert row["valeur_totale"] == 0.0
    assert math.isnan(row["share_organic"])
    assert math.isnan(row["share_quality"])
    assert math.isnan(row["share_meat"])


def test_no_meat_or_fish_gives_nan_meat_shares_but_numeric_quality() -> None:
    row = account(line(50.0, "FRUITS_ET_LEGUMES", "BIO"), line(50.0, "BOULANGERIE"))
    assert row["share_quality"] == pytest.approx(0.5)  # 50 / 100
    assert math.isnan(row["share_meat"])
    assert math.isnan(row["share_fish"])
    assert math.isnan(row["share_meat_fish"])


# -- grouping ---------------------------------------------------------------------------------


def test_grouping_by_canteen() -> None:
    lines = pd.DataFrame(
        [
            line(100.0, "VIANDES_VOLAILLES", "LABEL_ROUGE", "LENS"),
            line(100.0, "VIANDES_VOLAILLES", "", "LENS"),
            line(50.0, "FRUITS_ET_LEGUMES", "BIO", "LENS"),
            line(80.0, "FRUITS_ET_LEGUMES", "BIO,HVE", "LIEVIN"),
            line(20.0, "BOULANGERIE", "", "LIEVIN"),
        ]
    )
    result = egalim_accounting(lines, by="canteen_id")
    assert sorted(result.index) == ["LENS", "LIEVIN"]
    lens, lievin = result.loc["LENS"], result.loc["LIEVIN"]
    assert lens["valeur_totale"] == 250.0  # 100 + 100 + 50
    assert lens["share_quality"] == pytest.approx(0.6)  # (100 LR + 50 BIO) / 250
    assert lens["share_organic"] == pytest.approx(0.2)  # 50 / 250
    assert lens["share_meat"] == pytest.approx(0.5)  # 100 / 200
    assert lievin["valeur_totale"] == 100.0  # 80 + 20
    assert lievin["share_organic"] == pytest.approx(0.8)  # 80 / 100
    assert lievin["valeur_egalim_autres"] == 0.0  # BIO,HVE counted as bio only
    assert math.isnan(lievin["share_meat"])  # Liévin bought no meat


def test_grouping_by_a_categorical_key_lists_only_canteens_with_purchases() -> None:
    """A categorical ``canteen_id`` (as read from a spreadsheet) with a canteen that bought
    nothing: one row per canteen with lines, none for the other (no all-NaN row)."""
    lines = pd.DataFrame([line(100.0, "FRUITS_ET_LEGUMES", "BIO", "LENS")])
    lines["canteen_id"] = pd.Categorical(lines["canteen_id"], categories=["LENS", "ARRAS"])
    result = egalim_accounting(lines, by="canteen_id")
    assert list(result.index) == ["LENS"]
    assert result.loc["LENS", "share_organic"] == 1.0


def test_grouping_by_two_keys() -> None:
    lines = pd.DataFrame(
        [
            line(10.0, "AUTRES", "BIO", "LENS") | {"week": "2026-W03"},
            line(30.0, "AUTRES", "", "LENS") | {"week": "2026-W03"},
            line(40.0, "AUTRES", "", "LENS") | {"week": "2026-W04"},
        ]
    )
    result = egalim_accounting(lines, by=["canteen_id", "week"])
    assert len(result) == 2
    assert result.loc[("LENS", "2026-W03"), "share_organic"] == pytest.approx(0.25)  # 10 / 40
    assert result.loc[("LENS", "2026-W04"), "share_organic"] == 0.0


# -- properties -------------------------------------------------------------------------------

label_sets = st.lists(st.sampled_from(LABELS), unique=True, max_size=4).map(",".join)
lines_strategy = st.lists(
    st.fixed_dictionaries(
        {
            # whole cents, as on an invoice
            "value_eur_ht": st.integers(0, 5_000_000).map(lambda cents: cents / 100),
            "family": st.sampled_from(FAMILIES),
            "labels": label_sets,
            "canteen_id": st.sampled_from(["A", "B", "C"]),
        }
    ),
    max_size=25,
).map(lambda rows: pd.DataFrame(rows, columns=["value_eur_ht", "family", "labels", "canteen_id"]))

PROPERTY_SETTINGS = settings(max_examples=examples(40))
# These call the accounting four times an example.
SLOW_PROPERTY_SETTINGS = settings(max_examples=examples(25))


def _value_fields(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.startswith("valeur_")]


@PROPERTY_SETTINGS
@given(lines_strategy)
def test_shares_match_an_independent_count_and_lie_in_unit_interval(lines: pd.DataFrame) -> None:
    row = egalim_accounting(lines).iloc[0]
    values = lines["value_eur_ht"].to_numpy(dtype=float)
    labels = lines["labels"].str.split(",")
    labelled = labels.map(lambda labs: any(lab in LABELS for lab in labs)).to_numpy(dtype=bool)
    organic = labels.map(lambda labs: "BIO" in labs).to_numpy(dtype=bool)
    meat_fish = lines["family"].isin(["VIANDES_VOLAILLES", "PRODUITS_DE_LA_MER"]).to_numpy()
    total, base_mf = values.sum(), values[meat_fish].sum()
    if total > 0:
        for share in ["share_organic", "share_quality"]:
            assert 0.0 <= row[share] <= 1.0
        # a line counts toward quality iff it has a label, toward organic iff BIO is one of them
        assert row["share_quality"] == pytest.approx(values[labelled].sum() / total)
        assert row["share_organic"] == pytest.approx(values[organic].sum() / total)
    else:
        assert math.isnan(row["share_quality"])
        assert math.isnan(row["share_organic"])
    if base_mf > 0:
        assert 0.0 <= row["share_meat_fish"] <= 1.0
        assert row["share_meat_fish"] == pytest.approx(values[meat_fish & labelled].sum() / base_mf)
    else:
        assert math.isnan(row["share_meat_fish"])
    for share, family in [
        ("share_meat", "VIANDES_VOLAILLES"),
        ("share_fish", "PRODUITS_DE_LA_MER"),
    ]:
        base = values[(lines["family"] == family).to_numpy()].sum()
        if base > 0:
            assert 0.0 <= row[share] <= 1.0
        else:
            assert math.isnan(row[share])


@PROPERTY_SETTINGS
@given(lines_strategy)
def test_organic_counted_once_inside_quality(lines: pd.DataFrame) -> None:
    row = egalim_accounting(lines).iloc[0]
    quality = sum(float(row[f]) for f in GROUP_FIELDS.values())
    tolerance = 1e-9 * max(1.0, float(row["valeur_totale"]))
    assert 0.0 <= row["valeur_bio"] <= quality + tolerance
    assert quality <= row["valeur_totale"] + tolerance
    assert row["valeur_bio_dont_commerce_equitable"] <= row["valeur_bio"] + tolerance
    assert (
        row["valeur_egalim_autres_dont_commerce_equitable"]
        <= row["valeur_egalim_autres"] + tolerance
    )
    if row["valeur_totale"] > 0:
        assert row["share_organic"] <= row["share_quality"] + 1e-12


@SLOW_PROPERTY_SETTINGS
@given(lines_strategy, st.randoms(use_true_random=False))
def test_order_of_lines_is_irrelevant(lines: pd.DataFrame, rng: random.Random) -> None:
    order = list(range(len(lines)))
    rng.shuffle(order)
    shuffled = lines.iloc[order].reset_index(drop=True)
    for by in [None, "canteen_id"]:
        pd.testing.assert_frame_equal(
            egalim_accounting(lines, by=by),
            egalim_accounting(shuffled, by=by),
            check_exact=False,
            rtol=1e-9,
            atol=1e-9,
        )


@SLOW_PROPERTY_SETTINGS
@given(lines_strategy.filter(lambda f: len(f) > 0), st.data())
def test_splitting_a_line_changes_nothing(lines: pd.DataFrame, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(lines) - 1), label="line split")
    cents = round(lines.loc[i, "value_eur_ht"] * 100)
    first = data.draw(st.integers(0, cents), label="cents in first part")
    part_a, part_b = lines.loc[[i]].copy(), lines.loc[[i]].copy()
    part_a["value_eur_ht"] = first / 100
    part_b["value_eur_ht"] = (cents - first) / 100
    split = pd.concat([lines.drop(index=i), part_a, part_b], ignore_index=True)
    assert len(split) == len(lines) + 1
    for by in [None, "canteen_id"]:
        pd.testing.assert_frame_equal(
            egalim_accounting(lines, by=by),
            egalim_accounting(split, by=by),
            check_exact=False,
            rtol=1e-9,
            atol=1e-6,
        )


@PROPERTY_SETTINGS
@given(lines_strategy)
def test_detailed_fields_sum_to_group_totals(lines: pd.DataFrame) -> None:
    result = egalim_accounting(lines, by="canteen_id")
    families = [f.lower() for f in FAMILIES]
    expected_columns = {f"valeur_{fam}_{d}" for fam in families for d in ALL_DETAILS}
    assert expected_columns <= set(result.columns)
    for _, row in result.iterrows():
        for group, details in DETAILS_OF_GROUP.items():
            detailed = sum(float(row[f"valeur_{fam}_{d}"]) for fam in families for d in details)
            assert detailed == pytest.approx(row[GROUP_FIELDS[group]], abs=1e-6)
        for fam in ["viandes_volailles", "produits_de_la_mer"]:
            detailed = sum(float(row[f"valeur_{fam}_{d}"]) for d in ALL_DETAILS)
            assert detailed == pytest.approx(row[f"valeur_{fam}_egalim"], abs=1e-6)
    # per family, the detail fields add up to that family's labelled purchases
    for fam in FAMILIES:
        in_family = lines[(lines["family"] == fam) & (lines["labels"] != "")]
        detailed = sum(float(result[f"valeur_{fam.lower()}_{d}"].sum()) for d in ALL_DETAILS)
        assert detailed == pytest.approx(float(in_family["value_eur_ht"].sum()), abs=1e-6)


@PROPERTY_SETTINGS
@given(lines_strategy)
def test_grouped_values_add_up_to_the_whole(lines: pd.DataFrame) -> None:
    whole = egalim_accounting(lines)
    grouped = egalim_accounting(lines, by="canteen_id")
    assert set(grouped.index) == set(lines["canteen_id"])
    fields = _value_fields(whole)
    np.testing.assert_allclose(
        grouped[fields].sum().to_numpy(dtype=float),
        whole[fields].iloc[0].to_numpy(dtype=float),
        rtol=1e-9,
        atol=1e-6,
    )
