"""Free text: repair mojibake, normalise Unicode, tidy whitespace."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import ftfy
import pandas as pd

from .arrow import MISSING, Outcome, map_uniques, str_array
from .result import Cleaned

# Only repair the encoding: keep curly quotes, full-width forms, ligatures and HTML as they are.
# (The demo generator only writes mojibake that these settings repair.)
FTFY_ENCODING_ONLY = ftfy.TextFixerConfig(
    unescape_html=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    normalization=None,
    explain=False,
)
_SPACES = re.compile(r"\s+")
ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)


def fix_encoding(text: str) -> str:
    """Repair mojibake ("JosÃ©" -> "José") without touching quotes, widths or HTML."""
    if text.isascii() and text.isprintable():
        return text  # no mojibake, control character or terminal escape: nothing to fix
    return ftfy.fix_text(text, FTFY_ENCODING_ONLY)


def _clean_one_text(value: Any) -> Outcome:
    raw = value if isinstance(value, str) else str(value)
    encoding = unicode = False
    text = raw
    for _ in range(5):  # to a fixed point: tidying can expose mojibake ("Ã\ta" -> "Ã a")
        fixed = fix_encoding(text)
        normal = unicodedata.normalize("NFC", fixed)
        tidy = _SPACES.sub(" ", normal).strip()
        encoding |= fixed != text
        unicode |= normal != fixed
        if tidy == text:
            break
        text = tidy
    if not text:
        return MISSING
    if encoding:
        kind = "encoding"
    elif unicode:
        kind = "unicode"
    elif text != raw:
        kind = "whitespace"
    else:
        kind = None
    return text, kind, False


def clean_text(values: pd.Series) -> Cleaned:
    """Clean free text to the ``str`` dtype.

    Mojibake is repaired with ftfy (kind "encoding"), the text is put in Unicode NFC
    ("unicode", when only normalisation changed it) and whitespace is stripped and
    collapsed to single spaces ("whitespace"). Case is kept. Each changed value is
    counted under one kind (encoding before unicode before whitespace). Text that is
    empty after stripping is missing. Nothing is ever invalid.
    """
    return map_uniques(values, _clean_one_text, str_array)
