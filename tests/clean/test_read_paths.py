"""The two CSV paths agree: pyarrow (with its line-numbering byte scan) and the csv module.

:func:`read_csv` reads a file with pyarrow and numbers its records by scanning the bytes
(one specialisation: without quoted line breaks it skips the quote scan); ``arrow=False``
reads it with the csv module alone, the plain path irregular files take anyway. On any
file both must give the same frame, the same source line numbers and the same notes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from protection_workbench.clean import read as read_module
from protection_workbench.clean.read import read_csv
from protection_workbench.errors import InputFileError


def _both(path: Path):
    """(Arrow path result, plain path result); each a RawTable or the InputFileError text."""
    out = []
    for arrow in (True, False):
        try:
            out.append(read_csv(path, arrow=arrow))
        except InputFileError as exc:
            out.append(str(exc))
    return out


def _assert_same(fast, plain) -> None:
    if isinstance(plain, str) or isinstance(fast, str):
        assert fast == plain
        return
    pd.testing.assert_frame_equal(fast.data, plain.data)
    assert fast.line_numbers.tolist() == plain.line_numbers.tolist()
    assert fast.line_numbers.dtype == plain.line_numbers.dtype
    assert fast.encoding == plain.encoding
    assert fast.original_headers == plain.original_headers
    assert fast.dropped_empty_rows == plain.dropped_empty_rows
    assert fast.dropped_empty_columns == plain.dropped_empty_columns
    assert [(n.column, n.rows.tolist(), n.kind, n.problem) for n in fast.value_notes] == [
        (n.column, n.rows.tolist(), n.kind, n.problem) for n in plain.value_notes
    ]


TRICKY = {
    "quoted newlines": b'id,notes,n\n1,"two\nlines, comma",a\n2,plain,b\n3,"x\n\ny",c\n',
    "crlf with quoted crlf and blank": b'id,notes\r\n1,"a\r\nb"\r\n\r\n2,c\r\n3,"d"\r\n',
    "blank lines": b"id,name\n\n1,a\n\n\n2,b\n\n",
    "bom": b"\xef\xbb\xbfid,name\n1,Jos\xc3\xa9\n2,b\n",
    "bom and quoted newline": b'\xef\xbb\xbfid,name\n1,"a\nb"\n2,c\n',
    "no trailing newline": b"a,b\n1,2\n3,4",
    "empty rows and column": b"id,name,\n1, Amina ,\n,,\n  , ,\n\n2,,\n",
    "ragged short rows": b"id,a,b\n1\n2,x\n3,y,z\n",
    "ragged trailing empty fields": b"id,a\n1,x,,\n2,y\n",
    "legacy value in utf-8": "id,name\n1,José\n".encode() + "2,Peña\n".encode("cp1252"),
    "cp1256 file": "id,name\n1,محمد علي\n2,أحمد\n".encode("cp1256"),
    "cp1252 file": "id,name\n1,José Núñez\n2,Zoë\n".encode("cp1252"),
    "sep hint": b"sep=;\nid;name\n1;a\n\n2;b\n",
    "doubled quotes": b'id,q\n1,"say ""hi""\nthere"\n2,"x"\n',
    "control characters": b"id,name\n1,a\x07b\n2,c\x00\n",
    "whitespace lines": b"id\n1\n \n2\n",
    "old mac line ends": b"id,name\r1,a\r2,b\r",
    "utf-16": "id,name\n1,محمد\n".encode("utf-16"),
}


@pytest.mark.parametrize("name", list(TRICKY))
def test_arrow_and_plain_paths_agree_on_tricky_files(tmp_path: Path, name: str):
    path = tmp_path / "cases.csv"
    path.write_bytes(TRICKY[name])
    fast, plain = _both(path)
    assert not isinstance(plain, str), plain
    _assert_same(fast, plain)


@pytest.mark.parametrize(
    "name",
    [
        "quoted newlines",
        "crlf with quoted crlf and blank",
        "blank lines",
        "bom",
        "legacy value in utf-8",
        "cp1256 file",
        "sep hint",
        "old mac line ends",
    ],
)
def test_regular_tricky_files_take_the_arrow_path(tmp_path: Path, name: str, monkeypatch):
    path = tmp_path / "cases.csv"
    path.write_bytes(TRICKY[name])

    def no_plain_path(*args, **kwargs):
        raise AssertionError("read by the csv module, not by Arrow")

    monkeypatch.setattr(read_module, "_python_read", no_plain_path)
    assert len(read_csv(path)) > 0


def test_record_lines_with_and_without_the_quote_scan_agree():
    data = b'h1,h2\r\n1,"a"\r\n\r\n2,b\n3,""\n\n'
    without, _ = read_module._record_lines(data, quoted_line_breaks=False)
    with_scan, _ = read_module._record_lines(data, quoted_line_breaks=True)
    assert without.tolist() == with_scan.tolist() == [1, 2, 4, 5]
    assert without.dtype == with_scan.dtype == np.int64


@given(
    st.lists(st.sampled_from(["a,b", "1,x y", "", "  ,", 'q,"z"', 'r,"s,t"']), max_size=12),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_line_numbers_counted_from_arrow_agree_with_the_byte_scan(lines, newline, final):
    """When the line feeds match Arrow's records, the records are numbered without a byte
    scan: the numbers must be those of the scan, blank lines and line ends whatever."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    data = ("h1,h2" + newline + newline.join(lines) + (newline if final else "")).encode()
    table = pacsv.read_csv(
        pa.BufferReader(data), read_options=pacsv.ReadOptions(autogenerate_column_names=True)
    )
    scan, _ = read_module._record_lines(data, quoted_line_breaks=False)
    assert (
        read_module._arrow_lines(
            read_module._Text(data, "utf-8-sig", "utf-8"),
            table,
            read_module._line_break_in_quotes(data),
        )[0].tolist()
        == scan.tolist()
    )


values = st.one_of(
    st.text(max_size=8),
    st.sampled_from(
        ["José", "محمد", "Peña", "", " ", "  ", '"', 'a"b', "a,b", "x\ny", "x\r\ny", "\n", "\x07"]
    ),
)


@st.composite
def csv_files(draw) -> bytes:
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    quote_all = draw(st.booleans())
    loose = draw(st.booleans())  # quotes inside unquoted values left as they are (5'11")
    n_cols = draw(st.integers(1, 5))
    header = [f"col{i}" for i in range(n_cols)]
    ragged = draw(st.booleans())
    rows = draw(
        st.lists(
            st.lists(
                values,
                min_size=0 if ragged else n_cols,
                max_size=n_cols + 1 if ragged else n_cols,
            ),
            max_size=10,
        )
    )

    def field(v: str) -> str:
        needs = (delimiter, "\n", "\r") if loose and not v.startswith('"') else (delimiter, '"')
        if quote_all or any(c in v for c in (*needs, "\n", "\r")):
            return '"' + v.replace('"', '""') + '"'
        return v

    lines = [delimiter.join(field(v) for v in row) for row in [header, *rows]]
    blank_after = draw(st.sets(st.integers(0, len(lines))))
    lines = [
        x for i, line in enumerate(lines) for x in ([line, ""] if i in blank_after else [line])
    ]
    if draw(st.booleans()):
        lines.insert(0, f"sep={delimiter}")
    text = newline.join(lines) + draw(st.sampled_from(["", newline, newline * 2]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "cp1256", "mixed"]))
    if encoding == "mixed":  # UTF-8 with some lines in a legacy code page
        parts = text.split("\n")
        return b"\n".join(
            p.encode(draw(st.sampled_from(["utf-8", "cp1252", "cp1256"])), errors="replace")
            for p in parts
        )
    return text.encode(encoding, errors="replace")


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(csv_files())
def test_arrow_and_plain_paths_agree_on_random_files(data: bytes):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cases.csv"
        path.write_bytes(data)
        fast, plain = _both(path)
        _assert_same(fast, plain)


CONTROLS = [chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), 127, *range(0x80, 0xA0)]]


@pytest.mark.parametrize("control", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
@pytest.mark.parametrize("c2_before", [0, read_module._MAX_C2_BYTES + 1])
def test_census_finds_every_control_character(control, c2_before):
    """The one-pass census counts the line feeds and finds each control character, also
    behind many harmless C2 lead bytes (no-break spaces) where it falls back to the regex."""
    head = ("a,b\n" + "x\u00a0,y\n" * c2_before).encode()
    data = head + f"1,v{control}w\n2,z".encode()
    census = read_module._census(data, utf8=True)
    assert census.line_feeds == data.count(b"\n")
    assert census.may_hold_controls
    assert not read_module._census(head + b"1,vw\n2,z", utf8=True).may_hold_controls


def test_census_single_byte_code_page_has_no_c1():
    """In Windows-1252 the bytes 80-9F are letters and signs (euro, quotes), not controls."""
    data = "a,b\n1,\u20ac \u201cq\u201d\n".encode("cp1252")
    assert not read_module._census(data, utf8=False).may_hold_controls
    assert read_module._census(data + b"\x07", utf8=False).may_hold_controls
