"""Assemble index, variables, constraints and objective into one sparse linear model."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..inputs.scenario import Scenario
from .constraints import Rows, define_all_constraints
from .hub_constraints import define_hub_constraints
from .index import ModelIndex, build_index
from .objective import define_objective, organic_value, purchase_value
from .solvers import LinearProgram
from .variables import Variables, define_variables


@dataclass(frozen=True)
class RowFamily:
    """Where one constraint family sits among the rows, with its domain keys."""

    name: str
    start: int
    count: int
    keys: pd.DataFrame


@dataclass(frozen=True)
class LinearModel:
    """min c·x  s.t.  row_lower ≤ A x ≤ row_upper,  lower ≤ x ≤ upper,  x_j integer if integer_j."""

    index: ModelIndex
    variables: Variables
    matrix: sp.csr_matrix
    objective: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    families: tuple[RowFamily, ...]
    build_time_s: float

    @property
    def shape(self) -> tuple[int, int]:
        rows, cols = self.matrix.shape
        return int(rows), int(cols)

    @property
    def n_binaries(self) -> int:
        return int(self.variables.integer.sum())

    def family(self, name: str) -> RowFamily:
        """The row family called ``name``.

        Parameters
        ----------
        name
            A constraint family (``demand``, ``franco``, ``egalim_quality``...).

        Returns
        -------
        RowFamily
            Its rows' position, count and keys.

        Raises
        ------
        StopIteration
            When the model has no such family.
        """
        return next(f for f in self.families if f.name == name)

    def program(
        self,
        lower: np.ndarray | None = None,
        upper: np.ndarray | None = None,
        integer: bool = False,
    ) -> LinearProgram:
        """The model as the value a solver takes: its LP relaxation, or the exact MIP if
        ``integer``; column bounds ``lower``/``upper`` replace the variables' own when given.

        Parameters
        ----------
        lower, upper
            Column bounds, each of shape (columns,); the variables' own when None.
        integer
            Keep the binaries integer (the MIP).

        Returns
        -------
        LinearProgram
            The program.
        """
        var = self.variables
        return LinearProgram(
            self.matrix,
            self.objective,
            self.row_lower,
            self.row_upper,
            var.lower if lower is None else lower,
            var.upper if upper is None else upper,
            var.integer if integer else None,
        )

    def purchase_value(self) -> np.ndarray:
        """Per column, EUR HT per unit in the purchase value: offer price on ``x``, reference
        price on ``v``, 0 elsewhere (a vector to minimise, or to put in a row)."""
        return purchase_value(self.index, self.variables)

    def organic_value(self) -> np.ndarray:
        """Per column, EUR HT per unit of organic purchase value: offer price on the organic
        arcs' ``x``, 0 elsewhere."""
        return organic_value(self.index, self.variables)

    def stats(self) -> dict[str, float]:
        """Sizes for reports: arcs, variables, binaries, constraints, nonzeros, build time."""
        return {
            "arcs": len(self.index.arcs),
            "variables": self.shape[1],
            "binaries": self.n_binaries,
            "constraints": self.shape[0],
            "nonzeros": int(self.matrix.nnz),
            "build_time_s": self.build_time_s,
        }


def build_model(scenario: Scenario, distance_km: np.ndarray | None = None) -> LinearModel:
    """Build the allocation model of ``scenario`` (formulation in ``docs/model.md``).

    Parameters
    ----------
    scenario
        The validated scenario (tables and parameters).
    distance_km
        The producers' distances to the canteens when already computed
        (``index.producer_canteen_km``), shape (producers, canteens); computed when None.

    Returns
    -------
    LinearModel
        Index tables, variables, the sparse constraint matrix with its row bounds and
        families, the objective, and the build time (s).
    """
    started = time.perf_counter()
    params = scenario.parameters
    index = build_index(scenario, distance_km)
    variables = define_variables(index, params)
    blocks = define_all_constraints(index, variables) + define_hub_constraints(index, variables)
    matrix, lower, upper, families = _stack(blocks, variables.count)
    objective = define_objective(index, variables, params.weights)
    return LinearModel(
        index,
        variables,
        matrix,
        objective,
        lower,
        upper,
        families,
        time.perf_counter() - started,
    )


def _stack(
    blocks: list[Rows], n_cols: int
) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, tuple[RowFamily, ...]]:
    offsets = np.cumsum([0] + [b.count for b in blocks])
    # One preallocated triplet array each: no concatenated temporaries at scale. Indices in
    # the 32-bit integers scipy would convert them to when they fit (a copy of each less).
    nnz = sum(b.nonzeros for b in blocks)
    fits = max(int(offsets[-1]), n_cols, nnz) <= np.iinfo(np.int32).max
    index_type: type[np.signedinteger[Any]] = np.int32 if fits else np.int64
    rows, cols, vals = np.empty(nnz, index_type), np.empty(nnz, index_type), np.empty(nnz)
    pos = 0
    for b, off in zip(blocks, offsets, strict=False):
        for row, col, val in b.parts:
            end = pos + len(row)
            np.add(row, off, out=rows[pos:end])
            cols[pos:end], vals[pos:end] = col, val
            pos = end
    if not vals.all():
        keep = vals != 0
        rows, cols, vals = rows[keep], cols[keep], vals[keep]
    matrix = sp.csr_matrix((vals, (rows, cols)), shape=(int(offsets[-1]), n_cols))
    del rows, cols, vals
    matrix.sum_duplicates()
    families = tuple(
        RowFamily(b.family, int(off), b.count, b.keys)
        for b, off in zip(blocks, offsets, strict=False)
    )
    lower = np.concatenate([b.lower for b in blocks])
    upper = np.concatenate([b.upper for b in blocks])
    return matrix, lower, upper, families
