"""Where a scenario's tables are (``find_sources``): a folder's CSV files, the one workbook in
a folder, or a workbook given by its path; which of them is read when a folder holds both, and
the files and sheets left out. The tables themselves are read by ``rhd_match.io``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path

import openpyxl
import pandas as pd

from ..errors import Problem
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..i18n import ngettext, quoted
from ..io import close_header, header_key, read_csv_table, sheet_table, workbook_cells
from ..xlsx import merged_cells, read_workbook_cells

#: Excel writes ``~$name.xlsx`` beside a workbook it has open: a lock file, not a workbook.
LOCK_PREFIX = "~$"


def _is_workbook(path: Path) -> bool:
    # Excel's lock file (~$name.xlsx) and macOS resource files (._name.xlsx) are not workbooks
    return path.suffix.lower() == ".xlsx" and not path.name.startswith((LOCK_PREFIX, "._"))


def _holds_scenario(folder: Path, tables: Iterable[str]) -> bool:
    """Whether ``folder`` is a folder holding a table's CSV file or a workbook."""
    keys = {header_key(n) for n in tables}
    return folder.is_dir() and any(
        _is_workbook(p) or (p.suffix.lower() == ".csv" and header_key(p.stem) in keys)
        for p in folder.iterdir()
    )


def tables_replaced(folder: Path, names: Iterable[str], tables: Collection[str]) -> list[str]:
    """The files among ``names`` that would replace a scenario's own CSV tables in ``folder``.

    Parameters
    ----------
    folder
        Where files are about to be written.
    names
        The file names about to be written (``canteens.csv``, ``flows.csv``, …).
    tables
        The scenario's table names (``inputs.schema.TABLES``), the first ones required.

    Returns
    -------
    list of str
        Each name that a table of a scenario in ``folder`` already bears (case, accents and
        spaces aside, as ``find_sources`` reads them), or every table's name when ``folder``
        holds a scenario workbook (the files would make a second scenario beside it); empty
        when ``folder`` holds no table that ``names`` would leave in place, that is, no
        scenario (a former plan's folder holds ``canteens.csv`` and ``solution.xlsx`` too).
    """
    if not folder.is_dir():
        return []
    present = {header_key(p.stem) for p in folder.iterdir() if p.suffix.lower() == ".csv"}
    written = {header_key(Path(n).stem): n for n in names if Path(n).suffix.lower() == ".csv"}
    keys = {header_key(t) for t in tables}
    others = [t for t in tables if header_key(t) not in written]  # no result's file has them
    books = [p for p in sorted(folder.iterdir()) if _is_workbook(p)]
    if any(_table_sheets(book, others) for book in books):
        # A scenario workbook: the tables written beside it would be a second scenario.
        return sorted(name for key, name in written.items() if key in keys)
    if not (present & keys) - set(written):
        return []
    return sorted(name for key, name in written.items() if key in keys and key in present)


def _holds_rows(book: Path, tables: Mapping[str, Sequence[str]]) -> bool:
    """Whether a sheet of ``tables`` in workbook ``book`` holds a row below its header; a
    workbook that cannot be read counts as holding some (it is not set aside unread)."""
    try:
        sheets = read_workbook_cells(book)
    except Exception:  # openpyxl raises many types for a damaged file
        return True
    by_key = {header_key(s): s for s in sheets}
    for name, columns in tables.items():
        if (sheet := by_key.get(header_key(name))) is not None:
            frame = sheet_table(sheets[sheet], columns, name, str(book)).frame
            if frame is not None and len(frame):
                return True
    return False


def _table_sheets(book: Path, tables: Iterable[str]) -> dict[str, str]:
    """Each of ``tables`` that workbook ``book`` has a sheet for (names as ``header_key``
    reads them) → that sheet's name; none when it cannot be opened."""
    try:
        workbook = openpyxl.load_workbook(book, read_only=True)
    except Exception:  # openpyxl raises many types for a damaged file
        return {}
    sheets = {header_key(s): s for s in workbook.sheetnames}
    workbook.close()
    return {t: sheets[header_key(t)] for t in tables if header_key(t) in sheets}


def find_sources(
    path: Path, tables: Mapping[str, Sequence[str]], optional: Collection[str] = ()
) -> tuple[dict[str, pd.DataFrame], dict[str, str], list[Problem]]:
    """Locate and read the raw tables of a scenario at ``path``.

    Parameters
    ----------
    path
        A folder of ``{name}.csv`` files, a folder holding one workbook, or a workbook. A
        folder holding both the CSV files and a workbook with a sheet for each required
        table is an error naming the workbook: either read alone would silently ignore the
        edits made in the other. A workbook whose sheets hold headers but no data row (a
        blank copy of the template) is no scenario: the CSV files are read, with a warning
        naming it.
    tables
        Each table name → its expected columns.
    optional
        Tables that may be left out: a missing file or sheet is then no problem.

    Returns
    -------
    tuple of (dict, dict, list of Problem)
        The raw frames read by table name (see ``RawTable``; a table whose file or sheet
        cannot be read as a table is left out), the file each came from, and every problem
        (errors and warnings).
    """
    problems: list[Problem] = []
    raw: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    if not path.exists():
        msg = _("'{path}' does not exist").format(path=path)
        return raw, files, [Problem("scenario", None, None, msg)]
    # CSV files named like the tables but for case, accents and spaces (``Products.CSV``)
    csv_files = (
        {header_key(p.stem): p for p in sorted(path.iterdir()) if p.suffix.lower() == ".csv"}
        if path.is_dir()
        else {}
    )
    by_table = {n: path / f"{n}.csv" for n in tables}
    by_table |= {
        n: csv_files[header_key(n)]
        for n in tables
        if not by_table[n].exists() and header_key(n) in csv_files
    }
    workbook: Path | None = None
    blank: list[Path] = []  # workbooks of every table whose sheets hold only their headers
    if path.is_file():
        if path.suffix.lower() != ".xlsx":
            msg = _("expected a folder of CSV files or an .xlsx workbook")
            return raw, files, [Problem("scenario", None, None, msg, str(path))]
        if path.name.startswith(LOCK_PREFIX):
            msg = _("Excel's lock file of an open workbook; give '{name}'").format(
                name=path.name[2:]
            )
            return raw, files, [Problem("scenario", None, None, msg, str(path))]
        workbook = path
    elif not any(by_table[n].exists() for n in tables if n not in optional):
        books = sorted(p for p in path.glob("*") if _is_workbook(p))
        if len(books) == 1:
            workbook = books[0]
        elif len(books) > 1:
            msg = _("several workbooks ({names}); keep one").format(
                names=", ".join(b.name for b in books)
            )
            return raw, files, [Problem("scenario", None, None, msg, str(path))]
        elif inside := [d.name for d in sorted(path.iterdir()) if _holds_scenario(d, tables)]:
            said = ngettext(
                "no scenario here; the folder inside holding one: {names}",
                "no scenario here; the folders inside holding one: {names}",
                len(inside),
            )  # one above
            msg = said.format(names=", ".join(inside))
            return raw, files, [Problem("scenario", None, None, msg, str(path))]
    elif rivals := [
        b
        for b in sorted(path.iterdir())
        if _is_workbook(b)
        and {n for n in tables if n not in optional} <= set(_table_sheets(b, tables))
    ]:
        blank = [b for b in rivals if not _holds_rows(b, tables)]
        if holding := [b.name for b in rivals if b not in blank]:
            # Reading either would silently ignore the edits made in the other.
            msg = _(
                "both CSV files and the workbook '{book}' hold the scenario: keep one and move "
                "the other out of this folder (only one would be read, the edits made in the "
                "other ignored)"
            ).format(book="', '".join(holding))
            return raw, files, [Problem("scenario", None, None, msg, str(path))]
    if workbook is not None:
        sheets, problems = workbook_cells(workbook, "scenario")
        merged = merged_cells(workbook) if sheets else {}
        by_key = {header_key(s): s for s in sheets}
        for n, columns in tables.items():
            sheet = n if n in sheets else by_key.get(header_key(n))
            if sheet is None and n in optional:
                continue
            if sheet is None and sheets:
                msg = _("sheet '{sheet}' is missing (sheets: {sheets})").format(
                    sheet=n, sheets=", ".join(sheets)
                )
                problems.append(Problem(n, None, None, msg, str(workbook)))
                continue
            if sheet is None:
                continue
            if sheet != n:
                msg = _("sheet '{sheet}' read as '{table}'").format(sheet=sheet, table=n)
                problems.append(Problem(n, None, None, msg, str(workbook), "warning"))
            files[n] = f"{workbook}[{sheet}]"
            read = sheet_table(sheets[sheet], columns, n, files[n], merged.get(sheet, []))
            problems += read.problems
            if read.frame is not None:
                raw[n] = read.frame
        used = {f[len(str(workbook)) + 1 : -1] for f in files.values()}
        problems += _left_out(
            [s for s in sheets if s not in used],
            [n for n in optional if n not in files],
            N_("sheet '{name}' is not read: is it the '{table}' table?"),
            str(workbook),
        )
        return raw, files, problems
    for n, columns in tables.items():
        file = by_table[n]
        if n in optional and file.exists() and file.stat().st_size == 0:
            files[n] = str(file)  # empty, as a header-only one: warned as a table not given
            continue
        if not file.exists() and n in optional:
            continue
        if not file.exists():
            problems.append(Problem(n, None, None, _("file is missing"), str(file)))
            continue
        if file.name != f"{n}.csv":
            msg = _("file '{file}' read as '{table}'").format(file=file.name, table=f"{n}.csv")
            problems.append(Problem(n, None, None, msg, str(file), "warning"))
        files[n] = str(file)
        read = read_csv_table(file, columns, n)
        problems += read.problems
        if read.frame is not None:
            raw[n] = read.frame
    for book in sorted(b for b in path.iterdir() if _is_workbook(b)) if path.is_dir() else []:
        if book in blank:
            msg = _(
                "workbook '{book}' left aside: its sheets hold headers but no data row; the "
                "scenario is read from the CSV files"
            ).format(book=book.name)
            problems.append(Problem("scenario", None, None, msg, str(book), "warning"))
        elif held := _table_sheets(book, tables):
            msg = ngettext(
                "workbook '{book}' is not read (sheet {sheets}): this folder's tables are "
                "its CSV files; edit those, or move the workbook out of this folder",
                "workbook '{book}' is not read (sheets {sheets}): this folder's tables are "
                "its CSV files; edit those, or move the workbook out of this folder",
                len(held),
            ).format(
                book=book.name,
                sheets=", ".join(quoted(held[t]) for t in sorted(held)),
            )
            problems.append(Problem("scenario", None, None, msg, str(book), "warning"))
    used = {Path(f).stem for f in files.values()}
    problems += _left_out(
        [p.stem for p in csv_files.values() if p.stem not in used],
        [n for n in optional if n not in files],
        N_("file '{name}.csv' is not read: is it the '{table}' table?"),
        str(path),
    )
    return raw, files, problems


def _left_out(names: list[str], absent: list[str], message: str, file: str) -> list[Problem]:
    """A warning for each sheet or file not read whose name is close to an optional table
    left out (``Market1``, ``hub``): else that table would be silently missing."""
    found = []
    for table in absent:
        near = close_header(table, names)
        if near is not None:
            msg = _(message).format(name=near, table=table)
            found.append(Problem(table, None, None, msg, file, "warning"))
    return found
