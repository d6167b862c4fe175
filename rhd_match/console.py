"""Tables as text for people (the command line's summaries), drawn by ``rich``.

On a terminal a table has a ruled header; off a terminal (pipes, logs, files) it is plain text
in aligned columns, without control codes. Numbers are written for the active language
(:func:`rhd_match.i18n.format_number`: ``1 234,5`` in French), right-aligned.
"""

from __future__ import annotations

import io
import math
import numbers
import re

import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table

from .i18n import format_number

#: A cell that reads as a figure: a sign or a digit first, or the missing-value dash.
FIGURE = re.compile(r"^([+\-−]?\d|–$)")
#: Width of the text off a terminal: wide enough that no table wraps.
PLAIN_WIDTH = 400


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


def text_table(
    frame: pd.DataFrame,
    *,
    terminal: bool = False,
    index: bool = True,
    decimals: int = 1,
    width: int | None = None,
) -> str:
    """``frame`` as a table of text.

    Parameters
    ----------
    frame
        The rows to show; its column names (and index name) are the headers, as given.
    terminal
        Draw for a terminal (ruled header, bold titles); else plain aligned text.
    index
        Show the index as the first column.
    decimals
        Decimal places of non-integral numbers.
    width
        Width of the text in characters (default: wide enough not to wrap off a terminal,
        80 on one).

    Returns
    -------
    str
        The table, lines ending with a newline.
    """
    table = Table(
        box=box.SIMPLE_HEAD if terminal else None,
        show_edge=False,
        pad_edge=False,
        header_style="bold" if terminal else "",
    )
    columns: list[tuple[str, pd.Series]] = []
    if index:
        columns.append((str(frame.index.name or ""), frame.index.to_series()))
    columns += [(str(name), frame[name]) for name in frame.columns]
    cells = [[cell_text(value, decimals) for value in values] for _, values in columns]
    for (name, values), texts in zip(columns, cells, strict=True):
        numeric = pd.api.types.is_numeric_dtype(values.dtype) and values.dtype != bool
        # Figures already written as text (``12,5 %``, ``3/63``) align as numbers too.
        figures = bool(texts) and all(FIGURE.match(text) for text in texts)
        table.add_column(
            name, justify="right" if numeric or figures else "left", no_wrap=not terminal
        )
    for row in zip(*cells, strict=True):
        table.add_row(*row)
    out = io.StringIO()
    console = Console(
        file=out,
        width=width or (80 if terminal else PLAIN_WIDTH),
        force_terminal=terminal,
        color_system="standard" if terminal else None,
        no_color=not terminal,
        highlight=False,
    )
    console.print(table)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"
