"""Weekly decomposition: Lagrangian prices on the annual EGalim and budget rows.

Without its per-canteen annual rows (EGalim shares, budget) the model falls apart into one
independent problem per ISO week. Pricing those rows with multipliers μ gives, for any μ in
the box below, a valid lower bound

    L(μ) = Σ_w min_{x ∈ X_w} (c − A_Gᵀμ)·x + μ·b_G,

computed by one small LP per week (in parallel). The strategy:

1. start from μ = W_S on every EGalim row (every canteen short of every target) and μ = 0 on
   budgets; search μ on the *transport* relaxation (no drop or franco rows: fastest), for at
   most ``SEARCH_ITERATIONS`` passes, by projected subgradient steps (Polyak step towards the
   best plan value seen) or, where measured better (``pricing.search_bisects``), by bisecting
   each row's price between its bounds (lowered after a pass that meets the row: a target
   reached, a budget overrun; raised after one that misses it); keep the best bound, and the
   multipliers whose flows make the best plan (those of the best bound are degenerate: their
   weekly LPs are indifferent between buying labelled food and not);
2. one pass of the weekly relaxations *with* drops, franco and lots at those multipliers: a
   stronger bound, and flows from which to choose drops — on models up to
   ``DELIVERY_MAX_NONZEROS`` (above, the transport flows are used);
3. per week, open drops and lots from those flows and repair by LPs until every open drop pays
   its franco (as ``solve_repair`` does for the whole model),
   then grow the open drops while the plan improves; with hubs, open the hub drops that any
   pass of step 1 routes through and those the hub's members could fill, and keep that plan
   when it is better;
4. polish: one whole-year LP over the plan's drops with the true annual rows, or, when that LP
   is too large, weekly re-pricing from the plan's own annual rows.

With the weighted objective, soft targets and budgets, on models past
``WHOLE_LP_MAX_NONZEROS`` and up to ``INTEGER_WEEKS_MAX_NONZEROS``, steps 1-4 give way to:

5. climb the Lagrangian dual from μ = 0 with the delivery rows (``ascent``: stabilised cutting
   planes), its best pass's bound being the plan's;
6. solve each week's MIP at that pass's μ over the binaries its flows or the best plan use,
   polish the year over the drops they open, and while the plan misses a target go round
   again at the polishing LP's duals (``integer_weeks``).

Steps 1-4 still run when these find nothing better than buying conventionally; with the
weighted objective on the other models, step 5 follows step 4 for the bound alone.

Small models (up to ``WHOLE_LP_MAX_NONZEROS``) first solve the whole-year LP relaxation
instead of steps 1-2: its optimum is the best bound any μ can prove, its duals are such a μ,
and steps 3-4 start from its flows; unless that plan is within the gap, steps 1-4 run as well
and the better plan is kept (the LP's fractional lots can close a lot the weekly flows fill).

Every budget is work (passes, rounds, LPs solved to optimality), never measured time, so the
same input and options give the same plan on any machine. The wall clock is a safety net
only: a week whose LP runs out of time buys conventionally, so a plan always comes back whole,
and the plan then says so (``Plan.stopped_by_time_limit``). Targets and budgets are elastic
throughout, even in hard mode: the caller checks the hard rules on the final plan.
The plan's objective is then recomputed exactly from its flows; the gap is against the best
bound. Multipliers stay in μ_EGalim ∈ [0, W_S], μ_budget ∈ [−W_B, 0], where the shortfall and
overrun columns keep non-negative prices, so no term of L(μ) is unbounded.

One module per idea: ``budgets`` (the work budgets above), ``subproblems`` (the weeks and
their parallel LPs), ``annual`` (the annual rows and their prices), ``pricing`` (steps 1-2, or
the whole-year relaxation: bound and start), ``repair`` (step 3), ``polishing`` (step 4),
``ascent`` (step 5), ``integer_weeks`` (step 6) and ``orchestration`` (the steps in order,
the plan kept).
"""

from .orchestration import solve_decompose

__all__ = ["solve_decompose"]
