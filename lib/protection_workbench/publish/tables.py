"""Tables on reviewer pages, escaped by construction.

A pandas Styler writes cell values, index and column labels, their names and the caption
into HTML as they are (``format(escape="html")`` covers the values only). :func:`styled`
therefore escapes the whole frame first, through :func:`~.html.esc`: every text value,
every label, every level name and the caption. Numbers stay numbers (formatted by the
Styler with thousands separators).

It also holds what every published table shares: the one :data:`TOTAL` label, the one
totals helper :func:`with_totals`, and :func:`write_tables`, which writes published tables
as CSV with an HXL hashtag row (their total rows in a file of their own).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from . import hxl
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


# --------------------------------------------------------------------------- totals

TOTAL = "Total"  # the label of the total row and column of every published table


def with_totals(
    table: pd.DataFrame, row: bool = True, column: bool = True, label: str = TOTAL
) -> pd.DataFrame:
    """``table`` (counts, missing as 0) with a ``label`` column of row sums (``column``) and
    a ``label`` row of column sums (``row``), as ints. The one totals helper of the reports:
    pass the result to :func:`~.disclosure.suppress_table` with ``row_total=TOTAL`` /
    ``col_total=TOTAL`` so that the totals are protected with the cells."""
    out = table.fillna(0).astype(int)
    if column:
        out[label] = out.sum(axis=1)
    if row:
        if isinstance(out.index, pd.CategoricalIndex):
            out.index = out.index.astype(object)
        out.loc[label] = out.sum(axis=0)
    return out.astype(int)


# --------------------------------------------------------------------------- published CSV


def plain_numbers(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with every published number as a number ("1,234" -> 1234, "7" -> 7), for
    tools that read CSV; markers such as "<5" and other text stay as they are."""
    out = table.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if column.dtype != object and not pd.api.types.is_string_dtype(column.dtype):
            continue
        text = column.astype(object).where(column.map(lambda v: isinstance(v, str)))
        numbers = hxl.parse_numbers(text.fillna(""))
        if numbers.notna().any():
            out.isetitem(i, column.astype(object).where(numbers.isna(), hxl.plain(numbers)))
    return out


# Every amount the workbench publishes is in Libyan dinars (clean/numbers.py reads LYD only);
# published tables with amounts say so in a #currency column (ISO 4217).
CURRENCY = "LYD"


def write_tables(
    tables: Mapping[str, pd.DataFrame],
    folder: str | Path,
    tags: Mapping[str, Mapping[str, str]],
    prefix: str = "",
    index: bool = False,
    thousands: bool = False,
    currency: str = CURRENCY,
) -> list[Path]:
    """Write each published table (as shown: "1,234", "<5", "[c]", "Total" rows) as
    ``<prefix><name>.csv`` with its HXL hashtag row (``tags[name]``: column -> hashtag) into
    ``folder`` (made if missing), in the form libhxl validates with no issue
    (:func:`.hxl.write_hxl_files`: plain numbers, markers in their own columns, weeks as
    dates, ISO3 codes beside country names, the ``currency`` of amounts, rows labelled
    :data:`TOTAL` in ``<prefix><name>_totals.csv``). Returns every file written. Numbers
    are always written without thousands separators: ``thousands`` is accepted for older
    callers and has no effect."""
    del thousands  # plain numbers always (issue 14); the argument is kept for callers
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [
        path
        for name, table in tables.items()
        for path in hxl.write_hxl_files(
            table,
            folder / f"{prefix}{name}.csv",
            tags[name],
            index=index,
            total=TOTAL,
            currency=currency,
        )
    ]
