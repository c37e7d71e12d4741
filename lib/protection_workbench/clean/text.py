"""Free text: repair mojibake, normalise Unicode, tidy whitespace."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
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
# Only complete references ("&amp;", "&#039;", "&#x27;"): "R&D" or "&copy" without its
# semicolon are left alone.
HTML_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def decode_entities(text: str) -> str:
    """HTML character references decoded ("O&#039;Brien" -> "O'Brien"); unknown names kept."""
    if "&" not in text:
        return text
    return HTML_ENTITY.sub(lambda m: html.unescape(m[0]), text)


ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)

# Repair kind of a value read as missing because it is a missing marker ("NA", "-").
MISSING_MARKER = "missing_marker"
# Dropped from a value before it is compared with the missing markers.
_MARKER_NOISE = re.compile(r"[\s./()\[\]]+")


def marker_key(value: object) -> str:
    """Matching key of a missing marker (config/missing_values.yaml): accents and Arabic
    vowel marks removed, case folded, spaces, dots, slashes and brackets dropped, so "N/A",
    "n.a.", " na " and "(NA)" share "na"; "-" and "—" stay themselves."""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return _MARKER_NOISE.sub("", text)


@lru_cache(maxsize=64)
def marker_keys(markers: tuple[str, ...], keep: tuple[str, ...] = ()) -> frozenset[str]:
    """The keys of ``markers``, less those of ``keep`` (the codes of a column's own code
    list: "none" is a travel document status, "n/a" an answer of yes_no_na)."""
    kept = {marker_key(k) for k in keep}
    return frozenset(k for m in markers if (k := marker_key(m)) and k not in kept)


def is_marker(value: object, keys: frozenset[str]) -> bool:
    """Whether a distinct value is a missing marker ("NA", "-", "unknown", "غير معروف")."""
    return bool(keys) and isinstance(value, str) and marker_key(value.strip()) in keys


def fix_encoding(text: str) -> str:
    """Repair mojibake ("JosÃ©" -> "José") without touching quotes, widths or HTML."""
    if text.isascii() and text.isprintable():
        return text  # no mojibake, control character or terminal escape: nothing to fix
    return ftfy.fix_text(text, FTFY_ENCODING_ONLY)


def _clean_one_text(value: Any) -> Outcome:
    raw = value if isinstance(value, str) else str(value)
    encoding = entity = unicode = False
    text = raw
    for _ in range(5):  # to a fixed point: tidying can expose mojibake ("Ã\ta" -> "Ã a")
        fixed = fix_encoding(text)
        decoded = decode_entities(fixed)
        normal = unicodedata.normalize("NFC", decoded)
        tidy = _SPACES.sub(" ", normal).strip()
        encoding |= fixed != text
        entity |= decoded != fixed
        unicode |= normal != decoded
        if tidy == text:
            break
        text = tidy
    if not text:
        return MISSING
    if encoding:
        kind = "encoding"
    elif entity:
        kind = "html_entity"
    elif unicode:
        kind = "unicode"
    elif text != raw:
        kind = "whitespace"
    else:
        kind = None
    return text, kind, False


def clean_text(values: pd.Series) -> Cleaned:
    """Clean free text to the ``str`` dtype.

    Mojibake is repaired with ftfy (kind "encoding"), HTML character references that
    exports carry ("&#039;", "&amp;", "&quot;") are decoded ("html_entity"), the text is
    put in Unicode NFC ("unicode", when only normalisation changed it) and whitespace is
    stripped and collapsed to single spaces ("whitespace"). Case is kept. Each changed
    value is counted under one kind (encoding, html_entity, unicode, whitespace: the
    first that applies). Text that is
    empty after stripping is missing. Nothing is ever invalid.
    """
    return map_uniques(values, _clean_one_text, str_array)
