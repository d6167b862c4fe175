"""Every validation rule of the input schema, broken once each on the tiny scenario.

The cases are read from :data:`rhd_match.inputs.schema.TABLES`, so a rule added to the schema
gets its breaking input here without editing this file: a missing required column, a blank
where a value is required, a non-number, an infinite number, a value below its minimum or not
positive (a product weighing 0 kg), above its maximum, a fraction in a whole-number column, an
unknown choice, a malformed ISO week, an unknown label, a duplicate key and an unknown foreign
id. Each must be reported as an error naming its table, row and column, and the valid tiny
scenario (the same frames unbroken) must pass.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
import pytest
from factories import tiny_distances, tiny_frames, tiny_groups, tiny_hubs, tiny_market

from rhd_match import Scenario, ScenarioError
from rhd_match.i18n import use_language
from rhd_match.inputs.schema import TABLES, Column

#: The validation messages read here are the English source strings.
pytestmark = pytest.mark.usefixtures("english_messages")

Frames = dict[str, pd.DataFrame]


def _frames() -> Frames:
    """The tiny scenario's tables with its market, groups, hubs and distances tables (fresh
    copies)."""
    optional = {"market": tiny_market(), "groups": tiny_groups(), "hubs": tiny_hubs()}
    return tiny_frames() | optional | {"distances": tiny_distances()}


#: (table, row as a person sees it or None, column) the error must name.
Where = tuple[str, int | None, str]


def _set(table: str, column: str, value: object) -> Callable[[Frames], None]:
    def apply(frames: Frames) -> None:
        frame = frames[table]
        # An optional column the tiny frames leave out is added, empty, to be broken.
        frame[column] = frame[column].astype(object) if column in frame else None
        frame.loc[0, column] = value

    return apply


def _cases() -> dict[str, tuple[Callable[[Frames], None], Where]]:
    cases: dict[str, tuple[Callable[[Frames], None], Where]] = {}
    for table in TABLES.values():
        for col in table.columns:
            here: Where = (table.name, 2, col.name)
            name = f"{table.name}.{col.name}"
            if col.required:
                cases[f"{name} missing"] = (
                    lambda f, t=table.name, c=col.name: f.__setitem__(t, f[t].drop(columns=[c])),
                    (table.name, None, col.name),
                )
            if not col.nullable:
                cases[f"{name} blank"] = (_set(table.name, col.name, None), here)
            for what, edit in _bad_values(table.name, col):
                cases[f"{name} {what}"] = (edit, here)
        first_key = table.key[0]
        cases[f"{table.name} duplicate key"] = (
            lambda f, t=table.name: f.__setitem__(t, pd.concat([f[t], f[t].iloc[[0]]])),
            (table.name, len(_frames()[table.name]) + 2, first_key),
        )
        for col_name, target in table.foreign.items():
            cases[f"{table.name}.{col_name} unknown in {target}"] = (
                _set(table.name, col_name, "NOWHERE"),
                (table.name, 2, col_name),
            )
    return cases


def _bad_values(table: str, col: Column) -> list[tuple[str, Callable[[Frames], None]]]:
    out: list[tuple[str, Callable[[Frames], None]]] = []
    if col.kind in ("float", "int"):
        out.append(("not a number", _set(table, col.name, "abc")))
        out.append(("infinite", _set(table, col.name, math.inf)))
        if col.positive:
            out.append(("zero (must be > 0)", _set(table, col.name, 0.0)))
        if col.minimum is not None:
            out.append(("below its minimum", _set(table, col.name, col.minimum - 0.5)))
        if col.maximum is not None:
            out.append(("above its maximum", _set(table, col.name, col.maximum + 0.5)))
        if col.kind == "int":
            out.append(("not whole", _set(table, col.name, 1.5)))
    elif col.kind == "choice":
        out.append(("not a choice", _set(table, col.name, "NOT_A_CHOICE")))
    elif col.kind == "week":
        out.append(("not an ISO week", _set(table, col.name, "2026-W60")))
    elif col.kind == "labels":
        out.append(("unknown label", _set(table, col.name, "BIO,NOT_A_LABEL")))
    elif col.kind == "days":
        out.append(("not weekdays", _set(table, col.name, "lun;8")))
    return out


CASES = _cases()


def test_every_constrained_column_has_a_breaking_case() -> None:
    """The case list covers each kind of rule of the schema (guards the generator above)."""
    kinds = {name.split(" ", 1)[1] for name in CASES}
    assert {
        "missing",
        "blank",
        "not a number",
        "infinite",
        "zero (must be > 0)",
        "below its minimum",
        "above its maximum",
        "not whole",
        "not a choice",
        "not an ISO week",
        "unknown label",
        "not weekdays",
        "duplicate key",
    } <= kinds
    assert "products.kg_per_unit zero (must be > 0)" in CASES


def test_a_product_weighing_nothing_is_refused() -> None:
    """0 kg a unit would make capacity and distance costs vanish: refused, whatever the schema."""
    frames = tiny_frames()
    frames["products"].loc[2, "kg_per_unit"] = 0.0
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_frames(**frames)
    assert [(p.table, p.row, p.column) for p in caught.value.problems] == [
        ("products", 4, "kg_per_unit")
    ]


def test_unbroken_frames_pass() -> None:
    Scenario.from_frames(**_frames())


def test_a_market_option_ending_before_it_starts_is_refused() -> None:
    frames = _frames()
    frames["market"].loc[0, "last_week"] = "2026-W02"
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_frames(**frames)
    assert [(p.table, p.row, p.column) for p in caught.value.problems] == [
        ("market", 2, "last_week")
    ]


def test_every_unknown_canteen_of_a_market_option_is_named() -> None:
    frames = _frames()
    frames["market"].loc[2, "canteen_ids"] = "LIEVIN_1, NOWHERE ,ELSEWHERE"
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_frames(**frames)
    (problem,) = caught.value.problems
    assert (problem.table, problem.row, problem.column) == ("market", 4, "canteen_ids")
    assert "'NOWHERE', 'ELSEWHERE'" in problem.message


def _only_message(frames: Frames, language: str) -> str:
    with use_language(language), pytest.raises(ScenarioError) as caught:
        Scenario.from_frames(**frames)
    (problem,) = caught.value.problems
    return problem.message


@pytest.mark.parametrize(
    ("typed", "french", "english"),
    [
        (
            "LIEVIN_1,NOWHERE",
            "'NOWHERE' inconnu (absent de canteens)",
            "unknown canteen_ids 'NOWHERE' (not in canteens)",
        ),
        (
            "NOWHERE,ELSEWHERE",
            "'NOWHERE', 'ELSEWHERE' inconnus (absents de canteens)",
            "unknown canteen_ids 'NOWHERE', 'ELSEWHERE' (not in canteens)",
        ),
    ],
)
def test_unknown_ids_of_a_list_cell_agree_with_their_count(
    typed: str, french: str, english: str
) -> None:
    """One unknown id is singular, two are plural: no « inconnu(s) (absent(s) de …) »."""
    frames = _frames()
    frames["market"].loc[2, "canteen_ids"] = typed
    shown = _only_message(frames, "fr")
    assert french in shown
    assert "(s)" not in shown
    assert english in _only_message(frames, "en")


@pytest.mark.parametrize(
    ("typed", "french", "english"),
    [
        (
            "BIO,NOT_A_LABEL",
            "label inconnu NOT_A_LABEL ; permis : ",
            "unknown label NOT_A_LABEL; allowed: ",
        ),
        (
            "NOT_A_LABEL,NOR_THIS",
            "labels inconnus NOT_A_LABEL, NOR_THIS ; permis : ",
            "unknown labels NOT_A_LABEL, NOR_THIS; allowed: ",
        ),
    ],
)
def test_unknown_labels_agree_with_their_count(typed: str, french: str, english: str) -> None:
    """One unknown label is singular, two are plural: no « label(s) inconnu(s) »."""
    frames = _frames()
    frames["offers"]["labels"] = frames["offers"]["labels"].astype(object)
    frames["offers"].loc[0, "labels"] = typed
    shown = _only_message(frames, "fr")
    assert shown.startswith(french)
    assert "(s)" not in shown
    assert _only_message(frames, "en").startswith(english)


def test_a_scenario_without_market_has_an_empty_one() -> None:
    scenario = Scenario.from_frames(**tiny_frames())
    assert scenario.market.empty
    assert list(scenario.market.columns) == TABLES["market"].column_names


@pytest.mark.parametrize("case", list(CASES))
def test_each_validation_rule_rejects_its_breaking_input(case: str) -> None:
    edit, (table, row, column) = CASES[case]
    frames = _frames()
    edit(frames)
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_frames(**frames)
    errors = [p for p in caught.value.problems if p.severity == "error"]
    where = {(p.table, p.row, p.column) for p in errors}
    assert (table, row, column) in where, [str(p) for p in errors]
    assert all(p.message for p in errors)
