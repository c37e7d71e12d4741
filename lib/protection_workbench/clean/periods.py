"""Payment periods (a month) to canonical ``YYYY-MM``."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .dates import clean_dates
from .result import Cleaned
from .text import ARABIC_DIGITS

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_MONTH_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{4})$")


def _one(value: object) -> tuple[str | None, str | None]:
    """(canonical period, repair kind) for one distinct value; (None, None) if not a month."""
    text = str(value).strip()
    plain = text.translate(ARABIC_DIGITS)
    for pattern, year_first in ((_ISO, True), (_MONTH_FIRST, False)):
        m = pattern.match(plain)
        if m:
            year, month = (m[1], m[2]) if year_first else (m[2], m[1])
            if 1 <= int(month) <= 12:
                period = f"{int(year):04d}-{int(month):02d}"
                return period, (None if period == text else "period_format")
    for candidate in (plain, f"1 {plain}"):  # "Nov 2026" -> "1 Nov 2026"
        parsed = clean_dates(pd.Series([candidate], dtype="object"))
        if parsed.values.notna().iloc[0]:
            return parsed.values.iloc[0].strftime("%Y-%m"), "period_format"
    return None, None


def _one_value(value: object) -> tuple[str | None, str | None]:
    if hasattr(value, "strftime"):  # a real date cell from XLSX
        return value.strftime("%Y-%m"), "period_format"
    return _one(value)


def clean_periods(values: pd.Series) -> Cleaned:
    """Clean month values ("2026-10", "10/2026", "Oct 2026", an Excel date) to ``YYYY-MM``.

    Each distinct value is cleaned once and mapped back.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    results = [_one_value(u) for u in uniques]
    canon = pd.array([r[0] for r in results] + [None], dtype="str")
    fixed = np.array([r[1] is not None for r in results] + [False])
    bad = np.array(
        [r[0] is None and str(u).strip() != "" for r, u in zip(results, uniques, strict=True)]
        + [False]
    )
    repaired = pd.Series(fixed[codes], index=values.index)
    return Cleaned(
        values=pd.Series(canon.take(codes), index=values.index, name=values.name),
        repaired={"period_format": repaired} if repaired.any() else {},
        invalid=pd.Series(bad[codes], index=values.index),
    )
