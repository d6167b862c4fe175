"""The decomposition's work budgets and size thresholds.

Every budget is work (passes, rounds, LPs solved to optimality), never measured time, so the
same input and options give the same plan on any machine. The phases read them from this
module when they run, so that one assignment here changes them all.
"""

from __future__ import annotations

#: At most this many passes of the multiplier search.
SEARCH_ITERATIONS = 40
#: When an objective's levels follow, the search's bound (on the weighted objective) is not
#: reported and its only use is the multipliers of its best relaxed plan: it stops after this
#: many passes without a better one (the bisection, ``pricing.search_bisects``: without one
#: as good). On the demo the best is the first pass, and the 39 passes after it changed
#: neither the drops nor the plan; at size SM, bisected, the ninth of 11 (measured).
SEARCH_PATIENCE = 2
#: The same with substitutable demand (group options in the model): the first passes' prices
#: (every canteen short of every target) pay each group for its dearest products' organic
#: ranges, and their plans overrun budgets; on the flexible demo the first plan better than
#: the first pass's is the fourth's and the best the eighth's (weighted objective of the
#: repaired plan +2.66 M → −3.29 M; the levels' local food +14 %, measured). Passes 9-18
#: found no better one.
SEARCH_PATIENCE_GROUPS = 6
#: The search stops (a safety net, on the clock) when less time is left than this many of its
#: passes: what the weekly repair takes after it (the demo, fixed or flexible: 11-16 s, 6-8
#: passes, measured under load). A search that ran to the end of the time left the flexible
#: demo a repair cut in its first round and a plan of 1.7 % local food (60-s limit, load 10).
SEARCH_RESERVE_PASSES = 8
#: Up to this many nonzeros the whole-year LP relaxation replaces the price search: it is
#: cheap there (XS: 17k nonzeros, 0.1 s) and proves the best bound prices could.
WHOLE_LP_MAX_NONZEROS = 200_000
#: The weekly pass with delivery rows (4-9x a transport pass, measured at size M) only up to
#: this many nonzeros (the demo: 0.9 M; size M: 70 M).
DELIVERY_MAX_NONZEROS = 2_000_000
#: At most this many rounds of growing the open drops in the weekly repair, stopping after
#: a round that gains less than this share of the objective. On the demo the rounds after
#: the first gain 5.9e-2, 1.9e-2, 2.1e-3 and 7.0e-4, and a sixth nothing (its new drops all
#: fall short of their franco, so it ends on the fifth's drops; the same with the hub): it
#: is not run, and the plan is the same (measured; at 1e-4 it was, a weekly pass for no gain).
#: The flexible demo now stops after a round gaining 9.4e-4 instead of one gaining 2.4e-4:
#: another plan, better by the levels (``docs/model.md``, *Decompose*).
GROWTH_ROUNDS, GROWTH_MIN_GAIN = 8, 1e-3
#: The weekly repair gathers a hub's order on its members' fuller drops at the hub for at
#: most this many rounds of its franco loop, then closes every drop still short: on the demo
#: with its hub the rounds after the fourth closed 1 to 6 of about 8,000 drops each while the
#: hub drops waited open (measured).
HUB_GATHER_ROUNDS = 4
#: Rounds of re-pricing the weeks from the plan's own annual rows: at least the first,
#: then more while each finds a better plan, up to the second (the clock permitting). At
#: size SM streamed, rounds 3 to 6 took the plan from -3.65 M to -8.59 M, the sixth gaining
#: most (measured): six rounds stopped it while it still gained.
REPRICE_ROUNDS, REPRICE_MAX_ROUNDS = 6, 20
#: The streamed decomposition's chunks leave the polishing LP (while the plan may be
#: polished) this many times their relaxations' time: on the demo the in-memory polishing LP
#: took 9.4 s after a weekly relaxation pass of 1.9 s (load average 5-8, measured).
STREAM_POLISH_PER_RELAXATION = 5.0
#: The whole-year polishing LP only up to this many columns: its time grows much faster
#: than the weekly LPs' (GLOP: 1.7 s at 62k columns, over 300 s at 1.7 M).
POLISH_MAX_COLUMNS = 400_000
#: The streamed decomposition keeps its chunks' transport problems (matrices, costs, bounds,
#: annual coefficients: about 12 bytes a nonzero, no index tables) between passes up to this
#: many nonzeros in all, about 1.2 GB; beyond, a chunk's model is rebuilt at each pass.
STREAM_KEEP_NONZEROS = 100_000_000
#: A kept chunk's memory per nonzero, bytes (see ``STREAM_KEEP_NONZEROS``): with hubs, a kept
#: chunk also keeps its index tables (its hub options are read from them at each pass),
#: counted as this many bytes a nonzero.
STREAM_KEPT_BYTES_PER_NONZERO = 12
#: The in-memory solve's peak memory, estimated from the whole-year model's arcs: the
#: process with its libraries, GB, plus bytes per arc. Size M (7.48 M arcs, the
#: decomposition, idle 2-core machine): 6.41 GB peak, about 820 bytes an arc over the 0.3 GB
#: the process holds at start (``benchmarks/results/README.md``); smaller sizes use more per arc
#: (SM: 2.5 kB, its whole-year polishing LP), but there memory is far from any limit. Above
#: ``SolverOptions.memory_limit_gb`` the decomposition streams by weeks.
IN_MEMORY_GB, IN_MEMORY_BYTES_PER_ARC = 0.3, 820
#: The streamed decomposition's multiplier search stops at this share of the time left when
#: it starts (a safety net on the clock, between two chunks of a pass): at size M under load
#: one pass took over a third of a 600-s limit, and the search's later passes improved
#: neither the bound nor the plan there (measured), while the chunks' plans need the rest.
STREAM_SEARCH_TIME_SHARE = 0.5
#: The streamed decomposition runs its multiplier search only when the time left holds this
#: many passes over the chunks and then the chunks' plans (``streamed_search.search_fits``): its
#: first pass is at the starting multipliers, where the plan phase's relaxations give the
#: same bound, so a search pays from its second pass.
STREAM_SEARCH_MIN_PASSES = 2
#: A pass over a chunk (its build, weekly problems and transport relaxation) costs about this
#: many of its model's builds: at size L 7.9 + 1.6 + 15.3 CPU s against a build of 7.9
#: (measured, ``docs/distributed.md``, *What an L chunk costs*). Counted as one build, an
#: idle L run found room for the search and spent 641 s of its 1,800 on a first pass that
#: priced as the plan phase would have (2026-11-30).
STREAM_PASS_BUILDS = 3.0
#: A chunk's plan (build, weekly relaxation, repair, flows and unmet-demand tables) costs
#: about this many of its model's builds: at size L about 40 CPU s against a build of 7.9
#: (measured, ``docs/distributed.md``, *Half an L chunk's CPU*).
STREAM_PLAN_BUILDS = 5.0
#: The weekly transport LPs of a model too large for the delivery pass
#: (``DELIVERY_MAX_NONZEROS``) start from each demand row's this many cheapest arcs, the
#: others priced out by the duals (``restricted``), for at most this many rounds.
ARCS_PER_DEMAND_ROW, RESTRICTED_ROUNDS = 4, 4
#: The streamed decomposition's bound (``bounding.plan_bound``): one pass of the chunks'
#: weekly transport LPs at these multiples of the prices the plan's annual rows read
#: (``AnnualRows.price_of``: W_S on a missed target, −W_B on an overrun budget, 0 on a met
#: row), the best kept; when time is short the first is kept longest. The plan's prices
#: themselves overprice rows the relaxation can meet: forced onto the streamed path, the demo
#: (every target met, budgets overrun) bounds 11.4 % below the plan at 0.2, 17.8 % at 1 and
#: 12.1 % at 0 (its whole-year LP relaxation: 9.9 %); size SM 138 %, 245 % and 163 %
#: (measured, ``docs/distributed.md``). 1 is the right multiple where targets stay missed.
STREAM_BOUND_PRICE_SCALES = (0.2, 1.0, 0.0)
#: The time kept for that pass: this many times the chunks' builds and relaxations of the
#: plan phase at one multiple. A pass rebuilds each chunk and cuts its weekly problems again:
#: on the demo under load (average 5-7) it ran at 0.16 s a chunk against the plan phase's
#: 0.12, and with those kept exactly it was skipped after the polishing LP (measured). The
#: margin is for keeping time only: the pass starts when its plain estimate fits and drops
#: multiples at its own pace. With the margin also on its start, an idle L run skipped it
#: with 670 s left for about 27 × 20.4 s, and ended 838 s before its limit (2026-11-30).
STREAM_BOUND_MARGIN = 1.5
#: The climb of the bound after the plan (``ascent.climb_bound``, weighted objective, models
#: past ``WHOLE_LP_MAX_NONZEROS``): at most this many passes, within this share of the time
#: the plan leaves; its box first this share of each price's range, doubled on a serious step
#: (a pass reaching this share of what the master predicted), narrowed by this factor on a null
#: one; it stops once the master predicts less than this share of the plan's |objective| to
#: gain. With delivery rows up to this many nonzeros (size SM, 5.6 M: a pass 3-5 s with them,
#: 2.5-3 without, measured), so that its bound is the LP relaxation's, not the transport one's.
ASCENT_PASSES, ASCENT_TIME_SHARE = 60, 0.5
ASCENT_FIRST_BOX, ASCENT_SERIOUS, ASCENT_NARROW = 0.05, 0.1, 0.8
ASCENT_TOLERANCE = 1e-3
ASCENT_DELIVERY_MAX_NONZEROS = 10_000_000
#: The weekly MIPs (``integer_weeks``, weighted objective, soft targets and budgets, models
#: past ``WHOLE_LP_MAX_NONZEROS`` and up to this many nonzeros): the climb from μ = 0 gives
#: their prices, then at most ``INTEGER_ROUNDS`` rounds, each week's MIP to ``WEEKLY_MIP_GAP``,
#: over the binaries whose LP value at the round's prices is above ``INTEGER_USED`` (or that
#: the best plan opens). On the demo (1.1 M nonzeros), the first round: 10.4 s, plan −4,841,837
#: (0.91 % above the climb's bound); a second round at the polishing LP's duals took 31 s for
#: a worse plan (−4,830,743); at a 1e-2 gap −4,834,852 in 8.9 s (measured 2026-12-02, idle).
INTEGER_WEEKS_MAX_NONZEROS = 10_000_000
#: A round after the first runs only while the plan misses an EGalim target by more than
#: ``INTEGER_SHORT_EUR``: on the tests' tiny scenario the first round's plan met no target
#: (68,400 against an optimum of 797) and the second reached the optimum.
INTEGER_ROUNDS, WEEKLY_MIP_GAP, INTEGER_USED, INTEGER_SHORT_EUR = 3, 1e-3, 1e-6, 0.01
#: The weekly MIPs' plan is polished up to this many columns, more than
#: ``POLISH_MAX_COLUMNS``: their drops are fewer and fuller than the repair's. At SM the LP
#: over them has 672,466 columns and 2.5 M nonzeros, and GLOP solves it in 33 s (plan
#: −19,380,855 from 215,980,187 unpolished; measured 2026-12-02, idle).
INTEGER_POLISH_MAX_COLUMNS = 1_000_000
#: The climb before the weekly MIPs stops when the time left would hold no more than this
#: many of its passes besides the next, kept for the MIPs and the polishing LP. On the demo
#: they took 22 passes' time (14.6 s against 0.65 s a pass) on the 2-core machine, whose
#: speed varied by 40 % in one afternoon (measured 2026-12-02); with half the limit for the
#: climb instead, a 30-s limit on a slow afternoon cut the MIPs, and the weeks they had not
#: solved bought conventionally (gap 77 %).
INTEGER_RESERVE_PASSES = 30.0
