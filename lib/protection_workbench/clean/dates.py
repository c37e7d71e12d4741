"""Dates as real systems write them, to ``datetime64[ns]`` at midnight.

Every distinct value is read once, both ways round (day-first and month-first), in
vectorised Arrow for the common forms and in Python for the rest; a file's order of day
and month is then decided on all its date values (:func:`decide_orders`) and the rows take
the reading of their file (:func:`assemble`). Nothing is guessed silently: an order the
values do not settle is flagged in the cleaning report's notes, and a weekday that does
not fit the date is a value issue.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from fnmatch import fnmatch
from typing import Any

import numpy as np
import pandas as pd

from .arrow import factorize, is_blank
from .result import Cleaned
from .text import ARABIC_DIGITS, MISSING_MARKER, is_marker

EXCEL_EPOCH = dt.date(1899, 12, 30)  # 1900 date system (Lotus leap-year bug included)
SERIAL_MIN, SERIAL_MAX = 1, 80000
# datetime64[ns] can only hold these years.
YEAR_MIN, YEAR_MAX = 1678, 2261
DAY_FIRST, MONTH_FIRST = "day_first", "month_first"
WEEKDAY_PROBLEM = "the weekday written does not fit the date"

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_LOOSE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})$")
_DAY_MONTH_NAME = re.compile(
    r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-/.]*([^\W\d_]+)\.?[\s\-/.,]+(\d{4}|\d{2})$"
)
_MONTH_NAME_DAY = re.compile(
    r"^([^\W\d_]+)\.?[\s\-/.]*(\d{1,2})(?:st|nd|rd|th)?[\s,\-/.]+(\d{4}|\d{2})$"
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
# Month names in French and Arabic (Egyptian / Gulf, Levantine and Maghreb forms), as
# :func:`_fold` writes them (no accents or hamza, taa marbuta as haa), to English.
_OTHER_MONTHS = {
    "jan": "janvier janv جانفي يناير كانون الثاني",
    "feb": "fevrier fevr fev فيفري فبراير شباط",
    "mar": "mars مارس اذار",
    "apr": "avril avr افريل ابريل نيسان",
    "may": "mai ماي مايو ايار",
    "jun": "juin جوان يونيو يونيه حزيران",
    "jul": "juillet juil جويليه يوليو يوليه تموز",
    "aug": "aout اوت اغسطس اب",
    "sep": "septembre ايلول سبتمبر",
    "oct": "octobre اكتوبر تشرين الاول",
    "nov": "novembre نوفمبر تشرين الثاني",
    "dec": "decembre ديسمبر كانون الاول",
}
# Two-word Levantine names first: "تشرين الثاني" is November, not "تشرين" + "الثاني".
_MONTH_WORDS = {
    word: english
    for english, words in _OTHER_MONTHS.items()
    for word in re.findall(r"\S+ ال\S+|\S+", words)
}
_MONTH_WORD = re.compile(
    r"(?<![^\W\d_])("
    + "|".join(re.escape(w) for w in sorted(_MONTH_WORDS, key=len, reverse=True))
    + r")(?![^\W\d_])\.?"
)
# Weekday names (Monday = 0) in English, French and Arabic, folded as above.
_WEEKDAY_NAMES = (
    "monday mon lundi lun الاثنين اثنين",
    "tuesday tues tue mardi mar الثلاثاء الثلاثا",
    "wednesday wed mercredi mer الاربعاء",
    "thursday thurs thur thu jeudi jeu الخميس",
    "friday fri vendredi ven الجمعه",
    "saturday sat samedi sam السبت",
    "sunday sun dimanche dim الاحد",
)
_WEEKDAY_NUMBER = {w: i for i, names in enumerate(_WEEKDAY_NAMES) for w in names.split()}
_WEEKDAY = re.compile(
    r"^(?:يوم\s+)?("
    + "|".join(re.escape(w) for w in sorted(_WEEKDAY_NUMBER, key=len, reverse=True))
    + r")(?![^\W\d_])\.?\s*,?\s*"
)
# A time after the date, with seconds, AM/PM (ص/م in Arabic) and a time zone:
# "- 12:00", "T08:30:00.000+01:00", " 3:05 PM", " à 14h30", " 12:00 UTC", " 09:00 (EET)".
_TIME_SUFFIX = re.compile(
    r"(?:\s*[-–—,@|]\s*|\s+(?:at|a)\s+|\s+|t)"
    r"\d{1,2}[:h]\d{2}(?::\d{2}(?:[.,]\d+)?)?"
    r"(?:\s*(?:[ap]\.?m\.?|[صم]))?"
    r"(?:\s*(?:z|utc|gmt)?\s*(?:[+-]\d{1,2}(?::?\d{2})?)?)?"
    r"(?:\s*\(?[a-z]{2,5}\)?)?\s*$"
)
_FRENCH_FIRST = re.compile(r"(?<!\d)1er(?![^\W\d_])")
_FOLD = str.maketrans({"ة": "ه", "ى": "ي", "ـ": None, "،": ",", "\u00a0": " ", "\u202f": " "})
_SPACES = re.compile(r"\s+")


def _fold(text: str) -> str:
    """Lower case without accents or Arabic marks (hamza, madda, vowels), Arabic letter
    variants folded, one space between words."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return _SPACES.sub(" ", text.translate(_FOLD)).strip()


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


# One distinct value read: (day-first date, month-first date, repair kind, weekday written
# (Monday 0, -1 none), not a date at all?). The dates are None when impossible.
_Read = tuple[np.datetime64 | None, np.datetime64 | None, str | None, int, bool]
_NOT_A_DATE: _Read = (None, None, None, -1, True)


def _read_body(body: str) -> tuple[np.datetime64 | None, np.datetime64 | None, bool] | None:
    """(day-first, month-first, is an Excel serial) of a folded date without its weekday;
    None when ``body`` is in no date form at all."""
    body = _TIME_SUFFIX.sub("", body).strip(" ,")
    body = _FRENCH_FIRST.sub("1", _MONTH_WORD.sub(lambda m: f" {_MONTH_WORDS[m[1]]} ", body))
    body = _SPACES.sub(" ", body).strip()
    if m := _ISO_LOOSE.match(body):
        date = _make(int(m[1]), int(m[2]), int(m[3]))
        return date, date, False
    if m := _NUMERIC.match(body):
        a, b, year = int(m[1]), int(m[3]), _year(m[4])
        return _make(year, b, a), _make(year, a, b), False
    for pattern, month_at, day_at in ((_DAY_MONTH_NAME, 2, 1), (_MONTH_NAME_DAY, 1, 2)):
        if m := pattern.match(body):
            month = _month_number(m[month_at])
            if month is None:
                return None
            date = _make(_year(m[3]), month, int(m[day_at]))
            return date, date, False
    if _SERIAL.match(body):
        date = _from_serial(float(body))
        return date, date, True
    return None


def _read_text(raw: str) -> _Read:
    """Both readings of one stripped string (Arabic-Indic digits allowed)."""
    plain = raw.translate(ARABIC_DIGITS)
    folded = _fold(plain)
    tries: list[tuple[str, int]] = []
    if m := _WEEKDAY.match(folded):  # "mar." is mardi, but "Mar 3, 2026" is March
        tries.append((folded[m.end() :], _WEEKDAY_NUMBER[m[1]]))
    tries.append((folded, -1))
    for body, weekday in tries:
        read = _read_body(body)
        if read is None or (read[2] and weekday >= 0):
            continue
        day, month, serial = read
        if plain != raw:
            kind = "arabic_digits"
        elif serial:
            kind = "excel_serial"
        else:
            kind = None if _ISO.match(raw) else "date_format"
        return day, month, kind, weekday, False
    return _NOT_A_DATE


def _read_one(value: Any) -> _Read:
    """Both readings of one distinct non-missing value of any type."""
    if isinstance(value, dt.datetime | pd.Timestamp):
        if value.year < YEAR_MIN or value.year > YEAR_MAX:
            return _NOT_A_DATE
        date = np.datetime64(value.date(), "D")
        return date, date, None, -1, False
    if isinstance(value, dt.date):
        date = _make(value.year, value.month, value.day)
        return date, date, None, -1, date is None
    if isinstance(value, np.datetime64):
        date = value.astype("datetime64[D]")
        return date, date, None, -1, False
    if isinstance(value, bool | np.bool_):
        return _NOT_A_DATE
    if isinstance(value, int | float | np.integer | np.floating):
        date = _from_serial(float(value))
        return date, date, ("excel_serial" if date is not None else None), -1, date is None
    return _read_text(str(value).strip())


# Repair kinds of dates by number (0: none).
_KINDS = (None, "date_format", "excel_serial", "arabic_digits", MISSING_MARKER, MONTH_FIRST)
_MARKER_KIND = _KINDS.index(MISSING_MARKER)
_MONTH_FIRST_KIND = _KINDS.index(MONTH_FIRST)
_NAT = np.datetime64("NaT")


@dataclass
class DateReading:
    """The distinct values of a date column, each read day-first and month-first.

    ``codes`` gives per row the position of its value (-1: missing). Per distinct value:
    both readings (NaT when missing or impossible), the repair kind, whether each reading is
    invalid (impossible, in no date form, or the weekday written does not fit it:
    ``weekday_off_*``).
    """

    values: pd.Series
    codes: np.ndarray
    day: np.ndarray
    month: np.ndarray
    kinds: np.ndarray
    bad_day: np.ndarray
    bad_month: np.ndarray
    weekday_off_day: np.ndarray
    weekday_off_month: np.ndarray
    # Per distinct value: +1 it can only be day-first, -1 only month-first (0: either or none),
    # settled by the calendar (a day above 12) or by the weekday written beside it.
    by_days: np.ndarray
    by_weekday: np.ndarray
    # Both readings valid and different, nothing in the value settles which.
    ambiguous: np.ndarray

    @property
    def order_matters(self) -> bool:
        """Whether some value reads differently day-first and month-first."""
        return bool(self.by_days.any() or self.by_weekday.any() or self.ambiguous.any())

    def counts(self, rows: slice) -> np.ndarray:
        """Rows of ``rows`` that hold each distinct value."""
        return np.bincount(self.codes[rows] + 1, minlength=len(self.day) + 1)[1:]


def read_dates(values: pd.Series, markers: frozenset[str] = frozenset()) -> DateReading:
    """Read every distinct value of ``values`` both ways (see :func:`clean_dates` for the
    forms). ``markers``: keys of the missing markers (``text.marker_keys``), read as missing."""
    if not isinstance(values, pd.Series):
        values = pd.Series(values)
    encoded = factorize(values)
    uniques = encoded.uniques
    n = len(uniques)
    day, month, kinds, todo, weekday = _fast_path(uniques, encoded.dictionary)
    blank = np.zeros(n, dtype=bool)
    plain = np.asarray(uniques, dtype=object) if todo.any() else None
    for i in np.flatnonzero(todo):
        u = plain[i]
        weekday[i] = -1
        if is_blank(u):
            blank[i] = True
            continue
        if is_marker(u, markers):
            blank[i] = True
            kinds[i] = _MARKER_KIND
            continue
        d, m, kind, wd, _ = _read_one(u)
        day[i] = _NAT if d is None else d
        month[i] = _NAT if m is None else m
        kinds[i] = _KINDS.index(kind) if kind else 0
        weekday[i] = wd
    impossible_day = np.isnat(day) & ~blank
    impossible_month = np.isnat(month) & ~blank
    written = weekday >= 0
    # 1970-01-01 was a Thursday (3, Monday being 0).
    weekday_off_day = written & ~impossible_day & (_weekday(day) != weekday)
    weekday_off_month = written & ~impossible_month & (_weekday(month) != weekday)
    both = ~impossible_day & ~impossible_month & (day != month)
    by_days = np.where(
        ~impossible_day & impossible_month, 1, np.where(impossible_day & ~impossible_month, -1, 0)
    ).astype(np.int8)
    by_weekday = np.where(
        both & ~weekday_off_day & weekday_off_month,
        1,
        np.where(both & weekday_off_day & ~weekday_off_month, -1, 0),
    ).astype(np.int8)
    return DateReading(
        values=values,
        codes=encoded.codes,
        day=day,
        month=month,
        kinds=kinds,
        bad_day=impossible_day | weekday_off_day,
        bad_month=impossible_month | weekday_off_month,
        weekday_off_day=weekday_off_day,
        weekday_off_month=weekday_off_month,
        by_days=by_days,
        by_weekday=by_weekday,
        ambiguous=both & ~written,
    )


def _weekday(days: np.ndarray) -> np.ndarray:
    """Monday 0 .. Sunday 6 of datetime64[D] values (NaT gives a meaningless number)."""
    return ((days.astype("datetime64[D]").astype(np.int64) + 3) % 7).astype(np.int8)


def assemble(reading: DateReading, files: list[tuple[str, slice]], orders: list[str]) -> Cleaned:
    """The rows of ``reading`` cleaned in the order of their file (``files``: the name and
    rows of each file, ``orders``: day_first or month_first for each)."""
    values, codes = reading.values, reading.codes
    index = values.index
    # Per distinct value and order: date, invalid, repair kind (the last entry: missing).
    month_changed = (
        ~reading.bad_month
        & ~np.isnat(reading.month)
        & (reading.bad_day | (reading.day != reading.month))
    )
    month_kinds = np.where(month_changed, _MONTH_FIRST_KIND, reading.kinds).astype(np.int8)
    table = {
        DAY_FIRST: (reading.day, reading.bad_day, reading.kinds, reading.weekday_off_day),
        MONTH_FIRST: (reading.month, reading.bad_month, month_kinds, reading.weekday_off_month),
    }
    uniform = len(set(orders)) <= 1
    parts = (
        [(slice(None), orders[0] if orders else DAY_FIRST)]
        if uniform
        else [(rows, order) for (_, rows), order in zip(files, orders, strict=True)]
    )
    out = np.empty(len(values), dtype="datetime64[ns]")
    bad = np.zeros(len(values), dtype=bool)
    kind = np.zeros(len(values), dtype=np.int8)
    weekday_off = np.zeros(len(values), dtype=bool)
    for rows, order in parts:
        date, invalid, kinds, off = table[order]
        row_codes = codes[rows]
        out[rows] = np.append(np.where(invalid, _NAT, date), _NAT).astype("datetime64[ns]")[
            row_codes
        ]
        kind[rows] = np.append(np.where(invalid, 0, kinds), 0)[row_codes]
        if invalid.any():  # (clean columns skip these two passes over the rows)
            bad[rows] = np.append(invalid, False)[row_codes]
        if off.any():
            weekday_off[rows] = np.append(off, False)[row_codes]
    repaired: dict[str, pd.Series] = {}
    present = [k for k in range(1, len(_KINDS)) if (kind == k).any()]
    for k in present:
        repaired[_KINDS[k]] = pd.Series(kind == k, index=index, copy=False)
    problems = None
    if weekday_off.any():
        problems = pd.Series(np.where(weekday_off, WEEKDAY_PROBLEM, None), index=index)
    return Cleaned(
        values=pd.Series(out, index=index, name=values.name, copy=False),
        repaired=repaired,
        invalid=pd.Series(bad, index=index, copy=False),
        problems=problems,
    )


def clean_dates(
    values: pd.Series, dayfirst: bool = True, markers: frozenset[str] = frozenset()
) -> Cleaned:
    """Clean dates to ``datetime64[ns]`` at midnight (NaT when missing or invalid).

    Accepted: ISO ``2026-11-20`` (canonical, not a repair); numeric dates ``20/11/2026``,
    ``20-11-26``, ``20.11.2026`` (day-first, or month-first when ``dayfirst`` is False;
    two-digit years 00-49 are 20xx, 50-99 19xx); month names in English, French and Arabic
    ``20 Nov 2026``, ``20-Nov-2026``, ``Nov 20, 2026``, ``1er janvier 2026``,
    ``20 نوفمبر 2026``, ``20 تشرين الثاني 2026``; any of these after a weekday name in
    English, French or Arabic (``Thu, 01/01/2026``, ``jeudi 1 janvier 2026``,
    ``الخميس 01/01/2026``) and before a time and time zone (``- 12:00``,
    ``T08:30:00+01:00``, ``3:05 PM UTC``; the date is taken as written, not moved to
    another zone); Arabic-Indic or Persian digits in any of these; Excel serial numbers
    1..80000 (numbers or digit strings, 1900 date system); and date/datetime/Timestamp
    objects (normalised to midnight, not a repair).
    Repair kinds: "date_format", "excel_serial", "arabic_digits", "missing_marker" (one
    per value). Impossible dates (31/02/1990, month 13), a weekday that does not fit the
    date (``Fri, 01/01/2026``: ``problems`` says so) and anything else become NaT and
    invalid.
    """
    reading = read_dates(values, markers)
    return assemble(reading, [("", slice(None))], [DAY_FIRST if dayfirst else MONTH_FIRST])


# Vectorised formats for the bulk of distinct values; everything else goes to ``_read_one``.
# (regex with day, month and year groups, month given by name?, numeric day and month that
# may be either way round?, repair kind). Each parses as ``pd.to_datetime`` with the format
# in the comment (day-first).
_FAST_FORMATS = (
    (r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})$", False, False, None),  # %Y-%m-%d
    (r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})$", False, True, "date_format"),  # %d/%m/%Y
    (r"^(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{4})$", False, True, "date_format"),  # %d-%m-%Y
    (r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})$", False, True, "date_format"),  # %d.%m.%Y
    (r"^(?P<d>\d{1,2}) (?P<m>[A-Za-z]{3}) (?P<y>\d{4})$", True, False, "date_format"),  # %d %b %Y
    (r"^(?P<d>\d{1,2})-(?P<m>[A-Za-z]{3})-(?P<y>\d{4})$", True, False, "date_format"),  # %d-%b-%Y
)
_MONTH_ABBREVIATIONS = [m[:3] for m in _MONTHS]
# The same weekdays and times for Arrow's regular expressions (RE2: no look-around), English
# and French names only; Arabic names and rarer forms go to ``_read_one``. The last entry of
# the numbers stands for "no weekday".
_RE2_WEEKDAYS = {w: i for w, i in _WEEKDAY_NUMBER.items() if w.isascii()}
_RE2_NAMES = sorted(_RE2_WEEKDAYS, key=len, reverse=True)
_RE2_NUMBERS = [_RE2_WEEKDAYS[w] for w in _RE2_NAMES] + [-1]
_RE2_WEEKDAY = r"(?i)^(?P<wd>" + "|".join(_RE2_NAMES) + r")\.?,?\s+"
_RE2_TIME = (
    r"(?i)(?:\s*[-–—,@|]\s*|\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AP]\.?M\.?)?"
    r"(?:\s*(?:Z|UTC|GMT)?\s*(?:[+-]\d{1,2}(?::?\d{2})?)?)?$"
)
_ARABIC_DIGIT_CHARS = "[\u0660-\u0669\u06f0-\u06f9]"
_DAY_MIN = np.datetime64(f"{YEAR_MIN}-01-01", "D")
_DAY_MAX = np.datetime64(f"{YEAR_MAX}-12-31", "D")
# The days a datetime64[ns] (pandas Timestamp) holds at midnight.
_NS_DAY_MIN = np.datetime64("1677-09-22", "D")
_NS_DAY_MAX = np.datetime64("2262-04-11", "D")


def _to_days(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """datetime64[D] of whole-number year, month and day arrays (NaT if impossible)."""
    ok = (month >= 1) & (month <= 12) & (day >= 1) & (year >= 1)
    first = np.where(ok, (year - 1970) * 12 + (month - 1), 0).astype("datetime64[M]")
    length = ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(np.int64)
    ok &= day <= length
    days = first.astype("datetime64[D]") + np.where(ok, day - 1, 0)
    ok &= (days >= _NS_DAY_MIN) & (days <= _NS_DAY_MAX)
    days[~ok] = _NAT
    return days


def _fields(parts, by_name: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day numbers of the groups of ``extract_regex``."""
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
    return year, month, day


def _fast_path(uniques, dictionary=None) -> tuple[np.ndarray, ...]:
    """Read the distinct values in the common forms with vectorised Arrow and numpy.

    Returns the day-first and month-first readings (datetime64[D]), repair kinds (numbers
    into ``_KINDS``), a mask of values left for the per-value reader (other forms,
    objects, dates impossible both ways such as 31/02/1990) and the weekday written before
    each date (Monday 0, -1: none; English and French names, a time after the date
    removed). Values written with
    Arabic-Indic or Persian digits are translated first and read in the same forms (repair
    kind "arabic_digits", as ``_read_one`` gives). ``dictionary`` may hold ``uniques`` as
    an Arrow string array (saves a conversion).
    """
    n = len(uniques)
    day_first = np.full(n, _NAT, dtype="datetime64[D]")
    month_first = day_first.copy()
    kinds = np.zeros(n, dtype=np.int8)
    todo = np.ones(n, dtype=bool)
    if n == 0:
        return day_first, month_first, kinds, todo, np.full(n, -1, dtype=np.int8)
    import pyarrow as pa
    import pyarrow.compute as pc

    if dictionary is not None:
        arrow = dictionary
        where = np.arange(n)
    else:
        values = np.asarray(uniques, dtype=object)
        is_str = np.fromiter((isinstance(u, str) for u in values), dtype=bool, count=n)
        if not is_str.any():
            return day_first, month_first, kinds, todo, np.full(n, -1, dtype=np.int8)
        arrow = pa.array(values[is_str], type=pa.large_string())
        where = np.flatnonzero(is_str)
    # Arabic-Indic digits: translate those values (few) and read them alongside.
    arabic = pc.fill_null(pc.match_substring_regex(arrow, _ARABIC_DIGIT_CHARS), False)
    arabic_np = arabic.to_numpy(zero_copy_only=False)
    groups = [(arrow, where, False)]
    if arabic_np.any():
        raw = pc.filter(arrow, arabic).to_pylist()
        translated = pa.array([t.translate(ARABIC_DIGITS) for t in raw], type=arrow.type)
        groups.append((translated, where[arabic_np], True))
    weekday = np.full(n, -1, dtype=np.int8)

    def forms(strings, rows_of, is_arabic: bool, decorated: bool):
        """Read ``strings`` (the distinct values at ``rows_of``) in the fast forms; return
        what is left."""
        for pattern, by_name, either_way, kind in _FAST_FORMATS:
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
            year, month, day = _fields(extracted.filter(valid), by_name)
            days = _to_days(year, month, day)
            swapped = _to_days(year, day, month) if either_way else days
            ok_day, ok_month = ~np.isnat(days), ~np.isnat(swapped)
            if is_arabic:  # as ``_read_one``: only the years that datetime64[ns] holds in full
                ok_day &= (days >= _DAY_MIN) & (days <= _DAY_MAX)
                ok_month &= (swapped >= _DAY_MIN) & (swapped <= _DAY_MAX)
            ok = ok_day | ok_month
            rows = rows_of[hit][ok]
            day_first[rows] = np.where(ok_day, days, _NAT)[ok]
            month_first[rows] = np.where(ok_month, swapped, _NAT)[ok]
            todo[rows] = False
            if is_arabic:
                kinds[rows] = _KINDS.index("arabic_digits")
            elif kind or decorated:
                kinds[rows] = _KINDS.index("date_format")
            strings, rows_of = strings_next, rows_next
        return strings, rows_of

    for strings, rows_of, is_arabic in groups:
        strings, rows_of = forms(strings, rows_of, is_arabic, False)
        if len(strings) == 0:
            continue
        # A weekday before the date and a time after it ("Thu, 01/01/2026 - 12:00", one
        # distinct value per minute in a download): removed in Arrow, the rest read as
        # above, the weekday kept to be checked against the date. Others: ``_read_one``.
        body = pc.replace_substring_regex(strings, _RE2_TIME, "")
        named = pc.extract_regex(body, _RE2_WEEKDAY)
        body = pc.replace_substring_regex(body, _RE2_WEEKDAY, "")
        changed = pc.fill_null(pc.not_equal(body, strings), False)
        changed_np = changed.to_numpy(zero_copy_only=False)
        if not changed_np.any():
            continue
        rows = rows_of[changed_np]
        written = pc.struct_field(named.filter(changed), "wd")  # null: no weekday
        number = pc.index_in(pc.utf8_lower(written), value_set=pa.array(_RE2_NAMES))
        weekday[rows] = np.asarray(_RE2_NUMBERS)[
            pc.fill_null(number, len(_RE2_NUMBERS) - 1).to_numpy(zero_copy_only=False)
        ]
        forms(pc.filter(body, changed), rows, is_arabic, True)
    return day_first, month_first, kinds, todo, weekday


# ------------------------------------------------------------- a file's order of day and month


def configured_order(file: str, date_order: dict[str, str]) -> str | None:
    """The order ``config/thresholds.yaml`` (``date_order``) fixes for ``file``, if any."""
    return next((order for pattern, order in date_order.items() if fnmatch(file, pattern)), None)


def decide_orders(
    readings: dict[str, DateReading],
    files: list[tuple[str, slice]],
    min_share: float,
    date_order: dict[str, str],
) -> tuple[list[str], list[dict]]:
    """The order of day and month of each file, decided on all its date columns
    (``readings``: column -> its values read both ways), and the notes for the report.

    A file's order is, first, the one ``date_order`` configures for it; else what its
    values settle: dates impossible one way (a day above 12) and weekdays that fit one
    reading only, counted over every date column of the file. An order is taken when at
    least ``min_share`` of those dates say it and fewer say the other. When nothing settles
    it (every day at most 12 and no weekday) or the values contradict one another, the
    file is read day-first, the workbench's default, and flagged: a note of kind
    "ambiguous_dates". A note states every order not taken for granted (month-first,
    day-first settled by weekdays or configured); a plain day-first file gets none.
    """
    orders: list[str] = []
    notes: list[dict] = []
    relevant = {c: r for c, r in readings.items() if r.order_matters}
    for name, rows in files:
        configured = configured_order(name, date_order)
        tally = {k: 0 for k in ("day", "month", "day_wd", "month_wd", "ambiguous", "present")}
        columns: list[str] = []
        for column, r in relevant.items():
            counts = r.counts(rows)
            found = {
                "day": int(counts[r.by_days == 1].sum()),
                "month": int(counts[r.by_days == -1].sum()),
                "day_wd": int(counts[r.by_weekday == 1].sum()),
                "month_wd": int(counts[r.by_weekday == -1].sum()),
                "ambiguous": int(counts[r.ambiguous].sum()),
            }
            if any(found.values()):
                columns.append(column)
            found["present"] = int(counts.sum())
            for k, v in found.items():
                tally[k] += v
        order, note = _order_of(name, columns, tally, configured, min_share)
        orders.append(order)
        if note:
            notes.append(note)
    return orders, notes


def _order_of(
    name: str, columns: list[str], t: dict[str, int], configured: str | None, min_share: float
) -> tuple[str, dict | None]:
    """The order of one file from its tally of evidence, and the note that states it."""
    day, month = t["day"] + t["day_wd"], t["month"] + t["month_wd"]
    settled = day + month
    where = (
        f" (columns {', '.join(columns)})"
        if len(columns) > 1
        else (f" (column {columns[0]})" if columns else "")
    )

    def note(kind: str, message: str) -> dict:
        return {"kind": kind, "file": name, "columns": columns, "message": f"{name}: {message}"}

    def evidence(side: str) -> str:
        by_days = t[side]
        by_weekday = t[f"{side}_wd"]
        other = "day-first" if side == "month" else "month-first"
        parts = []
        if by_days:
            parts.append(f"{by_days} of {t['present']} dates are impossible {other}")
        if by_weekday:
            parts.append(f"{by_weekday} weekdays written beside the dates fit only {side}-first")
        return " and ".join(parts)

    if not columns:  # no date reads differently either way: the order does not matter
        return configured or DAY_FIRST, None
    if configured:
        against = day if configured == MONTH_FIRST else month
        text = f"dates read {configured.replace('_', '-')} (as configured in date_order)"
        if against:
            text += f"; {against} dates fit only the other order and are value issues"
        kind = "month_first_dates" if configured == MONTH_FIRST else "day_first_dates"
        return configured, note(kind, text + where)
    if settled and month >= min_share * settled and day < min_share * settled:
        text = f"dates read month-first (detected): {evidence('month')}"
        if day:
            text += f"; {day} dates fit only day-first and are value issues"
        return MONTH_FIRST, note("month_first_dates", text + where) | {
            "rows": month + t["ambiguous"]
        }
    if settled and day >= min_share * settled and month < min_share * settled:
        if t["day"] or not t["ambiguous"]:  # settled by the calendar: the plain case
            return DAY_FIRST, None
        return DAY_FIRST, note(
            "day_first_dates", f"dates read day-first (detected): {evidence('day')}{where}"
        )
    if settled:
        reason = (
            f"its dates contradict one another ({day} fit only day-first, {month} only month-first)"
        )
    else:
        reason = "no day is above 12, no weekday is written and no date_order is configured"
    n = t["ambiguous"]
    dates_that = "1 date that reads" if n == 1 else f"{n} dates that read"
    return DAY_FIRST, note(
        "ambiguous_dates",
        f"the order of day and month cannot be told: {reason}. {dates_that} differently "
        "either way were read day-first (the workbench's default) and may be wrong: check "
        "them in the source system, or set date_order for this file in "
        f"config/thresholds.yaml{where}",
    ) | {"rows": n}


def clean_date_column(
    values: pd.Series,
    files: list[tuple[str, slice]],
    min_share: float,
    date_order: dict[str, str],
    markers: frozenset[str] = frozenset(),
) -> Cleaned:
    """Clean one date column whose rows come from ``files`` (name, rows), each file in the
    order :func:`decide_orders` finds on this column alone; the notes go with the result.
    (A dataset decides on all its date columns at once: see ``dataset.clean_dataset``.)"""
    reading = read_dates(values, markers)
    orders, notes = decide_orders({"": reading}, files, min_share, date_order)
    cleaned = assemble(reading, files, orders)
    cleaned.notes = [{k: v for k, v in n.items() if k != "columns"} for n in notes]
    return cleaned
