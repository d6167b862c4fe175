"""What-if analysis: solve a scenario and variants of it, and compare the key figures.

A ``Variant`` is a name and a function ``Scenario → Scenario``. Builders cover the usual
questions (``add_producer``, ``remove_producer``, ``convert_to_organic``,
``change_targets``, ``raise_budget``, ``budget_per_meal``, ``change_radius``); any function
will do.

``compare`` applies every variant in the calling process (so variant functions need not
be picklable), then solves the base and each variant independently through an
``concurrent.futures.Executor`` — by default a ``ProcessPoolExecutor`` with one worker per
core; a thread pool or a cluster's executor can be passed instead, or ``dask`` names a Dask
cluster (``docs/distributed.md``). Only scenarios (pickled DataFrames and parameters) go out
and one-row summaries come back.

The solves share one clock, the time limit from the call's start: each gets the end of that
budget as a time of day (as the decomposition's weeks on a cluster do), so a solve that
waited for a free worker gets what is left, and one that starts after the end is not run
(status ``not_started``).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..cluster import dask_client
from ..errors import OptionError, Problem, ScenarioError
from ..i18n import decimal_sign, format_share, quoted
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..inputs.scenario import Scenario
from ..model.strategies import call_deadline
from ..plan.tables import meals_served

BASE = "base"

#: Default variant names, translated when a variant is built (in the active language): the
#: names are what ``compare``'s table and the command line show. ``BASE`` stays as it is: it
#: is the key of the base row.
NAMES = {
    "add": N_("add {producer}"),
    "remove": N_("without {producers}"),
    "organic": N_("{producers} organic (price x{factor})"),
    "quality": N_("quality target {share}"),
    "organic_target": N_("organic target {share}"),
    "meat_fish": N_("meat and fish target {share}"),
    "targets": N_("targets unchanged"),
    "hard": N_("{targets} (hard)"),
    "budget": N_("budgets x{factor}"),
    "budget_plus": N_("budgets x{factor} {amount} EUR excl. VAT"),
    "per_meal": N_("budget {amount} EUR excl. VAT per meal"),
    "radius": N_("delivery radii {radius} km"),
    "radius_factor": N_("delivery radii x{factor}"),
}


def _signed(value: float) -> str:
    """A change with its sign (``+200``, ``-50``), as ``_figure`` writes it."""
    return ("+" if value > 0 else "") + _figure(value)


def _figure(value: float) -> str:
    """A figure in a variant's name: as short as it is (``:g``), the language's decimal sign."""
    return f"{value:g}".replace(".", decimal_sign())


#: The id column of the tables whose rows a variant can name.
TABLE_ID = {"producers": "producer_id", "canteens": "canteen_id"}

#: Summary figures compared side by side (see ``Solution.summary``).
FIGURES = (
    "share_local",
    "share_organic",
    "share_quality",
    "share_meat_fish",
    "canteens_meeting_quality",
    "canteens_meeting_organic",
    "canteens_meeting_meat_fish",
    "canteens_meeting_all",
    "value_eur_ht",
    "extra_cost_eur_ht",
    "shortfall_quality_eur_ht",
    "shortfall_organic_eur_ht",
    "shortfall_meat_fish_eur_ht",
    "objective",
)
#: Solver figures reported without a delta.
STATS = ("status", "strategy", "gap", "solve_time_s", "stopped_by_time_limit")


@dataclass(frozen=True)
class Variant:
    """A named change to a scenario: ``apply(scenario)`` returns the changed copy.

    Attributes
    ----------
    name : str
        The row's name in ``compare``'s table (unique, not ``"base"``).
    apply : Callable[[Scenario], Scenario]
        Returns a validated copy of the scenario with the change; raises ``ScenarioError``
        when the change names an unknown id or makes an invalid scenario.
    """

    name: str
    apply: Callable[[Scenario], Scenario]


def _ids(value: str | Iterable[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _known(s: Scenario, table: str, ids: Sequence[str], variant: str) -> None:
    """Raise ``ScenarioError`` naming every id of ``ids`` absent from ``table``.

    A change to a producer or canteen that does not exist would otherwise leave the scenario as
    it is and look like a change without effect.
    """
    column = TABLE_ID[table]
    present = set(getattr(s, table)[column].astype(str))
    unknown = [i for i in ids if str(i) not in present]
    if unknown:
        raise ScenarioError(
            [
                Problem(
                    table,
                    None,
                    column,
                    _("no {column} {id} (what-if {variant})").format(
                        column=column, id=quoted(i), variant=quoted(variant)
                    ),
                )
                for i in unknown
            ]
        )


def add_producer(
    producer: Mapping[str, Any], offers: pd.DataFrame, name: str | None = None
) -> Variant:
    """A new producer (one ``producers`` row as a mapping) with its ``offers`` rows.

    Parameters
    ----------
    producer
        One row of ``producers`` (``producer_id``, coordinates, capacity in kg/week, radius in
        km, franco in EUR HT…; columns as in ``docs/input-format.md``).
    offers
        Its rows of ``offers``: ``producer_id`` × ``product_id`` × ISO ``week``, quantity
        (product unit), price (EUR HT/unit), labels.
    name
        The variant's name in ``compare``'s table; ``None`` for one made of the change.

    Returns
    -------
    Variant
        The change, applied by ``compare``; applying it raises ``ScenarioError`` when
        the new rows are invalid (a duplicate ``producer_id`` included).
    """
    pid = str(producer["producer_id"])

    def apply(s: Scenario) -> Scenario:
        return s.with_tables(
            producers=pd.concat([s.producers, pd.DataFrame([dict(producer)])], ignore_index=True),
            offers=pd.concat([s.offers, offers], ignore_index=True),
        )

    return Variant(name or _(NAMES["add"]).format(producer=pid), apply)


def remove_producer(producer_ids: str | Iterable[str], name: str | None = None) -> Variant:
    """Without these producers, their offers and their road distances.

    Parameters
    ----------
    producer_ids
        One ``producer_id`` or several.
    name
        The variant's name in ``compare``'s table; ``None`` for one made of the change.

    Returns
    -------
    Variant
        The change, applied by ``compare``; applying it raises ``ScenarioError`` when
        an id is not in ``producers``.
    """
    ids = _ids(producer_ids)
    label = name or _(NAMES["remove"]).format(producers=", ".join(ids))

    def apply(s: Scenario) -> Scenario:
        _known(s, "producers", ids, label)
        return s.with_tables(
            producers=s.producers[~s.producers["producer_id"].isin(ids)],
            offers=s.offers[~s.offers["producer_id"].isin(ids)],
            distances=s.distances_without(ids),
        )

    return Variant(label, apply)


def convert_to_organic(
    producer_ids: str | Iterable[str], price_factor: float = 1.3, name: str | None = None
) -> Variant:
    """These producers go organic: label ``BIO`` added to their offers that lack it, and their
    prices × ``price_factor`` (an offer organic already is left as it is).

    The default factor 1.3 is an order of magnitude of the organic premium at the farm gate
    (``catalogue.csv`` price ranges); pass the producers' own figure when known.

    Parameters
    ----------
    producer_ids
        One ``producer_id`` or several.
    price_factor
        Multiplies their offer prices (EUR HT/unit); an estimate by default.
    name
        The variant's name in ``compare``'s table; ``None`` for one made of the change.

    Returns
    -------
    Variant
        The change, applied by ``compare``; applying it raises ``ScenarioError`` when
        an id is not in ``producers``, or when a producer has no offer left to convert
        (none, or all organic already): the variant would be the base.
    """
    ids = _ids(producer_ids)
    label = name or _(NAMES["organic"]).format(
        producers=", ".join(ids), factor=_figure(price_factor)
    )

    def apply(s: Scenario) -> Scenario:
        _known(s, "producers", ids, label)
        offers = s.offers.copy()
        on = offers["producer_id"].isin(ids)
        labels = offers["labels"].astype(object).where(offers["labels"].notna(), "").astype(str)
        has_bio = labels.str.split(",").map(lambda parts: "BIO" in [p.strip() for p in parts])
        converted = on & ~has_bio  # an organic offer keeps its label and its price
        nothing = sorted(set(ids) - set(offers.loc[converted, "producer_id"].astype(str)))
        if nothing:
            raise ScenarioError(
                [
                    Problem(
                        "offers",
                        None,
                        "labels",
                        _(
                            "producer {id} has no offer that is not organic already: nothing to "
                            "convert (what-if {variant})"
                        ).format(id=quoted(i), variant=quoted(label)),
                    )
                    for i in nothing
                ]
            )
        added = labels.where(labels == "", labels + ",") + "BIO"
        offers["labels"] = labels.where(~converted, added)
        offers["price_eur_ht"] = offers["price_eur_ht"].where(
            ~converted, offers["price_eur_ht"] * price_factor
        )
        return s.with_tables(offers=offers)

    return Variant(label, apply)


def change_targets(
    quality: float | None = None,
    organic: float | None = None,
    meat_fish: float | None = None,
    hard: bool | None = None,
    name: str | None = None,
) -> Variant:
    """Territory default EGalim targets (fractions; canteen overrides stay), optionally hard.

    Parameters
    ----------
    quality, organic, meat_fish
        New default targets as fractions of purchases by value (law: 0.5, 0.2, 0.6);
        ``None`` keeps the scenario's.
    hard
        ``True``/``False`` sets ``hard_egalim``; ``None`` keeps it.
    name
        The variant's name in ``compare``'s table; ``None`` for one made of the change.

    Returns
    -------
    Variant
        The change, applied by ``compare``; applying it raises ``ScenarioError`` when
        a target is outside [0, 1].
    """
    changes = {
        k: v
        for k, v in (("quality", quality), ("organic", organic), ("meat_fish", meat_fish))
        if v is not None
    }

    def apply(s: Scenario) -> Scenario:
        params: dict[str, Any] = {"targets": s.parameters.targets.model_dump() | changes}
        if hard is not None:
            params["hard_egalim"] = hard
        return s.with_parameters(**params)

    if name is None:
        keys = {"quality": "quality", "organic": "organic_target", "meat_fish": "meat_fish"}
        shown = [
            _(NAMES[keys[k]]).format(share=format_share(v, 0 if round(100 * v, 6) % 1 == 0 else 1))
            for k, v in changes.items()
        ]
        name = ", ".join(shown) or _(NAMES["targets"])
        if hard:
            name = _(NAMES["hard"]).format(targets=name)
    return Variant(name, apply)


def raise_budget(
    factor: float = 1.0,
    amount_eur_ht: float = 0.0,
    canteen_ids: str | Iterable[str] | None = None,
    name: str | None = None,
) -> Variant:
    """Budgets (EUR HT) × ``factor`` + ``amount_eur_ht``, for some canteens or all with one.

    Canteens without a budget keep none.

    Parameters
    ----------
    factor
        Multiplies the budgets.
    amount_eur_ht
        Added to the budgets after the factor, EUR HT.
    canteen_ids
        One ``canteen_id`` or several; ``None`` for every canteen with a budget.
    name
        The variant's name in ``compare``'s table; ``None`` for one made of the change.

    Returns
    -------
    Variant
        The change, applied by ``compare``; applying it raises ``ScenarioError`` when
        an id is not in ``canteens`` or a budget becomes invalid.
    """
    ids = None if canteen_ids is None else _ids(canteen_ids)
    label = name or (
        _(NAMES["budget_plus"]).format(factor=_figure(factor), amount=_signed(amount_eur_ht))
        if amount_eur_ht
        else _(NAMES["budget"]).format(factor=_figure(factor))
    )

    def apply(s: Scenario) -> Scenario:
        if ids is not None:
            _known(s, "canteens", ids, label)
        can = s.canteens.copy()
        on = can["budget_eur_ht"].notna()
        if ids is not None:
            on &= can["canteen_id"].isin(ids)
        can["budget_eur_ht"] = can["budget_eur_ht"].where(
            ~on, can["budget_eur_ht"] * factor + amount_eur_ht
        )
        return s.with_tables(canteens=can)

    return Variant(label, apply)


def budget_per_meal(
    eur_ht_per_meal: float,
    canteen_ids: str | Iterable[str] | None = None,
    name: str | None = None,
) -> Variant:
    """Each canteen's budget set to ``eur_ht_per_meal`` × its meals over the horizon.

    Meals are ``rhd_match.plan.tables.meals_served`` (``meals_per_day × service_days``, or
    the estimate of ``docs/model.md``, *Meals and cost per meal*); a canteen whose meals are
    unknown keeps its budget. With ``objective="compliance"`` this is the "most canteens
    compliant under a per-meal budget" question.

    Parameters
    ----------
    eur_ht_per_meal
        Food budget per meal, EUR HT.
    canteen_ids
        One ``canteen_id`` or several; ``None`` for every canteen.
    name
        The variant's name in ``compare``'s table; ``None`` for one made of the change.

    Returns
    -------
    Variant
        The change, applied by ``compare``; applying it raises ``ScenarioError`` when
        an id is not in ``canteens`` or a budget becomes invalid.
    """
    ids = None if canteen_ids is None else _ids(canteen_ids)
    label = name or _(NAMES["per_meal"]).format(amount=_figure(eur_ht_per_meal))

    def apply(s: Scenario) -> Scenario:
        if ids is not None:
            _known(s, "canteens", ids, label)
        can = s.canteens.copy()
        meals = meals_served(s).reindex(can["canteen_id"]).to_numpy(float)
        on = meals > 0
        if ids is not None:
            on &= can["canteen_id"].isin(ids).to_numpy()
        can["budget_eur_ht"] = can["budget_eur_ht"].where(~on, eur_ht_per_meal * meals)
        return s.with_tables(canteens=can)

    return Variant(label, apply)


def change_radius(
    radius_km: float | None = None,
    factor: float = 1.0,
    producer_ids: str | Iterable[str] | None = None,
    name: str | None = None,
) -> Variant:
    """Delivery radius (km) set to ``radius_km`` or multiplied by ``factor``, for some or all
    producers.

    Parameters
    ----------
    radius_km
        The new delivery radius, km; ``None`` to multiply by ``factor`` instead.
    factor
        Multiplies the radius when ``radius_km`` is ``None``.
    producer_ids
        One ``producer_id`` or several; ``None`` for every producer.
    name
        The variant's name in ``compare``'s table; ``None`` for one made of the change.

    Returns
    -------
    Variant
        The change, applied by ``compare``; applying it raises ``ScenarioError`` when
        an id is not in ``producers`` or a radius becomes invalid.
    """
    ids = None if producer_ids is None else _ids(producer_ids)
    label = name or (
        _(NAMES["radius"]).format(radius=_figure(radius_km))
        if radius_km is not None
        else _(NAMES["radius_factor"]).format(factor=_figure(factor))
    )

    def apply(s: Scenario) -> Scenario:
        if ids is not None:
            _known(s, "producers", ids, label)
        prod = s.producers.copy()
        on = np.ones(len(prod), bool) if ids is None else prod["producer_id"].isin(ids).to_numpy()
        radius = prod["delivery_radius_km"].to_numpy(float)
        new = np.full(len(prod), radius_km) if radius_km is not None else radius * factor
        prod["delivery_radius_km"] = np.where(on, new, radius)
        return s.with_tables(producers=prod)

    return Variant(label, apply)


def solve_summary(
    scenario: Scenario, options: Mapping[str, Any], end_unix_s: float | None = None
) -> pd.DataFrame:
    """Solve and return the one-row ``summary`` (module-level so that processes can run it).

    Parameters
    ----------
    scenario
        The scenario to solve.
    options
        Options of ``Scenario.solve``.
    end_unix_s
        When the call's time limit ends, as a time of day (``time.time()``, s): the solve gets
        what is left then; ``None`` for the ``time_limit_s`` of ``options`` from now.

    Returns
    -------
    pandas.DataFrame
        The solution's ``summary``: one row of territory figures and solver statistics; past
        ``end_unix_s``, a row with status ``not_started``, ``stopped_by_time_limit`` true and
        empty figures (no solve).
    """
    if end_unix_s is None:
        return scenario.solve(**dict(options)).summary
    left = end_unix_s - time.time()
    if left <= 0:
        stats = {"status": "not_started", "strategy": "", "gap": math.nan, "solve_time_s": 0.0}
        row = dict.fromkeys(FIGURES, math.nan) | stats | {"stopped_by_time_limit": True}
        return pd.DataFrame([row])
    return scenario.solve(**dict(options) | {"time_limit_s": left}).summary


def compare(
    scenario: Scenario,
    variants: Sequence[Variant],
    executor: Executor | None = None,
    dask: str | None = None,
    **solve_options: Any,
) -> pd.DataFrame:
    """Solve ``scenario`` and every variant; one row each, base first, in the given order.

    Parameters
    ----------
    scenario
        The base scenario.
    variants
        The changes to compare, each applied to the base (see the builders of this module).
    executor
        Where the solves run; ``None`` creates (and shuts down) a
        ``ProcessPoolExecutor(max_workers=os.cpu_count())``.
    dask
        A Dask cluster to solve on instead, one variant per task: ``"local:N"`` (N workers
        started for the call) or a scheduler's address.
    **solve_options
        Options of ``Scenario.solve`` (``strategy``, ...) for every solve; each solve's weeks
        run on its worker's threads (``dask`` is set to None). ``time_limit_s`` (s; else the
        scenario's) is the whole call's: each solve gets what is left of it when it starts.

    Returns
    -------
    pandas.DataFrame
        One row per ``variant`` (``"base"`` first): the solver figures ``status``
        (``not_started`` for a solve the time limit did not reach: empty figures),
        ``strategy``, ``gap``, ``solve_time_s`` (s), ``stopped_by_time_limit``, the
        figures of ``FIGURES`` (shares as fractions, values in EUR HT, canteen counts,
        objective) and, for each,
        ``delta_<figure>`` = variant − base (0 on the base row).

    Raises
    ------
    ScenarioError
        Before any solve, when a variant names a producer or canteen the scenario does not
        have (every such id, with its table) or makes an invalid scenario.
    OptionError
        When two variants share a name (the same change asked twice), one is named like the
        base, a solve option is unknown or invalid, both ``executor`` and ``dask`` are given,
        or no scheduler answers at ``dask``.
    InfeasibleError
        In hard mode, when a scenario has no plan meeting every hard target.
    """
    started = time.perf_counter()
    names = [BASE] + [v.name for v in variants]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise OptionError(
            [
                _("variant {name} is asked for more than once (or named as the base)").format(
                    name=quoted(n)
                )
                for n in repeated
            ]
        )
    scenarios = [scenario]
    problems: list[Problem] = []
    for variant in variants:
        try:
            scenarios.append(variant.apply(scenario))
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioError(problems)
    if executor is not None and dask is not None:
        raise OptionError(["give an executor or a Dask cluster, not both"])
    # The variants are the parallel tasks: each solve's weeks stay on its worker's threads.
    options = dict(solve_options) | {"dask": None}
    # One clock from the call's start; a time of day, so that it holds in any process.
    end = call_deadline(scenario, options, started).end_unix_s()
    with ExitStack() as stack:
        if dask is not None:
            pool: Executor = stack.enter_context(dask_client(dask)).get_executor()
        elif executor is None:
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=os.cpu_count()))
        else:
            pool = executor
        futures: list[Future[pd.DataFrame]] = [
            pool.submit(solve_summary, s, options, end) for s in scenarios
        ]
        summaries = [f.result() for f in futures]
    rows = pd.concat(summaries, ignore_index=True)
    out = pd.DataFrame({"variant": names})
    for col in STATS + FIGURES:
        out[col] = rows[col].to_numpy()
    for col in FIGURES:
        values = out[col].to_numpy(float)
        out[f"delta_{col}"] = values - values[0]
    return out
