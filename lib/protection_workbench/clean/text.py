"""Free text: repair mojibake, normalise Unicode, tidy whitespace; name keys for duplicates.

This module also holds :func:`map_uniques`, the engine every value cleaner runs on:
the column is factorised, each distinct value is cleaned once in Python, and the
results are mapped back to the rows with a numpy ``take`` (never a loop over rows).
"""

from __future__ import annotations

import re
import threading
import unicodedata
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import ftfy
import numpy as np
import pandas as pd
import pyarrow as pa

from .result import Cleaned

# One distinct value cleaned: (canonical value or None if missing/invalid, repair kind or None,
# invalid?). A blank value gives (None, None, False).
Outcome = tuple[Any, str | None, bool]

MISSING: Outcome = (None, None, False)

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


def is_blank(value: object) -> bool:
    """True for a missing scalar: None, NaN, NaT, pd.NA or a whitespace-only string."""
    if isinstance(value, str):
        return not value.strip()
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def has_arabic_digits(text: str) -> bool:
    """True when ``text`` contains Arabic-Indic or Persian digits."""
    return text != text.translate(ARABIC_DIGITS)


# The pandas ``str`` dtype (Arrow large_string storage, NaN as missing).
STR_DTYPE = pd.array([], dtype="str").dtype


def arrow_strings(values: pd.Series) -> pa.ChunkedArray | None:
    """The Arrow data behind a ``str`` (or ``string``) Series, without a copy; else None."""
    data = getattr(values.array, "_pa_array", None)
    if isinstance(data, pa.ChunkedArray) and (
        pa.types.is_large_string(data.type) or pa.types.is_string(data.type)
    ):
        return data
    return None


def str_series(data: pa.ChunkedArray | pa.Array, index: pd.Index, name: Any) -> pd.Series:
    """A ``str`` Series over Arrow strings (no copy when they are large_string)."""
    if isinstance(data, pa.Array):
        data = pa.chunked_array([data])
    if STR_DTYPE.storage == "pyarrow":
        from pandas.arrays import ArrowStringArray

        if not pa.types.is_large_string(data.type):
            data = data.cast(pa.large_string())
        array = ArrowStringArray(data, dtype=STR_DTYPE)
    else:  # pragma: no cover - pandas without pyarrow strings
        array = pd.array(data, dtype="str")
    return pd.Series(array, index=index, name=name, copy=False)


def one_chunk(values: pd.Series) -> pd.Series:
    """``values`` over one contiguous Arrow array when it is a ``str`` Series read in many
    blocks: taking a few rows of a chunked string array makes Arrow join every chunk first,
    so each later ``iloc``/``take`` on the column (rules, reports) would copy it whole."""
    data = arrow_strings(values)
    if data is None or data.num_chunks <= 1 or values.dtype != STR_DTYPE:
        return values
    return str_series(data.combine_chunks(), values.index, values.name)


@dataclass
class Factorized:
    """Distinct values of a column and, per row, the position of its value (-1: missing).

    Same order and codes as ``pd.factorize(values, use_na_sentinel=True)``. For Arrow-backed
    strings ``dictionary`` holds the distinct values and ``indices`` the per-row positions
    (null: missing) as Arrow arrays, so results can be mapped back without leaving Arrow.
    """

    codes: np.ndarray
    uniques: Sequence[Any]
    dictionary: pa.Array | None = None
    indices: pa.ChunkedArray | None = None


def _arrow_codes(data: pa.ChunkedArray) -> tuple[np.ndarray, pa.Array, pa.ChunkedArray] | None:
    """Arrow's dictionary encoding of ``data``: per-row codes (-1: missing), the distinct
    values and the per-row indices; None when the chunks do not share one dictionary."""
    if not len(data):
        return None
    chunks = data.dictionary_encode().chunks
    dictionary = chunks[-1].dictionary
    # Arrow encodes the chunks with one memo table: every chunk holds the same dictionary.
    address = dictionary.buffers()[1].address
    if not all(c.dictionary.buffers()[1].address == address for c in chunks):
        return None
    indices = pa.chunked_array([c.indices for c in chunks], type=chunks[0].indices.type)
    filled = indices.fill_null(-1) if indices.null_count else indices
    return filled.to_numpy().astype(np.intp, copy=False), dictionary, indices


def factorize(values: pd.Series) -> Factorized:
    """Factorise ``values``: Arrow's dictionary encoding for ``str`` data, else pandas."""
    data = arrow_strings(values)
    encoded = _arrow_codes(data) if data is not None else None
    if encoded is not None:
        codes, dictionary, indices = encoded
        return Factorized(codes, dictionary.to_pylist(), dictionary, indices)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return Factorized(codes, uniques)


# value_codes results by the id of the Arrow data they were computed from (entries leave
# with that data).
_CODES: dict[int, tuple[np.ndarray, int]] = {}
_CODES_LOCK = threading.Lock()


def value_codes(values: pd.Series) -> tuple[np.ndarray, int]:
    """Per row the number of its distinct value (-1: missing), in order of first appearance,
    and how many distinct values there are: ``pd.factorize(values)`` without the uniques.

    Categorical columns give their category codes. For ``str`` columns the result is kept
    as long as the column's Arrow data lives: the quality gate's uniqueness check, the
    duplicate rules and the case grouping all ask for the codes of the same id columns,
    and hashing a million strings costs a quarter of a second each time.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy().astype(np.int64), len(values.cat.categories)
    data = arrow_strings(values)
    if data is None:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return codes.astype(np.int64), len(uniques)
    key = id(data)
    with _CODES_LOCK:  # held while computing: two threads asking for one column hash it once
        cached = _CODES.get(key)
        if cached is None:
            cached = _CODES[key] = _codes_of_strings(data)
            weakref.finalize(data, _CODES.pop, key, None)
    return cached


def _codes_of_strings(data: pa.ChunkedArray) -> tuple[np.ndarray, int]:
    encoded = _arrow_codes(data)
    if encoded is not None:
        codes, dictionary, _ = encoded
        result = (codes.astype(np.int64, copy=False), len(dictionary))
    elif len(data):
        codes, uniques = pd.factorize(pd.Series(data.to_pandas()), use_na_sentinel=True)
        result = (codes.astype(np.int64), len(uniques))
    else:
        result = (np.zeros(0, dtype=np.int64), 0)
    result[0].flags.writeable = False  # shared: nobody may change it in place
    return result


def map_uniques(
    values: pd.Series,
    one: Callable[[Any], Outcome],
    build: Callable[[list[Any]], Any],
) -> Cleaned:
    """Clean each distinct value of ``values`` once with ``one`` and map the results back.

    ``build`` turns the list of canonical values (None for missing) into an array of the
    canonical dtype that supports ``take``; missing rows take its last element (None).
    """
    if not isinstance(values, pd.Series):
        values = pd.Series(values)
    encoded = factorize(values)
    outcomes = [MISSING if is_blank(u) else one(u) for u in encoded.uniques]
    return assemble(values, encoded, outcomes, build)


def assemble(
    values: pd.Series,
    codes: np.ndarray | Factorized,
    outcomes: list[Outcome],
    build: Callable[[list[Any]], Any],
) -> Cleaned:
    """Map the outcomes of the distinct values (``pd.factorize`` order) back to the rows.

    ``codes`` may be the :class:`Factorized` of ``values``: ``str`` results are then mapped
    back in Arrow, and a column whose values all stay as they are is returned as it came.
    """
    encoded = codes if isinstance(codes, Factorized) else None
    if encoded is not None:
        codes = encoded.codes
    outs = [o[0] for o in outcomes] + [None]
    kinds = [o[1] for o in outcomes] + [None]
    bad = np.array([o[2] for o in outcomes] + [False], dtype=bool)
    index = values.index
    repaired: dict[str, pd.Series] = {}
    kind_arr = np.array(kinds, dtype=object)
    for kind in dict.fromkeys(k for k in kinds if k):
        mask = (kind_arr == kind).take(codes)
        if mask.any():
            repaired[kind] = pd.Series(mask, index=index, copy=False)
    invalid = pd.Series(bad.take(codes), index=index, copy=False)
    if build is str_array and encoded is not None and encoded.indices is not None:
        if values.dtype == STR_DTYPE and all(
            out is not None and out == u for out, u in zip(outs, encoded.uniques, strict=False)
        ):
            cleaned = pd.Series(values.array, index=index, name=values.name, copy=False)
        else:
            canon = pa.array(outs[:-1], type=pa.large_string())
            cleaned = str_series(canon.take(encoded.indices), index, values.name)
        return Cleaned(cleaned, repaired, invalid, codes=codes, distinct=outs[:-1])
    canon = build(outs)
    return Cleaned(
        values=pd.Series(canon.take(codes), index=index, name=values.name, copy=False),
        repaired=repaired,
        invalid=invalid,
    )


def str_array(outs: Sequence[Any]) -> Any:
    """Canonical values as a pandas ``str`` array (None -> missing)."""
    return pd.array(list(outs), dtype="str")


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


# --- name keys for duplicate detection ---------------------------------------------------

_ARABIC_LETTERS = {
    "ا": "a",
    "ب": "b",
    "ت": "t",
    "ث": "th",
    "ج": "j",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ذ": "dh",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "sh",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "z",
    "ع": "",
    "غ": "gh",
    "ف": "f",
    "ق": "q",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "و": "w",
    "ي": "y",
    "ى": "a",
    "ة": "a",
    "ء": "a",
    "أ": "a",
    "إ": "a",
    "آ": "a",
    "ٱ": "a",
    "ئ": "",
    "ؤ": "",
    # Persian / Urdu forms of the same letters
    "ک": "k",
    "ی": "y",
    "ے": "y",
    "ہ": "h",
    "گ": "g",
    "پ": "p",
    "چ": "ch",
    "ژ": "zh",
    "ـ": "",  # tatweel
}
# Harakat and other Arabic marks are dropped.
_ARABIC_MARKS = {chr(c): "" for c in [*range(0x064B, 0x0660), 0x0670]}
_TRANSLIT = str.maketrans({**_ARABIC_LETTERS, **_ARABIC_MARKS})
_NON_LETTERS = re.compile(r"[\W\d_]+")
_VOWELS = set("aeiouyw")


def _word_key(word: str) -> str:
    kept = word[0] + "".join(ch for ch in word[1:] if ch not in _VOWELS)
    out = [kept[0]]
    for ch in kept[1:]:
        if ch != out[-1]:
            out.append(ch)
    return "".join(out)


def name_key(name: str) -> str:
    """Key of one full name: see :func:`normalise_name_key`."""
    text = fix_encoding(name).translate(_TRANSLIT)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    words = _NON_LETTERS.sub(" ", text).split()
    return " ".join(_word_key(w) for w in words)


def normalise_name_key(first: pd.Series, last: pd.Series | None = None) -> pd.Series:
    """Key for duplicate detection of people: ``first + " " + last`` reduced to a skeleton.

    The name is ftfy-fixed, Arabic letters are transliterated with a fixed table, accents
    are removed (NFKD), case is folded and anything that is not a letter becomes a space.
    In each word the vowels a, e, i, o, u, y, w are then dropped except the first letter,
    and runs of one letter collapse to one: "Mohamed", "Muhammad" and "محمد" all give
    "mhmd". Missing parts count as "". ``last`` may be omitted when ``first`` already holds
    the full name. Returns a ``str`` Series (empty string when there is no name at all).
    """
    first_s = first if isinstance(first, pd.Series) else pd.Series(first)
    parts = [first_s]
    if last is not None:
        parts.append(last if isinstance(last, pd.Series) else pd.Series(last, index=first_s.index))
    # Factorise each part, then the pairs of codes: one key per distinct full name.
    part_codes, part_uniques = [], []
    for part in parts:
        codes, uniques = pd.factorize(part, use_na_sentinel=True)
        part_codes.append(codes.astype(np.int64) + 1)  # 0: missing
        part_uniques.append(["", *("" if is_blank(u) else str(u) for u in uniques)])
    combined = part_codes[0]
    if len(parts) == 2:
        combined = combined * (len(part_uniques[1]) + 1) + part_codes[1]
    pair_codes, pairs = pd.factorize(combined)
    keys = []
    for pair in pairs:
        if len(parts) == 2:
            i, j = divmod(int(pair), len(part_uniques[1]) + 1)
            full = part_uniques[0][i] + " " + part_uniques[1][j]
        else:
            full = part_uniques[0][int(pair)]
        keys.append(name_key(full))
    out = pd.array([*keys, ""], dtype="str")
    return pd.Series(out.take(pair_codes), index=first_s.index, name="name_key")
