"""Decision support built on repeated solves: what-if variants, the cost–organic trade-off,
bottlenecks (marginal values of local supply) and menu-driven demand
(``docs/decision-support.md``)."""
