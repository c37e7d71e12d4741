"""Coded values: code lists, sex, yes/no, mantikas, airports and multi-select lists."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache, partial
from typing import Any

import numpy as np
import pandas as pd

from ..config import Config, get_config
from .arrow import MISSING, Outcome, assemble, is_blank, map_uniques, str_array
from .result import Cleaned
from .text import MISSING_MARKER, is_marker

_NON_ALNUM = re.compile(r"[\W_]+")
_LIST_SEPARATORS = re.compile(r"[;,|]")


def code_key(value: object) -> str:
    """Matching key of a code: accents removed, case folded, spaces and punctuation dropped.

    "Detention Centre", "DETENTION_CENTRE" and " detention-centre " share the key
    "detentioncentre"; "N/A", "na" and "n.a." share "na".
    """
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_ALNUM.sub("", text.casefold())


@lru_cache(maxsize=256)
def _lookup(allowed: tuple[str, ...]) -> dict[str, str]:
    table: dict[str, str] = {}
    for code in allowed:
        table.setdefault(code_key(code), code)
    return table


def _match(
    value: Any, table: dict[str, str], kind: str, markers: frozenset[str] = frozenset()
) -> Outcome:
    """Code of one value through ``table``; unknown values are kept stripped and invalid;
    a missing marker (``markers``: keys of ``text.marker_keys``) is missing."""
    if is_marker(value, markers):
        return None, MISSING_MARKER, False
    raw = value.strip() if isinstance(value, str) else str(value).strip()
    code = table.get(code_key(raw))
    if code is None:
        return raw, None, True
    return code, (None if code == raw else kind), False


def clean_code(
    values: pd.Series, allowed: list[str], markers: frozenset[str] = frozenset()
) -> Cleaned:
    """Clean a coded column to the codes of ``allowed`` (``str`` dtype).

    Matching ignores case, accents, spaces, hyphens, underscores and punctuation
    ("Detention Centre" -> "detention_centre", "N/A"/"n.a." -> "n/a"). Changed values are
    repaired under "code_format"; unknown values are kept (stripped) and invalid, so a rule
    can name them. Leading/trailing spaces alone are stripped without counting a repair.
    Missing markers (``markers``, see ``text.marker_keys``) are missing ("missing_marker").
    """
    table = _lookup(tuple(allowed))
    return map_uniques(values, lambda u: _match(u, table, "code_format", markers), str_array)


_SEX = {
    code_key(k): v
    for k, v in {
        "F": "F",
        "female": "F",
        "woman": "F",
        "women": "F",
        "girl": "F",
        "أنثى": "F",
        "انثى": "F",
        "انثي": "F",
        "M": "M",
        "male": "M",
        "man": "M",
        "men": "M",
        "boy": "M",
        "ذكر": "M",
    }.items()
}


def clean_sex(values: pd.Series, markers: frozenset[str] = frozenset()) -> Cleaned:
    """Clean sex to "F"/"M" from f, m, female, male, woman, man, girl, boy, أنثى, ذكر.

    Repair kind "code_format". Unknown values (e.g. "X") are kept stripped and invalid;
    missing markers are missing.
    """
    return map_uniques(values, lambda u: _match(u, _SEX, "code_format", markers), str_array)


_YES_NO = {
    code_key(k): v
    for k, v in {
        "yes": True,
        "y": True,
        "true": True,
        "t": True,
        "1": True,
        "نعم": True,
        "no": False,
        "n": False,
        "false": False,
        "f": False,
        "0": False,
        "لا": False,
    }.items()
}


def _one_yes_no(value: Any, markers: frozenset[str] = frozenset()) -> Outcome:
    if is_marker(value, markers):
        return None, MISSING_MARKER, False
    if isinstance(value, bool | np.bool_):
        return bool(value), None, False
    if isinstance(value, int | float | np.integer | np.floating):
        if value in (0, 1):
            return bool(value), "yes_no_format", False
        return None, None, True
    text = str(value).strip()
    if text in ("1.0", "0.0"):
        text = text[0]
    answer = _YES_NO.get(code_key(text))
    if answer is None:
        return None, None, True
    return answer, "yes_no_format", False


def clean_yes_no(values: pd.Series, markers: frozenset[str] = frozenset()) -> Cleaned:
    """Clean yes/no answers to the ``boolean`` dtype.

    From yes/no, y/n, true/false, t/f, 1/0, 1.0/0.0 (text or numbers), Python bools and
    نعم/لا. Anything but a bool is repaired under "yes_no_format"; unknown values are NA
    and invalid; missing markers are NA ("missing_marker").
    """
    return map_uniques(
        values, partial(_one_yes_no, markers=markers), lambda outs: pd.array(outs, dtype="boolean")
    )


_MANTIKA_CACHE: dict[int, tuple[Config, dict[str, str]]] = {}


def _mantika_lookup(cfg: Config) -> dict[str, str]:
    hit = _MANTIKA_CACHE.get(id(cfg))
    if hit is None or hit[0] is not cfg:
        hit = (cfg, _build_mantika_lookup(cfg))
        _MANTIKA_CACHE[id(cfg)] = hit
    return hit[1]


def _build_mantika_lookup(cfg: Config) -> dict[str, str]:
    table: dict[str, str] = {}
    for mantika in cfg.sites.mantikas:
        table[code_key(mantika.name)] = mantika.name
    for mantika in cfg.sites.mantikas:
        for alias in mantika.aliases:
            table.setdefault(code_key(alias), mantika.name)
    return table


def clean_mantika(
    values: pd.Series, cfg: Config | None = None, markers: frozenset[str] = frozenset()
) -> Cleaned:
    """Clean mantika values to the names of ``config/sites.yaml`` (``str`` dtype).

    Names and aliases match ignoring case, accents, spaces and punctuation; a changed value
    is repaired under "mantika_alias" (the exact name is not a repair). Unknown values are
    kept stripped and invalid.
    """
    table = _mantika_lookup(cfg or get_config())
    return map_uniques(values, lambda u: _match(u, table, "mantika_alias", markers), str_array)


_AIRPORT_CACHE: dict[int, tuple[Config, dict[str, str]]] = {}


def _airport_lookup(cfg: Config) -> dict[str, str]:
    hit = _AIRPORT_CACHE.get(id(cfg))
    if hit is None or hit[0] is not cfg:
        table: dict[str, str] = {}
        for airport in cfg.sites.airports:
            table[code_key(airport.name)] = airport.name
        for airport in cfg.sites.airports:
            for alias in (airport.iata, *airport.aliases):
                table.setdefault(code_key(alias), airport.name)
        hit = (cfg, table)
        _AIRPORT_CACHE[id(cfg)] = hit
    return hit[1]


def clean_airport(
    values: pd.Series, cfg: Config | None = None, markers: frozenset[str] = frozenset()
) -> Cleaned:
    """Clean departure airports to the airport names of ``config/sites.yaml`` (``str``).

    Names, IATA codes ("MJI") and aliases match like mantikas; a changed value is repaired
    under "airport_alias". Unknown values are kept stripped and invalid.
    """
    table = _airport_lookup(cfg or get_config())
    return map_uniques(values, lambda u: _match(u, table, "airport_alias", markers), str_array)


def _split_one(
    value: Any, table: dict[str, str], order: dict[str, int]
) -> tuple[Any, str | None, bool, list[str]]:
    raw = value.strip() if isinstance(value, str) else str(value).strip()
    known: set[str] = set()
    unknown: dict[str, None] = {}
    for item in _LIST_SEPARATORS.split(raw):
        item = item.strip()
        if not item:
            continue
        code = table.get(code_key(item))
        if code is None:
            unknown.setdefault(item, None)
        else:
            known.add(code)
    codes = sorted(known, key=order.__getitem__)
    parts = codes + list(unknown)
    if not parts:
        return None, None, False, []
    joined = ";".join(parts)
    return joined, (None if joined == raw else "list_format"), bool(unknown), codes


def split_list(
    values: pd.Series, allowed: list[str], prefix: str | None = None
) -> tuple[Cleaned, pd.DataFrame]:
    """Clean a multi-select column and spread it into one boolean column per code.

    Items are split on ";", "," or "|" and matched like :func:`clean_code`. The cleaned
    value joins the codes with ";" in code-list order, without spaces or duplicates (NA
    when empty); unknown items follow, stripped, in the order seen, and make the value
    invalid. Repair kind "list_format" when the result differs from the (stripped) raw.
    The DataFrame has a ``bool`` column ``f"{prefix}{code}"`` per allowed code (False
    where missing) on the same index.
    """
    if not isinstance(values, pd.Series):
        values = pd.Series(values)
    table = _lookup(tuple(allowed))
    order = {code: i for i, code in enumerate(allowed)}
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    flags = np.zeros((len(uniques) + 1, len(allowed)), dtype=bool)  # last row: missing
    outcomes: list[Outcome] = []
    for i, u in enumerate(uniques):
        if is_blank(u):
            outcomes.append(MISSING)
            continue
        joined, kind, bad, found = _split_one(u, table, order)
        outcomes.append((joined, kind, bad))
        for code in found:
            flags[i, order[code]] = True
    cleaned = assemble(values, codes, outcomes, str_array)
    pre = prefix or ""
    frame = pd.DataFrame(
        {f"{pre}{code}": flags[:, j].take(codes) for j, code in enumerate(allowed)},
        index=values.index,
    )
    return cleaned, frame
