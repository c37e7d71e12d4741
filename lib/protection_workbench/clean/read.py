"""Read one export file (CSV or XLSX) into a raw table of untouched values with line numbers.

Nothing is cleaned here: values keep their text (CSV) or their cell type (XLSX) so that
the column cleaners see exactly what the export holds. What this module does:

* CSV: detects the encoding (UTF-8 with or without BOM, Windows-1252 or Windows-1256
  Arabic), the delimiter (``,``, else ``;``, tab or ``|`` when the header has no comma),
  reads with pyarrow (fast: a million rows in about a second) and records, for every
  data row, the physical line of the file where its record starts (quoted fields may
  span lines).
* XLSX/XLSM: reads the first sheet with calamine; the header is the first non-empty
  row; line numbers are sheet row numbers.
* Both: drops fully empty rows (counted) and fully empty columns without a header
  (counted), names blank headers ``Unnamed column N`` and makes repeated headers unique
  (``Name``, ``Name (2)``).

Unusable files raise :class:`~protection_workbench.errors.InputFileError` naming the
file and the problem in plain words.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import InputFileError

CSV_EXTENSIONS = (".csv", ".txt")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
DELIMITERS = (",", ";", "\t", "|")
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_QUOTED = re.compile(r'"[^"]*"')
_SEP_HINT = re.compile(rb"sep=([,;\t|])\r?\n")
# Signatures of files that are certainly not text.
_BINARY_MAGIC = {
    b"PK\x03\x04": "a ZIP archive or Excel workbook",
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) or Word file",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
}
_SAMPLE_LINES = 2000
_SAMPLE_BYTES = 512 * 1024


@dataclass
class RawTable:
    """The untouched content of one export file."""

    path: Path
    data: pd.DataFrame  # one column per header (unique names), values as in the file
    line_numbers: np.ndarray  # physical line (CSV) or sheet row (XLSX) where each row starts
    encoding: str | None  # None for XLSX
    original_headers: list[str] = field(default_factory=list)
    dropped_empty_rows: int = 0
    dropped_empty_columns: int = 0

    def __len__(self) -> int:
        return len(self.data)


def read_table(path: str | Path) -> RawTable:
    """Read a CSV or XLSX export; raise :class:`InputFileError` for anything unusable."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "file not found")
    if not path.is_file():
        raise InputFileError(path, "is a folder, not a file")
    ext = path.suffix.lower()
    if ext in CSV_EXTENSIONS:
        return _read_csv(path)
    if ext in XLSX_EXTENSIONS:
        return _read_xlsx(path)
    if ext == ".xls":
        raise InputFileError(
            path, "old Excel format (.xls) is not supported: save it as .xlsx or .csv"
        )
    raise InputFileError(
        path, f"unsupported file type {ext or '(no extension)'!r}: expected .csv, .xlsx or .xlsm"
    )


# --------------------------------------------------------------------------- header helpers


def unique_headers(headers: list[str]) -> list[str]:
    """Strip headers, name blank ones ``Unnamed column N`` and number repeats ``Name (2)``."""
    stripped = [h.strip().lstrip("\ufeff").strip() for h in headers]
    named = [h if h else f"Unnamed column {i + 1}" for i, h in enumerate(stripped)]
    taken = set(named)
    seen: set[str] = set()
    out = []
    for name in named:
        if name not in seen:
            seen.add(name)
            out.append(name)
            continue
        n = 2
        while f"{name} ({n})" in taken:
            n += 1
        new = f"{name} ({n})"
        taken.add(new)
        seen.add(new)
        out.append(new)
    return out


def _header_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------- CSV: encoding


def _check_text(path: Path, raw: bytes) -> None:
    head = raw[:4096]
    for magic, what in _BINARY_MAGIC.items():
        if head.startswith(magic):
            raise InputFileError(path, f"not a CSV text file (binary content: looks like {what})")
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if b"\x00" in head or controls > max(2, len(head) // 100):
        raise InputFileError(path, "not a CSV text file (binary content)")


def _sample_non_ascii(raw: bytes) -> bytes:
    """Whole lines holding non-ASCII bytes, up to a bounded sample (fast on big files)."""
    parts: list[bytes] = []
    size = 0
    pos = 0
    while len(parts) < _SAMPLE_LINES and size < _SAMPLE_BYTES:
        m = _NON_ASCII.search(raw, pos)
        if m is None:
            break
        start = raw.rfind(b"\n", 0, m.start()) + 1
        end = raw.find(b"\n", m.start())
        end = len(raw) if end < 0 else end
        parts.append(raw[start:end])
        size += end - start
        pos = end + 1
    return b"\n".join(parts)


def _is_arabic(ch: str) -> bool:
    return "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" or "\ufb50" <= ch <= "\ufeff"


def _arabic_evidence(sample: bytes) -> tuple[int, int]:
    """(Arabic words, mixed words) in ``sample`` decoded as Windows-1256.

    Arabic text in cp1256 gives runs of Arabic letters separated by spaces or punctuation.
    Latin text in cp1252 read as cp1256 gives Arabic letters glued inside Latin words
    ("Mar\u064aa" for "María") or a few isolated marks. Counting both kinds of word
    tells the two apart even with a handful of non-ASCII characters.
    """
    text = sample.decode("cp1256", errors="replace")
    arabic_words = mixed_words = 0
    for word in re.findall(r"[^\W\d_]+|[\u064b-\u065f\u0670]+", text):
        has_arabic = any(_is_arabic(c) for c in word)
        has_latin = any(c.isascii() or "\u00c0" <= c <= "\u024f" for c in word)
        if has_arabic and has_latin:
            mixed_words += 1
        elif has_arabic:
            letters = sum(1 for c in word if unicodedata.category(c).startswith("L"))
            if letters >= 2:
                arabic_words += 1
    return arabic_words, mixed_words


def _latin_mojibake_words(sample: bytes) -> int:
    """Words of 3+ letters made only of non-ASCII Latin letters when read as cp1252 ("ÇáÌäÓ")."""
    text = sample.decode("cp1252", errors="replace")
    return sum(
        1 for w in re.findall(r"[^\W\d_]{3,}", text) if all("\u00c0" <= c <= "\u00ff" for c in w)
    )


def detect_encoding(raw: bytes) -> str:
    """``utf-8-sig`` (BOM), ``utf-8``, ``cp1256`` (Arabic Windows) or ``cp1252`` (Western)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if raw.isascii():
        return "utf-8"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    sample = _sample_non_ascii(raw)
    arabic, mixed = _arabic_evidence(sample)
    mojibake = _latin_mojibake_words(sample)
    if arabic > mixed or (arabic and mojibake > mixed):
        return "cp1256"
    if mixed > 0:
        return "cp1252"
    # No letters to judge by (symbols, a few marks): let charset-normalizer decide.
    try:
        import charset_normalizer

        best = charset_normalizer.from_bytes(sample, cp_isolation=["cp1252", "cp1256"]).best()
        if best is not None and best.encoding == "cp1256":
            return "cp1256"
    except Exception:  # pragma: no cover - detector trouble must not stop reading
        pass
    return "cp1252"


def _for_arrow(raw: bytes, encoding: str) -> tuple[bytes, str]:
    """(bytes, encoding) to hand to Arrow: single-byte code pages are left to Arrow."""
    if encoding in ("cp1252", "cp1256"):
        return raw, encoding
    return _to_utf8(raw, encoding), "utf8"


def _py_codec(arrow_encoding: str) -> str:
    return "utf-8" if arrow_encoding == "utf8" else arrow_encoding


def _to_utf8(raw: bytes, encoding: str) -> bytes:
    if encoding in ("utf-8", "utf-8-sig"):
        return raw[3:] if encoding == "utf-8-sig" else raw
    return raw.decode(encoding, errors="replace").encode("utf-8")


# --------------------------------------------------------------------------- CSV: structure


def _sniff_delimiter(header_line: str) -> str:
    outside = _QUOTED.sub("", header_line)
    if "," in outside:
        return ","
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _first_record(text: str, delimiter: str) -> list[str]:
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        if row:
            return row
    return []


def _positions(arr: np.ndarray, byte: int) -> np.ndarray:
    """Positions of ``byte`` in ``arr``, scanned in blocks (no full-size temporary mask)."""
    step = 1 << 22
    parts = [np.flatnonzero(arr[i : i + step] == byte) + i for i in range(0, len(arr), step)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp)


def _record_lines_fast(data: bytes, table: pa.Table, start: int = 0) -> np.ndarray | None:
    """Start line of each non-empty record (header included), or None when unsure.

    Without quoted newlines record i starts on line i + 1. Otherwise the newlines inside
    the parsed values shift the following records; when blank lines make the totals
    disagree, the record ends are found from the bytes: a newline ends a record when an
    even number of quotes precedes it (RFC 4180: doubled quotes keep the parity). Empty
    lines are skipped, as the CSV parser skips them. The text starts at byte ``start`` (after
    a BOM left in place).
    """
    n_records = table.num_rows
    end = len(data)
    while end > start and data[end - 1] in (10, 13):
        end -= 1
    arr = np.frombuffer(data, dtype=np.uint8, count=end - start, offset=start)
    end -= start
    newlines = _positions(arr, 10)
    n_lines = len(newlines) + 1
    gaps = np.diff(newlines)
    if data.find(b"\r\n", start, start + (1 << 16)) >= 0:  # blank line: "\n\r\n"
        no_blank = not (arr[newlines[:-1][gaps == 2] + 1] == 13).any()
    else:  # blank line: "\n\n"
        no_blank = not (gaps == 1).any()
    if no_blank and n_lines == n_records:
        return np.arange(1, n_records + 1, dtype=np.int64)
    if no_blank and n_lines > n_records:
        extra = np.zeros(n_records, dtype=np.int64)
        for col in table.columns:
            counts = pc.fill_null(pc.count_substring(col, "\n"), 0)
            extra += np.asarray(counts.to_numpy(zero_copy_only=False), dtype=np.int64)
        if n_records + int(extra.sum()) == n_lines:
            shift = np.concatenate(([0], np.cumsum(extra)[:-1]))
            return np.arange(1, n_records + 1, dtype=np.int64) + shift
    quotes = _positions(arr, 34)
    if len(quotes) % 2:
        return None
    ends_record = (np.searchsorted(quotes, newlines) % 2) == 0
    k = np.flatnonzero(ends_record)  # index (0-based) of the newlines that end a record
    starts = np.concatenate(([0], newlines[k] + 1))
    stops = np.concatenate((newlines[k], [end]))
    lines = np.concatenate(([1], k + 2))
    length = stops - starts
    cr_only = np.zeros(len(starts), dtype=bool)
    one = length == 1
    cr_only[one] = arr[starts[one]] == 13
    keep = (length > 0) & ~cr_only
    lines = lines[keep]
    return lines if len(lines) == n_records else None


def _record_lines_python(text: str, delimiter: str) -> tuple[list[list[str]], list[int]]:
    """Parse with the csv module: every non-empty record and the line where it starts."""
    rows, lines = [], []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    previous = 0
    for row in reader:
        if row:
            rows.append(row)
            lines.append(previous + 1)
        previous = reader.line_num
    return rows, lines


def _blank_mask(values: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    return pc.fill_null(pc.equal(pc.utf8_trim_whitespace(values), ""), True)


def _empty_rows(table: pa.Table) -> np.ndarray:
    """Indices of rows whose cells are all missing or whitespace (checked column by column)."""
    if table.num_rows == 0 or table.num_columns == 0:
        return np.zeros(0, dtype=np.int64)
    first = _blank_mask(table.column(0))
    candidates = np.flatnonzero(np.asarray(first.to_numpy(zero_copy_only=False), dtype=bool))
    if len(candidates) == 0 or table.num_columns == 1:
        return candidates
    # The rows blank in the first column, filtered chunk by chunk (``take`` on a chunked
    # column would first join all its chunks), then checked in every other column.
    rest = table.select(range(1, table.num_columns)).filter(first)
    blank = np.ones(len(candidates), dtype=bool)
    for col in rest.columns:
        blank &= np.asarray(_blank_mask(col).to_numpy(zero_copy_only=False), dtype=bool)
    return candidates[blank]


_MAX_QUOTED_VALUES = 100_000


def _line_break_in_quotes(data: bytes) -> bool:
    """Whether a line break may sit inside a quoted value (else Arrow can split blocks at any
    line break, which is much faster). Quotes toggle the quoted state wherever they are, as in
    Arrow's parser (a doubled quote toggles twice); many quoted values or an unbalanced quote
    answer True without looking further."""
    pos = data.find(b'"')
    seen = 0
    while pos >= 0:
        close = data.find(b'"', pos + 1)
        if close < 0 or seen >= _MAX_QUOTED_VALUES:
            return True
        if data.find(b"\n", pos, close) >= 0 or data.find(b"\r", pos, close) >= 0:
            return True
        seen += 1
        pos = data.find(b'"', close + 1)
    return False


def _drop_rows(table: pa.Table, rows: np.ndarray) -> pa.Table:
    """``table`` without the (sorted, unique) ``rows``: zero-copy slices when they form a few
    runs (trailing empty rows), a filter otherwise."""
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    run_starts = np.concatenate(([rows[0]], rows[breaks]))
    run_stops = np.concatenate((rows[breaks - 1], [rows[-1]])) + 1
    if len(run_starts) > 32:
        keep_mask = np.ones(table.num_rows, dtype=bool)
        keep_mask[rows] = False
        return table.filter(pa.array(keep_mask))
    pieces = []
    begin = 0
    for a, b in zip(run_starts.tolist(), run_stops.tolist(), strict=True):
        if a > begin:
            pieces.append(table.slice(begin, a - begin))
        begin = b
    if begin < table.num_rows:
        pieces.append(table.slice(begin))
    return pa.concat_tables(pieces) if pieces else table.slice(0, 0)


def _valid_utf8_prefix(chunk: bytes) -> bool:
    """Whether ``chunk`` is UTF-8, allowing a character cut at its end."""
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(chunk) - 3 and exc.reason == "unexpected end of data"
    return True


def _pyarrow_csv(
    data: bytes, delimiter: str, n_cols: int, invalid: _Invalid, encoding: str = "utf8"
) -> pa.Table:
    """All columns as strings (header row included as row 0), empty cells missing.

    Single-byte code pages (cp1252, cp1256) are transcoded by Arrow while reading, which
    is several times faster than decoding the whole file in Python first.
    """
    return pacsv.read_csv(
        pa.BufferReader(data),
        read_options=pacsv.ReadOptions(
            autogenerate_column_names=True, block_size=1 << 20, encoding=encoding
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter,
            newlines_in_values=_line_break_in_quotes(data),
            invalid_row_handler=invalid,
        ),
        convert_options=pacsv.ConvertOptions(
            # large_string is what pandas' ``str`` dtype holds: no cast in ``to_pandas``.
            column_types={f"f{i}": pa.large_string() for i in range(n_cols)},
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
            check_utf8=True,
        ),
    )


@dataclass
class _Invalid:
    rows: list = field(default_factory=list)

    def __call__(self, row) -> str:
        self.rows.append(row)
        return "skip"


def _is_blank_file(raw: bytes) -> bool:
    if len(raw) > 1 << 16:
        return False
    return not raw.strip(b" \t\r\n\x00").removeprefix(b"\xef\xbb\xbf").strip()


def _read_csv(path: Path) -> RawTable:
    raw = path.read_bytes()
    if _is_blank_file(raw):
        raise InputFileError(path, "file is empty")
    if not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        _check_text(path, raw)
    start = 0  # where the text starts in ``data`` (a UTF-8 BOM is left in place for Arrow)
    if raw.startswith(b"\xef\xbb\xbf"):
        encoding: str | None = "utf-8-sig"
        data = raw  # Arrow skips the BOM itself: no copy of the whole file
        start = 3
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
        try:
            data = raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise InputFileError(path, "not a CSV text file (broken UTF-16 text)") from None
    elif raw.isascii():
        encoding = "utf-8"
        data = raw
    else:
        encoding = None  # UTF-8 unless pyarrow finds invalid UTF-8 (saves a full decode)
        data = raw
    head_text = data[start : start + (1 << 20)].decode("utf-8", errors="replace")
    arrow_encoding = "utf8"  # what Arrow transcodes from (``data`` stays in that encoding)
    if encoding is None and not _valid_utf8_prefix(data[: 1 << 20]):
        encoding = detect_encoding(raw)
        data, arrow_encoding = _for_arrow(raw, encoding)
        head_text = data[: 1 << 20].decode(_py_codec(arrow_encoding), errors="replace")
    hint = _SEP_HINT.match(data, start)
    if hint:  # Excel's "sep=;" first line: blanked (a skipped empty line keeps line numbers)
        data = b"\n" + data[hint.end() :]
        start = 0
        head_text = data[: 1 << 20].decode("utf-8", errors="replace")
    first_line = next((ln for ln in head_text.splitlines() if ln.strip()), "")
    delimiter = hint.group(1).decode() if hint else _sniff_delimiter(first_line)
    header = _first_record(head_text, delimiter)
    if not header:
        raise InputFileError(path, "file is empty")
    n_cols = len(header)

    def slow() -> RawTable:
        nonlocal encoding, data
        if encoding is None:
            encoding = detect_encoding(raw)
            data = _to_utf8(raw, encoding)
        elif arrow_encoding != "utf8":  # the Python reader needs UTF-8
            data = _to_utf8(raw, encoding)
        else:
            data = data[start:]
        return _read_csv_slow(path, data, delimiter, encoding, header)

    invalid = _Invalid()
    try:
        table = _pyarrow_csv(data, delimiter, n_cols, invalid, arrow_encoding)
    except pa.ArrowInvalid as exc:
        if encoding is None and "utf8" in str(exc).casefold().replace("-", ""):
            encoding = detect_encoding(raw)
            data, arrow_encoding = _for_arrow(raw, encoding)
            start = 0
            invalid = _Invalid()
            try:
                table = _pyarrow_csv(data, delimiter, n_cols, invalid, arrow_encoding)
            except pa.ArrowException:
                return slow()
        else:
            return slow()
    except pa.ArrowException:
        return slow()
    encoding = encoding or "utf-8"
    if invalid.rows or table.num_columns != n_cols:
        return slow()

    lines = _record_lines_fast(data, table, start)
    if lines is None:
        text = data[start:].decode(_py_codec(arrow_encoding), errors="replace")
        _, py_lines = _record_lines_python(text, delimiter)
        if len(py_lines) != table.num_rows:
            return slow()
        lines = np.asarray(py_lines, dtype=np.int64)
    table = table.slice(1)
    lines = lines[1:]

    empty = _empty_rows(table)
    dropped_rows = len(empty)
    if dropped_rows:
        keep_mask = np.ones(table.num_rows, dtype=bool)
        keep_mask[empty] = False
        table = _drop_rows(table, empty)
        lines = lines[keep_mask]

    # Blank-headed columns without any value are export artefacts (trailing commas).
    keep = []
    for i, name in enumerate(header):
        if name.strip():
            keep.append(i)
            continue
        if not pc.all(_blank_mask(table.column(i))).as_py():
            keep.append(i)
    names = unique_headers(header)
    frame = table.select(keep).to_pandas()
    frame.columns = [names[i] for i in keep]
    return RawTable(
        path=path,
        data=frame,
        line_numbers=np.asarray(lines, dtype=np.int64),
        encoding=encoding,
        original_headers=list(header),
        dropped_empty_rows=dropped_rows,
        dropped_empty_columns=n_cols - len(keep),
    )


def _read_csv_slow(
    path: Path,
    data: bytes,
    delimiter: str,
    encoding: str,
    header: list[str],
) -> RawTable:
    """Python csv parse for irregular files: exact line numbers in the messages."""
    try:
        rows, lines = _record_lines_python(data.decode("utf-8", errors="replace"), delimiter)
    except csv.Error as exc:
        raise InputFileError(path, f"not a readable CSV file ({exc})") from None
    if not rows:
        raise InputFileError(path, "file is empty")
    header = rows[0]
    n_cols = len(header)
    body = rows[1:]
    body_lines = lines[1:]
    if n_cols > 1 and len(body) >= 2 and all(len(row) == 1 for row in body):
        shown = "tab" if delimiter == "\t" else repr(delimiter)
        raise InputFileError(
            path,
            f"the header has {n_cols} columns separated by {shown} but every row has a "
            "single field: wrong delimiter?",
        )
    for row, line in zip(body, body_lines, strict=True):
        if len(row) > n_cols:
            extra = row[n_cols:]
            if n_cols == 1:
                raise InputFileError(
                    path,
                    f"has only one column: wrong delimiter? (line {line} has {len(row)} fields; "
                    f"header line: {header[0][:60]!r})",
                )
            if all(not v.strip() for v in extra):
                continue  # trailing empty fields: harmless
            raise InputFileError(path, f"line {line} has {len(row)} fields, header has {n_cols}")
    padded = [
        [(v if v != "" else None) for v in row[:n_cols]] + [None] * (n_cols - len(row))
        for row in body
    ]
    keep_rows = [i for i, row in enumerate(padded) if any(v is not None and v.strip() for v in row)]
    dropped_rows = len(padded) - len(keep_rows)
    padded = [padded[i] for i in keep_rows]
    line_numbers = np.asarray([body_lines[i] for i in keep_rows], dtype=np.int64)
    keep = [
        i
        for i, name in enumerate(header)
        if name.strip() or any(row[i] is not None and row[i].strip() for row in padded)
    ]
    names = unique_headers(header)
    frame = pd.DataFrame(
        {names[i]: pd.array([row[i] for row in padded], dtype="str") for i in keep},
        columns=[names[i] for i in keep],
    )
    return RawTable(
        path=path,
        data=frame,
        line_numbers=line_numbers,
        encoding=encoding,
        original_headers=list(header),
        dropped_empty_rows=dropped_rows,
        dropped_empty_columns=n_cols - len(keep),
    )


# --------------------------------------------------------------------------- XLSX


def _cell(value: object) -> object:
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_xlsx(path: Path) -> RawTable:
    if path.stat().st_size == 0:
        raise InputFileError(path, "file is empty")
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        if not workbook.sheet_names:
            raise InputFileError(path, "the workbook has no sheet")
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except InputFileError:
        raise
    except Exception as exc:
        kind = type(exc).__name__
        if "Password" in kind:
            raise InputFileError(path, "the workbook is password-protected") from None
        raise InputFileError(path, "not a readable XLSX workbook (truncated or corrupt)") from None

    width = max((len(row) for row in rows), default=0)
    rows = [[_cell(v) for v in row] + [None] * (width - len(row)) for row in rows]
    header_at = next((i for i, row in enumerate(rows) if not all(_blank(v) for v in row)), None)
    if header_at is None:
        raise InputFileError(path, "the first sheet is empty")
    header = [_header_text(v) for v in rows[header_at]]
    n_cols = len(header)
    body = rows[header_at + 1 :]
    body_lines = list(range(header_at + 2, header_at + 2 + len(body)))
    keep_rows = [i for i, row in enumerate(body) if not all(_blank(v) for v in row)]
    # Rows after the last value are not "empty rows" of the export, just sheet area.
    last = keep_rows[-1] if keep_rows else -1
    dropped_rows = (last + 1) - len(keep_rows)
    body = [body[i] for i in keep_rows]
    line_numbers = np.asarray([body_lines[i] for i in keep_rows], dtype=np.int64)
    keep = [
        i
        for i, name in enumerate(header)
        if name.strip() or any(not _blank(row[i]) for row in body)
    ]
    names = unique_headers(header)
    frame = pd.DataFrame(
        {names[i]: pd.Series([row[i] for row in body], dtype=object) for i in keep},
        columns=[names[i] for i in keep],
    )
    return RawTable(
        path=path,
        data=frame,
        line_numbers=line_numbers,
        encoding=None,
        original_headers=header,
        dropped_empty_rows=dropped_rows,
        dropped_empty_columns=n_cols - len(keep),
    )
