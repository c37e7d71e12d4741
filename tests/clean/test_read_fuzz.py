"""Property tests over the readers: whatever the bytes, no traceback.

Random bytes, random CSV dialects (delimiters, quoting, BOMs, encodings, ragged rows) and
random small XLSX structures either load, with every row accounted for, or raise the
project's own errors (InputFileError / WorkbenchError) — never anything else.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xlsx_parts import write_xlsx

from protection_workbench.clean.dataset import clean_dataset
from protection_workbench.clean.read import Limits, read_table
from protection_workbench.clean.xlsx_guard import _column_letters
from protection_workbench.errors import WorkbenchError

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
SMALL = Limits(max_rows=50, max_columns=12, max_inflated_bytes=200_000, max_compression_ratio=50)
REFERRALS = [
    "Referral No",
    "Individual No",
    "Date of Referral",
    "Service Type",
    "Partner",
    "Due Date",
    "FU Date",
    "Result",
]


def _read(path: Path, limits: Limits | None = None):
    """read_table, with only the project's errors allowed."""
    try:
        return read_table(path, limits)
    except WorkbenchError as exc:
        assert path.name in str(exc)
        return None


def _accounted(table) -> None:
    assert len(table.line_numbers) == len(table.data)
    assert (table.line_numbers >= 1).all()
    assert list(table.line_numbers) == sorted(table.line_numbers)
    for note in table.value_notes:
        assert note.column in table.data.columns
        assert ((note.rows >= 0) & (note.rows < len(table.data))).all()
    for column in table.data.columns:
        for value in table.data[column]:
            if isinstance(value, str):
                assert "\x00" not in value


@SETTINGS
@given(data=st.binary(max_size=600), ext=st.sampled_from([".csv", ".xlsx", ".txt"]))
def test_random_bytes_never_give_a_traceback(data: bytes, ext: str):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"cases{ext}"
        path.write_bytes(data)
        table = _read(path, SMALL)
        if table is not None:
            _accounted(table)


values = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["José", "محمد", "Peña", "", " ", '"', "a,b", "x\ny", "\x00IND", "\x1b"]),
)


@st.composite
def csv_files(draw) -> tuple[bytes, int]:
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    quote_all = draw(st.booleans())
    n_cols = draw(st.integers(1, 6))
    rows = draw(
        st.lists(st.lists(values, min_size=0, max_size=n_cols + 2), min_size=0, max_size=12)
    )
    header = [f"col{i}" for i in range(n_cols)]

    def field(v: str) -> str:
        if quote_all or any(c in v for c in (delimiter, '"', "\n", "\r")):
            return '"' + v.replace('"', '""') + '"'
        return v

    text = "\n".join(delimiter.join(field(v) for v in row) for row in [header, *rows]) + "\n"
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "cp1256", "utf-16", "mixed"]))
    if encoding == "mixed":  # UTF-8 with some lines in a legacy code page
        lines = text.split("\n")
        data = b"\n".join(
            line.encode(draw(st.sampled_from(["utf-8", "cp1252", "cp1256"])), errors="replace")
            for line in lines
        )
    else:
        data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):  # a stray NUL or control byte somewhere
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\x00", b"\x07", b"\xff", b"\r"])) + data[at:]
    return data, len(rows)


@SETTINGS
@given(csv_files())
def test_random_csv_dialects_load_or_fail_cleanly(case):
    data, _ = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cases.csv"
        path.write_bytes(data)
        table = _read(path)
        if table is not None:
            _accounted(table)


@SETTINGS
@given(
    rows=st.lists(
        st.lists(
            st.sampled_from(["REF-1", "", "IND-2", "03/11/2026", "\x00x", "Peña"]), max_size=9
        ),
        max_size=10,
    ),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_cleaned_rows_balance(rows, encoding):
    """rows in = clean + quarantined whenever a referrals export loads."""
    lines = [",".join(REFERRALS)] + [",".join(r) for r in rows]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "referrals.csv"
        path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
        try:
            ds = clean_dataset("referrals", path)
        except WorkbenchError as exc:
            assert "referrals.csv" in str(exc)
            return
        report = ds.report
        assert report.rows_in == report.rows_clean + report.rows_quarantined
        assert report.rows_in + report.dropped_empty_rows <= len(rows)


def _xlsx(sheet: str, shared: str | None, declared_dim: str | None) -> bytes:
    import io

    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    dim = f'<dimension ref="{declared_dim}"/>' if declared_dim else ""
    buf = io.BytesIO()
    strings = None if shared is None else f'<sst xmlns="{ns}">{shared}</sst>'
    write_xlsx(buf, f'<worksheet xmlns="{ns}">{dim}{sheet}</worksheet>', strings)
    return buf.getvalue()


_col = _column_letters  # the reader's own column letters (A, ..., Z, AA, ...)


@st.composite
def xlsx_files(draw) -> bytes:
    cells = []
    strings = draw(st.lists(st.text(max_size=6), max_size=4))
    for _ in range(draw(st.integers(0, 8))):
        row = draw(st.integers(1, 70))
        col = draw(st.integers(1, 20))
        with_ref = draw(st.booleans())
        ref = f' r="{_col(col)}{row}"' if with_ref else ""
        kind = draw(st.sampled_from(["n", "s", "inline", "bad"]))
        if kind == "n":
            cell = f"<c{ref}><v>{draw(st.integers(-5, 10**6))}</v></c>"
        elif kind == "s":
            cell = f'<c{ref} t="s"><v>{draw(st.integers(0, 5))}</v></c>'
        elif kind == "inline":
            text = draw(st.sampled_from(["id", "José", "a&amp;b", "\u009f"]))
            cell = f'<c{ref} t="inlineStr"><is><t>{text}</t></is></c>'
        else:
            cell = f"<c{ref}><v>not a number</v></c>"
        cells.append((row, cell))
    cells.sort()
    body = "".join(f'<row r="{r}">{c}</row>' for r, c in cells)
    shared = (
        "".join(f"<si><t>{s.replace('&', '&amp;').replace('<', '&lt;')}</t></si>" for s in strings)
        if draw(st.booleans())
        else None
    )
    dim = draw(st.sampled_from([None, "A1", "A1:C3", "A1:XFD1048576", "A1:Z100"]))
    data = _xlsx(f"<sheetData>{body}</sheetData>", shared, dim)
    if draw(st.booleans()):  # damage a byte or cut the file
        at = draw(st.integers(0, len(data) - 1))
        if draw(st.booleans()):
            data = data[:at]
        else:
            data = data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]
    return data


@SETTINGS
@given(xlsx_files())
def test_random_small_xlsx_structures_never_give_a_traceback(data: bytes):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cases.xlsx"
        path.write_bytes(data)
        table = _read(path, SMALL)
        if table is not None:
            _accounted(table)
