"""Demand typed as a grid: one row per canteen × product, one column per week, as people plan
it; turned into the long table (one row per canteen × product × week) before validation.

The layout is told from the header: a ``demand`` table without ``week`` and ``qty`` columns
whose other headers name weeks (``2026-W03``, ``S03`` or a date) is a grid.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..errors import Problem
from ..i18n import gettext as _
from ..i18n import quoted
from ..io import SOURCE_ROW, header_key, is_blank
from ..weeks import week_problem
from .fixes import (
    ambiguous_week,
    fix_week,
    is_week_header,
    known_weeks,
    week_read_as,
    weeks_read_as,
)

#: The columns of a grid that are not weeks: the keys of each row.
GRID_KEYS = ("canteen_id", "product_id")


def grid_weeks(frame: pd.DataFrame) -> list[str] | None:
    """The week headers of a demand grid, in column order; ``None`` when ``frame`` is the long
    layout (it has a ``week`` or ``qty`` column, or no header naming a week)."""
    keys = {header_key(c) for c in frame.columns}
    if "week" in keys or "qty" in keys or not set(GRID_KEYS) <= keys:
        return None
    weeks = [str(c) for c in frame.columns if is_week_header(str(c))]
    return weeks or None


def scenario_weeks(raw: Mapping[str, pd.DataFrame]) -> list[str]:
    """The weeks written in full or as dates in the offers and demand tables (their ``week``
    columns and a demand grid's headers): what ``S03`` is read against (``fix_week``).

    Parameters
    ----------
    raw
        The tables as read, by table name (``offers`` and ``demand`` are looked at).

    Returns
    -------
    list of str
        The ``week`` cells as written (ISO weeks ``YYYY-Www`` or dates), blanks left out.
    """
    cells: list[str] = []
    for name in ("offers", "demand"):
        frame = raw.get(name)
        if frame is None:
            continue
        for column in frame.columns:
            if header_key(column) == "week":
                cells += [str(v).strip() for v in frame[column].tolist() if not is_blank(v)]
        if name == "demand":
            cells += grid_weeks(frame) or []
    return known_weeks(cells)


def demand_from_grid(
    frame: pd.DataFrame, known: list[str], file: str | None
) -> tuple[pd.DataFrame, list[Problem], list[str] | None]:
    """The long demand table of a grid (``frame`` unchanged when it is the long layout).

    Parameters
    ----------
    frame
        The demand table as read: the long layout, or a grid whose week columns are headed
        ``2026-W03``, ``S03`` or a date.
    known
        The scenario's weeks written in full (``scenario_weeks``), for headers like ``S03``.
    file
        The file the table came from, for problems.

    Returns
    -------
    tuple of (pandas.DataFrame, list of Problem, list of str or None)
        One row per canteen × product × week whose cell is not empty (an empty cell is no
        demand; a 0 is kept), indexed by the grid row's ``SOURCE_ROW``, with the other columns
        of the grid kept (validation warns that they are ignored); the problems: a warning
        listing the headers read as other weeks (one per rule that read them), an error per
        header whose week cannot be told; and
        the grid column each row's ``qty`` was typed in, as headed (``None`` for the long
        layout), so that a bad quantity names the cell a person typed.
    """
    weeks = grid_weeks(frame)
    if weeks is None:
        return frame, [], None
    frame = frame.set_axis([str(c) for c in frame.columns], axis=1)  # date headers as text
    problems: list[Problem] = []
    by_header: dict[str, str] = {}
    read_as: dict[str, list[tuple[str, str]]] = {}  # per rule: (header, week)
    for header in weeks:
        week, rule = fix_week(header, known)
        if week is None:
            why = ambiguous_week(header, known) if rule else str(week_problem(header.strip()))
            problems.append(Problem("demand", None, header, why, file))
            continue
        if week != header.strip():
            read_as.setdefault(rule, []).append((header, week))
        by_header[header] = week
    for rule, pairs in read_as.items():  # one warning per rule, not one per column
        if len(pairs) == 1:
            [(header, week)] = pairs
            problems.append(
                Problem("demand", None, header, week_read_as(header, week, rule), file, "warning")
            )
        else:
            problems.append(
                Problem("demand", None, None, weeks_read_as(pairs, rule), file, "warning")
            )
    by_week: dict[str, list[str]] = {}
    for header, week in by_header.items():
        by_week.setdefault(week, []).append(header)
    for week, headers in by_week.items():
        if len(headers) > 1:  # else every row of both columns is a duplicate key
            msg = _("columns {headers} are all week {week}: keep one").format(
                headers=", ".join(quoted(h) for h in headers), week=week
            )
            problems.append(Problem("demand", None, headers[1], msg, file))
            for header in headers[1:]:
                del by_header[header]
    others = [c for c in frame.columns if str(c) not in weeks]
    rows = frame.index if frame.index.name == SOURCE_ROW else pd.RangeIndex(len(frame)) + 2
    frame, rows, twice = _rows_once(frame, rows, file)
    problems += twice
    parts = []
    for position, (header, week) in enumerate(by_header.items()):
        cells = frame[header]
        filled = ~cells.map(is_blank).to_numpy(dtype=bool)
        part = frame.loc[filled, others].copy()
        part["week"] = week
        part["qty"] = cells[filled].to_numpy()
        part["_order"] = position
        part["_header"] = header
        part.index = pd.Index(rows[filled], name=SOURCE_ROW)
        parts.append(part)
    columns = [*others, "week", "qty"]
    if not parts:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        return empty.set_axis(pd.Index([], name=SOURCE_ROW)), problems, []
    long = pd.concat(parts).reset_index().sort_values([SOURCE_ROW, "_order"], kind="stable")
    long = long.set_index(SOURCE_ROW)
    return long[columns], problems, [str(h) for h in long["_header"]]


def _rows_once(
    frame: pd.DataFrame, rows: pd.Index, file: str | None
) -> tuple[pd.DataFrame, pd.Index, list[Problem]]:
    """The grid without a canteen and product's second row, and an error at each such row:
    kept, it would be a duplicate key in every week column it fills."""
    if not {"canteen_id", "product_id"} <= set(frame.columns):
        return frame, rows, []
    keys = frame[["canteen_id", "product_id"]].map(lambda v: "" if is_blank(v) else str(v).strip())
    named = (keys != "").all(axis=1).to_numpy()
    later = keys.duplicated(keep="first").to_numpy() & named
    if not later.any():
        return frame, rows, []
    first: dict[tuple[str, ...], int] = {}
    for key, row, known in zip(keys.itertuples(index=False), rows, named, strict=True):
        if known:
            first.setdefault(tuple(key), int(row))
    problems = [
        Problem(
            "demand",
            int(rows[i]),
            "product_id",
            _("canteen {canteen} and product {product} already on row {row}: one row each").format(
                canteen=keys.iloc[i, 0],
                product=keys.iloc[i, 1],
                row=first[tuple(keys.iloc[i])],
            ),
            file,
        )
        for i in map(int, later.nonzero()[0])
    ]
    return frame[~later], rows[~later], problems
