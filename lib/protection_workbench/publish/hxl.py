"""Published tables as CSV with an HXL hashtag row (Humanitarian Exchange Language).

The first line holds the column headers, the second the HXL hashtags (``#adm1+name``,
``#affected+f+children`` ...), then the data. Tools such as the HXL Proxy and HDX read the
hashtags to recognise columns whatever their header text. See https://hxlstandard.org.
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

HXL_TAG = re.compile(r"^#[a-z][a-z0-9_]*(\s*\+[a-z][a-z0-9_]*)*$")

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
    return [tags[c] for c in columns]


def suggest_tags(columns, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Tags for ``columns`` from :data:`COMMON_TAGS` (``extra`` first); columns without a
    suggestion are left out, so :func:`write_hxl_csv` will name them."""
    lookup = {**COMMON_TAGS, **(extra or {})}
    return {str(c): lookup[str(c)] for c in columns if str(c) in lookup}


def write_hxl_csv(
    table: pd.DataFrame, path: str | os.PathLike, tags: Mapping[str, str], index: bool = False
) -> Path:
    """Write ``table`` as UTF-8 CSV: headers, HXL hashtags, data. Every column (and, with
    ``index=True``, every index level) needs a valid hashtag in ``tags``, otherwise
    ValueError names the columns. Written to a temporary file and renamed into place."""
    frame = table.reset_index() if index else table
    columns = [str(c) for c in frame.columns]
    if len(set(columns)) != len(columns):
        raise ValueError("column headers must be unique")
    hashtags = _check_tags(columns, {str(k): v for k, v in tags.items()})

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise_formula(c) for c in columns])
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


def read_hxl_csv(path: str | os.PathLike) -> tuple[pd.DataFrame, dict[str, str]]:
    """Read a CSV written by :func:`write_hxl_csv`: (data, {column: hashtag}).

    Text is kept as written ("NA", "<5"); only empty fields are missing."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        try:
            headers, hashtags = next(reader), next(reader)
        except StopIteration:
            raise ValueError(f"{path}: needs a header row and an HXL hashtag row") from None
    if len(headers) != len(hashtags) or not all(HXL_TAG.match(t.strip()) for t in hashtags if t):
        raise ValueError(f"{path}: the second line is not an HXL hashtag row")
    data = pd.read_csv(path, skiprows=[1], encoding="utf-8", keep_default_na=False, na_values=[""])
    return data, dict(zip(headers, (t.strip() for t in hashtags), strict=True))
