"""Labels on reviewer pages: only values the configuration knows.

A row or column label of a reviewer table (a mantika, a site, a partner, a code) comes
from the exports, and an export's free text can hold anything: "Home of <name> <phone>"
typed into a location column would otherwise be published as a row label. So every
report that groups reviewers' figures by such a column passes the values through
:func:`known_or_other` (or :func:`known_labels`, which takes the allowed values from
``config/``): a value the configuration lists is kept, anything else is counted under the
one label :data:`OTHER`. Missing values stay missing (each report labels them itself).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import pandas as pd

from ..config import Config, get_config
from ..contract import DATASETS

OTHER = "Other / unrecognised"

# Columns whose allowed values are not a code list of code_lists.yaml.
_SITES = ("location", "site")
_PARTNERS = ("referred_to", "partner")
_COUNTRIES = ("destination_country", "nationality", "country")


def known_or_other(
    values: pd.Series | Iterable[object], allowed: Iterable[object], other: str = OTHER
) -> pd.Series:
    """``values`` with every value not in ``allowed`` replaced by ``other``.

    Values are compared as text (a categorical or a number is compared by its text);
    missing values stay missing. The result has the index of ``values`` (object dtype).
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    known = {str(a) for a in allowed}
    present = series.notna().to_numpy(dtype=bool)
    out = series.astype(object).where(present, None)
    unknown = present & ~out.astype(str).isin(known).to_numpy(dtype=bool)
    out[unknown] = other
    return out


@lru_cache(maxsize=1)
def _country_codes() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.countries)


def _code_list_of(column: str) -> str | None:
    for ds in DATASETS.values():
        for col in ds.columns:
            if col.name == column and col.codes:
                return col.codes
    return None


def allowed_values(column: str, cfg: Config | None = None) -> frozenset[str]:
    """The values ``config/`` knows for ``column``: mantika names (``mantika``), site names
    (``location``), referral partners (``referred_to``), ISO 3166-1 alpha-3 codes (country
    columns), else the column's code list (its own name or the contract's ``codes``).

    Raises KeyError for a column the configuration says nothing about."""
    cfg = cfg or get_config()
    if column == "mantika":
        return frozenset(cfg.sites.mantika_names)
    if column in _SITES:
        return frozenset(s.name for s in cfg.sites.sites)
    if column in _PARTNERS:
        return frozenset(cfg.sites.partners)
    if column in _COUNTRIES:
        return _country_codes()
    if column in cfg.code_lists:
        return frozenset(cfg.code_lists[column])
    codes = _code_list_of(column)
    if codes is not None:
        return frozenset(cfg.codes(codes))
    raise KeyError(f"config/ lists no values for column {column!r}")


def known_labels(
    values: pd.Series | Iterable[object],
    column: str,
    cfg: Config | None = None,
    extra: Iterable[str] = (),
) -> pd.Series:
    """:func:`known_or_other` with the values ``config/`` knows for ``column`` (see
    :func:`allowed_values`), plus the report's own labels in ``extra`` (e.g. "(missing)")."""
    return known_or_other(values, allowed_values(column, cfg) | set(extra))


# Plain-English labels (config/code_lists.yaml, `labels:`) ----------------------------------


def _labels(cfg: Config | None, language: str) -> dict[str, dict]:
    cfg = cfg or get_config()
    try:
        return cfg.labels[language]
    except KeyError:
        raise KeyError(f"config/code_lists.yaml has no labels for language {language!r}") from None


def _list_for(name: str, cfg: Config) -> str:
    """The code list whose labels serve ``name``: a list, a subset list's parent, or the
    list a contract column is coded with (``nationality`` has none: countries have names)."""
    from ..config import _SUBSET_LISTS

    name = _SUBSET_LISTS.get(name, name)
    if name in cfg.code_lists:
        return name
    codes = _code_list_of(name)
    if codes is None:
        raise KeyError(f"config/code_lists.yaml has no code list for {name!r}")
    return _SUBSET_LISTS.get(codes, codes)


def code_labels(name: str, cfg: Config | None = None, language: str = "en") -> dict[str, str]:
    """{code: label} of the code list ``name`` (or of the list a column is coded with)."""
    cfg = cfg or get_config()
    list_name = _list_for(name, cfg)
    labels = _labels(cfg, language)["codes"].get(list_name)
    if labels is None:
        raise KeyError(f"config/code_lists.yaml gives no labels for the list {list_name!r}")
    return dict(labels)


def code_label(name: str, code: object, cfg: Config | None = None, language: str = "en") -> str:
    """The label of one code, e.g. ``code_label("vulnerability", "vot")`` → "Victim of
    trafficking". A value the list does not hold is :data:`OTHER` (it may be free text)."""
    return code_labels(name, cfg, language).get(str(code), OTHER)


def relabel(
    values: pd.Series | Iterable[object],
    name: str,
    cfg: Config | None = None,
    language: str = "en",
) -> pd.Series:
    """``values`` (codes) as labels; unknown values become :data:`OTHER`, missing stay
    missing. Works on a column of codes before counting, or on an index (``pd.Index``)."""
    labels = code_labels(name, cfg, language)
    series = known_or_other(values, labels)
    return series.map(lambda v: labels.get(v, v) if isinstance(v, str) else v)


def column_label(column: str, cfg: Config | None = None, language: str = "en") -> str:
    """How a canonical column is named in a table heading ("flight_type" → "Flight type").

    A column the configuration does not name is spelled out from its name (underscores
    become spaces, first letter capital) so that no snake_case reaches a page."""
    named = _labels(cfg, language)["columns"].get(column)
    if named:
        return named
    text = str(column).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def column_labels(
    columns: Iterable[str], cfg: Config | None = None, language: str = "en"
) -> dict[str, str]:
    """{column: label} for renaming a frame's columns or index names."""
    return {c: column_label(c, cfg, language) for c in columns}
