"""Published tables as CSV with an HXL hashtag row (Humanitarian Exchange Language).

The first line holds the column headers, the second the HXL hashtags (``#adm1+name``,
``#affected+f+children`` ...), then the data. Tools such as the HXL Proxy and HDX read the
hashtags to recognise columns whatever their header text. See https://hxlstandard.org.

A published table as shown on a page ("1,234", "<5", "[c]", "2026-W47", a "Total" row) is
written so that libhxl's core schema accepts it and typed tools read it:

* **numbers plain**: no thousands separators;
* **hidden counts empty**: a numeric cell that is not a number ("<5", "[c]", "–") is left
  empty and its marker goes to a companion column ``<header> (marker)``, tagged
  ``#meta+marker`` plus the hashtag and attributes of its column, right after it. Columns of
  people (``#affected``, ``#population``, ``#inneed``, ``#targeted``, ``#reached``) always
  get one, so that the columns of a table stay the same from week to week;
* **dates ISO**: a week ``2026-W47`` in a ``#date`` column is written as the date of its
  Monday (``2026-11-16``) and the week itself goes to a companion ``<header> (ISO week)``
  column tagged ``#meta+week``;
* **totals flagged**: a row labelled "Total" stays (HXL tools read a table as it is shown),
  a column ``Total row`` (``#meta+total``, "yes"/"no") says which rows are totals; in a
  ``#date`` column, where "Total" is not a date, the label goes to the marker column.

:func:`read_hxl_csv` reads such a file back into the table as it was shown.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..outputs import neutralise_formula, neutralise_frame

# libhxl's own grammar of a hashtag with attributes (hxl.model.Column.PATTERN): letters in
# either case, digits and underscores; tests/publish/test_hxl.py compares the two.
_TOKEN = r"[A-Za-z][_0-9A-Za-z]*"
HXL_TAG = re.compile(rf"^\s*#{_TOKEN}(\s*\+{_TOKEN})*\s*$")

# Hashtags whose values the HXL core schema requires to be numbers (hxl-default-schema.json);
# "#indicator+num" and "#output+num" match those hashtags with the +num attribute.
PEOPLE_HASHTAGS = frozenset({"affected", "population", "inneed", "targeted", "reached"})
NUMBER_HASHTAGS = PEOPLE_HASHTAGS | {"value"}
NUMBER_WITH_NUM = frozenset({"indicator", "output"})

MARKER_SUFFIX = " (marker)"
WEEK_SUFFIX = " (ISO week)"
TOTAL_FLAG = "Total row"
TOTAL_FLAG_TAG = "#meta+total"
YES, NO = "yes", "no"

# Suggested hashtags for the usual columns of published tables.
COMMON_TAGS: dict[str, str] = {
    # when and where
    "week": "#date+week",
    "registration_week": "#date+week",
    "date": "#date",
    "month": "#date+month",
    "year": "#date+year",
    "mantika": "#adm1+name",
    "location": "#loc+name",
    "site": "#loc+name",
    "location_type": "#loc+type",
    "airport": "#loc+airport+name",
    # countries (ISO 3166-1 alpha-3)
    "country": "#country+code",
    "nationality": "#country+code",
    "destination": "#country+code",
    "country_of_origin": "#country+code",
    "country_name": "#country+name",
    # people, by sex and age
    "female_children": "#affected+f+children",
    "male_children": "#affected+m+children",
    "female_adults": "#affected+f+adults",
    "male_adults": "#affected+m+adults",
    "female": "#affected+f",
    "male": "#affected+m",
    "children": "#affected+children",
    "adults": "#affected+adults",
    "individuals": "#affected+ind",
    "persons": "#affected+ind",
    "households": "#affected+hh",
    "cases": "#affected+cases",
    "returns": "#affected+returned",
    "returnees": "#affected+returned",
    "vulnerable": "#affected+vulnerable",
    # counts, shares and labels
    "count": "#indicator+num",
    "n": "#indicator+num",
    "total": "#indicator+num+total",
    "percent": "#indicator+pct",
    "share": "#indicator+pct",
    "indicator": "#indicator+name",
    "category": "#indicator+category",
    "status": "#status",
    "sector": "#sector",
    "organisation": "#org+name",
    "partner": "#org+name",
}

_PLAIN = re.compile(r"^-?\d+(\.\d+)?$")
_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$")
_ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
# What tables show instead of a number: "<5" (fewer than 5), "[c]" and the other UK GSS
# symbols in brackets, a dash or ".." (not published).
_MARKER = re.compile(r"^(<\d+|\[[a-z]{1,4}\]|[–—-]|\.\.)$")


def normalise_tag(tag: str) -> str:
    """``tag`` as libhxl writes it: lower case, no spaces (``#Affected +F`` → ``#affected+f``)."""
    return re.sub(r"\s+", "", tag).lower()


def hashtag_parts(tag: str) -> tuple[str, list[str]]:
    """(hashtag, attributes) of a valid tag: ``#affected+f+week`` → ("affected", ["f", "week"])."""
    name, *attributes = normalise_tag(tag).lstrip("#").split("+")
    return name, attributes


def is_number_tag(tag: str) -> bool:
    """True when the HXL core schema requires numbers in a column with this ``tag``."""
    name, attributes = hashtag_parts(tag)
    return name in NUMBER_HASHTAGS or (name in NUMBER_WITH_NUM and "num" in attributes)


def is_people_tag(tag: str) -> bool:
    return hashtag_parts(tag)[0] in PEOPLE_HASHTAGS


def _check_tags(columns: list[str], tags: Mapping[str, str]) -> list[str]:
    missing = [c for c in columns if c not in tags]
    if missing:
        raise ValueError(f"columns without an HXL hashtag: {', '.join(map(repr, missing))}")
    bad = {
        c: tags[c] for c in columns if not isinstance(tags[c], str) or not HXL_TAG.match(tags[c])
    }
    if bad:
        listed = ", ".join(f"{c!r}: {t!r}" for c, t in bad.items())
        raise ValueError(f"not valid HXL hashtags (e.g. '#affected+f+children'): {listed}")
    return [normalise_tag(tags[c]) for c in columns]


def suggest_tags(columns, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Tags for ``columns`` from :data:`COMMON_TAGS` (``extra`` first); columns without a
    suggestion are left out, so :func:`write_hxl_csv` will name them."""
    lookup = {**COMMON_TAGS, **(extra or {})}
    return {str(c): lookup[str(c)] for c in columns if str(c) in lookup}


# --------------------------------------------------------------------------- conversion


def _as_text(values: pd.Series) -> pd.Series:
    """Cells as stripped text, missing as ""; dates and timestamps as ISO dates."""

    def one(v: object) -> str:
        if isinstance(v, pd.Timestamp):
            return v.date().isoformat() if v == v.normalize() else v.isoformat()
        if hasattr(v, "isoformat"):
            return v.isoformat()
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()

    return values.astype(object).map(one, na_action="ignore").fillna("")


def parse_numbers(text: pd.Series) -> pd.Series:
    """The numbers among ``text`` ("1,234" → 1234, "2.5" → 2.5), NaN elsewhere."""
    plain = text.where(text.str.fullmatch(_GROUPED.pattern), text).str.replace(",", "")
    numeric = text.str.fullmatch(_PLAIN.pattern) | text.str.fullmatch(_GROUPED.pattern)
    return pd.to_numeric(plain.where(numeric), errors="coerce")


def _is_numeric(tag: str, text: pd.Series, numbers: pd.Series) -> bool:
    """A column of numbers: the core schema says so, or every value is a number or a
    marker ("<5", "[c]", "–") and at least one is a number."""
    if is_number_tag(tag):
        return True
    if hashtag_parts(tag)[0] in ("date", "meta") or not numbers.notna().any():
        return False
    others = text[(text != "") & numbers.isna()]
    return bool(others.str.fullmatch(_MARKER.pattern).all())


def plain(numbers: pd.Series) -> pd.Series:
    """Numbers as written: whole numbers without ".0", missing as ""."""
    present = numbers.notna()
    if (numbers[present] == numbers[present].round()).all():
        numbers = numbers.astype("Int64")
    return numbers.astype(object).where(present, "")


def _week_starts(text: pd.Series) -> pd.Series:
    """ISO weeks ("2026-W47", "2026W47") as the ISO date of their Monday, NaN elsewhere."""
    parts = text.str.extract(_WEEK)
    monday = pd.to_datetime(parts[0] + "-W" + parts[1] + "-1", format="%G-W%V-%u", errors="coerce")
    return monday.dt.strftime("%Y-%m-%d")


def to_hxl(
    table: pd.DataFrame, tags: Mapping[str, str], total: str | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """``table`` (as published on a page) as libhxl's core schema accepts it, and its
    hashtags: plain numbers, markers in ``(marker)`` columns, weeks as dates with an
    ``(ISO week)`` column, and, with ``total`` (the label of total rows), a ``Total row``
    flag column. See the module docstring."""
    columns = [str(c) for c in table.columns]
    if len(set(columns)) != len(columns):
        raise ValueError("column headers must be unique")
    hashtags = _check_tags(columns, {str(k): v for k, v in tags.items()})
    out: dict[str, pd.Series] = {}
    out_tags: list[str] = []
    texts = {c: _as_text(table.iloc[:, i]).reset_index(drop=True) for i, c in enumerate(columns)}
    is_total = pd.Series(False, index=range(len(table)))
    if total is not None:
        for column, tag in zip(columns, hashtags, strict=True):
            text = texts[column]
            if not _is_numeric(tag, text, parse_numbers(text)):  # a column of labels
                is_total |= text.str.casefold() == total.casefold()

    for column, tag in zip(columns, hashtags, strict=True):
        text = texts[column]
        name, attributes = hashtag_parts(tag)
        numbers = parse_numbers(text)
        if _is_numeric(tag, text, numbers):
            markers = text.where(numbers.isna(), "")
            out[column] = plain(numbers)
            out_tags.append(tag)
            if is_people_tag(tag) or (markers != "").any():
                out[f"{column}{MARKER_SUFFIX}"] = markers
                out_tags.append("#" + "+".join(["meta", "marker", name, *attributes]))
        elif name == "date":
            weeks = _week_starts(text)
            dates = text.str.fullmatch(_ISO_DATE.pattern) | (text == "")
            out[column] = weeks.where(weeks.notna(), text.where(dates, ""))
            out_tags.append(tag)
            if weeks.notna().any():
                out[f"{column}{WEEK_SUFFIX}"] = text.where(weeks.notna(), "")
                out_tags.append("#meta+week")
            # anything else (not a date: the label of a total row) is kept, as a note
            other = ~dates & weeks.isna()
            if other.any():
                out[f"{column}{MARKER_SUFFIX}"] = text.where(other, "")
                out_tags.append("#" + "+".join(["meta", "marker", name, *attributes]))
        else:
            out[column] = text
            out_tags.append(tag)
    if total is not None and is_total.any():
        out[TOTAL_FLAG] = is_total.map({True: YES, False: NO})
        out_tags.append(TOTAL_FLAG_TAG)
    if len(set(out)) != len(out):  # e.g. a column already named "x (marker)"
        raise ValueError("column headers must be unique once marker columns are added")
    return pd.DataFrame(out), out_tags


def write_hxl_csv(
    table: pd.DataFrame,
    path: str | os.PathLike,
    tags: Mapping[str, str],
    index: bool = False,
    total: str | None = None,
) -> Path:
    """Write ``table`` as UTF-8 CSV: headers, HXL hashtags, data, converted by
    :func:`to_hxl` so that libhxl's core schema accepts it. Every column (and, with
    ``index=True``, every index level) needs a valid hashtag in ``tags``, otherwise
    ValueError names the columns. Written to a temporary file and renamed into place."""
    frame, hashtags = to_hxl(table.reset_index() if index else table, tags, total)

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise_formula(c) for c in frame.columns])
    writer.writerow(hashtags)
    # Text that a spreadsheet would run as a formula is neutralised (see outputs.py).
    neutralise_frame(frame).to_csv(buffer, header=False, index=False, lineterminator="\n")

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(buffer.getvalue())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _whole(values: pd.Series) -> pd.Series:
    """A column read with gaps (floats) back to whole numbers where they are whole."""
    if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
        return values.astype("Int64").astype(object).where(values.notna(), None)
    return values.astype(object)


def read_hxl_rows(path: str | os.PathLike) -> tuple[list[str], list[str]]:
    """(headers, hashtags) of a CSV written by :func:`write_hxl_csv`."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        try:
            headers, hashtags = next(reader), next(reader)
        except StopIteration:
            raise ValueError(f"{path}: needs a header row and an HXL hashtag row") from None
    if len(headers) != len(hashtags) or not all(HXL_TAG.match(t) for t in hashtags if t):
        raise ValueError(f"{path}: the second line is not an HXL hashtag row")
    return headers, [normalise_tag(t) for t in hashtags]


def read_hxl_csv(path: str | os.PathLike) -> tuple[pd.DataFrame, dict[str, str]]:
    """Read a CSV written by :func:`write_hxl_csv` back into the table as it was shown:
    (data, {column: hashtag}). Markers (and a ``#date`` column's "Total") go back into
    their columns, weeks back to "2026-W47"; the companion and flag columns are dropped. Text is kept as written ("NA"); only empty fields are missing."""
    headers, hashtags = read_hxl_rows(path)
    data = pd.read_csv(path, skiprows=[1], encoding="utf-8", keep_default_na=False, na_values=[""])
    tags = dict(zip(headers, hashtags, strict=True))
    if tags.get(TOTAL_FLAG) == TOTAL_FLAG_TAG:
        data.pop(TOTAL_FLAG)
    for header, tag in tags.items():
        if tag.startswith("#meta+marker") and header.endswith(MARKER_SUFFIX):
            base, note = header.removesuffix(MARKER_SUFFIX), data.pop(header)
            shown = note.notna() & (note.astype(str) != "")
            data[base] = _whole(data[base]).where(~shown, note)
        elif tag == "#meta+week" and header.endswith(WEEK_SUFFIX):
            base, week = header.removesuffix(WEEK_SUFFIX), data.pop(header)
            data[base] = data[base].astype(object).where(week.isna(), week)
    kept = {h: t for h, t in tags.items() if h in data.columns}
    return data, kept
