"""The per-canteen annual rows (EGalim shares, budgets) that tie the weeks together, and their
Lagrangian prices.

Pricing these rows with multipliers μ makes the model separate by week (``subproblems``): each
week's LP then sees the column costs c − A_Gᵀμ. Multipliers stay in μ_EGalim ∈ [0, W_S],
μ_budget ∈ [−W_B, 0], where the shortfall and overrun columns keep non-negative prices, so no
term of the Lagrangian bound is unbounded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..build import LinearModel
from ..strategies import ELASTIC_BLOCKS
from .subproblems import row_weeks


@dataclass(frozen=True)
class AnnualRows:
    """The per-canteen annual rows (EGalim shares, budgets) that the multipliers price.

    ``w_short`` and ``w_over`` are the shortfall and overrun prices (per EUR HT): they bound
    the multipliers, μ_EGalim ∈ [0, W_S] and μ_budget ∈ [−W_B, 0] (see the module docstring).
    """

    rows: np.ndarray
    matrix: sp.csr_matrix
    rhs: np.ndarray
    is_budget: np.ndarray
    w_short: float
    w_over: float

    @classmethod
    def of(cls, model: LinearModel) -> AnnualRows:
        """The annual rows of ``model`` and its shortfall and overrun prices.

        Parameters
        ----------
        model
            The model.

        Returns
        -------
        AnnualRows
            Its rows (EGalim shares, budgets) with their right-hand sides.
        """
        var = model.variables
        rows = np.flatnonzero(row_weeks(model) < 0)
        is_budget = ~np.isfinite(model.row_lower[rows])
        return cls(
            rows,
            model.matrix[rows],
            np.where(is_budget, model.row_upper[rows], model.row_lower[rows]),
            is_budget,
            float(model.objective[var.cols("short_quality")].max(initial=0.0)),
            float(model.objective[var.cols("overrun")].max(initial=0.0)),
        )

    @property
    def mu_low(self) -> np.ndarray:
        low: np.ndarray = np.where(self.is_budget, -self.w_over, 0.0)
        return low

    @property
    def mu_high(self) -> np.ndarray:
        """Also the starting multipliers: every canteen short of every target, no overrun."""
        high: np.ndarray = np.where(self.is_budget, 0.0, self.w_short)
        return high

    def cost(self, model: LinearModel, mu: np.ndarray) -> np.ndarray:
        """Column costs of the weekly problems at multipliers ``mu``: c − A_Gᵀμ.

        Parameters
        ----------
        model
            The model.
        mu
            Multipliers, shape (annual rows,).

        Returns
        -------
        numpy.ndarray
            Cost per column, shape (columns,).
        """
        priced: np.ndarray = model.objective - self.matrix.T @ mu
        return priced

    def hard_excess(self, model: LinearModel, values: np.ndarray) -> float:
        """EUR HT by which ``values`` breaks the rows hard mode makes hard (0 in soft mode).

        Parameters
        ----------
        model
            The model (its hard modes are read from the column bounds).
        values
            A solution vector, shape (columns,).

        Returns
        -------
        float
            Total shortfall on hard EGalim rows and overrun on hard budgets, EUR HT.
        """
        hard_egalim, hard_budget = self.hard_modes(model)
        hard = np.where(self.is_budget, hard_budget, hard_egalim)
        return float(self.broken(model, values)[hard].sum())

    def broken(self, model: LinearModel, values: np.ndarray) -> np.ndarray:
        """EUR HT by which ``values``' flows miss each target or overrun each budget.

        Parameters
        ----------
        model
            The model.
        values
            A solution vector, shape (columns,); its shortfall and overrun columns are not
            counted.

        Returns
        -------
        numpy.ndarray
            Shortfall (EGalim rows) or overrun (budgets) per annual row, ≥ 0, EUR HT, shape
            (annual rows,).
        """
        var = model.variables
        flows = values.copy()
        for block in ELASTIC_BLOCKS:
            flows[var.cols(block)] = 0.0
        activity = self.matrix @ flows - self.rhs
        broken: np.ndarray = np.where(self.is_budget, activity, -activity).clip(0.0)
        return broken

    @staticmethod
    def hard_modes(model: LinearModel) -> tuple[bool, bool]:
        """Whether the EGalim targets, and the budgets, are hard (``hard_egalim``,
        ``hard_budget``: their shortfall and overrun columns are fixed to 0).

        Parameters
        ----------
        model
            The model.

        Returns
        -------
        tuple of bool
            Hard EGalim targets, hard budgets.
        """
        var = model.variables
        hard_egalim = bool((var.upper[var.cols("short_quality")] <= 0).any())
        return hard_egalim, bool((var.upper[var.cols("overrun")] <= 0).any())

    def of_plan(self, values: np.ndarray) -> np.ndarray:
        """What each annual row is worth to ``values``: W_S on a target it misses, −W_B on a
        budget it overruns, 0 on rows it already meets.

        Parameters
        ----------
        values
            A solution vector, shape (columns,).

        Returns
        -------
        numpy.ndarray
            A price per annual row, shape (annual rows,).
        """
        return self.price_of(self.matrix @ values)

    def price_of(self, activity: np.ndarray) -> np.ndarray:
        """What each annual row is worth to a plan with this ``activity`` on the rows (see
        ``of_plan``).

        Parameters
        ----------
        activity
            The plan's activity on each annual row (left-hand side), shape (annual rows,).

        Returns
        -------
        numpy.ndarray
            A price per annual row, shape (annual rows,).
        """
        activity = activity - self.rhs
        short = np.where(activity < 0, self.w_short, 0.0)
        over = np.where(activity > 0, -self.w_over, 0.0)
        priced: np.ndarray = np.where(self.is_budget, over, short)
        return priced
