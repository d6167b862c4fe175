"""The linear-program value handed to the solvers: each derived program solves to the optimum
worked out by hand on a two-variable program."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from rhd_match.model.solvers import LinearProgram, run_solver


@pytest.fixture
def program() -> LinearProgram:
    """min x1 − x2  s.t.  x1 ≥ 2,  x2 ≤ 3,  x ≥ 0: optimum x = (2, 3), objective −1."""
    return LinearProgram(
        sp.csr_matrix(np.eye(2)),
        np.array([1.0, -1.0]),
        np.array([2.0, -np.inf]),
        np.array([np.inf, 3.0]),
        np.zeros(2),
        np.full(2, np.inf),
    )


def _solve(program: LinearProgram) -> list[float]:
    """The objective, then the point."""
    run = run_solver(program, "glop", 10.0, 1)
    assert run.status == "optimal" and run.values is not None
    return [run.objective, *(float(v) for v in run.values)]


def test_the_program_itself(program: LinearProgram) -> None:
    assert _solve(program) == pytest.approx([-1.0, 2.0, 3.0])


def test_an_added_row_binds(program: LinearProgram) -> None:
    # x1 + x2 ≤ 4 leaves x2 = 2: objective 0.
    tighter = program.with_row(np.array([1.0, 1.0]), -np.inf, 4.0)
    assert tighter.matrix.shape == (3, 2) and program.matrix.shape == (2, 2)
    assert _solve(tighter) == pytest.approx([0.0, 2.0, 2.0])


def test_a_swapped_objective(program: LinearProgram) -> None:
    # min x1 + x2: x2 drops to 0.
    assert _solve(program.with_objective(np.array([1.0, 1.0]))) == pytest.approx([2.0, 2.0, 0.0])


def test_a_column_subset(program: LinearProgram) -> None:
    # Without x2 only x1 ≥ 2 remains.
    only_x1 = program.with_columns(np.array([True, False]))
    assert not only_x1.is_mip
    assert _solve(only_x1) == pytest.approx([2.0, 2.0])


def test_a_mip_stopped_by_its_time_limit_says_so(program: LinearProgram) -> None:
    from rhd_match.model.strategies import Deadline

    # A market split (Cornuéjols and Dawande): 4 rows, 30 binaries, the rows' slack minimised.
    # HiGHS finds a plan at once and cannot prove it optimal within half a second.
    rng = np.random.default_rng(0)
    weights = rng.integers(0, 100, (4, 30)).astype(float)
    half = np.floor(weights.sum(axis=1) / 2)
    split = LinearProgram(
        sp.csr_matrix(np.hstack([weights, np.eye(4), -np.eye(4)])),
        np.r_[np.zeros(30), np.ones(8)],
        half,
        half,
        np.zeros(38),
        np.r_[np.ones(30), np.full(8, np.inf)],
        np.r_[np.ones(30, bool), np.zeros(8, bool)],
    )
    deadline = Deadline(0.5)
    run = deadline.solve(split, "highs", 1, 1e-9)
    assert run.status == "feasible" and run.values is not None
    assert deadline.hit
    # Proven optimal well within its budget: not stopped.
    roomy = Deadline(60.0)
    assert roomy.solve(program, "highs", 1, 1e-9).status == "optimal"
    assert not roomy.hit


def test_a_spent_deadline_starts_no_solver(program: LinearProgram) -> None:
    from rhd_match.model.strategies import Deadline

    spent = Deadline(0.0)
    run = spent.solve(program, "glop", 1)
    assert run.status == "not_started" and run.values is None
    assert spent.hit
