"""Arrow column helpers: factorising and mapping distinct values back to the rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from protection_workbench.clean.arrow import (
    STR_DTYPE,
    factorize,
    map_uniques,
    one_chunk,
    str_array,
)

texts = st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", " ", "é", "محمد"])), max_size=20)


@given(texts)
def test_factorize_is_pandas_factorize(values):
    for series in (pd.Series(values, dtype="str"), pd.Series(values, dtype=object)):
        encoded = factorize(series)
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        assert encoded.codes.tolist() == codes.tolist()
        assert list(encoded.uniques) == list(uniques)


@given(texts)
def test_map_uniques_maps_each_distinct_value_back(values):
    series = pd.Series(values, dtype="str")
    cleaned = map_uniques(
        series, lambda v: (v.upper(), "case" if v != v.upper() else None, False), str_array
    )
    expected = [None if v is None or not v.strip() else v.upper() for v in values]
    assert [None if pd.isna(v) else v for v in cleaned.values] == expected
    changed = [v is not None and v.strip() != "" and v != v.upper() for v in values]
    assert cleaned.repaired.get("case", pd.Series(False, index=series.index)).tolist() == changed
    assert not cleaned.invalid.any()


def test_unchanged_str_column_is_returned_as_it_came():
    series = pd.Series(["A", "B", None, "A"], dtype="str")
    cleaned = map_uniques(series, lambda v: (v, None, False), str_array)
    assert cleaned.values.array is series.array or cleaned.values.tolist() == series.tolist()
    assert cleaned.values.dtype == STR_DTYPE


def test_one_chunk_joins_the_chunks_of_a_str_column():
    import pyarrow as pa

    from protection_workbench.clean.arrow import str_series

    data = pa.chunked_array(
        [pa.array(["a", None], pa.large_string()), pa.array(["b"], pa.large_string())]
    )
    series = str_series(data, pd.RangeIndex(3), "x")
    joined = one_chunk(series)
    assert joined.array._pa_array.num_chunks == 1
    assert joined.tolist()[0] == "a" and joined.tolist()[2] == "b"
    assert np.asarray(joined.isna()).tolist() == [False, True, False]
