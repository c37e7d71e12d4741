"""Refuse a hostile XLSX workbook before the XLSX reader opens it.

A workbook is a zip of XML parts; a few hundred bytes can declare a sheet of a million
columns or inflate to gigabytes (a zip bomb). :func:`check_xlsx` reads the zip directory,
then streams each XML part once in pieces, without keeping it, and refuses the workbook
(:class:`~protection_workbench.errors.InputFileError` naming the file, the part and the
limit of ``config/thresholds.yaml``) when a part declares or inflates to more than
``max_inflated_bytes`` or ``max_compression_ratio`` times its size, or when a sheet
declares or holds a cell beyond ``max_rows`` x ``max_columns``. Old ``.xls`` files
(OLE) and password-protected workbooks are named as such.

The work of reading is bounded by what a sheet really holds, not by its extent: the
reader builds every cell from the first row to the last value, so a sheet whose cells
jump far down (a cell at ``GR1048576`` after the header: a million rows for two) or
that holds many rows without a value (formatted, empty) is read from a compacted copy
(:func:`compacted`: its rows with a value, renumbered, their sheet row numbers kept),
and a sheet that would still make the reader build more than ``max_cells`` cells (rows
holding a value x columns up to the last value) is refused before anything is built.
The shared strings table may not hold more than ``max_cells`` strings either.
"""

from __future__ import annotations

import functools
import io
import re
import shutil
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputFileError
from .limits import Limits

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
XLS_MESSAGE = "old Excel format (.xls) is not supported: save it as .xlsx or .csv"

# A part must not inflate more than ``max_compression_ratio`` times its compressed size
# once it declares more than this many bytes (small parts are harmless whatever their ratio).
_RATIO_FLOOR = 10_000_000
_PIECE = 1 << 20
_DIMENSION = re.compile(
    rb"<(?:[\w.-]+:)?dimension\s[^>]*?\bref\s*=\s*[\"']\s*([A-Za-z]*)([0-9]*)"
    rb"(?::([A-Za-z]*)([0-9]*))?"
)
_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>")
_R_ATTR = re.compile(rb"(?:^|\s)r\s*=\s*[\"']\s*([A-Za-z]*)([0-9]*)")
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
# A sheet whose cells reach more than this many rows beyond its row elements is sparse:
# it is read from a compacted copy (legitimate sheets have a few blank rows, not thousands).
_GAP = 1000
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"
_VALUE_TAGS = (b"<v>", b"<v ", b"<is>", b"<is ")


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


def _column_letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _greater(limit: str, alphabet: str) -> str:
    """Regex of the strings over ``alphabet`` (ordered) above ``limit``: longer, or as long
    and greater at the first difference (Excel columns and row numbers compare so)."""
    parts = [f"[{alphabet[0]}-{alphabet[-1]}]{{{len(limit) + 1},}}"]
    for i, ch in enumerate(limit):
        above = alphabet[alphabet.index(ch) + 1 :]
        if above:
            rest = len(limit) - i - 1
            tail = f"[{alphabet[0]}-{alphabet[-1]}]{{{rest}}}" if rest else ""
            parts.append(f"{re.escape(limit[:i])}[{above[0]}-{above[-1]}]{tail}")
    return "|".join(parts)


def _fast_scan_pattern(limits: Limits) -> re.Pattern:
    """A ``<c`` tag whose reference is beyond the limits, or one that is not written
    ``<c r="..."`` (those pieces are then scanned tag by tag)."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    col = _greater(_column_letters(limits.max_columns), letters)
    row = _greater(str(limits.max_rows), "0123456789")
    pattern = f'<c(?: r="(?:(?:{col})[0-9]|[A-Z]*(?:{row})")|(?=[\\s/>])(?! r="[A-Z]+[0-9]+"))'
    return re.compile(pattern.encode())


@dataclass
class _SheetScan:
    """Where a worksheet part's cells reach: exact tag-by-tag count (unusual XML only)."""

    limits: Limits
    row: int = 0
    col: int = 0
    rows: int = 0
    width: int = 0  # the last column of a cell that may hold a value
    last_row: int = 0  # the last row of such a cell

    def feed(self, piece: bytes) -> str | None:
        for m in _TAG.finditer(piece):
            ref = _R_ATTR.search(m.group(2))
            letters, digits = (ref.group(1), ref.group(2)) if ref else (b"", b"")
            if len(digits) > 12 or len(letters) > 4:
                return "a cell reference beyond the limits"
            if m.group(1) == b"row":
                self.rows += 1
                self.row = int(digits) if digits else self.row + 1
                self.col = 0
                row = self.row
            else:
                self.col = _column_number(letters) if letters else self.col + 1
                row = int(digits) if digits else self.row
                if not m.group(2).endswith(b"/"):  # <c .../> holds no value
                    self.width = max(self.width, self.col)
                    self.last_row = max(self.last_row, row)
            if self.rows > self.limits.max_rows or row > self.limits.max_rows:
                return f"rows beyond the limit max_rows ({self.limits.max_rows:,})"
            if self.col > self.limits.max_columns:
                return f"cells beyond the limit max_columns ({self.limits.max_columns})"
        return None


def _inflated(fh: Any, info: zipfile.ZipInfo, limits: Limits, path: Path):
    """The uncompressed bytes of one zip part, in pieces, inflated here (not trusting the
    declared size): refused as soon as they exceed the declared size or the limit."""
    fh.seek(info.header_offset)
    header = fh.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise InputFileError(path, "not a readable XLSX workbook (truncated or corrupt)")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    fh.seek(info.header_offset + 30 + name_len + extra_len)
    left = info.compress_size
    if info.compress_type == zipfile.ZIP_STORED:
        inflater = None
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
    else:
        raise InputFileError(
            path, "not a readable XLSX workbook (a part uses an unusual zip compression)"
        )
    total = 0
    bound = min(info.file_size, limits.max_inflated_bytes)
    pending = b""
    while left > 0 or pending:
        if not pending:
            chunk = fh.read(min(left, 1 << 16))
            if not chunk:
                break
            left -= len(chunk)
            if inflater is None:
                out = chunk
            else:
                pending = chunk
                out = b""
        if inflater is not None and pending:
            out = inflater.decompress(pending, _PIECE)
            pending = inflater.unconsumed_tail
        total += len(out)
        if total > bound:
            what = (
                f"more than the limit max_inflated_bytes ({limits.max_inflated_bytes:,}) "
                "of config/thresholds.yaml"
                if total > limits.max_inflated_bytes
                else f"more than the {info.file_size:,} bytes it declares"
            )
            raise InputFileError(
                path, f"refused: part {info.filename!r} of the workbook inflates to {what}"
            )
        if out:
            yield out
        if inflater is not None and inflater.eof:
            break


@dataclass
class SheetExtent:
    """What one worksheet part holds, as far as the reader's work goes."""

    part: str
    rows: int = 0  # row elements
    values: int = 0  # cells holding a value (a <v> or an inline string)
    width: int = 0  # the last column of a cell that may hold a value (an upper bound)
    sparse: bool = False  # cells reach more than _GAP rows beyond the row elements

    @property
    def rows_as_is(self) -> int:
        """Most rows the reader builds from the sheet as it is (not sparse: no cell lies
        beyond this row, see :func:`_measure`)."""
        return (self.rows // _GAP + 1) * _GAP

    @property
    def rows_compacted(self) -> int:
        """Most rows the reader builds from the compacted sheet: those holding a value."""
        return min(self.rows, self.values)

    def needs_compacting(self, limits: Limits) -> bool:
        return self.sparse or self.rows_as_is * self.width > limits.max_cells


@dataclass
class XlsxPlan:
    """How to read a workbook that :func:`check_xlsx` let through."""

    first_sheet: str | None  # the part of the sheet the reader reads (None: not found)
    sheets: dict[str, SheetExtent] = field(default_factory=dict)

    def to_compact(self, limits: Limits) -> SheetExtent | None:
        """The first sheet when it must be read from a compacted copy, else None."""
        sheet = self.sheets.get(self.first_sheet or "")
        return sheet if sheet is not None and sheet.needs_compacting(limits) else None


def check_xlsx(path: Path, limits: Limits) -> XlsxPlan:
    """Refuse a workbook that would make the XLSX reader use unbounded memory or time,
    before it is opened: parts declaring (or inflating to) more than ``max_inflated_bytes``
    or inflating ``max_compression_ratio`` times their size, sheets declaring or holding a
    cell beyond ``max_rows`` x ``max_columns``, a first sheet that would make the reader
    build more than ``max_cells`` cells (or a shared strings table of more strings). Reads
    the zip directory, then streams each XML part once (nothing is kept in memory).
    Returns what the reader needs to know: whether to read a compacted copy."""
    with path.open("rb") as fh:
        head = fh.read(8)
        if head.startswith(_OLE_MAGIC):
            fh.seek(0)
            sample = fh.read(min(path.stat().st_size, 1 << 22))
            if "EncryptedPackage".encode("utf-16-le") in sample:
                raise InputFileError(path, "the workbook is password-protected")
            raise InputFileError(path, f"an {XLS_MESSAGE[0].lower()}{XLS_MESSAGE[1:]}")
        try:
            parts = zipfile.ZipFile(fh).infolist()
        # NotImplementedError: a zip feature or version number zipfile does not know
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            raise InputFileError(
                path, "not a readable XLSX workbook (truncated or corrupt)"
            ) from None
        names = [p.filename for p in parts]
        if len(set(names)) != len(names):
            raise InputFileError(path, "not a readable XLSX workbook (a part is repeated)")
        declared = sum(p.file_size for p in parts)
        for part in parts:
            big = part.file_size > _RATIO_FLOOR
            if big and part.file_size > limits.max_compression_ratio * max(part.compress_size, 1):
                raise InputFileError(
                    path,
                    f"refused: part {part.filename!r} of the workbook inflates "
                    f"{part.file_size / max(part.compress_size, 1):,.0f} times its size, more "
                    f"than the limit max_compression_ratio ({limits.max_compression_ratio}) "
                    "of config/thresholds.yaml (a zip bomb?)",
                )
        if declared > limits.max_inflated_bytes:
            raise InputFileError(
                path,
                f"refused: the workbook's parts declare {declared:,} bytes uncompressed, more "
                f"than the limit max_inflated_bytes ({limits.max_inflated_bytes:,}) of "
                "config/thresholds.yaml",
            )
        xml = [p for p in parts if p.filename.lower().endswith((".xml", ".rels"))]
        # Worksheets first: a declared dimension beyond the limits is found at once.
        xml.sort(key=lambda p: not p.filename.lower().startswith("xl/worksheets/"))
        fast = _fast_scan_pattern(limits)
        plan = XlsxPlan(None)
        try:
            for part in xml:
                extent = None
                if part.filename.lower().startswith("xl/worksheets/"):
                    extent = plan.sheets[part.filename] = SheetExtent(part.filename)
                _check_part(path, fh, part, limits, fast, extent)
        except (zlib.error, struct.error, OSError, ValueError, EOFError, OverflowError):
            raise InputFileError(
                path, "not a readable XLSX workbook (truncated or corrupt)"
            ) from None
        plan.first_sheet = _first_sheet(path, {p.filename for p in parts})
        if plan.first_sheet is None and len(plan.sheets) == 1:
            plan.first_sheet = next(iter(plan.sheets))
    # Only the first sheet is read (and compacted); when it cannot be told, every sheet
    # must pass as it is.
    first = plan.sheets.get(plan.first_sheet or "")
    for sheet in [first] if first is not None else plan.sheets.values():
        _check_cells(path, sheet, limits, compactable=first is not None)
    return plan


def _check_cells(path: Path, sheet: SheetExtent, limits: Limits, compactable: bool) -> None:
    """Refuse a sheet that would make the reader build more than ``max_cells`` cells, even
    from a compacted copy (only its rows holding a value)."""
    if compactable and sheet.needs_compacting(limits):
        rows = sheet.rows_compacted
    else:  # a sparse sheet read as it is may reach down to max_rows
        rows = limits.max_rows if sheet.sparse else sheet.rows_as_is
    cells = rows * sheet.width
    if cells > limits.max_cells:
        raise InputFileError(
            path,
            f"refused: sheet {sheet.part!r} of the workbook would make the reader build "
            f"{cells:,} cells ({rows:,} rows holding values x {sheet.width:,} columns up to the "
            f"last value), more than the limit max_cells ({limits.max_cells:,}) of "
            "config/thresholds.yaml (save a large export as CSV, or raise the limit)",
        )


_REL_ID = re.compile(rb"<(?:[\w.-]+:)?sheet\b[^>]*?\s[\w.-]+:id\s*=\s*[\"']([^\"']+)")
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\b[^>]*>")
_ATTR = re.compile(rb"\s(Id|Target)\s*=\s*[\"']([^\"']*)")


def _first_sheet(path: Path, names: set[str]) -> str | None:
    """The part of the workbook's first sheet (as the XLSX reader orders sheets): the
    first ``<sheet>`` of ``xl/workbook.xml`` through its relationship. Read after every
    XML part passed the checks (they are small and bounded)."""
    try:
        with zipfile.ZipFile(path) as z:
            workbook = z.read("xl/workbook.xml")
            rels = z.read("xl/_rels/workbook.xml.rels")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error):
        return None
    first = _REL_ID.search(workbook)
    if first is None:
        return None
    for tag in _RELATIONSHIP.finditer(rels):
        attrs = {k: v for k, v in _ATTR.findall(tag.group(0))}
        if attrs.get(b"Id") == first.group(1):
            target = attrs.get(b"Target", b"").decode("utf-8", "replace")
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            part = re.sub(r"[^/]+/\.\./", "", part)
            return part if part in names else None
    return None


def _check_part(
    path: Path, fh: Any, part: zipfile.ZipInfo, limits: Limits, fast, sheet: SheetExtent | None
) -> None:
    def refuse(problem: str) -> None:
        raise InputFileError(path, f"refused: part {part.filename!r} of the workbook {problem}")

    first = True
    rows = strings = 0
    shared = part.filename.lower().endswith("sharedstrings.xml")
    for piece in _xml_pieces(path, fh, part, limits):
        if first:
            first = False
            dim = _DIMENSION.search(piece)
            if dim:
                _check_dimension(dim, refuse, limits)
        rows += piece.count(b"<row")
        if rows > limits.max_rows:
            refuse(f"has more rows than the limit max_rows ({limits.max_rows:,})")
        if shared:
            strings += sum(piece.count(tag) for tag in (b"<si>", b"<si ", b":si>", b":si "))
            if strings > limits.max_cells:
                refuse(
                    f"holds more shared strings than the limit max_cells ({limits.max_cells:,}) "
                    "of config/thresholds.yaml"
                )
        if sheet is not None:
            _measure(sheet, piece, rows)
        if fast.search(piece) is None and _PREFIXED.search(piece) is None:
            continue
        # Unusual XML (or a cell beyond the limits): count the part again, tag by tag.
        scan = _SheetScan(limits)
        _rescan(path, fh, part, limits, scan, refuse, sheet)
        if sheet is not None:
            sheet.rows, sheet.width = scan.rows, scan.width
            sheet.sparse = scan.last_row > scan.rows + _GAP
        return


def _measure(sheet: SheetExtent, piece: bytes, rows: int) -> None:
    """Update what ``sheet`` holds with one piece of its XML (cells written ``<c r="..."``;
    others make the part scanned tag by tag): rows, values, the last column of a value and
    whether a cell lies far below the rows counted so far."""
    sheet.rows = rows
    sheet.values += sum(piece.count(tag) for tag in _VALUE_TAGS)
    wider = _wider_than(sheet.width).search(piece)
    while wider is not None:
        sheet.width = max(sheet.width, _column_number(wider.group(1)))
        wider = _wider_than(sheet.width).search(piece, wider.end())
    if not sheet.sparse:
        sheet.sparse = _rows_beyond((rows // _GAP + 1) * _GAP).search(piece) is not None


@functools.lru_cache(maxsize=512)
def _wider_than(width: int) -> re.Pattern:
    """A cell that may hold a value (not ``<c .../>``) in a column beyond ``width``."""
    column = _greater(_column_letters(width), _LETTERS) if width else "[A-Z]+"
    return re.compile(f'<c r="((?:{column}))[0-9]+"[^>]*(?<!/)>'.encode())


@functools.lru_cache(maxsize=512)
def _rows_beyond(row: int) -> re.Pattern:
    """A cell in a row beyond ``row``."""
    return re.compile(f'<c r="[A-Z]+(?:{_greater(str(row), _DIGITS)})"'.encode())


def _xml_pieces(path: Path, fh: Any, part: zipfile.ZipInfo, limits: Limits):
    """The inflated ``part`` in pieces cut before a ``<`` (so no tag is split between two
    pieces), the last piece being what remains."""
    tail = b""
    for chunk in _inflated(fh, part, limits, path):
        buf = tail + chunk
        cut = buf.rfind(b"<")
        if cut <= 0 or len(buf) - cut > _PIECE:
            cut = len(buf)
        piece, tail = buf[:cut], buf[cut:]
        yield piece
    if tail:
        yield tail


def _rescan(
    path: Path, fh: Any, part: zipfile.ZipInfo, limits: Limits, scan, refuse, sheet=None
) -> None:
    if sheet is not None:
        sheet.values = 0
    for piece in _xml_pieces(path, fh, part, limits):
        problem = scan.feed(piece)
        if problem:
            refuse(f"holds {problem}")
        if sheet is not None:
            sheet.values += sum(piece.count(tag) for tag in _VALUE_TAGS)
            sheet.values += len(_PREFIXED_VALUE.findall(piece))


_PREFIXED_VALUE = re.compile(rb"<[\w.-]+:(?:v|is)[\s>]")


def _check_dimension(dim: re.Match, refuse, limits: Limits) -> None:
    first_col, first_row, last_col, last_row = (g or b"" for g in dim.groups())
    letters = last_col or first_col
    digits = last_row or first_row
    if len(letters) > 4 or len(digits) > 12:
        refuse("declares a sheet beyond the limits")
    cols = _column_number(letters) if letters else 0
    rows = int(digits) if digits else 0
    if rows > limits.max_rows:
        refuse(f"declares {rows:,} rows, more than the limit max_rows ({limits.max_rows:,})")
    if cols > limits.max_columns:
        refuse(f"declares {cols:,} columns, more than the limit max_columns ({limits.max_columns})")


# --------------------------------------------------------------------------- compacting

_ROW_ELEMENT = re.compile(
    rb"<((?:[\w.-]+:)?row)(?=[\s/>])([^>]*?)(/)?>(?(3)|(.*?)</\1\s*>)", re.DOTALL
)
_ROW_R = re.compile(rb"(\sr\s*=\s*[\"']\s*)([0-9]*)(\s*[\"'])")
_CELL_R = re.compile(rb"(<(?:[\w.-]+:)?c(?=[\s/>])[^>]*?\sr\s*=\s*[\"']\s*[A-Za-z]*)[0-9]*")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?(?:v|is)[\s>]")


@dataclass
class _Renumbering:
    """Rows of a sheet kept so far: their sheet row numbers (the new row n is ``kept[n-1]``)."""

    kept: list[int] = field(default_factory=list)
    last: int = 0  # the sheet row number of the last row element seen

    def row(self, m: re.Match) -> bytes:
        """One row element, renumbered, or nothing when it holds no value."""
        name, attrs, content = m.group(1), m.group(2), m.group(4) or b""
        ref = _ROW_R.search(attrs)
        self.last = int(ref.group(2)) if ref and ref.group(2) else self.last + 1
        if m.group(3) or _VALUE.search(content) is None:
            return b""  # no value: a row the reader would build empty
        self.kept.append(self.last)
        new = str(len(self.kept)).encode()
        if ref:
            attrs = attrs[: ref.start(2)] + new + attrs[ref.end(2) :]
        else:
            attrs += b' r="' + new + b'"'
        # Every cell of the row, wherever its own reference points, is on the new row.
        content = _CELL_R.sub(rb"\g<1>" + new, content)
        return b"<" + name + attrs + b">" + content + b"</" + name + b">"


def compacted(path: Path, part: str) -> tuple[io.BytesIO, list[int]]:
    """The workbook at ``path`` with sheet ``part`` compacted: only its rows holding a value,
    renumbered 1, 2, 3 ... (every cell on its row's new number), and each new row's sheet
    row number. A sheet with a header and one cell at row 1 048 576 becomes two rows, not
    a million; rows of formatting only are dropped. Streamed (the workbook passed
    :func:`check_xlsx`, which bounds every part); the copy is kept in memory."""
    renumbering = _Renumbering()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(path) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst,
    ):
        for info in src.infolist():
            with (
                src.open(info) as reader,
                dst.open(info.filename, "w", force_zip64=True) as writer,
            ):
                if info.filename != part:
                    shutil.copyfileobj(reader, writer, _PIECE)
                    continue
                tail = b""
                while chunk := reader.read(_PIECE):
                    buf = tail + chunk
                    cut = _last_row_start(buf)
                    writer.write(_checked(path, renumbering, buf[:cut]))
                    tail = buf[cut:]
                writer.write(_checked(path, renumbering, tail))
    out.seek(0)
    return out, renumbering.kept


def _checked(path: Path, renumbering: _Renumbering, xml: bytes) -> bytes:
    """``xml`` with its rows renumbered; refused when a cell or row still lies beyond the
    rows kept (outside any well-formed row element: the reader would build down to it)."""
    out = _ROW_ELEMENT.sub(renumbering.row, xml)
    bound = (len(renumbering.kept) // _GAP + 1) * _GAP
    if _refs_beyond(bound).search(out):
        raise InputFileError(
            path, "refused: the first sheet of the workbook holds a cell outside its rows"
        )
    return out


@functools.lru_cache(maxsize=512)
def _refs_beyond(row: int) -> re.Pattern:
    """A cell or row element whose reference lies beyond ``row`` (any spelling)."""
    beyond = _greater(str(row), _DIGITS)
    return re.compile(
        rb"<(?:[\w.-]+:)?(?:c|row)(?=[\s/>])[^>]*\sr\s*=\s*[\"']\s*[A-Za-z]*"
        + f"(?:{beyond})".encode()
        + rb"[\"'\s]"
    )


def _last_row_start(buf: bytes) -> int:
    """Where the last row element of ``buf`` starts (it may be incomplete), else its last
    ``<`` (a tag may be cut there)."""
    plain = buf.rfind(b"<row")
    end = len(buf)
    while (at := buf.rfind(b":row", plain + 1, end)) >= 0:  # a prefixed <x:row ...>?
        lt = buf.rfind(b"<", 0, at)
        if lt >= 0 and buf[lt + 1 : lt + 2] != b"/":
            return lt
        end = max(lt, 0)
    return plain if plain >= 0 else max(0, buf.rfind(b"<"))
