"""Name keys for duplicate detection of people ("Mohamed", "Muhammad", "محمد" -> "mhmd")."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from .arrow import is_blank
from .text import fix_encoding

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
