"""Reading and writing table folders (CSV or one Excel workbook), all-or-nothing.

Writers build every file in a temporary folder beside the target and move them into place only
once all are written, so a failure never leaves a half-written set over good files.
"""

from __future__ import annotations

import csv
import io as stdio
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from .errors import Problem

WORKBOOK_NAME = "scenario.xlsx"


def read_text(path: Path) -> str:
    """A text file's content: UTF-8 (with or without BOM), else Windows-1252.

    Windows-1252 is what a French Excel writes for "CSV (séparateur: point-virgule)".

    Raises
    ------
    UnicodeDecodeError
        When the bytes are neither UTF-8 nor Windows-1252 text.
    """
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def read_csv_rows(path: Path, delimiters: str = ",;\t") -> list[list[str]]:
    """A CSV file's rows as lists of strings, exactly as written (ragged rows kept as they are).

    The separator is the one of ``delimiters`` found most often in the first line. Blank
    lines are kept (as empty lists) so that row numbers stay those of the file.
    """
    text = read_text(path)
    first = text.splitlines()[0] if text else ""
    sep = max(delimiters, key=first.count)
    return list(csv.reader(stdio.StringIO(text, newline=""), delimiter=sep))


def read_csv_raw(path: Path) -> pd.DataFrame:
    """A CSV file as strings, exactly as written (no NA guessing). Comma or semicolon.

    Encoding as :func:`read_text`.
    """
    text = read_text(path)
    header = text.splitlines()[0] if text else ""
    sep = ";" if header.count(";") > header.count(",") else ","
    # Blank lines are kept so that row numbers stay those of the file (as in a workbook, where
    # an empty row is a row); only the blank lines after the last row are dropped.
    frame = pd.read_csv(
        stdio.StringIO(text),
        sep=sep,
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=False,
    )
    filled = (frame.to_numpy(dtype=str) != "").any(axis=1)
    last = int(filled.nonzero()[0][-1]) + 1 if filled.any() else 0
    return frame.iloc[:last]


def read_workbook_raw(path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet of a workbook, cells as Python values (no NA guessing)."""
    sheets = pd.read_excel(path, sheet_name=None, dtype=object, keep_default_na=False)
    return {str(name).strip(): frame for name, frame in sheets.items()}


def find_sources(
    path: Path, names: list[str]
) -> tuple[dict[str, pd.DataFrame], dict[str, str], list[Problem]]:
    """Locate and read the raw tables of a scenario at ``path``.

    ``path`` is a folder of ``{name}.csv`` files, a folder holding one workbook, or a workbook.
    Returns the raw frames, the file each came from, and problems (missing files or sheets).
    """
    problems: list[Problem] = []
    raw: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    if not path.exists():
        return raw, files, [Problem("scenario", None, None, f"'{path}' does not exist")]
    workbook: Path | None = None
    if path.is_file():
        if path.suffix.lower() != ".xlsx":
            msg = "expected a folder of CSV files or an .xlsx workbook"
            return raw, files, [Problem("scenario", None, None, msg, str(path))]
        workbook = path
    elif not any((path / f"{n}.csv").exists() for n in names):
        books = sorted(path.glob("*.xlsx"))
        if len(books) == 1:
            workbook = books[0]
        elif len(books) > 1:
            msg = f"several workbooks ({', '.join(b.name for b in books)}); keep one"
            return raw, files, [Problem("scenario", None, None, msg, str(path))]
    if workbook is not None:
        try:
            sheets = read_workbook_raw(workbook)
        except Exception as exc:  # openpyxl raises many types for a damaged file
            return (
                raw,
                files,
                [Problem("scenario", None, None, f"unreadable: {exc}", str(workbook))],
            )
        for n in names:
            if n in sheets:
                raw[n], files[n] = sheets[n], f"{workbook}[{n}]"
            else:
                problems.append(Problem(n, None, None, f"sheet '{n}' is missing", str(workbook)))
        return raw, files, problems
    for n in names:
        file = path / f"{n}.csv"
        if not file.exists():
            problems.append(Problem(n, None, None, "file is missing", str(file)))
            continue
        try:
            raw[n], files[n] = read_csv_raw(file), str(file)
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            problems.append(Problem(n, None, None, f"unreadable CSV: {exc}", str(file)))
    return raw, files, problems


def write_folder_atomically(
    folder: Path, writers: Mapping[str, Callable[[Path], None]]
) -> list[Path]:
    """Write files (name → writer taking a path) into ``folder``, all or none.

    Each writer writes into a temporary folder; when all succeeded, files are moved into
    ``folder`` (created if needed). Existing files with other names are left alone.
    """
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".rhd_match-", dir=folder))
    try:
        for name, write in writers.items():
            write(staging / name)
        written = []
        for name in writers:
            os.replace(staging / name, folder / name)
            written.append(folder / name)
        return written
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not any(folder.iterdir()):
            folder.rmdir()  # a failed write into a new folder leaves no folder behind
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def csv_writer(frame: pd.DataFrame) -> Callable[[Path], None]:
    """A writer producing a deterministic UTF-8 CSV (floats at full precision, NA empty)."""

    def write(path: Path) -> None:
        frame.to_csv(path, index=False, lineterminator="\n")

    return write


def workbook_writer(sheets: Mapping[str, pd.DataFrame]) -> Callable[[Path], None]:
    """A writer producing one workbook with a sheet per frame."""

    def write(path: Path) -> None:
        with pd.ExcelWriter(path, engine="openpyxl") as xl:
            for name, frame in sheets.items():
                frame.to_excel(xl, sheet_name=name, index=False)

    return write
