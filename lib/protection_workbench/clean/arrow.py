"""Arrow column helpers the value cleaners run on.

:func:`map_uniques` is the engine of every value cleaner: the column is factorised, each
distinct value is cleaned once in Python, and the results are mapped back to the rows with
a ``take`` (never a loop over rows). ``str`` columns stay in Arrow throughout.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .result import Cleaned

# One distinct value cleaned: (canonical value or None if missing/invalid, repair kind or None,
# invalid?). A blank value gives (None, None, False).
Outcome = tuple[Any, str | None, bool]

MISSING: Outcome = (None, None, False)


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
