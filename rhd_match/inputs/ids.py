"""Ids shared between tables: the tables another table takes its ids from, any of them."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..errors import Problem
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..io import is_blank
from .references import ids_readable
from .schema import TABLES
from .validation import source_rows

#: Tables whose ids another table takes from any of them, and why one id must name one thing.
SHARED_IDS = (
    (("canteens", "producers", "hubs"), N_("a distances row names a place by its id alone")),
    (("products", "groups"), N_("a demand row names a product or a group by its id alone")),
)


def shared_id_problems(
    tables: Mapping[str, pd.DataFrame], files: Mapping[str, str | None]
) -> list[Problem]:
    """Ids of tables that another table takes from any of them (``SHARED_IDS``: the places of
    ``distances``, the products and groups of ``demand``) that are the same in two tables,
    or differ only by case: the same rule as two rows of one table (``_check_case``), as a
    spreadsheet's lookups ignore case.

    Parameters
    ----------
    tables
        The typed tables by name (``coerce_table``); one left out or unreadable is skipped.
    files
        The file each table was read from, by name (None when not from a file).

    Returns
    -------
    list of Problem
        One error per id at fault, at its row of the later table (in ``SHARED_IDS``'s order),
        naming the earlier table's row.
    """
    problems: list[Problem] = []
    for names, reason in SHARED_IDS:
        seen: dict[str, tuple[str, str, int]] = {}  # casefold → (table, id, row)
        for name in names:
            if name not in tables or not ids_readable(name, tables, files):
                continue
            column = TABLES[name].key[0]
            rows = source_rows(tables[name])
            mine: dict[str, tuple[str, str, int]] = {}
            for pos, value in enumerate(tables[name][column].astype(object)):
                if is_blank(value):
                    continue
                text = str(value)
                mine.setdefault(text.casefold(), (name, text, int(rows[pos])))
                if text.casefold() not in seen:
                    continue
                other, written, row = seen[text.casefold()]
                msg = (
                    _(
                        "{column} '{id}' is also the {other} of {table} row {row}: {reason}; "
                        "give each its own id"
                    )
                    if written == text
                    else _(
                        "{column} '{id}' differs from the {other} '{first}' of {table} row "
                        "{row} only by case: {reason}, and a spreadsheet's lookups ignore "
                        "case; give each an id that differs by more than case"
                    )
                ).format(
                    column=column,
                    id=text,
                    other=TABLES[other].key[0],
                    first=written,
                    table=other,
                    row=row,
                    reason=_(reason),
                )
                problems.append(Problem(name, int(rows[pos]), column, msg, files.get(name)))
            seen = mine | seen
    return problems
