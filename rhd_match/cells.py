"""A cell as a person typed it: blank or not, its text, a header compared without case,
accents and spaces. Shared by the readers of CSV files and workbooks (``io``) and of
*ma cantine*'s files."""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
import unicodedata

import numpy as np
import pandas as pd

#: A number written the French way: digits grouped by spaces (any kind) or not, one decimal
#: comma or point, then an optional unit, euro sign or percent sign. ASCII digits only:
#: Python's ``float`` would read other scripts' digits (``٣٠``) as well.
FRENCH_NUMBER = re.compile(
    r"^(?P<sign>[-+]?)(?P<int>[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+|[0-9]+)"
    r"(?:[,.](?P<dec>[0-9]+))?\s*(?P<suffix>[^0-9\s.,+-][^0-9]*)?$",
    re.IGNORECASE,
)
#: A number as typed on a command line (``30``, ``0,5``, ``1e-3``): ASCII digits, a decimal
#: point or comma, an exponent. Not ``inf``, ``nan``, ``1_000`` nor other scripts' digits,
#: all of which Python's ``float`` and ``int`` take.
TYPED_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?")


def typed_number(text: str) -> float | None:
    """The number an argument or a parameter's text holds, as ``TYPED_NUMBER`` reads it.

    Parameters
    ----------
    text
        As typed; spaces around it are ignored.

    Returns
    -------
    float or None
        The number; None for any other text, and for a number too small to hold apart
        from 0 in a float (below about 2.2e-308: ``1e-320``), which can only be a slip.
    """
    if TYPED_NUMBER.fullmatch(text.strip()) is None:
        return None
    value = float(text.strip().replace(",", "."))
    if value != 0.0 and abs(value) < sys.float_info.min:
        return None
    return value


def is_blank(value: object) -> bool:
    """Whether a cell holds nothing a person typed: empty, spaces only, ``None`` or NaN.

    Parameters
    ----------
    value
        A cell as read (a string from CSV, a Python value from a workbook).

    Returns
    -------
    bool
        True for an empty cell.
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and math.isnan(value)


def cell_text(value: object, strip: bool = True) -> str:
    """A cell as the text a person typed: empty for a blank cell; a float holding a whole
    number (an id or code typed in a spreadsheet) without its ``.0``, any other without an
    exponent; a date ISO, a date cell without its time of day.

    Parameters
    ----------
    value
        A cell as read (a string from CSV, a Python value from a workbook).
    strip
        Strip the spaces around text. The readers of ma cantine's files keep them
        (``strip=False``): the platform refuses ``" x"`` where it expects ``x``, and checking
        a file before upload must see what it will see.

    Returns
    -------
    str
        The text.
    """
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return ""
        return str(int(number)) if number.is_integer() else np.format_float_positional(number)
    return str(value).strip() if strip else str(value)


def blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Boolean mask of the rows of ``frame`` whose every cell is blank (see ``is_blank``).

    Parameters
    ----------
    frame
        Cells as read, any columns.

    Returns
    -------
    numpy.ndarray
        One bool per row, in row order (all True for a frame without columns).
    """
    if frame.shape[1] == 0:
        return np.ones(len(frame), dtype=bool)
    cells = frame.astype(object).to_numpy()
    if cells.size == 0:
        return np.zeros(len(frame), dtype=bool)
    blank: np.ndarray = np.vectorize(is_blank, otypes=[bool])(cells)
    return np.asarray(blank.all(axis=1), dtype=bool)


def header_key(name: object) -> str:
    """A header cell compared without case, accents and spaces: ``' Product ID'`` →
    ``product_id``, ``Latitudé`` → ``latitude``.

    Parameters
    ----------
    name
        A header cell as read.

    Returns
    -------
    str
        Stripped, case-folded, accents removed, runs of spaces and hyphens as ``_``.
    """
    text = unicodedata.normalize("NFKD", str(name).strip().casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s\-]+", "_", text)
