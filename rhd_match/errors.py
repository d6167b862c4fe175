"""Errors for people: every problem with its table, file, row and column."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in the input.

    ``row`` is the row number as a person sees it in the file (the header is row 1, so the
    first data row is row 2); ``None`` for a problem about a whole table or column.
    """

    table: str
    row: int | None
    column: str | None
    message: str
    file: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file or self.table
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{self.severity}: {where}: {self.message}"


class ScenarioError(ValueError):
    """Raised when input tables are invalid; lists every problem found at once."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.table, p.row or 0, p.column or ""))
        lines = [str(p) for p in self.problems]
        head = f"{len(self.problems)} problem(s) in the scenario:"
        super().__init__("\n".join([head, *(f"  {line}" for line in lines)]))


class OptionError(ValueError):
    """Raised when an option of a call is invalid (unknown name, value out of range, unknown id).

    Says every invalid option at once, each with why; ``problems`` lists them.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid option(s): " + "; ".join(self.problems))


class InfeasibleError(RuntimeError):
    """Raised in hard-constraint mode when the plan cannot meet a target; says which and why."""

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = list(reasons)
        super().__init__(
            "no plan meets every hard constraint:\n" + "\n".join(f"  {r}" for r in self.reasons)
        )
