"""Refuse a hostile XLSX workbook before the XLSX reader opens it.

A workbook is a zip of XML parts; a few hundred bytes can declare a sheet of a million
columns or inflate to gigabytes (a zip bomb). :func:`check_xlsx` reads the zip directory,
then streams each XML part once in pieces, without keeping it, and refuses the workbook
(:class:`~protection_workbench.errors.InputFileError` naming the file, the part and the
limit of ``config/thresholds.yaml``) when a part declares or inflates to more than
``max_inflated_bytes`` or ``max_compression_ratio`` times its size, or when a sheet
declares or holds a cell beyond ``max_rows`` x ``max_columns``. Old ``.xls`` files
(OLE) and password-protected workbooks are named as such.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
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


def check_xlsx(path: Path, limits: Limits) -> None:
    """Refuse a workbook that would make the XLSX reader use unbounded memory, before it
    is opened: parts declaring (or inflating to) more than ``max_inflated_bytes`` or
    inflating ``max_compression_ratio`` times their size, sheets declaring or holding a cell
    beyond ``max_rows`` x ``max_columns``. Reads the zip directory, then streams each XML
    part once (nothing is kept in memory)."""
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
        try:
            for part in xml:
                _check_part(path, fh, part, limits, fast)
        except (zlib.error, struct.error, OSError, ValueError, EOFError, OverflowError):
            raise InputFileError(
                path, "not a readable XLSX workbook (truncated or corrupt)"
            ) from None


def _check_part(path: Path, fh: Any, part: zipfile.ZipInfo, limits: Limits, fast) -> None:
    def refuse(problem: str) -> None:
        raise InputFileError(path, f"refused: part {part.filename!r} of the workbook {problem}")

    first = True
    rows = 0
    for piece in _xml_pieces(path, fh, part, limits):
        if first:
            first = False
            dim = _DIMENSION.search(piece)
            if dim:
                _check_dimension(dim, refuse, limits)
        rows += piece.count(b"<row")
        if rows > limits.max_rows:
            refuse(f"has more rows than the limit max_rows ({limits.max_rows:,})")
        if fast.search(piece) is None and _PREFIXED.search(piece) is None:
            continue
        # Unusual XML (or a cell beyond the limits): count the part again, tag by tag.
        _rescan(path, fh, part, limits, _SheetScan(limits), refuse)
        return


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


def _rescan(path: Path, fh: Any, part: zipfile.ZipInfo, limits: Limits, scan, refuse) -> None:
    for piece in _xml_pieces(path, fh, part, limits):
        problem = scan.feed(piece)
        if problem:
            refuse(f"holds {problem}")


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
