"""Dates in any of the forms seen in exports to ``datetime64[ns]`` at midnight."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pandas as pd

from .result import Cleaned
from .text import ARABIC_DIGITS, MISSING, Outcome, assemble, is_blank

EXCEL_EPOCH = dt.date(1899, 12, 30)  # 1900 date system (Lotus leap-year bug included)
SERIAL_MIN, SERIAL_MAX = 1, 80000
# datetime64[ns] can only hold these years.
YEAR_MIN, YEAR_MAX = 1678, 2261

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?)?"
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_LOOSE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME + "$")
_NUMERIC = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})" + _TIME + "$")
_DAY_MONTH_NAME = re.compile(
    r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-/.]*([^\W\d_]+)\.?[\s\-/.,]+(\d{4}|\d{2})" + _TIME + "$"
)
_MONTH_NAME_DAY = re.compile(
    r"^([^\W\d_]+)\.?[\s\-/.]*(\d{1,2})(?:st|nd|rd|th)?[\s,\-/.]+(\d{4}|\d{2})" + _TIME + "$"
)
_SERIAL = re.compile(r"^\d+(?:\.\d+)?$")

_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]


def _month_number(name: str) -> int | None:
    name = name.casefold()
    if len(name) < 3:
        return None
    if name == "sept":
        return 9
    for i, full in enumerate(_MONTHS, start=1):
        if full.startswith(name):
            return i
    return None


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 50 else 1900
    return year


def _make(year: int, month: int, day: int) -> np.datetime64 | None:
    if not YEAR_MIN <= year <= YEAR_MAX:
        return None
    try:
        return np.datetime64(dt.date(year, month, day), "D")
    except ValueError:
        return None


def _from_serial(serial: float) -> np.datetime64 | None:
    if not SERIAL_MIN <= serial <= SERIAL_MAX:
        return None
    return np.datetime64(EXCEL_EPOCH + dt.timedelta(days=int(serial)), "D")


def _parse_text(text: str, dayfirst: bool) -> tuple[np.datetime64 | None, str | None]:
    """(date, repair kind) of a stripped string with ASCII digits; (None, None) if not a date."""
    m = _ISO.match(text)
    if m:
        return _make(int(m[1]), int(m[2]), int(m[3])), None
    m = _ISO_LOOSE.match(text)
    if m:
        return _make(int(m[1]), int(m[2]), int(m[3])), "date_format"
    m = _NUMERIC.match(text)
    if m:
        a, b = int(m[1]), int(m[3])
        day, month = (a, b) if dayfirst else (b, a)
        return _make(_year(m[4]), month, day), "date_format"
    m = _DAY_MONTH_NAME.match(text)
    if m:
        month = _month_number(m[2])
        if month is None:
            return None, None
        return _make(_year(m[3]), month, int(m[1])), "date_format"
    m = _MONTH_NAME_DAY.match(text)
    if m:
        month = _month_number(m[1])
        if month is None:
            return None, None
        return _make(_year(m[3]), month, int(m[2])), "date_format"
    if _SERIAL.match(text):
        return _from_serial(float(text)), "excel_serial"
    return None, None


def _one(value: Any, dayfirst: bool) -> Outcome:
    if isinstance(value, dt.datetime | pd.Timestamp):
        if value.year < YEAR_MIN or value.year > YEAR_MAX:
            return None, None, True
        return np.datetime64(value.date(), "D"), None, False
    if isinstance(value, dt.date):
        return _make(value.year, value.month, value.day), None, False
    if isinstance(value, np.datetime64):
        return value.astype("datetime64[D]"), None, False
    if isinstance(value, bool | np.bool_):
        return None, None, True
    if isinstance(value, int | float | np.integer | np.floating):
        date = _from_serial(float(value))
        return date, ("excel_serial" if date is not None else None), date is None
    raw = str(value).strip()
    plain = raw.translate(ARABIC_DIGITS)
    date, kind = _parse_text(plain, dayfirst)
    if date is None:
        return None, None, True
    if plain != raw:
        kind = "arabic_digits"
    return date, kind, False


def _build(outs: list[Any]) -> np.ndarray:
    nat = np.datetime64("NaT")
    return np.array([nat if o is None else o for o in outs], dtype="datetime64[ns]")


def clean_dates(values: pd.Series, dayfirst: bool = True) -> Cleaned:
    """Clean dates to ``datetime64[ns]`` at midnight (NaT when missing or invalid).

    Accepted: ISO ``2026-11-20`` (canonical, not a repair) also with a time; numeric
    day-first dates ``20/11/2026``, ``20-11-26``, ``20.11.2026`` (month-first when
    ``dayfirst`` is False; two-digit years 00-49 are 20xx, 50-99 19xx); month names
    ``20 Nov 2026``, ``20-Nov-2026``, ``Nov 20, 2026``; Arabic-Indic or Persian digits in
    any of these; Excel serial numbers 1..80000 (numbers or digit strings, 1900 date
    system); and date/datetime/Timestamp objects (normalised to midnight, not a repair).
    Repair kinds: "date_format", "excel_serial", "arabic_digits" (one per value).
    Impossible dates (31/02/1990, month 13) and anything else become NaT and invalid.
    """
    if not isinstance(values, pd.Series):
        values = pd.Series(values)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    parsed, kinds, todo = _fast_path(uniques, dayfirst)
    outcomes: list[Outcome] = [
        (parsed[i], kinds[i], False) if not todo[i] else None for i in range(len(uniques))
    ]
    plain = np.asarray(uniques, dtype=object)
    for i in np.flatnonzero(todo):
        u = plain[i]
        outcomes[i] = MISSING if is_blank(u) else _one(u, dayfirst)
    return assemble(values, codes, outcomes, _build)


# Vectorised formats for the bulk of distinct values; everything else goes to ``_one``.
_FAST_FORMATS = (
    (r"\d{4}-\d{2}-\d{2}", "%Y-%m-%d", None),
    (r"\d{1,2}/\d{1,2}/\d{4}", "%d/%m/%Y", "date_format"),
    (r"\d{1,2}-\d{1,2}-\d{4}", "%d-%m-%Y", "date_format"),
    (r"\d{1,2}\.\d{1,2}\.\d{4}", "%d.%m.%Y", "date_format"),
    (r"\d{1,2} [A-Za-z]{3} \d{4}", "%d %b %Y", "date_format"),
    (r"\d{1,2}-[A-Za-z]{3}-\d{4}", "%d-%b-%Y", "date_format"),
)


def _fast_path(uniques, dayfirst: bool) -> tuple[np.ndarray, list, np.ndarray]:
    """Parse the distinct values in the common numeric forms with vectorised pandas.

    Returns parsed dates (datetime64[D]), repair kinds, and a mask of values left for the
    per-value parser (other forms, objects, impossible dates such as 31/02/1990).
    """
    n = len(uniques)
    parsed = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    kinds: list = [None] * n
    todo = np.ones(n, dtype=bool)
    if not dayfirst or n == 0:
        return parsed, kinds, todo
    values = np.asarray(uniques, dtype=object)
    is_str = np.fromiter((isinstance(u, str) for u in values), dtype=bool, count=n)
    if not is_str.any():
        return parsed, kinds, todo
    import pyarrow as pa
    import pyarrow.compute as pc

    arrow = pa.array(values[is_str], type=pa.string())
    strings = pd.Series(pd.array(arrow, dtype="str"))
    where = np.flatnonzero(is_str)
    for pattern, fmt, kind in _FAST_FORMATS:
        matched = pc.match_substring_regex(arrow, f"^{pattern}$")
        hit = pc.fill_null(matched, False).to_numpy(zero_copy_only=False)
        if not hit.any():
            continue
        dates = pd.to_datetime(strings[hit], format=fmt, errors="coerce")
        ok = dates.notna().to_numpy()
        rows = where[hit][ok]
        parsed[rows] = dates[ok].to_numpy().astype("datetime64[D]")
        todo[rows] = False
        if kind:
            for r in rows:
                kinds[r] = kind
    return parsed, kinds, todo
