"""Countries and nationalities to ISO 3166-1 alpha-3."""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

import pandas as pd
import pycountry

from ..config import Config, get_config
from .arrow import Outcome, map_uniques, str_array
from .result import Cleaned

_NON_ALNUM = re.compile(r"[\W_]+")
_ISO2 = re.compile(r"^[A-Za-z]{2}$")
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def country_key(value: object) -> str:
    """Matching key of a country name: HTML unescaped, accents removed, case folded and any
    run of characters that are not letters or digits (of any script) made one space."""
    text = unicodedata.normalize("NFKD", html.unescape(str(value)))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return _NON_ALNUM.sub(" ", text).strip()


_Lookups = tuple[dict[str, str], dict[str, str], frozenset[str]]


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
    return variants


_CACHE: dict[int, tuple[Config, _Lookups]] = {}


def _lookups(cfg: Config) -> _Lookups:
    """The lookups of ``cfg``, built once per configuration object."""
    hit = _CACHE.get(id(cfg))
    if hit is None or hit[0] is not cfg:
        hit = (cfg, _build_lookups(cfg))
        _CACHE[id(cfg)] = hit
    return hit[1]


def _build_lookups(cfg: Config) -> _Lookups:
    """(key -> ISO3 from names, codes and aliases; ISO2 key -> ISO3; the ISO3 codes)."""
    names: dict[str, str] = {}
    iso2: dict[str, str] = {}
    for country in pycountry.countries:
        iso3 = country.alpha_3
        iso2[country.alpha_2.casefold()] = iso3
        names.setdefault(country_key(iso3), iso3)
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            if not name:
                continue
            for variant in _name_variants(name):
                key = country_key(variant)
                if key:
                    names.setdefault(key, iso3)
    for iso3, aliases in cfg.country_aliases.items():
        for alias in aliases:
            key = country_key(alias)
            if key:
                names[key] = iso3.upper()  # analyst aliases win
    return names, iso2, frozenset(c.alpha_3 for c in pycountry.countries)


def _one(value: Any, names: dict[str, str], iso2: dict[str, str], iso3s: frozenset[str]) -> Outcome:
    raw = value.strip() if isinstance(value, str) else str(value).strip()
    if raw in iso3s:
        return raw, None, False
    # ISO2 codes only count when the value is exactly two letters ("ng", not "n g").
    code = iso2.get(raw.casefold()) if _ISO2.match(raw) else names.get(country_key(raw))
    if code is None:
        return raw, None, True
    if code == raw:
        return raw, None, False
    return code, ("html_entity" if _ENTITY.search(raw) else "country_alias"), False


def clean_countries(values: pd.Series, cfg: Config | None = None) -> Cleaned:
    """Clean countries and nationalities to upper-case ISO 3166-1 alpha-3 (``str`` dtype).

    Recognised: ISO3 codes (in any case), ISO2 codes (only a value of exactly two
    letters), pycountry names, official and common names (also reordered, "The Democratic
    Republic of the Congo", "Iran (Islamic Republic of)"), and the aliases of
    ``config/country_aliases.yaml`` (demonyms, misspellings, Arabic; these win over
    pycountry). Matching ignores case, accents, HTML entities, punctuation and spacing.
    Changed values are repaired under "html_entity" when the value held an HTML entity,
    else "country_alias". Unknown values are kept stripped and invalid.
    """
    names, iso2, iso3s = _lookups(cfg or get_config())
    return map_uniques(values, lambda u: _one(u, names, iso2, iso3s), str_array)
