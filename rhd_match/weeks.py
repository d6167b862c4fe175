"""ISO weeks (``2026-W03``): parsing, validation and ordering."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")


def iso_weeks_in_year(year: int) -> int:
    """Number of ISO weeks in ``year`` (52 or 53)."""
    return dt.date(year, 12, 28).isocalendar().week


def week_problem(text: str) -> str | None:
    """Why ``text`` is not an ISO week such as ``2026-W03``; ``None`` when it is one."""
    match = WEEK_PATTERN.match(text)
    if match is None:
        return f"'{text}' is not an ISO week like 2026-W03"
    year, week = int(match.group(1)), int(match.group(2))
    if not 1 <= week <= iso_weeks_in_year(year):
        return f"'{text}': year {year} has weeks 01 to {iso_weeks_in_year(year):02d}"
    return None


def week_monday(week: str) -> dt.date:
    """Monday of an ISO week."""
    year, number = week.split("-W")
    return dt.date.fromisocalendar(int(year), int(number), 1)


def week_thursday(week: str) -> dt.date:
    """Thursday of an ISO week: the day whose year is the week's (ISO 8601), and whose month
    is taken as the week's month everywhere in rhd_match."""
    return week_monday(week) + dt.timedelta(days=3)


def week_month(weeks: pd.Series) -> pd.Series:
    """Calendar month (1–12) of each ISO week (its Thursday's, :func:`week_thursday`)."""
    uniques = pd.unique(weeks.to_numpy())
    month = {w: week_thursday(str(w)).month for w in uniques}
    return weeks.map(month).astype(np.int64)


def week_year_month(weeks: pd.Series) -> pd.Series:
    """``YYYY-MM`` of each ISO week (its Thursday's, :func:`week_thursday`)."""
    uniques = pd.unique(weeks.to_numpy())
    month = {w: week_thursday(str(w)).strftime("%Y-%m") for w in uniques}
    return weeks.map(month).astype(str)


def week_label(year: int, week: int) -> str:
    """``week_label(2026, 3) == "2026-W03"``."""
    return f"{year:04d}-W{week:02d}"
