"""Writing files for the whole package.

Writing. Writers build every file in a temporary folder beside the target and move them into
place only once all are written, so a failure never leaves a half-written set over good files.
Every workbook goes through ``rhd_match.xlsx.write_workbook_file``. CSV files are of two
kinds (``docs/reports.md``): *data* files (``csv_writer``: comma, decimal point, UTF-8, every
digit, column ids; read back exactly) and files *for people* (``people_csv_writer``: written
for a French Excel, semicolon, UTF-8 with a byte-order mark, values rounded, decimal comma in
French, column labels). Data files hold text as it is (they are read back); in files for
people, text a spreadsheet would run as a formula (``=HYPERLINK(...)``) gets a ``'`` before
it (``neutralised``); see ``docs/input-format.md``.
"""

from __future__ import annotations

import errno
import math
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import OptionError
from .i18n import gettext as _


def folder_problem(path: Path) -> str | None:
    """Why files cannot be written into the folder ``path``, or None when they can.

    Parameters
    ----------
    path
        The folder: it may not exist yet (it is then created with its parents).

    Returns
    -------
    str or None
        The reason, in the active language: ``path`` is a file, a file stands where a folder
        above it would be created, or the nearest existing folder cannot be written; None
        when ``path`` is, or can be made, a folder to write into.
    """
    if path.exists() and not path.is_dir():
        return _("'{path}' is a file, not a folder").format(path=path)
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        return _("'{path}' cannot be created: '{file}' is a file").format(path=path, file=existing)
    if not os.access(existing, os.W_OK | os.X_OK):
        return _("'{path}' cannot be written: permission denied").format(path=existing)
    return None


def write_folder_atomically(
    folder: Path, writers: Mapping[str, Callable[[Path], object]]
) -> list[Path]:
    """Write files (name → writer taking a path) into ``folder``, all or none.

    Each writer writes into a temporary folder; when all succeeded, files are moved into
    ``folder`` (created if needed); a move that fails puts back the files moved before it.
    Existing files with other names are left alone.

    Parameters
    ----------
    folder
        The folder to write into.
    writers
        File name → function writing that file at the path it is given; a name may hold a
        subfolder (``orders/orders_P001.xlsx``), created when the files are moved in.

    Returns
    -------
    list of Path
        The files written, in the order of ``writers``.

    Raises
    ------
    OptionError
        When ``folder`` cannot be a folder to write into (``folder_problem``), before
        anything is written.
    Exception
        Whatever a writer or a move raises (``IsADirectoryError`` naming the file in
        ``folder`` when a folder stands there), after the temporary folder (and ``folder``,
        when this call created it and it is empty) is removed: no file is left half-written,
        and no earlier file replaced.
    """
    problem = folder_problem(folder)
    if problem:
        raise OptionError([problem])
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".rhd_match-", dir=folder))
    try:
        for name, write in writers.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            write(staging / name)
        for name in writers:  # a folder where a file goes stops the move before it starts
            if (folder / name).is_dir():
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(folder / name))
        return _move_in(staging, folder, list(writers))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not any(folder.iterdir()):
            folder.rmdir()  # a failed write into a new folder leaves no folder behind
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _move_in(staging: Path, folder: Path, names: list[str]) -> list[Path]:
    """Move the files ``names`` from ``staging`` into ``folder``, all or none: a file they
    replace is kept aside in ``staging`` until every move succeeded, and put back if one
    failed."""
    aside = staging / ".replaced"
    moved: list[tuple[Path, Path | None]] = []
    try:
        for k, name in enumerate(names):
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            kept = None
            if target.exists():
                kept = aside / str(k)
                kept.parent.mkdir(exist_ok=True)
                os.replace(target, kept)
            moved.append((target, kept))
            os.replace(staging / name, target)
    except BaseException:
        for target, kept in reversed(moved):
            if kept is not None:
                os.replace(kept, target)
            else:
                target.unlink(missing_ok=True)
        raise
    return [folder / name for name in names]


def file_name_for(ident: str, prefix: str, extension: str, taken: set[str]) -> str:
    """``{prefix}_{ident}.{extension}`` for one supplier's or canteen's file, distinct from
    every name in ``taken`` (which it joins).

    Characters other than letters, digits, ``_``, ``.`` and ``-`` become ``_``; names are
    told apart without case, as Windows and macOS folders do. So ``EARL/Dupont`` and
    ``EARL_Dupont``, or ``GROS`` and ``Gros``, do not share a file: the later one in
    ``ident`` order gets ``_2`` (``_3``, …) after its id.

    Parameters
    ----------
    ident
        The id the file is for.
    prefix
        ``orders``, ``achats``, …
    extension
        ``csv`` or ``xlsx``.
    taken
        Names already given (compared case-folded); the new name is added.

    Returns
    -------
    str
        The file name.
    """
    stem = f"{prefix}_{re.sub(r'[^A-Za-z0-9_.-]', '_', ident)}"
    name, n = f"{stem}.{extension}", 1
    while name.casefold() in taken:
        n += 1
        name = f"{stem}_{n}.{extension}"
    taken.add(name.casefold())
    return name


def csv_writer(frame: pd.DataFrame) -> Callable[[Path], None]:
    """A writer producing a deterministic UTF-8 CSV (floats at full precision, NA empty).

    Text is written as it is, a leading ``=``, ``+``, ``-`` or ``@`` included: the file is
    data, read back unchanged by ``from_folder``.

    Parameters
    ----------
    frame
        The table to write, columns as they are, without its index.

    Returns
    -------
    Callable[[Path], None]
        Writes ``frame`` at the path it is given (for ``write_folder_atomically``).
    """

    def write(path: Path) -> None:
        frame.to_csv(path, index=False, lineterminator="\n")

    return write


#: Separator of the CSV files for people: French Excel splits ``;`` into columns (its list
#: separator), as the decimal comma rules out ``,``.
PEOPLE_SEPARATOR = ";"
#: First characters that make a spreadsheet opening a CSV file read a cell as a formula
#: (OWASP, "CSV Injection"): tab and carriage return too, as some spreadsheets skip them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: object) -> object:
    """``value``, with a ``'`` before it when it is text a spreadsheet would run as a formula.

    Parameters
    ----------
    value
        A cell of a text column (numbers and missing values are returned unchanged).

    Returns
    -------
    object
        ``"'=HYPERLINK(...)"`` for ``"=HYPERLINK(...)"`` (any text beginning with one of
        ``FORMULA_STARTS``), else ``value``: the spreadsheet shows the text, quote included,
        and runs nothing.
    """
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def people_csv_writer(
    frame: pd.DataFrame, decimals: Mapping[str, int], *, decimal: str = ","
) -> Callable[[Path], None]:
    """A writer producing a CSV file for people, one that opens as columns in a French Excel.

    Separator ``;``, UTF-8 with a byte-order mark (Excel reads accents right only with it),
    ``\n`` line ends, numbers of the ``decimals`` columns written with that many decimals
    (``359.9999999999999`` → ``360,00``) and ``decimal`` as decimal mark, no digit grouping;
    missing values empty; other columns written as they are, but for their text cells
    beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, which get a ``'``
    before them (``neutralised``): a person opening the file runs no formula a name brought
    in (``=HYPERLINK(...)``). The numbers of the ``decimals`` columns (``-3,00``) are never
    touched.

    Parameters
    ----------
    frame
        The table to write, columns as they are (labels for people), without its index.
    decimals
        Column → decimals kept (0 for integers).
    decimal
        The decimal mark: ``","`` in French, ``"."`` in English.

    Returns
    -------
    Callable[[Path], None]
        Writes the file at the path it is given (for ``write_folder_atomically``).
    """
    shown = frame.copy()
    for column in shown.columns.difference(list(decimals)):
        shown[column] = shown[column].map(neutralised)
    for column, places in decimals.items():
        values = shown[column].to_numpy(dtype=float, na_value=np.nan)
        text = [f"{v:.{places}f}".replace(".", decimal) if math.isfinite(v) else "" for v in values]
        # -0,00 after rounding a tiny negative is noise too
        zero = f"{0:.{places}f}".replace(".", decimal)
        shown[column] = [zero if t == f"-{zero}" else t for t in text]

    def write(path: Path) -> None:
        shown.to_csv(
            path, index=False, sep=PEOPLE_SEPARATOR, encoding="utf-8-sig", lineterminator="\n"
        )

    return write
