"""Foreign keys between the typed tables: every id a table uses must be defined where it
belongs, and a table left with a header only is said once, not through every id naming it."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import Problem
from ..i18n import format_alternatives, format_number, ngettext
from ..i18n import gettext as _
from .schema import TABLES
from .validation import Collector, blank_cells, source_rows, split_ids


def check_references(
    tables: Mapping[str, pd.DataFrame], files: Mapping[str, str | None]
) -> list[Problem]:
    """Foreign keys between tables: every id used must exist where it is defined.

    Parameters
    ----------
    tables
        The typed tables by name (``coerce_table``).
    files
        The file each table was read from, by name (None when not from a file).

    Returns
    -------
    list of Problem
        One error per unknown id, with its file, row and column; one per table left with a
        header only while other tables name its ids, instead of an error on each of their rows.
    """
    problems: list[Problem] = []
    named: dict[str, list[tuple[str, str, int]]] = {}  # empty table → (table, column, rows)
    for table in TABLES.values():
        if table.name not in tables:  # a missing file, reported on its own
            continue
        frame = tables[table.name]
        out = Collector(table, files.get(table.name), source_rows(frame))
        for column, target in table.foreign.items():
            # "products|groups": an id of either table; a table that could not be read, or
            # whose ids could not (its key column missing), is reported on its own; an
            # optional one left out or empty has no id (without hubs, a producer's hub_id is
            # information only).
            names = target.split("|")
            if any(not ids_readable(t, tables, files) for t in names):
                continue
            targets = [
                t for t in names if t in tables and not (TABLES[t].optional and tables[t].empty)
            ]
            if not targets:
                continue
            # A required table with a header only: said once there, not at every row here
            # (nor for the other tables this column may name: the scenario fails anyway).
            empty = [t for t in targets if tables[t].empty and not TABLES[t].optional]
            if empty:
                rows = int((~blank_cells(frame[column])).sum())
                if rows:
                    named.setdefault(empty[0], []).append((table.name, column, rows))
                continue
            target = format_alternatives(targets)
            known = {
                str(v) for t in targets for v in tables[t][TABLES[t].key[0]].dropna().to_numpy()
            }
            if table.column(column).kind == "ids":
                _check_id_lists(frame[column], known, column, target, out)
                continue
            values = frame[column].astype(object)
            # a blank id is already reported as a missing value
            given = ~blank_cells(values).to_numpy()
            bad = given & ~values.isin(known).to_numpy()
            if bad.any():
                cased = {k.casefold(): k for k in sorted(known)}
                msgs = [
                    _("unknown {column} '{value}' (not in {table})").format(
                        column=column, value=v, table=target
                    )
                    + _case_hint(str(v), cased)
                    for v in values[bad]
                ]
                out.add(np.flatnonzero(bad), column, msgs)
        if "first_week" in frame.columns and "last_week" in frame.columns:
            first, last = frame["first_week"], frame["last_week"]
            bad = (first.notna() & last.notna() & (first.astype(str) > last.astype(str))).to_numpy()
            if bad.any():
                msgs = [
                    _("last week {last} is before first week {first}").format(first=a, last=b)
                    for a, b in zip(first[bad], last[bad], strict=True)
                ]
                out.add(np.flatnonzero(bad), "last_week", msgs)
        problems += out.problems
    return _header_only(named, files) + problems


def _header_only(
    named: Mapping[str, list[tuple[str, str, int]]], files: Mapping[str, str | None]
) -> list[Problem]:
    """One error per table left with a header only while other tables name its ids, in place
    of an unknown-id error on every row naming one (62,144 on the demo without products)."""
    problems = []
    for name, uses in named.items():
        users = ", ".join(
            ngettext("{table} ({column}, {n} row)", "{table} ({column}, {n} rows)", rows).format(
                table=table, column=column, n=format_number(rows)
            )
            for table, column, rows in uses
        )
        msg = ngettext(
            "the table has no rows (a header only?), yet {users} names its ids",
            "the table has no rows (a header only?), yet {users} name its ids",
            len(uses),
        ).format(users=users)
        problems.append(Problem(name, None, None, msg, files.get(name)))
    return problems


def _case_hint(value: str, cased: Mapping[str, str]) -> str:
    """``; did you mean 'APPLE'? …`` when ``value`` is a known id but for case, else empty;
    ``cased`` maps each known id's casefold to the id."""
    near = cased.get(value.casefold())
    if near is None:
        return ""
    return _("; did you mean '{id}'? ids are compared exactly, case included").format(id=near)


def ids_readable(
    name: str, tables: Mapping[str, pd.DataFrame], files: Mapping[str, str | None]
) -> bool:
    """Whether the ids of table ``name`` are known: read, or an optional table left out.

    Parameters
    ----------
    name
        A table's name (``TABLES``).
    tables
        The typed tables by name.
    files
        The file each table was read from, by name (None when not from a file).

    Returns
    -------
    bool
        False when the table could not be read, or its key column holds no id at all (the
        column missing): its problems are reported on their own.
    """
    if name not in tables:
        return TABLES[name].optional and name not in files
    ids = tables[name][TABLES[name].key[0]]
    return ids.empty or bool(ids.notna().any())


def _check_id_lists(
    cells: pd.Series, known: set[str], column: str, target: str, out: Collector
) -> None:
    """Every id of every list cell must exist in ``target``; one message per cell."""
    unknown = [[i for i in split_ids(c) if i not in known] for c in cells.astype(object)]
    bad = np.array([bool(u) for u in unknown], dtype=bool)
    if bad.any():
        cased = {k.casefold(): k for k in sorted(known)}
        msgs = [
            ngettext(
                "unknown {column} {ids} (not in {table})",
                "unknown {column} {ids} (not in {table})",
                len(u),
            ).format(column=column, ids=", ".join(repr(i) for i in u), table=target)
            + "".join(_case_hint(i, cased) for i in u)
            for u in unknown
            if u
        ]
        out.add(np.flatnonzero(bad), column, msgs)
