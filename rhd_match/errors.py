"""Errors for people: every problem with its table, file, row and column."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .i18n import format_number, ngettext
from .i18n import gettext as _


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in the input.

    Parameters
    ----------
    table
        The input table (``products``, ``canteens``, ``producers``, ``offers``, ``demand``)
        or ``parameters``.
    row
        The row number as a person sees it in the file (the header is row 1, so the first
        data row is row 2); ``None`` for a problem about a whole table or column. For
        ``parameters``, the line of ``parameters.json`` (from 1).
    column
        The column, or ``None`` for a problem about a whole row or table. For
        ``parameters``, the value's keys, dotted (``targets.organic``).
    message
        Why, in words a person acts on.
    file
        The file the table came from, when it came from one.
    severity
        ``"error"`` (blocks the scenario) or ``"warning"`` (kept in ``Scenario.warnings``).
    folded
        For a line standing for rows not listed one by one (``... and 14 more rows like
        these``), how many; 0 for a problem of its own.
    """

    table: str
    row: int | None
    column: str | None
    message: str
    file: str | None = None
    severity: str = "error"
    folded: int = 0

    @property
    def count(self) -> int:
        """The problems this line stands for: ``folded`` for a folded line, else 1."""
        return self.folded or 1

    def __str__(self) -> str:
        """``error: FILE, row R, column 'C': message``, in the active language."""
        line = (
            _("warning: {where}: {message}")
            if self.severity == "warning"
            else _("error: {where}: {message}")
        )
        return line.format(where=self.place(), message=self.message)

    def place(self) -> str:
        """Where the problem is, as people read it: ``FILE, row R, column 'C'`` (the parts
        known), in the active language.

        Returns
        -------
        str
            The file (or table), then the row and column when known.
        """
        # A table is named as its file is; a problem of the whole scenario, in the language.
        where = self.file or (_("scenario") if self.table == "scenario" else self.table)
        if self.table == "parameters":  # a JSON file: its lines and the value's keys
            if self.row is not None and self.column:
                where = _("{where}, line {line}, key '{key}'").format(
                    where=where, line=self.row, key=self.column
                )
            elif self.row is not None:
                where = _("{where}, line {line}").format(where=where, line=self.row)
            elif self.column:
                where = _("{where}, key '{key}'").format(where=where, key=self.column)
        elif self.row is not None and self.column:
            where = _("{where}, row {row}, column '{column}'").format(
                where=where, row=self.row, column=self.column
            )
        elif self.row is not None:
            where = _("{where}, row {row}").format(where=where, row=self.row)
        elif self.column:
            where = _("{where}, column '{column}'").format(where=where, column=self.column)
        return where


class ScenarioError(ValueError):
    """Raised when input tables are invalid; lists every problem found at once.

    Parameters
    ----------
    problems
        Every problem found; kept sorted by table, row and column in ``problems``, each
        once.
    subject
        What was read, when it is not a scenario (a file's name: ``sirets.xlsx``); the head
        line names it. ``None``: the scenario.
    """

    def __init__(self, problems: Sequence[Problem], subject: str | None = None) -> None:
        # A folded line follows the rows listed before it, which a row of None would precede.
        # One problem said once: a demand grid's row is as many rows as it has weeks.
        self.problems = sorted(
            dict.fromkeys(problems),
            key=lambda p: (p.table, p.row or (math.inf if p.folded else 0), p.column or ""),
        )
        self.subject = subject
        lines = [str(p) for p in self.problems]
        super().__init__("\n".join([self._head(), *(f"  {line}" for line in lines)]))

    def _head(self) -> str:
        """``N problems in the scenario[, and M warnings]:``, or in the subject; each count
        with its noun in the singular at 1 (French: at 0 and 1)."""
        # A failed read lists its warnings too (every problem at once); the count is the errors'.
        errors = sum(p.count for p in self.problems if p.severity == "error")
        warnings = sum(p.count for p in self.problems) - errors
        if self.subject is None:
            head = (
                ngettext(
                    "{n} problem in the scenario, and {warnings}:",
                    "{n} problems in the scenario, and {warnings}:",
                    errors,
                )
                if warnings
                else ngettext(
                    "{n} problem in the scenario:", "{n} problems in the scenario:", errors
                )
            )
        else:
            head = (
                ngettext(
                    "{n} problem in '{subject}', and {warnings}:",
                    "{n} problems in '{subject}', and {warnings}:",
                    errors,
                )
                if warnings
                else ngettext("{n} problem in '{subject}':", "{n} problems in '{subject}':", errors)
            )
        said = ngettext("{n} warning", "{n} warnings", warnings).format(n=format_number(warnings))
        return head.format(n=format_number(errors), warnings=said, subject=self.subject)

    def __reduce__(self) -> tuple[type[ScenarioError], tuple[list[Problem], str | None]]:
        # Rebuilt from its problems, not its message, when it crosses a process pool.
        return (type(self), (self.problems, self.subject))


class OptionError(ValueError):
    """Raised when an option of a call is invalid (unknown name, value out of range, unknown id).

    Says every invalid option at once, each with why; ``problems`` lists them.

    Parameters
    ----------
    problems
        One sentence per invalid option, naming it and saying why.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        head = ngettext("invalid option: ", "invalid options: ", len(self.problems))
        super().__init__(head + "; ".join(self.problems))

    def __reduce__(self) -> tuple[type[OptionError], tuple[list[str]]]:
        return (type(self), (self.problems,))


class InfeasibleError(RuntimeError):
    """Raised in hard-constraint mode when no plan meets every hard rule; says which and why.

    ``proven`` is True when the exact model confirms it (no plan exists), False when it is a
    heuristic's finding (the decomposition or the repair found no such plan, the model being
    too large for the exact MIP, or the time limit stopping it): a plan may still exist.

    Parameters
    ----------
    reasons
        One sentence per canteen and target (or budget) that cannot be met, with the
        shortfall.
    proven
        Whether the exact model confirmed that no plan exists.
    """

    def __init__(self, reasons: Sequence[str], proven: bool = True) -> None:
        self.reasons = list(reasons)
        self.proven = proven
        head = (
            _("no plan meets every hard constraint:")
            if proven
            else _(
                "no plan meeting every hard constraint was found (a heuristic's finding, "
                "not proven: the exact model was too large or out of time):"
            )
        )
        super().__init__(head + "\n" + "\n".join(f"  {r}" for r in self.reasons))

    def __reduce__(self) -> tuple[type[InfeasibleError], tuple[list[str], bool]]:
        return (type(self), (self.reasons, self.proven))
