"""The scale ladder: seeded scenarios of any size, built with ``rhd_match.generate``.

Named sizes (``SIZES``):

* ``XS`` — 16 canteens, 30 producers, the whole catalogue, 12 ISO weeks (spring term): small
  enough for the exact MIP and for PuLP + CBC to finish, so objectives can be compared;
* ``S`` — the Lens-Liévin territory: exactly the embedded demo (``Scenario.demo()``,
  ``DEMO_ARGUMENTS``): 63 canteens, 130 producers, ~40 products, 53 ISO weeks of 2026;
* ``SM`` — a rung between S and M (1/5 of M each way): 300 canteens, 200 producers,
  60 products, synthetic territory, one year;
* ``M`` — a department: 1,500 canteens, 1,000 producers, 60 products, synthetic, one year;
* ``L`` — a region: 6,000 canteens, 4,000 producers, 60 products, synthetic, one year.

Any other size can be given as ``CANTEENSxPRODUCERS[xPRODUCTS][wWEEKS]``, e.g. ``120x80x50``
or ``20x30w8`` (synthetic territory, seed 0).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from rhd_match.generate.synthetic import DEMO_ARGUMENTS, generate_scenario
from rhd_match.inputs.scenario import Scenario

#: Every task the runner knows, in the order it runs them (see ``benchmarks/one.py``).
ALL_TASKS: tuple[str, ...] = (
    "build",
    "optimiser",
    "weighted",
    "lp",
    "greedy",
    "mip",
    "pulp",
    "solvers",
    "strategies",
    "local_max",
    "streaming",
)


@dataclass(frozen=True)
class Size:
    """One rung of the ladder: the generator's arguments and what to run on it.

    ``weeks``: keep this many ISO weeks from ``first_week`` (0-based position in the year);
    ``None`` keeps the whole year. ``time_limit_s``: the optimiser's wall-clock limit (s,
    build included, as ``rhd_match.solve`` counts it). ``task_timeout_s``: the runner kills a
    task still running after this many seconds (wall clock). ``pulp``: ``"mip"`` (exact,
    compared with rhd_match's exact MIP), ``"lp"`` (the relaxation, compared with rhd_match's
    LP bound) or ``None``; ``pulp_time_limit_s`` is passed to CBC. ``hubs``: the territory's
    hubs in the scenario (the PuLP model has none: a size compared with PuLP leaves them out).
    ``weighted_time_limit_s``: the ``weighted`` task's limit (s; None: ``time_limit_s``).
    """

    name: str
    canteens: int
    producers: int
    products: int | None
    territory: str
    seed: int
    description: str
    weeks: int | None = None
    first_week: int = 0
    hubs: bool = True
    time_limit_s: float = 60.0
    lp_time_limit_s: float = 300.0
    task_timeout_s: float = 900.0
    tasks: tuple[str, ...] = ("build", "optimiser", "weighted", "lp", "greedy")
    weighted_time_limit_s: float | None = None
    pulp: str | None = None
    pulp_time_limit_s: float = 300.0
    solver_time_limit_s: float = 60.0
    strategy_time_limits_s: tuple[float, ...] = field(default=())

    def timeout_for(self, task: str) -> float:
        """Wall-clock budget of one task (s). PuLP's CBC does not stop an LP at its time limit,
        so the PuLP task gets its limit twice over plus time to build, within the task's."""
        if task == "pulp":
            return min(self.task_timeout_s, 2 * self.pulp_time_limit_s + 300.0)
        return self.task_timeout_s

    @property
    def label(self) -> str:
        """One line for report headings."""
        weeks = "52–53 ISO weeks" if self.weeks is None else f"{self.weeks} ISO weeks"
        products = "whole catalogue" if self.products is None else f"{self.products} products"
        return (
            f"{self.name}: {self.canteens:,} canteens, {self.producers:,} producers, "
            f"{products}, {weeks}, territory {self.territory}, seed {self.seed}"
        )


SIZES: dict[str, Size] = {
    "XS": Size(
        name="XS",
        canteens=16,
        producers=30,
        products=None,
        territory="lens-lievin",
        seed=1,
        weeks=12,
        first_week=10,
        description="exact MIP and PuLP + CBC both finish",
        time_limit_s=60.0,
        lp_time_limit_s=60.0,
        task_timeout_s=240.0,
        tasks=("build", "optimiser", "weighted", "lp", "greedy", "mip", "pulp", "solvers"),
        pulp="mip",
        pulp_time_limit_s=120.0,
        solver_time_limit_s=20.0,
    ),
    "S": Size(
        name="S",
        canteens=int(DEMO_ARGUMENTS["n_canteens"]),
        producers=int(DEMO_ARGUMENTS["n_producers"]),
        products=DEMO_ARGUMENTS["n_products"],
        territory=str(DEMO_ARGUMENTS["territory"]),
        seed=int(DEMO_ARGUMENTS["seed"]),
        description="a territory: the embedded Lens-Liévin demo, Scenario.demo()",
        hubs=bool(DEMO_ARGUMENTS["hubs"]),
        time_limit_s=30.0,
        lp_time_limit_s=300.0,
        task_timeout_s=900.0,
        tasks=(
            "build",
            "optimiser",
            "weighted",
            "lp",
            "greedy",
            "pulp",
            "solvers",
            "strategies",
            "local_max",
        ),
        pulp="lp",
        pulp_time_limit_s=300.0,
        solver_time_limit_s=60.0,
        strategy_time_limits_s=(30.0, 120.0),
    ),
    "SM": Size(
        name="SM",
        canteens=300,
        producers=200,
        products=60,
        territory="synthetic",
        seed=2026,
        description="between S and M (1/5 of M each way), for the scaling curve",
        time_limit_s=120.0,
        weighted_time_limit_s=600.0,
        lp_time_limit_s=300.0,
        task_timeout_s=1200.0,
    ),
    "M": Size(
        name="M",
        canteens=1500,
        producers=1000,
        products=60,
        territory="synthetic",
        seed=2026,
        description="a department",
        time_limit_s=600.0,
        lp_time_limit_s=600.0,
        task_timeout_s=1800.0,
    ),
    "L": Size(
        name="L",
        canteens=6000,
        producers=4000,
        products=60,
        territory="synthetic",
        seed=2026,
        description="a region",
        time_limit_s=1200.0,
        lp_time_limit_s=1200.0,
        task_timeout_s=900.0,
        tasks=("build", "optimiser"),
    ),
}

_SPEC = re.compile(r"^(\d+)x(\d+)(?:x(\d+))?(?:w(\d+))?$")


def get_size(name: str) -> Size:
    """A named size, or one parsed from ``CANTEENSxPRODUCERS[xPRODUCTS][wWEEKS]``."""
    if name in SIZES:
        return SIZES[name]
    match = _SPEC.match(name)
    if match is None:
        known = ", ".join(SIZES)
        raise ValueError(f"unknown size {name!r}: use one of {known} or e.g. 120x80x50w12")
    canteens, producers, products, weeks = match.groups()
    return Size(
        name=name,
        canteens=int(canteens),
        producers=int(producers),
        products=int(products) if products else None,
        territory="synthetic",
        seed=0,
        description="custom size",
        weeks=int(weeks) if weeks else None,
    )


def with_time_limit(size: Size, seconds: float | None) -> Size:
    """``size`` with another optimiser time limit (s); unchanged when ``seconds`` is None."""
    return size if seconds is None else replace(size, time_limit_s=float(seconds))


def make_scenario(size: Size, market: bool = True) -> Scenario:
    """The scenario of ``size``: deterministic, from ``generate_scenario`` and the seed, with
    its generated market table (every baseline buys from it too) unless ``market`` is False
    (producers and the conventional supplier only, as the ladder was before it had one)."""
    scenario = generate_scenario(
        size.canteens,
        size.producers,
        size.products,
        seed=size.seed,
        territory=size.territory,
        hubs=size.hubs,
    )
    if not market:
        scenario = scenario.with_tables(market=scenario.market.iloc[:0])
    if size.weeks is None:
        return scenario
    return keep_weeks(scenario, size.first_week, size.weeks)


def keep_weeks(scenario: Scenario, first: int, count: int) -> Scenario:
    """``scenario`` restricted to ``count`` ISO weeks from position ``first`` (0-based).

    Offers and demand of other weeks are dropped; products, canteens, producers and the market
    options are kept (annual budgets then rarely bind; a market option's availability outside
    the horizon is never used).
    """
    weeks = sorted(set(scenario.demand["week"]).union(scenario.offers["week"]))
    keep = set(weeks[first : first + count])
    return Scenario.from_frames(
        products=scenario.products,
        canteens=scenario.canteens,
        producers=scenario.producers,
        offers=scenario.offers[scenario.offers["week"].isin(keep)],
        demand=scenario.demand[scenario.demand["week"].isin(keep)],
        market=scenario.market,
        parameters=scenario.parameters,
    )
