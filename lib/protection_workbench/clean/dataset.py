"""Clean one dataset: read its file(s), map headers, clean every column, account for every row.

Every input row ends either in the clean frame or in the quarantine table, with
its file, line, column and reason; ``rows_in == rows_clean + rows_quarantined`` is
asserted. Values that cannot be cleaned are listed in ``issues`` (file, line,
column, problem): dates and numbers become missing, codes and countries keep their
raw value so that rule C014 can name it.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import Config, get_config
from ..contract import Column, Dataset
from ..contract import dataset as get_dataset
from ..errors import InputFileError
from . import arrow, codes, countries, dates, numbers, text
from .headers import map_headers, normalise_header
from .periods import clean_periods
from .read import RawTable, ValueNote, contract_multiline, read_table
from .result import Cleaned

ISSUE_COLUMNS = ["file", "line", "column", "value", "problem"]
QUARANTINE_COLUMNS = ["file", "line", "column", "reason"]
LIST_PREFIX = {"vulnerabilities": "vuln_"}
# Free-text columns whose raw form is kept beside the cleaned one.
KEEP_ORIGINAL = ("first_name", "last_name")
# Identifier-like text: strip and collapse spaces only (no ftfy: ASCII, nearly all unique).
IDENTIFIER_HINTS = ("_id", "phone", "document_number")
HIDDEN = "(hidden: personal data)"
HIDDEN_UNREADABLE = "(not shown: unreadable characters)"


@dataclass
class CleaningReport:
    """What cleaning did to one dataset; the numbers always balance."""

    dataset: str
    files: list[str]
    encodings: dict[str, str | None]
    rows_in: int
    rows_clean: int
    rows_quarantined: int
    repairs: dict[str, int]
    unknown_values: pd.DataFrame  # column, value, count
    unknown_columns: list[str]
    missing_optional_columns: list[str]
    dropped_empty_rows: int
    # For a reviewer: date orders (month-first, ambiguous), columns not used, fuzzy, pattern
    # and two-letter country matches, header conflicts (shown in the data-quality report).
    notes: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        assert self.rows_in == self.rows_clean + self.rows_quarantined, (
            f"{self.dataset}: row accounting does not balance: {self.rows_in} in, "
            f"{self.rows_clean} clean, {self.rows_quarantined} quarantined"
        )

    def summary(self) -> dict:
        return {
            "dataset": self.dataset,
            "files": self.files,
            "rows_in": self.rows_in,
            "rows_clean": self.rows_clean,
            "rows_quarantined": self.rows_quarantined,
            "values_repaired": int(sum(self.repairs.values())),
            "unknown_values": int(self.unknown_values["count"].sum()),
            "unknown_columns": len(self.unknown_columns),
        }

    def to_dict(self) -> dict:
        return {
            **self.summary(),
            "encodings": self.encodings,
            "repairs": dict(sorted(self.repairs.items())),
            "unknown_values": self.unknown_values.to_dict(orient="records"),
            "unknown_columns": self.unknown_columns,
            "missing_optional_columns": self.missing_optional_columns,
            "dropped_empty_rows": self.dropped_empty_rows,
            "notes": self.notes,
        }


@dataclass
class CleanDataset:
    name: str
    frame: pd.DataFrame  # canonical columns, then derived (vuln_*, *_original), then unknown extras
    provenance: pd.DataFrame  # source_file, source_line per row of frame (same index)
    quarantine: pd.DataFrame  # file, line, column, reason
    issues: pd.DataFrame  # file, line, column, value, problem
    report: CleaningReport
    extra_columns: list[str] = field(default_factory=list)


def _workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def _is_identifier(col: Column) -> bool:
    return col.kind == "str" and col.name.endswith(IDENTIFIER_HINTS)


def clean_identifiers(values: pd.Series) -> Cleaned:
    """Strip and collapse whitespace of id-like text (ids are nearly all unique, so this runs
    in Arrow over every value instead of over distinct values)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    raw = arrow.arrow_strings(values)
    if raw is None:
        raw = pa.array(values.astype("str").array, type=pa.large_string(), from_pandas=True)
    cleaned = pc.utf8_trim_whitespace(raw)
    if (
        _may_hold_inner_space(cleaned)
        and pc.any(pc.match_substring_regex(cleaned, r"\s\s|[\t\n\r]")).as_py()
    ):
        cleaned = pc.replace_substring_regex(cleaned, r"\s\s+|[\t\n\r]", " ")
    empty = pc.equal(cleaned, "")
    if pc.any(empty).as_py():
        cleaned = pc.if_else(empty, pa.scalar(None, cleaned.type), cleaned)
    changed = pc.fill_null(pc.not_equal(cleaned, raw), False)
    changed_np = changed.to_numpy(zero_copy_only=False)
    index = values.index
    if (
        not changed_np.any()
        and cleaned.null_count == raw.null_count
        and values.dtype == arrow.STR_DTYPE
    ):
        out = pd.Series(values.array, index=index, name=values.name, copy=False)
    else:
        out = arrow.str_series(cleaned, index, values.name)
    repaired = (
        {"whitespace": pd.Series(changed_np, index=index, copy=False)} if changed_np.any() else {}
    )
    return Cleaned(values=out, repaired=repaired, invalid=pd.Series(False, index=index))


def _may_hold_inner_space(strings) -> bool:
    """False when no value can match ``\\s\\s|[\\t\\n\\r]`` (RE2: ``\\s`` is
    ``[\\t\\n\\f\\r ]``): the string bytes hold no control whitespace and no two
    spaces in a row. A cheap scan of the data buffers that saves a regex over every value."""
    chunks = strings.chunks if hasattr(strings, "chunks") else [strings]
    for chunk in chunks:
        buffers = chunk.buffers()
        if len(buffers) < 3 or buffers[2] is None:
            continue
        data = np.frombuffer(buffers[2], dtype=np.uint8)
        if ((data - np.uint8(9)) <= 4).any():  # \t \n \v \f \r
            return True
        space = data == 32
        if (space[1:] & space[:-1]).any():
            return True
    return False


def clean_column(
    values: pd.Series,
    col: Column,
    cfg: Config,
    files: list[tuple[str, slice]] | None = None,
    date_orders: tuple[dict[str, dates.DateReading], list[str]] | None = None,
) -> Cleaned:
    """Dispatch one column to the cleaner of its kind. ``files``: the name and rows of each
    file the values come from (date columns are read in each file's date order).
    ``date_orders``: the date columns already read both ways and the order of each file
    (see :func:`dates.decide_orders`); without them a date column decides on its own values.
    Missing markers (config/missing_values.yaml) are missing values in columns of kind
    country, code, bool and date, except those that are codes of the column's own list."""
    markers = cfg.missing_markers
    if col.kind == "date":
        if date_orders is not None and col.name in date_orders[0]:
            return dates.assemble(date_orders[0][col.name], files, date_orders[1])
        t = cfg.thresholds
        files = files or [("", slice(None))]
        return dates.clean_date_column(
            values, files, t.month_first_min_share, t.date_order, text.marker_keys(markers)
        )
    if col.kind == "country":
        return countries.clean_countries(values, cfg)
    # Every whole number and amount of the contract is a count, an age, a capacity or an
    # amount of money: never negative.
    if col.kind == "int":
        return numbers.clean_int(values, minimum=0)
    if col.kind == "number":
        return numbers.clean_number(values, minimum=0)
    if col.kind == "bool":
        return codes.clean_yes_no(values, text.marker_keys(markers))
    if col.kind == "period":
        return clean_periods(values)
    if col.kind == "code":
        allowed = cfg.codes(col.codes)
        keys = text.marker_keys(markers, tuple(allowed))
        if col.codes == "sex":
            return codes.clean_sex(values, keys)
        if col.codes == "mantika":
            return codes.clean_mantika(values, cfg, keys)
        if col.codes == "airport":
            return codes.clean_airport(values, cfg, keys)
        return codes.clean_code(values, allowed, keys)
    if col.kind == "list":
        cleaned, flags = codes.split_list(
            values, cfg.codes(col.codes), prefix=LIST_PREFIX.get(col.name, f"{col.name}_")
        )
        cleaned.flags = flags
        return cleaned
    if _is_identifier(col):
        return clean_identifiers(values)
    return text.clean_text(values)


def _clean_contiguous(
    values: pd.Series,
    col: Column,
    cfg: Config,
    files: list[tuple[str, slice]],
    date_orders: tuple[dict[str, dates.DateReading], list[str]] | None = None,
) -> Cleaned:
    """:func:`clean_column`, its values joined into one Arrow chunk (see
    :func:`arrow.one_chunk`) in the worker thread, beside the other columns."""
    result = clean_column(values, col, cfg, files, date_orders)
    result.values = arrow.one_chunk(result.values)
    return result


def _read_all(ds: Dataset, paths: list[Path], cfg: Config) -> list[tuple[RawTable, dict[str, str]]]:
    tables = []
    for path in paths:
        raw = read_table(path, cfg, multiline=contract_multiline(ds.name, path, cfg))
        mapping = map_headers(list(raw.data.columns), ds.name, path, cfg)
        tables.append((raw, mapping))
    return tables


def clean_dataset(name: str, paths: list[Path] | Path, cfg: Config | None = None) -> CleanDataset:
    """Read and clean every file of one dataset (several for manifests) into one frame."""
    cfg = cfg or get_config()
    ds = get_dataset(name)
    paths = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    parts, provenance = [], []
    seen_extras: dict[str, None] = {}  # insertion-ordered set: linear in the number of columns
    encodings: dict[str, str | None] = {}
    unknown_columns: list[str] = []
    missing_optional: set[str] = set()
    dropped_empty = 0
    repairs: dict[str, int] = {}
    read_notes: list[tuple[int, str, ValueNote]] = []  # (row offset, column, note)
    notes: list[dict] = []
    files: list[tuple[str, slice]] = []  # each file's name and rows
    # canonical column -> (file number, raw header) of the files that give it through an alias
    aliased: dict[str, list[tuple[int, str]]] = {}
    set_aside: list[dict] = []  # records the reader set aside (broken quoting): quarantined
    rows_in_by_file: dict[str, int] = {}
    offset = 0
    for raw, mapping in _read_all(ds, paths, cfg):
        for r in raw.set_aside:
            column = mapping.columns.get(r.column, r.column)
            set_aside.append(
                {"file": raw.path.name, "line": r.line, "column": column, "reason": r.reason}
            )
            notes.append(
                {
                    "kind": "broken_quoting",
                    "file": raw.path.name,
                    "line": r.line,
                    "column": column,
                    "message": r.reason,
                }
            )
        rows_in_by_file[raw.path.name] = len(raw.data) + len(raw.set_aside)
        for header, canonical in mapping.columns.items():
            if canonical in ds.column_names and normalise_header(header) != canonical:
                aliased.setdefault(canonical, []).append((len(files), header))
        renamed = raw.data.rename(columns=mapping.columns)
        for note in raw.value_notes:
            read_notes.append((offset, mapping.columns.get(note.column, note.column), note))
        files.append((raw.path.name, slice(offset, offset + len(raw.data))))
        offset += len(raw.data)
        notes += [
            {"kind": "header_conflict", "file": raw.path.name, "message": m}
            for m in mapping.conflicts
        ]
        seen_extras.update(dict.fromkeys(mapping.unknown))
        unknown_columns += [f"{raw.path.name}: {h}" for h in mapping.unknown]
        missing_optional |= set(mapping.missing_optional)
        for col in ds.column_names:
            if col not in renamed.columns:
                renamed[col] = pd.NA
        parts.append(renamed[ds.column_names + mapping.unknown])
        provenance.append(
            pd.DataFrame({"source_file": raw.path.name, "source_line": raw.line_numbers})
        )
        encodings[raw.path.name] = raw.encoding
        dropped_empty += raw.dropped_empty_rows

    data = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    prov = pd.concat(provenance, ignore_index=True) if len(provenance) > 1 else provenance[0]
    prov["source_file"] = prov["source_file"].astype("category")
    rows_in = len(data) + len(set_aside)

    extras_seen = list(seen_extras)
    frame = pd.DataFrame(index=data.index)
    issue_parts, unknown_parts = [], []
    for row_offset, column, note in read_notes:
        if note.problem is None:  # repaired while reading (legacy code page, control chars)
            repairs[note.kind] = repairs.get(note.kind, 0) + len(note.rows)
            continue
        rows = note.rows + row_offset
        issue_parts.append(
            pd.DataFrame(
                {
                    "file": prov["source_file"].take(rows).astype("str").to_numpy(),
                    "line": prov["source_line"].take(rows).to_numpy(),
                    "column": column,
                    "value": HIDDEN_UNREADABLE,
                    "problem": note.problem,
                }
            )
        )
    factorised: dict[str, tuple[np.ndarray, list]] = {}
    columns = list(ds.columns)
    inputs = [data[col.name] for col in columns]
    not_used: dict[str, pd.Series] = {}  # raw values of columns judged to be another column
    pool = ThreadPoolExecutor(max_workers=_workers())
    try:
        # Arrow and numpy release the GIL: columns are cleaned two (or more) at a time.
        run = pool.map if _workers() > 1 else map
        n = len(columns)
        # Each file's order of day and month is decided on all its date columns at once.
        date_names = [c.name for c in columns if c.kind == "date"]
        markers = text.marker_keys(cfg.missing_markers)
        read = run(partial(dates.read_dates, markers=markers), [data[c] for c in date_names])
        readings = dict(zip(date_names, read, strict=True))
        t = cfg.thresholds
        orders, date_notes = dates.decide_orders(
            readings, files, t.month_first_min_share, t.date_order
        )
        notes += date_notes
        results = run(
            _clean_contiguous, inputs, columns, [cfg] * n, [files] * n, [(readings, orders)] * n
        )
        for col, values, result in zip(columns, inputs, results, strict=True):
            wrong = _wrong_column(name, col, result, aliased.get(col.name, []), files, cfg)
            if wrong is not None:
                mask, wrong_notes = wrong
                header = wrong_notes[0]["header"]
                extra = header if header not in data.columns else f"{header} (not used)"
                not_used[extra] = values.where(pd.Series(mask, index=values.index))
                unknown_columns += [f"{w['file']}: {w['header']}" for w in wrong_notes]
                notes += wrong_notes
                result = _drop_rows(result, mask)
            frame[col.name] = result.values
            notes += [{**note, "column": col.name} for note in result.notes]
            if result.codes is not None and _categorised(col):
                factorised[col.name] = (result.codes, result.distinct)
            for kind, mask in result.repaired.items():
                repairs[kind] = repairs.get(kind, 0) + int(mask.sum())
            if result.invalid.any():
                _all_unparseable(values, result, col, prov)
                bad = result.invalid.to_numpy()
                shown = (
                    values[bad].astype("str")
                    if not col.pii
                    else pd.Series(HIDDEN, index=values.index[bad])
                )
                issue_parts.append(
                    pd.DataFrame(
                        {
                            "file": prov["source_file"][bad].astype("str"),
                            "line": prov["source_line"][bad],
                            "column": col.name,
                            "value": shown,
                            "problem": _problems(col, result, bad),
                        }
                    )
                )
                counts = shown.value_counts()
                unknown_parts.append(
                    pd.DataFrame(
                        {"column": col.name, "value": counts.index, "count": counts.to_numpy()}
                    )
                )
            if result.flags is not None:
                for flag in result.flags.columns:
                    frame[flag] = result.flags[flag].to_numpy()
    finally:
        pool.shutdown(cancel_futures=True)
    # The raw columns kept beside the cleaned ones are joined into one chunk as well.
    for name_col in KEEP_ORIGINAL:
        if name_col in frame.columns:
            frame[f"{name_col}_original"] = arrow.one_chunk(data[name_col].astype("str"))
    if extras_seen or not_used:  # added at once: one column at a time is quadratic in pandas
        extras = pd.DataFrame({c: arrow.one_chunk(data[c]) for c in extras_seen} | not_used)
        frame = pd.concat([frame, extras], axis=1)
        extras_seen += [c for c in not_used if c not in extras_seen]

    frame, prov, quarantine, kept = _quarantine_unidentified(frame, prov, ds)
    if set_aside:
        quarantine = pd.concat(
            [pd.DataFrame(set_aside, columns=QUARANTINE_COLUMNS), quarantine], ignore_index=True
        ).sort_values(["file", "line"], kind="stable", ignore_index=True)
    _check_rows_by_file(rows_in_by_file, prov, quarantine)
    if kept is not None:
        factorised = {c: (codes[kept], distinct) for c, (codes, distinct) in factorised.items()}
    frame = _categorise(frame, ds, cfg, factorised)
    issues = (
        pd.concat(issue_parts, ignore_index=True)
        if issue_parts
        else pd.DataFrame(columns=ISSUE_COLUMNS)
    )
    unknown = (
        pd.concat(unknown_parts, ignore_index=True)
        if unknown_parts
        else pd.DataFrame({"column": [], "value": [], "count": []})
    )
    report = CleaningReport(
        dataset=name,
        files=[p.name for p in paths],
        encodings=encodings,
        rows_in=rows_in,
        rows_clean=len(frame),
        rows_quarantined=len(quarantine),
        repairs=repairs,
        unknown_values=unknown,
        unknown_columns=unknown_columns,
        missing_optional_columns=sorted(missing_optional),
        dropped_empty_rows=dropped_empty,
        notes=notes,
    )
    return CleanDataset(name, frame, prov, quarantine, issues, report, extras_seen)


def _check_rows_by_file(rows_in: dict[str, int], prov: pd.DataFrame, quarantine) -> None:
    """Rows in = clean + quarantined, file by file (the reader's count of each file)."""
    clean = prov["source_file"].astype("str").value_counts()
    held = quarantine["file"].astype("str").value_counts()
    for name, count in rows_in.items():
        out = int(clean.get(name, 0)) + int(held.get(name, 0))
        assert count == out, f"{name}: row accounting does not balance: {count} in, {out} out"


def _problem(col: Column) -> str:
    return {
        "date": "not a date",
        "country": "unknown country",
        "int": "not a whole number of 0 or more",
        "number": "not a number of 0 or more",
        "bool": "not yes/no",
        "period": "not a month (YYYY-MM)",
        "code": f"not in code list {col.codes}",
        "list": f"item not in code list {col.codes}",
    }.get(col.kind, "invalid value")


def _problems(col: Column, result: Cleaned, bad: np.ndarray) -> str | np.ndarray:
    """The problem of each invalid value: the column's (:func:`_problem`) unless the
    cleaner named a more precise one (a weekday that does not fit the date)."""
    if result.problems is None:
        return _problem(col)
    return result.problems[bad].fillna(_problem(col)).to_numpy(dtype=object)


# Kinds of columns with a closed set of values: mostly unrecognised ones are another column.
_CLOSED_KINDS = ("code", "country", "bool", "list")
_WHAT = {"country": "countries", "bool": "yes/no answers"}


def _wrong_column(
    dataset: str,
    col: Column,
    result: Cleaned,
    headers: list[tuple[int, str]],
    files: list[tuple[str, slice]],
    cfg: Config,
) -> tuple[np.ndarray, list[dict]] | None:
    """The rows of the files whose header for ``col`` is an alias and whose values are
    mostly not values of ``col`` (more than ``wrong_column_min_share`` of at least
    ``wrong_column_min_values``: world regions under "Region" taken as mantikas), and a
    note for each such file; None when there is none."""
    if col.kind not in _CLOSED_KINDS or not headers or not result.invalid.any():
        return None
    t = cfg.thresholds
    present = (result.values.notna() | result.invalid).to_numpy()
    invalid = result.invalid.to_numpy()
    mask = np.zeros(len(present), dtype=bool)
    notes = []
    for number, header in headers:
        name, rows = files[number]
        given, unknown = int(present[rows].sum()), int(invalid[rows].sum())
        if given < t.wrong_column_min_values or unknown <= t.wrong_column_min_share * given:
            continue
        mask[rows] = True
        alias = _alias_of(header, dataset, col.name, cfg)
        what = _WHAT.get(col.kind, f"values of code list {col.codes}")
        message = (
            f"{name}: column {header!r} was taken as {col.name} through the header alias "
            f"{alias!r} (config/header_aliases.yaml), but {unknown} of its {given} values "
            f"({100 * unknown / given:.0f} %) are not {what}: it is probably another column "
            f"and is not used ({col.name} is left empty for this file; its values are kept "
            "as an extra column and listed in the value issues)."
        )
        if col.required:
            message += (
                f" {col.name} is required: its rows fail the quality gate until the right "
                "column has a header of config/header_aliases.yaml or the alias is removed."
            )
        notes.append(
            {
                "kind": "wrong_column",
                "file": name,
                "column": col.name,
                "header": header,
                "alias": alias,
                "values": given,
                "unrecognised": unknown,
                "required": col.required,
                "message": message,
            }
        )
    return (mask, notes) if notes else None


def _alias_of(header: str, dataset: str, column: str, cfg: Config) -> str:
    """The spelling of config/header_aliases.yaml that ``header`` matched."""
    key = normalise_header(header)
    for alias in cfg.header_aliases.get(dataset, {}).get(column, []):
        if normalise_header(alias) == key:
            return alias
    return header


def _drop_rows(result: Cleaned, mask: np.ndarray) -> Cleaned:
    """``result`` with the values of the rows of ``mask`` missing and no repair there; the
    invalid values stay invalid (they are listed in the value issues)."""
    keep = pd.Series(~mask, index=result.values.index)
    problems = pd.Series(
        np.where(mask, "column not used: probably another column", None),
        index=result.values.index,
    )
    if result.problems is not None:
        problems = problems.fillna(result.problems)
    flags = result.flags
    if flags is not None:  # a list column: no code flagged in the rows not used
        flags = flags.copy()
        flags.loc[mask, :] = False
    return Cleaned(
        values=result.values.where(keep),
        repaired={k: m & keep for k, m in result.repaired.items() if (m & keep).any()},
        invalid=result.invalid,
        flags=flags,
        notes=result.notes,
        problems=problems,
    )


def _all_unparseable(values: pd.Series, result: Cleaned, col: Column, prov: pd.DataFrame) -> None:
    """A date column in which no value parses is a wrong file or format, not bad rows."""
    if col.kind != "date":
        return
    present = values.notna() & (values.astype("str").str.strip() != "")
    if present.sum() >= 3 and result.invalid[present].all():
        files = ", ".join(sorted(prov["source_file"][present.to_numpy()].astype("str").unique()))
        first_line = int(prov["source_line"][present.to_numpy()].iloc[0])
        # The message names file, line and column, never a value (it may be personal data).
        raise InputFileError(
            files,
            f"no value of column '{col.name}' is a date (first value: line {first_line}; "
            "expected day-first 20/11/2026, ISO 2026-11-20 or similar)",
        )


def _quarantine_unidentified(
    frame: pd.DataFrame, prov: pd.DataFrame, ds: Dataset
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, np.ndarray | None]:
    """Rows without their record id cannot be checked or referred to: quarantine them.

    Also returns the mask of the rows kept (None when all are)."""
    missing = frame[ds.key].isna().to_numpy()
    quarantine = pd.DataFrame(
        {
            "file": prov["source_file"][missing].astype("str"),
            "line": prov["source_line"][missing],
            "column": ds.key,
            "reason": f"missing {ds.key}: the record cannot be identified",
        },
        columns=QUARANTINE_COLUMNS,
    ).reset_index(drop=True)
    if missing.any():
        frame = frame.loc[~missing].reset_index(drop=True)
        prov = prov.loc[~missing].reset_index(drop=True)
        return frame, prov, quarantine, ~missing
    return frame, prov, quarantine, None


def _as_categorical(
    values: pd.Series, categories: list[str], factorised: tuple[np.ndarray, list] | None = None
) -> pd.Categorical:
    """Categorical with the given categories (unknown values appended), built from Arrow's
    dictionary encoding (or the cleaner's own ``factorised`` codes and distinct values): a
    million values are mapped through their few distinct ones."""
    codes, distinct = factorised or _factorise(values)
    extra = sorted(set(_present(codes, distinct)) - set(categories) - {None})
    cats = pd.Index([*categories, *extra])
    # -1 (missing) indexes the appended -1 sentinel
    position = np.append(cats.get_indexer(pd.Index(distinct, dtype=object)), -1)
    return pd.Categorical.from_codes(position[codes], categories=cats)


def _factorise(values: pd.Series) -> tuple[np.ndarray, list]:
    encoded = arrow.factorize(values.astype("str"))
    return encoded.codes, list(encoded.uniques)


def _present(codes: np.ndarray, distinct: list) -> list:
    """The distinct values that some row holds."""
    used = np.bincount(codes[codes >= 0], minlength=len(distinct)) > 0
    return [v for v, u in zip(distinct, used, strict=True) if u and v is not None]


def _categorised(col: Column) -> bool:
    return col.kind in ("code", "country", "list") or col.name == "location"


def _categorise(
    frame: pd.DataFrame,
    ds: Dataset,
    cfg: Config,
    factorised: dict[str, tuple[np.ndarray, list]] | None = None,
) -> pd.DataFrame:
    """Categorical dtypes for repeating values; both country columns share categories."""
    factorised = factorised or {}
    country_cols = [c.name for c in ds.columns if c.kind == "country"]
    if country_cols:
        parts = {c: factorised.get(c) or _factorise(frame[c]) for c in country_cols}
        seen = set().union(*(set(_present(*parts[c])) for c in country_cols))
        for c in country_cols:
            frame[c] = _as_categorical(frame[c], sorted(seen), parts[c])
    for col in ds.columns:
        if col.kind == "code":
            frame[col.name] = _as_categorical(
                frame[col.name], cfg.codes(col.codes), factorised.get(col.name)
            )
        elif col.kind == "list" or col.name == "location":
            frame[col.name] = _as_categorical(frame[col.name], [], factorised.get(col.name))
    return frame


def values_equal(cleaned: pd.Series, truth: pd.Series) -> np.ndarray:
    """Element-wise equality that treats missing == missing and ignores categorical dtype."""
    a = cleaned.astype(object) if isinstance(cleaned.dtype, pd.CategoricalDtype) else cleaned
    b = truth.astype(object) if isinstance(truth.dtype, pd.CategoricalDtype) else truth
    both_missing = pd.isna(a).to_numpy() & pd.isna(b).to_numpy()
    same = pd.Series(a).reset_index(drop=True) == pd.Series(b).reset_index(drop=True)
    return both_missing | same.fillna(False).to_numpy(dtype=bool)
