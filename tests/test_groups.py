"""Substitutable demand: the groups table read and validated, the optimiser choosing each
group's mix (against brute force over drops and the groups' mixes, and against every pure
choice), the menu as planned checked, and a planted break of each new rule caught."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from brute_force import brute_force
from check_factories import make_scenario
from factories import tiny_frames, tiny_groups
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import examples
from test_goals import level_values

import rhd_match
from rhd_match import Scenario, ScenarioError
from rhd_match.check import check
from rhd_match.i18n import use_language
from rhd_match.model.build import build_model
from rhd_match.model.solve import make_solution
from rhd_match.model.start import objective_goals, solve_from_start, start_values
from rhd_match.model.strategies import Deadline, Reporter
from rhd_match.params import solver_options

#: The validation messages read here are the English source strings.
pytestmark = pytest.mark.usefixtures("english_messages")

W1, W2 = "2026-W03", "2026-W04"
REL = 1e-6
SOLVE = {"time_limit_s": 20.0, "threads": 1, "mip_gap": 1e-9, "objective": "weighted"}
FRUIT = ("FRUITS_ET_LEGUMES", 1.0, 2.0)
PEAR = ("FRUITS_ET_LEGUMES", 1.0, 2.4)
YOGURT = ("PRODUITS_LAITIERS", 0.125, 0.30)
GROUP_COLUMNS = ["group_id", "product_id", "conversion", "max_share", "first_week", "last_week"]


def close(a: float, b: float, rel: float = REL) -> bool:
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def with_groups(
    sc: Scenario, demand: Sequence[tuple[str, str, str, float]], groups: Sequence[tuple[Any, ...]]
) -> Scenario:
    """``sc`` with more demand rows (some naming groups) and a groups table."""
    tables = dict(sc.tables)
    extra = pd.DataFrame(demand, columns=["canteen_id", "product_id", "week", "qty"])
    tables["demand"] = pd.concat([tables["demand"], extra], ignore_index=True)
    tables["groups"] = pd.DataFrame(list(groups), columns=GROUP_COLUMNS)
    return Scenario.from_frames(**tables, parameters=sc.parameters)


def dessert(apple_share: float | None = 0.6, pear_from: str | None = None) -> Scenario:
    """C1 and C2 want 40 and 30 desserts a week (portions): an apple (0.15 kg), a pear (0.15
    kg) or a yogurt pot. The orchard's organic apples (10 kg a week) cannot serve both; pears
    are local and HVE; yogurts are conventional only."""
    base = make_scenario(
        {"APPLE": FRUIT, "PEAR": PEAR, "YOGURT": YOGURT},
        {"C1": {"place": (2, 0)}, "C2": {"place": (-2, 0)}},
        {"ORCHARD": {"franco": 5.0}, "PEARS": {"place": (0, 3), "drops": 1}},
        [
            ("ORCHARD", "APPLE", W1, 10, 2.6, "BIO"),
            ("ORCHARD", "APPLE", W2, 4, 2.6, "BIO"),
            ("PEARS", "PEAR", W1, 4, 2.5, "HVE"),
            ("PEARS", "PEAR", W2, 8, 2.5, "HVE"),
        ],
        [("C1", "YOGURT", W1, 10)],
    )
    return with_groups(
        base,
        [("C1", "DESSERT", W1, 40), ("C2", "DESSERT", W1, 30), ("C2", "DESSERT", W2, 30)],
        [
            ("DESSERT", "APPLE", 0.15, apple_share, None, None),
            ("DESSERT", "PEAR", 0.15, None, pear_from, None),
            ("DESSERT", "YOGURT", 1.0, 0.5, None, None),
        ],
    )


# -- reading and validation ---------------------------------------------------------------------


def test_groups_round_trip_through_files(tmp_path: Path) -> None:
    sc = dessert(pear_from=W2)
    for fmt in ("csv", "xlsx"):
        sc.to_folder(tmp_path / fmt, fmt=fmt)
        back = Scenario.from_folder(tmp_path / fmt)
        pd.testing.assert_frame_equal(back.groups, sc.groups, check_dtype=False)
        pd.testing.assert_frame_equal(back.demand, sc.demand, check_dtype=False)
    # A scenario without groups writes no groups file and reads back without one.
    plain = Scenario.from_frames(**tiny_frames())
    plain.to_folder(tmp_path / "plain")
    assert not (tmp_path / "plain" / "groups.csv").exists()
    assert Scenario.from_folder(tmp_path / "plain").groups.empty


def test_every_groups_problem_at_once_with_row_and_column() -> None:
    frames = tiny_frames()
    groups = pd.concat([tiny_groups()] * 1, ignore_index=True)
    groups.loc[2] = ["APPLE", "YOGURT", 1.0, None, None, None]  # a product's id
    groups.loc[3] = ["DESSERT", "PEACH", 1.0, None, None, None]  # unknown product
    groups.loc[4] = ["FRUIT", "APPLE", -1.0, 1.5, None, None]  # conversion and share
    frames["demand"].loc[1, "product_id"] = "NOWHERE"
    with pytest.raises(ScenarioError) as err:
        Scenario.from_frames(**frames, groups=groups)
    where = {(p.table, p.row, p.column) for p in err.value.problems}
    assert {
        ("groups", 5, "product_id"),
        ("groups", 6, "conversion"),
        ("groups", 6, "max_share"),
        ("demand", 3, "product_id"),
    } <= where
    # Once each table is valid on its own: a group named like a product, and a demand row
    # its products cannot serve in full that week (yogurt only from week 4, at most half).
    frames = tiny_frames()
    groups = tiny_groups()
    groups.loc[1, "max_share"] = 0.5
    groups.loc[0, "max_share"] = 0.3
    groups.loc[2] = ["BEEF", "APPLE", 1.0, None, None, None]
    frames["demand"].loc[1, "product_id"] = "DESSERT"
    with pytest.raises(ScenarioError) as err:
        Scenario.from_frames(**frames, groups=groups)
    messages = {(p.table, p.row, p.column): p.message for p in err.value.problems}
    assert "is also the product_id of products row 2" in messages["groups", 4, "group_id"]
    assert "only 30" in messages["demand", 3, "product_id"]


def test_a_scenario_without_groups_has_the_same_model() -> None:
    sc = Scenario.from_frames(**tiny_frames())
    model = build_model(sc)
    assert model.variables.size["s"] == 0
    assert model.family("group").count == 0
    demand = model.family("demand")
    assert model.row_lower[demand.start : demand.start + demand.count].tolist() == (
        sc.demand["qty"].tolist()
    )


# -- the optimum against brute force -----------------------------------------------------------


def pure_choices(sc: Scenario) -> list[Scenario]:
    """Every way of serving each group's demand row with one product allowed to serve all of
    it (no share below 1, in its weeks): the group choices a menu planner makes by hand."""
    demand, groups = sc.demand, sc.groups
    named = demand["product_id"].isin(set(groups["group_id"]))
    lines = demand[named]
    whole = groups["max_share"].isna() | (groups["max_share"] >= 1.0)
    options = [
        groups[
            (groups["group_id"] == g)
            & whole
            & (groups["first_week"].fillna("") <= week)
            & (groups["last_week"].fillna("9999") >= week)
        ]
        for g, week in zip(lines["product_id"], lines["week"], strict=True)
    ]
    out = []
    for pick in itertools.product(*[range(len(o)) for o in options]):
        rows = [demand[~named]]
        for (_, line), opts, i in zip(lines.iterrows(), options, pick, strict=True):
            g = opts.iloc[i]
            conv = 1.0 if pd.isna(g["conversion"]) else g["conversion"]
            rows.append(
                pd.DataFrame(
                    [[line["canteen_id"], g["product_id"], line["week"], line["qty"] * conv]],
                    columns=demand.columns,
                )
            )
        served = pd.concat(rows).groupby(["canteen_id", "product_id", "week"], as_index=False)
        tables = dict(sc.tables) | {"demand": served["qty"].sum(), "groups": None}
        del tables["groups"]
        out.append(Scenario.from_frames(**tables, parameters=sc.parameters))
    return out


@pytest.mark.parametrize(
    "build",
    [
        dessert,
        lambda: dessert(apple_share=0.2),
        lambda: dessert(apple_share=None, pear_from=W2),
    ],
    ids=["share 60 %", "share 20 %", "pears from week 4"],
)
def test_mip_equals_brute_force_over_the_groups_mixes(build: Any) -> None:
    sc = build()
    best = brute_force(sc)
    assert math.isfinite(best.objective)
    # Every pure choice of one product per row is a mix too: none is better.
    pure = [brute_force(p).objective for p in pure_choices(sc)]
    assert pure
    assert best.objective <= min(pure) + REL * max(1.0, abs(min(pure)))
    for strategy in ("mip", "decompose", "repair"):
        solution = rhd_match.solve(sc, strategy=strategy, **SOLVE)
        found = check(sc, solution)
        assert found.empty, found.to_string()
        if strategy == "mip":
            assert close(solution.objective, best.objective), (solution.objective, best.objective)
        else:
            assert solution.objective >= best.objective - REL * max(1.0, abs(best.objective))


def test_the_optimiser_beats_every_pure_choice_when_supply_is_split() -> None:
    """Apples without a share: C1's 40 portions (6 kg) and C2's 30 (4.5 kg) want more apples
    than the orchard's 10 kg, and the pears are local too: the best plan mixes both in week 3,
    which no plan of one product per row can do."""
    sc = dessert(apple_share=None)
    best = brute_force(sc)
    pure = min(brute_force(p).objective for p in pure_choices(sc))
    assert best.objective < pure - 1e-3
    solution = rhd_match.solve(sc, strategy="mip", **SOLVE)
    assert close(solution.objective, best.objective)
    menu = solution.menu[solution.menu["group_id"] == "DESSERT"]
    assert menu.groupby(["canteen_id", "week"])["group_qty"].sum().tolist() == pytest.approx(
        [40.0, 30.0, 30.0]
    )


@pytest.mark.parametrize("objective", ["lexicographic", "compliance"])
@pytest.mark.parametrize("strategy", ["mip", "decompose"])
def test_every_objective_plans_a_checked_menu(objective: str, strategy: str) -> None:
    sc = dessert(apple_share=0.5, pear_from=W2)
    solution = rhd_match.solve(sc, strategy=strategy, **(SOLVE | {"objective": objective}))
    found = check(sc, solution)
    assert found.empty, found.to_string()
    assert set(solution.menu["group_id"]) == {"DESSERT", "YOGURT"}


# -- hypothesis: bounds that bind ---------------------------------------------------------------


@st.composite
def group_cases(draw: st.DrawFn) -> Scenario:
    """Two canteens, three fruits in a group with shares that bind (each below 1, adding up
    to at least 1), some products allowed from week 4 only, scarce local supply."""
    n_products = 3
    shares = draw(
        st.lists(st.sampled_from([0.2, 0.35, 0.5, 0.7, None]), min_size=3, max_size=3).filter(
            lambda s: sum(1.0 if x is None else x for x in s) >= 1.0
        )
    )
    late = draw(st.lists(st.booleans(), min_size=3, max_size=3))
    late[0] = False  # one product all weeks, unbounded or bounded
    if sum(1.0 if x is None else x for x, lt in zip(shares, late, strict=True) if not lt) < 1.0:
        shares[0] = None
    products = {f"F{i}": ("FRUITS_ET_LEGUMES", 1.0, 2.0 + 0.3 * i) for i in range(n_products)}
    labels = draw(st.lists(st.sampled_from(["", "BIO", "HVE"]), min_size=3, max_size=3))
    qty = draw(st.lists(st.sampled_from([0.0, 3.0, 8.0, 20.0]), min_size=6, max_size=6))
    franco = draw(st.sampled_from([0.0, 20.0]))
    offers = [
        ("P", f"F{i}", week, qty[2 * i + j], 2.2 + 0.2 * i, labels[i])
        for i in range(n_products)
        for j, week in enumerate((W1, W2))
        if qty[2 * i + j] > 0
    ]
    base = make_scenario(
        products,
        {"C1": {"place": (2, 0)}, "C2": {"place": (-2, 0), "target_organic": 0.4}},
        {"P": {"franco": franco, "drops": draw(st.sampled_from([1, 2]))}},
        offers,
        [("C1", "F0", W1, 1.0)],
    )
    portions = draw(st.lists(st.sampled_from([20.0, 50.0, 90.0]), min_size=3, max_size=3))
    return with_groups(
        base,
        [
            ("C1", "FRUIT", W1, portions[0]),
            ("C2", "FRUIT", W1, portions[1]),
            ("C2", "FRUIT", W2, portions[2]),
        ],
        [
            ("FRUIT", f"F{i}", 0.15, shares[i], W2 if late[i] else None, None)
            for i in range(n_products)
        ],
    )


@settings(max_examples=examples(8), deadline=None)
@given(group_cases())
def test_random_groups_mip_equals_brute_force_and_all_plans_check(sc: Scenario) -> None:
    best = brute_force(sc)
    assert math.isfinite(best.objective)
    for strategy in ("mip", "decompose"):
        solution = rhd_match.solve(sc, strategy=strategy, **SOLVE)
        found = check(sc, solution)
        assert found.empty, found.to_string()
        menu = solution.menu[solution.menu["group_id"] == "FRUIT"]
        assert menu["qty"].gt(0).all()
        if strategy == "mip":
            assert close(solution.objective, best.objective), (solution.objective, best.objective)


# -- planted violations of the menu rules ------------------------------------------------------


@pytest.fixture(scope="module")
def planned() -> tuple[Scenario, rhd_match.Solution]:
    sc = dessert(apple_share=0.5, pear_from=W2)
    return sc, rhd_match.solve(sc, strategy="mip", **SOLVE)


def test_a_product_of_one_week_is_said_to_be_had_in_that_week(
    planned: tuple[Scenario, rhd_match.Solution],
) -> None:
    """Pears served only from W2 to W2 were said « ne l’admet que de 2026-W04 à 2026-W04 »."""
    sc, solution = planned
    groups = sc.groups.copy()
    groups.loc[groups["product_id"] == "PEAR", "last_week"] = W2
    one_week = sc.with_tables(groups=groups)
    menu = solution.menu
    week = pd.concat(
        [menu, pd.DataFrame([["C1", "DESSERT", W1, "PEAR", 1.5, 10.0]], columns=menu.columns)]
    )
    week.loc[_menu_row(menu, "C1", W1, "YOGURT"), ["qty", "group_qty"]] -= 10.0
    for language, said in (
        ("fr", f"« DESSERT » ne l’admet qu’en {W2}"),
        ("en", f"'DESSERT' may have it in {W2} only"),
    ):
        with use_language(language):
            found = check(one_week, solution.flows, menu=week.reset_index(drop=True))
        assert list(found.loc[found["rule"] == "menu_week", "message"]) == [said]


def _menu_row(menu: pd.DataFrame, canteen: str, week: str, product: str) -> int:
    at = menu.index[
        (menu["canteen_id"] == canteen) & (menu["week"] == week) & (menu["product_id"] == product)
    ]
    return int(at[0])


def test_planted_menu_violations_are_caught(planned: tuple[Scenario, rhd_match.Solution]) -> None:
    sc, solution = planned
    assert check(sc, solution).empty
    menu = solution.menu

    def rules(changed: pd.DataFrame) -> set[str]:
        return set(check(sc, solution.flows, menu=changed)["rule"])

    # Beyond its share: C1's 40 desserts all as yogurt (at most half).
    c1 = menu[(menu["canteen_id"] == "C1") & (menu["group_id"] == "DESSERT")]
    share = pd.concat(
        [
            menu.drop(c1.index),
            pd.DataFrame([["C1", "DESSERT", W1, "YOGURT", 40.0, 40.0]], columns=menu.columns),
        ]
    )
    assert "menu_share" in rules(share)
    # Outside its weeks: pears in week 3 (from week 4 only).
    week = pd.concat(
        [menu, pd.DataFrame([["C1", "DESSERT", W1, "PEAR", 0.0, 0.0]], columns=menu.columns)]
    )
    week.loc[week.index[-1], ["qty", "group_qty"]] = [1.5, 10.0]
    row = _menu_row(menu, "C1", W1, "YOGURT")
    week.loc[row, ["qty", "group_qty"]] -= 10.0
    assert "menu_week" in rules(week.reset_index(drop=True))
    # Said in the active language, the group quoted as it quotes a value.
    for language, said in (("fr", "« DESSERT » ne l’admet que de "), ("en", "'DESSERT' may ")):
        with use_language(language):
            found = check(sc, solution.flows, menu=week.reset_index(drop=True))
        [message] = found.loc[found["rule"] == "menu_week", "message"]
        assert message.startswith(said), message
    # A product that does not serve the group; a row not served in full.
    wrong = menu.copy()
    wrong.loc[row, "product_id"] = "BEEF"
    assert {"menu_product", "menu_total"} <= rules(wrong)
    short = menu.copy()
    short.loc[row, ["qty", "group_qty"]] *= 0.5
    found = rules(short)
    assert "menu_total" in found
    assert "demand" in found  # the flows now buy more than the menu needs
    # No menu at all for a demand naming groups.
    assert "menu_table" in set(check(sc, solution.flows)["rule"])


def test_the_menu_is_written_with_the_solution(
    planned: tuple[Scenario, rhd_match.Solution], tmp_path: Path
) -> None:
    _, solution = planned
    written = {p.name for p in solution.to_folder(tmp_path)}
    assert "menu.csv" in written
    back = pd.read_csv(tmp_path / "menu.csv")
    assert list(back.columns) == list(solution.menu.columns)
    # Order sheets and ma cantine files are made from the flows: the products as planned.
    assert set(solution.flows["product_id"]) <= set(solution.menu["product_id"])


@pytest.mark.filterwarnings("ignore:no ma cantine ids given")
def test_reports_and_ma_cantine_files_list_the_products_chosen(
    planned: tuple[Scenario, rhd_match.Solution], tmp_path: Path
) -> None:
    from rhd_match.macantine.export import purchase_file
    from rhd_match.report import write_reports

    sc, solution = planned
    written = {p.name for p in write_reports(sc, solution, tmp_path)}
    assert {"report.html", "results.xlsx"} <= written
    # The menu as planned: a sheet of the workbook, in French, one row per menu row; a table
    # on each canteen's page of the report with the products chosen for its desserts.
    sheet = pd.read_excel(tmp_path / "results.xlsx", sheet_name="Menu prévu")
    assert len(sheet) == len(solution.menu)
    assert "Quantité dans l’unité du groupe" in sheet.columns
    assert sorted(sheet["Groupe (ou produit) servi"].unique()) == ["DESSERT", "YOGURT"]
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert (
        html.count("<h4>Menu prévu</h4>")
        == solution.menu[solution.menu["group_id"] == "DESSERT"]["canteen_id"].nunique()
    )
    purchases = purchase_file(sc, solution, today=dt.date(2027, 1, 4))
    chosen = set(solution.menu["product_id"])
    assert len(purchases) > 0
    assert "DESSERT" not in "".join(purchases.astype(str).to_numpy().ravel())
    assert chosen - {"YOGURT"}  # fruit was chosen for some desserts


# -- a known plan as the opening set -------------------------------------------------------------


def _not_worse(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Levels ``a`` (minimised, local value maximised) at least as good as ``b``, in order."""
    for k, (x, y) in enumerate(zip(a, b, strict=True)):
        x, y = (-x, -y) if k == 1 else (x, y)
        if not close(x, y, 1e-6):
            return x < y
    return True


LEXICOGRAPHIC = SOLVE | {"objective": "lexicographic"}


@pytest.fixture(scope="module")
def fixed_plans() -> list[tuple[Scenario, rhd_match.Solution]]:
    """Apples without a share (substitution pays): one in three pure choices of one product
    per row (apples, pears or yogurts first), each with its optimal plan."""
    return [
        (pure, rhd_match.solve(pure, strategy="mip", **LEXICOGRAPHIC))
        for pure in pure_choices(dessert(apple_share=None))[::3]
    ]


def test_the_flexible_plan_from_a_fixed_plan_is_at_least_as_good(
    fixed_plans: list[tuple[Scenario, rhd_match.Solution]],
) -> None:
    """From the plan of each pure choice, the flexible solve (``decompose``, the demo's
    strategy) is at least as good, level by level, as that plan, and strictly better from
    one of them at least (substitution pays here); its summary reports the levels reached."""
    sc = dessert(apple_share=None)
    improved = 0
    for pure, fixed in fixed_plans:
        flexible = rhd_match.solve(sc, strategy="decompose", start=fixed.flows, **LEXICOGRAPHIC)
        found = check(sc, flexible)
        assert found.empty, found.to_string()
        mine, theirs = level_values(sc, flexible), level_values(pure, fixed)
        assert _not_worse(mine, theirs)
        improved += not _not_worse(theirs, mine)
        summary = flexible.summary.iloc[0]
        assert [summary[f"level_{k}"] for k in (1, 2, 3)] == ["egalim", "local", "cost"]
        assert close(summary["level_1_value"], mine[0], 1e-6)
        assert close(-summary["level_2_value"], mine[1], 1e-6)
    assert improved >= 1


def test_a_known_plan_read_onto_the_flexible_model_is_itself(
    fixed_plans: list[tuple[Scenario, rhd_match.Solution]],
) -> None:
    """Each pure choice's plan, read off its flows onto the flexible model (arcs, drops, lots
    and the groups' servings), gives back the same flows and menu; the levels over its
    opening set find it or a better plan."""
    sc = dessert(apple_share=None)
    model = build_model(sc)
    goals = objective_goals(model, "lexicographic", sc.parameters.weights)
    opts = solver_options(sc.parameters.solver, LEXICOGRAPHIC)
    keys = ["supplier_id", "canteen_id", "product_id", "week"]
    for pure, fixed in fixed_plans:
        plans = solve_from_start(
            model,
            goals,
            start_values(model, fixed.flows),
            opts,
            Deadline(20.0),
            Reporter(None, 20.0),
        )
        assert len(plans) == 2
        same = make_solution(sc, model, plans[0], "mip", 0.0)
        assert check(sc, same).empty
        got = same.flows.set_index(keys)["qty"].sort_index()
        want = fixed.flows.set_index(keys)["qty"].sort_index()
        pd.testing.assert_series_equal(got, want, check_exact=False, rtol=1e-9)
        better = make_solution(sc, model, plans[1], "mip", 0.0, "lexicographic")
        assert check(sc, better).empty
        assert _not_worse(level_values(sc, better), level_values(pure, fixed))


# -- decision support with groups ----------------------------------------------------------------


def test_bottlenecks_with_groups_name_products_and_agree_with_resolves() -> None:
    """What to plant more of, on a demand naming groups: rows are products (never a group),
    and the top row's marginal value matches two re-solves of the relaxation."""
    from rhd_match.analysis.bottlenecks import bottleneck_table

    sc = dessert(apple_share=None)
    table = bottleneck_table(sc, verify_top=1)
    assert len(table) > 0
    assert set(table["product_id"]) <= set(sc.products["product_id"])
    top = table.iloc[0]
    assert top["verified_marginal_value"] == pytest.approx(
        top["max_marginal_value_per_unit"], rel=1e-4, abs=1e-5
    )


def test_what_if_with_groups_solves_each_variant_with_its_menu() -> None:
    """Without the orchard, less local food; the variant's plan, menu included, passes the
    checker and still serves every dessert in full."""
    from test_whatif import InlineExecutor

    from rhd_match.analysis.whatif import compare, remove_producer

    sc = dessert(apple_share=None)
    variant = remove_producer("ORCHARD")
    table = compare(sc, [variant], executor=InlineExecutor(), strategy="mip", **SOLVE)
    assert table["variant"].tolist() == ["base", variant.name]
    assert (table["status"] == "optimal").all()
    assert table.set_index("variant").loc[variant.name, "delta_share_local"] < 0
    changed = variant.apply(sc)
    solution = changed.solve(strategy="mip", **SOLVE)
    assert check(changed, solution).empty
    assert "ORCHARD" not in set(solution.flows["producer_id"].dropna())
    desserts = solution.menu[solution.menu["group_id"] == "DESSERT"]
    served = desserts.groupby(["canteen_id", "week"])["group_qty"].sum()
    assert served.tolist() == pytest.approx([40.0, 30.0, 30.0])
