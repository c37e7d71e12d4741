"""Countries and nationalities to ISO 3166-1 alpha-3.

A value is looked up in three layers, cheapest first; each distinct value is looked up once:

1. **codes, the project's aliases and the ISO 3166 names**: ISO3 and ISO2 codes, the
   aliases of ``config/country_aliases.yaml`` (demonyms, Arabic spellings, local
   misspellings; they win over every library) and pycountry's ISO 3166 names. Clean
   exports stop here, so the country table below is not even read for them.
2. **the names of OCHA's hdx-python-country** (the library HDX and OCHA's scrapers use),
   read from the table it ships (never a network call): UN English, French, Spanish,
   Russian, Chinese and Arabic short and formal names, M49, ReliefWeb and HPC names.
3. **the library's name patterns** (its ``Regex`` column, what its own fuzzy lookup tries
   first: "palestin|\\bgaza|west.?bank" for PSE), for Latin-script values, accepted only when
   the patterns of exactly one country match. Repaired as "country_pattern" and listed in
   the cleaning report for review.
4. **a fuzzy match** for what is still unknown: the closest name (difflib ratio of the
   matching keys), accepted only at or above ``country_fuzzy_min_score`` of
   ``config/thresholds.yaml`` and only when no other country scores as well. It is
   repaired as "country_fuzzy" and listed in the cleaning report for review.

Before any of this, missing markers (``config/missing_values.yaml``: "NA", "-",
"unknown", "غير معروف") are missing values, and a two-letter value is an ISO 3166
alpha-2 code only when written in capitals ("NG") or in a column of codes (at least
``country_code_min_share`` of its values have two letters): "NA" is never Namibia, "No"
never Norway in a column of names. Each two-letter value read as a code is listed in the
cleaning report for review.

A spelling listed under ``ambiguous`` in the aliases file ("Congolese": Congo or DR Congo),
or a name that two countries of the library share, is never guessed: it stays unrecognised.
"""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from ..config import Config, get_config
from .arrow import MISSING, Outcome, assemble, factorize, is_blank, str_array
from .result import Cleaned
from .text import MISSING_MARKER, marker_key, marker_keys

_NON_ALNUM = re.compile(r"[\W_]+")
_ISO2 = re.compile(r"^[A-Za-z]{2}$")
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
# Arabic letters written interchangeably in names: taa marbuta / haa, alif maqsura / yaa;
# tatweel (the stretching stroke) dropped. Hamza and madda on alef go with the accents.
_ARABIC_FOLD = str.maketrans({"ة": "ه", "ى": "ي", "ـ": None})
# Columns of the library's country table that hold names of the country (those its own
# ``Country`` class looks names up in: UN English, French, Spanish, Russian, Chinese and
# Arabic short and formal names, M49, ReliefWeb and HPC names).
HDX_NAME_COLUMNS = (
    "Preferred Term",
    "ISO Alt Term",
    "DGACM Alt Term",
    "HPC Tools Alt Term",
    "RW Short Name",
    "RW API Alt Term",
    "English Short",
    "French Short",
    "Spanish Short",
    "Russian Short",
    "Chinese Short",
    "Arabic Short",
    "English Formal",
    "M49 English",
    "M49 French",
    "M49 Spanish",
    "M49 Russian",
    "M49 Chinese",
    "M49 Arabic",
)
# The country table hdx-python-country ships, the file its Country.countriesdata reads
# when not live.
HDX_TABLE = "Countries & Territories Taxonomy MVP - C&T Taxonomy.csv"
FUZZY = "country_fuzzy"
PATTERN = "country_pattern"
SHORT_CODE = "country_short_code"
# Values shorter than this are never fuzzy-matched: a stray code is not a misspelt name.
_FUZZY_MIN_LENGTH = 5


def country_key(value: object) -> str:
    """Matching key of a country name: HTML unescaped, accents and Arabic vowel marks
    removed, Arabic letter variants folded, case folded, a leading "the" dropped and any
    run of characters that are not letters or digits (of any script) made one space."""
    text = unicodedata.normalize("NFKD", html.unescape(str(value)))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    key = _NON_ALNUM.sub(" ", text.translate(_ARABIC_FOLD)).strip()
    return key.removeprefix("the ") if key != "the" else key


def _name_variants(name: str) -> list[str]:
    """A name and its reordered forms: "Congo, The Democratic Republic of the" also gives
    "The Democratic Republic of the Congo"; "Iran (Islamic Republic of)" also "Iran"."""
    variants = [name]
    if "," in name:
        head, _, tail = name.partition(",")
        variants.append(f"{tail.strip()} {head.strip()}")
    m = re.match(r"^(.*?)\s*\((.*)\)$", name)
    if m:
        variants.append(f"{m[2]} {m[1]}")
        variants.append(m[1])
    return variants


@dataclass(frozen=True)
class Lookups:
    """The first layer: codes, project aliases and ISO 3166 names (no country library)."""

    names: dict[str, str]  # key -> ISO3 (aliases, ISO 3166 names, ISO3 codes)
    iso2: dict[str, str]  # casefolded ISO2 -> ISO3
    iso3s: frozenset[str]
    ambiguous: frozenset[str]  # keys never guessed


@cache
def _iso3166() -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    """pycountry's names (key -> ISO3), ISO2 codes and ISO3 codes."""
    import pycountry

    names: dict[str, str] = {}
    iso2: dict[str, str] = {}
    for country in pycountry.countries:
        iso3 = country.alpha_3
        iso2[country.alpha_2.casefold()] = iso3
        names.setdefault(country_key(iso3), iso3)
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            for variant in _name_variants(name) if name else []:
                if key := country_key(variant):
                    names.setdefault(key, iso3)
    return names, iso2, frozenset(c.alpha_3 for c in pycountry.countries)


_CACHE: dict[int, tuple[Config, Lookups]] = {}


def lookups(cfg: Config) -> Lookups:
    """The first-layer lookups of ``cfg``, built once per configuration object."""
    hit = _CACHE.get(id(cfg))
    if hit is None or hit[0] is not cfg:
        hit = (cfg, _build_lookups(cfg))
        _CACHE[id(cfg)] = hit
    return hit[1]


def _build_lookups(cfg: Config) -> Lookups:
    iso_names, iso2, iso3s = _iso3166()
    names = dict(iso_names)
    for iso3, aliases in cfg.country_aliases.items():
        for alias in aliases:
            if key := country_key(alias):
                names[key] = iso3.upper()  # analyst aliases win
    ambiguous = frozenset(k for a in cfg.ambiguous_countries if (k := country_key(a)))
    for key in ambiguous:
        names.pop(key, None)
    return Lookups(names, iso2, iso3s, ambiguous)


@cache
def hdx_names() -> tuple[dict[str, str], frozenset[str]]:
    """The second layer: every name of hdx-python-country's bundled table (key -> ISO3),
    and the keys that two countries share (left out: never guessed)."""
    return names_of(bundled_country_names())


def bundled_country_names() -> list[tuple[str, str]]:
    """(name, ISO3) of every name in the country table hdx-python-country ships.

    Speed: the table is read with the csv module, not through the library's ``Country``
    class, whose import pulls in its downloader (frictionless, requests): half a second
    of a million-row clean, paid for a single unknown spelling. The rows are those the
    class keeps with ``use_live=False`` (an official ISO3 code); tests/clean/
    test_countries.py checks that both readings give the same names."""
    import csv
    from importlib.resources import files

    with (files("hdx.location") / HDX_TABLE).open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [
        (row[col], iso3.upper())
        for row in rows
        if (iso3 := row.get("ISO 3166-1 Alpha 3-Codes"))
        for col in HDX_NAME_COLUMNS
        if row.get(col)
    ]


@cache
def hdx_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    """(ISO3, pattern) of every country of hdx-python-country's table with a name pattern
    (the ``Regex`` column its ``Country.get_iso3_country_code_fuzzy`` searches)."""
    import csv
    from importlib.resources import files

    with (files("hdx.location") / HDX_TABLE).open(encoding="utf-8", newline="") as f:
        return tuple(
            (iso3.upper(), re.compile(pattern, re.IGNORECASE))
            for row in csv.DictReader(f)
            if (iso3 := row.get("ISO 3166-1 Alpha 3-Codes")) and (pattern := row.get("Regex"))
        )


def _by_pattern(raw: str) -> str | None:
    """The one country whose name pattern ``raw`` matches (Latin script only, as the
    library: Arabic and Chinese names are matched exactly); None when none or several do."""
    if not raw.upper().isupper() or not raw.isascii():
        return None
    found = {iso3 for iso3, pattern in hdx_patterns() if pattern.search(raw)}
    return found.pop() if len(found) == 1 else None


def names_of(pairs: list[tuple[str, str]]) -> tuple[dict[str, str], frozenset[str]]:
    """The matching keys of ``(name, ISO3)`` pairs: key -> ISO3 for the keys of one
    country, and the keys that two countries share."""
    seen: dict[str, set[str]] = {}
    for name, iso3 in pairs:
        for variant in _name_variants(str(name)):
            if key := country_key(variant):
                seen.setdefault(key, set()).add(iso3)
    names = {k: next(iter(codes)) for k, codes in seen.items() if len(codes) == 1}
    return names, frozenset(k for k, codes in seen.items() if len(codes) > 1)


@dataclass
class _Matcher:
    """Looks up distinct values through the layers, importing the library only if needed."""

    first: Lookups
    min_score: float
    fuzzy: list[dict] = field(default_factory=list)  # what the fuzzy layer accepted

    def exact(self, raw: str, codes: bool) -> str | None:
        """ISO3 of ``raw`` through codes, aliases and ISO names; ``codes``: whether the
        column holds two-letter codes. A two-letter value is an ISO2 code when written in
        capitals ("NG") or in a column of codes ("ng"); "No" in a column of names is not
        Norway."""
        if raw in self.first.iso3s:
            return raw
        # ISO2 only for a value of exactly two letters ("ng", not "n g")
        if _ISO2.match(raw):
            return self.first.iso2.get(raw.casefold()) if codes or raw.isupper() else None
        return _known(raw, self.first.names)

    def later_layers(self, raw: str) -> tuple[str | None, float | str | None]:
        """(ISO3, how: None when the library knows the name exactly, else the fuzzy score,
        or "pattern" for one of the library's name patterns, tried last)."""
        key = country_key(raw)
        if not key or key in self.first.ambiguous:
            return None, None
        names, shared = hdx_names()
        if code := _known(raw, names):
            return code, None
        if key in shared or _ISO2.match(raw):  # a stray code is not a misspelt name
            return None, None
        if len(key) >= _FUZZY_MIN_LENGTH:
            code, score = _closest(key, (self.first.names, names), self.min_score)
            if code is not None and not _names_another(key, code, (self.first.names, names)):
                return code, score
        code = _by_pattern(raw)
        return code, ("pattern" if code else None)


def _known(raw: str, names: dict[str, str]) -> str | None:
    """The country of ``raw`` or of a reordered form ("Congo, Democratic Republic of the")."""
    for variant in _name_variants(raw):
        if code := names.get(country_key(variant)):
            return code
    return None


def _names_another(key: str, code: str, tables: tuple[dict[str, str], ...]) -> bool:
    """Whether ``key`` holds, word for word, the name of a country other than ``code``
    ("nigeria republic" holds Nigeria: it is no misspelling of "niger republic")."""
    words = key.split()
    spans = {" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}
    return any(t.get(span, code) != code for span in spans for t in tables)


def _closest(key: str, tables: tuple[dict[str, str], ...], min_score: float):
    """(ISO3, score) of the one country whose closest name scores at least ``min_score``;
    (None, None) when none does or when two countries score as well."""
    best: dict[str, float] = {}
    for table in tables:
        for name in difflib.get_close_matches(key, table, n=5, cutoff=min_score):
            score = difflib.SequenceMatcher(None, key, name).ratio()
            best[table[name]] = max(best.get(table[name], 0.0), score)
    if not best:
        return None, None
    ranked = sorted(best.items(), key=lambda item: -item[1])
    if len(ranked) > 1 and ranked[1][1] >= ranked[0][1]:
        return None, None  # two countries as close: not a guess to make
    return ranked[0][0], round(ranked[0][1], 3)


def clean_countries(values: pd.Series, cfg: Config | None = None) -> Cleaned:
    """Clean countries and nationalities to upper-case ISO 3166-1 alpha-3 (``str`` dtype).

    Missing markers ("NA", "N/A", "-", "unknown", "غير معروف": config/missing_values.yaml)
    are missing ("missing_marker"). Then recognised through the layers of this module:
    codes (ISO3 in any case; ISO2 only as a value of exactly two letters, in capitals or
    in a column of codes, see ``country_code_min_share``), the project's aliases, ISO
    3166 names (also reordered, "The Democratic Republic of the Congo", "Iran (Islamic
    Republic of)"), the names of hdx-python-country in English, French, Spanish and
    Arabic, fuzzy matches at or above the configured score and the library's name
    patterns. Matching ignores case, accents, HTML entities, punctuation, spacing and a
    leading "the". Changed values are repaired
    under "html_entity" when the value held an HTML entity, "country_pattern" and
    "country_fuzzy" for the library's patterns and fuzzy matches, else "country_alias".
    Pattern, fuzzy and two-letter matches are listed in :attr:`Cleaned.notes` for review.
    Unknown and ambiguous values are kept stripped and invalid.
    """
    cfg = cfg or get_config()
    if not isinstance(values, pd.Series):
        values = pd.Series(values)
    matcher = _Matcher(lookups(cfg), cfg.thresholds.country_fuzzy_min_score)
    markers = marker_keys(cfg.missing_markers)
    encoded = factorize(values)
    raws = [None if is_blank(u) else (u.strip() if isinstance(u, str) else str(u).strip())
            for u in encoded.uniques]  # fmt: skip
    marker = np.array([r is not None and marker_key(r) in markers for r in raws], dtype=bool)
    two = np.array([r is not None and bool(_ISO2.match(r)) for r in raws], dtype=bool) & ~marker
    rows = np.bincount(encoded.codes[encoded.codes >= 0], minlength=len(raws))
    given = int(rows[np.array([r is not None for r in raws], dtype=bool) & ~marker].sum())
    # A column of codes: enough of its values have two letters. (Decided on what cleaning
    # does not change, so that cleaning the cleaned column changes nothing.)
    codes = given > 0 and rows[two].sum() >= cfg.thresholds.country_code_min_share * given
    review: dict[str, tuple[str, str, float | None]] = {}  # raw -> (kind, ISO3, score)

    def one(i: int, raw: str | None) -> Outcome:
        if raw is None:
            return MISSING
        if marker[i]:
            return None, MISSING_MARKER, False
        code, how = matcher.exact(raw, codes), None
        if code is None:
            code, how = matcher.later_layers(raw)
        if code is None:
            return raw, None, True
        if two[i]:
            review[raw] = (SHORT_CODE, code, None)
        if code == raw:
            return raw, None, False
        if how == "pattern":
            review[raw] = (PATTERN, code, None)
            return code, PATTERN, False
        if how is not None:
            review[raw] = (FUZZY, code, how)
            return code, FUZZY, False
        return code, ("html_entity" if _ENTITY.search(raw) else "country_alias"), False

    outcomes = [one(i, raw) for i, raw in enumerate(raws)]
    cleaned = assemble(values, encoded, outcomes, str_array)
    if review:
        cleaned.notes = _review_notes(raws, rows, review)
    return cleaned


def _review_notes(
    raws: list[str | None], rows: np.ndarray, review: dict[str, tuple[str, str, float | None]]
) -> list[dict]:
    """One note per spelling matched by pattern, fuzzily or as a two-letter code: the value,
    the country taken, the score of a fuzzy match and its rows."""
    counts: dict[str, int] = {}
    for raw, n in zip(raws, rows, strict=True):
        if raw in review:
            counts[raw] = counts.get(raw, 0) + int(n)
    notes = []
    for raw, n in counts.items():
        kind, country, score = review[raw]
        note = {"kind": kind, "value": raw, "country": country}
        if kind == FUZZY:
            note["score"] = score
        notes.append(note | {"rows": n})
    return notes
