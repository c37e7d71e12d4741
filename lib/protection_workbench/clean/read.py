"""Read one export file (CSV or XLSX) into a raw table of untouched values with line numbers.

Nothing is cleaned here: values keep their text (CSV) or their cell type (XLSX) so that
the column cleaners see exactly what the export holds. What this module does:

* CSV: detects the encoding (UTF-8 with or without BOM, Windows-1252 or Windows-1256
  Arabic), the delimiter (``,``, else ``;``, tab or ``|`` when the header has no comma),
  reads with pyarrow (fast: a million rows in about a second) and records, for every
  data row, the line of the file where its record starts (quoted fields may span lines;
  a line feed ends a line). Files pyarrow cannot read as a regular table (ragged rows,
  odd quoting) are read with the csv module, which names the line of any problem; both
  paths give the same table (tests/clean/test_read_paths.py). A quote not closed on its
  line (which would swallow the lines after it into one value) is found by the record it
  makes: a value running to the end of the file, another number of fields than the
  header, a line of the value that is a whole record, or a line break in a column the
  data contract keeps on one line; that record is set aside (:attr:`RawTable.set_aside`,
  quarantined by the dataset with its line and reason) and the lines after it read again.
  Every line is accounted for: in a record, set aside, or empty.
* XLSX/XLSM: reads the first sheet with calamine; the header is the first non-empty
  row; line numbers are sheet row numbers.
* Both: drops fully empty rows (counted) and fully empty columns without a header
  (counted), names blank headers ``Unnamed column N`` and makes repeated headers unique
  (``Name``, ``Name (2)``).

Unusable files raise :class:`~protection_workbench.errors.InputFileError` naming the
file and the problem in plain words (file, line, column and reason: never the content of
a record or a cell, which may be personal data).

Hostile or broken files are bounded before they are loaded (limits of
``config/thresholds.yaml``): a CSV larger than ``max_inflated_bytes`` or with more than
``max_columns`` columns, an XLSX whose zip parts declare or actually inflate to more than
``max_inflated_bytes`` (or inflate ``max_compression_ratio`` times their size), or whose
sheets declare or hold a cell beyond ``max_rows``/``max_columns``, is refused before the
XLSX reader allocates anything. The work on a sheet is bounded by what it holds: cells far
below its rows or rows of formatting only are read from a compacted copy (rows holding a
value), and a sheet that would still make the reader build more than ``max_cells`` cells
is refused (:mod:`.xlsx_guard`). A data file that is a symbolic link out of its folder is
refused without being read.

Text integrity: a UTF-8 file with a few Windows-1252/1256 values is decoded value by value
(the whole-file decode is tried first); values decoded from the legacy code page are
counted as repairs, values whose code page is not clear are value issues, never a silent
U+FFFD. NUL and other control characters (except tab and line breaks) are removed from
values and counted. Both are listed in :attr:`RawTable.value_notes`.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import functools
import io
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import InputFileError
from .limits import Limits
from .xlsx_guard import XLS_MESSAGE, check_xlsx, compacted

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
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) or Word file; save it as .xlsx or .csv",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
}
_SAMPLE_LINES = 2000
_SAMPLE_BYTES = 512 * 1024


@dataclass
class ValueNote:
    """Values of one column that reading changed (a repair) or could not read (an issue)."""

    column: str  # the header as in RawTable.data
    rows: np.ndarray  # positions in RawTable.data
    kind: str  # repair kind ("legacy_encoding", "control_characters") or issue kind
    problem: str | None = None  # None: a repair; else the value issue's problem, in words


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
    value_notes: list[ValueNote] = field(default_factory=list)
    # Records of a CSV file set aside while reading (broken quoting): each is one row in
    # that is neither in ``data`` nor dropped, so the dataset quarantines it.
    set_aside: list[SetAside] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class SetAside:
    """One record of a CSV file that reading set aside: where it starts and why (in words,
    never its content)."""

    line: int
    column: str  # the header of the value where the broken quote opens
    reason: str


def read_table(
    path: str | Path,
    limits: Any = None,
    folder: str | Path | None = None,
    multiline: Multiline | None = None,
) -> RawTable:
    """Read a CSV or XLSX export; raise :class:`InputFileError` for anything unusable.

    ``limits``: a :class:`Limits`, ``Thresholds`` or ``Config`` (default: the configuration
    in use). ``folder``: the data folder the file must stay in (default: its own folder);
    a symbolic link to a file outside it is refused without being followed.
    ``multiline``: which headers of a CSV file may hold line breaks (see
    :func:`contract_multiline`; default: any).
    """
    path = Path(path)
    check_not_linked_out(path, Path(folder) if folder is not None else path.parent)
    if not path.exists():
        raise InputFileError(path, "file not found")
    if not path.is_file():
        raise InputFileError(path, "is a folder, not a file")
    ext = path.suffix.lower()
    if ext in CSV_EXTENSIONS:
        return read_csv(path, limits, multiline=multiline)
    if ext in XLSX_EXTENSIONS:
        return _read_xlsx(path, Limits.of(limits))
    if ext == ".xls":
        raise InputFileError(path, XLS_MESSAGE)
    raise InputFileError(
        path, f"unsupported file type {ext or '(no extension)'!r}: expected .csv, .xlsx or .xlsm"
    )


def contract_multiline(dataset: str, path: str | Path, cfg: Any = None) -> Multiline:
    """Which headers of an export of ``dataset`` may hold line breaks: the free-text columns
    of the data contract (notes) and the columns it does not know. Identifiers, dates,
    codes, names ... are kept on one line: a line break in them is a broken quote."""
    from ..contract import dataset as get_dataset
    from .headers import map_headers

    free = {c.name for c in get_dataset(dataset).columns if c.free_text}

    def may_break(headers: list[str]) -> list[bool]:
        mapping = map_headers(headers, dataset, path, cfg)
        allowed = free | set(mapping.unknown)
        return [mapping.columns.get(h, h) in allowed for h in headers]

    return may_break


def check_not_linked_out(path: Path, folder: Path) -> None:
    """Refuse ``path`` when it is a symbolic link whose target is not inside ``folder``
    (an export folder must not make the workbench read, and echo, a file elsewhere)."""
    if not path.is_symlink():
        return
    try:
        inside = path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a link loop
        inside = False
    if not inside:
        raise InputFileError(
            path,
            "is a symbolic link to a file outside the data folder: refused, not read "
            "(copy the export into the folder instead)",
        )


def _too_many_columns(path: Path, n: int, limits: Limits, where: str = "the header") -> None:
    if n > limits.max_columns:
        raise InputFileError(
            path,
            f"{where} has {n:,} columns, more than the limit max_columns "
            f"({limits.max_columns}) of config/thresholds.yaml",
        )


# --------------------------------------------------------------------------- header helpers


def unique_headers(headers: list[str]) -> list[str]:
    """Strip headers, name blank ones ``Unnamed column N`` and number repeats ``Name (2)``.

    Linear time: each repeated name remembers the last number it tried."""
    stripped = [h.strip().lstrip("\ufeff").strip() for h in headers]
    named = [h if h else f"Unnamed column {i + 1}" for i, h in enumerate(stripped)]
    taken = set(named)
    seen: set[str] = set()
    next_n: dict[str, int] = {}
    out = []
    for name in named:
        if name not in seen:
            seen.add(name)
            out.append(name)
            continue
        n = next_n.get(name, 2)
        while f"{name} ({n})" in taken:
            n += 1
        new = f"{name} ({n})"
        next_n[name] = n + 1
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
    # A few stray control characters (a NUL pasted into a value) are removed from the
    # values later and counted; many of them mean a binary file.
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if controls > max(2, len(head) // 100):
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


def _legacy_verdict(sample: bytes) -> str | None:
    """``cp1256`` or ``cp1252`` when the letters of ``sample`` tell, else None."""
    arabic, mixed = _arabic_evidence(sample)
    mojibake = _latin_mojibake_words(sample)
    if arabic > mixed or (arabic and mojibake > mixed):
        return "cp1256"
    if mixed > 0:
        return "cp1252"
    return None


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
    verdict = _legacy_verdict(sample)
    if verdict is not None:
        return verdict
    # No letters to judge by (symbols, a few marks): let charset-normalizer decide.
    try:
        import charset_normalizer

        best = charset_normalizer.from_bytes(sample, cp_isolation=["cp1252", "cp1256"]).best()
        if best is not None and best.encoding == "cp1256":
            return "cp1256"
    except Exception:  # pragma: no cover - detector trouble must not stop reading
        pass
    return "cp1252"


# --------------------------------------------------------------------------- CSV: mixed text

LEGACY_REPAIR = "legacy_encoding"
CONTROL_REPAIR = "control_characters"
ENCODING_ISSUE = "encoding"
ENCODING_PROBLEM = (
    "not UTF-8 and not clearly Windows-1252 or Windows-1256: unreadable characters "
    "replaced by \ufffd; check the value in the export"
)
_ERRORS = "protection_workbench.legacy_value"
_DECODING = threading.local()


@dataclass
class _MixedState:
    stop: re.Pattern  # the bytes that end a value: delimiter, quote, line break
    stop_bytes: tuple[bytes, ...]
    file_verdict: str | None  # the code page of the file's non-UTF-8 values, if clear
    notes: list = field(default_factory=list)  # (byte offset, code page or None)


_LATIN = "A-Za-z\u00c0-\u024f"
_GLUED = re.compile(f"[{_LATIN}][\u0600-\u06ff]|[\u0600-\u06ff][{_LATIN}]")
_ARABIC_RUN = re.compile("[\u0621-\u064a]{2,}")


def _value_codepage(value: bytes, file_verdict: str | None) -> str | None:
    """The code page ``value`` (not UTF-8) is written in, or None when unclear."""
    try:
        as_1252 = value.decode("cp1252")
    except UnicodeDecodeError:  # bytes cp1252 leaves undefined: only cp1256 reads them
        return "cp1256"
    as_1256 = value.decode("cp1256")
    if as_1252 == as_1256:
        return "cp1256"  # the same text either way (é, à, ç ... share their bytes)
    # Latin text read as cp1256 glues Arabic letters or marks to Latin letters ("Nٌْez");
    # Arabic text read so gives runs of Arabic letters.
    glued = _GLUED.search(as_1256) is not None
    arabic = _ARABIC_RUN.search(as_1256) is not None
    if glued != arabic:
        return "cp1252" if glued else "cp1256"
    return _legacy_verdict(value) or file_verdict


def _legacy_value(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the rest of the value holding invalid UTF-8, decoded in its
    legacy code page (or with U+FFFD when unclear, noted as an issue)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    state: _MixedState = _DECODING.state
    obj = exc.object
    m = state.stop.search(obj, exc.start)
    stop = m.start() if m else len(obj)
    stop = max(stop, exc.end)
    begin = max(obj.rfind(b, 0, exc.start) for b in state.stop_bytes) + 1
    codepage = _value_codepage(bytes(obj[begin:stop]), state.file_verdict)
    state.notes.append((exc.start, codepage))
    if codepage is None:
        return bytes(obj[exc.start : stop]).decode("utf-8", errors="replace"), stop
    return bytes(obj[exc.start : stop]).decode(codepage), stop


codecs.register_error(_ERRORS, _legacy_value)


def _mostly_utf8(raw: bytes) -> bool:
    """Whether the non-ASCII lines of a file that is not valid UTF-8 are mostly UTF-8 (a
    UTF-8 export with a few pasted Windows-1252/1256 values) rather than a legacy file."""
    valid = invalid = 0
    for line in _sample_non_ascii(raw).split(b"\n"):
        try:
            line.decode("utf-8")
            valid += 1
        except UnicodeDecodeError:
            invalid += 1
    return valid >= invalid and valid > 0


def _decode_mixed(
    raw: bytes, start: int, delimiter: str, base: str = "utf-8"
) -> tuple[bytes, list[tuple[int, str | None]]]:
    """UTF-8 bytes of ``raw[start:]`` decoded as UTF-8 value by value, the values that are
    not UTF-8 in Windows-1252/1256; and the (line, code page or None) of each such value.
    Line breaks are kept, so line numbers stay those of the file."""
    bad_lines = b"\n".join(
        line for line in _sample_non_ascii(raw).split(b"\n") if not _valid_utf8(line)
    )
    stop_bytes = (delimiter.encode(), b'"', b"\r", b"\n")
    stop = re.compile(b"[" + b"".join(re.escape(b) for b in stop_bytes) + b"]")
    state = _MixedState(stop, stop_bytes, _legacy_verdict(bad_lines))
    _DECODING.state = state
    try:
        text = raw[start:].decode(base, errors=_ERRORS)
    finally:
        _DECODING.state = None
    notes = []
    line, counted = 1, start
    for offset, codepage in state.notes:
        line += raw.count(b"\n", counted, offset)
        counted = offset
        notes.append((line, codepage))
    return text.encode("utf-8"), notes


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# Every byte but line feeds, the C0 controls (tab and carriage return are text) and DEL:
# ``translate`` with this deletion table leaves only the line feeds and control bytes of a
# file, so one fast pass over the bytes both counts the lines and finds control characters.
_TEXT_BYTES = bytes(b for b in range(256) if b >= 32 and b != 127 or b in (9, 13))
_CONTROL_PY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_MAX_C2_BYTES = 100_000


@dataclass(frozen=True)
class _Census:
    """What one pass over a CSV file's bytes tells: its line feeds, and whether a value may
    hold a control character (C0 but tab and line breaks, DEL and, in UTF-8, C1)."""

    line_feeds: int
    may_hold_controls: bool


def _census(data: bytes, utf8: bool) -> _Census:
    rest = data.translate(None, _TEXT_BYTES)  # line feeds and control bytes only
    line_feeds = rest.count(b"\n")
    controls = len(rest) > line_feeds or (utf8 and _has_c1(data))
    return _Census(line_feeds, controls)


def _has_c1(data: bytes) -> bool:
    """Whether UTF-8 ``data`` holds a C1 control (byte C2 then 80-9F). Speed: the lead byte
    C2 is rare (U+0080-U+00BF: no-break space, degree sign...), so its few places are looked
    at one by one; when there are many, the regex scans the whole file instead."""
    pos = data.find(b"\xc2")
    for _ in range(_MAX_C2_BYTES):
        if pos < 0:
            return False
        if b"\x80" <= data[pos + 1 : pos + 2] <= b"\x9f":
            return True
        pos = data.find(b"\xc2", pos + 1)
    return _C1_UTF8.search(data) is not None


# --------------------------------------------------------------------------- CSV: reading
#
# A CSV file is read in five steps, each a function below:
#   _csv_bytes    the file's bytes, refused when too large, empty or binary;
#   _decode       bytes Arrow and the csv module can read: UTF-8 (value by value when a few
#                 values are in a legacy code page) or a single-byte code page;
#   _dialect      the delimiter (Excel's "sep=;" line, else sniffed) and the header;
#   _arrow_read   the records, read by pyarrow (None when the file is not a regular table:
#                 ragged rows, broken quoting); then _python_read, the csv module, reads it
#                 and names the line of any problem;
#   _record_lines the line where each record starts.
# Lines are numbered one way: a line feed ends a line ("\r\n" is one line break).


@dataclass
class _Text:
    """A CSV file's content as it is parsed."""

    data: bytes  # UTF-8 (a leading BOM allowed) or ``codec`` when a single-byte code page
    codec: str  # Python codec of ``data``: "utf-8-sig" (UTF-8, BOM or not), "cp1252", "cp1256"
    encoding: str  # the file's encoding, as reported
    line_notes: list[tuple[int, str | None]] = field(default_factory=list)  # legacy values

    @property
    def arrow_encoding(self) -> str:
        return "utf8" if self.codec == "utf-8-sig" else self.codec

    def head(self) -> str:
        return self.data[: 1 << 20].decode(self.codec, errors="replace")

    @functools.cached_property
    def census(self) -> _Census:
        return _census(self.data, self.codec == "utf-8-sig")


def read_csv(
    path: str | Path, limits: Any = None, *, arrow: bool = True, multiline: Multiline | None = None
) -> RawTable:
    """Read a CSV export. ``arrow=False`` reads it with the csv module only (the plain path
    that the pyarrow path must agree with; it is used anyway for irregular files).

    A quote that is not closed on its line swallows the lines after it into one value: such
    a record is set aside (:attr:`RawTable.set_aside`, with its line and the reason), its
    line blanked and the file read again, so the lines it swallowed are read as the
    records they are (see :func:`_broken_quotes`). ``multiline``: which headers may hold
    line breaks (default: any)."""
    path = Path(path)
    limits = Limits.of(limits)
    text = _decode(path, _csv_bytes(path, limits))
    delimiter, text = _dialect(text)
    header = _first_record(text.head(), delimiter)
    if not header:
        raise InputFileError(path, "line 1: not a readable CSV header")
    _too_many_columns(path, len(header), limits)
    may_break = list(multiline(unique_headers(header))) if multiline else [True] * len(header)
    quotes = _Quotes(header, delimiter, may_break)
    set_aside: list[SetAside] = []
    for _ in range(_MAX_QUOTE_ROUNDS):
        try:
            table = _read_records(path, text, delimiter, limits, quotes, arrow)
        except _BrokenQuotes as broken:
            set_aside += broken.records
            if len(set_aside) > _MAX_SET_ASIDE:
                break
            text = _blank_lines(text, broken.spans)
            continue
        table.set_aside = sorted(set_aside, key=lambda r: r.line)
        return table
    first = min(r.line for r in set_aside)
    raise InputFileError(
        path,
        f"line {first}: a quote is not closed on its line, nor on {len(set_aside) - 1:,} "
        "other lines or more: too many broken records to set aside one by one; check the "
        "quoting of the export",
    )


def _read_records(
    path: Path, text: _Text, delimiter: str, limits: Limits, quotes: _Quotes, arrow: bool
) -> RawTable:
    """One read of the file, pyarrow first; :class:`_BrokenQuotes` when a record holds
    lines that a broken quote swallowed."""
    header = quotes.header
    if arrow:
        quoted = _line_break_in_quotes(text.data)
        table = _arrow_read(text, delimiter, len(header), quoted)
        found = _arrow_lines(text, table, quoted) if table is not None else None
        if found is not None:
            lines, in_values = found
            if in_values is not None:
                quotes.check_arrow(text, table, lines, in_values)
            return _arrow_raw_table(path, text, header, table.slice(1), lines[1:])
    return _python_read(path, text, delimiter, limits, quotes)


# --------------------------------------------------------------------------- CSV: broken quotes

# Each round of setting broken records aside reads the file again: bounded, and so is the
# number of records set aside (beyond, the file's quoting is broken, not a few lines).
_MAX_QUOTE_ROUNDS = 10
_MAX_SET_ASIDE = 1000
_BATCH = 4096
# Lines of a swallowed value looked at to tell whole records from the lines of a note.
_MAX_LINES_LOOKED_AT = 1000

Multiline = Callable[[list[str]], Sequence[bool]]


class _BrokenQuotes(Exception):
    """Records to set aside (their line spans to blank) before reading the file again."""

    def __init__(self, records: list[SetAside], spans: list[tuple[int, int]]):
        super().__init__(f"{len(records)} broken records")
        self.records = records
        self.spans = spans


@dataclass
class _Quotes:
    """Tells the records that a quote not closed on its line made from the records of a
    file whose values may hold line breaks (a note written over several lines).

    A record whose values hold line breaks is broken when:

    * the quote is never closed (the value runs to the end of the file), or the record has
      another number of fields than the header (a swallowed line adds its fields): the
      record's first line is set aside, and the lines after it read again;
    * a line of the value is a whole record (as many fields as the header, the first shaped
      like the record's own id; a line of a note holding commas is not): set aside and
      read again likewise;
    * the line break is in a column the data contract keeps on one line, and nothing shows
      a swallowed record: the whole record is set aside (its lines are named), not guessed.
    """

    header: list[str]
    delimiter: str
    may_break: list[bool]  # per header: may its values hold line breaks (free text)?

    def check_arrow(self, text: _Text, table: pa.Table, lines: np.ndarray, in_values) -> None:
        """Check the records Arrow read that span lines (``in_values``: line feeds in the
        values of each record, the header being record 0)."""
        spanning = np.flatnonzero(in_values[1:]) + 1
        if not len(spanning):
            return
        spanning = spanning[self._suspects(table.take(pa.array(spanning)))]
        ends_file = len(lines) - 1
        if in_values[ends_file] and (not len(spanning) or spanning[-1] != ends_file):
            spanning = np.append(spanning, ends_file)  # its quote may never close
        if not len(spanning):
            return
        last = bool(spanning[-1] == ends_file)
        found: list[tuple[SetAside, tuple[int, int]]] = []
        # In batches: a file broken on every line is refused after _MAX_SET_ASIDE records.
        for at in range(0, len(spanning), _BATCH):
            batch = spanning[at : at + _BATCH]
            rows = table.take(pa.array(batch)).to_pylist()
            starts = lines[batch].tolist()
            ends = (lines[batch] + in_values[batch]).tolist()
            records = [list(row.values()) for row in rows]
            at_end = last and at + _BATCH >= len(spanning)
            found += self._broken(text, list(zip(starts, ends, records, strict=True)), at_end)
            if len(found) > _MAX_SET_ASIDE:
                break
        if found:
            raise _BrokenQuotes([r for r, _ in found], [span for _, span in found])

    def _suspects(self, rows: pa.Table) -> np.ndarray:
        """Which of ``rows`` (records spanning lines) may be broken, found column by column
        in Arrow (speed: a file of notes over several lines is not judged record by
        record): a line break in a column kept on one line, or a line of a value with
        as many delimiters as a record has."""
        n_cols = len(self.header)
        sep = r"\t" if self.delimiter == "\t" else re.escape(self.delimiter)  # RE2 syntax
        whole_line = rf"\n[^\n]*(?:{sep}[^\n]*){{{n_cols - 1}}}"
        suspect = np.zeros(rows.num_rows, dtype=bool)
        for i, column in enumerate(rows.columns):
            pattern = whole_line if self._may_break(i) else r"\n"
            hit = pc.fill_null(pc.match_substring_regex(column, pattern), False)
            suspect |= np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)
        return suspect

    def check(self, text: _Text, records: list[tuple[int, int, list]], last: bool) -> None:
        """Raise :class:`_BrokenQuotes` for the broken ones among ``records`` (start line,
        end line, fields) that span lines; ``last``: the last of them ends the file."""
        found = self._broken(text, records, last)
        if found:
            raise _BrokenQuotes([r for r, _ in found], [span for _, span in found])

    def _broken(
        self, text: _Text, records: list[tuple[int, int, list]], last: bool
    ) -> list[tuple[SetAside, tuple[int, int]]]:
        """The broken ones among ``records`` (no more than _MAX_SET_ASIDE + 1 are judged:
        beyond, the file is refused) and the lines to blank for each."""
        found = []
        for k, (start, end, fields) in enumerate(records):
            if end == start:
                continue
            broken = self._judge(text, start, end, fields, last and k == len(records) - 1)
            if broken is not None:
                found.append(broken)
                if len(found) > _MAX_SET_ASIDE:
                    break
        return found

    def _judge(
        self, text: _Text, start: int, end: int, fields: list, at_end: bool
    ) -> tuple[SetAside, tuple[int, int]] | None:
        n_cols = len(self.header)
        breaking = [i for i, v in enumerate(fields) if isinstance(v, str) and "\n" in v]
        if not breaking:
            return None
        first = breaking[0]
        column = self.header[first] if first < n_cols else f"field {first + 1}"
        lines = end - start
        took = f"took in the next {lines:,} line{'s' if lines != 1 else ''}"
        extra = any(isinstance(v, str) and v.strip() for v in fields[n_cols:])
        why = None
        if at_end and _never_closed(text, start, self.delimiter):
            why = "up to the end of the file (the quote is never closed)"
        elif len(fields) < n_cols or extra:
            why = f"and made a record of {len(fields):,} fields (the header has {n_cols})"
        elif any(self._holds_a_record(fields[i], fields[0]) for i in breaking):
            why = "which hold whole records"
        if why is not None:
            reason = (
                f"a quote opened on this line is not closed on it: it {took} {why}; this "
                "line is set aside and the lines after it are read"
            )
            return SetAside(start, column, reason), (start, start)
        if all(self._may_break(i) for i in breaking):
            return None  # a note over several lines
        reason = (
            f"a value runs over lines {start}-{end}, in a column the data contract keeps on "
            "one line (a misplaced quote?): the record is set aside"
        )
        return SetAside(start, column, reason), (start, end)

    def _may_break(self, i: int) -> bool:
        return i < len(self.may_break) and self.may_break[i]

    def _holds_a_record(self, value: str, first: str | None) -> bool:
        """Whether a line of ``value`` after its first is a whole record: as many fields as
        the header, the first of the shape of the record's own first field (a record id:
        ``REF-0000004`` and ``REF-0000005`` are both ``A-9``; a line of a note is not)."""
        n_cols = len(self.header)
        key = _shape((first or "").split("\n", 1)[0].split(self.delimiter, 1)[0])
        lines = value.split("\n", _MAX_LINES_LOOKED_AT + 1)[1 : _MAX_LINES_LOOKED_AT + 1]
        for line in lines:
            if line.count(self.delimiter) < n_cols - 1:
                continue
            try:
                fields = next(csv.reader([line], delimiter=self.delimiter), [])
            except csv.Error:
                continue
            if len(fields) >= n_cols and _shape(fields[0]) == key:
                return True
        return False


_LETTERS = re.compile(r"[^\W\d_]+")
_DIGITS = re.compile(r"\d+")


def _shape(value: str) -> str:
    """``value`` with each run of letters written A and each run of digits 9."""
    return _LETTERS.sub("A", _DIGITS.sub("9", value.strip()))


def _line_starts(data: bytes) -> np.ndarray:
    """Byte offset where each line of ``data`` starts (line 1 at index 0)."""
    breaks = _positions(np.frombuffer(data, dtype=np.uint8), 10)
    return np.concatenate(([0], breaks + 1))


def _never_closed(text: _Text, line: int, delimiter: str) -> bool:
    """Whether the record starting on ``line`` ends the file inside a quoted value."""
    start = int(_line_starts(text.data)[line - 1])
    rest = text.data[start:].decode(text.codec, errors="replace")
    try:
        for _ in csv.reader(io.StringIO(rest, newline="\n"), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _blank_lines(text: _Text, spans: list[tuple[int, int]]) -> _Text:
    """``text`` with the lines of ``spans`` (first, last, numbered from 1) emptied; their line
    feeds are kept, so every other line keeps its number (both parsers skip empty lines)."""
    starts = _line_starts(text.data)
    data = text.data
    pieces, begin = [], 0
    for first, last in sorted(spans):
        cut = int(starts[first - 1])
        stop = int(starts[last]) - 1 if last < len(starts) else len(data)  # its line feed
        if cut < begin:
            continue
        pieces.append(data[begin:cut])
        pieces.append(b"\n" * (last - first))
        begin = max(stop, cut)
    pieces.append(data[begin:])
    return dataclasses.replace(text, data=b"".join(pieces))


def _csv_bytes(path: Path, limits: Limits) -> bytes:
    size = path.stat().st_size
    if size > limits.max_inflated_bytes:
        raise InputFileError(
            path,
            f"the file has {size:,} bytes, more than the limit max_inflated_bytes "
            f"({limits.max_inflated_bytes:,}) of config/thresholds.yaml",
        )
    raw = path.read_bytes()
    if _is_blank_file(raw):
        raise InputFileError(path, "file is empty")
    if not raw.startswith(_UTF16_BOMS):
        _check_text(path, raw)
    return raw


_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_CP1252_HOLES = b"\x81\x8d\x8f\x90\x9d"  # bytes Windows-1252 leaves undefined
_NOT_HOLES = bytes(b for b in range(256) if b not in _CP1252_HOLES)


def _decode(path: Path, raw: bytes) -> _Text:
    """``raw`` as parseable text. UTF-8 and single-byte code pages are left as they are (Arrow
    transcodes a code page while reading, much faster than decoding first); a UTF-8 file (BOM,
    or mostly UTF-8 lines) with a few legacy values, and a Windows-1252 file with bytes that
    code page leaves undefined, are decoded value by value."""
    if raw.startswith(_UTF16_BOMS):
        try:
            data = raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise InputFileError(path, "not a CSV text file (broken UTF-16 text)") from None
        return _Text(_lf_lines(data), "utf-8-sig", "utf-16")
    raw = _lf_lines(raw)
    bom = raw.startswith(_UTF8_BOM)
    if _is_utf8(raw):
        return _Text(raw, "utf-8-sig", "utf-8-sig" if bom else "utf-8")
    start = len(_UTF8_BOM) if bom else 0
    delimiter = _sniff_delimiter(_first_line(raw[start : start + (1 << 20)].decode("latin-1")))
    if bom or _mostly_utf8(raw):
        data, notes = _decode_mixed(raw, start, delimiter)
        return _Text(data, "utf-8-sig", "utf-8-sig" if bom else "utf-8", notes)
    encoding = detect_encoding(raw)
    if encoding == "cp1252" and raw.translate(None, _NOT_HOLES):
        data, notes = _decode_mixed(raw, start, delimiter, base="cp1252")
        return _Text(data, "utf-8-sig", encoding, notes)
    return _Text(raw, encoding, encoding)


def _lf_lines(data: bytes) -> bytes:
    """A file whose lines end in a bare carriage return (old Mac exports) with line feeds
    instead, so that lines are counted one way (a copy only for such files)."""
    if b"\n" in data or b"\r" not in data:
        return data
    return data.replace(b"\r", b"\n")


def _is_utf8(data: bytes) -> bool:
    """Whether ``data`` is valid UTF-8 (checked by Arrow: no Python string is built)."""
    buffer = pa.py_buffer(data)
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    try:
        pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, buffer]).cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _first_line(text: str) -> str:
    return next((ln for ln in text.splitlines() if ln.strip()), "")


def _dialect(text: _Text) -> tuple[str, _Text]:
    """The delimiter, and ``text`` with Excel's "sep=;" first line blanked (an empty line is
    skipped like any other, so line numbers stay those of the file)."""
    start = len(_UTF8_BOM) if text.data.startswith(_UTF8_BOM) else 0
    hint = _SEP_HINT.match(text.data, start)
    if hint is None:
        return _sniff_delimiter(_first_line(text.head())), text
    blanked = b"\n" + text.data[hint.end() :]
    return hint.group(1).decode(), dataclasses.replace(text, data=blanked)


def _sniff_delimiter(header_line: str) -> str:
    outside = _QUOTED.sub("", header_line)
    if "," in outside:
        return ","
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _first_record(text: str, delimiter: str) -> list[str]:
    try:
        for row in csv.reader(io.StringIO(text, newline="\n"), delimiter=delimiter):
            if row:
                return row
    except csv.Error:
        return []
    return []


# ----------------------------------------------------------- CSV: records and their lines


def _positions(arr: np.ndarray, byte: int) -> np.ndarray:
    """Positions of ``byte`` in ``arr``, scanned in blocks (no full-size temporary mask)."""
    step = 1 << 22
    parts = [np.flatnonzero(arr[i : i + step] == byte) + i for i in range(0, len(arr), step)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp)


def _record_lines(data: bytes, quoted_line_breaks: bool) -> tuple[np.ndarray, np.ndarray]:
    """The line on which each record of ``data`` starts (header included; blank lines hold
    no record and are skipped, as both parsers skip them), and how many line feeds each
    record holds in its values.

    A line feed ends a record unless it is inside quotes, that is unless an odd number of
    quotes precedes it (RFC 4180: a doubled quote counts twice)."""
    arr = np.frombuffer(data, dtype=np.uint8)
    breaks = _positions(arr, 10)
    if quoted_line_breaks:
        ends = np.flatnonzero(np.searchsorted(_positions(arr, 34), breaks) % 2 == 0)
    else:  # speed: no quoted value holds a line break, so every line feed ends a record
        ends = np.arange(len(breaks))
    starts = np.concatenate(([0], breaks[ends] + 1))
    stops = np.concatenate((breaks[ends], [len(arr)]))
    lines = np.concatenate(([1], ends + 2)).astype(np.int64)
    line_feeds = np.diff(np.concatenate(([-1], ends, [len(breaks)]))) - 1
    length = stops - starts
    blank = length == 0
    one = np.flatnonzero(length == 1)
    blank[one] = arr[starts[one]] == 13  # "\r\n" alone
    return lines[~blank], line_feeds[~blank]


def _arrow_lines(
    text: _Text, table: pa.Table, quoted: bool
) -> tuple[np.ndarray, np.ndarray | None] | None:
    """The line on which each record of ``table`` (Arrow's read of ``data``) starts, and
    (when quoted values may hold line breaks, else None) the line feeds in each record's
    values; None when the byte scan finds records that are not Arrow's: another count or
    other line feeds in a record (quotes inside unquoted values mislead the scan; the csv
    module then reads the file). Every line is so accounted for: a record's first line,
    a line feed inside its values, or an empty line."""
    data = text.data
    if not quoted:
        records = text.census.line_feeds + (not data.endswith(b"\n"))
        if records == table.num_rows:
            # speed: as many line feeds as Arrow's records, none in a value: one record per
            # line, no blank line, so record i starts on line i + 1 (no byte scan needed)
            return np.arange(1, records + 1, dtype=np.int64), None
    lines, line_feeds = _record_lines(data, quoted)
    if len(lines) != table.num_rows:
        return None
    if not quoted:
        return lines, None
    in_values = np.zeros(table.num_rows, dtype=np.int64)
    for column in table.columns:
        counts = pc.fill_null(pc.count_substring(column, "\n"), 0)
        in_values += counts.to_numpy(zero_copy_only=False)
    if not np.array_equal(in_values, line_feeds):
        return None
    return lines, in_values


_MAX_QUOTED_VALUES = 100_000


def _line_break_in_quotes(data: bytes) -> bool:
    """Whether a line break may sit inside a quoted value. Quotes toggle the quoted state
    wherever they are, as in Arrow's parser (a doubled quote toggles twice); many quoted
    values or an unbalanced quote answer True without looking further."""
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


# Arrow parses a file in blocks, in parallel, and each block becomes one chunk of every
# column. 4 MB blocks (Arrow's default is 1 MB) leave plenty of blocks to parse in parallel
# and a quarter of the chunks for the cleaners' Arrow kernels to walk: cleaning a million
# rows was 10-15 % faster than with 1 MB or 8 MB blocks (benchmarks/bench_clean.py).
_ARROW_BLOCK_BYTES = 4 << 20


@dataclass
class _Invalid:
    """Arrow's handler of rows with the wrong number of fields: counts them, skips them."""

    rows: int = 0

    def __call__(self, row) -> str:
        self.rows += 1
        return "skip"


def _arrow_read(text: _Text, delimiter: str, n_cols: int, quoted: bool) -> pa.Table | None:
    """Every record as strings (the header is row 0), empty cells missing; None when the file
    is not a regular table (a row with another number of fields, quoting Arrow cannot read).
    """
    invalid = _Invalid()
    try:
        table = pacsv.read_csv(
            pa.BufferReader(text.data),
            read_options=pacsv.ReadOptions(
                autogenerate_column_names=True,
                block_size=_ARROW_BLOCK_BYTES,
                encoding=text.arrow_encoding,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                # False lets Arrow split the file at any line break and parse in parallel.
                newlines_in_values=quoted,
                invalid_row_handler=invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                # large_string is what pandas' ``str`` dtype holds: no cast in ``to_pandas``.
                column_types={f"f{i}": pa.large_string() for i in range(n_cols)},
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
            ),
        )
    except (pa.ArrowException, UnicodeError):
        return None
    if invalid.rows or table.num_columns != n_cols:
        return None
    return table


def _arrow_raw_table(
    path: Path, text: _Text, header: list[str], table: pa.Table, lines: np.ndarray
) -> RawTable:
    """The RawTable of the records Arrow read (header row removed) starting on ``lines``."""
    empty = _empty_rows(table)
    if len(empty):
        keep_mask = np.ones(table.num_rows, dtype=bool)
        keep_mask[empty] = False
        table = _drop_rows(table, empty)
        lines = lines[keep_mask]
    # Blank-headed columns without any value are export artefacts (trailing commas).
    keep = [
        i
        for i, name in enumerate(header)
        if name.strip() or not pc.all(_blank_mask(table.column(i))).as_py()
    ]
    names = unique_headers(header)
    frame = table.select(keep).to_pandas()
    frame.columns = [names[i] for i in keep]
    return _raw_table(path, frame, lines, text, header, len(empty), len(header) - len(keep))


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


def _drop_rows(table: pa.Table, rows: np.ndarray) -> pa.Table:
    """``table`` without the (sorted, unique) ``rows``. Speed: when they form a few runs (the
    empty rows exports end with) zero-copy slices, else a filter (which copies every column)."""
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


def _is_blank_file(raw: bytes) -> bool:
    if len(raw) > 1 << 16:
        return False
    return not raw.strip(b" \t\r\n\x00").removeprefix(_UTF8_BOM).strip()


def _python_records(text: str, delimiter: str) -> tuple[list[list[str]], list[int], list[int]]:
    """Parse with the csv module: every non-empty record, the line where it starts and the
    line where it ends.

    A record the csv module cannot read raises :class:`csv.Error` with ``line`` set to
    where that record starts."""
    rows, lines, ends = [], [], []
    reader = csv.reader(io.StringIO(text, newline="\n"), delimiter=delimiter)
    previous = 0
    try:
        for row in reader:
            if row:
                rows.append(row)
                lines.append(previous + 1)
                ends.append(reader.line_num)
            previous = reader.line_num
    except csv.Error as exc:
        exc.line = previous + 1  # type: ignore[attr-defined]
        raise
    return rows, lines, ends


def _csv_error_reason(exc: csv.Error) -> str:
    """The csv module's problem in words, without the content of the record."""
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a value longer than {csv.field_size_limit():,} characters"
    if "NUL" in text:
        return "a NUL character"
    if "new-line character seen in unquoted field" in text:
        return "a bare carriage return inside a value"
    if "expected after" in text:
        return "a quote inside a quoted value that is not doubled"
    return "malformed quoting"


def _python_read(
    path: Path, text: _Text, delimiter: str, limits: Limits, quotes: _Quotes | None = None
) -> RawTable:
    """Read with the csv module: irregular files (ragged rows are padded, rows with extra
    non-empty fields refused), with the line of any problem in the message."""
    try:
        decoded = text.data.decode(text.codec, errors="replace")
        rows, lines, ends = _python_records(decoded, delimiter)
    except csv.Error as exc:
        line = getattr(exc, "line", None)
        if quotes is not None and line and line > 1 and "field larger" in str(exc):
            # Far longer than any cell (Excel stops at 32 767 characters): a quote that is
            # not closed swallows the lines after it.
            reason = (
                f"a quote opened on this line is not closed on it: its value grows beyond "
                f"{csv.field_size_limit():,} characters over the lines after it; this line is "
                "set aside and the lines after it are read"
            )
            raise _BrokenQuotes([SetAside(line, "", reason)], [(line, line)]) from None
        where = f"line {line}: " if line else ""
        raise InputFileError(
            path, f"{where}not a readable CSV record ({_csv_error_reason(exc)})"
        ) from None
    if not rows:
        raise InputFileError(path, "file is empty")
    header = rows[0]
    _too_many_columns(path, len(header), limits)
    n_cols = len(header)
    body = rows[1:]
    body_lines = lines[1:]
    if quotes is not None and quotes.header == header:
        spanning = [i for i in range(1, len(rows)) if ends[i] > lines[i]]
        records = [(lines[i], ends[i], rows[i]) for i in spanning]
        quotes.check(text, records, bool(spanning) and spanning[-1] == len(rows) - 1)
    _check_lines(path, text.data, rows, lines, ends)
    if n_cols > 1 and len(body) >= 2 and all(len(row) == 1 for row in body):
        shown = "tab" if delimiter == "\t" else repr(delimiter)
        raise InputFileError(
            path,
            f"the header has {n_cols} columns separated by {shown} but every row has a "
            "single field: wrong delimiter?",
        )
    for row, line in zip(body, body_lines, strict=True):
        if len(row) > n_cols:
            if n_cols == 1:
                raise InputFileError(
                    path,
                    f"has only one column: wrong delimiter? (line {line} has {len(row):,} "
                    "fields, the header line 1)",
                )
            if all(not v.strip() for v in row[n_cols:]):
                continue  # trailing empty fields: harmless
            raise InputFileError(path, f"line {line} has {len(row):,} fields, header has {n_cols}")
    padded = [
        [(v if v != "" else None) for v in row[:n_cols]] + [None] * (n_cols - len(row))
        for row in body
    ]
    keep_rows = [i for i, row in enumerate(padded) if any(v is not None and v.strip() for v in row)]
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
    return _raw_table(
        path, frame, line_numbers, text, header, len(body) - len(keep_rows), n_cols - len(keep)
    )


def _check_lines(
    path: Path, data: bytes, rows: list[list[str]], lines: list[int], ends: list[int]
) -> None:
    """Every line of the file accounted for, once: each line is in exactly one record
    (whose values hold exactly the line feeds of the lines it spans) or else empty."""
    spanning = [i for i in range(len(rows)) if ends[i] > lines[i]]
    held = sum(sum(v.count("\n") for v in rows[i]) for i in spanning)
    starts = _line_starts(data)
    cover = np.zeros(len(starts) + 1, dtype=np.int64)
    np.add.at(cover, np.asarray(lines, dtype=np.int64) - 1, 1)
    np.add.at(cover, np.asarray(ends, dtype=np.int64), -1)
    cover = np.cumsum(cover[:-1])
    length = np.diff(np.append(starts, len(data) + 1)) - 1
    empty = length == 0
    one = np.flatnonzero(length == 1)
    empty[one] = np.frombuffer(data, dtype=np.uint8)[starts[one]] == 13  # "\r\n" alone
    if held != sum(ends[i] - lines[i] for i in spanning) or (
        cover.max(initial=0) > 1 or not empty[cover == 0].all()
    ):
        raise InputFileError(path, "the lines of the file do not add up to its records")


def _raw_table(path, frame, lines, text, header, dropped_rows: int, dropped_columns: int):
    """The :class:`RawTable` of a CSV read either way, with its value notes (legacy
    encodings by line, control characters removed)."""
    notes = _line_notes(frame, lines, text.line_notes)
    if text.census.may_hold_controls:
        notes += _scrub_controls(frame)
    return RawTable(
        path=path,
        data=frame,
        line_numbers=lines,
        encoding=text.encoding,
        original_headers=list(header),
        dropped_empty_rows=dropped_rows,
        dropped_empty_columns=dropped_columns,
        value_notes=notes,
    )


def _line_notes(
    frame: pd.DataFrame, lines: np.ndarray, line_notes: list[tuple[int, str | None]]
) -> list[ValueNote]:
    """The values decoded from a legacy code page (repairs) or left unclear (issues): in the
    rows whose record covers a noted line, the cells holding non-ASCII text (repairs) or
    U+FFFD (issues)."""
    if not line_notes or not len(lines):
        return []
    noted = np.asarray([line for line, _ in line_notes], dtype=np.int64)
    unclear = np.asarray([codepage is None for _, codepage in line_notes], dtype=bool)
    rows = np.searchsorted(lines, noted, side="right") - 1  # -1: the header line
    notes = []
    for is_unclear in (False, True):
        positions = np.unique(rows[(unclear == is_unclear) & (rows >= 0)])
        if not len(positions):
            continue
        for column in frame.columns:
            values = frame[column].iloc[positions].tolist()
            if is_unclear:
                hit = [isinstance(v, str) and "\ufffd" in v for v in values]
            else:
                hit = [isinstance(v, str) and not v.isascii() for v in values]
            if any(hit):
                where = positions[np.asarray(hit, dtype=bool)]
                if is_unclear:
                    notes.append(ValueNote(column, where, ENCODING_ISSUE, ENCODING_PROBLEM))
                else:
                    notes.append(ValueNote(column, where, LEGACY_REPAIR))
    return notes


def _scrub_controls(frame: pd.DataFrame) -> list[ValueNote]:
    """Remove control characters (C0 but tab and line breaks, DEL, C1) from the string
    values of ``frame`` in place; one repair note per column that had some."""
    notes = []
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object:
            mask = np.fromiter(
                (
                    isinstance(v, str) and not v.isprintable() and _CONTROL_PY.search(v) is not None
                    for v in values
                ),
                dtype=bool,
                count=len(values),
            )
            if mask.any():
                fixed = values.copy()
                fixed[mask] = [_CONTROL_PY.sub("", v) for v in values[mask]]
                frame[column] = fixed
        else:
            mask = values.str.contains(_CONTROL_PY.pattern, regex=True).fillna(False)
            mask = mask.to_numpy(dtype=bool)
            if mask.any():
                fixed = values.str.replace(_CONTROL_PY.pattern, "", regex=True)
                frame[column] = fixed.where(fixed != "", None) if (fixed == "").any() else fixed
        if mask.any():
            notes.append(ValueNote(column, np.flatnonzero(mask), CONTROL_REPAIR))
    return notes


# --------------------------------------------------------------------------- XLSX


def _cell(value: object) -> object:
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_xlsx(path: Path, limits: Limits) -> RawTable:
    if path.stat().st_size == 0:
        raise InputFileError(path, "file is empty")
    plan = check_xlsx(path, limits)  # before calamine allocates anything
    from python_calamine import CalamineWorkbook

    sheet_rows: list[int] | None = None  # sheet row of each row read, when compacted
    try:
        sparse = plan.to_compact(limits)
        if sparse is not None:
            # Only the rows holding a value: a cell far down (GR1048576) or rows of
            # formatting only would make calamine build every row of the sheet's extent.
            copy, sheet_rows = compacted(path, sparse.part)
            workbook = CalamineWorkbook.from_filelike(copy)
        else:
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
    _too_many_columns(path, len(header), limits)
    n_cols = len(header)
    body = rows[header_at + 1 :]
    # The sheet row of each row read (row i of a compacted copy is sheet row sheet_rows[i]).
    lines = np.arange(1, len(rows) + 1) if sheet_rows is None else np.asarray(sheet_rows)
    body_lines = lines[header_at + 1 :]
    keep_rows = [i for i, row in enumerate(body) if not all(_blank(v) for v in row)]
    body = [body[i] for i in keep_rows]
    line_numbers = np.asarray(body_lines[keep_rows], dtype=np.int64)
    # The empty rows between the header and the last value (rows after it are not empty
    # rows of the export, just sheet area), counted by sheet row numbers.
    last = int(line_numbers[-1]) if len(line_numbers) else int(lines[header_at])
    dropped_rows = last - int(lines[header_at]) - len(keep_rows)
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
        value_notes=_scrub_controls(frame),
    )
