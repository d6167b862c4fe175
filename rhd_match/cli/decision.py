"""Command-line verbs for decision support: ``whatif``, ``tradeoff``, ``bottlenecks``, ``menus``,
``hubs``."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..cells import typed_number
from ..i18n import current_language, format_number, ngettext, quoted
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..inputs.fixes import role_name
from ..plan.solution import without_clock
from ..writing import csv_writer, write_folder_atomically
from .common import (
    add_solver_options,
    add_source,
    command_deadline,
    fraction,
    int_at_least,
    load_scenario,
    output_folder,
    positive_float,
    routing_notes,
    say_unused_local_search,
    show_table,
    week_list,
)

if TYPE_CHECKING:
    from ..inputs.scenario import Scenario
    from ..model.strategies import Deadline

#: What each verb shows of its table (its CSV file has every column).
WHATIF_COLUMNS = [
    "variant",
    "status",
    "share_local",
    "share_organic",
    "share_quality",
    "share_meat_fish",
    "canteens_meeting_all",
    "value_eur_ht",
    "extra_cost_eur_ht",
]
TRADEOFF_COLUMNS = ["epsilon", "share_organic", "value_eur_ht", "extra_cost_share", "status"]
#: The compliance curve's columns left out of the printed table (the CSV file has them).
CURVE_HIDDEN_COLUMNS = ("canteens", "stopped_by_time_limit")
BOTTLENECK_COLUMNS = [
    "product_id",
    "month",
    "area_name",
    "canteens",
    "uncovered_kg",
    "marginal_value_per_kg",
    "organic_marginal_value_per_kg",
    "verified_marginal_value",
]


def _wrote_files(names: list[str], folder: Path) -> str:
    return ngettext("wrote {names} to {folder}", "wrote {names} to {folder}", len(names)).format(
        names=", ".join(names), folder=folder
    )


def _write(folder: Path, files: Mapping[str, Callable[[Path], object]]) -> None:
    """Write ``files`` into ``folder`` all or none (never a partial set over good files)."""
    write_folder_atomically(folder, files)
    print(_wrote_files(list(files), folder))


def cmd_whatif(args: argparse.Namespace) -> int:
    from ..analysis.whatif import (
        Variant,
        change_radius,
        change_targets,
        compare,
        convert_to_organic,
        raise_budget,
        remove_producer,
    )
    from ..model.strategies import left_out_by_clock

    started = time.perf_counter()
    scenario = load_scenario(args)
    # The builders name the variants in the active language.
    variants: list[Variant] = [remove_producer(pid) for pid in args.remove_producer]
    variants += [convert_to_organic(pid, args.organic_price_factor) for pid in args.organic]
    organic = args.organic_target
    quality = args.quality_target
    budget = args.budget_factor
    radius = args.radius_factor
    if not (variants or any(x is not None for x in (organic, quality, budget, radius))):
        organic, budget, radius = 0.3, 1.1, 1.5
    if organic is not None:
        variants.append(change_targets(organic=organic))
    if quality is not None:
        variants.append(change_targets(quality=quality))
    if budget is not None:
        variants.append(raise_budget(factor=budget))
    if radius is not None:
        variants.append(change_radius(factor=radius))
    # With --dask the variants are the cluster's tasks (each solve's weeks on its threads).
    left = command_deadline(scenario, started).left()
    table = compare(scenario, variants, dask=scenario.parameters.solver.dask, time_limit_s=left)
    show_table(table, WHATIF_COLUMNS)
    objective = scenario.parameters.solver.objective
    say_unused_local_search(scenario, table["strategy"].astype(str).tolist(), objective)
    # One clock for every variant (compare): --time-limit bounds the whole call.
    missing = left_out_by_clock(table["status"])
    _said_out_of_time(
        ngettext(
            "{missing} of the {n} variants not solved: the time limit ran out (--time-limit)",
            "{missing} of the {n} variants not solved: the time limit ran out (--time-limit)",
            missing,
        ),
        missing,
        len(table),
        bool(table["stopped_by_time_limit"].any()),
    )
    _write(args.out, {"whatif.csv": csv_writer(without_clock(table))})
    return 0


def _said_out_of_time(message: str, missing: int, n: int, hit: bool) -> None:
    """Say on stderr how many (``missing``) of the call's ``n`` solves the clock left out
    (``message``, with ``{missing}`` and ``{n}``, in the active language and plural form), or,
    when none was but the clock stopped one (``hit``), that the figures depend on the
    machine's speed."""
    if missing:
        print(message.format(missing=format_number(missing), n=format_number(n)), file=sys.stderr)
    elif hit:
        print(
            _(
                "the time limit stopped a solver: the figures may depend on the machine's "
                "speed (--time-limit)"
            ),
            file=sys.stderr,
        )


def cmd_tradeoff(args: argparse.Namespace) -> int:
    from ..analysis.tradeoff import cost_organic_tradeoff
    from ..model.strategies import left_out_by_clock
    from ..report.charts import plot_tradeoff

    started = time.perf_counter()
    scenario = load_scenario(args)
    # One clock for every solve of the curve: --time-limit bounds the whole call.
    deadline = command_deadline(scenario, started)
    if args.budgets_per_meal is not None:
        return _compliance_curve(scenario, args, deadline)
    table = cost_organic_tradeoff(scenario, n_points=args.points, deadline=deadline)
    show_table(table, TRADEOFF_COLUMNS)
    missing = left_out_by_clock(table["status"])
    _said_out_of_time(
        ngettext(
            "{missing} of the {n} points not solved: the time limit ran out (--time-limit)",
            "{missing} of the {n} points not solved: the time limit ran out (--time-limit)",
            missing,
        ),
        missing,
        len(table),
        deadline.hit,
    )
    files: dict[str, Callable[[Path], object]] = {
        "tradeoff.csv": csv_writer(table),
        "tradeoff.png": partial(plot_tradeoff, table),
    }
    _write(args.out, files)
    return 0


def _compliance_curve(scenario: Scenario, args: argparse.Namespace, deadline: Deadline) -> int:
    """``tradeoff --budgets-per-meal``: canteens meeting each target for each extra budget per
    meal (``analysis.compliance``), as a table, a CSV file and a chart, within ``deadline``."""
    from ..analysis.compliance import CURVE_COLUMNS, compliance_curve
    from ..model.strategies import left_out_by_clock
    from ..report.charts import plot_compliance_curve

    table = compliance_curve(scenario, args.budgets_per_meal, deadline=deadline)
    shown = table.copy()
    for column in ("extra_budget_per_meal_eur_ht", "extra_cost_per_meal_eur_ht"):
        shown[column] = [format_number(v, 2) for v in table[column]]
    show_table(shown, [c for c in CURVE_COLUMNS if c not in CURVE_HIDDEN_COLUMNS])
    missing = left_out_by_clock(table["status"])
    _said_out_of_time(
        ngettext(
            "{missing} of the {n} budgets not solved: the time limit ran out (--time-limit)",
            "{missing} of the {n} budgets not solved: the time limit ran out (--time-limit)",
            missing,
        ),
        missing,
        len(table),
        bool(table["stopped_by_time_limit"].fillna(False).any()),
    )
    files: dict[str, Callable[[Path], object]] = {
        "compliance_curve.csv": csv_writer(table),
        "compliance_curve.png": partial(plot_compliance_curve, table),
    }
    _write(args.out, files)
    return 0


#: The largest factor of a what-if variant (prices, budgets, radii): a hundred times a
#: territory's figure is no variant of it, and 1e308 overflowed into invalid tables.
MAX_FACTOR = 100.0
#: The most a compliance curve's point may add per meal, EUR HT: a school meal costs about
#: 1 to 2 EUR HT of food (docs/demo.md), so 100 is no budget anyone weighs.
MAX_AMOUNT_PER_MEAL = 100.0


#: How a product found its roles (``territory_menu``'s ``matched_by``), as the terminal says.
MATCHED_BY = {
    "id": N_("its id"),
    "name": N_("its name"),
    "family": N_("its family"),
    "given": N_("--role"),
}


def amounts_per_meal(text: str) -> list[float]:
    """``0,0.05,0.1`` or, with decimal commas, ``0;0,05;0,1`` → [0.0, 0.05, 0.1] (EUR HT per
    meal, each from 0 to ``MAX_AMOUNT_PER_MEAL``), for argparse; commas alone (``0,1``) are
    refused in French, where they may be a decimal comma, and an empty amount everywhere."""
    as_typed = quoted(text)
    parts = text.replace(",", ".").split(";") if ";" in text else text.split(",")
    # Commas between amounts, and none between a number's digits: in French, 0,1 is a tenth.
    if ";" not in text and "," in text and "." not in text and current_language() == "fr":
        raise argparse.ArgumentTypeError(
            _(
                "{text}: commas between amounts or in them? Write 0;0,05;0,1 (semicolons "
                "between amounts) or 0,0.05,0.1"
            ).format(text=as_typed)
        )
    read = [typed_number(part) for part in parts]
    values = [v for v in read if v is not None]
    if (
        not values
        or len(values) < len(read)
        or any(not 0 <= v <= MAX_AMOUNT_PER_MEAL for v in values)
    ):
        raise argparse.ArgumentTypeError(
            _("{text} is not a list of amounts from 0 to {high}, e.g. 0,0.05,0.1").format(
                text=as_typed, high=format_number(MAX_AMOUNT_PER_MEAL)
            )
        )
    return values


def cmd_hubs(args: argparse.Namespace) -> int:
    import numpy as np

    from ..analysis.hub_value import BOUND_FIGURE, hub_value
    from ..generate.hubs import make_hubs
    from ..logistics.compare import routing_first_only
    from ..report.hub_value_page import hub_value_texts, render_hub_value_html

    started = time.perf_counter()
    scenario = load_scenario(args)
    if args.demo and scenario.hubs.empty:
        # The demo's default plan leaves its hub out (docs/demo.md, *Hub*); here it is weighed.
        scenario = scenario.with_tables(hubs=make_hubs("lens-lievin", scenario.producers))
    # One clock for both solves and the bounds: the time limit bounds the whole call. A
    # --time-limit bounds each variant's routing by what its solve left of its share (only a
    # limit given does: tours cut by a clock differ from run to run).
    deadline = command_deadline(scenario, started)
    given = {} if args.time_limit is None else {"time_limit_s": args.time_limit}
    table = hub_value(scenario, deadline, **given)
    show_table(hub_value_texts(table))
    opts = scenario.parameters.solver  # the strategy asked: the table keeps none per plan
    asked = (
        [opts.strategy] if opts.strategy in ("lp", "mip") or opts.objective == "compliance" else []
    )
    say_unused_local_search(scenario, asked, opts.objective)
    bounds = table.loc[BOUND_FIGURE, ["without_hubs", "with_hubs"]].to_numpy(float)
    missing = int(np.isnan(bounds).sum())
    _said_out_of_time(
        ngettext(
            "{missing} of the {n} bounds on the small canteens' local share not computed: "
            "the time limit ran out (--time-limit)",
            "{missing} of the {n} bounds on the small canteens' local share not computed: "
            "the time limit ran out (--time-limit)",
            missing,
        ),
        missing if deadline.hit else 0,
        2,
        deadline.hit,
    )
    for note in routing_notes(0, routing_first_only(table)):
        print(note, file=sys.stderr)
    page = render_hub_value_html(scenario, table, args.lang)
    files: dict[str, Callable[[Path], object]] = {
        "hub_value.csv": csv_writer(table.reset_index()),
        "hub_value.html": lambda path: path.write_text(page, encoding="utf-8"),
    }
    _write(args.out, files)
    return 0


def cmd_bottlenecks(args: argparse.Namespace) -> int:
    from ..analysis.bottlenecks import (
        bottleneck_table,
        marginal_values,
        relaxation_no_local_offer,
        solve_relaxation,
    )

    started = time.perf_counter()
    scenario = load_scenario(args)
    # One clock for the relaxation and the re-solves: --time-limit bounds the whole call.
    deadline = command_deadline(scenario, started)
    relaxed = solve_relaxation(scenario, deadline=deadline)
    # Computed once: the table, its re-solves and marginal_values.csv read the same frame.
    marginal = marginal_values(scenario, relaxed)
    table = bottleneck_table(
        scenario,
        verify_top=args.verify_top,
        relaxed=relaxed,
        deadline=deadline,
        marginal=marginal,
    )
    # verified_marginal_value is there only when rows were re-solved (--verify-top > 0).
    shown = table.head(20).copy()
    # A commune outside the known list is named by its INSEE code, not left blank.
    shown["area_name"] = shown["area_name"].where(shown["area_name"] != "", shown["area"])
    show_table(shown, [c for c in BOTTLENECK_COLUMNS if c in table.columns])
    asked = min(args.verify_top, len(table))
    if asked:
        missing = int(table["verified_marginal_value"].head(asked).isna().sum())
        if missing:
            print(
                ngettext(
                    "{missing} of the first {asked} rows not re-solved: the time limit ran "
                    "out (--time-limit)",
                    "{missing} of the first {asked} rows not re-solved: the time limit ran "
                    "out (--time-limit)",
                    missing,
                ).format(missing=format_number(missing), asked=format_number(asked)),
                file=sys.stderr,
            )
    # The no-offer-in-range reason does not depend on the plan: the relaxation's suffices.
    uncovered = relaxation_no_local_offer(relaxed, scenario)
    files = {
        "bottlenecks.csv": csv_writer(table),
        "marginal_values.csv": csv_writer(marginal),
        "no_local_offer.csv": csv_writer(uncovered),
    }
    _write(args.out, files)
    return 0


def cmd_menus(args: argparse.Namespace) -> int:
    from ..analysis.menus import menu_demand, services_from_scenario, territory_menu
    from ..errors import OptionError

    given: dict[str, list[str]] = {}
    for product, role in args.role:
        given.setdefault(product, []).append(role)
    twice = {product: roles for product, roles in given.items() if len(roles) > 1}
    if twice:  # the last one would win silently
        raise OptionError(
            [
                _("--role: {id} given {roles}: give one role per product").format(
                    id=quoted(product), roles=", ".join(roles)
                )
                for product, roles in twice.items()
            ]
        )
    scenario = load_scenario(args)
    services = services_from_scenario(scenario, args.weeks, args.canteens)
    menu = territory_menu(scenario, roles=dict(args.role))
    placed = menu.products[menu.products["roles"] != ""]
    n = len(menu.products)
    print(
        ngettext(
            "{placed} of {n} product on the menu:", "{placed} of {n} products on the menu:", n
        ).format(placed=len(placed), n=n)
    )
    how = placed["matched_by"].map(lambda v: _(MATCHED_BY[v]) if v in MATCHED_BY else v)
    roles = placed["roles"].map(lambda v: ",".join(map(role_name, v.split(","))))
    shown = placed.assign(matched_by=how, roles=roles)
    show_table(shown, ["product_id", "catalogue_id", "matched_by", "roles"])
    off = menu.products.loc[menu.products["roles"] == "", "product_id"].tolist()
    if off:
        print(
            _("not on the menu: {products} (to put one on the menu: --role ID=ROLE)").format(
                products=", ".join(off)
            )
        )
    if menu.missing:
        print(
            _("dishes with no product of the scenario (bought elsewhere): {dishes}").format(
                dishes=", ".join(menu.missing)
            )
        )
    result = menu_demand(
        menu.plan, services, scenario, choice="greedy" if args.greedy else "optimiser"
    )
    files = {"demand.csv": csv_writer(result.demand)}
    if args.greedy:
        files["menu_choices.csv"] = csv_writer(result.choices)
    else:
        files["groups.csv"] = csv_writer(result.groups)
    files["menu_products.csv"] = csv_writer(menu.products)
    write_folder_atomically(args.out, files)
    rows, canteens = len(result.demand), len(services)
    weeks = int(result.demand["week"].nunique())
    print(
        (
            _("{rows} for {canteens} over {weeks} (the weeks given)")
            if args.weeks
            else _("{rows} for {canteens} over {weeks} (each canteen its own service weeks)")
        ).format(
            rows=ngettext("{n} demand row", "{n} demand rows", rows).format(n=format_number(rows)),
            canteens=ngettext("{n} canteen", "{n} canteens", canteens).format(
                n=format_number(canteens)
            ),
            weeks=ngettext("{n} week", "{n} weeks", weeks).format(n=weeks),
        )
    )
    print(_wrote_files(list(files), args.out))
    return 0


def _canteen_list(text: str) -> list[str]:
    """argparse type of ``menus --canteens``: comma-separated canteen ids, each once."""
    from ..analysis.menus import canteens_given_twice

    wanted = [c.strip() for c in text.split(",")]
    twice = canteens_given_twice(wanted)
    if twice:
        raise argparse.ArgumentTypeError("; ".join(twice))
    return wanted


def _role(text: str) -> tuple[str, str]:
    """argparse type of ``--role``: ``PRODUCT_ID=ROLE`` as a pair."""
    product, sep, role = text.partition("=")
    if not sep or not product or not role:
        raise argparse.ArgumentTypeError(
            _("{text} is not PRODUCT_ID=ROLE").format(text=quoted(text))
        )
    return product.strip(), role.strip()


def add_decision_support_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the decision-support verbs: ``whatif``, ``tradeoff``, ``bottlenecks``, ``menus``,
    ``hubs``.

    Parameters
    ----------
    sub
        The command's verbs' parsers.
    """
    p = sub.add_parser("whatif", help=_("solve variants of a scenario; compare key figures"))
    add_source(p)
    p.add_argument("--out", type=output_folder, required=True, help=_("folder for whatif.csv"))
    p.add_argument(
        "--remove-producer",
        action="append",
        default=[],
        metavar="ID",
        help=_("variant without this producer (repeatable)"),
    )
    p.add_argument(
        "--organic",
        action="append",
        default=[],
        metavar="ID",
        help=_("variant where this producer converts to organic (repeatable)"),
    )
    p.add_argument(
        "--organic-price-factor",
        type=positive_float(MAX_FACTOR),
        default=1.3,
        help=_("price multiplier of converted producers (default 1.3)"),
    )
    p.add_argument(
        "--organic-target", type=fraction, help=_("variant with this organic target (0-1)")
    )
    p.add_argument(
        "--quality-target", type=fraction, help=_("variant with this quality target (0-1)")
    )
    p.add_argument(
        "--budget-factor",
        type=positive_float(MAX_FACTOR),
        help=_("variant with budgets x this factor"),
    )
    p.add_argument(
        "--radius-factor",
        type=positive_float(MAX_FACTOR),
        help=_("variant with delivery radii x this factor"),
    )
    add_solver_options(p)
    p.set_defaults(func=cmd_whatif)

    p = sub.add_parser("tradeoff", help=_("least extra cost for each organic share (LP)"))
    add_source(p)
    p.add_argument(
        "--out", type=output_folder, required=True, help=_("folder for tradeoff.csv and .png")
    )
    p.add_argument("--points", type=int_at_least(2), default=11, help=_("grid points (default 11)"))
    p.add_argument(
        "--budgets-per-meal",
        type=amounts_per_meal,
        metavar="AMOUNTS",
        help=_(
            "instead: canteens meeting each EGalim target when each may spend these amounts "
            "more per meal (EUR excl. VAT, comma-separated, e.g. 0,0.1,0.2,0.4); writes "
            "compliance_curve.csv and .png"
        ),
    )
    add_solver_options(p, strategy=False)
    p.set_defaults(func=cmd_tradeoff)

    p = sub.add_parser("hubs", help=_("solve with and without the hubs; compare local shares"))
    add_source(p)
    p.add_argument(
        "--out",
        type=output_folder,
        required=True,
        help=_("folder for hub_value.csv and hub_value.html"),
    )
    add_solver_options(p)
    p.set_defaults(func=cmd_hubs)

    p = sub.add_parser(
        "bottlenecks", help=_("what extra local supply is worth, by product, month, area")
    )
    add_source(p)
    p.add_argument("--out", type=output_folder, required=True, help=_("folder for the tables"))
    p.add_argument(
        "--verify-top",
        type=int_at_least(0),
        default=5,
        help=_("re-solve to check the first N rows (default 5)"),
    )
    add_solver_options(p, strategy=False)
    p.set_defaults(func=cmd_bottlenecks)

    p = sub.add_parser("menus", help=_("weekly demand from the default primary-school menu cycle"))
    add_source(p)
    p.add_argument("--out", type=output_folder, required=True, help=_("folder for demand.csv"))
    p.add_argument(
        "--weeks",
        type=week_list,
        help=_(
            "comma-separated ISO weeks (2026-W03) served by every canteen (default: each "
            "canteen's own service weeks, those of its demand); a week that is not an ISO week "
            "or is given twice is refused, one outside the scenario's weeks gives a warning"
        ),
    )
    p.add_argument(
        "--role",
        action="append",
        type=_role,
        default=[],
        metavar="ID=ROLE",
        help=_(
            "menu role of a product that matches no catalogue product, e.g. "
            "pdt=starchy (repeatable; roles: raw_vegetable_starter, cooked_vegetable, starchy, "
            "meat, fish, vegetarian_protein, dairy, cheese, fruit, bread)"
        ),
    )
    p.add_argument(
        "--canteens", type=_canteen_list, help=_("comma-separated canteen ids (default: all)")
    )
    p.add_argument(
        "--greedy",
        action="store_true",
        help=_(
            "resolve each choice group before the optimiser, canteen by canteen (the option "
            "with the most local supply in reach), instead of leaving the mix to the optimiser "
            "(groups.csv)"
        ),
    )
    p.set_defaults(func=cmd_menus)
