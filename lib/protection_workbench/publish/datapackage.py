"""A Frictionless Data Package (``datapackage.json``) describing published tables.

Partners' tools and HDX read a Data Package to load the CSV tables with their types: each
resource names its CSV file, says that the second line is the HXL hashtag row (a comment
row for Frictionless: ``dialect.commentRows``), and gives a Table Schema: every field's
name, type (integer, number, date, year-month, text), a plain-English description and its
HXL hashtag (the custom property ``hxl``). A table's total rows are a resource of their own
(``<name>_totals.csv``, see :mod:`.hxl`). The package is built from the files as
written (by :func:`.hxl.write_hxl_files`), so it describes exactly what is published.
See https://datapackage.org.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from . import hxl
from .disclosure import marker_note
from .labels import column_label

PROFILE = "tabular-data-package"
_NAME = re.compile(r"[^a-z0-9._-]+")
_DATE_KINDS = (("date", r"\d{4}-\d{2}-\d{2}"), ("yearmonth", r"\d{4}-\d{2}"), ("year", r"\d{4}"))

# Plain-English words for the hashtags of the workbench's tables.
_HASHTAG_WORDS = {
    "affected": "number of people",
    "population": "number of people",
    "inneed": "number of people in need",
    "targeted": "number of people targeted",
    "reached": "number of people reached",
    "indicator": "figure",
    "output": "number delivered",
    "capacity": "capacity",
    "value": "amount",
    "currency": "currency",
    "date": "date",
    "country": "country",
    "adm1": "mantika (region of Libya)",
    "loc": "location",
    "org": "organisation",
    "activity": "activity",
    "service": "service",
    "beneficiary": "group of people",
    "sector": "sector",
    "status": "status",
    "meta": "note",
    "description": "description",
}


def resource_name(stem: str) -> str:
    """A Data Package name (lower case, digits, ``.-_``) for a file stem."""
    return _NAME.sub("-", stem.lower()).strip("-") or "table"


def title_of(stem: str, prefix: str | tuple[str, ...] = "") -> str:
    """A readable title for a table file, without the report's file-name ``prefix`` (the
    longest of several that matches): ``community_hosting_exits_by_reason`` (prefix
    ``community_hosting_``) → "Exits by reason"; its totals' file
    ``community_hosting_exits_by_reason_totals`` → "Exits by reason (totals)"."""
    prefixes = sorted((prefix,) if isinstance(prefix, str) else prefix, key=len, reverse=True)
    text = next((stem[len(p) :] for p in prefixes if p and stem.startswith(p)), stem)
    totals = text.endswith(hxl.TOTALS_SUFFIX)  # a table's total rows, in a file of their own
    text = text.removesuffix(hxl.TOTALS_SUFFIX) if totals else text
    text = re.sub(r"\bytd\b", "year to date", text.replace("_", " ").strip())
    text = re.sub(r"\b(nfi|vhr|bia|avm)\b", lambda m: m[1].upper(), text)  # acronyms
    return text[:1].upper() + text[1:] + (" (totals)" if totals else "")


def report_prefixes(notebook: str) -> tuple[str, ...]:
    """The file-name prefixes a report's tables may carry: its notebook's name or the
    first word of it (``weekly_report.ipynb`` → ``weekly_report_``, ``weekly_``)."""
    stem = notebook.removesuffix(".ipynb")
    return (f"{stem}_", f"{stem.split('_')[0]}_")


def _data(path: Path) -> pd.DataFrame:
    return pd.read_csv(
        path, skiprows=[1], dtype=str, keep_default_na=False, encoding="utf-8"
    ).fillna("")


def _type(tag: str, values: pd.Series) -> dict:
    """The Table Schema type (and its true/false values) of a column, from its hashtag and
    the values written."""
    name = hxl.hashtag_parts(tag)[0]
    present = values[values != ""]
    if name == "date":
        for kind, pattern in _DATE_KINDS:
            if len(present) and present.str.fullmatch(pattern).all():
                return {"type": kind}
        return {"type": "string"}
    if name == "meta":  # markers, ISO weeks, notes: text
        return {"type": "string"}
    if not len(present):
        return {"type": "integer" if hxl.is_number_tag(tag) else "string"}
    numbers = hxl.parse_numbers(present)
    if numbers.isna().any():
        return {"type": "string"}
    return {"type": "number" if present.str.contains(".", regex=False).any() else "integer"}


def _description(header: str, tag: str, kind: str, tags: Mapping[str, str]) -> str:
    """What a column holds, in plain English (``tags``: every column's hashtag)."""
    name, attributes = hxl.hashtag_parts(tag)
    companion = name == "meta"
    if companion and header.endswith(hxl.MARKER_SUFFIX):
        base = header.removesuffix(hxl.MARKER_SUFFIX)
        if hxl.hashtag_parts(tags.get(base, ""))[0] == "date":
            return f'What "{base}" shows in a row where it is not a date.'
        return f'Why "{base}" is empty in this row, when it is: {marker_note()} "–": not published.'
    if companion and header.endswith(hxl.WEEK_SUFFIX):
        base = header.removesuffix(hxl.WEEK_SUFFIX)
        return f'The week of "{base}" as the report shows it (ISO year-Wweek).'
    if header == hxl.CURRENCY_HEADER and tag == hxl.CURRENCY_TAG:
        return "The currency of the amounts in this row, as its ISO 4217 code."
    what = _HASHTAG_WORDS.get(name, "value")
    has_week = f"{header}{hxl.WEEK_SUFFIX}" in tags
    header = column_label(header)
    if name == "date":
        if has_week:
            return f"{header}: the week, as the date of its Monday (YYYY-MM-DD)."
        formats = {"date": "YYYY-MM-DD", "yearmonth": "YYYY-MM", "year": "YYYY"}
        return f"{header}: {what} ({formats.get(kind, 'as written')})."
    if name == "country" and "code" in attributes:
        return f"{header}: country, as its ISO 3166-1 alpha-3 code (empty if not a country)."
    if kind in ("integer", "number") and hxl.is_people_tag(tag):
        return (
            f"{header}: {what}. Empty where the count is hidden to protect small numbers: "
            "the marker column beside it says why."
        )
    if kind in ("integer", "number"):
        return f"{header}: {what}, a number."
    return f"{header}: {what}, as text."


def describe_table(path: str | os.PathLike, base: str | os.PathLike, **properties) -> dict:
    """The Data Package resource of one CSV written by :func:`.hxl.write_hxl_files`, its path
    relative to ``base``; ``properties`` (title, description, ...) are added as given."""
    path, base = Path(path), Path(base)
    headers, tags = hxl.read_hxl_rows(path)
    by_header = dict(zip(headers, tags, strict=True))
    data = _data(path)
    fields = []
    for i, (header, tag) in enumerate(zip(headers, tags, strict=True)):
        kind = _type(tag, data.iloc[:, i])
        fields.append(
            {
                "name": header,
                **kind,
                "description": _description(header, tag, kind["type"], by_header),
                "hxl": tag,
            }
        )
    return {
        "name": resource_name(path.stem),
        "path": path.relative_to(base).as_posix(),
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"header": True, "commentRows": [2]},
        **properties,
        "schema": {"fields": fields, "missingValues": [""]},
    }


def write_datapackage(
    folder: str | os.PathLike,
    tables: Sequence[str | os.PathLike],
    *,
    name: str,
    title: str,
    description: str,
    groups: Mapping[str, tuple[str, str | tuple[str, ...]]] | None = None,
    created: str | None = None,
) -> Path:
    """Write ``folder/datapackage.json`` describing every CSV of ``tables`` (paths inside
    ``folder``). ``groups`` maps a file name to (report title, file-name prefixes of that
    report), for each resource's title and description. Written atomically; returns the
    path."""
    folder = Path(folder)
    groups = groups or {}
    resources = []
    for table in sorted(map(Path, tables), key=lambda p: p.name):
        report, prefix = groups.get(table.name, ("", ""))
        text = (
            f"A table of the report “{report}”. " if report else "A published table. "
        ) + "Counts of people from 1 to 4 are hidden; see the marker columns."
        if table.stem.endswith(hxl.TOTALS_SUFFIX):
            of = table.stem.removesuffix(hxl.TOTALS_SUFFIX)
            text += f" The total row(s) of the table {of}.csv, kept apart from its rows."
        resources.append(
            describe_table(
                table,
                folder,
                title=title_of(table.stem, prefix),
                description=text,
                **({"report": report} if report else {}),
            )
        )
    package = {
        "profile": PROFILE,
        "name": resource_name(name),
        "title": title,
        "description": description,
        **({"created": created} if created else {}),
        "resources": resources,
    }
    target = folder / "datapackage.json"
    tmp = target.with_name(".datapackage.json.tmp")
    tmp.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", "utf-8")
    os.replace(tmp, target)
    return target
