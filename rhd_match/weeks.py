"""ISO weeks (``2026-W03``): parsing, validation and ordering."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from .i18n import gettext as _
from .i18n import month_name

WEEK_PATTERN = re.compile(r"^([0-9]{4})-W([0-9]{2})$")


def iso_weeks_in_year(year: int) -> int:
    """Number of ISO weeks in ``year`` (52 or 53).

    Parameters
    ----------
    year
        An ISO year.

    Returns
    -------
    int
        The week number of 28 December, the last ISO week of its year.
    """
    return dt.date(year, 12, 28).isocalendar().week


def week_problem(text: str) -> str | None:
    """Why ``text`` is not an ISO week such as ``2026-W03``; ``None`` when it is one.

    Parameters
    ----------
    text
        A week as written in a file.

    Returns
    -------
    str or None
        The reason (not of the form ``YYYY-Www``, or a week the year does not have).
    """
    match = WEEK_PATTERN.match(text)
    if match is None:
        return _("'{text}' is not an ISO week like 2026-W03").format(text=text)
    year, week = int(match.group(1)), int(match.group(2))
    if not 1 <= week <= iso_weeks_in_year(year):
        return _("'{text}': year {year} has weeks 01 to {last}").format(
            text=text, year=year, last=f"{iso_weeks_in_year(year):02d}"
        )
    return None


def week_list_problems(weeks: list[str]) -> list[str]:
    """Why a list of weeks asked for cannot be used: each week that is not an ISO week, each
    one given twice, none given.

    Parameters
    ----------
    weeks
        ISO weeks as typed (``2026-W03``), spaces already stripped.

    Returns
    -------
    list of str
        One reason per problem, in the active language; empty when the list is good.
    """
    wrong = [why for w in weeks if (why := week_problem(w))]
    twice = sorted({w for w in weeks if weeks.count(w) > 1})
    wrong += [_("week '{week}' is given more than once").format(week=w) for w in twice]
    if not weeks:
        wrong.append(_("no week given"))
    return wrong


def week_monday(week: str) -> dt.date:
    """Monday of an ISO week.

    Parameters
    ----------
    week
        A valid ISO week (``2026-W03``).

    Returns
    -------
    datetime.date
        Its Monday (``2026-W01`` → 29 December 2025).
    """
    year, number = week.split("-W")
    return dt.date.fromisocalendar(int(year), int(number), 1)


def week_thursday(week: str) -> dt.date:
    """Thursday of an ISO week: the day whose year is the week's (ISO 8601), and whose month
    is taken as the week's month everywhere in rhd_match.

    Parameters
    ----------
    week
        A valid ISO week (``2026-W03``).

    Returns
    -------
    datetime.date
        Its Thursday.

    References
    ----------
    ISO 8601: a week belongs to the year of its Thursday.
    """
    return week_monday(week) + dt.timedelta(days=3)


def week_month(weeks: pd.Series) -> pd.Series:
    """Calendar month (1–12) of each ISO week (its Thursday's, ``week_thursday``).

    Parameters
    ----------
    weeks
        ISO weeks (``2026-W03``), any index.

    Returns
    -------
    pandas.Series
        The month of each week (int64), aligned on ``weeks.index``.
    """
    uniques = pd.unique(weeks.to_numpy())
    month = {w: week_thursday(str(w)).month for w in uniques}
    return weeks.map(month).astype(np.int64)


def week_year_month(weeks: pd.Series) -> pd.Series:
    """``YYYY-MM`` of each ISO week (its Thursday's, ``week_thursday``).

    Parameters
    ----------
    weeks
        ISO weeks (``2026-W03``), any index.

    Returns
    -------
    pandas.Series
        ``YYYY-MM`` text of each week, aligned on ``weeks.index``.
    """
    uniques = pd.unique(weeks.to_numpy())
    month = {w: week_thursday(str(w)).strftime("%Y-%m") for w in uniques}
    return weeks.map(month).astype(str)


def week_label(year: int, week: int) -> str:
    """``week_label(2026, 3) == "2026-W03"``.

    Parameters
    ----------
    year
        The ISO year.
    week
        The week number (1–53).

    Returns
    -------
    str
        The ISO week, ``YYYY-Www``.
    """
    return f"{year:04d}-W{week:02d}"


def month_label(year: int, month: int, with_year: bool = False) -> str:
    """Short name of a calendar month in the active language (``rhd_match.i18n``).

    Parameters
    ----------
    year
        Calendar year; its last two digits are shown when ``with_year``.
    month
        Calendar month, 1–12 (months of ISO weeks come from ``week_year_month``).
    with_year
        Add the year, for labels that span several years.

    Returns
    -------
    str
        ``janv.``, ``janv. 27`` (French); ``Jan``, ``Jan 27`` (English).
    """
    return month_name(month, abbreviated=True) + (f" {year % 100:02d}" if with_year else "")
