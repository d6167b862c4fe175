"""Tables as text for people (the summaries of a scenario and of a plan): plain text in
aligned columns, numbers written for the active language (``rhd_match.i18n.format_number``:
``1 234,5`` in French) and right-aligned. The command line rules them on a terminal.
"""

from __future__ import annotations

import math
import numbers
import re

import pandas as pd

from .i18n import format_number

#: A cell that reads as a figure: a sign or a digit first, or the missing-value dash.
FIGURE = re.compile(r"^([+\-−]?\d|–$)")


def cell_text(value: object, decimals: int = 1) -> str:
    """One cell as people read it: numbers for the language (``decimals`` places for
    non-integral ones), ``–`` for a missing value, anything else as its text."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return format_number(int(value))
    if isinstance(value, numbers.Real):
        # A value that rounds to zero is shown as 0, never "-0,0".
        shown = float(value) if round(float(value), decimals) != 0 else 0.0
        return format_number(shown, decimals)
    return str(value)


def text_table(frame: pd.DataFrame, *, index: bool = True, decimals: int = 1) -> str:
    """``frame`` as plain text in aligned columns, for a terminal, a pipe or a file alike.

    Parameters
    ----------
    frame
        The rows to show; its column names (and index name) are the headers, as given.
    index
        Show the index as the first column.
    decimals
        Decimal places of non-integral numbers.

    Returns
    -------
    str
        The table, one line per row after the header, each ending with a newline; figures
        right-aligned, text left-aligned, two spaces between columns.
    """
    headers, cells, right = table_cells(frame, index=index, decimals=decimals)
    widths = [
        max([len(h), *(len(c) for c in column)]) for h, column in zip(headers, cells, strict=True)
    ]

    def line(texts: list[str]) -> str:
        padded = [
            t.rjust(w) if r else t.ljust(w) for t, w, r in zip(texts, widths, right, strict=True)
        ]
        return "  ".join(padded).rstrip()

    rows = [line(list(row)) for row in zip(*cells, strict=True)]
    return "\n".join([line(headers), *rows]) + "\n"


def table_cells(
    frame: pd.DataFrame, *, index: bool = True, decimals: int = 1
) -> tuple[list[str], list[list[str]], list[bool]]:
    """What any drawing of ``frame`` as a table needs: headers, cells as text, alignment.

    Parameters
    ----------
    frame
        The rows to show; its column names (and index name) are the headers.
    index
        Include the index as the first column.
    decimals
        Decimal places of non-integral numbers.

    Returns
    -------
    tuple of (list of str, list of list of str, list of bool)
        The headers (one per column); the cells, column by column (one list of
        ``len(frame)`` texts per column); whether each column holds figures (right-aligned).
    """
    columns: list[tuple[str, pd.Series]] = []
    if index:
        columns.append((str(frame.index.name or ""), frame.index.to_series()))
    columns += [(str(name), frame[name]) for name in frame.columns]
    headers = [name for name, _ in columns]
    cells = [[cell_text(value, decimals) for value in values] for _, values in columns]
    right = []
    for (_, values), texts in zip(columns, cells, strict=True):
        numeric = pd.api.types.is_numeric_dtype(values.dtype) and values.dtype != bool
        # Figures already written as text (``12,5 %``, ``3/63``) align as numbers too.
        right.append(numeric or (bool(texts) and all(FIGURE.match(t) for t in texts)))
    return headers, cells, right
