"""The platform's canteen ids: id files read as *ma cantine* reads them, the ids a plan's
purchase file keys (SIRET or the platform's numeric id), and their checks.

``export`` (the purchase file and the whole export) keys its rows with them. See
``docs/macantine.md``, *SIRET and id files*.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from numpy.typing import NDArray

from ..errors import Problem, ScenarioError
from ..i18n import gettext as _
from ..i18n import ngettext
from ..inputs.fixes import code_digits
from ..inputs.scenario import Scenario
from ..inputs.schema import Column, Table
from ..inputs.validation import Collector, pad_code
from ..io import cell_text, read_table_file
from .cells import SCHEMA, _cantine_id, _siret
from .declaration import canteen_number, siret_problem, visible

PlatformKey = Literal["siret", "cantine_id"]


class PlatformIdWarning(UserWarning):
    """No *ma cantine* ids given: the purchase file cannot be uploaded as it is."""


class IdFileWarning(UserWarning):
    """An id file read as meant: a cell the platform would refuse as written (a SIRET whose
    leading zeros a spreadsheet dropped, ``1.0``), or the file's own warnings (its encoding,
    a title row above its header)."""


#: The SIRET column of an id file, as ``canteens``' (14 digits, leading zeros restored).
_ID_TABLE = Table("ids", "", (Column("siret", "text", "", digits=14),), ("canteen_id",))


def read_sirets(path: str | Path) -> dict[str, str]:
    """Read a canteen_id → SIRET mapping (columns ``canteen_id``, ``siret``).

    See ``read_platform_ids``; spaces inside a SIRET (ordinary, non-breaking, narrow
    non-breaking) are removed, as a person typing ``216 204 980 00017`` means.

    Parameters
    ----------
    path
        CSV or XLSX file with ``canteen_id`` and ``siret`` columns.

    Returns
    -------
    dict of str to str
        canteen_id → SIRET (14 digits, text).

    Raises
    ------
    ScenarioError
        Every bad row at once (see ``read_platform_ids``).
    """
    return read_platform_ids(path, "siret")


def read_platform_ids(
    path: str | Path,
    column: PlatformKey = "siret",
    canteen_ids: Collection[str] | None = None,
) -> dict[str, str]:
    """Read the platform's canteen ids: canteen_id → SIRET or → numeric *ma cantine* id.

    Each id is read once, as the platform reads it (``platform_id``): ``001`` is canteen
    ``1``, spaces and non-breaking spaces inside a SIRET are removed. Where the platform would
    refuse the cell as written but what it means is certain (``1.0``, a SIRET with narrow
    non-breaking spaces or a ``.0``, a SIRET whose leading zeros a spreadsheet dropped or
    written in scientific notation with every digit), the id is read with an
    ``IdFileWarning`` naming file, row and column; where it is not (``12 3``, ``-4``, an
    invalid SIRET, a SIRET whose digits are lost), it is an error.

    Parameters
    ----------
    path
        CSV (comma or semicolon; UTF-8 or Windows-1252) or XLSX (first sheet) with a
        ``canteen_id`` column and the ``column`` one; other columns are ignored.
    column
        ``"siret"`` (14 digits, Luhn checksum) or ``"cantine_id"`` (a whole number ≥ 1).
    canteen_ids
        The scenario's canteen ids, when the file must give an id to each of them and to no
        other canteen; ``None``: not checked.

    Returns
    -------
    dict
        canteen_id → id as the platform reads it, both text.

    Raises
    ------
    ScenarioError
        Every bad row at once, with the file's warnings, its head naming the file (row
        numbers count the header as row 1): missing column, empty canteen_id, bad id (shown
        with its invisible characters spelled out as ``<U+00A0>``), a canteen given twice,
        one platform id given to several canteens (with their rows), a canteen not in
        ``canteen_ids`` (with its row) or one of them without a row; or a file that cannot
        be read.
    """
    path = Path(path)
    file = str(path)
    read = read_table_file(path, ("canteen_id", column), "ids")
    if read.frame is None:
        raise ScenarioError(read.problems, subject=path.name)
    frame = read.frame.map(lambda v: cell_text(v, strip=False))
    problems = [
        Problem("ids", 1, col, _("column is missing"), file)
        for col in ("canteen_id", column)
        if col not in frame.columns
    ]
    if problems:
        raise ScenarioError(read.problems + problems, subject=path.name)
    canteen = frame["canteen_id"].astype(str).str.strip()
    rows = frame.index.to_numpy()
    ident, found = _read_ids(read.frame[column], frame[column].astype(str), rows, file, column)
    problems = found + _canteen_problems(canteen, ident, rows, file, column, canteen_ids)
    if any(p.severity == "error" for p in problems):
        raise ScenarioError(read.problems + problems, subject=path.name)
    for p in read.problems + problems:  # the file's own warnings too (title rows, encoding)
        warnings.warn(IdFileWarning(_id_file_note(p)), stacklevel=2)
    filled = (canteen != "").to_numpy()
    return dict(zip(canteen[filled], ident[filled], strict=True))


def platform_id(ident: str, key: PlatformKey) -> str:
    """An id as the platform reads it: a ``cantine_id`` as its canteen's number (``001`` is
    ``1``, as Django's ``int``), a SIRET as it is; an id no canteen can have as it is.

    Parameters
    ----------
    ident
        The id, spaces already removed.
    key
        ``"siret"`` or ``"cantine_id"``.

    Returns
    -------
    str
        The id the platform looks the canteen up by.
    """
    number = canteen_number(ident) if key == "cantine_id" else None
    return ident if number is None else str(number)


def _read_ids(
    values: pd.Series, text: pd.Series, rows: NDArray[Any], file: str, column: PlatformKey
) -> tuple[pd.Series, list[Problem]]:
    """Each id cell as the platform reads it, with a warning where the platform would refuse
    the cell as written but its meaning is certain and an error where it is not.

    ``values`` are the cells as read (a number when the spreadsheet held one), ``text`` the
    same cells as text, ``rows`` their row numbers (header = 1)."""
    cells = text.map(_siret if column == "siret" else _cantine_id)
    if column == "siret":
        ident, problems = _restore_siret_zeros(values, text.map(code_digits), rows, file)
    else:  # a cantine_id as the platform reads it (``001`` is 1)
        ident, problems = cells.map(lambda cell: str(cell.value or "")), []
    said = {p.row for p in problems}
    for row, raw, i, cell in zip(rows.tolist(), text, ident, cells, strict=True):
        if row in said or not raw.strip():
            continue  # said by _restore_siret_zeros, or an empty cell (said per canteen)
        why = _id_problem(i, column)
        if why and raw != i:
            why = _("{problem} (read from {cell})").format(problem=why, cell=visible(raw))
        elif why is None and cell.refusal and cell.stage == SCHEMA:
            why = cell.refusal  # not a number to the platform: '12 3' is neither 12 nor 123
        if why:
            problems.append(Problem("ids", row, column, why, file))
        elif cell.refusal:
            msg = _("{cell} read as '{id}' (ma cantine would refuse it as written)")
            problems.append(
                Problem("ids", row, column, msg.format(cell=visible(raw), id=i), file, "warning")
            )
    return ident, problems


def _canteen_problems(
    canteen: pd.Series,
    ident: pd.Series,
    rows: NDArray[Any],
    file: str,
    column: PlatformKey,
    canteen_ids: Collection[str] | None,
) -> list[Problem]:
    """An id file's canteens: each named, given once, one platform id each, and (with
    ``canteen_ids``) exactly the scenario's."""
    problems = [
        Problem("ids", int(row), "canteen_id" if i else column, _("empty"), file)
        for row, c, i in zip(rows, canteen, ident, strict=True)
        if bool(c) != bool(i)
    ]
    for c in canteen[canteen.duplicated() & (canteen != "")].unique():
        dup_rows = rows[(canteen == c).to_numpy()]
        msg = _("canteen '{canteen}' appears on rows {rows}").format(
            canteen=c, rows=", ".join(map(str, dup_rows))
        )
        problems.append(Problem("ids", int(dup_rows[-1]), "canteen_id", msg, file))
    named = (canteen != "").to_numpy()
    for shared, positions in _shared_ids(canteen[named], ident[named]):
        given = [
            _("{canteen} (row {row})").format(canteen=canteen[named].iloc[p], row=rows[named][p])
            for p in positions
        ]
        msg = _("{key} {id} given to several canteens ({canteens})").format(
            key=column, id=shared, canteens=", ".join(given)
        )
        problems.append(Problem("ids", int(rows[named][positions[-1]]), column, msg, file))
    if canteen_ids is not None:
        problems += _scenario_problems(canteen, rows, file, column, canteen_ids)
    return problems


def _scenario_problems(
    canteen: pd.Series,
    rows: NDArray[Any],
    file: str,
    column: PlatformKey,
    canteen_ids: Collection[str],
) -> list[Problem]:
    """An id file's canteens not in the scenario, and the scenario's canteens it misses."""
    wanted = set(canteen_ids)
    problems = []
    for row, c in zip(rows, canteen, strict=True):
        if c and c not in wanted:
            msg = _("canteen '{canteen}' is not in the scenario's canteens").format(canteen=c)
            problems.append(Problem("ids", int(row), "canteen_id", msg, file))
    missing = sorted(wanted.difference(canteen))
    if missing:
        shown = ", ".join(missing[:10])
        if len(missing) > 10:
            rest = len(missing) - 10
            shown = ngettext("{first} and {n} more", "{first} and {n} more", rest).format(
                first=shown, n=rest
            )
        msg = ngettext(
            "no {key} for canteen {canteens}", "no {key} for canteens {canteens}", len(missing)
        ).format(key=column, canteens=shown)
        problems.append(Problem("ids", None, "canteen_id", msg, file))
    return problems


def _shared_ids(canteens: pd.Series, ids: pd.Series) -> list[tuple[str, list[int]]]:
    """Platform ids given to several canteens: each id (sorted) with the positions of the
    canteens' first rows; an empty id is none."""
    first = pd.DataFrame({"canteen": canteens.to_numpy(), "id": ids.to_numpy()})
    first = first.loc[(first["id"] != "") & ~first["canteen"].duplicated()]
    return [
        (str(i), group.index.tolist())
        for i, group in first.groupby("id", sort=True)
        if len(group) > 1
    ]


def _restore_siret_zeros(
    values: pd.Series, sirets: pd.Series, rows: NDArray[Any], file: str
) -> tuple[pd.Series, list[Problem]]:
    """SIRETs of an id file whose leading zeros a spreadsheet dropped, padded back to 14
    digits as in ``canteens.csv`` (the one rule, ``rhd_match.inputs.validation``): a warning
    naming each padded cell, an error for a code in scientific notation or too long.

    ``values`` are the cells as read (a number when the spreadsheet held one), ``sirets``
    the same cells as text without spaces, ``rows`` their row numbers (header = 1)."""
    out = Collector(_ID_TABLE, file, rows)
    padded = pad_code(values, sirets, _ID_TABLE.column("siret"), out)
    return padded, out.problems


def _id_file_note(problem: Problem) -> str:
    """A warning about an id file: where (file, then row and column when it has them), then
    what."""
    return _("{where}: {message}").format(where=problem.place(), message=problem.message)


def _id_problem(ident: str, column: PlatformKey) -> str | None:
    if column == "siret":
        return siret_problem(ident)
    if canteen_number(ident) is None:
        return _("{id} is not a ma cantine canteen id (a whole number)").format(id=visible(ident))
    return None


def platform_ids(
    scenario: Scenario,
    *,
    sirets: Mapping[str, str] | None = None,
    cantine_ids: Mapping[str, str] | None = None,
) -> tuple[PlatformKey, dict[str, str] | None]:
    """Which platform id keys a plan's purchase file, and canteen_id → that id.

    In this order: ``sirets``; ``cantine_ids``; the scenario's ``siret`` column, then its
    ``macantine_id`` column, when filled for every canteen. ``("cantine_id", None)`` when
    there are none: the file then holds the project's canteen_ids, which the platform
    refuses.

    Parameters
    ----------
    scenario
        The scenario (``canteens`` may have ``siret`` and ``macantine_id`` columns).
    sirets
        canteen_id → SIRET.
    cantine_ids
        canteen_id → numeric *ma cantine* canteen id.

    Returns
    -------
    tuple
        The key (``"siret"`` or ``"cantine_id"``) and canteen_id → id (text, spaces
        removed), or ``None`` when the platform's ids are unknown.

    Raises
    ------
    ValueError
        When both ``sirets`` and ``cantine_ids`` are given.
    """
    if sirets is not None and cantine_ids is not None:
        raise ValueError("give sirets or cantine_ids, not both")
    if sirets is not None:
        return "siret", dict(sirets)
    if cantine_ids is not None:
        return "cantine_id", {str(c): str(i) for c, i in cantine_ids.items()}
    canteens = scenario.canteens
    partial: list[Problem] = []
    for column, key in (("siret", "siret"), ("macantine_id", "cantine_id")):
        if column in canteens.columns:
            values = canteens[column].map(lambda v: cell_text(v, strip=False))
            filled = values.str.strip() != ""
            if filled.all():
                ids = values.map(code_digits)
                return key, dict(zip(canteens["canteen_id"].astype(str), ids, strict=True))  # type: ignore[return-value]
            if filled.any():
                missing = canteens.loc[~filled, "canteen_id"].astype(str).tolist()
                msg = ngettext(
                    "given for {n} canteen of {total}; missing for {canteens}: give every "
                    "canteen its id, or none",
                    "given for {n} canteens of {total}; missing for {canteens}: give every "
                    "canteen its id, or none",
                    int(filled.sum()),
                ).format(n=int(filled.sum()), total=len(values), canteens=", ".join(missing))
                partial.append(Problem("canteens", None, column, msg))
    if partial:  # a column half filled is no choice not to give ids
        raise ScenarioError(partial)
    return "cantine_id", None


def check_platform_ids(
    scenario: Scenario, key: PlatformKey, mapping: Mapping[str, str] | None, source: str
) -> None:
    """Every canteen's platform id checked as the purchase file will check it, before a
    solve: each canteen has one, valid, and no two share one.

    Parameters
    ----------
    scenario
        The scenario.
    key, mapping
        As ``platform_ids`` returns them (None: no ids, nothing to check).
    source
        Where the ids come from, for the problems' place: an id file's name, or
        ``"canteens"`` for the scenario's own columns.

    Raises
    ------
    ScenarioError
        Listing every canteen without an id, every invalid id and every shared one.
    """
    if mapping is not None:
        _identifiers(scenario.canteens["canteen_id"].astype(str), key, mapping, source)


def _identifiers(
    canteen_ids: pd.Series,
    key: PlatformKey,
    mapping: Mapping[str, str] | None,
    source: str = "ids",
) -> pd.Series:
    """Each purchase line's platform id, its canteen's, checked as the platform checks it.

    Parameters
    ----------
    canteen_ids
        Each line's canteen_id, shape (lines,).
    key, mapping
        As ``platform_ids`` returns them; None: the lines keep the project's canteen ids,
        with a ``PlatformIdWarning``.
    source
        Where the ids come from, for the problems' place (``check_platform_ids``).

    Returns
    -------
    pandas.Series
        Each line's platform id (or canteen_id), shape (lines,).

    Raises
    ------
    ScenarioError
        Listing every canteen without an id, every invalid id and every shared one.
    """
    canteens = sorted(pd.unique(canteen_ids.to_numpy()))
    if mapping is None:
        warnings.warn(
            PlatformIdWarning(
                _(
                    "no ma cantine ids given: 'cantine_id' holds the project's canteen ids "
                    "({canteens}), which the platform refuses; this purchase file cannot be "
                    "uploaded as it is (give SIRETs or the platform's numeric ids: "
                    "--siret-file or --id-file, or a siret or macantine_id column in canteens)"
                ).format(canteens=", ".join(canteens[:5]) + ("…" if len(canteens) > 5 else ""))
            ),
            stacklevel=3,
        )
        return canteen_ids
    problems: list[Problem] = []
    # The scenario's own column, as its file names it; an id file's column is the key.
    column = ("siret" if key == "siret" else "macantine_id") if source == "canteens" else key
    clean = {str(c): platform_id(str(s).strip(), key) for c, s in mapping.items()}
    for c in canteens:  # one per canteen, for error reporting
        if c not in clean:
            msg = _("no {key} for canteen '{canteen}'").format(key=key, canteen=c)
            problems.append(Problem(source, None, column, msg))
            continue
        why = _id_problem(clean[c], key)
        if why:
            msg = _("canteen '{canteen}': {problem}").format(canteen=c, problem=why)
            problems.append(Problem(source, None, column, msg))
    named = pd.Series([c for c in canteens if c in clean], dtype=object)
    for shared, positions in _shared_ids(named, named.map(clean)):
        msg = _("{key} {id} given to several canteens ({canteens})").format(
            key=key, id=shared, canteens=", ".join(named[positions])
        )
        problems.append(Problem(source, None, column, msg))
    if problems:
        raise ScenarioError(problems)
    return canteen_ids.map(clean)


def export_id_problems(scenario: Scenario) -> list[Problem]:
    """What the *ma cantine* export will refuse in the scenario's own ``siret`` or
    ``macantine_id`` column, said when the scenario is validated rather than after a solve.

    Parameters
    ----------
    scenario
        The scenario.

    Returns
    -------
    list of Problem
        Warnings, one per problem ``platform_ids`` and ``check_platform_ids`` find (a column
        half filled, an invalid id, one shared); empty without such columns.
    """
    try:
        key, mapping = platform_ids(scenario)
        check_platform_ids(scenario, key, mapping, "canteens")
    except ScenarioError as error:
        return [
            replace(
                p,
                message=_("the ma cantine export will refuse it: {problem}").format(
                    problem=p.message
                ),
                severity="warning",
            )
            for p in error.problems
        ]
    return []
