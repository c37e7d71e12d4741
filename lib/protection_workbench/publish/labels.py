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
