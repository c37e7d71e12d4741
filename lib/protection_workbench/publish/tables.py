"""Tables on reviewer pages, escaped by construction.

A pandas Styler writes cell values, index and column labels, their names and the caption
into HTML as they are (``format(escape="html")`` covers the values only). :func:`styled`
therefore escapes the whole frame first, through :func:`~.html.esc`: every text value,
every label, every level name and the caption. Numbers stay numbers (formatted by the
Styler with thousands separators).
"""

from __future__ import annotations

import pandas as pd

from .html import esc


def _esc_text(value: object) -> object:
    return esc(value) if isinstance(value, str) else value


def _esc_index(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        levels = [[_esc_label(v) for v in index.get_level_values(i)] for i in range(index.nlevels)]
        return pd.MultiIndex.from_arrays(levels, names=[_esc_name(n) for n in index.names])
    return pd.Index([_esc_label(v) for v in index], name=_esc_name(index.name), dtype=object)


def _esc_label(value: object) -> object:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else esc(value)


def _esc_name(name: object) -> object:
    return None if name is None else esc(name)


def escaped(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text values, labels and label names are HTML-escaped."""
    out = frame.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)):
            out.isetitem(i, column.astype(object).map(_esc_text, na_action="ignore"))
    out.index = _esc_index(out.index)
    out.columns = _esc_index(out.columns)
    return out


def styled(
    frame: pd.DataFrame,
    caption: str | None = None,
    hide_index: bool = True,
    precision: int = 1,
):
    """A reviewer table: everything from the data escaped (:func:`escaped`), counts with
    thousands separators, ``precision`` decimals for ratios, missing as empty, the
    ``caption`` escaped too; the index hidden unless ``hide_index`` is False."""
    styler = escaped(frame).style.format(precision=precision, thousands=",", na_rep="")
    if hide_index:
        styler = styler.hide(axis="index")
    return styler.set_caption(esc(caption)) if caption else styler
