"""Reading table files (CSV or Excel workbooks), as people save them (writing them:
``rhd_match.writing``).

Reading. Every table file goes through ``read_table_file`` (a CSV file, or the first sheet
of a workbook) or, for a scenario, ``inputs.sources.find_sources``; both return the table
as written (cells as strings for CSV, as Python values for a workbook), its index the row
numbers a person sees (``SOURCE_ROW``: the header is row 1 when it is the first row), with
the problems found, never a traceback:

* encodings: a byte-order mark (UTF-8 or UTF-16) is followed; otherwise strict UTF-8, then
  Windows-1252, the encoding of French Excel's "CSV (séparateur : point-virgule)", with a
  warning. A deterministic rule rather than a statistical detector: on short French files
  detectors guess neighbouring code pages (Windows-1250 turns ``è`` into ``č``), while valid
  UTF-8 is almost never Windows-1252 text by accident;
* the separator (comma, semicolon or tab) is the one that splits the header best;
* a row with more or fewer fields than the header is an error naming the row and the count,
  with a hint (a separator inside unquoted text, a decimal comma); separators ending most
  rows are read as the end of the row, the rows left with a wrong count named alone;
* empty rows (blank lines, rows of separators, cells holding only spaces) are not data;
* the header may differ from the expected names by case and spaces (``Product_ID``), and
  title rows above it are skipped, each with a warning.
"""

from __future__ import annotations

import codecs
import collections
import csv
import difflib
import io
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .cells import blank_rows as blank_rows
from .cells import cell_text as cell_text
from .cells import header_key as header_key
from .cells import is_blank as is_blank
from .errors import Problem
from .i18n import format_number, ngettext, quoted
from .i18n import gettext as _
from .i18n import gettext_noop as N_
from .xlsx import cell_list, merged_cells, read_workbook_cells, uncomputed_formulas

WORKBOOK_NAME = "scenario.xlsx"
#: Name of the index of a table read from a file: the row number a person sees.
SOURCE_ROW = "source_row"
#: Non-empty rows searched for the header (title rows may stand above it).
HEADER_SEARCH = 10
#: Rows listed for one kind of problem before the rest are summarised.
MAX_LISTED = 50
SEPARATORS = (",", ";", "\t")
#: Why a workbook cannot be read, for people: the reader's own reasons are in English and
#: name its internals ("Excel file format cannot be determined, you must specify an engine").
UNREADABLE_WORKBOOK = N_(
    "unreadable workbook: not an Excel .xlsx file, or a damaged one; open it in Excel and "
    "save it again as 'Classeur Excel (*.xlsx)'"
)
RESAVE = N_("save it again as 'CSV UTF-8 (délimité par des virgules)' from Excel")


@dataclass(frozen=True)
class RawTable:
    """A table as read from a file, before typing.

    ``frame`` holds the cells as written (strings for CSV, Python values for a workbook),
    indexed by ``SOURCE_ROW``, empty rows left out; ``None`` when the file cannot be read
    as a table. ``problems`` are errors and warnings (``severity``) about the file.

    Attributes
    ----------
    frame : pandas.DataFrame or None
        The cells as written, indexed by the row number a person sees.
    problems : list of Problem
        Errors and warnings about the file, each with its row and column.
    """

    frame: pd.DataFrame | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """The problems of severity ``"error"``.

        Returns
        -------
        list of Problem
            The blocking problems, in the order found.
        """
        return [p for p in self.problems if p.severity == "error"]


# -- cells and headers ----------------------------------------------------------------------


def match_columns(
    found: Sequence[str], expected: Sequence[str], table: str, file: str | None
) -> tuple[list[str], list[Problem]]:
    """Header cells renamed to the expected names they differ from only by case or spaces.

    Parameters
    ----------
    found
        The header cells, in column order.
    expected
        The table's column names.
    table
        Table name used in problems.
    file
        The file the header came from, for problems.

    Returns
    -------
    tuple of (list of str, list of Problem)
        The names to use (unexpected ones kept as found, stripped) and the problems: one
        warning listing the renamed columns (naming the column when it is the only one), an
        error when two columns would take the same name.
    """
    wanted = {header_key(name): name for name in expected}
    names: list[str] = []
    problems: list[Problem] = []
    renamed: list[tuple[str, str]] = []
    for raw in found:
        name = str(raw).strip()
        canonical = wanted.get(header_key(name), name)
        if canonical != name:
            renamed.append((name, canonical))
        names.append(canonical)
    if len(renamed) == 1:
        [(name, canonical)] = renamed
        msg = _("column '{name}' read as '{canonical}'").format(name=name, canonical=canonical)
        problems.append(Problem(table, None, canonical, msg, file, "warning"))
    elif renamed:  # one warning for the table: a header typed another way renames many
        listed = ", ".join(
            _("'{name}' as '{canonical}'").format(name=n, canonical=c) for n, c in renamed
        )
        msg = ngettext(
            "{n} column read under its expected name: {renamed}",
            "{n} columns read under their expected names: {renamed}",
            len(renamed),
        ).format(n=len(renamed), renamed=listed)
        problems.append(Problem(table, None, None, msg, file, "warning"))
    for name in sorted({n for n in names if names.count(n) > 1}):
        given = [str(raw).strip() for raw, n in zip(found, names, strict=True) if n == name]
        msg = ngettext(
            "{n} column is named '{name}' ({given}); keep one",
            "{n} columns are named '{name}' ({given}); keep one",
            len(given),
        ).format(n=len(given), name=name, given=", ".join(quoted(g) for g in given))
        problems.append(Problem(table, 1, name, msg, file))
    return names, problems


def close_header(name: str, found: Iterable[str]) -> str | None:
    """The header cell most like ``name`` (a hint for a missing column), if any is close.

    Parameters
    ----------
    name
        The missing column's name.
    found
        The header cells of the file.

    Returns
    -------
    str or None
        The closest header cell as written (``difflib`` ratio ≥ 0.6 on ``header_key``), or
        ``None``.
    """
    keys = {header_key(f): f for f in found}
    close = difflib.get_close_matches(header_key(name), list(keys), n=1, cutoff=0.6)
    return keys[close[0]] if close else None


# -- tables from rows -----------------------------------------------------------------------


def header_row(rows: Sequence[Sequence[object]], filled: Sequence[int], expected: set[str]) -> int:
    """Index of the header: the first of the first non-empty rows naming most expected columns.

    Parameters
    ----------
    rows
        The file's rows, each a sequence of cells.
    filled
        Indices of the rows that are not empty, in order.
    expected
        The expected column names, as ``header_key`` writes them.

    Returns
    -------
    int
        The header's index among ``rows`` (the first filled row when nothing is expected).
    """
    if not expected:
        return filled[0]
    best, best_hits = filled[0], 0
    for i in filled[:HEADER_SEARCH]:
        hits = len({header_key(c) for c in rows[i] if not is_blank(c)} & expected)
        if hits > best_hits:
            best, best_hits = i, hits
    return best


def _two_row_header(
    header: Sequence[object], below: Sequence[object], expected: set[str]
) -> list[object] | None:
    """The header completed by the row below it, when that row names only expected columns,
    each under a header cell that names none: a header on two rows with merged cells (a
    group's label above its columns' names, the other names merged down the two rows).
    ``None`` when the row below is not such a row."""
    named = [j for j, cell in enumerate(below) if not is_blank(cell)]
    if not named or any(header_key(below[j]) not in expected for j in named):
        return None
    merged = list(header) + [""] * (len(below) - len(header))
    if any(not is_blank(merged[j]) and header_key(merged[j]) in expected for j in named):
        return None
    for j in named:
        merged[j] = below[j]
    return merged


def table_from_rows(
    rows: Sequence[Sequence[object]],
    columns: Sequence[str],
    table: str,
    file: str,
    *,
    separator: str | None = None,
) -> RawTable:
    """The table held by ``rows`` (a sheet's cells, or a CSV file's records split on
    ``separator``): header located and matched to ``columns``, empty rows left out, field
    counts checked (CSV only). Row ``i`` of ``rows`` is the person's row ``i + 1``."""
    filled = [i for i, row in enumerate(rows) if not all(is_blank(c) for c in row)]
    if not filled:
        empty = (
            _("the table is empty: expected a header row ({columns})").format(
                columns=", ".join(columns)
            )
            if columns
            else _("the table is empty")
        )
        return RawTable(None, [Problem(table, None, None, empty, file)])
    problems: list[Problem] = []
    expected = {header_key(c) for c in columns}
    head = header_row(rows, filled, expected)
    above = [i for i in filled if i < head]
    if above:
        shown = " ".join(str(c).strip() for c in rows[above[0]] if not is_blank(c))
        where = ", ".join(str(i + 1) for i in above)
        msg = ngettext(
            "row {rows} above the header skipped ('{text}')",
            "rows {rows} above the header skipped ('{text}')",
            len(above),
        ).format(rows=where, text=shown[:60])
        problems.append(Problem(table, above[0] + 1, None, msg, file, "warning"))
    header = list(rows[head])
    two_rows = _two_row_header(header, rows[head + 1] if head + 1 in filled else (), expected)
    if two_rows is not None:
        header = two_rows
        msg = _("the header on rows {first} and {second} is read as one row").format(
            first=head + 1, second=head + 2
        )
        problems.append(Problem(table, head + 1, None, msg, file, "warning"))
        head += 1
    body = [i for i in filled if i > head]
    if separator is not None:
        while header and is_blank(header[-1]):
            header.pop()
        fitted, found = _fit_fields(rows, body, header, len(rows[head]), separator, head + 1)
        problems += [Problem(table, row, None, msg, file, sev) for row, msg, sev in found]
        if any(sev == "error" for _, _, sev in found):
            return RawTable(None, problems)
        cells: list[Sequence[object]] = fitted
    else:
        cells = [rows[i] for i in body]
    keep = [
        j
        for j, name in enumerate(header)
        if not is_blank(name) or any(not is_blank(r[j]) for r in cells if j < len(r))
    ]
    names = [
        cell_text(header[j]) if not is_blank(header[j]) else _("(column {n})").format(n=j + 1)
        for j in keep
    ]
    names, renamed = match_columns(names, columns, table, file)
    problems += renamed
    if any(p.severity == "error" for p in renamed):
        return RawTable(None, problems)
    index = pd.Index([i + 1 for i in body], name=SOURCE_ROW)
    data = {
        name: [r[j] if j < len(r) else "" for r in cells]
        for name, j in zip(names, keep, strict=True)
    }
    frame = pd.DataFrame(data, index=index, dtype=object if separator is None else "str")
    if frame.shape[1] == 0:
        frame = pd.DataFrame(index=index)
    return RawTable(frame, problems)


def _blank_tail(row: Sequence[object], width: int) -> int:
    """How many empty fields end ``row`` past the header's ``width`` (separators ending it)."""
    n = 0
    while len(row) - n > width and is_blank(row[len(row) - n - 1]):
        n += 1
    return n


def _trailing_separators(rows: Sequence[Sequence[object]], width: int) -> int:
    """How many separators end the rows, when most rows end so (0 when they do not).

    A file saved with a separator ending every row (or two, an empty column) has most of its
    rows longer than the header by empty fields only: their most common number is the
    file's, the smallest on a tie (a row with a real extra field and a separator ending it
    has one empty field more when its last values are empty). A row counts only when, cut
    there, it fits the columns that the rows of the header's width hold numbers in
    (``_numeric_columns``): a name with an unquoted separator followed by empty last values
    is also longer by an empty field, but its values are shifted, text under numbers.
    """
    tails = [_blank_tail(r, width) for r in rows]
    if 2 * sum(t > 0 for t in tails) <= len(rows):
        return 0  # most rows end at the header's width: no column shapes to read
    numeric = _numeric_columns([r for r in rows if len(r) == width], width)
    ends = [t for r, t in zip(rows, tails, strict=True) if t and _fits(r[: len(r) - t], numeric)]
    if 2 * len(ends) <= len(rows):
        return 0
    counts = collections.Counter(ends)
    most = max(counts.values())
    return min(t for t, n in counts.items() if n == most)


def _numeric_columns(rows: Sequence[Sequence[object]], width: int) -> list[bool]:
    """Per column, whether ``rows`` (of the header's width) hold numbers there and nothing else
    but empty cells; all False without such rows."""
    shapes = [{_shape(r[j]) for r in rows} - {"empty"} for j in range(width)]
    return [bool(s) and s <= {"integer", "decimal"} for s in shapes]


def _fits(record: Sequence[object], numeric: Sequence[bool]) -> bool:
    """Whether ``record`` has the header's width and numbers (or nothing) in the ``numeric``
    columns."""
    return len(record) == len(numeric) and all(
        _shape(v) != "text" for v, number in zip(record, numeric, strict=True) if number
    )


def _fit_fields(
    rows: Sequence[Sequence[object]],
    body: list[int],
    header: Sequence[object],
    header_width: int,
    sep: str,
    header_row: int,
) -> tuple[list[Sequence[object]], list[tuple[int, str, str]]]:
    """CSV records cut to the header's width, and the rows whose field count is wrong.

    When most records end with separators (``_trailing_separators``), as many empty fields
    are taken off the end of each record as the file's rows end with: what is left is
    judged like any record, so that a row with a real extra field is the only one named,
    with its own hint. When every record is short by the same header cells, those cells are
    one problem, not one per row.
    """
    width = len(header)
    trailing = _trailing_separators([rows[i] for i in body], width)
    records = [rows[i][: len(rows[i]) - min(trailing, _blank_tail(rows[i], width))] for i in body]
    found: list[tuple[int, str, str]] = []
    if trailing > header_width - width:
        ending = sum(_blank_tail(rows[i], width) > 0 for i in body)
        if ending == len(body):
            msg = _("every row ends with {extra}: read as the end of the row")
        else:
            msg = ngettext(
                "{n} of {total} rows ends with {extra}: read as the end of the row",
                "{n} of {total} rows end with {extra}: read as the end of the row",
                ending,
            )
        extra = _extra_separators(sep, trailing)
        found.append((body[0] + 1, msg.format(extra=extra, n=ending, total=len(body)), "warning"))
    counts = [len(r) for r in records]
    if body and max(counts) == min(counts) < width:
        unused = ", ".join(quoted(str(c).strip()) for c in header[counts[0] :])
        fields = ngettext("{count} field", "{count} fields", counts[0]).format(count=counts[0])
        msg = ngettext(
            "the header has {width} columns but every row has {fields}: column {unused} has "
            "no values; remove it from the header or fill it in",
            "the header has {width} columns but every row has {fields}: columns {unused} have "
            "no values; remove them from the header or fill them in",
            width - counts[0],
        ).format(width=width, fields=fields, unused=unused)
        return [], [(header_row, msg, "error")]
    bad = [(i, r) for i, r in zip(body, records, strict=True) if len(r) != width]
    # the well-formed rows' column shapes, read only to hint at what is wrong with a bad row
    good = [r for r in records if len(r) == width] if bad else []
    shapes = [{_shape(r[j]) for r in good} for j in range(width)]
    for i, record in bad[:MAX_LISTED]:
        padded = len(record) > width and _blank_tail(record, width) == len(record) - width
        hint = _field_hint([str(v) for v in record], width, sep, padded, shapes)
        msg = ngettext(
            "{count} field, expected {width}: {hint}",
            "{count} fields, expected {width}: {hint}",
            len(record),
        ).format(count=len(record), width=width, hint=hint)
        found.append((i + 1, msg, "error"))
    if len(bad) > MAX_LISTED:
        more = ngettext(
            "... and {n} more row with a wrong number of fields",
            "... and {n} more rows with a wrong number of fields",
            len(bad) - MAX_LISTED,
        ).format(n=format_number(len(bad) - MAX_LISTED))
        found.append((bad[MAX_LISTED][0] + 1, more, "error"))
    return [r[:width] for r in records], found


def _extra_separators(sep: str, count: int) -> str:
    """``an extra ';'``, ``2 extra tabs``: what ends a row, with its article and count."""
    if sep == "\t":  # a tab is named, not quoted: French says « une tabulation », feminine
        return ngettext("an extra tab", "{n} extra tabs", count).format(n=count)
    return ngettext("an extra '{sep}'", "{n} extra '{sep}'", count).format(n=count, sep=sep)


def _shape(value: object) -> str:
    """``empty``, ``integer``, ``decimal`` or ``text``: what the well-formed rows hold in a
    column."""
    text = str(value).strip()
    if not text:
        return "empty"
    if re.fullmatch(r"-?[0-9]+", text):
        return "integer"
    return "decimal" if re.fullmatch(r"-?[0-9]+[.,][0-9]+", text) else "text"


def _field_hint(
    row: Sequence[str], width: int, sep: str, padded: bool, shapes: Sequence[set[str]]
) -> str:
    """The likeliest reason a row has a wrong number of fields.

    A row with one field too many is read each way it could have been split: two fields that
    make a number with a decimal comma, a text cut after a separator, or a separator ending the
    row. Each reading is scored by how many of its fields look like those of the well-formed
    rows (``shapes``, the shapes seen per column); the best wins, then the first in that order
    (a text cut before a space before any other text cut): a separator ending the row is told
    only when no other reading fits as well.
    """
    tab = sep == "\t"  # named with its own article (« une tabulation »), not quoted
    if len(row) < width:
        if tab:
            return _(
                "a tab is missing, or a value was left out "
                "(an empty value still needs its separator)"
            )
        return _(
            "a '{sep}' is missing, or a value was left out "
            "(an empty value still needs its separator)"
        ).format(sep=sep)
    decimal = _(
        "'{number}' looks like a decimal comma: write {written}, put the number in double "
        "quotes, or save the file with ';' as separator"
    )
    if tab:
        quote = _("a tab inside unquoted text? put that text in double quotes")
    else:
        quote = _("a '{sep}' inside unquoted text? put that text in double quotes").format(sep=sep)
    extra = len(row) - width
    if tab:
        trailing = ngettext(
            "the row ends with an extra tab; remove it",
            "the row ends with {n} extra tabs; remove them",
            extra,
        ).format(n=extra)
    else:
        trailing = ngettext(
            "the row ends with an extra '{sep}'; remove it",
            "the row ends with {n} extra '{sep}'; remove them",
            extra,
        ).format(n=extra, sep=sep)

    def fit(fields: Sequence[str]) -> int:
        return sum(_shape(v) in s for v, s in zip(fields, shapes, strict=False))

    readings: list[tuple[int, int, str]] = []  # (-fit, preference, hint)
    if len(row) == width + 1:
        for j, (a, b) in enumerate(itertools.pairwise(v.strip() for v in row)):
            merged = [*row[:j], f"{a},{b}", *row[j + 2 :]]
            if sep == "," and re.fullmatch(r"-?[0-9]+", a) and re.fullmatch(r"[0-9]+", b):
                readings.append(
                    (-fit(merged), 0, decimal.format(number=f"{a},{b}", written=f"{a}.{b}"))
                )
            elif _shape(a) == "text" and _shape(b) == "text":
                spaced = row[j + 1][:1].isspace()
                readings.append((-fit(merged), 1 if spaced else 2, quote))
    if padded:
        readings.append((-fit(row[:width]), 3, trailing))
    if readings:
        return min(readings)[2]
    return quote


# -- CSV --------------------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was read with (see the module docstring).

    Parameters
    ----------
    data
        The file's bytes.

    Returns
    -------
    tuple of (str, str)
        The text and the encoding: ``utf-8-sig`` or ``utf-16`` after a byte-order mark, else
        ``utf-8``, else ``cp1252`` (Windows-1252).

    Raises
    ------
    UnicodeDecodeError
        When the bytes are neither UTF-8 nor Windows-1252 (five byte values are undefined).
    """
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252"), "cp1252"


def read_csv_rows(
    path: Path, columns: Sequence[str] = (), table: str = ""
) -> tuple[list[list[str]], str, list[Problem]]:
    """Every record of a CSV file (empty ones included), as lists of strings.

    The separator is the one among comma, semicolon and tab that splits the first rows into
    most of ``columns``, else the most frequent one in the first non-empty line.

    Parameters
    ----------
    path
        The CSV file.
    columns
        The expected column names (to find the separator).
    table
        Name used in problems (the file's stem by default).

    Returns
    -------
    tuple of (list of list of str, str, list of Problem)
        The records (record ``i`` is the person's row ``i + 1``), the separator and the
        problems: an error when the file cannot be read (nothing else is returned then), a
        warning when it was read as Windows-1252.
    """
    file, table = str(path), table or path.stem
    try:
        text, encoding = decode_text(path.read_bytes())
    except OSError as exc:
        msg = _("cannot be read: {reason}").format(reason=exc.strerror)
        return [], ",", [Problem(table, None, None, msg, file)]
    except UnicodeDecodeError as exc:
        msg = _("not UTF-8 nor Windows-1252 text (byte {byte}); {fix}").format(
            byte=f"{exc.object[exc.start]:#04x}", fix=_(RESAVE)
        )
        return [], ",", [Problem(table, None, None, msg, file)]
    problems = []
    if encoding == "cp1252":
        msg = _("not UTF-8: read as Windows-1252; if accents look wrong, {fix}").format(
            fix=_(RESAVE)
        )
        problems.append(Problem(table, None, None, msg, file, "warning"))
    separator = _sniff(text, columns)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error as exc:
        msg = _("unreadable CSV: {reason}").format(reason=exc)
        return [], separator, [Problem(table, None, None, msg, file)]
    return rows, separator, problems


def _sniff(text: str, columns: Sequence[str]) -> str:
    head = text[:20_000].splitlines()[:HEADER_SEARCH]
    expected = {header_key(c) for c in columns}

    def hits(sep: str) -> int:
        records = csv.reader(head, delimiter=sep)
        return max((len({header_key(c) for c in r} & expected) for r in records), default=0)

    best = max(SEPARATORS, key=hits) if expected else None
    if best is not None and hits(best) > 1:
        return best
    first = next((line for line in head if line.strip(" ,;\t")), "")
    return max(SEPARATORS, key=first.count)


def read_csv_table(path: Path, columns: Sequence[str] = (), table: str = "") -> RawTable:
    """The table of a CSV file as strings (see the module docstring for what is accepted).

    Parameters
    ----------
    path
        The CSV file.
    columns
        The expected column names (see ``read_table_file``); empty: the first non-empty row
        is the header.
    table
        Name used in problems (the file's stem by default).

    Returns
    -------
    RawTable
        The table, or no frame when the file cannot be read, with every problem found.
    """
    table = table or path.stem
    rows, separator, problems = read_csv_rows(path, columns, table)
    if any(p.severity == "error" for p in problems):
        return RawTable(None, problems)
    read = table_from_rows(rows, columns, table, str(path), separator=separator)
    return RawTable(read.frame, problems + read.problems)


# -- workbooks --------------------------------------------------------------------------------


def workbook_cells(path: Path, table: str) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """The cells of every sheet of a workbook, and its formulas never computed.

    Parameters
    ----------
    path
        The ``.xlsx`` workbook.
    table
        Name used in the problem when the workbook cannot be opened.

    Returns
    -------
    tuple of (dict, list of Problem)
        Each sheet's name → its cells (``read_workbook_cells``), and an error for each sheet
        holding formulas whose value was never saved; no sheet and one error when the workbook
        cannot be opened.
    """
    try:
        sheets = read_workbook_cells(path)
        return sheets, uncomputed_formulas(path, sheets)
    except Exception:  # openpyxl raises many types for a damaged file, in English
        msg = _(UNREADABLE_WORKBOOK)
        return {}, [Problem(table, None, None, msg, str(path))]


def sheet_table(
    grid: pd.DataFrame,
    columns: Sequence[str],
    table: str,
    file: str,
    merged: Sequence[tuple[int, str]] = (),
) -> RawTable:
    """The table of one sheet, read like a CSV file's rows.

    Parameters
    ----------
    grid
        The sheet's cells (``read_workbook_cells``).
    columns
        The expected column names (see ``read_table_file``).
    table
        Name used in problems.
    file
        Where the sheet is, as problems name it (``book.xlsx[sheet]``).
    merged
        The sheet's merged cells (``merged_cells``): those among the table's rows are warned
        (their cells but the first read empty); a header's merged cells are read as such.

    Returns
    -------
    RawTable
        The table, or no frame when the sheet holds none, with every problem found.
    """
    read = table_from_rows(grid.to_numpy(dtype=object).tolist(), columns, table, file)
    first = int(read.frame.index.min()) if read.frame is not None and len(read.frame) else None
    among = [(row, ref) for row, ref in merged if first is not None and row >= first]
    if not among:
        return read
    shown = cell_list([ref for _row, ref in among])
    msg = _(
        "merged cells {cells}: only the first cell of each holds its value, the others are "
        "read empty; unmerge them and fill every cell"
    ).format(cells=shown)
    found = Problem(table, among[0][0], None, msg, file, "warning")
    return RawTable(read.frame, [*read.problems, found])


def read_table_file(path: Path, columns: Sequence[str] = (), table: str = "") -> RawTable:
    """The table of a CSV file or of a workbook's first sheet (``.xlsx``), as people save them.

    Parameters
    ----------
    path
        A CSV file (comma, semicolon or tab; UTF-8, UTF-16 with a byte-order mark, or
        Windows-1252) or an ``.xlsx`` workbook.
    columns
        The expected column names: the header is found among the first rows (title rows above
        it skipped) and matched without case and spaces. Empty: the first non-empty row.
    table
        Name used in problems (the file's stem by default).

    Returns
    -------
    RawTable
        ``frame``: one row per non-empty row (cells as strings for CSV, as Python values for a
        workbook), indexed by the row number a person sees; ``None`` when the file cannot be
        read as a table. ``problems``: every error (unreadable file, wrong field counts with
        their rows) and warning (encoding, renamed columns, skipped rows). Never raises for a
        bad file.
    """
    table = table or path.stem
    if not path.is_file():
        return RawTable(None, [Problem(table, None, None, _("file not found"), str(path))])
    if path.suffix.lower() != ".xlsx":
        return read_csv_table(path, columns, table)
    sheets, problems = workbook_cells(path, table)
    if problems or not sheets:
        none = [Problem(table, None, None, _("the workbook has no sheet"), str(path))]
        return RawTable(None, problems or none)
    name, grid = next(iter(sheets.items()))
    return sheet_table(grid, columns, table, f"{path}[{name}]", merged_cells(path).get(name, []))
