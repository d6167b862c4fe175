"""The allocation model: index tables, variables, one function per constraint family, objective,
assembly into one sparse matrix, solver runs and strategies (formulation in docs/model.md)."""
