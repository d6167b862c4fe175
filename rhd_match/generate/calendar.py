"""The service calendar: French public holidays, school holidays (zone B), service days and
the month of each ISO week of a year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..weeks import iso_weeks_in_year, week_label, week_month
from .draw import BoolArray, IntArray


def _easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def public_holidays(year: int) -> list[dt.date]:
    """French public holidays of ``year``, plus the Friday after Ascension (no school)."""
    easter = _easter(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    moving = [easter + dt.timedelta(days=n) for n in (1, 39, 40, 50)]
    return [dt.date(year, m, d) for m, d in fixed] + moving


#: Zone B school holidays (académie de Lille), first and last day without school. 2025-26 from
#: the national calendar; 2026-27 approximated (Toussaint and Christmas only matter for 2026).
SCHOOL_HOLIDAYS_ZONE_B: tuple[tuple[dt.date, dt.date], ...] = (
    (dt.date(2024, 12, 21), dt.date(2025, 1, 5)),
    (dt.date(2025, 2, 8), dt.date(2025, 2, 23)),
    (dt.date(2025, 4, 5), dt.date(2025, 4, 21)),
    (dt.date(2025, 7, 5), dt.date(2025, 8, 31)),
    (dt.date(2025, 10, 18), dt.date(2025, 11, 2)),
    (dt.date(2025, 12, 20), dt.date(2026, 1, 4)),
    (dt.date(2026, 2, 14), dt.date(2026, 3, 1)),
    (dt.date(2026, 4, 11), dt.date(2026, 4, 26)),
    (dt.date(2026, 7, 4), dt.date(2026, 8, 31)),
    (dt.date(2026, 10, 17), dt.date(2026, 11, 1)),
    (dt.date(2026, 12, 19), dt.date(2027, 1, 3)),
)
_KNOWN_CALENDAR_YEARS = (2025, 2026)


def _approximate_holidays(year: int) -> list[tuple[dt.date, dt.date]]:
    """Zone-B-like school holidays for a year without a known calendar (rule of thumb)."""

    def week_range(y: int, week: int, weeks: int) -> tuple[dt.date, dt.date]:
        start = dt.date.fromisocalendar(y, week, 1) - dt.timedelta(days=2)
        return start, start + dt.timedelta(days=7 * weeks + 1)

    eve = dt.date(year, 12, 24)
    christmas_start = eve - dt.timedelta(days=(eve.weekday() - 5) % 7)  # the Saturday before
    return [
        (dt.date(year - 1, 12, 20), dt.date(year, 1, 3)),
        week_range(year, 8, 2),
        week_range(year, 16, 2),
        (dt.date(year, 7, 4), dt.date(year, 8, 31)),
        week_range(year, 43, 2),
        (christmas_start, dt.date(year + 1, 1, 3)),
    ]


def school_closed(dates: Sequence[dt.date], year: int) -> BoolArray:
    """Whether schools are closed on each date: zone B holidays, public holidays."""
    ranges = (
        list(SCHOOL_HOLIDAYS_ZONE_B)
        if year in _KNOWN_CALENDAR_YEARS
        else _approximate_holidays(year)
    )
    days = np.array(dates, dtype="datetime64[D]")
    closed = np.zeros(len(days), dtype=bool)
    for first, last in ranges:
        closed |= (days >= np.datetime64(first)) & (days <= np.datetime64(last))
    holidays = np.array(
        public_holidays(year - 1) + public_holidays(year) + public_holidays(year + 1),
        dtype="datetime64[D]",
    )
    return closed | np.isin(days, holidays)


def service_days(year: int, weekdays: tuple[int, ...], school: bool) -> IntArray:
    """Service days in each ISO week of ``year`` for a canteen open on ``weekdays`` (1 = Mon).

    Parameters
    ----------
    year
        The calendar year.
    weekdays
        ISO weekdays the canteen serves (1 = Monday … 7 = Sunday).
    school
        Closed in the school holidays.

    Returns
    -------
    numpy.ndarray
        Service days per ISO week of ``year``, shape (weeks,); days outside ``year`` do not
        count.
    """
    n_weeks = iso_weeks_in_year(year)
    dates = [dt.date.fromisocalendar(year, w, d) for w in range(1, n_weeks + 1) for d in weekdays]
    open_day = np.array([d.year == year for d in dates])  # EGalim counts the calendar year
    if school:
        open_day &= ~school_closed(dates, year)
    days: IntArray = open_day.reshape(n_weeks, len(weekdays)).sum(axis=1).astype(np.int64)
    return days


def week_months(year: int) -> IntArray:
    """Month (1–12) of each ISO week of ``year`` (``week_month``).

    Parameters
    ----------
    year
        The ISO year.

    Returns
    -------
    numpy.ndarray
        Month per ISO week, shape (weeks,).
    """
    weeks = pd.Series([week_label(year, w) for w in range(1, iso_weeks_in_year(year) + 1)])
    months: IntArray = week_month(weeks).to_numpy(np.int64)
    return months
