"""Write canonical frames as messy, realistic exports (CSV and XLSX).

Every transform here is reversible: a cleaner recovers the canonical value exactly.
The forms written are

* headers: canonical name, Title Case ("Date Of Birth"), UPPER_SNAKE or an alias of
  ``config/header_aliases.yaml``, sometimes with a leading or trailing space;
* dates: ISO, day-first with ``/``, ``-`` or ``.``, unpadded day-first, month names
  (``20 Nov 2026``, ``20-Nov-2026``), a few with Arabic-Indic digits; in XLSX real date
  cells, Excel serial numbers and day-first text;
* countries: ISO3, ISO2, English and official names (any case), aliases of
  ``config/country_aliases.yaml`` and ``Côte d&#039;Ivoire``;
* codes: canonical, UPPER, Title Case with spaces; mantika aliases; airports by IATA code
  or alias; sex Female/Male/f/m;
* yes/no: yes/no, Yes/No, Y/N, TRUE/FALSE, 1/0, نعم/لا (real booleans in XLSX);
* lists: other item order, ``"; "`` separators, Title/UPPER items;
* numbers: thousands separators, ``LYD`` prefix, Arabic-Indic digits (numbers in XLSX);
* periods: ``10/2026``, ``Oct 2026`` (a date cell on the 1st in XLSX);
* text: stray spaces; mojibake (UTF-8 read as cp1252) in CSV, only where ftfy repairs it.

Values that are not valid canonical values (injected defects) are written unchanged.
Output is deterministic: the same frames and seed give identical bytes.

Implementation: each column is rendered on its distinct values (``pd.factorize``) into a
small table of variants; each row picks a variant with numpy, and the rows are gathered
and joined with pyarrow compute, so a million-row cases file takes a few seconds.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import ftfy
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pycountry

from ..clean.text import FTFY_ENCODING_ONLY
from ..config import Config
from ..contract import DATASETS, Column, Dataset

CSV_DATASETS = ("cases", "referrals", "placements", "visits")
XLSX_DATASETS = ("hosts", "payments", "activities")
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "cp1256")
FALLBACK_ENCODINGS = ("utf-8-sig", "utf-8")
IDENTIFIER_HINTS = ("_id", "phone", "document_number")
FIXED_TIMESTAMP = dt.datetime(2026, 1, 1, 8, 0, 0)

_AR_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_MONTH_ABBR = np.array(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    dtype=object,
)
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_SERIAL_FROM = pd.Timestamp("1900-03-01")
# yes/no styles: (false, true)
_BOOL_STYLES = (
    ("no", "yes"),
    ("No", "Yes"),
    ("N", "Y"),
    ("FALSE", "TRUE"),
    ("0", "1"),
    ("لا", "نعم"),
)
_BOOL_REAL = len(_BOOL_STYLES)  # XLSX only: a real boolean cell

# XLSX cell kinds
_EMPTY, _STRING, _NUMBER, _DATE, _BOOL = 0, 1, 2, 3, 4


@dataclass
class ExportFile:
    dataset: str
    path: Path  # absolute path of the written file
    file_format: str  # "csv" or "xlsx"
    encoding: str | None  # CSV encoding; None for xlsx
    headers: list[str]  # header row as written
    rows: int


# --------------------------------------------------------------------------- helpers


def _crc(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def _rng(seed: int, *keys: str) -> np.random.Generator:
    """A generator for (seed, keys), independent of the order files or columns are made."""
    return np.random.default_rng([seed % 2**32, *(_crc(k) for k in keys)])


def _weights(rng: np.random.Generator, base: list[float]) -> np.ndarray:
    """Per-file mix: the base weights jittered by +-50 %, normalised."""
    w = np.asarray(base, dtype=float) * rng.uniform(0.5, 1.5, len(base))
    w[np.asarray(base) == 0] = 0.0
    return w / w.sum()


def _norm(header: str) -> str:
    return re.sub(r"[\W_]+", "_", header.casefold()).strip("_")


def _encodable(text: str, encoding: str | None) -> bool:
    if encoding is None or encoding.startswith("utf-8"):
        return True
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _title(code: str) -> str:
    if "/" in code:  # "n/a" -> "N/A"
        return code.upper()
    return " ".join(w.capitalize() for w in code.replace("_", " ").split(" "))


def _is_identifier(col: Column) -> bool:
    return col.kind == "str" and col.name.endswith(IDENTIFIER_HINTS)


def _mojibake(value: str) -> str | None:
    """``value`` as UTF-8 bytes read as cp1252, if ftfy repairs it exactly; else None."""
    if value.isascii():
        return None
    try:
        bad = value.encode("utf-8").decode("cp1252", errors="strict")
    except UnicodeDecodeError:
        return None
    if (
        bad == value
        or ftfy.fix_text(bad) != value
        or ftfy.fix_text(bad, FTFY_ENCODING_ONLY) != value
    ):
        return None
    return bad


def _csv_quote(value: str) -> str:
    if any(ch in value for ch in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


# --------------------------------------------------------------------------- variants


@dataclass
class _Rendered:
    """One column as text: ``table[k][u]`` is variant k of distinct value u."""

    codes: np.ndarray  # per row index of the distinct value, -1 missing
    table: list[list[str]]  # K variants x U distinct values (variant 0 is the plain form)
    weights: np.ndarray  # K per-file weights
    direct: pa.Array | None = None  # rows already rendered (large_string, "" when missing)


def _factorize(values: pd.Series) -> tuple[np.ndarray, list]:
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), list(uniques)


def _render_dates(values: pd.Series, rng: np.random.Generator) -> _Rendered:
    codes, uniq = pd.factorize(values, use_na_sentinel=True)
    idx = pd.DatetimeIndex(uniq)
    day = idx.day.astype(str).to_numpy(dtype=object)
    month = idx.month.astype(str).to_numpy(dtype=object)
    year = idx.year.astype(str).to_numpy(dtype=object)
    mon = _MONTH_ABBR[idx.month.to_numpy() - 1] if len(idx) else np.array([], dtype=object)
    dmy = list(idx.strftime("%d/%m/%Y"))
    table = [
        list(idx.strftime("%Y-%m-%d")),
        dmy,
        list(idx.strftime("%d-%m-%Y")),
        list(idx.strftime("%d.%m.%Y")),
        list(day + "/" + month + "/" + year),
        list(idx.strftime("%d") + " " + mon + " " + year),
        list(idx.strftime("%d") + "-" + mon + "-" + year),
        [s.translate(_AR_DIGITS) for s in dmy],
    ]
    w = _weights(rng, [0.3, 0.3, 0.08, 0.06, 0.1, 0.08, 0.08, 0.0])
    arabic = rng.uniform(0.03, 0.05)
    w = np.append(w[:-1] * (1 - arabic), arabic)
    return _Rendered(np.asarray(codes, dtype=np.int64), table, w)


def _country_variants(code: str, cfg: Config, rng: np.random.Generator) -> list[str]:
    """[ISO3, name, official, ISO2, lower name, upper name, alias, alias, html] of one value."""
    country = None
    if isinstance(code, str) and len(code) == 3 and code.isupper() and code.isalpha():
        country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return [code] * 9
    name = country.name
    official = getattr(country, "official_name", name)
    iso2 = country.alpha_2 if country.alpha_2 != "NA" else code  # "NA" reads as missing
    aliases = cfg.country_aliases.get(code, [])
    alias_a = aliases[int(rng.integers(len(aliases)))] if aliases else name
    alias_b = aliases[int(rng.integers(len(aliases)))] if aliases else official
    html = name.replace("'", "&#039;") if code == "CIV" else name
    return [code, name, official, iso2, name.lower(), name.upper(), alias_a, alias_b, html]


def _render_countries(values: pd.Series, cfg: Config, rng: np.random.Generator) -> _Rendered:
    codes, uniq = _factorize(values)
    per_value = [_country_variants(u, cfg, rng) for u in uniq]
    table = [[v[k] for v in per_value] for k in range(9)]
    w = _weights(rng, [0.4, 0.15, 0.05, 0.08, 0.05, 0.06, 0.09, 0.08, 0.04])
    return _Rendered(codes, table, w)


def _render_codes(
    values: pd.Series, col: Column, cfg: Config, rng: np.random.Generator
) -> _Rendered:
    codes, uniq = _factorize(values)
    allowed = set(cfg.codes(col.codes))
    per_value = []
    if col.codes == "mantika":
        aliases = {m.name: m.aliases for m in cfg.sites.mantikas}
        for u in uniq:
            if u not in allowed:
                per_value.append([u] * 4)
                continue
            al = aliases.get(u) or [u]
            a = al[int(rng.integers(len(al)))]
            b = al[int(rng.integers(len(al)))]
            per_value.append([u, u.upper(), a, b])
        base = [0.6, 0.1, 0.15, 0.15]
    elif col.codes == "airport":
        spellings = {a.name: [a.iata, *a.aliases] for a in cfg.sites.airports}
        for u in uniq:
            if u not in allowed:
                per_value.append([u] * 4)
                continue
            al = spellings.get(u) or [u]
            per_value.append([u, u.upper(), spellings[u][0], al[int(rng.integers(len(al)))]])
        base = [0.6, 0.1, 0.2, 0.1]
    elif col.codes == "sex":
        words = {"F": "Female", "M": "Male"}
        for u in uniq:
            if u not in allowed or u not in words:
                per_value.append([u] * 4)
            else:
                per_value.append([u, words[u], u.lower(), words[u].upper()])
        base = [0.55, 0.25, 0.1, 0.1]
    else:
        for u in uniq:
            if u not in allowed:
                per_value.append([u] * 3)
            else:
                per_value.append([u, u.upper(), _title(u)])
        base = [0.6, 0.15, 0.25]
    k = len(base)
    table = [[v[i] for v in per_value] for i in range(k)]
    return _Rendered(codes, table, _weights(rng, base))


def _render_list(values: pd.Series, col: Column, cfg: Config, rng: np.random.Generator):
    codes, uniq = _factorize(values)
    allowed = set(cfg.codes(col.codes))
    per_value = []
    for u in uniq:
        items = u.split(";")
        if not all(i in allowed for i in items):
            per_value.append([u] * 6)
            continue
        shuffled = [items[i] for i in rng.permutation(len(items))]
        per_value.append(
            [
                u,
                ";".join(shuffled),
                "; ".join(items),
                ";".join(_title(i) for i in items),
                ";".join(i.upper() for i in items),
                "; ".join(_title(i) for i in shuffled),
            ]
        )
    table = [[v[i] for v in per_value] for i in range(6)]
    return _Rendered(codes, table, _weights(rng, [0.6, 0.1, 0.1, 0.08, 0.06, 0.06]))


def _render_bool(values: pd.Series, rng: np.random.Generator, xlsx: bool) -> _Rendered:
    arr = values.astype("boolean")
    codes = np.where(arr.isna().to_numpy(), -1, arr.fillna(False).to_numpy(dtype=bool)).astype(
        np.int64
    )
    n_styles = len(_BOOL_STYLES)
    main = int(rng.integers(n_styles))
    others = rng.choice([i for i in range(n_styles) if i != main], size=2, replace=False)
    w = np.zeros(n_styles + 1)
    w[main] = 0.85
    w[others] = 0.05
    w[_BOOL_REAL] = 0.05
    if xlsx and rng.random() < 0.4:  # some sheets hold real booleans mostly
        w[:] = w * 0.3
        w[_BOOL_REAL] += 0.7
    if not xlsx:
        w[_BOOL_REAL] = 0.0
    w = w / w.sum()
    table = [[f, t] for f, t in _BOOL_STYLES] + [["FALSE", "TRUE"]]
    # variant 0 must be the plain form
    order = [main] + [i for i in range(n_styles + 1) if i != main]
    return _Rendered(codes, [table[i] for i in order], w[order])


def _render_int(values: pd.Series, rng: np.random.Generator) -> _Rendered:
    codes, uniq = _factorize(values)
    plain = [str(int(u)) for u in uniq]
    grouped = [f"{int(u):,}" for u in uniq]
    arabic = [s.translate(_AR_DIGITS) for s in plain]
    w = _weights(rng, [0.87, 0.1, 0.03])
    return _Rendered(codes, [plain, grouped, arabic], w)


def _plain_number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))


def _render_number(values: pd.Series, rng: np.random.Generator) -> _Rendered:
    codes, uniq = _factorize(values)
    plain, grouped, lyd = [], [], []
    for u in uniq:
        p = _plain_number(u)
        plain.append(p)
        if abs(u) < 1e15 and float(f"{u:.2f}") == u:
            g = f"{u:,.2f}"
            grouped.append(g)
            lyd.append("LYD " + g)
        else:
            grouped.append(p)
            lyd.append(p)
    w = _weights(rng, [0.5, 0.3, 0.2])
    return _Rendered(codes, [plain, grouped, lyd], w)


def _render_period(values: pd.Series, rng: np.random.Generator) -> _Rendered:
    codes, uniq = _factorize(values)
    per_value = []
    for u in uniq:
        m = _PERIOD.match(u)
        if not m or not 1 <= int(m[2]) <= 12:
            per_value.append([u] * 3)
        else:
            per_value.append([u, f"{m[2]}/{m[1]}", f"{_MONTH_ABBR[int(m[2]) - 1]} {m[1]}"])
    table = [[v[i] for v in per_value] for i in range(3)]
    return _Rendered(codes, table, _weights(rng, [0.6, 0.2, 0.2]))


def _render_text(values: pd.Series, rng: np.random.Generator, csv: bool) -> _Rendered:
    codes, uniq = _factorize(values)
    uniq = [str(u) for u in uniq]
    table = [
        uniq,
        [" " + u for u in uniq],
        [u + " " for u in uniq],
        [u.replace(" ", "  ", 1) if " " in u else u + " " for u in uniq],
        [(_mojibake(u) if csv else None) or u for u in uniq],
    ]
    stray = rng.uniform(0.04, 0.06) / 3
    moji = rng.uniform(0.015, 0.025) if csv else 0.0
    w = np.array([1 - 3 * stray - moji, stray, stray, stray, moji])
    return _Rendered(codes, table, w)


def _render_identifier(values: pd.Series, rng: np.random.Generator) -> _Rendered:
    """Ids are nearly all distinct: pad ~1 % of them with a space directly in arrow."""
    base = pa.array(values.astype("str"), from_pandas=True).cast(pa.large_string())
    present = pc.is_valid(base)
    base = pc.fill_null(base, "")
    side = rng.choice(3, size=len(values), p=[0.99, 0.005, 0.005])
    space = pa.scalar(" ", pa.large_string())
    empty = pa.scalar("", pa.large_string())
    lead = pc.and_(pa.array(side == 1), present)
    trail = pc.and_(pa.array(side == 2), present)
    rows = pc.if_else(lead, pc.binary_join_element_wise(space, base, empty), base)
    rows = pc.if_else(trail, pc.binary_join_element_wise(base, space, empty), rows)
    return _Rendered(np.zeros(0, dtype=np.int64), [[]], np.ones(1), direct=rows)


def _render(values: pd.Series, col: Column, cfg: Config, rng, csv: bool) -> _Rendered:
    if col.kind == "date":
        return _render_dates(values, rng)
    if col.kind == "country":
        return _render_countries(values, cfg, rng)
    if col.kind == "code":
        return _render_codes(values, col, cfg, rng)
    if col.kind == "list":
        return _render_list(values, col, cfg, rng)
    if col.kind == "bool":
        return _render_bool(values, rng, xlsx=not csv)
    if col.kind == "int":
        return _render_int(values, rng)
    if col.kind == "number":
        return _render_number(values, rng)
    if col.kind == "period":
        return _render_period(values, rng)
    if _is_identifier(col):
        return _render_identifier(values, rng)
    return _render_text(values, rng, csv)


def _pick_variants(r: _Rendered, rng: np.random.Generator) -> np.ndarray | None:
    if r.direct is not None:
        return None
    n = len(r.codes)
    k = len(r.weights)
    if k == 1:
        return np.zeros(n, dtype=np.int64)
    return rng.choice(k, size=n, p=r.weights).astype(np.int64)


def _restrict(r: _Rendered, encoding: str | None) -> None:
    """Replace variants that the file encoding cannot hold by the plain form."""
    if encoding is None or encoding.startswith("utf-8") or r.direct is not None:
        return
    base = r.table[0]
    for k in range(1, len(r.table)):
        row = r.table[k]
        for u, s in enumerate(row):
            if not s.isascii() and not _encodable(s, encoding):
                row[u] = base[u]


def _plain_encodable(rendered: list[_Rendered], encoding: str) -> bool:
    if encoding.startswith("utf-8"):
        return True
    text = "\x1f".join(s for r in rendered for s in r.table[0] if not s.isascii())
    for r in rendered:
        if r.direct is not None and not pc.all(pc.string_is_ascii(r.direct)).as_py():
            odd = pc.filter(r.direct, pc.invert(pc.string_is_ascii(r.direct)))
            text += "\x1f" + "\x1f".join(pc.unique(odd).to_pylist())
    return _encodable(text, encoding)


# --------------------------------------------------------------------------- headers


def _choose_headers(ds: Dataset, cfg: Config, rng: np.random.Generator, encoding: str | None):
    names = ds.column_names
    aliases = cfg.header_aliases.get(ds.name, {})
    norms = {c: {_norm(c)} | {_norm(a) for a in aliases.get(c, [])} for c in names}
    style_w = _weights(rng, [0.3, 0.3, 0.15, 0.25])
    headers = []
    for c in names:
        others = set().union(*(norms[o] for o in names if o != c))
        usable = [
            a
            for a in aliases.get(c, [])
            if _norm(a) and _norm(a) not in others and _encodable(a, encoding)
        ]
        style = int(rng.choice(4, p=style_w))
        if style == 3 and not usable:
            style = 1
        if style == 0:
            h = c
        elif style == 1:
            h = _title(c)
        elif style == 2:
            h = c.upper()
        else:
            h = usable[int(rng.integers(len(usable)))]
        pad = rng.random()
        if pad < 0.03:
            h = " " + h
        elif pad < 0.07:
            h = h + " "
        headers.append(h)
    if ds.name == "cases" and headers == names:
        headers[0] = _title(names[0])
    return headers


# --------------------------------------------------------------------------- CSV


def _gather(
    r: _Rendered, variants: np.ndarray | None, quote: bool = False, encoding: str | None = None
) -> pa.Array:
    """Per-row values of one column (missing -> ""): large_string, or with ``encoding``
    large_binary already encoded (each distinct string is encoded once).

    ``quote``: CSV minimal quoting (on the distinct strings, or vectorised for ids).
    """
    if r.direct is not None:
        rows = _quote_rows(r.direct) if quote else r.direct
        return rows if encoding is None else _encode_rows(rows, encoding)
    u = len(r.table[0])
    flat = [s for row in r.table for s in row]
    if quote:
        flat = [_csv_quote(s) for s in flat]
    flat.append("")
    if encoding is None:
        table = pa.array(flat, type=pa.large_string())
    else:
        codec = "utf-8" if encoding.startswith("utf-8") else encoding
        table = pa.array([s.encode(codec) for s in flat], type=pa.large_binary())
    idx = np.where(r.codes < 0, len(flat) - 1, variants * u + r.codes)
    return pc.take(table, pa.array(idx, type=pa.int64()))


def _encode_rows(rows: pa.Array, encoding: str) -> pa.Array:
    """large_string rows as large_binary in ``encoding`` (ASCII/UTF-8: zero-copy cast)."""
    if encoding.startswith("utf-8") or pc.all(pc.string_is_ascii(rows)).as_py() is not False:
        return rows.cast(pa.large_binary())
    encoded = pc.dictionary_encode(rows)
    values = [s.encode(encoding) for s in encoded.dictionary.to_pylist()]
    return pc.take(pa.array(values, type=pa.large_binary()), encoded.indices)


def _quote_rows(rows: pa.Array) -> pa.Array:
    """CSV minimal quoting, vectorised: quote values holding a comma, quote or line break."""
    needs = pc.match_substring_regex(rows, '[,"\r\n]')
    if not pc.any(needs).as_py():
        return rows
    mark = pa.scalar('"', pa.large_string())
    empty = pa.scalar("", pa.large_string())
    doubled = pc.replace_substring(rows, '"', '""')
    quoted = pc.binary_join_element_wise(mark, doubled, mark, empty)
    return pc.if_else(needs, quoted, rows)


def _join_rows(columns: list[pa.Array], newline: str) -> bytes:
    if not columns or len(columns[0]) == 0:
        return b""

    def sep(text: str) -> pa.Scalar:
        return pa.scalar(text.encode("ascii"), pa.large_binary())

    last = pc.binary_join_element_wise(columns[-1], sep(newline), sep(""))
    lines = pc.binary_join_element_wise(*columns[:-1], last, sep(",")) if len(columns) > 1 else last
    lines = lines.combine_chunks() if isinstance(lines, pa.ChunkedArray) else lines
    _, offsets_buf, data_buf = lines.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[
        lines.offset : lines.offset + len(lines) + 1
    ]
    return memoryview(data_buf)[int(offsets[0]) : int(offsets[-1])].tobytes()


def _write_csv(
    frame: pd.DataFrame,
    ds: Dataset,
    path: Path,
    cfg: Config,
    seed: int,
    key: str,
    avoid_encoding: str | None,
) -> ExportFile:
    rng = _rng(seed, key, "file")
    if ds.name == "cases":
        preferred = ["utf-8", "utf-8-sig", "cp1256"]
        p = [0.35, 0.35, 0.3]
    else:
        preferred = ["cp1252", "utf-8", "utf-8-sig"]
        p = [0.5, 0.25, 0.25]
    first = preferred[int(rng.choice(len(preferred), p=p))]
    newline = "\r\n" if rng.random() < 0.5 else "\n"
    empty_tail = int(rng.integers(1, 4)) if rng.random() < 0.25 else 0

    rendered = [
        _render(frame[c.name], c, cfg, _rng(seed, key, c.name), csv=True) for c in ds.columns
    ]
    candidates = [first, *FALLBACK_ENCODINGS]
    if avoid_encoding is not None:
        candidates = [e for e in ["cp1252", *candidates] if e != avoid_encoding] + [avoid_encoding]
    encoding = next(e for e in candidates if _plain_encodable(rendered, e))
    for r in rendered:
        _restrict(r, encoding)
    headers = _choose_headers(ds, cfg, _rng(seed, key, "headers"), encoding)

    arrays = [
        _gather(r, _pick_variants(r, _rng(seed, key, c.name, "rows")), True, encoding)
        for r, c in zip(rendered, ds.columns, strict=True)
    ]
    codec = "utf-8" if encoding.startswith("utf-8") else encoding
    head = (",".join(_csv_quote(h) for h in headers) + newline).encode(codec)
    body = (
        head
        + _join_rows(arrays, newline)
        + ("," * (len(headers) - 1) + newline).encode("ascii") * empty_tail
    )
    path.write_bytes(b"\xef\xbb\xbf" + body if encoding == "utf-8-sig" else body)
    return ExportFile(ds.name, path, "csv", encoding, headers, len(frame))


# --------------------------------------------------------------------------- XLSX


def _xlsx_cells(
    values: pd.Series, col: Column, cfg: Config, seed: int, key: str
) -> tuple[list[int], list]:
    """Cell kinds and values of one column (one per row)."""
    rng = _rng(seed, key, col.name)
    row_rng = _rng(seed, key, col.name, "rows")
    n = len(values)
    if col.kind == "date":
        ts = pd.to_datetime(values)
        missing = ts.isna().to_numpy()
        choice = row_rng.choice(3, size=n, p=_weights(rng, [0.75, 0.12, 0.13]))
        early = (ts < _SERIAL_FROM).fillna(False).to_numpy()
        choice = np.where(early & (choice == 1), 0, choice)
        kinds = np.select([missing, choice == 0, choice == 1], [_EMPTY, _DATE, _NUMBER], _STRING)
        serial = (ts - _EXCEL_EPOCH).dt.days
        text = ts.dt.strftime("%d/%m/%Y")
        pydt = ts.dt.to_pydatetime() if n else np.array([], dtype=object)
        vals = np.where(
            choice == 0, pydt, np.where(choice == 1, serial.astype(object), text.astype(object))
        )
        return kinds.tolist(), vals.tolist()
    if col.kind in ("int", "number"):
        missing = values.isna().to_numpy()
        nums = np.nan_to_num(values.astype("float64").to_numpy())
        if col.kind == "int":
            return np.where(missing, _EMPTY, _NUMBER).tolist(), [int(v) for v in nums]
        # xlsxwriter writes 16 significant digits: keep other floats exact as text
        vals = [float(v) if float(f"{v:.16g}") == v else repr(float(v)) for v in nums]
        kinds = np.where(
            missing, _EMPTY, [_NUMBER if isinstance(v, float) else _STRING for v in vals]
        )
        return kinds.tolist(), vals
    if col.kind == "period":
        r = _render_period(values, rng)
        variants = _pick_variants(r, row_rng)
        strings = _gather(r, variants).to_numpy(zero_copy_only=False)
        as_date = row_rng.random(n) < rng.uniform(0.1, 0.3)
        first = pd.to_datetime(values.where(values.str.match(r"^\d{4}-(0[1-9]|1[0-2])$")) + "-01")
        as_date &= first.notna().to_numpy()
        missing = values.isna().to_numpy()
        kinds = np.select([missing, as_date], [_EMPTY, _DATE], _STRING)
        pydt = first.dt.to_pydatetime() if n else np.array([], dtype=object)
        vals = np.where(as_date, pydt, strings)
        return kinds.tolist(), vals.tolist()
    r = _render(values, col, cfg, rng, csv=False)
    variants = _pick_variants(r, row_rng)
    strings = _gather(r, variants).to_numpy(zero_copy_only=False)
    missing = values.isna().to_numpy() if r.direct is not None else r.codes < 0
    if col.kind == "bool":
        real = (variants == len(r.table) - 1) & ~missing
        kinds = np.select([missing, real], [_EMPTY, _BOOL], _STRING)
        vals = np.where(real, r.codes == 1, strings)
        return kinds.tolist(), vals.tolist()
    return np.where(missing, _EMPTY, _STRING).tolist(), strings.tolist()


def _write_xlsx(
    frame: pd.DataFrame, ds: Dataset, path: Path, cfg: Config, seed: int, key: str
) -> ExportFile:
    import xlsxwriter

    rng = _rng(seed, key, "file")
    headers = _choose_headers(ds, cfg, _rng(seed, key, "headers"), None)
    date_fmt = ["dd/mm/yyyy", "yyyy-mm-dd", "d-mmm-yyyy", "dd.mm.yyyy"][int(rng.integers(4))]
    columns = [_xlsx_cells(frame[c.name], c, cfg, seed, key) for c in ds.columns]

    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_numbers": False}
    )
    workbook.set_properties({"created": FIXED_TIMESTAMP, "author": "export"})
    sheet = workbook.add_worksheet(["Sheet1", "Export", "Data", ds.name][int(rng.integers(4))])
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": date_fmt})
    for j, h in enumerate(headers):
        sheet.write_string(0, j, h, bold)
    for i in range(len(frame)):
        row = i + 1
        for j, (kinds, vals) in enumerate(columns):
            k = kinds[i]
            if k == _EMPTY:
                continue
            v = vals[i]
            if k == _STRING:
                sheet.write_string(row, j, v)
            elif k == _NUMBER:
                sheet.write_number(row, j, v)
            elif k == _DATE:
                sheet.write_datetime(row, j, v, date_format)
            else:
                sheet.write_boolean(row, j, bool(v))
    workbook.close()
    return ExportFile(ds.name, path, "xlsx", None, headers, len(frame))


# --------------------------------------------------------------------------- entry point


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "unknown"


def write_exports(
    frames: dict[str, pd.DataFrame], out: Path, seed: int, cfg: Config
) -> list[ExportFile]:
    """Write every canonical frame of ``frames`` as messy export files into ``out``."""
    out = Path(out).absolute()
    out.mkdir(parents=True, exist_ok=True)
    plan: list[tuple[str, pd.DataFrame, str, str]] = []  # dataset, frame, file name, format
    for name in CSV_DATASETS + XLSX_DATASETS:
        if name in frames:
            fmt = "csv" if name in CSV_DATASETS else "xlsx"
            plan.append((name, frames[name], f"{name}.{fmt}", fmt))
    manifest = frames.get("manifest")
    if manifest is not None and len(manifest):
        ids = manifest["manifest_id"].astype("str").ffill().bfill().fillna("unknown")
        order = ids.drop_duplicates().tolist()
        start = int(_rng(seed, "manifest").integers(2))
        used: set[str] = set()
        for i, mid in enumerate(order):
            fmt = "xlsx" if (i + start) % 2 == 0 else "csv"
            stem = f"manifest_{_safe_name(mid)}"
            while stem in used:
                stem += "_"
            used.add(stem)
            part = manifest.loc[(ids == mid).to_numpy()].reset_index(drop=True)
            plan.append(("manifest", part, f"{stem}.{fmt}", fmt))

    csv_files = [p[2] for p in plan if p[3] == "csv"]
    written: list[ExportFile] = []
    for name, frame, file_name, fmt in plan:
        ds = DATASETS[name]
        frame = frame.reset_index(drop=True)
        path = out / file_name
        if fmt == "csv":
            encodings = {f.encoding for f in written if f.file_format == "csv"}
            avoid = None
            if len(csv_files) >= 2 and file_name == csv_files[-1] and len(encodings) == 1:
                avoid = next(iter(encodings))
            written.append(_write_csv(frame, ds, path, cfg, seed, file_name, avoid))
        else:
            written.append(_write_xlsx(frame, ds, path, cfg, seed, file_name))
    return written
