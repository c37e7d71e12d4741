"""The dates a run is about: the as-of date and ISO weeks, parsed once for everyone.

The command line, the notebooks' ``as_of`` parameter, the rules and the reports all go
through here, so "2026-11-24", "2026-W47" and an empty value (today) mean the same
thing everywhere and a typo is an error, never a silently different day.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pandas as pd

from .errors import WorkbenchError

# Dates the workbench can reason about (programmes, births, flights): outside this range a
# value is a typo, and pandas could not hold it as a timestamp anyway.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2200, 12, 31)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$")


def parse_as_of(value: str | date | pd.Timestamp | None) -> date:
    """The as-of date: ``YYYY-MM-DD``, a date or timestamp, or empty for today.

    Raises :class:`WorkbenchError` for anything else or a day outside FIRST_DAY..LAST_DAY."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return date.today()
    if isinstance(value, datetime | pd.Timestamp):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = str(value).strip()
        if not _ISO_DATE.match(text):
            raise WorkbenchError(f"not a date in YYYY-MM-DD form: {text!r}")
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise WorkbenchError(f"not a date in YYYY-MM-DD form: {text!r}") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise WorkbenchError(
            f"{day}: outside the dates the workbench handles ({FIRST_DAY} to {LAST_DAY})"
        )
    return day


def as_timestamp(value: str | date | pd.Timestamp | None) -> pd.Timestamp:
    """The as-of date as a pandas timestamp at midnight (what the rules compare with)."""
    return pd.Timestamp(parse_as_of(value))


def parse_iso_week(text: str) -> tuple[int, int]:
    """(year, week) of an ISO week such as ``2026-W47``; a week that does not exist (W54,
    W53 of a 52-week year) is an error."""
    match = _ISO_WEEK.match(str(text).strip())
    if not match:
        raise WorkbenchError(f"not an ISO week like 2026-W47: {text!r}")
    year, week = int(match[1]), int(match[2])
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise WorkbenchError(f"{text}: year outside {FIRST_DAY.year}-{LAST_DAY.year}")
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise WorkbenchError(f"{text}: year {year} has no ISO week {week}") from None
    return year, week


def week_label(day: date) -> str:
    """``2026-W48`` for the ISO week holding ``day``."""
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def week_end(text: str) -> date:
    """The last day (Sunday) of an ISO week: a week's report covers the whole week."""
    year, week = parse_iso_week(text)
    return date.fromisocalendar(year, week, 7)


def last_complete_week_end(today: date) -> date:
    """The Sunday that ended the last complete ISO week before ``today``: what a scheduled
    run reports by default (a Monday run reports the week that ended the day before; a
    Sunday run the week before, since the day is not over)."""
    return today - timedelta(days=today.isoweekday())


def report_date(as_of: str | date | None, week: str | None = None) -> date:
    """A report's as-of date: the Sunday of ``week`` when given, else ``as_of`` (or today)."""
    return week_end(week) if week else parse_as_of(as_of)


# --------------------------------------------------------------------------- report periods
# The period report (`workbench run period`) covers any span of days: given as two dates,
# a calendar month or a quarter.

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


def parse_month(text: str) -> tuple[date, date]:
    """First and last day of a calendar month such as ``2026-10``."""
    match = _MONTH.match(str(text).strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise WorkbenchError(f"not a month like 2026-10: {text!r}")
    first = parse_as_of(f"{match[1]}-{match[2]}-01")
    return first, (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date()


def parse_quarter(text: str) -> tuple[date, date]:
    """First and last day of a calendar quarter such as ``2026-Q3`` (July–September)."""
    match = _QUARTER.match(str(text).strip())
    if not match:
        raise WorkbenchError(f"not a quarter like 2026-Q3: {text!r}")
    year, quarter = int(match[1]), int(match[2])
    first = parse_as_of(f"{year:04d}-{3 * quarter - 2:02d}-01")
    return first, (pd.Timestamp(first) + pd.offsets.QuarterEnd(0)).date()


def parse_period(
    date_from: str | date | None = None,
    date_to: str | date | None = None,
    month: str | None = None,
    quarter: str | None = None,
) -> tuple[date, date]:
    """The days a period report covers, both included: ``date_from``..``date_to``, or a
    ``month``, or a ``quarter`` (exactly one way). Nothing given: the last complete
    calendar month before today."""
    given = [bool(date_from or date_to), bool(month), bool(quarter)]
    if sum(given) > 1:
        raise WorkbenchError("give the period one way: --from/--to, --month or --quarter")
    if month:
        return parse_month(month)
    if quarter:
        return parse_quarter(quarter)
    if date_from or date_to:
        if not (date_from and date_to):
            raise WorkbenchError("a period needs both --from and --to (YYYY-MM-DD)")
        start, end = parse_as_of(date_from), parse_as_of(date_to)
        if end < start:
            raise WorkbenchError(f"the period ends ({end}) before it starts ({start})")
        return start, end
    last = (pd.Timestamp(date.today()).replace(day=1) - pd.Timedelta(days=1)).date()
    return last.replace(day=1), last


def period_label(start: date, end: date) -> str:
    """How a period is named on a page: "October 2026", "July–September 2026 (2026-Q3)",
    or "1 July 2026 to 15 August 2026"."""
    month_end = (pd.Timestamp(start) + pd.offsets.MonthEnd(0)).date()
    if start.day == 1 and end == month_end:
        return f"{start:%B %Y}"
    quarter_end = (pd.Timestamp(start) + pd.offsets.QuarterEnd(0)).date()
    if start.day == 1 and start.month % 3 == 1 and end == quarter_end:
        q = (start.month + 2) // 3
        return f"{start:%B}–{end:%B %Y} ({start.year}-Q{q})"
    return f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
