"""Dates in any of the forms seen in exports to ``datetime64[ns]`` at midnight."""

from __future__ import annotations

import datetime as dt
import re
from fnmatch import fnmatch
from typing import Any

import numpy as np
import pandas as pd

from .arrow import MISSING, Outcome, factorize, is_blank
from .result import Cleaned
from .text import ARABIC_DIGITS

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
    encoded = factorize(values)
    uniques = encoded.uniques
    n = len(uniques)
    parsed, kind_codes, todo = _fast_path(uniques, dayfirst, encoded.dictionary)
    bad = np.zeros(n + 1, dtype=bool)  # last: missing
    plain = np.asarray(uniques, dtype=object) if todo.any() else None
    for i in np.flatnonzero(todo):
        u = plain[i]
        date, kind, invalid = MISSING if is_blank(u) else _one(u, dayfirst)
        parsed[i] = np.datetime64("NaT") if date is None else date
        kind_codes[i] = _KINDS.index(kind) if kind else 0
        bad[i] = invalid
    canon = np.append(parsed, np.datetime64("NaT")).astype("datetime64[ns]")
    codes = encoded.codes
    index = values.index
    repaired: dict[str, pd.Series] = {}
    present = [k for k in range(1, len(_KINDS)) if (kind_codes == k).any()]
    # Repair kinds in the order of their first distinct value, as the per-value loop gave.
    present.sort(key=lambda k: int(np.argmax(kind_codes == k)))
    for k in present:
        mask = np.append(kind_codes == k, False).take(codes)
        if mask.any():
            repaired[_KINDS[k]] = pd.Series(mask, index=index, copy=False)
    return Cleaned(
        values=pd.Series(canon.take(codes), index=index, name=values.name, copy=False),
        repaired=repaired,
        invalid=pd.Series(bad.take(codes), index=index, copy=False),
    )


# Repair kinds of dates by number (0: none).
_KINDS = (None, "date_format", "excel_serial", "arabic_digits")

# Vectorised formats for the bulk of distinct values; everything else goes to ``_one``.
# (regex with day, month and year groups, month given by name?, repair kind). Each parses
# exactly as ``pd.to_datetime`` with the format in the comment.
_FAST_FORMATS = (
    (r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})$", False, None),  # %Y-%m-%d
    (r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})$", False, "date_format"),  # %d/%m/%Y
    (r"^(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{4})$", False, "date_format"),  # %d-%m-%Y
    (r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})$", False, "date_format"),  # %d.%m.%Y
    (r"^(?P<d>\d{1,2}) (?P<m>[A-Za-z]{3}) (?P<y>\d{4})$", True, "date_format"),  # %d %b %Y
    (r"^(?P<d>\d{1,2})-(?P<m>[A-Za-z]{3})-(?P<y>\d{4})$", True, "date_format"),  # %d-%b-%Y
)
_MONTH_ABBREVIATIONS = [m[:3] for m in _MONTHS]
_ARABIC_DIGIT_CHARS = "[\u0660-\u0669\u06f0-\u06f9]"
_DAY_MIN = np.datetime64(f"{YEAR_MIN}-01-01", "D")
_DAY_MAX = np.datetime64(f"{YEAR_MAX}-12-31", "D")
# The days a datetime64[ns] (pandas Timestamp) holds at midnight.
_NS_DAY_MIN = np.datetime64("1677-09-22", "D")
_NS_DAY_MAX = np.datetime64("2262-04-11", "D")


def _to_days(parts, by_name: bool) -> np.ndarray:
    """datetime64[D] of the day/month/year groups of ``extract_regex`` (NaT if impossible)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    year = pc.cast(parts.field("y"), pa.int64()).to_numpy(zero_copy_only=False)
    day = pc.cast(parts.field("d"), pa.int64()).to_numpy(zero_copy_only=False)
    if by_name:
        month_index = pc.index_in(
            pc.utf8_lower(parts.field("m")), value_set=pa.array(_MONTH_ABBREVIATIONS)
        )
        month = pc.fill_null(month_index, -1).to_numpy(zero_copy_only=False).astype(np.int64) + 1
    else:
        month = pc.cast(parts.field("m"), pa.int64()).to_numpy(zero_copy_only=False)
    ok = (month >= 1) & (month <= 12) & (day >= 1) & (year >= 1)
    first = np.where(ok, (year - 1970) * 12 + (month - 1), 0).astype("datetime64[M]")
    length = ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(np.int64)
    ok &= day <= length
    days = first.astype("datetime64[D]") + np.where(ok, day - 1, 0)
    ok &= (days >= _NS_DAY_MIN) & (days <= _NS_DAY_MAX)
    days[~ok] = np.datetime64("NaT")
    return days


def _fast_path(
    uniques, dayfirst: bool, dictionary=None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse the distinct values in the common forms with vectorised Arrow and numpy.

    Returns parsed dates (datetime64[D]), repair kinds (numbers into ``_KINDS``), and a
    mask of values left for the per-value parser (other forms, objects, impossible dates
    such as 31/02/1990). Values written with Arabic-Indic or Persian digits are translated
    first and parsed in the same forms (repair kind "arabic_digits", as ``_one`` gives).
    ``dictionary`` may hold ``uniques`` as an Arrow string array (saves a conversion).
    """
    n = len(uniques)
    parsed = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    kinds = np.zeros(n, dtype=np.int8)
    todo = np.ones(n, dtype=bool)
    if not dayfirst or n == 0:
        return parsed, kinds, todo
    import pyarrow as pa
    import pyarrow.compute as pc

    if dictionary is not None:
        arrow = dictionary
        where = np.arange(n)
    else:
        values = np.asarray(uniques, dtype=object)
        is_str = np.fromiter((isinstance(u, str) for u in values), dtype=bool, count=n)
        if not is_str.any():
            return parsed, kinds, todo
        arrow = pa.array(values[is_str], type=pa.large_string())
        where = np.flatnonzero(is_str)
    # Arabic-Indic digits: translate those values (few) and parse them alongside.
    arabic = pc.fill_null(pc.match_substring_regex(arrow, _ARABIC_DIGIT_CHARS), False)
    arabic_np = arabic.to_numpy(zero_copy_only=False)
    groups = [(arrow, where, False)]
    if arabic_np.any():
        raw = pc.filter(arrow, arabic).to_pylist()
        translated = pa.array([t.translate(ARABIC_DIGITS) for t in raw], type=arrow.type)
        groups.append((translated, where[arabic_np], True))
    for strings, rows_of, is_arabic in groups:
        for pattern, by_name, kind in _FAST_FORMATS:
            if len(strings) == 0:
                break
            extracted = pc.extract_regex(strings, pattern)
            if extracted.null_count == len(extracted):
                continue
            valid = extracted.is_valid()
            hit = valid.to_numpy(zero_copy_only=False)
            # The forms exclude one another: the next ones only look at what is left.
            left = pc.invert(valid)
            strings_next, rows_next = pc.filter(strings, left), rows_of[~hit]
            days = _to_days(extracted.filter(valid), by_name)
            ok = ~np.isnat(days)
            if is_arabic:  # as ``_one``: only the years that datetime64[ns] holds in full
                ok &= (days >= _DAY_MIN) & (days <= _DAY_MAX)
            rows = rows_of[hit][ok]
            parsed[rows] = days[ok]
            todo[rows] = False
            if is_arabic:
                kinds[rows] = _KINDS.index("arabic_digits")
            elif kind:
                kinds[rows] = _KINDS.index(kind)
            strings, rows_of = strings_next, rows_next
    return parsed, kinds, todo


# ----------------------------------------------------------- month-first exports
MONTH_FIRST = "month_first"


def configured_order(file: str, date_order: dict[str, str]) -> str | None:
    """The order ``config/thresholds.yaml`` (``date_order``) fixes for ``file``, if any."""
    return next((order for pattern, order in date_order.items() if fnmatch(file, pattern)), None)


def clean_date_column(
    values: pd.Series,
    files: list[tuple[str, slice]],
    min_share: float,
    date_order: dict[str, str],
) -> Cleaned:
    """Clean a date column whose rows come from ``files`` (name, rows), reading a file's
    numeric dates month-first (11/20/2026) when configured for it (``date_order``) or when
    at least ``min_share`` of its dates are impossible day-first but valid month-first,
    and fewer are the other way round.

    Rows whose date changed (or became valid) through the month-first reading are repaired
    as "month_first"; each such file gets a note for the cleaning report. Clean day-first
    data cost one extra ``any`` over the invalid mask.
    """
    whole = clean_dates(values, dayfirst=True)
    orders = [configured_order(name, date_order) for name, _ in files]
    if not whole.invalid.any() and MONTH_FIRST not in orders:
        return whole
    out = whole.values.copy()
    invalid = whole.invalid.to_numpy().copy()
    kinds = {k: m.to_numpy().copy() for k, m in whole.repaired.items()}
    notes: list[dict] = []
    for (name, rows), order in zip(files, orders, strict=True):
        day_bad = invalid[rows]
        if order is None and day_bad.sum() < min_share * max(values.iloc[rows].count(), 1):
            continue
        month = clean_dates(values.iloc[rows], dayfirst=False)
        month_bad = month.invalid.to_numpy()
        present = max(int(values.iloc[rows].count()), 1)
        only_month = int((day_bad & ~month_bad).sum())
        only_day = int((month_bad & ~day_bad).sum())
        detected = only_month >= min_share * present and only_day < min_share * present
        if order != MONTH_FIRST and not (order is None and detected):
            continue
        day_values = whole.values.iloc[rows].to_numpy()
        month_values = month.values.to_numpy()
        changed = ~month_bad & ~np.isnat(month_values) & (day_bad | (day_values != month_values))
        out.iloc[rows] = month_values
        invalid[rows] = month_bad
        for kind in kinds:
            kinds[kind][rows] = False
        for kind, mask in month.repaired.items():
            kinds.setdefault(kind, np.zeros(len(values), dtype=bool))[rows] = (
                mask.to_numpy() & ~changed
            )
        kinds.setdefault(MONTH_FIRST, np.zeros(len(values), dtype=bool))[rows] = changed
        how = "as configured" if order == MONTH_FIRST else "detected"
        notes.append(
            {
                "kind": "month_first_dates",
                "file": name,
                "rows": int(changed.sum()),
                "message": (
                    f"{name}: dates read month-first ({how}): {only_month} of {present} "
                    "are impossible day-first but valid month-first"
                ),
            }
        )
    index = values.index
    return Cleaned(
        values=out,
        repaired={k: pd.Series(m, index=index, copy=False) for k, m in kinds.items() if m.any()},
        invalid=pd.Series(invalid, index=index, copy=False),
        notes=notes,
    )
