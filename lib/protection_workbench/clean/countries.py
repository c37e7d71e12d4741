"""Countries and nationalities to ISO 3166-1 alpha-3.

A value is looked up in three layers, cheapest first; each distinct value is looked up once:

1. **codes, the project's aliases and the ISO 3166 names**: ISO3 and ISO2 codes, the
   aliases of ``config/country_aliases.yaml`` (demonyms, Arabic spellings, local
   misspellings; they win over every library) and pycountry's ISO 3166 names. Clean
   exports stop here, so the country table below is not even read for them.
2. **the names of OCHA's hdx-python-country** (the library HDX and OCHA's scrapers use),
   read from the table it ships (never a network call): UN English, French, Spanish,
   Russian, Chinese and Arabic short and formal names, M49, ReliefWeb and HPC names.
3. **a fuzzy match** for what is still unknown: the closest name (difflib ratio of the
   matching keys), accepted only at or above ``country_fuzzy_min_score`` of
   ``config/thresholds.yaml`` and only when no other country scores as well. It is
   repaired as "country_fuzzy" and listed in the cleaning report for review.

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
from typing import Any

import pandas as pd

from ..config import Config, get_config
from .arrow import Outcome, factorize, is_blank, map_uniques, str_array
from .result import Cleaned

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

    def exact(self, raw: str) -> str | None:
        if raw in self.first.iso3s:
            return raw
        # ISO2 only for a value of exactly two letters ("ng", not "n g")
        if _ISO2.match(raw) and raw.casefold() in self.first.iso2:
            return self.first.iso2[raw.casefold()]
        return _known(raw, self.first.names)

    def later_layers(self, raw: str) -> tuple[str | None, float | None]:
        """(ISO3, fuzzy score or None when the library knows the name exactly)."""
        key = country_key(raw)
        if not key or key in self.first.ambiguous:
            return None, None
        names, shared = hdx_names()
        if code := _known(raw, names):
            return code, None
        if key in shared or len(key) < _FUZZY_MIN_LENGTH:
            return None, None
        code, score = _closest(key, (self.first.names, names), self.min_score)
        if code is not None and _names_another(key, code, (self.first.names, names)):
            return None, None
        return code, score


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

    Recognised through the layers of this module: codes (ISO3 in any case; ISO2 only as a
    value of exactly two letters), the project's aliases, ISO 3166 names (also reordered,
    "The Democratic Republic of the Congo", "Iran (Islamic Republic of)"), the names of
    hdx-python-country in English, French, Spanish and Arabic, and fuzzy matches at or
    above the configured score. Matching ignores case, accents, HTML entities,
    punctuation, spacing and a leading "the". Changed values are repaired under
    "html_entity" when the value held an HTML entity, "country_fuzzy" for a fuzzy match
    (also listed in :attr:`Cleaned.notes` for review), else "country_alias". Unknown and
    ambiguous values are kept stripped and invalid.
    """
    cfg = cfg or get_config()
    matcher = _Matcher(lookups(cfg), cfg.thresholds.country_fuzzy_min_score)
    scores: dict[str, tuple[str, float]] = {}

    def one(value: Any) -> Outcome:
        raw = value.strip() if isinstance(value, str) else str(value).strip()
        code, score = matcher.exact(raw), None
        if code is None:
            code, score = matcher.later_layers(raw)
        if code is None:
            return raw, None, True
        if code == raw:
            return raw, None, False
        if score is not None:
            scores[raw] = (code, score)
            return code, FUZZY, False
        return code, ("html_entity" if _ENTITY.search(raw) else "country_alias"), False

    cleaned = map_uniques(values, one, str_array)
    if scores:
        cleaned.notes = _fuzzy_notes(values, scores)
    return cleaned


def _fuzzy_notes(values: pd.Series, scores: dict[str, tuple[str, float]]) -> list[dict]:
    """One note per fuzzy-matched spelling: the value, the country taken, score and rows."""
    encoded = factorize(values)
    rows = pd.Series(encoded.codes).value_counts()
    counts: dict[str, int] = {}
    for i, u in enumerate(encoded.uniques):
        raw = None if is_blank(u) else (u.strip() if isinstance(u, str) else str(u).strip())
        if raw in scores:
            counts[raw] = counts.get(raw, 0) + int(rows.get(i, 0))
    return [
        {"kind": FUZZY, "value": raw, "country": scores[raw][0], "score": scores[raw][1], "rows": n}
        for raw, n in counts.items()
    ]
