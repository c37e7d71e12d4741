"""Counts and amounts: to ``Int64`` and ``float64``."""

from __future__ import annotations

import math
import re
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from .arrow import Outcome, map_uniques
from .result import Cleaned
from .text import ARABIC_DIGITS

# Arabic decimal separator, Arabic thousands separator.
_ARABIC_SEPARATORS = str.maketrans({"٫": ".", "٬": ","})
_PLAIN = re.compile(r"^-?[0-9]+(?:\.[0-9]+)?$")
_SIMPLE = re.compile(r"^[+-]?[0-9]+(?:\.[0-9]*)?$|^[+-]?\.[0-9]+$")
# Thousands grouped by comma, space, no-break spaces or apostrophe; "." is the decimal point.
_GROUPED = re.compile(
    r"^[+-]?[0-9]{1,3}(?:([, \u00a0\u202f'])[0-9]{3})(?:\1[0-9]{3})*(?:\.[0-9]+)?$"
)
_DECIMAL_COMMA = re.compile(r"^[+-]?[0-9]+,(?:[0-9]{1,2}|[0-9]{4,})$")
_INT64_LIMIT = 2**63
_CURRENCY = re.compile(r"^(?:LYD|LD|د\.ل)\.?\s*|\s*(?:LYD|LD|د\.ل)\.?$", re.IGNORECASE)


def _parse(value: Any, currency: bool) -> tuple[float | None, str | None, bool]:
    """(number, repair kind, was_text_ok) of one distinct non-missing value."""
    if isinstance(value, bool | np.bool_):
        return None, None, False
    if isinstance(value, int | np.integer):
        return float(value), None, True
    if isinstance(value, float | np.floating):
        number = float(value)
        return (number, None, True) if math.isfinite(number) else (None, None, False)
    raw = str(value).strip()
    text = raw.translate(ARABIC_DIGITS).translate(_ARABIC_SEPARATORS)
    arabic = text != raw
    if currency:
        text = _CURRENCY.sub("", text).strip()
    if _PLAIN.match(text) or _SIMPLE.match(text):
        number = float(text)
    elif _GROUPED.match(text):
        number = float(re.sub(r"[, \u00a0\u202f']", "", text))
    elif currency and _DECIMAL_COMMA.match(text):
        number = float(text.replace(",", "."))
    else:
        return None, None, False
    if not math.isfinite(number):
        return None, None, False
    if arabic:
        return number, "arabic_digits", True
    return number, (None if text == raw and _PLAIN.match(raw) else "number_format"), True


def _one_int(value: Any, minimum: float | None = None) -> Outcome:
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        whole = int(value)
        if abs(whole) >= _INT64_LIMIT or (minimum is not None and whole < minimum):
            return None, None, True
        return whole, None, False
    number, kind, ok = _parse(value, currency=False)
    if not ok or number is None or not number.is_integer():
        return None, None, True
    whole = int(number)
    if abs(whole) >= _INT64_LIMIT or (minimum is not None and whole < minimum):
        return None, None, True
    if kind is None and isinstance(value, str) and value.strip() != str(whole):
        kind = "number_format"  # "12.0", "012"
    return whole, kind, False


def _one_number(value: Any, minimum: float | None = None) -> Outcome:
    number, kind, ok = _parse(value, currency=True)
    if not ok or number is None or (minimum is not None and number < minimum):
        return None, None, True
    return number, kind, False


def clean_int(values: pd.Series, minimum: float | None = None) -> Cleaned:
    """Clean whole numbers to ``Int64``.

    Accepts ints, whole floats (12.0, not a repair), digit strings, thousands separators
    ("1,234", "1 234"), a trailing ".0" and Arabic-Indic digits. "." is always the decimal
    point, so "1.234" is not a whole number. Repair kinds "number_format" and
    "arabic_digits". Not whole ("12.5"), not a number or below ``minimum`` (a negative
    count when ``minimum`` is 0): NA and invalid.
    """
    one = partial(_one_int, minimum=minimum)
    return map_uniques(values, one, lambda outs: pd.array(outs, dtype="Int64"))


def clean_number(values: pd.Series, minimum: float | None = None) -> Cleaned:
    """Clean amounts to ``float64``.

    As :func:`clean_int` plus decimals, a currency "LYD", "LD" or "د.ل" before or after
    the number (stripped, "number_format"), the Arabic decimal separator "٫" and
    thousands separator "٬", and a decimal comma when the digits after it are not a group
    of three ("12,5" -> 12.5). Not a number or below ``minimum``: NaN and invalid.
    """

    def build(outs: list[Any]) -> np.ndarray:
        return np.array([np.nan if o is None else o for o in outs], dtype="float64")

    return map_uniques(values, partial(_one_number, minimum=minimum), build)
